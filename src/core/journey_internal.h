/*
 * journey_internal.h — what the journey_*.c files share and the API does
 * not: named accessors for the header, the layout of a body's arrays, the
 * string table and the key that orders events.
 *
 * Stored format: docs/FORMAT.md, "journey".  These accessors are the only
 * place that knows the header's offsets, so the rest of the code names
 * fields instead of counting bytes.
 */
#ifndef IMPRESSION_EXT_JOURNEY_INTERNAL_H
#define IMPRESSION_EXT_JOURNEY_INTERNAL_H

#include "journey_core.h"
#include "core_util.h"
#include "hash.h"
#include "le.h"

#include <string.h>

/* ---------------------------------------------------------------------
 * Header fields (both representations), then a STATE's capacities
 * --------------------------------------------------------------------- */

IE_FIELD_U8(hdr_version, set_version, 0);
/* JOURNEY_REP_* */
IE_FIELD_U8(hdr_rep, set_rep, 1);
IE_FIELD_U8(hdr_flags, set_flags, 2);
IE_FIELD_U8(hdr_reserved, set_reserved, 3);
/* E, V, S, B */
IE_FIELD_U32(hdr_events, set_events, 4);
IE_FIELD_U32(hdr_values, set_values, 8);
IE_FIELD_U32(hdr_strings, set_strings, 12);
IE_FIELD_U32(hdr_bytes, set_bytes, 16);

/*
 * E, V, S, B as one record: they are the sizes of a CANONICAL value's
 * arrays as the capacities are a STATE's
 */
static inline void
hdr_counts(const uint8_t *b, JourneyCapacity *n)
{
	n->events = hdr_events(b);
	n->values = hdr_values(b);
	n->strings = hdr_strings(b);
	n->bytes = hdr_bytes(b);
}

/* Ecap, Vcap, Scap, Bcap: STATE only */
static inline void
hdr_capacity(const uint8_t *b, JourneyCapacity *cap)
{
	cap->events = ie_get32(b + 20);
	cap->values = ie_get32(b + 24);
	cap->strings = ie_get32(b + 28);
	cap->bytes = ie_get32(b + 32);
}

static inline void
set_capacity(uint8_t *b, const JourneyCapacity *cap)
{
	ie_put32(b + 20, cap->events);
	ie_put32(b + 24, cap->values);
	ie_put32(b + 28, cap->strings);
	ie_put32(b + 32, cap->bytes);
}

/* the header both representations start with: version, rep, counts */
static inline void
hdr_write(uint8_t *b, unsigned rep, uint32_t e, uint32_t v, uint32_t s,
		  uint32_t bytes)
{
	set_version(b, JOURNEY_FORMAT_VERSION);
	set_rep(b, rep);
	set_flags(b, 0);
	set_reserved(b, 0);
	set_events(b, e);
	set_values(b, v);
	set_strings(b, s);
	set_bytes(b, bytes);
}

/* a working form: 0.2's KEYED_STATE, or 0.1's STATE (read, converted before use) */
static inline bool
is_state(const uint8_t *b)
{
	return hdr_rep(b) == JOURNEY_REP_STATE || hdr_rep(b) == JOURNEY_REP_KEYED_STATE;
}

/* ---------------------------------------------------------------------
 * Layout
 * --------------------------------------------------------------------- */

/* byte offsets of the arrays of one body; total is its exact length */
typedef struct Layout
{
	uint64_t	ends;
	uint64_t	seed;			/* 0: no seed (unkeyed or no table) */
	uint64_t	slots;
	uint64_t	ts;
	uint64_t	touch;
	uint64_t	kind;
	uint64_t	values;
	uint64_t	bytes;
	uint64_t	total;
	uint32_t	nslots;			/* H; 0 for CANONICAL */
} Layout;

