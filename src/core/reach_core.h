/*
 * reach_core.h — the reach_sketch algorithm: UltraLogLog registers (Ertl
 * 2023) behind an exact sparse mode, with postgresql-hll interchange.
 *
 * Plain C99, no postgres.h, no allocation: every function works on buffers
 * the caller owns.  A "body" is a reach_sketch value without its varlena
 * header.  All values passed in must have been accepted by reach_validate()
 * unless a function says otherwise; values this API writes always are.
 * Every function accepts every representation, DENSE_PACKED included;
 * reach_expand() turns a packed value into DENSE once, which is cheaper
 * than having each call decode it again.
 *
 * Stored format: docs/FORMAT.md, "reach_sketch".  In short, for the
 * caller: SPARSE (sorted tokens) and DENSE_PACKED (Huffman-coded
 * registers) are canonical; DENSE (raw registers, updated in place) and
 * SPARSE_BUFFER (tokens in any order) are the aggregate states, and DENSE
 * is canonical only when packing would not save a byte.  The canonical
 * form depends only on the set of hashes, the precision and HLL_ONLY,
 * never on insertion order or on how the input was split and merged (why:
 * reach_core.c).  reach_needs_canonicalize() says whether a value is not
 * canonical.
 */
#ifndef IMPRESSION_EXT_REACH_CORE_H
#define IMPRESSION_EXT_REACH_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core_util.h"
#include "le.h"

#define REACH_FORMAT_VERSION		3
#define REACH_HEADER_SIZE			8
#define REACH_MIN_PRECISION			4
#define REACH_MAX_PRECISION			18
#define REACH_DEFAULT_PRECISION		14

#define REACH_REP_SPARSE			1
#define REACH_REP_DENSE				2
#define REACH_REP_DENSE_PACKED		3
#define REACH_REP_SPARSE_BUFFER		4

/* reach_state_merge: src, shallowly validated, does not decode */
#define REACH_BAD_SOURCE			(SIZE_MAX - 2)

#define REACH_FLAG_HLL_ONLY			0x01
/*
 * Bits 2..7: the register cap c of a censored HLL_ONLY value (postgresql-hll
 * registers 1..5 bits wide saturate): a register at c means "c or more".
 * 0 when nothing is censored.  docs/FORMAT.md, "Censored registers".
 */
#define REACH_FLAG_CENSOR_SHIFT		2
#define REACH_FLAG_CENSOR_MASK		0xfc

/* postgresql-hll export parameters: log2m <= 17 is all that hll accepts */
#define REACH_HLL_MAX_LOG2M			17
#define REACH_HLL_REGWIDTH			5

/* ---------------------------------------------------------------------
 * Validation
 * --------------------------------------------------------------------- */

/*
 * NULL if body[0..len) is a valid reach_sketch body, else a human-readable
 * message saying what is wrong.  Checks every length, count, range and
 * ordering before reading; never reads outside [body, body + len).  The
 * message lives in a static buffer that the next call overwrites (backends
 * are single-threaded).
 */
extern const char *reach_validate(const uint8_t *body, size_t len);

/*
 * reach_validate without decoding a DENSE_PACKED stream or a coded SPARSE
 * one: sizes, code table, count and Rice parameter only (for a version-3
 * DENSE_PACKED value that includes the counts in its table and the
 * stream's length).  A value that passes may still hold a bad stream; the
 * functions that decode one anyway check it on the way and fail rather
 * than trust it (reach_estimate -1, reach_state_merge REACH_BAD_SOURCE),
 * so a stored value is checked and read in one decode.  The estimate of a
 * version-3 DENSE_PACKED value reads the counts and decodes nothing; a
 * merge decodes its stream and fails if it does not end where the table
 * says, but does not count it again (reach_packed_fold_union says why).
 * reach_validate then says what is wrong.
 */
extern const char *reach_validate_shallow(const uint8_t *body, size_t len);

