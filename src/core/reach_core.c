/*
 * reach_core.c — reach_sketch's entry points that dispatch on the
 * representation: the aggregate state protocol (init, add, merge, regrow),
 * the canonical form, and reach_get_info.  The format is specified in
 * docs/FORMAT.md, the caller protocol in reach_core.h.
 *
 * The work itself lives with its concern, which is why this file is short:
 *	 reach_sparse.c		tokens and the SPARSE_BUFFER state
 *	 reach_sparse_code.c	the coded SPARSE form, reading tokens of any version
 *	 reach_registers.c	registers, folding, the estimators
 *	 reach_packed.c		DENSE_PACKED coding and decoding
 *	 reach_validate.c	reach_validate
 *	 reach_hll.c		postgresql-hll interchange
 *
 * Order independence.  The register update is a union of seen-sets
 * restricted to the top three positions; that restriction commutes with
 * union, so registers are a function of the set of hashes.  A state goes
 * DENSE only after a compaction has counted more than 2^p/8 distinct
 * tokens (or when merged with a value that is already DENSE at a precision
 * >= the result's, which carries the same guarantee), and folding to a
 * lower precision only lowers the threshold, so "DENSE iff more than 2^p/8
 * distinct tokens" holds for every value this API produces.
 * reach_canonicalize applies the same rule to SPARSE_BUFFER states, hence
 * serial, parallel and merged results are byte-identical.
 */
#include "reach_internal.h"

#include <string.h>

/* q if len is a DENSE size 8 + 2^q for a valid q, else 0 */
static unsigned
dense_precision_of_size(size_t len)
{
	size_t		n;
	unsigned	q;

	if (len <= REACH_HEADER_SIZE)
		return 0;
	n = len - REACH_HEADER_SIZE;
	if ((n & (n - 1)) != 0)
		return 0;
	for (q = REACH_MIN_PRECISION; q <= REACH_MAX_PRECISION; q++)
		if (n == ((size_t) 1 << q))
			return q;
	return 0;
}

/*
 * Only the current version's DENSE and SPARSE_BUFFER are written in place
 * (0).  A stored value used as a state (a union's first input:
 * DENSE_PACKED or a coded SPARSE) or any older version's value (version
 * 1's tokens change meaning; registers only the version byte) is regrown
 * first: the size of the DENSE state at precision q, or of a buffer with
 * room for one more token.
 */
static size_t
regrow_size_of_stored(const uint8_t *body, unsigned q)
{
	unsigned	rep = reach_hdr_representation(body);

	if (reach_hdr_version(body) == REACH_FORMAT_VERSION &&
		(rep == REACH_REP_DENSE || rep == REACH_REP_SPARSE_BUFFER))
		return 0;
	if (hdr_is_dense(body))
		return dense_size(q);
	return reach_buffer_size_for(hdr_count(body) + 1);
}

/* ---------------------------------------------------------------------
 * Aggregate state
 * --------------------------------------------------------------------- */

size_t
reach_state_initial_size(void)
{
	return REACH_HEADER_SIZE + 4 * 12;
}

bool
reach_state_init(uint8_t *body, size_t len, int precision)
{
	if (precision < REACH_MIN_PRECISION || precision > REACH_MAX_PRECISION)
		return false;
	if (len < REACH_HEADER_SIZE || (len - REACH_HEADER_SIZE) % 4 != 0 ||
		(len - REACH_HEADER_SIZE) / 4 > UINT32_MAX)
		return false;
	hdr_write(body, (unsigned) precision, REACH_REP_SPARSE_BUFFER, 0, 0);
	memset(payload(body), 0, len - REACH_HEADER_SIZE);
	return true;
}

bool
reach_init_empty(uint8_t *body, size_t len, int precision)
{
	if (precision < REACH_MIN_PRECISION || precision > REACH_MAX_PRECISION ||
		len < REACH_HEADER_SIZE)
		return false;
	hdr_write(body, (unsigned) precision, REACH_REP_SPARSE, 0, 0);
	return true;
}

