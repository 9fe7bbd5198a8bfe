#!/usr/bin/env bash
#
# test/bench/incremental_bench.sh — issue 18's scale targets for the
# incremental rollup of examples/incremental_rollup.sql: on 100M events (30
# days, 50 campaigns, 20M users), merging the last hour's events (about
# 140k) takes at most 1/50 of a rebuild from scratch; the 30-day campaign
# report read from the rollup takes the same time whatever the history
# (it reads the rollup rows, never the events): over 10M and 100M events of
# the same 30 days, and over a rollup ten times as long (the 100M rollup's
# rows copied to the 270 days before).
#
# Usage (as root on the project's Debian 12 machine; on a shared VM run it
# alone, e.g. under flock with the other timings):
#
#   test/bench/incremental_bench.sh
#
#   IE_BENCH_DIR, IE_BENCH_PORT   the cluster (default
#                                 /var/tmp/impression_ext_incremental_bench, 54341)
#   IE_BENCH_ROUNDS               interleaved rounds (default 3)
#   IE_BENCH_NO_BUILD=1           measure the extension as installed
#
# Not part of test/check.sh (tests never time anything).  Loads, once, the
# databases inc100m and inc10m with test/data/load.sh (--events 100000000
# --users 20000000 and --events 10000000 --users 2000000, both --campaigns
# 50 --days 30 --seed 1; about 25 minutes and 9 GB for the first), and
# reuses them when bench_loaded says they are loaded.  In each: installs the
# pattern (dropping an earlier rollup), rebuilds the rollup from scratch
# (round 0, a warm-up, with auto_explain logging the plans and memory), and
# keeps a copy of the newest events / 720 (an average hour's worth: about
# 139,000 of the 100M).  Then each round, in this order: inserts that hour
# again as new users (user_id + round x 10^12,
# through the queue trigger) and the same rows into a table without the
# trigger (the writers' cost of the queue); merges them
# (CALL campaign_daily_merge(), timed); rebuilds everything from scratch
# (CALL campaign_daily_rebuild(), timed, work_mem 1GB so its aggregate stays
# in memory); reads the 30-day report from each database's rollup and from
# the 300-day copy, 5 times each, alternating.  Prints every timing, then the medians, their ratios
# and the sizes, and merges one more hour untimed under auto_explain (its
# plan and memory go to the server log); the events copied in are deleted
# at the next run.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

DATADIR=${IE_BENCH_DIR:-/var/tmp/impression_ext_incremental_bench}
PORT=${IE_BENCH_PORT:-54341}
ROUNDS=${IE_BENCH_ROUNDS:-3}
READS=5
BIG=inc100m
SMALL=inc10m
declare -A GEN=(
	[$BIG]="--events 100000000 --users 20000000 --campaigns 50 --days 30 --seed 1"
	[$SMALL]="--events 10000000 --users 2000000 --campaigns 50 --days 30 --seed 1")
# an average hour's worth of events (the events / 720 hours, about 139,000
# of the 100M), the newest ones: the period's last hour holds fewer
NEXT_HOUR="SELECT * FROM events ORDER BY ts DESC
	LIMIT (SELECT round(reltuples / (30 * 24))::bigint FROM pg_class WHERE oid = 'events'::regclass)"
# report ROLLUP: the 30-day campaign report a dashboard runs
report() {
	echo "SELECT campaign_id, sum(impressions), sum(clicks), sum(cost),
	reach(reach_union_agg(reach_sketch)), reach_at_least(frequency_union_agg(frequency_sketch), 3)
	FROM $1 WHERE day >= '2026-10-01' AND day < '2026-10-31' GROUP BY campaign_id"
}

