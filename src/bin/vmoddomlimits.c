/*
 * vmoddomlimits - show or change a domain's limits (.qmailadmin-limits),
 * or those of ~vpopmail/etc/vlimits.default with -d.
 *
 * Every run that neither shows (-S) nor deletes (-D) rewrites the file,
 * even when no option changed a value: that is how vpopmail 5.6 behaves
 * and how an administrator turns the shared default into a domain file.
 * A domain that does not exist is silently ignored (exit 0).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"
#include "vlimits.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
	"vmoddomlimits: usage: [options] domain \n"
	"options: -v ( display the vpopmail version number )\n"
	"         -d ( use the vlimits.default file, instead of domain )\n"
	"         -S ( show current settings )\n"
	"         -D ( delete limits for this domain, i.e. switch to default limits)\n"
	"         -Q quota-in-megabytes ( set domain disk quota, '100' = 100 MB )\n"
	"         -q quota-in-bytes ( set default user quota, '10M' = 10 MB )\n"
	"         -M count ( set domain max msg count )\n"
	"         -m count ( set default user max msg count )\n"
	"         -P count ( set max amount of pop accounts )\n"
	"         -A count ( set max amount of aliases )\n"
	"         -F count ( set max amount of forwards )\n"
	"         -R count ( set max amount of autoresponders )\n"
	"         -L count ( set max amount of mailing lists )\n"
	"the following options are bit flags in the gid int field\n"
	"         -g \"flags\"  (set flags, see below)\n"
	"         gid flags:\n"
	"            u ( set no dialup flag )\n"
	"            d ( set no password changing flag )\n"
	"            p ( set no pop access flag )\n"
	"            s ( set no smtp access flag )\n"
	"            w ( set no web mail access flag )\n"
	"            i ( set no imap access flag )\n"
	"            r ( set no external relay flag )\n"
	"            c ( set no spamassasssin flag )\n"
	"            x ( set delete spam flag )\n"
	"            m ( set no maildrop flag )\n"
	"the following options are bit flags for non postmaster admins\n"
	"         -p \"flags\"  (set pop account flags)\n"
	"         -a \"flags\"  (set alias flags)\n"
	"         -f \"flags\"  (set forward flags)\n"
	"         -r \"flags\"  (set autoresponder flags)\n"
	"         -l \"flags\"  (set mailinglist flags)\n"
	"         -u \"flags\"  (set mailinglist users flags)\n"
	"         -o \"flags\"  (set mailinglist moderators flags)\n"
	"         -x \"flags\"  (set quota flags)\n"
	"         -z \"flags\"  (set default quota flags)\n"
	"         perm flags:\n"
	"            a ( set deny all flag )\n"
	"            c ( set deny create flag )\n"
	"            m ( set deny modify flag )\n"
	"            d ( set deny delete flag )\n";

static void usage(void)
{
	fputs(usage_text, stdout);
}

#define SHORT_FIELD(l, off) ((short *)((char *)(l) + (off)))

/*
 * The ten domain flags: -g letter, -S label, field.  The table order is
 * the order -S lists them (and builds the "for commandline" string).
 */
static const struct gid_flag {
	char        letter;
	const char *label;
	size_t      off;
} gid_flags[] = {
	{ 'i', "NO_IMAP",         offsetof(struct vlimits, disable_imap) },
	{ 's', "NO_SMTP",         offsetof(struct vlimits, disable_smtp) },
	{ 'p', "NO_POP",          offsetof(struct vlimits, disable_pop) },
	{ 'w', "NO_WEBMAIL",      offsetof(struct vlimits, disable_webmail) },
	{ 'd', "NO_PASSWD_CHNG",  offsetof(struct vlimits, disable_passwordchanging) },
	{ 'r', "NO_RELAY",        offsetof(struct vlimits, disable_relay) },
	{ 'u', "NO_DIALUP",       offsetof(struct vlimits, disable_dialup) },
	{ 'c', "NO_SPAMASSASSIN", offsetof(struct vlimits, disable_spamassassin) },
	{ 'x', "DEL_SPAM",        offsetof(struct vlimits, delete_spam) },
	{ 'm', "NO_MAILDROP",     offsetof(struct vlimits, disable_maildrop) },
};
#define N_GID_FLAGS (sizeof gid_flags / sizeof gid_flags[0])

