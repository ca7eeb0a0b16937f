/*
 * vchkpw - checkpassword authenticator for qmail-popup, SMTP AUTH
 * patches and Dovecot's checkpassword passdb (spec runtime §3).
 *
 *   vchkpw prog [args...]     credentials on fd 3, prog run on success
 *
 * Exit statuses are the original's (§3.6), with three decisions of our
 * own: no program is a usage error (2), a program that cannot be run is
 * a failure (111, never 0), and under Dovecot every refusal is 1 so that
 * Dovecot answers "authentication failed" rather than a temporary error.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vpopmail.h"

/* The session lives in static storage: vlogin holds a few KiB of buffers. */
static struct vlogin l;

int main(int argc, char **argv)
{
	int err;

	if (argc < 2 || argv[1][0] == '\0') {
		fprintf(stderr, "vchkpw: usage: vchkpw program [arguments...]\n");
		return 2;
	}
	vlogin_init(&l, argv[1]);
	if (vlogin_read(&l, 3) != VA_SUCCESS) {
		if (l.status == 11)
			fprintf(stderr, "%s: vchkpw is only for talking with qmail-popup and qmail-pop3d. "
			        "It is not for runnning on the command line.\n", LOG_NAME);
		return vlogin_exit_status(&l);
	}
	if (vlogin_check(&l) != VA_SUCCESS || vlogin_enter(&l) != VA_SUCCESS) {
		vlogin_free(&l);
		return vlogin_exit_status(&l);
	}
	vlogin_free(&l);
	execvp(argv[1], argv + 1);
	err = errno;
	vlogin_log_exec_failure(&l, argv[1], err);
	fprintf(stderr, "vchkpw: cannot run %s: %s\n", argv[1], strerror(err));
	return 111;
}
