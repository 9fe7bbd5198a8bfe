/*
 * sketch_io.h — what the glue of every sketch type shares: the text form
 * (\x + hex of the binary form), binary send/recv of the raw bytes, the
 * varlena allocation, and hashing of the user-id types the aggregates
 * accept (bigint, integer, text, bytea, uuid), all with postgresql-hll's
 * hash.
 */
#ifndef IMPRESSION_EXT_SKETCH_IO_H
#define IMPRESSION_EXT_SKETCH_IO_H

#include "impression_ext.h"

#include "common/hashfn.h"
#include "common/pg_prng.h"
#include "lib/stringinfo.h"
#include "utils/uuid.h"

#include "hash.h"

#define IE_BODY(v)		((uint8_t *) VARDATA(v))
#define IE_BODY_LEN(v)	((size_t) (VARSIZE(v) - VARHDRSZ))

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
extern char *ie_varlena_to_hex(struct varlena *v);

/* the rest of a binary message as a varlena, and the bytes of one */
extern struct varlena *ie_varlena_recv(StringInfo buf);
extern bytea *ie_varlena_send(struct varlena *v);

/* byte order of two canonical sketches: equality is byte equality */
extern int	ie_varlena_cmp(struct varlena *a, struct varlena *b);

/*
 * How a sketch type's functions take their arguments:
 *	 prefix##_check_bytes(body, len, errcode)  the core's validator, as an
 *		ERROR "invalid <typname>: <what is wrong>" with errcode;
 *	 prefix##_arg(fcinfo, n)  argument n, detoasted and checked.  Values on
 *		disk were checked when they came in, but every reader checks
 *		again: a value is bytes anyone with a bytea could have forged on a
 *		path we did not foresee, and the check is linear and cheap;
 *	 prefix##_canonical(v)  v in canonical form: v itself, or a copy made
 *		by canonicalize(dst, cap, src, len) into the core's
 *		prefix##_canonical_size();
 *	 prefix##_canonical_arg(fcinfo, n)  both: what accessors read.
 */
