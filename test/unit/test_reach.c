/*
 * test_reach.c — unit tests of src/core/reach_core.c (reach_sketch).
 *
 * A tiny "glue" below (sk_*) drives the caller-allocated state protocol
 * with malloc, exactly as the PostgreSQL glue does with palloc, and gives
 * every buffer its exact size so AddressSanitizer catches any over-read.
 *
 * Hash streams come from splitmix64 over a counter: a bijection, so a
 * stream of n outputs is n distinct 64-bit hashes.
 *
 * The postgresql-hll byte strings are literal outputs of the real
 * postgresql-hll (Debian postgresql-15-hll 2.17, extension 2.16) in a
 * throwaway PostgreSQL 15 cluster; the queries are quoted next to them.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "reach_core.h"
#include "unit.h"

/* fewer accuracy trials under the (much slower) sanitizers */
#ifdef UNIT_SANITIZE
#define TRIAL_SCALE 4
#else
#define TRIAL_SCALE 1
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

/* n distinct hashes of stream `seed` */
static uint64_t *
stream(uint64_t seed, size_t n)
{
	uint64_t   *h = malloc(n * sizeof(uint64_t) + 1);
	uint64_t	st = seed * UINT64_C(0x632be59bd9b4e019);
	size_t		i;

	for (i = 0; i < n; i++)
		h[i] = splitmix64(&st);
	return h;
}

static void
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

typedef struct Sk
{
	uint8_t    *b;
	size_t		len;
} Sk;

static Sk
sk_state(int p)
{
	Sk			s;

	s.len = reach_state_initial_size();
	s.b = malloc(s.len);
	if (!reach_state_init(s.b, s.len, p))
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

	if (!reach_state_regrow(n, need, s->b, s->len))
	{
		protocol_errors++;
		fprintf(stderr, "regrow to %zu failed\n", need);
	}
	else if ((msg = reach_validate(n, need)) != NULL)
	{
		protocol_errors++;
		fprintf(stderr, "regrown state invalid: %s\n", msg);
	}
	free(s->b);
	s->b = n;
	s->len = need;
}

static void
sk_add(Sk *s, uint64_t h)
{
	size_t		need;
	int			rounds = 0;

	while ((need = reach_state_add(s->b, s->len, h)) != 0)
	{
		sk_regrow(s, need);
		if (++rounds > 40)
		{
			protocol_errors++;
			return;
		}
	}
}

static void
sk_add_all(Sk *s, const uint64_t *h, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
		sk_add(s, h[i]);
}

