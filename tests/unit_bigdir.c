/*
 * unit_bigdir.c - .dir-control format, hash-dir placement sequence,
 * decrement, backfill list and the classic wrappers; and the tree walks
 * of fsutil.c (vp_chown_tree, vp_rmtree) that domain directories rely on.
 */
#include "tap.h"
#include "vpinternal.h"
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char table[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* The placement table of the spec (§3.6), as plain arithmetic. */
static void expected_hash(unsigned long n, char *out)
{
	unsigned long m;

	out[0] = '\0';
	if (n < 100)
		return;
	if (n < 6300) {
		out[0] = table[n / 100 - 1];
		out[1] = '\0';
		return;
	}
	m = (n - 6300) / 100;
	out[0] = table[m / 62];
	out[1] = '/';
	out[2] = table[m % 62];
	out[3] = '\0';
}

static void test_format(void)
{
	char ctl[512];
	vdir_type vd;

	sandbox_path(ctl, sizeof ctl, "fmt/.dir-control");
	vp_dirctl_init(&vd);
	is_int(vp_dirctl_write(ctl, &vd, getuid(), getgid()), 0, "write fresh state");
	is_str(file_text(ctl), "0\n0\n3\n0 0 0\n61 61 61\n0 2 4\n0 0 0\n\n",
	       "fresh state: 8 lines, mods 0 2 4, empty dir line");
	is_int(mode_of(ctl), 0600, "written per umask 077: 0600");

	/* Reading repeats the second number of lines 4-7 as the third. */
	put_file(ctl, "42\n1\n3\n0 0 3\n61 61 30\n0 2 4\n7 8 9\nA/b\n");
	is_int(vp_dirctl_read(ctl, &vd), 0, "read an existing file");
	ok(vd.cur_users == 42 && vd.level_cur == 1 && vd.level_max == 3, "scalars read");
	ok(vd.level_start[0] == 0 && vd.level_start[1] == 0 && vd.level_start[2] == 0,
	   "starts 0 0 3 read as 0 0 0");
	ok(vd.level_end[2] == 61 && vd.level_mod[2] == 2 && vd.level_index[2] == 8,
	   "third column repeats the second on every triple line");
	is_str(vd.the_dir, "A/b", "dir line");
	vp_dirctl_write(ctl, &vd, getuid(), getgid());
	is_str(file_text(ctl), "42\n1\n3\n0 0 0\n61 61 61\n0 2 2\n7 8 8\nA/b\n",
	       "rewritten file shows the quirk");

	sandbox_path(ctl, sizeof ctl, "fmt/absent");
	is_int(vp_dirctl_read(ctl, &vd), 1, "absent file reads as 1 (defaults)");
	ok(vd.cur_users == 0 && vd.level_mod[2] == 4 && vd.level_end[1] == 61 &&
	   vd.the_dir[0] == '\0', "defaults filled in");

	sandbox_path(ctl, sizeof ctl, "fmt/.dir-control");
	put_file(ctl, "5\n0\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n../../etc\n");
	is_int(vp_dirctl_read(ctl, &vd), VA_PARSE_ERROR, "a dir line that is no hash path is refused");
	put_file(ctl, "5\n7\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n\n");
	is_int(vp_dirctl_read(ctl, &vd), VA_PARSE_ERROR, "level_cur out of range is refused");
}

/* States the allocator never writes are refused, whatever else holds. */
static void test_impossible(void)
{
	static const struct { const char *text, *what; } bad[] = {
		{ "99\n0\n3\n0 0 0\n0 0 0\n0 0 0\n0 0 0\n\n", "all-zero positions and bounds" },
		{ "\n\n\n\n\n\n\n\n", "eight empty lines" },
		{ "", "an empty file" },
		{ "5\n0\n3\n0 0 0\n61 61 61\n0 0 0\n0 0 0\n\n", "positions 0 0 (one character for two levels)" },
		{ "5\n0\n3\n0 0 0\n61 61 61\n2 0 0\n0 0 0\n\n", "positions 2 0 (decreasing)" },
		{ "5\n0\n3\n0 0 0\n61 61 61\n0 4 4\n0 0 0\n\n", "second position 4" },
		{ "5\n0\n3\n0 0 0\n0 0 0\n0 2 2\n0 0 0\n\n", "ends 0" },
		{ "5\n0\n3\n1 1 1\n61 61 61\n0 2 2\n0 0 0\n\n", "starts 1" },
		{ "5\n0\n3\n0 0 0\n60 60 60\n0 2 2\n0 0 0\n\n", "ends 60" },
		{ "5\n0\n0\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n\n", "level_max 0" },
		{ "5\n0\n3\n0 0 0\n61 61 61\n0 2 2\n-1 0 0\n0\n", "a negative index" },
		{ "5\n0\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n0/\n", "depth 0 with 0/" },
		{ "5\n0\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n0/0\n", "depth 0 with 0/0" },
		{ "5\n1\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n\n", "depth 1 with no directory" },
		{ "5\n1\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n0/\n", "depth 1 with 0/" },
		{ "5\n1\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\nab\n", "depth 1 with ab" },
		{ "5\n2\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n0/0\n", "depth 2 with 0/0" },
		{ "5\n2\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n0/0/0/\n", "depth 2 with 0/0/0/" },
	};
	static const struct { const char *text, *what; } good[] = {
		{ "7\n0\n3\n0 0 0\n61 61 61\n0 2 4\n0 0 0\n\n", "fresh, positions 0 2 4" },
		{ "150\n0\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n0\n", "depth 0 in 0" },
		{ "12400\n1\n3\n0 0 0\n61 61 61\n0 2 2\n0 62 61\n0/z\n", "depth 1, index 62" },
		{ "775000\n2\n3\n0 0 0\n61 61 61\n0 2 2\n0 63 0\n0/1/\n", "depth 2 as it is written: 0/1/, index 63" },
		{ "390700\n2\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n0/0/0\n", "depth 2 after a batch from no file: 0/0/0" },
	};
	char ctl[512], base[512], hash[64], path[600];
	vdir_type vd;
	size_t i;

	sandbox_path(base, sizeof base, "imp");
	sandbox_path(ctl, sizeof ctl, "imp/.dir-control");
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		put_file(ctl, bad[i].text);
		is_int(vp_dirctl_read(ctl, &vd), VA_PARSE_ERROR, bad[i].what);
	}
	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		put_file(ctl, good[i].text);
		is_int(vp_dirctl_read(ctl, &vd), 0, good[i].what);
	}

	/* The fuzzer's case: an all-zero file, the count crossing 100, 200,
	 * 300.  Every allocation is refused; no "0/" or "0//" appears. */
	put_file(ctl, bad[0].text);
	is_int(vp_bigdir_next(ctl, base, getuid(), getgid(), hash, sizeof hash),
	       VA_PARSE_ERROR, "all-zero file: the allocation is refused");
	is_str(file_text(ctl), bad[0].text, "... and the file is left as it was");
	put_file(ctl, "199\n0\n3\n0 0 0\n0 0 0\n0 0 0\n0 0 0\n0\n");
	is_int(vp_bigdir_next(ctl, base, getuid(), getgid(), hash, sizeof hash),
	       VA_PARSE_ERROR, "all-zero file at 199: refused");
	snprintf(path, sizeof path, "%s/0", base);
	ok(!is_dir(path), "no hash dir made from it");
}

