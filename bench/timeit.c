/*
 * bench/timeit.c - wall time of many runs of one program, without the
 * cost of the shell that would otherwise start it: a bash loop that reads
 * the clock with $(date) around each run adds a fork of bash and an exec
 * of date, about a millisecond on this machine, to every figure.
 *
 *   timeit FIRST LAST PROGRAM [ARG...]
 *
 * runs PROGRAM once for each i from FIRST to LAST, with every "%d" in
 * the arguments replaced by i, started with posix_spawn() and waited for;
 * stdout goes to /dev/null.  Prints one line:
 *
 *   runs N total SECONDS median MS max MS
 *
 * and exits 1 at the first run that does not exit 0.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "timing.h"

extern char **environ;

/* arg with each "%d" replaced by i, in a new string. */
static char *subst(const char *arg, long i)
{
	char num[24], *out, *o;
	const char *p;
	size_t n = 1;

	snprintf(num, sizeof num, "%ld", i);
	for (p = arg; *p != '\0'; p++)
		n += (p[0] == '%' && p[1] == 'd') ? strlen(num) : 1;
	if ((out = malloc(n)) == NULL)
		return NULL;
	for (p = arg, o = out; *p != '\0'; p++) {
		if (p[0] == '%' && p[1] == 'd') {
			o = stpcpy(o, num);
			p++;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

int main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	long first, last, i, n, k;
	double *t, t0, total = 0;
	char **av;
	pid_t pid;
	int st, a;

	if (argc < 4) {
		fprintf(stderr, "usage: timeit FIRST LAST PROGRAM [ARG...]\n");
		return 2;
	}
	first = atol(argv[1]);
	last = atol(argv[2]);
	n = last - first + 1;
	if (n < 1 || (t = calloc((size_t)n, sizeof *t)) == NULL ||
	    (av = calloc((size_t)argc, sizeof *av)) == NULL)
		return 2;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	for (i = first, k = 0; i <= last; i++, k++) {
		for (a = 3; a < argc; a++)
			if ((av[a - 3] = subst(argv[a], i)) == NULL)
				return 2;
		t0 = now_ms();
		if (posix_spawn(&pid, av[0], &fa, NULL, av, environ) != 0 ||
		    waitpid(pid, &st, 0) != pid) {
			perror(av[0]);
			return 1;
		}
		t[k] = now_ms() - t0;
		total += t[k];
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "timeit: %s failed at %ld\n", av[0], i);
			return 1;
		}
		for (a = 3; a < argc; a++)
			free(av[a - 3]);
	}
	qsort(t, (size_t)n, sizeof *t, cmp_double);
	printf("runs %ld total %.3f median %.3f max %.3f\n", n, total / 1e3, t[n / 2], t[n - 1]);
	return 0;
}
