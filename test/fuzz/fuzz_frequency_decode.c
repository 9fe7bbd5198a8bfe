/*
 * fuzz_frequency_decode — arbitrary bytes as a frequency_sketch body.
 *
 * A body that frequency_validate accepts (either representation) is used
 * in every way the SQL functions use a decoded value: info, canonicalize,
 * reach, reach_at_least, average, the histogram, intersection and
 * difference with itself and with a small sketch, union (as the first
 * state, as a merge source, into fresh states of other k, and through the
 * sorted union) and adds, with
 * the promises of frequency_core.h checked on the way; and the planning
 * readers (frequency caps, the bins and both reach-curve models).
 */
#include "fuzz_common.h"

#include "reach_curve.h"

#define MAX_HIST 24

static uint64_t
sat_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* a small canonical sketch: n users from base, counts from the seed */
static Buf
small_sketch(uint32_t k, uint64_t base, unsigned n, uint64_t seed)
{
	Buf			st = freq_new_state(k);
	Buf			c;
	unsigned	i;

	for (i = 0; i < n; i++)
		freq_add(&st, ie_hash_int64((int64_t) (base + i)), 1 + (splitmix64(&seed) % 4));
	c = canonical(&frequency_sketch_type, &st);
	buf_free(&st);
	return c;
}

static void
check_info(const Buf *v)
{
	FrequencyInfo info;
	uint64_t	theta = ie_get64(v->b + 12);

	frequency_get_info(v->b, v->len, &info);
	FUZZ_ASSERT(info.version == FREQUENCY_FORMAT_VERSION &&
				info.representation == v->b[1] && info.representation_name != NULL &&
				info.k == ie_get32(v->b + 4) && info.entries == ie_get32(v->b + 8) &&
				info.theta == theta && info.exact == (theta == FREQUENCY_THETA_ONE) &&
				info.mode_name != NULL &&
				info.impressions == ie_get64(v->b + 20) && info.bytes == v->len,
				"frequency_get_info disagrees with the header");
	FUZZ_ASSERT(info.theta_fraction > 0 && info.theta_fraction <= 1,
				"theta fraction %g", info.theta_fraction);
	if (v->b[1] == FREQUENCY_REP_STATE || v->b[1] == FREQUENCY_REP_KEYED_STATE)
		FUZZ_ASSERT(info.slots == (v->len - (v->b[1] == FREQUENCY_REP_STATE ? FREQUENCY_HEADER_SIZE :
											 FREQUENCY_KEYED_HEADER_SIZE)) / FREQUENCY_SLOT_SIZE &&
					info.reach == -1 && info.relative_standard_error == -1,
					"state info: slots %u reach %g", info.slots, info.reach);
	else
		FUZZ_ASSERT(info.slots == 0 && info.reach >= 0 && isfinite(info.reach) &&
					info.relative_standard_error >= 0 &&
					(!info.exact || info.relative_standard_error == 0),
					"canonical info: slots %u reach %g rse %g", info.slots, info.reach,
					info.relative_standard_error);
}

/*
 * The Gamma-Poisson fit reads every bin a few hundred times: fitted only
 * for values with at most this many distinct counts, so that one input
 * stays cheap (the bins, the excess and goerg are checked on every value).
 */
#define MAX_FIT_BINS 64

