/*
 * vcdb.c - the vpasswd/cdb auth backend.
 *
 * The text file <domain dir>/vpasswd is the truth; <domain dir>/vpasswd.cdb
 * is its index for lookups (key = name, value = the rest of the line).
 *
 * Every change is one pass over the old vpasswd under the domain's
 * .vpasswd.lock: the file is read whole, and the pass lists the pieces of
 * the new vpasswd (runs of unchanged lines of the old one, new records)
 * without copying them.  The new vpasswd is written from that list with
 * writev() and its write-back started at once; the new vpasswd.cdb is
 * built from the same list meanwhile.  Both are temp files in the domain
 * directory that are fsynced and renamed into place, vpasswd first, so a
 * process killed at any moment leaves the old or the new version of each
 * file, never a torn one.  The cost is O(n) in the size of the domain
 * (vpopmail's own code reread the file per record).
 *
 * A single add may come before its password is hashed (adduser_late):
 * both files are then written with a stand-in of the hash's length, and
 * the hash is written over it in place before the fsyncs and renames, so
 * the rewrite runs alongside the hashing.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1   /* sync_file_range() */
#endif
#include "vpinternal.h"
#include "fdio.h"
#include "vcdb.h"

#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The files of one domain. */
struct vcdb_files {
	char passwd[VP_PATH_MAX];
	char index[VP_PATH_MAX];
	char lock[VP_PATH_MAX];
	char passwd_tmp[VP_PATH_MAX];
	char index_tmp[VP_PATH_MAX];
};

static int vcdb_files(const struct vdomain *d, struct vcdb_files *f)
{
	const char *dir = d->dir;

	if (dir[0] == '\0')
		return VA_BAD_V_DIR;
	if (vp_fmt(f->passwd, sizeof f->passwd, "%s/" VCDB_PASSWD, dir) != 0 ||
	    vp_fmt(f->index, sizeof f->index, "%s/" VCDB_INDEX, dir) != 0 ||
	    vp_fmt(f->lock, sizeof f->lock, "%s/" VCDB_LOCK, dir) != 0 ||
	    vp_fmt(f->passwd_tmp, sizeof f->passwd_tmp, "%s/" VCDB_PASSWD_TMP ".%ld",
	           dir, (long)getpid()) != 0 ||
	    vp_fmt(f->index_tmp, sizeof f->index_tmp, "%s/" VCDB_INDEX_TMP, dir) != 0)
		return VA_DIR_TOO_LONG;
	return 0;
}

/* The process umask, read without leaving it changed. */
static mode_t current_umask(void)
{
	mode_t m = umask(077);

	umask(m);
	return m;
}

/* ------------------------------------------------------------------ */
/* The one-pass rewrite.                                              */

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
	size_t reclen;
	const struct addrec *adds;	/* ADD: sorted by name (strcmp), no name twice */
	size_t nadd;
	int text;		/* write a new vpasswd ... */
	mode_t text_mode;	/* ... with this mode */
	int index;		/* write a new vpasswd.cdb */
	int need_passwd;	/* a missing vpasswd is "no such user", not "empty" */
	int only_if_missing;	/* INDEX: skip if vpasswd.cdb exists once locked */

	/* Working state. */
	char *in;		/* the old vpasswd, whole (NULL: there is none) */
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

/* Append len bytes at p to the new vpasswd's list of pieces. */
static int add_piece(struct rewrite *rw, const char *p, size_t len, int from_in)
{
	struct iovec *v;
	size_t cap;

	/* The next line of the old file: the current run just grows. */
	if (from_in && rw->out_from_in &&
	    (const char *)rw->out[rw->nout - 1].iov_base + rw->out[rw->nout - 1].iov_len == p) {
		rw->out[rw->nout - 1].iov_len += len;
		return 0;
	}
	if (rw->nout == rw->capout) {
		cap = rw->capout != 0 ? rw->capout * 2 : 64;
		if (cap > SIZE_MAX / sizeof *v || (v = realloc(rw->out, cap * sizeof *v)) == NULL)
			return VA_MEMORY_ALLOC_ERR;
		rw->out = v;
		rw->capout = cap;
	}
	rw->out[rw->nout].iov_base = (void *)p;
	rw->out[rw->nout].iov_len = len;
	rw->nout++;
	rw->out_from_in = from_in;
	return 0;
}

/*
 * One line (len bytes, no '\n') of the new vpasswd: a line of the old
 * file (from_in, then its '\n' follows it there unless it is the last
 * line) or a new record that outlives the rewrite.
 */
