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
