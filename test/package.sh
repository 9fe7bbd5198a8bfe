#!/usr/bin/env bash
# test/package.sh — the Debian package: `dpkg-buildpackage -us -uc -b` on a
# copy of the source tree builds postgresql-15-impression-ext with Debian's
# pg_buildext (debian/), `dpkg -i` installs it in place of the files `make
# install` put there, and a fresh cluster creates and uses the extension
# (0.2 directly, and 0.1 updated to 0.2) from the package's files alone;
# `dpkg -r` removes them.  The cleanup puts back what `make install` had
# installed, so the other tests are not disturbed.
#
# Only on Debian's PostgreSQL 15 (the package is built for the server-dev
# versions Debian installed), as root (dpkg -i); skipped otherwise.  Run by
# test/check.sh; prints "ok - ..." / "not ok - ..." per check and last
# "package: N passed, M failed".
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PKG=postgresql-15-impression-ext
if [ "$PG_CONFIG" != "$IE_DEBIAN_PG_CONFIG" ]; then
	skip "the Debian package is built for Debian's PostgreSQL 15, not $PG_CONFIG"
	ie_report package
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	skip "installing a package needs root"
	ie_report package
	exit 0
fi

VERSION=$(make -s -C "$REPO_ROOT" print-version)
WORK=$(mktemp -d /tmp/impression_ext_package.XXXXXX)
chmod 755 "$WORK"
PORT=${IE_PACKAGE_PORT:-54331}
DATADIR=$WORK/cluster
SRC=$WORK/impression-ext-$VERSION
cleanup() {
	ie_stop_cluster "$DATADIR"
	dpkg -r "$PKG" >/dev/null 2>&1
	make -C "$REPO_ROOT" -s PG_CONFIG="$PG_CONFIG" install >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT

# the files the package must provide, where `make install` also puts them
FILES=("$PG_PKGLIBDIR/impression_ext.so" "$PG_SHAREDIR/extension/impression_ext.control"
	"$PG_SHAREDIR/extension/impression_ext--$VERSION.sql")

# the source tree as a release has it: the tracked files, nothing built
mkdir -p "$SRC"
if git -C "$REPO_ROOT" rev-parse >/dev/null 2>&1; then
	git -C "$REPO_ROOT" ls-files -co --exclude-standard | tar -C "$REPO_ROOT" -cf - -T - | tar -C "$SRC" -xf -
else
	(cd "$REPO_ROOT" && tar --exclude='*.o' --exclude='*.so' --exclude='*.bc' -cf - .) | tar -C "$SRC" -xf -
fi
(cd "$SRC" && dpkg-buildpackage -us -uc -b) >"$WORK/build.log" 2>&1
rc=$?
[ $rc -eq 0 ] || tail -30 "$WORK/build.log"
deb=$WORK/${PKG}_${VERSION}_$(dpkg --print-architecture).deb
check "dpkg-buildpackage -us -uc -b builds ${deb##*/}" "$rc $([ -f "$deb" ] && echo built)" "0 built"
check "the package holds the library, the control file and every install and upgrade script" \
	"$(dpkg -c "$deb" | grep -cE "/(impression_ext\.so|impression_ext\.control|impression_ext--[0-9.]+(--[0-9.]+)?\.sql)$")" \
	"$((2 + $(cd "$REPO_ROOT" && ls impression_ext--*.sql | wc -l)))"

# install it in place of make install's files
rm -f "${FILES[@]}" "$PG_SHAREDIR"/extension/impression_ext--*.sql
rm -rf "$PG_PKGLIBDIR/bitcode/impression_ext" "$PG_PKGLIBDIR/bitcode/impression_ext.index.bc"
dpkg -i "$deb" >"$WORK/install.log" 2>&1
rc=$?
[ $rc -eq 0 ] || cat "$WORK/install.log"
check "dpkg -i installs $PKG $VERSION" "$rc $(dpkg-query -W -f='${Status} ${Version}' "$PKG" 2>/dev/null)" "0 install ok installed $VERSION"
owned=0
for f in "${FILES[@]}"; do dpkg -S "$f" 2>/dev/null | grep -q "^$PKG:" && owned=$((owned + 1)); done
check "the server's impression_ext files belong to the package" "$owned" "${#FILES[@]}"

# a fresh cluster uses it
ie_start_cluster "$DATADIR" "$PORT"
q() { ie_psql -X -v ON_ERROR_STOP=1 -tA "$@"; }
q -d postgres -c "CREATE DATABASE ie_package" -c "CREATE DATABASE ie_package_01" >/dev/null
check "CREATE EXTENSION from the package: version $VERSION, library $VERSION" \
	"$(q -d ie_package -c "CREATE EXTENSION impression_ext" -c "SELECT extversion || ' ' || impression_ext_version() FROM pg_extension WHERE extname = 'impression_ext'")" \
	"$VERSION $VERSION"
# 3,000 impressions of 1,000 users, three each; a user who clicks campaign
# 1 and converts an hour later
check "the package's extension works: reach, 3+ reach, CTR and an attributed conversion" \
	"$(q -d ie_package -c "SELECT reach(reach_agg(x % 1000)) || ' ' || reach_at_least(frequency_agg(x % 1000), 3) || ' ' || ctr(10, 1000)
		FROM generate_series(1, 3000) x" -c "SELECT touch || ' ' || touch_kind || ' ' || credit FROM attribute((SELECT journey_agg(ts, kind, touch) FROM (VALUES
			(timestamptz '2026-12-01 10:00+00', 'impression', 'campaign 1'), ('2026-12-01 10:05+00', 'click', 'campaign 1'),
			('2026-12-01 11:05+00', 'conversion', NULL)) e(ts, kind, touch)))")" \
	"1000 1000 0.01
campaign 1 click 1"
check "0.1 from the package updates to $VERSION" \
	"$(q -d ie_package_01 -c "CREATE EXTENSION impression_ext VERSION '0.1'" -c "ALTER EXTENSION impression_ext UPDATE" \
		-c "SELECT extversion || ' ' || reach(reach_agg(x)) FROM pg_extension, generate_series(1, 10) x WHERE extname = 'impression_ext' GROUP BY extversion")" \
	"$VERSION 10"
ie_stop_cluster "$DATADIR"

dpkg -r "$PKG" >/dev/null 2>&1
left=0
for f in "${FILES[@]}"; do [ -e "$f" ] && left=$((left + 1)); done
check "dpkg -r removes the package's files" "$left $(dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -c '^install ok')" "0 0"

ie_report package
