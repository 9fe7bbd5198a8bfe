/* impression_ext--0.1--0.2.sql — upgrade script from 0.1 to 0.2 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION impression_ext UPDATE TO '0.2'" to load this file. \quit

/*
 * Every change that 0.2 makes to the extension's SQL objects lands here in
 * the same commit as in impression_ext--0.2.sql, so that 0.1 + this script
 * and a fresh 0.2 install have the same catalog (test/upgrade.sh compares
 * them object by object).  Stored values of 0.1 are read by 0.2 unchanged:
 * the stored formats are the same; only the aggregate working states of
 * frequency_sketch and journey have new, keyed representations, and 0.1's
 * are still read (docs/FORMAT.md).
 */

-- the library's version changes with the library, not only with the
-- arguments: STABLE, not IMMUTABLE (a plan must not fold it)
ALTER FUNCTION @extschema@.impression_ext_version() STABLE;

-- attribute() with a NULL argument: no longer STRICT, so a NULL window,
-- model or half-life is an ERROR instead of silently no rows; a NULL
-- journey still gives no rows
ALTER FUNCTION @extschema@.attribute(@extschema@.journey, text, interval, interval, interval) CALLED ON NULL INPUT;
COMMENT ON FUNCTION @extschema@.attribute(@extschema@.journey, text, interval, interval, interval) IS
'Attribution: for every conversion, the credit of each touch. A touch qualifies when 0 <= conversion_time - touch_time <= its window (click_window for clicks, view_window for impressions; months count 30 days); if a click qualifies only clicks share the credit (post-click), else impressions (post-impression), else one row with touch NULL (unattributed). Models: last_touch, first_touch, linear, time_decay (2^(-lag/half_life)), position_based (40/20/40). sum(credit) = conversions; value = credit x conversion value; lag = conversion_time - touch_time. A NULL journey gives no rows; a NULL model, window or half-life is an error (22004).';

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

-- Declared state sizes (SSPACE): 0.1 left the frequency and journey
-- aggregates at the planner's guess for a varlena, and declared the reach
-- aggregates' final registers only, not the smaller states their growth
-- leaves in the aggregate context.  PostgreSQL limits the groups a hash
-- aggregate admits by this size and checks its memory only when it adds a
-- group, so states that grew after their group was admitted went far past
-- work_mem (see the install script).  CREATE
-- AGGREGATE's SSPACE has no ALTER AGGREGATE form, and dropping the
-- aggregates would drop every view and rollup built on them, so the
-- catalog is updated in place (the script runs as the bootstrap
-- superuser; test/upgrade.sh checks that the result equals a fresh
-- install's).
UPDATE pg_catalog.pg_aggregate SET aggtransspace = 32784
WHERE aggfnoid IN (SELECT p.oid FROM pg_catalog.pg_proc p
				   WHERE p.pronamespace = '@extschema@'::regnamespace
					 AND p.proname IN ('reach_agg', 'reach_union_agg', 'reach_count')
					 AND p.prokind = 'a');
UPDATE pg_catalog.pg_aggregate SET aggtransspace = 131108
WHERE aggfnoid IN (SELECT p.oid FROM pg_catalog.pg_proc p
				   WHERE p.pronamespace = '@extschema@'::regnamespace
					 AND p.proname IN ('frequency_agg', 'frequency_union_agg')
					 AND p.prokind = 'a');
UPDATE pg_catalog.pg_aggregate SET aggtransspace = 1024
WHERE aggfnoid IN (SELECT p.oid FROM pg_catalog.pg_proc p
				   WHERE p.pronamespace = '@extschema@'::regnamespace
					 AND p.proname = 'journey_agg'
					 AND p.prokind = 'a');

-- postgresql-hll: the export of a censored import keeps its register
-- width; reach_hash_agg and reach_hll_hash build sketches that combine
-- with hll's hll_hash_integer / hll_hash_smallint ones
COMMENT ON FUNCTION @extschema@.reach_sketch_to_hll(@extschema@.reach_sketch) IS
'The sketch in postgresql-hll''s storage format (log2m = precision up to 17, regwidth 5, or the imported width of a censored hll import): reach_sketch_to_hll(s)::hll works where that extension is installed.';

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
