/*
 * vutil.c - the address tests of vutil.h, used by qmailadmin to decide
 * whether a name is free before it creates a user, forward, list or
 * autoresponder.
 *
 * Only the first line of a .qmail file is looked at, as 5.6 did: ezmlm
 * and autorespond put their program there.  A name with a '/' can never
 * be one of these (it would leave the domain directory), so it is "no".
 */
#include "vpinternal.h"
#include "vutil.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

void str_replace(char *s, char from, char to)
{
	if (s == NULL)
		return;
	for (; *s != '\0'; s++)
		if (*s == from)
			*s = to;
}

int file_exists(char *filename)
{
	FILE *fp;

	if (filename == NULL || (fp = fopen(filename, "re")) == NULL)
		return 0;
	fclose(fp);
	return 1;
}

/* <path>/.qmail-<name> with '.' -> ':'; 0 when it cannot be named. */
static int dotqmail_name(char *out, size_t size, const char *path, const char *name)
{
	size_t start;

	if (path == NULL || name == NULL || *name == '\0' || strchr(name, '/') != NULL)
		return 0;
	if (vp_fmt(out, size, "%s/.qmail-", path) != 0)
		return 0;
	start = strlen(out);
	if (vp_fmt(out + start, size - start, "%s", name) != 0)
		return 0;
	str_replace(out + start, '.', ':');
	return 1;
}

/* The first line of a file, or -1 when it cannot be read. */
static int first_line(const char *file, char *line, size_t size)
{
	FILE *fp = fopen(file, "re");

	if (fp == NULL)
		return -1;
	if (fgets(line, (int)size, fp) == NULL)
		line[0] = '\0';
	fclose(fp);
	return 0;
}

static int runs_ezmlm(const char *line)
{
	return strstr(line, "ezmlm-reject") != NULL || strstr(line, "ezmlm-send") != NULL;
}

int isValidMailList(char *path, char *name)
{
	char file[VP_PATH_MAX], line[MAX_BUFF];

	if (!dotqmail_name(file, sizeof file, path, name) ||
	    first_line(file, line, sizeof line) != 0)
		return 0;
	return runs_ezmlm(line);
}

#ifdef VALIAS
/* An alias row is a list or an autoresponder when the program named
 * before the first blank is ezmlm-reject or autorespond. */
static int row_is_forward(const char *row)
{
	const char *blank = strchr(row, ' ');
	const char *ar = strstr(row, "/autorespond ");
	const char *ez = strstr(row, "/ezmlm-reject ");

	if (blank != NULL && ((ar != NULL && ar < blank) || (ez != NULL && ez < blank)))
		return 0;
	return 1;
}
#endif

int isExistingAlias(char *path, char *name, char *domain)
{
	char file[VP_PATH_MAX], line[MAX_BUFF];

	if (!dotqmail_name(file, sizeof file, path, name))
		return 0;
	/* the catch-all and its relatives are no forward */
	if (strncmp(name, "default", 7) == 0)
		return 0;
	if (first_line(file, line, sizeof line) == 0)
		return !runs_ezmlm(line) && strstr(line, "autorespond") == NULL;
#ifdef VALIAS
	{
		char *row = domain != NULL ? valias_select(name, domain) : NULL;

		return row != NULL && row_is_forward(row);
	}
#else
	(void)domain;
	return 0;
#endif
}

int isExistingRobot(char *path, char *name)
{
	char file[VP_PATH_MAX], upper[MAX_PW_NAME + 1];
	size_t i;

	if (path == NULL || name == NULL || *name == '\0' || strchr(name, '/') != NULL ||
	    strlen(name) >= sizeof upper)
		return 0;
	for (i = 0; name[i] != '\0'; i++)
		upper[i] = (char)toupper((unsigned char)name[i]);
	upper[i] = '\0';
	return vp_fmt(file, sizeof file, "%s/%s/message", path, upper) == 0 && file_exists(file);
}

int isExistingUser(char *name, char *domain)
{
	return name != NULL && domain != NULL && vauth_getpw(name, domain) != NULL;
}

int isExistingAddress(char *domain, char *name, char *path)
{
	return isExistingUser(name, domain) || isExistingAlias(path, name, domain) ||
	       isExistingRobot(path, name);
}

int isQmailAlias(char *name)
{
	char file[VP_PATH_MAX];

	if (name == NULL || *name == '\0' || strchr(name, '/') != NULL)
		return 0;
	if (vp_fmt(file, sizeof file, "%s/alias/.qmail-%s-default", vp_qmaildir(), name) == 0 &&
	    file_exists(file))
		return 1;
	return vp_fmt(file, sizeof file, "%s/alias/.qmail-%s", vp_qmaildir(), name) == 0 &&
	       file_exists(file);
}

int isExistingAnyAddress(char *domain, char *name, char *path)
{
	return isExistingAddress(domain, name, path) || isQmailAlias(name);
}
