/*
 * frequency_core.h — the frequency_sketch algorithm: a theta (bottom-k)
 * sample of 64-bit user hashes, each with its exact impression count.
 *
 * Plain C99, no postgres.h, no allocation: every function works on buffers
 * the caller owns.  A "body" is a frequency_sketch value without its
 * varlena header.  All values passed in must have been accepted by
 * frequency_validate() unless a function says otherwise; values this API
 * writes always are.
 *
 * What the sketch holds.  Every user whose hash is below theta, with the
 * exact sum of its impression counts, plus the exact total of all
 * impressions ever added (users not retained included).  theta starts at
 * 1.0 (exact mode: every user kept).  When more than k users are below
 * theta, theta becomes the (k+1)-th smallest user hash and only the k
 * smallest are kept.  So a sketch is exact while its group has at most k
 * users, and a uniform sample of fraction theta above.
 *
 * Hashes.  User hashes come from hash.h (the same as reach_sketch).  The
 * one hash value UINT64_MAX is kept as UINT64_MAX - 1, so that theta
 * UINT64_MAX can mean 1.0; callers pass the raw hash.
 *
 * Stored format: docs/FORMAT.md, "frequency_sketch".  In short, for the
 * caller: CANONICAL (varint-coded entries in hash order) is what is stored
 * and what the estimates read; KEYED_STATE (an open-addressing table under
 * a per-state seed, updated in place) is the aggregate state, and STATE is
 * 0.1's, read and converted but never written.  The canonical form
 * depends only on k and the multiset of (user, count) inputs, never on row
 * order or on how the input was split and merged (why:
 * frequency_state.c).  Below, "a STATE" is either state representation.
 */
#ifndef IMPRESSION_EXT_FREQUENCY_CORE_H
#define IMPRESSION_EXT_FREQUENCY_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "le.h"

#define FREQUENCY_FORMAT_VERSION	1
#define FREQUENCY_HEADER_SIZE		28
#define FREQUENCY_MIN_K				16
#define FREQUENCY_MAX_K				1048576
#define FREQUENCY_DEFAULT_K			4096

#define FREQUENCY_REP_CANONICAL		1
#define FREQUENCY_REP_STATE			2	/* 0.1's, unkeyed: read, never written */
#define FREQUENCY_REP_KEYED_STATE	3	/* the aggregate state since 0.2 */
#define FREQUENCY_KEYED_HEADER_SIZE	36	/* the header, then the uint64 seed */

/* theta of exact mode (1.0) */
#define FREQUENCY_THETA_ONE			UINT64_MAX

/* STATE table sizes, in slots */
#define FREQUENCY_MIN_SLOTS			8
#define FREQUENCY_MAX_SLOTS			2097152 /* 2^21: max k * 1.5 / 0.75 */
#define FREQUENCY_SLOT_SIZE			16

/* ---------------------------------------------------------------------
 * Validation
 * --------------------------------------------------------------------- */

/*
 * NULL if body[0..len) is a valid frequency_sketch body (any
 * representation), else a human-readable message saying what is wrong.
 * Checks every length, count, range and ordering before reading; never
 * reads outside [body, body + len).  The message lives in a static buffer
 * that the next call overwrites (backends are single-threaded).
 */
extern const char *frequency_validate(const uint8_t *body, size_t len);

/*
 * frequency_validate without reading the entries of a CANONICAL value (the
 * header rules only): for an argument that frequency_state_merge reads
 * whole anyway, which checks every entry as it goes and returns
 * FREQUENCY_BAD_SOURCE instead of trusting them; frequency_validate then
 * says what is wrong.  One read of a stored sketch instead of two.
 */
extern const char *frequency_validate_shallow(const uint8_t *body, size_t len);

/* frequency_state_merge: src, shallowly validated, has a broken entry */
#define FREQUENCY_BAD_SOURCE	(SIZE_MAX - 2)