#define IE_SKETCH_ARG_FUNCTIONS(prefix, typname, canonicalize) \
static void \
prefix##_check_bytes(const uint8_t *body, size_t len, int errcode_) \
{ \
	const char *problem_ = prefix##_validate(body, len); \
	if (problem_ != NULL) \
		ereport(ERROR, \
				(errcode(errcode_), \
				 errmsg("invalid " typname ": %s", problem_))); \
} \
static pg_attribute_unused() struct varlena * \
prefix##_arg(FunctionCallInfo fcinfo, int n) \
{ \
	struct varlena *v_ = PG_DETOAST_DATUM(PG_GETARG_DATUM(n)); \
	prefix##_check_bytes(IE_BODY(v_), IE_BODY_LEN(v_), ERRCODE_INVALID_BINARY_REPRESENTATION); \
	return v_; \
} \
static struct varlena * \
prefix##_canonical(struct varlena *v) \
{ \
	size_t		cap_; \
	size_t		len_; \
	struct varlena *c_; \
	if (!prefix##_needs_canonicalize(IE_BODY(v), IE_BODY_LEN(v))) \
		return v; \
	cap_ = prefix##_canonical_size(IE_BODY(v), IE_BODY_LEN(v)); \
	c_ = ie_varlena_alloc(cap_); \
	len_ = canonicalize(IE_BODY(c_), cap_, IE_BODY(v), IE_BODY_LEN(v)); \
	if (len_ == 0) \
		elog(ERROR, typname " canonicalization failed"); \
	SET_VARSIZE(c_, VARHDRSZ + len_); \
	return c_; \
} \
static pg_attribute_unused() struct varlena * \
prefix##_canonical_arg(FunctionCallInfo fcinfo, int n) \
{ \
	return prefix##_canonical(prefix##_arg(fcinfo, n)); \
} \
extern int no_such_variable

/*
 * The text and binary I/O and the bytea cast of a sketch type: the text
 * form is \x and the hex of the stored bytes, send/recv carry the bytes,
 * and bytes from outside (text, binary, bytea) become a value only after
 * check_input(body, len, errcode) accepts them (the core's
 * validator, and whatever else the type requires of input).  Output
 * prints the stored bytes as they are, so every value round trips byte for
 * byte.
 */
#define IE_SKETCH_IO_FUNCTIONS(type, check_input) \
PG_FUNCTION_INFO_V1(type##_in); \
Datum \
type##_in(PG_FUNCTION_ARGS) \
{ \
	struct varlena *v_ = ie_varlena_from_hex(PG_GETARG_CSTRING(0), #type); \
	check_input(IE_BODY(v_), IE_BODY_LEN(v_), ERRCODE_INVALID_TEXT_REPRESENTATION); \
	PG_RETURN_POINTER(v_); \
} \
PG_FUNCTION_INFO_V1(type##_out); \
Datum \
type##_out(PG_FUNCTION_ARGS) \
{ \
	PG_RETURN_CSTRING(ie_varlena_to_hex(PG_DETOAST_DATUM(PG_GETARG_DATUM(0)))); \
} \
PG_FUNCTION_INFO_V1(type##_recv); \
Datum \
type##_recv(PG_FUNCTION_ARGS) \
{ \
	struct varlena *v_ = ie_varlena_recv((StringInfo) PG_GETARG_POINTER(0)); \
	check_input(IE_BODY(v_), IE_BODY_LEN(v_), ERRCODE_INVALID_BINARY_REPRESENTATION); \
	PG_RETURN_POINTER(v_); \
} \
PG_FUNCTION_INFO_V1(type##_send); \
Datum \
type##_send(PG_FUNCTION_ARGS) \
{ \
	PG_RETURN_BYTEA_P(ie_varlena_send(PG_DETOAST_DATUM(PG_GETARG_DATUM(0)))); \
} \
PG_FUNCTION_INFO_V1(type##_from_bytea); \
Datum \
type##_from_bytea(PG_FUNCTION_ARGS) \
{ \
	struct varlena *b_ = (struct varlena *) PG_GETARG_BYTEA_P_COPY(0); \
	check_input(IE_BODY(b_), IE_BODY_LEN(b_), ERRCODE_INVALID_BINARY_REPRESENTATION); \
	PG_RETURN_POINTER(b_); \
} \
extern int no_such_variable

/* free v if it is a copy of the argument it was fetched from */
static inline void
ie_free_if_copy(struct varlena *v, Datum arg)
{
	if ((Pointer) v != DatumGetPointer(arg))
		pfree(v);
}

/*
 * The comparison, equality and hash functions of a sketch type, on
 * canonical forms: equal canonical values are equal bytes.  The order means
 * nothing to an analyst; it exists so that sort-based plans work
 * (count(DISTINCT s), ORDER BY).  Sorts and hash tables call these once per
 * pair or value, so they decode nothing they need not and keep nothing: an
 * operand whose header shows it canonical (prefix##_canonical_by_header,
 * the core's) is compared as its bytes; any other is checked and
 * canonicalized (prefix##_check_bytes, prefix##_canonical, the glue's); and
 * every copy is freed before the function returns, so a sort's memory does
 * not grow with its comparisons.
 */
#define IE_SKETCH_ORDER_FUNCTIONS(type, prefix) \
static struct varlena * \
type##_order_arg(FunctionCallInfo fcinfo, int n) \
{ \
	struct varlena *v_ = PG_DETOAST_DATUM(PG_GETARG_DATUM(n)); \
	struct varlena *c_; \
	if (prefix##_canonical_by_header(IE_BODY(v_), IE_BODY_LEN(v_))) \
		return v_; \
	prefix##_check_bytes(IE_BODY(v_), IE_BODY_LEN(v_), ERRCODE_INVALID_BINARY_REPRESENTATION); \
	c_ = prefix##_canonical(v_); \
	if (c_ != v_) \
		ie_free_if_copy(v_, PG_GETARG_DATUM(n)); \
	return c_; \
} \
static int \
type##_compare(FunctionCallInfo fcinfo) \
{ \
	struct varlena *a_ = type##_order_arg(fcinfo, 0); \
	struct varlena *b_ = type##_order_arg(fcinfo, 1); \
	int			r_ = ie_varlena_cmp(a_, b_); \
	ie_free_if_copy(a_, PG_GETARG_DATUM(0)); \
	ie_free_if_copy(b_, PG_GETARG_DATUM(1)); \
	return r_; \
} \
static Datum \
type##_hash_with_seed(FunctionCallInfo fcinfo, bool extended) \
{ \
	struct varlena *c_ = type##_order_arg(fcinfo, 0); \
	Datum		h_ = extended ? \
		hash_any_extended(IE_BODY(c_), (int) IE_BODY_LEN(c_), PG_GETARG_INT64(1)) : \
		hash_any(IE_BODY(c_), (int) IE_BODY_LEN(c_)); \
	ie_free_if_copy(c_, PG_GETARG_DATUM(0)); \
	return h_; \
} \
PG_FUNCTION_INFO_V1(type##_cmp); \
Datum type##_cmp(PG_FUNCTION_ARGS) { PG_RETURN_INT32(type##_compare(fcinfo)); } \
PG_FUNCTION_INFO_V1(type##_eq); \
Datum type##_eq(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(type##_compare(fcinfo) == 0); } \
PG_FUNCTION_INFO_V1(type##_ne); \
Datum type##_ne(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(type##_compare(fcinfo) != 0); } \
PG_FUNCTION_INFO_V1(type##_lt); \
Datum type##_lt(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(type##_compare(fcinfo) < 0); } \
PG_FUNCTION_INFO_V1(type##_le); \
Datum type##_le(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(type##_compare(fcinfo) <= 0); } \
PG_FUNCTION_INFO_V1(type##_gt); \
Datum type##_gt(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(type##_compare(fcinfo) > 0); } \
PG_FUNCTION_INFO_V1(type##_ge); \
Datum type##_ge(PG_FUNCTION_ARGS) { PG_RETURN_BOOL(type##_compare(fcinfo) >= 0); } \
PG_FUNCTION_INFO_V1(type##_hash); \
Datum type##_hash(PG_FUNCTION_ARGS) { return type##_hash_with_seed(fcinfo, false); } \
PG_FUNCTION_INFO_V1(type##_hash_extended); \
Datum type##_hash_extended(PG_FUNCTION_ARGS) { return type##_hash_with_seed(fcinfo, true); } \
extern int no_such_variable

/* user-id hashes: integers (smallint, integer) widen to bigint; text and bytea hash their bytes */
typedef enum IeUserType
{
	IE_USER_INT8,
	IE_USER_INT4,
	IE_USER_INT2,
	IE_USER_BYTES,				/* text or bytea */
	IE_USER_UUID
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
	}
	return 0;
}

#endif
