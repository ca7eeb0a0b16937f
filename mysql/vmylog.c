/*
 * vmylog.c - the vlog table (--enable-sql-logging), see src/lib/sqllog.h.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vmysql.h"
#include "sqllog.h"

#include <string.h>
#include <time.h>

#ifdef ENABLE_SQL_LOGGING
#define VLOG_INSERT "INSERT INTO vlog (user, passwd, domain, logon, remoteip, message, timestamp, error) " \
	"VALUES (LEFT(?, 32), '', LEFT(?, 96), LEFT(?, 200), LEFT(?, 39), LEFT(?, 255), ?, ?)"

int vp_sql_log(const char *user, const char *domain, const char *logon,
               const char *ip, const char *message, int event)
{
	struct vmy_arg a[] = {
		VMY_S(user != NULL ? user : ""), VMY_S(domain != NULL ? domain : ""),
		VMY_S(logon != NULL ? logon : ""), VMY_S(ip != NULL ? ip : ""),
		VMY_S(message != NULL ? message : ""), VMY_I(time(NULL)), VMY_I(event),
	};

	return vmy_exec_create(VMY_T_VLOG, "vlog", VLOG_INSERT, a, 7, NULL);
}
#endif
