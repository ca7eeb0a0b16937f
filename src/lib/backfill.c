/*
 * backfill.c - the list of hash directories freed by deleted users
 * (".dir_control_free" in the domain directory), which the next adds
 * reuse before the big-dir counter opens new ones (bigdir.c), and 5.6's
 * backfill() over it.
 */
#include "vpinternal.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FREE_NAME ".dir_control_free"


static int free_paths(const char *domdir, char *file, char *lock, char *bak, size_t size)
{
	if (vp_fmt(file, size, "%s/%s", domdir, FREE_NAME) != 0 ||
	    vp_fmt(lock, size, "%s/%s.lock", domdir, FREE_NAME) != 0 ||
	    vp_fmt(bak, size, "%s/%s.bak", domdir, FREE_NAME) != 0)
		return VA_DIR_TOO_LONG;
	return VA_SUCCESS;
}

/* The entry a line names: '#' starts a comment, blanks around are ignored.
 * Writes into val (size >= line length + 1); returns its length. */
static size_t line_entry(const char *line, size_t len, char *val)
{
	size_t a = 0, b;

	for (b = 0; b < len && line[b] != '#'; b++)
		;
	while (a < b && isspace((unsigned char)line[a]))
		a++;
	while (b > a && isspace((unsigned char)line[b - 1]))
		b--;
	memcpy(val, line + a, b - a);
	val[b - a] = '\0';
	return b - a;
}

/* What a line offers: 1 a place (copied into out), 0 nothing (blank or a
 * comment), -1 an entry a take drops (not a hash path, or too long).
 * val: room for the line's length + 1. */
static int line_place(const char *line, size_t len, char *val, char *out, size_t outsize)
{
	if (line_entry(line, len, val) == 0)
		return 0;
	if (vp_hash_path_ok(val) && vp_strlcpy(out, val, outsize) == 0)
		return 1;
	*out = '\0';
	return -1;
}

int vp_backfill_take(const char *domdir, char *out, size_t outsize)
{
	char file[VP_PATH_MAX], lock[VP_PATH_MAX], bak[VP_PATH_MAX];
	struct vp_afile af;
	struct stat st;
	char *buf = NULL, *val = NULL, *line, *end;
	size_t len;
	int lockfd, rc, got = 0, dropped = 0;

	if (out == NULL || outsize == 0)
		return VA_NULL_POINTER;
	*out = '\0';
	rc = free_paths(domdir, file, lock, bak, sizeof file);
	if (rc != VA_SUCCESS)
		return rc;
	if (stat(file, &st) != 0)
		return errno == ENOENT ? 0 : VA_COULD_NOT_UPDATE_FILE;

	lockfd = vp_lock(lock);
	if (lockfd == -1)
		return VA_COULD_NOT_UPDATE_FILE;
	rc = vp_slurp(file, &buf, &len);
	if (rc != 0) {
		int gone = rc == -1 && errno == ENOENT;    /* taken by someone else */

		vp_unlock(lockfd);
		return gone ? 0 : VA_COULD_NOT_UPDATE_FILE;
	}
	if (stat(file, &st) != 0 || (val = malloc(len + 1)) == NULL) {
		rc = VA_COULD_NOT_UPDATE_FILE;
		goto out;
	}

	/* Find the first entry; entries that are not hash paths are dropped. */
	rc = vp_afile_open(&af, file, bak, 0644);
	if (rc != VA_SUCCESS)
		goto out;
	fchmod(af.fd, 0644);
	for (line = buf; line < buf + len; line = end + 1) {
		size_t n;
		int offer;

		end = memchr(line, '\n', (size_t)(buf + len - line));
		if (end == NULL)
			end = buf + len;
		n = (size_t)(end - line);
		if (!got && (offer = line_place(line, n, val, out, outsize)) != 0) {
			if (offer > 0)
				got = 1;
			else
				dropped = 1;
			continue;
		}
		fwrite(line, 1, n, af.fp);
		fputc('\n', af.fp);
	}
	if (!got && !dropped) {
		vp_afile_abort(&af);    /* nothing taken: leave the file alone */
		rc = 0;
		goto out;
	}
	if (vp_chown(af.tmp, st.st_uid, st.st_gid) != 0) {
		vp_afile_abort(&af);
		rc = VA_COULD_NOT_UPDATE_FILE;
		goto out;
	}
	rc = vp_afile_commit(&af);
	if (rc == VA_SUCCESS)
		rc = got;
out:
	if (rc != 1)
		*out = '\0';
	free(val);
	free(buf);
	vp_unlock(lockfd);
	return rc;
}

