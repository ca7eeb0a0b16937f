/*
 * userintent.c - what an add or a delete holding a domain's .userdir.lock
 * is doing to user directories, written into that lock file, so that the
 * next holder can finish the work of one that was killed.
 *
 * While the lock is held the file lists one line per directory in play,
 * "<op> <pid> <places> <free> <hash>/<user>":
 *
 *	a	an add takes a place and makes the directory there; <hash>
 *		is "?" while the place is being taken ("?<hash>" when
 *		.dir_control_free is to give it; a bulk add writes such a
 *		line only then, with its <free> and no <places>)
 *	b	... a bulk add, which writes .dir-control once per batch: the
 *		place is not counted yet
 *	r	... the same, the place from .dir_control_free
 *	d	a delete is removing the directory
 *
 * and "c <pid> <count>" before a bulk add writes .dir-control's count
 * for a batch: if the file has that count, the batch's b and r lines
 * were counted (they become a lines just after, and the c line x).
 *
 * <hash> is empty for a directory in the domain directory itself.
 * <places> is .dir-control as it was before the place was taken (a) or
 * given back (d), and <free> the size of .dir_control_free then (after
 * the place was taken, for a); "-" for none (no big-dir, and a bulk
 * add's lines).  Under the lock nothing else changes either file, so the
 * next holder can tell what was done: a place being taken is undone by
 * putting .dir-control back, one to be given back is given back once.
 * Without them (bulk adds) a place is given back when a directory is
 * removed.
 *
 * The holder cuts the file back when it lets the lock go, so at rest it
 * is empty.  A file that is not empty when the lock is taken was left by
 * a holder that died (the lock went with it): each line is settled
 * against the user's record, as it is now, before anything else is done
 * under the lock.  Without this an add killed after it made the
 * directory, or a delete killed after the record went, left a directory
 * that nothing removed once the name was added again in another hash
 * directory, and a place in the big-dir count that was never given back.
 *
 * The lines are not fsynced: they only serve recovery after a killed
 * process, and the lock file is not a file others read.
 */
#include "vpinternal.h"
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int intent_fd = -1;      /* the held lock file */
static off_t intent_base;       /* lines kept by the settling (undecided) */
static off_t intent_len;        /* ... and those of this holder after them */
static off_t intent_counted;    /* lines before this are not 'b' or 'r' */
static off_t placing_at = -1;   /* the "a ... ?/<user>" line of vp_intent_placing() */
static int intent_bulk;         /* vp_intent_bulk() */
static int batch_counted;       /* settling: the b and r lines were counted */
/* The last user whose removal the settling finished, and the directory
 * (vp_intent_deleted()). */
static char deleted_user[MAX_PW_NAME + 1], deleted_dir[VP_PATH_MAX];

/* What to do with a line: drop it (settled) or keep it for later. */
enum { SETTLED, UNDECIDED };

/* The big-dir state of a domain: .dir-control and the size of
 * .dir_control_free (have: 0 when there is no .dir-control to read). */
struct places {
	int have;
	vdir_type vd;
	long free_size;
};

/* The size of .dir_control_free (0: none), or -1. */
static long free_size_now(const struct vdomain *d)
{
	char freelist[VP_PATH_MAX];
	struct stat st;

	if (vp_fmt(freelist, sizeof freelist, "%s/.dir_control_free", d->dir) != 0)
		return -1;
	if (stat(freelist, &st) == 0)
		return (long)st.st_size;
	return errno == ENOENT ? 0 : -1;
}

static void places_now(const struct vdomain *d, struct places *p)
{
	char ctl[VP_PATH_MAX];

	p->have = 0;
	p->free_size = -1;
#ifdef USERS_BIG_DIR
	if (vp_dirctl_path(d->dir, ctl, sizeof ctl) != 0 || vp_dirctl_read(ctl, &p->vd) != 0 ||
	    (p->free_size = free_size_now(d)) < 0)
		return;
	p->have = 1;
#else
	(void)d;
	(void)ctl;
#endif
}

