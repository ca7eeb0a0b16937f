/*
 * vmyconn.c - connections to the read and update servers and prepared
 * statement execution with one reconnect-and-retry.
 *
 * Without --enable-mysql-replication both roles share the update
 * connection, as in vpopmail.  With it, reads go to the first line of
 * vpopmail.mysql and fall back to the update server if that one is down.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vmysql.h"

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONNECT_TIMEOUT 2       /* seconds; an outage must not hang logins */
#define IO_TIMEOUT     30

static MYSQL *conn_update;
#ifdef MYSQL_REPLICATION
static MYSQL *conn_read;
#endif
static int in_transaction;
/* The client library's reason for the last failed connect. */
static char conn_why[256];
/* What made the last VA_NO_AUTH_CONNECTION, for vmy_why(). */
static char last_why[384];

static void set_why(const char *what, const char *detail)
{
	snprintf(last_why, sizeof last_why, "vmysql: %s%s", what, detail);
}

const char *vmy_why(void)
{
	return last_why;
}

void vmy_note_no_table(const char *table)
{
	char what[160];

	snprintf(what, sizeof what, "table `%s` does not exist", table);
	set_why(what, "");
}

/* Errors that mean "no usable connection": temporary, worth a reconnect. */
static int is_conn_error(unsigned e)
{
	return e == CR_CONNECTION_ERROR || e == CR_CONN_HOST_ERROR ||
	       e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST ||
	       e == CR_UNKNOWN_HOST || e == CR_COMMANDS_OUT_OF_SYNC ||
#ifdef CR_SERVER_LOST_EXTENDED
	       e == CR_SERVER_LOST_EXTENDED ||
#endif
	       e == ER_SERVER_SHUTDOWN || e == 1927 /* ER_CONNECTION_KILLED */ ||
	       e == ER_CON_COUNT_ERROR;
}

static int map_error(unsigned e)
{
	if (is_conn_error(e))
		return VA_NO_AUTH_CONNECTION;
	if (e == ER_NO_SUCH_TABLE)
		return VMY_NO_TABLE;
	if (e == ER_DUP_ENTRY)
		return VA_USERNAME_EXISTS;
	return VA_QUERY_FAILED;
}

/* `name` with backticks doubled, for CREATE DATABASE. */
static int quote_ident(char *dst, size_t size, const char *name)
{
	size_t n = 0;

	if (size < 3)
		return -1;
	dst[n++] = '`';
	for (; *name != '\0'; name++) {
		if (n + 3 >= size)
			return -1;
		if (*name == '`')
			dst[n++] = '`';
		dst[n++] = *name;
	}
	dst[n++] = '`';
	dst[n] = '\0';
	return 0;
}

