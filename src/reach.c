/*
 * reach.c — PostgreSQL glue for reach_sketch: I/O, casts, aggregates,
 * accessors, equality/hash and postgresql-hll interchange.
 *
 * The algorithm (UltraLogLog registers behind an exact sparse mode) is in
 * src/core/reach_*.c; this file moves bytes between PostgreSQL and it.
 * A reach_sketch datum is a varlena whose body is the core's format.
 *
 * Aggregate states are reach_sketch values themselves (not internal), so
 * parallel query and Citus can ship partial states.  The transition and
 * combine functions update the state in place inside the aggregate
 * context; when it must grow they build a larger copy in the per-tuple
 * context and return it, and nodeAgg copies that into the aggregate
 * context and frees the old one (see ExecAggTransReparent).
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "reach_core.h"
#include "sketch_glue.h"
#include "stats.h"

#define REACH_BODY(v)		IE_BODY(v)
#define REACH_BODY_LEN(v)	IE_BODY_LEN(v)

#define reach_arg(fcinfo, n)	ie_arg(&reach_sketch_type, fcinfo, n)
#define reach_canonical(v)		ie_canonical(&reach_sketch_type, v)

/* an argument that a union or reach() decodes whole, checking it on the way */
#define reach_arg_read_once(fcinfo, n) \
	ie_arg_checked(&reach_sketch_type, fcinfo, n, reach_validate_shallow)

/* ------------------------------------------------------------------------
 * Checking bytes that come from outside
 * ------------------------------------------------------------------------ */

static int
reach_precision_arg(FunctionCallInfo fcinfo, int n)
{
	int32		p;

	if (PG_NARGS() <= n || PG_ARGISNULL(n))
		return REACH_DEFAULT_PRECISION;
	p = PG_GETARG_INT32(n);
	if (p < REACH_MIN_PRECISION || p > REACH_MAX_PRECISION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("reach_sketch precision %d is out of range", p),
				 errdetail("Precision must be between %d and %d (default %d).",
						   REACH_MIN_PRECISION, REACH_MAX_PRECISION,
						   REACH_DEFAULT_PRECISION)));
	return p;
}

static bool
reach_is_empty(struct varlena *v)
{
	return reach_holds_nothing(REACH_BODY(v), REACH_BODY_LEN(v));
}

/* ------------------------------------------------------------------------
 * Text and binary I/O, bytea casts
 * ------------------------------------------------------------------------ */

/*
 * Input is checked by the core's validator.  Equality is equality of
 * canonical forms, i.e. of the sets of hashes the sketches hold (and their
 * precision); the hash agrees with it.
 */
IE_TYPE_FUNCTIONS(reach_sketch, reach_sketch_type, ie_check_bytes);

/* ------------------------------------------------------------------------
 * Aggregates
 * ------------------------------------------------------------------------ */

/* an empty aggregate state of precision p */
static struct varlena *
reach_new_state(int p)
{
	size_t		len = reach_state_initial_size();
	struct varlena *state = ie_varlena_alloc(len);

	if (!reach_state_init(REACH_BODY(state), len, p))
		elog(ERROR, "could not initialise a reach_sketch state");
	return state;
}

/*
 * Add one hash to the state (creating it on the first row), growing it
 * through the core's regrow protocol.  Returns the state to hand back to
 * nodeAgg: the same pointer when updated in place.
 */
static struct varlena *
reach_state_add_hash(struct varlena *state, uint64_t hash, int precision)
{
	size_t		need;

	if (state == NULL)
		state = reach_new_state(precision);
	while ((need = reach_state_add(REACH_BODY(state), REACH_BODY_LEN(state), hash)) != 0)
		state = ie_state_grow(&reach_sketch_type, state, need, NULL);
	return state;
}

/* Merge the sketch src into the state (which may be NULL). */
static struct varlena *
reach_state_merge_sketch(struct varlena *state, struct varlena *src)
{
	/*
	 * An empty sketch carries no information, so it must not lower the
	 * precision of the union (a day without events would otherwise fold a
	 * month's rollup); between empties the lower precision wins, so the
	 * result does not depend on the order of the inputs.
	 */
	int			psrc = reach_precision(REACH_BODY(src), REACH_BODY_LEN(src));

	if (state != NULL && reach_is_empty(src))
	{
		/* (an empty state may be dense, all zero: a fresh one, not a new p byte) */
		if (reach_is_empty(state) &&
			psrc < reach_precision(REACH_BODY(state), REACH_BODY_LEN(state)))
			state = reach_new_state(psrc);
		return state;
	}
	if (state == NULL || reach_is_empty(state))
		state = reach_new_state(psrc);
	return ie_state_merge(&reach_sketch_type, state, src);
}

