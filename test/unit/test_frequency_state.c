/*
 * test_frequency_state.c — unit tests of a frequency_sketch at its edges
 * (src/core/frequency_state.c and the accessors): the clamped hash,
 * saturating counts, varints of every length, bad sizes, state sizes,
 * info, hash flooding and 0.1's unkeyed STATE.
 */
#include "frequency_test_util.h"

/* ---------------------------------------------------------------------
 * edges, sizes, info
 * --------------------------------------------------------------------- */

static void
test_edges(void)
{
	Sk			s = sk_state(16);
	Sk			c;
	uint8_t		buf[200];
	Ev			ev[4];

	/* UINT64_MAX is UINT64_MAX - 1; hash 0 is a user */
	sk_add(&s, UINT64_MAX, 2);
	sk_add(&s, UINT64_MAX - 1, 3);
	sk_add(&s, 0, 1);
	sk_add(&s, 7, 0);			/* count 0: nothing */
	c = sk_canon(&s);
	CHECK(rd32(c.b + 8) == 2 && rd64(c.b + 20) == 6 && frequency_reach(c.b, c.len) == 2,
		  "UINT64_MAX merges with UINT64_MAX - 1; hash 0 kept; count 0 ignored");
	CHECK(frequency_reach_at_least(c.b, c.len, 5) == 1, "clamped user has 5");
	buf_free(&c);
	buf_free(&s);

	/* saturation: order does not matter */
	ev[0].hash = 1;
	ev[0].count = UINT64_MAX - 5;
	ev[1].hash = 1;
	ev[1].count = 10;
	ev[2].hash = 2;
	ev[2].count = 3;
	ev[3].hash = 1;
	ev[3].count = 1;
	{
		Sk			a = sk_of(16, ev, 4);
		Sk			m = model_canon(16, ev, 4);
		Ev			rev[4] = {ev[3], ev[2], ev[1], ev[0]};
		Sk			b = sk_of(16, rev, 4);

		CHECK(buf_eq(&a, &m) && buf_eq(&a, &b), "saturating counts and total");
		CHECK(frequency_impressions(a.b, a.len) == UINT64_MAX, "total saturates");
		CHECK(frequency_round(frequency_average(a.b, a.len)) == INT64_MAX,
			  "huge estimates round to INT64_MAX");
		buf_free(&a);
		buf_free(&b);
		buf_free(&m);
	}

	/*
	 * Counts of every varint length (1..10 bytes) and hashes spread so
	 * deltas have every length too, read back through reach_at_least:
	 * covers the decoder's fast path and its byte-at-a-time tail (the last
	 * entries have fewer than 8 bytes after them).
	 */
	{
		Ev			vs[70];
		int			nvs = 0;
		int			bitsz;
		Sk			a;
		Sk			m;
		int			ok = 1;

		for (bitsz = 0; bitsz < 64; bitsz += 7)
		{
			uint64_t	v = bitsz == 0 ? 1 : (UINT64_C(1) << bitsz);

			vs[nvs].hash = v;
			vs[nvs++].count = v;
			vs[nvs].hash = bitsz == 0 ? 3 : v + (v - 1);
			vs[nvs++].count = bitsz == 0 ? 2 : v + (v - 1);
		}
		vs[nvs].hash = UINT64_MAX - 3;
		vs[nvs++].count = UINT64_MAX;
		vs[nvs].hash = 0;
		vs[nvs++].count = 127;
		a = sk_of(4096, vs, (size_t) nvs);
		m = model_canon(4096, vs, (size_t) nvs);
		CHECK(buf_eq(&a, &m), "varints of every length: bytes equal the model");
		for (bitsz = 0; bitsz < nvs; bitsz++)
		{
			uint64_t	want = 0;
			int			j;

			for (j = 0; j < nvs; j++)
				if (vs[j].count >= vs[bitsz].count)
					want++;
			if (frequency_reach_at_least(a.b, a.len, vs[bitsz].count) != (double) want)
				ok = 0;
		}
		CHECK(ok, "varints of every length decode back (reach_at_least)");
		CHECK(frequency_intersection(a.b, a.len, m.b, m.len) == nvs, "all hashes decode back");
		buf_free(&a);
		buf_free(&m);
	}

	/* init and regrow refuse bad arguments */
	CHECK(!frequency_state_init(buf, 164, 15, 1) && !frequency_state_init(buf, 164, 1048577, 1),
		  "init rejects k out of range");
	CHECK(!frequency_state_init(buf, 163, 16, 1) && !frequency_state_init(buf, 36 + 16 * 12, 16, 1) &&
		  !frequency_state_init(buf, 36 + 16 * 4, 16, 1) && !frequency_state_init(buf, 156, 16, 1),
		  "init rejects bad sizes");
	CHECK(frequency_state_init(buf, 164, 16, 1) && frequency_validate(buf, 164) == NULL,
		  "init makes a valid state");
	CHECK(!frequency_init_empty(buf, 27, 16) && !frequency_init_empty(buf, 28, 9),
		  "init_empty rejects bad arguments");
	{
		Sk			st = sk_state(16);
		uint8_t		small[164];
		int			i;

		for (i = 0; i < 7; i++)
			sk_add(&st, (uint64_t) i * 1000003, 1);
		CHECK(st.len == 36 + 16 * 16, "7 users: 16 slots");
		CHECK(!frequency_state_regrow(small, sizeof(small), st.b, st.len, 1),
			  "regrow refuses a table too small for the entries");
		CHECK(!frequency_state_regrow(small, 163, st.b, st.len, 1), "regrow refuses a bad size");
		{
			size_t		cap = frequency_canonical_size(st.b, st.len);
			uint8_t    *d = malloc(cap);

			CHECK(frequency_canonicalize(d, cap - 1, st.b, st.len) == 0,
				  "canonicalize refuses a short buffer");
			free(d);
		}
		CHECK(frequency_reach(st.b, st.len) == -1 && frequency_average(st.b, st.len) == -1 &&
			  frequency_reach_at_least(st.b, st.len, 2) == -1 &&
			  frequency_intersection(st.b, st.len, st.b, st.len) == -1 &&
			  !frequency_histogram(st.b, st.len, 3, NULL),
			  "estimates refuse a STATE");
		buf_free(&st);
	}
}

