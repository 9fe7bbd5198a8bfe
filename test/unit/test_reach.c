/*
 * test_reach.c — unit tests of reach_sketch's registers and tokens against
 * an independent model, the exact sparse mode, edge cases and info
 * (src/core/reach_sparse.c, reach_registers.c, reach_core.c).
 *
 * The other reach tests: test_reach_accuracy.c, test_reach_merge.c,
 * test_reach_validate.c, test_reach_hll.c, test_reach_packed.c; their
 * shared helpers are in reach_test_util.h.
 */
#include "reach_test_util.h"

/* ---------------------------------------------------------------------
 * registers and tokens against the model
 * --------------------------------------------------------------------- */

static void
test_registers_match_model(void)
{
	int			p;
	int			bad = 0;

	for (p = 4; p <= 18; p += 2)
	{
		size_t		m = (size_t) 1 << p;
		size_t		n = m * 3;	/* well into dense */
		uint64_t   *h = stream(100 + p, n);
		uint8_t    *model;
		Sk			s;

		/* low-bit-heavy hashes too: long runs, (hash >> p) == 0 */
		h[0] = 0;
		h[1] = UINT64_C(1) << 63;
		h[2] = (UINT64_C(1) << 40) | 5;
		model = model_registers(p, h, n, 0);
		s = sk_of(p, h, n);
		{
			Sk			r = sk_raw(&s);

			if (!sk_is_dense(&s) || r.b[2] != REACH_REP_DENSE || r.len != 8 + m ||
				memcmp(r.b + 8, model, m) != 0)
				bad++;
			/* p >= 8 packs at 3 * 2^p values; p <= 6 does not (table overhead) */
			if (s.b[2] != (p >= 8 ? REACH_REP_DENSE_PACKED : REACH_REP_DENSE))
			{
				bad++;
				fprintf(stderr, "  p=%d n=%zu: representation %d, %zu bytes\n", p, n, s.b[2], s.len);
			}
			buf_free(&r);
		}
		free(model);
		buf_free(&s);
		free(h);
	}
	CHECK(bad == 0, "%d precisions where dense registers differ from the model", bad);
	CHECK(protocol_errors == 0, "protocol errors: %d", protocol_errors);
}

/* ---------------------------------------------------------------------
 * sparse mode is exact
 * --------------------------------------------------------------------- */

static void
test_sparse_exact(void)
{
	Sk			s = sk_state(14);
	uint64_t   *h = int_hashes(1, 5000);
	int			n;
	int			inexact_sparse = 0;
	int			wrong_rep = 0;
	int			dense_far = 0;
	Sk			c1000;
	Sk			again;

	for (n = 1; n <= 5000; n++)
	{
		Sk			c;
		double		e;

		sk_add(&s, h[n - 1]);
		c = sk_canon(&s);
		e = sk_estimate(&c);
		/* n just past 2^p/8 = 2048 with a token collision still holds 2048 tokens */
		if (n <= 2048 || (c.b[2] == REACH_REP_SPARSE && n <= 2050 &&
						  (uint32_t) (c.b[4] | c.b[5] << 8) <= 2048))
		{
			double		rse = reach_relative_standard_error(c.b, c.len);

			/* exact up to 1,000 but for a rare collision; then within the collisions' error */
			if (c.b[2] != REACH_REP_SPARSE)
				wrong_rep++;
			if (n <= 1000 ? fabs(e - n) > 1 : fabs(e - n) > 1 + 4 * rse * n)
				inexact_sparse++;
		}
		else
		{
			double		rse = reach_relative_standard_error(c.b, c.len);

			if (c.b[2] != REACH_REP_DENSE_PACKED)
				wrong_rep++;
			if (fabs(e - n) > 4 * rse * n)
				dense_far++;
		}
		if (n == 100)
			CHECK(llround(e) == 100, "100 distinct values: estimate %.6f", e);
		if (n == 1000)
			CHECK(fabs(e - 1000) <= 1, "1000 distinct values: estimate %.6f", e);
		buf_free(&c);
	}
	CHECK(inexact_sparse == 0, "%d cardinalities 1..2048 not estimated within their error", inexact_sparse);
	CHECK(wrong_rep == 0, "%d cardinalities with the wrong representation", wrong_rep);
	CHECK(dense_far == 0, "%d dense estimates beyond 4 RSE", dense_far);
	buf_free(&s);

	/* duplicates change nothing, sparse or dense */
	s = sk_state(14);
	sk_add_all(&s, h, 1000);
	c1000 = sk_canon(&s);
	sk_add_all(&s, h, 1000);
	sk_add_all(&s, h + 500, 100);
	again = sk_canon(&s);
	CHECK(buf_eq(&c1000, &again), "re-adding 1000 values changed the sparse sketch");
	buf_free(&again);
	buf_free(&c1000);
	buf_free(&s);

	s = sk_state(10);
	sk_add_all(&s, h, 5000);
	c1000 = sk_canon(&s);
	sk_add_all(&s, h, 5000);
	again = sk_canon(&s);
	CHECK(c1000.b[2] == REACH_REP_DENSE_PACKED && buf_eq(&c1000, &again),
		  "re-adding 5000 values changed the dense sketch");
	buf_free(&again);
	buf_free(&c1000);
	buf_free(&s);

	/* the empty sketch */
	s = sk_state(14);
	c1000 = sk_canon(&s);
	CHECK(c1000.len == 8 && c1000.b[2] == REACH_REP_SPARSE && sk_estimate(&c1000) == 0,
		  "empty state canonicalizes to an 8-byte sparse sketch with estimate 0");
	{
		uint8_t		e[8];

		CHECK(reach_init_empty(e, 8, 14) && memcmp(e, c1000.b, 8) == 0,
			  "reach_init_empty equals the canonical empty state");
	}
	buf_free(&c1000);
	buf_free(&s);
	free(h);
	CHECK(protocol_errors == 0, "protocol errors: %d", protocol_errors);
}

