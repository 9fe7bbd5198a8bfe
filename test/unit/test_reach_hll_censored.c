/*
 * test_reach_hll_censored.c — postgresql-hll values whose registers
 * saturate (register width 1..5): imported as censored registers, estimated
 * as censored, kept censored through unions, folds and adds, validated,
 * and exported at the width they came in.
 *
 * The hll values are written here by a second implementation of hll's
 * FULL layout (test_reach_hll.c checks the parser against literal bytes
 * of the real postgresql-hll): register j of log2m L is
 * min(1 + trailing zeros of (hash >> L), 2^w - 1), packed w bits each from
 * the top bit of the first byte.
 */
#include "reach_test_util.h"

#include <math.h>

/* an hll FULL value of the hashes at log2m L, register width w */
static uint8_t *
hll_full_of(const uint64_t *h, size_t n, unsigned L, unsigned w, size_t *len)
{
	size_t		m = (size_t) 1 << L;
	uint8_t    *regs = calloc(m, 1);
	size_t		bytes = (w * m + 7) / 8;
	uint8_t    *out = calloc(3 + bytes, 1);
	unsigned	cap = (1u << w) - 1;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		uint64_t	rest = h[i] >> L;
		unsigned	rho = 1;

		if (h[i] == 0)
			continue;			/* hll's register modes ignore hash 0 */
		while (rho <= 64 - L && !(rest & 1))
		{
			rest >>= 1;
			rho++;
		}
		if (rho > cap)
			rho = cap;
		if (rho > regs[h[i] & (m - 1)])
			regs[h[i] & (m - 1)] = (uint8_t) rho;
	}
	out[0] = 0x14;
	out[1] = (uint8_t) (((w - 1) << 5) | L);
	out[2] = 0x7f;
	for (i = 0; i < m; i++)
	{
		unsigned	b;

		for (b = 0; b < w; b++)
			if (regs[i] & (1u << (w - 1 - b)))
			{
				size_t		pos = i * w + b;

				out[3 + pos / 8] |= (uint8_t) (0x80 >> (pos % 8));
			}
	}
	free(regs);
	*len = 3 + bytes;
	return out;
}

static unsigned
censor_of(const Sk *s)
{
	return s->b[3] >> REACH_FLAG_CENSOR_SHIFT;
}

/* the smallest and the largest u of a dense value */
static void
u_range(const Sk *s, unsigned *lo, unsigned *hi)
{
	Sk			r = sk_raw(s);
	size_t		m = (size_t) 1 << s->b[1];
	size_t		i;

	*lo = 255;
	*hi = 0;
	for (i = 0; i < m; i++)
	{
		unsigned	u = r.b[8 + i] >> 2;

		*lo = u < *lo ? u : *lo;
		*hi = u > *hi ? u : *hi;
	}
	buf_free(&r);
}

static unsigned
max_u(const Sk *s)
{
	unsigned	lo;
	unsigned	hi;

	u_range(s, &lo, &hi);
	return hi;
}

/* hashes of n values from a seeded stream (no hash 0 in practice) */
static uint64_t *
hashes(uint64_t seed, size_t n)
{
	return stream(seed, n);
}

/*
 * The estimate of an import, width 1..5, against the truth: within five of
 * its own standard errors, which must themselves be plausible.  Before
 * censoring, width 1 at log2m 14 read 100,000 values as 23,591.
 */