static void test_sequence(void)
{
	char ctl[512], base[512], hash[64], want[64], path[600];
	char at230[256] = "", at6299[256] = "", at6300[256] = "", at12400[256] = "";
	char at12500[256] = "", at13000[256] = "";
	unsigned long n, bad = 0, first_bad = 0;
	int rc = 0;

	sandbox_path(base, sizeof base, "seq");
	sandbox_path(ctl, sizeof ctl, "seq/.dir-control");

	is_int(vp_bigdir_next(ctl, base, getuid(), getgid(), hash, sizeof hash), 0,
	       "first allocation");
	is_str(hash, "", "first entry goes in the root");
	is_str(file_text(ctl), "1\n0\n3\n0 0 0\n61 61 61\n0 2 4\n0 0 0\n\n",
	       "after one user: as observed on 5.6 (mods still 0 2 4)");

	for (n = 2; n <= 13001; n++) {
		rc = vp_bigdir_next(ctl, base, getuid(), getgid(), hash, sizeof hash);
		if (rc != 0)
			break;
		expected_hash(n, want);
		if (strcmp(hash, want) != 0 && bad++ == 0)
			first_bad = n;
		if (n == 230) snprintf(at230, sizeof at230, "%s", file_text(ctl));
		if (n == 6299) snprintf(at6299, sizeof at6299, "%s", file_text(ctl));
		if (n == 6300) snprintf(at6300, sizeof at6300, "%s", file_text(ctl));
		if (n == 12400) snprintf(at12400, sizeof at12400, "%s", file_text(ctl));
		if (n == 12500) snprintf(at12500, sizeof at12500, "%s", file_text(ctl));
		if (n == 13000) snprintf(at13000, sizeof at13000, "%s", file_text(ctl));
	}
	is_int(rc, 0, "13,000 allocations succeed");
	if (!ok(bad == 0, "every placement 2..13001 matches the table"))
		printf("#   %lu mismatches, first at N=%lu\n", bad, first_bad);

	is_str(at230, "230\n0\n3\n0 0 0\n61 61 61\n0 2 2\n1 0 0\n1\n",
	       "after 230 users: indexes 1 0 0, dir 1 (observed)");
	is_str(at6299, "6299\n0\n3\n0 0 0\n61 61 61\n0 2 2\n61 0 0\nz\n", "6299: last of level 0");
	is_str(at6300, "6300\n1\n3\n0 0 0\n61 61 61\n0 2 2\n0 1 0\n0/0\n",
	       "6300: second level opens with 0/0 (index already 1)");
	is_str(at12400, "12400\n1\n3\n0 0 0\n61 61 61\n0 2 2\n0 62 61\n0/z\n",
	       "12400: 0/z with index 62 (one ahead on the first pass)");
	is_str(at12500, "12500\n1\n3\n0 0 0\n61 61 61\n0 2 2\n1 0 62\n1/0\n",
	       "12500: carry into the first level");
	is_str(at13000, "13000\n1\n3\n0 0 0\n61 61 61\n0 2 2\n1 5 4\n1/5\n",
	       "13000: third index column lags when the second just moved");
	is_str(file_text(ctl), "13001\n1\n3\n0 0 0\n61 61 61\n0 2 2\n1 5 5\n1/5\n",
	       "13001: columns equal again after a plain read-modify-write");

	snprintf(path, sizeof path, "%s/0", base);
	ok(is_dir(path), "hash dir 0 created");
	snprintf(path, sizeof path, "%s/z", base);
	ok(is_dir(path), "hash dir z created");
	snprintf(path, sizeof path, "%s/1/5", base);
	ok(is_dir(path) && mode_of(path) == 0700, "hash dir 1/5 created, mode 0700");

	/* Deletions step the counter back; the threshold then fires again. */
	vp_bigdir_dec(ctl, getuid(), getgid());
	vp_bigdir_dec(ctl, getuid(), getgid());
	is_str(file_text(ctl), "12999\n1\n3\n0 0 0\n61 61 61\n0 2 2\n1 5 5\n1/5\n",
	       "two decrements: only cur_users changes");
	vp_bigdir_next(ctl, base, getuid(), getgid(), hash, sizeof hash);
	is_str(hash, "1/6", "13000 reached again: the next hash dir");
}

