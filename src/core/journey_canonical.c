/*
 * journey_canonical.c — the canonical form: what a state becomes in the
 * final function, sorted so that equal multisets of events give equal
 * bytes.
 *
 * Canonicalizing sorts the distinct used strings bytewise (their index
 * order is then their text order), and the events by (ts, kind, string
 * rank + 1 or 0 for NULL, has-value, value bits in IEEE total order), the
 * order key_less gives SortKeys.  Memory is what bounds the size of a
 * journey that can be built (the final function holds the state, its
 * canonical copy and this scratch at once), so the scratch is small:
 *
 *	 - events already in order (the common case: rows read in time order)
 *	   are found so in one pass that compares touches by their text, before
 *	   any scratch is allocated, and are written straight from the state:
 *	   the scratch is 12 bytes a string;
 *	 - otherwise 16 bytes an event: each event's middle key word and value
 *	   index, and a bottom-up merge sort of 4-byte event indexes (keys read
 *	   from the state), where 24-byte keys and their merge buffer took 48.
 *
 * Up to JOURNEY_SMALL events and strings the scratch is on the stack.
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

/* the scratch of a state of e events and s strings; in_order: no event sort */
static size_t
scratch_need(uint32_t e, uint32_t s, bool in_order)
{
	return 3 * sizeof(uint32_t) * (size_t) s + 8 +
		(in_order ? 0 : 4 * sizeof(uint32_t) * (size_t) e);
}

/* the order of two touches (string indexes of src): NULL first, then by text */
static int
touch_cmp(const uint8_t *src, const Layout *l, uint32_t a, uint32_t b)
{
	uint32_t	alen;
	uint32_t	blen;
	const uint8_t *as;
	const uint8_t *bs;

	if (a == b)
		return 0;
	if (a == JOURNEY_NO_TOUCH || b == JOURNEY_NO_TOUCH)
		return a == JOURNEY_NO_TOUCH ? -1 : 1;
	as = string_at(src, l, a, &alen);
	bs = string_at(src, l, b, &blen);
	return string_cmp(as, alen, bs, blen);
}

/*
 * Are the e events of the state src already in canonical order?  As
 * key_less would say, but touches compared by their text, which orders
 * them as their ranks do (equal texts share a rank), so no rank is needed.
 */
static bool
events_in_order(const uint8_t *src, const Layout *l, uint32_t e)
{
	uint32_t	nv = 0;
	uint64_t	prev_ts = 0;
	uint64_t	prev_val = 0;
	uint8_t		prev_kind = 0;
	uint32_t	prev_touch = JOURNEY_NO_TOUCH;
	uint32_t	i;

	for (i = 0; i < e; i++)
	{
		uint64_t	ts = ts_key(ts_at(src, l, i));
		uint8_t		kind = src[l->kind + i];
		uint32_t	touch = touch_at(src, l, i);
		uint64_t	val = (kind & JOURNEY_KIND_HAS_VALUE) ? val_key(value_at(src, l, nv++)) : 0;
		int			c = 0;

		if (i > 0)
		{
			c = ts < prev_ts ? -1 : ts > prev_ts;
			if (c == 0)
				c = (int) journey_kind_rank(kind & JOURNEY_KIND_MASK) -
					(int) journey_kind_rank(prev_kind & JOURNEY_KIND_MASK);
			if (c == 0)
				c = touch_cmp(src, l, touch, prev_touch);
			if (c == 0)
				c = (int) (kind & JOURNEY_KIND_HAS_VALUE) - (int) (prev_kind & JOURNEY_KIND_HAS_VALUE);
			if (c == 0)
				c = val < prev_val ? -1 : val > prev_val;
			if (c < 0)
				return false;
		}
		prev_ts = ts;
		prev_kind = kind;
		prev_touch = touch;
		prev_val = val;
	}
	return true;
}

size_t
journey_canonical_scratch_size(const uint8_t *body, size_t len)
{
	uint32_t	e = hdr_events(body);
	uint32_t	s = hdr_strings(body);
	Layout		l;

	(void) len;
	if (!is_state(body) || (e <= JOURNEY_SMALL && s <= JOURNEY_SMALL))
		return 0;
	layout_body(&l, body);
	return scratch_need(e, s, events_in_order(body, &l, e));
}

#define RUN		16

