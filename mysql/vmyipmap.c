/*
 * vmyipmap.c - the IP -> domain map in the `ip_alias_map` table instead
 * of ~vpopmail/etc/ip_alias_map (see src/lib/ipmap.c).
 *
 * ip_addr is the table's primary key, so an IP maps to one domain only:
 * adding a second domain for it replaces the first (REPLACE, as vpopmail
 * 5.6 does), where the file keeps both lines and the first one wins.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vmysql.h"
#include "vmyipmap.h"

#include <string.h>

#define IPMAP_REPLACE "REPLACE INTO ip_alias_map (ip_addr, domain) VALUES (?, ?)"
#define IPMAP_IP_MAX  39        /* ip_addr VARCHAR(39) */
#define IPMAP_DOM_MAX 96        /* domain VARCHAR(96) */

struct ipmap_get {
	char *domain;
	size_t size;
	int rc;
};

/* The first row's domain; returning 1 ends the walk. */
static int ipmap_first(const struct vmy_cursor *cur, void *arg)
{
	struct ipmap_get *g = arg;

	g->rc = vp_strlcpy(g->domain, cur->col[0], g->size) == 0 ? 0 : VA_DOMAIN_NAME_TOO_LONG;
	return 1;
}

int vmy_ipmap_get(const char *ip, char *domain, size_t size)
{
	struct ipmap_get g = { domain, size, 1 };   /* 1: not mapped (no row, or no table) */
	struct vmy_arg a[1];
	int rc;

	if (ip == NULL || domain == NULL || size == 0)
		return VA_NULL_POINTER;
	a[0] = (struct vmy_arg)VMY_S(ip);
	rc = vmy_each_row(VMY_READ, "SELECT domain FROM ip_alias_map WHERE ip_addr = ?", a, 1,
	                  ipmap_first, &g);
	return rc < 0 ? rc : g.rc;
}

int vmy_ipmap_add(const char *ip, const char *domain)
{
	struct vmy_arg a[2];

	if (ip == NULL || domain == NULL)
		return VA_NULL_POINTER;
	/* Refused rather than cut to fit the columns. */
	if (strlen(ip) > IPMAP_IP_MAX)
		return VA_INVALID_IP_ADDRESS;
	if (strlen(domain) > IPMAP_DOM_MAX)
		return VA_DOMAIN_NAME_TOO_LONG;
	a[0] = (struct vmy_arg)VMY_S(ip);
	a[1] = (struct vmy_arg)VMY_S(domain);
	return vmy_exec_create(VMY_T_IP_ALIAS_MAP, "ip_alias_map", IPMAP_REPLACE, a, 2, NULL);
}

int vmy_ipmap_del(const char *ip, const char *domain)
{
	struct vmy_arg a[2];
	unsigned long long n = 0;
	int rc;

	if (ip == NULL || domain == NULL)
		return VA_NULL_POINTER;
	a[0] = (struct vmy_arg)VMY_S(ip);
	a[1] = (struct vmy_arg)VMY_S(domain);
	rc = vmy_exec(VMY_UPDATE, "DELETE FROM ip_alias_map WHERE ip_addr = ? AND domain = ?",
	              a, 2, NULL, &n);
	if (rc == VMY_NO_TABLE)
		return 1;
	if (rc != 0)
		return rc;
	return n == 0 ? 1 : 0;
}

struct ipmap_walk {
	int (*fn)(const char *ip, const char *domain, void *arg);
	void *arg;
};

static int ipmap_row(const struct vmy_cursor *cur, void *arg)
{
	struct ipmap_walk *w = arg;

	return w->fn(cur->col[0], cur->col[1], w->arg);
}

/* In key order, the order InnoDB keeps the rows in. */
int vmy_ipmap_walk(int (*fn)(const char *ip, const char *domain, void *arg), void *arg)
{
	struct ipmap_walk w = { fn, arg };

	if (fn == NULL)
		return VA_NULL_POINTER;
	return vmy_each_row(VMY_READ, "SELECT ip_addr, domain FROM ip_alias_map ORDER BY ip_addr",
	                    NULL, 0, ipmap_row, &w);
}
