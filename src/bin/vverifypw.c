/*
 * vverifypw - check a user's password.
 *
 * The address and password come from the operands; a missing address is
 * asked for on stdin, a missing password getpass(3)-style.  Every kind
 * of failure (unknown user, wrong password) gives the same message, so
 * the answer tells nothing about which accounts exist.  With -e the
 * operand is compared with the stored hash as it is (in constant time).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"vverifypw: usage: [options] [email_addr] [password] (or empty to read from terminal)\n"
	"options: -h ( display usage )\n"
	"options: -v ( display the vpopmail version number )\n"
	"options: -e ( the password is already encrypted )\n";

static void usage(void)
{
	fputs(usage_text, stdout);
}

_Noreturn static void auth_failed(void)
{
	printf("Error: authentication failed!\n");
	cli_exit(-1);
}

/*
 * Read one line from stdin byte by byte (not through stdio, so the
 * password prompt that may follow still finds its own line there).
 * Returns 0 with the newline removed, 1 at end of file with nothing
 * read, -1 if the line did not end in a newline within size - 1 bytes.
 */
static int read_line(char *buf, size_t size)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		r = read(STDIN_FILENO, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (c == '\n' || c == '\r') {
			buf[n] = '\0';
			return 0;
		}
		if (n + 1 >= size)
			break;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return n == 0 && r <= 0 ? 1 : -1;
}

int main(int argc, char **argv)
{
	static char email[CLI_BUF];
	static char passwd[CLI_BUF];
	static char user[CLI_BUF];
	static char domain[CLI_BUF];
	struct vqpasswd *pw;
	int c, encrypted = 0, toolong = 0, err, ok;

	cli_open();

	while ((c = getopt(argc, argv, "hve")) != -1) {
		switch (c) {
		case 'h':
			usage();
			cli_exit(0);
		case 'v':
			cli_version();
			break;
		case 'e':
			encrypted = 1;
			break;
		default:
			usage();
			cli_exit(-1);
		}
	}
	if (optind < argc)
		cli_take(email, sizeof(email), argv[optind++], VA_USER_NAME_TOO_LONG, &toolong);
	if (optind < argc)
		cli_take(passwd, sizeof(passwd), argv[optind++], VA_PASSWD_TOO_LONG, &toolong);
	/* An operand too long for its buffer cannot name a real account. */
	if (toolong != 0)
		auth_failed();

	if (email[0] == '\0') {
		fputs("Please enter the email address: ", stdout);
		fflush(stdout);
		err = read_line(email, sizeof(email));
		if (err == 1) {
			printf("\n\n");
			cli_exit(-1);
		}
		if (err != 0) {
			printf("\nError: email address too long\n");
			cli_exit(-1);
		}
	}
	if (passwd[0] == '\0')
		(void)vgetpass_once("Enter password: ", passwd, sizeof(passwd));

	err = parse_email(email, user, domain, (int)sizeof(user));
	if (err != 0)
		cli_fail(err);

	pw = vauth_getpw(user, domain);
	if (pw == NULL)
		auth_failed();
	if (encrypted)
		ok = vstr_ct_equal(passwd, pw->pw_passwd);
	else
		ok = vauth_crypt(user, domain, passwd, pw) == 0;
	explicit_bzero(passwd, sizeof(passwd));
	if (!ok)
		auth_failed();
	printf("User authenticated.\n");
	cli_exit(0);
}