/* frequency caps and reach curves of a canonical value */
static void
check_planning(const Buf *c, uint64_t seed)
{
	double		r = frequency_reach(c->b, c->len);
	uint64_t	imp = frequency_impressions(c->b, c->len);
	uint32_t	n = ie_get32(c->b + 8);
	ReachCurveBin *bins = malloc(sizeof(ReachCurveBin) * ((size_t) n + 1));
	size_t		nb = frequency_count_bins(c->b, c->len, bins, (size_t) n + 1);
	double		people = 0;
	double		prev = INFINITY;
	uint64_t	caps[5] = {0, 1, 2, 3 + seed % 64, UINT64_MAX};	/* increasing */
	double		rho;
	GammaPoissonFit fit;
	ReachCurveStatus st;
	size_t		i;

	FUZZ_ASSERT(nb <= n, "%zu bins from %u entries", nb, n);
	FUZZ_ASSERT(n == 0 || frequency_count_bins(c->b, c->len, bins, n - 1) == SIZE_MAX,
				"a short bin buffer accepted");
	nb = frequency_count_bins(c->b, c->len, bins, (size_t) n + 1);
	for (i = 0; i < nb; i++)
	{
		FUZZ_ASSERT(bins[i].frequency >= 1 && bins[i].people > 0 &&
					(i == 0 || bins[i].frequency > bins[i - 1].frequency),
					"bin %zu: frequency %llu people %g", i,
					(unsigned long long) bins[i].frequency, bins[i].people);
		people += bins[i].people;
	}
	FUZZ_ASSERT(fabs(people - r) <= 1e-9 * r, "bins hold %g people, reach %g", people, r);
	for (i = 0; i < 5; i++)
	{
		double		x = frequency_excess(c->b, c->len, caps[i]);

		FUZZ_ASSERT(x >= 0 && isfinite(x) && x <= prev, "excess over %llu: %.17g, before %.17g",
					(unsigned long long) caps[i], x, prev);
		prev = x;
	}
	FUZZ_ASSERT(prev == 0, "excess over UINT64_MAX %g", prev);

	st = goerg_rho((double) imp, r, &rho);
	FUZZ_ASSERT(st == (r == 0 ? REACH_CURVE_EMPTY : (double) imp <= r ? REACH_CURVE_NO_REPEATS : REACH_CURVE_OK),
				"goerg status %d for I %llu R %g", (int) st, (unsigned long long) imp, r);
	if (st == REACH_CURVE_OK)
		for (i = 0; i < 4; i++)
		{
			double		x = goerg_reach_at_least(rho, (double) imp * (double) i / 2, 1 + i);

			FUZZ_ASSERT(x >= 0 && isfinite(x), "goerg curve %g", x);
		}

	if (nb <= MAX_FIT_BINS)
	{
		st = gamma_poisson_fit(bins, nb, r, &fit);
		FUZZ_ASSERT(st == (r == 0 ? REACH_CURVE_EMPTY :
						   nb == 1 && bins[0].frequency == 1 ? REACH_CURVE_NO_REPEATS : REACH_CURVE_OK),
					"gamma_poisson status %d, %zu bins", (int) st, nb);
		if (st == REACH_CURVE_OK)
		{
			double		at1 = gamma_poisson_reach_at_least(&fit, 1, 1);

			FUZZ_ASSERT(fit.shape > 0 && isfinite(fit.shape) && fit.scale > 0 && isfinite(fit.scale) &&
						fit.universe >= r * (1 - 1e-9) && isfinite(fit.universe),
						"fit shape %g scale %g universe %g (reach %g)", fit.shape, fit.scale,
						fit.universe, r);
			FUZZ_ASSERT(fabs(at1 - r) <= 1e-9 * r, "gamma_poisson at 1x %g, reach %g", at1, r);
			prev = 0;
			for (i = 0; i < 4; i++)
			{
				double		x = gamma_poisson_reach_at_least(&fit, (double) i / 2, 1);
				double		x3 = gamma_poisson_reach_at_least(&fit, (double) i / 2, 3);

				FUZZ_ASSERT(x >= prev && isfinite(x) && x3 >= 0 && x3 <= x * (1 + 1e-9),
							"gamma_poisson curve at %zu/2: %g (3+: %g)", i, x, x3);
				prev = x;
			}
		}
	}
	free(bins);
}

