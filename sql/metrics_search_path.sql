-- A hostile schema placed ahead of pg_catalog in search_path, with operators,
-- functions and a type that would capture unqualified names in a function
-- body, must not change any result of the extension's functions.
CREATE TEMP TABLE baseline AS
SELECT ctr(12, 1000) AS ctr, ctr(12.0, 1000.0) AS ctr_num, cpm(12.50, 5000) AS cpm,
       cpc(12.5::float8, 5::float8) AS cpc, roas(40.00, 12.50) AS roas,
       average_frequency(250, 50) AS af, ctr(5, 0) AS ctr_zero,
       rate_lower(10, 100) AS lo, rate_upper(10, 100) AS hi,
       ab_test_p_value(120, 10000, 150, 10000) AS p,
       vcpm(25.00, 5000) AS vcpm, vcpm(3::float8, 2000::float8) AS vcpm_f8, viewable_rate(700, 1000) AS vr,
       measurable_rate(1000.0, 1250.0) AS mr, cost_per_engagement(25.00, 40) AS cpe,
       engagement_rate_by_reach(90, 60) AS er, viewable_rate(5, 0) AS vr_zero;
CREATE SCHEMA hostile;
CREATE FUNCTION hostile.evil_div(float8, float8) RETURNS float8 LANGUAGE sql AS 'SELECT 42::pg_catalog.float8';
CREATE OPERATOR hostile./ (LEFTARG = float8, RIGHTARG = float8, FUNCTION = hostile.evil_div);
CREATE FUNCTION hostile.evil_ndiv(numeric, numeric) RETURNS numeric LANGUAGE sql AS 'SELECT 42::pg_catalog.numeric';
CREATE OPERATOR hostile./ (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = hostile.evil_ndiv);
CREATE OPERATOR hostile.* (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = hostile.evil_ndiv);
CREATE FUNCTION hostile.evil_eq(bigint, bigint) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR hostile.= (LEFTARG = bigint, RIGHTARG = bigint, FUNCTION = hostile.evil_eq);
CREATE FUNCTION hostile.evil_neq(numeric, numeric) RETURNS boolean LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR hostile.= (LEFTARG = numeric, RIGHTARG = numeric, FUNCTION = hostile.evil_neq);
CREATE FUNCTION hostile.float8(bigint) RETURNS float8 LANGUAGE sql AS 'SELECT 7::pg_catalog.float8';
CREATE FUNCTION hostile.nullif(anyelement, anyelement) RETURNS anyelement LANGUAGE sql AS 'SELECT NULL';
SET search_path = hostile, pg_catalog, public;
-- the hostile operators are really in effect for unqualified SQL
SELECT 1::float8 / 2::float8 AS captured_div, 1::bigint = 2::bigint AS captured_eq;
-- a naive SQL function with an unqualified body is captured: the test has teeth
CREATE FUNCTION pg_temp.naive_ctr(c bigint, i bigint) RETURNS float8 LANGUAGE sql
AS 'SELECT c::float8 / nullif(i, 0)::float8';
SELECT pg_temp.naive_ctr(12, 1000) AS naive_captured;
CREATE TEMP TABLE under_hostile AS
SELECT ctr(12, 1000) AS ctr, ctr(12.0, 1000.0) AS ctr_num, cpm(12.50, 5000) AS cpm,
       cpc(12.5::float8, 5::float8) AS cpc, roas(40.00, 12.50) AS roas,
       average_frequency(250, 50) AS af, ctr(5, 0) AS ctr_zero,
       rate_lower(10, 100) AS lo, rate_upper(10, 100) AS hi,
       ab_test_p_value(120, 10000, 150, 10000) AS p,
       vcpm(25.00, 5000) AS vcpm, vcpm(3::float8, 2000::float8) AS vcpm_f8, viewable_rate(700, 1000) AS vr,
       measurable_rate(1000.0, 1250.0) AS mr, cost_per_engagement(25.00, 40) AS cpe,
       engagement_rate_by_reach(90, 60) AS er, viewable_rate(5, 0) AS vr_zero;
-- and the same through the inlined form, over a table
CREATE TEMP TABLE t(clicks bigint, impressions bigint, cost numeric);
INSERT INTO t VALUES (12, 1000, 12.50), (0, 0, 1.00);
SELECT ctr(clicks, impressions), cpm(cost, impressions) FROM t ORDER BY impressions;
RESET search_path;
-- compared with pg_catalog's operators again
SELECT h.ctr = b.ctr AND h.ctr_num = b.ctr_num AND h.cpm = b.cpm AND h.cpc = b.cpc
       AND h.roas = b.roas AND h.af = b.af AND h.ctr_zero IS NULL AND b.ctr_zero IS NULL
       AND h.lo = b.lo AND h.hi = b.hi AND h.p = b.p
       AND h.vcpm = b.vcpm AND h.vcpm_f8 = b.vcpm_f8 AND h.vr = b.vr AND h.mr = b.mr AND h.cpe = b.cpe
       AND h.er = b.er AND h.vr_zero IS NULL AND b.vr_zero IS NULL AS unchanged,
       h.ctr, h.cpm, h.roas
FROM pg_temp.under_hostile h, pg_temp.baseline b;
DROP SCHEMA hostile CASCADE;
