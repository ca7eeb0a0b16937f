/*
 * cmd_files.c - vpopmaild's file commands: mk_dir, rm_dir, list_dir,
 * rm_file, rename_file, write_file, read_file, stat_file.
 *
 * Paths come from vpd_resolve_path() (confined to the session's area).
 * The last component is never followed when it is a symbolic link, the
 * area's root itself is never removed or renamed, and below system admin
 * the files the library keeps are never changed (vpd_may_change()).  write_file
 * replaces the file atomically (temporary file, fsync, rename), and stores
 * at most VPD_WRITE_MAX bytes below system admin.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1   /* O_TMPFILE */
#endif
#include "vpopmaild.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NEW_FILE_MODE 0644

/* Take the path argument: 0 ok (path in out), -1 error sent. */
static int path_arg(struct vpd_args *a, int major, int minor, char *out, size_t size)
{
	char *arg;

	if ((arg = vpd_next(a)) == NULL) {
		vpd_err(major, minor);
		return -1;
	}
	return vpd_resolve_path(arg, out, size);
}

/* The area's root is refused with the confinement error of the level. */
static int not_root(const char *path)
{
	if (!vpd_path_is_root(path))
		return 0;
	vpd_err(26, vpd_is_sa() ? 1510 : vpd_is_qa() ? 1511 : 1512);
	return -1;
}

static void give_to_vpopmail(const char *path, int fd)
{
	if (geteuid() != 0)
		return;
	if (fd >= 0) {
		if (fchown(fd, vpopmail_uid(), vpopmail_gid()) != 0) {
			/* best effort, like the library's chowns */
		}
	} else if (lchown(path, vpopmail_uid(), vpopmail_gid()) != 0) {
		/* idem */
	}
}

void vpd_cmd_mk_dir(struct vpd_args *a)
{
	char path[VPD_PATH_MAX + 1];

	if (path_arg(a, 27, 1601, path, sizeof path) != 0 || vpd_may_change(path, 0) != 0)
		return;
	if (mkdir(path, 0700) != 0) {
		vpd_err0(1602, strerror(errno));
		return;
	}
	if (geteuid() == 0 && lchown(path, vpopmail_uid(), vpopmail_gid()) != 0) {
		vpd_err0(1603, strerror(errno));
		return;
	}
	vpd_ok();
}

void vpd_cmd_rm_dir(struct vpd_args *a)
{
	char path[VPD_PATH_MAX + 1];
	struct stat st;

	if (path_arg(a, 27, 1701, path, sizeof path) != 0 || not_root(path) != 0 ||
	    vpd_may_change(path, 1) != 0)
		return;
	if (lstat(path, &st) != 0) {
		vpd_err0(1702, strerror(errno));
		return;
	}
	/* Anything else than a directory (a file, a symbolic link) is
	 * unlinked itself, never followed, as 5.6's vdelfiles() does. */
	errno = 0;
	if (vdelfiles(path) != 0) {
		vpd_err0(1702, strerror(errno != 0 ? errno : EIO));
		return;
	}
	vpd_ok();
}

static const char *type_name(mode_t m)
{
	if (S_ISREG(m))  return "file";
	if (S_ISDIR(m))  return "dir";
	if (S_ISCHR(m))  return "chardev";
	if (S_ISBLK(m))  return "blkdev";
	if (S_ISFIFO(m)) return "fifo";
	if (S_ISLNK(m))  return "link";
	if (S_ISSOCK(m)) return "sock";
	return "unknown";
}

void vpd_cmd_list_dir(struct vpd_args *a)
{
	char path[VPD_PATH_MAX + 1];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	if (path_arg(a, 27, 1801, path, sizeof path) != 0)
		return;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		vpd_err0(1802, strerror(errno));
		return;
	}
	if ((d = fdopendir(fd)) == NULL) {
		vpd_err0(1803, strerror(errno));
		close(fd);
		return;
	}
	vpd_more();
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		/* an entry that vanished meanwhile is left out (5.6 exited) */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		vpd_printf("%s %s", de->d_name, type_name(st.st_mode));
	}
	closedir(d);
	vpd_end();
}

void vpd_cmd_rm_file(struct vpd_args *a)
{
	char path[VPD_PATH_MAX + 1];

	if (path_arg(a, 30, 1901, path, sizeof path) != 0 || not_root(path) != 0 ||
	    vpd_may_change(path, 1) != 0)
		return;
	if (unlink(path) != 0) {
		vpd_err0(1902, strerror(errno));
		return;
	}
	vpd_ok();
}

