/*
 * vpopmail.h - public interface of libvpopmail (vpopmail-ng).
 *
 * Source-compatible with the classic vpopmail 5.6 API, so that programs
 * written against vpopmail's headers (qmailadmin and friends) build and link
 * unchanged.  Every function that can fail returns a VA_* code (0 = success)
 * unless its classic signature says otherwise; the library never prints to
 * stdout and never exits.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VPOPMAIL_H
#define VPOPMAIL_H

#include <sys/types.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
/* 5.6's vpopmail.h brought in crypt(3)'s declaration; clients rely on it. */
#if defined(__has_include)
#if __has_include(<crypt.h>)
#include <crypt.h>
#endif
#endif

/*
 * The build's configuration (feature macros such as SHA512_PASSWORDS or
 * VALIAS decide a few definitions below).  It also carries this
 * package's PACKAGE and VERSION macros, which must not clobber (or warn
 * about) a client's own, as qmailadmin's config.h defines them too:
 * they are saved around the include and restored after it.
 */
#ifndef VPOPMAIL_NG_BUILD
#pragma push_macro("PACKAGE")
#pragma push_macro("VERSION")
#pragma push_macro("PACKAGE_NAME")
#pragma push_macro("PACKAGE_STRING")
#pragma push_macro("PACKAGE_TARNAME")
#pragma push_macro("PACKAGE_VERSION")
#pragma push_macro("PACKAGE_BUGREPORT")
#pragma push_macro("PACKAGE_URL")
#undef PACKAGE
#undef VERSION
#undef PACKAGE_NAME
#undef PACKAGE_STRING
#undef PACKAGE_TARNAME
#undef PACKAGE_VERSION
#undef PACKAGE_BUGREPORT
#undef PACKAGE_URL
#endif
#include "vpopmail_config.h"
#ifndef VPOPMAIL_NG_BUILD
#pragma pop_macro("PACKAGE")
#pragma pop_macro("VERSION")
#pragma pop_macro("PACKAGE_NAME")
#pragma pop_macro("PACKAGE_STRING")
#pragma pop_macro("PACKAGE_TARNAME")
#pragma pop_macro("PACKAGE_VERSION")
#pragma pop_macro("PACKAGE_BUGREPORT")
#pragma pop_macro("PACKAGE_URL")
#endif
/* 5.6's switch for client code that calls the onchange hook itself. */
#if defined(ONCHANGE_SCRIPT) || defined(ONCHANGE_SCRIPT_BEFORE_AND_AFTER)
#define USE_ONCHANGE 1
#endif
#include "storage.h"
#include "vauth.h"
#include "vlogin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Return codes (values as in vpopmail).                              */

