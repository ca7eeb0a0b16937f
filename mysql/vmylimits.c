/*
 * vmylimits.c - domain limits in the `limits` table (--enable-mysql-limits),
 * one row per domain, instead of the domain's .qmailadmin-limits file.
 *
 * The mailing-list users/moderators permissions have no column of their
 * own; as with the file (see src/lib/limits.c) they do not survive a round
 * trip: perm_maillist is stored as given and its high bits read back.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vmysql.h"
#include "vmylimits.h"

#include <stdlib.h>
#include <string.h>

#ifdef ENABLE_MYSQL_LIMITS

/* The value columns, in the order they are selected and bound. */
#define LIMIT_COLS \
	"maxpopaccounts, maxaliases, maxforwards, maxautoresponders, maxmailinglists, " \
	"diskquota, maxmsgcount, defaultquota, defaultmaxmsgcount, " \
	"disable_pop, disable_imap, disable_dialup, disable_passwordchanging, " \
	"disable_webmail, disable_relay, disable_smtp, disable_spamassassin, " \
	"delete_spam, disable_maildrop, " \
	"perm_account, perm_alias, perm_forward, perm_autoresponder, " \
	"perm_maillist, perm_quota, perm_defaultquota"
#define N_LIMIT_COLS 26

static const char *domain_of(const struct vdomain *d)
{
	return d->real[0] != '\0' ? d->real : d->name;
}

static long long num(const struct vmy_cursor *cur, unsigned i)
{
	return strtoll(cur->col[i], NULL, 10);
}

static void row_to_limits(const struct vmy_cursor *cur, struct vlimits *l)
{
	unsigned i = 0;
	long long ml;

	l->maxpopaccounts = (int)num(cur, i++);
	l->maxaliases = (int)num(cur, i++);
	l->maxforwards = (int)num(cur, i++);
	l->maxautoresponders = (int)num(cur, i++);
	l->maxmailinglists = (int)num(cur, i++);
	l->diskquota = (storage_t)strtoull(cur->col[i++], NULL, 10);
	l->maxmsgcount = (storage_t)strtoull(cur->col[i++], NULL, 10);
	l->defaultquota = (storage_t)strtoull(cur->col[i++], NULL, 10);
	l->defaultmaxmsgcount = (storage_t)strtoull(cur->col[i++], NULL, 10);
	l->disable_pop = num(cur, i++) != 0;
	l->disable_imap = num(cur, i++) != 0;
	l->disable_dialup = num(cur, i++) != 0;
	l->disable_passwordchanging = num(cur, i++) != 0;
	l->disable_webmail = num(cur, i++) != 0;
	l->disable_relay = num(cur, i++) != 0;
	l->disable_smtp = num(cur, i++) != 0;
	l->disable_spamassassin = num(cur, i++) != 0;
	l->delete_spam = num(cur, i++) != 0;
	l->disable_maildrop = num(cur, i++) != 0;
	l->perm_account = (short)(num(cur, i++) & VLIMIT_DISABLE_ALL);
	l->perm_alias = (short)(num(cur, i++) & VLIMIT_DISABLE_ALL);
	l->perm_forward = (short)(num(cur, i++) & VLIMIT_DISABLE_ALL);
	l->perm_autoresponder = (short)(num(cur, i++) & VLIMIT_DISABLE_ALL);
	ml = num(cur, i++);
	l->perm_maillist = (short)(ml & VLIMIT_DISABLE_ALL);
	l->perm_maillist_users = (short)((ml >> VLIMIT_DISABLE_BITS) & VLIMIT_DISABLE_ALL);
	l->perm_maillist_moderators = (short)((ml >> (2 * VLIMIT_DISABLE_BITS)) & VLIMIT_DISABLE_ALL);
	l->perm_quota = (short)(num(cur, i++) & VLIMIT_DISABLE_ALL);
	l->perm_defaultquota = (short)(num(cur, i++) & VLIMIT_DISABLE_ALL);
}

int vmy_get_limits(const struct vdomain *d, struct vlimits *out, int *found)
{
	struct vmy_cursor *cur;
	struct vmy_arg a[1];
	int rc;

	if (d == NULL || out == NULL || found == NULL)
		return VA_NULL_POINTER;
	*found = 0;
	a[0] = (struct vmy_arg)VMY_S(domain_of(d));
	if ((cur = malloc(sizeof *cur)) == NULL)
		return VA_MEMORY_ALLOC_ERR;
	rc = vmy_exec(VMY_READ, "SELECT " LIMIT_COLS " FROM limits WHERE domain = ?", a, 1, cur, NULL);
	if (rc == VMY_NO_TABLE) {
		rc = 0;         /* no table yet: no domain has limits */
	} else if (rc == 0) {
		rc = vmy_fetch(cur);
		if (rc == 1 && cur->ncol == N_LIMIT_COLS) {
			row_to_limits(cur, out);
			*found = 1;
			rc = 0;
		} else if (rc == 1) {
			rc = VA_QUERY_FAILED;
		}
		vmy_cursor_close(cur);
	}
	free(cur);
	return rc < 0 ? rc : 0;
}

static int replace_row(const struct vmy_arg *a, unsigned n)
{
	static const char sql[] =
		"REPLACE INTO limits (domain, " LIMIT_COLS ") VALUES (?, "
		"?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

	return vmy_exec_create(VMY_T_LIMITS, "limits", sql, a, n, NULL);
}

int vmy_set_limits(const struct vdomain *d, const struct vlimits *l)
{
	if (d == NULL || l == NULL)
		return VA_NULL_POINTER;
	struct vmy_arg a[] = {
		VMY_S(domain_of(d)),
		VMY_I(l->maxpopaccounts), VMY_I(l->maxaliases), VMY_I(l->maxforwards),
		VMY_I(l->maxautoresponders), VMY_I(l->maxmailinglists),
		VMY_I(l->diskquota), VMY_I(l->maxmsgcount),
		VMY_I(l->defaultquota), VMY_I(l->defaultmaxmsgcount),
		VMY_I(l->disable_pop != 0), VMY_I(l->disable_imap != 0),
		VMY_I(l->disable_dialup != 0), VMY_I(l->disable_passwordchanging != 0),
		VMY_I(l->disable_webmail != 0), VMY_I(l->disable_relay != 0),
		VMY_I(l->disable_smtp != 0), VMY_I(l->disable_spamassassin != 0),
		VMY_I(l->delete_spam != 0), VMY_I(l->disable_maildrop != 0),
		VMY_I(l->perm_account & VLIMIT_DISABLE_ALL), VMY_I(l->perm_alias & VLIMIT_DISABLE_ALL),
		VMY_I(l->perm_forward & VLIMIT_DISABLE_ALL),
		VMY_I(l->perm_autoresponder & VLIMIT_DISABLE_ALL),
		VMY_I(l->perm_maillist & VLIMIT_DISABLE_ALL), VMY_I(l->perm_quota & VLIMIT_DISABLE_ALL),
		VMY_I(l->perm_defaultquota & VLIMIT_DISABLE_ALL),
	};

	return replace_row(a, sizeof a / sizeof a[0]);
}

int vmy_del_limits(const struct vdomain *d)
{
	struct vmy_arg a[1];
	int rc;

	if (d == NULL)
		return VA_NULL_POINTER;
	a[0] = (struct vmy_arg)VMY_S(domain_of(d));
	rc = vmy_exec(VMY_UPDATE, "DELETE FROM limits WHERE domain = ?", a, 1, NULL, NULL);
	return rc == VMY_NO_TABLE ? 0 : rc;
}

#endif /* ENABLE_MYSQL_LIMITS */
