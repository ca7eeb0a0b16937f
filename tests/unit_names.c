/*
 * unit_names.c - names.c: parse_email, validation, vadddomain's domain
 * rules, lowerit, the default domain and the classic length checks; and
 * strutil.c's vp_dirname.
 */
#include "vpinternal.h"
#include "tap.h"
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers --------------------------------------------------------- */

/* A fresh vpopmail home under the sandbox, optionally with defaultdomain. */
static void new_home(const char *name, const char *defaultdomain)
{
	sandbox_home(name, "defaultdomain", defaultdomain);
}

/* in, printable: other bytes as \xNN (keeps TAP lines on one line). */
static const char *shown(const char *in)
{
	static char out[1024];
	size_t n = 0;

	for (; *in != '\0' && n + 5 < sizeof(out); in++) {
		unsigned char c = (unsigned char)*in;

		if (c >= 0x20 && c < 0x7f)
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, sizeof(out) - n, "\\x%02X", c);
	}
	out[n] = '\0';
	return out;
}

/* parse_email on a copy; checks return, user, domain and stderr. */
static void check_parse(const char *in, int want_rc, const char *want_user,
                        const char *want_domain, const char *want_err)
{
	char email[400], user[MAX_BUFF], domain[MAX_BUFF];
	const char *err;
	int rc;

	snprintf(email, sizeof(email), "%s", in);
	user[0] = domain[0] = '\0';
	capture_begin();
	rc = parse_email(email, user, domain, MAX_BUFF);
	err = capture_end();
	is_int(rc, want_rc, "parse_email(\"%s\") returns %d", shown(in), want_rc);
	if (want_rc == 0) {
		is_str(user, want_user, "  user of \"%s\"", shown(in));
		is_str(domain, want_domain, "  domain of \"%s\"", shown(in));
	}
	is_str(err, want_err, "  stderr of \"%s\"", shown(in));
}

/* ---- tests ----------------------------------------------------------- */

static void test_lowerit(void)
{
	char s[300];

	snprintf(s, sizeof(s), "Alice@Example.COM");
	lowerit(s);
	is_str(s, "alice@example.com", "lowerit folds ASCII upper case");

	snprintf(s, sizeof(s), "\xC3\x89T\xC3\xA9");
	lowerit(s);
	is_str(s, "\xC3\x89t\xC3\xA9", "lowerit leaves bytes >= 0x80 alone");

	memset(s, 'A', 200);
	s[200] = '\0';
	lowerit(s);
	is_int(strlen(s), 156, "lowerit cuts at 156 characters");
	ok(strspn(s, "a") == 156, "  and folds what it keeps");

	memset(s, 'B', 156);
	s[156] = '\0';
	lowerit(s);
	is_int(strlen(s), 156, "a 156-character string is kept whole");
	lowerit(NULL);
	ok(1, "lowerit(NULL) is harmless");
}

static void test_parse_forms(void)
{
	char email[64], user[MAX_BUFF], domain[MAX_BUFF];

	unsetenv("VPOPMAIL_DOMAIN");
	new_home("home_plain", NULL);

	check_parse("joe@example.com", 0, "joe", "example.com", "");
	check_parse("Joe@Example.COM", 0, "joe", "example.com", "");
	check_parse("bob%example.com", 0, "bob", "example.com", "");
	check_parse("bob/example.com", 0, "bob", "example.com", "");
	check_parse("a%b/c@example.com", -1, NULL, NULL, "user invalid a%b/c\n");
	check_parse("a/b%example.com", 0, "a/b", "example.com", "");
	check_parse("a%b@example.com", -1, NULL, NULL, "user invalid a%b\n");
	check_parse("a/b@example.com", 0, "a/b", "example.com", "");
	check_parse("bob@", 0, "bob", "", "");
	check_parse("@example.com", -1, NULL, NULL, "user invalid \n");
	check_parse("", -1, NULL, NULL, "user invalid \n");
	check_parse("bob@a@b.com", -1, NULL, NULL, "domain invalid a@b.com\n");
	check_parse("bob", 0, "bob", "", "");

	snprintf(email, sizeof(email), "MiXeD@DoMaIn.Org");
	parse_email(email, user, domain, MAX_BUFF);
	is_str(email, "mixed@domain.org", "parse_email lower-cases its input in place");
}

