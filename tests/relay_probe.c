/*
 * relay_probe - the roaming-user calls under their 5.6 names, as courier's
 * authvchkpw or Dovecot's vpopmail passdb make them after a login:
 *   relay_probe ip     prints get_remote_ip() ("NULL" when it is NULL)
 *   relay_probe open   prints open_smtp_relay()'s return value
 *   relay_probe rules  prints update_rules()'s return value
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include <stdio.h>
#include <string.h>

#include "vpopmail.h"
#include "vauth.h"

int main(int argc, char **argv)
{
	const char *ip;
	int rc;

	if (argc != 2) {
		fputs("usage: relay_probe ip|open|rules\n", stderr);
		return 2;
	}
	if (strcmp(argv[1], "ip") == 0) {
		ip = get_remote_ip();
		printf("%s\n", ip != NULL ? ip : "NULL");
		return 0;
	}
	if (strcmp(argv[1], "open") == 0)
		rc = open_smtp_relay();
	else if (strcmp(argv[1], "rules") == 0)
		rc = update_rules();
	else
		return 2;
	printf("%d\n", rc);
	vclose();
	return 0;
}
