/*
 * vcdb.c - the vpasswd/cdb auth backend: its operations.
 *
 * The text file <domain dir>/vpasswd is the truth; <domain dir>/vpasswd.cdb
 * is its index for lookups (key = name, value = the rest of the line).
 * Every change is one rewrite of both (vcdb_rewrite.c); the walk over a
 * domain and the lastauth files are in vcdb_walk.c.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vcdb_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The process umask, read without leaving it changed. */
static mode_t current_umask(void)
{
	mode_t m = umask(077);

	umask(m);
	return m;
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
                      enum vcdb_op op, mode_t mode, const struct vqpasswd *expect)
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
	rw.expect = expect;
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
	return put_record(d, pw, OP_SET, 0666 & ~current_umask(), NULL);
}

static int vcdb_setpw_if(const struct vdomain *d, const struct vqpasswd *old,
                         const struct vqpasswd *pw)
{
	if (d == NULL || old == NULL || pw == NULL)
		return VA_NULL_POINTER;
	return put_record(d, pw, OP_SET, 0666 & ~current_umask(), old);
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

/* Build a missing or stale vpasswd.cdb before a lookup (not if vpasswd
 * is missing too). */
static int build_stale_index(const struct vdomain *d)
{
	struct rewrite rw;

	memset(&rw, 0, sizeof rw);
	rw.op = OP_INDEX;
	rw.index = 1;
	rw.need_passwd = 1;
	rw.only_if_stale = 1;
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
	fd = vp_open_read(f.index, 0);
	if (fd < 0 && errno == ENOENT) {
		if (build_stale_index(d) != 0)
			return unreadable_or_absent(f.passwd);
		fd = vp_open_read(f.index, 0);
	} else if (fd >= 0 && vcdb_index_stale(f.passwd, f.index) && build_stale_index(d) == 0) {
		/* vpasswd changed after the index was built (a writer stopped
		 * between its two renames): rebuilt, read the new one.  If
		 * that cannot be done, the old index still answers. */
		close(fd);
		fd = vp_open_read(f.index, 0);
	}
	if (fd < 0)
		return errno == ENOENT ? VA_USER_DOES_NOT_EXIST : VA_NO_AUTH_CONNECTION;
	if (cdb_init(&c, fd) != 0) {
		close(fd);
		return VA_NO_AUTH_CONNECTION;
	}
	/*
	 * Only a clean miss is "no such user".  A torn index (cdb_find() or
	 * cdb_read() failing) and a record that is there but damaged are
	 * the admin's to repair: callers answer "try again later" meanwhile.
	 */
	switch (cdb_find(&c, user, (unsigned)ulen)) {
	case 0:
		/* (a damaged index may miss a user it holds: not an answer) */
		rc = vp_cdb_miss_sound(&c, user, (unsigned)ulen) ? VA_USER_DOES_NOT_EXIST
		                                                  : VA_NO_AUTH_CONNECTION;
		break;
	case 1:
		/* Rebuild the text line "user:value" and parse it. */
		vlen = cdb_datalen(&c);
		line = malloc(ulen + 1 + (size_t)vlen);
		if (line == NULL) {
			rc = VA_MEMORY_ALLOC_ERR;
			break;
		}
		memcpy(line, user, ulen);
		line[ulen] = ':';
		if (cdb_read(&c, line + ulen + 1, vlen, cdb_datapos(&c)) != 0)
			rc = VA_NO_AUTH_CONNECTION;
		else if ((rc = vpw_parse_line(out, line, ulen + 1 + (size_t)vlen)) != 0 &&
		         rc != VA_MEMORY_ALLOC_ERR)
			rc = VA_PARSE_ERROR;
		free(line);
		break;
	default:
		rc = VA_NO_AUTH_CONNECTION;
		break;
	}
	cdb_free(&c);
	close(fd);
	return rc;
}

/* ------------------------------------------------------------------ */

static int vcdb_stamp(const struct vdomain *d, struct vp_file_stamp out[2])
{
	struct vcdb_files f;

	if (vcdb_files(d, &f) != 0)
		return -1;
	vp_file_stamp(f.passwd, &out[0]);
	vp_file_stamp(f.index, &out[1]);
	return 0;
}

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
	.setpw_if     = vcdb_setpw_if,
	.stamp        = vcdb_stamp,
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
