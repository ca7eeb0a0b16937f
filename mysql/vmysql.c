/*
 * vmysql.c - the MariaDB/MySQL auth backend (--enable-auth-module=mysql).
 *
 * Users live in vpopmail 5.6's tables (vmyschema.c); every statement is
 * prepared with its values bound (vmyconn.c).  A server that cannot be
 * reached is VA_NO_AUTH_CONNECTION, which callers treat as a temporary
 * failure, never as "no such user".
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vmysql.h"
#include "vcdb.h"
#include "vmylimits.h"
#include "vmyipmap.h"
#include "vmyrelay.h"
#include "vmydirctl.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SQL_MAX 2048

#ifdef CLEAR_PASS
#define USER_COLS "pw_name, pw_passwd, pw_uid, pw_gid, pw_gecos, pw_dir, pw_shell, pw_clear_passwd"
#define NCOLS 8
#else
#define USER_COLS "pw_name, pw_passwd, pw_uid, pw_gid, pw_gecos, pw_dir, pw_shell"
#define NCOLS 7
#endif

#ifdef MANY_DOMAINS
#define AND_DOMAIN " AND pw_domain = ?"
#else
#define AND_DOMAIN ""
#endif

static const char *domain_of(const struct vdomain *d)
{
	return d->real[0] != '\0' ? d->real : d->name;
}

/* sql = fmt with the domain's users table for %s. */
static int users_sql(char *sql, const struct vdomain *d, const char *fmt)
{
	char table[128];
	int rc;

	if ((rc = vmy_users_table(domain_of(d), table, sizeof table)) != 0)
		return rc;
	return vp_fmt(sql, SQL_MAX, fmt, table) == 0 ? 0 : VA_QUERY_FAILED;
}

#ifndef MANY_DOMAINS
/* The domain being added or deleted and its users table name. */
struct table_owner {
	const char *dom, *table;
};

static int other_maps_to(const char *name, const char *real, void *arg)
{
	const struct table_owner *t = arg;
	char other[128];

	(void)name;
	return strcmp(real, t->dom) != 0 &&
	       vmy_users_table(real, other, sizeof other) == 0 && strcmp(other, t->table) == 0;
}

/*
 * 1 if another real domain of users/assign has the users table `table`
 * ("a.b-c.com" and "a-b.c.com" both give a_b_c_com): adding this domain
 * would share its users, deleting it would drop theirs.  An unreadable
 * assign file counts as a yes (refuse rather than guess).
 */
static int table_shared(const char *dom, const char *table)
{
	struct table_owner t = { dom, table };

	return vp_assign_each(other_maps_to, &t) != 0;
}
#endif

static int create_users(const struct vdomain *d)
{
	char table[128];
	int rc;

	if ((rc = vmy_users_table(domain_of(d), table, sizeof table)) != 0)
		return rc;
#ifndef MANY_DOMAINS
	if (table_shared(domain_of(d), table))
		return VA_DOMAIN_ALREADY_EXISTS;
#endif
	return vmy_create(VMY_T_USERS, table);
}

/* The cursor's current row as a record (strings point into the cursor). */
static void row_to_pw(struct vmy_cursor *cur, struct vqpasswd *pw)
{
	memset(pw, 0, sizeof *pw);
	pw->pw_name = cur->col[0];
	pw->pw_passwd = cur->col[1];
	pw->pw_uid = (uid_t)strtol(cur->col[2], NULL, 10);
	pw->pw_gid = (gid_t)strtol(cur->col[3], NULL, 10);
	pw->pw_flags = pw->pw_gid;
	pw->pw_gecos = cur->col[4];
	pw->pw_dir = cur->col[5];
	pw->pw_shell = cur->col[6];
#ifdef CLEAR_PASS
	pw->pw_clear_passwd = cur->col[7];
#else
	pw->pw_clear_passwd = cur->buf[VMY_MAXCOL - 1];
	cur->buf[VMY_MAXCOL - 1][0] = '\0';
#endif
}

static const char *str(const char *s)
{
	return s != NULL ? s : "";
}

/* ------------------------------------------------------------------ */

/* As in vpopmail, a failed open leaves its reason in verrori: the
 * commands exit with it. */
static int vmy_open(int will_update)
{
	int rc = vmy_exec(will_update ? VMY_UPDATE : VMY_READ, "SELECT 1", NULL, 0, NULL, NULL);

	if (rc != 0)
		verrori = rc;
	return rc;
}

static void vmy_close(void)
{
	vmy_close_all();
}

