/*
 * journey_validate.c — journey_validate: every reader rule of
 * docs/FORMAT.md ("journey") checked on bytes from outside, before
 * anything else reads them.
 *
 * Validation cannot allocate, but must check that every string of a
 * canonical value is used: it marks uses in a 32 KB bitmap on the stack,
 * one pass over the touches per 262,144 strings.
 */
#include "journey_internal.h"

/* -0.0 and every NaN but the one quiet NaN are stored normalised */
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

/* end[] of the first n strings: non-decreasing, the last == bytes */
static const char *
check_ends(const uint8_t *body, const Layout *l, uint32_t n, uint32_t bytes)
{
	uint32_t	prev = 0;
	uint32_t	i;

	for (i = 0; i < n; i++)
	{
		uint32_t	e = end_at(body, l, i);

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
		uint32_t	t = touch_at(body, l, i);
		int64_t		ts = ts_at(body, l, i);

		if ((k & ~(JOURNEY_KIND_MASK | JOURNEY_KIND_HAS_VALUE)) != 0)
			return ie_fail("event %u has an invalid kind byte 0x%02x", i, k);
		if ((ts < JOURNEY_TS_MIN || ts >= JOURNEY_TS_END) &&
			ts != JOURNEY_TS_NOBEGIN && ts != JOURNEY_TS_NOEND)
			return ie_fail("event %u has a timestamp outside PostgreSQL's range (%lld microseconds)",
						i, (long long) ts);
		if ((k & JOURNEY_KIND_HAS_VALUE) != 0)
		{
			uint64_t	b;

			if ((k & JOURNEY_KIND_MASK) != JOURNEY_CONVERSION)
			{
				const char *name = journey_kind_name((JourneyKind) (k & JOURNEY_KIND_MASK));

				return ie_fail("event %u is %s %s with a value (only conversions have one)",
							i, name[0] == 'c' ? "a" : "an", name);
			}
			if (nv >= v)
				return ie_fail("more events have a value than the %u values", v);
			b = value_at(body, l, nv);
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

/* the s strings of a CANONICAL value: strictly increasing bytewise */
static const char *
check_string_order(const uint8_t *body, const Layout *l, uint32_t s)
{
	uint32_t	i;

	for (i = 1; i < s; i++)
	{
		uint32_t	alen;
		uint32_t	blen;
		const uint8_t *pa = string_at(body, l, i - 1, &alen);
		const uint8_t *pb = string_at(body, l, i, &blen);
		int			c = string_cmp(pa, alen, pb, blen);

		if (c == 0)
			return ie_fail("strings %u and %u are equal (duplicate)", i - 1, i);
		if (c > 0)
			return ie_fail("strings %u and %u are out of order", i - 1, i);
	}
	return NULL;
}

/* the e events of a CANONICAL value: non-decreasing by their sort keys */
static const char *
check_event_order(const uint8_t *body, const Layout *l, uint32_t e)
{
	SortKey		prev;
	SortKey		key;
	uint32_t	nv = 0;
	uint32_t	i;

	for (i = 0; i < e; i++)
	{
		event_key(body, l, i, NULL, &nv, &key);
		if (i > 0 && key_less(&key, &prev))
			return ie_fail("events %u and %u are out of order", i - 1, i);
		prev = key;
	}
	return NULL;
}

#define USED_BITS	(32768 * 8)

/* every one of the s strings used by some event: USED_BITS at a time */
static const char *
check_strings_used(const uint8_t *body, const Layout *l, uint32_t e,
				   uint32_t s)
{
	uint8_t		used[USED_BITS / 8];
	uint32_t	base;

	for (base = 0; base < s; base += USED_BITS)
	{
		uint32_t	n = s - base < USED_BITS ? s - base : USED_BITS;
		uint32_t	i;
		uint32_t	j;

		memset(used, 0, (n + 7) / 8);
		for (i = 0; i < e; i++)
		{
			uint32_t	t = touch_at(body, l, i);

			if (t != JOURNEY_NO_TOUCH && t >= base && t - base < n)
				used[(t - base) >> 3] |= (uint8_t) (1u << ((t - base) & 7));
		}
		for (j = 0; j < n; j++)
			if ((used[j >> 3] & (1u << (j & 7))) == 0)
				return ie_fail("string %u is not used by any event", base + j);
	}
	return NULL;
}

/* a CANONICAL value with counts *n (from its header) */
static const char *
validate_canonical(const uint8_t *body, size_t len, const JourneyCapacity *n)
{
	Layout		l;
	const char *err;

	if (n->events > JOURNEY_MAX_EVENTS)
		return ie_fail("%u events is more than the limit %u", n->events, JOURNEY_MAX_EVENTS);
	if (n->strings > JOURNEY_MAX_STRINGS)
		return ie_fail("%u strings is more than the limit %u", n->strings, JOURNEY_MAX_STRINGS);
	if (n->values > n->events)
		return ie_fail("%u values is more than the %u events", n->values, n->events);
	if (n->strings > n->events)
		return ie_fail("%u strings is more than the %u events: some string is unused",
					n->strings, n->events);
	layout_for(&l, JOURNEY_REP_CANONICAL, n);
	if (l.total > len)
		return ie_fail("truncated: %zu bytes, %u events, %u values, %u strings and %u string bytes need %llu",
					len, n->events, n->values, n->strings, n->bytes,
					(unsigned long long) l.total);
	if (l.total < len)
		return ie_fail("trailing bytes: %zu after the journey's %llu",
					len - (size_t) l.total, (unsigned long long) l.total);
	if ((err = check_ends(body, &l, n->strings, n->bytes)) != NULL ||
		(err = check_string_order(body, &l, n->strings)) != NULL ||
		(err = check_events(body, &l, n->events, n->values, n->strings)) != NULL ||
		(err = check_event_order(body, &l, n->events)) != NULL)
		return err;
	return check_strings_used(body, &l, n->events, n->strings);
}

/* a STATE with counts *n (from its header) */
static const char *
validate_state(const uint8_t *body, size_t len, const JourneyCapacity *n)
{
	JourneyCapacity cap;
	Layout		l;
	const char *err;
	uint32_t	i;
	uint32_t	occupied = 0;

	if (len < JOURNEY_STATE_HEADER_SIZE)
		return ie_fail("truncated: %zu bytes, a journey state header alone is %d",
					len, JOURNEY_STATE_HEADER_SIZE);
	hdr_capacity(body, &cap);
	if (cap.events > JOURNEY_MAX_EVENTS || cap.values > JOURNEY_MAX_EVENTS ||
		cap.strings > JOURNEY_MAX_STRINGS)
		return ie_fail("state capacities (%u events, %u values, %u strings) exceed the limits (%u, %u, %u)",
					cap.events, cap.values, cap.strings, JOURNEY_MAX_EVENTS,
					JOURNEY_MAX_EVENTS, JOURNEY_MAX_STRINGS);
	if (n->events > cap.events || n->values > cap.values ||
		n->strings > cap.strings || n->bytes > cap.bytes)
		return ie_fail("state counts (%u events, %u values, %u strings, %u bytes) exceed its capacities (%u, %u, %u, %u)",
					n->events, n->values, n->strings, n->bytes,
					cap.events, cap.values, cap.strings, cap.bytes);
	layout_for(&l, hdr_rep(body), &cap);
	if (l.total > len)
		return ie_fail("truncated: %zu bytes, the state's capacities need %llu",
					len, (unsigned long long) l.total);
	if (l.total < len)
		return ie_fail("trailing bytes: %zu after the state's %llu",
					len - (size_t) l.total, (unsigned long long) l.total);
	if ((err = check_ends(body, &l, n->strings, n->bytes)) != NULL)
		return err;
	for (i = 0; i < l.nslots; i++)
	{
		uint32_t	x = slot_at(body, &l, i);

		if (x > n->strings)
			return ie_fail("hash slot %u refers to string %u of %u", i, x - 1, n->strings);
		if (x != 0)
			occupied++;
	}
	if (occupied > n->strings)
		return ie_fail("%u hash slots are occupied for %u strings", occupied, n->strings);
	return check_events(body, &l, n->events, n->values, n->strings);
}

const char *
journey_validate(const uint8_t *body, size_t len)
{
	JourneyCapacity n;

	if (body == NULL && len > 0)
		return ie_fail("journey data is missing");
	if (len < JOURNEY_HEADER_SIZE)
		return ie_fail("truncated: %zu bytes, the journey header alone is %d",
					len, JOURNEY_HEADER_SIZE);
	if (len > JOURNEY_MAX_BODY_SIZE)
		return ie_fail("%zu bytes is more than the limit %zu", len, JOURNEY_MAX_BODY_SIZE);
	if (hdr_version(body) != JOURNEY_FORMAT_VERSION)
		return ie_fail("journey format version %u is not supported (expected %d)",
					hdr_version(body), JOURNEY_FORMAT_VERSION);
	if (hdr_flags(body) != 0)
		return ie_fail("reserved flag bits set (flags 0x%02x)", hdr_flags(body));
	if (hdr_reserved(body) != 0)
		return ie_fail("reserved byte 3 is 0x%02x, not 0", hdr_reserved(body));
	hdr_counts(body, &n);
	switch (hdr_rep(body))
	{
		case JOURNEY_REP_CANONICAL:
			return validate_canonical(body, len, &n);
		case JOURNEY_REP_STATE:
		case JOURNEY_REP_KEYED_STATE:
			return validate_state(body, len, &n);
		default:
			return ie_fail("representation %u is unknown", hdr_rep(body));
	}
}
