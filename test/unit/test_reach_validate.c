/*
 * test_reach_validate.c — unit tests of reach_validate
 * (src/core/reach_validate.c): hostile bodies are rejected with a message
 * saying what is wrong, and every value the API writes is accepted.
 */
#include "reach_test_util.h"

/* ---------------------------------------------------------------------
 * validation
 * --------------------------------------------------------------------- */

#define rejects(b, len)	validation_rejects(&reach_sketch_type, b, len)

/* a SPARSE value as format version 1 wrote it: sorted 26-bit tokens */
static Sk
sparse_v1_of(int p, const uint64_t *h, size_t n)
{
	Sk			s;
	uint32_t   *t = malloc(4 * n);
	size_t		i;
	size_t		d = 0;

	for (i = 0; i < n; i++)
	{
		uint64_t	rest = h[i] >> 26;
		uint32_t	r = rest == 0 ? 39 : 1 + (uint32_t) __builtin_ctzll(rest);

		t[i] = (uint32_t) ((h[i] & 0x3FFFFFF) << 6) | r;
	}
	qsort(t, n, 4, cmp_u32);
	for (i = 0; i < n; i++)
		if (d == 0 || t[i] != t[d - 1])
			t[d++] = t[i];
	s.len = 8 + 4 * d;
	s.b = calloc(1, s.len);
	s.b[0] = 1;
	s.b[1] = (uint8_t) p;
	s.b[2] = REACH_REP_SPARSE;
	memcpy(s.b + 4, &d, 4);
	memcpy(s.b + 8, t, 4 * d);
	free(t);
	return s;
}
#define msg_of(b, len)	validation_message(&reach_sketch_type, b, len)