/* estimates of a canonical value */
static void
check_estimates(const Buf *c, uint64_t seed)
{
	double		r = frequency_reach(c->b, c->len);
	double		tf = frequency_theta_fraction(c->b, c->len);
	double		avg = frequency_average(c->b, c->len);
	uint32_t	n = ie_get32(c->b + 8);
	FrequencyBucket hist[MAX_HIST];
	uint32_t	maxf = 1 + (uint32_t) (seed % MAX_HIST);
	uint64_t	thresholds[6];
	double		prev = r;
	int64_t		sum_rounded = 0;
	uint64_t	sum_users = 0;
	uint32_t	i;

	FUZZ_ASSERT(r >= 0 && isfinite(r), "reach %g", r);
	FUZZ_ASSERT(tf > 0 && tf <= 1, "theta fraction %g", tf);
	FUZZ_ASSERT(r == (tf == 1 ? (double) n : (double) n / tf) || tf != 1,
				"exact reach %g != entries %u", r, n);
	if (r == 0)
		FUZZ_ASSERT(isnan(avg), "average %g with reach 0", avg);
	else
		FUZZ_ASSERT(avg >= 0 && !isnan(avg), "average %g", avg);
	FUZZ_ASSERT(frequency_reach_at_least(c->b, c->len, 0) == r &&
				frequency_reach_at_least(c->b, c->len, 1) == r,
				"reach_at_least(0/1) != reach");
	thresholds[0] = 2;
	thresholds[1] = 3;
	thresholds[2] = 1 + (seed >> 8) % 64;
	thresholds[3] = (seed >> 16) | 1;
	thresholds[4] = UINT64_MAX - 1;
	thresholds[5] = UINT64_MAX;
	for (i = 0; i < 6; i++)
	{
		double		x = frequency_reach_at_least(c->b, c->len, thresholds[i]);

		FUZZ_ASSERT(x >= 0 && x <= r && isfinite(x), "reach_at_least(%llu) = %g, reach %g",
					(unsigned long long) thresholds[i], x, r);
	}
	for (i = 2; i <= 8; i++)
	{
		double		x = frequency_reach_at_least(c->b, c->len, i);

		FUZZ_ASSERT(x <= prev, "reach_at_least not monotone at %u", i);
		prev = x;
	}

	/* histogram */
	FUZZ_ASSERT(!frequency_histogram(c->b, c->len, 0, hist), "histogram(0) accepted");
	FUZZ_ASSERT(frequency_histogram(c->b, c->len, maxf, hist), "histogram(%u) refused", maxf);
	for (i = 0; i < maxf; i++)
	{
		FUZZ_ASSERT(hist[i].frequency == i + 1, "bucket %u frequency %llu", i,
					(unsigned long long) hist[i].frequency);
		FUZZ_ASSERT(hist[i].users_at_least ==
					hist[i].users + (i + 1 < maxf ? hist[i + 1].users_at_least : 0),
					"users_at_least inconsistent at bucket %u", i);
		FUZZ_ASSERT(hist[i].reach_at_least_rounded ==
					frequency_round(frequency_reach_at_least(c->b, c->len, i + 1)),
					"bucket %u: reach_at_least_rounded %lld vs reach_at_least", i,
					(long long) hist[i].reach_at_least_rounded);
		FUZZ_ASSERT(hist[i].reach_rounded >= 0 && hist[i].reach >= 0 &&
					hist[i].share >= 0 && hist[i].share <= 1 &&
					hist[i].standard_error >= 0 && !isnan(hist[i].standard_error),
					"bucket %u has a negative or NaN field", i);
		sum_rounded += hist[i].reach_rounded;
		sum_users += hist[i].users;
	}
	FUZZ_ASSERT(sum_users == n && hist[0].users_at_least == n,
				"histogram users %llu != entries %u", (unsigned long long) sum_users, n);
	FUZZ_ASSERT(sum_rounded == frequency_round(r), "rounded buckets sum %lld, reach rounds to %lld",
				(long long) sum_rounded, (long long) frequency_round(r));

	/* with itself */
	FUZZ_ASSERT(frequency_intersection(c->b, c->len, c->b, c->len) == r,
				"intersection with itself %g != reach %g",
				frequency_intersection(c->b, c->len, c->b, c->len), r);
	FUZZ_ASSERT(frequency_difference(c->b, c->len, c->b, c->len) == 0,
				"difference with itself %g", frequency_difference(c->b, c->len, c->b, c->len));
	check_planning(c, seed);
}

/* everything SQL does with a value that passed frequency_validate */
/*
 * The sorted union (frequency_union.c, frequency_union_agg's state for
 * large inputs) of the CANONICAL values x then y, written out; ok is false
 * if a merge refused its source.
 */