/* ---------------------------------------------------------------------
 * sparse contents against a model: the sorted distinct tokens
 * --------------------------------------------------------------------- */

static uint32_t
model_token(uint64_t h)
{
	uint64_t	rest = h >> 20;
	uint32_t	r = 1;

	if (rest == 0)
		r = 45;
	else
		while ((rest & 1) == 0)
		{
			rest >>= 1;
			r++;
		}
	return (uint32_t) ((h & 0xFFFFF) << 6) | r;
}

/*
 * docs/FORMAT.md's coded sparse stream, written bit by bit: for every k
 * the whole stream, keeping the shortest (the first on a tie).  Returns
 * its length in bytes, *kk its k; out has room for 2 + 9 * d + 200000 bytes.
 */
static size_t
model_coded(uint8_t *out, const uint32_t *t, size_t d, int *kk)
{
	size_t		best = SIZE_MAX;
	size_t		best_bits = SIZE_MAX;
	uint8_t    *tmp = calloc(1, 2 + 9 * d + 200000);
	int			k;

	for (k = 0; k <= 20; k++)
	{
		size_t		bit = 0;
		uint32_t	prev = 0;
		size_t		i;
		size_t		len;
		uint32_t	j;

		memset(tmp, 0, 2 + 9 * d + 200000);
#define PUT(b) do { if (b) tmp[bit / 8] |= (uint8_t) (1u << (bit % 8)); bit++; } while (0)
		for (i = 0; i < d; i++)
		{
			uint32_t	gap = (t[i] >> 6) - prev;

			for (j = 0; j < (gap >> k); j++)
				PUT(0);
			PUT(1);
			for (j = 0; j < (uint32_t) k; j++)
				PUT((gap >> j) & 1);
			for (j = 1; j < (t[i] & 63); j++)
				PUT(0);
			PUT(1);
			prev = t[i] >> 6;
		}
#undef PUT
		len = (bit + 7) / 8;
		if (bit < best_bits)
		{
			best = len;
			best_bits = bit;
			*kk = k;
			memcpy(out, tmp, len);
		}
	}
	free(tmp);
	return best;
}

/* 1 if s is the canonical sketch of h[0..n) according to the models */
static int
matches_model(const Sk *s, int p, const uint64_t *h, size_t n)
{
	uint32_t   *t = malloc(sizeof(uint32_t) * (n + 1));
	size_t		i;
	size_t		d = 0;
	int			ok;

	for (i = 0; i < n; i++)
		t[i] = model_token(h[i]);
	qsort(t, n, sizeof(uint32_t), cmp_u32);
	for (i = 0; i < n; i++)
		if (d == 0 || t[i] != t[d - 1])
			t[d++] = t[i];
	if (d <= ((size_t) 1 << p) / 8)
	{
		uint32_t	cnt;
		uint8_t    *coded = malloc(2 + 9 * d + 200000);	/* model_coded tries k = 0 too */
		int			k = 0;
		size_t		cl = d == 0 ? 0 : model_coded(coded, t, d, &k);

		memcpy(&cnt, s->b + 4, 4);
		ok = s->b[0] == REACH_FORMAT_VERSION && s->b[2] == REACH_REP_SPARSE && s->b[1] == p && cnt == d &&
			s->b[3] == (k << 2) && s->len == 8 + cl && memcmp(s->b + 8, coded, cl) == 0;
		free(coded);
	}
	else
	{
		uint8_t    *regs = model_registers(p, h, n, 0);
		Sk			r = sk_raw(s);

		ok = sk_is_dense(s) && r.b[2] == REACH_REP_DENSE && r.b[1] == p &&
			r.len == 8 + ((size_t) 1 << p) &&
			memcmp(r.b + 8, regs, (size_t) 1 << p) == 0;
		buf_free(&r);
		free(regs);
	}
	free(t);
	return ok;
}

