/*
 * fuzz_journey_decode — arbitrary bytes as a journey body.
 *
 * A body that journey_validate accepts (either representation) is used in
 * every way the SQL functions use a decoded value: info, canonicalize
 * (a STATE, as every accessor does), journey_events, attribute() under
 * every model with parameter sets derived from the input, union (as the
 * first state, as a merge source, into a fresh state) and adds, with the
 * promises of journey_core.h checked on the way: every value written
 * validates, the canonical form is a function of the multiset of events
 * (rebuilding it from its events in a shuffled order, or from two merged
 * halves, gives the same bytes), credits sum to the conversions.
 */
#include "fuzz_common.h"

/* rows checked per attribution call; more are counted but not walked */
#define MAX_ROWS 20000

static void
check_info(const Buf *v, JourneyInfo *info)
{
	journey_get_info(v->b, v->len, info);
	FUZZ_ASSERT(info->version == JOURNEY_FORMAT_VERSION &&
				info->representation == v->b[1] && info->representation_name != NULL &&
				info->events == ie_get32(v->b + 4) && info->values == ie_get32(v->b + 8) &&
				info->strings == ie_get32(v->b + 12) &&
				info->string_bytes == ie_get32(v->b + 16) && info->bytes == v->len,
				"journey_get_info disagrees with the header");
	FUZZ_ASSERT((uint64_t) info->impressions + info->engaged_views + info->clicks +
				info->conversions == info->events && info->values <= info->conversions,
				"info counts: %u + %u + %u + %u of %u events, %u values", info->impressions,
				info->engaged_views, info->clicks, info->conversions, info->events, info->values);
}

/*
 * Read every event both ways (journey_event_seq in order, journey_event
 * for a sample: it is O(i) for an event with a value) and check them;
 * then, if st, add events perm[from .. to) (or from .. to) to it.
 */
static void
read_events(const Buf *c, const size_t *perm, Buf *st, uint32_t from, uint32_t to)
{
	uint32_t	n;
	JourneyEvent *all = journey_all_events(c, &n);
	JourneyEvent ev2;
	uint32_t	i;

	for (i = 0; i < n && perm == NULL; i++)
	{
		const JourneyEvent *ev = &all[i];

		if (i < 64 || i + 64 >= n || i % 61 == 0)
		{
			FUZZ_ASSERT(journey_event(c->b, c->len, i, &ev2), "event(%u) failed", i);
			FUZZ_ASSERT(ev->ts == ev2.ts && ev->kind == ev2.kind &&
						ev->touch_index == ev2.touch_index && ev->touch == ev2.touch &&
						ev->touch_len == ev2.touch_len && ev->has_value == ev2.has_value &&
						(!ev->has_value || journey_value_bits(ev->value) ==
						 journey_value_bits(ev2.value)),
						"journey_event and journey_event_seq disagree at %u", i);
		}
		FUZZ_ASSERT((ev->touch == NULL) == (ev->touch_index == JOURNEY_NO_TOUCH),
					"event %u: touch pointer vs index", i);
		if (ev->touch != NULL)
			FUZZ_ASSERT(ev->touch >= c->b && ev->touch + ev->touch_len <= c->b + c->len,
						"event %u touch outside the body", i);
		FUZZ_ASSERT((unsigned) ev->kind <= JOURNEY_ENGAGED_VIEW, "event %u kind %d", i,
					(int) ev->kind);
		FUZZ_ASSERT(!ev->has_value || ev->kind == JOURNEY_CONVERSION,
					"event %u: a value on a non-conversion", i);
		if (ev->has_value)
		{
			uint64_t	bits;

			memcpy(&bits, &ev->value, 8);
			FUZZ_ASSERT(journey_value_bits(ev->value) == bits,
						"event %u: value not normalised", i);
		}
	}
	FUZZ_ASSERT(!journey_event(c->b, c->len, n, &ev2), "event(E) accepted");
	if (st != NULL)
		for (i = from; i < to; i++)
		{
			const JourneyEvent *ev = &all[perm ? (uint32_t) perm[i] : i];

			journey_add(st, ev->ts, ev->kind, ev->touch, ev->touch_len, ev->has_value,
						ev->value);
		}
	free(all);
}

static void
check_model(const Buf *c, JourneyModel model, int64_t cw, int64_t vw, int64_t hl)
{
	JourneyParams p;

	p.model = model;
	p.click_window = cw;
	p.view_window = vw;
	p.engaged_window = vw;
	p.half_life = hl;
	if (journey_params_check(&p) != NULL)
	{
		JourneyAttribution it;

		FUZZ_ASSERT(cw < 0 || vw < 0 || hl <= 0 || (unsigned) model > JOURNEY_POSITION_BASED,
					"params_check refused valid parameters: %s", journey_params_check(&p));
		FUZZ_ASSERT(!journey_attribute_begin(&it, c->b, c->len, &p, NULL, 0) &&
					journey_attribute_count(c->b, c->len, &p) == 0,
					"invalid parameters accepted by begin/count");
		return;
	}
	FUZZ_ASSERT(cw >= 0 && vw >= 0 && hl > 0 && (unsigned) model <= JOURNEY_POSITION_BASED,
				"params_check accepted invalid parameters");
	(void) journey_check_attribution(c, &p, MAX_ROWS);
}

