/*
 * pwstrength.c - the password strength policy of vpopmail 5.6.
 *
 * Rules come from <home>/etc/password_strength.conf, read once per
 * process (again only if VPOPMAIL_HOME points elsewhere).  A missing file
 * means no rules.  Syntax, one setting per line, '#' starts a comment:
 *
 *     Policy = <free text shown to the user>
 *     <Rule> <op> <number>     Rule: Length Alphabet Numeric Other UpperLower
 *                              op:   <  <=  =  >  >=
 *
 * The ratios are taken over the password's length; UpperLower is
 * |uppercase - lowercase| / letters.  Like the original, the bytes 0x5B-0x60
 * ("[\]^_`") count as lowercase letters, bytes >= 0x80 as "other", and
 * the arithmetic is done in doubles, so an empty password (when no Length
 * rule stops it) or one without letters makes the ratios NaN, which fails
 * every comparison.  Diagnostics go to stderr with the original wording.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"
#include "pwstr.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum test { T_NONE, T_LT, T_LE, T_EQ, T_GT, T_GE };

struct rule {
	enum test test;
	double    value;
};

static struct {
	int         loaded;
	char        path[VP_PATH_MAX];
	char        policy[512];
	struct rule length, alpha, numeric, other, delta;
} pw;

#define CONF_LINE 1024   /* longer lines are read in pieces, as before */

/* Cut the string at the first space or tab; return what follows, blanks skipped. */
static char *split_word(char *s)
{
	s += strcspn(s, " \t");
	if (*s == '\0')
		return s;
	*s++ = '\0';
	return s + strspn(s, " \t");
}

static struct rule *rule_named(const char *name)
{
	if (strcasecmp(name, "alphabet") == 0)
		return &pw.alpha;
	if (strcasecmp(name, "upperlower") == 0)
		return &pw.delta;
	if (strcasecmp(name, "numeric") == 0)
		return &pw.numeric;
	if (strcasecmp(name, "other") == 0)
		return &pw.other;
	if (strcasecmp(name, "length") == 0)
		return &pw.length;
	return NULL;
}

static enum test test_named(const char *op)
{
	static const struct { const char *op; enum test t; } ops[] = {
		{ "<", T_LT }, { "<=", T_LE }, { "=", T_EQ }, { ">", T_GT }, { ">=", T_GE },
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(op, ops[i].op) == 0)
			return ops[i].t;
	return T_NONE;
}

/*
 * Parse the file.  0 = fine (or absent); -1 = gave up: an unknown rule
 * or test stops the parse, keeping what was read before it.
 */
