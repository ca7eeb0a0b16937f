/*
 * login.h - pieces of vchkpw's login shared inside the library
 * (login.c, loginlog.c, loginenv.c).  Not installed.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VP_LOGIN_H
#define VP_LOGIN_H

#include "vpinternal.h"

/* Event classes of spec runtime §3.7; which are logged depends on ENABLE_LOGGING. */
#define VP_EV_PASSWORD 1     /* wrong or missing credentials */
#define VP_EV_LOGON    2     /* user not found, null user */
#define VP_EV_ACCESS   3     /* service disabled for the user */
#define VP_EV_INTERNAL 4     /* setuid, chdir, environment, relay ... */
#define VP_EV_SUCCESS  5

/* 1 when the log level shows the password on failures (p and v). */
int  vp_log_shows_password(void);
/* "<logname>: <text>" to syslog (LOG_MAIL, LOG_NOTICE) if the level wants
 * class ev; '%' becomes '#' and control characters '?'. */
void vp_login_log(const struct vlogin *l, int ev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Remote IP normalisation of spec §1.4 (sanitised at any length). */
void vp_normalise_ip(const char *raw, char *out, size_t size);
/* Connection class, log name and Dovecot mode from the environment (loginenv.c). */
void vp_login_classify(struct vlogin *l, const char *argv1);

#endif /* VP_LOGIN_H */
