/*
 * fuzz_ops — the insert / merge / estimate paths driven by an op stream.
 *
 * The input is read as a header (precision, k, the number of parts, a
 * seed) and then a stream of ops, each adding one row to one of 2-3 parts
 * of one of the three types (reach hashes, frequency (hash, count) rows,
 * journey events with timestamps, touches and values taken from the
 * input).  Then, for each type, the properties the design promises are
 * asserted; abort() on a violation, so libFuzzer reports it:
 *
 *  - canonical bytes do not depend on insertion order or on how the rows
 *    were split into parts and merged (serial = shuffled = the parts
 *    merged left to right, right to left, into a fresh state, with some
 *    parts canonicalized first);
 *  - every value produced (states after regrow and merge, canonical
 *    forms) passes *_validate;
 *  - reach: adding a row twice or a subset again changes nothing, parts
 *    at mixed precisions fold to the lowest one;
 *  - frequency: the union sums counts (the total, and every retained
 *    user's count against a model of the rows), theta and the entries
 *    match the model, pre-aggregated rows give the same bytes, parts with
 *    different k follow the k rule;
 *  - journey: the canonical events equal the rows sorted by the
 *    documented order; attribution credits sum to the number of
 *    conversions (1e-9 relative) under every model.
 *
 * Bounds, so that the 20 s run of check.sh executes 20,000+ inputs (it
 * did 5,000-6,500 with 4,096 rows a type, precisions 4-18 uniform and
 * every check on every variant: an input cost 3-8 ms; libFuzzer's own
 * feature bookkeeping, which grows with what an input covers, takes a
 * fifth to a third on top).  Each bound keeps the paths and properties, not the volume:
 *  - at most 128 rows a type (MAX_ROWS_PER_TYPE; the rest of the input is
 *    ignored): enough for every representation change at the precisions
 *    used (sparse to dense at 2^p / 4 distinct hashes), for frequency's
 *    sampled mode at k up to 100 and for several journey regrows; the
 *    inputs of a bounded run (at most 20,000 bytes, the largest seed)
 *    held at most ~800 rows a type anyway, so k = 1000 stayed exact;
 *  - precisions 4-8 seven inputs in 8, 9-18 the eighth: a dense state,
 *    a fold or an hll round trip costs 2^p a pass, dozens of passes an
 *    input, and 2^p registers hold nothing the small ones do not (the
 *    codecs' size limits are the unit tests' business, test_reach_packed);
 *  - the serial build validates after each add while the state is at
 *    most 1 KB; the shuffled and part builds add the same rows again and
 *    validate at their end (every regrow and merge still validates);
 *  - variants that must equal the serial value compute its bytes only
 *    (canonical_bytes): equal bytes share the promises canonical()
 *    checked on the serial value (validates, idempotent, ...);
 *  - check_merges merges left to right every call and one more order
 *    (right to left, into a fresh state, canonical parts, a tree) chosen
 *    by the input's rng, and each input takes either the same-precision
 *    (same-k) parts or the mixed ones: every variant is still asserted,
 *    on a share of the inputs rather than on each;
 *  - attribution under two models with the input's windows and one with
 *    unbounded windows, by rng, each run to completion (at most 64 x 64
 *    rows), so the count and sum checks always apply.
 */
#include "fuzz_common.h"

#define MAX_PARTS 3
#define MAX_ROWS_PER_TYPE 128
/* c conversions and t touches, c + t <= 128: at most 64 x 64 rows */
#define MAX_ATTRIBUTION_ROWS 5000
/* the serial build validates after every add while the state is this small */
#define SERIAL_ADD_CHECK_MAX 1024

/* ---------------------------------------------------------------------
 * rows
 * --------------------------------------------------------------------- */

typedef struct ReachRow
{
	uint64_t	hash;
	int			part;
} ReachRow;

typedef struct FreqRow
{
	uint64_t	hash;
	uint64_t	count;
	int			part;
} FreqRow;

typedef struct JourneyRowIn
{
	int64_t		ts;
	JourneyKind kind;
	bool		has_touch;
	uint8_t		touch[16];		/* room for the longest pool string */
	size_t		touch_len;
	bool		has_value;
	double		value;
	int			part;
} JourneyRowIn;

typedef struct Ops
{
	int			nparts;
	int			reach_p;
	uint32_t	freq_k;
	uint64_t	seed;
	JourneyParams jparams;
	bool		reach_raw;		/* some reach hash came raw from the input */
	ReachRow   *reach;
	size_t		nreach;
	FreqRow    *freq;
	size_t		nfreq;
	JourneyRowIn *journey;
	size_t		njourney;
} Ops;