/* ---------------------------------------------------------------------
 * Aggregate state protocol
 *
 * The state is a KEYED_STATE body in a caller-allocated buffer.  Growth:
 *
 *		need = frequency_state_add(st, len, hash, count);  (or _merge)
 *		while (need != 0)
 *		{
 *			new = palloc(need);
 *			if (!frequency_state_regrow(new, need, st, len)) elog(ERROR, ...);
 *			st = new; len = need;		(the old buffer may be freed)
 *			need = frequency_state_add(st, len, hash, count);  (retry)
 *		}
 *
 * Counts are summed, so unlike reach a call is not idempotent; instead a
 * call that returns nonzero has not added anything: a merge may only have
 * set the state's k by the rule below, which a retry repeats harmlessly.
 * The state is always valid between calls.
 *
 * The state is modified in place, so it must be a private, writable copy.
 * A stored CANONICAL value may be used as the first state (a copy of the
 * union aggregate's first input): the first add or merge returns a size
 * and regrow turns it into a KEYED_STATE, as it does a 0.1 STATE.
 *
 * What the glue calls when:
 *	 transition (frequency_agg)  state NULL: palloc
 *							 frequency_state_initial_size(),
 *							 frequency_state_init(k); then the add loop with
 *							 the row's hash and count (1, or the
 *							 pre-aggregated n; skip NULL and 0, reject < 0).
 *	 transition (union_agg)  state NULL: palloc initial size, init(k of the
 *							 input), then the merge loop (or: a copy of the
 *							 validated input); else the merge loop.  Once
 *							 the union would hold 1,024 entries, frequency.c
 *							 moves it to the sorted union below instead.
 *	 combine				 state1 NULL: copy of state2 (or init + merge);
 *							 else the merge loop (state2 is only read).
 *	 final / output			 frequency_canonical_size(), palloc,
 *							 frequency_canonicalize() -> exact length for
 *							 SET_VARSIZE.  Never free the state.
 *	 zero rows				 frequency_init_empty(k): 28 bytes, reach 0.
 *	 every accessor but info on a value that frequency_needs_canonicalize():
 *							 canonicalize into a temporary first.
 *	 every value from outside (in, recv, bytea cast, union_agg input,
 *	 combine's state2):		 frequency_validate() first.
 *
 * k on merge: the result has the smaller k of the two, except that an
 * empty value (nothing ever added, impressions 0) never changes the k of a
 * non-empty one (a day without events must not shrink a month's rollup);
 * between two empty values the smaller k wins.  The rule is commutative
 * and associative, so it does not depend on the merge order.
 * --------------------------------------------------------------------- */

/* body size of a fresh state: 8 slots (room for 6 users), 164 bytes */
extern size_t frequency_state_initial_size(void);

/*
 * Make body[0..len) an empty KEYED_STATE with parameter k and the seed of
 * its table (the caller picks it at random; 0 is the unkeyed layout).
 * len must be 36 + 16 * C for a power of two C in 8..2^21.  Returns false
 * (writing nothing) for a bad k or length.
 */
extern bool frequency_state_init(uint8_t *body, size_t len, uint32_t k,
								 uint64_t seed);

/* the canonical empty sketch: FREQUENCY_HEADER_SIZE bytes */
extern bool frequency_init_empty(uint8_t *body, size_t len, uint32_t k);

/*
 * out-of-line part of frequency_state_add: all but a KEYED_STATE's hashes
 * at or above theta
 */
extern size_t frequency_state_add_slow(uint8_t *body, size_t len,
									   uint64_t hash, uint64_t count);

/*
 * Merge the valid value src (any representation, any k) into the state
 * dst: theta becomes the smaller of the two, counts of equal users are
 * summed, the impressions totals add, k follows the rule above.  Returns 0
 * when done, otherwise the size for frequency_state_regrow, after which
 * the caller retries the merge with the same src.  dst and src must not
 * overlap.
 */
extern size_t frequency_state_merge(uint8_t *dst, size_t dstlen,
									const uint8_t *src, size_t srclen);

