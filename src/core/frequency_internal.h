/*
 * frequency_internal.h — what the frequency_*.c files share and the API
 * does not: named accessors for the header and the table's slots, the
 * table sizes and a cursor over the entries of either representation
 * (their LEB128 varints: varint.h).
 *
 * Stored format: docs/FORMAT.md, "frequency_sketch".  These accessors
 * (and the few in frequency_core.h that its inline add needs) are the only
 * place that knows the header's offsets, so the rest of the code names
 * fields instead of counting bytes.
 */
#ifndef IMPRESSION_EXT_FREQUENCY_INTERNAL_H
#define IMPRESSION_EXT_FREQUENCY_INTERNAL_H

#include "frequency_core.h"
#include "core_util.h"
#include "hash.h"
#include "le.h"
#include "varint.h"

#include <string.h>

#define sat_add frequency_sat_add

/* ---------------------------------------------------------------------
 * Header
 * --------------------------------------------------------------------- */

IE_FIELD_U8(hdr_version, set_version, 0);
IE_FIELD_U8(hdr_flags, set_flags, 2);
IE_FIELD_U8(hdr_reserved, set_reserved, 3);
IE_FIELD_U32(hdr_k, set_k, 4);
/* the entries (users kept) */
IE_FIELD_U32(hdr_n, set_n, 8);

static inline void
hdr_write(uint8_t *b, unsigned rep, uint32_t k, uint32_t n, uint64_t theta,
		  uint64_t total)
{
	set_version(b, FREQUENCY_FORMAT_VERSION);
	frequency_hdr_set_rep(b, rep);
	set_flags(b, 0);
	set_reserved(b, 0);
	set_k(b, k);
	set_n(b, n);
	frequency_hdr_set_theta(b, theta);
	frequency_hdr_set_total(b, total);
}

/*
 * STATE representations.  KEYED_STATE (0.2) is the one the functions
 * build and update: its header carries a seed chosen when the state is
 * made, and a slot's home is a keyed mix of the hash, so that nobody who
 * picks user ids can pile them onto one run of slots (their hashes are
 * fixed by postgresql-hll's hash, so the low bits alone would be theirs
 * to choose).  STATE (0.1) homes at the low bits of the hash; it is still
 * read (validated, canonicalized, merged from), and converted to a keyed
 * state before anything is added to it.
 */
static inline bool
is_state(const uint8_t *b)
{
	return frequency_hdr_rep(b) == FREQUENCY_REP_STATE || frequency_hdr_rep(b) == FREQUENCY_REP_KEYED_STATE;
}

static inline size_t
hdr_size(const uint8_t *b)
{
	return frequency_hdr_rep(b) == FREQUENCY_REP_KEYED_STATE ? FREQUENCY_KEYED_HEADER_SIZE : FREQUENCY_HEADER_SIZE;
}

static inline uint64_t
hdr_seed(const uint8_t *b)
{
	return frequency_hdr_rep(b) == FREQUENCY_REP_KEYED_STATE ? ie_get64(b + FREQUENCY_HEADER_SIZE) : 0;
}

/* the seed of a KEYED_STATE, after the common header */
static inline void
set_seed(uint8_t *b, uint64_t seed)
{
	ie_put64(b + FREQUENCY_HEADER_SIZE, seed);
}


/*
 * The home slot of hash h: in a keyed state the low bits of a bijective
 * 64-bit mix (MurmurHash3's finalizer) of h and the seed; unkeyed (seed 0,
 * a 0.1 STATE) the low bits of h.
 */
static inline uint32_t
home_of(uint64_t h, uint64_t seed, uint32_t mask)
{
	if (seed != 0)
		h = ie_murmur_fmix64(h ^ seed);
	return (uint32_t) h & mask;
}

/* slot i of a table */
static inline uint64_t
slot_hash(const uint8_t *slots, uint32_t i)
{
	return ie_get64(slots + (size_t) FREQUENCY_SLOT_SIZE * i);
}

static inline uint64_t
slot_count(const uint8_t *slots, uint32_t i)
{
	return ie_get64(slots + (size_t) FREQUENCY_SLOT_SIZE * i + 8);
}

static inline void
slot_put(uint8_t *slots, uint32_t i, uint64_t h, uint64_t c)
{
	ie_put64(slots + (size_t) FREQUENCY_SLOT_SIZE * i, h);
	ie_put64(slots + (size_t) FREQUENCY_SLOT_SIZE * i + 8, c);
}

static inline void
slot_set_count(uint8_t *slots, uint32_t i, uint64_t c)
{
	ie_put64(slots + (size_t) FREQUENCY_SLOT_SIZE * i + 8, c);
}

static inline bool
k_valid(uint32_t k)
{
	return k >= FREQUENCY_MIN_K && k <= FREQUENCY_MAX_K;
}

/* ---------------------------------------------------------------------
 * Sizes
 * --------------------------------------------------------------------- */

static inline uint32_t
load_limit(uint32_t cap)
{
	return cap - cap / 4;
}

/* the body size of a (keyed) state of so many slots */
static inline size_t
state_size(uint32_t slots)
{
	return FREQUENCY_KEYED_HEADER_SIZE + (size_t) FREQUENCY_SLOT_SIZE * slots;
}

/* slots of a state body with a header of hsize bytes, 0 if len is not a valid size */
static inline uint32_t
slots_of_len(size_t hsize, size_t len)
{
	size_t		c;

	if (len < hsize + (size_t) FREQUENCY_SLOT_SIZE * FREQUENCY_MIN_SLOTS ||
		len > hsize + (size_t) FREQUENCY_SLOT_SIZE * FREQUENCY_MAX_SLOTS ||
		(len - hsize) % FREQUENCY_SLOT_SIZE != 0)
		return 0;
	c = (len - hsize) / FREQUENCY_SLOT_SIZE;
	if ((c & (c - 1)) != 0)
		return 0;
	return (uint32_t) c;
}

