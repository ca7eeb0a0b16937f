/*
 * mdquota.c - the Maildir++ quota gate of a delivery and the incremental
 * maildirsize update after it.
 *
 * maildirsize is "<definition>\n" followed by "<bytes> <count>\n" lines
 * whose sums are the usage (Courier's format; Dovecot and maildrop read
 * and append to the same file).  It is trusted while fresh (15 minutes)
 * and small; a stale or missing file is rebuilt by counting the Maildir.
 *
 * One difference from vpopmail (doc/COMPATIBILITY.md): a fresh file that
 * has grown past 2048 bytes is compacted (its lines summed into one)
 * instead of being recounted, so a delivery into a Maildir of 100,000
 * messages does not stall every few hundred deliveries.  Over-quota
 * verdicts from a file with more than one data line are still checked by
 * a recount.
 *
 * Whoever appends to the file or replaces it (a recount, a compaction,
 * vsetuserquota) holds an flock on the Maildir directory, which, unlike
 * the file, no rename replaces: a line is never appended to a file that
 * is about to be replaced by figures without it.  A delivery counts its
 * message and links it into new/ under that lock (dx_count_and_link), so
 * a recount sees it both counted and there, or neither.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "deliver.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Compact from this size: Courier and Dovecot recount from 5120 bytes;
 * compacting earlier keeps the per-delivery parse short. */
#define MDS_COMPACT  2048
#define MDS_MAX_AGE  (15 * 60)
#define MDS_READ_MAX (64 * 1024)    /* larger files are rebuilt, not parsed */
/* maildirsize is bookkeeping that a recount restores: replaced atomically,
 * but not fsynced (that would double the cost of some deliveries). */
#define MDS_AFILE    (VP_AFILE_NOSYNC | VP_AFILE_NODIRSYNC)

/* The directory whose maildirsize applies: a folder (it holds a
 * "maildirfolder" file) is accounted in its parent. */
static int quota_root(const char *maildir, char *out, size_t size)
{
	char probe[VP_PATH_MAX];
	size_t n;

	if (vp_strlcpy(out, maildir, size) != 0)
		return -1;
	n = strlen(out);
	while (n > 1 && out[n - 1] == '/')
		out[--n] = '\0';
	if (vp_fmt(probe, sizeof probe, "%s/maildirfolder", out) != 0)
		return -1;
	if (access(probe, F_OK) == 0 && vp_fmt(probe, sizeof probe, "%s/..", out) == 0)
		vp_strlcpy(out, probe, size);
	return 0;
}

/* Parsed maildirsize. */
struct mds {
	char      def[128];
	int64_t   bytes, count;
	unsigned  lines;        /* data lines */
	int       bogus;        /* a number or a sum beyond 64 bits */
	off_t     size;
	time_t    mtime;
};

/* Add the signed decimal at *pp (leading blanks skipped) to *sum; *pp
 * moves past it.  -1 when the number or the sum does not fit. */
static int add_number(const char **pp, int64_t *sum)
{
	const char *p = *pp;
	int neg = 0, bad = 0;
	int64_t v = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	for (; *p >= '0' && *p <= '9'; p++)
		if (!bad && (__builtin_mul_overflow(v, 10, &v) ||
		             __builtin_add_overflow(v, *p - '0', &v)))
			bad = 1;
	*pp = p;
	if (bad || __builtin_add_overflow(*sum, neg ? -v : v, sum))
		return -1;
	return 0;
}

/* Sum text (NUL-terminated) into m: the definition, then "<bytes> <count>"
 * lines (a hand-made parser: this runs on every delivery). */
static void mds_parse(const char *text, struct mds *m)
{
	const char *p = text, *nl = strchr(text, '\n');
	size_t n = nl != NULL ? (size_t)(nl - text) : strlen(text);

	if (n >= sizeof m->def)
		n = sizeof m->def - 1;
	memcpy(m->def, text, n);
	m->def[n] = '\0';
	m->bytes = m->count = 0;
	m->lines = 0;
	/* No definition line, or a last line without its LF (a hand edit, an
	 * append cut short): recounted, as an append would glue its line to
	 * that last one ("0 0" + "312 1" reads "0 0312 1"). */
	m->bogus = nl == NULL || text[strlen(text) - 1] != '\n';
	if (nl == NULL)
		return;
	for (p = nl + 1; *p != '\0';) {
		if (add_number(&p, &m->bytes) != 0)
			m->bogus = 1;
		if (*p != '\n' && add_number(&p, &m->count) != 0)
			m->bogus = 1;
		while (*p != '\n' && *p != '\0')
			p++;
		if (*p == '\n')
			p++;
		m->lines++;
	}
}