static void test_parse_invalid(void)
{
	check_parse("a b@example.com", -1, NULL, NULL, "user invalid a b\n");
	check_parse("a:b@example.com", -1, NULL, NULL, "user invalid a:b\n");
	check_parse("a\nb@example.com", -1, NULL, NULL, "user invalid a\nb\n");
	check_parse("a\tb@example.com", -1, NULL, NULL, "user invalid a\tb\n");
	check_parse("jos\xC3\xA9@example.com", -1, NULL, NULL,
	            "user invalid jos\xC3\xA9\n");
	check_parse("a\x7f@example.com", -1, NULL, NULL, "user invalid a\x7f\n");
	check_parse("\"q\"@example.com", -1, NULL, NULL, "user invalid \"q\"\n");
	check_parse(".bob@example.com", -1, NULL, NULL, "user invalid .bob\n");
	check_parse(".@example.com", -1, NULL, NULL, "user invalid .\n");
	check_parse("..@example.com", -1, NULL, NULL, "user invalid ..\n");
	check_parse("bo.b.@example.com", 0, "bo.b.", "example.com", "");
	check_parse("bob@exa_mple.com", -1, NULL, NULL, "domain invalid exa_mple.com\n");
	check_parse("bob@exa mple.com", -1, NULL, NULL, "domain invalid exa mple.com\n");
	check_parse("bob@ex\xC3\xA4mple.com", -1, NULL, NULL,
	            "domain invalid ex\xC3\xA4mple.com\n");
	check_parse("Bad User@Example.COM", -1, NULL, NULL, "user invalid bad user\n");
}

static void test_parse_bounds(void)
{
	char email[64], user[8], domain[8];
	const char *err;
	int rc;

	snprintf(email, sizeof(email), "abcdefghij@b.com");
	capture_begin();
	rc = parse_email(email, user, domain, sizeof(user));
	err = capture_end();
	is_int(rc, -1, "a user part that does not fit the buffer is refused");
	is_str(err, "user invalid abcdefg\n", "  with a 'user invalid' line");

	snprintf(email, sizeof(email), "ab@abcdefghij.com");
	capture_begin();
	rc = parse_email(email, user, domain, sizeof(user));
	err = capture_end();
	is_int(rc, -1, "a domain part that does not fit the buffer is refused");
	is_str(err, "domain invalid abcdefg\n", "  with a 'domain invalid' line");

	snprintf(email, sizeof(email), "abcdefg@abc.de");
	rc = parse_email(email, user, domain, sizeof(user));
	is_int(rc, 0, "parts of exactly size-1 characters fit");
	is_str(user, "abcdefg", "  user");
	is_str(domain, "abc.de", "  domain");
}

static void test_default_domain(void)
{
	char domain[MAX_BUFF];

	unsetenv("VPOPMAIL_DOMAIN");
	new_home("home_none", NULL);
	is_str(default_domain(), "", "no VPOPMAIL_DOMAIN, no etc/defaultdomain: \"\"");

	new_home("home_file", "dflt.example.org\nsecond.example.org\n");
	is_str(default_domain(), "dflt.example.org",
	       "first line of etc/defaultdomain, newline removed");
	check_parse("bob", 0, "bob", "dflt.example.org", "");
	check_parse("bob@given.example.com", 0, "bob", "given.example.com", "");

	new_home("home_nonl", "nonl.example.net");
	is_str(default_domain(), "nonl.example.net", "a file without a newline works");

	new_home("home_file2", "dflt.example.org\n");
	setenv("VPOPMAIL_DOMAIN", "env.example.com", 1);
	is_str(default_domain(), "env.example.com", "VPOPMAIL_DOMAIN wins over the file");
	check_parse("Bob", 0, "bob", "env.example.com", "");

	setenv("VPOPMAIL_DOMAIN", "bad dom;x/y@z_-.", 1);
	is_str(default_domain(), "bad_dom_x_y@z_-.",
	       "VPOPMAIL_DOMAIN: characters outside [A-Za-z0-9_.@-] become '_'");
	is_str(getenv("VPOPMAIL_DOMAIN"), "bad_dom_x_y@z_-.",
	       "  and the environment itself is cleaned");

	setenv("VPOPMAIL_DOMAIN", "", 1);
	is_str(default_domain(), "", "an empty VPOPMAIL_DOMAIN still wins over the file");
	unsetenv("VPOPMAIL_DOMAIN");

	snprintf(domain, sizeof(domain), "keep.example.com");
	vset_default_domain(domain);
	is_str(domain, "keep.example.com", "vset_default_domain keeps a non-empty domain");
	domain[0] = '\0';
	vset_default_domain(domain);
	is_str(domain, "dflt.example.org", "vset_default_domain fills an empty one");

	check_parse("carol%", 0, "carol", "dflt.example.org", "");
}

