/*
 * vdeluser - delete a user from a virtual domain.
 *
 * All checks (unknown domain or user, the domain's catch-all target) are
 * the library's; this program only maps its codes to the messages.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <stdio.h>
#include <unistd.h>

static const char usage_text[] =
	"vdeluser: usage: [options] email_address\n"
	"options: -v (print version number)\n";

static void usage(void)
{
	fputs(usage_text, stdout);
}

int main(int argc, char **argv)
{
	static char email[CLI_BUF];
	static char user[CLI_BUF];
	static char domain[CLI_BUF];
	const char *arg = "";
	int toolong = 0, err;

	cli_open();

	cli_version_options(argc, argv);
	if (optind < argc)
		arg = argv[optind++];
	if (arg[0] == '\0') {
		usage();
		cli_exit(-1);
	}
	cli_take(email, sizeof(email), arg, cli_email_too_long(arg), &toolong);
	if (toolong != 0)
		cli_fail(toolong);

	/* Lower-cases the address; an address without '@' gets the default domain. */
	err = parse_email(email, user, domain, (int)sizeof(email));
	if (err != 0)
		cli_fail(err);

	err = vdeluser(user, domain);
	if (err != VA_SUCCESS)
		cli_fail(err);
	cli_exit(0);
}
