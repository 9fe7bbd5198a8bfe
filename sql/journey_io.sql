-- journey text and binary forms, bytea casts, equality, and the decoder's
-- checks (format: docs/FORMAT.md, "journey").
SET timezone = 'UTC';

-- round trips keep every byte
CREATE TEMP TABLE js AS
SELECT n, journey_agg(timestamptz '2026-03-01 00:00+00' + (x % 97) * interval '1 hour',
                      (ARRAY['impression', 'click', 'conversion'])[1 + x % 3],
                      'campaign ' || (x % n), CASE WHEN x % 3 = 2 THEN x END) AS j
FROM unnest(ARRAY[1, 10, 1000]) n, generate_series(1, 3000) x GROUP BY n
UNION ALL SELECT 0, journey_agg(now(), 'click', 'x') FROM generate_series(1, 10) WHERE false;
SELECT n, j::text::journey = j AS text_round_trip, j::bytea::journey::bytea = j::bytea AS bytea_round_trip,
       length(j::bytea) AS bytes, journey_info(j)->>'events' AS events, journey_info(j)->>'touches' AS touches
FROM js ORDER BY n;
COPY js TO '/tmp/impression_ext_journey_io.bin' WITH (FORMAT binary);
CREATE TEMP TABLE js2 (LIKE js);
COPY js2 FROM '/tmp/impression_ext_journey_io.bin' WITH (FORMAT binary);
COPY js TO '/tmp/impression_ext_journey_io.txt';
CREATE TEMP TABLE js3 (LIKE js);
COPY js3 FROM '/tmp/impression_ext_journey_io.txt';
SELECT count(*) AS rows, bool_and(a.j::bytea = b.j::bytea) AS binary_copy_round_trip,
       bool_and(a.j::bytea = c.j::bytea) AS text_copy_round_trip
FROM js a JOIN js2 b USING (n) JOIN js3 c USING (n);
-- = with hash and btree support: GROUP BY, DISTINCT, UNION on journeys
SELECT count(DISTINCT j) AS distinct_journeys, (SELECT count(*) FROM (SELECT j FROM js UNION SELECT j FROM js2) u) AS union_rows,
       (SELECT count(*) FROM (SELECT j FROM js UNION ALL SELECT j FROM js2) u GROUP BY j LIMIT 1) AS per_group
FROM js;

-- by hand: one click on "A" at 2000-01-01 00:00 UTC (ts 0).  Header:
-- version 1, canonical, flags 0, reserved 0, 1 event, 0 values, 1 string,
-- 1 string byte; end[0] = 1; ts 0; touch 0; kind 01 (click); "A"
SELECT '\x01010000' || '01000000' || '00000000' || '01000000' || '01000000' || '01000000' ||
       '0000000000000000' || '00000000' || '01' || '41' AS hex \gset
SELECT e.* FROM journey_events(:'hex'::journey) e;
SELECT (SELECT journey_agg(timestamptz '2000-01-01 00:00+00', 'click', 'A'))::text = :'hex' AS agg_gives_these_bytes;

-- malformed text: 22P02; malformed bytes: 22P03 with what is wrong
\set VERBOSITY sqlstate
SELECT 'nothex'::journey;
SELECT '\x02'::journey;
SELECT '\x02'::bytea::journey;
\set VERBOSITY default
SELECT 'nothex'::journey;
SELECT '\x0101000001'::journey;                                                         -- truncated header
SELECT overlay(:'hex' placing '02' from 3 for 2)::journey;                              -- version 2
SELECT overlay(:'hex' placing '04' from 5 for 2)::journey;                              -- representation 4
SELECT overlay(:'hex' placing '01' from 7 for 2)::journey;                              -- flags
SELECT substr(:'hex', 1, length(:'hex') - 2)::journey;                                  -- one byte short
SELECT (:'hex' || '00')::journey;                                                       -- trailing byte
SELECT overlay(:'hex' placing '03' from 75 for 2)::journey;                             -- kind 3: an engaged view (0.2)
SELECT overlay(:'hex' placing '07' from 75 for 2)::journey;                             -- an engaged view with a value flag
SELECT overlay(:'hex' placing '05' from 75 for 2)::journey;                             -- a click with a value flag
SELECT overlay(:'hex' placing '09' from 75 for 2)::journey;                             -- unknown kind bit
SELECT overlay(:'hex' placing '01000000' from 67 for 8)::journey;                       -- touch index 1 of 1 string
SELECT overlay(:'hex' placing 'ffffff7f' from 11 for 8)::journey;                       -- event count beyond the limit
SELECT overlay(:'hex' placing '00000100' from 11 for 8)::journey;                       -- event count beyond the bytes
-- two events out of order (ts 1 then ts 0)
SELECT ('\x01010000' || '02000000' || '00000000' || '01000000' || '01000000' || '01000000' ||
        '0100000000000000' || '0000000000000000' || '00000000' || '00000000' || '01' || '01' || '41')::journey;
-- strings not sorted ("B" before "A"), and a string no event uses
SELECT ('\x01010000' || '02000000' || '00000000' || '02000000' || '02000000' || '01000000' || '02000000' ||
        '0000000000000000' || '0000000000000000' || '00000000' || '01000000' || '01' || '01' || '4241')::journey;
