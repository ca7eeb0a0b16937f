/*
 * unit_passwd.c - passwd.c, pwstrength.c, error.c and prompt.c:
 * hash formats and verification, random passwords, the strength policy
 * and its messages, verror() texts, and vgetpasswd() with and without a
 * terminal.
 */
#define _GNU_SOURCE 1   /* posix_openpt() and friends */
#include "vpinternal.h"
#include "tap.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char salt_set[] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char pass_set[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.@!#%*";

/* ---- small helpers --------------------------------------------------- */

/* Point VPOPMAIL_HOME at a new home whose strength file holds conf (NULL: none). */
static void strength_home(const char *name, const char *conf)
{
	sandbox_home(name, "password_strength.conf", conf);
}

/* Every character of s is in set. */
static int all_in(const char *s, const char *set)
{
	return s[strspn(s, set)] == '\0';
}

/* ---- verror ---------------------------------------------------------- */

static void test_verror(void)
{
	static const char *const want[] = {
		"Success", "Illegal username", "Username exists",
		"Unable to chdir to vpopmail directory",
		"Unable to chdir to vpopmail/users directory",
		"Unable to chdir to vpopmail/" DOMAINS_DIR " directory",
		"Unable to chdir to vpopmail/" DOMAINS_DIR "/domain directory",
		"User's directory already exists",
		"Unable to chdir to user's directory",
		"Creation of user's subdirectories failed",
		"User does not exist", "Domain does not exist", "Invalid domain name",
		"Domain already exists", "Could not make domain dir",
		"Could not open qmail default", "Can not make " DOMAINS_DIR " directory",
		"Could not update file", "Crypt failed", "Could not open dot qmail file",
		"bad character", "Unknown error", "running as invalid uid",
		"no authentication database connection", "memory allocation error",
		"user name too long (max=64)", "domain name too long (max=96)",
		"password too long (max=128)", "gecos too long (max=64)",
		"quota too long (max=20)", "dir too long (max=160)",
		"clear password too long (max=128)", "alias line too long (max=160)",
		"null pointer", "invalid email character",
		"parsing database configuration file", "can't read domain limits",
		"can't read users/assign file",
		"Unknown error", "Unknown error", "Unknown error", "Unknown error",
		"Unknown error", "Unknown error", "Unknown error",
		"parsing database configuration file - update server",
		"parsing database configuration file - update port",
		"parsing database configuration file - update user",
		"parsing database configuration file - update password",
		"parsing database configuration file - update database",
		"parsing database configuration file - readonly server",
		"parsing database configuration file - readonly port",
		"parsing database configuration file - readonly user",
		"parsing database configuration file - readonly password",
		"parsing database configuration file - readonly database",
		"can't delete catchall account",
	};
	int i;

	for (i = 0; i < (int)(sizeof(want) / sizeof(want[0])); i++)
		is_str(verror(-i), want[i], "verror(%d)", -i);
	for (i = 56; i <= 68; i++)
		is_str(verror(-i), "Unknown error", "verror(%d)", -i);
	is_str(verror(-75), "Unknown error", "verror(-75)");
	is_str(verror(-1000), "Unknown error", "verror(-1000)");
	is_str(verror(1), "Unknown error", "verror(1)");
	is_str(verror(255), "Unknown error", "verror(255)");
	/* (the list above spells the configured name: the default's own text) */
	if (strcmp(DOMAINS_DIR, "domains") == 0)
		is_str(verror(VA_BAD_D_DIR), "Unable to chdir to vpopmail/domains directory",
		       "VA_BAD_D_DIR with the default DOMAINS_DIR");
	else
		ok(1, "# SKIP built with --enable-domains-dir=%s", DOMAINS_DIR);
}

