/*
 * domain.c - adding and removing virtual domains and alias domains.
 *
 * A domain is a directory under ~vpopmail/domains (hashed once there are
 * many), a .qmail-default that hands its mail to vdelivermail, and lines
 * in qmail's users/assign, rcpthosts and virtualdomains (assign.c).
 */
#include "vpinternal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

const char *vpopmail_dir(void)
{
	return vp_home();
}

const char *vpopmail_qmaildir(void)
{
	return vp_qmaildir();
}

uid_t vpopmail_uid(void)
{
	return vp_uid();
}

gid_t vpopmail_gid(void)
{
	return vp_gid();
}

int vp_write_qmail_default(const char *domdir, const char *action, uid_t uid, gid_t gid)
{
	char path[VP_PATH_MAX], line[VP_PATH_MAX];
	int rc;

	if (vp_has_ctl(action))
		return VA_BAD_CHAR;
	if (vp_fmt(path, sizeof path, "%s/.qmail-default", domdir) != 0 ||
	    vp_fmt(line, sizeof line, "| %s/bin/vdelivermail '' %s\n", vp_home(), action) != 0)
		return VA_DIR_TOO_LONG;
	/* owned before it is in place: qmail-local reads it as the domain's user */
	rc = vp_write_file_owned(path, line, strlen(line), 0600, uid, gid);
	if (rc != VA_SUCCESS)
		return VA_COULD_NOT_OPEN_QMAIL_DEFAULT;
	return VA_SUCCESS;
}

/* Tell qmail-send to re-read its control files, unless -O asked not to. */
static void hup_qmail(void)
{
	signal_process((char *)"qmail-send", SIGHUP);
}

/* vp_unregister_domain(): stop when a control file cannot be rewritten */
#define UNASSIGN_STOP 1
static int mark_deleting(const struct vdomain *d, char *mark, size_t size);

/* Left in a domain's directory by vdeldomain() before it takes the
 * domain out of qmail's files (see del_leftover). */
#define DELETING_MARK ".vdeldomain-running"

/* claim_domdir(): the directory is locked by a vadddomain or vdeldomain
 * of the name that is still running. */
#define CLAIM_BUSY (-2)

/*
 * The directory of a domain being added is locked (vp_lock_dir) from its
 * mkdir, made under the lock of the domains directory, until the domain
 * is registered or taken back.  One that exists but that nobody holds
 * was left by a vadddomain that was killed: if the domain is not routed
 * and the directory holds nothing but the .qmail-default made before the
 * users/assign line, it is taken over (5.6 refused every later add of
 * the name: "Could not make domain dir").  The lock fd, or -1.
 */
static int claim_domdir(const char *domdir, const char *domain)
{
	struct vdomain d;
	struct dirent *de;
	DIR *dp;
	int fd, ok = 1;

	fd = open(domdir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		return errno == EWOULDBLOCK ? CLAIM_BUSY : -1;
	}
	if (vp_domain_lookup(domain, &d) == VA_SUCCESS ||
	    (dp = opendir(domdir)) == NULL) {
		close(fd);
		return -1;
	}
	while (ok && (de = readdir(dp)) != NULL)
		ok = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
		     strcmp(de->d_name, ".qmail-default") == 0 ||
		     strncmp(de->d_name, ".qmail-default.tmp.", 19) == 0;
	if (ok) {
		/* the killed add's temp .qmail-default */
		rewinddir(dp);
		while ((de = readdir(dp)) != NULL)
			if (strncmp(de->d_name, ".qmail-default.tmp.", 19) == 0)
				(void)unlinkat(dirfd(dp), de->d_name, 0);
	}
	closedir(dp);
	if (!ok) {
		close(fd);
		return -1;
	}
	return fd;
}

/* 1 if path has a "." or ".." component. */
static int has_dot_part(const char *path)
{
	const char *p = path;
	size_t n;

	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			return 0;
		n = strcspn(p, "/");
		if (p[0] == '.' && (n == 1 || (n == 2 && p[1] == '.')))
			return 1;
		p += n;
	}
}

