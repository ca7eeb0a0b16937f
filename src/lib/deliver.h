/*
 * deliver.h - the pieces of vdelivermail shared inside libvpopmail.
 *
 * deliver.c       top level: environment, user lookup, unknown users
 * msgsrc.c        the message on fd 0: seekable copy, size, header scan
 * deliver_valias.c  SQL valias rows (--enable-valias)
 * dotqmail_run.c  instructions (.qmail lines, catchall, defaultdelivery)
 * maildir_deliver.c  tmp -> new with fsync and ,S=<size>; spamc filter
 * mdquota.c       maildirsize check, append and compaction
 *
 * Results of the steps are qmail-local exit statuses: 0 delivered (go
 * on), 99 delivered (stop), 100 permanent, 111 temporary, or another
 * status qmail-inject gave.  Text for qmail's log goes to ctx->out.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VP_DELIVER_H
#define VP_DELIVER_H

#include <stdio.h>
#include <sys/types.h>

#include "vpinternal.h"

#define DX_OK    0
#define DX_STOP  99
#define DX_PERM  100
#define DX_TEMP  111

/* Lengths kept from the environment and arguments (as the original). */
#define DX_NAME_MAX   156
#define DX_INSTR_MAX  299
/* A user's .qmail (or control/defaultdelivery) is read whole: at most this. */
#define DX_DOTQMAIL_MAX (1024 * 1024)

struct dx_ctx {
	FILE  *out;                   /* diagnostics (qmail's log / bounce) */
	char   ext[DX_NAME_MAX + 1];  /* EXT, lower case */
	char   user[DX_NAME_MAX + 1]; /* the name looked up (EXT or its base) */
	char   extpart[DX_NAME_MAX + 1]; /* qmail-ext extension, '.' -> ':' */
	char   domain[DX_NAME_MAX + 1];  /* HOST, then the real domain */
	struct vdomain dom;           /* valid when have_dom */
	int    have_dom;
	const char *rpline;           /* "" when RPLINE is unset */
	const char *dtline;           /* NULL when DTLINE is unset */
	off_t  size;                  /* message size */
	int    to_stdout;             /* DELIVER_TO_STDOUT */
	struct vpw_entry pw;          /* the recipient, when have_pw */
	int    have_pw;
	const char *catchall;         /* the .qmail-default instruction */
	size_t dt_lines;              /* Delivered-To lines in the header */
};

/* msgsrc.c */
/* Make fd 0 a seekable file (copying a pipe to an unlinked temp file),
 * measure it and count its Delivered-To header lines.  DX_TEMP on error. */
int  dx_msg_prepare(struct dx_ctx *c);
/* Rewind fd 0; DX_TEMP if it cannot be. */
int  dx_msg_rewind(struct dx_ctx *c);
/* An unlinked temporary file in $TMPDIR (or /tmp); -1 with errno. */
int  dx_tempfile(void);
/* Read fd 0 to its end (so that a feeder never sees SIGPIPE). */
void dx_msg_drain(void);
/* 1 if "Delivered-To: <addr>" is DTLINE or in the header (case-insensitive),
 * 0 if not, -1 if the message could not be read.  Reads fd 0 with pread(). */
int  dx_is_looping(const struct dx_ctx *c, const char *addr);
/* The answer to a dx_is_looping() that was not 0: "mail is looping" and
 * DX_PERM, or DX_TEMP when the message could not be read. */
int  dx_loop_result(struct dx_ctx *c, int looping);

/* dotqmail_run.c */
/* Run one instruction; *ran is set when it counted as an action. */
int  dx_instruction(struct dx_ctx *c, const char *line, int is_catchall);
/* Run the .qmail file for dir (qmail-ext candidates too); *handled as 4.6. */
int  dx_dotqmail(struct dx_ctx *c, const char *dir, int *handled);
/* control/defaultdelivery (4.16); *handled when a line ran. */
int  dx_defaultdelivery(struct dx_ctx *c, int *handled);
/* Program delivery (4.12) and forwarding (4.11). */
int  dx_program(struct dx_ctx *c, const char *cmd);
int  dx_forward(struct dx_ctx *c, const char *addr);

/* deliver_valias.c (--enable-valias): the SQL valias rows of the
 * recipient (4.18); *handled when some were found and run. */
int  dx_valias(struct dx_ctx *c, int *handled);

/* deliver.c: a Maildir delivery with its quota gate, warning, hooks.
 * maildir ends with '/'; quota NULL = take it from maildirsize. */
int  dx_maildir(struct dx_ctx *c, const char *maildir, const char *quota, int is_catchall);
/* Print a message file (domain's, else the global one) or fallback. */
void dx_print_msgfile(struct dx_ctx *c, const char *name, const char *fallback);

