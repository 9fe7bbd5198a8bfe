/*
 * journey_read.c — reading a journey: counts, events and strings for the
 * accessors and the text output, and the names of the event kinds.
 */
#include "journey_internal.h"

static const char *const kind_names[] = {"impression", "click", "conversion", "engaged_view"};

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
	else if (len == 12 && memcmp(name, "engaged_view", 12) == 0)
		*out = JOURNEY_ENGAGED_VIEW;
	else
		return false;
	return true;
}

const char *
journey_kind_name(JourneyKind kind)
{
	return (unsigned) kind < 4 ? kind_names[kind] : "?";
}

void
journey_get_info(const uint8_t *body, size_t len, JourneyInfo *info)
{
	Layout		l;
	uint32_t	i;

	memset(info, 0, sizeof(*info));
	layout_body(&l, body);
	info->version = hdr_version(body);
	info->representation = hdr_rep(body);
	info->representation_name = is_state(body) ? "state" : "canonical";
	info->events = hdr_events(body);
	info->values = hdr_values(body);
	info->strings = hdr_strings(body);
	info->string_bytes = hdr_bytes(body);
	info->bytes = len;
	for (i = 0; i < info->events; i++)
	{
		switch (body[l.kind + i] & JOURNEY_KIND_MASK)
		{
			case JOURNEY_IMPRESSION:
				info->impressions++;
				break;
			case JOURNEY_ENGAGED_VIEW:
				info->engaged_views++;
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
	if (hdr_rep(body) != JOURNEY_REP_CANONICAL || i >= hdr_events(body))
		return false;
	layout_body(&l, body);
	k = body[l.kind + i];
	ev->ts = ts_at(body, &l, i);
	ev->kind = (JourneyKind) (k & JOURNEY_KIND_MASK);
	ev->touch_index = touch_at(body, &l, i);
	ev->touch = NULL;
	ev->touch_len = 0;
	if (ev->touch_index != JOURNEY_NO_TOUCH)
		ev->touch = string_at(body, &l, ev->touch_index, &ev->touch_len);
	ev->has_value = (k & JOURNEY_KIND_HAS_VALUE) != 0;
	ev->value = 0;
	if (ev->has_value)
	{
		ev->value = bits_to_double(value_at(body, &l, *values_before));
		(*values_before)++;
	}
	return true;
}

uint32_t
journey_event_count(const uint8_t *body, size_t len)
{
	(void) len;
	return hdr_events(body);
}

uint32_t
journey_string_count(const uint8_t *body, size_t len)
{
	(void) len;
	return hdr_strings(body);
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

	if (hdr_rep(body) != JOURNEY_REP_CANONICAL || i >= hdr_events(body))
		return false;
	layout_body(&l, body);
	for (j = 0; j < i; j++)
		if (body[l.kind + j] & JOURNEY_KIND_HAS_VALUE)
			nv++;
	return journey_event_seq(body, len, i, &nv, ev);
}
