/*
 * names.c - user and domain names: case folding, validation, splitting an
 * address, and the default domain.
 *
 * The rules are vpopmail 5.6's (spec: storage-and-admin §7.7, runtime
 * §1.1-1.3).  One rule goes beyond the original, on purpose:
 *   - a user name may not start with '.', so ".", ".." and ".qmail-x"
 *     can never become directory names inside a domain directory.
 * Control characters, DEL and bytes >= 0x80 are rejected as in the
 * original (its table of allowed bytes simply does not contain them).
 * '/' stays a valid user character, as in the original.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"
#include "login.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* lowerit() cuts strings here, like the original. */
#define LOWERIT_MAX 156

/* Characters kept in VPOPMAIL_DOMAIN (and TCPLOCALIP); others become '_'. */
static const char env_ok_chars[] =
	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.@";

/* Separators of user and domain, in order of priority. */
static const char at_chars[] = "@%/";

void lowerit(char *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; s[i] != '\0'; i++) {
		if (i == LOWERIT_MAX) {
			s[i] = '\0';
			return;
		}
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	}
}

/* The bytes vpopmail allows in a user name: RFC 5322 atext plus '.', '/'. */
static int user_char_ok(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return 1;
	if (c >= '^' && c <= '~')       /* ^ _ ` a-z { | } ~ */
		return 1;
	if (c >= '-' && c <= '9')       /* - . / 0-9 */
		return 1;
	return c != '\0' && strchr("!#$&'*+=?", c) != NULL;
}

static int domain_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.';
}

int is_username_valid(char *user)
{
	const unsigned char *p = (const unsigned char *)user;

	if (p == NULL)
		return VA_NULL_POINTER;
	/* Beyond the original, see above; an empty name (5.6 let "@domain"
	 * through to vadduser(), which counted the user in .dir-control
	 * before mkdir of the domain directory itself failed) is none. */
	if (*p == '.' || *p == '\0')
		return VA_ILLEGAL_USERNAME;
	for (; *p != '\0'; p++)
		if (!user_char_ok(*p))
			return VA_ILLEGAL_USERNAME;
	return 0;
}

int is_domain_valid(char *domain)
{
	const unsigned char *p = (const unsigned char *)domain;

	if (p == NULL)
		return VA_NULL_POINTER;
	for (; *p != '\0'; p++)
		if (!domain_char_ok(*p))
			return VA_INVALID_DOMAIN_NAME;
	return 0;
}

/*
 * vadddomain's checks, in the original's order: too short, too long,
 * no dot, TLD length, then per character (leading '-', charset, ".."),
 * then a trailing '-' (only the very last character is tested, so
 * "ab-.com" passes).  Only "too long" has its own code.
 */
int vp_check_new_domain(const char *domain)
{
	const char *dot;
	size_t len, tld, i;

	if (domain == NULL)
		return VA_NULL_POINTER;
	len = strlen(domain);
	if (len < MIN_DOMAIN_LENGTH)
		return VA_INVALID_DOMAIN_NAME;
	if (len > MAX_PW_DOMAIN)
		return VA_DOMAIN_NAME_TOO_LONG;
	dot = strrchr(domain, '.');
	if (dot == NULL)
		return VA_INVALID_DOMAIN_NAME;
	tld = len - (size_t)(dot - domain) - 1;
	if (tld < 2 || tld > 63)
		return VA_INVALID_DOMAIN_NAME;
	/* A leading '.' would make a hidden directory: refused (not in 5.6). */
	if (domain[0] == '-' || domain[0] == '.')
		return VA_INVALID_DOMAIN_NAME;
	for (i = 0; i < len; i++) {
		if (!domain_char_ok((unsigned char)domain[i]))
			return VA_INVALID_DOMAIN_NAME;
		if (i > 0 && domain[i] == '.' && domain[i - 1] == '.')
			return VA_INVALID_DOMAIN_NAME;
	}
	if (domain[len - 1] == '-')
		return VA_INVALID_DOMAIN_NAME;
	return 0;
}

/*
 * vaddaliasdomain's checks: charset, then length.  The empty name, a
 * leading '.' and ".." are refused too (the original would write such
 * names into users/assign).
 */