static int emit_from(struct rewrite *rw, const char *line, size_t len, int from_in)
{
	static const char nl[] = "\n";
	int rc;

	if (from_in && (size_t)(line - rw->in) + len < rw->inlen)
		return add_piece(rw, line, len + 1, 1);
	if ((rc = add_piece(rw, line, len, from_in)) != 0)
		return rc;
	return add_piece(rw, nl, 1, 0);
}

static int emit(struct rewrite *rw, const char *line, size_t len)
{
	return emit_from(rw, line, len, 1);
}

static int emit_new(struct rewrite *rw, const char *rec, size_t len)
{
	return emit_from(rw, rec, len, 0);
}

/* strcmp(name, line's first field) without copying the field. */
static int cmp_name(const char *name, size_t namelen, const char *field, size_t flen)
{
	int c = memcmp(name, field, namelen < flen ? namelen : flen);

	if (c != 0)
		return c;
	return namelen < flen ? -1 : namelen > flen;
}

/* Index one line of the new vpasswd (len bytes, no '\n'). */
static int index_line(struct rewrite *rw, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	size_t klen;
	int rc;

	if (colon == NULL)
		return 0;	/* not a record: kept in vpasswd, not indexed */
	if (len > UINT_MAX)
		return VA_COULD_NOT_UPDATE_FILE;
	klen = (size_t)(colon - line);
	/*
	 * A hand-edited file may hold a name twice; lookups have always
	 * found the first one, so only the first is indexed.  While the
	 * names come in increasing order (the file as the tools keep it)
	 * none can be a twin and the search for one is skipped; from the
	 * first name out of order on, each is looked for among all before.
	 */
	if (!rw->unsorted && rw->prev != NULL && cmp_name(rw->prev, rw->prevlen, line, klen) >= 0)
		rw->unsorted = 1;
	rw->prev = line;
	rw->prevlen = klen;
	rc = cdb_make_put(&rw->cm, line, (unsigned)klen, colon + 1, (unsigned)(len - klen - 1),
	                  rw->unsorted ? CDB_PUT_INSERT : CDB_PUT_ADD);
	if (rc < 0)
		return VA_COULD_NOT_UPDATE_FILE;
	if (rc == 0) {
		/* Added: a record is its two lengths, the key and the value
		 * (the line after the first ':'). */
		if (rw->late_hash != NULL && line == rw->adds[0].rec)
			rw->late_cdb = rw->cdbpos + 8 + (off_t)rw->late_off - 1;
		rw->cdbpos += 8 + (off_t)len - 1;
	}
	return 0;
}

/*
 * Index every line of the new vpasswd.  Each piece is whole lines: a run
 * of old lines each ending in '\n' (the last one perhaps not), a new
 * record, or a lone "\n" (an empty piece, not a record).
 */
static int index_pieces(struct rewrite *rw)
{
	const char *p, *end, *nl;
	size_t i;
	int rc;

	for (i = 0; i < rw->nout; i++) {
		p = rw->out[i].iov_base;
		end = p + rw->out[i].iov_len;
		while (p < end) {
			nl = memchr(p, '\n', (size_t)(end - p));
			if (nl == NULL)
				nl = end;
			if ((rc = index_line(rw, p, (size_t)(nl - p))) != 0)
				return rc;
			p = nl + 1;
		}
	}
	return 0;
}

