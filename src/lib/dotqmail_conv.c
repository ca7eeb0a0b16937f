/*
 * dotqmail_conv.c - move a domain's .qmail-<alias> files into the SQL
 * valias table (dotqmail2valias, --enable-valias).
 *
 * Every .qmail-<name> of the domain directory but .qmail-default becomes
 * rows of alias <name> (':' read back as '.'), one per non-blank line,
 * and the file is removed once all its rows are in.  Skipped, and left
 * in place: an alias that already has rows, a file that cannot be read,
 * and an ezmlm mailing list (a program line whose command contains
 * "/ezmlm-").  The progress text is 5.6's.
 *
 * Unlike 5.6, a file is read whole before anything is written: a list
 * is never inserted and taken out again, and when an insert fails the
 * rows already added are removed and the file is kept, so no alias is
 * ever lost or half converted.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef VALIAS

/* A program line running ezmlm: "|.../ezmlm-..." before any blank. */
static int is_ezmlm_line(const char *line)
{
	const char *hit, *blank;

	if (line[0] != '|')
		return 0;
	hit = strstr(line, "/ezmlm-");
	blank = strchr(line, ' ');
	return hit != NULL && (blank == NULL || hit < blank);
}

/* The lines of a .qmail file (blank ones dropped); *list set for ezmlm. */
static int read_lines(const char *path, string_list *out, int *list)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp;
	int rc = VA_SUCCESS;

	*list = 0;
	if ((fp = vp_fopen_read(path)) == NULL)
		return VA_COULD_NOT_OPEN_DOT_QMAIL;
	while (!*list && (n = getline(&line, &cap, fp)) >= 0) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (is_ezmlm_line(line))
			*list = 1;
		else if (n > 0 && string_list_add(out, line) != 0)
			rc = VA_MEMORY_ALLOC_ERR;
	}
	if (ferror(fp))
		rc = VA_COULD_NOT_OPEN_DOT_QMAIL;
	free(line);
	fclose(fp);
	return rc;
}

/* Convert one file; prints the rest of its progress line. */
static void convert_file(const char *dir, const char *fname, char *domain, FILE *out)
{
	char path[VP_PATH_MAX], alias[MAX_BUFF], dom[MAX_PW_DOMAIN + 1], *p;
	string_list rows;
	int rc, list, i;

	vp_strlcpy(alias, fname + 7, sizeof alias);
	for (p = alias; *p != '\0'; p++)
		if (*p == ':')
			*p = '.';
	fprintf(out, "  checking %s@%s...", alias, domain);
	vp_strlcpy(dom, domain, sizeof dom);
	if (valias_select(alias, dom) != NULL) {
		fputs("valias already exists, skipping.\n", out);
		return;
	}
	if (vp_fmt(path, sizeof path, "%s/%s", dir, fname) != 0 ||
	    string_list_init(&rows, 4) != 0) {
		fprintf(out, "Error opening %s/%s, skipping.\n", dir, fname);
		return;
	}
	rc = read_lines(path, &rows, &list);
	if (rc != VA_SUCCESS) {
		fprintf(out, "Error opening %s, skipping.\n", path);
	} else if (list) {
		fputs("mailing list, skipping.\n", out);
	} else {
		for (i = 0; i < rows.count && rc == VA_SUCCESS; i++) {
			vp_strlcpy(dom, domain, sizeof dom);
			rc = valias_insert(alias, dom, rows.values[i]);
		}
		if (rc != VA_SUCCESS) {
			vp_strlcpy(dom, domain, sizeof dom);
			valias_delete(alias, dom);
			fprintf(out, " failed: %s, file kept.\n", verror(rc));
		} else if (unlink(path) != 0) {
			fprintf(out, " converted %d entries, but %s could not be removed.\n",
			        rows.count, path);
		} else {
			fprintf(out, " converted %d entries.\n", rows.count);
		}
	}
	string_list_free(&rows);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int vdotqmail2valias(const char *domain, FILE *out, FILE *err)
{
	char dom[MAX_PW_DOMAIN + 1], dir[VP_PATH_MAX];
	string_list files;
	struct dirent *de;
	DIR *dp;
	int i;

	if (domain == NULL || out == NULL || err == NULL)
		return VA_NULL_POINTER;
	if (vp_strlcpy(dom, domain, sizeof dom) != 0 ||
	    vget_assign(dom, dir, (int)sizeof dir, NULL, NULL) == NULL) {
		fprintf(err, "Error, domain %s not found in users/" QMAIL_CDB_NAME ".\n", domain);
		return VA_DOMAIN_DOES_NOT_EXIST;
	}
	if (strcmp(dom, domain) != 0) {
		fprintf(err, "Skipping %s (alias of %s).\n", domain, dom);
		return VA_DOMAIN_DOES_NOT_EXIST;
	}
	if ((dp = opendir(dir)) == NULL) {
		fprintf(err, "Error, couldn't open %s.\n", dir);
		return VA_BAD_DIR;
	}
	/* Collect first: converting removes entries from the directory. */
	if (string_list_init(&files, 16) != 0) {
		closedir(dp);
		return VA_MEMORY_ALLOC_ERR;
	}
	while ((de = readdir(dp)) != NULL)
		if (strncmp(de->d_name, ".qmail-", 7) == 0 && de->d_name[7] != '\0' &&
		    strcmp(de->d_name, ".qmail-default") != 0 &&
		    string_list_add(&files, de->d_name) != 0)
			break;
	closedir(dp);
	qsort(files.values, (size_t)files.count, sizeof(char *), by_name);
	for (i = 0; i < files.count; i++) {
		convert_file(dir, files.values[i], dom, out);
		fflush(out);
	}
	string_list_free(&files);
	return VA_SUCCESS;
}
#endif