/* maildir_deliver.c */
struct dx_write {
	const char *maildir;      /* ends with '/' */
	const char *header;       /* prepended block */
	int         src;          /* message fd, read from offset 0 */
	const char *spamc_user;   /* run spamc -f -u <this> on the message, or NULL */
	int         drop_spam;    /* discard when spamc flags it */
	int         to_stdout;    /* write to fd 1 instead (DELIVER_TO_STDOUT) */
	uid_t uid;                /* maildirsize owner on rebuilds */
	gid_t gid;
	const char *quota_def;    /* counted in maildirsize (before the link), or NULL */
	/* out */
	off_t       size;         /* bytes written */
	int         err;          /* errno of a failure */
	int         dropped;      /* spam discarded */
	char        path[VP_PATH_MAX];  /* the file in new/ */
};
#define DXW_OK      0
#define DXW_QUOTA   1   /* EDQUOT */
#define DXW_OPEN    2   /* could not create the tmp file */
#define DXW_WRITE   3   /* read, write or filter failure */
#define DXW_SYNC    4
#define DXW_LINK    5
int  dx_write_maildir(struct dx_write *w);
/* The message on fd 0 through spamc -f -u user into an unlinked temporary
 * file, rewound; its fd, or -1 (errno) when spamc failed or the copy did. */
int  dx_spamc_to_file(const char *user);

/* quota.c, shared with mdquota.c */
struct vp_usage {
	storage_t bytes;
	storage_t count;
	int incomplete;       /* a directory or entry could not be read */
};
/* Percent used (max of size and count); -1 and 100 when over a limit. */
int  vp_quota_percent(storage_t bytes, storage_t count, const char *quota, int *pct);
/* Count a Maildir and its folders (Maildir++ rules); u->incomplete is set
 * when part of it could not be read for a reason that may pass (an I/O
 * error: the sums are then low).  What is gone, not a directory, a link
 * loop or closed to this user counts as empty. */
void vp_count_maildir(const char *maildir, struct vp_usage *u);
/* Atomically write "<quota>\n<bytes> <count>\n" as <maildir>/maildirsize
 * (afile_flags: VP_AFILE_* of atomic.c, e.g. to skip the fsyncs).  An
 * incomplete count is not written (VA_COULD_NOT_UPDATE_FILE): kept, it
 * would be believed while fresh, and the next reader recounts instead.
 * The caller holds vp_lock_dir(maildir): every writer of our own takes it
 * (dx_quota_add() to append), so that no line is lost to the rename. */
int  vp_write_maildirsize(const char *maildir, const char *quota, const struct vp_usage *u,
                          mode_t mode, int force_mode, uid_t uid, gid_t gid, int afile_flags);

/* mdquota.c */
struct dx_quota {
	char def[128];            /* the quota definition used */
	int  over;                /* this message would exceed it */
	int  pct;                 /* usage before the message, percent */
	int  unsure;              /* not over by what could be counted, but
	                           * part of the Maildir could not be read */
};
/* Evaluate maildirsize of maildir (ends with '/') for a message of
 * msgsize bytes.  quota NULL: the definition is the file's first line.
 * Returns VA_SUCCESS, or VA_COULD_NOT_UPDATE_FILE when maildirsize
 * exists but cannot be read (a temporary failure for the caller). */
int  dx_quota_check(const char *maildir, const char *quota, off_t msgsize,
                    uid_t uid, gid_t gid, struct dx_quota *q);
/* Append "<size> <count>" (creating the file from def if it is missing);
 * a big file is compacted to one line.  Errors are not fatal: a line
 * that cannot be added removes the file, so the next reader recounts.  Called
 * with count 1 before the message is linked into new/ (a kill between
 * the two leaves it counted, which a recount corrects, never uncounted),
 * and with -size, -1 to withdraw it when the link fails. */
void dx_quota_add(const char *maildir, const char *def, off_t size, int count,
                  uid_t uid, gid_t gid);
/* Count a message (count 1) and link src to dst in new/ (symlink with
 * symbolic), under the Maildir's lock, so that a recount never falls
 * between the two; a failed link is withdrawn.  Returns link()'s result
 * (-1 with errno).  Without a quota (def NULL or none), only the link. */
int  dx_count_and_link(const char *maildir, const char *def, off_t size, uid_t uid, gid_t gid,
                       const char *src, const char *dst, int symbolic);

/* Add a Maildir's usage (a fresh maildirsize, else a count) to the totals. */
void dx_maildir_usage(const char *maildir, storage_t *bytes, storage_t *count);

/* domquota.c (--enable-domainquotas): 1 if the message would take the
 * domain past its limits (quota in MB, maxmsgcount), else 0. */
int  dx_domain_over(struct dx_ctx *c);

#endif /* VP_DELIVER_H */
