-- journey_agg and attribute(): hand-worked journeys for every rule and every
-- model, the edge cases, and a cross-check on generated data against
-- independent plain-SQL attribution.  Times are written relative to
-- T = 2026-03-01 00:00 UTC; "lag" is conversion time - touch time.
SET timezone = 'UTC';
CREATE TEMP TABLE ev (jid text, ts timestamptz, kind text, touch text, value float8);
CREATE FUNCTION pg_temp.t(d float8) RETURNS timestamptz IMMUTABLE LANGUAGE sql
RETURN timestamptz '2026-03-01 00:00+00' + d * interval '1 day';

INSERT INTO ev VALUES
-- rules: a click 4 days before the conversion (within the 7-day click
-- window) wins over an impression 12 h before it (within the 1-day view
-- window): a post-click conversion, click_A gets credit 1, value 80.
('rules', pg_temp.t(0),   'impression', 'imp_old',    NULL),
('rules', pg_temp.t(5.5), 'click',      'click_A',    NULL),
('rules', pg_temp.t(9),   'impression', 'imp_recent', NULL),
('rules', pg_temp.t(9.5), 'conversion', NULL,         80),
-- view-through: the only click is 8 days old (outside 7 days), so the
-- impression 20 h before (inside 1 day) takes it: post-impression.
('view', pg_temp.t(-8),        'click',      'c_old', NULL),
('view', pg_temp.t(0),         'impression', 'V',     NULL),
('view', pg_temp.t(20.0 / 24), 'conversion', NULL,    30),
-- click window edge: 'edge' is exactly 7 days before (qualifies), 'past'
-- 7 days and 1 second before (does not): linear gives edge 1.
('click_edge', pg_temp.t(0) - interval '1 second', 'click', 'past', NULL),
('click_edge', pg_temp.t(0),                       'click', 'edge', NULL),
('click_edge', pg_temp.t(7),                       'conversion', NULL, 1),
-- view window edge, the same with impressions and 1 day.
('view_edge', pg_temp.t(0) - interval '1 second', 'impression', 'past', NULL),
('view_edge', pg_temp.t(0),                       'impression', 'edge', NULL),
('view_edge', pg_temp.t(1),                       'conversion', NULL, 1),
-- same instant: a click at the conversion's own time qualifies (lag 0);
-- one a second later does not; the impression at the same instant loses
-- to the click.
('instant', pg_temp.t(0),                       'impression', 'imp_same', NULL),
('instant', pg_temp.t(0),                       'click',      'now',      NULL),
('instant', pg_temp.t(0),                       'conversion', NULL,       5),
('instant', pg_temp.t(0) + interval '1 second', 'click',      'after',    NULL),
-- conversion before any touch: one unattributed row, credit 1, value 10.
('before', pg_temp.t(0),     'conversion', NULL,   10),
('before', pg_temp.t(1.0/24), 'click',     'late', NULL),
-- NULL touches: an impression with no touch is still credited (touch NULL,
-- touch_kind impression); the conversion's own touch text is not a touch;
-- its value is NULL, so the credited value is NULL.
('null_touch', pg_temp.t(0),        'impression', NULL,       NULL),
('null_touch', pg_temp.t(1.0 / 24), 'conversion', 'order-17', NULL),
-- shared touches: clicks A (day 0) and B (day 1); conversions on day 2
-- (B, lag 1 day), day 3 (B, lag 2 days) and day 8.5 (A is 8.5 days old, B
-- 7.5: none qualifies: unattributed).  Last touch: credits 1 + 1 + 1 = 3
-- conversions; value 100 + 50 + 20.
('shared', pg_temp.t(0),   'click',      'A',  NULL),
('shared', pg_temp.t(1),   'click',      'B',  NULL),
('shared', pg_temp.t(2),   'conversion', NULL, 100),
('shared', pg_temp.t(3),   'conversion', NULL, 50),
('shared', pg_temp.t(8.5), 'conversion', NULL, 20),
-- models: clicks c1..c4 at lags 6, 4, 2 and 1 days, an impression at lag
-- 12 h (loses to the clicks), conversion value 100 on day 7.
('models', pg_temp.t(1),   'click',      'c1', NULL),
('models', pg_temp.t(3),   'click',      'c2', NULL),
('models', pg_temp.t(5),   'click',      'c3', NULL),
('models', pg_temp.t(6),   'click',      'c4', NULL),
('models', pg_temp.t(6.5), 'impression', 'i1', NULL),
('models', pg_temp.t(7),   'conversion', NULL, 100),
-- three impressions at lags 2 days, 1 day and 1 hour, conversion value 60.
('three', pg_temp.t(0),         'impression', 'p1', NULL),
('three', pg_temp.t(1),         'impression', 'p2', NULL),
('three', pg_temp.t(2 - 1.0/24), 'impression', 'p3', NULL),
('three', pg_temp.t(2),         'conversion', NULL, 60),
-- ties: all at one instant; order is impressions, then clicks, then
-- conversions, and by touch text within a kind: z, a, b, conversion.
('ties', pg_temp.t(0), 'click',      'b',  NULL),
('ties', pg_temp.t(0), 'conversion', NULL, 1),
('ties', pg_temp.t(0), 'impression', 'z',  NULL),
('ties', pg_temp.t(0), 'click',      'a',  NULL);

