/*
 * consumers.c - what the programs written against vpopmail 5.6 need from
 * libvpopmail and its installed headers, for tests/t_consumers.sh.  It is
 * built from the installed tree only ($(cat inc_deps) ... $(cat lib_deps)),
 * as qmailadmin 1.2.x, vqadmin, Dovecot's vpopmail passdb/userdb, courier's
 * authvchkpw, cvm-vchkpw and chkuser (qmail-smtpd's recipient check) are.
 *
 * "link" only needs to build: every function those programs call is taken
 * into a pointer of the type they call it with (so a changed prototype
 * breaks the -Werror build), every constant they use is printed, every
 * structure field they read or write is touched.  The other subcommands
 * replay, each in its own words, the call sequences of those programs.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "vpopmail.h"
#include "vauth.h"
#include "vlimits.h"
#include "storage.h"

/* The global vqadmin declares itself for its domain page. */
extern vdir_type vdir;

/* ------------------------------------------------------------------ */
/* Every function, with the type its callers use.                     */

/* (type){name}: an implicit conversion, which -Werror refuses if the
 * prototype is not the one the callers use. */
#define FN(type, name) { #name, (void (*)(void))((type){ name }) }

typedef struct vqpasswd *(*t_pw_ss)(char *, char *);
typedef struct vqpasswd *(*t_pw_sii)(char *, int, int);
typedef struct vqpasswd *(*t_pw_ssss)(char *, char *, char *, char *);
typedef int (*t_i_pws)(struct vqpasswd *, char *);
typedef int (*t_i_ssspw)(char *, char *, char *, struct vqpasswd *);
typedef char *(*t_s_ssiug)(char *, char *, int, uid_t *, gid_t *);
typedef int (*t_i_ssug)(char *, char *, uid_t, gid_t);
typedef char *(*t_s_ssug)(char *, char *, uid_t, gid_t);
typedef int (*t_i_sug)(char *, uid_t, gid_t);
typedef int (*t_i_sssi)(char *, char *, char *, int);
typedef int (*t_i_ssssi)(char *, char *, char *, char *, int);
typedef int (*t_i_sss)(char *, char *, char *);
typedef int (*t_i_ss)(char *, char *);
typedef int (*t_i_s)(char *);
typedef int (*t_i_i)(int);
typedef int (*t_i_v)(void);
typedef void (*t_v_v)(void);
typedef void (*t_v_s)(char *);
typedef char *(*t_s_i)(int);
typedef char *(*t_s_v)(void);
typedef char *(*t_s_s)(char *);
typedef char *(*t_s_cs)(const char *);
typedef void (*t_v_sss)(char *, char *, char *);
typedef int (*t_i_sst)(const char *, storage_t *, storage_t *);
typedef int (*t_i_ssi)(char *, char *, int);
typedef time_t (*t_t_pws)(struct vqpasswd *, char *);
typedef char *(*t_s_pws)(struct vqpasswd *, char *);
typedef int (*t_i_cslim)(const char *, struct vlimits *);
typedef int (*t_i_csclim)(const char *, const struct vlimits *);
typedef int (*t_i_cs)(const char *);
typedef void (*t_v_lim)(struct vlimits *);
typedef int (*t_i_lim)(struct vlimits *);
typedef void (*t_v_pws)(struct vqpasswd *, char *);
typedef int (*t_i_cscs)(const char *, const char *);

struct api_fn {
	const char *name;
	void (*fn)(void);
};

