/*
 * reach_curve.h — reach curves: how many people a campaign would reach with
 * more (or fewer) impressions, from what one frequency distribution shows.
 * Plain C, no postgres.h; the glue reads the distribution out of a
 * frequency_sketch (frequency_count_bins) and raises the errors.
 *
 * Two models, both fitted to one campaign's impressions I and reach R:
 *
 *	 goerg			the one-point model (Goerg 2014, as the WFA cross-media
 *					planning evaluation framework implements it): with
 *					rho = I R / (I - R), reach(I') = rho I' / (I' + rho) and
 *					k+ reach(I') = rho (I' / (I' + rho))^k.  Needs I > R.
 *	 gamma_poisson	each person's impressions are Poisson with a
 *					Gamma(shape, scale) rate; the zero-truncated negative
 *					binomial is fitted to the histogram by maximum
 *					likelihood, the universe is N = R / (1 - P(0)), and at I'
 *					the rates scale by I' / I: reach(I') = N (1 - P(0 at I')),
 *					k+ reach(I') = N P(X >= k at I').
 *
 * Both give R back at I' = I, by construction.
 */
#ifndef IMPRESSION_EXT_REACH_CURVE_H
#define IMPRESSION_EXT_REACH_CURVE_H

#include <stddef.h>
#include <stdint.h>

/* people (possibly a scaled sample) seen exactly `frequency` times */
typedef struct ReachCurveBin
{
	uint64_t	frequency;		/* >= 1 */
	double		people;			/* > 0 */
} ReachCurveBin;

typedef enum ReachCurveStatus
{
	REACH_CURVE_OK = 0,
	REACH_CURVE_EMPTY,			/* nobody reached: nothing to fit */
	REACH_CURVE_NO_REPEATS		/* impressions <= reach: every person seen once */
} ReachCurveStatus;

/* the fitted Gamma-Poisson population */
typedef struct GammaPoissonFit
{
	double		shape;			/* r of the Gamma rate */
	double		scale;			/* theta of the Gamma rate, at the fitted impressions */
	double		universe;		/* N: the people who could be reached */
	double		log_likelihood; /* of the zero-truncated fit, per weighted person */
} GammaPoissonFit;

/* the bounds of the shape search; at the upper one the model is Poisson */
#define REACH_CURVE_MIN_SHAPE	1e-4
#define REACH_CURVE_MAX_SHAPE	1e6

/* rho of the one-point model, or a status saying why there is none */
extern ReachCurveStatus goerg_rho(double impressions, double reach, double *rho);

/* k+ reach of the one-point model at `impressions` (k <= 1: the reach) */
extern double goerg_reach_at_least(double rho, double impressions, uint64_t k);

/*
 * Fit the zero-truncated negative binomial to bins[0..n) (distinct
 * frequencies, any order) by maximum likelihood, and the universe to
 * `reach`, the estimated people the bins describe.  The mean rate is
 * profiled out (at the optimum the truncated mean equals the observed
 * one), leaving a one-dimensional search over the shape, on a log grid and
 * then by golden section; when the data are no more dispersed than
 * Poisson the shape ends at REACH_CURVE_MAX_SHAPE.
 */
extern ReachCurveStatus gamma_poisson_fit(const ReachCurveBin *bins, size_t n,
										  double reach, GammaPoissonFit *fit);

/*
 * k+ reach of the fitted population when every rate is multiplied by
 * `rate_factor` (I' / I); k <= 1: the reach.
 */
extern double gamma_poisson_reach_at_least(const GammaPoissonFit *fit,
										   double rate_factor, uint64_t k);

/* P(X >= k) of the negative binomial with this shape and scale */
extern double negative_binomial_upper_tail(double shape, double scale, uint64_t k);

/* the regularized incomplete beta function I_x(a, b), 0 <= x <= 1 */
extern double ie_beta_inc(double a, double b, double x);

#endif
