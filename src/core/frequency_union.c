/*
 * frequency_union.c — a union of stored sketches kept as the entries of
 * its canonical form, sorted, and merged linearly with each stored
 * sketch (frequency_union_agg over a rollup).
 *
 * Why not the table of frequency_state.c.  A stored (CANONICAL) sketch
 * holds its entries in hash order; upserting them one at a time into a
 * hash table costs a keyed mix, a probe and often a shift per entry, the
 * table regrows (every entry inserted again) on the way to its largest
 * size, and the final canonical form sorts it all once more.  Here the
 * union is itself sorted: a merge walks the union and the source side by
 * side into a second array, and the canonical form is written from it
 * without a sort.
 *
 * What the union holds.  After every merge, exactly the canonical form
 * (docs/FORMAT.md, "frequency_sketch") of everything merged so far: k by
 * the union's k rule, theta, the entries below it in hash order (at most
 * k, exactly k when sampling) and the total.  That is a STATE satisfying
 * invariant (I) of frequency_state.c, so the argument there carries over:
 * merging A at theta = min(theta_A, theta_U) keeps every user below theta
 * with all of its impressions; the merged entries above the k-th are cut,
 * and the (k+1)-th smallest merged hash, a user's, becomes theta, which is
 * how frequency_canonicalize trims a state.  So each step gives the
 * canonical form of its inputs, byte for byte what the table gives, and
 * the order and grouping of the inputs do not matter.
 *
 * Checking.  The source is read by the validator's own EntryReader, every
 * entry checked (a value from outside passes frequency_validate_shallow
 * only), including those at or above theta, which are not merged.  The
 * union changes only when the whole source was good.
 */
#include "frequency_internal.h"

void
frequency_union_init(FrequencyUnion *u, uint32_t k, FrequencyEntry *entries)
{
	u->k = k;
	u->n = 0;
	u->theta = FREQUENCY_THETA_ONE;
	u->total = 0;
	u->entries = entries;
}

/* the k after merging src: the smaller, but an empty value changes no non-empty one */
static uint32_t
merged_k(const FrequencyUnion *u, const uint8_t *src)
{
	uint32_t	ks = hdr_k(src);

	if (frequency_hdr_total(src) == 0)
		return u->total == 0 && ks < u->k ? ks : u->k;
	return u->total == 0 || ks < u->k ? ks : u->k;
}

uint32_t
frequency_union_room(const FrequencyUnion *u, const uint8_t *src)
{
	uint64_t	n = (uint64_t) u->n + hdr_n(src);
	uint32_t	k = merged_k(u, src);

	return n < k ? (uint32_t) n : k;
}

/*
 * The first index from i on whose hash is at least bound (na if none):
 * a few steps one by one, where a source as large as the union lands,
 * then galloping and a binary search, where a union that samples far
 * below its sources takes few of their entries and its runs are long.
 */
