/*
 * cmd_lists.c - vpopmaild's mailing-list commands: list_lists (ezmlm
 * lists found in the domain directory) and the three that 5.6 never
 * implemented.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpopmaild.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/*
 * Open <dir>/<name> for reading.  ezmlm-make makes .qmail-<list> a link
 * to <list>/editor, so a link is followed, but only to a file inside the
 * domain directory (`real` is that directory, resolved): nothing outside
 * it is read through a link planted there.
 */
static int open_inside(int dirfd, const char *dir, const char *real, const char *name)
{
	char path[VP_PATH_MAX], target[PATH_MAX];
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 || errno != ELOOP)
		return fd;
	if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path ||
	    realpath(path, target) == NULL || !vpd_path_under(target, real))
		return -1;
	return open(target, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
}

/* Does the first line of <dir>/<name> mention ezmlm-reject? */
static int is_ezmlm(int dirfd, const char *dir, const char *real, const char *name)
{
	char buf[1024];
	ssize_t n;
	int fd;

	if ((fd = open_inside(dirfd, dir, real, name)) < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return strstr(buf, "ezmlm-reject") != NULL;
}

static int by_name_nocase(const void *a, const void *b)
{
	return strcasecmp(*(char *const *)a, *(char *const *)b);
}

void vpd_cmd_list_lists(struct vpd_args *a)
{
	char dir[VP_PATH_MAX], real[PATH_MAX], name[MAX_PW_DOMAIN + 1];
	string_list names;
	struct dirent *de;
	DIR *d;
	char *domain;
	struct vpd_page pg;
	int i, n;

	if (!vpd_is_sa() && !vpd_is_qa()) {
		vpd_err(9, 2901);
		return;
	}
	if ((domain = vpd_next(a)) == NULL) {
		vpd_err(6, 2902);
		return;
	}
	if (vpd_is_qa() && !vpd_own_domain(domain)) {
		vpd_err(11, 2903);
		return;
	}
	if (strlen(domain) >= sizeof name ||
	    vget_assign(strcpy(name, domain), dir, sizeof dir, NULL, NULL) == NULL) {
		vpd_err(11, 2904);
		return;
	}
	pg = vpd_page_args(a);
	if (realpath(dir, real) == NULL || (d = opendir(dir)) == NULL) {
		vpd_err0(2905, strerror(errno));
		return;
	}
	string_list_init(&names, 16);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, ".qmail-", 7) == 0 && is_ezmlm(dirfd(d), dir, real, de->d_name))
			string_list_add(&names, de->d_name);
	closedir(d);
	qsort(names.values, (size_t)names.count, sizeof names.values[0], by_name_nocase);

	vpd_more();
	for (i = 0, n = 0; i < names.count; i++, n++) {
		if (pg.last > 0 && n >= pg.last)
			break;
		if (n >= pg.first)
			vpd_printf("%s", names.values[i]);
	}
	vpd_end();
	string_list_free(&names);
}

void vpd_cmd_add_list(struct vpd_args *a)
{
	(void)a;
	vpd_err(36, 4001);
}

void vpd_cmd_del_list(struct vpd_args *a)
{
	(void)a;
	vpd_err(36, 4101);
}

void vpd_cmd_mod_list(struct vpd_args *a)
{
	(void)a;
	vpd_err(36, 4201);
}
