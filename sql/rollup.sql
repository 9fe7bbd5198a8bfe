-- The rollup pattern (README "Rollups"): a campaign x day materialized view
-- with counts, cost and sketches, a unique index, REFRESH ... CONCURRENTLY,
-- and the report for any date range and any set of campaigns answered from
-- it, checked against the same figures computed from the raw events.
SET timezone = 'UTC';
-- 12,000 users, 6 campaigns, 10 days; campaigns 1 and 2 reach more than
-- 4,096 users (frequency sketches sample, reach sketches go dense); the
-- others stay exact.  Conversions carry no campaign: attribution decides.
CREATE TABLE rl_events (user_id bigint, ts timestamptz, kind text, campaign_id int, cost numeric, revenue numeric);
CREATE FUNCTION pg_temp.gen(lo int, hi int) RETURNS SETOF rl_events LANGUAGE sql AS $$
	SELECT u, timestamptz '2026-03-01 00:00+00' + (abs(hashint8(u * 1000 + e)) % (10 * 24 * 60)) * interval '1 minute',
	       k.kind, CASE WHEN k.kind <> 'conversion' THEN c.campaign END,
	       CASE WHEN k.kind = 'impression' THEN 0.002 ELSE 0 END,
	       CASE WHEN k.kind = 'conversion' THEN (abs(hashint8(u * 1000 + e + 3)) % 5000) / 100.0 END
	FROM generate_series(lo, hi) u,
	     generate_series(1, 1 + abs(hashint4(u)) % 12) e,
	     LATERAL (SELECT (ARRAY['impression', 'impression', 'impression', 'impression', 'impression', 'impression',
	                            'impression', 'impression', 'click', 'conversion'])[1 + abs(hashint8(u * 1000 + e + 1)) % 10] AS kind) k,
	     LATERAL (SELECT CASE WHEN u % 3 = 0 THEN 1 + abs(hashint8(u * 1000 + e + 2)) % 6
	                          ELSE 1 + abs(hashint8(u * 1000 + e + 2)) % 2 END AS campaign) c
$$;
INSERT INTO rl_events SELECT * FROM pg_temp.gen(1, 12000);

-- the rollup: one row per campaign and day
CREATE MATERIALIZED VIEW campaign_daily AS
SELECT campaign_id, ts::date AS day,
       count(*) FILTER (WHERE kind = 'impression') AS impressions,
       count(*) FILTER (WHERE kind = 'click') AS clicks,
       sum(cost) AS cost,
       reach_agg(user_id) FILTER (WHERE kind = 'impression') AS reach,
       frequency_agg(user_id) FILTER (WHERE kind = 'impression') AS frequency
FROM rl_events WHERE campaign_id IS NOT NULL
GROUP BY campaign_id, ts::date;
CREATE UNIQUE INDEX ON campaign_daily (campaign_id, day);
-- conversions by the campaign they are attributed to (last touch, 7-day
-- click and 1-day view windows), on the conversion's day
CREATE MATERIALIZED VIEW campaign_daily_conversions AS
SELECT a.touch::int AS campaign_id, a.conversion_time::date AS day,
       sum(a.credit) FILTER (WHERE a.touch_kind = 'click') AS post_click,
       sum(a.credit) FILTER (WHERE a.touch_kind = 'impression') AS post_impression,
       sum(a.value) AS revenue
FROM (SELECT user_id, journey_agg(ts, kind, campaign_id::text, revenue::float8) AS j
      FROM rl_events WHERE user_id IN (SELECT user_id FROM rl_events WHERE kind = 'conversion')
      GROUP BY user_id) u,
     attribute(u.j) a
WHERE a.touch IS NOT NULL
GROUP BY 1, 2;
CREATE UNIQUE INDEX ON campaign_daily_conversions (campaign_id, day);
SELECT count(*) AS rollup_rows, count(DISTINCT campaign_id) AS campaigns, count(DISTINCT day) AS days,
       sum(impressions) = (SELECT count(*) FROM rl_events WHERE kind = 'impression') AS all_impressions
FROM campaign_daily;

