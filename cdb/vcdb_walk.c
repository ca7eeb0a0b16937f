/*
 * vcdb_walk.c - the cdb backend's walk over a domain's users (in vpasswd
 * order, one record in memory at a time) and its users' lastauth files.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1   /* O_PATH */
#endif
#include "vcdb_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define ITER_BUF (64 * 1024)

struct vcdb_iter {
	FILE  *fp;
	char  *line;
	size_t cap;
	char   buf[ITER_BUF];     /* fp's buffer */
};

/*
 * While a walk is open, the lastauth files of the users it lists are
 * opened relative to a handle on their domain's directory (see
 * below_walk_dir()): a listing reads one per user, and resolving the full
 * path again for each was most of vuserinfo -D's time.  The handle lives
 * no longer than the walks, so a long-running process never keeps one
 * on a directory that has since been removed or replaced.
 */
static struct {
	int  walks;               /* iterators open */
	int  fd;                  /* O_PATH handle on dir, or -1 */
	char dir[VP_PATH_MAX];
} walk_dir = { 0, -1, "" };

void *vcdb_iter_open(const struct vdomain *d)
{
	struct vcdb_files f;
	struct vcdb_iter *it;

	if (d == NULL || vcdb_files(d, &f) != 0)
		return NULL;
	it = calloc(1, sizeof *it);
	if (it == NULL)
		return NULL;
	it->fp = vp_fopen_read(f.passwd);
	if (it->fp == NULL && errno != EINVAL) {
		free(it);
		return NULL;
	}
	/* 64 KB reads instead of stdio's 4 KB: a walk of a big domain is one
	 * read per 16 pages rather than per page (memory stays constant).
	 * glibc ignores the size unless it is given the buffer too.  (No fp:
	 * vpasswd is there but not a file, a read error for iter_next.) */
	if (it->fp != NULL)
		setvbuf(it->fp, it->buf, _IOFBF, sizeof it->buf);
	walk_dir.walks++;
	return it;
}

/*
 * Unlike vpopmail, a line that does not parse is skipped instead of ending
 * the walk, and lines of any length are read whole.
 */
int vcdb_iter_next(void *p, struct vpw_entry *out)
{
	struct vcdb_iter *it = p;

	if (it == NULL || out == NULL)
		return VA_NULL_POINTER;
	if (it->fp == NULL)
		return VA_COULD_NOT_UPDATE_FILE;
	return vpw_read_entry(it->fp, &it->line, &it->cap, out);
}

void vcdb_iter_close(void *p)
{
	struct vcdb_iter *it = p;

	if (it == NULL)
		return;
	if (it->fp != NULL)
		fclose(it->fp);
	free(it->line);
	free(it);
	if (--walk_dir.walks == 0 && walk_dir.fd >= 0) {
		close(walk_dir.fd);
		walk_dir.fd = -1;
	}
}

/* ------------------------------------------------------------------ */
/* Last authentication: <user dir>/lastauth, IP inside, time = mtime.  */

#ifdef ENABLE_AUTH_LOGGING
static int lastauth_path(const struct vqpasswd *pw, char *buf, size_t size)
{
	static const char name[] = "/lastauth";
	size_t n;

	if (pw == NULL || pw->pw_dir == NULL || pw->pw_dir[0] == '\0')
		return VA_NULL_POINTER;
	/* Once per user in a listing: a copy, not a format. */
	n = strlen(pw->pw_dir);
	if (n + sizeof name > size)
		return VA_DIR_TOO_LONG;
	memcpy(buf, pw->pw_dir, n);
	memcpy(buf + n, name, sizeof name);
	return 0;
}

/*
 * The rest of path below d's directory when an open walk's handle can
 * reach it, else NULL.  openat() from the handle resolves the rest just
 * as the full path would from the directory the handle was opened on.
 */
