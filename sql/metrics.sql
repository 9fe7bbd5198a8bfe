-- Metric functions.
--
-- Ratios are checked by hand (each is a one-line division).  The Wilson
-- bounds and p-values were computed independently by
-- test/reference/metrics_reference.py (Python's statistics.NormalDist:
-- AS241 quantile, erf-based CDF), whose output is quoted above each query;
-- the extension uses Newton's method on libm's erfc instead.

-- ratios: plain values (12/1000 = 0.012; 3e9/6e9 = 0.5; 250/50 = 5)
SELECT ctr(12, 1000) AS ctr_int, ctr(3000000000, 6000000000) AS ctr_big,
       ctr(12.0, 1000.0) AS ctr_num, ctr(12::float8, 1000::float8) AS ctr_f8,
       conversion_rate(3, 12) AS cr, engagement_rate(45, 1000) AS er,
       average_frequency(250, 50) AS avg_freq;
-- money: 12.50 spent on 5000 impressions = 2.50 per thousand; 5 clicks = 2.50 each;
-- 2 conversions = 6.25 each; 40.00 revenue / 12.50 cost = 3.2
SELECT cpm(12.50, 5000) AS cpm, cpc(12.50, 5) AS cpc, cpa(12.50, 2) AS cpa,
       roas(40.00, 12.50) AS roas;
SELECT cpm(12.5::float8, 5000::float8) AS cpm_f8, roas(40::float8, 12.5::float8) AS roas_f8;
-- result types: counts give float8, money stays numeric (costs usually are)
SELECT pg_typeof(ctr(1, 2)) AS ctr, pg_typeof(ctr(1::numeric, 2)) AS ctr_numeric,
       pg_typeof(cpm(1.5, 2)) AS cpm, pg_typeof(cpm(1.5::float8, 2)) AS cpm_f8,
       pg_typeof(cpa(sum(x), count(*))) AS cpa_of_aggregates
FROM (VALUES (1.5::numeric)) v(x);
-- zero and NULL denominators give NULL, as does a NULL numerator
SELECT ctr(5, 0) IS NULL AS zero, ctr(5, NULL) IS NULL AS null_den,
       ctr(NULL, 5) IS NULL AS null_num, ctr(0, 5) AS zero_num,
       cpm(1.0, 0) IS NULL AS cpm_zero, cpc(1.0, 0::numeric) IS NULL AS cpc_zero,
       cpa(1.0, NULL) IS NULL AS cpa_null, roas(3.0, 0) IS NULL AS roas_zero,
       ctr(1::float8, 0::float8) IS NULL AS f8_zero,
       average_frequency(10, 0) IS NULL AS af_zero;
-- huge counts (billions of impressions, trillions of micro-dollars)
SELECT ctr(7000000000, 9000000000000) AS ctr_huge,
       cpm(123456789012.345678, 98765432109) AS cpm_huge;
-- aggregates as arguments, the way reports call them
SELECT ctr(count(*) FILTER (WHERE kind = 'click'), count(*) FILTER (WHERE kind = 'impression')) AS ctr,
       cpm(sum(cost), count(*) FILTER (WHERE kind = 'impression')) AS cpm
FROM (VALUES ('impression', 0.002), ('impression', 0.003), ('click', 0), ('impression', 0.001))
     AS e(kind, cost);
-- the SQL metric functions are inlined into the query (no function call left)
CREATE TEMP TABLE totals(clicks bigint, impressions bigint, cost numeric);
EXPLAIN (VERBOSE, COSTS OFF) SELECT ctr(clicks, impressions), cpm(cost, impressions) FROM totals;

-- Wilson score interval
-- reference: wilson(10, 100): 0.055229137061 0.174365661505
SELECT round(rate_lower(10, 100)::numeric, 12) AS lower, round(rate_upper(10, 100)::numeric, 12) AS upper;
-- reference: wilson(0, 100): 0 0.036993498207;  wilson(100, 100): 0.963006501793 1
SELECT rate_lower(0, 100) AS lower0, round(rate_upper(0, 100)::numeric, 12) AS upper0,
       round(rate_lower(100, 100)::numeric, 12) AS lower100, rate_upper(100, 100) AS upper100;
-- reference: wilson(1, 3, 0.9): 0.078265726334 0.746466131719
SELECT round(rate_lower(1, 3, 0.9)::numeric, 12) AS lower, round(rate_upper(1, 3, 0.9)::numeric, 12) AS upper;
-- reference: wilson(81, 263): 0.255288519878 0.366209576983
--            wilson(81, 263, 0.99): 0.240136902688 0.385282502318
SELECT round(rate_lower(81, 263)::numeric, 12) AS lower95, round(rate_upper(81, 263)::numeric, 12) AS upper95,
       round(rate_lower(81, 263, 0.99)::numeric, 12) AS lower99, round(rate_upper(81, 263, 0.99)::numeric, 12) AS upper99;
