/*
 * limits.c - per-domain limits: <domain dir>/.qmailadmin-limits, falling
 * back to ~vpopmail/etc/vlimits.default.
 *
 * The file is "key value" lines (separators: spaces, tabs, colons) written
 * in a fixed order by vset_limits().  One quirk is kept because the bytes
 * are observable: the mailing-list users/moderators permissions are written
 * into the high bits of perm_quota but read from those of perm_maillist,
 * so they do not survive a round trip.
 *
 * A backend may keep the limits itself (struct vauth_backend's get_limits,
 * set_limits, del_limits: the mysql module with --enable-mysql-limits);
 * then the file is neither read nor written, and etc/vlimits.default still
 * applies to a domain the backend holds no limits for.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIMITS_NAME  ".qmailadmin-limits"
#define DEFAULT_NAME "etc/vlimits.default"

void vdefault_limits(struct vlimits *limits)
{
	memset(limits, 0, sizeof *limits);
	limits->maxpopaccounts = -1;
	limits->maxaliases = -1;
	limits->maxforwards = -1;
	limits->maxautoresponders = -1;
	limits->maxmailinglists = -1;
}

/* ------------------------------------------------------------------ */
/* Reading.                                                            */

static int is_sep(char c)
{
	return c == ' ' || c == '\t' || c == ':';
}

static int to_int(const char *v)        { return (int)strtol(v, NULL, 10); }
static short to_perm(const char *v)     { return (short)(to_int(v) & VLIMIT_DISABLE_ALL); }
static storage_t to_storage(const char *v) { return (storage_t)strtoll(v, NULL, 10); }

/*
 * The on/off keys, in the order vset_limits() writes them (spec §6.3).
 * In the file, presence switches one on whatever follows; for a user,
 * each one set adds its bit to pw_flags.
 */
static const struct limit_flag {
	const char *key;
	size_t      off;        /* a short in struct vlimits */
	int         bit;
} limit_flags[] = {
	{ "disable_pop",               offsetof(struct vlimits, disable_pop),              NO_POP },
	{ "disable_imap",              offsetof(struct vlimits, disable_imap),             NO_IMAP },
	{ "disable_dialup",            offsetof(struct vlimits, disable_dialup),           NO_DIALUP },
	{ "disable_password_changing", offsetof(struct vlimits, disable_passwordchanging), NO_PASSWD_CHNG },
	{ "disable_webmail",           offsetof(struct vlimits, disable_webmail),          NO_WEBMAIL },
	{ "disable_external_relay",    offsetof(struct vlimits, disable_relay),            NO_RELAY },
	{ "disable_smtp",              offsetof(struct vlimits, disable_smtp),             NO_SMTP },
	{ "disable_spamassassin",      offsetof(struct vlimits, disable_spamassassin),     NO_SPAMASSASSIN },
	{ "delete_spam",               offsetof(struct vlimits, delete_spam),              DELETE_SPAM },
	{ "disable_maildrop",          offsetof(struct vlimits, disable_maildrop),         NO_MAILDROP },
};
#define N_LIMIT_FLAGS (sizeof limit_flags / sizeof limit_flags[0])

static short *flag_field(struct vlimits *l, const struct limit_flag *f)
{
	return (short *)((char *)l + f->off);
}

static short flag_value(const struct vlimits *l, const struct limit_flag *f)
{
	return *(const short *)((const char *)l + f->off);
}

/* The flag named by a key in the file, or NULL. */
static short *flag_by_key(struct vlimits *l, const char *key)
{
	size_t i;

	for (i = 0; i < N_LIMIT_FLAGS; i++)
		if (strcmp(key, limit_flags[i].key) == 0)
			return flag_field(l, &limit_flags[i]);
	return NULL;
}

/* One line: key, then (if a separator followed it) the value, possibly "".
 * Keys that need a number are ignored when no separator follows them. */
