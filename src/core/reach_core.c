/*
 * reach_core.c — reach_sketch: UltraLogLog (Ertl 2023, arXiv:2308.16862)
 * registers behind an exact sparse token list, with postgresql-hll
 * interchange.  Plain C99, no postgres.h, no allocation.  The format and the
 * caller protocol are described in reach_core.h.
 *
 * Design notes (why, not what):
 *
 * Tokens.  hash4j's 32-bit token keeps 26 hash bits plus a 6-bit run
 * length, enough to replay the exact dense update for every p <= 26.  We
 * deduplicate only identical tokens, not tokens sharing the 26-bit index:
 * keeping just the largest r26 per index would make the registers built
 * from a sparse list differ (in a history bit, on a rare 26-bit collision)
 * from registers built by adding the same hashes to a dense state, and
 * then the result would depend on the moment the state went dense, i.e. on
 * row order.  Keeping both costs nothing measurable.
 *
 * Order independence.  The register update is a union of seen-sets
 * restricted to the top three positions; that restriction commutes with
 * union, so registers are a function of the set of hashes.  A state goes
 * DENSE only after a compaction has counted more than 2^p/4 distinct
 * tokens (or when merged with a value that is already DENSE at a precision
 * >= the result's, which carries the same guarantee), and folding to a
 * lower precision only lowers the threshold, so "DENSE iff more than 2^p/4
 * distinct tokens" holds for every value this API produces.
 * reach_canonicalize applies the same rule to SPARSE_BUFFER states, hence
 * serial, parallel and merged results are byte-identical.
 *
 * Folding p -> q < p is exact, history bits included: the hashes of source
 * register j + k*2^q (k > 0) all get u' = 1 + ctz(k) at precision q; those
 * of source register j (k = 0) get u' = (p - q) + u, which lie above every
 * k > 0 value, so the top three positions of the folded seen-set are known
 * exactly from the source registers.  See fold_union().
 *
 * Estimator.  DENSE uses the maximum-likelihood estimator of the ULL paper
 * (section on ML estimation; hash4j's MaximumLikelihoodEstimator): a
 * Poisson-model likelihood in which every register contributes the
 * probability of the values it knows were not seen (a) and of those it
 * knows were seen (b_j, grouped by probability 2^-j).  We chose ML over the
 * optimal FGRA estimator because it is the more efficient one (memory-
 * variance product 4.63 vs 4.90, RSE 0.761/sqrt(m) vs 0.782/sqrt(m)), has
 * no range-dependent pieces that could bump, and needs no tables; solving
 * the likelihood equation (Newton's method, a few dozen expm1() per step)
 * takes about a microsecond, less than the histogram of the 2^p registers.
 * Its O(1/m) bias is removed by hash4j's factor 1 / (1 + 0.4815/m).  The
 * theoretical RSE is sqrt(ln 2 / zeta(2, 5/4)) / sqrt(m) = 0.7609/sqrt(m),
 * i.e. sqrt(MVP / (8 m)) with MVP = 4.63.
 *
 * HLL_ONLY (registers imported from postgresql-hll, no history) uses
 * Ertl's improved raw estimator (arXiv:1702.01284, algorithm 6) on the u
 * values, RSE 1.04/sqrt(m).
 *
 * Sparse states.  A SPARSE_BUFFER is appended to and compacted (sorted,
 * deduplicated) in place when full; see buffer_compact() for how that stays
 * cheap, and next_capacity() for the growth ladder.
 *
 * Packed storage.  Stored dense sketches are Huffman-coded (DENSE_PACKED):
 * ULL registers carry about 4 bits of entropy, so at p = 14 a sketch of
 * 10 * 2^p values takes ~8.4 KB instead of 16 KB, which is what puts its
 * error at equal stored bytes at ~0.66x postgresql-hll's (5-bit registers,
 * RSE 1.04/sqrt(m)) rather than 0.93x.  Aggregate states stay raw DENSE
 * (an add is one byte update); the canonical form packs, and everything
 * that reads a sketch accepts the packed form, decoding it on the way
 * (~30 us at p = 14), so a caller that forgets to expand is slow, never
 * wrong.  Canonical forms needing scratch space (a SPARSE_BUFFER that goes
 * dense, hll imports) build the registers after the room for the result
 * and encode from there, hence the 2 * 2^p buffer sizes.
 */
#include "reach_core.h"
#include "core_util.h"
#include "le.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TOKEN_R26_MAX	39
#define LINEAR_M		67108864.0	/* 2^26 token indices */

/* 3/2 ln2 zeta(3,5/4) / zeta(2,5/4)^2, hash4j's ML bias correction */
#define ULL_ML_BIAS_CORRECTION	0.48147376527720065
/* sqrt(ln2 / zeta(2,5/4)): RSE * sqrt(m) of the ULL ML estimator */
#define ULL_ML_RSE_FACTOR		0.7608621002725182
#define HLL_RSE_FACTOR			1.04

/* token i of an array starting at base */
static inline uint32_t
tok_get(const uint8_t *base, size_t i)
{
	return ie_get32(base + 4 * i);
}

static inline void
tok_put(uint8_t *base, size_t i, uint32_t v)
{
	ie_put32(base + 4 * i, v);
}

static inline uint32_t
hdr_count(const uint8_t *body)
{
	return ie_get32(body + 4);
}

static inline void
hdr_set_count(uint8_t *body, uint32_t n)
{
	ie_put32(body + 4, n);
}

static inline void
hdr_write(uint8_t *body, unsigned p, unsigned rep, unsigned flags, uint32_t count)
{
	body[0] = REACH_FORMAT_VERSION;
	body[1] = (uint8_t) p;
	body[2] = (uint8_t) rep;
	body[3] = (uint8_t) flags;
	hdr_set_count(body, count);
}

static inline uint8_t *
payload(uint8_t *body)
{
	return body + REACH_HEADER_SIZE;
}

static inline const uint8_t *
cpayload(const uint8_t *body)
{
	return body + REACH_HEADER_SIZE;
}

/* ---------------------------------------------------------------------
 * Sizes and thresholds
 * --------------------------------------------------------------------- */

/* most distinct tokens a sparse value may hold: 2^p / 4 */
static inline uint32_t
sparse_limit(unsigned p)
{
	return UINT32_C(1) << (p - 2);
}

/* largest SPARSE_BUFFER capacity the state grows to: 1.5 * 2^p / 4 */
static inline uint32_t
buffer_cap_max(unsigned p)
{
	return UINT32_C(3) << (p - 3);
}

static inline size_t
dense_size(unsigned p)
{
	return REACH_HEADER_SIZE + ((size_t) 1 << p);
}

/*
 * Next buffer capacity: the smallest 3 * 2^k above cap, at most
 * buffer_cap_max.  3 * 2^k keeps 8 + 4 * cap from ever equalling a DENSE
 * size 8 + 2^q, which is how regrow tells the two requests apart.
 */
static uint32_t
next_capacity(uint32_t cap, unsigned p)
{
	uint32_t	c = 6;

	while (c <= cap)
		c *= 2;
	if (c > buffer_cap_max(p))
		c = buffer_cap_max(p);
	return c;
}

/* q if len is a DENSE size 8 + 2^q for a valid q, else 0 */
static unsigned
dense_precision_of_size(size_t len)
{
	size_t		n;
	unsigned	q;

	if (len <= REACH_HEADER_SIZE)
		return 0;
	n = len - REACH_HEADER_SIZE;
	if ((n & (n - 1)) != 0)
		return 0;
	for (q = REACH_MIN_PRECISION; q <= REACH_MAX_PRECISION; q++)
		if (n == ((size_t) 1 << q))
			return q;
	return 0;
}

/* ---------------------------------------------------------------------
 * Tokens
 * --------------------------------------------------------------------- */

static inline uint32_t
make_token(uint64_t hash)
{
	uint32_t	idx = (uint32_t) (hash & 0x3FFFFFF);
	unsigned	r = 1 + ie_ctz64((hash >> 26) | (UINT64_C(1) << 38));

	return (idx << 6) | r;
}

/*
 * A 64-bit hash with the same low 26 bits and the same run above them as
 * the token: for p <= 26 it gives the same register index and u.
 */
static inline uint64_t
token_hash(uint32_t tok)
{
	uint64_t	h = tok >> 6;
	unsigned	r = tok & 63;

	if (r < TOKEN_R26_MAX)
		h |= UINT64_C(1) << (25 + r);
	return h;
}

static inline bool
token_valid(uint32_t tok)
{
	unsigned	r = tok & 63;

	return r >= 1 && r <= TOKEN_R26_MAX;
}

/* sort and drop repeats; returns the number kept */
static size_t
sort_unique(uint8_t *base, size_t n)
{
	size_t		i;
	size_t		k;

	if (n == 0)
		return 0;
	ie_sort_u32(base, n);
	k = 1;
	for (i = 1; i < n; i++)
	{
		uint32_t	v = tok_get(base, i);

		if (v != tok_get(base, k - 1))
			tok_put(base, k++, v);
	}
	return k;
}

