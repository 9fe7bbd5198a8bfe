#!/usr/bin/env bash
#
# test/bench/readpath_bench.sh — the dashboard read path of issue 14
# (DESIGN.md, "Targets": reading rollups; stored size): reach_sketch against
# postgresql-hll and, when installed, DataSketches HLL_4 and CPC, all in one
# run, on the same campaign x day rollup.
#
# Usage (as root on the project's Debian 12 machine, from anywhere):
#
#   test/bench/readpath_bench.sh
#
# Not part of test/check.sh (tests never time anything).  It shares the
# cluster, database and table of test/bench/reach_bench.sh: port 54340,
# /var/tmp/impression_ext_bench, database "bench", the 10M-event table
# loaded by test/data/load.sh -- --events 10000000 --users 2000000
# --campaigns 50 --days 30 (loaded the same way when missing, reused when
# bench_meta says it is loaded: bench_lib.sh's bench_setup).  It waits for
# another running test/bench/*_bench.sh to finish before it builds, touches
# the database or times anything.  It:
#   0. installs missing packages, builds and installs impression_ext unless
#      IE_BENCH_NO_BUILD=1 (test/lib.sh), starts the cluster if it is not
#      running (socket in its directory, no TCP), creates the extensions
#      impression_ext (recreated when a function this script calls is
#      missing), hll and, when available, datasketches in the database;
#   1. builds the campaign x day rollup (UTC days; the events that have a
#      campaign: impressions and clicks; 50 x 30 = 1,500 rows), serially:
#        CREATE UNLOGGED TABLE readpath_bench_rollup AS
#        SELECT campaign_id, ts::date AS day,
#               reach_agg(user_id, 14) AS r,
#               hll_add_agg(hll_hash_bigint(user_id), 14, 5) AS h,
#               hll_sketch_build(user_id, 14, 4) AS dh,   -- DataSketches
#               cpc_sketch_build(user_id, 14) AS dc,      -- DataSketches
#               frequency_agg(user_id) AS f
#        FROM events WHERE campaign_id IS NOT NULL GROUP BY 1, 2
#      (dh and dc only when pg_available_extensions lists datasketches, which
#      is then created in the database; otherwise the output says they are
#      skipped), then VACUUM (FREEZE, ANALYZE); and the exact 30-day reach
#      per campaign, count(DISTINCT user_id) GROUP BY campaign_id, once;
#   2. times, serially, for each contender:
#      a. the 30-day reach per campaign from the rollup (one union of each
#         campaign's day sketches, then its estimate: reach(reach_union_agg(r)),
#         hll_cardinality(hll_union_agg(h)),
#         hll_sketch_get_estimate(hll_sketch_union(dh, 14, 4)),
#         cpc_sketch_get_estimate(cpc_sketch_union(dc, 14))), and, in the same
#         rounds, the frequency report per campaign from the same rollup
#         (frequency_histogram(frequency_union_agg(f)), LATERAL);
#      b. the reach of all rollup rows (one union of every row);
#      c. the estimate of one stored sketch: sum(<estimate>(s)) over the
#         rollup's rows whose reach_sketch is dense (a table of those rows:
#         the issue's "one stored p = 14 sketch"; sparse ones are cheaper) against sum(get_byte(s::bytea, 0)), which detoasts
#         the same values (hll, which has no cast to bytea:
#         get_byte(hll_send(h), 0), detoast and one copy); per call, raw and
#         net of that baseline (octet_length(s::bytea) would not do as the
#         baseline: it reads the size from the TOAST pointer);
#      d. building the per-campaign sketch from a serial scan of the events
#         (SELECT campaign_id, <aggregate> ... GROUP BY campaign_id; count(*)
#         alongside);
#   3. the rollup's stored bytes (pg_column_size: after TOAST; and raw) and
#      the RMS error of the 30-day per-campaign reach against the exact count;
#   4. the stored bytes of one sketch of n distinct values
#      (generate_series), n = 1 .. 10^7, of each contender at precision 14,
#      and the RMSE over disjoint ranges of n values (IE_BENCH_SIZE_TRIALS
#      ranges, fewer for large n: at most IE_BENCH_SIZE_ROWS values per n,
#      at least one range);
#   5. issue 14's table, filled in from this run;
#   6. a summary: each target with MET / MISSED and the measured figure.
#
# Timing (as in reach_bench.sh): every block of queries runs in ONE session:
# a warm-up round, then IE_BENCH_RUNS rounds, each running every query of the
# block once, in a rotated order, so drifts of a shared machine hit all of
# them alike.  A run's time is the "Execution Time" of EXPLAIN (ANALYZE,
# TIMING OFF) (no planning, no client), serial (max_parallel_workers_per_gather
# = 0); the figure is the median, min..max alongside, ratios are of the
# medians (ratios of minimums alongside in the summary).  Before timing the
# script waits for other processes to leave the CPUs alone, measures the CPU
# they take during each block, and repeats a block they disturbed.
#
# Environment (all optional):
#   IE_BENCH_RUNS=5              timed rounds per block (after 1 warm-up)
#   IE_BENCH_NO_BUILD=1          do not build and install: measure the
#                                extension as installed now
#   IE_BENCH_SKIP_TIMING=1       skip 2 (and the time rows of 5 and 6)
#   IE_BENCH_SKIP_SIZES=1        skip 4
#   IE_BENCH_SIZE_TRIALS=50      disjoint ranges per n in 4 ...
#   IE_BENCH_SIZE_ROWS=50000000  ... as long as they hold at most this many
#                                values in all (10^6: 50 ranges, 10^7: 5);
#                                4 then builds each sketch over about 10^8
#                                values: under a minute
#   IE_BENCH_SKIP_DATASKETCHES=1 leave DataSketches out even when installed
#   IE_BENCH_QUIET_WAIT=900      seconds to wait, before timing, for other
#                                processes to leave the CPUs alone
#   IE_BENCH_MAX_OTHERS=10       a timed block during which other processes
#   IE_BENCH_RETRIES=3           took more than this % of the CPUs is timed
#                                again, at most this many times
#   IE_BENCH_SIBLING_WAIT=3600   seconds to wait for another running
#                                test/bench/*_bench.sh (0: do not wait)
#   IE_BENCH_RECREATE_EXT=1      DROP and CREATE EXTENSION impression_ext in
#                                the database even if its functions exist
#   IE_BENCH_DB=bench            database; with IE_BENCH_GEN_ARGS (generator
#                                arguments) another database can hold a small
#                                table for a dry run, e.g.
#     IE_BENCH_DB=bench_readpath_dry IE_BENCH_GEN_ARGS='--events 300000 --users 60000 --campaigns 10 --days 30' \
#     IE_BENCH_RUNS=3 IE_BENCH_NO_BUILD=1 IE_BENCH_SIBLING_WAIT=0 IE_BENCH_QUIET_WAIT=0 IE_BENCH_RETRIES=0 \
#     test/bench/readpath_bench.sh
#
# Leaves the cluster running (the events stay for the next run) and drops
# the readpath_bench_* tables it creates.  The full output is also written to
# test/bench/.build/readpath_bench.out (readpath_bench.<db>.out for another
# database).
#
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
# shellcheck source=bench_lib.sh
source "$here/bench_lib.sh"
BENCH_NAME=readpath_bench
cd "$REPO_ROOT"

