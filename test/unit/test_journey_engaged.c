/*
 * test_journey_engaged.c — unit tests of engaged views (0.2): the kind's
 * name, its stored code and its place in the event order, and every case
 * of the precedence click > engaged view > impression with the window
 * edges, on hand-worked journeys (the arithmetic is in the comments).  The
 * randomized cross-check against the brute-force reference, which knows
 * engaged views too, is in test_journey_attribute.c.
 */
#include "journey_test_util.h"

static void
test_kind(void)
{
	JourneyKind k = IMP;

	CHECK(journey_kind_parse("engaged_view", 12, &k) && k == ENG, "parse engaged_view");
	CHECK(!journey_kind_parse("engaged_views", 13, &k) && !journey_kind_parse("engaged", 7, &k),
		  "near misses refused");
	CHECK(strcmp(journey_kind_name(ENG), "engaged_view") == 0, "name");
	CHECK(ENG == 3, "stored code 3, the code 0.1 left free");
}

/*
 * At one instant T, in row order conversion, click, engaged view,
 * impression: the journey holds impression, engaged view, click,
 * conversion, whose stored kind bytes are 0, 3, 1, 2 | has-value (0x06).
 */
static void
test_order(void)
{
	int64_t		T = 3 * DAY;
	Ev			ev[] = {
		{T, CONV, NULL, true, 5.0},
		{T, CLK, "c", false, 0},
		{T, ENG, "e", false, 0},
		{T, IMP, "i", false, 0},
	};
	Js			j = js_build(ev, 4);
	JourneyEvent e;
	JourneyInfo info;
	const JourneyKind want[] = {IMP, ENG, CLK, CONV};
	uint32_t	i;
	/* header 20 + ends 3*4 + ts 4*8 + touch 4*4 = 80: the kind bytes */
	const uint8_t kinds[] = {0, 3, 1, 2 | JOURNEY_KIND_HAS_VALUE};

	for (i = 0; i < 4; i++)
		CHECK(journey_event(j.b, j.len, i, &e) && e.kind == want[i], "event %u in order", i);
	CHECK(j.len > 84 && memcmp(j.b + 80, kinds, 4) == 0, "kind bytes 0, 3, 1, 6");
	journey_get_info(j.b, j.len, &info);
	CHECK(info.impressions == 1 && info.engaged_views == 1 && info.clicks == 1 &&
		  info.conversions == 1, "info counts each kind");
	CHECK(journey_validate(j.b, j.len) == NULL, "valid");
	/* the click and the engaged view swapped: out of order */
	j.b[81] = 1;
	j.b[82] = 3;
	CHECK(journey_validate(j.b, j.len) != NULL, "click before engaged view rejected");
	buf_free(&j);
}

/*
 * Conversion at T (value 60).  Impression "i" at T - 1h, engaged views
 * "e1" at T - 20h and "e2" at T - 2h, click "c" at T - 3d.
 *	 click window 7d: c qualifies (3d <= 7d): c alone, credit 1, value 60
 *	 click window 2d: no click; engaged window 1d: e1 (20h), e2 (2h) share,
 *		linear 1/2 each, value 30 each; last_touch e2
 *	 engaged window 19h: e1 (20h) out, e2 alone
 *	 engaged window 1h: e2 (2h) out too: the impression (1h <= view 1d)
 *	 view window 59min too: unattributed
 */
