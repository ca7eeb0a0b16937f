/*
 * unit_fdio.c - the whole-buffer I/O helpers of src/lib/fdio.c:
 * vp_writev_all() over many pieces and through a short write,
 * vp_slurp_fd() on a file, on a pipe (no size known) and with a cap, and
 * vp_pwrite_all() at an offset.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"
#include "fdio.h"
#include "tap.h"
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>

/* n pieces of 1..7 bytes (a few empty), and their concatenation in *all. */
static struct iovec *pieces(size_t n, char **all, size_t *len)
{
	struct iovec *v = calloc(n, sizeof *v);
	char *buf = malloc(n * 8), *p = buf;
	size_t i, k;

	for (i = 0; i < n; i++) {
		k = (i % 9 == 4) ? 0 : i % 7 + 1;
		v[i].iov_base = p;
		v[i].iov_len = k;
		while (k-- > 0)
			*p++ = (char)('a' + (i + k) % 26);
	}
	*all = buf;
	*len = (size_t)(p - buf);
	return v;
}

static void test_writev_many(void)
{
	char path[VP_PATH_MAX], *all, *got;
	size_t len, n = 1000, i;
	struct iovec *v = pieces(n, &all, &len), *copy = calloc(n, sizeof *copy);
	int fd;

	memcpy(copy, v, n * sizeof *v);
	vp_fmt(path, sizeof path, "%s/many", sandbox);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	is_int(vp_writev_all(fd, v, n), 0, "writev of 1,000 pieces (more than one window)");
	close(fd);
	got = slurp(path);
	ok(got != NULL && strlen(got) == len && memcmp(got, all, len) == 0,
	   "  the file is the pieces in order (%zu bytes)", len);
	for (i = 0; i < n && v[i].iov_base == copy[i].iov_base && v[i].iov_len == copy[i].iov_len; i++)
		;
	is_int(i, n, "  the caller's list is left as it was");
	is_int(vp_writev_all(fd, v, 0), 0, "no pieces: nothing to do");
	free(got);
	free(copy);
	free(v);
	free(all);
}

/*
 * With RLIMIT_FSIZE below the total, writev() stops part way into a piece
 * and the next call fails (EFBIG, SIGXFSZ ignored): the helper must have
 * resumed at the right byte, so the file is the first limit bytes.
 */