void vpd_cmd_rename_file(struct vpd_args *a)
{
	char src[VPD_PATH_MAX + 1], dst[VPD_PATH_MAX + 1];
	char *s, *d;

	if ((s = vpd_next(a)) == NULL) {
		vpd_err(28, 3801);
		return;
	}
	if ((d = vpd_next(a)) == NULL) {
		vpd_err(29, 3802);      /* 5.6 reused 3801 here */
		return;
	}
	if (vpd_resolve_path(s, src, sizeof src) != 0 || vpd_resolve_path(d, dst, sizeof dst) != 0)
		return;
	if (not_root(src) != 0 || not_root(dst) != 0 ||
	    vpd_may_change(src, 1) != 0 || vpd_may_change(dst, 0) != 0)
		return;
	/* a file renamed into a .qmail name was never checked for programs */
	if (vpd_plain_dotqmail(dst)) {
		vpd_err(26, 1512);
		return;
	}
	if (rename(src, dst) != 0) {
		vpd_err0(3803, strerror(errno));
		return;
	}
	vpd_ok();
}

/* ------------------------------------------------------------ write_file */

/*
 * Where the data lines go; fd < 0 once something failed (err kept).
 * Where the file system allows it the data goes to a file without a name
 * (O_TMPFILE) in the target's directory, named only at the commit: a
 * daemon killed while the client sends leaves nothing behind, and no
 * half-sent file shows in the directory (a Maildir's new/, say).
 * Elsewhere it is a temp file <path>.vpdXXXXXX from the start.
 */
struct sink {
	int  fd;
	int  err;
	int  unnamed;
	char tmp[VPD_PATH_MAX + 16];
};

/* A named temp file (the fallback's, or the unnamed one's just before its
 * rename) is removed if a signal ends the daemon meanwhile (a service stop). */
static char pending[VPD_PATH_MAX + 16];
static volatile sig_atomic_t have_pending;

static void on_signal(int sig)
{
	if (have_pending)
		unlink(pending);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void pending_set(const char *tmp)
{
	static int installed;
	static const int sigs[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGALRM, SIGUSR1, SIGUSR2 };
	struct sigaction sa;
	size_t i;

	if (!installed) {
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
			struct sigaction old;

			/* not where the signal was ignored when the daemon started */
			if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
				sigaction(sigs[i], &sa, NULL);
		}
		installed = 1;
	}
	have_pending = 0;
	snprintf(pending, sizeof pending, "%s", tmp);
	have_pending = 1;
}

static void pending_clear(void)
{
	have_pending = 0;
}

static void sink_open(struct sink *s, const char *path)
{
	char dir[VPD_PATH_MAX + 1], *slash;

	s->fd = -1;
	s->err = 0;
	s->unnamed = 0;
	if (snprintf(s->tmp, sizeof s->tmp, "%s.vpdXXXXXX", path) >= (int)sizeof s->tmp) {
		s->err = ENAMETOOLONG;
		return;
	}
#ifdef O_TMPFILE
	snprintf(dir, sizeof dir, "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		if ((s->fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600)) >= 0) {
			s->unnamed = 1;
			return;
		}
	}
#else
	(void)dir;
	(void)slash;
#endif
	{
		sigset_t all, saved;

		/* the name is recorded before a signal can find the file */
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, &saved);
		if ((s->fd = mkstemp(s->tmp)) < 0)
			s->err = errno;
		else
			pending_set(s->tmp);
		sigprocmask(SIG_SETMASK, &saved, NULL);
	}
}

/* The unnamed file gets a temp name, the XXXXXX of s->tmp filled in
 * (just before the rename; linked through /proc, which needs no
 * privilege, where linkat's AT_EMPTY_PATH would). */
static int sink_name(struct sink *s)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	char proc[64], *x = s->tmp + strlen(s->tmp) - 6;
	unsigned long v;
	int tries, i;

	if (!s->unnamed)
		return 0;
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", s->fd);
	for (tries = 0; tries < 100; tries++) {
		v = (unsigned long)getpid() * 2654435761UL + (unsigned long)tries * 40503UL +
		    (unsigned long)time(NULL);
		for (i = 0; i < 6; i++, v /= 36)
			x[i] = digits[v % 36];
		pending_set(s->tmp);	/* before the name exists */
		if (linkat(AT_FDCWD, proc, AT_FDCWD, s->tmp, AT_SYMLINK_FOLLOW) == 0) {
			s->unnamed = 0;
			return 0;
		}
		pending_clear();
		if (errno != EEXIST)
			return errno;
	}
	return EEXIST;
}