static const char *const touch_pool[5] = {"a", "b", "ab", "", "search/brand"};

static int64_t
small_ts(Cursor *c)
{
	return (int64_t) (int8_t) cur_u8(c) * 1000;
}

/*
 * Any timestamptz, from all 64 bits: PostgreSQL's finite range, or
 * -infinity / infinity (the journey core takes nothing else)
 */
static int64_t
any_ts(Cursor *c)
{
	uint64_t	u = cur_u64(c);
	uint64_t	span = (uint64_t) JOURNEY_TS_END - (uint64_t) JOURNEY_TS_MIN;

	if ((u & 63) == 0)
		return (u & 64) ? JOURNEY_TS_NOEND : JOURNEY_TS_NOBEGIN;
	return (int64_t) ((uint64_t) JOURNEY_TS_MIN + u % span);
}

static void
parse(Ops *ops, const uint8_t *data, size_t size)
{
	Cursor		c = {data, size};
	static const uint32_t ks[8] = {16, 17, 20, 32, 64, 100, 1000, 16};
	uint8_t		b;
	size_t		rows;

	memset(ops, 0, sizeof(*ops));
	/* precisions 4-8 seven inputs in 8, 9-18 the eighth (see the top) */
	b = cur_u8(&c);
	ops->reach_p = (b & 0xE0) == 0xE0 ? 9 + b % 10 : REACH_MIN_PRECISION + b % 5;
	ops->freq_k = ks[cur_u8(&c) % 8];
	b = cur_u8(&c);
	ops->nparts = 2 + b % 2;
	ops->seed = cur_u64(&c);
	ops->jparams.model = JOURNEY_LINEAR;
	ops->jparams.click_window = (int64_t) cur_u16(&c) * 100;
	ops->jparams.view_window = (int64_t) cur_u16(&c) * 100;
	ops->jparams.engaged_window = (int64_t) cur_u16(&c) * 100;
	ops->jparams.half_life = 1 + (int64_t) cur_u16(&c) * 10;
	/* an op takes at least a byte: no more rows than the bytes left */
	rows = c.n < MAX_ROWS_PER_TYPE ? c.n : MAX_ROWS_PER_TYPE;
	ops->reach = xmalloc(sizeof(ReachRow) * rows);
	ops->freq = xmalloc(sizeof(FreqRow) * rows);
	ops->journey = xmalloc(sizeof(JourneyRowIn) * rows);

	while (!cur_empty(&c))
	{
		uint8_t		op = cur_u8(&c);
		int			type = op % 3;
		int			part = (op >> 2) % ops->nparts;
		unsigned	bits = op >> 4;

		if (type == 0 && ops->nreach < MAX_ROWS_PER_TYPE)
		{
			ReachRow   *r = &ops->reach[ops->nreach++];

			r->part = part;
			if (bits & 1)
			{
				r->hash = cur_u64(&c);
				ops->reach_raw = true;
			}
			else
				r->hash = ie_hash_int64((bits & 2) ? cur_u16(&c) : cur_u8(&c));
		}
		else if (type == 1 && ops->nfreq < MAX_ROWS_PER_TYPE)
		{
			FreqRow    *r = &ops->freq[ops->nfreq++];

			r->part = part;
			if (bits & 1)
				r->hash = (bits & 8) ? UINT64_MAX - (cur_u8(&c) & 1) : cur_u64(&c);
			else
				r->hash = ie_hash_int64((bits & 2) ? cur_u16(&c) : cur_u8(&c));
			r->count = (bits & 4) ? cur_u64(&c) : cur_u8(&c) % 5;
		}
		else if (type == 2 && ops->njourney < MAX_ROWS_PER_TYPE)
		{
			JourneyRowIn *r = &ops->journey[ops->njourney++];
			uint8_t		t = cur_u8(&c);

			r->part = part;
			r->ts = (bits & 1) ? any_ts(&c) : small_ts(&c);
			r->kind = (JourneyKind) ((bits >> 1) % 4);
			r->has_touch = (t & 7) != 5;
			if ((t & 7) < 5)
			{
				r->touch_len = strlen(touch_pool[t & 7]);
				memcpy(r->touch, touch_pool[t & 7], r->touch_len);
			}
			else if ((t & 7) > 5)
			{
				size_t		i;

				r->touch_len = (t >> 3) % 9;
				for (i = 0; i < r->touch_len; i++)
					r->touch[i] = cur_u8(&c);
			}
			else
				r->touch_len = 0;
			r->has_value = (t >> 7) & 1;
			if (bits & 8)
			{
				uint64_t	vb = cur_u64(&c);

				memcpy(&r->value, &vb, 8);
			}
			else
				r->value = (double) (int8_t) cur_u8(&c) / 4;
		}
		else
			(void) cur_u8(&c);
	}
}

