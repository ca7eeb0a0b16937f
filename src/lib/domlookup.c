/*
 * domlookup.c - looking domains up as qmail does, through users/cdb (never
 * users/assign), with the last answer kept while the file is unchanged;
 * and walking users/assign's domain lines for the listings.
 */
#include "vpinternal.h"

#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Domain lookup through users/cdb                                      */

/* The last successful lookup, valid while the cdb file is unchanged. */
static struct {
	int             valid;
	char            name[MAX_PW_DOMAIN + 1];
	char            cdb[VP_PATH_MAX];
	struct vp_file_stamp stamp;     /* of the cdb file */
	struct vdomain  dom;
} cache;

void vp_domain_cache_clear(void)
{
	cache.valid = 0;
}

static int cache_matches(const char *name, const char *cdb, const struct stat *st)
{
	struct vp_file_stamp now;

	if (!cache.valid || strcmp(cache.name, name) != 0 || strcmp(cache.cdb, cdb) != 0)
		return 0;
	vp_stat_stamp(st, &now);
	return memcmp(&now, &cache.stamp, sizeof now) == 0;
}

/* Decimal prefix, like atoi() but unsigned and without overflow games. */
static unsigned long parse_id(const char *s)
{
	unsigned long n = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		n = n * 10 + (unsigned long)(*s - '0');
	return n;
}

/*
 * Split a users/cdb value "real\0uid\0gid\0dir\0..." into `out`.
 * The value has no guaranteed terminator, so work on a copy.
 */
static int parse_value(const char *val, unsigned len, struct vdomain *out, int any_dir)
{
	const char *f[4];
	char *copy;
	unsigned i, nf = 0;
	int rc = VA_DOMAIN_DOES_NOT_EXIST;

	if ((copy = malloc(len + 1)) == NULL)
		return VA_MEMORY_ALLOC_ERR;
	memcpy(copy, val, len);
	copy[len] = '\0';
	f[nf++] = copy;
	for (i = 0; i < len && nf < 4; i++)
		if (copy[i] == '\0')
			f[nf++] = copy + i + 1;
	if (nf == 4 &&
	    vp_strlcpy(out->real, f[0], sizeof out->real) == 0 &&
	    vp_strlcpy(out->dir, f[3], sizeof out->dir) == 0) {
		out->uid = (uid_t)parse_id(f[1]);
		out->gid = (gid_t)parse_id(f[2]);
		rc = VA_SUCCESS;
		/* A directory no vadddomain makes (empty, relative, "/", a
		 * "." or ".." component) is a damaged entry, not a place to
		 * make users in or to remove: users under "" would be made
		 * at the root, and a vdeldomain would remove "/". */
		if (!any_dir && (out->dir[0] != '/' || !vp_tree_path_ok(out->dir)))
			rc = VA_BAD_V_DIR;
	}
	free(copy);
	return rc;
}

/*
 * The lookup.  With LOOKUP_STRICT, a users/cdb that cannot be opened or
 * read (missing, no permission, I/O error, not a cdb) is
 * VA_NO_AUTH_CONNECTION instead of "no such domain": a delivery must then
 * wait, not bounce.  LOOKUP_ANY_DIR returns an entry whose directory is
 * damaged (VA_BAD_V_DIR otherwise) as it is, and does not cache it.
 */
#define LOOKUP_STRICT  1
#define LOOKUP_ANY_DIR 2

