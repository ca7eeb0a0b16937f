/*
 * cmd_limits.c - vpopmaild's domain limits: get_limits, set_limits,
 * del_limits (§7.7).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpopmaild.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* One limit: its protocol name and where it lives in struct vlimits. */
enum kind { K_INT, K_STORAGE, K_SHORT, K_FLAG, K_PERMQUOTA };
struct limit_item {
	const char *name;
	enum kind   kind;
	size_t      off;
	int         listed;     /* shown by get_limits */
};

#define L(n, k, f, s) { n, k, offsetof(struct vlimits, f), s }
static const struct limit_item items[] = {
	L("max_popaccounts", K_INT, maxpopaccounts, 1),
	L("max_aliases", K_INT, maxaliases, 1),
	L("max_forwards", K_INT, maxforwards, 1),
	L("max_autoresponders", K_INT, maxautoresponders, 1),
	L("max_mailinglists", K_INT, maxmailinglists, 1),
	L("disk_quota", K_STORAGE, diskquota, 1),
	L("max_msgcount", K_STORAGE, maxmsgcount, 1),
	L("default_quota", K_STORAGE, defaultquota, 1),
	L("default_maxmsgcount", K_STORAGE, defaultmaxmsgcount, 1),
	L("disable_pop", K_FLAG, disable_pop, 1),
	L("disable_imap", K_FLAG, disable_imap, 1),
	L("disable_dialup", K_FLAG, disable_dialup, 1),
	L("disable_password_changing", K_FLAG, disable_passwordchanging, 1),
	L("disable_webmail", K_FLAG, disable_webmail, 1),
	L("disable_external_relay", K_FLAG, disable_relay, 1),
	L("disable_smtp", K_FLAG, disable_smtp, 1),
	L("disable_spamassassin", K_FLAG, disable_spamassassin, 1),
	L("delete_spam", K_FLAG, delete_spam, 1),
	L("disable_maildrop", K_FLAG, disable_maildrop, 1),
	L("perm_account", K_SHORT, perm_account, 1),
	L("perm_alias", K_SHORT, perm_alias, 1),
	L("perm_forward", K_SHORT, perm_forward, 1),
	L("perm_autoresponder", K_SHORT, perm_autoresponder, 1),
	L("perm_maillist", K_SHORT, perm_maillist, 1),
	L("perm_quota", K_PERMQUOTA, perm_quota, 1),
	L("perm_defaultquota", K_SHORT, perm_defaultquota, 1),
	L("perm_maillist_users", K_SHORT, perm_maillist_users, 0),
	L("perm_maillist_moderators", K_SHORT, perm_maillist_moderators, 0),
};
#undef L
#define N_ITEMS (sizeof items / sizeof items[0])

static void show(const struct vlimits *l, const struct limit_item *it)
{
	const char *base = (const char *)l + it->off;
	long long v = 0;

	switch (it->kind) {
	case K_INT:
		v = *(const int *)(const void *)base;
		break;
	case K_STORAGE:
		vpd_printf("%s %" PRIu64, it->name, *(const storage_t *)(const void *)base);
		return;
	case K_SHORT:
		v = *(const short *)(const void *)base;
		break;
	case K_FLAG:
		v = *(const short *)(const void *)base != 0;
		break;
	case K_PERMQUOTA:
		/* masked before the shift: set_limits stores any short */
		v = l->perm_quota |
		    ((l->perm_maillist_users & VLIMIT_DISABLE_ALL) << VLIMIT_DISABLE_BITS) |
		    ((l->perm_maillist_moderators & VLIMIT_DISABLE_ALL) << (VLIMIT_DISABLE_BITS * 2));
		break;
	}
	vpd_printf("%s %lld", it->name, v);
}

static void set(struct vlimits *l, const struct limit_item *it, long long v)
{
	char *base = (char *)l + it->off;

	switch (it->kind) {
	case K_INT:
		*(int *)(void *)base = (int)v;
		break;
	case K_STORAGE:
		*(storage_t *)(void *)base = v < 0 ? 0 : (storage_t)v;
		break;
	case K_SHORT:
	case K_FLAG:
		*(short *)(void *)base = (short)v;
		break;
	case K_PERMQUOTA:
		/* perm_quota alone, as 5.6 sets it; only a combined value as
		 * get_limits shows it (mailing-list bits above) sets those too,
		 * so that what was read can be written back. */
		l->perm_quota = (short)(v & VLIMIT_DISABLE_ALL);
		if ((v >> VLIMIT_DISABLE_BITS) != 0) {
			l->perm_maillist_users = (short)((v >> VLIMIT_DISABLE_BITS) & VLIMIT_DISABLE_ALL);
			l->perm_maillist_moderators =
				(short)((v >> (VLIMIT_DISABLE_BITS * 2)) & VLIMIT_DISABLE_ALL);
		}
		break;
	}
}

