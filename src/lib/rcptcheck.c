/*
 * rcptcheck.c - is an address deliverable here?  (vrcptcheck's answer
 * to qmail-smtpd.)
 *
 * Deliverable: a vpopmail user, a .qmail-<name> forward in the domain
 * directory (not a mailing list or autoresponder line), an
 * autoresponder directory <NAME>/message, a row of the SQL valias
 * table (--enable-valias), or a qmail system alias
 * (QMAILDIR/alias/.qmail-<name> or .qmail-<name>-default).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"
#include "vutil.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/*
 * <domdir>/.qmail-<user> exists and its first line is a plain forward.
 * .qmail-default is the domain's catch-all that hands mail to
 * vdelivermail, never a forward: counting it would make default@<domain>
 * deliverable everywhere.  A longer name (.qmail-default-x) is an
 * ordinary alias to qmail-local, matched only by that exact address.
 */
static int is_forward(const char *domdir, const char *user)
{
	char line[MAX_BUFF];

	return strcmp(user, "default") != 0 &&
	       vp_dotqmail_first_line(domdir, user, line, sizeof line) == 0 &&
	       vp_line_is_forward(line);
}

/* <domdir>/<NAME upper-cased>/message exists. */
static int is_autoresponder(const char *domdir, const char *name)
{
	char path[VP_PATH_MAX];

	return vp_robot_message_path(domdir, name, path, sizeof path) == 0 && exists(path);
}

/* QMAILDIR/alias/.qmail-<qname> or .qmail-<qname>-default exists. */
static int is_system_alias(const char *qname)
{
	char rel[VP_PATH_MAX], path[VP_PATH_MAX];

	if (vp_fmt(rel, sizeof(rel), "alias/.qmail-%s", qname) == 0 &&
	    vp_qmail_path(path, sizeof(path), rel) != NULL && exists(path))
		return 1;
	if (vp_fmt(rel, sizeof(rel), "alias/.qmail-%s-default", qname) == 0 &&
	    vp_qmail_path(path, sizeof(path), rel) != NULL && exists(path))
		return 1;
	return 0;
}

int vrcpt_deliverable(const char *address)
{
	char input[MAX_BUFF], qname[MAX_BUFF];
	char *user, *domain, *at;
	struct vdomain d;
	int rc;

	if (address == NULL)
		return VA_NULL_POINTER;
	if (vp_strlcpy(input, address, sizeof(input)) != 0)
		return VA_USER_DOES_NOT_EXIST;    /* longer than any address */
	input[strcspn(input, "\r\n")] = '\0';

	user = input;
	if ((at = strchr(input, '@')) == NULL)
		return VA_USER_DOES_NOT_EXIST;
	*at = '\0';
	domain = at + 1;
	domain[strcspn(domain, "@")] = '\0';
	/* Nothing else could name a file inside the domain directory. */
	if (user[0] == '\0' || domain[0] == '\0' || user[0] == '.' ||
	    strchr(user, '/') != NULL || vp_has_ctl(user))
		return VA_USER_DOES_NOT_EXIST;
	vp_lower(user);
	vp_lower(domain);
	/* the .qmail name part: '.' becomes ':' as in qmail-local */
	vp_strlcpy(qname, user, sizeof(qname));
	str_replace(qname, '.', ':');

	if (vauth_open(0) != 0)
		return VA_NO_AUTH_CONNECTION;      /* no answer is not "no such user" */
	/* users/cdb that cannot be read is no answer either (as vdelivermail) */
	if (vp_lookup_failed(rc = vp_domain_lookup_strict(domain, &d)))
		return rc;
	if (rc == VA_SUCCESS) {
		struct vpw_entry e = {0};

		domain = d.real;                   /* an alias domain's real one */
		rc = vp_getpw(user, domain, &e, NULL);
		vpw_entry_free(&e);
		if (rc == VA_SUCCESS)
			return VA_SUCCESS;
		if (vp_lookup_failed(rc))
			return rc;                 /* a database that cannot answer */
		if (is_forward(d.dir, user) || is_autoresponder(d.dir, user))
			return VA_SUCCESS;
#ifdef VALIAS
		verrori = 0;
		if (valias_select(user, domain) != NULL)
			return VA_SUCCESS;
		if (vp_lookup_failed(verrori))
			return verrori;            /* the alias table did not answer */
#endif
	}
	if (is_system_alias(qname))
		return VA_SUCCESS;
	return VA_USER_DOES_NOT_EXIST;
}
