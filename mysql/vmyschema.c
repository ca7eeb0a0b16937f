/*
 * vmyschema.c - the tables of vpopmail 5.6's MySQL module, column for
 * column, so that a database made by either program serves the other.
 * Every table is created on first use (CREATE TABLE IF NOT EXISTS).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vmysql.h"

#include <string.h>

#ifdef CLEAR_PASS
#define CLEAR_COL "pw_clear_passwd VARCHAR(128), "
#else
#define CLEAR_COL ""
#endif

/* Users: one `vpopmail` table keyed by (pw_name, pw_domain), or with
 * --disable-many-domains one table per domain keyed by pw_name. */
#ifdef MANY_DOMAINS
#define USERS_LAYOUT \
	"pw_name VARCHAR(64) NOT NULL, pw_domain VARCHAR(96) NOT NULL, " \
	"pw_passwd VARCHAR(128), pw_uid INT, pw_gid INT, pw_gecos VARCHAR(64), " \
	"pw_dir VARCHAR(160), pw_shell VARCHAR(20), " CLEAR_COL \
	"PRIMARY KEY (pw_name, pw_domain)"
#else
#define USERS_LAYOUT \
	"pw_name VARCHAR(64) NOT NULL, " \
	"pw_passwd VARCHAR(128), pw_uid INT, pw_gid INT, pw_gecos VARCHAR(64), " \
	"pw_dir VARCHAR(160), pw_shell VARCHAR(20), " CLEAR_COL \
	"PRIMARY KEY (pw_name)"
#endif

#define LASTAUTH_LAYOUT \
	"user VARCHAR(32) NOT NULL, domain VARCHAR(96) NOT NULL, " \
	"remote_ip VARCHAR(39) NOT NULL, timestamp INT DEFAULT 0 NOT NULL, " \
	"PRIMARY KEY (user, domain)"

#ifdef DEFAULT_DELIVERY
#define VALIAS_LAYOUT \
	"id INT(11) PRIMARY KEY AUTO_INCREMENT, " \
	"valias_type TINYINT(1) NOT NULL DEFAULT 1 COMMENT '1=forwarder 0=lda', " \
	"alias VARCHAR(32) NOT NULL, domain VARCHAR(96) NOT NULL, valias_line TEXT NOT NULL, " \
	"copy TINYINT(1) NOT NULL DEFAULT 0 COMMENT '0=redirect 1=copy&redirect', " \
	"INDEX (alias, domain, valias_type), INDEX (alias, domain)"
#else
#define VALIAS_LAYOUT \
	"id INT(11) PRIMARY KEY AUTO_INCREMENT, " \
	"alias VARCHAR(32) NOT NULL, domain VARCHAR(96) NOT NULL, valias_line TEXT NOT NULL, " \
	"INDEX (alias, domain)"
#endif

#define LIMITS_LAYOUT \
	"domain VARCHAR(96) PRIMARY KEY, " \
	"maxpopaccounts INT(10) NOT NULL DEFAULT -1, maxaliases INT(10) NOT NULL DEFAULT -1, " \
	"maxforwards INT(10) NOT NULL DEFAULT -1, maxautoresponders INT(10) NOT NULL DEFAULT -1, " \
	"maxmailinglists INT(10) NOT NULL DEFAULT -1, " \
	"diskquota BIGINT UNSIGNED NOT NULL DEFAULT 0, maxmsgcount BIGINT UNSIGNED NOT NULL DEFAULT 0, " \
	"defaultquota BIGINT UNSIGNED NOT NULL DEFAULT 0, " \
	"defaultmaxmsgcount BIGINT UNSIGNED NOT NULL DEFAULT 0, " \
	"disable_pop TINYINT(1) NOT NULL DEFAULT 0, disable_imap TINYINT(1) NOT NULL DEFAULT 0, " \
	"disable_dialup TINYINT(1) NOT NULL DEFAULT 0, " \
	"disable_passwordchanging TINYINT(1) NOT NULL DEFAULT 0, " \
	"disable_webmail TINYINT(1) NOT NULL DEFAULT 0, disable_relay TINYINT(1) NOT NULL DEFAULT 0, " \
	"disable_smtp TINYINT(1) NOT NULL DEFAULT 0, " \
	"disable_spamassassin TINYINT(1) NOT NULL DEFAULT 0, delete_spam TINYINT(1) NOT NULL DEFAULT 0, " \
	"disable_maildrop TINYINT(1) NOT NULL DEFAULT 0, " \
	"perm_account TINYINT(2) NOT NULL DEFAULT 0, perm_alias TINYINT(2) NOT NULL DEFAULT 0, " \
	"perm_forward TINYINT(2) NOT NULL DEFAULT 0, perm_autoresponder TINYINT(2) NOT NULL DEFAULT 0, " \
	"perm_maillist TINYINT(4) NOT NULL DEFAULT 0, perm_quota TINYINT(2) NOT NULL DEFAULT 0, " \
	"perm_defaultquota TINYINT(2) NOT NULL DEFAULT 0"

