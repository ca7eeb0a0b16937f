/*
 * dotqmail2valias - convert .qmail-<alias> files into valias table rows.
 *
 * Only meaningful with a backend that stores aliases in a table
 * (./configure --enable-valias, SQL or LDAP).  The cdb build keeps its
 * aliases in the .qmail files themselves, so there is nothing to
 * convert: the program says so and fails, as vpopmail 5.6 did.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include <stdio.h>

int main(void)
{
	fputs("You must enable valiases (./configure --enable-valias) to use this program.\n", stderr);
	return 255;
}
