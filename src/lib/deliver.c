/*
 * deliver.c - vdelivermail's flow: from qmail-local's environment to a
 * delivered, forwarded, bounced or deferred message (spec runtime §4).
 *
 * Never lose mail: every unexpected condition is a temporary failure
 * (111) so that qmail tries again; bounces (100) only where vpopmail
 * decides on purpose (unknown user, locked account, quota, loops).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "deliver.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define WARN_INTERVAL (24 * 60 * 60)
#define WARN_PERCENT  90

void dx_print_msgfile(struct dx_ctx *c, const char *name, const char *fallback)
{
	char path[VP_PATH_MAX], buf[4096];
	size_t got;
	FILE *fp = NULL;

	if (c->have_dom && vp_fmt(path, sizeof path, "%s/%s", c->dom.dir, name) == 0)
		fp = vp_fopen_read(path);
	if (fp == NULL && vp_home_path(path, sizeof path, DOMAINS_DIR) != NULL &&
	    strlen(path) + strlen(name) + 2 < sizeof path) {
		strcat(path, "/");
		strcat(path, name);
		fp = vp_fopen_read(path);
	}
	if (fp == NULL) {
		fprintf(c->out, "%s\n", fallback);
		return;
	}
	while ((got = fread(buf, 1, sizeof buf, fp)) > 0)
		fwrite(buf, 1, got, c->out);
	fclose(fp);
}

/* The owner given to a rebuilt maildirsize. */
static void owner(const struct dx_ctx *c, uid_t *uid, gid_t *gid)
{
	*uid = c->have_dom ? c->dom.uid : vp_uid();
	*gid = c->have_dom ? c->dom.gid : vp_gid();
}

/*
 * "Delivered-To: <value>\n" of a Maildir delivery (4.8 step 1) after
 * `before` and followed by `after`, in a new buffer however long; the
 * value is the Maildir's owner, else <ext>@<domain>.  NULL: no memory.
 */
static char *maildir_header(const struct dx_ctx *c, const char *maildir, int is_catchall,
                            const char *before, const char *after)
{
	const char *email = is_catchall ? "" : maildir_to_email(maildir);

	if (*email != '\0')
		return vp_concat(before, "Delivered-To: ", email, "\n", after, (char *)NULL);
	return vp_concat(before, "Delivered-To: ", c->ext, "@", c->domain, "\n", after, (char *)NULL);
}

/* A plain Maildir write of header + the message on src, owned by uid:gid. */
static void write_setup(struct dx_write *w, const char *maildir, const char *header, int src,
                        uid_t uid, gid_t gid)
{
	memset(w, 0, sizeof *w);
	w->maildir = maildir;
	w->header = header;
	w->src = src;
	w->uid = uid;
	w->gid = gid;
}

/*
 * The quota warning (4.10): at most one a day per Maildir, from the
 * domain's or the global .quotawarn.msg.  Failures are not the
 * message's problem and are ignored.
 */
