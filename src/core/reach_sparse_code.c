/*
 * reach_sparse_code.c — the stored sparse form of format versions 2 and 3
 * (a Rice code of the sorted tokens) and the one reader of tokens from any
 * representation that holds them, of any version.
 *
 * Why 20 index bits.  Version 1 stored 4 bytes a token (26 index bits and
 * a run length), 4 to 6 times DataSketches CPC's bytes where most
 * campaign x day cells live.  What a sparse value must keep is its exact
 * count in practice and the registers it turns into: 20 index bits give
 * the registers exactly for every p <= 18, and their collisions (two
 * hashes with the same 20 bits and run) are rare enough to correct (1,000
 * values: 0.16 expected, see estimate_sparse), while a sorted gap of
 * 2^20 / n costs about log2(2^20 / n) + 2 bits.  With the run length in
 * unary (2 bits on average, its entropy) a token costs 13 to 14 bits at
 * n = 1,000, against CPC's 8 for a count that is not exact.
 *
 * Why the limit halved (2^p / 8).  Past it the coded tokens cost more than
 * the packed registers, and at 2^p / 4 they would cost more than twice
 * CPC's bytes; the registers hold the same set to the dense estimator's
 * accuracy.
 *
 * The code: for each token in increasing order, the gap between its
 * index and the previous one's (the first: its index) as q = gap >> k in
 * unary (q zero bits, a one bit) and gap's low k bits; then r - 1 zero
 * bits and a one bit.  Bits go least significant first into bytes, so a
 * reader takes them with shifts and ctz.  k is the one of 0..20 that
 * makes the stream shortest (the smallest on a tie), so equal sets have
 * equal bytes; it lives in the header's flag bits 2-7, which only a
 * censored dense value uses otherwise, so that one value reaches 11
 * bytes like postgresql-hll's.
 */
#include "reach_internal.h"

#include <string.h>

#define INDEX_LIMIT		(UINT32_C(1) << TOKEN_INDEX_BITS)

/* ---------------------------------------------------------------------
 * Writing
 * --------------------------------------------------------------------- */

typedef struct BitOut
{
	uint8_t    *p;
	uint64_t	acc;
	unsigned	nbits;
} BitOut;

static inline void
put_bits(BitOut *o, uint64_t v, unsigned n)
{
	o->acc |= v << o->nbits;
	o->nbits += n;
	while (o->nbits >= 8)
	{
		*o->p++ = (uint8_t) o->acc;
		o->acc >>= 8;
		o->nbits -= 8;
	}
}

/* q zero bits, then a one bit */
static inline void
put_unary(BitOut *o, uint32_t q)
{
	while (q >= 32)
	{
		put_bits(o, 0, 32);
		q -= 32;
	}
	put_bits(o, UINT64_C(1) << q, q + 1);
}

/* the bits of each k's stream that depend on k, for one more gap */
static inline void
add_gap_cost(uint64_t *cost, uint32_t gap)
{
	unsigned	k;

	for (k = 0; k <= TOKEN_INDEX_BITS; k++)
		cost[k] += (gap >> k) + k;
}

/* the canonical k: the shortest stream, the smallest k on a tie */
static unsigned
shortest_k(const uint64_t *cost)
{
	unsigned	k;
	unsigned	best = 0;

	for (k = 1; k <= TOKEN_INDEX_BITS; k++)
		if (cost[k] < cost[best])
			best = k;
	return best;
}

/* the canonical k for the sorted tokens toks[0..n) */
static unsigned
best_k(const uint8_t *toks, size_t n)
{
	uint64_t	cost[TOKEN_INDEX_BITS + 1] = {0};
	uint32_t	prev = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		add_gap_cost(cost, (tok_get(toks, i) >> 6) - prev);
		prev = tok_get(toks, i) >> 6;
	}
	return shortest_k(cost);
}

size_t
reach_sparse_coded_bound(size_t n)
{
	/* at k = 20 a token is at most 1 + 20 + 45 bits; the best k is shorter */
	return REACH_HEADER_SIZE + (66 * n + 7) / 8;
}

size_t
reach_sparse_write(uint8_t *dst, unsigned p, const uint8_t *toks, size_t n)
{
	unsigned	k = best_k(toks, n);
	BitOut		o = {payload(dst), 0, 0};
	uint32_t	prev = 0;
	size_t		i;

	hdr_write(dst, p, REACH_REP_SPARSE, k << REACH_FLAG_CENSOR_SHIFT, (uint32_t) n);
	for (i = 0; i < n; i++)
	{
		uint32_t	t = tok_get(toks, i);
		uint32_t	gap = (t >> 6) - prev;

		put_unary(&o, gap >> k);
		put_bits(&o, gap & ((UINT32_C(1) << k) - 1), k);
		put_unary(&o, (t & 63) - 1);
		prev = t >> 6;
	}
	if (o.nbits > 0)
		*o.p++ = (uint8_t) o.acc;
	return (size_t) (o.p - dst);
}

/* ---------------------------------------------------------------------
 * Reading
 * --------------------------------------------------------------------- */

/*
 * Whole bytes into the bits above the nbits pending ones, as many as fit:
 * one 8-byte load while 8 bytes remain, then byte by byte.  acc never
 * holds a bit past nbits, which get_unary and the end check rely on.
 */
static inline void
refill(ReachTokens *rt)
{
	if (rt->end - rt->pos >= 8)
	{
		unsigned	k = (63 - rt->nbits) >> 3;

		rt->acc |= (ie_get64(rt->body + rt->pos) & ((UINT64_C(1) << (8 * k)) - 1)) << rt->nbits;
		rt->pos += k;
		rt->nbits += 8 * k;
		return;
	}
	while (rt->nbits <= 56 && rt->pos < rt->end)
	{
		rt->acc |= (uint64_t) rt->body[rt->pos++] << rt->nbits;
		rt->nbits += 8;
	}
}

