/*
 * unit_vpwline.c - the vpasswd line format and the vpasswd/cdb backend.
 *
 * The backend is driven directly with a made-up struct vdomain pointing at
 * a sandbox directory, so no users/assign or users/cdb is needed.
 */
#include "vpinternal.h"
#include "vcdb.h"
#include "tap.h"
#include "testutil.h"

#include <cdb.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static struct vdomain dom;
static const vauth_backend *be;

/* ------------------------------------------------------------------ */
/* Helpers.                                                           */

static char *dom_path(const char *name)
{
	static char buf[4][VP_PATH_MAX];
	static int n;

	n = (n + 1) % 4;
	vp_fmt(buf[n], sizeof buf[n], "%s/%s", dom.dir, name);
	return buf[n];
}

/* Every cdb record as "key:value\n" in storage order; *count = records. */
static char *cdb_dump(const char *path, int *count)
{
	struct cdb c;
	unsigned pos;
	size_t len = 0, cap = 1024;
	char *out = malloc(cap);
	int fd = open(path, O_RDONLY);

	*count = 0;
	if (fd < 0 || out == NULL || cdb_init(&c, fd) != 0) {
		if (fd >= 0)
			close(fd);
		free(out);
		return NULL;
	}
	out[0] = '\0';
	cdb_seqinit(&pos, &c);
	while (cdb_seqnext(&pos, &c) > 0) {
		unsigned kl = cdb_keylen(&c), vl = cdb_datalen(&c);

		while (len + kl + vl + 3 > cap)
			out = realloc(out, cap *= 2);
		cdb_read(&c, out + len, kl, cdb_keypos(&c));
		len += kl;
		out[len++] = ':';
		cdb_read(&c, out + len, vl, cdb_datapos(&c));
		len += vl;
		out[len++] = '\n';
		out[len] = '\0';
		(*count)++;
	}
	cdb_free(&c);
	close(fd);
	return out;
}

/* Does the index hold exactly the lines of vpasswd? */
static int index_matches_text(void)
{
	char *text = slurp(dom_path("vpasswd"));
	int n, same;
	char *idx = cdb_dump(dom_path("vpasswd.cdb"), &n);

	same = text != NULL && idx != NULL && strcmp(text, idx) == 0;
	if (!same)
		printf("#  vpasswd:\n%s#  cdb:\n%s", text ? text : "(none)\n", idx ? idx : "(none)\n");
	free(text);
	free(idx);
	return same;
}

/* Any vpasswd.bak.* or cdb.tmp left behind in dir? */
static int temp_files_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "vpasswd.bak", 11) == 0 || strcmp(de->d_name, "cdb.tmp") == 0)
			found++;
	closedir(d);
	return found;
}

/* The same in dom's directory. */
static int temp_files_left(void)
{
	return temp_files_in(dom.dir);
}

/* A record like vauth_adduser() makes (dir under the domain). */
static struct vqpasswd rec(const char *name, const char *crypted, const char *gecos,
                           const char *quota)
{
	static char dirs[8][VP_PATH_MAX];
	static int n;
	struct vqpasswd pw;

	n = (n + 1) % 8;
	vp_fmt(dirs[n], sizeof dirs[n], "%s/%s", dom.dir, name);
	memset(&pw, 0, sizeof pw);
	pw.pw_name = (char *)name;
	pw.pw_passwd = (char *)crypted;
	pw.pw_uid = 1;
	pw.pw_gid = 0;
	pw.pw_gecos = (char *)gecos;
	pw.pw_dir = dirs[n];
	pw.pw_shell = (char *)quota;
	pw.pw_clear_passwd = (char *)"";
	return pw;
}

/* The vpasswd line rec() would give, with a newline. */
static char *line_of(const char *name, const char *crypted, const char *gecos,
                     const char *quota)
{
	static char buf[8][VP_PATH_MAX];
	static int n;

	n = (n + 1) % 8;
#ifdef CLEAR_PASS
	vp_fmt(buf[n], sizeof buf[n], "%s:%s:1:0:%s:%s/%s:%s:\n",
	         name, crypted, gecos, dom.dir, name, quota);
#else
	vp_fmt(buf[n], sizeof buf[n], "%s:%s:1:0:%s:%s/%s:%s\n",
	         name, crypted, gecos, dom.dir, name, quota);
#endif
	return buf[n];
}

/* ------------------------------------------------------------------ */
/* The line format.                                                   */