/* is v in the sorted array base[0..n)? */
static bool
sorted_contains(const uint8_t *base, size_t n, uint32_t v)
{
	size_t		lo = 0;
	size_t		hi = n;

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;
		uint32_t	m = tok_get(base, mid);

		if (m == v)
			return true;
		if (m < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * Compact a SPARSE_BUFFER in place: sort, deduplicate, zero the freed
 * slots.  Returns the distinct count.
 *
 * After a compaction the buffer is a sorted prefix and later appends
 * follow it, so when the prefix is the larger part only the tail is
 * sorted; a linear walk against the prefix drops the tail's repeats (the
 * common case: rows repeating users already seen), and the few genuinely
 * new tokens are merged in from the back.  This keeps the amortised cost
 * per add near the cost of sorting the add itself.
 */
#define COMPACT_MERGE_MAX 256

static uint32_t
buffer_compact(uint8_t *body, size_t len)
{
	uint8_t    *t = payload(body);
	uint32_t	n = hdr_count(body);
	size_t		cap = (len - REACH_HEADER_SIZE) / 4;
	unsigned	p = body[1];
	size_t		sorted = 1;
	size_t		d;

	if (n <= 1)
		return n;
	while (sorted < n && tok_get(t, sorted - 1) < tok_get(t, sorted))
		sorted++;
	if (sorted == n)
		d = n;
	else if (sorted < 64)
		d = sort_unique(t, n);
	else
	{
		size_t		e = sort_unique(t + 4 * sorted, n - sorted);
		size_t		i = 0;
		size_t		w = sorted;
		size_t		r;

		for (r = sorted; r < sorted + e; r++)
		{
			uint32_t	v = tok_get(t, r);

			while (i < sorted && tok_get(t, i) < v)
				i++;
			if (i < sorted && tok_get(t, i) == v)
				continue;
			tok_put(t, w++, v);
		}
		e = w - sorted;
		if (e == 0)
			d = sorted;
		else if (e <= COMPACT_MERGE_MAX)
		{
			uint32_t	fresh[COMPACT_MERGE_MAX];
			size_t		k = sorted + e;
			size_t		a = sorted;

			for (r = 0; r < e; r++)
				fresh[r] = tok_get(t, sorted + r);
			/* backward merge of t[0..sorted) and fresh[0..e) */
			while (e > 0)
			{
				if (a > 0 && tok_get(t, a - 1) > fresh[e - 1])
				{
					tok_put(t, --k, tok_get(t, a - 1));
					a--;
				}
				else
					tok_put(t, --k, fresh[--e]);
			}
			d = w;
		}
		else if (n - w >= e)
		{
			/*
			 * Room behind them: move the new tokens to the end of the
			 * buffer and merge backwards; writes stay below the unread
			 * new tokens because at least e free slots separate them.
			 */
			size_t		from = n - e;
			size_t		k = w;
			size_t		a = sorted;

			memmove(t + 4 * from, t + 4 * sorted, 4 * e);
			while (e > 0)
			{
				if (a > 0 && tok_get(t, a - 1) > tok_get(t, from + e - 1))
				{
					tok_put(t, --k, tok_get(t, a - 1));
					a--;
				}
				else
				{
					tok_put(t, --k, tok_get(t, from + e - 1));
					e--;
				}
			}
			d = w;
		}
		else if (w > sparse_limit(p) ||
				 (cap < buffer_cap_max(p) && 4 * w > 3 * cap))
		{
			/*
			 * The caller is about to go dense or grow, neither of which
			 * needs order: leave the two sorted runs as they are.
			 */
			d = w;
		}
		else
			d = sort_unique(t, w);
	}
	if (d < n)
		memset(t + 4 * d, 0, 4 * (n - d));
	hdr_set_count(body, (uint32_t) d);
	return (uint32_t) d;
}

/* ---------------------------------------------------------------------
 * Registers
 * --------------------------------------------------------------------- */

static inline void
dense_add_token(uint8_t *regs, unsigned p, uint32_t tok)
{
	reach_dense_add_hash(regs, p, token_hash(tok));
}

/* HLL_ONLY update: u only, history bits stay zero (hash 0: see reach_dense_add_hash) */
static inline void
dense_add_hash_hll_only(uint8_t *regs, unsigned p, uint64_t hash)
{
	uint8_t    *r = regs + (hash & ((UINT64_C(1) << p) - 1));
	unsigned	u = 1 + ie_ctz64((hash >> p) | (UINT64_C(1) << (64 - p)));
	uint8_t		nv = (uint8_t) (u << 2);

	if (hash == 0)
		return;
	if (nv > *r)
		*r = nv;
}

static void
dense_add_tokens(uint8_t *regs, unsigned p, bool hll_only,
				 const uint8_t *toks, size_t n)
{
	size_t		i;

	if (hll_only)
		for (i = 0; i < n; i++)
			dense_add_hash_hll_only(regs, p, token_hash(tok_get(toks, i)));
	else
		for (i = 0; i < n; i++)
			dense_add_token(regs, p, tok_get(toks, i));
}

/*
 * dst (2^q registers) |= src (2^p registers, p >= q) folded to q.  See the
 * file header for why this is exact.  With hll_only the result keeps u only.
 */
static void
fold_union(uint8_t *dst, unsigned q, const uint8_t *src, unsigned p, bool hll_only)
{
	size_t		mq = (size_t) 1 << q;
	unsigned	d = p - q;
	size_t		nk = (size_t) 1 << d;
	size_t		j;
	uint8_t		clear = hll_only ? (uint8_t) ~3 : (uint8_t) 0xff;

	if (d == 0)
	{
		for (j = 0; j < mq; j++)
		{
			if (src[j] == 0)
			{
				dst[j] &= clear;
				continue;
			}
			dst[j] = reach_reg_pack(reach_reg_unpack(dst[j]) |
									reach_reg_unpack(src[j])) & clear;
		}
		return;
	}
	for (j = 0; j < mq; j++)
	{
		uint64_t	seen = reach_reg_unpack(dst[j]) |
			(reach_reg_unpack(src[j]) << d);
		size_t		k;

		for (k = 1; k < nk; k++)
			if (src[j + k * mq] != 0)
				seen |= UINT64_C(1) << (1 + ie_ctz64(k));
		if (seen != 0)
			dst[j] = reach_reg_pack(seen) & clear;
	}
}

static inline bool
register_valid(uint8_t r, unsigned p)
{
	unsigned	u = r >> 2;
	unsigned	h = r & 3;

	if (r == 0)
		return true;
	if (u < 1 || u > 65 - p)
		return false;
	if (u == 1 && h != 0)
		return false;
	if (u == 2 && (h & 1) != 0)
		return false;
	return true;
}

/* ---------------------------------------------------------------------
 * Validation
 * --------------------------------------------------------------------- */

/* ---------------------------------------------------------------------
 * DENSE_PACKED: the registers under a canonical Huffman code
 *
 * Code lengths.  Optimal lengths limited to PACK_MAX_LEN bits by
 * package-merge (Larmore & Hirschberg), fully deterministic: the leaves
 * (symbols present) sorted by (count, symbol) ascending; each of the
 * PACK_MAX_LEN - 1 steps pairs consecutive items of the previous list into
 * packages (weight = sum) and merges them with the leaf list, a leaf before
 * a package of equal weight; the first 2n - 2 items of the last list are
 * selected, a selected package selects the first 2k items of the list it
 * was made from (k = packages selected), and a symbol's length is the
 * number of lists in which it is selected.  One symbol: length 0.  The
 * result is a complete code (Kraft sum 1) whenever n >= 2.
 *
 * Why a limit of 16: the geometric upper tail of the register values
 * makes plain Huffman codes chain-shaped, up to ~p + 2 bits for p = 18; a
 * limit costs nothing measurable there (those symbols occur a handful of
 * times) and lets the decoder work from a 64-bit buffer with one refill
 * per three symbols and an 11-bit first-level table (PACK_TABLE_BITS).
 *
 * Why Huffman on the whole register byte, not a model: the joint
 * distribution of (u, history bits) is what it is at every cardinality,
 * and a per-sketch table adapts to it with no tuning, at 2 bytes per
 * distinct value (typically 25-45 of them).
 * --------------------------------------------------------------------- */

#define PACK_MAX_LEN	16
#define PACK_TABLE_BITS	11
#define PACK_MAX_ITEMS	512			/* list length bound: 2 * 256 - 1 */

static void
register_histogram(const uint8_t *regs, size_t m, uint32_t *hist)
{
	uint32_t	h2[256];
	size_t		i;

	/* two interleaved histograms: repeated values do not serialise */
	memset(hist, 0, 256 * sizeof(uint32_t));
	memset(h2, 0, sizeof(h2));
	for (i = 0; i + 1 < m; i += 2)
	{
		hist[regs[i]]++;
		h2[regs[i + 1]]++;
	}
	if (i < m)
		hist[regs[i]]++;
	for (i = 0; i < 256; i++)
		hist[i] += h2[i];
}

/*
 * Code lengths for the histogram (see above) into lens[256] (0 for absent
 * symbols); returns the number of symbols present.
 */
static unsigned
pack_code_lengths(const uint32_t *hist, uint8_t *lens)
{
	uint8_t		order[256];
	uint32_t	leafw[256];
	uint32_t	wa[PACK_MAX_ITEMS];
	uint32_t	wb[PACK_MAX_ITEMS];
	uint8_t		isleaf[PACK_MAX_LEN][PACK_MAX_ITEMS];
	unsigned	listlen[PACK_MAX_LEN];
	uint32_t   *prev = wa;
	uint32_t   *cur = wb;
	unsigned	n = 0;
	unsigned	s;
	unsigned	i;
	unsigned	lev;
	unsigned	c;

	memset(lens, 0, 256);
	for (s = 0; s < 256; s++)
	{
		uint32_t	w = hist[s];

		if (w == 0)
			continue;
		/* insertion by count; equal counts stay in symbol order */
		i = n++;
		while (i > 0 && leafw[i - 1] > w)
		{
			leafw[i] = leafw[i - 1];
			order[i] = order[i - 1];
			i--;
		}
		leafw[i] = w;
		order[i] = (uint8_t) s;
	}
	if (n <= 1)
		return n;

	/* list 0: the leaves alone (the deepest level) */
	for (i = 0; i < n; i++)
	{
		prev[i] = leafw[i];
		isleaf[0][i] = 1;
	}
	listlen[0] = n;
	for (lev = 1; lev < PACK_MAX_LEN; lev++)
	{
		unsigned	npk = listlen[lev - 1] / 2;
		unsigned	a = 0;		/* next leaf */
		unsigned	b = 0;		/* next package */
		unsigned	k = 0;
		uint32_t   *t;

		while (a < n || b < npk)
		{
			if (b >= npk ||
				(a < n && leafw[a] <= prev[2 * b] + prev[2 * b + 1]))
			{
				cur[k] = leafw[a++];
				isleaf[lev][k++] = 1;
			}
			else
			{
				cur[k] = prev[2 * b] + prev[2 * b + 1];
				b++;
				isleaf[lev][k++] = 0;
			}
		}
		listlen[lev] = k;
		t = prev;
		prev = cur;
		cur = t;
	}
	/* select 2n - 2 items of the last list and expand packages downwards */
	c = 2 * n - 2;
	for (lev = PACK_MAX_LEN; lev-- > 0;)
	{
		unsigned	leaves = 0;

		for (i = 0; i < c; i++)
			leaves += isleaf[lev][i];
		for (i = 0; i < leaves; i++)
			lens[order[i]]++;
		c = 2 * (c - leaves);
	}
	return n;
}

/* canonical code values from lengths (DEFLATE's rule) */
static void
pack_codes(const uint8_t *lens, uint32_t *codes)
{
	uint32_t	cnt[PACK_MAX_LEN + 1];
	uint32_t	next[PACK_MAX_LEN + 1];
	uint32_t	code = 0;
	unsigned	l;
	unsigned	s;

	memset(cnt, 0, sizeof(cnt));
	for (s = 0; s < 256; s++)
		cnt[lens[s]]++;
	for (l = 1; l <= PACK_MAX_LEN; l++)
	{
		next[l] = code;
		code = (code + cnt[l]) << 1;
	}
	for (s = 0; s < 256; s++)
		if (lens[s] != 0)
			codes[s] = next[lens[s]]++;
}

/* body size of the packed form for these lengths and counts */
static size_t
pack_size(const uint32_t *hist, const uint8_t *lens, unsigned nsym)
{
	uint64_t	bits = 0;
	unsigned	s;

	for (s = 0; s < 256; s++)
		bits += (uint64_t) hist[s] * lens[s];
	return REACH_HEADER_SIZE + 2 * (size_t) nsym + (size_t) ((bits + 7) / 8);
}

static inline uint64_t
load_be64(const uint8_t *p)
{
#if defined(__GNUC__) || defined(__clang__)
	uint64_t	v;

	memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
#else
	uint64_t	v = 0;
	int			i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
#endif
}

static inline void
store_be64(uint8_t *p, uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(p, &v, 8);
#else
	int			i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t) (v >> (56 - 8 * i));
#endif
}

