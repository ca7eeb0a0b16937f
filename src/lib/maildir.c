/*
 * maildir.c - creating users' Maildirs and naming them.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* mkdir one directory (0750 before umask) and give it to uid:gid.
 * An existing directory is fine when may_exist is set. */
static int make_one(const char *path, uid_t uid, gid_t gid, int may_exist)
{
	struct stat st;

	if (mkdir(path, 0750) == 0)
		return vp_chown(path, uid, gid) == 0 ? 0 : -1;
	if (errno == EEXIST && may_exist && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return -1;
}

/* Maildir and its three subdirectories, in vpopmail's creation order. */
static int make_maildir(const char *userdir, const char *const *parts, uid_t uid,
                        gid_t gid, int may_exist)
{
	char path[VP_PATH_MAX];

	for (; *parts != NULL; parts++) {
		if (vp_fmt(path, sizeof path, "%s/%s", userdir, *parts) != 0)
			return VA_DIR_TOO_LONG;
		if (make_one(path, uid, gid, may_exist) != 0)
			return VA_SUBDIR_CREATION;
	}
	return VA_SUCCESS;
}

int vp_make_maildir_in(const char *userdir, uid_t uid, gid_t gid)
{
	static const char *const parts[] = {
		"Maildir", "Maildir/new", "Maildir/cur", "Maildir/tmp", NULL
	};

	if (userdir == NULL)
		return VA_NULL_POINTER;
	return make_maildir(userdir, parts, uid, gid, 1);
}

/* 1 if path has a ".." component. */
static int has_dotdot(const char *path)
{
	const char *p = path;

	while ((p = strstr(p, "..")) != NULL) {
		if ((p == path || p[-1] == '/') && (p[2] == '/' || p[2] == '\0'))
			return 1;
		p += 2;
	}
	return 0;
}

/* Remove a skeleton that make_maildir() built in dir (empty directories
 * only; one that holds anything else stays, and so does the failure). */
void vp_drop_skeleton(const char *dir)
{
	static const char *const parts[] = {
		"Maildir/cur", "Maildir/new", "Maildir/tmp", "Maildir", "", NULL
	};
	char path[VP_PATH_MAX];
	size_t i;

	for (i = 0; parts[i] != NULL; i++)
		if (vp_fmt(path, sizeof path, "%s/%s", dir, parts[i]) == 0)
			rmdir(path);
}

/*
 * Recreate a user's directory recorded in the auth database but missing
 * on disk (delivery and login call this): the path below the domain
 * directory, then Maildir/{cur,new,tmp}.  As in vpopmail an existing
 * Maildir is a failure, and the process umask becomes 077.  The skeleton
 * is built as .<name>.vmake beside the directory and renamed into place:
 * a process killed part way must not leave a directory without its
 * Maildir, which no later delivery or login would make again; the next
 * call removes such a stale skeleton first.
 */
int vmake_maildir(char *domain, char *dir)
{
	static const char *const parts[] = {
		"Maildir", "Maildir/cur", "Maildir/new", "Maildir/tmp", NULL
	};
	char path[VP_PATH_MAX], parent[VP_PATH_MAX], tmp[VP_PATH_MAX];
	struct vdomain d;
	struct stat st;
	size_t n;
	int rc;

	umask(077);
	if (domain == NULL || dir == NULL)
		return VA_NULL_POINTER;
	rc = vp_domain_lookup(domain, &d);
	if (rc != VA_SUCCESS)
		return VA_DOMAIN_DOES_NOT_EXIST;
	if (stat(d.dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return VA_BAD_DIR;

	/* The user's directory must lie below the domain's. */
	n = strlen(d.dir);
	if (strncmp(dir, d.dir, n) != 0 || dir[n] != '/' || dir[n + 1] == '\0' ||
	    has_dotdot(dir + n))
		return VA_BAD_U_DIR2;
	if (vp_strlcpy(path, dir, sizeof path) != 0)
		return VA_DIR_TOO_LONG;
	for (n = strlen(path); n > 1 && path[n - 1] == '/'; n--)
		path[n - 1] = '\0';
	if (vp_dirname(path, parent, sizeof parent) != 0 ||
	    vp_fmt(tmp, sizeof tmp, "%s/.%s.vmake", parent, path + strlen(parent) + 1) != 0)
		return VA_DIR_TOO_LONG;
	/* (below the domain's directory only: not made again if it went) */
	if (strncmp(parent, d.dir, strlen(d.dir)) != 0 ||
	    vp_mkdir_below(d.dir, parent + strlen(d.dir), d.uid, d.gid) != 0)
		return VA_BAD_U_DIR2;
	vp_drop_skeleton(tmp);
	if (make_one(tmp, d.uid, d.gid, 0) != 0)
		return VA_BAD_U_DIR2;
	rc = make_maildir(tmp, parts, d.uid, d.gid, 0);
	if (rc == VA_SUCCESS && rename(tmp, path) != 0)
		rc = VA_SUBDIR_CREATION;        /* it exists: a failure, as before */
	if (rc != VA_SUCCESS) {
		vp_drop_skeleton(tmp);
		return rc;
	}
	vp_chown_tree(dir, d.uid, d.gid);
	return VA_SUCCESS;
}

/*
 * "user@domain" for a Maildir path (Delivered-To of Maildir deliveries):
 * the user is the component before the last "/Maildir/" (or a trailing
 * "/Maildir"), the domain the nearest ancestor component holding a '.'.
 * Components must not start at the very beginning of the string, as in
 * vpopmail.  "" when either cannot be found.
 */
char *maildir_to_email(const char *maildir)
{
	static char email[256];
	char cwd[VP_PATH_MAX];
	char *path, *p, *hit;
	size_t len, cut, us, k, end;
	int dot;

	email[0] = '\0';
	if (maildir == NULL)
		return email;
	if (maildir[0] == '.' && maildir[1] == '/') {
		if (getcwd(cwd, sizeof cwd) == NULL)
			return email;
		len = strlen(cwd) + strlen(maildir);
		path = malloc(len + 1);
		if (path == NULL)
			return email;
		strcpy(path, cwd);
		strcat(path, maildir + 1);
	} else {
		path = strdup(maildir);
		if (path == NULL)
			return email;
	}
	len = strlen(path);

	/* Where the user component ends. */
	hit = NULL;
	for (p = path + 1; len > 0 && (p = strstr(p, "/Maildir/")) != NULL; p++)
		hit = p;
	if (hit != NULL) {
		cut = (size_t)(hit - path);
	} else if (len >= 8 && strcmp(path + len - 8, "/Maildir") == 0) {
		cut = len - 8;
	} else {
		goto none;
	}

	/* The user: back to the previous slash, which must not be the first byte. */
	for (us = cut; us > 0 && (us == cut || path[us] != '/'); us--)
		;
	if (us == 0)
		goto none;

	/* The domain: walk up component by component until one has a dot. */
	end = us;
	for (;;) {
		dot = 0;
		for (k = end; k > 0 && (k == end || path[k] != '/'); k--)
			if (k != end && path[k] == '.')
				dot = 1;
		if (k == 0)
			goto none;
		if (dot)
			break;
		end = k;
	}
	path[cut] = '\0';
	path[end] = '\0';
	snprintf(email, sizeof email, "%s@%s", path + us + 1, path + k + 1);
	free(path);
	return email;
none:
	free(path);
	return email;
}

/* "Date: Www, DD Mon YYYY HH:MM:SS +0000\n" for the current time, in UTC. */
char *date_header(void)
{
	static const char days[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};
	static char buf[64];
	struct tm tm;
	time_t now = time(NULL);

	if (gmtime_r(&now, &tm) == NULL) {
		buf[0] = '\0';
		return buf;
	}
	snprintf(buf, sizeof buf, "Date: %s, %02d %s %d %02d:%02d:%02d +0000\n",
	         days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	         tm.tm_hour, tm.tm_min, tm.tm_sec);
	return buf;
}
