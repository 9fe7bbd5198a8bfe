# impression_ext — PGXS build.  The algorithms live in src/core/ (plain C,
# no postgres.h); src/*.c is the PostgreSQL glue around them.
#
#   make && make install              against the pg_config on PATH
#   make PG_CONFIG=/path/to/pg_config against another PostgreSQL
#   make installcheck                 pg_regress, on a running server
#   test/check.sh                     everything (see README)

EXTENSION = impression_ext
# The one declaration of the version: the install script's name, the
# library's impression_ext_version(), and the checks below that the control
# file and META.json agree with it all follow from here.
EXTVERSION = 0.2

MODULE_big = impression_ext
# Every C file under src/: the glue in src/, the plain-C cores in src/core/
# (one file per concern; a new file needs no edit here).  `=` defers the
# expansion until PGXS has set $(srcdir).
OBJS = impression_ext.o \
	$(patsubst $(srcdir)/%.c,%.o,$(sort $(wildcard $(srcdir)/src/*.c $(srcdir)/src/core/*.c)))

# Every install script (impression_ext--X.Y.sql) and upgrade script
# (impression_ext--X.Y--X.Z.sql) in the source tree, so none can be left out.
# $(srcdir) is set by PGXS (a VPATH build, as Debian's pg_buildext does,
# reads the sources from elsewhere); `=` defers the expansion until then.
DATA = $(notdir $(wildcard $(srcdir)/$(EXTENSION)--*.sql))

# Every sql/*.sql file is a pg_regress test, setup first (it creates the
# extension the others use); the rest in name order.
REGRESS = setup $(filter-out setup,$(sort $(basename $(notdir $(wildcard $(srcdir)/sql/*.sql)))))

PG_CPPFLAGS = -I$(srcdir)/src -I$(srcdir)/src/core -Wall -Wextra -Werror \
	-Wno-unused-parameter \
	-DIMPRESSION_EXT_VERSION='"$(EXTVERSION)"'
# -Wno-unused-parameter: fcinfo is unused in argument-less V1 functions
SHLIB_LINK = -lm

EXTRA_CLEAN = results regression.diffs regression.out

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# A VPATH build writes its objects into a tree of its own.
ifneq ($(VPATH),)
$(shell mkdir -p src/core)
endif

# The control file, META.json and debian/changelog must name the version
# declared above.
control_version := $(shell sed -n "s/^default_version *= *'\(.*\)'/\1/p" $(srcdir)/$(EXTENSION).control)
ifneq ($(control_version),$(EXTVERSION))
$(error $(EXTENSION).control has default_version '$(control_version)', the Makefile's EXTVERSION is $(EXTVERSION))
endif
meta_version := $(shell sed -n '0,/"version"/s/^ *"version" *: *"\([^"]*\)".*/\1/p' $(srcdir)/META.json)
ifneq ($(meta_version),$(EXTVERSION))
$(error META.json has version '$(meta_version)', the Makefile's EXTVERSION is $(EXTVERSION))
endif
deb_version := $(shell head -1 $(srcdir)/debian/changelog | cut -d'(' -f2 | cut -d')' -f1 | cut -d- -f1)
ifneq ($(deb_version),$(EXTVERSION))
$(error debian/changelog's newest entry is version '$(deb_version)', the Makefile's EXTVERSION is $(EXTVERSION))
endif
ifeq ($(wildcard $(srcdir)/$(EXTENSION)--$(EXTVERSION).sql),)
$(error no install script $(EXTENSION)--$(EXTVERSION).sql for EXTVERSION $(EXTVERSION))
endif

# The library's version string is compiled in.
impression_ext.o: Makefile

# PGXS tracks no header dependencies (without --enable-depend): every
# object depends on every header, so a changed inline or declaration never
# leaves a stale object behind.
$(OBJS) $(OBJS:.o=.bc): $(wildcard $(srcdir)/src/*.h $(srcdir)/src/core/*.h)

# test/check.sh asks which tests there are (it skips those whose server
# lacks an extension they need); test/package.sh asks the version
.PHONY: print-regress print-version
print-regress:
	@echo $(REGRESS)
print-version:
	@echo $(EXTVERSION)

# clang-format (.clang-format, close to pgindent) on the files named:
#   make format FILES="src/journey.c src/core/hash.c"
.PHONY: format
format:
	@test -n "$(FILES)" || { echo 'make format FILES="file.c ..."'; exit 2; }
	clang-format -i --style=file:$(srcdir)/.clang-format $(FILES)

# The plain-C core's unit tests build and run without a server.
.PHONY: unit unit-asan
unit:
	$(MAKE) -C test/unit
unit-asan:
	$(MAKE) -C test/unit asan
