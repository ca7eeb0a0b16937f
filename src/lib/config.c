/*
 * config.c - compiled-in paths and ids, with run-time overrides.
 *
 * configure compiles in the vpopmail home, the qmail home, the vpopmail
 * uid/gid and the tool paths.  Tests (and hosts running several instances)
 * point a process elsewhere through VPOPMAIL_* environment variables; a
 * set-uid or set-gid process ignores them, so they cannot be used to
 * escalate privileges.
 */
#include "vpinternal.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef HAVE_GETAUXVAL
#include <sys/auxv.h>
#endif

/* Nonzero when the process must not trust its environment. */
static int env_untrusted(void)
{
#ifdef HAVE_GETAUXVAL
	return getauxval(AT_SECURE) != 0;
#else
	return getuid() != geteuid() || getgid() != getegid();
#endif
}

/* The override in `var`, if present, trusted and non-empty; else `def`. */
static const char *setting(const char *var, const char *def)
{
	const char *v;

	if (env_untrusted())
		return def;
	v = getenv(var);
	return (v != NULL && *v != '\0') ? v : def;
}

/* A numeric id override; a malformed value falls back to the default. */
static unsigned long id_setting(const char *var, unsigned long def)
{
	const char *v = setting(var, NULL);
	char *end;
	unsigned long n;

	if (v == NULL)
		return def;
	n = strtoul(v, &end, 10);
	return (*end == '\0' && end != v) ? n : def;
}

const char *vp_home(void)        { return setting("VPOPMAIL_HOME", VPOPMAILDIR); }
const char *vp_qmaildir(void)    { return setting("VPOPMAIL_QMAILDIR", QMAILDIR); }
uid_t       vp_uid(void)         { return (uid_t)id_setting("VPOPMAIL_UID", VPOPMAILUID); }
gid_t       vp_gid(void)         { return (gid_t)id_setting("VPOPMAIL_GID", VPOPMAILGID); }
const char *vp_qmail_newu(void)  { return setting("VPOPMAIL_QMAIL_NEWU", QMAILNEWU); }
const char *vp_qmail_newmrh(void){ return setting("VPOPMAIL_QMAIL_NEWMRH", QMAILNEWMRH); }
const char *vp_ps_command(void)  { return setting("VPOPMAIL_PS", PS_COMMAND); }
const char *vp_qmail_inject(void){ return setting("VPOPMAIL_QMAIL_INJECT", QMAILINJECT); }
const char *vp_tcprules(void)    { return setting("VPOPMAIL_TCPRULES", TCPRULES_PROG); }
const char *vp_tcp_file(void)    { return setting("VPOPMAIL_TCP_FILE", TCP_FILE); }
const char *vp_spamc(void)       { return setting("VPOPMAIL_SPAMC", SPAMC_PROG); }
const char *vp_maildrop(void)    { return setting("VPOPMAIL_MAILDROP", MAILDROP_PROG); }
/* System account files read by vconvert -e; NULL = the system databases. */
const char *vp_etc_passwd(void)  { return setting("VPOPMAIL_ETC_PASSWD", NULL); }
const char *vp_etc_shadow(void)  { return setting("VPOPMAIL_ETC_SHADOW", NULL); }

char *vp_domains_path(char *buf, size_t size)
{
	return vp_home_path(buf, size, DOMAINS_DIR);
}

char *vp_qmail_path(char *buf, size_t size, const char *rel)
{
	return vp_fmt(buf, size, "%s/%s", vp_qmaildir(), rel) == 0 ? buf : NULL;
}

char *vp_home_path(char *buf, size_t size, const char *rel)
{
	return vp_fmt(buf, size, "%s/%s", vp_home(), rel) == 0 ? buf : NULL;
}

int vp_can_chown(void)
{
	return geteuid() == 0;
}
