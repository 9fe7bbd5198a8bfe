/*
 * test_frequency_model.c — unit tests of what a frequency_sketch holds
 * (src/core/frequency_state.c, frequency_canonical.c) against the reference
 * model: exact mode, its boundary, sampling, and determinism under row
 * order, pre-aggregation, splits and merges (the k rule included).
 */
#include "frequency_test_util.h"

/* ---------------------------------------------------------------------
 * exact mode
 * --------------------------------------------------------------------- */

static void
test_exact_mode(void)
{
	uint32_t	ks[] = {16, 100, 4096};
	int			t;

	for (t = 0; t < 3; t++)
	{
		uint32_t	k = ks[t];
		size_t		nusers = k;
		size_t		nev;
		uint64_t   *freq;
		Ev		   *ev = make_events(1000, nusers, 0.3, 11 + t, &nev, &freq);
		Sk			s = sk_of(k, ev, nev);
		Sk			m = model_canon(k, ev, nev);
		FrequencyBucket hist[12];
		uint64_t	want[13];
		uint64_t	impressions = 0;
		size_t		i;
		int			ok;
		uint64_t	f;

		CHECK(buf_eq(&s, &m), "k=%u exact: canonical bytes equal the model", k);
		CHECK(frequency_reach(s.b, s.len) == (double) nusers,
			  "k=%u exact reach %.1f", k, frequency_reach(s.b, s.len));
		memset(want, 0, sizeof(want));
		for (i = 0; i < nusers; i++)
		{
			want[freq[i] < 12 ? freq[i] : 12]++;
			impressions += freq[i];
		}
		CHECK(frequency_impressions(s.b, s.len) == impressions,
			  "k=%u impressions %llu", k, (unsigned long long) impressions);
		CHECK(fabs(frequency_average(s.b, s.len) - (double) impressions / nusers) < 1e-12,
			  "k=%u average frequency", k);
		CHECK(frequency_histogram(s.b, s.len, 12, hist), "histogram");
		ok = 1;
		for (f = 1; f <= 12; f++)
		{
			uint64_t	atleast = 0;

			for (i = 0; i < nusers; i++)
				if (freq[i] >= f)
					atleast++;
			if (hist[f - 1].frequency != f || hist[f - 1].users != want[f] ||
				hist[f - 1].reach != (double) want[f] ||
				hist[f - 1].reach_rounded != (int64_t) want[f] ||
				hist[f - 1].users_at_least != atleast ||
				hist[f - 1].reach_at_least_rounded != (int64_t) atleast ||
				hist[f - 1].standard_error != 0 ||
				fabs(hist[f - 1].share - (double) want[f] / nusers) > 1e-15 ||
				frequency_reach_at_least(s.b, s.len, f) != (double) atleast)
				ok = 0;
		}
		CHECK(ok, "k=%u exact histogram and reach_at_least equal brute force", k);
		CHECK(frequency_reach_at_least(s.b, s.len, 1000) == 0, "nobody at 1000+");
		CHECK(frequency_reach_at_least(s.b, s.len, 0) == (double) nusers, "0+ is everyone");
		buf_free(&s);
		buf_free(&m);
		free(ev);
		free(freq);
	}
}

/* exactly k users stay exact; k + 1 users sample with theta = hash k+1 */
static void
test_boundary(void)
{
	uint32_t	k = 64;
	size_t		nev;
	Ev		   *ev = make_events(5, k + 1, 0.5, 3, &nev, NULL);
	Ev		   *agg;
	uint64_t	total;
	size_t		d = aggregate(ev, nev, &agg, &total);
	Ev		   *sub = malloc(nev * sizeof(Ev));

	CHECK(d == k + 1, "k + 1 distinct users (%zu)", d);
	size_t		nsub = 0;
	size_t		i;
	Sk			a;
	Sk			b;
	FrequencyInfo info;

	/* the k users with the smallest hashes only: exact */
	for (i = 0; i < nev; i++)
		if (ev[i].hash < agg[k].hash)
			sub[nsub++] = ev[i];
	a = sk_of(k, sub, nsub);
	frequency_get_info(a.b, a.len, &info);
	CHECK(info.exact && info.entries == k && info.theta == UINT64_MAX &&
		  frequency_reach(a.b, a.len) == k, "k users: exact");

	b = sk_of(k, ev, nev);
	frequency_get_info(b.b, b.len, &info);
	CHECK(!info.exact && info.entries == k && info.theta == agg[k].hash,
		  "k+1 users: sampling, theta is the (k+1)-th hash");
	CHECK(info.impressions == total && total > info.entries, "total kept");
	CHECK(fabs(frequency_reach(b.b, b.len) - k / ldexp((double) agg[k].hash, -64)) < 1e-6,
		  "reach = k / theta");
	buf_free(&a);
	buf_free(&b);
	free(sub);
	free(agg);
	free(ev);
}

