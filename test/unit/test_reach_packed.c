/*
 * test_reach_packed.c — unit tests of reach_sketch's DENSE_PACKED
 * representation (src/core/reach_packed.c); packed values as states and
 * merge sources are tested in test_reach_merge.c.
 *
 * The references (reach_packed_reference.h) are written from the
 * specification in docs/FORMAT.md ("reach_sketch", representation 3),
 * independently of the core.  The core must agree with them byte for
 * byte.
 *
 * Also printed: the packed size in bits per register for p = 10 and 14 at
 * n = 2^p/2 .. 100 * 2^p, and the RMSE ratio to postgresql-hll at equal
 * stored bytes that it implies, (0.7609 / 1.04) * sqrt(bits / 5).
 */
#include "reach_test_util.h"
#include "reach_packed_reference.h"

#ifdef UNIT_SANITIZE
#define SCALE 8
#else
#define SCALE 1
#endif


/* a raw DENSE body: header + registers */
static uint8_t *
raw_new(unsigned p, unsigned flags)
{
	size_t		m = (size_t) 1 << p;
	uint8_t    *b = calloc(8 + m, 1);

	b[0] = REACH_FORMAT_VERSION;
	b[1] = (uint8_t) p;
	b[2] = REACH_REP_DENSE;
	b[3] = (uint8_t) flags;
	return b;
}

/* the canonical form of a raw DENSE body, exact size */
static uint8_t *
canon(const uint8_t *raw, size_t *len)
{
	size_t		rl = 8 + ((size_t) 1 << raw[1]);
	size_t		cap = reach_canonical_size(raw, rl);
	uint8_t    *tmp = malloc(cap);
	uint8_t    *out;

	*len = reach_canonicalize(tmp, cap, raw, rl);
	out = dup(tmp, *len);
	free(tmp);
	return out;
}

/* ---------------------------------------------------------------------
 * one raw DENSE sketch checked every way
 * --------------------------------------------------------------------- */

typedef struct Stats
{
	int			checked;
	int			packed;
	int			bad_valid;
	int			bad_roundtrip;
	int			bad_ref;
	int			bad_rule;
	int			bad_optimal;
	int			bad_api;
	int			limited;		/* Huffman deeper than 16: limit in effect */
} Stats;

static void
check_sketch(const uint8_t *raw, Stats *st)
{
	unsigned	p = raw[1];
	size_t		m = (size_t) 1 << p;
	size_t		rl = 8 + m;
	size_t		cl;
	uint8_t    *c = canon(raw, &cl);
	uint32_t	hist[256];
	uint8_t		rlens[256];
	int			nsym;
	uint8_t    *ref;
	size_t		refl;

	st->checked++;
	histogram(raw + 8, m, hist);
	nsym = ref_lengths(hist, rlens);
	ref = ref_encode(raw + 8, p, raw[3], rlens, &refl);

	if (validate_copy(c, cl) != NULL)
	{
		st->bad_valid++;
		fprintf(stderr, "  p=%u canonical invalid: %s\n", p, validate_copy(c, cl));
	}
	/* the rule: packed exactly when the reference packed form is smaller */
	if (refl < rl)
	{
		if (c[2] != REACH_REP_DENSE_PACKED || cl != refl || memcmp(c, ref, refl) != 0)
		{
			st->bad_ref++;
			fprintf(stderr, "  p=%u: core packed form differs from the reference (%zu vs %zu bytes)\n",
					p, cl, refl);
		}
		if (!reach_needs_canonicalize(raw, rl))
			st->bad_rule++;
	}
	else
	{
		if (c[2] != REACH_REP_DENSE || cl != rl || memcmp(c, raw, rl) != 0)
			st->bad_rule++;
		if (reach_needs_canonicalize(raw, rl))
			st->bad_rule++;
	}
	if (reach_needs_canonicalize(c, cl))
		st->bad_rule++;

	if (c[2] == REACH_REP_DENSE_PACKED)
	{
		uint8_t    *e;
		uint8_t    *rd = malloc(m);
		int			depth;
		uint64_t	hc = huffman_cost(hist, &depth);
		uint64_t	bits = 0;
		int			s;
		ReachInfo	ia;
		ReachInfo	ib;

		st->packed++;
		/* expand: the raw bytes again, and the reference decoder agrees */
		if (reach_expanded_size(c, cl) != rl)
			st->bad_api++;
		e = malloc(rl);
		if (!reach_expand(e, rl, c, cl) || memcmp(e, raw, rl) != 0)
			st->bad_roundtrip++;
		if (!ref_decode(c, cl, rd) || memcmp(rd, raw + 8, m) != 0)
			st->bad_roundtrip++;
		/* optimal: equals Huffman's cost unless Huffman needs > 16 bits */
		for (s = 0; s < 256; s++)
			bits += (uint64_t) hist[s] * rlens[s];
		if (depth <= MAXLEN ? bits != hc : bits < hc)
			st->bad_optimal++;
		if (depth > MAXLEN)
			st->limited++;
		/* one symbol: the symbol, its count 2^p, no stream */
		if (nsym == 1 && cl != 8 + 1 + (m < 128 ? 1 : m < 16384 ? 2 : 3))
			st->bad_ref++;
		/* the other entry points give the raw form's answers */
		if (reach_estimate(c, cl) != reach_estimate(raw, rl) ||
			reach_relative_standard_error(c, cl) != reach_relative_standard_error(raw, rl))
			st->bad_api++;
		reach_get_info(c, cl, &ia);
		reach_get_info(raw, rl, &ib);
		if (ia.nonzero_registers != ib.nonzero_registers || ia.bytes != cl ||
			strcmp(ia.representation_name, "dense_packed") != 0 ||
			ia.hll_only != ib.hll_only || ia.precision != ib.precision)
			st->bad_api++;
		{
			size_t		ha = reach_to_hll_size(c, cl, 0);
			size_t		hb = reach_to_hll_size(raw, rl, 0);
			uint8_t    *xa = malloc(ha);
			uint8_t    *xb = malloc(hb);
			size_t		la = reach_to_hll(xa, ha, c, cl, 0);
			size_t		lb = reach_to_hll(xb, hb, raw, rl, 0);

			if (la == 0 || la != lb || memcmp(xa, xb, la) != 0)
				st->bad_api++;
			free(xa);
			free(xb);
		}
		free(rd);
		free(e);
	}
	free(ref);
	free(c);
}