static void
test_estimates(void)
{
	static const size_t ns[] = {1000, 10000, 100000, 1000000};
	unsigned	w;
	size_t		k;
	int			saturated = 0;
	int			capped = 0;

	for (w = 1; w <= 5; w++)
		for (k = 0; k < sizeof(ns) / sizeof(ns[0]); k++)
		{
			size_t		n = ns[k];
			uint64_t   *h = hashes(1000 * w + k, n);
			size_t		len;
			uint8_t    *hll = hll_full_of(h, n, 14, w, &len);
			Sk			s = sk_from_hll(hll, len);
			double		e = sk_estimate(&s);
			double		rse = reach_relative_standard_error(s.b, s.len);
			unsigned	lo;
			unsigned	hi;

			CHECK(reach_validate(s.b, s.len) == NULL, "w=%u n=%zu import validates", w, n);
			/* censored only when a register reached the cap: else exact */
			CHECK(censor_of(&s) == (max_u(&s) == (1u << w) - 1 ? (1u << w) - 1 : 0),
				  "w=%u n=%zu import's cap %u, largest register %u", w, n, censor_of(&s), max_u(&s));
			capped += censor_of(&s) != 0;
			if (u_range(&s, &lo, &hi), lo == (1u << w) - 1)
			{
				/* every register saturated: a finite floor, unbounded error */
				CHECK(isfinite(e) && e < (double) n && isinf(rse),
					  "w=%u n=%zu saturated: estimate %.0f, rse %g", w, n, e, rse);
				saturated++;
			}
			else
			{
				CHECK(fabs(e - (double) n) <= 5 * rse * (double) n,
					  "w=%u n=%zu: estimate %.0f, rse %.4f", w, n, e, rse);
				CHECK(rse >= 1.04 / 128 && rse < 0.5, "w=%u n=%zu: rse %.4f is plausible", w, n, rse);
			}
			free(hll);
			free(h);
			buf_free(&s);
		}
	/* width 1 and 2 at a million values fill every register (m ln m ~ 170,000) */
	CHECK(saturated == 2, "%d saturated imports, 2 expected", saturated);
	/* widths 1..3 reach their cap at every n here, 4 from 10^6 (15 ~ log2 of 16384 * 2^14 / n) */
	CHECK(capped >= 13, "%d of 20 imports censored", capped);

	/*
	 * Width 1 is a bitmap: linear counting, whose standard error at load
	 * t = n/m is sqrt(m (e^t - t - 1)) / n (Whang et al. 1990).
	 */
	{
		uint64_t   *h = int_hashes(1, 100000);
		size_t		len;
		uint8_t    *hll = hll_full_of(h, 100000, 14, 1, &len);
		Sk			s = sk_from_hll(hll, len);
		double		e = sk_estimate(&s);
		double		t = e / 16384;
		double		lc = sqrt(16384 * (expm1(t) - t)) / e;
		double		rse = reach_relative_standard_error(s.b, s.len);

		CHECK(fabs(e - 100000) < 8000, "width 1, 100,000 values: estimate %.0f", e);
		CHECK(fabs(rse / lc - 1) < 1e-6, "width 1: rse %.5f equals linear counting's %.5f", rse, lc);
		free(hll);
		free(h);
		buf_free(&s);
	}

	/* width 6 at log2m 14 saturates at 63 > 51: nothing censored */
	{
		uint64_t   *h = hashes(77, 5000);
		size_t		len;
		uint8_t    *hll = hll_full_of(h, 5000, 14, 6, &len);
		Sk			s = sk_from_hll(hll, len);

		CHECK(censor_of(&s) == 0 && (s.b[3] & REACH_FLAG_HLL_ONLY),
			  "width 6 import is hll_only, not censored (flags 0x%02x)", s.b[3]);
		CHECK(fabs(reach_relative_standard_error(s.b, s.len) - 1.04 / 128) < 1e-12,
			  "uncensored hll_only rse stays 1.04/sqrt(m)");
		free(hll);
		free(h);
		buf_free(&s);
	}
}

/*
 * Over many trials, the error of censored estimates is what
 * reach_relative_standard_error says, and unbiased: width 1..3 at
 * log2m 10, loads where most registers sit at the cap.
 */
