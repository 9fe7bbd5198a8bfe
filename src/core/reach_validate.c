/*
 * reach_validate.c — reach_validate(): the one gate every value from
 * outside passes before any other function reads it.
 *
 * Separate because it trusts nothing the other files may assume: it checks
 * every length, count, range and ordering of docs/FORMAT.md before
 * reading, one representation at a time; the DENSE_PACKED code is checked
 * by reach_packed.c, which owns the decoder.
 */
#include "reach_internal.h"

/* version, precision and flags: NULL or what is wrong */
static const char *
validate_header(const uint8_t *body, size_t len)
{
	unsigned	p;

	if (body == NULL && len > 0)
		return ie_fail("reach_sketch data is missing");
	if (len < REACH_HEADER_SIZE)
		return ie_fail("truncated: %zu bytes, the reach_sketch header alone is %d",
					len, REACH_HEADER_SIZE);
	if (reach_hdr_version(body) < 1 || reach_hdr_version(body) > REACH_FORMAT_VERSION)
		return ie_fail("reach_sketch format version %u is not supported (expected 1..%d)",
					reach_hdr_version(body), REACH_FORMAT_VERSION);
	p = reach_hdr_precision(body);
	if (p < REACH_MIN_PRECISION || p > REACH_MAX_PRECISION)
		return ie_fail("precision %u is out of range (%d..%d)",
					p, REACH_MIN_PRECISION, REACH_MAX_PRECISION);
	if ((reach_hdr_flags(body) & ~(REACH_FLAG_HLL_ONLY | REACH_FLAG_CENSOR_MASK)) != 0)
		return ie_fail("reserved flag bits set (flags 0x%02x)", reach_hdr_flags(body));
	/* a coded SPARSE value's (versions 2 and 3) bits 2-7 are its Rice parameter */
	if (reach_hdr_version(body) != 1 && reach_hdr_representation(body) == REACH_REP_SPARSE)
		return NULL;
	if ((reach_hdr_flags(body) & REACH_FLAG_CENSOR_MASK) != 0)
	{
		if (!hdr_hll_only(body) || !hdr_is_dense(body))
			return ie_fail("register cap %u set on a sketch that is not dense hll_only (flags 0x%02x)",
						sparse_rice_k(body), reach_hdr_flags(body));
		if (hdr_censor(body) >= 65 - p)
			return ie_fail("register cap %u must be below %u, the largest register value at precision %u",
						hdr_censor(body), 65 - p, p);
	}
	return NULL;
}

/* version 1's SPARSE: 4-byte tokens of 26 index bits, up to 2^p / 4 */
static const char *
validate_sparse_v1(const uint8_t *body, size_t len)
{
	const uint8_t *t = cpayload(body);
	unsigned	p = reach_hdr_precision(body);
	uint32_t	count = hdr_count(body);
	uint64_t	expect = REACH_HEADER_SIZE + 4 * (uint64_t) count;
	uint32_t	i;

	if ((uint64_t) len < expect)
		return ie_fail("truncated: %zu bytes for %u sparse entries, expected %llu",
					len, count, (unsigned long long) expect);
	if ((uint64_t) len > expect)
		return ie_fail("trailing bytes: %zu bytes for %u sparse entries, expected %llu",
					len, count, (unsigned long long) expect);
	if (count > sparse_limit_v1(p))
		return ie_fail("sparse representation holds %u entries, more than the %u allowed at precision %u",
					count, sparse_limit_v1(p), p);
	for (i = 0; i < count; i++)
	{
		uint32_t	v = tok_get(t, i);

		if (!token_v1_valid(v))
			return ie_fail("sparse entry %u is invalid (0x%08x)", i, v);
		if (i > 0)
		{
			uint32_t	prev = tok_get(t, i - 1);

			if (v == prev)
				return ie_fail("duplicate sparse entry at entry %u", i);
			if (v < prev)
				return ie_fail("sparse entries out of order at entry %u", i);
		}
	}
	return NULL;
}

