/*
 * vmakedotqmail - install QMAILDIR/control/defaultdelivery as users'
 * .qmail files, or rewrite domains' .qmail-default (5.6,
 * --enable-defaultdelivery builds only).
 *
 *   -u user@domain | -d domain | -A    whom to process (-A wins, then -d)
 *   -o overwrite existing .qmail, -r remove them, -t dry run,
 *   -q default|<text> rewrite .qmail-default instead (needs -d or -A).
 *
 * Users are skipped when defaultdelivery itself calls vdelivermail: a
 * .qmail that hands mail back to vdelivermail would loop.  Files are
 * written atomically, 0600, owned by the vpopmail user.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef DEFAULT_DELIVERY

int main(void)
{
	printf("\nPlease use option --enable-defaultdelivery at configure time\n\n");
	exit(255);
}

#else

static const char rule[] =
	"==================================================================\n";

static const char usage_text[] =
	"\n"
	"Usage: vmakedotqmail [option] [argument]\n\n"
	"options: -u <username@domain>  install .qmail for the user <username@domain>\n"
	"         -d <domain>           install .qmail for all users of domain <domain>\n"
	"         -A                    install .qmail for all users of all domains\n"
	"         -o (overwrite)        do not skip existing .qmail files. Use with -A|-d|-u\n"
	"         -r (reverse)          remove the existing .qmail files. Use with -A|-d|-u\n"
	"         -q [default|argument] reinstall the .qmail-default in domain -d <domain>\n"
	"                               or in ALL domains (-A).\n"
	"         -t (testing mode)     do not really open or write the .qmail\n"
	"         -h                    this help\n\n"
	"Existing .qmail files won't be overwritten unless you pass -o\n\n"
	"Examples:\n\n"
	"\tInstall control/defaultdelivery to .qmail of all mailboxes of all domain (overwrite -o active)\n"
	"\tvmakedotqmail -o -A\n\n"
	"\tInstall control/defaultdelivery to .qmail of user <username@domain> (skip if existing)\n"
	"\tvmakedotqmail -o -u <username@domain>\n\n"
	"\tInstall .qmail-default with vdelivermail (delete option) for domain 'domain.tld'\n"
	"\tvmakedotqmail -d domain.tld -q default\n\n"
	"\tInstall .qmail-default with vdelivermail (delete option) for all domains\n"
	"\tvmakedotqmail -A -q default\n\n"
	"\tInstall .qmail-default with your favourite LDA for all domains\n"
	"\tvmakedotqmail -A -q \"My LDA instruction as quoted argument here\"\n\n";

enum result { DONE, SKIP_EXISTS, OVERWRITTEN, REMOVED, SKIP_LOOP, SKIP_NONE };

static int overwrite, reverse, testing;
static const char *qvalue;
static char *dvalue;
static char *delivery;          /* control/defaultdelivery, read once */
static size_t delivery_len;

/* Read control/defaultdelivery, or explain how to create it and exit. */
static void load_delivery(void)
{
	if (delivery != NULL)
		return;
	if (vdefaultdelivery_read(&delivery, &delivery_len) != VA_SUCCESS) {
		printf("\nERROR: Missing %s/control/defaultdelivery file.\n", vpopmail_qmaildir());
		printf("To create a %s/control/defaultdelivery type:\n", vpopmail_qmaildir());
		printf("echo \"| %s/bin/vdelivermail '' delete\" > %s/control/defaultdelivery\n\n",
		       vpopmail_dir(), vpopmail_qmaildir());
		cli_exit(-1);
	}
}

static enum result make_dotqmail(const char *homedir)
{
	char path[VP_PATH_MAX];
	int present;

