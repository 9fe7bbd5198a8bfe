-- Sorting and grouping sketch columns runs in bounded memory: the btree and
-- hash support functions free what they detoast or canonicalize before they
-- return (a sort calls them about n log n times).  Each type: 2,000
-- distinct values of about 8-10 KB, sorted by SELECT DISTINCT with hash
-- aggregation off (about 22,000 comparisons); the backend's peak resident
-- memory (VmHWM, read from /proc by the backend itself) may grow by the
-- data and the sort's work_mem, not by a copy per comparison (which was
-- 2 x 10 KB x 22,000 = 440 MB a type).
CREATE FUNCTION pg_temp.peak_kb() RETURNS bigint LANGUAGE sql AS $$
	SELECT substring(pg_read_file('/proc/self/status') FROM 'VmHWM:\s*(\d+) kB')::bigint $$;
SET work_mem = '64MB';
-- journeys: one of 770 events, extended by one click each
CREATE TEMP TABLE jt AS
SELECT i, b.j || (SELECT journey_agg(ts, 'click', t) FROM (SELECT timestamptz '2026-06-01 00:00+00' + i * interval '1 minute', 'c' || i) e(ts, t)) AS j
FROM (SELECT journey_agg(timestamptz '2026-05-01 00:00+00' + x * interval '1 minute', 'impression', 'campaign ' || (x % 40)) AS j
      FROM generate_series(1, 770) x) b, generate_series(1, 2000) i;
-- reach sketches: one dense sketch, each unioned with ten more users
CREATE TEMP TABLE rt AS
SELECT i, b.r || (SELECT reach_agg(x) FROM generate_series(1000000 + i * 10, 1000009 + i * 10) x) AS r
FROM (SELECT reach_agg(x) AS r FROM generate_series(1, 50000) x) b, generate_series(1, 2000) i;
-- frequency sketches: 1,200 users, each with one more
CREATE TEMP TABLE ft AS
SELECT i, b.f || (SELECT frequency_agg(u) FROM (SELECT 1000000 + i) e(u)) AS f
FROM (SELECT frequency_agg(x) AS f FROM generate_series(1, 1200) x) b, generate_series(1, 2000) i;
SELECT (SELECT avg(length(j::bytea))::int / 1000 FROM jt) AS journey_kb,
       (SELECT avg(length(r::bytea))::int / 1000 FROM rt) AS reach_kb,
       (SELECT avg(length(f::bytea))::int / 1000 FROM ft) AS frequency_kb;
SET enable_hashagg = off;
CREATE TEMP TABLE peak AS SELECT 'start' AS step, pg_temp.peak_kb() AS kb;
-- (each: distinct values by the type's sort = distinct byte strings)
SELECT count(*) AS distinct_journeys, count(*) = (SELECT count(DISTINCT j::bytea) FROM jt) AS same
FROM (SELECT DISTINCT j FROM jt) s;
INSERT INTO peak SELECT 'journey', pg_temp.peak_kb();
SELECT count(*) AS distinct_reach, count(*) = (SELECT count(DISTINCT r::bytea) FROM rt) AS same
FROM (SELECT DISTINCT r FROM rt) s;
INSERT INTO peak SELECT 'reach', pg_temp.peak_kb();
SELECT count(*) AS distinct_frequency, count(*) = (SELECT count(DISTINCT f::bytea) FROM ft) AS same
FROM (SELECT DISTINCT f FROM ft) s;
INSERT INTO peak SELECT 'frequency', pg_temp.peak_kb();
-- growth of the peak over the three sorts: under 100 MB in all
SELECT (max(kb) - min(kb)) < 100 * 1024 AS bounded FROM peak;
-- hashing (DISTINCT by hash aggregate) groups the same
RESET enable_hashagg;
SET enable_sort = off;
SELECT (SELECT count(*) FROM (SELECT DISTINCT j FROM jt) s) AS journeys,
       (SELECT count(*) FROM (SELECT DISTINCT r FROM rt) s) AS reach,
       (SELECT count(*) FROM (SELECT DISTINCT f FROM ft) s) AS frequency;
SELECT (max(kb) - min(kb)) < 100 * 1024 AS bounded FROM (SELECT kb FROM peak UNION ALL SELECT pg_temp.peak_kb()) p;
RESET enable_sort;