/*
 * Write the packed form of the 2^p registers regs into dst (which must
 * hold size bytes, as pack_size returned; regs must not overlap it).  The
 * accumulator holds nb < 8 pending bits at its top between flushes; three
 * codes (at most 48 bits) then one 8-byte store while 8 bytes remain, so
 * nothing is written past dst + size.
 */
static void
pack_encode(uint8_t *dst, size_t size, unsigned p, unsigned flags,
			const uint8_t *regs, const uint8_t *lens, unsigned nsym)
{
	uint32_t	codes[256];
	uint8_t    *out = payload(dst);
	uint8_t    *end = dst + size;
	size_t		m = (size_t) 1 << p;
	uint64_t	acc = 0;
	unsigned	nb = 0;
	size_t		i = 0;
	unsigned	s;

	hdr_write(dst, p, REACH_REP_DENSE_PACKED, flags, nsym);
	for (s = 0; s < 256; s++)
		if (lens[s] != 0 || (nsym == 1 && s == regs[0]))
		{
			*out++ = (uint8_t) s;
			*out++ = lens[s];
		}
	if (nsym == 1)
		return;
	pack_codes(lens, codes);
	while (m - i >= 3 && end - out >= 8)
	{
		int			k;

		for (k = 0; k < 3; k++)
		{
			uint8_t		r = regs[i++];

			nb += lens[r];
			acc |= (uint64_t) codes[r] << (64 - nb);
		}
		store_be64(out, acc);
		out += nb >> 3;
		acc <<= nb & ~7u;
		nb &= 7;
	}
	while (i < m)
	{
		uint8_t		r = regs[i++];

		nb += lens[r];
		acc |= (uint64_t) codes[r] << (64 - nb);
		while (nb >= 8)
		{
			*out++ = (uint8_t) (acc >> 56);
			acc <<= 8;
			nb -= 8;
		}
	}
	if (nb > 0)
		*out++ = (uint8_t) (acc >> 56);
}

/*
 * The canonical form of 2^p registers at regs: DENSE_PACKED if smaller
 * than DENSE, else DENSE.  dst holds dense_size(p) bytes; regs must not
 * overlap them (callers build registers in scratch space after them).
 * Returns the length written.
 */
static size_t
dense_canonical(uint8_t *dst, unsigned p, unsigned flags, const uint8_t *regs)
{
	uint32_t	hist[256];
	uint8_t		lens[256];
	unsigned	nsym;
	size_t		size;
	size_t		m = (size_t) 1 << p;

	register_histogram(regs, m, hist);
	nsym = pack_code_lengths(hist, lens);
	size = pack_size(hist, lens, nsym);
	if (size < dense_size(p))
	{
		pack_encode(dst, size, p, flags, regs, lens, nsym);
		return size;
	}
	memmove(payload(dst), regs, m);
	hdr_write(dst, p, REACH_REP_DENSE, flags, 0);
	return dense_size(p);
}

/* would the packed form of these registers be smaller than DENSE? */
static bool
dense_packs_smaller(const uint8_t *regs, unsigned p)
{
	uint32_t	hist[256];
	uint8_t		lens[256];
	unsigned	nsym;

	register_histogram(regs, (size_t) 1 << p, hist);
	nsym = pack_code_lengths(hist, lens);
	return pack_size(hist, lens, nsym) < dense_size(p);
}

/*
 * Decoder.  pd_init reads the table and builds the lookup structures; it
 * never reads outside the body and refuses a table it cannot decode with
 * (bad count, lengths out of range, an over-full code), so the decoder is
 * safe on any bytes, but reach_validate is what proves a value canonical.
 *
 * The first-level table is indexed by the next PACK_TABLE_BITS bits and
 * gives one symbol, or two when both codes fit in those bits (most do: the
 * average code is about 4 bits), which halves the lookups, the serial
 * dependency of a Huffman decoder.  Entry: first symbol (bits 0-7), second
 * (8-15), bits consumed (16-20), first code's length (21-25), symbols
 * (26-27); 0 for a longer code, found by the canonical first-code search.
 *
 * The bit buffer holds nb valid bits at its top; refills load 8 bytes at
 * once while 8 remain (Giesen's branchless refill: the bits below the
 * valid ones are stream bits that the next refill ORs in again), else byte
 * by byte, with zero bits past the end that are counted in `virt` so the
 * caller can tell a stream that ran short.  After a refill at least 56
 * bits are valid: three lookups of at most 16 bits each.
 */
#define PD_SYM1(e)	((e) & 0xff)
#define PD_SYM2(e)	(((e) >> 8) & 0xff)
#define PD_BITS(e)	(((e) >> 16) & 31)
#define PD_LEN1(e)	(((e) >> 21) & 31)
#define PD_COUNT(e)	((e) >> 26)

typedef struct PackedDecoder
{
	unsigned	p;
	unsigned	nsym;
	unsigned	single;			/* the symbol when nsym == 1 */
	unsigned	maxlen;
	unsigned	tbits;			/* first-level table index bits */
	uint32_t	first[PACK_MAX_LEN + 2];	/* first code of each length */
	uint32_t	cnt[PACK_MAX_LEN + 2];	/* codes of each length */
	uint32_t	off[PACK_MAX_LEN + 2];	/* their index in sorted[] */
	uint8_t		sorted[256];	/* symbols by (length, symbol) */
	const uint8_t *start;		/* stream */
	const uint8_t *p_in;
	const uint8_t *end;
	uint64_t	buf;
	unsigned	nb;
	uint64_t	virt;			/* zero bytes read past the end */
	uint32_t	tab[1 << PACK_TABLE_BITS];
} PackedDecoder;

