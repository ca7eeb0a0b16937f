/*
 * vmyrelay.c - the roaming users' relay list in the `relay` table
 * (ip_addr, timestamp), one row per IP, instead of ~vpopmail/etc/open-smtp
 * (see src/lib/roaming.c, which holds the lock and rebuilds the cdb).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vmysql.h"
#include "vmyrelay.h"


#define RELAY_UPDATE  "UPDATE relay SET timestamp = ? WHERE ip_addr = ?"
#define RELAY_REPLACE "REPLACE INTO relay (ip_addr, timestamp) VALUES (?, ?)"

/*
 * vpopmail 5.6 runs REPLACE alone and rebuilds when it reports one
 * affected row (two: an old row was replaced).  But MariaDB reports one
 * row too when the new row equals the old one (the same IP again within
 * a second), so here the refresh is an UPDATE that counts matched rows
 * (CLIENT_FOUND_ROWS, see vmyconn.c): only when no row matched is the
 * IP new, stored by REPLACE (another server may have added it since).
 */
int vmy_relay_open(const char *ip, time_t now, int *added)
{
	struct vmy_arg a[2];
	unsigned long long n = 0;
	int rc;

	if (ip == NULL || added == NULL)
		return VA_NULL_POINTER;
	*added = 0;
	a[0] = (struct vmy_arg)VMY_I(now);
	a[1] = (struct vmy_arg)VMY_S(ip);
	rc = vmy_exec(VMY_UPDATE, RELAY_UPDATE, a, 2, NULL, &n);
	if (rc == VMY_NO_TABLE)
		rc = vmy_create(VMY_T_RELAY, "relay");
	if (rc != 0 || n > 0)
		return rc;
	a[0] = (struct vmy_arg)VMY_S(ip);
	a[1] = (struct vmy_arg)VMY_I(now);
	rc = vmy_exec(VMY_UPDATE, RELAY_REPLACE, a, 2, NULL, &n);
	if (rc == 0)
		*added = 1;
	return rc;
}

struct relay_walk {
	int (*fn)(const char *ip, void *arg);
	void *arg;
};

static int relay_row(const struct vmy_cursor *cur, void *arg)
{
	struct relay_walk *w = arg;

	return w->fn(cur->col[0], w->arg);
}

/* Reads go to the update server: a replica may not have the row that
 * this very login has just written.  No table yet: nobody may relay. */
int vmy_relay_walk(int (*fn)(const char *ip, void *arg), void *arg)
{
	struct relay_walk w = { fn, arg };

	if (fn == NULL)
		return VA_NULL_POINTER;
	return vmy_each_row(VMY_UPDATE, "SELECT ip_addr FROM relay ORDER BY ip_addr", NULL, 0,
	                    relay_row, &w);
}

/* A row without a time cannot be told young: it goes, as a line of
 * open-smtp without one does. */
int vmy_relay_expire(time_t cutoff)
{
	struct vmy_arg a[1];
	int rc;

	a[0] = (struct vmy_arg)VMY_I(cutoff);
	rc = vmy_exec(VMY_UPDATE, "DELETE FROM relay WHERE timestamp <= ? OR timestamp IS NULL", a, 1, NULL, NULL);
	if (rc == VMY_NO_TABLE)
		rc = vmy_create(VMY_T_RELAY, "relay");
	return rc;
}
