-- requires: hll
-- Interchange with the real postgresql-hll (Debian's postgresql-15-hll).
CREATE EXTENSION hll;

-- the hash is postgresql-hll's: a version-1 sparse value (docs/FORMAT.md: the
-- header 01 0e 01 00, the count, then the sorted little-endian tokens
-- (low 26 bits of the hash) << 6 | (1 + trailing zeros of the rest)) is built
-- here in plain SQL from hll's own hash, and equals (read as version 1,
-- converted) the sketch reach_agg builds from the same values
WITH h AS (
	SELECT x, hll_hash_bigint(x)::text::bigint AS hash FROM generate_series(1, 50) x
), expected AS (
	SELECT ((hash & 67108863) << 6)
	       | position('1' IN reverse(((hash >> 26) & 274877906943)::bit(38)::text)) AS token
	FROM h
), le AS (
	SELECT token, lpad(to_hex(token & 255), 2, '0') || lpad(to_hex((token >> 8) & 255), 2, '0')
	       || lpad(to_hex((token >> 16) & 255), 2, '0') || lpad(to_hex((token >> 24) & 255), 2, '0') AS hex
	FROM expected
)
SELECT count(*) AS tokens,
       decode('010e010032000000' || string_agg(hex, '' ORDER BY token), 'hex')::reach_sketch
       = (SELECT reach_agg(x) FROM generate_series(1, 50) x) AS same_tokens
FROM le;
-- text hashes are hll_hash_text's (same check through the estimate being exact
-- and the export matching hll's own aggregate register for register)
SELECT hll_cardinality(reach_sketch_to_hll(reach_agg('user' || x))::hll)
     = hll_cardinality(hll_add_agg(hll_hash_text('user' || x), 14, 5, 0, 1)) AS text_same_cardinality
FROM generate_series(1, 100000) x;

-- export: postgresql-hll reads our sketch and estimates what it estimates for
-- its own aggregate of the same values at log2m 14, regwidth 5, because the
-- registers are identical: the bytes after the 3-byte header are equal to
-- hll's with expthresh 0 (no explicit mode), and all bytes are equal to hll's
-- default (auto) settings once hll itself is past its explicit mode
SELECT n,
       substr(reach_sketch_to_hll(reach_agg(x))::hll::text, 9)
     = substr(hll_add_agg(hll_hash_bigint(x), 14, 5, 0, 1)::text, 9) AS same_registers,
       hll_cardinality(reach_sketch_to_hll(reach_agg(x))::hll)
     = hll_cardinality(hll_add_agg(hll_hash_bigint(x), 14, 5, 0, 1)) AS same_cardinality,
       round(hll_cardinality(reach_sketch_to_hll(reach_agg(x))::hll)) AS hll_says
FROM (SELECT n, x FROM unnest(ARRAY[1, 100, 3000, 100000]) n, generate_series(1, n) x) s
GROUP BY n ORDER BY n;
SELECT reach_sketch_to_hll(reach_agg(x))::hll = hll_add_agg(hll_hash_bigint(x), 14, 5, -1, 1) AS same_bytes
FROM generate_series(1, 100000) x;
SELECT hll_cardinality(reach_sketch_to_hll(reach_agg(x))::hll) AS empty FROM generate_series(1, 10) x WHERE false;

-- import: an explicit hll (full hashes) keeps full fidelity; sparse and full
-- ones become HyperLogLog registers (hll_only)
SELECT reach(reach_sketch_from_hll(hll_add_agg(hll_hash_bigint(x))::text)) AS explicit_100,
       reach_sketch_info(reach_sketch_from_hll(hll_add_agg(hll_hash_bigint(x))::text))->>'hll_only' AS hll_only
