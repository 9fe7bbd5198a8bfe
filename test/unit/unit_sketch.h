/*
 * unit_sketch.h — the unit tests' side of the generic type-test helper
 * (test/common/sketch_test.h): a broken protocol promise counts a
 * protocol error and the test goes on; each test checks protocol_errors
 * where it wants the count, and sketch_report() fails the binary on any.
 *
 * A type's helper header (reach_test_util.h, frequency_test_util.h,
 * journey_test_util.h) sets the optional hooks of sketch_test.h first.
 */
#ifndef IMPRESSION_EXT_UNIT_SKETCH_H
#define IMPRESSION_EXT_UNIT_SKETCH_H

#include <stdio.h>

#include "unit.h"

static int	protocol_errors = 0;

#define SKETCH_TEST_FAIL(...) \
	do { \
		protocol_errors++; \
		fprintf(stderr, "protocol error: "); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
	} while (0)

#include "sketch_test.h"

/*
 * The end of a test binary's main: protocol errors fail the binary even
 * where no test of it checks them.
 */
static inline int
sketch_report(const char *name)
{
	if (protocol_errors != 0)
	{
		unit_failed++;
		fprintf(stderr, "FAIL %s: %d protocol errors\n", name, protocol_errors);
	}
	return unit_report(name);
}

#endif							/* IMPRESSION_EXT_UNIT_SKETCH_H */
