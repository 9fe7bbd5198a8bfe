-- Random and mutated bytes never crash the server: every one is either
-- rejected with SQLSTATE 22P03 or decodes to a value that every function
-- then handles.  (Deterministic: setseed.)
SELECT setseed(0.42);
CREATE TEMP TABLE seeds AS
SELECT reach_agg(x)::bytea AS b FROM generate_series(1, 5) x
UNION ALL SELECT reach_agg(x)::bytea FROM generate_series(1, 3000) x
UNION ALL SELECT reach_agg(x, 4)::bytea FROM generate_series(1, 100000) x
UNION ALL SELECT reach_agg(x, 8)::bytea FROM generate_series(1, 100000) x
UNION ALL SELECT reach_agg(x, 6)::bytea FROM generate_series(1, 10) x WHERE false;
CREATE FUNCTION pg_temp.mutate(b bytea) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
	kind int := floor(random() * 5);
	pos int;
BEGIN
	IF length(b) = 0 THEN RETURN b; END IF;
	pos := floor(random() * length(b));
	IF kind = 0 THEN        -- flip a random byte
		RETURN set_byte(b, pos, floor(random() * 256)::int);
	ELSIF kind = 1 THEN     -- truncate
		RETURN substr(b, 1, pos);
	ELSIF kind = 2 THEN     -- append garbage
		RETURN b || decode(md5(random()::text), 'hex');
	ELSIF kind = 3 THEN     -- flip one header byte
		RETURN set_byte(b, pos % 8, floor(random() * 256)::int);
	ELSE                    -- completely random bytes of the same length
		RETURN decode(substr(repeat(md5(random()::text), length(b) / 16 + 1), 1, 2 * length(b)), 'hex');
	END IF;
END $$;
DO $$
DECLARE
	r record;
	m bytea;
	s reach_sketch;
	ok int := 0;
	rejected int := 0;
	i int;
BEGIN
	FOR r IN SELECT b FROM seeds LOOP
		FOR i IN 1..500 LOOP
			m := pg_temp.mutate(r.b);
			BEGIN
				s := m::reach_sketch;
				PERFORM reach(s), reach_lower(s), reach_upper(s), reach_sketch_info(s),
				        s || s, s = s, reach_sketch_to_hll(s), s::text::reach_sketch;
				PERFORM reach_union_agg(x) FROM (VALUES (s), (s)) v(x);
				ok := ok + 1;
			EXCEPTION WHEN invalid_binary_representation THEN
				rejected := rejected + 1;
			END;
		END LOOP;
	END LOOP;
	RAISE NOTICE 'mutations: % total, all either rejected with 22P03 or fully usable', ok + rejected;
	IF rejected < 1200 THEN
		RAISE EXCEPTION 'only % mutations rejected: the mutator is not doing its job', rejected;
	END IF;
END $$;
SELECT 1 AS still_up;