static void
free_ops(Ops *ops)
{
	free(ops->reach);
	free(ops->freq);
	free(ops->journey);
}

/*
 * The canonical bytes of a value that must equal one canonical() has
 * checked (the serial value): equal bytes share every promise it checks
 * (validates, idempotent, ...), so the variants compute the bytes only,
 * and a difference fails anyway.
 */
static Buf
canonical_bytes(const IeSketchType *t, const Buf *s)
{
	return canonicalize_exact(t, s, true);
}

/* the first part in order becomes the state (a copy, as union_agg does) */
static Buf
merge_in_order(const IeSketchType *t, Buf *parts, int n, const size_t *order)
{
	Buf			acc = buf_copy(&parts[order[0]]);
	Buf			c;
	int			i;

	for (i = 1; i < n; i++)
		merge_value(t, &acc, &parts[order[i]]);
	c = canonical_bytes(t, &acc);
	buf_free(&acc);
	return c;
}

static Buf
merge_into(const IeSketchType *t, Buf st, Buf *parts, int n, const size_t *order)
{
	Buf			c;
	int			i;

	for (i = 0; i < n; i++)
		merge_value(t, &st, &parts[order[i]]);
	c = canonical_bytes(t, &st);
	buf_free(&st);
	return c;
}

/* three parts as a tree: (p1 || p2), canonical, then into p0 */
static Buf
merge_tree(const IeSketchType *t, Buf *parts, const size_t *order)
{
	Buf			s = buf_copy(&parts[order[1]]);
	Buf			sc;
	Buf			c;

	merge_value(t, &s, &parts[order[2]]);
	sc = canonical(t, &s);
	buf_free(&s);
	s = buf_copy(&parts[order[0]]);
	merge_value(t, &s, &sc);
	c = canonical_bytes(t, &s);
	buf_free(&s);
	buf_free(&sc);
	return c;
}

/*
 * The parts merged left to right equal want (the serial value); so does
 * one more order a call, chosen by rng: right to left, shuffled into a
 * fresh state, some parts canonicalized first (stored values), or (three
 * parts) a tree (p1 || p2) into p0.  Every order is a few merges and a
 * canonicalization of the same rows: one a call and the rng varying with
 * the input cover them all, at a third of the cost of all of them each
 * input.
 */
static void
check_merges(const IeSketchType *t, const char *what, const Buf *want, Buf *parts, int n,
			 Buf fresh, uint64_t *rng)
{
	size_t		order[MAX_PARTS];
	size_t	   *perm = permutation((size_t) n, rng);
	Buf			got;
	Buf			canon_parts[MAX_PARTS];
	int			i;
	int			merge_variant;

	for (i = 0; i < n; i++)
		order[i] = (size_t) i;
	got = merge_in_order(t, parts, n, order);
	if (!buf_eq(&got, want))
	{
		hexdump_head("serial", want);
		hexdump_head("merged", &got);
		FUZZ_FAIL("%s: parts merged left to right != serial", what);
	}
	buf_free(&got);
	merge_variant = (int) (splitmix64(rng) % (n == 3 ? 4 : 3));
	switch (merge_variant)
	{
		case 0:
			for (i = 0; i < n; i++)
				order[i] = (size_t) (n - 1 - i);
			got = merge_in_order(t, parts, n, order);
			FUZZ_ASSERT(buf_eq(&got, want), "%s: parts merged right to left != serial", what);
			break;
		case 1:
			got = merge_into(t, fresh, parts, n, perm);
			fresh.b = NULL;
			FUZZ_ASSERT(buf_eq(&got, want), "%s: parts merged into a fresh state != serial", what);
			break;
		default:
			/* canonical parts (stored values), some of them */
			for (i = 0; i < n; i++)
				canon_parts[i] = (splitmix64(rng) & 1) ? canonical(t, &parts[i]) : buf_copy(&parts[i]);
			got = merge_variant == 2 ? merge_in_order(t, canon_parts, n, perm) :
				merge_tree(t, canon_parts, perm);
			FUZZ_ASSERT(buf_eq(&got, want), "%s: canonical parts merged %s != serial", what,
						merge_variant == 2 ? "in order" : "as a tree");
			for (i = 0; i < n; i++)
				buf_free(&canon_parts[i]);
			break;
	}
	buf_free(&got);
	buf_free(&fresh);
	free(perm);
}