static void
test_sizes(void)
{
	size_t		nev;
	Ev		   *ev = make_events(7, 200000 / SCALE, 0.4, 8, &nev, NULL);
	Sk			s = sk_state(4096);
	Sk			c;
	size_t		i;
	int			grew_ok = 1;
	size_t		prev = s.len;
	int			users = 0;

	/* 10 users (many rows each): under 512 bytes as a state */
	for (i = 0; i < 1000; i++)
		sk_add(&s, ie_hash_int64((int64_t) (i % 10)), 1);
	CHECK(s.len < 512, "10 users: state of %zu bytes", s.len);
	c = sk_canon(&s);
	CHECK(c.len < 150, "10 users: canonical %zu bytes", c.len);
	printf("sizes: 10 users: state %zu bytes, canonical %zu bytes\n", s.len, c.len);
	buf_free(&c);
	buf_free(&s);

	/* growth follows the users, geometrically, up to the k=4096 table */
	s = sk_state(4096);
	for (i = 0; i < nev; i++)
	{
		sk_add(&s, ev[i].hash, ev[i].count);
		if (s.len != prev)
		{
			grew_ok &= s.len == 36 + 2 * (prev - 36);
			prev = s.len;
		}
		users++;
	}
	CHECK(grew_ok, "the state doubles when it grows");
	CHECK(s.len == 36 + 16 * 8192, "k 4096 state tops out at 8192 slots (%zu bytes)", s.len);
	c = sk_canon(&s);
	CHECK((double) (c.len - 28) / 4096 < 9.0, "full k=4096 sketch: %.2f bytes a user",
		  (double) (c.len - 28) / 4096);
	printf("sizes: full k=4096 sketch of %zu users: %zu bytes (%.2f a user), state %zu bytes\n",
		   (size_t) (200000 / SCALE), c.len, (double) (c.len - 28) / 4096, s.len);
	buf_free(&c);
	buf_free(&s);
	{
		Sk			e = sk_of(4096, ev, 0);

		CHECK(e.len == 28 && frequency_reach(e.b, e.len) == 0, "no rows: 28-byte empty sketch");
		buf_free(&e);
	}
	free(ev);
}

static void
test_info(void)
{
	size_t		nev;
	Ev		   *ev = make_events(3, 5000, 0.4, 9, &nev, NULL);
	Sk			c = sk_of(1024, ev, nev);
	Sk			s = sk_state(1024);
	FrequencyInfo info;

	frequency_get_info(c.b, c.len, &info);
	CHECK(info.version == 1 && info.representation == FREQUENCY_REP_CANONICAL &&
		  strcmp(info.representation_name, "canonical") == 0 && info.k == 1024 &&
		  info.entries == 1024 && !info.exact && strcmp(info.mode_name, "sampling") == 0 &&
		  info.theta_fraction > 0.15 && info.theta_fraction < 0.26 &&
		  info.impressions == nev && info.slots == 0 && info.bytes == c.len &&
		  fabs(info.reach - frequency_reach(c.b, c.len)) < 1e-9 &&
		  fabs(info.relative_standard_error - sqrt((1 - info.theta_fraction) / 1023)) < 1e-12,
		  "info of a sampling sketch");
	sk_add_all(&s, ev, 100);
	frequency_get_info(s.b, s.len, &info);
	CHECK(info.representation == FREQUENCY_REP_KEYED_STATE && strcmp(info.representation_name, "state") == 0 &&
		  info.exact && info.theta_fraction == 1.0 && info.slots == (s.len - 36) / 16 &&
		  info.reach == -1 && info.relative_standard_error == -1, "info of a state");
	buf_free(&c);
	buf_free(&s);
	free(ev);
}

