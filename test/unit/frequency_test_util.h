/*
 * frequency_test_util.h — what the test_frequency_*.c unit tests share: a
 * tiny "glue" (sk_*) that drives the caller-allocated state protocol with
 * malloc, exactly as the PostgreSQL glue does with palloc, giving every
 * buffer its exact size so AddressSanitizer catches any over-read; event
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
#include "unit.h"

/* fewer and smaller trials under the (much slower) sanitizers */
#ifdef UNIT_SANITIZE
#define SCALE 4
#else
#define SCALE 1
#endif

static int	protocol_errors = 0;

/* ---------------------------------------------------------------------
 * helpers
 * --------------------------------------------------------------------- */

static inline uint64_t
splitmix64(uint64_t *state)
{
	uint64_t	z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

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

typedef struct Sk
{
	uint8_t    *b;
	size_t		len;
} Sk;

/*
 * The table seed of the states the tests build: fixed, so runs repeat, and
 * different from state to state, as the glue's random seeds are
 */
static uint64_t test_seed = UINT64_C(0x9E3779B97F4A7C15);

static inline uint64_t
next_seed(void)
{
	test_seed = test_seed * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return test_seed;
}

static inline Sk
sk_state(uint32_t k)
{
	Sk			s;

	s.len = frequency_state_initial_size();
	s.b = malloc(s.len);
	if (!frequency_state_init(s.b, s.len, k, next_seed()))
		protocol_errors++;
	return s;
}

static inline void
sk_free(Sk *s)
{
	free(s->b);
	s->b = NULL;
	s->len = 0;
}

static inline Sk
sk_copy(const Sk *s)
{
	Sk			c;

	c.len = s->len;
	c.b = malloc(c.len ? c.len : 1);
	memcpy(c.b, s->b, c.len);
	return c;
}

static inline void
sk_regrow(Sk *s, size_t need)
{
	uint8_t    *n = malloc(need);
	const char *msg;

	if (!frequency_state_regrow(n, need, s->b, s->len, next_seed()))
	{
		protocol_errors++;
		fprintf(stderr, "regrow to %zu failed\n", need);
	}
	else if ((msg = frequency_validate(n, need)) != NULL)
	{
		protocol_errors++;
		fprintf(stderr, "regrown state invalid: %s\n", msg);
	}
	free(s->b);
	s->b = n;
	s->len = need;
}

static inline void
sk_add(Sk *s, uint64_t h, uint64_t c)
{
	size_t		need;
	int			rounds = 0;

	while ((need = frequency_state_add(s->b, s->len, h, c)) != 0)
	{
		sk_regrow(s, need);
		if (++rounds > 3)
		{
			protocol_errors++;
			return;
		}
	}
}

static inline void
sk_add_all(Sk *s, const Ev *ev, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		sk_add(s, ev[i].hash, ev[i].count);
}

static inline void
sk_merge(Sk *d, const Sk *src)
{
	size_t		need;
	int			rounds = 0;

	while ((need = frequency_state_merge(d->b, d->len, src->b, src->len)) != 0)
	{
		sk_regrow(d, need);
		if (++rounds > 4)
		{
			protocol_errors++;
			return;
		}
	}
}

/* canonical form in an exactly-sized buffer */
static inline Sk
sk_canon(const Sk *s)
{
	size_t		cap = frequency_canonical_size(s->b, s->len);
	uint8_t    *tmp = malloc(cap);
	Sk			c;
	const char *msg;

	c.len = frequency_canonicalize(tmp, cap, s->b, s->len);
	if (c.len == 0)
		protocol_errors++;
	c.b = malloc(c.len ? c.len : 1);
	memcpy(c.b, tmp, c.len);
	free(tmp);
	if ((msg = frequency_validate(c.b, c.len)) != NULL)
	{
		protocol_errors++;
		fprintf(stderr, "canonical value invalid: %s\n", msg);
	}
	if (frequency_needs_canonicalize(c.b, c.len))
		protocol_errors++;
	return c;
}

static inline Sk
sk_of(uint32_t k, const Ev *ev, size_t n)
{
	Sk			s = sk_state(k);
	Sk			c;
	const char *msg;

	sk_add_all(&s, ev, n);
	if ((msg = frequency_validate(s.b, s.len)) != NULL)
	{
		protocol_errors++;
		fprintf(stderr, "state invalid: %s\n", msg);
	}
	c = sk_canon(&s);
	sk_free(&s);
	return c;
}

static inline int
sk_equal(const Sk *a, const Sk *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
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

/*
 * The end of a test binary's main but the one that checks them: protocol
 * errors (counted by the sk_* glue) fail the binary even there.
 */
static inline int
sk_report(const char *name)
{
	if (protocol_errors != 0)
	{
		unit_failed++;
		fprintf(stderr, "FAIL %s: %d protocol errors\n", name, protocol_errors);
	}
	return unit_report(name);
}

#endif							/* IMPRESSION_EXT_FREQUENCY_TEST_UTIL_H */
