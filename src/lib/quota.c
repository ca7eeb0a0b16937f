/*
 * quota.c - Maildir++ quota strings and the maildirsize file.
 *
 * A quota is stored as "<bytes>S", "<count>C", "<bytes>S,<count>C",
 * "NOQUOTA" or "" (see format_maildirquota()).  A quota'd user's Maildir
 * holds "maildirsize": the quota on the first line, then "<bytes> <count>"
 * lines whose sums give the usage (delivery agents append deltas).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"
#include "deliver.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* vpopmail works on a 128-byte copy of the quota argument. */
#define QUOTA_BUF 128

/* maildirsize is trusted while smaller than this and younger than MAX_AGE. */
#define MDS_MAX_SIZE 5120
#define MDS_MAX_AGE  (15 * 60)

/* How often to recount when a folder changes while we count it. */
#define COUNT_TRIES 5

/* ------------------------------------------------------------------ */
/* Quota strings.                                                      */

/*
 * One comma-separated part: a count ("...C") or a size with an optional
 * K/M/G multiplier and optional trailing "B" and "S".  -1 if the number
 * is negative or, multiplier included, past 2^63-1 (what a signed 64-bit
 * reader of maildirsize can hold): it would wrap, "17179869184G" to 0,
 * which is no quota at all.
 */
static int quota_part(char *p, storage_t *size, storage_t *count)
{
	size_t n = strlen(p);
	long long v;
	long long mult = 1;

	errno = 0;
	if (p[n - 1] == 'C') {
		v = strtoll(p, NULL, 10);
		if (errno == ERANGE || v < 0)
			return -1;
		*count = (storage_t)v;
		return 0;
	}
	if (p[n - 1] == 'S' || p[n - 1] == 's')
		p[--n] = '\0';
	if (n > 0 && (p[n - 1] == 'B' || p[n - 1] == 'b'))
		p[--n] = '\0';
	v = strtoll(p, NULL, 10);
	if (errno == ERANGE || v < 0)
		return -1;
	if (n > 0) {
		switch (p[n - 1]) {
		case 'K': case 'k': mult = 1024; break;
		case 'M': case 'm': mult = 1048576; break;
		/* Not in vpopmail, which stores "1G" as 1 byte. */
		case 'G': case 'g': mult = 1073741824; break;
		}
	}
	if (v > LLONG_MAX / mult)
		return -1;
	*size = (storage_t)(v * mult);
	return 0;
}

int vp_format_quota(const char *in, char *out, size_t size)
{
	char buf[QUOTA_BUF];
	char *p, *save = NULL;
	storage_t qsize = 0, qcount = 0;
	int r;

	if (in == NULL || out == NULL || size == 0)
		return VA_NULL_POINTER;
	if (strcmp(in, "NOQUOTA") == 0)
		return vp_strlcpy(out, "NOQUOTA", size) == 0 ? VA_SUCCESS : VA_QUOTA_TOO_LONG;

	vp_strlcpy(buf, in, sizeof buf);       /* long input is cut, like vpopmail */
	for (p = strtok_r(buf, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save))
		if (quota_part(p, &qsize, &qcount) != 0)    /* later parts win */
			return VA_QUOTA_TOO_LONG;   /* the error for a quota that cannot be stored */

	if (qsize == 0 && qcount == 0)
		r = vp_strlcpy(out, "", size);      /* nothing usable */
	else if (qcount == 0)
		r = vp_fmt(out, size, "%" PRIu64 "S", qsize);
	else if (qsize == 0)
		r = vp_fmt(out, size, "%" PRIu64 "C", qcount);
	else
		r = vp_fmt(out, size, "%" PRIu64 "S,%" PRIu64 "C", qsize, qcount);
	return r == 0 ? VA_SUCCESS : VA_QUOTA_TOO_LONG;
}