static void
test_precedence(void)
{
	int64_t		T = 40 * DAY;
	Ev			ev[] = {
		{T - HOUR, IMP, "i", false, 0},
		{T - 20 * HOUR, ENG, "e1", false, 0},
		{T - 2 * HOUR, ENG, "e2", false, 0},
		{T - 3 * DAY, CLK, "c", false, 0},
		{T, CONV, NULL, true, 60.0},
	};
	Js			j = js_build(ev, 5);
	Rows		r;

	r = attribute_ew(&j, JOURNEY_LINEAR, 7 * DAY, DAY, DAY, DAY);
	CHECK(r.n == 1 && row_touch_is(&r.r[0], "c") && r.r[0].touch_kind == CLK &&
		  r.r[0].credit == 1.0 && r.r[0].value == 60.0, "a click qualifies: it alone");
	free(r.r);
	r = attribute_ew(&j, JOURNEY_LINEAR, 2 * DAY, DAY, DAY, DAY);
	CHECK(r.n == 2 && row_touch_is(&r.r[0], "e1") && row_touch_is(&r.r[1], "e2") &&
		  r.r[0].touch_kind == ENG && r.r[1].touch_kind == ENG &&
		  r.r[0].credit == 0.5 && r.r[1].value == 30.0 &&
		  r.r[0].lag == 20 * HOUR && r.r[1].lag == 2 * HOUR,
		  "no click: both engaged views, 1/2 each, not the later impression");
	free(r.r);
	r = attribute_ew(&j, JOURNEY_LAST_TOUCH, 2 * DAY, DAY, DAY, DAY);
	CHECK(r.n == 1 && row_touch_is(&r.r[0], "e2"), "last_touch: e2, not the impression");
	free(r.r);
	r = attribute_ew(&j, JOURNEY_LINEAR, 2 * DAY, DAY, DAY, 19 * HOUR);
	CHECK(r.n == 1 && row_touch_is(&r.r[0], "e2") && r.r[0].credit == 1.0,
		  "engaged window 19h: e2 alone");
	free(r.r);
	r = attribute_ew(&j, JOURNEY_LINEAR, 2 * DAY, DAY, DAY, HOUR);
	CHECK(r.n == 1 && row_touch_is(&r.r[0], "i") && r.r[0].touch_kind == IMP,
		  "no engaged view qualifies: the impression");
	free(r.r);
	r = attribute_ew(&j, JOURNEY_LINEAR, 2 * DAY, 59 * MIN, DAY, HOUR);
	CHECK(r.n == 1 && !r.r[0].attributed && r.r[0].credit == 1.0 && r.r[0].value == 60.0,
		  "nothing qualifies: unattributed");
	free(r.r);
	buf_free(&j);
}

/*
 * Window edges of engaged views: conversion at T, engaged view at
 * T - 1d.  Engaged window 1d: lag 1d <= 1d qualifies; 1d - 1us: does not.
 * An engaged view 1us after the conversion never qualifies; one at T
 * (lag 0) does with window 0.  The engaged window is its own: view window
 * 0 does not shorten it, and an impression 1h before T with view window
 * 1d loses to the engaged view a day before.
 */
static void
test_edges(void)
{
	int64_t		T = 10 * DAY;
	Ev			ev[] = {
		{T - DAY, ENG, "e", false, 0},
		{T - HOUR, IMP, "i", false, 0},
		{T + 1, ENG, "after", false, 0},
		{T, CONV, NULL, false, 0},
	};
	Ev			ev0[] = {{T, CONV, NULL, false, 0}, {T, ENG, "now", false, 0}};
	Js			j = js_build(ev, 4);
	Rows		r;

	r = attribute_ew(&j, JOURNEY_LINEAR, DAY, DAY, DAY, DAY);
	CHECK(r.n == 1 && row_touch_is(&r.r[0], "e") && r.r[0].lag == DAY && r.r[0].value_is_null,
		  "lag == engaged window qualifies, and beats the impression");
	free(r.r);
	r = attribute_ew(&j, JOURNEY_LINEAR, DAY, 0, DAY, DAY);
	CHECK(r.n == 1 && row_touch_is(&r.r[0], "e"), "view window 0 leaves the engaged window");
	free(r.r);
	r = attribute_ew(&j, JOURNEY_LINEAR, DAY, DAY, DAY, DAY - 1);
	CHECK(r.n == 1 && row_touch_is(&r.r[0], "i") && r.r[0].touch_kind == IMP,
		  "1us short: the engaged view is out, the impression in");
	free(r.r);
	buf_free(&j);
	j = js_build(ev0, 2);
	r = attribute_ew(&j, JOURNEY_LINEAR, 0, 0, DAY, 0);
	CHECK(r.n == 1 && row_touch_is(&r.r[0], "now") && r.r[0].touch_kind == ENG &&
		  r.r[0].lag == 0, "an engaged view at the conversion's instant qualifies");
	CHECK(journey_attribute_count(j.b, j.len, &(JourneyParams) {JOURNEY_LINEAR, 0, 0, DAY, 0}) == 1,
		  "count agrees");
	free(r.r);
	buf_free(&j);
}

