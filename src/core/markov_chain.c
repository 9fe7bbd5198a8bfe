/*
 * markov_chain.c — the markov_chain value: validation, the canonical form
 * and the state, merges, and the paths of a journey
 * (docs/FORMAT.md, "markov_chain").
 *
 * A merge writes the union of both values' channels (a sorted merge of two
 * sorted string lists, so every old channel index maps monotonically to a
 * new one) and of their entries (remapped, so still sorted, then merged,
 * adding counts).  The result is built in the state's slack and moved
 * down: the core allocates nothing, and the bytes depend only on the
 * counts, never on the order of the merges.
 */
#include "markov_core.h"
#include "journey_core.h"
#include "core_util.h"
#include "le.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

IE_FIELD_U8(hdr_version, set_version, 0);
IE_FIELD_U8(hdr_rep, set_rep, 1);
IE_FIELD_U32(hdr_channels, set_channels, 4);
IE_FIELD_U32(hdr_entries, set_entries, 8);
IE_FIELD_U32(hdr_bytes, set_bytes, 12);
IE_FIELD_U64(hdr_value_lo, set_value_lo, 16);
IE_FIELD_U64(hdr_value_hi, set_value_hi, 24);

typedef __int128 i128;

/*
 * The total value's bound (in millionths, either sign): the sum of two
 * totals within it fits an int128, so a merge can check the sum after
 * adding.  Far beyond any real revenue (2^124 millionths is 2e31).
 */
#define VALUE_BOUND		((i128) 1 << 124)

/* sources of up to this many channels (a journey's) try merge_in_place first */
#define MARKOV_SMALL_MERGE	64

static i128
hdr_value(const uint8_t *b)
{
	return (i128) (((unsigned __int128) hdr_value_hi(b) << 64) | hdr_value_lo(b));
}

static void
set_value(uint8_t *b, i128 v)
{
	set_value_lo(b, (uint64_t) v);
	set_value_hi(b, (uint64_t) ((unsigned __int128) v >> 64));
}

/* the used length of a value whose counts are in its header */
static size_t
used_size(const uint8_t *b)
{
	return MARKOV_HEADER_SIZE + 4 * (size_t) hdr_channels(b) +
		MARKOV_ENTRY_SIZE * (size_t) hdr_entries(b) + hdr_bytes(b);
}

static inline const uint8_t *
ends_of(const uint8_t *b)
{
	return b + MARKOV_HEADER_SIZE;
}

static inline const uint8_t *
entries_of(const uint8_t *b)
{
	return b + MARKOV_HEADER_SIZE + 4 * (size_t) hdr_channels(b);
}

static inline const uint8_t *
bytes_of(const uint8_t *b)
{
	return entries_of(b) + MARKOV_ENTRY_SIZE * (size_t) hdr_entries(b);
}

static const uint8_t *
channel_at(const uint8_t *b, uint32_t i, uint32_t *len)
{
	uint32_t	start = i == 0 ? 0 : ie_get32(ends_of(b) + 4 * (size_t) (i - 1));

	*len = ie_get32(ends_of(b) + 4 * (size_t) i) - start;
	return bytes_of(b) + start;
}

static int
bytes_cmp(const uint8_t *a, uint32_t al, const uint8_t *b, uint32_t bl)
{
	int			c = memcmp(a, b, al < bl ? al : bl);

	if (c != 0 || al == bl)
		return c;
	return al < bl ? -1 : 1;
}

static const char *
check_channels(const uint8_t *b, uint32_t c, uint32_t nbytes)
{
	uint32_t	prev = 0;
	uint32_t	i;

	for (i = 0; i < c; i++)
	{
		uint32_t	end = ie_get32(ends_of(b) + 4 * (size_t) i);

		if (end < prev || end > nbytes)
			return ie_fail("channel %u ends at %u, outside %u..%u", i, end, prev, nbytes);
		prev = end;
	}
	if (prev != nbytes)
		return ie_fail("the channels end at %u, not at the %u string bytes", prev, nbytes);
	for (i = 1; i < c; i++)
	{
		uint32_t	al;
		uint32_t	bl;
		const uint8_t *x = channel_at(b, i - 1, &al);
		const uint8_t *y = channel_at(b, i, &bl);

		if (bytes_cmp(x, al, y, bl) >= 0)
			return ie_fail("channels %u and %u are not in strictly increasing order", i - 1, i);
	}
	return NULL;
}