/* ---------------------------------------------------------------------
 * round trips over many shapes
 * --------------------------------------------------------------------- */

static void
report(const char *what, const Stats *st)
{
	CHECK(st->bad_valid == 0, "%s: %d canonical values invalid", what, st->bad_valid);
	CHECK(st->bad_roundtrip == 0, "%s: %d packed values do not expand to their registers", what, st->bad_roundtrip);
	CHECK(st->bad_ref == 0, "%s: %d packed values differ from the reference encoder", what, st->bad_ref);
	CHECK(st->bad_rule == 0, "%s: %d violations of the canonical-form rule", what, st->bad_rule);
	CHECK(st->bad_optimal == 0, "%s: %d codes not optimal", what, st->bad_optimal);
	CHECK(st->bad_api == 0, "%s: %d API answers differ between packed and raw", what, st->bad_api);
	printf("  %s: %d sketches, %d packed, %d with the 16-bit limit in effect\n",
		   what, st->checked, st->packed, st->limited);
}

static void
test_round_trips(void)
{
	Stats		st;
	Stats		sh;
	unsigned	p;

	memset(&st, 0, sizeof(st));
	memset(&sh, 0, sizeof(sh));
	for (p = 4; p <= 18; p++)
	{
		size_t		m = (size_t) 1 << p;
		double		mult[] = {0.25, 0.5, 1, 2.5, 10, 100};
		uint8_t    *raw = raw_new(p, 0);
		uint8_t    *ho = raw_new(p, REACH_FLAG_HLL_ONLY);
		uint64_t	rng = 1000 + p;
		double		added = 0;
		double		top = p <= 10 ? 1e7 / SCALE : 100.0 * (double) m / (p >= 16 ? 10 * SCALE : SCALE);
		int			k;

		for (k = 0; k <= 6; k++)
		{
			double		n = k < 6 ? mult[k] * (double) m + 1 : top;
			size_t		i;

			if (n > top || n <= added)
				continue;
			while (added < n)
			{
				reach_dense_add_hash(raw + 8, p, splitmix64(&rng));
				added++;
			}
			check_sketch(raw, &st);
			for (i = 0; i < m; i++)
				ho[8 + i] = raw[8 + i] & (uint8_t) ~3;
			check_sketch(ho, &sh);
		}
		free(raw);
		free(ho);
	}
	report("ULL registers p=4..18", &st);
	report("HLL_ONLY registers p=4..18", &sh);

	/* odd shapes: constant, two values, one outlier, every valid value */
	memset(&st, 0, sizeof(st));
	for (p = 4; p <= 18; p += 2)
	{
		size_t		m = (size_t) 1 << p;
		uint8_t    *raw = raw_new(p, 0);
		size_t		i;
		unsigned	v;
		uint8_t		valid[256];
		int			nv = 0;
		uint64_t	rng = 77 + p;

		for (v = 0; v < 256; v++)
		{
			unsigned	u = v >> 2;
			unsigned	h = v & 3;

			if (v == 0 || (u >= 1 && u <= 65 - p && !(u == 1 && h) && !(u == 2 && (h & 1))))
				valid[nv++] = (uint8_t) v;
		}
		check_sketch(raw, &st);	/* all zero: one symbol */
		memset(raw + 8, (int) (((64 - p) << 2) | 3), m);
		raw[8] = (uint8_t) (((65 - p) << 2) | 3);
		check_sketch(raw, &st);	/* one below the top but one */
		memset(raw + 8, (65 - p) << 2, m);
		check_sketch(raw, &st);	/* all at the top value */
		memset(raw + 8, 0, m);
		raw[8 + m - 1] = 4;
		check_sketch(raw, &st);	/* one outlier at the end */
		for (i = 0; i < m; i++)
			raw[8 + i] = (uint8_t) (i % 2 ? 4 : 0);
		check_sketch(raw, &st);	/* two equal halves */
		for (i = 0; i < m; i++)
			raw[8 + i] = valid[i % (size_t) nv];
		check_sketch(raw, &st);	/* every valid value */
		/* a geometric histogram: chain-shaped Huffman code deeper than 16 */
		for (i = 0; i < m; i++)
		{
			uint64_t	r = splitmix64(&rng);
			unsigned	z = 0;

			while (z < (unsigned) nv - 1 && (r & 1))
			{
				r >>= 1;
				z++;
			}
			raw[8 + i] = valid[z];
		}
		check_sketch(raw, &st);
		free(raw);
	}
	report("constructed register arrays", &st);
	CHECK(st.limited > 0, "the 16-bit limit was exercised (%d)", st.limited);
}

