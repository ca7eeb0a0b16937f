/*
 * dotqmail2valias - convert .qmail-<alias> files into valias table rows.
 *
 * Only meaningful with a backend that stores aliases in a table
 * (./configure --enable-valias).  The cdb build keeps its aliases in the
 * .qmail files themselves, so there is nothing to convert: the program
 * says so and fails, as vpopmail 5.6 did.  The conversion itself is
 * vdotqmail2valias() in the library.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifdef VALIAS
static void usage(void)
{
	fputs("usage: dotqmail2valias [options] [domainlist]\n"
	      "  Converts .qmail-alias files for listed domains to valias format.\n"
	      "  Options:\n"
	      "    -a = convert all domains\n"
	      "    -v = version\n"
	      "    -d = debug info\n", stdout);
}

/* 5.6 perror()ed a message that ends in a newline: "...at <path>\n: <why>". */
static _Noreturn void no_assign_file(const char *path, int err)
{
	fprintf(stderr, "could not open qmail assign file at %s\n: %s\n", path, strerror(err));
	cli_exit(-1);
}

/* -a: every real domain of users/assign (aliases are reported and skipped). */
static void all_domains(void)
{
	string_list names;
	domain_entry *e;
	char path[VP_PATH_MAX];
	FILE *f;
	int i;

	/* 5.6 opened users/assign itself first. */
	snprintf(path, sizeof path, "%s/users/assign", vpopmail_qmaildir());
	if ((f = fopen(path, "r")) == NULL)
		no_assign_file(path, errno);
	fclose(f);
	if (string_list_init(&names, 16) != 0)
		cli_exit(VA_MEMORY_ALLOC_ERR);
	for (e = get_domain_entries(""); e != NULL; e = get_domain_entries(NULL))
		if (string_list_add(&names, e->domain) != 0)
			cli_exit(VA_MEMORY_ALLOC_ERR);
	if (verrori == VA_CANNOT_READ_ASSIGN && names.count == 0)
		no_assign_file(path, EIO);	/* it could be opened just now */
	for (i = 0; i < names.count; i++) {
		printf("converting %s\n", names.values[i]);
		fflush(stdout);
		if (vdotqmail2valias(names.values[i], stdout, stderr) != VA_SUCCESS)
			printf("conversion of %s failed\n", names.values[i]);
	}
	string_list_free(&names);
}

int main(int argc, char **argv)
{
	int c, all = 0;

	cli_open();
	opterr = 0;
	while ((c = getopt(argc, argv, ":avd")) != -1) {
		if (c == 'a')
			all = 1;
		else if (c == 'v')
			cli_version();
		else if (c != 'd') {
			usage();
			cli_exit(-1);
		}
	}
	if (optind == argc) {
		if (!all) {
			usage();
			cli_exit(-1);
		}
		all_domains();
		cli_exit(0);
	}
	for (; optind < argc; optind++) {
		lowerit(argv[optind]);
		printf("converting %s\n", argv[optind]);
		fflush(stdout);
		if (vdotqmail2valias(argv[optind], stdout, stderr) != VA_SUCCESS) {
			fflush(stdout);
			fprintf(stderr, "conversion of %s failed\n", argv[optind]);
		}
	}
	cli_exit(0);
}
#else
int main(void)
{
	fputs("You must enable valiases (./configure --enable-valias) to use this program.\n", stderr);
	return 255;
}
#endif
