/*
 * valias.c - aliases of the cdb build: one `.qmail-<alias>` file per
 * alias in the domain directory, one delivery line per alias line.
 * The name, line and domain checks at the top are shared with the SQL
 * valias table of --enable-valias (mysql/vmyvalias.c).
 *
 * A '.' in an alias name is stored as ':' in the file name (qmail-local
 * reads '.' in an extension as ':').  Writers hold the domain's alias
 * lock and replace the file atomically (temp in the same directory,
 * fsync, rename), so qmail-local never sees a half-written file.  The
 * lock is an flock on the domain directory (no lock file) and the temp
 * name does not start with ".qmail-": a crash can never leave something
 * that looks like an alias.
 *
 * The select functions keep their state in statics, like the classic
 * API they reproduce; they are not thread-safe.  On a NULL return,
 * verrori tells "domain unknown" (VA_DOMAIN_DOES_NOT_EXIST) from "no
 * (more) lines" (0).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define QMAIL_PREFIX     ".qmail-"
#define QMAIL_PREFIX_LEN 7

/* ------------------------------------------------------------------ */
/* Names and paths                                                      */

/* Rules for an alias name we are asked to read or change. */
int vp_alias_name_ok(const char *alias)
{
	size_t len;

	if (alias == NULL)
		return VA_NULL_POINTER;
	len = strlen(alias);
	if (len > MAX_PW_NAME)
		return VA_USER_NAME_TOO_LONG;
	/* '/' would leave the domain directory; is_username_valid() refuses
	 * the empty name and a leading '.' itself. */
	if (len == 0 || strchr(alias, '/') != NULL || vp_has_ctl(alias))
		return VA_ILLEGAL_USERNAME;
	if (is_username_valid((char *)alias) != 0)
		return VA_ILLEGAL_USERNAME;
	return VA_SUCCESS;
}

int vp_alias_domain_ok(const char *domain)
{
	if (domain == NULL)
		return VA_NULL_POINTER;
	if (strlen(domain) > MAX_PW_DOMAIN)
		return VA_DOMAIN_NAME_TOO_LONG;
	return VA_SUCCESS;
}

/* A delivery line: shorter than MAX_ALIAS_LINE, a single line. */
int vp_alias_line_ok(const char *line)
{
	if (line == NULL)
		return VA_NULL_POINTER;
	if (strlen(line) >= MAX_ALIAS_LINE)
		return VA_ALIAS_LINE_TOO_LONG;
	if (strchr(line, '\n') != NULL || strchr(line, '\r') != NULL)
		return VA_BAD_CHAR;
	return VA_SUCCESS;
}

/*
 * Resolve the domain the classic way (vget_assign: lower-cases `domain`
 * and replaces an alias domain by its real one, so messages and events
 * name the real domain as 5.6 did) and copy out its directory and owner.
 */
int vp_alias_resolve(char *domain, char *dir, size_t size, uid_t *uid, gid_t *gid)
{
	char *d;

	d = vget_assign(domain, NULL, 0, uid, gid);
	if (d == NULL)
		return VA_DOMAIN_DOES_NOT_EXIST;
	if (vp_strlcpy(dir, d, size) != 0)
		return VA_DIR_TOO_LONG;
	return VA_SUCCESS;
}

#ifndef VALIAS
/* The .qmail-file implementation; --enable-valias keeps aliases in the SQL
 * valias table instead (mysql/vmyvalias.c). */

/* The alias being read by valias_select()/valias_select_next(). */
static FILE  *sel_fp;
static char  *sel_line;
static size_t sel_cap;

/* The names listed by valias_select_names(), and the domain of a
 * valias_select_all() walk. */
static string_list names;
static int names_ready;
static int names_pos;
static char all_domain[MAX_PW_DOMAIN + 1];

/* "<dir>/.qmail-<alias>" with every '.' of the alias turned into ':'. */
static int alias_path(char *out, size_t size, const char *dir, const char *alias)
{
	size_t n;
	char *p;

	if (vp_fmt(out, size, "%s/" QMAIL_PREFIX "%s", dir, alias) != 0)
		return VA_DIR_TOO_LONG;
	n = strlen(dir) + 1 + QMAIL_PREFIX_LEN;
	for (p = out + n; *p != '\0'; p++)
		if (*p == '.')
			*p = ':';
	return VA_SUCCESS;
}

/* "alias@domain" for the onchange events. */
static void event_name(char *out, size_t size, const char *alias, const char *domain)
{
	if (vp_fmt(out, size, "%s@%s", alias, domain) != 0)
		out[0] = '\0';
}