static void
sk_merge(Sk *d, const Sk *src)
{
	size_t		need;
	int			rounds = 0;

	while ((need = reach_state_merge(d->b, d->len, src->b, src->len)) != 0)
	{
		sk_regrow(d, need);
		if (++rounds > 40)
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
	size_t		cap = reach_canonical_size(s->b, s->len);
	uint8_t    *tmp = malloc(cap);
	Sk			c;
	const char *msg;

	c.len = reach_canonicalize(tmp, cap, s->b, s->len);
	if (c.len == 0)
		protocol_errors++;
	c.b = malloc(c.len);
	memcpy(c.b, tmp, c.len);
	free(tmp);
	if ((msg = reach_validate(c.b, c.len)) != NULL)
	{
		protocol_errors++;
		fprintf(stderr, "canonical value invalid: %s\n", msg);
	}
	if (reach_needs_canonicalize(c.b, c.len))
		protocol_errors++;
	if (c.b[2] == REACH_REP_DENSE_PACKED)
	{
		/* packed canonical forms expand and pack back to the same bytes */
		size_t		el = reach_expanded_size(c.b, c.len);
		uint8_t    *e = malloc(el);
		uint8_t    *back = malloc(el);

		if (el != 8 + ((size_t) 1 << c.b[1]) || !reach_expand(e, el, c.b, c.len) ||
			reach_validate(e, el) != NULL || e[2] != REACH_REP_DENSE || e[3] != c.b[3] ||
			!reach_needs_canonicalize(e, el) ||
			reach_canonicalize(back, el, e, el) != c.len || memcmp(back, c.b, c.len) != 0)
		{
			protocol_errors++;
			fprintf(stderr, "packed canonical value does not round-trip\n");
		}
		free(back);
		free(e);
	}
	return c;
}

/* DENSE or DENSE_PACKED */
static int
sk_is_dense(const Sk *s)
{
	return s->b[2] == REACH_REP_DENSE || s->b[2] == REACH_REP_DENSE_PACKED;
}

/* the expanded form (raw DENSE registers for a packed value), exact size */
static Sk
sk_raw(const Sk *s)
{
	Sk			r;
	const char *msg;

	r.len = reach_expanded_size(s->b, s->len);
	r.b = malloc(r.len ? r.len : 1);
	if (!reach_expand(r.b, r.len, s->b, s->len))
	{
		protocol_errors++;
		fprintf(stderr, "expand failed\n");
	}
	else if ((msg = reach_validate(r.b, r.len)) != NULL)
	{
		protocol_errors++;
		fprintf(stderr, "expanded value invalid: %s\n", msg);
	}
	return r;
}

static Sk
sk_of(int p, const uint64_t *h, size_t n)
{
	Sk			s = sk_state(p);
	Sk			c;

	sk_add_all(&s, h, n);
	c = sk_canon(&s);
	sk_free(&s);
	return c;
}

static int
sk_equal(const Sk *a, const Sk *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

static double
sk_estimate(const Sk *s)
{
	return reach_estimate(s->b, s->len);
}

/*
 * Independent model of the dense registers: the full set of values seen
 * per register, then the top three positions packed by hand.  Hash 0 sets
 * no register (postgresql-hll's rule for its register modes).
 */
static uint8_t *
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

static int
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

static uint64_t *
int_hashes(int64_t from, int64_t to)
{
	uint64_t   *h = malloc(sizeof(uint64_t) * (size_t) (to - from + 1));
	int64_t		v;

	for (v = from; v <= to; v++)
		h[v - from] = ie_hash_int64(v);
	return h;
}

/* ---------------------------------------------------------------------
 * registers and tokens against the model
 * --------------------------------------------------------------------- */

static void
test_registers_match_model(void)
{
	int			p;
	int			bad = 0;

	for (p = 4; p <= 18; p += 2)
	{
		size_t		m = (size_t) 1 << p;
		size_t		n = m * 3;	/* well into dense */
		uint64_t   *h = stream(100 + p, n);
		uint8_t    *model;
		Sk			s;

		/* low-bit-heavy hashes too: long runs, (hash >> p) == 0 */
		h[0] = 0;
		h[1] = UINT64_C(1) << 63;
		h[2] = (UINT64_C(1) << 40) | 5;
		model = model_registers(p, h, n, 0);
		s = sk_of(p, h, n);
		{
			Sk			r = sk_raw(&s);

			if (!sk_is_dense(&s) || r.b[2] != REACH_REP_DENSE || r.len != 8 + m ||
				memcmp(r.b + 8, model, m) != 0)
				bad++;
			/* p >= 8 packs at 3 * 2^p values; p <= 6 does not (table overhead) */
			if (s.b[2] != (p >= 8 ? REACH_REP_DENSE_PACKED : REACH_REP_DENSE))
			{
				bad++;
				fprintf(stderr, "  p=%d n=%zu: representation %d, %zu bytes\n", p, n, s.b[2], s.len);
			}
			sk_free(&r);
		}
		free(model);
		sk_free(&s);
		free(h);
	}
	CHECK(bad == 0, "%d precisions where dense registers differ from the model", bad);
	CHECK(protocol_errors == 0, "protocol errors: %d", protocol_errors);
}

/* ---------------------------------------------------------------------
 * sparse mode is exact
 * --------------------------------------------------------------------- */

static void
test_sparse_exact(void)
{
	Sk			s = sk_state(14);
	uint64_t   *h = int_hashes(1, 5000);
	int			n;
	int			inexact_sparse = 0;
	int			wrong_rep = 0;
	int			dense_far = 0;
	Sk			c1000;
	Sk			again;

	for (n = 1; n <= 5000; n++)
	{
		Sk			c;
		double		e;

		sk_add(&s, h[n - 1]);
		c = sk_canon(&s);
		e = sk_estimate(&c);
		if (n <= 4096)
		{
			if (c.b[2] != REACH_REP_SPARSE)
				wrong_rep++;
			if (llround(e) != n)
				inexact_sparse++;
		}
		else
		{
			double		rse = reach_relative_standard_error(c.b, c.len);

			if (c.b[2] != REACH_REP_DENSE_PACKED)
				wrong_rep++;
			if (fabs(e - n) > 4 * rse * n)
				dense_far++;
		}
		if (n == 100)
			CHECK(llround(e) == 100, "100 distinct values: estimate %.6f", e);
		if (n == 1000)
			CHECK(fabs(e - 1000) <= 1, "1000 distinct values: estimate %.6f", e);
		sk_free(&c);
	}
	CHECK(inexact_sparse == 0, "%d cardinalities 1..4096 not estimated exactly", inexact_sparse);
	CHECK(wrong_rep == 0, "%d cardinalities with the wrong representation", wrong_rep);
	CHECK(dense_far == 0, "%d dense estimates beyond 4 RSE", dense_far);
	sk_free(&s);

	/* duplicates change nothing, sparse or dense */
	s = sk_state(14);
	sk_add_all(&s, h, 1000);
	c1000 = sk_canon(&s);
	sk_add_all(&s, h, 1000);
	sk_add_all(&s, h + 500, 100);
	again = sk_canon(&s);
	CHECK(sk_equal(&c1000, &again), "re-adding 1000 values changed the sparse sketch");
	sk_free(&again);
	sk_free(&c1000);
	sk_free(&s);

	s = sk_state(10);
	sk_add_all(&s, h, 5000);
	c1000 = sk_canon(&s);
	sk_add_all(&s, h, 5000);
	again = sk_canon(&s);
	CHECK(c1000.b[2] == REACH_REP_DENSE_PACKED && sk_equal(&c1000, &again),
		  "re-adding 5000 values changed the dense sketch");
	sk_free(&again);
	sk_free(&c1000);
	sk_free(&s);

	/* the empty sketch */
	s = sk_state(14);
	c1000 = sk_canon(&s);
	CHECK(c1000.len == 8 && c1000.b[2] == REACH_REP_SPARSE && sk_estimate(&c1000) == 0,
		  "empty state canonicalizes to an 8-byte sparse sketch with estimate 0");
	{
		uint8_t		e[8];

		CHECK(reach_init_empty(e, 8, 14) && memcmp(e, c1000.b, 8) == 0,
			  "reach_init_empty equals the canonical empty state");
	}
	sk_free(&c1000);
	sk_free(&s);
	free(h);
	CHECK(protocol_errors == 0, "protocol errors: %d", protocol_errors);
}

/* ---------------------------------------------------------------------
 * sparse contents against a model: the sorted distinct tokens
 * --------------------------------------------------------------------- */

static uint32_t
model_token(uint64_t h)
{
	uint64_t	rest = h >> 26;
	uint32_t	r = 1;

	if (rest == 0)
		r = 39;
	else
		while ((rest & 1) == 0)
		{
			rest >>= 1;
			r++;
		}
	return (uint32_t) ((h & 0x3FFFFFF) << 6) | r;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *) a;
	uint32_t	y = *(const uint32_t *) b;

	return x < y ? -1 : x > y;
}

/* 1 if s is the canonical sketch of h[0..n) according to the models */
static int
matches_model(const Sk *s, int p, const uint64_t *h, size_t n)
{
	uint32_t   *t = malloc(sizeof(uint32_t) * (n + 1));
	size_t		i;
	size_t		d = 0;
	int			ok;

	for (i = 0; i < n; i++)
		t[i] = model_token(h[i]);
	qsort(t, n, sizeof(uint32_t), cmp_u32);
	for (i = 0; i < n; i++)
		if (d == 0 || t[i] != t[d - 1])
			t[d++] = t[i];
	if (d <= ((size_t) 1 << p) / 4)
	{
		uint32_t	cnt;

		memcpy(&cnt, s->b + 4, 4);
		ok = s->b[2] == REACH_REP_SPARSE && s->b[1] == p && cnt == d &&
			s->len == 8 + 4 * d && memcmp(s->b + 8, t, 4 * d) == 0;
	}
	else
	{
		uint8_t    *regs = model_registers(p, h, n, 0);
		Sk			r = sk_raw(s);

		ok = sk_is_dense(s) && r.b[2] == REACH_REP_DENSE && r.b[1] == p &&
			r.len == 8 + ((size_t) 1 << p) &&
			memcmp(r.b + 8, regs, (size_t) 1 << p) == 0;
		sk_free(&r);
		free(regs);
	}
	free(t);
	return ok;
}

static void
test_sparse_model(void)
{
	uint64_t	rng = 2024;
	int			bad = 0;
	int			cases = 0;
	int			pattern;

	/* skewed hash sets: clustered low bits, long runs, sorted input */
	for (pattern = 0; pattern < 6; pattern++)
	{
		size_t		n = 3000;
		uint64_t   *h = malloc(sizeof(uint64_t) * n);
		size_t		i;
		int			p;

		for (i = 0; i < n; i++)
		{
			uint64_t	r = splitmix64(&rng);

			switch (pattern)
			{
				case 0:			/* 50 distinct 26-bit indices */
					h[i] = (i % 50) | (r << 26);
					break;
				case 1:			/* one 26-bit index */
					h[i] = 12345 | (r << 26);
					break;
				case 2:			/* low 40 bits zero */
					h[i] = (uint64_t) (i + 1) << 40;
					break;
				case 3:			/* ascending raw values */
					h[i] = i;
					break;
				case 4:			/* descending raw values */
					h[i] = n - i;
					break;
				default:		/* sparse then (hash >> p) == 0 heavy */
					h[i] = r & ((UINT64_C(1) << (10 + i % 20)) - 1);
					break;
			}
		}
		for (p = 6; p <= 16; p += 5)
		{
			Sk			s = sk_of(p, h, n);

			cases++;
			if (!matches_model(&s, p, h, n))
			{
				bad++;
				fprintf(stderr, "  pattern %d p=%d differs from the model\n", pattern, p);
			}
			sk_free(&s);
		}
		free(h);
	}

	/* random sets with heavy, irregular repetition, checked midway too */
	{
		int			trial;

		for (trial = 0; trial < 40 / TRIAL_SCALE + 4; trial++)
		{
			size_t		d = 1 + (size_t) (splitmix64(&rng) % 7000);
			int			p = trial % 2 ? 14 : 12;
			uint64_t   *set = stream(5000 + (uint64_t) trial, d);
			size_t		len = d * (1 + splitmix64(&rng) % 5);
			uint64_t   *seq = malloc(sizeof(uint64_t) * len);
			size_t		i;
			Sk			s = sk_state(p);
			size_t		hot = 1 + d / 10;

			for (i = 0; i < len; i++)
			{
				/* first pass in order, then skewed picks (10% hot) */
				if (i < d)
					seq[i] = set[i];
				else if (splitmix64(&rng) % 2)
					seq[i] = set[splitmix64(&rng) % hot];
				else
					seq[i] = set[splitmix64(&rng) % d];
			}
			for (i = 0; i < len; i++)
			{
				sk_add(&s, seq[i]);
				if (i + 1 == len / 3 || i + 1 == len)
				{
					Sk			c = sk_canon(&s);
					size_t		upto = i + 1 < d ? i + 1 : d;

					cases++;
					if (!matches_model(&c, p, set, upto))
					{
						bad++;
						fprintf(stderr, "  trial %d (d=%zu, %zu adds) differs from the model\n",
								trial, d, i + 1);
					}
					sk_free(&c);
				}
			}
			sk_free(&s);
			free(seq);
			free(set);
		}
	}
	CHECK(bad == 0, "%d of %d sketches differ from the token/register models", bad, cases);
	CHECK(protocol_errors == 0, "protocol errors: %d", protocol_errors);
}

/* ---------------------------------------------------------------------
 * accuracy
 * --------------------------------------------------------------------- */

typedef struct Acc
{
	double		n;
	int			trials;
	double		sum_rel;
	double		sum_rel2;
	double		rse;
	int			dense;
} Acc;

static void
test_accuracy_p(int p)
{
	double		m = ldexp(1.0, p);
	Acc			acc[6];
	int			ncp = 6;
	int			k;
	int			t;
	int			max_trials = 1000 / TRIAL_SCALE;

	acc[0].n = 10;
	acc[1].n = m / 2;
	acc[2].n = 2.5 * m;
	acc[3].n = 10 * m;
	acc[4].n = 1e5;
	acc[5].n = 1e6;
	/* trials per checkpoint, fewer for the expensive large ones */
	acc[0].trials = acc[1].trials = acc[2].trials = acc[3].trials = max_trials;
	acc[4].trials = 500 / TRIAL_SCALE;
	acc[5].trials = 200 / TRIAL_SCALE;
	for (k = 0; k < ncp; k++)
	{
		acc[k].sum_rel = acc[k].sum_rel2 = 0;
		acc[k].rse = 0;
		acc[k].dense = 0;
	}

	for (t = 0; t < max_trials; t++)
	{
		uint64_t	st = UINT64_C(0x1234567) * (uint64_t) (t + 1) + (uint64_t) p;
		Sk			s = sk_state(p);
		double		added = 0;

		for (k = 0; k < ncp; k++)
		{
			Sk			c;
			double		e;

			if (t >= acc[k].trials)
				break;
			while (added < acc[k].n)
			{
				sk_add(&s, splitmix64(&st));
				added++;
			}
			c = sk_canon(&s);
			e = sk_estimate(&c);
			acc[k].sum_rel += (e - acc[k].n) / acc[k].n;
			acc[k].sum_rel2 += (e - acc[k].n) * (e - acc[k].n) / (acc[k].n * acc[k].n);
			acc[k].rse = reach_relative_standard_error(c.b, c.len);
			acc[k].dense = sk_is_dense(&c);
			sk_free(&c);
		}
		sk_free(&s);
	}

	for (k = 0; k < ncp; k++)
	{
		double		K = acc[k].trials;
		double		mean = acc[k].sum_rel / K;
		double		rmse = sqrt(acc[k].sum_rel2 / K);
		double		sd = sqrt(fmax(acc[k].sum_rel2 / K - mean * mean, 0) * K / (K - 1));
		double		theory = 0.7608621002725182 / sqrt(m);
		double		ratio = rmse / theory;

		/*
		 * The sample RMSE over K trials has a relative standard deviation of
		 * about 1/sqrt(2K): allow 3 of those above a true ratio of 1.05.
		 */
		double		limit = 1.05 * (1 + 3 / sqrt(2 * K));

		printf("  p=%d n=%-8.0f trials=%-4d %s RMSE/RSE=%.3f bias=%+.5f (%.1f SE)\n",
			   p, acc[k].n, acc[k].trials, acc[k].dense ? "dense " : "sparse",
			   ratio, mean, sd > 0 ? mean / (sd / sqrt(K)) : 0.0);
		if (!acc[k].dense)
		{
			CHECK(rmse < 1e-3, "p=%d n=%.0f sparse RMSE %.6f", p, acc[k].n, rmse);
			continue;
		}
		CHECK(fabs(acc[k].rse - theory) < 1e-12, "dense RSE is 0.7609/sqrt(m)");
		CHECK(ratio < limit, "p=%d n=%.0f RMSE/RSE %.3f above %.3f", p, acc[k].n, ratio, limit);
		CHECK(ratio > 0.2, "p=%d n=%.0f RMSE/RSE %.3f implausibly small", p, acc[k].n, ratio);
		/* mean relative bias within 3 standard errors of 0 near 2.5 m */
		if (k == 2)
			CHECK(fabs(mean) <= 3 * sd / sqrt(K),
				  "p=%d n=%.0f bias %+.5f beyond 3 SE (%.5f)", p, acc[k].n, mean, sd / sqrt(K));
		else
			CHECK(fabs(mean) <= 4 * sd / sqrt(K) + 1e-4,
				  "p=%d n=%.0f bias %+.5f beyond 4 SE (%.5f)", p, acc[k].n, mean, sd / sqrt(K));
	}
	CHECK(protocol_errors == 0, "protocol errors: %d", protocol_errors);
}

/* no bias bump anywhere: mean relative error over a fine grid of n */
static void
test_no_bias_bump(void)
{
	int			p = 8;
	double		m = 256;
	int			trials = 2000 / TRIAL_SCALE;
	double		grid[40];
	double		sum[40];
	double		sum2[40];
	int			ng = 0;
	int			t;
	int			g;
	double		n;
	int			bumps = 0;

	for (n = m / 4 + 1; n <= 64 * m && ng < 40; n *= 1.25)
		grid[ng++] = floor(n);
	memset(sum, 0, sizeof(sum));
	memset(sum2, 0, sizeof(sum2));
	for (t = 0; t < trials; t++)
	{
		uint64_t	st = UINT64_C(987654321) * (uint64_t) (t + 1);
		Sk			s = sk_state(p);
		double		added = 0;

		for (g = 0; g < ng; g++)
		{
			Sk			c;
			double		rel;

			while (added < grid[g])
			{
				sk_add(&s, splitmix64(&st));
				added++;
			}
			c = sk_canon(&s);
			rel = (sk_estimate(&c) - grid[g]) / grid[g];
			sum[g] += rel;
			sum2[g] += rel * rel;
			sk_free(&c);
		}
		sk_free(&s);
	}
	for (g = 0; g < ng; g++)
	{
		double		mean = sum[g] / trials;
		double		sd = sqrt(fmax(sum2[g] / trials - mean * mean, 0));

		/* 4 SE: 40 correlated checkpoints, none may stick out */
		if (fabs(mean) > 4 * sd / sqrt(trials) + 1e-4)
		{
			bumps++;
			fprintf(stderr, "  bias at n=%.0f: %+.5f (SE %.5f)\n", grid[g], mean, sd / sqrt(trials));
		}
	}
	CHECK(bumps == 0, "%d of %d cardinalities 0.25m..64m with a significant bias at p=8", bumps, ng);
}

/* the HLL_ONLY path: Ertl's improved estimator on imported registers */
static void
test_hll_only_accuracy(void)
{
	int			p = 10;
	double		m = 1024;
	double		ns[3] = {0.5 * 1024, 2.5 * 1024, 20 * 1024};
	int			trials = 600 / TRIAL_SCALE;
	int			k;

	for (k = 0; k < 3; k++)
	{
		double		sum = 0;
		double		sum2 = 0;
		int			t;
		double		rmse;
		double		mean;
		double		sd;
		double		rse = 0;

		for (t = 0; t < trials; t++)
		{
			uint64_t	st = UINT64_C(55555) * (uint64_t) (t + 1) + (uint64_t) k;
			Sk			s = sk_state(p);
			Sk			c;
			size_t		hsz;
			uint8_t    *hll;
			size_t		hlen;
			uint8_t    *back;
			size_t		blen;
			double		e;
			size_t		i;

			for (i = 0; i < ns[k]; i++)
				sk_add(&s, splitmix64(&st));
			c = sk_canon(&s);
			hsz = reach_to_hll_size(c.b, c.len, 0);
			hll = malloc(hsz);
			hlen = reach_to_hll(hll, hsz, c.b, c.len, 0);
			back = malloc(reach_from_hll_size(hll, hlen));
			blen = reach_from_hll(back, reach_from_hll_size(hll, hlen), hll, hlen);
			e = reach_estimate(back, blen);
			rse = reach_relative_standard_error(back, blen);
			sum += (e - ns[k]) / ns[k];
			sum2 += (e - ns[k]) * (e - ns[k]) / (ns[k] * ns[k]);
			free(back);
			free(hll);
			sk_free(&c);
			sk_free(&s);
		}
		rmse = sqrt(sum2 / trials);
		mean = sum / trials;
		sd = sqrt(fmax(sum2 / trials - mean * mean, 0));
		printf("  hll_only p=%d n=%-6.0f trials=%d RMSE/(1.04/sqrt m)=%.3f bias=%+.5f (%.1f SE)\n",
			   p, ns[k], trials, rmse / (1.04 / sqrt(m)), mean, mean / (sd / sqrt(trials)));
		CHECK(fabs(rse - 1.04 / sqrt(m)) < 1e-12, "hll_only RSE is 1.04/sqrt(m)");
		CHECK(rmse / (1.04 / sqrt(m)) < 1.05 * (1 + 3 / sqrt(2.0 * trials)),
			  "hll_only n=%.0f RMSE/RSE %.3f", ns[k], rmse / (1.04 / sqrt(m)));
		CHECK(fabs(mean) <= 3 * sd / sqrt(trials) + 1e-4,
			  "hll_only n=%.0f bias %+.5f", ns[k], mean);
	}
}

/* ---------------------------------------------------------------------
 * order, split and merge independence
 * --------------------------------------------------------------------- */

/* aggregate h[] (with repeats) split into parts, merged in random order */
static Sk
split_merge(int *precisions, int nparts, const uint64_t *h, size_t n,
			uint64_t *rng, int canon_parts)
{
	Sk		   *parts = malloc(sizeof(Sk) * (size_t) nparts);
	Sk			acc;
	size_t		i;
	int			k;
	int		   *order = malloc(sizeof(int) * (size_t) nparts);

	for (k = 0; k < nparts; k++)
		parts[k] = sk_state(precisions[k]);
	for (i = 0; i < n; i++)
	{
		int			part = (int) (splitmix64(rng) % (uint64_t) nparts);
		int			reps = 1 + (int) (splitmix64(rng) % 3);

		while (reps-- > 0)
			sk_add(&parts[part], h[i]);
	}
	for (k = 0; k < nparts; k++)
	{
		order[k] = k;
		if (canon_parts)
		{
			Sk			c = sk_canon(&parts[k]);

			sk_free(&parts[k]);
			parts[k] = c;
		}
	}
	for (k = nparts; k > 1; k--)
	{
		int			j = (int) (splitmix64(rng) % (uint64_t) k);
		int			t = order[k - 1];

		order[k - 1] = order[j];
		order[j] = t;
	}
	/* the first part in the order becomes the state (as union_agg does) */
	acc = sk_copy(&parts[order[0]]);
	for (k = 1; k < nparts; k++)
		sk_merge(&acc, &parts[order[k]]);
	{
		Sk			c = sk_canon(&acc);

		sk_free(&acc);
		acc = c;
	}
	for (k = 0; k < nparts; k++)
		sk_free(&parts[k]);
	free(parts);
	free(order);
	return acc;
}

static void
test_order_split_independence(void)
{
	int			p = 10;
	size_t		T = 256;
	size_t		sizes[] = {0, 1, 7, 100, 255, 256, 257, 300, 383, 384, 385, 512, 700,
	1000, 2560, 10240, 100000};
	size_t		ns = sizeof(sizes) / sizeof(sizes[0]);
	size_t		si;
	int			mismatches = 0;
	int			cases = 0;
	int			crossed = 0;
	uint64_t	rng = 42;

	(void) T;
	for (si = 0; si < ns; si++)
	{
		size_t		n = sizes[si];
		uint64_t   *h = stream(7000 + si, n);
		Sk			ref = sk_of(p, h, n);
		Sk			ref_low;
		int			rep;

		/* one value with (hash >> p) == 0 and a 26-bit index collision */
		if (n > 10)
		{
			h[0] = 3;
			h[1] = 3 | (UINT64_C(1) << 40);
			h[2] = 3 | (UINT64_C(1) << 41);
			sk_free(&ref);
			ref = sk_of(p, h, n);
		}
		ref_low = sk_of(8, h, n);

		for (rep = 0; rep < 12; rep++)
		{
			int			precs[8];
			int			nparts = 1 + (int) (splitmix64(&rng) % 8);
			int			k;
			Sk			got;

			for (k = 0; k < nparts; k++)
				precs[k] = p;
			shuffle(h, n, &rng);
			got = split_merge(precs, nparts, h, n, &rng, rep % 2);
			cases++;
			if (!sk_equal(&got, &ref))
			{
				mismatches++;
				fprintf(stderr, "  n=%zu parts=%d: merged result differs\n", n, nparts);
			}
			/* parts that went dense and parts that stayed sparse */
			if (nparts > 1 && n > T && n / (size_t) nparts <= T)
				crossed++;
			sk_free(&got);

			/* mixed precisions fold to the lowest: equals the p=8 sketch */
			for (k = 0; k < nparts; k++)
				precs[k] = 8 + (int) (splitmix64(&rng) % 7);	/* 8..14 */
			precs[splitmix64(&rng) % (uint64_t) nparts] = 8;
			got = split_merge(precs, nparts, h, n, &rng, rep % 3 == 0);
			cases++;
			if (!sk_equal(&got, &ref_low))
			{
				mismatches++;
				fprintf(stderr, "  n=%zu parts=%d: mixed-precision result differs\n", n, nparts);
			}
			sk_free(&got);
		}
		sk_free(&ref);
		sk_free(&ref_low);
		free(h);
	}
	CHECK(mismatches == 0, "%d of %d split/merge orders gave different bytes", mismatches, cases);
	CHECK(crossed > 5, "the sparse/dense switch was crossed by parts (%d cases)", crossed);
	CHECK(protocol_errors == 0, "protocol errors: %d", protocol_errors);
}

/* merge is union; folding p=14 with p=12 equals the p=12 sketch */
static void
test_merge_union_and_fold(void)
{
	size_t		sizes[] = {50, 900, 3000, 5000, 40000, 300000};
	size_t		si;
	int			bad_union = 0;
	int			bad_fold = 0;
	int			bad_model = 0;

	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
	{
		size_t		n = sizes[si];
		uint64_t   *h = stream(9000 + si, 2 * n);
		/* A = h[0 .. 1.2n), B = h[0.8n .. 2n): they overlap */
		size_t		a_end = n + n / 5;
		size_t		b_start = n - n / 5;
		Sk			a14 = sk_of(14, h, a_end);
		Sk			b12 = sk_of(12, h + b_start, 2 * n - b_start);
		Sk			b14 = sk_of(14, h + b_start, 2 * n - b_start);
		Sk			u14 = sk_of(14, h, 2 * n);
		Sk			u12 = sk_of(12, h, 2 * n);
		Sk			m;
		Sk			c;

		m = sk_copy(&a14);
		sk_merge(&m, &b14);
		c = sk_canon(&m);
		if (!sk_equal(&c, &u14))
			bad_union++;
		sk_free(&c);
		sk_free(&m);

		/* p=14 state with a p=12 value, and the other way round */
		m = sk_copy(&a14);
		sk_merge(&m, &b12);
		c = sk_canon(&m);
		if (!sk_equal(&c, &u12))
			bad_fold++;
		sk_free(&c);
		sk_free(&m);
		m = sk_copy(&b12);
		sk_merge(&m, &a14);
		c = sk_canon(&m);
		if (!sk_equal(&c, &u12))
			bad_fold++;
		sk_free(&c);
		sk_free(&m);

		/* dense registers, history bits included, equal the model */
		if (sk_is_dense(&u12))
		{
			uint8_t    *model = model_registers(12, h, 2 * n, 0);
			Sk			r = sk_raw(&u12);

			if (memcmp(r.b + 8, model, 4096) != 0)
				bad_model++;
			sk_free(&r);
			free(model);
		}

		sk_free(&a14);
		sk_free(&b12);
		sk_free(&b14);
		sk_free(&u14);
		sk_free(&u12);
		free(h);
	}
	CHECK(bad_union == 0, "%d sizes where merge(A,B) != sketch(A u B)", bad_union);
	CHECK(bad_fold == 0, "%d cases where p14 (+) p12 != p12 sketch of the union", bad_fold);
	CHECK(bad_model == 0, "%d sizes where the folded registers differ from the model", bad_model);

	/* a dense p=18 sketch folds to every lower precision exactly */
	{
		size_t		n = 200000;
		uint64_t   *h = stream(31337, n);
		Sk			big = sk_of(18, h, n);
		int			q;
		int			bad = 0;

		for (q = 4; q < 18; q++)
		{
			Sk			e;
			Sk			m2;
			Sk			c;
			Sk			want = sk_of(q, h, n);

			e = sk_state(q);
			m2 = sk_copy(&big);
			sk_merge(&m2, &e);
			c = sk_canon(&m2);
			if (!sk_equal(&c, &want))
				bad++;
			sk_free(&c);
			sk_free(&m2);
			sk_free(&e);
			sk_free(&want);
		}
		CHECK(bad == 0, "%d precisions where folding p=18 differs from building at q", bad);
		sk_free(&big);
		free(h);
	}
	CHECK(protocol_errors == 0, "protocol errors: %d", protocol_errors);
}

/* ---------------------------------------------------------------------
 * validation
 * --------------------------------------------------------------------- */

static int
rejects(const uint8_t *b, size_t len)
{
	/* exact-size copy so ASan sees any over-read */
	uint8_t    *c = malloc(len ? len : 1);
	int			r;

	memcpy(c, b, len);
	r = reach_validate(c, len) != NULL;
	free(c);
	return r;
}

static const char *
msg_of(const uint8_t *b, size_t len)
{
	static char keep[256];
	uint8_t    *c = malloc(len ? len : 1);
	const char *m;

	memcpy(c, b, len);
	m = reach_validate(c, len);
	snprintf(keep, sizeof(keep), "%s", m ? m : "(valid)");
	free(c);
	return keep;
}

static void
test_validate(void)
{
	uint64_t   *h = stream(4242, 5000);
	Sk			sparse = sk_of(12, h, 50);
	Sk			packed = sk_of(8, h, 5000);
	Sk			dense = sk_raw(&packed);	/* a raw DENSE value stays valid */
	Sk			state = sk_state(12);
	uint8_t    *b;
	size_t		len;
	int			bad;

	sk_add_all(&state, h, 30);

	CHECK(!rejects(sparse.b, sparse.len) && sparse.b[2] == REACH_REP_SPARSE, "valid sparse");
	CHECK(!rejects(dense.b, dense.len) && dense.b[2] == REACH_REP_DENSE, "valid dense");
	CHECK(!rejects(packed.b, packed.len) && packed.b[2] == REACH_REP_DENSE_PACKED, "valid packed");
	CHECK(!rejects(state.b, state.len) && state.b[2] == REACH_REP_SPARSE_BUFFER, "valid buffer");

	/* header fields */
	b = malloc(dense.len + 8);
	memcpy(b, dense.b, dense.len);
	b[0] = 7;
	CHECK(strcmp(msg_of(b, dense.len),
				 "reach_sketch format version 7 is not supported (expected 1)") == 0,
		  "version message: %s", msg_of(b, dense.len));
	b[0] = 1;
	b[1] = 3;
	CHECK(rejects(b, dense.len), "precision 3");
	CHECK(strcmp(msg_of(b, dense.len), "precision 3 is out of range (4..18)") == 0,
		  "precision message: %s", msg_of(b, dense.len));
	b[1] = 19;
	CHECK(rejects(b, dense.len), "precision 19");
	b[1] = 8;
	b[2] = 0;
	CHECK(rejects(b, dense.len), "representation 0");
	b[2] = 3;
	CHECK(strcmp(msg_of(b, dense.len),
				 "dense_packed value of 264 bytes is not smaller than the 264-byte dense form of precision 8") == 0,
		  "representation 3 message: %s", msg_of(b, dense.len));
	b[2] = 5;
	CHECK(rejects(b, dense.len), "representation 5");
	b[2] = 2;
	b[3] = 2;
	CHECK(strcmp(msg_of(b, dense.len), "reserved flag bits set (flags 0x02)") == 0,
		  "flags message: %s", msg_of(b, dense.len));
	b[3] = 0x80;
	CHECK(rejects(b, dense.len), "flag bit 7");
	b[3] = 0;
	b[4] = 1;
	CHECK(rejects(b, dense.len), "dense with a count");
	b[4] = 0;
	CHECK(!rejects(b, dense.len), "restored dense is valid");

	/* invalid registers: u = 0 with history, u too large, u=1 with h, u=2 with bit 0 */
	{
		uint8_t		badregs[] = {0x01, 0x03, (uint8_t) ((65 - 8 + 1) << 2), 0x05, 0x06, 0x09, 0xff};
		size_t		i;

		bad = 0;
		for (i = 0; i < sizeof(badregs); i++)
		{
			uint8_t		save = b[8 + 17];

			b[8 + 17] = badregs[i];
			if (!rejects(b, dense.len))
				bad++;
			b[8 + 17] = save;
		}
		CHECK(bad == 0, "%d invalid register values accepted", bad);
		b[8 + 17] = 0xff;
		CHECK(strcmp(msg_of(b, dense.len), "register 17 holds invalid value 0xff") == 0,
			  "register message: %s", msg_of(b, dense.len));
		b[8 + 17] = dense.b[8 + 17];
		/* the largest u at p=8 is 57; with both history bits it is valid */
		b[8 + 17] = (uint8_t) ((57 << 2) | 3);
		CHECK(!rejects(b, dense.len), "u = 65-p with history is valid");
		b[8 + 17] = (uint8_t) ((2 << 2) | 2);
		CHECK(!rejects(b, dense.len), "u = 2 with u-1 seen is valid");
		/* hll_only with history bits */
		b[3] = REACH_FLAG_HLL_ONLY;
		CHECK(rejects(b, dense.len), "hll_only with history bits");
		b[3] = 0;
		b[8 + 17] = dense.b[8 + 17];
	}

	/* truncation at every length, trailing bytes */
	bad = 0;
	for (len = 0; len < dense.len; len++)
		bad += !rejects(dense.b, len);
	CHECK(bad == 0, "%d truncations of a dense value accepted", bad);
	bad = 0;
	for (len = 0; len < sparse.len; len++)
		bad += !rejects(sparse.b, len);
	CHECK(bad == 0, "%d truncations of a sparse value accepted", bad);
	b = realloc(b, sparse.len + 4);
	memcpy(b, sparse.b, sparse.len);
	b[sparse.len] = 0;
	CHECK(rejects(b, sparse.len + 1), "sparse with a trailing byte");
	CHECK(strncmp(msg_of(b, sparse.len + 1), "trailing bytes", 14) == 0,
		  "trailing message: %s", msg_of(b, sparse.len + 1));
	CHECK(strcmp(msg_of(sparse.b, 8 + 4 * 3),
				 "truncated: 20 bytes for 50 sparse entries, expected 208") == 0,
		  "truncated message: %s", msg_of(sparse.b, 8 + 4 * 3));
	b = realloc(b, dense.len + 1);
	memcpy(b, dense.b, dense.len);
	b[dense.len] = 0;
	CHECK(rejects(b, dense.len + 1), "dense with a trailing byte");

	/* sparse ordering, duplicates, invalid tokens, too many */
	b = realloc(b, sparse.len);
	memcpy(b, sparse.b, sparse.len);
	memcpy(b + 8 + 4 * 3, sparse.b + 8 + 4 * 4, 4);
	memcpy(b + 8 + 4 * 4, sparse.b + 8 + 4 * 3, 4);
	CHECK(strcmp(msg_of(b, sparse.len), "sparse entries out of order at entry 4") == 0,
		  "order message: %s", msg_of(b, sparse.len));
	memcpy(b, sparse.b, sparse.len);
	memcpy(b + 8 + 4 * 4, sparse.b + 8 + 4 * 3, 4);
	CHECK(strcmp(msg_of(b, sparse.len), "duplicate sparse entry at entry 4") == 0,
		  "duplicate message: %s", msg_of(b, sparse.len));
	memcpy(b, sparse.b, sparse.len);
	b[8 + 4 * 5] = (uint8_t) ((b[8 + 4 * 5] & 0xc0) | 40);	/* r26 = 40 */
	CHECK(rejects(b, sparse.len), "sparse token with r26 = 40");
	b[8 + 4 * 5] = (uint8_t) (b[8 + 4 * 5] & 0xc0);	/* r26 = 0 */
	CHECK(rejects(b, sparse.len), "sparse token with r26 = 0");
	memcpy(b, sparse.b, sparse.len);
	b[3] = REACH_FLAG_HLL_ONLY;
	CHECK(rejects(b, sparse.len), "hll_only on sparse");
	{
		/* 5 sorted tokens at p=4 (limit 4) */
		uint8_t		s5[8 + 20] = {1, 4, 1, 0, 5, 0, 0, 0};
		int			i;

		for (i = 0; i < 5; i++)
		{
			uint32_t	t = ((uint32_t) (i + 1) << 6) | 1;

			memcpy(s5 + 8 + 4 * i, &t, 4);
		}
		CHECK(rejects(s5, sizeof(s5)), "sparse with more than 2^p/4 entries");
		s5[1] = 5;
		CHECK(!rejects(s5, sizeof(s5)), "the same 5 entries at p=5 are valid");
	}

	/* sparse buffer: count beyond capacity, nonzero unused slot, odd size */
	b = realloc(b, state.len);
	memcpy(b, state.b, state.len);
	b[4] = 13;
	CHECK(rejects(b, state.len), "buffer count above capacity");
	b[4] = state.b[4];
	b[state.len - 1] = 1;
	CHECK(rejects(b, state.len), "buffer with a nonzero unused slot");
	b[state.len - 1] = 0;
	CHECK(!rejects(b, state.len - 4), "buffer with one slot fewer is still valid");
	CHECK(rejects(b, state.len - 1), "buffer not a whole number of slots");
	bad = 0;
	for (len = 0; len < 8 + 4 * (size_t) state.b[4]; len++)
		bad += !rejects(state.b, len);
	CHECK(bad == 0, "%d truncations of a buffer below its count accepted", bad);
	CHECK(rejects(state.b, 3), "3 bytes");
	CHECK(rejects((const uint8_t *) "", 0), "0 bytes");

	/* random garbage and single-byte mutations never crash */
	{
		uint64_t	rng = 99;
		int			i;

		for (i = 0; i < 20000; i++)
		{
			const Sk   *src = (i % 3 == 0) ? &dense : (i % 3 == 1) ? &sparse : &state;
			size_t		l = src->len;
			uint8_t    *m = malloc(l);

			memcpy(m, src->b, l);
			m[splitmix64(&rng) % l] ^= (uint8_t) (1 + splitmix64(&rng) % 255);
			if (i % 5 == 0)
				l = (size_t) (splitmix64(&rng) % (l + 1));
			(void) reach_validate(m, l);
			free(m);
		}
		CHECK(1, "mutation fuzzing ran");
	}

	free(b);
	sk_free(&sparse);
	sk_free(&dense);
	sk_free(&packed);
	sk_free(&state);
	free(h);
}

/* everything the API writes validates (many shapes and precisions) */
static void
test_outputs_validate(void)
{
	int			p;
	int			bad = 0;
	size_t		ns[] = {0, 1, 3, 5, 30, 300, 3000, 30000};

	for (p = 4; p <= 18; p++)
	{
		size_t		i;

		for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		{
			uint64_t   *h = stream(p * 100 + i, ns[i]);
			Sk			s = sk_state(p);
			Sk			c;
			size_t		j;

			for (j = 0; j < ns[i]; j++)
			{
				sk_add(&s, h[j]);
				if (j % 97 == 0 && reach_validate(s.b, s.len) != NULL)
					bad++;
			}
			if (reach_validate(s.b, s.len) != NULL)
				bad++;
			c = sk_canon(&s);
			/* canonicalizing a canonical value is the identity */
			{
				Sk			c2 = sk_canon(&c);

				if (!sk_equal(&c, &c2))
					bad++;
				sk_free(&c2);
			}
			/* a stored value can be used as a state again */
			{
				Sk			st = sk_copy(&c);
				Sk			c3;

				sk_add(&st, UINT64_C(0xdeadbeef));
				if (reach_validate(st.b, st.len) != NULL)
					bad++;
				c3 = sk_canon(&st);
				sk_free(&c3);
				sk_free(&st);
			}
			sk_free(&c);
			sk_free(&s);
			free(h);
		}
	}
	CHECK(bad == 0, "%d API outputs failed validation", bad);
	CHECK(protocol_errors == 0, "protocol errors: %d", protocol_errors);
	{
		uint8_t		tmp[64];

		CHECK(reach_state_init(tmp, 8, 14), "init of a zero-capacity buffer");

		CHECK(!reach_state_init(tmp, 64, 3), "precision 3 refused");
		CHECK(!reach_state_init(tmp, 64, 19), "precision 19 refused");
		CHECK(!reach_state_init(tmp, 63, 14), "odd length refused");
	}
}

/* ---------------------------------------------------------------------
 * postgresql-hll interchange
 * --------------------------------------------------------------------- */

static uint8_t *
hll_of(const char *hex, size_t *len)
{
	uint8_t    *b = malloc(strlen(hex) / 2 + 1);
	int			n = hex_decode(hex, b, strlen(hex) / 2);

	*len = (size_t) n;
	return b;
}

static Sk
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

static uint8_t *
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

static char *
to_hex(const uint8_t *b, size_t n)
{
	char	   *s = malloc(2 * n + 1);
	size_t		i;

	for (i = 0; i < n; i++)
		sprintf(s + 2 * i, "%02x", b[i]);
	s[2 * n] = 0;
	return s;
}

/* u parts of a dense sketch, capped */
static int
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
	sk_free(&ra);
	sk_free(&rb);
	return same;
}

