/*
 * frequency.c — PostgreSQL glue for frequency_sketch: I/O, casts,
 * aggregates, accessors (reach, impressions, frequency histogram, k+ reach,
 * audience overlap), equality/hash/order.
 *
 * The algorithm (a bottom-k sample of user hashes with exact per-user
 * impression counts) is in src/core/frequency_*.c.  Aggregate states
 * are frequency_sketch values (not internal), updated in place in the
 * aggregate context and grown through the core's regrow protocol, as in
 * reach.c.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/expandeddatum.h"
#include "utils/memutils.h"
#include "utils/jsonb.h"
#include "utils/tuplestore.h"

#include "frequency_core.h"
#include "sketch_glue.h"

#define frequency_arg(fcinfo, n)	ie_arg(&frequency_sketch_type, fcinfo, n)
/* an argument that a union merges whole, checking its entries on the way */
#define frequency_arg_read_once(fcinfo, n) \
	ie_arg_checked(&frequency_sketch_type, fcinfo, n, frequency_validate_shallow)
#define frequency_canonical_arg(fcinfo, n) \
	ie_canonical_arg(&frequency_sketch_type, fcinfo, n)

static uint32_t
frequency_k_arg(FunctionCallInfo fcinfo, int n)
{
	int32		k;

	if (PG_NARGS() <= n || PG_ARGISNULL(n))
		return FREQUENCY_DEFAULT_K;
	k = PG_GETARG_INT32(n);
	if (k < FREQUENCY_MIN_K || k > FREQUENCY_MAX_K)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("frequency_sketch k %d is out of range", k),
				 errdetail("k must be between %d and %d (default %d).",
						   FREQUENCY_MIN_K, FREQUENCY_MAX_K, FREQUENCY_DEFAULT_K)));
	return (uint32_t) k;
}

/* ------------------------------------------------------------------------
 * Text and binary I/O, bytea cast
 * ------------------------------------------------------------------------ */

/*
 * Input is checked by the core's validator; equality is equality of
 * canonical forms (the same users, counts, theta and k).
 */
IE_TYPE_FUNCTIONS(frequency_sketch, frequency_sketch_type, ie_check_bytes);

/* ------------------------------------------------------------------------
 * Aggregates
 * ------------------------------------------------------------------------ */

static struct varlena *
frequency_state_new(uint32_t k)
{
	size_t		len = frequency_state_initial_size();
	struct varlena *state = ie_varlena_alloc(len);

	if (!frequency_state_init(IE_BODY(state), len, k, ie_table_seed()))
		elog(ERROR, "could not initialise a frequency_sketch state");
	return state;
}

/*
 * One rule for totals: impressions() is a bigint, so a sketch may not count
 * more than 2^63 - 1 impressions.  The core saturates its uint64 total; the
 * first add or merge that passes bigint's range is an error here, before
 * saturation can hide it (one add is at most 2^63 - 1).
 */
static void
frequency_check_total(uint64_t total)
{
	if (total > (uint64_t) PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("frequency_sketch impressions total out of range"),
				 errdetail("The total would exceed %lld impressions (bigint), which a frequency_sketch cannot count.",
						   (long long) PG_INT64_MAX)));
}

/* merge the checked sketch src into state (NULL: a new state) */
static struct varlena *
frequency_state_merge_sketch(struct varlena *state, struct varlena *src)
{
	if (state == NULL)
	{
		FrequencyInfo info;

		frequency_get_info(IE_BODY(src), IE_BODY_LEN(src), &info);
		state = frequency_state_new(info.k);
	}
	state = ie_state_merge(&frequency_sketch_type, state, src);
	frequency_check_total(frequency_impressions(IE_BODY(state), IE_BODY_LEN(state)));
	return state;
}

/*
 * frequency_agg(user [, impressions [, k]]): one row is one impression, or
 * `impressions` of them when given.  Not strict: the first row creates the
 * state; a NULL user, or NULL or 0 impressions, skips the row.
 */
