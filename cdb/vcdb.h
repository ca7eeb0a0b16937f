/*
 * vcdb.h - the vpasswd/cdb auth backend (cdb/vcdb.c) and the vpasswd line
 * format (cdb/vpwline.c).
 *
 * A domain keeps its users in two files:
 *   <domain dir>/vpasswd      one text line per user, sorted by name:
 *                             name:crypted:uid:gid:gecos:dir:quota[:clear]
 *   <domain dir>/vpasswd.cdb  a cdb index of it: key = name, value = the
 *                             rest of the line after the first ':'
 * Both are rewritten together under a lock on <domain dir>/.vpasswd.lock.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VCDB_H
#define VCDB_H

#include <stddef.h>
#include <stdio.h>

#include "vauth.h"

/* File names inside a domain directory (as vpopmail names them). */
#define VCDB_PASSWD      "vpasswd"
#define VCDB_INDEX       "vpasswd.cdb"
#define VCDB_LOCK        ".vpasswd.lock"
#define VCDB_PASSWD_TMP  "vpasswd.bak"   /* + ".<pid>" */
#define VCDB_INDEX_TMP   "cdb.tmp"

/*
 * The classic vmkpasswd() reports a lock failure as -2 (which has the same
 * value as VA_USERNAME_EXISTS); the backend's reindex returns this code so
 * that the dispatcher can keep that status.
 */
#define VCDB_LOCK_FAILED (-2)

/* The cdb backend itself, whichever backend is compiled in (vconvert). */
const vauth_backend *vcdb_backend_get(void);

/* ------------------------------------------------------------------ */
/* vpwline.c: one vpasswd line <-> struct vqpasswd.                   */

/*
 * Parse one line (len bytes, a trailing '\n', '\r\n' or '\r' is ignored) into
 * e, which owns a copy: every string of e->pw points into e->buf.  Missing
 * trailing fields become "".  Fewer than 5 ':' (no dir field) is VA_PARSE_ERROR.
 * pw_flags is set to pw_gid.  VA_MEMORY_ALLOC_ERR if out of memory.
 */
int   vpw_parse_line(struct vpw_entry *e, const char *line, size_t len);

/*
 * Format pw as "name:crypted:uid:gid:gecos:dir:quota" (+ ":clear" in
 * CLEAR_PASS builds), without a newline, into a malloc'd string; its length
 * goes to *lenp.  ':' is left out of the gecos; NULL fields count as "".
 * Returns NULL when out of memory.
 */
char *vpw_format_line(const struct vqpasswd *pw, size_t *lenp);

/*
 * Refuse a record that would not survive a round trip through vpasswd:
 * a '\n' anywhere, or a ':' in a field other than the gecos (whose ':' are
 * dropped when formatting).  VA_BAD_CHAR, VA_NULL_POINTER (no name) or 0.
 */
int   vpw_check_record(const struct vqpasswd *pw);

/* 1 if a and b hold the same fields (NULL and "" alike), else 0. */
int   vpw_same(const struct vqpasswd *a, const struct vqpasswd *b);

/* Deep copy of src into dst's own storage (src may point into dst). */
int   vpw_entry_set(struct vpw_entry *dst, const struct vqpasswd *src);

/*
 * Read lines from fp until one parses, into e.  1 = got one, 0 = end of
 * file, <0 = VA code (read error, memory).  Lines that do not parse are
 * skipped.  line and cap are the caller's getline buffer.
 */
int   vpw_read_entry(FILE *fp, char **line, size_t *cap, struct vpw_entry *e);

#endif /* VCDB_H */
