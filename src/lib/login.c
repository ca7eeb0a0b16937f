/*
 * login.c - the checkpassword login of vchkpw (spec runtime §3).
 *
 * Order of the checks as the original: credentials, login name, user,
 * user directory, challenge/response, empty password, crypt, service
 * flags; then lastauth and the roaming relay; then uid/gid, cwd and
 * environment (vlogin_enter).  Differences, all deliberate: an unknown
 * user or domain costs one crypt() like a wrong password does, secrets
 * are compared in constant time, the IP is cleaned at any length, and
 * only an IPv4 client can open the relay.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "login.h"
#include "md5.h"
#include "fdio.h"

#include <errno.h>
#include <grp.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Statuses that mean "refused" (not an internal error), spec §3.6. */
static int is_refusal(int status)
{
	return status == 1 || status == 3 || status == 12 || status == 13 ||
	       status == 15 || status == 20 || status == 21 || status == 22 || status == 23;
}

static int fail(struct vlogin *l, int status)
{
	l->status = status;
	return VA_USER_DOES_NOT_EXIST;
}

int vlogin_init(struct vlogin *l, const char *argv1)
{
	if (l == NULL)
		return VA_NULL_POINTER;
	memset(l, 0, sizeof *l);
	l->login = l->password = l->stamp = l->input + VLOGIN_MAX_INPUT;
	l->authtype = "PLAIN";
	vp_login_classify(l, argv1);
	return VA_SUCCESS;
}

int vlogin_read(struct vlogin *l, int fd)
{
	size_t got = 0, a;
	ssize_t r;
	char *end;

	while (got < VLOGIN_MAX_INPUT) {
		r = vp_read(fd, l->input + got, VLOGIN_MAX_INPUT - got);
		if (r < 0)
			return fail(l, 11);
		if (r == 0)
			break;
		got += (size_t)r;
	}
	/* The next program has no use for it (checkpassword-reply writes to fd 4). */
	close(fd);
	l->input[got] = '\0';
	end = l->input + got;
	/* login NUL password NUL stamp NUL; missing fields are empty. */
	l->login = l->input;
	a = strlen(l->login);
	l->password = l->login + a < end ? l->login + a + 1 : end;
	a = strlen(l->password);
	l->stamp = l->password + a < end ? l->password + a + 1 : end;

	if (l->login[0] == '\0') {
		vp_login_log(l, VP_EV_LOGON, "null user name given %s:%s", l->login, l->ip);
		return fail(l, 12);
	}
	if (l->password[0] == '\0') {
		vp_login_log(l, VP_EV_PASSWORD, "null password given %s:%s", l->login, l->ip);
		return fail(l, 13);
	}
	return VA_SUCCESS;
}

/*
 * Spend what checking a real password costs, so that the answer for an
 * unknown user or domain cannot be told from a wrong password by time.
 * The setting has the scheme and cost new passwords get.
 */
void vp_login_equal_cost(const char *password)
{
#if defined(SHA512_PASSWORDS)
	static const char setting[] = "$6$vpopmail$";
#elif defined(MD5_PASSWORDS)
	static const char setting[] = "$1$vpopmail$";
#else
	static const char setting[] = "vp";
#endif
	(void)vp_check_password(password, setting);
}

/* Give a user without a directory one (hashed dir), then read it again. */
static int allocate_dir(struct vlogin *l)
{
	/* make_user_dir() stores the new directory in the record. */
	if (make_user_dir(l->user, l->domain, l->dom.uid, l->dom.gid) == NULL) {
		vp_login_log(l, VP_EV_INTERNAL, "dir auto create failed %s@%s:%s", l->user, l->domain, l->ip);
		return fail(l, 14);
	}
	if (vp_getpw(l->user, l->domain, &l->ent, &l->dom) != VA_SUCCESS ||
	    l->ent.pw.pw_dir[0] == '\0') {
		vp_login_log(l, VP_EV_INTERNAL, "failed to vauth_getpw() after dir auto create %s@%s:%s",
		             l->user, l->domain, l->ip);
		return fail(l, 14);
	}
	return VA_SUCCESS;
}

/* APOP (POP) or CRAM-MD5 (SMTP) against the stored clear password: 1 if it matches. */
static int challenge_ok(struct vlogin *l)
{
#ifdef CLEAR_PASS
	const char *clear = l->ent.pw.pw_clear_passwd;
	char want[33];

	if (clear == NULL || clear[0] == '\0')
		return 0;
	if (l->service == VLOGIN_SMTP) {
		vp_hmac_md5_hex(clear, l->stamp, want);
		l->authtype = "CRAM-MD5";
	} else if (l->service == VLOGIN_POP) {
		vp_md5_hex2(l->stamp, clear, want);
		l->authtype = "APOP";
	} else {
		return 0;
	}
	if (vp_ct_equal(l->password, want)) {
		explicit_bzero(want, sizeof want);
		return 1;
	}
	explicit_bzero(want, sizeof want);
	l->authtype = "PLAIN";
#else
	(void)l;
#endif
	return 0;
}

