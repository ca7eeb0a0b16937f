/*
 * vdeldomain - delete a virtual domain (or one alias of it).
 *
 * A real domain that still has alias domains is only deleted with -f;
 * without it the aliases are listed and nothing happens (exit 0).  The
 * real-domain test compares the operand as typed, as 5.6 did.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"vdeldomain: usage: [options] domain_name\n"
	"options: -v (print version number)\n"
	"options: -f (force delete of virtual domains)\n";

static void usage(void)
{
	fputs(usage_text, stdout);
}

/*
 * First scan of the operand's entries in users/assign: count its real
 * domain's aliases and copy the real domain's name into `real`.  Exits
 * with the original's messages when there is nothing to delete.
 */
static int count_aliases(const char *domain, char *real, size_t real_size)
{
	domain_entry *e;
	int n = 0, ignored = 0;

	verrori = 0;
	e = get_domain_entries(domain);
	if (e == NULL) {
		if (verrori != 0) {
			printf("Error: Can't get domain entries - %s\n", verror(verrori));
			cli_exit(verrori);
		}
		/* Nothing in users/assign: vdeldomain() still finishes a
		 * deletion that was killed half way (users/cdb not rebuilt,
		 * or the directory not removed yet).  5.6 said the domain
		 * does not exist, and vadddomain could not add it again. */
		if (vdeldomain((char *)domain) == VA_SUCCESS)
			cli_exit(0);
		printf("Error: Domain does not exist\n");
		cli_exit(VA_DOMAIN_DOES_NOT_EXIST);
	}
	for (; e != NULL; e = get_domain_entries(NULL)) {
		if (strcmp(e->domain, e->realdomain) != 0)
			n++;
		else    /* a name that does not fit cannot equal the operand anyway */
			cli_take(real, real_size, e->domain, 0, &ignored);
	}
	return n;
}

/* Second scan: print the aliases, one per line, in users/assign order. */
static void print_aliases(const char *domain)
{
	domain_entry *e;

	for (e = get_domain_entries(domain); e != NULL; e = get_domain_entries(NULL))
		if (strcmp(e->domain, e->realdomain) != 0)
			printf("   %s\n", e->domain);
}

int main(int argc, char **argv)
{
	static char domain[CLI_BUF];
	static char real[CLI_BUF];
	int c, stop = 0, force = 0, toolong = 0, err;

	cli_open();

	while (!stop && (c = getopt(argc, argv, "vf")) != -1) {
		switch (c) {
		case 'v':
			cli_version();
			break;
		case 'f':
			force = 1;
			break;
		default:
			stop = 1;
			break;
		}
	}
	if (optind >= argc) {
		usage();
		cli_exit(0);
	}
	cli_take(domain, sizeof(domain), argv[optind++], VA_DOMAIN_NAME_TOO_LONG, &toolong);
	if (toolong != 0)
		cli_fail(toolong);

	/* Only a real domain named exactly as typed gets the alias check. */
	if (count_aliases(domain, real, sizeof(real)) > 0 && strcmp(domain, real) == 0) {
		printf(force ? "Warning: Alias domains deleted:\n"
		             : "Warning: Alias domains exist:\n");
		print_aliases(domain);
		if (!force) {
			printf("   use -f to force delete of domain and all aliases\n");
			cli_exit(0);
		}
	}

	err = vdeldomain(domain);
	if (err != VA_SUCCESS)
		cli_print_error(err);
	cli_exit(err);
}