/* what the index sort compares: strings by text, or events by key */
typedef struct IndexOrder
{
	const uint8_t *src;
	const Layout *l;
	const struct EventKeys *keys;	/* events only */
} IndexOrder;

typedef bool (*IndexLess) (const IndexOrder *o, uint32_t a, uint32_t b);

/*
 * Sort the indexes a[0..n) by less; tmp has room for n.  Returns the array
 * that holds the result (a or tmp).  Insertion sort on runs of RUN, then
 * bottom-up merging, where runs already in order are only copied.  Inline,
 * so that each caller's less is inlined into its own copy of the loops.
 */
static inline uint32_t *
sort_indexes(uint32_t *a, uint32_t *tmp, size_t n, IndexLess less, const IndexOrder *o)
{
	uint32_t   *from = a;
	uint32_t   *to = tmp;
	size_t		width;
	size_t		i;

	for (i = 0; i < n; i += RUN)
	{
		size_t		end = i + RUN < n ? i + RUN : n;
		size_t		j;

		for (j = i + 1; j < end; j++)
		{
			uint32_t	x = a[j];
			size_t		m = j;

			while (m > i && less(o, x, a[m - 1]))
			{
				a[m] = a[m - 1];
				m--;
			}
			a[m] = x;
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
			size_t		out = i;

			if (mid == end || !less(o, from[mid], from[mid - 1]))
			{
				memcpy(&to[i], &from[i], (end - i) * sizeof(uint32_t));
				continue;
			}
			while (p < mid && q < end)
				to[out++] = less(o, from[q], from[p]) ? from[q++] : from[p++];
			while (p < mid)
				to[out++] = from[p++];
			while (q < end)
				to[out++] = from[q++];
		}
		{
			uint32_t   *t = from;

			from = to;
			to = t;
		}
	}
	return from;
}

