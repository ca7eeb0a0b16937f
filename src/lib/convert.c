/*
 * convert.c - the file access behind vconvert.
 *
 * vconvert imports accounts from two outside sources: the system account
 * database (passwd plus shadow) and a "user:crypted" list.  This file
 * reads those sources and adds an imported user with its hash
 * (vconvert_adduser()), so that the program never opens a file itself.
 *
 * The system databases are read with getpwent(3)/getspent(3).  For tests
 * VPOPMAIL_ETC_PASSWD / VPOPMAIL_ETC_SHADOW (config.c) name passwd(5)
 * and shadow(5) format files to read instead.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"

#include <errno.h>
#include <pwd.h>
#include <shadow.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* System accounts.                                                   */

/* One shadow entry: name and hash, both in one allocation. */
struct shadow_ent {
	char *name;
	char *hash;
};

static struct shadow_ent *shadow_tab;
static size_t shadow_n;
static FILE *sys_pw;            /* override file, or NULL for getpwent */
static int sys_open;

static void shadow_free(void)
{
	size_t i;

	for (i = 0; i < shadow_n; i++)
		free(shadow_tab[i].name);
	free(shadow_tab);
	shadow_tab = NULL;
	shadow_n = 0;
}

static int shadow_add(const char *name, const char *hash)
{
	struct shadow_ent *t;
	size_t nl = strlen(name) + 1, hl = strlen(hash) + 1;
	char *mem;

	t = realloc(shadow_tab, (shadow_n + 1) * sizeof *t);
	if (t == NULL)
		return VA_MEMORY_ALLOC_ERR;
	shadow_tab = t;
	mem = malloc(nl + hl);
	if (mem == NULL)
		return VA_MEMORY_ALLOC_ERR;
	memcpy(mem, name, nl);
	memcpy(mem + nl, hash, hl);
	shadow_tab[shadow_n].name = mem;
	shadow_tab[shadow_n].hash = mem + nl;
	shadow_n++;
	return VA_SUCCESS;
}

/*
 * Load every shadow entry.  An unreadable shadow database (not root) is
 * not an error: it leaves the table empty, so no account qualifies.
 */
static int shadow_load(void)
{
	const char *file = vp_etc_shadow();
	struct spwd *sp;
	FILE *fp = NULL;
	int err = VA_SUCCESS;

	if (file != NULL) {
		fp = fopen(file, "re");
		if (fp == NULL)
			return VA_SUCCESS;
	} else {
		setspent();
	}
	while (err == VA_SUCCESS &&
	       (sp = (fp != NULL ? fgetspent(fp) : getspent())) != NULL) {
		if (sp->sp_namp != NULL && sp->sp_pwdp != NULL)
			err = shadow_add(sp->sp_namp, sp->sp_pwdp);
	}
	if (fp != NULL)
		fclose(fp);
	else
		endspent();
	return err;
}

static const char *shadow_hash(const char *name)
{
	size_t i;

	for (i = 0; i < shadow_n; i++)
		if (strcmp(shadow_tab[i].name, name) == 0)
			return shadow_tab[i].hash;
	return NULL;
}

void vconvert_sys_end(void)
{
	if (sys_pw != NULL)
		fclose(sys_pw);
	else if (sys_open)
		endpwent();
	sys_pw = NULL;
	sys_open = 0;
	shadow_free();
}

int vconvert_sys_begin(void)
{
	const char *file;
	int err;

	vconvert_sys_end();
	err = shadow_load();
	if (err != VA_SUCCESS) {
		shadow_free();
		return err;
	}
	file = vp_etc_passwd();
	if (file != NULL) {
		sys_pw = fopen(file, "re");
		if (sys_pw == NULL) {
			shadow_free();
			return VA_COULD_NOT_UPDATE_FILE;
		}
	} else {
		setpwent();
	}
	sys_open = 1;
	return VA_SUCCESS;
}

int vconvert_sys_next(struct vconvert_account *acct)
{
	struct passwd *pw;

	if (acct == NULL || !sys_open)
		return 0;
	pw = sys_pw != NULL ? fgetpwent(sys_pw) : getpwent();
	if (pw == NULL)
		return 0;
	acct->name = pw->pw_name;
	acct->gecos = pw->pw_gecos != NULL ? pw->pw_gecos : "";
	acct->passwd = pw->pw_name != NULL ? shadow_hash(pw->pw_name) : NULL;
	return 1;
}

/* ------------------------------------------------------------------ */
/* "user:crypted" lists.                                              */

static FILE *list_fp;
static char *list_line;
static size_t list_cap;

int vconvert_list_open(const char *path)
{
	vconvert_list_close();
	if (path == NULL)
		return VA_NULL_POINTER;
	list_fp = fopen(path, "re");
	if (list_fp == NULL)
		return VA_COULD_NOT_UPDATE_FILE;   /* errno is kept for the caller */
	return VA_SUCCESS;
}

int vconvert_list_next(char **user, char **crypted)
{
	static const char seps[] = " :\n\t";
	char *save, *u, *c;

	if (list_fp == NULL || user == NULL || crypted == NULL)
		return 0;
	while (getline(&list_line, &list_cap, list_fp) >= 0) {
		u = strtok_r(list_line, seps, &save);
		if (u == NULL)
			continue;
		c = strtok_r(NULL, seps, &save);
		if (c == NULL)
			continue;
		*user = u;
		*crypted = c;
		return 1;
	}
	return 0;
}

void vconvert_list_close(void)
{
	int saved = errno;

	if (list_fp != NULL)
		fclose(list_fp);
	list_fp = NULL;
	free(list_line);
	list_line = NULL;
	list_cap = 0;
	errno = saved;
}

/* ------------------------------------------------------------------ */
/* Adding an imported user.                                           */

/*
 * 5.6 added an imported user with a fixed password, then stored the
 * hash in a second write: killed between the two, the account opened
 * with that password, and vconvert run again stopped at the existing
 * user.  Here the record is written once, with the hash (and, with
 * `sqwebmail`, the sqwebmail-pass file is in place before it).  The
 * onchange events stay 5.6's: add_user, then mod_user for the hash.
 */
int vconvert_adduser(char *user, char *domain, char *crypted, char *clear, char *gecos,
                     int sqwebmail)
{
	char addr[MAX_PW_NAME + MAX_PW_DOMAIN + 2];
	int rc;

	rc = vp_adduser_given(user, domain, crypted, clear, gecos, USE_POP, sqwebmail);
	if (rc != VA_SUCCESS)
		return rc;
	vp_user_announce(user, domain);
	snprintf(addr, sizeof addr, "%s@%s", user, domain);
	vp_onchange("mod_user", addr, "-", ON_VCHANGE_BEFORE);
	vp_onchange("mod_user", addr, "-", 0);
	vp_onchange("mod_user", addr, "-", ON_VCHANGE_AFTER);
	return VA_SUCCESS;
}