/* The admin permissions: option, -S row label, field; in -S row order. */
static const struct perm_opt {
	char        opt;
	const char *label;
	size_t      off;
} perm_opts[] = {
	{ 'p', "pop account",            offsetof(struct vlimits, perm_account) },
	{ 'a', "alias",                  offsetof(struct vlimits, perm_alias) },
	{ 'f', "forward",                offsetof(struct vlimits, perm_forward) },
	{ 'r', "autoresponder",          offsetof(struct vlimits, perm_autoresponder) },
	{ 'l', "mailinglist",            offsetof(struct vlimits, perm_maillist) },
	{ 'u', "mailinglist users",      offsetof(struct vlimits, perm_maillist_users) },
	{ 'o', "mailinglist moderators", offsetof(struct vlimits, perm_maillist_moderators) },
	{ 'x', "quota",                  offsetof(struct vlimits, perm_quota) },
	{ 'z', "default quota",          offsetof(struct vlimits, perm_defaultquota) },
};
#define N_PERM_OPTS (sizeof perm_opts / sizeof perm_opts[0])

/* The counts: option and field (parsed like atoi). */
static const struct count_opt {
	char   opt;
	size_t off;
} count_opts[] = {
	{ 'P', offsetof(struct vlimits, maxpopaccounts) },
	{ 'A', offsetof(struct vlimits, maxaliases) },
	{ 'F', offsetof(struct vlimits, maxforwards) },
	{ 'R', offsetof(struct vlimits, maxautoresponders) },
	{ 'L', offsetof(struct vlimits, maxmailinglists) },
};
#define N_COUNT_OPTS (sizeof count_opts / sizeof count_opts[0])

/* What the command line asked for.  NULL: leave the value alone. */
struct request {
	int         show;
	int         delete;
	int         use_default;
	const char *count[N_COUNT_OPTS];
	const char *domain_quota;       /* -Q */
	const char *default_quota;      /* -q */
	const char *domain_msgs;        /* -M */
	const char *default_msgs;       /* -m */
	const char *gid;                /* -g */
	const char *perm[N_PERM_OPTS];
};

static int table_index_count(int c)
{
	size_t i;

	for (i = 0; i < N_COUNT_OPTS; i++)
		if (count_opts[i].opt == c)
			return (int)i;
	return -1;
}

static int table_index_perm(int c)
{
	size_t i;

	for (i = 0; i < N_PERM_OPTS; i++)
		if (perm_opts[i].opt == c)
			return (int)i;
	return -1;
}

/* getopt(3) loop.  -h prints the usage and exits 0 at once; an unknown
 * option only gets getopt's own message and parsing goes on. */
static void parse_options(int argc, char **argv, struct request *rq)
{
	int c, i;

	while ((c = getopt(argc, argv, "vSDdQ:q:M:m:P:A:F:R:L:g:p:a:f:r:l:u:o:x:z:h")) != -1) {
		switch (c) {
		case 'v': cli_version(); break;
		case 'S': rq->show = 1; break;
		case 'D': rq->delete = 1; break;
		case 'd': rq->use_default = 1; break;
		case 'Q': rq->domain_quota = optarg; break;
		case 'q': rq->default_quota = optarg; break;
		case 'M': rq->domain_msgs = optarg; break;
		case 'm': rq->default_msgs = optarg; break;
		case 'g': rq->gid = optarg; break;
		case 'h':
			usage();
			cli_exit(0);
		default:
			if ((i = table_index_count(c)) >= 0)
				rq->count[i] = optarg;
			else if ((i = table_index_perm(c)) >= 0)
				rq->perm[i] = optarg;
			break;
		}
	}
}

