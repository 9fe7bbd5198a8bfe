-- journey_memory with the events shuffled, so that the final function
-- must sort them: the peak stays within 4.5x the canonical size.
-- Measured on PostgreSQL 15 (2026-12-03): 3.4x, where sorting 24-byte keys
-- with a merge buffer as large took 5.9x.
CREATE FUNCTION pg_temp.kb(what text) RETURNS bigint LANGUAGE sql AS $$
	SELECT substring(pg_read_file('/proc/self/status') FROM what || ':\s*(\d+) kB')::bigint $$;
SET max_parallel_workers_per_gather = 0;
SET work_mem = '1MB';
CREATE TEMP TABLE shuffled AS
SELECT timestamptz '2026-01-01 00:00+00' + i * interval '1 second' AS ts,
       CASE WHEN i % 5 = 0 THEN 'click' ELSE 'impression' END AS kind,
       'campaign ' || (i % 40) AS touch
FROM generate_series(1, 1000000) i ORDER BY md5(i::text);
RESET work_mem;
SELECT count(*) FROM shuffled WHERE kind IS NOT NULL;
COPY (SELECT 5) TO '/proc/self/clear_refs';
SELECT pg_temp.kb('VmHWM') AS before_kb \gset
SELECT count(*) FROM (SELECT journey_agg(ts, kind, touch) j FROM shuffled) x WHERE j IS NOT NULL;
SELECT pg_temp.kb('VmHWM') - :before_kb AS growth_kb \gset
SELECT length(j::bytea) AS canonical_bytes FROM (SELECT journey_agg(ts, kind, touch) j FROM shuffled) x \gset
SELECT :canonical_bytes AS canonical_bytes, :growth_kb * 1024 <= 4.5 * :canonical_bytes AS within_4_5x;
-- the same journey as the events in time order
SELECT (SELECT journey_agg(ts, kind, touch) FROM (SELECT * FROM shuffled ORDER BY ts) o) =
       (SELECT journey_agg(ts, kind, touch) FROM shuffled) AS same;
