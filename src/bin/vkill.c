/*
 * vkill - send SIGKILL to every process running a given program.
 *
 * The library's signal_process() picks processes by their exact program
 * name, so the shell that started vkill (whose command line contains the
 * name too) is never hit.  Silent; exit 0 once a name is given.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char usage_text[] =
	"vkill: usage: process\n"
	"options: -v (print the version)\n";

int main(int argc, char **argv)
{
	static char name[CLI_BUF];
	int c, bad = 0, toolong = 0;

	while (!bad && (c = getopt(argc, argv, "v")) != -1) {
		if (c == 'v')
			cli_version();
		else
			bad = 1;
	}
	if (optind < argc)
		cli_take(name, sizeof(name), argv[optind++], VA_COULD_NOT_UPDATE_FILE, &toolong);
	if (name[0] == '\0' || bad) {
		fputs(usage_text, stdout);
		exit(255);
	}
	(void)signal_process(name, SIGKILL);
	return 0;
}
