/*
 * sqllog.h - vchkpw's events into the SQL vlog table
 * (--enable-sql-logging, implemented by the SQL backend: mysql/vmylog.c).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef SQLLOG_H
#define SQLLOG_H

/*
 * One vlog row: user, domain, the login as given, the remote IP, the
 * message (the syslog text without its prefix) and the event class
 * (VP_EV_*) in `error`.  The passwd column is always left empty: a
 * password tried must not end up in a table.  0 or a VA_* code.
 */
int vp_sql_log(const char *user, const char *domain, const char *logon,
               const char *ip, const char *message, int event);

#endif /* SQLLOG_H */
