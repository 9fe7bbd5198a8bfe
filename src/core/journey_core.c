/*
 * journey_core.c — the journey type (one user's events) and attribution.
 * Plain C99, no postgres.h, no allocation.  The format and the caller
 * protocol are described in journey_core.h.
 *
 * Design notes (why, not what):
 *
 * The aggregate state is column arrays with spare capacity (timestamps,
 * touch indexes, kind bytes; values only for the conversions that have
 * one) and a string table, so adding a row is an append plus one lookup
 * of the touch in a small open-addressing table of string indexes.  A
 * user has few distinct touches; a hostile journey with 100,000 distinct
 * ones still costs O(1) expected per row (the table is at most half
 * full).  Nothing is sorted until the final function.
 *
 * Canonicalizing sorts the distinct used strings bytewise (their index
 * order is then their text order), and the events by a key made of
 * (ts, kind, string rank + 1 or 0 for NULL, has-value, value bits in IEEE
 * total order): three machine words, compared in that order, so event
 * order needs no string compares.  The key holds everything an event is,
 * so the output is written from the sorted keys alone.  Input that is
 * already in order (the common case: events read in time order) is
 * detected in one pass; otherwise a bottom-up merge sort on scratch
 * (on the stack for up to JOURNEY_SMALL events).
 *
 * The canonical form keeps the same columns, tight, sorted, with the
 * strings sorted and deduplicated.  Attribution reads it directly: one
 * pass splits the touches into a click list and an impression list (event
 * indexes, ascending); for each conversion, in order, the qualifying
 * clicks (impressions) are a contiguous range of their list whose two
 * ends only move forward as the conversion time grows (a two-pointer
 * window): at equal timestamps touches sort before conversions, so "event
 * index below the conversion" is exactly "touch_ts <= conversion_ts", and
 * the lower end is the first touch with ts >= conversion_ts - window.  So
 * a conversion costs O(1) plus its rows.
 *
 * Validation cannot allocate, but must check that every string of a
 * canonical value is used: it marks uses in a 32 KB bitmap on the stack,
 * one pass over the touches per 262,144 strings.
 */
#include "journey_core.h"
#include "core_util.h"
#include "hash.h"
#include "le.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>


static inline double
bits_to_double(uint64_t b)
{
	double		d;

	memcpy(&d, &b, 8);
	return d;
}

/* header fields shared by both representations */
#define H_EVENTS	4
#define H_VALUES	8
#define H_STRINGS	12
#define H_BYTES		16
#define H_ECAP		20
#define H_VCAP		24
#define H_SCAP		28
#define H_BCAP		32

/* ---------------------------------------------------------------------
 * Names
 * --------------------------------------------------------------------- */

static const char *const kind_names[] = {"impression", "click", "conversion"};
static const char *const model_names[] = {
	"last_touch", "first_touch", "linear", "time_decay", "position_based"
};

static bool
name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(name, want, len) == 0;
}

/*
 * Called for every aggregated row: constant-length compares, which the
 * compiler turns into a couple of loads instead of strlen and memcmp calls.
 */
bool
journey_kind_parse(const char *name, size_t len, JourneyKind *out)
{
	if (len == 5 && memcmp(name, "click", 5) == 0)
		*out = JOURNEY_CLICK;
	else if (len == 10 && memcmp(name, "impression", 10) == 0)
		*out = JOURNEY_IMPRESSION;
	else if (len == 10 && memcmp(name, "conversion", 10) == 0)
		*out = JOURNEY_CONVERSION;
	else
		return false;
	return true;
}

const char *
journey_kind_name(JourneyKind kind)
{
	return (unsigned) kind < 3 ? kind_names[kind] : "?";
}

bool
journey_model_parse(const char *name, size_t len, JourneyModel *out)
{
	int			i;

	for (i = 0; i < 5; i++)
		if (name_is(name, len, model_names[i]))
		{
			*out = (JourneyModel) i;
			return true;
		}
	return false;
}

