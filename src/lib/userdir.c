/*
 * userdir.c - a user's directory: where it is made, the lock that keeps
 * adds and deletes of a domain's users apart, and what a killed add or
 * delete left (an empty Maildir skeleton, or a directory vdeluser marked
 * before it removed the record), which the next add or delete of the
 * name finishes.
 */
#include "vpinternal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Adding a user and deleting one take this lock (".userdir.lock" in the
 * domain directory, an fcntl lock like the others) from the check that
 * the user is absent until the record is stored, and from removing the
 * record until the directory is gone.  Under it a user directory without
 * a record is no running program's work: a vadduser killed before it
 * stored the record left it (or vdelivermail re-created it for a user
 * being deleted), and if it is an empty Maildir skeleton the add replaces
 * it.  Without the lock (it cannot be had, or --disable-file-locking) such
 * a directory stops the add, as in 5.6.
 */
static int userdir_locked;

int vp_userdir_lock(const struct vdomain *d)
{
	char path[VP_PATH_MAX];
	int fd;

	if (vp_fmt(path, sizeof path, "%s/.userdir.lock", d->dir) != 0 ||
	    (fd = vp_lock(path)) < 0)
		return -1;
	(void)vp_chown(path, d->uid, d->gid);
#ifdef FILE_LOCKING
	userdir_locked = 1;
	/* first what a holder killed before us left half done (userintent.c) */
	vp_intent_begin(fd, d);
#endif
	return fd;
}

void vp_userdir_unlock(int fd)
{
	if (fd < 0)
		return;
	vp_intent_end(fd);
	userdir_locked = 0;
	vp_unlock(fd);
}

/* Maildir/sqwebmail-pass (or a writer's temp of it): an import writes it
 * before the record (vp_adduser_given), so a killed one may leave it. */
