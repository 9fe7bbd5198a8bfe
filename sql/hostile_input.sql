-- Hostile input through every way a value gets in: text input, the bytea
-- cast and binary COPY (the types' receive functions), for each of
-- reach_sketch, frequency_sketch and journey.  Random and mutated bytes,
-- truncations, oversized values: each is either rejected with the right
-- SQLSTATE (22P02 for text, 22P03 for bytes, 22021 for a journey's touch
-- string that is not text) or decodes to a value that
-- every function of its type then handles; never another error, never a
-- crash.  Deterministic (setseed).
SET timezone = 'UTC';
SELECT setseed(0.29);
CREATE TEMP TABLE hostile_seeds (typ text, b bytea);
INSERT INTO hostile_seeds
SELECT 'reach_sketch', reach_agg(x, p)::bytea FROM unnest(ARRAY[4, 10, 14]) p, generate_series(1, 3000) x GROUP BY p
UNION ALL SELECT 'reach_sketch', reach_agg(x)::bytea FROM generate_series(1, 20) x
UNION ALL SELECT 'frequency_sketch', frequency_agg(x % n, 1, 16)::bytea FROM unnest(ARRAY[5, 40]) n, generate_series(1, 200) x GROUP BY n
UNION ALL SELECT 'journey', journey_agg(timestamptz '2026-03-01' + x * interval '3 hours', (ARRAY['impression', 'click', 'conversion'])[1 + x % 3],
                                        'c' || x % 3, x) FILTER (WHERE x <= n)::bytea
          FROM unnest(ARRAY[2, 30]) n, generate_series(1, 30) x GROUP BY n;

CREATE FUNCTION pg_temp.mutate(b bytea) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
	kind int := floor(random() * 7);
	pos int := floor(random() * greatest(length(b), 1));
BEGIN
	IF kind = 0 THEN        -- a random byte
		RETURN set_byte(b, pos, floor(random() * 256)::int);
	ELSIF kind = 1 THEN     -- truncated
		RETURN substr(b, 1, pos);
	ELSIF kind = 2 THEN     -- garbage appended
		RETURN b || decode(md5(random()::text), 'hex');
	ELSIF kind = 3 THEN     -- a header byte (version, representation, parameters)
		RETURN set_byte(b, pos % least(length(b), 28), floor(random() * 256)::int);
	ELSIF kind = 4 THEN     -- a 32-bit count set to a huge value
		RETURN overlay(b placing '\xffffff7f'::bytea from 1 + 4 * (pos % 5) for 4);
	ELSIF kind = 5 THEN     -- oversized: the value repeated
		RETURN b || b || b;
	ELSE                    -- random bytes of the same length
		RETURN decode(substr(repeat(md5(random()::text), length(b) / 16 + 1), 1, 2 * length(b)), 'hex');
	END IF;
END $$;

-- every function of a type on a value that decoded
CREATE FUNCTION pg_temp.use(typ text, v text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF typ = 'reach_sketch' THEN
		PERFORM reach(s), reach_lower(s), reach_upper(s), reach_sketch_info(s), s || s, s = s,
		        reach_sketch_to_hll(s), s::text::reach_sketch,
		        (SELECT reach_union_agg(x) FROM (VALUES (s), (s)) u(x))
		FROM (SELECT v::reach_sketch AS s) t;
	ELSIF typ = 'frequency_sketch' THEN
		PERFORM reach(s), impressions(s), average_frequency(s), reach_at_least(s, 2), frequency_sketch_info(s),
		        reach_intersection(s, s), reach_difference(s, s), s || s, s = s, s::text::frequency_sketch,
		        (SELECT frequency_union_agg(x) FROM (VALUES (s), (s)) u(x)), (SELECT count(*) FROM frequency_histogram(s, 5))
		FROM (SELECT v::frequency_sketch AS s) t;
	ELSE
		PERFORM journey_info(j), j || j, j = j, j::text::journey,
		        (SELECT journey_agg(e.ts, e.kind, e.touch, e.value) FROM journey_events(j) e),
		        (SELECT count(*) FROM journey_events(j)),
		        (SELECT count(*) FROM unnest(ARRAY['last_touch', 'first_touch', 'linear', 'time_decay', 'position_based']) m,
		                                attribute(j, m, '2 days', '3 hours', '1 hour'))
		FROM (SELECT v::journey AS j) t;
	END IF;
END $$;

CREATE TEMP TABLE hostile_results (typ text, path text, state text);
CREATE TEMP TABLE copy_target_reach_sketch (v reach_sketch);
CREATE TEMP TABLE copy_target_frequency_sketch (v frequency_sketch);
CREATE TEMP TABLE copy_target_journey (v journey);
DO $$
DECLARE
	r record;
	m bytea;
	st text;
	f text := '/tmp/impression_ext_hostile.bin';
BEGIN
	FOR r IN SELECT typ, b FROM hostile_seeds LOOP
		FOR i IN 1..120 LOOP
			m := pg_temp.mutate(r.b);
			-- text input
			BEGIN
				EXECUTE format('SELECT %L::%s::text', '\x' || encode(m, 'hex'), r.typ) INTO st;
				PERFORM pg_temp.use(r.typ, st);
				st := 'ok';
			EXCEPTION WHEN OTHERS THEN
				st := SQLSTATE;
			END;
			INSERT INTO hostile_results VALUES (r.typ, 'text input', st);
			-- bytea cast
			BEGIN
				EXECUTE format('SELECT %L::bytea::%s::text', m, r.typ) INTO st;
				PERFORM pg_temp.use(r.typ, st);
				st := 'ok';
			EXCEPTION WHEN OTHERS THEN
				st := SQLSTATE;
			END;
			INSERT INTO hostile_results VALUES (r.typ, 'bytea cast', st);
			-- binary COPY: the types send their bytes as they are, so a
			-- binary COPY file of a bytea is one of the type
			BEGIN
				EXECUTE format('COPY (SELECT %L::bytea) TO %L (FORMAT binary)', m, f);
				EXECUTE format('TRUNCATE copy_target_%s', r.typ);
				EXECUTE format('COPY copy_target_%s FROM %L (FORMAT binary)', r.typ, f);
				EXECUTE format('SELECT v::text FROM copy_target_%s', r.typ) INTO st;
				PERFORM pg_temp.use(r.typ, st);
				st := 'ok';
			EXCEPTION WHEN OTHERS THEN
				st := SQLSTATE;
			END;
			INSERT INTO hostile_results VALUES (r.typ, 'binary COPY', st);
		END LOOP;
	END LOOP;
END $$;
-- each path: the outcomes seen (ok = decoded and every function ran);
-- only 22P02 (text) and 22P03 (bytes) may appear besides ok, 22021 for a
-- journey whose touch string is not text of the database (invalid UTF8 or
-- a NUL byte), and 22003 for frequency_sketch: a valid sketch whose
-- impressions total (an unsigned 64-bit sum) exceeds bigint, which
-- impressions() reports as out of range
SELECT typ, path, array_agg(DISTINCT state ORDER BY state) AS outcomes,
       count(*) FILTER (WHERE state = 'ok') > 0 AS some_decoded,
       count(*) FILTER (WHERE state <> 'ok') > count(*) / 2 AS most_rejected
FROM hostile_results GROUP BY typ, path ORDER BY typ, path;
-- the three paths agree on every mutation: a value is accepted by all or none
SELECT typ, count(*) AS mutations_disagreeing
FROM (SELECT typ, n, count(DISTINCT state = 'ok') AS k
      FROM (SELECT typ, path, state, row_number() OVER (PARTITION BY typ, path ORDER BY ctid) AS n FROM hostile_results) x
      GROUP BY typ, n) y
WHERE k > 1 GROUP BY typ ORDER BY typ;
SELECT 1 AS still_up;
