/*
 * convert_backend.c - vconvert -c -m / -m -c: copy a domain's users
 * between the cdb backend (vpasswd, vpasswd.cdb) and the compiled-in SQL
 * backend.  In a cdb build both are the same backend and there is nothing
 * to do.
 *
 * Records are copied as stored (hash, flags, gecos, directory, quota and,
 * with clear passwords, the clear text).  A user already in the target is
 * overwritten with the source's record; users only in the target stay.
 * New users go to the cdb backend in batches, one vpasswd rewrite each.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"
#include "vcdb.h"

#include <stdlib.h>
#include <string.h>

#define BATCH 1000

struct batch {
	struct vpw_entry e[BATCH];
	struct vqpasswd pw[BATCH];
	size_t n;
};

/* Write the batch's new users to `to`, all at once where it can. */
static int flush(const vauth_backend *to, const struct vdomain *d, struct batch *b)
{
	size_t i;
	int rc = 0;

	if (b->n == 0)
		return 0;
	for (i = 0; i < b->n; i++)
		b->pw[i] = b->e[i].pw;
	rc = to->adduser_many(d, b->pw, b->n);
	b->n = 0;
	return rc;
}

/* Copy one record: into the batch when new, else overwrite in place. */
static int copy_one(const vauth_backend *to, const struct vdomain *d, struct batch *b,
                    const struct vqpasswd *pw)
{
	struct vpw_entry old = { 0 };
	int rc = to->getpw(d, pw->pw_name, &old);

	vpw_entry_free(&old);
	if (rc == VA_SUCCESS)
		return to->setpw(d, pw);
	if (rc != VA_USER_DOES_NOT_EXIST)
		return rc;
	if ((rc = vpw_entry_set(&b->e[b->n], pw)) != 0)
		return rc;
	if (++b->n == BATCH)
		return flush(to, d, b);
	return 0;
}

int vconvert_backend(char *domain, int to_sql, void (*progress)(const char *, unsigned long),
                     unsigned long *count)
{
	const vauth_backend *sql = vauth_backend_get(), *cdb = vcdb_backend_get();
	const vauth_backend *from = to_sql ? cdb : sql, *to = to_sql ? sql : cdb;
	struct vpw_entry cur = { 0 };
	struct batch *b;
	struct vdomain d;
	unsigned long n = 0;
	size_t i;
	void *it;
	int rc = 0, got = 0;

	if (count != NULL)
		*count = 0;
	if (domain == NULL)
		return VA_NULL_POINTER;
	if (sql == cdb)
		return VA_SUCCESS;      /* a cdb build: one backend, nothing to move */
	vp_lower(domain);
	if ((rc = vp_domain_lookup(domain, &d)) != 0)
		return rc;
	if ((rc = to->adddomain(&d)) != 0)
		return rc;
	if ((b = calloc(1, sizeof *b)) == NULL)
		return VA_MEMORY_ALLOC_ERR;
	/* A domain without a vpasswd file has no users to copy. */
	it = from->iter_open(&d);
	if (it == NULL && from != cdb) {
		free(b);
		return VA_NO_AUTH_CONNECTION;
	}
	while (it != NULL && (got = from->iter_next(it, &cur)) == 1) {
		if ((rc = copy_one(to, &d, b, &cur.pw)) != 0)
			break;
		if (++n % BATCH == 0 && progress != NULL)
			progress(d.real, n);
	}
	if (it != NULL && got < 0)
		rc = got;
	if (it != NULL)
		from->iter_close(it);
	if (rc == 0)
		rc = flush(to, &d, b);
	if (rc == 0 && progress != NULL)
		progress(d.real, n);
	for (i = 0; i < BATCH; i++)
		vpw_entry_free(&b->e[i]);
	free(b);
	vpw_entry_free(&cur);
	if (count != NULL)
		*count = n;
	return rc;
}
