-- attribute() on generated journeys against independent plain-SQL
-- attribution (last touch: LATERAL probes; linear: a window count), and
-- journey_agg's determinism: any row order, parallel plans and || give the
-- same bytes.
SET timezone = 'UTC';
-- 3,000 users with 1..24 events each over 10 days in 4-hour steps (so many
-- equal timestamps happen), 12 campaigns whose names do not sort as
-- numbers (camp10 < camp2 bytewise), a few touches with no campaign,
-- conversions with a value, a few without.  hashint8 makes it deterministic.
CREATE TABLE jx_events AS
SELECT u AS user_id,
       timestamptz '2026-03-01 00:00+00' + (abs(hashint8(u * 100 + e)) % 60) * interval '4 hours' AS ts,
       k.kind,
       CASE WHEN k.kind = 'conversion' THEN NULL
            WHEN abs(hashint8(u * 100 + e + 3)) % 40 = 0 THEN NULL
            ELSE 'camp' || abs(hashint8(u * 100 + e + 5)) % 12 END AS touch,
       CASE WHEN k.kind = 'conversion' AND abs(hashint8(u * 100 + e + 7)) % 10 <> 0
            THEN (abs(hashint8(u * 100 + e + 9)) % 20000) / 100.0 END AS value
FROM generate_series(1, 3000) u,
     generate_series(1, 1 + abs(hashint4(u)) % 24) e,
     LATERAL (SELECT (ARRAY['impression', 'impression', 'impression', 'impression', 'impression',
                            'click', 'click', 'conversion'])[1 + abs(hashint8(u * 100 + e + 1)) % 8] AS kind) k;
CREATE INDEX ON jx_events (user_id, ts);
ANALYZE jx_events;
SELECT count(*) > 30000 AS enough_events, count(*) FILTER (WHERE kind = 'conversion') > 3000 AS enough_conversions,
       count(DISTINCT user_id) AS users
FROM jx_events;

CREATE TEMP TABLE jx AS
SELECT user_id, journey_agg(ts, kind, touch, value) AS j FROM jx_events GROUP BY user_id;

-- last touch, both ways, per (touch kind, campaign): conversions and revenue.
-- Plain SQL: for each conversion the latest click at most 7 days before it
-- (at equal times the greatest campaign bytewise, no campaign lowest),
-- else the latest impression at most 1 day before it.
CREATE TEMP TABLE lt_sql AS
WITH conv AS (
	SELECT user_id, ts, value FROM jx_events WHERE kind = 'conversion'),
pick AS (
	SELECT c.value, clk.touch AS ctouch, clk.hit AS chit, imp.touch AS itouch, imp.hit AS ihit
	FROM conv c
	LEFT JOIN LATERAL (
		SELECT e.touch, true AS hit FROM jx_events e
		WHERE e.user_id = c.user_id AND e.kind = 'click' AND e.ts <= c.ts AND e.ts >= c.ts - interval '7 days'
		ORDER BY e.ts DESC, e.touch COLLATE "C" DESC NULLS LAST LIMIT 1) clk ON true
	LEFT JOIN LATERAL (
		SELECT e.touch, true AS hit FROM jx_events e
		WHERE e.user_id = c.user_id AND e.kind = 'impression' AND e.ts <= c.ts AND e.ts >= c.ts - interval '1 day'
		ORDER BY e.ts DESC, e.touch COLLATE "C" DESC NULLS LAST LIMIT 1) imp ON true)
SELECT CASE WHEN chit THEN 'click' WHEN ihit THEN 'impression' END AS touch_kind,
       CASE WHEN chit THEN ctouch WHEN ihit THEN itouch END AS touch,
       count(*) AS conversions, sum(value) AS revenue
FROM pick GROUP BY 1, 2;
CREATE TEMP TABLE lt_ext AS
SELECT a.touch_kind, a.touch, sum(a.credit) AS conversions, sum(a.value) AS revenue
FROM jx, attribute(j) a GROUP BY 1, 2;
-- post-click and post-impression conversions found, then the comparison:
-- every (kind, campaign) group, conversions and revenue equal
SELECT touch_kind, count(*) AS groups, sum(conversions) AS conversions
FROM lt_sql GROUP BY 1 ORDER BY 1;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE s.conversions IS DISTINCT FROM e.conversions) AS conversions_differ,
       count(*) FILTER (WHERE abs(coalesce(s.revenue, 0) - coalesce(e.revenue, 0)) > 1e-6) AS revenue_differs
FROM lt_sql s FULL JOIN lt_ext e
  ON coalesce(s.touch_kind, '-') = coalesce(e.touch_kind, '-') AND coalesce(s.touch, '-') = coalesce(e.touch, '-');

-- linear, both ways: each qualifying touch of the winning kind gets
-- 1 / (their number); compared per (kind, campaign) to 1e-9
CREATE TEMP TABLE lin_sql AS
WITH conv AS (
	SELECT row_number() OVER () AS cid, user_id, ts, value FROM jx_events WHERE kind = 'conversion'),
