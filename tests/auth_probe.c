/*
 * auth_probe - one long-lived process asking the auth backend, for the
 * scenario tests: each stdin line "USER DOMAIN" is answered on stdout with
 * "NAME|GECOS|QUOTA" or "none <verrori>".  It keeps its connections (if the
 * backend has any) between lines, so a test can restart a database server
 * underneath it.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include <stdio.h>
#include <string.h>

#include "vpopmail.h"
#include "vauth.h"

int main(void)
{
	char line[512], user[256], domain[256];
	struct vqpasswd *pw;

	while (fgets(line, sizeof line, stdin) != NULL) {
		if (sscanf(line, "%255s %255s", user, domain) != 2) {
			puts("usage: USER DOMAIN");
		} else if ((pw = vauth_getpw(user, domain)) != NULL) {
			printf("%s|%s|%s\n", pw->pw_name, pw->pw_gecos, pw->pw_shell);
		} else {
			printf("none %d\n", verrori);
		}
		fflush(stdout);
	}
	vclose();
	return 0;
}
