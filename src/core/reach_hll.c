/*
 * reach_hll.c — postgresql-hll interchange: export of any reach_sketch as
 * an hll value, and import of hll values (EMPTY, EXPLICIT, SPARSE, FULL).
 *
 * Separate because it speaks another project's format: hll's storage spec
 * and its bit packing are known here and nowhere else, and the registers
 * it produces or reads are ordinary reach registers.
 */
#include "reach_internal.h"

#include <string.h>

/* ---------------------------------------------------------------------
 * postgresql-hll interchange
 *
 * hll storage spec v1.0.0, schema version 1: byte 0 = version << 4 | type,
 * byte 1 = (regwidth - 1) << 5 | log2m, byte 2 = sparseon << 6 | cutoff,
 * then data.  EXPLICIT: sorted signed 64-bit big-endian hashes.  SPARSE:
 * (log2m + regwidth)-bit words index << regwidth | value, ascending index,
 * packed from the top bit of the first byte, fewer than 8 padding bits.
 * FULL: 2^log2m regwidth-bit values, packed the same way.
 * --------------------------------------------------------------------- */

#define HLL_EMPTY		1
#define HLL_EXPLICIT	2
#define HLL_SPARSE		3
#define HLL_FULL		4
#define HLL_HDR			3

/* nbits (<= 40) bits starting at bit position pos, big-endian bit order */
static uint64_t
bits_read(const uint8_t *data, size_t datalen, uint64_t pos, unsigned nbits)
{
	uint64_t	byte = pos >> 3;
	unsigned	off = (unsigned) (pos & 7);
	uint64_t	acc = 0;
	unsigned	i;

	for (i = 0; i < 6; i++)
	{
		acc <<= 8;
		if (byte + i < datalen)
			acc |= data[byte + i];
	}
	return (acc >> (48 - off - nbits)) & ((UINT64_C(1) << nbits) - 1);
}

/* OR nbits (<= 32) of val into zeroed out at bit position pos */
static void
bits_write(uint8_t *out, uint64_t pos, uint32_t val, unsigned nbits)
{
	while (nbits > 0)
	{
		unsigned	off = (unsigned) (pos & 7);
		unsigned	take = 8 - off < nbits ? 8 - off : nbits;
		uint32_t	chunk = (val >> (nbits - take)) & ((1u << take) - 1);

		out[pos >> 3] |= (uint8_t) (chunk << (8 - off - take));
		pos += take;
		nbits -= take;
	}
}

static int
clamp_precision(unsigned log2m)
{
	if (log2m < REACH_MIN_PRECISION)
		return REACH_MIN_PRECISION;
	if (log2m > REACH_MAX_PRECISION)
		return REACH_MAX_PRECISION;
	return (int) log2m;
}

static unsigned
export_log2m(unsigned p, int log2m)
{
	unsigned	max = p < REACH_HLL_MAX_LOG2M ? p : REACH_HLL_MAX_LOG2M;

	if (log2m == 0)
		return max;
	if (log2m < REACH_MIN_PRECISION || (unsigned) log2m > max)
		return 0;
	return (unsigned) log2m;
}

static size_t
hll_full_bytes(unsigned q, unsigned w)
{
	return ((size_t) w * ((size_t) 1 << q) + 7) / 8;
}

/* bytes of n SPARSE words at log2m q, register width w */
static size_t
hll_sparse_bytes(size_t n, unsigned q, unsigned w)
{
	return (n * (q + w) + 7) / 8;
}

/*
 * Where the export of n tokens keeps its scratch pairs: after the largest
 * output they can give, SPARSE or FULL
 */
static size_t
hll_tokens_scratch(size_t n, unsigned q)
{
	size_t		sparse_bytes = hll_sparse_bytes(n, q, REACH_HLL_REGWIDTH);
	size_t		full = hll_full_bytes(q, REACH_HLL_REGWIDTH);

	return sparse_bytes > full ? sparse_bytes : full;
}