char *format_maildirquota(const char *quota)
{
	static char out[QUOTA_BUF];

	if (vp_format_quota(quota, out, sizeof out) != VA_SUCCESS)
		out[0] = '\0';
	return out;
}

/* used * 100 / lim (used <= lim) without the product wrapping. */
static int percent_of(storage_t used, storage_t lim)
{
	if (lim == 0)
		return 100;
	if (used <= UINT64_MAX / 100)
		return (int)(used * 100 / lim);
	return (int)(used / (lim / 100));
}

/*
 * Usage in percent of a quota string, Maildir++ style: every number is a
 * limit, followed by 'C' for a message count or anything else for bytes.
 * Returns -1 (and 100 in *pct) when a limit is exceeded.
 */
int vp_quota_percent(storage_t bytes, storage_t count, const char *quota, int *pct)
{
	int spct = 0, cpct = 0;

	while (quota != NULL && *quota != '\0') {
		storage_t lim = 0;

		if (*quota < '0' || *quota > '9') {
			quota++;
			continue;
		}
		/* A limit past 2^64 (a hand edit) is as good as none; it
		 * must not wrap to a small one. */
		for (; *quota >= '0' && *quota <= '9'; quota++)
			if (__builtin_mul_overflow(lim, 10, &lim) ||
			    __builtin_add_overflow(lim, (storage_t)(*quota - '0'), &lim))
				lim = UINT64_MAX;
		if (*quota == 'C') {
			if (lim < count) {
				*pct = 100;
				return -1;
			}
			cpct = percent_of(count, lim);
		} else {
			if (lim < bytes) {
				*pct = 100;
				return -1;
			}
			spct = percent_of(bytes, lim);
		}
	}
	*pct = spct > cpct ? spct : cpct;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Counting a Maildir.                                                 */

/* A message flagged T (trashed) in its ":2," info is not counted. */
static int is_trashed(const char *name)
{
	const char *p = strstr(name, ":2,");

	if (p == NULL)
		return 0;
	for (p += 3; *p >= 'A' && *p <= 'Z'; p++)
		if (*p == 'T')
			return 1;
	return 0;
}

/* The ",S=<n>" size in a file name (before any ':'), if there is one. */
static int size_from_name(const char *name, storage_t *size)
{
	const char *colon = strchr(name, ':');
	const char *p = colon != NULL ? colon : name + strlen(name);

	for (; p >= name; p--) {
		if (p[0] == ',' && p[1] == 'S' && p[2] == '=') {
			storage_t v = 0;

			/* A size past what maildirsize can hold (a hand-made
			 * name) counts as that much, not as what it wraps to. */
			for (p += 3; *p >= '0' && *p <= '9'; p++)
				if (__builtin_mul_overflow(v, 10, &v) ||
				    __builtin_add_overflow(v, (storage_t)(*p - '0'), &v) ||
				    v > (storage_t)INT64_MAX)
					v = (storage_t)INT64_MAX;
			*size = v;
			return 1;
		}
	}
	return 0;
}

/*
 * 1 if err, met while counting, says the count is short for now (an I/O
 * error, no memory).  An entry that is gone, not a directory, a link loop
 * or closed to this user counts as empty, as in 5.6: a folder the admin
 * must mend would otherwise hold up every delivery.
 */
static int count_short(int err)
{
	return err != ENOENT && err != ENOTDIR && err != EACCES && err != EPERM && err != ELOOP;
}

/* Add up the messages in one new/ or cur/ directory. */
static void count_dir(const char *dir, struct vp_usage *u)
{
	char path[VP_PATH_MAX];
	DIR *d;
	struct dirent *de;

	d = opendir(dir);
	if (d == NULL) {
		if (count_short(errno))
			u->incomplete = 1;
		return;         /* a missing new/ or cur/ counts as empty */
	}
	for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
		storage_t size;
		struct stat st;

		if (de->d_name[0] == '.' || is_trashed(de->d_name))
			continue;
		if (!size_from_name(de->d_name, &size)) {
			if (vp_fmt(path, sizeof path, "%s/%s", dir, de->d_name) != 0)
				continue;
			if (stat(path, &st) != 0) {
				if (count_short(errno))  /* gone meanwhile: not counted */
					u->incomplete = 1;
				continue;
			}
			size = (storage_t)st.st_size;
		}
		if (__builtin_add_overflow(u->bytes, size, &u->bytes) || u->bytes > (storage_t)INT64_MAX)
			u->bytes = (storage_t)INT64_MAX;
		u->count++;
	}
	if (errno != 0)
		u->incomplete = 1;
	closedir(d);
}