static void parse_line(char *line, struct vlimits *l)
{
	char *key = line, *val = line;
	short *flag;

	while (*val != '\0' && !is_sep(*val))
		val++;
	if (*val != '\0') {
		*val++ = '\0';
		while (is_sep(*val))
			val++;
	} else {
		val = NULL;
	}

	flag = flag_by_key(l, key);
	if (flag != NULL) {
		*flag = 1;
		return;
	}
	if (val == NULL)
		return;
	if (strcmp(key, "maxpopaccounts") == 0)
		l->maxpopaccounts = to_int(val);
	else if (strcmp(key, "maxaliases") == 0)
		l->maxaliases = to_int(val);
	else if (strcmp(key, "maxforwards") == 0)
		l->maxforwards = to_int(val);
	else if (strcmp(key, "maxautoresponders") == 0)
		l->maxautoresponders = to_int(val);
	else if (strcmp(key, "maxmailinglists") == 0)
		l->maxmailinglists = to_int(val);
	else if (strcmp(key, "quota") == 0)
		l->diskquota = to_storage(val);
	else if (strcmp(key, "maxmsgcount") == 0)
		l->maxmsgcount = to_storage(val);
	else if (strcmp(key, "default_quota") == 0)
		l->defaultquota = to_storage(val);
	else if (strcmp(key, "default_maxmsgcount") == 0)
		l->defaultmaxmsgcount = to_storage(val);
	else if (strcmp(key, "perm_account") == 0)
		l->perm_account = to_perm(val);
	else if (strcmp(key, "perm_alias") == 0)
		l->perm_alias = to_perm(val);
	else if (strcmp(key, "perm_forward") == 0)
		l->perm_forward = to_perm(val);
	else if (strcmp(key, "perm_autoresponder") == 0)
		l->perm_autoresponder = to_perm(val);
	else if (strcmp(key, "perm_quota") == 0)
		l->perm_quota = to_perm(val);
	else if (strcmp(key, "perm_defaultquota") == 0)
		l->perm_defaultquota = to_perm(val);
	else if (strcmp(key, "perm_maillist") == 0) {
		unsigned long perm = (unsigned long)strtol(val, NULL, 10);

		l->perm_maillist = (short)(perm & VLIMIT_DISABLE_ALL);
		perm >>= VLIMIT_DISABLE_BITS;
		l->perm_maillist_users = (short)(perm & VLIMIT_DISABLE_ALL);
		perm >>= VLIMIT_DISABLE_BITS;
		l->perm_maillist_moderators = (short)(perm & VLIMIT_DISABLE_ALL);
	}
}

/* Parse a whole file's text on top of what *l holds. */
static void parse_limits(char *text, size_t len, struct vlimits *l)
{
	char *line = text, *end = text + len, *p;

	while (line < end) {
		for (p = line; p < end && *p != '\n' && *p != '\r'; p++)
			;
		*p = '\0';
		if (*line != '\0' && *line != '#')
			parse_line(line, l);
		line = p + 1;
	}
}

/* More than this is not a limits file. */
#define LIMITS_MAX (1u << 20)

static int read_limits_fd(int fd, struct vlimits *limits)
{
	char *text;
	size_t len;

	if (vp_slurp_fd(fd, LIMITS_MAX, &text, &len) != 0)
		return VA_CANNOT_READ_LIMITS;
	parse_limits(text, len, limits);
	free(text);
	return VA_SUCCESS;
}

int vlimits_read_limits_file(const char *path, struct vlimits *limits)
{
	int fd, rc;

	if (path == NULL || limits == NULL)
		return VA_NULL_POINTER;
	fd = vp_open_read(path, 0);
	if (fd < 0)
		return VA_CANNOT_READ_LIMITS;
	rc = read_limits_fd(fd, limits);
	close(fd);
	return rc;
}

/* ~vpopmail/etc/vlimits.default on top of *limits. */
static int default_limits(struct vlimits *limits)
{
	char path[VP_PATH_MAX];

	if (vp_home_path(path, sizeof path, DEFAULT_NAME) != NULL &&
	    vlimits_read_limits_file(path, limits) == VA_SUCCESS)
		return VA_SUCCESS;
	return VA_CANNOT_READ_LIMITS;
}

