/*
 * user.c - removing and changing virtual users (adding one: useradd.c;
 * their directories: userdir.c).
 *
 * The record itself is stored by the auth backend; this file owns the
 * order of operations and the checks that come before anything is
 * written.
 */
#include "vpinternal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Only ever a directory inside the domain's own tree (never the domain
 * directory itself, nor a parent through a ".." component). */
static int inside(const struct vdomain *d, const char *dir)
{
	return vp_path_below(d->dir, dir);
}

/* The directory of user's record, read now into dir: VA_USER_DOES_NOT_EXIST
 * if the record is gone, or the backend's error. */
static int reread_dir(const struct vdomain *d, const char *user, char *dir, size_t size)
{
	struct vpw_entry e = {0};
	int rc;

	rc = vauth_backend_get()->getpw(d, user, &e);
	if (rc == VA_SUCCESS && vp_strlcpy(dir, e.pw.pw_dir, size) != 0)
		rc = VA_DIR_TOO_LONG;
	vpw_entry_free(&e);
	return rc;
}

int vdeluser(char *user, char *domain)
{
	struct vdomain d;
	struct vpw_entry e = {0};
	char addr[MAX_PW_NAME + MAX_PW_DOMAIN + 2], hash[VP_PATH_MAX];
	char userdir[VP_PATH_MAX], mark[VP_PATH_MAX], mark_dir[VP_PATH_MAX];
	struct stat st;
	int lk, marked, in_tree, rc;

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
	if (strlen(user) > MAX_PW_NAME ||
	    (rc = vauth_backend_get()->getpw(&d, user, &e)) == VA_USER_DOES_NOT_EXIST) {
		vpw_entry_free(&e);
		return vp_userdir_leftover(&d, user);
	}
	if (rc != VA_SUCCESS) {
		vpw_entry_free(&e);
		return rc;      /* the database did not answer: not "no such user" */
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
	/* Under the lock (an add or delete of the name holds it throughout),
	 * the record again: another vdeluser may have removed it since, or a
	 * vadduser made the name anew, in another directory.  The record
	 * goes with its own directory: with the one read before, a new
	 * user's record went and its directory stayed, which no command
	 * could remove. */
	if (lk >= 0) {
		rc = reread_dir(&d, user, userdir, sizeof userdir);
		if (rc != VA_SUCCESS) {
			vp_userdir_unlock(lk);
			return rc;
		}
	}
	/* Killed once the record is gone, this leaves the directory with the
	 * mark and the intent in the lock file: the next holder of the lock
	 * removes it and gives its place back (userintent.c); the next
	 * vdeluser or vadduser of the name, when the intent could not be
	 * written. */
	vp_userdir_hash(d.dir, userdir, user, hash, sizeof hash);
	/* (noted before the mark: a kill in between leaves no mark in the
	 * directory of a user who stays; a directory out of the usual
	 * <hash>/<user> layout is not noted) */
	in_tree = inside(&d, userdir);
	if (in_tree && vp_userdir_path(&d, hash, user, mark_dir, sizeof mark_dir) == 0 &&
	    strcmp(mark_dir, userdir) == 0)
		vp_intent_deleting(&d, hash, user);
	marked = in_tree && vp_userdir_mark(userdir, mark, sizeof mark) == 0;
	if (vauth_backend_get()->deluser(&d, user) != VA_SUCCESS) {
		if (marked)
			unlink(mark);
		vp_userdir_unlock(lk);
		fprintf(stderr, "Failed to delete user from auth backend\n");
		return VA_ILLEGAL_USERNAME;
	}
	/* Only ever remove a directory inside the domain's own tree.  One
	 * that is gone already is a failure, as in 5.6 (the record is gone).
	 * The place is given back last: a kill before that is finished by
	 * the next holder of the lock, which gives it back then. */
	if (in_tree && (lstat(userdir, &st) != 0 || vp_rmtree_aside(userdir, d.dir) != 0)) {
		/* What could not be removed is back under its name, perhaps
		 * without the mark (removed with the rest): marked again, the
		 * next vdeluser of the name finishes it once it can. */
		if (marked)
			(void)vp_userdir_mark(userdir, mark, sizeof mark);
		vp_user_release_slot(&d, hash);
		vp_userdir_unlock(lk);
		fprintf(stderr, "could not remove %s\n", userdir);
		return VA_BAD_DIR;
	}
	vp_user_release_slot(&d, hash);
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
	rc = vp_check_clear(password);
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

/*
 * Two quota changes of one user at once: each stores the record under the
 * vpasswd lock, then writes maildirsize after releasing it, so the two
 * files could end with different writers' quotas.  Every change ends
 * here, reading the record after its own maildirsize write: the last
 * write is then made by a process that saw the last record.
 */
void vp_maildirsize_follow(char *user, char *domain, char *dir, const char *written)
{
	char want[MAX_PW_QUOTA + 1];
	struct vpw_entry e = {0};
	struct vdomain d;
	int i, again;

	if (user == NULL || domain == NULL || dir == NULL || written == NULL ||
	    vp_strlcpy(want, written, sizeof want) != 0 || vp_domain_lookup(domain, &d) != VA_SUCCESS)
		return;
	for (i = 0; i < VAUTH_EDIT_TRIES; i++) {
		again = vp_getpw(user, d.real, &e, NULL) == VA_SUCCESS &&
		        e.pw.pw_shell != NULL && e.pw.pw_dir != NULL && strcmp(e.pw.pw_dir, dir) == 0 &&
		        strcmp(e.pw.pw_shell, want) != 0 &&
		        vp_strlcpy(want, e.pw.pw_shell, sizeof want) == 0;
		vpw_entry_free(&e);
		if (!again)
			return;
		vp_maildirsize_update(dir, want, d.uid, d.gid);
	}
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
		vp_maildirsize_follow(user, domain, e.pw.pw_dir, nq.formatted);
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
	if (vp_write_file_owned(path, line, strlen(line), 0600, uid, gid) != VA_SUCCESS) {
		/* verror() has no text for this code (nor had 5.6's). */
		fprintf(stderr, "Failed to write %s\n", path);
		return VA_SQWEBMAIL_PASS_FAIL;
	}
	return VA_SUCCESS;
}

int vsqwebmail_pass(char *dir, char *crypted, uid_t uid, gid_t gid)
{
	return vp_sqwebmail_write(dir, crypted, 1, uid, gid);
}