static void test_exit_helpers(void)
{
	char path[300];
	FILE *fp;

	sandbox_path(path, sizeof(path), "err.txt");
	fp = fopen(path, "w");
	verrori = VA_USER_DOES_NOT_EXIST;
	vsqlerror(fp, "Initial open.");
	is_int(vexiterror(fp, "second"), VA_USER_DOES_NOT_EXIST,
	       "vexiterror returns verrori instead of exiting");
	fclose(fp);
	is_str(file_text(path),
	       "Error - User does not exist. Initial open.\n"
	       "Error - User does not exist. second\n",
	       "vsqlerror / vexiterror print 'Error - <verror>. <comment>'");
	is_int(vexit(-12), -12, "vexit returns its argument");
	verrori = 0;
}

/* ---- hashing --------------------------------------------------------- */

/* The SHA-crypt test vector from the specification by U. Drepper. */
#define VEC_CLEAR "Hello world!"
#define VEC_HASH  "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"

static void test_hash(void)
{
	char h1[MAX_PW_PASS + 1], h2[MAX_PW_PASS + 1], small[50], buf[200];

	is_int(mkpasswd3("Passw0rd", h1, sizeof(h1)), 0, "mkpasswd3 succeeds");
#if defined(SHA512_PASSWORDS)
	is_int(strlen(h1), 3 + 8 + 1 + 86, "SHA-512 hash is 98 characters");
	ok(strncmp(h1, "$6$", 3) == 0, "  starts with $6$");
	ok(h1[11] == '$', "  8 salt characters, then $");
	h1[11] = '\0';
	ok(all_in(h1 + 3, salt_set), "  salt from ./0-9A-Za-z");
	h1[11] = '$';
	ok(all_in(h1 + 12, salt_set), "  86 hash characters from ./0-9A-Za-z");
#elif defined(MD5_PASSWORDS)
	is_int(strlen(h1), 3 + 8 + 1 + 22, "MD5 hash is 34 characters");
	ok(strncmp(h1, "$1$", 3) == 0 && h1[11] == '$', "  $1$ + 8 salt + $");
#else
	is_int(strlen(h1), 13, "DES hash is 13 characters");
	ok(all_in(h1, salt_set), "  all from ./0-9A-Za-z");
#endif
	is_int(vp_check_password("Passw0rd", h1), 0, "the right password matches");
	is_int(vp_check_password("passw0rd", h1), -1, "a wrong password does not");
	is_int(vp_check_password("Passw0rD", h1), -1, "  nor one differing in the last character");
#if defined(SHA512_PASSWORDS) || defined(MD5_PASSWORDS)
	is_int(vp_check_password("Passw0rd ", h1), -1, "  nor one with a trailing space");
#endif
	is_int(vp_check_password("", h1), -1, "  nor the empty one");

	is_int(mkpasswd3("Passw0rd", h2, sizeof(h2)), 0, "hashing again");
	ok(strcmp(h1, h2) != 0, "  gives a different salt");

	is_int(mkpasswd3("", h2, sizeof(h2)), 0, "hashing the empty password");
	is_int(vp_check_password("", h2), 0, "  matches the empty password");
	is_int(vp_check_password("x", h2), -1, "  and nothing else");

	is_int(vp_check_password(VEC_CLEAR, VEC_HASH), 0, "published SHA-512 vector matches");
	is_int(vp_check_password("Hello world", VEC_HASH), -1, "  a near miss does not");
	is_int(vp_check_password(VEC_CLEAR, "{SHA512-CRYPT}" VEC_HASH), 0,
	       "{SHA512-CRYPT} prefix is skipped");
	is_int(vp_check_password(VEC_CLEAR, "{CRYPT}" VEC_HASH), 0, "{CRYPT} prefix is skipped");
	is_int(vp_check_password(VEC_CLEAR, "{SHA512-CRYPT}"), -1, "a bare prefix never matches");

	snprintf(buf, sizeof(buf), "%s", VEC_HASH);
	buf[strlen(buf) - 1] = '0';
	is_int(vp_check_password(VEC_CLEAR, buf), -1, "last hash character changed: no match");
	buf[strlen(buf) - 1] = '\0';
	is_int(vp_check_password(VEC_CLEAR, buf), -1, "hash cut short: no match");
	snprintf(buf, sizeof(buf), "%sX", VEC_HASH);
	is_int(vp_check_password(VEC_CLEAR, buf), -1, "hash with a character appended: no match");

	is_int(vp_check_password("", ""), -1, "an empty stored hash never matches \"\"");
	is_int(vp_check_password("x", ""), -1, "  nor anything else");
	is_int(vp_check_password("x", "*"), -1, "a locked hash '*' never matches");
	is_int(vp_check_password("x", "!"), -1, "a locked hash '!' never matches");
	is_int(vp_check_password(NULL, VEC_HASH), -1, "NULL clear never matches");

	is_int(mkpasswd3("Passw0rd", small, 13), VA_CRYPT_FAILED,
	       "a hash that does not fit the buffer is VA_CRYPT_FAILED");
	is_int(vp_hash_password(NULL, small, sizeof(small)), VA_NULL_POINTER,
	       "vp_hash_password(NULL) is VA_NULL_POINTER");

	/* The stand-in a backend lays a record out around is as long as the
	 * hashes of this build's scheme (vauth_backend.adduser_late). */
	{
		char standin[MAX_PW_PASS + 1], h[MAX_PW_PASS + 1];

		is_int(vp_hash_standin(standin, sizeof standin), 0, "vp_hash_standin");
		is_int(vp_hash_password("Passw0rd", h, sizeof h), 0, "a hash to compare it with");
		is_int((int)strlen(standin), (int)strlen(h), "the stand-in is as long as a hash");
		ok(strspn(standin, "x") == strlen(standin), "  and only 'x'");
		is_int(vp_hash_standin(standin, strlen(h)), VA_NULL_POINTER, "  a buffer too small is refused");
	}
}

