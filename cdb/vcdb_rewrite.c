/*
 * vcdb_rewrite.c - the one change to a domain's vpasswd and vpasswd.cdb.
 *
 * Every change is one pass over the old vpasswd under the domain's
 * .vpasswd.lock: the file is mapped whole, and the pass lists the pieces of
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
#include "vcdb_internal.h"
#include "fdio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The domain's vpasswd, index, lock and temp file names. */
int vcdb_files(const struct vdomain *d, struct vcdb_files *f)
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

/* Does the vpasswd line hold exactly the fields of pw? */
static int line_has(const char *line, size_t len, const struct vqpasswd *pw)
{
	struct vpw_entry e = {0};
	int same;

	if (vpw_parse_line(&e, line, len) != 0)
		return 0;
	same = vpw_same(&e.pw, pw);
	vpw_entry_free(&e);
	return same;
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
			if (rw->expect != NULL && !line_has(line, len, rw->expect))
				return VA_USER_DOES_NOT_EXIST;
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
 * A cdb.tmp found at the start of a change was left by a writer that died
 * (killed, power cut) holding the lock; its vpasswd.bak.<pid> may be left
 * too, and no later writer would reuse that name.  (open_outputs() makes
 * cdb.tmp before vpasswd.bak.<pid>, so a dead writer that left the second
 * left the first as well.)  With the lock held no
 * other writer runs, so every vpasswd.bak.* but ours is stale; built with
 * --disable-file-locking, only those whose process is gone are.
 */
static void sweep_dead_writer(const char *dir)
{
	const size_t plen = sizeof VCDB_PASSWD_TMP;      /* "vpasswd.bak." */
	DIR *dp;
	struct dirent *e;
	long me = (long)getpid();

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((e = readdir(dp)) != NULL) {
		char *end;
		long pid;

		if (strncmp(e->d_name, VCDB_PASSWD_TMP ".", plen) != 0)
			continue;
		errno = 0;
		pid = strtol(e->d_name + plen, &end, 10);
		if (errno != 0 || end == e->d_name + plen || *end != '\0' || pid <= 0 || pid == me)
			continue;
#ifndef FILE_LOCKING
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
#endif
		unlinkat(dirfd(dp), e->d_name, 0);
	}
	closedir(dp);
}

/*
 * Open the outputs that rw asks for.  The temp files get the domain's
 * owner before they are renamed, so readers never see a root-owned file.
 */
static int open_outputs(struct rewrite *rw, const struct vcdb_files *f,
                        const struct vdomain *d)
{
	int rc;

	if (rw->index) {
		rc = vp_afile_open(&rw->cf, f->index, f->index_tmp, 0600);
		if (rc != 0)
			return rc;
		if (rw->cf.stale)
			sweep_dead_writer(d->dir);
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

/*
 * Give the new vpasswd a modification time later than the index it
 * replaces, and the new index the same time: a writer killed between the
 * two renames below then leaves a vpasswd that vcdb_index_stale() finds
 * newer than the index, so the next lookup rebuilds it.  The file
 * system's clock moves in ticks (milliseconds), so two changes close
 * together would otherwise give both files the same time, and the old
 * index would go on answering.
 */
static void order_mtimes(struct rewrite *rw)
{
	struct stat now, old;
	struct timespec ts[2];

	if (fstat(rw->tf.fd, &now) != 0)
		return;
	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = now.st_mtim;
	if (stat(rw->cf.dst, &old) == 0 &&
	    (ts[1].tv_sec < old.st_mtim.tv_sec ||
	     (ts[1].tv_sec == old.st_mtim.tv_sec && ts[1].tv_nsec <= old.st_mtim.tv_nsec))) {
		ts[1] = old.st_mtim;
		if (++ts[1].tv_nsec == 1000000000L) {
			ts[1].tv_sec++;
			ts[1].tv_nsec = 0;
		}
	}
	(void)futimens(rw->tf.fd, ts);
	(void)futimens(rw->cf.fd, ts);
}

/* Rename vpasswd and vpasswd.cdb into place, each after its fsync. */
static int commit_outputs(struct rewrite *rw)
{
	int rc, committed = 0;

	if (rw->text_open && rw->index_open)
		order_mtimes(rw);
	if (rw->text_open) {
		rw->text_open = 0;
		/* Same directory as the index: one directory fsync covers both,
		 * unless there is no index to commit. */
		if (rw->index_open)
			rw->tf.flags |= VP_AFILE_NODIRSYNC;
		rc = vp_afile_commit(&rw->tf);
		if (rc != 0)
			return rc;
		committed = 1;
	}
	if (rw->index_open) {
		rw->index_open = 0;
		rc = vp_afile_commit(&rw->cf);
		if (rc != 0 && committed) {
			/*
			 * vpasswd, the record itself, is in place: the change is
			 * made and must not be reported (and undone by the caller)
			 * as failed.  The old index is older than the new vpasswd
			 * (order_mtimes), so the next lookup rebuilds it.  The
			 * directory fsync was left to the index's commit.
			 */
			(void)vp_fsync_parent(rw->tf.dst);
			return 0;
		}
		if (rc != 0)
			return rc;
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
		    vp_pwrite_all(rw->tf.fd, h, rw->late_len, at + (off_t)rw->late_off) != 0)
			return VA_COULD_NOT_UPDATE_FILE;
	}
	if (rw->index_open &&
	    (rw->late_cdb < 0 || vp_pwrite_all(rw->cf.fd, h, rw->late_len, rw->late_cdb) != 0))
		return VA_COULD_NOT_UPDATE_FILE;
	return 0;
}

/* See vcdb_internal.h. */
int vcdb_index_stale(const char *passwd, const char *index)
{
	struct stat p, i;

	if (stat(index, &i) != 0)
		return 1;
	if (stat(passwd, &p) != 0)
		return 0;
	return p.st_mtim.tv_sec > i.st_mtim.tv_sec ||
	       (p.st_mtim.tv_sec == i.st_mtim.tv_sec && p.st_mtim.tv_nsec > i.st_mtim.tv_nsec);
}

/* See vcdb_internal.h. */
int vcdb_rewrite(const struct vdomain *d, struct rewrite *rw)
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
	memset(&rw->inmap, 0, sizeof rw->inmap);
	lk = vp_lock(f.lock);
	if (lk < 0)
		return LOCK_NOT_TAKEN;

	if (rw->only_if_stale && !vcdb_index_stale(f.passwd, f.index)) {
		rc = 0;		/* someone else built it meanwhile */
		goto out;
	}
	/* A missing vpasswd reads as an empty one unless the operation needs it. */
	rc = vp_map(f.passwd, &rw->inmap);
	rw->in = rw->inmap.data;
	rw->inlen = rw->inmap.len;
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
	vp_unmap(&rw->inmap);
	rw->in = NULL;
	free(rw->out);
	rw->out = NULL;
	vp_unlock(lk);
	return rc;
}