/* Drop the temp file (by its name once it has one). */
static void sink_drop(struct sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (!s->unnamed)
		unlink(s->tmp);
	pending_clear();
}

static void sink_write(struct sink *s, const char *data, size_t len)
{
	while (s->fd >= 0 && len > 0) {
		ssize_t n = write(s->fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			s->err = n < 0 ? errno : EIO;
			sink_drop(s);
			return;
		}
		data += n;
		len -= (size_t)n;
	}
}

static void sink_abort(struct sink *s)
{
	if (s->fd >= 0)
		sink_drop(s);
}

/* Give the temp the old file's mode and owner (or ours), sync, rename. */
static int sink_commit(struct sink *s, const char *path)
{
	struct stat st;
	char dir[VPD_PATH_MAX + 1], *slash;
	int dfd;

	if (s->fd < 0)
		return s->err != 0 ? s->err : EIO;
	if (lstat(path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			sink_abort(s);
			return S_ISDIR(st.st_mode) ? EISDIR : EPERM;
		}
		fchmod(s->fd, st.st_mode & 07777);
		if (geteuid() == 0 && fchown(s->fd, st.st_uid, st.st_gid) != 0) {
			/* best effort */
		}
	} else {
		fchmod(s->fd, NEW_FILE_MODE);
		give_to_vpopmail(s->tmp, s->fd);
	}
	s->err = fsync(s->fd) != 0 ? errno : sink_name(s);
	if (s->err != 0) {
		sink_drop(s);
		return s->err;
	}
	dfd = close(s->fd);
	s->fd = -1;
	if (dfd != 0) {
		s->err = errno;
		unlink(s->tmp);
		pending_clear();
		return s->err;
	}
	if (rename(s->tmp, path) != 0) {
		int e = errno;

		unlink(s->tmp);
		pending_clear();
		return e;
	}
	pending_clear();
	snprintf(dir, sizeof dir, "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL) {
		*(slash == dir ? slash + 1 : slash) = '\0';
		if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	return 0;
}

static int is_terminator(const char *line)
{
	return strcmp(line, ".\r\n") == 0 || strcmp(line, ".\n") == 0;
}

/*
 * A Maildir line (one starting with '.' or '/', as vdelivermail tells
 * them) of a plain user's .qmail: it must stay in the user's directory,
 * where vdelivermail runs the file from.  No ".." step, and an absolute
 * path only below the user's directory: else a user could have its mail
 * stored straight into any other mailbox of the same owner.  line is a
 * whole line (len bytes, its line end included).
 */
static int own_maildir_line(const char *line, size_t len)
{
	char text[VPD_PATH_MAX + 3];
	const char *p, *s;

	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (len >= sizeof text || memchr(line, '\0', len) != NULL)
		return 0;
	memcpy(text, line, len);
	text[len] = '\0';
	for (p = text; *p != '\0'; p = *s != '\0' ? s + 1 : s) {
		s = p + strcspn(p, "/");
		if (s - p == 2 && p[0] == '.' && p[1] == '.')
			return 0;
	}
	return text[0] != '/' || vpd_path_under(text, vpd.userdir);
}

/* A .qmail or .qmail-* file, at any level. */
static int dotqmail_name(const char *path)
{
	const char *name = strrchr(path, '/');

	name = name != NULL ? name + 1 : path;
	return strncmp(name, ".qmail", 6) == 0 && (name[6] == '\0' || name[6] == '-');
}

/* The most bytes write_file may store at path: VPD_WRITE_MAX below system
 * admin, and for a .qmail file at any level (vdelivermail runs nothing
 * from a larger one); a system admin's other files as 5.6, unbounded. */
static size_t write_limit(const char *path)
{
	return !vpd_is_sa() || dotqmail_name(path) ? VPD_WRITE_MAX : SIZE_MAX;
}

/*
 * The data lines are always read up to their terminator, also after an
 * error (5.6 answered a bad path at once and ran the data as commands).
 * Past the size limit nothing more is stored and the temp file goes:
 * the answer is "File too large" and the target is left as it was.
 */
void vpd_cmd_write_file(struct vpd_args *a)
{
	char path[VPD_PATH_MAX + 1], buf[4096];
	struct sink s = { -1, 0, 0, "" };
	char *arg;
	int major = 0, minor = 0, bol = 1, rc;
	size_t len, stored = 0, limit = SIZE_MAX;

	if ((arg = vpd_next(a)) == NULL) {
		major = 30;
		minor = 2001;
	} else if (vpd_check_path(arg, path, sizeof path, &major, &minor) == 0 &&
	           vpd_check_change(path, 0, &major, &minor) == 0) {
		sink_open(&s, path);
		limit = write_limit(path);
	}
	for (;;) {
		rc = vpd_read_line(buf, sizeof buf, &len);
		if (rc == VPD_EOF) {
			/* the client went away: the file is left as it was */
			sink_abort(&s);
			vpd_err(3, 106);
			vpd_exit(255);
		}
		if (bol && rc == VPD_LINE && is_terminator(buf))
			break;
		if (major == 0 && vpd_plain_dotqmail(path) &&
		    (memchr(buf, '|', len) != NULL ||
		     (bol && (buf[0] == '.' || buf[0] == '/') &&
		      (rc != VPD_LINE || !own_maildir_line(buf, len))))) {
			/* a program line in a plain user's .qmail: refused, also
			 * inside a line (vdelivermail splits lines at 499 bytes);
			 * so is a Maildir line that leaves the user's directory */
			sink_abort(&s);
			major = 26;
			minor = 1512;
		}
		if (major == 0 && len > limit - stored && s.err != EFBIG) {
			sink_abort(&s);
			s.err = EFBIG;
		}
		if (major == 0 && s.err != EFBIG) {
			sink_write(&s, buf, len);
			stored += len;
		}
		bol = rc == VPD_LINE && len > 0 && buf[len - 1] == '\n';
	}
	if (major != 0) {
		vpd_err(major, minor);
		return;
	}
	if (!vpd_login_current()) {
		sink_abort(&s);
		vpd_login_gone();
	}
	if ((rc = sink_commit(&s, path)) != 0) {
		vpd_err0(2002, strerror(rc));
		return;
	}
	vpd_ok();
}

/* The next piece of a line from fp: up to cap bytes, ending after its
 * '\n' if that comes first.  0 at the end of the file. */
static size_t line_piece(FILE *fp, char *buf, size_t cap)
{
	size_t n = 0;
	int c;

	while (n < cap && (c = getc_unlocked(fp)) != EOF) {
		buf[n++] = (char)c;
		if (c == '\n')
			break;
	}
	return n;
}

/*
 * Lines go out in pieces of at most a buffer: a file of one huge line
 * (a system admin's write_file makes one without limit) costs no more
 * memory than any other.
 * Only a whole line "." (with CRLF, LF or at the end) is stuffed, and
 * such a line always fits in one piece.
 */
void vpd_cmd_read_file(struct vpd_args *a)
{
	char path[VPD_PATH_MAX + 1], buf[4096];
	size_t n;
	struct stat st = { 0 };
	FILE *fp;
	int fd, bol = 1;

	if (path_arg(a, 30, 2101, path, sizeof path) != 0)
		return;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		vpd_err0(2102, strerror(errno));
		return;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (fp = fdopen(fd, "r")) == NULL) {
		vpd_err0(2102, strerror(S_ISDIR(st.st_mode) ? EISDIR : EINVAL));
		close(fd);
		return;
	}
	vpd_more();
	while ((n = line_piece(fp, buf, sizeof buf)) > 0) {
		/* a last line "." without LF goes out as "." CRLF: stuffed too */
		if (bol && buf[0] == '.' && (n == 1 || (n == 2 && buf[1] == '\n') ||
		                             (n == 3 && buf[1] == '\r' && buf[2] == '\n')))
			vpd_write(".", 1);
		vpd_write(buf, n);
		bol = buf[n - 1] == '\n';
	}
	fclose(fp);
	if (!bol)
		vpd_write("\r\n", 2);
	vpd_end();
}

void vpd_cmd_stat_file(struct vpd_args *a)
{
	char path[VPD_PATH_MAX + 1];
	struct stat st;

	if (path_arg(a, 30, 2201, path, sizeof path) != 0)
		return;
	if (lstat(path, &st) != 0) {
		vpd_err0(2202, strerror(errno));
		return;
	}
	vpd_more();
	vpd_printf("uid: %d", (int)st.st_uid);     /* 5.6 ended this line with LF only */
	vpd_end();
}
