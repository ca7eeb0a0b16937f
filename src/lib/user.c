/*
 * user.c - adding, removing and changing virtual users.
 *
 * The user's directory lives under its domain's directory, hashed into
 * subdirectories once the domain is large (bigdir.c).  The record itself
 * is stored by the auth backend; this file owns the order of operations
 * and the checks that come before anything is written.
 */
#include "vpinternal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Lengths the classic API checks before anything else (spec §7.5). */
static int check_user_domain(const char *user, const char *domain)
{
	return vp_check_user_domain_len(user, domain, VP_LEN_ONE_CHAR | VP_LEN_MIN_DOMAIN);
}

/* A clear-text password that will be stored must not break the line. */
static int check_clear(const char *pass)
{
#ifdef CLEAR_PASS
	if (strchr(pass, ':') != NULL || vp_has_ctl(pass))
		return VA_BAD_CHAR;
#else
	(void)pass;
#endif
	return VA_SUCCESS;
}

/*
 * Names that would collide with the domain's own files.  The original
 * fails on mkdir for some of them; we refuse all of them up front.
 */
static int is_reserved_name(const char *user)
{
	return strcmp(user, "vpasswd") == 0 || strcmp(user, "vpasswd.cdb") == 0 ||
	       strcmp(user, "cdb.tmp") == 0 || strncmp(user, "vpasswd.bak.", 12) == 0;
}

/* The quota a new user gets from the domain's limits. */
void vp_user_default_quota(const struct vlimits *lim, char *out, size_t size)
{
	char raw[64];

	if (lim->defaultquota > 0 && lim->defaultmaxmsgcount > 0)
		snprintf(raw, sizeof raw, "%lluS,%lluC",
		         (unsigned long long)lim->defaultquota,
		         (unsigned long long)lim->defaultmaxmsgcount);
	else if (lim->defaultquota > 0)
		snprintf(raw, sizeof raw, "%lluS", (unsigned long long)lim->defaultquota);
	else if (lim->defaultmaxmsgcount > 0)
		snprintf(raw, sizeof raw, "%lluC", (unsigned long long)lim->defaultmaxmsgcount);
	else
		snprintf(raw, sizeof raw, "NOQUOTA");
	if (vp_format_quota(raw, out, size) != VA_SUCCESS || strlen(out) > MAX_PW_QUOTA)
		vp_strlcpy(out, "NOQUOTA", size);
}

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
#endif
	return fd;
}

void vp_userdir_unlock(int fd)
{
	if (fd < 0)
		return;
	userdir_locked = 0;
	vp_unlock(fd);
}

/* Maildir/sqwebmail-pass (or a writer's temp of it): an import writes it
 * before the record (vp_adduser_given), so a killed one may leave it. */
