/*
 * vadduser_bulk.h - vadduser -f: add the users listed in a file.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VADDUSER_BULK_H
#define VADDUSER_BULK_H

/* Add every user listed in path ("-" = stdin); returns the exit VA code. */
int vadduser_bulk(const char *path);

#endif