static MYSQL *open_server(const struct vmy_server *s, int create_db)
{
	unsigned int t = CONNECT_TIMEOUT, io = IO_TIMEOUT;
	char sql[300];
	MYSQL *m = mysql_init(NULL);

	if (m == NULL)
		return NULL;
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &t);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &io);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &io);
	/* Names, gecos and passwords are byte strings, as in vpasswd: latin1
	 * maps every byte to a character and back, so any value is stored
	 * and read unchanged, a column's width counts bytes, and a lookup
	 * with bytes no UTF-8 decoder takes finds nothing instead of failing
	 * (the client library's default, utf8mb4, refused them). */
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "latin1");
	/* CLIENT_FOUND_ROWS: an UPDATE reports the rows it matched, so "no
	 * such user" and "nothing changed" can be told apart. */
	if (mysql_real_connect(m, s->host, s->user, s->passwd, NULL, s->port,
	                       s->socket[0] != '\0' ? s->socket : NULL, CLIENT_FOUND_ROWS) == NULL) {
		snprintf(conn_why, sizeof conn_why, "%s", mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	if (mysql_select_db(m, s->database) != 0) {
		/* vpopmail creates the database it was told to use. */
		if (!create_db || quote_ident(sql + 16, sizeof sql - 16, s->database) != 0) {
			snprintf(conn_why, sizeof conn_why, "%s", mysql_error(m));
			mysql_close(m);
			return NULL;
		}
		memcpy(sql, "CREATE DATABASE ", 16);
		if (mysql_query(m, sql) != 0 || mysql_select_db(m, s->database) != 0) {
			fprintf(stderr, "vmysql: couldn't create database '%s': %s\n",
			        s->database, mysql_error(m));
			mysql_close(m);
			return NULL;
		}
	}
	return m;
}

/* The connection for role, opened if need be; NULL with *rc set. */
static MYSQL *get_conn(enum vmy_role role, int *rc)
{
	const struct vmy_conf *c;

	*rc = vmy_conf_get(&c);
	if (*rc != 0)
		return NULL;
#ifdef MYSQL_REPLICATION
	if (role == VMY_READ) {
		if (conn_read == NULL && (conn_read = open_server(&c->read, 0)) == NULL)
			conn_read = open_server(&c->update, 0);
		if (conn_read == NULL) {
			*rc = VA_NO_AUTH_CONNECTION;
			set_why("can't connect to the server: ", conn_why);
		}
		return conn_read;
	}
#else
	(void)role;
#endif
	if (conn_update == NULL && (conn_update = open_server(&c->update, 1)) == NULL) {
		*rc = VA_NO_AUTH_CONNECTION;
		set_why("can't connect to the server: ", conn_why);
	}
	return conn_update;
}

static void drop_conn(MYSQL *m)
{
#ifdef MYSQL_REPLICATION
	if (m == conn_read)
		conn_read = NULL;
#endif
	if (m == conn_update)
		conn_update = NULL;
	mysql_close(m);
}

void vmy_close_all(void)
{
#ifdef MYSQL_REPLICATION
	if (conn_read != NULL)
		drop_conn(conn_read);
#endif
	if (conn_update != NULL)
		drop_conn(conn_update);
	in_transaction = 0;
}

/* Prepare, bind and execute sql on m.  0 or a MySQL error number. */
static unsigned run_on(MYSQL *m, const char *sql, const struct vmy_arg *args, unsigned nargs,
                       struct vmy_cursor *cur, unsigned long long *affected)
{
	MYSQL_BIND in[VMY_MAXARG];
	MYSQL_STMT *st;
	MYSQL_BIND *out;
	unsigned i, e;

	if (nargs > VMY_MAXARG)
		return ER_UNKNOWN_ERROR;
	if ((st = mysql_stmt_init(m)) == NULL)
		return mysql_errno(m) != 0 ? mysql_errno(m) : CR_OUT_OF_MEMORY;
	if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql)) != 0)
		goto fail;
	memset(in, 0, sizeof in);
	for (i = 0; i < nargs; i++) {
		if (args[i].type == VMY_INT) {
			in[i].buffer_type = MYSQL_TYPE_LONGLONG;
			in[i].buffer = (void *)&args[i].n;
		} else if (args[i].s == NULL) {
			in[i].buffer_type = MYSQL_TYPE_NULL;
		} else {
			in[i].buffer_type = MYSQL_TYPE_STRING;
			in[i].buffer = (void *)args[i].s;
			in[i].buffer_length = (unsigned long)strlen(args[i].s);
		}
	}
	if (nargs > 0 && mysql_stmt_bind_param(st, in) != 0)
		goto fail;
	if (mysql_stmt_execute(st) != 0)
		goto fail;
	if (affected != NULL)
		*affected = mysql_stmt_affected_rows(st);
	if (cur == NULL) {
		mysql_stmt_close(st);
		return 0;
	}
	cur->ncol = mysql_stmt_field_count(st);
	if (cur->ncol > VMY_MAXCOL) {
		mysql_stmt_close(st);
		return ER_UNKNOWN_ERROR;
	}
	if ((out = calloc(VMY_MAXCOL, sizeof *out)) == NULL) {
		mysql_stmt_close(st);
		return CR_OUT_OF_MEMORY;
	}
	for (i = 0; i < cur->ncol; i++) {
		out[i].buffer_type = MYSQL_TYPE_STRING;
		out[i].buffer = cur->buf[i];
		out[i].buffer_length = VMY_COLBUF - 1;
		out[i].length = &cur->len[i];
		out[i].is_null = (my_bool *)&cur->nullflag[i];
		out[i].error = (my_bool *)&cur->errflag[i];
		cur->col[i] = cur->buf[i];
	}
	if (cur->ncol > 0 && mysql_stmt_bind_result(st, out) != 0) {
		free(out);
		goto fail;
	}
	cur->binds = out;
	cur->stmt = st;
	cur->conn = m;
	return 0;
fail:
	e = mysql_stmt_errno(st);
	if (e == 0)
		e = mysql_errno(m);
	mysql_stmt_close(st);
	return e != 0 ? e : ER_UNKNOWN_ERROR;
}

