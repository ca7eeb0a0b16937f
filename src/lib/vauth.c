/*
 * vauth.c - the classic vauth_* API as thin dispatchers over the
 * compiled-in backend (vauth_backend_get()).
 *
 * The dispatchers resolve the domain through users/cdb, keep vpopmail's
 * argument conventions (static results, in-place lower-casing, NULL on
 * failure where the classic signature returns a pointer) and add what is
 * not the backend's business: password hashing, validation, the caller's
 * uid check, domain-wide flags and the onchange notifications.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"
#include "vcdb.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

static const vauth_backend *be(void)
{
	return vauth_backend_get();
}

/* Lower-cased bounded copy; -1 if src does not fit. */
static int lower_copy(char *dst, size_t size, const char *src)
{
	if (vp_strlcpy(dst, src, size) != 0)
		return -1;
	vp_lower(dst);
	return 0;
}

/* Resolve domain (any case) into d. */
static int resolve(const char *domain, struct vdomain *d)
{
	char dom[VP_PATH_MAX];

	if (domain == NULL)
		return VA_NULL_POINTER;
	if (lower_copy(dom, sizeof dom, domain) != 0)
		return VA_DOMAIN_NAME_TOO_LONG;
	return vp_domain_lookup(dom, d);
}

/*
 * For the calls that do not need the domain to exist (the cdb backend
 * ignores it there): the resolved domain if it is known, else just its name.
 */
static void resolve_or_name(const char *domain, struct vdomain *d)
{
	if (resolve(domain, d) == 0)
		return;
	memset(d, 0, sizeof *d);
	if (domain != NULL) {
		vp_strlcpy(d->name, domain, sizeof d->name);
		vp_lower(d->name);
		memcpy(d->real, d->name, sizeof d->real);
	}
}

/* Backend lookup of a user (any case) in a resolved domain. */
static int lookup(const char *user, const char *domain, struct vpw_entry *out,
                  struct vdomain *d)
{
	char u[VP_PATH_MAX];
	int rc;

	if (user == NULL || domain == NULL || out == NULL)
		return VA_NULL_POINTER;
	if (lower_copy(u, sizeof u, user) != 0)
		return VA_USER_DOES_NOT_EXIST;
	if ((rc = resolve(domain, d)) != 0)
		return rc;
	return be()->getpw(d, u, out);
}

/* pw_flags = pw_gid, plus the domain's limits unless V_OVERRIDE (§4.3). */
static void set_flags(struct vqpasswd *pw, struct vdomain *d)
{
	pw->pw_flags = pw->pw_gid;
	if (!(pw->pw_gid & V_OVERRIDE))
		vlimits_setflags(pw, d->real);
}

/* ------------------------------------------------------------------ */
/* Internal (vpinternal.h).                                           */

int vp_getpw(const char *user, const char *domain, struct vpw_entry *out,
             struct vdomain *dom_out)
{
	struct vdomain d;
	int rc;

	d.real[0] = '\0';      /* set by lookup() once the domain resolves */
	rc = lookup(user, domain, out, &d);
	/* The domain, once resolved, also for a user it does not hold (a
	 * caller names the real domain in its message). */
	if (dom_out != NULL && (rc == 0 || (rc == VA_USER_DOES_NOT_EXIST && d.real[0] != '\0')))
		*dom_out = d;
	if (rc != 0)
		return rc;
	set_flags(&out->pw, &d);
	return 0;
}

int vp_records_stamp(const char *domain, struct vp_records_stamp *out)
{
	const vauth_backend *b = be();
	char cdbpath[VP_PATH_MAX];
	struct vdomain d;

	memset(out, 0, sizeof *out);
	if (b->stamp == NULL ||
	    vp_qmail_path(cdbpath, sizeof cdbpath, "users/" QMAIL_CDB_NAME) == NULL)
		return -1;
	/* users/cdb first: a domain moved after this changes the stamp */
	vp_file_stamp(cdbpath, &out->f[0]);
	if (vp_domain_lookup(domain, &d) != VA_SUCCESS || b->stamp(&d, &out->f[1]) != 0)
		return -1;
	return 0;
}

