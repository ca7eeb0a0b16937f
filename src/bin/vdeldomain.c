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
 * One scan of the operand's entries in users/assign: collect its real
 * domain's aliases into `aliases` and copy the real domain's name into
 * `real`.  Exits with the original's messages when there is nothing to
 * delete.  (5.6 scanned twice, to count and then to print: an alias
 * removed in between left the printed list empty.)
 */
static void find_aliases(const char *domain, char *real, size_t real_size, string_list *aliases)
{
	domain_entry *e;
	int ignored = 0;

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
	if (string_list_init(aliases, 4) != 0)
		cli_exit(VA_MEMORY_ALLOC_ERR);
	for (; e != NULL; e = get_domain_entries(NULL)) {
		if (strcmp(e->domain, e->realdomain) != 0) {
			if (string_list_add(aliases, e->domain) != 0)
				cli_exit(VA_MEMORY_ALLOC_ERR);
		} else {    /* a name that does not fit cannot equal the operand anyway */
			cli_take(real, real_size, e->domain, 0, &ignored);
		}
	}
}

int main(int argc, char **argv)
{
	static char domain[CLI_BUF];
	static char real[CLI_BUF];
	string_list aliases;
	int c, i, stop = 0, force = 0, toolong = 0, err;

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
	find_aliases(domain, real, sizeof(real), &aliases);
	if (aliases.count > 0 && strcmp(domain, real) == 0) {
		printf(force ? "Warning: Alias domains deleted:\n"
		             : "Warning: Alias domains exist:\n");
		for (i = 0; i < aliases.count; i++)
			printf("   %s\n", aliases.values[i]);
		if (!force) {
			printf("   use -f to force delete of domain and all aliases\n");
			string_list_free(&aliases);
			cli_exit(0);
		}
	}
	string_list_free(&aliases);

	err = vdeldomain(domain);
	if (err != VA_SUCCESS)
		cli_print_error(err);
	cli_exit(err);
}