size_t
reach_state_add_slow(uint8_t *body, size_t len, uint64_t hash)
{
	uint8_t		tok[4];
	size_t		need = regrow_size_of_stored(body, reach_hdr_precision(body));

	if (need != 0)
		return need;
	switch (reach_hdr_representation(body))
	{
		case REACH_REP_DENSE:
			if (hdr_hll_only(body))
				dense_add_hash_hll_only(payload(body), reach_hdr_precision(body), hash,
										hdr_censor(body));
			else
				reach_dense_add_hash(payload(body), reach_hdr_precision(body), hash);
			return 0;
		default:
			{
				uint32_t	count = hdr_count(body);

				if ((size_t) count < (len - REACH_HEADER_SIZE) / 4)
				{
					tok_put(payload(body), count, make_token(hash));
					hdr_set_count(body, count + 1);
					return 0;
				}
				ie_put32(tok, make_token(hash));
				return reach_buffer_absorb(body, len, tok, 1);
			}
	}
}

/*
 * Merge src into the DENSE state dst at precision p <= src's.  An
 * HLL_ONLY src makes dst HLL_ONLY: its history bits are dropped first.
 * The union of censored values is censored at the lower cap: clamping
 * both sides at it commutes with the register maximum, so the result does
 * not depend on the order of the inputs.
 */
static bool
merge_into_dense(uint8_t *dst, unsigned p, const uint8_t *src, size_t srclen)
{
	bool		hll_only = hdr_hll_only(dst) || hdr_hll_only(src);
	unsigned	c = censor_min(hdr_censor(dst),
							   censor_folded(hdr_censor(src), reach_hdr_precision(src), p));

	if (hll_only && !hdr_hll_only(dst))
	{
		size_t		i;
		size_t		m = (size_t) 1 << p;

		for (i = 0; i < m; i++)
			payload(dst)[i] &= (uint8_t) ~3;
	}
	if (hll_only)
		reach_hdr_set_flags(dst, censor_flags(c));
	if (reach_hdr_representation(src) == REACH_REP_DENSE_PACKED)
	{
		if (!reach_packed_fold_union(payload(dst), p, src, srclen, hll_only))
			return false;
	}
	else if (hdr_is_dense(src))
		reach_fold_union(payload(dst), p, cpayload(src), reach_hdr_precision(src),
						 hll_only);
	else if (!reach_dense_add_value_tokens(payload(dst), p, hll_only, src, srclen))
		return false;
	if (c != 0)
		reach_censor_registers(payload(dst), p, c);
	return true;
}

size_t
reach_state_merge(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen)
{
	unsigned	pd = reach_hdr_precision(dst);
	unsigned	ps = reach_hdr_precision(src);
	unsigned	q = pd < ps ? pd : ps;
	size_t		need = regrow_size_of_stored(dst, q);

	/* a stored value used as a state: regrow expands (and folds) it */
	if (need != 0)
		return need;
	if (reach_hdr_representation(dst) == REACH_REP_DENSE)
	{
		if (pd > q)
			return dense_size(q);	/* fold dst down first */
		return merge_into_dense(dst, pd, src, srclen) ? 0 : REACH_BAD_SOURCE;
	}

	/* dst is a buffer: tokens do not depend on the precision */
	if (pd > q)
		reach_hdr_set_precision(dst, q);
	if (hdr_is_dense(src))
		return dense_size(q);
	return reach_buffer_absorb_value(dst, dstlen, src, srclen);
}

/* regrow to a DENSE state at precision q <= src's */
static bool
regrow_dense(uint8_t *dst, unsigned q, const uint8_t *src, size_t srclen)
{
	unsigned	ps = reach_hdr_precision(src);
	bool		hll_only = hdr_hll_only(src);

	if (q > ps)
		return false;
	hdr_write(dst, q, REACH_REP_DENSE,
			  hll_only ? censor_flags(censor_folded(hdr_censor(src), ps, q)) : 0, 0);
	if (reach_hdr_representation(src) == REACH_REP_DENSE_PACKED && q == ps)
		return reach_packed_expand_regs(payload(dst), src, srclen);
	memset(payload(dst), 0, (size_t) 1 << q);
	if (reach_hdr_representation(src) == REACH_REP_DENSE_PACKED)
		return reach_packed_fold_union(payload(dst), q, src, srclen, hll_only);
	if (hdr_is_dense(src))
		reach_fold_union(payload(dst), q, cpayload(src), ps, hll_only);
	else
		return reach_dense_add_value_tokens(payload(dst), q, false, src, srclen);
	return true;
}

