/*
 * unit_deliver.c - vmaildir_deliver(), the library's "put this file into
 * that Maildir with quota" (used by vdelivermail, shared with vpopbull).
 */
#include "tap.h"
#include "vpinternal.h"
#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char maildir[700];

/* Number of entries in maildir/<sub> (without . and ..), name of the last. */
static int entries(const char *sub, char *last, size_t size)
{
	char path[800];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof path, "%s/%s", maildir, sub);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		n++;
		/* a cut path would name the wrong file: report it as a failure */
		if (last != NULL && (size_t)snprintf(last, size, "%s/%s", path, de->d_name) >= size) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return n;
}

static int message_fd(const char *text)
{
	char path[700];
	int fd;

	sandbox_path(path, sizeof path, "msg");
	put_file(path, text);
	fd = open(path, O_RDONLY);
	unlink(path);
	return fd;
}

int main(void)
{
	char path[800], newpath[800], last[900], *p;
	int fd, over = -1, rc;
	uid_t uid = getuid();
	gid_t gid = getgid();

	umask(077);
	if (sandbox_create("unit_deliver") != 0)
		return 1;
	setenv("VPOPMAIL_HOME", sandbox, 1);
	sandbox_path(maildir, sizeof maildir, "Maildir");
	mkdir(maildir, 0700);
	snprintf(path, sizeof path, "%s/new", maildir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/cur", maildir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/tmp", maildir);
	mkdir(path, 0700);

	/* Without a quota. */
	fd = message_fd("Subject: one\n\nbody\n");
	rc = vmaildir_deliver(maildir, "X-Head: 1\n", fd, "NOQUOTA", uid, gid,
	                      newpath, sizeof newpath, &over);
	is_int(rc, VA_SUCCESS, "NOQUOTA: success");
	is_int(over, 0, "NOQUOTA: not over quota");
	is_int(entries("new", last, sizeof last), 1, "one file in new/");
	is_str(newpath, last, "newpath names the file in new/");
	is_str(file_text(newpath), "X-Head: 1\nSubject: one\n\nbody\n", "header + message, byte for byte");
	p = strstr(newpath, ",S=");
	is_str(p != NULL ? p : "", ",S=29", "name ends with ,S=<size>");
	is_int(entries("tmp", NULL, 0), 0, "tmp/ empty");
	snprintf(path, sizeof path, "%s/maildirsize", maildir);
	ok(!exists(path), "NOQUOTA: no maildirsize");
	/* the fd is read from offset 0 whatever its position */
	lseek(fd, 5, SEEK_SET);
	rc = vmaildir_deliver(maildir, "", fd, "", uid, gid, NULL, 0, &over);
	is_int(rc, VA_SUCCESS, "empty quota, no header, NULL newpath: success");
	is_int(entries("new", NULL, 0), 2, "two files in new/");
	close(fd);

	/* With a quota: maildirsize is created by counting, then appended. */
	fd = message_fd("0123456789\n");     /* 11 bytes */
	rc = vmaildir_deliver(maildir, "", fd, "90S", uid, gid, NULL, 0, &over);
	is_int(rc, VA_SUCCESS, "90S: success");
	is_str(file_text(path), "90S\n48 2\n11 1\n", "maildirsize: recount of the two, then '11 1'");
	rc = vmaildir_deliver(maildir, "", fd, "90S", uid, gid, NULL, 0, &over);
	rc = vmaildir_deliver(maildir, "", fd, "90S", uid, gid, NULL, 0, &over);
	is_int(entries("new", NULL, 0), 5, "five files");
	rc = vmaildir_deliver(maildir, "", fd, "90S", uid, gid, NULL, 0, &over);
	is_int(rc, VA_SUCCESS, "over quota: still VA_SUCCESS");
	is_int(over, 1, "over quota: flagged");
	is_int(entries("new", NULL, 0), 5, "over quota: nothing written");
	is_str(file_text(path), "90S\n81 5\n", "over quota by several lines: verified by a recount");
	/* quota NULL: the definition in maildirsize applies */
	rc = vmaildir_deliver(maildir, "", fd, NULL, uid, gid, NULL, 0, &over);
	is_int(over, 1, "quota NULL: maildirsize's own definition applies");
	close(fd);

	/* Bad input. */
	rc = vmaildir_deliver(NULL, "", 0, NULL, uid, gid, NULL, 0, &over);
	is_int(rc, VA_NULL_POINTER, "NULL maildir: VA_NULL_POINTER");
	rc = vmaildir_deliver(maildir, "", -1, NULL, uid, gid, NULL, 0, &over);
	is_int(rc, VA_COULD_NOT_UPDATE_FILE, "bad fd: VA_COULD_NOT_UPDATE_FILE");
	fd = message_fd("x\n");
	snprintf(path, sizeof path, "%s/nosuch", sandbox);
	rc = vmaildir_deliver(path, "", fd, "NOQUOTA", uid, gid, NULL, 0, &over);
	is_int(rc, VA_COULD_NOT_UPDATE_FILE, "missing Maildir: VA_COULD_NOT_UPDATE_FILE");
	close(fd);

	sandbox_remove();
	return done_testing();
}
