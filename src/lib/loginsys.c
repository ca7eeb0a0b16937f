/*
 * loginsys.c - vchkpw's fallback to system accounts (--enable-passwd,
 * spec runtime §3.11): when no virtual user matches, the user part of
 * the login is looked up in passwd(5) and its hash in shadow(5).  Such a
 * login gets the account's uid, gid and home, may open the roaming relay
 * (NO_RELAY does not apply), records no lastauth and has no service
 * checks.  VPOPMAIL_ETC_PASSWD / VPOPMAIL_ETC_SHADOW replace the system
 * files for tests (config.c).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "login.h"

#ifdef HAS_SYSTEM_PASSWD
#include <crypt.h>
#include <pwd.h>
#include <shadow.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* The passwd entry of name (static storage of the C library), or NULL. */
static struct passwd *find_pw(const char *name)
{
	const char *file = vp_etc_passwd();
	struct passwd *pw = NULL;
	FILE *fp;

	if (file == NULL)
		return getpwnam(name);
	if ((fp = fopen(file, "re")) == NULL)
		return NULL;
	while ((pw = fgetpwent(fp)) != NULL && strcmp(pw->pw_name, name) != 0)
		;
	fclose(fp);
	return pw;
}

/* The shadow hash of name copied into out; 0, or -1 if there is no entry. */
static int find_hash(const char *name, char *out, size_t size)
{
	const char *file = vp_etc_shadow();
	struct spwd *sp = NULL;
	FILE *fp = NULL;
	int rc = -1;

	if (file != NULL) {
		if ((fp = fopen(file, "re")) == NULL)
			return -1;
		while ((sp = fgetspent(fp)) != NULL && strcmp(sp->sp_namp, name) != 0)
			;
	} else {
		sp = getspnam(name);
	}
	if (sp != NULL && sp->sp_pwdp != NULL && vp_strlcpy(out, sp->sp_pwdp, size) == 0)
		rc = 0;
	if (fp != NULL)
		fclose(fp);
	return rc;
}

/* 0 match, 1 mismatch, -1 crypt could not use the hash (exit 24). */
static int check(const char *clear, const char *hash)
{
	struct crypt_data *cd;
	const char *h;
	int rc;

	cd = mmap(NULL, sizeof *cd, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (cd == MAP_FAILED)
		return -1;
	h = crypt_rn(clear, hash, cd, (int)sizeof *cd);
	if (h == NULL || h[0] == '*')
		rc = -1;
	else
		rc = vp_ct_equal(h, hash) ? 0 : 1;
	munmap(cd, sizeof *cd);
	return rc;
}

int vp_login_system(struct vlogin *l)
{
	char hash[512];
	struct passwd *pw;
	int rc;

	pw = find_pw(l->user);
	if (pw == NULL) {
		vp_login_equal_cost(l->password);
		vp_login_log(l, VP_EV_LOGON, "system user not found %s:%s", l->user, l->ip);
		l->status = 21;
		return VA_USER_DOES_NOT_EXIST;
	}
	l->sys_uid = pw->pw_uid;
	l->sys_gid = pw->pw_gid;
	if (vp_strlcpy(l->sys_home, pw->pw_dir, sizeof l->sys_home) != 0 ||
	    find_hash(l->user, hash, sizeof hash) != 0) {
		vp_login_equal_cost(l->password);
		vp_login_log(l, VP_EV_LOGON, "system user shadow entry not found %s:%s", l->given, l->ip);
		l->status = 22;
		return VA_USER_DOES_NOT_EXIST;
	}
	rc = check(l->password, hash);
	explicit_bzero(hash, sizeof hash);
	if (rc < 0) {
		vp_login_log(l, VP_EV_INTERNAL, "system password crypt failed %s:%s", l->given, l->ip);
		l->status = 24;
		return VA_CRYPT_FAILED;
	}
	if (rc > 0) {
		if (vp_log_shows_password())
			vp_login_log(l, VP_EV_PASSWORD, "system password fail (pass: '%s') %s:%s",
			             l->password, l->given, l->ip);
		else
			vp_login_log(l, VP_EV_PASSWORD, "system password fail %s:%s", l->given, l->ip);
		l->status = 23;
		return VA_USER_DOES_NOT_EXIST;
	}
	l->system = 1;
	vp_login_log(l, VP_EV_SUCCESS, "system password login success %s:%s", l->user, l->ip);
	vp_login_open_relay(l, 0);
	l->status = 0;
	return VA_SUCCESS;
}
#else
/* Keeps the translation unit non-empty in builds without --enable-passwd. */
int vp_login_system(struct vlogin *l)
{
	(void)l;
	return VA_USER_DOES_NOT_EXIST;
}
#endif