int vp_backfill_peek(const char *domdir, char *out, size_t outsize)
{
	char file[VP_PATH_MAX], lock[VP_PATH_MAX], bak[VP_PATH_MAX];
	char *buf = NULL, *val = NULL, *line, *end;
	size_t len;
	int rc;

	if (out == NULL || outsize == 0)
		return VA_NULL_POINTER;
	*out = '\0';
	rc = free_paths(domdir, file, lock, bak, sizeof file);
	if (rc != VA_SUCCESS)
		return rc;
	if (vp_slurp(file, &buf, &len) != 0)
		return errno == ENOENT ? 0 : VA_COULD_NOT_UPDATE_FILE;
	rc = 0;
	if ((val = malloc(len + 1)) == NULL)
		rc = VA_MEMORY_ALLOC_ERR;
	/* the entry vp_backfill_take() would take: the first valid one */
	for (line = buf; rc == 0 && line < buf + len; line = end + 1) {
		if ((end = memchr(line, '\n', (size_t)(buf + len - line))) == NULL)
			end = buf + len;
		if (line_place(line, (size_t)(end - line), val, out, outsize) > 0)
			rc = 1;
	}
	free(val);
	free(buf);
	return rc;
}

int vp_backfill_give(const char *domdir, const char *hashdir)
{
	char file[VP_PATH_MAX], lock[VP_PATH_MAX], bak[VP_PATH_MAX];
	char line[MAX_DIR_NAME + 2];
	int lockfd, fd, rc;
	size_t n;

	if (hashdir == NULL || *hashdir == '\0' || !vp_hash_path_ok(hashdir))
		return VA_BAD_CHAR;
	rc = free_paths(domdir, file, lock, bak, sizeof file);
	if (rc != VA_SUCCESS)
		return rc;
	if (vp_fmt(line, sizeof line, "%s\n", hashdir) != 0)
		return VA_DIR_TOO_LONG;
	n = strlen(line);

	lockfd = vp_lock(lock);
	if (lockfd == -1)
		return VA_COULD_NOT_UPDATE_FILE;
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	rc = VA_COULD_NOT_UPDATE_FILE;
	if (fd >= 0) {
		if (write(fd, line, n) == (ssize_t)n && fsync(fd) == 0)
			rc = VA_SUCCESS;
		if (close(fd) != 0)
			rc = VA_COULD_NOT_UPDATE_FILE;
	}
	vp_unlock(lockfd);
	return rc;
}

/* Last occurrence of needle in hay, or NULL. */
static char *last_occurrence(char *hay, const char *needle)
{
	char *hit = NULL, *p = hay;

	if (*needle == '\0')
		return NULL;
	while ((p = strstr(p, needle)) != NULL)
		hit = p++;
	return hit;
}

/*
 * vdeluser's record of a user's hash dir: the part of the user's directory
 * between "<domain>/" and "/<user>" (5.6 searches both names from the end).
 */
int vp_backfill_hashpart(const char *path, const char *user, const char *domain,
                         char *out, size_t size)
{
	char buf[VP_PATH_MAX];
	char *p;

	if (out == NULL || size == 0)
		return VA_NULL_POINTER;
	*out = '\0';
	if (path == NULL || user == NULL || domain == NULL || *domain == '\0')
		return 0;
	if (vp_strlcpy(buf, path, sizeof buf) != 0)
		return VA_DIR_TOO_LONG;
	p = last_occurrence(buf, user);
	if (p == NULL)
		return 0;
	if (p != buf)
		p--;
	if (*p == '/')
		*p = '\0';
	p = last_occurrence(buf, domain);
	if (p == NULL)
		return 0;
	p += strlen(domain);
	if (*p == '/')
		p++;
	if (*p == '\0')
		return 0;
	return vp_strlcpy(out, p, size) == 0 ? 1 : VA_DIR_TOO_LONG;
}

char *backfill(char *user, char *domain, char *path, int operation)
{
	static char result[MAX_BUFF];
	struct vdomain d;
	char ctl[VP_PATH_MAX];

	if (domain == NULL || *domain == '\0')
		return NULL;
	if (vp_domain_lookup(domain, &d) != VA_SUCCESS)
		return NULL;

	if (operation == 1) {
		if (vp_backfill_take(d.dir, result, sizeof result) != 1)
			return NULL;
		if (vp_dirctl_path(d.dir, ctl, sizeof ctl) == 0)
			vp_bigdir_count_reuse(ctl, d.uid, d.gid);
		return result;
	}
	if (operation == 2) {
		/* The path names the real domain, whatever name we were given. */
		if (vp_backfill_hashpart(path, user, d.real, result, sizeof result) != 1)
			return NULL;
		if (vp_backfill_give(d.dir, result) != VA_SUCCESS)
			return NULL;
		return result;
	}
	return NULL;
}
