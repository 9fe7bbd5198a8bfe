/*
 * test_journey_state.c — unit tests of the journey aggregate state and
 * canonical form (src/core/journey_state.c, journey_canonical.c): order
 * independence, merge = concatenation, the growth protocol, string
 * interning, hash flooding and 0.1's unkeyed STATE.
 */
#include "journey_test_util.h"

/* ---------------------------------------------------------------------
 * tests: determinism, merge, protocol
 * --------------------------------------------------------------------- */

/*
 * Order independence and merge = concatenation: the same multiset of
 * events in any order, or split into parts merged in any order, gives the
 * same canonical bytes; merging canonical values (a union of stored
 * journeys) as well.
 */
static void
test_determinism(void)
{
	uint64_t	rng = 42;
	int			trial;
	int			bad_order = 0;
	int			bad_merge = 0;
	int			bad_ref = 0;
	int			invalid = 0;

	for (trial = 0; trial < 300 / SCALE; trial++)
	{
		size_t		n = 1 + rnd(&rng, trial < 200 ? 40 : 300);
		Ev		   *ev = xmalloc(n * sizeof(Ev));
		Js			base;
		Js			other;
		Js			parts[3];
		Js			acc;
		Js			canon_parts[3];
		Js			m;
		size_t		cut1;
		size_t		cut2;
		int			p;

		random_events(&rng, ev, n, 60, 1 + (int) rnd(&rng, 10));
		base = js_build(ev, n);
		if (!js_valid(&base) || journey_needs_canonicalize(base.b, base.len))
			invalid++;
		if (!events_match(&base, ev, n))
			bad_ref++;
		shuffle(&rng, ev, n);
		other = js_build(ev, n);
		if (!buf_eq(&base, &other))
			bad_order++;
		buf_free(&other);

		/* three parts, merged as states in a different order */
		cut1 = rnd(&rng, (uint32_t) n + 1);
		cut2 = cut1 + rnd(&rng, (uint32_t) (n - cut1) + 1);
		parts[0] = js_state(ev, cut1);
		parts[1] = js_state(ev + cut1, cut2 - cut1);
		parts[2] = js_state(ev + cut2, n - cut2);
		acc = buf_copy(&parts[2]);
		js_merge(&acc, &parts[0]);
		js_merge(&acc, &parts[1]);
		if (!js_valid(&acc))
			invalid++;
		m = js_canon(&acc);
		if (!buf_eq(&base, &m))
			bad_merge++;
		buf_free(&m);
		buf_free(&acc);

		/* canonical parts merged into a canonical first value */
		for (p = 0; p < 3; p++)
			canon_parts[p] = js_canon(&parts[p]);
		acc = buf_copy(&canon_parts[1]);
		js_merge(&acc, &canon_parts[2]);
		js_merge(&acc, &canon_parts[0]);
		if (!js_valid(&acc))
			invalid++;
		m = js_canon(&acc);
		if (!buf_eq(&base, &m))
			bad_merge++;
		buf_free(&m);
		buf_free(&acc);
		for (p = 0; p < 3; p++)
		{
			buf_free(&parts[p]);
			buf_free(&canon_parts[p]);
		}
		buf_free(&base);
		free(ev);
	}
	CHECK(bad_order == 0, "shuffled input gives identical bytes (%d differ)", bad_order);
	CHECK(bad_merge == 0, "merged parts give identical bytes (%d differ)", bad_merge);
	CHECK(bad_ref == 0, "canonical events match the reference sort (%d differ)", bad_ref);
	CHECK(invalid == 0, "every value built is valid (%d not)", invalid);
	CHECK(protocol_errors == 0, "no protocol errors (%d)", protocol_errors);
}