/*
 * The serial build (every row, in input order) validates the state after
 * each add while it is small; the other builds add the same rows again
 * (shuffled, split into parts) and are validated at their end, after
 * every regrow and merge.
 */
static void
begin_build(const size_t *order, int part)
{
	fuzz_add_check_max = order == NULL && part < 0 ? SERIAL_ADD_CHECK_MAX : 0;
}

static void
end_build(void)
{
	fuzz_add_check_max = FUZZ_CHEAP_VALIDATE;
}

/* ---------------------------------------------------------------------
 * reach
 * --------------------------------------------------------------------- */

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a;
	uint64_t	y = *(const uint64_t *) b;

	return x < y ? -1 : x > y;
}

static Buf
reach_build(int p, const ReachRow *rows, size_t n, const size_t *order, int part)
{
	Buf			st = reach_new_state(p);
	size_t		i;

	begin_build(order, part);
	for (i = 0; i < n; i++)
	{
		const ReachRow *r = &rows[order ? order[i] : i];

		if (part < 0 || r->part == part)
			reach_add(&st, r->hash);
	}
	end_build();
	must_validate(&reach_sketch_type, &st, "built reach state");
	return st;
}

static void
check_reach(const Ops *ops, uint64_t *rng)
{
	int			p = ops->reach_p;
	size_t		n = ops->nreach;
	Buf			st = reach_build(p, ops->reach, n, NULL, -1);
	Buf			serial = canonical(&reach_sketch_type, &st);
	Buf			parts[MAX_PARTS];
	size_t	   *perm = permutation(n, rng);
	Buf			t;
	Buf			u;
	int			i;
	int			q;
	bool		mixed;
	double		est = reach_estimate(serial.b, serial.len);

	FUZZ_ASSERT(est >= 0, "reach estimate %g", est);

	/* shuffled */
	buf_free(&st);
	st = reach_build(p, ops->reach, n, perm, -1);
	t = canonical_bytes(&reach_sketch_type, &st);
	FUZZ_ASSERT(buf_eq(&t, &serial), "reach: shuffled rows != serial");
	/* every row again: nothing changes */
	for (i = 0; i < (int) n; i++)
		reach_add(&st, ops->reach[i].hash);
	u = canonical_bytes(&reach_sketch_type, &st);
	FUZZ_ASSERT(buf_eq(&u, &serial), "reach: adding the rows twice changed the sketch");
	buf_free(&u);
	buf_free(&t);
	buf_free(&st);

	/*
	 * the parts at the serial precision, or at mixed ones (folding to the
	 * lowest): one of the two an input, by rng, as check_merges does
	 */
	mixed = splitmix64(rng) & 1;
	if (!mixed)
	{
		for (i = 0; i < ops->nparts; i++)
			parts[i] = reach_build(p, ops->reach, n, perm, i);
		check_merges(&reach_sketch_type, "reach", &serial, parts, ops->nparts,
					 reach_new_state(REACH_MAX_PRECISION), rng);
		/* a subset again */
		t = buf_copy(&serial);
		merge_value(&reach_sketch_type, &t, &parts[0]);
		u = canonical_bytes(&reach_sketch_type, &t);
		FUZZ_ASSERT(buf_eq(&u, &serial), "reach: serial || part != serial");
		buf_free(&u);
		buf_free(&t);
		for (i = 0; i < ops->nparts; i++)
			buf_free(&parts[i]);
	}

	/* the distinct count, for a sparse result of well-spread hashes */
	if (!ops->reach_raw && serial.b[2] == REACH_REP_SPARSE)
	{
		uint64_t   *h = xmalloc(8 * (n ? n : 1));
		size_t		d = 0;
		size_t		j;

		for (j = 0; j < n; j++)
			h[j] = ops->reach[j].hash;
		qsort(h, n, 8, cmp_u64);
		for (j = 0; j < n; j++)
			if (j == 0 || h[j] != h[j - 1])
				d++;
		FUZZ_ASSERT(fabs(est - (double) d) <= 0.01 * (double) d + 2,
					"sparse estimate %g for %zu distinct hashes", est, d);
		free(h);
	}

	if (mixed)
	{
		/* mixed precisions fold to the lowest */
		q = REACH_MAX_PRECISION;
		for (i = 0; i < ops->nparts; i++)
		{
			int			pi = REACH_MIN_PRECISION + (int) (splitmix64(rng) % (uint64_t) (p - 3));

			parts[i] = reach_build(pi, ops->reach, n, perm, i);
			if (pi < q)
				q = pi;
		}
		st = reach_build(q, ops->reach, n, NULL, -1);
		t = canonical(&reach_sketch_type, &st);
		buf_free(&st);
		check_merges(&reach_sketch_type, "reach (mixed precisions)", &t, parts, ops->nparts,
					 reach_new_state(REACH_MAX_PRECISION), rng);
		/* folding the serial sketch gives the same */
		st = reach_new_state(q);
		merge_value(&reach_sketch_type, &st, &serial);
		u = canonical_bytes(&reach_sketch_type, &st);
		FUZZ_ASSERT(buf_eq(&u, &t), "reach: serial folded to p=%d != built at p=%d", q, q);
		buf_free(&u);
		buf_free(&st);
		buf_free(&t);
		for (i = 0; i < ops->nparts; i++)
			buf_free(&parts[i]);
	}

	/* export */
	t = reach_hll_export(&serial, 0);
	if (t.len > 0)
	{
		u = reach_hll_import(&t);
		buf_free(&u);
	}
	buf_free(&t);

	free(perm);
	buf_free(&serial);
}