/*
 * Build in dst[0..dstlen) (dstlen as returned by frequency_state_add or
 * frequency_state_merge) a KEYED_STATE holding what the valid value src (any
 * representation) holds, with src's k, theta and total (theta may come out
 * lower when the table is smaller than src's: that is how a state shrinks
 * after its k was lowered).  The state keeps src's seed when src is a
 * KEYED_STATE, else takes seed.  Returns false if dstlen is not a valid
 * state size or cannot hold src (a caller bug).
 */
extern bool frequency_state_regrow(uint8_t *dst, size_t dstlen,
								   const uint8_t *src, size_t srclen,
								   uint64_t seed);

/* ---------------------------------------------------------------------
 * Sorted union (frequency_union.c): a union of CANONICAL values held as
 * the entries of its canonical form in hash order, merged linearly with
 * each (frequency_union_agg's state while its inputs are large; in memory
 * only, never stored: it is written out as a CANONICAL value).
 * --------------------------------------------------------------------- */

typedef struct FrequencyEntry
{
	uint64_t	hash;
	uint64_t	count;
} FrequencyEntry;

typedef struct FrequencyUnion
{
	uint32_t	k;
	uint32_t	n;				/* entries */
	uint64_t	theta;
	uint64_t	total;
	FrequencyEntry *entries;	/* n, in increasing hash order */
} FrequencyUnion;

/* the empty value at k (nothing merged yet), its entries to be in entries */
extern void frequency_union_init(FrequencyUnion *u, uint32_t k,
								 FrequencyEntry *entries);

/* the entries out must have room for to merge src: min(n + src's n, k) */
extern uint32_t frequency_union_room(const FrequencyUnion *u, const uint8_t *src);

/*
 * Merge the CANONICAL value src (shallowly validated at least) into u,
 * writing the merged entries into out (room entries, not u->entries): on
 * success u->entries becomes out, and the caller may reuse the old
 * array.  The result is the canonical form of all that was merged, by the
 * rules of frequency_state_merge (k, theta, counts, total).  Returns false,
 * u unchanged, if an entry of src or its end breaks a rule
 * (frequency_validate says which), or src is not CANONICAL or room is
 * short (a caller bug).
 */
extern bool frequency_union_merge(FrequencyUnion *u, const uint8_t *src,
								  size_t srclen, FrequencyEntry *out,
								  uint32_t room);

/* the exact length of u's canonical form, and writing it (0: dst too small) */
extern size_t frequency_union_size(const FrequencyUnion *u);
extern size_t frequency_union_write(const FrequencyUnion *u, uint8_t *dst,
									size_t dstlen);

/* ---------------------------------------------------------------------
 * Canonical form
 * --------------------------------------------------------------------- */

/*
 * A buffer size that frequency_canonicalize can work in: len for a
 * CANONICAL value, 28 + 16 n + 4 min(n, k) for a STATE (the canonical
 * result is usually much shorter; the rest is scratch).
 */
extern size_t frequency_canonical_size(const uint8_t *body, size_t len);

/*
 * Write the canonical form of src into dst (dstlen >=
 * frequency_canonical_size) and return its exact length, or 0 if dst is
 * too small.  dst may be used as scratch beyond the returned length.  dst
 * and src must not overlap.
 */
extern size_t frequency_canonicalize(uint8_t *dst, size_t dstlen,
									 const uint8_t *src, size_t srclen);

/* true if the value is a STATE, i.e. not canonical */
extern bool frequency_needs_canonicalize(const uint8_t *body, size_t len);

/*
 * true if the header alone shows a canonical value (CANONICAL): the
 * comparison and hash functions then use its bytes as they are, without
 * decoding them, since equal canonical values are equal bytes.  Reads at
 * most the header; safe on any bytes.
 */
extern bool frequency_canonical_by_header(const uint8_t *body, size_t len);

