/* impression_ext--0.1--0.2.sql — upgrade script from 0.1 to 0.2 */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION impression_ext UPDATE TO '0.2'" to load this file. \quit

/*
 * Every change that 0.2 makes to the extension's SQL objects lands here in
 * the same commit as in impression_ext--0.2.sql, so that 0.1 + this script
 * and a fresh 0.2 install have the same catalog (test/upgrade.sh compares
 * them object by object).  Stored values of 0.1 are read by 0.2 unchanged:
 * the binary formats are the same (docs/FORMAT.md).
 *
 * 0.2 so far changes no SQL object: the library reports version 0.2.
 */
