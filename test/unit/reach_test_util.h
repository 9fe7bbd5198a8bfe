/*
 * reach_test_util.h — what the reach_sketch unit tests (test_reach*.c)
 * share: hash streams, and the reach side (sk_*) of the generic lifecycle
 * helper (test/common/sketch_test.h), which drives the caller-allocated
 * state protocol with malloc, as the PostgreSQL glue does with palloc,
 * giving every buffer its exact size so AddressSanitizer catches any
 * over-read.
 *
 * Hash streams come from splitmix64 over a counter: a bijection, so a
 * stream of n outputs is n distinct 64-bit hashes.
 *
 * Protocol slips (a failed regrow, an invalid state or canonical value)
 * are counted in protocol_errors, which each test checks at its end.
 * Everything is static inline so that a test file may use any part.
 */
#ifndef IMPRESSION_EXT_REACH_TEST_UTIL_H
#define IMPRESSION_EXT_REACH_TEST_UTIL_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "reach_core.h"
#include "sketch_type.h"

/*
 * Packed canonical values also expand and pack back to the same bytes;
 * an add or merge regrows at most 40 times (sparse capacities double).
 */
struct Buf;
static inline void reach_check_canonical(const struct Buf *c);

#define SKETCH_TEST_CHECK_CANONICAL(t, s, c) reach_check_canonical(c)
#define SKETCH_TEST_MAX_ROUNDS(t) 40
#include "unit_sketch.h"

/* fewer trials under the (much slower) sanitizers */
#ifdef UNIT_SANITIZE
#define TRIAL_SCALE 4
#else
#define TRIAL_SCALE 1
#endif

/* ---------------------------------------------------------------------
 * helpers
 * --------------------------------------------------------------------- */

/* qsort's order of uint32 values (model token arrays) */
static inline int
cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *) a;
	uint32_t	y = *(const uint32_t *) b;

	return x < y ? -1 : x > y;
}

/* n distinct hashes of stream `seed` */
static inline uint64_t *
stream(uint64_t seed, size_t n)
{
	uint64_t   *h = malloc(n * sizeof(uint64_t) + 1);
	uint64_t	st = seed * UINT64_C(0x632be59bd9b4e019);
	size_t		i;

	for (i = 0; i < n; i++)
		h[i] = splitmix64(&st);
	return h;
}

static inline void
shuffle(uint64_t *a, size_t n, uint64_t *rng)
{
	size_t		i;

	for (i = n; i > 1; i--)
	{
		size_t		j = (size_t) (splitmix64(rng) % i);
		uint64_t	t = a[i - 1];

		a[i - 1] = a[j];
		a[j] = t;
	}
}

typedef Buf Sk;

#define sk_merge(d, src) merge_value(&reach_sketch_type, (d), (src))
#define sk_canon(s) canonical(&reach_sketch_type, (s))

static inline Sk
sk_state(int p)
{
	Sk			s = state_alloc(&reach_sketch_type);

	return state_checked(&reach_sketch_type, s, reach_state_init(s.b, s.len, p));
}

static inline void
sk_add(Sk *s, uint64_t h)
{
	Growth		g = growth(s, SKETCH_TEST_MAX_ROUNDS(&reach_sketch_type), 0);

	while (grow_retry(&reach_sketch_type, s, reach_state_add(s->b, s->len, h), NULL, &g))
		;
}

static inline void
sk_add_all(Sk *s, const uint64_t *h, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		sk_add(s, h[i]);
}

static inline void
reach_check_canonical(const Sk *c)
{
	if (c->b[2] == REACH_REP_DENSE_PACKED)
	{
		/* packed canonical forms expand and pack back to the same bytes */
		size_t		el = reach_expanded_size(c->b, c->len);
		uint8_t    *e = xmalloc(el);
		uint8_t    *back = xmalloc(el);

		if (el != 8 + ((size_t) 1 << c->b[1]) || !reach_expand(e, el, c->b, c->len) ||
			reach_validate(e, el) != NULL || e[2] != REACH_REP_DENSE || e[3] != c->b[3] ||
			!reach_needs_canonicalize(e, el) ||
			reach_canonicalize(back, el, e, el) != c->len || memcmp(back, c->b, c->len) != 0)
			SKETCH_TEST_FAIL("packed canonical value does not round-trip");
		free(back);
		free(e);
	}
}

/* DENSE or DENSE_PACKED */
static inline int
sk_is_dense(const Sk *s)
{
	return s->b[2] == REACH_REP_DENSE || s->b[2] == REACH_REP_DENSE_PACKED;
}

/* the expanded form (raw DENSE registers for a packed value), exact size */
static inline Sk
sk_raw(const Sk *s)
{
	Sk			r;

	r.len = reach_expanded_size(s->b, s->len);
	r.b = malloc(r.len ? r.len : 1);
	if (!reach_expand(r.b, r.len, s->b, s->len))
		SKETCH_TEST_FAIL("expand failed");
	else
		must_validate(&reach_sketch_type, &r, "expanded value");
	return r;
}

