/*
 * test_frequency_estimate.c — unit tests of the estimates
 * (src/core/frequency_estimate.c): accuracy when sampling, intersection
 * and difference.
 */
#include "frequency_test_util.h"

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
		buf_free(&sk);
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
	buf_free(&sa);
	buf_free(&sb);
	buf_free(&sc);
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
			buf_free(&sx);
			buf_free(&sy);
			buf_free(&sz);
			free(x);
			free(y);
			free(z);
		}
	}
	buf_free(&empty);
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_set_operations();
	test_accuracy(1024, 20000 / SCALE, 6 / (SCALE > 1 ? 3 : 1));
	test_accuracy(1024, 200000 / SCALE, 3);
	test_accuracy(4096, 50000 / SCALE, 6 / (SCALE > 1 ? 3 : 1));
	test_accuracy(4096, 200000 / SCALE, 4 / (SCALE > 1 ? 2 : 1));
	CHECK(protocol_errors == 0, "protocol errors %d", protocol_errors);
	return sketch_report(argv[0]);
}
