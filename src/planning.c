/*
 * planning.c — PostgreSQL glue for what a media planner reads from a
 * frequency_sketch: reach curves (reach_curve, reach_at_least_curve, by
 * the models of src/core/reach_curve.c) and frequency caps
 * (capped_impressions, excess_impressions, reach_at_most).
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "frequency_core.h"
#include "reach_curve.h"
#include "sketch_glue.h"

#define frequency_canonical_arg(fcinfo, n) \
	ie_canonical_arg(&frequency_sketch_type, fcinfo, n)

/* a frequency argument: n >= 0 (what reach_at_least accepts) */
static uint64_t
planning_count_arg(FunctionCallInfo fcinfo, int n, const char *what)
{
	int32		v = PG_GETARG_INT32(n);

	if (v < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s %d must not be negative", what, v)));
	return (uint64_t) v;
}

static void
reach_curve_failed(ReachCurveStatus status, const char *model, uint64_t impressions)
{
	if (status == REACH_CURVE_EMPTY)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reach curve of an empty frequency_sketch is undefined"),
				 errdetail("The \"%s\" model is fitted to the people the sketch reached; it reached nobody.",
						   model)));
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("reach curve is undefined when every person was reached once"),
			 errdetail("The sketch's " UINT64_FORMAT " impressions reached as many people: the \"%s\" model needs someone seen at least twice to tell how reach grows.",
					   impressions, model)));
}

/* a model fitted to one sketch: what every curve function evaluates */
typedef struct CurveModel
{
	const char *name;
	bool		gamma_poisson;
	double		impressions;	/* I, exact */
	double		reach;			/* R, estimated */
	double		rho;			/* goerg */
	GammaPoissonFit fit;		/* gamma_poisson */
} CurveModel;

static void
reach_curve_fit_model(struct varlena *fs, const char *model, CurveModel *m)
{
	const uint8_t *b = IE_BODY(fs);
	size_t		len = IE_BODY_LEN(fs);
	uint64_t	impressions = frequency_impressions(b, len);
	ReachCurveStatus status;

	m->name = model;
	m->impressions = (double) impressions;
	m->reach = frequency_reach(b, len);
	if (strcmp(model, "goerg") == 0)
	{
		m->gamma_poisson = false;
		status = goerg_rho(m->impressions, m->reach, &m->rho);
	}
	else if (strcmp(model, "gamma_poisson") == 0)
	{
		FrequencyInfo info;
		ReachCurveBin *bins;
		size_t		n;

		m->gamma_poisson = true;
		frequency_get_info(b, len, &info);
		bins = palloc(sizeof(ReachCurveBin) * ((size_t) info.entries + 1));
		n = frequency_count_bins(b, len, bins, (size_t) info.entries + 1);
		if (n == SIZE_MAX)
			elog(ERROR, "frequency_count_bins failed");
		status = gamma_poisson_fit(bins, n, m->reach, &m->fit);
		pfree(bins);
	}
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown reach curve model \"%s\"", model),
				 errhint("The models are \"goerg\" and \"gamma_poisson\".")));
	if (status != REACH_CURVE_OK)
		reach_curve_failed(status, model, impressions);
}

/* k+ reach at `target` impressions (k <= 1: the reach) */
static double
reach_curve_at(struct varlena *fs, double target, uint64_t k, const char *model)
{
	CurveModel	m;

	if (!isfinite(target) || target < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("impressions %g is out of range", target),
				 errdetail("A reach curve is read at a finite number of impressions, 0 or more.")));
	reach_curve_fit_model(fs, model, &m);
	if (m.gamma_poisson)
		return gamma_poisson_reach_at_least(&m.fit, target / m.impressions, k);
	return goerg_reach_at_least(m.rho, target, k);
}

/* reach_curve(fs, impressions, model) */
PG_FUNCTION_INFO_V1(frequency_sketch_reach_curve);
Datum
frequency_sketch_reach_curve(PG_FUNCTION_ARGS)
{
	struct varlena *fs = frequency_canonical_arg(fcinfo, 0);
	char	   *model = text_to_cstring(PG_GETARG_TEXT_PP(2));

	PG_RETURN_FLOAT8(reach_curve_at(fs, PG_GETARG_FLOAT8(1), 1, model));
}