static inline Datum
frequency_agg_trans_common(FunctionCallInfo fcinfo, IeUserType type, const char *fname)
{
	struct varlena *state = ie_agg_state(fcinfo, fname);
	uint64_t	count = 1;
	size_t		need;

	/* k is the group's: the first row sets it, a later row may not change it */
	if (state != NULL && PG_NARGS() > 3)
	{
		uint32_t	k = frequency_k_arg(fcinfo, 3);

		if (k != frequency_k(IE_BODY(state), IE_BODY_LEN(state)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("frequency_agg k changes within a group: %u, then %u",
							frequency_k(IE_BODY(state), IE_BODY_LEN(state)), k),
					 errdetail("k must be the same for every row of a group.")));
	}
	if (PG_NARGS() > 2)
	{
		int64		n;

		if (PG_ARGISNULL(2))
			goto skip;
		n = PG_GETARG_INT64(2);
		if (n < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("impressions must not be negative: " INT64_FORMAT, n)));
		if (n == 0)
			goto skip;
		count = (uint64_t) n;
	}
	if (PG_ARGISNULL(1))
		goto skip;
	if (state == NULL)
		state = frequency_state_new(frequency_k_arg(fcinfo, 3));
	{
		uint64_t	hash = ie_hash_user_arg(fcinfo, 1, type);

		while ((need = frequency_state_add(IE_BODY(state), IE_BODY_LEN(state), hash, count)) != 0)
			state = ie_state_grow(&frequency_sketch_type, state, need, NULL);
	}
	frequency_check_total(frequency_impressions(IE_BODY(state), IE_BODY_LEN(state)));
	PG_RETURN_POINTER(state);

skip:
	if (state == NULL)
	{
		/* a bad k is an error even if every row is skipped */
		(void) frequency_k_arg(fcinfo, 3);
		PG_RETURN_NULL();
	}
	PG_RETURN_POINTER(state);
}

IE_USER_TYPE_TRANSITIONS(frequency_agg_trans, frequency_agg_trans_common);

/*
 * frequency_union_agg's state once its inputs are large: the sorted union
 * of src/core/frequency_union.c in an expanded object
 * (utils/expandeddatum.h), so that nodeAgg keeps it as it is between rows
 * (its memory context is a child of the aggregate's) and anything else
 * that reads the state (the final function, a parallel worker's partial
 * result) gets it flattened into a CANONICAL value: no other form of it
 * ever leaves memory, and the stored format is unchanged.  Two arrays of
 * entries, the union's and the next merge's output, each of at most k
 * entries (128 KB in all at k = 4096, what the largest table takes).
 *
 * Smaller unions stay in the table state: an object costs a memory
 * context of its own (about 1 KB) and two arrays take more than one table
 * of the same entries, so the union goes sorted when it would hold
 * FREQUENCY_SORTED_MIN entries (its table 16 KB or more, its arrays
 * 32 KB).  Measured (hash aggregates, work_mem 1 GB): 5,000 unions of 300
 * users took 98 MB before and after, 1,000 of 2,000 users 72 MB before and
 * 77 MB with the sorted union, 500 of 4,500 users 68 MB before and after.
 */
#define FREQUENCY_SORTED_MIN	1024

typedef struct FrequencyUnionObject
{
	ExpandedObjectHeader hdr;
	FrequencyUnion u;
	FrequencyEntry *spare;		/* the next merge's output */
	uint32_t	capacity;		/* entries of u.entries and of spare */
} FrequencyUnionObject;

static Size
frequency_union_flat_size(ExpandedObjectHeader *eohptr)
{
	return VARHDRSZ + frequency_union_size(&((FrequencyUnionObject *) eohptr)->u);
}