static void
test_censored_accuracy(void)
{
	static const struct
	{
		unsigned	w;
		double		load;
	}			cases[] = {{1, 3}, {2, 4}, {2, 12}, {3, 60}};
	int			trials = 300;
	size_t		k;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++)
	{
		size_t		n = (size_t) (cases[k].load * 1024);
		double		sum = 0;
		double		sum2 = 0;
		double		rse_sum = 0;
		double		rmse;
		double		mean;
		double		rse;
		int			t;

		for (t = 0; t < trials; t++)
		{
			uint64_t   *h = hashes(7919 * (k + 1) + (uint64_t) t, n);
			size_t		len;
			uint8_t    *hll = hll_full_of(h, n, 10, cases[k].w, &len);
			Sk			s = sk_from_hll(hll, len);
			double		err = sk_estimate(&s) / (double) n - 1;

			sum += err;
			sum2 += err * err;
			rse_sum += reach_relative_standard_error(s.b, s.len);
			free(hll);
			free(h);
			buf_free(&s);
		}
		rmse = sqrt(sum2 / trials);
		mean = sum / trials;
		rse = rse_sum / trials;
		printf("  censored w=%u load %.0f: RMSE %.4f, reported RSE %.4f, bias %+.5f\n",
			   cases[k].w, cases[k].load, rmse, rse, mean);
		CHECK(rmse / rse > 0.8 && rmse / rse < 1.25,
			  "w=%u load %.0f: RMSE %.4f vs reported RSE %.4f", cases[k].w, cases[k].load, rmse, rse);
		CHECK(fabs(mean) <= 3 * rmse / sqrt(trials) + 1e-3,
			  "w=%u load %.0f: bias %+.5f", cases[k].w, cases[k].load, mean);
	}
}

/* unions: the lower cap wins, registers above it are clamped, any order */
static void
test_unions(void)
{
	uint64_t   *a = hashes(1, 50000);
	uint64_t   *b = hashes(2, 50000);
	size_t		la;
	size_t		lb;
	uint8_t    *ha = hll_full_of(a, 50000, 14, 2, &la);
	uint8_t    *hb = hll_full_of(b, 50000, 14, 4, &lb);
	Sk			sa = sk_from_hll(ha, la);
	Sk			sb = sk_from_hll(hb, lb);
	Sk			native = sk_of(14, b, 50000);
	Sk			native12 = sk_of(12, b, 50000);
	Sk			ab = sk_state(14);
	Sk			ba = sk_state(14);
	Sk			an = sk_state(14);
	Sk			a12 = sk_state(14);
	Sk			c1;
	Sk			c2;
	uint64_t   *both = malloc(sizeof(uint64_t) * 100000);
	size_t		lab;
	uint8_t    *hab;
	Sk			want;

	memcpy(both, a, sizeof(uint64_t) * 50000);
	memcpy(both + 50000, b, sizeof(uint64_t) * 50000);
	hab = hll_full_of(both, 100000, 14, 2, &lab);
	want = sk_from_hll(hab, lab);

	sk_merge(&ab, &sa);
	sk_merge(&ab, &sb);
	sk_merge(&ba, &sb);
	sk_merge(&ba, &sa);
	c1 = sk_canon(&ab);
	c2 = sk_canon(&ba);
	CHECK(buf_eq(&c1, &c2), "w=2 u w=4 gives the same bytes in either order");
	CHECK(censor_of(&c1) == 3 && max_u(&c1) == 3, "w=2 u w=4 is censored at 3 (cap %u, max u %u)",
		  censor_of(&c1), max_u(&c1));
	CHECK(buf_eq(&c1, &want), "w=2 u w=4 equals the w=2 hll of both sets");
	buf_free(&c1);
	buf_free(&c2);

	/* a native sketch joins the censored side: hll_only, cap 3 */
	sk_merge(&an, &native);
	sk_merge(&an, &sa);
	c1 = sk_canon(&an);
	CHECK(buf_eq(&c1, &want), "native u w=2 equals the w=2 hll of both sets");
	buf_free(&c1);

	/* a fold to 12: the cap moves up by 2, and equals the fold of the import */
	sk_merge(&a12, &sa);
	sk_merge(&a12, &native12);
	c1 = sk_canon(&a12);
	CHECK(c1.b[1] == 12 && censor_of(&c1) == 5 && max_u(&c1) <= 5,
		  "w=2 at 14 u native at 12: p %u, cap %u (want 12, 5)", c1.b[1], censor_of(&c1));
	{
		size_t		l12;
		uint8_t    *h12 = hll_full_of(both, 100000, 14, 2, &l12);
		Sk			fold = sk_state(12);
		Sk			cf;

		/* the hll of both at 14 folded to 12 by a merge into a p=12 state */
		Sk			imp = sk_from_hll(h12, l12);

		sk_merge(&fold, &native12);
		sk_merge(&fold, &imp);
		cf = sk_canon(&fold);
		CHECK(buf_eq(&c1, &cf), "folding commutes with the censored union");
		buf_free(&cf);
		buf_free(&fold);
		buf_free(&imp);
		free(h12);
	}
	buf_free(&c1);

	/* adding hashes to a censored state keeps every register at or under the cap */
	{
		Sk			st = sk_state(14);
		uint64_t   *more = hashes(3, 200000);

		sk_merge(&st, &sa);
		sk_add_all(&st, more, 200000);
		c1 = sk_canon(&st);
		CHECK(reach_validate(c1.b, c1.len) == NULL && censor_of(&c1) == 3 && max_u(&c1) == 3,
			  "adds to a censored state stay under its cap (max u %u)", max_u(&c1));
		buf_free(&c1);
		buf_free(&st);
		free(more);
	}

	free(a);
	free(b);
	free(both);
	free(ha);
	free(hb);
	free(hab);
	buf_free(&sa);
	buf_free(&sb);
	buf_free(&native);
	buf_free(&native12);
	buf_free(&ab);
	buf_free(&ba);
	buf_free(&an);
	buf_free(&a12);
	buf_free(&want);
}

