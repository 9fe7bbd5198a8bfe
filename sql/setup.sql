-- setup: install the extension and update it through every version, as
-- postgresql-hll's setup test does, so every later test runs against an
-- extension that was upgraded: a fresh install of the newest version has
-- the same catalog (test/upgrade.sh compares them object by object).
CREATE EXTENSION impression_ext VERSION '0.1';
SELECT extversion FROM pg_extension WHERE extname = 'impression_ext';
ALTER EXTENSION impression_ext UPDATE TO '0.2';
-- the newest version is the default one
SELECT extname, extversion, extrelocatable FROM pg_extension WHERE extname = 'impression_ext';
SELECT default_version FROM pg_available_extensions WHERE name = 'impression_ext';
SELECT impression_ext_version();
-- every version is trusted, so a database owner without superuser can
-- create it
SELECT version, trusted FROM pg_available_extension_versions WHERE name = 'impression_ext' ORDER BY version;
-- every function of the extension has a comment (BI tools show them)
SELECT p.oid::regprocedure
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'impression_ext'
WHERE obj_description(p.oid, 'pg_proc') IS NULL;
-- no SECURITY DEFINER function
SELECT p.oid::regprocedure
FROM pg_proc p
JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'impression_ext'
WHERE p.prosecdef;
-- helpers of the later tests (each test file is its own session, the
-- database is shared): the SQLSTATE and message a statement fails with,
-- and how many parallel workers a query's execution really launched (a
-- plan can say "Workers Planned: 2" and run in the leader alone)
CREATE SCHEMA regress;
CREATE FUNCTION regress.error_of(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE query;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE FUNCTION regress.workers_launched(query text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	plan jsonb;
BEGIN
	EXECUTE 'EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF, FORMAT JSON) ' || query INTO plan;
	RETURN (SELECT sum(w::bigint) FROM jsonb_path_query(plan, 'strict $.**."Workers Launched"') w);
END $$;