static int sqwebmail_file(int dfd, const char *name)
{
	struct stat st;

	if (strcmp(name, "sqwebmail-pass") != 0 && vp_name_pid(name, "sqwebmail-pass.tmp.") == 0)
		return 0;
	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

/* 1 when the directory open as dfd (taken over) holds nothing but
 * "Maildir" (depth 0), "cur", "new", "tmp" and a sqwebmail-pass file
 * (depth 1), each a directory holding the same, and nothing at all at
 * depth 2. */
static int skeleton_below(int dfd, int depth)
{
	static const char *const parts[2][4] = {
		{ "Maildir", NULL }, { "cur", "new", "tmp", NULL }
	};
	struct dirent *e;
	DIR *dp;
	int ok = 1;

	if ((dp = fdopendir(dfd)) == NULL) {
		close(dfd);
		return 0;
	}
	while (ok && (e = readdir(dp)) != NULL) {
		size_t i;
		int sub;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    (depth == 1 && sqwebmail_file(dirfd(dp), e->d_name)))
			continue;
		for (i = 0; depth < 2 && parts[depth][i] != NULL &&
		     strcmp(parts[depth][i], e->d_name) != 0; i++)
			;
		if (depth >= 2 || parts[depth][i] == NULL) {
			ok = 0;
			break;
		}
		sub = openat(dirfd(dp), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		ok = sub >= 0 && skeleton_below(sub, depth + 1);
	}
	closedir(dp);
	return ok;
}

/* Left in a user's directory by vdeluser() before it removes the record:
 * a directory holding it, of a user with no record, is what a vdeluser
 * killed half way was removing. */
#define DELETING_MARK ".vdeluser-running"

static int has_mark(int dfd)
{
	struct stat st;

	return fstatat(dfd, DELETING_MARK, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
}

int vp_userdir_marked(const char *userdir)
{
	int fd = open(userdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), marked;

	if (fd < 0)
		return 0;
	marked = has_mark(fd);
	close(fd);
	return marked;
}

void vp_userdir_unmark(const char *userdir)
{
	int fd = open(userdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return;
	if (has_mark(fd))
		(void)unlinkat(fd, DELETING_MARK, 0);
	close(fd);
}

int vp_userdir_disposable(const char *userdir)
{
	int fd = open(userdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0 && has_mark(fd)) {
		close(fd);
		return 1;
	}
	return fd >= 0 && skeleton_below(fd, 0);
}

/* Leave the mark in a user's directory (vdeluser(), before it removes the
 * record); 0 with the mark's path in `mark`, -1 when it cannot be left. */
int vp_userdir_mark(const char *userdir, char *mark, size_t size)
{
	struct stat st;
	int fd;

	if (vp_fmt(mark, size, "%s/%s", userdir, DELETING_MARK) != 0 ||
	    lstat(userdir, &st) != 0 || !S_ISDIR(st.st_mode))
		return -1;
	fd = open(mark, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	return close(fd) == 0 ? 0 : -1;
}

/* The existing userdir of a user with no record, under the lock above,
 * holding no mail and no file, or marked by vdeluser: left by a writer
 * that died. */
static int stale_skeleton(const struct vdomain *d, const char *user, const char *userdir)
{
	struct vpw_entry e = {0};
	int rc;

	if (!userdir_locked)
		return 0;
	rc = vauth_backend_get()->getpw(d, user, &e);
	vpw_entry_free(&e);
	if (rc != VA_USER_DOES_NOT_EXIST)
		return 0;       /* a record, or the database cannot tell now */
	return vp_userdir_disposable(userdir);
}

/*
 * The user's place in the big-dir layout: a freed hash dir from
 * .dir_control_free first, else the next one (counted either way).
 * hash = "" in the domain directory itself, and always without big-dir.
 */
#ifdef USERS_BIG_DIR
static int take_slot(const struct vdomain *d, char *hash, size_t hsize, int *reused)
{
	char ctl[VP_PATH_MAX];

	hash[0] = '\0';
	*reused = 0;
	if (vp_dirctl_path(d->dir, ctl, sizeof ctl) != 0)
		return VA_DIR_TOO_LONG;
	if (vp_backfill_take(d->dir, hash, hsize) != 1)
		return vp_bigdir_next(ctl, d->dir, d->uid, d->gid, hash, hsize) == VA_SUCCESS ?
		       VA_SUCCESS : VA_BAD_U_DIR;
	*reused = 1;
	vp_bigdir_count_reuse(ctl, d->uid, d->gid);
	if (vp_mkdir_below(d->dir, hash, d->uid, d->gid) != 0) {
		vp_user_release_slot(d, hash);
		return VA_BAD_U_DIR;
	}
	return VA_SUCCESS;
}
#else
static int take_slot(const struct vdomain *d, char *hash, size_t hsize, int *reused)
{
	(void)d;
	(void)hsize;
	hash[0] = '\0';
	*reused = 0;
	return VA_SUCCESS;
}
#endif

int vp_userdir_path(const struct vdomain *d, const char *hash, const char *user,
                    char *out, size_t size)
{
	return vp_fmt(out, size, "%s/%s%s%s", d->dir, hash, hash[0] ? "/" : "", user);
}

/* <domdir>[/<hash>]/<user> and its Maildir, in a slot already taken. */
static int make_in_slot(const struct vdomain *d, const char *user, const char *hash,
                        char *userdir, size_t size)
{
	int rc;

	if (strlen(d->dir) + strlen(hash) + strlen(user) > MAX_PW_DIR) {
		fprintf(stderr, "Error. Path exceeds maximum permitted length\n");
		return VA_BAD_U_DIR;
	}
	if (vp_userdir_path(d, hash, user, userdir, size) != 0)
		return VA_BAD_U_DIR;
	if (mkdir(userdir, 0750) != 0 &&
	    (errno != EEXIST || !stale_skeleton(d, user, userdir) ||
	     vp_rmtree(userdir) != 0 || mkdir(userdir, 0750) != 0))
		return VA_EXIST_U_DIR;
	/* Fresh directories only: the Maildir parts are chowned as they are
	 * made, so the user directory itself is all that is left. */
	rc = vp_make_maildir_in(userdir, d->uid, d->gid);
	if (rc != VA_SUCCESS) {
		vp_rmtree(userdir);
		return rc;
	}
	/* (a directory left to root would keep the user's mail out) */
	if (vp_chown(userdir, d->uid, d->gid) != 0) {
		vp_rmtree(userdir);
		return VA_SUBDIR_CREATION;
	}
	return VA_SUCCESS;
}

/*
 * Create the user's directory with its Maildir.  A failure gives the
 * place it took back, as a delete would.
 */
int vp_user_create_dir(const struct vdomain *d, const char *user,
                       char *userdir, size_t size, char *hash, size_t hsize)
{
	int reused, rc;

	vp_intent_placing(d, user);
	if ((rc = take_slot(d, hash, hsize, &reused)) != VA_SUCCESS)
		return rc;
	vp_intent_placed(d, hash, user, reused);
	rc = make_in_slot(d, user, hash, userdir, size);
	if (rc != VA_SUCCESS)
		vp_user_release_slot(d, hash);
	return rc;
}

/* The hash part of a user directory: "<domdir>/<hash>/<user>" → "<hash>". */
void vp_userdir_hash(const char *domdir, const char *userdir, const char *user,
                     char *out, size_t size)
{
	size_t dl = strlen(domdir), ul = strlen(user), tl;
	const char *rest;

	out[0] = '\0';
	if (strncmp(userdir, domdir, dl) != 0 || userdir[dl] != '/')
		return;
	rest = userdir + dl + 1;
	tl = strlen(rest);
	if (tl <= ul + 1 || strcmp(rest + tl - ul, user) != 0 || rest[tl - ul - 1] != '/')
		return;
	if (tl - ul - 1 < size) {
		memcpy(out, rest, tl - ul - 1);
		out[tl - ul - 1] = '\0';
	}
}

void vp_user_release_slot(const struct vdomain *d, const char *hash)
{
#ifdef USERS_BIG_DIR
	char ctl[VP_PATH_MAX];

	if (hash[0] != '\0')
		vp_backfill_give(d->dir, hash);
	if (vp_dirctl_path(d->dir, ctl, sizeof ctl) == 0)
		vp_bigdir_dec(ctl, d->uid, d->gid);
#else
	(void)d;
	(void)hash;
#endif
}

void vp_user_undo_dir(const struct vdomain *d, const char *userdir, const char *hash)
{
	(void)vp_rmtree(userdir);
	vp_user_release_slot(d, hash);
}

static int set_dir(struct vqpasswd *pw, void *dir)
{
	pw->pw_dir = dir;
	return VA_SUCCESS;
}

char *make_user_dir(char *user, char *domain, uid_t uid, gid_t gid)
{
	static char hash[MAX_DIR_NAME];
	struct vdomain d;
	char userdir[VP_PATH_MAX];

	verrori = 0;            /* as 5.6: callers read it after a NULL */
	if (user == NULL || domain == NULL)
		return NULL;
	vp_lower(user);
	if (vp_domain_lookup(domain, &d) != VA_SUCCESS)
		return NULL;
	d.uid = uid;
	d.gid = gid;
	if ((verrori = vp_user_create_dir(&d, user, userdir, sizeof userdir, hash, sizeof hash)) != VA_SUCCESS)
		return NULL;
	/* A user already in the database gets the new directory stored in
	 * the record (mod_user), as 5.6 did: Dovecot and courier's
	 * authvchkpw read the record again after this call.  vauth_edit():
	 * over the record as it is then, not as read before.  As in 5.6 a
	 * failure here is not the caller's: it finds the record still
	 * without a directory when it reads it again. */
	(void)vauth_edit(user, d.real, set_dir, userdir);
	return hash;
}

#ifdef USERS_BIG_DIR
/*
 * The marked directory of `user` in a hash directory below `dfd` (taken
 * over and closed): hash directories have one-character names and nest
 * at most `maxdepth` deep (bigdir.c).  0 with its path in `out` when found.
 */
static int find_marked_hashed(int dfd, const char *path, const char *user, int depth,
                              int maxdepth, char *out, size_t size)
{
	struct dirent *e;
	DIR *dp;
	int found = -1;

	if ((dp = fdopendir(dfd)) == NULL) {
		close(dfd);
		return -1;
	}
	while (found != 0 && (e = readdir(dp)) != NULL) {
		char sub[VP_PATH_MAX];
		int fd, ufd;

		if (e->d_name[0] == '.' || e->d_name[1] != '\0' ||
		    (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) ||
		    vp_fmt(sub, sizeof sub, "%s/%s", path, e->d_name) != 0)
			continue;
		fd = openat(dirfd(dp), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		ufd = openat(fd, user, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (ufd >= 0 && has_mark(ufd) && vp_fmt(out, size, "%s/%s", sub, user) == 0)
			found = 0;
		if (ufd >= 0)
			close(ufd);
		if (found != 0 && depth < maxdepth)
			found = find_marked_hashed(fd, sub, user, depth + 1, maxdepth, out, size);
		else
			close(fd);
	}
	closedir(dp);
	return found;
}
#endif

/* The directory of `user` (who has no record) that vdeluser marked: in
 * the domain directory, or in one of its hash directories. */
static int find_marked(const struct vdomain *d, const char *user, char *out, size_t size)
{
	int fd;

	if (vp_fmt(out, size, "%s/%s", d->dir, user) != 0)
		return -1;
	fd = open(out, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		int marked = has_mark(fd);

		close(fd);
		if (marked)
			return 0;
	}
#ifdef USERS_BIG_DIR
	{
		char ctl[VP_PATH_MAX];
		vdir_type vd;
		int maxdepth = 3;

		/* Hash directories are as deep as the counter's level has
		 * gone: one level until 6,200 users, so one listing. */
		if (vp_dirctl_path(d->dir, ctl, sizeof ctl) == 0 &&
		    vp_dirctl_read(ctl, &vd) >= 0 && vd.level_cur >= 0 && vd.level_cur < 3)
			maxdepth = vd.level_cur + 1;
		fd = open(d->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			return find_marked_hashed(fd, d->dir, user, 1, maxdepth, out, size);
	}
#endif
	return -1;
}

/*
 * No record: a vdeluser killed after it removed the record may have left
 * the user's directory, marked (in the domain directory or a hash
 * directory), or, killed while removing it, what it had set aside in the
 * domain directory.  Both are finished here; only the marked directory
 * counts as a removal (exit 0), as the user's data was still there.
 */
int vp_userdir_leftover(const struct vdomain *d, const char *user)
{
	char dir[VP_PATH_MAX];
	const char *done;
	struct vpw_entry e = {0};
	int lk, rc = VA_USER_DOES_NOT_EXIST;

	if (strchr(user, '/') != NULL || strcmp(user, ".") == 0 || strcmp(user, "..") == 0)
		return rc;
	/* Taking the lock finishes what a killed vdeluser noted it was
	 * doing (userintent.c), this name's removal perhaps. */
	if ((lk = vp_userdir_lock(d)) < 0)
		return rc;
	if ((done = vp_intent_deleted(user)) != NULL) {
		fprintf(stderr, "Warning: removing %s, left by an interrupted vdeluser\n", done);
		vp_userdir_unlock(lk);
		return VA_SUCCESS;
	}
	vp_sweep_aside(d->dir);
	/* Under the lock no add of the name makes it its own meanwhile (and
	 * the database must answer: an outage is not "no record"). */
	if (find_marked(d, user, dir, sizeof dir) == 0 &&
	    vauth_backend_get()->getpw(d, user, &e) == VA_USER_DOES_NOT_EXIST) {
		fprintf(stderr, "Warning: removing %s, left by an interrupted vdeluser\n", dir);
		rc = vp_rmtree_aside(dir, d->dir) == 0 ? VA_SUCCESS : VA_BAD_DIR;
	}
	vpw_entry_free(&e);
	vp_userdir_unlock(lk);
	return rc;
}