/* NULL on success, else what is wrong with the table */
static const char *
pd_init(PackedDecoder *d, const uint8_t *body, size_t len)
{
	uint32_t	nsym = hdr_count(body);
	const uint8_t *t = cpayload(body);
	uint32_t	kraft = 0;
	uint32_t	code;
	uint32_t	x;
	uint32_t	tmask;
	unsigned	i;
	unsigned	l;

	d->p = body[1];
	if (nsym < 1 || nsym > 256)
		return ie_fail("dense_packed symbol count %u is out of range (1..256)", nsym);
	if ((uint64_t) len < REACH_HEADER_SIZE + 2 * (uint64_t) nsym)
		return ie_fail("truncated: %zu bytes, the dense_packed table of %u symbols needs %llu",
					len, nsym, (unsigned long long) (REACH_HEADER_SIZE + 2 * (uint64_t) nsym));
	d->nsym = nsym;
	d->start = d->p_in = t + 2 * nsym;
	d->end = body + len;
	d->buf = 0;
	d->nb = 0;
	d->virt = 0;
	if (nsym == 1)
	{
		if (t[1] != 0)
			return ie_fail("dense_packed single symbol has code length %u, expected 0", t[1]);
		d->single = t[0];
		d->maxlen = 0;
		return NULL;
	}
	memset(d->cnt, 0, sizeof(d->cnt));
	d->maxlen = 0;
	for (i = 0; i < nsym; i++)
	{
		l = t[2 * i + 1];
		if (l < 1 || l > PACK_MAX_LEN)
			return ie_fail("dense_packed code length %u of symbol 0x%02x is out of range (1..%d)",
						l, t[2 * i], PACK_MAX_LEN);
		d->cnt[l]++;
		kraft += UINT32_C(1) << (PACK_MAX_LEN - l);
		if (l > d->maxlen)
			d->maxlen = l;
	}
	if (kraft > (UINT32_C(1) << PACK_MAX_LEN))
		return ie_fail("dense_packed code lengths are not a prefix code (Kraft sum %u/65536 > 1)",
					kraft);
	/* canonical first codes and positions */
	code = 0;
	d->first[0] = 0;
	d->off[0] = 0;
	d->off[1] = 0;
	for (l = 1; l <= PACK_MAX_LEN; l++)
	{
		d->first[l] = code;
		code = (code + d->cnt[l]) << 1;
		if (l > 1)
			d->off[l] = d->off[l - 1] + d->cnt[l - 1];
	}
	{
		uint32_t	pos[PACK_MAX_LEN + 1];

		memcpy(pos, d->off, sizeof(pos));
		for (i = 0; i < nsym; i++)
			d->sorted[pos[t[2 * i + 1]]++] = t[2 * i];
	}
	/* first-level table: single symbols ... */
	d->tbits = d->maxlen < PACK_TABLE_BITS ? d->maxlen : PACK_TABLE_BITS;
	tmask = (UINT32_C(1) << d->tbits) - 1;
	memset(d->tab, 0, sizeof(uint32_t) << d->tbits);
	for (l = 1; l <= d->tbits; l++)
	{
		uint32_t	j;

		for (j = 0; j < d->cnt[l]; j++)
		{
			uint32_t	c = d->first[l] + j;
			uint32_t	lo = c << (d->tbits - l);
			uint32_t	n = UINT32_C(1) << (d->tbits - l);
			uint32_t	e = d->sorted[d->off[l] + j] | (l << 16) | (l << 21) |
				(UINT32_C(1) << 26);
			uint32_t	k;

			for (k = 0; k < n; k++)
				d->tab[lo + k] = e;
		}
	}
	/* ... then pairs where a second whole code follows within the index */
	for (x = 0; x <= tmask; x++)
	{
		uint32_t	e = d->tab[x];
		uint32_t	l1 = PD_LEN1(e);
		uint32_t	e2;

		if (e == 0 || l1 >= d->tbits)
			continue;
		e2 = d->tab[(x << l1) & tmask];
		if (e2 != 0 && l1 + PD_LEN1(e2) <= d->tbits)
			d->tab[x] = PD_SYM1(e) | (PD_SYM1(e2) << 8) |
				((l1 + PD_LEN1(e2)) << 16) | (l1 << 21) | (UINT32_C(2) << 26);
	}
	return NULL;
}

static inline void
pd_refill(PackedDecoder *d, uint64_t *buf, unsigned *nb, const uint8_t **pin,
		  const uint8_t *end)
{
	if (end - *pin >= 8)
	{
		*buf |= load_be64(*pin) >> *nb;
		*pin += (63 - *nb) >> 3;
		*nb |= 56;
	}
	else
	{
		while (*nb <= 56)
		{
			if (*pin < end)
				*buf |= (uint64_t) *(*pin)++ << (56 - *nb);
			else
				d->virt++;
			*nb += 8;
		}
	}
}

/* a code longer than the table: the symbol and its length, or false */
static bool
pd_long(const PackedDecoder *d, uint64_t buf, unsigned *sym, unsigned *len)
{
	unsigned	l;

	for (l = d->tbits + 1; l <= d->maxlen; l++)
	{
		uint32_t	c = (uint32_t) (buf >> (64 - l));

		if (c >= d->first[l] && c - d->first[l] < d->cnt[l])
		{
			*sym = d->sorted[d->off[l] + c - d->first[l]];
			*len = l;
			return true;
		}
	}
	return false;
}

/*
 * Decode the next n registers into out (if not NULL) and count them in
 * hist (if not NULL).  false on a bit pattern that is no code (only
 * possible for an incomplete code, which validation rejects).
 */
static inline bool
pd_decode(PackedDecoder *d, uint8_t *out, uint32_t *hist, size_t n)
{
	uint64_t	buf = d->buf;
	unsigned	nb = d->nb;
	const uint8_t *pin = d->p_in;
	const uint8_t *end = d->end;
	const uint32_t *tab = d->tab;
	unsigned	shift = 64 - d->tbits;
	size_t		i = 0;

	if (d->nsym == 1)
	{
		if (out)
			memset(out, (int) d->single, n);
		if (hist)
			hist[d->single] += (uint32_t) n;
		return true;
	}
	/* three lookups (at most six symbols, 48 bits) per refill */
	while (n - i >= 6)
	{
		int			k;

		pd_refill(d, &buf, &nb, &pin, end);
		for (k = 0; k < 3; k++)
		{
			uint32_t	e = tab[buf >> shift];
			unsigned	l;

			if (e != 0)
			{
				unsigned	c = PD_COUNT(e);

				l = PD_BITS(e);
				if (out)
				{
					out[i] = (uint8_t) PD_SYM1(e);
					out[i + 1] = (uint8_t) PD_SYM2(e);
				}
				if (hist)
				{
					hist[PD_SYM1(e)]++;
					hist[PD_SYM2(e)] += c - 1;
				}
				i += c;
			}
			else
			{
				unsigned	s;

				if (!pd_long(d, buf, &s, &l))
					return false;
				if (out)
					out[i] = (uint8_t) s;
				if (hist)
					hist[s]++;
				i++;
			}
			buf <<= l;
			nb -= l;
		}
	}
	/* the rest one symbol at a time */
	while (i < n)
	{
		uint32_t	e;
		unsigned	l;
		unsigned	s;

		if (nb < PACK_MAX_LEN)
			pd_refill(d, &buf, &nb, &pin, end);
		e = tab[buf >> shift];
		if (e != 0)
		{
			s = PD_SYM1(e);
			l = PD_LEN1(e);
		}
		else if (!pd_long(d, buf, &s, &l))
			return false;
		buf <<= l;
		nb -= l;
		if (out)
			out[i] = (uint8_t) s;
		if (hist)
			hist[s]++;
		i++;
	}
	d->buf = buf;
	d->nb = nb;
	d->p_in = pin;
	return true;
}

/*
 * After decoding all 2^p registers: NULL if the stream ended exactly
 * there (whole bytes, zero padding), else what is wrong.
 */
static const char *
pd_finish(PackedDecoder *d)
{
	uint64_t	bytes = (uint64_t) (d->end - d->start);
	uint64_t	used = 8 * ((uint64_t) (d->p_in - d->start) + d->virt) - d->nb;

	if (d->nsym == 1)
	{
		if (bytes != 0)
			return ie_fail("trailing bytes: %llu stream bytes after a single-symbol dense_packed table",
						(unsigned long long) bytes);
		return NULL;
	}
	if (used > 8 * bytes)
		return ie_fail("truncated: the dense_packed stream needs %llu bits, it has %llu",
					(unsigned long long) used, (unsigned long long) (8 * bytes));
	if ((used + 7) / 8 != bytes)
		return ie_fail("trailing bytes: dense_packed stream of %llu bytes, its %llu bits need %llu",
					(unsigned long long) bytes, (unsigned long long) used,
					(unsigned long long) ((used + 7) / 8));
	if (used % 8 != 0 &&
		(d->end[-1] & ((1u << (8 - used % 8)) - 1)) != 0)
		return ie_fail("dense_packed padding bits are not zero");
	return NULL;
}

/* decode the whole value into 2^p registers at regs; false if it fails */
static bool
packed_expand_regs(uint8_t *regs, const uint8_t *body, size_t len)
{
	PackedDecoder d;

	if (pd_init(&d, body, len) != NULL)
		return false;
	if (!pd_decode(&d, regs, NULL, (size_t) 1 << d.p))
		return false;
	return pd_finish(&d) == NULL;
}

