/*
 * unit.h — a minimal test harness for the plain-C core (no postgres.h).
 *
 * Each test program includes this header, calls CHECK() as often as it
 * likes, and ends main() with "return unit_report(argv[0]);", which prints
 * "<program>: N passed, M failed" and returns non-zero on any failure.
 * test/check.sh adds these counts to pg_regress's.
 */
#ifndef IMPRESSION_EXT_UNIT_H
#define IMPRESSION_EXT_UNIT_H

#include <stdio.h>

static int	unit_passed = 0;
static int	unit_failed = 0;

#define CHECK(cond, ...) \
	do { \
		if (cond) \
			unit_passed++; \
		else \
		{ \
			unit_failed++; \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
		} \
	} while (0)

static inline int
unit_report(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);
	return unit_failed == 0 ? 0 : 1;
}

#endif
