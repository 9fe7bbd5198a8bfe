/* impression_ext--0.2.sql — install script, version 0.2 */

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
LANGUAGE C STABLE STRICT PARALLEL SAFE;
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

-------------------------------------------------------------------------------
-- reach_sketch: distinct-user counting (UltraLogLog registers, exact sparse
-- mode for small sets), mergeable, hash-compatible with postgresql-hll
-------------------------------------------------------------------------------

CREATE TYPE @extschema@.reach_sketch;

CREATE FUNCTION @extschema@.reach_sketch_in(cstring) RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_sketch_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_sketch_out(@extschema@.reach_sketch) RETURNS cstring
AS 'MODULE_PATHNAME', 'reach_sketch_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_sketch_recv(internal) RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_sketch_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_sketch_send(@extschema@.reach_sketch) RETURNS bytea
AS 'MODULE_PATHNAME', 'reach_sketch_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.reach_sketch (
	INPUT = @extschema@.reach_sketch_in,
	OUTPUT = @extschema@.reach_sketch_out,
	RECEIVE = @extschema@.reach_sketch_recv,
	SEND = @extschema@.reach_sketch_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = int4,
	STORAGE = extended
);
COMMENT ON TYPE @extschema@.reach_sketch IS
'Distinct-count sketch of user ids (UltraLogLog registers, exact sparse form for small sets); build with reach_agg, merge with reach_union_agg or ||, read with reach().';

COMMENT ON FUNCTION @extschema@.reach_sketch_in(cstring) IS 'Text input of reach_sketch: \x followed by the hex of its binary form; checked.';
COMMENT ON FUNCTION @extschema@.reach_sketch_out(@extschema@.reach_sketch) IS 'Text output of reach_sketch: \x followed by the hex of its binary form.';
COMMENT ON FUNCTION @extschema@.reach_sketch_recv(internal) IS 'Binary input of reach_sketch; checked.';
COMMENT ON FUNCTION @extschema@.reach_sketch_send(@extschema@.reach_sketch) IS 'Binary output of reach_sketch.';

CREATE FUNCTION @extschema@.reach_sketch(bytea) RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_sketch_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_sketch(bytea) IS
'Cast from bytea: the bytes become a reach_sketch only if they are a valid one (else ERROR 22P03).';
CREATE CAST (bytea AS @extschema@.reach_sketch) WITH FUNCTION @extschema@.reach_sketch(bytea);
CREATE CAST (@extschema@.reach_sketch AS bytea) WITHOUT FUNCTION;

-- aggregate support
CREATE FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, bigint)
RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_agg_trans_int8' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, bigint, integer)
RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_agg_trans_int8' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, integer)
RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_agg_trans_int4' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, integer, integer)
RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_agg_trans_int4' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, text)
RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_agg_trans_bytes' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, text, integer)
RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_agg_trans_bytes' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, bytea)
RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_agg_trans_bytes' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, bytea, integer)
RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_agg_trans_bytes' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, uuid)
RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_agg_trans_uuid' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, uuid, integer)
RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_agg_trans_uuid' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_union_trans(@extschema@.reach_sketch, @extschema@.reach_sketch)
RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_union_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_combine(@extschema@.reach_sketch, @extschema@.reach_sketch)
RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_agg_final(@extschema@.reach_sketch)
RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_agg_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_count_final(@extschema@.reach_sketch)
RETURNS bigint
AS 'MODULE_PATHNAME', 'reach_count_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, bigint) IS 'Transition function of reach_agg (not strict: the first row creates the state, NULL values are skipped).';
COMMENT ON FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, bigint, integer) IS 'Transition function of reach_agg with a precision.';
COMMENT ON FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, integer) IS 'Transition function of reach_agg; integers hash as the same bigint.';
COMMENT ON FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, integer, integer) IS 'Transition function of reach_agg with a precision; integers hash as the same bigint.';
COMMENT ON FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, text) IS 'Transition function of reach_agg over text (its bytes are hashed).';
COMMENT ON FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, text, integer) IS 'Transition function of reach_agg over text with a precision.';
COMMENT ON FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, bytea) IS 'Transition function of reach_agg over bytea.';
COMMENT ON FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, bytea, integer) IS 'Transition function of reach_agg over bytea with a precision.';
COMMENT ON FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, uuid) IS 'Transition function of reach_agg over uuid (its 16 bytes are hashed).';
COMMENT ON FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, uuid, integer) IS 'Transition function of reach_agg over uuid with a precision.';
COMMENT ON FUNCTION @extschema@.reach_union_trans(@extschema@.reach_sketch, @extschema@.reach_sketch) IS 'Transition function of reach_union_agg (NULL sketches are skipped).';
COMMENT ON FUNCTION @extschema@.reach_combine(@extschema@.reach_sketch, @extschema@.reach_sketch) IS 'Combine function of the reach aggregates (parallel query, Citus).';
COMMENT ON FUNCTION @extschema@.reach_agg_final(@extschema@.reach_sketch) IS 'Final function of reach_agg and reach_union_agg: the canonical sketch; zero rows give an empty sketch.';
COMMENT ON FUNCTION @extschema@.reach_count_final(@extschema@.reach_sketch) IS 'Final function of reach_count: the estimated number of distinct values.';

