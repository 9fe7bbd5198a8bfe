/*
 * test_frequency_validate.c — unit tests of frequency_validate
 * (src/core/frequency_validate.c): every rule broken by hand with its
 * message, corrupted values used in every way, and malformed states.
 */
#include "frequency_test_util.h"

/* ---------------------------------------------------------------------
 * validation
 * --------------------------------------------------------------------- */

#define msg_of(b, len)	validation_message(&frequency_sketch_type, b, len)
#define rejects(b, len)	validation_rejects(&frequency_sketch_type, b, len)

/* build a canonical body by hand: entries given as (delta, count) */
static size_t
hand_canon(uint8_t *b, uint32_t k, uint32_t n, uint64_t theta, uint64_t total,
		   const uint64_t *pairs, size_t npairs)
{
	size_t		len = 28;
	size_t		i;

	b[0] = 1;
	b[1] = 1;
	b[2] = 0;
	b[3] = 0;
	wr32(b + 4, k);
	wr32(b + 8, n);
	wr64(b + 12, theta);
	wr64(b + 20, total);
	for (i = 0; i < npairs; i++)
		len += model_varint(b + len, pairs[i]);
	return len;
}

static void
expect_msg(const uint8_t *b, size_t len, const char *want, const char *what)
{
	const char *m = msg_of(b, len);

	CHECK(strcmp(m, want) == 0, "%s: got \"%s\", want \"%s\"", what, m, want);
}

/* use a value the validator accepted in every way the glue could */
static int
exercise(const uint8_t *b, size_t len)
{
	Sk			v;
	Sk			c;
	Sk			st;
	FrequencyBucket hist[5];
	FrequencyInfo info;
	int			ok = 1;

	v.b = malloc(len);
	memcpy(v.b, b, len);
	v.len = len;
	c = sk_canon(&v);
	ok &= frequency_validate(c.b, c.len) == NULL;
	frequency_get_info(v.b, v.len, &info);
	(void) frequency_reach(c.b, c.len);
	(void) frequency_average(c.b, c.len);
	(void) frequency_reach_at_least(c.b, c.len, 3);
	ok &= frequency_histogram(c.b, c.len, 5, hist);
	(void) frequency_intersection(c.b, c.len, c.b, c.len);
	(void) frequency_difference(c.b, c.len, c.b, c.len);
	/* as a merge source, as the first state, and as a state receiving rows */
	st = sk_state(16);
	sk_merge(&st, &v);
	sk_merge(&st, &c);
	sk_add(&st, 12345, 2);
	ok &= frequency_validate(st.b, st.len) == NULL;
	buf_free(&st);
	st = buf_copy(&v);
	sk_add(&st, 99, 1);
	sk_add(&st, 0, 1);
	sk_merge(&st, &c);
	ok &= frequency_validate(st.b, st.len) == NULL;
	buf_free(&st);
	/* canonicalizing a canonical value is the identity */
	{
		Sk			cc = sk_canon(&c);

		ok &= buf_eq(&cc, &c);
		buf_free(&cc);
	}
	buf_free(&c);
	buf_free(&v);
	return ok;
}

