/*
 * journey_test_util.h — what the test_journey_*.c unit tests share: the
 * journey side (js_*) of the generic lifecycle helper
 * (test/common/sketch_test.h), which drives the caller-allocated state
 * protocol with malloc, as the PostgreSQL glue does with palloc, giving
 * every buffer its exact size so AddressSanitizer catches any over-read;
 * attribution into an array; a raw writer (raw_*) that builds CANONICAL
 * bodies byte by byte from the documented format, not through the core;
 * and the reference model (ref_*), written independently of the core: it
 * sorts the events with qsort under its own comparator and attributes
 * each conversion by brute force over all events.
 *
 * Times are microseconds (timestamptz): SEC, MIN, HOUR, DAY.
 */
#ifndef IMPRESSION_EXT_JOURNEY_TEST_UTIL_H
#define IMPRESSION_EXT_JOURNEY_TEST_UTIL_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journey_core.h"
#include "sketch_type.h"

/*
 * Grow sizes fill palloc chunks (body + 4 is a power of two up to 8 KB);
 * the capacities fit what is added or merged, so one regrow is enough
 * (two allowed); a call that answers "grow" leaves the state untouched.
 */
#define SKETCH_TEST_CHECK_GROW(t, s, need, plan) \
	SKETCH_TEST_CHECK((need) + 4 > 8192 || (((need) + 4) & ((need) + 3)) == 0, \
					  "regrow size %zu + 4 is not a power of two", (size_t) (need))
#define SKETCH_TEST_MAX_ROUNDS(t) 2
#define SKETCH_TEST_GROW_KEEPS_STATE(t) true
#include "unit_sketch.h"

#ifdef UNIT_SANITIZE
#define SCALE 4
#else
#define SCALE 1
#endif

#define SEC		INT64_C(1000000)
#define MIN		(60 * SEC)
#define HOUR	(60 * MIN)
#define DAY		(24 * HOUR)

#define IMP		JOURNEY_IMPRESSION
#define CLK		JOURNEY_CLICK
#define CONV	JOURNEY_CONVERSION
#define ENG		JOURNEY_ENGAGED_VIEW

/* ---------------------------------------------------------------------
 * helpers
 * --------------------------------------------------------------------- */

static inline uint32_t
rnd(uint64_t *rng, uint32_t n)
{
	return (uint32_t) (splitmix64(rng) % n);
}

/* one input event; touch NULL = NULL touch */
typedef struct Ev
{
	int64_t		ts;
	JourneyKind kind;
	const char *touch;
	bool		has_value;
	double		value;
} Ev;

typedef Buf Js;

#define js_merge(d, src) merge_value(&journey_type, (d), (src))
#define js_canon(s) canonical(&journey_type, (s))
#define js_new() new_state(&journey_type)

/* states up to this size are checked to be untouched by a "grow" answer */
#define JS_SNAPSHOT_MAX 4096

static inline void
js_add(Js *j, const Ev *e)
{
	JourneyCapacity cap;
	Growth		g = growth(j, SKETCH_TEST_MAX_ROUNDS(&journey_type), JS_SNAPSHOT_MAX);

	while (grow_retry(&journey_type, j,
					  journey_state_add(j->b, j->len, e->ts, e->kind,
										(const uint8_t *) e->touch,
										e->touch ? strlen(e->touch) : 0,
										e->has_value, e->value, &cap), &cap, &g))
		;
}

static inline bool
js_valid(const Js *j)
{
	const char *err = journey_validate(j->b, j->len);

	if (err != NULL)
		fprintf(stderr, "  journey_validate: %s\n", err);
	return err == NULL;
}

/* the state of events ev[0..n), added in order */
static inline Js
js_state(const Ev *ev, size_t n)
{
	Js			j = js_new();
	size_t		i;

	for (i = 0; i < n; i++)
		js_add(&j, &ev[i]);
	return j;
}

/* the canonical journey of events ev[0..n) */
static inline Js
js_build(const Ev *ev, size_t n)
{
	Js			s = js_state(ev, n);
	Js			c = js_canon(&s);

	buf_free(&s);
	return c;
}

/* attribution rows into a malloc'd array; checks count and validity */
typedef struct Rows
{
	JourneyRow *r;
	size_t		n;
} Rows;

