/*
 * sketch_glue.c — the generic glue of the type protocol (sketch_glue.h):
 * what every stored type does the same way, driven by its core's
 * descriptor.
 */
#include "postgres.h"

#include <ctype.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "sketch_glue.h"

struct varlena *
ie_varlena_alloc(size_t body_len)
{
	struct varlena *v;

	if (body_len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("sketch of %zu bytes is too large", body_len)));
	v = (struct varlena *) palloc0(VARHDRSZ + body_len);
	SET_VARSIZE(v, VARHDRSZ + body_len);
	return v;
}

struct varlena *
ie_varlena_from_hex(const char *str, const char *typname)
{
	size_t		slen = strlen(str);
	struct varlena *v;

	if (slen < 2 || str[0] != '\\' || str[1] != 'x')
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s", typname),
				 errdetail("A %s is written as \\x followed by hexadecimal digits.", typname)));
	if ((slen - 2) % 2 != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type %s", typname),
				 errdetail("Odd number of hexadecimal digits.")));
	/* hex_decode would report bad digits as 22023 and skip whitespace */
	for (size_t i = 2; i < slen; i++)
		if (!isxdigit((unsigned char) str[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid input syntax for type %s", typname),
					 errdetail("Invalid hexadecimal digit \"%c\".", str[i])));
	v = ie_varlena_alloc((slen - 2) / 2);
	hex_decode(str + 2, slen - 2, (char *) IE_BODY(v));
	return v;
}

static char *
ie_varlena_to_hex(struct varlena *v)
{
	size_t		len = IE_BODY_LEN(v);
	char	   *out;

	/*
	 * Only a journey stored by 0.1 can be this large (nothing built since
	 * is over 256 MB); its binary forms still work.
	 */
	if (len > (MaxAllocSize - 3) / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("value of %zu bytes is too large for its text form", len),
				 errdetail("The text form (\\x and hex) is limited to %zu bytes of value; use the binary form (COPY ... BINARY, the bytea cast).",
						   (size_t) (MaxAllocSize - 3) / 2)));
	out = palloc(2 + 2 * len + 1);

	out[0] = '\\';
	out[1] = 'x';
	hex_encode((const char *) IE_BODY(v), len, out + 2);
	out[2 + 2 * len] = '\0';
	return out;
}

static struct varlena *
ie_varlena_recv(StringInfo buf)
{
	size_t		len = buf->len - buf->cursor;
	struct varlena *v = ie_varlena_alloc(len);

	pq_copymsgbytes(buf, (char *) IE_BODY(v), len);
	return v;
}

static bytea *
ie_varlena_send(struct varlena *v)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, (const char *) IE_BODY(v), IE_BODY_LEN(v));
	return pq_endtypsend(&buf);
}

/* byte order of two canonical values: equality is byte equality */
static int
ie_varlena_cmp(struct varlena *a, struct varlena *b)
{
	size_t		alen = IE_BODY_LEN(a);
	size_t		blen = IE_BODY_LEN(b);
	int			c = memcmp(IE_BODY(a), IE_BODY(b), Min(alen, blen));

	if (c != 0)
		return c < 0 ? -1 : 1;
	return alen < blen ? -1 : (alen > blen ? 1 : 0);
}

/* ------------------------------------------------------------------------
 * Values of a type
 * ------------------------------------------------------------------------ */

/* the one wording of a value that fails its check */
static void
report_invalid(const IeSketchType *t, const char *problem, int code)
{
	if (problem != NULL)
		ereport(ERROR,
				(errcode(code),
				 errmsg("invalid %s: %s", t->name, problem)));
}

void
ie_check_bytes(const IeSketchType *t, const uint8_t *body, size_t len, int code)
{
	report_invalid(t, t->validate(body, len), code);
}

struct varlena *
ie_arg(const IeSketchType *t, FunctionCallInfo fcinfo, int n)
{
	return ie_arg_checked(t, fcinfo, n, t->validate);
}