#define DIR_CONTROL_LAYOUT \
	"domain VARCHAR(96) NOT NULL, cur_users INT, level_cur INT, level_max INT, " \
	"level_start0 INT, level_start1 INT, level_start2 INT, " \
	"level_end0 INT, level_end1 INT, level_end2 INT, " \
	"level_mod0 INT, level_mod1 INT, level_mod2 INT, " \
	"level_index0 INT, level_index1 INT, level_index2 INT, the_dir VARCHAR(160), " \
	"PRIMARY KEY (domain)"

#define ALIASDOMAINS_LAYOUT \
	"alias VARCHAR(100) NOT NULL, domain VARCHAR(100) NOT NULL, PRIMARY KEY (alias)"

#define VLOG_LAYOUT \
	"id BIGINT PRIMARY KEY AUTO_INCREMENT, user VARCHAR(32), passwd VARCHAR(32), " \
	"domain VARCHAR(96), logon VARCHAR(200), remoteip VARCHAR(39), message VARCHAR(255), " \
	"timestamp INT DEFAULT 0 NOT NULL, error TINYINT(1), " \
	"INDEX user_idx (user), INDEX domain_idx (domain), INDEX remoteip_idx (remoteip), " \
	"INDEX error_idx (error), INDEX message_idx (message)"

#define RELAY_LAYOUT \
	"ip_addr VARCHAR(39) NOT NULL, timestamp INT, PRIMARY KEY (ip_addr)"

#define IP_ALIAS_MAP_LAYOUT \
	"ip_addr VARCHAR(39) NOT NULL, domain VARCHAR(96), PRIMARY KEY (ip_addr)"

const char *vmy_layout(enum vmy_table t)
{
	switch (t) {
	case VMY_T_USERS:        return USERS_LAYOUT;
	case VMY_T_LASTAUTH:     return LASTAUTH_LAYOUT;
	case VMY_T_VALIAS:       return VALIAS_LAYOUT;
	case VMY_T_LIMITS:       return LIMITS_LAYOUT;
	case VMY_T_DIR_CONTROL:  return DIR_CONTROL_LAYOUT;
	case VMY_T_ALIASDOMAINS: return ALIASDOMAINS_LAYOUT;
	case VMY_T_VLOG:         return VLOG_LAYOUT;
	case VMY_T_RELAY:        return RELAY_LAYOUT;
	case VMY_T_IP_ALIAS_MAP: return IP_ALIAS_MAP_LAYOUT;
	}
	return NULL;
}

#ifndef MANY_DOMAINS
/* The tables every domain shares: a domain named after one of them
 * ("ip.alias.map") would be given it as its users table, and vdeldomain
 * would drop it. */
static const char *const shared_tables[] = {
	VMY_USERS_TABLE, "lastauth", "valias", "limits", "dir_control",
	"aliasdomains", "vlog", "relay", "ip_alias_map", NULL
};
#endif

int vmy_users_table(const char *domain, char *name, size_t size)
{
#ifdef MANY_DOMAINS
	(void)domain;
	return vp_strlcpy(name, VMY_USERS_TABLE, size) == 0 ? 0 : VA_DOMAIN_NAME_TOO_LONG;
#else
	const char *const *t;
	size_t i;
	char c;

	/* MySQL identifiers stop at 64 characters. */
	if (domain == NULL || domain[0] == '\0' || strlen(domain) > 64 || strlen(domain) >= size)
		return VA_INVALID_DOMAIN_NAME;
	for (i = 0; (c = domain[i]) != '\0'; i++) {
		if (c == '.' || c == '-')
			c = '_';
		else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return VA_INVALID_DOMAIN_NAME;
		name[i] = c;
	}
	name[i] = '\0';
	for (t = shared_tables; *t != NULL; t++)
		if (strcmp(name, *t) == 0)
			return VA_INVALID_DOMAIN_NAME;
	return 0;
#endif
}

int vmy_create(enum vmy_table t, const char *name)
{
	char sql[4096];

	if (vp_fmt(sql, sizeof sql, "CREATE TABLE IF NOT EXISTS `%s` ( %s )", name, vmy_layout(t)) != 0)
		return VA_QUERY_FAILED;
	return vmy_exec(VMY_UPDATE, sql, NULL, 0, NULL, NULL);
}

int vmy_exec_create(enum vmy_table t, const char *table, const char *sql,
                    const struct vmy_arg *args, unsigned nargs, unsigned long long *affected)
{
	int rc = vmy_exec(VMY_UPDATE, sql, args, nargs, NULL, affected);

	if (rc == VMY_NO_TABLE) {
		if ((rc = vmy_create(t, table)) != 0)
			return rc;
		rc = vmy_exec(VMY_UPDATE, sql, args, nargs, NULL, affected);
	}
	return rc;
}
