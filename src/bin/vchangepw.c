/*
 * vchangepw - let a user change their own password, interactively.
 *
 * Meant as the login shell of a dedicated account (set-uid vpopmail): it
 * asks for the address, then for the old password (read like getpass(3):
 * from the terminal with echo off, or from stdin with the prompt on stderr
 * when there is no terminal), checks it, and asks twice for the new one
 * with the library's vgetpasswd().  Every outcome is logged to syslog
 * (facility LOG_AUTH, ident "vchangepw"): refusals at LOG_NOTICE, the
 * change itself at LOG_DEBUG.  Failures of the dialogue exit 3; a refused
 * new password exits with the library's code, as in 5.6.
 *
 * All input is read from file descriptors without stdio buffering, so the
 * three answers can also come one per line from a pipe.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

/* The original's buffers: fgets() into 300 bytes, passwords into 128. */
#define PASS_BUF 128

/* Exit status of a failed dialogue (not a VA code). */
#define EXIT_DIALOGUE 3

static void logmsg(int priority, const char *fmt, ...)
{
	va_list ap;

	openlog("vchangepw", 0, LOG_AUTH);
	va_start(ap, fmt);
	vsyslog(priority, fmt, ap);
	va_end(ap);
	closelog();
}

static int read_byte(int fd, char *c)
{
	ssize_t r;

	do
		r = read(fd, c, 1);
	while (r < 0 && errno == EINTR);
	return r == 1;
}

/*
 * Read a line the way fgets(buf, size, stdin) does: at most size - 1
 * bytes, stopping after a newline.  Returns the number of bytes stored
 * (the newline included), 0 at end of input with nothing read.
 */
static size_t read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;
	char c;

	while (n + 1 < size && read_byte(fd, &c)) {
		buf[n++] = c;
		if (c == '\n')
			break;
	}
	buf[n] = '\0';
	return n;
}

int main(void)
{
	static char email[CLI_BUF];
	static char user[CLI_BUF];
	static char domain[CLI_BUF];
	static char passwd[PASS_BUF];
	static char answer[8 * PASS_BUF];
	struct vqpasswd *pw;
	size_t len;
	int err;

	cli_open();

	fputs("Please enter the email address: ", stdout);
	fflush(stdout);
	len = read_line(STDIN_FILENO, email, sizeof(email));
	if (len == 0) {
		fputs("\n\n", stdout);   /* nothing entered */
		cli_exit(0);
	}
	/* Like fgets: a line that did not end (too long, or cut by EOF). */
	if (email[len - 1] != '\n' && email[len - 1] != '\r') {
		fputs("\nError: email address too long\n", stdout);
		cli_exit(EXIT_DIALOGUE);
	}
	email[len - 1] = '\0';
	printf("%s\n", email);

	/* Lower-cases the address in place: the log and prompt show it so. */
	err = parse_email(email, user, domain, (int)sizeof(user));
	if (err != 0)
		cli_fail(err);

	/* Read into a larger buffer to tell a too long answer from a long one. */
	fflush(stdout);
	vgetpass_once("Enter old password: ", answer, sizeof(answer));
	len = strlen(answer);
	if (len < sizeof(passwd))
		memcpy(passwd, answer, len + 1);
	explicit_bzero(answer, sizeof(answer));
	if (len >= sizeof(passwd)) {
		explicit_bzero(passwd, sizeof(passwd));
		fputs("Error: password too long.\n", stdout);
		logmsg(LOG_NOTICE, "Too long password for user <%s>", email);
		cli_exit(EXIT_DIALOGUE);
	}

	pw = vauth_getpw(user, domain);
	if (pw == NULL) {
		explicit_bzero(passwd, sizeof(passwd));
		fputs("Error: authentication failed!\n", stdout);
		logmsg(LOG_NOTICE, "Domain of address <%s> does not exist", email);
		cli_exit(EXIT_DIALOGUE);
	}
	if (vauth_crypt(user, domain, passwd, pw) != 0) {
		explicit_bzero(passwd, sizeof(passwd));
		fputs("Error: authentication failed!\n", stdout);
		logmsg(LOG_NOTICE, "Wrong password for user <%s>", email);
		cli_exit(EXIT_DIALOGUE);
	}

	vgetpasswd(email, passwd, sizeof(passwd));
	err = vpasswd(user, domain, passwd, USE_POP);
	explicit_bzero(passwd, sizeof(passwd));
	if (err != VA_SUCCESS) {
		cli_print_error(err);
		logmsg(LOG_NOTICE, "Error changing users password! User <%s>, message: %s",
		       email, verror(err));
		cli_exit(err);
	}
	fputs("Password successfully changed.\n", stdout);
	logmsg(LOG_DEBUG, "User <%s> changed password", email);
	cli_exit(0);
}