/* the raw DENSE form of a sketch at its precision (for comparing registers) */
static Sk
densify(const Sk *s)
{
	Sk			d;

	if (sk_is_dense(s))
		return sk_raw(s);
	d.len = 8 + ((size_t) 1 << s->b[1]);
	d.b = malloc(d.len);
	if (!reach_state_regrow(d.b, d.len, s->b, s->len) ||
		reach_validate(d.b, d.len) != NULL || d.b[2] != REACH_REP_DENSE)
		protocol_errors++;
	return d;
}

static void
test_hll(void)
{
	size_t		len;
	uint8_t    *hll;
	Sk			s;
	Sk			want;
	char	   *hex;

	/* select hll_empty(11,5,-1,1) */
	hll = hll_of("118b7f", &len);
	CHECK(reach_from_hll_check(hll, len) == NULL, "EMPTY accepted");
	s = sk_from_hll(hll, len);
	CHECK(s.len == 8 && s.b[1] == 11 && s.b[2] == REACH_REP_SPARSE && sk_estimate(&s) == 0,
		  "EMPTY imports as the empty p=11 sketch");
	sk_free(&s);
	free(hll);

	/* select hll_add_agg(hll_hash_bigint(v), 11, 5, -1, 1) from generate_series(1,5) v */
	hll = hll_of("128b7fb419d210486ab6c1de0820a06c76c0a8004403b7fb05c44a0fd4c5f69b6c771b5b3d5839b2488b0c", &len);
	CHECK(reach_from_hll_check(hll, len) == NULL, "EXPLICIT accepted");
	s = sk_from_hll(hll, len);
	{
		uint64_t   *h = int_hashes(1, 5);

		want = sk_of(11, h, 5);
		free(h);
	}
	CHECK(sk_equal(&s, &want), "EXPLICIT 1..5 imports exactly as reach_agg(1..5, 11)");
	CHECK(!(s.b[3] & REACH_FLAG_HLL_ONLY), "EXPLICIT import is not hll_only");
	sk_free(&s);
	sk_free(&want);
	free(hll);

	/* select hll_add_agg(hll_hash_text(s), 11, 5, -1, 1) from unnest(array['alice','bob','carol']) s */
	hll = hll_of("128b7fb51b1f0c60b4afddd4023cc5798841dc4f1a4f97e8b355aa", &len);
	s = sk_from_hll(hll, len);
	{
		uint64_t	h[3];

		h[0] = ie_hash_bytes("alice", 5);
		h[1] = ie_hash_bytes("bob", 3);
		h[2] = ie_hash_bytes("carol", 5);
		want = sk_of(11, h, 3);
	}
	CHECK(sk_equal(&s, &want), "EXPLICIT of text hashes imports exactly");
	sk_free(&s);
	sk_free(&want);
	free(hll);

	/*
	 * select hll_add_agg(hll_hash_bigint(v), 10, 4, 0, 1) from
	 * generate_series(1,20) v  -- SPARSE, regwidth 4
	 */
	hll = hll_of("136a401284a8536cce234645b61740e09294c6721b046c52ba170c2c6c7791e6c7a21ec87e61", &len);
	CHECK(reach_from_hll_check(hll, len) == NULL, "SPARSE accepted");
	s = sk_from_hll(hll, len);
	{
		uint64_t   *h = int_hashes(1, 20);
		Sk			w0 = sk_of(10, h, 20);

		want = densify(&w0);
		sk_free(&w0);
		free(h);
	}
	CHECK(s.b[2] == REACH_REP_DENSE_PACKED && (s.b[3] & REACH_FLAG_HLL_ONLY) && s.b[1] == 10 &&
		  reach_validate(s.b, s.len) == NULL && !reach_needs_canonicalize(s.b, s.len),
		  "SPARSE imports as a canonical hll_only dense p=10 (packed)");
	CHECK(same_u(&s, &want, 15), "SPARSE registers equal min(u, 15) of reach_agg(1..20, 10)");
	CHECK(fabs(sk_estimate(&s) - 20) < 2, "estimate of the SPARSE import: %.3f", sk_estimate(&s));
	sk_free(&s);
	sk_free(&want);
	free(hll);

	/*
	 * select hll_add_agg(hll_hash_bigint(v), 4, 3, 0, 0) from
	 * generate_series(1,100) v  -- FULL, regwidth 3
	 */
	hll = hll_of("144400b9f3a179baaa", &len);
	CHECK(reach_from_hll_check(hll, len) == NULL, "FULL w=3 accepted");
	s = sk_from_hll(hll, len);
	{
		uint64_t   *h = int_hashes(1, 100);

		want = sk_of(4, h, 100);
		free(h);
	}
	CHECK(same_u(&s, &want, 7), "FULL w=3 registers equal min(u, 7) of reach_agg(1..100, 4)");
	sk_free(&s);
	sk_free(&want);
	free(hll);

	/*
	 * select hll_add_agg(hll_hash_bigint(v), 6, 5, -1, 1) from
	 * generate_series(1,200) v  -- FULL, regwidth 5: also what we export
	 */
	{
		const char *ref = "14867f19086190831902938860204831842431825084461844418862188a4104a220c41194672086010c63";
		uint64_t   *h = int_hashes(1, 200);
		uint8_t    *out;
		size_t		olen;

		hll = hll_of(ref, &len);
		s = sk_from_hll(hll, len);
		want = sk_of(6, h, 200);
		CHECK(same_u(&s, &want, 31), "FULL w=5 registers equal u of reach_agg(1..200, 6)");
		out = sk_to_hll(&want, &olen, 0);
		hex = to_hex(out, olen);
		CHECK(strcmp(hex, ref) == 0, "export of reach_agg(1..200, 6) is hll's own bytes: %s", hex);
		free(hex);
		free(out);
		sk_free(&s);
		sk_free(&want);
		free(hll);
		free(h);
	}

	/*
	 * select hll_add_agg(hll_hash_bigint(v), 8, 5, -1, 1) from
	 * generate_series(1,40) v  -- SPARSE: also what we export
	 */
	{
		const char *ref = "13887f00081842441811908d847c84622b0970cd026c14a1a989542ac16013909d02ee2790cd86883507b20db07045861c51658f403aa5db2f09f88bcc1e817b08";
		uint64_t   *h = int_hashes(1, 40);
		uint8_t    *out;
		size_t		olen;
		Sk			d;

		want = sk_of(8, h, 40);
		CHECK(want.b[2] == REACH_REP_SPARSE, "40 values at p=8 stay sparse");
		out = sk_to_hll(&want, &olen, 0);
		hex = to_hex(out, olen);
		CHECK(strcmp(hex, ref) == 0, "export of sparse reach_agg(1..40, 8) is hll's own bytes: %s", hex);
		free(hex);
		free(out);
		/* and from the dense form of the same registers */
		d = densify(&want);
		out = sk_to_hll(&d, &olen, 0);
		hex = to_hex(out, olen);
		CHECK(strcmp(hex, ref) == 0, "export of the dense form gives the same bytes");
		free(hex);
		free(out);
		sk_free(&d);
		sk_free(&want);
		free(h);
	}

	/* round trip: export then import keeps the u registers, p = 4..17 */
	{
		int			p;
		int			bad = 0;

		for (p = 4; p <= 17; p++)
		{
			size_t		sizes[3] = {(size_t) 1 << (p - 3), (size_t) 3 << p, 50000};
			int			k;

			for (k = 0; k < 3; k++)
			{
				uint64_t   *h = stream(500 + p * 3 + k, sizes[k]);
				Sk			a = sk_of(p, h, sizes[k]);
				Sk			ad = densify(&a);
				uint8_t    *out = sk_to_hll(&a, &len, 0);
				Sk			b;

				if (reach_from_hll_check(out, len) != NULL)
					bad++;
				b = sk_from_hll(out, len);
				if (reach_validate(b.b, b.len) != NULL || !same_u(&ad, &b, 31) ||
					!(b.b[3] & REACH_FLAG_HLL_ONLY))
					bad++;
				free(out);
				sk_free(&a);
				sk_free(&ad);
				sk_free(&b);
				free(h);
			}
		}
		CHECK(bad == 0, "%d export/import round trips lost registers", bad);
	}

	/* p=18 exports at log2m 17 (hll's maximum): the p=17 sketch's hll */
	{
		uint64_t   *h = stream(1818, 300000);
		Sk			a = sk_of(18, h, 300000);
		Sk			b = sk_of(17, h, 300000);
		uint8_t    *oa;
		uint8_t    *ob;
		size_t		la;
		size_t		lb;

		oa = sk_to_hll(&a, &la, 0);
		ob = sk_to_hll(&b, &lb, 0);
		CHECK(la == lb && memcmp(oa, ob, la) == 0 && oa[1] == ((4 << 5) | 17),
			  "p=18 exports as log2m 17, folded exactly");
		free(oa);
		free(ob);
		/* an explicit log2m 11 export of p=17 equals the p=11 sketch's */
		sk_free(&a);
		a = sk_of(11, h, 300000);
		oa = sk_to_hll(&a, &la, 0);
		ob = sk_to_hll(&b, &lb, 11);
		CHECK(la == lb && memcmp(oa, ob, la) == 0, "export at a chosen log2m folds exactly");
		free(oa);
		free(ob);
		CHECK(reach_to_hll_size(b.b, b.len, 18) == 0 && reach_to_hll_size(b.b, b.len, 3) == 0,
			  "export log2m outside 4..min(p,17) refused");
		sk_free(&a);
		sk_free(&b);
		free(h);
	}

	/* empty exports as EMPTY */
	{
		uint8_t		e[8];
		Sk			es;
		uint8_t    *out;

		reach_init_empty(e, 8, 14);
		es.b = e;
		es.len = 8;
		out = sk_to_hll(&es, &len, 0);
		CHECK(len == 3 && out[0] == 0x11 && out[1] == ((4 << 5) | 14) && out[2] == 0x7f,
			  "empty sketch exports as EMPTY");
		free(out);
	}

	/* import folds log2m > 18 down to 18: a hand-built FULL at log2m 20 */
	{
		size_t		m20 = (size_t) 1 << 20;
		size_t		n = 400000;
		uint64_t   *h = stream(2020, n);
		uint8_t    *regs = model_registers(20, h, n, 1);
		size_t		hl = 3 + (5 * m20 + 7) / 8;
		uint8_t    *hb = calloc(hl, 1);
		size_t		i;
		Sk			got;
		Sk			w18 = sk_of(18, h, n);

		hb[0] = 0x14;
		hb[1] = (4 << 5) | 20;
		hb[2] = 0x7f;
		for (i = 0; i < m20; i++)
		{
			unsigned	u = regs[i] >> 2;
			uint64_t	pos = (uint64_t) i * 5;
			int			bit;

			if (u > 31)
				u = 31;
			for (bit = 4; bit >= 0; bit--, pos++)
				if ((u >> bit) & 1)
					hb[3 + pos / 8] |= (uint8_t) (0x80 >> (pos % 8));
		}
		CHECK(reach_from_hll_check(hb, hl) == NULL, "FULL log2m 20 accepted: %s",
			  reach_from_hll_check(hb, hl) ? reach_from_hll_check(hb, hl) : "");
		got = sk_from_hll(hb, hl);
		CHECK(got.b[1] == 18 && same_u(&got, &w18, 31), "log2m 20 folds to the p=18 registers");
		sk_free(&got);
		sk_free(&w18);
		free(hb);
		free(regs);
		free(h);
	}

	/* an EXPLICIT with more tokens than the sparse limit imports dense */
	{
		size_t		n = 40;
		uint64_t   *h = stream(77, n);
		uint8_t    *hb = malloc(3 + 8 * n);
		size_t		i;
		int64_t    *sorted = malloc(sizeof(int64_t) * n);
		Sk			got;
		Sk			w;

		for (i = 0; i < n; i++)
			sorted[i] = (int64_t) h[i];
		/* insertion sort as signed */
		for (i = 1; i < n; i++)
		{
			int64_t		v = sorted[i];
			size_t		j = i;

			while (j > 0 && sorted[j - 1] > v)
			{
				sorted[j] = sorted[j - 1];
				j--;
			}
			sorted[j] = v;
		}
		hb[0] = 0x12;
		hb[1] = (4 << 5) | 5;	/* log2m 5: limit 8 tokens */
		hb[2] = 0x7f;
		for (i = 0; i < n; i++)
		{
			int			k;

			for (k = 0; k < 8; k++)
				hb[3 + 8 * i + k] = (uint8_t) ((uint64_t) sorted[i] >> (56 - 8 * k));
		}
		got = sk_from_hll(hb, 3 + 8 * n);
		w = sk_of(5, h, n);
		CHECK(got.b[2] == REACH_REP_DENSE && sk_equal(&got, &w),
			  "EXPLICIT of 40 at log2m 5 imports as the dense reach_agg");
		/* out of order explicit elements are rejected */
		memcpy(hb + 3, sorted + 0, 0);
		{
			uint8_t		t[8];

			memcpy(t, hb + 3, 8);
			memcpy(hb + 3, hb + 11, 8);
			memcpy(hb + 11, t, 8);
		}
		CHECK(reach_from_hll_check(hb, 3 + 8 * n) != NULL, "unsorted EXPLICIT rejected");
		sk_free(&got);
		sk_free(&w);
		free(sorted);
		free(hb);
		free(h);
	}

	/* hll_only is sticky and merging takes max u with history cleared */
	{
		uint64_t   *h = stream(808, 20000);
		Sk			a = sk_of(10, h, 10000);
		uint8_t    *out = sk_to_hll(&a, &len, 0);
		Sk			imp = sk_from_hll(out, len);
		Sk			b = sk_of(10, h + 5000, 15000);
		Sk			all = sk_of(10, h, 20000);
		Sk			m = sk_copy(&b);
		Sk			c;
		size_t		i;
		int			hist = 0;

		sk_merge(&m, &imp);
		c = sk_canon(&m);
		CHECK((c.b[3] & REACH_FLAG_HLL_ONLY) && same_u(&c, &all, 31),
			  "ULL (+) hll_only = hll_only union of u registers");
		{
			Sk			r = sk_raw(&c);

			for (i = 0; i < 1024; i++)
				hist |= r.b[8 + i] & 3;
			sk_free(&r);
		}
		CHECK(hist == 0, "no history bits in an hll_only result");
		sk_free(&c);
		sk_free(&m);
		/* the other way round, and with a sparse state */
		m = sk_copy(&imp);
		sk_merge(&m, &b);
		c = sk_canon(&m);
		CHECK((c.b[3] & REACH_FLAG_HLL_ONLY) && same_u(&c, &all, 31), "hll_only (+) ULL");
		sk_free(&c);
		sk_free(&m);
		{
			Sk			small = sk_of(10, h, 10);

			m = sk_copy(&small);
			sk_merge(&m, &imp);
			c = sk_canon(&m);
			CHECK((c.b[3] & REACH_FLAG_HLL_ONLY) && sk_is_dense(&c),
				  "sparse (+) hll_only is hll_only dense");
			sk_free(&c);
			sk_free(&m);
			sk_free(&small);
		}
		/* adding to an hll_only state keeps it hll_only */
		m = sk_copy(&imp);
		sk_add_all(&m, h + 10000, 10000);
		CHECK(reach_validate(m.b, m.len) == NULL && (m.b[3] & REACH_FLAG_HLL_ONLY) &&
			  same_u(&m, &all, 31), "adds to an hll_only state");
		sk_free(&m);
		free(out);
		sk_free(&a);
		sk_free(&imp);
		sk_free(&b);
		sk_free(&all);
		free(h);
	}

	/* hostile hll bytes */
	{
		const char *bad[] = {
			"",					/* too short */
			"11",				/* too short */
			"218b7f",			/* schema version 2 */
			"108b7f",			/* undefined */
			"158b7f",			/* unknown type */
			"118bff",			/* padding bit of the cutoff byte */
			"118b60",			/* cutoff 32 */
			"118b7f00",			/* empty with data */
			"128b7f0000",		/* explicit not a multiple of 8 */
			"128b7f00000000000000020000000000000001",	/* explicit descending */
			"128b7f00000000000000010000000000000001",	/* explicit repeated */
			"14837f00",			/* full log2m 3 */
			"14847f0000000000000000000000",	/* full log2m 4 w5: 10 bytes expected, 11 */
			"13847f0801",		/* sparse: nonzero padding bits */
			"14847fff00000000000000000000"	/* full: too long */
		};
		size_t		i;
		int			acc = 0;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		{
			uint8_t    *hb = hll_of(bad[i], &len);
			uint8_t    *c = malloc(len ? len : 1);

			memcpy(c, hb, len);
			if (reach_from_hll_check(c, len) == NULL)
			{
				acc++;
				fprintf(stderr, "  accepted hostile hll %s\n", bad[i]);
			}
			free(c);
			free(hb);
		}
		CHECK(acc == 0, "%d hostile hll values accepted", acc);

		/* a FULL register above 65 - log2m: log2m 4 regwidth 6, value 62 */
		{
			uint8_t		f[3 + 12];

			memset(f, 0, sizeof(f));
			f[0] = 0x14;
			f[1] = (5 << 5) | 4;
			f[2] = 0x7f;
			CHECK(reach_from_hll_check(f, sizeof(f)) == NULL, "zero FULL w6 accepted");
			f[3] = 62 << 2;		/* register 0 = 62 > 61 */
			CHECK(reach_from_hll_check(f, sizeof(f)) != NULL, "FULL register 62 at log2m 4 rejected");
			f[3] = 61 << 2;
			CHECK(reach_from_hll_check(f, sizeof(f)) == NULL, "FULL register 61 at log2m 4 accepted");
		}
		/*
		 * log2m 4, regwidth 1: 5-bit words (3,1) (9,1) = 00111 10011 and six
		 * zero padding bits, which hold a whole (0,0) word
		 */
		{
			uint8_t		sp[] = {0x13, 0x04, 0x7f, 0x3c, 0xc0};
			Sk			r;

			CHECK(reach_from_hll_check(sp, sizeof(sp)) == NULL,
				  "SPARSE with a word-sized padding accepted: %s",
				  reach_from_hll_check(sp, sizeof(sp)) ? reach_from_hll_check(sp, sizeof(sp)) : "");
			r = sk_from_hll(sp, sizeof(sp));
			{
				Sk			x = sk_raw(&r);

				CHECK(r.b[2] == REACH_REP_DENSE_PACKED && x.len == 8 + 16 &&
					  x.b[8 + 3] == 4 && x.b[8 + 9] == 4 &&
					  x.b[8 + 0] == 0 && x.b[8 + 1] == 0, "its registers 3 and 9 hold u = 1");
				sk_free(&x);
			}
			sk_free(&r);
		}
		/* sparse with descending indices (log2m 4, w 4: 8-bit words) */
		{
			uint8_t		sp[] = {0x13, (3 << 5) | 4, 0x7f, 0x21, 0x11};

			CHECK(reach_from_hll_check(sp, sizeof(sp)) != NULL, "SPARSE out of order rejected");
			sp[3] = 0x11;
			sp[4] = 0x21;
			CHECK(reach_from_hll_check(sp, sizeof(sp)) == NULL, "SPARSE in order accepted");
		}

		/* truncations and mutations of valid hll values never crash */
		{
			const char *good[] = {
				"14867f19086190831902938860204831842431825084461844418862188a4104a220c41194672086010c63",
				"13887f00081842441811908d847c84622b0970cd026c14a1a989542ac16013909d02ee2790cd86883507b20db07045861c51658f403aa5db2f09f88bcc1e817b08",
				"128b7fb419d210486ab6c1de0820a06c76c0a8004403b7fb05c44a0fd4c5f69b6c771b5b3d5839b2488b0c",
			};
			uint64_t	rng = 5;
			int			k;
			int			truncated_ok = 0;

			for (k = 0; k < 3; k++)
			{
				size_t		l;
				int			it;
				uint8_t    *g = hll_of(good[k], &len);

				for (l = 0; l < len; l++)
				{
					uint8_t    *c = malloc(l ? l : 1);

					memcpy(c, g, l);
					if (reach_from_hll_check(c, l) == NULL)
						truncated_ok++;
					free(c);
				}
				for (it = 0; it < 3000; it++)
				{
					uint8_t    *c = malloc(len);

					memcpy(c, g, len);
					c[splitmix64(&rng) % len] ^= (uint8_t) (1 + splitmix64(&rng) % 255);
					if (reach_from_hll_check(c, len) == NULL)
					{
						Sk			r = sk_from_hll(c, len);

						if (reach_validate(r.b, r.len) != NULL)
							protocol_errors++;
						sk_free(&r);
					}
					free(c);
				}
				free(g);
			}
			/* a SPARSE cut at a word boundary is still a valid SPARSE */
			CHECK(truncated_ok <= 40, "%d truncated hll values accepted", truncated_ok);
		}
	}
	CHECK(protocol_errors == 0, "protocol errors: %d", protocol_errors);
}

