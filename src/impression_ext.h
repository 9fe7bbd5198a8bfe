/*
 * impression_ext.h — declarations shared by the PostgreSQL glue files.
 *
 * Stored-format constants of each type live with its plain-C core in
 * src/core/; this header is for what the glue has in common.
 */
#ifndef IMPRESSION_EXT_H
#define IMPRESSION_EXT_H

#define IMPRESSION_EXT_VERSION "0.1"

#endif
