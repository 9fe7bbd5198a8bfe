-- frequency_agg and its accessors, checked against exact SQL over the same
-- rows (two-level GROUP BY, INTERSECT / EXCEPT) computed in the same query.

-- impressions with a skewed per-user frequency: user u (1..n) sees the ad
-- 1 + (u * u) % 13 times, on days spread over a month
CREATE TABLE imp AS
SELECT g.n AS audience, u AS user_id, 1 + (u * 7 + i) % 30 AS day
FROM (VALUES (300), (60000)) g(n), generate_series(1, g.n) u, generate_series(1, 1 + (u::bigint * u) % 13) i;
ANALYZE imp;

-- exact mode (300 users, k = 4096): every number equals the exact answer
WITH per_user AS (
	SELECT user_id, count(*) AS c FROM imp WHERE audience = 300 GROUP BY user_id
), exact_hist AS (
	SELECT f AS frequency,
	       (SELECT count(*) FROM per_user WHERE least(c, 10) = f) AS users,
	       (SELECT count(*) FROM per_user WHERE c >= f) AS at_least,
	       (SELECT count(*) FROM per_user WHERE least(c, 10) = f)::float8 / (SELECT count(*) FROM per_user) AS share
	FROM generate_series(1, 10) f
)
SELECT h.frequency, h.reach, h.reach_at_least, round(h.share::numeric, 6) AS share,
       h.reach = e.users AND h.reach_at_least = e.at_least AND abs(h.share - e.share) < 1e-12 AS exact
FROM (SELECT (frequency_histogram(frequency_agg(user_id))).* FROM imp WHERE audience = 300) h
JOIN exact_hist e USING (frequency)
ORDER BY h.frequency;
SELECT reach(s) AS reach, impressions(s) AS impressions, round(average_frequency(s)::numeric, 4) AS avg_freq,
       reach_at_least(s, 3) AS reach_3plus,
       (SELECT count(DISTINCT user_id) FROM imp WHERE audience = 300) AS exact_reach,
       (SELECT count(*) FROM imp WHERE audience = 300) AS exact_impressions,
       (SELECT count(*) FROM (SELECT user_id FROM imp WHERE audience = 300 GROUP BY 1 HAVING count(*) >= 3) x) AS exact_3plus
FROM (SELECT frequency_agg(user_id) AS s FROM imp WHERE audience = 300) t;
-- max_frequency moves the "or more" bucket
SELECT * FROM frequency_histogram((SELECT frequency_agg(user_id) FROM imp WHERE audience = 300), 3);

-- sampling (60000 users, k = 1024): reach within 3/sqrt(k) = 9.4 %, each
-- bucket's share within 2 percentage points, 3+ reach within 5 %
WITH s AS (SELECT frequency_agg(user_id, 1, 1024) AS s FROM imp WHERE audience = 60000),
per_user AS (SELECT user_id, count(*) AS c FROM imp WHERE audience = 60000 GROUP BY user_id),
exact AS (SELECT least(c, 10) AS frequency, count(*)::float8 / (SELECT count(*) FROM per_user) AS share
          FROM per_user GROUP BY 1)
SELECT abs(reach(s) / (SELECT count(*) FROM per_user)::float8 - 1) < 3 / sqrt(1024) AS reach_ok,
       abs(reach_at_least(s, 3) / (SELECT count(*) FROM per_user WHERE c >= 3)::float8 - 1) < 0.05 AS reach_3plus_ok,
       impressions(s) = (SELECT count(*) FROM imp WHERE audience = 60000) AS impressions_exact,
       (SELECT bool_and(abs(h.share - e.share) < 0.02) FROM frequency_histogram(s) h JOIN exact e USING (frequency)) AS shares_ok,
       frequency_sketch_info(s)->>'mode' AS mode, frequency_sketch_info(s)->>'users_kept' AS kept
FROM s;

-- pre-aggregated counts equal raw rows, byte for byte (exact and sampled)
SELECT audience,
       (SELECT frequency_agg(user_id, c, 256)::bytea FROM (SELECT user_id, count(*) AS c FROM imp i WHERE i.audience = a.audience GROUP BY 1) p)
     = (SELECT frequency_agg(user_id, 1, 256)::bytea FROM imp i WHERE i.audience = a.audience) AS preaggregated_same