/* The <places> field: .dir-control's numbers and directory, no space. */
static void places_encode(const struct places *p, char *out, size_t size)
{
	const vdir_type *v = &p->vd;

	if (!p->have || strchr(v->the_dir, ' ') != NULL ||
	    snprintf(out, size, "%lu,%d,%d,%d.%d.%d,%d.%d.%d,%d.%d.%d,%d.%d.%d,%s",
	             v->cur_users, v->level_cur, v->level_max,
	             v->level_start[0], v->level_start[1], v->level_start[2],
	             v->level_end[0], v->level_end[1], v->level_end[2],
	             v->level_mod[0], v->level_mod[1], v->level_mod[2],
	             v->level_index[0], v->level_index[1], v->level_index[2],
	             v->the_dir) >= (int)size)
		vp_strlcpy(out, "-", size);
}

/* 0 with the fields read back into p, -1 for "-" or anything else. */
static int places_decode(const char *s, long free_size, struct places *p)
{
	vdir_type *v = &p->vd;
	int n = -1;

	p->have = 0;
	vp_dirctl_init(v);
	if (sscanf(s, "%lu,%d,%d,%d.%d.%d,%d.%d.%d,%d.%d.%d,%d.%d.%d,%n",
	           &v->cur_users, &v->level_cur, &v->level_max,
	           &v->level_start[0], &v->level_start[1], &v->level_start[2],
	           &v->level_end[0], &v->level_end[1], &v->level_end[2],
	           &v->level_mod[0], &v->level_mod[1], &v->level_mod[2],
	           &v->level_index[0], &v->level_index[1], &v->level_index[2], &n) != 15 ||
	    n < 0 || vp_strlcpy(v->the_dir, s + n, sizeof v->the_dir) != 0 ||
	    (v->the_dir[0] != '\0' && !vp_hash_path_ok(v->the_dir)) || free_size < 0)
		return -1;
	p->free_size = free_size;
	p->have = 1;
	return 0;
}

/* Put .dir-control back as it was (a place being taken when killed). */
static void places_restore(const struct vdomain *d, const struct places *was)
{
	char ctl[VP_PATH_MAX];
	int lk;

	if (vp_dirctl_path(d->dir, ctl, sizeof ctl) != 0 || (lk = vp_dirctl_lock(ctl)) < 0)
		return;
	(void)vp_dirctl_write(ctl, &was->vd, d->uid, d->gid);
	vp_dirctl_unlock(lk);
}

/*
 * Give back the place of a directory an add ('a', 'b', 'r') or a delete
 * ('d') left.  With `was` (the state noted): what of it is still to do,
 * the count (if it is still was's, or one up from it for an add) and the
 * hash directory offered in .dir_control_free (if that is still was's
 * size).  Without: all of it if a directory was removed.  'b': nothing
 * was written; 'r': only .dir_control_free.
 */
static void give_back(const struct vdomain *d, char op, const char *hash,
                      const struct places *was, int removed)
{
	char ctl[VP_PATH_MAX];
	struct places now;
	int give, dec;

#ifndef USERS_BIG_DIR
	op = 'b';               /* no places without big-dir */
#endif
	if (op == 'b')
		return;
	if (was->have) {
		places_now(d, &now);
		if (!now.have)
			return;
		dec = now.vd.cur_users == was->vd.cur_users + (op == 'd' ? 0 : 1);
		give = now.free_size == was->free_size;
	} else {
		dec = give = removed;
	}
	if (give && hash[0] != '\0')
		(void)vp_backfill_give(d->dir, hash);
	if (dec && op != 'r' && vp_dirctl_path(d->dir, ctl, sizeof ctl) == 0)
		(void)vp_bigdir_dec(ctl, d->uid, d->gid);
}

/* The record of user: VA_SUCCESS with its directory in dir, or the backend's answer. */
static int record_dir(const struct vdomain *d, const char *user, char *dir, size_t size)
{
	struct vpw_entry e = {0};
	int rc;

	rc = vauth_backend_get()->getpw(d, user, &e);
	if (rc == VA_SUCCESS && vp_strlcpy(dir, e.pw.pw_dir != NULL ? e.pw.pw_dir : "", size) != 0)
		dir[0] = '\0';
	vpw_entry_free(&e);
	return rc;
}