static int vmy_adddomain(const struct vdomain *d)
{
	int rc;

	if (d == NULL)
		return VA_NULL_POINTER;
	if ((rc = create_users(d)) != 0)
		return rc;
#ifdef SQL_ALIASDOMAINS
	if ((rc = vmy_create(VMY_T_ALIASDOMAINS, "aliasdomains")) != 0)
		return rc;
#endif
#ifdef VALIAS
	if ((rc = vmy_create(VMY_T_VALIAS, "valias")) != 0)
		return rc;
#endif
#ifdef ENABLE_MYSQL_LIMITS
	if ((rc = vmy_create(VMY_T_LIMITS, "limits")) != 0)
		return rc;
#endif
#ifdef ENABLE_SQL_LOGGING
	if ((rc = vmy_create(VMY_T_VLOG, "vlog")) != 0)
		return rc;
#endif
	return 0;
}

/* DELETE ... WHERE domain = ?, a missing table being nothing to delete. */
static int delete_domain_rows(const char *sql, const char *domain)
{
	struct vmy_arg a[] = { VMY_S(domain) };
	int rc = vmy_exec(VMY_UPDATE, sql, a, 1, NULL, NULL);

	return rc == VMY_NO_TABLE ? 0 : rc;
}

static int vmy_deldomain(const struct vdomain *d)
{
	char sql[SQL_MAX];
	const char *dom;
	int rc;

	if (d == NULL)
		return VA_NULL_POINTER;
	dom = domain_of(d);
#ifdef MANY_DOMAINS
	if ((rc = delete_domain_rows("DELETE FROM `" VMY_USERS_TABLE "` WHERE pw_domain = ?", dom)) != 0)
		return rc;
#else
	{
		char table[128];

		/* A table another domain also maps to (made by 5.6, which
		 * did not check) holds its users too: it stays. */
		if ((rc = vmy_users_table(dom, table, sizeof table)) != 0)
			return rc;
		if (!table_shared(dom, table) &&
		    ((rc = users_sql(sql, d, "DROP TABLE IF EXISTS `%s`")) != 0 ||
		     (rc = vmy_exec(VMY_UPDATE, sql, NULL, 0, NULL, NULL)) != 0))
			return rc;
	}
#endif
	(void)sql;
	if ((rc = delete_domain_rows("DELETE FROM lastauth WHERE domain = ?", dom)) != 0 ||
	    (rc = delete_domain_rows("DELETE FROM dir_control WHERE domain = ?", dom)) != 0)
		return rc;
#ifdef VALIAS
	{
		/* Through valias_delete_domain(), as 5.6: its events tell an
		 * onchange script that the domain's aliases went. */
		char name[MAX_PW_DOMAIN + 1];

		if (vp_strlcpy(name, dom, sizeof name) != 0)
			return VA_DOMAIN_NAME_TOO_LONG;
		if ((rc = valias_delete_domain(name)) != 0)
			return rc;
	}
#endif
#ifdef ENABLE_MYSQL_LIMITS
	if ((rc = delete_domain_rows("DELETE FROM limits WHERE domain = ?", dom)) != 0)
		return rc;
#endif
#ifdef SQL_ALIASDOMAINS
	if ((rc = delete_domain_rows("DELETE FROM aliasdomains WHERE domain = ?", dom)) != 0)
		return rc;
#endif
	return 0;
}

static int insert_one(const struct vdomain *d, const struct vqpasswd *pw)
{
	char sql[SQL_MAX], table[128];
	int rc;

	if (pw == NULL || pw->pw_name == NULL)
		return VA_NULL_POINTER;
	struct vmy_arg a[] = {
		VMY_S(pw->pw_name),
#ifdef MANY_DOMAINS
		VMY_S(domain_of(d)),
#endif
		VMY_S(str(pw->pw_passwd)), VMY_I(pw->pw_uid), VMY_I(pw->pw_gid),
		VMY_S(str(pw->pw_gecos)), VMY_S(str(pw->pw_dir)), VMY_S(str(pw->pw_shell)),
#ifdef CLEAR_PASS
		VMY_S(str(pw->pw_clear_passwd)),
#endif
	};

	if ((rc = vmy_users_table(domain_of(d), table, sizeof table)) != 0)
		return rc;
#ifdef MANY_DOMAINS
	rc = vp_fmt(sql, sizeof sql, "INSERT INTO `%s` (pw_name, pw_domain, %s) VALUES (?, ?, ?, ?, ?, ?, ?, ?%s)",
	            table, USER_COLS + 9, NCOLS == 8 ? ", ?" : "");
#else
	rc = vp_fmt(sql, sizeof sql, "INSERT INTO `%s` (%s) VALUES (?, ?, ?, ?, ?, ?, ?%s)",
	            table, USER_COLS, NCOLS == 8 ? ", ?" : "");
#endif
	if (rc != 0)
		return VA_QUERY_FAILED;
	/* Never made here: the table is the domain's (vadddomain made it).
	 * One that is gone (renamed, being restored) must not come back
	 * empty, which would turn every other user into "no such user". */
	rc = vmy_exec(VMY_UPDATE, sql, a, sizeof a / sizeof a[0], NULL, NULL);
	if (rc == VMY_NO_TABLE) {
		vmy_note_no_table(table);
		rc = VA_NO_AUTH_CONNECTION;
	}
	return rc;
}

