-- frequency_sketch text and binary forms, bytea casts, and the decoder's
-- checks (format: docs/FORMAT.md, "frequency_sketch").

-- round trips keep every byte
CREATE TEMP TABLE fs AS
SELECT n, frequency_agg(x % n, 1, 64) AS s FROM unnest(ARRAY[1, 10, 1000]) n, generate_series(1, 3000) x GROUP BY n
UNION ALL SELECT 0, frequency_agg(x) FROM generate_series(1, 10) x WHERE false;
SELECT n, s::text::frequency_sketch = s AS text_round_trip, s::bytea::frequency_sketch::bytea = s::bytea AS bytea_round_trip,
       length(s::bytea) AS bytes, frequency_sketch_info(s)->>'mode' AS mode
FROM fs ORDER BY n;
COPY fs TO '/tmp/impression_ext_frequency_io.bin' WITH (FORMAT binary);
CREATE TEMP TABLE fs2 (LIKE fs);
COPY fs2 FROM '/tmp/impression_ext_frequency_io.bin' WITH (FORMAT binary);
SELECT count(*) AS rows, bool_and(a.s::bytea = b.s::bytea) AS binary_copy_round_trip FROM fs a JOIN fs2 b USING (n);

-- one user (hash 5) with one impression, by hand: version 1, canonical, k 16,
-- n 1, theta 1.0 (all ones), impressions 1, entry: hash delta 5, count 1
SELECT ('\x' || '0101000010000000' || '01000000' || 'ffffffffffffffff' || '0100000000000000' || '05' || '01')::frequency_sketch AS one_user;
SELECT reach(s), impressions(s) FROM (SELECT ('\x0101000010000000' || '01000000' || 'ffffffffffffffff' || '0100000000000000' || '0501')::frequency_sketch AS s) t;

-- malformed text: 22P02; malformed bytes: 22P03 with what is wrong
\set VERBOSITY sqlstate
SELECT 'nothex'::frequency_sketch;
SELECT '\x02'::frequency_sketch;
SELECT '\x02'::bytea::frequency_sketch;
\set VERBOSITY default
SELECT 'nothex'::frequency_sketch;
SELECT decode('0101000010000000' || '01000000' || 'ffffffffffffffff' || '0100000000000000' || '05', 'hex')::frequency_sketch;      -- truncated entry
SELECT decode('0101000010000000' || '01000000' || 'ffffffffffffffff' || '0100000000000000' || '050100', 'hex')::frequency_sketch;  -- trailing byte
SELECT decode('0201000010000000' || '01000000' || 'ffffffffffffffff' || '0100000000000000' || '0501', 'hex')::frequency_sketch;    -- version 2
SELECT decode('0104000010000000' || '01000000' || 'ffffffffffffffff' || '0100000000000000' || '0501', 'hex')::frequency_sketch;    -- representation 4
SELECT decode('0101010010000000' || '01000000' || 'ffffffffffffffff' || '0100000000000000' || '0501', 'hex')::frequency_sketch;    -- flags
SELECT decode('010100000f000000' || '01000000' || 'ffffffffffffffff' || '0100000000000000' || '0501', 'hex')::frequency_sketch;    -- k 15
SELECT decode('0101000001001000' || '01000000' || 'ffffffffffffffff' || '0100000000000000' || '0501', 'hex')::frequency_sketch;    -- k 2^20 + 1
SELECT decode('0101000010000000' || '01000000' || 'ffffffffffffffff' || '0000000000000000' || '0500', 'hex')::frequency_sketch;    -- count 0
SELECT decode('0101000010000000' || '02000000' || 'ffffffffffffffff' || '0200000000000000' || '0501' || '0001', 'hex')::frequency_sketch;  -- duplicate hash
SELECT decode('0101000010000000' || '01000000' || 'ffffffffffffffff' || '0100000000000000' || '850001', 'hex')::frequency_sketch;  -- varint not shortest
SELECT decode('0101000010000000' || '01000000' || 'ffffffffffffffff' || '0300000000000000' || '0501', 'hex')::frequency_sketch;    -- total is not the sum
SELECT decode('0101000010000000' || '01000000' || '0500000000000000' || '0100000000000000' || '0501', 'hex')::frequency_sketch;    -- theta < 1: sampling needs k entries
SELECT decode('0101000010000000' || 'ffffff7f' || 'ffffffffffffffff' || '0100000000000000' || '0501', 'hex')::frequency_sketch;    -- huge n
SELECT decode('0102000010000000' || '00000000' || 'ffffffffffffffff' || '0000000000000000' || repeat('00', 16 * 7), 'hex')::frequency_sketch;  -- state with 7 slots
SELECT 1 AS still_up;

-- random and mutated bytes: rejected with 22P03 or fully usable
SELECT setseed(0.17);
CREATE TEMP TABLE seeds AS SELECT s::bytea AS b FROM fs
UNION ALL SELECT frequency_agg(x % 500, 1 + x % 3, 16)::bytea FROM generate_series(1, 2000) x;
DO $$
DECLARE
	r record;
	m bytea;
	s frequency_sketch;
	pos int;
	ok int := 0;
	rejected int := 0;
BEGIN
	FOR r IN SELECT b FROM seeds LOOP
		FOR i IN 1..400 LOOP
			pos := floor(random() * length(r.b));
			m := CASE floor(random() * 3)
			     WHEN 0 THEN set_byte(r.b, pos, floor(random() * 256)::int)
			     WHEN 1 THEN substr(r.b, 1, pos)
			     ELSE r.b || decode(md5(random()::text), 'hex') END;
			BEGIN
				s := m::frequency_sketch;
				PERFORM reach(s), impressions(s), average_frequency(s), reach_at_least(s, 2),
				        reach_intersection(s, s), reach_difference(s, s), frequency_sketch_info(s),
				        s || s, s = s, s::text::frequency_sketch;
				PERFORM * FROM frequency_histogram(s, 5);
				PERFORM frequency_union_agg(x) FROM (VALUES (s), (s)) v(x);
				ok := ok + 1;
			EXCEPTION WHEN invalid_binary_representation THEN
				rejected := rejected + 1;
			END;
		END LOOP;
	END LOOP;
	RAISE NOTICE 'mutations: % total, all either rejected with 22P03 or fully usable', ok + rejected;
	IF rejected < 1000 THEN
		RAISE EXCEPTION 'only % mutations rejected: the mutator is not doing its job', rejected;
	END IF;
END $$;
SELECT 1 AS still_up;