static void test_decrement(void)
{
	char ctl[512], base[512], hash[64];

	sandbox_path(base, sizeof base, "dec");
	sandbox_path(ctl, sizeof ctl, "dec/.dir-control");
	is_int(vp_bigdir_dec(ctl, getuid(), getgid()), 0, "decrement with no file");
	is_str(file_text(ctl),
	       "18446744073709551615\n0\n3\n0 0 0\n61 61 61\n0 2 4\n0 0 0\n\n",
	       "0 - 1 wraps to 18446744073709551615");
	/* atol() saturates at LONG_MAX when that is read back. */
	vp_bigdir_next(ctl, base, getuid(), getgid(), hash, sizeof hash);
	is_str(file_text(ctl),
	       "9223372036854775808\n0\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n\n",
	       "reading the wrapped value saturates like atol, then +1");

	sandbox_path(ctl, sizeof ctl, "dec/reuse-absent");
	is_int(vp_bigdir_count_reuse(ctl, getuid(), getgid()), 0, "count_reuse, no file");
	is_str(file_text(ctl), "0\n0\n3\n0 0 0\n61 61 61\n0 2 4\n0 0 0\n\n",
	       "cur_users 0 is not incremented, file still written");
	put_file(ctl, "5\n0\n3\n0 0 0\n61 61 61\n0 2 4\n0 0 0\n\n");
	vp_bigdir_count_reuse(ctl, getuid(), getgid());
	is_str(file_text(ctl), "6\n0\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n\n",
	       "non-zero cur_users is incremented");

	is_int(vp_bigdir_next("", base, getuid(), getgid(), hash, sizeof hash), 0,
	       "no control file name: still succeeds");
	is_str(hash, "", "... and places in the root");
	sandbox_path(ctl, sizeof ctl, "dec/missing-dir/.dir-control");
	is_int(vp_bigdir_next(ctl, base, getuid(), getgid(), hash, sizeof hash), 0,
	       "control file's directory missing: still succeeds");
	ok(hash[0] == '\0' && access(ctl, F_OK) != 0, "... root, nothing written");
}

