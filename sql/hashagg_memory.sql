-- Hash aggregates of every aggregate stay near their memory budget
-- (work_mem x hash_mem_multiplier) and spill beyond it.  PostgreSQL checks
-- the budget only when a group is added, and limits the groups it admits
-- by each aggregate's declared state size (SSPACE): a state that grows
-- after its group was admitted is not seen.  So the declared size must be
-- the memory a grown group takes, or groups admitted while small grow far
-- past the budget.
--
-- Each query: rows interleaved across the groups, so every group is
-- admitted early and grows to the end; budget 8 MB (4 MB x 2).  Read from
-- EXPLAIN (ANALYZE): the hash aggregate spilled (more than one batch) and
-- its peak memory stayed within twice the budget; and the results are
-- right.  With 0.1's declarations none spilled and the peaks were 72 MB
-- (frequency_agg), 20 MB (reach_agg), 66 MB (frequency_union_agg), 17 MB
-- (reach_union_agg) and 41 MB (journey_agg); with 0.2's, 9.6, 10.6, 9.1,
-- 8.8 and 14.8 MB (PostgreSQL 15).
CREATE FUNCTION pg_temp.hashagg(query text, OUT spilled boolean, OUT peak_within_2x_budget boolean)
LANGUAGE plpgsql AS $$
DECLARE
	plan jsonb;
	node jsonb;
BEGIN
	EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT JSON) ' || query INTO plan;
	node := jsonb_path_query_first(plan, 'strict $.**?(@."Node Type" == "Aggregate" && @."Strategy" == "Hashed")');
	IF node IS NULL THEN
		RAISE EXCEPTION 'no hash aggregate in the plan of %', query;
	END IF;
	spilled := (node->>'HashAgg Batches')::int > 1;
	peak_within_2x_budget := (node->>'Peak Memory Usage')::bigint * 1024 <=
		2 * pg_size_bytes(current_setting('work_mem')) * current_setting('hash_mem_multiplier')::float8;
END $$;
SET work_mem = '4MB';
SET hash_mem_multiplier = 2;
SET enable_sort = off;
SET max_parallel_workers_per_gather = 0;
-- 500 groups x 4,500 users: every frequency state grows to its full
-- table, every reach state goes dense (at 4,096 users)
CREATE TEMP TABLE fe AS
SELECT i % 500 AS g, i / 500 AS u FROM generate_series(0, 2249999) i;
SELECT * FROM pg_temp.hashagg('SELECT g, frequency_agg(u) FROM fe GROUP BY g');
SELECT count(*) AS wrong_groups FROM (SELECT g, reach(frequency_agg(u)) AS r FROM fe GROUP BY g) x WHERE abs(r - 4500) > 225;
-- reach: the same rows
SELECT * FROM pg_temp.hashagg('SELECT g, reach_agg(u) FROM fe GROUP BY g');
SELECT count(*) AS wrong_groups FROM (SELECT g, reach(reach_agg(u)) AS r FROM fe GROUP BY g) x WHERE abs(r - 4500) > 225;
-- unions: 500 groups x 25 sketches of 180 users each
CREATE TEMP TABLE fs AS
SELECT g, d, frequency_agg(u) AS f, reach_agg(u) AS r
FROM (SELECT g, u % 25 AS d, u FROM fe) x
GROUP BY g, d;
SELECT * FROM pg_temp.hashagg('SELECT g, frequency_union_agg(f) FROM fs GROUP BY g');
SELECT * FROM pg_temp.hashagg('SELECT g, reach_union_agg(r) FROM fs GROUP BY g');
SELECT count(*) AS wrong_groups FROM (SELECT g, reach(frequency_union_agg(f)) AS r FROM fs GROUP BY g) x WHERE abs(r - 4500) > 225;
-- journeys: 20,000 users of 15 events each, five touches a user
CREATE TEMP TABLE je AS
SELECT i % 20000 AS u, timestamptz '2026-01-01 00:00+00' + i * interval '1 second' AS ts,
       CASE WHEN i % 7 = 0 THEN 'click' ELSE 'impression' END AS kind,
       'campaign ' || ((i / 20000) % 5) AS touch
FROM generate_series(0, 299999) i;
SELECT * FROM pg_temp.hashagg('SELECT u, journey_agg(ts, kind, touch) FROM je GROUP BY u');
SELECT count(*) AS wrong_groups
FROM (SELECT u, (journey_info(journey_agg(ts, kind, touch))->>'events')::int AS n FROM je GROUP BY u) x
WHERE n <> 15;
