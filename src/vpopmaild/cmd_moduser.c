/*
 * cmd_moduser.c - vpopmaild's mod_user (§7.8): the option lines that
 * change one account, each allowed or silently ignored according to who
 * is asking.  The record is written once, after the terminating line.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpopmaild.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Who may set an option. */
enum who { ANYONE, OVERRIDE, SA_ONLY, ADMIN };

static const struct {
	const char *name;
	gid_t bit;
	enum who who;
} flag_opts[] = {
	{ "no_password_change", NO_PASSWD_CHNG, OVERRIDE },
	{ "no_pop", NO_POP, OVERRIDE },
	{ "no_webmail", NO_WEBMAIL, OVERRIDE },
	{ "no_imap", NO_IMAP, OVERRIDE },
	{ "bounce_mail", BOUNCE_MAIL, OVERRIDE },
	{ "no_relay", NO_RELAY, OVERRIDE },
	{ "no_dialup", NO_DIALUP, OVERRIDE },
	{ "user_flag_0", V_USER0, OVERRIDE },
	{ "user_flag_1", V_USER1, OVERRIDE },
	{ "user_flag_2", V_USER2, ANYONE },
	{ "user_flag_3", V_USER3, ANYONE },
	{ "no_smtp", NO_SMTP, OVERRIDE },
	{ "system_admin_privileges", SA_ADMIN, SA_ONLY },
	{ "system_expert_privileges", SA_EXPERT, SA_ONLY },
	{ "domain_admin_privileges", QA_ADMIN, ADMIN },
	{ "override_domain_limits", V_OVERRIDE, SA_ONLY },
	{ "no_spamassassin", NO_SPAMASSASSIN, ANYONE },
	{ "delete_spam", DELETE_SPAM, ANYONE },
	{ "no_maildrop", NO_MAILDROP, ANYONE },
};

/* The changes collected from the option lines. */
struct change {
	struct vqpasswd pw;
	char gecos[MAX_PW_GECOS + 1];
	char quota[MAX_PW_QUOTA + 1];
	char passwd[MAX_PW_PASS + 1];
	char clear[MAX_PW_CLEAR_PASSWD + 1];
	int  set_quota;
	int  bad;                   /* a value that does not fit: refuse the lot */
};

static int may(enum who who, int can_override)
{
	switch (who) {
	case ANYONE:   return 1;
	case OVERRIDE: return can_override;
	case SA_ONLY:  return vpd_is_sa();
	case ADMIN:    return vpd_is_sa() || (vpd.flags & QA_ADMIN) != 0;
	}
	return 0;
}

/* A value that does not fit refuses the change with the library's code. */
static void copy(char *dst, size_t size, const char *src, int *bad, int too_long)
{
	if (strlen(src) >= size)
		*bad = too_long;
	else
		snprintf(dst, size, "%s", src);
}

