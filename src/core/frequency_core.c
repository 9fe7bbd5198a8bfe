/*
 * frequency_core.c — frequency_sketch: a theta (bottom-k) sample of user
 * hashes with exact per-user impression counts.  Plain C99, no postgres.h,
 * no allocation.  The format and the caller protocol are described in
 * frequency_core.h.
 *
 * Design notes (why, not what):
 *
 * The working state is a QuickSelect sketch (as in DataSketches' theta
 * sketch): an open-addressing table of (hash, count) slots that absorbs
 * every hash below theta.  When the table reaches its load limit it either
 * doubles (through the caller's regrow, while it is smaller than its
 * largest size for k) or, at its largest size, lowers theta in place: a
 * radix selection over the table picks a new theta that keeps between
 * k + 1 and k + 1 + k/8 entries, and one linear pass drops the others.  A
 * hash at or above theta costs one compare (inline in the header), so once
 * a large group is sampling, nearly every row is that compare.
 *
 * Table layout.  Linear probing in Robin Hood order with ties broken by
 * hash: along a run of occupied slots the entries are sorted by (home
 * slot, hash).  Lookups stop early (at the first entry whose home is
 * later, or equal with a larger hash), deletion by filtering is one pass,
 * and, what matters most for a value that can arrive from outside (a
 * partial aggregate shipped as bytes), the layout can be checked in linear
 * time and admits no duplicate hashes, so a state that passed
 * frequency_validate is as safe to update in place as one we built.  The
 * layout is a function of the set of hashes and the table size alone.
 *
 * Determinism.  Let U be the set of users added so far, cnt(u) the sum of
 * all counts added for u, and t_k(U) the (k+1)-th smallest hash of U (1.0
 * if |U| <= k); t_k(U) can only fall as U grows or k falls.  Every state
 * keeps the invariant
 *
 *	 (I)  the entries are exactly the users of U whose hash is < theta,
 *		  each with its count cnt(u); and either theta = 1.0, or there
 *		  are at least k entries and theta >= t_k(U), and with exactly k
 *		  entries theta is itself the hash of a user of U.
 *
 * An add of a user u below theta updates u's entry or inserts it; theta
 * never rises, so every earlier row of u was below theta too and is in the
 * entry already: the count stays cnt(u).  A hash at or above theta changes
 * only the total.  A rebuild keeps at least k + 1 entries, all users below
 * it.  A merge of A into B takes theta = min(theta_A, theta_B), say
 * theta_A: a user below it is below both, so each side holds all of its
 * impressions in that side's rows and the sum is cnt(u) in A + B; by (I)
 * for A, theta_A >= t_kA(U_A) >= t_k(U_A + U_B) for k <= kA, and A's own
 * kA >= k entries are all still there, and if that makes exactly k then
 * theta_A is a user's hash.  Lowering k keeps (I) true as it stands.
 *
 * Canonicalizing sorts the entries: with more than k, the (k+1)-th is
 * t_k(U) by (I) (the entries are all users of U below theta >= t_k(U));
 * with exactly k and theta < 1.0, theta is a user's hash with exactly k
 * users below it, i.e. t_k(U); with at most k and theta = 1.0 the entries
 * are all of U.  So the canonical form is (k, t_k(U), the users below it
 * with their counts cnt(u), the total), a function of k and the multiset
 * of (user, count) inputs only: row order, the points at which a table
 * grew or was rebuilt and how the input was split among partial
 * aggregates do not matter, and a union of daily sketches is byte for
 * byte the sketch of the raw events (a user below the final theta was
 * below every day's theta, so every day counted all of its impressions).  Totals and counts saturate at UINT64_MAX, and
 * min(sum, UINT64_MAX) does not depend on the order of the terms either.
 *
 * Sizes.  The table holds at most 3/4 of its slots.  Its largest size for
 * k is the smallest power of two whose limit is at least 1.5 k, so
 * between two rebuilds there are at least 3k/8 new users, and the state
 * is exact up to its first rebuild (at 1.5 k users, past k).  A fresh
 * state has 8 slots (156 bytes); a group of 10 users lives in 16 slots
 * (284 bytes).  The STATE is raw 16 bytes a slot so adds are in place; the
 * canonical form is delta + varint coded, about 8 bytes a user when full.
 */
#include "frequency_core.h"
#include "core_util.h"
#include "hash.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#define SELECT_DIGIT_BITS	11


#define sat_add frequency_sat_add

static inline uint32_t
hdr_k(const uint8_t *b)
{
	return ie_get32(b + 4);
}

static inline uint32_t
hdr_n(const uint8_t *b)
{
	return ie_get32(b + 8);
}

static inline uint64_t
hdr_theta(const uint8_t *b)
{
	return ie_get64(b + 12);
}

static inline uint64_t
hdr_total(const uint8_t *b)
{
	return ie_get64(b + 20);
}

static inline void
set_k(uint8_t *b, uint32_t k)
{
	ie_put32(b + 4, k);
}

static inline void
set_n(uint8_t *b, uint32_t n)
{
	ie_put32(b + 8, n);
}

static inline void
set_theta(uint8_t *b, uint64_t t)
{
	ie_put64(b + 12, t);
}

static inline void
set_total(uint8_t *b, uint64_t t)
{
	ie_put64(b + 20, t);
}

static void
hdr_write(uint8_t *b, unsigned rep, uint32_t k, uint32_t n, uint64_t theta,
		  uint64_t total)
{
	b[0] = FREQUENCY_FORMAT_VERSION;
	b[1] = (uint8_t) rep;
	b[2] = 0;
	b[3] = 0;
	set_k(b, k);
	set_n(b, n);
	set_theta(b, theta);
	set_total(b, total);
}