/* Is the field one of the names being added?  Binary search of adds[]. */
static int adding(const struct rewrite *rw, const char *field, size_t flen)
{
	size_t lo = 0, hi = rw->nadd, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = cmp_name(rw->adds[mid].name, rw->adds[mid].namelen, field, flen);
		if (c == 0)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/*
 * ADD: before copying a line, write every pending new record whose name is
 * smaller.  In a sorted file this is a merge.  In a hand-edited unsorted
 * one it still puts each record before the first greater line, and where
 * several pick the same line they come in name order: exactly where
 * adding them one at a time, in any order, would have put them.
 */
static int step_add(struct rewrite *rw, const char *line, size_t len, size_t flen)
{
	const struct addrec *a;
	int rc;

	if (adding(rw, line, flen))
		return VA_USERNAME_EXISTS;
	while (rw->inserted < rw->nadd) {
		a = &rw->adds[rw->inserted];
		if (cmp_name(a->name, a->namelen, line, flen) > 0)
			break;
		if ((rc = emit_new(rw, a->rec, a->reclen)) != 0)
			return rc;
		rw->inserted++;
	}
	return emit(rw, line, len);
}

/* Feed one input line through the operation. */
static int step(struct rewrite *rw, const char *line, size_t len, size_t namelen)
{
	const char *colon = memchr(line, ':', len);
	size_t flen = colon != NULL ? (size_t)(colon - line) : len;
	int c = 0;

	if (rw->op == OP_DEL || rw->op == OP_SET)
		c = cmp_name(rw->name, namelen, line, flen);
	switch (rw->op) {
	case OP_ADD:
		return step_add(rw, line, len, flen);
	case OP_DEL:
		if (c == 0) {
			rw->matched++;
			return 0;
		}
		return emit(rw, line, len);
	case OP_SET:
		if (c == 0) {
			rw->matched++;
			return emit_new(rw, rw->rec, rw->reclen);
		}
		return emit(rw, line, len);
	case OP_INDEX:
		return emit(rw, line, len);
	}
	return 0;
}

/*
 * Open the outputs that rw asks for.  The temp files get the domain's
 * owner before they are renamed, so readers never see a root-owned file.
 */
static int open_outputs(struct rewrite *rw, const struct vcdb_files *f,
                        const struct vdomain *d)
{
	int rc;

	if (rw->text) {
		rc = vp_afile_open(&rw->tf, f->passwd, f->passwd_tmp, rw->text_mode);
		if (rc != 0)
			return rc;
		rw->text_open = 1;
		/* The exact mode, whatever the umask. */
		if (fchmod(rw->tf.fd, rw->text_mode) != 0)
			return VA_COULD_NOT_UPDATE_FILE;
		vp_chown(f->passwd_tmp, d->uid, d->gid);
	}
	if (rw->index) {
		rc = vp_afile_open(&rw->cf, f->index, f->index_tmp, 0600);
		if (rc != 0)
			return rc;
		rw->index_open = 1;
		if (fchmod(rw->cf.fd, 0600) != 0)
			return VA_COULD_NOT_UPDATE_FILE;
		vp_chown(f->index_tmp, d->uid, d->gid);
		/*
		 * tinycdb writes through an fd of its own, which must also be
		 * readable: CDB_PUT_INSERT reads keys back to compare them.
		 * The FILE of cf stays unused; its commit fsyncs the file.
		 */
		rw->cdbfd = open(f->index_tmp, O_RDWR | O_CLOEXEC);
		if (rw->cdbfd < 0)
			return VA_COULD_NOT_UPDATE_FILE;
		cdb_make_start(&rw->cm, rw->cdbfd);
		rw->cdbpos = 2048;	/* the records follow the 256 table pointers */
	}
	return 0;
}

/* Drop whatever temp files are still open. */
static void abort_outputs(struct rewrite *rw)
{
	if (rw->index_open) {
		if (rw->cdbfd >= 0) {
			/* The only public way to free tinycdb's tables; the file goes anyway. */
			cdb_make_finish(&rw->cm);
			close(rw->cdbfd);
			rw->cdbfd = -1;
		}
		vp_afile_abort(&rw->cf);
		rw->index_open = 0;
	}
	if (rw->text_open) {
		vp_afile_abort(&rw->tf);
		rw->text_open = 0;
	}
}

/* Have the kernel start writing fd's data back now, without waiting: the
 * fsync at commit then mostly finds it done. */
static void start_writeback(int fd)
{
#ifdef SYNC_FILE_RANGE_WRITE
	(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
#endif
}

/*
 * Write the new vpasswd from its pieces and build the index from them
 * while the first is on its way to the disk.
 */
static int write_outputs(struct rewrite *rw)
{
	int rc;

	if (rw->text_open) {
		if (vp_writev_all(rw->tf.fd, rw->out, rw->nout) != 0)
			return VA_COULD_NOT_UPDATE_FILE;
		start_writeback(rw->tf.fd);
	}
	if (rw->index_open) {
		if ((rc = index_pieces(rw)) != 0)
			return rc;
		rc = cdb_make_finish(&rw->cm);
		if (rc == 0)
			start_writeback(rw->cdbfd);
		if (close(rw->cdbfd) != 0)
			rc = -1;
		rw->cdbfd = -1;
		if (rc != 0)
			return VA_COULD_NOT_UPDATE_FILE;
	}
	return 0;
}

/* Rename vpasswd and vpasswd.cdb into place, each after its fsync. */
static int commit_outputs(struct rewrite *rw)
{
	int rc;

	if (rw->text_open) {
		rw->text_open = 0;
		/* Same directory as the index: one directory fsync covers both,
		 * unless there is no index to commit. */
		if (rw->index_open)
			rw->tf.flags |= VP_AFILE_NODIRSYNC;
		rc = vp_afile_commit(&rw->tf);
		if (rc != 0)
			return rc;
	}
	if (rw->index_open) {
		rw->index_open = 0;
		rc = vp_afile_commit(&rw->cf);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* vcdb_rewrite()'s private results (never VA_* codes): the lock was not
 * taken; a late hash could not take its stand-in's place. */
#define LOCK_NOT_TAKEN 1
#define LATE_RETRY     2

/* Write len bytes of buf at off, whole. */
static int pwrite_all(int fd, const char *buf, size_t len, off_t off)
{
	ssize_t n;

	while (len > 0) {
		n = pwrite(fd, buf, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/*
 * The late password of an ADD: wait for it, then write it over its
 * stand-in in both new files, which nobody reads before they are
 * renamed into place.  A hash that is not exactly as long, or holds a
 * ':' or a newline, cannot: LATE_RETRY.
 */
static int patch_late(struct rewrite *rw)
{
	const char *h;
	off_t at = 0;
	size_t i;
	int rc = VA_CRYPT_FAILED;

	if ((h = rw->late_hash(rw->late_ctx, &rc)) == NULL)
		return rc != 0 ? rc : VA_CRYPT_FAILED;
	rw->late_real = h;
	if (strlen(h) != rw->late_len || strcspn(h, ":\n") != rw->late_len)
		return LATE_RETRY;
	if (rw->text_open) {
		for (i = 0; i < rw->nout && rw->out[i].iov_base != rw->adds[0].rec; i++)
			at += (off_t)rw->out[i].iov_len;
		if (i == rw->nout ||
		    pwrite_all(rw->tf.fd, h, rw->late_len, at + (off_t)rw->late_off) != 0)
			return VA_COULD_NOT_UPDATE_FILE;
	}
	if (rw->index_open &&
	    (rw->late_cdb < 0 || pwrite_all(rw->cf.fd, h, rw->late_len, rw->late_cdb) != 0))
		return VA_COULD_NOT_UPDATE_FILE;
	return 0;
}

/*
 * Run rw over the domain's vpasswd under the lock.  Lock failure is
 * LOCK_NOT_TAKEN; callers map it to their own code.
 */
static int vcdb_rewrite(const struct vdomain *d, struct rewrite *rw)
{
	struct vcdb_files f;
	const char *line, *end, *nl;
	size_t namelen = 0;
	int lk, rc;

	if ((rc = vcdb_files(d, &f)) != 0)
		return rc;
	if (rw->name != NULL)
		namelen = strlen(rw->name);
	rw->cdbfd = -1;
	lk = vp_lock(f.lock);
	if (lk < 0)
		return LOCK_NOT_TAKEN;

	if (rw->only_if_missing && access(f.index, F_OK) == 0) {
		rc = 0;		/* someone else built it meanwhile */
		goto out;
	}
	/* A missing vpasswd reads as an empty one unless the operation needs it. */
	rc = vp_slurp(f.passwd, &rw->in, &rw->inlen);
	if (rc == VA_MEMORY_ALLOC_ERR)
		goto out;
	if (rc != 0 && (errno != ENOENT || rw->need_passwd)) {
		rc = errno == ENOENT ? VA_USER_DOES_NOT_EXIST : VA_COULD_NOT_UPDATE_FILE;
		goto out;
	}
	if ((rc = open_outputs(rw, &f, d)) != 0)
		goto fail;

	/* Lines of any length; a last line without '\n' counts too. */
	line = end = rw->in;
	if (rw->in != NULL)
		end += rw->inlen;
	while (line < end) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (nl == NULL)
			nl = end;
		if ((rc = step(rw, line, (size_t)(nl - line), namelen)) != 0)
			goto fail;
		line = nl + 1;
	}
	while (rw->op == OP_ADD && rw->inserted < rw->nadd) {
		const struct addrec *a = &rw->adds[rw->inserted++];

		if ((rc = emit_new(rw, a->rec, a->reclen)) != 0)
			goto fail;
	}
	if ((rw->op == OP_DEL || rw->op == OP_SET) && rw->matched == 0) {
		rc = VA_USER_DOES_NOT_EXIST;
		goto fail;
	}
	if ((rc = write_outputs(rw)) != 0)
		goto fail;
	if (rw->late_hash != NULL && (rc = patch_late(rw)) != 0)
		goto fail;
	rc = commit_outputs(rw);
	/* Even after a half-done commit: whatever is in place is the domain's. */
	vp_chown(f.passwd, d->uid, d->gid);
	if (rw->index)
		vp_chown(f.index, d->uid, d->gid);
	vp_chown(f.lock, d->uid, d->gid);
	if (rc != 0)
		goto fail;
	goto out;

fail:
	abort_outputs(rw);
out:
	free(rw->in);
	rw->in = NULL;
	free(rw->out);
	rw->out = NULL;
	vp_unlock(lk);
	return rc;
}

/* A lock failure is just a failed update for the user operations. */
static int update_code(int rc)
{
	return rc == LOCK_NOT_TAKEN ? VA_COULD_NOT_UPDATE_FILE : rc;
}

/* ------------------------------------------------------------------ */
/* Backend operations.                                                */

static int vcdb_open(int will_update)
{
	(void)will_update;
	return 0;
}

static void vcdb_close(void)
{
}

static int vcdb_adddomain(const struct vdomain *d)
{
	(void)d;
	return 0;
}

static int vcdb_deldomain(const struct vdomain *d)
{
	(void)d;
	return 0;
}

/* SET with a freshly formatted record. */
static int put_record(const struct vdomain *d, const struct vqpasswd *pw,
                      enum vcdb_op op, mode_t mode)
{
	struct rewrite rw;
	char *rec;
	size_t reclen;
	int rc;

	if ((rc = vpw_check_record(pw)) != 0)
		return rc;
	if ((rec = vpw_format_line(pw, &reclen)) == NULL)
		return VA_MEMORY_ALLOC_ERR;
	memset(&rw, 0, sizeof rw);
	rw.op = op;
	rw.name = pw->pw_name;
	rw.rec = rec;
	rw.reclen = reclen;
	rw.text = 1;
	rw.text_mode = mode;
	rw.index = !NoMakeIndex;
	rc = update_code(vcdb_rewrite(d, &rw));
	free(rec);
	return rc;
}

static int addrec_cmp(const void *a, const void *b)
{
	return strcmp(((const struct addrec *)a)->name, ((const struct addrec *)b)->name);
}

/*
 * Insert n records in one pass; all or none.  Every record is checked
 * and formatted before the lock is taken.  rw arrives zeroed but for the
 * late-password fields.
 */
static int add_records(const struct vdomain *d, const struct vqpasswd *pws, size_t n,
                       struct rewrite *rw)
{
	struct addrec *adds;
	size_t i;
	int rc = 0;

	if (d == NULL || (pws == NULL && n > 0))
		return VA_NULL_POINTER;
	if (n == 0)
		return 0;
	if ((adds = calloc(n, sizeof *adds)) == NULL)
		return VA_MEMORY_ALLOC_ERR;
	for (i = 0; i < n && rc == 0; i++) {
		/* The name would collide with the file itself. */
		if (pws[i].pw_name != NULL && strcmp(pws[i].pw_name, VCDB_PASSWD) == 0)
			rc = VA_ILLEGAL_USERNAME;
		else if ((rc = vpw_check_record(&pws[i])) != 0)
			break;
		else if ((adds[i].rec = vpw_format_line(&pws[i], &adds[i].reclen)) == NULL)
			rc = VA_MEMORY_ALLOC_ERR;
		else {
			adds[i].name = pws[i].pw_name;
			adds[i].namelen = strlen(pws[i].pw_name);
		}
	}
	if (rc == 0) {
		qsort(adds, n, sizeof *adds, addrec_cmp);
		for (i = 1; i < n && rc == 0; i++)
			if (strcmp(adds[i - 1].name, adds[i].name) == 0)
				rc = VA_USERNAME_EXISTS;
	}
	/* A stand-in not found as the line's password field cannot be patched. */
	if (rc == 0 && rw->late_hash != NULL &&
	    (n != 1 || adds[0].namelen + 1 + rw->late_len > adds[0].reclen ||
	     memcmp(adds[0].rec + adds[0].namelen + 1, pws[0].pw_passwd, rw->late_len) != 0))
		rc = LATE_RETRY;
	if (rc == 0) {
		rw->op = OP_ADD;
		rw->adds = adds;
		rw->nadd = n;
		rw->text = 1;
		rw->text_mode = 0600;
		rw->index = !NoMakeIndex;
		rw->late_off = adds[0].namelen + 1;
		rw->late_cdb = -1;
		rc = update_code(vcdb_rewrite(d, rw));
	}
	for (i = 0; i < n; i++)
		free(adds[i].rec);
	free(adds);
	return rc;
}

static int vcdb_adduser_many(const struct vdomain *d, const struct vqpasswd *pws, size_t n)
{
	struct rewrite rw;

	memset(&rw, 0, sizeof rw);
	return add_records(d, pws, n, &rw);
}

/* The single add is a batch of one. */
static int vcdb_adduser(const struct vdomain *d, const struct vqpasswd *pw)
{
	if (d == NULL || pw == NULL)
		return VA_NULL_POINTER;
	return vcdb_adduser_many(d, pw, 1);
}

/*
 * One add whose password is still being hashed: vpasswd and its index
 * are built around the stand-in meanwhile, and the hash is written over
 * it before they are committed.  Should the hash not fit, the add is
 * made again with it as it is.
 */
static int vcdb_adduser_late(const struct vdomain *d, const struct vqpasswd *pw,
                             const char *(*hash)(void *ctx, int *rc), void *ctx)
{
	struct vqpasswd real;
	struct rewrite rw;
	int rc;

	if (d == NULL || pw == NULL || pw->pw_passwd == NULL || hash == NULL)
		return VA_NULL_POINTER;
	memset(&rw, 0, sizeof rw);
	rw.late_hash = hash;
	rw.late_ctx = ctx;
	rw.late_len = strlen(pw->pw_passwd);
	rc = add_records(d, pw, 1, &rw);
	if (rc != LATE_RETRY)
		return rc;
	if (rw.late_real == NULL && (rw.late_real = hash(ctx, &rc)) == NULL)
		return rc != 0 ? rc : VA_CRYPT_FAILED;
	real = *pw;
	real.pw_passwd = (char *)rw.late_real;
	return vcdb_adduser(d, &real);
}

static int vcdb_setpw(const struct vdomain *d, const struct vqpasswd *pw)
{
	if (d == NULL || pw == NULL)
		return VA_NULL_POINTER;
	/* vpopmail rewrites vpasswd here with fopen(3)'s 0666 & ~umask. */
	return put_record(d, pw, OP_SET, 0666 & ~current_umask());
}

static int vcdb_deluser(const struct vdomain *d, const char *user)
{
	struct rewrite rw;

	if (d == NULL || user == NULL)
		return VA_NULL_POINTER;
	if (user[0] == '\0')
		return VA_USER_DOES_NOT_EXIST;
	memset(&rw, 0, sizeof rw);
	rw.op = OP_DEL;
	rw.name = user;
	rw.text = 1;
	rw.text_mode = 0600;
	rw.index = !NoMakeIndex;
	rw.need_passwd = 1;
	return update_code(vcdb_rewrite(d, &rw));
}

/*
 * Rebuild vpasswd.cdb from vpasswd (vmkpasswd).  An absent vpasswd gives an
 * empty index.  Returns VA_BAD_DIR if the domain directory is not there and
 * VCDB_LOCK_FAILED (-2) if the lock cannot be had, like vmkpasswd().
 */
static int vcdb_reindex(const struct vdomain *d)
{
	struct rewrite rw;
	struct stat st;
	int rc;

	if (d == NULL)
		return VA_NULL_POINTER;
	if (stat(d->dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return VA_BAD_DIR;
	memset(&rw, 0, sizeof rw);
	rw.op = OP_INDEX;
	rw.index = 1;
	rc = vcdb_rewrite(d, &rw);
	return rc == LOCK_NOT_TAKEN ? VCDB_LOCK_FAILED : rc;
}

/* Build a missing vpasswd.cdb before a lookup (not if vpasswd is missing too). */
static int build_missing_index(const struct vdomain *d)
{
	struct rewrite rw;

	memset(&rw, 0, sizeof rw);
	rw.op = OP_INDEX;
	rw.index = 1;
	rw.need_passwd = 1;
	rw.only_if_missing = 1;
	return vcdb_rewrite(d, &rw);
}

/* After a failed index build: no vpasswd means no users, anything else is trouble. */
static int unreadable_or_absent(const char *passwd)
{
	struct stat st;

	if (stat(passwd, &st) != 0 && errno == ENOENT)
		return VA_USER_DOES_NOT_EXIST;
	return VA_NO_AUTH_CONNECTION;
}

static int vcdb_getpw(const struct vdomain *d, const char *user, struct vpw_entry *out)
{
	struct vcdb_files f;
	struct cdb c;
	uid_t me = geteuid();
	size_t ulen;
	unsigned vlen;
	char *line;
	int fd, rc;

	if (d == NULL || user == NULL || out == NULL)
		return VA_NULL_POINTER;
	/* Only root and the domain's owner may read its users (§3.4). */
	if (me != 0 && me != d->uid)
		return VA_USER_DOES_NOT_EXIST;
	ulen = strlen(user);
	if (ulen == 0 || ulen > UINT_MAX)
		return VA_USER_DOES_NOT_EXIST;
	if ((rc = vcdb_files(d, &f)) != 0)
		return VA_USER_DOES_NOT_EXIST;

	/*
	 * A user database that exists but cannot be read (permissions, I/O,
	 * a torn or foreign file) is not "no such user": callers must be
	 * able to answer "try again later" instead of bouncing mail or
	 * refusing a login for good.
	 */
	fd = open(f.index, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		if (build_missing_index(d) != 0)
			return unreadable_or_absent(f.passwd);
		fd = open(f.index, O_RDONLY | O_CLOEXEC);
	}
	if (fd < 0)
		return errno == ENOENT ? VA_USER_DOES_NOT_EXIST : VA_NO_AUTH_CONNECTION;
	if (cdb_init(&c, fd) != 0) {
		close(fd);
		return VA_NO_AUTH_CONNECTION;
	}
	rc = VA_USER_DOES_NOT_EXIST;
	if (cdb_find(&c, user, (unsigned)ulen) > 0) {
		/* Rebuild the text line "user:value" and parse it. */
		vlen = cdb_datalen(&c);
		line = malloc(ulen + 1 + (size_t)vlen);
		if (line == NULL) {
			rc = VA_MEMORY_ALLOC_ERR;
		} else {
			memcpy(line, user, ulen);
			line[ulen] = ':';
			if (cdb_read(&c, line + ulen + 1, vlen, cdb_datapos(&c)) == 0)
				rc = vpw_parse_line(out, line, ulen + 1 + (size_t)vlen);
			if (rc != 0 && rc != VA_MEMORY_ALLOC_ERR)
				rc = VA_USER_DOES_NOT_EXIST;
			free(line);
		}
	}
	cdb_free(&c);
	close(fd);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Iteration in file order.                                           */

struct vcdb_iter {
	FILE  *fp;
	char  *line;
	size_t cap;
};

/*
 * While a walk is open, the lastauth files of the users it lists are
 * opened relative to a handle on their domain's directory (see
 * below_walk_dir()): a listing reads one per user, and resolving the full
 * path again for each was most of vuserinfo -D's time.  The handle lives
 * no longer than the walks, so a long-running process never keeps one
 * on a directory that has since been removed or replaced.
 */
static struct {
	int  walks;               /* iterators open */
	int  fd;                  /* O_PATH handle on dir, or -1 */
	char dir[VP_PATH_MAX];
} walk_dir = { 0, -1, "" };

static void *vcdb_iter_open(const struct vdomain *d)
{
	struct vcdb_files f;
	struct vcdb_iter *it;

	if (d == NULL || vcdb_files(d, &f) != 0)
		return NULL;
	it = calloc(1, sizeof *it);
	if (it == NULL)
		return NULL;
	it->fp = fopen(f.passwd, "re");
	if (it->fp == NULL) {
		free(it);
		return NULL;
	}
	walk_dir.walks++;
	return it;
}

/*
 * Unlike vpopmail, a line that does not parse is skipped instead of ending
 * the walk, and lines of any length are read whole.
 */
static int vcdb_iter_next(void *p, struct vpw_entry *out)
{
	struct vcdb_iter *it = p;

	if (it == NULL || out == NULL)
		return VA_NULL_POINTER;
	return vpw_read_entry(it->fp, &it->line, &it->cap, out);
}

static void vcdb_iter_close(void *p)
{
	struct vcdb_iter *it = p;

	if (it == NULL)
		return;
	fclose(it->fp);
	free(it->line);
	free(it);
	if (--walk_dir.walks == 0 && walk_dir.fd >= 0) {
		close(walk_dir.fd);
		walk_dir.fd = -1;
	}
}

/* ------------------------------------------------------------------ */
/* Last authentication: <user dir>/lastauth, IP inside, time = mtime.  */

#ifdef ENABLE_AUTH_LOGGING
static int lastauth_path(const struct vqpasswd *pw, char *buf, size_t size)
{
	static const char name[] = "/lastauth";
	size_t n;

	if (pw == NULL || pw->pw_dir == NULL || pw->pw_dir[0] == '\0')
		return VA_NULL_POINTER;
	/* Once per user in a listing: a copy, not a format. */
	n = strlen(pw->pw_dir);
	if (n + sizeof name > size)
		return VA_DIR_TOO_LONG;
	memcpy(buf, pw->pw_dir, n);
	memcpy(buf + n, name, sizeof name);
	return 0;
}

/*
 * The rest of path below d's directory when an open walk's handle can
 * reach it, else NULL.  openat() from the handle resolves the rest just
 * as the full path would from the directory the handle was opened on.
 */
static const char *below_walk_dir(const struct vdomain *d, const char *path)
{
	size_t n = strlen(d->dir);

	if (walk_dir.walks == 0 || n == 0 || strncmp(path, d->dir, n) != 0 || path[n] != '/')
		return NULL;
	if (walk_dir.fd < 0 || strcmp(walk_dir.dir, d->dir) != 0) {
		if (walk_dir.fd >= 0)
			close(walk_dir.fd);
		walk_dir.fd = open(d->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (walk_dir.fd < 0)
			return NULL;
		memcpy(walk_dir.dir, d->dir, n + 1);
	}
	return path + n + 1;
}
#endif

static int vcdb_set_lastauth(const struct vdomain *d, const struct vqpasswd *pw,
                             const char *ip, time_t when)
{
#ifdef ENABLE_AUTH_LOGGING
	char path[VP_PATH_MAX];
	struct timespec ts[2];
	size_t len;
	int rc, fd;

	if (d == NULL)
		return VA_NULL_POINTER;
	if ((rc = lastauth_path(pw, path, sizeof path)) != 0)
		return rc;
	if (ip == NULL)
		ip = "";
	/*
	 * Bookkeeping, rewritten in place like the original does: a few
	 * bytes in one write(2), no temp file, no fsync (this runs on every
	 * login, and every new inode is expensive on a busy filesystem).
	 */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return VA_COULD_NOT_UPDATE_FILE;
	len = strlen(ip);
	ts[0].tv_sec = ts[1].tv_sec = when;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	rc = (write(fd, ip, len) == (ssize_t)len && futimens(fd, ts) == 0) ? 0 : VA_COULD_NOT_UPDATE_FILE;
	if (vp_can_chown() && fchown(fd, d->uid, d->gid) != 0)
		rc = VA_COULD_NOT_UPDATE_FILE;
	if (close(fd) != 0)
		rc = VA_COULD_NOT_UPDATE_FILE;
	return rc;
#else
	(void)d; (void)pw; (void)ip; (void)when;
	return 0;
#endif
}

/*
 * *when = mtime of lastauth and ip = its first line.  No file (or a build
 * without auth logging) is VA_NO_AUTH_CONNECTION with *when = 0 and ip = "",
 * the same code vadduser() uses when lastauth cannot be written.
 */
static int vcdb_get_lastauth(const struct vdomain *d, const struct vqpasswd *pw,
                             time_t *when, char *ip, size_t ipsize)
{
	if (when != NULL)
		*when = 0;
	if (ip != NULL && ipsize > 0)
		ip[0] = '\0';
#ifdef ENABLE_AUTH_LOGGING
	{
		char path[VP_PATH_MAX];
		struct stat st;
		ssize_t n;
		char *nl;
		const char *rest;
		int fd, rc;

		if ((rc = lastauth_path(pw, path, sizeof path)) != 0)
			return rc;
		if (d != NULL && (rest = below_walk_dir(d, path)) != NULL)
			fd = openat(walk_dir.fd, rest, O_RDONLY | O_CLOEXEC);
		else
			fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return VA_NO_AUTH_CONNECTION;
		if (fstat(fd, &st) != 0) {
			close(fd);
			return VA_NO_AUTH_CONNECTION;
		}
		if (when != NULL)
			*when = st.st_mtime;
		if (ip != NULL && ipsize > 0) {
			n = read(fd, ip, ipsize - 1);
			ip[n > 0 ? n : 0] = '\0';
			if ((nl = strchr(ip, '\n')) != NULL)
				*nl = '\0';
		}
		close(fd);
		return 0;
	}
#else
	(void)d;
	(void)pw;
	return VA_NO_AUTH_CONNECTION;
#endif
}

/* ------------------------------------------------------------------ */

static const vauth_backend vcdb_backend = {
	.name         = "cdb",
	.open         = vcdb_open,
	.close        = vcdb_close,
	.adddomain    = vcdb_adddomain,
	.deldomain    = vcdb_deldomain,
	.adduser      = vcdb_adduser,
	.adduser_many = vcdb_adduser_many,
	.adduser_late = vcdb_adduser_late,
	.deluser      = vcdb_deluser,
	.getpw        = vcdb_getpw,
	.setpw        = vcdb_setpw,
	.iter_open    = vcdb_iter_open,
	.iter_next    = vcdb_iter_next,
	.iter_close   = vcdb_iter_close,
	.reindex      = vcdb_reindex,
	.set_lastauth = vcdb_set_lastauth,
	.get_lastauth = vcdb_get_lastauth,
};

const vauth_backend *vcdb_backend_get(void)
{
	return &vcdb_backend;
}

/* The compiled-in backend, unless another module (mysql/) provides it. */
#ifndef AUTH_MYSQL
const vauth_backend *vauth_backend_get(void)
{
	return &vcdb_backend;
}
#endif