q AS (
	SELECT c.cid, c.value, e.kind, e.touch
	FROM conv c JOIN jx_events e ON e.user_id = c.user_id AND e.kind IN ('click', 'impression')
	 AND e.ts <= c.ts AND e.ts >= c.ts - CASE e.kind WHEN 'click' THEN interval '7 days' ELSE interval '1 day' END),
w AS (
	SELECT *, bool_or(kind = 'click') OVER (PARTITION BY cid) AS any_click FROM q),
won AS (
	SELECT cid, value, kind, touch, 1.0 / count(*) OVER (PARTITION BY cid) AS credit
	FROM w WHERE (kind = 'click') = any_click)
SELECT kind AS touch_kind, touch, sum(credit) AS credit, sum(credit * value) AS revenue
FROM won GROUP BY 1, 2
UNION ALL
SELECT NULL, NULL, count(*), sum(value) FROM conv c WHERE NOT EXISTS (SELECT 1 FROM q WHERE q.cid = c.cid);
CREATE TEMP TABLE lin_ext AS
SELECT a.touch_kind, a.touch, sum(a.credit) AS credit, sum(a.value) AS revenue
FROM jx, attribute(j, 'linear') a GROUP BY 1, 2;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE abs(coalesce(s.credit, 0) - coalesce(e.credit, 0)) > 1e-9) AS credit_differs,
       count(*) FILTER (WHERE abs(coalesce(s.revenue, 0) - coalesce(e.revenue, 0)) > 1e-6) AS revenue_differs
FROM lin_sql s FULL JOIN lin_ext e
  ON coalesce(s.touch_kind, '-') = coalesce(e.touch_kind, '-') AND coalesce(s.touch, '-') = coalesce(e.touch, '-');

-- every model: the credits sum to the number of conversions and the
-- credited values to the revenue of all conversions (attributed or not)
SELECT m AS model,
       round(sum(a.credit)::numeric, 6) = (SELECT count(*) FROM jx_events WHERE kind = 'conversion') AS credit_is_conversions,
       round(sum(a.value)::numeric, 6) = (SELECT round(sum(value)::numeric, 6) FROM jx_events WHERE kind = 'conversion') AS value_is_revenue
FROM jx, unnest(ARRAY['last_touch', 'first_touch', 'linear', 'time_decay', 'position_based']) m, attribute(j, m) a
GROUP BY m ORDER BY m;

-- the same bytes whatever the row order
SELECT count(*) AS users,
       count(*) FILTER (WHERE a.j::bytea = b.j::bytea) AS same_bytes
FROM jx a JOIN (SELECT user_id, journey_agg(ts, kind, touch, value ORDER BY ts DESC, kind DESC, touch DESC) AS j
                FROM jx_events GROUP BY user_id) b USING (user_id);
-- || of two halves of each user's events is the journey of all of them
SELECT count(*) FILTER (WHERE (h1.j || h2.j)::bytea = jx.j::bytea) AS concat_same, count(*) AS users
FROM jx
JOIN (SELECT user_id, journey_agg(ts, kind, touch, value) AS j FROM jx_events WHERE hashint8(extract(epoch FROM ts)::bigint) % 2 = 0 GROUP BY 1) h1 USING (user_id)
JOIN (SELECT user_id, journey_agg(ts, kind, touch, value) AS j FROM jx_events WHERE hashint8(extract(epoch FROM ts)::bigint) % 2 <> 0 GROUP BY 1) h2 USING (user_id);

-- parallel: a Partial Aggregate under Gather, combined by journey_combine,
-- gives the same bytes as the serial plan (one journey of all events, and
-- per campaign, so that partial states really get merged)
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT touch, journey_agg(ts, kind, user_id::text, value) FROM jx_events GROUP BY touch;
SELECT regress.workers_launched('SELECT touch, journey_agg(ts, kind, user_id::text, value) FROM jx_events GROUP BY touch') AS workers_launched;
CREATE TEMP TABLE par AS SELECT touch, journey_agg(ts, kind, user_id::text, value) AS j FROM jx_events GROUP BY touch;
RESET parallel_leader_participation;
RESET min_parallel_table_scan_size;
RESET parallel_tuple_cost;
RESET parallel_setup_cost;
RESET max_parallel_workers_per_gather;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ser AS SELECT touch, journey_agg(ts, kind, user_id::text, value) AS j FROM jx_events GROUP BY touch;
RESET max_parallel_workers_per_gather;
SELECT count(*) AS groups, count(*) FILTER (WHERE p.j::bytea = s.j::bytea) AS parallel_same,
       sum((journey_info(s.j)->>'events')::int) = (SELECT count(*) FROM jx_events) AS all_events_kept
FROM par p JOIN ser s ON p.touch IS NOT DISTINCT FROM s.touch;
DROP TABLE jx_events;