/* the register histogram of a packed value; false if it fails */
static bool
packed_histogram(const uint8_t *body, size_t len, uint32_t *hist)
{
	PackedDecoder d;

	memset(hist, 0, 256 * sizeof(uint32_t));
	if (pd_init(&d, body, len) != NULL)
		return false;
	if (!pd_decode(&d, NULL, hist, (size_t) 1 << d.p))
		return false;
	return pd_finish(&d) == NULL;
}

/*
 * dst (2^q registers) |= the registers n registers of a 2^p array whose
 * first is number base, folded to q (q <= p): fold_union, one source
 * register at a time (union then top three positions commutes, so the
 * order does not matter).
 */
static void
fold_union_range(uint8_t *dst, unsigned q, const uint8_t *src, size_t base,
				 size_t n, unsigned p, bool hll_only)
{
	size_t		mq = (size_t) 1 << q;
	unsigned	d = p - q;
	uint8_t		clear = hll_only ? (uint8_t) ~3 : (uint8_t) 0xff;
	size_t		t;

	for (t = 0; t < n; t++)
	{
		size_t		i = base + t;
		size_t		j = i & (mq - 1);
		size_t		k = i >> q;
		uint8_t		r = src[t];
		uint64_t	seen;

		if (k == 0)
			seen = reach_reg_unpack(dst[j]) | (reach_reg_unpack(r) << d);
		else if (r != 0)
			seen = reach_reg_unpack(dst[j]) | (UINT64_C(1) << (1 + ie_ctz64(k)));
		else
			continue;
		if (seen != 0)
			dst[j] = reach_reg_pack(seen) & clear;
	}
}

/* fold_union with a packed source; false if it does not decode */
static bool
packed_fold_union(uint8_t *dst, unsigned q, const uint8_t *body, size_t len,
				  bool hll_only)
{
	PackedDecoder d;
	uint8_t		chunk[2048];
	size_t		m;
	size_t		base;

	if (pd_init(&d, body, len) != NULL)
		return false;
	m = (size_t) 1 << d.p;
	for (base = 0; base < m; base += sizeof(chunk))
	{
		size_t		n = m - base < sizeof(chunk) ? m - base : sizeof(chunk);

		if (!pd_decode(&d, chunk, NULL, n))
			return false;
		fold_union_range(dst, q, chunk, base, n, d.p, hll_only);
	}
	return pd_finish(&d) == NULL;
}


const char *
reach_validate(const uint8_t *body, size_t len)
{
	unsigned	version;
	unsigned	p;
	unsigned	rep;
	unsigned	flags;
	uint32_t	count;

	if (body == NULL && len > 0)
		return ie_fail("reach_sketch data is missing");
	if (len < REACH_HEADER_SIZE)
		return ie_fail("truncated: %zu bytes, the reach_sketch header alone is %d",
					len, REACH_HEADER_SIZE);
	version = body[0];
	p = body[1];
	rep = body[2];
	flags = body[3];
	count = hdr_count(body);

	if (version != REACH_FORMAT_VERSION)
		return ie_fail("reach_sketch format version %u is not supported (expected %d)",
					version, REACH_FORMAT_VERSION);
	if (p < REACH_MIN_PRECISION || p > REACH_MAX_PRECISION)
		return ie_fail("precision %u is out of range (%d..%d)",
					p, REACH_MIN_PRECISION, REACH_MAX_PRECISION);
	if ((flags & ~REACH_FLAG_HLL_ONLY) != 0)
		return ie_fail("reserved flag bits set (flags 0x%02x)", flags);

	switch (rep)
	{
		case REACH_REP_SPARSE:
			{
				const uint8_t *t = cpayload(body);
				uint64_t	expect = REACH_HEADER_SIZE + 4 * (uint64_t) count;
				uint32_t	i;

				if (flags & REACH_FLAG_HLL_ONLY)
					return ie_fail("hll_only flag set on a sparse representation");
				if ((uint64_t) len < expect)
					return ie_fail("truncated: %zu bytes for %u sparse entries, expected %llu",
								len, count, (unsigned long long) expect);
				if ((uint64_t) len > expect)
					return ie_fail("trailing bytes: %zu bytes for %u sparse entries, expected %llu",
								len, count, (unsigned long long) expect);
				if (count > sparse_limit(p))
					return ie_fail("sparse representation holds %u entries, more than the %u allowed at precision %u",
								count, sparse_limit(p), p);
				for (i = 0; i < count; i++)
				{
					uint32_t	v = tok_get(t, i);

					if (!token_valid(v))
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
		case REACH_REP_DENSE:
			{
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
					if ((flags & REACH_FLAG_HLL_ONLY) && (r[i] & 3) != 0)
						return ie_fail("register %zu has history bits in an hll_only sketch (value 0x%02x)",
									i, r[i]);
				}
				return NULL;
			}
		case REACH_REP_DENSE_PACKED:
			{
				PackedDecoder d;
				const uint8_t *t = cpayload(body);
				uint32_t	hist[256];
				uint8_t		lens[256];
				uint32_t	kraft = 0;
				const char *msg;
				uint32_t	i;

				if (len >= dense_size(p))
					return ie_fail("dense_packed value of %zu bytes is not smaller than the %zu-byte dense form of precision %u",
								len, dense_size(p), p);
				if ((msg = pd_init(&d, body, len)) != NULL)
					return msg;
				for (i = 0; i < count; i++)
				{
					uint8_t		s = t[2 * i];

					if (i > 0 && s <= t[2 * (i - 1)])
						return ie_fail("dense_packed symbols out of order or repeated at symbol %u", i);
					if (!register_valid(s, p))
						return ie_fail("dense_packed symbol %u is an invalid register value 0x%02x", i, s);
					if ((flags & REACH_FLAG_HLL_ONLY) && (s & 3) != 0)
						return ie_fail("dense_packed symbol %u has history bits in an hll_only sketch (value 0x%02x)",
									i, s);
					if (count > 1)
						kraft += UINT32_C(1) << (PACK_MAX_LEN - t[2 * i + 1]);
				}
				if (count > 1 && kraft != (UINT32_C(1) << PACK_MAX_LEN))
					return ie_fail("dense_packed code is incomplete (Kraft sum %u/65536)", kraft);
				memset(hist, 0, sizeof(hist));
				if (!pd_decode(&d, NULL, hist, (size_t) 1 << p))
					return ie_fail("dense_packed stream holds a bit pattern that is no code");
				if ((msg = pd_finish(&d)) != NULL)
					return msg;
				pack_code_lengths(hist, lens);
				for (i = 0; i < count; i++)
				{
					uint8_t		s = t[2 * i];

					if (lens[s] != t[2 * i + 1] || hist[s] == 0)
						return ie_fail("dense_packed code lengths are not the canonical ones for these registers (symbol 0x%02x: %u bits, %u expected, %u occurrences)",
									s, t[2 * i + 1], lens[s], hist[s]);
				}
				return NULL;
			}
		case REACH_REP_SPARSE_BUFFER:
			{
				const uint8_t *t = cpayload(body);
				size_t		cap;
				size_t		i;

				if (flags & REACH_FLAG_HLL_ONLY)
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

					if (!token_valid(v))
						return ie_fail("sparse entry %zu is invalid (0x%08x)", i, v);
				}
				for (; i < cap; i++)
					if (tok_get(t, i) != 0)
						return ie_fail("sparse buffer slot %zu is past the entry count but not zero", i);
				return NULL;
			}
		default:
			return ie_fail("representation %u is unknown", rep);
	}
}

/* ---------------------------------------------------------------------
 * Aggregate state
 * --------------------------------------------------------------------- */

size_t
reach_state_initial_size(void)
{
	return REACH_HEADER_SIZE + 4 * 12;
}

bool
reach_state_init(uint8_t *body, size_t len, int precision)
{
	if (precision < REACH_MIN_PRECISION || precision > REACH_MAX_PRECISION)
		return false;
	if (len < REACH_HEADER_SIZE || (len - REACH_HEADER_SIZE) % 4 != 0 ||
		(len - REACH_HEADER_SIZE) / 4 > UINT32_MAX)
		return false;
	hdr_write(body, (unsigned) precision, REACH_REP_SPARSE_BUFFER, 0, 0);
	memset(payload(body), 0, len - REACH_HEADER_SIZE);
	return true;
}

bool
reach_init_empty(uint8_t *body, size_t len, int precision)
{
	if (precision < REACH_MIN_PRECISION || precision > REACH_MAX_PRECISION ||
		len < REACH_HEADER_SIZE)
		return false;
	hdr_write(body, (unsigned) precision, REACH_REP_SPARSE, 0, 0);
	return true;
}

/*
 * Append tokens src[0..n) to the SPARSE_BUFFER body, compacting when it is
 * full.  Returns 0 when all are absorbed, else the size to regrow to: the
 * DENSE size once a compaction has counted more than 2^p/4 distinct tokens,
 * or a larger buffer when it is still over 3/4 full after compaction.
 */
