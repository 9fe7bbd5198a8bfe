/*
 * test_reach_accuracy.c — unit tests of reach_sketch's estimators
 * (src/core/reach_registers.c): bias and error against the theoretical
 * RSE, sparse and dense, ULL and hll_only.
 */
#include "reach_test_util.h"

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
			buf_free(&c);
		}
		buf_free(&s);
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
			buf_free(&c);
		}
		buf_free(&s);
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
			buf_free(&c);
			buf_free(&s);
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

int
main(int argc, char **argv)
{
	(void) argc;
	test_accuracy_p(10);
	test_accuracy_p(12);
	test_no_bias_bump();
	test_hll_only_accuracy();
	return sketch_report(argv[0]);
}
