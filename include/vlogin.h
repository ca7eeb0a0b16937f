/*
 * vlogin.h - the checkpassword login of vchkpw and the roaming-users
 * relay file (vpopmail-ng extensions; included by vpopmail.h).
 *
 * vchkpw is a thin program over these calls:
 *
 *   vlogin_init()   connection class, log name and remote IP from the
 *                   environment (TCPLOCALPORT, SERVICE, TCPREMOTEIP, ...)
 *   vlogin_read()   login NUL password NUL [timestamp NUL] from a fd
 *                   (closed afterwards)
 *   vlogin_check()  the user, the password (crypt, APOP, CRAM-MD5), the
 *                   service flags, lastauth and the roaming relay
 *   vlogin_enter()  uid/gid, cwd and environment for the next program
 *
 * Each returns VA_SUCCESS or a VA_* code; on failure l->status holds the
 * exit status vchkpw ends with (spec runtime §3.6) and the syslog line
 * has been written.  vlogin_exit_status() maps it for the caller (under
 * Dovecot every refusal becomes 1).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VLOGIN_H
#define VLOGIN_H

#include <stddef.h>
#include <sys/types.h>

#include "vauth.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Connection classes. */
#define VLOGIN_POP      1
#define VLOGIN_SMTP     2
#define VLOGIN_IMAP     3
#define VLOGIN_WEBMAIL  4

/* Longest credential block read from the fd (Dovecot sends at most 512). */
#define VLOGIN_MAX_INPUT 512

struct vlogin {
	/* From vlogin_init(). */
	int   service;              /* VLOGIN_* */
	int   by_service_var;       /* class came from $SERVICE */
	int   local_client;         /* remote IP is 127.0.0.1 */
	int   dovecot;              /* started by Dovecot's checkpassword passdb */
	char  logname[48];          /* "vchkpw-pop3", ... */
	char  ip[64];               /* remote IP normalised as spec §1.4 ("" if unknown) */
	char  raw_ip[64];           /* $TCPREMOTEIP / $REMOTE_HOST as given ("" if unset) */
	int   have_ip;              /* one of them was set */
	/* From vlogin_read(): pointers into input. */
	char  input[VLOGIN_MAX_INPUT + 1];
	char *login, *password, *stamp;
	/* From vlogin_check(). */
	char  given[VLOGIN_MAX_INPUT + 1];   /* login lower-cased ($VPOPUSER) */
	char  user[VLOGIN_MAX_INPUT + 1];
	char  domain[VLOGIN_MAX_INPUT + 1];  /* the real domain once found */
	struct vdomain   dom;
	struct vpw_entry ent;
	const char *authtype;       /* "PLAIN", "APOP", "CRAM-MD5" */
	/* A system account (--enable-passwd) instead of a virtual user. */
	int   system;
	uid_t sys_uid;
	gid_t sys_gid;
	char  sys_home[VP_PATH_MAX];
	/* Result. */
	int   status;               /* exit status for vchkpw */
};

/* argv1 is the program vchkpw will run (may be NULL). */
int  vlogin_init(struct vlogin *l, const char *argv1);
int  vlogin_read(struct vlogin *l, int fd);
int  vlogin_check(struct vlogin *l);
int  vlogin_enter(struct vlogin *l);
/* The status to exit with: l->status, or 1 for a refusal under Dovecot. */
int  vlogin_exit_status(const struct vlogin *l);
/* Log that the next program could not be run (errno value err). */
void vlogin_log_exec_failure(struct vlogin *l, const char *prog, int err);
/* Release what vlogin_check() holds and wipe the credentials. */
void vlogin_free(struct vlogin *l);

/* ------------------------------------------------------------------ */
/* Roaming users: ~vpopmail/etc/open-smtp (or the backend's relay table,
 * see relay_open in vauth.h) and <TCP_FILE>.cdb.                     */

/*
 * Allow relaying for ip (an IPv4 address, or ::ffff:a.b.c.d): refresh or
 * add its entry and, when it is new, rebuild the rules cdb.
 * VA_INVALID_IP_ADDRESS for anything else (IPv6, empty, malformed),
 * nothing written.  VA_COULD_NOT_UPDATE_FILE if the list could not be
 * locked or written, VA_BAD_DIR if the rebuild failed (tcprules, or the
 * list could not be read back; the old cdb kept); the backend's code
 * (e.g. VA_NO_AUTH_CONNECTION) if its table could not be used.
 */
int  vroaming_open(const char *ip);
/*
 * clearopensmtp: drop the entries older than minutes (or without a
 * time), then rebuild the rules cdb.  VA_COULD_NOT_UPDATE_FILE if the
 * temp file cannot be created (nothing changed), VA_BAD_DIR if tcprules
 * failed or open-smtp could not be read (the old cdb kept); the
 * backend's code if its table could not be changed or read (the old cdb
 * kept).
 */
int  vroaming_expire(long minutes);
/* Rebuild <TCP_FILE>.cdb from TCP_FILE and the relay list with tcprules,
 * under open-smtp.lock.  VA_BAD_DIR if tcprules failed; if the list cannot
 * be read the old cdb stays and its error is returned. */
int  vroaming_rebuild(void);

#ifdef __cplusplus
}
#endif

#endif /* VLOGIN_H */
