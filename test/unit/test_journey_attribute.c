/*
 * test_journey_attribute.c — unit tests of attribution
 * (src/core/journey_attribute.c): names and parameters, every rule and
 * model on hand-worked journeys (the arithmetic is in the comments), the
 * iterator and its scratch, and a randomized cross-check of the rows
 * against the brute-force reference.
 */
#include "journey_test_util.h"

/* ---------------------------------------------------------------------
 * tests: names, parameters, empty journeys
 * --------------------------------------------------------------------- */

static void
test_names(void)
{
	JourneyKind k;
	JourneyModel m;
	const char *models[] = {"last_touch", "first_touch", "linear", "time_decay", "position_based"};
	int			i;

	CHECK(journey_kind_parse("impression", 10, &k) && k == IMP, "impression");
	CHECK(journey_kind_parse("click", 5, &k) && k == CLK, "click");
	CHECK(journey_kind_parse("conversion", 10, &k) && k == CONV, "conversion");
	CHECK(!journey_kind_parse("Click", 5, &k), "case matters");
	CHECK(!journey_kind_parse("clicks", 6, &k), "no extra characters");
	CHECK(!journey_kind_parse("clic", 4, &k), "no prefix");
	CHECK(!journey_kind_parse("", 0, &k), "empty");
	/* not NUL-terminated: the length is what counts */
	CHECK(journey_kind_parse("clickXYZ", 5, &k) && k == CLK, "length-delimited");
	for (i = 0; i < 5; i++)
	{
		CHECK(journey_model_parse(models[i], strlen(models[i]), &m) && (int) m == i,
			  "model %s", models[i]);
		CHECK(strcmp(journey_model_name(m), models[i]) == 0, "name of model %d", i);
	}
	CHECK(!journey_model_parse("u_shaped", 8, &m), "unknown model");
	CHECK(!journey_model_parse("linear ", 7, &m), "trailing space");
	CHECK(strcmp(journey_kind_name(CLK), "click") == 0, "kind name");
	CHECK(strcmp(journey_kind_name((JourneyKind) 7), "?") == 0, "bad kind name");
	CHECK(strcmp(journey_model_name((JourneyModel) 9), "?") == 0, "bad model name");
	CHECK(strstr(JOURNEY_MODEL_NAMES, "position_based") != NULL, "model list");
}

static void
test_params(void)
{
	JourneyParams p = {JOURNEY_LINEAR, 7 * DAY, DAY, 7 * DAY, DAY};
	Ev			ev[] = {{0, CLK, "a", false, 0}, {HOUR, CONV, NULL, false, 0}};
	Js			j = js_build(ev, 2);
	JourneyAttribution it;

	CHECK(journey_params_check(&p) == NULL, "defaults valid");
	p.click_window = 0;
	p.view_window = 0;
	CHECK(journey_params_check(&p) == NULL, "zero windows are valid");
	p.click_window = -1;
	CHECK(journey_params_check(&p) != NULL, "negative click window");
	CHECK(!journey_attribute_begin(&it, j.b, j.len, &p, NULL, 0), "begin refuses it");
	CHECK(journey_attribute_count(j.b, j.len, &p) == 0, "count refuses it");
	p.click_window = 0;
	p.view_window = -1;
	CHECK(journey_params_check(&p) != NULL, "negative view window");
	p.view_window = 0;
	p.half_life = 0;
	CHECK(journey_params_check(&p) != NULL, "zero half-life");
	p.half_life = -5;
	CHECK(journey_params_check(&p) != NULL, "negative half-life");
	p.half_life = 1;
	p.model = (JourneyModel) 5;
	CHECK(journey_params_check(&p) != NULL, "unknown model code");
	buf_free(&j);
}

static void
test_empty(void)
{
	Js			s = js_new();
	Js			c = js_canon(&s);
	uint8_t		e[JOURNEY_HEADER_SIZE];
	Rows		r;
	JourneyInfo info;

	CHECK(js_valid(&s), "fresh state valid");
	CHECK(journey_state_initial_size(0) == 60, "initial state is 60 bytes (got %zu): "
		  "36 + 4*1 end + no slots + 13*1 event = 53, +4 rounds to 64: 7 bytes of slack, "
		  "too few for an event, go to string bytes",
		  journey_state_initial_size(0));
	CHECK(journey_state_initial_size(30) == 124,
		  "a 30-byte first touch: 53 + 30 = 83, +4 rounds to 128: 41 bytes of slack = "
		  "3 more events (39) + 2 string bytes: 124 (got %zu)",
		  journey_state_initial_size(30));
	{
		uint8_t		buf[252];
		JourneyInfo info;

		CHECK(journey_state_init(buf, 252, NULL, 1) && rd32(buf + 20) == 1 && rd32(buf + 32) == 199,
			  "init(252, NULL): 1 event, bytes capacity 252 - 53 = 199");
		journey_get_info(buf, 252, &info);
		CHECK(journey_validate(buf, 252) == NULL && info.events == 0, "valid and empty");
		CHECK(!journey_state_init(buf, 52, NULL, 1), "init(52, NULL) is too small");
	}
	CHECK(journey_needs_canonicalize(s.b, s.len), "a state needs canonicalizing");
	CHECK(c.len == JOURNEY_HEADER_SIZE, "empty canonical is 20 bytes (%zu)", c.len);
	CHECK(journey_init_empty(e, sizeof(e)), "init_empty");
	CHECK(c.len == sizeof(e) && memcmp(c.b, e, sizeof(e)) == 0,
		  "canonical empty state == journey_init_empty");
	CHECK(journey_validate(e, sizeof(e)) == NULL, "empty valid");
	CHECK(!journey_needs_canonicalize(e, sizeof(e)), "empty is canonical");
	CHECK(!journey_init_empty(e, 19), "init_empty needs 20 bytes");
	r = attribute(&c, JOURNEY_LINEAR, 7 * DAY, DAY, 7 * DAY);
	CHECK(r.n == 0, "empty journey: no rows (%zu)", r.n);
	free(r.r);
	journey_get_info(c.b, c.len, &info);
	CHECK(info.events == 0 && info.strings == 0 && info.representation == JOURNEY_REP_CANONICAL,
		  "info of empty");
	buf_free(&s);
	buf_free(&c);
}

