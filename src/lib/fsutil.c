/*
 * fsutil.c - directory creation, ownership and removal helpers.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1   /* renameat2() */
#endif
#include "vpinternal.h"
#include "fdio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int vp_chown(const char *path, uid_t uid, gid_t gid)
{
	if (!vp_can_chown())
		return 0;
	return lchown(path, uid, gid) == 0 ? 0 : -1;
}

/*
 * Walk the tree below an open directory fd (taken over and closed),
 * calling visit on every entry without following symlinks, each
 * directory's entries before anything below them.  Any depth: a user can
 * build a tree far deeper than any fixed limit (mk_dir and rename_file),
 * so there is no recursion and only one directory is open at a time.  A
 * directory is read whole, the names of its subdirectories kept on a heap
 * stack, before the walk goes down into them; coming back up it opens
 * ".." and checks that it is the directory it left (device and inode):
 * a tree moved meanwhile stops the walk there instead of leading it out
 * of the tree.  Other errors are counted, not fatal: the walk goes on and
 * -1 is returned at the end.
 */
typedef int (*walk_visitor)(int dfd, const char *name, const struct stat *st, void *arg);

struct walk_level {
	dev_t       dev;
	ino_t       ino;
	string_list names;      /* its subdirectories */
	int         next;       /* the next of them to enter */
};

/* Visit the entries of dfd (left open) and note its subdirectories in lv.
 * 0, or -1 if something failed (what could be done is done). */