/* Permission letters: a = deny all, c/m/d = deny create/modify/delete. */
static short perm_bits(const char *letters)
{
	short bits = 0;

	for (; *letters != '\0'; letters++) {
		switch (*letters) {
		case 'a': bits |= VLIMIT_DISABLE_ALL; break;
		case 'c': bits |= VLIMIT_DISABLE_CREATE; break;
		case 'm': bits |= VLIMIT_DISABLE_MODIFY; break;
		case 'd': bits |= VLIMIT_DISABLE_DELETE; break;
		}
	}
	return bits;
}

/* An empty option argument leaves the value alone, as in vpopmail. */
static int given(const char *arg)
{
	return arg != NULL && arg[0] != '\0';
}

static void apply_changes(const struct request *rq, struct vlimits *l)
{
	size_t i;

	for (i = 0; i < N_COUNT_OPTS; i++)
		if (given(rq->count[i]))
			*(int *)((char *)l + count_opts[i].off) = atoi(rq->count[i]);
	if (given(rq->domain_quota))
		l->diskquota = (storage_t)strtoll(rq->domain_quota, NULL, 10);
	if (given(rq->domain_msgs))
		l->maxmsgcount = (storage_t)strtoll(rq->domain_msgs, NULL, 10);
	/* "10M" and the like become bytes first. */
	if (given(rq->default_quota))
		l->defaultquota = (storage_t)strtoll(format_maildirquota(rq->default_quota), NULL, 10);
	if (given(rq->default_msgs))
		l->defaultmaxmsgcount = (storage_t)strtoll(rq->default_msgs, NULL, 10);

	/* -g replaces the whole set, even when given as "". */
	if (rq->gid != NULL) {
		const char *p;

		for (i = 0; i < N_GID_FLAGS; i++)
			*SHORT_FIELD(l, gid_flags[i].off) = 0;
		for (p = rq->gid; *p != '\0'; p++)
			for (i = 0; i < N_GID_FLAGS; i++)
				if (gid_flags[i].letter == *p)
					*SHORT_FIELD(l, gid_flags[i].off) = 1;
	}
	for (i = 0; i < N_PERM_OPTS; i++)
		if (rq->perm[i] != NULL)
			*SHORT_FIELD(l, perm_opts[i].off) = perm_bits(rq->perm[i]);
}

static void print_perm(const char *what, short bits, short mask)
{
	if (bits & mask)
		printf("DENY_%s  ", what);
	else
		printf("ALLOW_%s ", what);
}

/* -S: the layout of vpopmail 5.6, byte for byte. */
static void show_limits(const char *title, struct vlimits *l)
{
	char letters[N_GID_FLAGS + 1];
	size_t i, n = 0;

	printf("%s\n", title);
	printf("--\n");
	printf("Max Pop Accounts: %d\n", l->maxpopaccounts);
	printf("Max Aliases: %d\n", l->maxaliases);
	printf("Max Forwards: %d\n", l->maxforwards);
	printf("Max Autoresponders: %d\n", l->maxautoresponders);
	printf("Max Mailinglists: %d\n", l->maxmailinglists);
	printf("GID Flags:\n");
	for (i = 0; i < N_GID_FLAGS; i++) {
		if (*SHORT_FIELD(l, gid_flags[i].off) != 0) {
			printf("  %s\n", gid_flags[i].label);
			letters[n++] = gid_flags[i].letter;
		}
	}
	letters[n] = '\0';
	printf("Flags (for commandline): %s\n", letters);
	printf("Flags for non postmaster accounts:\n");
	for (i = 0; i < N_PERM_OPTS; i++) {
		char label[32];
		short bits = *SHORT_FIELD(l, perm_opts[i].off);

		/* label and colon padded so the first word starts in column 27 */
		snprintf(label, sizeof label, "%s:", perm_opts[i].label);
		printf("  %-24s", label);
		print_perm("CREATE", bits, VLIMIT_DISABLE_CREATE);
		print_perm("MODIFY", bits, VLIMIT_DISABLE_MODIFY);
		print_perm("DELETE", bits, VLIMIT_DISABLE_DELETE);
		printf("\n");
	}
	printf("Domain Quota: %" PRIu64 " MB\n", l->diskquota);
	printf("Default User Quota: %" PRIu64 " bytes\n", l->defaultquota);
	printf("Max Domain Messages: %" PRIu64 "\n", l->maxmsgcount);
	printf("Default Max Messages per User: %" PRIu64 "\n", l->defaultmaxmsgcount);
}

