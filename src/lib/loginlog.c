/*
 * loginlog.c - vchkpw's syslog lines (spec runtime §3.7).
 *
 * Levels (--enable-logging): n = 0, y = 1, e = 2 (default), p = 3, v = 4.
 * Failures of the password class are logged from e up (with the password
 * from p up), successes at y and v, everything else always.  Unlike the
 * original at level n, every line goes out under LOG_NAME to LOG_MAIL.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "login.h"
#ifdef ENABLE_SQL_LOGGING
#include "sqllog.h"
#endif

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <syslog.h>
#include <unistd.h>
#ifdef HAVE_GETAUXVAL
#include <sys/auxv.h>
#endif

int vp_log_shows_password(void)
{
	return ENABLE_LOGGING == 3 || ENABLE_LOGGING == 4;
}

static int wanted(int ev)
{
	switch (ev) {
	case VP_EV_PASSWORD: return ENABLE_LOGGING != 0;
	case VP_EV_SUCCESS:  return ENABLE_LOGGING == 1 || ENABLE_LOGGING == 4;
	default:             return 1;
	}
}

/*
 * Test hook, like the other VPOPMAIL_* overrides (config.c): with
 * VPOPMAIL_SYSLOG set, lines are appended to that file as
 * "ident|facility|priority|text" instead of going to syslog.  Ignored in
 * set-uid/set-gid processes.  (vchkpw may be linked statically, so tests
 * cannot interpose syslog(3).)
 */
static const char *log_file(void)
{
	const char *v;

#ifdef HAVE_GETAUXVAL
	if (getauxval(AT_SECURE) != 0)
		return NULL;
#else
	if (getuid() != geteuid() || getgid() != getegid())
		return NULL;
#endif
	v = getenv("VPOPMAIL_SYSLOG");
	return v != NULL && *v != '\0' ? v : NULL;
}

static void emit(const char *text)
{
	const char *path = log_file();
	FILE *fp;

	if (path != NULL) {
		if ((fp = fopen(path, "ae")) != NULL) {
			fprintf(fp, "%s|%d|%d|%s\n", LOG_NAME, LOG_MAIL, LOG_NOTICE, text);
			fclose(fp);
		}
		return;
	}
	openlog(LOG_NAME, LOG_PID, LOG_MAIL);
	syslog(LOG_NOTICE, "%s", text);
	closelog();
}

void vp_login_log(const struct vlogin *l, int ev, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	int n;
	char *p;

	if (!wanted(ev))
		return;
	n = snprintf(text, sizeof text, "%s: ", l->logname);
	if (n < 0 || (size_t)n >= sizeof text)
		return;
	va_start(ap, fmt);
	vsnprintf(text + n, sizeof text - (size_t)n, fmt, ap);
	va_end(ap);
	/* syslog would expand '%'; a newline would forge a second line. */
	for (p = text; *p != '\0'; p++) {
		if (*p == '%')
			*p = '#';
		else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	emit(text);
#ifdef ENABLE_SQL_LOGGING
	/* The same event as a vlog row (message without the "vchkpw-x: "). */
	if (vp_sql_log(l->user, l->domain, l->given, l->ip, text + n, ev) != 0)
		emit("vchkpw: can't write SQL logs");
#endif
}