/* ---------------------------------------------------------------------
 * tests: attribution rules on hand-worked journeys
 * --------------------------------------------------------------------- */

/* a conversion before any touch: unattributed, credit 1, value kept */
static void
test_unattributed(void)
{
	Ev			ev[] = {
		{10 * HOUR, CONV, NULL, true, 40.0},
		{11 * HOUR, IMP, "a", false, 0},
		{12 * HOUR, CLK, "a", false, 0},
	};
	Js			j = js_build(ev, 3);
	int			m;

	for (m = 0; m <= JOURNEY_POSITION_BASED; m++)
	{
		Rows		r = attribute(&j, (JourneyModel) m, 7 * DAY, DAY, 7 * DAY);

		CHECK(r.n == 1, "model %d: one row (%zu)", m, r.n);
		if (r.n == 1)
		{
			CHECK(!r.r[0].attributed, "unattributed");
			CHECK(r.r[0].touch == NULL && r.r[0].touch_index == -1, "touch NULL");
			CHECK(r.r[0].credit == 1.0, "credit 1");
			CHECK(!r.r[0].value_is_null && r.r[0].value == 40.0, "value = 1 x 40");
			CHECK(r.r[0].conversion_ts == 10 * HOUR, "conversion_time");
		}
		free(r.r);
	}
	buf_free(&j);
}

/*
 * Window edges: click window 7 days, view window 1 day, conversion at
 * T = 100 days.  A click at T - 7d qualifies (lag = window, inclusive); at
 * T - 7d - 1us it does not.  Same for an impression at T - 1d.
 */
static void
test_window_edges(void)
{
	int64_t		T = 100 * DAY;
	Ev			edge_click[] = {{T - 7 * DAY, CLK, "c", false, 0}, {T, CONV, NULL, false, 0}};
	Ev			past_click[] = {{T - 7 * DAY - 1, CLK, "c", false, 0}, {T, CONV, NULL, false, 0}};
	Ev			edge_imp[] = {{T - DAY, IMP, "i", false, 0}, {T, CONV, NULL, false, 0}};
	Ev			past_imp[] = {{T - DAY - 1, IMP, "i", false, 0}, {T, CONV, NULL, false, 0}};
	/* a click past its window, an impression just inside the view window */
	Ev			mixed[] = {
		{T - 7 * DAY - 1, CLK, "c", false, 0},
		{T - DAY, IMP, "i", false, 0},
		{T, CONV, NULL, false, 0}
	};
	Js			j;
	Rows		r;

	j = js_build(edge_click, 2);
	r = attribute(&j, JOURNEY_LAST_TOUCH, 7 * DAY, DAY, 7 * DAY);
	CHECK(r.n == 1 && r.r[0].attributed && row_touch_is(&r.r[0], "c") &&
		  r.r[0].lag == 7 * DAY && r.r[0].touch_kind == CLK,
		  "click exactly at the window edge qualifies, lag 7 days");
	free(r.r);
	buf_free(&j);

	j = js_build(past_click, 2);
	r = attribute(&j, JOURNEY_LAST_TOUCH, 7 * DAY, DAY, 7 * DAY);
	CHECK(r.n == 1 && !r.r[0].attributed, "click 1us past the window does not");
	free(r.r);
	buf_free(&j);

	j = js_build(edge_imp, 2);
	r = attribute(&j, JOURNEY_LINEAR, 7 * DAY, DAY, 7 * DAY);
	CHECK(r.n == 1 && r.r[0].attributed && row_touch_is(&r.r[0], "i") &&
		  r.r[0].touch_kind == IMP && r.r[0].lag == DAY && r.r[0].credit == 1.0,
		  "impression at the view-window edge qualifies");
	free(r.r);
	buf_free(&j);

	j = js_build(past_imp, 2);
	r = attribute(&j, JOURNEY_LINEAR, 7 * DAY, DAY, 7 * DAY);
	CHECK(r.n == 1 && !r.r[0].attributed, "impression 1us past the view window does not");
	free(r.r);
	/* a zero window: only the same instant qualifies */
	r = attribute(&j, JOURNEY_LINEAR, 0, 0, 7 * DAY);
	CHECK(r.n == 1 && !r.r[0].attributed, "zero windows, 1 day lag: unattributed");
	free(r.r);
	buf_free(&j);

	j = js_build(mixed, 3);
	r = attribute(&j, JOURNEY_LINEAR, 7 * DAY, DAY, 7 * DAY);
	CHECK(r.n == 1 && r.r[0].attributed && row_touch_is(&r.r[0], "i") &&
		  r.r[0].touch_kind == IMP,
		  "click out of window does not win: the impression gets the credit");
	free(r.r);
	buf_free(&j);
}

