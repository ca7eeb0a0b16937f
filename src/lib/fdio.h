/*
 * fdio.h - whole-buffer reads and writes and fd-to-fd copies that retry after
 * signals (EINTR) and short writes.  Internal to libvpopmail.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VP_FDIO_H
#define VP_FDIO_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

/* read(2) that is retried when a signal interrupts it: >0 bytes read,
 * 0 at the end, -1 with errno set. */
ssize_t vp_read(int fd, void *buf, size_t n);
/* Write all n bytes of buf to fd.  0, or -1 with errno set. */
int vp_write_all(int fd, const void *buf, size_t n);
/* The same at offset off, leaving the file offset alone (pwrite(2)). */
int vp_pwrite_all(int fd, const void *buf, size_t n, off_t off);
/* writev(2) of all n buffers (any n; short writes resumed; iov[] is
 * left as it was).  0, or -1 with errno set. */
int vp_writev_all(int fd, const struct iovec *iov, size_t n);
/* Read fd from its current offset to the end into a new buffer with a
 * '\0' after the data.  0 (free *out), or -1 with errno set (EFBIG: more
 * than max bytes, when max is not 0). */
int vp_slurp_fd(int fd, size_t max, char **out, size_t *len);
/* Copy from's current offset to its end into to.  0, or -1 with errno. */
int vp_copy_fd(int from, int to);

#endif