	if (!reverse) {
		load_delivery();
		if (strstr(delivery, "vdelivermail") != NULL)
			return SKIP_LOOP;
	}
	if (vdotqmail_path(homedir, path, sizeof(path)) != VA_SUCCESS)
		cli_fail(VA_BAD_U_DIR);
	present = vdotqmail_exists(homedir);
	if (reverse) {
		if (!present)
			return SKIP_NONE;
		if (!testing && vdotqmail_remove(homedir) != VA_SUCCESS) {
			printf("Unable to remove %s\n", path);
			cli_exit(-1);
		}
		return REMOVED;
	}
	if (present && !overwrite)
		return SKIP_EXISTS;
	if (!testing && vdotqmail_write(homedir, delivery, delivery_len) != VA_SUCCESS) {
		printf("Could not open %s\n", path);
		cli_exit(VA_COULD_NOT_OPEN_DOT_QMAIL);
	}
	return present ? OVERWRITTEN : DONE;
}

static void make_mailbox(char *address)
{
	static const char *const lines[] = {
		[DONE] = "DONE",
		[SKIP_EXISTS] = "SKIP (.qmail already exists)",
		[OVERWRITTEN] = "DONE (existing .qmail overwritten)",
		[REMOVED] = "REMOVED existing .qmail",
		[SKIP_LOOP] = "SKIP (control/defaultdelivery already has vdelivermail)",
		[SKIP_NONE] = "SKIP (no .qmail)",
	};
	char user[CLI_BUF], domain[CLI_BUF];
	struct vqpasswd *pw;
	enum result r;

	if (parse_email(address, user, domain, (int)sizeof(user)) != 0)
		cli_exit(-1);
	if (domain[0] == '\0') {
		printf("missing domain\n");
		cli_exit(-1);
	}
	if ((pw = vauth_getpw(user, domain)) == NULL) {
		printf("no such user %s@%s\n", user, domain);
		cli_exit(-1);
	}
	r = make_dotqmail(pw->pw_dir);
	printf("%s%s %s\n", testing ? "**TESTING** " : "", address, lines[r]);
}