static void
frequency_union_flatten(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	FrequencyUnionObject *o = (FrequencyUnionObject *) eohptr;
	struct varlena *v = (struct varlena *) result;

	if (frequency_union_write(&o->u, IE_BODY(v), allocated_size - VARHDRSZ) + VARHDRSZ != allocated_size)
		elog(ERROR, "frequency_sketch union of %zu bytes does not fit in %zu",
			 frequency_union_size(&o->u), (size_t) allocated_size - VARHDRSZ);
	SET_VARSIZE(v, allocated_size);
}

static const ExpandedObjectMethods frequency_union_methods = {
	frequency_union_flat_size,
	frequency_union_flatten
};

/* the entries a value holds (0 for NULL): from its header */
static uint32_t
frequency_entries(struct varlena *v)
{
	FrequencyInfo info;

	if (v == NULL)
		return 0;
	frequency_get_info(IE_BODY(v), IE_BODY_LEN(v), &info);
	return info.entries;
}

/* d, a non-null state, is our object, writable */
static bool
frequency_union_is_object(Datum d)
{
	return VARATT_IS_EXTERNAL_EXPANDED_RW(DatumGetPointer(d)) &&
		DatumGetEOHP(d)->eoh_methods == &frequency_union_methods;
}

/* room for at least room entries in both arrays, the entries kept */
static void
frequency_union_reserve(FrequencyUnionObject *o, uint32_t room)
{
	uint32_t	cap;
	FrequencyEntry *entries;

	if (room <= o->capacity)
		return;
	cap = Max(room, o->capacity + o->capacity / 2);
	cap = Min(cap, Max(room, o->u.k));
	entries = MemoryContextAllocHuge(o->hdr.eoh_context, sizeof(FrequencyEntry) * (Size) cap);
	if (o->u.n > 0)
		memcpy(entries, o->u.entries, sizeof(FrequencyEntry) * (Size) o->u.n);
	if (o->capacity > 0)
	{
		pfree(o->u.entries);
		pfree(o->spare);
	}
	o->u.entries = entries;
	o->spare = MemoryContextAllocHuge(o->hdr.eoh_context, sizeof(FrequencyEntry) * (Size) cap);
	o->capacity = cap;
}

/* merge the shallowly checked src (of any representation) into o */
static void
frequency_union_object_merge(FrequencyUnionObject *o, struct varlena *src)
{
	struct varlena *c = ie_canonical(&frequency_sketch_type, src);
	uint32_t	room = frequency_union_room(&o->u, IE_BODY(c));
	FrequencyEntry *old;

	frequency_union_reserve(o, room);
	old = o->u.entries;
	if (!frequency_union_merge(&o->u, IE_BODY(c), IE_BODY_LEN(c), o->spare, o->capacity))
	{
		/* a broken entry: the full check says which */
		ie_check_bytes(&frequency_sketch_type, IE_BODY(c), IE_BODY_LEN(c),
					   ERRCODE_INVALID_BINARY_REPRESENTATION);
		elog(ERROR, "frequency_sketch union failed on a valid value");
	}
	o->spare = old;
	frequency_check_total(o->u.total);
	if (c != src)
		pfree(c);
}

/*
 * A new object in aggcontext holding the union of state (a table state
 * or NULL) and src.  The state goes in as its canonical form, which the
 * union of the two does not tell from the state (frequency_union.c).
 */
static Datum
frequency_union_object_new(MemoryContext aggcontext, struct varlena *state, struct varlena *src)
{
	MemoryContext cxt = AllocSetContextCreate(aggcontext, "frequency_union_agg",
											  ALLOCSET_SMALL_SIZES);
	FrequencyUnionObject *o = MemoryContextAllocZero(cxt, sizeof(FrequencyUnionObject));

	EOH_init_header(&o->hdr, &frequency_union_methods, cxt);
	frequency_union_init(&o->u, frequency_k(IE_BODY(state ? state : src),
											IE_BODY_LEN(state ? state : src)), NULL);
	if (state != NULL)
		frequency_union_object_merge(o, state);
	frequency_union_object_merge(o, src);
	return EOHPGetRWDatum(&o->hdr);
}

