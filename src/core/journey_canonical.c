/*
 * journey_canonical.c — the canonical form: what a state becomes in the
 * final function, sorted so that equal multisets of events give equal
 * bytes.
 *
 * Canonicalizing sorts the distinct used strings bytewise (their index
 * order is then their text order), and the events by a key made of
 * (ts, kind, string rank + 1 or 0 for NULL, has-value, value bits in IEEE
 * total order): three machine words, compared in that order, so event
 * order needs no string compares.  The key holds everything an event is,
 * so the output is written from the sorted keys alone.  Input that is
 * already in order (the common case: events read in time order) is
 * detected in one pass; otherwise a bottom-up merge sort on scratch
 * (on the stack for up to JOURNEY_SMALL events).
 */
#include "journey_internal.h"

bool
journey_canonical_by_header(const uint8_t *body, size_t len)
{
	return len >= JOURNEY_HEADER_SIZE && hdr_version(body) == JOURNEY_FORMAT_VERSION &&
		hdr_rep(body) == JOURNEY_REP_CANONICAL;
}

bool
journey_needs_canonicalize(const uint8_t *body, size_t len)
{
	(void) len;
	return is_state(body);
}

size_t
journey_canonical_size(const uint8_t *body, size_t len)
{
	JourneyCapacity n;
	Layout		l;

	if (!is_state(body))
		return len;
	hdr_counts(body, &n);
	layout_for(&l, JOURNEY_REP_CANONICAL, &n);
	return (size_t) l.total;
}

static size_t
scratch_need(uint32_t e, uint32_t s)
{
	return 2 * sizeof(SortKey) * (size_t) e + 3 * sizeof(uint32_t) * (size_t) s + 8;
}

size_t
journey_canonical_scratch_size(const uint8_t *body, size_t len)
{
	uint32_t	e = hdr_events(body);
	uint32_t	s = hdr_strings(body);

	(void) len;
	if (!is_state(body) || (e <= JOURNEY_SMALL && s <= JOURNEY_SMALL))
		return 0;
	return scratch_need(e, s);
}

#define RUN		16

/*
 * Sort a[0..n) by key_less; tmp has room for n.  Returns the array that
 * holds the result (a or tmp).  Insertion sort on runs of RUN, then
 * bottom-up merging; a pass over sorted input does no moves.
 */
static SortKey *
sort_keys(SortKey *a, SortKey *tmp, size_t n)
{
	size_t		i;
	size_t		width;
	SortKey    *from = a;
	SortKey    *to = tmp;

	for (i = 1; i < n; i++)
		if (key_less(&a[i], &a[i - 1]))
			break;
	if (i >= n)
		return a;
	for (i = 0; i < n; i += RUN)
	{
		size_t		end = i + RUN < n ? i + RUN : n;
		size_t		j;

		for (j = i + 1; j < end; j++)
		{
			SortKey		x = a[j];
			size_t		k = j;

			while (k > i && key_less(&x, &a[k - 1]))
			{
				a[k] = a[k - 1];
				k--;
			}
			a[k] = x;
		}
	}
	for (width = RUN; width < n; width *= 2)
	{
		for (i = 0; i < n; i += 2 * width)
		{
			size_t		mid = i + width < n ? i + width : n;
			size_t		end = i + 2 * width < n ? i + 2 * width : n;
			size_t		p = i;
			size_t		q = mid;
			size_t		o = i;

			if (mid == end || !key_less(&from[mid], &from[mid - 1]))
			{
				memcpy(&to[i], &from[i], (end - i) * sizeof(SortKey));
				continue;
			}
			while (p < mid && q < end)
				to[o++] = key_less(&from[q], &from[p]) ? from[q++] : from[p++];
			while (p < mid)
				to[o++] = from[p++];
			while (q < end)
				to[o++] = from[q++];
		}
		{
			SortKey    *t = from;

			from = to;
			to = t;
		}
	}
	return from;
}

