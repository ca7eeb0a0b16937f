/*
 * fdio.c - whole-buffer reads and writes and fd-to-fd copies (see fdio.h),
 * shared by vdelivermail, vpopbull, the roaming-user relay rebuild and the
 * vpasswd rewrite.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "fdio.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
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

int vp_pwrite_all(int fd, const void *buf, size_t n, off_t off)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = pwrite(fd, p, n, off);

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
		off += w;
	}
	return 0;
}

int vp_writev_all(int fd, const struct iovec *iov, size_t n)
{
	struct iovec win[256];
	size_t k, i;
	ssize_t w;

	/* A window of the list at a time, so the caller's stays intact. */
	while (n > 0) {
		k = n < sizeof win / sizeof win[0] ? n : sizeof win / sizeof win[0];
		for (i = 0; i < k; i++)
			win[i] = iov[i];
		for (i = 0; i < k; ) {
			w = writev(fd, win + i, (int)(k - i));
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -1;
			if (w == 0 && win[i].iov_len > 0) {
				errno = EIO;
				return -1;
			}
			/* Drop what went out; resume inside a partly written entry. */
			for (size_t done = (size_t)w; i < k; i++) {
				if (done < win[i].iov_len) {
					win[i].iov_base = (char *)win[i].iov_base + done;
					win[i].iov_len -= done;
					break;
				}
				done -= win[i].iov_len;
			}
		}
		iov += k;
		n -= k;
	}
	return 0;
}

int vp_slurp_fd(int fd, size_t max, char **out, size_t *len)
{
	struct stat st;
	size_t cap = 65536, n = 0;
	char *buf, *nb;
	ssize_t got;

	/* The size now, plus room to notice the end with one more read. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		if (max != 0 && (unsigned long long)st.st_size > max) {
			errno = EFBIG;
			return -1;
		}
		if ((unsigned long long)st.st_size < (unsigned long long)SIZE_MAX / 2)
			cap = (size_t)st.st_size + 4096;
	}
	if ((buf = malloc(cap)) == NULL)
		return -1;
	for (;;) {
		if (cap - n < 2) {
			if (cap > SIZE_MAX / 2 || (nb = realloc(buf, cap * 2)) == NULL) {
				free(buf);
				errno = ENOMEM;
				return -1;
			}
			buf = nb;
			cap *= 2;
		}
		got = vp_read(fd, buf + n, cap - n - 1);
		if (got < 0) {
			free(buf);
			return -1;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (max != 0 && n > max) {
			free(buf);
			errno = EFBIG;
			return -1;
		}
	}
	buf[n] = '\0';
	*out = buf;
	if (len != NULL)
		*len = n;
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
