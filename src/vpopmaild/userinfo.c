/*
 * userinfo.c - address parsing and the user-info block of vpopmaild.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpopmaild.h"

#include <stdio.h>
#include <string.h>

/*
 * Like the library's parse_email() (lower-case, split at the first '@',
 * else '%', else '/', check both parts, default domain) but silent: the
 * daemon's stderr is tcpserver's log, and a refusal is reported to the
 * client instead.  A part that does not fit is refused, never cut.
 */
int vpd_parse_email(const char *addr, char *user, size_t usize, char *domain, size_t dsize)
{
	char buf[MAX_PW_NAME + MAX_PW_DOMAIN + 2];
	char *sep;
	size_t i;

	if (addr == NULL || strlen(addr) >= sizeof buf)
		return -1;
	for (i = 0; addr[i] != '\0'; i++)
		buf[i] = (addr[i] >= 'A' && addr[i] <= 'Z') ? (char)(addr[i] - 'A' + 'a') : addr[i];
	buf[i] = '\0';
	if ((sep = strchr(buf, '@')) == NULL && (sep = strchr(buf, '%')) == NULL)
		sep = strchr(buf, '/');
	if (sep != NULL)
		*sep++ = '\0';
	if (strlen(buf) >= usize || strlen(buf) > MAX_PW_NAME)
		return -1;
	if (sep != NULL && (strlen(sep) >= dsize || strlen(sep) > MAX_PW_DOMAIN))
		return -1;
	if (is_username_valid(buf) != 0)
		return -1;
	if (sep != NULL && is_domain_valid(sep) != 0)
		return -1;
	snprintf(user, usize, "%s", buf);
	domain[0] = '\0';
	if (sep != NULL && *sep != '\0') {
		snprintf(domain, dsize, "%s", sep);
	} else {
		char def[MAX_PW_DOMAIN + 1] = "";

		vset_default_domain(def);
		if (strlen(def) >= dsize)
			return -1;
		snprintf(domain, dsize, "%s", def);
	}
	return 0;
}

static const char *str(const char *s)
{
	return s != NULL ? s : "";
}

/* The flag lines of the full mode, in the protocol's order. */
static const struct {
	const char *name;
	gid_t bit;
} flag_lines[] = {
	{ "no_password_change", NO_PASSWD_CHNG },
	{ "no_pop", NO_POP },
	{ "no_webmail", NO_WEBMAIL },
	{ "no_imap", NO_IMAP },
	{ "bounce_mail", BOUNCE_MAIL },
	{ "no_relay", NO_RELAY },
	{ "no_dialup", NO_DIALUP },
	{ "user_flag_0", V_USER0 },
	{ "user_flag_1", V_USER1 },
	{ "user_flag_2", V_USER2 },
	{ "user_flag_3", V_USER3 },
	{ "no_smtp", NO_SMTP },
	{ "domain_admin_privileges", QA_ADMIN },
	{ "override_domain_limits", V_OVERRIDE },
	{ "no_spamassassin", NO_SPAMASSASSIN },
	{ "delete_spam", DELETE_SPAM },
	{ "no_maildrop", NO_MAILDROP },
	{ "system_admin_privileges", SA_ADMIN },
};

void vpd_user_block(const struct vqpasswd *pw)
{
	size_t i;

	vpd_printf("name %s", str(pw->pw_name));
	vpd_printf("comment %s", str(pw->pw_gecos));
	vpd_printf("quota %s", str(pw->pw_shell));
	vpd_printf("user_dir %s", str(pw->pw_dir));
	vpd_printf("encrypted_password %s", str(pw->pw_passwd));
	vpd_printf("clear_text_password %s", str(pw->pw_clear_passwd));
	if (vpd.mode != VPD_FULL) {
		vpd_printf("gidflags %d", (int)pw->pw_gid);
		return;
	}
	for (i = 0; i < sizeof flag_lines / sizeof flag_lines[0]; i++)
		vpd_printf("%s %d", flag_lines[i].name, (pw->pw_gid & flag_lines[i].bit) ? 1 : 0);
}