ie_install_packages
[[ ${IE_BENCH_NO_BUILD:-0} == 1 ]] || ie_build_install
ie_start_cluster "$DATADIR" "$PORT"
export PGOPTIONS='-c client_min_messages=warning'
bpsql() { local db=$1; shift; ie_psql -X -tA -d "$db" "$@"; }
# timed DB SQL [STATEMENT...]: the milliseconds of SQL as psql's \timing
# sees them (no connection set-up), after the given statements (settings)
timed() {
	local db=$1 sql=$2 before=() s
	shift 2
	for s in "$@"; do before+=(-c "$s"); done
	bpsql "$db" "${before[@]}" -c '\timing on' -c "$sql" | awk '/^Time: / { t = $2 } END { print t }'
}
median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4g", a / b }'; }
size() { bpsql "$1" -c "SELECT pg_size_pretty(pg_total_relation_size('$2'))"; }

echo "incremental_bench — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM," \
	"commit $(git -C "$REPO_ROOT" rev-parse --short HEAD), $(bpsql postgres -c 'SHOW shared_buffers') shared_buffers"

for db in $BIG $SMALL; do
	if ! bpsql postgres -c "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
		bpsql postgres -c "CREATE DATABASE $db" >/dev/null
	fi
	if [[ "$(bpsql "$db" -c "SELECT args FROM bench_loaded" 2>/dev/null)" != "${GEN[$db]}" ]]; then
		ie_log "$db: loading ${GEN[$db]}"
		# shellcheck disable=SC2086
		"$REPO_ROOT/test/data/load.sh" -d "$db" -- ${GEN[$db]}
		bpsql "$db" -c "DROP TABLE IF EXISTS bench_loaded" \
			-c "CREATE TABLE bench_loaded AS SELECT '${GEN[$db]}'::text AS args, false AS copied" >/dev/null
	fi
	# the hour copied in by an earlier run
	if [[ "$(bpsql "$db" -c "SELECT copied FROM bench_loaded")" == t ]]; then
		bpsql "$db" -c "DELETE FROM events WHERE user_id >= 1000000000000" -c "UPDATE bench_loaded SET copied = false" >/dev/null
	fi
	ie_log "$db: installing the pattern and rebuilding (round 0)"
	bpsql "$db" -q -c "CREATE EXTENSION IF NOT EXISTS impression_ext" -f "$REPO_ROOT/examples/incremental_rollup.sql" \
		-c "DROP TABLE IF EXISTS next_hour, events_plain" \
		-c "CREATE TABLE next_hour AS $NEXT_HOUR" \
		-c "CREATE TABLE events_plain (LIKE events)" -c "VACUUM ANALYZE next_hour, events_plain" >/dev/null
	t=$(timed "$db" "CALL campaign_daily_rebuild()" "SET work_mem = '1GB'" "LOAD 'auto_explain'" \
		"SET auto_explain.log_min_duration = '1s'" "SET auto_explain.log_analyze = on" "SET auto_explain.log_timing = off" \
		"SET auto_explain.log_nested_statements = on")
	echo "$db: round 0 rebuild $t ms; $(bpsql "$db" -c "SELECT count(*) FROM campaign_daily") rollup rows;" \
		"events $(size "$db" events), rollup $(size "$db" campaign_daily), an hour's worth $(bpsql "$db" -c "SELECT count(*) FROM next_hour") events"
	bpsql "$db" -c "VACUUM ANALYZE campaign_daily" >/dev/null
done

# a rollup ten times as long (300 days): the 100M rollup's rows again for
# each earlier 30 days, as a billion events of history would leave them
bpsql $BIG -c "DROP TABLE IF EXISTS campaign_daily_300d" \
	-c "CREATE TABLE campaign_daily_300d AS SELECT campaign_id, day - 30 * k AS day, impressions, clicks, conversions, cost,
		reach_sketch, frequency_sketch FROM campaign_daily, generate_series(0, 9) k" \
	-c "ALTER TABLE campaign_daily_300d ADD PRIMARY KEY (campaign_id, day)" -c "VACUUM ANALYZE campaign_daily_300d" >/dev/null
