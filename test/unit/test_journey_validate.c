/*
 * test_journey_validate.c — unit tests of journey_validate
 * (src/core/journey_validate.c): malformed values written byte by byte,
 * each rule broken once, and random mutations of valid values.
 */
#include "journey_test_util.h"

/* ---------------------------------------------------------------------
 * tests: validation
 * --------------------------------------------------------------------- */

static bool
rejects(const Js *j, const char *what)
{
	const char *err = journey_validate(j->b, j->len);

	if (err == NULL)
		fprintf(stderr, "  accepted: %s\n", what);
	return err != NULL;
}

/*
 * A small valid journey written by hand: strings "a", "b"; events
 *	 0: ts 1 impression "b"
 *	 1: ts 2 click "a"
 *	 2: ts 3 conversion NULL, value 7.5
 */
static Js
raw_ok(void)
{
	int64_t		ts[] = {1, 2, 3};
	uint32_t	touch[] = {1, 0, JOURNEY_NO_TOUCH};
	uint8_t		kind[] = {0, 1, 2 | JOURNEY_KIND_HAS_VALUE};
	uint64_t	vals[] = {dbits(7.5)};
	const char *strs[] = {"a", "b"};

	return raw_canonical(3, ts, touch, kind, 1, vals, 2, strs);
}

static void
test_validate_canonical(void)
{
	Js			ok = raw_ok();
	Js			j;
	size_t		l;
	int			accepted = 0;

	CHECK(js_valid(&ok), "the hand-written journey is valid");
	CHECK(ok.len == 20 + 8 + 39 + 8 + 2, "its length 20 + 4*2 + 13*3 + 8 + 2 (%zu)", ok.len);
	{
		/* the core builds the same bytes */
		Ev			ev[] = {{3, CONV, NULL, true, 7.5}, {2, CLK, "a", false, 0},
		{1, IMP, "b", false, 0}};
		Js			b = js_build(ev, 3);

		CHECK(buf_eq(&b, &ok), "js_build gives the hand-written bytes");
		buf_free(&b);
	}

	/* truncation at every length, and one trailing byte */
	for (l = 0; l < ok.len; l++)
		if (journey_validate(ok.b, l) == NULL)
			accepted++;
	CHECK(accepted == 0, "every truncation rejected (%d accepted)", accepted);
	j.len = ok.len + 1;
	j.b = xmalloc(j.len);
	memcpy(j.b, ok.b, ok.len);
	j.b[ok.len] = 0;
	CHECK(rejects(&j, "trailing byte"), "trailing byte");
	buf_free(&j);
	CHECK(journey_validate(NULL, 0) != NULL, "no bytes");

#define MUTATE(stmt, what) \
	do { \
		j = buf_copy(&ok); \
		stmt; \
		CHECK(rejects(&j, what), "%s", what); \
		buf_free(&j); \
	} while (0)

	MUTATE(j.b[0] = 2, "version 2");
	MUTATE(j.b[0] = 0, "version 0");
	MUTATE(j.b[1] = 3, "representation 3");
	MUTATE(j.b[1] = 0, "representation 0");
	MUTATE(j.b[1] = 2, "a canonical body labelled STATE");
	MUTATE(j.b[2] = 1, "flags");
	MUTATE(j.b[3] = 0x80, "reserved byte");
	MUTATE(le32(j.b + 4, 4), "event count + 1");
	MUTATE(le32(j.b + 4, 2), "event count - 1");
	MUTATE(le32(j.b + 4, 0xFFFFFFFF), "event count huge");
	MUTATE(le32(j.b + 8, 0), "value count 0 with a HAS_VALUE event");
	MUTATE(le32(j.b + 8, 2), "value count 2");
	MUTATE(le32(j.b + 12, 3), "string count 3");
	MUTATE(le32(j.b + 12, 0xFFFFFFFF), "string count huge");
	MUTATE(le32(j.b + 16, 3), "string bytes 3");
	/* ends: 20 "1", 24 "2" */
	MUTATE(le32(j.b + 20, 2), "ends 2, 2: strings 'ab', '' out of order");
	MUTATE(le32(j.b + 20, 3), "end past the bytes");
	MUTATE(le32(j.b + 24, 1), "last end short of the bytes");
	/* ts at 28, 36, 44; touch at 52, 56, 60; kind at 64, 65, 66; value 67 */
	MUTATE(le64(j.b + 28, 5), "unsorted events (ts 5, 2, 3)");
	MUTATE(j.b[64] = JOURNEY_ENGAGED_VIEW | JOURNEY_KIND_HAS_VALUE, "HAS_VALUE on an engaged view");
	MUTATE(j.b[64] = 0x08, "kind bit 3");
	MUTATE(j.b[64] = 0x80, "kind bit 7");
	MUTATE(j.b[65] = 1 | JOURNEY_KIND_HAS_VALUE, "HAS_VALUE on a click");
	MUTATE(j.b[66] = 2, "conversion without HAS_VALUE but V = 1");
	MUTATE(le32(j.b + 52, 2), "touch index 2 of 2 strings");
	MUTATE(le32(j.b + 52, 0xFFFFFFFE), "touch index huge");
	MUTATE(le32(j.b + 52, 0), "string 'b' unused");
	MUTATE(le64(j.b + 67, UINT64_C(0x8000000000000000)), "value -0.0");
	MUTATE(le64(j.b + 67, UINT64_C(0x7FF8000000000001)), "non-normalised NaN");
	MUTATE(le64(j.b + 67, UINT64_C(0xFFF8000000000000)), "negative NaN");
	MUTATE((j.b[75] = 'b', j.b[76] = 'a'), "strings out of order (b, a)");
	MUTATE(j.b[76] = 'a', "duplicate strings (a, a)");
#undef MUTATE
	buf_free(&ok);
}

