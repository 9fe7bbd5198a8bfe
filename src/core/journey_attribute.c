/*
 * journey_attribute.c — attribution: the rows attribute() returns, the
 * row count, the parameters and the model names.
 *
 * Attribution reads the canonical form directly: one pass splits the
 * touches into a click, an engaged-view and an impression list (event
 * indexes, ascending); for each conversion, in order, the qualifying
 * touches of each kind are a contiguous range of their list whose two ends only
 * move forward as the conversion time grows (a two-pointer window): at
 * equal timestamps touches sort before conversions, so "event index below
 * the conversion" is exactly "touch_ts <= conversion_ts", and the lower
 * end is the first touch with ts >= conversion_ts - window.  So a
 * conversion costs O(1) plus its rows.
 */
#include "journey_internal.h"

#include <math.h>

static const char *const model_names[] = {
	"last_touch", "first_touch", "linear", "time_decay", "position_based"
};

static bool
name_is(const char *name, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(name, want, len) == 0;
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

const char *
journey_params_check(const JourneyParams *params)
{
	if ((unsigned) params->model > JOURNEY_POSITION_BASED)
		return ie_fail("unknown attribution model %d", (int) params->model);
	if (params->click_window < 0)
		return ie_fail("click_window must not be negative");
	if (params->view_window < 0)
		return ie_fail("view_window must not be negative");
	if (params->engaged_window < 0)
		return ie_fail("engaged_window must not be negative");
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
	uint32_t	e = hdr_events(body);

	(void) len;
	return e <= JOURNEY_SMALL ? 0 : 4 * (size_t) e + 4;
}

/* the click, engaged-view and impression lists, one after the other */
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
	uint32_t	ng = 0;
	uint32_t	ni = 0;
	uint32_t   *list;

	(void) len;
	if (hdr_rep(body) != JOURNEY_REP_CANONICAL || journey_params_check(params) != NULL)
		return false;
	e = hdr_events(body);
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
	{
		unsigned	k = it->kind[i] & JOURNEY_KIND_MASK;

		nc += k == JOURNEY_CLICK;
		ng += k == JOURNEY_ENGAGED_VIEW;
	}
	it->nclicks = nc;
	it->nengaged = ng;
	nc = ng = 0;
	for (i = 0; i < e; i++)
	{
		unsigned	k = it->kind[i] & JOURNEY_KIND_MASK;

		if (k == JOURNEY_CLICK)
			list[nc++] = i;
		else if (k == JOURNEY_ENGAGED_VIEW)
			list[it->nclicks + ng++] = i;
		else if (k == JOURNEY_IMPRESSION)
			list[it->nclicks + it->nengaged + ni++] = i;
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

/*
 * Move to the next conversion at or after pos: false if there is none,
 * else the conversion's fields are set and its value consumed.
 */
static bool
next_conversion(JourneyAttribution *it)
{
	uint8_t		k;

	while (it->pos < it->nevents &&
		   (it->kind[it->pos] & JOURNEY_KIND_MASK) != JOURNEY_CONVERSION)
		it->pos++;
	if (it->pos >= it->nevents)
		return false;
	it->conv = it->pos++;
	k = it->kind[it->conv];
	it->conv_ts = it_ts(it, it->conv);
	it->conv_has_value = (k & JOURNEY_KIND_HAS_VALUE) != 0;
	it->conv_value = it->conv_has_value ?
		bits_to_double(ie_get64(it->values + 8 * (uint64_t) it->value_index++)) : 0.0;
	return true;
}

/*
 * The window [*lo, *hi) of one list for the conversion: hi counts the
 * touches before the conversion (exactly those with ts <= t), lo skips
 * those with ts < t - window.  Both only move forward.
 */
static void
move_window(const JourneyAttribution *it, const uint32_t *list, uint32_t n,
			int64_t window, uint32_t *lo, uint32_t *hi)
{
	int64_t		start = window_start(it->conv_ts, window);

	while (*hi < n && list[*hi] < it->conv)
		(*hi)++;
	while (*lo < *hi && it_ts(it, list[*lo]) < start)
		(*lo)++;
}

static void
move_windows(JourneyAttribution *it)
{
	const uint32_t *clicks = it_list(it);
	const uint32_t *engaged = clicks + it->nclicks;
	const uint32_t *imps = engaged + it->nengaged;

	move_window(it, clicks, it->nclicks, it->params.click_window,
				&it->click_lo, &it->click_hi);
	move_window(it, engaged, it->nengaged, it->params.engaged_window,
				&it->eng_lo, &it->eng_hi);
	move_window(it, imps, it->nimps, it->params.view_window,
				&it->imp_lo, &it->imp_hi);
}

static bool
group_if_any(JourneyAttribution *it, uint32_t base, uint32_t lo, uint32_t hi)
{
	if (lo >= hi)
		return false;
	it->group_base = base;
	it->group_lo = lo;
	it->group_hi = hi;
	return true;
}

/*
 * The group that shares the conversion's credit: the qualifying clicks,
 * else the qualifying engaged views, else the qualifying impressions;
 * false if none has a touch.
 */
static bool
choose_group(JourneyAttribution *it)
{
	/* a conversion at infinity has no touch a finite time before it */
	if (it->conv_ts == JOURNEY_TS_NOEND)
		return false;
	return group_if_any(it, 0, it->click_lo, it->click_hi) ||
		group_if_any(it, it->nclicks, it->eng_lo, it->eng_hi) ||
		group_if_any(it, it->nclicks + it->nengaged, it->imp_lo, it->imp_hi);
}

/* the one row of a conversion no touch qualifies for */
static void
emit_unattributed(const JourneyAttribution *it, JourneyRow *row)
{
	memset(row, 0, sizeof(*row));
	row->conversion_ts = it->conv_ts;
	row->conversion_event = it->conv;
	row->attributed = false;
	row->touch_index = -1;
	row->credit = 1.0;
	row->value_is_null = !it->conv_has_value;
	row->value = it->conv_has_value ? it->conv_value : 0.0;
}

/* which touches of the group the model emits rows for, and its weights */
static void
start_group(JourneyAttribution *it)
{
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
				const uint32_t *g = it_list(it) + it->group_base;
				int64_t		t = it->conv_ts;
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

bool
journey_attribute_next(JourneyAttribution *it, JourneyRow *row)
{
	for (;;)
	{
		if (it->in_conversion)
		{
			if (it->next < it->emit_end)
			{
				emit_touch(it, it->next++, row);
				return true;
			}
			it->in_conversion = false;
		}
		if (!next_conversion(it))
			return false;
		move_windows(it);
		if (!choose_group(it))
		{
			emit_unattributed(it, row);
			return true;
		}
		start_group(it);
	}
}

/*
 * The touch kinds in the order of precedence (clicks, engaged views,
 * impressions) as 0, 1, 2; 3 for a conversion
 */
static inline unsigned
precedence_of(unsigned kind)
{
	return kind == JOURNEY_CLICK ? 0 : kind == JOURNEY_ENGAGED_VIEW ? 1 :
		kind == JOURNEY_IMPRESSION ? 2 : 3;
}

uint64_t
journey_attribute_count(const uint8_t *body, size_t len,
						const JourneyParams *params)
{
	Layout		l;
	uint32_t	e;
	uint32_t	p;
	int64_t		window[3];
	uint32_t	q[3] = {0, 0, 0};	/* events before q[g] are before g's window */
	uint32_t	before_q[3] = {0, 0, 0};	/* touches of kind g before q[g] */
	uint32_t	seen[3] = {0, 0, 0};	/* touches of kind g before p */
	uint64_t	rows = 0;
	bool		one_row = params->model == JOURNEY_LAST_TOUCH ||
		params->model == JOURNEY_FIRST_TOUCH;

	(void) len;
	if (hdr_rep(body) != JOURNEY_REP_CANONICAL || journey_params_check(params) != NULL)
		return 0;
	window[0] = params->click_window;
	window[1] = params->engaged_window;
	window[2] = params->view_window;
	layout_body(&l, body);
	e = hdr_events(body);
	for (p = 0; p < e; p++)
	{
		unsigned	g = precedence_of(body[l.kind + p] & JOURNEY_KIND_MASK);
		int64_t		t;
		uint32_t	w = 0;

		if (g < 3)
		{
			seen[g]++;
			continue;
		}
		t = ts_at(body, &l, p);
		if (one_row || t == JOURNEY_TS_NOEND)
		{
			rows++;				/* one row, or unattributed as journey_attribute_next says */
			continue;
		}
		for (g = 0; g < 3 && w == 0; g++)
		{
			int64_t		lo = window_start(t, window[g]);

			while (q[g] < p && ts_at(body, &l, q[g]) < lo)
			{
				if (precedence_of(body[l.kind + q[g]] & JOURNEY_KIND_MASK) == g)
					before_q[g]++;
				q[g]++;
			}
			w = seen[g] - before_q[g];
		}
		rows += w == 0 ? 1 : w;
	}
	return rows;
}