/* ---------------------------------------------------------------------
 * frequency
 * --------------------------------------------------------------------- */

typedef struct UserCount
{
	uint64_t	hash;
	uint64_t	count;
} UserCount;

static int
cmp_user(const void *a, const void *b)
{
	return cmp_u64(&((const UserCount *) a)->hash, &((const UserCount *) b)->hash);
}

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static Buf
freq_build(uint32_t k, const FreqRow *rows, size_t n, const size_t *order, int part)
{
	Buf			st = freq_new_state(k);
	size_t		i;

	begin_build(order, part);
	for (i = 0; i < n; i++)
	{
		const FreqRow *r = &rows[order ? order[i] : i];

		if (part < 0 || r->part == part)
			freq_add(&st, r->hash, r->count);
	}
	end_build();
	must_validate(&frequency_sketch_type, &st, "built frequency state");
	return st;
}

/* checked: canonical(), else canonical_bytes() (a variant of a checked value) */
static Buf
freq_built_canon(uint32_t k, const FreqRow *rows, size_t n, const size_t *order, int part,
				 bool checked)
{
	Buf			st = freq_build(k, rows, n, order, part);
	Buf			c = checked ? canonical(&frequency_sketch_type, &st) :
		canonical_bytes(&frequency_sketch_type, &st);

	buf_free(&st);
	return c;
}

/* the users (count > 0), aggregated and sorted by hash */
static size_t
freq_model(const FreqRow *rows, size_t n, UserCount *users, uint64_t *total)
{
	size_t		i;
	size_t		d = 0;

	*total = 0;
	for (i = 0; i < n; i++)
	{
		*total = sat_add(*total, rows[i].count);
		if (rows[i].count == 0)
			continue;
		users[d].hash = rows[i].hash == UINT64_MAX ? UINT64_MAX - 1 : rows[i].hash;
		users[d].count = rows[i].count;
		d++;
	}
	qsort(users, d, sizeof(UserCount), cmp_user);
	n = d;
	d = 0;
	for (i = 0; i < n; i++)
	{
		if (d > 0 && users[d - 1].hash == users[i].hash)
			users[d - 1].count = sat_add(users[d - 1].count, users[i].count);
		else
			users[d++] = users[i];
	}
	return d;
}