void vpd_cmd_get_limits(struct vpd_args *a)
{
	struct vlimits lim;
	char *domain;
	size_t i;

	if (!vpd_is_sa()) {
		vpd_err(9, 3401);
		return;
	}
	if ((domain = vpd_next(a)) == NULL) {
		vpd_err(13, 3402);
		return;
	}
	if (vget_limits(domain, &lim) != VA_SUCCESS) {
		vpd_err(34, 3403);
		return;
	}
	vpd_more();
	for (i = 0; i < N_ITEMS; i++)
		if (items[i].listed)
			show(&lim, &items[i]);
	vpd_end();
}

/* Split an option line at the first run of ' ', '=', ':' (CR/LF dropped). */
static char *split_option(char *line, char **value)
{
	static const char seps[] = " =:\r\n";
	char *name;

	line += strspn(line, seps);
	if (*line == '\0')
		return NULL;
	name = line;
	line += strcspn(line, seps);
	if (*line != '\0')
		*line++ = '\0';
	line += strspn(line, seps);
	*value = line;
	line[strcspn(line, seps)] = '\0';
	return name;
}

/*
 * The items a set_limits session gave: the last value of each, and when
 * it came (0: not given).  They are applied, in that order, to the limits
 * as they are when the session ends, under the limits lock: a change made
 * by someone else meanwhile to another item is kept.  (Each item sets
 * fixed fields, so the last value of each, applied in order, gives what
 * every line applied one after another would.)
 */
struct given {
	long long value[N_ITEMS];
	unsigned long seq[N_ITEMS];
	unsigned long n;
};

static void apply_given(struct vlimits *lim, const struct given *g)
{
	unsigned long last = 0;
	size_t i, next;

	for (;;) {
		next = N_ITEMS;
		for (i = 0; i < N_ITEMS; i++)
			if (g->seq[i] > last && (next == N_ITEMS || g->seq[i] < g->seq[next]))
				next = i;
		if (next == N_ITEMS)
			return;
		set(lim, &items[next], g->value[next]);
		last = g->seq[next];
	}
}

static int store_given(const char *domain, const struct given *g)
{
	struct vlimits lim;
	int lk, rc;

	vpd_write_lock();
	vpd_login_check();	/* its rights may have gone while the items came */
	lk = vp_limits_lock(domain);
	rc = vget_limits(domain, &lim);
	if (rc == VA_SUCCESS) {
		apply_given(&lim, g);
		rc = vset_limits(domain, &lim);
	}
	vp_limits_unlock(lk);
	vpd_write_unlock();
	return rc;
}

void vpd_cmd_set_limits(struct vpd_args *a)
{
	char line[VPD_LINE_MAX + 1];
	struct vlimits lim;
	struct given given;
	char *domain, *name, *value;
	size_t i;
	int overlong;

	if (!vpd_is_sa()) {
		vpd_err(9, 3501);
		return;
	}
	if ((domain = vpd_next(a)) == NULL) {
		vpd_err(13, 3502);
		return;
	}
	if (vget_limits(domain, &lim) != VA_SUCCESS) {
		vpd_err(34, 3505);
		return;
	}
	memset(&given, 0, sizeof given);
	vpd_ok();
	for (;;) {
		if (vpd_read_command(line, sizeof line, &overlong) == VPD_EOF) {
			/* the client went away: nothing is written */
			vpd_err(3, 106);
			vpd_exit(255);
		}
		if (line[0] == '.')
			break;
		if (overlong || (name = split_option(line, &value)) == NULL)
			continue;
		if (*value == '\0') {
			vpd_printf("  Warning: missing value");
			continue;
		}
		for (i = 0; i < N_ITEMS; i++)
			if (strcmp(items[i].name, name) == 0)
				break;
		if (i == N_ITEMS) {
			vpd_printf("  Warning: invalid option");
			continue;
		}
		given.value[i] = strtoll(value, NULL, 10);
		given.seq[i] = ++given.n;
	}
	if (store_given(domain, &given) != VA_SUCCESS) {
		vpd_err(35, 3504);
		return;
	}
	vpd_ok();
}

void vpd_cmd_del_limits(struct vpd_args *a)
{
	char *domain;
	int lk, rc;

	if (!vpd_is_sa()) {
		vpd_err(9, 3601);
		return;
	}
	if ((domain = vpd_next(a)) == NULL) {
		vpd_err(13, 3602);
		return;
	}
	vpd_write_lock();
	lk = vp_limits_lock(domain);	/* as vmoddomlimits and set_limits */
	errno = 0;
	rc = vdel_limits(domain);
	vp_limits_unlock(lk);
	vpd_write_unlock();
	if (rc != VA_SUCCESS) {
		vpd_printf("-ERR 0.3603 %s.", rc == VA_COULD_NOT_UPDATE_FILE && errno != 0 ?
		           strerror(errno) : verror(rc));
		return;
	}
	vpd_ok();
}