/* ---- randomness ------------------------------------------------------ */

static void test_random(void)
{
	static unsigned char big[1 << 20];
	char buf[200], seen[256] = { 0 }, *p;
	int i, missing = 0, bad = 0;
	size_t zeros = 0, k;
	unsigned v;

	is_str(vrandom_pass(buf, 0), "", "vrandom_pass(0) is empty");
	p = vrandom_pass(buf, 12);
	ok(p == buf, "vrandom_pass returns its buffer");
	is_int(strlen(buf), 12, "  12 characters");
	ok(all_in(buf, pass_set), "  from the 68-character alphabet");
	vrandom_pass(buf, 128);
	is_int(strlen(buf), 128, "vrandom_pass(128) gives 128 characters");
	ok(vrandom_pass(NULL, 5) == NULL, "vrandom_pass(NULL) is NULL");

	for (i = 0; i < 400; i++) {
		vrandom_pass(buf, 50);
		if (!all_in(buf, pass_set))
			bad++;
		for (p = buf; *p != '\0'; p++)
			seen[(unsigned char)*p] = 1;
	}
	for (p = (char *)pass_set; *p != '\0'; p++)
		if (!seen[(unsigned char)*p])
			missing++;
	is_int(strlen(pass_set), 68, "(alphabet has 68 characters)");
	is_int(bad, 0, "20000 random characters all from the alphabet");
	is_int(missing, 0, "  and every character of it occurs");

	/*
	 * 676,600 characters: about 9,950 of each (sd 100).  Taking a random
	 * byte modulo 68 without redrawing would give the first 52 about
	 * 11,300 each and the last 16 about 8,500.
	 */
	{
		static unsigned long count[256];
		unsigned long lo = ~0UL, hi = 0;

		for (i = 0; i < 3400; i++) {
			vrandom_pass(buf, 199);     /* buf holds 199 + NUL */
			for (p = buf; *p != '\0'; p++)
				count[(unsigned char)*p]++;
		}
		for (p = (char *)pass_set; *p != '\0'; p++) {
			unsigned long c = count[(unsigned char)*p];

			lo = c < lo ? c : lo;
			hi = c > hi ? c : hi;
		}
		ok(lo > 9400 && hi < 10600, "  every character about as likely (%lu..%lu of 676,600)", lo, hi);
	}

	p = vgen_pass(16);
	ok(p != NULL && strlen(p) == 16 && all_in(p, pass_set), "vgen_pass(16)");
	free(p);

	for (i = 0, bad = 0; i < 1000; i++)
		if (strchr(salt_set, randltr()) == NULL)
			bad++;
	is_int(bad, 0, "randltr gives salt characters");

	for (i = 0, bad = 0; i < 10000; i++) {
		v = vp_random_below(7);
		if (v >= 7)
			bad++;
	}
	is_int(bad, 0, "vp_random_below(7) < 7");
	is_int(vp_random_below(1), 0, "vp_random_below(1) == 0");
	is_int(vp_random_below(0), 0, "vp_random_below(0) == 0");

	is_int(vp_random_bytes(big, sizeof(big)), 0, "vp_random_bytes fills 1 MiB");
	for (k = 0; k < sizeof(big); k++)
		zeros += big[k] == 0;
	ok(zeros < sizeof(big) / 128, "  and it is not left zeroed (%zu zero bytes)", zeros);
	is_int(vp_random_bytes(big, 0), 0, "vp_random_bytes of 0 bytes");
}