/*
 * STATE representations.  KEYED_STATE (0.2) is the one the functions
 * build and update: its header carries a seed chosen when the state is
 * made, and a slot's home is a keyed mix of the hash, so that nobody who
 * picks user ids can pile them onto one run of slots (their hashes are
 * fixed by postgresql-hll's hash, so the low bits alone would be theirs
 * to choose).  STATE (0.1) homes at the low bits of the hash; it is still
 * read (validated, canonicalized, merged from), and converted to a keyed
 * state before anything is added to it.
 */
static inline bool
is_state(const uint8_t *b)
{
	return b[1] == FREQUENCY_REP_STATE || b[1] == FREQUENCY_REP_KEYED_STATE;
}

static inline size_t
hdr_size(const uint8_t *b)
{
	return b[1] == FREQUENCY_REP_KEYED_STATE ? FREQUENCY_KEYED_HEADER_SIZE : FREQUENCY_HEADER_SIZE;
}

static inline uint64_t
hdr_seed(const uint8_t *b)
{
	return b[1] == FREQUENCY_REP_KEYED_STATE ? ie_get64(b + FREQUENCY_HEADER_SIZE) : 0;
}

/*
 * The home slot of hash h: in a keyed state the low bits of a bijective
 * 64-bit mix (MurmurHash3's finalizer) of h and the seed; unkeyed (seed 0,
 * a 0.1 STATE) the low bits of h.
 */
static inline uint32_t
home_of(uint64_t h, uint64_t seed, uint32_t mask)
{
	if (seed != 0)
		h = ie_murmur_fmix64(h ^ seed);
	return (uint32_t) h & mask;
}

/* slot i of a table */
static inline uint64_t
slot_hash(const uint8_t *slots, uint32_t i)
{
	return ie_get64(slots + (size_t) FREQUENCY_SLOT_SIZE * i);
}

static inline uint64_t
slot_count(const uint8_t *slots, uint32_t i)
{
	return ie_get64(slots + (size_t) FREQUENCY_SLOT_SIZE * i + 8);
}

static inline void
slot_put(uint8_t *slots, uint32_t i, uint64_t h, uint64_t c)
{
	ie_put64(slots + (size_t) FREQUENCY_SLOT_SIZE * i, h);
	ie_put64(slots + (size_t) FREQUENCY_SLOT_SIZE * i + 8, c);
}

static inline void
slot_set_count(uint8_t *slots, uint32_t i, uint64_t c)
{
	ie_put64(slots + (size_t) FREQUENCY_SLOT_SIZE * i + 8, c);
}

static inline bool
k_valid(uint32_t k)
{
	return k >= FREQUENCY_MIN_K && k <= FREQUENCY_MAX_K;
}

/* ---------------------------------------------------------------------
 * Sizes
 * --------------------------------------------------------------------- */

/* most entries a table of cap slots holds: 3/4 of it */
static inline uint32_t
load_limit(uint32_t cap)
{
	return cap - cap / 4;
}

/* the largest table for k: smallest power of two with limit >= 1.5 k */
static uint32_t
max_slots(uint32_t k)
{
	uint32_t	c = FREQUENCY_MIN_SLOTS;

	while (load_limit(c) < k + k / 2 && c < FREQUENCY_MAX_SLOTS)
		c *= 2;
	return c;
}

/* the smallest table holding n entries, at most max_slots(k) */
static uint32_t
slots_for(uint32_t n, uint32_t k)
{
	uint32_t	c = FREQUENCY_MIN_SLOTS;
	uint32_t	m = max_slots(k);

	while (load_limit(c) < n && c < m)
		c *= 2;
	return c;
}

/* the body size of a (keyed) state of so many slots */
static inline size_t
state_size(uint32_t slots)
{
	return FREQUENCY_KEYED_HEADER_SIZE + (size_t) FREQUENCY_SLOT_SIZE * slots;
}

/* slots of a state body with a header of hsize bytes, 0 if len is not a valid size */
static uint32_t
slots_of_len(size_t hsize, size_t len)
{
	size_t		c;

	if (len < hsize + (size_t) FREQUENCY_SLOT_SIZE * FREQUENCY_MIN_SLOTS ||
		len > hsize + (size_t) FREQUENCY_SLOT_SIZE * FREQUENCY_MAX_SLOTS ||
		(len - hsize) % FREQUENCY_SLOT_SIZE != 0)
		return 0;
	c = (len - hsize) / FREQUENCY_SLOT_SIZE;
	if ((c & (c - 1)) != 0)
		return 0;
	return (uint32_t) c;
}

/* slots of a state body (either STATE representation) */
static inline uint32_t
slots_of(const uint8_t *b, size_t len)
{
	return slots_of_len(hdr_size(b), len);
}

/* ---------------------------------------------------------------------
 * LEB128 varints
 * --------------------------------------------------------------------- */