/* transition of frequency_union_agg: NULL sketches are skipped */
PG_FUNCTION_INFO_V1(frequency_union_trans);
Datum
frequency_union_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggcontext;
	struct varlena *state;
	struct varlena *src;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "frequency_union_trans called in non-aggregate context");
	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	src = frequency_arg_read_once(fcinfo, 1);
	if (!PG_ARGISNULL(0) && frequency_union_is_object(PG_GETARG_DATUM(0)))
	{
		FrequencyUnionObject *o = (FrequencyUnionObject *) DatumGetEOHP(PG_GETARG_DATUM(0));

		frequency_union_object_merge(o, src);
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	state = PG_ARGISNULL(0) ? NULL : ie_state_arg(fcinfo, 0);
	if ((uint64_t) frequency_entries(state) + frequency_entries(src) >= FREQUENCY_SORTED_MIN)
		PG_RETURN_DATUM(frequency_union_object_new(aggcontext, state, src));
	PG_RETURN_POINTER(frequency_state_merge_sketch(state, src));
}

/* combine function (strict); the second state comes from another process */
PG_FUNCTION_INFO_V1(frequency_combine);
Datum
frequency_combine(PG_FUNCTION_ARGS)
{
	struct varlena *state = ie_agg_state(fcinfo, "frequency_combine");

	PG_RETURN_POINTER(frequency_state_merge_sketch(state, frequency_arg(fcinfo, 1)));
}

/* final function: the canonical sketch; zero rows give an empty one */
PG_FUNCTION_INFO_V1(frequency_agg_final);
Datum
frequency_agg_final(PG_FUNCTION_ARGS)
{
	return ie_agg_final(&frequency_sketch_type, fcinfo);
}

/* ------------------------------------------------------------------------
 * Accessors
 * ------------------------------------------------------------------------ */

PG_FUNCTION_INFO_V1(frequency_sketch_reach);
Datum
frequency_sketch_reach(PG_FUNCTION_ARGS)
{
	struct varlena *c = frequency_canonical_arg(fcinfo, 0);

	PG_RETURN_INT64(frequency_round(frequency_reach(IE_BODY(c), IE_BODY_LEN(c))));
}

PG_FUNCTION_INFO_V1(frequency_sketch_impressions);
Datum
frequency_sketch_impressions(PG_FUNCTION_ARGS)
{
	struct varlena *v = frequency_arg(fcinfo, 0);
	uint64_t	n = frequency_impressions(IE_BODY(v), IE_BODY_LEN(v));

	if (n > (uint64_t) PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("impressions total exceeds the bigint range")));
	PG_RETURN_INT64((int64) n);
}

PG_FUNCTION_INFO_V1(frequency_sketch_average_frequency);
Datum
frequency_sketch_average_frequency(PG_FUNCTION_ARGS)
{
	struct varlena *c = frequency_canonical_arg(fcinfo, 0);
	double		avg = frequency_average(IE_BODY(c), IE_BODY_LEN(c));

	/* no users: unknown, as average_frequency(impressions, 0) is */
	if (isnan(avg))
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8(avg);
}

PG_FUNCTION_INFO_V1(frequency_sketch_reach_at_least);
Datum
frequency_sketch_reach_at_least(PG_FUNCTION_ARGS)
{
	struct varlena *c = frequency_canonical_arg(fcinfo, 0);
	int32		n = PG_GETARG_INT32(1);

	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("frequency %d must not be negative", n)));
	PG_RETURN_INT64(frequency_round(frequency_reach_at_least(IE_BODY(c), IE_BODY_LEN(c),
															 (uint64_t) n)));
}

/* the most buckets a histogram may ask for: far beyond any media plan */
#define FREQUENCY_MAX_HISTOGRAM 100000

