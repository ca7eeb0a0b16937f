/*
 * vuserinfo - show the stored settings of one user, or of every user of
 * a domain (-D).
 *
 * The full layout (default, -a) and the bare single-field options follow
 * vpopmail 5.6 line for line.  Bare values always come out in one fixed
 * order, whatever the order of the options.  -C and -l are accepted in
 * every build; they print nothing when the build lacks clear-text
 * passwords or auth logging, like the original.
 *
 * -D streams the domain with vauth_getall(): one record in memory at a
 * time, and the domain's limits are read once per walk by the library.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
	"vuserinfo: usage: [options] email_address\n"
	"options: -v (print version number)\n"
	"         -a (display all fields, this is the default)\n"
	"         -n (display name field)\n"
	"         -p (display crypted password)\n"
	"         -u (display uid field)\n"
	"         -g (display gid field)\n"
	"         -c (display comment field)\n"
	"         -d (display directory)\n"
	"         -q (display quota field)\n"
	"         -Q (display quota usage)\n"
#ifdef CLEAR_PASS
	"         -C (display clear text password)\n"
#endif
#ifdef ENABLE_AUTH_LOGGING
	"         -l (display last authentication time)\n"
#endif
	"         -D domainname (show all users on this domain)\n";

/* What to print; `all` is the full block, the others are bare values. */
struct show {
	int all;
	int name, passwd, clear, uid, gid, gecos, dir, quota, usage, lastauth;
};

/* The limit lines of the full layout, in the order 5.6 prints them. */
static const struct {
	gid_t bit;
	const char *text;
} limit_lines[] = {
	{ NO_PASSWD_CHNG,  "password can not be changed by user" },
	{ NO_POP,          "pop access closed" },
	{ NO_WEBMAIL,      "webmail access closed" },
	{ NO_IMAP,         "imap access closed" },
	{ NO_SMTP,         "smtp access is closed" },
	{ NO_RELAY,        "user not allowed to relay mail" },
	{ NO_SPAMASSASSIN, "spamassassin processing disabled" },
	{ DELETE_SPAM,     "delete spam" },
	{ NO_MAILDROP,     "maildrop processing disabled" },
	{ NO_DIALUP,       "no dialup flag has been set" },
	{ BOUNCE_MAIL,     "mail will be bounced back to sender" },
	{ QA_ADMIN,        "has qmailadmin administrator access" },
	{ SA_ADMIN,        "has system administrator access" },
	{ SA_EXPERT,       "has expert access" },
	{ V_USER0,         "user flag 0 is set" },
	{ V_USER1,         "user flag 1 is set" },
	{ V_USER2,         "user flag 2 is set" },
	{ V_USER3,         "user flag 3 is set" },
	{ V_OVERRIDE,      "user is not subject to domain limits" },
};

static void usage(void)
{
	fputs(usage_text, stdout);
}

/* A string field that may be unset prints as empty. */
static const char *str(const char *s)
{
	return s != NULL ? s : "";
}

/*
 * The output is assembled here and written with write(2) in pieces of up
 * to 64 KB, after whatever stdio holds: listing a big domain prints a
 * dozen lines per user, and printf's format parsing (or even one fputs
 * per piece) was most of vuserinfo -D's work.  Labels are literals whose
 * length is known at compile time (OUT_LIT, put_line).  out_flush() must
 * run before anything that writes to stdout through stdio, and before exit.
 */
static char out_buf[1 << 16];
static size_t out_len;

/* s straight to stdout, after what stdio holds; errors end it, as in stdio. */
static void out_write(const char *s, size_t n)
{
	ssize_t w;

	fflush(stdout);
	while (n > 0 && ((w = write(STDOUT_FILENO, s, n)) > 0 || (w < 0 && errno == EINTR))) {
		if (w > 0) {
			s += w;
			n -= (size_t)w;
		}
	}
}

static void out_flush(void)
{
	out_write(out_buf, out_len);
	out_len = 0;
}

/* Inline: most pieces are literals, copied with a few moves. */
static inline void out_mem(const char *s, size_t n)
{
	if (n > sizeof out_buf - out_len) {
		out_flush();
		if (n > sizeof out_buf) {
			out_write(s, n);
			return;
		}
	}
	memcpy(out_buf + out_len, s, n);
	out_len += n;
}

#define OUT_LIT(lit) out_mem("" lit, sizeof(lit) - 1)

static void out_str(const char *s)
{
	out_mem(s, strlen(s));
}

/* "<label><value>\n"; the label must be a string literal. */
#define put_line(label, value) put_line_n("" label, sizeof(label) - 1, (value))

static inline void put_line_n(const char *label, size_t label_len, const char *value)
{
	out_mem(label, label_len);
	out_str(str(value));
	out_mem("\n", 1);
}

