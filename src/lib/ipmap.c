/*
 * ipmap.c - <home>/etc/ip_alias_map, the "<ip> <domain>" lines that pick
 * a default domain by local IP address (--enable-ip-alias-domains).
 *
 * The classic API: vget_ip_map() looks one IP up, vadd_ip_map() and
 * vdel_ip_map() edit the file, vshow_ip_map() walks it.  The functions
 * are built in every configuration (only vipmap and default_domain()
 * look at the build option), so they can be tested anywhere.
 *
 * Edits run under "<file>.lock" and replace the file atomically; a line
 * that is not a pair is kept as it is.
 *
 * A backend with a map of its own (the mysql module's `ip_alias_map`
 * table: struct vauth_backend's ipmap_* operations) is used instead of
 * the file; the checks on the arguments are the same.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAP_FILE   "etc/ip_alias_map"
#define MAP_BLANKS " \t\r\n"

static int map_path(char *buf, size_t size)
{
	return vp_home_path(buf, size, MAP_FILE) != NULL ? 0 : VA_COULD_NOT_UPDATE_FILE;
}

/* A field we are willing to write: non-empty, one word, printable. */
static int field_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && strlen(s) < MAX_BUFF &&
	       s[strcspn(s, MAP_BLANKS)] == '\0' && !vp_has_ctl(s);
}

/* Split one line (modified) into its first two words; 0 if both exist. */
static int split_pair(char *line, char **ip, char **dom)
{
	char *save = NULL;

	*ip = strtok_r(line, MAP_BLANKS, &save);
	*dom = *ip != NULL ? strtok_r(NULL, MAP_BLANKS, &save) : NULL;
	return *dom != NULL ? 0 : -1;
}

/* Is the line [p, p+len) the pair ip/dom? */
static int line_is_pair(const char *p, size_t len, const char *ip, const char *dom)
{
	char copy[2 * MAX_BUFF + 8], *f_ip, *f_dom;

	if (len >= sizeof(copy))
		return 0;
	memcpy(copy, p, len);
	copy[len] = '\0';
	return split_pair(copy, &f_ip, &f_dom) == 0 &&
	       strcmp(f_ip, ip) == 0 && strcmp(f_dom, dom) == 0;
}

/*
 * Rewrite the map without the pair ip/dom, appending it again when add
 * is set.  Returns 0, or 1 (delete only) if the pair was not there, in
 * which case the file is left alone; VA_* on error.
 */
static int rewrite_map(const char *ip, const char *dom, int add)
{
	char path[VP_PATH_MAX], lock[VP_PATH_MAX];
	char *old = NULL, *out = NULL, *p, *nl;
	size_t oldlen = 0, n = 0, len, cap;
	int lockfd, rc = 0, found = 0;

	if (!field_ok(ip) || !field_ok(dom))
		return VA_BAD_CHAR;
	if (map_path(path, sizeof(path)) != 0 ||
	    vp_fmt(lock, sizeof(lock), "%s.lock", path) != 0)
		return VA_COULD_NOT_UPDATE_FILE;
	if ((lockfd = vp_lock(lock)) < 0)
		return VA_COULD_NOT_UPDATE_FILE;

	/* A missing map is an empty one. */
	if (vp_slurp(path, &old, &oldlen) == VA_MEMORY_ALLOC_ERR) {
		rc = VA_MEMORY_ALLOC_ERR;
		goto done;
	}
	/* the old text, a newline it may lack, "ip dom\n" and sprintf's NUL */
	cap = oldlen + 1 + strlen(ip) + 1 + strlen(dom) + 2;
	out = malloc(cap);
	if (out == NULL) {
		rc = VA_MEMORY_ALLOC_ERR;
		goto done;
	}
	for (p = old; p != NULL && p < old + oldlen; p += len) {
		nl = memchr(p, '\n', (size_t)(old + oldlen - p));
		len = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(old + oldlen - p);
		if (line_is_pair(p, len, ip, dom)) {
			found = 1;
			continue;
		}
		memcpy(out + n, p, len);
		n += len;
		if (nl == NULL)
			out[n++] = '\n';   /* a last line without newline */
	}
	if (!add && !found) {
		rc = 1;
		goto done;
	}
	if (add)
		n += (size_t)snprintf(out + n, cap - n, "%s %s\n", ip, dom);
	if (vp_write_file_atomic(path, out, n, 0644) != 0)
		rc = VA_COULD_NOT_UPDATE_FILE;
	else if (vp_can_chown())
		(void)vp_chown(path, vp_uid(), vp_gid());
done:
	free(old);
	free(out);
	vp_unlock(lockfd);
	return rc;
}