/* the canonical value against the model of the rows */
static void
freq_check_model(const Buf *c, uint32_t k, const UserCount *users, size_t d, uint64_t total)
{
	FrequencyInfo info;
	size_t		m = d < k ? d : k;
	double		tf;
	uint64_t	thresholds[5] = {2, 3, 4, 7, UINT64_MAX};
	int			i;

	frequency_get_info(c->b, c->len, &info);
	FUZZ_ASSERT(info.k == k, "k %u, expected %u", info.k, k);
	FUZZ_ASSERT(info.impressions == total, "total %llu, rows sum to %llu",
				(unsigned long long) info.impressions, (unsigned long long) total);
	FUZZ_ASSERT(info.entries == m, "%u entries, expected %zu", info.entries, m);
	if (d <= k)
		FUZZ_ASSERT(info.exact && info.theta == FREQUENCY_THETA_ONE && info.reach == (double) d,
					"exact mode expected: theta %llx reach %g for %zu users",
					(unsigned long long) info.theta, info.reach, d);
	else
		FUZZ_ASSERT(!info.exact && info.theta == users[k].hash,
					"theta %llx, expected the (k+1)-th smallest hash %llx",
					(unsigned long long) info.theta, (unsigned long long) users[k].hash);
	tf = frequency_theta_fraction(c->b, c->len);
	for (i = 0; i < 5; i++)
	{
		size_t		cnt = 0;
		size_t		j;
		double		want;
		double		got = frequency_reach_at_least(c->b, c->len, thresholds[i]);

		for (j = 0; j < m; j++)
			if (users[j].count >= thresholds[i])
				cnt++;
		want = tf == 1 ? (double) cnt : (double) cnt / tf;
		FUZZ_ASSERT(fabs(got - want) <= 1e-12 * want,
					"reach_at_least(%llu) %.17g, model %.17g (%zu users)",
					(unsigned long long) thresholds[i], got, want, cnt);
	}
	{
		FrequencyBucket hist[8];
		uint64_t	per[8] = {0};
		size_t		j;

		FUZZ_ASSERT(frequency_histogram(c->b, c->len, 8, hist), "histogram refused");
		for (j = 0; j < m; j++)
			per[(users[j].count < 8 ? users[j].count : 8) - 1]++;
		for (j = 0; j < 8; j++)
			FUZZ_ASSERT(hist[j].users == per[j], "histogram bucket %zu: %llu users, model %llu",
						j, (unsigned long long) hist[j].users, (unsigned long long) per[j]);
	}
}

static void
check_frequency(const Ops *ops, uint64_t *rng)
{
	uint32_t	k = ops->freq_k;
	size_t		n = ops->nfreq;
	Buf			serial = freq_built_canon(k, ops->freq, n, NULL, -1, true);
	Buf			parts[MAX_PARTS];
	size_t	   *perm = permutation(n, rng);
	UserCount  *users = xmalloc(sizeof(UserCount) * (n ? n : 1));
	uint64_t	total;
	size_t		d = freq_model(ops->freq, n, users, &total);
	Buf			t;
	Buf			st;
	int			i;
	uint32_t	kmin;
	bool		any_nonempty = false;

	freq_check_model(&serial, k, users, d, total);

	/* shuffled */
	t = freq_built_canon(k, ops->freq, n, perm, -1, false);
	FUZZ_ASSERT(buf_eq(&t, &serial), "frequency: shuffled rows != serial");
	buf_free(&t);

	/* pre-aggregated: one row per user with its summed count */
	st = freq_new_state(k);
	for (i = 0; i < (int) d; i++)
		freq_add(&st, users[i].hash, users[i].count);
	{
		/* the rows' total includes the users' counts only: the same */
		t = canonical_bytes(&frequency_sketch_type, &st);
		FUZZ_ASSERT(buf_eq(&t, &serial), "frequency: pre-aggregated rows != serial");
		buf_free(&t);
	}
	buf_free(&st);

	/* the parts at mixed k or at the serial k: one of the two an input */
	if (splitmix64(rng) & 1)
	{
		/* parts with different k: the smallest k of the non-empty parts */
		kmin = UINT32_MAX;
		{
			uint32_t	kall = UINT32_MAX;
			uint32_t	kpart[MAX_PARTS];

			for (i = 0; i < ops->nparts; i++)
			{
				static const uint32_t kc[4] = {16, 24, 64, 512};

				kpart[i] = kc[splitmix64(rng) % 4];
				parts[i] = freq_build(kpart[i], ops->freq, n, perm, i);
				if (frequency_impressions(parts[i].b, parts[i].len) != 0)
				{
					any_nonempty = true;
					if (kpart[i] < kmin)
						kmin = kpart[i];
				}
				if (kpart[i] < kall)
					kall = kpart[i];
			}
			if (!any_nonempty)
				kmin = kall;
		}
		t = freq_built_canon(kmin, ops->freq, n, NULL, -1, true);
		freq_check_model(&t, kmin, users, d, total);
		check_merges(&frequency_sketch_type, "frequency (mixed k)", &t, parts, ops->nparts,
					 freq_new_state(FREQUENCY_MAX_K), rng);
		buf_free(&t);
		for (i = 0; i < ops->nparts; i++)
			buf_free(&parts[i]);
	}
	else
	{
		for (i = 0; i < ops->nparts; i++)
			parts[i] = freq_build(k, ops->freq, n, perm, i);
		check_merges(&frequency_sketch_type, "frequency", &serial, parts, ops->nparts,
					 freq_new_state(FREQUENCY_MAX_K), rng);
		for (i = 0; i < ops->nparts; i++)
			buf_free(&parts[i]);
	}

	/* set operations of the serial sketch with a part's sketch */
	t = freq_built_canon(k, ops->freq, n, NULL, 0, true);
	{
		double		r = frequency_reach(serial.b, serial.len);
		double		in = frequency_intersection(serial.b, serial.len, t.b, t.len);
		double		df = frequency_difference(serial.b, serial.len, t.b, t.len);

		FUZZ_ASSERT(in >= 0 && df >= 0 && in == frequency_intersection(t.b, t.len, serial.b, serial.len),
					"set operations %g %g", in, df);
		/* the part is a subset: its users below the serial theta are all in it */
		if (frequency_theta_fraction(serial.b, serial.len) == 1)
			FUZZ_ASSERT(fabs(in + df - r) <= 1e-9 * (r + 1),
						"exact: intersection %g + difference %g != reach %g", in, df, r);
	}
	buf_free(&t);

	free(users);
	free(perm);
	buf_free(&serial);
}

