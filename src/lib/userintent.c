/*
 * userintent.c - what an add or a delete holding a domain's .userdir.lock
 * is doing to user directories, written into that lock file, so that the
 * next holder can finish the work of one that was killed.
 *
 * While the lock is held the file lists one line per directory in play:
 *
 *	a <pid> <hash>/<user>	an add took that place and makes the directory
 *	b <pid> <hash>/<user>	... a bulk add, which writes .dir-control once
 *				per batch: the place is not counted yet
 *	r <pid> <hash>/<user>	... the same, the place from .dir_control_free
 *	d <pid> <hash>/<user>	a delete is removing the directory
 *
 * (<hash> empty without a hash directory).  The holder cuts the file back
 * when it lets the lock go, so at rest it is empty.  A file that is not
 * empty when the lock is taken was left by a holder that died (the lock
 * went with it): each line is settled against the user's record, as it
 * is now, before anything else is done under the lock.  Without this an
 * add killed after it made the directory, or a delete killed after the
 * record went, left a directory that nothing removed once the name was
 * added again in another hash directory, and a place in the big-dir
 * count that was never given back.
 *
 * The lines are not fsynced: they only speed up recovery after a killed
 * process, and the lock file is not a file others read.
 */
#include "vpinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int intent_fd = -1;      /* the held lock file */
static off_t intent_base;       /* lines kept by the settling (undecided) */
static off_t intent_len;        /* ... and those of this holder after them */
static off_t intent_counted;    /* lines before this are 'a', 'd' or kept */
/* The last user whose removal the settling finished, and the directory
 * (vp_intent_deleted()). */
static char deleted_user[MAX_PW_NAME + 1], deleted_dir[VP_PATH_MAX];

/* What to do with a line: drop it (settled) or keep it for later. */
enum { SETTLED, UNDECIDED };

/* Give back the big-dir place of a directory an add ('a', 'b', 'r') or
 * delete ('d') left: what of it is written in .dir-control and
 * .dir_control_free. */
static void give_back(const struct vdomain *d, char op, const char *hash)
{
	if (op == 'b')
		return;                 /* nothing was written */
	if (op == 'r')
		(void)vp_backfill_give(d->dir, hash);
	else
		vp_user_release_slot(d, hash);
}

/* The record of user: VA_SUCCESS with its directory in dir, or the backend's answer. */
static int record_dir(const struct vdomain *d, const char *user, char *dir, size_t size)
{
	struct vpw_entry e = {0};
	int rc;

	rc = vauth_backend_get()->getpw(d, user, &e);
	if (rc == VA_SUCCESS && vp_strlcpy(dir, e.pw.pw_dir != NULL ? e.pw.pw_dir : "", size) != 0)
		dir[0] = '\0';
	vpw_entry_free(&e);
	return rc;
}