/* attribution under every model and a few parameter sets from the input */
static void
check_attribution(const Buf *c, uint64_t seed)
{
	uint32_t	n = ie_get32(c->b + 4);
	int64_t		sets[6][3];
	int			m;
	int			s;

	sets[0][0] = 0;
	sets[0][1] = 0;
	sets[0][2] = 1;
	sets[1][0] = INT64_MAX;
	sets[1][1] = INT64_MAX;
	sets[1][2] = INT64_MAX;
	sets[2][0] = (int64_t) (seed & 0xFFFFFF);
	sets[2][1] = (int64_t) ((seed >> 24) & 0xFFFF);
	sets[2][2] = 1 + (int64_t) ((seed >> 40) & 0xFFFFF);
	/* windows that end exactly on a gap between two events */
	sets[3][0] = 0;
	sets[3][1] = 0;
	sets[3][2] = 1;
	if (n >= 2)
	{
		uint32_t	a = (uint32_t) (seed % n);
		uint32_t	b = (uint32_t) ((seed >> 20) % n);
		int64_t		ta = (int64_t) ie_get64(c->b + JOURNEY_HEADER_SIZE + 4 * (size_t) ie_get32(c->b + 12) +
								 8 * (size_t) a);
		int64_t		tb = (int64_t) ie_get64(c->b + JOURNEY_HEADER_SIZE + 4 * (size_t) ie_get32(c->b + 12) +
								 8 * (size_t) b);
		uint64_t	gap = ta > tb ? (uint64_t) ta - (uint64_t) tb : (uint64_t) tb - (uint64_t) ta;

		if (gap <= (uint64_t) INT64_MAX)
		{
			sets[3][0] = (int64_t) gap;
			sets[3][1] = (int64_t) (gap / 2);
			sets[3][2] = gap > 0 ? (int64_t) gap : 1;
		}
	}
	/* invalid ones */
	sets[4][0] = -1 - (int64_t) (seed & 3);
	sets[4][1] = 5;
	sets[4][2] = 1;
	sets[5][0] = 5;
	sets[5][1] = 5;
	sets[5][2] = -(int64_t) ((seed >> 2) & 1);

	for (s = 0; s < 6; s++)
		for (m = JOURNEY_LAST_TOUCH; m <= JOURNEY_POSITION_BASED; m++)
			check_model(c, (JourneyModel) m, sets[s][0], sets[s][1], sets[s][2]);
	check_model(c, (JourneyModel) 5, 1, 1, 1);
	check_model(c, (JourneyModel) - 1, 1, 1, 1);
}

/* a small canonical journey from the seed */
static Buf
small_journey(uint64_t seed)
{
	static const char *const pool[4] = {"a", "b", "", "campaign"};
	Buf			st = new_state(&journey_type);
	Buf			c;
	unsigned	n = (unsigned) (seed % 9);
	unsigned	i;

	for (i = 0; i < n; i++)
	{
		uint64_t	r = splitmix64(&seed);
		unsigned	t = (unsigned) (r >> 8) % 5;
		const char *touch = t < 4 ? pool[t] : NULL;

		journey_add(&st, (int64_t) (r % 100) - 50, (JourneyKind) ((r >> 16) % 4),
					(const uint8_t *) touch, touch ? strlen(touch) : 0,
					(r >> 20) & 1, (double) ((r >> 24) % 7) - 3);
	}
	c = canonical(&journey_type, &st);
	buf_free(&st);
	return c;
}

