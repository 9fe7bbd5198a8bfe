/*
 * test_frequency.c — unit tests of src/core/frequency_core.c
 * (frequency_sketch).
 *
 * A tiny "glue" below (sk_*) drives the caller-allocated state protocol
 * with malloc, exactly as the PostgreSQL glue does with palloc, and gives
 * every buffer its exact size so AddressSanitizer catches any over-read.
 *
 * The reference model (model_canon) is written independently of the core:
 * it sorts and sums the (hash, count) events with qsort, takes the
 * (k+1)-th smallest distinct hash as theta and encodes the documented
 * format with its own varint writer.  Most tests compare the sketch's
 * canonical bytes with it, so "byte for byte" claims are checked against
 * the specification, not just against the code's own other paths.
 *
 * Users are int64 ids hashed with ie_hash_int64 (what the glue does for
 * bigint); different id ranges are disjoint audiences.
 */
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

static uint64_t
splitmix64(uint64_t *state)
{
	uint64_t	z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static double
uniform01(uint64_t *rng)
{
	return (double) (splitmix64(rng) >> 11) * (1.0 / 9007199254740992.0);
}

typedef struct Ev
{
	uint64_t	hash;
	uint64_t	count;
} Ev;

static void
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

static uint64_t
sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* a frequency: 1 + geometric(p), capped */
static uint64_t
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
static Ev *
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

static uint64_t
next_seed(void)
{
	test_seed = test_seed * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return test_seed;
}

static Sk
sk_state(uint32_t k)
{
	Sk			s;

	s.len = frequency_state_initial_size();
	s.b = malloc(s.len);
	if (!frequency_state_init(s.b, s.len, k, next_seed()))
		protocol_errors++;
	return s;
}

static void
sk_free(Sk *s)
{
	free(s->b);
	s->b = NULL;
	s->len = 0;
}

static Sk
sk_copy(const Sk *s)
{
	Sk			c;

	c.len = s->len;
	c.b = malloc(c.len ? c.len : 1);
	memcpy(c.b, s->b, c.len);
	return c;
}

static void
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

static void
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

static void
sk_add_all(Sk *s, const Ev *ev, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		sk_add(s, ev[i].hash, ev[i].count);
}

static void
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
static Sk
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

static Sk
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

static int
sk_equal(const Sk *a, const Sk *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t) p[0] | ((uint32_t) p[1] << 8) | ((uint32_t) p[2] << 16) |
		((uint32_t) p[3] << 24);
}