/* reach_at_least_curve(fs, impressions, k, model) */
PG_FUNCTION_INFO_V1(frequency_sketch_reach_at_least_curve);
Datum
frequency_sketch_reach_at_least_curve(PG_FUNCTION_ARGS)
{
	struct varlena *fs = frequency_canonical_arg(fcinfo, 0);
	uint64_t	k = planning_count_arg(fcinfo, 2, "frequency");
	char	   *model = text_to_cstring(PG_GETARG_TEXT_PP(3));

	PG_RETURN_FLOAT8(reach_curve_at(fs, PG_GETARG_FLOAT8(1), k, model));
}

/*
 * reach_curve_parameters(fs, model): what the model fitted, for a planner
 * who wants the universe, and for tests that recover known parameters
 */
PG_FUNCTION_INFO_V1(frequency_sketch_reach_curve_parameters);
Datum
frequency_sketch_reach_curve_parameters(PG_FUNCTION_ARGS)
{
	struct varlena *fs = frequency_canonical_arg(fcinfo, 0);
	CurveModel	m;
	StringInfoData s;

	reach_curve_fit_model(fs, text_to_cstring(PG_GETARG_TEXT_PP(1)), &m);
	initStringInfo(&s);
	appendStringInfo(&s, "{\"model\": \"%s\", \"impressions\": %.17g, \"reach\": %.17g, ",
					 m.name, m.impressions, m.reach);
	if (m.gamma_poisson)
		appendStringInfo(&s, "\"universe\": %.17g, \"shape\": %.17g, \"scale\": %.17g}",
						 m.fit.universe, m.fit.shape, m.fit.scale);
	else
		appendStringInfo(&s, "\"universe\": %.17g}", m.rho);
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(s.data)));
}

/*
 * The impressions above a cap, rounded once, so that capped_impressions +
 * excess_impressions = impressions(fs) exactly.
 */
static int64
excess_rounded(struct varlena *fs, uint64_t cap)
{
	const uint8_t *b = IE_BODY(fs);
	size_t		len = IE_BODY_LEN(fs);
	uint64_t	impressions = frequency_impressions(b, len);
	int64		excess = frequency_round(frequency_excess(b, len, cap));

	if (impressions > (uint64_t) PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("impressions total exceeds the bigint range")));
	/* a sample's estimate may pass the exact total: no more than all of it */
	return excess > (int64) impressions ? (int64) impressions : excess;
}

PG_FUNCTION_INFO_V1(frequency_sketch_excess_impressions);
Datum
frequency_sketch_excess_impressions(PG_FUNCTION_ARGS)
{
	struct varlena *fs = frequency_canonical_arg(fcinfo, 0);

	PG_RETURN_INT64(excess_rounded(fs, planning_count_arg(fcinfo, 1, "frequency cap")));
}

PG_FUNCTION_INFO_V1(frequency_sketch_capped_impressions);
Datum
frequency_sketch_capped_impressions(PG_FUNCTION_ARGS)
{
	struct varlena *fs = frequency_canonical_arg(fcinfo, 0);
	int64		excess = excess_rounded(fs, planning_count_arg(fcinfo, 1, "frequency cap"));

	PG_RETURN_INT64((int64) frequency_impressions(IE_BODY(fs), IE_BODY_LEN(fs)) - excess);
}

/*
 * reach_at_most(fs, n): reach minus the n+1+ reach, each rounded as
 * reach() and reach_at_least() round, so the three agree.
 */
PG_FUNCTION_INFO_V1(frequency_sketch_reach_at_most);
Datum
frequency_sketch_reach_at_most(PG_FUNCTION_ARGS)
{
	struct varlena *fs = frequency_canonical_arg(fcinfo, 0);
	uint64_t	n = planning_count_arg(fcinfo, 1, "frequency");
	const uint8_t *b = IE_BODY(fs);
	size_t		len = IE_BODY_LEN(fs);

	if (n == 0)
		PG_RETURN_INT64(0);
	PG_RETURN_INT64(frequency_round(frequency_reach(b, len)) -
					frequency_round(frequency_reach_at_least(b, len, n + 1)));
}
