/*
 * qmailfiles.c - sorted one-line-per-entry files that qmail reads:
 * users/assign, control/rcpthosts, control/morercpthosts,
 * control/virtualdomains and control/locals.
 *
 * Every change follows the same path: lock "<file>.lock", stream the old
 * file line by line into "<file>.<pid>", commit that temp with fsync +
 * rename + directory fsync, chmod 0644.  Lines may be of any length.
 *
 * The work is split so that a caller can keep the lock across more than
 * one step: vp_qfile_lock(), then any number of vp_qfile_insert() /
 * vp_qfile_remove() calls and e.g. a users/cdb rebuild, then
 * vp_qfile_unlock().  update_file() and remove_lines() are the classic
 * one-shot wrappers.
 *
 * Sort order (vpopmail's): a key is taken from each line (see line_key())
 * and a new line goes right before the first line whose key is greater.
 * If the old file is found out of order, the whole file is re-sorted.
 */
#include "vpinternal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define QFILE_MODE       0644
#define ASSIGN_LINE_MAX  299    /* vpopmail built assign lines in 300 bytes */
#define KEY_MAX_LABELS   10

/* ------------------------------------------------------------------ */
/* Locking                                                             */

/*
 * Lock "<file>.lock".  Returns a handle >= 0 for vp_qfile_unlock(), or
 * VA_COULD_NOT_UPDATE_FILE after telling the user why on stderr.
 */
int vp_qfile_lock(const char *file)
{
	char path[VP_PATH_MAX];
	int fd;

	if (vp_fmt(path, sizeof path, "%s.lock", file) != 0)
		return VA_COULD_NOT_UPDATE_FILE;
	fd = vp_lock(path);
	if (fd >= 0)
		return fd;
	if (errno == EWOULDBLOCK || errno == EAGAIN || errno == EACCES)
		fprintf(stderr, "File busy try again later!\n");
	else
		fprintf(stderr, "could not open lock file %s\n", path);
	return VA_COULD_NOT_UPDATE_FILE;
}

void vp_qfile_unlock(int lockfd)
{
	vp_unlock(lockfd);
}

/* ------------------------------------------------------------------ */
/* Sort keys                                                           */

/* A growable string, enough for keys and line lists. */
struct buf {
	char  *s;
	size_t len, cap;
};

static int buf_reserve(struct buf *b, size_t need)
{
	char *n;
	size_t cap;

	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	n = realloc(b->s, cap);
	if (n == NULL)
		return -1;
	b->s = n;
	b->cap = cap;
	return 0;
}

static int buf_set(struct buf *b, const char *s, size_t n)
{
	if (buf_reserve(b, n + 1) != 0)
		return -1;
	memcpy(b->s, s, n);
	b->s[n] = '\0';
	b->len = n;
	return 0;
}