static void
test_validate(void)
{
	uint8_t		b[512];
	size_t		len;
	uint64_t	p[64];
	int			i;

	/* a valid small exact value: hashes 5, 9, 10 with counts 1, 2, 3 */
	p[0] = 5;
	p[1] = 1;
	p[2] = 4;
	p[3] = 2;
	p[4] = 1;
	p[5] = 3;
	len = hand_canon(b, 16, 3, UINT64_MAX, 6, p, 6);
	expect_msg(b, len, "(valid)", "hand-made value");
	CHECK(exercise(b, len), "hand-made value usable");

	/* header */
	expect_msg(b, 27, "truncated: 27 bytes, the frequency_sketch header alone is 28", "short header");
	expect_msg(b, 0, "truncated: 0 bytes, the frequency_sketch header alone is 28", "empty input");
	b[0] = 2;
	expect_msg(b, len, "frequency_sketch format version 2 is not supported (expected 1)", "version");
	b[0] = 1;
	b[1] = 4;
	expect_msg(b, len, "representation 4 is unknown", "representation");
	b[1] = 0;
	expect_msg(b, len, "representation 0 is unknown", "representation 0");
	b[1] = 1;
	b[2] = 1;
	expect_msg(b, len, "reserved flag bits set (flags 0x01)", "flags");
	b[2] = 0;
	b[3] = 0x80;
	expect_msg(b, len, "reserved byte 3 is 0x80, not 0", "reserved byte");
	b[3] = 0;
	wr32(b + 4, 8);
	expect_msg(b, len, "k 8 is out of range (16..1048576)", "k too small");
	wr32(b + 4, 1048577);
	expect_msg(b, len, "k 1048577 is out of range (16..1048576)", "k too large");
	wr32(b + 4, 16);
	expect_msg(b, len, "(valid)", "restored");

	/* entries */
	p[2] = 0;
	len = hand_canon(b, 16, 3, UINT64_MAX, 6, p, 6);
	expect_msg(b, len, "entries out of order at entry 1: duplicate hash", "duplicate");
	p[2] = UINT64_MAX - 5;
	len = hand_canon(b, 16, 3, UINT64_MAX, 6, p, 6);
	expect_msg(b, len, "entry 1 is not below theta", "hash UINT64_MAX in exact mode");
	p[2] = UINT64_MAX - 4;
	len = hand_canon(b, 16, 3, UINT64_MAX, 6, p, 6);
	expect_msg(b, len, "entries out of order at entry 1: hash passes 2^64", "wrap-around = out of order");
	p[2] = 4;
	p[3] = 0;
	len = hand_canon(b, 16, 3, UINT64_MAX, 4, p, 6);
	expect_msg(b, len, "count of entry 1 is zero", "zero count");
	p[3] = 2;
	len = hand_canon(b, 16, 3, 10, 7, p, 6);
	expect_msg(b, len, "a sampling sketch holds 3 entries, not k 16", "sampling with n < k");
	len = hand_canon(b, 16, 17, UINT64_MAX, 6, p, 6);
	expect_msg(b, len, "17 entries is more than k 16", "n > k");
	len = hand_canon(b, 16, 3, UINT64_MAX, 5, p, 6);
	expect_msg(b, len, "impressions total 5 is less than the retained counts 6", "total too small");
	len = hand_canon(b, 16, 3, UINT64_MAX, 7, p, 6);
	expect_msg(b, len, "impressions total 7 differs from the retained counts 6 in exact mode",
			   "exact total mismatch");
	len = hand_canon(b, 16, 3, UINT64_MAX, 6, p, 6);
	b[len] = 0;
	expect_msg(b, len + 1, "trailing bytes: 1 after entry 3", "trailing byte");
	len = hand_canon(b, 16, 4, UINT64_MAX, 6, p, 6);
	expect_msg(b, len, "truncated: 34 bytes cannot hold 4 entries", "n larger than the payload");
	len = hand_canon(b, 16, 3, UINT64_MAX, 6, p, 6);
	b[len - 1] = 0x83;			/* last count continues */
	expect_msg(b, len, "truncated: the count of entry 2 is cut off", "varint cut off");
	/* overlong: 5 written as 0x85 0x00 */
	len = hand_canon(b, 16, 3, UINT64_MAX, 6, p, 0);
	b[len++] = 0x85;
	b[len++] = 0x00;
	b[len++] = 1;
	b[len++] = 4;
	b[len++] = 2;
	b[len++] = 1;
	b[len++] = 3;
	expect_msg(b, len, "the hash of entry 0 is not in its shortest encoding", "overlong varint");
	/* 11-byte varint / 10th byte > 1 */
	len = hand_canon(b, 16, 1, UINT64_MAX, 1, p, 0);
	for (i = 0; i < 9; i++)
		b[len++] = 0xff;
	b[len++] = 0x02;
	b[len++] = 1;
	expect_msg(b, len, "the hash of entry 0 does not fit in 64 bits", "65-bit varint");
	len = hand_canon(b, 16, 1, UINT64_MAX, 1, p, 0);
	for (i = 0; i < 10; i++)
		b[len++] = 0x80;
	b[len++] = 1;
	expect_msg(b, len, "the hash of entry 0 does not fit in 64 bits", "11-byte varint");

	/* sampling: a user at theta must have been counted */
	{
		uint64_t	q[32];

		for (i = 0; i < 16; i++)
		{
			q[2 * i] = i == 0 ? 100 : 7;
			q[2 * i + 1] = 1;
		}
		len = hand_canon(b, 16, 16, 100 + 15 * 7 + 1, 17, q, 32);
		expect_msg(b, len, "(valid)", "sampling value");
		CHECK(exercise(b, len), "sampling value usable");
		len = hand_canon(b, 16, 16, 100 + 15 * 7 + 1, 16, q, 32);
		expect_msg(b, len,
				   "impressions total 16 equals the retained counts in sampling mode (the user at theta is missing)",
				   "sampling total equal to the sum");
		len = hand_canon(b, 16, 16, 100 + 15 * 7, 17, q, 32);
		expect_msg(b, len, "entry 15 is not below theta", "last entry at theta");
		q[2 * 7 + 1] = 0;
		len = hand_canon(b, 16, 16, 100 + 15 * 7 + 1, 17, q, 32);
		expect_msg(b, len, "count of entry 7 is zero", "zero count at 7");
		q[2 * 7 + 1] = 1;
		q[2 * 3] = 0;
		len = hand_canon(b, 16, 16, 100 + 15 * 7 + 1, 17, q, 32);
		expect_msg(b, len, "entries out of order at entry 3: duplicate hash", "duplicate at 3");
		/* saturated totals: total == sum allowed at UINT64_MAX */
		q[2 * 3] = 7;
		q[1] = UINT64_MAX;
		len = hand_canon(b, 16, 16, 100 + 15 * 7 + 1, UINT64_MAX, q, 32);
		expect_msg(b, len, "(valid)", "saturated total");
		CHECK(exercise(b, len), "saturated value usable");
	}
}