static inline uint8_t *
varint_put(uint8_t *p, uint64_t v)
{
	while (v >= 0x80)
	{
		*p++ = (uint8_t) (v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t) v;
	return p;
}

#define VARINT_TRUNCATED	(-1)
#define VARINT_OVERLONG		(-2)
#define VARINT_TOO_BIG		(-3)

/*
 * Read a varint from [p, end): bytes used (1..10), or VARINT_TRUNCATED,
 * VARINT_OVERLONG (a shorter encoding exists) or VARINT_TOO_BIG (more than
 * 64 bits).  Never reads at or past end.
 */
static inline int
varint_get(const uint8_t *p, const uint8_t *end, uint64_t *out)
{
	uint64_t	v = 0;
	int			i;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
	(defined(__GNUC__) || defined(__clang__))
	/*
	 * Fast path for varints of at most 8 bytes with 8 bytes readable: find
	 * the last byte from the first clear high bit, then squeeze the 7-bit
	 * groups together without a loop.
	 */
	if (end - p >= 8)
	{
		uint64_t	w;
		uint64_t	stop;
		unsigned	nbytes;

		memcpy(&w, p, 8);
		stop = ~w & UINT64_C(0x8080808080808080);
		if (stop != 0)
		{
			nbytes = ((unsigned) __builtin_ctzll(stop) >> 3) + 1;
			if (nbytes > 1 && p[nbytes - 1] == 0)
				return VARINT_OVERLONG;
			if (nbytes < 8)
				w &= (UINT64_C(1) << (8 * nbytes)) - 1;
			w &= UINT64_C(0x7f7f7f7f7f7f7f7f);
			w = (w & UINT64_C(0x007f007f007f007f)) |
				((w & UINT64_C(0x7f007f007f007f00)) >> 1);
			w = (w & UINT64_C(0x00003fff00003fff)) |
				((w & UINT64_C(0x3fff00003fff0000)) >> 2);
			w = (w & UINT64_C(0x000000000fffffff)) |
				((w & UINT64_C(0x0fffffff00000000)) >> 4);
			*out = w;
			return (int) nbytes;
		}
	}
#endif
	for (i = 0; i < 10; i++)
	{
		uint8_t		b;

		if (p + i >= end)
			return VARINT_TRUNCATED;
		b = p[i];
		if (i == 9 && b > 1)
			return VARINT_TOO_BIG;
		v |= (uint64_t) (b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0)
		{
			if (i > 0 && b == 0)
				return VARINT_OVERLONG;
			*out = v;
			return i + 1;
		}
	}
	return VARINT_TOO_BIG;
}

/* ---------------------------------------------------------------------
 * Reading entries of either representation (valid values only)
 * --------------------------------------------------------------------- */

typedef struct Cursor
{
	const uint8_t *p;			/* CANONICAL: next byte; STATE: slots */
	const uint8_t *end;
	uint32_t	left;			/* CANONICAL: entries not yet read */
	uint32_t	slot;			/* STATE: next slot */
	uint32_t	slots;			/* STATE: table size; 0 for CANONICAL */
	uint64_t	hash;			/* current entry */
	uint64_t	count;
} Cursor;

static void
cursor_init(Cursor *c, const uint8_t *body, size_t len)
{
	c->p = body + hdr_size(body);
	c->end = body + len;
	c->hash = 0;
	c->count = 0;
	c->slot = 0;
	if (is_state(body))
	{
		c->slots = slots_of(body, len);
		c->left = 0;
	}
	else
	{
		c->slots = 0;
		c->left = hdr_n(body);
	}
}

/*
 * Next entry into c->hash, c->count; false at the end.  CANONICAL entries
 * come in increasing hash order, STATE entries in table order.  Bounds are
 * checked even though the value was validated.
 */
static bool
cursor_next(Cursor *c)
{
	if (c->slots != 0)
	{
		while (c->slot < c->slots)
		{
			uint32_t	i = c->slot++;
			uint64_t	cnt = slot_count(c->p, i);

			if (cnt != 0)
			{
				c->hash = slot_hash(c->p, i);
				c->count = cnt;
				return true;
			}
		}
		return false;
	}
	else
	{
		uint64_t	d;
		uint64_t	cnt;
		int			r;

		if (c->left == 0)
			return false;
		r = varint_get(c->p, c->end, &d);
		if (r <= 0)
			return false;
		c->p += r;
		r = varint_get(c->p, c->end, &cnt);
		if (r <= 0)
			return false;
		c->p += r;
		c->hash += d;
		c->count = cnt;
		c->left--;
		return true;
	}
}

/* ---------------------------------------------------------------------
 * The table
 * --------------------------------------------------------------------- */

/*
 * Look h up.  Returns the slot holding h (*found = true) or the slot where
 * h belongs in Robin Hood order (*found = false).  The table has an empty
 * slot, so the walk ends.
 */
static inline uint32_t
table_find(const uint8_t *slots, uint32_t mask, uint64_t seed, uint64_t h, bool *found)
{
	uint32_t	i = home_of(h, seed, mask);
	uint32_t	d = 0;

	for (;;)
	{
		uint64_t	sh;
		uint32_t	sd;

		if (slot_count(slots, i) == 0)
			break;
		sh = slot_hash(slots, i);
		if (sh == h)
		{
			*found = true;
			return i;
		}
		sd = (i - home_of(sh, seed, mask)) & mask;
		if (sd < d || (sd == d && sh > h))
			break;
		i = (i + 1) & mask;
		d++;
	}
	*found = false;
	return i;
}

/* put (h, c) at pos, shifting the rest of the run one slot on */
static void
table_insert_at(uint8_t *slots, uint32_t mask, uint32_t pos, uint64_t h,
				uint64_t c)
{
	uint32_t	j = pos;

	while (slot_count(slots, j) != 0)
		j = (j + 1) & mask;
	while (j != pos)
	{
		uint32_t	prev = (j - 1) & mask;

		memcpy(slots + (size_t) FREQUENCY_SLOT_SIZE * j,
			   slots + (size_t) FREQUENCY_SLOT_SIZE * prev, FREQUENCY_SLOT_SIZE);
		j = prev;
	}
	slot_put(slots, pos, h, c);
}

/* some empty slot (the table is never full) */
static uint32_t
table_empty_slot(const uint8_t *slots, uint32_t cap)
{
	uint32_t	i;

	for (i = 0; i < cap; i++)
		if (slot_count(slots, i) == 0)
			return i;
	return 0;					/* not reached for a valid table */
}

/*
 * Drop the entries with hash >= theta in one pass and return how many are
 * left.  Walking from an empty slot around the table, each kept entry
 * moves back to max(its home, the slot after the previous kept entry):
 * that is the Robin Hood layout of the kept set (the order along a run is
 * unchanged), and it only ever moves entries backwards into slots already
 * walked and cleared.  Positions are counted unwrapped from the empty slot
 * e, so a run crossing the end of the array needs no special case; no
 * entry's home lies before e + 1 because e is empty.
 */
static uint32_t
table_filter(uint8_t *slots, uint32_t cap, uint64_t seed, uint64_t theta)
{
	uint32_t	mask = cap - 1;
	uint64_t	e = table_empty_slot(slots, cap);
	uint64_t	w = e + 1;
	uint64_t	s;
	uint32_t	kept = 0;

	for (s = e + 1; s < e + cap; s++)
	{
		uint32_t	i = (uint32_t) s & mask;
		uint64_t	h = slot_hash(slots, i);
		uint64_t	c = slot_count(slots, i);
		uint64_t	home;
		uint64_t	pos;

		if (c == 0)
			continue;
		slot_put(slots, i, 0, 0);
		if (h >= theta)
			continue;
		home = s - ((i - home_of(h, seed, mask)) & mask);
		pos = home > w ? home : w;
		slot_put(slots, (uint32_t) pos & mask, h, c);
		w = pos + 1;
		kept++;
	}
	return kept;
}

/*
 * A theta that keeps between rank and rank + slack of the table's entries
 * (all below theta_old): a most-significant-digit radix selection with
 * 11-bit digits, each pass a histogram of the entries that share the
 * digits chosen so far.  It stops as soon as the bucket holding the
 * rank-th smallest entry ends within the slack, and returns the start of
 * the next bucket; with hashes spread below theta_old that is the first
 * pass.  Requires rank + slack < n, so some entry lies above the chosen
 * bucket and the result neither overflows nor reaches theta_old.
 */
static uint64_t
select_theta(const uint8_t *slots, uint32_t cap, uint32_t rank,
			 uint32_t slack, uint64_t theta_old)
{
	uint32_t	hist[1u << SELECT_DIGIT_BITS];
	unsigned	bits_left = theta_old > 1 ? 64 - ie_clz64(theta_old - 1) : 1;
	uint64_t	prefix = 0;
	uint32_t	below = 0;

	for (;;)
	{
		unsigned	dbits = bits_left < SELECT_DIGIT_BITS ? bits_left : SELECT_DIGIT_BITS;
		unsigned	shift = bits_left - dbits;
		uint32_t	nb = UINT32_C(1) << dbits;
		uint32_t	cum = below;
		uint32_t	b;
		uint32_t	i;

		memset(hist, 0, sizeof(uint32_t) * nb);
		for (i = 0; i < cap; i++)
		{
			uint64_t	h;

			if (slot_count(slots, i) == 0)
				continue;
			h = slot_hash(slots, i);
			if (bits_left < 64 && (h >> bits_left) != prefix)
				continue;
			hist[(h >> shift) & (nb - 1)]++;
		}
		for (b = 0; b < nb - 1; b++)
		{
			if (cum + hist[b] >= rank)
				break;
			cum += hist[b];
		}
		if (cum + hist[b] - rank <= slack || shift == 0)
			return (((prefix << dbits) | b) + 1) << shift;
		below = cum;
		prefix = (prefix << dbits) | b;
		bits_left = shift;
	}
}

/* lower theta in place so that k + 1 .. k + 1 + k/8 entries remain */
static void
table_rebuild(uint8_t *body, uint32_t cap)
{
	uint8_t    *slots = body + FREQUENCY_KEYED_HEADER_SIZE;
	uint32_t	k = hdr_k(body);
	uint64_t	t = select_theta(slots, cap, k + 1, k / 8, hdr_theta(body));

	set_n(body, table_filter(slots, cap, hdr_seed(body), t));
	set_theta(body, t);
}

/*
 * Insert the new entry (h, c) at pos (from table_find) into a STATE of cap
 * slots.  Returns 0 when done (or h fell out when theta was lowered), else
 * the table size the state must grow to first; nothing changed then.  A
 * table at its largest size for k lowers theta instead of growing.
 */
static uint32_t
state_insert(uint8_t *body, uint32_t cap, uint32_t pos, uint64_t h, uint64_t c)
{
	uint8_t    *slots = body + FREQUENCY_KEYED_HEADER_SIZE;
	uint32_t	mask = cap - 1;
	bool		found;
	uint32_t	n = hdr_n(body);

	if (n >= load_limit(cap))
	{
		if (cap < max_slots(hdr_k(body)))
			return cap * 2;
		table_rebuild(body, cap);
		if (h >= hdr_theta(body))
			return 0;
		pos = table_find(slots, mask, hdr_seed(body), h, &found);
		n = hdr_n(body);
	}
	table_insert_at(slots, mask, pos, h, c);
	set_n(body, n + 1);
	return 0;
}

/*
 * Add count to h's entry in a STATE of cap slots (h already clamped),
 * inserting it if new.  Returns 0 when done (or h is not below theta),
 * else the table size to grow to; nothing changed then.  The impressions
 * total is the caller's business.
 */
static inline uint32_t
state_upsert(uint8_t *body, uint32_t cap, uint64_t h, uint64_t c)
{
	uint8_t    *slots = body + FREQUENCY_KEYED_HEADER_SIZE;
	bool		found;
	uint32_t	pos;

	if (h >= hdr_theta(body))
		return 0;
	pos = table_find(slots, cap - 1, hdr_seed(body), h, &found);
	if (found)
	{
		slot_set_count(slots, pos, sat_add(slot_count(slots, pos), c));
		return 0;
	}
	return state_insert(body, cap, pos, h, c);
}

/* ---------------------------------------------------------------------
 * Validation
 * --------------------------------------------------------------------- */

static const char *
varint_problem(int r, const char *what, uint32_t entry)
{
	if (r == VARINT_TRUNCATED)
		return ie_fail("truncated: the %s of entry %u is cut off", what, entry);
	if (r == VARINT_OVERLONG)
		return ie_fail("the %s of entry %u is not in its shortest encoding", what, entry);
	return ie_fail("the %s of entry %u does not fit in 64 bits", what, entry);
}

/* checks shared by both representations once the entries are summed */
static const char *
check_totals(uint64_t theta, uint64_t total, uint64_t sum)
{
	if (total < sum)
		return ie_fail("impressions total %llu is less than the retained counts %llu",
					(unsigned long long) total, (unsigned long long) sum);
	if (theta == FREQUENCY_THETA_ONE && total != sum)
		return ie_fail("impressions total %llu differs from the retained counts %llu in exact mode",
					(unsigned long long) total, (unsigned long long) sum);
	if (theta != FREQUENCY_THETA_ONE && total == sum && total != UINT64_MAX)
		return ie_fail("impressions total %llu equals the retained counts in sampling mode (the user at theta is missing)",
					(unsigned long long) total);
	return NULL;
}

static const char *
validate_canonical(const uint8_t *body, size_t len)
{
	uint32_t	k = hdr_k(body);
	uint32_t	n = hdr_n(body);
	uint64_t	theta = hdr_theta(body);
	const uint8_t *p = body + FREQUENCY_HEADER_SIZE;
	const uint8_t *end = body + len;
	uint64_t	hash = 0;
	uint64_t	sum = 0;
	uint32_t	i;

	if (n > k)
		return ie_fail("%u entries is more than k %u", n, k);
	if (theta != FREQUENCY_THETA_ONE && n != k)
		return ie_fail("a sampling sketch holds %u entries, not k %u", n, k);
	if ((uint64_t) n * 2 > (uint64_t) (len - FREQUENCY_HEADER_SIZE))
		return ie_fail("truncated: %zu bytes cannot hold %u entries", len, n);
	for (i = 0; i < n; i++)
	{
		uint64_t	d;
		uint64_t	c;
		int			r;

		r = varint_get(p, end, &d);
		if (r < 0)
			return varint_problem(r, "hash", i);
		p += r;
		if (i > 0 && d == 0)
			return ie_fail("entries out of order at entry %u: duplicate hash", i);
		if (d > UINT64_MAX - hash)
			return ie_fail("entries out of order at entry %u: hash passes 2^64", i);
		hash += d;
		if (hash >= theta)
			return ie_fail("entry %u is not below theta", i);
		r = varint_get(p, end, &c);
		if (r < 0)
			return varint_problem(r, "count", i);
		p += r;
		if (c == 0)
			return ie_fail("count of entry %u is zero", i);
		sum = sat_add(sum, c);
	}
	if (p != end)
		return ie_fail("trailing bytes: %zu after entry %u", (size_t) (end - p), n);
	return check_totals(theta, hdr_total(body), sum);
}

static const char *
validate_state(const uint8_t *body, size_t len)
{
	uint32_t	k = hdr_k(body);
	uint32_t	n = hdr_n(body);
	uint64_t	theta = hdr_theta(body);
	size_t		hsize = hdr_size(body);
	uint64_t	seed;
	const uint8_t *slots = body + hsize;
	uint32_t	cap;
	uint32_t	mask;
	uint32_t	e;
	uint32_t	occupied = 0;
	uint64_t	sum = 0;
	uint64_t	s;
	bool		prev_used;
	uint32_t	prev_d = 0;
	uint64_t	prev_h = 0;

	if (len < hsize + (size_t) FREQUENCY_SLOT_SIZE * FREQUENCY_MIN_SLOTS)
		return ie_fail("truncated: %zu bytes, a state is at least %zu",
					len, hsize + (size_t) FREQUENCY_SLOT_SIZE * FREQUENCY_MIN_SLOTS);
	if ((len - hsize) % FREQUENCY_SLOT_SIZE != 0)
		return ie_fail("state of %zu bytes is not the %zu-byte header plus whole %d-byte slots",
					len, hsize, FREQUENCY_SLOT_SIZE);
	cap = slots_of_len(hsize, len);
	if (cap == 0)
		return ie_fail("state table of %zu slots is not a power of two in %d..%d",
					(len - hsize) / FREQUENCY_SLOT_SIZE,
					FREQUENCY_MIN_SLOTS, FREQUENCY_MAX_SLOTS);
	seed = hdr_seed(body);
	if (n > load_limit(cap))
		return ie_fail("state holds %u entries, more than the %u its %u slots allow",
					n, load_limit(cap), cap);
	if (theta != FREQUENCY_THETA_ONE && n < k)
		return ie_fail("a sampling state holds %u entries, fewer than k %u", n, k);
	mask = cap - 1;

	/* an empty slot to start from (one exists unless n is wrong) */
	for (e = 0; e < cap; e++)
		if (slot_count(slots, e) == 0)
			break;
	if (e == cap)
		return ie_fail("state table has no empty slot");

	prev_used = false;
	for (s = (uint64_t) e + 1; s <= (uint64_t) e + cap; s++)
	{
		uint32_t	i = (uint32_t) s & mask;
		uint64_t	h = slot_hash(slots, i);
		uint64_t	c = slot_count(slots, i);
		uint32_t	d;

		if (c == 0)
		{
			if (h != 0)
				return ie_fail("empty state slot %u has a nonzero hash", i);
			prev_used = false;
			continue;
		}
		if (h >= theta)
			return ie_fail("entry in slot %u is not below theta", i);
		d = (i - home_of(h, seed, mask)) & mask;
		if (!prev_used ? d != 0 :
			(d > prev_d + 1 || (d == prev_d + 1 && h <= prev_h)))
			return ie_fail("entry in slot %u is out of place (probe distance %u)", i, d);
		prev_used = true;
		prev_d = d;
		prev_h = h;
		occupied++;
		sum = sat_add(sum, c);
	}
	if (occupied != n)
		return ie_fail("state entry count %u does not match its %u occupied slots",
					n, occupied);
	return check_totals(theta, hdr_total(body), sum);
}

const char *
frequency_validate(const uint8_t *body, size_t len)
{
	uint32_t	k;

	if (body == NULL && len > 0)
		return ie_fail("frequency_sketch data is missing");
	if (len < FREQUENCY_HEADER_SIZE)
		return ie_fail("truncated: %zu bytes, the frequency_sketch header alone is %d",
					len, FREQUENCY_HEADER_SIZE);
	if (body[0] != FREQUENCY_FORMAT_VERSION)
		return ie_fail("frequency_sketch format version %u is not supported (expected %d)",
					body[0], FREQUENCY_FORMAT_VERSION);
	if (body[2] != 0)
		return ie_fail("reserved flag bits set (flags 0x%02x)", body[2]);
	if (body[3] != 0)
		return ie_fail("reserved byte 3 is 0x%02x, not 0", body[3]);
	k = hdr_k(body);
	if (!k_valid(k))
		return ie_fail("k %u is out of range (%d..%d)", k, FREQUENCY_MIN_K, FREQUENCY_MAX_K);
	switch (body[1])
	{
		case FREQUENCY_REP_CANONICAL:
			return validate_canonical(body, len);
		case FREQUENCY_REP_STATE:
		case FREQUENCY_REP_KEYED_STATE:
			return validate_state(body, len);
		default:
			return ie_fail("representation %u is unknown", body[1]);
	}
}

/* ---------------------------------------------------------------------
 * Aggregate state
 * --------------------------------------------------------------------- */

size_t
frequency_state_initial_size(void)
{
	return state_size(FREQUENCY_MIN_SLOTS);
}

bool
frequency_state_init(uint8_t *body, size_t len, uint32_t k, uint64_t seed)
{
	if (!k_valid(k) || slots_of_len(FREQUENCY_KEYED_HEADER_SIZE, len) == 0)
		return false;
	hdr_write(body, FREQUENCY_REP_KEYED_STATE, k, 0, FREQUENCY_THETA_ONE, 0);
	ie_put64(body + FREQUENCY_HEADER_SIZE, seed);
	memset(body + FREQUENCY_KEYED_HEADER_SIZE, 0, len - FREQUENCY_KEYED_HEADER_SIZE);
	return true;
}

bool
frequency_init_empty(uint8_t *body, size_t len, uint32_t k)
{
	if (!k_valid(k) || len < FREQUENCY_HEADER_SIZE)
		return false;
	hdr_write(body, FREQUENCY_REP_CANONICAL, k, 0, FREQUENCY_THETA_ONE, 0);
	return true;
}

/* the size a CANONICAL value used as a state converts to, room for extra */
static size_t
conversion_size(const uint8_t *body, uint32_t extra)
{
	return state_size(slots_for(hdr_n(body) + extra, hdr_k(body)));
}

size_t
frequency_state_add_slow(uint8_t *body, size_t len, uint64_t hash,
						 uint64_t count)
{
	uint32_t	grow;

	if (count == 0)
		return 0;
	if (body[1] != FREQUENCY_REP_KEYED_STATE)
		return conversion_size(body, 1);
	if (hash == UINT64_MAX)
		hash = UINT64_MAX - 1;
	/* len is a valid state size: the value was validated or built here */
	grow = state_upsert(body, (uint32_t) ((len - FREQUENCY_KEYED_HEADER_SIZE) / FREQUENCY_SLOT_SIZE),
						hash, count);
	if (grow != 0)
		return state_size(grow);
	set_total(body, sat_add(hdr_total(body), count));
	return 0;
}

size_t
frequency_state_merge(uint8_t *dst, size_t dstlen, const uint8_t *src,
					  size_t srclen)
{
	uint32_t	kd;
	uint32_t	ks = hdr_k(src);
	uint32_t	k;
	uint32_t	cap;
	uint32_t	top;
	uint64_t	theta;
	uint32_t	need;
	Cursor		cur;
	uint8_t    *slots = dst + FREQUENCY_KEYED_HEADER_SIZE;

	if (dst[1] != FREQUENCY_REP_KEYED_STATE)
		return conversion_size(dst, 0);
	kd = hdr_k(dst);

	/* k: the smaller, but an empty value never changes a non-empty one */
	if (hdr_total(src) == 0)
	{
		if (hdr_total(dst) == 0 && ks < kd)
			set_k(dst, ks);
		return 0;
	}
	if (hdr_total(dst) == 0 || ks < kd)
		set_k(dst, ks);
	k = hdr_k(dst);

	/* a table too large for a lowered k shrinks (regrow lowers theta) */
	cap = slots_of(dst, dstlen);
	top = max_slots(k);
	if (cap > top)
		return state_size(top);

	/* room for everything that will be kept, before changing anything */
	theta = hdr_theta(src) < hdr_theta(dst) ? hdr_theta(src) : hdr_theta(dst);
	if (cap < top)
	{
		uint32_t	mask = cap - 1;

		need = 0;
		if (theta == hdr_theta(dst))
			need = hdr_n(dst);
		else
		{
			uint32_t	i;

			for (i = 0; i < cap; i++)
				if (slot_count(slots, i) != 0 && slot_hash(slots, i) < theta)
					need++;
		}
		cursor_init(&cur, src, srclen);
		while (cursor_next(&cur))
		{
			bool		found;

			if (cur.hash < theta)
			{
				(void) table_find(slots, mask, hdr_seed(dst), cur.hash, &found);
				if (!found)
					need++;
			}
		}
		if (need > load_limit(cap))
			return state_size(slots_for(need, k));
	}

	if (theta < hdr_theta(dst))
	{
		set_n(dst, table_filter(slots, cap, hdr_seed(dst), theta));
		set_theta(dst, theta);
	}
	cursor_init(&cur, src, srclen);
	while (cursor_next(&cur))
	{
		/* fits by the count above, or the table is at its largest */
		(void) state_upsert(dst, cap, cur.hash, cur.count);
	}
	set_total(dst, sat_add(hdr_total(dst), hdr_total(src)));
	return 0;
}

bool
frequency_state_regrow(uint8_t *dst, size_t dstlen, const uint8_t *src,
					   size_t srclen, uint64_t seed)
{
	uint32_t	cap = slots_of_len(FREQUENCY_KEYED_HEADER_SIZE, dstlen);
	Cursor		cur;

	if (cap == 0 || !k_valid(hdr_k(src)))
		return false;
	hdr_write(dst, FREQUENCY_REP_KEYED_STATE, hdr_k(src), 0, hdr_theta(src), hdr_total(src));
	ie_put64(dst + FREQUENCY_HEADER_SIZE,
			 src[1] == FREQUENCY_REP_KEYED_STATE ? hdr_seed(src) : seed);
	memset(dst + FREQUENCY_KEYED_HEADER_SIZE, 0, dstlen - FREQUENCY_KEYED_HEADER_SIZE);
	cursor_init(&cur, src, srclen);
	while (cursor_next(&cur))
		if (state_upsert(dst, cap, cur.hash, cur.count) != 0)
			return false;
	return true;
}

/* ---------------------------------------------------------------------
 * Canonical form
 * --------------------------------------------------------------------- */

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
	return len >= FREQUENCY_HEADER_SIZE && body[0] == FREQUENCY_FORMAT_VERSION &&
		body[1] == FREQUENCY_REP_CANONICAL;
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
	theta = n > k ? rec_key(raw, k) : hdr_theta(src);

	out = dst + FREQUENCY_HEADER_SIZE;
	for (i = 0; i < m; i++)
	{
		uint64_t	h = ie_get64(REC(raw, i));
		uint64_t	c = ie_get64(REC(raw, i) + 8);

		out = varint_put(out, h - prev);
		out = varint_put(out, c);
		prev = h;
	}
	hdr_write(dst, FREQUENCY_REP_CANONICAL, k, m, theta, hdr_total(src));
	return (size_t) (out - dst);
}

