/*
 * vpwline.c - one vpasswd line to and from a struct vqpasswd.
 *
 *   name:crypted:pw_uid:pw_gid:gecos:dir:quota[:clear]
 *
 * A parsed record owns its storage (struct vpw_entry): the line is copied
 * into a growable buffer and the fields are cut in place, so a record costs
 * one allocation however long the line is.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"
#include "vcdb.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define NFIELDS 8	/* name crypted uid gid gecos dir quota clear */

void vpw_entry_free(struct vpw_entry *e)
{
	if (e == NULL)
		return;
	free(e->buf);
	memset(e, 0, sizeof *e);
}

/*
 * The first buffer holds any line the library writes (every field at its
 * maximum is under 700 bytes), so a record returned by vauth_getpw() or
 * vauth_getall() stays where it is for the next call that reuses it:
 * a caller still holding a string of the previous record reads other
 * data, as with 5.6's static line, not freed memory.  Only a hand-made
 * line longer than that moves it.
 */
#define ENTRY_FIRST_CAP 2048

/* Make room for need bytes in e->buf (contents are not kept). */
static int entry_reserve(struct vpw_entry *e, size_t need)
{
	size_t cap = e->cap > 0 ? e->cap : ENTRY_FIRST_CAP;
	char *nb;

	if (e->buf != NULL && e->cap >= need)
		return 0;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			return VA_MEMORY_ALLOC_ERR;
		cap *= 2;
	}
	nb = malloc(cap);
	if (nb == NULL)
		return VA_MEMORY_ALLOC_ERR;
	free(e->buf);
	e->buf = nb;
	e->cap = cap;
	return 0;
}

/*
 * A number field read as 5.6 read it, with glibc's atoi(): leading blanks,
 * a sign, digits, the value saturated to the range of a long as strtol()
 * does, then cut to 32 bits.  So " 2" is 2, and "-5" and "4294967291" (how
 * a flag word of -5 is written back) are both 0xfffffffb, whose bits
 * refuse rather than allow.
 */
static unsigned int decimal(const char *s)
{
	unsigned long long v = 0;
	int neg, over = 0;

	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (ULLONG_MAX - 9) / 10)
			over = 1;
		else
			v = v * 10 + (unsigned long long)(*s - '0');
	}
	if (over || v > (unsigned long long)LONG_MAX + (neg ? 1u : 0u))
		v = (unsigned long long)LONG_MAX + (neg ? 1u : 0u);
	if (neg)
		v = 0 - v;
	return (unsigned int)v;
}

int vpw_parse_line(struct vpw_entry *e, const char *line, size_t len)
{
	size_t cut[NFIELDS];	/* where each field ends: a ':' or the end */
	char *field[NFIELDS];
	const char *p, *end;
	int colons = 0, i, rc;

	if (len > 0 && line[len - 1] == '\n')
		len--;
	/* A CR before the end of the line (CR LF from an edit on Windows;
	 * 5.6's vpasswd.cdb keeps it in the value) belongs to the line end,
	 * not to the last field: no field we write can end in one. */
	if (len > 0 && line[len - 1] == '\r')
		len--;
	/* Check before touching e, so a bad line leaves it as it was. */
	if (memchr(line, '\0', len) != NULL)
		return VA_PARSE_ERROR;
	/* Each field ends at the next ':'; the last one too (extra fields are
	 * ignored), and fields past the end of the line are "". */
	for (p = line, end = line + len; colons < NFIELDS; p++) {
		p = memchr(p, ':', (size_t)(end - p));
		if (p == NULL)
			break;
		cut[colons++] = (size_t)(p - line);
	}
	if (colons < 5)
		return VA_PARSE_ERROR;
	for (i = colons; i < NFIELDS; i++)
		cut[i] = len;

	if ((rc = entry_reserve(e, len + 1)) != 0)
		return rc;
	memcpy(e->buf, line, len);
	e->buf[len] = '\0';
	for (i = 0; i < NFIELDS; i++) {
		field[i] = e->buf + (i == 0 ? 0 : (cut[i - 1] < len ? cut[i - 1] + 1 : len));
		e->buf[cut[i]] = '\0';
	}

	e->pw.pw_name = field[0];
	e->pw.pw_passwd = field[1];
	e->pw.pw_uid = (uid_t)decimal(field[2]);
	e->pw.pw_gid = (gid_t)decimal(field[3]);
	e->pw.pw_flags = e->pw.pw_gid;
	e->pw.pw_gecos = field[4];
	e->pw.pw_dir = field[5];
	e->pw.pw_shell = field[6];
	e->pw.pw_clear_passwd = field[7];
	return 0;
}

static const char *or_empty(const char *s)
{
	return s != NULL ? s : "";
}

/* Length of s without its ':' characters. */
static size_t len_without_colons(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (*s != ':')
			n++;
	return n;
}

/* Append s to *pp, leaving out ':' when strip is set. */
static void put(char **pp, const char *s, int strip)
{
	char *p = *pp;

	for (; *s != '\0'; s++)
		if (!strip || *s != ':')
			*p++ = *s;
	*pp = p;
}