static int buf_cat(struct buf *b, const char *s, size_t n)
{
	if (buf_reserve(b, b->len + n + 1) != 0)
		return -1;
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

/*
 * The sort key of a line.  The name is the text before the first ':'
 * (for assign: after the leading '+' and without the last character,
 * the '-').  It is split on '.', empty labels dropped, at most ten labels
 * kept, and the last two labels are moved to the front, so that
 * "a.b.example.com" sorts as "example.com.a.b".  A name with fewer than
 * two labels is its own key.
 */
static int line_key(const char *line, int type, struct buf *key)
{
	const char *start = line, *end, *p;
	const char *lab[KEY_MAX_LABELS];
	size_t lablen[KEY_MAX_LABELS];
	size_t n;
	int nlab = 0, i;

	if (type == VP_FILE_ASSIGN && *start != '\0')
		start++;
	end = strchr(start, ':');
	if (end == NULL)
		end = start + strlen(start);
	n = (size_t)(end - start);
	if (type == VP_FILE_ASSIGN && n > 0)
		n--;
	end = start + n;

	for (p = start; p < end && nlab < KEY_MAX_LABELS; ) {
		const char *dot = memchr(p, '.', (size_t)(end - p));
		const char *stop = dot ? dot : end;

		if (stop > p) {
			lab[nlab] = p;
			lablen[nlab] = (size_t)(stop - p);
			nlab++;
		}
		p = dot ? dot + 1 : end;
	}
	if (nlab < 2)
		return buf_set(key, start, n);

	/* Last two labels first (swapped with SORTTLD), then the rest in order. */
	key->len = 0;
	if (buf_reserve(key, n + 2) != 0)
		return -1;
	key->s[0] = '\0';
#ifdef SORTTLD
	if (buf_cat(key, lab[nlab - 1], lablen[nlab - 1]) != 0 ||
	    buf_cat(key, ".", 1) != 0 ||
	    buf_cat(key, lab[nlab - 2], lablen[nlab - 2]) != 0)
		return -1;
#else
	if (buf_cat(key, lab[nlab - 2], lablen[nlab - 2]) != 0 ||
	    buf_cat(key, ".", 1) != 0 ||
	    buf_cat(key, lab[nlab - 1], lablen[nlab - 1]) != 0)
		return -1;
#endif
	for (i = 0; i < nlab - 2; i++)
		if (buf_cat(key, ".", 1) != 0 || buf_cat(key, lab[i], lablen[i]) != 0)
			return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* Read one line without its '\n'; returns its length, -1 at EOF/error. */
static ssize_t read_line(FILE *fp, char **line, size_t *cap)
{
	ssize_t n = getline(line, cap, fp);

	if (n > 0 && (*line)[n - 1] == '\n')
		(*line)[--n] = '\0';
	return n;
}

static int put_line(FILE *fp, const char *s, size_t n)
{
	if (n > 0 && fwrite(s, 1, n, fp) != n)
		return -1;
	return putc('\n', fp) == EOF ? -1 : 0;
}

/*
 * users/assign ends, for qmail-newu, at its first line starting with '.'
 * (". " or ".\r" too).  That line and whatever follows it (entries an
 * admin parked there, blank lines) are not part of the table: they stay
 * as they are, after it.  5.6 only knew the bare ".": it sorted the rest
 * in, which put a ". " first (users/cdb came out empty) and routed the
 * parked entries.
 */
int vp_assign_end(const char *line)
{
	return line[0] == '.';
}

static int is_assign_end(const char *line, int type)
{
	return type == VP_FILE_ASSIGN && vp_assign_end(line);
}

/* The end line `end` (len bytes) and the rest of `in`, line by line,
 * to `out`; no end line seen: the bare ".". */
static int put_assign_end(FILE *out, const char *end, ssize_t len, FILE *in,
                          char **line, size_t *cap)
{
	ssize_t n;

	if (end == NULL)
		return put_line(out, ".", 1);
	if (put_line(out, end, (size_t)len) != 0)
		return -1;
	while ((n = read_line(in, line, cap)) >= 0)
		if (put_line(out, *line, (size_t)n) != 0)
			return -1;
	return ferror(in) ? -1 : 0;
}

/* Open `file` for reading; *fp = NULL when it does not exist. */
static int open_source(const char *file, FILE **fp)
{
	*fp = vp_fopen_read(file);
	if (*fp == NULL && errno != ENOENT)
		return VA_COULD_NOT_UPDATE_FILE;
	return VA_SUCCESS;
}

static int open_temp(struct vp_afile *af, const char *file)
{
	char tmp[VP_PATH_MAX];

	/* "<file>.tmp.<pid>", not 5.6's "<file>.<pid>": what a killed writer
	 * left is swept below (the caller holds the file's lock), and an
	 * admin's users/assign.20261203 must not look like one. */
	if (vp_fmt(tmp, sizeof tmp, "%s.tmp.%ld", file, (long)getpid()) != 0)
		return VA_COULD_NOT_UPDATE_FILE;
	vp_sweep_temps(file, ".tmp.", 1);
	return vp_afile_open(af, file, tmp, QFILE_MODE) == VA_SUCCESS
	       ? VA_SUCCESS : VA_COULD_NOT_UPDATE_FILE;
}

/* The mode is set on the temp, before the rename: qmail-smtpd (as qmaild)
 * must never find rcpthosts unreadable, not even for a moment, and a
 * mode that cannot be set is a failure, not a file left 0600. */
static int commit_temp(struct vp_afile *af)
{
	if (fchmod(af->fd, QFILE_MODE) != 0) {
		vp_afile_abort(af);
		return VA_COULD_NOT_UPDATE_FILE;
	}
	if (vp_afile_commit(af) != VA_SUCCESS)
		return VA_COULD_NOT_UPDATE_FILE;
	return VA_SUCCESS;
}

/* A line we may write: no newline, and an assign line qmail-newu accepts. */
static int check_new_line(const char *line, int type)
{
	const char *colon;
	int colons = 0;

	if (strchr(line, '\n') != NULL)
		return VA_BAD_CHAR;
	if (type != VP_FILE_ASSIGN)
		return *line == '\0' ? VA_BAD_CHAR : VA_SUCCESS;
	if (strlen(line) > ASSIGN_LINE_MAX)
		return VA_DIR_TOO_LONG;
	/* '.' would end the file for qmail-newu; it needs a ':' past column 0
	 * and six more after it. */
	colon = strchr(line, ':');
	if (line[0] == '.' || colon == NULL || colon == line)
		return VA_COULD_NOT_UPDATE_FILE;
	for (colon++; *colon != '\0'; colon++)
		if (*colon == ':')
			colons++;
	return colons >= 6 ? VA_SUCCESS : VA_COULD_NOT_UPDATE_FILE;
}

/* Is `old` a line that makes adding `line` a duplicate? */
static int is_duplicate(const char *old, const char *line, int type)
{
	if (type == VP_FILE_ASSIGN) {
		/* Same "+name-:" (qmail-newu lower-cases the key). */
		size_t plen = (size_t)(strchr(line, ':') - line) + 1;

		return strncasecmp(old, line, plen) == 0;
	}
	return strcmp(old, line) == 0;
}

/* ------------------------------------------------------------------ */
/* Full re-sort                                                         */

struct sortrec {
	char  *key;
	char  *line;
	size_t len;
	size_t seq;      /* original position: makes the sort stable */
};

static int sortrec_cmp(const void *a, const void *b)
{
	const struct sortrec *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c != 0)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void free_recs(struct sortrec *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i].key);
		free(r[i].line);
	}
	free(r);
}

