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
 * stream stays linear.
 */
#define FUZZ_CHEAP_VALIDATE 4096

/* regrow rounds after which a loop is declared stuck */
#define FUZZ_MAX_ROUNDS 64

static FUZZ_UNUSED void *
xmalloc(size_t n)
{
	void	   *p = malloc(n == 0 ? 1 : n);

	if (p == NULL)
		FUZZ_FAIL("out of memory allocating %zu bytes", n);
	return p;
}

/* a body with its exact length */
typedef struct Buf
{
	uint8_t    *b;
	size_t		len;
} Buf;

static FUZZ_UNUSED Buf
buf_of(const uint8_t *p, size_t n)
{
	Buf			c;

	c.len = n;
	c.b = xmalloc(n);
	if (n > 0)
		memcpy(c.b, p, n);
	return c;
}

static FUZZ_UNUSED Buf
buf_copy(const Buf *s)
{
	return buf_of(s->b, s->len);
}

static FUZZ_UNUSED void
buf_free(Buf *s)
{
	free(s->b);
	s->b = NULL;
	s->len = 0;
}

static FUZZ_UNUSED bool
buf_eq(const Buf *a, const Buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->b, b->b, a->len) == 0);
}

/* replace *s by the first n bytes of tmp (exact-size copy), free tmp */
static FUZZ_UNUSED void
buf_take(Buf *s, uint8_t *tmp, size_t n)
{
	s->b = xmalloc(n);
	s->len = n;
	if (n > 0)
		memcpy(s->b, tmp, n);
	free(tmp);
}

static FUZZ_UNUSED void
hexdump_head(const char *what, const Buf *s)
{
	size_t		i;
	size_t		n = s->len < 64 ? s->len : 64;

	fprintf(stderr, "  %s (%zu bytes):", what, s->len);
	for (i = 0; i < n; i++)
		fprintf(stderr, " %02x", s->b[i]);
	fprintf(stderr, "%s\n", n < s->len ? " ..." : "");
}

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

