/*
 * stats.c — normal distribution, Wilson score interval, two-proportion
 * z-test.
 *
 * The quantile is found by Newton's method on the CDF built from libm's
 * erfc, which is accurate to a few ulps over the whole range, so the
 * quantile is as accurate as the CDF (no rational approximation tables).
 */
#include "stats.h"

#include <math.h>

/* spelled out: strict C99 <math.h> does not define M_SQRT2 or M_PI */
#define IE_SQRT2 1.41421356237309504880
#define IE_SQRT_2PI 2.50662827463100050242

double
ie_normal_cdf(double z)
{
	/* erfc keeps full relative precision in the lower tail */
	return 0.5 * erfc(-z / IE_SQRT2);
}

double
ie_normal_quantile(double p)
{
	double		q;
	double		z;
	double		sign = 1.0;
	int			i;

	if (p <= 0.0)
		return -INFINITY;
	if (p >= 1.0)
		return INFINITY;

	/*
	 * Work in the lower tail, where the CDF has full relative precision,
	 * and mirror for p > 0.5.
	 */
	q = p;
	if (q > 0.5)
	{
		q = 1.0 - p;
		sign = -1.0;
	}
	if (q == 0.5)
		return 0.0;

	/*
	 * Starting point from the logistic-like tail approximation
	 * z ~ -sqrt(-2 ln q), then Newton steps on ln(cdf(z)) - ln(q), which
	 * converge from below without overshooting into the upper tail.
	 */
	z = -sqrt(-2.0 * log(q));
	for (i = 0; i < 100; i++)
	{
		double		c = ie_normal_cdf(z);
		double		pdf = exp(-0.5 * z * z) / IE_SQRT_2PI;
		double		step;

		if (c <= 0.0 || pdf <= 0.0)
			break;
		step = (log(c) - log(q)) * c / pdf;
		z -= step;
		if (fabs(step) <= 1e-15 * (1.0 + fabs(z)))
			break;
	}
	return sign * z;
}

double
ie_two_sided_z(double confidence)
{
	return -ie_normal_quantile((1.0 - confidence) / 2.0);
}

void
ie_wilson_interval(double successes, double trials, double confidence,
				   double *lower, double *upper)
{
	double		z = ie_two_sided_z(confidence);
	double		z2 = z * z;
	double		phat = successes / trials;
	double		denom = 1.0 + z2 / trials;
	double		center = (phat + z2 / (2.0 * trials)) / denom;
	double		half = z / denom *
		sqrt(phat * (1.0 - phat) / trials + z2 / (4.0 * trials * trials));
	double		lo = center - half;
	double		hi = center + half;

	/*
	 * The interval is inside [0,1] mathematically, and at the ends it
	 * touches them exactly; rounding can leave a hair outside.
	 */
	if (successes <= 0.0 || lo < 0.0)
		lo = 0.0;
	if (successes >= trials || hi > 1.0)
		hi = 1.0;
	*lower = lo;
	*upper = hi;
}

double
ie_two_proportion_p_value(double successes_a, double trials_a,
						  double successes_b, double trials_b)
{
	double		pa = successes_a / trials_a;
	double		pb = successes_b / trials_b;
	double		pooled = (successes_a + successes_b) / (trials_a + trials_b);
	double		se = sqrt(pooled * (1.0 - pooled) *
						  (1.0 / trials_a + 1.0 / trials_b));
	double		z;

	/*
	 * With a pooled rate of 0 or 1 both groups have identical proportions:
	 * no evidence of a difference.
	 */
	if (!(se > 0.0))
		return 1.0;
	z = fabs(pa - pb) / se;
	return erfc(z / IE_SQRT2);
}