/* every state after every add validates; growth and the protocol codes */
static void
test_protocol(void)
{
	Js			j = js_new();
	int			i;
	int			invalid = 0;
	char		name[32];
	JourneyCapacity cap;
	size_t		need;
	Js			c;
	uint8_t		empty[JOURNEY_HEADER_SIZE];

	for (i = 0; i < 500; i++)
	{
		Ev			e;

		snprintf(name, sizeof(name), "touch-%d", i % 37);
		e.ts = (int64_t) (i * 7919 % 1000) * SEC;
		e.kind = (JourneyKind) (i % 3);
		e.touch = i % 11 == 0 ? NULL : name;
		e.has_value = i % 2 == 0;
		e.value = i;
		js_add(&j, &e);
		if (journey_validate(j.b, j.len) != NULL)
			invalid++;
	}
	CHECK(invalid == 0, "state valid after every add (%d not)", invalid);
	{
		JourneyInfo info;

		journey_get_info(j.b, j.len, &info);
		CHECK(info.events == 500 && info.strings == 37 && info.representation == JOURNEY_REP_KEYED_STATE,
			  "500 events, 37 distinct strings interned once (%u)", info.strings);
		CHECK(info.values == 83, "conversions with a value: i %% 6 == 2, 83 of 500 (%u)",
			  info.values);
	}
	c = js_canon(&j);
	CHECK(js_valid(&c), "its canonical form is valid");
	CHECK(c.len == journey_canonical_size(j.b, j.len),
		  "canonical size is exact for our states (%zu vs %zu)",
		  c.len, journey_canonical_size(j.b, j.len));

	/* bad kind */
	need = journey_state_add(j.b, j.len, 0, (JourneyKind) 4, NULL, 0, false, 0, &cap);
	CHECK(need == JOURNEY_BAD_ARGUMENT, "kind 4 refused");
	need = journey_state_add(j.b, j.len, 0, CLK, (const uint8_t *) "x",
							 JOURNEY_MAX_BUILT_SIZE + (size_t) 1, false, 0, &cap);
	CHECK(need == JOURNEY_TOO_LARGE, "a touch over the size limit refused");

	/*
	 * Nothing over 256 MB is built (its text form must fit PostgreSQL's
	 * 1 GB allocations): 21M events of 13 bytes (273 MB) are too many, 20M fit
	 */
	{
		JourneyCapacity over = {21000000, 0, 1, 0};
		JourneyCapacity under = {20000000, 0, 1, 0};

		CHECK(journey_state_size(&over) == 0 && journey_state_size(&under) > 0 &&
			  journey_state_size(&under) <= JOURNEY_MAX_BUILT_SIZE &&
			  JOURNEY_MAX_BUILT_SIZE * 2 + 3 < (size_t) 0x3FFFFFFF,
			  "the built-size limit: 20M events fit, 21M do not, and twice it fits 1 GB");
	}

	/* adding to a canonical value asks for a regrow to a state */
	{
		Js			cc = buf_copy(&c);
		Ev			e = {5, CLK, "new", false, 0};

		need = journey_state_add(cc.b, cc.len, e.ts, e.kind, (const uint8_t *) e.touch, 3,
								 false, 0, &cap);
		CHECK(need != 0 && need == journey_state_size(&cap) && cap.events >= 501 &&
			  cap.strings >= 38, "add to canonical: a regrow size");
		CHECK(memcmp(cc.b, c.b, c.len) == 0, "nothing changed");
		js_add(&cc, &e);
		CHECK(js_valid(&cc) && journey_needs_canonicalize(cc.b, cc.len), "now a valid state");
		buf_free(&cc);
	}
	/* merge into an empty canonical value */
	{
		Js			cc;
		Js			m;

		CHECK(journey_init_empty(empty, sizeof(empty)), "empty");
		cc.len = sizeof(empty);
		cc.b = xmalloc(cc.len);
		memcpy(cc.b, empty, cc.len);
		js_merge(&cc, &j);
		m = js_canon(&cc);
		CHECK(buf_eq(&m, &c), "empty + journey == journey");
		buf_free(&m);
		buf_free(&cc);
	}
	/* regrow refuses a wrong size or too small capacities */
	{
		uint8_t    *buf;
		size_t		sz;

		cap.events = 10;
		cap.values = 10;
		cap.strings = 10;
		cap.bytes = 10;
		sz = journey_state_size(&cap);
		buf = xmalloc(sz + 1);
		CHECK(!journey_state_regrow(buf, sz, j.b, j.len, &cap, 1), "capacities too small");
		cap.events = 1000;
		cap.values = 1000;
		cap.strings = 100;
		cap.bytes = 1000;
		CHECK(!journey_state_regrow(buf, sz, j.b, j.len, &cap, 1), "size mismatch");
		CHECK(!journey_state_init(buf, sz + 1, &cap, 1), "init refuses a wrong length");
		free(buf);
	}
	cap.events = JOURNEY_MAX_EVENTS + 1;
	cap.values = 0;
	cap.strings = 0;
	cap.bytes = 0;
	CHECK(journey_state_size(&cap) == 0, "events capacity over the limit");
	cap.events = JOURNEY_MAX_EVENTS;
	cap.values = JOURNEY_MAX_EVENTS;
	cap.strings = JOURNEY_MAX_STRINGS;
	cap.bytes = 0;
	CHECK(journey_state_size(&cap) == 0, "state over 1 GB");
	CHECK(journey_hash_slots(0) == 0 && journey_hash_slots(JOURNEY_LINEAR_STRINGS) == 0 &&
		  journey_hash_slots(9) == 32 && journey_hash_slots(16) == 32 &&
		  journey_hash_slots(17) == 64, "hash slots: none up to 8 strings, then >= 2 per string");
	CHECK(protocol_errors == 0, "no protocol errors (%d)", protocol_errors);
	buf_free(&c);
	buf_free(&j);
}