static void test_concurrency(void)
{
	char ctl[512], base[512], hash[64];
	int i, status, okc = 1;

	sandbox_path(base, sizeof base, "conc");
	sandbox_path(ctl, sizeof ctl, "conc/.dir-control");
	for (i = 0; i < 4; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			int j, fails = 0;

			for (j = 0; j < 50; j++)
				if (vp_bigdir_next(ctl, base, getuid(), getgid(), hash, sizeof hash) != 0)
					fails++;
			_exit(fails ? 1 : 0);
		}
	}
	for (i = 0; i < 4; i++)
		if (wait(&status) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			okc = 0;
	ok(okc, "4 processes x 50 allocations all succeed");
	is_str(file_text(ctl), "200\n0\n3\n0 0 0\n61 61 61\n0 2 2\n1 0 0\n1\n",
	       "no increment lost under concurrency");
}

static void test_ctlpath(void)
{
	char out[512], want[600];

	setenv("VPOPMAIL_UID", "4242", 1);
	is_int(vp_domains_ctlpath(4242, out, sizeof out), 0, "ctlpath for the vpopmail uid");
	sandbox_path(want, sizeof want, DOMAINS_DIR "/.dir-control");
	is_str(out, want, "... is <VPOPMAILDIR>/<domains dir>/.dir-control");
	is_int(vp_domains_ctlpath(0, out, sizeof out), 0, "ctlpath for uid 0");
	is_str(out, "/root/" DOMAINS_DIR "/.dir-control", "... uses that uid's passwd home");
	ok(vp_domains_ctlpath(3999999, out, sizeof out) != 0 && out[0] == '\0',
	   "uid without passwd entry: error and empty name");
}

