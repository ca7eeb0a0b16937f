/*
 * fsutil.c - directory creation, ownership and removal helpers.
 */
#include "vpinternal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int vp_chown(const char *path, uid_t uid, gid_t gid)
{
	if (!vp_can_chown())
		return 0;
	return lchown(path, uid, gid) == 0 ? 0 : -1;
}

/* Walk a tree below an open directory fd, chowning everything. */
static int chown_below(int dfd, uid_t uid, gid_t gid, int depth)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > 64)
		return -1;
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			rc = -1;
			continue;
		}
		if (fchownat(dirfd(d), de->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
			rc = -1;
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name,
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0 || chown_below(sub, uid, gid, depth + 1) != 0)
				rc = -1;
		}
	}
	closedir(d);
	return rc;
}

int vp_chown_tree(const char *path, uid_t uid, gid_t gid)
{
	struct stat st;
	int fd;

	if (!vp_can_chown())
		return 0;
	if (lstat(path, &st) != 0)
		return -1;
	if (lchown(path, uid, gid) != 0)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return 0;
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	return chown_below(fd, uid, gid, 0);
}

int vp_mkdir_p(const char *path, uid_t uid, gid_t gid)
{
	char buf[VP_PATH_MAX];
	char *p;

	if (vp_strlcpy(buf, path, sizeof buf) != 0)
		return -1;
	for (p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;

			*p = '\0';
			if (mkdir(buf, 0750) == 0) {
				vp_chown(buf, uid, gid);
			} else if (errno != EEXIST) {
				return -1;
			}
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
	return 0;
}

/* Remove everything below an open directory fd. */
static int rm_below(int dfd, int depth)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > 64)
		return -1;
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			rc = -1;
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd(d), de->d_name,
			                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0 || rm_below(sub, depth + 1) != 0)
				rc = -1;
			if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) != 0)
				rc = -1;
		} else if (unlinkat(dirfd(d), de->d_name, 0) != 0) {
			rc = -1;
		}
	}
	closedir(d);
	return rc;
}

int vp_rmtree(const char *path)
{
	struct stat st;
	int fd;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (rm_below(fd, 0) != 0)
		return -1;
	return rmdir(path);
}

int vp_slurp(const char *path, char **out, size_t *len)
{
	FILE *fp;
	char *buf = NULL;
	size_t cap = 0, n = 0;

	*out = NULL;
	if (len != NULL)
		*len = 0;
	fp = fopen(path, "re");
	if (fp == NULL)
		return -1;
	for (;;) {
		size_t got;

		if (cap - n < 4096) {
			char *nb = realloc(buf, cap + 8192);
			if (nb == NULL) {
				free(buf);
				fclose(fp);
				return VA_MEMORY_ALLOC_ERR;
			}
			buf = nb;
			cap += 8192;
		}
		got = fread(buf + n, 1, cap - n - 1, fp);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		free(buf);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	buf[n] = '\0';
	*out = buf;
	if (len != NULL)
		*len = n;
	return 0;
}

/* Classic wrappers. */
int r_chown(char *path, uid_t uid, gid_t gid)
{
	return vp_chown_tree(path, uid, gid);
}

int r_mkdir(char *path, uid_t uid, gid_t gid)
{
	return vp_mkdir_p(path, uid, gid);
}

int vdelfiles(char *dir)
{
	return vp_rmtree(dir);
}