static void
test_validate(void)
{
	uint64_t   *h = stream(4242, 5000);
	Sk			sparse = sk_of(12, h, 50);
	Sk			sparse1 = sparse_v1_of(12, h, 50);
	Sk			packed = sk_of(8, h, 5000);
	Sk			dense = sk_raw(&packed);	/* a raw DENSE value stays valid */
	Sk			state = sk_state(12);
	uint8_t    *b;
	size_t		len;
	int			bad;

	sk_add_all(&state, h, 30);

	CHECK(!rejects(sparse.b, sparse.len) && sparse.b[2] == REACH_REP_SPARSE, "valid sparse");
	CHECK(!rejects(dense.b, dense.len) && dense.b[2] == REACH_REP_DENSE, "valid dense");
	CHECK(!rejects(packed.b, packed.len) && packed.b[2] == REACH_REP_DENSE_PACKED, "valid packed");
	CHECK(!rejects(state.b, state.len) && state.b[2] == REACH_REP_SPARSE_BUFFER, "valid buffer");

	/* header fields */
	b = malloc(dense.len + 8);
	memcpy(b, dense.b, dense.len);
	b[0] = 7;
	CHECK(strcmp(msg_of(b, dense.len),
				 "reach_sketch format version 7 is not supported (expected 1..3)") == 0,
		  "version message: %s", msg_of(b, dense.len));
	b[0] = 0;
	CHECK(rejects(b, dense.len), "version 0");
	b[0] = 1;
	CHECK(!rejects(b, dense.len), "a version-1 dense value (the same layout) is valid");
	b[0] = 2;
	b[1] = 3;
	CHECK(rejects(b, dense.len), "precision 3");
	CHECK(strcmp(msg_of(b, dense.len), "precision 3 is out of range (4..18)") == 0,
		  "precision message: %s", msg_of(b, dense.len));
	b[1] = 19;
	CHECK(rejects(b, dense.len), "precision 19");
	b[1] = 8;
	b[2] = 0;
	CHECK(rejects(b, dense.len), "representation 0");
	b[2] = 3;
	CHECK(strcmp(msg_of(b, dense.len),
				 "dense_packed value of 264 bytes is not smaller than the 264-byte dense form of precision 8") == 0,
		  "representation 3 message: %s", msg_of(b, dense.len));
	b[2] = 5;
	CHECK(rejects(b, dense.len), "representation 5");
	b[2] = 2;
	b[3] = 2;
	CHECK(strcmp(msg_of(b, dense.len), "reserved flag bits set (flags 0x02)") == 0,
		  "flags message: %s", msg_of(b, dense.len));
	b[3] = 0x80;
	CHECK(rejects(b, dense.len), "flag bit 7");
	b[3] = 0;
	b[4] = 1;
	CHECK(rejects(b, dense.len), "dense with a count");
	b[4] = 0;
	CHECK(!rejects(b, dense.len), "restored dense is valid");

	/* invalid registers: u = 0 with history, u too large, u=1 with h, u=2 with bit 0 */
	{
		uint8_t		badregs[] = {0x01, 0x03, (uint8_t) ((65 - 8 + 1) << 2), 0x05, 0x06, 0x09, 0xff};
		size_t		i;

		bad = 0;
		for (i = 0; i < sizeof(badregs); i++)
		{
			uint8_t		save = b[8 + 17];

			b[8 + 17] = badregs[i];
			if (!rejects(b, dense.len))
				bad++;
			b[8 + 17] = save;
		}
		CHECK(bad == 0, "%d invalid register values accepted", bad);
		b[8 + 17] = 0xff;
		CHECK(strcmp(msg_of(b, dense.len), "register 17 holds invalid value 0xff") == 0,
			  "register message: %s", msg_of(b, dense.len));
		b[8 + 17] = dense.b[8 + 17];
		/* the largest u at p=8 is 57; with both history bits it is valid */
		b[8 + 17] = (uint8_t) ((57 << 2) | 3);
		CHECK(!rejects(b, dense.len), "u = 65-p with history is valid");
		b[8 + 17] = (uint8_t) ((2 << 2) | 2);
		CHECK(!rejects(b, dense.len), "u = 2 with u-1 seen is valid");
		/* hll_only with history bits */
		b[3] = REACH_FLAG_HLL_ONLY;
		CHECK(rejects(b, dense.len), "hll_only with history bits");
		b[3] = 0;
		b[8 + 17] = dense.b[8 + 17];
	}

	/* truncation at every length, trailing bytes */
	bad = 0;
	for (len = 0; len < dense.len; len++)
		bad += !rejects(dense.b, len);
	CHECK(bad == 0, "%d truncations of a dense value accepted", bad);
	bad = 0;
	for (len = 0; len < sparse.len; len++)
		bad += !rejects(sparse.b, len);
	CHECK(bad == 0, "%d truncations of a sparse value accepted", bad);
	bad = 0;
	for (len = 0; len < sparse1.len; len++)
		bad += !rejects(sparse1.b, len);
	CHECK(bad == 0, "%d truncations of a version-1 sparse value accepted", bad);
	b = realloc(b, sparse1.len + 4);
	memcpy(b, sparse.b, sparse.len);
	b[sparse.len] = 0;
	CHECK(rejects(b, sparse.len + 1), "sparse with a trailing byte");
	CHECK(strcmp(msg_of(b, sparse.len + 1),
				 "sparse token stream has bytes or nonzero padding bits after its 50 tokens") == 0,
		  "trailing message: %s", msg_of(b, sparse.len + 1));
	memcpy(b, sparse1.b, sparse1.len);
	b[sparse1.len] = 0;
	CHECK(strncmp(msg_of(b, sparse1.len + 1), "trailing bytes", 14) == 0,
		  "version-1 trailing message: %s", msg_of(b, sparse1.len + 1));
	CHECK(strcmp(msg_of(sparse1.b, 8 + 4 * 3),
				 "truncated: 20 bytes for 50 sparse entries, expected 208") == 0,
		  "truncated message: %s", msg_of(sparse1.b, 8 + 4 * 3));
	b = realloc(b, dense.len + 1);
	memcpy(b, dense.b, dense.len);
	b[dense.len] = 0;
	CHECK(rejects(b, dense.len + 1), "dense with a trailing byte");

	/* version-1 sparse ordering, duplicates, invalid tokens, too many */
	b = realloc(b, sparse1.len);
	memcpy(b, sparse1.b, sparse1.len);
	memcpy(b + 8 + 4 * 3, sparse1.b + 8 + 4 * 4, 4);
	memcpy(b + 8 + 4 * 4, sparse1.b + 8 + 4 * 3, 4);
	CHECK(strcmp(msg_of(b, sparse1.len), "sparse entries out of order at entry 4") == 0,
		  "order message: %s", msg_of(b, sparse1.len));
	memcpy(b, sparse1.b, sparse1.len);
	memcpy(b + 8 + 4 * 4, sparse1.b + 8 + 4 * 3, 4);
	CHECK(strcmp(msg_of(b, sparse1.len), "duplicate sparse entry at entry 4") == 0,
		  "duplicate message: %s", msg_of(b, sparse1.len));
	memcpy(b, sparse1.b, sparse1.len);
	b[8 + 4 * 5] = (uint8_t) ((b[8 + 4 * 5] & 0xc0) | 40);	/* r26 = 40 */
	CHECK(rejects(b, sparse1.len), "sparse token with r26 = 40");
	b[8 + 4 * 5] = (uint8_t) (b[8 + 4 * 5] & 0xc0);	/* r26 = 0 */
	CHECK(rejects(b, sparse1.len), "sparse token with r26 = 0");
	memcpy(b, sparse1.b, sparse1.len);
	b[3] = REACH_FLAG_HLL_ONLY;
	CHECK(rejects(b, sparse1.len), "hll_only on sparse");
	{
		/* 5 sorted tokens at p=4 (limit 4) */
		uint8_t		s5[8 + 20] = {1, 4, 1, 0, 5, 0, 0, 0};
		int			i;

		for (i = 0; i < 5; i++)
		{
			uint32_t	t = ((uint32_t) (i + 1) << 6) | 1;

			memcpy(s5 + 8 + 4 * i, &t, 4);
		}
		CHECK(rejects(s5, sizeof(s5)), "version-1 sparse with more than 2^p/4 entries");
		s5[1] = 5;
		CHECK(!rejects(s5, sizeof(s5)), "the same 5 entries at p=5 are valid");
	}

	/* version-2 coded sparse: its k, its tokens, its count */
	{
		/* tokens (index 1, r 1), (1, 2), (3, 45) at k = 0: gaps 1, 0, 2 */
		uint8_t		c3[8 + 8] = {2, 5, 1, 0, 3, 0, 0, 0};
		size_t		bit = 0;
		size_t		clen;

#define PUT(v) do { if (v) c3[8 + bit / 8] |= (uint8_t) (1u << (bit % 8)); bit++; } while (0)
		PUT(0); PUT(1); PUT(1);			/* gap 1, r 1 */
		PUT(1); PUT(0); PUT(1);			/* gap 0, r 2 */
		PUT(0); PUT(0); PUT(1);			/* gap 2 */
		{
			int			j;

			for (j = 1; j < 45; j++)
				PUT(0);
			PUT(1);						/* r 45 */
		}
#undef PUT
		clen = 8 + (bit + 7) / 8;
		CHECK(!rejects(c3, clen), "three hand-coded tokens at k = 0: %s", msg_of(c3, clen));
		c3[3] = 1 << 2;
		CHECK(strncmp(msg_of(c3, clen), "sparse token stream is invalid", 30) == 0 ||
			  strncmp(msg_of(c3, clen), "sparse Rice parameter 1 is not", 30) == 0,
			  "k = 1 reads other tokens or is not canonical: %s", msg_of(c3, clen));
		c3[3] = 21 << 2;
		CHECK(strcmp(msg_of(c3, clen), "sparse Rice parameter 21 is out of range (0..20)") == 0,
			  "k = 21: %s", msg_of(c3, clen));
		c3[3] = 2;
		CHECK(rejects(c3, clen), "reserved flag bit 1");
		c3[3] = 1;
		CHECK(rejects(c3, clen), "hll_only on a coded sparse value");
		c3[3] = 0;
		c3[8] |= (uint8_t) (1u << 4);	/* the second token's r 2 -> 1 repeats the first */
		CHECK(rejects(c3, clen), "a stream whose tokens do not increase");
		c3[8] = (uint8_t) (c3[8] & ~(1u << 4));
		c3[4] = 2;
		CHECK(rejects(c3, clen), "a stream with more tokens than its count");
		c3[4] = 4;
		CHECK(rejects(c3, clen), "a count the stream does not hold");
		c3[4] = 0;
		CHECK(rejects(c3, clen), "an empty sketch with a stream");
		CHECK(!rejects(c3, 8), "the empty sketch is the header alone");
	}
	{
		/* one token with 46 zero bits for r: a run length past 45 */
		uint8_t		c1[8 + 10] = {2, 5, 1, 20 << 2, 1, 0, 0, 0};
		size_t		bit = 1 + 20;		/* gap 0 at k = 20: one bit, then 20 zero bits */

		c1[8] = 1;
		bit += 46;
		c1[8 + bit / 8] |= (uint8_t) (1u << (bit % 8));
		CHECK(rejects(c1, sizeof(c1)), "a run length past 45");
	}
	{
		/* more tokens than 2^p/8 at p = 4: 3 > 2 */
		Sk			t3 = sk_of(5, h, 3);

		CHECK(t3.b[2] == REACH_REP_SPARSE, "3 values at p = 5 are sparse");
		t3.b[1] = 4;
		CHECK(strcmp(msg_of(t3.b, t3.len),
					 "sparse representation holds 3 entries, more than the 2 allowed at precision 4") == 0,
			  "too many: %s", msg_of(t3.b, t3.len));
		buf_free(&t3);
	}

	/* sparse buffer: count beyond capacity, nonzero unused slot, odd size */
	b = realloc(b, state.len);
	memcpy(b, state.b, state.len);
	b[4] = 13;
	CHECK(rejects(b, state.len), "buffer count above capacity");
	b[4] = state.b[4];
	b[state.len - 1] = 1;
	CHECK(rejects(b, state.len), "buffer with a nonzero unused slot");
	b[state.len - 1] = 0;
	CHECK(!rejects(b, state.len - 4), "buffer with one slot fewer is still valid");
	CHECK(rejects(b, state.len - 1), "buffer not a whole number of slots");
	bad = 0;
	for (len = 0; len < 8 + 4 * (size_t) state.b[4]; len++)
		bad += !rejects(state.b, len);
	CHECK(bad == 0, "%d truncations of a buffer below its count accepted", bad);
	CHECK(rejects(state.b, 3), "3 bytes");
	CHECK(rejects((const uint8_t *) "", 0), "0 bytes");

	/* random garbage and single-byte mutations never crash */
	{
		uint64_t	rng = 99;
		int			i;

		for (i = 0; i < 20000; i++)
		{
			const Sk   *src = (i % 3 == 0) ? &dense : (i % 3 == 1) ? &sparse : &state;
			size_t		l = src->len;
			uint8_t    *m = malloc(l);

			memcpy(m, src->b, l);
			m[splitmix64(&rng) % l] ^= (uint8_t) (1 + splitmix64(&rng) % 255);
			if (i % 5 == 0)
				l = (size_t) (splitmix64(&rng) % (l + 1));
			(void) reach_validate(m, l);
			free(m);
		}
		CHECK(1, "mutation fuzzing ran");
	}

	free(b);
	buf_free(&sparse);
	buf_free(&sparse1);
	buf_free(&dense);
	buf_free(&packed);
	buf_free(&state);
	free(h);
}