static void test_valid_chars(void)
{
	static const char user_ok[] =
		"!#$&'*+-./0123456789=?ABCDEFGHIJKLMNOPQRSTUVWXYZ^_`"
		"abcdefghijklmnopqrstuvwxyz{|}~";
	static const char dom_ok[] =
		"-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	int c, bad_user = 0, bad_dom = 0;
	char s[3];

	for (c = 1; c < 256; c++) {
		int want_u = strchr(user_ok, c) != NULL;
		int want_d = strchr(dom_ok, c) != NULL;

		s[0] = 'x';
		s[1] = (char)c;
		s[2] = '\0';
		if ((is_username_valid(s) == 0) != want_u)
			bad_user++;
		if ((is_domain_valid(s) == 0) != want_d)
			bad_dom++;
	}
	is_int(bad_user, 0, "is_username_valid accepts exactly the 5.6 user bytes");
	is_int(bad_dom, 0, "is_domain_valid accepts exactly [-.0-9A-Za-z]");
	is_int(is_username_valid("a b"), VA_ILLEGAL_USERNAME, "is_username_valid returns VA_ILLEGAL_USERNAME");
	is_int(is_domain_valid("a_b"), VA_INVALID_DOMAIN_NAME, "is_domain_valid returns VA_INVALID_DOMAIN_NAME");
	is_int(is_username_valid(""), VA_ILLEGAL_USERNAME, "the empty user is refused (5.6 let it through)");
	is_int(is_domain_valid(""), 0, "the empty domain passes the validator");
	is_int(is_username_valid(".x"), VA_ILLEGAL_USERNAME, "a leading '.' is refused");
	is_int(is_username_valid("x."), 0, "a '.' elsewhere is fine");
}

static void test_new_domain(void)
{
	static const struct { const char *name; int rc; } cases[] = {
		{ "example.com", 0 },
		{ "ab.cd", 0 },
		{ "a.bc", 0 },
		{ "abc", VA_INVALID_DOMAIN_NAME },            /* no dot */
		{ "ab.c", VA_INVALID_DOMAIN_NAME },           /* 1-char TLD */
		{ "a..b.com", VA_INVALID_DOMAIN_NAME },
		{ "-ab.com", VA_INVALID_DOMAIN_NAME },
		{ "ab-.com", 0 },                             /* only the last char is checked */
		{ "ab.com-", VA_INVALID_DOMAIN_NAME },
		{ "ab.c-m", 0 },
		{ "ab", VA_INVALID_DOMAIN_NAME },             /* too short */
		{ "a.", VA_INVALID_DOMAIN_NAME },
		{ "ab.com.", VA_INVALID_DOMAIN_NAME },        /* empty TLD */
		{ "a_b.com", VA_INVALID_DOMAIN_NAME },
		{ "a b.com", VA_INVALID_DOMAIN_NAME },
		{ "\xC3\xA4x.com", VA_INVALID_DOMAIN_NAME },
		{ "x1-2.example.com", 0 },
		{ "", VA_INVALID_DOMAIN_NAME },
	};
	char name[200];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		is_int(vp_check_new_domain(cases[i].name), cases[i].rc,
		       "vp_check_new_domain(\"%s\")", shown(cases[i].name));

	/* 96 characters: 92 x + ".com" */
	memset(name, 'x', 92);
	memcpy(name + 92, ".com", 5);
	is_int(strlen(name), 96, "(96-character name built)");
	is_int(vp_check_new_domain(name), 0, "a 96-character domain is accepted");
	memset(name, 'x', 93);
	memcpy(name + 93, ".com", 5);
	is_int(vp_check_new_domain(name), VA_DOMAIN_NAME_TOO_LONG,
	       "a 97-character domain is VA_DOMAIN_NAME_TOO_LONG");
	memset(name, '_', 93);
	memcpy(name + 93, ".com", 5);
	is_int(vp_check_new_domain(name), VA_DOMAIN_NAME_TOO_LONG,
	       "  length is checked before the characters");

	/* TLD of 63 and 64 characters */
	memcpy(name, "ab.", 3);
	memset(name + 3, 't', 63);
	name[66] = '\0';
	is_int(vp_check_new_domain(name), 0, "a 63-character TLD is accepted");
	memset(name + 3, 't', 64);
	name[67] = '\0';
	is_int(vp_check_new_domain(name), VA_INVALID_DOMAIN_NAME,
	       "a 64-character TLD is refused");
	is_int(vp_check_new_domain(NULL), VA_NULL_POINTER, "NULL is VA_NULL_POINTER");
}

static void test_alias_domain(void)
{
	char name[200];

	is_int(vp_check_alias_domain("abc"), 0, "alias domain: no TLD rule");
	is_int(vp_check_alias_domain("-a-"), 0, "alias domain: no hyphen rule");
	is_int(vp_check_alias_domain("a_b.com"), VA_INVALID_DOMAIN_NAME, "alias domain: charset");
	is_int(vp_check_alias_domain(""), VA_INVALID_DOMAIN_NAME, "alias domain: empty refused");
	memset(name, 'x', 96);
	name[96] = '\0';
	is_int(vp_check_alias_domain(name), 0, "alias domain: 96 characters");
	name[96] = 'x';
	name[97] = '\0';
	is_int(vp_check_alias_domain(name), VA_DOMAIN_NAME_TOO_LONG, "alias domain: 97 characters");
}

