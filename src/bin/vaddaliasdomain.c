/*
 * vaddaliasdomain - make one domain an alias of another.
 *
 * The operands may come in either order: whichever already exists is the
 * real domain (an existing alias stands for its real domain, because
 * vget_assign() rewrites its argument to the real name), the other one
 * becomes the alias.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"vaddaliasdomain: usage: [options] real_domain alias_domain\n"
	"options: -v (print version number)\n"
	"note: for backward compatability, you can swap real_domain and alias_domain.\n";

static void usage(void)
{
	fputs(usage_text, stdout);
}

int main(int argc, char **argv)
{
	static char dom_a[CLI_BUF];
	static char dom_b[CLI_BUF];
	const char *arg_a = "", *arg_b = "";
	int toolong = 0, a_exists, b_exists, err;

	cli_open();

	cli_version_options(argc, argv);
	if (optind < argc)
		arg_a = argv[optind++];
	if (optind < argc)
		arg_b = argv[optind++];

	if (arg_a[0] == '\0' || arg_b[0] == '\0') {
		usage();
		cli_exit(-1);
	}
	/* Compared as typed: "A.com" and "a.com" are not "the same" here. */
	if (strcmp(arg_a, arg_b) == 0) {
		printf("Error: real domain and alias domain are the same!\n");
		usage();
		cli_exit(-1);
	}
	cli_take(dom_a, sizeof(dom_a), arg_a, VA_DOMAIN_NAME_TOO_LONG, &toolong);
	cli_take(dom_b, sizeof(dom_b), arg_b, VA_DOMAIN_NAME_TOO_LONG, &toolong);
	if (toolong != 0)
		cli_fail(toolong);

	/* Both lookups lower-case (and de-alias) the names in place. */
	a_exists = vget_assign(dom_a, NULL, 0, NULL, NULL) != NULL;
	b_exists = vget_assign(dom_b, NULL, 0, NULL, NULL) != NULL;

	if (a_exists && b_exists) {
		printf("Error: Both domains already exist, unable to create alias.\n");
		cli_exit(-1);
	}
	if (!a_exists && !b_exists) {
		printf("Error: Neither '%s' or '%s'  exist, unable to create alias.\n",
		       dom_a, dom_b);
		cli_exit(-1);
	}

	if (a_exists)
		err = vaddaliasdomain(dom_b, dom_a);
	else
		err = vaddaliasdomain(dom_a, dom_b);
	if (err != VA_SUCCESS)
		cli_fail(err);
	cli_exit(0);
}