int vadddomain(char *domain, char *dir, uid_t uid, gid_t gid)
{
	struct vdomain existing;
	char domains[VP_PATH_MAX], ctl[VP_PATH_MAX], hash[MAX_DIR_NAME];
	char domdir[VP_PATH_MAX], base[VP_PATH_MAX], parent[VP_PATH_MAX];
	struct stat st;
	int rc, registering = 0;   /* users/assign may hold our line */
	int lk, dirlk = -1, tries;

#ifdef ONCHANGE_SCRIPT
	/* Mask the postmaster's add_user/mod_user; see the spec, §9.2. */
	vp_onchange_set_allowed(0);
#endif
	if (domain == NULL)
		return VA_NULL_POINTER;
	vp_lower(domain);
	rc = vp_check_new_domain(domain);
	if (rc != VA_SUCCESS)
		return rc;
	umask(077);

	rc = vp_domain_lookup(domain, &existing);
	if (rc == VA_SUCCESS)
		return VA_DOMAIN_ALREADY_EXISTS;

	if (dir == NULL || *dir == '\0')
		dir = (char *)vp_home();
	if (dir[0] != '/' || has_dot_part(dir)) {
		/* users/assign and vpasswd need absolute paths: qmail-local
		 * and every later program start elsewhere.  (5.6 stored the
		 * relative one; vdeldomain then removed that path below
		 * whatever directory it was run from.)  A "." or ".." part
		 * is resolved too: users/assign must not hold one (see
		 * vp_domain_lookup()); a plain path stays as given. */
		char abs[PATH_MAX];

		if (realpath(dir, abs) == NULL)
			return VA_BAD_V_DIR;
		if (vp_strlcpy(base, abs, sizeof base) != 0)
			return VA_DIR_TOO_LONG;
	} else if (vp_strlcpy(base, dir, sizeof base) != 0) {
		return VA_DIR_TOO_LONG;
	}
	/* 5.6 changes into the base directory first: one that is missing (or
	 * not a directory) is VA_BAD_V_DIR, before anything is written. */
	if (stat(base, &st) != 0 || !S_ISDIR(st.st_mode))
		return VA_BAD_V_DIR;

	/* The hash part can only make it longer: refuse before writing anything. */
	if (strlen(base) + strlen(DOMAINS_DIR) + strlen(domain) > MAX_PW_DIR ||
	    vp_fmt(domains, sizeof domains, "%s/%s", base, DOMAINS_DIR) != 0)
		return VA_DIR_TOO_LONG;
	if (mkdir(domains, 0750) == 0)
		vp_chown(domains, uid, gid);
	else if (errno != EEXIST || stat(domains, &st) != 0 || !S_ISDIR(st.st_mode))
		return VA_CAN_NOT_MAKE_DOMAINS_DIR;

	/* Place it: directly in domains/ for the first 99, then hashed. */
	rc = vp_domains_ctlpath(uid, ctl, sizeof ctl);
	if (rc != VA_SUCCESS)
		ctl[0] = '\0';
	hash[0] = '\0';
	if (ctl[0] != '\0') {
		rc = vp_bigdir_next(ctl, domains, uid, gid, hash, sizeof hash);
		if (rc != VA_SUCCESS)
			return VA_COULD_NOT_MAKE_DOMAIN_DIR;
	}
	if (strlen(base) + strlen(DOMAINS_DIR) + (hash[0] ? strlen(hash) + 1 : 0) +
	    strlen(domain) > MAX_PW_DIR ||
	    vp_fmt(domdir, sizeof domdir, "%s/%s%s%s/%s", base, DOMAINS_DIR,
	           hash[0] ? "/" : "", hash, domain) != 0) {
		rc = VA_DIR_TOO_LONG;
		goto undo_count;
	}
	for (tries = 0; tries < 3; tries++) {
		if ((lk = vp_lock_dir(domains)) >= 0) {
			if (mkdir(domdir, 0750) == 0) {
				if ((dirlk = vp_lock_dir(domdir)) < 0)
					(void)rmdir(domdir);
			} else if (errno == EEXIST)
				dirlk = claim_domdir(domdir, domain);
			vp_unlock_dir(lk);
		}
		if (dirlk != CLAIM_BUSY)
			break;
		/* Another vadddomain or a vdeldomain of the name holds the
		 * directory: wait until it is done, then look again (5.6 had
		 * no lock; failing here said "Could not make domain dir" for
		 * a name that was free a moment later). */
		dirlk = -1;
		vp_unlock_dir(vp_lock_dir(domdir));
		if (vp_domain_lookup(domain, &existing) == VA_SUCCESS) {
			rc = VA_DOMAIN_ALREADY_EXISTS;
			goto undo_count;
		}
	}
	if (dirlk < 0) {
		rc = VA_COULD_NOT_MAKE_DOMAIN_DIR;
		goto undo_count;
	}
	/* trees of killed vdeldomains (this name's or another's) */
	if (vp_dirname(domdir, parent, sizeof parent) == 0)
		vp_sweep_aside(parent);
	rc = vp_write_qmail_default(domdir, "delete", uid, gid);
	if (rc != VA_SUCCESS)
		goto undo_dir;

	memset(&existing, 0, sizeof existing);
	if (vp_fmt(existing.name, sizeof existing.name, "%s", domain) != 0 ||
	    vp_fmt(existing.real, sizeof existing.real, "%s", domain) != 0 ||
	    vp_strlcpy(existing.dir, domdir, sizeof existing.dir) != 0) {
		rc = VA_DIR_TOO_LONG;
		goto undo_dir;
	}
	existing.uid = uid;
	existing.gid = gid;

	/* Owned by the domain's user before anything routes to it: a tree
	 * left to root would take the domain's mail and logins nowhere. */
	if (vp_chown_tree(domdir, uid, gid) != 0) {
		rc = VA_COULD_NOT_MAKE_DOMAIN_DIR;
		goto undo_dir;
	}

	registering = 1;
	rc = add_domain_assign(domain, domain, domdir, uid, gid);
	if (rc != VA_SUCCESS) {
		if (rc != VA_DOMAIN_ALREADY_EXISTS)
			fprintf(stderr, "Error. Failed to add domain to assign file\n");
		goto undo_dir;
	}

	/* As 5.6: "before" once the directory and assign line are in place,
	 * so a refused or failed add announces nothing.  Under
	 * ONCHANGE_SCRIPT it is masked (the flag is off). */
#ifndef ONCHANGE_SCRIPT
	vp_onchange("add_domain", domain, "-", ON_VCHANGE_BEFORE);
#endif
	if ((rc = vauth_backend_get()->adddomain(&existing)) != 0) {
		char *names[1] = { domain };

		/* As 5.6: take the domain out again, so that the admin can
		 * fix the database and simply run the command once more.  A
		 * name the backend cannot keep apart from another domain or
		 * its own tables (MySQL, a table per domain) says so. */
		if (rc != VA_DOMAIN_ALREADY_EXISTS && rc != VA_INVALID_DOMAIN_NAME) {
			fprintf(stderr, "Error. Failed while attempting to add domain to auth backend\n");
			rc = VA_NO_AUTH_CONNECTION;
		}
		(void)vp_unregister_domain(names, 1, &existing, NULL, 0);
		hup_qmail();
		goto undo_dir;
	}
	vp_unlock_dir(dirlk);
	if (!OptimizeAddDomain)
		hup_qmail();

	/*
	 * Notify with the flag on, then leave it off whatever the build:
	 * the postmaster that the caller adds next is part of this event.
	 */
	vp_onchange_set_allowed(1);
	vp_onchange("add_domain", domain, "-", 0);
	vp_onchange("add_domain", domain, "-", ON_VCHANGE_AFTER);
	vp_onchange_set_allowed(0);
	return VA_SUCCESS;

undo_dir:
	/* Aside first: a vadduser that looked the name up before an earlier
	 * vdeldomain of it may still be writing by path into what is now
	 * this directory; removed in place, its late file kept the directory
	 * (ENOTEMPTY), left without .qmail-default or mark, and every later
	 * vadddomain of the name failed. */
	vp_rmtree_aside(domdir, NULL);
	vp_unlock_dir(dirlk);
	/* On a full file system the line may still be in users/assign (its
	 * rewrite needs room): the domain would stay routed to the removed
	 * directory and be refused as existing.  The removed tree gave some
	 * room back (a journalling file system reuses it once the removal
	 * is committed, hence the fsync): try once more. */
	if (registering && rc != VA_DOMAIN_ALREADY_EXISTS && vp_assign_has(domain) == 1) {
		char *names[1] = { domain };

		vp_fsync_parent(domdir);
		/* users/assign first this time: it is what routes the domain and
		 * makes the next vadddomain refuse it; the control files need a
		 * lock file each, which a file system out of inodes may not give. */
		if (del_domain_assign(names, 1, existing.real, existing.dir,
		                      existing.uid, existing.gid) == VA_SUCCESS &&
		    del_control(names, 1) != VA_SUCCESS)
			fprintf(stderr, "Warning: Failed to delete domain from qmail's control files\n");
	}
undo_count:
	if (ctl[0] != '\0')
		vp_bigdir_dec(ctl, uid, gid);
	return rc;
}