echo "$BIG: campaign_daily_300d, $(bpsql $BIG -c "SELECT count(*) FROM campaign_daily_300d") rows, $(size $BIG campaign_daily_300d)"

declare -A T
for ((r = 1; r <= ROUNDS; r++)); do
	copy="SELECT user_id + $r * 1000000000000, ts, kind, campaign_id, cost, revenue FROM next_hour"
	bpsql $BIG -c "UPDATE bench_loaded SET copied = true" -c "TRUNCATE events_plain" >/dev/null
	T[insert]+=" $(timed $BIG "INSERT INTO events $copy")"
	T[insert_plain]+=" $(timed $BIG "INSERT INTO events_plain $copy")"
	T[queue]=$(size $BIG campaign_daily_queue)
	T[merge]+=" $(timed $BIG "CALL campaign_daily_merge()")"
	T[rebuild]+=" $(timed $BIG "CALL campaign_daily_rebuild()" "SET work_mem = '1GB'")"
	big= long= small=
	for ((i = 0; i < READS; i++)); do
		big+=" $(timed $BIG "$(report campaign_daily)")"
		long+=" $(timed $BIG "$(report campaign_daily_300d)")"
		small+=" $(timed $SMALL "$(report campaign_daily)")"
	done
	T[read_$BIG]+=$big
	T[read_300d]+=$long
	T[read_$SMALL]+=$small
	echo "round $r: insert ${T[insert]##* } ms (without the trigger ${T[insert_plain]##* }), merge ${T[merge]##* } ms," \
		"rebuild ${T[rebuild]##* } ms; report over $BIG:$big, over its 300-day copy:$long, over $SMALL:$small (ms)"
done

declare -A M
for k in insert insert_plain merge rebuild read_$BIG read_300d read_$SMALL; do M[$k]=$(echo "${T[$k]}" | median); done
echo
echo "medians of $ROUNDS rounds (the report: $((ROUNDS * READS)) runs a database):"
echo "  merge of an hour's worth ($(bpsql $BIG -c "SELECT count(*) FROM next_hour") events) into $BIG: ${M[merge]} ms;" \
	"rebuild from scratch: ${M[rebuild]} ms; merge / rebuild = $(ratio "${M[merge]}" "${M[rebuild]}")" \
	"(1/$(ratio "${M[rebuild]}" "${M[merge]}"); target at most 1/50)"
echo "  30-day report from the rollup: over $BIG ${M[read_$BIG]} ms, over $SMALL ${M[read_$SMALL]} ms" \
	"(ratio $(ratio "${M[read_$BIG]}" "${M[read_$SMALL]}")); over 300 days of $BIG's rollup rows ${M[read_300d]} ms" \
	"(ratio to 30 days $(ratio "${M[read_300d]}" "${M[read_$BIG]}"))"
echo "  inserting the hour: ${M[insert]} ms with the queue trigger, ${M[insert_plain]} ms without;" \
	"ratio $(ratio "${M[insert]}" "${M[insert_plain]}"); the queue held $(bpsql $BIG -c "SELECT count(*) FROM next_hour") rows, ${T[queue]}"
echo "  sizes: $BIG events $(size $BIG events), rollup $(size $BIG campaign_daily); $SMALL events $(size $SMALL events), rollup $(size $SMALL campaign_daily)"

# the merge's plan and memory, untimed: one more hour merged under auto_explain
copy="SELECT user_id + $((ROUNDS + 1)) * 1000000000000, ts, kind, campaign_id, cost, revenue FROM next_hour"
bpsql $BIG -c "INSERT INTO events $copy" -c "LOAD 'auto_explain'" -c "SET auto_explain.log_min_duration = 0" \
	-c "SET auto_explain.log_analyze = on" -c "SET auto_explain.log_timing = off" -c "SET auto_explain.log_nested_statements = on" \
	-c "CALL campaign_daily_merge()" >/dev/null
echo "  plans and memory (auto_explain) of round 0's rebuilds and of a last merge: $DATADIR/server.log"