/* an import exported at its own log2m gives hll's bytes back, at its width */
static void
test_export_round_trip(void)
{
	unsigned	w;

	for (w = 1; w <= 5; w++)
	{
		uint64_t   *h = hashes(40 + w, 200000);
		size_t		len;
		uint8_t    *hll = hll_full_of(h, 200000, 14, w, &len);
		Sk			s = sk_from_hll(hll, len);
		size_t		olen;
		uint8_t    *out = sk_to_hll(&s, &olen, 0);

		CHECK(olen == len && memcmp(out, hll, len) == 0,
			  "width %u: export of the import is the same hll value (%zu vs %zu bytes, width byte 0x%02x)",
			  w, olen, len, olen > 1 ? out[1] : 0);
		free(out);
		free(hll);
		free(h);
		buf_free(&s);
	}

	/* cap 5 after a fold (width 2 at 14, exported at 12): width 2, cap 3 */
	{
		uint64_t   *h = hashes(50, 100000);
		size_t		len;
		uint8_t    *hll = hll_full_of(h, 100000, 14, 2, &len);
		Sk			s = sk_from_hll(hll, len);
		size_t		olen;
		uint8_t    *out = sk_to_hll(&s, &olen, 12);
		Sk			back = sk_from_hll(out, olen);

		CHECK(olen > 3 && out[1] == ((1 << 5) | 12), "export at log2m 12 has width 2 (byte 0x%02x)",
			  olen > 1 ? out[1] : 0);
		CHECK(censor_of(&back) == 3 && max_u(&back) <= 3, "it imports back censored at 3");
		{
			size_t		rlen;
			uint8_t    *again = sk_to_hll(&back, &rlen, 0);

			CHECK(rlen == olen && memcmp(again, out, olen) == 0, "and exports the same bytes again");
			free(again);
		}
		free(out);
		free(hll);
		free(h);
		buf_free(&s);
		buf_free(&back);
	}
}

/*
 * A cap no register reaches (after a fold, registers at the cap can land
 * on indices whose folded value is small): nothing exported is censored,
 * so the export keeps width 5, and its import is the same uncensored
 * registers.
 */