#define VA_SUCCESS                       0
#define VA_ILLEGAL_USERNAME             -1
#define VA_USERNAME_EXISTS              -2
#define VA_BAD_DIR                      -3
#define VA_BAD_U_DIR                    -4
#define VA_BAD_D_DIR                    -5
#define VA_BAD_V_DIR                    -6
#define VA_EXIST_U_DIR                  -7
#define VA_BAD_U_DIR2                   -8
#define VA_SUBDIR_CREATION              -9
#define VA_USER_DOES_NOT_EXIST         -10
#define VA_DOMAIN_DOES_NOT_EXIST       -11
#define VA_INVALID_DOMAIN_NAME         -12
#define VA_DOMAIN_ALREADY_EXISTS       -13
#define VA_COULD_NOT_MAKE_DOMAIN_DIR   -14
#define VA_COULD_NOT_OPEN_QMAIL_DEFAULT -15
#define VA_CAN_NOT_MAKE_DOMAINS_DIR    -16
#define VA_COULD_NOT_UPDATE_FILE       -17
#define VA_CRYPT_FAILED                -18
#define VA_COULD_NOT_OPEN_DOT_QMAIL    -19
#define VA_BAD_CHAR                    -20
#define VA_SQWEBMAIL_PASS_FAIL         -21
#define VA_BAD_UID                     -22
#define VA_NO_AUTH_CONNECTION          -23
#define VA_MEMORY_ALLOC_ERR            -24
#define VA_USER_NAME_TOO_LONG          -25
#define VA_DOMAIN_NAME_TOO_LONG        -26
#define VA_PASSWD_TOO_LONG             -27
#define VA_GECOS_TOO_LONG              -28
#define VA_QUOTA_TOO_LONG              -29
#define VA_DIR_TOO_LONG                -30
#define VA_CLEAR_PASSWD_TOO_LONG       -31
#define VA_ALIAS_LINE_TOO_LONG         -32
#define VA_NULL_POINTER                -33
#define VA_INVALID_EMAIL_CHAR          -34
#define VA_PARSE_ERROR                 -35
#define VA_CANNOT_READ_LIMITS          -36
#define VA_CANNOT_READ_ASSIGN          -37
#define VA_CANNOT_OPEN_DATABASE        -38
#define VA_INVALID_IP_ADDRESS          -39
#define VA_QUERY_FAILED                -40
#define VA_STORE_RESULT_FAILED         -41
#define VA_INVALID_OPEN_MODE           -42
#define VA_CANNOT_CREATE_DATABASE      -43
#define VA_CANNOT_CREATE_TABLE         -44
#define VA_PARSE_ERROR01               -45
#define VA_PARSE_ERROR02               -46
#define VA_PARSE_ERROR03               -47
#define VA_PARSE_ERROR04               -48
#define VA_PARSE_ERROR05               -49
#define VA_PARSE_ERROR06               -50
#define VA_PARSE_ERROR07               -51
#define VA_PARSE_ERROR08               -52
#define VA_PARSE_ERROR09               -53
#define VA_PARSE_ERROR10               -54
#define VA_CANNOT_DELETE_CATCHALL      -55
#define VA_PWSTR_EMPTY                 -69
#define VA_PWSTR_LENGTH                -70
#define VA_PWSTR_ALPHA                 -71
#define VA_PWSTR_NUMERIC               -72
#define VA_PWSTR_OTHER                 -73
#define VA_PWSTR_DELTA                 -74

/* ------------------------------------------------------------------ */
/* Field limits (5.6 values).                                         */

#define MAX_PW_NAME           64
#define MAX_PW_DOMAIN         96
#define MAX_PW_PASS          128
#define MAX_PW_GECOS          64
#define MAX_PW_QUOTA          20
#define MAX_PW_DIR           160
#if defined(SHA512_PASSWORDS) || defined(MD5_PASSWORDS)
#define MAX_PW_CLEAR_PASSWD  128
#else
#define MAX_PW_CLEAR_PASSWD   50
#endif
#define MAX_ALIAS_LINE       160
#define MAX_BUFF             300
#define MIN_DOMAIN_LENGTH      3

/* Names and sizes 5.6 exports for its clients (qmailadmin's mailing-list
 * and .qmail code uses them). */
#define ATCHARS            "@%/"          /* separators parse_email() accepts */
#define BOUNCE_ALL         "bounce-no-mailbox"
#define DELETE_ALL         "delete"
#define DEFAULT_DOMAIN     default_domain()
#define MAX_FILE_NAME      512
#define MAX_NAME           160
#define MAX_OPTIONS         26
#define MAX_SORT_BLOCKS   1000
#define SORT_TABLE_ENTRIES 1000
#define EZMLMDIR           "/usr/local/bin/ezmlm"
#define POSTING_ANYONE     0
#define POSTING_SPOB       1
#define POSTING_SPOM       2
#define POSTING_MPOB       3
#define POSTING_MPOM       4
#define REPLYTO_SENDER     1
#define REPLYTO_LIST       2
#define REPLYTO_ADDRESS    3

/* Modes: the umask of the commands and of the tcprules rebuild, the mode
 * of the directories made, and of qmail's control and users files. */
#define VPOPMAIL_UMASK          0077
#define VPOPMAIL_TCPRULES_UMASK 0022
#define VPOPMAIL_DIR_MODE       0750
#define VPOPMAIL_QMAIL_MODE     (S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH)

/* pw_uid: how the password was given. */
#define USE_POP   0
#define USE_APOP  1

/* pw_gid flag bits. */
#define NO_PASSWD_CHNG   0x00001
#define NO_POP           0x00002
#define NO_WEBMAIL       0x00004
#define NO_IMAP          0x00008
#define BOUNCE_MAIL      0x00010
#define NO_RELAY         0x00020
#define NO_DIALUP        0x00040
#define V_USER0          0x00080
#define V_USER1          0x00100
#define V_USER2          0x00200
#define V_USER3          0x00400
#define NO_SMTP          0x00800
#define QA_ADMIN         0x01000
#define V_OVERRIDE       0x02000
#define NO_SPAMASSASSIN  0x04000
#define DELETE_SPAM      0x08000
#define SA_ADMIN         0x10000
#define SA_EXPERT        0x20000
#define NO_MAILDROP      0x40000

