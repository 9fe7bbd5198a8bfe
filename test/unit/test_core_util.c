/*
 * test_core_util.c — unit tests of src/core/core_util.c: the radix sorts
 * against qsort (random, skewed, repeated and short inputs, odd
 * alignment), the bit scans, and the message buffer.
 */
#include <stdlib.h>
#include <string.h>

#include "core_util.h"
#include "le.h"
#include "unit.h"

static uint64_t rng = 0x9E3779B97F4A7C15u;

static uint64_t
next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	x = ie_get32(a);
	uint32_t	y = ie_get32(b);

	return x < y ? -1 : x > y;
}

static int
cmp_rec16(const void *a, const void *b)
{
	uint64_t	x = ie_get64(a);
	uint64_t	y = ie_get64(b);

	return x < y ? -1 : x > y;
}

/* n values drawn as shape says, sorted both ways from one odd offset */
static void
check_u32(size_t n, int shape)
{
	uint8_t    *mine = malloc(4 * n + 1);
	uint8_t    *want = malloc(4 * n + 1);
	size_t		i;

	for (i = 0; i < n; i++)
	{
		uint64_t	r = next_random();
		uint32_t	v = shape == 0 ? (uint32_t) r :	/* uniform */
			shape == 1 ? 0xABC00000u | (uint32_t) (r & 0x3FF) :	/* one prefix, many repeats */
			(uint32_t) (r & 7);	/* tiny range */

		ie_put32(mine + 1 + 4 * i, v);
	}
	memcpy(want + 1, mine + 1, 4 * n);
	ie_sort_u32(mine + 1, n);
	qsort(want + 1, n, 4, cmp_u32);
	CHECK(memcmp(mine + 1, want + 1, 4 * n) == 0, "u32 sort of %zu values, shape %d", n, shape);
	free(mine);
	free(want);
}

static void
check_rec16(size_t n, int shape)
{
	uint8_t    *mine = malloc(16 * n + 3);
	uint8_t    *want = malloc(16 * n + 3);
	size_t		i;

	for (i = 0; i < n; i++)
	{
		uint64_t	r = next_random();
		/* distinct keys (the sort's contract): a bijection of i, spread or crowded low */
		uint64_t	k = shape == 0 ? (uint64_t) i * UINT64_C(0x9E3779B97F4A7C15) :
			(uint64_t) i * 40503u % 1000003u;

		ie_put64(mine + 3 + 16 * i, k);
		ie_put64(mine + 3 + 16 * i + 8, r);
	}
	memcpy(want + 3, mine + 3, 16 * n);
	ie_sort_records16(mine + 3, n);
	qsort(want + 3, n, 16, cmp_rec16);
	CHECK(memcmp(mine + 3, want + 3, 16 * n) == 0, "record sort of %zu records, shape %d", n, shape);
	free(mine);
	free(want);
}

int
main(int argc, char **argv)
{
	static const size_t sizes[] = {0, 1, 2, 19, 20, 21, 100, 5000, 300000};
	size_t		i;
	int			shape;

	(void) argc;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (shape = 0; shape < 3; shape++)
		{
			check_u32(sizes[i], shape);
			if (shape < 2 && sizes[i] <= 1000003u)
				check_rec16(sizes[i], shape);
		}

	CHECK(ie_clz64(1) == 63 && ie_clz64(UINT64_C(1) << 63) == 0, "clz64");
	CHECK(ie_ctz64(1) == 0 && ie_ctz64(UINT64_C(1) << 63) == 63 && ie_ctz64(12) == 2, "ctz64");
	CHECK(strcmp(ie_fail("k %d of %s", 7, "x"), "k 7 of x") == 0, "ie_fail formats");
	{
		char		longer[600];

		memset(longer, 'a', sizeof(longer) - 1);
		longer[sizeof(longer) - 1] = '\0';
		CHECK(strlen(ie_fail("%s", longer)) == 255, "ie_fail truncates to its buffer");
	}
	return unit_report(argv[0]);
}
