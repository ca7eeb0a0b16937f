/*
 * vsetuserquota - set the quota of one user, or of every user of a domain.
 *
 * The operand is an address (it contains '@') or a domain name; the quota
 * is upper-cased before the library formats it (so "10mb" works), as in
 * 5.6.  For a domain, each user in vpasswd order gets the quota through
 * the library's vsetuserquota(), one vauth_setpw (and onchange mod_user)
 * per user; the first failure ends the run.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"vsetuserquota: [options] email_address|domain_name quota\n"
	"options:\n"
	"-v (print version number)\n"
	"\n"
	"If you specify a domain name rather than an email address,\n"
	"the quota will be applied to all users in that domain\n";

static void usage(void)
{
	fputs(usage_text, stdout);
}

static void upcase(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)toupper((unsigned char)*s);
}

/* Every user of the domain, in storage order. */
static int set_domain(char *domain, char *quota)
{
	static char name[CLI_BUF];
	struct vqpasswd *pw;
	int first = 1, err;

	/* Resolves aliases and lower-cases the name in place. */
	if (vget_assign(domain, NULL, 0, NULL, NULL) == NULL)
		return VA_DOMAIN_DOES_NOT_EXIST;
	while ((pw = vauth_getall(domain, first, 1)) != NULL) {
		first = 0;
		/* The library may lower-case its arguments: pass a copy. */
		snprintf(name, sizeof(name), "%s", pw->pw_name);
		err = vsetuserquota(name, domain, quota);
		/* deleted since the walk began: not a failure of the run (it
		 * stopped there, the users after it left as they were) */
		if (err == VA_USER_DOES_NOT_EXIST)
			continue;
		if (err != VA_SUCCESS) {
			vauth_end_getall();
			return err;
		}
	}
	return VA_SUCCESS;
}

static int set_user(char *email, char *quota)
{
	static char user[CLI_BUF];
	static char domain[CLI_BUF];
	int err;

	err = parse_email(email, user, domain, (int)sizeof(user));
	if (err != 0)
		return err;
	if (vget_assign(domain, NULL, 0, NULL, NULL) == NULL)
		return VA_DOMAIN_DOES_NOT_EXIST;
	return vsetuserquota(user, domain, quota);
}

int main(int argc, char **argv)
{
	static char email[CLI_BUF];
	static char quota[CLI_BUF];
	const char *arg_email = "", *arg_quota = "";
	int toolong = 0, err;

	cli_open();

	cli_version_options(argc, argv);
	if (optind < argc)
		arg_email = argv[optind++];
	if (optind < argc)
		arg_quota = argv[optind++];
	if (arg_email[0] == '\0' || arg_quota[0] == '\0') {
		usage();
		cli_exit(-1);
	}
	/* A domain name too long to hold cannot name a domain that exists. */
	cli_take(email, sizeof(email), arg_email, strchr(arg_email, '@') != NULL ?
	         cli_email_too_long(arg_email) : VA_DOMAIN_DOES_NOT_EXIST, &toolong);
	cli_take(quota, sizeof(quota), arg_quota, VA_QUOTA_TOO_LONG, &toolong);
	if (toolong != 0)
		cli_fail(toolong);
	upcase(quota);

	if (strchr(email, '@') == NULL)
		err = set_domain(email, quota);
	else
		err = set_user(email, quota);
	if (err != VA_SUCCESS)
		cli_fail(err);
	cli_exit(0);
}