/* ---------------------------------------------------------------------
 * edge cases of estimation, merging and export
 * --------------------------------------------------------------------- */

static void
test_edges(void)
{
	uint8_t    *d = calloc(8 + 1024, 1);
	Sk			z;
	size_t		len;
	uint8_t    *out;

	/* an all-zero dense value (valid, e.g. imported) estimates 0 */
	d[0] = 1;
	d[1] = 10;
	d[2] = REACH_REP_DENSE;
	z.b = d;
	z.len = 8 + 1024;
	CHECK(reach_validate(d, z.len) == NULL && reach_estimate(d, z.len) == 0,
		  "all-zero dense estimates 0");
	d[3] = REACH_FLAG_HLL_ONLY;
	CHECK(reach_validate(d, z.len) == NULL && reach_estimate(d, z.len) == 0,
		  "all-zero hll_only estimates 0");
	/* and exports as EMPTY */
	out = sk_to_hll(&z, &len, 0);
	CHECK(len == 3 && out[0] == 0x11, "all-zero dense exports as EMPTY");
	free(out);

	/* saturated registers: infinite, not NaN or negative */
	memset(d + 8, (55 << 2) | 3, 1024);
	d[3] = 0;
	CHECK(reach_validate(d, z.len) == NULL && isinf(reach_estimate(d, z.len)),
		  "fully saturated ULL estimates +inf: %g", reach_estimate(d, z.len));
	memset(d + 8, 55 << 2, 1024);
	d[3] = REACH_FLAG_HLL_ONLY;
	CHECK(isinf(reach_estimate(d, z.len)), "fully saturated HLL estimates +inf");
	/* a few registers at the top value: finite and monotone */
	{
		uint64_t   *h = stream(4, 20000);
		Sk			sp = sk_of(10, h, 20000);
		uint8_t    *hx = sk_to_hll(&sp, &len, 0);
		Sk			impp = sk_from_hll(hx, len);
		Sk			s = sk_raw(&sp);
		Sk			imp = sk_raw(&impp);
		double		e0 = sk_estimate(&sp);
		double		i0 = sk_estimate(&impp);

		CHECK(e0 == sk_estimate(&s) && i0 == sk_estimate(&imp),
			  "packed and raw forms estimate the same");
		sk_free(&sp);
		sk_free(&impp);

		s.b[8 + 3] = (55 << 2) | 3;
		imp.b[8 + 3] = 55 << 2;
		CHECK(isfinite(sk_estimate(&s)) && sk_estimate(&s) >= e0,
			  "ULL with a top register: %g >= %g", sk_estimate(&s), e0);
		CHECK(isfinite(sk_estimate(&imp)) && sk_estimate(&imp) >= i0,
			  "HLL with a top register: %g >= %g", sk_estimate(&imp), i0);
		free(hx);
		sk_free(&imp);
		sk_free(&s);
		free(h);
	}

	/* a sparse value merged into an hll_only dense state */
	{
		uint64_t   *h = stream(6, 30000);
		Sk			big = sk_of(12, h, 20000);
		Sk			small = sk_of(12, h + 20000, 500);
		Sk			all = sk_of(12, h, 20500);
		uint8_t    *hx = sk_to_hll(&big, &len, 0);
		Sk			imp = sk_from_hll(hx, len);
		Sk			c;

		CHECK(small.b[2] == REACH_REP_SPARSE, "500 values at p=12 are sparse");
		sk_merge(&imp, &small);
		c = sk_canon(&imp);
		CHECK((c.b[3] & REACH_FLAG_HLL_ONLY) && same_u(&c, &all, 31),
			  "hll_only (+) sparse adds the tokens' u values");
		sk_free(&c);
		free(hx);
		sk_free(&imp);
		sk_free(&big);
		sk_free(&small);
		sk_free(&all);
		free(h);
	}

	/* a sparse sketch exported at a low log2m comes out FULL */
	{
		uint64_t   *h = stream(8, 3000);
		Sk			s = sk_of(14, h, 3000);
		Sk			w = sk_of(8, h, 3000);
		uint8_t    *a;
		uint8_t    *b;
		size_t		la;
		size_t		lb;

		a = sk_to_hll(&s, &la, 8);
		b = sk_to_hll(&w, &lb, 0);
		CHECK(s.b[2] == REACH_REP_SPARSE && a[0] == 0x14 && la == lb && memcmp(a, b, la) == 0,
			  "sparse p=14 exported at log2m 8 is the FULL hll of the p=8 sketch");
		free(a);
		free(b);
		sk_free(&s);
		sk_free(&w);
		free(h);
	}

	/* regrow refuses sizes it cannot honour */
	{
		Sk			s = sk_of(10, (const uint64_t[]) {1, 2, 3}, 3);
		uint8_t		buf[8 + 4096];

		CHECK(!reach_state_regrow(buf, 8 + 4096, s.b, s.len),
			  "regrow to a dense precision above the source's refused");
		CHECK(!reach_state_regrow(buf, 8 + 4, s.b, s.len),
			  "regrow to a buffer too small for the tokens refused");
		CHECK(reach_state_regrow(buf, 8 + 256, s.b, s.len) && buf[1] == 8 &&
			  buf[2] == REACH_REP_DENSE, "regrow of sparse to dense at a lower precision");
		sk_free(&s);
	}
	free(d);
}