static Buf
sorted_union(const Buf *x, const Buf *y, bool *ok)
{
	FrequencyUnion u;
	const Buf  *src[2] = {x, y};
	FrequencyEntry *out[2] = {NULL, NULL};
	Buf			w;
	int			i;

	frequency_union_init(&u, frequency_k(x->b, x->len), NULL);
	*ok = true;
	for (i = 0; i < 2 && *ok; i++)
	{
		uint32_t	room = frequency_union_room(&u, src[i]->b);

		out[i] = malloc(sizeof(FrequencyEntry) * room + 1);
		*ok = frequency_union_merge(&u, src[i]->b, src[i]->len, out[i], room);
	}
	w.len = frequency_union_size(&u);
	w.b = malloc(w.len);
	FUZZ_ASSERT(frequency_union_write(&u, w.b, w.len) == w.len, "union write is not its size");
	free(out[0]);
	free(out[1]);
	return w;
}

static void
exercise(const Buf *v, uint64_t seed)
{
	bool		state = v->b[1] == FREQUENCY_REP_STATE || v->b[1] == FREQUENCY_REP_KEYED_STATE;
	uint32_t	k = ie_get32(v->b + 4);
	uint32_t	n = ie_get32(v->b + 8);
	uint64_t	imp = frequency_impressions(v->b, v->len);
	Buf			c;
	Buf			st;
	Buf			t;
	Buf			u;
	Buf			small;
	Buf			a;
	Buf			b;
	Buf			d;
	uint32_t	ks;
	unsigned	nsmall;
	uint64_t	base;
	unsigned	i;
	uint64_t	added = 0;

	check_info(v);
	FUZZ_ASSERT(frequency_needs_canonicalize(v->b, v->len) == state, "needs_canonicalize");
	if (state)
	{
		FrequencyBucket hist[2];

		FUZZ_ASSERT(frequency_reach(v->b, v->len) == -1 &&
					frequency_reach_at_least(v->b, v->len, 2) == -1 &&
					frequency_average(v->b, v->len) == -1 &&
					!frequency_histogram(v->b, v->len, 2, hist) &&
					frequency_intersection(v->b, v->len, v->b, v->len) == -1 &&
					frequency_difference(v->b, v->len, v->b, v->len) == -1,
					"an estimate accepted a STATE");
	}

	c = canonical(&frequency_sketch_type, v);
	check_info(&c);
	if (!state)
		FUZZ_ASSERT(buf_eq(&c, v), "a valid CANONICAL value is not its own canonical form");
	FUZZ_ASSERT(ie_get32(c.b + 4) == k && ie_get32(c.b + 8) == (n < k ? n : k),
				"canonical k %u / entries %u from k %u, n %u", ie_get32(c.b + 4),
				ie_get32(c.b + 8), k, n);
	check_estimates(&c, seed);

	/* v || v: counts and total double, the users stay */
	st = buf_copy(v);
	merge_value(&frequency_sketch_type, &st, v);
	t = canonical(&frequency_sketch_type, &st);
	buf_free(&st);
	st = buf_copy(&c);
	merge_value(&frequency_sketch_type, &st, &c);
	u = canonical(&frequency_sketch_type, &st);
	buf_free(&st);
	if (!buf_eq(&t, &u))
	{
		hexdump_head("v", v);
		hexdump_head("v || v", &t);
		hexdump_head("c || c", &u);
		FUZZ_FAIL("v || v != canonical(v) || canonical(v)");
	}
	FUZZ_ASSERT(frequency_impressions(t.b, t.len) == sat_add(imp, imp), "v || v total");
	FUZZ_ASSERT(ie_get32(t.b + 8) == ie_get32(c.b + 8), "v || v entries %u, v has %u",
				ie_get32(t.b + 8), ie_get32(c.b + 8));
	check_estimates(&t, seed >> 3);
	buf_free(&t);
	buf_free(&u);

	/* into fresh states: same k, the largest k (kept: v's k wins), k = 16 */
	st = freq_new_state(k);
	merge_value(&frequency_sketch_type, &st, v);
	t = canonical(&frequency_sketch_type, &st);
	FUZZ_ASSERT(buf_eq(&t, &c), "empty(k) || v != v");
	buf_free(&t);
	buf_free(&st);
	st = freq_new_state(FREQUENCY_MAX_K);
	merge_value(&frequency_sketch_type, &st, v);
	t = canonical(&frequency_sketch_type, &st);
	FUZZ_ASSERT(buf_eq(&t, &c), "empty(max k) || v != v");
	buf_free(&t);
	buf_free(&st);
	/* an empty k = 16 state does not lower v's k ... */
	st = freq_new_state(FREQUENCY_MIN_K);
	merge_value(&frequency_sketch_type, &st, v);
	t = canonical(&frequency_sketch_type, &st);
	buf_free(&st);
	FUZZ_ASSERT(ie_get32(t.b + 4) == (imp != 0 ? k : FREQUENCY_MIN_K),
				"k after merging k=%u (total %llu) into an empty k=16 state: %u", k,
				(unsigned long long) imp, ie_get32(t.b + 4));
	if (imp != 0)
		FUZZ_ASSERT(buf_eq(&t, &c), "empty(16) || v != v");
	buf_free(&t);
	/* ... a non-empty one does: the same from v and from canonical(v) */
	st = freq_new_state(FREQUENCY_MIN_K);
	freq_add(&st, seed, 1);
	merge_value(&frequency_sketch_type, &st, v);
	t = canonical(&frequency_sketch_type, &st);
	buf_free(&st);
	st = freq_new_state(FREQUENCY_MIN_K);
	freq_add(&st, seed, 1);
	merge_value(&frequency_sketch_type, &st, &c);
	u = canonical(&frequency_sketch_type, &st);
	buf_free(&st);
	FUZZ_ASSERT(buf_eq(&t, &u), "row(16) || v != row(16) || canonical(v)");
	FUZZ_ASSERT(ie_get32(t.b + 4) == FREQUENCY_MIN_K, "k after merge into k=16: %u",
				ie_get32(t.b + 4));
	FUZZ_ASSERT(frequency_impressions(t.b, t.len) == sat_add(imp, 1), "row(16) || v total");
	check_estimates(&t, seed >> 5);
	buf_free(&t);
	buf_free(&u);

	/* union with a small sketch, both orders and through a fresh state */
	seed = ie_murmur_fmix64(seed + 1);
	{
		static const uint32_t kchoices[4] = {16, 32, 4096, 0};

		ks = kchoices[seed % 4];
		if (ks == 0)
			ks = k;
	}
	nsmall = (unsigned) ((seed >> 8) % 48);
	base = (seed >> 16) % 64;
	small = small_sketch(ks, base, nsmall, seed);
	a = buf_copy(v);
	merge_value(&frequency_sketch_type, &a, &small);
	t = canonical(&frequency_sketch_type, &a);
	b = buf_copy(&small);
	merge_value(&frequency_sketch_type, &b, v);
	u = canonical(&frequency_sketch_type, &b);
	d = freq_new_state(ks);
	merge_value(&frequency_sketch_type, &d, &small);
	merge_value(&frequency_sketch_type, &d, &c);
	buf_free(&a);
	a = canonical(&frequency_sketch_type, &d);
	if (!buf_eq(&t, &u) || !buf_eq(&t, &a))
	{
		hexdump_head("v", v);
		hexdump_head("small", &small);
		hexdump_head("v || small", &t);
		hexdump_head("small || v", &u);
		hexdump_head("empty || small || canonical(v)", &a);
		FUZZ_FAIL("union with a small sketch depends on the order");
	}
	FUZZ_ASSERT(frequency_impressions(t.b, t.len) ==
				sat_add(imp, frequency_impressions(small.b, small.len)),
				"union total is not the sum");
	/* the sorted union, both orders: the same bytes */
	{
		bool		ok1;
		bool		ok2;
		Buf			s1 = sorted_union(&c, &small, &ok1);
		Buf			s2 = sorted_union(&small, &c, &ok2);

		FUZZ_ASSERT(ok1 && ok2 && buf_eq(&s1, &t) && buf_eq(&s2, &t),
					"the sorted union differs from the table's");
		buf_free(&s1);
		buf_free(&s2);
	}
	check_estimates(&t, seed >> 7);
	{
		double		i1 = frequency_intersection(c.b, c.len, small.b, small.len);
		double		i2 = frequency_intersection(small.b, small.len, c.b, c.len);
		double		d1 = frequency_difference(c.b, c.len, small.b, small.len);
		double		d2 = frequency_difference(small.b, small.len, c.b, c.len);

		FUZZ_ASSERT(i1 == i2, "intersection not symmetric: %g vs %g", i1, i2);
		FUZZ_ASSERT(i1 >= 0 && d1 >= 0 && d2 >= 0 && isfinite(i1) && isfinite(d1) &&
					isfinite(d2), "set operations: %g %g %g", i1, d1, d2);
	}
	buf_free(&a);
	buf_free(&b);
	buf_free(&d);
	buf_free(&t);
	buf_free(&u);
	buf_free(&small);

	/* rows added to v as a state (as frequency_agg after a union input) */
	st = buf_copy(v);
	for (i = 0; i < 5; i++)
	{
		uint64_t	cnt = 1 + ((seed >> (8 * i)) & 7);

		freq_add(&st, ie_hash_int64((int64_t) (seed % 32) + i), cnt);
		added += cnt;
	}
	freq_add(&st, UINT64_MAX, 1);
	freq_add(&st, 0, 2);
	added += 3;
	must_validate(&frequency_sketch_type, &st, "state after adds");
	t = canonical(&frequency_sketch_type, &st);
	FUZZ_ASSERT(frequency_impressions(t.b, t.len) == sat_add(imp, added), "total after adds");
	check_estimates(&t, seed >> 11);
	buf_free(&t);
	buf_free(&st);

	buf_free(&c);
}

