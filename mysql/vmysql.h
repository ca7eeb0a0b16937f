/*
 * vmysql.h - the MariaDB/MySQL auth backend: internal interfaces.
 *
 *   vmyconf.c    ~vpopmail/etc/vpopmail.mysql (read and update servers)
 *   vmyconn.c    connections, reconnect, prepared statements
 *   vmyschema.c  vpopmail 5.6's table layouts, created on first use
 *   vmysql.c     the struct vauth_backend operations
 *   vmyrelay.c   the roaming users' relay table (vmyrelay.h)
 *   vmyipmap.c   the ip_alias_map table (vmyipmap.h)
 *
 * No SQL text is ever built from data: every value travels as a bound
 * parameter.  The only identifiers put into statements are the fixed table
 * names and, with --disable-many-domains, a domain's table name, which is
 * checked to hold nothing but [a-z0-9_] before use.
 *
 * 5.6's tables compare names case-insensitively, with trailing spaces
 * ignored and accented letters equal to plain ones (latin1_swedish_ci:
 * 'caf\xe9' = 'cafe ' = 'cafe').  A user, lastauth or alias name, and an
 * alias line, is therefore matched with "= BINARY ?": byte for byte, as
 * the cdb backend's keys are.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VMYSQL_H
#define VMYSQL_H

#include <stddef.h>

#include "vpinternal.h"

/* ------------------------------------------------------------------ */
/* vmyconf.c                                                          */

struct vmy_server {
	char host[256];
	unsigned port;          /* 0 = the client library's default */
	char socket[VP_PATH_MAX];  /* "" = none (the field held a port) */
	char user[128];
	char passwd[256];
	char database[128];
};

struct vmy_conf {
	struct vmy_server read;
	struct vmy_server update;
};

/*
 * Parse the text of a vpopmail.mysql file: lines starting with '#' and
 * empty lines are skipped; the first remaining line is
 *   server|port|user|password|database
 * for reading, the optional second one the same for updates (missing: the
 * read settings).  A port field starting with '/' is a Unix socket path.
 * Returns 0 or VA_PARSE_ERROR01 + 5 * line + field for a missing field.
 */
int vmy_conf_parse(const char *text, struct vmy_conf *c);
/* Read ~vpopmail/etc/vpopmail.mysql once per process (cached).  A missing
 * or unreadable file is VA_NO_AUTH_CONNECTION, reported on stderr. */
int vmy_conf_get(const struct vmy_conf **out);

/* ------------------------------------------------------------------ */
/* vmyconn.c                                                          */

enum vmy_role { VMY_READ, VMY_UPDATE };

/* Internal result: the statement named a table that does not exist. */
#define VMY_NO_TABLE (-1000)

enum vmy_argtype { VMY_STR, VMY_INT };
struct vmy_arg {
	enum vmy_argtype type;
	const char *s;          /* VMY_STR; NULL binds SQL NULL */
	long long n;            /* VMY_INT */
};
#define VMY_S(x) { VMY_STR, (x), 0 }
#define VMY_I(x) { VMY_INT, NULL, (long long)(x) }

#define VMY_MAXARG 32           /* bound parameters: a limits row is 27 */
#define VMY_MAXCOL 32           /* a limits row: 26 value columns */
#define VMY_COLBUF 1024

/* The rows of one statement, every column fetched as text. */
struct vmy_cursor {
	void *conn;             /* MYSQL *, owned when own_conn */
	void *stmt;             /* MYSQL_STMT * */
	int own_conn;
	unsigned ncol;
	char *col[VMY_MAXCOL];  /* NUL-terminated; "" for SQL NULL */
	int isnull[VMY_MAXCOL];
	void *binds;            /* MYSQL_BIND[VMY_MAXCOL] */
	unsigned long len[VMY_MAXCOL];
	char nullflag[VMY_MAXCOL];
	char errflag[VMY_MAXCOL];
	char buf[VMY_MAXCOL][VMY_COLBUF];
};

/*
 * Run one statement on the role's connection, connecting first if needed.
 * If the server went away (restart, idle timeout) the connection is made
 * again and the statement retried once.  With cur, the cursor receives the
 * rows (read them with vmy_fetch, release with vmy_cursor_close); with
 * affected, the number of rows matched.  Returns 0, VA_NO_AUTH_CONNECTION
 * (server unreachable: a temporary failure), VMY_NO_TABLE,
 * VA_USERNAME_EXISTS (duplicate key) or VA_QUERY_FAILED.
 */
int vmy_exec(enum vmy_role role, const char *sql, const struct vmy_arg *args,
             unsigned nargs, struct vmy_cursor *cur, unsigned long long *affected);
/* As vmy_exec, with rows streamed over a connection of its own, so the
 * caller may run other statements while reading them. */
int vmy_exec_own(const char *sql, const struct vmy_arg *args, unsigned nargs,
                 struct vmy_cursor *cur);
/* Run a SELECT and call fn for every row (its columns in cur->col); a
 * missing table is no rows.  A non-zero result of fn ends the walk and is
 * returned; otherwise 0 or the statement's error. */
int vmy_each_row(enum vmy_role role, const char *sql, const struct vmy_arg *args, unsigned nargs,
                 int (*fn)(const struct vmy_cursor *cur, void *arg), void *arg);
/* Next row: 1 got one, 0 no more, <0 VA code. */
int vmy_fetch(struct vmy_cursor *cur);
void vmy_cursor_close(struct vmy_cursor *cur);

/* Transactions on the update connection (no retry inside one). */
int vmy_begin(void);
int vmy_commit(void);
void vmy_rollback(void);

/* Close every connection. */
void vmy_close_all(void);
/* A missing table reported as VA_NO_AUTH_CONNECTION, as a server that
 * cannot be reached is: noted for vmy_why(), which tells the two apart. */
void vmy_note_no_table(const char *table);
/* The backend's why(): the last connect failure, lost connection or
 * missing table noted, as a line for the admin; "" if none. */
const char *vmy_why(void);

/* ------------------------------------------------------------------ */
/* vmyschema.c                                                        */

enum vmy_table {
	VMY_T_USERS,            /* `vpopmail`, or the domain's own table */
	VMY_T_LASTAUTH,
	VMY_T_VALIAS,
	VMY_T_LIMITS,
	VMY_T_DIR_CONTROL,
	VMY_T_ALIASDOMAINS,
	VMY_T_VLOG,
	VMY_T_RELAY,
	VMY_T_IP_ALIAS_MAP
};

#define VMY_USERS_TABLE "vpopmail"   /* with many domains */

/* The column list of a table, as vpopmail 5.6 creates it for this build. */
const char *vmy_layout(enum vmy_table t);
/*
 * The users table of a domain into name: "vpopmail" with many domains,
 * else the domain with '.' and '-' turned into '_'.  VA_INVALID_DOMAIN_NAME
 * if the result would hold anything but [a-z0-9_] (or is empty / too long)
 * or would be one of the tables all domains share.
 */
int vmy_users_table(const char *domain, char *name, size_t size);
/* CREATE TABLE IF NOT EXISTS `name` ( layout ). */
int vmy_create(enum vmy_table t, const char *name);
/* A write (vmy_exec, VMY_UPDATE) that creates its table `table` of layout
 * t when it is missing, then tries once more. */
int vmy_exec_create(enum vmy_table t, const char *table, const char *sql,
                    const struct vmy_arg *args, unsigned nargs, unsigned long long *affected);

#endif /* VMYSQL_H */
