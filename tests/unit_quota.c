/*
 * unit_quota.c - quota strings, maildirsize, usage percentages, domain
 * limits files, and the Maildir helpers (creation, path -> address, Date).
 */
#include "tap.h"
#include "vpinternal.h"
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

/* Create sandbox/<rel> holding text. */
static void put(const char *rel, const char *text)
{
	char path[700];

	sandbox_path(path, sizeof path, rel);
	put_file(path, text);
}

static void xmkdir(const char *rel)
{
	char path[700];

	sandbox_path(path, sizeof path, rel);
	mkdir(path, 0700);
}

/* Age a file by `secs` seconds. */
static void age(const char *path, long secs)
{
	struct timeval tv[2];

	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= secs;
	tv[1] = tv[0];
	utimes(path, tv);
}

static void test_format(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "5M", "5242880S" }, { "5MB", "5242880S" }, { "5mb", "5242880S" },
		{ "5MBS", "5242880S" }, { "1000", "1000S" }, { "1000S", "1000S" },
		{ "1048576S,1000C", "1048576S,1000C" }, { "1000C,1MB", "1048576S,1000C" },
		{ "10MB", "10485760S" }, { "1000c", "1000S" }, { "0", "" }, { "abc", "" },
		{ "NOQUOTA", "NOQUOTA" }, { "100C", "100C" }, { "5K", "5120S" },
		{ "5kbs", "5120S" }, { ",,5M,,", "5242880S" }, { "S", "" },
		{ "1mbs,1000C", "1048576S,1000C" }, { "2M,1M", "1048576S" },
		/* the rows observed on 5.6.13 (spec runtime.md 9.2) */
		{ "1000KB", "1024000S" }, { "2000", "2000S" }, { "10M,200C", "10485760S,200C" },
		{ "1000S,10C", "1000S,10C" },
		/* G is our addition: vpopmail stores "1G" as "1S". */
		{ "1G", "1073741824S" }, { "1GB", "1073741824S" }, { "1gbs", "1073741824S" },
		{ "2G,100C", "2147483648S,100C" },
	};
	char out[64];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		is_str(format_maildirquota(cases[i].in), cases[i].out,
		       "format_maildirquota(\"%s\")", cases[i].in);
	is_int(vp_format_quota("5M", out, sizeof out), 0, "vp_format_quota ok");
	is_str(out, "5242880S", "... into the caller's buffer");
	is_int(vp_format_quota("1048576S,1000C", out, 8), VA_QUOTA_TOO_LONG,
	       "vp_format_quota: buffer too small is an error");

	/* A number that would wrap is refused, not stored as another quota. */
	static const char *const wrap[] = {
		"17179869184G", "17179869185G", "8589934592G", "8589934592GB",
		"9007199254740992K", "8796093022208M", "9223372036854775808",
		"99999999999999999999", "1M,9223372036854775808C", "-1", "-5M", "-1C",
		"5M,17179869184G",
	};
	for (i = 0; i < sizeof wrap / sizeof wrap[0]; i++) {
		is_int(vp_format_quota(wrap[i], out, sizeof out), VA_QUOTA_TOO_LONG,
		       "vp_format_quota(\"%s\"): refused", wrap[i]);
		is_str(format_maildirquota(wrap[i]), "", "format_maildirquota(\"%s\"): \"\"", wrap[i]);
	}
	is_int(vp_format_quota("8589934591G", out, sizeof out), 0, "8589934591G fits");
	is_str(out, "9223372035781033984S", "... as its bytes");
	is_int(vp_format_quota("9223372036854775807", out, sizeof out), 0, "2^63-1 fits");
	is_str(out, "9223372036854775807S", "... as given");
	is_int(vp_format_quota("9223372036854775807C", out, sizeof out), 0, "a count of 2^63-1 fits");
}

