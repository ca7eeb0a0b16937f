/*
 * vadduser_bulk.c - vadduser -f FILE (vpopmail-ng extension).
 *
 * FILE ("-" for stdin) lists one user a line:
 *     user@domain password [gecos ...]
 * fields separated by blanks, the gecos being the rest of the line.
 * Blank lines and lines starting with '#' are skipped.  The users of each
 * domain are added by one vadduser_many() call, so vpasswd and
 * vpasswd.cdb are rewritten once per domain, not once per user.
 *
 * A line that cannot be added is reported on stderr as
 *     Error: <verror text> (line <n>: <address>)
 * ("missing password" for a line with an address only) and skipped;
 * the exit status is that of the first such line (in file
 * order), 0 if every user was added.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"
#include "vadduser_bulk.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* One user line of the file. */
struct entry {
	unsigned long line;
	char *address;		/* as written, for messages */
	char *domain;		/* lower case */
	char *user;
	char *password;
	char *gecos;		/* NULL: none */
	int   rc;
};

/* parse_line()'s code for a line without a password; reported as such. */
#define NO_PASSWORD VA_PARSE_ERROR

struct list {
	struct entry *v;
	size_t n, cap;
};

/* The progress line: on a terminal only, at most ten times a second. */
struct progress {
	int    tty;
	int    shown;
	size_t base;		/* users of the domains already done */
	size_t total;
	struct timespec last;
};

static void show_progress(size_t done, size_t total, void *arg)
{
	struct progress *p = arg;
	struct timespec now;
	long ms;

	(void)total;
	if (!p->tty)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - p->last.tv_sec) * 1000 + (now.tv_nsec - p->last.tv_nsec) / 1000000;
	if (p->shown && ms < 100)
		return;
	p->last = now;
	p->shown = 1;
	printf("\r%zu/%zu users added", p->base + done, p->total);
	fflush(stdout);
}

static char *dup_or_die(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		cli_fail(VA_MEMORY_ALLOC_ERR);
	return d;
}

static const char *skip_blanks(const char *s)
{
	return s + strspn(s, " \t");
}

/*
 * Split one line into e.  Returns 0, 1 for a line to skip, or a VA code
 * for a line that is wrong (e->address is set whenever there is one).
 */
static int parse_line(char *text, struct entry *e)
{
	char def[MAX_PW_DOMAIN + 1];
	const char *p = skip_blanks(text), *addr, *pass, *sep;
	size_t alen, plen, glen;
	char *c;

	if (*p == '\0' || *p == '#')
		return 1;
	addr = p;
	alen = strcspn(addr, " \t");
	e->address = strndup(addr, alen);
	if (e->address == NULL)
		return VA_MEMORY_ALLOC_ERR;
	pass = skip_blanks(addr + alen);
	plen = strcspn(pass, " \t");
	if (plen == 0)
		return NO_PASSWORD;
	if ((e->password = strndup(pass, plen)) == NULL)
		return VA_MEMORY_ALLOC_ERR;
	p = skip_blanks(pass + plen);
	glen = strlen(p);
	while (glen > 0 && (p[glen - 1] == ' ' || p[glen - 1] == '\t'))
		glen--;
	if (glen > 0 && (e->gecos = strndup(p, glen)) == NULL)
		return VA_MEMORY_ALLOC_ERR;

	/* user@domain, or user%domain as vadduser also accepts. */
	sep = strchr(e->address, '@');
	if (sep == NULL)
		sep = strchr(e->address, '%');
	if ((e->user = strndup(e->address, sep != NULL ? (size_t)(sep - e->address)
	                                               : alen)) == NULL)
		return VA_MEMORY_ALLOC_ERR;
	if (sep != NULL) {
		e->domain = strdup(sep + 1);
	} else {
		def[0] = '\0';
		vset_default_domain(def);
		e->domain = strdup(def);
	}
	if (e->domain == NULL)
		return VA_MEMORY_ALLOC_ERR;
	for (c = e->domain; *c != '\0'; c++)
		*c = (char)tolower((unsigned char)*c);
	if (e->domain[0] == '\0')
		return VA_INVALID_DOMAIN_NAME;
	return 0;
}