static void test_parse(void)
{
	struct vpw_entry e;
	const char *l1 = "bob:$6$salt$hash:1:16:Bob Smith:/d/example.com/bob:5000S\n";
	const char *l2 = "amy:xx:2:524287:Amy:/d/amy:NOQUOTA:s3cret";
	const char *l3 = "tom:pw:1:0:Tom:/d/tom";

	memset(&e, 0, sizeof e);
	is_int(vpw_parse_line(&e, l1, strlen(l1)), 0, "parse: 7 fields");
	is_str(e.pw.pw_name, "bob", "parse: name");
	is_str(e.pw.pw_passwd, "$6$salt$hash", "parse: crypted");
	is_int(e.pw.pw_uid, 1, "parse: pw_uid decimal");
	is_int(e.pw.pw_gid, 16, "parse: pw_gid decimal");
	is_int(e.pw.pw_flags, 16, "parse: pw_flags = pw_gid");
	is_str(e.pw.pw_gecos, "Bob Smith", "parse: gecos");
	is_str(e.pw.pw_dir, "/d/example.com/bob", "parse: dir");
	is_str(e.pw.pw_shell, "5000S", "parse: quota (newline dropped)");
	is_str(e.pw.pw_clear_passwd, "", "parse: no clear field -> \"\"");

	is_int(vpw_parse_line(&e, l2, strlen(l2)), 0, "parse: 8 fields");
	is_int(e.pw.pw_uid, 2, "parse: APOP marker");
	is_int(e.pw.pw_gid, 524287, "parse: all flag bits");
	is_str(e.pw.pw_shell, "NOQUOTA", "parse: quota before clear");
	is_str(e.pw.pw_clear_passwd, "s3cret", "parse: clear field");

	is_int(vpw_parse_line(&e, l3, strlen(l3)), 0, "parse: 5 colons is enough");
	is_str(e.pw.pw_dir, "/d/tom", "parse: dir as last field");
	ok(e.pw.pw_shell != NULL && e.pw.pw_shell[0] == '\0', "parse: missing quota -> \"\"");
	ok(e.pw.pw_clear_passwd != NULL && e.pw.pw_clear_passwd[0] == '\0',
	   "parse: missing clear -> \"\"");

	is_int(vpw_parse_line(&e, "tom:pw:1:0:Tom", 14), VA_PARSE_ERROR, "parse: 4 colons is an error");
	is_str(e.pw.pw_name, "tom", "parse: a bad line leaves the entry alone");
	is_int(vpw_parse_line(&e, "", 0), VA_PARSE_ERROR, "parse: empty line is an error");
	is_int(vpw_parse_line(&e, "a:b:c:d:e\0:f", 12), VA_PARSE_ERROR, "parse: NUL in the line");
	is_int(vpw_parse_line(&e, "amy:xx:2:0:Amy:/d/amy:1S:clear:more:x", 37), 0, "parse: 10 fields");
	is_str(e.pw.pw_clear_passwd, "clear", "parse: the clear field ends at a further ':'");
	is_str(e.pw.pw_shell, "1S", "parse: quota with fields after it");
	is_int(vpw_parse_line(&e, "amy:xx:2:0:Amy:/d/amy:1S:", 25), 0, "parse: trailing ':'");
	is_str(e.pw.pw_shell, "1S", "parse: quota before a trailing ':'");
	is_str(e.pw.pw_clear_passwd, "", "parse: empty clear field after a trailing ':'");
	is_int(vpw_parse_line(&e, "x::::::", 7), 0, "parse: all-empty fields");
	is_int(e.pw.pw_uid, 0, "parse: empty uid -> 0");
	/* numbers as 5.6's atoi() read them */
	is_int(vpw_parse_line(&e, "x:: 1:+2::::", 12), 0, "parse: blank and sign before numbers");
	ok(e.pw.pw_uid == 1 && e.pw.pw_gid == 2, "parse: ' 1' is 1, '+2' is 2");
	is_int(vpw_parse_line(&e, "x::0:-5::::", 11), 0, "parse: a negative flag word");
	ok(e.pw.pw_gid == (gid_t)0xfffffffbu && (e.pw.pw_gid & NO_POP), "parse: '-5' is 0xfffffffb (NO_POP among its bits)");
	is_int(vpw_parse_line(&e, "x::0:4294967291::::", 19), 0, "parse: the same word written unsigned");
	ok(e.pw.pw_gid == (gid_t)0xfffffffbu, "parse: '4294967291' reads back as 0xfffffffb");
	is_int(vpw_parse_line(&e, "x::0:99999999999999999999::::", 29), 0, "parse: a number past the long range");
	ok(e.pw.pw_gid == (gid_t)0xffffffffu, "parse: saturated like strtol(), then cut to 32 bits");
	is_int(vpw_parse_line(&e, "x::0:2x::::", 11), 0, "parse: digits then junk");
	ok(e.pw.pw_gid == 2, "parse: '2x' is 2");
	vpw_entry_free(&e);
	ok(e.buf == NULL && e.cap == 0, "vpw_entry_free clears the entry");
}

static void test_format(void)
{
	struct vqpasswd pw;
	struct vpw_entry e;
	size_t len;
	char *line, *again;

	memset(&pw, 0, sizeof pw);
	pw.pw_name = "bob";
	pw.pw_passwd = "$6$abc$def";
	pw.pw_uid = 1;
	pw.pw_gid = 4096;
	pw.pw_gecos = "Bob: the: builder";
	pw.pw_dir = "/home/vpopmail/domains/example.com/bob";
	pw.pw_shell = "NOQUOTA";
	pw.pw_clear_passwd = "Passw0rd";
	line = vpw_format_line(&pw, &len);
#ifdef CLEAR_PASS
	is_str(line, "bob:$6$abc$def:1:4096:Bob the builder:/home/vpopmail/domains/example.com/bob:NOQUOTA:Passw0rd",
	       "format: 8 fields, ':' dropped from gecos (CLEAR_PASS)");
#else
	is_str(line, "bob:$6$abc$def:1:4096:Bob the builder:/home/vpopmail/domains/example.com/bob:NOQUOTA",
	       "format: 7 fields, ':' dropped from gecos (no CLEAR_PASS)");
#endif
	is_int(len, line ? strlen(line) : 0, "format: length reported");
	ok(strcmp(pw.pw_gecos, "Bob: the: builder") == 0, "format: input gecos untouched");
	{
		/* numbers written signed, as 5.6 did */
		struct vqpasswd neg = pw;
		char *l2;

		neg.pw_gid = (gid_t)0xfffffffbu;
		l2 = vpw_format_line(&neg, NULL);
		ok(l2 != NULL && strstr(l2, ":1:-5:Bob") != NULL, "format: a flag word with the top bit set is written as -5");
		free(l2);
	}

	/* Round trip. */
	memset(&e, 0, sizeof e);
	is_int(vpw_parse_line(&e, line, len), 0, "round trip: parse formatted line");
	again = vpw_format_line(&e.pw, &len);
	is_str(again, line, "round trip: format(parse(line)) == line");
	is_int(e.pw.pw_gid, 4096, "round trip: flags");
#ifdef CLEAR_PASS
	is_str(e.pw.pw_clear_passwd, "Passw0rd", "round trip: clear kept");
#else
	is_str(e.pw.pw_clear_passwd, "", "round trip: clear not stored");
#endif
	free(line);
	free(again);

	/* NULL fields format as empty. */
	memset(&pw, 0, sizeof pw);
	pw.pw_name = "n";
	line = vpw_format_line(&pw, NULL);
#ifdef CLEAR_PASS
	is_str(line, "n::0:0::::", "format: NULL fields are empty");
#else
	is_str(line, "n::0:0:::", "format: NULL fields are empty");
#endif
	free(line);

	/* Deep copy, also of an entry onto itself. */
	is_int(vpw_parse_line(&e, "sue:h:1:2:Sue:/d/sue:10S:c", 26), 0, "copy: source parsed");
	is_int(vpw_entry_set(&e, &e.pw), 0, "copy: onto itself");
	is_str(e.pw.pw_gecos, "Sue", "copy: gecos survives self-copy");
	is_str(e.pw.pw_clear_passwd, "c", "copy: clear survives self-copy");
	is_int(e.pw.pw_gid, 2, "copy: numbers copied");
	vpw_entry_free(&e);
}