/*
 * Same instant: touches at the conversion's ts qualify (lag 0), even with
 * zero windows; a touch 1us after the conversion never does.  Input order
 * puts the conversion first, to show that canonical order (touches before
 * conversions at equal ts) decides, not input order.
 */
static void
test_same_instant(void)
{
	int64_t		T = 5 * DAY;
	Ev			ev[] = {
		{T, CONV, NULL, true, 10.0},
		{T, CLK, "now", false, 0},
		{T + 1, CLK, "later", false, 0},
	};
	Ev			ev2[] = {
		{T, CONV, "x", false, 0},
		{T, IMP, "seen", false, 0},
	};
	Js			j = js_build(ev, 3);
	Rows		r;

	r = attribute(&j, JOURNEY_LINEAR, 0, 0, DAY);
	CHECK(r.n == 1 && r.r[0].attributed && row_touch_is(&r.r[0], "now") &&
		  r.r[0].lag == 0 && r.r[0].credit == 1.0 && r.r[0].value == 10.0,
		  "click at the same instant qualifies with zero window; the later one not");
	free(r.r);
	buf_free(&j);

	j = js_build(ev2, 2);
	r = attribute(&j, JOURNEY_LAST_TOUCH, 0, 0, DAY);
	CHECK(r.n == 1 && r.r[0].attributed && row_touch_is(&r.r[0], "seen") &&
		  r.r[0].touch_kind == IMP && r.r[0].lag == 0 && r.r[0].value_is_null,
		  "impression at the same instant qualifies; NULL value stays NULL");
	free(r.r);
	buf_free(&j);
}

/*
 * Clicks win: impressions closer to the conversion get nothing when any
 * click qualifies.  Conversion at T with value 90; click "c1" at T - 3d,
 * click "c2" at T - 2d, impressions "i1" at T - 1h, "i2" at T - 1min.
 * linear: only c1 and c2, 1/2 each, values 45 and 45.
 */
static void
test_click_precedence(void)
{
	int64_t		T = 50 * DAY;
	Ev			ev[] = {
		{T - MIN, IMP, "i2", false, 0},
		{T - 3 * DAY, CLK, "c1", false, 0},
		{T, CONV, NULL, true, 90.0},
		{T - HOUR, IMP, "i1", false, 0},
		{T - 2 * DAY, CLK, "c2", false, 0},
	};
	Js			j = js_build(ev, 5);
	Rows		r;

	r = attribute(&j, JOURNEY_LINEAR, 7 * DAY, DAY, 7 * DAY);
	CHECK(r.n == 2, "two click rows (%zu)", r.n);
	if (r.n == 2)
	{
		CHECK(row_touch_is(&r.r[0], "c1") && row_touch_is(&r.r[1], "c2"),
			  "the clicks, in time order");
		CHECK(r.r[0].touch_kind == CLK && r.r[1].touch_kind == CLK, "kind click");
		CHECK(r.r[0].credit == 0.5 && r.r[1].credit == 0.5, "1/2 each");
		CHECK(r.r[0].value == 45.0 && r.r[1].value == 45.0, "values 0.5 x 90 = 45");
		CHECK(r.r[0].lag == 3 * DAY && r.r[1].lag == 2 * DAY, "lags 3d, 2d");
		CHECK(r.r[0].touch_ts == T - 3 * DAY, "touch_time");
	}
	free(r.r);
	r = attribute(&j, JOURNEY_LAST_TOUCH, 7 * DAY, DAY, 7 * DAY);
	CHECK(r.n == 1 && row_touch_is(&r.r[0], "c2"), "last_touch: the last click, not i2");
	free(r.r);
	/* shrink the click window to 1 day: no click qualifies, impressions share */
	r = attribute(&j, JOURNEY_LINEAR, DAY, DAY, 7 * DAY);
	CHECK(r.n == 2 && row_touch_is(&r.r[0], "i1") && row_touch_is(&r.r[1], "i2") &&
		  r.r[0].touch_kind == IMP && r.r[0].credit == 0.5,
		  "click window 1 day: view-through, i1 and i2 at 1/2");
	free(r.r);
	buf_free(&j);
}

/*
 * Many conversions sharing touches.  Events (hours): click a @0, click b @1,
 * conv X @2 (value 10), impression i @3, conv Y @4 (no value), conv Z @30
 * (value 6).  Click window 24h, view window 24h.
 *	 X: clicks a, b qualify (lags 2h, 1h)			   linear 1/2, 1/2
 *	 Y: clicks a, b qualify (lags 4h, 3h); i ignored  linear 1/2, 1/2
 *	 Z: a, b too old (30h, 29h > 24h); i (27h) too old: unattributed
 * With a 28h view window Z gets i instead (27h <= 28h).
 */
