/*
 * table.c - the command tables of vpopmaild, dispatch and help.
 *
 * Two tables as in 5.6: the login table (before login) and the command
 * table.  A command whose level is above the session's is unknown to it.
 * Entries without a handler are section headers for help.  The help texts
 * are the protocol's own (the literal "<crlf>" included).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpopmaild.h"

#include <limits.h>
#include <string.h>
#include <strings.h>

struct vpd_command {
	int         level;
	const char *name;
	vpd_handler run;
	const char *help;
};

/* Login table: the level column holds the output mode of the login commands. */
static const struct vpd_command login_table[] = {
	{ 0, "Login", NULL, NULL },
	{ VPD_FULL,    "login",  NULL, "login user@domain password - expanded bitmaps" },
	{ VPD_COMPACT, "clogin", NULL, "login user@domain password - compact bitmapts" },
	{ VPD_SILENT,  "slogin", NULL, "login user@domain password - silent results" },
	{ 0, "Utility", NULL, NULL },
	{ 0, "help", vpd_cmd_login_help, "help" },
	{ 0, "exit", vpd_cmd_quit, "quit" },
	{ 0, "quit", vpd_cmd_quit, "quit" },
	{ 0, "q",    vpd_cmd_quit, "quit" },
};

static const struct vpd_command table[] = {
	{ 2, "Domain", NULL, NULL },
	{ 2, "user_info",        vpd_cmd_user_info,        "user_domain<crlf>" },
	{ 3, "list_domains",     vpd_cmd_list_domains,     "[page per_page]<crlf>" },
	{ 3, "find_domain",      vpd_cmd_find_domain,      "domain [per-page]<crlf>" },
	{ 3, "domain_count",     vpd_cmd_domain_count,     "<crlf>" },
	{ 3, "add_alias_domain", vpd_cmd_add_alias_domain, "domain alias<crlf>" },
	{ 3, "add_domain",       vpd_cmd_add_domain,       "domain postmaster-password<crlf>" },
	{ 3, "del_domain",       vpd_cmd_del_domain,       "domain<crlf>" },
	{ 3, "dom_info",         vpd_cmd_dom_info,         "domain<crlf>" },
	{ 2, "get_limits",       vpd_cmd_get_limits,       "domain<crlf>" },
	{ 3, "set_limits",       vpd_cmd_set_limits,       "domain (option lines)<crlf>.<crlf>" },
	{ 3, "del_limits",       vpd_cmd_del_limits,       "domain<crlf>" },
	{ 2, "get_domain_size",  vpd_cmd_get_domain_size,  "domain<crlf>" },

	{ 1, "User", NULL, NULL },
	{ 2, "add_user",      vpd_cmd_add_user,      "user@domain password<crlf>" },
	{ 2, "del_user",      vpd_cmd_del_user,      "user@domain<crlf>" },
	{ 2, "user_count",    vpd_cmd_user_count,    "domain <crlf>" },
	{ 2, "list_users",    vpd_cmd_list_users,    "domain [page per_page]<crlf>" },
	{ 2, "list_users",    vpd_cmd_list_users,    "domain<crlf>" },
	{ 2, "list_lists",    vpd_cmd_list_lists,    "domain<crlf>" },
	{ 1, "mod_user",      vpd_cmd_mod_user,      "user@domain (option lines)<crlf>.<crlf>" },
	{ 1, "get_lastauth",  vpd_cmd_get_lastauth,  "user@domain<crlf>" },
	{ 1, "get_user_size", vpd_cmd_get_user_size, "user@domain<crlf>" },

	{ 2, "Alias", NULL, NULL },
	{ 2, "add_alias",    vpd_cmd_add_alias,    "user@domain user@otherdomain<crlf>" },
	{ 2, "delete_alias", vpd_cmd_delete_alias, "user@domain<crlf>" },
	{ 2, "list_alias",   vpd_cmd_list_alias,   "domain<crlf>" },
	{ 2, "remove_alias", vpd_cmd_remove_alias, "user@domain user@otherdomain<crlf>" },

	{ 1, "File System", NULL, NULL },
	{ 1, "mk_dir",      vpd_cmd_mk_dir,      "/full/path/to/dir<crlf>" },
	{ 1, "rm_dir",      vpd_cmd_rm_dir,      "/full/path/to/dir<crlf>" },
	{ 1, "list_dir",    vpd_cmd_list_dir,    "/full/path/to/dir<crlf>" },
	{ 1, "rm_file",     vpd_cmd_rm_file,     "/full/path/to/file<crlf>" },
	{ 1, "rename_file", vpd_cmd_rename_file, "/full/path/to/file<crlf>" },
	{ 1, "write_file",  vpd_cmd_write_file,  "/full/path (data lines)<crlf>.<crlf>" },
	{ 1, "read_file",   vpd_cmd_read_file,   "/full/path<crlf>" },
	{ 1, "stat_file",   vpd_cmd_stat_file,   "/full/path<crlf>" },

	{ 1, "IP Map", NULL, NULL },
	{ 1, "get_ip_map",  vpd_cmd_get_ip_map,  "domain<crlf>" },
	{ 3, "add_ip_map",  vpd_cmd_add_ip_map,  "ip domain<crlf>" },
	{ 3, "del_ip_map",  vpd_cmd_del_ip_map,  "ip domain<crlf>" },
	{ 3, "show_ip_map", vpd_cmd_show_ip_map, "domain<crlf>" },

	{ 2, "Mailing List", NULL, NULL },
	{ 2, "add_list", vpd_cmd_add_list, "domain listname (command line options)<crlf>" },
	{ 2, "del_list", vpd_cmd_del_list, "domain listname<crlf>" },
	{ 2, "mod_list", vpd_cmd_mod_list, "domain listname (command line options)<crlf>" },

	{ 0, "Utility", NULL, NULL },
	{ 0, "exit", vpd_cmd_quit, "quit" },
	{ 0, "quit", vpd_cmd_quit, "quit" },
	{ 0, "q",    vpd_cmd_quit, "quit" },
	{ 0, "help", vpd_cmd_help, "help" },
};