/* ---------------------------------------------------------------------
 * Estimates
 * --------------------------------------------------------------------- */

static inline double
theta_fraction(uint64_t theta)
{
	return theta == FREQUENCY_THETA_ONE ? 1.0 : ldexp((double) theta, -64);
}

uint32_t
frequency_state_max_probe(const uint8_t *body, size_t len)
{
	uint32_t	cap;
	uint32_t	mask;
	uint64_t	seed;
	const uint8_t *slots;
	uint32_t	worst = 0;

	if (!is_state(body))
		return 0;
	cap = slots_of(body, len);
	mask = cap - 1;
	seed = hdr_seed(body);
	slots = body + hdr_size(body);
	for (uint32_t i = 0; i < cap; i++)
		if (slot_count(slots, i) != 0)
		{
			uint32_t	d = (i - home_of(slot_hash(slots, i), seed, mask)) & mask;

			if (d > worst)
				worst = d;
		}
	return worst;
}

uint32_t
frequency_k(const uint8_t *body, size_t len)
{
	(void) len;
	return hdr_k(body);
}

double
frequency_theta_fraction(const uint8_t *body, size_t len)
{
	(void) len;
	return theta_fraction(hdr_theta(body));
}

static inline double
scale(double retained, uint64_t theta)
{
	return theta == FREQUENCY_THETA_ONE ? retained : retained / theta_fraction(theta);
}

