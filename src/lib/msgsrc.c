/*
 * msgsrc.c - the message vdelivermail reads on fd 0.
 *
 * qmail-local hands over a seekable queue file.  Anything else (a pipe,
 * a terminal) is first copied to an unlinked temporary file, so that
 * every instruction can read the message again from its start.  The
 * header section is scanned once for Delivered-To lines (loop check).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1   /* O_TMPFILE */
#endif
#include "deliver.h"
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define DT_PREFIX     "Delivered-To: "
#define DT_PREFIX_LEN 14

/*
 * An unnamed file in $TMPDIR (or /tmp).  O_TMPFILE never gives the file
 * a name, so a vdelivermail killed at any moment leaves no copy of the
 * message behind; where the filesystem lacks it, a mkstemp() name is
 * unlinked at once (a kill in between can still leave that one file).
 */
int dx_tempfile(void)
{
	char path[VP_PATH_MAX];
	const char *dir = getenv("TMPDIR");
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/tmp";
#ifdef O_TMPFILE
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
#endif
	if (vp_fmt(path, sizeof path, "%s/vdelivermail.XXXXXX", dir) != 0)
		return -1;
	fd = mkstemp(path);
	if (fd >= 0)
		unlink(path);
	return fd;
}

#ifdef MAKE_SEEKABLE
static int copy_to_tempfile(void)
{
	int fd = dx_tempfile();

	if (fd < 0)
		return -1;
	if (vp_copy_fd(0, fd) != 0 || dup2(fd, 0) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}
#endif

/*
 * Walk the header section (up to the first empty line) of the message on
 * fd 0 with pread(), so the file offset is left alone, and call fn on the
 * value of each "Delivered-To: " line until it returns non-zero.  A line
 * too long for the buffer cannot be one of ours and is skipped.  Nothing
 * is kept: memory stays the same however many such lines there are.
 * Returns fn's non-zero answer, 0 at the end of the header, -1 if the
 * message could not be read.
 */
typedef int (*dt_fn)(const char *value, size_t len, void *arg);

static int walk_header(dt_fn fn, void *arg)
{
	char buf[8192];
	size_t have = 0, start;
	off_t off = 0;
	int skipping = 0, rc;
	ssize_t got;

	for (;;) {
		got = pread(0, buf + have, sizeof buf - have, off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			return 0;
		off += got;
		have += (size_t)got;
		start = 0;
		for (;;) {
			char *nl = memchr(buf + start, '\n', have - start);
			size_t len;

			if (nl == NULL)
				break;
			len = (size_t)(nl - (buf + start));
			if (skipping) {
				skipping = 0;
			} else {
				if (len == 0 || buf[start] == '\r')
					return 0;           /* end of the header */
				if (len > DT_PREFIX_LEN &&
				    strncasecmp(buf + start, DT_PREFIX, DT_PREFIX_LEN) == 0 &&
				    (rc = fn(buf + start + DT_PREFIX_LEN, len - DT_PREFIX_LEN, arg)) != 0)
					return rc;
			}
			start += len + 1;
		}
		if (start == 0 && have == sizeof buf) {
			skipping = 1;               /* an overlong line */
			have = 0;
			continue;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
	}
}

static int count_dt(const char *value, size_t len, void *arg)
{
	(void)value;
	(void)len;
	(*(size_t *)arg)++;
	return 0;
}

/* How many Delivered-To lines there are (none: no loop check reads them). */
static int scan_header(struct dx_ctx *c)
{
	c->dt_lines = 0;
	return walk_header(count_dt, &c->dt_lines);
}

int dx_msg_prepare(struct dx_ctx *c)
{
	struct stat st;
	off_t end;

	if (isatty(0) || lseek(0, 0, SEEK_CUR) < 0) {
#ifdef MAKE_SEEKABLE
		if (copy_to_tempfile() != 0) {
			fprintf(c->out, "vdelivermail: cannot copy the message: %s\n", strerror(errno));
			return DX_TEMP;
		}
#else
		fputs("vdelivermail: the message must be a seekable file\n", c->out);
		return DX_TEMP;
#endif
	}
	if (fstat(0, &st) == 0 && S_ISREG(st.st_mode)) {
		c->size = st.st_size;
	} else {
		end = lseek(0, 0, SEEK_END);
		if (end < 0) {
			fputs("vdelivermail: cannot measure the message\n", c->out);
			return DX_TEMP;
		}
		c->size = end;
	}
	if (dx_msg_rewind(c) != DX_OK || scan_header(c) != 0 || dx_msg_rewind(c) != DX_OK) {
		fputs("vdelivermail: cannot read the message\n", c->out);
		return DX_TEMP;
	}
	return DX_OK;
}

int dx_msg_rewind(struct dx_ctx *c)
{
	(void)c;
	return lseek(0, 0, SEEK_SET) == 0 ? DX_OK : DX_TEMP;
}

void dx_msg_drain(void)
{
	char buf[4096];

	while (read(0, buf, sizeof buf) > 0)
		;
}

static int same_dt(const char *value, size_t len, void *arg)
{
	const char *addr = arg;

	return len == strlen(addr) && strncasecmp(value, addr, len) == 0;
}

int dx_is_looping(const struct dx_ctx *c, const char *addr)
{
	size_t n = strlen(addr);

	if (c->dtline != NULL && strncasecmp(c->dtline, DT_PREFIX, DT_PREFIX_LEN) == 0 &&
	    strncasecmp(c->dtline + DT_PREFIX_LEN, addr, n) == 0 &&
	    strcmp(c->dtline + DT_PREFIX_LEN + n, "\n") == 0)
		return 1;
	/* The header is read again for each address: a message with many
	 * Delivered-To lines costs time, never memory. */
	if (c->dt_lines == 0)
		return 0;
	return walk_header(same_dt, (void *)addr);
}

int dx_loop_result(struct dx_ctx *c, int looping)
{
	if (looping > 0) {
		fputs("mail is looping\n", c->out);
		return DX_PERM;
	}
	fputs("vdelivermail: cannot read the message\nsystem error\n", c->out);
	return DX_TEMP;
}