#define REACH_TRANS_RETURN(state) \
	do { \
		if ((state) == NULL) \
			PG_RETURN_NULL(); \
		PG_RETURN_POINTER(state); \
	} while (0)

/*
 * One transition function per input type; each also takes the optional
 * precision argument (the same on every row of a group).  Not strict: the first row
 * creates the state, and NULL inputs are skipped without losing it.
 */
static inline Datum
reach_agg_trans_common(FunctionCallInfo fcinfo, IeUserType type, const char *fname)
{
	struct varlena *state = ie_agg_state(fcinfo, fname);

	/*
	 * The precision is the group's: the first row sets it, and a later row
	 * that says otherwise is an error, not a result that depends on which
	 * row came first.
	 */
	if (state != NULL && PG_NARGS() > 2)
	{
		int			p = reach_precision_arg(fcinfo, 2);

		if (p != reach_precision(REACH_BODY(state), REACH_BODY_LEN(state)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s precision changes within a group: %d, then %d",
							type == IE_USER_HASH ? "reach_hash_agg" : "reach_agg",
							reach_precision(REACH_BODY(state), REACH_BODY_LEN(state)), p),
					 errdetail("The precision must be the same for every row of a group.")));
	}
	if (PG_ARGISNULL(1))
	{
		/* a bad precision is an error even if every user is NULL */
		if (state == NULL)
			(void) reach_precision_arg(fcinfo, 2);
		REACH_TRANS_RETURN(state);
	}
	state = reach_state_add_hash(state, ie_hash_user_arg(fcinfo, 1, type),
								 state ? 0 : reach_precision_arg(fcinfo, 2));
	PG_RETURN_POINTER(state);
}

IE_USER_TYPE_TRANSITIONS(reach_agg_trans, reach_agg_trans_common);
/* reach_hash_agg: the rows are 64-bit hashes, e.g. postgresql-hll's */
IE_USER_TYPE_TRANSITION(reach_hash_agg_trans, hash, IE_USER_HASH, reach_agg_trans_common);

/*
 * reach_hll_hash(x): postgresql-hll's hll_hash_smallint / _integer /
 * _bigint / _text / _bytea(x) with its default seed 0, as bigint.  hll
 * hashes the value's own bytes in memory order (2, 4 or 8 for integers:
 * one function, told the width by the argument's type),
 * which is why hll_hash_integer(5) is not reach_agg's hash of 5 (widened
 * to 8 bytes) and reach_hash_agg(reach_hll_hash(x)) is how to build
 * sketches that combine with hll's.
 */
PG_FUNCTION_INFO_V1(reach_hll_hash_integer);
Datum
reach_hll_hash_integer(PG_FUNCTION_ARGS)
{
	union
	{
		int16		i2;
		int32		i4;
		int64		i8;
	}			v;
	size_t		size;

	switch (get_fn_expr_argtype(fcinfo->flinfo, 0))
	{
		case INT2OID:
			v.i2 = PG_GETARG_INT16(0);
			size = sizeof(v.i2);
			break;
		case INT4OID:
			v.i4 = PG_GETARG_INT32(0);
			size = sizeof(v.i4);
			break;
		case INT8OID:
			v.i8 = PG_GETARG_INT64(0);
			size = sizeof(v.i8);
			break;
		default:
			elog(ERROR, "reach_hll_hash_integer called for a type other than smallint, integer or bigint");
	}
	PG_RETURN_INT64((int64) ie_hash_bytes(&v, size));
}

PG_FUNCTION_INFO_V1(reach_hll_hash_bytes);
Datum
reach_hll_hash_bytes(PG_FUNCTION_ARGS)
{
	struct varlena *x = PG_GETARG_VARLENA_PP(0);

	PG_RETURN_INT64((int64) ie_hash_bytes(VARDATA_ANY(x), VARSIZE_ANY_EXHDR(x)));
}

/* transition of reach_union_agg: not strict, NULL sketches are skipped */
PG_FUNCTION_INFO_V1(reach_union_trans);
Datum
reach_union_trans(PG_FUNCTION_ARGS)
{
	struct varlena *state = ie_agg_state(fcinfo, "reach_union_trans");

	if (PG_ARGISNULL(1))
		REACH_TRANS_RETURN(state);
	state = reach_state_merge_sketch(state, reach_arg_read_once(fcinfo, 1));
	PG_RETURN_POINTER(state);
}