/*
 * Entries: keys strictly increasing, from a transient state to any state
 * but start, nonzero counts; every channel has a way out; every transient
 * state with a way out reaches conversion or null (else the chain would
 * have no absorbing end and I - Q would be singular).
 */
static const char *
check_entries(const uint8_t *b, uint32_t c, uint32_t t)
{
	const uint8_t *e = entries_of(b);
	uint64_t	prev = 0;
	uint32_t	i;
	uint32_t	from_prev = UINT32_MAX;
	uint32_t	channels_with_exit = 0;

	for (i = 0; i < t; i++)
	{
		uint64_t	key = ie_get64(e + MARKOV_ENTRY_SIZE * (size_t) i);
		uint32_t	from = (uint32_t) (key >> 32);
		uint32_t	to = (uint32_t) key;

		if (i > 0 && key <= prev)
			return ie_fail("entries %u and %u are not in strictly increasing order", i - 1, i);
		prev = key;
		if (from > c || to == 0 || to > c + 2)
			return ie_fail("entry %u goes from state %u to %u, outside 0..%u to 1..%u",
						   i, from, to, c, c + 2);
		if (ie_get64(e + MARKOV_ENTRY_SIZE * (size_t) i + 8) == 0)
			return ie_fail("entry %u has a zero count", i);
		if (from != from_prev && from != 0)
			channels_with_exit++;
		from_prev = from;
	}
	if (channels_with_exit != c)
		return ie_fail("%u of the %u channels have no transition out", c - channels_with_exit, c);
	return NULL;
}

/*
 * Every channel reaches an absorbing state: propagate "absorbs" backwards
 * over the entries until nothing changes (entries are sorted by from, so a
 * pass is O(T); at most C + 1 passes, C <= MARKOV_MAX_CHANNELS).
 */
static const char *
check_absorbing(const uint8_t *b, uint32_t c, uint32_t t)
{
	uint8_t		absorbs[MARKOV_MAX_CHANNELS + 1];
	const uint8_t *e = entries_of(b);
	bool		changed = true;
	uint32_t	i;

	memset(absorbs, 0, (size_t) c + 1);
	while (changed)
	{
		changed = false;
		for (i = 0; i < t; i++)
		{
			uint64_t	key = ie_get64(e + MARKOV_ENTRY_SIZE * (size_t) i);
			uint32_t	from = (uint32_t) (key >> 32);
			uint32_t	to = (uint32_t) key;

			if (!absorbs[from] && (to > c || absorbs[to]))
			{
				absorbs[from] = 1;
				changed = true;
			}
		}
	}
	for (i = 1; i <= c; i++)
		if (!absorbs[i])
			return ie_fail("channel %u never reaches conversion or null", i - 1);
	return NULL;
}

const char *
markov_validate(const uint8_t *body, size_t len)
{
	uint32_t	c;
	uint32_t	t;
	uint32_t	nb;
	size_t		need;
	const char *err;

	if (len < MARKOV_HEADER_SIZE)
		return ie_fail("too short: %zu bytes, the header alone is %d", len, MARKOV_HEADER_SIZE);
	if (hdr_version(body) != MARKOV_FORMAT_VERSION)
		return ie_fail("unknown format version %u", hdr_version(body));
	if (hdr_rep(body) != MARKOV_REP_CANONICAL && hdr_rep(body) != MARKOV_REP_STATE)
		return ie_fail("unknown representation %u", hdr_rep(body));
	if (body[2] != 0 || body[3] != 0)
		return ie_fail("reserved header bits are set");
	c = hdr_channels(body);
	t = hdr_entries(body);
	nb = hdr_bytes(body);
	if (c > MARKOV_MAX_CHANNELS)
		return ie_fail("%u channels, more than the %d allowed", c, MARKOV_MAX_CHANNELS);
	if (t > ((uint64_t) c + 1) * ((uint64_t) c + 2))
		return ie_fail("%u entries, more than the %llu transitions of %u channels", t,
					   (unsigned long long) (((uint64_t) c + 1) * ((uint64_t) c + 2)), c);
	need = MARKOV_HEADER_SIZE + 4 * (size_t) c + MARKOV_ENTRY_SIZE * (size_t) t + (size_t) nb;
	if (len < need)
		return ie_fail("truncated: %zu bytes, %u channels, %u entries and %u string bytes need %zu",
					   len, c, t, nb, need);
	if (hdr_rep(body) == MARKOV_REP_CANONICAL && len != need)
		return ie_fail("trailing bytes: %zu after the value's %zu", len - need, need);
	if (hdr_value(body) >= VALUE_BOUND || hdr_value(body) <= -VALUE_BOUND)
		return ie_fail("the total value is beyond +-2^124 millionths");
	if ((hdr_value(body) != 0 || c != 0) && t == 0)
		return ie_fail("a value or channels without transitions");
	if ((err = check_channels(body, c, nb)) != NULL ||
		(err = check_entries(body, c, t)) != NULL ||
		(err = check_absorbing(body, c, t)) != NULL)
		return err;
	return NULL;
}

