-- Parallel query splits the reach aggregates (Partial Aggregate under Gather,
-- combined by reach_combine), and the result is byte-identical to the serial
-- one and to sketches merged from parts.
CREATE TABLE par_events AS
SELECT (i * 2654435761) % 150000 AS user_id, i % 7 AS campaign_id, (i % 1000)::text AS cookie
FROM generate_series(1, 400000) i;
ANALYZE par_events;

-- serial
SET max_parallel_workers_per_gather = 0;
CREATE TABLE serial AS
SELECT campaign_id, reach_agg(user_id) AS s, reach_agg(cookie) AS c, reach_count(user_id) AS n
FROM par_events GROUP BY campaign_id;
CREATE TEMP TABLE serial_total AS SELECT reach_agg(user_id) AS s FROM par_events;
-- many copies of the per-campaign sketches, so a parallel scan of them pays
CREATE TABLE sketch_rows AS SELECT g, s FROM serial, generate_series(1, 300) g;
ANALYZE sketch_rows;

-- forced parallel plans
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT reach_agg(user_id) FROM par_events;
EXPLAIN (COSTS OFF)
SELECT campaign_id, reach_agg(user_id), reach_agg(cookie), reach_count(user_id) FROM par_events GROUP BY campaign_id;
-- the workers really run (so the combine function really merges states)
SELECT regress.workers_launched('SELECT reach_agg(user_id) FROM par_events') AS total_workers,
       regress.workers_launched('SELECT campaign_id, reach_agg(user_id), reach_agg(cookie), reach_count(user_id) FROM par_events GROUP BY campaign_id') AS per_campaign_workers,
       regress.workers_launched('SELECT reach_union_agg(s) FROM sketch_rows') AS union_workers;
CREATE TEMP TABLE parallel_total AS SELECT reach_agg(user_id) AS s FROM par_events;
CREATE TEMP TABLE parallel AS
SELECT campaign_id, reach_agg(user_id) AS s, reach_agg(cookie) AS c, reach_count(user_id) AS n
FROM par_events GROUP BY campaign_id;
-- the union aggregate splits too
EXPLAIN (COSTS OFF) SELECT reach_union_agg(s) FROM sketch_rows;
SELECT (SELECT reach_union_agg(s) FROM sketch_rows)::bytea = (SELECT s FROM serial_total)::bytea AS union_parallel_same;
RESET parallel_leader_participation;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
RESET max_parallel_workers_per_gather;

SELECT (SELECT s::bytea FROM serial_total) = (SELECT s::bytea FROM parallel_total) AS total_identical,
       (SELECT reach(s) FROM serial_total) AS reach,
       (SELECT count(DISTINCT user_id) FROM par_events) AS exact;
SELECT count(*) AS campaigns,
       bool_and(a.s::bytea = b.s::bytea) AS user_sketches_identical,
       bool_and(a.c::bytea = b.c::bytea) AS cookie_sketches_identical,
       bool_and(a.n = b.n) AS counts_identical
FROM serial a JOIN parallel b USING (campaign_id);
-- merged from parts: per-campaign sketches unioned equal the total sketch
SELECT (SELECT reach_union_agg(s) FROM serial)::bytea = (SELECT s FROM serial_total)::bytea AS merged_identical;
-- small groups (sparse) are exact and identical too
SELECT bool_and(reach(c) = exact) AS cookie_reach_exact, min(exact), max(exact)
FROM parallel JOIN (SELECT campaign_id, count(DISTINCT cookie) AS exact FROM par_events GROUP BY 1) e USING (campaign_id);
DROP TABLE par_events, serial, sketch_rows;
