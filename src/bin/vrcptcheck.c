/*
 * vrcptcheck - recipient check for s/qmail's qmail-smtpd.
 *
 * qmail-smtpd writes "user@domain" to file descriptor 3 and asks whether
 * the address exists.  Exit 0: a vpopmail user, a .qmail-<name> forward
 * in the domain directory (not a mailing list or autoresponder line), an
 * autoresponder directory <NAME>/message, or a qmail system alias
 * (QMAILDIR/alias/.qmail-<name> or .qmail-<name>-default).  Exit 1:
 * none of these.  Exit 111: the address could not be read (5.6 crashed
 * on empty input; we treat it as a temporary problem too).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define FD_INPUT 3

_Noreturn static void temp_failure(void)
{
	fprintf(stderr, "qmail-smtpd: Error while reading file descriptor in vrcptcheck\n");
	exit(111);
}

int main(void)
{
	static char input[MAX_BUFF];
	ssize_t n;

	do
		n = read(FD_INPUT, input, sizeof(input) - 1);
	while (n < 0 && errno == EINTR);
	close(FD_INPUT);
	if (n <= 0)
		temp_failure();
	input[n] = '\0';
	switch (vrcpt_deliverable(input)) {
	case VA_SUCCESS:
		exit(0);
	case VA_USER_DOES_NOT_EXIST:
		exit(1);
	default:
		/* the user database did not answer: never a permanent "no" */
		fprintf(stderr, "vrcptcheck: cannot read the user database\n");
		exit(111);
	}
}
