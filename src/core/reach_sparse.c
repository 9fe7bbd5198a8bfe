/*
 * reach_sparse.c — the exact sparse side of reach_sketch: sorted token
 * arrays and the SPARSE_BUFFER aggregate state (append, compact, grow).
 *
 * Separate because it is the one part that never touches registers: it
 * works on 4-byte tokens whose meaning does not depend on the precision,
 * and its cost model (amortised sorting) is its own.
 *
 * Tokens.  hash4j's 32-bit token keeps 26 hash bits plus a 6-bit run
 * length, enough to replay the exact dense update for every p <= 26.  We
 * deduplicate only identical tokens, not tokens sharing the 26-bit index:
 * keeping just the largest r26 per index would make the registers built
 * from a sparse list differ (in a history bit, on a rare 26-bit collision)
 * from registers built by adding the same hashes to a dense state, and
 * then the result would depend on the moment the state went dense, i.e. on
 * row order.  Keeping both costs nothing measurable.
 *
 * Sparse states.  A SPARSE_BUFFER is appended to and compacted (sorted,
 * deduplicated) in place when full; see buffer_compact() for how that stays
 * cheap, and next_capacity() for the growth ladder.
 */
#include "reach_internal.h"

#include <string.h>

/*
 * Next buffer capacity: the smallest 3 * 2^k above cap, at most
 * buffer_cap_max.  3 * 2^k keeps 8 + 4 * cap from ever equalling a DENSE
 * size 8 + 2^q, which is how regrow tells the two requests apart.
 */
static uint32_t
next_capacity(uint32_t cap, unsigned p)
{
	uint32_t	c = 6;

	while (c <= cap)
		c *= 2;
	if (c > buffer_cap_max(p))
		c = buffer_cap_max(p);
	return c;
}

size_t
reach_sort_unique(uint8_t *base, size_t n)
{
	size_t		i;
	size_t		k;

	if (n == 0)
		return 0;
	ie_sort_u32(base, n);
	k = 1;
	for (i = 1; i < n; i++)
	{
		uint32_t	v = tok_get(base, i);

		if (v != tok_get(base, k - 1))
			tok_put(base, k++, v);
	}
	return k;
}

