/*
 * vconvert - move accounts between formats.
 *
 * The first format option names the source, the second the target; -S
 * sets both to "sqwebmail".  What a cdb build can actually do:
 *
 *   -e -c, -e -m   add every system account with a usable hash
 *   -p file ...    add the users of a "user:crypted" list
 *   -S             write each user's Maildir/sqwebmail-pass
 *   -c -m, -m -c   copy the users between the cdb files and the SQL
 *                  backend (nothing to do in a cdb build: "done");
 *                  -c with another target does nothing, as in 5.6
 *
 * Every other pair is an "unknown conversion".  The domains are the
 * operands, or every users/assign entry when there are none.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum format { FMT_NONE, FMT_SQL, FMT_CDB, FMT_ETC, FMT_LIST, FMT_SQWEBMAIL };

static enum format from_fmt = FMT_NONE, to_fmt = FMT_NONE;
static const char *list_file;
static int debug;

static const char usage_text[] =
	"vconvert: usage\n"
	" The first option sets which format to convert FROM,\n"
	" the second option sets which format to convert TO.\n"
	" -e = etc format\n"
	" -c = cdb format\n"
	" -m = sql format\n"
	" -S = set sqwebmail passwords\n"
	" -v = version\n"
	" -d = debug info\n";

/* The first format seen is the source, any later one the target. */
static void take_format(enum format f)
{
	if (from_fmt == FMT_NONE)
		from_fmt = f;
	else
		to_fmt = f;
}

static void get_options(int argc, char **argv)
{
	int c, bad = 0;

	while (!bad && (c = getopt(argc, argv, "mcep:Svd")) != -1) {
		switch (c) {
		case 'd':
			debug = 1;
			break;
		case 'v':
			cli_version();
			break;
		case 'S':
			from_fmt = to_fmt = FMT_SQWEBMAIL;
			break;
		case 'm':
			take_format(FMT_SQL);
			break;
		case 'c':
			take_format(FMT_CDB);
			break;
		case 'e':
			take_format(FMT_ETC);
			break;
		case 'p':
			take_format(FMT_LIST);
			list_file = optarg;
			break;
		default:
			bad = 1;
			break;
		}
	}
	if (bad || from_fmt == FMT_NONE || to_fmt == FMT_NONE) {
		fputs(usage_text, stdout);
		cli_exit(-1);
	}
}

/* -S: rewrite every user's sqwebmail-pass from the stored hash. */
static int sqwebmail_domain(char *domain)
{
	struct vqpasswd *pw;

	if (debug)
		printf("Setting sqwebmail passwords for %s\n", domain);
	for (pw = vauth_getall(domain, 1, 0); pw != NULL; pw = vauth_getall(domain, 0, 0)) {
		if (debug)
			printf("%s\n", pw->pw_name);
		vsqwebmail_pass(pw->pw_dir, pw->pw_passwd, vpopmail_uid(), vpopmail_gid());
	}
	return 0;
}