/*
 * Replace `file` with the lines of the (unsorted, complete) temp `af`
 * sorted by key; `af` is discarded.  The assign terminator is left out
 * of the sort and re-appended.
 */
static int write_sorted(const char *file, struct vp_afile *af, int type)
{
	struct sortrec *r = NULL, *nr;
	size_t n = 0, cap = 0, i;
	struct buf key = { 0 };
	struct vp_afile out;
	char *line = NULL, *end = NULL;
	size_t lcap = 0;
	ssize_t len, elen = 0;
	FILE *fp;
	int rc = VA_COULD_NOT_UPDATE_FILE;

	if (fflush(af->fp) != 0 || (fp = vp_fopen_read(af->tmp)) == NULL) {
		vp_afile_abort(af);
		return VA_COULD_NOT_UPDATE_FILE;
	}
	while ((len = read_line(fp, &line, &lcap)) >= 0) {
		if (is_assign_end(line, type)) {
			if ((end = strdup(line)) == NULL)
				goto out;
			elen = len;
			break;          /* the rest is copied after the sorted lines */
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			nr = realloc(r, cap * sizeof *r);
			if (nr == NULL)
				goto out;
			r = nr;
		}
		if (line_key(line, type, &key) != 0)
			goto out;
		r[n].key = strdup(key.s);
		r[n].line = malloc((size_t)len + 1);
		r[n].len = (size_t)len;
		r[n].seq = n;
		if (r[n].key == NULL || r[n].line == NULL) {
			free(r[n].key);
			free(r[n].line);
			goto out;
		}
		memcpy(r[n].line, line, (size_t)len + 1);
		n++;
	}
	if (ferror(fp))
		goto out;
	qsort(r, n, sizeof *r, sortrec_cmp);

	/* Same temp name as the discarded one, as vpopmail does: the one
	 * being read is unlinked first (still open, its rest still read). */
	if (unlink(af->tmp) != 0)
		goto out;
	af->tmp[0] = '\0';     /* gone: the abort only closes it */
	vp_afile_abort(af);
	if (open_temp(&out, file) != VA_SUCCESS)
		goto out;
	for (i = 0; i < n; i++)
		if (put_line(out.fp, r[i].line, r[i].len) != 0)
			break;
	if (i < n || (type == VP_FILE_ASSIGN &&
	              put_assign_end(out.fp, end, elen, fp, &line, &lcap) != 0)) {
		vp_afile_abort(&out);
		goto out;
	}
	rc = commit_temp(&out);
out:
	if (fp != NULL)
		fclose(fp);
	if (af->tmp[0] != '\0')
		vp_afile_abort(af);
	free(end);
	free(line);
	free(key.s);
	free_recs(r, n);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Insert / remove with the lock already held                          */

/*
 * Insert `line` into `file` in key order.  The caller holds the lock.
 * An assign line whose "+name-:" is already there is refused with
 * VA_DOMAIN_ALREADY_EXISTS; any other line already present is left
 * alone (success).  Either way the file is then unchanged.  *added (when
 * not NULL) tells whether this call put the line in, so that a caller
 * undoing a half-done change removes only what it wrote.
 */
int vp_qfile_add(const char *file, const char *line, int type, int *added)
{
	struct buf newkey = { 0 }, prev = { 0 }, cur = { 0 };
	struct vp_afile af;
	char *old = NULL, *end = NULL;
	size_t ocap = 0;
	ssize_t len, elen = 0;
	FILE *fp;
	int rc, inserted = 0, unsorted = 0, dup = 0;

	if (added != NULL)
		*added = 0;
	if (file == NULL || line == NULL)
		return VA_NULL_POINTER;
	if ((rc = check_new_line(line, type)) != VA_SUCCESS)
		return rc;
	if (line_key(line, type, &newkey) != 0 || buf_set(&prev, "", 0) != 0) {
		rc = VA_MEMORY_ALLOC_ERR;
		goto done;
	}
	if ((rc = open_source(file, &fp)) != VA_SUCCESS)
		goto done;
	if ((rc = open_temp(&af, file)) != VA_SUCCESS) {
		if (fp != NULL)
			fclose(fp);
		goto done;
	}

	while (fp != NULL && (len = read_line(fp, &old, &ocap)) >= 0) {
		if (is_assign_end(old, type)) {
			if ((end = strdup(old)) == NULL)
				rc = VA_MEMORY_ALLOC_ERR;
			elen = len;
			break;          /* it and the rest follow the table */
		}
		if (is_duplicate(old, line, type)) {
			dup = 1;
			break;
		}
		if (line_key(old, type, &cur) != 0) {
			rc = VA_MEMORY_ALLOC_ERR;
			break;
		}
		if (!inserted && strcmp(cur.s, newkey.s) > 0) {
			if (put_line(af.fp, line, strlen(line)) != 0)
				break;
			inserted = 1;
		}
		if (strcmp(prev.s, cur.s) > 0)
			unsorted = 1;
		if (buf_set(&prev, cur.s, cur.len) != 0) {
			rc = VA_MEMORY_ALLOC_ERR;
			break;
		}
		if (put_line(af.fp, old, (size_t)len) != 0)
			break;
	}
	if (fp != NULL && ferror(fp) && rc == VA_SUCCESS)
		rc = VA_COULD_NOT_UPDATE_FILE;
	if (rc == VA_SUCCESS && !dup) {
		if (!inserted && put_line(af.fp, line, strlen(line)) != 0)
			rc = VA_COULD_NOT_UPDATE_FILE;
		else if (type == VP_FILE_ASSIGN &&
		         put_assign_end(af.fp, end, elen, fp, &old, &ocap) != 0)
			rc = VA_COULD_NOT_UPDATE_FILE;
		else if (ferror(af.fp))
			rc = VA_COULD_NOT_UPDATE_FILE;
	}
	if (fp != NULL)
		fclose(fp);

	if (rc != VA_SUCCESS || dup) {
		vp_afile_abort(&af);
		if (dup && type == VP_FILE_ASSIGN)
			rc = VA_DOMAIN_ALREADY_EXISTS;
		else if (dup)
			chmod(file, QFILE_MODE);
		goto done;
	}
	if (!unsorted) {
		rc = commit_temp(&af);
	} else {
		/* The old file was out of order: sort everything, new line included. */
		fprintf(stderr, "NOTICE: Out of order entries found in %s\n   Sorting...\n\n", file);
		rc = write_sorted(file, &af, type);
	}
	if (rc == VA_SUCCESS && added != NULL)
		*added = 1;
done:
	free(end);
	free(old);
	free(newkey.s);
	free(prev.s);
	free(cur.s);
	return rc;
}

int vp_qfile_insert(const char *file, const char *line, int type)
{
	return vp_qfile_add(file, line, type, NULL);
}

/*
 * Drop every line of `file` equal to one of lines[0..count) (for
 * users/assign, type VP_FILE_ASSIGN, only before its end line).  The caller
 * holds the lock.  Returns how many lines went, or a VA_* code (< 0).
 * A missing file is created empty; an unchanged file is not rewritten.
 */
static int remove_lines_typed(const char *file, char **lines, int count, int type)
{
	struct vp_afile af;
	char *old = NULL;
	size_t ocap = 0;
	ssize_t len;
	FILE *fp;
	int rc, i, removed = 0, existed, past_end = 0;

	if (file == NULL || (lines == NULL && count > 0))
		return VA_NULL_POINTER;
	if ((rc = open_source(file, &fp)) != VA_SUCCESS)
		return rc;
	existed = fp != NULL;
	if ((rc = open_temp(&af, file)) != VA_SUCCESS) {
		if (fp != NULL)
			fclose(fp);
		return rc;
	}
	while (fp != NULL && (len = read_line(fp, &old, &ocap)) >= 0) {
		/* users/assign: nothing after its end line is an entry */
		if (is_assign_end(old, type))
			past_end = 1;
		for (i = 0; i < count && !past_end; i++)
			if (lines[i] != NULL && strcmp(old, lines[i]) == 0)
				break;
		if (!past_end && i < count) {
			removed++;
			continue;
		}
		if (put_line(af.fp, old, (size_t)len) != 0) {
			rc = VA_COULD_NOT_UPDATE_FILE;
			break;
		}
	}
	free(old);
	if (fp != NULL) {
		if (ferror(fp))
			rc = VA_COULD_NOT_UPDATE_FILE;
		fclose(fp);
	}
	if (rc != VA_SUCCESS) {
		vp_afile_abort(&af);
		return rc;
	}
	if (removed == 0 && existed) {
		vp_afile_abort(&af);
		chmod(file, QFILE_MODE);
		return 0;
	}
	rc = commit_temp(&af);
	return rc == VA_SUCCESS ? removed : rc;
}

int vp_qfile_remove(const char *file, char **lines, int count)
{
	return remove_lines_typed(file, lines, count, 0);
}

int vp_assign_remove(const char *file, char **lines, int count)
{
	return remove_lines_typed(file, lines, count, VP_FILE_ASSIGN);
}

int vp_qfile_replace(const char *file, const char *data, size_t len)
{
	struct vp_afile af;

	if (file == NULL || (data == NULL && len > 0))
		return VA_NULL_POINTER;
	if (open_temp(&af, file) != VA_SUCCESS)
		return VA_COULD_NOT_UPDATE_FILE;
	if (len > 0 && fwrite(data, 1, len, af.fp) != len) {
		vp_afile_abort(&af);
		return VA_COULD_NOT_UPDATE_FILE;
	}
	return commit_temp(&af);
}

/* Lines in `file` (a last line without '\n' counts); 0 if it is missing. */
int vp_qfile_count_lines(const char *file)
{
	FILE *fp = vp_fopen_read(file);
	int c, last = '\n', n = 0;

	if (fp == NULL)
		return 0;
	while ((c = getc(fp)) != EOF) {
		if (c == '\n')
			n++;
		last = c;
	}
	if (last != '\n')
		n++;
	fclose(fp);
	return n;
}

/* ------------------------------------------------------------------ */
/* Classic one-shot API                                                 */

int update_file(char *filename, char *line, int type)
{
	int lk, rc;

	if (filename == NULL || line == NULL)
		return VA_NULL_POINTER;
	if ((rc = check_new_line(line, type)) != VA_SUCCESS)
		return rc;
	if ((lk = vp_qfile_lock(filename)) < 0)
		return lk;
	rc = vp_qfile_insert(filename, line, type);
	vp_qfile_unlock(lk);
	return rc;
}

int remove_lines(char *filename, char **lines, int count)
{
	int lk, rc;

	if (filename == NULL || (lines == NULL && count > 0))
		return VA_NULL_POINTER;
	if ((lk = vp_qfile_lock(filename)) < 0)
		return lk;
	rc = vp_qfile_remove(filename, lines, count);
	vp_qfile_unlock(lk);
	return rc;
}