int vp_check_alias_domain(const char *domain)
{
	int rc;

	if (domain == NULL)
		return VA_NULL_POINTER;
	if (*domain == '\0' || *domain == '.' || strstr(domain, "..") != NULL)
		return VA_INVALID_DOMAIN_NAME;
	rc = is_domain_valid((char *)domain);
	if (rc != 0)
		return rc;
	if (strlen(domain) > MAX_PW_DOMAIN)
		return VA_DOMAIN_NAME_TOO_LONG;
	return 0;
}

/*
 * The classic API's length checks (spec §7.5), in vpopmail's order: user
 * name, a one-character name in big-dir builds (VP_LEN_ONE_CHAR), domain,
 * then the domain minimum (VP_LEN_MIN_DOMAIN).  Callers differ in which of
 * the optional checks the original made, so they choose.
 */
int vp_check_user_domain_len(const char *user, const char *domain, int flags)
{
	if (strlen(user) > MAX_PW_NAME)
		return VA_USER_NAME_TOO_LONG;
#ifdef USERS_BIG_DIR
	if ((flags & VP_LEN_ONE_CHAR) && strlen(user) == 1)
		return VA_ILLEGAL_USERNAME;
#endif
	if (strlen(domain) > MAX_PW_DOMAIN)
		return VA_DOMAIN_NAME_TOO_LONG;
	if ((flags & VP_LEN_MIN_DOMAIN) && strlen(domain) < MIN_DOMAIN_LENGTH)
		return VA_INVALID_DOMAIN_NAME;
	return VA_SUCCESS;
}

/*
 * Split at the first '@'; failing that the first '%'; failing that the
 * first '/'.  No separator: everything is the user, the domain is "".
 * The input is not changed, folded or validated.
 */
int vp_split_address(const char *addr, char *user, size_t usize,
                     char *domain, size_t dsize)
{
	const char *sep = NULL;
	size_t ulen, i;

	if (addr == NULL || user == NULL || domain == NULL)
		return VA_NULL_POINTER;
	if (usize == 0 || dsize == 0)
		return VA_MEMORY_ALLOC_ERR;
	for (i = 0; at_chars[i] != '\0' && sep == NULL; i++)
		sep = strchr(addr, at_chars[i]);

	ulen = sep != NULL ? (size_t)(sep - addr) : strlen(addr);
	if (ulen >= usize) {
		memcpy(user, addr, usize - 1);
		user[usize - 1] = '\0';
		domain[0] = '\0';
		return VA_USER_NAME_TOO_LONG;
	}
	memcpy(user, addr, ulen);
	user[ulen] = '\0';
	if (sep == NULL) {
		domain[0] = '\0';
		return 0;
	}
	if (vp_strlcpy(domain, sep + 1, dsize) != 0)
		return VA_DOMAIN_NAME_TOO_LONG;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Default domain.                                                    */

/* Replace characters outside env_ok_chars by '_'; 1 if anything changed. */
static int sanitize(char *s)
{
	int changed = 0;

	for (s += strspn(s, env_ok_chars); *s != '\0'; s += strspn(s, env_ok_chars)) {
		*s = '_';
		changed = 1;
	}
	return changed;
}

/*
 * A sanitized copy of environment variable `name` in buf, or NULL when it
 * is unset.  As in the original, the environment itself is updated so
 * that child processes see the cleaned value.
 */
static const char *clean_env(const char *name, char *buf, size_t size)
{
	const char *v = getenv(name);

	if (v == NULL)
		return NULL;
	vp_strlcpy(buf, v, size);
	if (sanitize(buf) && strlen(v) < size)
		setenv(name, buf, 1);
	return buf;
}

/*
 * First line of <home>/etc/defaultdomain (at most 96 characters, one
 * trailing newline removed), read once per process.  The cache is keyed
 * by the path so that a test that moves VPOPMAIL_HOME sees the new file.
 */
static const char *file_default_domain(void)
{
	static char cached_path[VP_PATH_MAX];
	static char d[MAX_PW_DOMAIN + 1];
	char path[VP_PATH_MAX];
	size_t len;
	FILE *fp;

	if (vp_home_path(path, sizeof(path), "etc/defaultdomain") == NULL)
		return "";
	if (strcmp(path, cached_path) == 0)
		return d;
	vp_strlcpy(cached_path, path, sizeof(cached_path));
	d[0] = '\0';
	fp = vp_fopen_read(path);
	if (fp == NULL)
		return d;
	if (fgets(d, sizeof(d), fp) == NULL)
		d[0] = '\0';
	fclose(fp);
	len = strlen(d);
	if (len > 0 && d[len - 1] == '\n')
		d[len - 1] = '\0';
	return d;
}

#ifdef IP_ALIAS_DOMAINS
/* Is `domain` listed in QMAILDIR/control/locals ("localhost" always is)? */
static int host_in_locals(const char *domain)
{
	char path[VP_PATH_MAX], line[MAX_BUFF];
	int found = 0;
	FILE *fp;

	if (vp_qmail_path(path, sizeof(path), "control/locals") == NULL)
		return 0;
	if ((fp = vp_fopen_read(path)) == NULL)
		return 0;
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		found = strcmp(domain, line) == 0 || strcmp(domain, "localhost") == 0;
	}
	fclose(fp);
	return found;
}

