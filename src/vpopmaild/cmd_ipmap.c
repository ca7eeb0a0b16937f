/*
 * cmd_ipmap.c - vpopmaild's IP map commands (~vpopmail/etc/ip_alias_map);
 * "Not Available" unless built with --enable-ip-alias-domains.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpopmaild.h"

#include <string.h>

#ifdef IP_ALIAS_DOMAINS
void vpd_cmd_get_ip_map(struct vpd_args *a)
{
	char domain[MAX_BUFF];
	char *ip;

	if (!vpd_is_sa()) {
		vpd_err(9, 3001);
		return;
	}
	if ((ip = vpd_next(a)) == NULL) {
		vpd_err(37, 3002);
		return;
	}
	if (vget_ip_map(ip, domain, sizeof domain) != 0) {
		vpd_printf("-ERR 0.3003 error");
		return;
	}
	vpd_more();
	vpd_printf("%s %s", ip, domain);
	vpd_end();
}

void vpd_cmd_add_ip_map(struct vpd_args *a)
{
	char name[MAX_PW_DOMAIN + 1];
	char *ip, *domain;
	int rc;

	if (!vpd_is_sa()) {
		vpd_err(9, 3101);
		return;
	}
	if ((ip = vpd_next(a)) == NULL) {
		vpd_err(32, 3102);
		return;
	}
	if ((domain = vpd_next(a)) == NULL) {
		vpd_err(13, 3103);
		return;
	}
	if (strlen(domain) >= sizeof name ||
	    vget_assign(strcpy(name, domain), NULL, 0, NULL, NULL) == NULL) {
		vpd_err(38, 3104);
		return;
	}
	vpd_write_lock();
	/* the name as looked up: lower case, an alias as its real domain (5.6) */
	rc = vadd_ip_map(ip, name);
	vpd_write_unlock();
	if (rc != 0) {
		vpd_printf("-ERR 0.3105 error");
		return;
	}
	vpd_ok();
}

void vpd_cmd_del_ip_map(struct vpd_args *a)
{
	char *ip, *domain;
	int rc;

	if (!vpd_is_sa()) {
		vpd_err(9, 3201);
		return;
	}
	if ((ip = vpd_next(a)) == NULL) {
		vpd_err(37, 3202);
		return;
	}
	if ((domain = vpd_next(a)) == NULL) {
		vpd_err(13, 3203);
		return;
	}
	vpd_write_lock();
	rc = vdel_ip_map(ip, domain);
	vpd_write_unlock();
	if (rc != 0) {
		vpd_printf("-ERR 0.3204 error");
		return;
	}
	vpd_ok();
}

void vpd_cmd_show_ip_map(struct vpd_args *a)
{
	char ip[MAX_BUFF], domain[MAX_BUFF];
	int first = 1;

	(void)a;
	if (!vpd_is_sa()) {
		vpd_err(9, 3301);
		return;
	}
	vpd_more();
	while (vshow_ip_map(first, ip, domain) == 1) {
		first = 0;
		vpd_printf("%s %s", ip, domain);
	}
	vpd_end();
}
#else
void vpd_cmd_get_ip_map(struct vpd_args *a)
{
	(void)a;
	vpd_err(33, 3004);
}

void vpd_cmd_add_ip_map(struct vpd_args *a)
{
	(void)a;
	vpd_err(33, 3106);
}

void vpd_cmd_del_ip_map(struct vpd_args *a)
{
	(void)a;
	vpd_err(33, 3205);
}

void vpd_cmd_show_ip_map(struct vpd_args *a)
{
	(void)a;
	vpd_err(33, 3302);
}
#endif
