-- Viewability and engagement ratios: vcpm, viewable_rate, measurable_rate,
-- cost_per_engagement, engagement_rate_by_reach.  Each value is checked by
-- hand (one division each, written next to it); the Wilson bounds of a
-- rate are rate_lower / rate_upper's, whose values for 10 of 100 were
-- computed independently by test/reference/metrics_reference.py
-- (0.055229137061, 0.174365661505).

-- 25.00 spent, 5,000 viewable impressions: 5.00 per thousand viewable
-- (cpm over 20,000 served would be 1.25); 700 viewable of 1,000 measurable
-- = 0.7; 1,000 measurable of 1,250 eligible = 0.8; 25.00 / 40 engagements =
-- 0.625; 90 engagements by 60 people = 1.5 (a person can engage twice)
SELECT vcpm(25.00, 5000) AS vcpm, cpm(25.00, 20000) AS cpm,
       viewable_rate(700, 1000) AS viewable_rate, measurable_rate(1000, 1250) AS measurable_rate,
       cost_per_engagement(25.00, 40) AS cost_per_engagement,
       engagement_rate_by_reach(90, 60) AS engagement_rate_by_reach;
-- every signature: bigint, numeric and float8 counts; numeric and float8 money
SELECT viewable_rate(7::bigint, 10::bigint) AS vr_int8, viewable_rate(7.0, 10.0) AS vr_num,
       viewable_rate(7::float8, 10::float8) AS vr_f8,
       measurable_rate(3::bigint, 4::bigint) AS mr_int8, measurable_rate(3.0, 4.0) AS mr_num,
       measurable_rate(3::float8, 4::float8) AS mr_f8,
       engagement_rate_by_reach(5::bigint, 4::bigint) AS er_int8, engagement_rate_by_reach(5.0, 4.0) AS er_num,
       engagement_rate_by_reach(5::float8, 4::float8) AS er_f8,
       vcpm(3::float8, 2000::float8) AS vcpm_f8, cost_per_engagement(3::float8, 4::float8) AS cpe_f8;
SELECT pg_typeof(vcpm(1.5, 2)) AS vcpm, pg_typeof(vcpm(1.5::float8, 2)) AS vcpm_f8,
       pg_typeof(cost_per_engagement(1.5, 2)) AS cpe, pg_typeof(viewable_rate(1, 2)) AS vr,
       pg_typeof(measurable_rate(1.0, 2)) AS mr, pg_typeof(engagement_rate_by_reach(1, 2)) AS er;
-- zero and NULL denominators give NULL, as does a NULL numerator; 0 / n is 0
SELECT vcpm(1.0, 0) IS NULL AS vcpm_zero, vcpm(1.0, NULL) IS NULL AS vcpm_null,
       viewable_rate(5, 0) IS NULL AS vr_zero, viewable_rate(NULL, 5) IS NULL AS vr_null_num,
       measurable_rate(5::float8, 0::float8) IS NULL AS mr_zero,
       cost_per_engagement(1.0, 0) IS NULL AS cpe_zero,
       engagement_rate_by_reach(3, 0) IS NULL AS er_zero, viewable_rate(0, 5) AS vr_zero_num;
-- aggregates as arguments, the way a report calls them: 2 viewable of 3
-- measurable of 4 eligible impressions, 1 engagement, 0.010 spent
SELECT viewable_rate(count(*) FILTER (WHERE viewable), count(*) FILTER (WHERE measurable)) AS viewable_rate,
       measurable_rate(count(*) FILTER (WHERE measurable), count(*) FILTER (WHERE eligible)) AS measurable_rate,
       vcpm(sum(cost), count(*) FILTER (WHERE viewable)) AS vcpm,
       cost_per_engagement(sum(cost), count(*) FILTER (WHERE engaged)) AS cpe
FROM (VALUES (true, true, true, false, 0.002), (true, true, true, true, 0.003),
             (true, true, false, false, 0.004), (true, false, false, false, 0.001))
     AS e(eligible, measurable, viewable, engaged, cost);
-- Wilson bounds of the viewable rate through rate_lower / rate_upper
SELECT round(rate_lower(10, 100)::numeric, 12) AS viewable_lower, round(rate_upper(10, 100)::numeric, 12) AS viewable_upper,
       viewable_rate(10, 100) BETWEEN rate_lower(10, 100) AND rate_upper(10, 100) AS inside;
-- inlined into the query, like the other ratios
CREATE TEMP TABLE media(cost numeric, viewable bigint, measurable bigint);
EXPLAIN (VERBOSE, COSTS OFF) SELECT vcpm(cost, viewable), viewable_rate(viewable, measurable) FROM media;

-- search_path safety: sql/metrics_search_path.sql runs these functions
-- under a hostile search_path too
