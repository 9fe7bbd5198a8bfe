/*
 * journey_state.c — the aggregate state: a KEYED_STATE's capacities,
 * initialisation, add, merge and regrow, and its string table.
 *
 * The aggregate state is column arrays with spare capacity (timestamps,
 * touch indexes, kind bytes; values only for the conversions that have
 * one) and a string table, so adding a row is an append plus one lookup
 * of the touch in a small open-addressing table of string indexes.  A
 * user has few distinct touches; a hostile journey with 100,000 distinct
 * ones still costs O(1) expected per row (the table is at most half
 * full).  Nothing is sorted until the final function.
 */
#include "journey_internal.h"

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

size_t
journey_state_size(const JourneyCapacity *cap)
{
	Layout		l;

	if (cap->events > JOURNEY_MAX_EVENTS || cap->values > JOURNEY_MAX_EVENTS ||
		cap->strings > JOURNEY_MAX_STRINGS)
		return 0;
	layout_for(&l, JOURNEY_REP_KEYED_STATE, cap);
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
	hdr_write(body, JOURNEY_REP_KEYED_STATE, e, v, s, b);
	set_capacity(body, cap);
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
	hdr_write(body, JOURNEY_REP_CANONICAL, 0, 0, 0, 0);
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
		hdr_capacity(body, cap);
	else
		hdr_counts(body, cap);
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
		uint32_t	n = hdr_strings(body);
		uint32_t	start = 0;

		*slot = 0;
		for (i = 0; i < n; i++)
		{
			uint32_t	end = end_at(body, l, i);

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
		uint32_t	x = slot_at(body, l, i);
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
	uint32_t	s = hdr_strings(body);
	uint32_t	b = hdr_bytes(body);

	if (len > 0)
		memcpy(body + l->bytes + b, str, len);
	ie_put32(body + l->ends + 4 * (uint64_t) s, b + len);
	if (l->nslots != 0)
		set_slot(body, l, slot, s + 1);
	set_strings(body, s + 1);
	set_bytes(body, b + len);
	return s;
}

/* append an event (room checked by the caller) */
static inline void
state_append_event(uint8_t *body, const Layout *l, int64_t ts, unsigned kind,
				   uint32_t touch, bool has_value, uint64_t value_bits)
{
	uint32_t	e = hdr_events(body);
	uint64_t	u;

	memcpy(&u, &ts, 8);
	ie_put64(body + l->ts + 8 * (uint64_t) e, u);
	ie_put32(body + l->touch + 4 * (uint64_t) e, touch);
	body[l->kind + e] = (uint8_t) (kind | (has_value ? JOURNEY_KIND_HAS_VALUE : 0));
	if (has_value)
	{
		uint32_t	v = hdr_values(body);

		ie_put64(body + l->values + 8 * (uint64_t) v, value_bits);
		set_values(body, v + 1);
	}
	set_events(body, e + 1);
}

size_t
journey_state_add(uint8_t *body, size_t len, int64_t ts, JourneyKind kind,
				  const uint8_t *touch, size_t touch_len, bool has_value,
				  double value, JourneyCapacity *grow)
{
	JourneyCapacity n;
	Layout		l;
	JourneyCapacity cur;
	uint32_t	idx = JOURNEY_NO_TOUCH;
	uint32_t	slot = 0;
	bool		new_string = false;

	(void) len;
	if ((unsigned) kind > JOURNEY_ENGAGED_VIEW ||
		((ts < JOURNEY_TS_MIN || ts >= JOURNEY_TS_END) &&
		 ts != JOURNEY_TS_NOBEGIN && ts != JOURNEY_TS_NOEND))
		return JOURNEY_BAD_ARGUMENT;
	if (touch != NULL && touch_len > JOURNEY_MAX_BUILT_SIZE)
		return JOURNEY_TOO_LARGE;
	has_value = has_value && kind == JOURNEY_CONVERSION;
	hdr_counts(body, &n);
	current_capacity(body, &cur);
	if (hdr_rep(body) != JOURNEY_REP_KEYED_STATE)
		return grow_to((uint64_t) n.events + 1, (uint64_t) n.values + has_value,
					   (uint64_t) n.strings + (touch != NULL),
					   (uint64_t) n.bytes + (touch != NULL ? touch_len : 0), &cur, grow);
	layout_for(&l, JOURNEY_REP_KEYED_STATE, &cur);
	if (touch != NULL)
	{
		idx = state_find(body, &l, touch, (uint32_t) touch_len, &slot);
		new_string = idx == JOURNEY_NO_TOUCH;
	}
	if (n.events >= cur.events || (has_value && n.values >= cur.values) ||
		(new_string && (n.strings >= cur.strings || (uint64_t) n.bytes + touch_len > cur.bytes)))
		return grow_to((uint64_t) n.events + 1, (uint64_t) n.values + has_value,
					   (uint64_t) n.strings + new_string,
					   (uint64_t) n.bytes + (new_string ? touch_len : 0), &cur, grow);
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
	JourneyCapacity sn;
	JourneyCapacity n;
	JourneyCapacity cur;
	Layout		l;
	Layout		sl;
	uint32_t	i;
	uint32_t	nv = 0;

	(void) dstlen;
	(void) srclen;
	hdr_counts(src, &sn);
	hdr_counts(dst, &n);
	current_capacity(dst, &cur);
	/* room for the worst case: every string of src new */
	if (hdr_rep(dst) != JOURNEY_REP_KEYED_STATE ||
		(uint64_t) n.events + sn.events > cur.events ||
		(uint64_t) n.values + sn.values > cur.values ||
		(uint64_t) n.strings + sn.strings > cur.strings ||
		(uint64_t) n.bytes + sn.bytes > cur.bytes)
		return grow_to((uint64_t) n.events + sn.events, (uint64_t) n.values + sn.values,
					   (uint64_t) n.strings + sn.strings, (uint64_t) n.bytes + sn.bytes,
					   &cur, grow);
	layout_for(&l, JOURNEY_REP_KEYED_STATE, &cur);
	layout_body(&sl, src);
	for (i = 0; i < sn.events; i++)
	{
		uint8_t		k = src[sl.kind + i];
		uint32_t	t = touch_at(src, &sl, i);
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
						   hv ? value_at(src, &sl, nv++) : 0);
	}
	return 0;
}

