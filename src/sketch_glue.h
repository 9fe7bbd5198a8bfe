/*
 * sketch_glue.h — the PostgreSQL side of the type protocol: one generic
 * glue that does, for every stored type, what its core's descriptor
 * (src/core/sketch_type.h) allows: text and binary I/O, the bytea cast,
 * checking and canonicalizing arguments, aggregate states and their
 * growth, final functions, and the comparison and hash support.  A type's
 * glue file (reach.c, frequency.c, journey.c) keeps only what is its own:
 * its aggregates' per-row adds, its accessors and its rules.
 *
 * Also here: the varlena helpers and the hashing of the user-id types the
 * aggregates accept (bigint, integer, smallint, text, bytea, uuid), with
 * postgresql-hll's hash.
 */
#ifndef IMPRESSION_EXT_SKETCH_GLUE_H
#define IMPRESSION_EXT_SKETCH_GLUE_H

#include "impression_ext.h"

#include "common/hashfn.h"
#include "common/pg_prng.h"
#include "datatype/timestamp.h"
#include "lib/stringinfo.h"
#include "utils/uuid.h"

#include "hash.h"
#include "sketch_type.h"

#define IE_BODY(v)		((uint8_t *) VARDATA(v))
#define IE_BODY_LEN(v)	((size_t) (VARSIZE(v) - VARHDRSZ))

/*
 * The seed of a new aggregate state's hash table: unpredictable to whoever
 * writes the rows (PostgreSQL's per-process generator, seeded from
 * pg_strong_random), so no chosen set of keys piles onto one run of slots.
 * The stored, canonical form does not depend on it.
 */
static inline uint64_t
ie_table_seed(void)
{
	return pg_prng_uint64(&pg_global_prng_state);
}

/* a zeroed varlena with room for body_len bytes */
extern struct varlena *ie_varlena_alloc(size_t body_len);

/* "\x" + hex -> bytes; malformed text is an ERROR 22P02 naming typname */
extern struct varlena *ie_varlena_from_hex(const char *str, const char *typname);

/* ------------------------------------------------------------------------
 * Values of a type (sketch_glue.c)
 * ------------------------------------------------------------------------ */

/* the core's validator as an ERROR "invalid <type>: <what is wrong>" with errcode */
extern void ie_check_bytes(const IeSketchType *t, const uint8_t *body, size_t len,
						   int errcode);

/*
 * Argument n, detoasted and checked.  Values on disk were checked when
 * they came in, but every reader checks again: a value is bytes anyone
 * with a bytea could have forged on a path we did not foresee, and the
 * check is linear and cheap.
 */
extern struct varlena *ie_arg(const IeSketchType *t, FunctionCallInfo fcinfo, int n);

/*
 * The same with another check: a type's shallow validator, for an argument
 * that the caller's merge or estimate reads whole and checks as it goes
 * (reach_validate_shallow, frequency_validate_shallow), so that a stored
 * value is read once, not validated and then read.
 */
extern struct varlena *ie_arg_checked(const IeSketchType *t, FunctionCallInfo fcinfo, int n,
									  const char *(*check) (const uint8_t *body, size_t len));

/* v (valid) in canonical form: v itself, or a new copy */
extern struct varlena *ie_canonical(const IeSketchType *t, struct varlena *v);

/* both: what accessors read */
static inline struct varlena *
ie_canonical_arg(const IeSketchType *t, FunctionCallInfo fcinfo, int n)
{
	return ie_canonical(t, ie_arg(t, fcinfo, n));
}

/* the empty value with the type's default parameters */
extern struct varlena *ie_empty(const IeSketchType *t);

/* ------------------------------------------------------------------------
 * Aggregate states
 *
 * A state is a value of the type in its STATE representation, updated in
 * place inside the aggregate context.  When an add or merge does not fit,
 * ie_state_grow builds the larger copy in the current (per-tuple) memory
 * context and the function returns it; nodeAgg copies it into the
 * aggregate context and frees the old one (see ExecAggTransReparent).
 * ------------------------------------------------------------------------ */

/*
 * An aggregate state argument: ours, so normally a plain 4-byte-header
 * varlena that can be used (and updated) in place; only a state adopted
 * from another process (a combine input) may arrive packed.  Inline, since
 * it runs once per row.
 */
static inline struct varlena *
ie_state_arg(FunctionCallInfo fcinfo, int n)
{
	struct varlena *v = (struct varlena *) PG_GETARG_POINTER(n);

	return VARATT_IS_EXTENDED(v) ? pg_detoast_datum(v) : v;
}