bool
reach_sorted_contains(const uint8_t *base, size_t n, uint32_t v)
{
	size_t		lo = 0;
	size_t		hi = n;

	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;
		uint32_t	m = tok_get(base, mid);

		if (m == v)
			return true;
		if (m < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/*
 * Compaction.  After a compaction the buffer is a sorted prefix and later
 * appends follow it, so when the prefix is the larger part only the tail
 * is sorted; a linear walk against the prefix drops the tail's repeats
 * (the common case: rows repeating users already seen), and the few
 * genuinely new tokens are merged in from the back.  This keeps the
 * amortised cost per add near the cost of sorting the add itself.
 */
#define COMPACT_MERGE_MAX 256

/*
 * t[sorted..sorted+e) is a sorted, distinct tail: keep only the tokens not
 * in the sorted prefix t[0..sorted), packed right after it.  Returns the
 * end of the kept ones.
 */
static size_t
tail_drop_known(uint8_t *t, size_t sorted, size_t e)
{
	size_t		i = 0;
	size_t		w = sorted;
	size_t		r;

	for (r = sorted; r < sorted + e; r++)
	{
		uint32_t	v = tok_get(t, r);

		while (i < sorted && tok_get(t, i) < v)
			i++;
		if (i < sorted && tok_get(t, i) == v)
			continue;
		tok_put(t, w++, v);
	}
	return w;
}

/* merge the e (<= COMPACT_MERGE_MAX) new tokens at t[sorted..) into t */
static void
merge_fresh_copied(uint8_t *t, size_t sorted, size_t e)
{
	uint32_t	fresh[COMPACT_MERGE_MAX];
	size_t		k = sorted + e;
	size_t		a = sorted;
	size_t		r;

	for (r = 0; r < e; r++)
		fresh[r] = tok_get(t, sorted + r);
	/* backward merge of t[0..sorted) and fresh[0..e) */
	while (e > 0)
	{
		if (a > 0 && tok_get(t, a - 1) > fresh[e - 1])
		{
			tok_put(t, --k, tok_get(t, a - 1));
			a--;
		}
		else
			tok_put(t, --k, fresh[--e]);
	}
}

/*
 * Merge the e new tokens at t[sorted..) into t when at least e free slots
 * follow them (n - (sorted + e) >= e): move the new tokens to the end of
 * the buffer and merge backwards; writes stay below the unread new tokens
 * because at least e free slots separate them.
 */
static void
merge_fresh_in_place(uint8_t *t, size_t n, size_t sorted, size_t e)
{
	size_t		from = n - e;
	size_t		k = sorted + e;
	size_t		a = sorted;

	memmove(t + 4 * from, t + 4 * sorted, 4 * e);
	while (e > 0)
	{
		if (a > 0 && tok_get(t, a - 1) > tok_get(t, from + e - 1))
		{
			tok_put(t, --k, tok_get(t, a - 1));
			a--;
		}
		else
		{
			tok_put(t, --k, tok_get(t, from + e - 1));
			e--;
		}
	}
}

/*
 * Compact t[0..n) whose first `sorted` tokens are sorted and distinct
 * (sorted >= 64, the tail unsorted) in a buffer of cap slots.  Returns the
 * number of tokens kept; they are sorted unless the caller is about to go
 * dense or grow.
 */
static size_t
compact_tail(uint8_t *t, size_t n, size_t sorted, size_t cap, unsigned p)
{
	size_t		e = reach_sort_unique(t + 4 * sorted, n - sorted);
	size_t		w = tail_drop_known(t, sorted, e);

	e = w - sorted;
	if (e == 0)
		return sorted;
	if (e <= COMPACT_MERGE_MAX)
	{
		merge_fresh_copied(t, sorted, e);
		return w;
	}
	if (n - w >= e)
	{
		merge_fresh_in_place(t, n, sorted, e);
		return w;
	}
	if (w > sparse_limit(p) ||
		(cap < buffer_cap_max(p) && 4 * w > 3 * cap))
	{
		/*
		 * The caller is about to go dense or grow, neither of which needs
		 * order: leave the two sorted runs as they are.
		 */
		return w;
	}
	return reach_sort_unique(t, w);
}

/*
 * Compact a SPARSE_BUFFER in place: sort, deduplicate, zero the freed
 * slots.  Returns the distinct count.
 */
static uint32_t
buffer_compact(uint8_t *body, size_t len)
{
	uint8_t    *t = payload(body);
	uint32_t	n = hdr_count(body);
	size_t		cap = (len - REACH_HEADER_SIZE) / 4;
	size_t		sorted = 1;
	size_t		d;

	if (n <= 1)
		return n;
	while (sorted < n && tok_get(t, sorted - 1) < tok_get(t, sorted))
		sorted++;
	if (sorted == n)
		d = n;
	else if (sorted < 64)
		d = reach_sort_unique(t, n);
	else
		d = compact_tail(t, n, sorted, cap, reach_hdr_precision(body));
	if (d < n)
		memset(t + 4 * d, 0, 4 * (n - d));
	hdr_set_count(body, (uint32_t) d);
	return (uint32_t) d;
}

/*
 * Returns 0 when all are absorbed, else the size to regrow to: the DENSE
 * size once a compaction has counted more than 2^p/8 distinct tokens, or a
 * larger buffer when it is still over 3/4 full after compaction.
 */
size_t
reach_buffer_absorb(uint8_t *body, size_t len, const uint8_t *src, size_t n)
{
	unsigned	p = reach_hdr_precision(body);
	uint32_t	cap = (uint32_t) ((len - REACH_HEADER_SIZE) / 4);
	uint32_t	count = hdr_count(body);
	size_t		i = 0;

	while (i < n)
	{
		size_t		k;

		if (count == cap)
		{
			uint32_t	d = buffer_compact(body, len);

			count = d;
			if (d > sparse_limit(p))
				return dense_size(p);
			if (d == cap ||
				(cap < buffer_cap_max(p) && (uint64_t) 4 * d > (uint64_t) 3 * cap))
				return REACH_HEADER_SIZE + 4 * (size_t) next_capacity(cap, p);
		}
		k = cap - count;
		if (k > n - i)
			k = n - i;
		memcpy(payload(body) + 4 * (size_t) count, src + 4 * i, 4 * k);
		count += (uint32_t) k;
		i += k;
		hdr_set_count(body, count);
	}
	return 0;
}

size_t
reach_buffer_size_for(uint32_t n)
{
	uint64_t	c = 6;

	/* 3 * 2^k, as next_capacity: never a DENSE size */
	while (c <= n)
		c *= 2;
	return REACH_HEADER_SIZE + 4 * (size_t) c;
}

size_t
reach_buffer_absorb_value(uint8_t *body, size_t len, const uint8_t *src, size_t srclen)
{
	ReachTokens rt;
	uint8_t		buf[4 * 256];
	size_t		got;

	/*
	 * A regrow part way leaves what was absorbed in place; the caller
	 * merges src again into the grown state, which a set union allows.
	 */
	reach_tokens_open(&rt, src, srclen);
	while ((got = reach_tokens_read(&rt, buf, 256)) > 0)
	{
		size_t		need = reach_buffer_absorb(body, len, buf, got);

		if (need != 0)
			return need;
	}
	return reach_tokens_finish(&rt) ? 0 : REACH_BAD_SOURCE;
}
