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