/* ------------------------------------------------------------------ */
/* Reading one alias                                                    */

static void sel_close(void)
{
	if (sel_fp != NULL) {
		fclose(sel_fp);
		sel_fp = NULL;
	}
}

char *valias_select(char *alias, char *domain)
{
	char dir[VP_PATH_MAX], path[VP_PATH_MAX];
	uid_t uid;
	gid_t gid;
	int rc;

	sel_close();
	verrori = 0;
	if ((rc = vp_alias_domain_ok(domain)) != 0 || (rc = vp_alias_name_ok(alias)) != 0) {
		verrori = rc;
		return NULL;
	}
	if ((rc = vp_alias_resolve(domain, dir, sizeof dir, &uid, &gid)) != 0 ||
	    (rc = alias_path(path, sizeof path, dir, alias)) != 0) {
		verrori = rc;
		return NULL;
	}
	sel_fp = vp_fopen_read(path);
	if (sel_fp == NULL)
		return NULL;            /* no such alias */
	return valias_select_next();
}

char *valias_select_next(void)
{
	ssize_t n;

	if (sel_fp == NULL)
		return NULL;
	n = getline(&sel_line, &sel_cap, sel_fp);
	if (n < 0) {
		sel_close();
		return NULL;
	}
	if (n > 0 && sel_line[n - 1] == '\n')
		sel_line[n - 1] = '\0';
	return sel_line;
}

/* ------------------------------------------------------------------ */
/* Listing a domain                                                     */

static int cmp_names(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Should this directory entry be listed?  Every ".qmail-*" but
 * ".qmail-default"; of the symlinks (ezmlm lists make several) only the
 * ones whose name has neither "-default" nor "-owner".
 */
static int listable(const char *dir, const char *name)
{
	char path[VP_PATH_MAX];
	struct stat st;

	if (strncmp(name, QMAIL_PREFIX, QMAIL_PREFIX_LEN) != 0 ||
	    strcmp(name, QMAIL_PREFIX "default") == 0)
		return 0;
	/* Names valias_select() could not take are left out. */
	if (name[QMAIL_PREFIX_LEN] == '\0' || strlen(name + QMAIL_PREFIX_LEN) > MAX_PW_NAME)
		return 0;
	if (vp_fmt(path, sizeof path, "%s/%s", dir, name) != 0)
		return 0;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    (strstr(name, "-default") != NULL || strstr(name, "-owner") != NULL))
		return 0;
	return 1;
}

char *valias_select_names(char *domain)
{
	char dir[VP_PATH_MAX], alias[MAX_PW_NAME + 1];
	struct dirent *de;
	uid_t uid;
	gid_t gid;
	DIR *dp;
	char *p;
	int rc;

	sel_close();
	valias_select_names_end();
	verrori = 0;
	if ((rc = vp_alias_domain_ok(domain)) != 0 ||
	    (rc = vp_alias_resolve(domain, dir, sizeof dir, &uid, &gid)) != 0) {
		verrori = rc;
		return NULL;
	}
	if (string_list_init(&names, 16) != 0) {
		verrori = VA_MEMORY_ALLOC_ERR;
		return NULL;
	}
	names_ready = 1;
	if ((dp = opendir(dir)) == NULL)
		return NULL;
	while ((de = readdir(dp)) != NULL) {
		if (!listable(dir, de->d_name))
			continue;
		vp_strlcpy(alias, de->d_name + QMAIL_PREFIX_LEN, sizeof alias);
		for (p = alias; *p != '\0'; p++)
			if (*p == ':')
				*p = '.';
		if (string_list_add(&names, alias) != 0) {
			closedir(dp);
			valias_select_names_end();
			verrori = VA_MEMORY_ALLOC_ERR;
			return NULL;
		}
	}
	closedir(dp);
	qsort(names.values, (size_t)names.count, sizeof(char *), cmp_names);
	return valias_select_names_next();
}

char *valias_select_names_next(void)
{
	if (!names_ready || names_pos >= names.count)
		return NULL;
	return names.values[names_pos++];
}

void valias_select_names_end(void)
{
	if (names_ready)
		string_list_free(&names);
	memset(&names, 0, sizeof names);
	names_ready = 0;
	names_pos = 0;
}

/*
 * Open the next listed alias that has at least one line; its name goes
 * to `alias` (the caller's buffer, at least MAX_PW_NAME + 1 bytes as
 * every listed name fits).  5.6 stopped the whole walk at an empty
 * file; we skip it.
 */