static int walk_read(int dfd, struct walk_level *lv, walk_visitor visit, void *arg)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, rc = 0;

	memset(lv, 0, sizeof *lv);
	if (fstat(dfd, &st) != 0)
		return -1;
	lv->dev = st.st_dev;
	lv->ino = st.st_ino;
	if ((fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0)) < 0)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			rc = -1;
			continue;
		}
		if (visit(dirfd(d), de->d_name, &st, arg) != 0)
			rc = -1;
		if (S_ISDIR(st.st_mode) && string_list_add(&lv->names, de->d_name) != 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

static int walk_tree(int dfd, walk_visitor visit, void *arg)
{
	struct walk_level *stack = NULL, *lv;
	size_t depth = 0, cap = 0;
	int cur = dfd, rc = 0;

	for (;;) {
		/* cur is a directory not read yet: read it, one level down */
		if (depth == cap) {
			size_t ncap = cap < 16 ? 16 : cap * 2;
			struct walk_level *p = realloc(stack, ncap * sizeof *stack);

			if (p == NULL) {
				rc = -1;
				break;
			}
			stack = p;
			cap = ncap;
		}
		if (walk_read(cur, &stack[depth], visit, arg) != 0)
			rc = -1;
		depth++;
		/* next subdirectory to enter, going back up as levels end */
		for (;;) {
			struct stat st;
			int fd;

			lv = &stack[depth - 1];
			if (lv->next < lv->names.count) {
				const char *name = lv->names.values[lv->next++];

				fd = openat(cur, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
				if (fd < 0) {
					rc = -1;
					continue;
				}
				close(cur);
				cur = fd;
				break;
			}
			string_list_free(&lv->names);
			if (--depth == 0)
				goto done;
			fd = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fd >= 0 && (fstat(fd, &st) != 0 || st.st_dev != stack[depth - 1].dev ||
			                st.st_ino != stack[depth - 1].ino)) {
				close(fd);
				fd = -1;
			}
			if (fd < 0) {
				/* moved away meanwhile: stop here */
				rc = -1;
				while (depth > 0)
					string_list_free(&stack[--depth].names);
				goto done;
			}
			close(cur);
			cur = fd;
		}
	}
	while (depth > 0)
		string_list_free(&stack[--depth].names);
done:
	close(cur);
	free(stack);
	return rc;
}

struct owner {
	uid_t uid;
	gid_t gid;
};

static int chown_entry(int dfd, const char *name, const struct stat *st, void *arg)
{
	const struct owner *o = arg;

	(void)st;
	return fchownat(dfd, name, o->uid, o->gid, AT_SYMLINK_NOFOLLOW);
}

int vp_chown_tree(const char *path, uid_t uid, gid_t gid)
{
	struct owner o = { uid, gid };
	struct stat st;
	int fd;

	if (!vp_can_chown())
		return 0;
	if (lstat(path, &st) != 0)
		return -1;
	if (lchown(path, uid, gid) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return 0;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	return walk_tree(fd, chown_entry, &o);
}

/* mkdir of buf's components from offset `from` on (those before it must
 * exist), chowning what it makes; 0, or -1 with errno set. */
static int mkdir_from(char *buf, size_t from, uid_t uid, gid_t gid)
{
	char *p;

	/* Usually only the last part is missing, or nothing is: one mkdir
	 * instead of one per component (a bulk add calls this per user). */
	if (mkdir(buf, 0750) == 0) {
		/* A directory left to root (0750) would keep the owner out of
		 * what is made below it: not made after all. */
		if (vp_chown(buf, uid, gid) != 0) {
			(void)rmdir(buf);
			return -1;
		}
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -1;
	for (p = buf + from; ; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;

			*p = '\0';
			if (mkdir(buf, 0750) == 0) {
				if (vp_chown(buf, uid, gid) != 0) {
					(void)rmdir(buf);
					return -1;
				}
			} else if (errno != EEXIST) {
				return -1;
			}
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
	return 0;
}

int vp_mkdir_p(const char *path, uid_t uid, gid_t gid)
{
	char buf[VP_PATH_MAX];

	if (vp_strlcpy(buf, path, sizeof buf) != 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (buf[0] == '\0') {
		errno = ENOENT;         /* as mkdir("") */
		return -1;
	}
	return mkdir_from(buf, 1, uid, gid);
}

int vp_mkdir_below(const char *base, const char *rel, uid_t uid, gid_t gid)
{
	char buf[VP_PATH_MAX];
	size_t n = strlen(base);

	while (*rel == '/')
		rel++;
	if (*rel == '\0')
		return 0;
	if (vp_fmt(buf, sizeof buf, "%s/%s", base, rel) != 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* base's own components are never made: if it went away (a domain
	 * deleted meanwhile), this fails with ENOENT on the first one below. */
	return mkdir_from(buf, n + 1, uid, gid);
}

int vp_tree_path_ok(const char *path)
{
	const char *p = path, *s;
	int depth = 0;

	if (path == NULL || *path == '\0')
		return 0;
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		for (s = p; *p != '\0' && *p != '/'; p++)
			;
		if (s[0] == '.' && (p - s == 1 || (p - s == 2 && s[1] == '.')))
			return 0;
		depth++;
	}
	return depth >= (path[0] == '/' ? 2 : 1);
}

int vp_path_below(const char *root, const char *dir)
{
	size_t n;

	if (!vp_tree_path_ok(root) || !vp_tree_path_ok(dir))
		return 0;
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (strncmp(dir, root, n) != 0 || dir[n] != '/')
		return 0;
	while (dir[n] == '/')
		n++;
	return dir[n] != '\0';
}

/*
 * Remove everything below dfd (taken over and closed).  A directory at
 * RM_DEPTH is not entered: it is moved up into top, the directory being
 * removed, under a name of its own, and removed from there by the next
 * pass.  A tree of any depth (a user can build one with mk_dir and
 * rename_file) is removed with bounded recursion and open files.
 */
#define RM_DEPTH 32

static int rm_below(int dfd, int top, int depth, unsigned long *moved)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int rc = 0;

	if ((d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno != ENOENT)	/* (moved up meanwhile) */
				rc = -1;
			continue;
		}
		if (S_ISDIR(st.st_mode) && depth >= RM_DEPTH) {
			static unsigned long seq;
			char name[64];
			int r;

			do {
				snprintf(name, sizeof name, ".rmtree.%ld.%lu", (long)getpid(), ++seq);
			} while ((r = renameat2(dirfd(d), de->d_name, top, name, RENAME_NOREPLACE)) != 0 &&
			         errno == EEXIST);
			if (r != 0)
				rc = -1;
			else
				++*moved;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0 || rm_below(sub, top, depth + 1, moved) != 0)
				rc = -1;
		}
		if (unlinkat(dirfd(d), de->d_name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

int vp_rmtree(const char *path)
{
	unsigned long moved;
	struct stat st;
	int fd, top, rc;

	if (!vp_tree_path_ok(path)) {
		errno = EINVAL;
		return -1;
	}
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	/* Each pass removes RM_DEPTH levels; what lies deeper was moved up. */
	do {
		moved = 0;
		if ((top = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			return -1;
		if ((fd = fcntl(top, F_DUPFD_CLOEXEC, 0)) < 0) {
			close(top);
			return -1;
		}
		rc = rm_below(fd, top, 0, &moved);
		close(top);
	} while (moved != 0);
	if (rc != 0)
		return -1;
	return rmdir(path);
}

static void rmtree_entry(int dfd, const char *dir, const char *name)
{
	char trash[VP_PATH_MAX];

	(void)dfd;
	if (vp_fmt(trash, sizeof trash, "%s/%s", dir, name) == 0)
		(void)vp_rmtree(trash);
}

void vp_sweep_aside(const char *dir)
{
	vp_sweep_dead_aside(dir, rmtree_entry);
}

/*
 * Remove the tree of a deleted user or domain.  It is first renamed to a
 * name no user or domain can have, ".<name>.deleted.<pid>" in aside_dir
 * (beside it when NULL; on the same file system): a program that looked
 * the user or domain up before it was deleted then finds nothing under
 * the old path (and fails or defers) instead of writing into a tree
 * being removed, where its file would be lost or would keep a directory
 * from going (ENOTEMPTY).  A removal killed half way leaves that name,
 * which the next removal in that directory sweeps (vp_sweep_aside).
 */
int vp_rmtree_aside(const char *path, const char *aside_dir)
{
	return vp_rmtree_aside_as(path, aside_dir, (long)getpid());
}

int vp_rmtree_aside_as(const char *path, const char *aside_dir, long pid)
{
	char trash[VP_PATH_MAX], parent[VP_PATH_MAX];
	const char *base = strrchr(path, '/');

	if (!vp_tree_path_ok(path)) {
		errno = EINVAL;
		return -1;
	}
	if (base == NULL)
		return vp_rmtree(path);
	if (aside_dir == NULL) {
		if (vp_dirname(path, parent, sizeof parent) != 0)
			return vp_rmtree(path);
		aside_dir = parent;
	}
	vp_sweep_aside(aside_dir);
	if (vp_fmt(trash, sizeof trash, "%s/.%s.deleted.%ld", aside_dir, base + 1, pid) == 0 &&
	    rename(path, trash) == 0) {
		if (vp_rmtree(trash) == 0)
			return 0;
		/* What could not be removed goes back where the caller's
		 * message says it is, unless something took that name since. */
		(void)renameat2(AT_FDCWD, trash, AT_FDCWD, path, RENAME_NOREPLACE);
		return -1;
	}
	return vp_rmtree(path);
}

int vp_open_read(const char *path, int flags)
{
	struct stat st;
	int fd, err;

	/* O_NONBLOCK: the open of a FIFO must not wait for a writer. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | flags);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0)
		err = errno;
	else if (!S_ISREG(st.st_mode))
		err = EINVAL;
	else if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
		err = errno;
	else
		return fd;
	close(fd);
	errno = err;
	return -1;
}

FILE *vp_fopen_read(const char *path)
{
	FILE *fp;
	int fd, err;

	if ((fd = vp_open_read(path, 0)) < 0)
		return NULL;
	if ((fp = fdopen(fd, "r")) == NULL) {
		err = errno;
		close(fd);
		errno = err;
	}
	return fp;
}

int vp_slurp(const char *path, char **out, size_t *len)
{
	int fd, rc = 0;

	*out = NULL;
	if (len != NULL)
		*len = 0;
	fd = vp_open_read(path, 0);
	if (fd < 0)
		return -1;
	if (vp_slurp_fd(fd, 0, out, len) != 0)
		rc = errno == ENOMEM ? VA_MEMORY_ALLOC_ERR : -1;
	close(fd);
	return rc;
}

int vp_fd_at_path(int fd, const char *path)
{
	struct stat held, there;

	return fstat(fd, &held) == 0 && stat(path, &there) == 0 &&
	       held.st_dev == there.st_dev && held.st_ino == there.st_ino;
}

void vp_stat_stamp(const struct stat *st, struct vp_file_stamp *out)
{
	memset(out, 0, sizeof *out);	/* padding too: stamps are memcmp'd */
	out->dev = st->st_dev;
	out->ino = st->st_ino;
	out->size = st->st_size;
	out->mtime = st->st_mtim;
	out->ctime = st->st_ctim;
}

void vp_file_stamp(const char *path, struct vp_file_stamp *out)
{
	struct stat st;

	if (stat(path, &st) == 0)
		vp_stat_stamp(&st, out);
	else
		memset(out, 0, sizeof *out);
}

int vp_map(const char *path, struct vp_mapped *m)
{
	struct stat st;
	char *copy = NULL;
	void *p;
	int fd, rc = 0;

	m->data = NULL;
	m->len = 0;
	m->mapped = 0;
	if ((fd = vp_open_read(path, 0)) < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		rc = -1;
	} else if (st.st_size == 0) {
		;	/* empty: nothing to map */
	} else if ((unsigned long long)st.st_size <= SIZE_MAX &&
	           (p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0)) != MAP_FAILED) {
		m->data = p;
		m->len = (size_t)st.st_size;
		m->mapped = 1;
	} else if (vp_slurp_fd(fd, 0, &copy, &m->len) != 0) {
		rc = errno == ENOMEM ? VA_MEMORY_ALLOC_ERR : -1;
	} else if (m->len == 0) {
		free(copy);
	} else {
		m->data = copy;
	}
	close(fd);
	return rc;
}

void vp_unmap(struct vp_mapped *m)
{
	if (m->mapped)
		munmap((void *)m->data, m->len);
	else
		free((void *)m->data);
	m->data = NULL;
	m->len = 0;
	m->mapped = 0;
}

int vp_link_target(const char *path, char target[PATH_MAX])
{
	struct stat link, dst, dir;
	char parent[VP_PATH_MAX];

	if (lstat(path, &link) != 0 || !S_ISLNK(link.st_mode) ||
	    realpath(path, target) == NULL ||
	    stat(target, &dst) != 0 || !S_ISREG(dst.st_mode))
		return 0;
	if (dst.st_uid == link.st_uid || dst.st_uid == vp_uid())
		return 1;
	return vp_dirname(path, parent, sizeof parent) == 0 && stat(parent, &dir) == 0 &&
	       dir.st_uid == dst.st_uid;
}

/* Classic wrappers. */
int r_chown(char *path, uid_t uid, gid_t gid)
{
	return vp_chown_tree(path, uid, gid);
}

int r_mkdir(char *path, uid_t uid, gid_t gid)
{
	return vp_mkdir_p(path, uid, gid);
}

int vdelfiles(char *dir)
{
	struct stat st;

	/* 5.6: nothing there to remove is a failure for callers */
	if (dir == NULL || lstat(dir, &st) != 0)
		return -1;
	return vp_rmtree(dir);
}
