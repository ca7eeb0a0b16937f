/*
 * useradd.c - adding a virtual user: the checks made before anything is
 * written (the name, the password, the domain's limits), the directory,
 * the record (its password hashed on a second thread meanwhile, or an
 * imported hash given), what follows the record, and the onchange event.
 * bulkadd.c adds many users with the same pieces.
 */
#include "vpinternal.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Lengths the classic API checks before anything else (spec §7.5). */
static int check_user_domain(const char *user, const char *domain)
{
	return vp_check_user_domain_len(user, domain, VP_LEN_ONE_CHAR | VP_LEN_MIN_DOMAIN);
}

/* A clear-text password that will be stored must not break the line. */
int vp_check_clear(const char *pass)
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
	rc = vp_check_clear(password);
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

int vp_user_added(const struct vdomain *d, struct vqpasswd *pw)
{
	if (strcmp(pw->pw_shell, "NOQUOTA") != 0)
		vp_maildirsize_update(pw->pw_dir, pw->pw_shell, d->uid, d->gid);
#ifdef ENABLE_AUTH_LOGGING
	if (vauth_backend_get()->set_lastauth(d, pw, NULL_REMOTE_IP, time(NULL)) != 0) {
		fprintf(stderr, "Failed to create create lastauth entry\n");
		return VA_NO_AUTH_CONNECTION;
	}
#endif
	return VA_SUCCESS;
}

/* The hash job as the backend's adduser_late() collects it, and where
 * its sqwebmail-pass goes (sqdir NULL: nowhere). */
struct late_hash {
	struct vp_hash_job *job;
	char *out;
	size_t size;
	int rc;		/* the hash's own result, once asked for */
	const char *sqdir;
	const struct vdomain *d;
};

/* The hash is known (in lh->out): with --enable-sqwebmail-pass its file
 * is written now, before the record that names it can be found, so that
 * an add that cannot write it fails instead of leaving a user without. */
static int hash_ready(struct late_hash *lh)
{
	if (lh->rc == VA_SUCCESS && lh->sqdir != NULL &&
	    vp_sqwebmail_write(lh->sqdir, lh->out, 1, lh->d->uid, lh->d->gid) != VA_SUCCESS)
		lh->rc = VA_SQWEBMAIL_PASS_FAIL;
	return lh->rc;
}

static const char *collect_hash(void *ctx, int *rc)
{
	struct late_hash *lh = ctx;

	lh->rc = vp_hash_finish(lh->job, lh->out, lh->size);
	*rc = hash_ready(lh);
	return lh->rc == VA_SUCCESS ? lh->out : NULL;
}

/*
 * Store the new record.  With a backend that can lay the record out
 * around a stand-in (adduser_late), that work overlaps the hashing as
 * well; otherwise the hash is waited for first.  `sqdir`: the user
 * directory whose sqwebmail-pass is written once the hash is known.
 */
static int store_user(struct vdomain *d, struct vqpasswd *pw, char *crypted, size_t csize,
                      struct vp_hash_job *job, const char *sqdir, int *hash_rc)
{
	const vauth_backend *be = vauth_backend_get();
	struct late_hash lh = { job, crypted, csize, VA_SUCCESS, sqdir, d };
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
	if (job != NULL)
		lh.rc = vp_hash_finish(job, crypted, csize);
	if ((*hash_rc = hash_ready(&lh)) != VA_SUCCESS)
		return *hash_rc;
	return be->adduser(d, pw);
}

int vp_domain_still_registered(const struct vdomain *d, int lockfd)
{
	struct vdomain now;
	char path[VP_PATH_MAX];

	if (vp_domain_lookup(d->real, &now) != VA_SUCCESS || strcmp(now.dir, d->dir) != 0)
		return 0;
	/* The same name and path may be a new domain: a vdeldomain and a
	 * vadddomain of the name meanwhile.  The lock file held open (its
	 * inode cannot be reused while open) must still be the one at the
	 * domain's path. */
	if (lockfd < 0)
		return 1;
	return vp_fmt(path, sizeof path, "%s/.userdir.lock", d->dir) == 0 &&
	       vp_fd_at_path(lockfd, path);
}

