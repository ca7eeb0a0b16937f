/*
 * vpinternal.h - helpers shared inside libvpopmail and its backends.
 * Not installed.  Names start with vp_ so they never clash with the
 * classic API or with programs linking the library.
 *
 * Conventions: functions return VA_* codes (0 = success) unless noted;
 * paths are bounded by VP_PATH_MAX; nothing here prints to stdout or exits.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VPINTERNAL_H
#define VPINTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "vpopmail.h"
#include "vlimits.h"

/* ------------------------------------------------------------------ */
/* config.c: compiled-in paths and ids, with run-time overrides.      */
/*
 * Each value can be overridden by an environment variable for tests and
 * for running several instances on one host; overrides are ignored in
 * set-uid/set-gid processes (AT_SECURE).
 *   VPOPMAIL_HOME        ~vpopmail           (VPOPMAILDIR)
 *   VPOPMAIL_QMAILDIR    qmail home          (QMAILDIR)
 *   VPOPMAIL_UID/_GID    vpopmail ids        (VPOPMAILUID/GID)
 *   VPOPMAIL_QMAIL_NEWU  qmail-newu path     (QMAILNEWU)
 *   VPOPMAIL_QMAIL_NEWMRH qmail-newmrh path  (QMAILNEWMRH)
 *   VPOPMAIL_PS          ps command line     (PS_COMMAND)
 *   VPOPMAIL_ETC_PASSWD / VPOPMAIL_ETC_SHADOW  passwd(5)/shadow(5) files
 *                        for vconvert -e     (unset: getpwent/getspent)
 */
const char *vp_home(void);              /* e.g. /home/vpopmail */
const char *vp_qmaildir(void);          /* e.g. /var/qmail */
uid_t       vp_uid(void);
gid_t       vp_gid(void);
const char *vp_qmail_newu(void);
const char *vp_qmail_newmrh(void);
const char *vp_ps_command(void);
const char *vp_qmail_inject(void);
const char *vp_tcprules(void);
const char *vp_tcp_file(void);          /* tcp.smtp rules source */
const char *vp_spamc(void);
const char *vp_maildrop(void);
const char *vp_etc_passwd(void);         /* NULL when not overridden */
const char *vp_etc_shadow(void);         /* NULL when not overridden */
/* "<home>/domains" into buf; returns buf. */
char       *vp_domains_path(char *buf, size_t size);
/* "<qmaildir>/<rel>" into buf (rel like "users/assign"); returns buf or NULL if too long. */
char       *vp_qmail_path(char *buf, size_t size, const char *rel);
/* "<home>/<rel>" into buf; returns buf or NULL if too long. */
char       *vp_home_path(char *buf, size_t size, const char *rel);
/* Nonzero when we may chown (effective uid 0). */
int         vp_can_chown(void);

/* ------------------------------------------------------------------ */
/* strutil.c                                                          */

