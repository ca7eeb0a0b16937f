/*
 * session.c - vpopmaild's two phases: the login phase (at most
 * VPD_LOGIN_LINES lines and VPD_LOGIN_FAILS failed logins) and the command
 * loop, plus the privilege helpers the commands share.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpopmaild.h"
#include "vpinternal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

struct vpd_session vpd;

int vpd_is_sa(void)
{
	return (vpd.flags & SA_ADMIN) != 0;
}

int vpd_is_qa(void)
{
	return !vpd_is_sa() && (vpd.flags & QA_ADMIN) != 0;
}

/* As 5.6: the domain as given is compared with the home (real) domain, so
 * a domain admin cannot reach its domain through an alias name. */
int vpd_own_domain(const char *domain)
{
	return domain != NULL && strcmp(domain, vpd.domain) == 0;
}

int vpd_domain_copy(char *dom, size_t cap, const char *domain)
{
	size_t n = strlen(domain);

	if (n >= cap)
		return -1;
	memcpy(dom, domain, n + 1);
	return 0;
}

int vpd_out_of_reach(const struct vqpasswd *pw)
{
	return !vpd_is_sa() && pw != NULL && (pw->pw_gid & SA_ADMIN) != 0;
}

/*
 * Sessions run their changes one at a time, queued on a blocking flock of
 * ~vpopmail/etc/vpopmaild.lock.  The library's own locks poll with a time
 * limit, so many sessions changing one domain at once could see a change
 * refused for a lock held too long under load; queued here, each change
 * finds the library's locks free.  Only the library call is covered, never
 * a wait for the client.  Without the file (no etc/) changes are not queued.
 */
static int write_lock_fd = -1;

void vpd_write_lock(void)
{
	char path[VP_PATH_MAX];

	if (write_lock_fd >= 0)
		return;
	if (snprintf(path, sizeof path, "%s/etc/vpopmaild.lock", vpopmail_dir()) >= (int)sizeof path)
		return;
	write_lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (write_lock_fd < 0)
		return;
	while (flock(write_lock_fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			close(write_lock_fd);
			write_lock_fd = -1;
			return;
		}
	}
}

void vpd_write_unlock(void)
{
	if (write_lock_fd < 0)
		return;
	flock(write_lock_fd, LOCK_UN);
	close(write_lock_fd);
	write_lock_fd = -1;
}

/* The session level a record gives. */
static int level_of(const struct vqpasswd *pw)
{
	if (pw->pw_gid & SA_ADMIN)
		return VPD_SYSTEM;
	if ((pw->pw_gid & QA_ADMIN) || strcmp(pw->pw_name, "postmaster") == 0)
		return VPD_DOMAIN;
	return VPD_USER;
}

/* What the session's rights rest on: the login's hash and the flags that
 * give rights, as at the login (or as the session itself last set them). */
#define RIGHTS_FLAGS (SA_ADMIN | QA_ADMIN | V_OVERRIDE)
static struct {
	char  hash[MAX_PW_PASS + 1];
	gid_t flags;
} login;

static void remember(const struct vqpasswd *pw)
{
	snprintf(login.hash, sizeof login.hash, "%s", pw->pw_passwd != NULL ? pw->pw_passwd : "");
	login.flags = pw->pw_gid & RIGHTS_FLAGS;
}

/* The record the session's own mod_user wrote: what the session is checked
 * against from now on, and its rights (which it can only have lowered). */
void vpd_login_changed(const struct vqpasswd *pw)
{
	remember(pw);
	vpd.level = level_of(pw);
	vpd.flags = pw->pw_gid | (vpd.level == VPD_DOMAIN ? QA_ADMIN : 0);
}

/* 1 when pw is the login's record as the session knows it. */
int vpd_login_is(const struct vqpasswd *pw)
{
	return pw != NULL && strcmp(pw->pw_passwd != NULL ? pw->pw_passwd : "", login.hash) == 0 &&
	       (pw->pw_gid & RIGHTS_FLAGS) == login.flags && level_of(pw) == vpd.level;
}

/*
 * The record is read again only when what it is read from has changed
 * since it was last found current (with the cdb backend, a stat() of
 * users/cdb, vpasswd and vpasswd.cdb instead of a lookup per command).
 * The stamp is taken before the read: a change made during the read
 * shows in the next stamp.
 */
static struct vp_records_stamp checked;
static int have_checked;

int vpd_login_current(void)
{
	struct vp_records_stamp now;
	int stamped = vp_records_stamp(vpd.domain, &now) == 0;

	if (stamped && have_checked && memcmp(&now, &checked, sizeof now) == 0)
		return 1;
	have_checked = 0;
	if (!vpd_login_is(vauth_getpw(vpd.user, vpd.domain)))
		return 0;
	checked = now;
	have_checked = stamped;
	return 1;
}