/* Apply one option line. */
static void apply(struct change *c, char *line, int can_override)
{
	char *name, *value;
	size_t i;

	/* name: up to the first of ' ', '=', ':'; value: the rest of the line */
	line += strspn(line, " =:\r\n");
	if (*line == '\0')
		return;
	name = line;
	line += strcspn(line, " =:\r\n");
	if (*line == '\0' || *line == '\r' || *line == '\n')
		return;                         /* no value */
	*line++ = '\0';
	line += strspn(line, "\r\n");
	value = line;
	value[strcspn(value, "\r\n")] = '\0';
	if (*value == '\0')
		return;

	if (strcmp(name, "comment") == 0) {
		copy(c->gecos, sizeof c->gecos, value, &c->bad, VA_GECOS_TOO_LONG);
		c->pw.pw_gecos = c->gecos;
	} else if (strcmp(name, "quota") == 0 && can_override) {
		if (vp_format_quota(value, c->quota, sizeof c->quota) != VA_SUCCESS)
			c->bad = VA_QUOTA_TOO_LONG;     /* does not fit, or past 2^63-1 */
		c->pw.pw_shell = c->quota;
		c->set_quota = 1;
	} else if (strcmp(name, "encrypted_password") == 0) {
		copy(c->passwd, sizeof c->passwd, value, &c->bad, VA_PASSWD_TOO_LONG);
		c->pw.pw_passwd = c->passwd;
	} else if (strcmp(name, "clear_text_password") == 0 && !(c->pw.pw_flags & NO_PASSWD_CHNG)) {
		copy(c->clear, sizeof c->clear, value, &c->bad, VA_CLEAR_PASSWD_TOO_LONG);
		if (c->bad == 0 && mkpasswd3(c->clear, c->passwd, (int)sizeof c->passwd) != 0)
			c->bad = VA_CRYPT_FAILED;
		c->pw.pw_passwd = c->passwd;
#ifdef CLEAR_PASS
		c->pw.pw_clear_passwd = c->clear;
#endif
	} else if (strcmp(name, "clear_all_flags") == 0 && can_override) {
		c->pw.pw_gid = 0;
	} else {
		for (i = 0; i < sizeof flag_opts / sizeof flag_opts[0]; i++) {
			int v;

			if (strcmp(name, flag_opts[i].name) != 0 || !may(flag_opts[i].who, can_override))
				continue;
			v = atoi(value);
			if (v == 1)
				c->pw.pw_gid |= flag_opts[i].bit;
			else if (v == 0)
				c->pw.pw_gid &= ~flag_opts[i].bit;
			break;
		}
	}
}

/* Read option lines up to one starting with '.'; a client leaving ends the session. */
static int next_option(char *line, size_t size)
{
	int overlong;

	if (vpd_read_command(line, size, &overlong) == VPD_EOF) {
		vpd_err(3, 106);        /* nothing has been written */
		vpd_exit(255);
	}
	if (overlong)
		line[0] = '\0';
	return line[0] != '.';
}

/* The most option lines kept; more are read and dropped. */
#define MAX_OPTION_LINES 256

/* Copy the stored record into c, which then owns every string. */
static void load(struct change *c, const struct vqpasswd *pw)
{
	static char name[MAX_PW_NAME + 1], dir[VP_PATH_MAX];

	memset(c, 0, sizeof *c);
	c->pw = *pw;
	copy(c->gecos, sizeof c->gecos, pw->pw_gecos != NULL ? pw->pw_gecos : "", &c->bad, 0);
	copy(c->quota, sizeof c->quota, pw->pw_shell != NULL ? pw->pw_shell : "", &c->bad, 0);
	copy(c->passwd, sizeof c->passwd, pw->pw_passwd != NULL ? pw->pw_passwd : "", &c->bad, 0);
	copy(c->clear, sizeof c->clear, pw->pw_clear_passwd != NULL ? pw->pw_clear_passwd : "", &c->bad, 0);
	snprintf(name, sizeof name, "%s", pw->pw_name);
	snprintf(dir, sizeof dir, "%s", pw->pw_dir != NULL ? pw->pw_dir : "");
	c->pw.pw_gecos = c->gecos;
	c->pw.pw_shell = c->quota;
	c->pw.pw_passwd = c->passwd;
	c->pw.pw_clear_passwd = c->clear;
	c->pw.pw_name = name;
	c->pw.pw_dir = dir;
}

/*
 * The option lines are collected first; the record is then read again,
 * changed and written while this session's change is queued (see
 * vpd_write_lock()), so two sessions changing different fields of one
 * account do not undo each other.
 */
/* The options of one mod_user, applied to a record by edit(). */
struct edit {
	struct change *c;
	const string_list *opts;
	int can_override;
	int self;                   /* the session's own login */
	int stale;                  /* ... changed from outside meanwhile */
};

