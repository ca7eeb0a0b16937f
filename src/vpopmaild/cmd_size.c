/*
 * cmd_size.c - vpopmaild's get_user_size and get_domain_size: bytes and
 * message count of Maildirs (Maildir++ reading of readuserquota()).
 * These two commands answer "-ERR <code> <text>" without a major.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpopmaild.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Size and count of <userdir>/Maildir; 0 ok, -1 unreadable. */
static int maildir_usage(const char *userdir, storage_t *size, storage_t *count)
{
	char maildir[VP_PATH_MAX];

	*size = *count = 0;
	if (userdir == NULL ||
	    snprintf(maildir, sizeof maildir, "%s/Maildir", userdir) >= (int)sizeof maildir)
		return -1;
	return readuserquota(maildir, size, count) == 0 ? 0 : -1;
}

void vpd_cmd_get_user_size(struct vpd_args *a)
{
	char user[MAX_PW_NAME + 1], domain[MAX_PW_DOMAIN + 1];
	struct vqpasswd *pw;
	storage_t size, count;
	char *email;

	if (!vpd_is_sa() && !vpd_is_qa()) {
		vpd_printf("-ERR 3801 not authorized");
		return;
	}
	if ((email = vpd_next(a)) == NULL) {
		vpd_printf("-ERR 3802 email_address required");
		return;
	}
	if (vpd_parse_email(email, user, sizeof user, domain, sizeof domain) != 0) {
		vpd_printf("-ERR 3803 invalid email address");
		return;
	}
	if (vpd_is_qa() && !vpd_own_domain(domain)) {
		vpd_printf("-ERR 3804 not authorized for domain");
		return;
	}
	if ((pw = vauth_getpw(user, domain)) == NULL) {
		vpd_printf("-ERR 3805 user does not exist");
		return;
	}
	if (vpd_out_of_reach(pw)) {	/* as another domain's account */
		vpd_printf("-ERR 3804 not authorized for domain");
		return;
	}
	/* 5.6 measured the home directory instead of its Maildir */
	if (maildir_usage(pw->pw_dir, &size, &count) != 0) {
		vpd_printf("-ERR 3806 unable to fetch size of user account");
		return;
	}
	vpd_more();
	vpd_printf("size %" PRIu64, size);
	vpd_printf("count %" PRIu64, count);
	vpd_end();
}

void vpd_cmd_get_domain_size(struct vpd_args *a)
{
	char dom[MAX_PW_DOMAIN + 1];
	struct vqpasswd *pw;
	storage_t size, count, total_size = 0, total_count = 0;
	char *domain;
	int fits;

	if (!vpd_is_sa() && !vpd_is_qa()) {
		vpd_printf("-ERR 3901 not authorized");
		return;
	}
	if ((domain = vpd_next(a)) == NULL) {
		vpd_printf("-ERR 3902 domain required");
		return;
	}
	if (vpd_is_qa() && !vpd_own_domain(domain)) {
		vpd_printf("-ERR 3903 not authorized for domain");
		return;
	}
	lowerit(domain);	/* as 5.6, whose lookup folded it in place */
	vpd_more();
	/* a name too long for any domain has no users; it is still echoed */
	fits = vpd_domain_copy(dom, sizeof dom, domain) == 0;
	for (pw = fits ? vauth_getall(dom, 1, 1) : NULL; pw != NULL; pw = vauth_getall(dom, 0, 1)) {
		if (maildir_usage(pw->pw_dir, &size, &count) != 0) {
			vauth_end_getall();
			vpd_printf("-ERR 3904 unable to fetch size of user accounts '%s'", pw->pw_name);
			return;
		}
		vpd_printf("user %s@%s", pw->pw_name, dom);
		vpd_printf("size %" PRIu64, size);
		vpd_printf("count %" PRIu64, count);
		total_size += size;
		total_count += count;
	}
	vpd_printf("domain %s", fits ? dom : domain);
	vpd_printf("size %" PRIu64, total_size);
	vpd_printf("count %" PRIu64, total_count);
	vpd_end();
}