/* everything the API writes validates (many shapes and precisions) */
static void
test_outputs_validate(void)
{
	int			p;
	int			bad = 0;
	size_t		ns[] = {0, 1, 3, 5, 30, 300, 3000, 30000};

	for (p = 4; p <= 18; p++)
	{
		size_t		i;

		for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++)
		{
			uint64_t   *h = stream(p * 100 + i, ns[i]);
			Sk			s = sk_state(p);
			Sk			c;
			size_t		j;

			for (j = 0; j < ns[i]; j++)
			{
				sk_add(&s, h[j]);
				if (j % 97 == 0 && reach_validate(s.b, s.len) != NULL)
					bad++;
			}
			if (reach_validate(s.b, s.len) != NULL)
				bad++;
			c = sk_canon(&s);
			/* canonicalizing a canonical value is the identity */
			{
				Sk			c2 = sk_canon(&c);

				if (!buf_eq(&c, &c2))
					bad++;
				buf_free(&c2);
			}
			/* a stored value can be used as a state again */
			{
				Sk			st = buf_copy(&c);
				Sk			c3;

				sk_add(&st, UINT64_C(0xdeadbeef));
				if (reach_validate(st.b, st.len) != NULL)
					bad++;
				c3 = sk_canon(&st);
				buf_free(&c3);
				buf_free(&st);
			}
			buf_free(&c);
			buf_free(&s);
			free(h);
		}
	}
	CHECK(bad == 0, "%d API outputs failed validation", bad);
	CHECK(protocol_errors == 0, "protocol errors: %d", protocol_errors);
	{
		uint8_t		tmp[64];

		CHECK(reach_state_init(tmp, 8, 14), "init of a zero-capacity buffer");

		CHECK(!reach_state_init(tmp, 64, 3), "precision 3 refused");
		CHECK(!reach_state_init(tmp, 64, 19), "precision 19 refused");
		CHECK(!reach_state_init(tmp, 63, 14), "odd length refused");
	}
}