/* ---- password strength ----------------------------------------------- */

/* Check pw under the current home; compare code, verror text and stderr. */
static void check_strength(const char *pw, int want, const char *want_text)
{
	int rc;

	rc = vpw_strength_check(pw);
	is_int(rc, want, "strength(\"%s\") = %d", pw != NULL ? pw : "(NULL)", want);
	if (want_text != NULL)
		is_str(verror(rc), want_text, "  verror: \"%s\"", want_text);
}

static void test_strength_default(void)
{
	char conf[8192], path[300];
	const char *err, *srcdir = getenv("top_srcdir");

	strength_home("no_conf", NULL);
	capture_begin();
	check_strength("", 0, NULL);
	err = capture_end();
	ok(vpw_strength_policy() == NULL, "no file: no policy");
	is_str(err, "", "  and no diagnostics");

	/* The shipped file. */
	snprintf(path, sizeof(path), "%s/etc/password_strength.conf", srcdir ? srcdir : ".");
	snprintf(conf, sizeof(conf), "%s", file_text(path));
	ok(strstr(conf, "Length >= 1") != NULL, "shipped file read from %s", path);
	strength_home("shipped", conf);
	capture_begin();
	check_strength("", VA_PWSTR_LENGTH, "password requires more characters ");
	err = capture_end();
	is_str(err, "", "the shipped file parses without diagnostics");
	is_str(vpw_strength_policy(), "Passwords must be at least one character long",
	       "shipped policy text");
	check_strength("x", 0, NULL);
	check_strength(NULL, VA_PWSTR_EMPTY, "password suitable");
}

