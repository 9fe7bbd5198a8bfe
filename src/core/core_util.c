/*
 * core_util.c — the cores' shared message buffer and radix sort.
 */
#include "core_util.h"
#include "le.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static char ie_core_msg[256];

const char *
ie_fail(const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	vsnprintf(ie_core_msg, sizeof(ie_core_msg), fmt, ap);
	va_end(ap);
	return ie_core_msg;
}

/* ---------------------------------------------------------------------
 * MSD radix sort with a digit as wide as the run needs (buckets of about
 * four, at most SORT_MAX_BITS bits), an in-place American-flag
 * permutation, and insertion sort for short runs.  Digits skip the bits on
 * which the whole run agrees, so skewed keys (hashes crowded below a small
 * theta, tokens of one register range) cost no extra passes.  The bucket
 * arrays live only in radix_pass's frame; the recursion finds bucket
 * boundaries by scanning, so its depth (at most 64/2 levels, in practice
 * two or three) costs little stack.
 *
 * One body serves both record shapes: rec (4 or 16) and the key width
 * follow from it, and every function below is inline down to the two
 * entry points, which pass a constant, so each is compiled for its shape
 * with no run-time test on the hot loops.
 * --------------------------------------------------------------------- */

/* the shape-specialized bodies rely on inlining down to the entry points */
#if defined(__GNUC__) || defined(__clang__)
#define SORT_INLINE static inline __attribute__((always_inline))
#else
#define SORT_INLINE static inline
#endif

#define SORT_SMALL		20
#define SORT_MAX_BITS	11
#define SORT_MAX_REC	16

SORT_INLINE uint64_t
rec_key(const uint8_t *base, size_t i, size_t rec)
{
	return rec == 4 ? ie_get32(base + 4 * i) : ie_get64(base + rec * i);
}

SORT_INLINE void
insertion_sort(uint8_t *base, size_t n, size_t rec)
{
	size_t		i;

	for (i = 1; i < n; i++)
	{
		uint8_t		t[SORT_MAX_REC];
		uint64_t	key = rec_key(base, i, rec);
		size_t		j = i;

		memcpy(t, base + rec * i, rec);
		while (j > 0 && rec_key(base, j - 1, rec) > key)
		{
			memcpy(base + rec * j, base + rec * (j - 1), rec);
			j--;
		}
		memcpy(base + rec * j, t, rec);
	}
}

/* permute base[0..n) into buckets by digit (key >> shift) & mask */
SORT_INLINE void
radix_pass(uint8_t *base, size_t n, unsigned shift, uint32_t mask, size_t rec)
{
	uint32_t	next[1u << SORT_MAX_BITS];
	uint32_t	end[1u << SORT_MAX_BITS];
	uint32_t	pos = 0;
	uint32_t	b;
	size_t		i;

	memset(end, 0, sizeof(uint32_t) * (mask + 1));
	for (i = 0; i < n; i++)
		end[(rec_key(base, i, rec) >> shift) & mask]++;
	for (b = 0; b <= mask; b++)
	{
		next[b] = pos;
		pos += end[b];
		end[b] = pos;
	}
	for (b = 0; b <= mask; b++)
	{
		while (next[b] < end[b])
		{
			uint8_t		r[SORT_MAX_REC];
			uint32_t	d;

			memcpy(r, base + rec * next[b], rec);
			d = (uint32_t) (rec_key(r, 0, rec) >> shift) & mask;
			while (d != b)
			{
				uint8_t		w[SORT_MAX_REC];

				memcpy(w, base + rec * next[d], rec);
				memcpy(base + rec * next[d], r, rec);
				next[d]++;
				memcpy(r, w, rec);
				d = (uint32_t) (rec_key(r, 0, rec) >> shift) & mask;
			}
			memcpy(base + rec * next[b], r, rec);
			next[b]++;
		}
	}
}

/*
 * One level: sort base[0..n), whose keys all agree on bits >= limit, by
 * the next digit; returns the digit's shift (0: done) and sets *mask.
 */
SORT_INLINE unsigned
sort_level(uint8_t *base, size_t n, unsigned limit, uint32_t *mask, size_t rec)
{
	uint64_t	low = limit >= 64 ? UINT64_MAX : ((UINT64_C(1) << limit) - 1);
	uint64_t	any = 0;
	uint64_t	first;
	unsigned	top;
	unsigned	bits;
	size_t		i;

	if (n < SORT_SMALL)
	{
		insertion_sort(base, n, rec);
		return 0;
	}
	/* the bits below limit that vary within the run */
	first = rec_key(base, 0, rec) & low;
	for (i = 1; i < n; i++)
		any |= (rec_key(base, i, rec) & low) ^ first;
	if (any == 0)
		return 0;
	top = 64 - ie_clz64(any);	/* highest varying bit + 1 */
	bits = 2;
	while (bits < SORT_MAX_BITS && ((size_t) 4 << bits) < n)
		bits++;
	if (bits > top)
		bits = top;
	*mask = (UINT32_C(1) << bits) - 1;
	radix_pass(base, n, top - bits, *mask, rec);
	return top - bits;
}

typedef void (*sort_fn) (uint8_t *base, size_t n, unsigned limit);

/* the buckets of a pass are contiguous runs of equal digit: sort each */
SORT_INLINE void
sort_runs(uint8_t *base, size_t n, unsigned shift, uint32_t mask, size_t rec,
		  sort_fn self)
{
	size_t		start = 0;
	size_t		i;

	for (i = 1; i <= n; i++)
	{
		if (i == n || ((rec_key(base, i, rec) >> shift) & mask) !=
			((rec_key(base, start, rec) >> shift) & mask))
		{
			if (i - start > 1)
				self(base + rec * start, i - start, shift);
			start = i;
		}
	}
}

static void
sort_u32_bits(uint8_t *base, size_t n, unsigned limit)
{
	uint32_t	mask = 0;
	unsigned	shift = sort_level(base, n, limit, &mask, 4);

	if (shift != 0)
		sort_runs(base, n, shift, mask, 4, sort_u32_bits);
}

static void
sort_records16_bits(uint8_t *base, size_t n, unsigned limit)
{
	uint32_t	mask = 0;
	unsigned	shift = sort_level(base, n, limit, &mask, 16);

	if (shift != 0)
		sort_runs(base, n, shift, mask, 16, sort_records16_bits);
}

void
ie_sort_u32(uint8_t *base, size_t n)
{
	sort_u32_bits(base, n, 32);
}

void
ie_sort_records16(uint8_t *base, size_t n)
{
	sort_records16_bits(base, n, 64);
}
