/*
 * unit_qmailcdb.c - qmail's files as vpopmail maintains them: users/assign
 * and our qmail-newu writer, rcpthosts/morercpthosts (+ qmail-newmrh
 * writer), virtualdomains, locals, domain lookups through users/cdb,
 * get_domain_entries() and signal_process().
 *
 * Runs in a throwaway sandbox; VPOPMAIL_QMAIL_NEWU/NEWMRH point nowhere so
 * the library writes the cdb files itself.
 */
#include "vpinternal.h"

#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

/* qmail's compiled assign file (users/cdb unless configured otherwise). */
#define USERS_CDB "users/" QMAIL_CDB_NAME

static char qdir[512];

/* ------------------------------------------------------------------ */
/* Small file helpers                                                  */

static char *path_of(const char *rel)
{
	static char buf[8][1024];
	static int n;
	char *p = buf[n++ % 8];

	snprintf(p, 1024, "%s/%s", qdir, rel);
	return p;
}

static int file_is(const char *rel, const char *want)
{
	char *got = slurp(path_of(rel));
	int same = got != NULL && strcmp(got, want) == 0;

	if (!same)
		printf("# %s is:\n#---\n%s#---\n# want:\n%s#---\n", rel,
		       got ? got : "(missing)\n", want);
	free(got);
	return same;
}

