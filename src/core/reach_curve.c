/*
 * reach_curve.c — the one-point (Goerg) and Gamma-Poisson reach curves
 * (reach_curve.h says what each model is).
 *
 * The Gamma-Poisson fit maximizes the zero-truncated negative binomial
 * likelihood.  Written in the mean mu = shape * scale, the score equation
 * of mu says that at the optimum the truncated mean mu / (1 - P(0))
 * equals the observed mean frequency m, and that mean grows with mu, so mu
 * is found by bisection for each shape and only the shape is searched:
 * one dimension, no derivatives, nothing that can step out of the domain.
 */
#include "reach_curve.h"

#include <float.h>
#include <math.h>

ReachCurveStatus
goerg_rho(double impressions, double reach, double *rho)
{
	if (!(reach > 0))
		return REACH_CURVE_EMPTY;
	if (!(impressions > reach))
		return REACH_CURVE_NO_REPEATS;
	*rho = impressions * reach / (impressions - reach);
	return REACH_CURVE_OK;
}

double
goerg_reach_at_least(double rho, double impressions, uint64_t k)
{
	double		share;

	if (!(impressions > 0))
		return 0;
	share = impressions / (impressions + rho);
	if (k <= 1)
		return rho * share;
	return rho * exp((double) k * log(share));
}

/* ---------------------------------------------------------------------
 * The regularized incomplete beta function, by its continued fraction
 * (modified Lentz), which converges fast on the side of the mean that
 * ie_beta_inc picks.
 * --------------------------------------------------------------------- */

#define BETA_TINY	1e-300
#define BETA_EPS	1e-15
/* enough for a up to 2^31: the fraction needs about sqrt(a) terms */
#define BETA_MAX_TERMS 1000000

/* one half-step of Lentz's method: c and d updated by the term aa */
static inline double
lentz_step(double *c, double *d, double aa)
{
	*d = 1 + aa * *d;
	if (fabs(*d) < BETA_TINY)
		*d = BETA_TINY;
	*c = 1 + aa / *c;
	if (fabs(*c) < BETA_TINY)
		*c = BETA_TINY;
	*d = 1 / *d;
	return *d * *c;
}

static double
beta_fraction(double a, double b, double x)
{
	double		c = 1;
	double		d = 1 - (a + b) * x / (a + 1);
	double		h;
	int			m;

	if (fabs(d) < BETA_TINY)
		d = BETA_TINY;
	d = 1 / d;
	h = d;
	for (m = 1; m <= BETA_MAX_TERMS; m++)
	{
		double		m2 = 2.0 * m;
		double		delta;

		h *= lentz_step(&c, &d, m * (b - m) * x / ((a - 1 + m2) * (a + m2)));
		delta = lentz_step(&c, &d, -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1 + m2)));
		h *= delta;
		if (fabs(delta - 1) < BETA_EPS)
			break;
	}
	return h;
}

/*
 * I_x(a, b) with y = 1 - x given apart: for a scale s, x = s / (1 + s)
 * rounds to 1 long before y = 1 / (1 + s) underflows, and the tail of a
 * negative binomial with a huge scale lives in that y.
 */
static double
beta_inc_split(double a, double b, double x, double y)
{
	double		front;

	if (!(x > 0))
		return 0;
	if (!(y > 0))
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(y));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_fraction(a, b, x) / a;
	return 1 - front * beta_fraction(b, a, y) / b;
}

double
ie_beta_inc(double a, double b, double x)
{
	return beta_inc_split(a, b, x, 1 - x);
}

double
negative_binomial_upper_tail(double shape, double scale, uint64_t k)
{
	if (!(scale > 0))
		return k == 0 ? 1 : 0;
	if (k == 0 || !isfinite(scale))
		return 1;
	/* 1 - P(0), without the cancellation of 1 - (1 + scale)^-shape */
	if (k == 1)
		return -expm1(-shape * log1p(scale));
	/* P(X >= k) = I_p(k, shape) with p = scale / (1 + scale) */
	return beta_inc_split((double) k, shape, scale / (1 + scale), 1 / (1 + scale));
}

/* ---------------------------------------------------------------------
 * The fit
 * --------------------------------------------------------------------- */

/* mean of the zero-truncated negative binomial of this mean and shape */
static double
truncated_mean(double mu, double shape)
{
	return mu / -expm1(-shape * log1p(mu / shape));
}