/* ---------------------------------------------------------------------
 * journey
 * --------------------------------------------------------------------- */

static uint64_t
norm_bits(double v)
{
	uint64_t	b;

	if (isnan(v))
		return JOURNEY_NAN_BITS;
	if (v == 0)
		return 0;
	memcpy(&b, &v, 8);
	return b;
}

/* the documented canonical order (values normalised, conversions only) */
/* docs/FORMAT.md's order of kinds at equal times, by kind code */
static const int kind_order[] = {[JOURNEY_IMPRESSION] = 0, [JOURNEY_ENGAGED_VIEW] = 1,
[JOURNEY_CLICK] = 2, [JOURNEY_CONVERSION] = 3};

static int
cmp_jrow(const void *pa, const void *pb)
{
	const JourneyRowIn *a = pa;
	const JourneyRowIn *b = pb;
	bool		av = a->has_value && a->kind == JOURNEY_CONVERSION;
	bool		bv = b->has_value && b->kind == JOURNEY_CONVERSION;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	if (a->kind != b->kind)
		return kind_order[a->kind] < kind_order[b->kind] ? -1 : 1;
	if (a->has_touch != b->has_touch)
		return a->has_touch ? 1 : -1;
	if (a->has_touch)
	{
		size_t		m = a->touch_len < b->touch_len ? a->touch_len : b->touch_len;
		int			c = m ? memcmp(a->touch, b->touch, m) : 0;

		if (c != 0)
			return c;
		if (a->touch_len != b->touch_len)
			return a->touch_len < b->touch_len ? -1 : 1;
	}
	if (av != bv)
		return av ? 1 : -1;
	if (av)
	{
		double		x = a->value;
		double		y = b->value;

		if (isnan(x) || isnan(y))
			return isnan(x) == isnan(y) ? 0 : (isnan(x) ? 1 : -1);
		return x < y ? -1 : (x > y ? 1 : 0);
	}
	return 0;
}

static Buf
journey_build(const JourneyRowIn *rows, size_t n, const size_t *order, int part)
{
	Buf			st = new_state(&journey_type);
	size_t		i;

	begin_build(order, part);
	for (i = 0; i < n; i++)
	{
		const JourneyRowIn *r = &rows[order ? order[i] : i];

		if (part < 0 || r->part == part)
			journey_add(&st, r->ts, r->kind, r->has_touch ? r->touch : NULL,
						r->touch_len, r->has_value, r->value);
	}
	end_build();
	must_validate(&journey_type, &st, "built journey state");
	return st;
}

/* checked: canonical(), else canonical_bytes() (a variant of a checked value) */
static Buf
journey_built_canon(const JourneyRowIn *rows, size_t n, const size_t *order, int part,
					bool checked)
{
	Buf			st = journey_build(rows, n, order, part);
	Buf			c = checked ? canonical(&journey_type, &st) : canonical_bytes(&journey_type, &st);

	buf_free(&st);
	return c;
}