static int edit(struct vqpasswd *pw, void *arg)
{
	struct edit *ed = arg;
	char line[VPD_LINE_MAX + 1];
	int i;

	if (vpd_out_of_reach(pw))
		return VA_USER_DOES_NOT_EXIST;	/* made a system admin meanwhile */
	if (ed->self && !vpd_login_is(pw)) {
		ed->stale = 1;		/* deleted and re-created, password or rights changed */
		return VA_USER_DOES_NOT_EXIST;
	}
	load(ed->c, pw);
	for (i = 0; i < ed->opts->count; i++) {
		/* apply() cuts its line up: a copy, for a retry. */
		snprintf(line, sizeof line, "%s", ed->opts->values[i]);
		apply(ed->c, line, ed->can_override);
	}
	if (ed->c->bad != 0)
		return ed->c->bad;
	*pw = ed->c->pw;
	return VA_SUCCESS;
}

/* user@domain (domain perhaps an alias) is the session's login. */
static int is_login(const char *user, const char *domain)
{
	char real[MAX_PW_DOMAIN + 1];

	snprintf(real, sizeof real, "%s", domain);
	return strcmp(user, vpd.user) == 0 &&
	       vget_assign(real, NULL, 0, NULL, NULL) != NULL && vpd_own_domain(real);
}

void vpd_cmd_mod_user(struct vpd_args *a)
{
	char user[MAX_PW_NAME + 1], domain[MAX_PW_DOMAIN + 1];
	char line[VPD_LINE_MAX + 1];
	string_list opts;
	struct edit ed;
	struct change *c;
	struct vqpasswd *pw;
	char *email;
	int can_override, rc;

	if ((email = vpd_next(a)) == NULL) {
		vpd_err(6, 501);
		return;
	}
	if (vpd_parse_email(email, user, sizeof user, domain, sizeof domain) != 0) {
		vpd_err(10, 502);
		return;
	}
	if (vpd_is_qa()) {
		if (!vpd_own_domain(domain)) {
			vpd_err(11, 503);
			return;
		}
	} else if (!vpd_is_sa()) {
		if (!vpd_own_domain(domain) || strcmp(user, vpd.user) != 0) {
			vpd_err(11, 504);
			return;
		}
	}
	if ((pw = vauth_getpw(user, domain)) == NULL || vpd_out_of_reach(pw)) {
		/* the option lines are read and dropped, then the error */
		while (next_option(line, sizeof line))
			;
		if (pw == NULL)
			vpd_err(12, 505);
		else
			vpd_err(11, 503);	/* as another domain's account */
		return;
	}
	can_override = vpd_is_sa() || (vpd_is_qa() && (vpd.flags & V_OVERRIDE));

	vpd_ok();
	if (string_list_init(&opts, 8) != VA_SUCCESS) {
		vpd_err0(507, verror(VA_MEMORY_ALLOC_ERR));
		return;
	}
	rc = VA_SUCCESS;
	while (next_option(line, sizeof line))
		if (opts.count < MAX_OPTION_LINES && string_list_add(&opts, line) != VA_SUCCESS)
			rc = VA_MEMORY_ALLOC_ERR;
	if (rc == VA_SUCCESS && (c = malloc(sizeof *c)) == NULL)
		rc = VA_MEMORY_ALLOC_ERR;
	if (rc != VA_SUCCESS) {
		string_list_free(&opts);
		vpd_err0(507, verror(rc));
		return;
	}

	vpd_write_lock();
	vpd_login_check();	/* the session's rights, as the option lines ended */
	/* Other programs (vpasswd, vmoduser, a login) may change the record
	 * between the read and the write: vauth_edit() then applies the
	 * options again to the new record, so neither change is lost. */
	ed.c = c;
	ed.opts = &opts;
	ed.can_override = can_override;
	ed.self = is_login(user, domain);
	ed.stale = 0;
	rc = vauth_edit(user, domain, edit, &ed);
	if (ed.stale)
		vpd_login_gone();
	if (rc == VA_SUCCESS && c->set_quota)
		update_maildirsize(domain, c->pw.pw_dir, c->quota);
	if (rc == VA_SUCCESS && ed.self)
		vpd_login_changed(&c->pw);	/* its own password or flags: the session goes on */
	vpd_write_unlock();
	free(c);
	string_list_free(&opts);
	vpd_result(rc, 507);
}