/* Domain-admin permission bits (limits). */
#define VLIMIT_DISABLE_CREATE 0x01
#define VLIMIT_DISABLE_MODIFY 0x02
#define VLIMIT_DISABLE_DELETE 0x04
#define VLIMIT_DISABLE_ALL (VLIMIT_DISABLE_CREATE | VLIMIT_DISABLE_MODIFY | VLIMIT_DISABLE_DELETE)
#define VLIMIT_DISABLE_BITS 3

/* Big-dir constants. */
#define MAX_DIR_LEVELS       3
#define MAX_USERS_PER_LEVEL  100
#define MAX_DIR_LIST         62
#define MAX_DIR_NAME         300

/* onchange timing (5.6 before-and-after mode). */
#define ON_VCHANGE_BEFORE 1
#define ON_VCHANGE_AFTER  2

/* update_file() types. */
#define VP_FILE_ASSIGN         1
#define VP_FILE_RCPTHOSTS      2
#define VP_FILE_VIRTUALDOMAINS 3

/* ------------------------------------------------------------------ */
/* Data structures.                                                   */

typedef struct domain_entry {
	char *domain;            /* name as listed in users/assign */
	char *realdomain;        /* the real domain it maps to */
	int   uid;
	int   gid;
	char *path;              /* domain directory */
} domain_entry;

typedef struct string_list {
	int    size;
	int    count;
	char **values;
} string_list;

typedef struct vdir_type {
	int   level_cur;
	int   level_max;
	int   level_start[MAX_DIR_LEVELS];
	int   level_end[MAX_DIR_LEVELS];
	int   level_mod[MAX_DIR_LEVELS];
	int   level_index[MAX_DIR_LEVELS];
	unsigned long cur_users;
	char  the_dir[MAX_DIR_NAME];
} vdir_type;

/* ------------------------------------------------------------------ */
/* Globals kept for source compatibility.                             */

extern int verrori;             /* last detailed error */
extern int OptimizeAddDomain;   /* vadddomain -O: skip qmail-newmrh and HUP */
extern int NoMakeIndex;         /* vmoduser -n: do not rebuild vpasswd.cdb */

/* ------------------------------------------------------------------ */
/* Domains.                                                           */

int   vadddomain(char *domain, char *dir, uid_t uid, gid_t gid);
int   vdeldomain(char *domain);
int   vaddaliasdomain(char *alias, char *real);
char *vget_assign(char *domain, char *dir, int dir_len, uid_t *uid, gid_t *gid);
domain_entry *get_domain_entries(const char *match_real);
int   add_domain_assign(char *alias, char *real, char *dir, uid_t uid, gid_t gid);
int   del_domain_assign(char **names, int count, char *real, char *dir, uid_t uid, gid_t gid);
int   del_control(char **names, int count);
int   remove_lines(char *filename, char **lines, int count);
int   update_file(char *filename, char *line, int type);
int   count_rcpthosts(void);
int   compile_morercpthosts(void);
int   update_newu(void);
int   signal_process(char *name, int sig);

/* ------------------------------------------------------------------ */
/* Users.                                                             */

int   vadduser(char *user, char *domain, char *password, char *gecos, int apop);
int   vdeluser(char *user, char *domain);
int   vpasswd(char *user, char *domain, char *password, int apop);
int   vsetuserquota(char *user, char *domain, char *quota);
struct vqpasswd *vauth_user(char *user, char *domain, char *password, char *apop);
char *make_user_dir(char *user, char *domain, uid_t uid, gid_t gid);
int   vmake_maildir(char *domain, char *dir);
int   vsqwebmail_pass(char *dir, char *crypted, uid_t uid, gid_t gid);
int   vcheck_vqpw(struct vqpasswd *pw, char *domain);
struct vqpasswd *vgetent(FILE *fp);
int   is_catchall(char *user, char *domain);   /* 1 yes, 0 no, <0 VA code */

