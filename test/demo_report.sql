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

-- one pass over the events builds every campaign's sketches, the same bytes
-- as the union of its rows in the rollup campaign_daily.  A campaign has one
-- reach in this report and in the BI views: its reach_sketch's.  The
-- frequency_sketch's sample says how that reach splits by frequency (n+
-- reach = reach x the sample's n+ share), and the reach curve's shape.
CREATE TEMP TABLE per_campaign AS
SELECT campaign_id,
       count(*) FILTER (WHERE kind = 'impression') AS impressions,
       count(*) FILTER (WHERE kind = 'click') AS clicks,
       reach_agg(user_id) FILTER (WHERE kind = 'impression') AS audience,
       frequency_agg(user_id) FILTER (WHERE kind = 'impression') AS frequency,
       count(*) FILTER (WHERE eligible) AS eligible,
       count(*) FILTER (WHERE measurable) AS measurable,
       count(*) FILTER (WHERE viewable) AS viewable,
       count(*) FILTER (WHERE engaged) AS engagements,
       sum(cost) AS cost
FROM events
WHERE campaign_id IS NOT NULL
GROUP BY campaign_id;
ALTER TABLE per_campaign ADD COLUMN reach bigint, ADD COLUMN sample_reach bigint;
UPDATE per_campaign SET reach = reach(audience), sample_reach = reach(frequency);
-- people seen at least n times: the reach times the sample's share
CREATE FUNCTION pg_temp.reach_at_least_share(p per_campaign, n int) RETURNS bigint
LANGUAGE sql STABLE
RETURN round(p.reach * reach_at_least(p.frequency, n)::float8 / nullif(p.sample_reach, 0));

\echo
\echo 'Per campaign (reach from reach_agg with its 95 % bounds, the same in every table; 3+ reach: that reach times the 3+ share of frequency_agg''s sample; CTR with its 95 % Wilson interval)'
SELECT c.campaign_id AS id, c.name, c.channel,
       p.impressions, p.reach,
       reach_lower(p.audience) || '–' || reach_upper(p.audience) AS reach_95,
       round(average_frequency(p.impressions, p.reach)::numeric, 2) AS freq,
       pg_temp.reach_at_least_share(p, 3) AS "reach 3+",
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
\echo 'Viewability and engagement per campaign (viewable: MRC standard, 50 % of pixels in view for 1 s, 2 s for video; viewable rate with its 95 % Wilson interval)'
SELECT c.campaign_id AS id, c.name, c.channel,
       round(100 * measurable_rate(p.measurable, p.eligible)::numeric, 1) AS "measurable %",
       round(100 * viewable_rate(p.viewable, p.measurable)::numeric, 1) AS "viewable %",
       round(100 * rate_lower(p.viewable, p.measurable)::numeric, 1) || '–' ||
       round(100 * rate_upper(p.viewable, p.measurable)::numeric, 1) AS "viewable 95 %",
       round(cpm(p.cost, p.impressions), 2) AS cpm,
       round(vcpm(p.cost, p.viewable), 2) AS vcpm,
       p.engagements,
       round(100 * engagement_rate(p.engagements, p.impressions)::numeric, 2) AS "engagement %",
       round(100 * engagement_rate_by_reach(p.engagements, p.reach)::numeric, 2) AS "per 100 people",
       round(cost_per_engagement(p.cost, p.engagements), 2) AS "cost per engagement"
FROM per_campaign p JOIN campaigns c USING (campaign_id)
ORDER BY p.impressions DESC;

\echo
\echo 'Frequency distribution of the largest campaign (frequency_histogram''s shares of its reach)'
SELECT h.frequency || CASE WHEN h.frequency = 10 THEN '+' ELSE '' END AS seen,
       round(top.reach * h.reach_at_least::float8 / top.sample_reach)
         - coalesce(round(top.reach * lead(h.reach_at_least) OVER (ORDER BY h.frequency)::float8 / top.sample_reach), 0) AS people,
       round(100 * h.share::numeric, 1) AS "share %",
       repeat('█', round(60 * h.share)::int) AS distribution
FROM (SELECT * FROM per_campaign ORDER BY impressions DESC LIMIT 1) top,
     frequency_histogram(top.frequency) h
ORDER BY h.frequency;

\echo
\echo 'Reach curve of the largest campaign: the people more (or fewer) impressions would reach (reach_curve fitted to its frequency sketch, through its reach at 1x; gamma_poisson drawn)'
SELECT m || 'x' AS budget, round(m * impressions(top.frequency)) AS impressions,
       round(a * reach_curve(top.frequency, m * impressions(top.frequency), 'gamma_poisson')) AS reach,
       round(a * reach_curve(top.frequency, m * impressions(top.frequency), 'goerg')) AS "reach (goerg)",
       repeat('█', round(60 * reach_curve(top.frequency, m * impressions(top.frequency), 'gamma_poisson')
                         / reach_curve(top.frequency, 4 * impressions(top.frequency), 'gamma_poisson'))::int) AS curve