/* ---------------------------------------------------------------------
 * the canonical form against the model, sampling included
 * --------------------------------------------------------------------- */

static void
test_model(void)
{
	struct
	{
		uint32_t	k;
		size_t		users;
	}			cases[] = {
		{16, 17}, {16, 1000}, {16, 100000}, {100, 150}, {100, 151}, {100, 5000},
		{1000, 1499}, {1000, 1500}, {1000, 1501}, {1000, 60000},
		{4096, 4096}, {4096, 6144}, {4096, 6145}, {4096, 200000}, {65536, 150000},
	};
	int			t;

	for (t = 0; t < (int) (sizeof(cases) / sizeof(cases[0])); t++)
	{
		size_t		nev;
		size_t		users = cases[t].users / (cases[t].users > 20000 ? SCALE : 1);
		Ev		   *ev = make_events(t * 1000000, users, 0.4, 100 + t, &nev, NULL);
		Sk			s = sk_of(cases[t].k, ev, nev);
		Sk			m = model_canon(cases[t].k, ev, nev);

		CHECK(buf_eq(&s, &m), "k=%u users=%zu: canonical bytes equal the model (len %zu vs %zu)",
			  cases[t].k, users, s.len, m.len);
		buf_free(&s);
		buf_free(&m);
		free(ev);
	}
	CHECK(protocol_errors == 0, "protocol errors %d", protocol_errors);
}

/* ---------------------------------------------------------------------
 * determinism: order, pre-aggregation, splits and merges
 * --------------------------------------------------------------------- */

static void
test_order_and_preaggregation(void)
{
	uint32_t	ks[] = {16, 1024};
	int			t;

	for (t = 0; t < 2; t++)
	{
		uint32_t	k = ks[t];
		size_t		nev;
		Ev		   *ev = make_events(77, 20000 / SCALE, 0.3, 500 + t, &nev, NULL);
		Sk			ref = sk_of(k, ev, nev);
		Ev		   *agg;
		uint64_t	total;
		size_t		d = aggregate(ev, nev, &agg, &total);
		uint64_t	rng = 99;
		int			r;
		Sk			s;
		int			same = 1;

		for (r = 0; r < 3; r++)
		{
			shuffle_ev(ev, nev, &rng);
			s = sk_of(k, ev, nev);
			same &= buf_eq(&s, &ref);
			buf_free(&s);
		}
		CHECK(same, "k=%u: shuffled rows give the same bytes", k);

		/* sorted ascending and descending: worst cases for rebuilds */
		qsort(ev, nev, sizeof(Ev), cmp_ev);
		s = sk_of(k, ev, nev);
		CHECK(buf_eq(&s, &ref), "k=%u: ascending hash order", k);
		buf_free(&s);
		{
			size_t		i;

			for (i = 0; i < nev / 2; i++)
			{
				Ev			x = ev[i];

				ev[i] = ev[nev - 1 - i];
				ev[nev - 1 - i] = x;
			}
		}
		s = sk_of(k, ev, nev);
		CHECK(buf_eq(&s, &ref), "k=%u: descending hash order", k);
		buf_free(&s);

		/* (user, n) pre-aggregated = n single rows */
		shuffle_ev(agg, d, &rng);
		s = sk_of(k, agg, d);
		CHECK(buf_eq(&s, &ref), "k=%u: pre-aggregated counts give the same bytes", k);
		buf_free(&s);

		/* partly pre-aggregated: each user's count split in two rows */
		{
			Ev		   *two = malloc(2 * d * sizeof(Ev));
			size_t		n2 = 0;
			size_t		i;

			for (i = 0; i < d; i++)
			{
				if (agg[i].count > 1)
				{
					two[n2].hash = agg[i].hash;
					two[n2++].count = agg[i].count / 2;
					two[n2].hash = agg[i].hash;
					two[n2++].count = agg[i].count - agg[i].count / 2;
				}
				else
					two[n2++] = agg[i];
			}
			shuffle_ev(two, n2, &rng);
			s = sk_of(k, two, n2);
			CHECK(buf_eq(&s, &ref), "k=%u: counts split across rows", k);
			buf_free(&s);
			free(two);
		}
		buf_free(&ref);
		free(agg);
		free(ev);
	}
}

