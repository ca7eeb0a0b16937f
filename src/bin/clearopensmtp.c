/*
 * clearopensmtp - expire the roaming users' relay entries (spec runtime
 * §5.4).  Run from cron; no arguments.  Lines of ~vpopmail/etc/open-smtp
 * (rows of the `relay` table with the mysql module) older than
 * --enable-relay-clear-minutes go, then tcp.smtp.cdb is rebuilt (always,
 * even when nothing expired).  If the table cannot be read or changed,
 * the old cdb stays: the error is reported and the exit status is the
 * error code.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
#ifdef POP_AUTH_OPEN_RELAY
	int rc;

	cli_open();
	errno = 0;
	rc = vroaming_expire(RELAY_CLEAR_MINUTES);
	if (rc == VA_COULD_NOT_UPDATE_FILE) {
		/* a vchkpw held open-smtp.lock all the while: next run */
		if (errno == EWOULDBLOCK)
			printf("File busy try again later!\n");
		else
			printf("Error, could not create open-smtp.tmp\n");
		cli_exit(-1);
	}
	if (rc == VA_BAD_DIR) {
		fprintf(stderr, "Warning: update_rules() - tcprules failed\n");
		rc = VA_SUCCESS;
	} else if (rc != VA_SUCCESS) {
		fprintf(stderr, "Error - %s. Relay rules not rebuilt.\n", verror(rc));
	}
	cli_exit(rc);
#else
	printf("vpopmail not configure with --enable-roaming-users\n");
	return 0;
#endif
}
