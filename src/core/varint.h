/*
 * varint.h — LEB128 varints, as the stored formats use them: a
 * frequency_sketch's canonical entries and a reach_sketch's dense_packed
 * code table (docs/FORMAT.md).  Little-endian groups of 7 bits, the high
 * bit set on every byte but the last; a reader rejects an encoding that a
 * shorter one would give (a last byte of 0 after the first), so a value
 * has one form.
 */
#ifndef IMPRESSION_EXT_VARINT_H
#define IMPRESSION_EXT_VARINT_H

#include <stdint.h>
#include <string.h>

#include "core_util.h"

static inline uint8_t *
varint_put(uint8_t *p, uint64_t v)
{
	while (v >= 0x80)
	{
		*p++ = (uint8_t) (v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t) v;
	return p;
}

#define VARINT_TRUNCATED	(-1)
#define VARINT_OVERLONG		(-2)
#define VARINT_TOO_BIG		(-3)

/*
 * Read a varint from [p, end): bytes used (1..10), or VARINT_TRUNCATED,
 * VARINT_OVERLONG (a shorter encoding exists) or VARINT_TOO_BIG (more than
 * 64 bits).  Never reads at or past end.
 */
static inline int
varint_get(const uint8_t *p, const uint8_t *end, uint64_t *out)
{
	uint64_t	v = 0;
	int			i;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
	(defined(__GNUC__) || defined(__clang__))
	/*
	 * Fast path for varints of at most 8 bytes with 8 bytes readable: find
	 * the last byte from the first clear high bit, then squeeze the 7-bit
	 * groups together without a loop.
	 */
	if (end - p >= 8)
	{
		uint64_t	w;
		uint64_t	stop;
		unsigned	nbytes;

		memcpy(&w, p, 8);
		stop = ~w & UINT64_C(0x8080808080808080);
		if (stop != 0)
		{
			nbytes = ((unsigned) __builtin_ctzll(stop) >> 3) + 1;
			if (nbytes > 1 && p[nbytes - 1] == 0)
				return VARINT_OVERLONG;
			if (nbytes < 8)
				w &= (UINT64_C(1) << (8 * nbytes)) - 1;
			w &= UINT64_C(0x7f7f7f7f7f7f7f7f);
			w = (w & UINT64_C(0x007f007f007f007f)) |
				((w & UINT64_C(0x7f007f007f007f00)) >> 1);
			w = (w & UINT64_C(0x00003fff00003fff)) |
				((w & UINT64_C(0x3fff00003fff0000)) >> 2);
			w = (w & UINT64_C(0x000000000fffffff)) |
				((w & UINT64_C(0x0fffffff00000000)) >> 4);
			*out = w;
			return (int) nbytes;
		}
	}
#endif
	for (i = 0; i < 10; i++)
	{
		uint8_t		b;

		if (p + i >= end)
			return VARINT_TRUNCATED;
		b = p[i];
		if (i == 9 && b > 1)
			return VARINT_TOO_BIG;
		v |= (uint64_t) (b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0)
		{
			if (i > 0 && b == 0)
				return VARINT_OVERLONG;
			*out = v;
			return i + 1;
		}
	}
	return VARINT_TOO_BIG;
}

/* bytes varint_put writes for v: 7 bits a byte, at least one */
static inline unsigned
varint_size(uint64_t v)
{
	return v < 0x80 ? 1 : (unsigned) (70 - ie_clz64(v)) / 7;
}

#endif							/* IMPRESSION_EXT_VARINT_H */