/* Read the whole file behind fd (at most MDS_READ_MAX) and parse it.
 * 0 ok, 1 too big to parse (only its definition is read) or holding sums
 * beyond 64 bits (recount it), -1 read error. */
static int mds_read_fd(int fd, struct mds *m)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	ssize_t got;

	if (fstat(fd, &st) != 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	m->size = st.st_size;
	m->mtime = st.st_mtime;
	if (st.st_size > MDS_READ_MAX) {
		char first[sizeof m->def];
		ssize_t n = pread(fd, first, sizeof first - 1, 0);

		first[n > 0 ? n : 0] = '\0';
		mds_parse(first, m);    /* the definition; the sums are not used */
		return 1;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL)
		return -1;
	while (len < (size_t)st.st_size &&
	       (got = pread(fd, buf + len, (size_t)st.st_size - len, (off_t)len)) > 0)
		len += (size_t)got;
	buf[len] = '\0';
	mds_parse(buf, m);
	free(buf);
	return m->bogus ? 1 : 0;
}

/* Open and parse the file: as mds_read_fd(), or 2 when it is missing. */
static int mds_load(const char *file, struct mds *m)
{
	int fd, rc;

	fd = vp_open_read(file, O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ELOOP) {
			unlink(file);          /* never follow a planted symlink */
			return 2;
		}
		return errno == ENOENT ? 2 : -1;
	}
	rc = mds_read_fd(fd, m);
	close(fd);
	return rc;
}

static int no_limit(const char *def)
{
	return def[0] == '\0' || strncmp(def, "NO", 2) == 0;
}

static void evaluate(struct dx_quota *q, storage_t bytes, storage_t count, off_t msgsize)
{
	int pct = 0;

	q->over = vp_quota_percent(bytes + (storage_t)msgsize, count + 1, q->def, &pct) < 0;
	vp_quota_percent(bytes, count, q->def, &q->pct);
}

/* Evaluate a parsed file; 1 if its verdict stands: the file is fresh and
 * says "within quota", or "over" from one line of sums. */
static int believe(struct dx_quota *q, const struct mds *m, off_t msgsize)
{
	if (time(NULL) > m->mtime + MDS_MAX_AGE)
		return 0;
	evaluate(q, (storage_t)(m->bytes > 0 ? m->bytes : 0),
	         (storage_t)(m->count > 0 ? m->count : 0), msgsize);
	return !q->over || m->lines == 1;
}

int dx_quota_check(const char *maildir, const char *quota, off_t msgsize,
                   uid_t uid, gid_t gid, struct dx_quota *q)
{
	char root[VP_PATH_MAX], file[VP_PATH_MAX];
	struct mds m;
	struct vp_usage u;
	int rc, lk;

	memset(q, 0, sizeof *q);
	memset(&m, 0, sizeof m);
	if (quota != NULL && vp_format_quota(quota, q->def, sizeof q->def) != VA_SUCCESS)
		q->def[0] = '\0';
	if (quota != NULL && no_limit(q->def))
		return VA_SUCCESS;
	if (quota_root(maildir, root, sizeof root) != 0 ||
	    vp_fmt(file, sizeof file, "%s/maildirsize", root) != 0)
		return VA_DIR_TOO_LONG;

	rc = mds_load(file, &m);
	if (rc < 0)
		return VA_COULD_NOT_UPDATE_FILE;
	/* A Maildir that is not the user's own: its file's definition,
	 * normalised as a user's quota is ("5MB" is 5242880S, "0S" none);
	 * a file too big to parse still gives it, and is then rebuilt. */
	if (quota == NULL) {
		if (rc == 2 || vp_format_quota(m.def, q->def, sizeof q->def) != VA_SUCCESS ||
		    no_limit(q->def))
			return VA_SUCCESS;
	}
	if (rc == 0 && believe(q, &m, msgsize))
		return VA_SUCCESS;

	/* Counted and saved under the lock of the appends.  Another delivery
	 * may have rebuilt the file while this one waited for it: then that
	 * file is used.  Without the lock the count is used, not saved. */
	lk = vp_lock_dir(root);
	if (lk >= 0 && mds_load(file, &m) == 0 && believe(q, &m, msgsize)) {
		vp_unlock_dir(lk);
		return VA_SUCCESS;
	}
	vp_count_maildir(root, &u);
	if (lk >= 0)
		vp_write_maildirsize(root, q->def, &u, 0600, 0, uid, gid, MDS_AFILE);  /* best effort */
	vp_unlock_dir(lk);
	evaluate(q, u.bytes, u.count, msgsize);
	/* Over by what could be counted is over; under it, the rest might
	 * not be: the caller lets the message wait. */
	q->unsure = u.incomplete && !q->over;
	return VA_SUCCESS;
}