#ifdef LEARN_PASSWORDS
/* --enable-learn-passwords: store the password given (hash, and clear copy). */
static int learn(struct vlogin *l, int hash_too)
{
	char crypted[MAX_PW_PASS + 1];
	struct vqpasswd pw = l->ent.pw;

	if (hash_too) {
		if (vp_hash_password(l->password, crypted, sizeof crypted) != VA_SUCCESS)
			return VA_CRYPT_FAILED;
		pw.pw_passwd = crypted;
	}
#ifdef CLEAR_PASS
	pw.pw_clear_passwd = l->password;
#endif
	/* Only over the record the password was checked against: an admin
	 * who changed the password or the flags (locked the account) since
	 * the lookup must not have that undone by this login. */
	return vauth_setpw_if(&l->ent.pw, &pw, l->domain);
}
#endif

/* The service checks of §3.4 step 10: 0 allowed, else the status set. */
static int service_allowed(struct vlogin *l)
{
	gid_t f = l->ent.pw.pw_flags;
	const char *what = NULL;

	switch (l->service) {
	case VLOGIN_POP:     if (f & NO_POP) what = "pop"; break;
	case VLOGIN_SMTP:    if (f & NO_SMTP) what = "smtp"; break;
	case VLOGIN_IMAP:    if (f & NO_IMAP) what = "imap"; break;
	case VLOGIN_WEBMAIL: if (f & NO_WEBMAIL) what = "webmail"; break;
	}
	/* With $SERVICE a local POP/IMAP client is also a webmail client. */
	if (what == NULL && l->by_service_var && l->local_client &&
	    l->service != VLOGIN_SMTP && (f & NO_WEBMAIL))
		what = "webmail";
	if (what == NULL)
		return 0;
	vp_login_log(l, VP_EV_ACCESS, "%s access denied %s@%s:%s", what, l->user, l->domain, l->ip);
	return fail(l, 1);
}

/* Roaming users: an authenticated POP/IMAP/webmail client may relay. */
void vp_login_open_relay(struct vlogin *l, int check_flags)
{
#ifdef POP_AUTH_OPEN_RELAY
	int rc;

	if (l->service == VLOGIN_SMTP || !l->have_ip ||
	    (check_flags && (l->ent.pw.pw_flags & NO_RELAY)))
		return;
	rc = vroaming_open(l->raw_ip);
	if (rc == VA_BAD_DIR)	/* tcprules failed: 5.6's warning, on stderr */
		fputs("Warning: update_rules() - tcprules failed\n", stderr);
	if (rc == VA_INVALID_IP_ADDRESS)
		vp_login_log(l, VP_EV_INTERNAL, "relay not opened for non-IPv4 address %s@%s:%s",
		             l->user, l->domain, l->ip);
	else if (rc != VA_SUCCESS)
		vp_login_log(l, VP_EV_INTERNAL, "relay update failed %s@%s:%s",
		             l->user, l->domain, l->ip);
#else
	(void)l;
	(void)check_flags;
#endif
}

/*
 * The user's record.  "No such domain" is checked again with the strict
 * lookup: a users/cdb that is there but could not be read (an I/O error)
 * is no answer, and the login is tried again later (111), not refused as
 * a wrong password.  One that answers the second time is used.
 */
static int lookup_user(struct vlogin *l)
{
	char cdb[VP_PATH_MAX];
	struct stat st;
	int rc = vp_getpw(l->user, l->domain, &l->ent, &l->dom);

	if (rc != VA_DOMAIN_DOES_NOT_EXIST)
		return rc;
	switch (vp_domain_lookup_strict(l->domain, NULL)) {
	case VA_SUCCESS:
		return vp_getpw(l->user, l->domain, &l->ent, &l->dom);
	case VA_NO_AUTH_CONNECTION:
		/* (a missing users/cdb: no virtual domain at all) */
		if (vp_qmail_path(cdb, sizeof cdb, "users/" QMAIL_CDB_NAME) != NULL &&
		    (stat(cdb, &st) == 0 || errno != ENOENT))
			return VA_NO_AUTH_CONNECTION;
		return rc;
	default:
		return rc;
	}
}