bool
markov_init_empty(uint8_t *body, size_t len)
{
	if (len < MARKOV_HEADER_SIZE)
		return false;
	memset(body, 0, MARKOV_HEADER_SIZE);
	set_version(body, MARKOV_FORMAT_VERSION);
	set_rep(body, MARKOV_REP_CANONICAL);
	return true;
}

bool
markov_state_init(uint8_t *body, size_t len)
{
	if (!markov_init_empty(body, len))
		return false;
	set_rep(body, MARKOV_REP_STATE);
	return true;
}

bool
markov_canonical_by_header(const uint8_t *body, size_t len)
{
	return len >= MARKOV_HEADER_SIZE && body[1] == MARKOV_REP_CANONICAL;
}

bool
markov_needs_canonicalize(const uint8_t *body, size_t len)
{
	return !markov_canonical_by_header(body, len);
}

size_t
markov_canonical_size(const uint8_t *body, size_t len)
{
	(void) len;
	return used_size(body);
}

size_t
markov_canonicalize(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen,
					void *scratch, size_t scratchlen)
{
	size_t		n = used_size(src);

	(void) srclen;
	(void) scratch;
	(void) scratchlen;
	if (dstlen < n)
		return 0;
	memcpy(dst, src, n);
	set_rep(dst, MARKOV_REP_CANONICAL);
	return n;
}

/* sizes that grow: a power of two above need (the slack of AllocSet chunks) */
static size_t
grow_size(size_t need)
{
	size_t		s = 64;

	while (s - 4 < need)
		s *= 2;
	return s - 4;
}

/*
 * Write the union of channels of a and b at out (ends, then bytes at
 * out_bytes), mapping a's i to map_a[i] and b's j to map_b[j]; returns the
 * channel count (the bytes written go to *nbytes).
 */
static uint32_t
merge_channels(const uint8_t *a, const uint8_t *b, uint8_t *ends, uint8_t *bytes,
			   uint32_t *map_a, uint32_t *map_b, uint32_t *nbytes)
{
	uint32_t	ca = hdr_channels(a);
	uint32_t	cb = hdr_channels(b);
	uint32_t	i = 0;
	uint32_t	j = 0;
	uint32_t	n = 0;
	uint32_t	at = 0;

	while (i < ca || j < cb)
	{
		uint32_t	al = 0;
		uint32_t	bl = 0;
		const uint8_t *x = i < ca ? channel_at(a, i, &al) : NULL;
		const uint8_t *y = j < cb ? channel_at(b, j, &bl) : NULL;
		int			c = x == NULL ? 1 : y == NULL ? -1 : bytes_cmp(x, al, y, bl);

		if (c <= 0)
		{
			memcpy(bytes + at, x, al);
			at += al;
			map_a[i++] = n + 1;
			if (c == 0)
				map_b[j++] = n + 1;
		}
		else
		{
			memcpy(bytes + at, y, bl);
			at += bl;
			map_b[j++] = n + 1;
		}
		ie_put32(ends + 4 * (size_t) n, at);
		n++;
	}
	*nbytes = at;
	return n;
}

/* state index s of a value with c channels, through map, into one with n */
static inline uint32_t
remap(uint32_t s, uint32_t c, const uint32_t *map, uint32_t n)
{
	return s == 0 ? 0 : s <= c ? map[s - 1] : s - c + n;
}