int vp_record_has_dir(const struct vdomain *d, const char *user, const char *dir)
{
	struct vpw_entry now = {0};
	int same;

	same = be()->getpw(d, user, &now) == VA_SUCCESS &&
	       now.pw.pw_dir != NULL && strcmp(now.pw.pw_dir, dir) == 0;
	vpw_entry_free(&now);
	return same;
}

int vp_lookup_failed(int rc)
{
	switch (rc) {
	case VA_SUCCESS:
	case VA_USER_DOES_NOT_EXIST:
	case VA_DOMAIN_DOES_NOT_EXIST:
	case VA_INVALID_DOMAIN_NAME:
	case VA_ILLEGAL_USERNAME:
	case VA_USER_NAME_TOO_LONG:
	case VA_DOMAIN_NAME_TOO_LONG:
		return 0;
	default:
		return 1;
	}
}

int vp_pw_copy(struct vpw_entry *dst, const struct vqpasswd *src)
{
	if (dst == NULL || src == NULL)
		return VA_NULL_POINTER;
	return vpw_entry_set(dst, src);
}

/* ------------------------------------------------------------------ */
/* Classic API.                                                       */

int vauth_open(int will_update)
{
	return be()->open(will_update);
}

int vauth_open_update(void)
{
	return vauth_open(1);
}

const char *vauth_why(void)
{
	const char *w = be()->why != NULL ? be()->why() : NULL;

	return w != NULL ? w : "";
}

void vclose(void)
{
	be()->close();
}

int vauth_adddomain(char *domain)
{
	struct vdomain d;

	if (domain == NULL)
		return VA_NULL_POINTER;
	resolve_or_name(domain, &d);
	return be()->adddomain(&d);
}

int vauth_deldomain(char *domain)
{
	struct vdomain d;

	if (domain == NULL)
		return VA_NULL_POINTER;
	resolve_or_name(domain, &d);
	return be()->deldomain(&d);
}

/*
 * dir is the hash directory relative to the domain directory ("" = the
 * domain directory itself); the record gets the user's absolute directory.
 * The record's name is user lower-cased, as lookups ask for it.  vadduser()
 * checks its names before it gets this far; a program calling this one
 * directly gets the same checks, so that no record points outside the
 * domain: a name with '/' or a leading '.', a dir that is not a hash path
 * (VA_BAD_DIR).
 */
int vauth_adduser(char *user, char *domain, char *pass, char *gecos, char *dir, int apop)
{
	char crypted[256], userdir[VP_PATH_MAX], name[MAX_PW_NAME + 1];
	struct vqpasswd pw;
	struct vdomain d;
	int rc;

	if (user == NULL || domain == NULL)
		return VA_NULL_POINTER;
	if (lower_copy(name, sizeof name, user) != 0)
		return VA_USER_NAME_TOO_LONG;
	if (is_username_valid(name) != 0 || strchr(name, '/') != NULL ||
	    strcmp(name, VCDB_PASSWD) == 0)
		return VA_ILLEGAL_USERNAME;
	user = name;
	if (pass == NULL)
		pass = "";
	if (dir == NULL)
		dir = "";
	if (!vp_hash_path_ok(dir))
		return VA_BAD_DIR;
	if (gecos == NULL || gecos[0] == '\0')
		gecos = user;
	if ((rc = resolve(domain, &d)) != 0)
		return rc;

	if (dir[0] != '\0')
		rc = vp_fmt(userdir, sizeof userdir, "%s/%s/%s", d.dir, dir, user);
	else
		rc = vp_fmt(userdir, sizeof userdir, "%s/%s", d.dir, user);
	if (rc != 0)
		return VA_DIR_TOO_LONG;

	crypted[0] = '\0';
	if (pass[0] != '\0' && (rc = vp_hash_password(pass, crypted, sizeof crypted)) != 0)
		return rc;

	memset(&pw, 0, sizeof pw);
	pw.pw_name = user;
	pw.pw_passwd = crypted;
	pw.pw_uid = vp_new_user_uid(apop);	/* stored marker, not a uid */
	pw.pw_gid = 0;
	pw.pw_gecos = gecos;			/* ':' dropped when formatted */
	pw.pw_dir = userdir;
	pw.pw_shell = "NOQUOTA";
#ifdef CLEAR_PASS
	pw.pw_clear_passwd = pass;
#else
	pw.pw_clear_passwd = "";
#endif
	return be()->adduser(&d, &pw);
}

