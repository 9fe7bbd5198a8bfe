/*
 * sketch_io.c — glue shared by the sketch types: text and binary forms,
 * varlena allocation, hashing of user-id arguments.
 */
#include "postgres.h"

#include <ctype.h>

#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "sketch_io.h"

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

char *
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

struct varlena *
ie_varlena_recv(StringInfo buf)
{
	size_t		len = buf->len - buf->cursor;
	struct varlena *v = ie_varlena_alloc(len);

	pq_copymsgbytes(buf, (char *) IE_BODY(v), len);
	return v;
}

bytea *
ie_varlena_send(struct varlena *v)
{
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbytes(&buf, (const char *) IE_BODY(v), IE_BODY_LEN(v));
	return pq_endtypsend(&buf);
}

int
ie_varlena_cmp(struct varlena *a, struct varlena *b)
{
	size_t		alen = IE_BODY_LEN(a);
	size_t		blen = IE_BODY_LEN(b);
	int			c = memcmp(IE_BODY(a), IE_BODY(b), Min(alen, blen));

	if (c != 0)
		return c < 0 ? -1 : 1;
	return alen < blen ? -1 : (alen > blen ? 1 : 0);
}
