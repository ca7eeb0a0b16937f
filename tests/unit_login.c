/*
 * unit_login.c - md5.c (RFC 1321 and RFC 2202 vectors), the remote IP
 * normalisation and the connection classification of vchkpw
 * (loginenv.c, spec runtime §1.4 and §3.3).
 */
#include "login.h"
#include "md5.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static void md5_is(const char *in, const char *want)
{
	char hex[33];

	vp_md5_hex2(in, "", hex);
	is_str(hex, want, "MD5(\"%.20s\")", in);
}

static void norm_is(const char *raw, const char *want)
{
	char out[64];

	vp_normalise_ip(raw, out, sizeof out);
	is_str(out, want, "IP '%s' -> '%s'", raw, want);
}

/* classify with TCPLOCALPORT/SERVICE/TCPREMOTEIP set as given (NULL = unset). */
static void class_is(const char *port, const char *svc, const char *ip, const char *argv1,
                     int want, const char *name, int dovecot)
{
	struct vlogin l;

	memset(&l, 0, sizeof l);
	if (port) setenv("TCPLOCALPORT", port, 1); else unsetenv("TCPLOCALPORT");
	if (svc) setenv("SERVICE", svc, 1); else unsetenv("SERVICE");
	if (ip) setenv("TCPREMOTEIP", ip, 1); else unsetenv("TCPREMOTEIP");
	vp_login_classify(&l, argv1);
	ok(l.service == want && strcmp(l.logname, name) == 0 && l.dovecot == dovecot,
	   "port %s, SERVICE %s, ip %s, argv1 %s: class %d %s%s", port ? port : "-", svc ? svc : "-",
	   ip ? ip : "-", argv1 ? argv1 : "-", want, name, dovecot ? " (Dovecot)" : "");
	if (l.service != want || strcmp(l.logname, name) != 0 || l.dovecot != dovecot)
		printf("#   got class %d, %s, dovecot %d\n", l.service, l.logname, l.dovecot);
}

int main(void)
{
	char hex[33], big[200];

	/* RFC 1321, appendix A.5. */
	md5_is("", "d41d8cd98f00b204e9800998ecf8427e");
	md5_is("a", "0cc175b9c0f1b6a831c399e269772661");
	md5_is("abc", "900150983cd24fb0d6963f7d28e17f72");
	md5_is("message digest", "f96b697d7cb7938d525a2f31aaf161d0");
	md5_is("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b");
	md5_is("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
	       "d174ab98d277d9f5a5611c2c9f419d9f");
	md5_is("12345678901234567890123456789012345678901234567890123456789012345678901234567890",
	       "57edf4a22be3c955ac49da2e2107b67a");
	vp_md5_hex2("<1896.697170952@dbc.mtview.ca.us>", "tanstaaf", hex);
	is_str(hex, "c4c9334bac560ecc979e58001b3e22fb", "APOP example of RFC 1939");

	/* RFC 2202 (HMAC-MD5) and RFC 2195 (CRAM-MD5). */
	memset(big, 0x0b, 16); big[16] = '\0';
	vp_hmac_md5_hex(big, "Hi There", hex);
	is_str(hex, "9294727a3638bb1c13f48ef8158bfc9d", "HMAC-MD5 test case 1");
	vp_hmac_md5_hex("Jefe", "what do ya want for nothing?", hex);
	is_str(hex, "750c783e6ab0b503eaa86e310a5db738", "HMAC-MD5 test case 2");
	memset(big, 0xaa, 80); big[80] = '\0';
	vp_hmac_md5_hex(big, "Test Using Larger Than Block-Size Key - Hash Key First", hex);
	is_str(hex, "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd", "HMAC-MD5 test case 6 (80-byte key)");
	vp_hmac_md5_hex("tanstaaftanstaaf", "<1896.697170952@postoffice.reston.mci.net>", hex);
	is_str(hex, "b913a602c7eda7a495b4e6e7334d3890", "CRAM-MD5 example of RFC 2195");

	/* Spec runtime §1.4 (the 39-character address is cleaned too). */
	norm_is("10.1.2.3", "10.1.2.3");
	norm_is("::ffff:10.9.8.7", "10.9.8.7");
	norm_is("2001:db8::5", "2001_db8__5");
	norm_is("::1", "");
	norm_is("10.0.0.9;x", "10.0.0.9_x");
	norm_is("2001:0db8:0000:0000:0000:ff00:0042:8329", "2001_0db8_0000_0000_0000_ff00_0042_8329");
	norm_is(":", "");
	norm_is(NULL, "");

	/* Spec runtime §3.3, plus $SERVICE and the Dovecot detection. */
	unsetenv("ORIG_UID");
	class_is("25", NULL, "10.1.1.1", "/bin/true", VLOGIN_SMTP, "vchkpw-smtp", 0);
	class_is("110", NULL, "10.1.1.1", "qmail-pop3d", VLOGIN_POP, "vchkpw-pop3", 0);
	class_is("143", NULL, "10.1.1.1", "x", VLOGIN_IMAP, "vchkpw-imap", 0);
	class_is("465", NULL, "10.1.1.1", "x", VLOGIN_SMTP, "vchkpw-smtps", 0);
	class_is("587", NULL, "10.1.1.1", "x", VLOGIN_SMTP, "vchkpw-submission", 0);
	class_is("993", NULL, "10.1.1.1", "x", VLOGIN_IMAP, "vchkpw-imaps", 0);
	class_is("995", NULL, "10.1.1.1", "x", VLOGIN_POP, "vchkpw-pop3s", 0);
	class_is(NULL, NULL, "10.1.1.1", "/bin/true", VLOGIN_SMTP, "vchkpw-0", 0);
	class_is("abc", NULL, "10.1.1.1", "/usr/bin/imapd", VLOGIN_IMAP, "vchkpw-0", 0);
	class_is("2110", NULL, "10.1.1.1", "qmail-pop3d", VLOGIN_POP, "vchkpw-2110", 0);
	class_is("110", NULL, "127.0.0.1", "qmail-pop3d", VLOGIN_WEBMAIL, "vchkpw-webmail", 0);
	class_is("143", NULL, "::ffff:127.0.0.1", "x", VLOGIN_WEBMAIL, "vchkpw-webmail", 0);
	class_is("25", NULL, "127.0.0.1", "x", VLOGIN_SMTP, "vchkpw-smtp", 0);
	class_is("110", "imap", "10.1.1.1", "x", VLOGIN_IMAP, "vchkpw-imap", 0);
	class_is("143", "imap", "127.0.0.1", "x", VLOGIN_IMAP, "vchkpw-imap", 0);
	class_is("10110", "pop3", "10.1.1.1", "x", VLOGIN_POP, "vchkpw-pop3", 0);
	class_is("10587", "submission", "10.1.1.1", "x", VLOGIN_SMTP, "vchkpw-submission", 0);
	class_is("995", "pop3", "10.1.1.1", "x", VLOGIN_POP, "vchkpw-pop3s", 0);
	class_is("110", "lmtp", "10.1.1.1", "x", VLOGIN_POP, "vchkpw-pop3", 0);
	class_is("110", NULL, "10.1.1.1", "/usr/lib/dovecot/checkpassword-reply", VLOGIN_POP, "vchkpw-pop3", 1);
	setenv("ORIG_UID", "0", 1);
	class_is("143", "imap", "10.1.1.1", "x", VLOGIN_IMAP, "vchkpw-imap", 1);
	unsetenv("ORIG_UID");
	return done_testing();
}