static void
test_unreached_cap_export(void)
{
	uint8_t		b[8 + 16];
	size_t		olen;
	uint8_t    *out;
	Sk			s;
	Sk			back;
	Sk			again;

	memset(b, 0, sizeof(b));
	b[0] = 1;
	b[1] = 4;
	b[2] = REACH_REP_DENSE;
	b[3] = REACH_FLAG_HLL_ONLY | (7 << REACH_FLAG_CENSOR_SHIFT);
	b[8 + 5] = 4 << 2;
	b[8 + 9] = 1 << 2;
	s.b = dup(b, sizeof(b));
	s.len = sizeof(b);
	CHECK(validate_copy(s.b, s.len) == NULL, "dense p=4 with cap 7 and registers 4, 1 is valid");
	out = sk_to_hll(&s, &olen, 0);
	CHECK(olen > 3 && (out[1] >> 5) == REACH_HLL_REGWIDTH - 1, "its export has width 5 (byte 0x%02x)",
		  olen > 1 ? out[1] : 0);
	back = sk_from_hll(out, olen);
	CHECK(censor_of(&back) == 0 && same_u(&back, &s, 63), "its import is uncensored with the same registers");
	again.b = sk_to_hll(&back, &again.len, 0);
	CHECK(again.len == olen && memcmp(again.b, out, olen) == 0, "export -> import -> export is stable");
	free(out);
	buf_free(&s);
	buf_free(&back);
	buf_free(&again);
}

/* the validator's rules for the cap (docs/FORMAT.md, "Censored registers") */
static void
test_validation(void)
{
	uint64_t   *h = hashes(9, 100000);
	size_t		len;
	uint8_t    *hll = hll_full_of(h, 100000, 14, 2, &len);
	Sk			s = sk_from_hll(hll, len);
	Sk			r = sk_raw(&s);
	uint8_t    *c;

	CHECK(s.b[2] == REACH_REP_DENSE_PACKED || s.b[2] == REACH_REP_DENSE, "import is dense");
	CHECK(validate_copy(r.b, r.len) == NULL, "expanded import validates");

	c = dup(r.b, r.len);
	c[3] = REACH_FLAG_HLL_ONLY | (2 << REACH_FLAG_CENSOR_SHIFT);
	CHECK(validation_rejects(&reach_sketch_type, c, r.len), "a register above the cap is rejected");
	c[3] = 3 << REACH_FLAG_CENSOR_SHIFT;
	CHECK(validation_rejects(&reach_sketch_type, c, r.len), "a cap without hll_only is rejected");
	c[3] = REACH_FLAG_HLL_ONLY | (51 << REACH_FLAG_CENSOR_SHIFT);
	CHECK(validation_rejects(&reach_sketch_type, c, r.len), "cap 51 at p 14 is rejected (51 is no cap)");
	c[3] = REACH_FLAG_HLL_ONLY | (50 << REACH_FLAG_CENSOR_SHIFT);
	CHECK(!validation_rejects(&reach_sketch_type, c, r.len), "cap 50 at p 14 is accepted");
	c[3] = REACH_FLAG_HLL_ONLY | 0x02 | (3 << REACH_FLAG_CENSOR_SHIFT);
	CHECK(validation_rejects(&reach_sketch_type, c, r.len), "reserved flag bit 1 is rejected");
	free(c);

	if (s.b[2] == REACH_REP_DENSE_PACKED)
	{
		c = dup(s.b, s.len);
		c[3] = REACH_FLAG_HLL_ONLY | (2 << REACH_FLAG_CENSOR_SHIFT);
		CHECK(validation_rejects(&reach_sketch_type, c, s.len),
			  "a packed symbol above the cap is rejected");
		free(c);
	}
	{
		/* a cap on a sparse value */
		Sk			sp = sk_of(14, h, 10);

		c = dup(sp.b, sp.len);
		c[3] = 3 << REACH_FLAG_CENSOR_SHIFT;
		CHECK(validation_rejects(&reach_sketch_type, c, sp.len), "a cap on a sparse value is rejected");
		free(c);
		buf_free(&sp);
	}
	free(hll);
	free(h);
	buf_free(&s);
	buf_free(&r);
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_estimates();
	test_censored_accuracy();
	test_unions();
	test_export_round_trip();
	test_unreached_cap_export();
	test_validation();
	return sketch_report(argv[0]);
}