#ifdef SQL_ALIASDOMAINS
/* The aliasdomains row of an alias made what users/assign says now; under
 * the assign lock, so that the last change of the alias's line is also
 * the last one mirrored (a vaddaliasdomain and a vdeldomain of the name
 * at once left the row of the one that lost the race). */
static int sync_aliasdomain_locked(void *arg)
{
	char *alias = arg;
	struct vdomain now;

	if (vp_domain_lookup(alias, &now) == VA_SUCCESS && strcmp(now.name, now.real) != 0)
		return vcreate_sql_aliasdomain(now.real, alias);
	return vdelete_sql_aliasdomain(alias);
}

static int sync_sql_aliasdomain(char *alias)
{
	return vp_with_assign_lock(sync_aliasdomain_locked, alias);
}
#endif

int vaddaliasdomain(char *alias, char *real)
{
	struct vdomain target, other;
	int rc;

	if (alias == NULL || real == NULL)
		return VA_NULL_POINTER;
	vp_lower(alias);
	vp_lower(real);
	rc = vp_check_alias_domain(alias);
	if (rc != VA_SUCCESS)
		return rc;
	if (strcmp(alias, real) == 0) {
		fprintf(stderr, "Error. alias and real domain are the same\n");
		return VA_DOMAIN_ALREADY_EXISTS;
	}
	rc = vp_domain_lookup(real, &target);
	if (rc != VA_SUCCESS)
		return rc;
	if (vp_domain_lookup(alias, &other) == VA_SUCCESS)
		return VA_DOMAIN_ALREADY_EXISTS;

	vp_onchange("add_alias_domain", alias, target.real, ON_VCHANGE_BEFORE);
	rc = add_domain_assign(alias, target.real, target.dir, target.uid, target.gid);
	if (rc != VA_SUCCESS)
		return rc;
#ifdef SQL_ALIASDOMAINS
	if (sync_sql_aliasdomain(alias) != VA_SUCCESS)
		fprintf(stderr, "Warning: Failed to add the alias domain to the aliasdomains table\n");
#endif
	hup_qmail();
	vp_onchange("add_alias_domain", alias, target.real, 0);
	vp_onchange("add_alias_domain", alias, target.real, ON_VCHANGE_AFTER);
	return VA_SUCCESS;
}