/* A user directory with a populated Maildir; returns 397 bytes in 7 messages. */
static void make_user(void)
{
	char userdir[600], path[700];

	xmkdir("u");
	sandbox_path(userdir, sizeof userdir, "u/bob");
	mkdir(userdir, 0700);
	is_int(vp_make_maildir_in(userdir, getuid(), getgid()), 0, "vp_make_maildir_in");
	snprintf(path, sizeof path, "%s/Maildir/new", userdir);
	ok(is_dir(path) && mode_of(path) == 0700, "Maildir/new created 0700 (umask 077)");
	snprintf(path, sizeof path, "%s/Maildir/tmp", userdir);
	ok(is_dir(path), "Maildir/tmp created");
	is_int(vp_make_maildir_in(userdir, getuid(), getgid()), 0, "existing Maildir is fine");

	put("u/bob/Maildir/new/1000.1.host,S=100", "");
	put("u/bob/Maildir/new/1000.2.host", "twenty-seven bytes of text\n");
	put("u/bob/Maildir/cur/1000.3.host,S=200:2,S", "");
	put("u/bob/Maildir/cur/1000.4.host,S=300:2,ST", "");      /* trashed */
	put("u/bob/Maildir/cur/1000.5.host:2,T", "xxxxxxxx");     /* trashed */
	put("u/bob/Maildir/cur/.hidden,S=999", "");               /* dot file */
	put("u/bob/Maildir/cur/1000.11.host,S=12:2,RS", "");
	put("u/bob/Maildir/cur/1000.12.host:2,,S=77", "abc");     /* S= after ':' */
	put("u/bob/Maildir/tmp/1000.10.host,S=8000", "");         /* tmp: not counted */
	xmkdir("u/bob/Maildir/.Sent");
	xmkdir("u/bob/Maildir/.Sent/cur");
	xmkdir("u/bob/Maildir/.Sent/new");
	put("u/bob/Maildir/.Sent/cur/1000.6.host,S=50:2,S", "");
	put("u/bob/Maildir/.Sent/new/1000.7.host,S=5", "");
	xmkdir("u/bob/Maildir/.Trash");
	xmkdir("u/bob/Maildir/.Trash/cur");
	put("u/bob/Maildir/.Trash/cur/1000.8.host,S=7000:2,S", "");
	xmkdir("u/bob/Maildir/foo");
	xmkdir("u/bob/Maildir/foo/cur");
	put("u/bob/Maildir/foo/cur/1000.9.host,S=4000", "");
}

static void test_maildirsize(void)
{
	char userdir[600], mds[700], maildir[700], tmpdir[700];
	storage_t size = 10, count = 1;

	make_user();
	sandbox_path(userdir, sizeof userdir, "u/bob");
	snprintf(maildir, sizeof maildir, "%s/Maildir", userdir);
	snprintf(mds, sizeof mds, "%s/Maildir/maildirsize", userdir);
	snprintf(tmpdir, sizeof tmpdir, "%s/Maildir/tmp", userdir);

	umask(022);
	is_int(vp_maildirsize_update(userdir, "1000S", getuid(), getgid()), 0,
	       "vp_maildirsize_update");
	is_str(file_text(mds), "1000S\n397 7\n",
	       "maildirsize: ,S= sizes, stat for the rest, T-flagged/dot/.Trash/tmp skipped");
	is_int(mode_of(mds), 0600, "maildirsize is 0600 whatever the umask");
	umask(077);
	{
		char probe[800];

		snprintf(probe, sizeof probe, "%s/1000.10.host,S=8000", tmpdir);
		ok(access(probe, F_OK) == 0, "tmp/ keeps its own file");
	}

	is_int(readuserquota(maildir, &size, &count), 0, "readuserquota");
	ok(size == 407 && count == 8, "readuserquota adds to what it is given (%llu %llu)",
	   (unsigned long long)size, (unsigned long long)count);

	vp_maildirsize_update(userdir, "NOQUOTA", getuid(), getgid());
	ok(access(mds, F_OK) != 0, "NOQUOTA: maildirsize removed, none written");
	vp_maildirsize_update(userdir, "2000S,50C", getuid(), getgid());
	is_str(file_text(mds), "2000S,50C\n397 7\n", "size and count quota header");
	vp_maildirsize_update(userdir, "", getuid(), getgid());
	ok(access(mds, F_OK) != 0, "empty quota: removed, none written");

	update_maildirsize(NULL, userdir, "5242880S");
	is_str(file_text(mds), "5242880S\n397 7\n", "classic update_maildirsize");
	remove_maildirsize(userdir);
	ok(access(mds, F_OK) != 0, "remove_maildirsize");
}

