/*
 * bulletin.c - put one message into the Maildir of every user of a
 * domain (vpopbull).
 *
 * A copy is written the Maildir way: into Maildir/tmp under the final
 * name, synced to disk, then linked into Maildir/new, so a reader never
 * sees a half-written bulletin and an existing message of the same name
 * is never overwritten.  Copies are made in batches of BATCH users and
 * each batch is synced with one syncfs() per file system, not one fsync()
 * per copy (10,000 users: about 2 s instead of 12).  Hard and symbolic
 * links go straight into new/.
 * All users of one domain get the same file name, <time>.<pid>.<host>,
 * as in vpopmail.
 *
 * Unlike vpopmail, each delivery is also counted in the user's
 * maildirsize ("<size> 1", as vdelivermail appends), so Maildir++ readers
 * such as Dovecot see the bulletin in the quota at once.
 *
 * The exclude list is read once and searched with bsearch; vpopmail
 * re-read the whole file for every user.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1   /* syncfs() */
#endif
#include "vpinternal.h"
#include "deliver.h"    /* dx_quota_add(): maildirsize, as vdelivermail keeps it */
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define COPY_CHUNK 65536
#define BATCH      128

void vbulletin_init(struct vbulletin *b, int method)
{
	memset(b, 0, sizeof *b);
	b->method = method;
	b->fd = -1;
}

void vbulletin_free(struct vbulletin *b)
{
	size_t i;

	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	for (i = 0; i < b->nexclude; i++)
		free(b->exclude[i]);
	free(b->exclude);
	b->exclude = NULL;
	b->nexclude = 0;
}

/* 1 if a header line (before the first empty line) starts "Date: " in any case. */
static int has_date_header(int fd)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int found = 0, dupfd;

	if ((dupfd = dup(fd)) < 0 || (fp = fdopen(dupfd, "r")) == NULL) {
		if (dupfd >= 0)
			close(dupfd);
		return 0;
	}
	while ((n = getline(&line, &cap, fp)) > 0) {
		if (strcmp(line, "\n") == 0)
			break;
		if (strncasecmp(line, "Date: ", 6) == 0) {
			found = 1;
			break;
		}
	}
	free(line);
	fclose(fp);
	return found;
}