static void
test_shared_touches(void)
{
	Ev			ev[] = {
		{0, CLK, "a", false, 0},
		{HOUR, CLK, "b", false, 0},
		{2 * HOUR, CONV, NULL, true, 10.0},
		{3 * HOUR, IMP, "i", false, 0},
		{4 * HOUR, CONV, NULL, false, 0},
		{30 * HOUR, CONV, "z", true, 6.0},
	};
	Js			j = js_build(ev, 6);
	Rows		r;
	double		total = 0;
	size_t		k;

	r = attribute(&j, JOURNEY_LINEAR, DAY, DAY, DAY);
	CHECK(r.n == 5, "2 + 2 + 1 rows (%zu)", r.n);
	if (r.n == 5)
	{
		CHECK(r.r[0].conversion_ts == 2 * HOUR && row_touch_is(&r.r[0], "a") &&
			  r.r[0].value == 5.0, "X: a, value 5");
		CHECK(r.r[1].conversion_ts == 2 * HOUR && row_touch_is(&r.r[1], "b"), "X: b");
		CHECK(r.r[2].conversion_ts == 4 * HOUR && row_touch_is(&r.r[2], "a") &&
			  r.r[2].value_is_null && r.r[2].lag == 4 * HOUR, "Y: a, value NULL, lag 4h");
		CHECK(r.r[3].conversion_ts == 4 * HOUR && row_touch_is(&r.r[3], "b") &&
			  r.r[3].lag == 3 * HOUR, "Y: b");
		CHECK(r.r[4].conversion_ts == 30 * HOUR && !r.r[4].attributed &&
			  r.r[4].value == 6.0, "Z: unattributed, value 6");
	}
	for (k = 0; k < r.n; k++)
		total += r.r[k].credit;
	CHECK(near(total, 3.0), "sum(credit) = 3 conversions (%.17g)", total);
	free(r.r);
	r = attribute(&j, JOURNEY_LINEAR, DAY, 28 * HOUR, DAY);
	CHECK(r.n == 5 && row_touch_is(&r.r[4], "i") && r.r[4].lag == 27 * HOUR &&
		  r.r[4].value == 6.0, "view window 28h: Z -> i, lag 27h");
	free(r.r);
	r = attribute(&j, JOURNEY_FIRST_TOUCH, DAY, DAY, DAY);
	CHECK(r.n == 3 && row_touch_is(&r.r[0], "a") && row_touch_is(&r.r[1], "a") &&
		  !r.r[2].attributed, "first_touch: a, a, unattributed");
	free(r.r);
	buf_free(&j);
}

/*
 * NULL touches: a conversion's touch may be NULL (it is never a touch
 * anyway); a click with a NULL touch is still a click: attributed, with
 * touch NULL and touch_kind click.
 */
static void
test_null_touch(void)
{
	Ev			ev[] = {
		{0, IMP, "i", false, 0},
		{MIN, CLK, NULL, false, 0},
		{2 * MIN, CONV, NULL, true, 3.0},
	};
	Js			j = js_build(ev, 3);
	Rows		r;
	JourneyInfo info;

	journey_get_info(j.b, j.len, &info);
	CHECK(info.events == 3 && info.strings == 1 && info.conversions == 1 &&
		  info.clicks == 1 && info.impressions == 1 && info.values == 1,
		  "info: 3 events, 1 string (the NULLs store none)");
	r = attribute(&j, JOURNEY_LINEAR, DAY, DAY, DAY);
	CHECK(r.n == 1 && r.r[0].attributed && r.r[0].touch_kind == CLK &&
		  row_touch_is(&r.r[0], NULL) && r.r[0].lag == MIN && r.r[0].value == 3.0,
		  "NULL-touch click wins over the impression, touch NULL, kind click");
	free(r.r);
	buf_free(&j);
}

/*
 * time_decay.  Half-life h = 1 day.
 * Two clicks, lags 0 and h: weights 1 and 2^-1 = 0.5, sum 1.5: credits
 * 1/1.5 = 2/3 and 0.5/1.5 = 1/3.
 * Three clicks, lags 2h, h, 0: weights 1/4, 1/2, 1, sum 7/4: credits 1/7,
 * 2/7, 4/7.
 * Far in the past (lags 2000h and 2001h, beyond double's 2^-1074): still
 * 2/3 and 1/3 (relative weights), not 0/0.
 */
static void
test_time_decay(void)
{
	int64_t		T = 1000 * DAY;
	Ev			two[] = {{T - DAY, CLK, "old", false, 0}, {T, CLK, "new", false, 0},
	{T, CONV, NULL, true, 3.0}};
	Ev			three[] = {{T - 2 * DAY, CLK, "a", false, 0}, {T - DAY, CLK, "b", false, 0},
	{T, CLK, "c", false, 0}, {T, CONV, NULL, false, 0}};
	Ev			far[] = {{T - 2001 * HOUR, CLK, "x", false, 0},
	{T - 2000 * HOUR, CLK, "y", false, 0}, {T, CONV, NULL, false, 0}};
	Js			j;
	Rows		r;

	j = js_build(two, 3);
	r = attribute(&j, JOURNEY_TIME_DECAY, 7 * DAY, DAY, DAY);
	CHECK(r.n == 2 && row_touch_is(&r.r[0], "old") && near(r.r[0].credit, 1.0 / 3) &&
		  row_touch_is(&r.r[1], "new") && near(r.r[1].credit, 2.0 / 3),
		  "lags h, 0: credits 1/3, 2/3 (%.17g, %.17g)",
		  r.n > 0 ? r.r[0].credit : -1, r.n > 1 ? r.r[1].credit : -1);
	CHECK(r.n == 2 && near(r.r[0].value, 1.0) && near(r.r[1].value, 2.0),
		  "values 3 x 1/3 = 1, 3 x 2/3 = 2");
	free(r.r);
	buf_free(&j);

	j = js_build(three, 4);
	r = attribute(&j, JOURNEY_TIME_DECAY, 7 * DAY, DAY, DAY);
	CHECK(r.n == 3 && near(r.r[0].credit, 1.0 / 7) && near(r.r[1].credit, 2.0 / 7) &&
		  near(r.r[2].credit, 4.0 / 7), "lags 2h, h, 0: 1/7, 2/7, 4/7");
	CHECK(near(credit_sum(&r, 3), 1.0), "sums to 1");
	free(r.r);
	/* half-life 2 days: weights 2^-1, 2^-0.5, 1 */
	r = attribute(&j, JOURNEY_TIME_DECAY, 7 * DAY, DAY, 2 * DAY);
	{
		double		s = 0.5 + sqrt(0.5) + 1;

		CHECK(r.n == 3 && near(r.r[0].credit, 0.5 / s) && near(r.r[1].credit, sqrt(0.5) / s) &&
			  near(r.r[2].credit, 1 / s), "half-life 2d: 2^-1, 2^-1/2, 1 normalised");
	}
	free(r.r);
	buf_free(&j);

	j = js_build(far, 3);
	r = attribute(&j, JOURNEY_TIME_DECAY, 2002 * HOUR, DAY, HOUR);
	CHECK(r.n == 2 && near(r.r[0].credit, 1.0 / 3) && near(r.r[1].credit, 2.0 / 3),
		  "2000 half-lives ago: still 1/3, 2/3");
	free(r.r);
	buf_free(&j);
}

