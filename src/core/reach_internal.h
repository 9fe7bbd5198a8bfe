/*
 * reach_internal.h — what the reach_*.c files share and the API does not
 * promise: named access to the stored header, token and register
 * primitives, size thresholds, and the functions one concern's file
 * offers another's.
 *
 * Stored format: docs/FORMAT.md, "reach_sketch".  The accessors below
 * name the header fields so that no other file indexes the header by
 * number.  reach_core.h stays the public API; nothing outside
 * src/core/reach_*.c includes this.
 */
#ifndef IMPRESSION_EXT_REACH_INTERNAL_H
#define IMPRESSION_EXT_REACH_INTERNAL_H

#include "reach_core.h"
#include "core_util.h"
#include "le.h"
#include "varint.h"

/* a token of versions 2 and 3: 20 index bits, run length 1..45 (docs/FORMAT.md) */
#define TOKEN_INDEX_BITS	20
#define TOKEN_R_MAX			45
/* a version-1 token: 26 index bits, run length 1..39 (read, never written) */
#define TOKEN_V1_R_MAX		39

/* ---------------------------------------------------------------------
 * Header fields (docs/FORMAT.md, "reach_sketch")
 * --------------------------------------------------------------------- */

static inline bool
hdr_hll_only(const uint8_t *body)
{
	return (reach_hdr_flags(body) & REACH_FLAG_HLL_ONLY) != 0;
}

/*
 * the register cap c of a censored value, or 0 (see REACH_FLAG_CENSOR_MASK):
 * only an HLL_ONLY value has one; a coded SPARSE value keeps its Rice
 * parameter in the same bits (sparse_rice_k)
 */
static inline unsigned
hdr_censor(const uint8_t *body)
{
	if ((reach_hdr_flags(body) & REACH_FLAG_HLL_ONLY) == 0)
		return 0;
	return (reach_hdr_flags(body) & REACH_FLAG_CENSOR_MASK) >> REACH_FLAG_CENSOR_SHIFT;
}

/* the Rice parameter k of a coded SPARSE value (reach_sparse_code.c) */
static inline unsigned
sparse_rice_k(const uint8_t *body)
{
	return (reach_hdr_flags(body) & REACH_FLAG_CENSOR_MASK) >> REACH_FLAG_CENSOR_SHIFT;
}

/* the flags of an HLL_ONLY value censored at c (0: not censored) */
static inline unsigned
censor_flags(unsigned c)
{
	return REACH_FLAG_HLL_ONLY | (c << REACH_FLAG_CENSOR_SHIFT);
}

/*
 * A cap c at precision p after a fold to q <= p: the register of the
 * folded index keeps its u plus p - q, so the cap moves with it; every
 * other contribution is at most p - q < the new cap.
 */
static inline unsigned
censor_folded(unsigned c, unsigned p, unsigned q)
{
	return c == 0 ? 0 : c + (p - q);
}

/* the lower of two caps, 0 meaning none */
static inline unsigned
censor_min(unsigned a, unsigned b)
{
	if (a == 0)
		return b;
	if (b == 0)
		return a;
	return a < b ? a : b;
}

/* sparse entries, code-table symbols, or 0 */
IE_FIELD_U32(hdr_count, hdr_set_count, 4);