CREATE TEMP TABLE jr AS SELECT jid, journey_agg(ts, kind, touch, value) AS j FROM ev GROUP BY jid;

CREATE FUNCTION pg_temp.show(model text, cw interval DEFAULT '7 days', vw interval DEFAULT '1 day',
	hl interval DEFAULT '7 days')
RETURNS TABLE(jid text, n bigint, conversion_time timestamptz, touch text, touch_kind text,
	touch_time timestamptz, credit numeric, value numeric, lag interval)
LANGUAGE sql AS $$
	SELECT jr.jid, a.n, a.conversion_time, a.touch, a.touch_kind, a.touch_time,
	       round(a.credit::numeric, 6), round(a.value::numeric, 4), a.lag
	FROM jr, attribute(jr.j, model, cw, vw, hl) WITH ORDINALITY
	     AS a(conversion_time, touch, touch_kind, touch_time, credit, value, lag, n)
	ORDER BY jr.jid, a.n
$$;

-- the events of a journey in canonical order
SELECT e.* FROM jr, journey_events(j) e WHERE jid = 'ties';

-- last touch (the default), every rule journey:
--   before:     unattributed (touch, kind, touch time and lag NULL), credit 1, value 10
--   click_edge: edge, lag exactly 7 days
--   instant:    now, lag 0
--   models:     c4 (the last click), lag 1 day, value 100
--   null_touch: touch NULL, impression, lag 1 h, value NULL
--   rules:      click_A, lag 4 days, value 80
--   shared:     B (lag 1 day, 100), B (lag 2 days, 50), unattributed (20)
--   three:      p3 (the last impression within 1 day: p2 at exactly 1
--               day and p3 qualify; p1 at 2 days does not)
--   ties:       b (clicks a, b in text order; the last is b), lag 0
--   view:       V, impression, lag 20 h, value 30
--   view_edge:  edge, lag exactly 1 day
SELECT * FROM pg_temp.show('last_touch');
SELECT count(*) AS rows, sum(credit) AS conversions_credited,
       (SELECT count(*) FROM ev WHERE kind = 'conversion') AS conversions
FROM jr, attribute(j);

-- first touch: models -> c1 (lag 6 days); shared -> A (lag 2 days), A
-- (lag 3 days: A still qualifies and comes first), unattributed; three ->
-- p2; ties -> a
SELECT * FROM pg_temp.show('first_touch') WHERE jid IN ('models', 'shared', 'three', 'ties');

