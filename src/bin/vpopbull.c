/*
 * vpopbull - deliver a bulletin to every user of some domains, or of
 * all of them.
 *
 * Options, messages and exit statuses follow vpopmail 5.6 (spec
 * runtime.md §6).  Each domain argument is resolved on its own, so an
 * alias argument cannot disturb the ones after it.  The delivery itself
 * lives in the library (bulletin.c).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: vpopbull [options] -f [email_file] [virtual_domain] [...]\n"
	"       -v (print version number)\n"
	"       -V (verbose)\n"
	"       -f email_file (file with message contents)\n"
	"       -e exclude_email_addr_file (list of addresses to exclude)\n"
	"       -n (don't mail. Use with -V to list accounts)\n"
	"       -c (default, copy file)\n"
	"       -h (use hard links)\n"
	"       -s (use symbolic links)\n";

static void usage(void)
{
	fputs(usage_text, stdout);
}

static _Noreturn void usage_exit(void)
{
	usage();
	cli_exit(-1);
}

static int verbose;

static void report(const struct vbull_result *r, void *arg)
{
	const struct vbulletin *b = arg;

	if (b->list_only || (r->rc == VA_SUCCESS && verbose)) {
		printf("%s@%s\n", r->user, r->domain);
		return;
	}
	if (r->rc == VA_SUCCESS)
		return;
	if (r->rc == VA_BAD_U_DIR)
		fprintf(stderr, "Auto creation of maildir failed for %s@%s\n", r->user, r->domain);
	else if (r->rc == VA_USER_DOES_NOT_EXIST)
		fprintf(stderr, "Failed to vauth_getpw() for %s@%s\n", r->user, r->domain);
	else if (r->call != NULL)
		fprintf(stderr, "%s: %s\n", r->call, strerror(r->err));
	fprintf(stderr, "%s@%s: ERROR COPYING TO %s\n", r->user, r->domain, r->dir);
}

/* The real domains this run has delivered to. */
static string_list done;

/*
 * A domain reached again in one run (named twice, or an alias and its
 * real domain) is skipped: each user gets the bulletin once.  (5.6 wrote
 * the same file name again, or a second copy a second later.)
 */
static int seen_before(const char *domain)
{
	char real[MAX_PW_DOMAIN + 1];
	int i;

	if (strlen(domain) > MAX_PW_DOMAIN)
		return 0;
	snprintf(real, sizeof real, "%s", domain);
	if (vget_assign(real, NULL, 0, NULL, NULL) == NULL)
		return 0;	/* unknown: reported below */
	for (i = 0; i < done.count; i++)
		if (strcmp(done.values[i], real) == 0)
			return 1;
	if (string_list_add(&done, real) != 0)
		cli_exit(VA_MEMORY_ALLOC_ERR);
	return 0;
}

/* The first failure to read a domain or its users: the exit status. */
static int failed;

static void one_domain(struct vbulletin *b, const char *domain)
{
	int rc;

	if (seen_before(domain))
		return;
	rc = vbulletin_domain(b, domain, report, b);
	if (rc != VA_SUCCESS && rc != VA_DOMAIN_DOES_NOT_EXIST) {
		/* Not "no such domain": its users could not all be read. */
		fflush(stdout);
		fprintf(stderr, "Error: domain %s: %s\n", domain, verror(rc));
		if (failed == 0)
			failed = rc;
	} else if (rc == VA_DOMAIN_DOES_NOT_EXIST) {
		char *lower = strdup(domain), *p;

		/* 5.6 names it as looked up: lower-cased (lowerit() would
		 * also cut it at 156 characters). */
		for (p = lower; p != NULL && *p != '\0'; p++)
			*p = (char)tolower((unsigned char)*p);
		fflush(stdout);
		fprintf(stderr, "Error: domain %s does not exist\n", lower != NULL ? lower : domain);
		free(lower);
	}
}

/* Every real domain of users/assign, in file order.  The names are
 * collected first so that delivering cannot disturb the reading. */
static void all_domains(struct vbulletin *b)
{
	string_list names;
	domain_entry *e;
	int i;

	e = cli_domain_entries("");
	if (string_list_init(&names, 16) != 0)
		cli_exit(VA_MEMORY_ALLOC_ERR);
	for (; e != NULL; e = get_domain_entries(NULL)) {
		if (strcmp(e->domain, e->realdomain) != 0) {
			if (verbose)
				fprintf(stderr, "skipping %s (alias of %s)\n", e->domain, e->realdomain);
		} else if (string_list_add(&names, e->realdomain) != 0) {
			cli_exit(VA_MEMORY_ALLOC_ERR);
		}
	}
	for (i = 0; i < names.count; i++)
		one_domain(b, names.values[i]);
	string_list_free(&names);
}

int main(int argc, char **argv)
{
	struct vbulletin b;
	const char *msgfile = NULL, *exclfile = NULL;
	int c, method = VBULL_COPY, list_only = 0;

	if (argc == 1)
		usage_exit();
	cli_open();
	while ((c = getopt(argc, argv, "Vvcshnf:e:")) != -1) {
		switch (c) {
		case 'v': cli_version(); break;
		case 'V': verbose = 1; break;
		case 'c': method = VBULL_COPY; break;
		case 'h': method = VBULL_HARDLINK; break;
		case 's': method = VBULL_SYMLINK; break;
		case 'n': list_only = 1; break;
		case 'f': msgfile = optarg; break;
		case 'e': exclfile = optarg; break;
		default: usage_exit();
		}
	}

	vbulletin_init(&b, method);
	b.list_only = list_only;
	if (msgfile != NULL) {
		if (vbulletin_set_message(&b, msgfile) != VA_SUCCESS) {
			fprintf(stderr, "Could not open file %s\n", msgfile);
			cli_exit(-1);
		}
		if (b.size == 0) {
			fprintf(stderr, "Error: %s is empty\n", msgfile);
			cli_exit(-1);
		}
	} else if (!list_only) {
		fprintf(stderr, "Error: email_file not specified\n");
		usage_exit();
	}
	if (exclfile != NULL && vbulletin_set_exclude(&b, exclfile) != VA_SUCCESS) {
		fprintf(stderr, "Could not open file %s\n", exclfile);
		cli_exit(-1);
	}

	if (string_list_init(&done, 16) != 0)
		cli_exit(VA_MEMORY_ALLOC_ERR);
	if (optind < argc) {
		for (; optind < argc; optind++)
			one_domain(&b, argv[optind]);
	} else {
		all_domains(&b);
	}
	string_list_free(&done);
	vbulletin_free(&b);
	cli_exit(failed);
}
