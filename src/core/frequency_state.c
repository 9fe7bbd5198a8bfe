/*
 * frequency_state.c — the aggregate state: the table of (hash, count)
 * slots, its add, merge and regrow, and the selection of a lower theta
 * when it is full.
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
 * Table layout (the exact rule: docs/FORMAT.md, "frequency_sketch").
 * Linear probing in Robin Hood order with ties broken by hash: along a run
 * of occupied slots the entries are sorted by (home slot, hash).  Lookups
 * stop early (at the first entry whose home is later, or equal with a
 * larger hash), deletion by filtering is one pass, and, what matters most
 * for a value that can arrive from outside (a partial aggregate shipped as
 * bytes), the layout can be checked in linear time and admits no duplicate
 * hashes, so a state that passed frequency_validate is as safe to update
 * in place as one we built.  The layout is a function of the set of
 * hashes, the table size and the seed alone.
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
 * below every day's theta, so every day counted all of its impressions).
 * Totals and counts saturate at UINT64_MAX, and min(sum, UINT64_MAX) does
 * not depend on the order of the terms either.
 *
 * Sizes.  The table holds at most 3/4 of its slots.  Its largest size for
 * k is the smallest power of two whose limit is at least 1.5 k, so
 * between two rebuilds there are at least 3k/8 new users, and the state
 * is exact up to its first rebuild (at 1.5 k users, past k).  A fresh
 * state has 8 slots (164 bytes); a group of 10 users lives in 16 slots
 * (292 bytes).  The state is raw 16 bytes a slot so adds are in place; the
 * canonical form is delta + varint coded, about 8 bytes a user when full.
 */
#include "frequency_internal.h"

#define SELECT_DIGIT_BITS	11

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
	uint64_t	t = select_theta(slots, cap, k + 1, k / 8, frequency_hdr_theta(body));

	set_n(body, table_filter(slots, cap, hdr_seed(body), t));
	frequency_hdr_set_theta(body, t);
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
		if (h >= frequency_hdr_theta(body))
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

	if (h >= frequency_hdr_theta(body))
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
	set_seed(body, seed);
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
	if (frequency_hdr_rep(body) != FREQUENCY_REP_KEYED_STATE)
		return conversion_size(body, 1);
	if (hash == UINT64_MAX)
		hash = UINT64_MAX - 1;
	/* len is a valid state size: the value was validated or built here */
	grow = state_upsert(body, (uint32_t) ((len - FREQUENCY_KEYED_HEADER_SIZE) / FREQUENCY_SLOT_SIZE),
						hash, count);
	if (grow != 0)
		return state_size(grow);
	frequency_hdr_set_total(body, sat_add(frequency_hdr_total(body), count));
	return 0;
}

/* the entries of a STATE of cap slots below theta */
static uint32_t
entries_below(const uint8_t *body, uint32_t cap, uint64_t theta)
{
	const uint8_t *slots = body + FREQUENCY_KEYED_HEADER_SIZE;
	uint32_t	n = 0;
	uint32_t	i;

	if (theta >= frequency_hdr_theta(body))
		return hdr_n(body);
	for (i = 0; i < cap; i++)
		if (slot_count(slots, i) != 0 && slot_hash(slots, i) < theta)
			n++;
	return n;
}

/*
 * The entries the STATE dst of cap slots will hold once src is merged at
 * theta, or some number that fits in cap when they do.  An upper bound
 * first (dst's entries kept plus src's entries, counted as all new): when
 * it fits, or dst keeps nothing, no entry needs looking up.  Else each of
 * src's entries below theta is looked up; a CANONICAL source is sorted,
 * so the count stops at its first entry at or above theta.  A source that
 * only passed the shallow check may have broken entries here: the cursor
 * stays within its bytes, and the merge that follows checks every entry.
 */