/* merge the sketches in parts[] left to right into a fresh state */
static Sk
merge_all(uint32_t k, Sk *parts, int n, const int *order)
{
	Sk			st = sk_state(k);
	Sk			c;
	int			i;

	for (i = 0; i < n; i++)
		sk_merge(&st, &parts[order ? order[i] : i]);
	c = sk_canon(&st);
	buf_free(&st);
	return c;
}

/*
 * Events split by "day" (users overlap across days); the union of the
 * daily sketches, in any order and grouping, equals the sketch of all the
 * events, and equals the model.
 */
static void
test_union_of_days(void)
{
	uint32_t	ks[] = {64, 1024, 4096};
	int			t;

	for (t = 0; t < 3; t++)
	{
		uint32_t	k = ks[t];
		enum
		{
			DAYS = 7
		};
		size_t		nev;
		Ev		   *ev = make_events(300000, 30000 / SCALE, 0.25, 900 + t, &nev, NULL);
		Ev		   *day[DAYS];
		size_t		dn[DAYS];
		Sk			daily[DAYS];
		Sk			states[DAYS];
		Sk			all = sk_of(k, ev, nev);
		Sk			model = model_canon(k, ev, nev);
		uint64_t	rng = 4242 + t;
		int			order[DAYS];
		size_t		i;
		int			d;
		Sk			u;

		CHECK(buf_eq(&all, &model), "k=%u: raw events equal the model", k);
		for (d = 0; d < DAYS; d++)
		{
			day[d] = malloc(nev * sizeof(Ev));
			dn[d] = 0;
		}
		for (i = 0; i < nev; i++)
		{
			d = (int) (splitmix64(&rng) % DAYS);
			day[d][dn[d]++] = ev[i];
		}
		for (d = 0; d < DAYS; d++)
		{
			daily[d] = sk_of(k, day[d], dn[d]);
			states[d] = sk_state(k);
			sk_add_all(&states[d], day[d], dn[d]);
			order[d] = DAYS - 1 - d;
		}

		u = merge_all(k, daily, DAYS, NULL);
		CHECK(buf_eq(&u, &all), "k=%u: union of daily sketches = sketch of the events", k);
		buf_free(&u);
		u = merge_all(k, daily, DAYS, order);
		CHECK(buf_eq(&u, &all), "k=%u: reverse order", k);
		buf_free(&u);

		/* partial states (parallel workers) merged as states */
		u = merge_all(k, states, DAYS, order);
		CHECK(buf_eq(&u, &all), "k=%u: union of un-canonicalized states", k);
		buf_free(&u);

		/* a tree: ((0 1) (2 3)) ((4 5) 6), mixing states and canonicals */
		{
			Sk			a = buf_copy(&states[0]);
			Sk			b = buf_copy(&daily[2]);	/* canonical as a state */
			Sk			c = sk_state(k);
			Sk			ca;

			sk_merge(&a, &daily[1]);
			sk_merge(&b, &states[3]);
			sk_merge(&c, &daily[4]);
			sk_merge(&c, &states[5]);
			sk_merge(&c, &daily[6]);
			sk_merge(&a, &b);
			ca = sk_canon(&c);
			sk_merge(&a, &ca);
			u = sk_canon(&a);
			CHECK(buf_eq(&u, &all), "k=%u: tree of merges mixing representations", k);
			buf_free(&u);
			buf_free(&a);
			buf_free(&b);
			buf_free(&c);
			buf_free(&ca);
		}

		/* merging into the state of a day that is still receiving rows */
		{
			Sk			s = sk_state(k);

			sk_add_all(&s, day[0], dn[0] / 2);
			for (d = 1; d < DAYS; d++)
				sk_merge(&s, &daily[d]);
			sk_add_all(&s, day[0] + dn[0] / 2, dn[0] - dn[0] / 2);
			u = sk_canon(&s);
			CHECK(buf_eq(&u, &all), "k=%u: rows added after merges", k);
			buf_free(&u);
			buf_free(&s);
		}

		for (d = 0; d < DAYS; d++)
		{
			buf_free(&daily[d]);
			buf_free(&states[d]);
			free(day[d]);
		}
		buf_free(&all);
		buf_free(&model);
		free(ev);
	}
	CHECK(protocol_errors == 0, "protocol errors %d", protocol_errors);
}

/*
 * Randomised: small k, heavy repeats, huge counts, random splits into
 * parts of different k (some empty), merged in random order, each part
 * as a state or canonical; the result must be the model at the smallest
 * k among the non-empty parts.
 */