static void test_strength_rules(void)
{
	strength_home("len_eq", "Length = 8\n");
	check_strength("abc", VA_PWSTR_LENGTH, "password must always be 8 characters long ");
	check_strength("abcdefgh", 0, NULL);

	strength_home("len_lt", "length < 4\n");
	check_strength("abcd", VA_PWSTR_LENGTH, "password should have less characters ");
	strength_home("len_le", "LENGTH <= 3\n");
	check_strength("abcd", VA_PWSTR_LENGTH, "password should have less characters ");
	strength_home("len_gt", "Length > 3\n");
	check_strength("abc", VA_PWSTR_LENGTH, "password requires more characters ");
	check_strength("abcd", 0, NULL);

	strength_home("alpha_gt", "Alphabet > 0.5\n");
	check_strength("ab12", VA_PWSTR_ALPHA, "password requires more alphabetical characters ");
	check_strength("abc1", 0, NULL);
	strength_home("alpha_lt", "Alphabet < 0.5\n");
	check_strength("ab12", VA_PWSTR_ALPHA, "password should have less alphabetical characters ");
	strength_home("alpha_eq", "Alphabet = 0\n");
	check_strength("a123", VA_PWSTR_ALPHA, "password can only be alphabetical characters ");

	strength_home("num_ge", "Numeric >= 0.25\n");
	check_strength("abcd", VA_PWSTR_NUMERIC, "password requires more numbers ");
	check_strength("abc1", 0, NULL);
	strength_home("num_eq", "Numeric = 1.00\n");
	check_strength("1234", 0, NULL);
	check_strength("123a", VA_PWSTR_NUMERIC, "password can only be numbers ");

	strength_home("other_gt", "Other > 0\n");
	check_strength("abc1", VA_PWSTR_OTHER,
	               "password requires more punctuation, symbols, or other characters ");
	check_strength("abc!", 0, NULL);
	check_strength("abc\xC3\xA9", 0, NULL);   /* bytes >= 0x80 are "other" */
	strength_home("other_le", "Other <= 0\n");
	check_strength("a b", VA_PWSTR_OTHER,
	               "password should have less punctuation, symbols, or other characters ");

	/* UpperLower reads the other way round. */
	strength_home("ul_lt", "UpperLower < 0.5\n");
	check_strength("abcd", VA_PWSTR_DELTA,
	               "password requires more uppercase and lowercase character diversity ");
	check_strength("abCD", 0, NULL);
	strength_home("ul_gt", "UpperLower > 0.5\n");
	check_strength("aB", VA_PWSTR_DELTA,
	               "password should have less uppercase and lowercase character diversity ");
	strength_home("ul_eq", "upperlower = 1\n");
	check_strength("aB", VA_PWSTR_DELTA,
	               "password should have less uppercase and lowercase character diversity ");

	/* 0x5B-0x60 count as lower case: "[\]^_`" is all letters, all lower. */
	strength_home("brackets", "Alphabet >= 1\nUpperLower < 0.9\n");
	check_strength("AB[]", 0, NULL);
	check_strength("[\\]^_`", VA_PWSTR_DELTA, NULL);
	check_strength("AZ{", VA_PWSTR_ALPHA, NULL);   /* '{' is not a letter */

	/* NaN ratios fail every comparison, as in the original. */
	strength_home("nan", "Alphabet > 0.1\n");
	check_strength("", VA_PWSTR_ALPHA, NULL);
	strength_home("nan2", "UpperLower < 1\n");
	check_strength("1234", VA_PWSTR_DELTA, NULL);

	/* Order: Length, Alphabet, Numeric, Other, UpperLower. */
	strength_home("order",
	              "UpperLower < 0.1\nOther > 0.5\nNumeric > 0.5\nAlphabet > 0.9\nLength > 10\n");
	check_strength("abc", VA_PWSTR_LENGTH, NULL);
	check_strength("abcdefghijk", VA_PWSTR_NUMERIC, NULL);
	check_strength("abcdefghij1", VA_PWSTR_NUMERIC, NULL);
	check_strength("a1234567890", VA_PWSTR_ALPHA, NULL);

	strength_home("policy", "# comment line\n\n"
	              "Policy = Be   strong, please  # not part of it\r\n"
	              "Policy   =\tUse  8+ characters \n"
	              "Length\t>=\t8   # trailing comment\n");
	check_strength("short", VA_PWSTR_LENGTH, "password requires more characters ");
	is_str(vpw_strength_policy(), "Use  8+ characters ",
	       "Policy: rest of the line, inner and trailing blanks kept; last one wins");
	strength_home("policy2", "Policy = Be   strong, please  # not part of it\r\n");
	is_str(vpw_strength_policy(), "Be   strong, please  ",
	       "Policy: comment cut, blanks before it kept");
}