/* ---------------------------------------------------------------------
 * Estimates (CANONICAL only: on a STATE they return -1 or false;
 * canonicalize first)
 *
 * With theta fraction t (1.0 in exact mode) and c the retained users that
 * have some property, the estimate of the users with that property is
 * c / t: exact in exact mode, unbiased when sampling (for the whole
 * audience c = k and theta is the (k+1)-th order statistic, so k / t is
 * the unbiased KMV estimator; relative standard error about
 * sqrt((1 - t) / (k - 1)) ~ 1/sqrt(k)).  The standard error of c / t is
 * estimated by sqrt(c (1 - t)) / t (binomial sampling at rate t).
 * --------------------------------------------------------------------- */

/* theta as a fraction in (0, 1]; 1.0 in exact mode */
extern double frequency_theta_fraction(const uint8_t *body, size_t len);

/* estimated distinct users */
extern double frequency_reach(const uint8_t *body, size_t len);

/* estimated users with at least n impressions (n <= 1: the reach) */
extern double frequency_reach_at_least(const uint8_t *body, size_t len,
									   uint64_t n);

/* exact impressions total (any representation) */
extern uint64_t frequency_impressions(const uint8_t *body, size_t len);

/*
 * The longest probe of a state's table: the largest distance of an entry
 * from its home slot (0 for other representations).  What hash flooding
 * would drive up; the tests watch it.
 */
extern uint32_t frequency_state_max_probe(const uint8_t *body, size_t len);

/* k of a value or state (the number of users it keeps once sampling) */
extern uint32_t frequency_k(const uint8_t *body, size_t len);

/*
 * impressions / reach; NAN when the reach is 0 (the SQL function returns
 * NULL then, as average_frequency(impressions, reach) does); -1 on a STATE.
 */
extern double frequency_average(const uint8_t *body, size_t len);

/* standard error of an estimate c / t (0 in exact mode); see above */
extern double frequency_standard_error(double retained, double theta_fraction);

/*
 * An estimate rounded for a bigint result: nearest integer, saturating at
 * INT64_MAX (a hostile theta can make estimates huge), 0 for NAN or
 * negative.
 */
extern int64_t frequency_round(double estimate);

/*
 * Frequency histogram: out[i] for i = 0 .. max_frequency - 1 describes
 * frequency i + 1; the last bucket is "max_frequency or more".  The
 * rounded columns use cumulative rounding (reach_at_least_rounded =
 * frequency_round(reach_at_least), reach_rounded the difference of two
 * consecutive ones), so the integer buckets sum exactly to
 * frequency_round(frequency_reach()) and agree with
 * frequency_round(frequency_reach_at_least()).  share = users in the
 * bucket / retained users (0 when empty).  Returns false on a STATE or
 * max_frequency == 0, and on a CANONICAL value with a broken entry: it
 * checks every entry as it reads it, so a value that passed only
 * frequency_validate_shallow may be given (frequency_validate then says
 * what is wrong).
 */
typedef struct FrequencyBucket
{
	uint64_t	frequency;		/* 1 .. max_frequency */
	uint64_t	users;			/* retained users in the bucket */
	uint64_t	users_at_least; /* retained users with count >= frequency */
	double		reach;			/* users / theta */
	double		reach_at_least; /* users_at_least / theta */
	int64_t		reach_rounded;
	int64_t		reach_at_least_rounded;
	double		share;
	double		standard_error; /* of reach */
} FrequencyBucket;

extern bool frequency_histogram(const uint8_t *body, size_t len,
								uint32_t max_frequency, FrequencyBucket *out);

/*
 * Overlap by the standard theta-sketch set operations: theta = the smaller
 * of the two, c = retained hashes below it in both (intersection) or in a
 * and not in b (difference), estimate c / theta.  Exact when both are in
 * exact mode; disjoint audiences give exactly 0, a value with itself
 * gives its reach.  -1 if either is a STATE.
 */
extern double frequency_intersection(const uint8_t *a, size_t alen,
									 const uint8_t *b, size_t blen);
extern double frequency_difference(const uint8_t *a, size_t alen,
								   const uint8_t *b, size_t blen);

/* ---------------------------------------------------------------------
 * Planning (frequency_plan.c; CANONICAL only)
 * --------------------------------------------------------------------- */

