/*
 * metrics.c — PostgreSQL glue for the statistical metric functions:
 * rate_lower / rate_upper (Wilson score interval) and ab_test_p_value
 * (pooled two-proportion z-test).  The plain ratios (ctr, cpm, ...) are
 * inlinable SQL functions in the extension script; these need a normal
 * quantile and argument checks, so they are C.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"

#include "impression_ext.h"
#include "stats.h"

/*
 * Counts arrive as float8 so that bigint, numeric (sum() of bigint) and
 * weighted counts all fit one signature; float8 holds integers exactly up
 * to 2^53.
 */
static void
check_count(const char *what, double value)
{
	if (isnan(value) || isinf(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number, not %g", what, value)));
	if (value < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative: %.15g", what, value)));
}

static void
check_successes_trials(const char *successes_name, double successes,
					   const char *trials_name, double trials)
{
	check_count(successes_name, successes);
	check_count(trials_name, trials);
	if (successes > trials)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s (%.15g) exceed %s (%.15g)",
						successes_name, successes, trials_name, trials)));
}

static void
check_confidence(double confidence)
{
	if (!(confidence > 0.0 && confidence < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("confidence %g is out of range", confidence),
				 errdetail("The confidence level must be strictly between 0 and 1, e.g. 0.95.")));
}

/*
 * Shared body of rate_lower and rate_upper.  Returns false when there are
 * no trials (the rate is unknown: SQL NULL).
 */
static bool
wilson_from_args(FunctionCallInfo fcinfo, double *lower, double *upper)
{
	double		successes = PG_GETARG_FLOAT8(0);
	double		trials = PG_GETARG_FLOAT8(1);
	double		confidence = PG_GETARG_FLOAT8(2);

	check_successes_trials("successes", successes, "trials", trials);
	check_confidence(confidence);
	if (trials == 0)
		return false;
	ie_wilson_interval(successes, trials, confidence, lower, upper);
	return true;
}

PG_FUNCTION_INFO_V1(rate_lower);
Datum
rate_lower(PG_FUNCTION_ARGS)
{
	double		lower;
	double		upper;

	if (!wilson_from_args(fcinfo, &lower, &upper))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(lower);
}

PG_FUNCTION_INFO_V1(rate_upper);
Datum
rate_upper(PG_FUNCTION_ARGS)
{
	double		lower;
	double		upper;

	if (!wilson_from_args(fcinfo, &lower, &upper))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(upper);
}

PG_FUNCTION_INFO_V1(ab_test_p_value);
Datum
ab_test_p_value(PG_FUNCTION_ARGS)
{
	double		successes_a = PG_GETARG_FLOAT8(0);
	double		trials_a = PG_GETARG_FLOAT8(1);
	double		successes_b = PG_GETARG_FLOAT8(2);
	double		trials_b = PG_GETARG_FLOAT8(3);

	check_successes_trials("successes_a", successes_a, "trials_a", trials_a);
	check_successes_trials("successes_b", successes_b, "trials_b", trials_b);
	if (trials_a == 0 || trials_b == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(ie_two_proportion_p_value(successes_a, trials_a,
											   successes_b, trials_b));
}