/*
 * position_based with 1, 2, 3, 5 qualifying clicks (one a minute before
 * the conversion), and linear/first/last on the same.
 *	 1: 100 %
 *	 2: 50 / 50
 *	 3: 40 / 20 / 40
 *	 5: 40 / 20/3 / 20/3 / 20/3 / 40
 */
static void
test_position_based(void)
{
	int			sizes[] = {1, 2, 3, 5};
	int			si;

	for (si = 0; si < 4; si++)
	{
		int			n = sizes[si];
		Ev			ev[6];
		char		names[5][2];
		Js			j;
		Rows		r;
		int			i;

		for (i = 0; i < n; i++)
		{
			names[i][0] = (char) ('a' + i);
			names[i][1] = 0;
			ev[i].ts = 10 * DAY + i * MIN;
			ev[i].kind = CLK;
			ev[i].touch = names[i];
			ev[i].has_value = false;
			ev[i].value = 0;
		}
		ev[n].ts = 10 * DAY + n * MIN;
		ev[n].kind = CONV;
		ev[n].touch = NULL;
		ev[n].has_value = true;
		ev[n].value = 100.0;
		j = js_build(ev, (size_t) n + 1);

		r = attribute(&j, JOURNEY_POSITION_BASED, DAY, DAY, DAY);
		CHECK(r.n == (size_t) n, "%d touches: %d rows (%zu)", n, n, r.n);
		if (r.n == (size_t) n)
		{
			for (i = 0; i < n; i++)
			{
				double		want = n == 1 ? 1.0 : n == 2 ? 0.5 :
					(i == 0 || i == n - 1) ? 0.4 : 0.2 / (n - 2);

				CHECK(near(r.r[i].credit, want) && near(r.r[i].value, 100 * want) &&
					  row_touch_is(&r.r[i], names[i]),
					  "%d touches, touch %d: credit %g (got %.17g)", n, i, want, r.r[i].credit);
			}
			CHECK(near(credit_sum(&r, (uint32_t) n), 1.0), "%d touches: sum 1", n);
		}
		free(r.r);

		r = attribute(&j, JOURNEY_LINEAR, DAY, DAY, DAY);
		CHECK(r.n == (size_t) n && near(r.r[0].credit, 1.0 / n) &&
			  near(credit_sum(&r, (uint32_t) n), 1.0), "%d touches linear: 1/%d each", n, n);
		free(r.r);
		r = attribute(&j, JOURNEY_FIRST_TOUCH, DAY, DAY, DAY);
		CHECK(r.n == 1 && row_touch_is(&r.r[0], "a") && r.r[0].credit == 1.0 &&
			  r.r[0].value == 100.0, "%d touches first_touch: a", n);
		free(r.r);
		r = attribute(&j, JOURNEY_LAST_TOUCH, DAY, DAY, DAY);
		CHECK(r.n == 1 && row_touch_is(&r.r[0], names[n - 1]) && r.r[0].lag == MIN,
			  "%d touches last_touch: the last, lag 1 min", n);
		free(r.r);
		buf_free(&j);
	}
}

/* linear over 3: exactly 1/3 each (the double nearest 1/3) */
static void
test_linear_thirds(void)
{
	Ev			ev[] = {{0, IMP, "x", false, 0}, {1, IMP, "y", false, 0},
	{2, IMP, "z", false, 0}, {3, CONV, NULL, true, 1.0}};
	Js			j = js_build(ev, 4);
	Rows		r = attribute(&j, JOURNEY_LINEAR, DAY, DAY, DAY);

	CHECK(r.n == 3 && r.r[0].credit == 1.0 / 3 && r.r[1].credit == 1.0 / 3 &&
		  r.r[2].credit == 1.0 / 3, "linear over 3: 1/3 each");
	CHECK(near(credit_sum(&r, 3), 1.0), "sum within 1e-12");
	free(r.r);
	buf_free(&j);
}

/*
 * Ties: at equal ts and kind, touches order by text (a proper prefix
 * first), NULL first; identical events are all kept (two identical clicks
 * are two clicks, each 1/2 under linear).
 */