/* Quota (Maildir++). */
char *format_maildirquota(const char *quota);
void  remove_maildirsize(char *dir);
void  update_maildirsize(char *domain, char *dir, char *quota);
int   readuserquota(const char *dir, storage_t *size, storage_t *count);
int   vmaildir_readquota(const char *maildir, const char *quota);  /* usage in percent */
/* vpopmail-ng: after update_maildirsize() for user's quota change to
 * `written`: the record is read again, and if another program has set
 * another quota since, maildirsize is written again with that one, so
 * that the file ends with the record's last quota (user.c). */
void  vp_maildirsize_follow(char *user, char *domain, char *dir, const char *written);

/* Delivery (vpopmail-ng; deliver.c).
 * vdelivermail(): deliver the message on fd 0 to the recipient that
 * qmail-local names in EXT and HOST, as "| vdelivermail '' <instruction>"
 * in a domain's .qmail-default (spec runtime 4).  Text for qmail's log
 * or bounce goes to out; *status gets the exit status for qmail-local
 * (0, 99, 100, 111, or qmail-inject's own).
 * vmaildir_deliver(): put header + the content of fd (from offset 0)
 * into maildir (tmp, fsync, new/<name>,S=<size>) after checking quota
 * (NULL: the definition in maildirsize) and append to maildirsize.
 * *over_quota is set (and nothing written) when it would not fit;
 * newpath (may be NULL) receives the file's name in new/. */
int   vdelivermail(const char *instruction, FILE *out, int *status);
int   vmaildir_deliver(const char *maildir, const char *header, int fd, const char *quota,
                       uid_t uid, gid_t gid, char *newpath, size_t size, int *over_quota);

/* ------------------------------------------------------------------ */
/* Strings, names and passwords.                                      */

int   parse_email(char *email, char *user, char *domain, int buff_size);
int   is_username_valid(char *user);
int   is_domain_valid(char *domain);
void  lowerit(char *s);
char *vrandom_pass(char *buffer, int len);
char *vgen_pass(int len);
char  randltr(void);
int   mkpasswd3(char *clearpass, char *crypted, int ssize);
void  vgetpasswd(char *user, char *pass, size_t len);
char *default_domain(void);
void  vset_default_domain(char *domain);
char *maildir_to_email(const char *maildir);
char *date_header(void);

/* Password strength (5.6). */
int         vpw_strength_check(const char *clear);
const char *vpw_strength_policy(void);

/* ------------------------------------------------------------------ */
/* Errors.                                                            */

char *verror(int va_err);
int   vexit(int code);
char *vversion(char *outbuf);      /* copies the version into outbuf when not NULL */
int   vexiterror(FILE *f, char *comment);
void  vsqlerror(FILE *f, char *comment);

/* ------------------------------------------------------------------ */
/* Files and directories.                                             */

int   vdelfiles(char *dir);
int   r_chown(char *path, uid_t uid, gid_t gid);
int   r_mkdir(char *path, uid_t uid, gid_t gid);
char *backfill(char *user, char *domain, char *path, int operation);

/* Big-dir bookkeeping (.dir-control). */
int   vread_dir_control(vdir_type *vdir, char *domain, uid_t uid, gid_t gid);
int   vwrite_dir_control(vdir_type *vdir, char *domain, uid_t uid, gid_t gid);
int   vdel_dir_control(char *domain);
char *next_big_dir(uid_t uid, gid_t gid);
/* 5.6's pair around the global vdir: open reads the domain's .dir-control
 * (defaults if absent) into vdir; close writes vdir back if it was changed
 * in between (a reader, such as vqadmin's domain page, changes nothing). */
extern vdir_type vdir;
int   open_big_dir(char *domain, uid_t uid, gid_t gid);
int   close_big_dir(char *domain, uid_t uid, gid_t gid);
int   dec_dir_control(char *domain, uid_t uid, gid_t gid);

/* ------------------------------------------------------------------ */
/* String lists.                                                      */

int   string_list_init(string_list *a, int first);
int   string_list_add(string_list *a, const char *value);
void  string_list_free(string_list *a);