int vmy_exec(enum vmy_role role, const char *sql, const struct vmy_arg *args,
             unsigned nargs, struct vmy_cursor *cur, unsigned long long *affected)
{
	unsigned e;
	MYSQL *m;
	int rc;

	if (cur != NULL)
		memset(cur, 0, sizeof *cur);
	if ((m = get_conn(role, &rc)) == NULL)
		return rc;
	e = run_on(m, sql, args, nargs, cur, affected);
	if (e != 0 && is_conn_error(e) && !in_transaction) {
		/* The server restarted or dropped us: one fresh connection. */
		drop_conn(m);
		if ((m = get_conn(role, &rc)) == NULL)
			return rc;
		e = run_on(m, sql, args, nargs, cur, affected);
	}
	if (e != 0 && is_conn_error(e)) {
		char why[64];

		in_transaction = 0;
		snprintf(why, sizeof why, "MySQL error %u", e);
		set_why("lost the connection to the server: ", why);
		drop_conn(m);
	}
	return e == 0 ? 0 : map_error(e);
}

int vmy_exec_own(const char *sql, const struct vmy_arg *args, unsigned nargs,
                 struct vmy_cursor *cur)
{
	const struct vmy_conf *c;
	unsigned e;
	MYSQL *m;
	int rc;

	memset(cur, 0, sizeof *cur);
	if ((rc = vmy_conf_get(&c)) != 0)
		return rc;
	m = open_server(&c->read, 0);
#ifdef MYSQL_REPLICATION
	if (m == NULL)
		m = open_server(&c->update, 0);
#endif
	if (m == NULL)
		return VA_NO_AUTH_CONNECTION;
	e = run_on(m, sql, args, nargs, cur, NULL);
	if (e != 0) {
		mysql_close(m);
		return map_error(e);
	}
	cur->own_conn = 1;
	return 0;
}

int vmy_fetch(struct vmy_cursor *cur)
{
	unsigned i;
	int r;

	if (cur == NULL || cur->stmt == NULL)
		return 0;
	r = mysql_stmt_fetch(cur->stmt);
	if (r == MYSQL_NO_DATA)
		return 0;
	/* A value longer than the buffer (an alias line past 1023 bytes)
	 * cannot be read: cut, a program line would run another command. */
	if (r == MYSQL_DATA_TRUNCATED)
		return VA_QUERY_FAILED;
	if (r != 0)
		return map_error(mysql_stmt_errno(cur->stmt));
	for (i = 0; i < cur->ncol; i++) {
		cur->isnull[i] = cur->nullflag[i] != 0;
		if (cur->isnull[i])
			cur->buf[i][0] = '\0';
		else
			cur->buf[i][cur->len[i] < VMY_COLBUF - 1 ? cur->len[i] : VMY_COLBUF - 1] = '\0';
	}
	return 1;
}

void vmy_cursor_close(struct vmy_cursor *cur)
{
	if (cur == NULL)
		return;
	if (cur->stmt != NULL)
		mysql_stmt_close(cur->stmt);
	free(cur->binds);
	if (cur->own_conn && cur->conn != NULL)
		mysql_close(cur->conn);
	cur->stmt = NULL;
	cur->binds = NULL;
	cur->conn = NULL;
}

int vmy_each_row(enum vmy_role role, const char *sql, const struct vmy_arg *args, unsigned nargs,
                 int (*fn)(const struct vmy_cursor *cur, void *arg), void *arg)
{
	struct vmy_cursor *cur;
	int rc;

	if (fn == NULL)
		return VA_NULL_POINTER;
	/* A cursor holds its column buffers: too big for the stack. */
	if ((cur = malloc(sizeof *cur)) == NULL)
		return VA_MEMORY_ALLOC_ERR;
	rc = vmy_exec(role, sql, args, nargs, cur, NULL);
	if (rc == 0) {
		while ((rc = vmy_fetch(cur)) == 1)
			if ((rc = fn(cur, arg)) != 0)
				break;
		vmy_cursor_close(cur);
	} else if (rc == VMY_NO_TABLE) {
		rc = 0;
	}
	free(cur);
	return rc;
}

int vmy_begin(void)
{
	int rc = vmy_exec(VMY_UPDATE, "START TRANSACTION", NULL, 0, NULL, NULL);

	in_transaction = rc == 0;
	return rc;
}

int vmy_commit(void)
{
	int rc = vmy_exec(VMY_UPDATE, "COMMIT", NULL, 0, NULL, NULL);

	in_transaction = 0;
	return rc;
}

void vmy_rollback(void)
{
	if (in_transaction)
		(void)vmy_exec(VMY_UPDATE, "ROLLBACK", NULL, 0, NULL, NULL);
	in_transaction = 0;
}
