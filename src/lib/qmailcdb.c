/*
 * qmailcdb.c - our own qmail-newu and qmail-newmrh, for hosts (and test
 * sandboxes) where the configured programs are not installed.
 *
 * The output must be the same bytes those programs write, since qmail
 * reads it directly: same keys, values and record order, fed to a cdb
 * writer that places hash-table entries in insertion order (tinycdb does,
 * like qmail's cdbmss).  Like them we write a fixed temp name and rename
 * it; callers serialise us with the lock on the source file.
 *
 * On any input error the old cdb is left untouched, and the message the
 * real program would print goes to stderr.
 */
#include "vpinternal.h"

#include <cdb.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CDB_MODE 0644   /* qmail-newu/-newmrh run with umask 033 */

/* ASCII lower-case of n bytes (qmail's case_lowerb). */
static void lower_bytes(char *s, size_t n)
{
	for (; n > 0; n--, s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* qmail's wording for the errors qmail-newmrh may report. */
static const char *qmail_errstr(int e)
{
	switch (e) {
	case ENOENT: return "file does not exist";
	case EACCES: return "access denied";
	case EPERM:  return "permission denied";
	case ENOMEM: return "out of memory";
	case EIO:    return "input/output error";
	case ENOSPC: return "out of disk space";
	case EROFS:  return "read-only file system";
	case EISDIR: return "is a directory";
	case ENOTDIR: return "not a directory";
	case EDQUOT: return "disk quota exceeded";
	case EXDEV:  return "cross-device link";
	default:     return strerror(e);
	}
}

/* Open `tmp` for a cdb that becomes `dst`, mode 0644 whatever the umask. */
static int cdb_open_temp(struct vp_afile *af, const char *dst, const char *tmp,
                         struct cdb_make *cm)
{
	if (vp_afile_open(af, dst, tmp, CDB_MODE) != VA_SUCCESS)
		return -1;
	if (fchmod(af->fd, CDB_MODE) != 0 || cdb_make_start(cm, af->fd) != 0) {
		vp_afile_abort(af);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* users/assign -> users/cdb                                           */

/* Why a users/assign could not be compiled. */
enum newu_err { NEWU_OK, NEWU_OPEN, NEWU_READ, NEWU_FORMAT, NEWU_NOMEM, NEWU_WRITE };

/*
 * Add the record of one assign line (n bytes, ending in '\n').
 * Key: '!' + the name between the first character and the first ':',
 * lower-cased; a '+' (wildcard) key has no terminator and remembers its
 * last character in `wild`, any other key ends in one NUL.  Value: the
 * rest after that ':', its first five ':' made NULs, cut at the sixth.
 */
static enum newu_err newu_line(struct cdb_make *cm, char *line, size_t n,
                               char *wild, size_t *nwild)
{
	char *colon, *key, *val;
	size_t i, klen, vlen;
	int colons = 0;

	if (memchr(line, '\0', n) != NULL)
		return NEWU_FORMAT;
	colon = memchr(line, ':', n);
	if (colon == NULL || colon == line)
		return NEWU_FORMAT;
	klen = (size_t)(colon - line);      /* '!' + name (+ NUL) */

	key = malloc(klen + 1);
	if (key == NULL)
		return NEWU_NOMEM;
	key[0] = '!';
	memcpy(key + 1, line + 1, klen - 1);
	if (line[0] != '+') {
		key[klen] = '\0';
		klen++;
	} else if (klen >= 2 && memchr(wild, colon[-1], *nwild) == NULL) {
		wild[(*nwild)++] = colon[-1];
	}
	lower_bytes(key, klen);

	val = colon + 1;
	vlen = n - (size_t)(val - line);
	for (i = 0; i < vlen; i++) {
		if (val[i] != ':')
			continue;
		val[i] = '\0';
		if (++colons == 6)
			break;
	}
	if (colons < 6) {
		free(key);
		return NEWU_FORMAT;
	}
	vlen = i;
	i = cdb_make_add(cm, key, (unsigned)klen, val, (unsigned)vlen) == 0;
	free(key);
	return i ? NEWU_OK : NEWU_WRITE;
}

/* Feed every line of `fp` up to the '.' line into `cm`. */
static enum newu_err newu_feed(struct cdb_make *cm, FILE *fp)
{
	char wild[256];
	size_t nwild = 0, cap = 0;
	char *line = NULL;
	ssize_t n;
	enum newu_err err = NEWU_OK;

	for (;;) {
		errno = 0;
		n = getline(&line, &cap, fp);
		if (n < 0) {
			/* The '.' line is required; EOF before it is bad format. */
			err = ferror(fp) ? (errno == ENOMEM ? NEWU_NOMEM : NEWU_READ)
			                 : NEWU_FORMAT;
			break;
		}
		if (line[0] == '.')
			break;
		if (line[n - 1] != '\n') {
			err = NEWU_FORMAT;
			break;
		}
		if ((err = newu_line(cm, line, (size_t)n, wild, &nwild)) != NEWU_OK)
			break;
	}
	free(line);
	if (err == NEWU_OK && cdb_make_add(cm, "", 0, wild, (unsigned)nwild) != 0)
		err = NEWU_WRITE;
	return err;
}

int vp_build_users_cdb(void)
{
	static const char *const why[] = {
		[NEWU_OPEN]   = "unable to open users/assign",
		[NEWU_READ]   = "unable to read users/assign",
		[NEWU_FORMAT] = "bad format in users/assign",
		[NEWU_NOMEM]  = "out of memory",
		[NEWU_WRITE]  = "unable to write users/" QMAIL_CDB_NAME ".tmp",
	};
	char src[VP_PATH_MAX], dst[VP_PATH_MAX], tmp[VP_PATH_MAX];
	struct cdb_make cm;
	struct vp_afile af;
	enum newu_err err;
	FILE *fp;

	if (vp_qmail_path(src, sizeof src, "users/assign") == NULL ||
	    vp_qmail_path(dst, sizeof dst, "users/" QMAIL_CDB_NAME) == NULL ||
	    vp_fmt(tmp, sizeof tmp, "%s.tmp", dst) != 0)
		return VA_COULD_NOT_UPDATE_FILE;

	if ((fp = vp_fopen_read(src)) == NULL) {
		fprintf(stderr, "qmail-newu: fatal: %s\n", why[NEWU_OPEN]);
		return VA_COULD_NOT_UPDATE_FILE;
	}
	if (cdb_open_temp(&af, dst, tmp, &cm) != 0) {
		fclose(fp);
		fprintf(stderr, "qmail-newu: fatal: unable to open users/" QMAIL_CDB_NAME ".tmp\n");
		return VA_COULD_NOT_UPDATE_FILE;
	}
	err = newu_feed(&cm, fp);
	fclose(fp);
	if (err != NEWU_OK)
		cdb_make_finish(&cm);   /* only to free its memory */
	else if (cdb_make_finish(&cm) != 0 || fsync(af.fd) != 0)
		err = NEWU_WRITE;
	if (err != NEWU_OK) {
		vp_afile_abort(&af);
		fprintf(stderr, "qmail-newu: fatal: %s\n", why[err]);
		return VA_COULD_NOT_UPDATE_FILE;
	}
	if (vp_afile_commit(&af) != VA_SUCCESS) {
		fprintf(stderr, "qmail-newu: fatal: unable to move users/" QMAIL_CDB_NAME ".tmp to users/" QMAIL_CDB_NAME "\n");
		return VA_COULD_NOT_UPDATE_FILE;
	}
	return VA_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* control/morercpthosts -> control/morercpthosts.cdb                  */

/*
 * One key per line: lower-cased, trailing blanks, tabs (and the newline)
 * removed; empty lines and lines starting with '#' skipped.  A final line
 * without '\n' counts.  Like qmail-newmrh, '\r' and leading blanks stay.
 */
static int newmrh_feed(struct cdb_make *cm, FILE *fp)
{
	char *line = NULL;
	size_t cap = 0, n;
	ssize_t got;
	int rc = 0;

	while ((got = getline(&line, &cap, fp)) >= 0) {
		n = (size_t)got;
		lower_bytes(line, n);
		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\n' ||
		                 line[n - 1] == '\t'))
			n--;
		if (n == 0 || line[0] == '#')
			continue;
		if (cdb_make_add(cm, line, (unsigned)n, "", 0) != 0) {
			rc = -2;
			break;
		}
	}
	if (rc == 0 && ferror(fp))
		rc = -1;
	free(line);
	return rc;
}

int vp_build_morercpthosts_cdb(void)
{
	char src[VP_PATH_MAX], dst[VP_PATH_MAX], tmp[VP_PATH_MAX];
	struct cdb_make cm;
	struct vp_afile af;
	FILE *fp;
	int rc, e;

	if (vp_qmail_path(src, sizeof src, "control/morercpthosts") == NULL ||
	    vp_qmail_path(dst, sizeof dst, "control/morercpthosts.cdb") == NULL ||
	    vp_qmail_path(tmp, sizeof tmp, "control/morercpthosts.tmp") == NULL)
		return VA_COULD_NOT_UPDATE_FILE;

	if ((fp = vp_fopen_read(src)) == NULL) {
		fprintf(stderr, "qmail-newmrh: fatal: unable to read control/morercpthosts: %s\n",
		        qmail_errstr(errno));
		return VA_COULD_NOT_UPDATE_FILE;
	}
	if (cdb_open_temp(&af, dst, tmp, &cm) != 0) {
		e = errno;
		fclose(fp);
		fprintf(stderr, "qmail-newmrh: fatal: unable to write to control/morercpthosts.tmp: %s\n",
		        qmail_errstr(e));
		return VA_COULD_NOT_UPDATE_FILE;
	}
	rc = newmrh_feed(&cm, fp);
	e = errno;
	fclose(fp);
	if (rc != 0) {
		cdb_make_finish(&cm);   /* only to free its memory */
	} else if (cdb_make_finish(&cm) != 0 || fsync(af.fd) != 0) {
		rc = -2;
		e = errno;
	}
	if (rc != 0) {
		vp_afile_abort(&af);
		if (rc == -1)
			fprintf(stderr, "qmail-newmrh: fatal: unable to read control/morercpthosts: %s\n",
			        qmail_errstr(e));
		else
			fprintf(stderr, "qmail-newmrh: fatal: unable to write to control/morercpthosts.tmp: %s\n",
			        qmail_errstr(e));
		return VA_COULD_NOT_UPDATE_FILE;
	}
	if (vp_afile_commit(&af) != VA_SUCCESS) {
		/* qmail-newmrh really prints no ": " before the error text here. */
		fprintf(stderr, "qmail-newmrh: fatal: unable to move control/morercpthosts.tmp "
		        "to control/morercpthosts.cdb%s\n", qmail_errstr(errno));
		return VA_COULD_NOT_UPDATE_FILE;
	}
	return VA_SUCCESS;
}