static inline void
hdr_write(uint8_t *body, unsigned p, unsigned rep, unsigned flags, uint32_t count)
{
	reach_hdr_set_version(body, REACH_FORMAT_VERSION);
	reach_hdr_set_precision(body, p);
	reach_hdr_set_representation(body, rep);
	reach_hdr_set_flags(body, flags);
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

/* DENSE or DENSE_PACKED: registers rather than tokens */
static inline bool
hdr_is_dense(const uint8_t *body)
{
	return reach_hdr_representation(body) == REACH_REP_DENSE ||
		reach_hdr_representation(body) == REACH_REP_DENSE_PACKED;
}

/* ---------------------------------------------------------------------
 * Sizes and thresholds
 * --------------------------------------------------------------------- */

/*
 * most distinct tokens a sparse value may hold: 2^p / 8 (version 1: 2^p / 4;
 * why it halved: reach_sparse_code.c)
 */
static inline uint32_t
sparse_limit(unsigned p)
{
	return UINT32_C(1) << (p - 3);
}

/* version 1's limit, which the values it wrote may reach */
static inline uint32_t
sparse_limit_v1(unsigned p)
{
	return UINT32_C(1) << (p - 2);
}

/* largest SPARSE_BUFFER capacity the state grows to: 1.5 * 2^p / 8 */
static inline uint32_t
buffer_cap_max(unsigned p)
{
	return UINT32_C(3) << (p - 4);
}

static inline size_t
dense_size(unsigned p)
{
	return REACH_HEADER_SIZE + ((size_t) 1 << p);
}

/* ---------------------------------------------------------------------
 * Tokens (docs/FORMAT.md, "Tokens and registers"; why they look as they
 * do: reach_sparse.c)
 * --------------------------------------------------------------------- */

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
make_token(uint64_t hash)
{
	uint32_t	idx = (uint32_t) (hash & ((UINT32_C(1) << TOKEN_INDEX_BITS) - 1));
	unsigned	r = 1 + ie_ctz64((hash >> TOKEN_INDEX_BITS) |
								 (UINT64_C(1) << (64 - TOKEN_INDEX_BITS)));

	return (idx << 6) | r;
}

/*
 * A 64-bit hash with the same low 20 bits and the same run above them as
 * the token: for p <= 20 it gives the same register index and u.
 */
static inline uint64_t
token_hash(uint32_t tok)
{
	uint64_t	h = tok >> 6;
	unsigned	r = tok & 63;

	if (r < TOKEN_R_MAX)
		h |= UINT64_C(1) << (TOKEN_INDEX_BITS - 1 + r);
	return h;
}

static inline bool
token_valid(uint32_t tok)
{
	unsigned	r = tok & 63;

	return r >= 1 && r <= TOKEN_R_MAX && (tok >> (6 + TOKEN_INDEX_BITS)) == 0;
}

/* the same for version 1's tokens, with 26 index bits */
static inline uint64_t
token_v1_hash(uint32_t tok)
{
	uint64_t	h = tok >> 6;
	unsigned	r = tok & 63;

	if (r < TOKEN_V1_R_MAX)
		h |= UINT64_C(1) << (25 + r);
	return h;
}

static inline bool
token_v1_valid(uint32_t tok)
{
	unsigned	r = tok & 63;

	return r >= 1 && r <= TOKEN_V1_R_MAX;
}

/* ---------------------------------------------------------------------
 * Registers
 * --------------------------------------------------------------------- */

/*
 * HLL_ONLY update: u only, history bits stay zero (hash 0: see
 * reach_dense_add_hash); a censored value (cap != 0) keeps u <= cap.
 */
static inline void
dense_add_hash_hll_only(uint8_t *regs, unsigned p, uint64_t hash, unsigned cap)
{
	uint8_t    *r = regs + (hash & ((UINT64_C(1) << p) - 1));
	unsigned	u = 1 + ie_ctz64((hash >> p) | (UINT64_C(1) << (64 - p)));
	uint8_t		nv = (uint8_t) ((cap != 0 && u > cap ? cap : u) << 2);

	if (hash == 0)
		return;
	if (nv > *r)
		*r = nv;
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

/* a register of a value censored at c (0: none) is at most c */
static inline bool
register_within_cap(uint8_t r, unsigned c)
{
	return c == 0 || (unsigned) (r >> 2) <= c;
}

/* ---------------------------------------------------------------------
 * reach_sparse.c: token arrays and the SPARSE_BUFFER state
 * --------------------------------------------------------------------- */

/* sort and drop repeats; returns the number kept */
extern size_t reach_sort_unique(uint8_t *base, size_t n);

/* is v in the sorted array base[0..n)? */
extern bool reach_sorted_contains(const uint8_t *base, size_t n, uint32_t v);

/*
 * Append tokens src[0..n) to the SPARSE_BUFFER body, compacting when it is
 * full.  Returns 0 when all are absorbed, else the size to regrow to.
 */
extern size_t reach_buffer_absorb(uint8_t *body, size_t len,
								  const uint8_t *src, size_t n);

/* the same for the tokens of the value src (any version); REACH_BAD_SOURCE if they do not decode */
extern size_t reach_buffer_absorb_value(uint8_t *body, size_t len,
										const uint8_t *src, size_t srclen);

/* a SPARSE_BUFFER size with room for more than n tokens */
extern size_t reach_buffer_size_for(uint32_t n);

/* ---------------------------------------------------------------------
 * reach_sparse_code.c: the coded SPARSE form, and reading tokens
 * --------------------------------------------------------------------- */

/*
 * A reader of the tokens of any representation that holds them (SPARSE,
 * SPARSE_BUFFER, of any version), as today's tokens: coded ones
 * decoded, version 1's converted (so not in order).  For a value that
 * passed reach_validate_shallow: a bad stream makes it stop, bad set.
 */
typedef struct ReachTokens
{
	const uint8_t *body;
	uint32_t	n;				/* tokens in all */
	uint32_t	i;				/* tokens read */
	bool		v1;
	bool		coded;
	bool		bad;
	/* the coded stream */
	unsigned	k;
	size_t		pos;
	size_t		end;
	uint64_t	acc;
	unsigned	nbits;
	uint32_t	idx;
	uint32_t	prev;
} ReachTokens;

extern void reach_tokens_open(ReachTokens *rt, const uint8_t *body, size_t len);

/* up to max tokens into out (4 bytes each): how many; 0 at the end or if bad */
extern size_t reach_tokens_read(ReachTokens *rt, uint8_t *out, size_t max);

/* after the last read: did every token decode, with nothing left after them */
extern bool reach_tokens_finish(ReachTokens *rt);

/* most bytes reach_sparse_write writes for n tokens */
extern size_t reach_sparse_coded_bound(size_t n);

/* the SPARSE value at p of the sorted distinct tokens toks[0..n): its length */
extern size_t reach_sparse_write(uint8_t *dst, unsigned p, const uint8_t *toks, size_t n);

/* do the tokens of a SPARSE value (any version) decode, with nothing after them */
extern bool reach_sparse_stream_ok(const uint8_t *body, size_t len);

/* a coded SPARSE payload checked whole: NULL or what is wrong */
extern const char *reach_sparse_validate_coded(const uint8_t *body, size_t len);

/* ---------------------------------------------------------------------
 * reach_registers.c: registers, folding, the estimator
 * --------------------------------------------------------------------- */

extern void reach_dense_add_tokens(uint8_t *regs, unsigned p, bool hll_only,
								   const uint8_t *toks, size_t n);

/* the same for the tokens of the value src; false if they do not decode */
extern bool reach_dense_add_value_tokens(uint8_t *regs, unsigned p, bool hll_only,
										 const uint8_t *src, size_t srclen);

/* dst (2^q registers) |= src (2^p registers, p >= q) folded to q */
extern void reach_fold_union(uint8_t *dst, unsigned q, const uint8_t *src,
							 unsigned p, bool hll_only);

/* the same for the n source registers starting at register number base */
extern void reach_fold_union_range(uint8_t *dst, unsigned q, const uint8_t *src,
								   size_t base, size_t n, unsigned p,
								   bool hll_only);

/* censor 2^p HLL_ONLY registers at cap c: every u above c becomes c */
extern void reach_censor_registers(uint8_t *regs, unsigned p, unsigned c);

/* hist[256] = how many of the m registers hold each byte value */
extern void reach_register_histogram(const uint8_t *regs, size_t m,
									 uint32_t *hist);

/* ---------------------------------------------------------------------
 * reach_packed.c: DENSE_PACKED coding
 * --------------------------------------------------------------------- */

/*
 * The union of two register bytes at one precision: table[a << 8 | b]
 * (reach_registers.c builds it on first use).
 */
extern const uint8_t *reach_merge_table(void);

/*
 * The canonical form of 2^p registers at regs: DENSE_PACKED if smaller
 * than DENSE, else DENSE.  dst holds dense_size(p) bytes; regs must not
 * overlap them.  Returns the length written.
 */
extern size_t reach_dense_canonical(uint8_t *dst, unsigned p, unsigned flags,
									const uint8_t *regs);

/* would the packed form of these registers be smaller than DENSE? */
extern bool reach_dense_packs_smaller(const uint8_t *regs, unsigned p);

/*
 * Decoding a DENSE_PACKED body: into 2^p registers, into a histogram, or
 * folded into 2^q registers (q <= p).  Each is false if the body does not
 * decode.
 */
extern bool reach_packed_expand_regs(uint8_t *regs, const uint8_t *body,
									 size_t len);
extern bool reach_packed_histogram(const uint8_t *body, size_t len,
								   uint32_t *hist);
extern bool reach_packed_fold_union(uint8_t *dst, unsigned q,
									const uint8_t *body, size_t len,
									bool hll_only);

/*
 * The DENSE_PACKED part of reach_validate, for a body whose header (version,
 * precision, flags) is already checked: NULL or the message.  Without
 * decode_stream, the size and the code table only (reach_validate_shallow).
 */
extern const char *reach_packed_validate(const uint8_t *body, size_t len,
										 bool decode_stream);

#endif							/* IMPRESSION_EXT_REACH_INTERNAL_H */