static inline Sk
sk_of(int p, const uint64_t *h, size_t n)
{
	Sk			s = sk_state(p);
	Sk			c;

	sk_add_all(&s, h, n);
	c = sk_canon(&s);
	buf_free(&s);
	return c;
}

static inline double
sk_estimate(const Sk *s)
{
	return reach_estimate(s->b, s->len);
}

/*
 * Independent model of the dense registers: the full set of values seen
 * per register, then the top three positions packed by hand.  Hash 0 sets
 * no register (postgresql-hll's rule for its register modes).
 */
static inline uint8_t *
model_registers(int p, const uint64_t *h, size_t n, int hll_only)
{
	size_t		m = (size_t) 1 << p;
	uint64_t   *seen = calloc(m, sizeof(uint64_t));
	uint8_t    *regs = malloc(m);
	size_t		i;

	for (i = 0; i < n; i++)
	{
		size_t		idx = (size_t) (h[i] & (m - 1));
		uint64_t	rest = h[i] >> p;
		int			u = 1;

		if (h[i] == 0)
			continue;
		if (rest == 0)
			u = 65 - p;
		else
			while ((rest & 1) == 0)
			{
				rest >>= 1;
				u++;
			}
		seen[idx] |= UINT64_C(1) << u;
	}
	for (i = 0; i < m; i++)
	{
		int			u = 63;
		int			hb = 0;

		if (seen[i] == 0)
		{
			regs[i] = 0;
			continue;
		}
		while (!((seen[i] >> u) & 1))
			u--;
		if (!hll_only)
		{
			if (u >= 2 && ((seen[i] >> (u - 1)) & 1))
				hb |= 2;
			if (u >= 3 && ((seen[i] >> (u - 2)) & 1))
				hb |= 1;
		}
		regs[i] = (uint8_t) ((u << 2) | hb);
	}
	free(seen);
	return regs;
}

static inline int
hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t		n = strlen(hex) / 2;
	size_t		i;

	if (n > cap)
		return -1;
	for (i = 0; i < n; i++)
	{
		unsigned	v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t) v;
	}
	return (int) n;
}

static inline uint64_t *
int_hashes(int64_t from, int64_t to)
{
	uint64_t   *h = malloc(sizeof(uint64_t) * (size_t) (to - from + 1));
	int64_t		v;

	for (v = from; v <= to; v++)
		h[v - from] = ie_hash_int64(v);
	return h;
}

/* postgresql-hll import and export in exactly-sized buffers */
static inline Sk
sk_from_hll(const uint8_t *hll, size_t len)
{
	Sk			s;
	size_t		cap = reach_from_hll_size(hll, len);
	uint8_t    *tmp = malloc(cap ? cap : 1);

	s.len = reach_from_hll(tmp, cap, hll, len);
	s.b = malloc(s.len ? s.len : 1);
	memcpy(s.b, tmp, s.len);
	free(tmp);
	return s;
}

static inline uint8_t *
sk_to_hll(const Sk *s, size_t *len, int log2m)
{
	size_t		cap = reach_to_hll_size(s->b, s->len, log2m);
	uint8_t    *tmp = malloc(cap);
	uint8_t    *out;

	*len = reach_to_hll(tmp, cap, s->b, s->len, log2m);
	out = malloc(*len);
	memcpy(out, tmp, *len);
	free(tmp);
	return out;
}

/* u parts of a dense sketch, capped */
static inline int
same_u(const Sk *a, const Sk *b, unsigned cap)
{
	size_t		m;
	size_t		i;

	Sk			ra;
	Sk			rb;
	int			same = 1;

	if (!sk_is_dense(a) || !sk_is_dense(b) || a->b[1] != b->b[1])
		return 0;
	ra = sk_raw(a);
	rb = sk_raw(b);
	m = (size_t) 1 << a->b[1];
	for (i = 0; i < m; i++)
	{
		unsigned	ua = ra.b[8 + i] >> 2;
		unsigned	ub = rb.b[8 + i] >> 2;

		if ((ua < cap ? ua : cap) != (ub < cap ? ub : cap))
			same = 0;
	}
	buf_free(&ra);
	buf_free(&rb);
	return same;
}

/* exact-size copies so AddressSanitizer sees any over-read */
static inline uint8_t *
dup(const uint8_t *b, size_t len)
{
	uint8_t    *c = malloc(len ? len : 1);

	memcpy(c, b, len);
	return c;
}

/* reach_validate on an exact-size copy; the message outlives the copy */
static inline const char *
validate_copy(const uint8_t *b, size_t len)
{
	static char keep[300];
	uint8_t    *c = dup(b, len);
	const char *m = reach_validate(c, len);

	if (m)
		snprintf(keep, sizeof(keep), "%s", m);
	free(c);
	return m ? keep : NULL;
}

#endif							/* IMPRESSION_EXT_REACH_TEST_UTIL_H */