/*
 * Offsets for arrays of these sizes (counts for CANONICAL, capacities for
 * a STATE) in a body of representation rep.  A KEYED_STATE with a table
 * has the table's 8-byte seed between end[] and slot[].  64-bit
 * arithmetic: no overflow for any uint32 inputs.
 */
static inline void
layout_of(Layout *l, unsigned rep, uint32_t e, uint32_t v, uint32_t s,
		  uint32_t b)
{
	bool		state = rep != JOURNEY_REP_CANONICAL;

	l->nslots = state ? journey_hash_slots(s) : 0;
	l->ends = state ? JOURNEY_STATE_HEADER_SIZE : JOURNEY_HEADER_SIZE;
	l->seed = 0;
	l->slots = l->ends + 4 * (uint64_t) s;
	if (rep == JOURNEY_REP_KEYED_STATE && l->nslots != 0)
	{
		l->seed = l->slots;
		l->slots += 8;
	}
	l->ts = l->slots + 4 * (uint64_t) l->nslots;
	l->touch = l->ts + 8 * (uint64_t) e;
	l->kind = l->touch + 4 * (uint64_t) e;
	l->values = l->kind + (uint64_t) e;
	l->bytes = l->values + 8 * (uint64_t) v;
	l->total = l->bytes + (uint64_t) b;
}

/* layout_of for arrays of the sizes in *c */
static inline void
layout_for(Layout *l, unsigned rep, const JourneyCapacity *c)
{
	layout_of(l, rep, c->events, c->values, c->strings, c->bytes);
}

/* the layout of a valid body, either representation */
static inline void
layout_body(Layout *l, const uint8_t *body)
{
	JourneyCapacity c;

	if (is_state(body))
		hdr_capacity(body, &c);
	else
		hdr_counts(body, &c);
	layout_for(l, hdr_rep(body), &c);
}

/* ---------------------------------------------------------------------
 * The arrays
 * --------------------------------------------------------------------- */

/* end[i]: where string i ends in bytes[] */
static inline uint32_t
end_at(const uint8_t *body, const Layout *l, uint32_t i)
{
	return ie_get32(body + l->ends + 4 * (uint64_t) i);
}

/* slot i of a STATE's string table: 0 empty, else string index + 1 */
static inline uint32_t
slot_at(const uint8_t *body, const Layout *l, uint32_t i)
{
	return ie_get32(body + l->slots + 4 * (uint64_t) i);
}

static inline void
set_slot(uint8_t *body, const Layout *l, uint32_t i, uint32_t x)
{
	ie_put32(body + l->slots + 4 * (uint64_t) i, x);
}

static inline int64_t
ts_at(const uint8_t *body, const Layout *l, uint32_t i)
{
	uint64_t	u = ie_get64(body + l->ts + 8 * (uint64_t) i);
	int64_t		v;

	memcpy(&v, &u, 8);
	return v;
}

/* event i's string index, or JOURNEY_NO_TOUCH */
static inline uint32_t
touch_at(const uint8_t *body, const Layout *l, uint32_t i)
{
	return ie_get32(body + l->touch + 4 * (uint64_t) i);
}

/* value j: the bits of the j-th event with JOURNEY_KIND_HAS_VALUE */
static inline uint64_t
value_at(const uint8_t *body, const Layout *l, uint32_t j)
{
	return ie_get64(body + l->values + 8 * (uint64_t) j);
}

static inline double
bits_to_double(uint64_t b)
{
	double		d;

	memcpy(&d, &b, 8);
	return d;
}

/* string i of a body: its start and length */
static inline const uint8_t *
string_at(const uint8_t *body, const Layout *l, uint32_t i, uint32_t *len)
{
	uint32_t	start = i == 0 ? 0 : end_at(body, l, i - 1);
	uint32_t	end = end_at(body, l, i);

	*len = end - start;
	return body + l->bytes + start;
}

/* bytewise order of two strings, a proper prefix first */
static inline int
string_cmp(const uint8_t *a, uint32_t alen, const uint8_t *b, uint32_t blen)
{
	int			c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0 || alen == blen)
		return c;
	return alen < blen ? -1 : 1;
}