/* mutations above that are meant to stay valid are listed here instead */
static void
test_validate_canonical_more(void)
{
	Js			ok = raw_ok();
	Js			j;

	/* impression and click at the same ts: still in order (impression first) */
	j = buf_copy(&ok);
	le64(j.b + 28, 2);
	CHECK(journey_validate(j.b, j.len) == NULL, "impression then click at equal ts is valid");
	buf_free(&j);
	/* click at ts 3, conversion at 3: click first: valid; conversion at 2: not */
	j = buf_copy(&ok);
	le64(j.b + 44, 2);
	CHECK(journey_validate(j.b, j.len) == NULL, "click then conversion at equal ts is valid");
	le64(j.b + 36, 3);
	CHECK(journey_validate(j.b, j.len) != NULL, "click after the conversion: out of order");
	buf_free(&j);

	/* equal ts and kind: by touch text; NULL first */
	{
		int64_t		ts[] = {1, 1};
		uint32_t	t_ok[] = {0, 1};
		uint32_t	t_bad[] = {1, 0};
		uint32_t	t_null_ok[] = {JOURNEY_NO_TOUCH, 0};
		uint32_t	t_null_bad[] = {0, JOURNEY_NO_TOUCH};
		uint8_t		kind[] = {1, 1};
		const char *strs[] = {"a", "b"};
		const char *one[] = {"a"};

		j = raw_canonical(2, ts, t_ok, kind, 0, NULL, 2, strs);
		CHECK(journey_validate(j.b, j.len) == NULL, "a before b at a tie");
		buf_free(&j);
		j = raw_canonical(2, ts, t_bad, kind, 0, NULL, 2, strs);
		CHECK(rejects(&j, "b before a"), "b before a at a tie");
		buf_free(&j);
		j = raw_canonical(2, ts, t_null_ok, kind, 0, NULL, 1, one);
		CHECK(journey_validate(j.b, j.len) == NULL, "NULL before a at a tie");
		buf_free(&j);
		j = raw_canonical(2, ts, t_null_bad, kind, 0, NULL, 1, one);
		CHECK(rejects(&j, "a before NULL"), "a before NULL at a tie");
		buf_free(&j);
	}
	/* equal ts, kind and touch: by value, NULL first */
	{
		int64_t		ts[] = {1, 1, 1};
		uint32_t	touch[] = {JOURNEY_NO_TOUCH, JOURNEY_NO_TOUCH, JOURNEY_NO_TOUCH};
		uint8_t		k_ok[] = {2, 6, 6};
		uint8_t		k_bad[] = {6, 2, 6};
		uint64_t	v_ok[] = {dbits(-3.0), dbits(2.0)};
		uint64_t	v_bad[] = {dbits(2.0), dbits(-3.0)};
		uint64_t	v_nan[] = {dbits(2.0), JOURNEY_NAN_BITS};
		uint64_t	v_nan_bad[] = {JOURNEY_NAN_BITS, dbits(2.0)};

		j = raw_canonical(3, ts, touch, k_ok, 2, v_ok, 0, NULL);
		CHECK(journey_validate(j.b, j.len) == NULL, "NULL, -3, 2");
		buf_free(&j);
		j = raw_canonical(3, ts, touch, k_bad, 2, v_ok, 0, NULL);
		CHECK(rejects(&j, "value before NULL"), "value before NULL");
		buf_free(&j);
		j = raw_canonical(3, ts, touch, k_ok, 2, v_bad, 0, NULL);
		CHECK(rejects(&j, "2 before -3"), "2 before -3");
		buf_free(&j);
		j = raw_canonical(3, ts, touch, k_ok, 2, v_nan, 0, NULL);
		CHECK(journey_validate(j.b, j.len) == NULL, "2 before NaN");
		buf_free(&j);
		j = raw_canonical(3, ts, touch, k_ok, 2, v_nan_bad, 0, NULL);
		CHECK(rejects(&j, "NaN before 2"), "NaN before 2");
		buf_free(&j);
	}
	/* negative ts order is signed */
	{
		int64_t		ts_ok[] = {-5, 3};
		int64_t		ts_bad[] = {3, -5};
		uint32_t	touch[] = {JOURNEY_NO_TOUCH, JOURNEY_NO_TOUCH};
		uint8_t		kind[] = {2, 2};

		j = raw_canonical(2, ts_ok, touch, kind, 0, NULL, 0, NULL);
		CHECK(journey_validate(j.b, j.len) == NULL, "-5 before 3");
		buf_free(&j);
		j = raw_canonical(2, ts_bad, touch, kind, 0, NULL, 0, NULL);
		CHECK(rejects(&j, "3 before -5"), "3 before -5 (signed order)");
		buf_free(&j);
	}
	/* an empty string is a valid touch (sorts first) */
	{
		int64_t		ts[] = {1, 2};
		uint32_t	touch[] = {0, 1};
		uint8_t		kind[] = {0, 0};
		const char *strs[] = {"", "x"};
		const char *bad[] = {"x", ""};

		j = raw_canonical(2, ts, touch, kind, 0, NULL, 2, strs);
		CHECK(journey_validate(j.b, j.len) == NULL, "empty string first");
		buf_free(&j);
		j = raw_canonical(2, ts, touch, kind, 0, NULL, 2, bad);
		CHECK(rejects(&j, "empty string after x"), "empty string after x");
		buf_free(&j);
	}
	/* more strings than events */
	{
		int64_t		ts[] = {1};
		uint32_t	touch[] = {0};
		uint8_t		kind[] = {0};
		const char *strs[] = {"a", "b"};

		j = raw_canonical(1, ts, touch, kind, 0, NULL, 2, strs);
		CHECK(rejects(&j, "2 strings, 1 event"), "more strings than events");
		buf_free(&j);
	}
	buf_free(&ok);
}