static int vmy_adduser(const struct vdomain *d, const struct vqpasswd *pw)
{
	if (d == NULL || pw == NULL)
		return VA_NULL_POINTER;
	return insert_one(d, pw);
}

static int vmy_deluser(const struct vdomain *d, const char *user);

static int vmy_adduser_many(const struct vdomain *d, const struct vqpasswd *pws, size_t n)
{
	size_t i;
	int rc;

	if (d == NULL || (pws == NULL && n > 0))
		return VA_NULL_POINTER;
	if (n == 0)
		return 0;
	if ((rc = vmy_begin()) != 0)
		return rc;
	for (i = 0; i < n && (rc = insert_one(d, &pws[i])) == 0; i++)
		;
	if (i == n && (rc = vmy_commit()) == 0)
		return 0;
	vmy_rollback();
	/* A MyISAM table (common in 5.6 databases) ignores the rollback:
	 * remove this batch's rows by hand, so that the result is the one
	 * reported (the caller removes the directories).  Every one of them
	 * was a new name, so each row is ours. */
	while (i-- > 0)
		(void)vmy_deluser(d, pws[i].pw_name);
	return rc;
}

static int vmy_deluser(const struct vdomain *d, const char *user)
{
	unsigned long long n = 0;
	char sql[SQL_MAX];
	int rc;

	if (d == NULL || user == NULL)
		return VA_NULL_POINTER;
	struct vmy_arg a[] = { VMY_S(user), VMY_S(domain_of(d)) };
	if ((rc = users_sql(sql, d, "DELETE FROM `%s` WHERE pw_name = BINARY ?" AND_DOMAIN)) != 0)
		return rc;
#ifdef MANY_DOMAINS
	rc = vmy_exec(VMY_UPDATE, sql, a, 2, NULL, &n);
#else
	rc = vmy_exec(VMY_UPDATE, sql, a, 1, NULL, &n);
#endif
	if (rc == VMY_NO_TABLE)
		return VA_USER_DOES_NOT_EXIST;
	if (rc != 0)
		return rc;
	if (n == 0)
		return VA_USER_DOES_NOT_EXIST;
	rc = vmy_exec(VMY_UPDATE, "DELETE FROM lastauth WHERE user = BINARY ? AND domain = ?", a, 2, NULL, NULL);
	return rc == VMY_NO_TABLE ? 0 : rc;
}

static int vmy_getpw(const struct vdomain *d, const char *user, struct vpw_entry *out)
{
	struct vmy_cursor *cur;
	struct vqpasswd pw;
	char sql[SQL_MAX];
	int rc;

	if (d == NULL || user == NULL || out == NULL)
		return VA_NULL_POINTER;
	/* As vpopmail's module: only root and the domain's owner may look
	 * users up (the cdb backend gets this from vpasswd's permissions). */
	if (geteuid() != 0 && geteuid() != d->uid)
		return VA_USER_DOES_NOT_EXIST;
	struct vmy_arg a[] = { VMY_S(user), VMY_S(domain_of(d)) };
	if ((rc = users_sql(sql, d, "SELECT " USER_COLS " FROM `%s` WHERE pw_name = BINARY ?" AND_DOMAIN)) != 0)
		return rc;
	if ((cur = malloc(sizeof *cur)) == NULL)
		return VA_MEMORY_ALLOC_ERR;
#ifdef MANY_DOMAINS
	rc = vmy_exec(VMY_READ, sql, a, 2, cur, NULL);
#else
	rc = vmy_exec(VMY_READ, sql, a, 1, cur, NULL);
#endif
	/* The domain is in users/assign, so its users table was made with
	 * it: a table that is not there (a database restored without it, a
	 * wrong database name) is trouble to wait out, not "no such user",
	 * which would bounce the domain's mail and refuse its logins. */
	if (rc == VMY_NO_TABLE) {
		char table[128];

		if (vmy_users_table(domain_of(d), table, sizeof table) == 0)
			vmy_note_no_table(table);
		rc = VA_NO_AUTH_CONNECTION;
	} else if (rc == 0) {
		rc = vmy_fetch(cur);
		if (rc == 1) {
			row_to_pw(cur, &pw);
			rc = vpw_entry_set(out, &pw);
			out->pw.pw_flags = out->pw.pw_gid;
		} else if (rc == 0)
			rc = VA_USER_DOES_NOT_EXIST;
		vmy_cursor_close(cur);
	}
	free(cur);
	return rc;
}

