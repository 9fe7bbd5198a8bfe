/*
 * markov.c — PostgreSQL glue for markov_chain: I/O, casts, comparison and
 * hash support (the type protocol), the markov_agg aggregate over
 * journeys, ||, markov_attribution() and markov_transitions().
 *
 * The format is in docs/FORMAT.md, the paths and the solve in
 * src/core/markov_chain.c and markov_solve.c.
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "journey_core.h"
#include "markov_core.h"
#include "sketch_glue.h"

#define markov_arg(fcinfo, n)	ie_canonical_arg(&markov_chain_type, fcinfo, n)

/* the format's checks, and channel strings that are text of this database */
static void
markov_check_input(const IeSketchType *t, const uint8_t *body, size_t len, int code)
{
	MarkovInfo	info;

	ie_check_bytes(t, body, len, code);
	markov_get_info(body, len, &info);
	for (uint32_t i = 0; i < info.channels; i++)
	{
		size_t		slen;
		const uint8_t *str = markov_channel(body, len, i, &slen);

		if (!pg_verifymbstr((const char *) str, (int) slen, true))
			ereport(ERROR,
					(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
					 errmsg("invalid markov_chain: channel %u is not valid %s text",
							i, GetDatabaseEncodingName())));
	}
}

IE_TYPE_FUNCTIONS(markov_chain, markov_chain_type, markov_check_input);

/* the paths of one journey as a markov_chain value */
static struct varlena *
markov_of_journey(struct varlena *j, int64 lookback)
{
	size_t		size = markov_from_journey_size(IE_BODY(j), IE_BODY_LEN(j));
	size_t		scratch_len = markov_from_journey_scratch(IE_BODY(j), IE_BODY_LEN(j));
	void	   *scratch = palloc(scratch_len);
	struct varlena *m = ie_varlena_alloc(size);
	size_t		len = markov_from_journey(IE_BODY(m), size, IE_BODY(j), IE_BODY_LEN(j),
										  lookback, scratch, scratch_len);

	if (len == MARKOV_TOO_LARGE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("markov_agg: a journey has more than %d channels", MARKOV_MAX_CHANNELS),
				 errdetail("%s", markov_limits())));
	if (len == MARKOV_BAD_VALUE)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("markov_agg: a conversion value is not finite or beyond %.0e", MARKOV_MAX_VALUE)));
	if (len == 0)
		elog(ERROR, "markov_agg: the paths of a journey did not fit");
	SET_VARSIZE(m, VARHDRSZ + len);
	pfree(scratch);
	return m;
}

/*
 * markov_agg(j [, lookback]): not strict (its input is not its state
 * type); a NULL journey is skipped, a NULL or negative lookback is an
 * error.
 */
PG_FUNCTION_INFO_V1(markov_agg_trans);
Datum
markov_agg_trans(PG_FUNCTION_ARGS)
{
	struct varlena *state = ie_agg_state(fcinfo, "markov_agg_trans");
	int64		lookback = 30 * USECS_PER_DAY;
	struct varlena *j;

	if (PG_NARGS() > 2)
	{
		if (PG_ARGISNULL(2))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("markov_agg(): lookback must not be NULL")));
		lookback = ie_interval_usecs(PG_GETARG_INTERVAL_P(2));
		if (lookback < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("markov_agg(): lookback must not be negative")));
	}
	if (state == NULL)
	{
		size_t		len = markov_chain_type.state_initial_size();

		state = ie_varlena_alloc(len);
		if (!markov_state_init(IE_BODY(state), len))
			elog(ERROR, "could not initialise a markov_chain state");
	}
	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(state);
	j = ie_canonical_arg(&journey_type, fcinfo, 1);
	PG_RETURN_POINTER(ie_state_merge(&markov_chain_type, state, markov_of_journey(j, lookback)));
}

/* combine function (strict); the second state comes from another process */
PG_FUNCTION_INFO_V1(markov_combine);
Datum
markov_combine(PG_FUNCTION_ARGS)
{
	struct varlena *state = ie_agg_state(fcinfo, "markov_combine");

	PG_RETURN_POINTER(ie_state_merge(&markov_chain_type, state,
									 ie_arg(&markov_chain_type, fcinfo, 1)));
}

PG_FUNCTION_INFO_V1(markov_agg_final);
Datum
markov_agg_final(PG_FUNCTION_ARGS)
{
	return ie_agg_final(&markov_chain_type, fcinfo);
}