/*
 * A hostile journey: 100,000 distinct touches (and 100,000 conversions
 * after them, sharing the touches).  Interning stays O(1) (the test would
 * take minutes otherwise), canonical strings are sorted, attribution with
 * scratch works and last_touch gives one row per conversion.
 */
/*
 * A state interns each touch once: up to JOURNEY_LINEAR_STRINGS strings of
 * capacity it scans them, beyond that it hashes them.  20 touches seen three
 * times each cross from one regime to the other; a repeat that failed to
 * find its string would append a duplicate (still valid, merged when
 * canonicalizing, so only the state's string count shows it).
 */
static void
test_string_interning(void)
{
	Js			j = js_new();
	char		name[8];
	uint32_t	phase;
	uint32_t	round;
	uint32_t	i;
	uint32_t	bad = 0;
	uint32_t	seen = 0;
	int64_t		t = 0;
	JourneyInfo info;

	CHECK(rd32(j.b + 20) == 1 && journey_hash_slots(rd32(j.b + 28)) == 0,
		  "first state: one event, no hash table");
	/* 5 touches (scanned), then 20 (hashed), three rounds each */
	for (phase = 0; phase < 2; phase++)
	{
		uint32_t	n = phase == 0 ? 5 : 20;

		for (round = 0; round < 3; round++)
			for (i = 0; i < n; i++)
			{
				Ev			e = {t++ * SEC, IMP, name, false, 0};

				snprintf(name, sizeof(name), "c%u", i);
				js_add(&j, &e);
				if (i >= seen)
					seen = i + 1;
				journey_get_info(j.b, j.len, &info);
				if (info.strings != seen)
					bad++;
			}
		if (phase == 0)
			CHECK(journey_hash_slots(rd32(j.b + 28)) == 0,
				  "5 touches: still scanned (%u strings of room)", rd32(j.b + 28));
	}
	CHECK(bad == 0 && info.strings == 20 && info.events == 75,
		  "each repeat found its string: %u strings for 20 touches, %u wrong counts",
		  info.strings, bad);
	CHECK(rd32(j.b + 28) > JOURNEY_LINEAR_STRINGS && journey_hash_slots(rd32(j.b + 28)) > 0,
		  "the state grew past the scan into a table (%u strings of room)", rd32(j.b + 28));
	CHECK(js_valid(&j), "valid throughout");
	buf_free(&j);
}

static void
test_many_touches(void)
{
	uint32_t	n = 100000 / SCALE;
	Js			j = js_new();
	uint32_t	i;
	char		name[32];
	Js			c;
	JourneyInfo info;
	Rows		r;
	bool		ok = true;

	for (i = 0; i < n; i++)
	{
		Ev			e;

		/* descending text order against time order */
		snprintf(name, sizeof(name), "t%07u", n - i);
		e.ts = (int64_t) i * SEC;
		e.kind = i % 2 ? CLK : IMP;
		e.touch = name;
		e.has_value = false;
		e.value = 0;
		js_add(&j, &e);
	}
	for (i = 0; i < 1000; i++)
	{
		Ev			e = {(int64_t) (n + i) * SEC, CONV, NULL, true, 1.0};

		js_add(&j, &e);
	}
	CHECK(js_valid(&j), "hostile state valid");
	c = js_canon(&j);
	CHECK(js_valid(&c), "hostile canonical valid");
	journey_get_info(c.b, c.len, &info);
	CHECK(info.strings == n && info.events == n + 1000, "%u strings kept (%u)", n, info.strings);
	for (i = 0; i < 200; i++)
	{
		JourneyEvent e;

		if (!journey_event(c.b, c.len, i, &e) || e.touch_index != n - 1 - i)
			ok = false;
	}
	CHECK(ok, "event i has string n-1-i (strings sorted by text)");
	/* windows of 100 s: the last 100 touches before each conversion */
	r = attribute(&c, JOURNEY_LAST_TOUCH, 100 * SEC, 100 * SEC, DAY);
	CHECK(r.n == 1000, "last_touch: one row a conversion (%zu)", r.n);
	CHECK(r.n > 0 && r.r[0].attributed && r.r[0].touch_kind == CLK &&
		  r.r[0].lag == SEC, "first conversion: the click 1 s before");
	free(r.r);
	r = attribute(&c, JOURNEY_LINEAR, 100 * SEC, 100 * SEC, DAY);
	{
		/* conversion k at n + k s: clicks at odd seconds within 100 s */
		double		total = 0;
		size_t		k;

		for (k = 0; k < r.n; k++)
			total += r.r[k].credit;
		CHECK(near(total / 1000.0, 1.0), "linear: sum(credit) = 1000 (%.15g)", total);
		CHECK(r.n > 1000 && r.n < 51000, "linear: between 1 and 51 rows a conversion (%zu)", r.n);
	}
	free(r.r);
	buf_free(&c);
	buf_free(&j);
}