/* truncations and mutations of values the API produced */
static void
test_corruption(void)
{
	size_t		nev;
	Ev		   *ev = make_events(42, 3000, 0.4, 5, &nev, NULL);
	Sk			vals[6];
	int			nv = 0;
	int			v;
	uint64_t	rng = 2024;
	int			accepted_mut = 0;
	int			total_mut = 0;
	int			usable = 1;

	vals[nv++] = sk_of(16, ev, nev);	/* sampling, tiny */
	vals[nv++] = sk_of(4096, ev, 20);	/* exact, small */
	vals[nv++] = sk_of(1024, ev, nev);	/* sampling */
	{
		Sk			s = sk_state(64);	/* a sampling STATE */

		sk_add_all(&s, ev, nev);
		vals[nv++] = s;
		s = sk_state(4096);		/* an exact STATE */
		sk_add_all(&s, ev, 40);
		vals[nv++] = s;
		vals[nv] = sk_state(4096);	/* an empty STATE */
		nv++;
	}
	for (v = 0; v < nv; v++)
	{
		size_t		l;
		int			all = 1;
		int			m;
		int			trials = 3000 / SCALE;

		CHECK(!rejects(vals[v].b, vals[v].len), "value %d valid: %s", v,
			  msg_of(vals[v].b, vals[v].len));
		for (l = 0; l < vals[v].len; l++)
			if (!rejects(vals[v].b, l))
			{
				all = 0;
				fprintf(stderr, "value %d: prefix of %zu bytes accepted\n", v, l);
			}
		CHECK(all, "value %d: every truncation rejected", v);
		/* extended by a byte */
		{
			uint8_t    *x = malloc(vals[v].len + 1);

			memcpy(x, vals[v].b, vals[v].len);
			x[vals[v].len] = 0;
			CHECK(rejects(x, vals[v].len + 1), "value %d: an extra byte rejected", v);
			free(x);
		}
		for (m = 0; m < trials; m++)
		{
			uint8_t    *x = malloc(vals[v].len);
			int			flips = 1 + (int) (splitmix64(&rng) % 3);
			int			f;

			memcpy(x, vals[v].b, vals[v].len);
			for (f = 0; f < flips; f++)
			{
				size_t		at = (size_t) (splitmix64(&rng) % vals[v].len);

				/* bias towards the header and the first entries */
				if (m % 2 == 0 && vals[v].len > 64)
					at = (size_t) (splitmix64(&rng) % 64);
				x[at] ^= (uint8_t) (1u << (splitmix64(&rng) % 8));
			}
			total_mut++;
			if (!rejects(x, vals[v].len))
			{
				accepted_mut++;
				if (!exercise(x, vals[v].len))
					usable = 0;
			}
			free(x);
		}
	}
	CHECK(usable, "every accepted mutation is fully usable");
	CHECK(protocol_errors == 0, "protocol errors %d", protocol_errors);
	printf("corruption: %d of %d mutations accepted (each then used in every way)\n",
		   accepted_mut, total_mut);
	for (v = 0; v < nv; v++)
		buf_free(&vals[v]);
	free(ev);
}