static int domain_lookup(const char *domain, struct vdomain *out, int flags)
{
	char name[MAX_PW_DOMAIN + 1], key[MAX_PW_DOMAIN + 3];
	char cdbpath[VP_PATH_MAX];
	struct vdomain d;
	struct stat st;
	struct cdb c;
	size_t len, i;
	int fd, rc, strict = flags & LOOKUP_STRICT;

	if (domain == NULL || *domain == '\0')
		return VA_DOMAIN_DOES_NOT_EXIST;
	len = strlen(domain);
	if (len > MAX_PW_DOMAIN)
		return VA_INVALID_DOMAIN_NAME;
	memcpy(name, domain, len + 1);
	vp_lower(name);
	for (i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '-' || name[i] == '.'))
			return VA_INVALID_DOMAIN_NAME;
	if (vp_qmail_path(cdbpath, sizeof cdbpath, "users/" QMAIL_CDB_NAME) == NULL)
		return VA_DOMAIN_DOES_NOT_EXIST;

	/* The answer of the last lookup, while users/cdb is the same file as
	 * then: no need to open it. */
	if (stat(cdbpath, &st) == 0 && cache_matches(name, cdbpath, &st)) {
		if (out != NULL)
			*out = cache.dom;
		return VA_SUCCESS;
	}
	if ((fd = vp_open_read(cdbpath, 0)) < 0)
		return strict ? VA_NO_AUTH_CONNECTION : VA_DOMAIN_DOES_NOT_EXIST;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return strict ? VA_NO_AUTH_CONNECTION : VA_DOMAIN_DOES_NOT_EXIST;
	}

	memset(&d, 0, sizeof d);
	memcpy(d.name, name, len + 1);
	vp_fmt(key, sizeof key, "!%s-", name);          /* fits: len <= 96 */
	rc = strict ? VA_NO_AUTH_CONNECTION : VA_DOMAIN_DOES_NOT_EXIST;
	if (cdb_init(&c, fd) == 0) {
		int found = cdb_find(&c, key, (unsigned)strlen(key));

		if (found == 0 && (!strict || vp_cdb_miss_sound(&c, key, (unsigned)strlen(key))))
			rc = VA_DOMAIN_DOES_NOT_EXIST;
		else if (found > 0) {
			const void *val = cdb_getdata(&c);

			if (val != NULL)
				rc = parse_value(val, cdb_datalen(&c), &d, flags & LOOKUP_ANY_DIR);
		}
		cdb_free(&c);
	}
	close(fd);
	if (rc != VA_SUCCESS)
		return rc;
	if (flags & LOOKUP_ANY_DIR) {
		if (out != NULL)
			*out = d;
		return VA_SUCCESS;
	}

	cache.valid = 1;
	memcpy(cache.name, name, len + 1);
	vp_strlcpy(cache.cdb, cdbpath, sizeof cache.cdb);
	vp_stat_stamp(&st, &cache.stamp);
	cache.dom = d;
	if (out != NULL)
		*out = d;
	return VA_SUCCESS;
}

int vp_domain_lookup(const char *domain, struct vdomain *out)
{
	return domain_lookup(domain, out, 0);
}

int vp_domain_lookup_strict(const char *domain, struct vdomain *out)
{
	return domain_lookup(domain, out, LOOKUP_STRICT);
}

int vp_domain_lookup_any_dir(const char *domain, struct vdomain *out)
{
	return domain_lookup(domain, out, LOOKUP_ANY_DIR);
}

int vp_domain_file(const char *domain, const char *name, char *out, size_t size)
{
	struct vdomain d;
	int rc;

	rc = vp_domain_lookup(domain, &d);
	if (rc != VA_SUCCESS)
		return rc;
	return vp_fmt(out, size, "%s/%s", d.dir, name) == 0 ? VA_SUCCESS : VA_DIR_TOO_LONG;
}

void vp_take_real_domain(char *domain, const struct vdomain *d)
{
	/* Classic contract: the caller's buffer holds MAX_PW_DOMAIN + 1 bytes. */
	if (d->real[0] != '\0' && strcmp(domain, d->real) != 0)
		vp_strlcpy(domain, d->real, MAX_PW_DOMAIN + 1);
}

char *vget_assign(char *domain, char *dir, int dir_len, uid_t *uid, gid_t *gid)
{
	static char sdir[VP_PATH_MAX];
	struct vdomain d;

	if (domain == NULL || *domain == '\0') {
		vp_domain_cache_clear();
		return NULL;
	}
	vp_lower(domain);
	if (vp_domain_lookup(domain, &d) != VA_SUCCESS)
		return NULL;

	vp_take_real_domain(domain, &d);
	if (dir != NULL && dir_len > 0)
		vp_strlcpy(dir, d.dir, (size_t)dir_len);
	if (uid != NULL)
		*uid = d.uid;
	if (gid != NULL)
		*gid = d.gid;
	vp_strlcpy(sdir, d.dir, sizeof sdir);
	return sdir;
}