-- SSPACE, the memory a group takes: the planner sizes a hash aggregate's
-- table by it, and the executor limits the groups it admits by it, since
-- it checks its memory only when it adds a group (so a state that grows
-- after its group was admitted is not seen; sql/hashagg_memory).  At the
-- default precision a state grows to 2^14 8-bit registers after an 8-byte
-- header; on the way it passes through sparse states of 64 bytes to 8 KB,
-- which PostgreSQL's allocator keeps for reuse once freed, about as much
-- again: 2 x 16,392.
CREATE AGGREGATE @extschema@.reach_agg(bigint) (
	SFUNC = @extschema@.reach_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_agg_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.reach_agg(bigint, integer) (
	SFUNC = @extschema@.reach_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_agg_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.reach_agg(integer) (
	SFUNC = @extschema@.reach_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_agg_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.reach_agg(integer, integer) (
	SFUNC = @extschema@.reach_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_agg_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.reach_agg(text) (
	SFUNC = @extschema@.reach_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_agg_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.reach_agg(text, integer) (
	SFUNC = @extschema@.reach_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_agg_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.reach_agg(bytea) (
	SFUNC = @extschema@.reach_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_agg_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.reach_agg(bytea, integer) (
	SFUNC = @extschema@.reach_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_agg_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.reach_agg(uuid) (
	SFUNC = @extschema@.reach_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_agg_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.reach_agg(uuid, integer) (
	SFUNC = @extschema@.reach_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_agg_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.reach_union_agg(@extschema@.reach_sketch) (
	SFUNC = @extschema@.reach_union_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_agg_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.reach_count(bigint) (
	SFUNC = @extschema@.reach_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_count_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.reach_count(integer) (
	SFUNC = @extschema@.reach_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_count_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.reach_count(text) (
	SFUNC = @extschema@.reach_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_count_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.reach_count(bytea) (
	SFUNC = @extschema@.reach_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_count_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.reach_count(uuid) (
	SFUNC = @extschema@.reach_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_count_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);

COMMENT ON AGGREGATE @extschema@.reach_agg(bigint) IS 'Reach sketch of the distinct values (precision 14: 0.6 % relative standard error once dense, exact for small sets). Zero rows give an empty sketch; NULLs are skipped.';
COMMENT ON AGGREGATE @extschema@.reach_agg(bigint, integer) IS 'Reach sketch of the distinct values at the given precision (4..18: 2^precision registers once dense).';
COMMENT ON AGGREGATE @extschema@.reach_agg(integer) IS 'Reach sketch of the distinct values; integers hash as the same bigint.';
COMMENT ON AGGREGATE @extschema@.reach_agg(integer, integer) IS 'Reach sketch of the distinct values at the given precision (4..18).';
COMMENT ON AGGREGATE @extschema@.reach_agg(text) IS 'Reach sketch of the distinct text values.';
COMMENT ON AGGREGATE @extschema@.reach_agg(text, integer) IS 'Reach sketch of the distinct text values at the given precision (4..18).';
COMMENT ON AGGREGATE @extschema@.reach_agg(bytea) IS 'Reach sketch of the distinct bytea values.';
COMMENT ON AGGREGATE @extschema@.reach_agg(bytea, integer) IS 'Reach sketch of the distinct bytea values at the given precision (4..18).';
COMMENT ON AGGREGATE @extschema@.reach_agg(uuid) IS 'Reach sketch of the distinct uuid values.';
COMMENT ON AGGREGATE @extschema@.reach_agg(uuid, integer) IS 'Reach sketch of the distinct uuid values at the given precision (4..18).';
COMMENT ON AGGREGATE @extschema@.reach_union_agg(@extschema@.reach_sketch) IS 'Union of reach sketches (e.g. daily rollups into a month): the sketch of all their values. Different precisions fold to the lowest; empty sketches do not lower it.';
COMMENT ON AGGREGATE @extschema@.reach_count(bigint) IS 'Estimated number of distinct values, in one step (reach(reach_agg(x))).';
COMMENT ON AGGREGATE @extschema@.reach_count(integer) IS 'Estimated number of distinct values, in one step.';
COMMENT ON AGGREGATE @extschema@.reach_count(text) IS 'Estimated number of distinct text values, in one step.';
COMMENT ON AGGREGATE @extschema@.reach_count(bytea) IS 'Estimated number of distinct bytea values, in one step.';
COMMENT ON AGGREGATE @extschema@.reach_count(uuid) IS 'Estimated number of distinct uuid values, in one step.';

-- smallint ids (0.2): widened to bigint like integer ids, so that
-- reach_agg(smallint_col) is not ambiguous between the integer and bigint
-- aggregates
CREATE FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, smallint)
RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_agg_trans_int2' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, smallint, integer)
RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_agg_trans_int2' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, smallint) IS 'Transition function of reach_agg over smallint; integers hash as the same bigint.';
COMMENT ON FUNCTION @extschema@.reach_agg_trans(@extschema@.reach_sketch, smallint, integer) IS 'Transition function of reach_agg over smallint with a precision; integers hash as the same bigint.';
CREATE AGGREGATE @extschema@.reach_agg(smallint) (
	SFUNC = @extschema@.reach_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_agg_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.reach_agg(smallint, integer) (
	SFUNC = @extschema@.reach_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_agg_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.reach_count(smallint) (
	SFUNC = @extschema@.reach_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_count_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.reach_agg(smallint) IS 'Reach sketch of the distinct values; integers hash as the same bigint.';
COMMENT ON AGGREGATE @extschema@.reach_agg(smallint, integer) IS 'Reach sketch of the distinct values at the given precision (4..18).';
COMMENT ON AGGREGATE @extschema@.reach_count(smallint) IS 'Estimated number of distinct values, in one step.';

-- accessors
CREATE FUNCTION @extschema@.reach(@extschema@.reach_sketch) RETURNS bigint
AS 'MODULE_PATHNAME', 'reach_sketch_reach' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach(@extschema@.reach_sketch) IS
'Estimated number of distinct users in the sketch (exact in practice while it is sparse).';
CREATE FUNCTION @extschema@.reach_lower(@extschema@.reach_sketch, confidence double precision DEFAULT 0.95)
RETURNS bigint
AS 'MODULE_PATHNAME', 'reach_sketch_lower' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_lower(@extschema@.reach_sketch, double precision) IS
'Lower bound of the reach at the given two-sided confidence (default 0.95), from the estimator''s relative standard error.';
CREATE FUNCTION @extschema@.reach_upper(@extschema@.reach_sketch, confidence double precision DEFAULT 0.95)
RETURNS bigint
AS 'MODULE_PATHNAME', 'reach_sketch_upper' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_upper(@extschema@.reach_sketch, double precision) IS
'Upper bound of the reach at the given two-sided confidence (default 0.95), from the estimator''s relative standard error.';
CREATE FUNCTION @extschema@.reach_sketch_info(@extschema@.reach_sketch) RETURNS jsonb
AS 'MODULE_PATHNAME', 'reach_sketch_info' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_sketch_info(@extschema@.reach_sketch) IS
'Facts about a sketch: format version, precision, representation (sparse or dense), sparse entries, nonzero registers, bytes, relative standard error.';

-- union operator, equality and hashing (GROUP BY, DISTINCT, UNION on sketch columns)
CREATE FUNCTION @extschema@.reach_sketch_union(@extschema@.reach_sketch, @extschema@.reach_sketch)
RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_sketch_union' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_sketch_union(@extschema@.reach_sketch, @extschema@.reach_sketch) IS
'Union of two reach sketches (the || operator).';
CREATE OPERATOR @extschema@.|| (
	LEFTARG = @extschema@.reach_sketch, RIGHTARG = @extschema@.reach_sketch,
	FUNCTION = @extschema@.reach_sketch_union, COMMUTATOR = OPERATOR(@extschema@.||));
COMMENT ON OPERATOR @extschema@.|| (@extschema@.reach_sketch, @extschema@.reach_sketch) IS
'Union of two reach sketches.';

CREATE FUNCTION @extschema@.reach_sketch_eq(@extschema@.reach_sketch, @extschema@.reach_sketch)
RETURNS boolean
AS 'MODULE_PATHNAME', 'reach_sketch_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_sketch_eq(@extschema@.reach_sketch, @extschema@.reach_sketch) IS
'True when two sketches hold the same values at the same precision.';
CREATE FUNCTION @extschema@.reach_sketch_ne(@extschema@.reach_sketch, @extschema@.reach_sketch)
RETURNS boolean
AS 'MODULE_PATHNAME', 'reach_sketch_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_sketch_ne(@extschema@.reach_sketch, @extschema@.reach_sketch) IS
'True when two sketches differ.';
CREATE FUNCTION @extschema@.reach_sketch_hash(@extschema@.reach_sketch) RETURNS integer
AS 'MODULE_PATHNAME', 'reach_sketch_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_sketch_hash(@extschema@.reach_sketch) IS
'Hash of a sketch for hash joins and hash aggregation (agrees with =).';
CREATE FUNCTION @extschema@.reach_sketch_hash_extended(@extschema@.reach_sketch, bigint) RETURNS bigint
AS 'MODULE_PATHNAME', 'reach_sketch_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_sketch_hash_extended(@extschema@.reach_sketch, bigint) IS
'Seeded 64-bit hash of a sketch (hash partitioning).';

CREATE OPERATOR @extschema@.= (
	LEFTARG = @extschema@.reach_sketch, RIGHTARG = @extschema@.reach_sketch,
	FUNCTION = @extschema@.reach_sketch_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>),
	RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
COMMENT ON OPERATOR @extschema@.= (@extschema@.reach_sketch, @extschema@.reach_sketch) IS
'Sketches hold the same values at the same precision.';
CREATE OPERATOR @extschema@.<> (
	LEFTARG = @extschema@.reach_sketch, RIGHTARG = @extschema@.reach_sketch,
	FUNCTION = @extschema@.reach_sketch_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=),
	RESTRICT = neqsel, JOIN = neqjoinsel);
COMMENT ON OPERATOR @extschema@.<> (@extschema@.reach_sketch, @extschema@.reach_sketch) IS
'Sketches differ.';
CREATE OPERATOR CLASS @extschema@.reach_sketch_hash_ops
DEFAULT FOR TYPE @extschema@.reach_sketch USING hash AS
	OPERATOR 1 @extschema@.= (@extschema@.reach_sketch, @extschema@.reach_sketch),
	FUNCTION 1 @extschema@.reach_sketch_hash(@extschema@.reach_sketch),
	FUNCTION 2 @extschema@.reach_sketch_hash_extended(@extschema@.reach_sketch, bigint);

-- a total order (by canonical bytes, meaningless to an analyst) so that
-- sort-based plans work on sketch columns: count(DISTINCT s), ORDER BY
CREATE FUNCTION @extschema@.reach_sketch_cmp(@extschema@.reach_sketch, @extschema@.reach_sketch) RETURNS integer
AS 'MODULE_PATHNAME', 'reach_sketch_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_sketch_cmp(@extschema@.reach_sketch, @extschema@.reach_sketch) IS
'Btree comparison of sketches (by canonical bytes: consistent with =, otherwise meaningless).';
CREATE FUNCTION @extschema@.reach_sketch_lt(@extschema@.reach_sketch, @extschema@.reach_sketch) RETURNS boolean
AS 'MODULE_PATHNAME', 'reach_sketch_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_sketch_lt(@extschema@.reach_sketch, @extschema@.reach_sketch) IS 'Btree order of sketches.';
CREATE FUNCTION @extschema@.reach_sketch_le(@extschema@.reach_sketch, @extschema@.reach_sketch) RETURNS boolean
AS 'MODULE_PATHNAME', 'reach_sketch_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_sketch_le(@extschema@.reach_sketch, @extschema@.reach_sketch) IS 'Btree order of sketches.';
CREATE FUNCTION @extschema@.reach_sketch_gt(@extschema@.reach_sketch, @extschema@.reach_sketch) RETURNS boolean
AS 'MODULE_PATHNAME', 'reach_sketch_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_sketch_gt(@extschema@.reach_sketch, @extschema@.reach_sketch) IS 'Btree order of sketches.';
CREATE FUNCTION @extschema@.reach_sketch_ge(@extschema@.reach_sketch, @extschema@.reach_sketch) RETURNS boolean
AS 'MODULE_PATHNAME', 'reach_sketch_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_sketch_ge(@extschema@.reach_sketch, @extschema@.reach_sketch) IS 'Btree order of sketches.';
CREATE OPERATOR @extschema@.< (
	LEFTARG = @extschema@.reach_sketch, RIGHTARG = @extschema@.reach_sketch, FUNCTION = @extschema@.reach_sketch_lt,
	COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=),
	RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR @extschema@.<= (
	LEFTARG = @extschema@.reach_sketch, RIGHTARG = @extschema@.reach_sketch, FUNCTION = @extschema@.reach_sketch_le,
	COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>),
	RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR @extschema@.> (
	LEFTARG = @extschema@.reach_sketch, RIGHTARG = @extschema@.reach_sketch, FUNCTION = @extschema@.reach_sketch_gt,
	COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=),
	RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR @extschema@.>= (
	LEFTARG = @extschema@.reach_sketch, RIGHTARG = @extschema@.reach_sketch, FUNCTION = @extschema@.reach_sketch_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<),
	RESTRICT = scalargesel, JOIN = scalargejoinsel);
COMMENT ON OPERATOR @extschema@.< (@extschema@.reach_sketch, @extschema@.reach_sketch) IS 'Btree order of sketches (by canonical bytes).';
COMMENT ON OPERATOR @extschema@.<= (@extschema@.reach_sketch, @extschema@.reach_sketch) IS 'Btree order of sketches (by canonical bytes).';
COMMENT ON OPERATOR @extschema@.> (@extschema@.reach_sketch, @extschema@.reach_sketch) IS 'Btree order of sketches (by canonical bytes).';
COMMENT ON OPERATOR @extschema@.>= (@extschema@.reach_sketch, @extschema@.reach_sketch) IS 'Btree order of sketches (by canonical bytes).';
CREATE OPERATOR CLASS @extschema@.reach_sketch_btree_ops
DEFAULT FOR TYPE @extschema@.reach_sketch USING btree AS
	OPERATOR 1 @extschema@.< (@extschema@.reach_sketch, @extschema@.reach_sketch),
	OPERATOR 2 @extschema@.<= (@extschema@.reach_sketch, @extschema@.reach_sketch),
	OPERATOR 3 @extschema@.= (@extschema@.reach_sketch, @extschema@.reach_sketch),
	OPERATOR 4 @extschema@.>= (@extschema@.reach_sketch, @extschema@.reach_sketch),
	OPERATOR 5 @extschema@.> (@extschema@.reach_sketch, @extschema@.reach_sketch),
	FUNCTION 1 @extschema@.reach_sketch_cmp(@extschema@.reach_sketch, @extschema@.reach_sketch);

-- postgresql-hll interchange
CREATE FUNCTION @extschema@.reach_sketch_to_hll(@extschema@.reach_sketch) RETURNS bytea
AS 'MODULE_PATHNAME', 'reach_sketch_to_hll' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_sketch_to_hll(@extschema@.reach_sketch) IS
'The sketch in postgresql-hll''s storage format (log2m = precision up to 17, regwidth 5, or the imported width of a censored hll import): reach_sketch_to_hll(s)::hll works where that extension is installed.';
CREATE FUNCTION @extschema@.reach_sketch_from_hll(bytea) RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_sketch_from_hll' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_sketch_from_hll(bytea) IS
'A reach_sketch from a postgresql-hll value (hll::bytea): explicit hll values keep full fidelity; sparse and full ones become HyperLogLog registers (estimated with Ertl''s improved HLL estimator).';
CREATE FUNCTION @extschema@.reach_sketch_from_hll(text) RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_sketch_from_hll_text' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_sketch_from_hll(text) IS
'A reach_sketch from the text form (\x hex) of a postgresql-hll value, so reach_sketch_from_hll(h::text) works on an hll column.';

-- Sketches that combine with postgresql-hll's hll_hash_* hashes
CREATE FUNCTION @extschema@.reach_hash_agg_trans(@extschema@.reach_sketch, bigint)
RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_hash_agg_trans_hash' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_hash_agg_trans(@extschema@.reach_sketch, bigint, integer)
RETURNS @extschema@.reach_sketch
AS 'MODULE_PATHNAME', 'reach_hash_agg_trans_hash' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_hash_agg_trans(@extschema@.reach_sketch, bigint) IS 'Transition function of reach_hash_agg (not strict: NULL hashes are skipped).';
COMMENT ON FUNCTION @extschema@.reach_hash_agg_trans(@extschema@.reach_sketch, bigint, integer) IS 'Transition function of reach_hash_agg with a precision.';
CREATE AGGREGATE @extschema@.reach_hash_agg(bigint) (
	SFUNC = @extschema@.reach_hash_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_agg_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
CREATE AGGREGATE @extschema@.reach_hash_agg(bigint, integer) (
	SFUNC = @extschema@.reach_hash_agg_trans, STYPE = @extschema@.reach_sketch,
	FINALFUNC = @extschema@.reach_agg_final, COMBINEFUNC = @extschema@.reach_combine,
	SSPACE = 32784, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.reach_hash_agg(bigint) IS 'reach_sketch of 64-bit hashes given as they are, e.g. reach_hash_agg(reach_hll_hash(user_id)) to combine with postgresql-hll sketches built with hll_hash_integer.';
COMMENT ON AGGREGATE @extschema@.reach_hash_agg(bigint, integer) IS 'reach_sketch of 64-bit hashes, with a precision (4..18, default 14).';
CREATE FUNCTION @extschema@.reach_hll_hash(smallint) RETURNS bigint
AS 'MODULE_PATHNAME', 'reach_hll_hash_integer' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_hll_hash(integer) RETURNS bigint
AS 'MODULE_PATHNAME', 'reach_hll_hash_integer' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_hll_hash(bigint) RETURNS bigint
AS 'MODULE_PATHNAME', 'reach_hll_hash_integer' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_hll_hash(text) RETURNS bigint
AS 'MODULE_PATHNAME', 'reach_hll_hash_bytes' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.reach_hll_hash(bytea) RETURNS bigint
AS 'MODULE_PATHNAME', 'reach_hll_hash_bytes' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_hll_hash(smallint) IS 'postgresql-hll''s hll_hash_smallint(x) (seed 0) as bigint, for reach_hash_agg.';
COMMENT ON FUNCTION @extschema@.reach_hll_hash(integer) IS 'postgresql-hll''s hll_hash_integer(x) (seed 0) as bigint, for reach_hash_agg; not reach_agg''s hash of an integer, which widens it to bigint.';
COMMENT ON FUNCTION @extschema@.reach_hll_hash(bigint) IS 'postgresql-hll''s hll_hash_bigint(x) (seed 0) as bigint: the hash reach_agg gives a bigint.';
COMMENT ON FUNCTION @extschema@.reach_hll_hash(text) IS 'postgresql-hll''s hll_hash_text(x) (seed 0) as bigint: the hash reach_agg gives a text.';
COMMENT ON FUNCTION @extschema@.reach_hll_hash(bytea) IS 'postgresql-hll''s hll_hash_bytea(x) (seed 0) as bigint: the hash reach_agg gives a bytea.';

-------------------------------------------------------------------------------
-- frequency_sketch: reach and frequency (a bottom-k sample of users with
-- exact impression counts), mergeable across rollups
-------------------------------------------------------------------------------

CREATE TYPE @extschema@.frequency_sketch;

CREATE FUNCTION @extschema@.frequency_sketch_in(cstring) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_sketch_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.frequency_sketch_out(@extschema@.frequency_sketch) RETURNS cstring
AS 'MODULE_PATHNAME', 'frequency_sketch_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.frequency_sketch_recv(internal) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_sketch_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.frequency_sketch_send(@extschema@.frequency_sketch) RETURNS bytea
AS 'MODULE_PATHNAME', 'frequency_sketch_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.frequency_sketch (
	INPUT = @extschema@.frequency_sketch_in,
	OUTPUT = @extschema@.frequency_sketch_out,
	RECEIVE = @extschema@.frequency_sketch_recv,
	SEND = @extschema@.frequency_sketch_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = int4,
	STORAGE = extended
);
COMMENT ON TYPE @extschema@.frequency_sketch IS
'Reach-and-frequency sketch: a sample of up to k users (exact while a group has at most k) with each one''s exact impression count; build with frequency_agg, merge with frequency_union_agg or ||.';
COMMENT ON FUNCTION @extschema@.frequency_sketch_in(cstring) IS 'Text input of frequency_sketch: \x followed by the hex of its binary form; checked.';
COMMENT ON FUNCTION @extschema@.frequency_sketch_out(@extschema@.frequency_sketch) IS 'Text output of frequency_sketch: \x followed by the hex of its binary form.';
COMMENT ON FUNCTION @extschema@.frequency_sketch_recv(internal) IS 'Binary input of frequency_sketch; checked.';
COMMENT ON FUNCTION @extschema@.frequency_sketch_send(@extschema@.frequency_sketch) IS 'Binary output of frequency_sketch.';

CREATE FUNCTION @extschema@.frequency_sketch(bytea) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_sketch_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_sketch(bytea) IS
'Cast from bytea: the bytes become a frequency_sketch only if they are a valid one (else ERROR 22P03).';
CREATE CAST (bytea AS @extschema@.frequency_sketch) WITH FUNCTION @extschema@.frequency_sketch(bytea);
CREATE CAST (@extschema@.frequency_sketch AS bytea) WITHOUT FUNCTION;

CREATE FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, bigint) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_trans_int8' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, bigint) IS 'Transition function of frequency_agg over bigint (not strict: the first row creates the state; NULL users and NULL or 0 impressions are skipped).';
CREATE FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, bigint, bigint) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_trans_int8' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, bigint, bigint) IS 'Transition function of frequency_agg over bigint with a pre-aggregated impressions count (not strict: the first row creates the state; NULL users and NULL or 0 impressions are skipped).';
CREATE FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, bigint, bigint, integer) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_trans_int8' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, bigint, bigint, integer) IS 'Transition function of frequency_agg over bigint with impressions and k (not strict: the first row creates the state; NULL users and NULL or 0 impressions are skipped).';
CREATE FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, integer) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_trans_int4' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, integer) IS 'Transition function of frequency_agg over integer (not strict: the first row creates the state; NULL users and NULL or 0 impressions are skipped).';
CREATE FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, integer, bigint) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_trans_int4' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, integer, bigint) IS 'Transition function of frequency_agg over integer with a pre-aggregated impressions count (not strict: the first row creates the state; NULL users and NULL or 0 impressions are skipped).';
CREATE FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, integer, bigint, integer) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_trans_int4' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, integer, bigint, integer) IS 'Transition function of frequency_agg over integer with impressions and k (not strict: the first row creates the state; NULL users and NULL or 0 impressions are skipped).';
CREATE FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, text) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_trans_bytes' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, text) IS 'Transition function of frequency_agg over text (not strict: the first row creates the state; NULL users and NULL or 0 impressions are skipped).';
CREATE FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, text, bigint) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_trans_bytes' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, text, bigint) IS 'Transition function of frequency_agg over text with a pre-aggregated impressions count (not strict: the first row creates the state; NULL users and NULL or 0 impressions are skipped).';
CREATE FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, text, bigint, integer) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_trans_bytes' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, text, bigint, integer) IS 'Transition function of frequency_agg over text with impressions and k (not strict: the first row creates the state; NULL users and NULL or 0 impressions are skipped).';
CREATE FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, bytea) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_trans_bytes' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, bytea) IS 'Transition function of frequency_agg over bytea (not strict: the first row creates the state; NULL users and NULL or 0 impressions are skipped).';
CREATE FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, bytea, bigint) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_trans_bytes' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, bytea, bigint) IS 'Transition function of frequency_agg over bytea with a pre-aggregated impressions count (not strict: the first row creates the state; NULL users and NULL or 0 impressions are skipped).';
CREATE FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, bytea, bigint, integer) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_trans_bytes' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, bytea, bigint, integer) IS 'Transition function of frequency_agg over bytea with impressions and k (not strict: the first row creates the state; NULL users and NULL or 0 impressions are skipped).';
CREATE FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, uuid) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_trans_uuid' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, uuid) IS 'Transition function of frequency_agg over uuid (not strict: the first row creates the state; NULL users and NULL or 0 impressions are skipped).';
CREATE FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, uuid, bigint) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_trans_uuid' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, uuid, bigint) IS 'Transition function of frequency_agg over uuid with a pre-aggregated impressions count (not strict: the first row creates the state; NULL users and NULL or 0 impressions are skipped).';
CREATE FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, uuid, bigint, integer) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_trans_uuid' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, uuid, bigint, integer) IS 'Transition function of frequency_agg over uuid with impressions and k (not strict: the first row creates the state; NULL users and NULL or 0 impressions are skipped).';
CREATE FUNCTION @extschema@.frequency_union_trans(@extschema@.frequency_sketch, @extschema@.frequency_sketch) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_union_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_union_trans(@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'Transition function of frequency_union_agg (NULL sketches are skipped).';
CREATE FUNCTION @extschema@.frequency_combine(@extschema@.frequency_sketch, @extschema@.frequency_sketch) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_combine(@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'Combine function of the frequency aggregates (parallel query, Citus).';
CREATE FUNCTION @extschema@.frequency_agg_final(@extschema@.frequency_sketch) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_final(@extschema@.frequency_sketch) IS 'Final function of frequency_agg and frequency_union_agg: the canonical sketch; zero rows give an empty sketch.';

-- SSPACE (see reach_agg): what a group's state grows to at the default k =
-- 4096, a table of 8,192 16-byte slots after a 36-byte header (the smaller
-- tables left behind on the way are a small part of it).
CREATE AGGREGATE @extschema@.frequency_agg(bigint) (
	SFUNC = @extschema@.frequency_agg_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_agg(bigint) IS 'Frequency sketch of the users (bigint): one row is one impression.';
CREATE AGGREGATE @extschema@.frequency_agg(bigint, bigint) (
	SFUNC = @extschema@.frequency_agg_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_agg(bigint, bigint) IS 'Frequency sketch of the users (bigint): the second argument is the number of impressions of that row (pre-aggregated counts); NULL or 0 skips the row, negative is an error.';
CREATE AGGREGATE @extschema@.frequency_agg(bigint, bigint, integer) (
	SFUNC = @extschema@.frequency_agg_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_agg(bigint, bigint, integer) IS 'Frequency sketch of the users (bigint): with impressions, and k (16..1048576, default 4096): the sketch is exact up to k users per group.';
CREATE AGGREGATE @extschema@.frequency_agg(integer) (
	SFUNC = @extschema@.frequency_agg_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_agg(integer) IS 'Frequency sketch of the users (integer): one row is one impression.';
CREATE AGGREGATE @extschema@.frequency_agg(integer, bigint) (
	SFUNC = @extschema@.frequency_agg_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_agg(integer, bigint) IS 'Frequency sketch of the users (integer): the second argument is the number of impressions of that row (pre-aggregated counts); NULL or 0 skips the row, negative is an error.';
CREATE AGGREGATE @extschema@.frequency_agg(integer, bigint, integer) (
	SFUNC = @extschema@.frequency_agg_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_agg(integer, bigint, integer) IS 'Frequency sketch of the users (integer): with impressions, and k (16..1048576, default 4096): the sketch is exact up to k users per group.';
-- smallint ids (0.2), as for reach_agg
CREATE FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, smallint) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_trans_int2' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, smallint) IS 'Transition function of frequency_agg over smallint (not strict: the first row creates the state; NULL users and NULL or 0 impressions are skipped).';
CREATE FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, smallint, bigint) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_trans_int2' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, smallint, bigint) IS 'Transition function of frequency_agg over smallint with a pre-aggregated impressions count (not strict: the first row creates the state; NULL users and NULL or 0 impressions are skipped).';
CREATE FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, smallint, bigint, integer) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_agg_trans_int2' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_agg_trans(@extschema@.frequency_sketch, smallint, bigint, integer) IS 'Transition function of frequency_agg over smallint with impressions and k (not strict: the first row creates the state; NULL users and NULL or 0 impressions are skipped).';
CREATE AGGREGATE @extschema@.frequency_agg(smallint) (
	SFUNC = @extschema@.frequency_agg_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_agg(smallint) IS 'Frequency sketch of the users (smallint): one row is one impression.';
CREATE AGGREGATE @extschema@.frequency_agg(smallint, bigint) (
	SFUNC = @extschema@.frequency_agg_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_agg(smallint, bigint) IS 'Frequency sketch of the users (smallint): the second argument is the number of impressions of that row (pre-aggregated counts); NULL or 0 skips the row, negative is an error.';
CREATE AGGREGATE @extschema@.frequency_agg(smallint, bigint, integer) (
	SFUNC = @extschema@.frequency_agg_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_agg(smallint, bigint, integer) IS 'Frequency sketch of the users (smallint): with impressions, and k (16..1048576, default 4096): the sketch is exact up to k users per group.';
CREATE AGGREGATE @extschema@.frequency_agg(text) (
	SFUNC = @extschema@.frequency_agg_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_agg(text) IS 'Frequency sketch of the users (text): one row is one impression.';
CREATE AGGREGATE @extschema@.frequency_agg(text, bigint) (
	SFUNC = @extschema@.frequency_agg_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_agg(text, bigint) IS 'Frequency sketch of the users (text): the second argument is the number of impressions of that row (pre-aggregated counts); NULL or 0 skips the row, negative is an error.';
CREATE AGGREGATE @extschema@.frequency_agg(text, bigint, integer) (
	SFUNC = @extschema@.frequency_agg_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_agg(text, bigint, integer) IS 'Frequency sketch of the users (text): with impressions, and k (16..1048576, default 4096): the sketch is exact up to k users per group.';
CREATE AGGREGATE @extschema@.frequency_agg(bytea) (
	SFUNC = @extschema@.frequency_agg_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_agg(bytea) IS 'Frequency sketch of the users (bytea): one row is one impression.';
CREATE AGGREGATE @extschema@.frequency_agg(bytea, bigint) (
	SFUNC = @extschema@.frequency_agg_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_agg(bytea, bigint) IS 'Frequency sketch of the users (bytea): the second argument is the number of impressions of that row (pre-aggregated counts); NULL or 0 skips the row, negative is an error.';
CREATE AGGREGATE @extschema@.frequency_agg(bytea, bigint, integer) (
	SFUNC = @extschema@.frequency_agg_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_agg(bytea, bigint, integer) IS 'Frequency sketch of the users (bytea): with impressions, and k (16..1048576, default 4096): the sketch is exact up to k users per group.';
CREATE AGGREGATE @extschema@.frequency_agg(uuid) (
	SFUNC = @extschema@.frequency_agg_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_agg(uuid) IS 'Frequency sketch of the users (uuid): one row is one impression.';
CREATE AGGREGATE @extschema@.frequency_agg(uuid, bigint) (
	SFUNC = @extschema@.frequency_agg_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_agg(uuid, bigint) IS 'Frequency sketch of the users (uuid): the second argument is the number of impressions of that row (pre-aggregated counts); NULL or 0 skips the row, negative is an error.';
CREATE AGGREGATE @extschema@.frequency_agg(uuid, bigint, integer) (
	SFUNC = @extschema@.frequency_agg_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_agg(uuid, bigint, integer) IS 'Frequency sketch of the users (uuid): with impressions, and k (16..1048576, default 4096): the sketch is exact up to k users per group.';
CREATE AGGREGATE @extschema@.frequency_union_agg(@extschema@.frequency_sketch) (
	SFUNC = @extschema@.frequency_union_trans, STYPE = @extschema@.frequency_sketch,
	FINALFUNC = @extschema@.frequency_agg_final, COMBINEFUNC = @extschema@.frequency_combine,
	SSPACE = 131108, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.frequency_union_agg(@extschema@.frequency_sketch) IS 'Union of frequency sketches, summing each user''s impressions (daily rollups into a month give the sketch of the month''s events). Different k merge to the smallest; empty sketches do not lower it.';

CREATE FUNCTION @extschema@.reach(@extschema@.frequency_sketch) RETURNS bigint
AS 'MODULE_PATHNAME', 'frequency_sketch_reach' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach(@extschema@.frequency_sketch) IS 'Estimated distinct users (exact while the sketch holds at most k users).';
CREATE FUNCTION @extschema@.impressions(@extschema@.frequency_sketch) RETURNS bigint
AS 'MODULE_PATHNAME', 'frequency_sketch_impressions' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.impressions(@extschema@.frequency_sketch) IS 'Exact total of the impressions added.';
CREATE FUNCTION @extschema@.average_frequency(@extschema@.frequency_sketch) RETURNS double precision
AS 'MODULE_PATHNAME', 'frequency_sketch_average_frequency' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.average_frequency(@extschema@.frequency_sketch) IS 'Impressions per user reached (impressions / reach); NULL for an empty sketch.';
CREATE FUNCTION @extschema@.reach_at_least(@extschema@.frequency_sketch, n integer) RETURNS bigint
AS 'MODULE_PATHNAME', 'frequency_sketch_reach_at_least' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_at_least(@extschema@.frequency_sketch, integer) IS 'Estimated users who saw the ad at least n times (effective reach, e.g. n = 3).';
CREATE FUNCTION @extschema@.frequency_histogram(@extschema@.frequency_sketch, max_frequency integer DEFAULT 10)
RETURNS TABLE(frequency integer, reach bigint, reach_at_least bigint, share double precision)
AS 'MODULE_PATHNAME', 'frequency_sketch_histogram' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION @extschema@.frequency_histogram(@extschema@.frequency_sketch, integer) IS 'Frequency distribution: for frequency 1 .. max_frequency (the last row is "max_frequency or more"), the users reached that often, at least that often, and their share of the reach.';
CREATE FUNCTION @extschema@.reach_intersection(@extschema@.frequency_sketch, @extschema@.frequency_sketch) RETURNS bigint
AS 'MODULE_PATHNAME', 'frequency_sketch_intersection' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_intersection(@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'Estimated users in both audiences (overlap); 0 for disjoint audiences.';
CREATE FUNCTION @extschema@.reach_difference(@extschema@.frequency_sketch, @extschema@.frequency_sketch) RETURNS bigint
AS 'MODULE_PATHNAME', 'frequency_sketch_difference' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_difference(@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'Estimated users in the first audience and not in the second (incremental reach of the first over the second).';
CREATE FUNCTION @extschema@.frequency_sketch_info(@extschema@.frequency_sketch) RETURNS jsonb
AS 'MODULE_PATHNAME', 'frequency_sketch_info' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_sketch_info(@extschema@.frequency_sketch) IS 'Facts about a sketch: format version, k, mode (exact or sampling), users kept, theta, impressions, reach, relative standard error, bytes.';
CREATE FUNCTION @extschema@.frequency_sketch_union(@extschema@.frequency_sketch, @extschema@.frequency_sketch) RETURNS @extschema@.frequency_sketch
AS 'MODULE_PATHNAME', 'frequency_sketch_union' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_sketch_union(@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'Union of two frequency sketches (the || operator).';
CREATE OPERATOR @extschema@.|| (LEFTARG = @extschema@.frequency_sketch, RIGHTARG = @extschema@.frequency_sketch, FUNCTION = @extschema@.frequency_sketch_union, COMMUTATOR = OPERATOR(@extschema@.||));
COMMENT ON OPERATOR @extschema@.|| (@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'Union of two frequency sketches.';

CREATE FUNCTION @extschema@.frequency_sketch_eq(@extschema@.frequency_sketch, @extschema@.frequency_sketch) RETURNS boolean
AS 'MODULE_PATHNAME', 'frequency_sketch_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_sketch_eq(@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'True when two sketches hold the same users, counts and parameters.';
CREATE FUNCTION @extschema@.frequency_sketch_ne(@extschema@.frequency_sketch, @extschema@.frequency_sketch) RETURNS boolean
AS 'MODULE_PATHNAME', 'frequency_sketch_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_sketch_ne(@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'True when two sketches differ.';
CREATE FUNCTION @extschema@.frequency_sketch_lt(@extschema@.frequency_sketch, @extschema@.frequency_sketch) RETURNS boolean
AS 'MODULE_PATHNAME', 'frequency_sketch_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_sketch_lt(@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'Btree order of sketches.';
CREATE FUNCTION @extschema@.frequency_sketch_le(@extschema@.frequency_sketch, @extschema@.frequency_sketch) RETURNS boolean
AS 'MODULE_PATHNAME', 'frequency_sketch_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_sketch_le(@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'Btree order of sketches.';
CREATE FUNCTION @extschema@.frequency_sketch_gt(@extschema@.frequency_sketch, @extschema@.frequency_sketch) RETURNS boolean
AS 'MODULE_PATHNAME', 'frequency_sketch_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_sketch_gt(@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'Btree order of sketches.';
CREATE FUNCTION @extschema@.frequency_sketch_ge(@extschema@.frequency_sketch, @extschema@.frequency_sketch) RETURNS boolean
AS 'MODULE_PATHNAME', 'frequency_sketch_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_sketch_ge(@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'Btree order of sketches.';
CREATE FUNCTION @extschema@.frequency_sketch_cmp(@extschema@.frequency_sketch, @extschema@.frequency_sketch) RETURNS integer
AS 'MODULE_PATHNAME', 'frequency_sketch_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_sketch_cmp(@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'Btree comparison of sketches (by canonical bytes: consistent with =, otherwise meaningless).';
CREATE FUNCTION @extschema@.frequency_sketch_hash(@extschema@.frequency_sketch) RETURNS integer
AS 'MODULE_PATHNAME', 'frequency_sketch_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_sketch_hash(@extschema@.frequency_sketch) IS 'Hash of a sketch (agrees with =).';
CREATE FUNCTION @extschema@.frequency_sketch_hash_extended(@extschema@.frequency_sketch, bigint) RETURNS bigint
AS 'MODULE_PATHNAME', 'frequency_sketch_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.frequency_sketch_hash_extended(@extschema@.frequency_sketch, bigint) IS 'Seeded 64-bit hash of a sketch.';
CREATE OPERATOR @extschema@.= (LEFTARG = @extschema@.frequency_sketch, RIGHTARG = @extschema@.frequency_sketch, FUNCTION = @extschema@.frequency_sketch_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>), RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR @extschema@.<> (LEFTARG = @extschema@.frequency_sketch, RIGHTARG = @extschema@.frequency_sketch, FUNCTION = @extschema@.frequency_sketch_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=), RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR @extschema@.< (LEFTARG = @extschema@.frequency_sketch, RIGHTARG = @extschema@.frequency_sketch, FUNCTION = @extschema@.frequency_sketch_lt,
	COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=), RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR @extschema@.<= (LEFTARG = @extschema@.frequency_sketch, RIGHTARG = @extschema@.frequency_sketch, FUNCTION = @extschema@.frequency_sketch_le,
	COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>), RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR @extschema@.> (LEFTARG = @extschema@.frequency_sketch, RIGHTARG = @extschema@.frequency_sketch, FUNCTION = @extschema@.frequency_sketch_gt,
	COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=), RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR @extschema@.>= (LEFTARG = @extschema@.frequency_sketch, RIGHTARG = @extschema@.frequency_sketch, FUNCTION = @extschema@.frequency_sketch_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<), RESTRICT = scalargesel, JOIN = scalargejoinsel);
COMMENT ON OPERATOR @extschema@.= (@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'Sketches hold the same users, counts and parameters.';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'Sketches differ.';
COMMENT ON OPERATOR @extschema@.< (@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'Btree order of sketches (by canonical bytes).';
COMMENT ON OPERATOR @extschema@.<= (@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'Btree order of sketches (by canonical bytes).';
COMMENT ON OPERATOR @extschema@.> (@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'Btree order of sketches (by canonical bytes).';
COMMENT ON OPERATOR @extschema@.>= (@extschema@.frequency_sketch, @extschema@.frequency_sketch) IS 'Btree order of sketches (by canonical bytes).';
CREATE OPERATOR CLASS @extschema@.frequency_sketch_hash_ops DEFAULT FOR TYPE @extschema@.frequency_sketch USING hash AS
	OPERATOR 1 @extschema@.= (@extschema@.frequency_sketch, @extschema@.frequency_sketch),
	FUNCTION 1 @extschema@.frequency_sketch_hash(@extschema@.frequency_sketch),
	FUNCTION 2 @extschema@.frequency_sketch_hash_extended(@extschema@.frequency_sketch, bigint);
CREATE OPERATOR CLASS @extschema@.frequency_sketch_btree_ops DEFAULT FOR TYPE @extschema@.frequency_sketch USING btree AS
	OPERATOR 1 @extschema@.< (@extschema@.frequency_sketch, @extschema@.frequency_sketch),
	OPERATOR 2 @extschema@.<= (@extschema@.frequency_sketch, @extschema@.frequency_sketch),
	OPERATOR 3 @extschema@.= (@extschema@.frequency_sketch, @extschema@.frequency_sketch),
	OPERATOR 4 @extschema@.>= (@extschema@.frequency_sketch, @extschema@.frequency_sketch),
	OPERATOR 5 @extschema@.> (@extschema@.frequency_sketch, @extschema@.frequency_sketch),
	FUNCTION 1 @extschema@.frequency_sketch_cmp(@extschema@.frequency_sketch, @extschema@.frequency_sketch);

-- ---------------------------------------------------------------------------
-- journey and attribute(): one user's impressions, clicks and conversions,
-- and the credit each conversion gives the touches before it.
-- ---------------------------------------------------------------------------
CREATE TYPE @extschema@.journey;

CREATE FUNCTION @extschema@.journey_in(cstring) RETURNS @extschema@.journey
AS 'MODULE_PATHNAME', 'journey_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.journey_out(@extschema@.journey) RETURNS cstring
AS 'MODULE_PATHNAME', 'journey_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.journey_recv(internal) RETURNS @extschema@.journey
AS 'MODULE_PATHNAME', 'journey_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.journey_send(@extschema@.journey) RETURNS bytea
AS 'MODULE_PATHNAME', 'journey_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE @extschema@.journey (
	INPUT = @extschema@.journey_in,
	OUTPUT = @extschema@.journey_out,
	RECEIVE = @extschema@.journey_recv,
	SEND = @extschema@.journey_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = int4,
	STORAGE = extended
);
COMMENT ON TYPE @extschema@.journey IS
'One user''s time-ordered impressions, clicks and conversions (touch strings stored once); build with journey_agg(ts, kind, touch [, value]) GROUP BY user, credit conversions with attribute().';
COMMENT ON FUNCTION @extschema@.journey_in(cstring) IS 'Text input of journey: \x followed by the hex of its binary form; checked.';
COMMENT ON FUNCTION @extschema@.journey_out(@extschema@.journey) IS 'Text output of journey: \x followed by the hex of its binary form.';
COMMENT ON FUNCTION @extschema@.journey_recv(internal) IS 'Binary input of journey; checked.';
COMMENT ON FUNCTION @extschema@.journey_send(@extschema@.journey) IS 'Binary output of journey.';

CREATE FUNCTION @extschema@.journey(bytea) RETURNS @extschema@.journey
AS 'MODULE_PATHNAME', 'journey_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey(bytea) IS
'Cast from bytea: the bytes become a journey only if they are a valid one (else ERROR 22P03).';
CREATE CAST (bytea AS @extschema@.journey) WITH FUNCTION @extschema@.journey(bytea);
CREATE CAST (@extschema@.journey AS bytea) WITHOUT FUNCTION;

CREATE FUNCTION @extschema@.journey_agg_trans(@extschema@.journey, timestamptz, text, text) RETURNS @extschema@.journey
AS 'MODULE_PATHNAME', 'journey_agg_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_agg_trans(@extschema@.journey, timestamptz, text, text) IS 'Transition function of journey_agg (not strict: rows with a NULL ts or kind are skipped; an unknown kind is an error).';
CREATE FUNCTION @extschema@.journey_agg_trans(@extschema@.journey, timestamptz, text, text, double precision) RETURNS @extschema@.journey
AS 'MODULE_PATHNAME', 'journey_agg_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_agg_trans(@extschema@.journey, timestamptz, text, text, double precision) IS 'Transition function of journey_agg with a conversion value (not strict: rows with a NULL ts or kind are skipped; an unknown kind is an error).';
CREATE FUNCTION @extschema@.journey_combine(@extschema@.journey, @extschema@.journey) RETURNS @extschema@.journey
AS 'MODULE_PATHNAME', 'journey_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_combine(@extschema@.journey, @extschema@.journey) IS 'Combine function of journey_agg (parallel query, Citus).';
CREATE FUNCTION @extschema@.journey_agg_final(@extschema@.journey) RETURNS @extschema@.journey
AS 'MODULE_PATHNAME', 'journey_agg_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_agg_final(@extschema@.journey) IS 'Final function of journey_agg: the events sorted once into the canonical journey; zero rows give an empty journey.';

-- SSPACE (see reach_agg): a typical journey of about 15 events and a few
-- touches, with the room its capacities keep to grow and the smaller
-- states it left behind.
CREATE AGGREGATE @extschema@.journey_agg(ts timestamptz, kind text, touch text) (
	SFUNC = @extschema@.journey_agg_trans, STYPE = @extschema@.journey,
	FINALFUNC = @extschema@.journey_agg_final, COMBINEFUNC = @extschema@.journey_combine,
	SSPACE = 1024, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.journey_agg(timestamptz, text, text) IS 'One user''s journey (use with GROUP BY user): kind is impression, click or conversion; touch is the campaign (or creative, ...), NULL allowed. Rows with a NULL ts or kind are skipped.';
CREATE AGGREGATE @extschema@.journey_agg(ts timestamptz, kind text, touch text, value double precision) (
	SFUNC = @extschema@.journey_agg_trans, STYPE = @extschema@.journey,
	FINALFUNC = @extschema@.journey_agg_final, COMBINEFUNC = @extschema@.journey_combine,
	SSPACE = 1024, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.journey_agg(timestamptz, text, text, double precision) IS 'One user''s journey with conversion values (revenue; ignored on impressions and clicks). Rows with a NULL ts or kind are skipped.';

CREATE FUNCTION @extschema@.journey_concat(@extschema@.journey, @extschema@.journey) RETURNS @extschema@.journey
AS 'MODULE_PATHNAME', 'journey_concat' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_concat(@extschema@.journey, @extschema@.journey) IS 'The journey of both journeys'' events (the || operator): e.g. a user''s daily journeys into a month.';
CREATE OPERATOR @extschema@.|| (LEFTARG = @extschema@.journey, RIGHTARG = @extschema@.journey, FUNCTION = @extschema@.journey_concat, COMMUTATOR = OPERATOR(@extschema@.||));
COMMENT ON OPERATOR @extschema@.|| (@extschema@.journey, @extschema@.journey) IS 'The journey of both journeys'' events.';

CREATE FUNCTION @extschema@.attribute(j @extschema@.journey, model text DEFAULT 'last_touch',
	click_window interval DEFAULT '7 days', view_window interval DEFAULT '1 day',
	half_life interval DEFAULT '7 days')
RETURNS TABLE(conversion_time timestamptz, touch text, touch_kind text, touch_time timestamptz,
	credit double precision, value double precision, lag interval)
AS 'MODULE_PATHNAME', 'journey_attribute' LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 2;
COMMENT ON FUNCTION @extschema@.attribute(@extschema@.journey, text, interval, interval, interval) IS
'Attribution: for every conversion, the credit of each touch. A touch qualifies when 0 <= conversion_time - touch_time <= its window (click_window for clicks, view_window for impressions; months count 30 days); if a click qualifies only clicks share the credit (post-click), else impressions (post-impression), else one row with touch NULL (unattributed). Models: last_touch, first_touch, linear, time_decay (2^(-lag/half_life)), position_based (40/20/40). sum(credit) = conversions; value = credit x conversion value; lag = conversion_time - touch_time. A NULL journey gives no rows; a NULL model, window or half-life is an error (22004).';

CREATE FUNCTION @extschema@.journey_events(j @extschema@.journey)
RETURNS TABLE(ts timestamptz, kind text, touch text, value double precision)
AS 'MODULE_PATHNAME', 'journey_events' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 10;
COMMENT ON FUNCTION @extschema@.journey_events(@extschema@.journey) IS 'The events of a journey in its order: by time; at equal times impressions, clicks, conversions; then by touch.';
CREATE FUNCTION @extschema@.journey_info(@extschema@.journey) RETURNS jsonb
AS 'MODULE_PATHNAME', 'journey_info' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_info(@extschema@.journey) IS 'Facts about a journey: format version, representation, events, impressions, clicks, conversions, conversions with a value, distinct touches, bytes.';

CREATE FUNCTION @extschema@.journey_eq(@extschema@.journey, @extschema@.journey) RETURNS boolean
AS 'MODULE_PATHNAME', 'journey_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_eq(@extschema@.journey, @extschema@.journey) IS 'True when two journeys hold the same events.';
CREATE FUNCTION @extschema@.journey_ne(@extschema@.journey, @extschema@.journey) RETURNS boolean
AS 'MODULE_PATHNAME', 'journey_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_ne(@extschema@.journey, @extschema@.journey) IS 'True when two journeys differ.';
CREATE FUNCTION @extschema@.journey_lt(@extschema@.journey, @extschema@.journey) RETURNS boolean
AS 'MODULE_PATHNAME', 'journey_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_lt(@extschema@.journey, @extschema@.journey) IS 'Btree order of journeys.';
CREATE FUNCTION @extschema@.journey_le(@extschema@.journey, @extschema@.journey) RETURNS boolean
AS 'MODULE_PATHNAME', 'journey_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_le(@extschema@.journey, @extschema@.journey) IS 'Btree order of journeys.';
CREATE FUNCTION @extschema@.journey_gt(@extschema@.journey, @extschema@.journey) RETURNS boolean
AS 'MODULE_PATHNAME', 'journey_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_gt(@extschema@.journey, @extschema@.journey) IS 'Btree order of journeys.';
CREATE FUNCTION @extschema@.journey_ge(@extschema@.journey, @extschema@.journey) RETURNS boolean
AS 'MODULE_PATHNAME', 'journey_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_ge(@extschema@.journey, @extschema@.journey) IS 'Btree order of journeys.';
CREATE FUNCTION @extschema@.journey_cmp(@extschema@.journey, @extschema@.journey) RETURNS integer
AS 'MODULE_PATHNAME', 'journey_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_cmp(@extschema@.journey, @extschema@.journey) IS 'Btree comparison of journeys (by canonical bytes: consistent with =, otherwise meaningless).';
CREATE FUNCTION @extschema@.journey_hash(@extschema@.journey) RETURNS integer
AS 'MODULE_PATHNAME', 'journey_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_hash(@extschema@.journey) IS 'Hash of a journey (agrees with =).';
CREATE FUNCTION @extschema@.journey_hash_extended(@extschema@.journey, bigint) RETURNS bigint
AS 'MODULE_PATHNAME', 'journey_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.journey_hash_extended(@extschema@.journey, bigint) IS 'Seeded 64-bit hash of a journey.';
CREATE OPERATOR @extschema@.= (LEFTARG = @extschema@.journey, RIGHTARG = @extschema@.journey, FUNCTION = @extschema@.journey_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>), RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR @extschema@.<> (LEFTARG = @extschema@.journey, RIGHTARG = @extschema@.journey, FUNCTION = @extschema@.journey_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=), RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR @extschema@.< (LEFTARG = @extschema@.journey, RIGHTARG = @extschema@.journey, FUNCTION = @extschema@.journey_lt,
	COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=), RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR @extschema@.<= (LEFTARG = @extschema@.journey, RIGHTARG = @extschema@.journey, FUNCTION = @extschema@.journey_le,
	COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>), RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR @extschema@.> (LEFTARG = @extschema@.journey, RIGHTARG = @extschema@.journey, FUNCTION = @extschema@.journey_gt,
	COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=), RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR @extschema@.>= (LEFTARG = @extschema@.journey, RIGHTARG = @extschema@.journey, FUNCTION = @extschema@.journey_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<), RESTRICT = scalargesel, JOIN = scalargejoinsel);
COMMENT ON OPERATOR @extschema@.= (@extschema@.journey, @extschema@.journey) IS 'Journeys hold the same events.';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.journey, @extschema@.journey) IS 'Journeys differ.';
COMMENT ON OPERATOR @extschema@.< (@extschema@.journey, @extschema@.journey) IS 'Btree order of journeys (by canonical bytes).';
COMMENT ON OPERATOR @extschema@.<= (@extschema@.journey, @extschema@.journey) IS 'Btree order of journeys (by canonical bytes).';
COMMENT ON OPERATOR @extschema@.> (@extschema@.journey, @extschema@.journey) IS 'Btree order of journeys (by canonical bytes).';
COMMENT ON OPERATOR @extschema@.>= (@extschema@.journey, @extschema@.journey) IS 'Btree order of journeys (by canonical bytes).';
CREATE OPERATOR CLASS @extschema@.journey_hash_ops DEFAULT FOR TYPE @extschema@.journey USING hash AS
	OPERATOR 1 @extschema@.= (@extschema@.journey, @extschema@.journey),
	FUNCTION 1 @extschema@.journey_hash(@extschema@.journey),
	FUNCTION 2 @extschema@.journey_hash_extended(@extschema@.journey, bigint);
CREATE OPERATOR CLASS @extschema@.journey_btree_ops DEFAULT FOR TYPE @extschema@.journey USING btree AS
	OPERATOR 1 @extschema@.< (@extschema@.journey, @extschema@.journey),
	OPERATOR 2 @extschema@.<= (@extschema@.journey, @extschema@.journey),
	OPERATOR 3 @extschema@.= (@extschema@.journey, @extschema@.journey),
	OPERATOR 4 @extschema@.>= (@extschema@.journey, @extschema@.journey),
	OPERATOR 5 @extschema@.> (@extschema@.journey, @extschema@.journey),
	FUNCTION 1 @extschema@.journey_cmp(@extschema@.journey, @extschema@.journey);

-------------------------------------------------------------------------------
-- issue 20: planning and media metrics — reach curves and frequency caps from
-- a frequency_sketch, viewability and engagement ratios, and the minimum
-- audience of a shared report
-------------------------------------------------------------------------------

CREATE FUNCTION @extschema@.reach_curve(fs @extschema@.frequency_sketch, impressions double precision,
                                        model text DEFAULT 'goerg')
RETURNS double precision
AS 'MODULE_PATHNAME', 'frequency_sketch_reach_curve' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_curve(@extschema@.frequency_sketch, double precision, text) IS
'Reach curve: the people the campaign of this sketch would reach with the given impressions, by the model ''goerg'' (one-point model: rho = I R / (I - R), reach = rho I'' / (I'' + rho)) or ''gamma_poisson'' (zero-truncated negative binomial fitted to the frequency distribution, rates scaled by I'' / I). Equals reach(fs) at impressions(fs). ERROR 22023 for an empty sketch or one where everyone was seen once.';

CREATE FUNCTION @extschema@.reach_at_least_curve(fs @extschema@.frequency_sketch, impressions double precision,
                                                 k integer, model text DEFAULT 'goerg')
RETURNS double precision
AS 'MODULE_PATHNAME', 'frequency_sketch_reach_at_least_curve' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_at_least_curve(@extschema@.frequency_sketch, double precision, integer, text) IS
'Effective reach curve: the people who would see the ad at least k times with the given impressions, by the model ''goerg'' (rho (I'' / (I'' + rho))^k) or ''gamma_poisson'' (the fitted negative binomial''s P(X >= k)); k <= 1 gives reach_curve. Equals reach_at_least(fs, k) at impressions(fs) only as far as the model fits the histogram.';

CREATE FUNCTION @extschema@.reach_curve_parameters(fs @extschema@.frequency_sketch, model text DEFAULT 'goerg')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'frequency_sketch_reach_curve_parameters' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_curve_parameters(@extschema@.frequency_sketch, text) IS
'The reach-curve model fitted to the sketch, as jsonb: model, impressions and reach it was fitted to, universe (the reach the curve tends to: rho for goerg, N for gamma_poisson) and, for gamma_poisson, the shape and scale of the Gamma-distributed rate.';

CREATE FUNCTION @extschema@.capped_impressions(fs @extschema@.frequency_sketch, cap integer)
RETURNS bigint
AS 'MODULE_PATHNAME', 'frequency_sketch_capped_impressions' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.capped_impressions(@extschema@.frequency_sketch, integer) IS
'Impressions within a frequency cap: the sum over people of least(impressions, cap); impressions(fs) - excess_impressions(fs, cap). Exact while the sketch is exact.';

CREATE FUNCTION @extschema@.excess_impressions(fs @extschema@.frequency_sketch, cap integer)
RETURNS bigint
AS 'MODULE_PATHNAME', 'frequency_sketch_excess_impressions' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.excess_impressions(@extschema@.frequency_sketch, integer) IS
'Impressions above a frequency cap: the sum over people of greatest(impressions - cap, 0) (scaled from the sample when the sketch samples; exact while it is exact). capped_impressions + excess_impressions = impressions(fs).';

CREATE FUNCTION @extschema@.reach_at_most(fs @extschema@.frequency_sketch, n integer)
RETURNS bigint
AS 'MODULE_PATHNAME', 'frequency_sketch_reach_at_most' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.reach_at_most(@extschema@.frequency_sketch, integer) IS
'Estimated people who saw the ad at least once and at most n times: reach(fs) - reach_at_least(fs, n + 1).';
-- viewability (MRC: at least 50 % of the pixels in view for 1 continuous
-- second, display; 2 seconds, video) and engagement ratios, NULL-safe as ctr

CREATE FUNCTION @extschema@.vcpm(cost numeric, viewable_impressions numeric)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN viewable_impressions OPERATOR(pg_catalog.=) 0::pg_catalog.numeric THEN NULL
       ELSE cost OPERATOR(pg_catalog.*) 1000::pg_catalog.numeric OPERATOR(pg_catalog./) viewable_impressions END;
COMMENT ON FUNCTION @extschema@.vcpm(numeric, numeric) IS
'Cost per thousand viewable impressions (MRC standard: 50 % of pixels in view for 1 s, 2 s for video): cost * 1000 / viewable_impressions. NULL when viewable_impressions is 0 or NULL.';

CREATE FUNCTION @extschema@.vcpm(cost double precision, viewable_impressions double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN viewable_impressions OPERATOR(pg_catalog.=) 0::pg_catalog.float8 THEN NULL
       ELSE cost OPERATOR(pg_catalog.*) 1000::pg_catalog.float8 OPERATOR(pg_catalog./) viewable_impressions END;
COMMENT ON FUNCTION @extschema@.vcpm(double precision, double precision) IS
'Cost per thousand viewable impressions (MRC standard: 50 % of pixels in view for 1 s, 2 s for video): cost * 1000 / viewable_impressions. NULL when viewable_impressions is 0 or NULL.';

CREATE FUNCTION @extschema@.viewable_rate(viewable bigint, measurable bigint)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN measurable OPERATOR(pg_catalog.=) 0::pg_catalog.int8 THEN NULL
       ELSE viewable::pg_catalog.float8 OPERATOR(pg_catalog./) measurable::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.viewable_rate(bigint, bigint) IS
'Viewable rate: viewable / measurable impressions, as a fraction (rate_lower / rate_upper give its Wilson interval). NULL when measurable is 0 or NULL.';

CREATE FUNCTION @extschema@.viewable_rate(viewable numeric, measurable numeric)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN measurable OPERATOR(pg_catalog.=) 0::pg_catalog.numeric THEN NULL
       ELSE viewable::pg_catalog.float8 OPERATOR(pg_catalog./) measurable::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.viewable_rate(numeric, numeric) IS
'Viewable rate: viewable / measurable impressions, as a fraction (rate_lower / rate_upper give its Wilson interval). NULL when measurable is 0 or NULL.';

CREATE FUNCTION @extschema@.viewable_rate(viewable double precision, measurable double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN measurable OPERATOR(pg_catalog.=) 0::pg_catalog.float8 THEN NULL
       ELSE viewable::pg_catalog.float8 OPERATOR(pg_catalog./) measurable::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.viewable_rate(double precision, double precision) IS
'Viewable rate: viewable / measurable impressions, as a fraction (rate_lower / rate_upper give its Wilson interval). NULL when measurable is 0 or NULL.';

CREATE FUNCTION @extschema@.measurable_rate(measurable bigint, eligible bigint)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN eligible OPERATOR(pg_catalog.=) 0::pg_catalog.int8 THEN NULL
       ELSE measurable::pg_catalog.float8 OPERATOR(pg_catalog./) eligible::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.measurable_rate(bigint, bigint) IS
'Measurable rate: impressions a viewability vendor could measure / impressions eligible for measurement, as a fraction. NULL when eligible is 0 or NULL.';

CREATE FUNCTION @extschema@.measurable_rate(measurable numeric, eligible numeric)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN eligible OPERATOR(pg_catalog.=) 0::pg_catalog.numeric THEN NULL
       ELSE measurable::pg_catalog.float8 OPERATOR(pg_catalog./) eligible::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.measurable_rate(numeric, numeric) IS
'Measurable rate: impressions a viewability vendor could measure / impressions eligible for measurement, as a fraction. NULL when eligible is 0 or NULL.';

CREATE FUNCTION @extschema@.measurable_rate(measurable double precision, eligible double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN eligible OPERATOR(pg_catalog.=) 0::pg_catalog.float8 THEN NULL
       ELSE measurable::pg_catalog.float8 OPERATOR(pg_catalog./) eligible::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.measurable_rate(double precision, double precision) IS
'Measurable rate: impressions a viewability vendor could measure / impressions eligible for measurement, as a fraction. NULL when eligible is 0 or NULL.';

CREATE FUNCTION @extschema@.cost_per_engagement(cost numeric, engagements numeric)
RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN engagements OPERATOR(pg_catalog.=) 0::pg_catalog.numeric THEN NULL
       ELSE cost OPERATOR(pg_catalog./) engagements END;
COMMENT ON FUNCTION @extschema@.cost_per_engagement(numeric, numeric) IS
'Cost per engagement: cost / engagements. NULL when engagements is 0 or NULL.';

CREATE FUNCTION @extschema@.cost_per_engagement(cost double precision, engagements double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN engagements OPERATOR(pg_catalog.=) 0::pg_catalog.float8 THEN NULL
       ELSE cost OPERATOR(pg_catalog./) engagements END;
COMMENT ON FUNCTION @extschema@.cost_per_engagement(double precision, double precision) IS
'Cost per engagement: cost / engagements. NULL when engagements is 0 or NULL.';

CREATE FUNCTION @extschema@.engagement_rate_by_reach(engagements bigint, reach bigint)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN reach OPERATOR(pg_catalog.=) 0::pg_catalog.int8 THEN NULL
       ELSE engagements::pg_catalog.float8 OPERATOR(pg_catalog./) reach::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.engagement_rate_by_reach(bigint, bigint) IS
'Engagements per person reached: engagements / reach (may exceed 1: a person can engage more than once). NULL when reach is 0 or NULL.';

CREATE FUNCTION @extschema@.engagement_rate_by_reach(engagements numeric, reach numeric)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN reach OPERATOR(pg_catalog.=) 0::pg_catalog.numeric THEN NULL
       ELSE engagements::pg_catalog.float8 OPERATOR(pg_catalog./) reach::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.engagement_rate_by_reach(numeric, numeric) IS
'Engagements per person reached: engagements / reach (may exceed 1: a person can engage more than once). NULL when reach is 0 or NULL.';

CREATE FUNCTION @extschema@.engagement_rate_by_reach(engagements double precision, reach double precision)
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN reach OPERATOR(pg_catalog.=) 0::pg_catalog.float8 THEN NULL
       ELSE engagements::pg_catalog.float8 OPERATOR(pg_catalog./) reach::pg_catalog.float8 END;
COMMENT ON FUNCTION @extschema@.engagement_rate_by_reach(double precision, double precision) IS
'Engagements per person reached: engagements / reach (may exceed 1: a person can engage more than once). NULL when reach is 0 or NULL.';

-- minimum audience of a shared report (Ads Data Hub's 50 people): a row whose
-- audience is below k is left out and counted in one remainder row
CREATE FUNCTION @extschema@.below_audience_threshold(audience @extschema@.reach_sketch, k integer DEFAULT 50)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.reach(audience) OPERATOR(pg_catalog.<) k::pg_catalog.int8;
COMMENT ON FUNCTION @extschema@.below_audience_threshold(@extschema@.reach_sketch, integer) IS
'True when the sketch''s reach is below k people (default 50): a report row describing so few people must not be shared; sum its counts into a remainder row instead (README, "Privacy threshold"). NULL for a NULL sketch.';

CREATE FUNCTION @extschema@.below_audience_threshold(audience @extschema@.frequency_sketch, k integer DEFAULT 50)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN @extschema@.reach(audience) OPERATOR(pg_catalog.<) k::pg_catalog.int8;
COMMENT ON FUNCTION @extschema@.below_audience_threshold(@extschema@.frequency_sketch, integer) IS
'True when the sketch''s reach is below k people (default 50): a report row describing so few people must not be shared; sum its counts into a remainder row instead (README, "Privacy threshold"). NULL for a NULL sketch.';

CREATE FUNCTION @extschema@.reach_if_at_least(audience @extschema@.reach_sketch, k integer DEFAULT 50)
RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN @extschema@.reach(audience) OPERATOR(pg_catalog.>=) k::pg_catalog.int8
            THEN @extschema@.reach(audience) END;
COMMENT ON FUNCTION @extschema@.reach_if_at_least(@extschema@.reach_sketch, integer) IS
'The sketch''s reach when it is at least k people (default 50), else NULL (suppressed): the reach of a report''s remainder row, reach_if_at_least(reach_union_agg(audience)).';

CREATE FUNCTION @extschema@.reach_if_at_least(audience @extschema@.frequency_sketch, k integer DEFAULT 50)
RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN @extschema@.reach(audience) OPERATOR(pg_catalog.>=) k::pg_catalog.int8
            THEN @extschema@.reach(audience) END;
COMMENT ON FUNCTION @extschema@.reach_if_at_least(@extschema@.frequency_sketch, integer) IS
'The sketch''s reach when it is at least k people (default 50), else NULL (suppressed): the reach of a report''s remainder row, reach_if_at_least(frequency_union_agg(audience)).';
-- ---------------------------------------------------------------------------
-- Issue 19: engaged views, and Markov removal-effect attribution.
-- ---------------------------------------------------------------------------

-- attribute() gains engaged_window.  A second attribute() with every
-- argument defaulted would make attribute(j) ambiguous, and dropping 0.1's
-- would fail (or take users' views with it); so 0.1's function is renamed:
-- views built on it keep working (they hold its oid) and give the same
-- rows, and the name attribute() is the new signature's.
ALTER FUNCTION @extschema@.attribute(@extschema@.journey, text, interval, interval, interval)
	RENAME TO attribute_0_1;
COMMENT ON FUNCTION @extschema@.attribute_0_1(@extschema@.journey, text, interval, interval, interval) IS
'0.1''s attribute(j, model, click_window, view_window, half_life), kept so that views created under 0.1 keep working: attribute() with engaged_window ''1 day''. Call attribute() instead.';
CREATE FUNCTION @extschema@.attribute(j @extschema@.journey, model text DEFAULT 'last_touch',
	click_window interval DEFAULT '7 days', view_window interval DEFAULT '1 day',
	half_life interval DEFAULT '7 days', engaged_window interval DEFAULT '1 day')
RETURNS TABLE(conversion_time timestamptz, touch text, touch_kind text, touch_time timestamptz,
	credit double precision, value double precision, lag interval)
AS 'MODULE_PATHNAME', 'journey_attribute' LANGUAGE C IMMUTABLE PARALLEL SAFE ROWS 2;
COMMENT ON FUNCTION @extschema@.attribute(@extschema@.journey, text, interval, interval, interval, interval) IS
'Attribution: for every conversion, the credit of each touch. A touch qualifies when 0 <= conversion_time - touch_time <= its window (click_window for clicks, engaged_window for engaged views, view_window for impressions; months count 30 days); if a click qualifies only clicks share the credit (post-click), else engaged views (post-engagement), else impressions (post-impression), else one row with touch NULL (unattributed). Models: last_touch, first_touch, linear, time_decay (2^(-lag/half_life)), position_based (40/20/40). sum(credit) = conversions; value = credit x conversion value; lag = conversion_time - touch_time. A NULL journey gives no rows; a NULL model, window or half-life is an error (22004).';
COMMENT ON AGGREGATE @extschema@.journey_agg(timestamptz, text, text) IS 'One user''s journey (use with GROUP BY user): kind is impression, engaged_view, click or conversion; touch is the campaign (or creative, ...), NULL allowed. Rows with a NULL ts or kind are skipped.';
COMMENT ON AGGREGATE @extschema@.journey_agg(timestamptz, text, text, double precision) IS 'One user''s journey with conversion values (revenue; ignored on impressions, engaged views and clicks). Rows with a NULL ts or kind are skipped.';
COMMENT ON FUNCTION @extschema@.journey_events(@extschema@.journey) IS 'The events of a journey in its order: by time; at equal times impressions, engaged views, clicks, conversions; then by touch.';
COMMENT ON FUNCTION @extschema@.journey_info(@extschema@.journey) IS 'Facts about a journey: format version, representation, events, impressions, engaged views, clicks, conversions, conversions with a value, distinct touches, bytes.';
COMMENT ON TYPE @extschema@.journey IS
'One user''s time-ordered impressions, engaged views, clicks and conversions (touch strings stored once); build with journey_agg(ts, kind, touch [, value]) GROUP BY user, credit conversions with attribute() or markov_agg().';

-- markov_chain: first-order transition counts between start, the channels,
-- conversion and null, built from journeys by markov_agg; credit by
-- removal effect with markov_attribution().
CREATE TYPE @extschema@.markov_chain;
CREATE FUNCTION @extschema@.markov_chain_in(cstring) RETURNS @extschema@.markov_chain
AS 'MODULE_PATHNAME', 'markov_chain_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.markov_chain_out(@extschema@.markov_chain) RETURNS cstring
AS 'MODULE_PATHNAME', 'markov_chain_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.markov_chain_recv(internal) RETURNS @extschema@.markov_chain
AS 'MODULE_PATHNAME', 'markov_chain_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION @extschema@.markov_chain_send(@extschema@.markov_chain) RETURNS bytea
AS 'MODULE_PATHNAME', 'markov_chain_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE @extschema@.markov_chain (
	INPUT = @extschema@.markov_chain_in,
	OUTPUT = @extschema@.markov_chain_out,
	RECEIVE = @extschema@.markov_chain_recv,
	SEND = @extschema@.markov_chain_send,
	INTERNALLENGTH = VARIABLE,
	ALIGNMENT = int4,
	STORAGE = extended
);
COMMENT ON TYPE @extschema@.markov_chain IS
'First-order transition counts between start, the channels (touch strings), conversion and null, from the paths of journeys (markov_agg), and the total conversion value; mergeable with ||. Credit by removal effect: markov_attribution().';
COMMENT ON FUNCTION @extschema@.markov_chain_in(cstring) IS 'Text input of markov_chain: \x followed by the hex of its binary form; checked.';
COMMENT ON FUNCTION @extschema@.markov_chain_out(@extschema@.markov_chain) IS 'Text output of markov_chain: \x followed by the hex of its binary form.';
COMMENT ON FUNCTION @extschema@.markov_chain_recv(internal) IS 'Binary input of markov_chain; checked.';
COMMENT ON FUNCTION @extschema@.markov_chain_send(@extschema@.markov_chain) IS 'Binary output of markov_chain.';
CREATE FUNCTION @extschema@.markov_chain(bytea) RETURNS @extschema@.markov_chain
AS 'MODULE_PATHNAME', 'markov_chain_from_bytea' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.markov_chain(bytea) IS
'Cast from bytea: the bytes become a markov_chain only if they are a valid one (else ERROR 22P03).';
CREATE CAST (bytea AS @extschema@.markov_chain) WITH FUNCTION @extschema@.markov_chain(bytea);
CREATE CAST (@extschema@.markov_chain AS bytea) WITHOUT FUNCTION;

CREATE FUNCTION @extschema@.markov_agg_trans(@extschema@.markov_chain, @extschema@.journey) RETURNS @extschema@.markov_chain
AS 'MODULE_PATHNAME', 'markov_agg_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.markov_agg_trans(@extschema@.markov_chain, @extschema@.journey) IS 'Transition function of markov_agg (not strict: a NULL journey is skipped).';
CREATE FUNCTION @extschema@.markov_agg_trans(@extschema@.markov_chain, @extschema@.journey, interval) RETURNS @extschema@.markov_chain
AS 'MODULE_PATHNAME', 'markov_agg_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.markov_agg_trans(@extschema@.markov_chain, @extschema@.journey, interval) IS 'Transition function of markov_agg with a lookback (not strict: a NULL journey is skipped; a NULL or negative lookback is an error).';
CREATE FUNCTION @extschema@.markov_combine(@extschema@.markov_chain, @extschema@.markov_chain) RETURNS @extschema@.markov_chain
AS 'MODULE_PATHNAME', 'markov_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.markov_combine(@extschema@.markov_chain, @extschema@.markov_chain) IS 'Combine function of markov_agg (parallel query, Citus).';
CREATE FUNCTION @extschema@.markov_agg_final(@extschema@.markov_chain) RETURNS @extschema@.markov_chain
AS 'MODULE_PATHNAME', 'markov_agg_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.markov_agg_final(@extschema@.markov_chain) IS 'Final function of markov_agg: the canonical markov_chain; zero rows give an empty one.';
CREATE AGGREGATE @extschema@.markov_agg(j @extschema@.journey) (
	SFUNC = @extschema@.markov_agg_trans, STYPE = @extschema@.markov_chain,
	FINALFUNC = @extschema@.markov_agg_final, COMBINEFUNC = @extschema@.markov_combine,
	SSPACE = 4096, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.markov_agg(@extschema@.journey) IS 'Transition counts of the journeys'' paths (split at conversions, touches within 30 days before each conversion), for markov_attribution().';
CREATE AGGREGATE @extschema@.markov_agg(j @extschema@.journey, lookback interval) (
	SFUNC = @extschema@.markov_agg_trans, STYPE = @extschema@.markov_chain,
	FINALFUNC = @extschema@.markov_agg_final, COMBINEFUNC = @extschema@.markov_combine,
	SSPACE = 4096, PARALLEL = SAFE);
COMMENT ON AGGREGATE @extschema@.markov_agg(@extschema@.journey, interval) IS 'Transition counts of the journeys'' paths, keeping the touches within lookback before each conversion (or before a non-converting path''s last touch).';
CREATE FUNCTION @extschema@.markov_chain_concat(@extschema@.markov_chain, @extschema@.markov_chain) RETURNS @extschema@.markov_chain
AS 'MODULE_PATHNAME', 'markov_chain_concat' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.markov_chain_concat(@extschema@.markov_chain, @extschema@.markov_chain) IS 'The counts of both chains added (the || operator): e.g. daily chains into a month.';
CREATE OPERATOR @extschema@.|| (LEFTARG = @extschema@.markov_chain, RIGHTARG = @extschema@.markov_chain, FUNCTION = @extschema@.markov_chain_concat, COMMUTATOR = OPERATOR(@extschema@.||));
COMMENT ON OPERATOR @extschema@.|| (@extschema@.markov_chain, @extschema@.markov_chain) IS 'The counts of both chains added.';

CREATE FUNCTION @extschema@.markov_attribution(m @extschema@.markov_chain)
RETURNS TABLE(touch text, removal_effect double precision, conversions double precision, value double precision)
AS 'MODULE_PATHNAME', 'markov_attribution' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 20;
COMMENT ON FUNCTION @extschema@.markov_attribution(@extschema@.markov_chain) IS
'Markov removal-effect attribution, first order, solved exactly: P = probability of conversion from start; removing a channel sends every transition into it to null; removal_effect = 1 - P(without it) / P; conversions and value share the converting paths and the total value in proportion to the removal effects. P = 0 or no effect: zero credit. One row a channel, in bytewise order.';
CREATE FUNCTION @extschema@.markov_transitions(m @extschema@.markov_chain)
RETURNS TABLE(from_state text, to_state text, transitions bigint)
AS 'MODULE_PATHNAME', 'markov_transitions' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE ROWS 50;
COMMENT ON FUNCTION @extschema@.markov_transitions(@extschema@.markov_chain) IS 'The transition counts of a chain; start, conversion and null are named (start), (conversion) and (null).';
CREATE FUNCTION @extschema@.markov_chain_info(@extschema@.markov_chain) RETURNS jsonb
AS 'MODULE_PATHNAME', 'markov_chain_info' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.markov_chain_info(@extschema@.markov_chain) IS 'Facts about a markov_chain: channels, transitions (distinct), paths, converting paths, total conversion value, bytes.';
CREATE FUNCTION @extschema@.markov_chain_eq(@extschema@.markov_chain, @extschema@.markov_chain) RETURNS boolean
AS 'MODULE_PATHNAME', 'markov_chain_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.markov_chain_eq(@extschema@.markov_chain, @extschema@.markov_chain) IS 'True when two markov chains hold the same counts and value.';
CREATE FUNCTION @extschema@.markov_chain_ne(@extschema@.markov_chain, @extschema@.markov_chain) RETURNS boolean
AS 'MODULE_PATHNAME', 'markov_chain_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.markov_chain_ne(@extschema@.markov_chain, @extschema@.markov_chain) IS 'True when two markov chains differ.';
CREATE FUNCTION @extschema@.markov_chain_lt(@extschema@.markov_chain, @extschema@.markov_chain) RETURNS boolean
AS 'MODULE_PATHNAME', 'markov_chain_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.markov_chain_lt(@extschema@.markov_chain, @extschema@.markov_chain) IS 'Btree order of markov chains.';
CREATE FUNCTION @extschema@.markov_chain_le(@extschema@.markov_chain, @extschema@.markov_chain) RETURNS boolean
AS 'MODULE_PATHNAME', 'markov_chain_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.markov_chain_le(@extschema@.markov_chain, @extschema@.markov_chain) IS 'Btree order of markov chains.';
CREATE FUNCTION @extschema@.markov_chain_gt(@extschema@.markov_chain, @extschema@.markov_chain) RETURNS boolean
AS 'MODULE_PATHNAME', 'markov_chain_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.markov_chain_gt(@extschema@.markov_chain, @extschema@.markov_chain) IS 'Btree order of markov chains.';
CREATE FUNCTION @extschema@.markov_chain_ge(@extschema@.markov_chain, @extschema@.markov_chain) RETURNS boolean
AS 'MODULE_PATHNAME', 'markov_chain_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.markov_chain_ge(@extschema@.markov_chain, @extschema@.markov_chain) IS 'Btree order of markov chains.';
CREATE FUNCTION @extschema@.markov_chain_cmp(@extschema@.markov_chain, @extschema@.markov_chain) RETURNS integer
AS 'MODULE_PATHNAME', 'markov_chain_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.markov_chain_cmp(@extschema@.markov_chain, @extschema@.markov_chain) IS 'Btree comparison of markov chains (by canonical bytes: consistent with =, otherwise meaningless).';
CREATE FUNCTION @extschema@.markov_chain_hash(@extschema@.markov_chain) RETURNS integer
AS 'MODULE_PATHNAME', 'markov_chain_hash' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.markov_chain_hash(@extschema@.markov_chain) IS 'Hash of a markov_chain (agrees with =).';
CREATE FUNCTION @extschema@.markov_chain_hash_extended(@extschema@.markov_chain, bigint) RETURNS bigint
AS 'MODULE_PATHNAME', 'markov_chain_hash_extended' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@.markov_chain_hash_extended(@extschema@.markov_chain, bigint) IS 'Seeded 64-bit hash of a markov_chain.';
CREATE OPERATOR @extschema@.= (LEFTARG = @extschema@.markov_chain, RIGHTARG = @extschema@.markov_chain, FUNCTION = @extschema@.markov_chain_eq,
	COMMUTATOR = OPERATOR(@extschema@.=), NEGATOR = OPERATOR(@extschema@.<>), RESTRICT = eqsel, JOIN = eqjoinsel, HASHES, MERGES);
CREATE OPERATOR @extschema@.<> (LEFTARG = @extschema@.markov_chain, RIGHTARG = @extschema@.markov_chain, FUNCTION = @extschema@.markov_chain_ne,
	COMMUTATOR = OPERATOR(@extschema@.<>), NEGATOR = OPERATOR(@extschema@.=), RESTRICT = neqsel, JOIN = neqjoinsel);
CREATE OPERATOR @extschema@.< (LEFTARG = @extschema@.markov_chain, RIGHTARG = @extschema@.markov_chain, FUNCTION = @extschema@.markov_chain_lt,
	COMMUTATOR = OPERATOR(@extschema@.>), NEGATOR = OPERATOR(@extschema@.>=), RESTRICT = scalarltsel, JOIN = scalarltjoinsel);
CREATE OPERATOR @extschema@.<= (LEFTARG = @extschema@.markov_chain, RIGHTARG = @extschema@.markov_chain, FUNCTION = @extschema@.markov_chain_le,
	COMMUTATOR = OPERATOR(@extschema@.>=), NEGATOR = OPERATOR(@extschema@.>), RESTRICT = scalarlesel, JOIN = scalarlejoinsel);
CREATE OPERATOR @extschema@.> (LEFTARG = @extschema@.markov_chain, RIGHTARG = @extschema@.markov_chain, FUNCTION = @extschema@.markov_chain_gt,
	COMMUTATOR = OPERATOR(@extschema@.<), NEGATOR = OPERATOR(@extschema@.<=), RESTRICT = scalargtsel, JOIN = scalargtjoinsel);
CREATE OPERATOR @extschema@.>= (LEFTARG = @extschema@.markov_chain, RIGHTARG = @extschema@.markov_chain, FUNCTION = @extschema@.markov_chain_ge,
	COMMUTATOR = OPERATOR(@extschema@.<=), NEGATOR = OPERATOR(@extschema@.<), RESTRICT = scalargesel, JOIN = scalargejoinsel);
COMMENT ON OPERATOR @extschema@.= (@extschema@.markov_chain, @extschema@.markov_chain) IS 'Markov chains hold the same counts.';
COMMENT ON OPERATOR @extschema@.<> (@extschema@.markov_chain, @extschema@.markov_chain) IS 'Markov chains differ.';
COMMENT ON OPERATOR @extschema@.< (@extschema@.markov_chain, @extschema@.markov_chain) IS 'Btree order of markov chains (by canonical bytes).';
COMMENT ON OPERATOR @extschema@.<= (@extschema@.markov_chain, @extschema@.markov_chain) IS 'Btree order of markov chains (by canonical bytes).';
COMMENT ON OPERATOR @extschema@.> (@extschema@.markov_chain, @extschema@.markov_chain) IS 'Btree order of markov chains (by canonical bytes).';
COMMENT ON OPERATOR @extschema@.>= (@extschema@.markov_chain, @extschema@.markov_chain) IS 'Btree order of markov chains (by canonical bytes).';
CREATE OPERATOR CLASS @extschema@.markov_chain_hash_ops DEFAULT FOR TYPE @extschema@.markov_chain USING hash AS
	OPERATOR 1 @extschema@.= (@extschema@.markov_chain, @extschema@.markov_chain),
	FUNCTION 1 @extschema@.markov_chain_hash(@extschema@.markov_chain),
	FUNCTION 2 @extschema@.markov_chain_hash_extended(@extschema@.markov_chain, bigint);
CREATE OPERATOR CLASS @extschema@.markov_chain_btree_ops DEFAULT FOR TYPE @extschema@.markov_chain USING btree AS
	OPERATOR 1 @extschema@.< (@extschema@.markov_chain, @extschema@.markov_chain),
	OPERATOR 2 @extschema@.<= (@extschema@.markov_chain, @extschema@.markov_chain),
	OPERATOR 3 @extschema@.= (@extschema@.markov_chain, @extschema@.markov_chain),
	OPERATOR 4 @extschema@.>= (@extschema@.markov_chain, @extschema@.markov_chain),
	OPERATOR 5 @extschema@.> (@extschema@.markov_chain, @extschema@.markov_chain),
	FUNCTION 1 @extschema@.markov_chain_cmp(@extschema@.markov_chain, @extschema@.markov_chain);
