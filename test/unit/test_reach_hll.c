/*
 * test_reach_hll.c — unit tests of the postgresql-hll interchange
 * (src/core/reach_hll.c).
 *
 * The postgresql-hll byte strings are literal outputs of the real
 * postgresql-hll (Debian postgresql-15-hll 2.17, extension 2.16) in a
 * throwaway PostgreSQL 15 cluster; the queries are quoted next to them.
 */
#include "reach_test_util.h"

/* ---------------------------------------------------------------------
 * postgresql-hll interchange
 * --------------------------------------------------------------------- */

static uint8_t *
hll_of(const char *hex, size_t *len)
{
	uint8_t    *b = malloc(strlen(hex) / 2 + 1);
	int			n = hex_decode(hex, b, strlen(hex) / 2);

	*len = (size_t) n;
	return b;
}

static char *
to_hex(const uint8_t *b, size_t n)
{
	char	   *s = malloc(2 * n + 1);
	size_t		i;

	for (i = 0; i < n; i++)
		sprintf(s + 2 * i, "%02x", b[i]);
	s[2 * n] = 0;
	return s;
}

/* the raw DENSE form of a sketch at its precision (for comparing registers) */
static Sk
densify(const Sk *s)
{
	Sk			d;

	if (sk_is_dense(s))
		return sk_raw(s);
	d.len = 8 + ((size_t) 1 << s->b[1]);
	d.b = malloc(d.len);
	if (!reach_state_regrow(d.b, d.len, s->b, s->len) ||
		reach_validate(d.b, d.len) != NULL || d.b[2] != REACH_REP_DENSE)
		protocol_errors++;
	return d;
}