static void read_list(FILE *in, struct list *l)
{
	char *text = NULL;
	size_t cap = 0, len;
	ssize_t got;
	unsigned long lineno = 0;
	struct entry e;
	int rc;

	while ((got = getline(&text, &cap, in)) >= 0) {
		lineno++;
		len = (size_t)got;
		if (len > 0 && text[len - 1] == '\n')
			text[--len] = '\0';
		if (len > 0 && text[len - 1] == '\r')
			text[--len] = '\0';
		memset(&e, 0, sizeof e);
		e.line = lineno;
		/* A NUL byte would silently cut the line short. */
		rc = strlen(text) != len ? VA_BAD_CHAR : parse_line(text, &e);
		if (rc == 1) {
			free(e.address);
			continue;
		}
		if (rc == VA_BAD_CHAR && e.address == NULL)
			e.address = dup_or_die("");
		if (rc == VA_MEMORY_ALLOC_ERR)
			cli_fail(rc);
		e.rc = rc;
		if (l->n == l->cap) {
			size_t ncap = l->cap ? 2 * l->cap : 1024;
			struct entry *v = realloc(l->v, ncap * sizeof *v);

			if (v == NULL)
				cli_fail(VA_MEMORY_ALLOC_ERR);
			l->v = v;
			l->cap = ncap;
		}
		l->v[l->n++] = e;
	}
	free(text);
	if (ferror(in)) {
		fprintf(stderr, "vadduser: read error: %s\n", strerror(errno));
		cli_exit(VA_PARSE_ERROR);
	}
}

/* Order of the domain groups: by domain name, file order inside. */
static int by_domain(const void *a, const void *b)
{
	const struct entry *x = *(struct entry *const *)a, *y = *(struct entry *const *)b;
	int c = strcmp(x->domain, y->domain);

	if (c != 0)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Add the good entries, one vadduser_many() per domain. */
static void add_all(struct list *l)
{
	struct entry **order;
	struct vbulk_user *users;
	struct progress pr = {0};
	size_t i, j, k, n = 0;

	if ((order = calloc(l->n ? l->n : 1, sizeof *order)) == NULL ||
	    (users = calloc(l->n ? l->n : 1, sizeof *users)) == NULL)
		cli_fail(VA_MEMORY_ALLOC_ERR);
	for (i = 0; i < l->n; i++)
		if (l->v[i].rc == 0)
			order[n++] = &l->v[i];
	qsort(order, n, sizeof *order, by_domain);
	pr.tty = isatty(STDOUT_FILENO);
	pr.total = n;
	for (i = 0; i < n; i = j) {
		for (j = i; j < n && strcmp(order[j]->domain, order[i]->domain) == 0; j++) {
			users[j - i].user = order[j]->user;
			users[j - i].password = order[j]->password;
			users[j - i].gecos = order[j]->gecos;
		}
		pr.base = i;
		vadduser_many(order[i]->domain, users, j - i, show_progress, &pr);
		for (k = i; k < j; k++) {
			order[k]->rc = users[k - i].rc;
			explicit_bzero(order[k]->password, strlen(order[k]->password));
		}
	}
	if (pr.shown) {
		for (i = 0, k = 0; i < n; i++)
			k += order[i]->rc == 0;
		printf("\r%zu/%zu users added\n", k, n);
		fflush(stdout);
	}
	free(users);
	free(order);
}

int vadduser_bulk(const char *path)
{
	struct list l = {0};
	FILE *in = stdin;
	size_t i;
	int first = 0;

	if (strcmp(path, "-") != 0 && (in = fopen(path, "re")) == NULL) {
		fprintf(stderr, "vadduser: cannot open %s: %s\n", path, strerror(errno));
		return VA_PARSE_ERROR;
	}
	read_list(in, &l);
	if (in != stdin)
		fclose(in);
	add_all(&l);
	for (i = 0; i < l.n; i++) {
		struct entry *e = &l.v[i];

		if (e->rc != 0) {
			fprintf(stderr, "Error: %s (line %lu: %s)\n",
			        e->rc == NO_PASSWORD ? "missing password" : verror(e->rc),
			        e->line, e->address);
			if (first == 0)
				first = e->rc;
		}
		free(e->address);
		free(e->domain);
		free(e->user);
		free(e->password);
		free(e->gecos);
	}
	free(l.v);
	return first;
}
