#!/usr/bin/env bash
#
# test/bench/reach_bench.sh — the reach_sketch benchmark (DESIGN.md, "Targets").
#
# Usage (as root on the project's Debian 12 machine, from anywhere):
#
#   test/bench/reach_bench.sh
#
# Not part of test/check.sh (tests never time anything).  It:
#   1. installs missing packages, builds and installs impression_ext
#      (test/lib.sh: ie_install_packages, ie_build_install);
#   2. starts its own private cluster on port 54340 in
#      /var/tmp/impression_ext_bench (socket in that directory, no TCP), with
#      a database "bench" holding extensions impression_ext and hll;
#   3. loads the 10M-event table once (test/data/load.sh -- --events 10000000
#      --users 2000000 --campaigns 50 --days 30; a later run reuses it when
#      the table bench_meta says it was loaded with those arguments and the
#      row count still matches), then VACUUM ANALYZE;
#   4. prints, measured in this run, as ratios (seconds only alongside):
#      a. SELECT reach_agg(user_id) FROM events (and reach(reach_agg(...)))
#         against count(*), count(DISTINCT user_id) and
#         hll_add_agg(hll_hash_bigint(user_id)), serially and with 2 parallel
#         workers (EXPLAIN shows the workers planned and launched);
#      b. the same per campaign (GROUP BY campaign_id);
#      c. hash-aggregate memory of the campaign x day rollup and of a
#         GROUP BY user_id % 100000 (100,000 small groups), reach_agg vs
#         hll_add_agg, from EXPLAIN (ANALYZE, BUFFERS);
#      d. accuracy and stored bytes from 1 to 10^7 distinct values, reach_sketch
#         vs postgresql-hll (log2m 14, regwidth 5), raw and at equal stored
#         bytes (test/bench/reach_accuracy.c, built against src/core; its
#         postgresql-hll simulation is first checked against the real
#         hll_cardinality / pg_column_size on the server);
#      e. a summary: each target with MET / MISSED and the measured figure.
#
# Timing: every query runs once to warm up, then IE_BENCH_RUNS times (default
# 9); the runs of one block are interleaved (round r runs every query of the
# block once, in a rotated order) so drifts of a shared machine hit all of
# them alike, all in one session (a fresh backend's first scan pays minor
# page faults on the shared buffers).  A fixed CPU-bound probe between
# rounds shows how much the host's speed drifted.  A run's time is the "Execution Time" of EXPLAIN (ANALYZE,
# TIMING OFF), which excludes planning and the client and also gives the
# parallel workers launched; the figure is the median, min..max alongside,
# and the ratios are given of the medians and of the minimums (on this VM
# the host sometimes slows every query by 30-90 % for tens of seconds,
# which no in-guest counter shows; the minimums are immune to that).
# Before timing the script waits for other processes on the machine to
# go quiet, measures the CPU they take during each block, and repeats a
# block they disturbed (see IE_BENCH_MAX_OTHERS).
#
# Environment (all optional):
#   IE_BENCH_RUNS=9              timed runs per query (after 1 warm-up)
#   IE_BENCH_NO_BUILD=1          do not build and install: measure the
#                                extension as installed now
#   IE_BENCH_TRIALS=10000        accuracy trials up to 10^6 distinct values
#   IE_BENCH_BIG_TRIALS=1000     how many of them go on to 10^7
#   IE_BENCH_SKIP_TIMING=1       skip a and b
#   IE_BENCH_SKIP_MEMORY=1       skip c
#   IE_BENCH_SKIP_ACCURACY=1     skip d
#   IE_BENCH_PERF=1              also profile the serial queries with perf
#                                (installs linux-perf if missing) and print
#                                the top symbols of each
#   IE_BENCH_QUIET_WAIT=900      seconds to wait, before timing, for other
#                                processes to leave the CPUs alone (the
#                                CPU they used during each timed block is
#                                printed either way)
#   IE_BENCH_MAX_OTHERS=10       a timed block during which other processes
#   IE_BENCH_RETRIES=3           took more than this % of the CPUs is
#                                measured again, at most this many times
#   IE_BENCH_SIBLING_WAIT=3600   seconds to wait for another running
#                                test/bench/*_bench.sh (same cluster, same
#                                CPUs) to finish first
#   IE_BENCH_SKIP_SPILL=1        skip hll's 100,000-group rollup (it fills
#                                work_mem = 4GB and spills; about a minute)
#
# Leaves the cluster running (the data stays for the next run); stop it with
#   runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D /var/tmp/impression_ext_bench stop
# The full output is also written to test/bench/.build/reach_bench.out.
#
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
# shellcheck source=bench_lib.sh
source "$here/bench_lib.sh"
BENCH_NAME=reach_bench
cd "$REPO_ROOT"