FROM generate_series(1, 100) x;
-- (hll's default log2m is 11, so the import has precision 11)
SELECT reach_sketch_from_hll(hll_add_agg(hll_hash_bigint(x))::text) = reach_agg(x, 11) AS explicit_equals_native
FROM generate_series(1, 100) x;
-- full hll registers carry no ULL history: the import is estimated with
-- Ertl's improved HLL estimator, not hll's own raw estimator, so the two
-- estimates differ slightly (here 199637 vs 199610)
SELECT reach_sketch_info(s)->>'hll_only' AS hll_only, reach_sketch_info(s)->>'precision' AS precision,
       abs(reach(s) / h - 1) < 0.005 AS close_to_hll_estimate
FROM (SELECT reach_sketch_from_hll(hll_add_agg(hll_hash_bigint(x), 14, 5, 0, 1)::text) AS s,
             hll_cardinality(hll_add_agg(hll_hash_bigint(x), 14, 5, 0, 1)) AS h
      FROM generate_series(1, 200000) x) t;
-- an imported hll unioned with a native sketch of overlapping values counts
-- each value once: hll has 1..60000, the native sketch 30001..100000, the
-- union is within 3 standard errors (HLL at log2m 14: 1.04/128 = 0.81 %) of 100000
SELECT abs(reach(u) - 100000) < 3 * 0.0081 * 100000 AS no_double_counting,
       reach_sketch_info(u)->>'hll_only' AS hll_only,
       reach(u) = reach(reach_sketch_from_hll(hll_add_agg(hll_hash_bigint(x), 14, 5, 0, 1)::text)) AS same_as_all_in_hll
FROM (SELECT reach_sketch_from_hll(hll_add_agg(hll_hash_bigint(x), 14, 5, 0, 1) FILTER (WHERE x <= 60000)::text)
             || reach_agg(x) FILTER (WHERE x > 30000) AS u
      FROM generate_series(1, 100000) x) t, generate_series(1, 100000) x
GROUP BY u;
-- bad hll bytes
SELECT reach_sketch_from_hll('\x'::bytea);
SELECT reach_sketch_from_hll('\x01'::bytea);
SELECT reach_sketch_from_hll('\x148b7f0000'::bytea);
SELECT reach_sketch_from_hll('not hex');
-- the empty string and the empty bytea hash to 0, which postgresql-hll's
-- registers ignore (no bit to count): ours do too, so the export's
-- registers are hll's bit for bit (header aside, as above), sparse and
-- dense; an exact (sparse) sketch still counts it
SELECT substr(reach_sketch_to_hll(reach_agg(x))::hll::text, 9)
     = substr(hll_add_agg(hll_hash_text(x), 14, 5, 0, 1)::text, 9) AS sparse_same,
       reach(reach_agg(x)) AS exact_reach,
       round(hll_cardinality(hll_add_agg(hll_hash_text(x), 14, 5, 0, 1))) AS hll_registers_say
FROM (VALUES (''), ('a'), ('b')) t(x);
SELECT reach_sketch_to_hll(reach_agg(x))::hll = hll_add_agg(hll_hash_text(x), 14, 5, -1, 1) AS dense_same_bytes
FROM (SELECT '' AS x UNION ALL SELECT 'u' || g FROM generate_series(1, 50000) g) t;
SELECT substr(reach_sketch_to_hll(reach_agg(x))::hll::text, 9)
     = substr(hll_add_agg(hll_hash_bytea(x), 14, 5, 0, 1)::text, 9) AS bytea_same
FROM (VALUES (''::bytea), ('\x01'::bytea), ('\x0203'::bytea)) t(x);
-- reach_hll_hash(x) is hll_hash_<type>(x) for every type both hash; an
-- integer's differs from reach_agg's (hll hashes its 4 bytes, we widen it)
SELECT bool_and(reach_hll_hash(x::smallint) = hll_hash_smallint(x::smallint)::text::bigint) AS smallint_same,
       bool_and(reach_hll_hash(x) = hll_hash_integer(x)::text::bigint) AS integer_same,
       bool_and(reach_hll_hash(x * 2654435761) = hll_hash_bigint(x * 2654435761)::text::bigint) AS bigint_same,
       bool_and(reach_hll_hash('u' || x) = hll_hash_text('u' || x)::text::bigint) AS text_same,
       bool_and(reach_hll_hash(('u' || x)::bytea) = hll_hash_bytea(('u' || x)::bytea)::text::bigint) AS bytea_same,
       bool_and(reach_hll_hash(x) <> reach_hll_hash(x::bigint)) AS integer_differs_from_bigint
FROM generate_series(-32768, 32767) x;
SELECT reach_hll_hash(''::text) = hll_hash_text('')::text::bigint AS empty_text_same,
       reach_hll_hash(''::bytea) = hll_hash_bytea('')::text::bigint AS empty_bytea_same;
-- reach_hash_agg of those hashes is hll's own sketch of hll_hash_integer
-- (dense: bytes equal; sparse: registers equal), and it unions with an
-- imported hll column: an hll of 1..30000 and ours of 30001..60000 give
-- the import of hll's sketch of all 60,000
SELECT reach_sketch_to_hll(reach_hash_agg(reach_hll_hash(x)))::hll
     = hll_add_agg(hll_hash_integer(x), 14, 5, -1, 1) AS integer_dense_same_bytes
FROM generate_series(1, 50000) x;
SELECT substr(reach_sketch_to_hll(reach_hash_agg(reach_hll_hash(x::smallint)))::hll::text, 9)
     = substr(hll_add_agg(hll_hash_smallint(x::smallint), 14, 5, 0, 1)::text, 9) AS smallint_sparse_same
FROM generate_series(1, 200) x;
SELECT reach_sketch_from_hll(hll_add_agg(hll_hash_integer(x), 14, 5, 0, 1) FILTER (WHERE x <= 30000)::text)
       || reach_hash_agg(reach_hll_hash(x)) FILTER (WHERE x > 30000)
     = reach_sketch_from_hll(hll_add_agg(hll_hash_integer(x), 14, 5, 0, 1)::text) AS union_is_hll_of_all
FROM generate_series(1, 60000) x;
SELECT reach(reach_hash_agg(h)) AS nulls_skipped, reach_sketch_info(reach_hash_agg(h, 10))->>'precision' AS p
FROM (VALUES (NULL::bigint), (5), (NULL), (5), (-5)) t(h);
SELECT reach_hash_agg(h, CASE WHEN h = 1 THEN 10 ELSE 14 END) FROM (VALUES (1::bigint), (2)) t(h);

-- register widths 1..5 saturate at 2^w - 1, below the largest value at
-- log2m 14 (51): an import where a register reached it is censored
-- there (register_cap; at width 5 none did: exact), estimated
-- as censored (hll_cardinality's raw registers read 100,000 values at
-- width 1 as 102,209; read as uncensored they gave 23,591), its error
-- stated, and exported back at its width, register for register (width 6
-- is not censored, so it exports at the default width 5: not the same)
SELECT w, reach_sketch_info(s)->>'register_cap' AS register_cap,
       abs(reach(s) - 100000) < 4 * (reach_sketch_info(s)->>'relative_standard_error')::float8 * 100000
           AS within_4_se,
       reach(s) AS estimate,
       round(((reach_sketch_info(s)->>'relative_standard_error')::float8 * 128 / 1.04)::numeric, 2)
           AS rse_over_uncensored,
       substr(reach_sketch_to_hll(s)::hll::text, 9) = substr(h::text, 9) AS same_registers_back,
       reach_lower(s, 0.95) <= 100000 AND 100000 <= reach_upper(s, 0.95) AS bounds_hold
FROM (SELECT w, hll_add_agg(hll_hash_bigint(x), 14, w, 0, 0) AS h
      FROM generate_series(1, 6) w, generate_series(1, 100000) x GROUP BY w) t,
     LATERAL (SELECT reach_sketch_from_hll(h::text) AS s) l
ORDER BY w;
-- a censored import unions with native sketches at the lowest cap, and
-- the width-1 import of 1..100000 united with reach_agg(100001..150000)
-- estimates 150,000 within its error
SELECT reach_sketch_info(u)->>'register_cap' AS register_cap,
       abs(reach(u) - 150000) < 4 * (reach_sketch_info(u)->>'relative_standard_error')::float8 * 150000
           AS within_4_se
FROM (SELECT reach_sketch_from_hll((SELECT hll_add_agg(hll_hash_bigint(x), 14, 1, 0, 0)
                                    FROM generate_series(1, 100000) x)::text)
             || (SELECT reach_agg(x) FROM generate_series(100001, 150000) x) AS u) t;
DROP EXTENSION hll;
