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

static int add_dt(struct dx_dtlist *l, const char *v, size_t len)
{
	char **nv = realloc(l->v, (l->n + 1) * sizeof *nv);

	if (nv == NULL)
		return -1;
	l->v = nv;
	l->v[l->n] = strndup(v, len);
	if (l->v[l->n] == NULL)
		return -1;
	l->n++;
	return 0;
}

/*
 * Collect the values of "Delivered-To: " header lines (up to the first
 * empty line).  A line too long for the buffer cannot be one of ours
 * and is skipped.
 */
static int scan_header(struct dx_ctx *c)
{
	char buf[8192];
	size_t have = 0, start;
	int skipping = 0;
	ssize_t got;

	for (;;) {
		got = vp_read(0, buf + have, sizeof buf - have);
		if (got < 0)
			return -1;
		if (got == 0)
			return 0;
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
				    add_dt(&c->dt, buf + start + DT_PREFIX_LEN, len - DT_PREFIX_LEN) != 0)
					return -1;
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

int dx_is_looping(const struct dx_ctx *c, const char *addr)
{
	size_t n = strlen(addr), i;

	if (c->dtline != NULL && strncasecmp(c->dtline, DT_PREFIX, DT_PREFIX_LEN) == 0 &&
	    strncasecmp(c->dtline + DT_PREFIX_LEN, addr, n) == 0 &&
	    strcmp(c->dtline + DT_PREFIX_LEN + n, "\n") == 0)
		return 1;
	for (i = 0; i < c->dt.n; i++)
		if (strcasecmp(c->dt.v[i], addr) == 0)
			return 1;
	return 0;
}

void dx_msg_free(struct dx_ctx *c)
{
	size_t i;

	for (i = 0; i < c->dt.n; i++)
		free(c->dt.v[i]);
	free(c->dt.v);
	c->dt.v = NULL;
	c->dt.n = 0;
}
