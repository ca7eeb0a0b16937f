/*
 * tap.h - a minimal TAP producer for the C unit tests.
 * ok(cond, fmt, ...) prints "ok N - ..." or "not ok N - ..."; done_testing()
 * prints the plan and returns the exit status for main().
 */
#ifndef TESTS_TAP_H
#define TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 2, 3), unused))
static int ok(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - ", cond ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

/* String equality with a diagnostic on failure. */
#define is_str(got, want, ...) do { \
	const char *g_ = (got), *w_ = (want); \
	if (!ok(g_ != NULL && strcmp(g_, w_) == 0, __VA_ARGS__)) \
		printf("#   got: '%s'\n#  want: '%s'\n", g_ ? g_ : "(null)", w_); \
} while (0)

/* Integer equality with a diagnostic on failure. */
#define is_int(got, want, ...) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (!ok(g_ == w_, __VA_ARGS__)) \
		printf("#   got: %lld\n#  want: %lld\n", g_, w_); \
} while (0)

__attribute__((unused))
static int done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
