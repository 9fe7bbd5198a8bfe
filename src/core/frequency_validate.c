/*
 * frequency_validate.c — frequency_validate: every reader rule of
 * docs/FORMAT.md ("frequency_sketch") checked on bytes from outside,
 * before anything else reads them, in time linear in their length.
 */
#include "frequency_internal.h"

static const char *
varint_problem(int r, const char *what, uint32_t entry)
{
	if (r == VARINT_TRUNCATED)
		return ie_fail("truncated: the %s of entry %u is cut off", what, entry);
	if (r == VARINT_OVERLONG)
		return ie_fail("the %s of entry %u is not in its shortest encoding", what, entry);
	return ie_fail("the %s of entry %u does not fit in 64 bits", what, entry);
}

/* checks shared by both representations once the entries are summed */
static const char *
check_totals(uint64_t theta, uint64_t total, uint64_t sum)
{
	if (total < sum)
		return ie_fail("impressions total %llu is less than the retained counts %llu",
					(unsigned long long) total, (unsigned long long) sum);
	if (theta == FREQUENCY_THETA_ONE && total != sum)
		return ie_fail("impressions total %llu differs from the retained counts %llu in exact mode",
					(unsigned long long) total, (unsigned long long) sum);
	if (theta != FREQUENCY_THETA_ONE && total == sum && total != UINT64_MAX)
		return ie_fail("impressions total %llu equals the retained counts in sampling mode (the user at theta is missing)",
					(unsigned long long) total);
	return NULL;
}

/* the reader rules of the header of a CANONICAL body */
static const char *
validate_canonical_header(const uint8_t *body, size_t len)
{
	uint32_t	k = hdr_k(body);
	uint32_t	n = hdr_n(body);

	if (n > k)
		return ie_fail("%u entries is more than k %u", n, k);
	if (frequency_hdr_theta(body) != FREQUENCY_THETA_ONE && n != k)
		return ie_fail("a sampling sketch holds %u entries, not k %u", n, k);
	if ((uint64_t) n * 2 > (uint64_t) (len - FREQUENCY_HEADER_SIZE))
		return ie_fail("truncated: %zu bytes cannot hold %u entries", len, n);
	return NULL;
}

const char *
frequency_entries_finish(const EntryReader *r, const uint8_t *body)
{
	switch (r->problem)
	{
		case ENTRY_OK:
			break;
		case ENTRY_HASH_VARINT:
			return varint_problem(r->varint, "hash", r->i);
		case ENTRY_COUNT_VARINT:
			return varint_problem(r->varint, "count", r->i);
		case ENTRY_DUPLICATE:
			return ie_fail("entries out of order at entry %u: duplicate hash", r->i);
		case ENTRY_PAST_2_64:
			return ie_fail("entries out of order at entry %u: hash passes 2^64", r->i);
		case ENTRY_NOT_BELOW_THETA:
			return ie_fail("entry %u is not below theta", r->i);
		case ENTRY_ZERO_COUNT:
			return ie_fail("count of entry %u is zero", r->i);
	}
	/* entry_next stops without a problem only after the n-th entry */
	if (r->p != r->end)
		return ie_fail("trailing bytes: %zu after entry %u", (size_t) (r->end - r->p), r->n);
	return check_totals(r->theta, frequency_hdr_total(body), r->sum);
}

static const char *
validate_canonical(const uint8_t *body, size_t len)
{
	const char *msg = validate_canonical_header(body, len);
	EntryReader r;

	if (msg != NULL)
		return msg;
	entry_reader_init(&r, body, len);
	while (entry_next(&r))
		;
	return frequency_entries_finish(&r, body);
}