static int del_alias(struct vdomain *d)
{
	char text[2 * MAX_PW_DOMAIN + 16];
	char *names[1];

	snprintf(text, sizeof text, "%s alias of %s", d->name, d->real);
	vp_onchange("del_domain", text, "-", 0);
	vp_onchange("del_domain", text, "-", ON_VCHANGE_BEFORE);
	names[0] = d->name;
	/* An alias still in users/assign is still routed: say so (5.6
	 * exited 0), as for a real domain. */
	if (vp_unregister_domain(names, 1, d, NULL, UNASSIGN_STOP) != VA_SUCCESS)
		return VA_COULD_NOT_UPDATE_FILE;
#ifdef SQL_ALIASDOMAINS
	if (sync_sql_aliasdomain(d->name) != VA_SUCCESS)
		fprintf(stderr, "Warning: Failed to delete the alias domain from the aliasdomains table\n");
#endif
	hup_qmail();
	vp_onchange("del_domain", text, "-", ON_VCHANGE_AFTER);
	return VA_SUCCESS;
}

/* The real domain's name plus every alias that points at it. */
static int collect_names(const struct vdomain *d, string_list *names)
{
	domain_entry *e;

	if (string_list_init(names, 4) != 0)
		return VA_MEMORY_ALLOC_ERR;
	if (string_list_add(names, d->real) != 0)
		return VA_MEMORY_ALLOC_ERR;
	for (e = get_domain_entries(d->real); e != NULL; e = get_domain_entries(NULL)) {
		if (strcmp(e->domain, d->real) == 0)
			continue;
		if (string_list_add(names, e->domain) != 0)
			return VA_MEMORY_ALLOC_ERR;
	}
	return VA_SUCCESS;
}

/*
 * A vdeldomain killed after it took the domain out of users/assign and
 * users/cdb, before its directory went, left the directory (with the
 * users' mail) under domains/: nothing routes the name, yet every
 * vadddomain of it failed ("Could not make domain dir").  vdeldomain of
 * the name finishes the job: <home>/domains/<name>, a real directory
 * that no vadddomain holds (see claim_domdir), is removed when no line
 * of users/assign names the domain and it holds the DELETING_MARK that
 * vdeldomain() leaves there before it touches users/assign.  Without
 * the mark the directory is not ours to remove (a domain's data kept
 * or restored by hand): VA_DOMAIN_DOES_NOT_EXIST, as when there is none.
 */