/* sort string indexes a[0..n) by their text; tmp has room for n */
static uint32_t *
sort_strings(const uint8_t *body, const Layout *l, uint32_t *a, uint32_t *tmp,
			 uint32_t n)
{
	uint32_t	i;
	size_t		width;
	size_t		start;
	uint32_t   *from = a;
	uint32_t   *to = tmp;

	for (i = 0; i < n; i += RUN)
	{
		uint32_t	end = n - i > RUN ? i + RUN : n;
		uint32_t	j;

		for (j = i + 1; j < end; j++)
		{
			uint32_t	x = a[j];
			uint32_t	xlen;
			const uint8_t *xs = string_at(body, l, x, &xlen);
			uint32_t	k = j;

			while (k > i)
			{
				uint32_t	ylen;
				const uint8_t *ys = string_at(body, l, a[k - 1], &ylen);

				if (string_cmp(xs, xlen, ys, ylen) >= 0)
					break;
				a[k] = a[k - 1];
				k--;
			}
			a[k] = x;
		}
	}
	for (width = RUN; width < n; width *= 2)
	{
		for (start = 0; start < n; start += 2 * width)
		{
			size_t		mid = start + width < n ? start + width : n;
			size_t		end = start + 2 * width < n ? start + 2 * width : n;
			size_t		p = start;
			size_t		q = mid;
			size_t		o = start;

			while (p < mid && q < end)
			{
				uint32_t	plen;
				uint32_t	qlen;
				const uint8_t *ps = string_at(body, l, from[p], &plen);
				const uint8_t *qs = string_at(body, l, from[q], &qlen);

				to[o++] = string_cmp(qs, qlen, ps, plen) < 0 ? from[q++] : from[p++];
			}
			while (p < mid)
				to[o++] = from[p++];
			while (q < end)
				to[o++] = from[q++];
		}
		{
			uint32_t   *t = from;

			from = to;
			to = t;
		}
	}
	return from;
}


/* the strings the events use, deduplicated, in text order */
typedef struct UsedStrings
{
	const uint32_t *order;		/* their indexes in the state */
	uint32_t	n;
	uint32_t	bytes;			/* their total length */
} UsedStrings;

/*
 * Rank the strings of the e events of the state src: rank[i] becomes
 * string i's rank among the used ones, sorted and deduplicated (a
 * duplicate gets the rank of its first copy).  rank has room for 3 s
 * words: its order and sort buffers follow it.
 */
static void
rank_used_strings(const uint8_t *src, const Layout *l, uint32_t e,
				  uint32_t s, uint32_t *rank, UsedStrings *used)
{
	uint32_t   *order = rank + s;
	uint32_t   *tmp = order + s;
	uint32_t   *sorted;
	uint32_t	nused = 0;
	uint32_t	nuniq = 0;
	uint32_t	bytes = 0;
	uint32_t	i;

	for (i = 0; i < s; i++)
		rank[i] = JOURNEY_NO_TOUCH;
	for (i = 0; i < e; i++)
	{
		uint32_t	t = touch_at(src, l, i);

		if (t != JOURNEY_NO_TOUCH && rank[t] == JOURNEY_NO_TOUCH)
		{
			rank[t] = 0;
			order[nused++] = t;
		}
	}
	sorted = sort_strings(src, l, order, tmp, nused);
	for (i = 0; i < nused; i++)
	{
		uint32_t	x = sorted[i];
		uint32_t	xlen;
		const uint8_t *xs = string_at(src, l, x, &xlen);

		if (nuniq > 0)
		{
			uint32_t	plen;
			const uint8_t *ps = string_at(src, l, sorted[nuniq - 1], &plen);

			if (plen == xlen && memcmp(ps, xs, xlen) == 0)
			{
				rank[x] = nuniq - 1;
				continue;
			}
		}
		/* compact in place: nuniq <= i */
		sorted[nuniq] = x;
		rank[x] = nuniq++;
		bytes += xlen;
	}
	used->order = sorted;
	used->n = nuniq;
	used->bytes = bytes;
}

/*
 * The sort keys of the e events of the state src, sorted, touches ranked
 * by rank[]; keys has room for 2 e (the second half is the merge buffer).
 */