static inline Rows
attribute_ew(const Js *j, JourneyModel model, int64_t cw, int64_t vw, int64_t hl,
			 int64_t ew)
{
	JourneyParams p;
	JourneyAttribution it;
	size_t		slen = journey_attribute_scratch_size(j->b, j->len);
	void	   *scratch = slen ? xmalloc(slen) : NULL;
	Rows		rows = {NULL, 0};
	size_t		cap = 16;
	JourneyRow	row;

	p.model = model;
	p.click_window = cw;
	p.view_window = vw;
	p.engaged_window = ew;
	p.half_life = hl;
	rows.r = xmalloc(cap * sizeof(JourneyRow));
	if (!journey_attribute_begin(&it, j->b, j->len, &p, scratch, slen))
	{
		protocol_errors++;
		free(scratch);
		return rows;
	}
	while (journey_attribute_next(&it, &row))
	{
		if (rows.n == cap)
		{
			cap *= 2;
			rows.r = realloc(rows.r, cap * sizeof(JourneyRow));
			if (rows.r == NULL)
				exit(2);
		}
		rows.r[rows.n++] = row;
	}
	if (journey_attribute_count(j->b, j->len, &p) != rows.n)
	{
		protocol_errors++;
		fprintf(stderr, "journey_attribute_count %llu, rows %zu\n",
				(unsigned long long) journey_attribute_count(j->b, j->len, &p), rows.n);
	}
	free(scratch);
	return rows;
}

/* the engaged window as the view window, for journeys without engaged views */
static inline Rows
attribute(const Js *j, JourneyModel model, int64_t cw, int64_t vw, int64_t hl)
{
	return attribute_ew(j, model, cw, vw, hl, vw);
}

static inline bool
row_touch_is(const JourneyRow *r, const char *s)
{
	if (s == NULL)
		return r->touch == NULL && r->touch_index == -1;
	return r->touch != NULL && r->touch_len == strlen(s) &&
		memcmp(r->touch, s, r->touch_len) == 0;
}

static inline bool
near(double a, double b)
{
	return fabs(a - b) <= 1e-12;
}

/* sum of credits of the rows of conversion event c */
static inline double
credit_sum(const Rows *rows, uint32_t conv_event)
{
	double		s = 0;
	size_t		i;

	for (i = 0; i < rows->n; i++)
		if (rows->r[i].conversion_event == conv_event)
			s += rows->r[i].credit;
	return s;
}

/* ---------------------------------------------------------------------
 * raw writer: a CANONICAL body byte by byte from the documented format
 * --------------------------------------------------------------------- */

static inline void
le32(uint8_t *p, uint32_t v)
{
	int			i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

static inline void
le64(uint8_t *p, uint64_t v)
{
	int			i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) |
		((uint32_t) p[3] << 24);
}

static inline uint64_t
dbits(double d)
{
	uint64_t	b;

	memcpy(&b, &d, 8);
	return b;
}

/*
 * e events (ts[], touch[], kind[] bytes), v values, s strings given as
 * NUL-terminated texts.
 */
static inline Js
raw_canonical(uint32_t e, const int64_t *ts, const uint32_t *touch,
			  const uint8_t *kind, uint32_t v, const uint64_t *vals,
			  uint32_t s, const char *const *strs)
{
	uint32_t	b = 0;
	uint32_t	i;
	Js			j;
	uint8_t    *p;

	for (i = 0; i < s; i++)
		b += (uint32_t) strlen(strs[i]);
	j.len = 20 + 4 * (size_t) s + 13 * (size_t) e + 8 * (size_t) v + b;
	j.b = xmalloc(j.len);
	p = j.b;
	p[0] = 1;
	p[1] = 1;
	p[2] = 0;
	p[3] = 0;
	le32(p + 4, e);
	le32(p + 8, v);
	le32(p + 12, s);
	le32(p + 16, b);
	p += 20;
	b = 0;
	for (i = 0; i < s; i++)
	{
		b += (uint32_t) strlen(strs[i]);
		le32(p, b);
		p += 4;
	}
	for (i = 0; i < e; i++, p += 8)
		le64(p, (uint64_t) ts[i]);
	for (i = 0; i < e; i++, p += 4)
		le32(p, touch[i]);
	for (i = 0; i < e; i++)
		*p++ = kind[i];
	for (i = 0; i < v; i++, p += 8)
		le64(p, vals[i]);
	for (i = 0; i < s; i++)
	{
		memcpy(p, strs[i], strlen(strs[i]));
		p += strlen(strs[i]);
	}
	return j;
}

