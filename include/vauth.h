/*
 * vauth.h - the authentication backend interface.
 *
 * A backend is one `struct vauth_backend` of function pointers, filled with
 * designated initializers (see cdb/vcdb.c).  The classic vauth_* functions
 * below are thin dispatchers over the active backend, kept so that code
 * written against vpopmail's headers still links.
 *
 * A backend knows nothing of qmail's files: the library resolves a domain
 * through users/cdb first and hands the backend a `struct vdomain`.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VAUTH_H
#define VAUTH_H

#include <limits.h>
#include <sys/types.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef VP_PATH_MAX
#define VP_PATH_MAX 4096
#endif

/* The address a new account's lastauth holds until its first login. */
#define NULL_REMOTE_IP "0.0.0.0"

/* A resolved domain: what users/cdb says about it. */
struct vdomain {
	char  name[97];        /* the name asked for, lower case (may be an alias) */
	char  real[97];        /* the real domain */
	char  dir[VP_PATH_MAX];/* domain directory */
	uid_t uid;
	gid_t gid;
};

/* A file as stat() saw it: which file, and when it last changed
 * (vpopmail-ng).  Zero for a file that was not there. */
struct vp_file_stamp {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};

#define VQPASSWD_HAS_PW_FLAGS 1
struct vqpasswd {
	char  *pw_name;          /* user name, lower case */
	char  *pw_passwd;        /* crypt(3) hash, may be empty */
	uid_t  pw_uid;           /* USE_POP or USE_APOP, not a uid */
	gid_t  pw_gid;           /* flag word as stored */
	gid_t  pw_flags;         /* pw_gid | domain-wide flags */
	char  *pw_gecos;         /* comment */
	char  *pw_dir;           /* absolute user directory */
	char  *pw_shell;         /* quota string */
	char  *pw_clear_passwd;  /* clear-text password, may be empty */
};

/*
 * One user record with its own storage: pw's strings point into buf.
 * Zero-initialise before first use; reuse freely; release with
 * vpw_entry_free().
 */
struct vpw_entry {
	struct vqpasswd pw;
	char   *buf;
	size_t  cap;
};

struct vlimits;
struct vdir_type;

typedef struct vauth_backend {
	const char *name;
	int   (*open)(int will_update);
	void  (*close)(void);
	int   (*adddomain)(const struct vdomain *d);
	int   (*deldomain)(const struct vdomain *d);
	/* Insert a complete record; VA_USERNAME_EXISTS if the name is taken. */
	int   (*adduser)(const struct vdomain *d, const struct vqpasswd *pw);
	/* Insert n complete records at once, all or none (vpopmail-ng);
	 * VA_USERNAME_EXISTS if any name is taken or given twice. */
	int   (*adduser_many)(const struct vdomain *d, const struct vqpasswd *pws, size_t n);
	/* Optional (vpopmail-ng): adduser() while the password is still being
	 * hashed.  pw->pw_passwd is a stand-in of the hash's length; the
	 * backend prepares the new record around it and calls
	 * hash(ctx, &rc) for the real one before it commits.  If that gives
	 * NULL, the add fails with rc; a hash of another length is added as
	 * adduser() would.  NULL: the caller waits for the hash itself. */
	int   (*adduser_late)(const struct vdomain *d, const struct vqpasswd *pw,
	                      const char *(*hash)(void *ctx, int *rc), void *ctx);
	/* Remove a user; VA_USER_DOES_NOT_EXIST if absent. */
	int   (*deluser)(const struct vdomain *d, const char *user);
	/* Look a user up; VA_USER_DOES_NOT_EXIST if absent.  pw_flags = pw_gid. */
	int   (*getpw)(const struct vdomain *d, const char *user, struct vpw_entry *out);
	/* Replace the record of pw->pw_name; VA_USER_DOES_NOT_EXIST if absent. */
	int   (*setpw)(const struct vdomain *d, const struct vqpasswd *pw);
	/* Stream every user in storage order, in constant memory. */
	void *(*iter_open)(const struct vdomain *d);
	int   (*iter_next)(void *it, struct vpw_entry *out);   /* 1 got one, 0 end, <0 VA code */
	void  (*iter_close)(void *it);
	/* Rebuild any index (vmkpasswd). */
	int   (*reindex)(const struct vdomain *d);
	/* Last authentication time and address. */
	int   (*set_lastauth)(const struct vdomain *d, const struct vqpasswd *pw,
	                      const char *ip, time_t when);
	int   (*get_lastauth)(const struct vdomain *d, const struct vqpasswd *pw,
	                      time_t *when, char *ip, size_t ipsize);
	/* Optional: domain limits kept by the backend (--enable-mysql-limits).
	 * NULL: they live in the domain's .qmailadmin-limits file.
	 * get_limits sets *found to 0 when the domain has no stored limits
	 * (the caller then applies the defaults); an outage is a VA code. */
	int   (*get_limits)(const struct vdomain *d, struct vlimits *out, int *found);
	int   (*set_limits)(const struct vdomain *d, const struct vlimits *l);
	int   (*del_limits)(const struct vdomain *d);
	/* Optional: the roaming users' relay list kept by the backend (the
	 * mysql module's `relay` table).  NULL: ~vpopmail/etc/open-smtp.
	 * relay_open stores ip (a dotted quad) with time now and sets *added
	 * to 1 if the ip was not listed before; relay_walk calls fn for every
	 * listed ip (a non-zero result stops the walk and is returned);
	 * relay_expire drops the entries whose time is <= cutoff. */
	int   (*relay_open)(const char *ip, time_t now, int *added);
	int   (*relay_walk)(int (*fn)(const char *ip, void *arg), void *arg);
	int   (*relay_expire)(time_t cutoff);
	/* Optional: the IP -> domain map (the mysql module's `ip_alias_map`
	 * table).  NULL: ~vpopmail/etc/ip_alias_map.  ipmap_get returns 0
	 * and the domain, or 1 if the ip is not mapped; ipmap_del returns 1
	 * if the pair was not there; ipmap_walk as relay_walk. */
	int   (*ipmap_get)(const char *ip, char *domain, size_t size);
	int   (*ipmap_add)(const char *ip, const char *domain);
	int   (*ipmap_del)(const char *ip, const char *domain);
	int   (*ipmap_walk)(int (*fn)(const char *ip, const char *domain, void *arg), void *arg);
	/* Optional: told each time a big-dir control file was written, with
	 * the domain it belongs to (or "dom_<uid>" for a domains directory),
	 * so the backend can keep a copy (the mysql module's dir_control). */
	int   (*dirctl_saved)(const char *key, const struct vdir_type *vd);
	/* Optional (vpopmail-ng): setpw(), but only while the stored record
	 * still has every field of *old (a read-modify-write that must not
	 * undo a change made since the read); VA_USER_DOES_NOT_EXIST if it
	 * changed or went.  NULL: the caller cannot make the check. */
	int   (*setpw_if)(const struct vdomain *d, const struct vqpasswd *old,
	                  const struct vqpasswd *pw);
	/* Optional (vpopmail-ng): the stamps of the (at most two) files the
	 * domain's records are read from; while they stay the same, no record
	 * has changed.  0, or nonzero if they cannot be had.  NULL: the
	 * backend keeps no such files (a database). */
	int   (*stamp)(const struct vdomain *d, struct vp_file_stamp out[2]);
	/* Optional (vpopmail-ng): why the last VA_NO_AUTH_CONNECTION came,
	 * in a line for the admin ("" if it has nothing to add): a server
	 * that cannot be reached and a table that is missing read alike. */
	const char *(*why)(void);
} vauth_backend;