/* ---------------------------------------------------------------------
 * Aggregate state protocol
 *
 * The state is a reach_sketch body in a caller-allocated buffer.  Growth:
 *
 *		need = reach_state_add(st, len, hash);		(or reach_state_merge)
 *		while (need != 0)
 *		{
 *			new = palloc(need);
 *			if (!reach_state_regrow(new, need, st, len)) elog(ERROR, ...);
 *			st = new; len = need;		(the old buffer may be freed)
 *			need = reach_state_add(st, len, hash);	(retry the same call)
 *		}
 *
 * Retrying is always correct: adds and merges are idempotent unions.  A
 * call that returns nonzero may already have changed the state (compacted
 * it, absorbed part of a merge source); the state stays valid and never
 * holds anything that was not added.  The size returned tells regrow what
 * to build: a DENSE size 8 + 2^q means "DENSE at precision q" and any other
 * size a SPARSE_BUFFER of that capacity (buffer capacities are 3 * 2^k so
 * the two never coincide).
 *
 * The state is modified in place, so it must be a private, writable copy:
 * a stored SPARSE value used as the first state (union aggregates, ||) is
 * turned into a SPARSE_BUFFER in place by the first add or merge.  A
 * stored DENSE_PACKED value used as a state is never written: the first
 * add or merge returns the DENSE size and regrow expands it (the glue may
 * instead reach_expand it before using it as a state).
 *
 * What the glue calls when:
 *	 transition (reach_agg)  state NULL: palloc reach_state_initial_size(),
 *							 reach_state_init(precision); then the add loop.
 *	 transition (union_agg)  state NULL: copy of the (validated) input;
 *							 else the merge loop with the input.
 *	 combine				 state1 NULL: copy of state2; else the merge loop
 *							 (state2 is only read).
 *	 final / output			 reach_canonical_size(), palloc,
 *							 reach_canonicalize() -> exact length for
 *							 SET_VARSIZE.  Never free the state.
 *	 reach(), reach_lower/upper
 *							 estimate and RSE take SPARSE, DENSE and
 *							 DENSE_PACKED; a SPARSE_BUFFER must be
 *							 canonicalized first (info and to_hll take any
 *							 valid value).
 *	 equality, hash, order	 compare canonical forms: a valid DENSE_PACKED
 *							 or SPARSE value is already canonical; a DENSE
 *							 one is canonical only if reach_needs_canonicalize
 *							 says so (it packs to find out).
 *	 zero rows				 reach_init_empty() (8 bytes, estimate 0).
 *	 every value from outside (in, recv, bytea cast, union_agg input):
 *							 reach_validate() first; then, optionally,
 *							 reach_expand() a DENSE_PACKED value so later
 *							 calls do not decode it again.
 * --------------------------------------------------------------------- */

/* body size of a fresh state (room for 12 tokens) */
extern size_t reach_state_initial_size(void);

/*
 * Make body[0..len) an empty SPARSE_BUFFER state.  len must be 8 + 4k.
 * Returns false (and writes nothing) for a bad precision or length.
 */
extern bool reach_state_init(uint8_t *body, size_t len, int precision);

/* the canonical empty sketch: 8 bytes (REACH_HEADER_SIZE) */
extern bool reach_init_empty(uint8_t *body, size_t len, int precision);

/* out-of-line part of reach_state_add: every case but plain DENSE */
extern size_t reach_state_add_slow(uint8_t *body, size_t len, uint64_t hash);

/*
 * Merge the valid value src (any representation, any precision) into the
 * state dst.  Different precisions fold to the lower one.  Returns 0 when
 * done, otherwise the size for reach_state_regrow, after which the caller
 * retries the merge with the same src.  dst and src must not overlap.
 * A DENSE_PACKED src is decoded on the fly (no scratch needed); a
 * DENSE_PACKED dst (a stored value copied as the state) is never written:
 * the call returns the DENSE size and regrow expands it.
 */
extern size_t reach_state_merge(uint8_t *dst, size_t dstlen,
								const uint8_t *src, size_t srclen);

/*
 * Build in dst[0..dstlen) (dstlen as returned by reach_state_add or
 * reach_state_merge) a state holding everything src holds: a larger
 * SPARSE_BUFFER, a DENSE conversion, a DENSE fold to a lower precision, or
 * the expansion (and fold) of a DENSE_PACKED value.  Returns false if
 * dstlen does not fit src (a caller bug), or if a packed src does not
 * decode (it was not validated).
 */
extern bool reach_state_regrow(uint8_t *dst, size_t dstlen,
							   const uint8_t *src, size_t srclen);

/* ---------------------------------------------------------------------
 * Canonical form
 * --------------------------------------------------------------------- */

/*
 * The buffer size reach_canonicalize needs: len for a value that holds
 * registers or coded tokens (its canonical form is never longer); for a
 * SPARSE_BUFFER or a version-1 SPARSE, the longest canonical form of its
 * tokens plus the scratch to sort them and build registers; for an older
 * version's DENSE_PACKED, the dense size plus room to decode it.
 */
extern size_t reach_canonical_size(const uint8_t *body, size_t len);