/* ---------------------------------------------------------------------
 * validation of hostile packed values
 * --------------------------------------------------------------------- */

/* a rejected value; else it must be fully usable and canonical */
static int
rejected_or_usable(const uint8_t *b, size_t len)
{
	uint8_t    *c = dup(b, len);
	int			ok = 1;

	if (reach_validate(c, len) == NULL)
	{
		size_t		el = reach_expanded_size(c, len);
		uint8_t    *e = malloc(el);
		size_t		cap;
		uint8_t    *back;

		ok = reach_expand(e, el, c, len) && reach_validate(e, el) == NULL;
		if (ok)
		{
			cap = reach_canonical_size(e, el);
			back = malloc(cap);
			ok = reach_canonicalize(back, cap, e, el) == len &&
				memcmp(back, c, len) == 0 && reach_estimate(c, len) >= 0;
			free(back);
		}
		free(e);
		ok = ok ? 2 : 0;
	}
	free(c);
	return ok;					/* 1 rejected, 2 accepted and usable, 0 bad */
}

static void
test_validate_packed(void)
{
	uint8_t    *raw = raw_new(10, 0);
	uint64_t	rng = 31;
	size_t		i;
	size_t		len;
	uint8_t    *pk;
	uint32_t	nsym;
	size_t		tbl;
	int			bad;
	int			acc;
	int			rej;
	const char *msg;

	for (i = 0; i < 5000; i++)
		reach_dense_add_hash(raw + 8, 10, splitmix64(&rng));
	pk = canon(raw, &len);
	memcpy(&nsym, pk + 4, 4);
	{
		uint8_t		sy[256];
		uint8_t		ln[256];

		tbl = ref_table(pk, len, nsym, sy, ln);
	}
	CHECK(pk[2] == REACH_REP_DENSE_PACKED && validate_copy(pk, len) == NULL,
		  "fixture is a valid packed value (%zu bytes, %u symbols)", len, nsym);

	/* truncated at every length, and one trailing byte */
	bad = 0;
	for (i = 0; i < len; i++)
		bad += validate_copy(pk, i) == NULL;
	CHECK(bad == 0, "%d truncations of a packed value accepted", bad);
	{
		uint8_t    *t = calloc(len + 1, 1);

		memcpy(t, pk, len);
		msg = validate_copy(t, len + 1);
		CHECK(msg && strncmp(msg, "trailing bytes", 14) == 0, "trailing byte: %s", msg ? msg : "(valid)");
		free(t);
	}

	/* every single-bit flip in the table and in the stream */
	bad = acc = rej = 0;
	for (i = 8 * 8; i < 8 * len; i++)
	{
		uint8_t    *t = dup(pk, len);
		int			r;

		t[i / 8] ^= (uint8_t) (0x80 >> (i % 8));
		r = rejected_or_usable(t, len);
		bad += r == 0;
		acc += r == 2;
		rej += r == 1;
		free(t);
	}
	printf("  bit flips in table and stream: %d rejected, %d accepted as another canonical sketch\n",
		   rej, acc);
	/*
	 * A flip the validator accepts is the canonical form of other registers
	 * (the stream resynchronised and the code lengths did not change):
	 * there is no checksum, as there is none in DENSE, where most flips of
	 * a register byte give another valid register.  It must be usable.
	 */
	CHECK(bad == 0, "%d bit flips accepted but not usable", bad);
	CHECK(rej > 0 && acc + rej == (int) (8 * (len - 8)), "every flip classified");
	/* a changed count no longer sums to 2^p (or breaks its varint) */
	bad = 0;
	{
		size_t		at = 8;
		uint32_t	k;

		for (k = 0; k < nsym; k++)
		{
			size_t		c0 = ++at;	/* past the symbol */

			while (pk[at++] & 0x80)
				;
			for (i = 8 * c0; i < 8 * at; i++)
			{
				uint8_t    *t = dup(pk, len);

				t[i / 8] ^= (uint8_t) (0x80 >> (i % 8));
				bad += validate_copy(t, len) == NULL;
				free(t);
			}
		}
		CHECK(at == tbl, "the table parsed twice alike");
	}
	CHECK(bad == 0, "%d count flips accepted", bad);

	/* nonzero padding */
	{
		uint8_t    *r2 = raw_new(10, 0);
		uint8_t    *v;
		size_t		vl;
		uint32_t	ns;
		int			found = 0;
		uint64_t	seed = 5;

		/* find a sketch whose stream does not end on a byte boundary */
		while (!found)
		{
			uint64_t	bits = 0;
			uint32_t	hist[256];
			uint8_t		lens[256];
			int			s;

			memset(r2 + 8, 0, 1024);
			for (i = 0; i < 3000; i++)
				reach_dense_add_hash(r2 + 8, 10, splitmix64(&seed));
			histogram(r2 + 8, 1024, hist);
			ref_lengths(hist, lens);
			for (s = 0; s < 256; s++)
				bits += (uint64_t) hist[s] * lens[s];
			found = bits % 8 != 0;
		}
		v = canon(r2, &vl);
		memcpy(&ns, v + 4, 4);
		CHECK(validate_copy(v, vl) == NULL, "fixture with padding valid");
		v[vl - 1] |= 1;
		msg = validate_copy(v, vl);
		CHECK(msg && strcmp(msg, "dense_packed padding bits are not zero") == 0,
			  "padding: %s", msg ? msg : "(valid)");
		free(v);
		free(r2);
	}

	/* non-canonical lengths: a valid prefix code, just not ours */
	{
		uint32_t	hist[256];
		uint8_t		lens[256];
		uint8_t		alt[256];
		uint8_t    *v;
		size_t		vl;
		int			s;
		int			a = -1;
		int			b = -1;

		histogram(raw + 8, 1024, hist);
		ref_lengths(hist, lens);
		/* the reference encoder reproduces the core's bytes */
		v = ref_encode(raw + 8, 10, 0, lens, &vl);
		CHECK(vl == len && memcmp(v, pk, len) == 0, "reference encoder = core encoder");
		free(v);
		/*
		 * Version 3 stores no lengths: a stream coded with any others than
		 * the counts give is rejected, as too long or short, or by its
		 * decoded counts.  Version 2 stored them: the checks below of
		 * lengths that are not canonical, incomplete or over-full are of
		 * its tables, which are read forever.
		 */
		{
			int			tried = 0;
			int			accepted = 0;
			int			x;

			for (x = 0; x < 256; x++)
				for (b = 0; b < 256; b++)
					if (lens[x] && lens[b] && lens[x] < lens[b] && tried < 200)
					{
						memcpy(alt, lens, 256);
						alt[x] = lens[b];
						alt[b] = lens[x];
						v = ref_encode_v(raw + 8, 10, 0, alt, 3, &vl);
						accepted += validate_copy(v, vl) == NULL;
						tried++;
						free(v);
					}
			CHECK(tried > 20 && accepted == 0,
				  "%d of %d version-3 streams coded with swapped lengths accepted", accepted, tried);
			b = -1;
		}
		/* swap the lengths of a frequent and a rare symbol */
		memcpy(alt, lens, 256);
		for (s = 0; s < 256; s++)
			if (lens[s])
			{
				if (a < 0 || lens[s] < lens[a])
					a = s;
				if (b < 0 || lens[s] > lens[b])
					b = s;
			}
		alt[a] = lens[b];
		alt[b] = lens[a];
		v = ref_encode_v(raw + 8, 10, 0, alt, 2, &vl);
		msg = validate_copy(v, vl);
		CHECK(msg && strstr(msg, "not the canonical ones") != NULL,
			  "swapped lengths: %s", msg ? msg : "(valid)");
		{
			/* still decodable: expand works on it (it is a prefix code) */
			uint8_t    *e = malloc(8 + 1024);

			CHECK(reach_expand(e, 8 + 1024, v, vl) && memcmp(e + 8, raw + 8, 1024) == 0,
				  "expand decodes a non-canonical but complete code");
			free(e);
		}
		free(v);
		/* an unused symbol in the table (length taken from a split leaf) */
		memcpy(alt, lens, 256);
		{
			int			unused = -1;
			int			u;

			for (u = 0; u < 256; u++)
				if (!hist[u] && (u >> 2) >= 3 && (u >> 2) <= 55)
				{
					unused = u;
					break;
				}
			alt[b] = (uint8_t) (lens[b] + 1);
			alt[unused] = (uint8_t) (lens[b] + 1);
			v = ref_encode_v(raw + 8, 10, 0, alt, 2, &vl);
			msg = validate_copy(v, vl);
			CHECK(msg && strstr(msg, "not the canonical ones") != NULL,
				  "table symbol never used: %s", msg ? msg : "(valid)");
			free(v);
		}
		/* an incomplete code: one length one longer */
		memcpy(alt, lens, 256);
		alt[b] = (uint8_t) (lens[b] + 1);
		v = ref_encode_v(raw + 8, 10, 0, alt, 2, &vl);
		msg = validate_copy(v, vl);
		CHECK(msg && strstr(msg, "incomplete") != NULL, "incomplete code: %s", msg ? msg : "(valid)");
		free(v);
		/* an over-full code: one length one shorter */
		memcpy(alt, lens, 256);
		alt[b] = (uint8_t) (lens[b] - 1);
		alt[a] = (uint8_t) (lens[a] > 1 ? lens[a] - 1 : 1);
		v = ref_encode_v(raw + 8, 10, 0, alt, 2, &vl);
		msg = validate_copy(v, vl);
		CHECK(msg && strstr(msg, "not a prefix code") != NULL, "over-full code: %s", msg ? msg : "(valid)");
		free(v);
	}

	/* a packed value not smaller than the raw form */
	{
		uint8_t    *r4 = raw_new(4, 0);
		uint8_t    *v;
		size_t		vl;
		uint32_t	hist[256];
		uint8_t		lens[256];

		for (i = 0; i < 16; i++)
			r4[8 + i] = (uint8_t) ((3 + i) << 2);	/* 16 distinct values */
		histogram(r4 + 8, 16, hist);
		ref_lengths(hist, lens);
		v = ref_encode(r4 + 8, 4, 0, lens, &vl);
		msg = validate_copy(v, vl);
		CHECK(vl >= 24 && msg && strstr(msg, "not smaller") != NULL,
			  "packed larger than raw (%zu bytes): %s", vl, msg ? msg : "(valid)");
		free(v);
		v = canon(r4, &vl);
		CHECK(vl == 24 && v[2] == REACH_REP_DENSE, "such registers stay raw DENSE");
		free(v);
		free(r4);
	}

	/* table shape */
	{
		uint8_t    *t = dup(pk, len);
		uint32_t	v;
		size_t		second = 9;
		size_t		last = 8;
		uint32_t	k;

		while (pk[second++] & 0x80)
			;
		for (k = 0; k + 1 < nsym; k++)
		{
			last++;
			while (pk[last++] & 0x80)
				;
		}
		t[second] = t[8];		/* first two symbols equal */
		msg = validate_copy(t, len);
		CHECK(msg && strstr(msg, "out of order or repeated") != NULL, "repeated symbol: %s", msg ? msg : "(valid)");
		memcpy(t, pk, len);
		t[last] = 0xff;			/* last symbol: u = 63, above 65 - p */
		msg = validate_copy(t, len);
		CHECK(msg && strstr(msg, "invalid register") != NULL, "invalid symbol: %s", msg ? msg : "(valid)");
		memcpy(t, pk, len);
		t[3] = REACH_FLAG_HLL_ONLY;	/* ULL symbols under hll_only */
		msg = validate_copy(t, len);
		CHECK(msg && strstr(msg, "history bits") != NULL, "hll_only with history: %s", msg ? msg : "(valid)");
		memcpy(t, pk, len);
		v = 0;
		memcpy(t + 4, &v, 4);
		CHECK(validate_copy(t, len) != NULL, "0 symbols");
		v = 257;
		memcpy(t + 4, &v, 4);
		CHECK(validate_copy(t, len) != NULL, "257 symbols");
		v = 0xffffffffu;
		memcpy(t + 4, &v, 4);
		CHECK(validate_copy(t, len) != NULL, "2^32-1 symbols");
		v = nsym + 1;
		memcpy(t + 4, &v, 4);
		CHECK(validate_copy(t, len) != NULL, "one symbol more than the table");
		free(t);
	}

	/* counts: zero, overlong varints, not summing to 2^p, a varint cut off */
	{
		/* p = 4, two symbols: 0x00 x 10 and 0x0c x 6; codes 0 and 1 */
		uint8_t		two[8 + 4 + 2] = {3, 4, 3, 0, 2, 0, 0, 0, 0x00, 10, 0x0c, 6};
		uint8_t		over[8 + 5 + 2] = {3, 4, 3, 0, 2, 0, 0, 0, 0x00, 0x8a, 0x00, 0x0c, 6};
		uint8_t		m;

		/* registers 0..9 hold 0x00 (code 0), 10..15 hold 0x0c (code 1) */
		two[12] = 0x00;
		two[13] = 0x3f;
		memcpy(over + 13, two + 12, 2);
		CHECK(validate_copy(two, sizeof(two)) == NULL, "hand-made two-symbol table: %s",
			  validate_copy(two, sizeof(two)) ? validate_copy(two, sizeof(two)) : "");
		msg = validate_copy(over, sizeof(over));
		CHECK(msg && strstr(msg, "not a shortest varint") != NULL, "overlong count: %s", msg ? msg : "(valid)");
		m = two[9];
		two[9] = 0;
		msg = validate_copy(two, sizeof(two));
		CHECK(msg && strstr(msg, "count 0 of symbol 0 is out of range") != NULL, "count 0: %s", msg ? msg : "(valid)");
		two[9] = 11;
		msg = validate_copy(two, sizeof(two));
		CHECK(msg && strstr(msg, "count 6 of symbol 1 is out of range (1..5 left") != NULL,
			  "counts over 2^p: %s", msg ? msg : "(valid)");
		two[9] = 9;
		msg = validate_copy(two, sizeof(two));
		CHECK(msg && strstr(msg, "sum to 15, not the 16 registers") != NULL, "counts under 2^p: %s", msg ? msg : "(valid)");
		two[9] = m;
		msg = validate_copy(two, 11);
		CHECK(msg && strstr(msg, "truncated") != NULL, "table cut after a symbol: %s", msg ? msg : "(valid)");
		two[9] = 0x80 | 10;
		msg = validate_copy(two, 10);
		CHECK(msg && strstr(msg, "ends in the count") != NULL, "varint cut off: %s", msg ? msg : "(valid)");
		two[9] = m;
		two[13] = 0x1f;			/* decodes to eleven 0x00 and five 0x0c */
		msg = validate_copy(two, sizeof(two));
		CHECK(msg && strstr(msg, "its table counts") != NULL, "stream against counts: %s", msg ? msg : "(valid)");
		CHECK(reach_validate_shallow(two, sizeof(two)) == NULL, "which only the decode can tell");
	}

	/* version-2 tables (read forever): a length out of range */
	{
		uint32_t	hist[256];
		uint8_t		lens[256];
		uint8_t    *t;
		size_t		vl;

		histogram(raw + 8, 1024, hist);
		ref_lengths(hist, lens);
		t = ref_encode_v(raw + 8, 10, 0, lens, 2, &vl);
		CHECK(validate_copy(t, vl) == NULL, "the version-2 form is valid");
		CHECK(reach_needs_canonicalize(t, vl), "and not canonical");
		{
			size_t		cap = reach_canonical_size(t, vl);
			uint8_t    *c = malloc(cap);
			size_t		cl = reach_canonicalize(c, cap, t, vl);

			CHECK(cl == len && memcmp(c, pk, len) == 0, "its canonical form is version 3's");
			CHECK(reach_estimate(t, vl) == reach_estimate(pk, len), "with the same estimate");
			free(c);
		}
		t[9] = 17;
		msg = validate_copy(t, vl);
		CHECK(msg && strstr(msg, "out of range (1..16)") != NULL, "length 17: %s", msg ? msg : "(valid)");
		t[9] = 0;
		msg = validate_copy(t, vl);
		CHECK(msg && strstr(msg, "out of range (1..16)") != NULL, "length 0: %s", msg ? msg : "(valid)");
		free(t);
	}

	/* single-symbol values */
	{
		uint8_t		one[11] = {3, 10, 3, 0, 1, 0, 0, 0, 0, 0x80, 0x08};
		uint8_t		twelve[12] = {3, 10, 3, 0, 1, 0, 0, 0, 0, 0x80, 0x08, 0};
		uint8_t		v1[10] = {1, 10, 3, 0, 1, 0, 0, 0, 0, 0};
		uint8_t		v1e[11] = {1, 10, 3, 0, 1, 0, 0, 0, 0, 0, 0};
		uint8_t    *e = malloc(8 + 1024);

		CHECK(validate_copy(one, 11) == NULL, "all-zero p=10 packs to 11 bytes (count 1024)");
		CHECK(reach_expand(e, 8 + 1024, one, 11) && e[2] == REACH_REP_DENSE &&
			  e[1] == 10 && reach_estimate(one, 11) == 0, "and expands to zeros, estimate 0");
		CHECK(validate_copy(twelve, 12) != NULL, "single symbol with a stream byte rejected");
		one[10] = 0x07;
		CHECK(validate_copy(one, 11) != NULL, "single symbol counting 1023 rejected");
		one[10] = 0x08;
		one[8] = 0x01;
		CHECK(validate_copy(one, 11) != NULL, "single invalid symbol rejected");
		CHECK(validate_copy(v1, 10) == NULL, "version 1's single symbol (length 0) is valid");
		v1[9] = 1;
		CHECK(validate_copy(v1, 10) != NULL, "its single symbol with length 1 rejected");
		CHECK(validate_copy(v1e, 11) != NULL, "and with a stream byte");
		free(e);
	}

	/* random mutations of several packed values: rejected or usable */
	{
		int			it;
		uint8_t    *fx[4];
		size_t		fl[4];
		unsigned	ps[4] = {4, 8, 12, 14};
		int			k;

		for (k = 0; k < 4; k++)
		{
			uint8_t    *r = raw_new(ps[k], k == 3 ? REACH_FLAG_HLL_ONLY : 0);
			size_t		m = (size_t) 1 << ps[k];

			for (i = 0; i < 3 * m; i++)
				reach_dense_add_hash(r + 8, ps[k], splitmix64(&rng));
			if (k == 3)
				for (i = 0; i < m; i++)
					r[8 + i] &= (uint8_t) ~3;
			if (k == 0)
				memset(r + 8 + 4, 0, 12);	/* p=4: make it packable */
			fx[k] = canon(r, &fl[k]);
			CHECK(fx[k][2] == REACH_REP_DENSE_PACKED, "mutation fixture %d is packed", k);
			free(r);
		}
		bad = acc = 0;
		for (it = 0; it < 40000 / SCALE; it++)
		{
			int			f = it % 4;
			size_t		l = fl[f];
			uint8_t    *m = dup(fx[f], l);
			int			nmut = 1 + (int) (splitmix64(&rng) % 3);
			int			r;

			while (nmut-- > 0)
			{
				/* mostly the header and table, where the structure is */
				size_t		at = splitmix64(&rng) % 2 ? splitmix64(&rng) % (l < 80 ? l : 80)
					: splitmix64(&rng) % l;

				m[at] ^= (uint8_t) (1 + splitmix64(&rng) % 255);
			}
			if (it % 7 == 0)
				l = (size_t) (splitmix64(&rng) % (l + 1));
			r = rejected_or_usable(m, l);
			bad += r == 0;
			acc += r == 2;
			free(m);
		}
		CHECK(bad == 0, "%d mutated packed values accepted but not usable", bad);
		printf("  random mutations: %d of %d accepted (as other canonical sketches)\n", acc, 40000 / SCALE);
		for (k = 0; k < 4; k++)
			free(fx[k]);
	}
	free(pk);
	free(raw);
}

