/*
 * vmyconf.c - ~vpopmail/etc/vpopmail.mysql, in vpopmail's format:
 *
 *   # comment
 *   read-server|port-or-/socket|user|password|database
 *   update-server|port-or-/socket|user|password|database   (optional)
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vmysql.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CONF_NAME "etc/vpopmail.mysql"
#define CONF_MAX  8192

/* Copy the field [p, end) into dst; -1 if it does not fit. */
static int field(char *dst, size_t size, const char *p, const char *end)
{
	size_t n = (size_t)(end - p);

	if (n >= size)
		return -1;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

/* One "server|port|user|password|database" line into s; index of the
 * first missing or overlong field, or -1 when all five are there. */
static int parse_line(const char *line, size_t len, struct vmy_server *s)
{
	const char *end = line + len, *p = line, *bar;
	char port[VP_PATH_MAX];
	int i;

	memset(s, 0, sizeof *s);
	for (i = 0; i < 5; i++) {
		if (p > end)
			return i;
		bar = memchr(p, '|', (size_t)(end - p));
		if (bar == NULL)
			bar = end;
		switch (i) {
		case 0: if (bar == p || field(s->host, sizeof s->host, p, bar)) return i; break;
		case 1: if (bar == p || field(port, sizeof port, p, bar)) return i; break;
		case 2: if (field(s->user, sizeof s->user, p, bar)) return i; break;
		case 3: if (field(s->passwd, sizeof s->passwd, p, bar)) return i; break;
		case 4: if (bar == p || field(s->database, sizeof s->database, p, bar)) return i; break;
		}
		p = bar + 1;
	}
	if (port[0] == '/')
		memcpy(s->socket, port, sizeof s->socket);
	else
		s->port = (unsigned)strtoul(port, NULL, 10);
	return -1;
}

int vmy_conf_parse(const char *text, struct vmy_conf *c)
{
	const char *p = text, *nl;
	size_t len;
	int line = 0, bad;

	if (text == NULL || c == NULL)
		return VA_NULL_POINTER;
	while (*p != '\0' && line < 2) {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		if (len > 0 && p[0] != '#') {
			bad = parse_line(p, len, line == 0 ? &c->read : &c->update);
			if (bad >= 0)
				return VA_PARSE_ERROR01 - (5 * line + bad);
			line++;
		}
		p = nl != NULL ? nl + 1 : p + len;
	}
	if (line == 0)                  /* no settings at all: 5.6's code */
		return VA_NO_AUTH_CONNECTION;
	if (line == 1)
		c->update = c->read;
	return 0;
}

int vmy_conf_get(const struct vmy_conf **out)
{
	static struct vmy_conf conf;
	static int loaded;
	char path[VP_PATH_MAX], *text;
	size_t n;
	FILE *fp;
	int rc;

	if (loaded) {
		*out = &conf;
		return 0;
	}
	if (vp_home_path(path, sizeof path, CONF_NAME) == NULL)
		return VA_DIR_TOO_LONG;
	if ((fp = fopen(path, "re")) == NULL) {
		fprintf(stderr, "vmysql: can't read settings from %s\n", path);
		return VA_NO_AUTH_CONNECTION;
	}
	if ((text = malloc(CONF_MAX + 1)) == NULL) {
		fclose(fp);
		return VA_MEMORY_ALLOC_ERR;
	}
	n = fread(text, 1, CONF_MAX, fp);
	text[n] = '\0';
	fclose(fp);
	rc = vmy_conf_parse(text, &conf);
	explicit_bzero(text, CONF_MAX + 1);
	free(text);
	if (rc != 0) {
		fprintf(stderr, "vmysql: no valid settings in %s\n", path);
		return rc;
	}
	loaded = 1;
	*out = &conf;
	return 0;
}
