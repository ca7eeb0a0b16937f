/*
 * vsavealiasdomains - copy alias domains into the MySQL aliasdomains
 * table.  That table exists only in MySQL builds with
 * --enable-sql-aliasdomains; this cdb build says so and fails.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <stdio.h>

int main(void)
{
	cli_open();
	printf("\nPlease use option --enable-sql-aliasdomains at configure time\n\n");
	cli_exit(-1);
}