/* The record's columns, in the order of SET_USER and OLD_USER. */
static size_t user_args(struct vmy_arg *a, const struct vqpasswd *pw)
{
	size_t n = 0;

	a[n++] = (struct vmy_arg)VMY_S(str(pw->pw_passwd));
	a[n++] = (struct vmy_arg)VMY_I(pw->pw_uid);
	a[n++] = (struct vmy_arg)VMY_I(pw->pw_gid);
	a[n++] = (struct vmy_arg)VMY_S(str(pw->pw_gecos));
	a[n++] = (struct vmy_arg)VMY_S(str(pw->pw_dir));
	a[n++] = (struct vmy_arg)VMY_S(str(pw->pw_shell));
#ifdef CLEAR_PASS
	a[n++] = (struct vmy_arg)VMY_S(str(pw->pw_clear_passwd));
#endif
	return n;
}

/*
 * A column as it was read: both sides in one character set, then compared
 * as bytes (the tables' collation ignores case).  The value read went
 * through the connection's character set, the column holds the table's
 * (5.6's tables are latin1): compared as stored, an 8-bit comment or clear
 * password never matched and the user could not be changed.  A NULL
 * column reads as "" (0 for a number).
 */
#define SAME_STR(col) " AND BINARY CONVERT(COALESCE(" col ", '') USING utf8mb4)" \
                      " = BINARY CONVERT(? USING utf8mb4)"
#define SAME_NUM(col) " AND COALESCE(" col ", 0) = ?"
#ifdef CLEAR_PASS
#define SET_CLEAR ", pw_clear_passwd = ?"
#define OLD_CLEAR SAME_STR("pw_clear_passwd")
#else
#define SET_CLEAR ""
#define OLD_CLEAR ""
#endif
#define SET_USER "UPDATE `%s` SET pw_passwd = ?, pw_uid = ?, pw_gid = ?, " \
                 "pw_gecos = ?, pw_dir = ?, pw_shell = ?" SET_CLEAR " WHERE pw_name = BINARY ?" AND_DOMAIN
/* Every column as it was read. */
#define OLD_USER SAME_STR("pw_passwd") SAME_NUM("pw_uid") SAME_NUM("pw_gid") \
                 SAME_STR("pw_gecos") SAME_STR("pw_dir") SAME_STR("pw_shell") OLD_CLEAR

/* Replace pw's row; with old, only while it still holds old's fields. */
static int update_user(const struct vdomain *d, const struct vqpasswd *pw,
                       const struct vqpasswd *old)
{
	struct vmy_arg a[2 * 7 + 2];
	char sql[SQL_MAX];
	unsigned long long n = 0;
	size_t na;
	int rc;

	if (d == NULL || pw == NULL || pw->pw_name == NULL)
		return VA_NULL_POINTER;
	na = user_args(a, pw);
	a[na++] = (struct vmy_arg)VMY_S(pw->pw_name);
#ifdef MANY_DOMAINS
	a[na++] = (struct vmy_arg)VMY_S(domain_of(d));
#endif
	if (old != NULL)
		na += user_args(a + na, old);
	if ((rc = users_sql(sql, d, old != NULL ? SET_USER OLD_USER : SET_USER)) != 0)
		return rc;
	rc = vmy_exec(VMY_UPDATE, sql, a, na, NULL, &n);
	if (rc == VMY_NO_TABLE || (rc == 0 && n == 0))
		return VA_USER_DOES_NOT_EXIST;
	return rc;
}

static int vmy_setpw(const struct vdomain *d, const struct vqpasswd *pw)
{
	return update_user(d, pw, NULL);
}