/* snprintf that reports truncation: 0 ok, -1 truncated/error. */
int   vp_fmt(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Bounded copy; 0 ok, -1 truncated (dst still terminated). */
int   vp_strlcpy(char *dst, const char *src, size_t size);
/* The strings up to a NULL one end to end in a new buffer, however long
 * (free it); NULL when out of memory. */
char *vp_concat(const char *first, ...) __attribute__((sentinel));
/* Lower-case in place (ASCII only). */
void  vp_lower(char *s);
/* Remove every occurrence of c from s in place. */
void  vp_strip_char(char *s, char c);
/* 1 if s has a byte < 0x20 or == 0x7f (control), else 0. */
int   vp_has_ctl(const char *s);
/* The directory holding path ("." without a slash, "/" for "/x") into out.
 * 0 ok, -1 too long (errno ENAMETOOLONG). */
int   vp_dirname(const char *path, char *out, size_t size);

/* ------------------------------------------------------------------ */
/* atomic.c: locks and atomic file replacement.                       */

/*
 * Take an exclusive fcntl write lock on `path` (created 0600 if missing).
 * Retries for up to about 20 s while another process holds it.  Returns
 * an fd (>= 0) to pass to vp_unlock(), or -1 (errno set).  Built with
 * --disable-file-locking it returns an fd without taking the lock.
 */
int   vp_lock(const char *path);
void  vp_unlock(int lockfd);
/*
 * Exclusive flock on a directory itself, for state kept in files of that
 * directory (.dir-control, .qmail-<alias>): no lock file appears in it.
 * Returns an fd for vp_unlock_dir(), or -1.
 */
int   vp_lock_dir(const char *dir);
void  vp_unlock_dir(int fd);

/* An open temporary file that becomes `dst` on commit. */
struct vp_afile {
	FILE *fp;
	int   fd;
	int   flags;            /* VP_AFILE_*, set after vp_afile_open() */
	int   stale;            /* vp_afile_open() removed a temp left there */
	char  tmp[VP_PATH_MAX];
	char  dst[VP_PATH_MAX];
};
/* Still renamed atomically, but not fsynced: bookkeeping nobody else
 * depends on surviving a crash (.dir-control, lastauth). */
#define VP_AFILE_NOSYNC     1
/* Skip the directory fsync: the caller fsyncs the directory once after
 * renaming several files into it. */
#define VP_AFILE_NODIRSYNC  2
/* Create `tmp` (O_EXCL after unlinking a stale one) with `mode`. */
int   vp_afile_open(struct vp_afile *af, const char *dst, const char *tmp, mode_t mode);
/* sweep.c: the pid that ends `name` after `prefix` ("<prefix><pid>"), or
 * 0 when the name has another form. */
long  vp_name_pid(const char *name, const char *prefix);
/* sweep.c: call drop() on each entry of `dir` named "<prefix><pid>"
 * whose process is gone, or with `any_pid` on each but our own. */
void  vp_sweep_dead(const char *dir, const char *prefix, int any_pid,
		    void (*drop)(int dfd, const char *dir, const char *name));
/* The same for the trees vp_rmtree_aside() sets aside in dir
 * (".<name>.deleted.<pid>", any name) whose process is gone. */
void  vp_sweep_dead_aside(const char *dir, void (*drop)(int dfd, const char *dir, const char *name));
/* Remove the "<dst><sep><pid>" temps of writers that were killed: those
 * whose process is gone or, when `locked` (the caller holds the lock
 * every writer of dst holds, and the build locks), all but ours. */
void  vp_sweep_temps(const char *dst, const char *sep, int locked);
/* Flush, fsync, close, rename over dst, fsync the directory.  On error the temp is removed. */
int   vp_afile_commit(struct vp_afile *af);
/* Close and unlink the temp. */
void  vp_afile_abort(struct vp_afile *af);
/* Write a whole file atomically (temp name = dst + ".tmp.<pid>"). */
int   vp_write_file_atomic(const char *dst, const void *data, size_t len, mode_t mode);
/* The same with VP_AFILE_* flags. */
int   vp_write_file_flags(const char *dst, const void *data, size_t len, mode_t mode, int flags);
/* The same, the temp chowned (vp_chown) before it is renamed into place:
 * a failed chown leaves the old file, never a new one owned by root. */
int   vp_write_file_owned(const char *dst, const void *data, size_t len, mode_t mode,
                          uid_t uid, gid_t gid);
/* fsync the directory that contains `path`. */
int   vp_fsync_parent(const char *path);

/* ------------------------------------------------------------------ */
/* fsutil.c                                                           */

/* chown if vp_can_chown(); always 0 when not root.  lchown semantics. */
int   vp_chown(const char *path, uid_t uid, gid_t gid);
/* Recursive chown (no symlink following). */
int   vp_chown_tree(const char *path, uid_t uid, gid_t gid);
/* mkdir -p with mode 0750 (before umask), chowning what it creates. */
int   vp_mkdir_p(const char *path, uid_t uid, gid_t gid);
/* The same for "<base>/<rel>", making only rel's parts: base must exist. */
int   vp_mkdir_below(const char *base, const char *rel, uid_t uid, gid_t gid);
/*
 * 1 if path may name a tree the library makes or removes: not empty, no
 * "." or ".." component (which name the directory itself or its parent),
 * and, when absolute, not the root or a top-level directory ("/", "/etc").
 */
int   vp_tree_path_ok(const char *path);
/* 1 if dir lies strictly below root, both vp_tree_path_ok(). */
int   vp_path_below(const char *root, const char *dir);
/* Recursive delete of a directory tree (a symlink is unlinked, not
 * followed).  A path that is not vp_tree_path_ok() is refused: -1, EINVAL
 * (whatever a damaged record names, never "/" or a parent). */
int   vp_rmtree(const char *path);
/* The same, renamed out of the way first (to aside_dir, NULL: beside it). */
int   vp_rmtree_aside(const char *path, const char *aside_dir);
/* The same, set aside under the name of process pid (finishing the
 * removal a process killed part way noted it would make). */
int   vp_rmtree_aside_as(const char *path, const char *aside_dir, long pid);
/* Remove what removals killed half way left in `dir`: the trees
 * ".<name>.deleted.<pid>" of any name, their process gone. */
void  vp_sweep_aside(const char *dir);
/* Read a small file fully into a malloc'd NUL-terminated buffer (a
 * regular file only, see vp_open_read()). */
int   vp_slurp(const char *path, char **out, size_t *len);
/*
 * Open path to read it only if it is a regular file (a symlink to one
 * too); flags add to O_RDONLY | O_CLOEXEC (e.g. O_NOFOLLOW).  Anything
 * else fails with errno EINVAL: opening a FIFO blocks until a writer
 * comes, and a device such as /dev/zero never ends.  vp_fopen_read()
 * is the same for stdio.
 */
int   vp_open_read(const char *path, int flags);
FILE *vp_fopen_read(const char *path);
/* After a cdb_find() miss of key: 1 if the slots it went through match
 * their records, 0 if the file is damaged there (cdbmiss.c). */
struct cdb;
int   vp_cdb_miss_sound(const struct cdb *c, const void *key, unsigned klen);
/* 1 if fd is open on the file that path names now (same device and
 * inode): a file held open since, then named again, is still the one
 * at the path (an inode cannot be reused while it is open). */
int   vp_fd_at_path(int fd, const char *path);
/* path's stamp (vauth.h) into *out; all zero when it cannot be stat()ed.
 * Two stamps of one file compare equal (memcmp) while it is unchanged. */
void  vp_file_stamp(const char *path, struct vp_file_stamp *out);
/* The stamp of what *st describes. */
void  vp_stat_stamp(const struct stat *st, struct vp_file_stamp *out);
/*
 * The whole of a file, to read: a regular file is mapped (no copy, and
 * no fresh memory to fault in, which for a vpasswd of thousands of users
 * cost more than the read itself); should mmap fail, it is read into
 * memory.  Anything but a regular file fails, as with vp_open_read().
 * Returns as vp_slurp (an empty file: data NULL, len
 * 0).  The file must not shrink while mapped: every writer of the files
 * read so replaces them by rename.  vp_unmap() releases either kind.
 */
struct vp_mapped {
	const char *data;
	size_t len;
	int mapped;        /* 1: mmap(2)ed; 0: a malloc'd copy (or NULL) */
};
int   vp_map(const char *path, struct vp_mapped *m);
void  vp_unmap(struct vp_mapped *m);
/*
 * When `path` is a symbolic link to a regular file that may be rewritten
 * through it, 1 with the resolved name in `target`; else 0 (not a link,
 * dangling, or unsafe).  Safe: the target belongs to the link's owner,
 * the vpopmail user or the owner of the directory holding the link, so a
 * domain with its own uid cannot get root to rewrite someone else's file.
 */
int   vp_link_target(const char *path, char target[PATH_MAX]);

/* ------------------------------------------------------------------ */
/* procsignal.c                                                       */

/* In a child between fork() and exec(): the signals the program to run
 * expects (SIGPIPE at its default again). */
void  vp_child_signals(void);
/* In a child that rewrites a file under its parent's lock (tcprules,
 * qmail-newu, qmail-newmrh): die with the parent, whose death frees the
 * lock; an orphan would put its older file over a later writer's (Linux;
 * elsewhere only the check).  0, or -1 when the parent is gone already. */
int   vp_child_bound(pid_t parent);

/* ------------------------------------------------------------------ */
/* names.c                                                            */

/* vadddomain's rules (5.6): length 3..96, charset, hyphens, TLD 2..63, no "..". */
int   vp_check_new_domain(const char *domain);
/* vaddaliasdomain's rules: charset and length only. */
int   vp_check_alias_domain(const char *domain);
/* Length checks of user and domain in vpopmail's order (spec §7.5):
 * VA_USER_NAME_TOO_LONG, [VA_ILLEGAL_USERNAME for a 1-char name in big-dir
 * builds], VA_DOMAIN_NAME_TOO_LONG, [VA_INVALID_DOMAIN_NAME below
 * MIN_DOMAIN_LENGTH]; the bracketed checks only with their flag. */
#define VP_LEN_ONE_CHAR    1
#define VP_LEN_MIN_DOMAIN  2
int   vp_check_user_domain_len(const char *user, const char *domain, int flags);
/* Split "user@domain" / "user%domain" / "user/domain" without defaulting or printing. */
int   vp_split_address(const char *addr, char *user, size_t usize, char *domain, size_t dsize);

/* ------------------------------------------------------------------ */
/* passwd.c                                                           */

/* Fill buf with n bytes from the OS CSPRNG. */
int   vp_random_bytes(void *buf, size_t n);
/* Uniform random index in [0, n). */
unsigned vp_random_below(unsigned n);
/* Hash clear with the configured scheme into out (size >= 128). */
int   vp_hash_password(const char *clear, char *out, size_t size);
/* out[i], rc[i] as vp_hash_password(clear[i], out[i], size) for i < n,
 * several at a time where the build's scheme allows (passwd.c). */
void  vp_hash_many(const char *const clear[], char *const out[], size_t size, int rc[], size_t n);
/* "xxx...": as long as the hash vp_hash_password() makes in this build. */
int   vp_hash_standin(char *out, size_t size);
/* hashjob.c: hash on a second thread while the caller does other work.
 * `clear` must stay valid until vp_hash_finish() or vp_hash_cancel(); one
 * of them is always called (both may be). */
struct vp_hash_job {
	pthread_t   thread;
	int         running;
	int         rc;
	const char *clear;
	char        out[MAX_PW_PASS + 1];
};
void  vp_hash_start(struct vp_hash_job *job, const char *clear);
int   vp_hash_finish(struct vp_hash_job *job, char *out, size_t size);
/* Wait for the thread if it still runs and wipe the result (no hashing). */
void  vp_hash_cancel(struct vp_hash_job *job);
/* Constant-time check of clear against a stored hash ({SCHEME} prefix allowed). 0 = match. */
int   vp_check_password(const char *clear, const char *stored);
/* 1 if a and b are equal; time depends only on strlen(a). */
int   vp_ct_equal(const char *a, const char *b);

/* prompt.c: one hidden answer, getpass(3)-style (tty, else stderr/stdin). */
void  vp_getpass(const char *prompt, char *buf, size_t size);

/* ------------------------------------------------------------------ */
/* error.c                                                            */

/* pwstrength.c: text for the password-strength codes (generated, 5.6 wording). */
const char *vp_pwstr_error_text(int code);

/* ------------------------------------------------------------------ */
/* qmailfiles.c: qmail's line files under their "<file>.lock".        */

/* Lock a qmail file; a handle >= 0, or VA_COULD_NOT_UPDATE_FILE (message printed). */
int   vp_qfile_lock(const char *file);
void  vp_qfile_unlock(int lockfd);
/* fn(arg) while holding the users/assign lock (not reentrant). */
int   vp_with_assign_lock(int (*fn)(void *arg), void *arg);
/* Sorted insert / exact-line removal with the lock already held. */
int   vp_qfile_insert(const char *file, const char *line, int type);
int   vp_qfile_add(const char *file, const char *line, int type, int *added);
int   vp_qfile_remove(const char *file, char **lines, int count);  /* number removed, <0 error */
/* The same for users/assign: lines after its end line are left alone. */
int   vp_assign_remove(const char *file, char **lines, int count);
/* 1 if `line` ends the table in users/assign, as qmail-newu reads it:
 * the first line starting with '.' (". " and ".\r" too). */
int   vp_assign_end(const char *line);
/* Replace `file` with exactly these bytes (temp, fsync, rename; mode 0644);
 * the caller holds the lock. */
int   vp_qfile_replace(const char *file, const char *data, size_t len);
int   vp_qfile_count_lines(const char *file);

/* ------------------------------------------------------------------ */
/* assign.c / qmailcdb.c                                              */

/* Resolve a domain (or alias) via QMAILDIR/users/<cdb name>.
 * VA_DOMAIN_DOES_NOT_EXIST if unknown; VA_INVALID_DOMAIN_NAME for bad input. */
int   vp_domain_lookup(const char *domain, struct vdomain *out);
/* The same, but a users/cdb that cannot be opened or read is
 * VA_NO_AUTH_CONNECTION (for delivery, which must then defer). */
int   vp_domain_lookup_strict(const char *domain, struct vdomain *out);
/* vp_domain_lookup(), but an entry whose directory is damaged (empty,
 * relative, "/", a "." or ".." component: VA_BAD_V_DIR there) is returned
 * as it is; only for taking such an entry out (vdeldomain). */
int   vp_domain_lookup_any_dir(const char *domain, struct vdomain *out);
/* Forget the last lookup (domlookup.c): users/cdb was just rewritten. */
void  vp_domain_cache_clear(void);
/* The classic functions' side effect (vget_assign, vauth_getpw,
 * vauth_getall): the caller's domain name, if an alias, becomes the real
 * domain d->real; the buffer must hold MAX_PW_DOMAIN + 1 bytes. */
void  vp_take_real_domain(char *domain, const struct vdomain *d);
/* "<domain dir>/<name>" for a domain (or alias) into out: vp_domain_lookup's
 * error if it is unknown, VA_DIR_TOO_LONG if the path does not fit. */
int   vp_domain_file(const char *domain, const char *name, char *out, size_t size);
/* Call fn(name, real, arg) for each "+<name>-:<real>:..." line of
 * users/assign until it returns non-zero: that value, else 0 (also with
 * no file); VA_DIR_TOO_LONG or VA_CANNOT_READ_ASSIGN if it cannot be read. */
int   vp_assign_each(int (*fn)(const char *name, const char *real, void *arg), void *arg);
/* Does users/assign hold a "+<name>-:" line?  1 yes, 0 no, <0 error. */
int   vp_assign_has(const char *name);
/* Write users/cdb from users/assign exactly as qmail-newu would
 * (used when the configured qmail-newu is not there). */
int   vp_build_users_cdb(void);
/* Write control/morercpthosts.cdb exactly as qmail-newmrh would. */
int   vp_build_morercpthosts_cdb(void);

/* ------------------------------------------------------------------ */
/* bigdir.c                                                           */

/* The big-dir control file, in a domain directory and in domains/. */
#define VP_DIRCTL_NAME ".dir-control"
/* "<dir>/.dir-control" into out: 0, or -1 when it does not fit.  One
 * spelling for every caller: a bulk add's batch is matched by this path. */
int   vp_dirctl_path(const char *dir, char *out, size_t size);

/* Allocate the next hash dir using control file `ctlpath`, copy it
 * (possibly "") to out and create it under `base` (mkdir -p, 0700,
 * chowned).  The read-modify-write of the control file is serialised with
 * a lock. */
int   vp_bigdir_next(const char *ctlpath, const char *base, uid_t uid, gid_t gid,
                     char *out, size_t outsize);
/* Decrement cur_users in `ctlpath` (unsigned wrap as the original). */
int   vp_bigdir_dec(const char *ctlpath, uid_t uid, gid_t gid);
int   vp_dirctl_read(const char *ctlpath, vdir_type *vd);   /* defaults if absent; 1 if absent */
int   vp_dirctl_write(const char *ctlpath, const vdir_type *vd, uid_t uid, gid_t gid);
void  vp_dirctl_init(vdir_type *vd);
/* Control file used for placing domains owned by uid: <home of uid>/domains/.dir-control. */
int   vp_domains_ctlpath(uid_t uid, char *out, size_t size);
/* Backfill (.dir_control_free): take the first free hash dir (1 = got one, 0 = none). */
int   vp_backfill_take(const char *domdir, char *out, size_t outsize);
int   vp_backfill_give(const char *domdir, const char *hashdir);
/* The entry vp_backfill_take() would take, left in the list: 1, 0 (none), or VA_*. */
int   vp_backfill_peek(const char *domdir, char *out, size_t outsize);
/* The hash part of a user directory `path` as vdeluser records it in the
 * list (1: a non-empty part in `out`, 0: none). */
int   vp_backfill_hashpart(const char *path, const char *user, const char *domain,
                           char *out, size_t size);
/* bigdir.c: 1 if `s` is a hash directory path ("c", "c/c", ... from the
 * 62-character table). */
int   vp_hash_path_ok(const char *s);
/* The lock vp_bigdir_* hold (vp_lock_dir on the control file's directory),
 * for callers that read and rewrite the file themselves. */
int   vp_dirctl_lock(const char *ctlpath);
void  vp_dirctl_unlock(int fd);
/* After a backfill: count the reused slot (cur_users++ only if non-zero). */
int   vp_bigdir_count_reuse(const char *ctlpath, uid_t uid, gid_t gid);
/* Bulk adds: hold the lock of `ctlpath` and keep its state in memory from
 * begin to end, writing the file once at the end (the same end state as
 * the single updates in between).  One batch at a time per process. */
int   vp_bigdir_batch_begin(const char *ctlpath, uid_t uid, gid_t gid);
int   vp_bigdir_batch_end(void);
/* 1 while a batch is open: what it counts is not in the file yet. */
int   vp_bigdir_batch_open(void);
/* The count the open batch will write, or -1 (none open, or no change). */
long  vp_bigdir_batch_count(void);

/* ------------------------------------------------------------------ */
/* maildir.c                                                          */

/* Create <userdir>/Maildir/{new,cur,tmp}, chowned.  VA_SUBDIR_CREATION on failure. */
int   vp_make_maildir_in(const char *userdir, uid_t uid, gid_t gid);

/* ------------------------------------------------------------------ */
/* quota.c                                                            */

/* vp_format_quota(): in vpopmail.h. */
/* Rewrite <userdir>/Maildir/maildirsize for quota (none for NOQUOTA/empty). */
int   vp_maildirsize_update(const char *userdir, const char *quota, uid_t uid, gid_t gid);

/* ------------------------------------------------------------------ */
/* onchange.c                                                         */

/* Notify the onchange script (if compiled in and allowed). when: 0 plain
 * (ONCHANGE_SCRIPT mode), ON_VCHANGE_BEFORE, ON_VCHANGE_AFTER. */
void  vp_onchange(const char *cmd, const char *arg1, const char *arg2, int when);
/* Run ~vpopmail/etc/onchange with these four arguments, unless masked:
 * 0, or -1 for a script that is not executable, cannot start or fails. */
int   vp_call_onchange(const char *cmd, const char *arg1, const char *arg2, const char *arg3);
int   vp_onchange_allowed(void);
void  vp_onchange_set_allowed(int on);

/* valias.c: what both alias stores accept.  0 or the VA_* code valias
 * reports (name: VA_ILLEGAL_USERNAME, VA_USER_NAME_TOO_LONG; line:
 * VA_ALIAS_LINE_TOO_LONG, VA_BAD_CHAR).  vp_alias_resolve lower-cases
 * domain, turns an alias domain into its real one (in place, as
 * vget_assign) and gives its directory and owner. */
int   vp_alias_name_ok(const char *alias);
int   vp_alias_domain_ok(const char *domain);
int   vp_alias_line_ok(const char *line);
int   vp_alias_resolve(char *domain, char *dir, size_t size, uid_t *uid, gid_t *gid);

/* ------------------------------------------------------------------ */
/* user.c                                                             */

/* Look a user up (resolves the domain, fills pw_flags from limits).
 * dom_out gets the resolved domain also when only the user is missing. */
int   vp_getpw(const char *user, const char *domain, struct vpw_entry *out,
               struct vdomain *dom_out);
/* vauth_edit() that leaves the stored record in *e (the caller frees it;
 * e starts zeroed) and its domain in *d. */
int   vp_edit_user(const char *user, const char *domain, struct vpw_entry *e,
                   struct vdomain *d, int (*edit)(struct vqpasswd *pw, void *arg), void *arg);
/* What a lookup of the users of `domain` reads: users/cdb and the
 * backend's files.  While two of these compare equal (memcmp), a user's
 * record read between them is still current.  0, or -1 when there is
 * none to have (a backend without files, a domain that does not resolve). */
struct vp_records_stamp {
	struct vp_file_stamp f[3];
};
int   vp_records_stamp(const char *domain, struct vp_records_stamp *out);
/* 1 when a vp_getpw() result is a failure of the user database (no
 * connection, a settings file that does not parse, a query error) rather
 * than an answer about the name: such a lookup must be retried later,
 * never taken for "no such user". */
int   vp_lookup_failed(int rc);
/* vutil.c: the first line of <domdir>/.qmail-<name> ('.' written ':')
 * into line; -1 if there is no such readable file (or name has a '/'). */
int   vp_dotqmail_first_line(const char *domdir, const char *name, char *line, size_t size);
/* A .qmail first line that runs neither ezmlm nor autorespond: a forward. */
int   vp_line_is_forward(const char *line);
/* "<dir>/<NAME upper-cased>/message", the file whose presence makes
 * <name> an autoresponder, into out; -1 if it does not fit. */
int   vp_robot_message_path(const char *dir, const char *name, char *out, size_t size);
/* pw_uid of a new user's record for vadduser()/vauth_adduser()'s apop
 * argument, as the configured backend stored it in 5.6. */
uid_t vp_new_user_uid(int apop);
/* Write <dir>/Maildir/sqwebmail-pass: TAB + crypted (+ newline), 0600, chowned. */
int   vp_sqwebmail_write(const char *dir, const char *crypted, int newline, uid_t uid, gid_t gid);
/* Deep copy of a vqpasswd into an entry's own storage. */
int   vp_pw_copy(struct vpw_entry *dst, const struct vqpasswd *src);

/* useradd.c: a clear-text password to store holds no ':' and no control
 * character (VA_BAD_CHAR). */
int   vp_check_clear(const char *pass);
/* The pieces of vadduser() that bulkadd.c shares, in the order it uses them. */
/* Checks made before the domain is read; lowers user and domain in place. */
int   vp_user_check_new(char *user, char *domain, char *password, char *gecos);
/* 5.6 changes into the domain's directory before it touches a user: a
 * domain still in users/assign whose directory is gone is VA_BAD_D_DIR. */
int   vp_domain_dir_ok(const struct vdomain *d);
/* Checks against the domain, in 5.6's order: user absent, limits readable
 * (have_limits), password strong enough (not judged when NULL: an
 * imported hash), directory there (dir_rc, the
 * result of vp_domain_dir_ok(): both found once per domain by the caller). */
int   vp_user_check_in(const struct vdomain *d, const char *user, const char *password,
                       int have_limits, int dir_rc);
/* The quota string a new user gets from the domain's limits. */
void  vp_user_default_quota(const struct vlimits *lim, char *out, size_t size);
/* The lock of a domain's user directories (user.c): held by adds from
 * the check that the user is absent until the record is stored, by
 * deletes from removing the record until the directory is gone.  -1 if
 * it cannot be had (the add then works as 5.6's). */
int   vp_userdir_lock(const struct vdomain *d);
void  vp_userdir_unlock(int fd);
/* userdir.c: leave vdeluser's mark in a user's directory before the record
 * goes (0, its path in `mark`); and, for a user without a record, finish
 * what a killed vdeluser left (VA_SUCCESS when a marked directory was
 * removed, else VA_USER_DOES_NOT_EXIST or VA_BAD_DIR). */
int   vp_userdir_mark(const char *userdir, char *mark, size_t size);
int   vp_userdir_leftover(const struct vdomain *d, const char *user);
/* 1 if the directory holds vdeluser's mark; the mark removed (userdir.c). */
int   vp_userdir_marked(const char *userdir);
void  vp_userdir_unmark(const char *userdir);
/* 1 if the directory is marked, or an empty Maildir skeleton (what a
 * killed vadduser or vdeluser leaves of a user without a record). */
int   vp_userdir_disposable(const char *userdir);
/* "<domdir>/<hash>/<user>" ("<domdir>/<user>" for hash ""); 0, or -1
 * if it does not fit. */
int   vp_userdir_path(const struct vdomain *d, const char *hash, const char *user,
                      char *out, size_t size);
/* userintent.c: the directories an add or delete holding the userdir
 * lock (fd) is working on, written into the lock file so that the next
 * holder finishes the work of one killed part way.  begin: right after
 * the lock is taken (settles what a dead holder left); end: before the
 * lock goes.  An add notes placing (before it takes a place for the
 * user) and placed (after: which one, and whether from
 * .dir_control_free); a delete notes deleting before it removes the
 * record.  bulk(1): a bulk add follows (no count in its lines).
 * counted: the places of a bulk add's .dir-control batch are in the
 * file now (after vp_bigdir_batch_end() wrote it).  vp_intent_deleted():
 * the directory of user whose removal the last begin finished, or NULL. */
void  vp_intent_begin(int lockfd, const struct vdomain *d);
void  vp_intent_end(int lockfd);
void  vp_intent_bulk(int on);
void  vp_intent_placing(const struct vdomain *d, const char *user);
void  vp_intent_placed(const struct vdomain *d, const char *hash, const char *user, int reused);
void  vp_intent_deleting(const struct vdomain *d, const char *hash, const char *user);
void  vp_intent_counted(void);
/* Before vp_bigdir_batch_end(): the count it is about to write. */
void  vp_intent_batch_count(long count);
const char *vp_intent_deleted(const char *user);
/* <domdir>[/<hash>]/<user> with its Maildir, through the big-dir allocator;
 * under vp_userdir_lock(), an empty skeleton of a user without a record
 * (left by a killed writer) is replaced.  On failure the place it took in
 * the big-dir count is given back already (callers must not do it again). */
int   vp_user_create_dir(const struct vdomain *d, const char *user,
                         char *userdir, size_t size, char *hash, size_t hsize);
/* Take back what vp_user_create_dir() made for an add that then failed:
 * the tree, and its place in the big-dir count (offered for reuse, as a
 * delete does). */
void  vp_user_undo_dir(const struct vdomain *d, const char *userdir, const char *hash);
/* Remove the empty skeleton vmake_maildir() makes: dir/Maildir/{cur,new,
 * tmp}, dir/Maildir, dir (a directory that holds anything else stays)
 * (maildir.c). */
void  vp_drop_skeleton(const char *dir);
/* 1 if user's record, read now, names dir as the user's directory: a
 * directory made again from a record read earlier belongs to nobody
 * when the user has been deleted since (vauth.c). */
int   vp_record_has_dir(const struct vdomain *d, const char *user, const char *dir);
/* A user's place in the big-dir count given up: its hash directory (if
 * any) offered for reuse in .dir_control_free, the count decremented
 * (nothing without big-dir). */
void  vp_user_release_slot(const struct vdomain *d, const char *hash);
/* The hash part of a user directory: "<domdir>/<hash>/<user>" gives
 * "<hash>", anything else "". */
void  vp_userdir_hash(const char *domdir, const char *userdir, const char *user,
                      char *out, size_t size);
/* The record of a new user; every pointer is stored as given. */
void  vp_user_new_record(struct vqpasswd *pw, char *user, char *crypted, char *comment,
                         char *userdir, char *quota, char *password, int apop);
/* 1 while d is still in users/assign with the same directory.  Checked
 * after storing a new record: vdeldomain unregisters a domain before it
 * deletes its records, so a record stored for a domain still registered
 * goes with the others, and one stored after is the adder's to take
 * back (a database keeps it after the domain has gone). */
int   vp_domain_still_registered(const struct vdomain *d, int lockfd);
/* rc, or VA_DOMAIN_DOES_NOT_EXIST for a failure (other than an existing
 * name) once d is no longer registered: the step failed because a
 * vdeldomain took the domain's directory or limits meanwhile. */
int   vp_or_domain_gone(const struct vdomain *d, int lockfd, int rc);
/* After the record is stored: maildirsize, lastauth.  (sqwebmail-pass
 * is written before the record.) */
int   vp_user_added(const struct vdomain *d, struct vqpasswd *pw);
/* vadduser() with the hash given (vconvert's imports), in one write of
 * the record: `clear` is its clear-text copy, not judged by the strength
 * rules; with `sqwebmail`, Maildir/sqwebmail-pass (TAB + hash) is written
 * before the record.  The caller announces the change (onchange). */
int   vp_adduser_given(char *user, char *domain, const char *crypted, char *clear,
                       char *gecos, int apop, int sqwebmail);
/* The onchange events of an add (add_user, then notifications allowed). */
void  vp_user_announce(const char *user, const char *domain);

/* del_domain_assign() that also tells how many lines went (assign.c) */
int vp_del_domain_assign_n(char **names, int count, char *real, char *dir, uid_t uid, gid_t gid,
                           int *removed);
/* del_control() then vp_del_domain_assign_n(), under the users/assign lock
 * (assign.c); stop: a control file that cannot be rewritten ends it there */
int vp_unregister_domain(char **names, int count, const struct vdomain *d, int *removed, int stop);

#endif /* VPINTERNAL_H */