static void test_check(void)
{
	struct vqpasswd pw;

	memset(&pw, 0, sizeof pw);
	pw.pw_name = "bob";
	pw.pw_passwd = "x";
	pw.pw_gecos = "a:b";
	pw.pw_dir = "/d/bob";
	pw.pw_shell = "NOQUOTA";
	is_int(vpw_check_record(&pw), 0, "check: ':' allowed in gecos");
	pw.pw_name = "b:ob";
	is_int(vpw_check_record(&pw), VA_BAD_CHAR, "check: ':' in name");
	pw.pw_name = "bob";
	pw.pw_gecos = "a\nb";
	is_int(vpw_check_record(&pw), VA_BAD_CHAR, "check: newline in gecos");
	pw.pw_gecos = "ok";
	pw.pw_shell = "1:2";
	is_int(vpw_check_record(&pw), VA_BAD_CHAR, "check: ':' in quota");
	pw.pw_shell = "";
	pw.pw_name = "";
	is_int(vpw_check_record(&pw), VA_ILLEGAL_USERNAME, "check: empty name");
}

static void test_long_line(void)
{
	struct vpw_entry e;
	size_t glen = 10240, len;
	char *gecos = malloc(glen + 1), *line;
	int i;

	for (i = 0; i < (int)glen; i++)
		gecos[i] = (char)('a' + i % 26);
	gecos[glen] = '\0';
	len = glen + 64;
	line = malloc(len);
	vp_fmt(line, len, "long:h:1:0:%s:/d/long:NOQUOTA\n", gecos);
	memset(&e, 0, sizeof e);
	is_int(vpw_parse_line(&e, line, strlen(line)), 0, "long line: 10 KB gecos parses");
	is_int(strlen(e.pw.pw_gecos), glen, "long line: gecos length intact");
	ok(strcmp(e.pw.pw_gecos, gecos) == 0, "long line: gecos bytes intact");
	is_str(e.pw.pw_dir, "/d/long", "long line: field after it intact");
	is_str(e.pw.pw_shell, "NOQUOTA", "long line: last field intact");
	vpw_entry_free(&e);
	free(line);
	free(gecos);
}

static void test_vgetent(void)
{
	static char text[] =
		"a1:x:1:0:A:/d/a1:NOQUOTA\n"
		"broken line\n"
		"b2:y:2:8:B:/d/b2:NOQUOTA:clear\n";
	FILE *fp = fmemopen(text, strlen(text), "r");
	struct vqpasswd *pw;

	pw = vgetent(fp);
	is_str(pw ? pw->pw_name : NULL, "a1", "vgetent: first line");
	pw = vgetent(fp);
	is_str(pw ? pw->pw_name : NULL, "b2", "vgetent: bad line skipped");
	is_int(pw ? (long)pw->pw_gid : -1, 8, "vgetent: gid");
	ok(vgetent(fp) == NULL, "vgetent: NULL at end");
	fclose(fp);
}

static void test_vcheck_vqpw(void)
{
	struct vqpasswd pw;
	char gecos[80];

	memset(&pw, 0, sizeof pw);
	pw.pw_name = "bob";
	pw.pw_passwd = "$6$x$y";
	pw.pw_gecos = "B:ob";
	pw.pw_dir = "/d/bob";
	pw.pw_shell = "NOQUOTA";
	pw.pw_clear_passwd = "";
	is_int(vcheck_vqpw(&pw, "example.com"), 0, "vcheck_vqpw: valid record");
	pw.pw_passwd = "a:b";
	is_int(vcheck_vqpw(&pw, "example.com"), VA_BAD_CHAR, "vcheck_vqpw: ':' in hash");
	pw.pw_passwd = "$6$x$y";
	pw.pw_dir = "/d/b\tob";
	is_int(vcheck_vqpw(&pw, "example.com"), VA_BAD_CHAR, "vcheck_vqpw: control char in dir");
	pw.pw_dir = "/d/bob";
	memset(gecos, 'g', 65);
	gecos[65] = '\0';
	pw.pw_gecos = gecos;
	is_int(vcheck_vqpw(&pw, "example.com"), VA_GECOS_TOO_LONG, "vcheck_vqpw: 65-char gecos");
	pw.pw_gecos = "ok";
	pw.pw_shell = "123456789012345678901";
	is_int(vcheck_vqpw(&pw, "example.com"), VA_QUOTA_TOO_LONG, "vcheck_vqpw: 21-char quota");
	pw.pw_shell = "NOQUOTA";
#ifdef USERS_BIG_DIR
	pw.pw_name = "b";
	is_int(vcheck_vqpw(&pw, "example.com"), VA_ILLEGAL_USERNAME, "vcheck_vqpw: 1-char name");
	pw.pw_name = "bob";
#endif
	pw.pw_gecos = NULL;
	is_int(vcheck_vqpw(&pw, "example.com"), VA_NULL_POINTER, "vcheck_vqpw: NULL field");
}

/* ------------------------------------------------------------------ */
/* The backend.                                                       */

static void test_add_sorted(void)
{
	const char *order[] = { "mike", "alice", "zed", "bob" };
	char want[4 * VP_PATH_MAX], *got;
	struct vqpasswd pw;
	size_t i;

	for (i = 0; i < 4; i++) {
		pw = rec(order[i], "h", order[i], "NOQUOTA");
		is_int(be->adduser(&dom, &pw), 0, "adduser %s", order[i]);
	}
	vp_fmt(want, sizeof want, "%s%s%s%s",
	         line_of("alice", "h", "alice", "NOQUOTA"), line_of("bob", "h", "bob", "NOQUOTA"),
	         line_of("mike", "h", "mike", "NOQUOTA"), line_of("zed", "h", "zed", "NOQUOTA"));
	got = slurp(dom_path("vpasswd"));
	is_str(got, want, "vpasswd sorted by name, byte for byte");
	free(got);
	is_int(mode_of(dom_path("vpasswd")), 0600, "vpasswd mode 0600 after add");
	is_int(mode_of(dom_path("vpasswd.cdb")), 0600, "vpasswd.cdb mode 0600");
	is_int(mode_of(dom_path(".vpasswd.lock")), 0600, ".vpasswd.lock mode 0600");
	ok(index_matches_text(), "vpasswd.cdb holds exactly the vpasswd lines");
	is_int(temp_files_left(), 0, "no temp files left");

	/* Duplicate: refused, nothing changes. */
	got = slurp(dom_path("vpasswd"));
	pw = rec("bob", "other", "Other", "NOQUOTA");
	is_int(be->adduser(&dom, &pw), VA_USERNAME_EXISTS, "adduser of an existing name refused");
	{
		char *after = slurp(dom_path("vpasswd"));

		is_str(after, got, "vpasswd unchanged after refused add");
		free(after);
	}
	free(got);
	ok(index_matches_text(), "index unchanged after refused add");
	is_int(temp_files_left(), 0, "refused add leaves no temp files");

	pw = rec("vpasswd", "h", "x", "NOQUOTA");
	is_int(be->adduser(&dom, &pw), VA_ILLEGAL_USERNAME, "the name vpasswd is refused");
	pw = rec("new", "h", "bad\ngecos", "NOQUOTA");
	is_int(be->adduser(&dom, &pw), VA_BAD_CHAR, "newline in a field refused");

	/* ':' in the gecos is dropped. */
	pw = rec("carl", "h", "Carl: C", "NOQUOTA");
	is_int(be->adduser(&dom, &pw), 0, "adduser carl (':' in gecos)");
	got = slurp(dom_path("vpasswd"));
	ok(got != NULL && strstr(got, line_of("bob", "h", "bob", "NOQUOTA")) != NULL &&
	   strstr(got, line_of("carl", "h", "Carl C", "NOQUOTA")) ==
	   strstr(got, line_of("bob", "h", "bob", "NOQUOTA")) + strlen(line_of("bob", "h", "bob", "NOQUOTA")),
	   "carl inserted right after bob, gecos without ':'");
	free(got);
}