const char *
journey_model_name(JourneyModel model)
{
	return (unsigned) model < 5 ? model_names[model] : "?";
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

/* a working form: 0.2's KEYED_STATE, or 0.1's STATE (read, converted before use) */
static inline bool
is_state(const uint8_t *b)
{
	return b[1] == JOURNEY_REP_STATE || b[1] == JOURNEY_REP_KEYED_STATE;
}

uint32_t
journey_hash_slots(uint32_t strings)
{
	uint32_t	h = 4;

	if (strings <= JOURNEY_LINEAR_STRINGS)
		return 0;
	while (h < 2 * (uint64_t) strings)
		h <<= 1;
	return h;
}

/*
 * Offsets for arrays of these sizes (counts for CANONICAL, capacities for
 * a STATE) in a body of representation rep.  A KEYED_STATE with a table
 * has the table's 8-byte seed between end[] and slot[].  64-bit
 * arithmetic: no overflow for any uint32 inputs.
 */
static void
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

/* the layout of a valid body, either representation */
static void
layout_body(Layout *l, const uint8_t *body)
{
	if (is_state(body))
		layout_of(l, body[1], ie_get32(body + H_ECAP), ie_get32(body + H_VCAP),
				  ie_get32(body + H_SCAP), ie_get32(body + H_BCAP));
	else
		layout_of(l, JOURNEY_REP_CANONICAL, ie_get32(body + H_EVENTS), ie_get32(body + H_VALUES),
				  ie_get32(body + H_STRINGS), ie_get32(body + H_BYTES));
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

/* string i of a body: its start and length */
static inline const uint8_t *
string_at(const uint8_t *body, const Layout *l, uint32_t i, uint32_t *len)
{
	uint32_t	start = i == 0 ? 0 : ie_get32(body + l->ends + 4 * (uint64_t) (i - 1));
	uint32_t	end = ie_get32(body + l->ends + 4 * (uint64_t) i);

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

uint32_t
journey_string_hash(const uint8_t *s, size_t len)
{
	uint64_t	h = UINT64_C(0xcbf29ce484222325);
	size_t		i;

	for (i = 0; i < len; i++)
	{
		h ^= s[i];
		h *= UINT64_C(0x100000001b3);
	}
	h ^= h >> 29;
	return (uint32_t) (h ^ (h >> 32));
}

uint64_t
journey_value_bits(double value)
{
	uint64_t	b;

	if (value != value)
		return JOURNEY_NAN_BITS;
	memcpy(&b, &value, 8);
	if (b == UINT64_C(0x8000000000000000))
		b = 0;
	return b;
}

static inline bool
value_bits_normal(uint64_t b)
{
	if (b == UINT64_C(0x8000000000000000))
		return false;
	if ((b & UINT64_C(0x7FF0000000000000)) == UINT64_C(0x7FF0000000000000) &&
		(b & UINT64_C(0x000FFFFFFFFFFFFF)) != 0)
		return b == JOURNEY_NAN_BITS;
	return true;
}

/*
 * Sort keys.  ts: the int64 with its sign bit flipped (unsigned order is
 * signed order).  mid: kind << 30 | touch rank + 1 (0 for NULL) << 1 |
 * has_value; ranks are < 2^24.  val: IEEE total order of the value bits
 * (0 when there is no value, which has_value already orders first).
 */
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
	return ((uint32_t) kind << 30) | (touch_rank_plus_one << 1) |
		(has_value ? 1u : 0u);
}

static inline int64_t
ts_at(const uint8_t *body, const Layout *l, uint32_t i)
{
	uint64_t	u = ie_get64(body + l->ts + 8 * (uint64_t) i);
	int64_t		v;

	memcpy(&v, &u, 8);
	return v;
}

/* ---------------------------------------------------------------------
 * Validation
 * --------------------------------------------------------------------- */

/* end[] of the first n strings: non-decreasing, the last == bytes */
static const char *
check_ends(const uint8_t *body, const Layout *l, uint32_t n, uint32_t bytes)
{
	uint32_t	prev = 0;
	uint32_t	i;

	for (i = 0; i < n; i++)
	{
		uint32_t	e = ie_get32(body + l->ends + 4 * (uint64_t) i);

		if (e < prev)
			return ie_fail("string %u ends at %u, before its start %u", i, e, prev);
		if (e > bytes)
			return ie_fail("string %u ends at %u, past the %u string bytes", i, e, bytes);
		prev = e;
	}
	if (prev != bytes)
		return ie_fail("the strings end at %u, not at the %u string bytes", prev, bytes);
	return NULL;
}

/*
 * Per-event checks shared by both representations: kind byte, touch
 * range, the value count and value normalisation.  Event i's value is
 * read in order.
 */
static const char *
check_events(const uint8_t *body, const Layout *l, uint32_t e, uint32_t v,
			 uint32_t s)
{
	uint32_t	nv = 0;
	uint32_t	i;

	for (i = 0; i < e; i++)
	{
		uint8_t		k = body[l->kind + i];
		uint32_t	t = ie_get32(body + l->touch + 4 * (uint64_t) i);

		int64_t		ts = ts_at(body, l, i);

		if ((k & JOURNEY_KIND_MASK) == 3 || (k & ~(JOURNEY_KIND_MASK | JOURNEY_KIND_HAS_VALUE)) != 0)
			return ie_fail("event %u has an invalid kind byte 0x%02x", i, k);
		if ((ts < JOURNEY_TS_MIN || ts >= JOURNEY_TS_END) &&
			ts != JOURNEY_TS_NOBEGIN && ts != JOURNEY_TS_NOEND)
			return ie_fail("event %u has a timestamp outside PostgreSQL's range (%lld microseconds)",
						i, (long long) ts);
		if ((k & JOURNEY_KIND_HAS_VALUE) != 0)
		{
			uint64_t	b;

			if ((k & JOURNEY_KIND_MASK) != JOURNEY_CONVERSION)
				return ie_fail("event %u is a %s with a value (only conversions have one)",
							i, kind_names[k & JOURNEY_KIND_MASK]);
			if (nv >= v)
				return ie_fail("more events have a value than the %u values", v);
			b = ie_get64(body + l->values + 8 * (uint64_t) nv);
			if (!value_bits_normal(b))
				return ie_fail("the value of event %u is not normalised (bits 0x%016llx)",
							i, (unsigned long long) b);
			nv++;
		}
		if (t != JOURNEY_NO_TOUCH && t >= s)
			return ie_fail("event %u refers to string %u of %u", i, t, s);
	}
	if (nv != v)
		return ie_fail("%u events have a value, the header says %u", nv, v);
	return NULL;
}

#define USED_BITS	(32768 * 8)

static const char *
validate_canonical(const uint8_t *body, size_t len)
{
	uint32_t	e = ie_get32(body + H_EVENTS);
	uint32_t	v = ie_get32(body + H_VALUES);
	uint32_t	s = ie_get32(body + H_STRINGS);
	uint32_t	b = ie_get32(body + H_BYTES);
	Layout		l;
	const char *err;
	uint32_t	i;
	uint32_t	nv;
	uint64_t	prev_ts = 0;
	uint32_t	prev_mid = 0;
	uint64_t	prev_val = 0;

	if (e > JOURNEY_MAX_EVENTS)
		return ie_fail("%u events is more than the limit %u", e, JOURNEY_MAX_EVENTS);
	if (s > JOURNEY_MAX_STRINGS)
		return ie_fail("%u strings is more than the limit %u", s, JOURNEY_MAX_STRINGS);
	if (v > e)
		return ie_fail("%u values is more than the %u events", v, e);
	if (s > e)
		return ie_fail("%u strings is more than the %u events: some string is unused", s, e);
	layout_of(&l, JOURNEY_REP_CANONICAL, e, v, s, b);
	if (l.total > len)
		return ie_fail("truncated: %zu bytes, %u events, %u values, %u strings and %u string bytes need %llu",
					len, e, v, s, b, (unsigned long long) l.total);
	if (l.total < len)
		return ie_fail("trailing bytes: %zu after the journey's %llu",
					len - (size_t) l.total, (unsigned long long) l.total);
	if ((err = check_ends(body, &l, s, b)) != NULL)
		return err;
	for (i = 1; i < s; i++)
	{
		uint32_t	alen;
		uint32_t	blen;
		const uint8_t *pa = string_at(body, &l, i - 1, &alen);
		const uint8_t *pb = string_at(body, &l, i, &blen);
		int			c = string_cmp(pa, alen, pb, blen);

		if (c == 0)
			return ie_fail("strings %u and %u are equal (duplicate)", i - 1, i);
		if (c > 0)
			return ie_fail("strings %u and %u are out of order", i - 1, i);
	}
	if ((err = check_events(body, &l, e, v, s)) != NULL)
		return err;

	/* event order */
	nv = 0;
	for (i = 0; i < e; i++)
	{
		uint8_t		k = body[l.kind + i];
		uint32_t	t = ie_get32(body + l.touch + 4 * (uint64_t) i);
		bool		hv = (k & JOURNEY_KIND_HAS_VALUE) != 0;
		uint64_t	tk = ts_key(ts_at(body, &l, i));
		uint32_t	mk = mid_key(k & JOURNEY_KIND_MASK,
								 t == JOURNEY_NO_TOUCH ? 0 : t + 1, hv);
		uint64_t	vk = hv ? val_key(ie_get64(body + l.values + 8 * (uint64_t) nv++)) : 0;

		if (i > 0 && (tk < prev_ts || (tk == prev_ts &&
									   (mk < prev_mid || (mk == prev_mid && vk < prev_val)))))
			return ie_fail("events %u and %u are out of order", i - 1, i);
		prev_ts = tk;
		prev_mid = mk;
		prev_val = vk;
	}

	/* every string used: a bitmap of USED_BITS strings at a time */
	{
		uint8_t		used[USED_BITS / 8];
		uint32_t	base;

		for (base = 0; base < s; base += USED_BITS)
		{
			uint32_t	n = s - base < USED_BITS ? s - base : USED_BITS;
			uint32_t	j;

			memset(used, 0, (n + 7) / 8);
			for (i = 0; i < e; i++)
			{
				uint32_t	t = ie_get32(body + l.touch + 4 * (uint64_t) i);

				if (t != JOURNEY_NO_TOUCH && t >= base && t - base < n)
					used[(t - base) >> 3] |= (uint8_t) (1u << ((t - base) & 7));
			}
			for (j = 0; j < n; j++)
				if ((used[j >> 3] & (1u << (j & 7))) == 0)
					return ie_fail("string %u is not used by any event", base + j);
		}
	}
	return NULL;
}

static const char *
validate_state(const uint8_t *body, size_t len)
{
	uint32_t	e = ie_get32(body + H_EVENTS);
	uint32_t	v = ie_get32(body + H_VALUES);
	uint32_t	s = ie_get32(body + H_STRINGS);
	uint32_t	b = ie_get32(body + H_BYTES);
	uint32_t	ecap;
	uint32_t	vcap;
	uint32_t	scap;
	uint32_t	bcap;
	Layout		l;
	const char *err;
	uint32_t	i;
	uint32_t	occupied = 0;

	if (len < JOURNEY_STATE_HEADER_SIZE)
		return ie_fail("truncated: %zu bytes, a journey state header alone is %d",
					len, JOURNEY_STATE_HEADER_SIZE);
	ecap = ie_get32(body + H_ECAP);
	vcap = ie_get32(body + H_VCAP);
	scap = ie_get32(body + H_SCAP);
	bcap = ie_get32(body + H_BCAP);
	if (ecap > JOURNEY_MAX_EVENTS || vcap > JOURNEY_MAX_EVENTS ||
		scap > JOURNEY_MAX_STRINGS)
		return ie_fail("state capacities (%u events, %u values, %u strings) exceed the limits (%u, %u, %u)",
					ecap, vcap, scap, JOURNEY_MAX_EVENTS, JOURNEY_MAX_EVENTS,
					JOURNEY_MAX_STRINGS);
	if (e > ecap || v > vcap || s > scap || b > bcap)
		return ie_fail("state counts (%u events, %u values, %u strings, %u bytes) exceed its capacities (%u, %u, %u, %u)",
					e, v, s, b, ecap, vcap, scap, bcap);
	layout_of(&l, body[1], ecap, vcap, scap, bcap);
	if (l.total > len)
		return ie_fail("truncated: %zu bytes, the state's capacities need %llu",
					len, (unsigned long long) l.total);
	if (l.total < len)
		return ie_fail("trailing bytes: %zu after the state's %llu",
					len - (size_t) l.total, (unsigned long long) l.total);
	if ((err = check_ends(body, &l, s, b)) != NULL)
		return err;
	for (i = 0; i < l.nslots; i++)
	{
		uint32_t	x = ie_get32(body + l.slots + 4 * (uint64_t) i);

		if (x > s)
			return ie_fail("hash slot %u refers to string %u of %u", i, x - 1, s);
		if (x != 0)
			occupied++;
	}
	if (occupied > s)
		return ie_fail("%u hash slots are occupied for %u strings", occupied, s);
	return check_events(body, &l, e, v, s);
}

const char *
journey_validate(const uint8_t *body, size_t len)
{
	if (body == NULL && len > 0)
		return ie_fail("journey data is missing");
	if (len < JOURNEY_HEADER_SIZE)
		return ie_fail("truncated: %zu bytes, the journey header alone is %d",
					len, JOURNEY_HEADER_SIZE);
	if (len > JOURNEY_MAX_BODY_SIZE)
		return ie_fail("%zu bytes is more than the limit %zu", len, JOURNEY_MAX_BODY_SIZE);
	if (body[0] != JOURNEY_FORMAT_VERSION)
		return ie_fail("journey format version %u is not supported (expected %d)",
					body[0], JOURNEY_FORMAT_VERSION);
	if (body[2] != 0)
		return ie_fail("reserved flag bits set (flags 0x%02x)", body[2]);
	if (body[3] != 0)
		return ie_fail("reserved byte 3 is 0x%02x, not 0", body[3]);
	switch (body[1])
	{
		case JOURNEY_REP_CANONICAL:
			return validate_canonical(body, len);
		case JOURNEY_REP_STATE:
		case JOURNEY_REP_KEYED_STATE:
			return validate_state(body, len);
		default:
			return ie_fail("representation %u is unknown", body[1]);
	}
}

/* ---------------------------------------------------------------------
 * Aggregate state
 * --------------------------------------------------------------------- */

size_t
journey_state_size(const JourneyCapacity *cap)
{
	Layout		l;

	if (cap->events > JOURNEY_MAX_EVENTS || cap->values > JOURNEY_MAX_EVENTS ||
		cap->strings > JOURNEY_MAX_STRINGS)
		return 0;
	layout_of(&l, JOURNEY_REP_KEYED_STATE, cap->events, cap->values, cap->strings, cap->bytes);
	if (l.total > JOURNEY_MAX_BUILT_SIZE)
		return 0;
	return (size_t) l.total;
}

void
journey_initial_capacity(JourneyCapacity *cap)
{
	cap->events = 1;
	cap->values = 0;
	cap->strings = 1;
	cap->bytes = 0;
}

/* bytes an event takes in a STATE: ts, touch index, kind */
#define STATE_EVENT_BYTES	13

/*
 * Give the slack of a palloc chunk to more events, the rest to string
 * bytes: AllocSet rounds requests up to a power of two (up to 8 KB), so a
 * body whose size + the 4-byte varlena header is not one would waste the
 * difference.  Events, because a journey mostly grows by events with
 * short touches; slack given to string bytes would also be carried into
 * every later, doubled state.
 */
static size_t
fill_chunk(JourneyCapacity *cap, size_t size)
{
	size_t		chunk = 16;
	size_t		slack;
	uint32_t	more;

	if (size + 4 > 8192)
		return size;
	while (chunk < size + 4)
		chunk <<= 1;
	slack = chunk - 4 - size;
	more = (uint32_t) (slack / STATE_EVENT_BYTES);
	if (more > JOURNEY_MAX_EVENTS - cap->events)
		more = JOURNEY_MAX_EVENTS - cap->events;
	slack -= (size_t) STATE_EVENT_BYTES * more;
	if ((uint64_t) cap->bytes + slack > JOURNEY_MAX_BUILT_SIZE)
		return size;
	cap->events += more;
	cap->bytes += (uint32_t) slack;
	return chunk - 4;
}

size_t
journey_state_initial_size(size_t first_touch_len)
{
	JourneyCapacity cap;

	journey_initial_capacity(&cap);
	if (first_touch_len > JOURNEY_MAX_BUILT_SIZE / 2)
		first_touch_len = JOURNEY_MAX_BUILT_SIZE / 2;
	if (first_touch_len > cap.bytes)
		cap.bytes = (uint32_t) first_touch_len;
	return fill_chunk(&cap, journey_state_size(&cap));
}

static void
state_header(uint8_t *body, uint32_t e, uint32_t v, uint32_t s, uint32_t b,
			 const JourneyCapacity *cap)
{
	body[0] = JOURNEY_FORMAT_VERSION;
	body[1] = JOURNEY_REP_KEYED_STATE;
	body[2] = 0;
	body[3] = 0;
	ie_put32(body + H_EVENTS, e);
	ie_put32(body + H_VALUES, v);
	ie_put32(body + H_STRINGS, s);
	ie_put32(body + H_BYTES, b);
	ie_put32(body + H_ECAP, cap->events);
	ie_put32(body + H_VCAP, cap->values);
	ie_put32(body + H_SCAP, cap->strings);
	ie_put32(body + H_BCAP, cap->bytes);
}

bool
journey_state_init(uint8_t *body, size_t len, const JourneyCapacity *cap,
				   uint64_t seed)
{
	JourneyCapacity init;
	size_t		size;

	if (cap == NULL)
	{
		/* the initial capacities, the rest of len for string bytes */
		journey_initial_capacity(&init);
		init.bytes = 0;
		size = journey_state_size(&init);
		if (len < size || len - size > JOURNEY_MAX_BUILT_SIZE)
			return false;
		init.bytes = (uint32_t) (len - size);
		cap = &init;
	}
	size = journey_state_size(cap);
	if (size == 0 || size != len)
		return false;
	memset(body, 0, len);
	state_header(body, 0, 0, 0, 0, cap);
	{
		Layout		l;

		layout_body(&l, body);
		if (l.seed != 0)
			ie_put64(body + l.seed, seed);
	}
	return true;
}

bool
journey_init_empty(uint8_t *body, size_t len)
{
	if (len < JOURNEY_HEADER_SIZE)
		return false;
	memset(body, 0, JOURNEY_HEADER_SIZE);
	body[0] = JOURNEY_FORMAT_VERSION;
	body[1] = JOURNEY_REP_CANONICAL;
	return true;
}

/* one capacity to grow to: need if it exceeds cap, else cap */
static bool
grow_one(uint64_t need, uint32_t cap, uint32_t limit, uint32_t minimum,
		 bool doubling, uint32_t *out)
{
	uint64_t	c;

	if (need > limit)
		return false;
	if (need <= cap)
	{
		*out = cap;
		return true;
	}
	c = doubling ? 2 * (uint64_t) cap : 0;
	if (c < need)
		c = need;
	if (c < minimum)
		c = minimum;
	if (c > limit)
		c = limit;
	*out = (uint32_t) c;
	return true;
}

/*
 * The size and capacities of a state that holds (e, v, s, b) given the
 * current capacities (counts for a CANONICAL value): each exhausted
 * capacity doubles (at least to the need), falling back to the exact need
 * near the size limit.
 */
static size_t
grow_to(uint64_t e, uint64_t v, uint64_t s, uint64_t b,
		const JourneyCapacity *cur, JourneyCapacity *grow)
{
	JourneyCapacity init;
	int			pass;

	journey_initial_capacity(&init);
	for (pass = 0; pass < 2; pass++)
	{
		bool		dbl = pass == 0;
		size_t		size;

		if (!grow_one(e, cur->events, JOURNEY_MAX_EVENTS, dbl ? init.events : 0, dbl, &grow->events) ||
			!grow_one(v, cur->values, JOURNEY_MAX_EVENTS, dbl ? init.values : 0, dbl, &grow->values) ||
			!grow_one(s, cur->strings, JOURNEY_MAX_STRINGS, dbl ? init.strings : 0, dbl, &grow->strings) ||
			!grow_one(b, cur->bytes, (uint32_t) JOURNEY_MAX_BUILT_SIZE, dbl ? init.bytes : 0, dbl, &grow->bytes))
			return JOURNEY_TOO_LARGE;
		size = journey_state_size(grow);
		if (size != 0)
			return fill_chunk(grow, size);
	}
	return JOURNEY_TOO_LARGE;
}

static void
current_capacity(const uint8_t *body, JourneyCapacity *cap)
{
	if (is_state(body))
	{
		cap->events = ie_get32(body + H_ECAP);
		cap->values = ie_get32(body + H_VCAP);
		cap->strings = ie_get32(body + H_SCAP);
		cap->bytes = ie_get32(body + H_BCAP);
	}
	else
	{
		cap->events = ie_get32(body + H_EVENTS);
		cap->values = ie_get32(body + H_VALUES);
		cap->strings = ie_get32(body + H_STRINGS);
		cap->bytes = ie_get32(body + H_BYTES);
	}
}

/* equality of short strings without a library call; memcmp for long ones */
static inline bool
bytes_equal(const uint8_t *a, const uint8_t *b, uint32_t n)
{
	uint32_t	i;

	if (n > 16)
		return memcmp(a, b, n) == 0;
	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

/*
 * Find the string in a STATE: its index, or JOURNEY_NO_TOUCH with *slot
 * the empty slot of the table where it would go.  A valid state always has
 * an empty slot (at most S < H occupied), so the probe ends.  Without a
 * table (H = 0) the strings are scanned and *slot is 0.
 */
static inline uint32_t
state_find(const uint8_t *body, const Layout *l, const uint8_t *str,
		   uint32_t len, uint32_t *slot)
{
	uint32_t	mask;
	uint32_t	i;

	if (l->nslots == 0)
	{
		/* a few strings: a scan is cheaper than hashing */
		uint32_t	n = ie_get32(body + H_STRINGS);
		uint32_t	start = 0;

		*slot = 0;
		for (i = 0; i < n; i++)
		{
			uint32_t	end = ie_get32(body + l->ends + 4 * (uint64_t) i);

			if (end - start == len && bytes_equal(body + l->bytes + start, str, len))
				return i;
			start = end;
		}
		return JOURNEY_NO_TOUCH;
	}
	mask = l->nslots - 1;
	i = string_home(body, l, str, len);
	for (;;)
	{
		uint32_t	x = ie_get32(body + l->slots + 4 * (uint64_t) i);
		uint32_t	slen;
		const uint8_t *s;

		if (x == 0)
		{
			*slot = i;
			return JOURNEY_NO_TOUCH;
		}
		s = string_at(body, l, x - 1, &slen);
		if (slen == len && bytes_equal(s, str, len))
			return x - 1;
		i = (i + 1) & mask;
	}
}

/* append string str as string S (room checked by the caller) */
static inline uint32_t
state_append_string(uint8_t *body, const Layout *l, const uint8_t *str,
					uint32_t len, uint32_t slot)
{
	uint32_t	s = ie_get32(body + H_STRINGS);
	uint32_t	b = ie_get32(body + H_BYTES);

	if (len > 0)
		memcpy(body + l->bytes + b, str, len);
	ie_put32(body + l->ends + 4 * (uint64_t) s, b + len);
	if (l->nslots != 0)
		ie_put32(body + l->slots + 4 * (uint64_t) slot, s + 1);
	ie_put32(body + H_STRINGS, s + 1);
	ie_put32(body + H_BYTES, b + len);
	return s;
}

/* append an event (room checked by the caller) */
static inline void
state_append_event(uint8_t *body, const Layout *l, int64_t ts, unsigned kind,
				   uint32_t touch, bool has_value, uint64_t value_bits)
{
	uint32_t	e = ie_get32(body + H_EVENTS);
	uint64_t	u;

	memcpy(&u, &ts, 8);
	ie_put64(body + l->ts + 8 * (uint64_t) e, u);
	ie_put32(body + l->touch + 4 * (uint64_t) e, touch);
	body[l->kind + e] = (uint8_t) (kind | (has_value ? JOURNEY_KIND_HAS_VALUE : 0));
	if (has_value)
	{
		uint32_t	v = ie_get32(body + H_VALUES);

		ie_put64(body + l->values + 8 * (uint64_t) v, value_bits);
		ie_put32(body + H_VALUES, v + 1);
	}
	ie_put32(body + H_EVENTS, e + 1);
}

size_t
journey_state_add(uint8_t *body, size_t len, int64_t ts, JourneyKind kind,
				  const uint8_t *touch, size_t touch_len, bool has_value,
				  double value, JourneyCapacity *grow)
{
	uint32_t	e;
	uint32_t	v;
	uint32_t	s;
	uint32_t	b;
	Layout		l;
	JourneyCapacity cur;
	uint32_t	idx = JOURNEY_NO_TOUCH;
	uint32_t	slot = 0;
	bool		new_string = false;

	(void) len;
	if ((unsigned) kind > JOURNEY_CONVERSION ||
		((ts < JOURNEY_TS_MIN || ts >= JOURNEY_TS_END) &&
		 ts != JOURNEY_TS_NOBEGIN && ts != JOURNEY_TS_NOEND))
		return JOURNEY_BAD_ARGUMENT;
	if (touch != NULL && touch_len > JOURNEY_MAX_BUILT_SIZE)
		return JOURNEY_TOO_LARGE;
	has_value = has_value && kind == JOURNEY_CONVERSION;
	e = ie_get32(body + H_EVENTS);
	v = ie_get32(body + H_VALUES);
	s = ie_get32(body + H_STRINGS);
	b = ie_get32(body + H_BYTES);
	current_capacity(body, &cur);
	if (body[1] != JOURNEY_REP_KEYED_STATE)
		return grow_to((uint64_t) e + 1, (uint64_t) v + has_value,
					   (uint64_t) s + (touch != NULL),
					   (uint64_t) b + (touch != NULL ? touch_len : 0), &cur, grow);
	layout_of(&l, JOURNEY_REP_KEYED_STATE, cur.events, cur.values, cur.strings, cur.bytes);
	if (touch != NULL)
	{
		idx = state_find(body, &l, touch, (uint32_t) touch_len, &slot);
		new_string = idx == JOURNEY_NO_TOUCH;
	}
	if (e >= cur.events || (has_value && v >= cur.values) ||
		(new_string && (s >= cur.strings || (uint64_t) b + touch_len > cur.bytes)))
		return grow_to((uint64_t) e + 1, (uint64_t) v + has_value,
					   (uint64_t) s + new_string,
					   (uint64_t) b + (new_string ? touch_len : 0), &cur, grow);
	if (new_string)
		idx = state_append_string(body, &l, touch, (uint32_t) touch_len, slot);
	state_append_event(body, &l, ts, (unsigned) kind, idx, has_value,
					   has_value ? journey_value_bits(value) : 0);
	return 0;
}

size_t
journey_state_merge(uint8_t *dst, size_t dstlen, const uint8_t *src,
					size_t srclen, JourneyCapacity *grow)
{
	uint32_t	se = ie_get32(src + H_EVENTS);
	uint32_t	sv = ie_get32(src + H_VALUES);
	uint32_t	ss = ie_get32(src + H_STRINGS);
	uint32_t	sb = ie_get32(src + H_BYTES);
	uint32_t	e = ie_get32(dst + H_EVENTS);
	uint32_t	v = ie_get32(dst + H_VALUES);
	uint32_t	s = ie_get32(dst + H_STRINGS);
	uint32_t	b = ie_get32(dst + H_BYTES);
	JourneyCapacity cur;
	Layout		l;
	Layout		sl;
	uint32_t	i;
	uint32_t	nv = 0;

	(void) dstlen;
	(void) srclen;
	current_capacity(dst, &cur);
	/* room for the worst case: every string of src new */
	if (dst[1] != JOURNEY_REP_KEYED_STATE ||
		(uint64_t) e + se > cur.events || (uint64_t) v + sv > cur.values ||
		(uint64_t) s + ss > cur.strings || (uint64_t) b + sb > cur.bytes)
		return grow_to((uint64_t) e + se, (uint64_t) v + sv,
					   (uint64_t) s + ss, (uint64_t) b + sb, &cur, grow);
	layout_of(&l, JOURNEY_REP_KEYED_STATE, cur.events, cur.values, cur.strings, cur.bytes);
	layout_body(&sl, src);
	for (i = 0; i < se; i++)
	{
		uint8_t		k = src[sl.kind + i];
		uint32_t	t = ie_get32(src + sl.touch + 4 * (uint64_t) i);
		bool		hv = (k & JOURNEY_KIND_HAS_VALUE) != 0;
		uint32_t	idx = JOURNEY_NO_TOUCH;

		if (t != JOURNEY_NO_TOUCH)
		{
			uint32_t	tlen;
			const uint8_t *str = string_at(src, &sl, t, &tlen);
			uint32_t	slot;

			idx = state_find(dst, &l, str, tlen, &slot);
			if (idx == JOURNEY_NO_TOUCH)
				idx = state_append_string(dst, &l, str, tlen, slot);
		}
		state_append_event(dst, &l, ts_at(src, &sl, i), k & JOURNEY_KIND_MASK,
						   idx, hv,
						   hv ? ie_get64(src + sl.values + 8 * (uint64_t) nv++) : 0);
	}
	return 0;
}

bool
journey_state_regrow(uint8_t *dst, size_t dstlen, const uint8_t *src,
					 size_t srclen, const JourneyCapacity *cap, uint64_t seed)
{
	uint32_t	e = ie_get32(src + H_EVENTS);
	uint32_t	v = ie_get32(src + H_VALUES);
	uint32_t	s = ie_get32(src + H_STRINGS);
	uint32_t	b = ie_get32(src + H_BYTES);
	size_t		size = journey_state_size(cap);
	Layout		l;
	Layout		sl;
	uint32_t	i;

	(void) srclen;
	if (size == 0 || size != dstlen || e > cap->events || v > cap->values ||
		s > cap->strings || b > cap->bytes)
		return false;
	layout_of(&l, JOURNEY_REP_KEYED_STATE, cap->events, cap->values, cap->strings, cap->bytes);
	layout_body(&sl, src);
	memset(dst, 0, dstlen);
	state_header(dst, e, v, s, b, cap);
	memcpy(dst + l.ends, src + sl.ends, 4 * (size_t) s);
	memcpy(dst + l.ts, src + sl.ts, 8 * (size_t) e);
	memcpy(dst + l.touch, src + sl.touch, 4 * (size_t) e);
	memcpy(dst + l.kind, src + sl.kind, (size_t) e);
	memcpy(dst + l.values, src + sl.values, 8 * (size_t) v);
	if (b > 0)
		memcpy(dst + l.bytes, src + sl.bytes, b);
	/* a table keeps its seed, so that its slots can be copied */
	if (l.seed != 0)
		ie_put64(dst + l.seed, sl.seed != 0 ? ie_get64(src + sl.seed) : seed);
	if (sl.seed != 0 && sl.nslots == l.nslots)
		memcpy(dst + l.slots, src + sl.slots, 4 * (size_t) l.nslots);
	else if (l.nslots != 0)
	{
		uint32_t	mask = l.nslots - 1;

		for (i = 0; i < s; i++)
		{
			uint32_t	len;
			const uint8_t *str = string_at(dst, &l, i, &len);
			uint32_t	j = string_home(dst, &l, str, len);

			while (ie_get32(dst + l.slots + 4 * (uint64_t) j) != 0)
				j = (j + 1) & mask;
			ie_put32(dst + l.slots + 4 * (uint64_t) j, i + 1);
		}
	}
	return true;
}

/* ---------------------------------------------------------------------
 * Canonical form
 * --------------------------------------------------------------------- */

bool
journey_canonical_by_header(const uint8_t *body, size_t len)
{
	return len >= JOURNEY_HEADER_SIZE && body[0] == JOURNEY_FORMAT_VERSION &&
		body[1] == JOURNEY_REP_CANONICAL;
}

bool
journey_needs_canonicalize(const uint8_t *body, size_t len)
{
	(void) len;
	return is_state(body);
}

size_t
journey_canonical_size(const uint8_t *body, size_t len)
{
	Layout		l;

	if (!is_state(body))
		return len;
	layout_of(&l, JOURNEY_REP_CANONICAL, ie_get32(body + H_EVENTS), ie_get32(body + H_VALUES),
			  ie_get32(body + H_STRINGS), ie_get32(body + H_BYTES));
	return (size_t) l.total;
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

static size_t
scratch_need(uint32_t e, uint32_t s)
{
	return 2 * sizeof(SortKey) * (size_t) e + 3 * sizeof(uint32_t) * (size_t) s + 8;
}

size_t
journey_canonical_scratch_size(const uint8_t *body, size_t len)
{
	uint32_t	e = ie_get32(body + H_EVENTS);
	uint32_t	s = ie_get32(body + H_STRINGS);

	(void) len;
	if (!is_state(body) || (e <= JOURNEY_SMALL && s <= JOURNEY_SMALL))
		return 0;
	return scratch_need(e, s);
}

#define RUN		16

/*
 * Sort a[0..n) by key_less; tmp has room for n.  Returns the array that
 * holds the result (a or tmp).  Insertion sort on runs of RUN, then
 * bottom-up merging; a pass over sorted input does no moves.
 */
static SortKey *
sort_keys(SortKey *a, SortKey *tmp, size_t n)
{
	size_t		i;
	size_t		width;
	SortKey    *from = a;
	SortKey    *to = tmp;

	for (i = 1; i < n; i++)
		if (key_less(&a[i], &a[i - 1]))
			break;
	if (i >= n)
		return a;
	for (i = 0; i < n; i += RUN)
	{
		size_t		end = i + RUN < n ? i + RUN : n;
		size_t		j;

		for (j = i + 1; j < end; j++)
		{
			SortKey		x = a[j];
			size_t		k = j;

			while (k > i && key_less(&x, &a[k - 1]))
			{
				a[k] = a[k - 1];
				k--;
			}
			a[k] = x;
		}
	}
	for (width = RUN; width < n; width *= 2)
	{
		for (i = 0; i < n; i += 2 * width)
		{
			size_t		mid = i + width < n ? i + width : n;
			size_t		end = i + 2 * width < n ? i + 2 * width : n;
			size_t		p = i;
			size_t		q = mid;
			size_t		o = i;

			if (mid == end || !key_less(&from[mid], &from[mid - 1]))
			{
				memcpy(&to[i], &from[i], (end - i) * sizeof(SortKey));
				continue;
			}
			while (p < mid && q < end)
				to[o++] = key_less(&from[q], &from[p]) ? from[q++] : from[p++];
			while (p < mid)
				to[o++] = from[p++];
			while (q < end)
				to[o++] = from[q++];
		}
		{
			SortKey    *t = from;

			from = to;
			to = t;
		}
	}
	return from;
}

/* sort string indexes a[0..n) by their text; tmp has room for n */
static uint32_t *
sort_strings(const uint8_t *body, const Layout *l, uint32_t *a, uint32_t *tmp,
			 uint32_t n)
{
	uint32_t	i;
	size_t		width;
	size_t		start;
	uint32_t   *from = a;
	uint32_t   *to = tmp;

	for (i = 0; i < n; i += RUN)
	{
		uint32_t	end = n - i > RUN ? i + RUN : n;
		uint32_t	j;

		for (j = i + 1; j < end; j++)
		{
			uint32_t	x = a[j];
			uint32_t	xlen;
			const uint8_t *xs = string_at(body, l, x, &xlen);
			uint32_t	k = j;

			while (k > i)
			{
				uint32_t	ylen;
				const uint8_t *ys = string_at(body, l, a[k - 1], &ylen);

				if (string_cmp(xs, xlen, ys, ylen) >= 0)
					break;
				a[k] = a[k - 1];
				k--;
			}
			a[k] = x;
		}
	}
	for (width = RUN; width < n; width *= 2)
	{
		for (start = 0; start < n; start += 2 * width)
		{
			size_t		mid = start + width < n ? start + width : n;
			size_t		end = start + 2 * width < n ? start + 2 * width : n;
			size_t		p = start;
			size_t		q = mid;
			size_t		o = start;

			while (p < mid && q < end)
			{
				uint32_t	plen;
				uint32_t	qlen;
				const uint8_t *ps = string_at(body, l, from[p], &plen);
				const uint8_t *qs = string_at(body, l, from[q], &qlen);

				to[o++] = string_cmp(qs, qlen, ps, plen) < 0 ? from[q++] : from[p++];
			}
			while (p < mid)
				to[o++] = from[p++];
			while (q < end)
				to[o++] = from[q++];
		}
		{
			uint32_t   *t = from;

			from = to;
			to = t;
		}
	}
	return from;
}

size_t
journey_canonicalize(uint8_t *dst, size_t dstlen, const uint8_t *src,
					 size_t srclen, void *scratch, size_t scratchlen)
{
	uint32_t	e;
	uint32_t	v;
	uint32_t	s;
	Layout		l;
	Layout		out;
	SortKey		small_keys[2 * JOURNEY_SMALL];
	uint32_t	small_words[3 * JOURNEY_SMALL];
	SortKey    *keys;
	SortKey    *sorted;
	uint32_t   *rank;
	uint32_t   *order;
	uint32_t   *tmp;
	uint32_t   *sorted_strings;
	uint32_t	nused = 0;
	uint32_t	nuniq = 0;
	uint32_t	outbytes = 0;
	uint32_t	i;
	uint32_t	nv;

	if (!is_state(src))
	{
		if (dstlen < srclen)
			return 0;
		memcpy(dst, src, srclen);
		return srclen;
	}
	e = ie_get32(src + H_EVENTS);
	v = ie_get32(src + H_VALUES);
	s = ie_get32(src + H_STRINGS);
	layout_body(&l, src);
	if (e <= JOURNEY_SMALL && s <= JOURNEY_SMALL)
	{
		keys = small_keys;
		rank = small_words;
	}
	else
	{
		uintptr_t	p = (uintptr_t) scratch;
		uintptr_t	pad = (8 - (p & 7)) & 7;

		if (scratch == NULL || scratchlen < scratch_need(e, s))
			return 0;
		keys = (SortKey *) (void *) ((uint8_t *) scratch + pad);
		rank = (uint32_t *) (void *) (keys + 2 * (size_t) e);
	}
	order = rank + s;
	tmp = order + s;

	/* the used strings, sorted and deduplicated: rank[i] is i's rank */
	for (i = 0; i < s; i++)
		rank[i] = JOURNEY_NO_TOUCH;
	for (i = 0; i < e; i++)
	{
		uint32_t	t = ie_get32(src + l.touch + 4 * (uint64_t) i);

		if (t != JOURNEY_NO_TOUCH && rank[t] == JOURNEY_NO_TOUCH)
		{
			rank[t] = 0;
			order[nused++] = t;
		}
	}
	sorted_strings = sort_strings(src, &l, order, tmp, nused);
	for (i = 0; i < nused; i++)
	{
		uint32_t	x = sorted_strings[i];
		uint32_t	xlen;
		const uint8_t *xs = string_at(src, &l, x, &xlen);

		if (nuniq > 0)
		{
			uint32_t	plen;
			const uint8_t *ps = string_at(src, &l, sorted_strings[nuniq - 1], &plen);

			if (plen == xlen && memcmp(ps, xs, xlen) == 0)
			{
				rank[x] = nuniq - 1;
				continue;
			}
		}
		/* compact in place: nuniq <= i */
		sorted_strings[nuniq] = x;
		rank[x] = nuniq++;
		outbytes += xlen;
	}

	layout_of(&out, JOURNEY_REP_CANONICAL, e, v, nuniq, outbytes);
	if (dstlen < out.total)
		return 0;

	/* the event keys, sorted */
	nv = 0;
	for (i = 0; i < e; i++)
	{
		uint8_t		k = src[l.kind + i];
		uint32_t	t = ie_get32(src + l.touch + 4 * (uint64_t) i);
		bool		hv = (k & JOURNEY_KIND_HAS_VALUE) != 0;

		keys[i].ts = ts_key(ts_at(src, &l, i));
		keys[i].mid = mid_key(k & JOURNEY_KIND_MASK,
							  t == JOURNEY_NO_TOUCH ? 0 : rank[t] + 1, hv);
		keys[i].val = hv ? val_key(ie_get64(src + l.values + 8 * (uint64_t) nv++)) : 0;
		keys[i].pad = 0;
	}
	sorted = sort_keys(keys, keys + e, e);

	/* write */
	memset(dst, 0, JOURNEY_HEADER_SIZE);
	dst[0] = JOURNEY_FORMAT_VERSION;
	dst[1] = JOURNEY_REP_CANONICAL;
	ie_put32(dst + H_EVENTS, e);
	ie_put32(dst + H_VALUES, v);
	ie_put32(dst + H_STRINGS, nuniq);
	ie_put32(dst + H_BYTES, outbytes);
	{
		uint32_t	at = 0;

		for (i = 0; i < nuniq; i++)
		{
			uint32_t	xlen;
			const uint8_t *xs = string_at(src, &l, sorted_strings[i], &xlen);

			if (xlen > 0)
				memcpy(dst + out.bytes + at, xs, xlen);
			at += xlen;
			ie_put32(dst + out.ends + 4 * (uint64_t) i, at);
		}
	}
	nv = 0;
	for (i = 0; i < e; i++)
	{
		const SortKey *k = &sorted[i];
		int64_t		ts = ts_of_key(k->ts);
		uint32_t	r1 = (k->mid >> 1) & ((UINT32_C(1) << 29) - 1);
		bool		hv = (k->mid & 1) != 0;
		uint64_t	u;

		memcpy(&u, &ts, 8);
		ie_put64(dst + out.ts + 8 * (uint64_t) i, u);
		ie_put32(dst + out.touch + 4 * (uint64_t) i, r1 == 0 ? JOURNEY_NO_TOUCH : r1 - 1);
		dst[out.kind + i] = (uint8_t) ((k->mid >> 30) | (hv ? JOURNEY_KIND_HAS_VALUE : 0));
		if (hv)
			ie_put64(dst + out.values + 8 * (uint64_t) nv++, val_of_key(k->val));
	}
	return (size_t) out.total;
}

/* ---------------------------------------------------------------------
 * Reading
 * --------------------------------------------------------------------- */

void
journey_get_info(const uint8_t *body, size_t len, JourneyInfo *info)
{
	Layout		l;
	uint32_t	i;

	memset(info, 0, sizeof(*info));
	layout_body(&l, body);
	info->version = body[0];
	info->representation = body[1];
	info->representation_name = is_state(body) ? "state" : "canonical";
	info->events = ie_get32(body + H_EVENTS);
	info->values = ie_get32(body + H_VALUES);
	info->strings = ie_get32(body + H_STRINGS);
	info->string_bytes = ie_get32(body + H_BYTES);
	info->bytes = len;
	for (i = 0; i < info->events; i++)
	{
		switch (body[l.kind + i] & JOURNEY_KIND_MASK)
		{
			case JOURNEY_IMPRESSION:
				info->impressions++;
				break;
			case JOURNEY_CLICK:
				info->clicks++;
				break;
			default:
				info->conversions++;
				break;
		}
	}
}

bool
journey_event_seq(const uint8_t *body, size_t len, uint32_t i,
				  uint32_t *values_before, JourneyEvent *ev)
{
	Layout		l;
	uint8_t		k;

	(void) len;
	if (body[1] != JOURNEY_REP_CANONICAL || i >= ie_get32(body + H_EVENTS))
		return false;
	layout_body(&l, body);
	k = body[l.kind + i];
	ev->ts = ts_at(body, &l, i);
	ev->kind = (JourneyKind) (k & JOURNEY_KIND_MASK);
	ev->touch_index = ie_get32(body + l.touch + 4 * (uint64_t) i);
	ev->touch = NULL;
	ev->touch_len = 0;
	if (ev->touch_index != JOURNEY_NO_TOUCH)
		ev->touch = string_at(body, &l, ev->touch_index, &ev->touch_len);
	ev->has_value = (k & JOURNEY_KIND_HAS_VALUE) != 0;
	ev->value = 0;
	if (ev->has_value)
	{
		ev->value = bits_to_double(ie_get64(body + l.values + 8 * (uint64_t) *values_before));
		(*values_before)++;
	}
	return true;
}

uint32_t
journey_state_max_probe(const uint8_t *body, size_t len)
{
	Layout		l;
	uint32_t	worst = 0;

	(void) len;
	if (!is_state(body))
		return 0;
	layout_body(&l, body);
	for (uint32_t i = 0; i < l.nslots; i++)
	{
		uint32_t	x = ie_get32(body + l.slots + 4 * (uint64_t) i);
		uint32_t	slen;
		const uint8_t *str;
		uint32_t	d;

		if (x == 0)
			continue;
		str = string_at(body, &l, x - 1, &slen);
		d = (i - string_home(body, &l, str, slen)) & (l.nslots - 1);
		if (d > worst)
			worst = d;
	}
	return worst;
}

uint32_t
journey_event_count(const uint8_t *body, size_t len)
{
	(void) len;
	return ie_get32(body + H_EVENTS);
}

uint32_t
journey_string_count(const uint8_t *body, size_t len)
{
	(void) len;
	return ie_get32(body + H_STRINGS);
}

const uint8_t *
journey_string(const uint8_t *body, size_t len, uint32_t i, size_t *slen)
{
	Layout		l;
	uint32_t	n;
	const uint8_t *s;

	(void) len;
	layout_body(&l, body);
	s = string_at(body, &l, i, &n);
	*slen = n;
	return s;
}

bool
journey_event(const uint8_t *body, size_t len, uint32_t i, JourneyEvent *ev)
{
	Layout		l;
	uint32_t	j;
	uint32_t	nv = 0;

	if (body[1] != JOURNEY_REP_CANONICAL || i >= ie_get32(body + H_EVENTS))
		return false;
	layout_body(&l, body);
	for (j = 0; j < i; j++)
		if (body[l.kind + j] & JOURNEY_KIND_HAS_VALUE)
			nv++;
	return journey_event_seq(body, len, i, &nv, ev);
}

/* ---------------------------------------------------------------------
 * Attribution
 * --------------------------------------------------------------------- */

const char *
journey_params_check(const JourneyParams *params)
{
	if ((unsigned) params->model > JOURNEY_POSITION_BASED)
		return ie_fail("unknown attribution model %d", (int) params->model);
	if (params->click_window < 0)
		return ie_fail("click_window must not be negative");
	if (params->view_window < 0)
		return ie_fail("view_window must not be negative");
	if (params->half_life <= 0)
		return ie_fail("half_life must be positive");
	return NULL;
}

/*
 * t - w (w >= 0), saturating just above -infinity, so that a touch at
 * -infinity never qualifies; within that, t - ts <= w <= INT64_MAX for
 * every touch that does, so its lag is exact
 */
static inline int64_t
window_start(int64_t t, int64_t w)
{
	return t <= JOURNEY_TS_NOBEGIN + w ? JOURNEY_TS_NOBEGIN + 1 : t - w;
}

/* t - u for u <= t, exact (the difference may pass INT64_MAX only if the
 * touch does not qualify, which callers have ruled out) */
static inline int64_t
lag_of(int64_t t, int64_t u)
{
	uint64_t	d = (uint64_t) t - (uint64_t) u;

	return (int64_t) d;
}

size_t
journey_attribute_scratch_size(const uint8_t *body, size_t len)
{
	uint32_t	e = ie_get32(body + H_EVENTS);

	(void) len;
	return e <= JOURNEY_SMALL ? 0 : 4 * (size_t) e + 4;
}

/* the click and impression lists */
static inline const uint32_t *
it_list(const JourneyAttribution *it)
{
	return it->ext != NULL ? it->ext : it->inline_buf;
}

bool
journey_attribute_begin(JourneyAttribution *it, const uint8_t *body,
						size_t len, const JourneyParams *params,
						void *scratch, size_t scratchlen)
{
	Layout		l;
	uint32_t	e;
	uint32_t	i;
	uint32_t	nc = 0;
	uint32_t	ni = 0;
	uint32_t   *list;

	(void) len;
	if (body[1] != JOURNEY_REP_CANONICAL || journey_params_check(params) != NULL)
		return false;
	e = ie_get32(body + H_EVENTS);
	memset(it, 0, offsetof(JourneyAttribution, inline_buf));
	if (e > JOURNEY_SMALL)
	{
		uintptr_t	p = (uintptr_t) scratch;

		if (scratch == NULL || scratchlen < 4 * (size_t) e + 4)
			return false;
		it->ext = (uint32_t *) (void *) ((uint8_t *) scratch + ((4 - (p & 3)) & 3));
	}
	layout_body(&l, body);
	it->body = body;
	it->params = *params;
	it->nevents = e;
	it->ends = body + l.ends;
	it->ts = body + l.ts;
	it->touch = body + l.touch;
	it->kind = body + l.kind;
	it->values = body + l.values;
	it->bytes = body + l.bytes;

	list = it->ext != NULL ? it->ext : it->inline_buf;
	for (i = 0; i < e; i++)
		if ((it->kind[i] & JOURNEY_KIND_MASK) == JOURNEY_CLICK)
			nc++;
	it->nclicks = nc;
	nc = 0;
	for (i = 0; i < e; i++)
	{
		unsigned	k = it->kind[i] & JOURNEY_KIND_MASK;

		if (k == JOURNEY_CLICK)
			list[nc++] = i;
		else if (k == JOURNEY_IMPRESSION)
			list[it->nclicks + ni++] = i;
	}
	it->nimps = ni;
	return true;
}

static inline int64_t
it_ts(const JourneyAttribution *it, uint32_t i)
{
	uint64_t	u = ie_get64(it->ts + 8 * (uint64_t) i);
	int64_t		v;

	memcpy(&v, &u, 8);
	return v;
}

static inline double
decay_weight(const JourneyAttribution *it, int64_t lag)
{
	return exp2(-(double) (lag - it->min_lag) / (double) it->params.half_life);
}

/* fill row with the qualifying touch k (group_lo <= k < group_hi) */
static void
emit_touch(JourneyAttribution *it, uint32_t k, JourneyRow *row)
{
	uint32_t	ev = it_list(it)[it->group_base + k];
	uint32_t	w = it->group_hi - it->group_lo;
	uint32_t	t = ie_get32(it->touch + 4 * (uint64_t) ev);
	int64_t		touch_ts = it_ts(it, ev);
	double		credit;

	row->conversion_ts = it->conv_ts;
	row->conversion_event = it->conv;
	row->attributed = true;
	row->touch_kind = (JourneyKind) (it->kind[ev] & JOURNEY_KIND_MASK);
	row->touch_ts = touch_ts;
	row->lag = lag_of(it->conv_ts, touch_ts);
	if (t == JOURNEY_NO_TOUCH)
	{
		row->touch_index = -1;
		row->touch = NULL;
		row->touch_len = 0;
	}
	else
	{
		uint32_t	start = t == 0 ? 0 : ie_get32(it->ends + 4 * (uint64_t) (t - 1));

		row->touch_index = t;
		row->touch = it->bytes + start;
		row->touch_len = ie_get32(it->ends + 4 * (uint64_t) t) - start;
	}
	switch (it->params.model)
	{
		case JOURNEY_LINEAR:
			credit = 1.0 / (double) w;
			break;
		case JOURNEY_TIME_DECAY:
			credit = decay_weight(it, row->lag) / it->decay_sum;
			break;
		case JOURNEY_POSITION_BASED:
			if (w == 1)
				credit = 1.0;
			else if (w == 2)
				credit = 0.5;
			else if (k == it->group_lo || k == it->group_hi - 1)
				credit = 0.4;
			else
				credit = 0.2 / (double) (w - 2);
			break;
		default:
			credit = 1.0;
			break;
	}
	row->credit = credit;
	row->value_is_null = !it->conv_has_value;
	row->value = it->conv_has_value ? credit * it->conv_value : 0.0;
}

bool
journey_attribute_next(JourneyAttribution *it, JourneyRow *row)
{
	const uint32_t *clicks = it_list(it);
	const uint32_t *imps = clicks + it->nclicks;

	for (;;)
	{
		int64_t		t;
		uint8_t		k;
		int64_t		lo;

		if (it->in_conversion)
		{
			if (it->next < it->emit_end)
			{
				emit_touch(it, it->next++, row);
				return true;
			}
			it->in_conversion = false;
		}

		/* the next conversion */
		while (it->pos < it->nevents &&
			   (it->kind[it->pos] & JOURNEY_KIND_MASK) != JOURNEY_CONVERSION)
			it->pos++;
		if (it->pos >= it->nevents)
			return false;
		it->conv = it->pos++;
		k = it->kind[it->conv];
		t = it_ts(it, it->conv);
		it->conv_ts = t;
		it->conv_has_value = (k & JOURNEY_KIND_HAS_VALUE) != 0;
		it->conv_value = it->conv_has_value ?
			bits_to_double(ie_get64(it->values + 8 * (uint64_t) it->value_index++)) : 0.0;

		/*
		 * The windows, [lo, hi) of each list: hi counts the touches before
		 * the conversion (exactly those with ts <= t), lo skips those with
		 * ts < t - window.  Both only move forward.
		 */
		while (it->click_hi < it->nclicks && clicks[it->click_hi] < it->conv)
			it->click_hi++;
		while (it->imp_hi < it->nimps && imps[it->imp_hi] < it->conv)
			it->imp_hi++;
		lo = window_start(t, it->params.click_window);
		while (it->click_lo < it->click_hi && it_ts(it, clicks[it->click_lo]) < lo)
			it->click_lo++;
		lo = window_start(t, it->params.view_window);
		while (it->imp_lo < it->imp_hi && it_ts(it, imps[it->imp_lo]) < lo)
			it->imp_lo++;

		/* (a conversion at infinity has no touch a finite time before it) */
		if (t != JOURNEY_TS_NOEND && it->click_lo < it->click_hi)
		{
			it->group_base = 0;
			it->group_lo = it->click_lo;
			it->group_hi = it->click_hi;
		}
		else if (t != JOURNEY_TS_NOEND && it->imp_lo < it->imp_hi)
		{
			it->group_base = it->nclicks;
			it->group_lo = it->imp_lo;
			it->group_hi = it->imp_hi;
		}
		else
		{
			/* unattributed */
			memset(row, 0, sizeof(*row));
			row->conversion_ts = t;
			row->conversion_event = it->conv;
			row->attributed = false;
			row->touch_index = -1;
			row->credit = 1.0;
			row->value_is_null = !it->conv_has_value;
			row->value = it->conv_has_value ? it->conv_value : 0.0;
			return true;
		}
		switch (it->params.model)
		{
			case JOURNEY_LAST_TOUCH:
				it->next = it->group_hi - 1;
				it->emit_end = it->group_hi;
				break;
			case JOURNEY_FIRST_TOUCH:
				it->next = it->group_lo;
				it->emit_end = it->group_lo + 1;
				break;
			case JOURNEY_TIME_DECAY:
				{
					const uint32_t *g = clicks + it->group_base;
					uint32_t	j;

					it->min_lag = lag_of(t, it_ts(it, g[it->group_hi - 1]));
					it->decay_sum = 0.0;
					for (j = it->group_lo; j < it->group_hi; j++)
						it->decay_sum += decay_weight(it, lag_of(t, it_ts(it, g[j])));
				}
				it->next = it->group_lo;
				it->emit_end = it->group_hi;
				break;
			default:
				it->next = it->group_lo;
				it->emit_end = it->group_hi;
				break;
		}
		it->in_conversion = true;
	}
}

uint64_t
journey_attribute_count(const uint8_t *body, size_t len,
						const JourneyParams *params)
{
	Layout		l;
	uint32_t	e;
	uint32_t	p;
	uint32_t	qc = 0;			/* events before qc are before the click window */
	uint32_t	qi = 0;
	uint32_t	clicks_before_qc = 0;
	uint32_t	imps_before_qi = 0;
	uint32_t	clicks = 0;		/* clicks before p */
	uint32_t	imps = 0;
	uint64_t	rows = 0;
	bool		one_row = params->model == JOURNEY_LAST_TOUCH ||
		params->model == JOURNEY_FIRST_TOUCH;

	(void) len;
	if (body[1] != JOURNEY_REP_CANONICAL || journey_params_check(params) != NULL)
		return 0;
	layout_body(&l, body);
	e = ie_get32(body + H_EVENTS);
	for (p = 0; p < e; p++)
	{
		unsigned	k = body[l.kind + p] & JOURNEY_KIND_MASK;
		int64_t		t;
		int64_t		lo;
		uint32_t	w;

		if (k == JOURNEY_CLICK)
		{
			clicks++;
			continue;
		}
		if (k == JOURNEY_IMPRESSION)
		{
			imps++;
			continue;
		}
		if (one_row)
		{
			rows++;
			continue;
		}
		t = ts_at(body, &l, p);
		if (t == JOURNEY_TS_NOEND)
		{
			rows++;				/* unattributed, as journey_attribute_next says */
			continue;
		}
		lo = window_start(t, params->click_window);
		while (qc < p && ts_at(body, &l, qc) < lo)
		{
			if ((body[l.kind + qc] & JOURNEY_KIND_MASK) == JOURNEY_CLICK)
				clicks_before_qc++;
			qc++;
		}
		lo = window_start(t, params->view_window);
		while (qi < p && ts_at(body, &l, qi) < lo)
		{
			if ((body[l.kind + qi] & JOURNEY_KIND_MASK) == JOURNEY_IMPRESSION)
				imps_before_qi++;
			qi++;
		}
		w = clicks - clicks_before_qc;
		if (w == 0)
			w = imps - imps_before_qi;
		rows += w == 0 ? 1 : w;
	}
	return rows;
}