/* -d: the values come from the file alone, without the built-in defaults. */
static _Noreturn void run_default(const struct request *rq)
{
	char path[VP_PATH_MAX];
	char title[VP_PATH_MAX + 32];
	struct vlimits limits;
	int n;

	memset(&limits, 0, sizeof limits);
	/* Held from the read to the exit: two editors keep both changes. */
	(void)vp_limits_lock(NULL);
	n = snprintf(path, sizeof path, "%s/etc/vlimits.default", vpopmail_dir());
	if (n < 0 || (size_t)n >= sizeof path ||
	    vlimits_read_limits_file(path, &limits) != VA_SUCCESS) {
		printf("Failed to read the vlimits.default file.\n");
		cli_exit(-1);
	}
	if (rq->delete) {
		printf("Default limits must not be deleted. If you really want to do this,\n");
		printf("remove the vlimits.default file.\n");
		printf("But be warned: this might stop vpopmail from working!!\n");
		cli_exit(-1);
	}
	if (rq->show) {
		snprintf(title, sizeof title, "Default limits: %s", path);
		show_limits(title, &limits);
		cli_exit(0);
	}
	apply_changes(rq, &limits);
	if (vlimits_write_limits_file(path, &limits) != VA_SUCCESS) {
		printf("Failed to write vlimits.default file");
		cli_exit(-1);
	}
	cli_exit(0);
}

static _Noreturn void run_domain(const struct request *rq, char *domain)
{
	char title[CLI_BUF + 16];
	struct vlimits limits;

	/* Unknown domains are skipped without a word; an alias domain is
	 * replaced by its real domain. */
	if (vget_assign(domain, NULL, 0, NULL, NULL) == NULL)
		cli_exit(0);
	/* Held from the read to the exit: two editors keep both changes. */
	(void)vp_limits_lock(domain);
	if (vget_limits(domain, &limits) != VA_SUCCESS) {
		printf("Failed to vget_limits\n");
		cli_exit(-1);
	}
	if (rq->delete) {
		if (vdel_limits(domain) == VA_SUCCESS) {
			printf("Limits deleted\n");
			cli_exit(0);
		}
		printf("Failed to delete limits\n");
		cli_exit(-1);
	}
	if (rq->show) {
		snprintf(title, sizeof title, "Domain: %s", domain);
		show_limits(title, &limits);
		cli_exit(0);
	}
	apply_changes(rq, &limits);
	if (vset_limits(domain, &limits) != VA_SUCCESS) {
		printf("Failed to vset_limits\n");
		cli_exit(-1);
	}
	cli_exit(0);
}

int main(int argc, char **argv)
{
	static char domain[CLI_BUF];
	struct request rq;
	const char *arg = "";
	int toolong = 0;

	memset(&rq, 0, sizeof rq);
	cli_open();
	parse_options(argc, argv, &rq);
	if (rq.use_default)
		run_default(&rq);       /* a domain operand is ignored */

	if (optind < argc)
		arg = argv[optind];
	if (arg[0] == '\0') {
		usage();
		cli_exit(-1);
	}
	/* No domain has a name this long, so it is as unknown as any other. */
	if (cli_take(domain, sizeof domain, arg, VA_DOMAIN_NAME_TOO_LONG, &toolong) != 0)
		cli_exit(0);
	run_domain(&rq, domain);
	return 0;
}
