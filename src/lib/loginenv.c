/*
 * loginenv.c - what vchkpw learns from its environment before reading
 * the credentials: the remote IP, the connection class and its log
 * name (spec runtime §1.4, §3.3), and whether Dovecot started it.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "login.h"

#include <stdlib.h>
#include <string.h>

static const char ip_ok_chars[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.@";

/*
 * "::ffff:1.2.3.4" loses everything up to the second ':' after the first
 * two characters; every other character outside ip_ok_chars becomes '_'.
 * The original left values over 30 characters raw; we clean them too,
 * since they end up in syslog and lastauth.
 */
void vp_normalise_ip(const char *raw, char *out, size_t size)
{
	const char *p = raw, *q;
	size_t i;

	if (size == 0)
		return;
	out[0] = '\0';
	if (raw == NULL)
		return;
	if (p[0] == ':') {
		p += p[1] != '\0' ? 2 : 1;
		q = strchr(p, ':');
		p = q != NULL ? q + 1 : p + strlen(p);
	}
	for (i = 0; p[i] != '\0' && i + 1 < size; i++)
		out[i] = strchr(ip_ok_chars, p[i]) != NULL ? p[i] : '_';
	out[i] = '\0';
}

/* $TCPLOCALPORT as a number; missing or not a number = 0. */
static long local_port(void)
{
	const char *v = getenv("TCPLOCALPORT");
	char *end;
	long n;

	/* digits only: strtol() alone would take " 110" and "+110" */
	if (v == NULL || *v < '0' || *v > '9')
		return 0;
	n = strtol(v, &end, 10);
	return (*end == '\0' && n >= 0 && n <= 65535) ? n : 0;
}

/* The well-known ports of spec §3.3: 1 and class/name set, else 0. */
static int port_class(long port, int *cls, const char **name)
{
	static const struct { long port; int cls; const char *name; } ports[] = {
		{ 25, VLOGIN_SMTP, "smtp" },       { 110, VLOGIN_POP, "pop3" },
		{ 143, VLOGIN_IMAP, "imap" },      { 465, VLOGIN_SMTP, "smtps" },
		{ 587, VLOGIN_SMTP, "submission" },{ 993, VLOGIN_IMAP, "imaps" },
		{ 995, VLOGIN_POP, "pop3s" },
	};
	size_t i;

	for (i = 0; i < sizeof ports / sizeof ports[0]; i++)
		if (ports[i].port == port) {
			*cls = ports[i].cls;
			*name = ports[i].name;
			return 1;
		}
	return 0;
}

/* Dovecot's $SERVICE: the class it names, or 0 for other services. */
static int service_class(const char *s)
{
	if (s == NULL)
		return 0;
	if (strcmp(s, "pop3") == 0)
		return VLOGIN_POP;
	if (strcmp(s, "imap") == 0)
		return VLOGIN_IMAP;
	if (strcmp(s, "smtp") == 0 || strcmp(s, "submission") == 0)
		return VLOGIN_SMTP;
	return 0;
}

/* Is argv1 Dovecot's checkpassword-reply (any directory)? */
static int is_reply_helper(const char *argv1)
{
	const char *base;

	if (argv1 == NULL)
		return 0;
	base = strrchr(argv1, '/');
	base = base != NULL ? base + 1 : argv1;
	return strcmp(base, "checkpassword-reply") == 0;
}

void vp_login_classify(struct vlogin *l, const char *argv1)
{
	const char *raw, *svc = getenv("SERVICE"), *name = NULL;
	long port = local_port();
	int cls = 0, known;

	/* Dovecot always exports ORIG_UID to its checkpassword program. */
	l->dovecot = getenv("ORIG_UID") != NULL || is_reply_helper(argv1);

	raw = getenv("TCPREMOTEIP");
	if (raw == NULL)
		raw = getenv("REMOTE_HOST");
	l->have_ip = raw != NULL;
	vp_strlcpy(l->raw_ip, raw != NULL ? raw : "", sizeof l->raw_ip);
	vp_normalise_ip(raw, l->ip, sizeof l->ip);
	l->local_client = strcmp(l->ip, "127.0.0.1") == 0;

	known = port_class(port, &cls, &name);
	if (service_class(svc) != 0) {
		/* The service is known exactly: no guessing from port or argv. */
		l->service = service_class(svc);
		l->by_service_var = 1;
		if (!known || cls != l->service)
			name = svc;
	} else if (known) {
		l->service = cls;
	} else {
		if (argv1 != NULL && strstr(argv1, "true") != NULL)
			l->service = VLOGIN_SMTP;
		else if (argv1 != NULL && strstr(argv1, "imap") != NULL)
			l->service = VLOGIN_IMAP;
		else
			l->service = VLOGIN_POP;
	}
	if (name != NULL)
		vp_fmt(l->logname, sizeof l->logname, "vchkpw-%s", name);
	else
		vp_fmt(l->logname, sizeof l->logname, "vchkpw-%ld", port);

	/* A POP or IMAP client on the same host is a webmail front end (§3.3). */
	if (!l->by_service_var && l->local_client &&
	    (l->service == VLOGIN_POP || l->service == VLOGIN_IMAP)) {
		l->service = VLOGIN_WEBMAIL;
		vp_strlcpy(l->logname, "vchkpw-webmail", sizeof l->logname);
	}
}