/* a deterministic generator for orders and splits, seeded from the input */
static FUZZ_UNUSED uint64_t
splitmix64(uint64_t *state)
{
	uint64_t	z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
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

static FUZZ_UNUSED void
reach_must_validate(const Buf *s, const char *what)
{
	const char *msg = reach_validate(s->b, s->len);

	if (msg != NULL)
	{
		hexdump_head(what, s);
		FUZZ_FAIL("%s does not validate: %s", what, msg);
	}
}

static FUZZ_UNUSED Buf
reach_new_state(int p)
{
	Buf			s;

	s.len = reach_state_initial_size();
	s.b = xmalloc(s.len);
	if (!reach_state_init(s.b, s.len, p))
		FUZZ_FAIL("reach_state_init(p=%d) failed", p);
	reach_must_validate(&s, "fresh reach state");
	return s;
}

static FUZZ_UNUSED void
reach_regrow(Buf *s, size_t need)
{
	uint8_t    *n;

	/* a state for a value from a <= 64 KB input never needs more */
	FUZZ_ASSERT(need <= ((size_t) 1 << 22), "reach regrow to %zu bytes", need);
	n = xmalloc(need);
	if (!reach_state_regrow(n, need, s->b, s->len))
	{
		hexdump_head("state", s);
		FUZZ_FAIL("reach_state_regrow to %zu failed", need);
	}
	free(s->b);
	s->b = n;
	s->len = need;
	reach_must_validate(s, "regrown reach state");
}

static FUZZ_UNUSED void
reach_add(Buf *s, uint64_t h)
{
	size_t		need;
	int			rounds = 0;

	while ((need = reach_state_add(s->b, s->len, h)) != 0)
	{
		FUZZ_ASSERT(++rounds <= FUZZ_MAX_ROUNDS, "reach add loop does not end");
		reach_regrow(s, need);
	}
	if (s->len <= FUZZ_CHEAP_VALIDATE)
		reach_must_validate(s, "reach state after add");
}

/* merge src (only read) into the state d */
static FUZZ_UNUSED void
reach_merge(Buf *d, const Buf *src)
{
	size_t		need;
	int			rounds = 0;
	Buf			keep = buf_copy(src);

	while ((need = reach_state_merge(d->b, d->len, src->b, src->len)) != 0)
	{
		FUZZ_ASSERT(++rounds <= FUZZ_MAX_ROUNDS, "reach merge loop does not end");
		reach_regrow(d, need);
	}
	FUZZ_ASSERT(buf_eq(&keep, src), "reach_state_merge wrote into its source");
	buf_free(&keep);
	reach_must_validate(d, "reach state after merge");
}

/* canonical form in an exactly-sized buffer, with its promises checked */
static FUZZ_UNUSED Buf
reach_canon(const Buf *s)
{
	size_t		cap = reach_canonical_size(s->b, s->len);
	uint8_t    *tmp;
	Buf			c;
	size_t		n;

	FUZZ_ASSERT(cap >= 8 && cap <= ((size_t) 1 << 22), "reach_canonical_size %zu", cap);
	tmp = xmalloc(cap);
	n = reach_canonicalize(tmp, cap, s->b, s->len);
	FUZZ_ASSERT(n != 0 && n <= cap, "reach_canonicalize returned %zu (cap %zu)", n, cap);
	buf_take(&c, tmp, n);
	reach_must_validate(&c, "canonical reach value");
	FUZZ_ASSERT(!reach_needs_canonicalize(c.b, c.len),
				"canonical reach value needs canonicalizing (rep %d)", c.b[2]);
	FUZZ_ASSERT(c.b[2] != REACH_REP_SPARSE_BUFFER, "canonical value is a buffer");
	{
		/* idempotent */
		size_t		cap2 = reach_canonical_size(c.b, c.len);
		uint8_t    *tmp2 = xmalloc(cap2);
		size_t		n2 = reach_canonicalize(tmp2, cap2, c.b, c.len);

		FUZZ_ASSERT(n2 == c.len && memcmp(tmp2, c.b, n2) == 0,
					"canonicalize(canonical) changed the reach value");
		free(tmp2);
	}
	return c;
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
	reach_must_validate(&e, "expanded reach value");
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
	reach_must_validate(&s, "imported reach value");
	FUZZ_ASSERT(!reach_needs_canonicalize(s.b, s.len), "imported reach value is not canonical");
	return s;
}

/* ---------------------------------------------------------------------
 * frequency_sketch
 * --------------------------------------------------------------------- */

static FUZZ_UNUSED void
freq_must_validate(const Buf *s, const char *what)
{
	const char *msg = frequency_validate(s->b, s->len);

	if (msg != NULL)
	{
		hexdump_head(what, s);
		FUZZ_FAIL("%s does not validate: %s", what, msg);
	}
}

static FUZZ_UNUSED Buf
freq_new_state(uint32_t k)
{
	Buf			s;

	s.len = frequency_state_initial_size();
	s.b = xmalloc(s.len);
	if (!frequency_state_init(s.b, s.len, k, UINT64_C(0x9E3779B97F4A7C15) ^ k))
		FUZZ_FAIL("frequency_state_init(k=%u) failed", k);
	freq_must_validate(&s, "fresh frequency state");
	return s;
}

static FUZZ_UNUSED void
freq_regrow(Buf *s, size_t need)
{
	uint8_t    *n;

	FUZZ_ASSERT(need <= ((size_t) 1 << 25), "frequency regrow to %zu bytes", need);
	n = xmalloc(need);
	if (!frequency_state_regrow(n, need, s->b, s->len, UINT64_C(0xD1B54A32D192ED03)))
	{
		hexdump_head("state", s);
		FUZZ_FAIL("frequency_state_regrow to %zu failed", need);
	}
	free(s->b);
	s->b = n;
	s->len = need;
	freq_must_validate(s, "regrown frequency state");
}

static FUZZ_UNUSED void
freq_add(Buf *s, uint64_t h, uint64_t count)
{
	size_t		need;
	int			rounds = 0;

	while ((need = frequency_state_add(s->b, s->len, h, count)) != 0)
	{
		FUZZ_ASSERT(++rounds <= FUZZ_MAX_ROUNDS, "frequency add loop does not end");
		freq_regrow(s, need);
	}
	if (s->len <= FUZZ_CHEAP_VALIDATE)
		freq_must_validate(s, "frequency state after add");
}

static FUZZ_UNUSED void
freq_merge(Buf *d, const Buf *src)
{
	size_t		need;
	int			rounds = 0;
	Buf			keep = buf_copy(src);

	while ((need = frequency_state_merge(d->b, d->len, src->b, src->len)) != 0)
	{
		FUZZ_ASSERT(++rounds <= FUZZ_MAX_ROUNDS, "frequency merge loop does not end");
		freq_regrow(d, need);
	}
	FUZZ_ASSERT(buf_eq(&keep, src), "frequency_state_merge wrote into its source");
	buf_free(&keep);
	freq_must_validate(d, "frequency state after merge");
}

static FUZZ_UNUSED Buf
freq_canon(const Buf *s)
{
	size_t		cap = frequency_canonical_size(s->b, s->len);
	uint8_t    *tmp;
	Buf			c;
	size_t		n;

	FUZZ_ASSERT(cap >= FREQUENCY_HEADER_SIZE && cap <= ((size_t) 1 << 25),
				"frequency_canonical_size %zu", cap);
	tmp = xmalloc(cap);
	n = frequency_canonicalize(tmp, cap, s->b, s->len);
	FUZZ_ASSERT(n != 0 && n <= cap, "frequency_canonicalize returned %zu (cap %zu)", n, cap);
	buf_take(&c, tmp, n);
	freq_must_validate(&c, "canonical frequency value");
	FUZZ_ASSERT(!frequency_needs_canonicalize(c.b, c.len), "canonical value needs canonicalizing");
	FUZZ_ASSERT(frequency_impressions(c.b, c.len) == frequency_impressions(s->b, s->len),
				"canonicalizing changed the impressions total");
	{
		size_t		cap2 = frequency_canonical_size(c.b, c.len);
		uint8_t    *tmp2 = xmalloc(cap2);
		size_t		n2 = frequency_canonicalize(tmp2, cap2, c.b, c.len);

		FUZZ_ASSERT(n2 == c.len && memcmp(tmp2, c.b, n2) == 0,
					"canonicalize(canonical) changed the frequency value");
		free(tmp2);
	}
	return c;
}

/* ---------------------------------------------------------------------
 * journey
 * --------------------------------------------------------------------- */

static FUZZ_UNUSED void
journey_must_validate(const Buf *s, const char *what)
{
	const char *msg = journey_validate(s->b, s->len);

	if (msg != NULL)
	{
		hexdump_head(what, s);
		FUZZ_FAIL("%s does not validate: %s", what, msg);
	}
}

static FUZZ_UNUSED Buf
journey_new_state(size_t first_touch_len)
{
	Buf			s;

	s.len = journey_state_initial_size(first_touch_len);
	s.b = xmalloc(s.len);
	if (!journey_state_init(s.b, s.len, NULL, UINT64_C(0x243F6A8885A308D3)))
		FUZZ_FAIL("journey_state_init(len %zu) failed", s.len);
	journey_must_validate(&s, "fresh journey state");
	return s;
}

static FUZZ_UNUSED void
journey_regrow(Buf *s, size_t need, const JourneyCapacity *cap)
{
	uint8_t    *n;

	FUZZ_ASSERT(need != JOURNEY_TOO_LARGE && need != JOURNEY_BAD_ARGUMENT,
				"journey add/merge returned %zu", need);
	FUZZ_ASSERT(need <= ((size_t) 1 << 25), "journey regrow to %zu bytes", need);
	FUZZ_ASSERT(journey_state_size(cap) == need,
				"journey grow size %zu != journey_state_size(cap) %zu",
				need, journey_state_size(cap));
	n = xmalloc(need);
	if (!journey_state_regrow(n, need, s->b, s->len, cap, UINT64_C(0x13198A2E03707344)))
	{
		hexdump_head("state", s);
		FUZZ_FAIL("journey_state_regrow to %zu failed", need);
	}
	free(s->b);
	s->b = n;
	s->len = need;
	journey_must_validate(s, "regrown journey state");
}

static FUZZ_UNUSED void
journey_add(Buf *s, int64_t ts, JourneyKind kind, const uint8_t *touch,
			size_t touch_len, bool has_value, double value)
{
	JourneyCapacity cap;
	size_t		need;
	int			rounds = 0;
	bool		cheap = s->len <= FUZZ_CHEAP_VALIDATE;
	Buf			before = cheap ? buf_copy(s) : (Buf) {NULL, 0};

	while ((need = journey_state_add(s->b, s->len, ts, kind, touch, touch_len,
									 has_value, value, &cap)) != 0)
	{
		/* "a call that returns nonzero has not changed the state" */
		if (cheap)
			FUZZ_ASSERT(buf_eq(&before, s), "journey_state_add changed the state and asked to grow");
		/* the grow capacities fit the event: one regrow is enough */
		FUZZ_ASSERT(++rounds <= 2, "journey add needed %d regrows", rounds);
		journey_regrow(s, need, &cap);
		if (cheap)
		{
			buf_free(&before);
			cheap = s->len <= FUZZ_CHEAP_VALIDATE;
			if (cheap)
				before = buf_copy(s);
		}
	}
	if (before.b != NULL)
		buf_free(&before);
	if (s->len <= FUZZ_CHEAP_VALIDATE)
		journey_must_validate(s, "journey state after add");
}

static FUZZ_UNUSED void
journey_merge(Buf *d, const Buf *src)
{
	JourneyCapacity cap;
	size_t		need;
	int			rounds = 0;
	Buf			keep = buf_copy(src);
	Buf			before = buf_copy(d);

	while ((need = journey_state_merge(d->b, d->len, src->b, src->len, &cap)) != 0)
	{
		FUZZ_ASSERT(buf_eq(&before, d), "journey_state_merge changed the state and asked to grow");
		FUZZ_ASSERT(++rounds <= 2, "journey merge needed %d regrows", rounds);
		journey_regrow(d, need, &cap);
		buf_free(&before);
		before = buf_copy(d);
	}
	FUZZ_ASSERT(buf_eq(&keep, src), "journey_state_merge wrote into its source");
	buf_free(&keep);
	buf_free(&before);
	journey_must_validate(d, "journey state after merge");
}

static FUZZ_UNUSED Buf
journey_canon(const Buf *s)
{
	size_t		cap = journey_canonical_size(s->b, s->len);
	size_t		slen = journey_canonical_scratch_size(s->b, s->len);
	uint8_t    *tmp;
	void	   *scratch;
	Buf			c;
	size_t		n;

	FUZZ_ASSERT(cap >= JOURNEY_HEADER_SIZE && cap <= ((size_t) 1 << 25),
				"journey_canonical_size %zu", cap);
	FUZZ_ASSERT(slen <= ((size_t) 1 << 25), "journey_canonical_scratch_size %zu", slen);
	tmp = xmalloc(cap);
	scratch = slen ? xmalloc(slen) : NULL;
	n = journey_canonicalize(tmp, cap, s->b, s->len, scratch, slen);
	FUZZ_ASSERT(n != 0 && n <= cap, "journey_canonicalize returned %zu (cap %zu)", n, cap);
	free(scratch);
	buf_take(&c, tmp, n);
	journey_must_validate(&c, "canonical journey");
	FUZZ_ASSERT(!journey_needs_canonicalize(c.b, c.len), "canonical journey needs canonicalizing");
	FUZZ_ASSERT(journey_canonical_scratch_size(c.b, c.len) == 0, "canonical journey needs scratch");
	{
		size_t		cap2 = journey_canonical_size(c.b, c.len);
		uint8_t    *tmp2 = xmalloc(cap2);
		size_t		n2 = journey_canonicalize(tmp2, cap2, c.b, c.len, NULL, 0);

		FUZZ_ASSERT(n2 == c.len && memcmp(tmp2, c.b, n2) == 0,
					"canonicalize(canonical) changed the journey");
		free(tmp2);
	}
	return c;
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
			int64_t		window = row.touch_kind == JOURNEY_CLICK ?
				params->click_window : params->view_window;
			uint64_t	lag;

			FUZZ_ASSERT(row.touch_kind == JOURNEY_CLICK || row.touch_kind == JOURNEY_IMPRESSION,
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