/* the mu whose truncated mean is m (> 1): it lies in (0, m) */
static double
solve_mean(double m, double shape)
{
	double		lo = 0;
	double		hi = m;
	int			i;

	for (i = 0; i < 200 && hi - lo > m * 1e-15; i++)
	{
		double		mid = 0.5 * (lo + hi);

		if (truncated_mean(mid, shape) < m)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

/*
 * log Gamma(x + r) - log Gamma(r), exactly summed where lgamma would
 * cancel; lgamma_r = lgamma(r), the same for every bin
 */
static double
log_rising(uint64_t x, double r, double lgamma_r)
{
	double		s = 0;
	uint64_t	i;

	if (x > 32)
		return lgamma((double) x + r) - lgamma_r;
	for (i = 0; i < x; i++)
		s += log(r + (double) i);
	return s;
}

typedef struct FitData
{
	const ReachCurveBin *bins;
	size_t		n;
	double		people;			/* sum of the weights */
	double		mean;			/* observed mean frequency, > 1 */
} FitData;

/*
 * Profile log-likelihood per person at log(shape) = u (the log x! terms,
 * the same for every shape, left out); *scale receives the scale there.
 */
static double
profile_log_likelihood(const FitData *d, double u, double *scale)
{
	double		shape = exp(u);
	double		mu = solve_mean(d->mean, shape);
	double		sc = mu / shape;
	double		log_p = log(sc) - log1p(sc);
	double		log_p0 = -shape * log1p(sc);
	double		log_reached = log(-expm1(log_p0));
	double		lgamma_shape = lgamma(shape);
	double		sum = 0;
	size_t		j;

	for (j = 0; j < d->n; j++)
		sum += d->bins[j].people *
			(log_rising(d->bins[j].frequency, shape, lgamma_shape) + (double) d->bins[j].frequency * log_p);
	*scale = sc;
	return sum / d->people + log_p0 - log_reached;
}

#define GRID_POINTS 121
#define GOLDEN_STEPS 80

ReachCurveStatus
gamma_poisson_fit(const ReachCurveBin *bins, size_t n, double reach,
				  GammaPoissonFit *fit)
{
	FitData		d = {bins, n, 0, 0};
	double		impressions = 0;
	double		lo_u = log(REACH_CURVE_MIN_SHAPE);
	double		hi_u = log(REACH_CURVE_MAX_SHAPE);
	double		step = (hi_u - lo_u) / (GRID_POINTS - 1);
	double		best_u = lo_u;
	double		best_ll = -INFINITY;
	double		scale;
	double		a;
	double		b;
	size_t		j;
	int			i;

	for (j = 0; j < n; j++)
	{
		d.people += bins[j].people;
		impressions += bins[j].people * (double) bins[j].frequency;
	}
	if (!(d.people > 0) || !(reach > 0))
		return REACH_CURVE_EMPTY;
	d.mean = impressions / d.people;
	/* frequencies are >= 1: a mean of 1 means nobody was seen twice */
	if (!(d.mean > 1 + 1e-12))
		return REACH_CURVE_NO_REPEATS;

	for (i = 0; i < GRID_POINTS; i++)
	{
		double		u = lo_u + step * i;
		double		ll = profile_log_likelihood(&d, u, &scale);

		if (ll > best_ll)
		{
			best_ll = ll;
			best_u = u;
		}
	}
	/* golden section between the best grid point's neighbours */
	a = best_u - step > lo_u ? best_u - step : lo_u;
	b = best_u + step < hi_u ? best_u + step : hi_u;
	for (i = 0; i < GOLDEN_STEPS; i++)
	{
		double		g = 0.381966011250105;
		double		x1 = a + g * (b - a);
		double		x2 = b - g * (b - a);

		if (profile_log_likelihood(&d, x1, &scale) >= profile_log_likelihood(&d, x2, &scale))
			b = x2;
		else
			a = x1;
	}
	{
		double		u = 0.5 * (a + b);
		double		ll = profile_log_likelihood(&d, u, &scale);

		/* the grid point wins if the section found nothing better (flat ends) */
		if (!(ll >= best_ll))
		{
			u = best_u;
			ll = profile_log_likelihood(&d, u, &scale);
		}
		fit->shape = exp(u);
		fit->scale = scale;
		fit->log_likelihood = ll;
		fit->universe = reach / negative_binomial_upper_tail(fit->shape, scale, 1);
	}
	return REACH_CURVE_OK;
}

double
gamma_poisson_reach_at_least(const GammaPoissonFit *fit, double rate_factor,
							 uint64_t k)
{
	if (!(rate_factor > 0))
		return 0;
	return fit->universe *
		negative_binomial_upper_tail(fit->shape, fit->scale * rate_factor, k < 1 ? 1 : k);
}
