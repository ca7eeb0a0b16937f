/*
 * vcdb_internal.h - shared inside the cdb backend: a domain's file names,
 * the one-pass rewrite of vpasswd and vpasswd.cdb (vcdb_rewrite.c), and
 * the walk over a domain with its users' lastauth files (vcdb_walk.c).
 * The operations themselves are in vcdb.c.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VCDB_INTERNAL_H
#define VCDB_INTERNAL_H

#include "vpinternal.h"
#include "vcdb.h"

#include <cdb.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

/* The files of one domain. */
struct vcdb_files {
	char passwd[VP_PATH_MAX];
	char index[VP_PATH_MAX];
	char lock[VP_PATH_MAX];
	char passwd_tmp[VP_PATH_MAX];
	char index_tmp[VP_PATH_MAX];
};

int vcdb_files(const struct vdomain *d, struct vcdb_files *f);

/* ------------------------------------------------------------------ */
/* vcdb_rewrite.c                                                     */

enum vcdb_op {
	OP_ADD,	/* insert each of adds[] before the first greater name */
	OP_DEL,	/* drop every line of name */
	OP_SET,	/* replace every line of name by rec */
	OP_INDEX	/* copy: only rebuild the index */
};

/* A record to insert: its name and its whole line (without '\n'). */
struct addrec {
	const char *name;
	size_t namelen;
	char *rec;
	size_t reclen;
};

struct rewrite {
	enum vcdb_op op;
	const char *name;	/* DEL, SET */
	const char *rec;	/* SET: the new line, without '\n' */
	const struct vqpasswd *expect;	/* SET: only over a line with these fields */
	size_t reclen;
	const struct addrec *adds;	/* ADD: sorted by name (strcmp), no name twice */
	size_t nadd;
	int text;		/* write a new vpasswd ... */
	mode_t text_mode;	/* ... with this mode */
	int index;		/* write a new vpasswd.cdb */
	int need_passwd;	/* a missing vpasswd is "no such user", not "empty" */
	int only_if_stale;	/* INDEX: skip if, once locked, vpasswd.cdb is
				 * there and not older than vpasswd */

	/* Working state. */
	struct vp_mapped inmap;	/* the old vpasswd, whole (mapped) */
	const char *in;		/* its bytes (NULL: none, or empty) */
	size_t inlen;
	struct iovec *out;	/* the new vpasswd, piece by piece */
	size_t nout, capout;
	int out_from_in;	/* out[nout - 1] is a run of in[] (may grow) */
	const char *prev;	/* the last name indexed, while names increase */
	size_t prevlen;
	int unsorted;		/* a name did not increase: check each for a twin */
	struct vp_afile tf, cf;
	struct cdb_make cm;
	int cdbfd;		/* read-write fd on cf's temp, for tinycdb */
	int text_open, index_open;
	unsigned matched;
	size_t inserted;	/* ADD: adds[0 .. inserted) are written */

	/* ADD of one record whose password is still being hashed
	 * (adduser_late): it holds a stand-in at late_off, late_len long. */
	const char *(*late_hash)(void *ctx, int *rc);
	void *late_ctx;
	size_t late_off, late_len;
	const char *late_real;	/* the hash, once known */
	off_t late_cdb;		/* where the index holds the stand-in */
	off_t cdbpos;		/* end of the index's records so far */
};

/* vcdb_rewrite()'s private results (never VA_* codes): the lock was not
 * taken; a late hash could not take its stand-in's place. */
#define LOCK_NOT_TAKEN 1
#define LATE_RETRY     2

/*
 * Run rw over the domain's vpasswd under the lock.  rw arrives zeroed but
 * for what the operation sets.  Lock failure is LOCK_NOT_TAKEN; callers
 * map it to their own code.
 */
int vcdb_rewrite(const struct vdomain *d, struct rewrite *rw);
/* 1 if the index is missing or older than vpasswd (a writer killed or
 * failed between the two renames, a hand edit): rebuild it before use. */
int vcdb_index_stale(const char *passwd, const char *index);

/* ------------------------------------------------------------------ */
/* vcdb_walk.c                                                        */

void *vcdb_iter_open(const struct vdomain *d);
int   vcdb_iter_next(void *it, struct vpw_entry *out);
void  vcdb_iter_close(void *it);
int   vcdb_set_lastauth(const struct vdomain *d, const struct vqpasswd *pw,
                        const char *ip, time_t when);
int   vcdb_get_lastauth(const struct vdomain *d, const struct vqpasswd *pw,
                        time_t *when, char *ip, size_t ipsize);

#endif /* VCDB_INTERNAL_H */