static void test_backfill(void)
{
	char dom[512], file[600], out[64];

	sandbox_path(dom, sizeof dom, "bf");
	snprintf(file, sizeof file, "%s/.dir_control_free", dom);

	is_int(vp_backfill_take(dom, out, sizeof out), 0, "take with no list: none");
	is_int(vp_backfill_give(dom, "0"), 0, "give 0");
	is_int(mode_of(file), 0600, "list created 0600");
	vp_backfill_give(dom, "A/b");
	is_str(file_text(file), "0\nA/b\n", "entries appended one per line");
	ok(vp_backfill_give(dom, "../x") != 0, "give refuses a non-hash path");
	ok(vp_backfill_give(dom, "") != 0, "give refuses an empty entry");

	is_int(vp_backfill_take(dom, out, sizeof out), 1, "take: got one");
	is_str(out, "0", "... the first entry");
	is_str(file_text(file), "A/b\n", "... removed from the list");
	is_int(mode_of(file), 0644, "rewritten list is 0644");

	put_file(file, "# freed slots\n\n   \n  3  # old\n4\n");
	is_int(vp_backfill_take(dom, out, sizeof out), 1, "take skips comments and blanks");
	is_str(out, "3", "... entry trimmed of blanks and comment");
	is_str(file_text(file), "# freed slots\n\n   \n4\n", "... only that line removed");

	put_file(file, "# nothing\n\n");
	is_int(vp_backfill_take(dom, out, sizeof out), 0, "only comments: none");
	is_str(file_text(file), "# nothing\n\n", "... file untouched");

	put_file(file, "../../etc\n7");
	is_int(vp_backfill_take(dom, out, sizeof out), 1, "a bad entry is skipped");
	is_str(out, "7", "... the next good one taken (no final newline needed)");
	is_str(file_text(file), "", "... and both gone from the list");

	is_int(vp_backfill_hashpart("/v/domains/example.com/0/bob", "bob", "example.com",
	                            out, sizeof out), 1, "hash part of a hashed user");
	is_str(out, "0", "... is 0");
	is_int(vp_backfill_hashpart("/v/domains/example.com/bob", "bob", "example.com",
	                            out, sizeof out), 0, "root user: nothing to record");
	is_int(vp_backfill_hashpart("/v/domains/0/example.com/A/b/com", "com", "example.com",
	                            out, sizeof out), 1, "names searched from the end");
	is_str(out, "A/b", "... hash part A/b");
}