/* The compiled-in backend. */
const vauth_backend *vauth_backend_get(void);
/* The backend's why(), or "". */
const char *vauth_why(void);

void vpw_entry_free(struct vpw_entry *e);

/* ------------------------------------------------------------------ */
/* Classic API (vpopmail 5.6 vauth.h).                                */

int   vauth_open(int will_update);
/* The write connection of 5.6's SQL modules, which chkuser (qmail-smtpd)
 * opens to tell a database outage from an unknown recipient: 0, or the
 * VA_* code (also left in verrori).  The cdb module has nothing to open. */
int   vauth_open_update(void);
void  vclose(void);
int   vauth_adddomain(char *domain);
int   vauth_deldomain(char *domain);
int   vauth_adduser(char *user, char *domain, char *pass, char *gecos, char *dir, int apop);
int   vauth_deluser(char *user, char *domain);
struct vqpasswd *vauth_getpw(char *user, char *domain);
int   vauth_setpw(struct vqpasswd *pw, char *domain);
/* vpopmail-ng: vauth_setpw(), but only while the stored record still has
 * every field of *old, the record the caller read and changed (else
 * VA_USER_DOES_NOT_EXIST: read it again and redo the change).  A backend
 * without the check (setpw_if NULL) stores unconditionally. */
int   vauth_setpw_if(const struct vqpasswd *old, struct vqpasswd *pw, char *domain);
/* vpopmail-ng: read user@domain, let edit() change the record (it may
 * point fields at its own storage; a code other than VA_SUCCESS stops
 * there with that code) and store it with vauth_setpw_if(); if another
 * program changed the record in between, read it again and edit again
 * (up to VAUTH_EDIT_TRIES times), so neither change is lost.
 * VA_USER_DOES_NOT_EXIST if the user is not there. */
#define VAUTH_EDIT_TRIES 8
int   vauth_edit(char *user, char *domain, int (*edit)(struct vqpasswd *pw, void *arg), void *arg);
int   vauth_setquota(char *user, char *domain, char *quota);
struct vqpasswd *vauth_getall(char *domain, int first, int sortit);
void  vauth_end_getall(void);
int   vauth_crypt(char *user, char *domain, char *clear_pass, struct vqpasswd *pw);
int   vmkpasswd(char *domain);
int   vset_lastauth(char *user, char *domain, char *remoteip);
time_t vget_lastauth(struct vqpasswd *pw, char *domain);
char *vget_lastauthip(struct vqpasswd *pw, char *domain);

#ifdef __cplusplus
}
#endif

#endif /* VAUTH_H */