static const char *below_walk_dir(const struct vdomain *d, const char *path)
{
	size_t n = strlen(d->dir);

	if (walk_dir.walks == 0 || n == 0 || strncmp(path, d->dir, n) != 0 || path[n] != '/')
		return NULL;
	if (walk_dir.fd < 0 || strcmp(walk_dir.dir, d->dir) != 0) {
		if (walk_dir.fd >= 0)
			close(walk_dir.fd);
		walk_dir.fd = open(d->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (walk_dir.fd < 0)
			return NULL;
		memcpy(walk_dir.dir, d->dir, n + 1);
	}
	return path + n + 1;
}
#endif

int vcdb_set_lastauth(const struct vdomain *d, const struct vqpasswd *pw,
                             const char *ip, time_t when)
{
#ifdef ENABLE_AUTH_LOGGING
	char path[VP_PATH_MAX], nl[] = "\n";
	struct stat st;
	struct timespec ts[2];
	struct iovec iov[2];
	size_t len;
	int rc, fd;

	if (d == NULL)
		return VA_NULL_POINTER;
	if ((rc = lastauth_path(pw, path, sizeof path)) != 0)
		return rc;
	if (ip == NULL)
		ip = "";
	/*
	 * Bookkeeping, rewritten in place like the original does: a few
	 * bytes in one write(2), no temp file, no fsync (this runs on every
	 * login, and every new inode is expensive on a busy filesystem).
	 * Overwritten, then cut to length, not truncated first: on a full
	 * file system the write fails and the old address stays (truncated
	 * first, the file was left empty).  The write carries a newline that
	 * the cut then drops: a process killed between the two leaves the
	 * new address as the first line (readers stop there), not the new
	 * address run together with the tail of a longer old one.
	 */
	/* (O_NONBLOCK: a FIFO in its place must not hold up the login) */
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0600);
	if (fd < 0)
		return VA_COULD_NOT_UPDATE_FILE;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return VA_COULD_NOT_UPDATE_FILE;
	}
	len = strlen(ip);
	iov[0].iov_base = (void *)ip;   /* writev does not write through it */
	iov[0].iov_len = len;
	iov[1].iov_base = nl;
	iov[1].iov_len = 1;
	ts[0].tv_sec = ts[1].tv_sec = when;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	rc = (writev(fd, iov, 2) == (ssize_t)(len + 1) && ftruncate(fd, (off_t)len) == 0 &&
	      futimens(fd, ts) == 0) ? 0 : VA_COULD_NOT_UPDATE_FILE;
	if (vp_can_chown() && fchown(fd, d->uid, d->gid) != 0)
		rc = VA_COULD_NOT_UPDATE_FILE;
	if (close(fd) != 0)
		rc = VA_COULD_NOT_UPDATE_FILE;
	return rc;
#else
	(void)d; (void)pw; (void)ip; (void)when;
	return 0;
#endif
}

/*
 * *when = mtime of lastauth and ip = its first line.  No file (or a build
 * without auth logging) is VA_NO_AUTH_CONNECTION with *when = 0 and ip = "",
 * the same code vadduser() uses when lastauth cannot be written.
 */
int vcdb_get_lastauth(const struct vdomain *d, const struct vqpasswd *pw,
                             time_t *when, char *ip, size_t ipsize)
{
	if (when != NULL)
		*when = 0;
	if (ip != NULL && ipsize > 0)
		ip[0] = '\0';
#ifdef ENABLE_AUTH_LOGGING
	{
		char path[VP_PATH_MAX];
		struct stat st;
		ssize_t n;
		char *nl;
		const char *rest;
		int fd, rc;

		if ((rc = lastauth_path(pw, path, sizeof path)) != 0)
			return rc;
		rest = d != NULL ? below_walk_dir(d, path) : NULL;
		/* stat first: a missing file (a user who never logged in, or
		 * whose directory is not made yet) then costs no failed open,
		 * which allocates and frees a file on the way; a listing
		 * meets one per user. */
		if ((rest != NULL ? fstatat(walk_dir.fd, rest, &st, 0) : stat(path, &st)) != 0)
			return VA_NO_AUTH_CONNECTION;
		if (when != NULL)
			*when = st.st_mtime;
		/* Not a file (a FIFO would block the open): no address. */
		if (ip == NULL || ipsize == 0 || !S_ISREG(st.st_mode))
			return 0;
		if (rest != NULL)
			fd = openat(walk_dir.fd, rest, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		else
			fd = vp_open_read(path, 0);
		if (fd < 0) {
			/* There but unreadable (another owner): its time still
			 * says when the account was made, as in 5.6; no address.
			 * Gone since the stat: as if it had not been there. */
			if (errno == ENOENT || errno == ENOTDIR) {
				if (when != NULL)
					*when = 0;
				return VA_NO_AUTH_CONNECTION;
			}
			return 0;
		}
		n = read(fd, ip, ipsize - 1);
		ip[n > 0 ? n : 0] = '\0';
		if ((nl = strchr(ip, '\n')) != NULL)
			*nl = '\0';
		close(fd);
		return 0;
	}
#else
	(void)d;
	(void)pw;
	return VA_NO_AUTH_CONNECTION;
#endif
}