/* hand-made STATE bodies */
static void
test_validate_state(void)
{
	uint8_t		b[28 + 16 * 16];
	size_t		len = 28 + 16 * 8;
	uint8_t    *sl = b + 28;

	memset(b, 0, sizeof(b));
	b[0] = 1;
	b[1] = 2;
	wr32(b + 4, 16);
	wr32(b + 8, 2);
	wr64(b + 12, UINT64_MAX);
	wr64(b + 20, 5);
	/* hashes 3 (home 3) and 11 (home 3): slots 3 and 4 */
	wr64(sl + 16 * 3, 3);
	wr64(sl + 16 * 3 + 8, 2);
	wr64(sl + 16 * 4, 11);
	wr64(sl + 16 * 4 + 8, 3);
	expect_msg(b, len, "(valid)", "hand-made state");
	CHECK(exercise(b, len), "hand-made state usable");

	/* swapped: same home out of hash order */
	wr64(sl + 16 * 3, 11);
	wr64(sl + 16 * 4, 3);
	expect_msg(b, len, "entry in slot 4 is out of place (probe distance 1)", "same home out of order");
	/* duplicate */
	wr64(sl + 16 * 3, 3);
	expect_msg(b, len, "entry in slot 4 is out of place (probe distance 1)", "duplicate hash");
	wr64(sl + 16 * 4, 11);
	/* gap: 11 at slot 5 with slot 4 empty */
	memset(sl + 16 * 4, 0, 16);
	wr64(sl + 16 * 5, 11);
	wr64(sl + 16 * 5 + 8, 3);
	expect_msg(b, len, "entry in slot 5 is out of place (probe distance 2)", "unreachable entry");
	memset(sl + 16 * 5, 0, 16);
	wr64(sl + 16 * 4, 11);
	wr64(sl + 16 * 4 + 8, 3);
	/* wrap-around: hash 7 (home 7) and 15 (home 7) at slots 7 and 0 */
	wr64(sl + 16 * 7, 7);
	wr64(sl + 16 * 7 + 8, 1);
	wr64(sl + 16 * 0, 15);
	wr64(sl + 16 * 0 + 8, 1);
	wr32(b + 8, 4);
	wr64(b + 20, 7);
	expect_msg(b, len, "(valid)", "run wrapping around the end");
	CHECK(exercise(b, len), "wrapping state usable");
	wr32(b + 8, 3);
	expect_msg(b, len, "state entry count 3 does not match its 4 occupied slots", "n mismatch");
	wr32(b + 8, 7);
	expect_msg(b, len, "state holds 7 entries, more than the 6 its 8 slots allow", "overfull");
	wr32(b + 8, 4);
	wr64(sl + 16 * 2, 1);
	expect_msg(b, len, "empty state slot 2 has a nonzero hash", "garbage in an empty slot");
	wr64(sl + 16 * 2, 0);
	wr64(sl + 16 * 0 + 8, 0);
	wr64(sl + 16 * 0, 0);
	wr32(b + 8, 3);
	wr64(b + 20, 6);
	expect_msg(b, len, "(valid)", "restored");
	wr64(b + 20, 4);
	expect_msg(b, len, "impressions total 4 is less than the retained counts 6", "state total");
	wr64(b + 20, 6);
	wr64(b + 12, 11);
	expect_msg(b, len, "a sampling state holds 3 entries, fewer than k 16", "sampling n < k");
	expect_msg(b, 28 + 16 * 8 + 1, "state of 157 bytes is not the 28-byte header plus whole 16-byte slots",
			   "partial slot");
	expect_msg(b, 28 + 16 * 4, "truncated: 92 bytes, a state is at least 156", "too small");
	wr64(b + 12, UINT64_MAX);
	expect_msg(b, 28 + 16 * 12, "state table of 12 slots is not a power of two in 8..2097152",
			   "not a power of two");
	/* a hash at theta */
	wr64(b + 12, 11);
	{
		uint8_t		big[28 + 16 * 32];
		uint8_t    *s2 = big + 28;
		int			i;

		memset(big, 0, sizeof(big));
		big[0] = 1;
		big[1] = 2;
		wr32(big + 4, 16);
		wr32(big + 8, 17);
		wr64(big + 12, 40);
		wr64(big + 20, 18);
		for (i = 0; i < 17; i++)
		{
			wr64(s2 + 16 * i, (uint64_t) i);
			wr64(s2 + 16 * i + 8, 1);
		}
		expect_msg(big, sizeof(big), "(valid)", "sampling state");
		CHECK(exercise(big, sizeof(big)), "sampling state usable");
		wr64(big + 12, 16);
		expect_msg(big, sizeof(big), "entry in slot 16 is not below theta", "state entry at theta");
		wr64(big + 12, 40);
		wr64(big + 20, 17);
		expect_msg(big, sizeof(big),
				   "impressions total 17 equals the retained counts in sampling mode (the user at theta is missing)",
				   "sampling state total");
	}
}

