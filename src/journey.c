/*
 * journey.c — PostgreSQL glue for the journey type: I/O, casts, the
 * journey_agg aggregate, attribute() (conversion attribution under windows
 * and a model), journey_events(), journey_info(), equality/hash/order.
 *
 * The format is in docs/FORMAT.md, the attribution rules in
 * src/core/journey_attribute.c.
 * Aggregate states are journey values (not internal) in the core's STATE
 * representation: events appended unsorted, touch strings interned once
 * per journey; the final function sorts them once into the canonical form.
 */
#include "postgres.h"

#include <math.h>

#include "common/int.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/timestamp.h"
#include "utils/tuplestore.h"

#include "journey_core.h"
#include "sketch_glue.h"

#define journey_arg(fcinfo, n)	ie_arg(&journey_type, fcinfo, n)
#define journey_canonical_arg(fcinfo, n)	ie_canonical_arg(&journey_type, fcinfo, n)

/*
 * Bytes from outside (text input, binary input, the bytea cast): the
 * format's checks, and touch strings that are text of this database (valid
 * in its encoding, no NUL), since attribute() and journey_events() return
 * them as text.  The journeys journey_agg builds have only such strings.
 */
static void
journey_check_input(const IeSketchType *t, const uint8_t *body, size_t len, int code)
{
	uint32_t	n;

	ie_check_bytes(t, body, len, code);
	n = journey_string_count(body, len);
	for (uint32_t i = 0; i < n; i++)
	{
		size_t		slen;
		const uint8_t *str = journey_string(body, len, i, &slen);

		if (!pg_verifymbstr((const char *) str, (int) slen, true))
			ereport(ERROR,
					(errcode(ERRCODE_CHARACTER_NOT_IN_REPERTOIRE),
					 errmsg("invalid journey: touch string %u is not valid %s text",
							i, GetDatabaseEncodingName()),
					 errdetail("Touch strings must be valid in the database encoding and contain no NUL byte.")));
	}
}

/* ------------------------------------------------------------------------
 * Text and binary I/O, bytea cast
 * ------------------------------------------------------------------------ */

/* equality is equality of canonical forms: the same events */
IE_TYPE_FUNCTIONS(journey, journey_type, journey_check_input);

/* ------------------------------------------------------------------------
 * Aggregate
 * ------------------------------------------------------------------------ */

static pg_noinline void
journey_bad_kind(text *kind)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown journey event kind \"%s\"", text_to_cstring(kind)),
			 errdetail("kind must be impression, engaged_view, click or conversion.")));
}

/*
 * journey_agg(ts, kind, touch [, value]): not strict.  A row with a NULL
 * ts or a NULL kind is skipped (it cannot be placed in the journey); a
 * NULL touch is kept (a conversion usually has none).  value counts for
 * conversions only.
 */