static void test_strength_diagnostics(void)
{
	char want[1024];
	const char *err;

	strength_home("bad_rule", "Length > 2\nBogus > 1\nNumeric > 0.5\n");
	capture_begin();
	check_strength("ab", VA_PWSTR_LENGTH, "password requires more characters ");
	err = capture_end();
	snprintf(want, sizeof(want),
	         "load_rules: %s/bad_rule/etc/password_strength.conf: unknown rule: Bogus\n"
	         "load_rules: failed\n", sandbox);
	is_str(err, want, "unknown rule: message, and parsing stops");
	check_strength("abc", 0, NULL);   /* the Numeric rule after it was not read */

	strength_home("bad_test", "Length >> 2\n");
	capture_begin();
	check_strength("a", 0, NULL);
	err = capture_end();
	snprintf(want, sizeof(want),
	         "load_rules: %s/bad_test/etc/password_strength.conf: invalid test: >>\n"
	         "load_rules: failed\n", sandbox);
	is_str(err, want, "invalid test: message");

	strength_home("syntax", "Length\nLength >=\nLength >= 3\n");
	capture_begin();
	check_strength("ab", VA_PWSTR_LENGTH, NULL);
	err = capture_end();
	snprintf(want, sizeof(want),
	         "load_rules: %s/syntax/etc/password_strength.conf: syntax error: Length\n"
	         "load_rules: %s/syntax/etc/password_strength.conf: syntax error: Length\n",
	         sandbox, sandbox);
	is_str(err, want, "syntax errors are reported and skipped");

	strength_home("lead_blank", "  Length > 1\nLength > 5\n");
	capture_begin();
	check_strength("abc", 0, NULL);
	err = capture_end();
	snprintf(want, sizeof(want),
	         "load_rules: %s/lead_blank/etc/password_strength.conf: unknown rule: \n"
	         "load_rules: failed\n", sandbox);
	is_str(err, want, "a line starting with a blank has an empty rule name");

	strength_home("loaded_once", "Length > 5\n");
	check_strength("abc", VA_PWSTR_LENGTH, NULL);
	{
		char path[400];
		FILE *fp;

		sandbox_path(path, sizeof(path), "loaded_once/etc/password_strength.conf");
		fp = fopen(path, "w");
		fputs("Length > 1\n", fp);
		fclose(fp);
	}
	check_strength("abc", VA_PWSTR_LENGTH, NULL);   /* still the first rules */
}

/* ---- vgetpasswd ------------------------------------------------------ */

/*
 * Run vgetpasswd("bob@x.org") in a child without a controlling terminal;
 * return its stderr and the password it got (in pass).
 */
static void prompt_without_tty(const char *user, char *err, size_t esize,
                               char *pass, size_t psize)
{
	char epath[300], opath[300];
	pid_t pid;
	int status;

	sandbox_path(epath, sizeof(epath), "notty.err");
	sandbox_path(opath, sizeof(opath), "notty.out");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char got[300];
		int fd;

		setsid();   /* no controlling terminal any more */
		fd = open(epath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 2);
		close(fd);
		fd = open(opath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		close(fd);
		fd = open("/dev/null", O_RDONLY);
		dup2(fd, 0);
		close(fd);
		snprintf(got, sizeof(got), "unchanged");
		vgetpasswd((char *)user, got, sizeof(got));
		printf("[%s]", got);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	snprintf(err, esize, "%s", file_text(epath));
	snprintf(pass, psize, "%s", file_text(opath));
}

/* Append everything still readable from fd to acc (until EOF/EIO or 2 s of quiet). */
static void drain(int fd, char *acc, size_t size)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	size_t n = strlen(acc);
	ssize_t r;

	while (n + 1 < size && poll(&pfd, 1, 2000) > 0) {
		r = read(fd, acc + n, size - n - 1);
		if (r <= 0)
			break;
		n += (size_t)r;
		acc[n] = '\0';
	}
}