PORT=54340
DATADIR=/var/tmp/impression_ext_bench
DB=bench
RUNS=${IE_BENCH_RUNS:-9}
TRIALS=${IE_BENCH_TRIALS:-10000}
BIG_TRIALS=${IE_BENCH_BIG_TRIALS:-1000}
GEN_ARGS=(--events 10000000 --users 2000000 --campaigns 50 --days 30)
BUILD="$here/.build"
WORK="$BUILD/work"
ACC_BIN="$BUILD/reach_accuracy"
OUT="$BUILD/reach_bench.out"

mkdir -p "$BUILD" "$WORK"
exec > >(tee "$OUT") 2>&1

t_start=$(date +%s)

# ---------------------------------------------------------------------------
# set-up
# ---------------------------------------------------------------------------
# another benchmark (test/bench/*_bench.sh) shares this cluster and the CPUs
# and rebuilds the extension: wait (up to IE_BENCH_SIBLING_WAIT s, default
# 3600) until none runs (bench_lib.sh's siblings; unlike its wait_sibling,
# other sessions in the cluster do not count, and the wait has no error)
waited=0
while s=$(siblings) && [[ -n $s ]] && ((waited < ${IE_BENCH_SIBLING_WAIT:-3600})); do
	((waited % 60 == 0)) && ie_log "waiting for another benchmark to finish: $(echo "$s" | tr '\n' ' ')"
	sleep 10
	waited=$((waited + 10))
done
bench_start_cluster
bench_create_database "$DB"
# impression_ext afresh, so the SQL objects match the library just built
# (the version number does not change while 0.1 is being developed); not
# CASCADE: if something in the database depends on it (another benchmark's
# tables), keep the extension as it is
bpsql -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS hll'
if ! bpsql -c 'SET client_min_messages = warning' -c 'DROP EXTENSION IF EXISTS impression_ext' \
	-c 'CREATE EXTENSION impression_ext' 2>"$WORK/recreate.err"; then
	ie_log "impression_ext not recreated (objects depend on it); using it as it is: $(head -1 "$WORK/recreate.err")"
	bpsql -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS impression_ext'
fi

bench_load_events
ie_log "VACUUM ANALYZE events"
bpsql -c 'VACUUM ANALYZE events'