/* Folders that count: the Maildir itself and its ".name" subfolders but
 * .Trash.  Calls fn(folder) for each; fn gets the folder path.  -1 if the
 * Maildir could not be listed (it exists). */
static int each_folder(const char *maildir, void (*fn)(const char *, void *), void *arg)
{
	char path[VP_PATH_MAX];
	DIR *d;
	struct dirent *de;
	int rc = 0;

	fn(maildir, arg);
	d = opendir(maildir);
	if (d == NULL)
		return count_short(errno) ? -1 : 0;
	for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
		const char *n = de->d_name;

		if (n[0] != '.' || strcmp(n, ".") == 0 || strcmp(n, "..") == 0 ||
		    strcmp(n, ".Trash") == 0)
			continue;
		if (vp_fmt(path, sizeof path, "%s/%s", maildir, n) == 0)
			fn(path, arg);
	}
	if (errno != 0)
		rc = -1;
	closedir(d);
	return rc;
}

static void count_folder(const char *folder, void *arg)
{
	char path[VP_PATH_MAX];

	if (vp_fmt(path, sizeof path, "%s/new", folder) == 0)
		count_dir(path, arg);
	if (vp_fmt(path, sizeof path, "%s/cur", folder) == 0)
		count_dir(path, arg);
}

/* A running "fingerprint" of the folders' new/ and cur/ mtimes. */
struct stamp {
	uint64_t sum;
	uint64_t n;
};

static void stamp_folder(const char *folder, void *arg)
{
	static const char *const sub[] = { "new", "cur" };
	struct stamp *s = arg;
	char path[VP_PATH_MAX];
	struct stat st;
	int i;

	for (i = 0; i < 2; i++) {
		if (vp_fmt(path, sizeof path, "%s/%s", folder, sub[i]) != 0 ||
		    stat(path, &st) != 0)
			continue;
		s->sum = s->sum * 1000003u + (uint64_t)st.st_mtim.tv_sec * 1000000000u +
		         (uint64_t)st.st_mtim.tv_nsec;
		s->n++;
	}
}

static struct stamp folder_stamp(const char *maildir)
{
	struct stamp s = { 0, 0 };

	(void)each_folder(maildir, stamp_folder, &s);
	return s;
}

/* Count a Maildir; if a folder changed meanwhile, count again (a few
 * times, then take the last result). */
void vp_count_maildir(const char *maildir, struct vp_usage *u)
{
	struct stamp before, after;
	int i;

	for (i = 0; i < COUNT_TRIES; i++) {
		before = folder_stamp(maildir);
		u->bytes = 0;
		u->count = 0;
		u->incomplete = 0;
		if (each_folder(maildir, count_folder, u) != 0)
			u->incomplete = 1;
		after = folder_stamp(maildir);
		if (before.sum == after.sum && before.n == after.n)
			break;
	}
}