static size_t
buffer_absorb(uint8_t *body, size_t len, const uint8_t *src, size_t n)
{
	unsigned	p = body[1];
	uint32_t	cap = (uint32_t) ((len - REACH_HEADER_SIZE) / 4);
	uint32_t	count = hdr_count(body);
	size_t		i = 0;

	while (i < n)
	{
		size_t		k;

		if (count == cap)
		{
			uint32_t	d = buffer_compact(body, len);

			count = d;
			if (d > sparse_limit(p))
				return dense_size(p);
			if (d == cap ||
				(cap < buffer_cap_max(p) && (uint64_t) 4 * d > (uint64_t) 3 * cap))
				return REACH_HEADER_SIZE + 4 * (size_t) next_capacity(cap, p);
		}
		k = cap - count;
		if (k > n - i)
			k = n - i;
		memcpy(payload(body) + 4 * (size_t) count, src + 4 * i, 4 * k);
		count += (uint32_t) k;
		i += k;
		hdr_set_count(body, count);
	}
	return 0;
}

size_t
reach_state_add_slow(uint8_t *body, size_t len, uint64_t hash)
{
	uint8_t		tok[4];

	switch (body[2])
	{
		case REACH_REP_DENSE:
			if (body[3] & REACH_FLAG_HLL_ONLY)
				dense_add_hash_hll_only(payload(body), body[1], hash);
			else
				reach_dense_add_hash(payload(body), body[1], hash);
			return 0;
		case REACH_REP_DENSE_PACKED:
			/* a stored value used as a state: regrow expands it */
			return dense_size(body[1]);
		case REACH_REP_SPARSE:
			/* a stored value used as a state: it is a full buffer */
			body[2] = REACH_REP_SPARSE_BUFFER;
			/* FALLTHROUGH */
		default:
			{
				uint32_t	count = hdr_count(body);

				if ((size_t) count < (len - REACH_HEADER_SIZE) / 4)
				{
					tok_put(payload(body), count, make_token(hash));
					hdr_set_count(body, count + 1);
					return 0;
				}
				ie_put32(tok, make_token(hash));
				return buffer_absorb(body, len, tok, 1);
			}
	}
}

size_t
reach_state_merge(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen)
{
	unsigned	pd = dst[1];
	unsigned	ps = src[1];
	unsigned	q = pd < ps ? pd : ps;
	bool		src_dense = src[2] == REACH_REP_DENSE ||
		src[2] == REACH_REP_DENSE_PACKED;

	/* a stored packed value used as a state: regrow expands (and folds) it */
	if (dst[2] == REACH_REP_DENSE_PACKED)
		return dense_size(q);
	if (dst[2] == REACH_REP_DENSE)
	{
		bool		hll_only;

		if (pd > q)
			return dense_size(q);	/* fold dst down first */
		hll_only = ((dst[3] | src[3]) & REACH_FLAG_HLL_ONLY) != 0;
		if (hll_only && !(dst[3] & REACH_FLAG_HLL_ONLY))
		{
			size_t		i;
			size_t		m = (size_t) 1 << pd;

			for (i = 0; i < m; i++)
				payload(dst)[i] &= (uint8_t) ~3;
			dst[3] |= REACH_FLAG_HLL_ONLY;
		}
		if (src[2] == REACH_REP_DENSE_PACKED)
			(void) packed_fold_union(payload(dst), pd, src, srclen, hll_only);
		else if (src_dense)
			fold_union(payload(dst), pd, cpayload(src), ps, hll_only);
		else
			dense_add_tokens(payload(dst), pd, hll_only, cpayload(src),
							 hdr_count(src));
		return 0;
	}

	/* dst is sparse: tokens do not depend on the precision */
	if (dst[2] == REACH_REP_SPARSE)
		dst[2] = REACH_REP_SPARSE_BUFFER;
	if (pd > q)
		dst[1] = (uint8_t) q;
	if (src_dense)
		return dense_size(q);
	return buffer_absorb(dst, dstlen, cpayload(src), hdr_count(src));
}

bool
reach_state_regrow(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen)
{
	unsigned	ps = src[1];
	unsigned	q = dense_precision_of_size(dstlen);
	bool		src_dense = src[2] == REACH_REP_DENSE ||
		src[2] == REACH_REP_DENSE_PACKED;

	if (q != 0)
	{
		bool		hll_only = (src[3] & REACH_FLAG_HLL_ONLY) != 0;

		if (q > ps)
			return false;
		hdr_write(dst, q, REACH_REP_DENSE, src[3] & REACH_FLAG_HLL_ONLY, 0);
		if (src[2] == REACH_REP_DENSE_PACKED && q == ps)
			return packed_expand_regs(payload(dst), src, srclen);
		memset(payload(dst), 0, (size_t) 1 << q);
		if (src[2] == REACH_REP_DENSE_PACKED)
			return packed_fold_union(payload(dst), q, src, srclen, hll_only);
		if (src_dense)
			fold_union(payload(dst), q, cpayload(src), ps, hll_only);
		else
			dense_add_tokens(payload(dst), q, false, cpayload(src),
							 hdr_count(src));
		return true;
	}
	if (src_dense)
		return false;
	if (!reach_state_init(dst, dstlen, (int) ps))
		return false;
	return buffer_absorb(dst, dstlen, cpayload(src), hdr_count(src)) == 0;
}

/* ---------------------------------------------------------------------
 * Canonical form
 * --------------------------------------------------------------------- */

size_t
reach_canonical_size(const uint8_t *body, size_t len)
{
	uint32_t	n;
	unsigned	p = body[1];

	if (body[2] != REACH_REP_SPARSE_BUFFER)
		return len;
	n = hdr_count(body);
	if (n <= sparse_limit(p))
		return REACH_HEADER_SIZE + 4 * (size_t) n;
	/* the dense result, then room to build the registers before packing */
	return dense_size(p) + ((size_t) 1 << p);
}

int
reach_precision(const uint8_t *body, size_t len)
{
	(void) len;
	return body[1];
}

bool
reach_canonical_by_header(const uint8_t *body, size_t len)
{
	return len >= REACH_HEADER_SIZE && body[0] == REACH_FORMAT_VERSION &&
		(body[2] == REACH_REP_SPARSE || body[2] == REACH_REP_DENSE_PACKED);
}

bool
reach_needs_canonicalize(const uint8_t *body, size_t len)
{
	(void) len;
	if (body[2] == REACH_REP_DENSE)
		return dense_packs_smaller(cpayload(body), body[1]);
	return body[2] == REACH_REP_SPARSE_BUFFER;
}

size_t
reach_canonicalize(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen)
{
	unsigned	p = src[1];
	uint32_t	n;
	uint32_t	limit = sparse_limit(p);
	const uint8_t *st = cpayload(src);
	uint8_t    *dt = payload(dst);
	uint32_t	d = 0;
	uint32_t	i = 0;
	bool		dense = false;

	if (dstlen < reach_canonical_size(src, srclen))
		return 0;
	if (src[2] == REACH_REP_DENSE)
		return dense_canonical(dst, p, src[3], cpayload(src));
	if (src[2] != REACH_REP_SPARSE_BUFFER)
	{
		memcpy(dst, src, srclen);
		return srclen;
	}

	/*
	 * Count distinct tokens using dst's first 2^p/4 slots as scratch: fill,
	 * compact when full; once compaction leaves it full, any further token
	 * not in it proves more than 2^p/4 distinct.
	 */
	n = hdr_count(src);
	while (i < n)
	{
		uint32_t	room = limit - d;
		uint32_t	k = n - i < room ? n - i : room;

		memcpy(dt + 4 * (size_t) d, st + 4 * (size_t) i, 4 * (size_t) k);
		i += k;
		d = (uint32_t) sort_unique(dt, (size_t) d + k);
		if (d == limit)
		{
			for (; i < n; i++)
				if (!sorted_contains(dt, d, tok_get(st, i)))
				{
					dense = true;
					break;
				}
			break;
		}
	}
	if (!dense)
	{
		hdr_write(dst, p, REACH_REP_SPARSE, 0, d);
		return REACH_HEADER_SIZE + 4 * (size_t) d;
	}
	/* registers in the scratch half, then the canonical dense form */
	memset(dt + ((size_t) 1 << p), 0, (size_t) 1 << p);
	dense_add_tokens(dt + ((size_t) 1 << p), p, false, st, n);
	return dense_canonical(dst, p, 0, dt + ((size_t) 1 << p));
}

size_t
reach_expanded_size(const uint8_t *body, size_t len)
{
	if (len >= REACH_HEADER_SIZE && body[2] == REACH_REP_DENSE_PACKED &&
		body[1] >= REACH_MIN_PRECISION && body[1] <= REACH_MAX_PRECISION)
		return dense_size(body[1]);
	return len;
}

bool
reach_expand(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen)
{
	unsigned	p;

	if (srclen < REACH_HEADER_SIZE)
		return false;
	if (src[2] != REACH_REP_DENSE_PACKED)
	{
		if (dstlen < srclen)
			return false;
		memcpy(dst, src, srclen);
		return true;
	}
	p = src[1];
	if (p < REACH_MIN_PRECISION || p > REACH_MAX_PRECISION || dstlen < dense_size(p))
		return false;
	hdr_write(dst, p, REACH_REP_DENSE, src[3], 0);
	return packed_expand_regs(payload(dst), src, srclen);
}

/* ---------------------------------------------------------------------
 * Estimation
 * --------------------------------------------------------------------- */

