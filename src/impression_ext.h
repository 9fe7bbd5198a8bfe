/*
 * impression_ext.h — what every PostgreSQL glue file shares: the server
 * headers, and the one place where PostgreSQL versions differ.
 *
 * Supported: PostgreSQL 15 to 18.  Any code that must differ by server
 * version goes through PG_VERSION_NUM here, never in a .c file, so that the
 * next major's changes have one place to land.  Stored-format constants of
 * each type live with its plain-C core in src/core/.
 */
#ifndef IMPRESSION_EXT_H
#define IMPRESSION_EXT_H

#include "postgres.h"

#include "fmgr.h"

#if PG_VERSION_NUM < 150000
#error "impression_ext needs PostgreSQL 15 or later"
#endif

/*
 * 16 moved the varlena macros (VARDATA, VARSIZE, VARATT_IS_EXTENDED, ...)
 * out of postgres.h into varatt.h.
 */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/* set by the Makefile from EXTVERSION */
#ifndef IMPRESSION_EXT_VERSION
#error "IMPRESSION_EXT_VERSION is not defined: build with the extension's Makefile"
#endif

#endif
