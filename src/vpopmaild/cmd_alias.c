/*
 * cmd_alias.c - vpopmaild's alias commands: add_alias, remove_alias,
 * delete_alias, list_alias (the .qmail-<alias> files, via valias_*).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpopmaild.h"

#include <stdio.h>
#include <string.h>

/*
 * The checks the three editing commands share: an alias address that
 * parses, in the domain admin's own domain.  `base` is the command's
 * first minor code (901, 1001, 1101).  0 ok, -1 error sent.
 */
static int alias_target(struct vpd_args *a, int base, char *alias, size_t asize,
                        char *domain, size_t dsize)
{
	char *addr;

	if (!vpd_is_sa() && !vpd_is_qa()) {
		vpd_err(9, base);
		return -1;
	}
	if ((addr = vpd_next(a)) == NULL) {
		vpd_err(14, base + 1);
		return -1;
	}
	if (vpd_parse_email(addr, alias, asize, domain, dsize) != 0 || alias[0] == '\0') {
		vpd_err(15, base + 2);
		return -1;
	}
	if (vpd_is_qa() && !vpd_own_domain(domain)) {
		vpd_err(11, base + 3);
		return -1;
	}
	return 0;
}

void vpd_cmd_add_alias(struct vpd_args *a)
{
	char alias[MAX_PW_NAME + 1], domain[MAX_PW_DOMAIN + 1];
	char *line;
	int rc;

	if (alias_target(a, 901, alias, sizeof alias, domain, sizeof domain) != 0)
		return;
	if ((line = vpd_next(a)) == NULL) {
		vpd_err(16, 906);
		return;
	}
	vpd_write_lock();
	rc = valias_insert(alias, domain, line);
	vpd_write_unlock();
	if (rc != 0) {
		vpd_err(17, 907);
		return;
	}
	vpd_ok();
}

void vpd_cmd_remove_alias(struct vpd_args *a)
{
	char alias[MAX_PW_NAME + 1], domain[MAX_PW_DOMAIN + 1];
	char *line;
	int rc;

	if (alias_target(a, 1001, alias, sizeof alias, domain, sizeof domain) != 0)
		return;
	if ((line = vpd_next(a)) == NULL) {
		vpd_err(16, 1006);
		return;
	}
	vpd_write_lock();
	rc = valias_remove(alias, domain, line);
	vpd_write_unlock();
	if (rc != 0) {
		vpd_err(18, 1007);
		return;
	}
	vpd_ok();
}

void vpd_cmd_delete_alias(struct vpd_args *a)
{
	char alias[MAX_PW_NAME + 1], domain[MAX_PW_DOMAIN + 1];
	int rc;

	if (alias_target(a, 1101, alias, sizeof alias, domain, sizeof domain) != 0)
		return;
	vpd_write_lock();
	rc = valias_delete(alias, domain);
	vpd_write_unlock();
	if (rc != 0) {
		vpd_err(19, 1106);
		return;
	}
	vpd_ok();
}

void vpd_cmd_list_alias(struct vpd_args *a)
{
	char alias[MAX_PW_NAME + 1], domain[MAX_PW_DOMAIN + 1];
	char *arg, *line;

	if (!vpd_is_sa() && !vpd_is_qa()) {
		vpd_err(9, 2801);
		return;
	}
	if ((arg = vpd_next(a)) == NULL) {
		vpd_err(13, 2802);
		return;
	}
	if (strchr(arg, '@') == NULL) {
		/* a domain: every alias of it */
		if (strlen(arg) > MAX_PW_DOMAIN || is_domain_valid(arg) != 0) {
			vpd_err(10, 2803);
			return;
		}
		snprintf(domain, sizeof domain, "%s", arg);
		for (char *p = domain; *p != '\0'; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		if (vpd_is_qa() && !vpd_own_domain(domain)) {
			vpd_err(11, 2804);
			return;
		}
		vpd_more();
		for (line = valias_select_all(alias, domain); line != NULL;
		     line = valias_select_all_next(alias))
			vpd_printf("%s@%s %s", alias, domain, line);
		vpd_end();
		return;
	}
	if (vpd_parse_email(arg, alias, sizeof alias, domain, sizeof domain) != 0) {
		vpd_err(10, 2803);
		return;
	}
	if (vpd_is_qa() && !vpd_own_domain(domain)) {
		vpd_err(11, 2804);
		return;
	}
	/* 5.6 answered an alias without lines with a bare "." */
	vpd_more();
	for (line = valias_select(alias, domain); line != NULL; line = valias_select_next())
		vpd_printf("%s@%s %s", alias, domain, line);
	vpd_end();
}