/* Replace the file (the caller holds the lock, fd is the file) by its sum. */
static void compact(int fd, const char *root, uid_t uid, gid_t gid)
{
	struct mds m;
	struct vp_usage u;

	memset(&m, 0, sizeof m);
	if (mds_read_fd(fd, &m) != 0 || no_limit(m.def))
		return;
	u.bytes = (storage_t)(m.bytes > 0 ? m.bytes : 0);
	u.count = (storage_t)(m.count > 0 ? m.count : 0);
	u.incomplete = 0;
	vp_write_maildirsize(root, m.def, &u, 0600, 0, uid, gid, MDS_AFILE);
}

/* 1 when the file behind fd (size bytes) ends in LF: a line appended
 * to it stands on its own. */
static int ends_in_newline(int fd, off_t size)
{
	char last;

	return size > 0 && pread(fd, &last, 1, size - 1) == 1 && last == '\n';
}

/* Append "<size> <count>" to <root>/maildirsize; lk: the Maildir's lock,
 * or -1 if it could not be had. */
static void append_held(int lk, const char *root, const char *def, off_t size, int count,
                        uid_t uid, gid_t gid)
{
	char file[VP_PATH_MAX], line[64];
	struct stat st;
	int fd, len;

	if (vp_fmt(file, sizeof file, "%s/maildirsize", root) != 0)
		return;
	if (lk < 0) {
		unlink(file);   /* uncounted: the next reader recounts */
		return;
	}
	len = snprintf(line, sizeof line, "%lld %d\n", (long long)size, count);
	fd = open(file, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		struct vp_usage u;

		if (errno != ENOENT) {
			unlink(file);   /* uncounted: the next reader recounts */
			return;
		}
		/* Gone meanwhile: a recount, plus this message, which is not
		 * linked yet (one withdrawn is already out of it). */
		vp_count_maildir(root, &u);
		if (count > 0) {
			u.bytes += (storage_t)size;
			u.count += (storage_t)count;
		}
		vp_write_maildirsize(root, def, &u, 0600, 0, uid, gid, MDS_AFILE);
		return;
	}
	/*
	 * A line that cannot be added (or only part of it) must not leave
	 * the file as it is: believed while fresh, and kept fresh by the
	 * next appends, it would count this message never.  Without it, the
	 * next reader recounts the Maildir.
	 */
	if (fstat(fd, &st) != 0 || !ends_in_newline(fd, st.st_size) ||
	    write(fd, line, (size_t)len) != len)
		unlink(file);
	else if (st.st_size + len >= MDS_COMPACT && time(NULL) <= st.st_mtime + MDS_MAX_AGE)
		compact(fd, root, uid, gid);
	close(fd);
}

void dx_quota_add(const char *maildir, const char *def, off_t size, int count,
                  uid_t uid, gid_t gid)
{
	char root[VP_PATH_MAX];
	int lk;

	if (def == NULL || no_limit(def) || quota_root(maildir, root, sizeof root) != 0)
		return;
	/* The lock every replacer of the file holds (see the top). */
	lk = vp_lock_dir(root);
	append_held(lk, root, def, size, count, uid, gid);
	vp_unlock_dir(lk);
}

int dx_count_and_link(const char *maildir, const char *def, off_t size, uid_t uid, gid_t gid,
                      const char *src, const char *dst, int symbolic)
{
	char root[VP_PATH_MAX];
	int lk, rc, saved;

	if (def == NULL || no_limit(def) || quota_root(maildir, root, sizeof root) != 0)
		return symbolic ? symlink(src, dst) : link(src, dst);
	lk = vp_lock_dir(root);
	append_held(lk, root, def, size, 1, uid, gid);
	rc = symbolic ? symlink(src, dst) : link(src, dst);
	saved = errno;
	if (rc != 0)
		append_held(lk, root, def, -size, -1, uid, gid);
	vp_unlock_dir(lk);
	errno = saved;
	return rc;
}

void dx_maildir_usage(const char *maildir, storage_t *bytes, storage_t *count)
{
	char file[VP_PATH_MAX];
	struct vp_usage u;
	struct mds m;
	int fd, rc = -1;

	memset(&m, 0, sizeof m);
	if (vp_fmt(file, sizeof file, "%s/maildirsize", maildir) == 0 &&
	    (fd = vp_open_read(file, O_NOFOLLOW)) >= 0) {
		rc = mds_read_fd(fd, &m);
		close(fd);
	}
	if (rc == 0 && time(NULL) <= m.mtime + MDS_MAX_AGE) {
		*bytes += (storage_t)(m.bytes > 0 ? m.bytes : 0);
		*count += (storage_t)(m.count > 0 ? m.count : 0);
		return;
	}
	vp_count_maildir(maildir, &u);
	*bytes += u.bytes;
	*count += u.count;
}
