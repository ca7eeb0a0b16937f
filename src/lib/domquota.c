/*
 * domquota.c - the per-domain quota of vdelivermail (--enable-domainquotas):
 * the domain's "quota" (megabytes) and "maxmsgcount" limits, checked
 * against the sum over all its users' Maildirs (spec runtime 4.9 step 3).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "deliver.h"

#include <string.h>

int dx_domain_over(struct dx_ctx *c)
{
#ifdef DOMAIN_QUOTAS
	const vauth_backend *be = vauth_backend_get();
	struct vlimits lim;
	struct vpw_entry e = {0};
	char maildir[VP_PATH_MAX];
	storage_t bytes = 0, count = 0;
	void *it;

	if (!c->have_dom || vget_limits(c->domain, &lim) != VA_SUCCESS ||
	    (lim.diskquota == 0 && lim.maxmsgcount == 0))
		return 0;
	it = be->iter_open(&c->dom);
	if (it == NULL)
		return 0;
	while (be->iter_next(it, &e) == 1) {
		if (e.pw.pw_dir != NULL && e.pw.pw_dir[0] != '\0' &&
		    vp_fmt(maildir, sizeof maildir, "%s/Maildir", e.pw.pw_dir) == 0)
			dx_maildir_usage(maildir, &bytes, &count);
	}
	be->iter_close(it);
	vpw_entry_free(&e);
	if (lim.diskquota > 0 && bytes + (storage_t)c->size > lim.diskquota * 1048576)
		return 1;
	if (lim.maxmsgcount > 0 && count >= lim.maxmsgcount)
		return 1;
	return 0;
#else
	(void)c;
	return 0;
#endif
}
