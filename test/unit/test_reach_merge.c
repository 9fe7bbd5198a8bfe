/*
 * test_reach_merge.c — unit tests of reach_sketch's aggregate state
 * protocol (src/core/reach_core.c): results independent of row order, of
 * how the input is split and merged, and of precision folding; stored
 * packed values as states and merge sources.
 */
#include "reach_test_util.h"

/* ---------------------------------------------------------------------
 * order, split and merge independence
 * --------------------------------------------------------------------- */

/* aggregate h[] (with repeats) split into parts, merged in random order */
static Sk
split_merge(int *precisions, int nparts, const uint64_t *h, size_t n,
			uint64_t *rng, int canon_parts)
{
	Sk		   *parts = malloc(sizeof(Sk) * (size_t) nparts);
	Sk			acc;
	size_t		i;
	int			k;
	int		   *order = malloc(sizeof(int) * (size_t) nparts);

	for (k = 0; k < nparts; k++)
		parts[k] = sk_state(precisions[k]);
	for (i = 0; i < n; i++)
	{
		int			part = (int) (splitmix64(rng) % (uint64_t) nparts);
		int			reps = 1 + (int) (splitmix64(rng) % 3);

		while (reps-- > 0)
			sk_add(&parts[part], h[i]);
	}
	for (k = 0; k < nparts; k++)
	{
		order[k] = k;
		if (canon_parts)
		{
			Sk			c = sk_canon(&parts[k]);

			buf_free(&parts[k]);
			parts[k] = c;
		}
	}
	for (k = nparts; k > 1; k--)
	{
		int			j = (int) (splitmix64(rng) % (uint64_t) k);
		int			t = order[k - 1];

		order[k - 1] = order[j];
		order[j] = t;
	}
	/* the first part in the order becomes the state (as union_agg does) */
	acc = buf_copy(&parts[order[0]]);
	for (k = 1; k < nparts; k++)
		sk_merge(&acc, &parts[order[k]]);
	{
		Sk			c = sk_canon(&acc);

		buf_free(&acc);
		acc = c;
	}
	for (k = 0; k < nparts; k++)
		buf_free(&parts[k]);
	free(parts);
	free(order);
	return acc;
}

static void
test_order_split_independence(void)
{
	int			p = 10;
	size_t		T = 256;
	size_t		sizes[] = {0, 1, 7, 100, 255, 256, 257, 300, 383, 384, 385, 512, 700,
	1000, 2560, 10240, 100000};
	size_t		ns = sizeof(sizes) / sizeof(sizes[0]);
	size_t		si;
	int			mismatches = 0;
	int			cases = 0;
	int			crossed = 0;
	uint64_t	rng = 42;

	(void) T;
	for (si = 0; si < ns; si++)
	{
		size_t		n = sizes[si];
		uint64_t   *h = stream(7000 + si, n);
		Sk			ref = sk_of(p, h, n);
		Sk			ref_low;
		int			rep;

		/* one value with (hash >> p) == 0 and a 26-bit index collision */
		if (n > 10)
		{
			h[0] = 3;
			h[1] = 3 | (UINT64_C(1) << 40);
			h[2] = 3 | (UINT64_C(1) << 41);
			buf_free(&ref);
			ref = sk_of(p, h, n);
		}
		ref_low = sk_of(8, h, n);

		for (rep = 0; rep < 12; rep++)
		{
			int			precs[8];
			int			nparts = 1 + (int) (splitmix64(&rng) % 8);
			int			k;
			Sk			got;

			for (k = 0; k < nparts; k++)
				precs[k] = p;
			shuffle(h, n, &rng);
			got = split_merge(precs, nparts, h, n, &rng, rep % 2);
			cases++;
			if (!buf_eq(&got, &ref))
			{
				mismatches++;
				fprintf(stderr, "  n=%zu parts=%d: merged result differs\n", n, nparts);
			}
			/* parts that went dense and parts that stayed sparse */
			if (nparts > 1 && n > T && n / (size_t) nparts <= T)
				crossed++;
			buf_free(&got);

			/* mixed precisions fold to the lowest: equals the p=8 sketch */
			for (k = 0; k < nparts; k++)
				precs[k] = 8 + (int) (splitmix64(&rng) % 7);	/* 8..14 */
			precs[splitmix64(&rng) % (uint64_t) nparts] = 8;
			got = split_merge(precs, nparts, h, n, &rng, rep % 3 == 0);
			cases++;
			if (!buf_eq(&got, &ref_low))
			{
				mismatches++;
				fprintf(stderr, "  n=%zu parts=%d: mixed-precision result differs\n", n, nparts);
			}
			buf_free(&got);
		}
		buf_free(&ref);
		buf_free(&ref_low);
		free(h);
	}
	CHECK(mismatches == 0, "%d of %d split/merge orders gave different bytes", mismatches, cases);
	CHECK(crossed > 5, "the sparse/dense switch was crossed by parts (%d cases)", crossed);
	CHECK(protocol_errors == 0, "protocol errors: %d", protocol_errors);
}

