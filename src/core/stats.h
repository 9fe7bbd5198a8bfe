/*
 * stats.h — the statistics behind the metric functions, in plain C.
 *
 * Callers validate arguments (and raise their own errors) before calling;
 * these functions assume finite inputs with 0 <= successes <= trials,
 * trials > 0 and 0 < confidence < 1.
 */
#ifndef IMPRESSION_EXT_STATS_H
#define IMPRESSION_EXT_STATS_H

/* Standard normal CDF and its inverse (quantile function). */
extern double ie_normal_cdf(double z);
extern double ie_normal_quantile(double p);

/*
 * z of a two-sided interval at the given confidence, from the tail
 * probability (1 - confidence) / 2, so that it stays finite for every
 * confidence below 1 that a double can hold (0.9999999999999999: 8.3)
 * instead of overflowing as the quantile of 0.5 + confidence / 2 does.
 */
extern double ie_two_sided_z(double confidence);

/* Wilson score interval for a binomial proportion, two-sided. */
extern void ie_wilson_interval(double successes, double trials,
							   double confidence,
							   double *lower, double *upper);

/*
 * Two-sided p-value of the pooled two-proportion z-test of
 * successes_a/trials_a against successes_b/trials_b.
 */
extern double ie_two_proportion_p_value(double successes_a, double trials_a,
										double successes_b, double trials_b);

#endif
