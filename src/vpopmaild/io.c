/*
 * io.c - vpopmaild's input and output.
 *
 * Input is read from fd 0 through a small buffer, with poll(2).  The
 * timeout bounds a whole line, not each wait: a line must be complete
 * within the timeout from the moment the daemon starts waiting for it, so
 * a client that sends a byte now and then cannot keep a process (root,
 * before any login) for ever; an idle client times out as in 5.6.  End of
 * input and a timeout look the same to the caller, and a line cut short
 * by either is dropped, never executed.  5.6 waited on fd 1 and read fd 0
 * with stdio, which only works when both are the same socket; waiting on
 * the fd we read works with pipes as well.
 *
 * Output goes to fd 1, flushed before every wait for input.  A client
 * that went away makes the next write fail: the process then ends with
 * status 254 instead of being killed by SIGPIPE.
 *
 * The connection is then moved off fds 0 and 1 (to close-on-exec copies),
 * which become /dev/null and stderr: the programs the library starts
 * (qmail-newu, the onchange script) inherit fds 0 and 1, and must neither
 * read the client's next command nor write into the replies.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpopmaild.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct {
	char   buf[4096];
	size_t pos, len;
	int    eof;
	int    timeout_ms;
	int64_t deadline;   /* CLOCK_MONOTONIC ms by which the line must be in */
	int    fd;          /* the client's input */
} in;

static FILE *out;           /* the client's output (NULL: stdout) */

static FILE *client(void)
{
	return out != NULL ? out : stdout;
}

/* fds a and b are the same file (fd 2 as the connection, under inetd). */
static int same_file(int a, int b)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Move the connection off fds 0 and 1 (see above).  If that cannot be
 * done, the session runs on fds 0 and 1 as they are. */