/* STATE validation, and hostile but valid states */
static void
test_validate_state(void)
{
	Ev			ev[] = {{3, CONV, NULL, true, 7.5}, {2, CLK, "a", false, 0},
	{1, IMP, "b", false, 0}, {4, CLK, "a", false, 0}};
	Js			s = js_state(ev, 4);
	Js			c = js_canon(&s);
	Js			j;
	size_t		l;
	int			accepted = 0;
	uint32_t	ecap = rd32(s.b + 20);
	uint32_t	scap = rd32(s.b + 28);
	uint32_t	H = journey_hash_slots(scap);
	size_t		slots = 36 + 4 * (size_t) scap;
	size_t		kinds = slots + 4 * (size_t) H + 12 * (size_t) ecap;
	size_t		touches = slots + 4 * (size_t) H + 8 * (size_t) ecap;

	CHECK(js_valid(&s), "state valid");
	for (l = 0; l < s.len; l++)
		if (journey_validate(s.b, l) == NULL)
			accepted++;
	CHECK(accepted == 0, "every state truncation rejected (%d accepted)", accepted);

#define MUTATE(stmt, what) \
	do { \
		j = buf_copy(&s); \
		stmt; \
		CHECK(rejects(&j, what), "%s", what); \
		buf_free(&j); \
	} while (0)

	MUTATE(le32(j.b + 4, ecap + 1), "events over capacity");
	MUTATE(le32(j.b + 12, scap + 1), "strings over capacity");
	MUTATE(le32(j.b + 8, 2), "value count 2 with one HAS_VALUE");
	MUTATE(le32(j.b + 20, ecap + 1), "event capacity != length");
	MUTATE(le32(j.b + 20, JOURNEY_MAX_EVENTS + 1), "event capacity over the limit");
	MUTATE(le32(j.b + 28, JOURNEY_MAX_STRINGS + 1), "string capacity over the limit");
	MUTATE(le32(j.b + 16, 3), "string bytes 3 != ends");
	MUTATE(j.b[kinds] = 3, "kind code 3 in a state");
	MUTATE(j.b[kinds + 1] = 1 | JOURNEY_KIND_HAS_VALUE, "HAS_VALUE on a click in a state");
	MUTATE(le32(j.b + touches + 4, 7), "touch index out of range in a state");
	MUTATE(le32(j.b + 36, 5), "end past the bytes in a state");

	/* the hash table of a state with room for more than 8 strings */
	{
		JourneyCapacity wide = {8, 2, 12, 16};
		Js			w;
		size_t		wslots = 36 + 4 * 12 + 8;	/* after end[] and the table's seed */

		w.len = journey_state_size(&wide);
		w.b = xmalloc(w.len);
		CHECK(journey_state_regrow(w.b, w.len, s.b, s.len, &wide, 1) && js_valid(&w),
			  "regrow to 12 strings: a 32-slot table");
		j = buf_copy(&w);
		le32(j.b + wslots, 3);
		CHECK(rejects(&j, "hash slot refers to string 2 of 2"), "slot past the strings");
		buf_free(&j);
		j = buf_copy(&w);
		memset(j.b + wslots, 0, 4 * 32);
		le32(j.b + wslots, 1);
		le32(j.b + wslots + 4, 1);
		le32(j.b + wslots + 8, 1);
		CHECK(rejects(&j, "3 occupied slots for 2 strings"), "more slots than strings");
		buf_free(&j);
		buf_free(&w);
	}
#undef MUTATE

	/*
	 * Hostile but valid: a cleared hash table (strings not findable) and a
	 * duplicate string.  Adding "a" again duplicates it; canonicalizing
	 * merges duplicates and drops unused strings: same bytes as the clean
	 * journey.
	 */
	{
		/*
		 * room for two more events and strings, so no regrow rebuilds the
		 * table; more than 8 strings of room, so there is a table
		 */
		JourneyCapacity big = {16, 4, 12, 64};

		j.len = journey_state_size(&big);
		j.b = xmalloc(j.len);
		CHECK(journey_state_regrow(j.b, j.len, s.b, s.len, &big, 1), "regrow to 16 events");
		memset(j.b + 36 + 4 * 12, 0, 4 * (size_t) journey_hash_slots(12));
	}
	CHECK(js_valid(&j), "a state with an empty hash table is valid");
	{
		Ev			again = {4, CLK, "a", false, 0};
		Ev			unused = {9, CLK, "zzz", false, 0};
		Js			m;
		Js			x;
		JourneyInfo info;

		/* the table no longer finds "a": the add appends a duplicate */
		js_add(&j, &again);
		journey_get_info(j.b, j.len, &info);
		CHECK(info.strings == 3, "duplicate 'a' appended (%u strings)", info.strings);
		CHECK(js_valid(&j), "duplicate strings allowed in a state");
		m = js_canon(&j);
		x = js_state(ev, 4);
		js_add(&x, &again);
		{
			Js			xc = js_canon(&x);

			CHECK(buf_eq(&m, &xc), "canonical form merges the duplicate");
			CHECK(m.len < journey_canonical_size(j.b, j.len),
				  "and comes out shorter than the bound");
			buf_free(&xc);
		}
		buf_free(&m);
		buf_free(&x);

		/* an unused string: add, then point its event elsewhere */
		js_add(&j, &unused);
		{
			uint32_t	ec = rd32(j.b + 20);
			uint32_t	sc = rd32(j.b + 28);
			size_t		tpos = 36 + 4 * (size_t) sc + 4 * (size_t) journey_hash_slots(sc) +
				(journey_hash_slots(sc) != 0 ? 8 : 0) + 8 * (size_t) ec;
			uint32_t	e = rd32(j.b + 4);

			le32(j.b + tpos + 4 * (size_t) (e - 1), JOURNEY_NO_TOUCH);
			CHECK(js_valid(&j), "an unused string is allowed in a state");
			m = js_canon(&j);
			journey_get_info(m.b, m.len, &info);
			CHECK(js_valid(&m) && info.strings == 2, "canonical drops it (%u strings)", info.strings);
			buf_free(&m);
		}
	}
	buf_free(&j);
	buf_free(&c);
	buf_free(&s);
}