static inline void
consume(ReachTokens *rt, unsigned n)
{
	rt->acc = n == 64 ? 0 : rt->acc >> n;
	rt->nbits -= n;
}

/* a unary count of at most max zero bits; false if the stream says more or ends */
static inline bool
get_unary(ReachTokens *rt, uint32_t max, uint32_t *q)
{
	uint32_t	z = 0;

	for (;;)
	{
		refill(rt);
		if (rt->acc != 0)
		{
			unsigned	c = (unsigned) ie_ctz64(rt->acc);

			z += c;
			if (z > max)
				return false;
			consume(rt, c + 1);
			*q = z;
			return true;
		}
		if (rt->nbits == 0)
			return false;
		z += rt->nbits;
		if (z > max)
			return false;
		consume(rt, rt->nbits);
	}
}

static bool
get_coded(ReachTokens *rt, uint32_t *tok)
{
	uint32_t	q;
	uint32_t	r;
	uint32_t	gap;

	if (!get_unary(rt, (INDEX_LIMIT - 1) >> rt->k, &q))
		return false;
	refill(rt);
	if (rt->nbits < rt->k)
		return false;
	gap = (q << rt->k) | (uint32_t) (rt->acc & ((UINT64_C(1) << rt->k) - 1));
	consume(rt, rt->k);
	if (gap >= INDEX_LIMIT - rt->idx)
		return false;
	rt->idx += gap;
	if (!get_unary(rt, TOKEN_R_MAX - 1, &r))
		return false;
	*tok = (rt->idx << 6) | (r + 1);
	if (rt->i > 0 && *tok <= rt->prev)
		return false;
	rt->prev = *tok;
	return true;
}

void
reach_tokens_open(ReachTokens *rt, const uint8_t *body, size_t len)
{
	memset(rt, 0, sizeof(*rt));
	rt->body = body;
	rt->n = hdr_count(body);
	rt->v1 = reach_hdr_version(body) == 1;
	rt->coded = !rt->v1 && reach_hdr_representation(body) == REACH_REP_SPARSE;
	if (!rt->coded)
		return;
	rt->pos = REACH_HEADER_SIZE;
	rt->end = len;
	rt->k = sparse_rice_k(body);
	rt->bad = rt->k > TOKEN_INDEX_BITS;
}

size_t
reach_tokens_read(ReachTokens *rt, uint8_t *out, size_t max)
{
	size_t		k = 0;

	if (rt->bad)
		return 0;
	for (; k < max && rt->i < rt->n; k++, rt->i++)
	{
		uint32_t	t;

		if (rt->coded)
		{
			if (!get_coded(rt, &t))
			{
				rt->bad = true;
				return 0;
			}
		}
		else
		{
			t = tok_get(cpayload(rt->body), rt->i);
			if (rt->v1)
				t = make_token(token_v1_hash(t));
		}
		tok_put(out, k, t);
	}
	return k;
}

bool
reach_tokens_finish(ReachTokens *rt)
{
	if (rt->bad || rt->i != rt->n)
		return false;
	if (!rt->coded)
		return true;
	refill(rt);
	/* only the zero padding of the last byte may be left */
	return rt->pos == rt->end && rt->nbits < 8 && rt->acc == 0;
}

bool
reach_sparse_stream_ok(const uint8_t *body, size_t len)
{
	ReachTokens rt;
	uint8_t		buf[4 * 256];

	reach_tokens_open(&rt, body, len);
	if (!rt.coded)
		return true;
	while (reach_tokens_read(&rt, buf, 256) > 0)
		;
	return reach_tokens_finish(&rt);
}

/* ---------------------------------------------------------------------
 * Validation of a coded value (every token read, then the canonical k)
 * --------------------------------------------------------------------- */

const char *
reach_sparse_validate_coded(const uint8_t *body, size_t len)
{
	ReachTokens rt;
	uint8_t		buf[4 * 256];
	uint64_t	cost[TOKEN_INDEX_BITS + 1] = {0};
	uint32_t	prev = 0;
	unsigned	kb = sparse_rice_k(body);
	unsigned	kc;
	size_t		got;

	if (kb > TOKEN_INDEX_BITS)
		return ie_fail("sparse Rice parameter %u is out of range (0..%d)", kb, TOKEN_INDEX_BITS);
	reach_tokens_open(&rt, body, len);
	while ((got = reach_tokens_read(&rt, buf, 256)) > 0)
	{
		size_t		i;

		for (i = 0; i < got; i++)
		{
			add_gap_cost(cost, (tok_get(buf, i) >> 6) - prev);
			prev = tok_get(buf, i) >> 6;
		}
	}
	if (rt.bad)
		return ie_fail("sparse token stream is invalid at token %u of %u (a gap past 2^20, a run length past %d, tokens not increasing, or the stream ends early)",
					   rt.i, rt.n, TOKEN_R_MAX);
	if (!reach_tokens_finish(&rt))
		return ie_fail("sparse token stream has bytes or nonzero padding bits after its %u tokens", rt.n);
	kc = shortest_k(cost);
	if (kc != kb)
		return ie_fail("sparse Rice parameter %u is not the canonical one (%u codes the tokens in %s bits)",
					   kb, kc, cost[kc] < cost[kb] ? "fewer" : "as few, and is smaller");
	return NULL;
}