static void
test_sparse_model(void)
{
	uint64_t	rng = 2024;
	int			bad = 0;
	int			cases = 0;
	int			pattern;

	/* skewed hash sets: clustered low bits, long runs, sorted input */
	for (pattern = 0; pattern < 6; pattern++)
	{
		size_t		n = 3000;
		uint64_t   *h = malloc(sizeof(uint64_t) * n);
		size_t		i;
		int			p;

		for (i = 0; i < n; i++)
		{
			uint64_t	r = splitmix64(&rng);

			switch (pattern)
			{
				case 0:			/* 50 distinct 26-bit indices */
					h[i] = (i % 50) | (r << 26);
					break;
				case 1:			/* one 26-bit index */
					h[i] = 12345 | (r << 26);
					break;
				case 2:			/* low 40 bits zero */
					h[i] = (uint64_t) (i + 1) << 40;
					break;
				case 3:			/* ascending raw values */
					h[i] = i;
					break;
				case 4:			/* descending raw values */
					h[i] = n - i;
					break;
				default:		/* sparse then (hash >> p) == 0 heavy */
					h[i] = r & ((UINT64_C(1) << (10 + i % 20)) - 1);
					break;
			}
		}
		for (p = 6; p <= 16; p += 5)
		{
			Sk			s = sk_of(p, h, n);

			cases++;
			if (!matches_model(&s, p, h, n))
			{
				bad++;
				fprintf(stderr, "  pattern %d p=%d differs from the model\n", pattern, p);
			}
			buf_free(&s);
		}
		free(h);
	}

	/* random sets with heavy, irregular repetition, checked midway too */
	{
		int			trial;

		for (trial = 0; trial < 40 / TRIAL_SCALE + 4; trial++)
		{
			size_t		d = 1 + (size_t) (splitmix64(&rng) % 7000);
			int			p = trial % 2 ? 14 : 12;
			uint64_t   *set = stream(5000 + (uint64_t) trial, d);
			size_t		len = d * (1 + splitmix64(&rng) % 5);
			uint64_t   *seq = malloc(sizeof(uint64_t) * len);
			size_t		i;
			Sk			s = sk_state(p);
			size_t		hot = 1 + d / 10;

			for (i = 0; i < len; i++)
			{
				/* first pass in order, then skewed picks (10% hot) */
				if (i < d)
					seq[i] = set[i];
				else if (splitmix64(&rng) % 2)
					seq[i] = set[splitmix64(&rng) % hot];
				else
					seq[i] = set[splitmix64(&rng) % d];
			}
			for (i = 0; i < len; i++)
			{
				sk_add(&s, seq[i]);
				if (i + 1 == len / 3 || i + 1 == len)
				{
					Sk			c = sk_canon(&s);
					size_t		upto = i + 1 < d ? i + 1 : d;

					cases++;
					if (!matches_model(&c, p, set, upto))
					{
						bad++;
						fprintf(stderr, "  trial %d (d=%zu, %zu adds) differs from the model\n",
								trial, d, i + 1);
					}
					buf_free(&c);
				}
			}
			buf_free(&s);
			free(seq);
			free(set);
		}
	}
	CHECK(bad == 0, "%d of %d sketches differ from the token/register models", bad, cases);
	CHECK(protocol_errors == 0, "protocol errors: %d", protocol_errors);
}

/* ---------------------------------------------------------------------
 * edge cases of estimation, merging and export
 * --------------------------------------------------------------------- */

