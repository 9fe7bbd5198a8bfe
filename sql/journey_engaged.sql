-- Engaged views (0.2): journey_agg's kind 'engaged_view', attribute()'s
-- engaged_window and the precedence click > engaged view > impression,
-- on hand-worked journeys; every expected row is worked out in the
-- comment above it.  Times are relative to T = 2026-03-01 00:00 UTC (in
-- days); "lag" is conversion time - touch time.  Defaults: click window
-- 7 days, engaged window 1 day, view window 1 day.
SET timezone = 'UTC';
CREATE TEMP TABLE ev (jid text, ts timestamptz, kind text, touch text, value float8);
CREATE FUNCTION pg_temp.t(d float8) RETURNS timestamptz IMMUTABLE LANGUAGE sql
RETURN timestamptz '2026-03-01 00:00+00' + d * interval '1 day';

INSERT INTO ev VALUES
-- post-click: a click 3 days before beats an engaged view and an
-- impression an hour before: click c, credit 1, value 60.
('click', pg_temp.t(0),          'click',        'c', NULL),
('click', pg_temp.t(3) - interval '1 hour', 'engaged_view', 'e', NULL),
('click', pg_temp.t(3) - interval '1 hour', 'impression',   'i', NULL),
('click', pg_temp.t(3),          'conversion',   NULL, 60),
-- post-engagement: the click is 8 days old (out of 7); engaged views 20 h
-- and 2 h before qualify (1 day) and beat the impression 1 h before:
-- last touch e2; linear e1, e2 at 1/2 (value 20 each of 40).
('engaged', pg_temp.t(0),                      'click',        'c_old', NULL),
('engaged', pg_temp.t(8) - interval '20 hours', 'engaged_view', 'e1', NULL),
('engaged', pg_temp.t(8) - interval '2 hours',  'engaged_view', 'e2', NULL),
('engaged', pg_temp.t(8) - interval '1 hour',   'impression',   'i', NULL),
('engaged', pg_temp.t(8),                       'conversion',   NULL, 40),
-- post-impression: the engaged view is 25 h old (out of 1 day), the
-- impression 23 h old (in): impression i, credit 1.
('view', pg_temp.t(0) - interval '25 hours', 'engaged_view', 'e', NULL),
('view', pg_temp.t(0) - interval '23 hours', 'impression',   'i', NULL),
('view', pg_temp.t(0),                       'conversion',   NULL, 9),
-- unattributed: everything too old (click 8 d, engaged view and
-- impression 2 d): touch NULL, credit 1.
('none', pg_temp.t(0),  'click',        'c', NULL),
('none', pg_temp.t(6),  'engaged_view', 'e', NULL),
('none', pg_temp.t(6),  'impression',   'i', NULL),
('none', pg_temp.t(8),  'conversion',   NULL, 3),
-- engaged window edge: 'edge' exactly 1 day before qualifies, 'past' a
-- second earlier does not: linear gives edge 1.
('edge', pg_temp.t(0) - interval '1 second', 'engaged_view', 'past', NULL),
('edge', pg_temp.t(0),                       'engaged_view', 'edge', NULL),
('edge', pg_temp.t(1),                       'conversion',   NULL, 1),
-- the same instant: impression, engaged view and click at T with the
-- conversion; the click wins (lag 0).  Stored order: impression,
-- engaged_view, click, conversion, whatever the row order.
('instant', pg_temp.t(0), 'conversion',   NULL,  5),
('instant', pg_temp.t(0), 'click',        'now', NULL),
('instant', pg_temp.t(0), 'engaged_view', 'now', NULL),
('instant', pg_temp.t(0), 'impression',   'now', NULL);

CREATE TEMP TABLE jr AS
SELECT jid, journey_agg(ts, kind, touch, value) AS j FROM ev GROUP BY jid;

-- each case under last touch with the defaults
SELECT jid, touch, touch_kind, credit, value, lag
FROM jr, attribute(j) ORDER BY jid, conversion_time, touch_time, touch;