/* ------------------------------------------------------------------ */
/* Reading users/assign                                                 */

int vp_assign_each(int (*fn)(const char *name, const char *real, void *arg), void *arg)
{
	char file[VP_PATH_MAX];
	char *line = NULL, *real, *end;
	size_t cap = 0;
	FILE *fp;
	int rc = 0;

	if (vp_qmail_path(file, sizeof file, "users/assign") == NULL)
		return VA_DIR_TOO_LONG;
	if ((fp = vp_fopen_read(file)) == NULL)
		return errno == ENOENT ? 0 : VA_CANNOT_READ_ASSIGN;
	while (rc == 0 && getline(&line, &cap, fp) >= 0) {
		if (vp_assign_end(line))
			break;
		/* +<name>-:<real>:<uid>:<gid>:<dir>:-:: */
		if (line[0] != '+' || (real = strstr(line + 1, "-:")) == NULL)
			continue;
		*real = '\0';
		real += 2;
		if ((end = strchr(real, ':')) == NULL)
			end = real + strcspn(real, "\n");
		*end = '\0';
		rc = fn(line + 1, real, arg);
	}
	free(line);
	fclose(fp);
	return rc;
}

static int same_name(const char *name, const char *real, void *want)
{
	(void)real;
	return strcasecmp(name, want) == 0;
}

int vp_assign_has(const char *name)
{
	if (name == NULL || *name == '\0')
		return 0;
	return vp_assign_each(same_name, (void *)name);
}

/*
 * Stream users/assign.  match_real "" = every domain entry, a name = the
 * entries of that domain's real domain (aliases resolved), NULL = next.
 * Only "+name-:real:uid:gid:dir..." lines whose name holds a '.' count.
 */
domain_entry *get_domain_entries(const char *match_real)
{
	static FILE *fp;
	static char match[MAX_PW_DOMAIN + 1];
	static char *line;
	static size_t cap;
	static domain_entry entry;
	char *f[5], *p, file[VP_PATH_MAX];
	size_t len;
	ssize_t n;
	int i;

	if (match_real != NULL) {
		struct vdomain d;

		if (fp != NULL)
			fclose(fp);
		fp = NULL;
		if (vp_qmail_path(file, sizeof file, "users/assign") != NULL)
			fp = vp_fopen_read(file);
		vp_strlcpy(match, match_real, sizeof match);
		vp_lower(match);
		if (*match != '\0' && vp_domain_lookup(match, &d) == VA_SUCCESS)
			vp_strlcpy(match, d.real, sizeof match);
	}
	if (fp == NULL) {
		verrori = VA_CANNOT_READ_ASSIGN;
		return NULL;
	}

	while ((n = getline(&line, &cap, fp)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (vp_assign_end(line))
			break;
		if (line[0] != '+')
			continue;
		/* Split the first five ':' separated fields after the '+'. */
		p = line + 1;
		for (i = 0; i < 5 && p != NULL; i++) {
			f[i] = p;
			p = strchr(p, ':');
			if (p != NULL)
				*p++ = '\0';
		}
		if (i < 5)
			continue;
		len = strlen(f[0]);
		if (len < 2 || f[0][len - 1] != '-' || strchr(f[0], '.') == NULL ||
		    *f[1] == '\0' || *f[4] == '\0')
			continue;
		f[0][len - 1] = '\0';
		if (*match != '\0' && strcmp(match, f[1]) != 0)
			continue;
		entry.domain = f[0];
		entry.realdomain = f[1];
		entry.uid = (int)parse_id(f[2]);
		entry.gid = (int)parse_id(f[3]);
		entry.path = f[4];
		return &entry;
	}
	fclose(fp);
	fp = NULL;
	return NULL;
}