/* Map ip to domain: any earlier identical line is replaced by one at the end. */
int vadd_ip_map(char *ip, char *domain)
{
	const vauth_backend *be = vauth_backend_get();
	int rc;

	if (be->ipmap_add != NULL)
		return field_ok(ip) && field_ok(domain) ? be->ipmap_add(ip, domain) : VA_BAD_CHAR;
	rc = rewrite_map(ip, domain, 1);

	return rc > 0 ? 0 : rc;
}

/* Remove the ip/domain pair; a pair that was not there is no error (as
 * 5.6: vpopmaild's del_ip_map answers +OK), only an unusable map is. */
int vdel_ip_map(char *ip, char *domain)
{
	const vauth_backend *be = vauth_backend_get();
	int rc;

	if (be->ipmap_del != NULL)
		rc = field_ok(ip) && field_ok(domain) ? be->ipmap_del(ip, domain) : VA_BAD_CHAR;
	else
		rc = rewrite_map(ip, domain, 0);

	return rc > 0 ? 0 : rc;
}

/*
 * The domain mapped to ip (first match) into domain (domain_size bytes).
 * 0 if found, -1 if not (or no map), VA_NULL_POINTER on bad arguments.
 */
int vget_ip_map(char *ip, char *domain, int domain_size)
{
	char path[VP_PATH_MAX], line[2 * MAX_BUFF];
	char *f_ip, *f_dom;
	int rc = -1;
	FILE *fp;

	if (ip == NULL || domain == NULL || domain_size <= 0)
		return VA_NULL_POINTER;
	if (vauth_backend_get()->ipmap_get != NULL) {
		rc = vauth_backend_get()->ipmap_get(ip, domain, (size_t)domain_size);
		return rc == 1 ? -1 : rc;
	}
	if (map_path(path, sizeof(path)) != 0 || (fp = vp_fopen_read(path)) == NULL)
		return -1;
	while (rc != 0 && fgets(line, sizeof(line), fp) != NULL) {
		if (split_pair(line, &f_ip, &f_dom) == 0 && strcmp(f_ip, ip) == 0)
			rc = vp_strlcpy(domain, f_dom, (size_t)domain_size) == 0 ? 0 : -1;
	}
	fclose(fp);
	return rc;
}

/* The backend's pairs, read in full on the first call of a walk. */
static string_list show_ips, show_doms;
static int show_next;

static void show_reset(void)
{
	string_list_free(&show_ips);
	string_list_free(&show_doms);
	show_next = 0;
}

static int show_add(const char *ip, const char *dom, void *arg)
{
	(void)arg;
	if (strlen(ip) >= MAX_BUFF || strlen(dom) >= MAX_BUFF)
		return 0;
	if (string_list_add(&show_ips, ip) != 0 || string_list_add(&show_doms, dom) != 0)
		return VA_MEMORY_ALLOC_ERR;
	return 0;
}

static int show_backend(const vauth_backend *be, int first, char *ip, char *domain)
{
	if (first) {
		show_reset();
		if (string_list_init(&show_ips, 16) != 0 || string_list_init(&show_doms, 16) != 0 ||
		    be->ipmap_walk(show_add, NULL) != 0) {
			show_reset();
			return -1;
		}
	}
	if (show_ips.values == NULL || show_next >= show_ips.count) {
		show_reset();
		return 0;
	}
	vp_strlcpy(ip, show_ips.values[show_next], MAX_BUFF);
	vp_strlcpy(domain, show_doms.values[show_next], MAX_BUFF);
	show_next++;
	return 1;
}

/*
 * Walk the map: first != 0 starts over.  Each call stores the next pair
 * in ip and domain (each must hold MAX_BUFF bytes) and returns 1; 0 at
 * the end, -1 if there is no map.  Lines that are not pairs are skipped.
 */
int vshow_ip_map(int first, char *ip, char *domain)
{
	static FILE *fp;
	char path[VP_PATH_MAX], line[2 * MAX_BUFF];
	char *f_ip, *f_dom;

	if (ip == NULL || domain == NULL)
		return VA_NULL_POINTER;
	if (vauth_backend_get()->ipmap_walk != NULL)
		return show_backend(vauth_backend_get(), first, ip, domain);
	if (first) {
		if (fp != NULL)
			fclose(fp);
		fp = NULL;
		if (map_path(path, sizeof(path)) != 0 || (fp = vp_fopen_read(path)) == NULL)
			return -1;
	}
	if (fp == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (split_pair(line, &f_ip, &f_dom) != 0)
			continue;
		if (vp_strlcpy(ip, f_ip, MAX_BUFF) != 0 ||
		    vp_strlcpy(domain, f_dom, MAX_BUFF) != 0)
			continue;
		return 1;
	}
	fclose(fp);
	fp = NULL;
	return 0;
}
