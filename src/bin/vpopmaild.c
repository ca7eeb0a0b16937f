/*
 * vpopmaild - the vpopmail administration daemon: vpopmail 5.6's line
 * protocol on stdin/stdout, normally run under tcpserver:
 *
 *   tcpserver -vHRD 127.0.0.1 89 ~vpopmail/bin/vpopmaild
 *
 * The protocol lives in src/vpopmaild/.  -t sets the timeout in seconds
 * (default 60, as 5.6's fixed value): an idle client's, and the time each
 * line has to arrive whole.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpopmaild.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int opt, timeout = VPD_TIMEOUT;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		switch (opt) {
		case 't':
			timeout = atoi(optarg);
			if (timeout <= 0 || timeout > 86400)
				timeout = VPD_TIMEOUT;
			break;
		default:
			fputs("usage: vpopmaild [-t timeout]\n", stderr);
			return 100;
		}
	}
	return vpd_main(timeout);
}