static void test_getpw(void)
{
	struct vpw_entry e;
	char dir[VP_PATH_MAX];

	memset(&e, 0, sizeof e);
	is_int(be->getpw(&dom, "alice", &e), 0, "getpw alice");
	vp_fmt(dir, sizeof dir, "%s/alice", dom.dir);
	is_str(e.pw.pw_name, "alice", "getpw: name");
	is_str(e.pw.pw_passwd, "h", "getpw: crypted");
	is_int(e.pw.pw_uid, 1, "getpw: pw_uid");
	is_str(e.pw.pw_dir, dir, "getpw: dir");
	is_str(e.pw.pw_shell, "NOQUOTA", "getpw: quota");
	is_int(e.pw.pw_flags, e.pw.pw_gid, "getpw: pw_flags = pw_gid");
	is_int(be->getpw(&dom, "nobody", &e), VA_USER_DOES_NOT_EXIST, "getpw of a missing user");
	is_int(be->getpw(&dom, "alic", &e), VA_USER_DOES_NOT_EXIST, "getpw of a prefix of a user");
	if (geteuid() != 0) {
		struct vdomain other = dom;

		other.uid = geteuid() + 1;
		is_int(be->getpw(&other, "alice", &e), VA_USER_DOES_NOT_EXIST,
		       "getpw refused to a uid other than root and the domain's");
	} else {
		ok(1, "getpw uid check # SKIP running as root");
	}
	vpw_entry_free(&e);
}

static void test_setpw_del(void)
{
	struct vqpasswd pw;
	struct vpw_entry e;
	char *before, *after;
	mode_t old;

	old = umask(022);
	pw = rec("bob", "newhash", "Bob B", "5000000S");
	pw.pw_gid = NO_POP | NO_IMAP;
	is_int(be->setpw(&dom, &pw), 0, "setpw bob");
	after = slurp(dom_path("vpasswd"));
	{
		char want[VP_PATH_MAX];

#ifdef CLEAR_PASS
		vp_fmt(want, sizeof want, "bob:newhash:1:10:Bob B:%s/bob:5000000S:\n", dom.dir);
#else
		vp_fmt(want, sizeof want, "bob:newhash:1:10:Bob B:%s/bob:5000000S\n", dom.dir);
#endif
		ok(after != NULL && strstr(after, want) != NULL, "setpw: line replaced in place");
		ok(after != NULL && strstr(after, "bob:h:") == NULL, "setpw: old line gone");
	}
	free(after);
	is_int(mode_of(dom_path("vpasswd")), 0644, "setpw: vpasswd mode 0666 & ~umask");
	is_int(umask(old), 022, "setpw: umask left as it was");
	ok(index_matches_text(), "setpw: index rebuilt");
	memset(&e, 0, sizeof e);
	is_int(be->getpw(&dom, "bob", &e), 0, "getpw bob after setpw");
	is_int(e.pw.pw_gid, 10, "getpw: new flags");
	is_str(e.pw.pw_shell, "5000000S", "getpw: new quota");

	before = slurp(dom_path("vpasswd"));
	pw = rec("ghost", "x", "x", "NOQUOTA");
	is_int(be->setpw(&dom, &pw), VA_USER_DOES_NOT_EXIST, "setpw of a missing user");
	after = slurp(dom_path("vpasswd"));
	is_str(after, before, "setpw of a missing user changes nothing");
	free(after);

	is_int(be->deluser(&dom, "ghost"), VA_USER_DOES_NOT_EXIST, "deluser of a missing user");
	is_int(be->deluser(&dom, "mike"), 0, "deluser mike");
	after = slurp(dom_path("vpasswd"));
	ok(after != NULL && strstr(after, "mike:") == NULL, "deluser: line gone");
	ok(after != NULL && strlen(after) == strlen(before) - strlen(line_of("mike", "h", "mike", "NOQUOTA")),
	   "deluser: only that line removed");
	free(after);
	free(before);
	is_int(mode_of(dom_path("vpasswd")), 0600, "deluser: vpasswd mode 0600");
	ok(index_matches_text(), "deluser: index rebuilt");
	is_int(be->getpw(&dom, "mike", &e), VA_USER_DOES_NOT_EXIST, "getpw after deluser");
	is_int(temp_files_left(), 0, "no temp files left");
	vpw_entry_free(&e);
}

static void test_iterate(void)
{
	char gecos[2001], *text;
	struct vqpasswd pw;
	struct vpw_entry e;
	char names[512] = "";
	void *it;
	int rc, n = 0, longok = 0;

	memset(gecos, 'G', 2000);
	gecos[2000] = '\0';
	pw = rec("dave", "h", gecos, "NOQUOTA");
	is_int(be->adduser(&dom, &pw), 0, "adduser with a 2,000-byte line");
	ok(index_matches_text(), "index holds the long line");

	/* A hand-edited junk line in the middle is skipped, not the end. */
	text = slurp(dom_path("vpasswd"));
	{
		char *p = strstr(text, "carl:"), *junk;
		size_t head = (size_t)(p - text);

		junk = malloc(strlen(text) + 32);
		memcpy(junk, text, head);
		strcpy(junk + head, "no colons here\n");
		strcat(junk, p);
		put_file(dom_path("vpasswd"), junk);
		free(junk);
	}
	free(text);

	memset(&e, 0, sizeof e);
	it = be->iter_open(&dom);
	ok(it != NULL, "iter_open");
	while ((rc = be->iter_next(it, &e)) == 1) {
		strcat(names, e.pw.pw_name);
		strcat(names, " ");
		if (strcmp(e.pw.pw_name, "dave") == 0)
			longok = strcmp(e.pw.pw_gecos, gecos) == 0;
		n++;
	}
	be->iter_close(it);
	is_int(rc, 0, "iterator ends with 0");
	is_str(names, "alice bob carl dave zed ", "iterator: every user in file order");
	ok(longok, "iterator: long line intact");

	is_int(be->getpw(&dom, "dave", &e), 0, "getpw of the long line");
	ok(e.pw.pw_gecos != NULL && strcmp(e.pw.pw_gecos, gecos) == 0, "getpw: long gecos intact");
	vpw_entry_free(&e);

	/* The junk line stays in vpasswd; the index skips it. */
	is_int(be->reindex(&dom), 0, "reindex");
}