char *vpw_format_line(const struct vqpasswd *pw, size_t *lenp)
{
	const char *name = or_empty(pw->pw_name), *crypted = or_empty(pw->pw_passwd);
	const char *gecos = or_empty(pw->pw_gecos), *dir = or_empty(pw->pw_dir);
	const char *quota = or_empty(pw->pw_shell);
#ifdef CLEAR_PASS
	const char *clear = or_empty(pw->pw_clear_passwd);
#endif
	char uid[24], gid[24];
	size_t total;
	char *line, *p;

	/* Signed, as 5.6 wrote them ("%d"): a flag word with the top bit
	 * set reads back the same either way (decimal()). */
	snprintf(uid, sizeof uid, "%d", (int)pw->pw_uid);
	snprintf(gid, sizeof gid, "%d", (int)pw->pw_gid);
	total = strlen(name) + strlen(crypted) + strlen(uid) + strlen(gid) +
	        len_without_colons(gecos) + strlen(dir) + strlen(quota) + 6;
#ifdef CLEAR_PASS
	total += strlen(clear) + 1;
#endif
	line = malloc(total + 1);
	if (line == NULL)
		return NULL;
	p = line;
	put(&p, name, 0);    *p++ = ':';
	put(&p, crypted, 0); *p++ = ':';
	put(&p, uid, 0);     *p++ = ':';
	put(&p, gid, 0);     *p++ = ':';
	put(&p, gecos, 1);   *p++ = ':';
	put(&p, dir, 0);     *p++ = ':';
	put(&p, quota, 0);
#ifdef CLEAR_PASS
	*p++ = ':';
	put(&p, clear, 0);
#endif
	*p = '\0';
	if (lenp != NULL)
		*lenp = (size_t)(p - line);
	return line;
}

int vpw_check_record(const struct vqpasswd *pw)
{
	const char *plain[] = {
		pw->pw_name, pw->pw_passwd, pw->pw_dir, pw->pw_shell,
#ifdef CLEAR_PASS
		pw->pw_clear_passwd,
#endif
	};
	size_t i;

	if (pw->pw_name == NULL)
		return VA_NULL_POINTER;
	if (pw->pw_name[0] == '\0')
		return VA_ILLEGAL_USERNAME;
	for (i = 0; i < sizeof plain / sizeof plain[0]; i++)
		if (plain[i] != NULL && strpbrk(plain[i], ":\n") != NULL)
			return VA_BAD_CHAR;
	if (pw->pw_gecos != NULL && strchr(pw->pw_gecos, '\n') != NULL)
		return VA_BAD_CHAR;
#ifndef CLEAR_PASS
	/* Not written, but a newline there is still a sign of bad input. */
	if (pw->pw_clear_passwd != NULL && strchr(pw->pw_clear_passwd, '\n') != NULL)
		return VA_BAD_CHAR;
#endif
	return 0;
}

int vpw_entry_set(struct vpw_entry *dst, const struct vqpasswd *src)
{
	const char *in[6];
	size_t len[6], off[6], total = 0;
	char tmp[ENTRY_FIRST_CAP], *build;
	int i;

	in[0] = or_empty(src->pw_name);
	in[1] = or_empty(src->pw_passwd);
	in[2] = or_empty(src->pw_gecos);
	in[3] = or_empty(src->pw_dir);
	in[4] = or_empty(src->pw_shell);
	in[5] = or_empty(src->pw_clear_passwd);
	for (i = 0; i < 6; i++) {
		len[i] = strlen(in[i]) + 1;
		off[i] = total;
		total += len[i];
	}
	/* Built apart first (src may point into dst->buf), then copied into
	 * dst's buffer, which does not move when the record fits it. */
	build = total <= sizeof tmp ? tmp : malloc(total);
	if (build == NULL)
		return VA_MEMORY_ALLOC_ERR;
	for (i = 0; i < 6; i++)
		memcpy(build + off[i], in[i], len[i]);
	if (build == tmp) {
		if (entry_reserve(dst, total) != 0)
			return VA_MEMORY_ALLOC_ERR;
		memcpy(dst->buf, tmp, total);
	} else {
		free(dst->buf);
		dst->buf = build;
		dst->cap = total;
	}
	dst->pw.pw_uid = src->pw_uid;
	dst->pw.pw_gid = src->pw_gid;
	dst->pw.pw_flags = src->pw_flags;
	dst->pw.pw_name = dst->buf + off[0];
	dst->pw.pw_passwd = dst->buf + off[1];
	dst->pw.pw_gecos = dst->buf + off[2];
	dst->pw.pw_dir = dst->buf + off[3];
	dst->pw.pw_shell = dst->buf + off[4];
	dst->pw.pw_clear_passwd = dst->buf + off[5];
	return 0;
}

int vpw_read_entry(FILE *fp, char **line, size_t *cap, struct vpw_entry *e)
{
	ssize_t n;
	int rc;

	for (;;) {
		n = getline(line, cap, fp);
		if (n < 0) {
			if (feof(fp) && !ferror(fp))
				return 0;
			return errno == ENOMEM ? VA_MEMORY_ALLOC_ERR : VA_COULD_NOT_UPDATE_FILE;
		}
		rc = vpw_parse_line(e, *line, (size_t)n);
		if (rc == 0)
			return 1;
		if (rc == VA_MEMORY_ALLOC_ERR)
			return rc;
		/* Anything else is a malformed line: skip it. */
	}
}

static int same_str(const char *a, const char *b)
{
	return strcmp(a != NULL ? a : "", b != NULL ? b : "") == 0;
}

int vpw_same(const struct vqpasswd *a, const struct vqpasswd *b)
{
	return same_str(a->pw_name, b->pw_name) && same_str(a->pw_passwd, b->pw_passwd) &&
	       a->pw_uid == b->pw_uid && a->pw_gid == b->pw_gid &&
	       same_str(a->pw_gecos, b->pw_gecos) && same_str(a->pw_dir, b->pw_dir) &&
	       same_str(a->pw_shell, b->pw_shell) &&
	       same_str(a->pw_clear_passwd, b->pw_clear_passwd);
}
