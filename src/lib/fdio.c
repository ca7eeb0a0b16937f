/*
 * fdio.c - whole-buffer writes and fd-to-fd copies (see fdio.h), shared
 * by vdelivermail, vpopbull and the roaming-user relay rebuild.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "fdio.h"

#include <errno.h>
#include <unistd.h>

ssize_t vp_read(int fd, void *buf, size_t n)
{
	ssize_t got;

	while ((got = read(fd, buf, n)) < 0 && errno == EINTR)
		;
	return got;
}

int vp_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {           /* never for n > 0; do not spin on it */
			errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int vp_copy_fd(int from, int to)
{
	char buf[65536];
	ssize_t got;

	for (;;) {
		got = vp_read(from, buf, sizeof buf);
		if (got < 0)
			return -1;
		if (got == 0)
			return 0;
		if (vp_write_all(to, buf, (size_t)got) != 0)
			return -1;
	}
}