static const char *
validate_sparse(const uint8_t *body, size_t len, bool decode_stream)
{
	unsigned	p = reach_hdr_precision(body);
	uint32_t	count = hdr_count(body);

	if (hdr_hll_only(body))
		return ie_fail("hll_only flag set on a sparse representation");
	if (reach_hdr_version(body) == 1)
		return validate_sparse_v1(body, len);
	if (count > sparse_limit(p))
		return ie_fail("sparse representation holds %u entries, more than the %u allowed at precision %u",
					count, sparse_limit(p), p);
	/* two bits a token at least: a count the bytes cannot hold fails before decoding */
	if ((uint64_t) len < REACH_HEADER_SIZE + ((uint64_t) count + 3) / 4)
		return ie_fail("truncated: %zu bytes cannot code %u sparse entries", len, count);
	if ((uint64_t) len > reach_sparse_coded_bound(count))
		return ie_fail("trailing bytes: %zu bytes for %u sparse entries, at most %zu",
					   len, count, reach_sparse_coded_bound(count));
	if (sparse_rice_k(body) > TOKEN_INDEX_BITS)
		return ie_fail("sparse Rice parameter %u is out of range (0..%d)",
					   sparse_rice_k(body), TOKEN_INDEX_BITS);
	if (!decode_stream)
		return NULL;
	return reach_sparse_validate_coded(body, len);
}

static const char *
validate_dense(const uint8_t *body, size_t len)
{
	unsigned	p = reach_hdr_precision(body);
	uint32_t	count = hdr_count(body);
	size_t		expect = dense_size(p);
	const uint8_t *r = cpayload(body);
	size_t		i;
	size_t		m = (size_t) 1 << p;

	if (count != 0)
		return ie_fail("dense representation has a nonzero entry count %u", count);
	if (len < expect)
		return ie_fail("truncated: %zu bytes for a dense sketch of precision %u, expected %zu",
					len, p, expect);
	if (len > expect)
		return ie_fail("trailing bytes: %zu bytes for a dense sketch of precision %u, expected %zu",
					len, p, expect);
	for (i = 0; i < m; i++)
	{
		if (!register_valid(r[i], p))
			return ie_fail("register %zu holds invalid value 0x%02x", i, r[i]);
		if (hdr_hll_only(body) && (r[i] & 3) != 0)
			return ie_fail("register %zu has history bits in an hll_only sketch (value 0x%02x)",
						i, r[i]);
		if (!register_within_cap(r[i], hdr_censor(body)))
			return ie_fail("register %zu holds %u, above the register cap %u",
						i, r[i] >> 2, hdr_censor(body));
	}
	return NULL;
}

static const char *
validate_sparse_buffer(const uint8_t *body, size_t len)
{
	const uint8_t *t = cpayload(body);
	uint32_t	count = hdr_count(body);
	size_t		cap;
	size_t		i;

	if (hdr_hll_only(body))
		return ie_fail("hll_only flag set on a sparse representation");
	if ((len - REACH_HEADER_SIZE) % 4 != 0)
		return ie_fail("sparse buffer of %zu bytes is not the 8-byte header plus whole 4-byte slots",
					len);
	cap = (len - REACH_HEADER_SIZE) / 4;
	if (count > cap)
		return ie_fail("truncated: sparse buffer holds %u entries but has room for %zu",
					count, cap);
	for (i = 0; i < count; i++)
	{
		uint32_t	v = tok_get(t, i);

		if (reach_hdr_version(body) == 1 ? !token_v1_valid(v) : !token_valid(v))
			return ie_fail("sparse entry %zu is invalid (0x%08x)", i, v);
	}
	for (; i < cap; i++)
		if (tok_get(t, i) != 0)
			return ie_fail("sparse buffer slot %zu is past the entry count but not zero", i);
	return NULL;
}

static const char *
validate(const uint8_t *body, size_t len, bool decode_stream)
{
	const char *msg = validate_header(body, len);

	if (msg != NULL)
		return msg;
	switch (reach_hdr_representation(body))
	{
		case REACH_REP_SPARSE:
			return validate_sparse(body, len, decode_stream);
		case REACH_REP_DENSE:
			return validate_dense(body, len);
		case REACH_REP_DENSE_PACKED:
			return reach_packed_validate(body, len, decode_stream);
		case REACH_REP_SPARSE_BUFFER:
			return validate_sparse_buffer(body, len);
		default:
			return ie_fail("representation %u is unknown", reach_hdr_representation(body));
	}
}

const char *
reach_validate(const uint8_t *body, size_t len)
{
	return validate(body, len, true);
}

const char *
reach_validate_shallow(const uint8_t *body, size_t len)
{
	return validate(body, len, false);
}