/*
 * Write the canonical form of src into dst (dstlen >= reach_canonical_size)
 * and return its exact length, or 0 if dst is too small.  dst may be used
 * as scratch beyond the returned length.  dst and src must not overlap.
 */
extern size_t reach_canonicalize(uint8_t *dst, size_t dstlen,
								 const uint8_t *src, size_t srclen);

/*
 * true if the value is not canonical: a SPARSE_BUFFER, or a DENSE value
 * whose packed form would be shorter.  For DENSE it computes the register
 * histogram and the code lengths (about 10 us at p = 14; no encoding).
 */
extern bool reach_needs_canonicalize(const uint8_t *body, size_t len);

/*
 * true if the header alone shows a canonical value (SPARSE or DENSE_PACKED): the
 * comparison and hash functions then use its bytes as they are, without
 * decoding them, since equal canonical values are equal bytes.  Reads at
 * most the header; safe on any bytes.
 */
extern bool reach_canonical_by_header(const uint8_t *body, size_t len);

/* ---------------------------------------------------------------------
 * DENSE_PACKED expansion
 * --------------------------------------------------------------------- */

/*
 * Body size of the expanded form: 8 + 2^p for a DENSE_PACKED value, len
 * for any other (nothing to expand).
 */
extern size_t reach_expanded_size(const uint8_t *body, size_t len);

/*
 * Write into dst (dstlen >= reach_expanded_size) the DENSE form of a
 * DENSE_PACKED value, same precision and flags; any other representation
 * is copied unchanged.  src must have passed reach_validate(); even if not,
 * it never reads outside src nor writes outside dst[0 .. expanded size),
 * and returns false when the bytes do not decode.  dst and src must not
 * overlap.  About 30 us at p = 14.
 */
extern bool reach_expand(uint8_t *dst, size_t dstlen,
						 const uint8_t *src, size_t srclen);

/* ---------------------------------------------------------------------
 * Estimation (SPARSE, DENSE and DENSE_PACKED, which is decoded on the way;
 * a SPARSE_BUFFER gives -1: canonicalize it first)
 *
 * SPARSE: the token count plus the expected token collisions (exact in
 * practice; version 1's values: linear counting over 2^26 indices).
 * DENSE: the UltraLogLog maximum-likelihood estimator.
 * DENSE with HLL_ONLY: Ertl's improved HyperLogLog estimator on the u parts.
 * May return +infinity for a saturated dense sketch (needs ~2^64 values).
 * --------------------------------------------------------------------- */
extern double reach_estimate(const uint8_t *body, size_t len);

/* the precision p of a value or state */
extern int	reach_precision(const uint8_t *body, size_t len);

/*
 * Theoretical relative standard error of the estimator reach_estimate uses
 * for this value: ULL-ML 0.7609/sqrt(2^p), HLL 1.04/sqrt(2^p), sparse the
 * error of its collision count (tiny).  -1 for a SPARSE_BUFFER.
 */
extern double reach_relative_standard_error(const uint8_t *body, size_t len);

/* ---------------------------------------------------------------------
 * Information for reach_sketch_info()
 * --------------------------------------------------------------------- */
typedef struct ReachInfo
{
	int			version;
	int			precision;
	int			representation;	/* REACH_REP_* */
	const char *representation_name;	/* "sparse", "dense", "dense_packed",
										 * "sparse_buffer" */
	bool		hll_only;
	unsigned	register_cap;	/* censored registers' cap (docs/FORMAT.md), 0 if none */
	uint32_t	tokens;			/* sparse entries stored (0 for dense) */
	uint32_t	nonzero_registers;	/* dense only (0 for sparse); decoded
									 * for DENSE_PACKED */
	uint32_t	registers;		/* 2^precision */
	uint32_t	sparse_limit;	/* most tokens a SPARSE value holds: 2^p/8 */
	size_t		bytes;			/* body length */
} ReachInfo;

extern void reach_get_info(const uint8_t *body, size_t len, ReachInfo *info);

/*
 * No hash at all: an empty sparse value, or registers all zero (an import
 * of an hll of nothing).  For a validated value or a state.
 */
extern bool reach_holds_nothing(const uint8_t *body, size_t len);

/* ---------------------------------------------------------------------
 * postgresql-hll interchange (storage spec v1.0.0, schema version 1)
 *
 * Export writes regwidth 5, log2m = min(p, 17) (hll itself rejects
 * log2m > 17) or the log2m asked for (4..that, 0 = default), sparseon = 1,
 * expthresh = auto: EMPTY for an empty sketch, else SPARSE or FULL by the
 * same size rule hll applies, so the bytes equal what hll would write for
 * those registers.  Registers are min(u, 31).
 * --------------------------------------------------------------------- */