int vbulletin_set_message(struct vbulletin *b, const char *file)
{
	struct stat st;
	char cwd[VP_PATH_MAX];
	int fd;

	if (b == NULL || file == NULL)
		return VA_NULL_POINTER;
	if ((fd = open(file, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)   /* a FIFO must not hang us */
		return VA_BAD_DIR;
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
		close(fd);
		errno = EISDIR;
		return VA_BAD_DIR;
	}
	/* The links point at an absolute path: a relative -f is taken from
	 * the directory vpopbull was started in. */
	if (file[0] == '/') {
		if (vp_strlcpy(b->path, file, sizeof b->path) != 0)
			goto too_long;
	} else if (getcwd(cwd, sizeof cwd) == NULL ||
	           vp_fmt(b->path, sizeof b->path, "%s/%s", cwd, file) != 0) {
		goto too_long;
	}
	if (b->fd >= 0)
		close(b->fd);
	b->fd = fd;
	b->size = S_ISREG(st.st_mode) ? st.st_size : 0;
	b->add_date = !has_date_header(fd);
	return VA_SUCCESS;
too_long:
	close(fd);
	errno = ENAMETOOLONG;
	return VA_BAD_DIR;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vbulletin_set_exclude(struct vbulletin *b, const char *file)
{
	FILE *fp;
	char *line = NULL, **grown;
	size_t cap = 0, room;
	ssize_t n;
	int rc = VA_SUCCESS;

	if (b == NULL || file == NULL)
		return VA_NULL_POINTER;
	/* A second list adds to the first: its array is taken as full. */
	room = b->nexclude;
	if ((fp = fopen(file, "re")) == NULL)
		return VA_BAD_DIR;
	while ((n = getline(&line, &cap, fp)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (b->nexclude == room) {
			room = room ? 2 * room : 64;
			grown = realloc(b->exclude, room * sizeof *grown);
			if (grown == NULL) {
				rc = VA_MEMORY_ALLOC_ERR;
				break;
			}
			b->exclude = grown;
		}
		if ((b->exclude[b->nexclude] = strdup(line)) == NULL) {
			rc = VA_MEMORY_ALLOC_ERR;
			break;
		}
		b->nexclude++;
	}
	free(line);
	fclose(fp);
	if (b->nexclude > 1)
		qsort(b->exclude, b->nexclude, sizeof *b->exclude, cmp_str);
	return rc;
}

static int excluded(const struct vbulletin *b, const char *addr)
{
	return b->nexclude > 0 &&
	       bsearch(&addr, b->exclude, b->nexclude, sizeof *b->exclude, cmp_str) != NULL;
}

/* "<time>.<pid>.<host>", with '/' and ':' in the host name written as
 * octal escapes the way the Maildir convention asks. */
static void bulletin_name(char *out, size_t size)
{
	char host[256], safe[1024], *p = safe;
	size_t i;

	if (gethostname(host, sizeof host) != 0)
		vp_strlcpy(host, "localhost", sizeof host);
	host[sizeof host - 1] = '\0';
	for (i = 0; host[i] != '\0' && p < safe + sizeof safe - 5; i++) {
		if (host[i] == '/' || host[i] == ':')
			p += sprintf(p, "\\%03o", (unsigned char)host[i]);
		else
			*p++ = host[i];
	}
	*p = '\0';
	snprintf(out, size, "%lu.%lu.%s", (unsigned long)time(NULL), (unsigned long)getpid(), safe);
}

/* The To: line, the Date: line when the message has none, then the message. */
static int write_copy(const struct vbulletin *b, int fd, const char *addr, const char *date)
{
	char buf[COPY_CHUNK];
	off_t off = 0;
	ssize_t n;
	int len;

	len = snprintf(buf, sizeof buf, "To: %s\n%s", addr, b->add_date ? date : "");
	if (len < 0 || (size_t)len >= sizeof buf || vp_write_all(fd, buf, (size_t)len) != 0)
		return -1;
	for (;;) {
		n = pread(b->fd, buf, sizeof buf, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		if (vp_write_all(fd, buf, (size_t)n) != 0)
			return -1;
		off += n;
	}
}

static int fail_with(struct vbull_result *r, int rc, const char *call)
{
	r->rc = rc;
	r->call = call;
	r->err = errno;
	return rc;
}

/* A copy written to tmp/ but not yet synced and linked, or a user whose
 * delivery already failed (fd -1), waiting to be reported in order. */
struct pending {
	struct vbull_result r;
	int   fd;
	dev_t dev;
	char  tmp[VP_PATH_MAX];
	char  dst[VP_PATH_MAX];
	char  user[MAX_PW_NAME + 1];
	char  dir[VP_PATH_MAX];
	char  mdir[VP_PATH_MAX];    /* "<dir>/Maildir/" */
	char  quota[128];           /* maildirsize definition, "" for none */
	off_t size;                 /* bytes of the copy */
};

/* The user's quota as a maildirsize definition; "" for none (NOQUOTA). */
static void quota_def(const struct vqpasswd *pw, char *out, size_t size)
{
	out[0] = '\0';
	if (pw->pw_shell != NULL && pw->pw_shell[0] != '\0' && strncmp(pw->pw_shell, "NO", 2) != 0 &&
	    vp_format_quota(pw->pw_shell, out, size) != VA_SUCCESS)
		out[0] = '\0';
}

/* Copy mode, first half: tmp/<name> written, owned and 0600, left open.
 * Not vmaildir_deliver(): that fsyncs each copy under its own unique name;
 * here one name serves all users and a batch is synced by one syncfs(). */
static int write_tmp(const struct vbulletin *b, const struct vdomain *d, const char *mdir,
                     const char *name, const char *addr, const char *date, struct pending *p)
{
	struct stat st;
	int fd, ok;

	if (vp_fmt(p->tmp, sizeof p->tmp, "%s/tmp/%s", mdir, name) != 0 ||
	    vp_fmt(p->dst, sizeof p->dst, "%s/new/%s", mdir, name) != 0) {
		errno = ENAMETOOLONG;
		return fail_with(&p->r, VA_DIR_TOO_LONG, NULL);
	}
	fd = open(p->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return fail_with(&p->r, VA_COULD_NOT_UPDATE_FILE, NULL);
	ok = write_copy(b, fd, addr, date) == 0 && fchmod(fd, 0600) == 0 &&
	     (!vp_can_chown() || fchown(fd, d->uid, d->gid) == 0) && fstat(fd, &st) == 0;
	if (!ok) {
		int e = errno;

		close(fd);
		unlink(p->tmp);
		errno = e;
		return fail_with(&p->r, VA_COULD_NOT_UPDATE_FILE, NULL);
	}
	p->fd = fd;
	p->dev = st.st_dev;
	p->size = st.st_size;
	return VA_SUCCESS;
}

/* Make the open copies durable; err[i] gets the errno of a failure.
 * Linux: one syncfs() per file system in the batch; elsewhere fsync(). */
static void sync_batch(struct pending *batch, size_t n, int *err)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		err[i] = 0;
		if (batch[i].fd < 0)
			continue;
#ifdef __linux__
		for (k = 0; k < i; k++)
			if (batch[k].fd >= 0 && batch[k].dev == batch[i].dev)
				break;
		if (k < i) {
			err[i] = err[k];
			continue;
		}
		if (syncfs(batch[i].fd) != 0)
			err[i] = errno;
#else
		(void)k;
		if (fsync(batch[i].fd) != 0)
			err[i] = errno;
#endif
	}
}

/* Copy mode, second half: sync, link tmp/<name> to new/<name>, report. */
static void flush_batch(struct pending *batch, size_t n, uid_t uid, gid_t gid,
                        void (*report)(const struct vbull_result *r, void *arg), void *arg)
{
	int err[BATCH];
	size_t i;

	sync_batch(batch, n, err);
	for (i = 0; i < n; i++) {
		struct pending *p = &batch[i];

		if (p->fd >= 0) {
			if (close(p->fd) != 0 && err[i] == 0)
				err[i] = errno;
			p->fd = -1;
			/* Counted before it shows, as vdelivermail does. */
			if (err[i] == 0 &&
			    dx_count_and_link(p->mdir, p->quota[0] != '\0' ? p->quota : NULL, p->size,
			                      uid, gid, p->tmp, p->dst, 0) != 0)
				err[i] = errno;
			unlink(p->tmp);
			if (err[i] != 0) {
				errno = err[i];
				fail_with(&p->r, VA_COULD_NOT_UPDATE_FILE, NULL);
			}
		}
		if (report != NULL)
			report(&p->r, arg);
	}
}

/* Link modes: new/<name> is a link to the message file (its owner and
 * mode: see below). */
static int deliver_link(struct vbulletin *b, const struct vdomain *d, const char *mdir,
                        const char *name, const char *quota, struct vbull_result *r)
{
	char dst[VP_PATH_MAX], slashed[VP_PATH_MAX];
	int symbolic = b->method == VBULL_SYMLINK;

	if (vp_fmt(dst, sizeof dst, "%s/new/%s", mdir, name) != 0 ||
	    vp_fmt(slashed, sizeof slashed, "%s/", mdir) != 0) {
		errno = ENAMETOOLONG;
		return fail_with(r, VA_DIR_TOO_LONG, NULL);
	}
	/* Counted before it shows, as vdelivermail does. */
	if (dx_count_and_link(slashed, quota[0] != '\0' ? quota : NULL, b->size, d->uid, d->gid,
	                      b->path, dst, symbolic) != 0)
		return fail_with(r, VA_COULD_NOT_UPDATE_FILE, symbolic ? "symlink" : "link");
	/*
	 * Every link leads to one file (a symlink's chown and chmod reach
	 * it too): it belongs to the vpopmail user with mode 0600, as in
	 * vpopmail, until a domain with its own ids is reached; from then on
	 * it is readable by all for the rest of the run (a bulletin is public)
	 * rather than handed to each domain in turn, which left it readable
	 * only by the last.  Best effort, as in vpopmail.
	 */
	if (d->uid != vp_uid() || d->gid != vp_gid())
		b->link_shared = 1;
	if (vp_can_chown() && chown(dst, vp_uid(), vp_gid()) != 0) {
		/* best effort */
	}
	if (chmod(dst, b->link_shared ? 0644 : 0600) != 0) {
		/* best effort */
	}
	return VA_SUCCESS;
}

/*
 * A missing directory has just been made again from a record read earlier
 * in the walk: is the user still there, with that directory?  A vdeluser
 * that ran meanwhile removed the record and then the directory, so the
 * new one would belong to nobody and keep the name from being added
 * again.  Then the skeleton made here goes (empty directories only) and
 * 0 is returned: the user is skipped, as vdelivermail defers
 * (deliver.c: still_there()).
 */
static int still_listed(const struct vdomain *d, const struct vqpasswd *pw)
{
	if (vp_record_has_dir(d, pw->pw_name, pw->pw_dir))
		return 1;
	vp_drop_skeleton(pw->pw_dir);
	return 0;
}

/*
 * Make sure the user has a directory: one is allocated (and stored in
 * the record) when the record has none, and a missing one is created.
 * Neither is left behind for a user whose record has gone meanwhile.
 */
static int user_dir_ready(const struct vdomain *d, struct vpw_entry *e, struct vbull_result *r)
{
	static char newdir[VP_PATH_MAX];
	char hash[MAX_DIR_NAME];
	struct stat st;
	struct vqpasswd pw;

	if (e->pw.pw_dir == NULL || e->pw.pw_dir[0] == '\0') {
		if (vp_user_create_dir(d, e->pw.pw_name, newdir, sizeof newdir, hash, sizeof hash) != 0)
			return fail_with(r, VA_BAD_U_DIR, NULL);
		pw = e->pw;
		pw.pw_dir = newdir;
		/* Stored as 5.6's make_user_dir() does (the onchange script
		 * hears of the new directory: mod_user), but only over the
		 * record as read: one changed since is not written back. */
		if (vauth_setpw_if(&e->pw, &pw, (char *)d->real) != VA_SUCCESS) {
			/* The user gone or changed meanwhile, say: unless the
			 * record was stored after all, nothing names the
			 * directory. */
			if (!vp_record_has_dir(d, pw.pw_name, newdir))
				vp_user_undo_dir(d, newdir, hash);
			return fail_with(r, VA_USER_DOES_NOT_EXIST, NULL);
		}
		e->pw.pw_dir = newdir;
		r->dir = newdir;
		return VA_SUCCESS;
	}
	if (stat(e->pw.pw_dir, &st) == 0)
		return VA_SUCCESS;
	if (vmake_maildir((char *)d->real, e->pw.pw_dir) != VA_SUCCESS)
		return fail_with(r, VA_BAD_U_DIR, NULL);
	/* Reported as 5.6 reports a record that cannot be read again after
	 * making a directory ("Failed to vauth_getpw()"). */
	if (!still_listed(d, &e->pw))
		return fail_with(r, VA_USER_DOES_NOT_EXIST, NULL);
	return VA_SUCCESS;
}

int vbulletin_domain(struct vbulletin *b, const char *domain,
                     void (*report)(const struct vbull_result *r, void *arg), void *arg)
{
	const vauth_backend *be = vauth_backend_get();
	struct vdomain d;
	struct vpw_entry e;
	struct vbull_result r;
	struct pending *batch = NULL, *p;
	size_t nb = 0;
	char name[1200], addr[MAX_PW_NAME + MAX_PW_DOMAIN + 2], mdir[VP_PATH_MAX];
	char date[64];
	void *it;
	int rc, got;

	if (b == NULL || domain == NULL)
		return VA_NULL_POINTER;
	if (!b->list_only && b->fd < 0)
		return VA_NULL_POINTER;
	/* Strict: a users/cdb that cannot be read is not "no such domain". */
	rc = vp_domain_lookup_strict(domain, &d);
	if (rc != VA_SUCCESS)
		return vp_lookup_failed(rc) ? rc : VA_DOMAIN_DOES_NOT_EXIST;
	if (b->method == VBULL_COPY && !b->list_only &&
	    (batch = calloc(BATCH, sizeof *batch)) == NULL)
		return VA_MEMORY_ALLOC_ERR;
	if ((it = be->iter_open(&d)) == NULL) {
		free(batch);
		return VA_BAD_D_DIR;
	}

	bulletin_name(name, sizeof name);
	vp_strlcpy(date, date_header(), sizeof date);
	memset(&e, 0, sizeof e);
	while ((got = be->iter_next(it, &e)) == 1) {
		if (vp_fmt(addr, sizeof addr, "%s@%s", e.pw.pw_name, d.real) != 0 || excluded(b, addr))
			continue;
		memset(&r, 0, sizeof r);
		r.user = e.pw.pw_name;
		r.domain = d.real;
		r.dir = e.pw.pw_dir != NULL ? e.pw.pw_dir : "";
		if (batch != NULL) {
			/* The result is reported when its batch is flushed, so it
			 * keeps its own copies of the strings. */
			p = &batch[nb++];
			p->fd = -1;
			p->r = r;
			vp_strlcpy(p->user, r.user, sizeof p->user);
			p->r.user = p->user;
			if (user_dir_ready(&d, &e, &p->r) == VA_SUCCESS) {
				if (vp_fmt(mdir, sizeof mdir, "%s/Maildir", e.pw.pw_dir) != 0 ||
				    vp_fmt(p->mdir, sizeof p->mdir, "%s/", mdir) != 0) {
					errno = ENAMETOOLONG;
					fail_with(&p->r, VA_DIR_TOO_LONG, NULL);
				} else {
					quota_def(&e.pw, p->quota, sizeof p->quota);
					write_tmp(b, &d, mdir, name, addr, date, p);
				}
			}
			vp_strlcpy(p->dir, p->r.dir, sizeof p->dir);
			p->r.dir = p->dir;
			if (nb == BATCH) {
				flush_batch(batch, nb, d.uid, d.gid, report, arg);
				nb = 0;
			}
			continue;
		}
		if (!b->list_only && user_dir_ready(&d, &e, &r) == VA_SUCCESS) {
			if (vp_fmt(mdir, sizeof mdir, "%s/Maildir", e.pw.pw_dir) != 0) {
				errno = ENAMETOOLONG;
				fail_with(&r, VA_DIR_TOO_LONG, NULL);
			} else {
				char def[128];

				quota_def(&e.pw, def, sizeof def);
				deliver_link(b, &d, mdir, name, def, &r);
			}
		}
		if (report != NULL)
			report(&r, arg);
	}
	if (batch != NULL) {
		flush_batch(batch, nb, d.uid, d.gid, report, arg);
		free(batch);
	}
	be->iter_close(it);
	vpw_entry_free(&e);
	return got < 0 ? got : VA_SUCCESS;
}