/* slots of a state body (either STATE representation) */
static inline uint32_t
slots_of(const uint8_t *b, size_t len)
{
	return slots_of_len(hdr_size(b), len);
}

/* ---------------------------------------------------------------------
 * Reading entries of either representation (valid values only)
 * --------------------------------------------------------------------- */

/*
 * The entries of a CANONICAL body read and checked as they go: by the
 * validator, and by a merge that reads a stored sketch once instead of
 * validating it first (frequency_validate_shallow).  entry_next is false
 * at the end or at the first broken rule (problem says which, at entry i).
 * frequency_entries_finish then checks the end and the totals.
 */
typedef enum EntryProblem
{
	ENTRY_OK,
	ENTRY_HASH_VARINT,			/* varint holds the varint_get code */
	ENTRY_COUNT_VARINT,
	ENTRY_DUPLICATE,
	ENTRY_PAST_2_64,
	ENTRY_NOT_BELOW_THETA,
	ENTRY_ZERO_COUNT
} EntryProblem;

typedef struct EntryReader
{
	const uint8_t *p;
	const uint8_t *end;
	uint32_t	i;				/* entries read */
	uint32_t	n;
	uint64_t	theta;
	uint64_t	hash;			/* the current entry */
	uint64_t	count;
	uint64_t	sum;			/* of the counts read, saturated */
	EntryProblem problem;
	int			varint;
} EntryReader;

static inline void
entry_reader_init(EntryReader *r, const uint8_t *body, size_t len)
{
	r->p = body + FREQUENCY_HEADER_SIZE;
	r->end = body + len;
	r->i = 0;
	r->n = hdr_n(body);
	r->theta = frequency_hdr_theta(body);
	r->hash = 0;
	r->count = 0;
	r->sum = 0;
	r->problem = ENTRY_OK;
	r->varint = 0;
}

static inline bool
entry_fail(EntryReader *r, EntryProblem problem, int varint)
{
	r->problem = problem;
	r->varint = varint;
	return false;
}

static inline bool
entry_next(EntryReader *r)
{
	uint64_t	d;
	uint64_t	c;
	int			v;

	if (r->i == r->n)
		return false;
	if ((v = varint_get(r->p, r->end, &d)) < 0)
		return entry_fail(r, ENTRY_HASH_VARINT, v);
	r->p += v;
	if (r->i > 0 && d == 0)
		return entry_fail(r, ENTRY_DUPLICATE, 0);
	if (d > UINT64_MAX - r->hash)
		return entry_fail(r, ENTRY_PAST_2_64, 0);
	r->hash += d;
	if (r->hash >= r->theta)
		return entry_fail(r, ENTRY_NOT_BELOW_THETA, 0);
	/* a count below 128, the usual one, is a single byte */
	if (r->p < r->end && *r->p < 0x80)
		c = *r->p++;
	else
	{
		if ((v = varint_get(r->p, r->end, &c)) < 0)
			return entry_fail(r, ENTRY_COUNT_VARINT, v);
		r->p += v;
	}
	if (c == 0)
		return entry_fail(r, ENTRY_ZERO_COUNT, 0);
	r->count = c;
	r->sum = sat_add(r->sum, c);
	r->i++;
	return true;
}

/* after entry_next said false: NULL if every entry and the end are right */
extern const char *frequency_entries_finish(const EntryReader *r, const uint8_t *body);

typedef struct Cursor
{
	const uint8_t *p;			/* CANONICAL: next byte; STATE: slots */
	const uint8_t *end;
	uint32_t	left;			/* CANONICAL: entries not yet read */
	uint32_t	slot;			/* STATE: next slot */
	uint32_t	slots;			/* STATE: table size; 0 for CANONICAL */
	uint64_t	hash;			/* current entry */
	uint64_t	count;
} Cursor;

static inline void
cursor_init(Cursor *c, const uint8_t *body, size_t len)
{
	c->p = body + hdr_size(body);
	c->end = body + len;
	c->hash = 0;
	c->count = 0;
	c->slot = 0;
	if (is_state(body))
	{
		c->slots = slots_of(body, len);
		c->left = 0;
	}
	else
	{
		c->slots = 0;
		c->left = hdr_n(body);
	}
}

/*
 * Next entry into c->hash, c->count; false at the end.  CANONICAL entries
 * come in increasing hash order, STATE entries in table order.  Bounds are
 * checked even though the value was validated.
 */
static inline bool
cursor_next(Cursor *c)
{
	if (c->slots != 0)
	{
		while (c->slot < c->slots)
		{
			uint32_t	i = c->slot++;
			uint64_t	cnt = slot_count(c->p, i);

			if (cnt != 0)
			{
				c->hash = slot_hash(c->p, i);
				c->count = cnt;
				return true;
			}
		}
		return false;
	}
	else
	{
		uint64_t	d;
		uint64_t	cnt;
		int			r;

		if (c->left == 0)
			return false;
		r = varint_get(c->p, c->end, &d);
		if (r <= 0)
			return false;
		c->p += r;
		r = varint_get(c->p, c->end, &cnt);
		if (r <= 0)
			return false;
		c->p += r;
		c->hash += d;
		c->count = cnt;
		c->left--;
		return true;
	}
}

#endif							/* IMPRESSION_EXT_FREQUENCY_INTERNAL_H */