double
frequency_reach(const uint8_t *body, size_t len)
{
	(void) len;
	if (body[1] != FREQUENCY_REP_CANONICAL)
		return -1;
	return scale((double) hdr_n(body), hdr_theta(body));
}

double
frequency_reach_at_least(const uint8_t *body, size_t len, uint64_t n)
{
	Cursor		cur;
	uint64_t	c = 0;

	if (body[1] != FREQUENCY_REP_CANONICAL)
		return -1;
	if (n <= 1)
		return frequency_reach(body, len);
	cursor_init(&cur, body, len);
	while (cursor_next(&cur))
		if (cur.count >= n)
			c++;
	return scale((double) c, hdr_theta(body));
}

uint64_t
frequency_impressions(const uint8_t *body, size_t len)
{
	(void) len;
	return hdr_total(body);
}

double
frequency_average(const uint8_t *body, size_t len)
{
	double		r = frequency_reach(body, len);

	if (r < 0)
		return -1;
	if (r == 0)
		return NAN;
	return (double) hdr_total(body) / r;
}

double
frequency_standard_error(double retained, double theta_fraction)
{
	if (theta_fraction >= 1.0 || retained <= 0)
		return 0;
	return sqrt(retained * (1.0 - theta_fraction)) / theta_fraction;
}