static void test_missing_index(void)
{
	struct vpw_entry e;
	struct vdomain empty = dom;
	char *idx;
	int n;

	memset(&e, 0, sizeof e);
	unlink(dom_path("vpasswd.cdb"));
	is_int(be->getpw(&dom, "alice", &e), 0, "getpw with vpasswd.cdb missing");
	is_int(mode_of(dom_path("vpasswd.cdb")), 0600, "vpasswd.cdb rebuilt, mode 0600");
	/* The junk line is kept in vpasswd but is no record. */
	idx = cdb_dump(dom_path("vpasswd.cdb"), &n);
	is_int(n, 5, "rebuilt index has the 5 records");
	free(idx);

	vp_fmt(empty.dir, sizeof empty.dir, "%s/domains/empty.org", sandbox);
	mkdir(empty.dir, 0700);
	is_int(be->getpw(&empty, "alice", &e), VA_USER_DOES_NOT_EXIST, "getpw with no vpasswd at all");
	{
		char p[VP_PATH_MAX];

		vp_fmt(p, sizeof p, "%s/vpasswd.cdb", empty.dir);
		ok(access(p, F_OK) != 0, "no index made for a domain without vpasswd");
	}
	is_int(be->deluser(&empty, "alice"), VA_USER_DOES_NOT_EXIST, "deluser with no vpasswd");
	is_int(be->reindex(&empty), 0, "reindex with no vpasswd");
	idx = cdb_dump(dom_path("../empty.org/vpasswd.cdb"), &n);
	ok(idx != NULL && n == 0, "reindex with no vpasswd gives an empty index");
	free(idx);

	/* A vpasswd that is there but cannot be read is trouble, not "empty". */
	{
		char p[VP_PATH_MAX];
		struct vqpasswd pw = rec("amy", "h", "amy", "NOQUOTA");

		vp_fmt(empty.dir, sizeof empty.dir, "%s/domains/odd.org", sandbox);
		mkdir(empty.dir, 0700);
		vp_fmt(p, sizeof p, "%s/vpasswd", empty.dir);
		mkdir(p, 0700);
		is_int(be->adduser(&empty, &pw), VA_COULD_NOT_UPDATE_FILE, "adduser with an unreadable vpasswd");
		is_int(be->reindex(&empty), VA_COULD_NOT_UPDATE_FILE, "reindex with an unreadable vpasswd");
		vp_fmt(p, sizeof p, "%s/vpasswd.cdb", empty.dir);
		ok(access(p, F_OK) != 0, "  no index made from it");
	}

	vp_fmt(empty.dir, sizeof empty.dir, "%s/domains/none.org", sandbox);
	is_int(be->reindex(&empty), VA_BAD_DIR, "reindex of a missing domain dir");
	vpw_entry_free(&e);
}

static void test_nomakeindex(void)
{
	struct vqpasswd pw;
	struct vpw_entry e;
	char *text;

	memset(&e, 0, sizeof e);
	NoMakeIndex = 1;
	pw = rec("alice", "h", "Alice Changed", "NOQUOTA");
	is_int(be->setpw(&dom, &pw), 0, "setpw with NoMakeIndex");
	NoMakeIndex = 0;
	text = slurp(dom_path("vpasswd"));
	ok(text != NULL && strstr(text, ":Alice Changed:") != NULL, "NoMakeIndex: vpasswd rewritten");
	free(text);
	is_int(be->getpw(&dom, "alice", &e), 0, "getpw alice");
	/* The index is now older than vpasswd: the lookup rebuilds it first. */
	is_str(e.pw.pw_gecos, "Alice Changed", "NoMakeIndex: the next lookup rebuilds the older index");
	is_int(be->reindex(&dom), 0, "reindex");
	is_int(be->getpw(&dom, "alice", &e), 0, "getpw alice after reindex");
	is_str(e.pw.pw_gecos, "Alice Changed", "reindex: the same");
	vpw_entry_free(&e);
}

/*
 * A domain named name holding vpasswd text, reindexed (its result the
 * test "what"); returns the index's records, one line each (free it).
 */
static char *reindexed(struct vdomain *d, const char *name, const char *text, const char *what)
{
	char p[VP_PATH_MAX];
	int n;

	*d = dom;
	vp_fmt(d->dir, sizeof d->dir, "%s/domains/%s", sandbox, name);
	mkdir(d->dir, 0700);
	vp_fmt(p, sizeof p, "%s/vpasswd", d->dir);
	put_file(p, text);
	is_int(be->reindex(d), 0, "%s", what);
	vp_fmt(p, sizeof p, "%s/vpasswd.cdb", d->dir);
	return cdb_dump(p, &n);
}

static void test_duplicates(void)
{
	struct vdomain d2;
	char p[VP_PATH_MAX], *idx;

	idx = reindexed(&d2, "dup.org",
	                "dup:a:1:0:first:/d/dup:NOQUOTA\ndup:b:1:0:second:/d/dup:NOQUOTA\nz:c:1:0:z:/d/z:NOQUOTA",
	                "reindex of a file with a name twice");
	is_str(idx, "dup:a:1:0:first:/d/dup:NOQUOTA\nz:c:1:0:z:/d/z:NOQUOTA\n",
	       "only the first of a duplicated name is indexed");
	free(idx);
	is_int(be->deluser(&d2, "dup"), 0, "deluser removes every line of the name");
	vp_fmt(p, sizeof p, "%s/vpasswd", d2.dir);
	idx = slurp(p);
	is_str(idx, "z:c:1:0:z:/d/z:NOQUOTA\n", "both dup lines gone, last line gets its newline");
	free(idx);
}

