#!/usr/bin/env bash
# test/check.sh — run every test of impression_ext on this machine.
#
#   test/check.sh                              Debian's PostgreSQL 15
#   PG_CONFIG=/path/to/bin/pg_config test/check.sh   any installed 15..18
#   test/check.sh --only NAME[,NAME...]        some tests: a pg_regress test
#       (sql/NAME.sql, run after setup), regress (all of pg_regress), a
#       script test (upgrade, roundtrip, concurrency, incremental, shard, bi,
#       cron, realdata, package, markov), layout, unit, asan or fuzz
#
# Installs what is missing (Debian packages), builds and installs the
# extension into that server, starts a private cluster of it as the
# postgres user on its own port and socket directory, and runs: pg_regress
# (every sql/*.sql; those needing an extension the server lacks are
# skipped); the script tests test/upgrade.sh (0.1 -> 0.2), roundtrip.sh,
# concurrency.sh, incremental.sh (the incremental rollup against a
# rollup from scratch), shard.sh, bi.sh, cron.sh (waits for pg_cron's next
# minute; skipped without pg_cron), realdata.sh, package.sh (the Debian
# package; Debian's 15 only) and markov.sh (Markov attribution against the
# independent reference in test/reference/); test/layout.sh (file and function
# lengths); the plain-C unit tests, at -O2 and under
# AddressSanitizer + UBSan; a short libFuzzer run of each target in
# test/fuzz (FUZZ_SECONDS, default 20).  Stops the cluster at the end.
# Last line: "N passed, M failed, K skipped"; the exit status is non-zero
# on any failure (a skip is not one).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

ONLY=
while [ $# -gt 0 ]; do
	case $1 in
		--only) ONLY=${2:?--only needs a test name}; shift 2 ;;
		--only=*) ONLY=${1#--only=}; shift ;;
		*) sed -n '2,/^set -uo/p' "$0" | sed '$d'; exit 2 ;;
	esac
done
SCRIPTS=(upgrade roundtrip concurrency incremental shard bi cron realdata package markov)
REGRESS_ALL=$(cd "$REPO_ROOT/sql" && ls -- *.sql | sed 's/\.sql$//' | tr '\n' ' ')
# wanted NAME: is NAME among what --only asked for (everything without it)
wanted() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }
wanted_regress() {
	local t
	wanted regress && return 0
	for t in $REGRESS_ALL; do wanted "$t" && return 0; done
	return 1
}
# does what was asked for need a server (all but unit, asan and fuzz do)
wanted_server() {
	local t
	wanted_regress && return 0
	for t in "${SCRIPTS[@]}"; do wanted "$t" && return 0; done
	return 1
}
for name in ${ONLY//,/ }; do
	case " regress unit asan fuzz layout ${SCRIPTS[*]} $REGRESS_ALL " in
		*" $name "*) ;;
		*) ie_die "--only $name: no such test (pg_regress: $REGRESS_ALL)" ;;
	esac
done

PORT=${IE_CHECK_PORT:-54330}
DATADIR=$(mktemp -d /tmp/impression_ext_check.XXXXXX)
chmod 755 "$DATADIR"
passed=0
failed=0
skipped=0

cleanup() {
	ie_stop_cluster "$DATADIR"
	rm -rf "$DATADIR"
}
trap cleanup EXIT

ie_install_packages
if wanted_server; then
	ie_build_install || { echo "0 passed, 1 failed"; exit 1; }
	ie_start_cluster "$DATADIR" "$PORT"
fi