PORT=54340
DATADIR=/var/tmp/impression_ext_bench
DB=${IE_BENCH_DB:-bench}
RUNS=${IE_BENCH_RUNS:-5}
MAX_OTHERS=${IE_BENCH_MAX_OTHERS:-10}
RETRIES=${IE_BENCH_RETRIES:-3}
SIZE_TRIALS=${IE_BENCH_SIZE_TRIALS:-50}
SIZE_ROWS=${IE_BENCH_SIZE_ROWS:-50000000}
SIZE_NS=(1 10 100 1000 2000 4000 5000 10000 100000 1000000 10000000)
bench_gen_args
bench_output readpath bench

t_start=$(date +%s)

# the other benchmarks time queries on the same CPUs and cluster and
# rebuild the extension: wait for them (bench_lib.sh's wait_sibling)
wait_sibling

# ---------------------------------------------------------------------------
# set-up (bench_lib.sh), peers
# ---------------------------------------------------------------------------
bench_setup 'reach_agg(bigint, integer)' 'reach_union_agg(reach_sketch)' 'reach(reach_sketch)' \
	'reach_sketch_info(reach_sketch)' 'frequency_agg(bigint)' 'frequency_union_agg(frequency_sketch)' \
	'frequency_histogram(frequency_sketch, integer)'
bpsql -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS hll'
HAVE_DS=0
if [[ ${IE_BENCH_SKIP_DATASKETCHES:-0} == 1 ]]; then
	DS_SKIPPED="left out (IE_BENCH_SKIP_DATASKETCHES=1)"
elif [[ $(bpsql -tA -c "SELECT 1 FROM pg_available_extensions WHERE name = 'datasketches'") == 1 ]]; then
	bpsql -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS datasketches'
	HAVE_DS=1
else
	DS_SKIPPED="not available on this server (pg_available_extensions has no datasketches)"
fi
ie_log "VACUUM ANALYZE events"
bpsql -c 'VACUUM ANALYZE events'

ROLLUP=readpath_bench_rollup
DENSE=readpath_bench_dense
EXACT=readpath_bench_exact
drop_ours() {
	bpsql -c 'SET client_min_messages = warning' -c "DROP TABLE IF EXISTS $ROLLUP, $EXACT, $DENSE"
}
drop_ours

# ---------------------------------------------------------------------------
# the contenders: what each one's column holds and how it is read
# ---------------------------------------------------------------------------
CONT=(reach hll)
DS_CONT=()
if ((HAVE_DS)); then DS_CONT=(ds_hll ds_cpc); fi
CONT+=("${DS_CONT[@]}")
declare -A NAME=([reach]='reach_sketch' [hll]='postgresql-hll' [ds_hll]='DataSketches HLL_4' [ds_cpc]='DataSketches CPC')
# the rollup column, built from user_id
declare -A BUILD=([reach]='reach_agg(user_id, 14)' [hll]='hll_add_agg(hll_hash_bigint(user_id), 14, 5)'
	[ds_hll]='hll_sketch_build(user_id, 14, 4)' [ds_cpc]='cpc_sketch_build(user_id, 14)')
declare -A COL=([reach]=r [hll]=h [ds_hll]=dh [ds_cpc]=dc)
# the estimate of a union of a column's values
declare -A UNION=([reach]='reach(reach_union_agg(r))' [hll]='hll_cardinality(hll_union_agg(h))'
	[ds_hll]='hll_sketch_get_estimate(hll_sketch_union(dh, 14, 4))' [ds_cpc]='cpc_sketch_get_estimate(cpc_sketch_union(dc, 14))')
# the estimate of one stored value, and a baseline that detoasts it and
# does next to nothing else (get_byte takes the whole value:
# PG_GETARG_BYTEA_PP; hll has no cast to bytea, its send function copies it)
declare -A EST=([reach]='reach(r)' [hll]='hll_cardinality(h)' [ds_hll]='hll_sketch_get_estimate(dh)' [ds_cpc]='cpc_sketch_get_estimate(dc)')
declare -A DETOAST=([reach]='get_byte(r::bytea, 0)' [hll]='get_byte(hll_send(h), 0)' [ds_hll]='get_byte(dh::bytea, 0)' [ds_cpc]='get_byte(dc::bytea, 0)')
# the bytes of a value (without the 4-byte varlena header): the raw size
# (octet_length of the bytea cast reads it even from a TOAST pointer)
declare -A RAWBYTES=([reach]='octet_length(r::bytea)' [hll]='octet_length(hll_send(h))' [ds_hll]='octet_length(dh::bytea)' [ds_cpc]='octet_length(dc::bytea)')