int64_t
frequency_round(double estimate)
{
	if (!(estimate > 0))
		return 0;
	if (estimate >= 9223372036854775807.0)
		return INT64_MAX;
	return (int64_t) floor(estimate + 0.5);
}

bool
frequency_histogram(const uint8_t *body, size_t len, uint32_t max_frequency,
					FrequencyBucket *out)
{
	Cursor		cur;
	uint64_t	theta = hdr_theta(body);
	double		tf = theta_fraction(theta);
	uint64_t	n = hdr_n(body);
	uint64_t	above = 0;
	uint32_t	i;

	if (body[1] != FREQUENCY_REP_CANONICAL || max_frequency == 0)
		return false;
	for (i = 0; i < max_frequency; i++)
	{
		out[i].frequency = (uint64_t) i + 1;
		out[i].users = 0;
	}
	cursor_init(&cur, body, len);
	while (cursor_next(&cur))
	{
		uint64_t	b = cur.count < max_frequency ? cur.count : max_frequency;

		out[b - 1].users++;
	}
	/* from the top: users_at_least, then the rounded differences */
	for (i = max_frequency; i > 0; i--)
	{
		FrequencyBucket *bk = &out[i - 1];
		int64_t		next_rounded = i == max_frequency ? 0 :
			out[i].reach_at_least_rounded;

		above += bk->users;
		bk->users_at_least = above;
		bk->reach = scale((double) bk->users, theta);
		bk->reach_at_least = scale((double) above, theta);
		bk->reach_at_least_rounded = frequency_round(bk->reach_at_least);
		bk->reach_rounded = bk->reach_at_least_rounded - next_rounded;
		bk->share = n == 0 ? 0 : (double) bk->users / (double) n;
		bk->standard_error = frequency_standard_error((double) bk->users, tf);
	}
	return true;
}

