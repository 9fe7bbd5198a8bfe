/*
 * frequency_test_util.h — what the test_frequency_*.c unit tests share:
 * the frequency side (sk_*) of the generic lifecycle helper
 * (test/common/sketch_test.h), which drives the caller-allocated state
 * protocol with malloc, as the PostgreSQL glue does with palloc, giving
 * every buffer its exact size so AddressSanitizer catches any over-read; event
 * generators; and the reference model (model_canon), written
 * independently of the core: it sorts and sums the (hash, count) events
 * with qsort, takes the (k+1)-th smallest distinct hash as theta and
 * encodes the documented format with its own varint writer.  Most tests
 * compare the sketch's canonical bytes with it, so "byte for byte" claims
 * are checked against the specification, not just against the code's own
 * other paths.
 *
 * Users are int64 ids hashed with ie_hash_int64 (what the glue does for
 * bigint); different id ranges are disjoint audiences.
 */
#ifndef IMPRESSION_EXT_FREQUENCY_TEST_UTIL_H
#define IMPRESSION_EXT_FREQUENCY_TEST_UTIL_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frequency_core.h"
#include "hash.h"
#include "sketch_type.h"

/* a merge regrows at most 4 times, an add 3 (the table doubles) */
#define SKETCH_TEST_MAX_ROUNDS(t) 4
#include "unit_sketch.h"

/* fewer and smaller trials under the (much slower) sanitizers */
#ifdef UNIT_SANITIZE
#define SCALE 4
#else
#define SCALE 1
#endif

/* ---------------------------------------------------------------------
 * helpers
 * --------------------------------------------------------------------- */

static inline double
uniform01(uint64_t *rng)
{
	return (double) (splitmix64(rng) >> 11) * (1.0 / 9007199254740992.0);
}

typedef struct Ev
{
	uint64_t	hash;
	uint64_t	count;
} Ev;

static inline void
shuffle_ev(Ev *a, size_t n, uint64_t *rng)
{
	size_t		i;

	for (i = n; i > 1; i--)
	{
		size_t		j = (size_t) (splitmix64(rng) % i);
		Ev			t = a[i - 1];

		a[i - 1] = a[j];
		a[j] = t;
	}
}

static inline uint64_t
sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* a frequency: 1 + geometric(p), capped */
static inline uint64_t
draw_frequency(uint64_t *rng, double p)
{
	uint64_t	f = 1;

	while (f < 60 && uniform01(rng) > p)
		f++;
	return f;
}

/*
 * Users ids [first, first + nusers), each with a frequency drawn from
 * draw_frequency; one event per impression (count 1), shuffled.  *freq (if
 * not NULL) receives each user's frequency.
 */
static inline Ev *
make_events(int64_t first, size_t nusers, double p, uint64_t seed,
			size_t *nev, uint64_t **freq)
{
	uint64_t	rng = seed * UINT64_C(0x2545f4914f6cdd1d) + 17;
	uint64_t   *f = malloc(nusers * sizeof(uint64_t) + 8);
	size_t		total = 0;
	size_t		i;
	size_t		j = 0;
	Ev		   *ev;

	for (i = 0; i < nusers; i++)
	{
		f[i] = draw_frequency(&rng, p);
		total += f[i];
	}
	ev = malloc(total * sizeof(Ev) + 8);
	for (i = 0; i < nusers; i++)
	{
		uint64_t	h = ie_hash_int64(first + (int64_t) i);
		uint64_t	c;

		for (c = 0; c < f[i]; c++)
		{
			ev[j].hash = h;
			ev[j].count = 1;
			j++;
		}
	}
	shuffle_ev(ev, total, &rng);
	*nev = total;
	if (freq)
		*freq = f;
	else
		free(f);
	return ev;
}

typedef Buf Sk;

#define sk_merge(d, src) merge_value(&frequency_sketch_type, (d), (src))
#define sk_canon(s) canonical(&frequency_sketch_type, (s))

static inline Sk
sk_state(uint32_t k)
{
	Sk			s = state_alloc(&frequency_sketch_type);

	return state_checked(&frequency_sketch_type, s,
						 frequency_state_init(s.b, s.len, k, next_seed()));
}

static inline void
sk_add(Sk *s, uint64_t h, uint64_t c)
{
	Growth		g = growth(s, 3, 0);

	while (grow_retry(&frequency_sketch_type, s,
					  frequency_state_add(s->b, s->len, h, c), NULL, &g))
		;
}

static inline void
sk_add_all(Sk *s, const Ev *ev, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		sk_add(s, ev[i].hash, ev[i].count);
}

static inline Sk
sk_of(uint32_t k, const Ev *ev, size_t n)
{
	Sk			s = sk_state(k);
	Sk			c;

	sk_add_all(&s, ev, n);
	must_validate(&frequency_sketch_type, &s, "state");
	c = sk_canon(&s);
	buf_free(&s);
	return c;
}

/*
 * A random rollup: 1..ROLLUP_ROWS rows, each the stored (canonical)
 * sketch of one day's events, days drawn from one pool of users so that
 * audiences overlap; about one row in empty_one_in (0: none) empty, one
 * in six of a smaller k than k, and one event in 41 with a count of
 * 2^63 - 1 (so sums saturate); one event in 500 of the user hash
 * UINT64_MAX.  ev holds every event, kwant the k their union has (the
 * smallest of the non-empty rows', else of all and k: the k rule).
 */