-- post-engagement under linear: e1 and e2 at 1/2, 20 each of 40
SELECT touch, touch_kind, credit, value, lag FROM jr, attribute(j, 'linear') WHERE jid = 'engaged' ORDER BY touch;

-- the engaged window: 19 h leaves e2 (2 h) alone; 1 h leaves none, so the
-- impression (1 h, view window 1 day) takes it; 2 days on 'view' reaches
-- the engaged view 25 h before, which then beats the impression
SELECT touch, touch_kind FROM jr, attribute(j, 'linear', engaged_window => '19 hours') WHERE jid = 'engaged';
SELECT touch, touch_kind FROM jr, attribute(j, engaged_window => '1 hour') WHERE jid = 'engaged';
SELECT touch, touch_kind, lag FROM jr, attribute(j, engaged_window => '2 days') WHERE jid = 'view';
-- a positional call with every argument: click window 9 days reaches c_old
SELECT touch, touch_kind FROM jr, attribute(j, 'last_touch', '9 days', '1 day', '7 days', '1 day') WHERE jid = 'engaged';
-- window edge: 1 day - 1 microsecond drops 'edge' (unattributed)
SELECT coalesce(touch, 'none') AS touch, credit FROM jr, attribute(j, 'linear', engaged_window => '1 day') WHERE jid = 'edge';
SELECT coalesce(touch, 'none') AS touch, credit FROM jr, attribute(j, 'linear', engaged_window => '23:59:59.999999') WHERE jid = 'edge';

-- stored order at one instant, and the counts
SELECT kind, touch FROM jr, journey_events(j) WHERE jid = 'instant';
SELECT journey_info(j) ->> 'engaged_views' AS engaged_views, journey_info(j) ->> 'impressions' AS impressions
FROM jr WHERE jid = 'engaged';
-- the kind byte of an engaged view is 3 (docs/FORMAT.md): a one-event
-- journey is the 20-byte header, end[1], ts, touch, kind, the string 'e'
SELECT substr(journey_agg(pg_temp.t(0), 'engaged_view', 'e')::bytea, 20 + 4 + 8 + 4 + 1, 2);

-- merges and parallel states: split the rows, merge, same bytes
SELECT (SELECT journey_agg(ts, kind, touch, value) FROM ev WHERE jid = 'engaged' AND kind <> 'engaged_view')
    || (SELECT journey_agg(ts, kind, touch, value) FROM ev WHERE jid = 'engaged' AND kind = 'engaged_view')
     = (SELECT j FROM jr WHERE jid = 'engaged') AS merged_equal;

-- journeys without engaged views attribute the same whatever the engaged
-- window (0.1's rules): the 6 journeys above without their engaged views
-- under 5 models (30 cases), each case's rows for engaged windows 0 and
-- 30 days
CREATE TEMP TABLE jr_noeng AS
SELECT jid, journey_agg(ts, kind, touch, value) AS j FROM ev WHERE kind <> 'engaged_view' GROUP BY jid;
SELECT count(*) AS cases,
       count(*) FILTER (WHERE a IS DISTINCT FROM b) AS differing
FROM jr_noeng, unnest(ARRAY['last_touch', 'first_touch', 'linear', 'time_decay', 'position_based']) m,
     LATERAL (SELECT array_agg(x ORDER BY x::text) FROM attribute(j, m, engaged_window => '0') x) s1(a),
     LATERAL (SELECT array_agg(x ORDER BY x::text) FROM attribute(j, m, engaged_window => '30 days') x) s2(b);

-- 0.1's signature, kept as attribute_0_1: engaged_window 1 day
SELECT touch, touch_kind FROM jr, attribute_0_1(j, 'linear', '7 days', '1 day', '7 days') WHERE jid = 'engaged' ORDER BY touch;

-- bad arguments
\set VERBOSITY default
SELECT * FROM jr, attribute(j, engaged_window => '-1 second');
SELECT * FROM jr, attribute(j, engaged_window => NULL);
SELECT journey_agg(pg_temp.t(0), 'engaged view', 'x');
\set VERBOSITY terse
