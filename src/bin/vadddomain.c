/*
 * vadddomain - add a virtual domain and its postmaster account.
 *
 * Flow (vpopmail 5.6): options; -u lookup; usage (exit 0) without a
 * domain; "Domain already exists" before any prompt; password from the
 * operand, -r or the tty; vadddomain(); postmaster (on failure the domain
 * is removed again and the exit status is that of the removal); -q quota;
 * -e catch-all .qmail-default; "Random password:" line.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"vadddomain: usage: vadddomain [options] virtual_domain [postmaster password]\n"
	"options: -v prints the version\n"
	"         -q quota_in_bytes (sets the quota for postmaster account)\n"
	"         -b (bounces all mail that doesn't match a user, default)\n"
	"         -e email_address (forwards all non matching user to this address [*])\n"
	"         -u user (sets the uid/gid based on a user in /etc/passwd)\n"
	"         -d dir (sets the dir to use for this domain)\n"
	"         -i uid (sets the uid to use for this domain)\n"
	"         -g gid (sets the gid to use for this domain)\n"
	"         -O optimize adding, for bulk adds set this for all\n"
	"            except the last one\n"
	"         -r[len] (generate a len (default 12) char random postmaster password)\n"
	"\n"
	" [*] omit @-sign to deliver directly into user's Maildir: '-e postmaster'\n"
	"\n"
	"Special bounce messages supported by vdeliver mail:\n"
	"   vadddomain -b delete example.com [password]  -  delete all mail to non-existant accounts\n"
	"   vadddomain -b bounce-no-mailbox example.com [password] - bounce them \n"
	"   vadddimain -b someone@somewhere.com example.com [password] - sent to another address\n"
	"   vadddomain -b /path/to/Maildir example.com [password] - sent to a Maildir\n";

static void usage(void)
{
	fputs(usage_text, stdout);
}

/* Everything the options and operands decide. */
struct opts {
	char  domain[CLI_BUF];
	char  passwd[CLI_BUF];
	char  dir[CLI_BUF];
	char  quota[CLI_BUF];
	char  catchall[CLI_BUF];   /* -e target */
	const char *sysuser;       /* -u name, looked up after the options */
	uid_t uid;
	gid_t gid;
	int   random;              /* -r given */
	int   toolong;             /* first overlong argument (VA code), see cli_take() */
};

static void parse_options(int argc, char **argv, struct opts *o)
{
	int c, stop = 0;

	/* Unknown options stop the scan, as in the original. */
	while (!stop && (c = getopt(argc, argv, "q:be:u:vi:g:d:Or::")) != -1) {
		switch (c) {
		case 'v':
			cli_version();
			break;
		case 'd':
			cli_take(o->dir, sizeof(o->dir), optarg, VA_DIR_TOO_LONG, &o->toolong);
			break;
		case 'u':
			o->sysuser = optarg;
			break;
		case 'q':
			cli_take(o->quota, sizeof(o->quota), optarg, VA_QUOTA_TOO_LONG, &o->toolong);
			break;
		case 'e':
			cli_take(o->catchall, sizeof(o->catchall), optarg,
			         VA_ALIAS_LINE_TOO_LONG, &o->toolong);
			break;
		case 'i':
			o->uid = (uid_t)atoi(optarg);
			break;
		case 'g':
			o->gid = (gid_t)atoi(optarg);
			break;
		case 'b':
			/* Accepted for compatibility; the default already bounces. */
			break;
		case 'O':
			OptimizeAddDomain = 1;
			break;
		case 'r':
			o->random = 1;
			cli_random_option(optarg, o->passwd, sizeof(o->passwd));
			break;
		default:
			stop = 1;
			break;
		}
	}
}

