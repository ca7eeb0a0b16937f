/*
 * bench/floor.c - what one vadduser cannot go below on this machine,
 * whatever the program does: the parts of its work fixed by the rules
 * (vpasswd and vpasswd.cdb replaced atomically: temp, fsync, rename)
 * and by the formats (a SHA-512 crypt of 5000 rounds).
 *
 *   floor DIR VPASSWD_BYTES CDB_BYTES
 *
 * prints, each the median of 21 runs in ms:
 *   spawn    fork + exec + wait of this program linked as it is (-n)
 *   files    writing both sizes to temps in DIR (files vpasswd and
 *            vpasswd.cdb there), fsync each, rename each over the
 *            existing file (the old inode is freed)
 *   crypt    one crypt_rn("$6$...") (vadduser overlaps it with the files)
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include <crypt.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "timing.h"

#define RUNS 21

static double median(double *v)
{
	qsort(v, RUNS, sizeof *v, cmp_double);
	return v[RUNS / 2];
}

static int put(const char *dir, const char *name, const char *buf, size_t n)
{
	char tmp[4096], path[4096];
	size_t off;
	ssize_t w;
	int fd;

	snprintf(tmp, sizeof tmp, "%s/%s.tmp", dir, name);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		return -1;
	for (off = 0; off < n; off += (size_t)w)
		if ((w = write(fd, buf + off, n - off > 65536 ? 65536 : n - off)) <= 0)
			return -1;
	if (fsync(fd) != 0 || close(fd) != 0)
		return -1;
	return rename(tmp, path);
}

int main(int argc, char **argv)
{
	struct crypt_data cd;
	double t[RUNS], t0;
	size_t a, b, i;
	char *buf;
	int r;

	if (argc == 2 && strcmp(argv[1], "-n") == 0)
		return 0;
	if (argc != 4)
		return 2;
	a = strtoul(argv[2], NULL, 10);
	b = strtoul(argv[3], NULL, 10);
	if ((buf = malloc(a > b ? a : b)) == NULL)
		return 1;
	for (i = 0; i < (a > b ? a : b); i++)
		buf[i] = (char)('a' + i % 26);

	for (r = 0; r < RUNS; r++) {
		pid_t pid;
		int st;

		t0 = now_ms();
		if ((pid = fork()) == 0) {
			execl("/proc/self/exe", argv[0], "-n", (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &st, 0);
		t[r] = now_ms() - t0;
	}
	printf("spawn %.2f\n", median(t));

	put(argv[1], "vpasswd", buf, a);
	put(argv[1], "vpasswd.cdb", buf, b);
	for (r = 0; r < RUNS; r++) {
		t0 = now_ms();
		if (put(argv[1], "vpasswd", buf, a) != 0 || put(argv[1], "vpasswd.cdb", buf, b) != 0)
			return 1;
		t[r] = now_ms() - t0;
	}
	printf("files %.2f\n", median(t));

	memset(&cd, 0, sizeof cd);
	for (r = 0; r < RUNS; r++) {
		t0 = now_ms();
		if (crypt_rn("pw-Secret", "$6$abcdefghijklmnop", &cd, sizeof cd) == NULL)
			return 1;
		t[r] = now_ms() - t0;
	}
	printf("crypt %.2f\n", median(t));
	free(buf);
	return 0;
}
