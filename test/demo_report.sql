-- test/demo_report.sql — the campaign report test/demo.sh prints.
-- It grows as the sketches land; every figure comes from events in one pass.
\pset footer off
\echo
\echo 'Campaign report: 30 days of synthetic events'
\echo '============================================'
SELECT min(ts)::date AS first_day, max(ts)::date AS last_day,
       count(*) FILTER (WHERE kind = 'impression') AS impressions,
       count(*) FILTER (WHERE kind = 'click') AS clicks,
       count(*) FILTER (WHERE kind = 'conversion') AS conversions,
       reach_count(user_id) FILTER (WHERE kind = 'impression') AS reach,
       round(sum(cost), 2) AS cost
FROM events;

-- one pass over the events builds every campaign's sketches
CREATE TEMP TABLE per_campaign AS
SELECT campaign_id,
       count(*) FILTER (WHERE kind = 'impression') AS impressions,
       count(*) FILTER (WHERE kind = 'click') AS clicks,
       reach_agg(user_id) FILTER (WHERE kind = 'impression') AS audience,
       frequency_agg(user_id) FILTER (WHERE kind = 'impression') AS frequency,
       sum(cost) AS cost
FROM events
WHERE campaign_id IS NOT NULL
GROUP BY campaign_id;

\echo
\echo 'Per campaign (reach from reach_agg with its 95 % bounds; 3+ reach from frequency_agg; CTR with its 95 % Wilson interval)'
SELECT c.campaign_id AS id, c.name, c.channel,
       p.impressions, reach(p.audience) AS reach,
       reach_lower(p.audience) || '–' || reach_upper(p.audience) AS reach_95,
       round(average_frequency(p.impressions, reach(p.audience))::numeric, 2) AS freq,
       reach_at_least(p.frequency, 3) AS "reach 3+",
       p.clicks,
       round(100 * ctr(p.clicks, p.impressions)::numeric, 2) AS "ctr %",
       round(100 * rate_lower(p.clicks, p.impressions)::numeric, 2) || '–' ||
       round(100 * rate_upper(p.clicks, p.impressions)::numeric, 2) AS "ctr 95 %",
       round(p.cost, 2) AS cost,
       round(cpm(p.cost, p.impressions), 2) AS cpm,
       round(cpc(p.cost, p.clicks), 2) AS cpc
FROM per_campaign p JOIN campaigns c USING (campaign_id)
ORDER BY p.impressions DESC;

\echo
\echo 'Frequency distribution of the largest campaign (frequency_histogram)'
SELECT h.frequency || CASE WHEN h.frequency = 10 THEN '+' ELSE '' END AS seen,
       h.reach AS people, round(100 * h.share::numeric, 1) AS "share %",
       repeat('█', round(60 * h.share)::int) AS distribution
FROM (SELECT frequency FROM per_campaign ORDER BY impressions DESC LIMIT 1) top,
     frequency_histogram(top.frequency) h
ORDER BY h.frequency;

\echo
\echo 'Audience overlap of the two largest campaigns'
WITH top2 AS (
	SELECT p.campaign_id, c.name, p.frequency, row_number() OVER (ORDER BY p.impressions DESC) AS rank
	FROM per_campaign p JOIN campaigns c USING (campaign_id)
)
SELECT a.name AS campaign_a, b.name AS campaign_b,
       reach(a.frequency) AS reach_a, reach(b.frequency) AS reach_b,
       reach_intersection(a.frequency, b.frequency) AS both,
       reach_difference(b.frequency, a.frequency) AS "b not a (incremental)",
       reach(a.frequency || b.frequency) AS combined
FROM top2 a JOIN top2 b ON a.rank = 1 AND b.rank = 2;

\echo
\echo 'A/B test: the two creatives of the A/B pair, CTR'
WITH ab AS (
	SELECT c.name,
	       count(*) FILTER (WHERE kind = 'impression') AS impressions,
	       count(*) FILTER (WHERE kind = 'click') AS clicks
	FROM events e JOIN campaigns c USING (campaign_id)
	WHERE c.name ~ ' [AB]$'
	GROUP BY c.name
)
SELECT a.name AS variant_a, round(100 * ctr(a.clicks, a.impressions)::numeric, 3) AS "ctr a %",
       b.name AS variant_b, round(100 * ctr(b.clicks, b.impressions)::numeric, 3) AS "ctr b %",
       round(ab_test_p_value(a.clicks, a.impressions, b.clicks, b.impressions)::numeric, 4) AS p_value
FROM ab a JOIN ab b ON a.name ~ ' A$' AND b.name ~ ' B$';

-- every converting user's journey, attributed once (last touch, 7-day click,
-- 1-day view window)
CREATE TEMP TABLE attributed AS
SELECT a.touch::int AS campaign_id,
       count(*) FILTER (WHERE a.touch_kind = 'click') AS post_click,
       count(*) FILTER (WHERE a.touch_kind = 'engaged_view') AS post_engagement,
       count(*) FILTER (WHERE a.touch_kind = 'impression') AS post_impression,
       sum(a.value) AS revenue,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY a.lag) AS median_lag
FROM (SELECT user_id, journey_agg(ts, kind, campaign_id::text, revenue::float8) AS j
      FROM events
      WHERE user_id IN (SELECT user_id FROM events WHERE kind = 'conversion')
      GROUP BY user_id) u
CROSS JOIN LATERAL attribute(u.j) a
GROUP BY 1;

\echo
\echo 'Conversions and return per campaign: post-click (a click within 7 days wins), post-engagement (an engaged view within 1 day), post-impression (a view within 1 day), last touch'
SELECT coalesce(c.name, '(not attributed)') AS campaign,
       a.post_click, a.post_engagement, a.post_impression, round(a.revenue::numeric, 2) AS revenue, round(p.cost, 2) AS cost,
       round(cpa(p.cost, a.post_click + a.post_engagement + a.post_impression), 2) AS cpa,
       round(roas(a.revenue::numeric, p.cost), 1) AS roas,
       date_trunc('minute', a.median_lag) AS median_lag
FROM attributed a
LEFT JOIN per_campaign p USING (campaign_id)
LEFT JOIN campaigns c USING (campaign_id)
ORDER BY a.campaign_id IS NULL, a.revenue DESC;

\echo
\echo 'Last touch vs Markov removal effect per campaign: conversions credited (Markov: every user''s paths, 30-day lookback)'
WITH chain AS (
	SELECT markov_agg(journey_agg) AS m
	FROM (SELECT journey_agg(ts, kind, campaign_id::text, revenue::float8) FROM events GROUP BY user_id) u),
markov AS (SELECT a.touch::int AS campaign_id, a.conversions, a.removal_effect FROM chain, markov_attribution(chain.m) a)
SELECT c.name AS campaign, coalesce(a.post_click + a.post_engagement + a.post_impression, 0) AS last_touch,
       round(m.conversions::numeric, 1) AS markov, round(m.removal_effect::numeric, 3) AS removal_effect
FROM campaigns c LEFT JOIN attributed a USING (campaign_id) LEFT JOIN markov m USING (campaign_id)
ORDER BY m.conversions DESC NULLS LAST;