static int vmy_setpw_if(const struct vdomain *d, const struct vqpasswd *old,
                        const struct vqpasswd *pw)
{
	if (old == NULL)
		return VA_NULL_POINTER;
	return update_user(d, pw, old);
}

/* Iteration streams the rows over a connection of its own, in name order
 * (bytewise, as the sorted vpasswd file of the cdb backend). */
static void *vmy_iter_open(const struct vdomain *d)
{
	struct vmy_cursor *cur;
	char sql[SQL_MAX];
	int rc;

	if (d == NULL)
		return NULL;
	struct vmy_arg a[] = { VMY_S(domain_of(d)) };
#ifdef MANY_DOMAINS
	rc = users_sql(sql, d, "SELECT " USER_COLS " FROM `%s` WHERE pw_domain = ? ORDER BY BINARY pw_name");
#else
	rc = users_sql(sql, d, "SELECT " USER_COLS " FROM `%s` ORDER BY BINARY pw_name");
#endif
	if (rc != 0 || (cur = malloc(sizeof *cur)) == NULL)
		return NULL;
#ifdef MANY_DOMAINS
	rc = vmy_exec_own(sql, a, 1, cur);
#else
	(void)a;
	rc = vmy_exec_own(sql, NULL, 0, cur);
#endif
	if (rc != 0) {
		/* A missing table is an empty domain: the cursor has no rows. */
		memset(cur, 0, sizeof *cur);
		if (rc != VMY_NO_TABLE)
			cur->ncol = (unsigned)-rc;   /* remembered for iter_next */
	}
	return cur;
}

static int vmy_iter_next(void *it, struct vpw_entry *out)
{
	struct vmy_cursor *cur = it;
	struct vqpasswd pw;
	int rc;

	if (cur == NULL || out == NULL)
		return VA_NULL_POINTER;
	if (cur->stmt == NULL)
		return cur->ncol != 0 ? -(int)cur->ncol : 0;
	rc = vmy_fetch(cur);
	if (rc != 1)
		return rc;
	row_to_pw(cur, &pw);
	if ((rc = vpw_entry_set(out, &pw)) != 0)
		return rc;
	out->pw.pw_flags = out->pw.pw_gid;
	return 1;
}

static void vmy_iter_close(void *it)
{
	vmy_cursor_close(it);
	free(it);
}

static int vmy_reindex(const struct vdomain *d)
{
	(void)d;
	return 0;       /* the database keeps its own indexes */
}

/* lastauth.user is VARCHAR(32) in vpopmail's schema: longer names are not
 * recorded (rather than truncated into someone else's row). */
#define LASTAUTH_USER_MAX 32

static int vmy_set_lastauth(const struct vdomain *d, const struct vqpasswd *pw,
                            const char *ip, time_t when)
{
#ifdef ENABLE_AUTH_LOGGING
	if (d == NULL || pw == NULL || pw->pw_name == NULL)
		return VA_NULL_POINTER;
	struct vmy_arg upd[] = { VMY_S(str(ip)), VMY_I(when), VMY_S(pw->pw_name), VMY_S(domain_of(d)) };
	struct vmy_arg ins[] = { VMY_S(pw->pw_name), VMY_S(domain_of(d)), VMY_S(str(ip)), VMY_I(when),
	                         VMY_S(pw->pw_name), VMY_S(domain_of(d)) };
	/* remote_ip is VARCHAR(39): a longer address (an IPv6 one with a
	 * zone) is cut to fit, as vlog's columns are, rather than failing
	 * the write in strict mode and leaving the previous login shown. */
	static const char update[] = "UPDATE lastauth SET remote_ip = LEFT(?, 39), timestamp = ?"
	                             " WHERE user = BINARY ? AND domain = ?";
	char sql[SQL_MAX];
	unsigned long long n = 0;
	int rc;

	if (strlen(pw->pw_name) > LASTAUTH_USER_MAX)
		return 0;
	/* An UPDATE, else an INSERT ... SELECT: both are safe for a master
	 * logging statements (binlog_format=STATEMENT), which an INSERT ...
	 * SELECT ... ON DUPLICATE KEY UPDATE is not (a warning per login).
	 * The insert is made only while the user's row is there: a login or
	 * vadduser that read the record before a vdeluser (or vdeldomain)
	 * removed it and its lastauth row must not write a row for a user
	 * that is gone.  Its SELECT takes a shared lock on the user's row,
	 * so the delete of the row, and the lastauth delete after it, come
	 * after the insert. */
	rc = vmy_exec_create(VMY_T_LASTAUTH, "lastauth", update, upd, 4, &n);
	if (rc != 0 || n > 0)
		return rc;
	if ((rc = users_sql(sql, d, "INSERT INTO lastauth (user, domain, remote_ip, timestamp)"
	                            " SELECT ?, ?, LEFT(?, 39), ? FROM `%s` WHERE pw_name = BINARY ?" AND_DOMAIN)) != 0)
		return rc;
#ifdef MANY_DOMAINS
	rc = vmy_exec(VMY_UPDATE, sql, ins, 6, NULL, NULL);
#else
	rc = vmy_exec(VMY_UPDATE, sql, ins, 5, NULL, NULL);
#endif
	/* Another login inserted the row since the UPDATE: it is updated. */
	if (rc == VA_USERNAME_EXISTS)
		rc = vmy_exec(VMY_UPDATE, update, upd, 4, NULL, NULL);
	/* the users table gone: the domain went, and the user with it */
	return rc == VMY_NO_TABLE ? 0 : rc;
#else
	(void)d; (void)pw; (void)ip; (void)when;
	return 0;
#endif
}