-- the report for a date range and a set of campaigns, from the rollup
CREATE FUNCTION pg_temp.report(d0 date, d1 date, campaigns int[])
RETURNS TABLE(reach bigint, frequency_reach bigint, reach3 bigint, impressions numeric, ctr float8, cpm float8,
              reach_bytes bytea, frequency_bytes bytea)
LANGUAGE sql AS $$
	SELECT reach(reach_union_agg(reach)), reach(frequency_union_agg(frequency)),
	       reach_at_least(frequency_union_agg(frequency), 3), sum(impressions),
	       ctr(sum(clicks), sum(impressions)), cpm(sum(cost), sum(impressions)),
	       reach_union_agg(reach)::bytea, frequency_union_agg(frequency)::bytea
	FROM campaign_daily WHERE day BETWEEN d0 AND d1 AND campaign_id = ANY (campaigns)
$$;
-- the same from the raw events
CREATE FUNCTION pg_temp.raw(d0 date, d1 date, campaigns int[])
RETURNS TABLE(users bigint, users3 bigint, impressions numeric, ctr float8, cpm float8,
              reach_bytes bytea, frequency_bytes bytea)
LANGUAGE sql AS $$
	SELECT (SELECT count(DISTINCT user_id) FROM rl_events e
	        WHERE kind = 'impression' AND ts::date BETWEEN d0 AND d1 AND campaign_id = ANY (campaigns)),
	       (SELECT count(*) FROM (SELECT user_id FROM rl_events e
	        WHERE kind = 'impression' AND ts::date BETWEEN d0 AND d1 AND campaign_id = ANY (campaigns)
	        GROUP BY user_id HAVING count(*) >= 3) t),
	       count(*) FILTER (WHERE kind = 'impression'),
	       ctr(count(*) FILTER (WHERE kind = 'click'), count(*) FILTER (WHERE kind = 'impression')),
	       cpm(sum(cost), count(*) FILTER (WHERE kind = 'impression')),
	       (reach_agg(user_id) FILTER (WHERE kind = 'impression'))::bytea,
	       (frequency_agg(user_id) FILTER (WHERE kind = 'impression'))::bytea
	FROM rl_events WHERE ts::date BETWEEN d0 AND d1 AND campaign_id = ANY (campaigns)
$$;
CREATE TEMP TABLE ranges (label text, d0 date, d1 date, campaigns int[]);
INSERT INTO ranges VALUES
	('one campaign, one day',        '2026-03-04', '2026-03-04', '{3}'),
	('one campaign, all days',       '2026-03-01', '2026-03-10', '{4}'),
	('large campaign, a week',       '2026-03-02', '2026-03-08', '{1}'),
	('two large campaigns, 3 days',  '2026-03-05', '2026-03-07', '{1,2}'),
	('small campaigns, all days',    '2026-03-01', '2026-03-10', '{3,4,5,6}'),
	('everything',                   '2026-03-01', '2026-03-10', '{1,2,3,4,5,6}');
-- sketches from the rollup are the sketches of the raw events, byte for
-- byte; counts, CTR and CPM equal; reach exact while a sketch is sparse
-- (these have no token collision), within its 95 % bounds otherwise; 3+ reach exact while the frequency
-- sketch is exact (at most 4,096 users), else within 5 %
CREATE FUNCTION pg_temp.compare() RETURNS TABLE(label text, users bigint, same_reach_sketch bool, same_frequency_sketch bool,
	reach_ok bool, reach3_ok bool, counts_ok bool)
LANGUAGE sql AS $$
	SELECT r.label, x.users, a.reach_bytes = x.reach_bytes, a.frequency_bytes = x.frequency_bytes,
	       CASE WHEN x.users <= 2048 THEN a.reach = x.users
	            ELSE x.users BETWEEN reach_lower(a.reach_bytes::reach_sketch) AND reach_upper(a.reach_bytes::reach_sketch) END
	       AND (x.users > 4096 OR a.frequency_reach = x.users),
	       CASE WHEN x.users <= 4096 THEN a.reach3 = x.users3 ELSE abs(a.reach3 - x.users3) <= 0.05 * x.users3 END,
	       a.impressions = x.impressions AND a.ctr = x.ctr AND a.cpm = x.cpm
	FROM ranges r, pg_temp.report(r.d0, r.d1, r.campaigns) a, pg_temp.raw(r.d0, r.d1, r.campaigns) x
	ORDER BY r.label