bool
reach_state_regrow(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen)
{
	unsigned	q = dense_precision_of_size(dstlen);

	if (q != 0)
		return regrow_dense(dst, q, src, srclen);
	if (hdr_is_dense(src))
		return false;
	if (!reach_state_init(dst, dstlen, (int) reach_hdr_precision(src)))
		return false;
	return reach_buffer_absorb_value(dst, dstlen, src, srclen) == 0;
}

/* ---------------------------------------------------------------------
 * Canonical form
 * --------------------------------------------------------------------- */

/* does body hold tokens to sort, deduplicate and code (or turn dense) */
static bool
holds_loose_tokens(const uint8_t *body)
{
	return reach_hdr_representation(body) == REACH_REP_SPARSE_BUFFER ||
		(reach_hdr_representation(body) == REACH_REP_SPARSE &&
		 reach_hdr_version(body) != REACH_FORMAT_VERSION);
}

/* the longest canonical form of a value holding loose tokens */
static size_t
canonical_of_tokens_max(const uint8_t *body)
{
	uint32_t	n = hdr_count(body);
	unsigned	p = reach_hdr_precision(body);
	size_t		sparse;

	sparse = reach_sparse_coded_bound(n <= sparse_limit(p) ? n : sparse_limit(p));
	if (n <= sparse_limit(p) || sparse > dense_size(p))
		return sparse;
	return dense_size(p);
}

/* the scratch it takes: the tokens read out, their distinct ones, registers */
static size_t
canonical_of_tokens_scratch(const uint8_t *body)
{
	uint32_t	n = hdr_count(body);
	unsigned	p = reach_hdr_precision(body);

	return 4 * (size_t) n + 4 * (size_t) (n < sparse_limit(p) ? n : sparse_limit(p)) +
		(n > sparse_limit(p) ? (size_t) 1 << p : 0);
}

/* a DENSE_PACKED value of an older version: its table is laid out otherwise */
static bool
is_old_packed(const uint8_t *body)
{
	return reach_hdr_representation(body) == REACH_REP_DENSE_PACKED &&
		reach_hdr_version(body) != REACH_FORMAT_VERSION;
}

size_t
reach_canonical_size(const uint8_t *body, size_t len)
{
	/* room for the result, then the decoded registers */
	if (is_old_packed(body))
		return dense_size(reach_hdr_precision(body)) + ((size_t) 1 << reach_hdr_precision(body));
	if (!holds_loose_tokens(body))
		return len;
	return canonical_of_tokens_max(body) + canonical_of_tokens_scratch(body);
}

int
reach_precision(const uint8_t *body, size_t len)
{
	(void) len;
	return (int) reach_hdr_precision(body);
}

bool
reach_canonical_by_header(const uint8_t *body, size_t len)
{
	return len >= REACH_HEADER_SIZE && reach_hdr_version(body) == REACH_FORMAT_VERSION &&
		(reach_hdr_representation(body) == REACH_REP_SPARSE ||
		 reach_hdr_representation(body) == REACH_REP_DENSE_PACKED);
}

bool
reach_needs_canonicalize(const uint8_t *body, size_t len)
{
	(void) len;
	if (reach_hdr_version(body) != REACH_FORMAT_VERSION)
		return true;
	if (reach_hdr_representation(body) == REACH_REP_DENSE)
		return reach_dense_packs_smaller(cpayload(body), reach_hdr_precision(body));
	return reach_hdr_representation(body) == REACH_REP_SPARSE_BUFFER;
}

/*
 * Count the distinct tokens of st[0..n), up to limit, using dt[0..limit)
 * as scratch: fill, compact when full; once compaction leaves it full, any
 * further token not in it proves more than limit distinct.  Returns false
 * then; else true, with the distinct tokens sorted in dt[0..*d).
 */
static bool
distinct_tokens_within(uint8_t *dt, const uint8_t *st, uint32_t n,
					   uint32_t limit, uint32_t *d)
{
	uint32_t	i = 0;

	*d = 0;
	while (i < n)
	{
		uint32_t	room = limit - *d;
		uint32_t	k = n - i < room ? n - i : room;

		memcpy(dt + 4 * (size_t) *d, st + 4 * (size_t) i, 4 * (size_t) k);
		i += k;
		*d = (uint32_t) reach_sort_unique(dt, (size_t) *d + k);
		if (*d == limit)
		{
			for (; i < n; i++)
				if (!reach_sorted_contains(dt, *d, tok_get(st, i)))
					return false;
			return true;
		}
	}
	return true;
}

