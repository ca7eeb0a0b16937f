/*
 * vadduser - add a user to a virtual domain.
 *
 * 5.6 behaviour kept: -n is in the option string but unhandled, so it
 * just ends option parsing; -s only warns; with -e HASH the user is first
 * created with a random 12-character password (so the strength rules see
 * that, or the password operand if one is given), -q is applied, then
 * the stored hash is replaced by HASH verbatim and the clear-text field
 * emptied.
 *
 * -f FILE (vpopmail-ng) adds the users listed in FILE: see vadduser_bulk.c.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"
#include "vadduser_bulk.h"

#include <stdio.h>
#include <unistd.h>

static const char usage_text[] =
	"vadduser: usage: [options] email_address [passwd]\n"
	"options: -v (print the version)\n"
	"         -q quota_in_bytes (sets the users quota, use NOQUOTA for unlimited)\n"
	"         -c comment (sets the gecos comment field)\n"
	"         -e standard_encrypted_password\n"
	"            (MD5 '$1$', SHA-512 '$6$', etc.)\n"
	"            NOTE: Wrap the password in single quotes to prevent shell expansion:\n"
	"                  vadduser -e '$6$...hashed_password...' user@domain\n"
	"         -r[len] (generate a len (default 12) char random password)\n"
	"\n"
	"Examples:\n"
	"  vadduser user@domain                      # prompt for cleartext password\n"
	"  vadduser -q 100000 -c 'Test user' -e '$1$abcd$XYZ...' user@domain\n"
	"           (MD5 hashed password, use single quotes)\n"
	"  vadduser -q 100000 -c 'Test user' -e '$6$56RNlxOG$...' user@domain\n"
	"           (SHA-512 hashed, use single quotes)\n";

static void usage(void)
{
	fputs(usage_text, stdout);
}

struct opts {
	char email[CLI_BUF];
	char passwd[CLI_BUF];
	char quota[CLI_BUF];
	char gecos[CLI_BUF];
	char crypted[CLI_BUF];     /* -e */
	const char *email_arg;     /* the operand as given, for the usage check */
	const char *file;          /* -f */
	int  random;               /* -r given */
	int  toolong;              /* first overlong argument (VA code), see cli_take() */
};

static void parse_args(int argc, char **argv, struct opts *o)
{
	int c, stop = 0;

	while (!stop && (c = getopt(argc, argv, "svc:nq:e:r::f:")) != -1) {
		switch (c) {
		case 'v':
			cli_version();
			break;
		case 'c':
			cli_take(o->gecos, sizeof(o->gecos), optarg, VA_GECOS_TOO_LONG, &o->toolong);
			break;
		case 'q':
			cli_take(o->quota, sizeof(o->quota), optarg, VA_QUOTA_TOO_LONG, &o->toolong);
			break;
		case 'e':
			cli_take(o->crypted, sizeof(o->crypted), optarg,
			         VA_PASSWD_TOO_LONG, &o->toolong);
			break;
		case 'f':
			o->file = optarg;
			break;
		case 's':
			fprintf(stderr, "Warning: The -s option has been disabled.\n");
			break;
		case 'r':
			o->random = 1;
			cli_random_option(optarg, o->passwd, sizeof(o->passwd));
			break;
		default:        /* unknown options and 5.6's orphaned -n */
			stop = 1;
			break;
		}
	}

	/* -f stands alone: its file gives the addresses, passwords and comments. */
	if (o->file != NULL) {
		if (optind < argc || o->quota[0] != '\0' || o->gecos[0] != '\0' ||
		    o->crypted[0] != '\0' || o->random || o->toolong != 0) {
			usage();
			cli_exit(-1);
		}
		cli_exit(vadduser_bulk(o->file));
	}

	/* A throw-away password to create the account with; see -e above. */
	if (o->crypted[0] != '\0')
		cli_random_option(NULL, o->passwd, sizeof(o->passwd));

	if (optind < argc) {
		o->email_arg = argv[optind++];
		cli_take(o->email, sizeof(o->email), o->email_arg,
		         cli_email_too_long(o->email_arg), &o->toolong);
	}
	if (optind < argc) {
		if (o->random)
			cli_password_conflict();
		cli_take(o->passwd, sizeof(o->passwd), argv[optind++],
		         VA_PASSWD_TOO_LONG, &o->toolong);
	}
	if (o->email_arg == NULL || o->email_arg[0] == '\0') {
		usage();
		cli_exit(-1);
	}
	if (o->toolong != 0)
		cli_fail(o->toolong);
}

static int set_hash(struct vqpasswd *pw, void *hash)
{
	static char empty[1] = "";

	pw->pw_passwd = hash;
	pw->pw_clear_passwd = empty;
	return VA_SUCCESS;
}

/* -e: store the given hash verbatim and drop the clear-text copy (over
 * the record as it is then: another program may have changed it since
 * the add). */
static void store_hash(char *user, char *domain, char *hash)
{
	int err;

	err = vauth_edit(user, domain, set_hash, hash);
	if (err == VA_USER_DOES_NOT_EXIST) {
		printf("Error in vauth_getpw()\n");
		cli_exit(-1);
	}
	if (err != VA_SUCCESS) {
		printf("Error in vauth_setpw()\n");
		cli_exit(-1);
	}
}

int main(int argc, char **argv)
{
	static struct opts o;
	static char user[CLI_BUF];
	static char domain[CLI_BUF];
	int err;

	cli_open();
	parse_args(argc, argv, &o);

	/* Lower-cases the address in place; fills in the default domain. */
	err = parse_email(o.email, user, domain, (int)sizeof(user));
	if (err != 0)
		cli_fail(err);
	if (domain[0] == '\0') {
		printf("You did not use a full email address for the user name\n");
		printf("Only full email addresses should be used\n");
		cli_exit(-1);
	}
	if (vget_assign(domain, NULL, 0, NULL, NULL) == NULL) {
		printf("Error: Domain does not exist\n");
		cli_exit(-1);
	}
	if (vauth_getpw(user, domain) != NULL) {
		printf("Error: User already exists\n");
		cli_exit(-1);
	}

	if (o.gecos[0] == '\0')
		cli_take(o.gecos, sizeof(o.gecos), user, VA_GECOS_TOO_LONG, &o.toolong);

	if (o.crypted[0] == '\0' && o.passwd[0] == '\0'
	    && cli_read_password(o.email, o.passwd, sizeof(o.passwd)) != 0)
		cli_no_password(usage);

	err = vadduser(user, domain, o.passwd, o.gecos, USE_POP);
	if (err < 0) {
		cli_print_pw_error(err);
		cli_exit(err);
	}

	if (o.quota[0] != '\0' && vsetuserquota(user, domain, o.quota) != 0) {
		printf("Error in vsetuserquota()\n");
		cli_exit(-1);
	}

	if (o.crypted[0] != '\0')
		store_hash(user, domain, o.crypted);

	if (o.random)
		cli_random_line(o.passwd);
	cli_exit(0);
}