/*
 * Walk two canonical values in hash order below the smaller theta:
 * returns the number of hashes in both (want_both) or in a only.
 */
static double
set_operation(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
			  bool want_both)
{
	uint64_t	ta = hdr_theta(a);
	uint64_t	tb = hdr_theta(b);
	uint64_t	theta = ta < tb ? ta : tb;
	Cursor		ca;
	Cursor		cb;
	bool		more_b;
	uint64_t	both = 0;
	uint64_t	only_a = 0;

	if (a[1] != FREQUENCY_REP_CANONICAL || b[1] != FREQUENCY_REP_CANONICAL)
		return -1;
	cursor_init(&ca, a, alen);
	cursor_init(&cb, b, blen);
	more_b = cursor_next(&cb);
	while (cursor_next(&ca) && ca.hash < theta)
	{
		while (more_b && cb.hash < ca.hash)
			more_b = cursor_next(&cb);
		if (more_b && cb.hash == ca.hash)
			both++;
		else
			only_a++;
	}
	return scale((double) (want_both ? both : only_a), theta);
}

double
frequency_intersection(const uint8_t *a, size_t alen, const uint8_t *b,
					   size_t blen)
{
	return set_operation(a, alen, b, blen, true);
}

double
frequency_difference(const uint8_t *a, size_t alen, const uint8_t *b,
					 size_t blen)
{
	return set_operation(a, alen, b, blen, false);
}

void
frequency_get_info(const uint8_t *body, size_t len, FrequencyInfo *info)
{
	uint64_t	theta = hdr_theta(body);
	bool		canonical = body[1] == FREQUENCY_REP_CANONICAL;

	info->version = body[0];
	info->representation = body[1];
	info->representation_name = canonical ? "canonical" : "state";
	info->k = hdr_k(body);
	info->entries = hdr_n(body);
	info->theta = theta;
	info->theta_fraction = theta_fraction(theta);
	info->exact = theta == FREQUENCY_THETA_ONE;
	info->mode_name = info->exact ? "exact" : "sampling";
	info->impressions = hdr_total(body);
	info->slots = canonical ? 0 : slots_of(body, len);
	info->bytes = len;
	if (!canonical)
	{
		info->reach = -1;
		info->relative_standard_error = -1;
	}
	else
	{
		info->reach = frequency_reach(body, len);
		info->relative_standard_error = info->exact || info->entries < 2 ? 0 :
			sqrt((1.0 - info->theta_fraction) / (double) (info->entries - 1));
	}
}