/* ------------------------------------------------------------------ */
/* Aliases (.qmail-<alias> files, or the SQL valias table)            */
/*
 * cdb build: alias a@d is <domain dir>/.qmail-<a> ('.' stored as ':').
 * --enable-valias (SQL): one row of the valias table per line; there
 * valias_remove() drops the rows equal to alias_line, and a database
 * error leaves its VA_* code in verrori.
 * The select functions return one line (no newline) per call, NULL at
 * the end; on NULL, verrori is VA_DOMAIN_DOES_NOT_EXIST for an unknown
 * domain, else 0 or another VA_* code.  They lower-case `domain` and
 * replace an alias domain by its real one, like vget_assign().
 * valias_select_all() writes each alias name to `alias` (at least
 * MAX_PW_NAME + 1 bytes).  valias_remove() drops the lines that start
 * with alias_line.
 */
char *valias_select(char *alias, char *domain);
char *valias_select_next(void);
char *valias_select_all(char *alias, char *domain);
char *valias_select_all_next(char *alias);
char *valias_select_names(char *domain);
char *valias_select_names_next(void);
void  valias_select_names_end(void);
int   valias_insert(char *alias, char *domain, char *alias_line);
int   valias_remove(char *alias, char *domain, char *alias_line);
int   valias_delete(char *alias, char *domain);
#ifdef VALIAS
int   valias_delete_domain(char *domain);
/* dotqmail2valias: move the domain's .qmail-<alias> files into the table
 * (vpopmail-ng; progress on out, errors on err). */
int   vdotqmail2valias(const char *domain, FILE *out, FILE *err);
#endif

/* ------------------------------------------------------------------ */
/* IP alias map, <home>/etc/ip_alias_map (ipmap.c).                   */

int   vget_ip_map(char *ip, char *domain, int domain_size);
int   vadd_ip_map(char *ip, char *domain);
int   vdel_ip_map(char *ip, char *domain);
int   vshow_ip_map(int first, char *ip, char *domain);   /* 1 entry, 0 end, -1 no map */

/* ------------------------------------------------------------------ */
/* Roaming users, as 5.6 names them for programs that authenticate   */
/* themselves (courier's authvchkpw, Dovecot's vpopmail passdb).      */

/* $TCPREMOTEIP with an IPv4-mapped "::ffff:" prefix dropped and every
 * character outside [A-Za-z0-9_.@-] made '_' (a static buffer, rewritten
 * by each call); NULL when the variable is not set. */
char *get_remote_ip(void);
/* Allow the client at $TCPREMOTEIP to relay (vroaming_open()).  0 when
 * that was done, or when there is nothing to do: no $TCPREMOTEIP, or a
 * build without --enable-roaming-users; else a VA_* code (an address
 * that is not IPv4 is VA_INVALID_IP_ADDRESS and is not stored). */
int   open_smtp_relay(void);
/* Rebuild <TCP_FILE>.cdb from TCP_FILE and the relay list
 * (vroaming_rebuild()); 0 or a VA_* code. */
int   update_rules(void);

/* ------------------------------------------------------------------ */
/* onchange hook (5.6).                                               */

/* Notify ~vpopmail/etc/onchange of an event: change != 0 runs the plain
 * hook (arg3 ""); mode 0 runs the before-and-after hook's "before", any
 * other value its "after" (each only in builds with that hook). */
void  on_change(const char *cmd, const char *arg1, const char *arg2, int change, int mode);
extern int allow_onchange;         /* 0 masks the notifications (5.6's global) */
/* 5.4's form, still used by qmailadmin 1.2's mailing-list pages: the text
 * goes in onchange_buf, and the script gets cmd, that text, "" and "".
 * 0, or -1 for a script that is not executable, cannot start or fails. */
extern char onchange_buf[MAX_BUFF];
int   call_onchange(const char *cmd);

/* ------------------------------------------------------------------ */
/* vpopmail-ng extensions.                                            */

/* The vpopmail and qmail homes in effect (compiled in, or overridden
 * through VPOPMAIL_HOME / VPOPMAIL_QMAILDIR for sandboxes). */
const char *vpopmail_dir(void);
const char *vpopmail_qmaildir(void);
uid_t       vpopmail_uid(void);
gid_t       vpopmail_gid(void);
/* (Re)write <domdir>/.qmail-default as "| <home>/bin/vdelivermail '' <action>". */
int   vp_write_qmail_default(const char *domdir, const char *action, uid_t uid, gid_t gid);
/* format_maildirquota() into a caller buffer; VA_QUOTA_TOO_LONG if the
 * result does not fit, or a number is negative or (K, M, G included)
 * past 2^63-1, where format_maildirquota() gives "" (no quota). */
