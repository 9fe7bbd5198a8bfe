#!/usr/bin/env bash
# test/check.sh — run every test of impression_ext on this machine.
#
# Installs what is missing (Debian packages), builds and installs the
# extension, starts a private PostgreSQL cluster as the postgres user on its
# own port and socket directory, and runs: pg_regress (make installcheck);
# the script tests test/roundtrip.sh, concurrency.sh, shard.sh, bi.sh,
# cron.sh (waits for pg_cron's next minute) and realdata.sh; the plain-C
# unit tests, at -O2 and under AddressSanitizer + UBSan; a short libFuzzer
# run of each target in test/fuzz (FUZZ_SECONDS, default 20).  Stops the
# cluster at the end.
# Last line: "N passed, M failed"; the exit status is non-zero on any failure.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

PORT=${IE_CHECK_PORT:-54330}
DATADIR=$(mktemp -d /tmp/impression_ext_check.XXXXXX)
chmod 755 "$DATADIR"
passed=0
failed=0

cleanup() {
	ie_stop_cluster "$DATADIR"
	rm -rf "$DATADIR"
}
trap cleanup EXIT

ie_install_packages
ie_build_install || { echo "0 passed, 1 failed"; exit 1; }
ie_start_cluster "$DATADIR" "$PORT"

# pg_regress prints one line per test: "test name ... ok" or "... FAILED"
ie_log "pg_regress"
make -s PG_CONFIG="$PG_CONFIG" installcheck >/tmp/ie_regress.$$ 2>&1
cat /tmp/ie_regress.$$
ok=$(grep -cE '^(test| ) +[^ ]+ +\.\.\. ok' /tmp/ie_regress.$$)
bad=$(grep -cE '^(test| ) +[^ ]+ +\.\.\. (FAILED|failed)' /tmp/ie_regress.$$)
rm -f /tmp/ie_regress.$$
if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then bad=1; echo "pg_regress ran no test"; fi
[ -f regression.diffs ] && [ "$bad" -gt 0 ] && head -200 regression.diffs
passed=$((passed + ok)); failed=$((failed + bad))

# scripts that print "<name>: N passed, M failed" last: test/roundtrip.sh
# (dump/restore and COPY round trips, the extension as a non-superuser
# owner), test/concurrency.sh (pgbench inserts while a rollup refreshes),
# test/shard.sh (two postgres_fdw shards and a coordinator)
# test/bi.sh (the BI views through psql and psycopg2) and test/cron.sh
# (pg_cron refreshes a rollup; waits up to two minutes) and
# test/realdata.sh (the real click log in ../shared/data/real)
run_script() {
	local name=$1 script=$2 out rc p f
	ie_log "$name"
	out=$(bash "$script" 2>&1)
	rc=$?
	echo "$out"
	read -r p f < <(echo "$out" | awk -v n="$name" '$1 == n ":" && $3 == "passed," && $5 == "failed" { print $2, $4 }')
	p=${p:-0}; f=${f:-0}
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "$script exited with status $rc"; fi
	passed=$((passed + p)); failed=$((failed + f))
}
run_script roundtrip test/roundtrip.sh
run_script concurrency test/concurrency.sh
run_script shard test/shard.sh
run_script bi test/bi.sh
run_script cron test/cron.sh
run_script realdata test/realdata.sh

# unit tests print "name: N passed, M failed" per program
run_unit() {
	local label=$1 target=$2 out
	ie_log "unit tests ($label)"
	out=$(make -s -C test/unit $target 2>&1)
	local rc=$?
	echo "$out"
	local p f
	read -r p f < <(echo "$out" | awk '/: [0-9]+ passed, [0-9]+ failed$/ { p += $(NF-3); f += $(NF-1) } END { print p+0, f+0 }')
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "unit tests ($label) exited with status $rc"; fi
	passed=$((passed + p)); failed=$((failed + f))
}
run_unit "-O2" all
run_unit "ASan+UBSan" asan

# libFuzzer targets of the plain-C cores (test/fuzz), a short bounded run:
# one pass per target that ran FUZZ_SECONDS (default 20) without a crash
ie_log "fuzzing (test/fuzz, ${FUZZ_SECONDS:-20} s a target)"
out=$(make -s -C test/fuzz run FUZZ_SECONDS="${FUZZ_SECONDS:-20}" 2>&1)
rc=$?
echo "$out" | tail -40
p=$(echo "$out" | grep -cE '^fuzz_[a-z_]+: [0-9]+ runs, 0 crashes$')
f=$(echo "$out" | grep -E '^fuzz_[a-z_]+: ' | grep -vcE ': [0-9]+ runs, 0 crashes$')
if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "fuzzing exited with status $rc"; fi
if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; echo "no fuzz target ran"; fi
passed=$((passed + p)); failed=$((failed + f))

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