static void
test_edges(void)
{
	uint8_t    *d = calloc(8 + 1024, 1);
	Sk			z;
	size_t		len;
	uint8_t    *out;

	/* an all-zero dense value (valid, e.g. imported) estimates 0 */
	d[0] = 1;
	d[1] = 10;
	d[2] = REACH_REP_DENSE;
	z.b = d;
	z.len = 8 + 1024;
	CHECK(reach_validate(d, z.len) == NULL && reach_estimate(d, z.len) == 0,
		  "all-zero dense estimates 0");
	d[3] = REACH_FLAG_HLL_ONLY;
	CHECK(reach_validate(d, z.len) == NULL && reach_estimate(d, z.len) == 0,
		  "all-zero hll_only estimates 0");
	/* and exports as EMPTY */
	out = sk_to_hll(&z, &len, 0);
	CHECK(len == 3 && out[0] == 0x11, "all-zero dense exports as EMPTY");
	free(out);

	/* saturated registers: infinite, not NaN or negative */
	memset(d + 8, (55 << 2) | 3, 1024);
	d[3] = 0;
	CHECK(reach_validate(d, z.len) == NULL && isinf(reach_estimate(d, z.len)),
		  "fully saturated ULL estimates +inf: %g", reach_estimate(d, z.len));
	memset(d + 8, 55 << 2, 1024);
	d[3] = REACH_FLAG_HLL_ONLY;
	CHECK(isinf(reach_estimate(d, z.len)), "fully saturated HLL estimates +inf");
	/* a few registers at the top value: finite and monotone */
	{
		uint64_t   *h = stream(4, 20000);
		Sk			sp = sk_of(10, h, 20000);
		uint8_t    *hx = sk_to_hll(&sp, &len, 0);
		Sk			impp = sk_from_hll(hx, len);
		Sk			s = sk_raw(&sp);
		Sk			imp = sk_raw(&impp);
		double		e0 = sk_estimate(&sp);
		double		i0 = sk_estimate(&impp);

		CHECK(e0 == sk_estimate(&s) && i0 == sk_estimate(&imp),
			  "packed and raw forms estimate the same");
		buf_free(&sp);
		buf_free(&impp);

		s.b[8 + 3] = (55 << 2) | 3;
		imp.b[8 + 3] = 55 << 2;
		CHECK(isfinite(sk_estimate(&s)) && sk_estimate(&s) >= e0,
			  "ULL with a top register: %g >= %g", sk_estimate(&s), e0);
		CHECK(isfinite(sk_estimate(&imp)) && sk_estimate(&imp) >= i0,
			  "HLL with a top register: %g >= %g", sk_estimate(&imp), i0);
		free(hx);
		buf_free(&imp);
		buf_free(&s);
		free(h);
	}

	/* a sparse value merged into an hll_only dense state */
	{
		uint64_t   *h = stream(6, 30000);
		Sk			big = sk_of(12, h, 20000);
		Sk			small = sk_of(12, h + 20000, 500);
		Sk			all = sk_of(12, h, 20500);
		uint8_t    *hx = sk_to_hll(&big, &len, 0);
		Sk			imp = sk_from_hll(hx, len);
		Sk			c;

		CHECK(small.b[2] == REACH_REP_SPARSE, "500 values at p=12 are sparse");
		sk_merge(&imp, &small);
		c = sk_canon(&imp);
		CHECK((c.b[3] & REACH_FLAG_HLL_ONLY) && same_u(&c, &all, 31),
			  "hll_only (+) sparse adds the tokens' u values");
		buf_free(&c);
		free(hx);
		buf_free(&imp);
		buf_free(&big);
		buf_free(&small);
		buf_free(&all);
		free(h);
	}

	/* a sparse sketch exported at a low log2m comes out FULL */
	{
		uint64_t   *h = stream(8, 2000);
		Sk			s = sk_of(14, h, 2000);
		Sk			w = sk_of(8, h, 2000);
		uint8_t    *a;
		uint8_t    *b;
		size_t		la;
		size_t		lb;

		a = sk_to_hll(&s, &la, 8);
		b = sk_to_hll(&w, &lb, 0);
		CHECK(s.b[2] == REACH_REP_SPARSE && a[0] == 0x14 && la == lb && memcmp(a, b, la) == 0,
			  "sparse p=14 exported at log2m 8 is the FULL hll of the p=8 sketch");
		free(a);
		free(b);
		buf_free(&s);
		buf_free(&w);
		free(h);
	}

	/* regrow refuses sizes it cannot honour */
	{
		Sk			s = sk_of(10, (const uint64_t[]) {1, 2, 3}, 3);
		uint8_t		buf[8 + 4096];

		CHECK(!reach_state_regrow(buf, 8 + 4096, s.b, s.len),
			  "regrow to a dense precision above the source's refused");
		CHECK(!reach_state_regrow(buf, 8 + 4, s.b, s.len),
			  "regrow to a buffer too small for the tokens refused");
		CHECK(reach_state_regrow(buf, 8 + 256, s.b, s.len) && buf[1] == 8 &&
			  buf[2] == REACH_REP_DENSE, "regrow of sparse to dense at a lower precision");
		buf_free(&s);
	}
	free(d);
}