FROM (SELECT *, reach::float8 / sample_reach AS a FROM per_campaign ORDER BY impressions DESC LIMIT 1) top,
     (VALUES (0.5), (1), (2), (4)) ms(m)
ORDER BY m;

\echo
\echo 'A frequency cap of 10 on the largest campaign: the impressions it would have saved'
SELECT impressions(top.frequency) AS impressions,
       capped_impressions(top.frequency, 10) AS "within the cap",
       excess_impressions(top.frequency, 10) AS "above the cap",
       round(100.0 * excess_impressions(top.frequency, 10) / impressions(top.frequency), 1) AS "above %",
       top.reach - pg_temp.reach_at_least_share(top, 11) AS "people seen at most 10 times",
       pg_temp.reach_at_least_share(top, 11) AS "people seen more often"
FROM (SELECT * FROM per_campaign ORDER BY impressions DESC LIMIT 1) top;

\echo
\echo 'Audience overlap of the two largest campaigns (reach sketches: both = reach a + reach b - combined)'
WITH top2 AS (
	SELECT p.campaign_id, c.name, p.audience, p.reach, row_number() OVER (ORDER BY p.impressions DESC) AS rank
	FROM per_campaign p JOIN campaigns c USING (campaign_id)
)
SELECT a.name AS campaign_a, b.name AS campaign_b, a.reach AS reach_a, b.reach AS reach_b,
       a.reach + b.reach - reach(a.audience || b.audience) AS both,
       reach(a.audience || b.audience) - a.reach AS "b not a (incremental)",
       reach(a.audience || b.audience) AS combined
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
-- 1-day engaged and view windows); an impression that drew an engagement
-- (viewability.sql's engaged) is an engaged view
CREATE TEMP TABLE attributed AS
SELECT a.touch::int AS campaign_id,
       sum(a.credit) AS conversions,
       count(*) FILTER (WHERE a.touch_kind = 'click') AS post_click,
       count(*) FILTER (WHERE a.touch_kind = 'engaged_view') AS post_engagement,
       count(*) FILTER (WHERE a.touch_kind = 'impression') AS post_impression,
       sum(a.value) AS revenue,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY a.lag) AS median_lag
FROM (SELECT user_id, journey_agg(ts, CASE WHEN engaged THEN 'engaged_view' ELSE kind END, campaign_id::text, revenue::float8) AS j
      FROM events
      WHERE user_id IN (SELECT user_id FROM events WHERE kind = 'conversion')
      GROUP BY user_id) u
CROSS JOIN LATERAL attribute(u.j) a
GROUP BY 1;

\echo
\echo 'Conversions and return per campaign: post-click (a click within 7 days wins), post-engagement (an engaged impression within 1 day), post-impression (a view within 1 day), last touch; conversions with none are not attributed'
SELECT coalesce(c.name, '(not attributed)') AS campaign,
       round(a.conversions)::bigint AS conversions, a.post_click, a.post_engagement, a.post_impression,
       round(a.revenue::numeric, 2) AS revenue, round(p.cost, 2) AS cost,
       round(cpa(p.cost, a.conversions::numeric), 2) AS cpa,
       round(roas(a.revenue::numeric, p.cost), 1) AS roas,
       date_trunc('minute', a.median_lag) AS median_lag
FROM attributed a
LEFT JOIN per_campaign p USING (campaign_id)
LEFT JOIN campaigns c USING (campaign_id)
ORDER BY a.campaign_id IS NULL, a.revenue DESC;

\echo
\echo 'Sharing outside: bi_campaign_daily_shared folds campaign x day rows of fewer than 50 people into one remainder row'
SELECT count(*) FILTER (WHERE campaign_id IS NOT NULL) AS rows_shared,
       (SELECT count(*) FROM campaign_daily) - count(*) FILTER (WHERE campaign_id IS NOT NULL) AS rows_folded,
       sum(impressions) AS impressions, sum(impressions) = (SELECT sum(impressions) FROM campaign_daily) AS adds_up,
       min(reach) AS smallest_reach_shared
FROM bi_campaign_daily_shared;

\echo
\echo 'Last touch vs Markov removal effect per campaign: conversions credited (Markov: every user''s paths, 30-day lookback)'
WITH chain AS (
	SELECT markov_agg(journey_agg) AS m
	FROM (SELECT journey_agg(ts, CASE WHEN engaged THEN 'engaged_view' ELSE kind END, campaign_id::text, revenue::float8)
	      FROM events GROUP BY user_id) u),
markov AS (SELECT a.touch::int AS campaign_id, a.conversions, a.removal_effect FROM chain, markov_attribution(chain.m) a)
SELECT c.name AS campaign, coalesce(a.post_click + a.post_engagement + a.post_impression, 0) AS last_touch,
       round(m.conversions::numeric, 1) AS markov, round(m.removal_effect::numeric, 3) AS removal_effect
FROM campaigns c LEFT JOIN attributed a USING (campaign_id) LEFT JOIN markov m USING (campaign_id)
ORDER BY m.conversions DESC NULLS LAST;