/* A twin far from its first line: the index keeps the first. */
static void test_late_twin(void)
{
	struct vdomain d2;
	char *idx;

	idx = reindexed(&d2, "twin.org",
	                "b:x:1:0:b:/d/b:NOQUOTA\ndup:a:1:0:first:/d/dup:NOQUOTA\n"
	                "z:c:1:0:z:/d/z:NOQUOTA\n\ndup:b:1:0:second:/d/dup:NOQUOTA\n",
	                "reindex: a name twice, far apart");
	is_str(idx, "b:x:1:0:b:/d/b:NOQUOTA\ndup:a:1:0:first:/d/dup:NOQUOTA\nz:c:1:0:z:/d/z:NOQUOTA\n",
	       "far twin: the first indexed, the empty line skipped");
	free(idx);
}

/*
 * Many new records between many old ones: the new vpasswd is written from
 * far more pieces than one writev() takes, and must come out as the merge.
 */
static void test_many_pieces(void)
{
	enum { N = 700 };
	static char names[2 * N][16];
	struct vqpasswd *pws = calloc(N, sizeof *pws);
	struct vdomain d2 = dom;
	char p[VP_PATH_MAX], *text, *want, *w;
	size_t i;

	vp_fmt(d2.dir, sizeof d2.dir, "%s/domains/many.org", sandbox);
	mkdir(d2.dir, 0700);
	/* Old: even numbers; new: odd ones, so every new line splits a run. */
	vp_fmt(p, sizeof p, "%s/vpasswd", d2.dir);
	want = malloc(2 * N * 64);
	text = malloc(N * 64);
	w = text;
	for (i = 0; i < N; i++)
		w += sprintf(w, "u%04zu:h:1:0:g:/d/u%04zu:NOQUOTA\n", 2 * i, 2 * i);
	put_file(p, text);
	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "u%04zu", 2 * i + 1);
		pws[i].pw_name = names[i];
		pws[i].pw_passwd = (char *)"h";
		pws[i].pw_uid = 1;
		pws[i].pw_gecos = (char *)"g";
		pws[i].pw_dir = names[N + i];
		snprintf(names[N + i], sizeof names[N + i], "/d/u%04zu", 2 * i + 1);
		pws[i].pw_shell = (char *)"NOQUOTA";
		pws[i].pw_clear_passwd = (char *)"";
	}
	is_int(be->adduser_many(&d2, pws, N), 0, "700 records between 700 lines");
	/* Old lines as they were; new ones as the backend formats records
	 * (with a clear-password field in --enable-clear-passwd builds). */
	w = want;
	for (i = 0; i < N; i++) {
		size_t len;
		char *line = vpw_format_line(&pws[i], &len);

		w += sprintf(w, "u%04zu:h:1:0:g:/d/u%04zu:NOQUOTA\n", 2 * i, 2 * i);
		w += sprintf(w, "%s\n", line != NULL ? line : "?");
		free(line);
	}
	free(text);
	text = slurp(p);
	ok(text != NULL && strcmp(text, want) == 0, "many pieces: vpasswd is the sorted merge");
	{
		int n;
		char *idx;

		vp_fmt(p, sizeof p, "%s/vpasswd.cdb", d2.dir);
		idx = cdb_dump(p, &n);
		is_int(n, 2 * N, "many pieces: every line indexed");
		ok(idx != NULL && strcmp(idx, want) == 0, "many pieces: index holds the same lines");
		free(idx);
	}
	free(text);
	free(want);
	free(pws);
}

static void test_lastauth(void)
{
	struct vpw_entry e;
	char path[VP_PATH_MAX], ip[64], *got;
	time_t when = 0;

	memset(&e, 0, sizeof e);
	is_int(be->getpw(&dom, "bob", &e), 0, "getpw bob");
	mkdir(e.pw.pw_dir, 0700);
	vp_fmt(path, sizeof path, "%s/lastauth", e.pw.pw_dir);
#ifdef ENABLE_AUTH_LOGGING
	is_int(be->get_lastauth(&dom, &e.pw, &when, ip, sizeof ip), VA_NO_AUTH_CONNECTION,
	       "get_lastauth without a record");
	is_int(when, 0, "no record: time 0");
	is_int(be->set_lastauth(&dom, &e.pw, "192.0.2.7", 1000000000), 0, "set_lastauth");
	got = slurp(path);
	is_str(got, "192.0.2.7", "lastauth holds the IP, no newline");
	free(got);
	is_int(mode_of(path), 0600, "lastauth mode 0600");
	is_int(be->get_lastauth(&dom, &e.pw, &when, ip, sizeof ip), 0, "get_lastauth");
	is_int(when, 1000000000, "lastauth time = mtime = when");
	is_str(ip, "192.0.2.7", "lastauth ip");
#else
	is_int(be->set_lastauth(&dom, &e.pw, "192.0.2.7", 1000000000), 0, "set_lastauth is a no-op");
	ok(access(path, F_OK) != 0, "no lastauth file without auth logging");
	(void)got;
	be->get_lastauth(&dom, &e.pw, &when, ip, sizeof ip);
	is_int(when, 0, "get_lastauth gives time 0");
#endif
	vpw_entry_free(&e);
}

#ifdef ENABLE_AUTH_LOGGING
/* Descriptors this process has open. */
static int open_fds(void)
{
	DIR *dp = opendir("/proc/self/fd");
	int n = 0;

	if (dp == NULL)
		return -1;
	while (readdir(dp) != NULL)
		n++;
	closedir(dp);
	return n;
}

/* A fresh directory <sandbox>/<rel> holding a lastauth of ip at when. */
static void lastauth_at(const struct vdomain *d, char *dir, const char *rel,
                        const char *ip, time_t when)
{
	struct vqpasswd pw = rec("x", "h", "x", "NOQUOTA");

	vp_fmt(dir, VP_PATH_MAX, "%s/%s", sandbox, rel);
	mkdir(dir, 0700);
	pw.pw_dir = dir;
	is_int(be->set_lastauth(d, &pw, ip, when), 0, "set_lastauth in %s", rel);
}

/* The IP get_lastauth() reads for a user of d living in dir ("" if none). */
static const char *lastauth_ip(const struct vdomain *d, const char *dir, char *ip, size_t size)
{
	struct vqpasswd pw = rec("x", "h", "x", "NOQUOTA");
	time_t when;

	pw.pw_dir = (char *)dir;
	if (be->get_lastauth(d, &pw, &when, ip, size) != 0)
		ip[0] = '\0';
	return ip;
}

/*
 * While a walk is open, lastauth is read through a handle on the domain
 * directory.  Users living outside it or in a directory whose name only
 * starts like it, another domain read in the middle of the walk, and the
 * end of the walk (no handle left open) must all come out as without one.
 */
