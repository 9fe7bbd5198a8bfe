/* impression_ext--0.1.sql — install script, version 0.1 */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION impression_ext" to load this file. \quit

/*
 * Every object is named through @extschema@, and every SQL function body
 * uses schema-qualified operators, casts and functions, so that nothing a
 * user puts on search_path (even ahead of pg_catalog) can change a result.
 * The SQL-language metric functions use SQL-standard bodies (RETURN ...),
 * parsed once at CREATE EXTENSION time, and are not STRICT so that the
 * planner inlines them into the calling query; a NULL argument still gives
 * NULL because every branch of their CASE is NULL then.
 */

CREATE FUNCTION @extschema@.impression_ext_version()
RETURNS text
AS 'MODULE_PATHNAME', 'impression_ext_version'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.impression_ext_version() IS
'Version of the loaded impression_ext shared library.';

-------------------------------------------------------------------------------
-- Metrics: NULL-safe ratios
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.ctr(clicks bigint, impressions bigint)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN impressions OPERATOR(pg_catalog.=) 0::pg_catalog.int8 THEN NULL
       ELSE clicks::pg_catalog.float8 OPERATOR(pg_catalog./) impressions::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.ctr(bigint, bigint) IS
'Click-through rate: clicks / impressions, as a fraction (0.012 = 1.2 %). NULL when impressions is 0 or NULL.';

CREATE FUNCTION @extschema@.ctr(clicks numeric, impressions numeric)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN impressions OPERATOR(pg_catalog.=) 0::pg_catalog.numeric THEN NULL
       ELSE clicks::pg_catalog.float8 OPERATOR(pg_catalog./) impressions::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.ctr(numeric, numeric) IS
'Click-through rate: clicks / impressions, as a fraction (0.012 = 1.2 %). NULL when impressions is 0 or NULL.';