static int sqwebmail_file(int dfd, const char *name)
{
	static const char base[] = "sqwebmail-pass";
	struct stat st;
	const char *p;

	if (strncmp(name, base, sizeof base - 1) != 0)
		return 0;
	p = name + sizeof base - 1;
	if (*p != '\0') {
		if (strncmp(p, ".tmp.", 5) != 0 || p[5] == '\0')
			return 0;
		for (p += 5; *p >= '0' && *p <= '9'; p++)
			;
		if (*p != '\0')
			return 0;
	}
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

/* The existing userdir of a user with no record, under the lock above,
 * holding no mail and no file, or marked by vdeluser: left by a writer
 * that died. */
static int stale_skeleton(const struct vdomain *d, const char *user, const char *userdir)
{
	struct vpw_entry e = {0};
	int fd, rc;

	if (!userdir_locked)
		return 0;
	rc = vauth_backend_get()->getpw(d, user, &e);
	vpw_entry_free(&e);
	if (rc == VA_SUCCESS)
		return 0;
	fd = open(userdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && has_mark(fd)) {
		close(fd);
		return 1;
	}
	return fd >= 0 && skeleton_below(fd, 0);
}

/*
 * Create <domdir>[/<hash>]/<user> with its Maildir.  Takes a freed hash
 * dir from .dir_control_free first, else allocates the next one.
 */
int vp_user_create_dir(const struct vdomain *d, const char *user,
                       char *userdir, size_t size, char *hash, size_t hsize)
{
	char ctl[VP_PATH_MAX];
	int rc;

	hash[0] = '\0';
	if (vp_fmt(ctl, sizeof ctl, "%s/.dir-control", d->dir) != 0)
		return VA_DIR_TOO_LONG;
#ifdef USERS_BIG_DIR
	if (vp_backfill_take(d->dir, hash, hsize) == 1) {
		char sub[VP_PATH_MAX];

		vp_bigdir_count_reuse(ctl, d->uid, d->gid);
		if (vp_fmt(sub, sizeof sub, "%s/%s", d->dir, hash) != 0 ||
		    vp_mkdir_p(sub, d->uid, d->gid) != 0)
			return VA_BAD_U_DIR;
	} else {
		rc = vp_bigdir_next(ctl, d->dir, d->uid, d->gid, hash, hsize);
		if (rc != VA_SUCCESS)
			return VA_BAD_U_DIR;
	}
#else
	(void)hsize;
#endif
	if (strlen(d->dir) + strlen(hash) + strlen(user) > MAX_PW_DIR) {
		fprintf(stderr, "Error. Path exceeds maximum permitted length\n");
		return VA_BAD_U_DIR;
	}
	if (vp_fmt(userdir, size, "%s/%s%s%s", d->dir, hash, hash[0] ? "/" : "", user) != 0)
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
	vp_chown(userdir, d->uid, d->gid);
	return VA_SUCCESS;
}

char *make_user_dir(char *user, char *domain, uid_t uid, gid_t gid)
{
	static char hash[MAX_DIR_NAME];
	struct vpw_entry e = {0};
	struct vdomain d;
	char userdir[VP_PATH_MAX];

	if (user == NULL || domain == NULL)
		return NULL;
	vp_lower(user);
	if (vp_domain_lookup(domain, &d) != VA_SUCCESS)
		return NULL;
	d.uid = uid;
	d.gid = gid;
	if (vp_user_create_dir(&d, user, userdir, sizeof userdir, hash, sizeof hash) != VA_SUCCESS)
		return NULL;
	/* A user already in the database gets the new directory stored in
	 * the record (mod_user), as 5.6 did: Dovecot and courier's
	 * authvchkpw read the record again after this call. */
	if (vp_getpw(user, d.real, &e, NULL) == VA_SUCCESS) {
		e.pw.pw_dir = userdir;
		/* As in 5.6 a failure here is not the caller's: it finds the
		 * record still without a directory when it reads it again. */
		(void)vauth_setpw(&e.pw, d.real);
	}
	vpw_entry_free(&e);
	return hash;
}

int vp_user_check_new(char *user, char *domain, char *password, char *gecos)
{
	int rc;

	if (user == NULL || domain == NULL || password == NULL)
		return VA_NULL_POINTER;
	if (gecos != NULL && (strchr(gecos, ':') != NULL || vp_has_ctl(gecos)))
		return VA_BAD_CHAR;
	rc = check_user_domain(user, domain);
	if (rc != VA_SUCCESS)
		return rc;
#ifdef CLEAR_PASS
	if (strlen(password) > MAX_PW_CLEAR_PASSWD)
		return VA_PASSWD_TOO_LONG;
#endif
	if (gecos != NULL && strlen(gecos) > MAX_PW_GECOS)
		return VA_GECOS_TOO_LONG;
	rc = check_clear(password);
	if (rc != VA_SUCCESS)
		return rc;

	vp_lower(user);
	vp_lower(domain);
	if (is_username_valid(user) != 0)
		return VA_ILLEGAL_USERNAME;
	if (is_domain_valid(domain) != 0)
		return VA_INVALID_DOMAIN_NAME;
	if (strchr(user, '/') != NULL || is_reserved_name(user))
		return VA_EXIST_U_DIR;
	return VA_SUCCESS;
}

int vp_domain_dir_ok(const struct vdomain *d)
{
	struct stat st;

	return stat(d->dir, &st) == 0 && S_ISDIR(st.st_mode) ? VA_SUCCESS : VA_BAD_D_DIR;
}

int vp_user_check_in(const struct vdomain *d, const char *user, const char *password,
                     int have_limits, int dir_rc)
{
	struct vpw_entry old = {0};
	int rc;

	rc = vauth_backend_get()->getpw(d, user, &old);
	vpw_entry_free(&old);
	if (rc == VA_SUCCESS)
		return VA_USERNAME_EXISTS;
	if (!have_limits)
		return VA_CANNOT_READ_LIMITS;
	if (password != NULL && (rc = vpw_strength_check(password)) != VA_SUCCESS)
		return rc;
	return dir_rc;
}

uid_t vp_new_user_uid(int apop)
{
#ifdef AUTH_MYSQL
	/* 5.6's MySQL module stored the apop argument itself (USE_POP 0). */
	return (uid_t)apop;
#else
	/* vpasswd's marker: 1 POP, 2 anything else (5.6's cdb module). */
	return apop == USE_POP ? 1 : 2;
#endif
}

void vp_user_new_record(struct vqpasswd *pw, char *user, char *crypted, char *comment,
                        char *userdir, char *quota, char *password, int apop)
{
	memset(pw, 0, sizeof *pw);
	pw->pw_name = user;
	pw->pw_passwd = crypted;
	pw->pw_uid = vp_new_user_uid(apop);
	pw->pw_gid = 0;
	pw->pw_flags = 0;
	pw->pw_gecos = comment;
	pw->pw_dir = userdir;
	pw->pw_shell = quota;
#ifdef CLEAR_PASS
	pw->pw_clear_passwd = password;
#else
	(void)password;
	pw->pw_clear_passwd = (char *)"";
#endif
}

int vp_user_added(const struct vdomain *d, struct vqpasswd *pw, int sqwebmail_done)
{
	if (strcmp(pw->pw_shell, "NOQUOTA") != 0)
		vp_maildirsize_update(pw->pw_dir, pw->pw_shell, d->uid, d->gid);
#ifdef SQWEBMAIL_PASS
	if (!sqwebmail_done)
		vsqwebmail_pass(pw->pw_dir, pw->pw_passwd, d->uid, d->gid);
#else
	(void)sqwebmail_done;
#endif
#ifdef ENABLE_AUTH_LOGGING
	if (vauth_backend_get()->set_lastauth(d, pw, NULL_REMOTE_IP, time(NULL)) != 0) {
		fprintf(stderr, "Failed to create create lastauth entry\n");
		return VA_NO_AUTH_CONNECTION;
	}
#endif
	return VA_SUCCESS;
}

/* The hash job as the backend's adduser_late() collects it. */
struct late_hash {
	struct vp_hash_job *job;
	char *out;
	size_t size;
	int rc;		/* the hash's own result, once asked for */
};

static const char *collect_hash(void *ctx, int *rc)
{
	struct late_hash *lh = ctx;

	lh->rc = vp_hash_finish(lh->job, lh->out, lh->size);
	*rc = lh->rc;
	return lh->rc == VA_SUCCESS ? lh->out : NULL;
}

/*
 * Store the new record.  With a backend that can lay the record out
 * around a stand-in (adduser_late), that work overlaps the hashing as
 * well; otherwise the hash is waited for first.
 */
static int store_user(struct vdomain *d, struct vqpasswd *pw, char *crypted, size_t csize,
                      struct vp_hash_job *job, int *hash_rc)
{
	const vauth_backend *be = vauth_backend_get();
	struct late_hash lh = { job, crypted, csize, VA_SUCCESS };
	char standin[MAX_PW_PASS + 1];
	int rc;

	*hash_rc = VA_SUCCESS;
	if (job != NULL && be->adduser_late != NULL &&
	    vp_hash_standin(standin, sizeof standin) == VA_SUCCESS) {
		pw->pw_passwd = standin;
		rc = be->adduser_late(d, pw, collect_hash, &lh);
		pw->pw_passwd = crypted;
		*hash_rc = lh.rc;
		return rc;
	}
	if (job != NULL && (*hash_rc = vp_hash_finish(job, crypted, csize)) != VA_SUCCESS)
		return *hash_rc;
	return be->adduser(d, pw);
}

/* A hash given instead of made (vconvert's imports), and whether its
 * sqwebmail-pass goes into the new directory before the record exists. */
struct given_hash {
	const char *crypted;
	int sqwebmail;
};

/*
 * The rest of add_user() once the password is being hashed: find the
 * domain, check the user against it, make the directories, add the record.
 * With `given`, the record gets that hash and `password` is only its
 * clear-text copy (not judged by the strength rules).
 */
static int add_user_hashing(char *user, char *domain, char *password, char *gecos,
                            int apop, struct vp_hash_job *job, const struct given_hash *given)
{
	struct vdomain d;
	struct vlimits lim;
	struct vqpasswd pw;
	char userdir[VP_PATH_MAX], hash[MAX_DIR_NAME], crypted[MAX_PW_PASS + 1];
	char quota[MAX_PW_QUOTA + 1], comment[MAX_PW_GECOS + 1];
	int rc, hrc, lk;

	rc = vp_domain_lookup(domain, &d);
	if (rc != VA_SUCCESS)
		return VA_DOMAIN_DOES_NOT_EXIST;
	/* As 5.6, whose lookup went through vget_assign(): an alias domain's
	 * name becomes the real one in the caller's buffer (and so in the
	 * add_user event). */
	vp_take_real_domain(domain, &d);
	lk = vp_userdir_lock(&d);
	rc = vp_user_check_in(&d, user, given != NULL ? NULL : password,
	                      vget_limits(d.real, &lim) == 0, vp_domain_dir_ok(&d));
	if (rc != VA_SUCCESS) {
		vp_userdir_unlock(lk);
		return rc;
	}

	vp_user_default_quota(&lim, quota, sizeof quota);
	vp_strlcpy(comment, (gecos != NULL && *gecos != '\0') ? gecos : user, sizeof comment);

	umask(077);
	rc = vp_user_create_dir(&d, user, userdir, sizeof userdir, hash, sizeof hash);
	if (rc != VA_SUCCESS) {
		vp_userdir_unlock(lk);
		return rc;	/* the caller stops the hash */
	}

	crypted[0] = '\0';
	hrc = VA_SUCCESS;
	if (given != NULL && vp_strlcpy(crypted, given->crypted, sizeof crypted) != 0)
		hrc = VA_PASSWD_TOO_LONG;
	vp_user_new_record(&pw, user, crypted, comment, userdir, quota, password, apop);
	/* An imported hash is checked as vauth_setpw() checks one, and its
	 * sqwebmail-pass is in place before the record can be found. */
	if (given != NULL && hrc == VA_SUCCESS)
		hrc = vcheck_vqpw(&pw, d.real);
	if (given != NULL && hrc == VA_SUCCESS && given->sqwebmail)
		hrc = vp_sqwebmail_write(userdir, crypted, 0, d.uid, d.gid);
	rc = hrc != VA_SUCCESS ? hrc : store_user(&d, &pw, crypted, sizeof crypted, job, &hrc);
	if (rc != VA_SUCCESS)
		vp_rmtree(userdir);
	vp_userdir_unlock(lk);
	if (rc != VA_SUCCESS) {
		if (hrc != VA_SUCCESS)
			return hrc;
		if (rc == VA_USERNAME_EXISTS)
			return rc;	/* lost a race with another vadduser */
		fprintf(stderr, "Failed while attempting to add user to auth backend\n");
		return VA_NO_AUTH_CONNECTION;
	}
	return vp_user_added(&d, &pw, given != NULL && given->sqwebmail);
}

/*
 * The body of vadduser(), run with onchange notifications masked.  The
 * hash (milliseconds of CPU) runs on a second thread from the moment the
 * arguments are known to be well formed, alongside the lookups, the
 * directories and the backend's rewrite; an add refused later only
 * wastes that thread's work.
 */
static int add_user(char *user, char *domain, char *password, char *gecos, int apop)
{
	struct vp_hash_job job;
	int rc;

	rc = vp_user_check_new(user, domain, password, gecos);
	if (rc != VA_SUCCESS)
		return rc;
	if (password[0] == '\0')
		return add_user_hashing(user, domain, password, gecos, apop, NULL, NULL);
	vp_hash_start(&job, password);
	rc = add_user_hashing(user, domain, password, gecos, apop, &job, NULL);
	vp_hash_cancel(&job);
	return rc;
}

int vadduser(char *user, char *domain, char *password, char *gecos, int apop)
{
	int saved = vp_onchange_allowed();
	int rc;

	vp_onchange_set_allowed(0);
	rc = add_user(user, domain, password, gecos, apop);
	vp_onchange_set_allowed(saved);
	if (rc != VA_SUCCESS)
		return rc;
	vp_user_announce(user, domain);
	return VA_SUCCESS;
}

void vp_user_announce(const char *user, const char *domain)
{
	char addr[MAX_PW_NAME + MAX_PW_DOMAIN + 2];

	snprintf(addr, sizeof addr, "%s@%s", user, domain);
	vp_onchange("add_user", addr, "-", 0);
	vp_onchange("add_user", addr, "-", ON_VCHANGE_AFTER);
	vp_onchange_set_allowed(1);
}

int vp_adduser_given(char *user, char *domain, const char *crypted, char *clear,
                     char *gecos, int apop, int sqwebmail)
{
	struct given_hash given = { crypted, sqwebmail };
	int saved = vp_onchange_allowed();
	int rc;

	if (crypted == NULL || clear == NULL)
		return VA_NULL_POINTER;
	vp_onchange_set_allowed(0);
	rc = vp_user_check_new(user, domain, clear, gecos);
	if (rc == VA_SUCCESS)
		rc = add_user_hashing(user, domain, clear, gecos, apop, NULL, &given);
	vp_onchange_set_allowed(saved);
	return rc;
}

/*
 * Is user the domain's catch-all, i.e. the target of .qmail-default?
 * 1 yes, 0 no.
 */
static int catchall_of(const struct vdomain *d, const char *user)
{
	char path[VP_PATH_MAX], *text = NULL, *line, *q, *action, *end, *at;
	int yes = 0;

	if (vp_fmt(path, sizeof path, "%s/.qmail-default", d->dir) != 0 ||
	    vp_slurp(path, &text, NULL) != 0)
		return 0;
	line = text;
	line[strcspn(line, "\n")] = '\0';
	if (strstr(line, "vdelivermail") == NULL || (q = strstr(line, "''")) == NULL)
		goto out;
	action = strchr(q, ' ');
	if (action == NULL)
		goto out;
	action += strspn(action, " \t");
	end = action + strlen(action);
	while (end > action && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	if (*action == '\0' || *action == '@') {
		/* neither a path nor a user@domain forward (5.6's words) */
		fprintf(stderr, "unknown .qmail-default contents %s\n", action);
		goto out;
	}
	if (strcmp(action, "bounce-no-mailbox") == 0 || strcmp(action, "delete-no-mailbox") == 0)
		goto out;
	if (action[0] == '/') {
		const char *last;

		if (strstr(action, d->dir) == NULL)
			goto out;
		while (end > action + 1 && end[-1] == '/')
			*--end = '\0';
		last = strrchr(action, '/') + 1;
		yes = strcmp(last, user) == 0;
		goto out;
	}
	at = strchr(action, '@');
	if (at == NULL)
		goto out;	/* e.g. "delete": never a user (the original crashes here) */
	*at = '\0';
	yes = strcmp(action, user) == 0 && strcmp(at + 1, d->real) == 0;
out:
	free(text);
	return yes;
}

int is_catchall(char *user, char *domain)
{
	struct vdomain d;
	int rc;

	if (user == NULL || domain == NULL)
		return VA_NULL_POINTER;
	rc = vp_domain_lookup(domain, &d);
	if (rc != VA_SUCCESS)
		return rc;
	return catchall_of(&d, user);
}

/* The hash part of a user directory: "<domdir>/<hash>/<user>" → "<hash>". */
static void hash_of(const char *domdir, const char *userdir, const char *user,
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

/* Only ever a directory inside the domain's own tree. */
static int inside(const struct vdomain *d, const char *dir)
{
	size_t n = strlen(d->dir);

	return strncmp(dir, d->dir, n) == 0 && dir[n] == '/' && strstr(dir, "/../") == NULL;
}

#ifdef USERS_BIG_DIR
/*
 * The marked directory of `user` in a hash directory below `dfd` (taken
 * over and closed): hash directories have one-character names and nest
 * at most three deep (bigdir.c).  0 with its path in `out` when found.
 */
static int find_marked_hashed(int dfd, const char *path, const char *user, int depth,
                              char *out, size_t size)
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
		if (found != 0 && depth < 3)
			found = find_marked_hashed(fd, sub, user, depth + 1, out, size);
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
	fd = open(d->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0)
		return find_marked_hashed(fd, d->dir, user, 1, out, size);
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
static int del_leftover_user(const struct vdomain *d, const char *user)
{
	char dir[VP_PATH_MAX];
	int lk, fd, rc = VA_USER_DOES_NOT_EXIST;

	if (strchr(user, '/') != NULL || strcmp(user, ".") == 0 || strcmp(user, "..") == 0)
		return rc;
	vp_sweep_aside(d->dir, user);
	if (find_marked(d, user, dir, sizeof dir) != 0)
		return rc;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return rc;
	if ((lk = vp_userdir_lock(d)) >= 0) {
		struct vpw_entry e = {0};

		/* under the lock: no add of the name made it its own meanwhile */
		if (vauth_backend_get()->getpw(d, user, &e) != VA_SUCCESS && has_mark(fd)) {
			fprintf(stderr, "Warning: removing %s, left by an interrupted vdeluser\n", dir);
			rc = vp_rmtree_aside(dir, d->dir) == 0 ? VA_SUCCESS : VA_BAD_DIR;
		}
		vpw_entry_free(&e);
		vp_userdir_unlock(lk);
	}
	close(fd);
	return rc;
}

int vdeluser(char *user, char *domain)
{
	struct vdomain d;
	struct vpw_entry e = {0};
	char addr[MAX_PW_NAME + MAX_PW_DOMAIN + 2], ctl[VP_PATH_MAX], hash[VP_PATH_MAX];
	char userdir[VP_PATH_MAX], mark[VP_PATH_MAX];
	struct stat st;
	int lk, fd, marked;

	if (user == NULL || *user == '\0' || domain == NULL)
		return VA_ILLEGAL_USERNAME;
	umask(077);	/* as 5.6: .dir-control is rewritten below */
	vp_lower(user);
	vp_lower(domain);
	/* No length checks, as in 5.6: a name too long (or of one character)
	 * is simply not found. */
	if (strlen(domain) > MAX_PW_DOMAIN || vp_domain_lookup(domain, &d) != VA_SUCCESS)
		return VA_DOMAIN_DOES_NOT_EXIST;
	if (vp_domain_dir_ok(&d) != VA_SUCCESS)
		return VA_BAD_D_DIR;
	if (strlen(user) > MAX_PW_NAME || vauth_backend_get()->getpw(&d, user, &e) != VA_SUCCESS) {
		vpw_entry_free(&e);
		return del_leftover_user(&d, user);
	}
	if (vp_strlcpy(userdir, e.pw.pw_dir, sizeof userdir) != 0) {
		vpw_entry_free(&e);
		return VA_DIR_TOO_LONG;
	}
	vpw_entry_free(&e);
	if (catchall_of(&d, user))
		return VA_CANNOT_DELETE_CATCHALL;

	snprintf(addr, sizeof addr, "%s@%s", user, d.real);
	vp_onchange("del_user", addr, "-", 0);
	vp_onchange("del_user", addr, "-", ON_VCHANGE_BEFORE);

	lk = vp_userdir_lock(&d);
	/* Killed once the record is gone, this leaves the directory with the
	 * mark: the next vdeluser or vadduser of the name removes it. */
	marked = inside(&d, userdir) && vp_fmt(mark, sizeof mark, "%s/%s", userdir, DELETING_MARK) == 0 &&
	         lstat(userdir, &st) == 0 && S_ISDIR(st.st_mode) &&
	         (fd = open(mark, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600)) >= 0 &&
	         close(fd) == 0;
	if (vauth_backend_get()->deluser(&d, user) != VA_SUCCESS) {
		if (marked)
			unlink(mark);
		vp_userdir_unlock(lk);
		fprintf(stderr, "Failed to delete user from auth backend\n");
		return VA_ILLEGAL_USERNAME;
	}
#ifdef USERS_BIG_DIR
	hash_of(d.dir, userdir, user, hash, sizeof hash);
	if (hash[0] != '\0')
		vp_backfill_give(d.dir, hash);
	if (vp_fmt(ctl, sizeof ctl, "%s/.dir-control", d.dir) == 0)
		vp_bigdir_dec(ctl, d.uid, d.gid);
#else
	(void)hash; (void)ctl; (void)hash_of;
#endif
	/* Only ever remove a directory inside the domain's own tree.  One
	 * that is gone already is a failure, as in 5.6 (the record is gone). */
	if (inside(&d, userdir) && (lstat(userdir, &st) != 0 || vp_rmtree_aside(userdir, d.dir) != 0)) {
		vp_userdir_unlock(lk);
		fprintf(stderr, "could not remove %s\n", userdir);
		return VA_BAD_DIR;
	}
	vp_userdir_unlock(lk);
	vp_onchange("del_user", addr, "-", ON_VCHANGE_AFTER);
	return VA_SUCCESS;
}

/* vpasswd()'s change: the new hash (made once, on the first record that
 * may change its password) and the clear copy. */
struct new_password {
	char *password;
	char crypted[MAX_PW_PASS + 1];
};

static int set_password(struct vqpasswd *pw, void *arg)
{
	struct new_password *np = arg;
	int rc;

	/* An unknown user and a locked password look the same: -1. */
	if (pw->pw_flags & NO_PASSWD_CHNG)
		return VA_ILLEGAL_USERNAME;
	if (np->crypted[0] == '\0' &&
	    (rc = vp_hash_password(np->password, np->crypted, sizeof np->crypted)) != VA_SUCCESS)
		return rc;
	pw->pw_passwd = np->crypted;
#ifdef CLEAR_PASS
	pw->pw_clear_passwd = np->password;
#endif
	return VA_SUCCESS;
}

int vpasswd(char *user, char *domain, char *password, int apop)
{
	struct new_password np;
	struct vdomain d;
	struct vpw_entry e = {0};
	int rc;

	(void)apop;
	if (user == NULL || domain == NULL || password == NULL)
		return VA_NULL_POINTER;
	/* 5.6's order: lengths, the strength policy, then the lookup (a
	 * domain of any length is looked up: an unknown one is -1 below). */
	rc = vp_check_user_domain_len(user, domain, VP_LEN_ONE_CHAR);
	if (rc != VA_SUCCESS)
		return rc;
	if (strlen(password) > MAX_PW_CLEAR_PASSWD)
		return VA_PASSWD_TOO_LONG;
	rc = check_clear(password);
	if (rc == VA_SUCCESS)
		rc = vpw_strength_check(password);
	if (rc != VA_SUCCESS)
		return rc;
	vp_lower(user);
	vp_lower(domain);
	np.password = password;
	np.crypted[0] = '\0';
	/* Over the record as read only: a change another program makes
	 * meanwhile (its gecos, flags, quota) is kept. */
	rc = vp_edit_user(user, domain, &e, &d, set_password, &np);
	if (rc == VA_USER_DOES_NOT_EXIST)
		rc = VA_ILLEGAL_USERNAME;
#ifdef SQWEBMAIL_PASS
	if (rc == VA_SUCCESS)
		vsqwebmail_pass(e.pw.pw_dir, np.crypted, d.uid, d.gid);
#endif
	vpw_entry_free(&e);
	return rc;
}

/* vsetuserquota()'s change: quota (as given) formatted into formatted[]. */
struct new_quota {
	const char *quota;
	char formatted[64];
};

static int set_quota(struct vqpasswd *pw, void *arg)
{
	struct new_quota *nq = arg;

	if (vp_format_quota(nq->quota, nq->formatted, sizeof nq->formatted) != VA_SUCCESS ||
	    strlen(nq->formatted) > MAX_PW_QUOTA)
		return VA_QUOTA_TOO_LONG;
	pw->pw_shell = nq->formatted;
	return VA_SUCCESS;
}

int vsetuserquota(char *user, char *domain, char *quota)
{
	struct new_quota nq;
	struct vdomain d;
	struct vpw_entry e = {0};
	int rc;

	if (user == NULL || domain == NULL || quota == NULL)
		return VA_NULL_POINTER;
	/* As 5.6: lengths only; an unknown domain, like an unknown user, is
	 * "User does not exist" (the command checks the domain first). */
	rc = vp_check_user_domain_len(user, domain, VP_LEN_ONE_CHAR);
	if (rc != VA_SUCCESS)
		return rc;
	if (strlen(quota) > MAX_PW_QUOTA)
		return VA_QUOTA_TOO_LONG;
	vp_lower(user);
	vp_lower(domain);
	nq.quota = quota;
	rc = vp_edit_user(user, domain, &e, &d, set_quota, &nq);
	if (rc == VA_SUCCESS) {
		/* What 5.6's update_maildirsize() does first for a quota (not
		 * NOQUOTA): the process keeps umask 077, so the domain form's
		 * later vpasswd rewrites are 0600 (spec 1.3). */
		if (strcmp(nq.formatted, "NOQUOTA") != 0)
			umask(077);
		vp_maildirsize_update(e.pw.pw_dir, nq.formatted, d.uid, d.gid);
	}
	vpw_entry_free(&e);
	return rc;
}

struct vqpasswd *vauth_user(char *user, char *domain, char *password, char *apop)
{
	struct vqpasswd *pw;

	(void)apop;
	if (user == NULL || domain == NULL || password == NULL)
		return NULL;
	pw = vauth_getpw(user, domain);
	if (pw == NULL || vp_check_password(password, pw->pw_passwd) != 0)
		return NULL;
	return pw;
}

int vp_sqwebmail_write(const char *dir, const char *crypted, int newline, uid_t uid, gid_t gid)
{
	char path[VP_PATH_MAX], line[MAX_BUFF];

	if (dir == NULL || crypted == NULL)
		return VA_NULL_POINTER;
	if (vp_fmt(path, sizeof path, "%s/Maildir/sqwebmail-pass", dir) != 0 ||
	    vp_fmt(line, sizeof line, "\t%s%s", crypted, newline ? "\n" : "") != 0)
		return VA_SQWEBMAIL_PASS_FAIL;
	if (vp_write_file_atomic(path, line, strlen(line), 0600) != VA_SUCCESS)
		return VA_SQWEBMAIL_PASS_FAIL;
	vp_chown(path, uid, gid);
	return VA_SUCCESS;
}

int vsqwebmail_pass(char *dir, char *crypted, uid_t uid, gid_t gid)
{
	return vp_sqwebmail_write(dir, crypted, 1, uid, gid);
}