/*
 * frequency_validate_shallow leaves a CANONICAL value's entries to the
 * merge that reads them: every corruption that the shallow check passes
 * and the full one rejects must make the merge return
 * FREQUENCY_BAD_SOURCE, whatever state it meets: a fresh one; one whose
 * table must grow and so counts the source's entries first (looking them
 * up); and one sampling below the source's theta, which stops merging at
 * its theta and only checks the rest.  frequency_histogram, which reads
 * a stored sketch so too, must refuse every such value.
 */
static int
merge_fails(const uint8_t *c, size_t len, const Sk *into)
{
	Sk			st = buf_copy(into);
	size_t		need;
	int			rounds = 0;

	/* grow as the protocol says until the merge finishes or fails */
	while ((need = frequency_state_merge(st.b, st.len, c, len)) != 0 &&
		   need != FREQUENCY_BAD_SOURCE && rounds++ < 8)
		regrow(&frequency_sketch_type, &st, need, NULL);
	buf_free(&st);
	return need == FREQUENCY_BAD_SOURCE;
}

static void
test_shallow_then_merge(void)
{
	size_t		nev;
	Ev		   *ev = make_events(77, 5000, 0.4, 5, &nev, NULL);
	Sk			src = sk_of(1024, ev, nev);
	Sk			into[3];
	uint64_t	rng = 31;
	int			shallow_only = 0;
	int			silent[3] = {0, 0, 0};
	int			histograms = 0;
	FrequencyBucket hist[5];
	int			it;
	int			w;

	free(ev);
	into[0] = sk_state(1024);
	into[1] = sk_state(1024);
	ev = make_events(900000, 1000, 0.4, 6, &nev, NULL);
	sk_add_all(&into[1], ev, nev);
	free(ev);
	into[2] = sk_state(1024);
	ev = make_events(1900000, 40000, 0.4, 7, &nev, NULL);
	sk_add_all(&into[2], ev, nev);
	free(ev);
	CHECK(frequency_hdr_theta(into[2].b) < frequency_hdr_theta(src.b) / 2,
		  "the sampling state's theta is below the source's");
	for (it = 0; it < 3000; it++)
	{
		uint8_t    *c = malloc(src.len);
		size_t		at = FREQUENCY_HEADER_SIZE + splitmix64(&rng) % (src.len - FREQUENCY_HEADER_SIZE);
		bool		full_ok;

		memcpy(c, src.b, src.len);
		c[at] ^= (uint8_t) (1u << (splitmix64(&rng) % 8));
		full_ok = frequency_validate(c, src.len) == NULL;
		if (frequency_validate_shallow(c, src.len) != NULL)
			CHECK(!full_ok, "the shallow check rejects what the full one accepts");
		else if (!full_ok)
		{
			shallow_only++;
			for (w = 0; w < 3; w++)
				silent[w] += !merge_fails(c, src.len, &into[w]);
			histograms += frequency_histogram(c, src.len, 5, hist);
		}
		free(c);
	}
	CHECK(shallow_only > 100, "%d corruptions passed the shallow check only", shallow_only);
	CHECK(silent[0] == 0 && silent[1] == 0 && silent[2] == 0,
		  "of them, %d, %d and %d merged without failing (fresh, growing, sampling state)",
		  silent[0], silent[1], silent[2]);
	CHECK(histograms == 0, "%d of them gave a histogram", histograms);
	for (w = 0; w < 3; w++)
		buf_free(&into[w]);
	buf_free(&src);
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_validate();
	test_validate_state();
	test_corruption();
	test_shallow_then_merge();
	return sketch_report(argv[0]);
}