static void test_percent(void)
{
	char maildir[600], mds[700], sent[700];

	sandbox_path(maildir, sizeof maildir, "u/bob/Maildir");
	snprintf(mds, sizeof mds, "%s/maildirsize", maildir);
	snprintf(sent, sizeof sent, "%s/.Sent", maildir);

	put("u/bob/Maildir/maildirsize", "1000S\n427 3\n");
	is_int(vmaildir_readquota(maildir, "1000S"), 42, "427 bytes of 1000S: 42%%");
	put("u/bob/Maildir/maildirsize", "1000S\n400 2\n27 1\n");
	is_int(vmaildir_readquota(maildir, "1000S"), 42, "lines after the header are summed");
	is_str(file_text(mds), "1000S\n400 2\n27 1\n", "a fresh small file is left alone");
	put("u/bob/Maildir/maildirsize", "1000S\n500 5\n-100 -1\n");
	is_int(vmaildir_readquota(maildir, "1000S"), 40, "negative deltas subtract");
	put("u/bob/Maildir/maildirsize", "1000S,10C\n100 9\n");
	is_int(vmaildir_readquota(maildir, "1000S,10C"), 90, "the larger of size and count");
	put("u/bob/Maildir/maildirsize", "100S\n427 3\n");
	is_int(vmaildir_readquota(maildir, "100S"), 100, "over quota: 100");
	is_str(file_text(mds), "100S\n427 3\n", "... fresh single-line file believed");
	put("u/bob/Maildir/maildirsize", "100S\n400 2\n27 1\n");
	is_int(vmaildir_readquota(maildir, "100S"), 100, "over quota with deltas: recount");
	is_str(file_text(mds), "100S\n397 7\n", "... and the file is rebuilt");

	put("u/bob/Maildir/maildirsize", "18446744073709551616S\n427 3\n");
	is_int(vmaildir_readquota(maildir, "18446744073709551616S"), 0,
	       "a limit past 2^64 is huge, not wrapped to 0 (over quota)");
	put("u/bob/Maildir/maildirsize", "1000S\n77 1\n");
	age(mds, 20 * 60);
	is_int(vmaildir_readquota(maildir, "1000S"), 39, "stale file: recounted (397 of 1000)");
	is_str(file_text(mds), "1000S\n397 7\n", "... rebuilt");

	put("u/bob/Maildir/maildirsize", "1000S\n427 3\n");
	put("u/bob/Maildir/.Sent/maildirfolder", "");
	is_int(vmaildir_readquota(sent, "1000S"), 42, "a subfolder uses its parent's file");

	unlink(mds);
	umask(022);
	is_int(vmaildir_readquota(maildir, "500S"), 79, "no file: counted (397 of 500)");
	umask(077);
	is_str(file_text(mds), "500S\n397 7\n", "... and written");
	is_int(mode_of(mds), 0644, "... per umask (0644 under 022)");
	is_int(vmaildir_readquota(maildir, ""), 0, "empty quota: 0");
}

static const char *limits_text =
	"maxpopaccounts: 10\nmaxaliases: 5\nmaxforwards: -1\nmaxautoresponders: -1\n"
	"maxmailinglists: -1\nquota: 100\nmaxmsgcount: 1000\ndefault_quota: 10485760\n"
	"default_maxmsgcount: 100\ndisable_pop\ndisable_imap\ndisable_spamassassin\n"
	"perm_account: 1\nperm_alias: 7\nperm_forward: 0\nperm_autoresponder: 0\n"
	"perm_maillist: 3\nperm_quota: 140\nperm_defaultquota: 0\n";

static void sample_limits(struct vlimits *l)
{
	vdefault_limits(l);
	l->maxpopaccounts = 10;
	l->maxaliases = 5;
	l->diskquota = 100;
	l->maxmsgcount = 1000;
	l->defaultquota = 10485760;
	l->defaultmaxmsgcount = 100;
	l->disable_imap = 1;
	l->disable_pop = 1;
	l->disable_spamassassin = 1;
	l->perm_account = 1;
	l->perm_alias = 7;
	l->perm_maillist = 3;
	l->perm_maillist_users = 1;
	l->perm_maillist_moderators = 2;
	l->perm_quota = 4;
}

