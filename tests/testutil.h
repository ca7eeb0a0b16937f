/*
 * testutil.h - helpers shared by the C unit tests: the sandbox directory,
 * reading and writing whole files, modes, and capturing stderr.
 *
 * Header-only like tap.h; include it after vpinternal.h.  A test points
 * VPOPMAIL_HOME / VPOPMAIL_QMAILDIR into the sandbox itself, as each one
 * lays its tree out differently.
 */
#ifndef TESTS_TESTUTIL_H
#define TESTS_TESTUTIL_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vpinternal.h"

/* The test's private directory, made by sandbox_create(). */
static char sandbox[256];

/* mkdtemp "<$TMPDIR or /tmp>/<name>.XXXXXX" into sandbox; -1 (after perror) on failure. */
__attribute__((unused))
static int sandbox_create(const char *name)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(sandbox, sizeof sandbox, "%s/%s.XXXXXX", tmp != NULL && *tmp != '\0' ? tmp : "/tmp",
	         name);
	if (mkdtemp(sandbox) == NULL) {
		perror("mkdtemp");
		return -1;
	}
	return 0;
}

/* Remove the sandbox, unless KEEP_SANDBOX is set (to look at it after a failure). */
__attribute__((unused))
static void sandbox_remove(void)
{
	if (getenv("KEEP_SANDBOX") == NULL && vp_rmtree(sandbox) != 0)
		fprintf(stderr, "could not remove %s\n", sandbox);
}

/* "<sandbox>/<rel>" into buf. */
__attribute__((unused))
static void sandbox_path(char *buf, size_t size, const char *rel)
{
	snprintf(buf, size, "%s/%s", sandbox, rel);
}

/* Whole file, NUL-terminated, malloc'd (the caller frees it); *lenp gets
 * its size unless NULL.  NULL if it cannot be read. */
__attribute__((unused))
static char *slurp_len(const char *path, size_t *lenp)
{
	char *data = NULL;
	size_t len = 0;

	if (vp_slurp(path, &data, &len) != 0)
		return NULL;
	if (lenp != NULL)
		*lenp = len;
	return data;
}

__attribute__((unused))
static char *slurp(const char *path)
{
	return slurp_len(path, NULL);
}

/* Whole file into buf (cut to size - 1 bytes); "(unreadable)" if it cannot be read. */
__attribute__((unused))
static const char *text_into(char *buf, size_t size, const char *path)
{
	size_t len;
	char *data = slurp_len(path, &len);

	if (data == NULL)
		return "(unreadable)";
	if (len >= size)
		len = size - 1;
	memcpy(buf, data, len);
	buf[len] = '\0';
	free(data);
	return buf;
}

/* Whole file as a string in a static buffer, "(unreadable)" if it cannot be read. */
__attribute__((unused))
static const char *file_text(const char *path)
{
	static char buf[8192];

	return text_into(buf, sizeof buf, path);
}

/* Permission bits (07777) of path, -1 if it does not exist. */
__attribute__((unused))
static int mode_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

__attribute__((unused))
static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

__attribute__((unused))
static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Create or truncate path holding text. */
__attribute__((unused))
static void put_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	if (fp != NULL) {
		fputs(text, fp);
		fclose(fp);
	}
}

/*
 * In a mysql build run against a shared test server (VP_TEST_MYSQL_SOCKET,
 * see tests/mariadb-server.sh): <etcdir>/vpopmail.mysql naming a database
 * of this process's own.
 */
__attribute__((unused))
static void sandbox_sql_conf(const char *etcdir)
{
	const char *sock = getenv("VP_TEST_MYSQL_SOCKET");
	char path[VP_PATH_MAX + 32], text[VP_PATH_MAX + 96];

	if (sock == NULL || sock[0] == '\0')
		return;
	/* a cut path or line would configure the wrong place: write nothing;
	 * pid and time: a database left by an earlier run is never reused */
	if ((size_t)snprintf(path, sizeof path, "%s/vpopmail.mysql", etcdir) >= sizeof path ||
	    (size_t)snprintf(text, sizeof text, "localhost|%s|root||vpu_%ld_%ld\n", sock,
	                     (long)getpid(), (long)time(NULL)) >= sizeof text)
		return;
	put_file(path, text);
}