int   vp_format_quota(const char *in, char *out, size_t size);

/* One user for vadduser_many(). */
struct vbulk_user {
	char *user;       /* in: the name; lower-cased in place */
	char *password;   /* in: clear text */
	char *gecos;      /* in: NULL or "" for the user name */
	int   rc;         /* out: VA_SUCCESS, or why this user was not added */
};
/*
 * Add users[0..n) to domain as vadduser(user, domain, password, gecos,
 * USE_POP) would one at a time, with one rewrite of the user database.
 * Returns VA_SUCCESS, or the rc of the first user not added.  progress,
 * if not NULL, is called now and then with how many users are done.
 */
int   vadduser_many(const char *domain, struct vbulk_user *users, size_t n,
                    void (*progress)(size_t done, size_t total, void *arg), void *arg);

/* ------------------------------------------------------------------ */
/* vpopmail-ng extensions: .qmail files (dotqmail.c), recipient check */
/* (rcptcheck.c), password prompt and compare (secret.c).             */

/* Read QMAILDIR/control/defaultdelivery into a malloc'd, NUL-terminated
 * buffer (*text, caller frees; *len its length if len is not NULL).
 * VA_COULD_NOT_OPEN_DOT_QMAIL if it cannot be read. */
int   vdefaultdelivery_read(char **text, size_t *len);
/* "<homedir>/.qmail" into path; VA_BAD_U_DIR if it does not fit. */
int   vdotqmail_path(const char *homedir, char *path, size_t size);
/* 1 if <homedir>/.qmail exists, else 0. */
int   vdotqmail_exists(const char *homedir);
/* Replace <homedir>/.qmail with text (atomic, 0600, vpopmail owner).
 * VA_COULD_NOT_OPEN_DOT_QMAIL if it cannot be written. */
int   vdotqmail_write(const char *homedir, const char *text, size_t len);
/* Remove <homedir>/.qmail: VA_USER_DOES_NOT_EXIST if there is none,
 * VA_COULD_NOT_OPEN_DOT_QMAIL if it cannot be removed. */
int   vdotqmail_remove(const char *homedir);
/* Rewrite <domdir>/.qmail-default as line plus a newline; line NULL
 * means vdelivermail with "delete" (vp_write_qmail_default()).  The file
 * is 0600 and gets the owner of domdir (the domain's uid/gid).
 * VA_COULD_NOT_OPEN_QMAIL_DEFAULT if it cannot be written. */
int   vdotqmail_default_write(const char *domdir, const char *line);
/* Is "user@domain" (up to a CR or LF) deliverable here: a user, a
 * .qmail-<name> forward, an autoresponder or a qmail system alias?
 * VA_SUCCESS if so, VA_USER_DOES_NOT_EXIST if not; another VA_* code when
 * the user database cannot answer (e.g. VA_NO_AUTH_CONNECTION). */
int   vrcpt_deliverable(const char *address);
/* Ask once for a hidden answer (tty, else prompt on stderr and read
 * stdin); cut to size - 1 bytes. */
int   vgetpass_once(const char *prompt, char *buf, size_t size);
/* 1 if a and b are equal (neither NULL), else 0; the time taken
 * depends only on strlen(a). */
int   vstr_ct_equal(const char *a, const char *b);

/* vconvert sources (convert.c).  A system account; `passwd` is the
 * shadow(5) hash, NULL when the account has no readable shadow entry.
 * The strings stay valid until the next vconvert_sys_* call. */
struct vconvert_account {
	const char *name;
	const char *gecos;
	const char *passwd;
};
/* Start (or restart) reading the system accounts (getpwent/getspent, or
 * the files named by VPOPMAIL_ETC_PASSWD / VPOPMAIL_ETC_SHADOW). */
int   vconvert_sys_begin(void);
int   vconvert_sys_next(struct vconvert_account *acct);     /* 1 entry, 0 end */
void  vconvert_sys_end(void);
/* A "user:crypted" list (fields split at ' ', ':', TAB; lines with fewer
 * than two fields skipped).  open keeps errno on failure; the returned
 * strings stay valid until the next call. */
