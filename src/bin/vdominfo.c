/*
 * vdominfo - show the qmail assignment (uid, gid, directory) and the user
 * count of one domain or of every domain in users/assign.
 *
 * The assign file is streamed with get_domain_entries(): one entry in
 * memory at a time.  For a single domain the file is read twice, first
 * for the real domain's block and then for the "alias:" lines, so that
 * the aliases need not be collected.
 *
 * "users" is cur_users from the real domain's .dir-control.  5.6 also
 * wrote that file back (creating it when absent) as a side effect of
 * reading it; this command only reads it.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"vdominfo: usage: [options] [domain]\n"
	"options: -v (print version number)\n"
	"         -a (display all fields, this is the default)\n"
	"         -n (display domain name)\n"
	"         -u (display uid field)\n"
	"         -g (display gid field)\n"
	"         -d (display domain directory)\n"
	"         -t (display total users)\n"
	"         -r (display real domain)\n";

/* What to print; `all` is the full block, the others are bare values. */
struct show {
	int all;
	int name, uid, gid, dir, users, real;
};

static void usage(void)
{
	fputs(usage_text, stdout);
}

static int is_alias(const domain_entry *e)
{
	return strcmp(e->domain, e->realdomain) != 0;
}

/* cur_users of the real domain (0 when it has no .dir-control yet). */
static unsigned long user_count(const domain_entry *e)
{
	vdir_type vd;

	memset(&vd, 0, sizeof vd);
	vread_dir_control(&vd, e->realdomain, (uid_t)e->uid, (gid_t)e->gid);
	return vd.cur_users;
}

static void show_domain(const struct show *s, const domain_entry *e)
{
	if (s->all) {
		if (is_alias(e))
			printf("domain: %s (alias of %s)\n", e->domain, e->realdomain);
		else
			printf("domain: %s\n", e->domain);
		printf("uid:    %lu\n", (unsigned long)(uid_t)e->uid);
		printf("gid:    %lu\n", (unsigned long)(gid_t)e->gid);
		printf("dir:    %s\n", e->path);
		printf("users:  %lu\n", user_count(e));
		return;
	}
	if (s->name) {
		if (is_alias(e))
			printf("%s (alias of %s)\n", e->domain, e->realdomain);
		else
			printf("%s\n", e->domain);
	}
	if (s->uid)
		printf("%lu\n", (unsigned long)(uid_t)e->uid);
	if (s->gid)
		printf("%lu\n", (unsigned long)(gid_t)e->gid);
	if (s->dir)
		printf("%s\n", e->path);
	if (s->users)
		printf("%lu\n", user_count(e));
	if (s->real)
		printf("%s\n", e->realdomain);
}

/* Every entry of users/assign, each block followed by an empty line. */
static void show_all(const struct show *s)
{
	domain_entry *e;

	verrori = 0;
	if ((e = get_domain_entries("")) == NULL) {
		if (verrori != 0) {
			printf("Can't get domain entries - %s\n", verror(verrori));
			cli_exit(-1);
		}
		printf("What now - %s\n", verror(0));
		cli_exit(0);
	}
	for (; e != NULL; e = get_domain_entries(NULL)) {
		show_domain(s, e);
		fputs("\n", stdout);
	}
}

/* The real domain's block, then "alias: <name>" per alias, in file order. */
static void show_one(const struct show *s, const char *domain)
{
	domain_entry *e;

	verrori = 0;
	if ((e = get_domain_entries(domain)) == NULL) {
		if (verrori != 0) {
			printf("Can't get domain entries - %s\n", verror(verrori));
			cli_exit(verrori);
		}
		fputs("Invalid domain name\n", stdout);
		cli_exit(VA_DOMAIN_DOES_NOT_EXIST);
	}
	for (; e != NULL; e = get_domain_entries(NULL))
		if (!is_alias(e))
			show_domain(s, e);

	/* Second pass; the file was readable a moment ago, so an error now
	 * just ends the alias list. */
	for (e = get_domain_entries(domain); e != NULL; e = get_domain_entries(NULL))
		if (is_alias(e))
			printf("alias: %s\n", e->domain);
}

int main(int argc, char **argv)
{
	static char domain[CLI_BUF];
	struct show s = { .all = 1 };
	int c, err = 0;

	cli_open();

	while (!err && (c = getopt(argc, argv, "vanugdtr")) != -1) {
		switch (c) {
		case 'v': cli_version(); break;
		case 'a': s.all = 1; break;
		case 'n': s.name = 1; s.all = 0; break;
		case 'u': s.uid = 1; s.all = 0; break;
		case 'g': s.gid = 1; s.all = 0; break;
		case 'd': s.dir = 1; s.all = 0; break;
		case 't': s.users = 1; s.all = 0; break;
		case 'r': s.real = 1; s.all = 0; break;
		default: err = 1; break;
		}
	}
	if (err) {
		usage();
		cli_exit(-1);
	}
	if (optind < argc && argv[optind][0] != '\0') {
		/* Longer than any domain name: it cannot be in users/assign. */
		if (strlen(argv[optind]) >= sizeof domain) {
			fputs("Invalid domain name\n", stdout);
			cli_exit(VA_DOMAIN_DOES_NOT_EXIST);
		}
		strcpy(domain, argv[optind]);
		show_one(&s, domain);
	} else {
		show_all(&s);
	}
	cli_exit(0);
}
