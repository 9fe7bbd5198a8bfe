/*
 * impression_ext.c — module entry point.
 *
 * The extension's SQL objects are defined in impression_ext--*.sql; the C
 * behind them lives in src/ (PostgreSQL glue) and src/core/ (plain-C
 * algorithms that build and test without a server).  This file holds only
 * what belongs to the module as a whole.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

#include "impression_ext.h"

PG_MODULE_MAGIC;

/*
 * The version of the loaded shared library, which can differ from the
 * installed SQL version (pg_extension.extversion) after a package upgrade
 * until ALTER EXTENSION ... UPDATE is run.
 */
PG_FUNCTION_INFO_V1(impression_ext_version);
Datum
impression_ext_version(PG_FUNCTION_ARGS)
{
	PG_RETURN_TEXT_P(cstring_to_text(IMPRESSION_EXT_VERSION));
}