int vlogin_check(struct vlogin *l)
{
	char work[VLOGIN_MAX_INPUT + 1];
	int accepted = 0, rc = VA_SUCCESS;
#if defined(LEARN_PASSWORDS) && defined(CLEAR_PASS)
	int learned = 0;        /* the record was just written, hash and clear copy */
#endif

	if (l == NULL)
		return VA_NULL_POINTER;
	/* VPOPUSER is the login as given, folded to lower case. */
	vp_strlcpy(l->given, l->login, sizeof l->given);
	lowerit(l->given);
	vp_strlcpy(work, l->given, sizeof work);
	if (parse_email(work, l->user, l->domain, (int)sizeof l->user) != 0) {
		vp_login_log(l, VP_EV_PASSWORD, "invalid user/domain characters %s:%s", l->given, l->ip);
		return fail(l, 20);
	}
	if (l->user[0] == '\0' || strlen(l->user) > MAX_PW_NAME || strlen(l->domain) > MAX_PW_DOMAIN ||
	    (rc = lookup_user(l)) != VA_SUCCESS) {
		/* A user database that cannot be read (an SQL server out of
		 * reach, a vpopmail.mysql that does not parse): try again
		 * later, never "no such user". */
		if (vp_lookup_failed(rc)) {
			vp_login_log(l, VP_EV_INTERNAL, "user database unavailable %s@%s:%s",
			             l->user, l->domain, l->ip);
			return fail(l, 111);
		}
#ifdef HAS_SYSTEM_PASSWD
		return vp_login_system(l);
#else
		vp_login_equal_cost(l->password);
		/* An alias domain is named by its real domain, as 5.6 does. */
		vp_login_log(l, VP_EV_LOGON, "vpopmail user not found %s@%s:%s", l->user,
		             rc == VA_USER_DOES_NOT_EXIST && l->dom.real[0] != '\0' ? l->dom.real : l->domain,
		             l->ip);
		return fail(l, 3);
#endif
	}
	vp_strlcpy(l->domain, l->dom.real, sizeof l->domain);

	if (l->ent.pw.pw_dir[0] == '\0' && allocate_dir(l) != VA_SUCCESS)
		return VA_BAD_U_DIR;

	accepted = challenge_ok(l);
	if (l->ent.pw.pw_passwd[0] == '\0') {
#ifdef LEARN_PASSWORDS
		/* The hash and the clear copy are stored together. */
		if (learn(l, 1) != VA_SUCCESS) {
			vp_login_log(l, VP_EV_INTERNAL, "user has no password %s@%s:%s", l->user, l->domain, l->ip);
			return fail(l, 15);
		}
		accepted = 1;
#ifdef CLEAR_PASS
		learned = 1;
#endif
#else
		vp_login_log(l, VP_EV_INTERNAL, "user has no password %s@%s:%s", l->user, l->domain, l->ip);
		return fail(l, 15);
#endif
	}
	if (!accepted && vp_check_password(l->password, l->ent.pw.pw_passwd) != 0) {
		if (vp_log_shows_password())
			vp_login_log(l, VP_EV_PASSWORD, "password fail (pass: '%s') %s@%s:%s",
			             l->password, l->user, l->domain, l->ip);
		else
			vp_login_log(l, VP_EV_PASSWORD, "password fail %s@%s:%s", l->user, l->domain, l->ip);
		return fail(l, 3);
	}
#if defined(LEARN_PASSWORDS) && defined(CLEAR_PASS)
	/* Only the clear copy is missing (a record written just above has
	 * both: rewriting it from l->ent would drop the new hash). */
	if (!learned && (l->ent.pw.pw_clear_passwd == NULL || l->ent.pw.pw_clear_passwd[0] == '\0'))
		(void)learn(l, 0);
#endif
	if (service_allowed(l) != 0)
		return VA_USER_DOES_NOT_EXIST;

	vp_login_log(l, VP_EV_SUCCESS, "(%s) login success %s@%s:%s", l->authtype, l->user, l->domain, l->ip);
#ifdef ENABLE_AUTH_LOGGING
	(void)vauth_backend_get()->set_lastauth(&l->dom, &l->ent.pw, l->ip, time(NULL));
#endif
	vp_login_open_relay(l, 1);
	l->status = 0;
	return VA_SUCCESS;
}

/* setenv, logging the failure with the original's status. */
static int put(struct vlogin *l, const char *name, const char *value, int status)
{
	if (setenv(name, value, 1) == 0)
		return 0;
	vp_login_log(l, VP_EV_INTERNAL, "putenv(%s) failed errno %d %s@%s:%s",
	             name, errno, l->user, l->domain, l->ip);
	return fail(l, status);
}