/*
 * The state argument of a transition or combine function (NULL when
 * SQL NULL).  Updating it in place is allowed only in an aggregate's own
 * copy, hence the check.  Inline, as it runs once per row.
 */
static inline struct varlena *
ie_agg_state(FunctionCallInfo fcinfo, const char *fname)
{
	if (!AggCheckCallContext(fcinfo, NULL))
		elog(ERROR, "%s called in non-aggregate context", fname);
	if (PG_ARGISNULL(0))
		return NULL;
	return ie_state_arg(fcinfo, 0);
}

/*
 * The state grown to need bytes as plan says (the core's add or merge
 * returned need and filled plan): an ERROR when need is IE_GROW_TOO_LARGE
 * (54000, with the type's limits) or IE_GROW_BAD_ARGUMENT.
 */
extern struct varlena *ie_state_grow(const IeSketchType *t, struct varlena *state,
									 size_t need, const void *plan);

/* merge the valid value src into state (growing it as needed) */
extern struct varlena *ie_state_merge(const IeSketchType *t, struct varlena *state,
									  struct varlena *src);

/*
 * A final function: the canonical form of the state, which depends only on
 * the set of values added; zero rows give the empty value (as count()
 * gives 0).  The state itself is never returned: the executor may
 * finalize it again.
 */
extern Datum ie_agg_final(const IeSketchType *t, FunctionCallInfo fcinfo);

/* ------------------------------------------------------------------------
 * The SQL-callable functions every type has
 * ------------------------------------------------------------------------ */

/*
 * Text form: \x and the hex of the stored bytes; send/recv carry the
 * bytes.  Bytes from outside (text, binary, the bytea cast) become a value
 * only after check_input(t, body, len, errcode) accepts them: the core's
 * validator, and whatever else the type requires of input.  Output prints
 * the stored bytes as they are, so every value round trips byte for byte.
 */
typedef void (*IeCheckInput) (const IeSketchType *t, const uint8_t *body, size_t len,
							  int errcode);

extern Datum ie_type_in(const IeSketchType *t, IeCheckInput check, FunctionCallInfo fcinfo);
extern Datum ie_type_out(FunctionCallInfo fcinfo);
extern Datum ie_type_recv(const IeSketchType *t, IeCheckInput check, FunctionCallInfo fcinfo);
extern Datum ie_type_send(FunctionCallInfo fcinfo);
extern Datum ie_type_from_bytea(const IeSketchType *t, IeCheckInput check,
								FunctionCallInfo fcinfo);

/*
 * Comparison and hash support, on canonical forms: equal canonical values
 * are equal bytes.  The order means nothing to an analyst; it exists so
 * that sort-based plans work (count(DISTINCT s), ORDER BY).  Sorts and
 * hash tables call these once per pair or value, so they decode nothing
 * they need not and keep nothing: an operand whose header shows it
 * canonical is compared as its bytes; any other is checked and
 * canonicalized; every copy is freed before the function returns, so a
 * sort's memory does not grow with its comparisons.
 */
extern int	ie_type_compare(const IeSketchType *t, FunctionCallInfo fcinfo);
extern Datum ie_type_hash(const IeSketchType *t, FunctionCallInfo fcinfo, bool extended);

/*
 * The V1 entry points of the above for type (the SQL type's name, which
 * the install script's C symbols follow), with descriptor and check_input.
 */
