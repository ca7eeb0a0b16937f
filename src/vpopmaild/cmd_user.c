/*
 * cmd_user.c - vpopmaild's user commands: user_info, add_user, del_user,
 * user_count, list_users, get_lastauth.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpopmaild.h"

#include <stdlib.h>
#include <string.h>

/*
 * The prologue of the user@domain commands: an admin session, an address
 * argument, a valid one, and for a QA admin one of its own domains.  The
 * errors are minor+0..+3; 5.6 gave del_user another major for the last
 * (foreign).  Returns 0 to go on, -1 once the error is sent.
 */
static int user_arg(struct vpd_args *a, int minor, int foreign,
                    char user[MAX_PW_NAME + 1], char domain[MAX_PW_DOMAIN + 1])
{
	char *email;

	if (!vpd_is_sa() && !vpd_is_qa()) {
		vpd_err(9, minor);
		return -1;
	}
	if ((email = vpd_next(a)) == NULL) {
		vpd_err(6, minor + 1);
		return -1;
	}
	if (vpd_parse_email(email, user, MAX_PW_NAME + 1, domain, MAX_PW_DOMAIN + 1) != 0) {
		vpd_err(10, minor + 2);
		return -1;
	}
	if (vpd_is_qa() && !vpd_own_domain(domain)) {
		vpd_err(foreign, minor + 3);
		return -1;
	}
	return 0;
}

void vpd_cmd_user_info(struct vpd_args *a)
{
	char user[MAX_PW_NAME + 1], domain[MAX_PW_DOMAIN + 1];
	struct vqpasswd *pw;

	if (user_arg(a, 601, 11, user, domain) != 0)
		return;
	if ((pw = vauth_getpw(user, domain)) == NULL) {
		vpd_err(12, 605);
		return;
	}
	if (vpd_out_of_reach(pw)) {
		vpd_err(11, 604);	/* as another domain's account */
		return;
	}
	vpd_more();
	vpd_user_block(pw);
	vpd_end();
}

void vpd_cmd_add_user(struct vpd_args *a)
{
	char user[MAX_PW_NAME + 1], domain[MAX_PW_DOMAIN + 1];
	char *pass;
	int rc;

	if (user_arg(a, 301, 11, user, domain) != 0)
		return;
	if ((pass = vpd_rest(a)) == NULL) {
		vpd_err(7, 305);
		return;
	}
	vpd_write_lock();
	rc = vadduser(user, domain, pass, user, USE_POP);
	vpd_write_unlock();
	vpd_result(rc, 305);
}

void vpd_cmd_del_user(struct vpd_args *a)
{
	char user[MAX_PW_NAME + 1], domain[MAX_PW_DOMAIN + 1];
	int rc;

	if (user_arg(a, 401, 9, user, domain) != 0)
		return;
	if (vpd_out_of_reach(vauth_getpw(user, domain))) {
		vpd_err(9, 404);	/* as another domain's account */
		return;
	}
	vpd_write_lock();
	rc = vdeluser(user, domain);
	vpd_write_unlock();
	vpd_result(rc, 405);        /* 5.6 printed "0,405" on failure */
}

void vpd_cmd_user_count(struct vpd_args *a)
{
	char dom[MAX_PW_DOMAIN + 1], *domain;
	struct vqpasswd *pw;
	int n = 0;

	if (!vpd_is_sa() && !vpd_is_qa()) {
		vpd_err(9, 2601);
		return;
	}
	if ((domain = vpd_next(a)) == NULL) {
		vpd_err(13, 2602);
		return;
	}
	if (vpd_is_qa() && !vpd_own_domain(domain)) {
		vpd_err(11, 2603);
		return;
	}
	/* what list_users would list: a domain admin does not count a system
	 * admin's account; a name too long for any domain has no users */
	if (vpd_domain_copy(dom, sizeof dom, domain) == 0)
		for (pw = vauth_getall(dom, 1, 1); pw != NULL; pw = vauth_getall(dom, 0, 1))
			n += !vpd_out_of_reach(pw);
	vpd_more();
	vpd_printf("count %d", n);
	vpd_end();
}

void vpd_cmd_list_users(struct vpd_args *a)
{
	struct vqpasswd *pw;
	char dom[MAX_PW_DOMAIN + 1], *domain;
	struct vpd_page pg;
	int n;

	if (!vpd_is_sa() && !vpd_is_qa()) {
		vpd_err(9, 2701);
		return;
	}
	if ((domain = vpd_next(a)) == NULL) {
		vpd_err(6, 2702);
		return;
	}
	if (vpd_is_qa() && !vpd_own_domain(domain)) {
		vpd_err(11, 2703);
		return;
	}
	pg = vpd_page_args(a);
	vpd_more();
	n = 0;
	pw = vpd_domain_copy(dom, sizeof dom, domain) == 0 ? vauth_getall(dom, 1, 1) : NULL;
	for (; pw != NULL; pw = vauth_getall(dom, 0, 1)) {
		if (vpd_out_of_reach(pw))
			continue;       /* a system admin's account: not listed */
		if (pg.last > 0 && n >= pg.last) {
			vauth_end_getall();
			break;
		}
		if (n++ < pg.first)
			continue;       /* 5.6 still sent an empty line here */
		vpd_user_block(pw);
		vpd_printf("%s", "");
	}
	vpd_end();
}

void vpd_cmd_get_lastauth(struct vpd_args *a)
{
	char user[MAX_PW_NAME + 1], domain[MAX_PW_DOMAIN + 1];
	struct vqpasswd *pw;

	if (user_arg(a, 3701, 11, user, domain) != 0)
		return;
	if ((pw = vauth_getpw(user, domain)) == NULL) {
		vpd_err(12, 3705);
		return;
	}
	if (vpd_out_of_reach(pw)) {
		vpd_err(11, 3704);	/* as another domain's account */
		return;
	}
#ifdef ENABLE_AUTH_LOGGING
	{
		char *ip;
		long long when = (long long)vget_lastauth(pw, domain);

		ip = vget_lastauthip(pw, domain);
		vpd_more();
		vpd_printf("time %lld", when);
		vpd_printf("ip %s", ip != NULL ? ip : "");
		vpd_end();
	}
#else
	vpd_ok();
#endif
}