/* snprintf() into buf; -1 if it did not fit. */
static int fmt(char *buf, size_t size, const char *format, const char *arg)
{
	int n = snprintf(buf, size, format, arg);

	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static void make_dotqmail_default(char *domain)
{
	char dir[VP_PATH_MAX], path[VP_PATH_MAX], lda[CLI_BUF + 2];
	int is_default, err;

	is_default = strcmp(qvalue, "default") == 0;
	if (is_default)
		err = fmt(lda, sizeof(lda), "| %s/bin/vdelivermail '' delete", vpopmail_dir());
	else
		err = fmt(lda, sizeof(lda), "%s", qvalue);
	if (err != 0 || vget_assign(domain, dir, (int)sizeof(dir), NULL, NULL) == NULL ||
	    fmt(path, sizeof(path), "%s/.qmail-default", dir) != 0)
		cli_fail(VA_DOMAIN_DOES_NOT_EXIST);

	printf("%s: rewriting .qmail-default: \"%s\": ", domain, lda);
	if (testing) {
		printf("**TESTING**\n");
		return;
	}
	if (vdotqmail_default_write(dir, is_default ? NULL : lda) != VA_SUCCESS) {
		printf("Could not open %s\n", path);
		return;
	}
	printf("DONE\n");
}

static void make_domain(char *domain)
{
	struct vqpasswd *pw;
	string_list users;
	char address[2 * CLI_BUF];
	int first = 1, i, n;

	fputs(rule, stdout);
	printf("Domain: %s\n\n", domain);
	if (dvalue != NULL && get_domain_entries(domain) == NULL) {
		if (verrori != 0) {
			printf("Error: Can't get domain entries - %s\n", verror(verrori));
			cli_exit(verrori);
		}
		printf("Error: Domain %s does not exist\n\n", domain);
		cli_exit(-1);
	}
	if (qvalue != NULL) {
		make_dotqmail_default(domain);
	} else {
		/* Names first: make_mailbox() looks users up again. */
		if (string_list_init(&users, 16) != 0)
			cli_fail(VA_MEMORY_ALLOC_ERR);
		while ((pw = vauth_getall(domain, first, 1)) != NULL) {
			first = 0;
			if (string_list_add(&users, pw->pw_name) != 0)
				cli_fail(VA_MEMORY_ALLOC_ERR);
		}
		for (i = 0; i < users.count; i++) {
			n = snprintf(address, sizeof(address), "%s@%s", users.values[i], domain);
			if (n >= 0 && (size_t)n < sizeof(address))
				make_mailbox(address);
		}
		string_list_free(&users);
	}
	fputs(rule, stdout);
	fputs("\n", stdout);
}

static int make_all_domains(void)
{
	string_list names, reals;
	domain_entry *e;
	int i;

	if ((e = get_domain_entries("")) == NULL) {
		printf("Something went wrong on domain_entry (err 51)\n");
		return -1;
	}
	if (string_list_init(&names, 16) != 0 || string_list_init(&reals, 16) != 0)
		cli_fail(VA_MEMORY_ALLOC_ERR);
	for (; e != NULL; e = get_domain_entries(NULL))
		if (string_list_add(&names, e->domain) != 0 ||
		    string_list_add(&reals, e->realdomain) != 0)
			cli_fail(VA_MEMORY_ALLOC_ERR);
	for (i = 0; i < names.count; i++) {
		if (strcmp(names.values[i], reals.values[i]) == 0) {
			make_domain(names.values[i]);
			continue;
		}
		fputs(rule, stdout);
		printf("SKIP domain: %s (alias of %s)\n", names.values[i], reals.values[i]);
		fputs(rule, stdout);
		fputs("\n", stdout);
	}
	string_list_free(&names);
	string_list_free(&reals);
	return 0;
}

int main(int argc, char **argv)
{
	char *uvalue = NULL;
	int c, all = 0, bad = 0;

	cli_open();
	while ((c = getopt(argc, argv, "aAu:d:q:orth")) != -1) {
		switch (c) {
		case 'a':
		case 'A':
			all = 1;
			break;
		case 'd':
			dvalue = optarg;
			break;
		case 'u':
			uvalue = optarg;
			break;
		case 'q':
			qvalue = optarg;
			break;
		case 'o':
			overwrite = 1;
			break;
		case 'r':
			reverse = 1;
			break;
		case 't':
			testing = 1;
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
	if (qvalue != NULL && strlen(qvalue) >= CLI_BUF) {
		/* 5.6 cut it to fit; the line must be written whole or not at all. */
		printf("Error: -q instruction too long (max=%d)\n", CLI_BUF - 1);
		cli_exit(-1);
	}
	if (qvalue != NULL && !all && dvalue == NULL) {
		printf("If using -q, always pass argument -d <domain> or -A (all)\n");
		fputs(usage_text, stdout);
		cli_exit(-1);
	}
	if (all) {
		dvalue = NULL;
		cli_exit(make_all_domains());
	}
	if (dvalue != NULL) {
		/* The lookups write an alias's real domain, up to
		 * MAX_PW_DOMAIN + 1 bytes, over their argument: a buffer of
		 * ours, not the (shorter) argv string and what follows it. */
		static char domain[CLI_BUF];

		if (strlen(dvalue) >= CLI_BUF)
			cli_fail(VA_DOMAIN_NAME_TOO_LONG);
		memcpy(domain, dvalue, strlen(dvalue) + 1);
		dvalue = domain;
		make_domain(domain);
		cli_exit(0);
	}
	if (uvalue != NULL) {
		if (strlen(uvalue) >= CLI_BUF)
			cli_fail(cli_email_too_long(uvalue));
		make_mailbox(uvalue);
		cli_exit(0);
	}
	fputs(usage_text, stdout);
	cli_exit(-1);
}

#endif /* DEFAULT_DELIVERY */