/*
 * What passes frequency_validate_shallow only must make a merge of it
 * fail (frequency.c's unions read stored sketches so), however the state
 * grows on the way, and a histogram of it too (frequency_histogram reads
 * its argument so).
 */
static void
check_shallow(const Buf *in)
{
	Buf			st;
	size_t		need;
	int			rounds = 0;
	FrequencyBucket hist[3];

	if (frequency_validate_shallow(in->b, in->len) != NULL ||
		frequency_validate(in->b, in->len) == NULL)
		return;
	FUZZ_ASSERT(!frequency_histogram(in->b, in->len, 3, hist),
				"a histogram of a value only the shallow check passes did not fail");
	{
		FrequencyUnion u;
		uint32_t	room;
		FrequencyEntry *out;

		frequency_union_init(&u, FREQUENCY_DEFAULT_K, NULL);
		room = frequency_union_room(&u, in->b);
		out = malloc(sizeof(FrequencyEntry) * room + 1);
		FUZZ_ASSERT(!frequency_union_merge(&u, in->b, in->len, out, room) && u.n == 0,
					"a sorted union of a value only the shallow check passes did not fail");
		free(out);
	}
	st = new_state(&frequency_sketch_type);
	while ((need = frequency_state_merge(st.b, st.len, in->b, in->len)) != 0 &&
		   need != FREQUENCY_BAD_SOURCE && rounds++ < 16)
		if (!regrow(&frequency_sketch_type, &st, need, NULL))
			break;
	FUZZ_ASSERT(need == FREQUENCY_BAD_SOURCE,
				"a merge of a value only the shallow check passes did not fail (%zu)", need);
	buf_free(&st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Buf			in = buf_of(data, size);	/* exact-size heap copy for ASan */

	/* the states' table seeds restart, so that a crash replays */
	reset_seeds(size);

	check_shallow(&in);
	if (frequency_validate(in.b, in.len) == NULL)
	{
		Buf			keep = buf_copy(&in);

		exercise(&in, ie_hash_bytes(data, size));
		FUZZ_ASSERT(buf_eq(&keep, &in), "a read-only function wrote into its input");
		buf_free(&keep);
	}
	buf_free(&in);
	return 0;
}