$$;
SELECT * FROM pg_temp.compare();

-- audience overlap of campaigns 1 and 2 (both sampling) and of 3 and 4
-- (exact) from the rollup, against INTERSECT / EXCEPT of the raw users
SELECT pair, both_exact, rollup_overlap, a_not_b_exact, rollup_difference,
       CASE WHEN exact THEN rollup_overlap = both_exact AND rollup_difference = a_not_b_exact
            ELSE abs(rollup_overlap - both_exact) <= 0.1 * both_exact AND abs(rollup_difference - a_not_b_exact) <= 0.1 * a_not_b_exact END AS ok
FROM (SELECT p.pair, p.exact,
             reach_intersection(fa, fb) AS rollup_overlap, reach_difference(fa, fb) AS rollup_difference,
             (SELECT count(*) FROM (SELECT user_id FROM rl_events WHERE kind = 'impression' AND campaign_id = p.a
                                    INTERSECT SELECT user_id FROM rl_events WHERE kind = 'impression' AND campaign_id = p.b) t) AS both_exact,
             (SELECT count(*) FROM (SELECT user_id FROM rl_events WHERE kind = 'impression' AND campaign_id = p.a
                                    EXCEPT SELECT user_id FROM rl_events WHERE kind = 'impression' AND campaign_id = p.b) t) AS a_not_b_exact
      FROM (VALUES ('1 and 2', 1, 2, false), ('3 and 4', 3, 4, true)) p(pair, a, b, exact),
           LATERAL (SELECT frequency_union_agg(frequency) FILTER (WHERE campaign_id = p.a) AS fa,
                           frequency_union_agg(frequency) FILTER (WHERE campaign_id = p.b) AS fb FROM campaign_daily) s) t
ORDER BY pair;

-- the frequency histogram of a campaign for a range, from the rollup,
-- against the two-level GROUP BY over the raw events (campaign 5: exact)
SELECT h.frequency, h.reach AS rollup_reach, coalesce(x.users, 0) AS exact_users, h.reach = coalesce(x.users, 0) AS same
FROM frequency_histogram((SELECT frequency_union_agg(frequency) FROM campaign_daily WHERE campaign_id = 5 AND day BETWEEN '2026-03-03' AND '2026-03-09'), 5) h
LEFT JOIN (SELECT least(n, 5) AS f, count(*) AS users
           FROM (SELECT user_id, count(*) AS n FROM rl_events
                 WHERE kind = 'impression' AND campaign_id = 5 AND ts::date BETWEEN '2026-03-03' AND '2026-03-09' GROUP BY user_id) t
           GROUP BY 1) x ON x.f = h.frequency
ORDER BY 1;

-- conversions attributed per campaign from the rollup = attribution over
-- all raw events in one query
SELECT (SELECT round(sum(post_click) + sum(post_impression)) FROM campaign_daily_conversions) AS attributed_conversions,
       (SELECT sum(revenue) FROM campaign_daily_conversions)::numeric(12, 2) =
       (SELECT sum(a.value) FROM (SELECT user_id, journey_agg(ts, kind, campaign_id::text, revenue::float8) AS j FROM rl_events GROUP BY 1) u,
               attribute(u.j) a WHERE a.touch IS NOT NULL)::numeric(12, 2) AS same_revenue;

-- new events arrive; REFRESH ... CONCURRENTLY brings the rollup up to date
-- and every answer still equals the raw events'
INSERT INTO rl_events SELECT * FROM pg_temp.gen(12001, 13000);
REFRESH MATERIALIZED VIEW CONCURRENTLY campaign_daily;
REFRESH MATERIALIZED VIEW CONCURRENTLY campaign_daily_conversions;
SELECT sum(impressions) = (SELECT count(*) FROM rl_events WHERE kind = 'impression') AS all_impressions_after_refresh
FROM campaign_daily;
SELECT label, same_reach_sketch, same_frequency_sketch, reach_ok, reach3_ok, counts_ok FROM pg_temp.compare();
DROP MATERIALIZED VIEW campaign_daily, campaign_daily_conversions;
DROP FUNCTION pg_temp.gen(int, int);
DROP TABLE rl_events;
