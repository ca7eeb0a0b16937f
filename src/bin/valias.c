/*
 * valias - show, add and delete the aliases of a virtual domain.
 *
 * In the cdb build an alias is a .qmail-<alias> file in the domain
 * directory (see src/lib/valias.c).  The program checks the operand,
 * calls the library and prints what vpopmail 5.6 printed.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum action { SHOW, NAMES, INSERT, DELETE };

static const char usage_text[] =
	"valias: usage: [options] email_address \n"
	"options: -v ( display the vpopmail version number )\n"
	"         -n ( show alias names, use just domain )\n"
	"         -s ( show aliases, can use just domain )\n"
	"         -d ( delete alias )\n"
	"         -i alias_line (insert alias line)\n"
	"\n"
	"Example: valias -i fred@inter7.com bob@inter7.com\n"
	"         (adds alias from bob@inter7.com to fred@inter7.com\n";

static void usage(void)
{
	fputs(usage_text, stdout);
}

/* The library's "unknown domain" result, worded as 5.6 printed it. */
static int domain_unknown(void)
{
	if (verrori != VA_DOMAIN_DOES_NOT_EXIST)
		return 0;
	printf("invalid domain, not in qmail assign file\n");
	return 1;
}

/* "Error: <text>" on stderr and exit (5.6 reported operand errors there). */
static _Noreturn void fail_stderr(int va)
{
	fprintf(stderr, "Error: %s\n", verror(va));
	cli_exit(va);
}

/* -s with a domain: every alias of the domain, in name order. */
static void show_domain(char *domain)
{
	static char alias[CLI_BUF];
	char *line;

	line = valias_select_all(alias, domain);
	if (line == NULL) {
		domain_unknown();
		printf("No aliases found for domain %s\n", domain);
		cli_exit(-1);
	}
	for (; line != NULL; line = valias_select_all_next(alias))
		printf("%s@%s -> %s\n", alias, domain, line);
}

/* -s with an address: the lines of that alias. */
static void show_alias(char *alias, char *domain)
{
	char *line;

	line = valias_select(alias, domain);
	if (line == NULL) {
		domain_unknown();
		printf("No aliases %s@%s found\n", alias, domain);
		cli_exit(-1);
	}
	for (; line != NULL; line = valias_select_next())
		printf("%s@%s -> %s\n", alias, domain, line);
}

/* -n: the alias names of a domain. */
static void show_names(char *email)
{
	char *name;

	if (strchr(email, '@') != NULL) {
		fprintf(stderr, "Please enter domain name only.\n");
		cli_exit(-1);
	}
	name = valias_select_names(email);
	if (name == NULL) {
		domain_unknown();
		cli_exit(-1);
	}
	for (; name != NULL; name = valias_select_names_next())
		printf("%s\n", name);
	valias_select_names_end();
}

/* -i: append a line unless the alias already has it. */
static void insert(char *email, char *alias, char *domain, char *line)
{
	char *cur;
	int exists = 0, err;

	for (cur = valias_select(alias, domain); cur != NULL; cur = valias_select_next())
		if (strcmp(cur, line) == 0)
			exists = 1;
	/* 5.6 went on and exited 0 here; we stop with an error status. */
	if (domain_unknown())
		cli_exit(-1);
	if (exists) {
		fprintf(stderr, "Error: alias %s -> %s already exists.\n", email, line);
		cli_exit(-1);
	}
	err = valias_insert(alias, domain, line);
	if (err != VA_SUCCESS)
		fail_stderr(err);
}

/* -d: remove the alias file; a missing alias is not an error (5.6). */
static void delete(char *alias, char *domain)
{
	int err;

	err = valias_delete(alias, domain);
	if (err == VA_DOMAIN_DOES_NOT_EXIST) {
		printf("invalid domain, not in qmail assign file\n");
		return;
	}
	if (err != VA_SUCCESS && err != VA_COULD_NOT_OPEN_DOT_QMAIL)
		fail_stderr(err);
}

int main(int argc, char **argv)
{
	static char email[CLI_BUF];
	static char alias[CLI_BUF];
	static char domain[CLI_BUF];
	enum action action = SHOW;
	char *line = NULL;
	int c, toolong = 0, err;

	cli_open();

	while ((c = getopt(argc, argv, "vnsdi:")) != -1) {
		switch (c) {
		case 'v':
			cli_version();
			break;
		case 'n':
			action = NAMES;
			break;
		case 's':
			action = SHOW;
			break;
		case 'd':
			action = DELETE;
			break;
		case 'i':
			action = INSERT;
			line = optarg;
			break;
		default:
			usage();
			cli_exit(-2);
		}
	}
	if (optind < argc) {
		cli_take(email, sizeof(email), argv[optind], cli_email_too_long(argv[optind]), &toolong);
		if (toolong != 0)
			fail_stderr(toolong);
		/* Lower-cases email; without '@' the alias part is the whole
		 * operand.  An empty operand is the missing one below. */
		err = email[0] != '\0' ? parse_email(email, alias, domain, (int)sizeof(alias)) : 0;
		if (err != 0)
			fail_stderr(err);
		optind++;
	}
	if (email[0] == '\0') {
		fprintf(stderr, "must supply alias email address\n");
		usage();
		cli_exit(-1);
	}

	switch (action) {
	case SHOW:
		if (strchr(email, '@') == NULL)
			show_domain(email);
		else
			show_alias(alias, domain);
		break;
	case NAMES:
		show_names(email);
		break;
	case INSERT:
		insert(email, alias, domain, line);
		break;
	case DELETE:
		delete(alias, domain);
		break;
	}
	cli_exit(0);
}