/* ---------------------------------------------------------------------
 * folding a packed value into a state: the same registers as folding its
 * expansion (the same-precision fold merges as it decodes)
 * --------------------------------------------------------------------- */

static void
test_fold_packed(void)
{
	uint64_t	rng = 77;
	unsigned	ps[] = {4, 8, 10, 14};
	size_t		ns[] = {0, 3, 40, 400, 5000, 60000};
	int			bad = 0;
	int			cases = 0;
	unsigned	a;
	unsigned	b;
	int			hll;

	for (a = 0; a < 4; a++)
		for (b = 0; b < 6; b++)
			for (hll = 0; hll < 2; hll++)
			{
				unsigned	p = ps[a];
				size_t		m = (size_t) 1 << p;
				uint8_t    *src = raw_new(p, hll ? REACH_FLAG_HLL_ONLY : 0);
				uint8_t    *st = raw_new(p, 0);
				uint8_t    *pk;
				size_t		len;
				size_t		i;
				unsigned	q;

				for (i = 0; i < ns[b]; i++)
					reach_dense_add_hash(src + 8, p, splitmix64(&rng));
				if (hll)
					for (i = 0; i < m; i++)
						src[8 + i] &= (uint8_t) ~3;
				if (b == 5)
					memset(src + 8, hll ? 12 << 2 : (12 << 2) | 3, m);	/* one symbol */
				for (i = 0; i < m / 3; i++)
					reach_dense_add_hash(st + 8, p, splitmix64(&rng));
				pk = canon(src, &len);
				if (pk[2] != REACH_REP_DENSE_PACKED)
				{
					free(pk);
					free(src);
					free(st);
					continue;
				}
				/* into a DENSE state at p and, folded, at up to two lower precisions */
				for (q = p; q >= 4 && q + 3 > p; q--)
				{
					size_t		sl = 8 + ((size_t) 1 << q);
					uint8_t    *dense_into = raw_new(q, 0);
					uint8_t    *packed_into;
					size_t		r1;
					size_t		r2;

					memcpy(dense_into + 8, st + 8, (size_t) 1 << q);
					packed_into = dup(dense_into, sl);
					r1 = reach_state_merge(dense_into, sl, src, 8 + m);
					r2 = reach_state_merge(packed_into, sl, pk, len);
					cases++;
					if (r1 != 0 || r2 != 0 || memcmp(dense_into, packed_into, sl) != 0)
					{
						bad++;
						fprintf(stderr, "  p=%u q=%u n=%zu hll=%d: packed fold differs\n",
								p, q, ns[b], hll);
					}
					free(dense_into);
					free(packed_into);
				}
				free(pk);
				free(src);
				free(st);
			}
	CHECK(cases > 60 && bad == 0, "%d of %d packed folds differ from folding the expansion", bad, cases);
}