static void test_classic(void)
{
	char domdir[512], file[600], path[600];
	char user[] = "bob", domain[] = "example.com";
	char bobdir[700];
	vdir_type vd;
	char *r;

	if (!ok(sandbox_domain(domdir, sizeof domdir) == 0, "test domain registered"))
		return;
	snprintf(bobdir, sizeof bobdir, "%s/0/bob", domdir);
	r = backfill(user, domain, bobdir, 2);
	is_str(r, "0", "backfill op 2 records the hash part");
	snprintf(file, sizeof file, "%s/.dir_control_free", domdir);
	is_str(file_text(file), "0\n", "... in .dir_control_free");
	snprintf(bobdir, sizeof bobdir, "%s/bob", domdir);
	ok(backfill(user, domain, bobdir, 2) == NULL, "root user: nothing recorded");

	snprintf(path, sizeof path, "%s/.dir-control", domdir);
	put_file(path, "150\n0\n3\n0 0 0\n61 61 61\n0 2 4\n0 0 0\n0\n");
	r = backfill(user, domain, NULL, 1);
	is_str(r, "0", "backfill op 1 takes the slot");
	is_str(file_text(path), "151\n0\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n0\n",
	       "... and counts the user in .dir-control");
	ok(backfill(user, domain, NULL, 1) == NULL, "list empty: NULL");

	is_int(vread_dir_control(&vd, domain, getuid(), getgid()), 0, "vread_dir_control");
	ok(vd.cur_users == 151, "... reads the domain's file");
	vd.cur_users = 7;
	is_int(vwrite_dir_control(&vd, domain, getuid(), getgid()), 0, "vwrite_dir_control");
	is_str(file_text(path), "7\n0\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n0\n", "... writes it");
	/* 5.6's open_big_dir()/close_big_dir() around the global vdir (vqadmin
	 * reads vdir.cur_users): a reader changes nothing, a change is kept. */
	put_file(path, "7\n0\n3\n0 0 0\n61 61 61\n0 2 4\n0 0 0\n0\n");
	is_int(open_big_dir(domain, getuid(), getgid()), 0, "open_big_dir");
	ok(vdir.cur_users == 7, "... reads the domain's file into vdir");
	is_int(close_big_dir(domain, getuid(), getgid()), 0, "close_big_dir");
	is_str(file_text(path), "7\n0\n3\n0 0 0\n61 61 61\n0 2 4\n0 0 0\n0\n",
	       "... after a reader: the file untouched");
	is_int(open_big_dir(domain, getuid(), getgid()), 0, "open_big_dir again");
	vdir.cur_users = 8;
	is_int(close_big_dir(domain, getuid(), getgid()), 0, "close_big_dir after a change");
	is_str(file_text(path), "8\n0\n3\n0 0 0\n61 61 61\n0 2 2\n0 0 0\n0\n", "... writes vdir back");
	vd.cur_users = 7;
	is_int(vwrite_dir_control(&vd, domain, getuid(), getgid()), 0, "vwrite_dir_control again");
	dec_dir_control(domain, getuid(), getgid());
	ok(strncmp(file_text(path), "6\n", 2) == 0, "dec_dir_control");
	is_int(vdel_dir_control(domain), 0, "vdel_dir_control");
	ok(access(path, F_OK) != 0, "... removes the file");

	/* dom_<uid> names fall back to the domains counter of that uid. */
	setenv("VPOPMAIL_UID", "4242", 1);
	is_str(next_big_dir(4242, getgid()), "", "next_big_dir: first domain in the root");
	sandbox_path(path, sizeof path, DOMAINS_DIR "/.dir-control");
	is_str(file_text(path), "1\n0\n3\n0 0 0\n61 61 61\n0 2 4\n0 0 0\n\n",
	       "... counted in <home>/<domains dir>/.dir-control");
	is_int(vread_dir_control(&vd, "dom_4242", 4242, getgid()), 0, "vread_dir_control(dom_uid)");
	ok(vd.cur_users == 1, "... reads the domains counter");
}

/* owner "uid:gid" of path (lstat), for the tree walks below. */
static const char *owner(const char *path)
{
	static char buf[64];
	struct stat st;

	if (lstat(path, &st) != 0)
		return "missing";
	snprintf(buf, sizeof buf, "%u:%u", (unsigned)st.st_uid, (unsigned)st.st_gid);
	return buf;
}

/* vp_chown_tree and vp_rmtree walk a tree without following symlinks. */
static void test_tree_walks(void)
{
	static const char *const dirs[] = { "tree", "tree/a", "tree/a/b" };
	static const char *const files[] = { "tree/f", "tree/a/g", "tree/a/b/h" };
	static const char *const all_entries[] = {
		"tree", "tree/a", "tree/a/b", "tree/f", "tree/a/g", "tree/a/b/h", "tree/link",
	};
	char path[600], outside[600], want[64];
	size_t i;
	int all = 1;

	sandbox_path(outside, sizeof outside, "outside");
	mkdir(outside, 0700);
	sandbox_path(path, sizeof path, "outside/keep");
	put_file(path, "keep");
	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		sandbox_path(path, sizeof path, dirs[i]);
		mkdir(path, 0700);
	}
	for (i = 0; i < sizeof files / sizeof files[0]; i++) {
		sandbox_path(path, sizeof path, files[i]);
		put_file(path, "x");
	}
	sandbox_path(path, sizeof path, "tree/link");
	ok(symlink(outside, path) == 0, "tree with a symlink to a directory outside it");

	sandbox_path(path, sizeof path, "tree");
	snprintf(want, sizeof want, "%u:%u", (unsigned)getuid(), (unsigned)getgid());
	if (vp_can_chown()) {
		is_int(vp_chown_tree(path, 4242, 4343), 0, "chown_tree: whole tree");
		for (i = 0; i < sizeof all_entries / sizeof all_entries[0]; i++) {
			sandbox_path(path, sizeof path, all_entries[i]);
			if (strcmp(owner(path), "4242:4343") != 0) {
				all = 0;
				printf("# %s is %s\n", all_entries[i], owner(path));
			}
		}
		ok(all, "chown_tree: every entry, the symlink itself included");
		is_str(owner(outside), want, "chown_tree: symlink target not followed");
	} else {
		is_int(vp_chown_tree(path, 4242, 4343), 0, "chown_tree: not root, nothing to do");
		is_str(owner(path), want, "chown_tree: not root, owner unchanged");
	}

	sandbox_path(path, sizeof path, "tree");
	is_int(vp_rmtree(path), 0, "rmtree: whole tree");
	ok(!exists(path), "rmtree: tree gone");
	sandbox_path(path, sizeof path, "outside/keep");
	is_str(file_text(path), "keep", "rmtree: symlink target and its contents kept");
	sandbox_path(path, sizeof path, "tree");
	is_int(vp_rmtree(path), 0, "rmtree: missing path is success");
}