/*
 * Two conversions, X at 10h and Y at 40h; engaged view "e" at 9h, click
 * "c" at 30h, impression "i" at 39h; windows: click 2h, engaged 1d, view
 * 2h.
 *	 X: c is later; e (1h <= 1d): e
 *	 Y: c (10h > 2h) out; e (31h > 24h) out; i (1h <= 2h): i
 * position_based on Y with engaged window 2d: e (31h) qualifies alone: 1.
 */
static void
test_two_conversions(void)
{
	Ev			ev[] = {
		{9 * HOUR, ENG, "e", false, 0},
		{30 * HOUR, CLK, "c", false, 0},
		{39 * HOUR, IMP, "i", false, 0},
		{10 * HOUR, CONV, NULL, true, 8.0},
		{40 * HOUR, CONV, NULL, true, 4.0},
	};
	Js			j = js_build(ev, 5);
	Rows		r;

	r = attribute_ew(&j, JOURNEY_LINEAR, 2 * HOUR, 2 * HOUR, DAY, DAY);
	CHECK(r.n == 2 && row_touch_is(&r.r[0], "e") && r.r[0].value == 8.0 &&
		  row_touch_is(&r.r[1], "i") && r.r[1].value == 4.0, "X: e, Y: i");
	free(r.r);
	r = attribute_ew(&j, JOURNEY_POSITION_BASED, 2 * HOUR, 2 * HOUR, DAY, 2 * DAY);
	CHECK(r.n == 2 && row_touch_is(&r.r[1], "e") && r.r[1].credit == 1.0 &&
		  r.r[1].lag == 31 * HOUR, "engaged window 2d: Y goes to e");
	free(r.r);
	buf_free(&j);
}

static bool
rows_equal(const Rows *a, const Rows *b)
{
	size_t		i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
	{
		const JourneyRow *x = &a->r[i];
		const JourneyRow *y = &b->r[i];

		if (x->conversion_ts != y->conversion_ts || x->attributed != y->attributed ||
			x->touch_kind != y->touch_kind || x->touch_ts != y->touch_ts ||
			x->touch_index != y->touch_index || dbits(x->credit) != dbits(y->credit) ||
			x->value_is_null != y->value_is_null || dbits(x->value) != dbits(y->value))
			return false;
	}
	return true;
}

/*
 * A journey without engaged views attributes the same whatever the
 * engaged window: 0.1's rules, row for row.
 */
static void
test_no_engaged_views(void)
{
	uint64_t	rng = 19;
	int			trial;

	for (trial = 0; trial < 200; trial++)
	{
		Ev			ev[40];
		size_t		n = 1 + rnd(&rng, 40);
		size_t		i;
		Js			j;
		Rows		a;
		Rows		b;

		random_events(&rng, ev, n, 60, 4);
		for (i = 0; i < n; i++)
			if (ev[i].kind == ENG)
				ev[i].kind = IMP;
		j = js_build(ev, n);
		a = attribute_ew(&j, JOURNEY_TIME_DECAY, 20 * MIN, 10 * MIN, 7 * MIN, 0);
		b = attribute_ew(&j, JOURNEY_TIME_DECAY, 20 * MIN, 10 * MIN, 7 * MIN, INT64_MAX);
		CHECK(rows_equal(&a, &b),
			  "trial %d: the engaged window changes nothing", trial);
		free(a.r);
		free(b.r);
		buf_free(&j);
	}
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_kind();
	test_order();
	test_precedence();
	test_edges();
	test_two_conversions();
	test_no_engaged_views();
	return sketch_report(argv[0]);
}