/*
 * How many of the two readers of a stored value give a number for c: its
 * estimate (not -1), and a merge into an empty dense state of its
 * precision (not REACH_BAD_SOURCE).
 */
static int
gives_a_number(const uint8_t *c, size_t len)
{
	int			p = c[1];
	int			n = reach_estimate(c, len) >= 0;
	Sk			d;

	d.len = 8 + ((size_t) 1 << p);
	d.b = calloc(1, d.len);
	d.b[0] = REACH_FORMAT_VERSION;
	d.b[1] = (uint8_t) p;
	d.b[2] = REACH_REP_DENSE;
	n += reach_state_merge(d.b, d.len, c, len) != REACH_BAD_SOURCE;
	buf_free(&d);
	return n;
}

/*
 * A version-2 DENSE_PACKED value, frozen: reach_agg(x, 10) over x in
 * 1..5000, written by commit 5a3ad59, the last to write format 2 (its
 * table: (symbol, code length) pairs).  Never regenerate it.
 */
static const char packed_v2_hex[] =
	"020a0300220000000006040408060a020c070d040e060f03100511041205130414041505"
	"16061707180519061a071b0a1c051d071e0a1f0a200621082208240725092808290a2c09"
	"3009340949f4f9950ebd7cbbdead7f8b12947917cf5bdc2df7db0950e3e9c4910abcf4ab"
	"6870c3b34ce5939d2584d86add48e6370d0a57216cbb34332f3943e9a21c98f95cb01721"
	"3689a58a6ba4f6d5817e2ddd24dca23070905da0626fa584e48ca717cf7a2325e5a56980"
	"76cf7bf6e5c97c6065dd2b7ddf7f46238a9f3cffeaf9a53a1cf34f45ba8c3428a7833ca6"
	"1f4927b692c68edd0d408370cd2e7a92abb759c71fddda207ab165226a82a924dcef3848"
	"ce9cf3f13fe3a022ef02ba6c2882784b639b8eb988c8a1dc15fb8b730269f58a625779e2"
	"ca73c19194280ff2aa1e03e1330343c2a2f10fa67566c2622512d98138db039b23b616e6"
	"e5c47eb7136b0deaf5ac74b8683df7ff360e4b5cb8ddb215ce2d18d9984a6a0e5a1352c2"
	"4d6884d98b53c340844f3858f4e87ad984c136c99937b419868fa2c321f010856933ae57"
	"fb22887584a175ac653beca4c295ed4b669b61ad1825669c56a3c4fda86af295f911fcf5"
	"eeae36f6652ef23159d52c69e57aa86e4e20f1bbf683dcb181a127601d64c571c6a5e4c5"
	"866af9d4b8b23ed839e142f6a2b369a8c8469a1b3d7e85e78816eb2813c4f19883b773f1"
	"27e6156477e61f595966853ef1e85fc4b1a47647455168eb90e3df93379e929ad38ddef5"
	"59f1eba8c46208c7c4f7af1109da1b20d4ff59d113dad778b843244ca8c7efe974d8b77a"
	"da3cb0e217b716e82c23c4bec0d84dc090";