struct varlena *
ie_arg_checked(const IeSketchType *t, FunctionCallInfo fcinfo, int n,
			   const char *(*check) (const uint8_t *body, size_t len))
{
	struct varlena *v = PG_DETOAST_DATUM(PG_GETARG_DATUM(n));

	report_invalid(t, check(IE_BODY(v), IE_BODY_LEN(v)), ERRCODE_INVALID_BINARY_REPRESENTATION);
	return v;
}

struct varlena *
ie_canonical(const IeSketchType *t, struct varlena *v)
{
	size_t		cap;
	size_t		scratch_len;
	void	   *scratch = NULL;
	size_t		len;
	struct varlena *c;

	if (!t->needs_canonicalize(IE_BODY(v), IE_BODY_LEN(v)))
		return v;
	cap = t->canonical_size(IE_BODY(v), IE_BODY_LEN(v));
	c = ie_varlena_alloc(cap);
	scratch_len = t->scratch_size ? t->scratch_size(IE_BODY(v), IE_BODY_LEN(v)) : 0;
	if (scratch_len > 0)
		scratch = palloc_extended(scratch_len, MCXT_ALLOC_HUGE);
	len = t->canonicalize(IE_BODY(c), cap, IE_BODY(v), IE_BODY_LEN(v), scratch, scratch_len);
	if (scratch != NULL)
		pfree(scratch);
	if (len == 0)
		elog(ERROR, "%s canonicalization failed", t->name);
	SET_VARSIZE(c, VARHDRSZ + len);
	return c;
}

struct varlena *
ie_empty(const IeSketchType *t)
{
	struct varlena *v = ie_varlena_alloc(t->empty_size);

	if (!t->init_empty(IE_BODY(v), t->empty_size))
		elog(ERROR, "could not make an empty %s", t->name);
	return v;
}

/* ------------------------------------------------------------------------
 * Aggregate states
 * ------------------------------------------------------------------------ */

struct varlena *
ie_state_grow(const IeSketchType *t, struct varlena *state, size_t need, const void *plan)
{
	struct varlena *grown;

	if (need == IE_GROW_TOO_LARGE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s is too large", t->name),
				 t->limits ? errdetail("%s", t->limits()) : 0));
	if (need == IE_GROW_BAD_ARGUMENT)
		elog(ERROR, "%s state: an argument the core rejects", t->name);
	grown = ie_varlena_alloc(need);
	if (!t->state_regrow(IE_BODY(grown), need, IE_BODY(state), IE_BODY_LEN(state),
						 plan, ie_table_seed()))
		elog(ERROR, "%s state regrow to %zu bytes failed", t->name, need);
	return grown;
}

struct varlena *
ie_state_merge(const IeSketchType *t, struct varlena *state, struct varlena *src)
{
	uint64_t	plan[IE_GROW_PLAN_MAX / sizeof(uint64_t)];
	size_t		need;

	Assert(t->plan_size <= sizeof(plan));
	while ((need = t->state_merge(IE_BODY(state), IE_BODY_LEN(state),
								  IE_BODY(src), IE_BODY_LEN(src), plan)) != 0)
	{
		if (need == IE_GROW_BAD_SOURCE)
		{
			/* src passed a shallow check only: the full one says what is wrong */
			ie_check_bytes(t, IE_BODY(src), IE_BODY_LEN(src),
						   ERRCODE_INVALID_BINARY_REPRESENTATION);
			elog(ERROR, "%s merge failed on a valid value", t->name);
		}
		state = ie_state_grow(t, state, need, plan);
	}
	return state;
}

Datum
ie_agg_final(const IeSketchType *t, FunctionCallInfo fcinfo)
{
	struct varlena *state;
	struct varlena *c;

	if (PG_ARGISNULL(0))
		PG_RETURN_POINTER(ie_empty(t));
	state = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	c = ie_canonical(t, state);
	if (c == state)
		c = (struct varlena *) pg_detoast_datum_copy(state);
	PG_RETURN_POINTER(c);
}