int vauth_deluser(char *user, char *domain)
{
	struct vdomain d;
	int rc;

	if (user == NULL || domain == NULL)
		return VA_NULL_POINTER;
	if ((rc = resolve(domain, &d)) != 0)
		return rc;
	return be()->deluser(&d, user);
}

struct vqpasswd *vauth_getpw(char *user, char *domain)
{
	static struct vpw_entry ent;
	struct vdomain d;
	int rc;

	verrori = 0;
	if (user == NULL || domain == NULL)
		return NULL;
	vp_lower(user);
	vp_lower(domain);
	d.real[0] = '\0';
	rc = vp_getpw(user, domain, &ent, &d);
	/* As 5.6 (its lookup goes through vget_assign): an alias domain's
	 * name becomes the real one, whether or not the user is found. */
	if (rc == VA_SUCCESS || rc == VA_USER_DOES_NOT_EXIST)
		vp_take_real_domain(domain, &d);
	if (rc != 0) {
		/* An unreachable or misconfigured user database is not "no
		 * such user": verrori tells the caller which it was. */
		if (vp_lookup_failed(rc))
			verrori = rc;
		return NULL;
	}
	return &ent.pw;
}

/* A field must not break the vpasswd line: no control character, and no
 * ':' where it would split the record. */
static int field_ok(const char *s, int colon_ok)
{
	if (vp_has_ctl(s))
		return 0;
	return colon_ok || strchr(s, ':') == NULL;
}

int vcheck_vqpw(struct vqpasswd *pw, char *domain)
{
	int rc;

	if (pw == NULL || domain == NULL)
		return VA_NULL_POINTER;
	if (pw->pw_name == NULL || pw->pw_passwd == NULL || pw->pw_gecos == NULL ||
	    pw->pw_dir == NULL || pw->pw_shell == NULL)
		return VA_NULL_POINTER;
#ifdef CLEAR_PASS
	if (pw->pw_clear_passwd == NULL)
		return VA_NULL_POINTER;
#endif

	/* Lengths, in vpopmail's order (§7.5). */
	if ((rc = vp_check_user_domain_len(pw->pw_name, domain, VP_LEN_ONE_CHAR)) != VA_SUCCESS)
		return rc;
	if (strlen(pw->pw_passwd) > MAX_PW_PASS)
		return VA_PASSWD_TOO_LONG;
	if (strlen(pw->pw_gecos) > MAX_PW_GECOS)
		return VA_GECOS_TOO_LONG;
	if (strlen(pw->pw_dir) > MAX_PW_DIR)
		return VA_DIR_TOO_LONG;
	if (strlen(pw->pw_shell) > MAX_PW_QUOTA)
		return VA_QUOTA_TOO_LONG;
#ifdef CLEAR_PASS
	if (strlen(pw->pw_clear_passwd) > MAX_PW_CLEAR_PASSWD)
		return VA_CLEAR_PASSWD_TOO_LONG;
#endif

	/* Characters: the gecos may hold ':' (they are dropped on writing). */
	if (!field_ok(pw->pw_name, 0) || !field_ok(domain, 0) ||
	    !field_ok(pw->pw_passwd, 0) || !field_ok(pw->pw_gecos, 1) ||
	    !field_ok(pw->pw_dir, 0) || !field_ok(pw->pw_shell, 0))
		return VA_BAD_CHAR;
#ifdef CLEAR_PASS
	if (!field_ok(pw->pw_clear_passwd, 0))
		return VA_BAD_CHAR;
#endif
	return VA_SUCCESS;
}

static int set_record(struct vqpasswd *pw, char *domain, const struct vqpasswd *old);

int vauth_setpw(struct vqpasswd *pw, char *domain)
{
	return set_record(pw, domain, NULL);
}

