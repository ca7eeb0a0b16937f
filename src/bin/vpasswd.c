/*
 * vpasswd - change a user's password.
 *
 * The password comes from the operand, from -r[len] or from the tty.  An
 * empty password is not refused here: the library's strength rules
 * decide.  A missing user and a user whose password may not be changed
 * (NO_PASSWD_CHNG) both come back as "Illegal username", as in 5.6.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <stdio.h>
#include <unistd.h>

static const char usage_text[] =
	"vpasswd: usage: [options] email_address [password]\n"
	"options: -v (print version number)\n"
	"         -r[len] (generate a len (default 12) char random password)\n";

static void usage(void)
{
	fputs(usage_text, stdout);
}

int main(int argc, char **argv)
{
	static char email[CLI_BUF];
	static char passwd[CLI_BUF];
	static char user[CLI_BUF];
	static char domain[CLI_BUF];
	const char *arg = "";
	int c, stop = 0, random = 0, toolong = 0, err;

	cli_open();

	while (!stop && (c = getopt(argc, argv, "vr::")) != -1) {
		switch (c) {
		case 'v':
			cli_version();
			break;
		case 'r':
			random = 1;
			cli_random_option(optarg, passwd, sizeof(passwd));
			break;
		default:
			stop = 1;
			break;
		}
	}
	if (optind < argc) {
		arg = argv[optind++];
		cli_take(email, sizeof(email), arg, cli_email_too_long(arg), &toolong);
	}
	if (optind < argc) {
		if (random)
			cli_password_conflict();
		cli_take(passwd, sizeof(passwd), argv[optind++], VA_PASSWD_TOO_LONG, &toolong);
	}
	if (arg[0] == '\0') {
		usage();
		cli_exit(-1);
	}
	if (toolong != 0)
		cli_fail(toolong);

	/* Lower-cases the address in place, so the prompt shows it that way. */
	err = parse_email(email, user, domain, (int)sizeof(user));
	if (err != 0)
		cli_fail(err);

	if (passwd[0] == '\0')
		(void)cli_read_password(email, passwd, sizeof(passwd));

	err = vpasswd(user, domain, passwd, USE_POP);
	if (err != VA_SUCCESS) {
		cli_print_pw_error(err);
		cli_exit(err);
	}
	if (random)
		cli_random_line(passwd);
	cli_exit(0);
}
