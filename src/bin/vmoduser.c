/*
 * vmoduser - change the fields and flag bits of a user, or of every user
 * of a domain.
 *
 * The operand is an address (it contains '@') or a domain name.  Each
 * user record is changed in this order: comment, directory (-D, not in
 * the usage text), password (-C hashes with a new salt; else -e stores the
 * given hash as it is), -x clears the flag word, the flag options OR their
 * bits in, -q stores the formatted quota and refreshes maildirsize; then
 * the record is written with vauth_setpw().  So "-d -x" and "-x -d" both
 * leave only NO_PASSWD_CHNG set.  No password strength check applies.
 *
 * As in 5.6, an unknown option does not stop the option scan, -h prints
 * the usage and exits 0, and -n (NoMakeIndex) leaves vpasswd.cdb alone.
 * A domain that does not exist has no users, so nothing happens (exit 0).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
	"vmoduser: usage: [options] email_addr or domain (for each user in domain)\n"
	"options: -v ( display the vpopmail version number )\n"
	"         -n ( don't rebuild the vpasswd.cdb file )\n"
	"         -q quota ( set quota )\n"
	"         -c comment (set the comment/gecos field )\n"
	"         -e encrypted_passwd (set the password field )\n"
	"         -C clear_text_passwd (set the password field )\n"
	"the following options are bit flags in the gid int field\n"
	"         -x ( clear all flags )\n"
	"         -d ( don't allow user to change password )\n"
	"         -p ( disable POP access )\n"
	"         -s ( disable SMTP AUTH access )\n"
	"         -w ( disable webmail [IMAP from localhost*] access )\n"
	"            ( * full list of webmail server IPs in vchkpw.c )\n"
	"         -i ( disable non-webmail IMAP access )\n"
	"         -b ( bounce all mail )\n"
	"         -o ( user is not subject to domain limits )\n"
	"         -r ( disable roaming user/pop-before-smtp )\n"
	"         -a ( grant qmailadmin administrator privileges )\n"
	"         -S ( grant system administrator privileges - access all domains )\n"
	"         -E ( grant expert privileges - edit .qmail files )\n"
	"         -f ( disable spamassassin)\n"
	"         -F ( delete spam)\n"
	"         -m ( disable maildrop)\n"
	"  [The following flags aren't used directly by vpopmail but are]\n"
	"  [included for other programs that share the user database.]\n"
	"         -u ( set no dialup flag )\n"
	"         -0 ( set V_USER0 flag )\n"
	"         -1 ( set V_USER1 flag )\n"
	"         -2 ( set V_USER2 flag )\n"
	"         -3 ( set V_USER3 flag )\n";

static const char optstring[] = "D:avunxc:q:dpswibro0123he:C:fFSEm";

/* Option letter -> pw_gid bit (spec §4.1). */
static const struct {
	char  opt;
	gid_t bit;
	int   root_only;   /* only when the real uid is 0 */
} flag_opts[] = {
	{ 'd', NO_PASSWD_CHNG, 0 },  { 'p', NO_POP, 0 },
	{ 'w', NO_WEBMAIL, 0 },      { 'i', NO_IMAP, 0 },
	{ 'b', BOUNCE_MAIL, 0 },     { 'r', NO_RELAY, 0 },
	{ 'u', NO_DIALUP, 0 },       { '0', V_USER0, 0 },
	{ '1', V_USER1, 0 },         { '2', V_USER2, 0 },
	{ '3', V_USER3, 0 },         { 's', NO_SMTP, 0 },
	{ 'a', QA_ADMIN, 0 },        { 'o', V_OVERRIDE, 0 },
	{ 'f', NO_SPAMASSASSIN, 0 }, { 'F', DELETE_SPAM, 0 },
	{ 'S', SA_ADMIN, 1 },        { 'E', SA_EXPERT, 1 },
	{ 'm', NO_MAILDROP, 0 },
};

/* What the options ask for. */
static struct {
	char  gecos[CLI_BUF];
	char  dir[CLI_BUF];
	char  clear[CLI_BUF];
	char  crypted[CLI_BUF];
	char  quota[CLI_BUF];
	int   set_quota;
	int   clear_flags;
	gid_t flags;
	int   toolong;         /* first "too long" code, reported after the operand check */
} want;

static void usage(void)
{
	fputs(usage_text, stdout);
}

static int flag_option(int c)
{
	size_t i;

	for (i = 0; i < sizeof(flag_opts) / sizeof(flag_opts[0]); i++) {
		if (flag_opts[i].opt != c)
			continue;
		if (!flag_opts[i].root_only || getuid() == 0)
			want.flags |= flag_opts[i].bit;
		return 1;
	}
	return 0;
}