static size_t api_count(void)
{
	const struct api_fn api[] = {
		/* qmailadmin 1.2.x */
		FN(t_pw_ss, vauth_getpw),
		FN(t_pw_sii, vauth_getall),
		FN(t_pw_ssss, vauth_user),
		FN(t_i_pws, vauth_setpw),
		FN(t_s_ssiug, vget_assign),
		FN(t_i_cslim, vget_limits),
		FN(t_i_ssssi, vadduser),
		FN(t_i_ss, vdeluser),
		FN(t_i_sssi, vpasswd),
		FN(t_i_sss, vsetuserquota),
		FN(t_i_s, vdelfiles),
		FN(t_s_s, valias_select_all_next),
		FN(t_i_sss, valias_insert),
		FN(t_i_sss, valias_remove),
		FN(t_i_ss, valias_delete),
		FN(t_i_sst, readuserquota),
		FN(t_v_s, lowerit),
		FN(t_s_i, verror),
		FN(t_v_v, vclose),
		FN(t_i_cs, call_onchange),
		/* vqadmin */
		FN(t_i_ssug, vadddomain),
		FN(t_i_s, vdeldomain),
		FN(t_i_ss, vaddaliasdomain),
		FN(t_v_lim, vdefault_limits),
		FN(t_i_cslim, vlimits_read_limits_file),
		FN(t_i_csclim, vset_limits),
		FN(t_i_cs, vdel_limits),
		FN(t_i_sug, open_big_dir),
		FN(t_i_sug, close_big_dir),
		FN(t_i_ssi, mkpasswd3),
		FN(t_v_sss, update_maildirsize),
		FN(t_t_pws, vget_lastauth),
		FN(t_s_pws, vget_lastauthip),
		FN(t_i_i, vexit),
		/* Dovecot's passdb/userdb, courier's authvchkpw, cvm-vchkpw */
		FN(t_i_i, vauth_open),
		FN(t_i_sss, vset_lastauth),
		FN(t_s_ssug, make_user_dir),
		FN(t_s_cs, format_maildirquota),
		FN(t_i_v, open_smtp_relay),
		FN(t_i_ssspw, vauth_crypt),
		/* chkuser */
		FN(t_i_v, vauth_open_update),
		FN(t_i_cscs, vmaildir_readquota),
		/* the rest of 5.6's classic interface these programs' relatives use */
		FN(t_i_v, update_rules),
		FN(t_s_v, get_remote_ip),
		FN(t_v_v, vauth_end_getall),
		FN(t_i_sss, vauth_setquota),
		FN(t_i_s, vmkpasswd),
		FN(t_i_lim, vlimits_get_flag_mask),
		FN(t_v_pws, vlimits_setflags),
		FN(t_s_v, default_domain),
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof api / sizeof api[0]; i++)
		if (api[i].fn != NULL)
			n++;
	return n;
}

/* The ones with no argument list of their own kind. */
static int (*const c_parse_email)(char *, char *, char *, int) = parse_email;
static char *(*const c_valias_select)(char *, char *) = valias_select;
static char *(*const c_valias_select_next)(void) = valias_select_next;
static char *(*const c_valias_select_all)(char *, char *) = valias_select_all;

