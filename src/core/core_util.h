/*
 * core_util.h — what every plain-C core shares beyond byte access (le.h):
 * the validators' message buffer, bit scans, and the MSD radix sort.
 *
 * Nothing here knows a stored format; each core's own header says what its
 * bytes mean.
 */
#ifndef IMPRESSION_EXT_CORE_UTIL_H
#define IMPRESSION_EXT_CORE_UTIL_H

#include <stddef.h>
#include <stdint.h>

/*
 * A validator's problem description: formats into one static buffer and
 * returns it.  Validators return it straight to the glue, which copies it
 * into its ERROR before any other core call can overwrite it (a backend is
 * single-threaded).
 */
#if defined(__GNUC__) || defined(__clang__)
extern const char *ie_fail(const char *fmt,...) __attribute__((format(printf, 1, 2)));
#else
extern const char *ie_fail(const char *fmt,...);
#endif

/* count leading / trailing zero bits of x; x must not be 0 */
static inline unsigned
ie_clz64(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
	return (unsigned) __builtin_clzll(x);
#else
	unsigned	n = 0;

	while ((x & (UINT64_C(1) << 63)) == 0)
	{
		x <<= 1;
		n++;
	}
	return n;
#endif
}

static inline unsigned
ie_ctz64(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
	return (unsigned) __builtin_ctzll(x);
#else
	unsigned	n = 0;

	while ((x & 1) == 0)
	{
		x >>= 1;
		n++;
	}
	return n;
#endif
}

/*
 * In-place ascending sorts at any alignment:
 *	 ie_sort_u32: n little-endian uint32 values (reach tokens, export pairs);
 *	 ie_sort_records16: n 16-byte records by their first 8 bytes, a
 *		little-endian uint64 key (frequency (hash, count) entries); records
 *		of equal key keep no particular order, so callers sort distinct keys.
 */
extern void ie_sort_u32(uint8_t *base, size_t n);
extern void ie_sort_records16(uint8_t *base, size_t n);

#endif