CREATE FUNCTION @extschema@.ctr(clicks double precision, impressions double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN impressions OPERATOR(pg_catalog.=) 0::pg_catalog.float8 THEN NULL
       ELSE clicks::pg_catalog.float8 OPERATOR(pg_catalog./) impressions::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.ctr(double precision, double precision) IS
'Click-through rate: clicks / impressions, as a fraction (0.012 = 1.2 %). NULL when impressions is 0 or NULL.';

CREATE FUNCTION @extschema@.conversion_rate(conversions bigint, base bigint)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN base OPERATOR(pg_catalog.=) 0::pg_catalog.int8 THEN NULL
       ELSE conversions::pg_catalog.float8 OPERATOR(pg_catalog./) base::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.conversion_rate(bigint, bigint) IS
'Conversion rate: conversions / base (clicks, impressions or visitors), as a fraction. NULL when base is 0 or NULL.';

CREATE FUNCTION @extschema@.conversion_rate(conversions numeric, base numeric)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN base OPERATOR(pg_catalog.=) 0::pg_catalog.numeric THEN NULL
       ELSE conversions::pg_catalog.float8 OPERATOR(pg_catalog./) base::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.conversion_rate(numeric, numeric) IS
'Conversion rate: conversions / base (clicks, impressions or visitors), as a fraction. NULL when base is 0 or NULL.';

CREATE FUNCTION @extschema@.conversion_rate(conversions double precision, base double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN base OPERATOR(pg_catalog.=) 0::pg_catalog.float8 THEN NULL
       ELSE conversions::pg_catalog.float8 OPERATOR(pg_catalog./) base::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.conversion_rate(double precision, double precision) IS
'Conversion rate: conversions / base (clicks, impressions or visitors), as a fraction. NULL when base is 0 or NULL.';

CREATE FUNCTION @extschema@.engagement_rate(engagements bigint, impressions bigint)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN impressions OPERATOR(pg_catalog.=) 0::pg_catalog.int8 THEN NULL
       ELSE engagements::pg_catalog.float8 OPERATOR(pg_catalog./) impressions::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.engagement_rate(bigint, bigint) IS
'Engagement rate: engagements / impressions, as a fraction. NULL when impressions is 0 or NULL.';

CREATE FUNCTION @extschema@.engagement_rate(engagements numeric, impressions numeric)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN impressions OPERATOR(pg_catalog.=) 0::pg_catalog.numeric THEN NULL
       ELSE engagements::pg_catalog.float8 OPERATOR(pg_catalog./) impressions::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.engagement_rate(numeric, numeric) IS
'Engagement rate: engagements / impressions, as a fraction. NULL when impressions is 0 or NULL.';

CREATE FUNCTION @extschema@.engagement_rate(engagements double precision, impressions double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN impressions OPERATOR(pg_catalog.=) 0::pg_catalog.float8 THEN NULL
       ELSE engagements::pg_catalog.float8 OPERATOR(pg_catalog./) impressions::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.engagement_rate(double precision, double precision) IS
'Engagement rate: engagements / impressions, as a fraction. NULL when impressions is 0 or NULL.';

CREATE FUNCTION @extschema@.average_frequency(impressions bigint, reach bigint)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN reach OPERATOR(pg_catalog.=) 0::pg_catalog.int8 THEN NULL
       ELSE impressions::pg_catalog.float8 OPERATOR(pg_catalog./) reach::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.average_frequency(bigint, bigint) IS
'Average frequency: impressions / reach, the mean number of times each person reached saw the ad. NULL when reach is 0 or NULL.';

CREATE FUNCTION @extschema@.average_frequency(impressions numeric, reach numeric)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN reach OPERATOR(pg_catalog.=) 0::pg_catalog.numeric THEN NULL
       ELSE impressions::pg_catalog.float8 OPERATOR(pg_catalog./) reach::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.average_frequency(numeric, numeric) IS
'Average frequency: impressions / reach, the mean number of times each person reached saw the ad. NULL when reach is 0 or NULL.';

CREATE FUNCTION @extschema@.average_frequency(impressions double precision, reach double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN reach OPERATOR(pg_catalog.=) 0::pg_catalog.float8 THEN NULL
       ELSE impressions::pg_catalog.float8 OPERATOR(pg_catalog./) reach::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.average_frequency(double precision, double precision) IS
'Average frequency: impressions / reach, the mean number of times each person reached saw the ad. NULL when reach is 0 or NULL.';

CREATE FUNCTION @extschema@.cpm(cost numeric, impressions numeric)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN impressions OPERATOR(pg_catalog.=) 0::pg_catalog.numeric THEN NULL
       ELSE cost OPERATOR(pg_catalog.*) 1000::pg_catalog.numeric OPERATOR(pg_catalog./) impressions END;
COMMENT ON FUNCTION @extschema@.cpm(numeric, numeric) IS
'Cost per mille: cost of a thousand impressions, cost * 1000 / impressions. NULL when impressions is 0 or NULL.';

CREATE FUNCTION @extschema@.cpm(cost double precision, impressions double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN impressions OPERATOR(pg_catalog.=) 0::pg_catalog.float8 THEN NULL
       ELSE cost OPERATOR(pg_catalog.*) 1000::pg_catalog.float8 OPERATOR(pg_catalog./) impressions END;
COMMENT ON FUNCTION @extschema@.cpm(double precision, double precision) IS
'Cost per mille: cost of a thousand impressions, cost * 1000 / impressions. NULL when impressions is 0 or NULL.';

CREATE FUNCTION @extschema@.cpc(cost numeric, clicks numeric)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN clicks OPERATOR(pg_catalog.=) 0::pg_catalog.numeric THEN NULL
       ELSE cost OPERATOR(pg_catalog./) clicks END;
COMMENT ON FUNCTION @extschema@.cpc(numeric, numeric) IS
'Cost per click: cost / clicks. NULL when clicks is 0 or NULL.';

CREATE FUNCTION @extschema@.cpc(cost double precision, clicks double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN clicks OPERATOR(pg_catalog.=) 0::pg_catalog.float8 THEN NULL
       ELSE cost OPERATOR(pg_catalog./) clicks END;
COMMENT ON FUNCTION @extschema@.cpc(double precision, double precision) IS
'Cost per click: cost / clicks. NULL when clicks is 0 or NULL.';

CREATE FUNCTION @extschema@.cpa(cost numeric, conversions numeric)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN conversions OPERATOR(pg_catalog.=) 0::pg_catalog.numeric THEN NULL
       ELSE cost OPERATOR(pg_catalog./) conversions END;
COMMENT ON FUNCTION @extschema@.cpa(numeric, numeric) IS
'Cost per acquisition: cost / conversions. NULL when conversions is 0 or NULL.';

CREATE FUNCTION @extschema@.cpa(cost double precision, conversions double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN conversions OPERATOR(pg_catalog.=) 0::pg_catalog.float8 THEN NULL
       ELSE cost OPERATOR(pg_catalog./) conversions END;
COMMENT ON FUNCTION @extschema@.cpa(double precision, double precision) IS
'Cost per acquisition: cost / conversions. NULL when conversions is 0 or NULL.';

CREATE FUNCTION @extschema@.roas(revenue numeric, cost numeric)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN cost OPERATOR(pg_catalog.=) 0::pg_catalog.numeric THEN NULL
       ELSE revenue OPERATOR(pg_catalog./) cost END;
COMMENT ON FUNCTION @extschema@.roas(numeric, numeric) IS
'Return on ad spend: revenue / cost (2.5 = 2.50 earned per 1.00 spent). NULL when cost is 0 or NULL.';

CREATE FUNCTION @extschema@.roas(revenue double precision, cost double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN cost OPERATOR(pg_catalog.=) 0::pg_catalog.float8 THEN NULL
       ELSE revenue OPERATOR(pg_catalog./) cost END;
COMMENT ON FUNCTION @extschema@.roas(double precision, double precision) IS
'Return on ad spend: revenue / cost (2.5 = 2.50 earned per 1.00 spent). NULL when cost is 0 or NULL.';

-------------------------------------------------------------------------------
-- Metrics: confidence intervals and tests (C: they need the normal quantile)
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.rate_lower(successes double precision, trials double precision,
                                       confidence double precision DEFAULT 0.95)
RETURNS double precision
AS 'MODULE_PATHNAME', 'rate_lower'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rate_lower(double precision, double precision, double precision) IS
'Lower bound of the Wilson score interval for the rate successes / trials at the given two-sided confidence (default 0.95). NULL when trials is 0. Counts must satisfy 0 <= successes <= trials; confidence must be in (0,1).';

CREATE FUNCTION @extschema@.rate_upper(successes double precision, trials double precision,
                                       confidence double precision DEFAULT 0.95)
RETURNS double precision
AS 'MODULE_PATHNAME', 'rate_upper'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.rate_upper(double precision, double precision, double precision) IS
'Upper bound of the Wilson score interval for the rate successes / trials at the given two-sided confidence (default 0.95). NULL when trials is 0. Counts must satisfy 0 <= successes <= trials; confidence must be in (0,1).';

CREATE FUNCTION @extschema@.ab_test_p_value(successes_a double precision, trials_a double precision,
                                            successes_b double precision, trials_b double precision)
RETURNS double precision
AS 'MODULE_PATHNAME', 'ab_test_p_value'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.ab_test_p_value(double precision, double precision, double precision, double precision) IS
'Two-sided p-value of the pooled two-proportion z-test comparing successes_a / trials_a with successes_b / trials_b (e.g. the CTR of two creatives). NULL when either group has no trials; 1 when both rates are 0 or both are 1.';
