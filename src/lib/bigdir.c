/*
 * bigdir.c - hashed placement of user and domain directories (".dir-control").
 *
 * A domain keeps its users (and ~vpopmail/domains keeps its domains) in a
 * flat directory until 99 entries exist; after that every further block of
 * 100 goes into a hash directory named from a 62-character table: "0", "1",
 * ... "z", then "0/0" ... "z/z".  The state lives in an 8-line text file
 * whose exact bytes other tools read and compare, so it is written exactly
 * as vpopmail writes it, including one reading quirk (see parse_triple()).
 *
 * Unlike the original, the read-modify-write of the control file is done
 * under an flock() on the directory that holds it (no extra lock file
 * appears in the domain directory), and the file is replaced atomically.

 * The list of hash directories freed by deleted users is backfill.c.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Index 0..61 of this table is what the control file's numbers refer to. */
static const char hash_table[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";


/* ------------------------------------------------------------------ */
/* The control file.                                                   */

void vp_dirctl_init(vdir_type *vd)
{
	int i;

	memset(vd, 0, sizeof *vd);
	vd->level_max = MAX_DIR_LEVELS;
	for (i = 0; i < MAX_DIR_LEVELS; i++) {
		vd->level_start[i] = 0;
		vd->level_end[i] = MAX_DIR_LIST - 1;
		vd->level_mod[i] = 2 * i;       /* 0 2 4: "a/b/c" positions */
		vd->level_index[i] = 0;
	}
}

/*
 * Lines 4-7 hold three numbers each.  vpopmail reads the second number
 * after the first space and then looks for the third starting from the
 * beginning of the line again, so the third always repeats the second
 * ("0 2 4" comes back as "0 2 2").  The values are observable in every
 * rewritten file, so we read them the same way.
 */
static void parse_triple(const char *line, int v[3])
{
	const char *sp = strchr(line, ' ');

	v[0] = (int)strtol(line, NULL, 10);
	v[1] = sp != NULL ? (int)strtol(sp + 1, NULL, 10) : 0;
	v[2] = v[1];
}

/* 1 if s is a usable hash path: table characters and single slashes. */
int vp_hash_path_ok(const char *s)
{
	const char *p;

	if (*s == '/')
		return 0;
	for (p = s; *p != '\0'; p++) {
		if (*p == '/') {
			if (p[1] == '/')
				return 0;
		} else if (strchr(hash_table, *p) == NULL) {
			return 0;
		}
	}
	return 1;
}

/*
 * 1 if the_dir has the shape the allocator gives it at depth level_cur:
 * empty or "c" at depth 0, "c/c" at depth 1, "c/c/" or "c/c/c" at depth 2
 * (the third level steps the second level's character, see parse_triple(),
 * so its own position usually stays empty).  Characters: vp_hash_path_ok().
 */
static int dir_shape_ok(const char *dir, int level_cur)
{
	size_t n = strlen(dir);

	switch (level_cur) {
	case 0:
		return n <= 1;
	case 1:
		return n == 3 && dir[1] == '/';
	default:
		return (n == 4 || n == 5) && dir[1] == '/' && dir[3] == '/';
	}
}

/*
 * Accept only states the allocator itself writes.  It never changes the
 * depth limit (3), the table bounds (0 and 61) or the character positions
 * (0 and 2; the third column is read as a copy of the second); the depth
 * is 0 to 2; an index only counts steps (on the third level it grows past
 * 61) and is never negative; the current directory matches the depth.
 * Anything else (a zeroed or emptied file, a hand edit) would make it
 * reuse one directory forever or build names like "0//", or index
 * outside its arrays.
 */
static int dirctl_sane(const vdir_type *vd)
{
	int i;

	if (vd->level_max != MAX_DIR_LEVELS ||
	    vd->level_cur < 0 || vd->level_cur >= MAX_DIR_LEVELS)
		return 0;
	for (i = 0; i < MAX_DIR_LEVELS; i++) {
		if (vd->level_start[i] != 0 || vd->level_end[i] != MAX_DIR_LIST - 1 ||
		    vd->level_index[i] < 0)
			return 0;
	}
	if (vd->level_mod[0] != 0 || vd->level_mod[1] != 2)
		return 0;
	return vp_hash_path_ok(vd->the_dir) && dir_shape_ok(vd->the_dir, vd->level_cur);
}

int vp_dirctl_read(const char *ctlpath, vdir_type *vd)
{
	char *buf, *line, *next;
	const char *lines[8];
	int n, rc;

	vp_dirctl_init(vd);
	if (ctlpath == NULL || *ctlpath == '\0')
		return 1;
	rc = vp_slurp(ctlpath, &buf, NULL);
	if (rc != 0) {
		if (rc == -1 && errno == ENOENT)
			return 1;
		return rc == VA_MEMORY_ALLOC_ERR ? rc : VA_COULD_NOT_UPDATE_FILE;
	}

	/* Split into (at most) 8 lines; missing lines read as empty. */
	for (n = 0; n < 8; n++)
		lines[n] = "";
	for (n = 0, line = buf; n < 8 && *line != '\0'; n++, line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		lines[n] = line;
	}

	vd->cur_users = (unsigned long)strtol(lines[0], NULL, 10);  /* atol */
	vd->level_cur = (int)strtol(lines[1], NULL, 10);
	vd->level_max = (int)strtol(lines[2], NULL, 10);
	parse_triple(lines[3], vd->level_start);
	parse_triple(lines[4], vd->level_end);
	parse_triple(lines[5], vd->level_mod);
	parse_triple(lines[6], vd->level_index);
	if (strlen(lines[7]) >= sizeof vd->the_dir) {
		free(buf);
		return VA_PARSE_ERROR;
	}
	memset(vd->the_dir, 0, sizeof vd->the_dir);
	memcpy(vd->the_dir, lines[7], strlen(lines[7]));
	free(buf);
	return dirctl_sane(vd) ? VA_SUCCESS : VA_PARSE_ERROR;
}

/*
 * A backend that keeps a copy of the control files (dirctl_saved) gets
 * the new state under 5.6's key: the name of the directory holding the
 * file, which is the domain, or "dom_<uid>" for a domains directory (no
 * domain is called "domains": a domain name has a dot).  The file is what
 * the allocator reads: a failed copy is not an error here.
 */
static void tell_backend(const char *ctlpath, const vdir_type *vd, uid_t uid)
{
	const vauth_backend *be = vauth_backend_get();
	char key[MAX_BUFF], dir[VP_PATH_MAX];
	const char *base;

	if (be->dirctl_saved == NULL || vp_dirname(ctlpath, dir, sizeof dir) != 0)
		return;
	base = strrchr(dir, '/');
	base = base != NULL ? base + 1 : dir;
	if (strcmp(base, DOMAINS_DIR) == 0)
		snprintf(key, sizeof key, "dom_%lu", (unsigned long)uid);
	else if (vp_strlcpy(key, base, sizeof key) != 0)
		return;
	(void)be->dirctl_saved(key, vd);
}

int vp_dirctl_write(const char *ctlpath, const vdir_type *vd, uid_t uid, gid_t gid)
{
	struct vp_afile af;
	char tmp[VP_PATH_MAX];
	int rc;

	if (ctlpath == NULL || *ctlpath == '\0')
		return VA_SUCCESS;      /* nowhere to keep it: the count is not persisted */
	/* One temp name: every writer holds the directory's lock (below), so
	 * one that finds the file left by a writer killed meanwhile replaces
	 * it (a name with the pid would stay for good). */
	if (vp_fmt(tmp, sizeof tmp, "%s.tmp", ctlpath) != 0)
		return VA_DIR_TOO_LONG;
	/* 0666 so the file ends up "per umask" like the original's fopen(). */
	rc = vp_afile_open(&af, ctlpath, tmp, 0666);
	if (rc != VA_SUCCESS)
		return rc;
	/* A counter, not data: atomic, but not worth an fsync per user. */
	af.flags = VP_AFILE_NOSYNC;
	fprintf(af.fp, "%lu\n%d\n%d\n", vd->cur_users, vd->level_cur, vd->level_max);
	fprintf(af.fp, "%d %d %d\n", vd->level_start[0], vd->level_start[1], vd->level_start[2]);
	fprintf(af.fp, "%d %d %d\n", vd->level_end[0], vd->level_end[1], vd->level_end[2]);
	fprintf(af.fp, "%d %d %d\n", vd->level_mod[0], vd->level_mod[1], vd->level_mod[2]);
	fprintf(af.fp, "%d %d %d\n", vd->level_index[0], vd->level_index[1], vd->level_index[2]);
	fprintf(af.fp, "%s\n", vd->the_dir);
	if (vp_chown(af.tmp, uid, gid) != 0) {
		vp_afile_abort(&af);
		return VA_COULD_NOT_UPDATE_FILE;
	}
	rc = vp_afile_commit(&af);
	if (rc == VA_SUCCESS)
		tell_backend(ctlpath, vd, uid);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Locking: flock on the directory holding the control file.          */

int vp_dirctl_lock(const char *ctlpath)
{
	char dir[VP_PATH_MAX];

	if (vp_dirname(ctlpath, dir, sizeof dir) != 0)
		return -1;
	return vp_lock_dir(dir);
}

void vp_dirctl_unlock(int fd)
{
	vp_unlock_dir(fd);
}

/* ------------------------------------------------------------------ */
/* The allocator.                                                      */

/* The table character after c within [start, end]; anything unknown
 * (NUL included) and the last one both lead back to start. */
static char following_char(char c, int start, int end)
{
	int i = start;

	while (i <= end && hash_table[i] != c)
		i++;
	i++;
	return hash_table[i > end ? start : i];
}

/*
 * Step the character that level lv owns.  On wrap-around it restarts the
 * level (index back to start) and carries into the level above.  The
 * index counts steps, not positions: the very first hash dir of a domain
 * is produced without a step (see advance()), and the first dir of a new
 * level by a step from nothing, so indexes run one ahead on the first pass
 * through a level.  That bookkeeping decides when the next level opens,
 * so it is kept as is.
 */
static void step_level(vdir_type *vd, int lv)
{
	char *c = &vd->the_dir[vd->level_mod[lv]];

	if (*c == hash_table[vd->level_end[lv]]) {
		*c = hash_table[vd->level_start[lv]];
		vd->level_index[lv] = vd->level_start[lv];
		if (lv > 0)
			step_level(vd, lv - 1);
	} else {
		*c = following_char(*c, vd->level_start[lv], vd->level_end[lv]);
		vd->level_index[lv]++;
	}
}

/* Count one more entry; move to the next hash dir on every 100th. */
static void advance(vdir_type *vd)
{
	int lv;

	vd->cur_users++;
	if (vd->cur_users % MAX_USERS_PER_LEVEL != 0)
		return;
	if (vd->the_dir[0] == '\0') {
		vd->the_dir[0] = hash_table[vd->level_start[0]];
		vd->the_dir[1] = '\0';
		return;
	}
	lv = vd->level_cur;
	if (vd->level_index[lv] == vd->level_end[lv]) {
		/* This level is used up: open the next one, if it may be. */
		int open_next = lv == 0 ||
			(lv == 1 && vd->level_index[0] == vd->level_end[0]);

		if (open_next) {
			step_level(vd, lv);
			vd->level_cur++;
			strcat(vd->the_dir, "/");
		}
	}
	step_level(vd, vd->level_cur);
}

/* mkdir -p "<base>/<hash>" (nothing to do for the root), never base
 * itself: a domain directory deleted meanwhile is not made again. */
static int make_hash_dir(const char *base, const char *hash, uid_t uid, gid_t gid)
{
	if (vp_mkdir_below(base, hash, uid, gid) == 0)
		return VA_SUCCESS;
	/* (vp_mkdir_below's own error for a path that does not fit) */
	return errno == ENAMETOOLONG ? VA_DIR_TOO_LONG : VA_COULD_NOT_MAKE_DOMAIN_DIR;
}

/*
 * The locked read-modify-write of a control file: lock its directory, read
 * it (defaults if absent), let change() alter it, write it back, unlock.
 * No control file named, or its directory missing: like vpopmail, nothing
 * is counted, and that is success.
 *
 * Inside vp_bigdir_batch_begin()/end() for the same control file (bulk
 * adds), the lock is held and the state kept in memory for the whole
 * batch, and the file is written once at the end: replacing it costs a
 * rename that makes ext4 flush the new file (auto_da_alloc), which per
 * user was a third of a bulk add's wall time.
 */
typedef void (*dirctl_change)(vdir_type *vd, void *arg);

static struct {
	int active;
	int dirty;
	int lockfd;
	char path[VP_PATH_MAX];
	uid_t uid;
	gid_t gid;
	vdir_type vd;
} batch;

static int update_dirctl(const char *ctlpath, uid_t uid, gid_t gid,
                         dirctl_change change, void *arg)
{
	vdir_type vd;
	int lockfd, rc;

	if (ctlpath == NULL || *ctlpath == '\0')
		return VA_SUCCESS;
	if (batch.active && strcmp(ctlpath, batch.path) == 0) {
		change(&batch.vd, arg);
		batch.dirty = 1;
		return VA_SUCCESS;
	}
	lockfd = vp_dirctl_lock(ctlpath);
	if (lockfd < 0)
		return errno == ENOENT ? VA_SUCCESS : VA_COULD_NOT_UPDATE_FILE;
	rc = vp_dirctl_read(ctlpath, &vd);
	if (rc >= 0) {
		change(&vd, arg);
		rc = vp_dirctl_write(ctlpath, &vd, uid, gid);
	}
	vp_dirctl_unlock(lockfd);
	return rc < 0 ? rc : VA_SUCCESS;
}

int vp_bigdir_batch_begin(const char *ctlpath, uid_t uid, gid_t gid)
{
	int rc;

	if (batch.active)
		return VA_SUCCESS;      /* one batch at a time; a nested one joins it */
	if (ctlpath == NULL || *ctlpath == '\0' ||
	    vp_strlcpy(batch.path, ctlpath, sizeof batch.path) != 0)
		return VA_SUCCESS;      /* nothing to batch: updates go one by one */
	batch.lockfd = vp_dirctl_lock(ctlpath);
	if (batch.lockfd < 0)
		return VA_SUCCESS;      /* no directory: update_dirctl() decides */
	rc = vp_dirctl_read(ctlpath, &batch.vd);
	if (rc < 0) {
		vp_dirctl_unlock(batch.lockfd);
		return rc;
	}
	batch.uid = uid;
	batch.gid = gid;
	batch.dirty = 0;
	batch.active = 1;
	return VA_SUCCESS;
}

int vp_bigdir_batch_end(void)
{
	int rc = VA_SUCCESS;

	if (!batch.active)
		return VA_SUCCESS;
	if (batch.dirty)
		rc = vp_dirctl_write(batch.path, &batch.vd, batch.uid, batch.gid);
	vp_dirctl_unlock(batch.lockfd);
	batch.active = 0;
	return rc;
}

int vp_bigdir_batch_open(void)
{
	return batch.active;
}

long vp_bigdir_batch_count(void)
{
	return batch.active && batch.dirty && batch.vd.cur_users < 0x7fffffffUL ?
	       (long)batch.vd.cur_users : -1;
}

struct next_dir {
	char  *out;
	size_t outsize;
	int    rc;
};

/* Step to the next hash dir and report it. */
static void take_next(vdir_type *vd, void *arg)
{
	struct next_dir *nd = arg;

	advance(vd);
	nd->rc = vp_strlcpy(nd->out, vd->the_dir, nd->outsize) == 0 ? VA_SUCCESS : VA_DIR_TOO_LONG;
	if (nd->rc != VA_SUCCESS)
		*nd->out = '\0';
}

/* The next hash dir, recorded in the control file, then made under base. */
int vp_bigdir_next(const char *ctlpath, const char *base, uid_t uid, gid_t gid,
                   char *out, size_t outsize)
{
	struct next_dir nd = { out, outsize, VA_SUCCESS };
	int rc;

	if (out == NULL || outsize == 0)
		return VA_NULL_POINTER;
	*out = '\0';
	rc = update_dirctl(ctlpath, uid, gid, take_next, &nd);
	if (rc != VA_SUCCESS)
		return rc;
	rc = nd.rc;
	if (rc == VA_SUCCESS && base != NULL)
		rc = make_hash_dir(base, out, uid, gid);
	/* Counted, but there is no place to put it: not counted after all
	 * (the position stays advanced: that hash dir is simply skipped). */
	if (rc != VA_SUCCESS)
		(void)vp_bigdir_dec(ctlpath, uid, gid);
	return rc;
}

/* Change cur_users by *(int *)arg: -1 decrements, +1 counts a reused slot. */
static void adjust_count(vdir_type *vd, void *arg)
{
	if (*(const int *)arg < 0)
		vd->cur_users--;        /* unsigned: 0 wraps, as in vpopmail */
	else if (vd->cur_users != 0)
		vd->cur_users++;
}

int vp_bigdir_dec(const char *ctlpath, uid_t uid, gid_t gid)
{
	int delta = -1;

	return update_dirctl(ctlpath, uid, gid, adjust_count, &delta);
}

int vp_bigdir_count_reuse(const char *ctlpath, uid_t uid, gid_t gid)
{
	int delta = +1;

	return update_dirctl(ctlpath, uid, gid, adjust_count, &delta);
}

int vp_domains_ctlpath(uid_t uid, char *out, size_t size)
{
	const char *home;
	struct passwd *pw;

	if (out == NULL || size == 0)
		return VA_NULL_POINTER;
	*out = '\0';
	if (uid == vp_uid()) {
		home = vp_home();
	} else {
		pw = getpwuid(uid);
		if (pw == NULL || pw->pw_dir == NULL)
			return VA_BAD_UID;      /* vpopmail: empty name, nothing kept */
		home = pw->pw_dir;
	}
	if (vp_fmt(out, size, "%s/%s/%s", home, DOMAINS_DIR, VP_DIRCTL_NAME) != 0) {
		*out = '\0';
		return VA_DIR_TOO_LONG;
	}
	return VA_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Classic API.                                                        */

/*
 * Where vpopmail keeps the counter for `name`: the domain's own file if
 * users/cdb knows it, else (names like "dom_<uid>") the file for placing
 * domains owned by uid.
 */
int vp_dirctl_path(const char *dir, char *out, size_t size)
{
	return vp_fmt(out, size, "%s/%s", dir, VP_DIRCTL_NAME);
}

static int ctlpath_for(const char *name, uid_t uid, char *out, size_t size,
                       struct vdomain *dom)
{
	struct vdomain local;

	if (dom == NULL)
		dom = &local;
	if (name != NULL && vp_domain_lookup(name, dom) == VA_SUCCESS)
		return vp_dirctl_path(dom->dir, out, size) == 0 ?
			VA_SUCCESS : VA_DIR_TOO_LONG;
	return vp_domains_ctlpath(uid, out, size);
}

int vread_dir_control(vdir_type *vdir, char *domain, uid_t uid, gid_t gid)
{
	char ctl[VP_PATH_MAX];
	int rc;

	(void)gid;
	if (vdir == NULL)
		return VA_NULL_POINTER;
	if (ctlpath_for(domain, uid, ctl, sizeof ctl, NULL) != VA_SUCCESS)
		ctl[0] = '\0';
	rc = vp_dirctl_read(ctl, vdir);
	return rc == 1 ? -1 : rc;       /* vpopmail: -1 when the file is absent */
}

int vwrite_dir_control(vdir_type *vdir, char *domain, uid_t uid, gid_t gid)
{
	char ctl[VP_PATH_MAX];
	int rc, lockfd;

	if (vdir == NULL)
		return VA_NULL_POINTER;
	rc = ctlpath_for(domain, uid, ctl, sizeof ctl, NULL);
	if (rc != VA_SUCCESS)
		return rc;
	if (!dirctl_sane(vdir))
		return VA_PARSE_ERROR;
	lockfd = vp_dirctl_lock(ctl);
	if (lockfd < 0)
		return VA_COULD_NOT_UPDATE_FILE;
	rc = vp_dirctl_write(ctl, vdir, uid, gid);
	vp_dirctl_unlock(lockfd);
	return rc;
}

int vdel_dir_control(char *domain)
{
	char ctl[VP_PATH_MAX];
	int rc;

	if (domain == NULL)
		return VA_NULL_POINTER;
	rc = vp_domain_file(domain, VP_DIRCTL_NAME, ctl, sizeof ctl);
	if (rc != VA_SUCCESS)
		return rc;
	return unlink(ctl) == 0 ? VA_SUCCESS : VA_COULD_NOT_UPDATE_FILE;
}

vdir_type vdir;
static vdir_type vdir_opened;      /* vdir as open_big_dir() read it */

int open_big_dir(char *domain, uid_t uid, gid_t gid)
{
	int rc = vread_dir_control(&vdir, domain, uid, gid);

	memcpy(&vdir_opened, &vdir, sizeof vdir);
	return rc == -1 ? 0 : rc;       /* absent: the defaults, as in 5.6 */
}

int close_big_dir(char *domain, uid_t uid, gid_t gid)
{
	if (memcmp(&vdir, &vdir_opened, sizeof vdir) == 0)
		return 0;
	return vwrite_dir_control(&vdir, domain, uid, gid);
}

char *next_big_dir(uid_t uid, gid_t gid)
{
	static char hash[MAX_DIR_NAME];
	char ctl[VP_PATH_MAX], base[VP_PATH_MAX];

	hash[0] = '\0';
	if (vp_domains_ctlpath(uid, ctl, sizeof ctl) != VA_SUCCESS)
		return hash;
	/* Hash dirs go next to the control file, i.e. in <home>/domains. */
	vp_dirname(ctl, base, sizeof base);
	if (vp_bigdir_next(ctl, base, uid, gid, hash, sizeof hash) != VA_SUCCESS)
		hash[0] = '\0';
	return hash;
}

int dec_dir_control(char *domain, uid_t uid, gid_t gid)
{
	char ctl[VP_PATH_MAX];
	int rc;

	rc = ctlpath_for(domain, uid, ctl, sizeof ctl, NULL);
	if (rc != VA_SUCCESS)
		return rc;
	return vp_bigdir_dec(ctl, uid, gid);
}