static int del_leftover(const char *domain)
{
	char dir[VP_PATH_MAX], ctl[VP_PATH_MAX], mark[VP_PATH_MAX];
	struct vdomain d;
	struct stat st, ms;
	int fd, lk, rc;

	if (vp_assign_has(domain) != 0 ||
	    vp_fmt(dir, sizeof dir, "%s/%s/%s", vp_home(), DOMAINS_DIR, domain) != 0 ||
	    vp_fmt(mark, sizeof mark, "%s/%s", dir, DELETING_MARK) != 0 ||
	    lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    lstat(mark, &ms) != 0 || !S_ISREG(ms.st_mode))
		return VA_DOMAIN_DOES_NOT_EXIST;
	/* under the domains directory's lock, as vadddomain's mkdir and lock */
	if (vp_fmt(ctl, sizeof ctl, "%s/%s", vp_home(), DOMAINS_DIR) != 0 ||
	    (lk = vp_lock_dir(ctl)) < 0)
		return VA_DOMAIN_DOES_NOT_EXIST;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		fd = -1;
	}
	vp_unlock_dir(lk);
	if (fd < 0)
		return VA_DOMAIN_DOES_NOT_EXIST;
	fprintf(stderr, "Warning: removing %s, left by an interrupted vdeldomain\n", dir);
	/* what the killed run may not have done yet, as vdeldomain() below */
	memset(&d, 0, sizeof d);
	if (vp_strlcpy(d.name, domain, sizeof d.name) == 0 &&
	    vp_strlcpy(d.real, domain, sizeof d.real) == 0 &&
	    vp_strlcpy(d.dir, dir, sizeof d.dir) == 0) {
		d.uid = st.st_uid;
		d.gid = st.st_gid;
		if (vauth_backend_get()->deldomain(&d) != 0)
			fprintf(stderr, "Warning: Failed while attempting to delete domain from auth backend\n");
		vdel_limits(domain);
	}
	rc = vp_rmtree_aside(dir, NULL);
	close(fd);
	if (rc != 0) {
		(void)mark_deleting(&d, mark, sizeof mark);	/* for the next try */
		fprintf(stderr, "Warning: Failed to delete directory tree: %s\n", domain);
		return VA_COULD_NOT_UPDATE_FILE;
	}
	if (vp_domains_ctlpath(st.st_uid, ctl, sizeof ctl) == VA_SUCCESS)
		vp_bigdir_dec(ctl, st.st_uid, st.st_gid);
	return VA_SUCCESS;
}