/*
 * <sandbox>/vpopmail (the domains directory, etc/ with an empty
 * vlimits.default and, in a mysql test run, vpopmail.mysql) and
 * <sandbox>/qmail (users/, control/), with the VPOPMAIL_* overrides
 * pointing at them: the current user's ids, no qmail-newu/qmail-newmrh
 * (the library writes the cdbs), no ps.
 */
__attribute__((unused))
static void sandbox_homes(void)
{
	static const char *const dirs[] = {
		"vpopmail", "vpopmail/" DOMAINS_DIR, "vpopmail/etc",
		"qmail", "qmail/users", "qmail/control",
	};
	char path[VP_PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		sandbox_path(path, sizeof path, dirs[i]);
		mkdir(path, strcmp(dirs[i], "vpopmail/" DOMAINS_DIR) == 0 ? 0700 : 0755);
	}
	sandbox_path(path, sizeof path, "vpopmail");
	setenv("VPOPMAIL_HOME", path, 1);
	sandbox_path(path, sizeof path, "qmail");
	setenv("VPOPMAIL_QMAILDIR", path, 1);
	sandbox_path(path, sizeof path, "vpopmail/etc");
	sandbox_sql_conf(path);
	sandbox_path(path, sizeof path, "vpopmail/etc/vlimits.default");
	put_file(path, "# no limits\n");
	setenv("VPOPMAIL_QMAIL_NEWU", "/nonexistent/qmail-newu", 1);
	setenv("VPOPMAIL_QMAIL_NEWMRH", "/nonexistent/qmail-newmrh", 1);
	setenv("VPOPMAIL_PS", "/bin/false", 1);
	snprintf(path, sizeof path, "%u", (unsigned)getuid());
	setenv("VPOPMAIL_UID", path, 1);
	snprintf(path, sizeof path, "%u", (unsigned)getgid());
	setenv("VPOPMAIL_GID", path, 1);
}

/*
 * A fresh vpopmail home <sandbox>/<name> with an etc/ directory, and
 * VPOPMAIL_HOME pointing at it; etc/<file> holds text unless text is NULL.
 */
__attribute__((unused))
static void sandbox_home(const char *name, const char *file, const char *text)
{
	char path[512];

	sandbox_path(path, sizeof path, name);
	mkdir(path, 0700);
	setenv("VPOPMAIL_HOME", path, 1);
	snprintf(path, sizeof path, "%s/%s/etc", sandbox, name);
	mkdir(path, 0700);
	if (text == NULL)
		return;
	snprintf(path, sizeof path, "%s/%s/etc/%s", sandbox, name, file);
	put_file(path, text);
}

/*
 * Register example.com, its directory <sandbox>/<domains dir>/example.com (made
 * here, its path copied to domdir), in <sandbox>/qmail/users/assign and
 * users/cdb, owned by us.  The test points VPOPMAIL_QMAILDIR at
 * <sandbox>/qmail.  0, or -1 / the cdb writer's error.
 */
__attribute__((unused))
static int sandbox_domain(char *domdir, size_t size)
{
	char path[600];
	FILE *fp;

	sandbox_path(path, sizeof path, DOMAINS_DIR);
	mkdir(path, 0700);
	sandbox_path(domdir, size, DOMAINS_DIR "/example.com");
	mkdir(domdir, 0700);
	sandbox_path(path, sizeof path, "qmail");
	mkdir(path, 0755);
	sandbox_path(path, sizeof path, "qmail/users");
	mkdir(path, 0755);
	sandbox_path(path, sizeof path, "qmail/users/assign");
	fp = fopen(path, "w");
	if (fp == NULL)
		return -1;
	fprintf(fp, "+example.com-:example.com:%u:%u:%s:-::\n.\n",
	        (unsigned)getuid(), (unsigned)getgid(), domdir);
	fclose(fp);
	return vp_build_users_cdb();
}

/* ---- stderr capture (into <sandbox>/stderr.txt) ---------------------- */

static int capture_saved_fd = -1;
static char capture_file[300];

__attribute__((unused))
static void capture_begin(void)
{
	int fd;

	fflush(stderr);
	sandbox_path(capture_file, sizeof capture_file, "stderr.txt");
	fd = open(capture_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	capture_saved_fd = dup(2);
	dup2(fd, 2);
	close(fd);
}

/* Stop capturing; what was written, in a static buffer. */
__attribute__((unused))
static const char *capture_end(void)
{
	static char buf[8192];

	fflush(stderr);
	dup2(capture_saved_fd, 2);
	close(capture_saved_fd);
	return text_into(buf, sizeof buf, capture_file);
}

#endif