#define ROLLUP_ROWS 20

typedef struct Rollup
{
	Ev		   *ev;
	size_t		nev;
	int			rows;
	Sk			row[ROLLUP_ROWS];
	uint32_t	kwant;
} Rollup;

static inline Rollup
make_rollup(uint64_t *rng, uint32_t k, size_t pool, unsigned empty_one_in)
{
	Rollup		r;
	uint32_t	knonempty = UINT32_MAX;
	uint32_t	kall = k;
	int			d;

	r.rows = 1 + (int) (splitmix64(rng) % ROLLUP_ROWS);
	r.ev = malloc(sizeof(Ev) * (pool + 1) * (size_t) r.rows);
	r.nev = 0;
	for (d = 0; d < r.rows; d++)
	{
		size_t		first = r.nev;
		size_t		n = empty_one_in && splitmix64(rng) % empty_one_in == 0 ? 0 :
			1 + (size_t) (splitmix64(rng) % pool);
		uint32_t	kd = splitmix64(rng) % 6 == 0 ? 16 + (uint32_t) (splitmix64(rng) % k) : k;
		size_t		i;

		for (i = 0; i < n; i++)
		{
			uint64_t	x = splitmix64(rng);

			r.ev[r.nev].hash = x % 500 == 0 ? UINT64_MAX : ie_hash_int64((int64_t) (x % pool));
			r.ev[r.nev++].count = (x >> 40) % 41 == 0 ? UINT64_MAX / 2 : 1 + (x >> 56) % 4;
		}
		r.row[d] = sk_of(kd, r.ev + first, r.nev - first);
		if (n > 0 && kd < knonempty)
			knonempty = kd;
		if (kd < kall)
			kall = kd;
	}
	r.kwant = knonempty != UINT32_MAX ? knonempty : kall;
	return r;
}

static inline void
rollup_free(Rollup *r)
{
	int			d;

	for (d = 0; d < r->rows; d++)
		buf_free(&r->row[d]);
	free(r->ev);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) |
		((uint32_t) p[3] << 24);
}

static inline uint64_t
rd64(const uint8_t *p)
{
	uint64_t	v = 0;
	int			i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline void
wr32(uint8_t *p, uint32_t v)
{
	int			i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

static inline void
wr64(uint8_t *p, uint64_t v)
{
	int			i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

/* ---------------------------------------------------------------------
 * reference model
 * --------------------------------------------------------------------- */

static inline int
cmp_ev(const void *a, const void *b)
{
	uint64_t	x = ((const Ev *) a)->hash;
	uint64_t	y = ((const Ev *) b)->hash;

	return x < y ? -1 : x > y;
}

/* events summed per (clamped) hash, sorted; returns the distinct count */
static inline size_t
aggregate(const Ev *ev, size_t n, Ev **out, uint64_t *total)
{
	Ev		   *a = malloc((n + 1) * sizeof(Ev));
	size_t		d = 0;
	size_t		i;

	*total = 0;
	for (i = 0; i < n; i++)
	{
		a[i] = ev[i];
		if (a[i].hash == UINT64_MAX)
			a[i].hash = UINT64_MAX - 1;
		*total = sat(*total, ev[i].count);
	}
	qsort(a, n, sizeof(Ev), cmp_ev);
	for (i = 0; i < n; i++)
	{
		if (d > 0 && a[d - 1].hash == a[i].hash)
			a[d - 1].count = sat(a[d - 1].count, a[i].count);
		else
			a[d++] = a[i];
	}
	*out = a;
	return d;
}

static inline size_t
model_varint(uint8_t *p, uint64_t v)
{
	size_t		n = 0;

	do
	{
		uint8_t		b = v & 0x7f;

		v >>= 7;
		p[n++] = b | (v ? 0x80 : 0);
	} while (v);
	return n;
}

/* the canonical bytes the specification says the sketch must produce */
static inline Sk
model_canon(uint32_t k, const Ev *ev, size_t n)
{
	Ev		   *a;
	uint64_t	total;
	size_t		d = aggregate(ev, n, &a, &total);
	size_t		m = d > k ? k : d;
	uint64_t	theta = d > k ? a[k].hash : UINT64_MAX;
	uint8_t    *b = malloc(28 + 20 * m + 1);
	size_t		len = 28;
	uint64_t	prev = 0;
	size_t		i;
	Sk			s;

	b[0] = 1;
	b[1] = 1;
	b[2] = 0;
	b[3] = 0;
	wr32(b + 4, k);
	wr32(b + 8, (uint32_t) m);
	wr64(b + 12, theta);
	wr64(b + 20, total);
	for (i = 0; i < m; i++)
	{
		len += model_varint(b + len, a[i].hash - prev);
		len += model_varint(b + len, a[i].count);
		prev = a[i].hash;
	}
	free(a);
	s.b = b;
	s.len = len;
	return s;
}

#endif							/* IMPRESSION_EXT_FREQUENCY_TEST_UTIL_H */