static void quota_warn(struct dx_ctx *c, const char *maildir, int is_catchall, const char *def)
{
	char stamp[VP_PATH_MAX], path[VP_PATH_MAX], *hdr;
	struct dx_write w;
	struct stat st;
	uid_t uid;
	gid_t gid;
	int fd;

	if (vp_fmt(stamp, sizeof stamp, "%squotawarn", maildir) != 0)
		return;
	if (stat(stamp, &st) == 0 && time(NULL) < st.st_mtime + WARN_INTERVAL)
		return;
	fd = open(stamp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
	if (fd < 0)
		return;
	futimens(fd, NULL);
	close(fd);

	fd = -1;
	if (c->have_dom && vp_fmt(path, sizeof path, "%s/.quotawarn.msg", c->dom.dir) == 0)
		fd = vp_open_read(path, 0);
	if (fd < 0 && vp_home_path(path, sizeof path, DOMAINS_DIR "/.quotawarn.msg") != NULL)
		fd = vp_open_read(path, 0);
	if (fd < 0)
		return;
	/* Whole however long (EXT, DTLINE): no cut-off header line. */
	if (is_catchall)
		hdr = vp_concat(c->dtline != NULL ? c->dtline : "", date_header(), (char *)NULL);
	else
		hdr = maildir_header(c, maildir, 0, "", date_header());
	if (hdr == NULL) {
		close(fd);
		return;
	}
	owner(c, &uid, &gid);
	write_setup(&w, maildir, hdr, fd, uid, gid);
	/* DELIVER_TO_STDOUT: the warning goes out first, like any delivery. */
	w.to_stdout = c->to_stdout;
	w.quota_def = def;
	dx_write_maildir(&w);
	free(hdr);
	close(fd);
}

/* Spam and maildrop settings for a Maildir delivery (4.15). */
struct hooks {
	int spamc, drop_spam, maildrop;
	char owner[256];	/* the Maildir's owner (maildir_to_email): spamc -u */
};

static void hook_settings(struct dx_ctx *c, const char *maildir, struct hooks *h)
{
	memset(h, 0, sizeof *h);
#if defined(SPAMASSASSIN) || defined(MAILDROP)
	struct vlimits lim;
	struct vpw_entry e = {0};
	gid_t flags = 0;
	int have_lim = vget_limits(c->domain, &lim) == VA_SUCCESS;
	int known = c->have_pw;	/* the Maildir's owner is a user */

	vp_strlcpy(h->owner, maildir_to_email(maildir), sizeof h->owner);
	if (c->have_pw) {
		flags = c->pw.pw.pw_gid;
	} else {
		char user[256], dom[256];

		/* A Maildir that belongs to no user gets neither hook, as in 5.6. */
		if (vp_split_address(h->owner, user, sizeof user, dom, sizeof dom) == VA_SUCCESS &&
		    vp_getpw(user, dom, &e, NULL) == VA_SUCCESS) {
			flags = e.pw.pw_gid;
			known = 1;
		}
		vpw_entry_free(&e);
	}
#ifdef SPAMASSASSIN
	h->spamc = known && !(have_lim && lim.disable_spamassassin) && !(flags & NO_SPAMASSASSIN);
	h->drop_spam = (have_lim && lim.delete_spam) || (flags & DELETE_SPAM);
#endif
#ifdef MAILDROP
	h->maildrop = known && !(have_lim && lim.disable_maildrop) && !(flags & NO_MAILDROP);
#endif
#else
	(void)c;
	(void)maildir;
#endif
}

/*
 * maildrop with spamassassin: maildrop reads what spamc made of the
 * message, as in 5.6, which piped one into the other.  spamc's output goes
 * to a temporary file first, so that a failing spamc never hands maildrop
 * a cut message; fd 0 is the original message again afterwards.
 */
static int maildrop_after_spamc(struct dx_ctx *c, const char *user, const char *cmd)
{
	int filtered, saved, rc;

	fflush(c->out);
	if (dx_msg_rewind(c) != DX_OK || (filtered = dx_spamc_to_file(user)) < 0) {
		fprintf(c->out, "spamc failed errno = %d\nsystem error\n", errno);
		return DX_TEMP;
	}
	if ((saved = dup(0)) < 0 || dup2(filtered, 0) < 0) {
		fprintf(c->out, "dup failed errno = %d\nsystem error\n", errno);
		if (saved >= 0)
			close(saved);
		close(filtered);
		return DX_TEMP;
	}
	close(filtered);
	rc = dx_program(c, cmd);
	if (dup2(saved, 0) < 0)
		rc = DX_TEMP;	/* the next instruction would read the wrong message */
	close(saved);
	return rc;
}

/* --enable-domainquotas: 1 (after the bounce text) if the domain is full. */
static int domain_full(struct dx_ctx *c, const char *maildir, int is_catchall, const char *def)
{
	if (!dx_domain_over(c))
		return 0;
	dx_print_msgfile(c, ".over-quota.msg", "domain is over quota");
	quota_warn(c, maildir, is_catchall, def);
	fputs("\n", c->out);
	return 1;
}

int dx_maildir(struct dx_ctx *c, const char *maildir, const char *quota, int is_catchall)
{
	char *hdr;
	struct dx_write w;
	struct dx_quota q;
	struct hooks h;
	uid_t uid;
	gid_t gid;
	int rc;

#ifdef MAKE_SEEKABLE
	if (c->size == 0)
		return DX_OK;
#endif
	hook_settings(c, maildir, &h);
	if (h.maildrop) {
		char cmd[VP_PATH_MAX];

		/* 5.6 leaves the user's quota to maildrop, not the domain's */
		if (domain_full(c, maildir, is_catchall, ""))
			return DX_PERM;
		if (vp_fmt(cmd, sizeof cmd, "preline %s", vp_maildrop()) != 0)
			return DX_TEMP;
		return h.spamc ? maildrop_after_spamc(c, h.owner, cmd) : dx_program(c, cmd);
	}
	owner(c, &uid, &gid);
	memset(&q, 0, sizeof q);
	/* The quota checks and the warning hold for DELIVER_TO_STDOUT too:
	 * only where the copies are written changes. */
	if (dx_quota_check(maildir, quota, c->size, uid, gid, &q) != VA_SUCCESS) {
		fprintf(c->out, "can not read %smaildirsize errno=%d\nsystem error\n",
		        maildir, errno);
		return DX_TEMP;
	}
	if (q.unsure) {
		fprintf(c->out, "vdelivermail: cannot count %s for its quota\nsystem error\n", maildir);
		return DX_TEMP;
	}
	if (q.over) {
		dx_print_msgfile(c, ".over-quota.msg", "user is over quota");
		quota_warn(c, maildir, is_catchall, q.def);
		fputs("\n", c->out);
		return DX_PERM;
	}
	if (domain_full(c, maildir, is_catchall, q.def))
		return DX_PERM;
	if (q.def[0] != '\0' && q.pct >= WARN_PERCENT)
		quota_warn(c, maildir, is_catchall, q.def);

	/* A Return-Path of any length (SRS chains) is kept whole (5.6 cut
	 * the block at 299 bytes), and so is the Delivered-To line. */
	if ((hdr = maildir_header(c, maildir, is_catchall, c->rpline, "")) == NULL) {
		fputs("vdelivermail: out of memory\nsystem error\n", c->out);
		return DX_TEMP;
	}
	write_setup(&w, maildir, hdr, 0, uid, gid);
	w.to_stdout = c->to_stdout;
	if (h.spamc) {
		/* spamc is told the Maildir's owner, not the Delivered-To value. */
		w.spamc_user = h.owner;
		w.drop_spam = h.drop_spam;
	}
	w.quota_def = q.def;
	rc = dx_write_maildir(&w);
	free(hdr);
	switch (rc) {
	case DXW_OK:
		return DX_OK;
	case DXW_QUOTA:
		fputs("user is over quota\n", c->out);
		return DX_PERM;
	case DXW_OPEN:
		fprintf(c->out, "can not open new email file errno=%d file=%stmp/\n", w.err, maildir);
		break;
	case DXW_WRITE:
		fprintf(c->out, "write failed errno = %d\n", w.err);
		break;
	case DXW_SYNC:
		fprintf(c->out, "sync failed errno = %d\n", w.err);
		break;
	default:
		fprintf(c->out, "link failed %snew/ errno = %d\n", maildir, w.err);
		break;
	}
	fputs("system error\n", c->out);
	return DX_TEMP;
}

/* ------------------------------------------------------------------ */

static int copy_env(struct dx_ctx *c, const char *var, char *dst)
{
	const char *v = getenv(var);

	if (v == NULL) {
		fprintf(c->out, "vdelivermail: no %s environment varilable\n", var);
		return DX_PERM;
	}
	vp_strlcpy(dst, v, DX_NAME_MAX + 1);    /* long values are cut, as vpopmail */
	vp_lower(dst);
	return DX_OK;
}

/*
 * A user whose record has no directory yet gets one (4.5 step 2).  The
 * failures are the file system's or the database's, which pass: the
 * message is deferred (5.6 bounced it, #5.9.8).
 */
static int give_dir(struct dx_ctx *c)
{
	char user[DX_NAME_MAX + 1];

	vp_strlcpy(user, c->pw.pw.pw_name, sizeof user);
	/* make_user_dir() stores the new directory in the record. */
	if (make_user_dir(user, c->domain, c->dom.uid, c->dom.gid) == NULL) {
		fputs("Auto creation of maildir failed. (#5.9.8)\nsystem error\n", c->out);
		return DX_TEMP;
	}
	if (vp_getpw(user, c->domain, &c->pw, NULL) != VA_SUCCESS || c->pw.pw.pw_dir[0] == '\0') {
		c->pw.pw.pw_dir = "";
		fputs("Failed to vauth_getpw(). (#5.9.8.1)\nsystem error\n", c->out);
		return DX_TEMP;
	}
	return DX_OK;
}

/*
 * After re-creating a missing user directory: is the user still there,
 * with that directory?  A vdeluser that ran since the lookup has removed
 * the record and then the directory, so the one just made would be a
 * Maildir nobody owns (and would keep the name from being added again).
 * Then the skeleton made here goes again (only empty directories) and
 * the mail is deferred: the next try finds the user gone.
 */
static int still_there(struct dx_ctx *c)
{
	if (vp_record_has_dir(&c->dom, c->pw.pw.pw_name, c->pw.pw.pw_dir))
		return DX_OK;
	vp_drop_skeleton(c->pw.pw.pw_dir);
	fprintf(c->out, "vdelivermail: %s@%s changed during delivery\nsystem error\n",
	        c->ext, c->domain);
	return DX_TEMP;
}

static int deliver_user(struct dx_ctx *c)
{
	char maildir[VP_PATH_MAX];
	struct vqpasswd *pw = &c->pw.pw;
	struct stat st;
	int rc, handled;

	if (pw->pw_gid & BOUNCE_MAIL) {
		fprintf(c->out, "vdelivermail: account is locked email bounced %s@%s\n",
		        c->ext, c->domain);
		return DX_PERM;
	}
	if (pw->pw_dir == NULL || pw->pw_dir[0] == '\0') {
		if ((rc = give_dir(c)) != DX_OK)
			return rc;
	}
	if (stat(pw->pw_dir, &st) != 0) {
		if (errno != ENOENT) {
			fprintf(c->out, "vdelivermail: cannot reach %s: %s\nsystem error\n",
			        pw->pw_dir, strerror(errno));
			return DX_TEMP;
		}
		/* As in give_dir(): deferred, not bounced (5.6: #5.9.9, 100). */
		if (vmake_maildir(c->domain, pw->pw_dir) != VA_SUCCESS) {
			fputs("Auto re-creation of maildir failed. (#5.9.9)\nsystem error\n", c->out);
			return DX_TEMP;
		}
		if ((rc = still_there(c)) != DX_OK)
			return rc;
	}
	rc = dx_dotqmail(c, pw->pw_dir, &handled);
	if (rc != DX_OK || handled)
		return rc;
#ifdef DEFAULT_DELIVERY
	rc = dx_defaultdelivery(c, &handled);
	if (rc != DX_OK || handled)
		return rc;
#endif
	if (vp_fmt(maildir, sizeof maildir, "%s/Maildir/", pw->pw_dir) != 0) {
		fputs("vdelivermail: email too long\n", c->out);
		return DX_TEMP;
	}
	return dx_maildir(c, maildir, pw->pw_shell != NULL ? pw->pw_shell : "", 0);
}

static int unknown_user(struct dx_ctx *c)
{
	const char *in = c->catchall;
	char dir[VP_PATH_MAX], maildir[VP_PATH_MAX];
	int rc, handled;

	if (strcmp(in, "delete") == 0)
		return DX_OK;
	/* An empty instruction bounces rather than forwarding to "". */
	if (strcmp(in, "bounce-no-mailbox") == 0 || in[0] == '\0') {
		dx_print_msgfile(c, ".no-user.msg", "Sorry, no mailbox here by that name. (#5.1.1)");
		return DX_PERM;
	}
	if (in[0] != '/')
		return dx_instruction(c, in, 1);
	if (vp_fmt(dir, sizeof dir, "%s%s", in, in[strlen(in) - 1] == '/' ? "" : "/") != 0 ||
	    vp_fmt(maildir, sizeof maildir, "%sMaildir/", dir) != 0) {
		fputs("vdelivermail: email too long\n", c->out);
		return DX_TEMP;
	}
	fprintf(c->out, "user does not exist, but will deliver to %s\n", dir);
	rc = dx_dotqmail(c, dir, &handled);
	if (rc != DX_OK || handled)
		return rc;
	/* <dir>/Maildir/ stands for the catchall instruction itself: the
	 * Delivered-To is the original recipient, as for a Maildir given
	 * there directly. */
	return dx_maildir(c, maildir, NULL, 1);
}

/*
 * Look name up in the resolved domain: 1 found, 0 no such user, -1 the
 * user database could not be read.  The backend is asked directly: the
 * domain is already resolved, and delivery tests the user's own flags,
 * not the domain-wide ones.
 */
static int lookup(struct dx_ctx *c, const char *name)
{
	int rc;

	if (!c->have_dom)
		return 0;
	rc = vauth_backend_get()->getpw(&c->dom, name, &c->pw);
	if (rc == VA_SUCCESS) {
		c->have_pw = 1;
		return 1;
	}
	/* Anything else (VA_NO_AUTH_CONNECTION: an unreadable or unreachable
	 * user database) defers the mail. */
	if (rc == VA_USER_DOES_NOT_EXIST || rc == VA_ILLEGAL_USERNAME ||
	    rc == VA_USER_NAME_TOO_LONG)
		return 0;
	return -1;
}

/*
 * The characters 5.6 allowed in a recipient.  A leading '.' is one of
 * them, and so is the empty name: no user can have either (vadduser
 * refuses them), so such a recipient is simply unknown and goes to the
 * catch-all, as in 5.6.  It is only ever a lookup key here, never part
 * of a path.
 */
static int recipient_ok(const char *name)
{
	while (*name == '.')
		name++;
	return *name == '\0' || is_username_valid((char *)name) == 0;
}

static int run(struct dx_ctx *c)
{
	char addr[2 * DX_NAME_MAX + 2];
	char *dash;
	int rc, found;

	if ((rc = copy_env(c, "EXT", c->ext)) != DX_OK ||
	    (rc = copy_env(c, "HOST", c->domain)) != DX_OK)
		return rc;
	if (!recipient_ok(c->ext)) {
		fputs("invalid username\n", c->out);
		return DX_PERM;
	}
	if (is_domain_valid(c->domain) != 0) {
		fputs("invalid domain name\n", c->out);
		return DX_PERM;
	}
	vp_strlcpy(c->user, c->ext, sizeof c->user);
#ifdef QMAIL_EXT
	dash = strchr(c->user, '-');
	if (dash != NULL) {
		char *p;

		*dash = '\0';
		vp_strlcpy(c->extpart, c->ext + (dash - c->user) + 1, sizeof c->extpart);
		for (p = c->extpart; *p != '\0'; p++)
			if (*p == '.')
				*p = ':';
	}
	if (!recipient_ok(c->user))
		return DX_PERM;
#else
	(void)dash;
#endif
	rc = vp_domain_lookup_strict(c->domain, &c->dom);
	if (rc == VA_SUCCESS) {
		c->have_dom = 1;
		vp_strlcpy(c->domain, c->dom.real, sizeof c->domain);
	} else if (vp_lookup_failed(rc)) {
		/* users/cdb unreadable: the catch-all would delete or bounce
		 * mail for users who exist.  Wait for it to come back. */
		fputs("vdelivermail: cannot read the user database\nsystem error\n", c->out);
		return DX_TEMP;
	}
	c->rpline = getenv("RPLINE");
	if (c->rpline == NULL)
		c->rpline = "";         /* vpopmail wrote "(null)" here */
	c->dtline = getenv("DTLINE");
	c->to_stdout = getenv("DELIVER_TO_STDOUT") != NULL;

	if ((rc = dx_msg_prepare(c)) != DX_OK)
		return rc;
	vp_fmt(addr, sizeof addr, "%s@%s", c->ext, c->domain);
	if ((rc = dx_is_looping(c, addr)) != 0)
		return dx_loop_result(c, rc);

#ifdef VALIAS
	rc = dx_valias(c, &found);
	if (rc != DX_OK || found)
		return rc;
#endif
	found = lookup(c, c->ext);
#ifdef QMAIL_EXT
	if (found == 0 && strcmp(c->user, c->ext) != 0)
		found = lookup(c, c->user);
#endif
	if (found < 0) {
		fputs("vdelivermail: cannot read the user database\nsystem error\n", c->out);
		return DX_TEMP;
	}
	if (found)
		return deliver_user(c);
	return unknown_user(c);
}

int vdelivermail(const char *instruction, FILE *out, int *status)
{
	struct dx_ctx *c;
	struct sigaction ign, old;

	if (instruction == NULL || out == NULL || status == NULL)
		return VA_NULL_POINTER;
	c = calloc(1, sizeof *c);
	if (c == NULL) {
		*status = DX_TEMP;
		return VA_MEMORY_ALLOC_ERR;
	}
	c->out = out;
	c->catchall = instruction;
	umask(077);
	/* A reader that goes away (qmail-inject) must not kill us. */
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	*status = run(c);
	sigaction(SIGPIPE, &old, NULL);
	fflush(out);
	vpw_entry_free(&c->pw);
	free(c);
	return VA_SUCCESS;
}

int vmaildir_deliver(const char *maildir, const char *header, int fd, const char *quota,
                     uid_t uid, gid_t gid, char *newpath, size_t size, int *over_quota)
{
	char dir[VP_PATH_MAX];
	struct dx_quota q;
	struct dx_write w;
	struct stat st;

	if (maildir == NULL || header == NULL || over_quota == NULL)
		return VA_NULL_POINTER;
	*over_quota = 0;
	if (vp_fmt(dir, sizeof dir, "%s%s", maildir,
	           maildir[0] != '\0' && maildir[strlen(maildir) - 1] == '/' ? "" : "/") != 0)
		return VA_DIR_TOO_LONG;
	if (fstat(fd, &st) != 0)
		return VA_COULD_NOT_UPDATE_FILE;
	if (dx_quota_check(dir, quota, st.st_size + (off_t)strlen(header), uid, gid, &q) != VA_SUCCESS)
		return VA_COULD_NOT_UPDATE_FILE;
	if (q.over) {
		*over_quota = 1;
		return VA_SUCCESS;
	}
	write_setup(&w, dir, header, fd, uid, gid);
	w.quota_def = q.def;
	if (dx_write_maildir(&w) != DXW_OK) {
		if (w.err == EDQUOT)
			*over_quota = 1;
		errno = w.err;
		return w.err == EDQUOT ? VA_SUCCESS : VA_COULD_NOT_UPDATE_FILE;
	}
	if (newpath != NULL && size > 0)
		vp_strlcpy(newpath, w.path, size);
	return VA_SUCCESS;
}