static void
test_ties_and_duplicates(void)
{
	Ev			ev[] = {
		{HOUR, CLK, "b", false, 0},
		{HOUR, CLK, "ab", false, 0},
		{HOUR, CLK, "a", false, 0},
		{HOUR, CLK, NULL, false, 0},
		{2 * HOUR, CONV, NULL, false, 0},
	};
	Ev			dup[] = {
		{HOUR, CLK, "same", false, 0},
		{HOUR, CLK, "same", false, 0},
		{2 * HOUR, CONV, NULL, false, 0},
	};
	Js			j = js_build(ev, 5);
	Rows		r;
	JourneyEvent e0;

	r = attribute(&j, JOURNEY_LINEAR, DAY, DAY, DAY);
	CHECK(r.n == 4 && row_touch_is(&r.r[0], NULL) && row_touch_is(&r.r[1], "a") &&
		  row_touch_is(&r.r[2], "ab") && row_touch_is(&r.r[3], "b"),
		  "equal ts: NULL, a, ab, b");
	free(r.r);
	r = attribute(&j, JOURNEY_LAST_TOUCH, DAY, DAY, DAY);
	CHECK(r.n == 1 && row_touch_is(&r.r[0], "b"), "last_touch at a tie: the last text");
	free(r.r);
	r = attribute(&j, JOURNEY_FIRST_TOUCH, DAY, DAY, DAY);
	CHECK(r.n == 1 && row_touch_is(&r.r[0], NULL) && r.r[0].attributed,
		  "first_touch at a tie: the NULL touch");
	free(r.r);
	CHECK(journey_event(j.b, j.len, 1, &e0) && e0.touch_index == 0 && e0.touch_len == 1 &&
		  e0.touch[0] == 'a', "string 0 is 'a'");
	buf_free(&j);

	j = js_build(dup, 3);
	CHECK(j.len == 20 + 4 * 1 + 13 * 3 + 0 + 4,
		  "two identical clicks: 3 events, one 4-byte string (%zu bytes)", j.len);
	r = attribute(&j, JOURNEY_LINEAR, DAY, DAY, DAY);
	CHECK(r.n == 2 && r.r[0].credit == 0.5 && r.r[1].credit == 0.5,
		  "duplicates kept: 1/2 each");
	free(r.r);
	buf_free(&j);
}

/*
 * Values: conversions order by value at equal ts (NULL first); -0.0 is
 * stored as +0.0 and every NaN as one NaN; a value given with an
 * impression or click is dropped.
 */
static void
test_values(void)
{
	double		nan2;
	uint64_t	nb = UINT64_C(0xFFF8000000000123);
	Ev			a[] = {{0, CONV, NULL, true, 5.0}, {0, CONV, NULL, true, -1.0},
	{0, CONV, NULL, false, 0}, {0, CONV, NULL, true, NAN}, {0, CONV, NULL, true, INFINITY}};
	Js			j = js_build(a, 5);
	JourneyEvent e;
	Ev			z1[] = {{0, CONV, NULL, true, 0.0}, {5, IMP, "i", false, 0}};
	Ev			z2[] = {{0, CONV, NULL, true, -0.0}, {5, IMP, "i", true, 77.0}};
	Js			j1;
	Js			j2;

	memcpy(&nan2, &nb, 8);
	CHECK(journey_event(j.b, j.len, 0, &e) && !e.has_value, "NULL value first");
	CHECK(journey_event(j.b, j.len, 1, &e) && e.value == -1.0, "then -1");
	CHECK(journey_event(j.b, j.len, 2, &e) && e.value == 5.0, "then 5");
	CHECK(journey_event(j.b, j.len, 3, &e) && isinf(e.value), "then +inf");
	CHECK(journey_event(j.b, j.len, 4, &e) && isnan(e.value) &&
		  dbits(e.value) == JOURNEY_NAN_BITS, "NaN last, normalised");
	CHECK(!journey_event(j.b, j.len, 5, &e), "no event 5");
	{
		uint32_t	cursor = 0;
		JourneyEvent s;
		bool		same = true;

		for (uint32_t i = 0; i < 5; i++)
		{
			uint32_t	before = cursor;

			same &= journey_event_seq(j.b, j.len, i, &cursor, &s) &&
				journey_event(j.b, j.len, i, &e) &&
				dbits(s.value) == dbits(e.value) && s.has_value == e.has_value &&
				cursor == before + (e.has_value ? 1 : 0);
		}
		CHECK(same && cursor == 4, "journey_event_seq reads the same events in order");
	}
	buf_free(&j);

	j1 = js_build(z1, 2);
	j2 = js_build(z2, 2);
	CHECK(buf_eq(&j1, &j2), "-0.0 == +0.0 and the impression's value dropped: same bytes");
	buf_free(&j1);
	buf_free(&j2);
	a[0].value = NAN;
	a[3].value = nan2;
	j1 = js_build(a, 5);
	a[0].value = NAN;
	a[3].value = NAN;
	j2 = js_build(a, 5);
	CHECK(buf_eq(&j1, &j2), "NaN payloads normalised");
	CHECK(journey_value_bits(-0.0) == 0 && journey_value_bits(nan2) == JOURNEY_NAN_BITS &&
		  journey_value_bits(1.5) == dbits(1.5), "journey_value_bits");
	buf_free(&j1);
	buf_free(&j2);
}