#define IE_TYPE_FUNCTIONS(type, descriptor, check_input) \
PG_FUNCTION_INFO_V1(type##_in); \
Datum type##_in(PG_FUNCTION_ARGS) { return ie_type_in(&(descriptor), check_input, fcinfo); } \
PG_FUNCTION_INFO_V1(type##_out); \
Datum type##_out(PG_FUNCTION_ARGS) { return ie_type_out(fcinfo); } \
PG_FUNCTION_INFO_V1(type##_recv); \
Datum type##_recv(PG_FUNCTION_ARGS) { return ie_type_recv(&(descriptor), check_input, fcinfo); } \
PG_FUNCTION_INFO_V1(type##_send); \
Datum type##_send(PG_FUNCTION_ARGS) { return ie_type_send(fcinfo); } \
PG_FUNCTION_INFO_V1(type##_from_bytea); \
Datum type##_from_bytea(PG_FUNCTION_ARGS) { return ie_type_from_bytea(&(descriptor), check_input, fcinfo); } \
PG_FUNCTION_INFO_V1(type##_cmp); \
Datum type##_cmp(PG_FUNCTION_ARGS) { PG_RETURN_INT32(ie_type_compare(&(descriptor), fcinfo)); } \
PG_FUNCTION_INFO_V1(type##_eq); \
Datum type##_eq(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(ie_type_compare(&(descriptor), fcinfo) == 0); } \
PG_FUNCTION_INFO_V1(type##_ne); \
Datum type##_ne(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(ie_type_compare(&(descriptor), fcinfo) != 0); } \
PG_FUNCTION_INFO_V1(type##_lt); \
Datum type##_lt(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(ie_type_compare(&(descriptor), fcinfo) < 0); } \
PG_FUNCTION_INFO_V1(type##_le); \
Datum type##_le(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(ie_type_compare(&(descriptor), fcinfo) <= 0); } \
PG_FUNCTION_INFO_V1(type##_gt); \
Datum type##_gt(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(ie_type_compare(&(descriptor), fcinfo) > 0); } \
PG_FUNCTION_INFO_V1(type##_ge); \
Datum type##_ge(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(ie_type_compare(&(descriptor), fcinfo) >= 0); } \
PG_FUNCTION_INFO_V1(type##_hash); \
Datum type##_hash(PG_FUNCTION_ARGS) { return ie_type_hash(&(descriptor), fcinfo, false); } \
PG_FUNCTION_INFO_V1(type##_hash_extended); \
Datum type##_hash_extended(PG_FUNCTION_ARGS) { return ie_type_hash(&(descriptor), fcinfo, true); } \
extern int no_such_variable

/*
 * An interval as microseconds, months counted as 30 days as PostgreSQL's
 * interval comparison does, saturating beyond int64 (journey.c: the
 * windows of attribute() and the lookback of markov_agg)
 */
extern int64 ie_interval_usecs(const Interval *iv);

/* user-id hashes: integers (smallint, integer) widen to bigint; text and bytea hash their bytes */
typedef enum IeUserType
{
	IE_USER_INT8,
	IE_USER_INT4,
	IE_USER_INT2,
	IE_USER_BYTES,				/* text or bytea */
	IE_USER_UUID,
	IE_USER_HASH				/* bigint: the 64-bit hash itself (reach_hash_agg) */
} IeUserType;

/* inline: it sits on the aggregates' per-row path, and type is a constant there */
static inline uint64_t
ie_hash_user_arg(FunctionCallInfo fcinfo, int argno, IeUserType type)
{
	switch (type)
	{
		case IE_USER_INT8:
			return ie_hash_int64_inline(PG_GETARG_INT64(argno));
		case IE_USER_INT4:
			/* widened, so int and bigint ids hash alike */
			return ie_hash_int64_inline((int64) PG_GETARG_INT32(argno));
		case IE_USER_INT2:
			return ie_hash_int64_inline((int64) PG_GETARG_INT16(argno));
		case IE_USER_BYTES:
			{
				struct varlena *x = PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(argno));

				return ie_hash_bytes(VARDATA_ANY(x), VARSIZE_ANY_EXHDR(x));
			}
		case IE_USER_UUID:
			return ie_hash_bytes(DatumGetUUIDP(PG_GETARG_DATUM(argno))->data, UUID_LEN);
		case IE_USER_HASH:
			return (uint64_t) PG_GETARG_INT64(argno);
	}
	return 0;
}

/*
 * The V1 transition functions name_int8, _int4, _int2, _bytes (text and
 * bytea hash their bytes, as hll_hash_text / hll_hash_bytea do) and _uuid
 * of an aggregate over user ids, each calling
 * common(fcinfo, IeUserType, "name_<type>") with a constant type, so that
 * the inline hash is compiled for that type.
 */
#define IE_USER_TYPE_TRANSITION(name, suffix, type, common) \
PG_FUNCTION_INFO_V1(name##_##suffix); \
Datum name##_##suffix(PG_FUNCTION_ARGS) { return common(fcinfo, type, #name "_" #suffix); } \
extern int no_such_variable
#define IE_USER_TYPE_TRANSITIONS(name, common) \
IE_USER_TYPE_TRANSITION(name, int8, IE_USER_INT8, common); \
IE_USER_TYPE_TRANSITION(name, int4, IE_USER_INT4, common); \
IE_USER_TYPE_TRANSITION(name, int2, IE_USER_INT2, common); \
IE_USER_TYPE_TRANSITION(name, bytes, IE_USER_BYTES, common); \
IE_USER_TYPE_TRANSITION(name, uuid, IE_USER_UUID, common)

#endif