/* a || b: the counts of both */
PG_FUNCTION_INFO_V1(markov_chain_concat);
Datum
markov_chain_concat(PG_FUNCTION_ARGS)
{
	struct varlena *a = ie_arg(&markov_chain_type, fcinfo, 0);
	struct varlena *b = ie_arg(&markov_chain_type, fcinfo, 1);
	size_t		len = IE_BODY_LEN(a);
	struct varlena *state = ie_varlena_alloc(len);

	if (!markov_state_regrow(IE_BODY(state), len, IE_BODY(a), len))
		elog(ERROR, "markov_chain copy failed");
	state = ie_state_merge(&markov_chain_type, state, b);
	PG_RETURN_POINTER(ie_canonical(&markov_chain_type, state));
}

static text *
channel_text(const uint8_t *body, size_t len, uint32_t i)
{
	size_t		slen;
	const uint8_t *s = markov_channel(body, len, i, &slen);

	return cstring_to_text_with_len((const char *) s, (int) slen);
}

/* markov_attribution(m): one row a channel, in bytewise order */
PG_FUNCTION_INFO_V1(markov_attribution);
Datum
markov_attribution(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	struct varlena *m = markov_arg(fcinfo, 0);
	uint8_t    *body = IE_BODY(m);
	size_t		len = IE_BODY_LEN(m);
	MarkovInfo	info;
	size_t		scratch_len = markov_attribution_scratch(body, len);
	void	   *scratch = palloc_extended(scratch_len, MCXT_ALLOC_HUGE);
	double	   *effect;
	double	   *conv;
	double	   *value;

	markov_get_info(body, len, &info);
	effect = palloc(sizeof(double) * (3 * (size_t) info.channels + 1));
	conv = effect + info.channels;
	value = conv + info.channels;
	if (!markov_removal_effects(body, len, effect, conv, value, scratch, scratch_len))
		elog(ERROR, "markov_attribution: scratch too small");
	pfree(scratch);
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	for (uint32_t i = 0; i < info.channels; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = PointerGetDatum(channel_text(body, len, i));
		values[1] = Float8GetDatum(effect[i]);
		values[2] = Float8GetDatum(conv[i]);
		values[3] = Float8GetDatum(value[i]);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* the name of state s of a chain of c channels */
static text *
state_text(const uint8_t *body, size_t len, uint32_t s, uint32_t c)
{
	if (s == 0)
		return cstring_to_text("(start)");
	if (s == c + 1)
		return cstring_to_text("(conversion)");
	if (s == c + 2)
		return cstring_to_text("(null)");
	return channel_text(body, len, s - 1);
}

/* markov_transitions(m): the counts, by from and to state */
PG_FUNCTION_INFO_V1(markov_transitions);
Datum
markov_transitions(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	struct varlena *m = markov_arg(fcinfo, 0);
	uint8_t    *body = IE_BODY(m);
	size_t		len = IE_BODY_LEN(m);
	MarkovInfo	info;

	markov_get_info(body, len, &info);
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	for (uint32_t i = 0; i < info.entries; i++)
	{
		Datum		values[3];
		bool		nulls[3] = {false, false, false};
		uint32_t	from;
		uint32_t	to;
		uint64_t	count;

		markov_entry(body, len, i, &from, &to, &count);
		values[0] = PointerGetDatum(state_text(body, len, from, info.channels));
		values[1] = PointerGetDatum(state_text(body, len, to, info.channels));
		values[2] = Int64GetDatum(count > (uint64_t) PG_INT64_MAX ? PG_INT64_MAX : (int64) count);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* totals: paths, converting paths, value, channels */
PG_FUNCTION_INFO_V1(markov_chain_info);
Datum
markov_chain_info(PG_FUNCTION_ARGS)
{
	struct varlena *m = markov_arg(fcinfo, 0);
	MarkovInfo	info;
	StringInfoData s;

	markov_get_info(IE_BODY(m), IE_BODY_LEN(m), &info);
	initStringInfo(&s);
	appendStringInfo(&s,
					 "{\"version\": 1, \"channels\": %u, \"transitions\": %u, \"paths\": %llu, "
					 "\"converting_paths\": %llu, \"value\": %.17g, \"bytes\": %zu}",
					 info.channels, info.entries, (unsigned long long) info.paths,
					 (unsigned long long) info.converting_paths, info.value,
					 (size_t) VARSIZE(m));
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(s.data)));
}