static void
test_random_splits(void)
{
	uint64_t	rng = 777;
	int			trial;
	int			bad = 0;
	int			trials = 400 / SCALE;

	for (trial = 0; trial < trials; trial++)
	{
		size_t		nusers = 1 + (size_t) (splitmix64(&rng) % 400);
		size_t		nev = (size_t) (splitmix64(&rng) % 2000);
		int			nparts = 1 + (int) (splitmix64(&rng) % 5);
		Ev		   *ev = malloc((nev + 1) * sizeof(Ev));
		Ev		   *part[5];
		size_t		pn[5];
		uint32_t	pk[5];
		Sk			ps[5];
		uint32_t	kfresh = 16 + (uint32_t) (splitmix64(&rng) % 50);
		uint32_t	kmin_nonempty = UINT32_MAX;
		uint32_t	kmin_all = kfresh;
		uint32_t	kwant;
		size_t		i;
		int			p;
		Sk			st;
		Sk			got;
		Sk			want;

		for (i = 0; i < nev; i++)
		{
			uint64_t	r = splitmix64(&rng);

			ev[i].hash = ie_hash_int64((int64_t) (r % nusers));
			ev[i].count = (r >> 40) % 97 == 0 ? UINT64_MAX / 3 : 1 + (r >> 50) % 4;
		}
		for (p = 0; p < nparts; p++)
		{
			part[p] = malloc((nev + 1) * sizeof(Ev));
			pn[p] = 0;
			pk[p] = 16 + (uint32_t) (splitmix64(&rng) % 50);
		}
		for (i = 0; i < nev; i++)
		{
			p = (int) (splitmix64(&rng) % nparts);
			part[p][pn[p]++] = ev[i];
		}
		for (p = 0; p < nparts; p++)
		{
			if (splitmix64(&rng) & 1)
				ps[p] = sk_of(pk[p], part[p], pn[p]);
			else
			{
				ps[p] = sk_state(pk[p]);
				sk_add_all(&ps[p], part[p], pn[p]);
			}
			if (pn[p] > 0 && pk[p] < kmin_nonempty)
				kmin_nonempty = pk[p];
			if (pk[p] < kmin_all)
				kmin_all = pk[p];
		}
		kwant = kmin_nonempty != UINT32_MAX ? kmin_nonempty : kmin_all;
		st = sk_state(kfresh);
		for (p = nparts; p > 0; p--)
		{
			int			j = (int) (splitmix64(&rng) % p);
			Sk			t = ps[j];

			sk_merge(&st, &ps[j]);
			ps[j] = ps[p - 1];
			ps[p - 1] = t;
		}
		got = sk_canon(&st);
		want = model_canon(kwant, ev, nev);
		if (!buf_eq(&got, &want))
		{
			if (bad++ < 5)
				fprintf(stderr, "trial %d: k %u, %zu users, %zu events, %d parts: %zu vs %zu bytes\n",
						trial, kwant, nusers, nev, nparts, got.len, want.len);
		}
		buf_free(&st);
		buf_free(&got);
		buf_free(&want);
		for (p = 0; p < nparts; p++)
		{
			buf_free(&ps[p]);
			free(part[p]);
		}
		free(ev);
	}
	CHECK(bad == 0, "%d of %d random split/merge trials differ from the model", bad, trials);
	CHECK(protocol_errors == 0, "protocol errors %d", protocol_errors);
}

/*
 * Random rollups (make_rollup) unioned in a random order into a fresh
 * state, and again as two partial unions merged: what frequency_union_agg
 * does with the table state, through every path of the merge of a stored
 * sketch (a table that grows, with and without looking entries up; one at
 * its largest that lowers theta; the entries at or above theta only
 * checked).  Each result must be the model of all the rows' events.
 */
static void
test_random_rollups(void)
{
	uint64_t	rng = 2024;
	uint32_t	ks[] = {16, 64, 300, 1024, 4096};
	int			trials = 60 / SCALE;
	int			bad = 0;
	int			trial;

	for (trial = 0; trial < trials; trial++)
	{
		uint32_t	k = ks[splitmix64(&rng) % 5];
		Rollup		r = make_rollup(&rng, k, 20 + (size_t) (splitmix64(&rng) % 12000), 0);
		Sk			st = sk_state(k);
		Sk			half[2];
		Sk			got;
		Sk			want = model_canon(r.kwant, r.ev, r.nev);
		int			d;

		half[0] = sk_state(k);
		half[1] = sk_state(k);
		for (d = r.rows; d > 0; d--)
		{
			int			j = (int) (splitmix64(&rng) % d);
			Sk			t = r.row[j];

			sk_merge(&st, &r.row[j]);
			sk_merge(&half[d % 2], &r.row[j]);
			r.row[j] = r.row[d - 1];
			r.row[d - 1] = t;
		}
		got = sk_canon(&st);
		bad += !buf_eq(&got, &want);
		buf_free(&got);
		sk_merge(&half[0], &half[1]);
		got = sk_canon(&half[0]);
		bad += !buf_eq(&got, &want);
		buf_free(&got);
		buf_free(&want);
		buf_free(&st);
		buf_free(&half[0]);
		buf_free(&half[1]);
		rollup_free(&r);
	}
	CHECK(bad == 0, "%d of %d rollup unions differ from the model", bad, 2 * trials);
	CHECK(protocol_errors == 0, "protocol errors %d", protocol_errors);
}