/* merge is union; folding p=14 with p=12 equals the p=12 sketch */
static void
test_merge_union_and_fold(void)
{
	size_t		sizes[] = {50, 900, 3000, 5000, 40000, 300000};
	size_t		si;
	int			bad_union = 0;
	int			bad_fold = 0;
	int			bad_model = 0;

	for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
	{
		size_t		n = sizes[si];
		uint64_t   *h = stream(9000 + si, 2 * n);
		/* A = h[0 .. 1.2n), B = h[0.8n .. 2n): they overlap */
		size_t		a_end = n + n / 5;
		size_t		b_start = n - n / 5;
		Sk			a14 = sk_of(14, h, a_end);
		Sk			b12 = sk_of(12, h + b_start, 2 * n - b_start);
		Sk			b14 = sk_of(14, h + b_start, 2 * n - b_start);
		Sk			u14 = sk_of(14, h, 2 * n);
		Sk			u12 = sk_of(12, h, 2 * n);
		Sk			m;
		Sk			c;

		m = buf_copy(&a14);
		sk_merge(&m, &b14);
		c = sk_canon(&m);
		if (!buf_eq(&c, &u14))
			bad_union++;
		buf_free(&c);
		buf_free(&m);

		/* p=14 state with a p=12 value, and the other way round */
		m = buf_copy(&a14);
		sk_merge(&m, &b12);
		c = sk_canon(&m);
		if (!buf_eq(&c, &u12))
			bad_fold++;
		buf_free(&c);
		buf_free(&m);
		m = buf_copy(&b12);
		sk_merge(&m, &a14);
		c = sk_canon(&m);
		if (!buf_eq(&c, &u12))
			bad_fold++;
		buf_free(&c);
		buf_free(&m);

		/* dense registers, history bits included, equal the model */
		if (sk_is_dense(&u12))
		{
			uint8_t    *model = model_registers(12, h, 2 * n, 0);
			Sk			r = sk_raw(&u12);

			if (memcmp(r.b + 8, model, 4096) != 0)
				bad_model++;
			buf_free(&r);
			free(model);
		}

		buf_free(&a14);
		buf_free(&b12);
		buf_free(&b14);
		buf_free(&u14);
		buf_free(&u12);
		free(h);
	}
	CHECK(bad_union == 0, "%d sizes where merge(A,B) != sketch(A u B)", bad_union);
	CHECK(bad_fold == 0, "%d cases where p14 (+) p12 != p12 sketch of the union", bad_fold);
	CHECK(bad_model == 0, "%d sizes where the folded registers differ from the model", bad_model);

	/* a dense p=18 sketch folds to every lower precision exactly */
	{
		size_t		n = 200000;
		uint64_t   *h = stream(31337, n);
		Sk			big = sk_of(18, h, n);
		int			q;
		int			bad = 0;

		for (q = 4; q < 18; q++)
		{
			Sk			e;
			Sk			m2;
			Sk			c;
			Sk			want = sk_of(q, h, n);

			e = sk_state(q);
			m2 = buf_copy(&big);
			sk_merge(&m2, &e);
			c = sk_canon(&m2);
			if (!buf_eq(&c, &want))
				bad++;
			buf_free(&c);
			buf_free(&m2);
			buf_free(&e);
			buf_free(&want);
		}
		CHECK(bad == 0, "%d precisions where folding p=18 differs from building at q", bad);
		buf_free(&big);
		free(h);
	}
	CHECK(protocol_errors == 0, "protocol errors: %d", protocol_errors);
}

