/*
 * prompt.c - vgetpasswd(): ask for a new password twice on the terminal.
 *
 * The original used getpass(3).  We do what glibc's getpass does on a
 * terminal - open /dev/tty, print the prompt there, turn echo (and signal
 * keys) off, read one line, restore the settings, and echo the Enter key
 * as a newline.  Without a terminal, like getpass, the prompts go to
 * stderr and the answers are read from stdin, so scripts that pipe a
 * password into vadduser keep working; at end of file the answer is
 * empty (the commands then report "Error: No password entered" or apply
 * the strength policy).
 *
 * Exception to the library's no-stdout rule, kept for compatibility:
 * a mismatch prints "Passwords do not match, try again" on stdout, as
 * 5.6 does.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"
#include "fdio.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define PROMPT_MAX 128     /* the original's prompt buffer: cut at 127 chars */
#define ENTRY_MAX  1024    /* longer input is read to the end and cut here */

static void put_all(int fd, const char *s)
{
	(void)vp_write_all(fd, s, strlen(s));   /* a lost prompt is not an error */
}

/*
 * Show prompt on out and read one line from in, with echo off when in is
 * a terminal, into buf (cut to size - 1).  End of file gives what was
 * typed so far, usually "".
 */
static void read_hidden(int in, int out, const char *prompt, char *buf, size_t size)
{
	struct termios saved, quiet;
	int changed = 0, got_newline = 0;
	size_t n = 0;
	ssize_t r;
	char c;

	/* Echo off before the prompt, so nothing typed after it is shown. */
	if (tcgetattr(in, &saved) == 0) {
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ISIG);
		changed = tcsetattr(in, TCSAFLUSH, &quiet) == 0;
	}
	put_all(out, prompt);
	for (;;) {
		r = vp_read(in, &c, 1);
		if (r <= 0)
			break;
		if (c == '\n') {
			got_newline = 1;
			break;
		}
		if (n + 1 < size)
			buf[n++] = c;
	}
	buf[n] = '\0';
	if (changed) {
		if (got_newline)
			put_all(out, "\n");   /* the Enter key the user did not see */
		tcsetattr(in, TCSAFLUSH, &saved);
	}
	explicit_bzero(&c, sizeof(c));
}

void vgetpasswd(char *user, char *pass, size_t len)
{
	char prompt[PROMPT_MAX];
	char first[ENTRY_MAX], second[ENTRY_MAX];
	int fd, in, out;

	if (pass == NULL || len == 0)
		return;
	pass[0] = '\0';
	snprintf(prompt, sizeof(prompt), "Please enter password for %s: ",
	         user != NULL ? user : "");

	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	in = fd >= 0 ? fd : STDIN_FILENO;
	out = fd >= 0 ? fd : STDERR_FILENO;
	fflush(stdout);
	for (;;) {
		read_hidden(in, out, prompt, first, sizeof(first));
		read_hidden(in, out, "enter password again: ", second, sizeof(second));
		if (strcmp(first, second) == 0)
			break;
		printf("Passwords do not match, try again\n");
		fflush(stdout);
	}
	if (fd >= 0)
		close(fd);
	snprintf(pass, len, "%s", first);
	explicit_bzero(first, sizeof(first));
	explicit_bzero(second, sizeof(second));
}

/*
 * Ask once for a hidden answer (vverifypw's "Enter password: "), the way
 * getpass(3) does: on /dev/tty if there is one, else prompt on stderr and
 * read stdin.  The answer is cut to size - 1 bytes.
 */
void vp_getpass(const char *prompt, char *buf, size_t size)
{
	int fd, in, out;

	if (buf == NULL || size == 0)
		return;
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	in = fd >= 0 ? fd : STDIN_FILENO;
	out = fd >= 0 ? fd : STDERR_FILENO;
	fflush(stdout);
	read_hidden(in, out, prompt, buf, size);
	if (fd >= 0)
		close(fd);
}
