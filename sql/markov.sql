-- markov_agg and markov_attribution on hand-worked chains (the arithmetic
-- is in the comments), the degenerate chains, the paths' lookback, the
-- stored bytes and the errors.  test/markov.sh checks generated data
-- against an independent implementation.
SET timezone = 'UTC';
CREATE TEMP TABLE ev (u int, ts timestamptz, kind text, touch text, value float8);
CREATE FUNCTION pg_temp.t(d float8) RETURNS timestamptz IMMUTABLE LANGUAGE sql
RETURN timestamptz '2026-03-01 00:00+00' + d * interval '1 day';

-- Chain 1, two channels.  u1: A, B, conversion (10); u2: A (no
-- conversion); u3: B, conversion (5).
--   start -> A 2/3, start -> B 1/3; A -> B 1/2, A -> null 1/2; B -> conv 1
--   b_B = 1, b_A = 1/2, P = 2/3 * 1/2 + 1/3 * 1 = 2/3
--   without A: start -> A goes to null, P = 1/3: effect 1 - (1/3)/(2/3) = 1/2
--   without B: nothing converts, P = 0: effect 1
--   shares 1/2 : 1 of 2 converting paths and 15: A 2/3 and 5, B 4/3 and 10
INSERT INTO ev VALUES
(1, pg_temp.t(0), 'impression', 'A', NULL), (1, pg_temp.t(1), 'click', 'B', NULL),
(1, pg_temp.t(2), 'conversion', NULL, 10),
(2, pg_temp.t(0), 'impression', 'A', NULL),
(3, pg_temp.t(0), 'click', 'B', NULL), (3, pg_temp.t(1), 'conversion', NULL, 5);
CREATE TEMP TABLE j1 AS SELECT u, journey_agg(ts, kind, touch, value) AS j FROM ev GROUP BY u;
SELECT * FROM markov_transitions((SELECT markov_agg(j) FROM j1));
SELECT * FROM markov_attribution((SELECT markov_agg(j) FROM j1));
SELECT markov_chain_info(markov_agg(j)) FROM j1;

-- Chain 2: a loop, a converting empty path and a channel that leads only
-- to null.  u11: A, B, conv (30); u12: A, A, conv (10); u13: B, C;
-- u14: conv (20) with no touch.
--   start: A 2/4, B 1/4, conv 1/4; A: A 1/3, B 1/3, conv 1/3;
--   B: conv 1/2, C 1/2; C: null 1
--   b_C = 0, b_B = 1/2, b_A = (1/3 b_B + 1/3) / (2/3) = 3/4
--   P = 1/2 * 3/4 + 1/4 * 1/2 + 1/4 = 3/4
--   without A: P = 1/4 * 1/2 + 1/4 = 3/8, effect 1/2
--   without B: b_A = 1/3 / (2/3) = 1/2, P = 1/4 + 1/4 = 1/2, effect 1/3
--   without C: nothing changes, effect 0
--   3 converting paths, value 60, shares 1/2 : 1/3 (sum 5/6):
--   A 3/5 * 3 = 1.8 and 36, B 2/5 * 3 = 1.2 and 24, C 0 (the effects to
--   rounding: LU and 1 - x leave the last bit)
DELETE FROM ev;
INSERT INTO ev VALUES
(11, pg_temp.t(0), 'impression', 'A', NULL), (11, pg_temp.t(1), 'engaged_view', 'B', NULL),
(11, pg_temp.t(2), 'conversion', NULL, 30),
(12, pg_temp.t(0), 'click', 'A', NULL), (12, pg_temp.t(1), 'impression', 'A', NULL),
(12, pg_temp.t(2), 'conversion', NULL, 10),
(13, pg_temp.t(0), 'impression', 'B', NULL), (13, pg_temp.t(1), 'impression', 'C', NULL),
(14, pg_temp.t(0), 'conversion', NULL, 20);
CREATE TEMP TABLE j2 AS SELECT u, journey_agg(ts, kind, touch, value) AS j FROM ev GROUP BY u;
SELECT * FROM markov_transitions((SELECT markov_agg(j) FROM j2));
SELECT touch, removal_effect, round(conversions::numeric, 12) AS conversions, round(value::numeric, 10) AS value
FROM markov_attribution((SELECT markov_agg(j) FROM j2));

