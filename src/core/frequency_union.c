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
 * Merge the sorted union entries a[0..na) with src's entries below theta
 * into out (room for k), equal hashes summed, up to k entries; *theta
 * falls to the (k+1)-th merged hash if there is one.  Then the rest of
 * src is only checked.  Returns the entries written, or UINT32_MAX if
 * src is broken.
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
		bool		from_src = more && r.hash < *theta && (i == na || r.hash <= a[i].hash);
		bool		from_union = i < na && a[i].hash < *theta && (!from_src || r.hash == a[i].hash);
		uint64_t	h;
		uint64_t	c = 0;

		if (!from_src && !from_union)
			break;
		h = from_src ? r.hash : a[i].hash;
		if (m == k)
		{
			/* a (k+1)-th user: the new theta, and nothing above it is kept */
			*theta = h;
			break;
		}
		if (from_union)
			c = a[i++].count;
		if (from_src)
		{
			c = sat_add(c, r.count);
			more = entry_next(&r);
		}
		out[m].hash = h;
		out[m++].count = c;
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

/* bytes of a varint */
static inline size_t
varint_len(uint64_t v)
{
	size_t		n = 1;

	while (v >= 0x80)
	{
		v >>= 7;
		n++;
	}
	return n;
}

size_t
frequency_union_size(const FrequencyUnion *u)
{
	size_t		len = FREQUENCY_HEADER_SIZE;
	uint64_t	prev = 0;
	uint32_t	i;

	for (i = 0; i < u->n; i++)
	{
		len += varint_len(u->entries[i].hash - prev) + varint_len(u->entries[i].count);
		prev = u->entries[i].hash;
	}
	return len;
}

size_t
frequency_union_write(const FrequencyUnion *u, uint8_t *dst, size_t dstlen)
{
	uint8_t    *out = dst + FREQUENCY_HEADER_SIZE;
	uint64_t	prev = 0;
	uint32_t	i;

	if (dstlen < frequency_union_size(u))
		return 0;
	hdr_write(dst, FREQUENCY_REP_CANONICAL, u->k, u->n, u->theta, u->total);
	for (i = 0; i < u->n; i++)
	{
		out = varint_put(out, u->entries[i].hash - prev);
		out = varint_put(out, u->entries[i].count);
		prev = u->entries[i].hash;
	}
	return (size_t) (out - dst);
}
