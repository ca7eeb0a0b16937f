/*
 * assign.c - a domain's entries in qmail's files, and looking domains up.
 *
 * A domain (real or alias) lives in four places: a "+name-:" line in
 * users/assign (compiled into users/cdb), a line in rcpthosts or, past 50
 * lines there, morercpthosts (compiled into morercpthosts.cdb), a
 * "name:name" line in virtualdomains, and never a line in locals.
 *
 * Each source file's lock is held across its rewrite *and* the rebuild of
 * the cdb made from it: qmail-newu and qmail-newmrh write fixed temp
 * names, so two rebuilds must never overlap.  The only nested locks are
 * rcpthosts then morercpthosts, always in that order.
 *
 * Lookups (domlookup.c) never read users/assign: they use users/cdb like
 * qmail does.
 */
#include "vpinternal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define QFILE_MODE       0644
#define RCPTHOSTS_MAX    50     /* domains past this go to morercpthosts */

/* "<qmaildir>/<rel>" into buf, or VA_DIR_TOO_LONG. */
static int qpath(char *buf, size_t size, const char *rel)
{
	return vp_qmail_path(buf, size, rel) != NULL ? VA_SUCCESS : VA_DIR_TOO_LONG;
}

/* ------------------------------------------------------------------ */
/* Running qmail-newu / qmail-newmrh                                   */

/*
 * Run `prog` (argv0 `name`) in the qmail directory with umask 022 and
 * wait for it.  Returns 0 when it exited 0.
 */
