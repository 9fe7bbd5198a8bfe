-- reach_agg, reach_union_agg, ||, reach(), bounds: behaviour checked against
-- exact SQL (count(DISTINCT)) computed in the same query.

-- sparse range (up to 2^p / 8 = 2,048 values): exact in practice.  A token
-- keeps 20 bits of the hash; two values share one at 1,000 values with
-- probability 0.15, at 2,000 values 0.47 (1..2000 has one such pair), and the
-- estimate adds the expected number back (2000: 1,999 tokens, estimate
-- 1,999.64; test/reference/reach_sparse_reference.py --series 2000 says the
-- same).  Each n is compared with count(DISTINCT) of the same rows.
SELECT n, reach(reach_agg(x)) = count(DISTINCT x) AS exact, reach(reach_agg(x)) AS reach,
       reach_count(x) AS reach_count
FROM (SELECT n, x FROM unnest(ARRAY[1, 2, 10, 100, 1000, 2000]) n, generate_series(1, n) x) s
GROUP BY n ORDER BY n;
-- duplicates do not count
SELECT reach(reach_agg(x % 100)) AS reach FROM generate_series(1, 100000) x;
-- small groups stay small: 4 + 8 header bytes + the coded tokens (about 17
-- bits a token at 100 values, more at fewer);
-- the same sizes as test/reference/reach_sparse_reference.py --series N
SELECT n, pg_column_size(reach_agg(x)) AS bytes
FROM (SELECT n, x FROM unnest(ARRAY[1, 10, 100]) n, generate_series(1, n) x) s
GROUP BY n ORDER BY n;
-- zero rows: an empty sketch (reach 0), as count() gives 0; NULLs are skipped
SELECT reach_agg(x) AS empty_sketch, reach(reach_agg(x)) AS reach, reach_count(x) AS reach_count
FROM generate_series(1, 10) x WHERE false;
SELECT reach(reach_agg(x)) AS reach FROM (VALUES (NULL::bigint), (7), (NULL), (7), (8)) v(x);
SELECT reach_union_agg(s) IS NOT NULL AS not_null, reach(reach_union_agg(s)) AS reach
FROM (VALUES (NULL::reach_sketch)) v(s);

-- dense range: within 3 standard errors of count(DISTINCT) (the estimator's RSE
-- at precision 14 is 0.7609/sqrt(16384) = 0.59 %)
SELECT n, abs(reach(s) - n) <= 3 * (reach_sketch_info(s)->>'relative_standard_error')::float8 * n AS within_3se,
       reach_sketch_info(s)->>'representation' AS representation
FROM (SELECT n, reach_agg(x) AS s, count(DISTINCT x) AS exact
      FROM (SELECT n, x FROM unnest(ARRAY[5000, 20000, 100000, 1000000]) n, generate_series(1, n) x) g
      GROUP BY n) t
WHERE exact = n ORDER BY n;
-- the bounds bracket the true value at all these sizes
SELECT n, reach_lower(s) <= n AND n <= reach_upper(s) AS brackets,
       reach_lower(s, 0.5) >= reach_lower(s) AND reach_upper(s, 0.5) <= reach_upper(s) AS narrower_at_50
FROM (SELECT n, reach_agg(x) AS s
      FROM (SELECT n, x FROM unnest(ARRAY[10, 1000, 20000, 1000000]) n, generate_series(1, n) x) g
      GROUP BY n) t ORDER BY n;

-- no bias bump: 200 independent sets of 2.5 * 2^10 values at precision 10.
-- postgresql-hll is biased by about +1.9 % here; the mean relative error of
-- ours must stay within 3 standard errors of the mean (RSE 0.7609/32 = 2.38 %,
-- over 200 trials 0.168 %, bound 0.50 %), and the RMSE within 1.2x the RSE.
SELECT abs(avg(err)) < 3 * 0.7609 / 32 / sqrt(200) AS unbiased,
       sqrt(avg(err * err)) < 1.2 * 0.7609 / 32 AS rmse_ok
FROM (SELECT reach(reach_agg(t * 1000000000::bigint + x, 10)) / 2560.0 - 1 AS err
      FROM generate_series(1, 200) t, generate_series(1, 2560) x
      GROUP BY t) trials;

-- order does not matter: same bytes
SELECT (SELECT reach_agg(x ORDER BY x) FROM generate_series(1, 50000) x)
     = (SELECT reach_agg(x ORDER BY x DESC) FROM generate_series(1, 50000) x) AS dense_same,
       (SELECT reach_agg(x ORDER BY x)::bytea FROM generate_series(1, 500) x)
     = (SELECT reach_agg(x ORDER BY x DESC)::bytea FROM generate_series(1, 500) x) AS sparse_same_bytes;

-- union = sketch of the union, byte for byte: daily sketches of overlapping
-- audiences merged into a month equal the sketch of the month's events
CREATE TEMP TABLE ev AS
SELECT 'small' AS audience, d AS day, (d * 7919 + i * 104729) % 300 AS user_id
FROM generate_series(1, 30) d, generate_series(1, 200) i
UNION ALL
SELECT 'large', d, (d * 7919 + i * 104729) % 200000
FROM generate_series(1, 30) d, generate_series(1, 2000) i;
CREATE TEMP TABLE daily AS SELECT audience, day, reach_agg(user_id) AS users FROM ev GROUP BY 1, 2;
SELECT audience, m.users::bytea = r.users::bytea AS union_is_sketch_of_union,
       reach(m.users) AS reach, r.exact