static void test_split(void)
{
	char u[16], d[16];

	is_int(vp_split_address("Ann@Ex.com", u, sizeof(u), d, sizeof(d)), 0, "vp_split_address user@domain");
	is_str(u, "Ann", "  user kept as given");
	is_str(d, "Ex.com", "  domain kept as given");
	vp_split_address("a%b/c", u, sizeof(u), d, sizeof(d));
	is_str(u, "a", "  '%%' before '/'");
	is_str(d, "b/c", "  rest is the domain");
	vp_split_address("plain", u, sizeof(u), d, sizeof(d));
	ok(strcmp(u, "plain") == 0 && d[0] == '\0', "  no separator: all user, empty domain");
	is_int(vp_split_address("0123456789abcdef@x", u, sizeof(u), d, sizeof(d)),
	       VA_USER_NAME_TOO_LONG, "  user too long for the buffer");
	is_int(vp_split_address("u@0123456789abcdef", u, sizeof(u), d, sizeof(d)),
	       VA_DOMAIN_NAME_TOO_LONG, "  domain too long for the buffer");
}

static void test_len_checks(void)
{
	char name65[MAX_PW_NAME + 2], dom97[MAX_PW_DOMAIN + 2];
	const int all = VP_LEN_ONE_CHAR | VP_LEN_MIN_DOMAIN;

	memset(name65, 'u', sizeof(name65) - 1);
	name65[sizeof(name65) - 1] = '\0';
	memset(dom97, 'd', sizeof(dom97) - 1);
	dom97[sizeof(dom97) - 1] = '\0';
	is_int(vp_check_user_domain_len("bob", "ex.com", all), 0, "len: ordinary names pass");
	is_int(vp_check_user_domain_len(name65, "ex.com", all), VA_USER_NAME_TOO_LONG,
	       "len: 65-char user");
	is_int(vp_check_user_domain_len(name65, dom97, 0), VA_USER_NAME_TOO_LONG,
	       "len: user checked before domain");
	name65[MAX_PW_NAME] = '\0';
	is_int(vp_check_user_domain_len(name65, "ex.com", all), 0, "len: 64-char user passes");
	is_int(vp_check_user_domain_len("bob", dom97, all), VA_DOMAIN_NAME_TOO_LONG,
	       "len: 97-char domain");
	dom97[MAX_PW_DOMAIN] = '\0';
	is_int(vp_check_user_domain_len("bob", dom97, all), 0, "len: 96-char domain passes");
	is_int(vp_check_user_domain_len("bob", "ab", all), VA_INVALID_DOMAIN_NAME,
	       "len: 2-char domain with VP_LEN_MIN_DOMAIN");
	is_int(vp_check_user_domain_len("bob", "ab", VP_LEN_ONE_CHAR), 0,
	       "len: 2-char domain without it");
	is_int(vp_check_user_domain_len("b", "ex.com", 0), 0,
	       "len: 1-char user without VP_LEN_ONE_CHAR");
#ifdef USERS_BIG_DIR
	is_int(vp_check_user_domain_len("b", "ab", all), VA_ILLEGAL_USERNAME,
	       "len: 1-char user refused (big-dir build), before the domain checks");
#else
	is_int(vp_check_user_domain_len("b", "ex.com", all), 0,
	       "len: 1-char user allowed (no big-dir build)");
#endif
}

static void test_dirname(void)
{
	char out[16];

	is_int(vp_dirname("/a/b/c", out, sizeof(out)), 0, "dirname: /a/b/c");
	is_str(out, "/a/b", "  -> /a/b");
	vp_dirname("/x", out, sizeof(out));
	is_str(out, "/", "dirname: /x -> /");
	vp_dirname("file", out, sizeof(out));
	is_str(out, ".", "dirname: no slash -> .");
	vp_dirname("rel/dir/", out, sizeof(out));
	is_str(out, "rel/dir", "dirname: trailing slash is cut only once");
	errno = 0;
	is_int(vp_dirname("/0123456789/abcdef", out, sizeof(out)), -1, "dirname: too long -> -1");
	is_int(errno, ENAMETOOLONG, "  errno ENAMETOOLONG");
	vp_dirname("", out, sizeof(out));
	is_str(out, ".", "dirname: empty path -> .");
	is_int(vp_dirname("", out, 1), -1, "dirname: \".\" must fit too");
}

int main(void)
{
	if (sandbox_create("unit_names") != 0)
		return 1;
	test_lowerit();
	test_parse_forms();
	test_parse_invalid();
	test_parse_bounds();
	test_default_domain();
	test_valid_chars();
	test_new_domain();
	test_alias_domain();
	test_split();
	test_len_checks();
	test_dirname();
	sandbox_remove();
	return done_testing();
}
