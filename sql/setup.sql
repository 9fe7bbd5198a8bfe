-- setup: install the extension the way a user does; later tests rely on it.
CREATE EXTENSION impression_ext;
SELECT extname, extversion, extrelocatable FROM pg_extension WHERE extname = 'impression_ext';
SELECT impression_ext_version();
-- trusted, so a database owner without superuser can create it
SELECT trusted FROM pg_available_extension_versions WHERE name = 'impression_ext';
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