int vauth_setpw_if(const struct vqpasswd *old, struct vqpasswd *pw, char *domain)
{
	if (old == NULL)
		return VA_NULL_POINTER;
	return set_record(pw, domain, old);
}

int vp_edit_user(const char *user, const char *domain, struct vpw_entry *e,
                 struct vdomain *d, int (*edit)(struct vqpasswd *pw, void *arg), void *arg)
{
	struct vqpasswd old;
	int rc, tries;

	for (tries = 1;; tries++) {
		vpw_entry_free(e);
		if ((rc = vp_getpw(user, domain, e, d)) != VA_SUCCESS)
			/* a database that cannot answer is not "no such user" */
			return vp_lookup_failed(rc) ? rc : VA_USER_DOES_NOT_EXIST;
		old = e->pw;    /* edit() only points the fields elsewhere */
		if ((rc = edit(&e->pw, arg)) != VA_SUCCESS)
			return rc;
		rc = vauth_setpw_if(&old, &e->pw, d->real);
		if (rc != VA_USER_DOES_NOT_EXIST || tries == VAUTH_EDIT_TRIES)
			return rc;
	}
}

int vauth_edit(char *user, char *domain, int (*edit)(struct vqpasswd *pw, void *arg), void *arg)
{
	struct vpw_entry e = {0};
	struct vdomain d;
	int rc;

	if (user == NULL || domain == NULL || edit == NULL)
		return VA_NULL_POINTER;
	/* As vauth_getpw(): the names are folded to lower case in place. */
	vp_lower(user);
	vp_lower(domain);
	d.real[0] = '\0';
	rc = vp_edit_user(user, domain, &e, &d, edit, arg);
	vpw_entry_free(&e);
	vp_take_real_domain(domain, &d);
	return rc;
}

/* vauth_setpw(); with old, only while the stored record is still *old. */
static int set_record(struct vqpasswd *pw, char *domain, const struct vqpasswd *old)
{
	char who[VP_PATH_MAX];
	struct vdomain d;
	uid_t me;
	int found, rc;

	if (pw == NULL || domain == NULL || pw->pw_name == NULL)
		return VA_NULL_POINTER;
	found = resolve(domain, &d);
	/* onchange names the real domain; an unknown one as given. */
	if (vp_fmt(who, sizeof who, "%s@%s", pw->pw_name, found == 0 ? d.real : domain) != 0)
		return VA_USER_NAME_TOO_LONG;

	/* 5.6 announces the change before validating it. */
	vp_onchange("mod_user", who, "-", ON_VCHANGE_BEFORE);
	if ((rc = vcheck_vqpw(pw, domain)) != 0)
		return rc;
	if (found != 0)
		return found;
	me = geteuid();
	if (me != 0 && me != d.uid)
		return VA_BAD_UID;
	if (old != NULL && be()->setpw_if != NULL)
		rc = be()->setpw_if(&d, old, pw);
	else
		rc = be()->setpw(&d, pw);
	if (rc != 0)
		return rc;
#ifdef SQWEBMAIL_PASS
	vsqwebmail_pass(pw->pw_dir, pw->pw_passwd, d.uid, d.gid);
#endif
	vp_onchange("mod_user", who, "-", 0);
	vp_onchange("mod_user", who, "-", ON_VCHANGE_AFTER);
	return VA_SUCCESS;
}

int vauth_setquota(char *user, char *domain, char *quota)
{
	struct vqpasswd *pw;
	int rc;

	if (user == NULL || domain == NULL || quota == NULL)
		return VA_NULL_POINTER;
	if ((rc = vp_check_user_domain_len(user, domain, VP_LEN_ONE_CHAR)) != VA_SUCCESS)
		return rc;
	if (strlen(quota) > MAX_PW_QUOTA)
		return VA_QUOTA_TOO_LONG;
	if ((pw = vauth_getpw(user, domain)) == NULL)
		return VA_USER_DOES_NOT_EXIST;
	pw->pw_shell = quota;
	return vauth_setpw(pw, domain);
}

/* State of the vauth_getall() walk. */
static struct {
	void *it;
	struct vpw_entry ent;
	int have_mask;
	gid_t mask;
} walk;