static uint64_t
rd64(const uint8_t *p)
{
	uint64_t	v = 0;
	int			i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void
wr32(uint8_t *p, uint32_t v)
{
	int			i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

static void
wr64(uint8_t *p, uint64_t v)
{
	int			i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t) (v >> (8 * i));
}

/* ---------------------------------------------------------------------
 * reference model
 * --------------------------------------------------------------------- */

static int
cmp_ev(const void *a, const void *b)
{
	uint64_t	x = ((const Ev *) a)->hash;
	uint64_t	y = ((const Ev *) b)->hash;

	return x < y ? -1 : x > y;
}

/* events summed per (clamped) hash, sorted; returns the distinct count */
static size_t
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

static size_t
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
static Sk
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

/* ---------------------------------------------------------------------
 * exact mode
 * --------------------------------------------------------------------- */

static void
test_exact_mode(void)
{
	uint32_t	ks[] = {16, 100, 4096};
	int			t;

	for (t = 0; t < 3; t++)
	{
		uint32_t	k = ks[t];
		size_t		nusers = k;
		size_t		nev;
		uint64_t   *freq;
		Ev		   *ev = make_events(1000, nusers, 0.3, 11 + t, &nev, &freq);
		Sk			s = sk_of(k, ev, nev);
		Sk			m = model_canon(k, ev, nev);
		FrequencyBucket hist[12];
		uint64_t	want[13];
		uint64_t	impressions = 0;
		size_t		i;
		int			ok;
		uint64_t	f;

		CHECK(sk_equal(&s, &m), "k=%u exact: canonical bytes equal the model", k);
		CHECK(frequency_reach(s.b, s.len) == (double) nusers,
			  "k=%u exact reach %.1f", k, frequency_reach(s.b, s.len));
		memset(want, 0, sizeof(want));
		for (i = 0; i < nusers; i++)
		{
			want[freq[i] < 12 ? freq[i] : 12]++;
			impressions += freq[i];
		}
		CHECK(frequency_impressions(s.b, s.len) == impressions,
			  "k=%u impressions %llu", k, (unsigned long long) impressions);
		CHECK(fabs(frequency_average(s.b, s.len) - (double) impressions / nusers) < 1e-12,
			  "k=%u average frequency", k);
		CHECK(frequency_histogram(s.b, s.len, 12, hist), "histogram");
		ok = 1;
		for (f = 1; f <= 12; f++)
		{
			uint64_t	atleast = 0;

			for (i = 0; i < nusers; i++)
				if (freq[i] >= f)
					atleast++;
			if (hist[f - 1].frequency != f || hist[f - 1].users != want[f] ||
				hist[f - 1].reach != (double) want[f] ||
				hist[f - 1].reach_rounded != (int64_t) want[f] ||
				hist[f - 1].users_at_least != atleast ||
				hist[f - 1].reach_at_least_rounded != (int64_t) atleast ||
				hist[f - 1].standard_error != 0 ||
				fabs(hist[f - 1].share - (double) want[f] / nusers) > 1e-15 ||
				frequency_reach_at_least(s.b, s.len, f) != (double) atleast)
				ok = 0;
		}
		CHECK(ok, "k=%u exact histogram and reach_at_least equal brute force", k);
		CHECK(frequency_reach_at_least(s.b, s.len, 1000) == 0, "nobody at 1000+");
		CHECK(frequency_reach_at_least(s.b, s.len, 0) == (double) nusers, "0+ is everyone");
		sk_free(&s);
		sk_free(&m);
		free(ev);
		free(freq);
	}
}

/* exactly k users stay exact; k + 1 users sample with theta = hash k+1 */
static void
test_boundary(void)
{
	uint32_t	k = 64;
	size_t		nev;
	Ev		   *ev = make_events(5, k + 1, 0.5, 3, &nev, NULL);
	Ev		   *agg;
	uint64_t	total;
	size_t		d = aggregate(ev, nev, &agg, &total);
	Ev		   *sub = malloc(nev * sizeof(Ev));

	CHECK(d == k + 1, "k + 1 distinct users (%zu)", d);
	size_t		nsub = 0;
	size_t		i;
	Sk			a;
	Sk			b;
	FrequencyInfo info;

	/* the k users with the smallest hashes only: exact */
	for (i = 0; i < nev; i++)
		if (ev[i].hash < agg[k].hash)
			sub[nsub++] = ev[i];
	a = sk_of(k, sub, nsub);
	frequency_get_info(a.b, a.len, &info);
	CHECK(info.exact && info.entries == k && info.theta == UINT64_MAX &&
		  frequency_reach(a.b, a.len) == k, "k users: exact");

	b = sk_of(k, ev, nev);
	frequency_get_info(b.b, b.len, &info);
	CHECK(!info.exact && info.entries == k && info.theta == agg[k].hash,
		  "k+1 users: sampling, theta is the (k+1)-th hash");
	CHECK(info.impressions == total && total > info.entries, "total kept");
	CHECK(fabs(frequency_reach(b.b, b.len) - k / ldexp((double) agg[k].hash, -64)) < 1e-6,
		  "reach = k / theta");
	sk_free(&a);
	sk_free(&b);
	free(sub);
	free(agg);
	free(ev);
}

/* ---------------------------------------------------------------------
 * the canonical form against the model, sampling included
 * --------------------------------------------------------------------- */

static void
test_model(void)
{
	struct
	{
		uint32_t	k;
		size_t		users;
	}			cases[] = {
		{16, 17}, {16, 1000}, {16, 100000}, {100, 150}, {100, 151}, {100, 5000},
		{1000, 1499}, {1000, 1500}, {1000, 1501}, {1000, 60000},
		{4096, 4096}, {4096, 6144}, {4096, 6145}, {4096, 200000}, {65536, 150000},
	};
	int			t;

	for (t = 0; t < (int) (sizeof(cases) / sizeof(cases[0])); t++)
	{
		size_t		nev;
		size_t		users = cases[t].users / (cases[t].users > 20000 ? SCALE : 1);
		Ev		   *ev = make_events(t * 1000000, users, 0.4, 100 + t, &nev, NULL);
		Sk			s = sk_of(cases[t].k, ev, nev);
		Sk			m = model_canon(cases[t].k, ev, nev);

		CHECK(sk_equal(&s, &m), "k=%u users=%zu: canonical bytes equal the model (len %zu vs %zu)",
			  cases[t].k, users, s.len, m.len);
		sk_free(&s);
		sk_free(&m);
		free(ev);
	}
	CHECK(protocol_errors == 0, "protocol errors %d", protocol_errors);
}

/* ---------------------------------------------------------------------
 * determinism: order, pre-aggregation, splits and merges
 * --------------------------------------------------------------------- */

static void
test_order_and_preaggregation(void)
{
	uint32_t	ks[] = {16, 1024};
	int			t;

	for (t = 0; t < 2; t++)
	{
		uint32_t	k = ks[t];
		size_t		nev;
		Ev		   *ev = make_events(77, 20000 / SCALE, 0.3, 500 + t, &nev, NULL);
		Sk			ref = sk_of(k, ev, nev);
		Ev		   *agg;
		uint64_t	total;
		size_t		d = aggregate(ev, nev, &agg, &total);
		uint64_t	rng = 99;
		int			r;
		Sk			s;
		int			same = 1;

		for (r = 0; r < 3; r++)
		{
			shuffle_ev(ev, nev, &rng);
			s = sk_of(k, ev, nev);
			same &= sk_equal(&s, &ref);
			sk_free(&s);
		}
		CHECK(same, "k=%u: shuffled rows give the same bytes", k);

		/* sorted ascending and descending: worst cases for rebuilds */
		qsort(ev, nev, sizeof(Ev), cmp_ev);
		s = sk_of(k, ev, nev);
		CHECK(sk_equal(&s, &ref), "k=%u: ascending hash order", k);
		sk_free(&s);
		{
			size_t		i;

			for (i = 0; i < nev / 2; i++)
			{
				Ev			x = ev[i];

				ev[i] = ev[nev - 1 - i];
				ev[nev - 1 - i] = x;
			}
		}
		s = sk_of(k, ev, nev);
		CHECK(sk_equal(&s, &ref), "k=%u: descending hash order", k);
		sk_free(&s);

		/* (user, n) pre-aggregated = n single rows */
		shuffle_ev(agg, d, &rng);
		s = sk_of(k, agg, d);
		CHECK(sk_equal(&s, &ref), "k=%u: pre-aggregated counts give the same bytes", k);
		sk_free(&s);

		/* partly pre-aggregated: each user's count split in two rows */
		{
			Ev		   *two = malloc(2 * d * sizeof(Ev));
			size_t		n2 = 0;
			size_t		i;

			for (i = 0; i < d; i++)
			{
				if (agg[i].count > 1)
				{
					two[n2].hash = agg[i].hash;
					two[n2++].count = agg[i].count / 2;
					two[n2].hash = agg[i].hash;
					two[n2++].count = agg[i].count - agg[i].count / 2;
				}
				else
					two[n2++] = agg[i];
			}
			shuffle_ev(two, n2, &rng);
			s = sk_of(k, two, n2);
			CHECK(sk_equal(&s, &ref), "k=%u: counts split across rows", k);
			sk_free(&s);
			free(two);
		}
		sk_free(&ref);
		free(agg);
		free(ev);
	}
}

/* merge the sketches in parts[] left to right into a fresh state */
static Sk
merge_all(uint32_t k, Sk *parts, int n, const int *order)
{
	Sk			st = sk_state(k);
	Sk			c;
	int			i;

	for (i = 0; i < n; i++)
		sk_merge(&st, &parts[order ? order[i] : i]);
	c = sk_canon(&st);
	sk_free(&st);
	return c;
}

/*
 * Events split by "day" (users overlap across days); the union of the
 * daily sketches, in any order and grouping, equals the sketch of all the
 * events, and equals the model.
 */
static void
test_union_of_days(void)
{
	uint32_t	ks[] = {64, 1024, 4096};
	int			t;

	for (t = 0; t < 3; t++)
	{
		uint32_t	k = ks[t];
		enum
		{
			DAYS = 7
		};
		size_t		nev;
		Ev		   *ev = make_events(300000, 30000 / SCALE, 0.25, 900 + t, &nev, NULL);
		Ev		   *day[DAYS];
		size_t		dn[DAYS];
		Sk			daily[DAYS];
		Sk			states[DAYS];
		Sk			all = sk_of(k, ev, nev);
		Sk			model = model_canon(k, ev, nev);
		uint64_t	rng = 4242 + t;
		int			order[DAYS];
		size_t		i;
		int			d;
		Sk			u;

		CHECK(sk_equal(&all, &model), "k=%u: raw events equal the model", k);
		for (d = 0; d < DAYS; d++)
		{
			day[d] = malloc(nev * sizeof(Ev));
			dn[d] = 0;
		}
		for (i = 0; i < nev; i++)
		{
			d = (int) (splitmix64(&rng) % DAYS);
			day[d][dn[d]++] = ev[i];
		}
		for (d = 0; d < DAYS; d++)
		{
			daily[d] = sk_of(k, day[d], dn[d]);
			states[d] = sk_state(k);
			sk_add_all(&states[d], day[d], dn[d]);
			order[d] = DAYS - 1 - d;
		}

		u = merge_all(k, daily, DAYS, NULL);
		CHECK(sk_equal(&u, &all), "k=%u: union of daily sketches = sketch of the events", k);
		sk_free(&u);
		u = merge_all(k, daily, DAYS, order);
		CHECK(sk_equal(&u, &all), "k=%u: reverse order", k);
		sk_free(&u);

		/* partial states (parallel workers) merged as states */
		u = merge_all(k, states, DAYS, order);
		CHECK(sk_equal(&u, &all), "k=%u: union of un-canonicalized states", k);
		sk_free(&u);

		/* a tree: ((0 1) (2 3)) ((4 5) 6), mixing states and canonicals */
		{
			Sk			a = sk_copy(&states[0]);
			Sk			b = sk_copy(&daily[2]);	/* canonical as a state */
			Sk			c = sk_state(k);
			Sk			ca;

			sk_merge(&a, &daily[1]);
			sk_merge(&b, &states[3]);
			sk_merge(&c, &daily[4]);
			sk_merge(&c, &states[5]);
			sk_merge(&c, &daily[6]);
			sk_merge(&a, &b);
			ca = sk_canon(&c);
			sk_merge(&a, &ca);
			u = sk_canon(&a);
			CHECK(sk_equal(&u, &all), "k=%u: tree of merges mixing representations", k);
			sk_free(&u);
			sk_free(&a);
			sk_free(&b);
			sk_free(&c);
			sk_free(&ca);
		}

		/* merging into the state of a day that is still receiving rows */
		{
			Sk			s = sk_state(k);

			sk_add_all(&s, day[0], dn[0] / 2);
			for (d = 1; d < DAYS; d++)
				sk_merge(&s, &daily[d]);
			sk_add_all(&s, day[0] + dn[0] / 2, dn[0] - dn[0] / 2);
			u = sk_canon(&s);
			CHECK(sk_equal(&u, &all), "k=%u: rows added after merges", k);
			sk_free(&u);
			sk_free(&s);
		}

		for (d = 0; d < DAYS; d++)
		{
			sk_free(&daily[d]);
			sk_free(&states[d]);
			free(day[d]);
		}
		sk_free(&all);
		sk_free(&model);
		free(ev);
	}
	CHECK(protocol_errors == 0, "protocol errors %d", protocol_errors);
}

/*
 * Randomised: small k, heavy repeats, huge counts, random splits into
 * parts of different k (some empty), merged in random order, each part
 * as a state or canonical; the result must be the model at the smallest
 * k among the non-empty parts.
 */
static void
test_random_splits(void)
{
	uint64_t	rng = 777;
	int			trial;
	int			bad = 0;
	int			trials = 400 / SCALE;

	for (trial = 0; trial < trials; trial++)
	{
		size_t		nusers = 1 + (size_t) (splitmix64(&rng) % 400);
		size_t		nev = (size_t) (splitmix64(&rng) % 2000);
		int			nparts = 1 + (int) (splitmix64(&rng) % 5);
		Ev		   *ev = malloc((nev + 1) * sizeof(Ev));
		Ev		   *part[5];
		size_t		pn[5];
		uint32_t	pk[5];
		Sk			ps[5];
		uint32_t	kfresh = 16 + (uint32_t) (splitmix64(&rng) % 50);
		uint32_t	kmin_nonempty = UINT32_MAX;
		uint32_t	kmin_all = kfresh;
		uint32_t	kwant;
		size_t		i;
		int			p;
		Sk			st;
		Sk			got;
		Sk			want;

		for (i = 0; i < nev; i++)
		{
			uint64_t	r = splitmix64(&rng);

			ev[i].hash = ie_hash_int64((int64_t) (r % nusers));
			ev[i].count = (r >> 40) % 97 == 0 ? UINT64_MAX / 3 : 1 + (r >> 50) % 4;
		}
		for (p = 0; p < nparts; p++)
		{
			part[p] = malloc((nev + 1) * sizeof(Ev));
			pn[p] = 0;
			pk[p] = 16 + (uint32_t) (splitmix64(&rng) % 50);
		}
		for (i = 0; i < nev; i++)
		{
			p = (int) (splitmix64(&rng) % nparts);
			part[p][pn[p]++] = ev[i];
		}
		for (p = 0; p < nparts; p++)
		{
			if (splitmix64(&rng) & 1)
				ps[p] = sk_of(pk[p], part[p], pn[p]);
			else
			{
				ps[p] = sk_state(pk[p]);
				sk_add_all(&ps[p], part[p], pn[p]);
			}
			if (pn[p] > 0 && pk[p] < kmin_nonempty)
				kmin_nonempty = pk[p];
			if (pk[p] < kmin_all)
				kmin_all = pk[p];
		}
		kwant = kmin_nonempty != UINT32_MAX ? kmin_nonempty : kmin_all;
		st = sk_state(kfresh);
		for (p = nparts; p > 0; p--)
		{
			int			j = (int) (splitmix64(&rng) % p);
			Sk			t = ps[j];

			sk_merge(&st, &ps[j]);
			ps[j] = ps[p - 1];
			ps[p - 1] = t;
		}
		got = sk_canon(&st);
		want = model_canon(kwant, ev, nev);
		if (!sk_equal(&got, &want))
		{
			if (bad++ < 5)
				fprintf(stderr, "trial %d: k %u, %zu users, %zu events, %d parts: %zu vs %zu bytes\n",
						trial, kwant, nusers, nev, nparts, got.len, want.len);
		}
		sk_free(&st);
		sk_free(&got);
		sk_free(&want);
		for (p = 0; p < nparts; p++)
		{
			sk_free(&ps[p]);
			free(part[p]);
		}
		free(ev);
	}
	CHECK(bad == 0, "%d of %d random split/merge trials differ from the model", bad, trials);
	CHECK(protocol_errors == 0, "protocol errors %d", protocol_errors);
}

/* merges across k: the smaller k wins, except for empty values */
static void
test_merge_k(void)
{
	size_t		na;
	size_t		nb;
	Ev		   *a = make_events(0, 5000, 0.3, 61, &na, NULL);
	Ev		   *b = make_events(3000, 5000, 0.3, 62, &nb, NULL);
	Ev		   *ab = malloc((na + nb) * sizeof(Ev));
	Sk			a1024;
	Sk			b256;
	Sk			want;
	Sk			u;
	Sk			parts[2];
	uint8_t		empty[FREQUENCY_HEADER_SIZE];
	Sk			e;
	Sk			st;

	memcpy(ab, a, na * sizeof(Ev));
	memcpy(ab + na, b, nb * sizeof(Ev));
	a1024 = sk_of(1024, a, na);
	b256 = sk_of(256, b, nb);
	want = model_canon(256, ab, na + nb);

	parts[0] = a1024;
	parts[1] = b256;
	u = merge_all(4096, parts, 2, NULL);
	CHECK(sk_equal(&u, &want), "k 1024 + k 256 = sketch of the union at k 256");
	sk_free(&u);
	parts[0] = b256;
	parts[1] = a1024;
	u = merge_all(4096, parts, 2, NULL);
	CHECK(sk_equal(&u, &want), "k 256 + k 1024, other order");
	sk_free(&u);

	/* a large k state with many entries shrinks when k drops */
	{
		Sk			big = sk_state(65536);
		Sk			small;

		sk_add_all(&big, ab, na + nb);
		sk_merge(&big, &b256);
		CHECK(big.len <= 36 + 16 * 512, "state shrank to the table for k 256 (%zu bytes)", big.len);
		small = sk_canon(&big);
		/* b's events were added twice: compare with that */
		{
			Ev		   *abb = malloc((na + 2 * nb) * sizeof(Ev));
			Sk			w;

			memcpy(abb, ab, (na + nb) * sizeof(Ev));
			memcpy(abb + na + nb, b, nb * sizeof(Ev));
			w = model_canon(256, abb, na + 2 * nb);
			CHECK(sk_equal(&small, &w), "exact state at k 65536 merged with k 256");
			sk_free(&w);
			free(abb);
		}
		sk_free(&small);
		sk_free(&big);
	}

	/* empty values do not lower k; between empties the smaller wins */
	CHECK(frequency_init_empty(empty, sizeof(empty), 16), "empty k 16");
	e.b = empty;
	e.len = sizeof(empty);
	parts[0] = e;
	parts[1] = a1024;
	u = merge_all(4096, parts, 2, NULL);
	CHECK(sk_equal(&u, &a1024), "empty (k 16) + k 1024 = the k 1024 value");
	sk_free(&u);
	parts[0] = a1024;
	parts[1] = e;
	u = merge_all(4096, parts, 2, NULL);
	CHECK(sk_equal(&u, &a1024), "k 1024 + empty (k 16) = the k 1024 value");
	sk_free(&u);
	st = sk_state(4096);
	sk_merge(&st, &e);
	u = sk_canon(&st);
	CHECK(u.len == 28 && rd32(u.b + 4) == 16 && rd32(u.b + 8) == 0 &&
		  rd64(u.b + 12) == UINT64_MAX && rd64(u.b + 20) == 0,
		  "empty 4096 + empty 16 = empty 16");
	CHECK(frequency_reach(u.b, u.len) == 0 && isnan(frequency_average(u.b, u.len)),
		  "empty: reach 0, average NAN");
	sk_free(&u);
	sk_free(&st);

	sk_free(&a1024);
	sk_free(&b256);
	sk_free(&want);
	free(a);
	free(b);
	free(ab);
}

/* ---------------------------------------------------------------------
 * accuracy when sampling
 * --------------------------------------------------------------------- */

static void
test_accuracy(uint32_t k, size_t nusers, int seeds)
{
	double		sq_reach = 0;
	double		sq_3plus = 0;
	double		worst_share = 0;
	double		worst_reach = 0;
	double		worst_3plus = 0;
	double		theory_3plus = 0;
	int			s;

	for (s = 1; s <= seeds; s++)
	{
		size_t		nev;
		uint64_t   *freq;
		Ev		   *ev = make_events((int64_t) s * 10000000, nusers, 0.3, s * 7 + k,
									 &nev, &freq);
		Sk			sk = sk_of(k, ev, nev);
		FrequencyBucket hist[10];
		uint64_t	truth[11];
		uint64_t	plus3 = 0;
		double		reach = frequency_reach(sk.b, sk.len);
		double		r3 = frequency_reach_at_least(sk.b, sk.len, 3);
		double		e_reach = reach / nusers - 1;
		double		e_3;
		size_t		i;
		int			b;
		double		share_tol = k >= 4096 ? 0.02 : 0;

		memset(truth, 0, sizeof(truth));
		for (i = 0; i < nusers; i++)
		{
			truth[freq[i] < 10 ? freq[i] : 10]++;
			if (freq[i] >= 3)
				plus3++;
		}
		e_3 = r3 / plus3 - 1;
		theory_3plus = 1 / sqrt((double) k * plus3 / nusers);
		CHECK(fabs(e_reach) < 3 / sqrt((double) k),
			  "k=%u users=%zu seed %d: reach error %.4f within 3/sqrt(k)", k, nusers, s, e_reach);
		if (k >= 4096)
			CHECK(fabs(e_3) < 0.05, "k=%u users=%zu seed %d: 3+ reach error %.4f within 5%%",
				  k, nusers, s, e_3);
		else
			CHECK(fabs(e_3) < 4 * theory_3plus,
				  "k=%u users=%zu seed %d: 3+ reach error %.4f within 4 sigma (%.4f)",
				  k, nusers, s, e_3, 4 * theory_3plus);
		frequency_histogram(sk.b, sk.len, 10, hist);
		for (b = 1; b <= 10; b++)
		{
			double		p = (double) truth[b] / nusers;
			double		err = hist[b - 1].share - p;
			double		tol = share_tol > 0 ? share_tol : 4 * sqrt(p * (1 - p) / k);

			CHECK(fabs(err) < tol, "k=%u seed %d: share of bucket %d off by %.4f (tolerance %.4f)",
				  k, s, b, err, tol);
			if (fabs(err) > worst_share)
				worst_share = fabs(err);
		}
		sq_reach += e_reach * e_reach;
		sq_3plus += e_3 * e_3;
		if (fabs(e_reach) > worst_reach)
			worst_reach = fabs(e_reach);
		if (fabs(e_3) > worst_3plus)
			worst_3plus = fabs(e_3);
		sk_free(&sk);
		free(ev);
		free(freq);
	}
	/* the RMSE over the seeds, against theory (loose: few seeds) */
	CHECK(sqrt(sq_reach / seeds) < 2 / sqrt((double) k - 1),
		  "k=%u: reach RMSE %.4f vs 1/sqrt(k-1) %.4f", k, sqrt(sq_reach / seeds),
		  1 / sqrt((double) k - 1));
	CHECK(sqrt(sq_3plus / seeds) < 2 * theory_3plus,
		  "k=%u: 3+ RMSE %.4f vs theory %.4f", k, sqrt(sq_3plus / seeds), theory_3plus);
	printf("accuracy k=%u users=%zu seeds=%d: reach RMSE %.4f (1/sqrt(k-1) %.4f, worst %.4f), "
		   "3+ RMSE %.4f (theory %.4f, worst %.4f), worst share error %.2f pp\n",
		   k, nusers, seeds, sqrt(sq_reach / seeds), 1 / sqrt((double) k - 1), worst_reach,
		   sqrt(sq_3plus / seeds), theory_3plus, worst_3plus, 100 * worst_share);
}

/* ---------------------------------------------------------------------
 * intersection and difference
 * --------------------------------------------------------------------- */

static void
test_set_operations(void)
{
	size_t		na;
	size_t		nb;
	size_t		nc;
	Ev		   *a = make_events(0, 3000, 0.5, 1, &na, NULL);
	Ev		   *b = make_events(1000, 3000, 0.5, 2, &nb, NULL);	/* overlap 2000 */
	Ev		   *c = make_events(50000, 2000, 0.5, 3, &nc, NULL);	/* disjoint */
	Sk			sa = sk_of(4096, a, na);
	Sk			sb = sk_of(4096, b, nb);
	Sk			sc = sk_of(4096, c, nc);
	Sk			empty;

	CHECK(frequency_intersection(sa.b, sa.len, sb.b, sb.len) == 2000, "exact intersection");
	CHECK(frequency_intersection(sb.b, sb.len, sa.b, sa.len) == 2000, "exact intersection, swapped");
	CHECK(frequency_difference(sa.b, sa.len, sb.b, sb.len) == 1000, "exact difference a - b");
	CHECK(frequency_difference(sb.b, sb.len, sa.b, sa.len) == 1000, "exact difference b - a");
	CHECK(frequency_intersection(sa.b, sa.len, sc.b, sc.len) == 0, "disjoint: 0");
	CHECK(frequency_difference(sa.b, sa.len, sc.b, sc.len) == 3000, "disjoint difference: all of a");
	CHECK(frequency_intersection(sa.b, sa.len, sa.b, sa.len) == 3000, "self intersection = reach");
	CHECK(frequency_difference(sa.b, sa.len, sa.b, sa.len) == 0, "self difference = 0");
	empty.len = 28;
	empty.b = malloc(28);
	frequency_init_empty(empty.b, 28, 4096);
	CHECK(frequency_intersection(sa.b, sa.len, empty.b, empty.len) == 0 &&
		  frequency_difference(sa.b, sa.len, empty.b, empty.len) == 3000 &&
		  frequency_difference(empty.b, empty.len, sa.b, sa.len) == 0, "with an empty sketch");
	sk_free(&sa);
	sk_free(&sb);
	sk_free(&sc);
	free(a);
	free(b);
	free(c);

	/* sampling: audiences of 30000 and 35000 sharing 15000 */
	{
		int			s;
		int			seeds = 5;

		for (s = 0; s < seeds; s++)
		{
			int64_t		base = 100000000 + (int64_t) s * 1000000;
			Ev		   *x = make_events(base, 30000 / SCALE, 0.5, 10 + s, &na, NULL);
			Ev		   *y = make_events(base + 15000 / SCALE, 35000 / SCALE, 0.5, 20 + s, &nb, NULL);
			Ev		   *z = make_events(base + 500000, 40000 / SCALE, 0.5, 30 + s, &nc, NULL);
			Sk			sx = sk_of(4096, x, na);
			Sk			sy = sk_of(1024, y, nb);
			Sk			sz = sk_of(4096, z, nc);
			double		t = frequency_theta_fraction(sy.b, sy.len);
			double		inter = frequency_intersection(sx.b, sx.len, sy.b, sy.len);
			double		diff = frequency_difference(sx.b, sx.len, sy.b, sy.len);
			double		want_i = 15000.0 / SCALE;
			double		want_d = 15000.0 / SCALE;
			double		se_i = frequency_standard_error(want_i * t, t);
			double		se_d = frequency_standard_error(want_d * t, t);

			CHECK(fabs(inter - want_i) < 4 * se_i,
				  "seed %d: sampled intersection %.0f vs %.0f (4 se %.0f)", s, inter, want_i, 4 * se_i);
			CHECK(fabs(diff - want_d) < 4 * se_d,
				  "seed %d: sampled difference %.0f vs %.0f (4 se %.0f)", s, diff, want_d, 4 * se_d);
			CHECK(frequency_intersection(sx.b, sx.len, sz.b, sz.len) == 0 &&
				  frequency_intersection(sz.b, sz.len, sy.b, sy.len) == 0,
				  "seed %d: disjoint sampled audiences give exactly 0", s);
			CHECK(frequency_intersection(sx.b, sx.len, sx.b, sx.len) == frequency_reach(sx.b, sx.len),
				  "seed %d: self intersection = reach when sampling", s);
			CHECK(frequency_intersection(sy.b, sy.len, sx.b, sx.len) == inter,
				  "seed %d: intersection is symmetric", s);
			sk_free(&sx);
			sk_free(&sy);
			sk_free(&sz);
			free(x);
			free(y);
			free(z);
		}
	}
	sk_free(&empty);
}

/* ---------------------------------------------------------------------
 * validation
 * --------------------------------------------------------------------- */

static const char *
msg_of(const uint8_t *b, size_t len)
{
	static char keep[256];
	uint8_t    *c = malloc(len ? len : 1);
	const char *m;

	memcpy(c, b, len);
	m = frequency_validate(c, len);
	snprintf(keep, sizeof(keep), "%s", m ? m : "(valid)");
	free(c);
	return keep;
}

static int
rejects(const uint8_t *b, size_t len)
{
	return strcmp(msg_of(b, len), "(valid)") != 0;
}

/* build a canonical body by hand: entries given as (delta, count) */
static size_t
hand_canon(uint8_t *b, uint32_t k, uint32_t n, uint64_t theta, uint64_t total,
		   const uint64_t *pairs, size_t npairs)
{
	size_t		len = 28;
	size_t		i;

	b[0] = 1;
	b[1] = 1;
	b[2] = 0;
	b[3] = 0;
	wr32(b + 4, k);
	wr32(b + 8, n);
	wr64(b + 12, theta);
	wr64(b + 20, total);
	for (i = 0; i < npairs; i++)
		len += model_varint(b + len, pairs[i]);
	return len;
}

static void
expect_msg(const uint8_t *b, size_t len, const char *want, const char *what)
{
	const char *m = msg_of(b, len);

	CHECK(strcmp(m, want) == 0, "%s: got \"%s\", want \"%s\"", what, m, want);
}

/* use a value the validator accepted in every way the glue could */
static int
exercise(const uint8_t *b, size_t len)
{
	Sk			v;
	Sk			c;
	Sk			st;
	FrequencyBucket hist[5];
	FrequencyInfo info;
	int			ok = 1;

	v.b = malloc(len);
	memcpy(v.b, b, len);
	v.len = len;
	c = sk_canon(&v);
	ok &= frequency_validate(c.b, c.len) == NULL;
	frequency_get_info(v.b, v.len, &info);
	(void) frequency_reach(c.b, c.len);
	(void) frequency_average(c.b, c.len);
	(void) frequency_reach_at_least(c.b, c.len, 3);
	ok &= frequency_histogram(c.b, c.len, 5, hist);
	(void) frequency_intersection(c.b, c.len, c.b, c.len);
	(void) frequency_difference(c.b, c.len, c.b, c.len);
	/* as a merge source, as the first state, and as a state receiving rows */
	st = sk_state(16);
	sk_merge(&st, &v);
	sk_merge(&st, &c);
	sk_add(&st, 12345, 2);
	ok &= frequency_validate(st.b, st.len) == NULL;
	sk_free(&st);
	st = sk_copy(&v);
	sk_add(&st, 99, 1);
	sk_add(&st, 0, 1);
	sk_merge(&st, &c);
	ok &= frequency_validate(st.b, st.len) == NULL;
	sk_free(&st);
	/* canonicalizing a canonical value is the identity */
	{
		Sk			cc = sk_canon(&c);

		ok &= sk_equal(&cc, &c);
		sk_free(&cc);
	}
	sk_free(&c);
	sk_free(&v);
	return ok;
}

static void
test_validate(void)
{
	uint8_t		b[512];
	size_t		len;
	uint64_t	p[64];
	int			i;

	/* a valid small exact value: hashes 5, 9, 10 with counts 1, 2, 3 */
	p[0] = 5;
	p[1] = 1;
	p[2] = 4;
	p[3] = 2;
	p[4] = 1;
	p[5] = 3;
	len = hand_canon(b, 16, 3, UINT64_MAX, 6, p, 6);
	expect_msg(b, len, "(valid)", "hand-made value");
	CHECK(exercise(b, len), "hand-made value usable");

	/* header */
	expect_msg(b, 27, "truncated: 27 bytes, the frequency_sketch header alone is 28", "short header");
	expect_msg(b, 0, "truncated: 0 bytes, the frequency_sketch header alone is 28", "empty input");
	b[0] = 2;
	expect_msg(b, len, "frequency_sketch format version 2 is not supported (expected 1)", "version");
	b[0] = 1;
	b[1] = 4;
	expect_msg(b, len, "representation 4 is unknown", "representation");
	b[1] = 0;
	expect_msg(b, len, "representation 0 is unknown", "representation 0");
	b[1] = 1;
	b[2] = 1;
	expect_msg(b, len, "reserved flag bits set (flags 0x01)", "flags");
	b[2] = 0;
	b[3] = 0x80;
	expect_msg(b, len, "reserved byte 3 is 0x80, not 0", "reserved byte");
	b[3] = 0;
	wr32(b + 4, 8);
	expect_msg(b, len, "k 8 is out of range (16..1048576)", "k too small");
	wr32(b + 4, 1048577);
	expect_msg(b, len, "k 1048577 is out of range (16..1048576)", "k too large");
	wr32(b + 4, 16);
	expect_msg(b, len, "(valid)", "restored");

	/* entries */
	p[2] = 0;
	len = hand_canon(b, 16, 3, UINT64_MAX, 6, p, 6);
	expect_msg(b, len, "entries out of order at entry 1: duplicate hash", "duplicate");
	p[2] = UINT64_MAX - 5;
	len = hand_canon(b, 16, 3, UINT64_MAX, 6, p, 6);
	expect_msg(b, len, "entry 1 is not below theta", "hash UINT64_MAX in exact mode");
	p[2] = UINT64_MAX - 4;
	len = hand_canon(b, 16, 3, UINT64_MAX, 6, p, 6);
	expect_msg(b, len, "entries out of order at entry 1: hash passes 2^64", "wrap-around = out of order");
	p[2] = 4;
	p[3] = 0;
	len = hand_canon(b, 16, 3, UINT64_MAX, 4, p, 6);
	expect_msg(b, len, "count of entry 1 is zero", "zero count");
	p[3] = 2;
	len = hand_canon(b, 16, 3, 10, 7, p, 6);
	expect_msg(b, len, "a sampling sketch holds 3 entries, not k 16", "sampling with n < k");
	len = hand_canon(b, 16, 17, UINT64_MAX, 6, p, 6);
	expect_msg(b, len, "17 entries is more than k 16", "n > k");
	len = hand_canon(b, 16, 3, UINT64_MAX, 5, p, 6);
	expect_msg(b, len, "impressions total 5 is less than the retained counts 6", "total too small");
	len = hand_canon(b, 16, 3, UINT64_MAX, 7, p, 6);
	expect_msg(b, len, "impressions total 7 differs from the retained counts 6 in exact mode",
			   "exact total mismatch");
	len = hand_canon(b, 16, 3, UINT64_MAX, 6, p, 6);
	b[len] = 0;
	expect_msg(b, len + 1, "trailing bytes: 1 after entry 3", "trailing byte");
	len = hand_canon(b, 16, 4, UINT64_MAX, 6, p, 6);
	expect_msg(b, len, "truncated: 34 bytes cannot hold 4 entries", "n larger than the payload");
	len = hand_canon(b, 16, 3, UINT64_MAX, 6, p, 6);
	b[len - 1] = 0x83;			/* last count continues */
	expect_msg(b, len, "truncated: the count of entry 2 is cut off", "varint cut off");
	/* overlong: 5 written as 0x85 0x00 */
	len = hand_canon(b, 16, 3, UINT64_MAX, 6, p, 0);
	b[len++] = 0x85;
	b[len++] = 0x00;
	b[len++] = 1;
	b[len++] = 4;
	b[len++] = 2;
	b[len++] = 1;
	b[len++] = 3;
	expect_msg(b, len, "the hash of entry 0 is not in its shortest encoding", "overlong varint");
	/* 11-byte varint / 10th byte > 1 */
	len = hand_canon(b, 16, 1, UINT64_MAX, 1, p, 0);
	for (i = 0; i < 9; i++)
		b[len++] = 0xff;
	b[len++] = 0x02;
	b[len++] = 1;
	expect_msg(b, len, "the hash of entry 0 does not fit in 64 bits", "65-bit varint");
	len = hand_canon(b, 16, 1, UINT64_MAX, 1, p, 0);
	for (i = 0; i < 10; i++)
		b[len++] = 0x80;
	b[len++] = 1;
	expect_msg(b, len, "the hash of entry 0 does not fit in 64 bits", "11-byte varint");

	/* sampling: a user at theta must have been counted */
	{
		uint64_t	q[32];

		for (i = 0; i < 16; i++)
		{
			q[2 * i] = i == 0 ? 100 : 7;
			q[2 * i + 1] = 1;
		}
		len = hand_canon(b, 16, 16, 100 + 15 * 7 + 1, 17, q, 32);
		expect_msg(b, len, "(valid)", "sampling value");
		CHECK(exercise(b, len), "sampling value usable");
		len = hand_canon(b, 16, 16, 100 + 15 * 7 + 1, 16, q, 32);
		expect_msg(b, len,
				   "impressions total 16 equals the retained counts in sampling mode (the user at theta is missing)",
				   "sampling total equal to the sum");
		len = hand_canon(b, 16, 16, 100 + 15 * 7, 17, q, 32);
		expect_msg(b, len, "entry 15 is not below theta", "last entry at theta");
		q[2 * 7 + 1] = 0;
		len = hand_canon(b, 16, 16, 100 + 15 * 7 + 1, 17, q, 32);
		expect_msg(b, len, "count of entry 7 is zero", "zero count at 7");
		q[2 * 7 + 1] = 1;
		q[2 * 3] = 0;
		len = hand_canon(b, 16, 16, 100 + 15 * 7 + 1, 17, q, 32);
		expect_msg(b, len, "entries out of order at entry 3: duplicate hash", "duplicate at 3");
		/* saturated totals: total == sum allowed at UINT64_MAX */
		q[2 * 3] = 7;
		q[1] = UINT64_MAX;
		len = hand_canon(b, 16, 16, 100 + 15 * 7 + 1, UINT64_MAX, q, 32);
		expect_msg(b, len, "(valid)", "saturated total");
		CHECK(exercise(b, len), "saturated value usable");
	}
}

/* truncations and mutations of values the API produced */
static void
test_corruption(void)
{
	size_t		nev;
	Ev		   *ev = make_events(42, 3000, 0.4, 5, &nev, NULL);
	Sk			vals[6];
	int			nv = 0;
	int			v;
	uint64_t	rng = 2024;
	int			accepted_mut = 0;
	int			total_mut = 0;
	int			usable = 1;

	vals[nv++] = sk_of(16, ev, nev);	/* sampling, tiny */
	vals[nv++] = sk_of(4096, ev, 20);	/* exact, small */
	vals[nv++] = sk_of(1024, ev, nev);	/* sampling */
	{
		Sk			s = sk_state(64);	/* a sampling STATE */

		sk_add_all(&s, ev, nev);
		vals[nv++] = s;
		s = sk_state(4096);		/* an exact STATE */
		sk_add_all(&s, ev, 40);
		vals[nv++] = s;
		vals[nv] = sk_state(4096);	/* an empty STATE */
		nv++;
	}
	for (v = 0; v < nv; v++)
	{
		size_t		l;
		int			all = 1;
		int			m;
		int			trials = 3000 / SCALE;

		CHECK(!rejects(vals[v].b, vals[v].len), "value %d valid: %s", v,
			  msg_of(vals[v].b, vals[v].len));
		for (l = 0; l < vals[v].len; l++)
			if (!rejects(vals[v].b, l))
			{
				all = 0;
				fprintf(stderr, "value %d: prefix of %zu bytes accepted\n", v, l);
			}
		CHECK(all, "value %d: every truncation rejected", v);
		/* extended by a byte */
		{
			uint8_t    *x = malloc(vals[v].len + 1);

			memcpy(x, vals[v].b, vals[v].len);
			x[vals[v].len] = 0;
			CHECK(rejects(x, vals[v].len + 1), "value %d: an extra byte rejected", v);
			free(x);
		}
		for (m = 0; m < trials; m++)
		{
			uint8_t    *x = malloc(vals[v].len);
			int			flips = 1 + (int) (splitmix64(&rng) % 3);
			int			f;

			memcpy(x, vals[v].b, vals[v].len);
			for (f = 0; f < flips; f++)
			{
				size_t		at = (size_t) (splitmix64(&rng) % vals[v].len);

				/* bias towards the header and the first entries */
				if (m % 2 == 0 && vals[v].len > 64)
					at = (size_t) (splitmix64(&rng) % 64);
				x[at] ^= (uint8_t) (1u << (splitmix64(&rng) % 8));
			}
			total_mut++;
			if (!rejects(x, vals[v].len))
			{
				accepted_mut++;
				if (!exercise(x, vals[v].len))
					usable = 0;
			}
			free(x);
		}
	}
	CHECK(usable, "every accepted mutation is fully usable");
	CHECK(protocol_errors == 0, "protocol errors %d", protocol_errors);
	printf("corruption: %d of %d mutations accepted (each then used in every way)\n",
		   accepted_mut, total_mut);
	for (v = 0; v < nv; v++)
		sk_free(&vals[v]);
	free(ev);
}

/* hand-made STATE bodies */
static void
test_validate_state(void)
{
	uint8_t		b[28 + 16 * 16];
	size_t		len = 28 + 16 * 8;
	uint8_t    *sl = b + 28;

	memset(b, 0, sizeof(b));
	b[0] = 1;
	b[1] = 2;
	wr32(b + 4, 16);
	wr32(b + 8, 2);
	wr64(b + 12, UINT64_MAX);
	wr64(b + 20, 5);
	/* hashes 3 (home 3) and 11 (home 3): slots 3 and 4 */
	wr64(sl + 16 * 3, 3);
	wr64(sl + 16 * 3 + 8, 2);
	wr64(sl + 16 * 4, 11);
	wr64(sl + 16 * 4 + 8, 3);
	expect_msg(b, len, "(valid)", "hand-made state");
	CHECK(exercise(b, len), "hand-made state usable");

	/* swapped: same home out of hash order */
	wr64(sl + 16 * 3, 11);
	wr64(sl + 16 * 4, 3);
	expect_msg(b, len, "entry in slot 4 is out of place (probe distance 1)", "same home out of order");
	/* duplicate */
	wr64(sl + 16 * 3, 3);
	expect_msg(b, len, "entry in slot 4 is out of place (probe distance 1)", "duplicate hash");
	wr64(sl + 16 * 4, 11);
	/* gap: 11 at slot 5 with slot 4 empty */
	memset(sl + 16 * 4, 0, 16);
	wr64(sl + 16 * 5, 11);
	wr64(sl + 16 * 5 + 8, 3);
	expect_msg(b, len, "entry in slot 5 is out of place (probe distance 2)", "unreachable entry");
	memset(sl + 16 * 5, 0, 16);
	wr64(sl + 16 * 4, 11);
	wr64(sl + 16 * 4 + 8, 3);
	/* wrap-around: hash 7 (home 7) and 15 (home 7) at slots 7 and 0 */
	wr64(sl + 16 * 7, 7);
	wr64(sl + 16 * 7 + 8, 1);
	wr64(sl + 16 * 0, 15);
	wr64(sl + 16 * 0 + 8, 1);
	wr32(b + 8, 4);
	wr64(b + 20, 7);
	expect_msg(b, len, "(valid)", "run wrapping around the end");
	CHECK(exercise(b, len), "wrapping state usable");
	wr32(b + 8, 3);
	expect_msg(b, len, "state entry count 3 does not match its 4 occupied slots", "n mismatch");
	wr32(b + 8, 7);
	expect_msg(b, len, "state holds 7 entries, more than the 6 its 8 slots allow", "overfull");
	wr32(b + 8, 4);
	wr64(sl + 16 * 2, 1);
	expect_msg(b, len, "empty state slot 2 has a nonzero hash", "garbage in an empty slot");
	wr64(sl + 16 * 2, 0);
	wr64(sl + 16 * 0 + 8, 0);
	wr64(sl + 16 * 0, 0);
	wr32(b + 8, 3);
	wr64(b + 20, 6);
	expect_msg(b, len, "(valid)", "restored");
	wr64(b + 20, 4);
	expect_msg(b, len, "impressions total 4 is less than the retained counts 6", "state total");
	wr64(b + 20, 6);
	wr64(b + 12, 11);
	expect_msg(b, len, "a sampling state holds 3 entries, fewer than k 16", "sampling n < k");
	expect_msg(b, 28 + 16 * 8 + 1, "state of 157 bytes is not the 28-byte header plus whole 16-byte slots",
			   "partial slot");
	expect_msg(b, 28 + 16 * 4, "truncated: 92 bytes, a state is at least 156", "too small");
	wr64(b + 12, UINT64_MAX);
	expect_msg(b, 28 + 16 * 12, "state table of 12 slots is not a power of two in 8..2097152",
			   "not a power of two");
	/* a hash at theta */
	wr64(b + 12, 11);
	{
		uint8_t		big[28 + 16 * 32];
		uint8_t    *s2 = big + 28;
		int			i;

		memset(big, 0, sizeof(big));
		big[0] = 1;
		big[1] = 2;
		wr32(big + 4, 16);
		wr32(big + 8, 17);
		wr64(big + 12, 40);
		wr64(big + 20, 18);
		for (i = 0; i < 17; i++)
		{
			wr64(s2 + 16 * i, (uint64_t) i);
			wr64(s2 + 16 * i + 8, 1);
		}
		expect_msg(big, sizeof(big), "(valid)", "sampling state");
		CHECK(exercise(big, sizeof(big)), "sampling state usable");
		wr64(big + 12, 16);
		expect_msg(big, sizeof(big), "entry in slot 16 is not below theta", "state entry at theta");
		wr64(big + 12, 40);
		wr64(big + 20, 17);
		expect_msg(big, sizeof(big),
				   "impressions total 17 equals the retained counts in sampling mode (the user at theta is missing)",
				   "sampling state total");
	}
}

/* ---------------------------------------------------------------------
 * edges, sizes, info
 * --------------------------------------------------------------------- */

static void
test_edges(void)
{
	Sk			s = sk_state(16);
	Sk			c;
	uint8_t		buf[200];
	Ev			ev[4];

	/* UINT64_MAX is UINT64_MAX - 1; hash 0 is a user */
	sk_add(&s, UINT64_MAX, 2);
	sk_add(&s, UINT64_MAX - 1, 3);
	sk_add(&s, 0, 1);
	sk_add(&s, 7, 0);			/* count 0: nothing */
	c = sk_canon(&s);
	CHECK(rd32(c.b + 8) == 2 && rd64(c.b + 20) == 6 && frequency_reach(c.b, c.len) == 2,
		  "UINT64_MAX merges with UINT64_MAX - 1; hash 0 kept; count 0 ignored");
	CHECK(frequency_reach_at_least(c.b, c.len, 5) == 1, "clamped user has 5");
	sk_free(&c);
	sk_free(&s);

	/* saturation: order does not matter */
	ev[0].hash = 1;
	ev[0].count = UINT64_MAX - 5;
	ev[1].hash = 1;
	ev[1].count = 10;
	ev[2].hash = 2;
	ev[2].count = 3;
	ev[3].hash = 1;
	ev[3].count = 1;
	{
		Sk			a = sk_of(16, ev, 4);
		Sk			m = model_canon(16, ev, 4);
		Ev			rev[4] = {ev[3], ev[2], ev[1], ev[0]};
		Sk			b = sk_of(16, rev, 4);

		CHECK(sk_equal(&a, &m) && sk_equal(&a, &b), "saturating counts and total");
		CHECK(frequency_impressions(a.b, a.len) == UINT64_MAX, "total saturates");
		CHECK(frequency_round(frequency_average(a.b, a.len)) == INT64_MAX,
			  "huge estimates round to INT64_MAX");
		sk_free(&a);
		sk_free(&b);
		sk_free(&m);
	}

	/*
	 * Counts of every varint length (1..10 bytes) and hashes spread so
	 * deltas have every length too, read back through reach_at_least:
	 * covers the decoder's fast path and its byte-at-a-time tail (the last
	 * entries have fewer than 8 bytes after them).
	 */
	{
		Ev			vs[70];
		int			nvs = 0;
		int			bitsz;
		Sk			a;
		Sk			m;
		int			ok = 1;

		for (bitsz = 0; bitsz < 64; bitsz += 7)
		{
			uint64_t	v = bitsz == 0 ? 1 : (UINT64_C(1) << bitsz);

			vs[nvs].hash = v;
			vs[nvs++].count = v;
			vs[nvs].hash = bitsz == 0 ? 3 : v + (v - 1);
			vs[nvs++].count = bitsz == 0 ? 2 : v + (v - 1);
		}
		vs[nvs].hash = UINT64_MAX - 3;
		vs[nvs++].count = UINT64_MAX;
		vs[nvs].hash = 0;
		vs[nvs++].count = 127;
		a = sk_of(4096, vs, (size_t) nvs);
		m = model_canon(4096, vs, (size_t) nvs);
		CHECK(sk_equal(&a, &m), "varints of every length: bytes equal the model");
		for (bitsz = 0; bitsz < nvs; bitsz++)
		{
			uint64_t	want = 0;
			int			j;

			for (j = 0; j < nvs; j++)
				if (vs[j].count >= vs[bitsz].count)
					want++;
			if (frequency_reach_at_least(a.b, a.len, vs[bitsz].count) != (double) want)
				ok = 0;
		}
		CHECK(ok, "varints of every length decode back (reach_at_least)");
		CHECK(frequency_intersection(a.b, a.len, m.b, m.len) == nvs, "all hashes decode back");
		sk_free(&a);
		sk_free(&m);
	}

	/* init and regrow refuse bad arguments */
	CHECK(!frequency_state_init(buf, 164, 15, 1) && !frequency_state_init(buf, 164, 1048577, 1),
		  "init rejects k out of range");
	CHECK(!frequency_state_init(buf, 163, 16, 1) && !frequency_state_init(buf, 36 + 16 * 12, 16, 1) &&
		  !frequency_state_init(buf, 36 + 16 * 4, 16, 1) && !frequency_state_init(buf, 156, 16, 1),
		  "init rejects bad sizes");
	CHECK(frequency_state_init(buf, 164, 16, 1) && frequency_validate(buf, 164) == NULL,
		  "init makes a valid state");
	CHECK(!frequency_init_empty(buf, 27, 16) && !frequency_init_empty(buf, 28, 9),
		  "init_empty rejects bad arguments");
	{
		Sk			st = sk_state(16);
		uint8_t		small[164];
		int			i;

		for (i = 0; i < 7; i++)
			sk_add(&st, (uint64_t) i * 1000003, 1);
		CHECK(st.len == 36 + 16 * 16, "7 users: 16 slots");
		CHECK(!frequency_state_regrow(small, sizeof(small), st.b, st.len, 1),
			  "regrow refuses a table too small for the entries");
		CHECK(!frequency_state_regrow(small, 163, st.b, st.len, 1), "regrow refuses a bad size");
		{
			size_t		cap = frequency_canonical_size(st.b, st.len);
			uint8_t    *d = malloc(cap);

			CHECK(frequency_canonicalize(d, cap - 1, st.b, st.len) == 0,
				  "canonicalize refuses a short buffer");
			free(d);
		}
		CHECK(frequency_reach(st.b, st.len) == -1 && frequency_average(st.b, st.len) == -1 &&
			  frequency_reach_at_least(st.b, st.len, 2) == -1 &&
			  frequency_intersection(st.b, st.len, st.b, st.len) == -1 &&
			  !frequency_histogram(st.b, st.len, 3, NULL),
			  "estimates refuse a STATE");
		sk_free(&st);
	}
}

static void
test_sizes(void)
{
	size_t		nev;
	Ev		   *ev = make_events(7, 200000 / SCALE, 0.4, 8, &nev, NULL);
	Sk			s = sk_state(4096);
	Sk			c;
	size_t		i;
	int			grew_ok = 1;
	size_t		prev = s.len;
	int			users = 0;

	/* 10 users (many rows each): under 512 bytes as a state */
	for (i = 0; i < 1000; i++)
		sk_add(&s, ie_hash_int64((int64_t) (i % 10)), 1);
	CHECK(s.len < 512, "10 users: state of %zu bytes", s.len);
	c = sk_canon(&s);
	CHECK(c.len < 150, "10 users: canonical %zu bytes", c.len);
	printf("sizes: 10 users: state %zu bytes, canonical %zu bytes\n", s.len, c.len);
	sk_free(&c);
	sk_free(&s);

	/* growth follows the users, geometrically, up to the k=4096 table */
	s = sk_state(4096);
	for (i = 0; i < nev; i++)
	{
		sk_add(&s, ev[i].hash, ev[i].count);
		if (s.len != prev)
		{
			grew_ok &= s.len == 36 + 2 * (prev - 36);
			prev = s.len;
		}
		users++;
	}
	CHECK(grew_ok, "the state doubles when it grows");
	CHECK(s.len == 36 + 16 * 8192, "k 4096 state tops out at 8192 slots (%zu bytes)", s.len);
	c = sk_canon(&s);
	CHECK((double) (c.len - 28) / 4096 < 9.0, "full k=4096 sketch: %.2f bytes a user",
		  (double) (c.len - 28) / 4096);
	printf("sizes: full k=4096 sketch of %zu users: %zu bytes (%.2f a user), state %zu bytes\n",
		   (size_t) (200000 / SCALE), c.len, (double) (c.len - 28) / 4096, s.len);
	sk_free(&c);
	sk_free(&s);
	{
		Sk			e = sk_of(4096, ev, 0);

		CHECK(e.len == 28 && frequency_reach(e.b, e.len) == 0, "no rows: 28-byte empty sketch");
		sk_free(&e);
	}
	free(ev);
}

static void
test_info(void)
{
	size_t		nev;
	Ev		   *ev = make_events(3, 5000, 0.4, 9, &nev, NULL);
	Sk			c = sk_of(1024, ev, nev);
	Sk			s = sk_state(1024);
	FrequencyInfo info;

	frequency_get_info(c.b, c.len, &info);
	CHECK(info.version == 1 && info.representation == FREQUENCY_REP_CANONICAL &&
		  strcmp(info.representation_name, "canonical") == 0 && info.k == 1024 &&
		  info.entries == 1024 && !info.exact && strcmp(info.mode_name, "sampling") == 0 &&
		  info.theta_fraction > 0.15 && info.theta_fraction < 0.26 &&
		  info.impressions == nev && info.slots == 0 && info.bytes == c.len &&
		  fabs(info.reach - frequency_reach(c.b, c.len)) < 1e-9 &&
		  fabs(info.relative_standard_error - sqrt((1 - info.theta_fraction) / 1023)) < 1e-12,
		  "info of a sampling sketch");
	sk_add_all(&s, ev, 100);
	frequency_get_info(s.b, s.len, &info);
	CHECK(info.representation == FREQUENCY_REP_KEYED_STATE && strcmp(info.representation_name, "state") == 0 &&
		  info.exact && info.theta_fraction == 1.0 && info.slots == (s.len - 36) / 16 &&
		  info.reach == -1 && info.relative_standard_error == -1, "info of a state");
	sk_free(&c);
	sk_free(&s);
	free(ev);
}

/*
 * Hash flooding: user ids whose hashes share their low bits (easy to find:
 * the hash is postgresql-hll's, unkeyed) all had one home slot, so each add
 * walked the whole run.  With the state's seed the homes scatter: the
 * longest probe stays small.  The unkeyed layout (seed 0, 0.1's) shows
 * what the test guards against.
 */
static void
test_flooding(void)
{
	Sk			keyed = sk_state(65536);
	Sk			unkeyed;
	uint32_t	i;
	uint32_t	probe;

	unkeyed.len = frequency_state_initial_size();
	unkeyed.b = malloc(unkeyed.len);
	CHECK(frequency_state_init(unkeyed.b, unkeyed.len, 65536, 0), "unkeyed state");
	for (i = 1; i <= 40000; i++)
		sk_add(&keyed, ((uint64_t) i << 24) | 0xABCDEF, 1);
	for (i = 1; i <= 2000; i++)
		sk_add(&unkeyed, ((uint64_t) i << 24) | 0xABCDEF, 1);
	probe = frequency_state_max_probe(keyed.b, keyed.len);
	CHECK(frequency_validate(keyed.b, keyed.len) == NULL && probe < 64,
		  "40,000 hashes with equal low 24 bits: longest probe %u in a keyed table", probe);
	probe = frequency_state_max_probe(unkeyed.b, unkeyed.len);
	CHECK(frequency_validate(unkeyed.b, unkeyed.len) == NULL && probe == 1999,
		  "2,000 such hashes in an unkeyed table: longest probe %u (all at one home)", probe);
	CHECK(frequency_reach(keyed.b, keyed.len) == 40000 || frequency_needs_canonicalize(keyed.b, keyed.len),
		  "keyed state holds them all");
	sk_free(&keyed);
	sk_free(&unkeyed);
}

/*
 * A 0.1 STATE (representation 2: the table at byte 28, homes at the low
 * bits) is still read: validated, canonicalized to the same value, merged
 * from, and converted to a keyed state when added to.
 */
static void
test_legacy_state(void)
{
	Sk			unkeyed;
	Sk			legacy;
	Sk			a;
	Sk			b;
	uint32_t	i;

	unkeyed.len = frequency_state_initial_size();
	unkeyed.b = malloc(unkeyed.len);
	CHECK(frequency_state_init(unkeyed.b, unkeyed.len, 16, 0), "unkeyed state");
	for (i = 1; i <= 200; i++)
		sk_add(&unkeyed, (uint64_t) i * UINT64_C(0x9E3779B97F4A7C15), i % 3 + 1);
	/* the same table without the seed, as 0.1 wrote it */
	legacy.len = unkeyed.len - 8;
	legacy.b = malloc(legacy.len);
	memcpy(legacy.b, unkeyed.b, 28);
	legacy.b[1] = FREQUENCY_REP_STATE;
	memcpy(legacy.b + 28, unkeyed.b + 36, unkeyed.len - 36);
	CHECK(frequency_validate(legacy.b, legacy.len) == NULL, "a 0.1 state validates");
	a = sk_canon(&unkeyed);
	b = sk_canon(&legacy);
	CHECK(a.len == b.len && memcmp(a.b, b.b, a.len) == 0, "a 0.1 state canonicalizes to the same value");
	sk_free(&b);
	b = sk_state(16);
	sk_merge(&b, &legacy);
	sk_free(&a);
	a = sk_canon(&b);
	sk_free(&b);
	b = sk_canon(&legacy);
	CHECK(a.len == b.len && memcmp(a.b, b.b, a.len) == 0, "merging a 0.1 state into a keyed one keeps it");
	sk_add(&legacy, 12345, 1);
	CHECK(legacy.b[1] == FREQUENCY_REP_KEYED_STATE && frequency_validate(legacy.b, legacy.len) == NULL,
		  "adding to a 0.1 state converts it to a keyed one");
	legacy.b[1] = FREQUENCY_REP_STATE;
	CHECK(frequency_validate(legacy.b, legacy.len) != NULL, "a keyed table read as unkeyed is rejected");
	sk_free(&a);
	sk_free(&b);
	sk_free(&legacy);
	sk_free(&unkeyed);
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_validate();
	test_validate_state();
	test_edges();
	test_exact_mode();
	test_boundary();
	test_model();
	test_order_and_preaggregation();
	test_union_of_days();
	test_merge_k();
	test_random_splits();
	test_set_operations();
	test_corruption();
	test_sizes();
	test_info();
	test_flooding();
	test_legacy_state();
	test_accuracy(1024, 20000 / SCALE, 6 / (SCALE > 1 ? 3 : 1));
	test_accuracy(1024, 200000 / SCALE, 3);
	test_accuracy(4096, 50000 / SCALE, 6 / (SCALE > 1 ? 3 : 1));
	test_accuracy(4096, 200000 / SCALE, 4 / (SCALE > 1 ? 2 : 1));
	CHECK(protocol_errors == 0, "protocol errors %d", protocol_errors);
	return unit_report(argv[0]);
}