/* No row (or a build without auth logging) is VA_NO_AUTH_CONNECTION with
 * *when = 0 and ip = "", as in the cdb backend. */
static int vmy_get_lastauth(const struct vdomain *d, const struct vqpasswd *pw,
                            time_t *when, char *ip, size_t ipsize)
{
	if (when != NULL)
		*when = 0;
	if (ip != NULL && ipsize > 0)
		ip[0] = '\0';
#ifdef ENABLE_AUTH_LOGGING
	if (d == NULL || pw == NULL || pw->pw_name == NULL)
		return VA_NULL_POINTER;
	{
		struct vmy_arg a[] = { VMY_S(pw->pw_name), VMY_S(domain_of(d)) };
		struct vmy_cursor *cur;
		int rc;

		if ((cur = malloc(sizeof *cur)) == NULL)
			return VA_MEMORY_ALLOC_ERR;
		rc = vmy_exec(VMY_READ, "SELECT timestamp, remote_ip FROM lastauth WHERE user = BINARY ? AND domain = ?",
		              a, 2, cur, NULL);
		if (rc == 0) {
			rc = vmy_fetch(cur);
			if (rc == 1) {
				if (when != NULL)
					*when = (time_t)strtoll(cur->col[0], NULL, 10);
				if (ip != NULL && ipsize > 0)
					vp_strlcpy(ip, cur->col[1], ipsize);
				rc = 0;
			} else if (rc == 0)
				rc = VA_NO_AUTH_CONNECTION;
			vmy_cursor_close(cur);
		} else if (rc == VMY_NO_TABLE)
			rc = VA_NO_AUTH_CONNECTION;
		free(cur);
		return rc;
	}
#else
	(void)d; (void)pw;
	return VA_NO_AUTH_CONNECTION;
#endif
}

/* ------------------------------------------------------------------ */

static const vauth_backend vmysql_backend = {
	.name         = "mysql",
	.open         = vmy_open,
	.close        = vmy_close,
	.adddomain    = vmy_adddomain,
	.deldomain    = vmy_deldomain,
	.adduser      = vmy_adduser,
	.adduser_many = vmy_adduser_many,
	.deluser      = vmy_deluser,
	.getpw        = vmy_getpw,
	.setpw        = vmy_setpw,
	.setpw_if     = vmy_setpw_if,
	.iter_open    = vmy_iter_open,
	.iter_next    = vmy_iter_next,
	.iter_close   = vmy_iter_close,
	.reindex      = vmy_reindex,
	.set_lastauth = vmy_set_lastauth,
	.get_lastauth = vmy_get_lastauth,
#ifdef ENABLE_MYSQL_LIMITS
	.get_limits   = vmy_get_limits,
	.set_limits   = vmy_set_limits,
	.del_limits   = vmy_del_limits,
#endif
	.relay_open   = vmy_relay_open,
	.relay_walk   = vmy_relay_walk,
	.relay_expire = vmy_relay_expire,
	.ipmap_get    = vmy_ipmap_get,
	.ipmap_add    = vmy_ipmap_add,
	.ipmap_del    = vmy_ipmap_del,
	.ipmap_walk   = vmy_ipmap_walk,
	.dirctl_saved = vmy_dirctl_saved,
	.why          = vmy_why,
};

const vauth_backend *vauth_backend_get(void)
{
	return &vmysql_backend;
}