static int run_tool(const char *prog, const char *name)
{
	const char *dir = vp_qmaildir();
	pid_t pid, parent = getpid();
	int status;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return VA_COULD_NOT_UPDATE_FILE;
	if (pid == 0) {
		if (vp_child_bound(parent) != 0)
			_exit(111);
		vp_child_signals();
		umask(022);
		if (chdir(dir) != 0)
			_exit(111);
		execl(prog, name, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return VA_COULD_NOT_UPDATE_FILE;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0
	       ? VA_SUCCESS : VA_COULD_NOT_UPDATE_FILE;
}

/* An executable regular file? */
static int is_program(const char *path)
{
	struct stat st;

	return path != NULL && *path != '\0' && stat(path, &st) == 0 &&
	       S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* Rebuild users/cdb; the caller holds the assign lock. */
static int newu_locked(void)
{
	const char *prog = vp_qmail_newu();

	if (is_program(prog))
		return run_tool(prog, "qmail-newu");
	return vp_build_users_cdb();
}

/* Rebuild morercpthosts.cdb; the caller holds the morercpthosts lock. */
static int newmrh_locked(void)
{
	const char *prog = vp_qmail_newmrh();

	if (is_program(prog))
		return run_tool(prog, "qmail-newmrh");
	return vp_build_morercpthosts_cdb();
}

/* <qmaildir>/<rel> into file, locked: the lock handle (>= 0) or a VA_* code. */
static int lock_qfile(const char *rel, char *file, size_t size)
{
	int rc;

	if ((rc = qpath(file, size, rel)) != VA_SUCCESS)
		return rc;
	return vp_qfile_lock(file);
}

/* Run build() holding the lock of the qmail file <qmaildir>/<rel>. */
static int with_qfile_lock(const char *rel, int (*build)(void))
{
	char file[VP_PATH_MAX];
	int lk, rc;

	if ((lk = lock_qfile(rel, file, sizeof file)) < 0)
		return lk;
	rc = build();
	vp_qfile_unlock(lk);
	return rc;
}

int vp_with_assign_lock(int (*fn)(void *arg), void *arg)
{
	char file[VP_PATH_MAX];
	int lk, rc;

	if ((lk = lock_qfile("users/assign", file, sizeof file)) < 0)
		return lk;
	rc = fn(arg);
	vp_qfile_unlock(lk);
	return rc;
}

int update_newu(void)
{
	return with_qfile_lock("users/assign", newu_locked);
}

int compile_morercpthosts(void)
{
	return with_qfile_lock("control/morercpthosts", newmrh_locked);
}

int count_rcpthosts(void)
{
	char file[VP_PATH_MAX];

	if (qpath(file, sizeof file, "control/rcpthosts") != VA_SUCCESS)
		return 0;
	return vp_qfile_count_lines(file);
}

/* ------------------------------------------------------------------ */
/* Adding a domain                                                      */

/* The real domain's own line: name and real domain both `want`. */
static int real_line(const char *name, const char *real, void *want)
{
	return strcmp(name, want) == 0 && strcmp(real, want) == 0;
}

/* A name or path going into a qmail file must not break its lines. */
static int field_ok(const char *s)
{
	return s != NULL && *s != '\0' && strchr(s, ':') == NULL && !vp_has_ctl(s);
}

/* Insert into `rel` with its own lock; print vpopmail's message on failure. */
static int insert_one(const char *rel, const char *line, int type, const char *what, int *added)
{
	char file[VP_PATH_MAX];
	int lk, rc;

	if ((lk = lock_qfile(rel, file, sizeof file)) < 0)
		return lk;
	rc = vp_qfile_add(file, line, type, added);
	vp_qfile_unlock(lk);
	if (rc != VA_SUCCESS)
		fprintf(stderr, "Failed while attempting to update_file() the %s file\n", what);
	return rc;
}

static void more_shrunk_locked(const char *more, const char *morecdb);

/* rcpthosts, or morercpthosts once rcpthosts holds 50 lines.  *added:
 * 0 if the name was there already, else which file took it (RCPT_*). */
enum { RCPT_NONE, RCPT_RCPTHOSTS, RCPT_MORE };

static int add_rcpthost(const char *name, int *added)
{
	char rcpt[VP_PATH_MAX], more[VP_PATH_MAX];
	int lk, lk2, rc, put = 0;

	*added = RCPT_NONE;
	if ((rc = qpath(rcpt, sizeof rcpt, "control/rcpthosts")) != VA_SUCCESS ||
	    (rc = qpath(more, sizeof more, "control/morercpthosts")) != VA_SUCCESS)
		return rc;
	/* Hold the rcpthosts lock so that the count stays true. */
	if ((lk = vp_qfile_lock(rcpt)) < 0)
		return lk;
	if (vp_qfile_count_lines(rcpt) < RCPTHOSTS_MAX) {
		rc = vp_qfile_add(rcpt, name, VP_FILE_RCPTHOSTS, &put);
		if (rc != VA_SUCCESS)
			fprintf(stderr, "Failed while attempting to update_file() the rcpthosts file\n");
		else if (put)
			*added = RCPT_RCPTHOSTS;
	} else if ((lk2 = vp_qfile_lock(more)) < 0) {
		rc = lk2;
	} else {
		rc = vp_qfile_add(more, name, VP_FILE_RCPTHOSTS, &put);
		if (rc != VA_SUCCESS) {
			fprintf(stderr, "Failed while attempting to update_file() the morercpthosts file\n");
		} else if (!OptimizeAddDomain && newmrh_locked() != VA_SUCCESS) {
			/* qmail-smtpd reads morercpthosts.cdb: one that does not
			 * list the name refuses the domain's mail for good (5.6
			 * ignored this).  The old cdb matches the old file. */
			char *lines[1] = { (char *)name };
			char morecdb[VP_PATH_MAX];

			fprintf(stderr, "Failed while attempting to rebuild morercpthosts.cdb\n");
			if (put && vp_qfile_remove(more, lines, 1) < 0)
				fprintf(stderr, "Warning: Failed to delete domain from the morercpthosts file\n");
			else if (put && qpath(morecdb, sizeof morecdb, "control/morercpthosts.cdb") == VA_SUCCESS)
				more_shrunk_locked(more, morecdb);
			rc = VA_COULD_NOT_UPDATE_FILE;
		} else if (put) {
			*added = RCPT_MORE;
		}
		vp_qfile_unlock(lk2);
	}
	vp_qfile_unlock(lk);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The lines a domain has in users/assign and virtualdomains          */

/* Free the first n strings of a line array, then the array. */
static void free_lines(char **v, int n)
{
	int i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* "<n>:<n>" for each name. */
static char **virtualdomain_lines(char **names, int count)
{
	char **v = calloc((size_t)count + 1, sizeof *v);
	int i;

	if (v == NULL)
		return NULL;
	for (i = 0; i < count; i++) {
		size_t n = 2 * strlen(names[i]) + 2;

		if ((v[i] = malloc(n)) == NULL) {
			free_lines(v, i);
			return NULL;
		}
		snprintf(v[i], n, "%s:%s", names[i], names[i]);
	}
	return v;
}

/* The users/assign lines of names[] (routed to real at dir): a new array,
 * or NULL. */
static char **assign_lines(char **names, int count, const char *real, const char *dir,
                           uid_t uid, gid_t gid)
{
	char **lines;
	int i;

	if ((lines = calloc((size_t)count + 1, sizeof *lines)) == NULL)
		return NULL;
	for (i = 0; i < count; i++) {
		size_t n = strlen(names[i]) + strlen(real) + strlen(dir) + 64;

		if ((lines[i] = malloc(n)) == NULL) {
			free_lines(lines, i);
			return NULL;
		}
		snprintf(lines[i], n, "+%s-:%s:%lu:%lu:%s:-::", names[i], real,
		         (unsigned long)uid, (unsigned long)gid, dir);
	}
	return lines;
}

struct added {
	char *alias, *real, *dir;
	uid_t uid;
	gid_t gid;
	int rcpt;          /* RCPT_* */
	int vd;            /* the virtualdomains line */
};
static void undo_add(const char *assign, const struct added *a, const char *vline);

/* Does users/assign hold exactly `line`? */
static int assign_has_line(const char *assign, const char *line)
{
	char *data = NULL, *p, *nl;
	size_t len = 0, n = strlen(line);
	int found = 0;

	if (vp_slurp(assign, &data, &len) != 0 || data == NULL)
		return 0;
	for (p = data; !found && (nl = memchr(p, '\n', (size_t)(data + len - p))) != NULL; p = nl + 1)
		found = (size_t)(nl - p) == n && memcmp(p, line, n) == 0;
	free(data);
	return found;
}

int add_domain_assign(char *alias, char *real, char *dir, uid_t uid, gid_t gid)
{
	char assign[VP_PATH_MAX], locals[VP_PATH_MAX];
	char **lines = NULL, **vlines = NULL;
	char *line, *vline, *before = NULL;
	size_t blen = 0;
	char *names[1] = { alias };
	int lk, lk2, rc, rcpt_added = RCPT_NONE, vd_added = 0, wrote = 0;

	if (alias == NULL || real == NULL || dir == NULL)
		return VA_NULL_POINTER;
	if (!field_ok(alias) || !field_ok(real) || !field_ok(dir))
		return VA_BAD_CHAR;
	if ((rc = qpath(assign, sizeof assign, "users/assign")) != VA_SUCCESS ||
	    (rc = qpath(locals, sizeof locals, "control/locals")) != VA_SUCCESS)
		return rc;

	lines = assign_lines(names, 1, real, dir, uid, gid);
	vlines = virtualdomain_lines(names, 1);
	if (lines == NULL || vlines == NULL) {
		rc = VA_MEMORY_ALLOC_ERR;
		goto out;
	}
	line = lines[0];
	vline = vlines[0];
	/* vpopmail built this line in 300 bytes and wrote it truncated; we refuse. */
	if (strlen(line) >= MAX_BUFF) {
		rc = VA_DIR_TOO_LONG;
		goto out;
	}

	/* 1. users/assign and users/cdb, under one lock. */
	if ((lk = vp_qfile_lock(assign)) < 0) {
		rc = lk;
		goto out;
	}
	/* An alias goes in only while its real domain is still there: a
	 * vdeldomain that ran since the caller looked it up has taken the
	 * real domain out, and a line added now would route the alias to a
	 * removed directory. */
	/* The file as it is, to be put back byte for byte if users/cdb
	 * cannot be made of the new one (the insert may have sorted it). */
	if (vp_slurp(assign, &before, &blen) != 0) {
		free(before);
		before = NULL;
	}
	if (strcmp(alias, real) != 0 && vp_assign_each(real_line, real) != 1)
		rc = VA_DOMAIN_DOES_NOT_EXIST;
	else
		wrote = (rc = vp_qfile_insert(assign, line, VP_FILE_ASSIGN)) == VA_SUCCESS;
	/* This very line, but users/cdb does not route the name: an add was
	 * killed before it rebuilt users/cdb (under this lock a live one
	 * always does).  The line is taken as ours and users/cdb rebuilt;
	 * refused, the name could neither be added nor removed. */
	if (rc == VA_DOMAIN_ALREADY_EXISTS && assign_has_line(assign, line)) {
		vp_domain_cache_clear();
		if (vp_domain_lookup(alias, NULL) != VA_SUCCESS)
			rc = VA_SUCCESS;
	}
	if (rc == VA_SUCCESS && newu_locked() != VA_SUCCESS) {
		/* vpopmail ignored this: qmail and every lookup went on with
		 * the old users/cdb, which does not know the domain (mail to
		 * it bounced; the postmaster could not be added, nor the
		 * domain removed).  The old users/cdb matches the old
		 * users/assign: put that back, and fail. */
		fprintf(stderr, "Failed while attempting to rebuild users/" QMAIL_CDB_NAME "\n");
		if (!(wrote && before != NULL && vp_qfile_replace(assign, before, blen) == VA_SUCCESS) &&
		    vp_assign_remove(assign, lines, 1) < 0)
			fprintf(stderr, "Warning: Failed to delete domain from the assign file\n");
		rc = VA_COULD_NOT_UPDATE_FILE;
	}
	free(before);
	vp_domain_cache_clear();
	if (rc != VA_SUCCESS) {
		vp_qfile_unlock(lk);
		if (rc != VA_DOMAIN_ALREADY_EXISTS && rc != VA_DOMAIN_DOES_NOT_EXIST)
			fprintf(stderr, "Failed while attempting to update_file() the assign file\n");
		goto out;
	}
	/* The users/assign lock stays held to the end: a vdeldomain of the
	 * name (vp_unregister_domain) waits for the control files below, or
	 * ran before and left nothing to add to.  One that ran in between
	 * took the name out of every file before this call wrote rcpthosts
	 * and virtualdomains, which kept it there for good. */

	/* 2. rcpthosts or morercpthosts. */
	if ((rc = add_rcpthost(alias, &rcpt_added)) != VA_SUCCESS)
		goto undo;

	/* 3. virtualdomains. */
	rc = insert_one("control/virtualdomains", vline, VP_FILE_VIRTUALDOMAINS,
	                "virtualdomains", &vd_added);
	if (rc != VA_SUCCESS)
		goto undo;

	/* 4. never in locals too. */
	if ((lk2 = vp_qfile_lock(locals)) < 0) {
		rc = lk2;
		goto undo;
	}
	rc = vp_qfile_remove(locals, names, 1);
	vp_qfile_unlock(lk2);
	if (rc < 0) {
		fprintf(stderr, "Failure while attempting to remove_lines() the locals file\n");
		goto undo;
	}
	rc = VA_SUCCESS;
	vp_qfile_unlock(lk);
	goto out;
undo:
	/* Take back what this call wrote, so that the domain is not left
	 * half registered (routed by users/assign, refused as existing by
	 * the next vadddomain) and the same command can simply be run again.
	 * (5.6 left it so.) */
	{
		struct added a = { alias, real, dir, uid, gid, rcpt_added, vd_added };

		undo_add(assign, &a, vline);
	}
	vp_qfile_unlock(lk);
out:
	free_lines(lines, 1);
	free_lines(vlines, 1);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Removing a domain                                                    */

/* Lines went out of morercpthosts (locked): an empty file goes with its
 * cdb, otherwise the cdb is rebuilt. */
static void more_shrunk_locked(const char *more, const char *morecdb)
{
	struct stat st;

	if (stat(more, &st) != 0)
		return;
	if (st.st_size == 0) {
		unlink(more);
		unlink(morecdb);
	} else {
		newmrh_locked();
		chmod(more, QFILE_MODE);
	}
}

/*
 * Take names out of rcpthosts; only if none was there, out of
 * morercpthosts (vpopmail's behaviour: a list split over both files
 * loses only its rcpthosts part).  An emptied morercpthosts is deleted
 * with its cdb, otherwise the cdb is rebuilt.
 */
static int del_rcpthosts(char **names, int count)
{
	char rcpt[VP_PATH_MAX], more[VP_PATH_MAX], morecdb[VP_PATH_MAX];
	int lk, lk2, n, rc = VA_SUCCESS;

	if (qpath(rcpt, sizeof rcpt, "control/rcpthosts") != VA_SUCCESS ||
	    qpath(more, sizeof more, "control/morercpthosts") != VA_SUCCESS ||
	    qpath(morecdb, sizeof morecdb, "control/morercpthosts.cdb") != VA_SUCCESS)
		return VA_DIR_TOO_LONG;
	if ((lk = vp_qfile_lock(rcpt)) < 0)
		return lk;
	n = vp_qfile_remove(rcpt, names, count);
	if (n < 0) {
		fprintf(stderr, "Failed while attempting to remove_lines() the rcpthosts file\n");
		rc = n;
	} else if (n == 0) {
		if ((lk2 = vp_qfile_lock(more)) < 0) {
			rc = lk2;
		} else {
			n = vp_qfile_remove(more, names, count);
			if (n < 0) {
				fprintf(stderr, "Failed while attempting to remove_lines() the morercpthosts file\n");
				rc = n;
			} else if (n > 0) {
				more_shrunk_locked(more, morecdb);
			}
			vp_qfile_unlock(lk2);
		}
	}
	vp_qfile_unlock(lk);
	return rc;
}

/* Remove one line from <qmaildir>/<rel> under its lock; the count removed
 * or a VA_* code.  With more_cdb, <rel> is morercpthosts. */
static int remove_one(const char *rel, const char *line, const char *more_cdb)
{
	char file[VP_PATH_MAX];
	char *lines[1] = { (char *)line };
	int lk, n;

	if ((lk = lock_qfile(rel, file, sizeof file)) < 0)
		return lk;
	n = vp_qfile_remove(file, lines, 1);
	if (n > 0 && more_cdb != NULL)
		more_shrunk_locked(file, more_cdb);
	vp_qfile_unlock(lk);
	return n;
}

static int del_assign_locked(const char *assign, char **names, int count, const char *real,
                             const char *dir, uid_t uid, gid_t gid, int *removed);

/* Take back an add_domain_assign() (the users/assign lock is held). */
static void undo_add(const char *assign, const struct added *a, const char *vline)
{
	char morecdb[VP_PATH_MAX];
	char *names[1] = { a->alias };
	int bad = 0;

	if (a->vd && remove_one("control/virtualdomains", vline, NULL) < 0)
		bad = 1;
	if (a->rcpt == RCPT_RCPTHOSTS && remove_one("control/rcpthosts", a->alias, NULL) < 0)
		bad = 1;
	if (a->rcpt == RCPT_MORE &&
	    (qpath(morecdb, sizeof morecdb, "control/morercpthosts.cdb") != VA_SUCCESS ||
	     remove_one("control/morercpthosts", a->alias, morecdb) < 0))
		bad = 1;
	if (bad)
		fprintf(stderr, "Warning: Failed to take the domain back out of qmail's control files\n");
	if (del_assign_locked(assign, names, 1, a->real, a->dir, a->uid, a->gid, NULL) != VA_SUCCESS)
		fprintf(stderr, "Warning: Failed to delete domain from the assign file\n");
}

int del_control(char **names, int count)
{
	char vd[VP_PATH_MAX];
	char **vlines;
	int lk, rc, bad = 0;

	if (names == NULL || count < 0)
		return VA_NULL_POINTER;
	if (del_rcpthosts(names, count) != VA_SUCCESS)
		bad = 1;

	if ((vlines = virtualdomain_lines(names, count)) == NULL)
		return VA_MEMORY_ALLOC_ERR;
	rc = qpath(vd, sizeof vd, "control/virtualdomains");
	if (rc == VA_SUCCESS && (lk = vp_qfile_lock(vd)) >= 0) {
		rc = vp_qfile_remove(vd, vlines, count);
		vp_qfile_unlock(lk);
	} else if (rc == VA_SUCCESS) {
		rc = VA_COULD_NOT_UPDATE_FILE;
	}
	if (rc < 0) {
		fprintf(stderr, "Failed while attempting to remove_lines() the virtualdomains file\n");
		bad = 1;
	}
	free_lines(vlines, count);
	return bad ? VA_COULD_NOT_UPDATE_FILE : VA_SUCCESS;
}

int del_domain_assign(char **names, int count, char *real, char *dir, uid_t uid, gid_t gid)
{
	return vp_del_domain_assign_n(names, count, real, dir, uid, gid, NULL);
}

/* vp_del_domain_assign_n() with the users/assign lock held by the caller. */
static int del_assign_locked(const char *assign, char **names, int count, const char *real,
                             const char *dir, uid_t uid, gid_t gid, int *removed)
{
	char **lines;
	char *before = NULL;
	size_t blen = 0;
	int i, rc;

	if ((lines = assign_lines(names, count, real, dir, uid, gid)) == NULL)
		return VA_MEMORY_ALLOC_ERR;
	if (vp_slurp(assign, &before, &blen) != 0)
		before = NULL;
	/* Under the lock: still routed by users/cdb although the lines are
	 * gone means a vdeldomain killed before it rebuilt users/cdb (this
	 * call finishes its job); neither means another process removed
	 * the domain first. */
	if (removed != NULL && count > 0) {
		vp_domain_cache_clear();
		*removed = vp_domain_lookup(names[0], NULL) == VA_SUCCESS;
	}
	rc = vp_assign_remove(assign, lines, count);
	if (removed != NULL && rc > 0)
		*removed = rc;
	/* users/cdb that cannot be rebuilt and still routes one of the names
	 * (5.6 went on): the old users/assign is put back, and the call
	 * fails.  (One that no longer knows them, from an earlier failed
	 * rebuild, already agrees with the new users/assign.) */
	if (rc >= 0 && newu_locked() != VA_SUCCESS) {
		int routed = 0;

		fprintf(stderr, "Failed while attempting to rebuild users/" QMAIL_CDB_NAME "\n");
		vp_domain_cache_clear();
		for (i = 0; i < count && !routed; i++)
			routed = vp_domain_lookup(names[i], NULL) == VA_SUCCESS;
		if (routed) {
			if (rc > 0 && (before == NULL || vp_qfile_replace(assign, before, blen) != VA_SUCCESS))
				fprintf(stderr, "Warning: Failed to put the old assign file back\n");
			rc = VA_COULD_NOT_UPDATE_FILE;
		}
	}
	free(before);
	free_lines(lines, count);
	vp_domain_cache_clear();
	if (rc < 0) {
		fprintf(stderr, "Failed while attempting to remove_lines() the assign file\n");
		return rc;
	}
	return VA_SUCCESS;
}

/* del_domain_assign(); *removed (if not NULL) is set to the number of
 * lines that were in users/assign and went, or 1 if none was but
 * users/cdb still routed names[0] (0: another process removed the
 * domain first). */
int vp_del_domain_assign_n(char **names, int count, char *real, char *dir, uid_t uid, gid_t gid,
                           int *removed)
{
	char assign[VP_PATH_MAX];
	int lk, rc;

	if (names == NULL || count < 0 || real == NULL || dir == NULL)
		return VA_NULL_POINTER;
	if ((rc = qpath(assign, sizeof assign, "users/assign")) != VA_SUCCESS)
		return rc;
	if ((lk = vp_qfile_lock(assign)) < 0)
		return lk;
	rc = del_assign_locked(assign, names, count, real, dir, uid, gid, removed);
	vp_qfile_unlock(lk);
	return rc;
}

/*
 * Take names[] out of qmail's files, control files first, then
 * users/assign, all under the users/assign lock, which add_domain_assign()
 * holds from its users/assign line to its last control file: an add and a
 * removal of a name thus never interleave (a removal that fell between
 * the two left the name in rcpthosts and virtualdomains with no
 * users/assign line, where no vdeldomain could find it).  A control file
 * that cannot be rewritten is a warning; with stop set it also ends the
 * call there, users/assign kept (VA_COULD_NOT_UPDATE_FILE).
 */
int vp_unregister_domain(char **names, int count, const struct vdomain *d, int *removed, int stop)
{
	char assign[VP_PATH_MAX];
	int lk, rc;

	if (names == NULL || count < 0 || d == NULL)
		return VA_NULL_POINTER;
	if ((rc = qpath(assign, sizeof assign, "users/assign")) != VA_SUCCESS)
		return rc;
	if ((lk = vp_qfile_lock(assign)) < 0) {
		fprintf(stderr, "Warning: Failed to delete domain from the assign file\n");
		return VA_COULD_NOT_UPDATE_FILE;
	}
	if (del_control(names, count) != VA_SUCCESS) {
		fprintf(stderr, "Warning: Failed to delete domain from qmail's control files\n");
		if (stop) {
			vp_qfile_unlock(lk);
			return VA_COULD_NOT_UPDATE_FILE;
		}
	}
	rc = del_assign_locked(assign, names, count, d->real, d->dir, d->uid, d->gid, removed);
	vp_qfile_unlock(lk);
	if (rc != VA_SUCCESS) {
		fprintf(stderr, "Warning: Failed to delete domain from the assign file\n");
		return VA_COULD_NOT_UPDATE_FILE;
	}
	return VA_SUCCESS;
}