static void
test_hll(void)
{
	size_t		len;
	uint8_t    *hll;
	Sk			s;
	Sk			want;
	char	   *hex;

	/* select hll_empty(11,5,-1,1) */
	hll = hll_of("118b7f", &len);
	CHECK(reach_from_hll_check(hll, len) == NULL, "EMPTY accepted");
	s = sk_from_hll(hll, len);
	CHECK(s.len == 8 && s.b[1] == 11 && s.b[2] == REACH_REP_SPARSE && sk_estimate(&s) == 0,
		  "EMPTY imports as the empty p=11 sketch");
	buf_free(&s);
	free(hll);

	/* select hll_add_agg(hll_hash_bigint(v), 11, 5, -1, 1) from generate_series(1,5) v */
	hll = hll_of("128b7fb419d210486ab6c1de0820a06c76c0a8004403b7fb05c44a0fd4c5f69b6c771b5b3d5839b2488b0c", &len);
	CHECK(reach_from_hll_check(hll, len) == NULL, "EXPLICIT accepted");
	s = sk_from_hll(hll, len);
	{
		uint64_t   *h = int_hashes(1, 5);

		want = sk_of(11, h, 5);
		free(h);
	}
	CHECK(buf_eq(&s, &want), "EXPLICIT 1..5 imports exactly as reach_agg(1..5, 11)");
	CHECK(!(s.b[3] & REACH_FLAG_HLL_ONLY), "EXPLICIT import is not hll_only");
	buf_free(&s);
	buf_free(&want);
	free(hll);

	/* select hll_add_agg(hll_hash_text(s), 11, 5, -1, 1) from unnest(array['alice','bob','carol']) s */
	hll = hll_of("128b7fb51b1f0c60b4afddd4023cc5798841dc4f1a4f97e8b355aa", &len);
	s = sk_from_hll(hll, len);
	{
		uint64_t	h[3];

		h[0] = ie_hash_bytes("alice", 5);
		h[1] = ie_hash_bytes("bob", 3);
		h[2] = ie_hash_bytes("carol", 5);
		want = sk_of(11, h, 3);
	}
	CHECK(buf_eq(&s, &want), "EXPLICIT of text hashes imports exactly");
	buf_free(&s);
	buf_free(&want);
	free(hll);

	/*
	 * select hll_add_agg(hll_hash_bigint(v), 10, 4, 0, 1) from
	 * generate_series(1,20) v  -- SPARSE, regwidth 4
	 */
	hll = hll_of("136a401284a8536cce234645b61740e09294c6721b046c52ba170c2c6c7791e6c7a21ec87e61", &len);
	CHECK(reach_from_hll_check(hll, len) == NULL, "SPARSE accepted");
	s = sk_from_hll(hll, len);
	{
		uint64_t   *h = int_hashes(1, 20);
		Sk			w0 = sk_of(10, h, 20);

		want = densify(&w0);
		buf_free(&w0);
		free(h);
	}
	CHECK(s.b[2] == REACH_REP_DENSE_PACKED && (s.b[3] & REACH_FLAG_HLL_ONLY) && s.b[1] == 10 &&
		  reach_validate(s.b, s.len) == NULL && !reach_needs_canonicalize(s.b, s.len),
		  "SPARSE imports as a canonical hll_only dense p=10 (packed)");
	CHECK(same_u(&s, &want, 15), "SPARSE registers equal min(u, 15) of reach_agg(1..20, 10)");
	CHECK(fabs(sk_estimate(&s) - 20) < 2, "estimate of the SPARSE import: %.3f", sk_estimate(&s));
	buf_free(&s);
	buf_free(&want);
	free(hll);

	/*
	 * select hll_add_agg(hll_hash_bigint(v), 4, 3, 0, 0) from
	 * generate_series(1,100) v  -- FULL, regwidth 3
	 */
	hll = hll_of("144400b9f3a179baaa", &len);
	CHECK(reach_from_hll_check(hll, len) == NULL, "FULL w=3 accepted");
	s = sk_from_hll(hll, len);
	{
		uint64_t   *h = int_hashes(1, 100);

		want = sk_of(4, h, 100);
		free(h);
	}
	CHECK(same_u(&s, &want, 7), "FULL w=3 registers equal min(u, 7) of reach_agg(1..100, 4)");
	buf_free(&s);
	buf_free(&want);
	free(hll);

	/*
	 * select hll_add_agg(hll_hash_bigint(v), 6, 5, -1, 1) from
	 * generate_series(1,200) v  -- FULL, regwidth 5: also what we export
	 */
	{
		const char *ref = "14867f19086190831902938860204831842431825084461844418862188a4104a220c41194672086010c63";
		uint64_t   *h = int_hashes(1, 200);
		uint8_t    *out;
		size_t		olen;

		hll = hll_of(ref, &len);
		s = sk_from_hll(hll, len);
		want = sk_of(6, h, 200);
		CHECK(same_u(&s, &want, 31), "FULL w=5 registers equal u of reach_agg(1..200, 6)");
		out = sk_to_hll(&want, &olen, 0);
		hex = to_hex(out, olen);
		CHECK(strcmp(hex, ref) == 0, "export of reach_agg(1..200, 6) is hll's own bytes: %s", hex);
		free(hex);
		free(out);
		buf_free(&s);
		buf_free(&want);
		free(hll);
		free(h);
	}

	/*
	 * select hll_add_agg(hll_hash_bigint(v), 8, 5, -1, 1) from
	 * generate_series(1,40) v  -- SPARSE: also what we export
	 */
	{
		const char *ref = "13887f00081842441811908d847c84622b0970cd026c14a1a989542ac16013909d02ee2790cd86883507b20db07045861c51658f403aa5db2f09f88bcc1e817b08";
		uint64_t   *h = int_hashes(1, 40);
		uint8_t    *out;
		size_t		olen;
		Sk			d;

		/* at p = 9, where 40 values stay sparse (2^9 / 8 = 64), exported at 8 */
		want = sk_of(9, h, 40);
		CHECK(want.b[2] == REACH_REP_SPARSE, "40 values at p=9 stay sparse");
		out = sk_to_hll(&want, &olen, 8);
		hex = to_hex(out, olen);
		CHECK(strcmp(hex, ref) == 0, "export of sparse reach_agg(1..40, 8) is hll's own bytes: %s", hex);
		free(hex);
		free(out);
		/* and from the dense form of the same registers */
		d = densify(&want);
		out = sk_to_hll(&d, &olen, 8);
		hex = to_hex(out, olen);
		CHECK(strcmp(hex, ref) == 0, "export of the dense form gives the same bytes");
		free(hex);
		free(out);
		buf_free(&d);
		buf_free(&want);
		free(h);
	}

	/* round trip: export then import keeps the u registers, p = 4..17 */
	{
		int			p;
		int			bad = 0;

		for (p = 4; p <= 17; p++)
		{
			size_t		sizes[3] = {(size_t) 1 << (p - 3), (size_t) 3 << p, 50000};
			int			k;

			for (k = 0; k < 3; k++)
			{
				uint64_t   *h = stream(500 + p * 3 + k, sizes[k]);
				Sk			a = sk_of(p, h, sizes[k]);
				Sk			ad = densify(&a);
				uint8_t    *out = sk_to_hll(&a, &len, 0);
				Sk			b;

				if (reach_from_hll_check(out, len) != NULL)
					bad++;
				b = sk_from_hll(out, len);
				if (reach_validate(b.b, b.len) != NULL || !same_u(&ad, &b, 31) ||
					!(b.b[3] & REACH_FLAG_HLL_ONLY))
					bad++;
				free(out);
				buf_free(&a);
				buf_free(&ad);
				buf_free(&b);
				free(h);
			}
		}
		CHECK(bad == 0, "%d export/import round trips lost registers", bad);
	}

	/* p=18 exports at log2m 17 (hll's maximum): the p=17 sketch's hll */
	{
		uint64_t   *h = stream(1818, 300000);
		Sk			a = sk_of(18, h, 300000);
		Sk			b = sk_of(17, h, 300000);
		uint8_t    *oa;
		uint8_t    *ob;
		size_t		la;
		size_t		lb;

		oa = sk_to_hll(&a, &la, 0);
		ob = sk_to_hll(&b, &lb, 0);
		CHECK(la == lb && memcmp(oa, ob, la) == 0 && oa[1] == ((4 << 5) | 17),
			  "p=18 exports as log2m 17, folded exactly");
		free(oa);
		free(ob);
		/* an explicit log2m 11 export of p=17 equals the p=11 sketch's */
		buf_free(&a);
		a = sk_of(11, h, 300000);
		oa = sk_to_hll(&a, &la, 0);
		ob = sk_to_hll(&b, &lb, 11);
		CHECK(la == lb && memcmp(oa, ob, la) == 0, "export at a chosen log2m folds exactly");
		free(oa);
		free(ob);
		CHECK(reach_to_hll_size(b.b, b.len, 18) == 0 && reach_to_hll_size(b.b, b.len, 3) == 0,
			  "export log2m outside 4..min(p,17) refused");
		buf_free(&a);
		buf_free(&b);
		free(h);
	}

	/* empty exports as EMPTY */
	{
		uint8_t		e[8];
		Sk			es;
		uint8_t    *out;

		reach_init_empty(e, 8, 14);
		es.b = e;
		es.len = 8;
		out = sk_to_hll(&es, &len, 0);
		CHECK(len == 3 && out[0] == 0x11 && out[1] == ((4 << 5) | 14) && out[2] == 0x7f,
			  "empty sketch exports as EMPTY");
		free(out);
	}

	/* import folds log2m > 18 down to 18: a hand-built FULL at log2m 20 */
	{
		size_t		m20 = (size_t) 1 << 20;
		size_t		n = 400000;
		uint64_t   *h = stream(2020, n);
		uint8_t    *regs = model_registers(20, h, n, 1);
		size_t		hl = 3 + (5 * m20 + 7) / 8;
		uint8_t    *hb = calloc(hl, 1);
		size_t		i;
		Sk			got;
		Sk			w18 = sk_of(18, h, n);

		hb[0] = 0x14;
		hb[1] = (4 << 5) | 20;
		hb[2] = 0x7f;
		for (i = 0; i < m20; i++)
		{
			unsigned	u = regs[i] >> 2;
			uint64_t	pos = (uint64_t) i * 5;
			int			bit;

			if (u > 31)
				u = 31;
			for (bit = 4; bit >= 0; bit--, pos++)
				if ((u >> bit) & 1)
					hb[3 + pos / 8] |= (uint8_t) (0x80 >> (pos % 8));
		}
		CHECK(reach_from_hll_check(hb, hl) == NULL, "FULL log2m 20 accepted: %s",
			  reach_from_hll_check(hb, hl) ? reach_from_hll_check(hb, hl) : "");
		got = sk_from_hll(hb, hl);
		CHECK(got.b[1] == 18 && same_u(&got, &w18, 31), "log2m 20 folds to the p=18 registers");
		buf_free(&got);
		buf_free(&w18);
		free(hb);
		free(regs);
		free(h);
	}

	/* an EXPLICIT with more tokens than the sparse limit imports dense */
	{
		size_t		n = 40;
		uint64_t   *h = stream(77, n);
		uint8_t    *hb = malloc(3 + 8 * n);
		size_t		i;
		int64_t    *sorted = malloc(sizeof(int64_t) * n);
		Sk			got;
		Sk			w;

		for (i = 0; i < n; i++)
			sorted[i] = (int64_t) h[i];
		/* insertion sort as signed */
		for (i = 1; i < n; i++)
		{
			int64_t		v = sorted[i];
			size_t		j = i;

			while (j > 0 && sorted[j - 1] > v)
			{
				sorted[j] = sorted[j - 1];
				j--;
			}
			sorted[j] = v;
		}
		hb[0] = 0x12;
		hb[1] = (4 << 5) | 5;	/* log2m 5: limit 8 tokens */
		hb[2] = 0x7f;
		for (i = 0; i < n; i++)
		{
			int			k;

			for (k = 0; k < 8; k++)
				hb[3 + 8 * i + k] = (uint8_t) ((uint64_t) sorted[i] >> (56 - 8 * k));
		}
		got = sk_from_hll(hb, 3 + 8 * n);
		w = sk_of(5, h, n);
		CHECK(got.b[2] == REACH_REP_DENSE && buf_eq(&got, &w),
			  "EXPLICIT of 40 at log2m 5 imports as the dense reach_agg");
		/* out of order explicit elements are rejected */
		memcpy(hb + 3, sorted + 0, 0);
		{
			uint8_t		t[8];

			memcpy(t, hb + 3, 8);
			memcpy(hb + 3, hb + 11, 8);
			memcpy(hb + 11, t, 8);
		}
		CHECK(reach_from_hll_check(hb, 3 + 8 * n) != NULL, "unsorted EXPLICIT rejected");
		buf_free(&got);
		buf_free(&w);
		free(sorted);
		free(hb);
		free(h);
	}

	/* hll_only is sticky and merging takes max u with history cleared */
	{
		uint64_t   *h = stream(808, 20000);
		Sk			a = sk_of(10, h, 10000);
		uint8_t    *out = sk_to_hll(&a, &len, 0);
		Sk			imp = sk_from_hll(out, len);
		Sk			b = sk_of(10, h + 5000, 15000);
		Sk			all = sk_of(10, h, 20000);
		Sk			m = buf_copy(&b);
		Sk			c;
		size_t		i;
		int			hist = 0;

		sk_merge(&m, &imp);
		c = sk_canon(&m);
		CHECK((c.b[3] & REACH_FLAG_HLL_ONLY) && same_u(&c, &all, 31),
			  "ULL (+) hll_only = hll_only union of u registers");
		{
			Sk			r = sk_raw(&c);

			for (i = 0; i < 1024; i++)
				hist |= r.b[8 + i] & 3;
			buf_free(&r);
		}
		CHECK(hist == 0, "no history bits in an hll_only result");
		buf_free(&c);
		buf_free(&m);
		/* the other way round, and with a sparse state */
		m = buf_copy(&imp);
		sk_merge(&m, &b);
		c = sk_canon(&m);
		CHECK((c.b[3] & REACH_FLAG_HLL_ONLY) && same_u(&c, &all, 31), "hll_only (+) ULL");
		buf_free(&c);
		buf_free(&m);
		{
			Sk			small = sk_of(10, h, 10);

			m = buf_copy(&small);
			sk_merge(&m, &imp);
			c = sk_canon(&m);
			CHECK((c.b[3] & REACH_FLAG_HLL_ONLY) && sk_is_dense(&c),
				  "sparse (+) hll_only is hll_only dense");
			buf_free(&c);
			buf_free(&m);
			buf_free(&small);
		}
		/* adding to an hll_only state keeps it hll_only */
		m = buf_copy(&imp);
		sk_add_all(&m, h + 10000, 10000);
		CHECK(reach_validate(m.b, m.len) == NULL && (m.b[3] & REACH_FLAG_HLL_ONLY) &&
			  same_u(&m, &all, 31), "adds to an hll_only state");
		buf_free(&m);
		free(out);
		buf_free(&a);
		buf_free(&imp);
		buf_free(&b);
		buf_free(&all);
		free(h);
	}

	/* hostile hll bytes */
	{
		const char *bad[] = {
			"",					/* too short */
			"11",				/* too short */
			"218b7f",			/* schema version 2 */
			"108b7f",			/* undefined */
			"158b7f",			/* unknown type */
			"118bff",			/* padding bit of the cutoff byte */
			"118b60",			/* cutoff 32 */
			"118b7f00",			/* empty with data */
			"128b7f0000",		/* explicit not a multiple of 8 */
			"128b7f00000000000000020000000000000001",	/* explicit descending */
			"128b7f00000000000000010000000000000001",	/* explicit repeated */
			"14837f00",			/* full log2m 3 */
			"14847f0000000000000000000000",	/* full log2m 4 w5: 10 bytes expected, 11 */
			"13847f0801",		/* sparse: nonzero padding bits */
			"14847fff00000000000000000000"	/* full: too long */
		};
		size_t		i;
		int			acc = 0;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		{
			uint8_t    *hb = hll_of(bad[i], &len);
			uint8_t    *c = malloc(len ? len : 1);

			memcpy(c, hb, len);
			if (reach_from_hll_check(c, len) == NULL)
			{
				acc++;
				fprintf(stderr, "  accepted hostile hll %s\n", bad[i]);
			}
			free(c);
			free(hb);
		}
		CHECK(acc == 0, "%d hostile hll values accepted", acc);

		/* a FULL register above 65 - log2m: log2m 4 regwidth 6, value 62 */
		{
			uint8_t		f[3 + 12];

			memset(f, 0, sizeof(f));
			f[0] = 0x14;
			f[1] = (5 << 5) | 4;
			f[2] = 0x7f;
			CHECK(reach_from_hll_check(f, sizeof(f)) == NULL, "zero FULL w6 accepted");
			f[3] = 62 << 2;		/* register 0 = 62 > 61 */
			CHECK(reach_from_hll_check(f, sizeof(f)) != NULL, "FULL register 62 at log2m 4 rejected");
			f[3] = 61 << 2;
			CHECK(reach_from_hll_check(f, sizeof(f)) == NULL, "FULL register 61 at log2m 4 accepted");
		}
		/*
		 * log2m 4, regwidth 1: 5-bit words (3,1) (9,1) = 00111 10011 and six
		 * zero padding bits, which hold a whole (0,0) word
		 */
		{
			uint8_t		sp[] = {0x13, 0x04, 0x7f, 0x3c, 0xc0};
			Sk			r;

			CHECK(reach_from_hll_check(sp, sizeof(sp)) == NULL,
				  "SPARSE with a word-sized padding accepted: %s",
				  reach_from_hll_check(sp, sizeof(sp)) ? reach_from_hll_check(sp, sizeof(sp)) : "");
			r = sk_from_hll(sp, sizeof(sp));
			{
				Sk			x = sk_raw(&r);

				CHECK(r.b[2] == REACH_REP_DENSE_PACKED && x.len == 8 + 16 &&
					  x.b[8 + 3] == 4 && x.b[8 + 9] == 4 &&
					  x.b[8 + 0] == 0 && x.b[8 + 1] == 0, "its registers 3 and 9 hold u = 1");
				buf_free(&x);
			}
			buf_free(&r);
		}
		/* sparse with descending indices (log2m 4, w 4: 8-bit words) */
		{
			uint8_t		sp[] = {0x13, (3 << 5) | 4, 0x7f, 0x21, 0x11};

			CHECK(reach_from_hll_check(sp, sizeof(sp)) != NULL, "SPARSE out of order rejected");
			sp[3] = 0x11;
			sp[4] = 0x21;
			CHECK(reach_from_hll_check(sp, sizeof(sp)) == NULL, "SPARSE in order accepted");
		}

		/* truncations and mutations of valid hll values never crash */
		{
			const char *good[] = {
				"14867f19086190831902938860204831842431825084461844418862188a4104a220c41194672086010c63",
				"13887f00081842441811908d847c84622b0970cd026c14a1a989542ac16013909d02ee2790cd86883507b20db07045861c51658f403aa5db2f09f88bcc1e817b08",
				"128b7fb419d210486ab6c1de0820a06c76c0a8004403b7fb05c44a0fd4c5f69b6c771b5b3d5839b2488b0c",
			};
			uint64_t	rng = 5;
			int			k;
			int			truncated_ok = 0;

			for (k = 0; k < 3; k++)
			{
				size_t		l;
				int			it;
				uint8_t    *g = hll_of(good[k], &len);

				for (l = 0; l < len; l++)
				{
					uint8_t    *c = malloc(l ? l : 1);

					memcpy(c, g, l);
					if (reach_from_hll_check(c, l) == NULL)
						truncated_ok++;
					free(c);
				}
				for (it = 0; it < 3000; it++)
				{
					uint8_t    *c = malloc(len);

					memcpy(c, g, len);
					c[splitmix64(&rng) % len] ^= (uint8_t) (1 + splitmix64(&rng) % 255);
					if (reach_from_hll_check(c, len) == NULL)
					{
						Sk			r = sk_from_hll(c, len);

						if (reach_validate(r.b, r.len) != NULL)
							protocol_errors++;
						buf_free(&r);
					}
					free(c);
				}
				free(g);
			}
			/* a SPARSE cut at a word boundary is still a valid SPARSE */
			CHECK(truncated_ok <= 40, "%d truncated hll values accepted", truncated_ok);
		}
	}
	CHECK(protocol_errors == 0, "protocol errors: %d", protocol_errors);
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_hll();
	return sketch_report(argv[0]);
}
