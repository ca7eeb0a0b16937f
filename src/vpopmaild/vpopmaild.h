/*
 * vpopmaild.h - the pieces of the vpopmaild protocol daemon.
 *
 * vpopmaild speaks vpopmail 5.6's line protocol on stdin/stdout (run under
 * tcpserver).  The files of this directory split it by concern:
 *   io.c        line reader (length limit, per-line timeout) and response writer
 *   session.c   the login phase, the command loop, privilege helpers
 *   table.c     the command tables, dispatch and help
 *   userinfo.c  the user-info block and address parsing
 *   cmd_*.c     the commands, one group per file
 *   paths.c     path arguments of the file commands, confined to ~vpopmail
 * Only public headers of libvpopmail are used.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VPOPMAILD_H
#define VPOPMAILD_H

#include <stddef.h>
#include <sys/types.h>

#include "vpopmail.h"
#include "vauth.h"
#include "vlimits.h"

/* Longest command line accepted (bytes, newline included); longer lines
 * are discarded whole and answered as invalid commands. */
#define VPD_LINE_MAX     1024
/* Most bytes a write_file stores below system admin, and in a .qmail file
 * at any level: the largest .qmail vdelivermail reads, and the largest
 * .qmailadmin-limits the library reads. */
#define VPD_WRITE_MAX    (1024 * 1024)
/* Default timeout in seconds (5.6: 60): an idle client's, and the time a
 * line has to arrive whole, however slowly it is sent. */
#define VPD_TIMEOUT      60
/* Lines read before a successful login, and failed logins tolerated. */
#define VPD_LOGIN_LINES  4
#define VPD_LOGIN_FAILS  3
/* Longest path a file command resolves to (the original's 256-byte buffer). */
#define VPD_PATH_MAX     255

/* Session levels. */
#define VPD_NONE    0
#define VPD_USER    1
#define VPD_DOMAIN  2
#define VPD_SYSTEM  3

/* Output modes chosen by the login command. */
#define VPD_FULL    0
#define VPD_COMPACT 1
#define VPD_SILENT  2

struct vpd_session {
	int   level;
	int   mode;
	gid_t flags;                        /* the login's user flags (+QA_ADMIN for postmaster) */
	char  user[MAX_PW_NAME + 1];
	char  domain[MAX_PW_DOMAIN + 1];    /* the real domain of the login */
	char  domdir[VP_PATH_MAX];
	char  userdir[VP_PATH_MAX];
	uid_t uid;                          /* the domain's ids */
	gid_t gid;
};

/* The session (one per process). */
extern struct vpd_session vpd;

/* ------------------------------------------------------------------ io.c */

/* Results of vpd_read_line(). */
#define VPD_LINE     1      /* a whole line, newline kept */
#define VPD_PARTIAL  2      /* the next cap-1 bytes of a longer line */
#define VPD_EOF      0      /* end of input (also inside a line) or timeout */
/* Each call has the whole timeout for its line (or piece of one). */

void vpd_io_init(int timeout);
/* Read one line into buf (NUL-terminated); *len gets its length. */
int  vpd_read_line(char *buf, size_t cap, size_t *len);
/* Read a command line; an overlong line is skipped whole and *overlong set. */
int  vpd_read_command(char *buf, size_t cap, int *overlong);

/* Responses.  Every write failure ends the process (exit 254). */
void vpd_write(const char *data, size_t len);
void vpd_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vpd_ok(void);                      /* "+OK " */
void vpd_more(void);                    /* "+OK+" */
void vpd_end(void);                     /* "." */
void vpd_err(int major, int minor);     /* "-ERR <major>.<minor> <table text>" */
void vpd_err0(int minor, const char *text);   /* "-ERR 0.<minor> <text>" */
void vpd_result(int rc, int minor);     /* "+OK ", or vpd_err0 with verror(rc) */
void vpd_flush(void);
_Noreturn void vpd_exit(int status);

/* ------------------------------------------------------------ tokens */

/* A command line being split, strtok-style, on space, tab, CR, LF. */
struct vpd_args {
	char *p;
};
char *vpd_next(struct vpd_args *a);
/* The rest of the line after the previous token's separator, up to CR/LF
 * (passwords may hold spaces); NULL if empty. */
char *vpd_rest(struct vpd_args *a);
/* A non-negative number argument (atoi; negatives become 0), 0 if absent. */
int   vpd_next_count(struct vpd_args *a);
/* Paging arguments "[page per_page]": entries with zero-based index in
 * [first, last) are listed; last 0 (page or per_page missing or < 1) = all. */
struct vpd_page {
	int first, last;
};
struct vpd_page vpd_page_args(struct vpd_args *a);

/* ------------------------------------------------------------ session.c */

int  vpd_is_sa(void);
int  vpd_is_qa(void);                   /* QA_ADMIN and not SA_ADMIN */
/* A domain admin's check: does `domain` (as given) name the home domain? */
int  vpd_own_domain(const char *domain);
/* Copy a domain argument into dom (cap bytes), which vauth_getall() may
 * overwrite with the real domain's name: -1 if it does not fit.  Such a
 * name cannot be a domain's, and cut to fit it could be another's. */
int  vpd_domain_copy(char *dom, size_t cap, const char *domain);
/* A system admin's account, out of reach of this session (below system
 * admin): a domain admin who could read or set its password would log
 * in as a system admin (5.6 let them). */
int  vpd_out_of_reach(const struct vqpasswd *pw);
/* 1 while the login's record is as the session began: there, with the
 * same password hash and the same rights (else the session must end:
 * the account was deleted, its password changed or its rights taken). */
