/*
 * vmkpasswd - rebuild a domain's vpasswd.cdb from its vpasswd file.
 *
 * Needed after vpasswd was edited by hand or changed with "vmoduser -n".
 * Exactly one operand, the domain.  Silent: the status tells the outcome
 * (253 for a domain whose directory cannot be reached, which includes an
 * unknown domain; 254 if the lock cannot be taken).  Like the original it
 * neither opens the auth backend first nor reads a terminal, so it runs
 * from cron and scripts.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The trailing space is in the 5.6 text. */
static const char usage_text[] = "vmkpasswd: usage: domain \n";

int main(int argc, char **argv)
{
	static char domain[CLI_BUF];

	if (argc != 2) {
		fputs(usage_text, stdout);
		return cli_exit_code(-1);
	}
	/* A name too long to hold cannot be a domain directory we know. */
	if (strlen(argv[1]) >= sizeof(domain))
		return cli_exit_code(VA_BAD_DIR);
	snprintf(domain, sizeof(domain), "%s", argv[1]);
	lowerit(domain);
	return cli_exit_code(vmkpasswd(domain));
}