/* Copy src into dst; -1 if it does not fit. */
static int copy(char *dst, size_t size, const char *src)
{
	int n = snprintf(dst, size, "%s", src);

	return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

/*
 * -e: system accounts whose hash is longer than 2 characters ("*", "!",
 * "!!" and empty ones are locked or unusable); accounts without a
 * shadow entry are passed over silently.
 */
static int etc_domain(char *domain)
{
	struct vconvert_account a;
	char name[CLI_BUF], gecos[CLI_BUF], hash[CLI_BUF];
	char word[] = "xxxx";           /* 5.6's clear-text copy of an import */
	int named;

	if (vconvert_sys_begin() != VA_SUCCESS)
		return 0;
	while (vconvert_sys_next(&a) == 1) {
		if (a.passwd == NULL)
			continue;
		if (strlen(a.passwd) <= 2) {
			printf("skipping %s\n", a.name);
			continue;
		}
		/* Private copies: the library wants writable strings (and
		 * lower-cases the name in place, which 5.6 printed). */
		named = copy(name, sizeof name, a.name) == 0;
		if (!named || copy(gecos, sizeof gecos, a.gecos) != 0 ||
		    copy(hash, sizeof hash, a.passwd) != 0 ||
		    vconvert_adduser(name, domain, hash, word, gecos, 0) != VA_SUCCESS)
			printf("user %s domain %s did not add\n", named ? name : a.name, domain);
	}
	vconvert_sys_end();
	return 0;
}

/* -p file: "user:crypted" lines; the first failure ends the domain. */
static int list_domain(char *domain)
{
	char *user, *hash;
	char word[] = "foob";           /* 5.6's clear-text copy of an import */
	int err = 0;

	if (vconvert_list_open(list_file) != VA_SUCCESS) {
		printf("Could not open passwd file %s\n", list_file);
		perror("fopen");
		return -1;
	}
	while (vconvert_list_next(&user, &hash) == 1) {
		err = vconvert_adduser(user, domain, hash, word, user, 1);
		if (err == VA_SQWEBMAIL_PASS_FAIL) {
			/* 5.6 has no text for it ("Unknown error") */
			printf("Error: could not write the sqwebmail-pass file of %s@%s\n",
			       user, domain);
			break;
		}
		if (err != VA_SUCCESS) {
			cli_print_error(err);
			break;
		}
		/* as 5.6, which looked the user up again to store the hash */
		if (vauth_getpw(user, domain) == NULL) {
			printf("no such user %s@%s\n", user, domain);
			break;
		}
	}
	vconvert_list_close();
	return err;
}

/* The progress line, on stderr so that stdout keeps 5.6's layout. */
static void progress(const char *domain, unsigned long done)
{
	fprintf(stderr, "vconvert: %s: %lu users copied\n", domain, done);
}

/* True in a build whose backend is not the cdb files (AUTH_MODULE "cdb"). */
static int sql_build(void)
{
	return strcmp(AUTH_MODULE, "cdb") != 0;
}

/*
 * -c -m, -m -c: between the cdb files and the SQL backend (a no-op in a
 * cdb build, as in 5.6).  In an SQL build 5.6's -m -c wrote its own
 * "<domain> done" line before the caller's "done", and said "Error.
 * Domain not found" for a domain missing from users/assign.
 */
static int backends(char *domain, int to_sql)
{
	int err = vconvert_backend(domain, to_sql, progress, NULL);

	if (!to_sql && sql_build()) {
		if (err == VA_DOMAIN_DOES_NOT_EXIST || err == VA_INVALID_DOMAIN_NAME) {
			printf("Error. Domain not found\n");
			return err;
		}
		if (err == VA_SUCCESS)
			printf("%s done\n", domain);
	}
	if (err != VA_SUCCESS)
		cli_print_error(err);
	return err;
}

static int convert_domain(char *domain)
{
	switch (from_fmt) {
	case FMT_SQWEBMAIL:
		return sqwebmail_domain(domain);
	case FMT_SQL:
		if (to_fmt == FMT_CDB)
			return backends(domain, 0);
		break;
	case FMT_CDB:
		/* Any other target from cdb did nothing in 5.6 either. */
		return to_fmt == FMT_SQL ? backends(domain, 1) : 0;
	case FMT_ETC:
		if (to_fmt == FMT_CDB || to_fmt == FMT_SQL)
			return etc_domain(domain);
		break;
	case FMT_LIST:
		return list_domain(domain);
	case FMT_NONE:
		break;
	}
	printf("unknown conversion\n");
	return -1;
}

static void report(int err)
{
	printf("%s\n", err != 0 ? "domain conversion failed" : "done");
}

/* No operands: every users/assign entry, alias domains only named. */
static void all_domains(void)
{
	domain_entry *e;
	char real[CLI_BUF];

	for (e = get_domain_entries(""); e != NULL; e = get_domain_entries(NULL)) {
		if (strcmp(e->domain, e->realdomain) != 0) {
			printf("%s is an alias of %s.\n", e->domain, e->realdomain);
			continue;
		}
		printf("converting %s...    ", e->realdomain);
		if (copy(real, sizeof real, e->realdomain) != 0) {
			report(-1);
			continue;
		}
		report(convert_domain(real));
	}
}

int main(int argc, char **argv)
{
	cli_open();
	get_options(argc, argv);

	if (optind == argc)
		all_domains();
	for (; optind < argc; optind++) {
		/* A copy: vadduser() writes the real name over an alias
		 * domain's, which may be longer than the argument. */
		char domain[CLI_BUF];

		printf("converting %s ", argv[optind]);
		if (copy(domain, sizeof domain, argv[optind]) != 0) {
			report(-1);
			continue;
		}
		lowerit(domain);
		report(convert_domain(domain));
	}
	cli_exit(0);
}
