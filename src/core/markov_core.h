/*
 * markov_core.h — the markov_chain type: first-order transition counts
 * between start, the channels (touch strings), conversion and null, built
 * from journeys' paths, and Markov removal-effect attribution over them.
 *
 * Plain C99, no postgres.h, no allocation: every function works on buffers
 * the caller owns.  A "body" is a value without its varlena header.
 * Stored format: docs/FORMAT.md, "markov_chain".  In short: states are
 * numbered 0 start, 1..C the channels in bytewise order, C + 1 conversion,
 * C + 2 null; the value holds the channel strings, the nonzero counts as
 * (from, to, count) sorted by (from, to), and the total conversion value
 * in millionths (an exact integer, so that sums do not depend on the
 * order of the merges).  CANONICAL is exactly that; STATE is the same
 * layout with spare bytes after it, which merges use.  Every merge
 * rewrites the whole value (O(size)), in the slack of the state.
 */
#ifndef IMPRESSION_EXT_MARKOV_CORE_H
#define IMPRESSION_EXT_MARKOV_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MARKOV_FORMAT_VERSION		1
#define MARKOV_REP_CANONICAL		1
#define MARKOV_REP_STATE			2
#define MARKOV_HEADER_SIZE			32
#define MARKOV_ENTRY_SIZE			16

/*
 * At most this many channels: markov_attribution inverts a (C + 1)^2
 * matrix (O(C^3): about a second at 1,000 on this project's VM).
 */
#define MARKOV_MAX_CHANNELS			1000
#define MARKOV_MAX_BUILT_SIZE		((size_t) 1 << 28)

/* one conversion's value may be at most this (in units) */
#define MARKOV_MAX_VALUE			9.0e12

/* special returns of the merges (sketch_type.h's) */
#define MARKOV_TOO_LARGE			SIZE_MAX
#define MARKOV_BAD_ARGUMENT			(SIZE_MAX - 1)
/* from markov_from_journey: a conversion value not finite or too large */
#define MARKOV_BAD_VALUE			(SIZE_MAX - 3)

/* NULL if body[0..len) is a valid value, else what is wrong */
extern const char *markov_validate(const uint8_t *body, size_t len);

/* the empty value (no paths): the 32-byte header */
extern bool markov_init_empty(uint8_t *body, size_t len);
extern bool markov_canonical_by_header(const uint8_t *body, size_t len);
extern bool markov_needs_canonicalize(const uint8_t *body, size_t len);
/* the exact canonical length of a valid value */
extern size_t markov_canonical_size(const uint8_t *body, size_t len);
extern size_t markov_canonicalize(uint8_t *dst, size_t dstlen, const uint8_t *src,
								  size_t srclen, void *scratch, size_t scratchlen);

/* an empty STATE of len >= MARKOV_HEADER_SIZE bytes */
extern bool markov_state_init(uint8_t *body, size_t len);

/*
 * Merge the valid value src into the STATE dst in place: 0 when done,
 * else the body size to regrow to (the state is unchanged), or
 * MARKOV_TOO_LARGE (more than MARKOV_MAX_CHANNELS channels, a total value
 * beyond int64 millionths... see markov_limits) or MARKOV_BAD_ARGUMENT (dst
 * is not a state).  dst and src must not overlap.
 */
extern size_t markov_state_merge(uint8_t *dst, size_t dstlen, const uint8_t *src,
								 size_t srclen);
/* dst[0..dstlen) a STATE holding the valid value src (dstlen >= its size) */
extern bool markov_state_regrow(uint8_t *dst, size_t dstlen, const uint8_t *src,
								size_t srclen);

/*
 * Paths of a valid CANONICAL journey (journey_core.h), as a CANONICAL
 * markov_chain value in dst.  lookback in microseconds, >= 0.  Returns
 * the length written, 0 if dst or scratch is too small (sizes:
 * markov_from_journey_size, markov_from_journey_scratch),
 * MARKOV_BAD_VALUE if a conversion's value is not finite or beyond
 * MARKOV_MAX_VALUE, or MARKOV_TOO_LARGE if the journey has more than
 * MARKOV_MAX_CHANNELS channels.
 */
extern size_t markov_from_journey_size(const uint8_t *journey, size_t len);
extern size_t markov_from_journey_scratch(const uint8_t *journey, size_t len);
extern size_t markov_from_journey(uint8_t *dst, size_t dstlen, const uint8_t *journey,
								  size_t len, int64_t lookback, void *scratch,
								  size_t scratchlen);

/* reading a valid value */
typedef struct MarkovInfo
{
	uint32_t	channels;
	uint32_t	entries;
	uint64_t	converting_paths;	/* counts into conversion */
	uint64_t	paths;			/* counts out of start */
	double		value;			/* total conversion value */
} MarkovInfo;

extern void markov_get_info(const uint8_t *body, size_t len, MarkovInfo *info);
extern const uint8_t *markov_channel(const uint8_t *body, size_t len, uint32_t i,
									 size_t *slen);
extern void markov_entry(const uint8_t *body, size_t len, uint32_t i, uint32_t *from,
						 uint32_t *to, uint64_t *count);

/*
 * Removal-effect attribution of a valid value: for channel i (bytewise
 * order), removal_effect[i], conversions[i] and value[i] (arrays of C).
 * Scratch of markov_attribution_scratch bytes (any alignment).  Returns
 * false if the scratch is too small.  P = 0 or every effect 0 gives zero
 * credit; never NaN.
 */
extern size_t markov_attribution_scratch(const uint8_t *body, size_t len);
extern bool markov_removal_effects(const uint8_t *body, size_t len, double *removal_effect,
							   double *conversions, double *value, void *scratch,
							   size_t scratchlen);

/*
 * The linear algebra, exposed for the tests: solve the absorbing chain of
 * n transient states given row-stochastic Q (n x n, row major) and r (n,
 * the probabilities into conversion).  Writes p_without[c] for c in
 * 1..n-1 (the probability from state 0 of converting without visiting
 * c) and returns the probability from state 0; work is n^2 + 2 n
 * doubles followed by n ints.  Returns -1 if I - Q is singular.
 */
extern double markov_solve(const double *Q, const double *r, int n, double *p_without,
						   double *work);

extern const char *markov_limits(void);

#endif							/* IMPRESSION_EXT_MARKOV_CORE_H */