int vget_limits(const char *domain, struct vlimits *limits)
{
	struct vdomain d;
	char path[VP_PATH_MAX];
	int fd, rc, linked;

	if (domain == NULL || limits == NULL)
		return VA_NULL_POINTER;
	vdefault_limits(limits);
	rc = vp_domain_lookup(domain, &d);
	if (rc != VA_SUCCESS)
		return rc;
	if (vauth_backend_get()->get_limits != NULL) {
		int found = 0;

		/* The backend keeps them; an outage is its error, not the defaults. */
		rc = vauth_backend_get()->get_limits(&d, limits, &found);
		if (rc != VA_SUCCESS || found)
			return rc;
		vdefault_limits(limits);
		return default_limits(limits);
	}
	if (vp_fmt(path, sizeof path, "%s/%s", d.dir, LIMITS_NAME) != 0)
		return VA_DIR_TOO_LONG;

	/* The domain's own file; it is then handed to the domain, 0600.  Done
	 * on the descriptor.  A symbolic link (limits shared between domains)
	 * is read through, as in 5.6, but what it points to is left as it is:
	 * a link planted in the domain directory must not make us chown
	 * another file. */
	linked = 0;
	fd = vp_open_read(path, O_NOFOLLOW);
	if (fd < 0 && errno == ELOOP) {
		linked = 1;
		fd = vp_open_read(path, 0);
	}
	if (fd >= 0) {
		/* (a regular file: vp_open_read() takes nothing else) */
		if (read_limits_fd(fd, limits) == VA_SUCCESS) {
			if (!linked) {
				if (vp_can_chown() && fchown(fd, d.uid, d.gid) != 0) {
					/* ownership is a best effort, as in vpopmail */
				}
				fchmod(fd, S_IRUSR | S_IWUSR);
			}
			close(fd);
			return VA_SUCCESS;
		}
		close(fd);
	}
	return default_limits(limits);
}

/* ------------------------------------------------------------------ */
/* Writing.                                                            */

static void print_limits(FILE *fp, const struct vlimits *l)
{
	size_t i;

	fprintf(fp, "maxpopaccounts: %d\n", l->maxpopaccounts);
	fprintf(fp, "maxaliases: %d\n", l->maxaliases);
	fprintf(fp, "maxforwards: %d\n", l->maxforwards);
	fprintf(fp, "maxautoresponders: %d\n", l->maxautoresponders);
	fprintf(fp, "maxmailinglists: %d\n", l->maxmailinglists);
	fprintf(fp, "quota: %" PRIu64 "\n", l->diskquota);
	fprintf(fp, "maxmsgcount: %" PRIu64 "\n", l->maxmsgcount);
	fprintf(fp, "default_quota: %" PRIu64 "\n", l->defaultquota);
	fprintf(fp, "default_maxmsgcount: %" PRIu64 "\n", l->defaultmaxmsgcount);
	for (i = 0; i < N_LIMIT_FLAGS; i++)
		if (flag_value(l, &limit_flags[i]))
			fprintf(fp, "%s\n", limit_flags[i].key);
	fprintf(fp, "perm_account: %d\n", l->perm_account);
	fprintf(fp, "perm_alias: %d\n", l->perm_alias);
	fprintf(fp, "perm_forward: %d\n", l->perm_forward);
	fprintf(fp, "perm_autoresponder: %d\n", l->perm_autoresponder);
	fprintf(fp, "perm_maillist: %d\n", l->perm_maillist);
	/* vpopmail's layout: list users/moderators ride in perm_quota's high
	 * bits.  Masked first: a negative short (vpopmaild's set_limits takes
	 * any) must not be shifted; the reader keeps only these bits anyway. */
	fprintf(fp, "perm_quota: %d\n", l->perm_quota |
	        ((l->perm_maillist_users & VLIMIT_DISABLE_ALL) << VLIMIT_DISABLE_BITS) |
	        ((l->perm_maillist_moderators & VLIMIT_DISABLE_ALL) << (VLIMIT_DISABLE_BITS * 2)));
	fprintf(fp, "perm_defaultquota: %d\n", l->perm_defaultquota);
}

/* 5.6's message for a limits file it could not open for writing. */
static int open_failed(const char *path, int err)
{
	fprintf(stderr, "vlimits: failed to open limits file (%d):  %s\n", err, path);
	return VA_COULD_NOT_UPDATE_FILE;
}

/*
 * Replace the file atomically.  vpopmail rewrites it in place, which keeps
 * an existing file's mode and owner, and creates a new one per umask; the
 * temp file gets the same mode and owner so the result is identical.
 */