static const SortKey *
sort_events(const uint8_t *src, const Layout *l, uint32_t e,
			const uint32_t *rank, SortKey *keys)
{
	uint32_t	nv = 0;
	uint32_t	i;

	for (i = 0; i < e; i++)
		event_key(src, l, i, rank, &nv, &keys[i]);
	return sort_keys(keys, keys + e, e);
}

/* the used strings of src into the canonical body dst of layout out */
static void
write_strings(uint8_t *dst, const Layout *out, const uint8_t *src,
			  const Layout *l, const UsedStrings *used)
{
	uint32_t	at = 0;
	uint32_t	i;

	for (i = 0; i < used->n; i++)
	{
		uint32_t	xlen;
		const uint8_t *xs = string_at(src, l, used->order[i], &xlen);

		if (xlen > 0)
			memcpy(dst + out->bytes + at, xs, xlen);
		at += xlen;
		ie_put32(dst + out->ends + 4 * (uint64_t) i, at);
	}
}

/* the events, from their sorted keys alone, into dst of layout out */
static void
write_events(uint8_t *dst, const Layout *out, const SortKey *sorted,
			 uint32_t e)
{
	uint32_t	nv = 0;
	uint32_t	i;

	for (i = 0; i < e; i++)
	{
		const SortKey *k = &sorted[i];
		int64_t		ts = ts_of_key(k->ts);
		uint32_t	r1 = (k->mid >> 1) & ((UINT32_C(1) << 29) - 1);
		bool		hv = (k->mid & 1) != 0;
		uint64_t	u;

		memcpy(&u, &ts, 8);
		ie_put64(dst + out->ts + 8 * (uint64_t) i, u);
		ie_put32(dst + out->touch + 4 * (uint64_t) i, r1 == 0 ? JOURNEY_NO_TOUCH : r1 - 1);
		dst[out->kind + i] = (uint8_t) ((k->mid >> 30) | (hv ? JOURNEY_KIND_HAS_VALUE : 0));
		if (hv)
			ie_put64(dst + out->values + 8 * (uint64_t) nv++, val_of_key(k->val));
	}
}

size_t
journey_canonicalize(uint8_t *dst, size_t dstlen, const uint8_t *src,
					 size_t srclen, void *scratch, size_t scratchlen)
{
	uint32_t	e;
	uint32_t	v;
	uint32_t	s;
	Layout		l;
	Layout		out;
	SortKey		small_keys[2 * JOURNEY_SMALL];
	uint32_t	small_words[3 * JOURNEY_SMALL];
	SortKey    *keys;
	uint32_t   *rank;
	UsedStrings used;
	const SortKey *sorted;

	if (!is_state(src))
	{
		if (dstlen < srclen)
			return 0;
		memcpy(dst, src, srclen);
		return srclen;
	}
	e = hdr_events(src);
	v = hdr_values(src);
	s = hdr_strings(src);
	layout_body(&l, src);
	if (e <= JOURNEY_SMALL && s <= JOURNEY_SMALL)
	{
		keys = small_keys;
		rank = small_words;
	}
	else
	{
		uintptr_t	p = (uintptr_t) scratch;
		uintptr_t	pad = (8 - (p & 7)) & 7;

		if (scratch == NULL || scratchlen < scratch_need(e, s))
			return 0;
		keys = (SortKey *) (void *) ((uint8_t *) scratch + pad);
		rank = (uint32_t *) (void *) (keys + 2 * (size_t) e);
	}
	rank_used_strings(src, &l, e, s, rank, &used);
	layout_of(&out, JOURNEY_REP_CANONICAL, e, v, used.n, used.bytes);
	if (dstlen < out.total)
		return 0;
	sorted = sort_events(src, &l, e, rank, keys);
	hdr_write(dst, JOURNEY_REP_CANONICAL, e, v, used.n, used.bytes);
	write_strings(dst, &out, src, &l, &used);
	write_events(dst, &out, sorted, e);
	return (size_t) out.total;
}