/*
 * Combine function of every reach aggregate.  Strict: nodeAgg adopts the
 * first non-NULL partial state by copying it.  The second state comes from
 * another process (or from Citus as text), so it is checked.
 */
PG_FUNCTION_INFO_V1(reach_combine);
Datum
reach_combine(PG_FUNCTION_ARGS)
{
	struct varlena *state = ie_agg_state(fcinfo, "reach_combine");

	state = reach_state_merge_sketch(state, reach_arg(fcinfo, 1));
	PG_RETURN_POINTER(state);
}

/*
 * Final function: the canonical form, which depends only on the set of
 * values.  Zero rows give an empty sketch (reach 0), as count() gives 0.
 * The state is left untouched (it may be finalized again).
 */
PG_FUNCTION_INFO_V1(reach_agg_final);
Datum
reach_agg_final(PG_FUNCTION_ARGS)
{
	return ie_agg_final(&reach_sketch_type, fcinfo);
}

static int64
reach_estimate_int8(struct varlena *v)
{
	struct varlena *c = reach_canonical(v);
	double		e = reach_estimate(REACH_BODY(c), REACH_BODY_LEN(c));

	if (!(e >= 0))
	{
		/* a packed stream that did not decode: the full check says why */
		ie_check_bytes(&reach_sketch_type, REACH_BODY(c), REACH_BODY_LEN(c),
					   ERRCODE_INVALID_BINARY_REPRESENTATION);
		elog(ERROR, "reach_sketch estimate failed");
	}
	if (e >= (double) PG_INT64_MAX)
		return PG_INT64_MAX;
	return (int64) llround(e);
}

/* final function of reach_count(x): just the number */
PG_FUNCTION_INFO_V1(reach_count_final);
Datum
reach_count_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	PG_RETURN_INT64(reach_estimate_int8(PG_DETOAST_DATUM(PG_GETARG_DATUM(0))));
}

/* ------------------------------------------------------------------------
 * Accessors and operators
 * ------------------------------------------------------------------------ */

PG_FUNCTION_INFO_V1(reach_sketch_reach);
Datum
reach_sketch_reach(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(reach_estimate_int8(reach_arg_read_once(fcinfo, 0)));
}

/*
 * Bounds at the given two-sided confidence from the estimator's relative
 * standard error.  The sparse form is exact in practice (its error is that
 * of linear counting over 2^26 cells), so its bounds hug the estimate.
 */
static void
reach_bounds(FunctionCallInfo fcinfo, double *lower, double *upper)
{
	struct varlena *c = reach_canonical(reach_arg(fcinfo, 0));
	double		confidence = PG_GETARG_FLOAT8(1);
	double		e;
	double		rse;
	double		z;

	if (!(confidence > 0.0 && confidence < 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("confidence %g is out of range", confidence),
				 errdetail("The confidence level must be strictly between 0 and 1, e.g. 0.95.")));
	e = reach_estimate(REACH_BODY(c), REACH_BODY_LEN(c));
	rse = reach_relative_standard_error(REACH_BODY(c), REACH_BODY_LEN(c));
	if (!(e >= 0))
		elog(ERROR, "reach_sketch estimate failed");
	z = ie_two_sided_z(confidence);
	*lower = e * (1.0 - z * rse);
	*upper = e * (1.0 + z * rse);
}

/*
 * A bound as a count: never negative, never beyond bigint (an estimate of
 * saturated registers is infinite, as reach() clamps it), never NaN, so
 * that 0 <= lower <= reach() <= upper always holds.
 */
static int64
reach_count_of(double x, bool round_up)
{
	if (!(x > 0.0))
		return 0;
	if (x >= (double) PG_INT64_MAX)
		return PG_INT64_MAX;
	return (int64) (round_up ? ceil(x) : floor(x));
}

/* the lower or upper bound of argument 0 at confidence argument 1 */
static int64
reach_bound(FunctionCallInfo fcinfo, bool upper)
{
	double		lower_bound;
	double		upper_bound;

	reach_bounds(fcinfo, &lower_bound, &upper_bound);
	return upper ? reach_count_of(upper_bound, true) : reach_count_of(lower_bound, false);
}

