/*
 * deliver_valias.c - vdelivermail's look at the SQL valias table
 * (--enable-valias, spec runtime §4.18), before any user lookup.
 *
 * Candidates, first with rows wins: the whole local part (EXT); then
 * "<prefix>-default" for each '-' in it, longest prefix first, which
 * sets DEFAULT to the rest as qmail-local does for .qmail-x-default;
 * then, with --enable-qmail-ext, the base user of "user-ext".  Each row
 * is one .qmail instruction.
 *
 * Unlike 5.6, which ignored what its deliveries returned and always
 * reported success, a failed instruction is the delivery's result
 * (never lose mail), and an unreachable database defers the message.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "deliver.h"

#include <stdlib.h>
#include <string.h>

#ifdef VALIAS

/* The rows of name@domain into out: 1 some, 0 none, <0 a VA code. */
static int rows_of(const char *name, const char *domain, string_list *out)
{
	char alias[DX_NAME_MAX + 1], dom[DX_NAME_MAX + 1];
	char *line;

	vp_strlcpy(alias, name, sizeof alias);
	vp_strlcpy(dom, domain, sizeof dom);
	for (line = valias_select(alias, dom); line != NULL; line = valias_select_next())
		if (string_list_add(out, line) != 0)
			return VA_MEMORY_ALLOC_ERR;
	/* An unknown domain or a name no alias could have is "none". */
	if (verrori == VA_NO_AUTH_CONNECTION || verrori == VA_QUERY_FAILED ||
	    verrori == VA_MEMORY_ALLOC_ERR)
		return verrori;
	return out->count > 0;
}

/* Try the candidates of 4.18 in order; 1 when one had rows. */
static int find_rows(struct dx_ctx *c, string_list *out)
{
	char name[DX_NAME_MAX + 1];
	char *dash;
	int rc;

	if ((rc = rows_of(c->ext, c->domain, out)) != 0)
		return rc;
	vp_strlcpy(name, c->ext, sizeof name);
	while ((dash = strrchr(name, '-')) != NULL) {
		char rest[DX_NAME_MAX + 1], wild[DX_NAME_MAX + 1];

		vp_strlcpy(rest, c->ext + (dash - name) + 1, sizeof rest);
		*dash = '\0';
		if (vp_fmt(wild, sizeof wild, "%s-default", name) != 0)
			continue;
		if ((rc = rows_of(wild, c->domain, out)) != 0) {
			if (rc > 0 && setenv("DEFAULT", rest, 1) != 0)
				return VA_MEMORY_ALLOC_ERR;
			return rc;
		}
	}
#ifdef QMAIL_EXT
	if (strcmp(c->user, c->ext) != 0)
		return rows_of(c->user, c->domain, out);
#endif
	return 0;
}

int dx_valias(struct dx_ctx *c, int *handled)
{
	string_list rows;
	int rc, i;

	*handled = 0;
	if (string_list_init(&rows, 4) != 0)
		return DX_TEMP;
	rc = find_rows(c, &rows);
	if (rc < 0) {
		string_list_free(&rows);
		fputs("vdelivermail: deferred, database down\n", c->out);
		return DX_TEMP;
	}
	if (rc == 0) {
		string_list_free(&rows);
		return DX_OK;
	}
	*handled = 1;
	for (i = 0, rc = DX_OK; i < rows.count && rc == DX_OK; i++)
		rc = dx_instruction(c, rows.values[i], 0);
	string_list_free(&rows);
	if (rc == DX_OK)
		fputs("vdelivermail: valiases processed\n", c->out);
	return rc;
}
#endif
