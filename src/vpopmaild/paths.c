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

/* The session's area and the error naming it. */
static const char *area(char *buf, size_t size, int *minor)
{
	if (vpd_is_sa()) {
		*minor = 1510;
		snprintf(buf, size, "%s/domains", vpopmail_dir());
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
		if (hlen >= sizeof head) {
			return fail(emajor, eminor, at != NULL && at < slash ? 24 : 11, at != NULL && at < slash ? 1505 : 1509);
		}
		memcpy(head, arg, hlen);
		head[hlen] = '\0';
		if (at != NULL && at < slash) {
			if (vpd_parse_email(head, user, sizeof user, domain, sizeof domain) != 0) {
				return fail(emajor, eminor, 24, 1505);
			}
			if ((pw = vauth_getpw(user, domain)) == NULL) {
				return fail(emajor, eminor, 25, 1506);
			}
			if (vpd_is_qa() && !vpd_own_domain(domain)) {
				return fail(emajor, eminor, 11, 1507);
			}
			if (!vpd_is_sa() && !vpd_is_qa() &&
			    (!vpd_own_domain(domain) || strcmp(user, vpd.user) != 0)) {
				return fail(emajor, eminor, 12, 1508);
			}
			snprintf(dir, sizeof dir, "%s", pw->pw_dir != NULL ? pw->pw_dir : "");
			base = dir;
		} else if (at != NULL) {
			return fail(emajor, eminor, 23, 1504);
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
	return 0;
}

int vpd_resolve_path(const char *arg, char *out, size_t size)
{
	int major, minor;

	if (vpd_check_path(arg, out, size, &major, &minor) == 0)
		return 0;
	vpd_err(major, minor);
	return -1;
}