static void put_ulong(const char *label, size_t label_len, unsigned long v)
{
	char buf[24], *p = buf + sizeof buf;

	*--p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	put_line_n(label, label_len, p);
}

#define PUT_ULONG(label, v) put_ulong("" label, sizeof(label) - 1, (v))

static void print_limits(const struct vqpasswd *pw)
{
	size_t i;

	if (pw->pw_flags == 0) {
		OUT_LIT("limits: No user limits set.\n");
		return;
	}
	OUT_LIT("limits:\n");
	for (i = 0; i < sizeof limit_lines / sizeof limit_lines[0]; i++) {
		if (!(pw->pw_flags & limit_lines[i].bit))
			continue;
		/* A bit set in the effective flags but not in the user's own word
		 * comes from the domain's limits. */
		OUT_LIT("        ");
		out_str(limit_lines[i].text);
		if (pw->pw_gid & limit_lines[i].bit)
			OUT_LIT("\n");
		else
			OUT_LIT(" (*)\n");
	}
	if (pw->pw_gid != pw->pw_flags)
		OUT_LIT("        * = set by domain-wide limits\n");
}

/*
 * The usage value: "<n>%" measured against the quota, or the quota text
 * itself when it is NOQUOTA.  Measuring may (re)write Maildir/maildirsize.
 */
static void print_usage_value(const struct vqpasswd *pw)
{
	char maildir[VP_PATH_MAX];
	const char *quota = str(pw->pw_shell);

	if (strcmp(quota, "NOQUOTA") == 0) {
		put_line("", quota);
		return;
	}
	if (snprintf(maildir, sizeof maildir, "%s/Maildir", str(pw->pw_dir)) >= (int)sizeof maildir) {
		OUT_LIT("0%\n");
		return;
	}
	out_flush();
	printf("%d%%\n", vmaildir_readquota(maildir, format_maildirquota(quota)));
}

/*
 * The domain as the auth backend wants it, resolved once per run rather
 * than once per user (vget_lastauth() and vget_lastauthip() each resolve
 * the domain and read lastauth again; the backend call gets both at once).
 */
static struct vdomain lastauth_dom;

#ifdef ENABLE_AUTH_LOGGING
/* asctime() layout, newline included; localtime_r() does not re-read the zone file. */
static void print_time(const char *label, time_t when)
{
	struct tm tm;
	char buf[64];

	if (localtime_r(&when, &tm) != NULL && asctime_r(&tm, buf) != NULL) {
		out_str(label);
		out_str(buf);
	}
}
#endif

/*
 * Last-auth block: lastauth's mtime and first line.  No record, no IP or
 * the placeholder IP written at creation mean "never logged in"; the
 * creation time is then shown when known.
 */
static void print_lastauth(struct vqpasswd *pw)
{
#ifdef ENABLE_AUTH_LOGGING
	time_t when = 0;
	char ip[MAX_BUFF];

	if (vauth_backend_get()->get_lastauth(&lastauth_dom, pw, &when, ip, sizeof ip) != 0) {
		when = 0;
		ip[0] = '\0';
	}
	if (when == 0 || ip[0] == '\0' || strcmp(ip, NULL_REMOTE_IP) == 0) {
		if (when != 0)
			print_time("account created: ", when);
		OUT_LIT("last auth: Never logged in\n");
		return;
	}
	print_time("last auth: ", when);
	put_line("last auth ip: ", ip);
#else
	(void)pw;
#endif
}

static void show_full(struct vqpasswd *pw)
{
	put_line("name:   ", pw->pw_name);
	put_line("passwd: ", pw->pw_passwd);
	put_line("clear passwd: ", pw->pw_clear_passwd);
	put_line("comment/gecos: ", pw->pw_gecos);
	PUT_ULONG("uid:    ", (unsigned long)pw->pw_uid);
	PUT_ULONG("gid:    ", (unsigned long)pw->pw_gid);
	PUT_ULONG("flags:  ", (unsigned long)pw->pw_flags);
	put_line("gecos: ", pw->pw_gecos);
	print_limits(pw);
	put_line("dir:       ", pw->pw_dir);
	put_line("quota:     ", pw->pw_shell);
	OUT_LIT("usage:     ");
	print_usage_value(pw);
	print_lastauth(pw);
}