-- paths and lookback.  One journey: A at day 0, B at 20, conversion (1) at
-- 35, C at 40, D at 80.
--   30 days: the conversion keeps B (15 days), not A (35); the
--   non-converting path C, D keeps D only (C is 40 days before D):
--   start -> B -> conv, start -> D -> null
--   50 days: start -> A -> B -> conv, start -> C -> D -> null
--   0: start -> conv (no touch at the conversion's instant), start -> D -> null
CREATE TEMP TABLE j3 AS
SELECT journey_agg(ts, kind, touch, value) AS j FROM (VALUES
	(pg_temp.t(0), 'impression', 'A', NULL::float8), (pg_temp.t(20), 'click', 'B', NULL),
	(pg_temp.t(35), 'conversion', NULL, 1), (pg_temp.t(40), 'impression', 'C', NULL),
	(pg_temp.t(80), 'impression', 'D', NULL)) e(ts, kind, touch, value);
SELECT string_agg(from_state || '>' || to_state, ' ') FROM (SELECT (markov_transitions(markov_agg(j))).* FROM j3) s;
SELECT string_agg(from_state || '>' || to_state, ' ') FROM (SELECT (markov_transitions(markov_agg(j, '50 days'))).* FROM j3) s;
SELECT string_agg(from_state || '>' || to_state, ' ') FROM (SELECT (markov_transitions(markov_agg(j, '0'))).* FROM j3) s;
-- two conversions split the journey: A, conv, B, conv: start -> A -> conv
-- and start -> B -> conv (B's path starts after the first conversion)
SELECT string_agg(from_state || '>' || to_state || ':' || transitions, ' ')
FROM markov_transitions((SELECT markov_agg(j) FROM (SELECT journey_agg(ts, kind, touch) AS j FROM (VALUES
	(pg_temp.t(0), 'click', 'A'), (pg_temp.t(1), 'conversion', NULL),
	(pg_temp.t(2), 'click', 'B'), (pg_temp.t(3), 'conversion', NULL)) e(ts, kind, touch)) s));

-- degenerate chains
-- one channel: A converts once and fails once: P = 1/2, without A 0, effect 1
SELECT * FROM markov_attribution((SELECT markov_agg(j) FROM j1 WHERE u = 2)
	|| (SELECT markov_agg(j) FROM (SELECT journey_agg(ts, kind, touch) AS j FROM (VALUES
		(pg_temp.t(0), 'click', 'A'), (pg_temp.t(1), 'conversion', NULL)) e(ts, kind, touch)) s));
-- no conversions: zero credit, not NaN
SELECT * FROM markov_attribution((SELECT markov_agg(j) FROM j1 WHERE u = 2));
-- only empty converting paths: P = 1 but no channel: no rows
SELECT count(*), sum(conversions) FROM markov_attribution((SELECT markov_agg(j) FROM (SELECT journey_agg(pg_temp.t(0), 'conversion', NULL) AS j) s));
-- zero rows, NULL journeys: the empty chain (the 32-byte header)
SELECT markov_agg(j) FROM j1 WHERE false;
SELECT markov_agg(NULL::journey) = markov_agg(j) FROM j1 WHERE false;
SELECT count(*) FROM markov_attribution((SELECT markov_agg(j) FROM j1 WHERE false));

-- merges: any split and order gives the same bytes
SELECT (SELECT markov_agg(j) FROM j2 WHERE u IN (11, 13)) || (SELECT markov_agg(j) FROM j2 WHERE u IN (12, 14))
     = (SELECT markov_agg(j) FROM j2) AS merged,
       ((SELECT markov_agg(j) FROM j2 WHERE u IN (12, 14)) || (SELECT markov_agg(j) FROM j2 WHERE u IN (11, 13)))::bytea
     = (SELECT markov_agg(j) FROM j2)::bytea AS same_bytes;

-- the stored bytes (docs/FORMAT.md): chain 1 is the header (version 1,
-- canonical, 2 channels, 5 entries, 2 string bytes, value 15,000,000
-- millionths = 0xe4e1c0), ends 1, 2, the entries (to, from, count) and "AB"
SELECT markov_agg(j) FROM j1;

-- bad input: 22P02 / 22P03 with what is wrong
\set VERBOSITY default
SELECT '\x02010000000000000000000000000000000000000000000000000000000000000000'::markov_chain;
SELECT '\x0101000000000000000000000000000000000000000000000000000000000000ff'::markov_chain;
SELECT '\x01010000'::markov_chain;
-- A -> B -> conv with B's exit turned back to A: a loop with no way out
SELECT (SELECT markov_agg(j) FROM (SELECT journey_agg(ts, kind, touch) AS j FROM (VALUES (pg_temp.t(0), 'click', 'A'),
	(pg_temp.t(1), 'click', 'B'), (pg_temp.t(2), 'conversion', NULL)) e(ts, kind, touch)) s) AS abc \gset
SELECT :'abc';
SELECT overlay(:'abc' placing '01' from 3 + 2 * 72 for 2)::markov_chain;
-- entries out of order: B -> conv's from set to start, after A -> B
SELECT overlay(:'abc' placing '00' from 3 + 2 * 76 for 2)::markov_chain;
-- a count of zero (start -> A's)
SELECT overlay(:'abc' placing '00' from 3 + 2 * 48 for 2)::markov_chain;
-- channels out of order: "AB" as "BA"
SELECT overlay(:'abc' placing '4241' from length(:'abc') - 3 for 4)::markov_chain;
SELECT decode('01010000', 'hex')::markov_chain;
-- arguments
SELECT markov_agg(j, NULL) FROM j1;
SELECT markov_agg(j, '-1 day') FROM j1;
SELECT markov_agg(j) FROM (SELECT journey_agg(pg_temp.t(0), 'conversion', NULL, 'Infinity') AS j) s;
-- the channel limit: 1,000 channels build, 1,001 are an error naming it
-- (touches a few minutes apart, all within the 30-day lookback)
SELECT markov_chain_info(markov_agg(j)) ->> 'channels' FROM (SELECT journey_agg(pg_temp.t(x / 1000.0), 'click', 'c' || x) AS j FROM generate_series(1, 1000) x) s;
SELECT markov_agg(j) FROM (SELECT journey_agg(pg_temp.t(x / 1000.0), 'click', 'c' || x) AS j FROM generate_series(1, 1001) x) s;
SELECT (SELECT markov_agg(j) FROM (SELECT journey_agg(pg_temp.t(x / 1000.0), 'click', 'c' || x) AS j FROM generate_series(1, 600) x) s)
    || (SELECT markov_agg(j) FROM (SELECT journey_agg(pg_temp.t(x / 1000.0), 'click', 'd' || x) AS j FROM generate_series(1, 401) x) s);
\set VERBOSITY terse