/* ---------------------------------------------------------------------
 * reference model
 * --------------------------------------------------------------------- */

/* normalised value bits, as documented */
static inline uint64_t
ref_norm(double v)
{
	if (isnan(v))
		return UINT64_C(0x7FF8000000000000);
	if (v == 0)
		return 0;
	return dbits(v);
}

/* order of values: numeric, NaN last, equal bits equal */
static inline int
ref_value_cmp(double a, double b)
{
	bool		an = isnan(a);
	bool		bn = isnan(b);

	if (an || bn)
		return an == bn ? 0 : (an ? 1 : -1);
	return a < b ? -1 : (a > b ? 1 : 0);
}

/* FORMAT.md's order of kinds at equal times, by kind code */
static const int ref_kind_order[] = {[JOURNEY_IMPRESSION] = 0, [JOURNEY_ENGAGED_VIEW] = 1,
[JOURNEY_CLICK] = 2, [JOURNEY_CONVERSION] = 3};

static inline int
ref_cmp(const void *pa, const void *pb)
{
	const Ev   *a = pa;
	const Ev   *b = pb;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->kind != b->kind)
		return ref_kind_order[a->kind] < ref_kind_order[b->kind] ? -1 : 1;
	if ((a->touch == NULL) != (b->touch == NULL))
		return a->touch == NULL ? -1 : 1;
	if (a->touch != NULL)
	{
		size_t		al = strlen(a->touch);
		size_t		bl = strlen(b->touch);
		int			c = memcmp(a->touch, b->touch, al < bl ? al : bl);

		if (c != 0)
			return c;
		if (al != bl)
			return al < bl ? -1 : 1;
	}
	if (a->has_value != b->has_value)
		return a->has_value ? 1 : -1;
	if (a->has_value)
		return ref_value_cmp(a->value, b->value);
	return 0;
}

/* the events as the journey should hold them: value only on conversions */
static inline Ev *
ref_sorted(const Ev *ev, size_t n)
{
	Ev		   *s = xmalloc(n * sizeof(Ev));
	size_t		i;

	memcpy(s, ev, n * sizeof(Ev));
	for (i = 0; i < n; i++)
	{
		if (s[i].kind != CONV)
			s[i].has_value = false;
		if (!s[i].has_value)
			s[i].value = 0;
	}
	qsort(s, n, sizeof(Ev), ref_cmp);
	return s;
}

typedef struct RefRow
{
	int64_t		conv_ts;
	bool		attributed;
	const char *touch;
	JourneyKind kind;
	int64_t		touch_ts;
	double		credit;
	bool		value_null;
	double		value;
	int64_t		lag;
} RefRow;

/*
 * Brute force: for each conversion of the sorted events, look at every
 * event of each kind in the order of precedence (clicks, engaged views,
 * impressions), keep those that qualify (inputs stay within +-2^61 here,
 * so t - ts does not overflow).
 */