static char *next_listed(char *alias)
{
	char dom[MAX_PW_DOMAIN + 1];
	char *name, *line;

	while ((name = valias_select_names_next()) != NULL) {
		vp_strlcpy(dom, all_domain, sizeof dom);
		line = valias_select(name, dom);
		if (line != NULL) {
			strcpy(alias, name);    /* fits: listable() bounds it */
			return line;
		}
		/* An empty file, or a name we would not accept: skip it. */
		if (verrori == VA_DOMAIN_DOES_NOT_EXIST)
			return NULL;
	}
	return NULL;
}

char *valias_select_all(char *alias, char *domain)
{
	if (alias == NULL) {
		verrori = VA_NULL_POINTER;
		return NULL;
	}
	if (valias_select_names(domain) == NULL)
		return NULL;
	/* valias_select_names() resolved `domain` to the real domain. */
	vp_strlcpy(all_domain, domain, sizeof all_domain);
	names_pos = 0;
	return next_listed(alias);
}

char *valias_select_all_next(char *alias)
{
	char *line;

	if (alias == NULL) {
		verrori = VA_NULL_POINTER;
		return NULL;
	}
	line = valias_select_next();
	if (line != NULL)
		return line;
	return next_listed(alias);
}

/* ------------------------------------------------------------------ */
/* Changing an alias                                                    */

/* Common start of insert/remove/delete: checks, domain, path, lock. */
struct alias_op {
	char  dir[VP_PATH_MAX];
	char  path[VP_PATH_MAX];
	char  tmp[VP_PATH_MAX];
	char  who[MAX_PW_NAME + 1 + MAX_PW_DOMAIN + 1];
	uid_t uid;
	gid_t gid;
	int   lockfd;
};

static int op_begin(struct alias_op *op, char *alias, char *domain)
{
	int rc;

	op->lockfd = -1;
	if ((rc = vp_alias_name_ok(alias)) != 0 || (rc = vp_alias_domain_ok(domain)) != 0)
		return rc;
	if ((rc = vp_alias_resolve(domain, op->dir, sizeof op->dir, &op->uid, &op->gid)) != 0)
		return rc;
	if ((rc = alias_path(op->path, sizeof op->path, op->dir, alias)) != 0)
		return rc;
	/* The temp lives in the domain directory so the rename is atomic; it
	 * is written under the directory's lock, so one name will do, and a
	 * writer replaces what one killed meanwhile left there. */
	if (vp_fmt(op->tmp, sizeof op->tmp, "%s/.valias.tmp", op->dir) != 0)
		return VA_DIR_TOO_LONG;
	event_name(op->who, sizeof op->who, alias, domain);
	return VA_SUCCESS;
}

/* Aliases of a domain change under a lock on its directory: no lock file. */
static int op_lock(struct alias_op *op)
{
	op->lockfd = vp_lock_dir(op->dir);
	return op->lockfd < 0 ? VA_COULD_NOT_UPDATE_FILE : VA_SUCCESS;
}

static void op_end(struct alias_op *op)
{
	vp_unlock_dir(op->lockfd);
	op->lockfd = -1;
}

/* Replace the alias file by `len` bytes of `data` (0600, domain owner). */
static int write_alias(struct alias_op *op, const char *data, size_t len)
{
	struct vp_afile af;
	char target[PATH_MAX], tmp[VP_PATH_MAX];
	const char *dst = op->path, *tmpname = op->tmp;
	int rc;

	/* A linked alias file (an ezmlm list's .qmail-list -> editor) is
	 * changed where it points, as 5.6 did; the link stays. */
	if (vp_link_target(op->path, target)) {
		if (vp_fmt(tmp, sizeof tmp, "%s.tmp.%ld", target, (long)getpid()) != 0)
			return VA_DIR_TOO_LONG;
		dst = target;
		tmpname = tmp;
	}
	rc = vp_afile_open(&af, dst, tmpname, 0600);
	if (rc != VA_SUCCESS)
		return rc;
	if ((len > 0 && fwrite(data, 1, len, af.fp) != len) ||
	    fchmod(af.fd, 0600) != 0 ||
	    (vp_can_chown() && fchown(af.fd, op->uid, op->gid) != 0)) {
		vp_afile_abort(&af);
		return VA_COULD_NOT_UPDATE_FILE;
	}
	return vp_afile_commit(&af);
}

/* The current content of the alias file ("" if it does not exist). */
static int read_alias(const char *path, char **buf, size_t *len)
{
	int rc;

	rc = vp_slurp(path, buf, len);
	if (rc == VA_SUCCESS)
		return VA_SUCCESS;
	if (errno == ENOENT) {
		*buf = NULL;
		*len = 0;
		return 1;               /* missing */
	}
	return VA_COULD_NOT_OPEN_DOT_QMAIL;
}

