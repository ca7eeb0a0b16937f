/*
 * procsignal.c - signal processes by program name (SIGHUP qmail-send
 * after a domain change; vkill).
 *
 * Like vpopmail we run the configured ps command (e.g. "ps axww"), find
 * the PID column from the header line and skip supervision tools and
 * ourselves.  Unlike vpopmail, which signalled every line merely
 * *containing* the name anywhere, a process is chosen only when its
 * program name is exactly `name`: the first word of the COMMAND column,
 * without a login shell's leading '-', without surrounding "()" or "[]",
 * and without its directory.  So "sh -c 'vkill qmail-send'" or
 * "tail /var/log/qmail-send.log" are never hit.
 *
 * The ps command is split on blanks and run without a shell.  If it
 * cannot be run (a sandbox without ps or qmail) nothing is signalled and
 * the call still succeeds, as there is nobody to tell.
 */
#include "vpinternal.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <unistd.h>

void vp_child_signals(void)
{
	/* vpopmaild and vdelivermail ignore SIGPIPE for themselves (a peer
	 * gone is a write error there), and an ignored signal survives exec */
	signal(SIGPIPE, SIG_DFL);
}

int vp_child_bound(pid_t parent)
{
#ifdef PR_SET_PDEATHSIG
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
		return -1;
#endif
	/* a parent killed before the prctl() has left us to init already */
	return getppid() == parent ? 0 : -1;
}

#define PS_MAX_ARGS 32
#define PS_BLANKS   " \t\n"

/* Lines of these are never signalled (they carry the name as an argument). */
static const char *const supervisors[] = {
	"supervise", "multilog", "runsv", "svscan", NULL
};

/* Start `cmd` with its stdout on a pipe; returns the read end or NULL. */
static FILE *start_ps(const char *cmd, pid_t *pidp)
{
	char *copy, *argv[PS_MAX_ARGS + 1], *save = NULL, *tok;
	int pfd[2], argc = 0;
	pid_t pid;
	FILE *fp;

	if (cmd == NULL || (copy = strdup(cmd)) == NULL)
		return NULL;
	for (tok = strtok_r(copy, " \t", &save); tok != NULL && argc < PS_MAX_ARGS;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	argv[argc] = NULL;
	if (argc == 0 || pipe(pfd) != 0) {
		free(copy);
		return NULL;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		vp_child_signals();
		close(pfd[0]);
		if (pfd[1] != STDOUT_FILENO) {
			dup2(pfd[1], STDOUT_FILENO);
			close(pfd[1]);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	free(copy);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return NULL;
	}
	if ((fp = fdopen(pfd[0], "r")) == NULL) {
		close(pfd[0]);
		waitpid(pid, NULL, 0);
		return NULL;
	}
	*pidp = pid;
	return fp;
}

/* Does the program word `word` (len bytes) name `name`? */
static int program_is(const char *word, size_t len, const char *name)
{
	const char *slash;

	if (len > 0 && *word == '-') {
		word++;
		len--;
	}
	if (len >= 2 && ((word[0] == '(' && word[len - 1] == ')') ||
	                 (word[0] == '[' && word[len - 1] == ']'))) {
		word++;
		len -= 2;
	}
	/* A name with a '/' must match the whole path. */
	if (strchr(name, '/') == NULL) {
		for (slash = word + len; slash > word && slash[-1] != '/'; slash--)
			;
		len -= (size_t)(slash - word);
		word = slash;
	}
	return len == strlen(name) && strncmp(word, name, len) == 0;
}

/* Parse a pid column strictly: digits only, > 0. */
static pid_t parse_pid(const char *s, size_t len)
{
	long n = 0;
	size_t i;

	if (len == 0 || len > 10)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		n = n * 10 + (s[i] - '0');
	}
	return n > 0 && n == (pid_t)n ? (pid_t)n : 0;
}

/* Find the columns titled PID and COMMAND (or CMD/ARGS; else the last). */
static int parse_header(char *hdr, int *pid_col, int *cmd_col)
{
	char *save = NULL, *tok;
	int col = 0;

	*pid_col = *cmd_col = -1;
	for (tok = strtok_r(hdr, PS_BLANKS, &save); tok != NULL;
	     tok = strtok_r(NULL, PS_BLANKS, &save), col++) {
		if (strcmp(tok, "PID") == 0)
			*pid_col = col;
		else if (*cmd_col < 0 && (strcmp(tok, "COMMAND") == 0 ||
		         strcmp(tok, "CMD") == 0 || strcmp(tok, "ARGS") == 0))
			*cmd_col = col;
	}
	if (*cmd_col < 0)
		*cmd_col = col - 1;
	return *pid_col >= 0 && *cmd_col >= 0;
}

/* The pid on this ps line if its program is `name`, else 0. */
static pid_t line_match(const char *line, int pid_col, int cmd_col, const char *name)
{
	const char *p = line, *start;
	pid_t pid = 0;
	int col, i, is_name = 0;

	for (i = 0; supervisors[i] != NULL; i++)
		if (strstr(line, supervisors[i]) != NULL)
			return 0;
	for (col = 0; col <= pid_col || col <= cmd_col; col++) {
		p += strspn(p, PS_BLANKS);
		if (*p == '\0')
			break;
		start = p;
		p += strcspn(p, PS_BLANKS);
		if (col == pid_col)
			pid = parse_pid(start, (size_t)(p - start));
		if (col == cmd_col)
			is_name = program_is(start, (size_t)(p - start), name);
	}
	return is_name ? pid : 0;
}

int signal_process(char *name, int sig)
{
	char *line = NULL;
	size_t cap = 0;
	int pid_col, cmd_col, status;
	pid_t ps, me = getpid(), pid;
	FILE *fp;

	if (name == NULL || *name == '\0')
		return 0;
	if ((fp = start_ps(vp_ps_command(), &ps)) == NULL)
		return 0;
	if (getline(&line, &cap, fp) >= 0 && parse_header(line, &pid_col, &cmd_col)) {
		while (getline(&line, &cap, fp) >= 0) {
			pid = line_match(line, pid_col, cmd_col, name);
			if (pid > 0 && pid != me)
				kill(pid, sig);
		}
	}
	free(line);
	fclose(fp);     /* ps, if still writing, ends on SIGPIPE */
	while (waitpid(ps, &status, 0) < 0 && errno == EINTR)
		;
	return 0;
}
