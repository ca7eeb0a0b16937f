/*
 * vdeloldusers - find (and with -D delete) users who have not logged in
 * for a number of days.
 *
 * "Old" means the user has a lastauth record (time != 0) older than now
 * minus the age; users who never logged in are kept, and so is every
 * postmaster.  With -e every users/assign entry is processed under the
 * name of its real domain, as 5.6 did (it read the second field of each
 * line), so a domain with aliases is walked once per entry.  Deletion goes through vdeluser(), so
 * the onchange hook sees each one.  The old users of a domain are
 * collected before any is deleted, so the walk never runs over a
 * vpasswd file it is changing, and each is checked again just before
 * its deletion.
 *
 * Needs --enable-auth-logging; other builds only say so.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef ENABLE_AUTH_LOGGING

int main(void)
{
	printf("auth logging was not enabled, reconfigure with --enable-auth-logging=y\n");
	cli_exit(-1);
}

#else

#define DEFAULT_AGE 180

static const char usage_text[] =
	"vdeloldusers: usage: [options]\n"
	"options: -a age_in_days (will delete accounts older than this date)\n"
	"                        (default is 6 months or 180 days)\n"
	"         -v (print version number and exit)\n"
	"         -d [domain] (process only [domain])\n"
	"         -e (process every domain)\n"
	"         -D (actually delete users. no users are deleted without this option)\n"
	"         -V (verbose -- print old users that will be deleted)\n";

static int verbose, delete_them, found_old;

static void die_memory(void)
{
	cli_fail(VA_MEMORY_ALLOC_ERR);
}

/* Old: a lastauth record older than the cutoff (never logged in: kept). */
static int is_old(struct vqpasswd *pw, char *domain, time_t cutoff)
{
	time_t last = vget_lastauth(pw, domain);

	return last != 0 && last < cutoff;
}

static void process_domain(char *domain, time_t cutoff)
{
	struct vqpasswd *pw;
	string_list old;
	int first = 1, i;

	if (string_list_init(&old, 8) != 0)
		die_memory();
	while ((pw = vauth_getall(domain, first, 0)) != NULL) {
		first = 0;
		if (strcmp(pw->pw_name, "postmaster") == 0) {
			if (verbose)
				printf("skipping postmaster@%s\n", domain);
			continue;
		}
		if (!is_old(pw, domain, cutoff))
			continue;
		found_old = 1;
		if (verbose)
			printf("%s@%s\n", pw->pw_name, domain);
		if (delete_them && string_list_add(&old, pw->pw_name) != 0)
			die_memory();
	}
	/* Each is looked at again just before it goes: since the walk, the
	 * user may have logged in, or been deleted and added anew.  (A login
	 * in the moment between this look and the deletion is not seen.) */
	for (i = 0; i < old.count; i++)
		if ((pw = vauth_getpw(old.values[i], domain)) != NULL && is_old(pw, domain, cutoff))
			(void)vdeluser(old.values[i], domain);
	string_list_free(&old);
}

/*
 * The real domain of every users/assign entry, in file order (taken
 * first: deleting users must not disturb the walk).  `match` is the -d
 * domain if one came before -e ("" otherwise): as in 5.6, only that
 * domain's entries are walked then.  No entries at all ends the program
 * as 5.6 did, before the summary line.
 */
static void process_all(char *match, time_t cutoff)
{
	string_list names;
	domain_entry *e;
	int i;

	e = cli_domain_entries(match);
	if (string_list_init(&names, 16) != 0)
		die_memory();
	for (; e != NULL; e = get_domain_entries(NULL))
		if (string_list_add(&names, e->realdomain) != 0)
			die_memory();
	for (i = 0; i < names.count; i++)
		process_domain(names.values[i], cutoff);
	string_list_free(&names);
}

int main(int argc, char **argv)
{
	static char domain[CLI_BUF];
	int c, bad = 0, every = 0, age = DEFAULT_AGE, toolong = 0;
	time_t cutoff;

	cli_open();

	while (!bad && (c = getopt(argc, argv, "vVDd:a:e")) != -1) {
		switch (c) {
		case 'e':
			every = 1;
			break;
		case 'D':
			delete_them = 1;
			break;
		case 'V':
			verbose = 1;
			break;
		case 'd':
			cli_take(domain, sizeof(domain), optarg, VA_DOMAIN_NAME_TOO_LONG, &toolong);
			every = 0;
			break;
		case 'a':
			age = atoi(optarg);
			break;
		case 'v':
			cli_version();
			cli_exit(-1);
		default:
			bad = 1;
			break;
		}
	}
	if (argc <= 1) {
		fputs(usage_text, stdout);
		cli_exit(-1);
	}
	if (toolong != 0)
		cli_fail(toolong);
	if (!every && domain[0] == '\0') {
		printf("error: you must supply either the -e or -d [domain] options\n");
		cli_exit(-1);
	}

	cutoff = time(NULL) - (time_t)86400 * age;
	if (every)
		process_all(domain, cutoff);
	else
		process_domain(domain, cutoff);

	if (!found_old)
		printf("no old users found\n");
	else if (!delete_them)
		printf(" ** no users were deleted  **\n ** use -D to delete users **\n");
	cli_exit(0);
}

#endif /* ENABLE_AUTH_LOGGING */
