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
-- a frozen version-2 dense_packed hll_only value (written by commit 5a3ad59,
-- the last to write format 2; its table held code lengths): read as today's
-- import of the same hll
SELECT reach_sketch_info(v)->>'version' AS version, reach_sketch_info(v)->>'representation' AS representation,
       reach(v) = reach(today) AS same_reach, v = today AS equal, (v || v)::bytea = today::bytea AS rewritten_is_today
FROM (SELECT ('\x020c03010f000000040608030c021002140318031c042006240628082c0830083409380a3c0a74'
              || 'b1344f7d2459c0b698e491764beb60de24746afc73c8343398216413cd260b3f7d12a12f4b2df2e3'
              || 'c9509e17b817cb0f3eb2d4a69be2c25f60c8ecb081022664d63e95b484daf9317075881e3af1e4cf'
              || '2c86530ae9e10beeb4858c2848dde084b174eb69e8df6759b361baa8a90663df85a7ef93daf74b8a'
              || '3f7ca006ef4056f81d7cf6a42cf42c78840b742ae826dc3e590c276d7908c3259af667d48f7f67d2'
              || '67b981064e649dbe6429f010eeade019247bcb8b23c0cbd56ebc8d3f5126d4bc851a699f03106312'
              || '863bf327730fd4a635101011b6f602c2e38a96997db1709e326941191fdaf661a44c9ede58b2ab25'
              || '9ab7c5f1b7b8dd16135d9c92b6eefc6d0abfcccd928f1e34f4c431e530692d5a7aa5adac1374fad0'
              || '4a50e68c41d4435a8ca2d25b62fb83db53e6c85e8b1761f47f098687a79ce537b6fbdf79f982dfec'
              || '16a6914f2d2dadb129665b957f0b01e3c8521e304c8e6e6e2e205e679d207dbc42ea4d4a4e2b703c'
              || '1cac89af085cd571b4ae9705eaa2ff75b93391b2b49a33e6b56ee61ee3804d2b57e1c3919eaa1efa'
              || 'd16f3170f8343d1dde5342f0bc739262f464df1552a56ce01905638695602284e713cdb46f59c842'
              || 'cebac5e6fcd6afd2b3df478b789649023fe38c680b2ee0fa8d0495e31cb1f2f51d172f82dde067a7'
              || 'ff1f6146e2d0f9d5b2804ac6fb93e225ac26fcb9ee82879424359b360f84fac75227de2742b2f990'
              || '0ad6b065bfc98581a5c6be6b6f936eae9671354a5b2d5f6e01b2dad999f16849de421101416c62fa'
              || '0a78da2d8fe6520ac6045e12c035321b3af93a4c8705d3b9b4bed263c6a1afad8e17df1d6b6dc3ab'
              || '5aa7d44f64960c9050035f48c0f43dacc5a070c47d1f95f6d28d45f83b7086632a1744a545d2c522'
              || 'abc5631f619af969859e09993d3430406a4a186e928b33dedd37729f4acfcadec0546ed125be034b'
              || '6a5600c97a5aff507a2d74025aff8efd2cba2be39b9b9b75dfad4979440675283644ab10f44e3d46'
              || '9c79ea8c1e85be48d69308d49ed217074a21357c05f5d900fb5e7174af1aa9ec95beb697d15fe194'
              || '19f3021194098587fbbc5ad5c044f14b2b4e3ac38a2196e02cb091667a8d8404e610d209255579bd'
              || 'f675c02056a92164d37692842d18c67bff6ab2dec8b9ae38d233d1c62b812a15c383a514dc2d2997'
              || '3fbd5130df73f52f877d4661697392b498fb99693e41adf5aba42054afb05341de4f8f2906c6544f'
              || '323a8b1db58d7c9d5b7c7fd758fb8a2961de7bf88b5724616badb4b38743ad7f04922525dec381bc'
              || 'be9fbe5abdec037db0806990eb6e3327cfa648731e043da91d1c2cca2ab1b3e31b19df25bf1d0450'
              || '96dbcf92cb12ac2f58913a1e25a11ca5a58564eda1ce00dc1627cea0c83a4f22142df67d56d84846'
              || 'ec05bbd94b7a4fbb6b648d55d9928be30d963a879d521a56df213c4fa9f9bc6b6e0b60fad8534a9d'
              || '4e4fc7568a63861b78f483abd1d7be8bcdb991290adad13d0275400f7e584cc5c2d2c34e983d2682'
              || 'eb74e3c25537e144ba0942acbbdfd743555b4f18df56d942eaac66d87456f5fa206d62316cf56e50'
              || '1c2c0aeb43f6cc8b9149c1636dbd896d0ab20c065a9e6eb1c81ed037f4aa4fb535a84795b4acaeb3'
              || '50425348c750c545505f278db789736dd2059c2773dfb7d34f08b303a3a5bc89e1e1a37c5d2a97bd'
              || '19949766b2dcb342f22d82fa53a5fc2a05009e975d8f0334de477801f7b4fe93c85009ae6ef4bed0'
              || '7bc95f5fc33f2cf6c34f3eea1642af29370be5afbef00421bdaa3d4c168993c9c701202d94a78167'
              || '84f3ab20c159e718a0ed661fe3651067be1be062be70da795a31dd2a9b2716f6e9560acc2307feb9'
              || 'f754fd8b98b3d2973bd87eb8cde9bfcd092350b144911f453f056c304dfacd5801a234345ad49293'
              || '4714d97f088f3e3eb161f67c40972620740245362c7924ea26703ebb025b2beded4c3ad0ae896f98'
              || '2cbe7f582c36a3d77542d3f186199944897b99b6c6a0f2c799e28d8564f1cb6b7cab2da0c78b2352'
              || '3ef016cae105056eafebf0')::reach_sketch AS v,
             (SELECT reach_sketch_from_hll(hll_add_agg(hll_hash_bigint(x), 12, 5)::text)
              FROM generate_series(1, 30000) x) AS today) f;

DROP EXTENSION hll;