/* bytes of a packed value's code table after the header */
static size_t
table_bytes(const uint8_t *b)
{
	uint32_t	nsym = (uint32_t) (b[4] | b[5] << 8);
	size_t		at = 8;
	uint32_t	k;

	if (b[0] < 3)
		return 2 * (size_t) nsym;
	for (k = 0; k < nsym; k++)
	{
		at++;
		while (b[at++] & 0x80)
			;
	}
	return at - 8;
}

/*
 * reach_validate_shallow leaves a packed stream to whatever decodes it.
 * Before version 3 the estimate decodes it too: every corrupted stream
 * that the shallow check passes but the full one rejects must make the
 * estimate fail (-1, and the RSE it needs) and a merge fail
 * (REACH_BAD_SOURCE), never give a number.  Version 3's estimate reads
 * the counts the table stores, which the shallow check proved consistent,
 * so a corrupted stream leaves it unchanged; a merge decodes the stream
 * and fails when it does not end exactly (not, for speed, on registers
 * that differ: see reach_packed_fold_union), and never reads out of
 * bounds.
 */
static void
shallow_then_decode(const Sk *packed, uint64_t seed)
{
	uint64_t	rng = seed;
	size_t		tbl = 8 + table_bytes(packed->b);
	bool		counts = packed->b[0] >= 3;
	double		est = reach_estimate(packed->b, packed->len);
	int			shallow_only = 0;
	int			silent = 0;
	int			merges_failed = 0;
	int			it;

	for (it = 0; it < 4000; it++)
	{
		uint8_t    *c = dup(packed->b, packed->len);
		size_t		at = tbl + splitmix64(&rng) % (packed->len - tbl);
		bool		full_ok;

		c[at] ^= (uint8_t) (1u << (splitmix64(&rng) % 8));
		full_ok = reach_validate(c, packed->len) == NULL;
		if (reach_validate_shallow(c, packed->len) != NULL)
		{
			CHECK(!full_ok, "the shallow check rejects what the full one accepts");
			free(c);
			continue;
		}
		if (!full_ok)
		{
			shallow_only++;
			if (counts)
			{
				silent += reach_estimate(c, packed->len) != est;
				merges_failed += gives_a_number(c, packed->len) == 1;
			}
			else
				silent += gives_a_number(c, packed->len);
		}
		free(c);
	}
	CHECK(shallow_only > 100, "version %d: %d corrupted streams passed the shallow check only",
		  packed->b[0], shallow_only);
	if (counts)
	{
		CHECK(silent == 0, "version 3: %d of them changed the estimate", silent);
		printf("  version 3: %d corrupted streams passed the shallow check only; merges failed on %d\n",
			   shallow_only, merges_failed);
	}
	else
		CHECK(silent == 0, "version %d: %d of them gave a number instead of failing",
			  packed->b[0], silent);
}