/*
 * size of the buffer reach_to_hll needs (it uses part of it as scratch; for
 * DENSE_PACKED that includes room to decode the 2^p registers)
 */
extern size_t reach_to_hll_size(const uint8_t *body, size_t len, int log2m);

/* write the hll value; returns its exact length (0 on a bad argument) */
extern size_t reach_to_hll(uint8_t *dst, size_t dstlen,
						   const uint8_t *body, size_t len, int log2m);

/*
 * Import: NULL if hll[0..len) is a valid hll value we can convert, else a
 * message (static buffer, as reach_validate).  EMPTY gives an empty sketch;
 * EXPLICIT (full 64-bit hashes) is inserted with full fidelity; SPARSE and
 * FULL give DENSE registers with HLL_ONLY set at precision min(log2m, 18)
 * (higher log2m is folded down).  A register at its maximum 2^regwidth - 1
 * means "at least that" in hll; it is imported as that value.
 */
extern const char *reach_from_hll_check(const uint8_t *hll, size_t len);

/*
 * buffer size reach_from_hll needs (for a dense result 8 + 2 * 2^p: the
 * registers are built after the room for the result, then packed); call
 * only after the check passed
 */
extern size_t reach_from_hll_size(const uint8_t *hll, size_t len);

/* write the canonical sketch; returns its exact length (0 on error) */
extern size_t reach_from_hll(uint8_t *dst, size_t dstlen,
							 const uint8_t *hll, size_t len);

/* ---------------------------------------------------------------------
 * Hot path, inline: adding a hash to a DENSE state.
 * --------------------------------------------------------------------- */

/*
 * A register as the set of values it knows were seen: bit v set when value
 * v was seen.  Empty (0) gives 0; the "& ~1" removes the bit the formula
 * leaves at position 0 for an empty register (no valid register has a value
 * 0 bit).
 */
static inline uint64_t
reach_reg_unpack(uint8_t r)
{
	return ((((uint64_t) (4 | (r & 3))) << (r >> 2)) >> 2) & ~UINT64_C(1);
}

/* the register holding the top three positions of a nonzero seen-set */
static inline uint8_t
reach_reg_pack(uint64_t seen)
{
	unsigned	u = 63 - ie_clz64(seen);

	return (uint8_t) ((u << 2) | (((seen << 2) >> u) & 3));
}

/*
 * Add a hash to 2^p ULL registers.  Hash 0 (the empty string's and empty
 * bytea's) changes no register: it has no bit for a register to count,
 * and postgresql-hll ignores it in its register modes, so registers stay
 * hll's bit for bit (an exact, sparse sketch still counts it).
 */
static inline void
reach_dense_add_hash(uint8_t *regs, unsigned p, uint64_t hash)
{
	uint8_t    *r = regs + (hash & ((UINT64_C(1) << p) - 1));
	unsigned	u = 1 + ie_ctz64((hash >> p) | (UINT64_C(1) << (64 - p)));

	if (hash == 0)
		return;
	*r = reach_reg_pack(reach_reg_unpack(*r) | (UINT64_C(1) << u));
}

/*
 * Header fields (docs/FORMAT.md, "reach_sketch"), here rather than in
 * reach_internal.h because the inline add below reads them.
 */
IE_FIELD_U8(reach_hdr_version, reach_hdr_set_version, 0);
IE_FIELD_U8(reach_hdr_precision, reach_hdr_set_precision, 1);
/* REACH_REP_* */
IE_FIELD_U8(reach_hdr_representation, reach_hdr_set_representation, 2);
/* REACH_FLAG_* */
IE_FIELD_U8(reach_hdr_flags, reach_hdr_set_flags, 3);

/*
 * Add a 64-bit hash to a state.  Returns 0 if absorbed, else the body size
 * to regrow to (see the protocol above).
 */
static inline size_t
reach_state_add(uint8_t *body, size_t len, uint64_t hash)
{
	if (reach_hdr_representation(body) == REACH_REP_DENSE && reach_hdr_flags(body) == 0)
	{
		reach_dense_add_hash(body + REACH_HEADER_SIZE, reach_hdr_precision(body), hash);
		return 0;
	}
	return reach_state_add_slow(body, len, hash);
}

#endif							/* IMPRESSION_EXT_REACH_CORE_H */