# pg_regress, every sql/*.sql.  A test whose first line is
# "-- requires: EXT" runs only where the server has EXT installed
# (postgresql-hll is a Debian package for 15 only here); otherwise it is
# skipped, and counted so.
run_regress() {
	local t need ok bad
	ie_log "pg_regress (PostgreSQL $PG_MAJOR, $PG_CONFIG)"
	regress=()
	for t in $(make -s PG_CONFIG="$PG_CONFIG" print-regress); do
		wanted regress || wanted "$t" || [ "$t" = setup ] || continue
		need=$(sed -n '1s/^-- requires: *//p' "sql/$t.sql")
		if [ -n "$need" ] && ! ie_have_extension "$need"; then
			echo "skip - pg_regress $t: extension $need is not installed on this server"
			skipped=$((skipped + 1))
		else
			regress+=("$t")
		fi
	done
	make -s PG_CONFIG="$PG_CONFIG" installcheck REGRESS="${regress[*]}" >/tmp/ie_regress.$$ 2>&1
	cat /tmp/ie_regress.$$
	# (15: "test name ... ok" / "... FAILED"; 16 and later print TAP,
	# "ok 1 - name" / "not ok 1 - name")
	ok=$(grep -cE '^((test| ) +[^ ]+ +\.\.\. ok|ok +[0-9]+ +[-+] )' /tmp/ie_regress.$$)
	bad=$(grep -cE '^((test| ) +[^ ]+ +\.\.\. (FAILED|failed)|not ok +[0-9]+ )' /tmp/ie_regress.$$)
	rm -f /tmp/ie_regress.$$
	if [ $((ok + bad)) -ne ${#regress[@]} ]; then
		echo "pg_regress reported $((ok + bad)) of ${#regress[@]} tests"
		bad=$((bad + 1))
	fi
	[ -f regression.diffs ] && [ "$bad" -gt 0 ] && head -200 regression.diffs
	passed=$((passed + ok)); failed=$((failed + bad))
}

# the script tests, each printing "<name>: N passed, M failed" last
# (", K skipped" may follow; see ie_report in test/lib.sh): upgrade.sh
# (0.1 values and catalog through ALTER EXTENSION UPDATE), roundtrip.sh
# (dump/restore and COPY round trips, the extension as a non-superuser
# owner), concurrency.sh (pgbench inserts while a rollup refreshes),
# incremental.sh (examples/incremental_rollup.sql merges every event once:
# pgbench writers, overlapping and failing merges, rebuilds),
# shard.sh (two postgres_fdw shards and a coordinator), bi.sh (the BI views
# through psql and psycopg2), cron.sh (pg_cron refreshes a rollup and
# merges the incremental one; waits up to two minutes), realdata.sh (the
# real click log in ../shared/data/real), package.sh (the Debian package
# built, installed, used and removed) and markov.sh (markov_attribution
# against test/reference/markov_reference.py)
run_script() {
	local name=$1 script=$2 out rc p f s
	ie_log "$name"
	out=$(bash "$script" 2>&1)
	rc=$?
	echo "$out"
	read -r p f s < <(echo "$out" | awk -v n="$name" '
		$1 == n ":" && $3 == "passed," && ($5 == "failed" || ($5 == "failed," && $7 == "skipped")) { print $2, $4, $6 + 0 }')
	p=${p:-0}; f=${f:-0}; s=${s:-0}
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "$script exited with status $rc"; fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ] && [ "$s" -eq 0 ]; then f=1; echo "$script reported nothing"; fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}
wanted_regress && run_regress
for name in "${SCRIPTS[@]}"; do
	wanted "$name" && run_script "$name" "test/$name.sh"
done

# the code layout rules (docs/DEVELOPING.md), no server needed
wanted layout && run_script layout test/layout.sh

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
wanted unit && run_unit "-O2" all
wanted asan && run_unit "ASan+UBSan" asan

# libFuzzer targets of the plain-C cores (test/fuzz), a short bounded run:
# one pass per target that ran FUZZ_SECONDS (default 20) without a crash,
# and one per target whose regression inputs replayed without one
run_fuzz() {
	local out rc p f ok
	ie_log "fuzzing (test/fuzz, ${FUZZ_SECONDS:-20} s a target)"
	out=$(make -s -C test/fuzz run FUZZ_SECONDS="${FUZZ_SECONDS:-20}" 2>&1)
	rc=$?
	echo "$out" | tail -40
	# a pass: a target's run, or the replay of its regression inputs
	ok=': ([0-9]+ runs|[0-9]+ regression input\(s\) replayed), 0 crashes$'
	p=$(echo "$out" | grep -cE "^fuzz_[a-z_]+$ok")
	f=$(echo "$out" | grep -E '^fuzz_[a-z_]+: ' | grep -vcE "$ok")
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "fuzzing exited with status $rc"; fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; echo "no fuzz target ran"; fi
	passed=$((passed + p)); failed=$((failed + f))
}
wanted fuzz && run_fuzz

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