static void
test_shallow_then_decode(void)
{
	uint64_t   *h = stream(777, 30000);
	Sk			packed = sk_of(12, h, 30000);
	Sk			v2;
	uint8_t		buf[sizeof(packed_v2_hex) / 2];
	int			n = hex_decode(packed_v2_hex, buf, sizeof(buf));

	CHECK(packed.b[2] == REACH_REP_DENSE_PACKED && packed.b[0] == 3, "the fixture is packed");
	shallow_then_decode(&packed, 99);
	CHECK(n == 593 && buf[0] == 2 && buf[2] == REACH_REP_DENSE_PACKED &&
		  reach_validate(buf, (size_t) n) == NULL, "the frozen version-2 fixture is valid");
	v2.b = dup(buf, (size_t) n);
	v2.len = (size_t) n;
	shallow_then_decode(&v2, 98);
	{
		/* and it is reach_agg(x, 10) over 1..5000 */
		uint64_t   *hi = int_hashes(1, 5000);
		Sk			now = sk_of(10, hi, 5000);
		Sk			c = sk_canon(&v2);

		CHECK(buf_eq(&c, &now), "version 2's packed fixture converts to today's sketch of the same values");
		CHECK(reach_estimate(v2.b, v2.len) == reach_estimate(now.b, now.len), "with the same estimate");
		buf_free(&c);
		buf_free(&now);
		free(hi);
	}
	free(h);
	buf_free(&v2);
	buf_free(&packed);
}

/*
 * The same for a coded sparse value: its shallow check reads the header
 * only, and the estimate and a merge decode the stream and fail on a bad
 * one.  A stream that decodes to valid tokens under a Rice parameter that
 * is not the shortest is the one exception the full check alone rejects:
 * it holds a set (the one its tokens say) and reads as that set.
 */
static void
test_sparse_shallow_then_decode(void)
{
	uint64_t   *h = stream(778, 1500);
	Sk			sparse = sk_of(14, h, 1500);
	uint64_t	rng = 7;
	int			shallow_only = 0;
	int			silent = 0;
	int			it;

	CHECK(sparse.b[2] == REACH_REP_SPARSE, "the fixture is sparse");
	for (it = 0; it < 4000; it++)
	{
		uint8_t    *c = dup(sparse.b, sparse.len);
		size_t		at = 8 + splitmix64(&rng) % (sparse.len - 8);
		const char *msg;

		c[at] ^= (uint8_t) (1u << (splitmix64(&rng) % 8));
		if (reach_validate_shallow(c, sparse.len) != NULL ||
			(msg = reach_validate(c, sparse.len)) == NULL ||
			strstr(msg, "is not the canonical one") != NULL)
		{
			free(c);
			continue;
		}
		shallow_only++;
		silent += gives_a_number(c, sparse.len);
		free(c);
	}
	CHECK(shallow_only > 100, "%d corrupted sparse streams passed the shallow check only", shallow_only);
	CHECK(silent == 0, "%d of them gave a number instead of failing", silent);
	free(h);
	buf_free(&sparse);
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_validate();
	test_outputs_validate();
	test_shallow_then_decode();
	test_sparse_shallow_then_decode();
	return sketch_report(argv[0]);
}
