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

/* A local part that can name a file in the domain directory. */
static int local_name_ok(const char *name)
{
	return name != NULL && *name != '\0' && strchr(name, '/') == NULL;
}

int vp_dotqmail_first_line(const char *domdir, const char *name, char *line, size_t size)
{
	char file[VP_PATH_MAX];
	size_t start;
	FILE *fp;

	if (domdir == NULL || !local_name_ok(name) ||
	    vp_fmt(file, sizeof file, "%s/.qmail-", domdir) != 0)
		return -1;
	start = strlen(file);
	if (vp_fmt(file + start, sizeof file - start, "%s", name) != 0)
		return -1;
	str_replace(file + start, '.', ':');
	if ((fp = vp_fopen_read(file)) == NULL)
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

int vp_line_is_forward(const char *line)
{
	return !runs_ezmlm(line) && strstr(line, "autorespond") == NULL;
}

int isValidMailList(char *path, char *name)
{
	char line[MAX_BUFF];

	return vp_dotqmail_first_line(path, name, line, sizeof line) == 0 && runs_ezmlm(line);
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
	char line[MAX_BUFF];

	if (path == NULL || !local_name_ok(name))
		return 0;
	/* the catch-all and its relatives are no forward */
	if (strncmp(name, "default", 7) == 0)
		return 0;
	if (vp_dotqmail_first_line(path, name, line, sizeof line) == 0)
		return vp_line_is_forward(line);
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

int vp_robot_message_path(const char *dir, const char *name, char *out, size_t size)
{
	size_t start, i;

	if (vp_fmt(out, size, "%s/", dir) != 0)
		return -1;
	start = strlen(out);
	if (vp_fmt(out + start, size - start, "%s/message", name) != 0)
		return -1;
	for (i = start; name[i - start] != '\0'; i++)
		out[i] = (char)toupper((unsigned char)out[i]);
	return 0;
}

int isExistingRobot(char *path, char *name)
{
	char file[VP_PATH_MAX];

	if (path == NULL || name == NULL || *name == '\0' || strchr(name, '/') != NULL ||
	    strlen(name) > MAX_PW_NAME)
		return 0;
	return vp_robot_message_path(path, name, file, sizeof file) == 0 && file_exists(file);
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