void vauth_end_getall(void)
{
	if (walk.it != NULL)
		be()->iter_close(walk.it);
	walk.it = NULL;
}

/* Every user in storage order (sortit is ignored, as in the cdb module). */
struct vqpasswd *vauth_getall(char *domain, int first, int sortit)
{
	struct vdomain d;
	struct vlimits lim;

	(void)sortit;
	if (first == 1) {
		vauth_end_getall();
		if (resolve(domain, &d) != 0)
			return NULL;
		vp_lower(domain);
		vp_take_real_domain(domain, &d);	/* as vauth_getpw */
		if ((walk.it = be()->iter_open(&d)) == NULL)
			return NULL;
		/* The domain's flags once per walk, not once per user. */
		walk.have_mask = vget_limits(d.real, &lim) == 0;
		walk.mask = walk.have_mask ? (gid_t)vlimits_get_flag_mask(&lim) : 0;
	} else if (walk.it == NULL) {
		return NULL;
	}
	if (be()->iter_next(walk.it, &walk.ent) != 1) {
		vauth_end_getall();
		return NULL;
	}
	walk.ent.pw.pw_flags = walk.ent.pw.pw_gid;
	if (walk.have_mask && !(walk.ent.pw.pw_gid & V_OVERRIDE))
		walk.ent.pw.pw_flags |= walk.mask;
#ifndef CLEAR_PASS
	/* A clear-text field left in vpasswd from a build that kept one is
	 * not handed out by a walk, as 5.6's vgetent() did not read it. */
	walk.ent.pw.pw_clear_passwd = (char *)"";
#endif
	return &walk.ent.pw;
}

/* 0 if clear_pass matches pw's stored hash. */
int vauth_crypt(char *user, char *domain, char *clear_pass, struct vqpasswd *pw)
{
	(void)user;
	(void)domain;
	if (pw == NULL || clear_pass == NULL || pw->pw_passwd == NULL)
		return -1;
	return vp_check_password(clear_pass, pw->pw_passwd) == 0 ? 0 : -1;
}

/*
 * Rebuild the domain's index: VA_BAD_DIR (vmkpasswd exit 253) if the domain
 * is unknown or its directory is gone, -2 (exit 254) if the lock fails.
 */
int vmkpasswd(char *domain)
{
	struct vdomain d;

	if (domain == NULL)
		return VA_BAD_DIR;
	vp_lower(domain);
	if (vp_domain_lookup(domain, &d) != 0)
		return VA_BAD_DIR;
	return be()->reindex(&d);
}

int vset_lastauth(char *user, char *domain, char *remoteip)
{
	struct vpw_entry e;
	struct vdomain d;
	int rc;

	memset(&e, 0, sizeof e);
	/* Like vpopmail: nothing to record for an unknown user. */
	if (lookup(user, domain, &e, &d) != 0) {
		vpw_entry_free(&e);
		return 0;
	}
	rc = be()->set_lastauth(&d, &e.pw, remoteip != NULL ? remoteip : "", time(NULL));
	vpw_entry_free(&e);
	return rc;
}

time_t vget_lastauth(struct vqpasswd *pw, char *domain)
{
	struct vdomain d;
	time_t when = 0;

	if (pw == NULL)
		return 0;
	resolve_or_name(domain, &d);
	be()->get_lastauth(&d, pw, &when, NULL, 0);
	return when;
}

/* The recorded IP (static buffer), or NULL if there is no record. */
char *vget_lastauthip(struct vqpasswd *pw, char *domain)
{
	static char ip[MAX_BUFF];
	struct vdomain d;

	if (pw == NULL)
		return NULL;
	resolve_or_name(domain, &d);
	if (be()->get_lastauth(&d, pw, NULL, ip, sizeof ip) != 0)
		return NULL;
	return ip;
}

/* Next well-formed vpasswd line of fp (static storage); NULL at the end. */
struct vqpasswd *vgetent(FILE *fp)
{
	static struct vpw_entry ent;
	static char *line;
	static size_t cap;

	if (fp == NULL)
		return NULL;
	if (vpw_read_entry(fp, &line, &cap, &ent) != 1)
		return NULL;
	return &ent.pw;
}