/*
 * Solve for x > 0: sum_j b[j] * phi(x / 2^j) = a * x, phi(y) = y/(e^y - 1),
 * i.e. maximise -a x + sum_j b[j] ln(1 - exp(-x/2^j)).  The left side minus
 * a x is convex and decreasing, and x0 = s1 / (a + s2/2) lies left of the
 * root (phi(y) >= 1 - y/2), so Newton's method from x0 climbs monotonically
 * to the root.
 */
static double
ml_solve(double a, const double *b, int jmax)
{
	double		s1 = 0;
	double		s2 = 0;
	double		x;
	int			j;
	int			iter;

	for (j = 0; j <= jmax; j++)
	{
		s1 += b[j];
		s2 += ldexp(b[j], -j);
	}
	if (s1 == 0)
		return 0;
	if (a <= 0)
		return INFINITY;
	x = s1 / (a + 0.5 * s2);
	for (iter = 0; iter < 1000; iter++)
	{
		double		g = -a * x;
		double		dg = -a;
		double		step;

		for (j = 0; j <= jmax; j++)
		{
			double		t;
			double		y;
			double		phi;
			double		dphi;

			if (b[j] == 0)
				continue;
			t = ldexp(1.0, -j);
			y = x * t;
			if (y < 0.01)
			{
				double		y2 = y * y;

				phi = 1 - y / 2 + y2 / 12 - y2 * y2 / 720 + y2 * y2 * y2 / 30240;
				dphi = -0.5 + y / 6 - y2 * y / 180 + y2 * y2 * y / 5040;
			}
			else if (y > 700)
				continue;
			else
			{
				double		e = expm1(y);

				phi = y / e;
				dphi = (1 - phi * (e + 1)) / e;
			}
			g += b[j] * phi;
			dg += b[j] * t * dphi;
		}
		if (!(g > 0) || !(dg < 0))
			break;
		step = -g / dg;
		x += step;
		if (step <= x * 1e-14)
			break;
	}
	return x;
}

/* Ertl's sigma and tau (arXiv:1702.01284) */
static double
ertl_sigma(double x)
{
	double		y = 1;
	double		z;
	double		zprev;

	if (x == 1)
		return INFINITY;
	z = x;
	do
	{
		x *= x;
		zprev = z;
		z += x * y;
		y += y;
	} while (z != zprev);
	return z;
}

static double
ertl_tau(double x)
{
	double		y = 1;
	double		z;
	double		zprev;

	if (x == 0 || x == 1)
		return 0;
	z = 1 - x;
	do
	{
		x = sqrt(x);
		zprev = z;
		y *= 0.5;
		z -= (1 - x) * (1 - x) * y;
	} while (z != zprev);
	return z / 3;
}

/* the estimate from the register histogram of a dense sketch */
static double
estimate_dense(unsigned p, unsigned flags, const uint32_t *hist)
{
	size_t		m = (size_t) 1 << p;
	unsigned	w = 65 - p;		/* largest u */
	unsigned	r;

	if (flags & REACH_FLAG_HLL_ONLY)
	{
		/* Ertl's improved raw estimator, q = 64 - p, values 0..q+1 */
		unsigned	qq = 64 - p;
		double		c[66];
		double		z;
		double		dm = (double) m;
		unsigned	k;

		memset(c, 0, sizeof(c));
		for (r = 0; r < 256; r++)
			if (hist[r])
				c[r >> 2] += hist[r];
		if (c[0] == dm)
			return 0;
		z = dm * ertl_tau(1 - c[qq + 1] / dm);
		for (k = qq; k >= 1; k--)
			z = 0.5 * (z + c[k]);
		z += dm * ertl_sigma(c[0] / dm);
		return dm * dm / (2 * log(2.0) * z);
	}
	else
	{
		/*
		 * Poisson model, x = lambda / m.  Value k has probability 2^-k for
		 * k < w and 2^-(w-1) for k = w.  Each register contributes the
		 * probability mass of the values it knows were not seen to a, and
		 * one count to b[j] for each value it knows was seen, j the exponent
		 * of that value's probability.
		 */
		double		a = 0;
		double		b[64];
		double		x;
		double		dm = (double) m;

		memset(b, 0, sizeof(b));
		for (r = 0; r < 256; r++)
		{
			double		c = hist[r];
			unsigned	u = r >> 2;
			unsigned	h = r & 3;

			if (c == 0)
				continue;
			if (r == 0)
			{
				a += c;
				continue;
			}
			if (u < w)
				a += c * ldexp(1.0, -(int) u);
			b[u < w ? u : w - 1] += c;
			if (u >= 2)
			{
				if (h & 2)
					b[u - 1] += c;
				else
					a += c * ldexp(1.0, -(int) (u - 1));
			}
			if (u >= 3)
			{
				if (h & 1)
					b[u - 2] += c;
				else
					a += c * ldexp(1.0, -(int) (u - 2));
			}
		}
		x = ml_solve(a, b, (int) w - 1);
		return dm * x / (1 + ULL_ML_BIAS_CORRECTION / dm);
	}
}

static double
estimate_sparse(const uint8_t *body)
{
	uint32_t	n = hdr_count(body);
	const uint8_t *t = cpayload(body);
	uint32_t	distinct = 0;
	uint32_t	prev = 0;
	uint32_t	i;

	/* sorted tokens: equal 26-bit indices are adjacent */
	for (i = 0; i < n; i++)
	{
		uint32_t	idx = tok_get(t, i) >> 6;

		if (i == 0 || idx != prev)
			distinct++;
		prev = idx;
	}
	if (distinct == 0)
		return 0;
	return -LINEAR_M * log1p(-(double) distinct / LINEAR_M);
}

double
reach_estimate(const uint8_t *body, size_t len)
{
	switch (body[2])
	{
		case REACH_REP_SPARSE:
			return estimate_sparse(body);
		case REACH_REP_DENSE:
			{
				uint32_t	hist[256];

				register_histogram(cpayload(body), (size_t) 1 << body[1], hist);
				return estimate_dense(body[1], body[3], hist);
			}
		case REACH_REP_DENSE_PACKED:
			{
				uint32_t	hist[256];

				if (!packed_histogram(body, len, hist))
					return -1;
				return estimate_dense(body[1], body[3], hist);
			}
		default:
			return -1;
	}
}

double
reach_relative_standard_error(const uint8_t *body, size_t len)
{
	double		m = ldexp(1.0, body[1]);

	switch (body[2])
	{
		case REACH_REP_SPARSE:
			{
				double		n = reach_estimate(body, len);
				double		t;

				if (n <= 0)
					return 0;
				t = n / LINEAR_M;
				return sqrt(LINEAR_M * (expm1(t) - t)) / n;
			}
		case REACH_REP_DENSE:
		case REACH_REP_DENSE_PACKED:
			if (body[3] & REACH_FLAG_HLL_ONLY)
				return HLL_RSE_FACTOR / sqrt(m);
			return ULL_ML_RSE_FACTOR / sqrt(m);
		default:
			return -1;
	}
}

/* ---------------------------------------------------------------------
 * Information
 * --------------------------------------------------------------------- */

void
reach_get_info(const uint8_t *body, size_t len, ReachInfo *info)
{
	unsigned	p = body[1];

	memset(info, 0, sizeof(*info));
	info->version = body[0];
	info->precision = (int) p;
	info->representation = body[2];
	info->hll_only = (body[3] & REACH_FLAG_HLL_ONLY) != 0;
	info->registers = UINT32_C(1) << p;
	info->sparse_limit = sparse_limit(p);
	info->bytes = len;
	switch (body[2])
	{
		case REACH_REP_SPARSE:
			info->representation_name = "sparse";
			info->tokens = hdr_count(body);
			break;
		case REACH_REP_SPARSE_BUFFER:
			info->representation_name = "sparse_buffer";
			info->tokens = hdr_count(body);
			break;
		case REACH_REP_DENSE:
			{
				size_t		i;
				size_t		m = (size_t) 1 << p;
				uint32_t	nz = 0;

				info->representation_name = "dense";
				for (i = 0; i < m; i++)
					nz += cpayload(body)[i] != 0;
				info->nonzero_registers = nz;
				break;
			}
		case REACH_REP_DENSE_PACKED:
			{
				uint32_t	hist[256];

				info->representation_name = "dense_packed";
				if (packed_histogram(body, len, hist))
					info->nonzero_registers = (UINT32_C(1) << p) - hist[0];
				break;
			}
		default:
			info->representation_name = "unknown";
			break;
	}
}

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
hll_full_bytes(unsigned q)
{
	return ((size_t) REACH_HLL_REGWIDTH * ((size_t) 1 << q) + 7) / 8;
}

size_t
reach_to_hll_size(const uint8_t *body, size_t len, int log2m)
{
	unsigned	q = export_log2m(body[1], log2m);
	size_t		n;
	size_t		sparse_bytes;
	size_t		full = hll_full_bytes(q);

	(void) len;
	if (q == 0)
		return 0;
	if (body[2] == REACH_REP_DENSE)
		return HLL_HDR + full;
	if (body[2] == REACH_REP_DENSE_PACKED)
		return HLL_HDR + full + ((size_t) 1 << body[1]);	/* + registers */
	n = hdr_count(body);
	if (n == 0)
		return HLL_HDR;
	sparse_bytes = (n * (q + REACH_HLL_REGWIDTH) + 7) / 8;
	return HLL_HDR + (sparse_bytes > full ? sparse_bytes : full) + 4 * n;
}

