/*
 * paths.c - the path argument of vpopmaild's file commands (§7.9).
 *
 * A path is absolute, "user@domain/rest" (under that user's directory) or
 * "domain/rest" (under the domain's directory).  It must then stay inside
 * the session's own area: ~vpopmail/domains for a system admin, the home
 * domain's directory for a domain admin, the user's directory for a user.
 *
 * Beyond 5.6, which compared plain string prefixes: the area must be
 * followed by '/' or the end (so ".../example.com2" is not inside
 * ".../example.com"), and the deepest existing part of the path is
 * resolved through symbolic links and must still be inside the area, so a
 * link cannot lead a command out of ~vpopmail.  A domain admin naming a
 * user must name one of its own domain exactly (5.6: by prefix).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpopmaild.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The session's area and the error naming it. */
static const char *area(char *buf, size_t size, int *minor)
{
	if (vpd_is_sa()) {
		*minor = 1510;
		snprintf(buf, size, "%s/%s", vpopmail_dir(), DOMAINS_DIR);
		return buf;
	}
	if (vpd_is_qa()) {
		*minor = 1511;
		return vpd.domdir;
	}
	*minor = 1512;
	return vpd.userdir;
}

int vpd_path_under(const char *path, const char *root)
{
	size_t n = strlen(root);

	while (n > 1 && root[n - 1] == '/')
		n--;
	return n > 0 && strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Resolve the deepest existing ancestor of path (path itself included). */
static int real_prefix(const char *path, char *out)
{
	char work[PATH_MAX];
	char *slash;

	if (snprintf(work, sizeof work, "%s", path) >= (int)sizeof work)
		return -1;
	for (;;) {
		if (realpath(work, out) != NULL)
			return 0;
		if (errno != ENOENT && errno != ENOTDIR)
			return -1;
		if ((slash = strrchr(work, '/')) == NULL)
			return -1;
		if (slash == work) {
			snprintf(work, sizeof work, "/");
			continue;
		}
		*slash = '\0';
	}
}

static int confined(const char *path, const char *root)
{
	char rpath[PATH_MAX], rroot[PATH_MAX];

	if (root == NULL || *root == '\0' || !vpd_path_under(path, root))
		return 0;
	if (realpath(root, rroot) == NULL)
		return 0;
	if (real_prefix(path, rpath) != 0)
		return 0;
	return vpd_path_under(rpath, rroot);
}

/* A domain admin's path inside a system admin's directory (of its domain):
 * out of its reach whatever form the path was given in. */
static int in_sa_dir(const char *path)
{
	char rpath[PATH_MAX], rdir[PATH_MAX];
	struct vqpasswd *pw;

	if (!vpd_is_qa())
		return 0;
	if (real_prefix(path, rpath) != 0)
		return 1;
	for (pw = vauth_getall(vpd.domain, 1, 0); pw != NULL; pw = vauth_getall(vpd.domain, 0, 0)) {
		if ((pw->pw_gid & SA_ADMIN) != 0 && pw->pw_dir != NULL &&
		    realpath(pw->pw_dir, rdir) != NULL && vpd_path_under(rpath, rdir)) {
			vauth_end_getall();	/* left before the end */
			return 1;
		}
	}
	return 0;
}

/* Record an error for the caller. */
static int fail(int *emajor, int *eminor, int major, int minor)
{
	*emajor = major;
	*eminor = minor;
	return -1;
}

int vpd_path_is_root(const char *path)
{
	char buf[VP_PATH_MAX], rpath[PATH_MAX], rroot[PATH_MAX];
	const char *root;
	int minor;

	root = area(buf, sizeof buf, &minor);
	if (realpath(root, rroot) == NULL || realpath(path, rpath) == NULL)
		return 0;
	return strcmp(rroot, rpath) == 0;
}

int vpd_check_path(const char *arg, char *out, size_t size, int *emajor, int *eminor)
{
	char head[MAX_PW_NAME + MAX_PW_DOMAIN + 2], buf[VP_PATH_MAX];
	char user[MAX_PW_NAME + 1], domain[MAX_PW_DOMAIN + 1], dir[VP_PATH_MAX];
	const char *slash, *at, *base, *root;
	struct vqpasswd *pw;
	size_t hlen;
	int minor;

	if (strstr(arg, "..") != NULL) {
		return fail(emajor, eminor, 20, 1501);
	}
	if (strchr(arg, '%') != NULL) {
		return fail(emajor, eminor, 21, 1502);
	}
	root = area(buf, sizeof buf, &minor);
	if (arg[0] == '/') {
		if (strlen(arg) >= size || strlen(arg) > VPD_PATH_MAX) {
			return fail(emajor, eminor, 26, minor);
		}
		snprintf(out, size, "%s", arg);
	} else {
		if ((slash = strchr(arg, '/')) == NULL) {
			return fail(emajor, eminor, 22, 1503);
		}
		at = strchr(arg, '@');
		hlen = (size_t)(slash - arg);
		/* the first '@' after the first '/': refused before any length */
		if (at != NULL && at > slash) {
			return fail(emajor, eminor, 23, 1504);
		}
		if (hlen >= sizeof head) {
			return fail(emajor, eminor, at != NULL ? 24 : 11, at != NULL ? 1505 : 1509);
		}
		memcpy(head, arg, hlen);
		head[hlen] = '\0';
		if (at != NULL) {
			if (vpd_parse_email(head, user, sizeof user, domain, sizeof domain) != 0) {
				return fail(emajor, eminor, 24, 1505);
			}
			if ((pw = vauth_getpw(user, domain)) == NULL) {
				return fail(emajor, eminor, 25, 1506);
			}
			if ((vpd_is_qa() && !vpd_own_domain(domain)) || vpd_out_of_reach(pw)) {
				return fail(emajor, eminor, 11, 1507);
			}
			if (!vpd_is_sa() && !vpd_is_qa() &&
			    (!vpd_own_domain(domain) || strcmp(user, vpd.user) != 0)) {
				return fail(emajor, eminor, 12, 1508);
			}
			snprintf(dir, sizeof dir, "%s", pw->pw_dir != NULL ? pw->pw_dir : "");
			base = dir;
		} else {
			if (hlen > MAX_PW_DOMAIN) {
				return fail(emajor, eminor, 11, 1509);
			}
			memcpy(domain, head, hlen + 1);
			if (vget_assign(domain, dir, sizeof dir, NULL, NULL) == NULL) {
				return fail(emajor, eminor, 11, 1509);
			}
			base = dir;
		}
		if (snprintf(out, size, "%s%s", base, slash) >= (int)size ||
		    strlen(out) > VPD_PATH_MAX) {
			return fail(emajor, eminor, 26, minor);
		}
	}
	if (!confined(out, root)) {
		return fail(emajor, eminor, 26, minor);
	}
	if (in_sa_dir(out)) {
		return fail(emajor, eminor, 11, 1507);
	}
	return 0;
}

/*
 * Files the library keeps, with the temporary names of their rewrites
 * (storage spec §3.1, §3.5, §5.4, §6.1).  Below system admin no file
 * command writes, creates, removes or renames them: vpasswd is rebuilt
 * into vpasswd.cdb by the next change (a planted flag word would make a
 * system admin), .qmailadmin-limits only a system admin may set, and
 * maildirsize is what delivery counts a user's quota against.
 *
 * The domain's files matter in the domain directory only; a user's files
 * wherever they are below it (maildirsize moves up with "maildirfolder").
 */
static const char *const domain_files[] = {
	"vpasswd", "vpasswd.cdb", ".vpasswd.lock", "cdb.tmp", ".dir-control",
	".dir_control_free", ".dir_control_free.lock", ".dir_control_free.bak",
	".qmailadmin-limits", ".userdir.lock", NULL
};
static const char *const domain_temps[] = {      /* + "<pid>" */
	"vpasswd.bak.", ".dir-control.", ".qmailadmin-limits.tmp.", NULL
};
static const char *const user_files[] = {
	"maildirsize", "maildirfolder", "lastauth", "sqwebmail-pass", NULL
};
static const char *const user_temps[] = { "sqwebmail-pass.tmp.", NULL };

static int listed(const char *name, const char *const *exact, const char *const *prefix)
{
	for (; *exact != NULL; exact++)
		if (strcmp(name, *exact) == 0)
			return 1;
	for (; *prefix != NULL; prefix++)
		if (strncmp(name, *prefix, strlen(*prefix)) == 0)
			return 1;
	return 0;
}

/* Does path (without trailing "/" or "/.") name one of those files?
 * A parent that cannot be resolved for another reason than not being
 * there counts as one (refused). */
static int library_file(const char *path)
{
	char work[PATH_MAX], rparent[PATH_MAX], rdom[PATH_MAX];
	char *slash, *name;

	if (snprintf(work, sizeof work, "%s", path) >= (int)sizeof work ||
	    (slash = strrchr(work, '/')) == NULL)
		return 1;
	name = slash + 1;
	if (listed(name, user_files, user_temps) || strstr(name, "_NeWmAiLdIrSiZe.") != NULL)
		return 1;
	if (!listed(name, domain_files, domain_temps))
		return 0;
	/* In the domain directory, under whatever name its path has. */
	if (slash == work)
		slash++;
	*slash = '\0';
	if (realpath(work, rparent) == NULL)
		return errno != ENOENT && errno != ENOTDIR;
	return realpath(vpd.domdir, rdom) == NULL || strcmp(rparent, rdom) == 0;
}

int vpd_plain_dotqmail(const char *path)
{
	const char *name = strrchr(path, '/');

	if (vpd_is_sa() || vpd_is_qa())
		return 0;
	name = name != NULL ? name + 1 : path;
	return strncmp(name, ".qmail", 6) == 0 && (name[6] == '\0' || name[6] == '-');
}

int vpd_check_change(const char *path, int removing, int *emajor, int *eminor)
{
	char work[PATH_MAX], real[PATH_MAX], buf[VP_PATH_MAX];
	struct stat st;
	size_t n;
	int minor;

	if (vpd_is_sa())
		return 0;
	area(buf, sizeof buf, &minor);
	/* A directory is none of those files: removing or moving one (a
	 * user's directory named "lastauth") is the caller's business. */
	if (removing && lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	/* "f/", "f/." and "f/./" name f. */
	if (snprintf(work, sizeof work, "%s", path) >= (int)sizeof work)
		return fail(emajor, eminor, 26, minor);
	for (;;) {
		n = strlen(work);
		if (n > 1 && work[n - 1] == '/')
			work[n - 1] = '\0';
		else if (n > 2 && strcmp(work + n - 2, "/.") == 0)
			work[n - 2] = '\0';
		else
			break;
	}
	/* The name as given, then what it resolves to through links. */
	if (library_file(work) || (realpath(work, real) != NULL && library_file(real)))
		return fail(emajor, eminor, 26, minor);
	return 0;
}

int vpd_may_change(const char *path, int removing)
{
	int major, minor;

	if (vpd_check_change(path, removing, &major, &minor) == 0)
		return 0;
	vpd_err(major, minor);
	return -1;
}

int vpd_resolve_path(const char *arg, char *out, size_t size)
{
	int major, minor;

	if (vpd_check_path(arg, out, size, &major, &minor) == 0)
		return 0;
	vpd_err(major, minor);
	return -1;
}