size_t
reach_to_hll_size(const uint8_t *body, size_t len, int log2m)
{
	unsigned	p = reach_hdr_precision(body);
	unsigned	q = export_log2m(p, log2m);
	size_t		n;
	size_t		full = hll_full_bytes(q, REACH_HLL_REGWIDTH);

	(void) len;
	if (q == 0)
		return 0;
	if (reach_hdr_representation(body) == REACH_REP_DENSE)
		return HLL_HDR + full;
	if (reach_hdr_representation(body) == REACH_REP_DENSE_PACKED)
		return HLL_HDR + full + ((size_t) 1 << p);	/* + registers */
	n = hdr_count(body);
	if (n == 0)
		return HLL_HDR;
	return HLL_HDR + hll_tokens_scratch(n, q) + 4 * n;
}

/* hll register j at log2m q from 2^p ULL registers (p >= q), capped at cap */
static unsigned
folded_u(const uint8_t *regs, unsigned p, unsigned q, size_t j, unsigned cap)
{
	size_t		mq = (size_t) 1 << q;
	unsigned	d = p - q;
	size_t		nk = (size_t) 1 << d;
	unsigned	u = regs[j] ? d + (regs[j] >> 2) : 0;
	size_t		k;

	for (k = 1; k < nk; k++)
		if (regs[j + k * mq] != 0 && 1 + ie_ctz64(k) > u)
			u = 1 + ie_ctz64(k);
	return u > cap ? cap : u;
}

static void
hll_header(uint8_t *dst, unsigned type, unsigned q, unsigned w)
{
	dst[0] = (uint8_t) (0x10 | type);
	dst[1] = (uint8_t) (((w - 1) << 5) | q);
	dst[2] = 0x7f;				/* sparseon = 1, expthresh = -1 (auto) */
}

/* hll packs SPARSE when sparseon and its bits are fewer than FULL's */
static bool
hll_prefers_sparse(size_t nfilled, unsigned q, unsigned w)
{
	return nfilled * (q + w) < (size_t) w * ((size_t) 1 << q);
}

/* header, then data bytes zeroed for bits_write; returns the value's length */
static size_t
hll_begin(uint8_t *dst, unsigned type, unsigned q, unsigned w, size_t bytes)
{
	hll_header(dst, type, q, w);
	memset(dst + HLL_HDR, 0, bytes);
	return HLL_HDR + bytes;
}

/*
 * The register width of an export at log2m q: 5, or for a censored value
 * the widest w whose saturated value 2^w - 1 is at most the cap (a cap
 * between two widths censors a little more than needed, never less), so
 * that hll's saturation is where ours is censored.  Only when some
 * register reaches 2^w - 1: else nothing exported is censored, the
 * registers are exact, and width 5 keeps them so; either way an import
 * of the export exports the same bytes.
 */
static unsigned
export_regwidth(const uint8_t *body, const uint8_t *regs, unsigned q)
{
	unsigned	p = reach_hdr_precision(body);
	unsigned	c = censor_folded(hdr_censor(body), p, q);
	unsigned	w = REACH_HLL_REGWIDTH;
	size_t		mq = (size_t) 1 << q;
	size_t		j;

	while (c != 0 && w > 1 && (1u << w) - 1 > c)
		w--;
	if (w == REACH_HLL_REGWIDTH)
		return w;
	for (j = 0; j < mq; j++)
		if (folded_u(regs, p, q, j, 31) >= (1u << w) - 1)
			return w;
	return REACH_HLL_REGWIDTH;
}

/* the export of 2^p registers at log2m q <= p, register width w */
static size_t
hll_export_registers(uint8_t *dst, const uint8_t *regs, unsigned p, unsigned q,
					 unsigned w)
{
	uint8_t    *out = dst + HLL_HDR;
	size_t		mq = (size_t) 1 << q;
	unsigned	cap = (1u << w) - 1;
	size_t		nfilled = 0;
	size_t		size;
	size_t		j;
	uint64_t	pos = 0;

	for (j = 0; j < mq; j++)
		nfilled += folded_u(regs, p, q, j, cap) != 0;
	if (nfilled == 0)
		return hll_begin(dst, HLL_EMPTY, q, w, 0);
	if (hll_prefers_sparse(nfilled, q, w))
	{
		size = hll_begin(dst, HLL_SPARSE, q, w, hll_sparse_bytes(nfilled, q, w));
		for (j = 0; j < mq; j++)
		{
			unsigned	u = folded_u(regs, p, q, j, cap);

			if (u == 0)
				continue;
			bits_write(out, pos, (uint32_t) ((j << w) | u), q + w);
			pos += q + w;
		}
		return size;
	}
	size = hll_begin(dst, HLL_FULL, q, w, hll_full_bytes(q, w));
	for (j = 0; j < mq; j++)
	{
		bits_write(out, pos, folded_u(regs, p, q, j, cap), w);
		pos += w;
	}
	return size;
}