static void test_writev_short(void)
{
	char path[VP_PATH_MAX], *all, *got;
	size_t len, n = 600;
	struct iovec *v = pieces(n, &all, &len);
	int st, fd;
	pid_t pid;

	vp_fmt(path, sizeof path, "%s/short", sandbox);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = { 1001, 1001 };

		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		_exit(vp_writev_all(fd, v, n) == -1 && errno == EFBIG ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a short write, then EFBIG: -1 with errno EFBIG");
	got = slurp(path);
	ok(got != NULL && strlen(got) == 1001 && memcmp(got, all, 1001) == 0,
	   "  what was written is the first 1,001 bytes, in order");
	free(got);
	free(v);
	free(all);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * A short write that is then resumed: writev() into a full pipe is cut
 * short by a signal (installed without SA_RESTART) and returns what went
 * in; the helper must carry on from exactly that byte once the reader
 * drains the pipe.  The reader, a child, sends back what it got.
 */
static void test_writev_resumed(void)
{
	enum { N = 1000, SIZE = 200 };
	struct iovec v[N];
	struct sigaction sa;
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	char *all = malloc((size_t)N * SIZE), *got;
	size_t i, len = 0;
	int p[2], back[2], st, rc;
	pid_t pid;

	for (i = 0; i < N; i++) {
		v[i].iov_base = all + len;
		v[i].iov_len = SIZE - i % 3;
		len += v[i].iov_len;
	}
	/* Bytes that differ within a piece, so a resume at the wrong offset shows. */
	for (i = 0; i < len; i++)
		all[i] = (char)('a' + (i * 7 + i / 13) % 26);
	if (pipe(p) != 0 || pipe(back) != 0)
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *buf;
		size_t n;

		close(p[1]);
		close(back[0]);
		usleep(300000);     /* the writer blocks on the full pipe meanwhile */
		if (vp_slurp_fd(p[0], 0, &buf, &n) != 0)
			_exit(1);
		vp_write_all(back[1], buf, n);
		_exit(0);
	}
	close(p[0]);
	close(back[1]);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm;     /* no SA_RESTART: the write returns short */
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	rc = vp_writev_all(p[1], v, N);
	close(p[1]);
	signal(SIGALRM, SIG_DFL);
	is_int(rc, 0, "writev into a pipe, interrupted once: 0");
	if (vp_slurp_fd(back[0], 0, &got, &i) != 0)
		got = NULL;
	ok(got != NULL && i == len && memcmp(got, all, len) == 0,
	   "  the reader got every byte in order (%zu of %zu)", got != NULL ? i : 0, len);
	close(back[0]);
	waitpid(pid, &st, 0);
	free(got);
	free(all);
}

static void test_slurp(void)
{
	char path[VP_PATH_MAX], *out = NULL, *big;
	size_t len = 0, n = 300000, i;
	int fd, p[2], st;
	pid_t pid;

	big = malloc(n);
	for (i = 0; i < n; i++)
		big[i] = (char)('0' + i % 10);

	vp_fmt(path, sizeof path, "%s/file", sandbox);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	vp_write_all(fd, big, n);
	close(fd);
	fd = open(path, O_RDONLY);
	is_int(vp_slurp_fd(fd, 0, &out, &len), 0, "slurp a 300,000-byte file");
	ok(len == n && memcmp(out, big, n) == 0 && out[n] == '\0', "  every byte, then a NUL");
	free(out);
	lseek(fd, 0, SEEK_SET);
	errno = 0;
	is_int(vp_slurp_fd(fd, 1000, &out, &len), -1, "over the cap: -1");
	is_int(errno, EFBIG, "  errno EFBIG");
	close(fd);

	/* A pipe has no size to go by: the buffer must grow. */
	if (pipe(p) != 0)
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		vp_write_all(p[1], big, n);
		_exit(0);
	}
	close(p[1]);
	out = NULL;
	is_int(vp_slurp_fd(p[0], 0, &out, &len), 0, "slurp 300,000 bytes from a pipe");
	ok(len == n && out != NULL && memcmp(out, big, n) == 0, "  every byte");
	close(p[0]);
	waitpid(pid, &st, 0);
	free(out);

	fd = open("/dev/null", O_RDONLY);
	is_int(vp_slurp_fd(fd, 0, &out, &len), 0, "slurp an empty source");
	ok(len == 0 && out != NULL && out[0] == '\0', "  an empty string");
	free(out);
	close(fd);
	free(big);
}

/* vp_pwrite_all() writes at the offset given and leaves the fd's own alone. */
static void test_pwrite(void)
{
	char path[VP_PATH_MAX], *got;
	int fd;

	vp_fmt(path, sizeof path, "%s/pw", sandbox);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	vp_write_all(fd, "aaaaaaaaaa", 10);
	is_int(vp_pwrite_all(fd, "XYZ", 3, 4), 0, "pwrite 3 bytes at offset 4");
	is_int((int)lseek(fd, 0, SEEK_CUR), 10, "  the file offset stays at 10");
	close(fd);
	got = slurp(path);
	is_str(got, "aaaaXYZaaa", "  the bytes land at 4..6, the rest untouched");
	free(got);
}

int main(void)
{
	if (sandbox_create("unit_fdio") != 0)
		return 1;
	test_writev_many();
	test_writev_short();
	test_writev_resumed();
	test_slurp();
	test_pwrite();
	sandbox_remove();
	return done_testing();
}