PG_FUNCTION_INFO_V1(frequency_sketch_histogram);
Datum
frequency_sketch_histogram(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	/* read once: the histogram checks a stored sketch's entries */
	struct varlena *c = ie_canonical(&frequency_sketch_type, frequency_arg_read_once(fcinfo, 0));
	int32		max_frequency = PG_GETARG_INT32(1);
	FrequencyBucket *buckets;

	if (max_frequency < 1 || max_frequency > FREQUENCY_MAX_HISTOGRAM)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_frequency %d is out of range", max_frequency),
				 errdetail("max_frequency must be between 1 and %d.", FREQUENCY_MAX_HISTOGRAM)));
	buckets = palloc(sizeof(FrequencyBucket) * max_frequency);
	if (!frequency_histogram(IE_BODY(c), IE_BODY_LEN(c), (uint32_t) max_frequency, buckets))
	{
		/* a broken entry: the full check says which */
		ie_check_bytes(&frequency_sketch_type, IE_BODY(c), IE_BODY_LEN(c),
					   ERRCODE_INVALID_BINARY_REPRESENTATION);
		elog(ERROR, "frequency_histogram failed");
	}

	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < max_frequency; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = Int32GetDatum((int32) buckets[i].frequency);
		values[1] = Int64GetDatum(buckets[i].reach_rounded);
		values[2] = Int64GetDatum(buckets[i].reach_at_least_rounded);
		values[3] = Float8GetDatum(buckets[i].share);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* audiences: a and b, a but not b (theta-sketch set operations) */
typedef double (*FrequencySetOperation) (const uint8_t *a, size_t alen,
										 const uint8_t *b, size_t blen);

static Datum
frequency_set_operation(FunctionCallInfo fcinfo, FrequencySetOperation op)
{
	struct varlena *a = frequency_canonical_arg(fcinfo, 0);
	struct varlena *b = frequency_canonical_arg(fcinfo, 1);

	PG_RETURN_INT64(frequency_round(op(IE_BODY(a), IE_BODY_LEN(a), IE_BODY(b), IE_BODY_LEN(b))));
}

PG_FUNCTION_INFO_V1(frequency_sketch_intersection);
Datum
frequency_sketch_intersection(PG_FUNCTION_ARGS)
{
	return frequency_set_operation(fcinfo, frequency_intersection);
}

PG_FUNCTION_INFO_V1(frequency_sketch_difference);
Datum
frequency_sketch_difference(PG_FUNCTION_ARGS)
{
	return frequency_set_operation(fcinfo, frequency_difference);
}

PG_FUNCTION_INFO_V1(frequency_sketch_info);
Datum
frequency_sketch_info(PG_FUNCTION_ARGS)
{
	struct varlena *v = frequency_canonical_arg(fcinfo, 0);
	FrequencyInfo info;
	StringInfoData s;

	frequency_get_info(IE_BODY(v), IE_BODY_LEN(v), &info);
	initStringInfo(&s);
	appendStringInfo(&s,
					 "{\"version\": %d, \"k\": %u, \"mode\": \"%s\", \"users_kept\": %u, "
					 "\"theta\": %.17g, \"impressions\": " UINT64_FORMAT ", "
					 "\"reach\": " INT64_FORMAT ", \"relative_standard_error\": %.6g, \"bytes\": %zu}",
					 info.version, info.k, info.mode_name, info.entries,
					 info.theta_fraction, info.impressions,
					 frequency_round(info.reach), info.relative_standard_error,
					 (size_t) VARSIZE(v));
	PG_RETURN_DATUM(DirectFunctionCall1(jsonb_in, CStringGetDatum(s.data)));
}

/* a || b: the union, canonical */
PG_FUNCTION_INFO_V1(frequency_sketch_union);
Datum
frequency_sketch_union(PG_FUNCTION_ARGS)
{
	struct varlena *state = frequency_state_merge_sketch(NULL, frequency_arg_read_once(fcinfo, 0));

	state = frequency_state_merge_sketch(state, frequency_arg_read_once(fcinfo, 1));
	PG_RETURN_POINTER(ie_canonical(&frequency_sketch_type, state));
}