/*
 * Hash flooding: user ids whose hashes share their low bits (easy to find:
 * the hash is postgresql-hll's, unkeyed) all had one home slot, so each add
 * walked the whole run.  With the state's seed the homes scatter: the
 * longest probe stays small.  The unkeyed layout (seed 0, 0.1's) shows
 * what the test guards against.
 */
static void
test_flooding(void)
{
	Sk			keyed = sk_state(65536);
	Sk			unkeyed;
	uint32_t	i;
	uint32_t	probe;

	unkeyed.len = frequency_state_initial_size();
	unkeyed.b = malloc(unkeyed.len);
	CHECK(frequency_state_init(unkeyed.b, unkeyed.len, 65536, 0), "unkeyed state");
	for (i = 1; i <= 40000; i++)
		sk_add(&keyed, ((uint64_t) i << 24) | 0xABCDEF, 1);
	for (i = 1; i <= 2000; i++)
		sk_add(&unkeyed, ((uint64_t) i << 24) | 0xABCDEF, 1);
	probe = frequency_state_max_probe(keyed.b, keyed.len);
	CHECK(frequency_validate(keyed.b, keyed.len) == NULL && probe < 64,
		  "40,000 hashes with equal low 24 bits: longest probe %u in a keyed table", probe);
	probe = frequency_state_max_probe(unkeyed.b, unkeyed.len);
	CHECK(frequency_validate(unkeyed.b, unkeyed.len) == NULL && probe == 1999,
		  "2,000 such hashes in an unkeyed table: longest probe %u (all at one home)", probe);
	CHECK(frequency_reach(keyed.b, keyed.len) == 40000 || frequency_needs_canonicalize(keyed.b, keyed.len),
		  "keyed state holds them all");
	buf_free(&keyed);
	buf_free(&unkeyed);
}

/*
 * A 0.1 STATE (representation 2: the table at byte 28, homes at the low
 * bits) is still read: validated, canonicalized to the same value, merged
 * from, and converted to a keyed state when added to.
 */
static void
test_legacy_state(void)
{
	Sk			unkeyed;
	Sk			legacy;
	Sk			a;
	Sk			b;
	uint32_t	i;

	unkeyed.len = frequency_state_initial_size();
	unkeyed.b = malloc(unkeyed.len);
	CHECK(frequency_state_init(unkeyed.b, unkeyed.len, 16, 0), "unkeyed state");
	for (i = 1; i <= 200; i++)
		sk_add(&unkeyed, (uint64_t) i * UINT64_C(0x9E3779B97F4A7C15), i % 3 + 1);
	/* the same table without the seed, as 0.1 wrote it */
	legacy.len = unkeyed.len - 8;
	legacy.b = malloc(legacy.len);
	memcpy(legacy.b, unkeyed.b, 28);
	legacy.b[1] = FREQUENCY_REP_STATE;
	memcpy(legacy.b + 28, unkeyed.b + 36, unkeyed.len - 36);
	CHECK(frequency_validate(legacy.b, legacy.len) == NULL, "a 0.1 state validates");
	a = sk_canon(&unkeyed);
	b = sk_canon(&legacy);
	CHECK(a.len == b.len && memcmp(a.b, b.b, a.len) == 0, "a 0.1 state canonicalizes to the same value");
	buf_free(&b);
	b = sk_state(16);
	sk_merge(&b, &legacy);
	buf_free(&a);
	a = sk_canon(&b);
	buf_free(&b);
	b = sk_canon(&legacy);
	CHECK(a.len == b.len && memcmp(a.b, b.b, a.len) == 0, "merging a 0.1 state into a keyed one keeps it");
	sk_add(&legacy, 12345, 1);
	CHECK(legacy.b[1] == FREQUENCY_REP_KEYED_STATE && frequency_validate(legacy.b, legacy.len) == NULL,
		  "adding to a 0.1 state converts it to a keyed one");
	legacy.b[1] = FREQUENCY_REP_STATE;
	CHECK(frequency_validate(legacy.b, legacy.len) != NULL, "a keyed table read as unkeyed is rejected");
	buf_free(&a);
	buf_free(&b);
	buf_free(&legacy);
	buf_free(&unkeyed);
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_edges();
	test_sizes();
	test_info();
	test_flooding();
	test_legacy_state();
	return sketch_report(argv[0]);
}
