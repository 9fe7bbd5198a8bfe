-- Arguments and values at the edges (0.2): smallint ids, NULL arguments of
-- attribute(), the volatility of impression_ext_version(), bounds at
-- extreme confidence and for saturated sketches.

-- smallint ids were ambiguous (integer or bigint aggregate?); they hash as
-- the same bigint, so every form agrees with the bigint one byte for byte
CREATE TEMP TABLE small_ids AS SELECT (x % 2000)::smallint AS u FROM generate_series(1, 8000) x;
SELECT reach_agg(u) = reach_agg(u::bigint) AS reach_same,
       reach_agg(u, 10) = reach_agg(u::bigint, 10) AS reach_p10_same,
       reach_count(u) AS reach_count,
       frequency_agg(u) = frequency_agg(u::bigint) AS frequency_same,
       frequency_agg(u, 2) = frequency_agg(u::bigint, 2) AS frequency_counts_same,
       frequency_agg(u, 1, 64) = frequency_agg(u::bigint, 1, 64) AS frequency_k_same,
       reach(frequency_agg(u)) AS frequency_reach,
       impressions(frequency_agg(u, 2)) AS impressions
FROM small_ids;
-- negative smallints widen with their sign
SELECT reach_agg(x::smallint) = reach_agg(x::bigint) AS negative_same FROM generate_series(-300, -1) x;

-- attribute(): a NULL journey gives no rows; a NULL model, window or
-- half-life is an error, not a silent loss of every conversion
CREATE TEMP TABLE one_journey AS
SELECT journey_agg(ts, kind, touch) AS j FROM (VALUES
	(timestamptz '2026-01-01 10:00+00', 'click', 'a'),
	(timestamptz '2026-01-01 11:00+00', 'conversion', NULL)) e(ts, kind, touch);
SELECT count(*) AS rows_of_null_journey FROM attribute(NULL::journey);
SELECT touch, credit FROM one_journey, attribute(j);
SELECT regress.error_of(q) FROM (VALUES
	('SELECT count(*) FROM one_journey, attribute(j, NULL)'),
	($$SELECT count(*) FROM one_journey, attribute(j, 'linear', NULL)$$),
	($$SELECT count(*) FROM one_journey, attribute(j, 'linear', '7 days', NULL)$$),
	($$SELECT count(*) FROM one_journey, attribute(j, 'time_decay', '7 days', '1 day', NULL)$$)) t(q);

-- the library's version is STABLE: it changes with the library, and a
-- plan must not fold it into a constant
SELECT provolatile FROM pg_proc WHERE oid = 'impression_ext_version()'::regprocedure;

-- bounds are finite and ordered, 0 <= lower <= estimate <= upper, at a
-- confidence as close to 1 as a double gets (the quantile of
-- 0.5 + c / 2 overflowed: NaN, and NaN cast to bigint)
SELECT rate_lower(5, 10, 0.9999999999999999) BETWEEN 0.032 AND 0.034 AS lower_near_0_033,
       rate_upper(5, 10, 0.9999999999999999) BETWEEN 0.966 AND 0.968 AS upper_near_0_967;
SELECT reach_lower(s, 0.9999999999999999) AS lower, reach(s) AS estimate, reach_upper(s, 0.9999999999999999) AS upper
FROM (SELECT reach_agg(x) AS s FROM generate_series(1, 0) x) e;
SELECT reach_lower(s, 0.9999999999999999) <= reach(s) AND reach(s) <= reach_upper(s, 0.9999999999999999)
       AND reach_lower(s, 0.9999999999999999) >= 0 AS ordered
FROM (SELECT reach_agg(x) AS s FROM generate_series(1, 100000) x) d;
-- every register saturated: the estimate is infinite, clamped to bigint's
-- maximum by reach(), and the bounds with it (lower was -2^63)
SELECT reach_lower(s) AS lower, reach(s) AS estimate, reach_upper(s) AS upper
FROM (SELECT '\x010e030001000000cf00'::reach_sketch AS s) t;

-- the precision of reach_agg and the k of frequency_agg are the group's:
-- a row that changes them is an error (they were read from the first row
-- only, so the result depended on row order and plan)
SELECT regress.error_of(q) FROM (VALUES
	('SELECT reach_agg(x, CASE WHEN x = 1 THEN 10 ELSE 14 END) FROM generate_series(1, 100) x'),
	('SELECT reach_agg(x, CASE WHEN x = 50 THEN 99 ELSE 14 END) FROM generate_series(1, 100) x'),
	('SELECT reach_agg(x, CASE WHEN x = 50 THEN NULL ELSE 10 END) FROM generate_series(1, 100) x'),
	('SELECT frequency_agg(x, 1, CASE WHEN x = 1 THEN 16 ELSE 64 END) FROM generate_series(1, 100) x'),
	('SELECT frequency_agg(x, 1, CASE WHEN x = 50 THEN 5 ELSE 64 END) FROM generate_series(1, 100) x')) t(q);
-- the same value on every row is fine, per group
SELECT g, reach_sketch_info(reach_agg(x, 8 + g))->>'precision' AS precision,
       frequency_sketch_info(frequency_agg(x, 1, 16 << g))->>'k' AS k
FROM generate_series(1, 100) x, generate_series(1, 2) g GROUP BY g ORDER BY g;

