-- Privacy threshold for shared reports: below_audience_threshold and
-- reach_if_at_least, and the report pattern README ("Privacy threshold")
-- gives: rows describing fewer than k people (default 50) are left out and
-- one remainder row carries their impressions, clicks and cost, with the
-- reach of the union of their audiences, itself suppressed below k.
-- Every check compares with exact SQL over the events (count(DISTINCT),
-- sum); the sketches are exact at these sizes (sparse reach_sketch).

-- the functions: 49 people are below 50, 50 are not; k can be raised
SELECT below_audience_threshold(reach_agg(u) FILTER (WHERE u <= 49)) AS "49 below",
       below_audience_threshold(reach_agg(u) FILTER (WHERE u <= 50)) AS "50 below",
       below_audience_threshold(reach_agg(u), 100) AS "60 below 100",
       below_audience_threshold(frequency_agg(u)) AS "60 below (frequency_sketch)",
       reach_if_at_least(reach_agg(u) FILTER (WHERE u <= 49)) AS "reach of 49",
       reach_if_at_least(reach_agg(u)) AS "reach of 60",
       reach_if_at_least(frequency_agg(u), 61) AS "60, k = 61",
       below_audience_threshold(NULL::reach_sketch) IS NULL AS null_sketch
FROM generate_series(1, 60) u;

-- events of 4 campaigns over 3 days: campaign c reaches 20 * c people a
-- day (c = 1, 2: rows of 20 and 40 people; 3, 4: 60 and 80), each person
-- 1 + (user mod 3) impressions, a click every 7th impression, 0.002 each
CREATE TEMP TABLE ev AS
SELECT c AS campaign, d AS day, (c * 1000 + d * 7 + u) AS user_id, i,
       (i + u) % 7 = 0 AS click, 0.002::numeric AS cost
FROM generate_series(1, 4) c, generate_series(1, 3) d, generate_series(1, 20 * c) u,
     LATERAL generate_series(1, 1 + u % 3) i;
CREATE TEMP TABLE report AS
SELECT campaign, day, count(*) AS impressions, count(*) FILTER (WHERE click) AS clicks, sum(cost) AS cost,
       reach_agg(user_id) AS audience
FROM ev GROUP BY campaign, day;

-- the shareable report (the README's pattern)
CREATE TEMP VIEW shared AS
WITH flagged AS (SELECT *, below_audience_threshold(audience) AS hidden FROM report)
SELECT campaign::text AS campaign, day, impressions, clicks, cost, reach(audience) AS reach
FROM flagged WHERE NOT hidden
UNION ALL
SELECT '(rows under 50 people)', NULL, sum(impressions), sum(clicks), sum(cost),
       reach_if_at_least(reach_union_agg(audience))
FROM flagged WHERE hidden
HAVING count(*) > 0;
SELECT * FROM shared ORDER BY campaign, day;
-- every row shown describes at least 50 people (exact count), every row
-- left out fewer; and the totals still add up to the events'
SELECT (SELECT bool_and(n >= 50) FROM (SELECT count(DISTINCT e.user_id) AS n FROM shared s
        JOIN ev e ON e.campaign::text = s.campaign AND e.day = s.day GROUP BY s.campaign, s.day) x) AS shown_at_least_50,
       (SELECT count(*) FROM (SELECT campaign, day FROM ev GROUP BY 1, 2 HAVING count(DISTINCT user_id) < 50) x) AS rows_left_out,
       (SELECT sum(impressions) FROM shared) = (SELECT count(*) FROM ev) AS impressions_add_up,
       (SELECT sum(clicks) FROM shared) = (SELECT count(*) FILTER (WHERE click) FROM ev) AS clicks_add_up,
       (SELECT sum(cost) FROM shared) = (SELECT sum(cost) FROM ev) AS cost_adds_up;
-- the remainder's reach is the distinct people of the rows left out
SELECT reach AS remainder_reach,
       (SELECT count(DISTINCT user_id) FROM ev WHERE (campaign, day) IN
          (SELECT campaign, day FROM ev GROUP BY 1, 2 HAVING count(DISTINCT user_id) < 50)) AS exact
FROM shared WHERE day IS NULL;
-- one small row left out alone: its remainder reach (20 people) is
-- suppressed too, but its counts stay in the total
WITH flagged AS (SELECT *, below_audience_threshold(audience) AS hidden FROM report
                 WHERE campaign > 1 OR day = 1)
SELECT count(*) AS rows_left_out, sum(impressions) AS impressions,
       reach_if_at_least(reach_union_agg(audience)) AS reach,
       reach(reach_union_agg(audience)) AS reach_before_suppression
FROM flagged WHERE hidden AND campaign = 1;
