/*
 * vipmap - show and edit the IP -> domain map used to pick the default
 * domain by local IP address (<home>/etc/ip_alias_map).
 *
 * Only builds with --enable-ip-alias-domains act on the map; others say
 * how to rebuild and exit 0, as 5.6 does.  Results of -a and -d are not
 * reported (5.6 ignored them too).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "cli.h"

#include <stdio.h>
#include <unistd.h>

enum action { SHOW, ADD, DELETE };

static const char usage_text[] =
	"vipmap: usage: [options] ip domain\n"
	"options: -d delete mapping\n"
	"         -a add mapping\n"
	"         -p print mapping\n"
	"         -v show version\n";

static void usage(void)
{
	fputs(usage_text, stdout);
}

int main(int argc, char **argv)
{
	static char ip[CLI_BUF];
	static char domain[CLI_BUF];
	enum action act = SHOW;
	int c, bad = 0, toolong = 0;

	while (!bad && (c = getopt(argc, argv, "vpda")) != -1) {
		switch (c) {
		case 'v':
			cli_version();
			break;
		case 'p':
			act = SHOW;
			break;
		case 'a':
			act = ADD;
			break;
		case 'd':
			act = DELETE;
			break;
		default:
			bad = 1;
			break;
		}
	}
	if (argc <= 1) {
		usage();
		cli_exit(-1);
	}
	if (act != SHOW) {
		if (optind + 1 >= argc) {
			usage();
			cli_exit(-1);
		}
		cli_take(ip, sizeof(ip), argv[optind++], VA_INVALID_IP_ADDRESS, &toolong);
		cli_take(domain, sizeof(domain), argv[optind++], VA_DOMAIN_NAME_TOO_LONG, &toolong);
	}

#ifdef IP_ALIAS_DOMAINS
	cli_open();
	if (toolong != 0)
		cli_fail(toolong);
	if (act == ADD) {
		(void)vadd_ip_map(ip, domain);
	} else if (act == DELETE) {
		(void)vdel_ip_map(ip, domain);
	} else {
		int first = 1;

		while (vshow_ip_map(first, ip, domain) == 1) {
			first = 0;
			printf("%s %s\n", ip, domain);
		}
	}
#else
	printf("IP aliases are not compiled into vpopmail\n"
	       "You will need to do the following steps\n"
	       "make distclean\n"
	       "./configure --enable-ip-alias-domains=y [your other options]\n"
	       "make\n"
	       "make install-strip\n");
#endif
	cli_exit(0);
}