/* -u: ids, and the base directory unless -d gave one, from /etc/passwd. */
static void apply_system_user(struct opts *o)
{
	struct passwd *pw;

	if (o->sysuser == NULL || o->sysuser[0] == '\0')
		return;
	pw = getpwnam(o->sysuser);
	if (pw == NULL) {
		printf("Error: user %s not found in /etc/passwd\n", o->sysuser);
		cli_exit(-1);
	}
	if (o->dir[0] == '\0')
		cli_take(o->dir, sizeof(o->dir), pw->pw_dir, VA_DIR_TOO_LONG, &o->toolong);
	o->uid = pw->pw_uid;
	o->gid = pw->pw_gid;
}

/*
 * vadddomain -e: make unmatched mail of the domain go to `target`, an
 * address, or (no '@') the directory of that user in this domain.
 */
static void set_catchall(char *domain, const char *target)
{
	char dir[VP_PATH_MAX];
	char action[VP_PATH_MAX + CLI_BUF];
	uid_t uid;
	gid_t gid;
	int n;

	if (vget_assign(domain, dir, (int)sizeof(dir), &uid, &gid) == NULL)
		cli_fail(VA_DOMAIN_DOES_NOT_EXIST);
	if (strchr(target, '@') != NULL)
		n = snprintf(action, sizeof(action), "%s", target);
	else
		n = snprintf(action, sizeof(action), "%s/%s", dir, target);
	if (n < 0 || (size_t)n >= sizeof(action) ||
	    vp_write_qmail_default(dir, action, uid, gid) != VA_SUCCESS) {
		printf("Error: could not open %s/.qmail-default\n", dir);
		cli_exit(-1);
	}
}

int main(int argc, char **argv)
{
	static struct opts o;
	char postmaster[] = "postmaster";
	char gecos[] = "Postmaster";
	int err;

	cli_open();

	o.uid = vpopmail_uid();
	o.gid = vpopmail_gid();
	parse_options(argc, argv, &o);
	apply_system_user(&o);
	if (o.dir[0] == '\0')
		cli_take(o.dir, sizeof(o.dir), vpopmail_dir(), VA_DIR_TOO_LONG, &o.toolong);

	if (optind >= argc) {
		usage();
		cli_exit(0);
	}
	cli_take(o.domain, sizeof(o.domain), argv[optind++], VA_DOMAIN_NAME_TOO_LONG,
	         &o.toolong);
	if (o.toolong != 0)
		cli_fail(o.toolong);

	/* Refuse early, before asking for a password (lower-cases domain). */
	if (vget_assign(o.domain, NULL, 0, NULL, NULL) != NULL)
		cli_fail(VA_DOMAIN_ALREADY_EXISTS);

	if (optind < argc) {
		if (o.random)
			cli_password_conflict();
		if (cli_take(o.passwd, sizeof(o.passwd), argv[optind++],
		             VA_PASSWD_TOO_LONG, &o.toolong) != 0)
			cli_fail(o.toolong);
	} else if (!o.random) {
		(void)cli_read_password(postmaster, o.passwd, sizeof(o.passwd));
	}

	err = vadddomain(o.domain, o.dir, o.uid, o.gid);
	if (err != VA_SUCCESS)
		cli_fail(err);

	err = vadduser(postmaster, o.domain, o.passwd, gecos, USE_POP);
	if (err != VA_SUCCESS) {
		printf("Error: (vadduser) %s\n", verror(err));
		/* Undo the domain; 5.6 then exits with the removal's status. */
		err = vdeldomain(o.domain);
		if (err != VA_SUCCESS)
			cli_print_error(err);
		cli_exit(err);
	}

	/* Said as soon as the postmaster has it: a -q or -e failure below
	 * leaves the domain in place, and its password must not be lost
	 * with it (5.6 printed it last, so then never). */
	if (o.random)
		cli_random_line(o.passwd);

	if (o.quota[0] != '\0') {
		err = vsetuserquota(postmaster, o.domain, o.quota);
		if (err != VA_SUCCESS)
			cli_fail(err);
	}

	if (o.catchall[0] != '\0')
		set_catchall(o.domain, o.catchall);
	cli_exit(0);
}
