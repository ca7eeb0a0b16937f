/*
 * error.c - VA_* codes to text, and the classic error-exit helpers.
 *
 * The texts are those of vpopmail 5.6 byte for byte, because the commands
 * print them ("Error: <text>") and scripts match on them.  The domains
 * directory name is compiled in (DOMAINS_DIR), as in the original.
 *
 * Also home of the three global variables of the classic API.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"

#include <stdio.h>
#include <string.h>

int verrori = 0;
int OptimizeAddDomain = 0;
int NoMakeIndex = 0;

/* Fixed texts, indexed by -code.  NULL = no text ("Unknown error"). */
static const char *const fixed_text[] = {
	[0]  = "Success",
	[1]  = "Illegal username",
	[2]  = "Username exists",
	[3]  = "Unable to chdir to vpopmail directory",
	[4]  = "Unable to chdir to vpopmail/users directory",
	[5]  = "Unable to chdir to vpopmail/" DOMAINS_DIR " directory",
	[6]  = "Unable to chdir to vpopmail/" DOMAINS_DIR "/domain directory",
	[7]  = "User's directory already exists",
	[8]  = "Unable to chdir to user's directory",
	[9]  = "Creation of user's subdirectories failed",
	[10] = "User does not exist",
	[11] = "Domain does not exist",
	[12] = "Invalid domain name",
	[13] = "Domain already exists",
	[14] = "Could not make domain dir",
	[15] = "Could not open qmail default",
	[16] = "Can not make " DOMAINS_DIR " directory",
	[17] = "Could not update file",
	[18] = "Crypt failed",
	[19] = "Could not open dot qmail file",
	[20] = "bad character",
	/* 21 VA_SQWEBMAIL_PASS_FAIL has no text in 5.6. */
	[22] = "running as invalid uid",
	[23] = "no authentication database connection",
	[24] = "memory allocation error",
	[25] = "user name too long (max=64)",
	[26] = "domain name too long (max=96)",
	[27] = "password too long (max=128)",
	[28] = "gecos too long (max=64)",
	[29] = "quota too long (max=20)",
	[30] = "dir too long (max=160)",
	[31] = "clear password too long (max=128)",
	[32] = "alias line too long (max=160)",
	[33] = "null pointer",
	[34] = "invalid email character",
	[35] = "parsing database configuration file",
	[36] = "can't read domain limits",
	[37] = "can't read users/assign file",
	/* 38..44 (SQL backend codes) have no text in 5.6. */
	[45] = "parsing database configuration file - update server",
	[46] = "parsing database configuration file - update port",
	[47] = "parsing database configuration file - update user",
	[48] = "parsing database configuration file - update password",
	[49] = "parsing database configuration file - update database",
	[50] = "parsing database configuration file - readonly server",
	[51] = "parsing database configuration file - readonly port",
	[52] = "parsing database configuration file - readonly user",
	[53] = "parsing database configuration file - readonly password",
	[54] = "parsing database configuration file - readonly database",
	[55] = "can't delete catchall account",
};

#define N_FIXED ((int)(sizeof(fixed_text) / sizeof(fixed_text[0])))

/*
 * The classic signature returns char *; the strings are constant and
 * must not be modified by the caller (the original returned literals too).
 */
char *verror(int va_err)
{
	if (va_err <= VA_PWSTR_EMPTY && va_err >= VA_PWSTR_DELTA)
		return (char *)vp_pwstr_error_text(va_err);
	if (va_err <= 0 && -va_err < N_FIXED && fixed_text[-va_err] != NULL)
		return (char *)fixed_text[-va_err];
	return (char *)"Unknown error";
}

void vsqlerror(FILE *f, char *comment)
{
	if (f == NULL)
		f = stderr;
	fprintf(f, "Error - %s. %s\n", verror(verrori), comment != NULL ? comment : "");
}

/*
 * The original vexit() and vexiterror() close the backend and exit(3).
 * A library must not end its caller's process, so these close the backend
 * and RETURN the status instead; a program writes `return vexit(n);` in
 * main() or calls exit(vexit(n)) itself.
 */
int vexit(int code)
{
	vclose();
	return code;
}

int vexiterror(FILE *f, char *comment)
{
	vsqlerror(f, comment);
	vclose();
	return verrori;
}

/* The library's version ("5.6.13", the release it is compatible with),
 * also copied to outbuf when one is given, as 5.6 did. */
char *vversion(char *outbuf)
{
	static char version[] = PACKAGE_VERSION;

	if (outbuf != NULL)
		memcpy(outbuf, version, sizeof version);
	return version;
}