PG_FUNCTION_INFO_V1(journey_agg_trans);
Datum
journey_agg_trans(PG_FUNCTION_ARGS)
{
	struct varlena *state;
	JourneyKind kind;
	text	   *kind_text;
	const uint8_t *touch = NULL;
	size_t		touch_len = 0;
	bool		has_value;
	double		value = 0;
	JourneyCapacity cap;
	size_t		need;

	state = ie_agg_state(fcinfo, "journey_agg_trans");

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
	{
		if (state == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(state);
	}
	kind_text = PG_GETARG_TEXT_PP(2);
	if (!journey_kind_parse(VARDATA_ANY(kind_text), VARSIZE_ANY_EXHDR(kind_text), &kind))
		journey_bad_kind(kind_text);
	if (!PG_ARGISNULL(3))
	{
		text	   *t = PG_GETARG_TEXT_PP(3);

		touch = (const uint8_t *) VARDATA_ANY(t);
		touch_len = VARSIZE_ANY_EXHDR(t);
	}
	has_value = PG_NARGS() > 4 && !PG_ARGISNULL(4);
	if (has_value)
		value = PG_GETARG_FLOAT8(4);

	if (state == NULL)
	{
		size_t		len = journey_state_initial_size(touch_len);

		state = ie_varlena_alloc(len);
		if (!journey_state_init(IE_BODY(state), len, NULL, ie_table_seed()))
			elog(ERROR, "could not initialise a journey state");
	}
	while ((need = journey_state_add(IE_BODY(state), IE_BODY_LEN(state),
									 PG_GETARG_TIMESTAMPTZ(1), kind,
									 touch, touch_len, has_value, value, &cap)) != 0)
		state = ie_state_grow(&journey_type, state, need, &cap);
	PG_RETURN_POINTER(state);
}

/* combine function (strict); the second state comes from another process */
PG_FUNCTION_INFO_V1(journey_combine);
Datum
journey_combine(PG_FUNCTION_ARGS)
{
	struct varlena *state = ie_agg_state(fcinfo, "journey_combine");

	PG_RETURN_POINTER(ie_state_merge(&journey_type, state, journey_arg(fcinfo, 1)));
}

/* final function: the canonical journey; zero rows give an empty one */
PG_FUNCTION_INFO_V1(journey_agg_final);
Datum
journey_agg_final(PG_FUNCTION_ARGS)
{
	return ie_agg_final(&journey_type, fcinfo);
}

/* a || b: the journey of both journeys' events */
PG_FUNCTION_INFO_V1(journey_concat);
Datum
journey_concat(PG_FUNCTION_ARGS)
{
	struct varlena *a = journey_arg(fcinfo, 0);
	struct varlena *b = journey_arg(fcinfo, 1);
	struct varlena *state = (struct varlena *) pg_detoast_datum_copy(a);

	state = ie_state_merge(&journey_type, state, b);
	PG_RETURN_POINTER(ie_canonical(&journey_type, state));
}

/* ------------------------------------------------------------------------
 * attribute()
 * ------------------------------------------------------------------------ */

/*
 * An interval as microseconds, months counted as 30 days as PostgreSQL's
 * interval comparison does; beyond the int64 range it saturates (such a
 * window is "forever").
 */
int64
ie_interval_usecs(const Interval *iv)
{
	int64		days;
	int64		usecs;
	int64		total;

	if (pg_mul_s64_overflow((int64) iv->month, DAYS_PER_MONTH, &days) ||
		pg_add_s64_overflow(days, (int64) iv->day, &days) ||
		pg_mul_s64_overflow(days, USECS_PER_DAY, &usecs) ||
		pg_add_s64_overflow(usecs, iv->time, &total))
	{
		/* the sign of the exact sum: days and time cannot both be huge */
		long double exact = (long double) iv->month * DAYS_PER_MONTH * USECS_PER_DAY +
			(long double) iv->day * USECS_PER_DAY + (long double) iv->time;

		return exact < 0 ? PG_INT64_MIN : PG_INT64_MAX;
	}
	return total;
}

static char *
interval_text(const Interval *iv)
{
	return DatumGetCString(DirectFunctionCall1(interval_out, IntervalPGetDatum(iv)));
}

/* microseconds as an interval, as timestamptz - timestamptz gives it */
static Interval *
usecs_interval(int64 usecs)
{
	Interval   *iv = (Interval *) palloc(sizeof(Interval));

	iv->month = 0;
	iv->day = (int32) (usecs / USECS_PER_DAY);
	iv->time = usecs % USECS_PER_DAY;
	return iv;
}

/*
 * attribute() is not STRICT: a NULL model, window or half-life must not
 * quietly drop every conversion, so it is an error naming the argument.
 */
static void
journey_params_not_null(FunctionCallInfo fcinfo)
{
	static const char *const names[] = {"j", "model", "click_window", "view_window", "half_life",
	"engaged_window"};
	static const char *const defaults[] = {NULL, "'last_touch'", "'7 days'", "'1 day'", "'7 days'",
	"'1 day'"};

	for (int i = 1; i < PG_NARGS(); i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("attribute(): %s must not be NULL", names[i]),
					 errhint("Leave the argument out for its default, %s.", defaults[i])));
}