/*
 * Infinite and extreme timestamps (timestamptz -infinity / infinity are
 * INT64_MIN / INT64_MAX): no overflow, and no finite lag from an infinity:
 * a touch at an infinite time never qualifies, a conversion at one is
 * unattributed, whatever the window.  Finite times at the ends of
 * PostgreSQL's range still attribute when their distance fits the window.
 */
static void
test_extreme_times(void)
{
	Ev			ev[] = {{INT64_MIN, CLK, "old", false, 0}, {INT64_MIN, CONV, NULL, false, 0},
	{0, CONV, NULL, false, 0}, {INT64_MAX, IMP, "late", false, 0},
	{INT64_MAX, CONV, NULL, false, 0}};
	Js			j = js_build(ev, 5);
	Rows		r = attribute(&j, JOURNEY_LINEAR, INT64_MAX, INT64_MAX, INT64_MAX);
	Ev			far[] = {{JOURNEY_TS_MIN, CLK, "first", false, 0},
	{JOURNEY_TS_MIN + 1000, CONV, NULL, false, 0}, {JOURNEY_TS_END - 1, CONV, NULL, false, 0}};
	Js			jf = js_build(far, 3);
	Rows		rf = attribute(&jf, JOURNEY_LAST_TOUCH, INT64_MAX, INT64_MAX, INT64_MAX);

	CHECK(r.n == 3 && !r.r[0].attributed && !r.r[1].attributed && !r.r[2].attributed,
		  "conversions at -infinity, 0 and infinity: none credited to a touch at an infinite time");
	CHECK(rf.n == 2 && rf.r[0].attributed && rf.r[0].lag == 1000 && !rf.r[1].attributed,
		  "a click at the first valid time credits a conversion 1000 us later, not one beyond any window");
	free(r.r);
	free(rf.r);
	buf_free(&j);
	buf_free(&jf);
}

/* ---------------------------------------------------------------------
 * tests: randomized cross-check against the brute-force reference
 * --------------------------------------------------------------------- */

static void
test_reference(void)
{
	uint64_t	rng = 2024;
	int			trial;
	int			mismatches = 0;
	int			sum_bad = 0;
	long		rows_checked = 0;

	for (trial = 0; trial < 2000 / SCALE; trial++)
	{
		size_t		n = 1 + rnd(&rng, trial % 10 == 0 ? 200 : 30);
		Ev		   *ev = xmalloc(n * sizeof(Ev));
		Ev		   *s;
		Js			j;
		int			m;
		int64_t		cw = (int64_t) rnd(&rng, 40) * MIN;
		int64_t		vw = (int64_t) rnd(&rng, 20) * MIN;
		int64_t		hl = (int64_t) (1 + rnd(&rng, 30)) * MIN;
		int64_t		ew = (int64_t) rnd(&rng, 30) * MIN;
		RefRow	   *want = xmalloc((n * n + 1) * sizeof(RefRow));

		random_events(&rng, ev, n, 60, 1 + (int) rnd(&rng, 10));
		j = js_build(ev, n);
		s = ref_sorted(ev, n);
		for (m = 0; m <= JOURNEY_POSITION_BASED; m++)
		{
			size_t		nw = ref_attribute(s, n, (JourneyModel) m, cw, vw, hl, ew, want);
			Rows		r = attribute_ew(&j, (JourneyModel) m, cw, vw, hl, ew);
			size_t		k;
			double		sum = 0;
			int64_t		conv = INT64_MIN;
			uint32_t	conv_event = UINT32_MAX;
			long		nconv = 0;

			if (r.n != nw)
			{
				mismatches++;
				fprintf(stderr, "  trial %d model %d: %zu rows, reference %zu\n", trial, m, r.n, nw);
				free(r.r);
				continue;
			}
			for (k = 0; k < nw; k++)
			{
				const JourneyRow *a = &r.r[k];
				const RefRow *b = &want[k];
				bool		same = a->conversion_ts == b->conv_ts &&
					a->attributed == b->attributed &&
					fabs(a->credit - b->credit) <= 1e-12 &&
					a->value_is_null == b->value_null &&
					(a->value_is_null || (isnan(b->value) ? isnan(a->value) :
										  fabs(a->value - b->value) <= 1e-12 * (1 + fabs(b->value))));

				if (same && a->attributed)
					same = a->touch_kind == b->kind && a->touch_ts == b->touch_ts &&
						a->lag == b->lag && row_touch_is(a, b->touch);
				if (!same)
				{
					mismatches++;
					fprintf(stderr, "  trial %d model %d row %zu differs\n", trial, m, k);
					break;
				}
				if (a->conversion_event != conv_event)
				{
					if (conv_event != UINT32_MAX && fabs(sum - 1.0) > 1e-12)
						sum_bad++;
					conv_event = a->conversion_event;
					sum = 0;
					nconv++;
				}
				sum += a->credit;
				conv = a->conversion_ts;
			}
			(void) conv;
			if (conv_event != UINT32_MAX && fabs(sum - 1.0) > 1e-12)
				sum_bad++;
			rows_checked += (long) nw;
			free(r.r);
		}
		free(want);
		free(s);
		buf_free(&j);
		free(ev);
	}
	CHECK(mismatches == 0, "all five models agree with the brute-force reference (%d mismatches)",
		  mismatches);
	CHECK(sum_bad == 0, "credits of every conversion sum to 1 within 1e-12 (%d not)", sum_bad);
	CHECK(rows_checked > 10000, "rows checked: %ld", rows_checked);
	CHECK(protocol_errors == 0, "no protocol errors (%d)", protocol_errors);
}

