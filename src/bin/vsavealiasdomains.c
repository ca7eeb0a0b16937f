/*
 * vsavealiasdomains - copy alias domains from qmail's users/assign into
 * the MySQL aliasdomains table (builds with --enable-sql-aliasdomains;
 * any other build says so and fails).
 *
 *   vsavealiasdomains -A                     every alias of every domain
 *   vsavealiasdomains real_domain            every alias of one domain
 *   vsavealiasdomains real_domain alias      one alias
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef SQL_ALIASDOMAINS
int main(void)
{
	cli_open();
	printf("\nPlease use option --enable-sql-aliasdomains at configure time\n\n");
	cli_exit(-1);
}
#else

static const char usage_text[] =
	"\nUsage: vsavealiasdomains [options] [real_domain] [alias_domain]\n"
	"options:          -v (print version number)\n"
	"                  -h (help)\n"
	"                  -A (saves all aliases of all domains to MySQL)\n"
	"vsavealiasdomains domain (saves all aliases of a domain to MySQL)\n"
	"vsavealiasdomains real_domain alias_domain (saves an alias domain to MySQL)\n\n";

/*
 * Save the aliases among the entries of `domain` ("" = all domains), only
 * `alias` when given.  Returns how many were saved, -1 if there is no such
 * domain, -2 if assign could not be read (messages printed).
 */
static int save(const char *domain, const char *alias, const char *sep1, const char *sep2)
{
	char real[CLI_BUF], name[CLI_BUF];
	domain_entry *e;
	int n = 0;

	e = get_domain_entries(domain);
	if (e == NULL) {
		if (verrori != 0) {
			printf("Can't get domain entries - %s\n", verror(verrori));
			return -2;
		}
		if (domain[0] == '\0')
			printf("No domain found\n");
		else
			printf("%s does not exist\n", domain);
		return -1;
	}
	for (; e != NULL; e = get_domain_entries(NULL)) {
		if (strcmp(e->domain, e->realdomain) == 0)
			continue;
		if (alias != NULL && strcmp(alias, e->domain) != 0)
			continue;
		snprintf(real, sizeof real, "%s", e->realdomain);
		snprintf(name, sizeof name, "%s", e->domain);
		/* 5.6 said "saved" whatever the insert did; a failure is told. */
		if (vcreate_sql_aliasdomain(real, name) != VA_SUCCESS)
			printf("Alias: %s%sReal domain: %s%snot saved\n", name, sep1, real, sep2);
		else
			printf("Alias: %s%sReal domain: %s%ssaved\n", name, sep1, real, sep2);
		n++;
	}
	return n;
}

int main(int argc, char **argv)
{
	const char *domain = NULL, *alias = NULL;
	int c, all = 0, bad = 0, n;

	cli_open();
	while (!bad && (c = getopt(argc, argv, "vAh")) != -1) {
		switch (c) {
		case 'v':
			cli_version();
			break;
		case 'A':
			all = 1;
			break;
		default:
			bad = 1;
			break;
		}
	}
	if (bad) {
		fputs(usage_text, stdout);
		cli_exit(-1);
	}
	if (optind < argc)
		domain = argv[optind++];
	if (optind < argc)
		alias = argv[optind++];
	/* As 5.6: an empty name is no name (not "every domain"). */
	if (domain != NULL && domain[0] == '\0')
		domain = NULL;
	if (alias != NULL && alias[0] == '\0')
		alias = NULL;
	if (domain != NULL && alias != NULL && strcmp(domain, alias) == 0) {
		printf("Error: real domain and alias domain are the same!\n");
		fputs(usage_text, stdout);
		cli_exit(-1);
	}
	if (domain != NULL) {
		/* 5.6's spacing differs between the one-domain forms and -A. */
		n = save(domain, alias, "  ", "     ");
		if (n == -2)
			cli_exit(-1);
		if (n == 0 && alias != NULL)
			printf("No alias %s found for domain %s\n", alias, domain);
		else if (n == 0)
			printf("No aliases found for domain %s\n", domain);
	} else if (all) {
		n = save("", NULL, " ", " ");
		if (n == -2)
			cli_exit(-1);
		if (n == 0)
			printf("No aliases found\n");
	} else {
		fputs(usage_text, stdout);
	}
	cli_exit(0);
}
#endif