static int parse_rules(const char *file, FILE *fp)
{
	char line[CONF_LINE], *op, *val;
	struct rule *r;
	enum test t;

	while (fgets(line, sizeof(line), fp) != NULL) {
		line[strcspn(line, "#\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		op = split_word(line);
		if (*op == '\0') {
			fprintf(stderr, "load_rules: %s: syntax error: %s\n", file, line);
			continue;
		}
		val = split_word(op);
		if (*val == '\0') {
			fprintf(stderr, "load_rules: %s: syntax error: %s\n", file, line);
			continue;
		}
		if (strcasecmp(line, "policy") == 0) {
			/* The whole rest of the line, blanks included. */
			snprintf(pw.policy, sizeof(pw.policy), "%s", val);
			continue;
		}
		val[strcspn(val, " \t")] = '\0';
		if ((r = rule_named(line)) == NULL) {
			fprintf(stderr, "load_rules: %s: unknown rule: %s\n", file, line);
			return -1;
		}
		if ((t = test_named(op)) == T_NONE) {
			fprintf(stderr, "load_rules: %s: invalid test: %s\n", file, op);
			return -1;
		}
		r->test = t;
		r->value = strtod(val, NULL);
	}
	return 0;
}

/* Load the rules for the current home unless they are loaded already. */
static void load_rules(void)
{
	char path[VP_PATH_MAX];
	int rc = 0;
	FILE *fp;

	if (vp_home_path(path, sizeof(path), "etc/password_strength.conf") == NULL)
		path[0] = '\0';
	if (pw.loaded && strcmp(path, pw.path) == 0)
		return;
	memset(&pw, 0, sizeof(pw));
	pw.loaded = 1;
	vp_strlcpy(pw.path, path, sizeof(pw.path));
	if (path[0] == '\0')
		return;
	fp = vp_fopen_read(path);
	if (fp == NULL) {
		if (errno == ENOENT)
			return;
		fprintf(stderr, "load_rules: %s: %s\n", path, strerror(errno));
		rc = -1;
	} else {
		rc = parse_rules(path, fp);
		fclose(fp);
	}
	if (rc != 0)
		fprintf(stderr, "load_rules: failed\n");
}

/* Does value pass rule r?  A rule that is not set always passes. */
static int passes(const struct rule *r, double value)
{
	switch (r->test) {
	case T_LT: return value < r->value;
	case T_LE: return value <= r->value;
	case T_EQ: return value == r->value;
	case T_GT: return value > r->value;
	case T_GE: return value >= r->value;
	default:   return 1;
	}
}

int vpw_strength_check(const char *clear)
{
	double len = 0, upper = 0, lower = 0, digits = 0, other = 0, alpha, delta;
	const unsigned char *p;

	load_rules();
	if (clear == NULL)
		return VA_PWSTR_EMPTY;
	for (p = (const unsigned char *)clear; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z')
			upper++;
		else if (*p >= 0x5B && *p <= 'z')   /* includes [\]^_` */
			lower++;
		else if (*p >= '0' && *p <= '9')
			digits++;
		else
			other++;
		len++;
	}
	if (!passes(&pw.length, len))
		return VA_PWSTR_LENGTH;
	alpha = upper + lower;
	delta = fabs(upper - lower) / alpha;
	if (!passes(&pw.alpha, alpha / len))
		return VA_PWSTR_ALPHA;
	if (!passes(&pw.numeric, digits / len))
		return VA_PWSTR_NUMERIC;
	if (!passes(&pw.other, other / len))
		return VA_PWSTR_OTHER;
	if (!passes(&pw.delta, delta))
		return VA_PWSTR_DELTA;
	return 0;
}

/* The Policy text, or NULL when the file sets none (as in 5.6). */
const char *vpw_strength_policy(void)
{
	load_rules();
	return pw.policy[0] != '\0' ? pw.policy : NULL;
}

/* (int) of a rule value without undefined behaviour for odd values. */
static int int_value(double v)
{
	if (isnan(v))
		return 0;
	if (v >= (double)INT_MAX)
		return INT_MAX;
	if (v <= (double)INT_MIN)
		return INT_MIN;
	return (int)v;
}

/*
 * The message for a strength failure: "password <condition> <what> "
 * (with the original's trailing space).  Built from the rule the code
 * stands for; before any rule was loaded (and for -69, a NULL password)
 * the original's "password suitable" is returned.
 */
const char *vp_pwstr_error_text(int code)
{
	static char text[512];
	const struct rule *r;
	const char *cond, *what;
	char what_buf[64];

	if (!pw.loaded)
		return "password suitable";
	switch (code) {
	case VA_PWSTR_LENGTH:  r = &pw.length;  break;
	case VA_PWSTR_ALPHA:   r = &pw.alpha;   break;
	case VA_PWSTR_NUMERIC: r = &pw.numeric; break;
	case VA_PWSTR_OTHER:   r = &pw.other;   break;
	case VA_PWSTR_DELTA:   r = &pw.delta;   break;
	default:               return "password suitable";
	}
	switch (r->test) {
	case T_LT: case T_LE: cond = "should have less"; break;
	case T_EQ:            cond = "can only be";      break;
	case T_GT: case T_GE: cond = "requires more";    break;
	default:              return "unknown password failure";
	}
	if (r == &pw.alpha) {
		what = "alphabetical characters";
	} else if (r == &pw.numeric) {
		what = "numbers";
	} else if (r == &pw.other) {
		what = "punctuation, symbols, or other characters";
	} else if (r == &pw.delta) {
		/* A limit on the difference reads the other way round. */
		what = "uppercase and lowercase character diversity";
		cond = (r->test == T_LT || r->test == T_LE) ? "requires more"
		                                             : "should have less";
	} else if (r->test == T_EQ) {
		cond = "must always be";
		snprintf(what_buf, sizeof(what_buf), "%d characters long",
		         int_value(r->value));
		what = what_buf;
	} else {
		what = "characters";
	}
	snprintf(text, sizeof(text), "password %s %s ", cond, what);
	return text;
}

/* ------------------------------------------------------------------ */
/* 5.6's names (pwstr.h).                                             */

static int last_check;		/* the last pw_strength() result code */

int pw_strength(const char *password)
{
	last_check = vpw_strength_check(password);
	return last_check == 0 ? 1 : last_check;
}

const char *pw_strength_error(void)
{
	return vp_pwstr_error_text(last_check);
}

const char *pw_strength_policy(void)
{
	return vpw_strength_policy();
}