/* vp_mkdir_below makes the parts below its base, never the base: a
 * domain directory that vdeldomain removed under a running vadduser
 * must not come back (without its files, it blocked a new vadddomain). */
static void test_mkdir_below(void)
{
	char base[600], path[600];

	sandbox_path(base, sizeof base, "mkb");
	mkdir(base, 0700);
	is_int(vp_mkdir_below(base, "A/b", getuid(), getgid()), 0, "mkdir_below: two levels");
	sandbox_path(path, sizeof path, "mkb/A/b");
	ok(is_dir(path) && mode_of(path) == 0700, "... made, 0750 less the umask");
	is_int(vp_mkdir_below(base, "A/b", getuid(), getgid()), 0, "... again: already there");
	is_int(vp_mkdir_below(base, "", getuid(), getgid()), 0, "... nothing below: nothing to do");

	sandbox_path(base, sizeof base, "mkb-gone");
	errno = 0;
	ok(vp_mkdir_below(base, "A/b", getuid(), getgid()) != 0 && errno == ENOENT,
	   "mkdir_below: base missing: ENOENT");
	ok(!exists(base), "... and the base is not made");
	ok(vp_mkdir_below(base, "/A", getuid(), getgid()) != 0 && !exists(base),
	   "... nor through a leading slash");
	ok(vp_mkdir_below(base, "A", getuid(), getgid()) != 0 && !exists(base),
	   "... nor for one level");
	sandbox_path(path, sizeof path, "mkb-gone/x/y");
	is_int(vp_mkdir_p(path, getuid(), getgid()), 0, "mkdir_p still makes every part");
	ok(is_dir(path), "... all of them");
}

int main(void)
{
	char path[600];

	umask(077);
	if (sandbox_create("unit_bigdir") != 0)
		return 1;
	setenv("VPOPMAIL_HOME", sandbox, 1);
	sandbox_path(path, sizeof path, "qmail");
	setenv("VPOPMAIL_QMAILDIR", path, 1);
	sandbox_path(path, sizeof path, "qmail/bin/none");
	setenv("VPOPMAIL_QMAIL_NEWU", path, 1);
	setenv("VPOPMAIL_UID", "4242", 1);
	for (const char *const *d = (const char *const[]){ "fmt", "imp", "seq", "dec", "conc", "bf", NULL };
	     *d != NULL; d++) {
		sandbox_path(path, sizeof path, *d);
		mkdir(path, 0700);
	}

	test_format();
	test_impossible();
	test_sequence();
	test_decrement();
	test_concurrency();
	test_ctlpath();
	test_backfill();
	test_classic();
	test_tree_walks();
	test_mkdir_below();

	sandbox_remove();
	return done_testing();
}
