/*
 * test_stats.c — unit tests of src/core/stats.c.
 *
 * Reference quantiles are the standard table values (to the digits printed
 * in any statistics text); the Wilson and z-test values come from
 * test/reference/metrics_reference.py, an independent implementation.
 */
#include <math.h>

#include "stats.h"
#include "unit.h"

static int
close_to(double a, double b, double tol)
{
	return fabs(a - b) <= tol;
}

int
main(int argc, char **argv)
{
	double		lo;
	double		hi;
	double		p;
	double		worst;
	int			i;

	(void) argc;

	/* table values of the standard normal quantile */
	CHECK(close_to(ie_normal_quantile(0.975), 1.959963984540054, 1e-14), "z(0.975) = %.17g", ie_normal_quantile(0.975));
	CHECK(close_to(ie_normal_quantile(0.995), 2.5758293035489004, 1e-14), "z(0.995) = %.17g", ie_normal_quantile(0.995));
	CHECK(close_to(ie_normal_quantile(0.95), 1.6448536269514722, 1e-14), "z(0.95) = %.17g", ie_normal_quantile(0.95));
	CHECK(ie_normal_quantile(0.5) == 0.0, "z(0.5) = %g", ie_normal_quantile(0.5));
	CHECK(close_to(ie_normal_quantile(0.025), -1.959963984540054, 1e-14), "z(0.025) = %.17g", ie_normal_quantile(0.025));
	/* deep tail: z(1e-10) = -6.361340902404056 */
	CHECK(close_to(ie_normal_quantile(1e-10), -6.361340902404056, 1e-12), "z(1e-10) = %.17g", ie_normal_quantile(1e-10));
	CHECK(isinf(ie_normal_quantile(0.0)) && ie_normal_quantile(0.0) < 0, "z(0)");
	CHECK(isinf(ie_normal_quantile(1.0)) && ie_normal_quantile(1.0) > 0, "z(1)");

	/* quantile inverts the CDF across the range */
	worst = 0.0;
	for (i = 1; i < 1000; i++)
	{
		double		q = i / 1000.0;
		double		err = fabs(ie_normal_cdf(ie_normal_quantile(q)) - q);

		if (err > worst)
			worst = err;
	}
	CHECK(worst <= 1e-15, "cdf(quantile(q)) is off by up to %g", worst);

	/* Wilson interval (reference script) */
	ie_wilson_interval(10, 100, 0.95, &lo, &hi);
	CHECK(close_to(lo, 0.055229137061, 1e-12) && close_to(hi, 0.174365661505, 1e-12), "wilson(10,100) = %.12f %.12f", lo, hi);
	ie_wilson_interval(0, 100, 0.95, &lo, &hi);
	CHECK(lo == 0.0 && close_to(hi, 0.036993498207, 1e-12), "wilson(0,100) = %.12f %.12f", lo, hi);
	ie_wilson_interval(100, 100, 0.95, &lo, &hi);
	CHECK(close_to(lo, 0.963006501793, 1e-12) && hi == 1.0, "wilson(100,100) = %.12f %.12f", lo, hi);
	ie_wilson_interval(81, 263, 0.99, &lo, &hi);
	CHECK(close_to(lo, 0.240136902688, 1e-12) && close_to(hi, 0.385282502318, 1e-12), "wilson(81,263,.99) = %.12f %.12f", lo, hi);
	ie_wilson_interval(5, 1e9, 0.95, &lo, &hi);
	CHECK(close_to(lo / 2.135701139e-09, 1.0, 1e-9) && close_to(hi / 1.170575763e-08, 1.0, 1e-9), "wilson(5,1e9) = %.10g %.10g", lo, hi);

	/* two-proportion z-test (reference script) */
	p = ie_two_proportion_p_value(120, 10000, 150, 10000);
	CHECK(close_to(p, 0.066034145546, 1e-12), "p = %.12f", p);
	p = ie_two_proportion_p_value(1000000000, 3000000000.0, 1000100000, 3000000000.0);
	CHECK(close_to(p, 0.006170541663, 1e-12), "p = %.12f", p);
	p = ie_two_proportion_p_value(100, 1e5, 200, 1e5);
	CHECK(close_to(p / 7.56667e-09, 1.0, 1e-5), "p = %.6g", p);
	CHECK(ie_two_proportion_p_value(0, 10, 0, 10) == 1.0, "both zero");
	CHECK(ie_two_proportion_p_value(10, 10, 10, 10) == 1.0, "both one");
	CHECK(ie_two_proportion_p_value(5, 100, 5, 100) == 1.0, "equal");

	return unit_report(argv[0]);
}