/* Read from fd until `want` has appeared in *acc (or 5 s pass). */
static int expect(int fd, char *acc, size_t size, const char *want)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	time_t end = time(NULL) + 5;
	size_t n = strlen(acc);
	ssize_t r;

	while (strstr(acc, want) == NULL) {
		if (time(NULL) > end || n + 1 >= size)
			return 0;
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		r = read(fd, acc + n, size - n - 1);
		if (r < 0 && errno == EIO) {   /* slave not open (yet): wait */
			usleep(50000);
			continue;
		}
		if (r <= 0)
			return 0;
		n += (size_t)r;
		acc[n] = '\0';
	}
	return 1;
}

static void write_str(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		perror("write");
}

static void test_prompt_tty(void)
{
	char opath[300], transcript[4096] = "", *slave;
	int master, status, fine = 1;
	pid_t pid;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 ||
	    (slave = ptsname(master)) == NULL) {
		ok(1, "# SKIP no pseudo-terminals here");
		return;
	}
	sandbox_path(opath, sizeof(opath), "tty.out");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char got[300];
		int fd;

		close(master);
		setsid();
		/* Becomes the controlling terminal; kept open so the master never sees EIO. */
		if (open(slave, O_RDWR) < 0)
			_exit(2);
		fd = open(opath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		close(fd);
		alarm(20);
		vgetpasswd("bob@x.org", got, sizeof(got));
		printf("[%s]\n", got);
		fflush(stdout);
		_exit(0);
	}
	/* Answer each prompt only once it is shown (typed-ahead input is flushed). */
	fine &= expect(master, transcript, sizeof(transcript), "Please enter password for bob@x.org: ");
	write_str(master, "first\n");
	fine &= expect(master, transcript, sizeof(transcript), "enter password again: ");
	write_str(master, "other\n");
	fine &= expect(master, transcript, sizeof(transcript),
	               "again: \r\nPlease enter password for bob@x.org: ");
	write_str(master, "s3cret word\n");
	fine &= expect(master, transcript, sizeof(transcript),
	               "again: \r\nPlease enter password for bob@x.org: \r\nenter password again: ");
	write_str(master, "s3cret word\n");
	if (!fine)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	drain(master, transcript, sizeof(transcript));
	close(master);
	ok(fine, "vgetpasswd prompts on the terminal");
	is_str(transcript,
	       "Please enter password for bob@x.org: \r\n"
	       "enter password again: \r\n"
	       "Please enter password for bob@x.org: \r\n"
	       "enter password again: \r\n",
	       "  nothing typed is echoed; Enter shows as a newline");
	is_str(file_text(opath), "Passwords do not match, try again\n[s3cret word]\n",
	       "  a mismatch is reported on stdout and asked again");
}

static void test_prompt(void)
{
	char err[1024], pass[400], user[200], want[400];

	prompt_without_tty("bob@x.org", err, sizeof(err), pass, sizeof(pass));
	is_str(err, "Please enter password for bob@x.org: enter password again: ",
	       "no terminal: getpass's prompts on stderr");
	is_str(pass, "[]", "  and the password is empty");

	memset(user, 'u', 150);
	user[150] = '\0';
	prompt_without_tty(user, err, sizeof(err), pass, sizeof(pass));
	snprintf(want, sizeof(want), "Please enter password for %s: ", user);
	want[127] = '\0';
	strcat(want, "enter password again: ");
	is_str(err, want, "the first prompt is cut at 127 characters");

	test_prompt_tty();
}

int main(void)
{
	if (sandbox_create("unit_passwd") != 0)
		return 1;
	test_verror();
	test_exit_helpers();
	test_hash();
	test_random();
	test_strength_default();
	test_strength_rules();
	test_strength_diagnostics();
	test_prompt();
	sandbox_remove();
	return done_testing();
}