/* the iterator may be copied between calls (the glue may keep it anywhere) */
static void
test_iterator_copy(void)
{
	Ev			ev[] = {{0, CLK, "a", false, 0}, {1, CLK, "b", false, 0},
	{2, CONV, NULL, false, 0}, {3, CONV, NULL, false, 0}};
	Js			j = js_build(ev, 4);
	JourneyParams p = {JOURNEY_LINEAR, DAY, DAY, DAY, DAY};
	JourneyAttribution a;
	JourneyAttribution b;
	JourneyRow	row;
	int			n = 0;

	CHECK(journey_attribute_begin(&a, j.b, j.len, &p, NULL, 0), "begin");
	CHECK(journey_attribute_next(&a, &row) && row_touch_is(&row, "a"), "row 1 from a");
	memcpy(&b, &a, sizeof(a));
	memset(&a, 0xAB, sizeof(a));
	while (journey_attribute_next(&b, &row))
		n++;
	CHECK(n == 3, "three more rows from the copy (%d)", n);
	CHECK(journey_attribute_begin(&a, j.b, j.len, &p, NULL, 0) &&
		  !journey_needs_canonicalize(j.b, j.len), "begin again");
	{
		Js			s = js_state(ev, 4);

		CHECK(!journey_attribute_begin(&a, s.b, s.len, &p, NULL, 0), "begin refuses a STATE");
		CHECK(journey_attribute_count(s.b, s.len, &p) == 0, "count refuses a STATE");
		CHECK(!journey_event(s.b, s.len, 0, NULL), "journey_event refuses a STATE");
		buf_free(&s);
	}
	buf_free(&j);
}

/* scratch requirements: big journeys need it, and unaligned scratch works */
static void
test_scratch(void)
{
	size_t		n = 200;
	Ev		   *ev = xmalloc(n * sizeof(Ev));
	uint64_t	rng = 99;
	Js			s;
	Js			c;
	size_t		need;
	uint8_t    *buf;
	JourneyParams p = {JOURNEY_LINEAR, 10 * MIN, 5 * MIN, MIN, 5 * MIN};
	JourneyAttribution it;
	JourneyRow	row;
	size_t		rows = 0;

	random_events(&rng, ev, n, 60, 10);
	s = js_state(ev, n);
	need = journey_canonical_scratch_size(s.b, s.len);
	/* events out of order: 16 bytes an event (keys and indexes), 12 a string */
	CHECK(need >= 16 * n + 8 && need <= 28 * n + 8, "canonical scratch for 200 shuffled events (%zu)", need);
	{
		size_t		cap = journey_canonical_size(s.b, s.len);
		uint8_t    *dst = xmalloc(cap);

		CHECK(journey_canonicalize(dst, cap, s.b, s.len, NULL, 0) == 0, "no scratch: refused");
		buf = xmalloc(need + 1);
		CHECK(journey_canonicalize(dst, cap, s.b, s.len, buf + 1, need) == cap,
			  "unaligned scratch works");
		CHECK(journey_canonicalize(dst, cap - 1, s.b, s.len, buf, need) == 0,
			  "dst one byte short: refused");
		free(buf);
		free(dst);
	}
	c = js_canon(&s);
	{
		/*
		 * the same events in order (the canonical value's, appended to a
		 * fresh state): no per-event scratch, and the same canonical bytes
		 */
		Js			t = js_state(NULL, 0);
		size_t		cap = journey_canonical_size(c.b, c.len);
		uint8_t    *dst = xmalloc(cap);

		js_merge(&t, &c);
		need = journey_canonical_scratch_size(t.b, t.len);
		CHECK(need > 0 && need < 4 * n, "canonical scratch for 200 events in order (%zu)", need);
		buf = xmalloc(need);
		CHECK(journey_canonicalize(dst, cap, t.b, t.len, buf, need - 1) == 0, "scratch one byte short: refused");
		CHECK(journey_canonicalize(dst, cap, t.b, t.len, buf, need) == c.len &&
			  memcmp(dst, c.b, c.len) == 0, "events in order: the same canonical bytes");
		free(buf);
		free(dst);
		buf_free(&t);
	}
	need = journey_attribute_scratch_size(c.b, c.len);
	CHECK(need == 4 * n + 4, "attribute scratch 4E + 4 (%zu)", need);
	CHECK(!journey_attribute_begin(&it, c.b, c.len, &p, NULL, 0), "no scratch: refused");
	buf = xmalloc(need + 3);
	CHECK(journey_attribute_begin(&it, c.b, c.len, &p, buf + 3, need), "unaligned scratch");
	while (journey_attribute_next(&it, &row))
		rows++;
	CHECK(rows == journey_attribute_count(c.b, c.len, &p), "rows = count (%zu)", rows);
	free(buf);
	buf_free(&c);
	buf_free(&s);
	free(ev);
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_names();
	test_params();
	test_empty();
	test_unattributed();
	test_window_edges();
	test_same_instant();
	test_click_precedence();
	test_shared_touches();
	test_null_touch();
	test_time_decay();
	test_position_based();
	test_linear_thirds();
	test_ties_and_duplicates();
	test_values();
	test_extreme_times();
	test_reference();
	test_iterator_copy();
	test_scratch();
	return sketch_report(argv[0]);
}