/* ---------------------------------------------------------------------
 * stored packed values as aggregate states and merge sources
 * --------------------------------------------------------------------- */

/* the canonical sketch of n hashes drawn by splitmix64 from seed, at p */
static Sk
sk_build(unsigned p, uint64_t seed, size_t n)
{
	Sk			s = sk_state((int) p);
	Sk			c;
	size_t		i;

	for (i = 0; i < n; i++)
		sk_add(&s, splitmix64(&seed));
	c = sk_canon(&s);
	buf_free(&s);
	return c;
}

static void
test_states(void)
{
	uint64_t	seed = 4321;
	Sk			a = sk_build(12, seed, 20000);	/* packed */
	Sk			b = sk_build(12, seed + 1, 9000);	/* packed */
	Sk			small = sk_build(12, seed + 2, 300);	/* sparse */
	Sk			all;
	int			bad = 0;
	unsigned	q;

	CHECK(a.b[2] == REACH_REP_DENSE_PACKED && b.b[2] == REACH_REP_DENSE_PACKED &&
		  small.b[2] == REACH_REP_SPARSE, "fixtures: two packed, one sparse");

	/* the union built in one go */
	{
		Sk			s;
		uint64_t	s1 = seed;
		uint64_t	s2 = seed + 1;
		uint64_t	s3 = seed + 2;
		size_t		i;

		s = sk_state(12);
		for (i = 0; i < 20000; i++)
			sk_add(&s, splitmix64(&s1));
		for (i = 0; i < 9000; i++)
			sk_add(&s, splitmix64(&s2));
		for (i = 0; i < 300; i++)
			sk_add(&s, splitmix64(&s3));
		all = sk_canon(&s);
		free(s.b);
	}

	/* a packed value as the first state, then packed and sparse merges */
	{
		const Sk   *order[6][3] = {
			{&a, &b, &small}, {&a, &small, &b}, {&b, &a, &small},
			{&b, &small, &a}, {&small, &a, &b}, {&small, &b, &a}
		};
		int			o;

		for (o = 0; o < 6; o++)
		{
			Sk			st;
			Sk			c;

			st.len = order[o][0]->len;
			st.b = dup(order[o][0]->b, st.len);
			sk_merge(&st, order[o][1]);
			sk_merge(&st, order[o][2]);
			CHECK(st.b[2] == REACH_REP_DENSE, "merged state is raw DENSE (order %d)", o);
			c = sk_canon(&st);
			if (!buf_eq(&c, &all))
				bad++;
			free(c.b);
			free(st.b);
		}
		CHECK(bad == 0, "%d merge orders with packed states/sources differ from the union", bad);
	}

	/* adding to a stored packed value used as a state */
	{
		Sk			st;
		Sk			c;
		Sk			want;
		uint64_t	s1 = seed;
		uint64_t	extra = 99;
		size_t		i;

		st.len = a.len;
		st.b = dup(a.b, a.len);
		CHECK(reach_state_add(st.b, st.len, 12345) == 8 + 4096,
			  "add to a packed state asks for the DENSE size");
		CHECK(memcmp(st.b, a.b, a.len) == 0, "and leaves the packed bytes alone");
		for (i = 0; i < 100; i++)
			sk_add(&st, splitmix64(&extra));
		c = sk_canon(&st);
		want = sk_state(12);
		for (i = 0; i < 20000; i++)
			sk_add(&want, splitmix64(&s1));
		extra = 99;
		for (i = 0; i < 100; i++)
			sk_add(&want, splitmix64(&extra));
		{
			Sk			wc = sk_canon(&want);

			CHECK(buf_eq(&c, &wc), "adds to a packed state equal adds to the raw state");
			free(wc.b);
		}
		free(want.b);
		free(c.b);
		free(st.b);
	}

	/* folding: a packed p=12 source merged into lower-precision states */
	bad = 0;
	for (q = 4; q < 12; q++)
	{
		Sk			want = sk_build(q, seed, 20000);
		Sk			st;
		Sk			c;

		/* an empty state at q, merged with the packed p=12 value */
		st = sk_state((int) q);
		sk_merge(&st, &a);
		c = sk_canon(&st);
		if (!buf_eq(&c, &want))
			bad++;
		free(c.b);
		free(st.b);
		/* the packed value as the state, merged with an empty q state */
		st.len = a.len;
		st.b = dup(a.b, a.len);
		{
			uint8_t		e[8];
			Sk			empty = {e, 8};

			reach_init_empty(e, 8, (int) q);
			sk_merge(&st, &empty);
		}
		c = sk_canon(&st);
		if (!buf_eq(&c, &want))
			bad++;
		free(c.b);
		free(st.b);
		/* a raw DENSE q state merged with it */
		{
			Sk			w2 = sk_build(q, seed + 1, 9000);

			st.len = reach_expanded_size(w2.b, w2.len);
			st.b = malloc(st.len);
			reach_expand(st.b, st.len, w2.b, w2.len);
			CHECK(st.b[2] == REACH_REP_DENSE, "expanded q=%u fixture is raw DENSE", q);
			if (st.b[2] == REACH_REP_DENSE)
			{
				Sk			u;
				Sk			both;
				uint64_t	s1 = seed;
				uint64_t	s2 = seed + 1;
				size_t		i;

				sk_merge(&st, &a);
				c = sk_canon(&st);
				/* the union of a (seed) and w2 (seed + 1) built at q */
				u = sk_state((int) q);
				for (i = 0; i < 20000; i++)
					sk_add(&u, splitmix64(&s1));
				for (i = 0; i < 9000; i++)
					sk_add(&u, splitmix64(&s2));
				both = sk_canon(&u);
				free(u.b);
				if (!buf_eq(&c, &both))
					bad++;
				free(both.b);
				free(c.b);
			}
			free(st.b);
			free(w2.b);
		}
		free(want.b);
	}
	CHECK(bad == 0, "%d folds of a packed source or state differ from building at q", bad);

	/* regrow straight from a packed value, and expand of other reps */
	{
		uint8_t    *d = malloc(8 + 4096);
		uint8_t    *x = malloc(a.len);

		CHECK(reach_state_regrow(d, 8 + 4096, a.b, a.len) && d[2] == REACH_REP_DENSE &&
			  reach_validate(d, 8 + 4096) == NULL, "regrow expands a packed value");
		CHECK(!reach_state_regrow(d, 8 + 4 * 48, a.b, a.len), "regrow of packed to a buffer refused");
		CHECK(reach_expanded_size(small.b, small.len) == small.len &&
			  reach_expand(x, small.len, small.b, small.len) &&
			  memcmp(x, small.b, small.len) == 0, "expand copies a sparse value");
		CHECK(!reach_expand(d, 8 + 4095, a.b, a.len), "expand into too small a buffer refused");
		CHECK(!reach_expand(d, 8 + 4096, a.b, 7), "expand of a 7-byte source refused");
		free(x);
		free(d);
	}

	/* hll import writes canonical (packed) values; export of packed = raw */
	{
		size_t		hs = reach_to_hll_size(a.b, a.len, 0);
		uint8_t    *hx = malloc(hs);
		size_t		hl = reach_to_hll(hx, hs, a.b, a.len, 0);
		size_t		is = reach_from_hll_size(hx, hl);
		uint8_t    *im = malloc(is);
		size_t		il = reach_from_hll(im, is, hx, hl);

		CHECK(il > 0 && im[2] == REACH_REP_DENSE_PACKED && (im[3] & REACH_FLAG_HLL_ONLY) &&
			  validate_copy(im, il) == NULL && !reach_needs_canonicalize(im, il),
			  "FULL hll import is a canonical hll_only packed value");
		free(im);
		free(hx);
	}
	free(a.b);
	free(b.b);
	free(small.b);
	free(all.b);
	CHECK(protocol_errors == 0, "protocol errors: %d", protocol_errors);
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_order_split_independence();
	test_merge_union_and_fold();
	test_states();
	return sketch_report(argv[0]);
}