/*
 * Random byte mutations of valid values: each is rejected, or accepted and
 * then fully usable (canonicalize, merge, attribute) without a crash or an
 * over-read (run under ASan by make asan).
 */
static void
test_mutations(void)
{
	uint64_t	rng = 7;
	int			trial;
	int			accepted = 0;
	int			bad = 0;

	for (trial = 0; trial < 3000 / SCALE; trial++)
	{
		size_t		n = 1 + rnd(&rng, 12);
		Ev		   *ev = xmalloc(n * sizeof(Ev));
		Js			s;
		Js			j;
		int			flips = 1 + (int) rnd(&rng, 3);
		int			f;

		random_events(&rng, ev, n, 20, 4);
		s = js_state(ev, n);
		if (trial % 2)
		{
			Js			c = js_canon(&s);

			buf_free(&s);
			s = c;
		}
		j = buf_copy(&s);
		for (f = 0; f < flips; f++)
		{
			size_t		pos = rnd(&rng, (uint32_t) j.len);

			if (rnd(&rng, 2))
				j.b[pos] ^= (uint8_t) (1u << rnd(&rng, 8));
			else
				j.b[pos] = (uint8_t) rnd(&rng, 256);
		}
		if (journey_validate(j.b, j.len) == NULL)
		{
			Js			c;
			Js			m;
			Rows		r;
			int			mm;

			accepted++;
			c = js_canon(&j);
			if (journey_validate(c.b, c.len) != NULL)
				bad++;
			for (mm = 0; mm <= JOURNEY_POSITION_BASED; mm++)
			{
				r = attribute(&c, (JourneyModel) mm, 5 * MIN, 2 * MIN, MIN);
				free(r.r);
			}
			m = buf_copy(&s);
			js_merge(&m, &j);
			if (journey_validate(m.b, m.len) != NULL)
				bad++;
			buf_free(&m);
			buf_free(&c);
		}
		buf_free(&j);
		buf_free(&s);
		free(ev);
	}
	CHECK(bad == 0, "accepted mutants canonicalize and merge to valid values (%d bad)", bad);
	CHECK(accepted > 0, "some mutants are accepted (values, timestamps): %d", accepted);
	CHECK(protocol_errors == 0, "no protocol errors (%d)", protocol_errors);
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_validate_canonical();
	test_validate_canonical_more();
	test_validate_state();
	test_mutations();
	return sketch_report(argv[0]);
}