/* everything SQL does with a value that passed journey_validate */
static void
exercise(const Buf *v, uint64_t seed)
{
	bool		state = v->b[1] == JOURNEY_REP_STATE || v->b[1] == JOURNEY_REP_KEYED_STATE;
	JourneyInfo vi;
	JourneyInfo ci;
	JourneyInfo ti;
	Buf			c;
	Buf			st;
	Buf			t;
	Buf			u;
	Buf			small;
	Buf			a;
	Buf			b;
	size_t	   *perm;
	uint32_t	n;
	uint32_t	split;
	uint64_t	rng = seed;

	check_info(v, &vi);
	FUZZ_ASSERT(journey_needs_canonicalize(v->b, v->len) == state, "needs_canonicalize");
	if (state)
	{
		JourneyEvent ev;
		JourneyAttribution it;
		JourneyParams p = {JOURNEY_LINEAR, 10, 10, 10, 10};

		FUZZ_ASSERT(!journey_event(v->b, v->len, 0, &ev) &&
					!journey_attribute_begin(&it, v->b, v->len, &p, NULL, 0) &&
					journey_attribute_count(v->b, v->len, &p) == 0,
					"an accessor accepted a STATE");
	}

	/* canonical form: same events, no more strings */
	c = canonical(&journey_type, v);
	check_info(&c, &ci);
	if (!state)
		FUZZ_ASSERT(buf_eq(&c, v), "a valid CANONICAL journey is not its own canonical form");
	FUZZ_ASSERT(ci.events == vi.events && ci.impressions == vi.impressions &&
				ci.clicks == vi.clicks && ci.conversions == vi.conversions &&
				ci.values == vi.values && ci.strings <= vi.strings &&
				ci.string_bytes <= vi.string_bytes,
				"canonicalize changed the counts");
	n = ci.events;

	/* events; rebuilt from them in a shuffled order: the same bytes */
	read_events(&c, NULL, NULL, 0, 0);
	perm = permutation(n, &rng);
	st = new_state(&journey_type);
	read_events(&c, perm, &st, 0, n);
	must_validate(&journey_type, &st, "rebuilt state");
	t = canonical(&journey_type, &st);
	if (!buf_eq(&t, &c))
	{
		hexdump_head("canonical", &c);
		hexdump_head("rebuilt", &t);
		FUZZ_FAIL("rebuilding a journey from its events in another order changed it");
	}
	buf_free(&t);
	buf_free(&st);

	/* two halves of the shuffled events, merged: the same bytes */
	split = n ? (uint32_t) (splitmix64(&rng) % (n + 1)) : 0;
	a = new_state(&journey_type);
	read_events(&c, perm, &a, 0, split);
	b = new_state(&journey_type);
	read_events(&c, perm, &b, split, n);
	if (splitmix64(&rng) & 1)
	{
		t = canonical(&journey_type, &b);
		buf_free(&b);
		b = t;
	}
	merge_value(&journey_type, &b, &a);
	t = canonical(&journey_type, &b);
	FUZZ_ASSERT(buf_eq(&t, &c), "two halves merged != the journey");
	buf_free(&t);
	buf_free(&a);
	buf_free(&b);
	free(perm);

	check_attribution(&c, seed);

	/* into a fresh state: the same journey; twice: every event twice */
	st = new_state(&journey_type);
	merge_value(&journey_type, &st, v);
	t = canonical(&journey_type, &st);
	FUZZ_ASSERT(buf_eq(&t, &c), "empty || v != v");
	buf_free(&t);
	merge_value(&journey_type, &st, &c);
	t = canonical(&journey_type, &st);
	check_info(&t, &ti);
	FUZZ_ASSERT((uint64_t) ti.events == 2 * (uint64_t) ci.events &&
				ti.values == 2 * ci.values && ti.conversions == 2 * ci.conversions &&
				ti.strings == ci.strings && ti.string_bytes == ci.string_bytes,
				"v || v counts");
	buf_free(&st);
	/* v as the first state (a copy, as combine does), merged with itself */
	st = buf_copy(v);
	merge_value(&journey_type, &st, v);
	u = canonical(&journey_type, &st);
	FUZZ_ASSERT(buf_eq(&t, &u), "copy(v) || v != empty || v || canonical(v)");
	buf_free(&st);
	buf_free(&u);
	if ((uint64_t) ti.events * 2 <= 4096)
		check_attribution(&t, seed >> 1);
	buf_free(&t);

	/* union with a small journey, both orders */
	small = small_journey(ie_murmur_fmix64(seed + 1));
	a = buf_copy(v);
	merge_value(&journey_type, &a, &small);
	t = canonical(&journey_type, &a);
	b = buf_copy(&small);
	merge_value(&journey_type, &b, v);
	u = canonical(&journey_type, &b);
	FUZZ_ASSERT(buf_eq(&t, &u), "v || small != small || v");
	check_info(&t, &ti);
	{
		JourneyInfo si;

		check_info(&small, &si);
		FUZZ_ASSERT(ti.events == ci.events + si.events && ti.values == ci.values + si.values,
					"union counts");
	}
	buf_free(&u);
	/* ... and the same as adding the small journey's events one by one */
	st = buf_copy(v);
	read_events(&small, NULL, &st, 0, ie_get32(small.b + 4));
	must_validate(&journey_type, &st, "v after adds");
	u = canonical(&journey_type, &st);
	FUZZ_ASSERT(buf_eq(&t, &u), "adding events != merging their journey");
	buf_free(&st);
	buf_free(&u);
	buf_free(&t);
	buf_free(&a);
	buf_free(&b);
	buf_free(&small);

	buf_free(&c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Buf			in = buf_of(data, size);	/* exact-size heap copy for ASan */

	/* the states' table seeds restart, so that a crash replays */
	reset_seeds(size);

	if (journey_validate(in.b, in.len) == NULL)
	{
		Buf			keep = buf_copy(&in);

		exercise(&in, ie_hash_bytes(data, size));
		FUZZ_ASSERT(buf_eq(&keep, &in), "a read-only function wrote into its input");
		buf_free(&keep);
	}
	buf_free(&in);
	return 0;
}