/*
 * Hash flooding: 1,000 touch strings whose unkeyed hash (0.1's string
 * table) shares its low 16 bits, found by brute force in a fraction of a
 * second, would all probe from one slot.  Under a state's seed their homes
 * scatter: the longest probe stays small, and every string is interned
 * once.
 */
static void
test_string_flooding(void)
{
	enum
	{
		N = 1000
	};
	static char strs[N][16];
	uint32_t	found = 0;
	uint32_t	all_low = 1;
	uint64_t	x;
	Js			j = js_new();
	JourneyInfo info;
	uint32_t	probe;
	uint32_t	i;

	for (x = 0; found < N; x++)
	{
		char		t[16];
		int			n = snprintf(t, sizeof(t), "c%llu", (unsigned long long) x);

		if ((journey_string_hash((const uint8_t *) t, (size_t) n) & 0xFFFF) == 0x5A5A)
			memcpy(strs[found++], t, (size_t) n + 1);
	}
	for (i = 0; i < N; i++)
		all_low &= (journey_string_hash((const uint8_t *) strs[i], strlen(strs[i])) & 0xFFFF) == 0x5A5A;
	for (i = 0; i < N; i++)
	{
		Ev			ev = {(int64_t) i * MIN, IMP, strs[i], false, 0};

		js_add(&j, &ev);
	}
	probe = journey_state_max_probe(j.b, j.len);
	journey_get_info(j.b, j.len, &info);
	CHECK(all_low && js_valid(&j) && info.strings == N && probe < 64,
		  "1,000 strings colliding in 16 unkeyed hash bits: longest probe %u in a keyed table", probe);
	buf_free(&j);
}

/*
 * A 0.1 STATE (representation 2: no seed before its table) is still read:
 * validated, canonicalized to the same journey, and converted to a keyed
 * state when an event is added.
 */
static void
test_legacy_state(void)
{
	Js			j = js_new();
	Js			legacy;
	Js			a;
	Js			b;
	uint32_t	i;
	uint32_t	sc;
	size_t		seed_at;

	for (i = 0; i < 40; i++)
	{
		char		t[8];
		Ev			ev = {(int64_t) (40 - i) * MIN, i % 3 == 2 ? CONV : IMP, t, i % 3 == 2, i};

		snprintf(t, sizeof(t), "t%u", i % 12);
		js_add(&j, &ev);
	}
	sc = rd32(j.b + 28);
	CHECK(j.b[1] == JOURNEY_REP_KEYED_STATE && journey_hash_slots(sc) != 0, "a keyed state with a table");
	/* the same bytes without the seed, as 0.1 laid them out */
	seed_at = 36 + 4 * (size_t) sc;
	legacy.len = j.len - 8;
	legacy.b = xmalloc(legacy.len);
	memcpy(legacy.b, j.b, seed_at);
	memcpy(legacy.b + seed_at, j.b + seed_at + 8, j.len - seed_at - 8);
	legacy.b[1] = JOURNEY_REP_STATE;
	CHECK(js_valid(&legacy), "a 0.1 state validates");
	a = js_canon(&j);
	b = js_canon(&legacy);
	CHECK(buf_eq(&a, &b), "a 0.1 state canonicalizes to the same journey");
	buf_free(&b);
	{
		Ev			ev = {0, CLK, "t3", false, 0};

		js_add(&legacy, &ev);
		js_add(&j, &ev);
	}
	CHECK(legacy.b[1] == JOURNEY_REP_KEYED_STATE && js_valid(&legacy), "adding converts it to a keyed state");
	buf_free(&a);
	a = js_canon(&j);
	b = js_canon(&legacy);
	CHECK(buf_eq(&a, &b), "and it holds what the keyed one holds");
	buf_free(&a);
	buf_free(&b);
	buf_free(&legacy);
	buf_free(&j);
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_string_flooding();
	test_legacy_state();
	test_protocol();
	test_determinism();
	test_string_interning();
	test_many_touches();
	return sketch_report(argv[0]);
}