int vp_or_domain_gone(const struct vdomain *d, int lockfd, int rc)
{
	if (rc != VA_SUCCESS && rc != VA_USERNAME_EXISTS && !vp_domain_still_registered(d, lockfd))
		return VA_DOMAIN_DOES_NOT_EXIST;
	return rc;
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
	const char *sqdir = NULL;
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
	/* An imported hash that could not be stored is refused before
	 * anything is made, with vauth_setpw()'s answer. */
	if (rc == VA_SUCCESS && given != NULL && strlen(given->crypted) > MAX_PW_PASS)
		rc = VA_PASSWD_TOO_LONG;
	if (rc == VA_SUCCESS && given != NULL &&
	    (strchr(given->crypted, ':') != NULL || vp_has_ctl(given->crypted)))
		rc = VA_BAD_CHAR;
	if (rc != VA_SUCCESS) {
		rc = vp_or_domain_gone(&d, lk, rc);
		vp_userdir_unlock(lk);
		return rc;
	}

	vp_user_default_quota(&lim, quota, sizeof quota);
	vp_strlcpy(comment, (gecos != NULL && *gecos != '\0') ? gecos : user, sizeof comment);

	umask(077);
	rc = vp_user_create_dir(&d, user, userdir, sizeof userdir, hash, sizeof hash);
	if (rc != VA_SUCCESS) {
		rc = vp_or_domain_gone(&d, lk, rc);
		vp_userdir_unlock(lk);
		return rc;	/* the caller stops the hash */
	}

	crypted[0] = '\0';
	if (given != NULL)
		vp_strlcpy(crypted, given->crypted, sizeof crypted);   /* fits: checked */
	vp_user_new_record(&pw, user, crypted, comment, userdir, quota, password, apop);
	/* An imported hash's record is checked as vauth_setpw() checks one,
	 * and its sqwebmail-pass is in place before the record can be found. */
	hrc = given != NULL ? vcheck_vqpw(&pw, d.real) : VA_SUCCESS;
	if (given != NULL && hrc == VA_SUCCESS && given->sqwebmail)
		hrc = vp_sqwebmail_write(userdir, crypted, 0, d.uid, d.gid);
#ifdef SQWEBMAIL_PASS
	sqdir = given != NULL && given->sqwebmail ? NULL : userdir;
#endif
	rc = hrc != VA_SUCCESS ? hrc :
	     store_user(&d, &pw, crypted, sizeof crypted, job, sqdir, &hrc);
	/* A domain removed meanwhile: the record is ours to take back (a
	 * database would keep it for a vadddomain of the name to inherit,
	 * with no directory). */
	if (rc == VA_SUCCESS && !vp_domain_still_registered(&d, lk)) {
		(void)vauth_backend_get()->deluser(&d, user);
		rc = VA_DOMAIN_DOES_NOT_EXIST;
	} else if (hrc == VA_SUCCESS) {
		rc = vp_or_domain_gone(&d, lk, rc);	/* a store that failed for it */
	}
	if (rc != VA_SUCCESS)
		vp_user_undo_dir(&d, userdir, hash);
	vp_userdir_unlock(lk);
	if (rc != VA_SUCCESS) {
		if (hrc != VA_SUCCESS)
			return hrc;
		if (rc == VA_USERNAME_EXISTS || rc == VA_DOMAIN_DOES_NOT_EXIST)
			return rc;	/* lost a race with another vadduser or a vdeldomain */
		fprintf(stderr, "Failed while attempting to add user to auth backend\n");
		return VA_NO_AUTH_CONNECTION;
	}
	return vp_user_added(&d, &pw);
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