struct ReachCurveBin;			/* reach_curve.h */

/*
 * The frequency distribution as bins of distinct frequency, in increasing
 * order, each with its people scaled by the sampling fraction: bins must
 * hold `capacity` >= the retained users (FrequencyInfo.entries).  Returns
 * the number of bins, or SIZE_MAX on a STATE or a short buffer.
 */
extern size_t frequency_count_bins(const uint8_t *body, size_t len,
								   struct ReachCurveBin *bins, size_t capacity);

/*
 * Impressions above a frequency cap: the sum over people of
 * max(count - cap, 0), scaled by the sampling fraction (exact in exact
 * mode); -1 on a STATE.  The impressions within the cap are the exact total
 * minus this, so that the two always add up to impressions(fs) and a cap
 * above everyone's frequency leaves no excess.
 */
extern double frequency_excess(const uint8_t *body, size_t len, uint64_t cap);

/* ---------------------------------------------------------------------
 * Information for frequency_sketch_info() (any representation; the
 * estimate fields are -1 for a STATE)
 * --------------------------------------------------------------------- */
typedef struct FrequencyInfo
{
	int			version;
	int			representation; /* FREQUENCY_REP_* */
	const char *representation_name;	/* "canonical", "state" */
	uint32_t	k;
	uint32_t	entries;		/* retained users */
	uint64_t	theta;			/* raw; UINT64_MAX in exact mode */
	double		theta_fraction; /* 1.0 in exact mode */
	bool		exact;			/* theta is 1.0: every user is kept */
	const char *mode_name;		/* "exact", "sampling" */
	uint64_t	impressions;
	uint32_t	slots;			/* STATE table slots, 0 for CANONICAL */
	size_t		bytes;			/* body length */
	double		reach;			/* estimate, -1 for a STATE */
	double		relative_standard_error;	/* of reach: 0 exact, -1 STATE */
} FrequencyInfo;

extern void frequency_get_info(const uint8_t *body, size_t len,
							   FrequencyInfo *info);

/* ---------------------------------------------------------------------
 * Hot path, inline: a hash at or above theta costs a compare and the
 * total's update.
 * --------------------------------------------------------------------- */

/* a + b, saturating at UINT64_MAX (order-independent for sums) */
static inline uint64_t
frequency_sat_add(uint64_t a, uint64_t b)
{
	uint64_t	s = a + b;

	return s < a ? UINT64_MAX : s;
}

/*
 * Header fields (docs/FORMAT.md, "frequency_sketch"), here rather than in
 * frequency_internal.h because the inline add below uses them.
 */
/* FREQUENCY_REP_* */
IE_FIELD_U8(frequency_hdr_rep, frequency_hdr_set_rep, 1);
/* UINT64_MAX: 1.0 (exact mode) */
IE_FIELD_U64(frequency_hdr_theta, frequency_hdr_set_theta, 12);
IE_FIELD_U64(frequency_hdr_total, frequency_hdr_set_total, 20);

/*
 * Add count (>= 1; 0 is a no-op) impressions of the user with this hash.
 * Returns 0 if absorbed, else the body size to regrow to (see the
 * protocol above); nothing was added then.
 */
static inline size_t
frequency_state_add(uint8_t *body, size_t len, uint64_t hash, uint64_t count)
{
	/* UINT64_MAX is kept as UINT64_MAX - 1 (see "Hashes" above) */
	uint64_t	h = hash == UINT64_MAX ? UINT64_MAX - 1 : hash;

	if (frequency_hdr_rep(body) == FREQUENCY_REP_KEYED_STATE &&
		h >= frequency_hdr_theta(body) && count != 0)
	{
		/* not retained: only the total changes */
		frequency_hdr_set_total(body, frequency_sat_add(frequency_hdr_total(body), count));
		return 0;
	}
	return frequency_state_add_slow(body, len, hash, count);
}

#endif							/* IMPRESSION_EXT_FREQUENCY_CORE_H */