static void test_lastauth_in_walk(void)
{
	struct vdomain other = dom;
	char bob[VP_PATH_MAX], far[VP_PATH_MAX], twin[VP_PATH_MAX], kim[VP_PATH_MAX], ip[64];
	int fds;
	void *it;

	vp_fmt(bob, sizeof bob, "%s/bob", dom.dir);
	vp_fmt(other.dir, sizeof other.dir, "%s/domains/other.org", sandbox);
	mkdir(other.dir, 0700);
	lastauth_at(&dom, far, "elsewhere", "198.51.100.1", 1100000000);
	lastauth_at(&dom, twin, "domains/example.comx", "198.51.100.2", 1100000000);
	lastauth_at(&other, kim, "domains/other.org/kim", "198.51.100.3", 1100000000);

	fds = open_fds();
	it = be->iter_open(&dom);
	ok(it != NULL, "walk: iter_open");
	is_str(lastauth_ip(&dom, bob, ip, sizeof ip), "192.0.2.7", "walk: a user below the domain");
	is_int(open_fds(), fds + 2, "walk: vpasswd and the directory handle open");
	is_str(lastauth_ip(&dom, far, ip, sizeof ip), "198.51.100.1", "walk: a user living elsewhere");
	is_str(lastauth_ip(&dom, twin, ip, sizeof ip), "198.51.100.2",
	       "walk: a directory whose name starts like the domain's");
	is_str(lastauth_ip(&other, kim, ip, sizeof ip), "198.51.100.3", "walk: another domain");
	is_str(lastauth_ip(&dom, bob, ip, sizeof ip), "192.0.2.7", "walk: back to the first domain");
	is_int(open_fds(), fds + 2, "walk: still one handle");
	be->iter_close(it);
	is_int(open_fds(), fds, "walk closed: the handle with it");
	is_str(lastauth_ip(&dom, bob, ip, sizeof ip), "192.0.2.7", "after the walk: by the full path");
}
#endif

/* The hash handed to adduser_late(), and how often it was asked for. */
static const char *late_value;
static int late_calls;

static const char *late_give(void *ctx, int *rc)
{
	(void)ctx;
	late_calls++;
	*rc = late_value != NULL ? 0 : VA_CRYPT_FAILED;
	return late_value;
}

/* A fresh domain <sandbox>/domains/<name> holding alice, carl and zed. */
static void late_domain(struct vdomain *d, const char *name)
{
	const char *names[] = { "alice", "carl", "zed" };
	struct vqpasswd pw;
	size_t i;

	*d = dom;
	vp_fmt(d->dir, sizeof d->dir, "%s/domains/%s", sandbox, name);
	mkdir(d->dir, 0700);
	for (i = 0; i < 3; i++) {
		pw = rec(names[i], "$6$salt$old", names[i], "NOQUOTA");
		pw.pw_dir = (char *)"/d/same";
		is_int(be->adduser(d, &pw), 0, "%s: %s added", name, names[i]);
	}
}

/* Are d's vpasswd and vpasswd.cdb byte for byte those of want? */
static int same_files(const struct vdomain *d, const struct vdomain *want)
{
	const char *files[] = { "vpasswd", "vpasswd.cdb" };
	char p[VP_PATH_MAX], q[VP_PATH_MAX], *a, *b;
	size_t la = 0, lb = 0, i;
	int same = 1;

	for (i = 0; i < 2; i++) {
		vp_fmt(p, sizeof p, "%s/%s", d->dir, files[i]);
		vp_fmt(q, sizeof q, "%s/%s", want->dir, files[i]);
		a = slurp_len(p, &la);
		b = slurp_len(q, &lb);
		same = same && a != NULL && b != NULL && la == lb && memcmp(a, b, la) == 0;
		free(a);
		free(b);
	}
	return same;
}

/*
 * adduser_late(): the record is laid out around a stand-in while the
 * hash is computed and the hash written over it before the commit.  The
 * files must come out byte for byte as adduser() with the hash makes
 * them; a hash of another length or with a ':' is added (or refused) as
 * adduser() would; a failed hash or a taken name change nothing.
 */