static inline uint32_t
first_at_or_above(const FrequencyEntry *a, uint32_t i, uint32_t na, uint64_t bound)
{
	uint32_t	lo;
	uint32_t	hi;
	uint32_t	step = 1;

	for (lo = i; lo < na && lo < i + 4; lo++)
		if (a[lo].hash >= bound)
			return lo;
	/* a[lo - 1] is below bound; find hi with a[hi] at or above it */
	hi = lo;
	while (hi < na && a[hi].hash < bound)
	{
		lo = hi + 1;
		hi = na - hi > step ? hi + step : na;
		step *= 2;
	}
	/* the answer is in [lo, hi] */
	while (lo < hi)
	{
		uint32_t	mid = lo + (hi - lo) / 2;

		if (a[mid].hash < bound)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* out[m..m + n) = a[i..i + n); a is NULL in an empty union */
static inline void
copy_run(FrequencyEntry *out, uint32_t m, const FrequencyEntry *a, uint32_t i, uint32_t n)
{
	if (n > 0)
		memcpy(out + m, a + i, sizeof(FrequencyEntry) * n);
}

/*
 * Merge the sorted union entries a[0..na) with src's entries below theta
 * into out (room for k), equal hashes summed, up to k entries; *theta
 * falls to the (k+1)-th merged hash if there is one.  The union's entries
 * between two of src's go over as one run.  Then the rest of src is only
 * checked.  Returns the entries written, or UINT32_MAX if src is broken.
 */
static uint32_t
merge_entries(const FrequencyEntry *a, uint32_t na, const uint8_t *src,
			  size_t srclen, uint32_t k, uint64_t *theta, FrequencyEntry *out)
{
	EntryReader r;
	uint32_t	i = 0;
	uint32_t	m = 0;
	bool		more;

	entry_reader_init(&r, src, srclen);
	more = entry_next(&r);
	for (;;)
	{
		bool		from_src = more && r.hash < *theta;
		uint32_t	j = first_at_or_above(a, i, na, from_src ? r.hash : *theta);
		uint64_t	c;

		if (j - i > k - m)
		{
			/* the (k+1)-th user is the union's: the new theta */
			copy_run(out, m, a, i, k - m);
			*theta = a[i + (k - m)].hash;
			m = k;
			break;
		}
		copy_run(out, m, a, i, j - i);
		m += j - i;
		i = j;
		if (!from_src)
			break;
		if (m == k)
		{
			/* the (k+1)-th user is src's */
			*theta = r.hash;
			break;
		}
		c = r.count;
		if (i < na && a[i].hash == r.hash)
			c = sat_add(a[i++].count, c);
		out[m].hash = r.hash;
		out[m++].count = c;
		more = entry_next(&r);
	}
	while (more)
		more = entry_next(&r);
	return frequency_entries_finish(&r, src) == NULL ? m : UINT32_MAX;
}

bool
frequency_union_merge(FrequencyUnion *u, const uint8_t *src, size_t srclen,
					  FrequencyEntry *out, uint32_t room)
{
	uint32_t	k = merged_k(u, src);
	uint64_t	theta;
	uint32_t	m;

	if (frequency_hdr_rep(src) != FREQUENCY_REP_CANONICAL ||
		room < frequency_union_room(u, src))
		return false;
	theta = frequency_hdr_theta(src) < u->theta ? frequency_hdr_theta(src) : u->theta;
	m = merge_entries(u->entries, u->n, src, srclen, k, &theta, out);
	if (m == UINT32_MAX)
		return false;
	u->k = k;
	u->n = m;
	u->theta = theta;
	u->total = sat_add(u->total, frequency_hdr_total(src));
	u->entries = out;
	return true;
}

size_t
frequency_union_size(const FrequencyUnion *u)
{
	size_t		len = FREQUENCY_HEADER_SIZE;
	uint64_t	prev = 0;
	uint32_t	i;

	for (i = 0; i < u->n; i++)
	{
		len += varint_size(u->entries[i].hash - prev) + varint_size(u->entries[i].count);
		prev = u->entries[i].hash;
	}
	return len;
}

size_t
frequency_union_write(const FrequencyUnion *u, uint8_t *dst, size_t dstlen)
{
	uint8_t    *out = dst + FREQUENCY_HEADER_SIZE;
	const uint8_t *end = dst + dstlen;
	uint64_t	prev = 0;
	uint32_t	i;

	if (dstlen < FREQUENCY_HEADER_SIZE)
		return 0;
	hdr_write(dst, FREQUENCY_REP_CANONICAL, u->k, u->n, u->theta, u->total);
	for (i = 0; i < u->n; i++)
	{
		uint64_t	d = u->entries[i].hash - prev;
		uint64_t	c = u->entries[i].count;

		/* an entry takes at most 20 bytes: count them only near the end */
		if (end - out < 20 && (size_t) (end - out) < varint_size(d) + varint_size(c))
			return 0;
		out = varint_put(out, d);
		out = varint_put(out, c);
		prev = u->entries[i].hash;
	}
	return (size_t) (out - dst);
}