-- linear: models -> 1/4 each, value 25; three (default 1-day view window)
-- -> p2, p3 1/2 each, value 30; shared -> conversion 1: A, B 1/2 each,
-- value 50; conversion 2: A, B 1/2 each (25); conversion 3 unattributed;
-- click_edge and view_edge: only edge (the one past the window is out)
SELECT * FROM pg_temp.show('linear') WHERE jid IN ('models', 'three', 'shared', 'click_edge', 'view_edge');

-- time decay, half-life 2 days, models: weights 2^(-6/2) = 0.125,
-- 2^(-4/2) = 0.25, 2^(-2/2) = 0.5, 2^(-1/2) = 0.707107; sum 1.582107;
-- credits 0.079009, 0.158017, 0.316034, 0.446940; values x 100.
SELECT * FROM pg_temp.show('time_decay', hl => '2 days') WHERE jid = 'models';
-- the default half-life 7 days: 2^(-6/7), 2^(-4/7), 2^(-2/7), 2^(-1/7)
-- normalised: 0.187067, 0.228037, 0.277980, 0.306915
SELECT * FROM pg_temp.show('time_decay') WHERE jid = 'models';

-- position based: 4 touches (models) -> 0.4, 0.1, 0.1, 0.4; 3 touches
-- (three, view window 3 days) -> 0.4, 0.2, 0.4, values 24, 12, 24; 2
-- touches (three, 1-day window) -> 0.5, 0.5; 1 touch (rules) -> 1
SELECT * FROM pg_temp.show('position_based') WHERE jid IN ('models', 'three', 'rules');
SELECT * FROM pg_temp.show('position_based', vw => '3 days') WHERE jid = 'three';

-- windows: a zero click window keeps only same-instant clicks (instant:
-- now; rules: click_A at 4 days is out, so the 12-h impression takes it);
-- a month counts 30 days (shared: the day-8.5 conversion now goes to B)
SELECT * FROM pg_temp.show('last_touch', cw => '0') WHERE jid IN ('instant', 'rules');
SELECT * FROM pg_temp.show('last_touch', cw => '1 mon') WHERE jid = 'shared';

-- every model credits each conversion exactly once in total
SELECT m.model, count(DISTINCT (jid, a.conversion_time)) AS conversions, round(sum(a.credit)::numeric, 9) AS credit
FROM jr, unnest(ARRAY['last_touch', 'first_touch', 'linear', 'time_decay', 'position_based']) m(model),
     attribute(j, m.model) a
GROUP BY m.model ORDER BY m.model;

-- an empty journey (no rows) has no conversions
SELECT count(*) AS rows FROM (SELECT journey_agg(ts, kind, touch) AS j FROM ev WHERE false) s, attribute(j);
SELECT journey_info(journey_agg(ts, kind, touch)) FROM ev WHERE false;
-- rows with a NULL time or kind are skipped; a NULL touch is kept
SELECT journey_info(journey_agg(ts, kind, touch))
FROM (VALUES (NULL::timestamptz, 'click', 'x'), (pg_temp.t(0), NULL, 'x'), (pg_temp.t(0), 'click', NULL)) v(ts, kind, touch);
SELECT journey_info(j) FROM jr WHERE jid = 'models';

-- bad arguments: 22023 naming the bad value
\set VERBOSITY sqlstate
SELECT journey_agg(ts, 'Click', touch) FROM ev;
SELECT * FROM jr, attribute(j, 'last_click');
SELECT * FROM jr, attribute(j, 'linear', '-1 day');
\set VERBOSITY default
SELECT journey_agg(ts, 'Click', touch) FROM ev;
SELECT journey_agg(ts, 'view', touch, value) FROM ev;
SELECT * FROM jr, attribute(j, 'last_click');
SELECT * FROM jr, attribute(j, 'linear', '-1 day');
SELECT * FROM jr, attribute(j, 'linear', '7 days', '-1 second');
SELECT * FROM jr, attribute(j, 'time_decay', '7 days', '1 day', '0');
SELECT * FROM jr, attribute(j, 'last_touch', '7 days', '1 day', '-7 days');
-- a NULL argument is an error (since 0.2: it used to drop every row)
SELECT count(*) FROM jr, attribute(j, NULL);