/*
 * Start of insert/remove: check in 5.6's order (alias, domain, line, then
 * the domain lookup), announce the change, take the lock.
 */
static int op_start_line(struct alias_op *op, const char *event, char *alias,
                         char *domain, const char *alias_line)
{
	int rc;

	if ((rc = vp_alias_name_ok(alias)) != 0 || (rc = vp_alias_domain_ok(domain)) != 0 ||
	    (rc = vp_alias_line_ok(alias_line)) != 0)
		return rc;
	if ((rc = op_begin(op, alias, domain)) != 0)
		return rc;
	vp_onchange(event, op->who, alias_line, ON_VCHANGE_BEFORE);
	return op_lock(op);
}

int valias_insert(char *alias, char *domain, char *alias_line)
{
	struct alias_op op;
	char *old = NULL, *buf;
	size_t len = 0, need, n;
	int rc;

	if ((rc = op_start_line(&op, "valias_insert", alias, domain, alias_line)) != 0)
		return rc;
	rc = read_alias(op.path, &old, &len);
	if (rc < 0) {
		op_end(&op);
		return rc;
	}
	/* old content, a newline if it lacked one, the new line */
	n = strlen(alias_line);
	need = len + 1 + n + 1;
	buf = malloc(need);
	if (buf == NULL) {
		free(old);
		op_end(&op);
		return VA_MEMORY_ALLOC_ERR;
	}
	if (len > 0)
		memcpy(buf, old, len);
	if (len > 0 && buf[len - 1] != '\n')
		buf[len++] = '\n';
	memcpy(buf + len, alias_line, n);
	len += n;
	buf[len++] = '\n';
	free(old);
	rc = write_alias(&op, buf, len);
	free(buf);
	op_end(&op);
	if (rc != VA_SUCCESS)
		return rc;
	vp_onchange("valias_insert", op.who, alias_line, 0);
	vp_onchange("valias_insert", op.who, alias_line, ON_VCHANGE_AFTER);
	return VA_SUCCESS;
}

int valias_remove(char *alias, char *domain, char *alias_line)
{
	struct alias_op op;
	char *old = NULL, *out, *p, *end, *nl;
	size_t len = 0, olen = 0, n, llen;
	int rc;

	if ((rc = op_start_line(&op, "valias_remove", alias, domain, alias_line)) != 0)
		return rc;
	rc = read_alias(op.path, &old, &len);
	if (rc != VA_SUCCESS) {
		op_end(&op);
		return rc < 0 ? rc : VA_COULD_NOT_OPEN_DOT_QMAIL;
	}
	out = malloc(len + 1);
	if (out == NULL) {
		free(old);
		op_end(&op);
		return VA_MEMORY_ALLOC_ERR;
	}
	/* Keep every line that does not start with alias_line (5.6 semantics:
	 * a prefix match, so "" drops every line). */
	llen = strlen(alias_line);
	for (p = old, end = old + len; p < end; p += n) {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		if (n >= llen && memcmp(p, alias_line, llen) == 0)
			continue;
		memcpy(out + olen, p, n);
		olen += n;
	}
	free(old);
	rc = write_alias(&op, out, olen);
	free(out);
	op_end(&op);
	if (rc != VA_SUCCESS)
		return rc;
	vp_onchange("valias_remove", op.who, alias_line, 0);
	vp_onchange("valias_remove", op.who, alias_line, ON_VCHANGE_AFTER);
	return VA_SUCCESS;
}

int valias_delete(char *alias, char *domain)
{
	struct alias_op op;
	int rc, gone;

	if ((rc = op_begin(&op, alias, domain)) != 0)
		return rc;
	/* 5.6 notifies twice in plain mode, before and after the unlink,
	 * with an empty second argument. */
	vp_onchange("valias_delete", op.who, "", 0);
	vp_onchange("valias_delete", op.who, "", ON_VCHANGE_BEFORE);
	if ((rc = op_lock(&op)) != 0)
		return rc;
	gone = unlink(op.path) == 0;
	rc = gone ? VA_SUCCESS : (errno == ENOENT ? VA_COULD_NOT_OPEN_DOT_QMAIL : VA_COULD_NOT_UPDATE_FILE);
	if (gone)
		vp_fsync_parent(op.path);
	op_end(&op);
	vp_onchange("valias_delete", op.who, "", 0);
	vp_onchange("valias_delete", op.who, "", ON_VCHANGE_AFTER);
	return rc;
}
#endif /* !VALIAS */
