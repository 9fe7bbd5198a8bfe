/*
 * frequency_canonical.c — the canonical form: a state's entries sorted,
 * trimmed to k and written as varint deltas, so that equal inputs give
 * equal bytes (why they do is argued at the top of frequency_state.c).
 */
#include "frequency_internal.h"

size_t
frequency_canonical_size(const uint8_t *body, size_t len)
{
	uint32_t	n;
	uint32_t	k;

	if (!is_state(body))
		return len;
	n = hdr_n(body);
	k = hdr_k(body);
	return FREQUENCY_HEADER_SIZE + (size_t) FREQUENCY_SLOT_SIZE * n +
		4 * (size_t) (n < k ? n : k);
}

bool
frequency_canonical_by_header(const uint8_t *body, size_t len)
{
	return len >= FREQUENCY_HEADER_SIZE && hdr_version(body) == FREQUENCY_FORMAT_VERSION &&
		frequency_hdr_rep(body) == FREQUENCY_REP_CANONICAL;
}

bool
frequency_needs_canonicalize(const uint8_t *body, size_t len)
{
	(void) len;
	return is_state(body);
}

/* record i of an array of (hash, count) entries, and its hash */
#define REC(base, i)	((base) + (size_t) FREQUENCY_SLOT_SIZE * (i))

static inline uint64_t
rec_key(const uint8_t *base, size_t i)
{
	return ie_get64(REC(base, i));
}

size_t
frequency_canonicalize(uint8_t *dst, size_t dstlen, const uint8_t *src,
					   size_t srclen)
{
	uint32_t	n;
	uint32_t	k;
	uint32_t	m;
	uint64_t	theta;
	uint8_t    *raw;
	uint8_t    *out;
	uint64_t	prev = 0;
	uint32_t	i;
	uint32_t	j;
	uint32_t	cap;
	const uint8_t *slots = src + hdr_size(src);

	if (dstlen < frequency_canonical_size(src, srclen))
		return 0;
	if (!is_state(src))
	{
		memcpy(dst, src, srclen);
		return srclen;
	}
	n = hdr_n(src);
	k = hdr_k(src);
	m = n < k ? n : k;
	cap = slots_of(src, srclen);

	/*
	 * Copy the entries as raw records to the end of the buffer, sort them,
	 * then write the varints forward from the header.  Record i starts at
	 * 28 + 4m + 16i and the output of records 0..i ends by 28 + 20(i+1)
	 * (a varint pair is at most 20 bytes), so for i < m the output never
	 * reaches a record not yet read.
	 */
	raw = dst + FREQUENCY_HEADER_SIZE + 4 * (size_t) m;
	for (i = 0, j = 0; i < cap && j < n; i++)
		if (slot_count(slots, i) != 0)
			memcpy(REC(raw, j++), slots + (size_t) FREQUENCY_SLOT_SIZE * i,
				   FREQUENCY_SLOT_SIZE);
	ie_sort_records16(raw, n);
	theta = n > k ? rec_key(raw, k) : frequency_hdr_theta(src);

	out = dst + FREQUENCY_HEADER_SIZE;
	for (i = 0; i < m; i++)
	{
		uint64_t	h = ie_get64(REC(raw, i));
		uint64_t	c = ie_get64(REC(raw, i) + 8);

		out = varint_put(out, h - prev);
		out = varint_put(out, c);
		prev = h;
	}
	hdr_write(dst, FREQUENCY_REP_CANONICAL, k, m, theta, frequency_hdr_total(src));
	return (size_t) (out - dst);
}