/*
 * The hll registers of the n tokens of body at log2m q as (index << 8 | u)
 * pairs in pairs[], sorted by index, one per filled register (the largest
 * u: the last of each index run once sorted by index then u).  Returns
 * how many, or SIZE_MAX if body's token stream is bad.
 */
static size_t
hll_token_pairs(uint8_t *pairs, const uint8_t *body, size_t len, unsigned q)
{
	size_t		mq = (size_t) 1 << q;
	size_t		npairs = 0;
	size_t		nf = 0;
	size_t		i;
	size_t		got;
	uint8_t		buf[4 * 256];
	ReachTokens rt;

	reach_tokens_open(&rt, body, len);
	while ((got = reach_tokens_read(&rt, buf, 256)) > 0)
		for (i = 0; i < got; i++)
		{
			uint64_t	h = token_hash(tok_get(buf, i));
			uint32_t	idx = (uint32_t) (h & (mq - 1));
			unsigned	u = 1 + ie_ctz64((h >> q) | (UINT64_C(1) << (64 - q)));

			/* hash 0 ('' and empty bytea): no register of hll's counts it */
			if (h == 0)
				continue;
			tok_put(pairs, npairs++, (idx << 8) | (u > 31 ? 31 : u));
		}
	if (!reach_tokens_finish(&rt))
		return SIZE_MAX;
	if (npairs == 0)
		return 0;
	ie_sort_u32(pairs, npairs);
	for (i = 0; i < npairs; i++)
	{
		uint32_t	v = tok_get(pairs, i);

		if (i + 1 < npairs && (tok_get(pairs, i + 1) >> 8) == (v >> 8))
			continue;
		tok_put(pairs, nf++, v);
	}
	return nf;
}

/*
 * The export of a sparse value.  The pairs go to the scratch area after
 * the largest possible output; output is written from the front and never
 * reaches it.
 */
static size_t
hll_export_tokens(uint8_t *dst, const uint8_t *body, size_t len, unsigned q)
{
	uint8_t    *out = dst + HLL_HDR;
	size_t		mq = (size_t) 1 << q;
	size_t		n = hdr_count(body);
	size_t		full = hll_full_bytes(q, REACH_HLL_REGWIDTH);
	uint8_t    *pairs;
	size_t		nf;
	size_t		size;
	size_t		i;
	size_t		k = 0;
	uint64_t	pos = 0;

	if (n == 0)
		return hll_begin(dst, HLL_EMPTY, q, REACH_HLL_REGWIDTH, 0);
	pairs = out + hll_tokens_scratch(n, q);
	nf = hll_token_pairs(pairs, body, len, q);
	if (nf == SIZE_MAX)
		return 0;
	if (nf == 0)
		return hll_begin(dst, HLL_EMPTY, q, REACH_HLL_REGWIDTH, 0);
	if (hll_prefers_sparse(nf, q, REACH_HLL_REGWIDTH))
	{
		size = hll_begin(dst, HLL_SPARSE, q, REACH_HLL_REGWIDTH,
						 hll_sparse_bytes(nf, q, REACH_HLL_REGWIDTH));
		for (i = 0; i < nf; i++)
		{
			uint32_t	v = tok_get(pairs, i);

			bits_write(out, pos, ((v >> 8) << REACH_HLL_REGWIDTH) | (v & 0xff),
					   q + REACH_HLL_REGWIDTH);
			pos += q + REACH_HLL_REGWIDTH;
		}
		return size;
	}
	size = hll_begin(dst, HLL_FULL, q, REACH_HLL_REGWIDTH, full);
	for (i = 0; i < mq; i++)
	{
		uint32_t	u = 0;

		if (k < nf && (tok_get(pairs, k) >> 8) == i)
			u = tok_get(pairs, k++) & 0xff;
		bits_write(out, pos, u, REACH_HLL_REGWIDTH);
		pos += REACH_HLL_REGWIDTH;
	}
	return size;
}