-- reference: wilson(12, 1000, 0.5): 0.009889416495 0.014554399546
SELECT round(rate_lower(12, 1000, 0.5)::numeric, 12) AS lower, round(rate_upper(12, 1000, 0.5)::numeric, 12) AS upper;
-- reference: wilson(1, 1): 0.206549314377 1
SELECT round(rate_lower(1, 1)::numeric, 12) AS lower, rate_upper(1, 1) AS upper;
-- huge counts. reference: wilson(1500000000, 3000000000): 0.499982108059 0.500017891941
--                         wilson(5, 1e9): 2.135701139e-09 1.170575763e-08
SELECT round(rate_lower(1500000000, 3000000000)::numeric, 12) AS lower,
       round(rate_upper(1500000000, 3000000000)::numeric, 12) AS upper,
       to_char(rate_lower(5, 1000000000), '9.999999999EEEE') AS tiny_lower,
       to_char(rate_upper(5, 1000000000), '9.999999999EEEE') AS tiny_upper;
-- numeric and bigint arguments (sum() of bigint is numeric) work as they are
SELECT round(rate_lower(sum(c), count(*))::numeric, 12) = round(rate_lower(1, 3)::numeric, 12) AS numeric_args
FROM (VALUES (1::bigint), (0), (0)) v(c);
-- zero trials: the rate is unknown
SELECT rate_lower(0, 0) IS NULL AS lower_null, rate_upper(0, 0) IS NULL AS upper_null,
       rate_lower(NULL, 10) IS NULL AS null_arg;
-- the bounds bracket the observed rate, narrower at lower confidence
SELECT bool_and(rate_lower(s, 50) <= s / 50.0 AND s / 50.0 <= rate_upper(s, 50)) AS brackets,
       bool_and(rate_upper(s, 50, 0.8) - rate_lower(s, 50, 0.8) < rate_upper(s, 50) - rate_lower(s, 50)) AS narrower
FROM generate_series(0, 50) s;

-- bad arguments: SQLSTATE 22023 with the bad value in the message
\set VERBOSITY sqlstate
SELECT rate_lower(1, 10, 1.0);
SELECT rate_lower(1, 10, 0);
SELECT rate_upper(1, 10, -0.5);
SELECT rate_lower(-1, 10);
SELECT rate_upper(1, -10);
SELECT rate_lower(11, 10);
SELECT ab_test_p_value(1, 10, 20, 10);
SELECT ab_test_p_value(1, -10, 2, 10);
\set VERBOSITY default
SELECT rate_lower(1, 10, 1.5);
SELECT rate_lower(-1, 10);
SELECT rate_upper(11, 10);
SELECT rate_upper(1, 'NaN');
SELECT ab_test_p_value(1, 10, 20, 10);
SELECT ab_test_p_value(1, 10, -2, 10);

-- two-proportion z-test
-- reference: p_value(120, 10000, 150, 10000): 0.066034145546
--            p_value(30, 1000, 50, 1000): 0.022478873366
--            p_value(1, 2, 2, 3): 0.709388115014
SELECT round(ab_test_p_value(120, 10000, 150, 10000)::numeric, 12) AS p1,
       round(ab_test_p_value(30, 1000, 50, 1000)::numeric, 12) AS p2,
       round(ab_test_p_value(1, 2, 2, 3)::numeric, 12) AS p3;
-- symmetric in the two groups
SELECT ab_test_p_value(120, 10000, 150, 10000) = ab_test_p_value(150, 10000, 120, 10000) AS symmetric;
-- equal rates, and both rates 0 or both 1: p = 1
SELECT ab_test_p_value(5, 100, 5, 100) AS equal, ab_test_p_value(0, 10, 0, 10) AS both_zero,
       ab_test_p_value(10, 10, 10, 10) AS both_one;
-- huge counts. reference: p_value(1000000000, 3000000000, 1000100000, 3000000000): 0.006170541663
--            small p: p_value(100, 10^5, 200, 10^5): 7.56667e-09
SELECT round(ab_test_p_value(1000000000, 3000000000, 1000100000, 3000000000)::numeric, 12) AS p_huge,
       to_char(ab_test_p_value(100, 100000, 200, 100000), '9.99999EEEE') AS p_small;
-- no trials in a group: NULL
SELECT ab_test_p_value(0, 0, 5, 10) IS NULL AS no_trials_a, ab_test_p_value(5, 10, 0, 0) IS NULL AS no_trials_b;