_Noreturn void vpd_login_gone(void)
{
	vpd_write_unlock();
	vpd_err(8, 108);
	vpd_exit(255);
}

/* End the session if its login is no longer current: before each command,
 * and again at the '.' of one that takes data lines, before its change. */
void vpd_login_check(void)
{
	if (!vpd_login_current())
		vpd_login_gone();
}

/* login, clogin and slogin (mode VPD_FULL, VPD_COMPACT, VPD_SILENT). */
int vpd_cmd_login(struct vpd_args *a, int mode)
{
	char user[MAX_PW_NAME + 1], domain[MAX_PW_DOMAIN + 1];
	struct vqpasswd *pw;
	struct vp_records_stamp stamp;
	char *email, *pass;
	int stamped;
	uid_t uid = 0;
	gid_t gid = 0;

	if ((email = vpd_next(a)) == NULL) {
		vpd_err(6, 203);
		return -1;
	}
	if ((pass = vpd_rest(a)) == NULL) {
		vpd_err(7, 204);
		return -1;
	}
	if (vpd_parse_email(email, user, sizeof user, domain, sizeof domain) != 0) {
		vpd_err(8, 205);
		return -2;
	}
	stamped = vp_records_stamp(domain, &stamp) == 0;	/* see vpd_login_current */
	if ((pw = vauth_getpw(user, domain)) == NULL) {
		vpd_err(8, 206);
		return -2;
	}
	if (vauth_crypt(user, domain, pass, pw) != 0) {
		vpd_err(8, 207);
		return -2;
	}

	memset(&vpd, 0, sizeof vpd);
	vpd.mode = mode;
	vpd.flags = pw->pw_gid;
	snprintf(vpd.user, sizeof vpd.user, "%s", pw->pw_name);
	snprintf(vpd.userdir, sizeof vpd.userdir, "%s", pw->pw_dir != NULL ? pw->pw_dir : "");
	/* vget_assign() turns an alias into its real domain in place. */
	if (vget_assign(domain, vpd.domdir, sizeof vpd.domdir, &uid, &gid) == NULL)
		vpd.domdir[0] = '\0';
	snprintf(vpd.domain, sizeof vpd.domain, "%s", domain);
	vpd.uid = uid;
	vpd.gid = gid;
	vpd.level = level_of(pw);
	if (vpd.level == VPD_DOMAIN)
		vpd.flags |= QA_ADMIN;
	remember(pw);
	checked = stamp;
	have_checked = stamped;

	if (mode == VPD_SILENT) {
		vpd_ok();
		return 0;
	}
	vpd_more();
	vpd_printf("vpopmail_dir %s", vpopmail_dir());
	vpd_printf("domain_dir %s", vpd.domdir);
	vpd_printf("uid %d", (int)uid);
	vpd_printf("gid %d", (int)gid);
	{
		/* The block shows the session's flags (QA_ADMIN added). */
		struct vqpasswd shown = *pw;

		shown.pw_gid = vpd.flags;
		vpd_user_block(&shown);
	}
	vpd_end();
	return 0;
}

void vpd_cmd_quit(struct vpd_args *a)
{
	(void)a;
	vpd_ok();
	vpd_exit(0);
}

int vpd_main(int timeout)
{
	char line[VPD_LINE_MAX + 1];
	int lines = 0, failures = 0, overlong, rc;

	vpd_io_init(timeout);
	memset(&vpd, 0, sizeof vpd);
	if (vauth_open(1) != 0) {
		vpd_err(1, 101);
		vpd_exit(255);
	}
	vpd_ok();

	/* Login phase: every line read counts, blank ones included. */
	while (vpd.level == VPD_NONE) {
		if (++lines > VPD_LOGIN_LINES) {
			vpd_err(5, 102);
			vpd_exit(255);
		}
		if (vpd_read_command(line, sizeof line, &overlong) == VPD_EOF) {
			vpd_err(3, 103);
			vpd_exit(255);
		}
		if (overlong) {
			vpd_err(4, 104);
			continue;
		}
		rc = vpd_dispatch(line, 0);
		if (rc == -2 && ++failures > VPD_LOGIN_FAILS) {
			vpd_err(5, 105);
			vpd_exit(255);
		}
	}

	for (;;) {
		if (vpd_read_command(line, sizeof line, &overlong) == VPD_EOF) {
			vpd_err(3, 106);
			vpd_exit(255);
		}
		if (overlong) {
			vpd_err(4, 107);
			continue;
		}
		vpd_dispatch(line, 1);
	}
}