FROM (VALUES (300), (60000)) a(audience) ORDER BY 1;
-- NULL or 0 impressions skip the row; negative is an error
SELECT impressions(frequency_agg(u, n)) AS impressions, reach(frequency_agg(u, n)) AS reach
FROM (VALUES (1, 2), (2, NULL), (3, 0), (NULL, 5), (1, 1)) v(u, n);
\set VERBOSITY sqlstate
SELECT frequency_agg(u, n) FROM (VALUES (1, -1)) v(u, n);
SELECT frequency_agg(u, 1, 15) FROM (VALUES (1)) v(u);
SELECT frequency_agg(u, 1, 1048577) FROM (VALUES (1)) v(u);
SELECT frequency_histogram(frequency_agg(u), 0) FROM (VALUES (1)) v(u);
-- a bad k is an error even when every row is skipped
SELECT frequency_agg(u, n, 3) FROM (VALUES (NULL::bigint, 1), (1, 0)) v(u, n);
\set VERBOSITY default
SELECT frequency_agg(u, n) FROM (VALUES (1, -3)) v(u, n);
SELECT frequency_agg(u, 1, 15) FROM (VALUES (1)) v(u);

-- rollups: daily sketches unioned equal the sketch of the month, byte for byte
CREATE TEMP TABLE daily AS
SELECT audience, day, frequency_agg(user_id, 1, 512) AS s FROM imp GROUP BY 1, 2;
SELECT audience,
       (SELECT frequency_union_agg(s) FROM daily d WHERE d.audience = a.audience)::bytea
     = (SELECT frequency_agg(user_id, 1, 512) FROM imp i WHERE i.audience = a.audience)::bytea AS union_is_sketch_of_union
FROM (VALUES (300), (60000)) a(audience) ORDER BY 1;
-- a date range from the rollup
SELECT reach(frequency_union_agg(s)) = (SELECT count(DISTINCT user_id) FROM imp WHERE audience = 300 AND day BETWEEN 5 AND 11) AS range_exact
FROM daily WHERE audience = 300 AND day BETWEEN 5 AND 11;
-- || is the same union
SELECT ((SELECT s FROM daily WHERE audience = 300 AND day = 1) || (SELECT s FROM daily WHERE audience = 300 AND day = 2))
     = (SELECT frequency_union_agg(s) FROM daily WHERE audience = 300 AND day IN (1, 2)) AS concat_is_union;

-- audience overlap against exact INTERSECT / EXCEPT: users of days 1-10 vs days 5-20
SELECT reach_intersection(a, b) AS overlap,
       (SELECT count(*) FROM (SELECT user_id FROM imp WHERE audience = 300 AND day <= 10
                              INTERSECT SELECT user_id FROM imp WHERE audience = 300 AND day BETWEEN 5 AND 20) x) AS exact_overlap,
       reach_difference(a, b) AS a_not_b,
       (SELECT count(*) FROM (SELECT user_id FROM imp WHERE audience = 300 AND day <= 10
                              EXCEPT SELECT user_id FROM imp WHERE audience = 300 AND day BETWEEN 5 AND 20) x) AS exact_a_not_b
FROM (SELECT frequency_agg(user_id) FILTER (WHERE day <= 10) AS a,
             frequency_agg(user_id) FILTER (WHERE day BETWEEN 5 AND 20) AS b
      FROM imp WHERE audience = 300) t;
-- sampled (k = 1024): about 512 of the kept users fall in each set, so the
-- relative standard error is about 1/sqrt(512) = 4.4 %; 0.15 is 3.4 of them
WITH x AS (
	SELECT frequency_agg(user_id, 1, 1024) FILTER (WHERE user_id % 3 <> 0) AS a,
	       frequency_agg(user_id, 1, 1024) FILTER (WHERE user_id % 2 = 0) AS b
	FROM imp WHERE audience = 60000
)
SELECT abs(reach_intersection(a, b) / 20000.0 - 1) < 0.15 AS overlap_ok,    -- exact: even, not multiple of 3 = 20000
       abs(reach_difference(a, b) / 20000.0 - 1) < 0.15 AS difference_ok      -- exact: odd, not multiple of 3 = 20000
FROM x;
-- disjoint audiences give exactly 0, identical ones their reach; the
-- difference from a disjoint audience estimates all of a (at the lower theta)
SELECT reach_intersection(a, b) AS disjoint, abs(reach_difference(a, b)::float8 / reach(a) - 1) < 0.15 AS difference_is_all,
       reach_intersection(a, a) = reach(a) AS self
