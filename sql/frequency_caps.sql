-- Frequency caps from a frequency_sketch: capped_impressions,
-- excess_impressions, reach_at_most.  Every value is compared with the exact
-- SQL over the per-user counts it was built from (sum(least(n, cap)),
-- sum(greatest(n - cap, 0)), count(*) FILTER (WHERE n <= cap)).

-- 3,000 users with 1..12 impressions each (a skewed spread), as events
CREATE TEMP TABLE counts AS
SELECT u AS user_id, (1 + (u * u) % 7 * (u % 3) / 2 + (u % 11 = 0)::int * 5)::bigint AS n
FROM generate_series(1, 3000) u;
CREATE TEMP TABLE sketches AS
SELECT (SELECT frequency_agg(user_id) FROM counts, generate_series(1, n)) AS exact_fs,
       (SELECT frequency_agg(user_id, n, 256) FROM counts) AS sampled_fs;
SELECT min(n), max(n), sum(n) AS impressions, count(*) AS people FROM counts;

-- exact mode: equal to the exact SQL at every cap
SELECT cap,
       capped_impressions(exact_fs, cap) AS capped,
       (SELECT sum(least(n, cap)) FROM counts) AS capped_sql,
       excess_impressions(exact_fs, cap) AS excess,
       (SELECT sum(greatest(n - cap, 0)) FROM counts) AS excess_sql,
       reach_at_most(exact_fs, cap) AS at_most,
       (SELECT count(*) FROM counts WHERE n <= cap) AS at_most_sql
FROM sketches, (VALUES (0), (1), (2), (3), (5), (8), (12), (1000)) c(cap)
ORDER BY cap;
SELECT bool_and(capped_impressions(exact_fs, cap) = (SELECT sum(least(n, cap)) FROM counts)
                AND excess_impressions(exact_fs, cap) = (SELECT sum(greatest(n - cap, 0)) FROM counts)
                AND reach_at_most(exact_fs, cap) = (SELECT count(*) FROM counts WHERE n <= cap)) AS all_caps_exact
FROM sketches, generate_series(0, 15) cap;

-- sampling (k = 256 of 3,000 users): capped + excess is still the exact
-- impressions total, reach_at_most + reach_at_least(cap + 1) is reach, and
-- the excess is within 3 standard errors of a 256-user sample (about
-- 3 * sqrt(1/256) = 19 %) of the exact SQL; capped_impressions, the exact
-- total minus the excess, carries the same absolute error
SELECT bool_and(capped_impressions(sampled_fs, cap) + excess_impressions(sampled_fs, cap) = impressions(sampled_fs)) AS adds_up,
       bool_and(reach_at_most(sampled_fs, cap) + reach_at_least(sampled_fs, cap + 1) = reach(sampled_fs)) AS reach_adds_up,
       bool_and(abs(excess_impressions(sampled_fs, cap) - (SELECT sum(greatest(n - cap, 0)) FROM counts))
                <= 0.19 * (SELECT sum(greatest(n - cap, 0)) FROM counts)) AS excess_close,
       bool_and(excess_impressions(sampled_fs, cap) >= 0 AND capped_impressions(sampled_fs, cap) >= 0) AS not_negative
FROM sketches, generate_series(1, 8) cap;
-- a cap nobody reaches leaves nothing above it, sampled or not
SELECT excess_impressions(sampled_fs, 1000) AS excess, capped_impressions(sampled_fs, 1000) = impressions(sampled_fs) AS all_within
FROM sketches;

-- empty sketch, NULLs, bad arguments
SELECT capped_impressions(fs, 3), excess_impressions(fs, 3), reach_at_most(fs, 3)
FROM (SELECT frequency_agg(u) AS fs FROM generate_series(1, 0) u) e;
SELECT capped_impressions(NULL, 3) IS NULL AS strict_sketch, excess_impressions(exact_fs, NULL) IS NULL AS strict_cap
FROM sketches;
SELECT capped_impressions(exact_fs, -1) FROM sketches;
SELECT excess_impressions(exact_fs, -1) FROM sketches;
SELECT reach_at_most(exact_fs, -1) FROM sketches;