SELECT ('\x01010000' || '02000000' || '00000000' || '02000000' || '02000000' || '01000000' || '02000000' ||
        '0000000000000000' || '0000000000000000' || '00000000' || '00000000' || '01' || '01' || '4142')::journey;
-- a conversion value stored as -0.0 (values are normalised to +0.0)
SELECT ('\x01010000' || '01000000' || '01000000' || '00000000' || '00000000' ||
        '0000000000000000' || 'ffffffff' || '06' || '0000000000000080')::journey;
-- the same with +0.0 is fine
SELECT e.* FROM journey_events(('\x01010000' || '01000000' || '01000000' || '00000000' || '00000000' ||
        '0000000000000000' || 'ffffffff' || '06' || '0000000000000000')::journey) e;

-- a 0.1 STATE (representation 2, the aggregate's working form in 0.1;
-- 0.2's is the keyed representation 3) from outside is accepted and
-- compares equal to its canonical form
SELECT '\x01020000' || '01000000' || '00000000' || '01000000' || '01000000' ||
       '03000000' || '01000000' || '02000000' || '11000000' ||     -- capacities: 3 events, 1 value, 2 strings, 17 bytes
       '01000000' || '00000000' ||                                 -- end[2]; no hash slots at 2 strings
       '0000000000000000' || '0000000000000000' || '0000000000000000' || -- ts[3]
       '00000000' || '00000000' || '00000000' ||                   -- touch[3]
       '01' || '00' || '00' ||                                     -- kind[3]
       '0000000000000000' ||                                       -- value[1]
       '4100000000000000000000000000000000'                        -- bytes[17]
       AS state \gset
SELECT journey_info(:'state'::journey)->>'representation' AS rep, :'state'::journey = :'hex'::journey AS equal_to_canonical,
       journey_hash(:'state'::journey) = journey_hash(:'hex'::journey) AS same_hash;

-- Random and mutated bytes never crash the server: each is either rejected
-- with 22P03 (22021 for a touch string that is not text of this database)
-- or is a valid journey that every function then handles.
SELECT setseed(0.17);
CREATE TEMP TABLE seeds AS
SELECT journey_agg(timestamptz '2026-03-01' + (x % 11) * interval '5 hours', (ARRAY['impression', 'click', 'conversion'])[1 + x % 3],
                   CASE WHEN x % 5 > 0 THEN 'c' || (x % 4) END, CASE WHEN x % 2 = 0 THEN x END)::bytea AS b
FROM unnest(ARRAY[1, 3, 12, 80]) n, generate_series(1, n) x GROUP BY n
UNION ALL SELECT :'state'::bytea;
CREATE FUNCTION pg_temp.mutate(b bytea) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
	kind int := floor(random() * 6);
	pos int := floor(random() * length(b));
BEGIN
	IF kind = 0 THEN        -- a random byte
		RETURN set_byte(b, pos, floor(random() * 256)::int);
	ELSIF kind = 1 THEN     -- truncated
		RETURN substr(b, 1, pos);
	ELSIF kind = 2 THEN     -- garbage appended
		RETURN b || decode(md5(random()::text), 'hex');
	ELSIF kind = 3 THEN     -- a header byte
		RETURN set_byte(b, pos % 36, floor(random() * 256)::int);
	ELSIF kind = 4 THEN     -- one bit
		RETURN set_bit(b, floor(random() * 8 * length(b))::int, 1 - get_bit(b, floor(random() * 8 * length(b))::int));
	ELSE                    -- random bytes of the same length
		RETURN decode(substr(repeat(md5(random()::text), length(b) / 16 + 1), 1, 2 * length(b)), 'hex');
	END IF;
END $$;
DO $$
DECLARE
	r record;
	j journey;
	ok int := 0;
	rejected int := 0;
BEGIN
	FOR r IN SELECT b FROM seeds LOOP
		FOR i IN 1..400 LOOP
			BEGIN
				j := pg_temp.mutate(r.b)::journey;
				PERFORM count(*) FROM unnest(ARRAY['last_touch', 'first_touch', 'linear', 'time_decay', 'position_based']) m,
				        attribute(j, m, '2 days', '5 hours', '3 hours') a;
				PERFORM count(*) FROM journey_events(j);
				PERFORM journey_info(j), j || j, j = j, journey_hash(j), j::text::journey;
				PERFORM journey_agg(ts, kind, touch, value) FROM journey_events(j);
				ok := ok + 1;
			EXCEPTION WHEN invalid_binary_representation OR character_not_in_repertoire THEN
				rejected := rejected + 1;
			END;
		END LOOP;
	END LOOP;
	RAISE NOTICE 'mutations: % total, all either rejected with 22P03 / 22021 or fully usable', ok + rejected;
	IF rejected < 1000 OR ok < 20 THEN
		RAISE EXCEPTION 'mutator not doing its job: % rejected, % usable', rejected, ok;
	END IF;
END $$;
SELECT 1 AS still_up;
