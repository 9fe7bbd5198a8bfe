/*
 * test_journey.c — unit tests of src/core/journey_core.c (the journey type
 * and attribute()).
 *
 * A tiny "glue" below (js_*) drives the caller-allocated state protocol
 * with malloc, as the PostgreSQL glue does with palloc, and gives every
 * buffer its exact size so AddressSanitizer catches any over-read.
 *
 * Hand-worked journeys check every attribution rule and model with the
 * arithmetic in the comments.  The reference model (ref_*) is written
 * independently of the core: it sorts the events with qsort under its own
 * comparator and attributes each conversion by brute force over all
 * events; the randomized tests compare the core's canonical events and
 * its rows with it.  Malformed values are written byte by byte (raw_*)
 * from the documented format, not through the core.
 *
 * Times are microseconds (timestamptz): SEC, MIN, HOUR, DAY.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journey_core.h"
#include "unit.h"

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

static int	protocol_errors = 0;

/* ---------------------------------------------------------------------
 * helpers
 * --------------------------------------------------------------------- */

static uint64_t
splitmix64(uint64_t *state)
{
	uint64_t	z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static uint32_t
rnd(uint64_t *rng, uint32_t n)
{
	return (uint32_t) (splitmix64(rng) % n);
}

static void *
xmalloc(size_t n)
{
	void	   *p = malloc(n == 0 ? 1 : n);

	if (p == NULL)
	{
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
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

/* a body with its exact length */
typedef struct Js
{
	uint8_t    *b;
	size_t		len;
} Js;

/* table seeds of the states the tests build: fixed, different per state */
static uint64_t test_seed = UINT64_C(0x9E3779B97F4A7C15);

static uint64_t
next_seed(void)
{
	test_seed = test_seed * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return test_seed;
}

static Js
js_new(void)
{
	Js			j;

	j.len = journey_state_initial_size(0);
	j.b = xmalloc(j.len);
	if (!journey_state_init(j.b, j.len, NULL, next_seed()))
		protocol_errors++;
	return j;
}

static void
js_regrow(Js *j, size_t need, const JourneyCapacity *cap)
{
	uint8_t    *n = xmalloc(need);

	/* sizes fill palloc chunks: body + 4 is a power of two up to 8 KB */
	if (need + 4 <= 8192 && ((need + 4) & (need + 3)) != 0)
	{
		protocol_errors++;
		fprintf(stderr, "regrow size %zu + 4 is not a power of two\n", need);
	}
	if (!journey_state_regrow(n, need, j->b, j->len, cap, next_seed()))
	{
		protocol_errors++;
		fprintf(stderr, "regrow to %zu failed\n", need);
		exit(2);
	}
	free(j->b);
	j->b = n;
	j->len = need;
}

static void
js_add(Js *j, const Ev *e)
{
	JourneyCapacity cap;
	size_t		need;
	int			rounds = 0;

	while ((need = journey_state_add(j->b, j->len, e->ts, e->kind,
									 (const uint8_t *) e->touch,
									 e->touch ? strlen(e->touch) : 0,
									 e->has_value, e->value, &cap)) != 0)
	{
		if (need == JOURNEY_TOO_LARGE || need == JOURNEY_BAD_ARGUMENT || ++rounds > 2)
		{
			protocol_errors++;
			return;
		}
		js_regrow(j, need, &cap);
	}
}

static void
js_merge(Js *dst, const Js *src)
{
	JourneyCapacity cap;
	size_t		need;
	int			rounds = 0;

	while ((need = journey_state_merge(dst->b, dst->len, src->b, src->len, &cap)) != 0)
	{
		if (need == JOURNEY_TOO_LARGE || ++rounds > 2)
		{
			protocol_errors++;
			return;
		}
		js_regrow(dst, need, &cap);
	}
}

/* the canonical form, in an exact-size buffer */
static Js
js_canon(const Js *j)
{
	size_t		cap = journey_canonical_size(j->b, j->len);
	size_t		slen = journey_canonical_scratch_size(j->b, j->len);
	uint8_t    *tmp = xmalloc(cap);
	void	   *scratch = slen ? xmalloc(slen) : NULL;
	Js			c;

	c.len = journey_canonicalize(tmp, cap, j->b, j->len, scratch, slen);
	if (c.len == 0)
		protocol_errors++;
	c.b = xmalloc(c.len);
	memcpy(c.b, tmp, c.len);
	free(tmp);
	free(scratch);
	return c;
}

static Js
js_copy(const Js *j)
{
	Js			c;

	c.len = j->len;
	c.b = xmalloc(c.len);
	memcpy(c.b, j->b, c.len);
	return c;
}

static void
js_free(Js *j)
{
	free(j->b);
	j->b = NULL;
	j->len = 0;
}

static bool
js_same(const Js *a, const Js *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

static bool
js_valid(const Js *j)
{
	const char *err = journey_validate(j->b, j->len);

	if (err != NULL)
		fprintf(stderr, "  journey_validate: %s\n", err);
	return err == NULL;
}

/* the state of events ev[0..n), added in order */
static Js
js_state(const Ev *ev, size_t n)
{
	Js			j = js_new();
	size_t		i;

	for (i = 0; i < n; i++)
		js_add(&j, &ev[i]);
	return j;
}

/* the canonical journey of events ev[0..n) */
static Js
js_build(const Ev *ev, size_t n)
{
	Js			s = js_state(ev, n);
	Js			c = js_canon(&s);

	js_free(&s);
	return c;
}

/* attribution rows into a malloc'd array; checks count and validity */
typedef struct Rows
{
	JourneyRow *r;
	size_t		n;
} Rows;

static Rows
attribute(const Js *j, JourneyModel model, int64_t cw, int64_t vw, int64_t hl)
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

static bool
row_touch_is(const JourneyRow *r, const char *s)
{
	if (s == NULL)
		return r->touch == NULL && r->touch_index == -1;
	return r->touch != NULL && r->touch_len == strlen(s) &&
		memcmp(r->touch, s, r->touch_len) == 0;
}

static bool
near(double a, double b)
{
	return fabs(a - b) <= 1e-12;
}

/* sum of credits of the rows of conversion event c */
static double
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

static void
le32(uint8_t *p, uint32_t v)
{
	int			i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

static void
le64(uint8_t *p, uint64_t v)
{
	int			i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) |
		((uint32_t) p[3] << 24);
}

static uint64_t
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
static Js
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
static uint64_t
ref_norm(double v)
{
	if (isnan(v))
		return UINT64_C(0x7FF8000000000000);
	if (v == 0)
		return 0;
	return dbits(v);
}

/* order of values: numeric, NaN last, equal bits equal */
static int
ref_value_cmp(double a, double b)
{
	bool		an = isnan(a);
	bool		bn = isnan(b);

	if (an || bn)
		return an == bn ? 0 : (an ? 1 : -1);
	return a < b ? -1 : (a > b ? 1 : 0);
}

static int
ref_cmp(const void *pa, const void *pb)
{
	const Ev   *a = pa;
	const Ev   *b = pb;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
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
static Ev *
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
 * event, keep those that qualify (lag = t - ts computed in 128 bits, or
 * with long double for safety: inputs stay within +-2^61 here).
 */
static size_t
ref_attribute(const Ev *s, size_t n, JourneyModel model, int64_t cw,
			  int64_t vw, int64_t hl, RefRow *out)
{
	size_t		rows = 0;
	size_t		c;
	size_t	   *q = xmalloc((n + 1) * sizeof(size_t));

	for (c = 0; c < n; c++)
	{
		size_t		w = 0;
		size_t		i;
		JourneyKind want;

		if (s[c].kind != CONV)
			continue;
		for (want = CLK;; want = IMP)
		{
			w = 0;
			for (i = 0; i < n; i++)
			{
				int64_t		lag;

				if (s[i].kind != want)
					continue;
				lag = s[c].ts - s[i].ts;
				if (lag >= 0 && lag <= (want == CLK ? cw : vw))
					q[w++] = i;
			}
			if (w > 0 || want == IMP)
				break;
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
 * tests: names, parameters, empty journeys
 * --------------------------------------------------------------------- */

static void
test_names(void)
{
	JourneyKind k;
	JourneyModel m;
	const char *models[] = {"last_touch", "first_touch", "linear", "time_decay", "position_based"};
	int			i;

	CHECK(journey_kind_parse("impression", 10, &k) && k == IMP, "impression");
	CHECK(journey_kind_parse("click", 5, &k) && k == CLK, "click");
	CHECK(journey_kind_parse("conversion", 10, &k) && k == CONV, "conversion");
	CHECK(!journey_kind_parse("Click", 5, &k), "case matters");
	CHECK(!journey_kind_parse("clicks", 6, &k), "no extra characters");
	CHECK(!journey_kind_parse("clic", 4, &k), "no prefix");
	CHECK(!journey_kind_parse("", 0, &k), "empty");
	/* not NUL-terminated: the length is what counts */
	CHECK(journey_kind_parse("clickXYZ", 5, &k) && k == CLK, "length-delimited");
	for (i = 0; i < 5; i++)
	{
		CHECK(journey_model_parse(models[i], strlen(models[i]), &m) && (int) m == i,
			  "model %s", models[i]);
		CHECK(strcmp(journey_model_name(m), models[i]) == 0, "name of model %d", i);
	}
	CHECK(!journey_model_parse("u_shaped", 8, &m), "unknown model");
	CHECK(!journey_model_parse("linear ", 7, &m), "trailing space");
	CHECK(strcmp(journey_kind_name(CLK), "click") == 0, "kind name");
	CHECK(strcmp(journey_kind_name((JourneyKind) 7), "?") == 0, "bad kind name");
	CHECK(strcmp(journey_model_name((JourneyModel) 9), "?") == 0, "bad model name");
	CHECK(strstr(JOURNEY_MODEL_NAMES, "position_based") != NULL, "model list");
}

static void
test_params(void)
{
	JourneyParams p = {JOURNEY_LINEAR, 7 * DAY, DAY, 7 * DAY};
	Ev			ev[] = {{0, CLK, "a", false, 0}, {HOUR, CONV, NULL, false, 0}};
	Js			j = js_build(ev, 2);
	JourneyAttribution it;

	CHECK(journey_params_check(&p) == NULL, "defaults valid");
	p.click_window = 0;
	p.view_window = 0;
	CHECK(journey_params_check(&p) == NULL, "zero windows are valid");
	p.click_window = -1;
	CHECK(journey_params_check(&p) != NULL, "negative click window");
	CHECK(!journey_attribute_begin(&it, j.b, j.len, &p, NULL, 0), "begin refuses it");
	CHECK(journey_attribute_count(j.b, j.len, &p) == 0, "count refuses it");
	p.click_window = 0;
	p.view_window = -1;
	CHECK(journey_params_check(&p) != NULL, "negative view window");
	p.view_window = 0;
	p.half_life = 0;
	CHECK(journey_params_check(&p) != NULL, "zero half-life");
	p.half_life = -5;
	CHECK(journey_params_check(&p) != NULL, "negative half-life");
	p.half_life = 1;
	p.model = (JourneyModel) 5;
	CHECK(journey_params_check(&p) != NULL, "unknown model code");
	js_free(&j);
}

static void
test_empty(void)
{
	Js			s = js_new();
	Js			c = js_canon(&s);
	uint8_t		e[JOURNEY_HEADER_SIZE];
	Rows		r;
	JourneyInfo info;

	CHECK(js_valid(&s), "fresh state valid");
	CHECK(journey_state_initial_size(0) == 60, "initial state is 60 bytes (got %zu): "
		  "36 + 4*1 end + no slots + 13*1 event = 53, +4 rounds to 64: 7 bytes of slack, "
		  "too few for an event, go to string bytes",
		  journey_state_initial_size(0));
	CHECK(journey_state_initial_size(30) == 124,
		  "a 30-byte first touch: 53 + 30 = 83, +4 rounds to 128: 41 bytes of slack = "
		  "3 more events (39) + 2 string bytes: 124 (got %zu)",
		  journey_state_initial_size(30));
	{
		uint8_t		buf[252];
		JourneyInfo info;

		CHECK(journey_state_init(buf, 252, NULL, 1) && rd32(buf + 20) == 1 && rd32(buf + 32) == 199,
			  "init(252, NULL): 1 event, bytes capacity 252 - 53 = 199");
		journey_get_info(buf, 252, &info);
		CHECK(journey_validate(buf, 252) == NULL && info.events == 0, "valid and empty");
		CHECK(!journey_state_init(buf, 52, NULL, 1), "init(52, NULL) is too small");
	}
	CHECK(journey_needs_canonicalize(s.b, s.len), "a state needs canonicalizing");
	CHECK(c.len == JOURNEY_HEADER_SIZE, "empty canonical is 20 bytes (%zu)", c.len);
	CHECK(journey_init_empty(e, sizeof(e)), "init_empty");
	CHECK(c.len == sizeof(e) && memcmp(c.b, e, sizeof(e)) == 0,
		  "canonical empty state == journey_init_empty");
	CHECK(journey_validate(e, sizeof(e)) == NULL, "empty valid");
	CHECK(!journey_needs_canonicalize(e, sizeof(e)), "empty is canonical");
	CHECK(!journey_init_empty(e, 19), "init_empty needs 20 bytes");
	r = attribute(&c, JOURNEY_LINEAR, 7 * DAY, DAY, 7 * DAY);
	CHECK(r.n == 0, "empty journey: no rows (%zu)", r.n);
	free(r.r);
	journey_get_info(c.b, c.len, &info);
	CHECK(info.events == 0 && info.strings == 0 && info.representation == JOURNEY_REP_CANONICAL,
		  "info of empty");
	js_free(&s);
	js_free(&c);
}

/* ---------------------------------------------------------------------
 * tests: attribution rules on hand-worked journeys
 * --------------------------------------------------------------------- */

/* a conversion before any touch: unattributed, credit 1, value kept */
static void
test_unattributed(void)
{
	Ev			ev[] = {
		{10 * HOUR, CONV, NULL, true, 40.0},
		{11 * HOUR, IMP, "a", false, 0},
		{12 * HOUR, CLK, "a", false, 0},
	};
	Js			j = js_build(ev, 3);
	int			m;

	for (m = 0; m <= JOURNEY_POSITION_BASED; m++)
	{
		Rows		r = attribute(&j, (JourneyModel) m, 7 * DAY, DAY, 7 * DAY);

		CHECK(r.n == 1, "model %d: one row (%zu)", m, r.n);
		if (r.n == 1)
		{
			CHECK(!r.r[0].attributed, "unattributed");
			CHECK(r.r[0].touch == NULL && r.r[0].touch_index == -1, "touch NULL");
			CHECK(r.r[0].credit == 1.0, "credit 1");
			CHECK(!r.r[0].value_is_null && r.r[0].value == 40.0, "value = 1 x 40");
			CHECK(r.r[0].conversion_ts == 10 * HOUR, "conversion_time");
		}
		free(r.r);
	}
	js_free(&j);
}

/*
 * Window edges: click window 7 days, view window 1 day, conversion at
 * T = 100 days.  A click at T - 7d qualifies (lag = window, inclusive); at
 * T - 7d - 1us it does not.  Same for an impression at T - 1d.
 */
static void
test_window_edges(void)
{
	int64_t		T = 100 * DAY;
	Ev			edge_click[] = {{T - 7 * DAY, CLK, "c", false, 0}, {T, CONV, NULL, false, 0}};
	Ev			past_click[] = {{T - 7 * DAY - 1, CLK, "c", false, 0}, {T, CONV, NULL, false, 0}};
	Ev			edge_imp[] = {{T - DAY, IMP, "i", false, 0}, {T, CONV, NULL, false, 0}};
	Ev			past_imp[] = {{T - DAY - 1, IMP, "i", false, 0}, {T, CONV, NULL, false, 0}};
	/* a click past its window, an impression just inside the view window */
	Ev			mixed[] = {
		{T - 7 * DAY - 1, CLK, "c", false, 0},
		{T - DAY, IMP, "i", false, 0},
		{T, CONV, NULL, false, 0}
	};
	Js			j;
	Rows		r;

	j = js_build(edge_click, 2);
	r = attribute(&j, JOURNEY_LAST_TOUCH, 7 * DAY, DAY, 7 * DAY);
	CHECK(r.n == 1 && r.r[0].attributed && row_touch_is(&r.r[0], "c") &&
		  r.r[0].lag == 7 * DAY && r.r[0].touch_kind == CLK,
		  "click exactly at the window edge qualifies, lag 7 days");
	free(r.r);
	js_free(&j);

	j = js_build(past_click, 2);
	r = attribute(&j, JOURNEY_LAST_TOUCH, 7 * DAY, DAY, 7 * DAY);
	CHECK(r.n == 1 && !r.r[0].attributed, "click 1us past the window does not");
	free(r.r);
	js_free(&j);

	j = js_build(edge_imp, 2);
	r = attribute(&j, JOURNEY_LINEAR, 7 * DAY, DAY, 7 * DAY);
	CHECK(r.n == 1 && r.r[0].attributed && row_touch_is(&r.r[0], "i") &&
		  r.r[0].touch_kind == IMP && r.r[0].lag == DAY && r.r[0].credit == 1.0,
		  "impression at the view-window edge qualifies");
	free(r.r);
	js_free(&j);

	j = js_build(past_imp, 2);
	r = attribute(&j, JOURNEY_LINEAR, 7 * DAY, DAY, 7 * DAY);
	CHECK(r.n == 1 && !r.r[0].attributed, "impression 1us past the view window does not");
	free(r.r);
	/* a zero window: only the same instant qualifies */
	r = attribute(&j, JOURNEY_LINEAR, 0, 0, 7 * DAY);
	CHECK(r.n == 1 && !r.r[0].attributed, "zero windows, 1 day lag: unattributed");
	free(r.r);
	js_free(&j);

	j = js_build(mixed, 3);
	r = attribute(&j, JOURNEY_LINEAR, 7 * DAY, DAY, 7 * DAY);
	CHECK(r.n == 1 && r.r[0].attributed && row_touch_is(&r.r[0], "i") &&
		  r.r[0].touch_kind == IMP,
		  "click out of window does not win: the impression gets the credit");
	free(r.r);
	js_free(&j);
}

/*
 * Same instant: touches at the conversion's ts qualify (lag 0), even with
 * zero windows; a touch 1us after the conversion never does.  Input order
 * puts the conversion first, to show that canonical order (touches before
 * conversions at equal ts) decides, not input order.
 */
static void
test_same_instant(void)
{
	int64_t		T = 5 * DAY;
	Ev			ev[] = {
		{T, CONV, NULL, true, 10.0},
		{T, CLK, "now", false, 0},
		{T + 1, CLK, "later", false, 0},
	};
	Ev			ev2[] = {
		{T, CONV, "x", false, 0},
		{T, IMP, "seen", false, 0},
	};
	Js			j = js_build(ev, 3);
	Rows		r;

	r = attribute(&j, JOURNEY_LINEAR, 0, 0, DAY);
	CHECK(r.n == 1 && r.r[0].attributed && row_touch_is(&r.r[0], "now") &&
		  r.r[0].lag == 0 && r.r[0].credit == 1.0 && r.r[0].value == 10.0,
		  "click at the same instant qualifies with zero window; the later one not");
	free(r.r);
	js_free(&j);

	j = js_build(ev2, 2);
	r = attribute(&j, JOURNEY_LAST_TOUCH, 0, 0, DAY);
	CHECK(r.n == 1 && r.r[0].attributed && row_touch_is(&r.r[0], "seen") &&
		  r.r[0].touch_kind == IMP && r.r[0].lag == 0 && r.r[0].value_is_null,
		  "impression at the same instant qualifies; NULL value stays NULL");
	free(r.r);
	js_free(&j);
}

/*
 * Clicks win: impressions closer to the conversion get nothing when any
 * click qualifies.  Conversion at T with value 90; click "c1" at T - 3d,
 * click "c2" at T - 2d, impressions "i1" at T - 1h, "i2" at T - 1min.
 * linear: only c1 and c2, 1/2 each, values 45 and 45.
 */
static void
test_click_precedence(void)
{
	int64_t		T = 50 * DAY;
	Ev			ev[] = {
		{T - MIN, IMP, "i2", false, 0},
		{T - 3 * DAY, CLK, "c1", false, 0},
		{T, CONV, NULL, true, 90.0},
		{T - HOUR, IMP, "i1", false, 0},
		{T - 2 * DAY, CLK, "c2", false, 0},
	};
	Js			j = js_build(ev, 5);
	Rows		r;

	r = attribute(&j, JOURNEY_LINEAR, 7 * DAY, DAY, 7 * DAY);
	CHECK(r.n == 2, "two click rows (%zu)", r.n);
	if (r.n == 2)
	{
		CHECK(row_touch_is(&r.r[0], "c1") && row_touch_is(&r.r[1], "c2"),
			  "the clicks, in time order");
		CHECK(r.r[0].touch_kind == CLK && r.r[1].touch_kind == CLK, "kind click");
		CHECK(r.r[0].credit == 0.5 && r.r[1].credit == 0.5, "1/2 each");
		CHECK(r.r[0].value == 45.0 && r.r[1].value == 45.0, "values 0.5 x 90 = 45");
		CHECK(r.r[0].lag == 3 * DAY && r.r[1].lag == 2 * DAY, "lags 3d, 2d");
		CHECK(r.r[0].touch_ts == T - 3 * DAY, "touch_time");
	}
	free(r.r);
	r = attribute(&j, JOURNEY_LAST_TOUCH, 7 * DAY, DAY, 7 * DAY);
	CHECK(r.n == 1 && row_touch_is(&r.r[0], "c2"), "last_touch: the last click, not i2");
	free(r.r);
	/* shrink the click window to 1 day: no click qualifies, impressions share */
	r = attribute(&j, JOURNEY_LINEAR, DAY, DAY, 7 * DAY);
	CHECK(r.n == 2 && row_touch_is(&r.r[0], "i1") && row_touch_is(&r.r[1], "i2") &&
		  r.r[0].touch_kind == IMP && r.r[0].credit == 0.5,
		  "click window 1 day: view-through, i1 and i2 at 1/2");
	free(r.r);
	js_free(&j);
}

/*
 * Many conversions sharing touches.  Events (hours): click a @0, click b @1,
 * conv X @2 (value 10), impression i @3, conv Y @4 (no value), conv Z @30
 * (value 6).  Click window 24h, view window 24h.
 *	 X: clicks a, b qualify (lags 2h, 1h)			   linear 1/2, 1/2
 *	 Y: clicks a, b qualify (lags 4h, 3h); i ignored  linear 1/2, 1/2
 *	 Z: a, b too old (30h, 29h > 24h); i (27h) too old: unattributed
 * With a 28h view window Z gets i instead (27h <= 28h).
 */
static void
test_shared_touches(void)
{
	Ev			ev[] = {
		{0, CLK, "a", false, 0},
		{HOUR, CLK, "b", false, 0},
		{2 * HOUR, CONV, NULL, true, 10.0},
		{3 * HOUR, IMP, "i", false, 0},
		{4 * HOUR, CONV, NULL, false, 0},
		{30 * HOUR, CONV, "z", true, 6.0},
	};
	Js			j = js_build(ev, 6);
	Rows		r;
	double		total = 0;
	size_t		k;

	r = attribute(&j, JOURNEY_LINEAR, DAY, DAY, DAY);
	CHECK(r.n == 5, "2 + 2 + 1 rows (%zu)", r.n);
	if (r.n == 5)
	{
		CHECK(r.r[0].conversion_ts == 2 * HOUR && row_touch_is(&r.r[0], "a") &&
			  r.r[0].value == 5.0, "X: a, value 5");
		CHECK(r.r[1].conversion_ts == 2 * HOUR && row_touch_is(&r.r[1], "b"), "X: b");
		CHECK(r.r[2].conversion_ts == 4 * HOUR && row_touch_is(&r.r[2], "a") &&
			  r.r[2].value_is_null && r.r[2].lag == 4 * HOUR, "Y: a, value NULL, lag 4h");
		CHECK(r.r[3].conversion_ts == 4 * HOUR && row_touch_is(&r.r[3], "b") &&
			  r.r[3].lag == 3 * HOUR, "Y: b");
		CHECK(r.r[4].conversion_ts == 30 * HOUR && !r.r[4].attributed &&
			  r.r[4].value == 6.0, "Z: unattributed, value 6");
	}
	for (k = 0; k < r.n; k++)
		total += r.r[k].credit;
	CHECK(near(total, 3.0), "sum(credit) = 3 conversions (%.17g)", total);
	free(r.r);
	r = attribute(&j, JOURNEY_LINEAR, DAY, 28 * HOUR, DAY);
	CHECK(r.n == 5 && row_touch_is(&r.r[4], "i") && r.r[4].lag == 27 * HOUR &&
		  r.r[4].value == 6.0, "view window 28h: Z -> i, lag 27h");
	free(r.r);
	r = attribute(&j, JOURNEY_FIRST_TOUCH, DAY, DAY, DAY);
	CHECK(r.n == 3 && row_touch_is(&r.r[0], "a") && row_touch_is(&r.r[1], "a") &&
		  !r.r[2].attributed, "first_touch: a, a, unattributed");
	free(r.r);
	js_free(&j);
}

/*
 * NULL touches: a conversion's touch may be NULL (it is never a touch
 * anyway); a click with a NULL touch is still a click: attributed, with
 * touch NULL and touch_kind click.
 */
static void
test_null_touch(void)
{
	Ev			ev[] = {
		{0, IMP, "i", false, 0},
		{MIN, CLK, NULL, false, 0},
		{2 * MIN, CONV, NULL, true, 3.0},
	};
	Js			j = js_build(ev, 3);
	Rows		r;
	JourneyInfo info;

	journey_get_info(j.b, j.len, &info);
	CHECK(info.events == 3 && info.strings == 1 && info.conversions == 1 &&
		  info.clicks == 1 && info.impressions == 1 && info.values == 1,
		  "info: 3 events, 1 string (the NULLs store none)");
	r = attribute(&j, JOURNEY_LINEAR, DAY, DAY, DAY);
	CHECK(r.n == 1 && r.r[0].attributed && r.r[0].touch_kind == CLK &&
		  row_touch_is(&r.r[0], NULL) && r.r[0].lag == MIN && r.r[0].value == 3.0,
		  "NULL-touch click wins over the impression, touch NULL, kind click");
	free(r.r);
	js_free(&j);
}

/*
 * time_decay.  Half-life h = 1 day.
 * Two clicks, lags 0 and h: weights 1 and 2^-1 = 0.5, sum 1.5: credits
 * 1/1.5 = 2/3 and 0.5/1.5 = 1/3.
 * Three clicks, lags 2h, h, 0: weights 1/4, 1/2, 1, sum 7/4: credits 1/7,
 * 2/7, 4/7.
 * Far in the past (lags 2000h and 2001h, beyond double's 2^-1074): still
 * 2/3 and 1/3 (relative weights), not 0/0.
 */
static void
test_time_decay(void)
{
	int64_t		T = 1000 * DAY;
	Ev			two[] = {{T - DAY, CLK, "old", false, 0}, {T, CLK, "new", false, 0},
	{T, CONV, NULL, true, 3.0}};
	Ev			three[] = {{T - 2 * DAY, CLK, "a", false, 0}, {T - DAY, CLK, "b", false, 0},
	{T, CLK, "c", false, 0}, {T, CONV, NULL, false, 0}};
	Ev			far[] = {{T - 2001 * HOUR, CLK, "x", false, 0},
	{T - 2000 * HOUR, CLK, "y", false, 0}, {T, CONV, NULL, false, 0}};
	Js			j;
	Rows		r;

	j = js_build(two, 3);
	r = attribute(&j, JOURNEY_TIME_DECAY, 7 * DAY, DAY, DAY);
	CHECK(r.n == 2 && row_touch_is(&r.r[0], "old") && near(r.r[0].credit, 1.0 / 3) &&
		  row_touch_is(&r.r[1], "new") && near(r.r[1].credit, 2.0 / 3),
		  "lags h, 0: credits 1/3, 2/3 (%.17g, %.17g)",
		  r.n > 0 ? r.r[0].credit : -1, r.n > 1 ? r.r[1].credit : -1);
	CHECK(r.n == 2 && near(r.r[0].value, 1.0) && near(r.r[1].value, 2.0),
		  "values 3 x 1/3 = 1, 3 x 2/3 = 2");
	free(r.r);
	js_free(&j);

	j = js_build(three, 4);
	r = attribute(&j, JOURNEY_TIME_DECAY, 7 * DAY, DAY, DAY);
	CHECK(r.n == 3 && near(r.r[0].credit, 1.0 / 7) && near(r.r[1].credit, 2.0 / 7) &&
		  near(r.r[2].credit, 4.0 / 7), "lags 2h, h, 0: 1/7, 2/7, 4/7");
	CHECK(near(credit_sum(&r, 3), 1.0), "sums to 1");
	free(r.r);
	/* half-life 2 days: weights 2^-1, 2^-0.5, 1 */
	r = attribute(&j, JOURNEY_TIME_DECAY, 7 * DAY, DAY, 2 * DAY);
	{
		double		s = 0.5 + sqrt(0.5) + 1;

		CHECK(r.n == 3 && near(r.r[0].credit, 0.5 / s) && near(r.r[1].credit, sqrt(0.5) / s) &&
			  near(r.r[2].credit, 1 / s), "half-life 2d: 2^-1, 2^-1/2, 1 normalised");
	}
	free(r.r);
	js_free(&j);

	j = js_build(far, 3);
	r = attribute(&j, JOURNEY_TIME_DECAY, 2002 * HOUR, DAY, HOUR);
	CHECK(r.n == 2 && near(r.r[0].credit, 1.0 / 3) && near(r.r[1].credit, 2.0 / 3),
		  "2000 half-lives ago: still 1/3, 2/3");
	free(r.r);
	js_free(&j);
}

/*
 * position_based with 1, 2, 3, 5 qualifying clicks (one a minute before
 * the conversion), and linear/first/last on the same.
 *	 1: 100 %
 *	 2: 50 / 50
 *	 3: 40 / 20 / 40
 *	 5: 40 / 20/3 / 20/3 / 20/3 / 40
 */
static void
test_position_based(void)
{
	int			sizes[] = {1, 2, 3, 5};
	int			si;

	for (si = 0; si < 4; si++)
	{
		int			n = sizes[si];
		Ev			ev[6];
		char		names[5][2];
		Js			j;
		Rows		r;
		int			i;

		for (i = 0; i < n; i++)
		{
			names[i][0] = (char) ('a' + i);
			names[i][1] = 0;
			ev[i].ts = 10 * DAY + i * MIN;
			ev[i].kind = CLK;
			ev[i].touch = names[i];
			ev[i].has_value = false;
			ev[i].value = 0;
		}
		ev[n].ts = 10 * DAY + n * MIN;
		ev[n].kind = CONV;
		ev[n].touch = NULL;
		ev[n].has_value = true;
		ev[n].value = 100.0;
		j = js_build(ev, (size_t) n + 1);

		r = attribute(&j, JOURNEY_POSITION_BASED, DAY, DAY, DAY);
		CHECK(r.n == (size_t) n, "%d touches: %d rows (%zu)", n, n, r.n);
		if (r.n == (size_t) n)
		{
			for (i = 0; i < n; i++)
			{
				double		want = n == 1 ? 1.0 : n == 2 ? 0.5 :
					(i == 0 || i == n - 1) ? 0.4 : 0.2 / (n - 2);

				CHECK(near(r.r[i].credit, want) && near(r.r[i].value, 100 * want) &&
					  row_touch_is(&r.r[i], names[i]),
					  "%d touches, touch %d: credit %g (got %.17g)", n, i, want, r.r[i].credit);
			}
			CHECK(near(credit_sum(&r, (uint32_t) n), 1.0), "%d touches: sum 1", n);
		}
		free(r.r);

		r = attribute(&j, JOURNEY_LINEAR, DAY, DAY, DAY);
		CHECK(r.n == (size_t) n && near(r.r[0].credit, 1.0 / n) &&
			  near(credit_sum(&r, (uint32_t) n), 1.0), "%d touches linear: 1/%d each", n, n);
		free(r.r);
		r = attribute(&j, JOURNEY_FIRST_TOUCH, DAY, DAY, DAY);
		CHECK(r.n == 1 && row_touch_is(&r.r[0], "a") && r.r[0].credit == 1.0 &&
			  r.r[0].value == 100.0, "%d touches first_touch: a", n);
		free(r.r);
		r = attribute(&j, JOURNEY_LAST_TOUCH, DAY, DAY, DAY);
		CHECK(r.n == 1 && row_touch_is(&r.r[0], names[n - 1]) && r.r[0].lag == MIN,
			  "%d touches last_touch: the last, lag 1 min", n);
		free(r.r);
		js_free(&j);
	}
}

/* linear over 3: exactly 1/3 each (the double nearest 1/3) */
static void
test_linear_thirds(void)
{
	Ev			ev[] = {{0, IMP, "x", false, 0}, {1, IMP, "y", false, 0},
	{2, IMP, "z", false, 0}, {3, CONV, NULL, true, 1.0}};
	Js			j = js_build(ev, 4);
	Rows		r = attribute(&j, JOURNEY_LINEAR, DAY, DAY, DAY);

	CHECK(r.n == 3 && r.r[0].credit == 1.0 / 3 && r.r[1].credit == 1.0 / 3 &&
		  r.r[2].credit == 1.0 / 3, "linear over 3: 1/3 each");
	CHECK(near(credit_sum(&r, 3), 1.0), "sum within 1e-12");
	free(r.r);
	js_free(&j);
}

/*
 * Ties: at equal ts and kind, touches order by text (a proper prefix
 * first), NULL first; identical events are all kept (two identical clicks
 * are two clicks, each 1/2 under linear).
 */
static void
test_ties_and_duplicates(void)
{
	Ev			ev[] = {
		{HOUR, CLK, "b", false, 0},
		{HOUR, CLK, "ab", false, 0},
		{HOUR, CLK, "a", false, 0},
		{HOUR, CLK, NULL, false, 0},
		{2 * HOUR, CONV, NULL, false, 0},
	};
	Ev			dup[] = {
		{HOUR, CLK, "same", false, 0},
		{HOUR, CLK, "same", false, 0},
		{2 * HOUR, CONV, NULL, false, 0},
	};
	Js			j = js_build(ev, 5);
	Rows		r;
	JourneyEvent e0;

	r = attribute(&j, JOURNEY_LINEAR, DAY, DAY, DAY);
	CHECK(r.n == 4 && row_touch_is(&r.r[0], NULL) && row_touch_is(&r.r[1], "a") &&
		  row_touch_is(&r.r[2], "ab") && row_touch_is(&r.r[3], "b"),
		  "equal ts: NULL, a, ab, b");
	free(r.r);
	r = attribute(&j, JOURNEY_LAST_TOUCH, DAY, DAY, DAY);
	CHECK(r.n == 1 && row_touch_is(&r.r[0], "b"), "last_touch at a tie: the last text");
	free(r.r);
	r = attribute(&j, JOURNEY_FIRST_TOUCH, DAY, DAY, DAY);
	CHECK(r.n == 1 && row_touch_is(&r.r[0], NULL) && r.r[0].attributed,
		  "first_touch at a tie: the NULL touch");
	free(r.r);
	CHECK(journey_event(j.b, j.len, 1, &e0) && e0.touch_index == 0 && e0.touch_len == 1 &&
		  e0.touch[0] == 'a', "string 0 is 'a'");
	js_free(&j);

	j = js_build(dup, 3);
	CHECK(j.len == 20 + 4 * 1 + 13 * 3 + 0 + 4,
		  "two identical clicks: 3 events, one 4-byte string (%zu bytes)", j.len);
	r = attribute(&j, JOURNEY_LINEAR, DAY, DAY, DAY);
	CHECK(r.n == 2 && r.r[0].credit == 0.5 && r.r[1].credit == 0.5,
		  "duplicates kept: 1/2 each");
	free(r.r);
	js_free(&j);
}

/*
 * Values: conversions order by value at equal ts (NULL first); -0.0 is
 * stored as +0.0 and every NaN as one NaN; a value given with an
 * impression or click is dropped.
 */
static void
test_values(void)
{
	double		nan2;
	uint64_t	nb = UINT64_C(0xFFF8000000000123);
	Ev			a[] = {{0, CONV, NULL, true, 5.0}, {0, CONV, NULL, true, -1.0},
	{0, CONV, NULL, false, 0}, {0, CONV, NULL, true, NAN}, {0, CONV, NULL, true, INFINITY}};
	Js			j = js_build(a, 5);
	JourneyEvent e;
	Ev			z1[] = {{0, CONV, NULL, true, 0.0}, {5, IMP, "i", false, 0}};
	Ev			z2[] = {{0, CONV, NULL, true, -0.0}, {5, IMP, "i", true, 77.0}};
	Js			j1;
	Js			j2;

	memcpy(&nan2, &nb, 8);
	CHECK(journey_event(j.b, j.len, 0, &e) && !e.has_value, "NULL value first");
	CHECK(journey_event(j.b, j.len, 1, &e) && e.value == -1.0, "then -1");
	CHECK(journey_event(j.b, j.len, 2, &e) && e.value == 5.0, "then 5");
	CHECK(journey_event(j.b, j.len, 3, &e) && isinf(e.value), "then +inf");
	CHECK(journey_event(j.b, j.len, 4, &e) && isnan(e.value) &&
		  dbits(e.value) == JOURNEY_NAN_BITS, "NaN last, normalised");
	CHECK(!journey_event(j.b, j.len, 5, &e), "no event 5");
	{
		uint32_t	cursor = 0;
		JourneyEvent s;
		bool		same = true;

		for (uint32_t i = 0; i < 5; i++)
		{
			uint32_t	before = cursor;

			same &= journey_event_seq(j.b, j.len, i, &cursor, &s) &&
				journey_event(j.b, j.len, i, &e) &&
				dbits(s.value) == dbits(e.value) && s.has_value == e.has_value &&
				cursor == before + (e.has_value ? 1 : 0);
		}
		CHECK(same && cursor == 4, "journey_event_seq reads the same events in order");
	}
	js_free(&j);

	j1 = js_build(z1, 2);
	j2 = js_build(z2, 2);
	CHECK(js_same(&j1, &j2), "-0.0 == +0.0 and the impression's value dropped: same bytes");
	js_free(&j1);
	js_free(&j2);
	a[0].value = NAN;
	a[3].value = nan2;
	j1 = js_build(a, 5);
	a[0].value = NAN;
	a[3].value = NAN;
	j2 = js_build(a, 5);
	CHECK(js_same(&j1, &j2), "NaN payloads normalised");
	CHECK(journey_value_bits(-0.0) == 0 && journey_value_bits(nan2) == JOURNEY_NAN_BITS &&
		  journey_value_bits(1.5) == dbits(1.5), "journey_value_bits");
	js_free(&j1);
	js_free(&j2);
}

/*
 * Infinite and extreme timestamps (timestamptz -infinity / infinity are
 * INT64_MIN / INT64_MAX): no overflow, and no finite lag from an infinity:
 * a touch at an infinite time never qualifies, a conversion at one is
 * unattributed, whatever the window.  Finite times at the ends of
 * PostgreSQL's range still attribute when their distance fits the window.
 */
static void
test_extreme_times(void)
{
	Ev			ev[] = {{INT64_MIN, CLK, "old", false, 0}, {INT64_MIN, CONV, NULL, false, 0},
	{0, CONV, NULL, false, 0}, {INT64_MAX, IMP, "late", false, 0},
	{INT64_MAX, CONV, NULL, false, 0}};
	Js			j = js_build(ev, 5);
	Rows		r = attribute(&j, JOURNEY_LINEAR, INT64_MAX, INT64_MAX, INT64_MAX);
	Ev			far[] = {{JOURNEY_TS_MIN, CLK, "first", false, 0},
	{JOURNEY_TS_MIN + 1000, CONV, NULL, false, 0}, {JOURNEY_TS_END - 1, CONV, NULL, false, 0}};
	Js			jf = js_build(far, 3);
	Rows		rf = attribute(&jf, JOURNEY_LAST_TOUCH, INT64_MAX, INT64_MAX, INT64_MAX);

	CHECK(r.n == 3 && !r.r[0].attributed && !r.r[1].attributed && !r.r[2].attributed,
		  "conversions at -infinity, 0 and infinity: none credited to a touch at an infinite time");
	CHECK(rf.n == 2 && rf.r[0].attributed && rf.r[0].lag == 1000 && !rf.r[1].attributed,
		  "a click at the first valid time credits a conversion 1000 us later, not one beyond any window");
	free(r.r);
	free(rf.r);
	js_free(&j);
	js_free(&jf);
}

/* ---------------------------------------------------------------------
 * tests: determinism, merge, protocol
 * --------------------------------------------------------------------- */

static const char *const touch_pool[] = {
	"camp_1", "camp_2", "camp_10", "camp", "", "b", "a", "ab", "zz", "camp_1x"
};

static void
random_events(uint64_t *rng, Ev *ev, size_t n, int64_t span, int ntouch)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		uint32_t	k = rnd(rng, 10);

		ev[i].ts = (int64_t) rnd(rng, (uint32_t) span) * MIN;
		ev[i].kind = k < 5 ? IMP : k < 8 ? CLK : CONV;
		ev[i].touch = rnd(rng, 12) == 0 ? NULL : touch_pool[rnd(rng, (uint32_t) ntouch)];
		ev[i].has_value = rnd(rng, 3) != 0;
		ev[i].value = (double) rnd(rng, 5) * 2.5 - 2.5;
	}
}

static void
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
static bool
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

/*
 * Order independence and merge = concatenation: the same multiset of
 * events in any order, or split into parts merged in any order, gives the
 * same canonical bytes; merging canonical values (a union of stored
 * journeys) as well.
 */
static void
test_determinism(void)
{
	uint64_t	rng = 42;
	int			trial;
	int			bad_order = 0;
	int			bad_merge = 0;
	int			bad_ref = 0;
	int			invalid = 0;

	for (trial = 0; trial < 300 / SCALE; trial++)
	{
		size_t		n = 1 + rnd(&rng, trial < 200 ? 40 : 300);
		Ev		   *ev = xmalloc(n * sizeof(Ev));
		Js			base;
		Js			other;
		Js			parts[3];
		Js			acc;
		Js			canon_parts[3];
		Js			m;
		size_t		cut1;
		size_t		cut2;
		int			p;

		random_events(&rng, ev, n, 60, 1 + (int) rnd(&rng, 10));
		base = js_build(ev, n);
		if (!js_valid(&base) || journey_needs_canonicalize(base.b, base.len))
			invalid++;
		if (!events_match(&base, ev, n))
			bad_ref++;
		shuffle(&rng, ev, n);
		other = js_build(ev, n);
		if (!js_same(&base, &other))
			bad_order++;
		js_free(&other);

		/* three parts, merged as states in a different order */
		cut1 = rnd(&rng, (uint32_t) n + 1);
		cut2 = cut1 + rnd(&rng, (uint32_t) (n - cut1) + 1);
		parts[0] = js_state(ev, cut1);
		parts[1] = js_state(ev + cut1, cut2 - cut1);
		parts[2] = js_state(ev + cut2, n - cut2);
		acc = js_copy(&parts[2]);
		js_merge(&acc, &parts[0]);
		js_merge(&acc, &parts[1]);
		if (!js_valid(&acc))
			invalid++;
		m = js_canon(&acc);
		if (!js_same(&base, &m))
			bad_merge++;
		js_free(&m);
		js_free(&acc);

		/* canonical parts merged into a canonical first value */
		for (p = 0; p < 3; p++)
			canon_parts[p] = js_canon(&parts[p]);
		acc = js_copy(&canon_parts[1]);
		js_merge(&acc, &canon_parts[2]);
		js_merge(&acc, &canon_parts[0]);
		if (!js_valid(&acc))
			invalid++;
		m = js_canon(&acc);
		if (!js_same(&base, &m))
			bad_merge++;
		js_free(&m);
		js_free(&acc);
		for (p = 0; p < 3; p++)
		{
			js_free(&parts[p]);
			js_free(&canon_parts[p]);
		}
		js_free(&base);
		free(ev);
	}
	CHECK(bad_order == 0, "shuffled input gives identical bytes (%d differ)", bad_order);
	CHECK(bad_merge == 0, "merged parts give identical bytes (%d differ)", bad_merge);
	CHECK(bad_ref == 0, "canonical events match the reference sort (%d differ)", bad_ref);
	CHECK(invalid == 0, "every value built is valid (%d not)", invalid);
	CHECK(protocol_errors == 0, "no protocol errors (%d)", protocol_errors);
}

/* every state after every add validates; growth and the protocol codes */
static void
test_protocol(void)
{
	Js			j = js_new();
	int			i;
	int			invalid = 0;
	char		name[32];
	JourneyCapacity cap;
	size_t		need;
	Js			c;
	uint8_t		empty[JOURNEY_HEADER_SIZE];

	for (i = 0; i < 500; i++)
	{
		Ev			e;

		snprintf(name, sizeof(name), "touch-%d", i % 37);
		e.ts = (int64_t) (i * 7919 % 1000) * SEC;
		e.kind = (JourneyKind) (i % 3);
		e.touch = i % 11 == 0 ? NULL : name;
		e.has_value = i % 2 == 0;
		e.value = i;
		js_add(&j, &e);
		if (journey_validate(j.b, j.len) != NULL)
			invalid++;
	}
	CHECK(invalid == 0, "state valid after every add (%d not)", invalid);
	{
		JourneyInfo info;

		journey_get_info(j.b, j.len, &info);
		CHECK(info.events == 500 && info.strings == 37 && info.representation == JOURNEY_REP_KEYED_STATE,
			  "500 events, 37 distinct strings interned once (%u)", info.strings);
		CHECK(info.values == 83, "conversions with a value: i %% 6 == 2, 83 of 500 (%u)",
			  info.values);
	}
	c = js_canon(&j);
	CHECK(js_valid(&c), "its canonical form is valid");
	CHECK(c.len == journey_canonical_size(j.b, j.len),
		  "canonical size is exact for our states (%zu vs %zu)",
		  c.len, journey_canonical_size(j.b, j.len));

	/* bad kind */
	need = journey_state_add(j.b, j.len, 0, (JourneyKind) 3, NULL, 0, false, 0, &cap);
	CHECK(need == JOURNEY_BAD_ARGUMENT, "kind 3 refused");
	need = journey_state_add(j.b, j.len, 0, CLK, (const uint8_t *) "x",
							 JOURNEY_MAX_BUILT_SIZE + (size_t) 1, false, 0, &cap);
	CHECK(need == JOURNEY_TOO_LARGE, "a touch over the size limit refused");

	/*
	 * Nothing over 256 MB is built (its text form must fit PostgreSQL's
	 * 1 GB allocations): 21M events of 13 bytes (273 MB) are too many, 20M fit
	 */
	{
		JourneyCapacity over = {21000000, 0, 1, 0};
		JourneyCapacity under = {20000000, 0, 1, 0};

		CHECK(journey_state_size(&over) == 0 && journey_state_size(&under) > 0 &&
			  journey_state_size(&under) <= JOURNEY_MAX_BUILT_SIZE &&
			  JOURNEY_MAX_BUILT_SIZE * 2 + 3 < (size_t) 0x3FFFFFFF,
			  "the built-size limit: 20M events fit, 21M do not, and twice it fits 1 GB");
	}

	/* adding to a canonical value asks for a regrow to a state */
	{
		Js			cc = js_copy(&c);
		Ev			e = {5, CLK, "new", false, 0};

		need = journey_state_add(cc.b, cc.len, e.ts, e.kind, (const uint8_t *) e.touch, 3,
								 false, 0, &cap);
		CHECK(need != 0 && need == journey_state_size(&cap) && cap.events >= 501 &&
			  cap.strings >= 38, "add to canonical: a regrow size");
		CHECK(memcmp(cc.b, c.b, c.len) == 0, "nothing changed");
		js_add(&cc, &e);
		CHECK(js_valid(&cc) && journey_needs_canonicalize(cc.b, cc.len), "now a valid state");
		js_free(&cc);
	}
	/* merge into an empty canonical value */
	{
		Js			cc;
		Js			m;

		CHECK(journey_init_empty(empty, sizeof(empty)), "empty");
		cc.len = sizeof(empty);
		cc.b = xmalloc(cc.len);
		memcpy(cc.b, empty, cc.len);
		js_merge(&cc, &j);
		m = js_canon(&cc);
		CHECK(js_same(&m, &c), "empty + journey == journey");
		js_free(&m);
		js_free(&cc);
	}
	/* regrow refuses a wrong size or too small capacities */
	{
		uint8_t    *buf;
		size_t		sz;

		cap.events = 10;
		cap.values = 10;
		cap.strings = 10;
		cap.bytes = 10;
		sz = journey_state_size(&cap);
		buf = xmalloc(sz + 1);
		CHECK(!journey_state_regrow(buf, sz, j.b, j.len, &cap, 1), "capacities too small");
		cap.events = 1000;
		cap.values = 1000;
		cap.strings = 100;
		cap.bytes = 1000;
		CHECK(!journey_state_regrow(buf, sz, j.b, j.len, &cap, 1), "size mismatch");
		CHECK(!journey_state_init(buf, sz + 1, &cap, 1), "init refuses a wrong length");
		free(buf);
	}
	cap.events = JOURNEY_MAX_EVENTS + 1;
	cap.values = 0;
	cap.strings = 0;
	cap.bytes = 0;
	CHECK(journey_state_size(&cap) == 0, "events capacity over the limit");
	cap.events = JOURNEY_MAX_EVENTS;
	cap.values = JOURNEY_MAX_EVENTS;
	cap.strings = JOURNEY_MAX_STRINGS;
	cap.bytes = 0;
	CHECK(journey_state_size(&cap) == 0, "state over 1 GB");
	CHECK(journey_hash_slots(0) == 0 && journey_hash_slots(JOURNEY_LINEAR_STRINGS) == 0 &&
		  journey_hash_slots(9) == 32 && journey_hash_slots(16) == 32 &&
		  journey_hash_slots(17) == 64, "hash slots: none up to 8 strings, then >= 2 per string");
	CHECK(protocol_errors == 0, "no protocol errors (%d)", protocol_errors);
	js_free(&c);
	js_free(&j);
}

/*
 * A hostile journey: 100,000 distinct touches (and 100,000 conversions
 * after them, sharing the touches).  Interning stays O(1) (the test would
 * take minutes otherwise), canonical strings are sorted, attribution with
 * scratch works and last_touch gives one row per conversion.
 */
/*
 * A state interns each touch once: up to JOURNEY_LINEAR_STRINGS strings of
 * capacity it scans them, beyond that it hashes them.  20 touches seen three
 * times each cross from one regime to the other; a repeat that failed to
 * find its string would append a duplicate (still valid, merged when
 * canonicalizing, so only the state's string count shows it).
 */
static void
test_string_interning(void)
{
	Js			j = js_new();
	char		name[8];
	uint32_t	phase;
	uint32_t	round;
	uint32_t	i;
	uint32_t	bad = 0;
	uint32_t	seen = 0;
	int64_t		t = 0;
	JourneyInfo info;

	CHECK(rd32(j.b + 20) == 1 && journey_hash_slots(rd32(j.b + 28)) == 0,
		  "first state: one event, no hash table");
	/* 5 touches (scanned), then 20 (hashed), three rounds each */
	for (phase = 0; phase < 2; phase++)
	{
		uint32_t	n = phase == 0 ? 5 : 20;

		for (round = 0; round < 3; round++)
			for (i = 0; i < n; i++)
			{
				Ev			e = {t++ * SEC, IMP, name, false, 0};

				snprintf(name, sizeof(name), "c%u", i);
				js_add(&j, &e);
				if (i >= seen)
					seen = i + 1;
				journey_get_info(j.b, j.len, &info);
				if (info.strings != seen)
					bad++;
			}
		if (phase == 0)
			CHECK(journey_hash_slots(rd32(j.b + 28)) == 0,
				  "5 touches: still scanned (%u strings of room)", rd32(j.b + 28));
	}
	CHECK(bad == 0 && info.strings == 20 && info.events == 75,
		  "each repeat found its string: %u strings for 20 touches, %u wrong counts",
		  info.strings, bad);
	CHECK(rd32(j.b + 28) > JOURNEY_LINEAR_STRINGS && journey_hash_slots(rd32(j.b + 28)) > 0,
		  "the state grew past the scan into a table (%u strings of room)", rd32(j.b + 28));
	CHECK(js_valid(&j), "valid throughout");
	js_free(&j);
}

static void
test_many_touches(void)
{
	uint32_t	n = 100000 / SCALE;
	Js			j = js_new();
	uint32_t	i;
	char		name[32];
	Js			c;
	JourneyInfo info;
	Rows		r;
	bool		ok = true;

	for (i = 0; i < n; i++)
	{
		Ev			e;

		/* descending text order against time order */
		snprintf(name, sizeof(name), "t%07u", n - i);
		e.ts = (int64_t) i * SEC;
		e.kind = i % 2 ? CLK : IMP;
		e.touch = name;
		e.has_value = false;
		e.value = 0;
		js_add(&j, &e);
	}
	for (i = 0; i < 1000; i++)
	{
		Ev			e = {(int64_t) (n + i) * SEC, CONV, NULL, true, 1.0};

		js_add(&j, &e);
	}
	CHECK(js_valid(&j), "hostile state valid");
	c = js_canon(&j);
	CHECK(js_valid(&c), "hostile canonical valid");
	journey_get_info(c.b, c.len, &info);
	CHECK(info.strings == n && info.events == n + 1000, "%u strings kept (%u)", n, info.strings);
	for (i = 0; i < 200; i++)
	{
		JourneyEvent e;

		if (!journey_event(c.b, c.len, i, &e) || e.touch_index != n - 1 - i)
			ok = false;
	}
	CHECK(ok, "event i has string n-1-i (strings sorted by text)");
	/* windows of 100 s: the last 100 touches before each conversion */
	r = attribute(&c, JOURNEY_LAST_TOUCH, 100 * SEC, 100 * SEC, DAY);
	CHECK(r.n == 1000, "last_touch: one row a conversion (%zu)", r.n);
	CHECK(r.n > 0 && r.r[0].attributed && r.r[0].touch_kind == CLK &&
		  r.r[0].lag == SEC, "first conversion: the click 1 s before");
	free(r.r);
	r = attribute(&c, JOURNEY_LINEAR, 100 * SEC, 100 * SEC, DAY);
	{
		/* conversion k at n + k s: clicks at odd seconds within 100 s */
		double		total = 0;
		size_t		k;

		for (k = 0; k < r.n; k++)
			total += r.r[k].credit;
		CHECK(near(total / 1000.0, 1.0), "linear: sum(credit) = 1000 (%.15g)", total);
		CHECK(r.n > 1000 && r.n < 51000, "linear: between 1 and 51 rows a conversion (%zu)", r.n);
	}
	free(r.r);
	js_free(&c);
	js_free(&j);
}

/* ---------------------------------------------------------------------
 * tests: validation
 * --------------------------------------------------------------------- */

static bool
rejects(const Js *j, const char *what)
{
	const char *err = journey_validate(j->b, j->len);

	if (err == NULL)
		fprintf(stderr, "  accepted: %s\n", what);
	return err != NULL;
}

/*
 * A small valid journey written by hand: strings "a", "b"; events
 *	 0: ts 1 impression "b"
 *	 1: ts 2 click "a"
 *	 2: ts 3 conversion NULL, value 7.5
 */
static Js
raw_ok(void)
{
	int64_t		ts[] = {1, 2, 3};
	uint32_t	touch[] = {1, 0, JOURNEY_NO_TOUCH};
	uint8_t		kind[] = {0, 1, 2 | JOURNEY_KIND_HAS_VALUE};
	uint64_t	vals[] = {dbits(7.5)};
	const char *strs[] = {"a", "b"};

	return raw_canonical(3, ts, touch, kind, 1, vals, 2, strs);
}

static void
test_validate_canonical(void)
{
	Js			ok = raw_ok();
	Js			j;
	size_t		l;
	int			accepted = 0;

	CHECK(js_valid(&ok), "the hand-written journey is valid");
	CHECK(ok.len == 20 + 8 + 39 + 8 + 2, "its length 20 + 4*2 + 13*3 + 8 + 2 (%zu)", ok.len);
	{
		/* the core builds the same bytes */
		Ev			ev[] = {{3, CONV, NULL, true, 7.5}, {2, CLK, "a", false, 0},
		{1, IMP, "b", false, 0}};
		Js			b = js_build(ev, 3);

		CHECK(js_same(&b, &ok), "js_build gives the hand-written bytes");
		js_free(&b);
	}

	/* truncation at every length, and one trailing byte */
	for (l = 0; l < ok.len; l++)
		if (journey_validate(ok.b, l) == NULL)
			accepted++;
	CHECK(accepted == 0, "every truncation rejected (%d accepted)", accepted);
	j.len = ok.len + 1;
	j.b = xmalloc(j.len);
	memcpy(j.b, ok.b, ok.len);
	j.b[ok.len] = 0;
	CHECK(rejects(&j, "trailing byte"), "trailing byte");
	js_free(&j);
	CHECK(journey_validate(NULL, 0) != NULL, "no bytes");

#define MUTATE(stmt, what) \
	do { \
		j = js_copy(&ok); \
		stmt; \
		CHECK(rejects(&j, what), "%s", what); \
		js_free(&j); \
	} while (0)

	MUTATE(j.b[0] = 2, "version 2");
	MUTATE(j.b[0] = 0, "version 0");
	MUTATE(j.b[1] = 3, "representation 3");
	MUTATE(j.b[1] = 0, "representation 0");
	MUTATE(j.b[1] = 2, "a canonical body labelled STATE");
	MUTATE(j.b[2] = 1, "flags");
	MUTATE(j.b[3] = 0x80, "reserved byte");
	MUTATE(le32(j.b + 4, 4), "event count + 1");
	MUTATE(le32(j.b + 4, 2), "event count - 1");
	MUTATE(le32(j.b + 4, 0xFFFFFFFF), "event count huge");
	MUTATE(le32(j.b + 8, 0), "value count 0 with a HAS_VALUE event");
	MUTATE(le32(j.b + 8, 2), "value count 2");
	MUTATE(le32(j.b + 12, 3), "string count 3");
	MUTATE(le32(j.b + 12, 0xFFFFFFFF), "string count huge");
	MUTATE(le32(j.b + 16, 3), "string bytes 3");
	/* ends: 20 "1", 24 "2" */
	MUTATE(le32(j.b + 20, 2), "ends 2, 2: strings 'ab', '' out of order");
	MUTATE(le32(j.b + 20, 3), "end past the bytes");
	MUTATE(le32(j.b + 24, 1), "last end short of the bytes");
	/* ts at 28, 36, 44; touch at 52, 56, 60; kind at 64, 65, 66; value 67 */
	MUTATE(le64(j.b + 28, 5), "unsorted events (ts 5, 2, 3)");
	MUTATE(j.b[64] = 3, "kind code 3");
	MUTATE(j.b[64] = 0x08, "kind bit 3");
	MUTATE(j.b[64] = 0x80, "kind bit 7");
	MUTATE(j.b[65] = 1 | JOURNEY_KIND_HAS_VALUE, "HAS_VALUE on a click");
	MUTATE(j.b[66] = 2, "conversion without HAS_VALUE but V = 1");
	MUTATE(le32(j.b + 52, 2), "touch index 2 of 2 strings");
	MUTATE(le32(j.b + 52, 0xFFFFFFFE), "touch index huge");
	MUTATE(le32(j.b + 52, 0), "string 'b' unused");
	MUTATE(le64(j.b + 67, UINT64_C(0x8000000000000000)), "value -0.0");
	MUTATE(le64(j.b + 67, UINT64_C(0x7FF8000000000001)), "non-normalised NaN");
	MUTATE(le64(j.b + 67, UINT64_C(0xFFF8000000000000)), "negative NaN");
	MUTATE((j.b[75] = 'b', j.b[76] = 'a'), "strings out of order (b, a)");
	MUTATE(j.b[76] = 'a', "duplicate strings (a, a)");
#undef MUTATE
	js_free(&ok);
}

/* mutations above that are meant to stay valid are listed here instead */
static void
test_validate_canonical_more(void)
{
	Js			ok = raw_ok();
	Js			j;

	/* impression and click at the same ts: still in order (impression first) */
	j = js_copy(&ok);
	le64(j.b + 28, 2);
	CHECK(journey_validate(j.b, j.len) == NULL, "impression then click at equal ts is valid");
	js_free(&j);
	/* click at ts 3, conversion at 3: click first: valid; conversion at 2: not */
	j = js_copy(&ok);
	le64(j.b + 44, 2);
	CHECK(journey_validate(j.b, j.len) == NULL, "click then conversion at equal ts is valid");
	le64(j.b + 36, 3);
	CHECK(journey_validate(j.b, j.len) != NULL, "click after the conversion: out of order");
	js_free(&j);

	/* equal ts and kind: by touch text; NULL first */
	{
		int64_t		ts[] = {1, 1};
		uint32_t	t_ok[] = {0, 1};
		uint32_t	t_bad[] = {1, 0};
		uint32_t	t_null_ok[] = {JOURNEY_NO_TOUCH, 0};
		uint32_t	t_null_bad[] = {0, JOURNEY_NO_TOUCH};
		uint8_t		kind[] = {1, 1};
		const char *strs[] = {"a", "b"};
		const char *one[] = {"a"};

		j = raw_canonical(2, ts, t_ok, kind, 0, NULL, 2, strs);
		CHECK(journey_validate(j.b, j.len) == NULL, "a before b at a tie");
		js_free(&j);
		j = raw_canonical(2, ts, t_bad, kind, 0, NULL, 2, strs);
		CHECK(rejects(&j, "b before a"), "b before a at a tie");
		js_free(&j);
		j = raw_canonical(2, ts, t_null_ok, kind, 0, NULL, 1, one);
		CHECK(journey_validate(j.b, j.len) == NULL, "NULL before a at a tie");
		js_free(&j);
		j = raw_canonical(2, ts, t_null_bad, kind, 0, NULL, 1, one);
		CHECK(rejects(&j, "a before NULL"), "a before NULL at a tie");
		js_free(&j);
	}
	/* equal ts, kind and touch: by value, NULL first */
	{
		int64_t		ts[] = {1, 1, 1};
		uint32_t	touch[] = {JOURNEY_NO_TOUCH, JOURNEY_NO_TOUCH, JOURNEY_NO_TOUCH};
		uint8_t		k_ok[] = {2, 6, 6};
		uint8_t		k_bad[] = {6, 2, 6};
		uint64_t	v_ok[] = {dbits(-3.0), dbits(2.0)};
		uint64_t	v_bad[] = {dbits(2.0), dbits(-3.0)};
		uint64_t	v_nan[] = {dbits(2.0), JOURNEY_NAN_BITS};
		uint64_t	v_nan_bad[] = {JOURNEY_NAN_BITS, dbits(2.0)};

		j = raw_canonical(3, ts, touch, k_ok, 2, v_ok, 0, NULL);
		CHECK(journey_validate(j.b, j.len) == NULL, "NULL, -3, 2");
		js_free(&j);
		j = raw_canonical(3, ts, touch, k_bad, 2, v_ok, 0, NULL);
		CHECK(rejects(&j, "value before NULL"), "value before NULL");
		js_free(&j);
		j = raw_canonical(3, ts, touch, k_ok, 2, v_bad, 0, NULL);
		CHECK(rejects(&j, "2 before -3"), "2 before -3");
		js_free(&j);
		j = raw_canonical(3, ts, touch, k_ok, 2, v_nan, 0, NULL);
		CHECK(journey_validate(j.b, j.len) == NULL, "2 before NaN");
		js_free(&j);
		j = raw_canonical(3, ts, touch, k_ok, 2, v_nan_bad, 0, NULL);
		CHECK(rejects(&j, "NaN before 2"), "NaN before 2");
		js_free(&j);
	}
	/* negative ts order is signed */
	{
		int64_t		ts_ok[] = {-5, 3};
		int64_t		ts_bad[] = {3, -5};
		uint32_t	touch[] = {JOURNEY_NO_TOUCH, JOURNEY_NO_TOUCH};
		uint8_t		kind[] = {2, 2};

		j = raw_canonical(2, ts_ok, touch, kind, 0, NULL, 0, NULL);
		CHECK(journey_validate(j.b, j.len) == NULL, "-5 before 3");
		js_free(&j);
		j = raw_canonical(2, ts_bad, touch, kind, 0, NULL, 0, NULL);
		CHECK(rejects(&j, "3 before -5"), "3 before -5 (signed order)");
		js_free(&j);
	}
	/* an empty string is a valid touch (sorts first) */
	{
		int64_t		ts[] = {1, 2};
		uint32_t	touch[] = {0, 1};
		uint8_t		kind[] = {0, 0};
		const char *strs[] = {"", "x"};
		const char *bad[] = {"x", ""};

		j = raw_canonical(2, ts, touch, kind, 0, NULL, 2, strs);
		CHECK(journey_validate(j.b, j.len) == NULL, "empty string first");
		js_free(&j);
		j = raw_canonical(2, ts, touch, kind, 0, NULL, 2, bad);
		CHECK(rejects(&j, "empty string after x"), "empty string after x");
		js_free(&j);
	}
	/* more strings than events */
	{
		int64_t		ts[] = {1};
		uint32_t	touch[] = {0};
		uint8_t		kind[] = {0};
		const char *strs[] = {"a", "b"};

		j = raw_canonical(1, ts, touch, kind, 0, NULL, 2, strs);
		CHECK(rejects(&j, "2 strings, 1 event"), "more strings than events");
		js_free(&j);
	}
	js_free(&ok);
}

/* STATE validation, and hostile but valid states */
static void
test_validate_state(void)
{
	Ev			ev[] = {{3, CONV, NULL, true, 7.5}, {2, CLK, "a", false, 0},
	{1, IMP, "b", false, 0}, {4, CLK, "a", false, 0}};
	Js			s = js_state(ev, 4);
	Js			c = js_canon(&s);
	Js			j;
	size_t		l;
	int			accepted = 0;
	uint32_t	ecap = rd32(s.b + 20);
	uint32_t	scap = rd32(s.b + 28);
	uint32_t	H = journey_hash_slots(scap);
	size_t		slots = 36 + 4 * (size_t) scap;
	size_t		kinds = slots + 4 * (size_t) H + 12 * (size_t) ecap;
	size_t		touches = slots + 4 * (size_t) H + 8 * (size_t) ecap;

	CHECK(js_valid(&s), "state valid");
	for (l = 0; l < s.len; l++)
		if (journey_validate(s.b, l) == NULL)
			accepted++;
	CHECK(accepted == 0, "every state truncation rejected (%d accepted)", accepted);

#define MUTATE(stmt, what) \
	do { \
		j = js_copy(&s); \
		stmt; \
		CHECK(rejects(&j, what), "%s", what); \
		js_free(&j); \
	} while (0)

	MUTATE(le32(j.b + 4, ecap + 1), "events over capacity");
	MUTATE(le32(j.b + 12, scap + 1), "strings over capacity");
	MUTATE(le32(j.b + 8, 2), "value count 2 with one HAS_VALUE");
	MUTATE(le32(j.b + 20, ecap + 1), "event capacity != length");
	MUTATE(le32(j.b + 20, JOURNEY_MAX_EVENTS + 1), "event capacity over the limit");
	MUTATE(le32(j.b + 28, JOURNEY_MAX_STRINGS + 1), "string capacity over the limit");
	MUTATE(le32(j.b + 16, 3), "string bytes 3 != ends");
	MUTATE(j.b[kinds] = 3, "kind code 3 in a state");
	MUTATE(j.b[kinds + 1] = 1 | JOURNEY_KIND_HAS_VALUE, "HAS_VALUE on a click in a state");
	MUTATE(le32(j.b + touches + 4, 7), "touch index out of range in a state");
	MUTATE(le32(j.b + 36, 5), "end past the bytes in a state");

	/* the hash table of a state with room for more than 8 strings */
	{
		JourneyCapacity wide = {8, 2, 12, 16};
		Js			w;
		size_t		wslots = 36 + 4 * 12 + 8;	/* after end[] and the table's seed */

		w.len = journey_state_size(&wide);
		w.b = xmalloc(w.len);
		CHECK(journey_state_regrow(w.b, w.len, s.b, s.len, &wide, 1) && js_valid(&w),
			  "regrow to 12 strings: a 32-slot table");
		j = js_copy(&w);
		le32(j.b + wslots, 3);
		CHECK(rejects(&j, "hash slot refers to string 2 of 2"), "slot past the strings");
		js_free(&j);
		j = js_copy(&w);
		memset(j.b + wslots, 0, 4 * 32);
		le32(j.b + wslots, 1);
		le32(j.b + wslots + 4, 1);
		le32(j.b + wslots + 8, 1);
		CHECK(rejects(&j, "3 occupied slots for 2 strings"), "more slots than strings");
		js_free(&j);
		js_free(&w);
	}
#undef MUTATE

	/*
	 * Hostile but valid: a cleared hash table (strings not findable) and a
	 * duplicate string.  Adding "a" again duplicates it; canonicalizing
	 * merges duplicates and drops unused strings: same bytes as the clean
	 * journey.
	 */
	{
		/*
		 * room for two more events and strings, so no regrow rebuilds the
		 * table; more than 8 strings of room, so there is a table
		 */
		JourneyCapacity big = {16, 4, 12, 64};

		j.len = journey_state_size(&big);
		j.b = xmalloc(j.len);
		CHECK(journey_state_regrow(j.b, j.len, s.b, s.len, &big, 1), "regrow to 16 events");
		memset(j.b + 36 + 4 * 12, 0, 4 * (size_t) journey_hash_slots(12));
	}
	CHECK(js_valid(&j), "a state with an empty hash table is valid");
	{
		Ev			again = {4, CLK, "a", false, 0};
		Ev			unused = {9, CLK, "zzz", false, 0};
		Js			m;
		Js			x;
		JourneyInfo info;

		/* the table no longer finds "a": the add appends a duplicate */
		js_add(&j, &again);
		journey_get_info(j.b, j.len, &info);
		CHECK(info.strings == 3, "duplicate 'a' appended (%u strings)", info.strings);
		CHECK(js_valid(&j), "duplicate strings allowed in a state");
		m = js_canon(&j);
		x = js_state(ev, 4);
		js_add(&x, &again);
		{
			Js			xc = js_canon(&x);

			CHECK(js_same(&m, &xc), "canonical form merges the duplicate");
			CHECK(m.len < journey_canonical_size(j.b, j.len),
				  "and comes out shorter than the bound");
			js_free(&xc);
		}
		js_free(&m);
		js_free(&x);

		/* an unused string: add, then point its event elsewhere */
		js_add(&j, &unused);
		{
			uint32_t	ec = rd32(j.b + 20);
			uint32_t	sc = rd32(j.b + 28);
			size_t		tpos = 36 + 4 * (size_t) sc + 4 * (size_t) journey_hash_slots(sc) +
				(journey_hash_slots(sc) != 0 ? 8 : 0) + 8 * (size_t) ec;
			uint32_t	e = rd32(j.b + 4);

			le32(j.b + tpos + 4 * (size_t) (e - 1), JOURNEY_NO_TOUCH);
			CHECK(js_valid(&j), "an unused string is allowed in a state");
			m = js_canon(&j);
			journey_get_info(m.b, m.len, &info);
			CHECK(js_valid(&m) && info.strings == 2, "canonical drops it (%u strings)", info.strings);
			js_free(&m);
		}
	}
	js_free(&j);
	js_free(&c);
	js_free(&s);
}

/*
 * Random byte mutations of valid values: each is rejected, or accepted and
 * then fully usable (canonicalize, merge, attribute) without a crash or an
 * over-read (run under ASan by make asan).
 */
static void
test_mutations(void)
{
	uint64_t	rng = 7;
	int			trial;
	int			accepted = 0;
	int			bad = 0;

	for (trial = 0; trial < 3000 / SCALE; trial++)
	{
		size_t		n = 1 + rnd(&rng, 12);
		Ev		   *ev = xmalloc(n * sizeof(Ev));
		Js			s;
		Js			j;
		int			flips = 1 + (int) rnd(&rng, 3);
		int			f;

		random_events(&rng, ev, n, 20, 4);
		s = js_state(ev, n);
		if (trial % 2)
		{
			Js			c = js_canon(&s);

			js_free(&s);
			s = c;
		}
		j = js_copy(&s);
		for (f = 0; f < flips; f++)
		{
			size_t		pos = rnd(&rng, (uint32_t) j.len);

			if (rnd(&rng, 2))
				j.b[pos] ^= (uint8_t) (1u << rnd(&rng, 8));
			else
				j.b[pos] = (uint8_t) rnd(&rng, 256);
		}
		if (journey_validate(j.b, j.len) == NULL)
		{
			Js			c;
			Js			m;
			Rows		r;
			int			mm;

			accepted++;
			c = js_canon(&j);
			if (journey_validate(c.b, c.len) != NULL)
				bad++;
			for (mm = 0; mm <= JOURNEY_POSITION_BASED; mm++)
			{
				r = attribute(&c, (JourneyModel) mm, 5 * MIN, 2 * MIN, MIN);
				free(r.r);
			}
			m = js_copy(&s);
			js_merge(&m, &j);
			if (journey_validate(m.b, m.len) != NULL)
				bad++;
			js_free(&m);
			js_free(&c);
		}
		js_free(&j);
		js_free(&s);
		free(ev);
	}
	CHECK(bad == 0, "accepted mutants canonicalize and merge to valid values (%d bad)", bad);
	CHECK(accepted > 0, "some mutants are accepted (values, timestamps): %d", accepted);
	CHECK(protocol_errors == 0, "no protocol errors (%d)", protocol_errors);
}

/* ---------------------------------------------------------------------
 * tests: randomized cross-check against the brute-force reference
 * --------------------------------------------------------------------- */

static void
test_reference(void)
{
	uint64_t	rng = 2024;
	int			trial;
	int			mismatches = 0;
	int			sum_bad = 0;
	long		rows_checked = 0;

	for (trial = 0; trial < 2000 / SCALE; trial++)
	{
		size_t		n = 1 + rnd(&rng, trial % 10 == 0 ? 200 : 30);
		Ev		   *ev = xmalloc(n * sizeof(Ev));
		Ev		   *s;
		Js			j;
		int			m;
		int64_t		cw = (int64_t) rnd(&rng, 40) * MIN;
		int64_t		vw = (int64_t) rnd(&rng, 20) * MIN;
		int64_t		hl = (int64_t) (1 + rnd(&rng, 30)) * MIN;
		RefRow	   *want = xmalloc((n * n + 1) * sizeof(RefRow));

		random_events(&rng, ev, n, 60, 1 + (int) rnd(&rng, 10));
		j = js_build(ev, n);
		s = ref_sorted(ev, n);
		for (m = 0; m <= JOURNEY_POSITION_BASED; m++)
		{
			size_t		nw = ref_attribute(s, n, (JourneyModel) m, cw, vw, hl, want);
			Rows		r = attribute(&j, (JourneyModel) m, cw, vw, hl);
			size_t		k;
			double		sum = 0;
			int64_t		conv = INT64_MIN;
			uint32_t	conv_event = UINT32_MAX;
			long		nconv = 0;

			if (r.n != nw)
			{
				mismatches++;
				fprintf(stderr, "  trial %d model %d: %zu rows, reference %zu\n", trial, m, r.n, nw);
				free(r.r);
				continue;
			}
			for (k = 0; k < nw; k++)
			{
				const JourneyRow *a = &r.r[k];
				const RefRow *b = &want[k];
				bool		same = a->conversion_ts == b->conv_ts &&
					a->attributed == b->attributed &&
					fabs(a->credit - b->credit) <= 1e-12 &&
					a->value_is_null == b->value_null &&
					(a->value_is_null || (isnan(b->value) ? isnan(a->value) :
										  fabs(a->value - b->value) <= 1e-12 * (1 + fabs(b->value))));

				if (same && a->attributed)
					same = a->touch_kind == b->kind && a->touch_ts == b->touch_ts &&
						a->lag == b->lag && row_touch_is(a, b->touch);
				if (!same)
				{
					mismatches++;
					fprintf(stderr, "  trial %d model %d row %zu differs\n", trial, m, k);
					break;
				}
				if (a->conversion_event != conv_event)
				{
					if (conv_event != UINT32_MAX && fabs(sum - 1.0) > 1e-12)
						sum_bad++;
					conv_event = a->conversion_event;
					sum = 0;
					nconv++;
				}
				sum += a->credit;
				conv = a->conversion_ts;
			}
			(void) conv;
			if (conv_event != UINT32_MAX && fabs(sum - 1.0) > 1e-12)
				sum_bad++;
			rows_checked += (long) nw;
			free(r.r);
		}
		free(want);
		free(s);
		js_free(&j);
		free(ev);
	}
	CHECK(mismatches == 0, "all five models agree with the brute-force reference (%d mismatches)",
		  mismatches);
	CHECK(sum_bad == 0, "credits of every conversion sum to 1 within 1e-12 (%d not)", sum_bad);
	CHECK(rows_checked > 10000, "rows checked: %ld", rows_checked);
	CHECK(protocol_errors == 0, "no protocol errors (%d)", protocol_errors);
}

/* the iterator may be copied between calls (the glue may keep it anywhere) */
static void
test_iterator_copy(void)
{
	Ev			ev[] = {{0, CLK, "a", false, 0}, {1, CLK, "b", false, 0},
	{2, CONV, NULL, false, 0}, {3, CONV, NULL, false, 0}};
	Js			j = js_build(ev, 4);
	JourneyParams p = {JOURNEY_LINEAR, DAY, DAY, DAY};
	JourneyAttribution a;
	JourneyAttribution b;
	JourneyRow	row;
	int			n = 0;

	CHECK(journey_attribute_begin(&a, j.b, j.len, &p, NULL, 0), "begin");
	CHECK(journey_attribute_next(&a, &row) && row_touch_is(&row, "a"), "row 1 from a");
	memcpy(&b, &a, sizeof(a));
	memset(&a, 0xAB, sizeof(a));
	while (journey_attribute_next(&b, &row))
		n++;
	CHECK(n == 3, "three more rows from the copy (%d)", n);
	CHECK(journey_attribute_begin(&a, j.b, j.len, &p, NULL, 0) &&
		  !journey_needs_canonicalize(j.b, j.len), "begin again");
	{
		Js			s = js_state(ev, 4);

		CHECK(!journey_attribute_begin(&a, s.b, s.len, &p, NULL, 0), "begin refuses a STATE");
		CHECK(journey_attribute_count(s.b, s.len, &p) == 0, "count refuses a STATE");
		CHECK(!journey_event(s.b, s.len, 0, NULL), "journey_event refuses a STATE");
		js_free(&s);
	}
	js_free(&j);
}

/* scratch requirements: big journeys need it, and unaligned scratch works */
static void
test_scratch(void)
{
	size_t		n = 200;
	Ev		   *ev = xmalloc(n * sizeof(Ev));
	uint64_t	rng = 99;
	Js			s;
	Js			c;
	size_t		need;
	uint8_t    *buf;
	JourneyParams p = {JOURNEY_LINEAR, 10 * MIN, 5 * MIN, MIN};
	JourneyAttribution it;
	JourneyRow	row;
	size_t		rows = 0;

	random_events(&rng, ev, n, 60, 10);
	s = js_state(ev, n);
	need = journey_canonical_scratch_size(s.b, s.len);
	CHECK(need >= 48 * n, "canonical scratch for 200 events (%zu)", need);
	{
		size_t		cap = journey_canonical_size(s.b, s.len);
		uint8_t    *dst = xmalloc(cap);

		CHECK(journey_canonicalize(dst, cap, s.b, s.len, NULL, 0) == 0, "no scratch: refused");
		buf = xmalloc(need + 1);
		CHECK(journey_canonicalize(dst, cap, s.b, s.len, buf + 1, need) == cap,
			  "unaligned scratch works");
		CHECK(journey_canonicalize(dst, cap - 1, s.b, s.len, buf, need) == 0,
			  "dst one byte short: refused");
		free(buf);
		free(dst);
	}
	c = js_canon(&s);
	need = journey_attribute_scratch_size(c.b, c.len);
	CHECK(need == 4 * n + 4, "attribute scratch 4E + 4 (%zu)", need);
	CHECK(!journey_attribute_begin(&it, c.b, c.len, &p, NULL, 0), "no scratch: refused");
	buf = xmalloc(need + 3);
	CHECK(journey_attribute_begin(&it, c.b, c.len, &p, buf + 3, need), "unaligned scratch");
	while (journey_attribute_next(&it, &row))
		rows++;
	CHECK(rows == journey_attribute_count(c.b, c.len, &p), "rows = count (%zu)", rows);
	free(buf);
	js_free(&c);
	js_free(&s);
	free(ev);
}

/*
 * Hash flooding: 1,000 touch strings whose unkeyed hash (0.1's string
 * table) shares its low 16 bits, found by brute force in a fraction of a
 * second, would all probe from one slot.  Under a state's seed their homes
 * scatter: the longest probe stays small, and every string is interned
 * once.
 */
static void
test_string_flooding(void)
{
	enum
	{
		N = 1000
	};
	static char strs[N][16];
	uint32_t	found = 0;
	uint32_t	all_low = 1;
	uint64_t	x;
	Js			j = js_new();
	JourneyInfo info;
	uint32_t	probe;
	uint32_t	i;

	for (x = 0; found < N; x++)
	{
		char		t[16];
		int			n = snprintf(t, sizeof(t), "c%llu", (unsigned long long) x);

		if ((journey_string_hash((const uint8_t *) t, (size_t) n) & 0xFFFF) == 0x5A5A)
			memcpy(strs[found++], t, (size_t) n + 1);
	}
	for (i = 0; i < N; i++)
		all_low &= (journey_string_hash((const uint8_t *) strs[i], strlen(strs[i])) & 0xFFFF) == 0x5A5A;
	for (i = 0; i < N; i++)
	{
		Ev			ev = {(int64_t) i * MIN, IMP, strs[i], false, 0};

		js_add(&j, &ev);
	}
	probe = journey_state_max_probe(j.b, j.len);
	journey_get_info(j.b, j.len, &info);
	CHECK(all_low && js_valid(&j) && info.strings == N && probe < 64,
		  "1,000 strings colliding in 16 unkeyed hash bits: longest probe %u in a keyed table", probe);
	js_free(&j);
}

/*
 * A 0.1 STATE (representation 2: no seed before its table) is still read:
 * validated, canonicalized to the same journey, and converted to a keyed
 * state when an event is added.
 */
static void
test_legacy_state(void)
{
	Js			j = js_new();
	Js			legacy;
	Js			a;
	Js			b;
	uint32_t	i;
	uint32_t	sc;
	size_t		seed_at;

	for (i = 0; i < 40; i++)
	{
		char		t[8];
		Ev			ev = {(int64_t) (40 - i) * MIN, i % 3 == 2 ? CONV : IMP, t, i % 3 == 2, i};

		snprintf(t, sizeof(t), "t%u", i % 12);
		js_add(&j, &ev);
	}
	sc = rd32(j.b + 28);
	CHECK(j.b[1] == JOURNEY_REP_KEYED_STATE && journey_hash_slots(sc) != 0, "a keyed state with a table");
	/* the same bytes without the seed, as 0.1 laid them out */
	seed_at = 36 + 4 * (size_t) sc;
	legacy.len = j.len - 8;
	legacy.b = xmalloc(legacy.len);
	memcpy(legacy.b, j.b, seed_at);
	memcpy(legacy.b + seed_at, j.b + seed_at + 8, j.len - seed_at - 8);
	legacy.b[1] = JOURNEY_REP_STATE;
	CHECK(js_valid(&legacy), "a 0.1 state validates");
	a = js_canon(&j);
	b = js_canon(&legacy);
	CHECK(js_same(&a, &b), "a 0.1 state canonicalizes to the same journey");
	js_free(&b);
	{
		Ev			ev = {0, CLK, "t3", false, 0};

		js_add(&legacy, &ev);
		js_add(&j, &ev);
	}
	CHECK(legacy.b[1] == JOURNEY_REP_KEYED_STATE && js_valid(&legacy), "adding converts it to a keyed state");
	js_free(&a);
	a = js_canon(&j);
	b = js_canon(&legacy);
	CHECK(js_same(&a, &b), "and it holds what the keyed one holds");
	js_free(&a);
	js_free(&b);
	js_free(&legacy);
	js_free(&j);
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_names();
	test_params();
	test_empty();
	test_unattributed();
	test_window_edges();
	test_same_instant();
	test_click_precedence();
	test_shared_touches();
	test_null_touch();
	test_time_decay();
	test_position_based();
	test_linear_thirds();
	test_ties_and_duplicates();
	test_values();
	test_extreme_times();
	test_string_flooding();
	test_legacy_state();
	test_protocol();
	test_determinism();
	test_string_interning();
	test_many_touches();
	test_validate_canonical();
	test_validate_canonical_more();
	test_validate_state();
	test_mutations();
	test_reference();
	test_iterator_copy();
	test_scratch();
	return unit_report(argv[0]);
}