FROM (SELECT frequency_agg(user_id, 1, 1024) FILTER (WHERE user_id % 2 = 0) AS a,
             frequency_agg(user_id, 1, 1024) FILTER (WHERE user_id % 2 = 1) AS b
      FROM imp WHERE audience = 60000) t;

-- empty and small
SELECT reach(s) AS reach, impressions(s) AS impressions, average_frequency(s) IS NULL AS avg_null,
       (SELECT count(*) FROM frequency_histogram(s)) AS buckets
FROM (SELECT frequency_agg(user_id) AS s FROM imp WHERE false) t;
SELECT pg_column_size(frequency_agg(x)) < 512 AS ten_users_small FROM generate_series(1, 10) x;
SELECT frequency_sketch_info(frequency_agg(x)) FROM generate_series(1, 10) x;

-- input types hash like reach_sketch: integer as bigint, text as bytea
SELECT (SELECT frequency_agg(x::int) FROM generate_series(1, 5000) x) = (SELECT frequency_agg(x::bigint) FROM generate_series(1, 5000) x) AS int_is_bigint,
       (SELECT frequency_agg('u' || x) FROM generate_series(1, 50) x) = (SELECT frequency_agg(convert_to('u' || x, 'UTF8')) FROM generate_series(1, 50) x) AS text_is_bytea,
       (SELECT reach(frequency_agg(md5(x::text)::uuid)) FROM generate_series(1, 100) x) AS uuid_reach;

-- GROUP BY / DISTINCT on sketch columns
SELECT count(DISTINCT s) AS distinct_sketches, count(*) FROM daily;

-- parallel: serial = parallel, byte for byte
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE serial AS SELECT audience, frequency_agg(user_id, 1, 1024) AS s FROM imp GROUP BY 1;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT audience, frequency_agg(user_id, 1, 1024) FROM imp GROUP BY 1;
SELECT regress.workers_launched('SELECT audience, frequency_agg(user_id, 1, 1024) FROM imp GROUP BY 1') AS workers_launched;
CREATE TEMP TABLE par AS SELECT audience, frequency_agg(user_id, 1, 1024) AS s FROM imp GROUP BY 1;
RESET ALL;
SELECT count(*), bool_and(a.s::bytea = b.s::bytea) AS parallel_identical FROM serial a JOIN par b USING (audience);

-- frequency_union_agg's sorted union (a union of 1,024 entries or more:
-- audience 60000's, whose days hold 512 each, from its second day, the
-- first day's table state taken in; audience 300's stays a table): the
-- bytes of the table path's unions (||), as a running window aggregate
-- (the final function called between rows), and in a parallel plan (each
-- partial union flattened into a stored value, then combined)
CREATE TEMP TABLE folded AS
WITH RECURSIVE f(audience, day, s) AS (
	SELECT audience, day, s FROM daily WHERE day = 1
	UNION ALL
	SELECT f.audience, d.day, f.s || d.s FROM f JOIN daily d ON d.audience = f.audience AND d.day = f.day + 1
)
SELECT * FROM f;
SELECT audience, count(*) AS days,
       bool_and(w.s::bytea = f.s::bytea) AS running_union_is_fold
FROM (SELECT audience, day, frequency_union_agg(s) OVER (PARTITION BY audience ORDER BY day) AS s FROM daily) w
JOIN folded f USING (audience, day)
GROUP BY 1 ORDER BY 1;
-- (workers cannot read a temporary table)
CREATE TABLE daily_rows AS SELECT * FROM daily;
ANALYZE daily_rows;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE union_serial AS SELECT audience, frequency_union_agg(s) AS s FROM daily_rows GROUP BY 1;
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
SELECT regress.workers_launched('SELECT audience, frequency_union_agg(s) FROM daily_rows GROUP BY 1') AS workers_launched;
CREATE TEMP TABLE union_par AS SELECT audience, frequency_union_agg(s) AS s FROM daily_rows GROUP BY 1;
RESET ALL;
SELECT count(*), bool_and(a.s::bytea = b.s::bytea) AS parallel_identical,
       bool_and(a.s::bytea = f.s::bytea) AS union_is_fold
FROM union_serial a JOIN union_par b USING (audience) JOIN folded f ON f.audience = a.audience AND f.day = 30;
DROP TABLE daily_rows;
DROP TABLE imp;
