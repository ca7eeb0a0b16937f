/*
 * vdelivermail - qmail-local's delivery program for vpopmail domains.
 *
 * Called from a domain's .qmail-default as
 *   | vdelivermail '' <instruction for unknown users>
 * with the message on stdin and qmail-local's environment (EXT, HOST,
 * RPLINE, DTLINE, ...).  The exit status tells qmail-local what happened:
 * 0 delivered, 99 delivered and stop, 100 bounce, 111 try again later.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <signal.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	int status = 111;

	/* A file-size limit must fail the write (111), not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	if (argc != 3) {
		printf("vdelivermail: invalid syntax in .qmail-default file\n");
		return 111;
	}
	vdelivermail(argv[2], stdout, &status);
	vclose();
	fflush(stdout);
	return status;
}