/* Leave DELETING_MARK in a real domain directory; 1 if it is there. */
static int mark_deleting(const struct vdomain *d, char *mark, size_t size)
{
	struct stat st;
	int fd;

	if (lstat(d->dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
	    vp_fmt(mark, size, "%s/%s", d->dir, DELETING_MARK) != 0)
		return 0;
	fd = open(mark, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/*
 * 1 if the directory users/assign gives d is one vadddomain makes, named
 * after the domain.  Any other (a damaged or hand-made entry: "/etc",
 * another domain's directory) is not the domain's to remove.
 */
static int own_domain_dir(const struct vdomain *d)
{
	const char *base = strrchr(d->dir, '/');

	return base != NULL && strcmp(base + 1, d->real) == 0 && vp_tree_path_ok(d->dir);
}

int vdeldomain(char *domain)
{
	struct vdomain d;
	struct stat st;
	string_list names;
	char ctl[VP_PATH_MAX], text[2 * MAX_PW_DOMAIN + 16];
	char mark[VP_PATH_MAX];
	int rc, marked, own, dirlk, left = 0, removed = 0;

	if (domain == NULL)
		return VA_NULL_POINTER;
	vp_lower(domain);
	if (strlen(domain) > MAX_PW_DOMAIN)
		return VA_DOMAIN_NAME_TOO_LONG;
	rc = vp_domain_lookup(domain, &d);
	if (rc == VA_DOMAIN_DOES_NOT_EXIST)
		return del_leftover(domain);
	/* An entry whose directory is damaged is taken out of qmail's
	 * files all the same; own_domain_dir() then keeps every tree. */
	if (rc == VA_BAD_V_DIR)
		rc = vp_domain_lookup_any_dir(domain, &d);
	if (rc != VA_SUCCESS)
		return rc;
	if (strcmp(d.name, d.real) != 0)
		return del_alias(&d);

	/* The domain is deleted all the same; the admin learns why its
	 * directory could not be (5.6's wording). */
	if (stat(d.dir, &st) != 0)
		fprintf(stderr, "Warning: Could not access (%s)\n", d.dir);

	vp_onchange("del_domain", d.real, "-", 0);
	vp_onchange("del_domain", d.real, "-", ON_VCHANGE_BEFORE);

	rc = collect_names(&d, &names);
	if (rc != VA_SUCCESS) {
		string_list_free(&names);
		return rc;
	}
	/* If this process is killed once the name is out of qmail's files,
	 * the mark tells the next vdeldomain that the directory left is
	 * ours to finish removing (del_leftover). */
	own = own_domain_dir(&d);
	/* The directory stays locked until its tree is gone: a vdeldomain or
	 * vadddomain of the name meanwhile must not take the mark for one an
	 * interrupted run left (del_leftover(), claim_domdir()). */
	dirlk = own ? vp_lock_dir(d.dir) : -1;
	marked = own && mark_deleting(&d, mark, sizeof mark);
	/* Take the domain out of qmail first, so no mail is routed to a
	 * directory that is being removed.  If users/assign cannot be
	 * written, stop there (5.6 went on and deleted the domain that
	 * qmail still routed to): its users and files are kept, and the
	 * same command can be run again once the file can be written. */
	rc = vp_unregister_domain(names.values, names.count, &d, &removed, UNASSIGN_STOP);
	string_list_free(&names);
	if (rc == VA_SUCCESS && removed == 0)
		/* Another vdeldomain took the lines out since the lookup: the
		 * domain (and its directory) is that one's to delete.  Going on
		 * would report a second success, and remove a directory that a
		 * vadddomain of the name may be making again. */
		rc = VA_DOMAIN_DOES_NOT_EXIST;
	if (rc != VA_SUCCESS) {
		if (marked)
			unlink(mark);
		vp_unlock_dir(dirlk);
		return rc;
	}
	/* An alias that vaddaliasdomain added after the names were read
	 * (it could, while the real domain's line was there) goes too:
	 * none can be added now. */
	if (collect_names(&d, &names) == VA_SUCCESS && names.count > 1)
		rc = vp_unregister_domain(names.values + 1, names.count - 1, &d, NULL, UNASSIGN_STOP);
	string_list_free(&names);
	if (rc != VA_SUCCESS) {
		vp_unlock_dir(dirlk);
		return rc;
	}

	if (vauth_backend_get()->deldomain(&d) != 0)
		fprintf(stderr, "Warning: Failed while attempting to delete domain from auth backend\n");
	vdel_limits(d.real);
#ifdef USERS_BIG_DIR
	if (own) {      /* only big-dir builds keep a .dir-control in the domain directory */
		char path[VP_PATH_MAX];

		if (vp_dirctl_path(d.dir, path, sizeof path) == 0 && unlink(path) != 0)
			fprintf(stderr, "Warning: Failed to delete dir_control for %s\n", d.real);
	}
#endif

	if (!own || lstat(d.dir, &st) != 0) {
		/* not there, not reachable or not the domain's own: nothing deleted */
		fprintf(stderr, "Warning: Failed to delete directory tree: %s\n", d.real);
	} else if (S_ISLNK(st.st_mode)) {
		if (unlink(d.dir) != 0)
			fprintf(stderr, "Warning: Failed to remove symlink for %s\n", d.real);
	} else if (vp_rmtree_aside(d.dir, NULL) != 0) {
		/* What could not be removed is back under its name, perhaps
		 * without the mark (removed with the rest): marked again, the
		 * next vdeldomain of the name finishes it (del_leftover);
		 * without it, no command could, and every vadddomain of the
		 * name would fail. */
		if (marked && mark_deleting(&d, mark, sizeof mark))
			left = 1;	/* del_leftover() gives the place back */
		fprintf(stderr, "Warning: Failed to delete directory tree: %s\n", d.real);
	}
	vp_unlock_dir(dirlk);
	if (!left && vp_domains_ctlpath(d.uid, ctl, sizeof ctl) == VA_SUCCESS)
		vp_bigdir_dec(ctl, d.uid, d.gid);

	hup_qmail();
	snprintf(text, sizeof text, "%s alias of %s", d.real, d.real);
	vp_onchange("del_domain", text, "-", ON_VCHANGE_AFTER);
	return VA_SUCCESS;
}