static inline uint64_t
remapped_key(const uint8_t *v, uint32_t i, const uint32_t *map, uint32_t n)
{
	uint64_t	key = ie_get64(entries_of(v) + MARKOV_ENTRY_SIZE * (size_t) i);
	uint32_t	c = hdr_channels(v);

	return ((uint64_t) remap((uint32_t) (key >> 32), c, map, n) << 32) |
		remap((uint32_t) key, c, map, n);
}

/* merge the entries of a and b, remapped, into out; false on a count overflow */
static bool
merge_entries(const uint8_t *a, const uint8_t *b, const uint32_t *map_a,
			  const uint32_t *map_b, uint32_t n, uint8_t *out, uint32_t *nout)
{
	uint32_t	ta = hdr_entries(a);
	uint32_t	tb = hdr_entries(b);
	uint32_t	i = 0;
	uint32_t	j = 0;
	uint32_t	k = 0;

	while (i < ta || j < tb)
	{
		uint64_t	ka = i < ta ? remapped_key(a, i, map_a, n) : UINT64_MAX;
		uint64_t	kb = j < tb ? remapped_key(b, j, map_b, n) : UINT64_MAX;
		uint64_t	count = 0;
		uint64_t	key = ka < kb ? ka : kb;

		if (ka == key)
			count = ie_get64(entries_of(a) + MARKOV_ENTRY_SIZE * (size_t) i++ + 8);
		if (kb == key)
		{
			uint64_t	add = ie_get64(entries_of(b) + MARKOV_ENTRY_SIZE * (size_t) j++ + 8);

			if (count > UINT64_MAX - add)
				return false;
			count += add;
		}
		ie_put64(out + MARKOV_ENTRY_SIZE * (size_t) k, key);
		ie_put64(out + MARKOV_ENTRY_SIZE * (size_t) k + 8, count);
		k++;
	}
	*nout = k;
	return true;
}