/*
 * Under Dovecot the uid/gid and mail location travel back as userdb
 * fields (checkpassword-reply refuses to run after a setuid), and the
 * user name becomes the canonical user@realdomain.
 */
static int dovecot_env(struct vlogin *l, uid_t uid, gid_t gid, const char *dir)
{
	char num[32], mail[VP_PATH_MAX + 16];

	snprintf(num, sizeof num, "%lu", (unsigned long)uid);
	if (setenv("userdb_uid", num, 1) != 0)
		return -1;
	snprintf(num, sizeof num, "%lu", (unsigned long)gid);
	if (setenv("userdb_gid", num, 1) != 0)
		return -1;
	(void)l;
	if (vp_fmt(mail, sizeof mail, "maildir:%s/Maildir", dir) != 0 ||
	    setenv("userdb_mail", mail, 1) != 0)
		return -1;
	return setenv("EXTRA", "userdb_uid userdb_gid userdb_mail", 1);
}

int vlogin_enter(struct vlogin *l)
{
	const char *dir = l->system ? l->sys_home : l->ent.pw.pw_dir;
	uid_t uid = l->system ? l->sys_uid : l->dom.uid;
	gid_t gid = l->system ? l->sys_gid : l->dom.gid;
	char who[2 * (VLOGIN_MAX_INPUT + 1)];
	int e;

	if (l->service != VLOGIN_SMTP) {
		if (!l->dovecot) {
			/* Drop root's supplementary groups too (the original kept them). */
			if (geteuid() == 0 && setgroups(1, &gid) != 0) {
				vp_login_log(l, VP_EV_INTERNAL, "setgid %lu failed errno %d %s@%s:%s",
				             (unsigned long)gid, errno, l->user, l->domain, l->ip);
				return fail(l, 4);
			}
			if (setgid(gid) != 0) {
				vp_login_log(l, VP_EV_INTERNAL, "setgid %lu failed errno %d %s@%s:%s",
				             (unsigned long)gid, errno, l->user, l->domain, l->ip);
				return fail(l, 4);
			}
			if (setuid(uid) != 0) {
				vp_login_log(l, VP_EV_INTERNAL, "setuid %lu failed errno %d %s@%s:%s",
				             (unsigned long)uid, errno, l->user, l->domain, l->ip);
				return fail(l, 5);
			}
		}
		if (l->system && chdir(dir) != 0) {
			vp_login_log(l, VP_EV_INTERNAL, "chdir failed errno %d %s %s@%s:%s",
			             errno, dir, l->user, l->domain, l->ip);
			return fail(l, 6);
		}
		if (!l->system && chdir(dir) != 0) {
			if (vmake_maildir(l->domain, (char *)dir) != VA_SUCCESS) {
				e = errno;
				vp_login_log(l, VP_EV_INTERNAL, "autocreate dir errno %d %s %s@%s:%s",
				             e, dir, l->user, l->domain, l->ip);
				return fail(l, 6);
			}
			(void)!chdir(dir);
		}
	}
	if (l->dovecot && !l->system) {
		if (vp_fmt(who, sizeof who, "%s@%s", l->user, l->domain) != 0 ||
		    put(l, "USER", who, 7) != 0)
			return fail(l, 7);
	} else if (put(l, "USER", l->user, 7) != 0) {
		return VA_MEMORY_ALLOC_ERR;
	}
	if (put(l, "HOME", dir, 8) != 0 || put(l, "SHELL", "NOLOGIN", 9) != 0 ||
	    put(l, "VPOPUSER", l->given, 10) != 0)
		return VA_MEMORY_ALLOC_ERR;
	if (l->dovecot && dovecot_env(l, uid, gid, dir) != 0) {
		vp_login_log(l, VP_EV_INTERNAL, "putenv(EXTRA) failed errno %d %s@%s:%s",
		             errno, l->user, l->domain, l->ip);
		return fail(l, 10);
	}
	return VA_SUCCESS;
}

int vlogin_exit_status(const struct vlogin *l)
{
	if (l->dovecot && is_refusal(l->status))
		return 1;
	return l->status;
}

void vlogin_log_exec_failure(struct vlogin *l, const char *prog, int err)
{
	vp_login_log(l, VP_EV_INTERNAL, "exec %s failed errno %d %s@%s:%s",
	             prog != NULL ? prog : "(none)", err, l->user, l->domain, l->ip);
}

void vlogin_free(struct vlogin *l)
{
	if (l == NULL)
		return;
	vpw_entry_free(&l->ent);
	explicit_bzero(l->input, sizeof l->input);
	/* The next program must not inherit a database connection. */
	vclose();
}