/* ---------------------------------------------------------------------
 * info
 * --------------------------------------------------------------------- */

static void
test_info(void)
{
	uint64_t   *h = stream(11, 3000);
	Sk			s = sk_of(12, h, 100);
	Sk			d = sk_of(10, h, 3000);
	ReachInfo	info;

	reach_get_info(s.b, s.len, &info);
	CHECK(info.precision == 12 && info.representation == REACH_REP_SPARSE &&
		  strcmp(info.representation_name, "sparse") == 0 && info.tokens == 100 &&
		  info.bytes == s.len && s.len < 8 + 240 && !info.hll_only && info.registers == 4096 &&
		  info.sparse_limit == 512, "sparse info");
	reach_get_info(d.b, d.len, &info);
	CHECK(info.precision == 10 && strcmp(info.representation_name, "dense_packed") == 0 &&
		  info.representation == REACH_REP_DENSE_PACKED &&
		  info.nonzero_registers > 900 && info.nonzero_registers <= 1024 &&
		  info.bytes == d.len && d.len < 8 + 1024 && info.tokens == 0, "packed info");
	{
		Sk			r = sk_raw(&d);
		ReachInfo	ri;
		size_t		i;
		uint32_t	nz = 0;

		for (i = 0; i < 1024; i++)
			nz += r.b[8 + i] != 0;
		reach_get_info(r.b, r.len, &ri);
		CHECK(ri.precision == 10 && strcmp(ri.representation_name, "dense") == 0 &&
			  ri.nonzero_registers == nz && info.nonzero_registers == nz &&
			  ri.bytes == 8 + 1024 && ri.tokens == 0, "dense info");
		CHECK(reach_relative_standard_error(r.b, r.len) ==
			  reach_relative_standard_error(d.b, d.len), "packed and raw RSE agree");
		buf_free(&r);
	}
	CHECK(reach_estimate(s.b, s.len) > 99.9, "sparse estimate");
	{
		Sk			st = sk_state(12);

		sk_add(&st, 1);
		reach_get_info(st.b, st.len, &info);
		CHECK(strcmp(info.representation_name, "sparse_buffer") == 0 && info.tokens == 1 &&
			  reach_needs_canonicalize(st.b, st.len) && reach_estimate(st.b, st.len) < 0,
			  "buffer info; estimate asks for canonicalization");
		buf_free(&st);
	}
	buf_free(&s);
	buf_free(&d);
	free(h);
}

/* reach_holds_nothing: from the header (and for dense, the registers) */
static void
test_holds_nothing(void)
{
	uint64_t   *h = stream(31, 20000);
	Sk			empty = sk_of(14, h, 0);
	Sk			one = sk_of(14, h, 1);
	Sk			packed = sk_of(10, h, 20000);
	Sk			raw = sk_raw(&packed);
	Sk			zero = sk_raw(&packed);
	Sk			zero_packed;
	Sk			state = sk_state(10);

	memset(zero.b + 8, 0, zero.len - 8);
	zero_packed = sk_canon(&zero);
	sk_add_all(&state, h, 3);
	CHECK(reach_holds_nothing(empty.b, empty.len), "the empty sketch holds nothing");
	CHECK(!reach_holds_nothing(one.b, one.len), "a one-value sketch holds something");
	CHECK(packed.b[2] == REACH_REP_DENSE_PACKED && !reach_holds_nothing(packed.b, packed.len),
		  "a packed sketch holds something");
	CHECK(!reach_holds_nothing(raw.b, raw.len), "its dense form holds something");
	CHECK(reach_holds_nothing(zero.b, zero.len), "all-zero dense registers hold nothing");
	CHECK(zero_packed.b[2] == REACH_REP_DENSE_PACKED && zero_packed.len == 11 &&
		  reach_holds_nothing(zero_packed.b, zero_packed.len),
		  "their packed form (one symbol, 0, counting 1024) holds nothing");
	CHECK(!reach_holds_nothing(state.b, state.len), "a state with three values holds something");
	free(h);
	buf_free(&empty);
	buf_free(&one);
	buf_free(&packed);
	buf_free(&raw);
	buf_free(&zero);
	buf_free(&zero_packed);
	buf_free(&state);
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_holds_nothing();
	test_registers_match_model();
	test_sparse_exact();
	test_sparse_model();
	test_edges();
	test_info();
	return sketch_report(argv[0]);
}