#define COUNT(t) (sizeof(t) / sizeof((t)[0]))

static int is_login(const struct vpd_command *c)
{
	return c->help != NULL && c->run == NULL;
}

static void show_help(const struct vpd_command *t, size_t n, int level)
{
	size_t i;

	vpd_more();
	for (i = 0; i < n; i++) {
		if (t[i].level > level)
			continue;
		if (t[i].help == NULL) {
			vpd_printf("%s", "");
			vpd_printf("%s", t[i].name);
		} else {
			vpd_printf("%s %s", t[i].name, t[i].help);
		}
	}
	vpd_end();
}

void vpd_cmd_login_help(struct vpd_args *a)
{
	(void)a;
	/* before login the whole login table is shown */
	show_help(login_table, COUNT(login_table), VPD_SILENT);
}

void vpd_cmd_help(struct vpd_args *a)
{
	(void)a;
	show_help(table, COUNT(table), vpd.level);
}

/* The entry of table t named cmd (any case) that a session at level may
 * run: a handler, or a login command; NULL when there is none. */
static const struct vpd_command *lookup(const struct vpd_command *t, size_t n,
                                        const char *cmd, int level)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((t[i].run != NULL || is_login(&t[i])) && t[i].level <= level &&
		    strcasecmp(t[i].name, cmd) == 0)
			return &t[i];
	return NULL;
}

int vpd_dispatch(char *line, int logged_in)
{
	struct vpd_args a = { line };
	const char *cmd = vpd_next(&a);
	const struct vpd_command *c;

	if (cmd == NULL)
		return 0;               /* blank line: no answer */
	/* before login the level column holds modes: every entry counts */
	c = logged_in ? lookup(table, COUNT(table), cmd, vpd.level)
	              : lookup(login_table, COUNT(login_table), cmd, INT_MAX);
	/* Rights rest on the login: an account deleted, or whose password or
	 * rights changed, since the login ends the session (5.6 kept it).
	 * Quitting needs no rights: it still says goodbye. */
	if (logged_in && (c == NULL || c->run != vpd_cmd_quit))
		vpd_login_check();
	if (c == NULL)
		vpd_err(4, logged_in ? 107 : 104);
	else if (is_login(c))
		return vpd_cmd_login(&a, c->level);
	else
		c->run(&a);
	return 0;
}