-- a frequency_sketch counts at most 2^63 - 1 impressions (impressions() is
-- a bigint): passing it on add or merge is an error (the total used to
-- saturate at 2^64 - 1, which impressions() refused and
-- average_frequency() reported)
SELECT impressions(frequency_agg(u, n)) AS at_the_limit
FROM (VALUES (1, 9223372036854775806), (2, 1)) t(u, n);
SELECT regress.error_of(q) FROM (VALUES
	('SELECT frequency_agg(u, n) FROM (VALUES (1, 9223372036854775807), (2, 1)) t(u, n)'),
	('SELECT frequency_agg(u, n) FROM (VALUES (1, 9223372036854775807), (1, 9223372036854775807)) t(u, n)'),
	('SELECT s || s FROM (SELECT frequency_agg(1, 5000000000000000000) AS s) t'),
	('SELECT frequency_union_agg(s) FROM (SELECT frequency_agg(x, 5000000000000000000) AS s FROM generate_series(1, 2) x GROUP BY x) t')) t(q);

-- journeys from outside: touch strings must be text of this database (no
-- NUL, valid UTF8), timestamps within PostgreSQL's range or infinite.
-- One impression with touch 'ab': 20-byte header, end[1], ts (bytes
-- 24..31), touch[1], kind, then the string's 2 bytes (37, 38).
CREATE TEMP TABLE crafted AS
SELECT journey_agg(timestamptz '2026-01-01 00:00+00', 'impression', 'ab')::bytea AS b;
SELECT length(b) AS bytes, encode(substr(b, 38, 2), 'escape') AS touch_bytes FROM crafted;
SELECT what, regress.error_of(format('SELECT %L::bytea::journey', q)) AS bytea_cast,
       regress.error_of(format('SELECT %L::journey', '\x' || encode(q, 'hex'))) AS text_input
FROM (SELECT 'NUL in a touch' AS what, set_byte(b, 37, 0) AS q FROM crafted
      UNION ALL SELECT 'byte 0xff in a touch', set_byte(b, 38, 255) FROM crafted
      UNION ALL SELECT 'timestamp 2^63 - 2', overlay(b PLACING '\xfeffffffffffff7f'::bytea FROM 25) FROM crafted
      UNION ALL SELECT 'timestamp -infinity (valid)', overlay(b PLACING '\x0000000000000080'::bytea FROM 25) FROM crafted) t;
-- infinite times (which journey_agg accepts) give no finite lag: a touch at
-- an infinite time never qualifies, a conversion at one is unattributed
SELECT conversion_time, touch, touch_kind, credit, lag
FROM attribute((SELECT journey_agg(ts, kind, touch) FROM (VALUES
	(timestamptz '-infinity', 'click', 'ancient'),
	(timestamptz '2026-01-01 00:00+00', 'conversion', NULL),
	(timestamptz 'infinity', 'click', 'future'),
	(timestamptz 'infinity', 'conversion', NULL)) e(ts, kind, touch)),
	'last_touch', '300000 years', '300000 years')
ORDER BY conversion_time;

-- attribute() makes its rows as they are asked for: LIMIT 1 over the
-- 2,001,000 linear-model rows of a 4,000-event journey (each of 2,000
-- conversions credits the impressions before it) writes no temporary file
-- (it used to build them all first, spilling past work_mem)
CREATE TEMP TABLE long_journey AS
SELECT journey_agg(ts, kind, 'c' || (x % 10)) AS j
FROM (SELECT x, timestamptz '2026-01-01 00:00+00' + x * interval '1 second' AS ts,
             CASE WHEN x % 2 = 1 THEN 'impression' ELSE 'conversion' END AS kind
      FROM generate_series(1, 4000) x) e;
SELECT count(*) AS rows FROM long_journey, attribute(j, 'linear', '1 year', '1 year');
SET work_mem = '64kB';
SELECT pg_stat_force_next_flush();
SELECT temp_bytes AS temp_before FROM pg_stat_database WHERE datname = current_database() \gset
SELECT (attribute(j, 'linear', '1 year', '1 year')).credit FROM long_journey LIMIT 1;
SELECT pg_stat_force_next_flush();
SELECT temp_bytes - :temp_before AS temp_bytes_written FROM pg_stat_database WHERE datname = current_database();
RESET work_mem;

-- an hll of nothing imported at log2m 10 (a FULL hll, every register
-- zero) is an empty sketch: a union with it keeps the other side's
-- precision, as every empty sketch does (it used to fold to 10)
SELECT reach(e) AS imported_reach,
       reach_sketch_info(e || s)->>'precision' AS union_precision,
       reach(e || s) AS union_reach,
       (SELECT reach_sketch_info(reach_union_agg(v))->>'precision' FROM (VALUES (e), (s)) t(v)) AS union_agg_precision
FROM (SELECT reach_sketch_from_hll(decode('148a7f' || repeat('00', 640), 'hex')) AS e) i,
     (SELECT reach_agg(x) AS s FROM generate_series(1, 100) x) a;
-- and between empties the lower precision wins, whichever form the empty
-- one has: the all-zero p = 10 import first (a dense state), then an empty
-- p = 8 sketch (by hand: zero rows give p = 14, whatever the argument)
SELECT reach_sketch_info(u)->>'precision' AS precision, reach_sketch_info(u)->>'representation' AS representation,
       reach(u) AS reach, u = '\x0108010000000000'::reach_sketch AS is_the_empty_p8_sketch
FROM (SELECT reach_union_agg(v ORDER BY o) AS u
      FROM (VALUES (1, reach_sketch_from_hll(decode('148a7f' || repeat('00', 640), 'hex'))),
                   (2, '\x0108010000000000'::reach_sketch)) t(o, v)) s;