static void test_limits_file(void)
{
	struct vlimits l, r;
	char path[600], def[600];
	const char *top = getenv("top_srcdir");

	sandbox_path(path, sizeof path, "limits");
	sample_limits(&l);
	is_int(vlimits_write_limits_file(path, &l), 0, "write a limits file");
	is_str(file_text(path), limits_text, "limits file bytes in vpopmail's order");
	is_int(mode_of(path), 0600, "new file per umask (077)");
	chmod(path, 0640);
	vlimits_write_limits_file(path, &l);
	is_int(mode_of(path), 0640, "rewrite keeps the existing mode");

	memset(&r, 0, sizeof r);
	is_int(vlimits_read_limits_file(path, &r), 0, "read it back");
	ok(r.maxpopaccounts == 10 && r.maxaliases == 5 && r.maxforwards == -1 &&
	   r.diskquota == 100 && r.maxmsgcount == 1000 && r.defaultquota == 10485760 &&
	   r.defaultmaxmsgcount == 100, "numbers round-trip");
	ok(r.disable_pop && r.disable_imap && r.disable_spamassassin && !r.disable_smtp &&
	   !r.delete_spam, "flags round-trip");
	ok(r.perm_account == 1 && r.perm_alias == 7 && r.perm_maillist == 3,
	   "perms round-trip");
	ok(r.perm_quota == 4 && r.perm_maillist_users == 0 && r.perm_maillist_moderators == 0,
	   "quirk: list users/moderators lost, perm_quota keeps its low bits");

	put("limits2", "maxpopaccounts\nmaxaliases:\nmaxforwards  :\t 7\r\n"
	    "#maxautoresponders 3\n disable_pop\ndisable_imap whatever\nperm_account 15\n"
	    "perm_maillist 511\nunknown 5\nquota 12abc\r\rdefault_quota\t2048");
	sandbox_path(path, sizeof path, "limits2");
	vdefault_limits(&r);
	vlimits_read_limits_file(path, &r);
	is_int(r.maxpopaccounts, -1, "numeric key without separator: ignored");
	is_int(r.maxaliases, 0, "key with separator but no value: 0");
	is_int(r.maxforwards, 7, "spaces/colon/tab run separates, CR ends a line");
	is_int(r.maxautoresponders, -1, "comment line ignored");
	ok(!r.disable_pop && r.disable_imap, "leading blank: no key; flag with junk: set");
	is_int(r.perm_account, 7, "perm masked to 7");
	ok(r.perm_maillist == 7 && r.perm_maillist_users == 7 && r.perm_maillist_moderators == 7,
	   "perm_maillist carries users and moderators");
	ok(r.diskquota == 12 && r.defaultquota == 2048, "integer prefix; last line without newline");
	sandbox_path(path, sizeof path, "absent");
	is_int(vlimits_read_limits_file(path, &r), VA_CANNOT_READ_LIMITS, "missing file");

	snprintf(def, sizeof def, "%s/etc/vlimits.default", top != NULL ? top : ".");
	memset(&r, 0, sizeof r);
	is_int(vlimits_read_limits_file(def, &r), 0, "shipped vlimits.default parses");
	ok(r.maxpopaccounts == -1 && r.maxforwards == -1 && r.maxautoresponders == -1 &&
	   r.maxmailinglists == -1, "... max counts -1");
	ok(r.maxaliases == 0 && r.diskquota == 0 && r.defaultquota == 0 && r.maxmsgcount == 0,
	   "... no maxaliases line, quotas commented out");
	is_int(vlimits_get_flag_mask(&r) | r.perm_account | r.perm_alias | r.perm_forward |
	       r.perm_autoresponder | r.perm_maillist | r.perm_quota | r.perm_defaultquota, 0,
	       "... no flags, all perms 0");
	ok(strstr(file_text(def), "\nmaxpopaccounts\t-1\n") != NULL &&
	   strstr(file_text(def), "\nperm_defaultquota\t0") != NULL &&
	   strstr(file_text(def), "\nmaxaliases") == NULL,
	   "... tab-separated, no maxaliases line");

	vdefault_limits(&r);
	r.disable_pop = r.disable_imap = r.disable_dialup = r.disable_passwordchanging = 1;
	r.disable_webmail = r.disable_relay = r.disable_smtp = r.disable_spamassassin = 1;
	r.delete_spam = r.disable_maildrop = 1;
	is_int(vlimits_get_flag_mask(&r), 313455, "all ten flags map to their pw_gid bits");
	vdefault_limits(&r);
	r.disable_relay = 1;
	is_int(vlimits_get_flag_mask(&r), NO_RELAY, "disable_external_relay -> NO_RELAY");
}