int vlimits_write_limits_file(const char *path, const struct vlimits *limits)
{
	struct vp_afile af;
	struct stat st;
	char tmp[VP_PATH_MAX], target[PATH_MAX];
	int existed, rc;

	if (path == NULL || limits == NULL)
		return VA_NULL_POINTER;
	/* A link (one file shared by several domains, or a vlimits.default
	 * kept elsewhere) is written through, as 5.6 did, when it is safe. */
	if (vp_link_target(path, target))
		path = target;
	existed = lstat(path, &st) == 0 && S_ISREG(st.st_mode);
	/* 5.6 opens the name itself (and says so when it cannot): a
	 * directory there would only fail at the rename. */
	if (!existed && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return open_failed(path, EISDIR);
	if (vp_fmt(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) != 0)
		return VA_DIR_TOO_LONG;
	vp_sweep_temps(path, ".tmp.", 0);     /* a killed writer's */
	rc = vp_afile_open(&af, path, tmp, 0666);
	if (rc != VA_SUCCESS)
		return open_failed(path, errno);
	if (existed) {
		fchmod(af.fd, st.st_mode & 07777);
		if (vp_chown(af.tmp, st.st_uid, st.st_gid) != 0) {
			vp_afile_abort(&af);
			return VA_COULD_NOT_UPDATE_FILE;
		}
	}
	print_limits(af.fp, limits);
	return vp_afile_commit(&af);
}

int vset_limits(const char *domain, const struct vlimits *limits)
{
	char path[VP_PATH_MAX];
	int rc;

	if (domain == NULL || limits == NULL)
		return VA_NULL_POINTER;
	if (vauth_backend_get()->set_limits != NULL) {
		struct vdomain d;

		if ((rc = vp_domain_lookup(domain, &d)) != VA_SUCCESS)
			return rc;
		return vauth_backend_get()->set_limits(&d, limits);
	}
	rc = vp_domain_file(domain, LIMITS_NAME, path, sizeof path);
	if (rc != VA_SUCCESS)
		return rc;
	return vlimits_write_limits_file(path, limits);
}

/*
 * An flock on the directory that holds the limits file.  Taking it may
 * have waited for a vdeldomain (which holds the domain directory's), and
 * a vadddomain of the name may have made a new directory since: the
 * domain is looked up again, not from the cache, and a lock on a
 * directory no longer at its path is taken again on the one there now.
 */
#define LIMITS_LOCK_TRIES 8
int vp_limits_lock(const char *domain)
{
	char path[VP_PATH_MAX];
	struct vdomain d;
	int lk, tries;

	if (domain == NULL)
		return vp_home_path(path, sizeof path, "etc") == NULL ? -1 : vp_lock_dir(path);
	for (tries = 0; tries < LIMITS_LOCK_TRIES; tries++) {
		if (vp_domain_lookup(domain, &d) != VA_SUCCESS)
			return -1;
		lk = vp_lock_dir(d.dir);
		vp_domain_cache_clear();
		if (lk < 0)
			return -1;
		if (vp_fd_at_path(lk, d.dir))
			return lk;
		vp_unlock_dir(lk);
	}
	return -1;
}

void vp_limits_unlock(int lock)
{
	vp_unlock_dir(lock);
}

int vdel_limits(const char *domain)
{
	char path[VP_PATH_MAX];
	int rc;

	if (domain == NULL)
		return VA_NULL_POINTER;
	if (vauth_backend_get()->del_limits != NULL) {
		struct vdomain d;

		if ((rc = vp_domain_lookup(domain, &d)) != VA_SUCCESS)
			return rc;
		return vauth_backend_get()->del_limits(&d);
	}
	rc = vp_domain_file(domain, LIMITS_NAME, path, sizeof path);
	if (rc != VA_SUCCESS)
		return rc;
	/* 5.6: no file means no limits to delete, which is success. */
	if (unlink(path) != 0 && errno != ENOENT) {
		/* 5.6's own line (its prefix too), before the caller's message. */
		fprintf(stderr, "vqadmin: Cannot remove '%s': %s\n", path, strerror(errno));
		return VA_COULD_NOT_UPDATE_FILE;
	}
	return VA_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Flags.                                                              */

int vlimits_get_flag_mask(struct vlimits *limits)
{
	size_t i;
	int mask = 0;

	if (limits == NULL)
		return 0;
	for (i = 0; i < N_LIMIT_FLAGS; i++)
		if (flag_value(limits, &limit_flags[i]))
			mask |= limit_flags[i].bit;
	return mask;
}

void vlimits_setflags(struct vqpasswd *pw, char *domain)
{
	struct vlimits limits;

	if (pw == NULL)
		return;
	pw->pw_flags = pw->pw_gid;
	if ((pw->pw_gid & V_OVERRIDE) == 0 && domain != NULL &&
	    vget_limits(domain, &limits) == VA_SUCCESS)
		pw->pw_flags = pw->pw_gid | (gid_t)vlimits_get_flag_mask(&limits);
}