static void show_fields(const struct show *s, struct vqpasswd *pw)
{
	if (s->all) {
		show_full(pw);
		return;
	}
	if (s->name)
		put_line("", pw->pw_name);
	if (s->passwd)
		put_line("", pw->pw_passwd);
#ifdef CLEAR_PASS
	if (s->clear)
		put_line("", pw->pw_clear_passwd);
#endif
	if (s->uid)
		PUT_ULONG("", (unsigned long)pw->pw_uid);
	if (s->gid)
		PUT_ULONG("", (unsigned long)pw->pw_gid);
	if (s->gecos)
		put_line("", pw->pw_gecos);
	if (s->dir)
		put_line("", pw->pw_dir);
	if (s->quota)
		put_line("", pw->pw_shell);
	if (s->usage)
		print_usage_value(pw);
	if (s->lastauth)
		print_lastauth(pw);
}

/* A domain name into a struct vdomain field; one too long stays empty. */
static void copy_name(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src);

	if (len < size)
		memcpy(dst, src, len + 1);
	else
		dst[0] = '\0';
}

/*
 * Look the domain up as the original did: vget_assign() lower-cases it
 * and turns an alias into its real domain, in place (so "no such user"
 * names the real domain).  Then run with the domain's uid and gid, so that
 * files written while measuring usage belong to the domain.  Only root
 * can (and needs to) switch; an unknown domain leaves 0:0, which changes
 * nothing for root.
 */
static void become_domain(char *domain)
{
	struct vdomain *d = &lastauth_dom;

	memset(d, 0, sizeof *d);
	copy_name(d->name, sizeof d->name, domain);
	if (vget_assign(domain, d->dir, (int)sizeof d->dir, &d->uid, &d->gid) == NULL) {
		d->dir[0] = '\0';
		d->uid = 0;
		d->gid = 0;
	}
	copy_name(d->real, sizeof d->real, domain);
	if (geteuid() != 0)
		return;
	if (setgid(d->gid) != 0 || setuid(d->uid) != 0) {
		fputs("Error: unable to setuid\n", stdout);
		cli_exit(1);
	}
}

static void set_one(struct show *s, int *flag)
{
	*flag = 1;
	s->all = 0;
}

int main(int argc, char **argv)
{
	static char email[CLI_BUF];
	static char user[CLI_BUF];
	static char domain[CLI_BUF];
	static char stdout_buf[1 << 16];
	struct show s = { .all = 1 };
	struct vqpasswd *pw;
	int c, err = 0, toolong = 0, dlong = 0, first;

	setvbuf(stdout, stdout_buf, _IOFBF, sizeof stdout_buf);
	cli_open();

	while (!err && (c = getopt(argc, argv, "anpugcdqQvlD:C")) != -1) {
		switch (c) {
		case 'D':
			/* Longer than any domain: it cannot match, so nothing will be
			 * listed; the other options are still parsed, as in 5.6. */
			dlong = 0;
			cli_take(domain, sizeof domain, optarg, VA_DOMAIN_NAME_TOO_LONG, &dlong);
			break;
		case 'v': cli_version(); break;
		case 'a': s.all = 1; break;
		case 'n': set_one(&s, &s.name); break;
		case 'p': set_one(&s, &s.passwd); break;
		case 'C': set_one(&s, &s.clear); break;
		case 'u': set_one(&s, &s.uid); break;
		case 'g': set_one(&s, &s.gid); break;
		case 'c': set_one(&s, &s.gecos); break;
		case 'd': set_one(&s, &s.dir); break;
		case 'q': set_one(&s, &s.quota); break;
		case 'Q': set_one(&s, &s.usage); break;
		case 'l': set_one(&s, &s.lastauth); break;
		default: err = 1; break;
		}
	}
	if (err) {
		usage();
		cli_exit(-1);
	}
	if (optind < argc)
		cli_take(email, sizeof email, argv[optind], cli_email_too_long(argv[optind]), &toolong);
	if (email[0] == '\0' && domain[0] == '\0' && toolong == 0 && dlong == 0) {
		usage();
		cli_exit(-1);
	}
	if (dlong != 0)
		cli_exit(0);

	if (domain[0] != '\0') {
		/* The whole domain: an unknown one lists nothing and succeeds. */
		become_domain(domain);
		for (first = 1; (pw = vauth_getall(domain, first, 1)) != NULL; first = 0) {
			OUT_LIT("------------------------------------------\n");
			show_fields(&s, pw);
		}
		out_flush();
		cli_exit(0);
	}

	if (toolong != 0)
		cli_fail(toolong);
	err = parse_email(email, user, domain, (int)sizeof user);
	if (err != 0)
		cli_fail(err);
	become_domain(domain);
	if ((pw = vauth_getpw(user, domain)) == NULL) {
		/* set only when the database could not answer: say so,
		 * not "no such user" */
		if (verrori != 0)
			cli_fail(verrori);
		if (domain[0] == '\0')
			printf("no such user %s\n", user);
		else
			printf("no such user %s@%s\n", user, domain);
		cli_exit(-1);
	}
	show_fields(&s, pw);
	out_flush();
	cli_exit(0);
}