/* Every on/off key: written in §6.3 order, each parsed into its own field and bit. */
static void test_limits_flags(void)
{
	static const struct {
		const char *key;
		int bit;
	} keys[] = {
		{ "disable_pop", NO_POP },
		{ "disable_imap", NO_IMAP },
		{ "disable_dialup", NO_DIALUP },
		{ "disable_password_changing", NO_PASSWD_CHNG },
		{ "disable_webmail", NO_WEBMAIL },
		{ "disable_external_relay", NO_RELAY },
		{ "disable_smtp", NO_SMTP },
		{ "disable_spamassassin", NO_SPAMASSASSIN },
		{ "delete_spam", DELETE_SPAM },
		{ "disable_maildrop", NO_MAILDROP },
	};
	static const char head[] =
		"maxpopaccounts: -1\nmaxaliases: -1\nmaxforwards: -1\nmaxautoresponders: -1\n"
		"maxmailinglists: -1\nquota: 0\nmaxmsgcount: 0\ndefault_quota: 0\n"
		"default_maxmsgcount: 0\n";
	static const char tail[] =
		"perm_account: 0\nperm_alias: 0\nperm_forward: 0\nperm_autoresponder: 0\n"
		"perm_maillist: 0\nperm_quota: 0\nperm_defaultquota: 0\n";
	struct vlimits r;
	char path[600], want[2048], line[64];
	size_t i;
	int each_ok = 1;

	vdefault_limits(&r);
	r.disable_pop = r.disable_imap = r.disable_dialup = r.disable_passwordchanging = 1;
	r.disable_webmail = r.disable_relay = r.disable_smtp = r.disable_spamassassin = 1;
	r.delete_spam = r.disable_maildrop = 1;
	sandbox_path(path, sizeof path, "flags");
	vlimits_write_limits_file(path, &r);
	snprintf(want, sizeof want, "%s", head);
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		strcat(want, keys[i].key);
		strcat(want, "\n");
	}
	strcat(want, tail);
	is_str(file_text(path), want, "all ten flags written, in vpopmail's order");

	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		snprintf(line, sizeof line, "%s\n", keys[i].key);
		put("flags", line);
		vdefault_limits(&r);
		vlimits_read_limits_file(path, &r);
		if (vlimits_get_flag_mask(&r) != keys[i].bit) {
			each_ok = 0;
			printf("# %s: mask %d\n", keys[i].key, vlimits_get_flag_mask(&r));
		}
		vlimits_write_limits_file(path, &r);
		snprintf(want, sizeof want, "%s%s%s", head, line, tail);
		if (strcmp(file_text(path), want) != 0) {
			each_ok = 0;
			printf("# %s: written back as:\n%s", keys[i].key, file_text(path));
		}
	}
	ok(each_ok, "each flag key sets its own field and pw_flags bit only");
}

static void test_limits_domain(void)
{
	char domdir[600], path[700], def[700];
	char domain[] = "example.com";
	struct vlimits l, r;
	struct vqpasswd pw;
	const char *top = getenv("top_srcdir");

	if (!ok(sandbox_domain(domdir, sizeof domdir) == 0, "test domain registered"))
		return;
	snprintf(path, sizeof path, "%s/.qmailadmin-limits", domdir);
	is_int(vget_limits(domain, &r), VA_CANNOT_READ_LIMITS, "no domain file, no default: fails");
	is_int(vget_limits("nosuch.example", &r), VA_DOMAIN_DOES_NOT_EXIST, "unknown domain");

	xmkdir("etc");
	sandbox_path(def, sizeof def, "etc/vlimits.default");
	{
		char src[600];

		snprintf(src, sizeof src, "%s/etc/vlimits.default", top != NULL ? top : ".");
		put("etc/vlimits.default", file_text(src));
	}
	is_int(vget_limits(domain, &r), 0, "falls back to etc/vlimits.default");
	ok(r.maxaliases == -1 && r.maxpopaccounts == -1, "... on top of the built-in defaults");

	sample_limits(&l);
	umask(022);
	is_int(vset_limits(domain, &l), 0, "vset_limits");
	umask(077);
	is_str(file_text(path), limits_text, "... writes <domain dir>/.qmailadmin-limits");
	is_int(mode_of(path), 0644, "... per the caller's umask");
	is_int(vget_limits(domain, &r), 0, "vget_limits reads the domain file");
	ok(r.maxpopaccounts == 10 && r.disable_pop, "... its values");
	is_int(mode_of(path), 0600, "... and makes it 0600");

	memset(&pw, 0, sizeof pw);
	pw.pw_gid = V_USER0;
	vlimits_setflags(&pw, domain);
	is_int(pw.pw_flags, V_USER0 | NO_POP | NO_IMAP | NO_SPAMASSASSIN,
	       "vlimits_setflags ORs the domain mask");
	pw.pw_gid = V_OVERRIDE;
	vlimits_setflags(&pw, domain);
	is_int(pw.pw_flags, V_OVERRIDE, "V_OVERRIDE: domain flags not applied");

	is_int(vdel_limits(domain), 0, "vdel_limits");
	ok(access(path, F_OK) != 0, "... removes the file");
	is_int(vdel_limits(domain), 0, "vdel_limits with no file: success (5.6)");
}