size_t
reach_to_hll(uint8_t *dst, size_t dstlen, const uint8_t *body, size_t len, int log2m)
{
	unsigned	p = reach_hdr_precision(body);
	unsigned	q = export_log2m(p, log2m);
	uint8_t    *scratch;

	if (q == 0 || dstlen < reach_to_hll_size(body, len, log2m))
		return 0;
	switch (reach_hdr_representation(body))
	{
		case REACH_REP_DENSE:
			return hll_export_registers(dst, cpayload(body), p, q,
										export_regwidth(body, cpayload(body), q));
		case REACH_REP_DENSE_PACKED:
			/* decode into the scratch area after the largest output */
			scratch = dst + HLL_HDR + hll_full_bytes(q, REACH_HLL_REGWIDTH);
			if (!reach_packed_expand_regs(scratch, body, len))
				return 0;
			return hll_export_registers(dst, scratch, p, q,
										export_regwidth(body, scratch, q));
		default:
			return hll_export_tokens(dst, body, len, q);
	}
}

typedef struct HllValue
{
	unsigned	type;
	unsigned	regwidth;
	unsigned	log2m;
	const uint8_t *data;
	size_t		datalen;
	size_t		nentries;		/* EXPLICIT elements or SPARSE words */
} HllValue;

static uint64_t
get_be64(const uint8_t *p)
{
	uint64_t	v = 0;
	int			i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* EXPLICIT: whole big-endian signed hashes, strictly increasing */
static const char *
hll_parse_explicit(HllValue *v)
{
	size_t		i;

	if (v->datalen % 8 != 0)
		return ie_fail("explicit hll data is %zu bytes, not a multiple of 8", v->datalen);
	v->nentries = v->datalen / 8;
	for (i = 1; i < v->nentries; i++)
	{
		int64_t		a = (int64_t) get_be64(v->data + 8 * (i - 1));
		int64_t		b = (int64_t) get_be64(v->data + 8 * i);

		if (!(a < b))
			return ie_fail("explicit hll elements out of order or repeated at element %zu", i);
	}
	return NULL;
}

/* SPARSE: (index, value) words, indices increasing, values <= maxu */
static const char *
hll_parse_sparse(HllValue *v, unsigned maxu)
{
	uint64_t	bits = (uint64_t) v->datalen * 8;
	unsigned	chunk = v->log2m + v->regwidth;
	uint64_t	pad = bits % chunk;
	size_t		i;
	uint64_t	previdx = 0;

	v->nentries = (size_t) (bits / chunk);

	/*
	 * With words shorter than 8 bits the zero padding can hold a whole
	 * word; hll reads it as index 0, value 0.  Trailing zero words that fit
	 * in the padding are padding.
	 */
	while (v->nentries > 0 && pad + chunk < 8 &&
		   bits_read(v->data, v->datalen,
					 (uint64_t) (v->nentries - 1) * chunk, chunk) == 0)
	{
		v->nentries--;
		pad += chunk;
	}
	if (pad >= 8)
		return ie_fail("inconsistent padding in sparse hll value (%u bits)", (unsigned) pad);
	if (pad > 0 && bits_read(v->data, v->datalen, bits - pad, (unsigned) pad) != 0)
		return ie_fail("sparse hll padding bits are not zero");
	for (i = 0; i < v->nentries; i++)
	{
		uint64_t	word = bits_read(v->data, v->datalen, (uint64_t) i * chunk, chunk);
		uint64_t	idx = word >> v->regwidth;
		unsigned	val = (unsigned) (word & ((1u << v->regwidth) - 1));

		if (i > 0 && idx <= previdx)
			return ie_fail("sparse hll register indices out of order at entry %zu", i);
		if (val > maxu)
			return ie_fail("sparse hll register %llu holds %u, above the maximum %u for log2m %u",
						(unsigned long long) idx, val, maxu, v->log2m);
		previdx = idx;
	}
	return NULL;
}

/* FULL: 2^log2m registers, values <= maxu, zero padding */
static const char *
hll_parse_full(HllValue *v, unsigned maxu)
{
	uint64_t	bits = (uint64_t) v->datalen * 8;
	uint64_t	need = ((uint64_t) v->regwidth << v->log2m);
	uint64_t	nbytes = (need + 7) / 8;
	uint64_t	i;
	uint64_t	nregs = (uint64_t) 1 << v->log2m;

	if (v->datalen != nbytes)
		return ie_fail("full hll data is %zu bytes, expected %llu for log2m %u and regwidth %u",
					v->datalen, (unsigned long long) nbytes, v->log2m, v->regwidth);
	if (bits > need && bits_read(v->data, v->datalen, need, (unsigned) (bits - need)) != 0)
		return ie_fail("full hll padding bits are not zero");
	for (i = 0; i < nregs; i++)
	{
		unsigned	val = (unsigned) bits_read(v->data, v->datalen, i * v->regwidth, v->regwidth);

		if (val > maxu)
			return ie_fail("full hll register %llu holds %u, above the maximum %u for log2m %u",
						(unsigned long long) i, val, maxu, v->log2m);
	}
	return NULL;
}

static const char *
hll_parse(const uint8_t *hll, size_t len, HllValue *v)
{
	unsigned	cutoff;

	if (hll == NULL && len > 0)
		return ie_fail("hll data is missing");
	if (len < HLL_HDR)
		return ie_fail("hll value too short: %zu bytes, at least %d expected", len, HLL_HDR);
	if ((hll[0] >> 4) != 1)
		return ie_fail("hll schema version %u is not supported (expected 1)", hll[0] >> 4);
	v->type = hll[0] & 15;
	v->regwidth = (hll[1] >> 5) + 1;
	v->log2m = hll[1] & 31;
	v->data = hll + HLL_HDR;
	v->datalen = len - HLL_HDR;
	v->nentries = 0;
	if (hll[2] & 0x80)
		return ie_fail("hll cutoff byte 0x%02x has its padding bit set", hll[2]);
	cutoff = hll[2] & 63;
	if (cutoff > 31 && cutoff != 63)
		return ie_fail("hll explicit cutoff %u is out of range (0..31 or 63)", cutoff);

	switch (v->type)
	{
		case 0:
			return ie_fail("an undefined hll value cannot be converted to a reach_sketch");
		case HLL_EMPTY:
			if (len != HLL_HDR)
				return ie_fail("empty hll value has %zu bytes, expected 3", len);
			return NULL;
		case HLL_EXPLICIT:
			return hll_parse_explicit(v);
		case HLL_SPARSE:
		case HLL_FULL:
			if (v->log2m < REACH_MIN_PRECISION)
				return ie_fail("hll log2m %u is below the minimum %d", v->log2m, REACH_MIN_PRECISION);
			if (v->type == HLL_SPARSE)
				return hll_parse_sparse(v, 65 - v->log2m);
			return hll_parse_full(v, 65 - v->log2m);
		default:
			return ie_fail("unknown hll type %u", v->type);
	}
}

const char *
reach_from_hll_check(const uint8_t *hll, size_t len)
{
	HllValue	v;

	return hll_parse(hll, len, &v);
}

size_t
reach_from_hll_size(const uint8_t *hll, size_t len)
{
	HllValue	v;

	if (hll_parse(hll, len, &v) != NULL)
		return 0;
	switch (v.type)
	{
		case HLL_EMPTY:
			return REACH_HEADER_SIZE;
		case HLL_EXPLICIT:
			{
				unsigned	P = (unsigned) clamp_precision(v.log2m);
				size_t		sz = reach_sparse_coded_bound(v.nentries) + 4 * v.nentries;

				/* dense: the result, then room to build the registers */
				if (v.nentries > sparse_limit(P) &&
					sz < dense_size(P) + ((size_t) 1 << P))
					sz = dense_size(P) + ((size_t) 1 << P);
				return sz;
			}
		default:
			{
				unsigned	P = (unsigned) clamp_precision(v.log2m);

				return dense_size(P) + ((size_t) 1 << P);
			}
	}
}

/* fold one hll register (index idx at log2m, value val > 0) into 2^P registers */
static inline void
import_register(uint8_t *regs, unsigned P, unsigned log2m, uint64_t idx, unsigned val)
{
	uint64_t	j = idx & (((uint64_t) 1 << P) - 1);
	uint64_t	k = idx >> P;
	unsigned	u = k ? 1 + ie_ctz64(k) : (log2m - P) + val;
	uint8_t		r = (uint8_t) (u << 2);

	if (r > regs[j])
		regs[j] = r;
}

/*
 * EXPLICIT: the hashes themselves, so the result is what adding them gives:
 * SPARSE tokens, or registers built in the scratch half and packed.
 */
static size_t
from_hll_explicit(uint8_t *dst, const HllValue *v, unsigned P)
{
	uint8_t    *regs = payload(dst) + ((size_t) 1 << P);
	/* tokens after the longest coded form, which is written from the front */
	uint8_t    *toks = dst + reach_sparse_coded_bound(v->nentries);
	size_t		i;
	size_t		d;

	for (i = 0; i < v->nentries; i++)
		tok_put(toks, i, make_token(get_be64(v->data + 8 * i)));
	d = reach_sort_unique(toks, v->nentries);
	if (d <= sparse_limit(P))
		return reach_sparse_write(dst, P, toks, d);
	memset(regs, 0, (size_t) 1 << P);
	for (i = 0; i < v->nentries; i++)
		reach_dense_add_hash(regs, P, get_be64(v->data + 8 * i));
	return reach_dense_canonical(dst, P, 0, regs);
}

/*
 * The register cap of an import into the 2^P registers regs: hll's
 * registers saturate at 2^regwidth - 1, which the fold to P raises by
 * log2m - P.  0 when nothing is censored: the cap is at or above the
 * largest register value 65 - P (regwidth 6 or more), or no register
 * reached it, so the registers are exact (and equal what 0.1 imported).
 */
static unsigned
import_censor(const HllValue *v, unsigned P, const uint8_t *regs)
{
	uint64_t	c = (v->log2m - P) + ((UINT64_C(1) << v->regwidth) - 1);
	size_t		m = (size_t) 1 << P;
	size_t		i;

	if (c >= 65 - P)
		return 0;
	for (i = 0; i < m; i++)
		if (regs[i] == (uint8_t) (c << 2))
			return (unsigned) c;
	return 0;
}

/* SPARSE and FULL: registers in the scratch half, then the canonical form */
static size_t
from_hll_registers(uint8_t *dst, const HllValue *v, unsigned P)
{
	uint8_t    *regs = payload(dst) + ((size_t) 1 << P);

	memset(regs, 0, (size_t) 1 << P);
	if (v->type == HLL_SPARSE)
	{
		unsigned	chunk = v->log2m + v->regwidth;
		size_t		i;

		for (i = 0; i < v->nentries; i++)
		{
			uint64_t	word = bits_read(v->data, v->datalen, (uint64_t) i * chunk, chunk);
			unsigned	val = (unsigned) (word & ((1u << v->regwidth) - 1));

			if (val != 0)
				import_register(regs, P, v->log2m, word >> v->regwidth, val);
		}
	}
	else
	{
		uint64_t	nregs = (uint64_t) 1 << v->log2m;
		uint64_t	i;

		for (i = 0; i < nregs; i++)
		{
			unsigned	val = (unsigned) bits_read(v->data, v->datalen, i * v->regwidth, v->regwidth);

			if (val != 0)
				import_register(regs, P, v->log2m, i, val);
		}
	}
	return reach_dense_canonical(dst, P, censor_flags(import_censor(v, P, regs)), regs);
}

size_t
reach_from_hll(uint8_t *dst, size_t dstlen, const uint8_t *hll, size_t len)
{
	HllValue	v;
	unsigned	P;

	if (hll_parse(hll, len, &v) != NULL || dstlen < reach_from_hll_size(hll, len))
		return 0;
	P = (unsigned) clamp_precision(v.log2m);
	switch (v.type)
	{
		case HLL_EMPTY:
			hdr_write(dst, P, REACH_REP_SPARSE, 0, 0);
			return REACH_HEADER_SIZE;
		case HLL_EXPLICIT:
			return from_hll_explicit(dst, &v, P);
		default:
			return from_hll_registers(dst, &v, P);
	}
}