# sql_list TEMPLATE: TEMPLATE (one SQL expression) for every contender, in
# the order reach hll ds_hll ds_cpc, joined by ", "; in it {c} is the
# contender's key, {col} its rollup column, {union} the estimate of a union
# of that column, {est} the estimate and {raw} the bytes of one value.  A
# DataSketches contender without DataSketches gives NULL::float8 (with the
# template's trailing "AS name", if any), so the columns keep their places.
sql_list() {
	local tpl=$1 c out="" item
	for c in reach hll ds_hll ds_cpc; do
		if [[ " ${CONT[*]} " == *" $c "* ]]; then
			item=${tpl//\{c\}/$c}
			item=${item//\{col\}/${COL[$c]}}
			item=${item//\{union\}/${UNION[$c]}}
			item=${item//\{est\}/${EST[$c]}}
			item=${item//\{raw\}/${RAWBYTES[$c]}}
		else
			item='NULL::float8'
			if [[ $tpl =~ \ AS\ ([a-z_{}]+)$ ]]; then item+=" AS ${BASH_REMATCH[1]//\{c\}/$c}"; fi
		fi
		out+="${out:+, }$item"
	done
	echo "$out"
}

# ---------------------------------------------------------------------------
# header
# ---------------------------------------------------------------------------
ds_version=$( ((HAVE_DS)) && bpsql -tA -c "SELECT extversion FROM pg_extension WHERE extname = 'datasketches'" || echo 'skipped')
extra=", postgresql-hll $(bpsql -tA -c "SELECT extversion FROM pg_extension WHERE extname = 'hll'"), DataSketches $ds_version"
if [[ ${IE_BENCH_NO_BUILD:-0} == 1 ]]; then extra="$extra; impression_ext as installed, not rebuilt"; fi
bench_header "rollup read path benchmark (issue 14)" "$extra"
bpsql -tA -c "SELECT format('events (database %s): %s rows, %s with a campaign, %s users (count DISTINCT), %s campaigns, table %s (shared_buffers %s)',
	current_database(), count(*), count(campaign_id), count(DISTINCT user_id), count(DISTINCT campaign_id),
	pg_size_pretty(pg_relation_size('events')), current_setting('shared_buffers')) FROM events"
echo "settings: serial (max_parallel_workers_per_gather = 0), work_mem $(bpsql -tA -c 'SHOW work_mem'), jit $(bpsql -tA -c 'SHOW jit'), TimeZone UTC;" \
	"median of $RUNS rounds after 1 warm-up, EXPLAIN (ANALYZE, TIMING OFF) execution time, one session per block"
if ((!HAVE_DS)); then
	echo "DataSketches: $DS_SKIPPED: its HLL_4 and CPC contenders are skipped"
fi

SERIAL_SET="SET max_parallel_workers_per_gather = 0;"
COMMON_SET="SET TimeZone = 'UTC'; SET client_min_messages = warning;"
declare -A M # figures for the table and the summary

# ---------------------------------------------------------------------------
# 1. the rollup and the exact answer
# ---------------------------------------------------------------------------
t0=$(now)
ie_log "building the campaign x day rollup and the exact 30-day reach per campaign"
build_cols=""
for c in "${CONT[@]}"; do build_cols+="${BUILD[$c]} AS ${COL[$c]}, "; done
bpsql -c "$COMMON_SET $SERIAL_SET SET work_mem = '4GB';" \
	-c "CREATE UNLOGGED TABLE $ROLLUP AS SELECT campaign_id, ts::date AS day, ${build_cols}frequency_agg(user_id) AS f
		FROM events WHERE campaign_id IS NOT NULL GROUP BY 1, 2" \
	-c "CREATE UNLOGGED TABLE $EXACT AS SELECT campaign_id, count(DISTINCT user_id) AS users
		FROM events WHERE campaign_id IS NOT NULL GROUP BY 1" \
	-c "CREATE UNLOGGED TABLE $DENSE AS SELECT * FROM $ROLLUP
		WHERE reach_sketch_info(r)->>'representation' <> 'sparse'" \
	-c "VACUUM (FREEZE, ANALYZE) $ROLLUP, $EXACT, $DENSE"
R_DENSE=$(bpsql -tA -c "SELECT count(*) FROM $DENSE")
read -r R_ROWS R_CAMPAIGNS R_DAYS R_MIN R_MED R_MAX < <(bpsql -tA -F ' ' -c "
	SELECT count(*), count(DISTINCT campaign_id), count(DISTINCT day),
	       min(reach(r)), percentile_disc(0.5) WITHIN GROUP (ORDER BY reach(r)), max(reach(r)) FROM $ROLLUP")
R_REPS=$(bpsql -tA -c "SELECT string_agg(format('%s %s', n, rep), ', ' ORDER BY rep)
	FROM (SELECT reach_sketch_info(r)->>'representation' AS rep, count(*) AS n FROM $ROLLUP GROUP BY 1) x")
R_FREQ=$(bpsql -tA -c "SELECT string_agg(format('%s %s', n, mode), ', ' ORDER BY mode)
	FROM (SELECT frequency_sketch_info(f)->>'mode' AS mode, count(*) AS n FROM $ROLLUP GROUP BY 1) x")
M[per_campaign]=$(bpsql -tA -c "SELECT round(count(*)::numeric / count(DISTINCT campaign_id), 1)::float8 FROM $ROLLUP")
echo
echo "== 1. the rollup: $R_ROWS rows ($R_CAMPAIGNS campaigns x $R_DAYS days, ${M[per_campaign]} rows a campaign), built in $(since "$t0") (with the exact answer; serial, work_mem 4GB)"
echo "  distinct users a row (reach(r)): min $R_MIN, median $R_MED, max $R_MAX; reach_sketch representations: $R_REPS; frequency_sketch modes: $R_FREQ"
echo "  columns: $(for c in "${CONT[@]}"; do printf '%s = %s, ' "${COL[$c]}" "${BUILD[$c]}"; done)f = frequency_agg(user_id)"

# ---------------------------------------------------------------------------
# timing machinery: one session a block
# ---------------------------------------------------------------------------
RESULTS="$WORK/timings.txt"
: >"$RESULTS"
declare -A SQL LABEL

# time_block_session BLOCK NAME...: warm-up round 0, then RUNS rounds (round
# r runs each query once, in rotated order), all in ONE session (a fresh
# backend pays minor page faults on the shared buffers it touches first,
# which would land on whichever query ran first), serial.  Timed again
# (after waiting for quiet) while other processes took more than
# IE_BENCH_MAX_OTHERS % of the CPUs during it, at most IE_BENCH_RETRIES
# more times.  Round 0's plans are kept in $WORK/plans.BLOCK.txt.
time_block_session() {
	local block=$1
	shift
	local names=("$@")
	local n=${#names[@]} r i name snap attempt
	for ((attempt = 1; ; attempt++)); do
		ie_log "timing $block: ${names[*]} — $((RUNS + 1)) rounds"
		{
			echo "$COMMON_SET $SERIAL_SET"
			for ((r = 0; r <= RUNS; r++)); do
				printf '%s\n' "\\echo @@round $r"
				for ((i = 0; i < n; i++)); do
					name=${names[$(((i + r) % n))]}
					printf '%s\n' "\\echo @@$name"
					echo "EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) ${SQL[$block.$name]};"
				done
			done
		} >"$WORK/block.$block.sql"
		snap=$(cpu_snapshot)
		bpsql -tA -f "$WORK/block.$block.sql" >"$WORK/block.$block.out"
		sleep 0.3 # let the postmaster reap the backend
		OTHERS[$block]=$(others_share "$snap" "$(cpu_snapshot)")
		ATTEMPTS[$block]=$attempt
		((OTHERS[$block] > MAX_OTHERS && attempt <= RETRIES)) || break
		ie_log "other processes took ${OTHERS[$block]} % of the CPUs during $block: timing it again"
		wait_quiet
	done
	awk -v block="$block" '
		/^@@round / { round = $2; next }
		/^@@/ { name = substr($0, 3); next }
		/Execution Time:/ { print block, "serial", name, round, $(NF - 1) / 1000, 0, 0 }
	' "$WORK/block.$block.out" >>"$RESULTS"
	awk '/^@@round 1$/ { exit } { print }' "$WORK/block.$block.out" >"$WORK/plans.$block.txt"
}

med() { stat "$1" serial "$2" median; }
# dv A B: div, or "-" without a figure
dv() { local v; v=$(div "$1" "$2"); echo "${v/nan/-}"; }
# range MIN MAX (seconds): "min..max ms"
range() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan") print "-"; else printf "%.1f..%.1f ms", a * 1000, b * 1000 }'; }
ms() { awk -v s="$1" 'BEGIN { if (s == "nan" || s == "") print "-"; else printf "%.1f ms", s * 1000 }'; }
secs() { awk -v s="$1" 'BEGIN { if (s == "nan" || s == "") print "-"; else printf "%.2f s", s }'; }
pct() { awk -v v="$1" 'BEGIN { if (v == "nan" || v == "") print "-"; else printf "%.3f %%", 100 * v }'; }
mbytes() { awk -v b="$1" 'BEGIN { if (b == "nan" || b == "") print "-"; else if (b >= 1048576) printf "%.2f MB", b / 1048576; else printf "%.1f kB", b / 1024 }'; }
# per_call_us TIME [BASE]: microseconds a rollup row, (TIME - BASE) / rows
per_call_us() { awk -v t="$1" -v b="${2:-0}" -v n="$R_DENSE" 'BEGIN { if (t == "nan" || b == "nan" || n == 0) print "nan"; else printf "%.2f", (t - b) * 1e6 / n }'; }
# ds_fastest BLOCK: the DataSketches contender with the smallest median (empty without them)
ds_fastest() { if ((HAVE_DS)); then fastest "$1" serial "${DS_CONT[@]}"; fi; }

# print_block BLOCK NAME...: median, min..max, ratios to hll and to the
# fastest DataSketches contender
print_block() {
	local block=$1
	shift
	local name med mn mx h ds dsn
	h=$(med "$block" hll)
	dsn=$(ds_fastest "$block")
	ds=$([[ -n $dsn ]] && med "$block" "$dsn" || echo nan)
	printf '    %-76s %10s %21s | %7s %9s\n' "query" "median" "min..max" "/hll" "/fast.DS"
	for name in "$@"; do
		read -r med mn mx < <(time_stats "$block" serial "$name")
		printf '    %-76s %10s %21s | %7s %9s\n' "${LABEL[$block.$name]}" "$(ms "$med")" "$(range "$mn" "$mx")" \
			"$(dv "$med" "$h")" "$(dv "$med" "$ds")"
	done
	if [[ -n $dsn ]]; then echo "    (fastest DataSketches contender: ${NAME[$dsn]})"; fi
}

# ---------------------------------------------------------------------------
# 2. time
# ---------------------------------------------------------------------------
# a. 30-day reach per campaign, and the frequency report beside it
for c in "${CONT[@]}"; do
	SQL[campaign.$c]="SELECT campaign_id, ${UNION[$c]} FROM $ROLLUP GROUP BY campaign_id"
	LABEL[campaign.$c]="${UNION[$c]} GROUP BY campaign_id"
done
SQL[campaign.freq]="SELECT u.campaign_id, h.frequency, h.reach FROM (SELECT campaign_id, frequency_union_agg(f) AS s FROM $ROLLUP GROUP BY campaign_id) u CROSS JOIN LATERAL frequency_histogram(u.s) h"
LABEL[campaign.freq]="frequency_histogram(frequency_union_agg(f)) per campaign"
# b. all rows
for c in "${CONT[@]}"; do
	SQL[all.$c]="SELECT ${UNION[$c]} FROM $ROLLUP"
	LABEL[all.$c]="${UNION[$c]}"
done
# c. one stored value, and its detoasting baseline
EST_NAMES=()
for c in "${CONT[@]}"; do
	SQL[estimate.$c]="SELECT sum(${EST[$c]}) FROM $DENSE"
	LABEL[estimate.$c]="sum(${EST[$c]})"
	SQL[estimate.${c}_base]="SELECT sum(${DETOAST[$c]}) FROM $DENSE"
	LABEL[estimate.${c}_base]="sum(${DETOAST[$c]}) (detoast only)"
	EST_NAMES+=("$c" "${c}_base")
done
# d. building per campaign from the events
SQL[build.count]="SELECT campaign_id, count(*) FROM events WHERE campaign_id IS NOT NULL GROUP BY campaign_id"
LABEL[build.count]="count(*) (baseline)"
for c in "${CONT[@]}"; do
	SQL[build.$c]="SELECT campaign_id, ${BUILD[$c]} FROM events WHERE campaign_id IS NOT NULL GROUP BY campaign_id"
	LABEL[build.$c]="${BUILD[$c]}"
done

if [[ ${IE_BENCH_SKIP_TIMING:-0} != 1 ]]; then
	wait_sibling
	wait_quiet
	t0=$(now)
	time_block_session campaign "${CONT[@]}" freq
	time_block_session all "${CONT[@]}"
	time_block_session estimate "${EST_NAMES[@]}"
	time_block_session build count "${CONT[@]}"

	echo
	echo "== 2. time (serial; ratios of median times, same run; /fast.DS: to the fastest DataSketches contender of the block)"
	echo "  a. 30-day reach per campaign from the rollup: SELECT campaign_id, <estimate>(<union>(s)) FROM rollup GROUP BY campaign_id"
	echo "     ($R_CAMPAIGNS unions of ${M[per_campaign]} sketches; the frequency report from the same rollup in the same rounds)"
	print_block campaign "${CONT[@]}" freq
	printf '    plans (first round): reach %s; freq %s\n' "$(plan_summary "$WORK/plans.campaign.txt" reach)" "$(plan_summary "$WORK/plans.campaign.txt" freq)"
	echo "  b. reach of all $R_ROWS rollup rows: SELECT <estimate>(<union>(s)) FROM rollup"
	print_block all "${CONT[@]}"
	echo "  c. the estimate of one stored dense sketch: SELECT sum(<estimate>(s)) over the $R_DENSE rollup rows whose reach_sketch is dense"
	echo "     (a p = 14 register sketch; sparse ones are cheaper), against a query that detoasts the same values"
	printf '    %-52s %10s %21s | %12s %12s %12s\n' "query" "median" "min..max" "raw us/call" "net us/call" "net (mins)"
	for c in "${CONT[@]}"; do
		for name in "$c" "${c}_base"; do
			read -r med mn mx < <(time_stats estimate serial "$name")
			if [[ $name == "$c" ]]; then
				M[est.$c.raw]=$(per_call_us "$med")
				M[est.$c.net]=$(per_call_us "$med" "$(med estimate "${c}_base")")
				M[est.$c.net_min]=$(per_call_us "$mn" "$(stat estimate serial "${c}_base" min)")
				printf '    %-52s %10s %21s | %12s %12s %12s\n' "${LABEL[estimate.$name]}" "$(ms "$med")" "$(range "$mn" "$mx")" \
					"${M[est.$c.raw]}" "${M[est.$c.net]}" "${M[est.$c.net_min]}"
			else
				printf '    %-52s %10s %21s | %12s\n' "${LABEL[estimate.$name]}" "$(ms "$med")" "$(range "$mn" "$mx")" \
					"$(per_call_us "$med")"
			fi
		done
	done
	echo "    (raw: the query's time / rows; net: minus the detoasting query's; net (mins): the same of the minimums; get_byte"
	echo "    detoasts the whole value; hll has no cast to bytea, so its baseline also copies the value once (hll_send), which"
	echo "    makes its net figure a little low; the rollup's reach sketches: $R_REPS)"
	echo "  d. building per campaign, serial scan of the events: SELECT campaign_id, <aggregate> FROM events WHERE campaign_id IS NOT NULL GROUP BY campaign_id"
	print_block build count "${CONT[@]}"
	echo "  CPU used by other processes during the blocks (% of the $(nproc) CPUs; should be near 0): campaign ${OTHERS[campaign]} %," \
		"all ${OTHERS[all]} %, estimate ${OTHERS[estimate]} %, build ${OTHERS[build]} %" \
		"(attempts ${ATTEMPTS[campaign]}, ${ATTEMPTS[all]}, ${ATTEMPTS[estimate]}, ${ATTEMPTS[build]}); plans: $WORK/plans.*.txt; timing took $(since "$t0")"

	for b in campaign all build; do
		M[$b.hll]=$(div "$(med "$b" reach)" "$(med "$b" hll)")
		M[$b.hll_min]=$(div "$(stat "$b" serial reach min)" "$(stat "$b" serial hll min)")
		dsn=$(ds_fastest "$b")
		M[$b.dsn]=$dsn
		if [[ -n $dsn ]]; then
			M[$b.ds]=$(div "$(med "$b" reach)" "$(med "$b" "$dsn")")
			M[$b.ds_min]=$(div "$(stat "$b" serial reach min)" "$(stat "$b" serial "$dsn" min)")
		else
			M[$b.ds]=nan
			M[$b.ds_min]=nan
		fi
	done
	M[freq]=$(div "$(med campaign freq)" "$(med campaign reach)")
	M[freq_min]=$(div "$(stat campaign serial freq min)" "$(stat campaign serial reach min)")
fi

# ---------------------------------------------------------------------------
# 3. the rollup's bytes and the error of the 30-day per-campaign reach
# ---------------------------------------------------------------------------
# RB: stored bytes of reach hll ds_hll ds_cpc, raw bytes of the same, the
# frequency column's stored bytes, the whole table's
read -r -a RB < <(bpsql -tA -F ' ' -P null=nan -c "
	SELECT $(sql_list 'sum(pg_column_size({col}))::float8'), $(sql_list 'sum({raw})::float8'),
	       sum(pg_column_size(f)), pg_total_relation_size('$ROLLUP')
	FROM $ROLLUP")
# RE: campaigns, RMS relative error of reach hll ds_hll ds_cpc, max |error| of the same
read -r -a RE < <(bpsql -tA -F ' ' -P null=nan -c "$COMMON_SET $SERIAL_SET" -c "
	WITH u AS (SELECT campaign_id, $(sql_list '({union})::float8 AS u_{c}') FROM $ROLLUP GROUP BY campaign_id),
	     e AS (SELECT $(sql_list 'u_{c} / x.users - 1 AS e_{c}') FROM u JOIN $EXACT x USING (campaign_id))
	SELECT count(*), $(sql_list 'sqrt(avg(e_{c} ^ 2))'), $(sql_list 'max(abs(e_{c}))') FROM e")
i=0
for c in reach hll ds_hll ds_cpc; do
	M[bytes.$c]=${RB[$i]}
	M[raw.$c]=${RB[$((4 + i))]}
	M[rms.$c]=${RE[$((1 + i))]}
	M[maxerr.$c]=${RE[$((5 + i))]}
	M[rms_se.$c]=$(awk -v r="${M[rms.$c]}" -v n="${RE[0]}" 'BEGIN { if (r == "nan" || n == 0) print "nan"; else printf "%.6f", r / sqrt(2 * n) }')
	i=$((i + 1))
done
M[bytes.f]=${RB[8]}
echo
echo "== 3. the rollup's sketches: bytes, and the error of the 30-day per-campaign reach (against count(DISTINCT user_id), ${RE[0]} campaigns)"
printf '    %-20s %12s %12s %7s %7s | %9s %9s %9s\n' "" "stored" "raw" "/hll" "/CPC" "RMS err" "+- SE" "max err"
for c in "${CONT[@]}"; do
	printf '    %-20s %12s %12s %7s %7s | %9s %9s %9s\n' "${NAME[$c]}" "$(mbytes "${M[bytes.$c]}")" "$(mbytes "${M[raw.$c]}")" \
		"$(dv "${M[bytes.$c]}" "${M[bytes.hll]}")" "$(dv "${M[bytes.$c]}" "${M[bytes.ds_cpc]}")" \
		"$(pct "${M[rms.$c]}")" "$(pct "${M[rms_se.$c]}")" "$(pct "${M[maxerr.$c]}")"
done
echo "    (stored: sum of pg_column_size, as the table holds them (after TOAST compression; hll and DataSketches are STORAGE"
echo "    external, never compressed); raw: sum of the values' own bytes; the frequency column f: $(mbytes "${M[bytes.f]}") stored;"
echo "    the whole table with its TOAST: $(mbytes "${RB[9]}"); the campaigns' errors are not independent (they share users); SE = RMS / sqrt(2 n))"

# ---------------------------------------------------------------------------
# 4. bytes and error of one sketch of n distinct values
# ---------------------------------------------------------------------------
if [[ ${IE_BENCH_SKIP_SIZES:-0} != 1 ]]; then
	t0=$(now)
	values=""
	for n in "${SIZE_NS[@]}"; do
		trials=$((SIZE_ROWS / n))
		((trials <= SIZE_TRIALS)) || trials=$SIZE_TRIALS
		((trials >= 1)) || trials=1
		for ((t = 0; t < trials; t++)); do values+="${values:+, }($n, $t)"; done
	done
	ie_log "bytes and RMSE of one sketch of n values, n = ${SIZE_NS[*]}"
	# trial t of n holds the values t * n + 1 .. (t + 1) * n (generate_series
	# in the select list: streamed, where in FROM it would be materialized)
	sketch_cols="reach_agg(x, 14) AS r, hll_add_agg(hll_hash_bigint(x), 14, 5) AS h"
	if ((HAVE_DS)); then sketch_cols+=", hll_sketch_build(x, 14, 4) AS dh, cpc_sketch_build(x, 14) AS dc"; fi
	# one line a (n, trial): n t, estimates of reach hll ds_hll ds_cpc,
	# bytes of the same, reach_sketch's own relative standard error
	bpsql -tA -F ' ' -P null=nan -c "$COMMON_SET $SERIAL_SET" -c "
		SELECT v.n, v.t, $(sql_list '({est})::float8'), $(sql_list '({raw})::float8'),
		       (reach_sketch_info(s.r)->>'relative_standard_error')::float8
		FROM (VALUES $values) AS v(n, t),
		LATERAL (SELECT $sketch_cols FROM (SELECT generate_series(v.t::bigint * v.n + 1, (v.t::bigint + 1) * v.n) AS x) g) s
		ORDER BY v.n, v.t" >"$WORK/sizes.raw"
	# per n: n trials, bytes of the first range (1..n) of the 4, RMSE of the
	# 4, reach_sketch's mean reported RSE, trials in which reach() = n
	awk '{
		n = $1; if (!(n in T)) order[++k] = n
		T[n]++
		for (i = 0; i < 4; i++) {
			if ($2 == 0) b[n, i] = $(7 + i)
			if ($(3 + i) == "nan") { sq[n, i] = "nan"; continue }
			d = $(3 + i) / n - 1; sq[n, i] += d * d
		}
		rse[n] += $11; if ($3 == n) exact[n]++
	}
	END {
		for (j = 1; j <= k; j++) {
			n = order[j]; printf "%s %d", n, T[n]
			for (i = 0; i < 4; i++) printf " %s", b[n, i]
			for (i = 0; i < 4; i++) printf " %s", (sq[n, i] == "nan") ? "nan" : sprintf("%.6g", sqrt(sq[n, i] / T[n]))
			printf " %.6g %d\n", rse[n] / T[n], exact[n]
		}
	}' "$WORK/sizes.raw" >"$WORK/sizes.txt"
	echo
	echo "== 4. one sketch of n distinct values (precision 14; hll log2m 14, regwidth 5; bigint values, ranges t*n+1 .. (t+1)*n)"
	echo "  bytes of the values 1..n (without the 4-byte varlena header: octet_length(s::bytea); hll: octet_length(hll_send(h)));"
	echo "  RMSE over the trials' disjoint ranges, relative; reach_sketch's own relative standard error (reach_sketch_info) alongside"
	printf '  %9s | %7s %7s %7s %7s | %8s %8s | %9s %9s %9s %9s %9s | %6s %7s\n' "n" "ours" "hll" "DS HLL4" "CPC" "ours/hll" "ours/CPC" \
		"RMSE ours" "hll" "DS HLL4" "CPC" "ours RSE" "trials" "exact"
	while read -r n tr b1 b2 b3 b4 e1 e2 e3 e4 rse ex; do
		printf '  %9s | %7s %7s %7s %7s | %8s %8s | %9s %9s %9s %9s %9s | %6s %7s\n' "$n" "$b1" "$b2" "${b3/nan/-}" "${b4/nan/-}" \
			"$(dv "$b1" "$b2")" "$(dv "$b1" "$b4")" "$(pct "$e1")" "$(pct "$e2")" "$(pct "$e3")" "$(pct "$e4")" "$(pct "$rse")" "$tr" "$ex/$tr"
	done <"$WORK/sizes.txt"
	echo "  (exact: trials in which reach() returned n; a few trials make a noisy RMSE: its standard error is about RMSE / sqrt(2 trials))"
	# the targets: no larger than hll at every n; from n = 1000 at most
	# 1.25x CPC (must: 2x); "exact in practice up to 1,000 values"
	# (and the n at which each limit is exceeded, comma-separated, or "none")
	read -r s_hll s_hll_at s_cpc s_cpc_at s_exact s_exact_of s_hll_over s_cpc_over s_cpc_over2 < <(awk '
		{ r = $3 / $4; if (!seen || r > w) { w = r; wat = $1 }; seen = 1
		  if (r > 1) ho = ho (ho == "" ? "" : ",") $1
		  if ($6 != "nan" && $1 >= 1000) { c = $3 / $6; if (!cs || c > wc) { wc = c; wcat = $1 }; cs = 1
		                                   if (c > 1.25) co = co (co == "" ? "" : ",") $1
		                                   if (c > 2) co2 = co2 (co2 == "" ? "" : ",") $1 }
		  if ($1 <= 1000) { ex += $12; tot += $2 } }
		END { printf "%.3f %s %s %s %d %d %s %s %s\n", w, wat, cs ? sprintf("%.3f", wc) : "nan", cs ? wcat : "-", ex, tot,
		             ho == "" ? "none" : ho, co == "" ? "none" : co, co2 == "" ? "none" : co2 }' "$WORK/sizes.txt")
	M[size.hll]=$s_hll; M[size.hll_at]=$s_hll_at; M[size.cpc]=$s_cpc; M[size.cpc_at]=$s_cpc_at
	M[size.exact]=$s_exact; M[size.exact_of]=$s_exact_of
	M[size.hll_over]=$s_hll_over; M[size.cpc_over]=$s_cpc_over; M[size.cpc_over2]=$s_cpc_over2
	echo "  worst ratios: ours / hll ${M[size.hll]} at n = ${M[size.hll_at]}$( ((HAVE_DS)) && echo "; from n = 1,000 ours / CPC ${M[size.cpc]} at n = ${M[size.cpc_at]}");" \
		"reach() = n in ${M[size.exact]} of ${M[size.exact_of]} trials with n <= 1,000"
	echo "  this part took $(since "$t0")"
fi

# ---------------------------------------------------------------------------
# 5. issue 14's table
# ---------------------------------------------------------------------------
# cell VALUE OURS UNIT: VALUE formatted; for a peer (OURS given) "(ours / it)"
cell() {
	local v=$1 ours=$2 unit=$3 f
	[[ $v == nan || -z $v ]] && { echo "-"; return; }
	case $unit in
		ms) f=$(ms "$v") ;;
		s) f=$(secs "$v") ;;
		bytes) f=$(mbytes "$v") ;;
		pct) f=$(pct "$v") ;;
	esac
	if [[ -n $ours ]]; then f="$f ($(div "$ours" "$v")x)"; fi
	echo "$f"
}
# row LABEL UNIT VALUE-OF-reach VALUE-OF-hll VALUE-OF-ds_hll VALUE-OF-ds_cpc
row() {
	local label=$1 unit=$2 ours=$3
	shift 3
	local out ds
	out="| $label | $(cell "$ours" "" "$unit") | $(cell "$1" "$ours" "$unit")"
	for ds in "$2" "$3"; do
		if ((HAVE_DS)); then out+=" | $(cell "$ds" "$ours" "$unit")"; else out+=" | skipped"; fi
	done
	echo "$out |"
}
tm() { if [[ ${IE_BENCH_SKIP_TIMING:-0} != 1 && " ${CONT[*]} " == *" $2 "* ]]; then med "$1" "$2"; else echo nan; fi; }
echo
echo "== 5. issue 14's table, this run (in parentheses: reach_sketch's figure / this one; times are medians, serial)"
echo
echo "| work | reach_sketch | postgresql-hll | DataSketches HLL_4 | DataSketches CPC |"
echo "|---|---|---|---|---|"
row "30-day reach per campaign from the rollup ($R_CAMPAIGNS unions of ${M[per_campaign]} sketches)" ms \
	"$(tm campaign reach)" "$(tm campaign hll)" "$(tm campaign ds_hll)" "$(tm campaign ds_cpc)"
row "reach of all $R_ROWS rollup rows (one union of all rows)" ms \
	"$(tm all reach)" "$(tm all hll)" "$(tm all ds_hll)" "$(tm all ds_cpc)"
row "rollup table, sketch bytes" bytes "${M[bytes.reach]}" "${M[bytes.hll]}" "${M[bytes.ds_hll]}" "${M[bytes.ds_cpc]}"
row "RMS error of the 30-day per-campaign reach" pct "${M[rms.reach]}" "${M[rms.hll]}" "${M[rms.ds_hll]}" "${M[rms.ds_cpc]}"
row "building: serial scan of events; per campaign" s \
	"$(tm build reach)" "$(tm build hll)" "$(tm build ds_hll)" "$(tm build ds_cpc)"
echo
if [[ ${IE_BENCH_SKIP_TIMING:-0} != 1 ]]; then
	echo "  estimate of one stored sketch, per call, net of detoasting (raw):$(for c in "${CONT[@]}"; do printf ' %s %s us (%s us);' "${NAME[$c]}" "${M[est.$c.net]}" "${M[est.$c.raw]}"; done)"
	echo "  frequency report per campaign from the rollup (frequency_histogram(frequency_union_agg(f))): $(ms "$(med campaign freq)"), ${M[freq]}x the reach union per campaign"
fi

# ---------------------------------------------------------------------------
# 6. summary
# ---------------------------------------------------------------------------
line() { printf '  %s  %-70s %s\n' "$1" "$2" "$3"; }
# dist BLOCK: a note when other processes disturbed the block even after the retries
dist() { if ((${OTHERS[$1]:-0} > MAX_OTHERS)); then echo " [disturbed: other processes took ${OTHERS[$1]} % of the CPUs]"; fi; }
no_ds="DataSketches ${DS_SKIPPED:-}"

echo
echo "== 6. summary (targets: issue 14 and shared/DESIGN.md \"Targets\"; figures from this run)"
if [[ ${IE_BENCH_SKIP_TIMING:-0} != 1 ]]; then
	for b in campaign all; do
		what=$([[ $b == campaign ]] && echo "30-day reach per campaign from the rollup" || echo "reach of all rollup rows (one union)")
		line "$(verdict "${M[$b.hll]}" '<=' 0.5)" "$what <= 0.5x hll_union_agg" \
			"${M[$b.hll]}x ($(ms "$(med "$b" reach)") vs $(ms "$(med "$b" hll)"); ratio of minimums ${M[$b.hll_min]}x)$(dist "$b")"
		if ((HAVE_DS)); then
			line "$(verdict "${M[$b.ds]}" '<=' 0.7)" "$what <= 0.7x the fastest DataSketches union" \
				"${M[$b.ds]}x vs ${NAME[${M[$b.dsn]}]} ($(ms "$(med "$b" reach)") vs $(ms "$(med "$b" "${M[$b.dsn]}")"); ratio of minimums ${M[$b.ds_min]}x)$(dist "$b")"
		else
			line "n/a   " "$what <= 0.7x the fastest DataSketches union" "$no_ds"
		fi
	done
	line "$(verdict "${M[est.reach.net]}" '<=' 20)" "reach() of one stored p = 14 sketch <= 20 us (net of detoasting)" \
		"${M[est.reach.net]} us net, ${M[est.reach.raw]} us raw, ${M[est.reach.net_min]} us net of the minimums; hll_cardinality ${M[est.hll.net]} us net$(dist estimate)"
	line "$(verdict "${M[freq]}" '<=' 1.5)" "frequency_union_agg + frequency_histogram per campaign <= 1.5x the reach union" \
		"${M[freq]}x ($(ms "$(med campaign freq)") vs $(ms "$(med campaign reach)"); ratio of minimums ${M[freq_min]}x)$(dist campaign)"
	line "$(verdict "${M[build.hll]}" '<=' 1)" "building per campaign (serial) at or below postgresql-hll's time (DESIGN.md)" \
		"${M[build.hll]}x ($(secs "$(med build reach)") vs $(secs "$(med build hll)"); ratio of minimums ${M[build.hll_min]}x)$(dist build)"
	if ((HAVE_DS)); then
		line "$(verdict "${M[build.ds]}" '<' 1)" "building per campaign (serial) below DataSketches' time (DESIGN.md)" \
			"${M[build.ds]}x vs ${NAME[${M[build.dsn]}]}, the faster of the two (ratio of minimums ${M[build.ds_min]}x)$(dist build)"
	fi
fi
if [[ ${IE_BENCH_SKIP_SIZES:-0} != 1 ]]; then
	line "$(verdict "${M[size.hll]}" '<=' 1)" "stored size no larger than hll's at every n (1 .. 10^7)" \
		"worst ${M[size.hll]}x at n = ${M[size.hll_at]}; larger at n = ${M[size.hll_over]}"
	if ((HAVE_DS)); then
		line "$(verdict "${M[size.cpc]}" '<=' 1.25)" "stored size from n = 1,000 at most 1.25x CPC's" \
			"worst ${M[size.cpc]}x at n = ${M[size.cpc_at]}; over 1.25x at n = ${M[size.cpc_over]}"
		line "$(verdict "${M[size.cpc]}" '<=' 2)" "  must: at most 2x CPC's" "worst ${M[size.cpc]}x at n = ${M[size.cpc_at]}; over 2x at n = ${M[size.cpc_over2]}"
	else
		line "n/a   " "stored size from n = 1,000 at most 1.25x CPC's (must: 2x)" "$no_ds"
	fi
	line "      " "  exact in practice up to 1,000 values: reach() = n" "${M[size.exact]} of ${M[size.exact_of]} trials"
fi
line "      " "  rollup stored bytes: reach_sketch / hll$( ((HAVE_DS)) && echo ', / CPC')" \
	"$(div "${M[bytes.reach]}" "${M[bytes.hll]}")x$( ((HAVE_DS)) && echo " / $(div "${M[bytes.reach]}" "${M[bytes.ds_cpc]}")x")"

drop_ours
echo
echo "whole run took $(($(date +%s) - t_start)) s; output also in $OUT"
echo "the cluster keeps running (data kept for the next run); stop it with:"
echo "  runuser -u postgres -- $PG_BIN/pg_ctl -D $DATADIR stop"