static int is_dir(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * An add killed after it took the place: the directory it made (if it got
 * so far) goes unless the record names it, and the place with it.  A
 * directory that is neither an empty skeleton nor marked stays, and so
 * does its place.  With no directory the add either never made it (a
 * place then stays counted, as before this file) or took it back itself.
 */
static int settle_add(const struct vdomain *d, char op, const char *hash, const char *user,
                      const char *path)
{
	char dir[VP_PATH_MAX];
	int rc = record_dir(d, user, dir, sizeof dir);

	if (rc != VA_SUCCESS && rc != VA_USER_DOES_NOT_EXIST)
		return UNDECIDED;
	if ((rc == VA_SUCCESS && strcmp(dir, path) == 0) || !is_dir(path))
		return SETTLED;
	if (vp_userdir_disposable(path) && vp_rmtree(path) == 0)
		give_back(d, op, hash);
	return SETTLED;
}

/*
 * A delete killed part way.  The record still there (and naming the
 * directory): it stopped before removing it, so only its mark goes.
 * The record gone: the marked directory, or what it had set aside so far
 * (".<user>.deleted.<pid>" in the domain directory), is removed and its
 * place given back, which the delete does last.
 */
static int settle_del(const struct vdomain *d, long pid, const char *hash,
                      const char *user, const char *path)
{
	char dir[VP_PATH_MAX], aside[VP_PATH_MAX];
	int rc = record_dir(d, user, dir, sizeof dir);

	if (rc == VA_SUCCESS) {
		if (strcmp(dir, path) == 0)
			vp_userdir_unmark(path);
		return SETTLED;
	}
	if (rc != VA_USER_DOES_NOT_EXIST)
		return UNDECIDED;
	if (is_dir(path)) {
		if (!vp_userdir_marked(path) || vp_rmtree_aside(path, d->dir) != 0)
			return SETTLED;
	} else if (vp_fmt(aside, sizeof aside, "%s/.%s.deleted.%ld", d->dir, user, pid) != 0 ||
	           !is_dir(aside) || vp_rmtree(aside) != 0) {
		return SETTLED;
	}
	give_back(d, 'd', hash);
	if (vp_strlcpy(deleted_user, user, sizeof deleted_user) != 0 ||
	    vp_strlcpy(deleted_dir, path, sizeof deleted_dir) != 0)
		deleted_user[0] = '\0';
	return SETTLED;
}

/* One line (without its newline): SETTLED, or UNDECIDED to keep it. */
static int settle_line(const struct vdomain *d, const char *line)
{
	char path[VP_PATH_MAX], hash[VP_PATH_MAX], *user, *end;
	long pid;
	char op = line[0];

	if (strchr("abrd", op) == NULL || op == '\0' || line[1] != ' ')
		return SETTLED;         /* not a line of ours */
	errno = 0;
	pid = strtol(line + 2, &end, 10);
	if (errno != 0 || pid <= 0 || *end != ' ' || vp_strlcpy(hash, end + 1, sizeof hash) != 0 ||
	    (user = strrchr(hash, '/')) == NULL)
		return SETTLED;
	*user++ = '\0';
	if ((hash[0] != '\0' && !vp_hash_path_ok(hash)) || user[0] == '\0' || user[0] == '.' ||
	    vp_userdir_path(d, hash, user, path, sizeof path) != 0)
		return SETTLED;
	return op == 'd' ? settle_del(d, pid, hash, user, path) : settle_add(d, op, hash, user, path);
}

/* Read the whole file held open as fd: a malloc'd copy, NUL-terminated. */
static char *read_all(int fd, size_t *len)
{
	struct stat st;
	char *buf;
	size_t got = 0;

	if (fstat(fd, &st) != 0 || st.st_size <= 0 || (buf = malloc((size_t)st.st_size + 1)) == NULL)
		return NULL;
	while (got < (size_t)st.st_size) {
		ssize_t n = pread(fd, buf + got, (size_t)st.st_size - got, (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	*len = got;
	return buf;
}

/* Settle what a dead holder left in the lock file open as fd; the lines
 * that could not be settled now (the database did not answer) are kept
 * at its start.  Returns their length. */
static off_t settle(int fd, const struct vdomain *d)
{
	size_t len, kept = 0;
	char *buf, *line, *nl;

	if ((buf = read_all(fd, &len)) == NULL)
		return 0;
	for (line = buf; line < buf + len; line = nl + 1) {
		size_t n;

		if ((nl = memchr(line, '\n', (size_t)(buf + len - line))) == NULL)
			break;          /* the last line, cut short by the kill */
		n = (size_t)(nl - line);
		*nl = '\0';
		if (memchr(line, '\0', n) != NULL || settle_line(d, line) != UNDECIDED)
			continue;
		*nl = '\n';
		memmove(buf + kept, line, n + 1);
		kept += n + 1;
	}
	if (kept > 0 && pwrite(fd, buf, kept, 0) != (ssize_t)kept)
		kept = 0;
	if (ftruncate(fd, (off_t)kept) != 0)
		kept = 0;
	free(buf);
	return (off_t)kept;
}

void vp_intent_begin(int lockfd, const struct vdomain *d)
{
	struct stat st;

	intent_fd = -1;
	deleted_user[0] = '\0';
	if (lockfd < 0 || fstat(lockfd, &st) != 0)
		return;
	intent_base = st.st_size > 0 ? settle(lockfd, d) : 0;
	intent_len = intent_counted = intent_base;
	intent_fd = lockfd;
}

void vp_intent_note(char op, const char *hash, const char *user)
{
	char line[VP_PATH_MAX + 32];
	int n;

	if (intent_fd < 0 || strchr(hash, '\n') != NULL || strchr(user, '\n') != NULL)
		return;
	n = snprintf(line, sizeof line, "%c %ld %s/%s\n", op, (long)getpid(), hash, user);
	if (n > 0 && (size_t)n < sizeof line &&
	    pwrite(intent_fd, line, (size_t)n, intent_len) == n)
		intent_len += n;
}

void vp_intent_counted(void)
{
	size_t len, i;
	char *buf;

	if (intent_fd < 0 || intent_len <= intent_counted)
		return;
	len = (size_t)(intent_len - intent_counted);
	if ((buf = malloc(len)) == NULL)
		return;
	if (pread(intent_fd, buf, len, intent_counted) == (ssize_t)len) {
		for (i = 0; i < len; i++) {
			if ((i == 0 || buf[i - 1] == '\n') && (buf[i] == 'b' || buf[i] == 'r'))
				buf[i] = 'a';
		}
		if (pwrite(intent_fd, buf, len, intent_counted) == (ssize_t)len)
			intent_counted = intent_len;
	}
	free(buf);
}

void vp_intent_end(int lockfd)
{
	if (lockfd < 0 || lockfd != intent_fd)
		return;
	if (intent_len > intent_base)
		(void)ftruncate(intent_fd, intent_base);
	intent_fd = -1;
}

const char *vp_intent_deleted(const char *user)
{
	return deleted_user[0] != '\0' && strcmp(deleted_user, user) == 0 ? deleted_dir : NULL;
}