bool
journey_state_regrow(uint8_t *dst, size_t dstlen, const uint8_t *src,
					 size_t srclen, const JourneyCapacity *cap, uint64_t seed)
{
	JourneyCapacity n;
	size_t		size = journey_state_size(cap);
	Layout		l;
	Layout		sl;
	uint32_t	i;

	(void) srclen;
	hdr_counts(src, &n);
	if (size == 0 || size != dstlen || n.events > cap->events ||
		n.values > cap->values || n.strings > cap->strings || n.bytes > cap->bytes)
		return false;
	layout_for(&l, JOURNEY_REP_KEYED_STATE, cap);
	layout_body(&sl, src);
	memset(dst, 0, dstlen);
	state_header(dst, n.events, n.values, n.strings, n.bytes, cap);
	memcpy(dst + l.ends, src + sl.ends, 4 * (size_t) n.strings);
	memcpy(dst + l.ts, src + sl.ts, 8 * (size_t) n.events);
	memcpy(dst + l.touch, src + sl.touch, 4 * (size_t) n.events);
	memcpy(dst + l.kind, src + sl.kind, (size_t) n.events);
	memcpy(dst + l.values, src + sl.values, 8 * (size_t) n.values);
	if (n.bytes > 0)
		memcpy(dst + l.bytes, src + sl.bytes, n.bytes);
	/* a table keeps its seed, so that its slots can be copied */
	if (l.seed != 0)
		ie_put64(dst + l.seed, sl.seed != 0 ? ie_get64(src + sl.seed) : seed);
	if (sl.seed != 0 && sl.nslots == l.nslots)
		memcpy(dst + l.slots, src + sl.slots, 4 * (size_t) l.nslots);
	else if (l.nslots != 0)
	{
		uint32_t	mask = l.nslots - 1;

		for (i = 0; i < n.strings; i++)
		{
			uint32_t	len;
			const uint8_t *str = string_at(dst, &l, i, &len);
			uint32_t	j = string_home(dst, &l, str, len);

			while (slot_at(dst, &l, j) != 0)
				j = (j + 1) & mask;
			set_slot(dst, &l, j, i + 1);
		}
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
		uint32_t	x = slot_at(body, &l, i);
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
