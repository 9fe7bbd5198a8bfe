# impression_ext — PGXS build.  The algorithms live in src/core/ (plain C,
# no postgres.h); src/*.c is the PostgreSQL glue around them.

MODULE_big = impression_ext
OBJS = \
	impression_ext.o \
	src/metrics.o \
	src/reach.o \
	src/frequency.o \
	src/core/frequency_core.o \
	src/journey.o \
	src/core/journey_core.o \
	src/sketch_io.o \
	src/core/hash.o \
	src/core/reach_core.o \
	src/core/stats.o

EXTENSION = impression_ext
DATA = $(wildcard impression_ext--*.sql)

REGRESS = setup metrics metrics_search_path reach_agg reach_io reach_parallel reach_hll reach_fuzz frequency_agg frequency_io journey_attribute journey_crosscheck journey_io hostile_input rollup
REGRESS_OPTS = --inputdir=. --outputdir=.

PG_CPPFLAGS = -I$(srcdir)/src -I$(srcdir)/src/core -Wall -Wextra -Werror \
	-Wno-unused-parameter  # fcinfo is unused in argument-less V1 functions
SHLIB_LINK = -lm

EXTRA_CLEAN = results regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# The plain-C core's unit tests build and run without a server.
.PHONY: unit unit-asan
unit:
	$(MAKE) -C test/unit
unit-asan:
	$(MAKE) -C test/unit asan