static int is_dir(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * An add killed part way.  Taking its place: .dir-control is put back if
 * the take was written, and a place .dir_control_free gave up is offered
 * there again.  After: the directory it made goes
 * unless the record names it, or it holds more than an empty skeleton
 * (it then stays, and so does its place), and the place is given back
 * unless it was already.
 */
static int settle_add(const struct vdomain *d, char op, const struct places *was,
                      const char *hash, const char *user, const char *path)
{
	char dir[VP_PATH_MAX];
	int rc, removed = 0;

	if (hash[0] == '?') {
		struct places now;
		long free_now = free_size_now(d);

		places_now(d, &now);
		if (was->have && now.have && now.vd.cur_users != was->vd.cur_users)
			places_restore(d, was);
		/* the list gave up its first place (it is shorter): offered again */
		if (hash[1] != '\0' && was->free_size >= 0 && free_now >= 0 &&
		    free_now < was->free_size)
			(void)vp_backfill_give(d->dir, hash + 1);
		return SETTLED;
	}
	rc = record_dir(d, user, dir, sizeof dir);
	if (rc != VA_SUCCESS && rc != VA_USER_DOES_NOT_EXIST)
		return UNDECIDED;
	if (rc == VA_SUCCESS && strcmp(dir, path) == 0)
		return SETTLED;         /* the add was done */
	if (is_dir(path)) {
		if (!vp_userdir_disposable(path) || vp_rmtree(path) != 0)
			return SETTLED;
		removed = 1;
	}
	give_back(d, op, hash, was, removed);
	return SETTLED;
}

/*
 * A delete killed part way.  The record still there (and naming the
 * directory): it stopped before removing it, so only its mark goes.
 * The record gone: the marked directory, or what it had set aside so far
 * (".<user>.deleted.<pid>" in the domain directory), is removed, and the
 * place given back unless it was already.
 */
static int settle_del(const struct vdomain *d, long pid, const struct places *was,
                      const char *hash, const char *user, const char *path)
{
	char dir[VP_PATH_MAX], aside[VP_PATH_MAX];
	int rc = record_dir(d, user, dir, sizeof dir), removed = 0;

	if (rc == VA_SUCCESS) {
		if (strcmp(dir, path) == 0)
			vp_userdir_unmark(path);
		return SETTLED;
	}
	if (rc != VA_USER_DOES_NOT_EXIST)
		return UNDECIDED;
	/* Set aside under the dead deleter's name, not ours: a settling
	 * killed while removing it leaves what the next one finds. */
	if (is_dir(path)) {
		if (!vp_userdir_marked(path) || vp_rmtree_aside_as(path, d->dir, pid) != 0)
			return SETTLED;
		removed = 1;
	} else if (vp_fmt(aside, sizeof aside, "%s/.%s.deleted.%ld", d->dir, user, pid) == 0 &&
	           is_dir(aside)) {
		if (vp_rmtree(aside) != 0)
			return SETTLED;
		removed = 1;
	}
	give_back(d, 'd', hash, was, removed);
	if (removed && (vp_strlcpy(deleted_user, user, sizeof deleted_user) != 0 ||
	                vp_strlcpy(deleted_dir, path, sizeof deleted_dir) != 0))
		deleted_user[0] = '\0';
	return SETTLED;
}

/* One line (without its newline): SETTLED, or UNDECIDED to keep it. */
static int settle_line(const struct vdomain *d, const char *line)
{
	char path[VP_PATH_MAX], rest[VP_PATH_MAX + 128], *field[3], *user, *hash;
	struct places was;
	long pid, free_size = -1;
	char op = line[0], *p, *end;
	int i;

	if (op == '\0' || strchr("abrd", op) == NULL || line[1] != ' ' ||
	    vp_strlcpy(rest, line + 2, sizeof rest) != 0)
		return SETTLED;         /* not a line of ours */
	/* <pid> <places> <free>, then the path */
	for (i = 0, p = rest; i < 3; i++) {
		field[i] = p;
		if ((p = strchr(p, ' ')) == NULL)
			return SETTLED;
		*p++ = '\0';
	}
	hash = p;
	errno = 0;
	pid = strtol(field[0], &end, 10);
	if (errno != 0 || pid <= 0 || *end != '\0')
		return SETTLED;
	if (strcmp(field[2], "-") != 0) {
		free_size = strtol(field[2], &end, 10);
		if (errno != 0 || free_size < 0 || *end != '\0')
			return SETTLED;
	}
	if (places_decode(field[1], free_size, &was) != 0) {
		was.have = 0;
		was.free_size = free_size;      /* (a bulk add's "?" line) */
	}
	if ((op == 'b' || op == 'r') && batch_counted)
		op = 'a';
	if ((user = strrchr(hash, '/')) == NULL)
		return SETTLED;
	*user++ = '\0';
	if (user[0] == '\0' || user[0] == '.' ||
#ifdef USERS_BIG_DIR
	    user[1] == '\0' ||  /* (no user has a hash directory's name) */
#endif
	    (hash[0] == '?' ? (op != 'a' && op != 'r') ||
	                      (hash[1] != '\0' && !vp_hash_path_ok(hash + 1)) :
	     hash[0] != '\0' && !vp_hash_path_ok(hash)) ||
	    vp_userdir_path(d, hash, user, path, sizeof path) != 0)
		return SETTLED;
	return op == 'd' ? settle_del(d, pid, &was, hash, user, path) :
	       settle_add(d, op, &was, hash, user, path);
}

/* 1 if the last "c <pid> <count>" line of buf has .dir-control's count. */
static int last_batch_counted(const struct vdomain *d, const char *buf)
{
	const char *p, *nl, *last = NULL;
	struct places now;
	long pid, count;
	int n = -1;

	for (p = buf; *p != '\0'; p = nl + 1) {
		if (p[0] == 'c' && p[1] == ' ')
			last = p;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
	}
	if (last == NULL || sscanf(last, "c %ld %ld\n%n", &pid, &count, &n) != 2 || n < 0)
		return 0;
	places_now(d, &now);
	return now.have && (long)now.vd.cur_users == count;
}

/* Settle what a dead holder left in the lock file open as fd; the lines
 * that could not be settled now (the database did not answer) are kept
 * at its start.  Returns their length. */
static off_t settle(int fd, const struct vdomain *d)
{
	size_t len, kept = 0;
	char *buf, *line, *nl;

	/* (from the start: the holders only pread and pwrite this file) */
	if (vp_slurp_fd(fd, 0, &buf, &len) != 0)
		return 0;
	batch_counted = last_batch_counted(d, buf);
	for (line = buf; line < buf + len; line = nl + 1) {
		size_t n;

		if ((nl = memchr(line, '\n', (size_t)(buf + len - line))) == NULL)
			break;          /* the last line, cut short by the kill */
		n = (size_t)(nl - line);
		*nl = '\0';
		if (memchr(line, '\0', n) != NULL || settle_line(d, line) != UNDECIDED)
			continue;
		*nl = '\n';
		memmove(buf + kept, line, n + 1);
		kept += n + 1;
	}
	if (kept > 0 && vp_pwrite_all(fd, buf, kept, 0) != 0)
		kept = 0;
	if (ftruncate(fd, (off_t)kept) != 0)
		kept = 0;
	free(buf);
	return (off_t)kept;
}

void vp_intent_begin(int lockfd, const struct vdomain *d)
{
	struct stat st;

	intent_fd = -1;
	placing_at = -1;
	intent_bulk = 0;
	deleted_user[0] = '\0';
	if (lockfd < 0 || fstat(lockfd, &st) != 0)
		return;
	intent_base = st.st_size > 0 ? settle(lockfd, d) : 0;
	intent_len = intent_counted = intent_base;
	intent_fd = lockfd;
}

/* Write a line at `at` (the end, or the line placing_at, which is the
 * last one); 0, or -1 if it could not be written. */
static int put_line(off_t at, char op, const struct places *p, const char *hash,
                    const char *user)
{
	char line[VP_PATH_MAX + 128], places[96], free_size[24];
	int n;

	if (strchr(hash, '\n') != NULL || strchr(user, '\n') != NULL)
		return -1;
	places_encode(p, places, sizeof places);
	if (p->free_size >= 0)
		snprintf(free_size, sizeof free_size, "%ld", p->free_size);
	else
		vp_strlcpy(free_size, "-", sizeof free_size);
	n = snprintf(line, sizeof line, "%c %ld %s %s %s/%s\n", op, (long)getpid(), places,
	             free_size, hash, user);
	if (n <= 0 || (size_t)n >= sizeof line || vp_pwrite_all(intent_fd, line, (size_t)n, at) != 0)
		return -1;
	if (at + n < intent_len && ftruncate(intent_fd, at + n) != 0)
		return -1;
	intent_len = at + n;
	return 0;
}

static struct places placing;   /* the state before the place was taken */

void vp_intent_bulk(int on)
{
	intent_bulk = on;
}

void vp_intent_placing(const struct vdomain *d, const char *user)
{
	off_t start = intent_len;
	char hash[MAX_DIR_NAME + 1] = "?";

	placing_at = -1;
	if (intent_fd < 0)
		return;
	if (intent_bulk) {
#ifdef USERS_BIG_DIR
		/* Only the free list: a bulk add's count is settled by its
		 * b, r and c lines. */
		struct places p = { .have = 0, .free_size = free_size_now(d) };

		if (p.free_size > 0 && vp_backfill_peek(d->dir, hash + 1, sizeof hash - 1) == 1 &&
		    put_line(start, vp_bigdir_batch_open() ? 'r' : 'a', &p, hash, user) == 0)
			placing_at = start;
#endif
		return;
	}
	places_now(d, &placing);
	/* "?<hash>": the place .dir_control_free will give, if it lists one
	 * (without it a kill after the list gave it up would lose it) */
	if (placing.have && placing.free_size > 0 &&
	    vp_backfill_peek(d->dir, hash + 1, sizeof hash - 1) != 1)
		hash[1] = '\0';
	if (placing.have && put_line(start, 'a', &placing, hash, user) == 0)
		placing_at = start;
}

void vp_intent_placed(const struct vdomain *d, const char *hash, const char *user, int reused)
{
	static const struct places none = { .have = 0, .free_size = -1 };
	struct places was;

	if (intent_fd < 0)
		return;
	if (placing_at >= 0 && !intent_bulk) {
		/* the place is taken: the line says which, and how big the
		 * free list is now (so a give-back is seen) */
		was = placing;
		if ((was.free_size = free_size_now(d)) < 0)
			was.have = 0;
		(void)put_line(placing_at, 'a', &was, hash, user);
		placing_at = -1;
		return;
	}
	/* (in a bulk add's batch the count is written later: 'b', 'r') */
	(void)put_line(placing_at >= 0 ? placing_at : intent_len,
	               !vp_bigdir_batch_open() ? 'a' : reused ? 'r' : 'b', &none, hash, user);
	placing_at = -1;
}

void vp_intent_deleting(const struct vdomain *d, const char *hash, const char *user)
{
	struct places now;

	if (intent_fd < 0)
		return;
	places_now(d, &now);
	(void)put_line(intent_len, 'd', &now, hash, user);
}

void vp_intent_batch_count(long count)
{
	char line[64];
	int n;

	if (intent_fd < 0 || count < 0)
		return;
	n = snprintf(line, sizeof line, "c %ld %ld\n", (long)getpid(), count);
	if (vp_pwrite_all(intent_fd, line, (size_t)n, intent_len) == 0)
		intent_len += n;
}

void vp_intent_counted(void)
{
	size_t len, i;
	char *buf;

	if (intent_fd < 0 || intent_len <= intent_counted)
		return;
	len = (size_t)(intent_len - intent_counted);
	if ((buf = malloc(len)) == NULL)
		return;
	if (pread(intent_fd, buf, len, intent_counted) == (ssize_t)len) {
		for (i = 0; i < len; i++) {
			if (i > 0 && buf[i - 1] != '\n')
				continue;
			if (buf[i] == 'b' || buf[i] == 'r')
				buf[i] = 'a';
			else if (buf[i] == 'c')
				buf[i] = 'x';   /* (done with: a later batch's is not this one's) */
		}
		if (vp_pwrite_all(intent_fd, buf, len, intent_counted) == 0)
			intent_counted = intent_len;
	}
	free(buf);
}

void vp_intent_end(int lockfd)
{
	if (lockfd < 0 || lockfd != intent_fd)
		return;
	if (intent_len > intent_base)
		(void)ftruncate(intent_fd, intent_base);
	intent_fd = -1;
	placing_at = -1;
	intent_bulk = 0;
}

const char *vp_intent_deleted(const char *user)
{
	return deleted_user[0] != '\0' && strcmp(deleted_user, user) == 0 ? deleted_dir : NULL;
}