static void test_maildir_helpers(void)
{
	char domdir[600], path[800], cwd[600];
	char domain[] = "example.com";
	char dir[700], before[64], after[64];
	const char *dh;
	time_t now;
	struct tm tm;

	is_str(maildir_to_email("/home/vpopmail/domains/example.com/0/bob/Maildir/"),
	       "bob@example.com", "maildir_to_email: hashed user");
	is_str(maildir_to_email("/home/vpopmail/domains/example.com/bob/Maildir"),
	       "bob@example.com", "... trailing /Maildir");
	is_str(maildir_to_email("/home/vpopmail/domains/example.com/bob/Maildir/.Sent/"),
	       "bob@example.com", "... a subfolder");
	is_str(maildir_to_email("/d/example.com/x/Maildir/y/Maildir/"), "y@example.com",
	       "... last /Maildir/ wins, domain is the nearest dotted ancestor");
	is_str(maildir_to_email("/example.com/bob/Maildir/"), "",
	       "... a domain at the very start is not found");
	is_str(maildir_to_email("/home/nodots/bob/Maildir/"), "", "... no dotted ancestor");
	is_str(maildir_to_email("/home/x.org/bob/Maildirs"), "", "... no Maildir component");
	is_str(maildir_to_email("/Maildir"), "", "... no user");

	if (sandbox_domain(domdir, sizeof domdir) != 0)
		return;
	if (getcwd(cwd, sizeof cwd) != NULL && chdir(domdir) == 0) {
		is_str(maildir_to_email("./bob/Maildir/"), "bob@example.com",
		       "... ./ paths are made absolute");
		if (chdir(cwd) != 0)
			perror("chdir");
	}

	snprintf(dir, sizeof dir, "%s/0/carol", domdir);
	umask(022);
	is_int(vmake_maildir(domain, dir), 0, "vmake_maildir recreates a user dir");
	snprintf(path, sizeof path, "%s/Maildir/tmp", dir);
	ok(is_dir(path) && mode_of(path) == 0700, "... Maildir/tmp, 0700 (umask forced to 077)");
	snprintf(path, sizeof path, "%s/0", domdir);
	ok(is_dir(path), "... with the hash dir");
	is_int(vmake_maildir(domain, dir), VA_SUBDIR_CREATION, "existing Maildir: failure");
	sandbox_path(dir, sizeof dir, "elsewhere/dave");
	ok(vmake_maildir(domain, dir) != 0 && !is_dir(dir), "dir outside the domain refused");
	snprintf(dir, sizeof dir, "%s/../x/dave", domdir);
	ok(vmake_maildir(domain, dir) != 0, "'..' in the dir refused");
	is_int(vmake_maildir("nosuch.example", dir), VA_DOMAIN_DOES_NOT_EXIST, "unknown domain");

	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(before, sizeof before, "Date: %a, %d %b %Y %H:%M:%S +0000\n", &tm);
	dh = date_header();
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(after, sizeof after, "Date: %a, %d %b %Y %H:%M:%S +0000\n", &tm);
	ok(strcmp(dh, before) == 0 || strcmp(dh, after) == 0, "date_header: %s", dh);
	is_int(strlen(dh), 38, "date_header is 38 bytes with its newline");
}

int main(void)
{
	char path[600];

	umask(077);
	setenv("LC_ALL", "C", 1);
	if (sandbox_create("unit_quota") != 0)
		return 1;
	setenv("VPOPMAIL_HOME", sandbox, 1);
	sandbox_path(path, sizeof path, "qmail");
	setenv("VPOPMAIL_QMAILDIR", path, 1);
	setenv("VPOPMAIL_UID", "4242", 1);

	test_format();
	test_maildirsize();
	test_percent();
	test_limits_file();
	test_limits_flags();
#ifndef ENABLE_MYSQL_LIMITS
	/* With --enable-mysql-limits they live in the limits table (t_mysql.sh). */
	test_limits_domain();
#endif
	test_maildir_helpers();

	sandbox_remove();
	return done_testing();
}