int  vpd_login_current(void);
/* The session changed its own login's record (mod_user of itself). */
void vpd_login_changed(const struct vqpasswd *pw);
int  vpd_login_is(const struct vqpasswd *pw);
void vpd_login_check(void);
/* The session's login is no longer current: -ERR 8.108, exit 255. */
_Noreturn void vpd_login_gone(void);
/* Queue a change behind those of other sessions (see session.c). */
void vpd_write_lock(void);
void vpd_write_unlock(void);
/* The whole daemon; returns the exit status. */
int  vpd_main(int timeout);

/* ------------------------------------------------------------ userinfo.c */

/* Split and check "user@domain" (user%domain, user/domain; default domain
 * when absent) into user and domain, lower-cased.  0 ok, -1 invalid. */
int  vpd_parse_email(const char *addr, char *user, size_t usize, char *domain, size_t dsize);
/* The user-info block (§7.4) in the session's mode. */
void vpd_user_block(const struct vqpasswd *pw);

/* ------------------------------------------------------------ table.c */

typedef void (*vpd_handler)(struct vpd_args *a);
/* Run a command line; before login only the login table is used.
 * Returns the handler's login status for the login phase (see session.c). */
int  vpd_dispatch(char *line, int logged_in);

/* Handlers (cmd_*.c). */
int  vpd_cmd_login(struct vpd_args *a, int mode);   /* 0 ok, -1 missing arg, -2 failure */
void vpd_cmd_help(struct vpd_args *a);
void vpd_cmd_login_help(struct vpd_args *a);
void vpd_cmd_quit(struct vpd_args *a);

void vpd_cmd_user_info(struct vpd_args *a);
void vpd_cmd_list_domains(struct vpd_args *a);
void vpd_cmd_find_domain(struct vpd_args *a);
void vpd_cmd_domain_count(struct vpd_args *a);
void vpd_cmd_add_alias_domain(struct vpd_args *a);
void vpd_cmd_add_domain(struct vpd_args *a);
void vpd_cmd_del_domain(struct vpd_args *a);
void vpd_cmd_dom_info(struct vpd_args *a);
void vpd_cmd_get_limits(struct vpd_args *a);
void vpd_cmd_set_limits(struct vpd_args *a);
void vpd_cmd_del_limits(struct vpd_args *a);
void vpd_cmd_get_domain_size(struct vpd_args *a);

void vpd_cmd_add_user(struct vpd_args *a);
void vpd_cmd_del_user(struct vpd_args *a);
void vpd_cmd_user_count(struct vpd_args *a);
void vpd_cmd_list_users(struct vpd_args *a);
void vpd_cmd_list_lists(struct vpd_args *a);
void vpd_cmd_mod_user(struct vpd_args *a);
void vpd_cmd_get_lastauth(struct vpd_args *a);
void vpd_cmd_get_user_size(struct vpd_args *a);

void vpd_cmd_add_alias(struct vpd_args *a);
void vpd_cmd_remove_alias(struct vpd_args *a);
void vpd_cmd_delete_alias(struct vpd_args *a);
void vpd_cmd_list_alias(struct vpd_args *a);

void vpd_cmd_mk_dir(struct vpd_args *a);
void vpd_cmd_rm_dir(struct vpd_args *a);
void vpd_cmd_list_dir(struct vpd_args *a);
void vpd_cmd_rm_file(struct vpd_args *a);
void vpd_cmd_rename_file(struct vpd_args *a);
void vpd_cmd_write_file(struct vpd_args *a);
void vpd_cmd_read_file(struct vpd_args *a);
void vpd_cmd_stat_file(struct vpd_args *a);

void vpd_cmd_get_ip_map(struct vpd_args *a);
void vpd_cmd_add_ip_map(struct vpd_args *a);
void vpd_cmd_del_ip_map(struct vpd_args *a);
void vpd_cmd_show_ip_map(struct vpd_args *a);

void vpd_cmd_add_list(struct vpd_args *a);
void vpd_cmd_del_list(struct vpd_args *a);
void vpd_cmd_mod_list(struct vpd_args *a);

/* ------------------------------------------------------------ paths.c */

/* Resolve a path argument (§7.9) into out (VPD_PATH_MAX + 1 bytes).
 * 0 ok; otherwise the error has been sent and -1 is returned. */
int  vpd_resolve_path(const char *arg, char *out, size_t size);
/* The same, silent: the error's major and minor are stored instead. */
int  vpd_check_path(const char *arg, char *out, size_t size, int *major, int *minor);
/* May the session change path (write, create, remove, rename)?  Below
 * system admin the files the library keeps are refused with the area's
 * 26.151x; removing (rm_*, a rename's source) lets a directory through.
 * 0 yes; vpd_may_change() sends the error, vpd_check_change() stores it. */
int  vpd_may_change(const char *path, int removing);
int  vpd_check_change(const char *path, int removing, int *major, int *minor);
/* Is the session a plain user's and path's last component a .qmail file
 * name (".qmail", ".qmail-*")?  vdelivermail runs those files' program
 * lines as the domain's uid: a plain user's may not hold any. */
int  vpd_plain_dotqmail(const char *path);
/* Is path the confinement root itself (never removed or renamed)? */
int  vpd_path_is_root(const char *path);
/* Is path root itself or below it (by name: resolve both first)? */
int  vpd_path_under(const char *path, const char *root);

#endif /* VPOPMAILD_H */