PG_FUNCTION_INFO_V1(reach_sketch_lower);
Datum
reach_sketch_lower(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(reach_bound(fcinfo, false));
}

PG_FUNCTION_INFO_V1(reach_sketch_upper);
Datum
reach_sketch_upper(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT64(reach_bound(fcinfo, true));
}

PG_FUNCTION_INFO_V1(reach_sketch_info);
Datum
reach_sketch_info(PG_FUNCTION_ARGS)
{
	struct varlena *v = reach_arg(fcinfo, 0);
	ReachInfo	info;
	StringInfoData s;
	char		cap[16] = "null";

	reach_get_info(REACH_BODY(v), REACH_BODY_LEN(v), &info);
	if (info.register_cap != 0)
		snprintf(cap, sizeof(cap), "%u", info.register_cap);
	initStringInfo(&s);
	appendStringInfo(&s,
					 "{\"version\": %d, \"precision\": %d, \"representation\": \"%s\", "
					 "\"registers\": %u, \"sparse_entries\": %u, \"sparse_limit\": %u, "
					 "\"nonzero_registers\": %u, \"hll_only\": %s, \"register_cap\": %s, "
					 "\"bytes\": %zu, \"relative_standard_error\": %.6g}",
					 info.version, info.precision, info.representation_name,
					 info.registers, info.tokens, info.sparse_limit,
					 info.nonzero_registers, info.hll_only ? "true" : "false",
					 cap, (size_t) VARSIZE(v),
					 reach_relative_standard_error(REACH_BODY(v), REACH_BODY_LEN(v)));
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(s.data)));
}

/* a || b: the union, in canonical form */
PG_FUNCTION_INFO_V1(reach_sketch_union);
Datum
reach_sketch_union(PG_FUNCTION_ARGS)
{
	struct varlena *state = reach_state_merge_sketch(NULL, reach_arg_read_once(fcinfo, 0));

	state = reach_state_merge_sketch(state, reach_arg_read_once(fcinfo, 1));
	PG_RETURN_POINTER(reach_canonical(state));
}

/* ------------------------------------------------------------------------
 * postgresql-hll interchange
 * ------------------------------------------------------------------------ */

PG_FUNCTION_INFO_V1(reach_sketch_to_hll);
Datum
reach_sketch_to_hll(PG_FUNCTION_ARGS)
{
	struct varlena *c = reach_canonical(reach_arg(fcinfo, 0));
	size_t		cap = reach_to_hll_size(REACH_BODY(c), REACH_BODY_LEN(c), 0);
	bytea	   *out = (bytea *) ie_varlena_alloc(cap);
	size_t		len = reach_to_hll((uint8_t *) VARDATA(out), cap,
								   REACH_BODY(c), REACH_BODY_LEN(c), 0);

	if (len == 0)
		elog(ERROR, "reach_sketch export to hll failed");
	SET_VARSIZE(out, VARHDRSZ + len);
	PG_RETURN_BYTEA_P(out);
}

static struct varlena *
reach_from_hll_bytes(const uint8_t *hll, size_t hlen)
{
	const char *problem = reach_from_hll_check(hll, hlen);
	size_t		cap;
	size_t		len;
	struct varlena *v;

	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid hll value: %s", problem)));
	cap = reach_from_hll_size(hll, hlen);
	v = ie_varlena_alloc(cap);
	len = reach_from_hll(REACH_BODY(v), cap, hll, hlen);
	if (len == 0)
		elog(ERROR, "hll import failed");
	SET_VARSIZE(v, VARHDRSZ + len);
	return v;
}

PG_FUNCTION_INFO_V1(reach_sketch_from_hll);
Datum
reach_sketch_from_hll(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);

	PG_RETURN_POINTER(reach_from_hll_bytes((const uint8_t *) VARDATA_ANY(b),
										   VARSIZE_ANY_EXHDR(b)));
}

/*
 * postgresql-hll has no cast from hll to bytea, but an hll's text form is
 * the \x hex of its bytes, so reach_sketch_from_hll(h::text) works.
 */
PG_FUNCTION_INFO_V1(reach_sketch_from_hll_text);
Datum
reach_sketch_from_hll_text(PG_FUNCTION_ARGS)
{
	struct varlena *b = ie_varlena_from_hex(text_to_cstring(PG_GETARG_TEXT_PP(0)), "hll");

	PG_RETURN_POINTER(reach_from_hll_bytes(IE_BODY(b), IE_BODY_LEN(b)));
}
