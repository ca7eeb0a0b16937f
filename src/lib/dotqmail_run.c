/*
 * dotqmail_run.c - delivery instructions: the lines of a user's .qmail,
 * the catchall of .qmail-default, control/defaultdelivery.
 *
 *   #...        comment
 *   |command    run by /bin/sh with the message on stdin
 *   ./dir/ /dir/  a Maildir
 *   &addr, addr   forward through qmail-inject
 *
 * A blank line does nothing (vpopmail forwarded to an empty address).
 * A line holding a NUL byte defers the delivery (see load_file()).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "deliver.h"
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* qmail-local's reading of a program's exit status. */
static int map_program_status(int status)
{
	if (!WIFEXITED(status))
		return DX_TEMP;
	switch (WEXITSTATUS(status)) {
	case 0:
		return DX_OK;
	case 99:
		return DX_STOP;
	case 64: case 65: case 70: case 76: case 77: case 78: case 100: case 112:
		return DX_PERM;
	default:
		return DX_TEMP;
	}
}

static int wait_child(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

int dx_program(struct dx_ctx *c, const char *cmd)
{
	pid_t pid;
	int status;

	/* Spaces and further '|' before the command are dropped, as 5.6 does. */
	while (*cmd == ' ' || *cmd == '|')
		cmd++;
	if (dx_msg_rewind(c) != DX_OK)
		return DX_TEMP;
	fflush(c->out);
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fprintf(c->out, "Unable to fork: %d.\n", errno);
		return DX_TEMP;
	}
	if (pid == 0) {
		vp_child_signals();
		setenv("SHELL", "/bin/sh", 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		dprintf(1, "Unable to run /bin/sh: %d.\n", errno);
		_exit(111);
	}
	if (wait_child(pid, &status) != 0)
		return DX_TEMP;
	return map_program_status(status);
}

/*
 * The header block of a forwarded copy, pointing into the strings it comes
 * from (however long): RPLINE, then "Delivered-To: " and the address
 * DTLINE names without the "<domain>-" qmail-local put in front (with
 * DTLINE's newline), else the target address and a newline.
 */
static void forward_header(const struct dx_ctx *c, const char *addr, struct iovec dt[4])
{
	static const char tag[] = "Delivered-To: ";
	const char *rest, *at;
	size_t after;

	dt[0] = (struct iovec){ (void *)c->rpline, strlen(c->rpline) };
	dt[1] = (struct iovec){ (void *)tag, sizeof tag - 1 };
	if (c->dtline != NULL && strlen(c->dtline) >= 15 &&
	    strncmp(c->dtline, tag, sizeof tag - 1) == 0) {
		rest = c->dtline + sizeof tag - 1;
		at = strrchr(rest, '@');
		/* "<domain>-" is as long as what follows the '@' ("<domain>\n") */
		if (at != NULL && (after = strlen(at + 1)) < strlen(rest)) {
			dt[2] = (struct iovec){ (void *)(rest + after), strlen(rest + after) };
			dt[3] = (struct iovec){ NULL, 0 };
			return;
		}
	}
	dt[2] = (struct iovec){ (void *)addr, strlen(addr) };
	dt[3] = (struct iovec){ (void *)"\n", 1 };
}

/* Header block then the message into fd. */
static int feed(struct dx_ctx *c, int fd, const struct iovec hdr[4])
{
	if (vp_writev_all(fd, hdr, 4) != 0)
		return -1;
	if (dx_msg_rewind(c) != DX_OK)
		return -1;
	return vp_copy_fd(0, fd);
}

/*
 * qmail-inject queues whatever it read once its input ends: fed through a
 * pipe, a vdelivermail killed part way would forward a cut-off message
 * (qmail retries the delivery, so the whole one follows).  The copy is
 * made in an unlinked temporary file first, and qmail-inject starts only
 * with all of it.
 */
int dx_forward(struct dx_ctx *c, const char *addr)
{
	struct iovec hdr[4];
	int in, status, werr = 0;
	pid_t pid;

	forward_header(c, addr, hdr);
	fflush(c->out);
	fflush(stdout);
	if ((in = dx_tempfile()) < 0 || feed(c, in, hdr) != 0 || lseek(in, 0, SEEK_SET) != 0)
		werr = errno != 0 ? errno : EIO;
	if (werr != 0) {
		if (in >= 0)
			close(in);
		fprintf(c->out, "write to qmail-inject failed: %d\nsystem error calling qmail-inject\n",
		        werr);
		return DX_TEMP;
	}
	if ((pid = fork()) < 0) {
		close(in);
		fprintf(c->out, "Unable to fork: %d.\nsystem error, can't open qmail-inject\n", errno);
		return DX_TEMP;
	}
	if (pid == 0) {
		if (in != 0) {
			if (dup2(in, 0) < 0)
				_exit(111);
			close(in);
		}
		vp_child_signals();
		/* "&&x": 5.6 dropped a second '&' on the way to qmail-inject */
		execl(vp_qmail_inject(), vp_qmail_inject(), "--", addr[0] == '&' ? addr + 1 : addr,
		      (char *)NULL);
		/* No newline, as in vpopmail: the parent's report follows on the same line. */
		dprintf(1, "Unable to launch qmail-inject.");
		_exit(111);
	}
	close(in);
	if (wait_child(pid, &status) != 0) {
		fputs("system error calling qmail-inject\n", c->out);
		return DX_TEMP;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return DX_OK;
	fputs("system error calling qmail-inject\n", c->out);
	return WIFEXITED(status) ? WEXITSTATUS(status) : DX_TEMP;
}

int dx_instruction(struct dx_ctx *c, const char *line, int is_catchall)
{
	size_t n = strlen(line);
	int loop;

	if (line[0] == '#' || n == 0)
		return DX_OK;
	/* A forward's '&' is not part of the address looked for. */
	if ((loop = dx_is_looping(c, line[0] == '&' ? line + 1 : line)) != 0)
		return dx_loop_result(c, loop);
#ifdef MAKE_SEEKABLE
	if (c->size == 0)
		return DX_OK;           /* an empty message is dropped */
#endif
	if (line[0] == '|')
		return dx_program(c, line + 1);
	if (line[0] == '.' || line[0] == '/') {
		if (line[n - 1] == '/')
			return dx_maildir(c, line, NULL, is_catchall);
		fprintf(c->out, "can't handle mbox delivery for %s", line);
		return DX_TEMP;
	}
	if (line[0] == '&') {
		line++;
		/*
		 * A lone '&': 5.6 forwarded to the empty address.  Never
		 * drop the mail for it: as a catch-all it bounces like an
		 * empty one; elsewhere the mail waits in the queue until the
		 * line is fixed.
		 */
		if (*line == '\0' || strcmp(line, "&") == 0) {
			if (is_catchall) {
				dx_print_msgfile(c, ".no-user.msg", "Sorry, no mailbox here by that name. (#5.1.1)");
				return DX_PERM;
			}
			fputs("a forward line holds no address (a lone &)\n", c->out);
			return DX_TEMP;
		}
	}
	if (*line == '\0')
		return DX_OK;
	return dx_forward(c, line);
}

/*
 * The whole file of fd in *buf (NUL-terminated, *len bytes), read before
 * any line runs: a read error part way would otherwise come after the
 * first lines ran, and the retry would run them twice.  1 (after saying
 * so) if it cannot be used: it cannot be read, or a line other than a
 * comment holds a NUL byte (cut there, "\0" would be a blank line - the
 * mail silently dropped - and "&a@b\0junk" a forward to a@b), or it is
 * larger than DX_DOTQMAIL_MAX (a user's file, read whole for each message).
 */
static int load_file(struct dx_ctx *c, int fd, const char *file, char **buf, size_t *len)
{
	const char *line, *end, *nl;

	if (vp_slurp_fd(fd, DX_DOTQMAIL_MAX, buf, len) != 0) {
		*buf = NULL;
		if (errno == EFBIG)
			fprintf(c->out, "vdelivermail: %s is larger than %d bytes\n", file, DX_DOTQMAIL_MAX);
		else
			fprintf(c->out, "vdelivermail: cannot read %s\n", file);
		return 1;
	}
	end = *buf + *len;
	for (line = *buf; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		if (line[0] != '#' && memchr(line, '\0', (size_t)(nl - line)) != NULL) {
			fprintf(c->out, "vdelivermail: a line of %s holds a NUL byte\n", file);
			free(*buf);
			*buf = NULL;
			return 1;
		}
	}
	return 0;
}

/* The next line of a loaded file, its newline replaced by NUL; NULL at
 * the end.  *at moves past it. */
static char *next_line(char **at, char *end)
{
	char *line = *at, *nl;

	if (line >= end)
		return NULL;
	if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
		nl = end;
	*nl = '\0';            /* end is the buffer's own NUL */
	*at = nl + 1;
	return line;
}

/* Run every line of a .qmail file open on fd. */
static int run_file(struct dx_ctx *c, int fd, int *handled)
{
	char *buf, *at, *line;
	size_t len;
	int rc = DX_OK;

	if (load_file(c, fd, ".qmail", &buf, &len)) {
		*handled = 1;
		return DX_TEMP;
	}
	for (at = buf; (line = next_line(&at, buf + len)) != NULL; ) {
		if (line[0] == '\0')
			continue;           /* blank: nothing to do */
		*handled = 1;
		if (line[0] == '#')
			continue;
		rc = dx_instruction(c, line, 0);
		if (rc != DX_OK)
			break;
	}
	free(buf);
	return rc;
}

/* Open the first existing candidate; -1 with errno ENOENT if none. */
static int open_candidate(const struct dx_ctx *c, const char *dir)
{
	char path[VP_PATH_MAX];

#ifdef QMAIL_EXT
	char pre[DX_NAME_MAX + 1];
	int fd;
	size_t i;

	/* A candidate whose name would hold a '/' (it would reach outside
	 * dir) is skipped; the shorter ones are still tried. */
	if (c->extpart[0] != '\0') {
		if (strchr(c->extpart, '/') == NULL &&
		    vp_fmt(path, sizeof path, "%s/.qmail-%s", dir, c->extpart) == 0 &&
		    ((fd = vp_open_read(path, 0)) >= 0 || errno != ENOENT))
			return fd;
		vp_strlcpy(pre, c->extpart, sizeof pre);
		for (i = strlen(pre); i > 0; i--) {
			if (pre[i - 1] != '-')
				continue;
			pre[i - 1] = '\0';
			if (strchr(pre, '/') == NULL &&
			    vp_fmt(path, sizeof path, "%s/.qmail-%s-default", dir, pre) == 0 &&
			    ((fd = vp_open_read(path, 0)) >= 0 || errno != ENOENT))
				return fd;
		}
		if (vp_fmt(path, sizeof path, "%s/.qmail-default", dir) == 0 &&
		    ((fd = vp_open_read(path, 0)) >= 0 || errno != ENOENT))
			return fd;
	}
#else
	(void)c;
#endif
	if (vp_fmt(path, sizeof path, "%s/.qmail", dir) != 0) {
		errno = ENOENT;
		return -1;
	}
	return vp_open_read(path, 0);
}

int dx_dotqmail(struct dx_ctx *c, const char *dir, int *handled)
{
	int fd, rc;

	*handled = 0;
	if (chdir(dir) != 0) {
		/* as vpopmail: carry on where we are */
	}
	fd = open_candidate(c, dir);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return DX_OK;
		fprintf(c->out, "vdelivermail: cannot open .qmail in %s: %s\n", dir, strerror(errno));
		return DX_TEMP;
	}
	rc = run_file(c, fd, handled);
	close(fd);
	return rc;
}

int dx_defaultdelivery(struct dx_ctx *c, int *handled)
{
	char path[VP_PATH_MAX], *buf, *at, *line;
	size_t len;
	int fd, rc = DX_OK;

	*handled = 0;
	if (vp_qmail_path(path, sizeof path, "control/defaultdelivery") == NULL)
		return DX_OK;
	fd = vp_open_read(path, 0);
	if (fd < 0) {
		/* Missing: not handled.  There but unreadable: it may say
		 * where the mail goes, so wait rather than guess (5.6 went on
		 * as if it were missing). */
		if (errno == ENOENT)
			return DX_OK;
		fprintf(c->out, "vdelivermail: cannot open %s: %s\n", path, strerror(errno));
		return DX_TEMP;
	}
	rc = load_file(c, fd, "control/defaultdelivery", &buf, &len);
	close(fd);
	if (rc) {
		*handled = 1;
		return DX_TEMP;
	}
	for (at = buf; (line = next_line(&at, buf + len)) != NULL; ) {
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (strstr(line, "vdelivermail") != NULL) {
			*handled = 0;       /* that would call us again: deliver normally */
			break;
		}
		*handled = 1;
		rc = dx_instruction(c, line, 0);
		if (rc != DX_OK)
			break;
	}
	free(buf);
	return rc;
}