static void test_adduser_late(void)
{
	struct vdomain want, late, shorter, want_short;
	struct vqpasswd pw;
	char h98[99], colon98[99], standin[99], *before, p[VP_PATH_MAX];
	int i;

	/* A SHA-512 crypt's shape: "$6$", 8 of salt, '$', 86 of hash. */
	memcpy(h98, "$6$abcdefgh$", 12);
	for (i = 12; i < 98; i++)
		h98[i] = (char)('A' + i % 26);
	h98[98] = '\0';
	memcpy(colon98, h98, sizeof colon98);
	colon98[97] = ':';

	ok(be->adduser_late != NULL, "the cdb backend has adduser_late");
	if (be->adduser_late == NULL)
		return;
	is_int((int)strlen(h98), 98, "the test hash is 98 long");
	late_domain(&want, "late-want.org");
	late_domain(&late, "late.org");
	late_domain(&shorter, "late-short.org");
	late_domain(&want_short, "late-want-short.org");

	pw = rec("bob", h98, "Bob", "NOQUOTA");
	pw.pw_dir = (char *)"/d/same";
	is_int(be->adduser(&want, &pw), 0, "adduser with the hash");
	memset(standin, 'x', 98);
	standin[98] = '\0';
	pw.pw_passwd = standin;
	late_value = h98;
	late_calls = 0;
	is_int(be->adduser_late(&late, &pw, late_give, NULL), 0, "adduser_late");
	is_int(late_calls, 1, "the hash asked for once");
	ok(same_files(&late, &want), "vpasswd and its index as adduser() makes them");
	is_int(temp_files_in(late.dir), 0, "no temp file left");

	/* Another length: the add is made again with the hash as it is. */
	pw.pw_passwd = (char *)"abJnggxhB/yWI";
	is_int(be->adduser(&want_short, &pw), 0, "adduser with a 13-character hash");
	pw.pw_passwd = standin;
	late_value = "abJnggxhB/yWI";
	is_int(be->adduser_late(&shorter, &pw, late_give, NULL), 0, "adduser_late, hash shorter than the stand-in");
	ok(same_files(&shorter, &want_short), "shorter hash: the files adduser() makes");
	is_int(temp_files_in(shorter.dir), 0, "shorter hash: no temp file left");

	/* Refusals change nothing. */
	vp_fmt(p, sizeof p, "%s/vpasswd", late.dir);
	before = slurp(p);
	pw = rec("dan", standin, "Dan", "NOQUOTA");
	late_value = NULL;
	late_calls = 0;
	is_int(be->adduser_late(&late, &pw, late_give, NULL), VA_CRYPT_FAILED, "a failed hash fails the add");
	is_int(late_calls, 1, "failed hash: asked for once");
	late_value = colon98;
	ok(be->adduser_late(&late, &pw, late_give, NULL) != 0, "a hash with a ':' is refused");
	pw = rec("bob", standin, "Bob", "NOQUOTA");
	late_value = h98;
	late_calls = 0;
	is_int(be->adduser_late(&late, &pw, late_give, NULL), VA_USERNAME_EXISTS, "a taken name");
	is_int(late_calls, 0, "taken name: the hash is not waited for");
	{
		char *after = slurp(p);

		ok(before != NULL && after != NULL && strcmp(before, after) == 0, "refusals: vpasswd unchanged");
		free(after);
	}
	ok(same_files(&late, &want), "refusals: both files unchanged");
	is_int(temp_files_in(late.dir), 0, "refusals: no temp file left");
	free(before);

	/* NoMakeIndex: vpasswd alone gets the hash, the index is left as it was. */
	{
		struct vdomain noidx;
		char q[VP_PATH_MAX], *idx_before, *idx_after, *text;
		size_t lb = 0, la = 0;

		late_domain(&noidx, "late-noindex.org");
		vp_fmt(q, sizeof q, "%s/vpasswd.cdb", noidx.dir);
		idx_before = slurp_len(q, &lb);
		pw = rec("bob", standin, "Bob", "NOQUOTA");
		late_value = h98;
		NoMakeIndex = 1;
		is_int(be->adduser_late(&noidx, &pw, late_give, NULL), 0, "adduser_late with NoMakeIndex");
		NoMakeIndex = 0;
		vp_fmt(p, sizeof p, "%s/vpasswd", noidx.dir);
		text = slurp(p);
		ok(text != NULL && strstr(text, h98) != NULL && strstr(text, standin) == NULL,
		   "NoMakeIndex: vpasswd holds the hash, not the stand-in");
		idx_after = slurp_len(q, &la);
		ok(idx_before != NULL && idx_after != NULL && la == lb && memcmp(idx_before, idx_after, la) == 0,
		   "NoMakeIndex: the index untouched");
		free(text);
		free(idx_before);
		free(idx_after);
	}
}

/* As root, the files go to the domain's owner. */
static void test_owner(void)
{
	struct vdomain d2 = dom;
	struct vqpasswd pw;
	const char *names[] = { "vpasswd", "vpasswd.cdb", ".vpasswd.lock" };
	char p[VP_PATH_MAX];
	struct stat st;
	size_t i;

	if (geteuid() != 0) {
		ok(1, "files chowned to the domain # SKIP not root");
		return;
	}
	vp_fmt(d2.dir, sizeof d2.dir, "%s/domains/owned.org", sandbox);
	mkdir(d2.dir, 0700);
	d2.uid = 65534;
	d2.gid = 65533;
	pw = rec("olga", "h", "Olga", "NOQUOTA");
	is_int(be->adduser(&d2, &pw), 0, "adduser in a domain owned by 65534");
	for (i = 0; i < 3; i++) {
		vp_fmt(p, sizeof p, "%s/%s", d2.dir, names[i]);
		ok(stat(p, &st) == 0 && st.st_uid == 65534 && st.st_gid == 65533,
		   "%s owned by the domain's uid:gid", names[i]);
	}
}

/* Not a pass/fail test (machines differ): report the cost of one add. */
static void report_speed(void)
{
	struct vdomain big = dom;
	struct vqpasswd pw;
	struct timeval t0, t1;
	char name[32], dir[VP_PATH_MAX], p[VP_PATH_MAX];
	FILE *fp;
	int i;

	vp_fmt(big.dir, sizeof big.dir, "%s/domains/big.org", sandbox);
	mkdir(big.dir, 0700);
	vp_fmt(p, sizeof p, "%s/vpasswd", big.dir);
	fp = fopen(p, "w");
	for (i = 0; i < 5000; i++)
		fprintf(fp, "u%05d:$6$saltsalt$%086d:1:0:u%05d:%s/u%05d:NOQUOTA\n",
		        i, i, i, big.dir, i);
	fclose(fp);
	is_int(be->reindex(&big), 0, "reindex of 5,000 users");
	vp_fmt(name, sizeof name, "u02500x");
	vp_fmt(dir, sizeof dir, "%s/%s", big.dir, name);
	memset(&pw, 0, sizeof pw);
	pw.pw_name = name;
	pw.pw_passwd = "h";
	pw.pw_uid = 1;
	pw.pw_gecos = name;
	pw.pw_dir = dir;
	pw.pw_shell = "NOQUOTA";
	gettimeofday(&t0, NULL);
	i = be->adduser(&big, &pw);
	gettimeofday(&t1, NULL);
	is_int(i, 0, "add into a 5,000-user domain");
	printf("# one add into 5,000 users: %.2f ms\n",
	       (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_usec - t0.tv_usec) / 1e3);
}

int main(void)
{
	if (sandbox_create("unit_vpwline") != 0)
		return 1;
	setenv("VPOPMAIL_HOME", sandbox, 1);
	setenv("VPOPMAIL_QMAILDIR", sandbox, 1);

	memset(&dom, 0, sizeof dom);
	strcpy(dom.name, "example.com");
	strcpy(dom.real, "example.com");
	vp_fmt(dom.dir, sizeof dom.dir, "%s/domains/example.com", sandbox);
	dom.uid = geteuid();
	dom.gid = getegid();
	{
		char p[VP_PATH_MAX];

		vp_fmt(p, sizeof p, "%s/domains", sandbox);
		mkdir(p, 0700);
		mkdir(dom.dir, 0700);
	}
	be = vcdb_backend_get();     /* the cdb backend, whichever is compiled in */

	test_parse();
	test_format();
	test_check();
	test_long_line();
	test_vgetent();
	test_vcheck_vqpw();

	is_str(be->name, "cdb", "backend name");
	test_add_sorted();
	test_getpw();
	test_setpw_del();
	test_iterate();
	test_missing_index();
	test_nomakeindex();
	test_duplicates();
	test_late_twin();
	test_many_pieces();
	test_adduser_late();
	test_lastauth();
#ifdef ENABLE_AUTH_LOGGING
	test_lastauth_in_walk();
#endif
	test_owner();
	report_speed();

	sandbox_remove();
	return done_testing();
}