/*
 * The table slot to start a string's probe at: under the state's seed
 * (SipHash-1-3, so strings someone else chose cannot be made to collide),
 * or, in a 0.1 STATE, the unkeyed journey_string_hash.
 */
static inline uint32_t
string_home(const uint8_t *body, const Layout *l, const uint8_t *str, uint32_t len)
{
	if (l->seed != 0)
	{
		uint64_t	k = ie_get64(body + l->seed);

		return (uint32_t) ie_siphash13(k, k ^ UINT64_C(0x6a09e667f3bcc908), str, len) &
			(l->nslots - 1);
	}
	return journey_string_hash(str, len) & (l->nslots - 1);
}

/* ---------------------------------------------------------------------
 * Event order: canonicalizing sorts by it, the validator checks it
 *
 * Sort keys.  ts: the int64 with its sign bit flipped (unsigned order is
 * signed order).  mid: the kind's rank (journey_kind_rank) << 30 | touch rank + 1 (0 for NULL) << 1 |
 * has_value; ranks are < 2^24.  val: IEEE total order of the value bits
 * (0 when there is no value, which has_value already orders first).
 * --------------------------------------------------------------------- */

static inline uint64_t
ts_key(int64_t ts)
{
	return (uint64_t) ts ^ UINT64_C(0x8000000000000000);
}

static inline int64_t
ts_of_key(uint64_t k)
{
	uint64_t	u = k ^ UINT64_C(0x8000000000000000);
	int64_t		v;

	memcpy(&v, &u, 8);
	return v;
}

static inline uint64_t
val_key(uint64_t bits)
{
	return (bits & UINT64_C(0x8000000000000000)) ? ~bits :
		bits | UINT64_C(0x8000000000000000);
}

static inline uint64_t
val_of_key(uint64_t k)
{
	return (k & UINT64_C(0x8000000000000000)) ?
		k & ~UINT64_C(0x8000000000000000) : ~k;
}

static inline uint32_t
mid_key(unsigned kind, uint32_t touch_rank_plus_one, bool has_value)
{
	return ((uint32_t) journey_kind_rank(kind) << 30) | (touch_rank_plus_one << 1) |
		(has_value ? 1u : 0u);
}

/* the stored kind code of a mid key */
static inline unsigned
mid_kind(uint32_t mid)
{
	return journey_kind_of_rank(mid >> 30);
}

typedef struct SortKey
{
	uint64_t	ts;
	uint64_t	val;
	uint32_t	mid;
	uint32_t	pad;
} SortKey;

static inline bool
key_less(const SortKey *a, const SortKey *b)
{
	if (a->ts != b->ts)
		return a->ts < b->ts;
	if (a->mid != b->mid)
		return a->mid < b->mid;
	return a->val < b->val;
}

/*
 * Event i's key, its touch ranked by rank[] (NULL: by its string index,
 * which in a CANONICAL value is its rank); *nv counts the values read, so
 * the events must come in order.
 */
static inline void
event_key(const uint8_t *body, const Layout *l, uint32_t i,
		  const uint32_t *rank, uint32_t *nv, SortKey *key)
{
	uint8_t		k = body[l->kind + i];
	uint32_t	t = touch_at(body, l, i);
	bool		hv = (k & JOURNEY_KIND_HAS_VALUE) != 0;

	key->ts = ts_key(ts_at(body, l, i));
	key->mid = mid_key(k & JOURNEY_KIND_MASK,
					   t == JOURNEY_NO_TOUCH ? 0 : (rank != NULL ? rank[t] : t) + 1,
					   hv);
	key->val = hv ? val_key(value_at(body, l, (*nv)++)) : 0;
	key->pad = 0;
}

#endif							/* IMPRESSION_EXT_JOURNEY_INTERNAL_H */
