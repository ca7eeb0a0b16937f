/*
 * cli.c - helpers shared by the command-line programs (see cli.h).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_exit_code(int va)
{
	return va & 0xff;
}

_Noreturn void cli_exit(int va)
{
	vclose();
	exit(cli_exit_code(va));
}

void cli_open(void)
{
	if (vauth_open(1) != 0) {
		fprintf(stderr, "Error - %s. Initial open.\n", verror(verrori));
		if (verrori == VA_NO_AUTH_CONNECTION && *vauth_why() != '\0')
			fprintf(stderr, "%s\n", vauth_why());
		cli_exit(verrori);
	}
}

void cli_version(void)
{
	printf("version: %s\n", PACKAGE_VERSION);
}

void cli_version_options(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "v")) == 'v')
		cli_version();
}

void cli_print_error(int va)
{
	printf("Error: %s\n", verror(va));
	/* A database that cannot answer: why, for the admin (5.6 said no more). */
	if (va == VA_NO_AUTH_CONNECTION && *vauth_why() != '\0')
		fprintf(stderr, "%s\n", vauth_why());
}

/* The strength codes run from VA_PWSTR_EMPTY (-69) down to VA_PWSTR_DELTA (-74). */
static int is_pwstr_code(int va)
{
	return va <= VA_PWSTR_EMPTY && va >= VA_PWSTR_DELTA;
}

void cli_print_pw_error(int va)
{
	const char *policy;

	cli_print_error(va);
	if (!is_pwstr_code(va))
		return;
	policy = vpw_strength_policy();
	if (policy != NULL && *policy != '\0')
		printf("A password policy is in place:\n\t%s\n", policy);
}

_Noreturn void cli_fail(int va)
{
	cli_print_error(va);
	cli_exit(va);
}

int cli_take(char *dst, size_t size, const char *src, int va_too_long, int *pending)
{
	size_t len = strlen(src);

	if (len >= size) {
		dst[0] = '\0';
		if (*pending == 0)
			*pending = va_too_long;
		return -1;
	}
	memcpy(dst, src, len + 1);
	return 0;
}

int cli_email_too_long(const char *email)
{
	const char *sep = strchr(email, '@');
	size_t user_len;

	if (sep == NULL)
		sep = strchr(email, '%');
	if (sep == NULL)
		sep = strchr(email, '/');
	user_len = sep != NULL ? (size_t)(sep - email) : strlen(email);
	return user_len > MAX_PW_NAME ? VA_USER_NAME_TOO_LONG : VA_DOMAIN_NAME_TOO_LONG;
}

void cli_random_option(const char *arg, char *pw, size_t size)
{
	long len = CLI_RANDOM_DEFAULT;

	if (arg != NULL) {
		/* atoi() semantics, as the original: no digits means 0. */
		len = (int)strtol(arg, NULL, 10);
		if (len > CLI_RANDOM_MAX)
			cli_fail(VA_PASSWD_TOO_LONG);
		if (len < 0)
			len = 0;
	}
	if ((size_t)len >= size)        /* cannot happen with CLI_BUF buffers */
		cli_fail(VA_PASSWD_TOO_LONG);
	vrandom_pass(pw, (int)len);
	pw[len] = '\0';
}

_Noreturn void cli_password_conflict(void)
{
	printf("Error: don't use -r option when giving password on command line\n");
	cli_exit(-1);
}

void cli_random_line(const char *pw)
{
	printf("Random password: %s\n", pw);
}

int cli_read_password(char *who, char *pw, size_t size)
{
	char answer[4 * CLI_BUF];
	int toolong = 0;

	/* Read into a larger buffer, so an answer too long for pw is
	 * refused like an overlong operand instead of being cut short. */
	answer[0] = '\0';
	vgetpasswd(who, answer, sizeof(answer));
	answer[sizeof(answer) - 1] = '\0';
	cli_take(pw, size, answer, VA_PASSWD_TOO_LONG, &toolong);
	explicit_bzero(answer, sizeof(answer));
	if (toolong != 0)
		cli_fail(toolong);
	return pw[0] != '\0' ? 0 : -1;
}

_Noreturn void cli_no_password(void (*usage)(void))
{
	printf("Error: No password entered\n");
	usage();
	cli_exit(-1);
}

domain_entry *cli_domain_entries(const char *match)
{
	domain_entry *e;

	verrori = 0;
	e = get_domain_entries(match);
	if (e != NULL)
		return e;
	if (verrori != 0) {
		printf("Can't get domain entries - %s\n", verror(verrori));
		cli_exit(-1);
	}
	printf("What now - %s\n", verror(0));
	cli_exit(0);
}