/* The domain served on the local IP (TCPLOCALIP), or NULL. */
static const char *ip_alias_domain(void)
{
	static char host[MAX_PW_DOMAIN + 1];
	char ip[MAX_BUFF], env[MAX_BUFF];
	const char *raw = getenv("TCPLOCALIP");

	if (raw == NULL)
		return NULL;
	/*
	 * The key is the address without an IPv4-mapped "::ffff:" prefix, as
	 * the remote address is cleaned (spec runtime 1.3).  The original
	 * replaced the ':'s before it looked for that prefix, so it looked
	 * "::ffff:1.2.3.4" up as "__ffff_1.2.3.4" and never found it.
	 */
	vp_normalise_ip(raw, ip, sizeof(ip));
	/* Programs started later see the cleaned value, as in the original. */
	(void)clean_env("TCPLOCALIP", env, sizeof(env));
	/* The map file is read by ipmap.c (vget_ip_map). */
	if (vget_ip_map(ip, host, (int)sizeof(host)) != 0 || host[0] == '\0')
		return NULL;
	if (host_in_locals(host))
		return NULL;
	return host;
}
#endif

/*
 * The domain used when none was given: $VPOPMAIL_DOMAIN (sanitized), else
 * (IP-alias builds) the domain mapped to the local IP, else the first line
 * of <home>/etc/defaultdomain, else "".  At most 96 characters; the
 * result lives in a static buffer.
 */
char *default_domain(void)
{
	static char d[MAX_PW_DOMAIN + 1];
	char env[MAX_BUFF];
	const char *v;

	v = clean_env("VPOPMAIL_DOMAIN", env, sizeof(env));
#ifdef IP_ALIAS_DOMAINS
	if (v == NULL)
		v = ip_alias_domain();
#endif
	if (v == NULL)
		v = file_default_domain();
	vp_strlcpy(d, v, sizeof(d));
	return d;
}

/*
 * Fill an empty `domain` with the default domain.  Like the original, the
 * buffer must hold MAX_PW_DOMAIN + 1 bytes (the classic signature has no
 * size); longer defaults are cut at 96 characters.
 */
void vset_default_domain(char *domain)
{
	if (domain == NULL || domain[0] != '\0')
		return;
	vp_strlcpy(domain, default_domain(), MAX_PW_DOMAIN + 1);
}

/*
 * Classic parse_email(): fold to lower case in place (cutting at 156
 * characters), split, validate, default the domain.  Returns 0, or -1
 * after printing "user invalid <u>" / "domain invalid <d>" to stderr.
 * Where the original silently truncated a part that did not fit in
 * buff_size, this refuses the address the same way.
 */
int parse_email(char *email, char *user, char *domain, int buff_size)
{
	char def[MAX_PW_DOMAIN + 1];
	size_t size;
	int rc;

	if (email == NULL || user == NULL || domain == NULL || buff_size <= 0)
		return -1;
	size = (size_t)buff_size;
	lowerit(email);
	rc = vp_split_address(email, user, size, domain, size);
	if (rc == VA_USER_NAME_TOO_LONG || is_username_valid(user) != 0) {
		fprintf(stderr, "user invalid %s\n", user);
		return -1;
	}
	if (rc != 0 || is_domain_valid(domain) != 0) {
		fprintf(stderr, "domain invalid %s\n", domain);
		return -1;
	}
	if (domain[0] == '\0') {
		def[0] = '\0';
		vset_default_domain(def);
		if (vp_strlcpy(domain, def, size) != 0) {
			fprintf(stderr, "domain invalid %s\n", domain);
			return -1;
		}
	}
	return 0;
}