static void
journey_params_arg(FunctionCallInfo fcinfo, JourneyParams *params)
{
	text	   *model;
	Interval   *click;
	Interval   *view;
	Interval   *half_life;
	Interval   *engaged = NULL;

	journey_params_not_null(fcinfo);
	model = PG_GETARG_TEXT_PP(1);
	click = PG_GETARG_INTERVAL_P(2);
	view = PG_GETARG_INTERVAL_P(3);
	half_life = PG_GETARG_INTERVAL_P(4);
	/* attribute_0_1(), 0.1's signature, has no engaged_window: its default */
	params->engaged_window = USECS_PER_DAY;
	if (PG_NARGS() > 5)
	{
		engaged = PG_GETARG_INTERVAL_P(5);
		params->engaged_window = ie_interval_usecs(engaged);
	}
	if (!journey_model_parse(VARDATA_ANY(model), VARSIZE_ANY_EXHDR(model), &params->model))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown attribution model \"%s\"", text_to_cstring(model)),
				 errdetail("model must be one of " JOURNEY_MODEL_NAMES ".")));
	params->click_window = ie_interval_usecs(click);
	params->view_window = ie_interval_usecs(view);
	params->half_life = ie_interval_usecs(half_life);
	if (params->click_window < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("click_window must not be negative: \"%s\"", interval_text(click))));
	if (params->view_window < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("view_window must not be negative: \"%s\"", interval_text(view))));
	if (params->engaged_window < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("engaged_window must not be negative: \"%s\"", interval_text(engaged))));
	if (params->half_life <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("half_life must be positive: \"%s\"", interval_text(half_life))));
	if (journey_params_check(params) != NULL)
		elog(ERROR, "journey parameters rejected: %s", journey_params_check(params));
}

/*
 * attribute(j, model, click_window, view_window, half_life, engaged_window) returns
 * (conversion_time, touch, touch_kind, touch_time, credit, value, lag):
 * every conversion's credit, touch by touch.  The rows of a journey grow
 * with conversions x qualifying touches.  Up to ATTRIBUTE_MATERIALIZE_ROWS
 * (counted first, in one pass over the events) they are made at once into
 * a tuplestore: the cheapest way for the many small journeys of a report.
 * Beyond, one row a call (value per call), so that a LIMIT or a
 * target-list call stops early and no row's allocations outlive it (in
 * FROM, PostgreSQL's function scan stores the rows within work_mem).
 */
#define ATTRIBUTE_MATERIALIZE_ROWS	10000
/* E events give at most E^2/4 + E rows (conversions x touches, or one each): 198 give 9,999 */
#define ATTRIBUTE_SMALL_EVENTS		198

typedef struct AttributeCall
{
	JourneyAttribution it;
	text	   *kind_names[4];
} AttributeCall;

/* touch_kind's texts by kind code (a conversion is never a touch) */
static void
touch_kind_names(text **names)
{
	for (int k = 0; k < 4; k++)
		names[k] = cstring_to_text(journey_kind_name((JourneyKind) k));
}

/* one row's columns */
static void
attribute_row_values(const JourneyRow *row, text *const *kind_names,
					 Datum *values, bool *nulls)
{
	memset(nulls, 0, 7 * sizeof(bool));
	values[0] = TimestampTzGetDatum(row->conversion_ts);
	if (row->attributed)
	{
		if (row->touch != NULL)
			values[1] = PointerGetDatum(cstring_to_text_with_len((const char *) row->touch,
																 (int) row->touch_len));
		else
			nulls[1] = true;
		values[2] = PointerGetDatum(kind_names[row->touch_kind]);
		values[3] = TimestampTzGetDatum(row->touch_ts);
		values[6] = IntervalPGetDatum(usecs_interval(row->lag));
	}
	else
		nulls[1] = nulls[2] = nulls[3] = nulls[6] = true;
	values[4] = Float8GetDatum(row->credit);
	if (row->value_is_null)
		nulls[5] = true;
	else
		values[5] = Float8GetDatum(row->value);
}

/* the iterator over j's rows; scratch in the current memory context */
static void
attribute_begin(JourneyAttribution *it, struct varlena *j, const JourneyParams *params)
{
	size_t		scratch_len = journey_attribute_scratch_size(IE_BODY(j), IE_BODY_LEN(j));
	void	   *scratch = NULL;

	if (scratch_len > 0)
		scratch = palloc_extended(scratch_len, MCXT_ALLOC_HUGE);
	if (!journey_attribute_begin(it, IE_BODY(j), IE_BODY_LEN(j), params,
								 scratch, scratch_len))
		elog(ERROR, "journey attribution could not start");
}

/* every row at once into the tuplestore (j NULL: none) */
static void
attribute_materialize(FunctionCallInfo fcinfo, struct varlena *j, const JourneyParams *params)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	JourneyAttribution it;
	JourneyRow	row;
	text	   *kind_names[4];

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	if (j == NULL)
		return;
	attribute_begin(&it, j, params);
	touch_kind_names(kind_names);
	while (journey_attribute_next(&it, &row))
	{
		Datum		values[7];
		bool		nulls[7];

		attribute_row_values(&row, kind_names, values, nulls);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
}