/* ------------------------------------------------------------------------
 * I/O and the bytea cast
 * ------------------------------------------------------------------------ */

/* bytes from outside become a value once check accepts them */
static Datum
accept_input(const IeSketchType *t, IeCheckInput check, struct varlena *v, int code)
{
	check(t, IE_BODY(v), IE_BODY_LEN(v), code);
	PG_RETURN_POINTER(v);
}

Datum
ie_type_in(const IeSketchType *t, IeCheckInput check, FunctionCallInfo fcinfo)
{
	return accept_input(t, check, ie_varlena_from_hex(PG_GETARG_CSTRING(0), t->name),
						ERRCODE_INVALID_TEXT_REPRESENTATION);
}

Datum
ie_type_out(FunctionCallInfo fcinfo)
{
	PG_RETURN_CSTRING(ie_varlena_to_hex(PG_DETOAST_DATUM(PG_GETARG_DATUM(0))));
}

Datum
ie_type_recv(const IeSketchType *t, IeCheckInput check, FunctionCallInfo fcinfo)
{
	return accept_input(t, check, ie_varlena_recv((StringInfo) PG_GETARG_POINTER(0)),
						ERRCODE_INVALID_BINARY_REPRESENTATION);
}

Datum
ie_type_send(FunctionCallInfo fcinfo)
{
	PG_RETURN_BYTEA_P(ie_varlena_send(PG_DETOAST_DATUM(PG_GETARG_DATUM(0))));
}

Datum
ie_type_from_bytea(const IeSketchType *t, IeCheckInput check, FunctionCallInfo fcinfo)
{
	return accept_input(t, check, (struct varlena *) PG_GETARG_BYTEA_P_COPY(0),
						ERRCODE_INVALID_BINARY_REPRESENTATION);
}

/* ------------------------------------------------------------------------
 * Comparison and hash support
 * ------------------------------------------------------------------------ */

/* free v if it is a copy of the argument it was fetched from */
static inline void
free_if_copy(struct varlena *v, Datum arg)
{
	if ((Pointer) v != DatumGetPointer(arg))
		pfree(v);
}

/* argument n in canonical form, decoding nothing when its header shows it is */
static struct varlena *
order_arg(const IeSketchType *t, FunctionCallInfo fcinfo, int n)
{
	struct varlena *v = PG_DETOAST_DATUM(PG_GETARG_DATUM(n));
	struct varlena *c;

	if (t->canonical_by_header(IE_BODY(v), IE_BODY_LEN(v)))
		return v;
	ie_check_bytes(t, IE_BODY(v), IE_BODY_LEN(v), ERRCODE_INVALID_BINARY_REPRESENTATION);
	c = ie_canonical(t, v);
	if (c != v)
		free_if_copy(v, PG_GETARG_DATUM(n));
	return c;
}

int
ie_type_compare(const IeSketchType *t, FunctionCallInfo fcinfo)
{
	struct varlena *a = order_arg(t, fcinfo, 0);
	struct varlena *b = order_arg(t, fcinfo, 1);
	int			r = ie_varlena_cmp(a, b);

	free_if_copy(a, PG_GETARG_DATUM(0));
	free_if_copy(b, PG_GETARG_DATUM(1));
	return r;
}

Datum
ie_type_hash(const IeSketchType *t, FunctionCallInfo fcinfo, bool extended)
{
	struct varlena *c = order_arg(t, fcinfo, 0);
	Datum		h = extended ?
		hash_any_extended(IE_BODY(c), (int) IE_BODY_LEN(c), PG_GETARG_INT64(1)) :
		hash_any(IE_BODY(c), (int) IE_BODY_LEN(c));

	free_if_copy(c, PG_GETARG_DATUM(0));
	return h;
}