/* the index of channel s (l bytes) in v, or -1 */
static int64_t
find_channel(const uint8_t *v, const uint8_t *s, uint32_t l)
{
	uint32_t	lo = 0;
	uint32_t	hi = hdr_channels(v);

	while (lo < hi)
	{
		uint32_t	mid = lo + (hi - lo) / 2;
		uint32_t	ml;
		const uint8_t *m = channel_at(v, mid, &ml);
		int			c = bytes_cmp(m, ml, s, l);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* the entry of v with this key, or -1 */
static int64_t
find_entry(const uint8_t *v, uint64_t key)
{
	uint32_t	lo = 0;
	uint32_t	hi = hdr_entries(v);

	while (lo < hi)
	{
		uint32_t	mid = lo + (hi - lo) / 2;
		uint64_t	k = ie_get64(entries_of(v) + MARKOV_ENTRY_SIZE * (size_t) mid);

		if (k == key)
			return mid;
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/*
 * The common case of an aggregate, once its state has seen the channels:
 * src brings no new channel or transition, so its counts are added in
 * place (binary searches, no rewrite of the state).  False, with nothing
 * changed, when it does not apply; map (room for src's channels) is
 * scratch.
 */
static bool
merge_in_place(uint8_t *dst, const uint8_t *src, uint32_t *map)
{
	uint32_t	cs = hdr_channels(src);
	uint32_t	cd = hdr_channels(dst);
	uint32_t	t = hdr_entries(src);
	i128		value = hdr_value(dst) + hdr_value(src);

	if (value >= VALUE_BOUND || value <= -VALUE_BOUND)
		return false;
	for (uint32_t i = 0; i < cs; i++)
	{
		uint32_t	l;
		const uint8_t *s = channel_at(src, i, &l);
		int64_t		at = find_channel(dst, s, l);

		if (at < 0)
			return false;
		map[i] = (uint32_t) at + 1;
	}
	/* two passes: nothing is written unless every entry is found and fits */
	for (int pass = 0; pass < 2; pass++)
		for (uint32_t i = 0; i < t; i++)
		{
			uint64_t	key = remapped_key(src, i, map, cd);
			int64_t		at = find_entry(dst, key);
			uint8_t    *count;
			uint64_t	add = ie_get64(entries_of(src) + MARKOV_ENTRY_SIZE * (size_t) i + 8);

			if (at < 0)
				return false;
			count = (uint8_t *) entries_of(dst) + MARKOV_ENTRY_SIZE * (size_t) at + 8;
			if (pass == 0 && ie_get64(count) > UINT64_MAX - add)
				return false;
			if (pass == 1)
				ie_put64(count, ie_get64(count) + add);
		}
	set_value(dst, value);
	return true;
}

size_t
markov_state_merge(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen)
{
	size_t		used = used_size(dst);
	uint64_t	cmax = (uint64_t) hdr_channels(dst) + hdr_channels(src);
	uint64_t	tmax = (uint64_t) hdr_entries(dst) + hdr_entries(src);
	uint64_t	bmax = (uint64_t) hdr_bytes(dst) + hdr_bytes(src);
	uint64_t	bound = MARKOV_HEADER_SIZE + 4 * cmax + MARKOV_ENTRY_SIZE * tmax + bmax;
	uint64_t	need = used + bound + 4 * cmax + 8;
	uint8_t    *out;
	uint32_t   *map_a;
	uint32_t   *map_b;
	uint32_t	n;
	uint32_t	nb;
	uint32_t	t;
	uint8_t    *ends;
	i128		value;

	(void) srclen;
	if (hdr_rep(dst) != MARKOV_REP_STATE)
		return MARKOV_BAD_ARGUMENT;
	if (hdr_entries(src) == 0 && hdr_value(src) == 0)
		return 0;
	if (hdr_channels(src) <= MARKOV_SMALL_MERGE)
	{
		uint32_t	map[MARKOV_SMALL_MERGE];

		if (merge_in_place(dst, src, map))
			return 0;
	}
	if (need > MARKOV_MAX_BUILT_SIZE)
		return MARKOV_TOO_LARGE;
	if (need > dstlen)
		return grow_size((size_t) need);
	/* the maps, then the result, in the slack after the used bytes */
	map_a = (uint32_t *) (void *) (dst + ((used + 3) & ~(size_t) 3));
	map_b = map_a + hdr_channels(dst);
	out = (uint8_t *) (map_b + hdr_channels(src));
	ends = out + MARKOV_HEADER_SIZE;
	/* channel bytes go last; write them at the bound's end, then move */
	n = merge_channels(dst, src, ends, out + bound - bmax, map_a, map_b, &nb);
	if (n > MARKOV_MAX_CHANNELS)
		return MARKOV_TOO_LARGE;
	value = hdr_value(dst) + hdr_value(src);
	if (value >= VALUE_BOUND || value <= -VALUE_BOUND)
		return MARKOV_TOO_LARGE;
	if (!merge_entries(dst, src, map_a, map_b, n, ends + 4 * (size_t) n, &t))
		return MARKOV_TOO_LARGE;
	memmove(ends + 4 * (size_t) n + MARKOV_ENTRY_SIZE * (size_t) t, out + bound - bmax, nb);
	memcpy(out, dst, MARKOV_HEADER_SIZE);
	set_channels(out, n);
	set_entries(out, t);
	set_bytes(out, nb);
	set_value(out, value);
	memmove(dst, out, used_size(out));
	return 0;
}

bool
markov_state_regrow(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen)
{
	size_t		n = used_size(src);

	(void) srclen;
	if (dstlen < n)
		return false;
	memcpy(dst, src, n);
	set_rep(dst, MARKOV_REP_STATE);
	return true;
}

/* ---------------------------------------------------------------------
 * Paths of a journey
 * --------------------------------------------------------------------- */

size_t
markov_from_journey_size(const uint8_t *journey, size_t len)
{
	uint32_t	e = journey_event_count(journey, len);
	uint32_t	s = journey_string_count(journey, len);
	size_t		bytes = 0;

	for (uint32_t i = 0; i < s; i++)
	{
		size_t		l;

		(void) journey_string(journey, len, i, &l);
		bytes += l;
	}
	/* a transition per event plus one per path end */
	return MARKOV_HEADER_SIZE + 4 * (size_t) s + MARKOV_ENTRY_SIZE * (2 * (size_t) e + 1) + bytes;
}

size_t
markov_from_journey_scratch(const uint8_t *journey, size_t len)
{
	return 4 * (size_t) journey_string_count(journey, len) + 4;
}

/* a touch that takes part: an impression, engaged view or click with a touch */
static inline bool
is_touch(const JourneyEvent *ev)
{
	return ev->kind != JOURNEY_CONVERSION && ev->touch != NULL;
}

/* does the touch at ts lie within lookback before t (0 <= t - ts <= lookback)? */
static inline bool
within(int64_t t, int64_t ts, int64_t lookback)
{
	if (ts > t)
		return false;
	return (uint64_t) t - (uint64_t) ts <= (uint64_t) lookback;
}

typedef struct PathWriter
{
	uint8_t    *entries;
	uint32_t	n;
	uint32_t	prev;			/* the path's last state so far (0: start) */
} PathWriter;

static void
path_step(PathWriter *w, uint32_t to)
{
	ie_put64(w->entries + MARKOV_ENTRY_SIZE * (size_t) w->n, ((uint64_t) w->prev << 32) | to);
	ie_put64(w->entries + MARKOV_ENTRY_SIZE * (size_t) w->n + 8, 1);
	w->n++;
	w->prev = to;
}

/*
 * The path of touches [from, to) of the journey that lie within lookback
 * before t, ending in end (S + 1 conversion, S + 2 null: states numbered
 * by the journey's string indexes for now).
 */
static void
write_path(PathWriter *w, const uint8_t *j, size_t len, uint32_t from, uint32_t to,
		   int64_t t, int64_t lookback, uint32_t end)
{
	JourneyEvent ev;

	w->prev = 0;
	for (uint32_t i = from; i < to; i++)
		if (journey_event(j, len, i, &ev) && is_touch(&ev) && within(t, ev.ts, lookback))
			path_step(w, ev.touch_index + 1);
	path_step(w, end);
}

/* conversions' values in millionths; false if one is not finite or too large */
static bool
add_value(i128 *sum, const JourneyEvent *ev)
{
	if (!ev->has_value)
		return true;
	if (!isfinite(ev->value) || fabs(ev->value) > MARKOV_MAX_VALUE)
		return false;
	*sum += (i128) llround(ev->value * 1e6);
	return true;
}

/*
 * Collapse the journey-numbered entries (sorted, with repeats) into the
 * canonical value: used strings renumbered 1..C, repeats counted.
 */
static size_t
finish_from_journey(uint8_t *dst, const uint8_t *j, size_t len, PathWriter *w,
					uint32_t *map, i128 value)
{
	uint32_t	s = journey_string_count(j, len);
	uint32_t	c = 0;
	uint32_t	t = 0;
	uint32_t	at = 0;
	uint8_t    *ends = dst + MARKOV_HEADER_SIZE;
	uint8_t    *out;
	uint8_t    *bytes;

	memset(map, 0, 4 * (size_t) s);
	for (uint32_t i = 0; i < w->n; i++)
	{
		uint32_t	from = (uint32_t) (ie_get64(w->entries + MARKOV_ENTRY_SIZE * (size_t) i) >> 32);

		if (from > 0)
			map[from - 1] = 1;
	}
	for (uint32_t i = 0; i < s; i++)
		if (map[i])
			map[i] = ++c;
	if (c > MARKOV_MAX_CHANNELS)
		return MARKOV_TOO_LARGE;
	out = ends + 4 * (size_t) c;
	ie_sort_records16(w->entries, w->n);
	for (uint32_t i = 0; i < w->n; i++)
	{
		uint64_t	key = ie_get64(w->entries + MARKOV_ENTRY_SIZE * (size_t) i);
		uint32_t	from = (uint32_t) (key >> 32);
		uint32_t	to = (uint32_t) key;

		from = from == 0 ? 0 : map[from - 1];
		to = to <= s ? map[to - 1] : to - s + c;
		key = ((uint64_t) from << 32) | to;
		if (t > 0 && ie_get64(out + MARKOV_ENTRY_SIZE * (size_t) (t - 1)) == key)
			ie_put64(out + MARKOV_ENTRY_SIZE * (size_t) (t - 1) + 8,
					 ie_get64(out + MARKOV_ENTRY_SIZE * (size_t) (t - 1) + 8) + 1);
		else
		{
			ie_put64(out + MARKOV_ENTRY_SIZE * (size_t) t, key);
			ie_put64(out + MARKOV_ENTRY_SIZE * (size_t) t + 8, 1);
			t++;
		}
	}
	bytes = out + MARKOV_ENTRY_SIZE * (size_t) t;
	for (uint32_t i = 0, k = 0; i < s; i++)
		if (map[i])
		{
			size_t		l;
			const uint8_t *str = journey_string(j, len, i, &l);

			memcpy(bytes + at, str, l);
			at += (uint32_t) l;
			ie_put32(ends + 4 * (size_t) k++, at);
		}
	markov_init_empty(dst, MARKOV_HEADER_SIZE);
	set_channels(dst, c);
	set_entries(dst, t);
	set_bytes(dst, at);
	set_value(dst, value);
	return used_size(dst);
}

size_t
markov_from_journey(uint8_t *dst, size_t dstlen, const uint8_t *journey, size_t len,
					int64_t lookback, void *scratch, size_t scratchlen)
{
	uint32_t	e = journey_event_count(journey, len);
	uint32_t	s = journey_string_count(journey, len);
	size_t		size = markov_from_journey_size(journey, len);
	PathWriter	w;
	uint32_t	seg = 0;
	uint32_t	last_touch = UINT32_MAX;
	i128		value = 0;
	JourneyEvent ev;
	uintptr_t	p = (uintptr_t) scratch;
	uint32_t   *map;

	if (dstlen < size || scratch == NULL || scratchlen < 4 * (size_t) s + 4 || lookback < 0)
		return 0;
	map = (uint32_t *) (void *) ((uint8_t *) scratch + ((4 - (p & 3)) & 3));
	/* the raw entries go where the value's entries will be, after the largest ends[] */
	w.entries = dst + MARKOV_HEADER_SIZE + 4 * (size_t) s;
	w.n = 0;
	for (uint32_t i = 0; i < e; i++)
	{
		if (!journey_event(journey, len, i, &ev))
			return 0;
		if (ev.kind != JOURNEY_CONVERSION)
		{
			if (is_touch(&ev))
				last_touch = i;
			continue;
		}
		if (!add_value(&value, &ev))
			return MARKOV_BAD_VALUE;
		write_path(&w, journey, len, seg, i, ev.ts, lookback, s + 1);
		seg = i + 1;
	}
	if (last_touch != UINT32_MAX && last_touch >= seg)
	{
		(void) journey_event(journey, len, last_touch, &ev);
		write_path(&w, journey, len, seg, e, ev.ts, lookback, s + 2);
	}
	if (w.n == 0)
		return markov_init_empty(dst, dstlen) ? MARKOV_HEADER_SIZE : 0;
	return finish_from_journey(dst, journey, len, &w, map, value);
}

/* ---------------------------------------------------------------------
 * Reading
 * --------------------------------------------------------------------- */

void
markov_get_info(const uint8_t *body, size_t len, MarkovInfo *info)
{
	uint32_t	c = hdr_channels(body);

	(void) len;
	memset(info, 0, sizeof(*info));
	info->channels = c;
	info->entries = hdr_entries(body);
	for (uint32_t i = 0; i < info->entries; i++)
	{
		uint64_t	key = ie_get64(entries_of(body) + MARKOV_ENTRY_SIZE * (size_t) i);
		uint64_t	count = ie_get64(entries_of(body) + MARKOV_ENTRY_SIZE * (size_t) i + 8);

		if ((uint32_t) key == c + 1)
			info->converting_paths += count;
		if ((key >> 32) == 0)
			info->paths += count;
	}
	info->value = (double) hdr_value(body) / 1e6;
}

const uint8_t *
markov_channel(const uint8_t *body, size_t len, uint32_t i, size_t *slen)
{
	uint32_t	l;
	const uint8_t *s;

	(void) len;
	s = channel_at(body, i, &l);
	*slen = l;
	return s;
}

void
markov_entry(const uint8_t *body, size_t len, uint32_t i, uint32_t *from, uint32_t *to,
			 uint64_t *count)
{
	uint64_t	key = ie_get64(entries_of(body) + MARKOV_ENTRY_SIZE * (size_t) i);

	(void) len;
	*from = (uint32_t) (key >> 32);
	*to = (uint32_t) key;
	*count = ie_get64(entries_of(body) + MARKOV_ENTRY_SIZE * (size_t) i + 8);
}

const char *
markov_limits(void)
{
	static char sentence[200];

	snprintf(sentence, sizeof(sentence),
			 "A markov_chain holds at most %d channels (markov_attribution solves a system of that size), conversion values up to %.0e each, and %zu bytes.",
			 MARKOV_MAX_CHANNELS, MARKOV_MAX_VALUE, (size_t) MARKOV_MAX_BUILT_SIZE);
	return sentence;
}