static bool
string_less(const IndexOrder *o, uint32_t a, uint32_t b)
{
	uint32_t	alen;
	uint32_t	blen;
	const uint8_t *as = string_at(o->src, o->l, a, &alen);
	const uint8_t *bs = string_at(o->src, o->l, b, &blen);

	return string_cmp(as, alen, bs, blen) < 0;
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
	{
		IndexOrder	o = {src, l, NULL};

		sorted = sort_indexes(order, tmp, nused, string_less, &o);
	}
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

/* what orders the events beyond ts, and finds their values: per event */
struct EventKeys
{
	uint32_t   *mid;			/* mid_key(kind, touch rank + 1, has value) */
	uint32_t   *vidx;			/* the index of its value, if it has one */
};
typedef struct EventKeys EventKeys;

/* event i's middle key word: kind, touch rank + 1 (0: NULL), has a value */
static inline uint32_t
event_mid(const uint8_t *src, const Layout *l, uint32_t i, const uint32_t *rank)
{
	uint8_t		kind = src[l->kind + i];
	uint32_t	t = touch_at(src, l, i);

	return mid_key(kind & JOURNEY_KIND_MASK, t == JOURNEY_NO_TOUCH ? 0 : rank[t] + 1,
				   (kind & JOURNEY_KIND_HAS_VALUE) != 0);
}

static void
event_keys(const uint8_t *src, const Layout *l, uint32_t e, const uint32_t *rank,
		   EventKeys *k)
{
	uint32_t	nv = 0;
	uint32_t	i;

	for (i = 0; i < e; i++)
	{
		k->mid[i] = event_mid(src, l, i, rank);
		k->vidx[i] = (k->mid[i] & 1) ? nv++ : 0;
	}
}

/* key_less of events a and b, read from the state and their EventKeys */
static bool
event_less(const IndexOrder *o, uint32_t a, uint32_t b)
{
	const EventKeys *k = o->keys;
	uint64_t	ta = ts_key(ts_at(o->src, o->l, a));
	uint64_t	tb = ts_key(ts_at(o->src, o->l, b));

	if (ta != tb)
		return ta < tb;
	if (k->mid[a] != k->mid[b])
		return k->mid[a] < k->mid[b];
	if ((k->mid[a] & 1) == 0)
		return false;
	return val_key(value_at(o->src, o->l, k->vidx[a])) <
		val_key(value_at(o->src, o->l, k->vidx[b]));
}

/* event i of the canonical body dst of layout out; *nv counts the values written */
static inline void
write_event(uint8_t *dst, const Layout *out, uint32_t i, int64_t ts, uint32_t mid,
			uint64_t value_bits, uint32_t *nv)
{
	uint32_t	r1 = (mid >> 1) & ((UINT32_C(1) << 29) - 1);
	bool		hv = (mid & 1) != 0;
	uint64_t	u;

	memcpy(&u, &ts, 8);
	ie_put64(dst + out->ts + 8 * (uint64_t) i, u);
	ie_put32(dst + out->touch + 4 * (uint64_t) i, r1 == 0 ? JOURNEY_NO_TOUCH : r1 - 1);
	dst[out->kind + i] = (uint8_t) (mid_kind(mid) | (hv ? JOURNEY_KIND_HAS_VALUE : 0));
	if (hv)
		ie_put64(dst + out->values + 8 * (uint64_t) (*nv)++, value_bits);
}

/* the events of src, already in order, into dst: no sort, no per-event scratch */
static void
write_events_in_order(uint8_t *dst, const Layout *out, const uint8_t *src,
					  const Layout *l, uint32_t e, const uint32_t *rank)
{
	uint32_t	nv = 0;
	uint32_t	i;

	for (i = 0; i < e; i++)
	{
		uint32_t	mid = event_mid(src, l, i, rank);

		/* in order, the state's value index is the output's */
		write_event(dst, out, i, ts_at(src, l, i), mid,
					(mid & 1) ? value_at(src, l, nv) : 0, &nv);
	}
}

/* the events of src in the order of idx into dst */
static void
write_events_sorted(uint8_t *dst, const Layout *out, const uint8_t *src,
					const Layout *l, uint32_t e, const EventKeys *k,
					const uint32_t *idx)
{
	uint32_t	nv = 0;
	uint32_t	i;

	for (i = 0; i < e; i++)
	{
		uint32_t	j = idx[i];

		write_event(dst, out, i, ts_at(src, l, j), k->mid[j],
					(k->mid[j] & 1) ? value_at(src, l, k->vidx[j]) : 0, &nv);
	}
}

/* scratch words: at least n, 8-byte aligned in scratch, or NULL */
static uint32_t *
scratch_words(void *scratch, size_t scratchlen, size_t need)
{
	uintptr_t	pad = (8 - ((uintptr_t) scratch & 7)) & 7;

	if (scratch == NULL || scratchlen < need)
		return NULL;
	return (uint32_t *) (void *) ((uint8_t *) scratch + pad);
}

size_t
journey_canonicalize(uint8_t *dst, size_t dstlen, const uint8_t *src,
					 size_t srclen, void *scratch, size_t scratchlen)
{
	uint32_t	e;
	uint32_t	s;
	Layout		l;
	Layout		out;
	uint32_t	small_words[3 * JOURNEY_SMALL + 4 * JOURNEY_SMALL];
	uint32_t   *rank;
	bool		in_order;
	UsedStrings used;

	if (!is_state(src))
	{
		if (dstlen < srclen)
			return 0;
		memcpy(dst, src, srclen);
		return srclen;
	}
	e = hdr_events(src);
	s = hdr_strings(src);
	layout_body(&l, src);
	in_order = events_in_order(src, &l, e);
	if (e <= JOURNEY_SMALL && s <= JOURNEY_SMALL)
		rank = small_words;
	else if ((rank = scratch_words(scratch, scratchlen, scratch_need(e, s, in_order))) == NULL)
		return 0;
	rank_used_strings(src, &l, e, s, rank, &used);
	layout_of(&out, JOURNEY_REP_CANONICAL, e, hdr_values(src), used.n, used.bytes);
	if (dstlen < out.total)
		return 0;
	hdr_write(dst, JOURNEY_REP_CANONICAL, e, hdr_values(src), used.n, used.bytes);
	write_strings(dst, &out, src, &l, &used);
	if (in_order)
		write_events_in_order(dst, &out, src, &l, e, rank);
	else
	{
		/* after rank's 3 s words: mid, vidx, idx, tmp, e words each */
		uint32_t   *words = rank + 3 * (size_t) s;
		uint32_t   *idx = words + 2 * (size_t) e;
		EventKeys	k = {words, words + e};
		IndexOrder	o = {src, &l, &k};
		uint32_t	i;

		event_keys(src, &l, e, rank, &k);
		for (i = 0; i < e; i++)
			idx[i] = i;
		write_events_sorted(dst, &out, src, &l, e, &k,
							sort_indexes(idx, idx + e, e, event_less, &o));
	}
	return (size_t) out.total;
}