static uint32_t
merged_entries(const uint8_t *dst, uint32_t cap, const uint8_t *src,
			   size_t srclen, uint64_t theta)
{
	uint32_t	need = entries_below(dst, cap, theta);
	bool		canonical = frequency_hdr_rep(src) == FREQUENCY_REP_CANONICAL;
	bool		all_of_src = theta >= frequency_hdr_theta(src);
	Cursor		cur;

	if ((uint64_t) need + hdr_n(src) <= load_limit(cap))
		return need + hdr_n(src);
	if (need == 0 && all_of_src)
		return hdr_n(src);
	cursor_init(&cur, src, srclen);
	while (cursor_next(&cur))
	{
		bool		found = false;

		if (cur.hash >= theta)
		{
			if (canonical)
				break;
			continue;
		}
		if (need != 0)
			(void) table_find(dst + FREQUENCY_KEYED_HEADER_SIZE, cap - 1,
							  hdr_seed(dst), cur.hash, &found);
		if (!found)
			need++;
	}
	return need;
}

/*
 * Upsert a CANONICAL source's entries, checking each as it is read.  Its
 * entries come in increasing hash order and theta only falls, so the
 * first one at or above theta ends the upserts: the rest are only
 * checked.  Returns false if some entry, or the end, is broken.
 */
static bool
merge_canonical(uint8_t *dst, uint32_t cap, const uint8_t *src, size_t srclen)
{
	EntryReader r;

	entry_reader_init(&r, src, srclen);
	while (entry_next(&r))
	{
		if (r.hash >= frequency_hdr_theta(dst))
		{
			while (entry_next(&r))
				;
			break;
		}
		(void) state_upsert(dst, cap, r.hash, r.count);
	}
	return frequency_entries_finish(&r, src) == NULL;
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
	Cursor		cur;
	uint8_t    *slots = dst + FREQUENCY_KEYED_HEADER_SIZE;

	if (frequency_hdr_rep(dst) != FREQUENCY_REP_KEYED_STATE)
		return conversion_size(dst, 0);
	kd = hdr_k(dst);

	/* k: the smaller, but an empty value never changes a non-empty one */
	if (frequency_hdr_total(src) == 0)
	{
		if (frequency_hdr_total(dst) == 0 && ks < kd)
			set_k(dst, ks);
		return 0;
	}
	if (frequency_hdr_total(dst) == 0 || ks < kd)
		set_k(dst, ks);
	k = hdr_k(dst);

	/* a table too large for a lowered k shrinks (regrow lowers theta) */
	cap = slots_of(dst, dstlen);
	top = max_slots(k);
	if (cap > top)
		return state_size(top);

	/* room for everything that will be kept, before changing anything */
	theta = frequency_hdr_theta(src) < frequency_hdr_theta(dst) ? frequency_hdr_theta(src) : frequency_hdr_theta(dst);
	if (cap < top)
	{
		uint32_t	need = merged_entries(dst, cap, src, srclen, theta);

		if (need > load_limit(cap))
			return state_size(slots_for(need, k));
	}

	if (theta < frequency_hdr_theta(dst))
	{
		set_n(dst, table_filter(slots, cap, hdr_seed(dst), theta));
		frequency_hdr_set_theta(dst, theta);
	}
	/* fits by the count above, or the table is at its largest */
	if (frequency_hdr_rep(src) == FREQUENCY_REP_CANONICAL)
	{
		/* a stored sketch: its entries are checked as they are merged */
		if (!merge_canonical(dst, cap, src, srclen))
			return FREQUENCY_BAD_SOURCE;
	}
	else
	{
		cursor_init(&cur, src, srclen);
		while (cursor_next(&cur))
			(void) state_upsert(dst, cap, cur.hash, cur.count);
	}
	frequency_hdr_set_total(dst, sat_add(frequency_hdr_total(dst), frequency_hdr_total(src)));
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
	hdr_write(dst, FREQUENCY_REP_KEYED_STATE, hdr_k(src), 0, frequency_hdr_theta(src), frequency_hdr_total(src));
	set_seed(dst, frequency_hdr_rep(src) == FREQUENCY_REP_KEYED_STATE ? hdr_seed(src) : seed);
	memset(dst + FREQUENCY_KEYED_HEADER_SIZE, 0, dstlen - FREQUENCY_KEYED_HEADER_SIZE);
	cursor_init(&cur, src, srclen);
	while (cursor_next(&cur))
		if (state_upsert(dst, cap, cur.hash, cur.count) != 0)
			return false;
	return true;
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