static inline size_t
ref_attribute(const Ev *s, size_t n, JourneyModel model, int64_t cw,
			  int64_t vw, int64_t hl, int64_t ew, RefRow *out)
{
	const JourneyKind precedence[] = {CLK, ENG, IMP};
	const int64_t window[] = {cw, ew, vw};
	size_t		rows = 0;
	size_t		c;
	size_t	   *q = xmalloc((n + 1) * sizeof(size_t));

	for (c = 0; c < n; c++)
	{
		size_t		w = 0;
		size_t		i;
		int			g;

		if (s[c].kind != CONV)
			continue;
		for (g = 0; g < 3 && w == 0; g++)
			for (i = 0; i < n; i++)
			{
				int64_t		lag;

				if (s[i].kind != precedence[g])
					continue;
				lag = s[c].ts - s[i].ts;
				/* at equal times a touch sorts before the conversion */
				if (lag >= 0 && lag <= window[g] && (lag > 0 || i < c))
					q[w++] = i;
			}
		if (w == 0)
		{
			RefRow	   *r = &out[rows++];

			memset(r, 0, sizeof(*r));
			r->conv_ts = s[c].ts;
			r->attributed = false;
			r->credit = 1;
			r->value_null = !s[c].has_value;
			r->value = s[c].value;
			continue;
		}
		{
			size_t		from = 0;
			size_t		to = w;
			double		wsum = 0;
			int64_t		minlag = INT64_MAX;

			if (model == JOURNEY_LAST_TOUCH)
				from = w - 1;
			if (model == JOURNEY_FIRST_TOUCH)
				to = 1;
			for (i = 0; i < w; i++)
				if (s[c].ts - s[q[i]].ts < minlag)
					minlag = s[c].ts - s[q[i]].ts;
			for (i = 0; i < w; i++)
				wsum += pow(2.0, -(double) (s[c].ts - s[q[i]].ts - minlag) / (double) hl);
			for (i = from; i < to; i++)
			{
				RefRow	   *r = &out[rows++];
				const Ev   *t = &s[q[i]];

				r->conv_ts = s[c].ts;
				r->attributed = true;
				r->touch = t->touch;
				r->kind = t->kind;
				r->touch_ts = t->ts;
				r->lag = s[c].ts - t->ts;
				switch (model)
				{
					case JOURNEY_LINEAR:
						r->credit = 1.0 / (double) w;
						break;
					case JOURNEY_TIME_DECAY:
						r->credit = pow(2.0, -(double) (r->lag - minlag) / (double) hl) / wsum;
						break;
					case JOURNEY_POSITION_BASED:
						r->credit = w == 1 ? 1.0 : w == 2 ? 0.5 :
							(i == 0 || i == w - 1) ? 0.4 : 0.2 / (double) (w - 2);
						break;
					default:
						r->credit = 1.0;
				}
				r->value_null = !s[c].has_value;
				r->value = r->credit * s[c].value;
			}
		}
	}
	free(q);
	return rows;
}

/* ---------------------------------------------------------------------
 * random events
 * --------------------------------------------------------------------- */

static const char *const touch_pool[] = {
	"camp_1", "camp_2", "camp_10", "camp", "", "b", "a", "ab", "zz", "camp_1x"
};

static inline void
random_events(uint64_t *rng, Ev *ev, size_t n, int64_t span, int ntouch)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		uint32_t	k = rnd(rng, 10);

		ev[i].ts = (int64_t) rnd(rng, (uint32_t) span) * MIN;
		ev[i].kind = k < 4 ? IMP : k < 5 ? ENG : k < 8 ? CLK : CONV;
		ev[i].touch = rnd(rng, 12) == 0 ? NULL : touch_pool[rnd(rng, (uint32_t) ntouch)];
		ev[i].has_value = rnd(rng, 3) != 0;
		ev[i].value = (double) rnd(rng, 5) * 2.5 - 2.5;
	}
}

static inline void
shuffle(uint64_t *rng, Ev *ev, size_t n)
{
	size_t		i;

	for (i = n; i > 1; i--)
	{
		size_t		k = rnd(rng, (uint32_t) i);
		Ev			t = ev[i - 1];

		ev[i - 1] = ev[k];
		ev[k] = t;
	}
}

/* the canonical events equal the reference's sorted list */
static inline bool
events_match(const Js *j, const Ev *ev, size_t n)
{
	Ev		   *s = ref_sorted(ev, n);
	size_t		i;
	bool		ok = true;

	for (i = 0; i < n && ok; i++)
	{
		JourneyEvent e;

		if (!journey_event(j->b, j->len, (uint32_t) i, &e))
			ok = false;
		else if (e.ts != s[i].ts || e.kind != s[i].kind || e.has_value != s[i].has_value ||
				 (e.has_value && dbits(e.value) != ref_norm(s[i].value)) ||
				 (s[i].touch == NULL ? e.touch != NULL :
				  (e.touch == NULL || e.touch_len != strlen(s[i].touch) ||
				   memcmp(e.touch, s[i].touch, e.touch_len) != 0)))
		{
			fprintf(stderr, "  event %zu differs from the reference\n", i);
			ok = false;
		}
	}
	free(s);
	return ok;
}

#endif							/* IMPRESSION_EXT_JOURNEY_TEST_UTIL_H */