/* Start a fresh qmail tree under the sandbox. */
static void new_qmaildir(const char *name)
{
	char p[1100];

	sandbox_path(qdir, sizeof qdir, name);
	mkdir(qdir, 0755);
	snprintf(p, sizeof p, "%s/users", qdir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/control", qdir);
	mkdir(p, 0755);
	setenv("VPOPMAIL_QMAILDIR", qdir, 1);
	vget_assign(NULL, NULL, 0, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* cdb helpers                                                          */

/* Data of the first record with `key`, or NULL; *dlen its length. */
static char *cdb_get_value(const char *rel, const char *key, size_t klen, unsigned *dlen)
{
	struct cdb c;
	char *v = NULL;
	int fd = open(path_of(rel), O_RDONLY);

	if (fd < 0)
		return NULL;
	if (cdb_init(&c, fd) == 0) {
		if (cdb_find(&c, key, (unsigned)klen) > 0) {
			*dlen = cdb_datalen(&c);
			v = malloc(*dlen + 1);
			cdb_read(&c, v, *dlen, cdb_datapos(&c));
			v[*dlen] = '\0';
		}
		cdb_free(&c);
	}
	close(fd);
	return v;
}

static int cdb_value_is(const char *rel, const char *key, size_t klen,
                        const char *want, size_t wlen)
{
	unsigned dlen = 0;
	char *v = cdb_get_value(rel, key, klen, &dlen);
	int same = v != NULL && dlen == wlen && memcmp(v, want, wlen) == 0;

	free(v);
	return same;
}

static int cdb_count(const char *rel)
{
	struct cdb c;
	unsigned pos;
	int n = 0, fd = open(path_of(rel), O_RDONLY);

	if (fd < 0)
		return -1;
	if (cdb_init(&c, fd) == 0) {
		cdb_seqinit(&pos, &c);
		while (cdb_seqnext(&pos, &c) > 0)
			n++;
		cdb_free(&c);
	}
	close(fd);
	return n;
}

/*
 * An independent cdb writer following the format as documented for
 * qmail's cdbmss (records in order, each hash table filled in insertion
 * order), to check users/cdb byte for byte.
 */
struct rec { char *k; size_t kl; char *d; size_t dl; uint32_t h, pos; };

static uint32_t cdb_hash_of(const char *k, size_t n)
{
	uint32_t h = 5381;

	while (n--)
		h = ((h << 5) + h) ^ (unsigned char)*k++;
	return h;
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = v & 255; p[1] = (v >> 8) & 255; p[2] = (v >> 16) & 255; p[3] = v >> 24;
}

static unsigned char *ref_cdb(struct rec *r, size_t n, size_t *outlen)
{
	size_t total = 2048, i, t, pos;
	unsigned char *out;

	for (i = 0; i < n; i++)
		total += 8 + r[i].kl + r[i].dl + 16;
	out = calloc(1, total);
	pos = 2048;
	for (i = 0; i < n; i++) {
		r[i].h = cdb_hash_of(r[i].k, r[i].kl);
		r[i].pos = (uint32_t)pos;
		put32(out + pos, (uint32_t)r[i].kl);
		put32(out + pos + 4, (uint32_t)r[i].dl);
		memcpy(out + pos + 8, r[i].k, r[i].kl);
		memcpy(out + pos + 8 + r[i].kl, r[i].d, r[i].dl);
		pos += 8 + r[i].kl + r[i].dl;
	}
	for (t = 0; t < 256; t++) {
		size_t cnt = 0, slots;

		for (i = 0; i < n; i++)
			if ((r[i].h & 255) == t)
				cnt++;
		slots = 2 * cnt;
		put32(out + t * 8, (uint32_t)pos);
		put32(out + t * 8 + 4, (uint32_t)slots);
		for (i = 0; i < n; i++) {
			size_t s;

			if ((r[i].h & 255) != t)
				continue;
			s = (r[i].h >> 8) % slots;
			while (out[pos + s * 8 + 4] | out[pos + s * 8 + 5] |
			       out[pos + s * 8 + 6] | out[pos + s * 8 + 7])
				s = (s + 1) % slots;
			put32(out + pos + s * 8, r[i].h);
			put32(out + pos + s * 8 + 4, r[i].pos);
		}
		pos += slots * 8;
	}
	*outlen = pos;
	return out;
}

/* ------------------------------------------------------------------ */
/* Tests                                                                */

static void test_newu_worked_example(void)
{
	static const char assign[] =
		"+example.com-:example.com:89:89:/home/vpopmail/domains/example.com:-::\n"
		"+alias.net-:example.com:89:89:/home/vpopmail/domains/example.com:-::\n"
		"=joe:joe:507:100:/home/joe:::\n"
		".\n";
	static const char dom_val[] = "example.com\00089\00089\0/home/vpopmail/domains/example.com\0-\0";
	unsigned char *want;
	char *got;
	size_t wlen, glen;
	struct rec r[4] = {
		{ "!example.com-", 13, (char *)dom_val, sizeof dom_val - 1, 0, 0 },
		{ "!alias.net-", 11, (char *)dom_val, sizeof dom_val - 1, 0, 0 },
		{ "!joe\0", 5, "joe\000507\000100\0/home/joe\0\0", 23, 0, 0 },
		{ "", 0, "-", 1, 0, 0 },
	};
	mode_t old;

	new_qmaildir("newu");
	put_file(path_of("users/assign"), assign);
	old = umask(077);
	is_int(vp_build_users_cdb(), 0, "newu: worked example compiles");
	umask(old);
	is_int(mode_of(path_of(USERS_CDB)), 0644, "newu: users/cdb is 0644 whatever the umask");
	ok(!exists(path_of(USERS_CDB ".tmp")), "newu: no temp left behind");
	ok(cdb_value_is(USERS_CDB, "!example.com-", 13, dom_val, sizeof dom_val - 1),
	   "newu: !example.com- (no NUL) -> realdomain\\0uid\\0gid\\0dir\\0-\\0");
	ok(cdb_value_is(USERS_CDB, "!alias.net-", 11, dom_val, sizeof dom_val - 1),
	   "newu: !alias.net- -> the real domain's fields");
	ok(cdb_value_is(USERS_CDB, "!joe\0", 5, "joe\000507\000100\0/home/joe\0\0", 23),
	   "newu: =joe line -> key !joe\\0, empty 6th field");
	ok(cdb_value_is(USERS_CDB, "", 0, "-", 1), "newu: empty key holds the wildchars \"-\"");
	ok(!cdb_value_is(USERS_CDB, "!example.com-\0", 14, dom_val, sizeof dom_val - 1),
	   "newu: + lines get no NUL in the key");
	is_int(cdb_count(USERS_CDB), 4, "newu: exactly 4 records");

	/* Byte identity with the documented cdbmss layout. */
	want = ref_cdb(r, 4, &wlen);
	got = slurp_len(path_of(USERS_CDB), &glen);
	ok(got != NULL && glen == wlen && memcmp(got, want, wlen) == 0,
	   "newu: users/cdb byte-identical to qmail-newu's layout (%zu bytes)", wlen);
	free(want);
	free(got);
}

static void test_newu_large_and_case(void)
{
	struct rec *r;
	FILE *fp;
	size_t n = 0, i, wlen, glen;
	unsigned char *want;
	char *got, name[64], val[200];
	int len;

	new_qmaildir("newu-large");
	r = calloc(1202, sizeof *r);
	fp = fopen(path_of("users/assign"), "w");
	for (i = 0; i < 1200; i++) {
		/* Mixed case in the name: keys are lower-cased, values are not. */
		fprintf(fp, "+Dom%zu.Example.ORG-:Dom%zu.example.org:%zu:7:/v/d%zu:-::\n",
		        i, i, i, i);
		len = snprintf(name, sizeof name, "!dom%zu.example.org-", i);
		r[n].k = strdup(name);
		r[n].kl = (size_t)len;
		len = snprintf(val, sizeof val, "Dom%zu.example.org%c%zu%c7%c/v/d%zu%c-%c",
		               i, 0, i, 0, 0, i, 0, 0);
		r[n].d = malloc((size_t)len);
		memcpy(r[n].d, val, (size_t)len);
		r[n].dl = (size_t)len;
		n++;
	}
	/* Different wildchar, plus extra fields after the sixth colon. */
	fputs("+pre_:u:1:2:/h:x:y:z:w\n", fp);
	r[n].k = strdup("!pre_");
	r[n].kl = 5;
	r[n].d = malloc(12);
	memcpy(r[n].d, "u\0001\0002\0/h\0x\0y", 12);
	r[n].dl = 12;
	n++;
	fputs(".\n+after.dot-:ignored:1:1:/x:-::\n", fp);
	fclose(fp);
	r[n].k = strdup("");
	r[n].kl = 0;
	r[n].d = strdup("-_");
	r[n].dl = 2;
	n++;

	is_int(vp_build_users_cdb(), 0, "newu: 1200-domain assign compiles");
	want = ref_cdb(r, n, &wlen);
	got = slurp_len(path_of(USERS_CDB), &glen);
	ok(got != NULL && glen == wlen && memcmp(got, want, wlen) == 0,
	   "newu: large users/cdb byte-identical (collisions in tables, wildchars \"-_\")");
	ok(cdb_value_is(USERS_CDB, "!pre_", 5, "u\0001\0002\0/h\0x\0y", 12),
	   "newu: value cut before the sixth colon after the name");
	free(want);
	free(got);
	for (i = 0; i < n; i++) {
		free(r[i].k);
		free(r[i].d);
	}
	free(r);
}

static void test_newu_bad_format(void)
{
	static const char *bad[] = {
		"+a.com-:a.com:1:1:/a:-::\n",                   /* no '.' line */
		"+a.com-:a.com:1:1:/a:-::\n\n.\n",              /* empty line */
		":x:1:1:/a:-::\n.\n",                           /* ':' first */
		"+a.com-:a.com:1:1:/a:-:\n.\n",                 /* 5 colons */
		"+a.com-\n.\n",                                 /* no colon */
		"+a.com-:a.com:1:1:/a:-::",                     /* no newline */
	};
	char *before, *after;
	const char *err;
	size_t i, blen, alen;
	int all_refused = 1, all_kept = 1, all_said = 1;

	new_qmaildir("newu-bad");
	put_file(path_of("users/assign"), "+good.com-:good.com:1:1:/g:-::\n.\n");
	is_int(vp_build_users_cdb(), 0, "newu: good file compiles");
	before = slurp_len(path_of(USERS_CDB), &blen);
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		put_file(path_of("users/assign"), bad[i]);
		capture_begin();
		if (vp_build_users_cdb() != VA_COULD_NOT_UPDATE_FILE)
			all_refused = 0;
		err = capture_end();
		if (err == NULL || strcmp(err, "qmail-newu: fatal: bad format in users/assign\n") != 0) {
			all_said = 0;
			printf("# case %zu stderr: %s\n", i, err ? err : "(null)");
		}
		after = slurp_len(path_of(USERS_CDB), &alen);
		if (after == NULL || alen != blen || memcmp(before, after, blen) != 0)
			all_kept = 0;
		free(after);
	}
	ok(all_refused, "newu: every bad format -> VA_COULD_NOT_UPDATE_FILE");
	ok(all_said, "newu: prints qmail-newu's bad-format message");
	ok(all_kept, "newu: users/cdb untouched on bad format");
	ok(!exists(path_of(USERS_CDB ".tmp")), "newu: temp removed after failure");
	free(before);

	/* NUL in a line is bad too. */
	{
		FILE *fp = fopen(path_of("users/assign"), "w");

		fwrite("+a\0b-:a:1:1:/a:-::\n.\n", 1, 21, fp);
		fclose(fp);
	}
	capture_begin();
	is_int(vp_build_users_cdb(), VA_COULD_NOT_UPDATE_FILE, "newu: NUL byte in a line is bad format");
	capture_end();

	unlink(path_of("users/assign"));
	capture_begin();
	is_int(vp_build_users_cdb(), VA_COULD_NOT_UPDATE_FILE, "newu: missing assign fails");
	err = capture_end();
	is_str(err, "qmail-newu: fatal: unable to open users/assign\n", "newu: missing assign message");
}

static void test_newmrh(void)
{
	static const char *keys[] = { "foo.com", "  #x", "bar.com\r", "last.org" };
	size_t i;
	int all = 1;
	const char *err;

	new_qmaildir("newmrh");
	put_file(path_of("control/morercpthosts"),
	         "Foo.COM  \t \n#comment\n\n \t\n  #x\nbar.com\r\nlast.org");
	is_int(vp_build_morercpthosts_cdb(), 0, "newmrh: compiles");
	is_int(mode_of(path_of("control/morercpthosts.cdb")), 0644, "newmrh: cdb is 0644");
	ok(!exists(path_of("control/morercpthosts.tmp")), "newmrh: no temp left");
	for (i = 0; i < 4; i++)
		if (!cdb_value_is("control/morercpthosts.cdb", keys[i], strlen(keys[i]), "", 0))
			all = 0;
	ok(all, "newmrh: lower-cased, trailing blanks/tabs cut, \\r and leading blanks kept");
	is_int(cdb_count("control/morercpthosts.cdb"), 4,
	       "newmrh: '#' lines and blank lines skipped, no extra record");

	unlink(path_of("control/morercpthosts"));
	capture_begin();
	is_int(vp_build_morercpthosts_cdb(), VA_COULD_NOT_UPDATE_FILE, "newmrh: missing source fails");
	err = capture_end();
	is_str(err, "qmail-newmrh: fatal: unable to read control/morercpthosts: file does not exist\n",
	       "newmrh: qmail-newmrh's message");
	ok(cdb_count("control/morercpthosts.cdb") == 4, "newmrh: old cdb kept on failure");
}

#define L(d) "+" d "-:" d ":89:89:/v/" d ":-::"

static void test_sorted_insert(void)
{
	const char *err;

	new_qmaildir("sort");
	/* users/assign */
	is_int(update_file(path_of("users/assign"), L("example.com"), VP_FILE_ASSIGN), 0,
	       "sort: first assign line creates the file");
	ok(file_is("users/assign", L("example.com") "\n.\n"), "sort: new assign = line + '.'");
	update_file(path_of("users/assign"), L("zzz.com"), VP_FILE_ASSIGN);
	update_file(path_of("users/assign"), L("a.b.example.com"), VP_FILE_ASSIGN);
	update_file(path_of("users/assign"), L("alias.net"), VP_FILE_ASSIGN);
	update_file(path_of("users/assign"), L("b.example.com"), VP_FILE_ASSIGN);
	capture_begin();
	is_int(update_file(path_of("users/assign"), L("a.example.org"), VP_FILE_ASSIGN), 0,
	       "sort: insert into sorted assign");
	err = capture_end();
	is_str(err, "", "sort: no NOTICE for a sorted file");
	ok(file_is("users/assign",
	           L("alias.net") "\n" L("example.com") "\n" L("a.b.example.com") "\n"
	           L("b.example.com") "\n" L("a.example.org") "\n" L("zzz.com") "\n.\n"),
	   "sort: assign keyed by last two labels first (example.com.a.b < example.com.b)");
	is_int(mode_of(path_of("users/assign")), 0644, "sort: assign is 0644");

	/* rcpthosts, with the empty-label rule */
	update_file(path_of("control/rcpthosts"), "example.com", VP_FILE_RCPTHOSTS);
	update_file(path_of("control/rcpthosts"), "c.com", VP_FILE_RCPTHOSTS);
	update_file(path_of("control/rcpthosts"), "b.com", VP_FILE_RCPTHOSTS);
	update_file(path_of("control/rcpthosts"), "a..b.com", VP_FILE_RCPTHOSTS);
	update_file(path_of("control/rcpthosts"), "example.co.uk", VP_FILE_RCPTHOSTS);
	update_file(path_of("control/rcpthosts"), "a.b.example.com", VP_FILE_RCPTHOSTS);
	ok(file_is("control/rcpthosts",
	           "b.com\na..b.com\nc.com\nexample.co.uk\nexample.com\na.b.example.com\n"),
	   "sort: rcpthosts order (a..b.com keys as b.com.a, example.co.uk as co.uk.example)");

	/* virtualdomains: key is the part before ':' */
	update_file(path_of("control/virtualdomains"), "example.com:example.com", VP_FILE_VIRTUALDOMAINS);
	update_file(path_of("control/virtualdomains"), "a.b.example.com:a.b.example.com", VP_FILE_VIRTUALDOMAINS);
	update_file(path_of("control/virtualdomains"), "alias.net:alias.net", VP_FILE_VIRTUALDOMAINS);
	update_file(path_of("control/virtualdomains"), "example.net:example.net", VP_FILE_VIRTUALDOMAINS);
	ok(file_is("control/virtualdomains",
	           "alias.net:alias.net\nexample.com:example.com\n"
	           "a.b.example.com:a.b.example.com\nexample.net:example.net\n"),
	   "sort: virtualdomains order");

	/* duplicates */
	capture_begin();
	is_int(update_file(path_of("users/assign"),
	                   "+Example.COM-:other.com:1:1:/elsewhere:-::", VP_FILE_ASSIGN),
	       VA_DOMAIN_ALREADY_EXISTS, "dup: same +name-: refused (case-insensitive)");
	capture_end();
	ok(file_is("users/assign",
	           L("alias.net") "\n" L("example.com") "\n" L("a.b.example.com") "\n"
	           L("b.example.com") "\n" L("a.example.org") "\n" L("zzz.com") "\n.\n"),
	   "dup: assign unchanged");
	is_int(update_file(path_of("control/rcpthosts"), "c.com", VP_FILE_RCPTHOSTS), 0,
	       "dup: rcpthosts duplicate is a quiet success");
	ok(file_is("control/rcpthosts",
	           "b.com\na..b.com\nc.com\nexample.co.uk\nexample.com\na.b.example.com\n"),
	   "dup: rcpthosts holds the name once");
	is_int(update_file(path_of("control/virtualdomains"), "alias.net:alias.net",
	                   VP_FILE_VIRTUALDOMAINS), 0, "dup: virtualdomains duplicate ok");
	ok(file_is("control/virtualdomains",
	           "alias.net:alias.net\nexample.com:example.com\n"
	           "a.b.example.com:a.b.example.com\nexample.net:example.net\n"),
	   "dup: virtualdomains unchanged");

	/* malformed lines are never written */
	is_int(update_file(path_of("control/rcpthosts"), "x.com\ny.com", VP_FILE_RCPTHOSTS),
	       VA_BAD_CHAR, "reject: newline in a line");
	ok(file_is("control/rcpthosts",
	           "b.com\na..b.com\nc.com\nexample.co.uk\nexample.com\na.b.example.com\n"),
	   "reject: rcpthosts unchanged");
}

static void test_long_line_limit(void)
{
	char line[400];

	new_qmaildir("long");
	/* 299 bytes is the longest assign line vpopmail could write intact. */
	memset(line, 'd', sizeof line);
	memcpy(line, "+x.com-:x.com:1:1:/", 19);
	memcpy(line + 295, ":-::", 5);          /* strlen = 299 */
	is_int((int)strlen(line), 299, "long: test line is 299 bytes");
	is_int(update_file(path_of("users/assign"), line, VP_FILE_ASSIGN), 0,
	       "long: 299-byte assign line accepted");
	memset(line, 'd', sizeof line);
	memcpy(line, "+y.com-:y.com:1:1:/", 19);
	memcpy(line + 296, ":-::", 5);          /* strlen = 300 */
	is_int(update_file(path_of("users/assign"), line, VP_FILE_ASSIGN), VA_DIR_TOO_LONG,
	       "long: 300-byte assign line refused");
	is_int(update_file(path_of("users/assign"), "+z.com-:z.com:1:1:/z:-:", VP_FILE_ASSIGN),
	       VA_COULD_NOT_UPDATE_FILE, "long: assign line qmail-newu would reject is refused");
	is_int(update_file(path_of("users/assign"), ".oops:1:2:3:4:5:6:", VP_FILE_ASSIGN),
	       VA_COULD_NOT_UPDATE_FILE, "long: line starting with '.' refused");
}

static void test_out_of_order(void)
{
	const char *err;
	char want[1200];

	new_qmaildir("unsorted");
	put_file(path_of("control/rcpthosts"), "zzz.com\nalias.net\n");
	capture_begin();
	is_int(update_file(path_of("control/rcpthosts"), "example.com", VP_FILE_RCPTHOSTS), 0,
	       "resort: insert into unsorted rcpthosts");
	err = capture_end();
	snprintf(want, sizeof want, "NOTICE: Out of order entries found in %s\n   Sorting...\n\n",
	         path_of("control/rcpthosts"));
	is_str(err, want, "resort: NOTICE text on stderr");
	ok(file_is("control/rcpthosts", "alias.net\nexample.com\nzzz.com\n"),
	   "resort: whole file sorted");

	put_file(path_of("users/assign"), L("zzz.com") "\n" L("aaa.com") "\n.\n");
	capture_begin();
	is_int(update_file(path_of("users/assign"), L("bbb.com"), VP_FILE_ASSIGN), 0,
	       "resort: insert into unsorted assign");
	err = capture_end();
	snprintf(want, sizeof want, "NOTICE: Out of order entries found in %s\n   Sorting...\n\n",
	         path_of("users/assign"));
	is_str(err, want, "resort: assign NOTICE");
	ok(file_is("users/assign", L("aaa.com") "\n" L("bbb.com") "\n" L("zzz.com") "\n.\n"),
	   "resort: assign sorted, '.' last");
	ok(!exists(path_of("users/assign.lock")) || mode_of(path_of("users/assign.lock")) == 0600,
	   "resort: lock file is 0600");
}

static void test_remove_lines(void)
{
	char *lines[] = { "a", "c", "zz" };

	new_qmaildir("remove");
	put_file(path_of("control/locals"), "a\nb\na\nc\n");
	is_int(remove_lines(path_of("control/locals"), lines, 3), 3, "remove: count of lines removed");
	ok(file_is("control/locals", "b\n"), "remove: the rest kept in order");
	is_int(remove_lines(path_of("control/locals"), lines, 3), 0, "remove: nothing to remove -> 0");
	ok(file_is("control/locals", "b\n"), "remove: unchanged");
	is_int(remove_lines(path_of("control/missing"), lines, 3), 0, "remove: missing file -> 0");
	ok(file_is("control/missing", ""), "remove: missing file created empty");
	is_int(mode_of(path_of("control/missing")), 0644, "remove: created 0644");
	put_file(path_of("control/locals"), "a\na");
	is_int(remove_lines(path_of("control/locals"), lines, 1), 2,
	       "remove: a last line without newline matches too");
	ok(file_is("control/locals", ""), "remove: file emptied");
}

#define D51_VAL "d51.com\00089\00089\0/v/dom\0-\0"

static void test_add_domain_rcpthosts_rule(void)
{
	char name[64], *err;
	int i, all = 1;
	char *names[2];

	new_qmaildir("fifty");
	put_file(path_of("control/locals"), "localhost\nd51.com\n");
	chmod(path_of("control/locals"), 0600);
	for (i = 0; i < 50; i++) {
		snprintf(name, sizeof name, "d%02d.com", i);
		if (add_domain_assign(name, name, "/v/dom", 89, 89) != 0)
			all = 0;
	}
	ok(all, "fifty: 50 domains added");
	is_int(count_rcpthosts(), 50, "fifty: rcpthosts holds 50 lines");
	ok(!exists(path_of("control/morercpthosts")), "fifty: no morercpthosts yet");
	is_int(add_domain_assign("d50.com", "d50.com", "/v/dom", 89, 89), 0, "fifty: 51st domain");
	is_int(count_rcpthosts(), 50, "fifty: rcpthosts still 50 lines");
	ok(file_is("control/morercpthosts", "d50.com\n"), "fifty: 51st goes to morercpthosts");
	ok(cdb_value_is("control/morercpthosts.cdb", "d50.com", 7, "", 0),
	   "fifty: morercpthosts.cdb built with the domain");
	is_int(mode_of(path_of("control/morercpthosts")), 0644, "fifty: morercpthosts 0644");

	OptimizeAddDomain = 1;
	is_int(add_domain_assign("d51.com", "d51.com", "/v/dom", 89, 89), 0, "fifty: 52nd with -O");
	OptimizeAddDomain = 0;
	ok(file_is("control/morercpthosts", "d50.com\nd51.com\n"), "fifty: morercpthosts sorted");
	ok(!cdb_value_is("control/morercpthosts.cdb", "d51.com", 7, "", 0),
	   "fifty: -O skips the morercpthosts.cdb rebuild");
	ok(file_is("control/locals", "localhost\n"), "fifty: domain removed from locals");
	is_int(mode_of(path_of("control/locals")), 0644, "fifty: locals forced to 0644");
	err = slurp(path_of("control/virtualdomains"));
	ok(err != NULL && strlen(err) == 52 * 16 && strstr(err, "d51.com:d51.com\n") != NULL,
	   "fifty: virtualdomains has all 52");
	free(err);
	ok(cdb_value_is(USERS_CDB, "!d51.com-", 9, D51_VAL, sizeof D51_VAL - 1),
	   "fifty: users/cdb rebuilt after each assign change (even with -O)");

	/* vdeldomain's quirk: names split over both files lose only the rcpthosts one. */
	names[0] = "d00.com";
	names[1] = "d50.com";
	is_int(del_control(names, 2), 0, "del: control files");
	is_int(count_rcpthosts(), 49, "del: d00 left rcpthosts");
	ok(file_is("control/morercpthosts", "d50.com\nd51.com\n"),
	   "del: d50 stays in morercpthosts (rcpthosts-first quirk)");
	names[0] = "d50.com";
	names[1] = "d51.com";
	is_int(del_control(names, 2), 0, "del: morercpthosts names");
	ok(!exists(path_of("control/morercpthosts")) && !exists(path_of("control/morercpthosts.cdb")),
	   "del: emptied morercpthosts and its cdb deleted");
	err = slurp(path_of("control/virtualdomains"));
	ok(err != NULL && strstr(err, "d50.com:d50.com") == NULL &&
	   strstr(err, "d00.com:d00.com") == NULL && strstr(err, "d01.com:d01.com\n") != NULL,
	   "del: virtualdomains lines removed");
	free(err);
	is_int(del_domain_assign(names, 2, "d50.com", "/v/dom", 89, 89), 0, "del: assign");
	ok(vp_assign_has("d50.com") == 0 && vp_assign_has("d01.com") == 1, "del: vp_assign_has");
	err = slurp(path_of("users/assign"));
	ok(err != NULL && strstr(err, "+d51.com-") != NULL,
	   "del: assign line only removed when all fields match");
	free(err);
}

static void test_lookup(void)
{
	struct vdomain d;
	char buf[MAX_PW_DOMAIN + 1], dir[256], *r, *a;
	uid_t u = 0;
	gid_t g = 0;
	char longname[120];

	new_qmaildir("lookup");
	is_int(vp_domain_lookup("example.com", &d), VA_DOMAIN_DOES_NOT_EXIST,
	       "lookup: no users/cdb -> does not exist");
	is_int(add_domain_assign("example.com", "example.com", "/v/one", 1001, 1002), 0,
	       "lookup: add real domain");
	is_int(add_domain_assign("alias.net", "example.com", "/v/one", 1001, 1002), 0,
	       "lookup: add alias domain");
	is_int(add_domain_assign("alias.net", "example.com", "/v/one", 1001, 1002),
	       VA_DOMAIN_ALREADY_EXISTS, "lookup: adding the alias again is refused");
	is_int(vp_domain_lookup("Example.COM", &d), 0, "lookup: real domain (any case)");
	is_str(d.name, "example.com", "lookup: name lower-cased");
	is_str(d.real, "example.com", "lookup: real");
	is_str(d.dir, "/v/one", "lookup: dir");
	ok(d.uid == 1001 && d.gid == 1002, "lookup: uid/gid");
	is_int(vp_domain_lookup("alias.net", &d), 0, "lookup: alias");
	is_str(d.real, "example.com", "lookup: alias resolves to the real domain");
	is_str(d.name, "alias.net", "lookup: alias name kept in .name");
	is_int(vp_domain_lookup("nope.org", &d), VA_DOMAIN_DOES_NOT_EXIST, "lookup: unknown");
	is_int(vp_domain_lookup("", &d), VA_DOMAIN_DOES_NOT_EXIST, "lookup: empty");
	is_int(vp_domain_lookup("bad_name.com", &d), VA_INVALID_DOMAIN_NAME, "lookup: bad char");
	is_int(vp_domain_lookup("a/../b.com", &d), VA_INVALID_DOMAIN_NAME, "lookup: slash");
	memset(longname, 'a', sizeof longname);
	longname[97] = '\0';
	is_int(vp_domain_lookup(longname, &d), VA_INVALID_DOMAIN_NAME, "lookup: 97 chars");
	longname[96] = '\0';
	is_int(vp_domain_lookup(longname, &d), VA_DOMAIN_DOES_NOT_EXIST, "lookup: 96 chars ok");

	snprintf(buf, sizeof buf, "ALIAS.Net");
	r = vget_assign(buf, dir, sizeof dir, &u, &g);
	is_str(r, "/v/one", "vget_assign: returns the dir");
	is_str(buf, "example.com", "vget_assign: alias rewritten to the real domain");
	is_str(dir, "/v/one", "vget_assign: dir copied");
	ok(u == 1001 && g == 1002, "vget_assign: uid/gid");
	snprintf(buf, sizeof buf, "Nope.ORG");
	ok(vget_assign(buf, NULL, 0, NULL, NULL) == NULL, "vget_assign: unknown -> NULL");
	is_str(buf, "nope.org", "vget_assign: lower-cased in place anyway");
	ok(vget_assign(NULL, NULL, 0, NULL, NULL) == NULL, "vget_assign: NULL clears, NULL");

	is_int(vp_domain_file("Alias.NET", ".qmailadmin-limits", dir, sizeof dir), 0,
	       "domain_file: alias resolves");
	is_str(dir, "/v/one/.qmailadmin-limits", "domain_file: <real domain dir>/<name>");
	is_int(vp_domain_file("nope.org", "x", dir, sizeof dir), VA_DOMAIN_DOES_NOT_EXIST,
	       "domain_file: unknown domain -> lookup's code");
	is_int(vp_domain_file("bad_name.com", "x", dir, sizeof dir), VA_INVALID_DOMAIN_NAME,
	       "domain_file: invalid name -> lookup's code");
	is_int(vp_domain_file("example.com", "x", dir, 8), VA_DIR_TOO_LONG,
	       "domain_file: path that does not fit -> VA_DIR_TOO_LONG");
	is_int(vp_domain_file("example.com", "x", dir, 9), 0, "domain_file: exactly fits");
	is_str(dir, "/v/one/x", "  -> /v/one/x");

	/* Change users/cdb behind the cache: same size, new content. */
	is_int(vp_domain_lookup("example.com", &d), 0, "cache: warm");
	put_file(path_of("users/assign"),
	         "+alias.net-:example.com:1001:1002:/v/one:-::\n"
	         "+example.com-:example.com:1001:1002:/v/two:-::\n.\n");
	is_int(vp_build_users_cdb(), 0, "cache: rebuild users/cdb directly");
	is_int(vp_domain_lookup("example.com", &d), 0, "cache: lookup after change");
	is_str(d.dir, "/v/two", "cache: changed cdb is re-read");
	snprintf(buf, sizeof buf, "example.com");
	a = vget_assign(buf, NULL, 0, NULL, NULL);
	is_str(a, "/v/two", "cache: vget_assign sees it too");
	unlink(path_of(USERS_CDB));
	is_int(vp_domain_lookup("example.com", &d), VA_DOMAIN_DOES_NOT_EXIST,
	       "cache: removed cdb -> does not exist");
}

static void test_domain_entries(void)
{
	domain_entry *e;
	char got[2048];
	size_t n;

	new_qmaildir("entries");
	add_domain_assign("example.com", "example.com", "/v/ex", 10, 20);
	add_domain_assign("other.org", "other.org", "/v/ot", 11, 21);
	add_domain_assign("alias.net", "example.com", "/v/ex", 10, 20);
	add_domain_assign("z.example.com", "example.com", "/v/ex", 10, 20);
	/* Lines get_domain_entries must skip. */
	update_file(path_of("users/assign"), "+nodot-:nodot:1:1:/n:-::", VP_FILE_ASSIGN);
	update_file(path_of("users/assign"), "=joe.x:joe:1:1:/home/joe:::", VP_FILE_ASSIGN);
	update_file(path_of("users/assign"), "+no.dash:x.com:1:1:/n:-::", VP_FILE_ASSIGN);

	got[0] = '\0';
	for (e = get_domain_entries(""); e != NULL; e = get_domain_entries(NULL)) {
		n = strlen(got);
		snprintf(got + n, sizeof got - n, "%s>%s:%d:%d:%s\n",
		         e->domain, e->realdomain, e->uid, e->gid, e->path);
	}
	is_str(got,
	       "alias.net>example.com:10:20:/v/ex\n"
	       "example.com>example.com:10:20:/v/ex\n"
	       "z.example.com>example.com:10:20:/v/ex\n"
	       "other.org>other.org:11:21:/v/ot\n",
	       "entries: all, in file order, non-domain lines skipped");

	got[0] = '\0';
	for (e = get_domain_entries("EXAMPLE.com"); e != NULL; e = get_domain_entries(NULL)) {
		n = strlen(got);
		snprintf(got + n, sizeof got - n, "%s ", e->domain);
	}
	is_str(got, "alias.net example.com z.example.com ", "entries: one real domain with its aliases");

	got[0] = '\0';
	for (e = get_domain_entries("alias.net"); e != NULL; e = get_domain_entries(NULL)) {
		n = strlen(got);
		snprintf(got + n, sizeof got - n, "%s ", e->domain);
	}
	is_str(got, "alias.net example.com z.example.com ", "entries: an alias selects its real domain");

	e = get_domain_entries("nosuch.com");
	ok(e == NULL, "entries: unknown domain -> none");

	unlink(path_of("users/assign"));
	verrori = 0;
	ok(get_domain_entries("") == NULL && verrori == VA_CANNOT_READ_ASSIGN,
	   "entries: missing assign -> NULL, verrori = VA_CANNOT_READ_ASSIGN");
}

/* Two processes adding domains at once must not lose or garble anything. */
static void test_concurrency(void)
{
	pid_t kids[2];
	int k, i, status, all_ok = 1, lines = 0;
	char name[64], *s, *p;

#ifndef FILE_LOCKING
	/* --disable-file-locking: nothing serialises the writers (as in 5.6). */
	ok(1, "race # SKIP built with --disable-file-locking");
	return;
#endif
	new_qmaildir("race");
	for (k = 0; k < 2; k++) {
		kids[k] = fork();
		if (kids[k] == 0) {
			int bad = 0;

			for (i = 0; i < 25; i++) {
				snprintf(name, sizeof name, "p%d-%02d.com", k, i);
				if (add_domain_assign(name, name, "/v/r", 5, 5) != 0)
					bad = 1;
			}
			_exit(bad);
		}
	}
	for (k = 0; k < 2; k++)
		if (waitpid(kids[k], &status, 0) != kids[k] || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			all_ok = 0;
	ok(all_ok, "race: both writers succeeded");
	s = slurp(path_of("users/assign"));
	for (p = s; p != NULL && *p; p++)
		if (*p == '\n')
			lines++;
	is_int(lines, 51, "race: assign has 50 lines + '.'");
	free(s);
	all_ok = 1;
	for (k = 0; k < 2; k++)
		for (i = 0; i < 25; i++) {
			struct vdomain d;

			snprintf(name, sizeof name, "p%d-%02d.com", k, i);
			if (vp_domain_lookup(name, &d) != 0)
				all_ok = 0;
		}
	ok(all_ok, "race: users/cdb knows all 50 domains");
	is_int(count_rcpthosts(), 50, "race: rcpthosts has 50 lines");
}

static void test_signal_process(void)
{
	char fake[600], prog[64];
	pid_t target, decoy;
	int status, pfd[2];
	struct timespec ts = { 0, 300 * 1000000L };

	if (access("/bin/sleep", X_OK) != 0 || access("/bin/sh", X_OK) != 0 ||
	    (access("/bin/ps", X_OK) != 0 && access("/usr/bin/ps", X_OK) != 0)) {
		ok(1, "# SKIP needs /bin/sleep, /bin/sh and ps");
		return;
	}
	/* A name no real process has, so the test never hits anything else. */
	snprintf(prog, sizeof prog, "vpng-test-%ld", (long)getpid());
	sandbox_path(fake, sizeof fake, prog);
	if (symlink("/bin/sleep", fake) != 0) {
		ok(0, "signal: symlink");
		return;
	}
	target = fork();
	if (target == 0) {
		execl(fake, fake, "30", (char *)NULL);
		_exit(127);
	}
	/* A shell whose command line merely mentions the name. */
	if (pipe(pfd) != 0) {
		ok(0, "signal: pipe");
		return;
	}
	decoy = fork();
	if (decoy == 0) {
		dup2(pfd[0], 0);
		close(pfd[0]);
		close(pfd[1]);
		execl("/bin/sh", "sh", "-c", "read x", prog, (char *)NULL);
		_exit(127);
	}
	close(pfd[0]);
	nanosleep(&ts, NULL);
	setenv("VPOPMAIL_PS", "ps axww", 1);
	is_int(signal_process(prog, SIGTERM), 0, "signal: returns 0");
	nanosleep(&ts, NULL);
	ok(waitpid(target, &status, WNOHANG) == target && WIFSIGNALED(status) &&
	   WTERMSIG(status) == SIGTERM, "signal: the process named %s got the signal", prog);
	ok(waitpid(decoy, &status, WNOHANG) == 0, "signal: a shell mentioning the name is spared");
	close(pfd[1]);                          /* lets the decoy's read end */
	waitpid(decoy, &status, 0);
	if (waitpid(target, &status, WNOHANG) == 0) {
		kill(target, SIGKILL);
		waitpid(target, &status, 0);
	}
	setenv("VPOPMAIL_PS", "/nonexistent/ps ax", 1);
	is_int(signal_process(prog, SIGHUP), 0, "signal: no ps -> silently 0");
}

/* A configured qmail-newu / qmail-newmrh is run in QMAILDIR with umask 022. */
static void test_external_tools(void)
{
	char script[700], want[700];
	mode_t old;

	new_qmaildir("tools");
	sandbox_path(script, sizeof script, "fake-newu");
	put_file(script, "#!/bin/sh\n{ umask; pwd; } > ran-newu\n");
	chmod(script, 0755);
	setenv("VPOPMAIL_QMAIL_NEWU", script, 1);
	old = umask(077);
	is_int(update_newu(), 0, "tools: update_newu runs the configured program");
	umask(old);
	snprintf(want, sizeof want, "0022\n%s\n", qdir);
	ok(file_is("ran-newu", want), "tools: child ran in QMAILDIR with umask 022");
	ok(!exists(path_of(USERS_CDB)), "tools: our own writer not used then");

	sandbox_path(script, sizeof script, "fake-newmrh");
	put_file(script, "#!/bin/sh\nexit 3\n");
	chmod(script, 0755);
	setenv("VPOPMAIL_QMAIL_NEWMRH", script, 1);
	is_int(compile_morercpthosts(), VA_COULD_NOT_UPDATE_FILE,
	       "tools: a failing qmail-newmrh is reported");
	setenv("VPOPMAIL_QMAIL_NEWU", "/nonexistent/qmail-newu", 1);
	setenv("VPOPMAIL_QMAIL_NEWMRH", "/nonexistent/qmail-newmrh", 1);
}

int main(void)
{
	if (sandbox_create("unit_qmailcdb") != 0)
		return 1;
	setenv("VPOPMAIL_HOME", sandbox, 1);
	setenv("VPOPMAIL_QMAIL_NEWU", "/nonexistent/qmail-newu", 1);
	setenv("VPOPMAIL_QMAIL_NEWMRH", "/nonexistent/qmail-newmrh", 1);

	test_newu_worked_example();
	test_newu_large_and_case();
	test_newu_bad_format();
	test_newmrh();
	test_sorted_insert();
	test_long_line_limit();
	test_out_of_order();
	test_remove_lines();
	test_add_domain_rcpthosts_rule();
	test_lookup();
	test_domain_entries();
	test_concurrency();
	test_signal_process();
	test_external_tools();
	sandbox_remove();
	return done_testing();
}