static void
check_attribution_model(const Buf *c, JourneyParams p, int model, bool unbounded)
{
	p.model = (JourneyModel) model;
	if (unbounded)
	{
		p.click_window = INT64_MAX;
		p.view_window = INT64_MAX;
		p.engaged_window = INT64_MAX;
	}
	FUZZ_ASSERT(journey_params_check(&p) == NULL, "params refused");
	(void) journey_check_attribution(c, &p, MAX_ATTRIBUTION_ROWS);
}

static void
check_journey(const Ops *ops, uint64_t *rng)
{
	size_t		n = ops->njourney;
	Buf			serial = journey_built_canon(ops->journey, n, NULL, -1, true);
	Buf			parts[MAX_PARTS];
	size_t	   *perm = permutation(n, rng);
	JourneyRowIn *sorted = xmalloc(sizeof(JourneyRowIn) * (n ? n : 1));
	JourneyInfo info;
	JourneyEvent *events;
	uint32_t	nev;
	Buf			t;
	size_t		i;
	uint32_t	conversions = 0;
	uint32_t	values = 0;
	int			m;

	/* the canonical events are the rows in the documented order */
	if (n > 0)
		memcpy(sorted, ops->journey, sizeof(JourneyRowIn) * n);
	qsort(sorted, n, sizeof(JourneyRowIn), cmp_jrow);
	journey_get_info(serial.b, serial.len, &info);
	FUZZ_ASSERT(info.events == n, "journey has %u events, %zu rows", info.events, n);
	events = journey_all_events(&serial, &nev);
	for (i = 0; i < n; i++)
	{
		JourneyEvent ev = events[i];
		const JourneyRowIn *r = &sorted[i];
		bool		hv = r->has_value && r->kind == JOURNEY_CONVERSION;

		if (ev.ts != r->ts || ev.kind != r->kind || ev.has_value != hv ||
			(hv && norm_bits(ev.value) != norm_bits(r->value)) ||
			(hv && journey_value_bits(ev.value) != norm_bits(r->value)) ||
			(ev.touch != NULL) != r->has_touch ||
			(r->has_touch && (ev.touch_len != r->touch_len ||
							  (r->touch_len && memcmp(ev.touch, r->touch, r->touch_len) != 0))))
			FUZZ_FAIL("journey event %zu differs from the sorted rows (ts %lld/%lld kind %d/%d)",
					  i, (long long) ev.ts, (long long) r->ts, (int) ev.kind, (int) r->kind);
		conversions += r->kind == JOURNEY_CONVERSION;
		values += hv;
	}
	free(events);
	FUZZ_ASSERT(info.conversions == conversions && info.values == values,
				"journey info: %u conversions %u values, rows %u %u",
				info.conversions, info.values, conversions, values);

	/* shuffled */
	t = journey_built_canon(ops->journey, n, perm, -1, false);
	FUZZ_ASSERT(buf_eq(&t, &serial), "journey: shuffled rows != serial");
	buf_free(&t);

	/* the parts */
	for (i = 0; i < (size_t) ops->nparts; i++)
		parts[i] = journey_build(ops->journey, n, perm, (int) i);
	check_merges(&journey_type, "journey", &serial, parts, ops->nparts,
				 new_state(&journey_type), rng);
	for (i = 0; i < (size_t) ops->nparts; i++)
		buf_free(&parts[i]);

	/*
	 * attribution: credits sum to the conversions; two models an input
	 * with the input's windows, one with unbounded windows (every earlier
	 * touch qualifies: the most rows), the models by rng
	 */
	m = JOURNEY_LAST_TOUCH + (int) (splitmix64(rng) % 5);
	check_attribution_model(&serial, ops->jparams, m, false);
	check_attribution_model(&serial, ops->jparams,
							JOURNEY_LAST_TOUCH + (m + 1 + (int) (splitmix64(rng) % 4)) % 5, false);
	check_attribution_model(&serial, ops->jparams,
							JOURNEY_LAST_TOUCH + (int) (splitmix64(rng) % 5), true);

	free(sorted);
	free(perm);
	buf_free(&serial);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Ops			ops;
	uint64_t	rng;

	parse(&ops, data, size);
	rng = ops.seed;
	reset_seeds(ops.seed);
	check_reach(&ops, &rng);
	check_frequency(&ops, &rng);
	check_journey(&ops, &rng);
	free_ops(&ops);
	return 0;
}