/* ---------------------------------------------------------------------
 * measured size
 * --------------------------------------------------------------------- */

static void
test_measured_bits(void)
{
	unsigned	ps[2] = {10, 14};
	int			pi;

	printf("  packed size, averaged over trials (bits per register, whole body):\n");
	for (pi = 0; pi < 2; pi++)
	{
		unsigned	p = ps[pi];
		size_t		m = (size_t) 1 << p;
		double		mult[5] = {0.5, 1, 2.5, 10, 100};
		double		sum[5] = {0, 0, 0, 0, 0};
		double		sumh[5] = {0, 0, 0, 0, 0};
		int			trials = (p == 10 ? 40 : 8) / (SCALE > 1 ? 4 : 1);
		int			t;
		int			k;

		for (t = 0; t < trials; t++)
		{
			uint8_t    *raw = raw_new(p, 0);
			uint8_t    *ho = raw_new(p, REACH_FLAG_HLL_ONLY);
			uint64_t	rng = 7000 + 131 * (uint64_t) t + p;
			double		added = 0;

			for (k = 0; k < 5; k++)
			{
				size_t		len;
				uint8_t    *c;
				size_t		i;

				while (added < mult[k] * (double) m)
				{
					reach_dense_add_hash(raw + 8, p, splitmix64(&rng));
					added++;
				}
				c = canon(raw, &len);
				sum[k] += 8.0 * (double) len / (double) m;
				free(c);
				for (i = 0; i < m; i++)
					ho[8 + i] = raw[8 + i] & (uint8_t) ~3;
				c = canon(ho, &len);
				sumh[k] += 8.0 * (double) len / (double) m;
				free(c);
			}
			free(raw);
			free(ho);
		}
		for (k = 0; k < 5; k++)
		{
			double		b = sum[k] / trials;
			double		ratio = (0.7608621002725182 / 1.04) * sqrt(b / 5);

			printf("    p=%-2u n=%5.1f*2^p  ULL %.3f bits/register -> RMSE vs hll at equal bytes %.3f"
				   "   (hll_only registers %.3f bits)\n",
				   p, mult[k], b, ratio, sumh[k] / trials);
			if (mult[k] >= 1)
				CHECK(ratio <= 0.9, "p=%u n=%.1f*2^p: ratio %.3f above 0.9", p, mult[k], ratio);
			CHECK(b < 7.56, "p=%u n=%.1f*2^p: %.3f bits per register", p, mult[k], b);
		}
	}
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_round_trips();
	test_validate_packed();
	test_fold_packed();
	test_measured_bits();
	return sketch_report(argv[0]);
}
