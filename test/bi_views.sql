-- test/bi_views.sql — the rollups and the BI-facing views over the events
-- and campaigns tables of test/data/schema.sql (README "Rollups and BI").
-- test/demo.sh and test/bi.sh run it; it drops and recreates its objects.
--
-- Rollups:
--   campaign_daily               per campaign and day: counts, cost, a
--                                reach_sketch and a frequency_sketch of the
--                                users who saw an impression; a table kept
--                                up to date incrementally by
--                                examples/incremental_rollup.sql (CALL
--                                campaign_daily_merge(), pg_cron every minute)
--   campaign_daily_conversions   per campaign and day: conversions attributed
--                                to it (last touch, 7-day click, 1-day view);
--                                a materialized view refreshed in full, since
--                                a late touch can move a conversion's credit
--                                (README "Attributed conversions")
-- BI views (plain columns, no sketch bytes, every column commented):
--   bi_campaign_daily            one row per campaign and day
--   bi_campaign_total            one row per campaign, all days together
--   bi_campaign_daily_shared     campaign x day for sharing outside: rows of
--                                fewer than 50 people folded into one
--                                remainder row (README "Privacy threshold")
-- Reach does not add up across rows (a person seen on two days is one
-- person): the totals view unions the sketches instead of summing.  A row
-- has one reach, the reach_sketch's; the frequency_sketch's sample says how
-- it splits (3+ reach = reach x the sample's 3+ share), so average
-- frequency, 3+ reach and reach never disagree (issue 20).
SET client_min_messages = warning;
DROP VIEW IF EXISTS bi_campaign_daily, bi_campaign_total, bi_campaign_daily_shared;
DROP MATERIALIZED VIEW IF EXISTS campaign_daily_conversions;
-- before issue 18, campaign_daily was a materialized view
DO $$
BEGIN
	IF (SELECT relkind FROM pg_class WHERE oid = to_regclass('campaign_daily')) = 'm' THEN
		DROP MATERIALIZED VIEW campaign_daily;
	END IF;
END $$;
RESET client_min_messages;

\ir ../examples/incremental_rollup.sql
-- the events loaded before the trigger existed
CALL campaign_daily_rebuild();

CREATE MATERIALIZED VIEW campaign_daily_conversions AS
SELECT a.touch::int AS campaign_id, (a.conversion_time AT TIME ZONE 'UTC')::date AS day,
       sum(a.credit) FILTER (WHERE a.touch_kind = 'click') AS post_click,
       sum(a.credit) FILTER (WHERE a.touch_kind = 'impression') AS post_impression,
       sum(a.value) AS revenue
FROM (SELECT user_id, journey_agg(ts, kind, campaign_id::text, revenue::float8) AS j
      FROM events WHERE user_id IN (SELECT user_id FROM events WHERE kind = 'conversion')
      GROUP BY user_id) u,
     attribute(u.j) a
WHERE a.touch IS NOT NULL
GROUP BY 1, 2;
CREATE UNIQUE INDEX campaign_daily_conversions_key ON campaign_daily_conversions (campaign_id, day);
COMMENT ON MATERIALIZED VIEW campaign_daily_conversions IS 'Rollup: conversions per campaign and day (UTC) of the conversion, attributed by last touch (7-day click, 1-day view window).';

-- a FULL JOIN: conversions can come on a day with no delivery of the campaign
CREATE VIEW bi_campaign_daily AS
SELECT campaign_id, c.name AS campaign_name, c.channel, day,
       coalesce(d.impressions, 0) AS impressions, coalesce(d.clicks, 0) AS clicks, ctr(d.clicks, d.impressions) AS ctr,
       round(coalesce(d.cost, 0), 2) AS cost, cpm(d.cost, d.impressions)::numeric(12, 4) AS cpm,
       coalesce(reach(d.reach_sketch), 0) AS reach, coalesce(reach_lower(d.reach_sketch), 0) AS reach_lower,
       coalesce(reach_upper(d.reach_sketch), 0) AS reach_upper,
       average_frequency(d.impressions, reach(d.reach_sketch)) AS average_frequency,
       coalesce(round(reach(d.reach_sketch) * reach_at_least(d.frequency_sketch, 3)::float8
                      / nullif(reach(d.frequency_sketch), 0))::bigint, 0) AS reach_3_plus,
       coalesce(v.post_click, 0) AS post_click_conversions, coalesce(v.post_impression, 0) AS post_impression_conversions,
       round(coalesce(v.revenue, 0)::numeric, 2) AS revenue
FROM campaign_daily d
FULL JOIN campaign_daily_conversions v USING (campaign_id, day)
JOIN campaigns c USING (campaign_id);

CREATE VIEW bi_campaign_total AS
WITH t AS (
	SELECT campaign_id, sum(impressions) AS impressions, sum(clicks) AS clicks, sum(cost) AS cost,
	       reach_union_agg(reach_sketch) AS reach, frequency_union_agg(frequency_sketch) AS frequency
	FROM campaign_daily GROUP BY campaign_id),
v AS (
	SELECT campaign_id, sum(post_click) AS post_click, sum(post_impression) AS post_impression, sum(revenue) AS revenue
	FROM campaign_daily_conversions GROUP BY campaign_id)
SELECT t.campaign_id, c.name AS campaign_name, c.channel,
       t.impressions::bigint AS impressions, t.clicks::bigint AS clicks, ctr(t.clicks, t.impressions) AS ctr,
       rate_lower(t.clicks, t.impressions) AS ctr_lower, rate_upper(t.clicks, t.impressions) AS ctr_upper,
       round(t.cost, 2) AS cost, cpm(t.cost, t.impressions)::numeric(12, 4) AS cpm, cpc(t.cost, t.clicks)::numeric(12, 4) AS cpc,
       reach(t.reach) AS reach, reach_lower(t.reach) AS reach_lower, reach_upper(t.reach) AS reach_upper,
       average_frequency(t.impressions, reach(t.reach)) AS average_frequency,
       coalesce(round(reach(t.reach) * reach_at_least(t.frequency, 3)::float8 / nullif(reach(t.frequency), 0))::bigint, 0) AS reach_3_plus,
       coalesce(v.post_click, 0) AS post_click_conversions, coalesce(v.post_impression, 0) AS post_impression_conversions,
       round(coalesce(v.revenue, 0)::numeric, 2) AS revenue,
       cpa(t.cost, coalesce(v.post_click, 0) + coalesce(v.post_impression, 0))::numeric(12, 4) AS cpa,
       roas(coalesce(v.revenue, 0)::numeric, t.cost)::numeric(12, 4) AS roas
FROM t
JOIN campaigns c USING (campaign_id)
LEFT JOIN v USING (campaign_id);

COMMENT ON VIEW bi_campaign_daily IS 'Per campaign and day: delivery, reach and attributed conversions. Reach does not add up across days; use bi_campaign_total for a campaign''s whole run.';
COMMENT ON VIEW bi_campaign_total IS 'Per campaign, all days: delivery, reach (sketches unioned over the days, so each person counts once), frequency, CTR with its 95 % interval, costs and attributed conversions.';
-- the same meaning in both views
DO $$
DECLARE
	v text;
	c record;
	comments jsonb := '{
	  "campaign_id": "Campaign identifier.",
	  "campaign_name": "Campaign name.",
	  "channel": "Channel of the campaign (display, social, video, native, search).",
	  "day": "Calendar day (UTC) of the events.",
	  "impressions": "Impressions served.",
	  "clicks": "Clicks.",
	  "ctr": "Click-through rate: clicks / impressions (NULL without impressions).",
	  "ctr_lower": "Lower end of the 95 % Wilson interval of the CTR.",
	  "ctr_upper": "Upper end of the 95 % Wilson interval of the CTR.",
	  "cost": "Media cost, in the account currency.",
	  "cpm": "Cost per thousand impressions.",
	  "cpc": "Cost per click.",
	  "reach": "Distinct people who saw an impression (estimate; exact for small audiences).",
	  "reach_lower": "Lower end of the 95 % interval of the reach.",
	  "reach_upper": "Upper end of the 95 % interval of the reach.",
	  "average_frequency": "Impressions per person reached.",
	  "reach_3_plus": "People who saw at least 3 impressions (effective reach).",
	  "post_click_conversions": "Conversions credited to the campaign after a click within 7 days (last touch).",
	  "post_impression_conversions": "Conversions credited to the campaign after an impression within 1 day, with no click in 7 days (last touch).",
	  "revenue": "Revenue of the conversions credited to the campaign.",
	  "cpa": "Cost per attributed conversion.",
	  "roas": "Return on ad spend: attributed revenue / cost."}';