FROM (SELECT audience, reach_union_agg(users) AS users FROM daily GROUP BY 1) m
JOIN (SELECT audience, reach_agg(user_id) AS users, count(DISTINCT user_id) AS exact FROM ev GROUP BY 1) r
USING (audience) ORDER BY audience;
DROP TABLE ev, daily;
-- the same with a simpler split: three overlapping ranges
SELECT (reach_agg(x) FILTER (WHERE x <= 40000) || reach_agg(x) FILTER (WHERE x BETWEEN 30000 AND 70000)
        || reach_agg(x) FILTER (WHERE x >= 60000)) = reach_agg(x) AS dense_union,
       (reach_agg(x) FILTER (WHERE x <= 400) || reach_agg(x) FILTER (WHERE x BETWEEN 300 AND 1000))::bytea
     = (reach_agg(x) FILTER (WHERE x <= 1000))::bytea AS sparse_union,
       (reach_agg(x) FILTER (WHERE x <= 3000) || reach_agg(x) FILTER (WHERE x BETWEEN 2000 AND 6000))
     = reach_agg(x) FILTER (WHERE x <= 6000) AS sparse_to_dense_union
FROM generate_series(1, 100000) x;

-- precisions: different precisions fold to the lower one, exactly as if the
-- sketch had been built at that precision; empty sketches do not lower it
SELECT (reach_agg(x, 12) FILTER (WHERE x <= 60000) || reach_agg(x, 14) FILTER (WHERE x > 30000))
     = reach_agg(x, 12) AS folded_equals_built_at_12,
       reach_sketch_info(reach_agg(x, 12) || reach_agg(x, 16))->>'precision' AS precision
FROM generate_series(1, 100000) x;
SELECT reach_sketch_info(reach_union_agg(s))->>'precision' AS precision, reach(reach_union_agg(s)) AS reach
FROM (SELECT reach_agg(x, 18) FROM generate_series(1, 100000) x
      UNION ALL SELECT reach_agg(x) FROM generate_series(1, 10) x WHERE false) v(s);
SELECT p, reach_sketch_info(reach_agg(x, p))->>'representation' AS representation,
       pg_column_size(reach_agg(x, p)) AS bytes
FROM generate_series(4, 18, 7) p, generate_series(1, 100000) x GROUP BY p ORDER BY p;
\set VERBOSITY sqlstate
SELECT reach_agg(x, 3) FROM generate_series(1, 10) x;
SELECT reach_agg(x, 19) FROM generate_series(1, 10) x;
SELECT reach_lower(reach_agg(x), 1.0) FROM generate_series(1, 10) x;
-- a bad precision is an error even when every user is NULL
SELECT reach_agg(NULL::bigint, 99) FROM generate_series(1, 3);
\set VERBOSITY default
SELECT reach_agg(x, 19) FROM generate_series(1, 10) x;
SELECT reach_upper(reach_agg(x), 0) FROM generate_series(1, 10) x;

-- input types: integers hash as the same bigint; text and bytea hash their
-- bytes (so 'a' as text and as bytea agree); uuid its 16 bytes
SELECT (SELECT reach_agg(x::int) FROM generate_series(1, 20000) x)
     = (SELECT reach_agg(x::bigint) FROM generate_series(1, 20000) x) AS int_is_bigint,
       (SELECT reach_agg('user' || x) FROM generate_series(1, 300) x)
     = (SELECT reach_agg(convert_to('user' || x, 'UTF8')) FROM generate_series(1, 300) x) AS text_is_bytea,
       (SELECT reach(reach_agg(md5(x::text)::uuid)) FROM generate_series(1, 1000) x) AS uuid_reach,
       (SELECT reach(reach_agg(x::text, 10)) FROM generate_series(1, 100) x) AS text_reach;

-- sketch columns work with GROUP BY, DISTINCT, UNION and = (hash opclass)
CREATE TEMP TABLE sk AS
SELECT g, reach_agg(x) AS s FROM generate_series(1, 4) g, generate_series(1, 100 * (g % 2 + 1)) x GROUP BY g;
SELECT count(DISTINCT s) AS distinct_sketches FROM sk;
SELECT reach(s) AS reach, count(*) FROM sk GROUP BY s ORDER BY 1;
SELECT count(*) AS union_rows FROM (SELECT s FROM sk UNION SELECT s FROM sk) u;
SELECT a.g, b.g FROM sk a JOIN sk b ON a.s = b.s AND a.g < b.g ORDER BY 1, 2;
SELECT (SELECT s FROM sk WHERE g = 1) <> (SELECT s FROM sk WHERE g = 2) AS differ;
SELECT g FROM sk ORDER BY s, g;
DROP TABLE sk;

-- reach_sketch_info
SELECT reach_sketch_info(reach_agg(x)) FROM generate_series(1, 10) x;
SELECT reach_sketch_info(reach_agg(x, 10)) - 'relative_standard_error' AS info,
       round((reach_sketch_info(reach_agg(x, 10))->>'relative_standard_error')::numeric, 5) AS rse
FROM generate_series(1, 100000) x;