# the accuracy tool, built against the core as it is in the tree now
ie_log "building reach_accuracy"
cc -O2 -Wall -Wextra -I"$REPO_ROOT/src/core" -o "$ACC_BIN.tmp" "$here/reach_accuracy.c" \
	"$REPO_ROOT"/src/core/*.c -lm -lpthread
mv "$ACC_BIN.tmp" "$ACC_BIN"

# ---------------------------------------------------------------------------
# header
# ---------------------------------------------------------------------------
bench_header "reach_sketch benchmark" ", postgresql-hll $(bpsql -tA -c "SELECT extversion FROM pg_extension WHERE extname = 'hll'")"
bpsql -tA -c "SELECT format('events: %s rows, %s users (count DISTINCT), %s campaigns + NULL, table %s (shared_buffers %s, so every scan reads through the OS cache ring)',
	count(*), count(DISTINCT user_id), count(DISTINCT campaign_id), pg_size_pretty(pg_relation_size('events')), current_setting('shared_buffers')) FROM events"
echo "settings for a and b: work_mem $(bpsql -tA -c 'SHOW work_mem'), jit $(bpsql -tA -c 'SHOW jit'), TimeZone UTC; median of $RUNS runs after 1 warm-up, EXPLAIN (ANALYZE, TIMING OFF) execution time"

# ---------------------------------------------------------------------------
# timing machinery
# ---------------------------------------------------------------------------
SERIAL_SET="SET max_parallel_workers_per_gather = 0;"
PARALLEL_SET="SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;"
COMMON_SET="SET TimeZone = 'UTC'; SET client_min_messages = warning;"
RESULTS="$WORK/timings.txt"
: >"$RESULTS"
: >"$WORK/probe.txt"
cat >"$WORK/probe.sh" <<PROBE
#!/bin/sh
# probe.sh BLOCK MODE ROUND: time a fixed CPU-bound job, append to probe.txt
a=\$(date +%s.%N)
"$ACC_BIN" --trials 20 --big-trials 0 --threads 1 >/dev/null
b=\$(date +%s.%N)
echo "\$1 \$2 \$3 \$(awk -v a="\$a" -v b="\$b" 'BEGIN { printf "%.4f", b - a }')" >>"$WORK/probe.txt"
PROBE
chmod +x "$WORK/probe.sh"

declare -A SQL
declare -a ORDER_TOTAL=(count count_distinct hll hll14 reach_agg reach)
declare -a ORDER_CAMPAIGN=(count count_distinct hll hll14 reach_agg reach)
declare -A LABEL=(
	[count]='count(*)'
	[count_distinct]='count(DISTINCT user_id)'
	[hll]='hll_add_agg(hll_hash_bigint(user_id))'
	[hll14]='hll_add_agg(hll_hash_bigint(user_id), 14, 5)'
	[reach_agg]='reach_agg(user_id)'
	[reach]='reach(reach_agg(user_id))'
)
# each label is the query's aggregate: over the whole table (block total)
# and per campaign (block campaign)
for name in "${!LABEL[@]}"; do
	SQL[total.$name]="SELECT ${LABEL[$name]} FROM events"
	SQL[campaign.$name]="SELECT campaign_id, ${LABEL[$name]} FROM events GROUP BY campaign_id"
done

# time_block_retried BLOCK MODE NAME...: time_block_one_session, repeated
# (after waiting for quiet) while other processes took more than
# IE_BENCH_MAX_OTHERS % (default 10) of the CPUs during it, at most
# IE_BENCH_RETRIES (default 3) more times.  (bench_lib.sh's time_block, which
# the other benchmarks use, runs a session a round and has no speed probe.)
time_block_retried() {
	local attempt
	for ((attempt = 0; ; attempt++)); do
		time_block_one_session "$@"
		ATTEMPTS[$1.$2]=$((attempt + 1))
		((OTHERS[$1.$2] <= ${IE_BENCH_MAX_OTHERS:-10})) && return 0
		((attempt < ${IE_BENCH_RETRIES:-3})) || return 0
		ie_log "other processes took ${OTHERS[$1.$2]} % of the CPUs during $1 ($2): measuring it again"
		awk -v b="$1" -v m="$2" '!($1 == b && $2 == m)' "$RESULTS" >"$RESULTS.tmp"
		mv "$RESULTS.tmp" "$RESULTS"
		awk -v b="$1" -v m="$2" '!($1 == b && $2 == m)' "$WORK/probe.txt" >"$WORK/probe.tmp"
		mv "$WORK/probe.tmp" "$WORK/probe.txt"
		wait_quiet
	done
}

# time_block_one_session BLOCK MODE NAME...: warm-up round 0, then RUNS
# interleaved rounds, all in ONE session.  (A new backend takes minor page faults on
# every shared buffer it touches for the first time: with most of the table
# in shared_buffers that costs its first scan 0.5-1 s on this VM, which
# would land on whichever query a fresh session ran first.  Parallel
# workers are new processes every time and pay part of it on each query;
# that is part of what parallel query costs here, so it stays measured.)
time_block_one_session() {
	local block=$1 mode=$2
	shift 2
	local names=("$@")
	local n=${#names[@]} r i j name settings snap_start
	if [[ $mode == serial ]]; then settings=$SERIAL_SET; else settings=$PARALLEL_SET; fi
	ie_log "timing $block ($mode): ${names[*]} — $((RUNS + 1)) rounds"
	{
		echo "$COMMON_SET $settings"
		for ((r = 0; r <= RUNS; r++)); do
			echo "\\echo @@round $r"
			# host speed probe between rounds: a fixed CPU-bound job outside PostgreSQL
			if ((r > 0)); then echo "\\! $WORK/probe.sh $block $mode $r"; fi
			for ((i = 0; i < n; i++)); do
				j=$(((i + r) % n))
				name=${names[$j]}
				echo "\\echo @@$name"
				echo "EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) ${SQL[$block.$name]};"
			done
		done
	} >"$WORK/block.sql"
	snap_start=$(cpu_snapshot)
	bpsql -tA -f "$WORK/block.sql" >"$WORK/block.out"
	sleep 0.3	# let the postmaster reap the backend
	OTHERS[$block.$mode]=$(others_share "$snap_start" "$(cpu_snapshot)")
	awk -v block="$block" -v mode="$mode" '
		/^@@round / { round = $2; next }
		/^@@/ { name = substr($0, 3); planned[name] = 0; launched[name] = 0; next }
		/Workers Planned:/ { planned[name] = $NF }
		/Workers Launched:/ { launched[name] = $NF }
		/Execution Time:/ { print block, mode, name, round, $(NF - 1) / 1000, planned[name], launched[name] }
	' "$WORK/block.out" >>"$RESULTS"
	awk '/^@@round 1$/ { exit } { print }' "$WORK/block.out" >"$WORK/plans.$block.$mode.txt"
	# spread of the host speed probe over the block's rounds: max / min - 1
	PROBE[$block.$mode]=$(awk -v b="$block" -v m="$mode" '$1 == b && $2 == m { if (!n++ || $4 < lo) lo = $4; if ($4 > hi) hi = $4 }
		END { printf "%.0f", n ? 100 * (hi / lo - 1) : 0 }' "$WORK/probe.txt")
}
declare -A PROBE

# print_block BLOCK MODE NAME...
print_block() {
	local block=$1 mode=$2
	shift 2
	local name med mn mx c cd h w cmin hmin
	c=$(stat "$block" "$mode" count median)
	cd=$(stat "$block" "$mode" count_distinct median)
	h=$(stat "$block" "$mode" hll median)
	cmin=$(stat "$block" "$mode" count min)
	hmin=$(stat "$block" "$mode" hll min)
	printf '  %-46s %8s %15s | %9s %9s %9s | %9s %9s |' "query" "median" "min..max" "/count(*)" "/count(D)" "/hll" "min:/cnt" "min:/hll"
	if [[ $mode == parallel ]]; then printf ' %9s %8s' "/serial" "workers"; fi
	echo
	for name in "$@"; do
		read -r med mn mx < <(time_stats "$block" "$mode" "$name")
		printf '  %-46s %7.3fs %6.3f..%6.3fs | %9s %9s %9s | %9s %9s |' "${LABEL[$name]}" "$med" "$mn" "$mx" \
			"$(div "$med" "$c")" "$(div "$med" "$cd")" "$(div "$med" "$h")" "$(div "$mn" "$cmin")" "$(div "$mn" "$hmin")"
		if [[ $mode == parallel ]]; then
			w=$(workers_used "$block" "$mode" "$name")
			[[ $w == 0/0 ]] && w="serial plan"
			printf ' %9s %8s' "$(div "$med" "$(stat "$block" serial "$name" median)")" "$w"
		fi
		echo
	done
}

# ---------------------------------------------------------------------------
# a, b: time
# ---------------------------------------------------------------------------
declare -A M		# figures for the summary

if [[ ${IE_BENCH_SKIP_TIMING:-0} != 1 ]]; then
	wait_quiet
	t0=$(now)
	time_block_retried total serial "${ORDER_TOTAL[@]}"
	time_block_retried total parallel "${ORDER_TOTAL[@]}"
	time_block_retried campaign serial "${ORDER_CAMPAIGN[@]}"
	time_block_retried campaign parallel "${ORDER_CAMPAIGN[@]}"

	echo
	echo "== a. whole table: SELECT <aggregate> FROM events   (ratios: median time / median time of the column's query, same run)"
	echo "  serial (max_parallel_workers_per_gather = 0):"
	print_block total serial "${ORDER_TOTAL[@]}"
	echo "  2 workers (max_parallel_workers_per_gather = 2, parallel_setup_cost = parallel_tuple_cost = 0; workers = launched/planned, min over runs;"
	echo "  the leader also scans, so 3 processes share $(nproc) CPUs; count(DISTINCT) has no partial form: workers only scan, the leader aggregates):"
	print_block total parallel "${ORDER_TOTAL[@]}"
	echo
	echo "== b. per campaign: SELECT campaign_id, <aggregate> FROM events GROUP BY campaign_id   (51 groups with the conversions' NULL)"
	echo "  serial:"
	print_block campaign serial "${ORDER_CAMPAIGN[@]}"
	echo "  2 workers:"
	print_block campaign parallel "${ORDER_CAMPAIGN[@]}"
	echo "  plans (first run of each block): $WORK/plans.*.txt; timing took $(since "$t0")"
	echo "  CPU used by other processes on the machine during the timed runs (% of its $(nproc) CPUs; should be near 0):" \
		"total serial ${OTHERS[total.serial]} %, total parallel ${OTHERS[total.parallel]} %," \
		"campaign serial ${OTHERS[campaign.serial]} %, campaign parallel ${OTHERS[campaign.parallel]} %" \
		"(attempts: ${ATTEMPTS[total.serial]}, ${ATTEMPTS[total.parallel]}, ${ATTEMPTS[campaign.serial]}, ${ATTEMPTS[campaign.parallel]})"
	echo "  host speed probe (a fixed CPU-bound job outside PostgreSQL, once per round), slowest / fastest round - 1:" \
		"${PROBE[total.serial]} %, ${PROBE[total.parallel]} %, ${PROBE[campaign.serial]} %, ${PROBE[campaign.parallel]} % (near 0 on a steady machine)"

	for b in total campaign; do
		for m in serial parallel; do
			M[$b.$m.r_count]=$(div "$(stat $b $m reach_agg median)" "$(stat $b $m count median)")
			M[$b.$m.r_hll]=$(div "$(stat $b $m reach_agg median)" "$(stat $b $m hll median)")
			M[$b.$m.r_count_min]=$(div "$(stat $b $m reach_agg min)" "$(stat $b $m count min)")
			M[$b.$m.r_hll_min]=$(div "$(stat $b $m reach_agg min)" "$(stat $b $m hll min)")
			M[$b.$m.launched]=$(stat $b $m reach_agg launched)
		done
		M[$b.speedup]=$(div "$(stat $b parallel reach_agg median)" "$(stat $b serial reach_agg median)")
		M[$b.speedup_min]=$(div "$(stat $b parallel reach_agg min)" "$(stat $b serial reach_agg min)")
		M[$b.hll_speedup]=$(div "$(stat $b parallel hll median)" "$(stat $b serial hll median)")
		M[$b.count_speedup]=$(div "$(stat $b parallel count median)" "$(stat $b serial count median)")
	done
fi

# ---------------------------------------------------------------------------
# c: hash-aggregate memory
# ---------------------------------------------------------------------------
if [[ ${IE_BENCH_SKIP_MEMORY:-0} != 1 ]]; then
	t0=$(now)
	# the settings of bench_lib.sh's mem_explain
	MEM_SET="SET max_parallel_workers_per_gather = 0; SET work_mem = '4GB'; SET hash_mem_multiplier = 1; SET enable_sort = off; SET TimeZone = 'UTC'; SET client_min_messages = warning;"
	: >"$WORK/mem.results"
	ROLLUP_R='SELECT campaign_id, ts::date, reach_agg(user_id) FROM events GROUP BY 1, 2'
	ROLLUP_H='SELECT campaign_id, ts::date, hll_add_agg(hll_hash_bigint(user_id)) FROM events GROUP BY 1, 2'
	ROLLUP_C='SELECT campaign_id, ts::date, count(*) FROM events GROUP BY 1, 2'
	SMALL_R='SELECT user_id % 100000, reach_agg(user_id) FROM events GROUP BY 1'
	SMALL_H='SELECT user_id % 100000, hll_add_agg(hll_hash_bigint(user_id)) FROM events GROUP BY 1'
	SMALL_C='SELECT user_id % 100000, count(*) FROM events GROUP BY 1'
	# the planner has no statistics on ts::date and guesses ~1M groups; it
	# sizes the hash table for that unless the transition state declares a
	# large size (hll_add_agg's does), so the same queries are also run with
	# extended statistics that give it the right estimate (rolled back).
	STATS='CREATE STATISTICS bench_tmp_campaign_day (ndistinct) ON campaign_id, (ts::date) FROM events; ANALYZE events;'
	mem_explain rollup_reach "$ROLLUP_R"
	mem_explain rollup_hll "$ROLLUP_H"
	mem_explain rollup_count "$ROLLUP_C"
	mem_explain rollup_reach_st "$ROLLUP_R" "$STATS"
	mem_explain rollup_hll_st "$ROLLUP_H" "$STATS"
	mem_explain rollup_count_st "$ROLLUP_C" "$STATS"
	mem_explain small_reach "$SMALL_R"
	mem_explain small_count "$SMALL_C"
	if [[ ${IE_BENCH_SKIP_SPILL:-0} != 1 ]]; then
		mem_explain small_hll "$SMALL_H"
	fi
	# stored size of the rollup (what a materialized view would hold): raw
	# values (pg_column_size of the aggregate's result: 4-byte header + body)
	# and as stored in a table (after TOAST's pglz compression, if any)
	ie_log "stored size of the campaign x day rollup"
	read -r roll_groups roll_dense roll_r roll_r_st roll_h11 roll_h11_st roll_h14 roll_h14_st < <(bpsql -tA -F ' ' \
		-c "SET TimeZone = 'UTC'" -c "SET max_parallel_workers_per_gather = 2" -c "SET client_min_messages = warning" \
		-c "DROP TABLE IF EXISTS pg_temp.bench_rollup" \
		-c "CREATE TEMP TABLE bench_rollup AS
			SELECT campaign_id, ts::date AS day,
			       reach_agg(user_id) AS r, pg_column_size(reach_agg(user_id)) AS r_raw,
			       hll_add_agg(hll_hash_bigint(user_id)) AS h11, pg_column_size(hll_add_agg(hll_hash_bigint(user_id))) AS h11_raw,
			       hll_add_agg(hll_hash_bigint(user_id), 14, 5) AS h14, pg_column_size(hll_add_agg(hll_hash_bigint(user_id), 14, 5)) AS h14_raw
			FROM events GROUP BY 1, 2" \
		-c "SELECT count(*), count(*) FILTER (WHERE reach_sketch_info(r)->>'representation' <> 'sparse'),
			       sum(r_raw), sum(pg_column_size(r)), sum(h11_raw), sum(pg_column_size(h11)), sum(h14_raw), sum(pg_column_size(h14))
			FROM bench_rollup")

	mem_line() { mem_row 2 44 skipped "$@"; }
	echo
	echo "== c. hash-aggregate memory (EXPLAIN (ANALYZE, BUFFERS), serial, work_mem = 4GB, hash_mem_multiplier = 1, enable_sort = off)"
	printf '  %-44s %8s %9s %7s %10s %10s %11s %9s\n' "query" "groups" "est." "batches" "memory" "disk" "per group" "time"
	echo "  campaign x day rollup: SELECT campaign_id, ts::date, <agg> FROM events GROUP BY 1, 2"
	mem_line rollup_count "count(*) (empty-table baseline)"
	mem_line rollup_reach "reach_agg(user_id)"
	mem_line rollup_hll "hll_add_agg(hll_hash_bigint(user_id))"
	echo "  the same with CREATE STATISTICS (ndistinct) ON campaign_id, (ts::date), so the planner expects the real group count:"
	mem_line rollup_count_st "count(*)"
	mem_line rollup_reach_st "reach_agg(user_id)"
	mem_line rollup_hll_st "hll_add_agg(hll_hash_bigint(user_id))"
	echo "  100,000 small groups: SELECT user_id % 100000, <agg> FROM events GROUP BY 1"
	mem_line small_count "count(*)"
	mem_line small_reach "reach_agg(user_id)"
	mem_line small_hll "hll_add_agg(hll_hash_bigint(user_id))"
	M[mem.rollup]=$(div "$(memf rollup_reach 5)" "$(memf rollup_hll 5)")
	M[mem.rollup_st]=$(div "$(memf rollup_reach_st 5)" "$(memf rollup_hll_st 5)")
	M[mem.small]=$(div "$(memf small_reach 5)" "$(memf small_hll 5)")
	hll_small_batches=$(memf small_hll 4)
	echo "  ratio reach_agg / hll_add_agg memory: rollup ${M[mem.rollup]} (planner's own estimate), ${M[mem.rollup_st]} (with the statistics);" \
		"100,000 groups ${M[mem.small]}$([[ ${hll_small_batches:-1} -gt 1 ]] && echo " (hll spilled in $hll_small_batches batches: its figure is capped at work_mem, so the true ratio is lower; hll needs about $(kb "$(awk -v m="$(memf rollup_hll_st 5)" -v g="$(memf rollup_hll_st 2)" 'BEGIN { printf "%.0f", m / g * 100000 }')") for 100,000 groups at its rollup's per-group size)")"
	echo "  minus the count(*) baseline (hash table without states): rollup $(div "$(($(memf rollup_reach 5) - $(memf rollup_count 5)))" "$(($(memf rollup_hll 5) - $(memf rollup_count 5)))"), with statistics $(div "$(($(memf rollup_reach_st 5) - $(memf rollup_count_st 5)))" "$(($(memf rollup_hll_st 5) - $(memf rollup_count_st 5)))")"
	echo "  stored campaign x day rollup, $roll_groups rows ($roll_dense of them dense): sum of pg_column_size, raw value / as stored in a table (TOAST):"
	echo "    reach_agg $(kb $((roll_r / 1024))) / $(kb $((roll_r_st / 1024))); hll_add_agg log2m 14 $(kb $((roll_h14 / 1024))) / $(kb $((roll_h14_st / 1024)))" \
		"(ratio $(div "$roll_r" "$roll_h14") / $(div "$roll_r_st" "$roll_h14_st")); default hll_add_agg (log2m 11, 4x the error) $(kb $((roll_h11 / 1024))) / $(kb $((roll_h11_st / 1024)))"
	echo "    reach_agg's hash-aggregate memory is $(div "$(($(memf rollup_reach_st 5) * 1024))" "$roll_r")x its raw result (with the statistics), $(div "$(($(memf rollup_reach 5) * 1024))" "$roll_r")x without"
	echo "  memory took $(since "$t0")"
fi

# ---------------------------------------------------------------------------
# d: accuracy
# ---------------------------------------------------------------------------
if [[ ${IE_BENCH_SKIP_ACCURACY:-0} != 1 ]]; then
	t0=$(now)
	echo
	echo "== d. accuracy and stored bytes, reach_sketch (p = 14) vs postgresql-hll (log2m = 14, regwidth = 5)"
	echo "  check of the simulation against the server, sets {1..N} (generate_series):"
	SERIES=1,100,1280,1281,3000,4096,4097,5000,16384,40960,100000,1000000
	"$ACC_BIN" --series "$SERIES" | grep -v '^#' | sort -n >"$WORK/series.sim"
	bpsql -tA -F ' ' -c "SET extra_float_digits = 3" -c "SET max_parallel_workers_per_gather = 0" -c "
		SELECT n, hll_cardinality(h), pg_column_size(h), reach(s), pg_column_size(s)
		FROM unnest('{$SERIES}'::int[]) AS n,
		LATERAL (SELECT hll_add_agg(hll_hash_bigint(x::bigint), 14, 5) AS h, reach_agg(x::bigint) AS s
		         FROM generate_series(1, n) AS x) AS a
		ORDER BY n" >"$WORK/series.sql"
	printf '  %8s | %22s %22s %9s %11s %3s | %9s %9s %11s %3s | %s\n' "N" "hll_cardinality" "simulated" "rel.diff" "bytes s/sim" "rep" "reach()" "simulated" "bytes s/sim" "rep" "agree"
	series_bad=0
	while read -r n hs hb rs rb && read -r n2 he hbs hrep re rbs rrep <&3; do
		read -r rel ok < <(awk -v a="$hs" -v b="$he" -v hb="$hb" -v hbs="$hbs" -v rs="$rs" -v re="$re" -v rb="$rb" -v rbs="$rbs" -v n="$n" -v n2="$n2" 'BEGIN {
			d = a - b; if (d < 0) d = -d; rel = d / (b > 0 ? b : 1)
			rr = (re >= 0) ? int(re + 0.5) : -1
			ok = (n == n2 && rel <= 1e-9 && hb == hbs && rs == rr && rb == rbs) ? "yes" : "NO"
			printf "%.1e %s\n", rel, ok }')
		[[ $ok == yes ]] || series_bad=1
		printf '  %8s | %22s %22s %9s %5s/%-5s %3s | %9s %9.0f %5s/%-5s %3s | %s\n' "$n" "$hs" "$he" "$rel" "$hb" "$hbs" "$hrep" "$rs" "$re" "$rb" "$rbs" "$rrep" "$ok"
	done <"$WORK/series.sql" 3<"$WORK/series.sim"
	M[sim_ok]=$([[ $series_bad == 0 ]] && echo yes || echo no)
	echo
	ie_log "accuracy: $TRIALS trials to 10^6, $BIG_TRIALS to 10^7 ($(nproc) threads)"
	"$ACC_BIN" --trials "$TRIALS" --big-trials "$BIG_TRIALS" --threads "$(nproc)" >"$WORK/accuracy.out"
	grep -v '^RESULT' "$WORK/accuracy.out" | sed 's/^/  /'
	echo "  accuracy took $(since "$t0")"
fi

# ---------------------------------------------------------------------------
# optional: where the time goes (IE_BENCH_PERF=1)
# ---------------------------------------------------------------------------
if [[ ${IE_BENCH_PERF:-0} == 1 ]]; then
	perf_install
	# perf_self_time NAME SETTINGS SQL: the backend's self time by symbol
	# over IE_BENCH_PERF_RUNS runs of SQL (after one warm-up run)
	perf_self_time() {
		local name=$1 settings=$2 sql=$3
		perf_record_backend "$name" "$settings" "$sql" "$WORK/perf.$name.data" -F 1999 || return 0
		echo "  $name: $sql  (self time, top symbols; [k] kernel, [.] user; hex = JIT code)"
		# awk reads everything: no SIGPIPE under pipefail
		{ perf report -i "$WORK/perf.$name.data" --no-children --sort dso,symbol --stdio 2>/dev/null || true; } |
			awk -v top="${IE_BENCH_PERF_TOP:-15}" '/^ +[0-9.]+%/ && n < top { n++; sub(/ +$/, ""); print "    " substr($0, 1, 100) }'
	}
	echo
	echo "== where the time goes: perf record -F 1999 on the backend, serial, ${IE_BENCH_PERF_RUNS:-3} runs each"
	perf_self_time total_reach_agg "$SERIAL_SET" "${SQL[total.reach_agg]}"
	perf_self_time total_count "$SERIAL_SET" "${SQL[total.count]}"
	perf_self_time total_hll "$SERIAL_SET" "${SQL[total.hll]}"
	perf_self_time campaign_reach_agg "$SERIAL_SET" "${SQL[campaign.reach_agg]}"
	perf_self_time campaign_hll "$SERIAL_SET" "${SQL[campaign.hll]}"
fi

# ---------------------------------------------------------------------------
# e: summary
# ---------------------------------------------------------------------------
line() { printf '  %s  %-62s %s\n' "$1" "$2" "$3"; }

echo
echo "== e. summary (targets: shared/DESIGN.md \"Targets\"; figures from this run)"
if [[ ${IE_BENCH_SKIP_TIMING:-0} != 1 ]]; then
	# note a block that other processes disturbed even after the retries
	dist() { ((OTHERS[$1] <= ${IE_BENCH_MAX_OTHERS:-10})) || echo " [disturbed: other processes took ${OTHERS[$1]} % of the CPUs]"; }
	line "$(verdict "${M[total.serial.r_count]}" '<=' 1.15)" "serial reach_agg <= 1.15x count(*), total" "${M[total.serial.r_count]}x (ratio of minimums ${M[total.serial.r_count_min]}x)$(dist total.serial)"
	line "$(verdict "${M[total.serial.r_hll]}" '<=' 0.9)" "serial reach_agg <= 0.9x hll_add_agg, total" "${M[total.serial.r_hll]}x (ratio of minimums ${M[total.serial.r_hll_min]}x)$(dist total.serial)"
	line "$(verdict "${M[campaign.serial.r_count]}" '<=' 1.15)" "serial reach_agg <= 1.15x count(*), per campaign" "${M[campaign.serial.r_count]}x (ratio of minimums ${M[campaign.serial.r_count_min]}x)$(dist campaign.serial)"
	line "$(verdict "${M[campaign.serial.r_hll]}" '<=' 0.9)" "serial reach_agg <= 0.9x hll_add_agg, per campaign" "${M[campaign.serial.r_hll]}x (ratio of minimums ${M[campaign.serial.r_hll_min]}x)$(dist campaign.serial)"
	line "      " "  same precision: reach_agg / hll_add_agg(.., 14, 5), total / per campaign" \
		"$(div "$(stat total serial reach_agg median)" "$(stat total serial hll14 median)")x / $(div "$(stat campaign serial reach_agg median)" "$(stat campaign serial hll14 median)")x"
	for b in total campaign; do
		v=${M[$b.speedup]}
		[[ ${M[$b.parallel.launched]} == 2 ]] || v=nan
		line "$(verdict "$v" '<' 1)" "faster with 2 workers, $b (parallel / serial time)" \
			"${M[$b.speedup]}x (minimums ${M[$b.speedup_min]}x), ${M[$b.parallel.launched]} workers launched (count(*) ${M[$b.count_speedup]}x, hll ${M[$b.hll_speedup]}x)$(dist $b.parallel)"
	done
	line "      " "  with 2 workers: reach_agg / count(*), total / per campaign" "${M[total.parallel.r_count]}x / ${M[campaign.parallel.r_count]}x"
	line "      " "  with 2 workers: reach_agg / hll_add_agg, total / per campaign" "${M[total.parallel.r_hll]}x / ${M[campaign.parallel.r_hll]}x"
fi
if [[ ${IE_BENCH_SKIP_MEMORY:-0} != 1 ]]; then
	line "$(verdict "${M[mem.rollup]}" '<=' 0.1)" "campaign x day rollup memory <= 0.1x hll" "${M[mem.rollup]}x (${M[mem.rollup_st]}x with the right group estimate)"
	line "      " "  100,000 small groups, memory vs hll" "${M[mem.small]}x$([[ ${hll_small_batches:-1} -gt 1 ]] && echo ' (hll spilled; capped)')"
fi
if [[ ${IE_BENCH_SKIP_ACCURACY:-0} != 1 ]]; then
	res() { awk -v k="$1" -v f="$2" '$1 == "RESULT" && $2 == k { for (i = 3; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] } }' "$WORK/accuracy.out"; }
	wtd=$(res worst_theory_dense ratio); wtd_at=$(res worst_theory_dense at); wtd_se=$(res worst_theory_dense se)
	wts=$(res worst_theory_sparse ratio); wts_at=$(res worst_theory_sparse at); wts_se=$(res worst_theory_sparse se)
	we=$(res worst_eq ratio); we_at=$(res worst_eq at); we_se=$(res worst_eq se)
	line "$([[ ${M[sim_ok]} == yes ]] && echo 'MET   ' || echo 'MISSED')" "postgresql-hll simulation agrees with the server (1e-9, bytes)" "${M[sim_ok]}"
	line "$(verdict "$wtd" '<=' 1.1)" "RMSE within 1.1x theory, dense range (2^p/4+1..10^7)" "worst ${wtd}x +- $wtd_se at n = $wtd_at"
	# in the sparse range an error is a rare 26-bit index collision (about
	# n^2 / 2^27 per trial), so the RMSE estimate rests on a handful of events
	line "$(noisy_verdict "$wts" "$wts_se" 1.1)" "RMSE within 1.1x theory, sparse range (1..2^p/4, linear counting)" "worst ${wts}x +- $wts_se at n = $wts_at"
	line "$(verdict "$we" '<=' 0.9)" "RMSE <= 0.9x hll at equal stored bytes, 10*2^p..10^7" "worst ${we}x +- $we_se at n = $we_at"
	# exactness in the sparse range (n <= 2^p/4): RMSE, and the share of
	# trials in which reach() (the rounded estimate) equals n
	read -r sp_rmse sp_at ex_min ex_at < <(awk '$1 == "RESULT" && $2 == "acc" { for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (v["ours_sparse"] == v["T"]) { s = v["ours_exact"] / v["T"]; if (!seen || s < m) { m = s; at = v["n"] }
			if (!seen || v["ours_rmse"] > r) { r = v["ours_rmse"]; rat = v["n"] }; seen = 1 } }
		END { printf "%g %s %.4f %s\n", r, rat, m, at }' "$WORK/accuracy.out")
	line "$(verdict "$sp_rmse" '<=' 0.001)" "sparse range exact or nearly so (RMSE <= 0.1 %)" \
		"worst RMSE $(awk -v e="$sp_rmse" 'BEGIN { printf "%.4f %%", e * 100 }') at n = $sp_at; reach() = n in $(awk -v e="$ex_min" 'BEGIN { printf "%.1f %%", e * 100 }') of trials at n = $ex_at (hll: exact up to 1280)"
	read -r bias_max bias_se bias_at < <(awk '$1 == "RESULT" && $2 == "acc" { for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (v["ours_sparse"] == 0 && v["ours_theory"] > 0) { b = v["ours_bias"] / v["ours_theory"]; if (b < 0) b = -b
			if (b > m) { m = b; se = v["ours_bias_se"] / v["ours_theory"]; at = v["n"] } } }
		END { printf "%.3f %.3f %s\n", m, se, at }' "$WORK/accuracy.out")
	line "$(noisy_verdict "$bias_max" "$bias_se" 0.1)" "no bias bump (|mean bias| <= 0.1 standard error, dense range)" \
		"worst ${bias_max} +- ${bias_se} SE at n = $bias_at; at 2.5*2^p ours $(res bias25 ours_se_units) SE, hll $(res bias25 hll_se_units) SE ($(awk -v b="$(res bias25 hll)" 'BEGIN { printf "%+.2f %%", b * 100 }'))"
fi
echo "  (NOISE: above the limit by less than two standard errors of the estimate: not a significant miss)"
echo
echo "whole run took $(($(date +%s) - t_start)) s; output also in $OUT"
echo "the cluster keeps running (data kept for the next run); stop it with:"
echo "  runuser -u postgres -- $PG_BIN/pg_ctl -D $DATADIR stop"
