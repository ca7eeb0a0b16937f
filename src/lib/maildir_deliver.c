/*
 * maildir_deliver.c - put one message into a Maildir, safely.
 *
 * The message is streamed (never held in memory) into
 * tmp/<sec>.M<usec>P<pid>.<host>, created with O_EXCL, fsynced, then
 * hard-linked to new/<same>,S=<bytes> and the new/ directory fsynced:
 * a message is in new/ only once it is complete and on disk, and an
 * existing file is never replaced.  Any failure removes the tmp file.
 * Optionally the message is piped through spamc on the way.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "deliver.h"
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define COPY_BUF 65536

/* "<sec>.M<usec>P<pid>.<host>" with '/' and ':' in the host escaped. */
static int unique_name(char *out, size_t size)
{
	char host[33], esc[33 * 4 + 1];
	struct timeval tv;
	size_t i, o = 0;

	if (gethostname(host, sizeof host) != 0)
		strcpy(host, "localhost");
	host[32] = '\0';
	for (i = 0; host[i] != '\0'; i++) {
		if (host[i] == '/' || host[i] == ':') {
			o += (size_t)snprintf(esc + o, sizeof esc - o, "\\%03o", (unsigned char)host[i]);
		} else {
			esc[o++] = host[i];
		}
	}
	esc[o] = '\0';
	gettimeofday(&tv, NULL);
	return vp_fmt(out, size, "%lld.M%ldP%ld.%s", (long long)tv.tv_sec, (long)tv.tv_usec,
	              (long)getpid(), esc);
}

/* Looks for the line "X-Spam-Flag: YES" in the header section of a stream. */
struct spamscan {
	char line[24];
	size_t len;
	int long_line, body, found;
};

static void scan_spam(struct spamscan *s, const char *p, size_t n)
{
	static const char flag[] = "X-Spam-Flag: YES";

	for (; n > 0 && !s->body; p++, n--) {
		if (*p != '\n') {
			if (s->len < sizeof s->line)
				s->line[s->len++] = *p;
			else
				s->long_line = 1;
			continue;
		}
		if (s->len == 0 && !s->long_line)
			s->body = 1;
		else if (!s->long_line && s->len == sizeof flag - 1 &&
		         memcmp(s->line, flag, s->len) == 0)
			s->found = 1;
		s->len = 0;
		s->long_line = 0;
	}
}

/* Start spamc reading the message; returns the read end of its output. */
static int start_spamc(int src, const char *user, pid_t *pid)
{
	int pfd[2];

	if (pipe(pfd) != 0)
		return -1;
	*pid = fork();
	if (*pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (*pid == 0) {
		close(pfd[0]);
		if (dup2(pfd[1], 1) < 0 || lseek(src, 0, SEEK_SET) != 0 || dup2(src, 0) < 0)
			_exit(111);
		vp_child_signals();
		execl(vp_spamc(), vp_spamc(), "-f", "-u", user, (char *)NULL);
		/* No spamc: pass the message on unchanged. */
		_exit(vp_copy_fd(0, 1) == 0 ? 0 : 111);
	}
	close(pfd[1]);
	return pfd[0];
}

int dx_spamc_to_file(const char *user)
{
	int out, in, status, rc, saved;
	pid_t pid;

	if ((out = dx_tempfile()) < 0)
		return -1;
	if ((in = start_spamc(0, user, &pid)) < 0) {
		saved = errno;
		close(out);
		errno = saved;
		return -1;
	}
	rc = vp_copy_fd(in, out);
	saved = errno;
	close(in);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* A filter that failed may have cut the message short. */
	if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		rc = -1;
		saved = EPIPE;
	}
	if (rc == 0 && lseek(out, 0, SEEK_SET) != 0) {
		rc = -1;
		saved = errno;
	}
	if (rc != 0) {
		close(out);
		errno = saved;
		return -1;
	}
	return out;
}