static const char *
validate_state(const uint8_t *body, size_t len)
{
	uint32_t	k = hdr_k(body);
	uint32_t	n = hdr_n(body);
	uint64_t	theta = frequency_hdr_theta(body);
	size_t		hsize = hdr_size(body);
	uint64_t	seed;
	const uint8_t *slots = body + hsize;
	uint32_t	cap;
	uint32_t	mask;
	uint32_t	e;
	uint32_t	occupied = 0;
	uint64_t	sum = 0;
	uint64_t	s;
	bool		prev_used;
	uint32_t	prev_d = 0;
	uint64_t	prev_h = 0;

	if (len < hsize + (size_t) FREQUENCY_SLOT_SIZE * FREQUENCY_MIN_SLOTS)
		return ie_fail("truncated: %zu bytes, a state is at least %zu",
					len, hsize + (size_t) FREQUENCY_SLOT_SIZE * FREQUENCY_MIN_SLOTS);
	if ((len - hsize) % FREQUENCY_SLOT_SIZE != 0)
		return ie_fail("state of %zu bytes is not the %zu-byte header plus whole %d-byte slots",
					len, hsize, FREQUENCY_SLOT_SIZE);
	cap = slots_of_len(hsize, len);
	if (cap == 0)
		return ie_fail("state table of %zu slots is not a power of two in %d..%d",
					(len - hsize) / FREQUENCY_SLOT_SIZE,
					FREQUENCY_MIN_SLOTS, FREQUENCY_MAX_SLOTS);
	seed = hdr_seed(body);
	if (n > load_limit(cap))
		return ie_fail("state holds %u entries, more than the %u its %u slots allow",
					n, load_limit(cap), cap);
	if (theta != FREQUENCY_THETA_ONE && n < k)
		return ie_fail("a sampling state holds %u entries, fewer than k %u", n, k);
	mask = cap - 1;

	/* an empty slot to start from (one exists unless n is wrong) */
	for (e = 0; e < cap; e++)
		if (slot_count(slots, e) == 0)
			break;
	if (e == cap)
		return ie_fail("state table has no empty slot");

	prev_used = false;
	for (s = (uint64_t) e + 1; s <= (uint64_t) e + cap; s++)
	{
		uint32_t	i = (uint32_t) s & mask;
		uint64_t	h = slot_hash(slots, i);
		uint64_t	c = slot_count(slots, i);
		uint32_t	d;

		if (c == 0)
		{
			if (h != 0)
				return ie_fail("empty state slot %u has a nonzero hash", i);
			prev_used = false;
			continue;
		}
		if (h >= theta)
			return ie_fail("entry in slot %u is not below theta", i);
		d = (i - home_of(h, seed, mask)) & mask;
		if (!prev_used ? d != 0 :
			(d > prev_d + 1 || (d == prev_d + 1 && h <= prev_h)))
			return ie_fail("entry in slot %u is out of place (probe distance %u)", i, d);
		prev_used = true;
		prev_d = d;
		prev_h = h;
		occupied++;
		sum = sat_add(sum, c);
	}
	if (occupied != n)
		return ie_fail("state entry count %u does not match its %u occupied slots",
					n, occupied);
	return check_totals(theta, frequency_hdr_total(body), sum);
}

static const char *
validate(const uint8_t *body, size_t len, bool read_entries)
{
	uint32_t	k;

	if (body == NULL && len > 0)
		return ie_fail("frequency_sketch data is missing");
	if (len < FREQUENCY_HEADER_SIZE)
		return ie_fail("truncated: %zu bytes, the frequency_sketch header alone is %d",
					len, FREQUENCY_HEADER_SIZE);
	if (hdr_version(body) != FREQUENCY_FORMAT_VERSION)
		return ie_fail("frequency_sketch format version %u is not supported (expected %d)",
					hdr_version(body), FREQUENCY_FORMAT_VERSION);
	if (hdr_flags(body) != 0)
		return ie_fail("reserved flag bits set (flags 0x%02x)", hdr_flags(body));
	if (hdr_reserved(body) != 0)
		return ie_fail("reserved byte 3 is 0x%02x, not 0", hdr_reserved(body));
	k = hdr_k(body);
	if (!k_valid(k))
		return ie_fail("k %u is out of range (%d..%d)", k, FREQUENCY_MIN_K, FREQUENCY_MAX_K);
	switch (frequency_hdr_rep(body))
	{
		case FREQUENCY_REP_CANONICAL:
			/* an empty value's merge reads nothing: check it whole */
			if (!read_entries && frequency_hdr_total(body) != 0)
				return validate_canonical_header(body, len);
			return validate_canonical(body, len);
		case FREQUENCY_REP_STATE:
		case FREQUENCY_REP_KEYED_STATE:
			return validate_state(body, len);
		default:
			return ie_fail("representation %u is unknown", frequency_hdr_rep(body));
	}
}

const char *
frequency_validate(const uint8_t *body, size_t len)
{
	return validate(body, len, true);
}

const char *
frequency_validate_shallow(const uint8_t *body, size_t len)
{
	return validate(body, len, false);
}