/* hll register j at log2m q from 2^p ULL registers (p >= q), capped */
static unsigned
folded_u(const uint8_t *regs, unsigned p, unsigned q, size_t j)
{
	size_t		mq = (size_t) 1 << q;
	unsigned	d = p - q;
	size_t		nk = (size_t) 1 << d;
	unsigned	u = regs[j] ? d + (regs[j] >> 2) : 0;
	size_t		k;

	for (k = 1; k < nk; k++)
		if (regs[j + k * mq] != 0 && 1 + ie_ctz64(k) > u)
			u = 1 + ie_ctz64(k);
	return u > 31 ? 31 : u;
}

static void
hll_header(uint8_t *dst, unsigned type, unsigned q)
{
	dst[0] = (uint8_t) (0x10 | type);
	dst[1] = (uint8_t) (((REACH_HLL_REGWIDTH - 1) << 5) | q);
	dst[2] = 0x7f;				/* sparseon = 1, expthresh = -1 (auto) */
}

/* hll packs SPARSE when sparseon and its bits are fewer than FULL's */
static bool
hll_prefers_sparse(size_t nfilled, unsigned q)
{
	return nfilled * (q + REACH_HLL_REGWIDTH) <
		(size_t) REACH_HLL_REGWIDTH * ((size_t) 1 << q);
}

size_t
reach_to_hll(uint8_t *dst, size_t dstlen, const uint8_t *body, size_t len, int log2m)
{
	unsigned	p = body[1];
	unsigned	q = export_log2m(p, log2m);
	size_t		mq;
	size_t		full = hll_full_bytes(q);
	uint8_t    *out = dst + HLL_HDR;

	if (q == 0 || dstlen < reach_to_hll_size(body, len, log2m))
		return 0;
	mq = (size_t) 1 << q;

	if (body[2] == REACH_REP_DENSE || body[2] == REACH_REP_DENSE_PACKED)
	{
		const uint8_t *regs = cpayload(body);
		size_t		nfilled = 0;
		size_t		j;
		uint64_t	pos = 0;

		if (body[2] == REACH_REP_DENSE_PACKED)
		{
			/* decode into the scratch area after the largest output */
			uint8_t    *scratch = out + full;

			if (!packed_expand_regs(scratch, body, len))
				return 0;
			regs = scratch;
		}

		for (j = 0; j < mq; j++)
			nfilled += folded_u(regs, p, q, j) != 0;
		if (nfilled == 0)
		{
			hll_header(dst, HLL_EMPTY, q);
			return HLL_HDR;
		}
		if (hll_prefers_sparse(nfilled, q))
		{
			size_t		bytes = (nfilled * (q + REACH_HLL_REGWIDTH) + 7) / 8;

			hll_header(dst, HLL_SPARSE, q);
			memset(out, 0, bytes);
			for (j = 0; j < mq; j++)
			{
				unsigned	u = folded_u(regs, p, q, j);

				if (u == 0)
					continue;
				bits_write(out, pos, (uint32_t) ((j << REACH_HLL_REGWIDTH) | u),
						   q + REACH_HLL_REGWIDTH);
				pos += q + REACH_HLL_REGWIDTH;
			}
			return HLL_HDR + bytes;
		}
		hll_header(dst, HLL_FULL, q);
		memset(out, 0, full);
		for (j = 0; j < mq; j++)
		{
			bits_write(out, pos, folded_u(regs, p, q, j), REACH_HLL_REGWIDTH);
			pos += REACH_HLL_REGWIDTH;
		}
		return HLL_HDR + full;
	}
	else
	{
		/*
		 * Sparse: (index << 8 | u) pairs in the scratch area after the
		 * largest possible output, sorted by index then u; the last of each
		 * index run has the largest u.  Output is written from the front
		 * and never reaches the scratch area.
		 */
		size_t		n = hdr_count(body);
		size_t		sparse_bytes;
		uint8_t    *pairs;
		const uint8_t *t = cpayload(body);
		size_t		i;
		size_t		npairs = 0;
		size_t		nf = 0;
		uint64_t	pos = 0;

		if (n == 0)
		{
			hll_header(dst, HLL_EMPTY, q);
			return HLL_HDR;
		}
		sparse_bytes = (n * (q + REACH_HLL_REGWIDTH) + 7) / 8;
		pairs = out + (sparse_bytes > full ? sparse_bytes : full);
		for (i = 0; i < n; i++)
		{
			uint64_t	h = token_hash(tok_get(t, i));
			uint32_t	idx = (uint32_t) (h & (mq - 1));
			unsigned	u = 1 + ie_ctz64((h >> q) | (UINT64_C(1) << (64 - q)));

			/* hash 0 ('' and empty bytea): no register of hll's counts it */
			if (h == 0)
				continue;
			tok_put(pairs, npairs++, (idx << 8) | (u > 31 ? 31 : u));
		}
		n = npairs;
		if (n == 0)
		{
			hll_header(dst, HLL_EMPTY, q);
			return HLL_HDR;
		}
		ie_sort_u32(pairs, n);
		for (i = 0; i < n; i++)
		{
			uint32_t	v = tok_get(pairs, i);

			if (i + 1 < n && (tok_get(pairs, i + 1) >> 8) == (v >> 8))
				continue;
			tok_put(pairs, nf++, v);
		}
		if (hll_prefers_sparse(nf, q))
		{
			size_t		bytes = (nf * (q + REACH_HLL_REGWIDTH) + 7) / 8;

			hll_header(dst, HLL_SPARSE, q);
			memset(out, 0, bytes);
			for (i = 0; i < nf; i++)
			{
				uint32_t	v = tok_get(pairs, i);

				bits_write(out, pos, ((v >> 8) << REACH_HLL_REGWIDTH) | (v & 0xff),
						   q + REACH_HLL_REGWIDTH);
				pos += q + REACH_HLL_REGWIDTH;
			}
			return HLL_HDR + bytes;
		}
		else
		{
			size_t		k = 0;
			size_t		j;

			hll_header(dst, HLL_FULL, q);
			memset(out, 0, full);
			for (j = 0; j < mq; j++)
			{
				uint32_t	u = 0;

				if (k < nf && (tok_get(pairs, k) >> 8) == j)
					u = tok_get(pairs, k++) & 0xff;
				bits_write(out, pos, u, REACH_HLL_REGWIDTH);
				pos += REACH_HLL_REGWIDTH;
			}
			return HLL_HDR + full;
		}
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
		case HLL_SPARSE:
		case HLL_FULL:
			{
				unsigned	maxu;
				uint64_t	bits = (uint64_t) v->datalen * 8;

				if (v->log2m < REACH_MIN_PRECISION)
					return ie_fail("hll log2m %u is below the minimum %d", v->log2m, REACH_MIN_PRECISION);
				maxu = 65 - v->log2m;
				if (v->type == HLL_SPARSE)
				{
					unsigned	chunk = v->log2m + v->regwidth;
					uint64_t	pad = bits % chunk;
					size_t		i;
					uint64_t	previdx = 0;

					v->nentries = (size_t) (bits / chunk);

					/*
					 * With words shorter than 8 bits the zero padding can
					 * hold a whole word; hll reads it as index 0, value 0.
					 * Trailing zero words that fit in the padding are
					 * padding.
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
				}
				else
				{
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
				}
				return NULL;
			}
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
				size_t		sz = REACH_HEADER_SIZE + 4 * v.nentries;

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
			{
				size_t		i;
				size_t		d;

				for (i = 0; i < v.nentries; i++)
					tok_put(payload(dst), i, make_token(get_be64(v.data + 8 * i)));
				d = sort_unique(payload(dst), v.nentries);
				if (d <= sparse_limit(P))
				{
					hdr_write(dst, P, REACH_REP_SPARSE, 0, (uint32_t) d);
					return REACH_HEADER_SIZE + 4 * d;
				}
				{
					uint8_t    *regs = payload(dst) + ((size_t) 1 << P);

					memset(regs, 0, (size_t) 1 << P);
					for (i = 0; i < v.nentries; i++)
						reach_dense_add_hash(regs, P, get_be64(v.data + 8 * i));
					return dense_canonical(dst, P, 0, regs);
				}
			}
		default:
			{
				/* registers in the scratch half, then the canonical form */
				uint8_t    *regs = payload(dst) + ((size_t) 1 << P);

				memset(regs, 0, (size_t) 1 << P);
				if (v.type == HLL_SPARSE)
				{
					unsigned	chunk = v.log2m + v.regwidth;
					size_t		i;

					for (i = 0; i < v.nentries; i++)
					{
						uint64_t	word = bits_read(v.data, v.datalen, (uint64_t) i * chunk, chunk);
						unsigned	val = (unsigned) (word & ((1u << v.regwidth) - 1));

						if (val != 0)
							import_register(regs, P, v.log2m, word >> v.regwidth, val);
					}
				}
				else
				{
					uint64_t	nregs = (uint64_t) 1 << v.log2m;
					uint64_t	i;

					for (i = 0; i < nregs; i++)
					{
						unsigned	val = (unsigned) bits_read(v.data, v.datalen, i * v.regwidth, v.regwidth);

						if (val != 0)
							import_register(regs, P, v.log2m, i, val);
					}
				}
				return dense_canonical(dst, P, REACH_FLAG_HLL_ONLY, regs);
			}
	}
}