/* tokens: coded SPARSE if at most sparse_limit distinct, else the registers */
static size_t
canonical_of_tokens(uint8_t *dst, const uint8_t *src, size_t srclen, uint8_t *scratch)
{
	unsigned	p = reach_hdr_precision(src);
	uint32_t	n = hdr_count(src);
	uint32_t	limit = sparse_limit(p);
	uint8_t    *st = scratch;
	uint8_t    *dt = st + 4 * (size_t) n;
	uint8_t    *regs = dt + 4 * (size_t) (n < limit ? n : limit);
	ReachTokens rt;
	uint32_t	d;

	reach_tokens_open(&rt, src, srclen);
	if (reach_tokens_read(&rt, st, n) != n || !reach_tokens_finish(&rt))
		return 0;
	if (distinct_tokens_within(dt, st, n, n < limit ? n : limit, &d))
		return reach_sparse_write(dst, p, dt, d);
	memset(regs, 0, (size_t) 1 << p);
	reach_dense_add_tokens(regs, p, false, st, n);
	return reach_dense_canonical(dst, p, 0, regs);
}

size_t
reach_canonicalize(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen)
{
	unsigned	p = reach_hdr_precision(src);

	if (dstlen < reach_canonical_size(src, srclen))
		return 0;
	if (holds_loose_tokens(src))
		return canonical_of_tokens(dst, src, srclen, dst + canonical_of_tokens_max(src));
	if (reach_hdr_representation(src) == REACH_REP_DENSE)
		return reach_dense_canonical(dst, p, reach_hdr_flags(src), cpayload(src));
	if (is_old_packed(src))
	{
		uint8_t    *regs = dst + dense_size(p);

		if (!reach_packed_expand_regs(regs, src, srclen))
			return 0;
		return reach_dense_canonical(dst, p, reach_hdr_flags(src), regs);
	}
	/* canonical already */
	memcpy(dst, src, srclen);
	reach_hdr_set_version(dst, REACH_FORMAT_VERSION);
	return srclen;
}

/* ---------------------------------------------------------------------
 * Information
 * --------------------------------------------------------------------- */

/*
 * From the header where it can tell: a union asks this of every input, so
 * a packed value must not be decoded for it (its table shows all-zero
 * registers as the one symbol 0); a dense state stops at its first
 * nonzero register.
 */
bool
reach_holds_nothing(const uint8_t *body, size_t len)
{
	size_t		m = (size_t) 1 << reach_hdr_precision(body);
	size_t		i;

	switch (reach_hdr_representation(body))
	{
		case REACH_REP_DENSE_PACKED:
			return hdr_count(body) == 1 && len > REACH_HEADER_SIZE && cpayload(body)[0] == 0;
		case REACH_REP_DENSE:
			for (i = 0; i < m; i++)
				if (cpayload(body)[i] != 0)
					return false;
			return true;
		default:
			return hdr_count(body) == 0;
	}
}

void
reach_get_info(const uint8_t *body, size_t len, ReachInfo *info)
{
	unsigned	p = reach_hdr_precision(body);

	memset(info, 0, sizeof(*info));
	info->version = reach_hdr_version(body);
	info->precision = (int) p;
	info->representation = reach_hdr_representation(body);
	info->hll_only = hdr_hll_only(body);
	info->register_cap = hdr_censor(body);
	info->registers = UINT32_C(1) << p;
	info->sparse_limit = sparse_limit(p);
	info->bytes = len;
	switch (reach_hdr_representation(body))
	{
		case REACH_REP_SPARSE:
			info->representation_name = "sparse";
			info->tokens = hdr_count(body);
			break;
		case REACH_REP_SPARSE_BUFFER:
			info->representation_name = "sparse_buffer";
			info->tokens = hdr_count(body);
			break;
		case REACH_REP_DENSE:
			{
				size_t		i;
				size_t		m = (size_t) 1 << p;
				uint32_t	nz = 0;

				info->representation_name = "dense";
				for (i = 0; i < m; i++)
					nz += cpayload(body)[i] != 0;
				info->nonzero_registers = nz;
				break;
			}
		case REACH_REP_DENSE_PACKED:
			{
				uint32_t	hist[256];

				info->representation_name = "dense_packed";
				if (reach_packed_histogram(body, len, hist))
					info->nonzero_registers = (UINT32_C(1) << p) - hist[0];
				break;
			}
		default:
			info->representation_name = "unknown";
			break;
	}
}
