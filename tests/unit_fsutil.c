/*
 * unit_fsutil.c - r_chown() (vp_chown_tree) on a tree far deeper than any
 * fixed limit, as a vpopmaild user can build one with mk_dir and
 * rename_file: every level is chowned, with few descriptors, no symbolic
 * link is followed; vp_rmtree() removes the same tree.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"
#include "vpopmail.h"
#include "tap.h"
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEPTH 300
#define BRANCH 150          /* the level that also holds a second subtree */
#define UID 23456
#define GID 23457

/*
 * Build DEPTH nested directories "d" below top, each also holding a file
 * "f" and a symbolic link "l" to `outside`; level BRANCH also holds a
 * directory "e" with a file "g".  Only descriptors, no long paths.
 */
static int build(const char *top, const char *outside)
{
	int fd = open(top, O_RDONLY | O_DIRECTORY), sub, i, f;

	if (fd < 0)
		return -1;
	for (i = 0; i < DEPTH; i++) {
		if (mkdirat(fd, "d", 0755) != 0 ||
		    (f = openat(fd, "f", O_WRONLY | O_CREAT, 0644)) < 0) {
			close(fd);
			return -1;
		}
		close(f);
		if (symlinkat(outside, fd, "l") != 0) {
			close(fd);
			return -1;
		}
		if (i == BRANCH) {
			if (mkdirat(fd, "e", 0755) != 0 ||
			    (sub = openat(fd, "e", O_RDONLY | O_DIRECTORY)) < 0) {
				close(fd);
				return -1;
			}
			f = openat(sub, "g", O_WRONLY | O_CREAT, 0644);
			close(sub);
			if (f < 0) {
				close(fd);
				return -1;
			}
			close(f);
		}
		sub = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		close(fd);
		if (sub < 0)
			return -1;
		fd = sub;
	}
	close(fd);
	return 0;
}

/* Entries below top (walking down the "d" chain) not owned by uid:gid;
 * *seen gets how many were looked at. */
static int wrong_owners(const char *top, uid_t uid, gid_t gid, int *seen)
{
	static const char *const names[] = { "d", "f", "l", "e", "e/g" };
	int fd = open(top, O_RDONLY | O_DIRECTORY), sub, i, wrong = 0;
	size_t k;
	struct stat st;

	*seen = 0;
	if (fd < 0)
		return -1;
	for (i = 0; i <= DEPTH && fd >= 0; i++) {
		for (k = 0; k < sizeof names / sizeof names[0]; k++) {
			if (fstatat(fd, names[k], &st, AT_SYMLINK_NOFOLLOW) != 0)
				continue;
			++*seen;
			if (st.st_uid != uid || st.st_gid != gid)
				wrong++;
		}
		sub = openat(fd, "d", O_RDONLY | O_DIRECTORY);
		close(fd);
		fd = sub;
	}
	if (fd >= 0)
		close(fd);
	return wrong;
}

int main(void)
{
	char top[512], outside[512];
	struct rlimit saved, low;
	struct stat st;
	int fd, seen, rc, wrong, levels;

	if (sandbox_create("unit_fsutil") != 0)
		return 1;
	sandbox_path(top, sizeof top, "tree");
	sandbox_path(outside, sizeof outside, "outside");
	fd = open(outside, O_WRONLY | O_CREAT, 0644);
	ok(fd >= 0 && close(fd) == 0 && mkdir(top, 0755) == 0 && build(top, outside) == 0,
	   "a tree %d levels deep is built", DEPTH);

	if (geteuid() != 0) {
		printf("ok %d # SKIP r_chown needs root\n", ++tap_count);
	} else {
		/* one descriptor per level would run out */
		getrlimit(RLIMIT_NOFILE, &saved);
		low = saved;
		low.rlim_cur = 32;
		setrlimit(RLIMIT_NOFILE, &low);
		rc = r_chown(top, UID, GID);
		setrlimit(RLIMIT_NOFILE, &saved);
		is_int(rc, 0, "r_chown of the whole tree succeeds");
		wrong = wrong_owners(top, UID, GID, &seen);
		is_int(seen, DEPTH * 3 + 2, "every entry is there to check");
		is_int(wrong, 0, "every entry, %d levels down, belongs to %d:%d", DEPTH, UID, GID);
		ok(stat(top, &st) == 0 && st.st_uid == UID && st.st_gid == GID, "the top too");
		ok(stat(outside, &st) == 0 && st.st_uid == 0 && st.st_gid == 0,
		   "the links' target outside the tree is not chowned");
	}

	/* the same tree, once more down its chain, is gone after vp_rmtree */
	levels = 0;
	for (fd = open(top, O_RDONLY | O_DIRECTORY); fd >= 0; levels++) {
		int sub = openat(fd, "d", O_RDONLY | O_DIRECTORY);

		close(fd);
		fd = sub;
	}
	is_int(levels, DEPTH + 1, "the chain is whole after the chown");
	ok(vp_rmtree(top) == 0 && lstat(top, &st) != 0 && errno == ENOENT,
	   "vp_rmtree removes it");
	ok(lstat(outside, &st) == 0, "and leaves the links' target");
	sandbox_remove();
	return done_testing();
}