/* Copy header + message (or spamc's output) to out.  0 ok, -1 (errno). */
static int copy_message(struct dx_write *w, int out, struct spamscan *ss)
{
	char *buf;
	size_t hlen = strlen(w->header), have;
	int in = w->src, rc = 0, status;
	pid_t pid = -1;
	ssize_t got;

	buf = malloc(COPY_BUF);
	if (buf == NULL)
		return -1;
	if (w->spamc_user != NULL) {
		in = start_spamc(w->src, w->spamc_user, &pid);
		if (in < 0) {
			free(buf);
			return -1;
		}
	} else if (lseek(in, 0, SEEK_SET) != 0) {
		free(buf);
		return -1;
	}
	/* The header block goes out with the first chunk; one too long for
	 * the buffer goes out alone, and counts as much (quota, ",S="). */
	w->size = 0;
	if (hlen >= COPY_BUF) {
		if (vp_write_all(out, w->header, hlen) != 0)
			rc = -1;
		w->size = (off_t)hlen;
		hlen = 0;
	} else {
		memcpy(buf, w->header, hlen);
	}
	while (rc == 0) {
		got = vp_read(in, buf + hlen, COPY_BUF - hlen);
		if (got < 0) {
			rc = -1;
			break;
		}
		have = hlen + (size_t)got;
		if (pid > 0)
			scan_spam(ss, buf + hlen, (size_t)got);
		if (have > 0 && vp_write_all(out, buf, have) != 0) {
			rc = -1;
			break;
		}
		w->size += (off_t)have;
		hlen = 0;
		if (got == 0)
			break;
	}
	if (pid > 0) {
		int saved = errno;

		close(in);
		if (rc != 0)
			kill(pid, SIGTERM);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		/* A filter that failed may have cut the message short. */
		if (rc == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
			saved = EPIPE;
			rc = -1;
		}
		errno = saved;
	}
	free(buf);
	return rc;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int fail(struct dx_write *w, const char *tmp, int fd, int kind)
{
	w->err = errno;
	if (fd >= 0)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	/* Over quota while the message is written: a bounce.  The same error
	 * later (fsync or close on NFS, the new name's directory block) is
	 * reported as a failure of that step, temporary as in 5.6. */
	if (w->err == EDQUOT && (kind == DXW_OPEN || kind == DXW_WRITE))
		return DXW_QUOTA;
	return kind;
}

/* Withdraw the count of a message that did not make it into new/. */
static void uncount(struct dx_write *w)
{
	int saved = errno;

	if (w->quota_def != NULL)
		dx_quota_add(w->maildir, w->quota_def, -w->size, -1, w->uid, w->gid);
	errno = saved;
}

int dx_write_maildir(struct dx_write *w)
{
	char name[256], tmp[VP_PATH_MAX], dir[VP_PATH_MAX];
	struct spamscan ss;
	int fd;

	memset(&ss, 0, sizeof ss);
	w->size = 0;
	w->err = 0;
	w->dropped = 0;
	w->path[0] = '\0';
	if (w->to_stdout) {
		fflush(stdout);
		if (copy_message(w, 1, &ss) != 0)
			return fail(w, NULL, -1, DXW_WRITE);
		w->dropped = ss.found && w->drop_spam;
		return DXW_OK;
	}
	if (unique_name(name, sizeof name) != 0 ||
	    vp_fmt(tmp, sizeof tmp, "%stmp/%s", w->maildir, name) != 0) {
		errno = ENAMETOOLONG;
		return fail(w, NULL, -1, DXW_OPEN);
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return fail(w, NULL, -1, DXW_OPEN);
	if (copy_message(w, fd, &ss) != 0)
		return fail(w, tmp, fd, DXW_WRITE);
	if (fsync(fd) != 0)
		return fail(w, tmp, fd, DXW_SYNC);
	if (close(fd) != 0)
		return fail(w, tmp, -1, DXW_SYNC);
	if (ss.found && w->drop_spam) {
		unlink(tmp);
		w->dropped = 1;
		return DXW_OK;
	}
	if (vp_fmt(w->path, sizeof w->path, "%snew/%s,S=%lld", w->maildir, name,
	           (long long)w->size) != 0 ||
	    vp_fmt(dir, sizeof dir, "%snew", w->maildir) != 0) {
		errno = ENAMETOOLONG;
		w->path[0] = '\0';
		return fail(w, tmp, -1, DXW_LINK);
	}
	/* Counted before it shows (a kill after the link must not leave a
	 * message that maildirsize does not count), under the lock a recount
	 * takes; a failed link is withdrawn. */
	if (dx_count_and_link(w->maildir, w->quota_def, w->size, w->uid, w->gid,
	                      tmp, w->path, 0) != 0) {
		w->path[0] = '\0';
		return fail(w, tmp, -1, DXW_LINK);
	}
	unlink(tmp);
	/* The new name must survive a crash before we report success. */
	if (fsync_dir(dir) != 0) {
		w->err = errno;
		/* Withdrawn before it goes: a recount between the two would
		 * otherwise miss it and then take it off a second time. */
		uncount(w);
		unlink(w->path);
		w->path[0] = '\0';
		return DXW_SYNC;
	}
	return DXW_OK;
}