int readuserquota(const char *dir, storage_t *size, storage_t *count)
{
	struct vp_usage u;

	if (dir == NULL || size == NULL || count == NULL)
		return VA_NULL_POINTER;
	vp_count_maildir(dir, &u);
	*size += u.bytes;               /* adds up, as vpopmail's does */
	*count += u.count;
	return VA_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* The maildirsize file.                                               */

/* Write "<quota>\n<bytes> <count>\n" as <maildir>/maildirsize via a temp
 * in <maildir>/tmp (the caller holds vp_lock_dir(maildir)).  force_mode:
 * chmod to mode regardless of umask. */
int vp_write_maildirsize(const char *maildir, const char *quota, const struct vp_usage *u,
                         mode_t mode, int force_mode, uid_t uid, gid_t gid, int afile_flags)
{
	char dst[VP_PATH_MAX], tmp[VP_PATH_MAX], host[256];
	struct vp_afile af;
	char *p;
	int rc;

	host[0] = '\0';
	if (gethostname(host, sizeof host - 1) != 0)
		host[0] = '\0';
	host[sizeof host - 1] = '\0';
	for (p = host; *p != '\0'; p++)
		if (*p == '/')
			*p = '_';
	if (vp_fmt(dst, sizeof dst, "%s/maildirsize", maildir) != 0 ||
	    vp_fmt(tmp, sizeof tmp, "%s/tmp/%lld.%ld_NeWmAiLdIrSiZe.%s", maildir,
	           (long long)time(NULL), (long)getpid(), host) != 0)
		return VA_DIR_TOO_LONG;
	if (u->incomplete)
		return VA_COULD_NOT_UPDATE_FILE;
	rc = vp_afile_open(&af, dst, tmp, mode);
	if (rc != VA_SUCCESS)
		return rc;
	af.flags = afile_flags;
	if (force_mode)
		fchmod(af.fd, mode);
	fprintf(af.fp, "%s\n%" PRIu64 " %" PRIu64 "\n", quota, u->bytes, u->count);
	if (vp_chown(af.tmp, uid, gid) != 0) {
		vp_afile_abort(&af);
		return VA_COULD_NOT_UPDATE_FILE;
	}
	return vp_afile_commit(&af);
}

int vp_maildirsize_update(const char *userdir, const char *quota, uid_t uid, gid_t gid)
{
	char maildir[VP_PATH_MAX], file[VP_PATH_MAX];
	struct vp_usage u;
	int lk, rc;

	if (userdir == NULL)
		return VA_NULL_POINTER;
	if (vp_fmt(maildir, sizeof maildir, "%s/Maildir", userdir) != 0 ||
	    vp_fmt(file, sizeof file, "%s/maildirsize", maildir) != 0)
		return VA_DIR_TOO_LONG;
	if (quota == NULL || *quota == '\0' || strcmp(quota, "NOQUOTA") == 0) {
		if (unlink(file) != 0 && errno != ENOENT)
			return VA_COULD_NOT_UPDATE_FILE;
		return VA_SUCCESS;
	}
	/* Replaced, not removed first: if the new one cannot be written,
	 * the old one (and the quota deliveries count against) stays.
	 * Counted and replaced under the lock of the deliveries' appends, or
	 * a line appended meanwhile would be lost with the old file. */
	if ((lk = vp_lock_dir(maildir)) < 0)
		return VA_COULD_NOT_UPDATE_FILE;
	vp_count_maildir(maildir, &u);
	rc = vp_write_maildirsize(maildir, quota, &u, 0600, 1, uid, gid, 0);
	vp_unlock_dir(lk);
	return rc;
}

void remove_maildirsize(char *dir)
{
	char file[VP_PATH_MAX];

	if (dir != NULL && vp_fmt(file, sizeof file, "%s/Maildir/maildirsize", dir) == 0)
		unlink(file);
}

void update_maildirsize(char *domain, char *dir, char *quota)
{
	struct vdomain d;
	uid_t uid = vp_uid();
	gid_t gid = vp_gid();

	/* As 5.6: only a quota sets the umask (the caller's later vpasswd
	 * rewrite is then 0600); after NOQUOTA it stays the caller's. */
	if (quota == NULL || strcmp(quota, "NOQUOTA") != 0)
		umask(077);
	/* Without a known domain the file stays with the vpopmail user. */
	if (domain != NULL && *domain != '\0' && vp_domain_lookup(domain, &d) == VA_SUCCESS) {
		uid = d.uid;
		gid = d.gid;
	}
	vp_maildirsize_update(dir, quota, uid, gid);
}

/*
 * Sum an existing maildirsize if it may be trusted.  Returns 0 and the
 * totals, or -1 if the file is missing, too big or stale (a stale or big
 * one is removed so that it gets rebuilt).
 */
static int read_maildirsize(const char *file, struct vp_usage *u, unsigned *lines,
                            time_t *mtime)
{
	char buf[MDS_MAX_SIZE + 1];
	struct stat st;
	ssize_t got;
	size_t len = 0;
	char *p, *nl;
	int fd;

	u->incomplete = 0;
	fd = vp_open_read(file, O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	if (st.st_size >= MDS_MAX_SIZE || time(NULL) > st.st_mtime + MDS_MAX_AGE) {
		unlink(file);
		close(fd);
		return -1;
	}
	while (len < MDS_MAX_SIZE && (got = read(fd, buf + len, MDS_MAX_SIZE - len)) > 0)
		len += (size_t)got;
	close(fd);
	if (len >= MDS_MAX_SIZE)
		return -1;
	buf[len] = '\0';

	u->bytes = 0;
	u->count = 0;
	*lines = 0;
	*mtime = st.st_mtime;
	p = strchr(buf, '\n');          /* skip the quota line */
	if (p == NULL)
		return 0;
	for (p++; *p != '\0'; p = nl) {
		char *e1, *e2;
		storage_t b, c = 0;

		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		else
			nl = p + strlen(p);
		/* Deltas may be negative: unsigned arithmetic sums them right. */
		b = (storage_t)strtoull(p, &e1, 10);
		if (e1 == p) {
			b = 0;
		} else {
			c = (storage_t)strtoull(e1, &e2, 10);
			if (e2 == e1)
				c = 0;
		}
		u->bytes += b;
		u->count += c;
		(*lines)++;
	}
	return 0;
}

int vmaildir_readquota(const char *maildir, const char *quota)
{
	char dir[VP_PATH_MAX], probe[VP_PATH_MAX];
	struct vp_usage u;
	struct stat st;
	unsigned lines;
	time_t mtime;
	int pct = 0, depth, lk;

	if (maildir == NULL || quota == NULL || *quota == '\0')
		return 0;
	if (strcmp(quota, "NOQUOTA") == 0)
		return 0;               /* nothing to measure against */

	/* A subfolder ("maildirfolder" present) is accounted in its parent. */
	if (vp_strlcpy(dir, maildir, sizeof dir) != 0)
		return 0;
	for (depth = 0; depth < 8; depth++) {
		if (vp_fmt(probe, sizeof probe, "%s/maildirfolder", dir) != 0)
			return 0;
		if (stat(probe, &st) != 0)
			break;
		if (vp_fmt(probe, sizeof probe, "%s/..", dir) != 0)
			return 0;
		vp_strlcpy(dir, probe, sizeof dir);
	}

	if (vp_fmt(probe, sizeof probe, "%s/maildirsize", dir) != 0)
		return 0;
	if (read_maildirsize(probe, &u, &lines, &mtime) == 0) {
		if (vp_quota_percent(u.bytes, u.count, quota, &pct) == 0)
			return pct;
		/* Over quota: believe a fresh single-line file, else recount. */
		if (lines == 1 && time(NULL) < mtime + MDS_MAX_AGE)
			return pct;
	}

	/* Saved only under the lock the deliveries' appends take. */
	lk = vp_lock_dir(dir);
	vp_count_maildir(dir, &u);
	if (lk >= 0)
		vp_write_maildirsize(dir, quota, &u, 0644, 0, vp_uid(), vp_gid(), 0);
	vp_unlock_dir(lk);
	vp_quota_percent(u.bytes, u.count, quota, &pct);
	return pct;
}
