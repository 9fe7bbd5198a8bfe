-- Building a journey takes memory in proportion to it: while journey_agg
-- builds one, the backend's peak resident memory (VmHWM) grows by at most
-- about 3x the journey's canonical size (the aggregate state, the larger
-- copy each time it grows, and the canonical value the final function
-- writes, with its scratch).  One journey of 1,000,000 events in time
-- order; journey_memory_sorting (a session of its own, whose memory no
-- journey has touched yet) the same events shuffled, which the final
-- function must sort.  The tables' pages are scanned before measuring, so
-- the shared buffers they take do not count, and the peak is reset just
-- before the measured query (writing 5 to /proc/self/clear_refs).
-- Measured on PostgreSQL 15 (2026-12-03): 2.8x, where 0.2's first
-- canonicalization, which sorted 24-byte keys, took 4.1x.
CREATE FUNCTION pg_temp.kb(what text) RETURNS bigint LANGUAGE sql AS $$
	SELECT substring(pg_read_file('/proc/self/status') FROM what || ':\s*(\d+) kB')::bigint $$;
SET max_parallel_workers_per_gather = 0;
SET work_mem = '1MB';
CREATE TABLE journey_memory_ev AS
SELECT timestamptz '2026-01-01 00:00+00' + i * interval '1 second' AS ts,
       CASE WHEN i % 5 = 0 THEN 'click' ELSE 'impression' END AS kind,
       'campaign ' || (i % 40) AS touch
FROM generate_series(1, 1000000) i;
RESET work_mem;
SELECT count(*) FROM journey_memory_ev WHERE kind IS NOT NULL;
COPY (SELECT 5) TO '/proc/self/clear_refs';
SELECT pg_temp.kb('VmHWM') AS before_kb \gset
SELECT count(*) FROM (SELECT journey_agg(ts, kind, touch) j FROM journey_memory_ev) x WHERE j IS NOT NULL;
SELECT pg_temp.kb('VmHWM') - :before_kb AS growth_kb \gset
SELECT length(j::bytea) AS canonical_bytes FROM (SELECT journey_agg(ts, kind, touch) j FROM journey_memory_ev) x \gset
SELECT :canonical_bytes AS canonical_bytes, :growth_kb * 1024 <= 3.25 * :canonical_bytes AS within_3x;
DROP TABLE journey_memory_ev;