/* ---------------------------------------------------------------------
 * info
 * --------------------------------------------------------------------- */

static void
test_info(void)
{
	uint64_t   *h = stream(11, 3000);
	Sk			s = sk_of(12, h, 100);
	Sk			d = sk_of(10, h, 3000);
	ReachInfo	info;

	reach_get_info(s.b, s.len, &info);
	CHECK(info.precision == 12 && info.representation == REACH_REP_SPARSE &&
		  strcmp(info.representation_name, "sparse") == 0 && info.tokens == 100 &&
		  info.bytes == 8 + 400 && !info.hll_only && info.registers == 4096 &&
		  info.sparse_limit == 1024, "sparse info");
	reach_get_info(d.b, d.len, &info);
	CHECK(info.precision == 10 && strcmp(info.representation_name, "dense_packed") == 0 &&
		  info.representation == REACH_REP_DENSE_PACKED &&
		  info.nonzero_registers > 900 && info.nonzero_registers <= 1024 &&
		  info.bytes == d.len && d.len < 8 + 1024 && info.tokens == 0, "packed info");
	{
		Sk			r = sk_raw(&d);
		ReachInfo	ri;
		size_t		i;
		uint32_t	nz = 0;

		for (i = 0; i < 1024; i++)
			nz += r.b[8 + i] != 0;
		reach_get_info(r.b, r.len, &ri);
		CHECK(ri.precision == 10 && strcmp(ri.representation_name, "dense") == 0 &&
			  ri.nonzero_registers == nz && info.nonzero_registers == nz &&
			  ri.bytes == 8 + 1024 && ri.tokens == 0, "dense info");
		CHECK(reach_relative_standard_error(r.b, r.len) ==
			  reach_relative_standard_error(d.b, d.len), "packed and raw RSE agree");
		sk_free(&r);
	}
	CHECK(reach_estimate(s.b, s.len) > 99.9, "sparse estimate");
	{
		Sk			st = sk_state(12);

		sk_add(&st, 1);
		reach_get_info(st.b, st.len, &info);
		CHECK(strcmp(info.representation_name, "sparse_buffer") == 0 && info.tokens == 1 &&
			  reach_needs_canonicalize(st.b, st.len) && reach_estimate(st.b, st.len) < 0,
			  "buffer info; estimate asks for canonicalization");
		sk_free(&st);
	}
	sk_free(&s);
	sk_free(&d);
	free(h);
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_registers_match_model();
	test_sparse_exact();
	test_sparse_model();
	test_validate();
	test_outputs_validate();
	test_order_split_independence();
	test_merge_union_and_fold();
	test_hll();
	test_edges();
	test_info();
	test_accuracy_p(10);
	test_accuracy_p(12);
	test_no_bias_bump();
	test_hll_only_accuracy();
	return unit_report(argv[0]);
}