/* set up the value-per-call series over j's rows */
static void
attribute_first_call(FunctionCallInfo fcinfo, struct varlena *j, const JourneyParams *params)
{
	FuncCallContext *funcctx = SRF_FIRSTCALL_INIT();
	MemoryContext old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
	AttributeCall *call = palloc0(sizeof(AttributeCall));
	TupleDesc	tupdesc;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "attribute() must return a row type");
	funcctx->tuple_desc = BlessTupleDesc(tupdesc);
	touch_kind_names(call->kind_names);
	/* the rows point into the journey: keep a copy of our own */
	{
		struct varlena *copy = palloc_extended(VARSIZE(j), MCXT_ALLOC_HUGE);

		memcpy(copy, j, VARSIZE(j));
		attribute_begin(&call->it, copy, params);
	}
	funcctx->user_fctx = call;
	MemoryContextSwitchTo(old);
}

PG_FUNCTION_INFO_V1(journey_attribute);
Datum
journey_attribute(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	FuncCallContext *funcctx;
	AttributeCall *call;
	JourneyRow	row;

	if (SRF_IS_FIRSTCALL())
	{
		JourneyParams params;
		struct varlena *j;

		journey_params_arg(fcinfo, &params);
		if (PG_ARGISNULL(0))
		{
			/* no journey, no conversions */
			attribute_materialize(fcinfo, NULL, &params);
			return (Datum) 0;
		}
		j = journey_canonical_arg(fcinfo, 0);
		if (rsinfo != NULL && IsA(rsinfo, ReturnSetInfo) &&
			(rsinfo->allowedModes & SFRM_Materialize) != 0 &&
			(journey_event_count(IE_BODY(j), IE_BODY_LEN(j)) <= ATTRIBUTE_SMALL_EVENTS ||
			 journey_attribute_count(IE_BODY(j), IE_BODY_LEN(j), &params) <= ATTRIBUTE_MATERIALIZE_ROWS))
		{
			attribute_materialize(fcinfo, j, &params);
			return (Datum) 0;
		}
		attribute_first_call(fcinfo, j, &params);
	}
	funcctx = SRF_PERCALL_SETUP();
	call = (AttributeCall *) funcctx->user_fctx;
	if (journey_attribute_next(&call->it, &row))
	{
		Datum		values[7];
		bool		nulls[7];

		attribute_row_values(&row, call->kind_names, values, nulls);
		SRF_RETURN_NEXT(funcctx, HeapTupleGetDatum(heap_form_tuple(funcctx->tuple_desc,
																	values, nulls)));
	}
	SRF_RETURN_DONE(funcctx);
}

/* ------------------------------------------------------------------------
 * Inspection
 * ------------------------------------------------------------------------ */

/* journey_events(j): the events in canonical order */
PG_FUNCTION_INFO_V1(journey_events);
Datum
journey_events(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	struct varlena *j = journey_canonical_arg(fcinfo, 0);
	JourneyEvent ev;
	uint32_t	values_before = 0;

	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
	for (uint32_t i = 0; journey_event_seq(IE_BODY(j), IE_BODY_LEN(j), i, &values_before, &ev); i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = TimestampTzGetDatum(ev.ts);
		values[1] = PointerGetDatum(cstring_to_text(journey_kind_name(ev.kind)));
		if (ev.touch != NULL)
			values[2] = PointerGetDatum(cstring_to_text_with_len((const char *) ev.touch,
																 (int) ev.touch_len));
		else
			nulls[2] = true;
		if (ev.has_value)
			values[3] = Float8GetDatum(ev.value);
		else
			nulls[3] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

PG_FUNCTION_INFO_V1(journey_info);
Datum
journey_info(PG_FUNCTION_ARGS)
{
	struct varlena *v = journey_arg(fcinfo, 0);
	JourneyInfo info;
	StringInfoData s;

	journey_get_info(IE_BODY(v), IE_BODY_LEN(v), &info);
	initStringInfo(&s);
	appendStringInfo(&s,
					 "{\"version\": %d, \"representation\": \"%s\", \"events\": %u, "
					 "\"impressions\": %u, \"engaged_views\": %u, \"clicks\": %u, "
					 "\"conversions\": %u, "
					 "\"conversions_with_value\": %u, \"touches\": %u, "
					 "\"touch_bytes\": %u, \"bytes\": %zu}",
					 info.version, info.representation_name, info.events,
					 info.impressions, info.engaged_views, info.clicks, info.conversions,
					 info.values,
					 info.strings, info.string_bytes, (size_t) VARSIZE(v));
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(s.data)));
}

