/*
 * bench/timing.h - the clock and the sort order the benchmark programs
 * (floor.c, timeit.c) share; each is one file compiled by its script.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef BENCH_TIMING_H
#define BENCH_TIMING_H

#include <time.h>

/* Milliseconds on the monotonic clock. */
static inline double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* qsort() order of doubles, smallest first. */
static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

#endif