int   vconvert_list_open(const char *path);
int   vconvert_list_next(char **user, char **crypted);       /* 1 entry, 0 end */
void  vconvert_list_close(void);
/* Add user@domain with the hash `crypted` in one write of its record
 * (`clear`: the clear-text copy of --enable-clear-passwd builds; with
 * `sqwebmail`, <dir>/Maildir/sqwebmail-pass = TAB + crypted, no newline,
 * mode 0600, as 5.6's vconvert -p wrote it, before the record is stored);
 * VA_* as vadduser(), or vauth_setpw()'s for a hash it refuses. */
int   vconvert_adduser(char *user, char *domain, char *crypted, char *clear, char *gecos,
                       int sqwebmail);
#ifdef SQL_ALIASDOMAINS
/* MySQL builds with --enable-sql-aliasdomains: the aliasdomains table.
 * vaddaliasdomain() and vdeldomain() keep it in step with users/assign. */
int   vcreate_sql_aliasdomain(char *domain, char *alias);
int   vdelete_sql_aliasdomain(char *alias);
#endif
/* vconvert -c -m (to_sql = 1) and -m -c (to_sql = 0): copy every user of
 * a domain between the cdb backend and the SQL one (a no-op in a cdb
 * build).  progress, if given, is called every 1000 users and at the end;
 * *count gets the number copied. */
int   vconvert_backend(char *domain, int to_sql,
                       void (*progress)(const char *domain, unsigned long done),
                       unsigned long *count);

/* ------------------------------------------------------------------ */
/* vpopmail-ng extensions: bulletins to every user of a domain        */
/* (bulletin.c), the work of vpopbull.                                */

#define VBULL_COPY      0   /* a copy with To: (and Date:) lines added */
#define VBULL_HARDLINK  1   /* a hard link to the message file */
#define VBULL_SYMLINK   2   /* a symbolic link to the message file */

/* One bulletin run.  Set up with vbulletin_init(), then
 * vbulletin_set_message() (unless list_only) and optionally
 * vbulletin_set_exclude(); release with vbulletin_free(). */
struct vbulletin {
	int    method;          /* VBULL_* */
	int    list_only;       /* 1: deliver nothing, only report the users */
	int    fd;              /* the message file, -1 if none */
	off_t  size;            /* its size (0 for a non-regular file) */
	int    add_date;        /* 1 if its header section has no Date: line */
	char   path[VP_PATH_MAX];  /* its absolute path (what links point to) */
	char **exclude;         /* sorted "user@domain" lines not to deliver to */
	size_t nexclude;
	int    link_shared;     /* -h/-s: a domain with its own ids was reached */
};

/* What became of one user in vbulletin_domain(). */
struct vbull_result {
	const char *user;
	const char *domain;     /* the real domain */
	const char *dir;        /* the user's directory as stored ("" if none) */
	int         rc;         /* VA_SUCCESS; VA_BAD_U_DIR: no directory could be
	                         * made; VA_USER_DOES_NOT_EXIST: the new directory
	                         * could not be stored; else the copy or link failed */
	const char *call;       /* "link"/"symlink" when that call failed, else NULL */
	int         err;        /* errno of the failure */
};

void  vbulletin_init(struct vbulletin *b, int method);
/* Open the message (regular file expected).  VA_BAD_DIR with errno set
 * if it cannot be opened or is a directory.  b->size tells if it is empty. */
int   vbulletin_set_message(struct vbulletin *b, const char *file);
/* Read the exclude list: one address per line, compared exactly after
 * the line's LF is removed; a second call adds to the list.  VA_BAD_DIR
 * (errno set) if unreadable. */
int   vbulletin_set_exclude(struct vbulletin *b, const char *file);
/*
 * Deliver to (or with list_only, just report) every user of domain (an
 * alias stands for its real domain) that is not excluded, in the order
 * of the user database; report is called once per user.  Returns
 * VA_DOMAIN_DOES_NOT_EXIST for an unknown domain, another code when the
 * domain or its users could not be read (some users may have been
 * reached), VA_SUCCESS otherwise (per-user failures are only reported).
 */
int   vbulletin_domain(struct vbulletin *b, const char *domain,
                       void (*report)(const struct vbull_result *r, void *arg), void *arg);
void  vbulletin_free(struct vbulletin *b);

#ifdef __cplusplus
}
#endif

#endif /* VPOPMAIL_H */