/* merges across k: the smaller k wins, except for empty values */
static void
test_merge_k(void)
{
	size_t		na;
	size_t		nb;
	Ev		   *a = make_events(0, 5000, 0.3, 61, &na, NULL);
	Ev		   *b = make_events(3000, 5000, 0.3, 62, &nb, NULL);
	Ev		   *ab = malloc((na + nb) * sizeof(Ev));
	Sk			a1024;
	Sk			b256;
	Sk			want;
	Sk			u;
	Sk			parts[2];
	uint8_t		empty[FREQUENCY_HEADER_SIZE];
	Sk			e;
	Sk			st;

	memcpy(ab, a, na * sizeof(Ev));
	memcpy(ab + na, b, nb * sizeof(Ev));
	a1024 = sk_of(1024, a, na);
	b256 = sk_of(256, b, nb);
	want = model_canon(256, ab, na + nb);

	parts[0] = a1024;
	parts[1] = b256;
	u = merge_all(4096, parts, 2, NULL);
	CHECK(buf_eq(&u, &want), "k 1024 + k 256 = sketch of the union at k 256");
	buf_free(&u);
	parts[0] = b256;
	parts[1] = a1024;
	u = merge_all(4096, parts, 2, NULL);
	CHECK(buf_eq(&u, &want), "k 256 + k 1024, other order");
	buf_free(&u);

	/* a large k state with many entries shrinks when k drops */
	{
		Sk			big = sk_state(65536);
		Sk			small;

		sk_add_all(&big, ab, na + nb);
		sk_merge(&big, &b256);
		CHECK(big.len <= 36 + 16 * 512, "state shrank to the table for k 256 (%zu bytes)", big.len);
		small = sk_canon(&big);
		/* b's events were added twice: compare with that */
		{
			Ev		   *abb = malloc((na + 2 * nb) * sizeof(Ev));
			Sk			w;

			memcpy(abb, ab, (na + nb) * sizeof(Ev));
			memcpy(abb + na + nb, b, nb * sizeof(Ev));
			w = model_canon(256, abb, na + 2 * nb);
			CHECK(buf_eq(&small, &w), "exact state at k 65536 merged with k 256");
			buf_free(&w);
			free(abb);
		}
		buf_free(&small);
		buf_free(&big);
	}

	/* empty values do not lower k; between empties the smaller wins */
	CHECK(frequency_init_empty(empty, sizeof(empty), 16), "empty k 16");
	e.b = empty;
	e.len = sizeof(empty);
	parts[0] = e;
	parts[1] = a1024;
	u = merge_all(4096, parts, 2, NULL);
	CHECK(buf_eq(&u, &a1024), "empty (k 16) + k 1024 = the k 1024 value");
	buf_free(&u);
	parts[0] = a1024;
	parts[1] = e;
	u = merge_all(4096, parts, 2, NULL);
	CHECK(buf_eq(&u, &a1024), "k 1024 + empty (k 16) = the k 1024 value");
	buf_free(&u);
	st = sk_state(4096);
	sk_merge(&st, &e);
	u = sk_canon(&st);
	CHECK(u.len == 28 && rd32(u.b + 4) == 16 && rd32(u.b + 8) == 0 &&
		  rd64(u.b + 12) == UINT64_MAX && rd64(u.b + 20) == 0,
		  "empty 4096 + empty 16 = empty 16");
	CHECK(frequency_reach(u.b, u.len) == 0 && isnan(frequency_average(u.b, u.len)),
		  "empty: reach 0, average NAN");
	buf_free(&u);
	buf_free(&st);

	buf_free(&a1024);
	buf_free(&b256);
	buf_free(&want);
	free(a);
	free(b);
	free(ab);
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_exact_mode();
	test_boundary();
	test_model();
	test_order_and_preaggregation();
	test_union_of_days();
	test_merge_k();
	test_random_splits();
	test_random_rollups();
	return sketch_report(argv[0]);
}