BEGIN
	FOREACH v IN ARRAY ARRAY['bi_campaign_daily', 'bi_campaign_total'] LOOP
		FOR c IN SELECT attname FROM pg_attribute WHERE attrelid = v::regclass AND attnum > 0 AND NOT attisdropped LOOP
			EXECUTE format('COMMENT ON COLUMN %I.%I IS %L', v, c.attname, comments->>c.attname::text);
		END LOOP;
	END LOOP;
END $$;

-- issue 20: the campaign x day report for sharing outside the company, with
-- every row describing fewer than 50 people (Ads Data Hub's threshold) left
-- out and counted in one remainder row, so the totals still add up; the
-- remainder's reach is that of the union of their audiences, NULL in turn
-- when under 50
CREATE VIEW bi_campaign_daily_shared AS
WITH flagged AS (
	SELECT d.*, below_audience_threshold(d.reach_sketch) AS hidden FROM campaign_daily d)
SELECT f.campaign_id, c.name AS campaign_name, c.channel, f.day,
       f.impressions, f.clicks, f.cost, reach(f.reach_sketch) AS reach
FROM flagged f JOIN campaigns c USING (campaign_id)
WHERE NOT f.hidden
UNION ALL
SELECT NULL, '(rows under 50 people)', NULL, NULL,
       sum(impressions), sum(clicks), sum(cost), reach_if_at_least(reach_union_agg(reach_sketch))
FROM flagged
WHERE hidden
HAVING count(*) > 0;
COMMENT ON VIEW bi_campaign_daily_shared IS 'Per campaign and day, safe to share: rows describing fewer than 50 people are folded into one remainder row (campaign_name ''(rows under 50 people)''), so impressions, clicks and cost still add up to the totals.';
COMMENT ON COLUMN bi_campaign_daily_shared.campaign_id IS 'Campaign identifier; NULL on the remainder row.';
COMMENT ON COLUMN bi_campaign_daily_shared.campaign_name IS 'Campaign name, or ''(rows under 50 people)'' on the remainder row.';
COMMENT ON COLUMN bi_campaign_daily_shared.channel IS 'Channel of the campaign; NULL on the remainder row.';
COMMENT ON COLUMN bi_campaign_daily_shared.day IS 'Calendar day (UTC); NULL on the remainder row.';
COMMENT ON COLUMN bi_campaign_daily_shared.impressions IS 'Impressions served (on the remainder row: those of the rows left out).';
COMMENT ON COLUMN bi_campaign_daily_shared.clicks IS 'Clicks (on the remainder row: those of the rows left out).';
COMMENT ON COLUMN bi_campaign_daily_shared.cost IS 'Media cost (on the remainder row: that of the rows left out).';
COMMENT ON COLUMN bi_campaign_daily_shared.reach IS 'Distinct people reached, at least 50; on the remainder row the people of all the rows left out, NULL when fewer than 50.';
