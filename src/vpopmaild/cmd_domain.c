/*
 * cmd_domain.c - vpopmaild's domain commands: list_domains, find_domain,
 * domain_count, add_alias_domain, add_domain, del_domain, dom_info.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpopmaild.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

void vpd_cmd_list_domains(struct vpd_args *a)
{
	struct vpd_page pg;
	domain_entry *e;
	int n;

	if (!vpd_is_sa()) {
		vpd_err(9, 2301);
		return;
	}
	pg = vpd_page_args(a);
	if ((e = get_domain_entries("")) == NULL) {
		vpd_err(31, 2302);
		return;
	}
	vpd_more();
	for (n = 0; e != NULL; n++, e = get_domain_entries(NULL)) {
		if (pg.last > 0 && n >= pg.last)
			break;
		if (n >= pg.first)
			vpd_printf("%s %s", e->realdomain, e->domain);
	}
	vpd_end();
}

void vpd_cmd_find_domain(struct vpd_args *a)
{
	domain_entry *e;
	char *domain;
	int per, n;

	if (!vpd_is_sa()) {
		vpd_err(9, 2401);
		return;
	}
	if ((domain = vpd_next(a)) == NULL) {
		vpd_err(13, 2402);
		return;
	}
	per = vpd_next_count(a);
	if ((e = get_domain_entries("")) == NULL) {
		vpd_err(31, 2403);
		return;
	}
	vpd_more();
	for (n = 0; e != NULL; n++, e = get_domain_entries(NULL))
		if (strcmp(domain, e->domain) == 0)
			break;
	if (e != NULL) {
		vpd_printf("page %d", per > 0 ? n / per + 1 : n + 1);
		/* finish the walk so the next one starts afresh */
		while (get_domain_entries(NULL) != NULL)
			;
	}
	vpd_end();
}

void vpd_cmd_domain_count(struct vpd_args *a)
{
	domain_entry *e;
	int n;

	(void)a;
	if (!vpd_is_sa()) {
		vpd_err(9, 2501);
		return;
	}
	if ((e = get_domain_entries("")) == NULL) {
		vpd_err(31, 2502);
		return;
	}
	for (n = 0; e != NULL; e = get_domain_entries(NULL))
		n++;
	vpd_more();
	vpd_printf("count %d", n);
	vpd_end();
}

void vpd_cmd_add_alias_domain(struct vpd_args *a)
{
	char *real, *alias;
	int rc;

	if (!vpd_is_sa()) {
		vpd_err(9, 1201);
		return;
	}
	if ((real = vpd_next(a)) == NULL) {
		vpd_err(13, 1202);
		return;
	}
	if ((alias = vpd_next(a)) == NULL) {
		vpd_err(14, 1203);
		return;
	}
	vpd_write_lock();
	rc = vaddaliasdomain(alias, real);
	vpd_write_unlock();
	vpd_result(rc, 1204);
}

void vpd_cmd_add_domain(struct vpd_args *a)
{
	char *domain, *pass;
	mode_t mask;
	int rc;

	if (!vpd_is_sa()) {
		vpd_err(9, 801);
		return;
	}
	if ((domain = vpd_next(a)) == NULL) {
		vpd_err(13, 802);
		return;
	}
	if ((pass = vpd_rest(a)) == NULL) {
		vpd_err(7, 803);
		return;
	}
	/* vadddomain() sets a umask of its own and masks onchange for the
	 * postmaster; a long-lived daemon restores both afterwards. */
	mask = umask(077);
	umask(mask);
	vpd_write_lock();
	rc = vadddomain(domain, (char *)vpopmail_dir(), vpopmail_uid(), vpopmail_gid());
	if (rc != VA_SUCCESS) {
		vpd_write_unlock();
		umask(mask);
		allow_onchange = 1;
		vpd_err0(804, verror(rc));
		return;
	}
	rc = vadduser("postmaster", domain, pass, "postmaster", USE_POP);
	allow_onchange = 1;
	umask(mask);
	if (rc != VA_SUCCESS)
		vdeldomain(domain);
	vpd_write_unlock();
	vpd_result(rc, 805);
}

void vpd_cmd_del_domain(struct vpd_args *a)
{
	char *domain, none[1] = "";
	int rc;

	if (!vpd_is_sa()) {
		vpd_err(9, 1301);
		return;
	}
	if ((domain = vpd_next(a)) == NULL) {
		vpd_err(13, 1302);
		return;
	}
	vpd_write_lock();
	rc = vdeldomain(domain);
	vpd_write_unlock();
	vget_assign(none, NULL, 0, NULL, NULL);     /* forget cached lookups */
	vpd_result(rc, 1303);
}

void vpd_cmd_dom_info(struct vpd_args *a)
{
	char name[MAX_PW_DOMAIN + 1], dir[VP_PATH_MAX], real[MAX_PW_DOMAIN + 1];
	domain_entry *e;
	char *domain;
	uid_t uid;
	gid_t gid;

	if (!vpd_is_sa()) {
		vpd_err(9, 1401);
		return;
	}
	if ((domain = vpd_next(a)) == NULL) {
		vpd_err(13, 1402);
		return;
	}
	if (strlen(domain) >= sizeof name) {
		vpd_err0(1404, "Domain does not exist");
		return;
	}
	/* users/assign first, as 5.6: unreadable is 1403 whatever the name */
	verrori = 0;
	if ((e = get_domain_entries(domain)) == NULL && verrori == VA_CANNOT_READ_ASSIGN) {
		vpd_err0(1403, verror(VA_CANNOT_READ_ASSIGN));
		return;
	}
	if (e == NULL || vget_assign(strcpy(name, domain), dir, sizeof dir, &uid, &gid) == NULL) {
		vpd_err0(1404, "Domain does not exist");
		return;
	}
	snprintf(real, sizeof real, "%s", name);
	vpd_more();
	vpd_printf("domain %s", real);
	vpd_printf("path %s", dir);
	vpd_printf("uid %d", (int)uid);
	vpd_printf("gid %d", (int)gid);
	for (; e != NULL; e = get_domain_entries(NULL))
		if (strcmp(e->domain, real) != 0)
			vpd_printf("alias %s", e->domain);
	vpd_end();
}
