/*
 * vmyalias.c - the aliasdomains table (--enable-sql-aliasdomains): alias
 * domain -> real domain, mirrored from qmail's users/assign so that SQL
 * clients (Dovecot) can resolve logins as user@alias.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vmysql.h"

#include <string.h>

#ifdef SQL_ALIASDOMAINS
/* REPLACE: saving a pair again (vsavealiasdomains) is not an error. */
int vcreate_sql_aliasdomain(char *domain, char *alias)
{
	struct vmy_arg a[2];

	if (domain == NULL || alias == NULL)
		return VA_NULL_POINTER;
	vp_lower(domain);
	vp_lower(alias);
	a[0] = (struct vmy_arg)VMY_S(alias);
	a[1] = (struct vmy_arg)VMY_S(domain);
	return vmy_exec_create(VMY_T_ALIASDOMAINS, "aliasdomains",
	                       "REPLACE INTO aliasdomains (alias, domain) VALUES (?, ?)", a, 2, NULL);
}

int vdelete_sql_aliasdomain(char *alias)
{
	struct vmy_arg a[1];
	int rc;

	if (alias == NULL)
		return VA_NULL_POINTER;
	vp_lower(alias);
	a[0] = (struct vmy_arg)VMY_S(alias);
	rc = vmy_exec(VMY_UPDATE, "DELETE FROM aliasdomains WHERE alias = BINARY ?", a, 1, NULL, NULL);
	return rc == VMY_NO_TABLE ? 0 : rc;
}
#endif