static int link_check(void)
{
	struct vqpasswd pw;
	struct vlimits l;
	size_t n = api_count();

	if (c_parse_email != NULL && c_valias_select != NULL && c_valias_select_next != NULL &&
	    c_valias_select_all != NULL)
		n += 4;
	printf("functions %lu\n", (unsigned long)n);

	/* every vqpasswd field, with its type */
	memset(&pw, 0, sizeof pw);
	{
		char *s[] = { pw.pw_name, pw.pw_passwd, pw.pw_gecos, pw.pw_dir, pw.pw_shell,
			      pw.pw_clear_passwd };
		uid_t u = pw.pw_uid;
		gid_t g = pw.pw_gid | pw.pw_flags;

		printf("vqpasswd %lu %d %d\n", (unsigned long)(sizeof s / sizeof s[0]), (int)u, (int)g);
	}
#ifndef VQPASSWD_HAS_PW_FLAGS
	printf("no VQPASSWD_HAS_PW_FLAGS\n");
#endif
	/* the vlimits fields qmailadmin and vqadmin read and write */
	memset(&l, 0, sizeof l);
	{
		int counts = l.maxpopaccounts + l.maxaliases + l.maxforwards + l.maxautoresponders +
			     l.maxmailinglists;
		storage_t sizes = l.diskquota + l.maxmsgcount + l.defaultquota + l.defaultmaxmsgcount;
		int flags = l.disable_pop + l.disable_imap + l.disable_dialup +
			    l.disable_passwordchanging + l.disable_webmail + l.disable_relay +
			    l.disable_smtp + l.disable_spamassassin + l.delete_spam + l.disable_maildrop;

		printf("vlimits %d %" PRIu64 " %d\n", counts, sizes, flags);
	}
	printf("vdir %lu\n", (unsigned long)vdir.cur_users);

	/* 5.6's values of the constants they test */
	printf("flags %#x %#x %#x %#x %#x %#x %#x %#x %#x %#x %#x %#x %#x %#x %#x %#x %#x\n",
	       NO_PASSWD_CHNG, NO_POP, NO_WEBMAIL, NO_IMAP, BOUNCE_MAIL, NO_RELAY, NO_DIALUP,
	       V_USER0, V_USER1, V_USER2, V_USER3, NO_SMTP, QA_ADMIN, V_OVERRIDE,
	       NO_SPAMASSASSIN, DELETE_SPAM, NO_MAILDROP);
	printf("codes %d %d %d %d %d\n", VA_SUCCESS, VA_USER_DOES_NOT_EXIST,
	       VA_DOMAIN_DOES_NOT_EXIST, USE_POP, USE_APOP);
	printf("sizes %d %d %d %o\n", MAX_BUFF, MAX_FILE_NAME, MAX_PW_DOMAIN, VPOPMAIL_UMASK);
	printf("config %d %d %d\n", (int)sizeof(VPOPMAILDIR) > 1, (int)sizeof(QMAILDIR) > 1,
	       (int)sizeof(VLIMITS_DEFAULT_FILE) > 1);
	printf("ids %d %d\n", (long)VPOPMAILUID >= 0, (long)VPOPMAILGID >= 0);
	printf("null %s\n", NULL_REMOTE_IP);
	printf("default domain %s\n", DEFAULT_DOMAIN != NULL ? "set" : "NULL");
	(void)onchange_buf;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Dovecot: lookup, passdb, userdb.                                   */

#define LIMIT 81        /* Dovecot's VPOPMAIL_LIMIT */

static struct vqpasswd *dovecot_lookup(const char *addr, char *user, char *domain)
{
	char copy[512];

	snprintf(copy, sizeof copy, "%s", addr);
	memset(user, 0, LIMIT);
	memset(domain, 0, LIMIT);
	if (parse_email(copy, user, domain, LIMIT - 1) < 0) {
		printf("parse_email failed\n");
		return NULL;
	}
	return vauth_getpw(user, domain);
}

static int dovecot_disabled(const struct vqpasswd *pw, const char *service)
{
	if (strcmp(service, "IMAP") == 0 && (pw->pw_flags & NO_IMAP) != 0)
		return 1;
	if (strcmp(service, "POP3") == 0 && (pw->pw_flags & NO_POP) != 0)
		return 1;
	if (strcmp(service, "SMTP") == 0 && (pw->pw_flags & NO_SMTP) != 0)
		return 1;
	return 0;
}

/* passdb: verify the password the way Dovecot does (its own crypt of the
 * hash it was handed, after which it wipes the hash in place), then the
 * userdb: uid/gid from vget_assign, lastauth, home and quota. */
static int dovecot(const char *addr, const char *pass, const char *service)
{
	char user[LIMIT], domain[LIMIT], hash[256], svc[32];
	struct vqpasswd *pw;
	const char *c;
	uid_t uid;
	gid_t gid;

	if ((pw = dovecot_lookup(addr, user, domain)) == NULL) {
		printf("unknown user\n");
		return 1;
	}
	if (dovecot_disabled(pw, service)) {
		printf("%s disabled\n", service);
		return 4;
	}
	snprintf(hash, sizeof hash, "%s", pw->pw_passwd);
	memset(pw->pw_passwd, 0, strlen(pw->pw_passwd));
	if (pw->pw_clear_passwd != NULL)
		memset(pw->pw_clear_passwd, 0, strlen(pw->pw_clear_passwd));
	c = crypt(pass, hash);
	if (c == NULL || strcmp(c, hash) != 0) {
		printf("password mismatch\n");
		return 5;
	}

	/* userdb */
	if ((pw = dovecot_lookup(addr, user, domain)) == NULL) {
		printf("unknown user\n");
		return 1;
	}
	if (vget_assign(domain, NULL, 0, &uid, &gid) == NULL) {
		printf("vget_assign failed\n");
		return 3;
	}
	snprintf(svc, sizeof svc, "%s", service);
	vset_lastauth(user, domain, svc);
	if (pw->pw_dir == NULL || pw->pw_dir[0] == '\0') {
		if (make_user_dir(user, domain, uid, gid) == NULL ||
		    (pw = vauth_getpw(user, domain)) == NULL) {
			printf("make_user_dir failed\n");
			return 3;
		}
	}
	printf("user=%s domain=%s uid=%lu gid=%lu home=%s", user, domain, (unsigned long)uid,
	       (unsigned long)gid, pw->pw_dir);
	if (pw->pw_shell[0] != '\0' && strcmp(pw->pw_shell, "NOQUOTA") != 0)
		printf(" quota=%s", format_maildirquota(pw->pw_shell));
	printf("\n");
	/* the hash wiped above is not what the next lookup hands out */
	printf("hash %s\n", strcmp(pw->pw_passwd, hash) == 0 ? "intact" : "lost");
	return 0;
}

/* ------------------------------------------------------------------ */
/* courier's authvchkpw and cvm-vchkpw.                               */

static int courier(const char *addr, const char *pass, const char *service)
{
	static uid_t uid;
	static char User[256], Domain[256];
	char copy[256], svc[32];
	struct vqpasswd *pw;
	const char *home, *c;
	gid_t gid;

	snprintf(copy, sizeof copy, "%s", addr);
	if (parse_email(copy, User, Domain, 256) != 0) {
		printf("parse_email failed\n");
		return 2;
	}
	if (vget_assign(Domain, NULL, 0, &uid, &gid) == NULL) {
		printf("no such domain\n");
		return 1;
	}
	if ((pw = vauth_getpw(User, Domain)) == NULL) {
		printf("no such user\n");
		return 1;
	}
	if ((strcmp(service, "imap") == 0 && (pw->pw_flags & NO_IMAP)) ||
	    (strcmp(service, "pop3") == 0 && (pw->pw_flags & NO_POP)) ||
	    (strcmp(service, "webmail") == 0 && (pw->pw_flags & NO_WEBMAIL))) {
		printf("%s disabled\n", service);
		return 4;
	}
	snprintf(svc, sizeof svc, "%s", service);
	vset_lastauth(User, Domain, svc);
	home = pw->pw_dir;
	c = crypt(pass, pw->pw_passwd);
	if (c == NULL || strcmp(c, pw->pw_passwd) != 0) {
		printf("password mismatch\n");
		return 5;
	}
	printf("%s@%s uid=%lu gid=%lu home=%s name=%s\n", User, Domain, (unsigned long)uid,
	       (unsigned long)gid, home, pw->pw_gecos);
	return 0;
}

/* cvm-vchkpw: the record from vauth_getpw() stays in use across
 * vauth_crypt() and vget_assign(). */
static int cvm(char *user, char *domain, char *pass)
{
	struct vqpasswd *pw;
	uid_t uid;
	gid_t gid;

	if ((pw = vauth_getpw(user, domain)) == NULL) {
		printf("no such user\n");
		return 1;
	}
	if (vauth_crypt(user, domain, pass, pw) != 0) {
		printf("password mismatch\n");
		return 5;
	}
	if (vget_assign(domain, NULL, 0, &uid, &gid) == NULL) {
		printf("no such domain\n");
		return 1;
	}
	printf("%s %s %s %s\n", pw->pw_name, pw->pw_gecos, pw->pw_dir, pw->pw_shell);
	return 0;
}

/* courier's password change: vget_assign with no uid/gid wanted. */
static int chpass(char *user, char *domain, char *oldpass, char *newpass)
{
	struct vqpasswd *pw;
	const char *c;

	if (vget_assign(domain, NULL, 0, NULL, NULL) == NULL) {
		printf("no such domain\n");
		return 1;
	}
	if ((pw = vauth_getpw(user, domain)) == NULL) {
		printf("no such user\n");
		return 1;
	}
	c = crypt(oldpass, pw->pw_passwd);
	if (c == NULL || strcmp(c, pw->pw_passwd) != 0) {
		printf("password mismatch\n");
		return 5;
	}
	printf("vpasswd %d\n", vpasswd(user, domain, newpass, 0));
	printf("old %s new %s\n", vauth_user(user, domain, oldpass, "") ? "accepted" : "refused",
	       vauth_user(user, domain, newpass, "") ? "accepted" : "refused");
	return 0;
}

/* ------------------------------------------------------------------ */
/* chkuser: is a recipient a mailbox, an alias or a forward here, and */
/* is the mailbox fuller than the given percent?                       */

static int chkuser(const char *rcpt, int maxpercent)
{
	char user[300], domain[500], path[1000], file[1400];
	struct vqpasswd *pw;
	char *at, *p;
	int pct;

	/* the write connection tells an outage from an unknown user */
	if (vauth_open_update() != 0) {
		printf("451 no auth resource\n");
		return 3;
	}
	snprintf(user, sizeof user, "%s", rcpt);
	if ((at = strrchr(user, '@')) != NULL) {
		*at = '\0';
		snprintf(domain, sizeof domain, "%s", at + 1);
	} else {
		snprintf(domain, sizeof domain, "%s", DEFAULT_DOMAIN);
	}
	lowerit(user);
	lowerit(domain);
	if (vget_assign(domain, path, sizeof path - 1, NULL, NULL) == NULL) {
		printf("not a local domain\n");
		return 0;
	}
#ifdef VALIAS
	if (valias_select(user, domain) != NULL) {
		printf("alias\n");
		return 0;
	}
#endif
	snprintf(file, sizeof file, "%s/.qmail-%s", path, user);
	for (p = file + strlen(path) + 8; *p != '\0'; p++)
		if (*p == '.')
			*p = ':';
	if (access(file, F_OK) == 0) {
		printf("alias\n");
		return 0;
	}
	if ((pw = vauth_getpw(user, domain)) == NULL || (pw->pw_gid & BOUNCE_MAIL)) {
		printf("550 no mailbox\n");
		return 1;
	}
	if (maxpercent > 0 && strcasecmp(pw->pw_shell, "NOQUOTA") != 0) {
		snprintf(file, sizeof file, "%s/Maildir", pw->pw_dir);
		pct = vmaildir_readquota(file, format_maildirquota(pw->pw_shell));
		if (pct >= maxpercent) {
			printf("552 mailbox full (%d%%)\n", pct);
			return 1;
		}
	}
	printf("mailbox\n");
	return 0;
}

/* ------------------------------------------------------------------ */
/* qmailadmin.                                                        */

/* set_admin_type(): postmaster, or QA_ADMIN in pw_flags, is a domain admin. */
static int qa_admin(char *user, char *domain)
{
	struct vqpasswd *pw = vauth_getpw(user, domain);

	if (pw == NULL) {
		printf("no such user\n");
		return 1;
	}
	printf("%s\n", strcmp(user, "postmaster") == 0 || (pw->pw_flags & QA_ADMIN) ?
	       "domain admin" : "user admin");
	return 0;
}

/* modusergo(): flag boxes change pw_gid, the gecos points at the
 * program's own buffer, and vauth_setpw() stores both. */
static int qa_moduser(char *user, char *domain, const char *gecos, const char *boxes)
{
	static const gid_t bits[] = { V_USER0, V_USER1, V_USER2, V_USER3 };
	static char Gecos[MAX_BUFF];
	struct vqpasswd *pw;
	gid_t orig;
	int i, rc = 0;

	if ((pw = vauth_getpw(user, domain)) == NULL) {
		printf("no such user\n");
		return 1;
	}
	orig = pw->pw_gid;
	for (i = 0; i < 4 && boxes[i] != '\0'; i++) {
		if (boxes[i] == '1')
			pw->pw_gid |= bits[i];
		else if (boxes[i] == '0')
			pw->pw_gid &= ~bits[i];
	}
	snprintf(Gecos, sizeof Gecos, "%s", gecos);
	if (Gecos[0] != '\0' && strcmp(Gecos, pw->pw_gecos) != 0) {
		pw->pw_gecos = Gecos;
		rc = vauth_setpw(pw, domain);
	} else if (pw->pw_gid != orig) {
		rc = vauth_setpw(pw, domain);
	}
	printf("vauth_setpw %d\n", rc);
	if ((pw = vauth_getpw(user, domain)) == NULL)
		return 1;
	printf("gid %#lx gecos %s", (unsigned long)pw->pw_gid, pw->pw_gecos);
	for (i = 0; i < 4; i++)
		printf(" %c", (pw->pw_gid & bits[i]) ? '1' : '0');
	printf("\n");
	return 0;
}

/* The user list pages: a count, a search that stops half way, then a
 * page from the start (every page starts a new walk). */
static int qa_users(char *domain, const char *stop_at)
{
	struct vqpasswd *pw;
	int k;

	for (k = 0, pw = vauth_getall(domain, 1, 0); pw != NULL; pw = vauth_getall(domain, 0, 0))
		k++;
	printf("count %d\n", k);
	for (k = 0, pw = vauth_getall(domain, 1, 1); pw != NULL; pw = vauth_getall(domain, 0, 0), k++)
		if (strcmp(pw->pw_name, stop_at) >= 0)
			break;
	printf("search %s at %d\n", pw != NULL ? pw->pw_name : "(end)", k);
	/* vqadmin's list asks for each user's last login, qmailadmin's pages
	 * look users up, while the walk goes on */
	printf("list");
	for (pw = vauth_getall(domain, 1, 1); pw != NULL; pw = vauth_getall(domain, 0, 0)) {
		char pm[] = "postmaster";

		(void)vget_lastauth(pw, domain);
		if (vauth_getpw(pm, domain) == NULL)
			printf(" (no postmaster)");
		printf(" %s:%s", pw->pw_name, pw->pw_gecos);
	}
	printf("\n");
	/* after the end the walk stays at its end */
	printf("after end %s\n", vauth_getall(domain, 0, 0) == NULL ? "NULL" : "a record");
	return 0;
}

static void print_alias(char *alias, char *domain)
{
	char *line;

	printf("%s:", alias);
	for (line = valias_select(alias, domain); line != NULL; line = valias_select_next())
		printf(" [%s]", line);
	printf("\n");
}

/* forwards and autoresponders: .qmail-<alias> lines through valias_*. */
static int qa_alias(char *domain)
{
	char name[MAX_FILE_NAME], this_alias[MAX_FILE_NAME];
	char *line;

	printf("insert %d", valias_insert("sales", domain, "&bob@example.net"));
	printf(" %d", valias_insert("sales", domain, "&carol@example.org"));
	printf(" %d", valias_insert("auto.reply", domain,
				    "|/usr/bin/autorespond 10000 5 /x/message /x"));
	printf(" %d\n", valias_insert("hole", domain, "#"));
	print_alias("sales", domain);
	print_alias("auto.reply", domain);
	print_alias("nosuch", domain);
	/* count_forwards(): every line of every alias, grouped by name */
	for (line = valias_select_all(name, domain); line != NULL;) {
		snprintf(this_alias, sizeof this_alias, "%s", name);
		printf("all %s:", this_alias);
		while (line != NULL && strcmp(this_alias, name) == 0) {
			printf(" [%s]", line);
			line = valias_select_all_next(name);
		}
		printf("\n");
	}
	printf("remove %d\n", valias_remove("sales", domain, "&bob@example.net"));
	print_alias("sales", domain);
	printf("delete %d\n", valias_delete("sales", domain));
	print_alias("sales", domain);
	return 0;
}

/* ------------------------------------------------------------------ */
/* vqadmin.                                                           */

static void print_limits(const char *what, const struct vlimits *l)
{
	printf("%s pop=%d alias=%d fwd=%d ar=%d ml=%d dq=%" PRIu64 " dmc=%" PRIu64
	       " imap=%d webmail=%d relay=%d\n", what, l->maxpopaccounts, l->maxaliases,
	       l->maxforwards, l->maxautoresponders, l->maxmailinglists, l->defaultquota,
	       l->defaultmaxmsgcount, l->disable_imap, l->disable_webmail, l->disable_relay);
}

/* mod_domain(): the defaults read from a limits file (vqadmin names
 * VLIMITS_DEFAULT_FILE, the compiled-in path; a sandbox has its own),
 * changed, stored after vdel_limits(); then what a user's pw_flags say. */
static int vq_limits(char *domain, char *user, const char *maxpop, int imap, const char *deffile)
{
	struct vlimits def, l;
	struct vqpasswd *pw;

	vdefault_limits(&def);
	print_limits("builtin", &def);
	if (vlimits_read_limits_file(deffile, &def) != 0)
		printf("no %s\n", deffile);
	if (vget_limits(domain, &l) != 0) {
		printf("vget_limits failed\n");
		return 1;
	}
	print_limits("before", &l);
	memcpy(&l, &def, sizeof l);
	l.maxpopaccounts = atoi(maxpop);
	l.disable_imap = (short)imap;
	printf("vdel_limits %d\n", vdel_limits(domain));
	printf("vset_limits %d\n", vset_limits(domain, &l));
	memset(&l, 0, sizeof l);
	if (vget_limits(domain, &l) != 0) {
		printf("vget_limits failed\n");
		return 1;
	}
	print_limits("after", &l);
	if ((pw = vauth_getpw(user, domain)) != NULL)
		printf("%s gid %#lx flags %#lx\n", user, (unsigned long)pw->pw_gid,
		       (unsigned long)pw->pw_flags);
	return 0;
}

/* add_user()/mod_user(): the record is changed in place (quota from
 * format_maildirquota()'s static buffer, a flag word, a hash from
 * mkpasswd3()) and stored with vauth_setpw(), then maildirsize. */
static int vq_user(char *eaddr, char *pass, char *quota, char *newpass)
{
	static char user[156], domain[156];
	static char Crypted[100];
	struct vqpasswd *pw;
	char *formatted, path[512];
	int rc;
	FILE *fp;

	if (parse_email(eaddr, user, domain, 156) == -1) {
		printf("invalid address\n");
		return 2;
	}
	if (vauth_getpw(user, domain) != NULL) {
		printf("exists\n");
		return 1;
	}
	if ((rc = vadduser(user, domain, pass, user, USE_POP)) != VA_SUCCESS) {
		printf("vadduser: %s\n", verror(rc));
		return 1;
	}
	if ((pw = vauth_getpw(user, domain)) == NULL)
		return 1;
	formatted = format_maildirquota(quota);
	pw->pw_shell = formatted;
	pw->pw_gid = NO_POP | QA_ADMIN;
	if (mkpasswd3(newpass, Crypted, 100) != 0) {
		printf("mkpasswd3 failed\n");
		return 1;
	}
	pw->pw_passwd = Crypted;
	pw->pw_clear_passwd = newpass;
	rc = vauth_setpw(pw, domain);
	printf("vauth_setpw %d\n", rc);
	if (rc == VA_SUCCESS)
		update_maildirsize(domain, pw->pw_dir, formatted);
	if ((pw = vauth_getpw(user, domain)) == NULL)
		return 1;
	printf("quota %s gid %#lx old %s new %s\n", pw->pw_shell, (unsigned long)pw->pw_gid,
	       vauth_user(user, domain, pass, "") ? "accepted" : "refused",
	       vauth_user(user, domain, newpass, "") ? "accepted" : "refused");
	snprintf(path, sizeof path, "%s/Maildir/maildirsize", pw->pw_dir);
	if ((fp = fopen(path, "r")) != NULL) {
		if (fgets(path, sizeof path, fp) != NULL)
			printf("maildirsize %s", path);
		fclose(fp);
	} else {
		printf("no maildirsize\n");
	}
	return 0;
}

/* post_domain_info(): the users counted by .dir-control. */
static int vq_domain(char *domain)
{
	char dir[156];
	uid_t uid;
	gid_t gid;

	if (vget_assign(domain, dir, sizeof dir, &uid, &gid) == NULL) {
		printf("Domain %s does not exist\n", domain);
		return 1;
	}
	open_big_dir(domain, uid, gid);
	close_big_dir(domain, uid, gid);
	printf("%s users %lu\n", domain, (unsigned long)vdir.cur_users);
	return 0;
}

/* post_email_info(): last login time and address. */
static int vq_lastauth(char *user, char *domain)
{
	struct vqpasswd *pw = vauth_getpw(user, domain);
	char *ip;

	if (pw == NULL)
		return 1;
	ip = vget_lastauthip(pw, domain);
	printf("time %s ip %s\n", vget_lastauth(pw, domain) == 0 ? "never" : "set",
	       ip == NULL || strcmp(ip, NULL_REMOTE_IP) == 0 ? "never" : ip);
	return 0;
}

static int quota(char *user, char *domain)
{
	struct vqpasswd *pw = vauth_getpw(user, domain);
	storage_t size = 0, count = 0;
	char path[512];
	int rc;

	if (pw == NULL)
		return 1;
	snprintf(path, sizeof path, "%s/Maildir", pw->pw_dir);
	rc = readuserquota(path, &size, &count);
	printf("readuserquota %d %" PRIu64 " %" PRIu64 "\n", rc, size, count);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int rc = 2;

	if (strcmp(cmd, "link") == 0)
		return link_check();
	if (vauth_open(0) != 0) {
		printf("vauth_open failed\n");
		return 2;
	}
	if (strcmp(cmd, "dovecot") == 0 && argc == 5)
		rc = dovecot(argv[2], argv[3], argv[4]);
	else if (strcmp(cmd, "courier") == 0 && argc == 5)
		rc = courier(argv[2], argv[3], argv[4]);
	else if (strcmp(cmd, "cvm") == 0 && argc == 5)
		rc = cvm(argv[2], argv[3], argv[4]);
	else if (strcmp(cmd, "chpass") == 0 && argc == 6)
		rc = chpass(argv[2], argv[3], argv[4], argv[5]);
	else if (strcmp(cmd, "chkuser") == 0 && argc == 4)
		rc = chkuser(argv[2], atoi(argv[3]));
	else if (strcmp(cmd, "qa-admin") == 0 && argc == 4)
		rc = qa_admin(argv[2], argv[3]);
	else if (strcmp(cmd, "qa-moduser") == 0 && argc == 6)
		rc = qa_moduser(argv[2], argv[3], argv[4], argv[5]);
	else if (strcmp(cmd, "qa-users") == 0 && argc == 4)
		rc = qa_users(argv[2], argv[3]);
	else if (strcmp(cmd, "qa-alias") == 0 && argc == 3)
		rc = qa_alias(argv[2]);
	else if (strcmp(cmd, "vq-limits") == 0 && argc == 7)
		rc = vq_limits(argv[2], argv[3], argv[4], atoi(argv[5]), argv[6]);
	else if (strcmp(cmd, "vq-user") == 0 && argc == 6)
		rc = vq_user(argv[2], argv[3], argv[4], argv[5]);
	else if (strcmp(cmd, "vq-domain") == 0 && argc == 3)
		rc = vq_domain(argv[2]);
	else if (strcmp(cmd, "vq-lastauth") == 0 && argc == 4)
		rc = vq_lastauth(argv[2], argv[3]);
	else if (strcmp(cmd, "delfiles") == 0 && argc == 3)
		rc = vdelfiles(argv[2]) == 0 ? 0 : 1;
	else if (strcmp(cmd, "quota") == 0 && argc == 4)
		rc = quota(argv[2], argv[3]);
	else
		fprintf(stderr, "usage: consumers link | dovecot ADDR PASS SERVICE | ...\n");
	vclose();
	vclose();
	return rc;
}
