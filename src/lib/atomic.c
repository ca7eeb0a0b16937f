/*
 * atomic.c - locks and atomic replacement of files that others read.
 *
 * A file is never rewritten in place: the new content goes to a temp file
 * in the same directory, is fsynced, renamed over the old name, and the
 * directory is fsynced.  A reader (or a process killed half way) therefore
 * only ever sees the old or the new file.
 *
 * Locks are fcntl write locks on a separate "<file>.lock", the same files
 * vpopmail itself locks, so our tools and the original exclude each other.
 */
#include "vpinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* How long to wait for a busy lock before giving up. */
#define LOCK_WAIT_MS 20000

int vp_lock(const char *path)
{
#ifndef FILE_LOCKING
	/* Built with --disable-file-locking: hand out an unlocked handle. */
	return open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
#else
	struct flock fl;
	struct timespec nap;
	long waited = 0, step = 1;
	int fd;

	/* (read and write: .userdir.lock holds what its holder is doing) */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	for (;;) {
		memset(&fl, 0, sizeof fl);
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_SETLK, &fl) == 0)
			return fd;
		if (errno != EACCES && errno != EAGAIN && errno != EINTR)
			break;
		if (waited >= LOCK_WAIT_MS) {
			errno = EWOULDBLOCK;
			break;
		}
		/* Back off from 1 ms up to 8 ms between tries.  fcntl locks
		 * are not queued: the first try after a release wins, so a
		 * long nap loses the lock to newcomers again and again (with
		 * 50 ms, waiters under heavy contention ran out of time while
		 * each holder kept it a fraction of a second). */
		nap.tv_sec = 0;
		nap.tv_nsec = step * 1000000L;
		nanosleep(&nap, NULL);
		waited += step;
		if (step < 8)
			step *= 2;
	}
	{
		int saved = errno;
		close(fd);
		errno = saved;
	}
	return -1;
#endif
}

void vp_unlock(int lockfd)
{
	struct flock fl;

	if (lockfd < 0)
		return;
	memset(&fl, 0, sizeof fl);
	fl.l_type = F_UNLCK;
	fl.l_whence = SEEK_SET;
	fcntl(lockfd, F_SETLK, &fl);
	close(lockfd);
}

int vp_fsync_parent(const char *path)
{
	char dir[VP_PATH_MAX];
	int fd, rc;

	if (vp_dirname(path, dir, sizeof dir) != 0)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int vp_afile_open(struct vp_afile *af, const char *dst, const char *tmp, mode_t mode)
{
	memset(af, 0, sizeof *af);
	af->fd = -1;
	if (vp_strlcpy(af->dst, dst, sizeof af->dst) != 0 ||
	    vp_strlcpy(af->tmp, tmp, sizeof af->tmp) != 0)
		return VA_DIR_TOO_LONG;
	/* A stale temp from a killed process is ours to replace. */
	af->stale = unlink(af->tmp) == 0;
	af->fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (af->fd < 0)
		return VA_COULD_NOT_UPDATE_FILE;
	af->fp = fdopen(af->fd, "w");
	if (af->fp == NULL) {
		close(af->fd);
		unlink(af->tmp);
		af->fd = -1;
		return VA_COULD_NOT_UPDATE_FILE;
	}
	return VA_SUCCESS;
}

int vp_afile_commit(struct vp_afile *af)
{
	int bad = 0;

	if (af->fp == NULL)
		return VA_COULD_NOT_UPDATE_FILE;
	if (fflush(af->fp) != 0 || ferror(af->fp))
		bad = 1;
	if (!bad && !(af->flags & VP_AFILE_NOSYNC) && fsync(af->fd) != 0)
		bad = 1;
	if (fclose(af->fp) != 0)
		bad = 1;
	af->fp = NULL;
	af->fd = -1;
	if (!bad && rename(af->tmp, af->dst) != 0)
		bad = 1;
	if (bad) {
		unlink(af->tmp);
		return VA_COULD_NOT_UPDATE_FILE;
	}
	if (!(af->flags & (VP_AFILE_NOSYNC | VP_AFILE_NODIRSYNC)))
		vp_fsync_parent(af->dst);
	return VA_SUCCESS;
}

void vp_afile_abort(struct vp_afile *af)
{
	if (af->fp != NULL)
		fclose(af->fp);
	else if (af->fd >= 0)
		close(af->fd);
	af->fp = NULL;
	af->fd = -1;
	if (af->tmp[0] != '\0')
		unlink(af->tmp);
}

static void unlink_entry(int dfd, const char *dir, const char *name)
{
	(void)dir;
	(void)unlinkat(dfd, name, 0);
}

void vp_sweep_temps(const char *dst, const char *sep, int locked)
{
	char dir[VP_PATH_MAX], prefix[VP_PATH_MAX];
	const char *base = strrchr(dst, '/');

#ifndef FILE_LOCKING
	locked = 0;             /* the lock excludes nobody */
#endif
	if (base == NULL || vp_dirname(dst, dir, sizeof dir) != 0 ||
	    vp_fmt(prefix, sizeof prefix, "%s%s", base + 1, sep) != 0)
		return;
	vp_sweep_dead(dir, prefix, locked, unlink_entry);
}

int vp_write_file_atomic(const char *dst, const void *data, size_t len, mode_t mode)
{
	return vp_write_file_flags(dst, data, len, mode, 0);
}

/* The file, chowned to *uid, gid first when uid is not NULL. */
static int write_file(const char *dst, const void *data, size_t len, mode_t mode, int flags,
                      const uid_t *uid, gid_t gid)
{
	struct vp_afile af;
	char tmp[VP_PATH_MAX];
	int rc;

	if (vp_fmt(tmp, sizeof tmp, "%s.tmp.%ld", dst, (long)getpid()) != 0)
		return VA_DIR_TOO_LONG;
	vp_sweep_temps(dst, ".tmp.", 0);
	rc = vp_afile_open(&af, dst, tmp, mode);
	if (rc != VA_SUCCESS)
		return rc;
	af.flags = flags;
	if ((len > 0 && fwrite(data, 1, len, af.fp) != len) ||
	    (uid != NULL && vp_chown(af.tmp, *uid, gid) != 0)) {
		vp_afile_abort(&af);
		return VA_COULD_NOT_UPDATE_FILE;
	}
	return vp_afile_commit(&af);
}

int vp_write_file_flags(const char *dst, const void *data, size_t len, mode_t mode, int flags)
{
	return write_file(dst, data, len, mode, flags, NULL, 0);
}

int vp_write_file_owned(const char *dst, const void *data, size_t len, mode_t mode,
                        uid_t uid, gid_t gid)
{
	return write_file(dst, data, len, mode, 0, &uid, gid);
}

int vp_lock_dir(const char *dir)
{
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			int saved = errno;

			close(fd);
			errno = saved;
			return -1;
		}
	}
	return fd;
}

void vp_unlock_dir(int fd)
{
	if (fd >= 0) {
		flock(fd, LOCK_UN);
		close(fd);
	}
}
