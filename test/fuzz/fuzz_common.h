/*
 * fuzz_common.h — shared helpers of the libFuzzer targets (test/fuzz).
 *
 * The harnesses drive the plain-C core (src/core) exactly as the SQL glue
 * does: every value from outside goes through *_validate first, states
 * grow through the documented regrow loops, and every value the API
 * writes is validated again.  Any broken promise calls FUZZ_FAIL, which
 * prints what was violated and abort()s, so libFuzzer reports it as a
 * crash with the input that caused it.
 *
 * Harness memory comes from malloc (the no-malloc rule is for server
 * code).  Everything is freed before a target returns, so ASan's leak
 * checker also covers the harness.
 */
#ifndef IMPRESSION_EXT_FUZZ_COMMON_H
#define IMPRESSION_EXT_FUZZ_COMMON_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "reach_core.h"
#include "frequency_core.h"
#include "journey_core.h"
#include "sketch_type.h"

#define FUZZ_UNUSED __attribute__((unused))

#define FUZZ_FAIL(...) \
	do { \
		fprintf(stderr, "FUZZ PROPERTY VIOLATED at %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		abort(); \
	} while (0)

#define FUZZ_ASSERT(cond, ...) \
	do { \
		if (!(cond)) \
		{ \
			fprintf(stderr, "FUZZ ASSERTION (%s) FAILED at %s:%d: ", #cond, \
					__FILE__, __LINE__); \
			fprintf(stderr, __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

/*
 * States up to this size are validated after every add (and journey adds
 * check that a "grow" answer left the state untouched); larger ones only
 * after regrows, merges and at the end of a build, so that a long op
 * stream stays linear.  A target that adds the same rows again (in
 * another order, split into parts) may set fuzz_add_check_max to 0 for
 * those builds: the first build has checked every add already.
 */
#define FUZZ_CHEAP_VALIDATE 4096

static size_t fuzz_add_check_max FUZZ_UNUSED = FUZZ_CHEAP_VALIDATE;

/* regrow rounds after which a loop is declared stuck */
#define FUZZ_MAX_ROUNDS 64

/*
 * The generic lifecycle (test/common/sketch_test.h) with its hooks: a
 * broken promise aborts; a journey's grow capacities fit what is added or
 * merged, so one regrow is enough, and its calls leave the state untouched
 * when they answer "grow"; a value from an input of at most 64 KB
 * never needs a reach body over 4 MB or another over 32 MB.
 */
struct Buf;
static FUZZ_UNUSED void fuzz_check_grow(const IeSketchType *t, size_t need, const void *plan);
static FUZZ_UNUSED void fuzz_check_canonical(const IeSketchType *t, const struct Buf *s,
								 const struct Buf *c);

#define SKETCH_TEST_FAIL(...) FUZZ_FAIL(__VA_ARGS__)
#define SKETCH_TEST_MAX_ROUNDS(t) ((t) == &journey_type ? 2 : FUZZ_MAX_ROUNDS)
#define SKETCH_TEST_SIZE_MAX(t) \
	((t) == &reach_sketch_type ? (size_t) 1 << 22 : (size_t) 1 << 25)
#define SKETCH_TEST_CHECK_GROW(t, s, need, plan) fuzz_check_grow(t, need, plan)
#define SKETCH_TEST_CHECK_CANONICAL(t, s, c) fuzz_check_canonical(t, s, c)
#define SKETCH_TEST_GROW_KEEPS_STATE(t) ((t) == &journey_type)
#include "sketch_test.h"

/* ---------------------------------------------------------------------
 * Input cursor: reads the fuzzer's bytes; zeros once exhausted.
 * --------------------------------------------------------------------- */
typedef struct Cursor
{
	const uint8_t *p;
	size_t		n;
} Cursor;

static FUZZ_UNUSED bool
cur_empty(const Cursor *c)
{
	return c->n == 0;
}

static FUZZ_UNUSED uint8_t
cur_u8(Cursor *c)
{
	uint8_t		v;

	if (c->n == 0)
		return 0;
	v = c->p[0];
	c->p++;
	c->n--;
	return v;
}

static FUZZ_UNUSED uint16_t
cur_u16(Cursor *c)
{
	uint16_t	v = cur_u8(c);

	return (uint16_t) (v | (uint16_t) cur_u8(c) << 8);
}

static FUZZ_UNUSED uint32_t
cur_u32(Cursor *c)
{
	uint32_t	v = cur_u16(c);

	return v | (uint32_t) cur_u16(c) << 16;
}

static FUZZ_UNUSED uint64_t
cur_u64(Cursor *c)
{
	uint64_t	v = cur_u32(c);

	return v | (uint64_t) cur_u32(c) << 32;
}

/* a permutation of 0..n-1 */
static FUZZ_UNUSED size_t *
permutation(size_t n, uint64_t *rng)
{
	size_t	   *perm = xmalloc(sizeof(size_t) * (n ? n : 1));
	size_t		i;

	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n; i > 1; i--)
	{
		size_t		j = (size_t) (splitmix64(rng) % i);
		size_t		t = perm[i - 1];

		perm[i - 1] = perm[j];
		perm[j] = t;
	}
	return perm;
}

static FUZZ_UNUSED bool
same_double(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	return a == b;
}

/* ---------------------------------------------------------------------
 * reach_sketch
 * --------------------------------------------------------------------- */

static FUZZ_UNUSED Buf
reach_new_state(int p)
{
	Buf			s = state_alloc(&reach_sketch_type);

	return state_checked(&reach_sketch_type, s, reach_state_init(s.b, s.len, p));
}

static FUZZ_UNUSED void
reach_add(Buf *s, uint64_t h)
{
	Growth		g = growth(s, FUZZ_MAX_ROUNDS, 0);

	while (grow_retry(&reach_sketch_type, s, reach_state_add(s->b, s->len, h), NULL, &g))
		;
	if (s->len <= fuzz_add_check_max)
		must_validate(&reach_sketch_type, s, "reach state after add");
}

static FUZZ_UNUSED Buf
reach_expand_buf(const Buf *s)
{
	size_t		el = reach_expanded_size(s->b, s->len);
	Buf			e;

	FUZZ_ASSERT(el >= 8 && el <= ((size_t) 1 << 22), "reach_expanded_size %zu", el);
	e.len = el;
	e.b = xmalloc(el);
	if (!reach_expand(e.b, e.len, s->b, s->len))
		FUZZ_FAIL("reach_expand of a valid value failed");
	must_validate(&reach_sketch_type, &e, "expanded reach value");
	return e;
}

/* export to postgresql-hll; Buf.len 0 when the log2m is refused */
static FUZZ_UNUSED Buf
reach_hll_export(const Buf *s, int log2m)
{
	size_t		cap = reach_to_hll_size(s->b, s->len, log2m);
	Buf			h = {NULL, 0};
	uint8_t    *tmp;
	size_t		n;
	const char *msg;

	if (cap == 0)
		return h;
	FUZZ_ASSERT(cap <= ((size_t) 1 << 22), "reach_to_hll_size %zu", cap);
	tmp = xmalloc(cap);
	n = reach_to_hll(tmp, cap, s->b, s->len, log2m);
	FUZZ_ASSERT(n != 0 && n <= cap, "reach_to_hll returned %zu (cap %zu)", n, cap);
	buf_take(&h, tmp, n);
	if ((msg = reach_from_hll_check(h.b, h.len)) != NULL)
	{
		hexdump_head("exported hll", &h);
		FUZZ_FAIL("exported hll value is not importable: %s", msg);
	}
	return h;
}

/* import a checked hll value */
static FUZZ_UNUSED Buf
reach_hll_import(const Buf *h)
{
	size_t		cap = reach_from_hll_size(h->b, h->len);
	uint8_t    *tmp;
	Buf			s;
	size_t		n;

	FUZZ_ASSERT(cap >= 8 && cap <= ((size_t) 1 << 22), "reach_from_hll_size %zu", cap);
	tmp = xmalloc(cap);
	n = reach_from_hll(tmp, cap, h->b, h->len);
	FUZZ_ASSERT(n != 0 && n <= cap, "reach_from_hll returned %zu (cap %zu)", n, cap);
	buf_take(&s, tmp, n);
	must_validate(&reach_sketch_type, &s, "imported reach value");
	FUZZ_ASSERT(!reach_needs_canonicalize(s.b, s.len), "imported reach value is not canonical");
	return s;
}

/* ---------------------------------------------------------------------
 * frequency_sketch
 * --------------------------------------------------------------------- */

static FUZZ_UNUSED Buf
freq_new_state(uint32_t k)
{
	Buf			s = state_alloc(&frequency_sketch_type);

	return state_checked(&frequency_sketch_type, s,
						 frequency_state_init(s.b, s.len, k, next_seed()));
}

static FUZZ_UNUSED void
freq_add(Buf *s, uint64_t h, uint64_t count)
{
	Growth		g = growth(s, FUZZ_MAX_ROUNDS, 0);

	while (grow_retry(&frequency_sketch_type, s,
					  frequency_state_add(s->b, s->len, h, count), NULL, &g))
		;
	if (s->len <= fuzz_add_check_max)
		must_validate(&frequency_sketch_type, s, "frequency state after add");
}

/* ---------------------------------------------------------------------
 * journey
 * --------------------------------------------------------------------- */

/*
 * "A call that returns nonzero has not changed the state" is checked on
 * states up to fuzz_add_check_max bytes; the grow capacities fit the
 * event, so one regrow is enough (SKETCH_TEST_MAX_ROUNDS).
 */
static FUZZ_UNUSED void
journey_add(Buf *s, int64_t ts, JourneyKind kind, const uint8_t *touch,
			size_t touch_len, bool has_value, double value)
{
	JourneyCapacity cap;
	Growth		g = growth(s, SKETCH_TEST_MAX_ROUNDS(&journey_type), fuzz_add_check_max);

	while (grow_retry(&journey_type, s,
					  journey_state_add(s->b, s->len, ts, kind, touch, touch_len,
										has_value, value, &cap), &cap, &g))
		;
	if (s->len <= fuzz_add_check_max)
		must_validate(&journey_type, s, "journey state after add");
}

/* the type-specific promises the generic helpers call back for */
static FUZZ_UNUSED void
fuzz_check_grow(const IeSketchType *t, size_t need, const void *plan)
{
	if (t == &journey_type)
		FUZZ_ASSERT(journey_state_size(plan) == need,
					"journey grow size %zu != journey_state_size(cap) %zu",
					need, journey_state_size(plan));
}

static FUZZ_UNUSED void
fuzz_check_canonical(const IeSketchType *t, const Buf *s, const Buf *c)
{
	if (t == &reach_sketch_type)
		FUZZ_ASSERT(c->b[2] != REACH_REP_SPARSE_BUFFER, "canonical value is a buffer");
	else if (t == &frequency_sketch_type)
		FUZZ_ASSERT(frequency_impressions(c->b, c->len) == frequency_impressions(s->b, s->len),
					"canonicalizing changed the impressions total");
}

/*
 * All events of a CANONICAL journey, read in order with journey_event_seq
 * (journey_event is O(i) for an event with a value); malloc'd, *n set.
 */
static FUZZ_UNUSED JourneyEvent *
journey_all_events(const Buf *c, uint32_t *n)
{
	JourneyInfo info;
	JourneyEvent *ev;
	uint32_t	vb = 0;
	uint32_t	i;

	journey_get_info(c->b, c->len, &info);
	ev = xmalloc(sizeof(JourneyEvent) * (info.events ? info.events : 1));
	for (i = 0; i < info.events; i++)
		FUZZ_ASSERT(journey_event_seq(c->b, c->len, i, &vb, &ev[i]),
					"journey_event_seq(%u) failed", i);
	FUZZ_ASSERT(vb == info.values, "event_seq counted %u values of %u", vb, info.values);
	*n = info.events;
	return ev;
}

/*
 * Attribute a CANONICAL journey under params (valid) and check every
 * documented promise of the rows: the count, the windows, the model's row
 * shape, credits summing to 1 per conversion and to the number of
 * conversions overall.  max_rows bounds the work (0: no bound); beyond it
 * only the rows seen are checked.  Returns the rows emitted.
 */
static FUZZ_UNUSED uint64_t
journey_check_attribution(const Buf *c, const JourneyParams *params, uint64_t max_rows)
{
	JourneyAttribution it;
	JourneyRow	row;
	size_t		slen = journey_attribute_scratch_size(c->b, c->len);
	void	   *scratch = slen ? xmalloc(slen) : NULL;
	uint64_t	expect = journey_attribute_count(c->b, c->len, params);
	uint64_t	rows = 0;
	JourneyInfo info;
	double		total = 0;
	double		conv_sum = 0;
	uint64_t	conv_rows = 0;
	uint32_t	conversions_seen = 0;
	bool		have_conv = false;
	uint32_t	cur_conv = 0;
	int64_t		prev_touch_ts = 0;
	bool		complete = true;
	uint32_t	nev;
	JourneyEvent *events = journey_all_events(c, &nev);

	journey_get_info(c->b, c->len, &info);
	FUZZ_ASSERT(slen <= ((size_t) 1 << 25), "journey_attribute_scratch_size %zu", slen);
	if (!journey_attribute_begin(&it, c->b, c->len, params, scratch, slen))
		FUZZ_FAIL("journey_attribute_begin refused a valid canonical journey (model %d)",
				  (int) params->model);
	FUZZ_ASSERT(expect >= info.conversions, "attribute_count %llu < conversions %u",
				(unsigned long long) expect, info.conversions);
	for (;;)
	{
		const JourneyEvent *conv;

		if (max_rows != 0 && rows >= max_rows)
		{
			complete = false;
			break;
		}
		if (!journey_attribute_next(&it, &row))
			break;
		rows++;
		if (!have_conv || row.conversion_event != cur_conv)
		{
			if (have_conv)
			{
				FUZZ_ASSERT(fabs(conv_sum - 1.0) <= 1e-9,
							"credits of conversion %u sum to %.17g", cur_conv, conv_sum);
				FUZZ_ASSERT(row.conversion_event > cur_conv,
							"conversions out of order: %u after %u",
							row.conversion_event, cur_conv);
			}
			have_conv = true;
			cur_conv = row.conversion_event;
			conv_sum = 0;
			conv_rows = 0;
			conversions_seen++;
		}
		FUZZ_ASSERT(row.conversion_event < nev,
					"row names conversion event %u, out of range", row.conversion_event);
		conv = &events[row.conversion_event];
		FUZZ_ASSERT(conv->kind == JOURNEY_CONVERSION, "row's conversion event %u has kind %d",
					row.conversion_event, (int) conv->kind);
		FUZZ_ASSERT(conv->ts == row.conversion_ts, "conversion_ts mismatch");
		FUZZ_ASSERT(isfinite(row.credit) && row.credit >= 0 && row.credit <= 1 + 1e-12,
					"credit %.17g", row.credit);
		if (row.attributed)
		{
			int64_t		window = row.touch_kind == JOURNEY_CLICK ? params->click_window :
				row.touch_kind == JOURNEY_ENGAGED_VIEW ? params->engaged_window :
				params->view_window;
			uint64_t	lag;

			FUZZ_ASSERT(row.touch_kind == JOURNEY_CLICK || row.touch_kind == JOURNEY_IMPRESSION ||
						row.touch_kind == JOURNEY_ENGAGED_VIEW,
						"touch_kind %d", (int) row.touch_kind);
			FUZZ_ASSERT(row.touch_ts <= row.conversion_ts, "touch after its conversion");
			lag = (uint64_t) row.conversion_ts - (uint64_t) row.touch_ts;
			FUZZ_ASSERT(row.lag >= 0 && (uint64_t) row.lag == lag && row.lag <= window,
						"lag %lld (window %lld, ts %lld - %lld)", (long long) row.lag,
						(long long) window, (long long) row.conversion_ts,
						(long long) row.touch_ts);
			FUZZ_ASSERT((row.touch_index == -1) == (row.touch == NULL),
						"touch_index %lld vs touch pointer", (long long) row.touch_index);
			if (row.touch != NULL)
				FUZZ_ASSERT(row.touch >= c->b && row.touch + row.touch_len <= c->b + c->len,
							"row touch points outside the body");
			if (conv_rows > 0)
				FUZZ_ASSERT(row.touch_ts >= prev_touch_ts, "touches not in canonical order");
			prev_touch_ts = row.touch_ts;
		}
		else
		{
			FUZZ_ASSERT(conv_rows == 0 && row.credit == 1.0,
						"unattributed row is not alone with credit 1");
		}
		if (params->model == JOURNEY_LAST_TOUCH || params->model == JOURNEY_FIRST_TOUCH)
			FUZZ_ASSERT(conv_rows == 0 && row.credit == 1.0,
						"model %d gave more than one row or credit %.17g",
						(int) params->model, row.credit);
		FUZZ_ASSERT(row.value_is_null == !conv->has_value, "value_is_null mismatch");
		if (!row.value_is_null && isfinite(conv->value) && isfinite(row.value))
			FUZZ_ASSERT(fabs(row.value - row.credit * conv->value) <=
						1e-12 * fabs(conv->value) + 1e-300,
						"value %.17g != credit %.17g x %.17g", row.value, row.credit,
						conv->value);
		conv_sum += row.credit;
		conv_rows++;
		total += row.credit;
	}
	if (complete)
	{
		if (have_conv)
			FUZZ_ASSERT(fabs(conv_sum - 1.0) <= 1e-9,
						"credits of conversion %u sum to %.17g", cur_conv, conv_sum);
		FUZZ_ASSERT(rows == expect, "attribute emitted %llu rows, attribute_count says %llu",
					(unsigned long long) rows, (unsigned long long) expect);
		FUZZ_ASSERT(conversions_seen == info.conversions,
					"rows cover %u conversions of %u", conversions_seen, info.conversions);
		FUZZ_ASSERT(fabs(total - (double) info.conversions) <=
					1e-9 * (info.conversions > 0 ? info.conversions : 1),
					"credits sum to %.17g for %u conversions", total, info.conversions);
		if (params->model == JOURNEY_LAST_TOUCH || params->model == JOURNEY_FIRST_TOUCH)
			FUZZ_ASSERT(rows == info.conversions, "%llu rows for %u conversions",
						(unsigned long long) rows, info.conversions);
	}
	free(events);
	free(scratch);
	return rows;
}

#endif							/* IMPRESSION_EXT_FUZZ_COMMON_H */
