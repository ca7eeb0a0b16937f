/*
 * dotqmail.c - users' .qmail files and domains' .qmail-default, as
 * vmakedotqmail manages them.
 *
 * control/defaultdelivery (the delivery instruction for mailboxes) can
 * be installed as <home>/.qmail, removed again, and a domain's
 * .qmail-default can be rewritten with vdelivermail or another line.
 * Files are replaced atomically, 0600, owned by the vpopmail user.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int vdefaultdelivery_read(char **text, size_t *len)
{
	char path[VP_PATH_MAX];

	if (text == NULL)
		return VA_NULL_POINTER;
	*text = NULL;
	if (len != NULL)
		*len = 0;
	if (vp_qmail_path(path, sizeof(path), "control/defaultdelivery") == NULL)
		return VA_DIR_TOO_LONG;
	if (vp_slurp(path, text, len) != 0) {
		free(*text);
		*text = NULL;
		return VA_COULD_NOT_OPEN_DOT_QMAIL;
	}
	return VA_SUCCESS;
}

int vdotqmail_path(const char *homedir, char *path, size_t size)
{
	if (homedir == NULL || path == NULL)
		return VA_NULL_POINTER;
	if (vp_fmt(path, size, "%s/.qmail", homedir) != 0)
		return VA_BAD_U_DIR;
	return VA_SUCCESS;
}

int vdotqmail_exists(const char *homedir)
{
	char path[VP_PATH_MAX];

	if (vdotqmail_path(homedir, path, sizeof(path)) != VA_SUCCESS)
		return 0;
	return access(path, F_OK) == 0;
}

/* The owner of `dir` (a domain's or a user's directory: the domain's ids),
 * else the vpopmail user's: whoever reads the files written there, mode
 * 0600, as that uid (qmail-local, vdelivermail). */
static void dir_owner(const char *dir, uid_t *uid, gid_t *gid)
{
	struct stat st;

	*uid = vp_uid();
	*gid = vp_gid();
	if (stat(dir, &st) == 0) {
		*uid = st.st_uid;
		*gid = st.st_gid;
	}
}

int vdotqmail_write(const char *homedir, const char *text, size_t len)
{
	char path[VP_PATH_MAX];
	uid_t uid;
	gid_t gid;
	int rc;

	if (text == NULL)
		return VA_NULL_POINTER;
	rc = vdotqmail_path(homedir, path, sizeof(path));
	if (rc != VA_SUCCESS)
		return rc;
	/* owned before it is in place: vdelivermail reads it as that owner */
	dir_owner(homedir, &uid, &gid);
	if (vp_write_file_owned(path, text, len, 0600, uid, gid) != 0)
		return VA_COULD_NOT_OPEN_DOT_QMAIL;
	return VA_SUCCESS;
}

int vdotqmail_remove(const char *homedir)
{
	char path[VP_PATH_MAX];
	int rc;

	rc = vdotqmail_path(homedir, path, sizeof(path));
	if (rc != VA_SUCCESS)
		return rc;
	if (unlink(path) != 0)
		return errno == ENOENT ? VA_USER_DOES_NOT_EXIST : VA_COULD_NOT_OPEN_DOT_QMAIL;
	return VA_SUCCESS;
}

int vdotqmail_default_write(const char *domdir, const char *line)
{
	char path[VP_PATH_MAX], *text;
	uid_t uid;
	gid_t gid;
	size_t n;
	int rc;

	if (domdir == NULL)
		return VA_NULL_POINTER;
	dir_owner(domdir, &uid, &gid);
	if (line == NULL)
		return vp_write_qmail_default(domdir, "delete", uid, gid);
	if (vp_fmt(path, sizeof(path), "%s/.qmail-default", domdir) != 0)
		return VA_DIR_TOO_LONG;
	/* qmail-local wants whole lines: the instruction gets its newline. */
	n = strlen(line);
	if ((text = malloc(n + 2)) == NULL)
		return VA_MEMORY_ALLOC_ERR;
	memcpy(text, line, n);
	text[n] = '\n';
	text[n + 1] = '\0';
	rc = vp_write_file_owned(path, text, n + 1, 0600, uid, gid);
	free(text);
	if (rc != 0)
		return VA_COULD_NOT_OPEN_QMAIL_DEFAULT;
	return VA_SUCCESS;
}