static void detach_stdio(void)
{
	/* inetd, xinetd, systemd Accept=yes: fd 2 is the connection too */
	int conn2 = same_file(2, 0) || same_file(2, 1);
	int ifd, ofd = -1, nul = -1;
	FILE *fp = NULL;

	in.fd = 0;
	out = stdout;
	if ((ifd = fcntl(0, F_DUPFD_CLOEXEC, 3)) < 0)
		return;
	if ((ofd = fcntl(1, F_DUPFD_CLOEXEC, 3)) >= 0 && (fp = fdopen(ofd, "w")) != NULL &&
	    (nul = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0 &&
	    dup2(nul, 0) == 0 && dup2(conn2 ? nul : 2, 1) == 1) {
		if (conn2)
			dup2(nul, 2);
		close(nul);
		in.fd = ifd;
		out = fp;
		return;
	}
	dup2(ifd, 0);       /* back as it was, if it had been replaced */
	if (nul >= 0)
		close(nul);
	if (fp != NULL)
		fclose(fp);
	else if (ofd >= 0)
		close(ofd);
	close(ifd);
}

void vpd_io_init(int timeout)
{
	signal(SIGPIPE, SIG_IGN);
	detach_stdio();
	in.timeout_ms = timeout > 0 ? timeout * 1000 : VPD_TIMEOUT * 1000;
	in.pos = in.len = 0;
	in.eof = 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The line about to be read must be complete within the timeout, counted
 * once the replies so far are out (a client slow to read them does not
 * lose its time to send). */
static void line_deadline(void)
{
	vpd_flush();
	in.deadline = now_ms() + in.timeout_ms;
}

/* Refill the buffer: 1 got data, 0 end of input or the line's deadline
 * passed. */
static int fill(void)
{
	struct pollfd pfd;
	ssize_t n;
	int64_t left;
	int rc;

	if (in.eof)
		return 0;
	vpd_flush();
	pfd.fd = in.fd;
	pfd.events = POLLIN;
	for (;;) {
		/* at the deadline, what has come already is still read */
		if ((left = in.deadline - now_ms()) < 0)
			left = 0;
		rc = poll(&pfd, 1, (int)left);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc <= 0)
			break;
		n = read(in.fd, in.buf, sizeof in.buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		in.pos = 0;
		in.len = (size_t)n;
		return 1;
	}
	in.eof = 1;
	return 0;
}

/* vpd_read_line() within the deadline already set. */
static int read_line(char *buf, size_t cap, size_t *len)
{
	size_t n = 0;

	while (n + 1 < cap) {
		char c;

		if (in.pos == in.len && !fill())
			break;
		c = in.buf[in.pos++];
		buf[n++] = c;
		if (c == '\n') {
			buf[n] = '\0';
			*len = n;
			return VPD_LINE;
		}
	}
	buf[n] = '\0';
	*len = n;
	if (n + 1 >= cap)
		return VPD_PARTIAL;
	/* input ended inside a line: the client never finished that command */
	return VPD_EOF;
}

int vpd_read_line(char *buf, size_t cap, size_t *len)
{
	line_deadline();
	return read_line(buf, cap, len);
}

int vpd_read_command(char *buf, size_t cap, int *overlong)
{
	size_t len;
	int rc;

	*overlong = 0;
	line_deadline();	/* the skipped rest of an overlong line too */
	rc = read_line(buf, cap, &len);
	if (rc != VPD_PARTIAL)
		return rc;
	*overlong = 1;
	do {
		char skip[256];

		rc = read_line(skip, sizeof skip, &len);
	} while (rc == VPD_PARTIAL);
	buf[0] = '\0';
	return rc == VPD_EOF ? VPD_EOF : VPD_LINE;
}

/* ------------------------------------------------------------ output */

/* Texts of the error majors (§7.10). */
static const char *const messages[] = {
	"",
	"Can't open authentication database",
	"Too many actions before login",
	"Read Timeout",
	"Invalid Command",
	"Too many invalid login attempts",
	"Email Address Required",
	"Password Required",
	"Invalid Login",
	"Not Authorized",
	"Invalid Email Address",
	"Not Authorized for domain",
	"User does not exist",
	"Domain Required",
	"Alias Name Required",
	"Invalid Alias Name Supplied",
	"Alias Line Required",
	"Alias Insertion Failed",
	"Alias Removal Failed",
	"Alias Deletion Failed",
	"Invalid Directory.  .. not allowed in path",
	"Invalid Directory.  % not allowed in path",
	"Invalid Directory.  Do you need a trailing '/'?",
	"Invalid Directory. Found / before @",
	"Invalid Directory. Can't parse email address",
	"Invalid Directory. Unknown email address",
	"Unauthorized Directory.",
	"Directory Required.",
	"Source File Name Required",
	"Destination File Name Required",
	"Filename Required",
	"Could not open assign file",
	"IP Required",
	"Not Available",
	"Could not get limits",
	"Could not set limits",
	"Not Implemented yet",
	"IP Required",          /* 37: missing from 5.6's table */
	"Invalid Domain",       /* 38: missing from 5.6's table */
};

_Noreturn void vpd_exit(int status)
{
	if (fflush(client()) != 0)
		status = 254;
	vclose();
	_exit(status);
}

void vpd_flush(void)
{
	if (fflush(client()) != 0)
		vpd_exit(254);
}

void vpd_write(const char *data, size_t len)
{
	if (len > 0 && fwrite(data, 1, len, client()) != len)
		vpd_exit(254);
}

void vpd_printf(const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfprintf(client(), fmt, ap);
	va_end(ap);
	if (rc < 0)
		vpd_exit(254);
	vpd_write("\r\n", 2);
}

void vpd_ok(void)
{
	vpd_write("+OK \r\n", 6);
}

void vpd_more(void)
{
	vpd_write("+OK+\r\n", 6);
}

void vpd_end(void)
{
	vpd_write(".\r\n", 3);
}

void vpd_err(int major, int minor)
{
	const char *text = "";

	if (major >= 0 && (size_t)major < sizeof messages / sizeof messages[0])
		text = messages[major];
	vpd_printf("-ERR %d.%03d %s", major, minor, text);
}

void vpd_err0(int minor, const char *text)
{
	vpd_printf("-ERR 0.%d %s", minor, text);
}

void vpd_result(int rc, int minor)
{
	if (rc == VA_SUCCESS)
		vpd_ok();
	else
		vpd_err0(minor, verror(rc));
}

/* ------------------------------------------------------------ tokens */

static int is_sep(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

char *vpd_next(struct vpd_args *a)
{
	char *start;

	if (a->p == NULL)
		return NULL;
	while (*a->p != '\0' && is_sep(*a->p))
		a->p++;
	if (*a->p == '\0') {
		a->p = NULL;
		return NULL;
	}
	start = a->p;
	while (*a->p != '\0' && !is_sep(*a->p))
		a->p++;
	if (*a->p != '\0')
		*a->p++ = '\0';    /* the separator is consumed, as strtok does */
	else
		a->p = NULL;
	return start;
}

char *vpd_rest(struct vpd_args *a)
{
	char *start;

	if (a->p == NULL)
		return NULL;
	while (*a->p == '\r' || *a->p == '\n')
		a->p++;
	if (*a->p == '\0') {
		a->p = NULL;
		return NULL;
	}
	start = a->p;
	a->p += strcspn(a->p, "\r\n");
	if (*a->p != '\0')
		*a->p++ = '\0';
	else
		a->p = NULL;
	return start;
}

int vpd_next_count(struct vpd_args *a)
{
	char *t = vpd_next(a);
	int n;

	if (t == NULL)
		return 0;
	n = atoi(t);
	return n < 0 ? 0 : n;
}

struct vpd_page vpd_page_args(struct vpd_args *a)
{
	struct vpd_page pg = { 0, 0 };
	char *t;
	int page, per;

	if ((t = vpd_next(a)) == NULL)
		return pg;
	page = atoi(t);
	per = vpd_next_count(a);
	if (page > 0 && per > 0) {
		/* in long long: a page far past the end lists nothing, its
		 * bounds must not overflow (and wrap to a real page) */
		long long first = (long long)(page - 1) * per, last = (long long)page * per;

		pg.first = first > INT_MAX ? INT_MAX : (int)first;
		pg.last = last > INT_MAX ? INT_MAX : (int)last;
	}
	return pg;
}