static void get_options(int argc, char **argv)
{
	int c;

	NoMakeIndex = 0;
	while ((c = getopt(argc, argv, optstring)) != -1) {
		if (flag_option(c))
			continue;
		switch (c) {
		case 'v':
			cli_version();
			break;
		case 'n':
			NoMakeIndex = 1;
			break;
		case 'x':
			want.clear_flags = 1;
			break;
		case 'c':
			cli_take(want.gecos, sizeof(want.gecos), optarg, VA_GECOS_TOO_LONG, &want.toolong);
			break;
		case 'D':
			cli_take(want.dir, sizeof(want.dir), optarg, VA_DIR_TOO_LONG, &want.toolong);
			break;
		case 'C':
			cli_take(want.clear, sizeof(want.clear), optarg, VA_PASSWD_TOO_LONG, &want.toolong);
			break;
		case 'e':
			cli_take(want.crypted, sizeof(want.crypted), optarg, VA_PASSWD_TOO_LONG, &want.toolong);
			break;
		case 'q': {
			char q[CLI_BUF];

			want.set_quota = 1;
			/* 300 bytes or more: refused like the other fields, not cut. */
			if (cli_take(q, sizeof(q), optarg, VA_QUOTA_TOO_LONG, &want.toolong) == 0 &&
			    vp_format_quota(q, want.quota, sizeof(want.quota)) != VA_SUCCESS &&
			    want.toolong == 0)
				want.toolong = VA_QUOTA_TOO_LONG;   /* e.g. 17179869184G: past 2^63-1 */
			break;
		}
		case 'h':
			usage();
			cli_exit(0);
		default:
			/* getopt has complained; unlike most tools, keep scanning. */
			break;
		}
	}
}

/* The directory of the record edit() last changed (for quota_after()). */
static char edited_dir[CLI_BUF];

/*
 * Apply the options to one record (domain: the name it was found under).
 */
static int edit(struct vqpasswd *pw, void *domain)
{
	static char hash[CLI_BUF];
	int err;

	if (want.gecos[0] != '\0')
		pw->pw_gecos = want.gecos;
	if (want.dir[0] != '\0')
		pw->pw_dir = want.dir;
	if (want.clear[0] != '\0') {
		/* A new salt for every user. */
		if (mkpasswd3(want.clear, hash, (int)sizeof(hash)) != 0)
			return VA_CRYPT_FAILED;
		pw->pw_passwd = hash;
#ifdef CLEAR_PASS
		pw->pw_clear_passwd = want.clear;
#endif
	} else if (want.crypted[0] != '\0') {
		pw->pw_passwd = want.crypted;
	}
	if (want.clear_flags)
		pw->pw_gid = 0;
	pw->pw_gid |= want.flags;
	if (want.set_quota) {
		pw->pw_shell = want.quota;
		/*
		 * 5.6 refreshes maildirsize before storing the record; here it
		 * is refreshed once the record is stored (quota_after()), so a
		 * record that cannot be written leaves maildirsize as it was.
		 * Check the record first so that a refused change touches nothing.
		 */
		err = vcheck_vqpw(pw, domain);
		if (err != VA_SUCCESS)
			return err;
		if (strlen(pw->pw_dir) >= sizeof(edited_dir))
			return VA_DIR_TOO_LONG;
		strcpy(edited_dir, pw->pw_dir);
		/* ... with the umask 5.6's early refresh leaves for the
		 * vpasswd rewrite: 077 after a quota (not after NOQUOTA). */
		if (strcmp(want.quota, "NOQUOTA") != 0)
			umask(077);
	}
	return VA_SUCCESS;
}

/* After the record with the new quota is stored: maildirsize follows it. */
static void quota_after(char *user, char *domain)
{
	if (want.set_quota) {
		update_maildirsize(domain, edited_dir, want.quota);
		vp_maildirsize_follow(user, domain, edited_dir, want.quota);
	}
}

static void modify_user(char *email)
{
	static char user[CLI_BUF];
	static char domain[CLI_BUF];
	int err;

	err = parse_email(email, user, domain, (int)sizeof(user));
	if (err != 0)
		cli_fail(err);
	/* Another program may change the record between the read and the
	 * write (vpasswd, vsetuserquota, a login that learns a password):
	 * vauth_edit() then makes the change again over the new record, so
	 * neither is lost. */
	err = vauth_edit(user, domain, edit, domain);
	if (err == VA_USER_DOES_NOT_EXIST) {
		printf("no such user %s@%s\n", user, domain);
		cli_exit(-1);
	}
	if (err != VA_SUCCESS)
		cli_fail(err);
	quota_after(user, domain);
}

static void modify_domain(char *domain)
{
	static char name[CLI_BUF];
	struct vqpasswd *pw;
	int first = 1, err;

	while ((pw = vauth_getall(domain, first, 0)) != NULL) {
		first = 0;
		/* The walk reads a copy of the user list taken when it began:
		 * each user is changed from its record as it is now (written
		 * back, the copy undid a password or quota set meanwhile), and
		 * one deleted meanwhile is skipped (it stopped the walk, with
		 * the users after it left as they were). */
		snprintf(name, sizeof(name), "%s", pw->pw_name);
		err = vauth_edit(name, domain, edit, domain);
		if (err == VA_USER_DOES_NOT_EXIST)
			continue;
		if (err != VA_SUCCESS) {
			vauth_end_getall();
			cli_fail(err);
		}
		quota_after(name, domain);
	}
}

int main(int argc, char **argv)
{
	static char email[CLI_BUF];
	const char *arg = "";

	cli_open();

	get_options(argc, argv);
	if (optind < argc)
		arg = argv[optind++];
	if (arg[0] == '\0') {
		usage();
		cli_exit(-1);
	}
	if (strchr(arg, '@') != NULL)
		cli_take(email, sizeof(email), arg, cli_email_too_long(arg), &want.toolong);
	if (want.toolong != 0)
		cli_fail(want.toolong);
	if (strchr(arg, '@') == NULL) {
		/* No domain has a name this long, and an unknown domain has no users. */
		if (strlen(arg) >= sizeof(email))
			cli_exit(0);
		snprintf(email, sizeof(email), "%s", arg);
	}

	if (strchr(email, '@') != NULL)
		modify_user(email);
	else
		modify_domain(email);
	cli_exit(0);
}
