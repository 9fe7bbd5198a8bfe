#!/usr/bin/env bash
#
# test/bench/attribution_bench.sh — the journey / attribute() benchmark
# (DESIGN.md, "Targets": attribution over the converting users' events, and
# journey_agg over all events GROUP BY user_id).
#
# Usage (as root on the project's Debian 12 machine, from anywhere):
#
#   test/bench/attribution_bench.sh
#
# Not part of test/check.sh (tests never time anything).  It shares the
# cluster, database and table of test/bench/reach_bench.sh and
# frequency_bench.sh: port 54340, /var/tmp/impression_ext_bench, database
# "bench", the 10M-event table loaded by test/data/load.sh -- --events
# 10000000 --users 2000000 --campaigns 50 --days 30 (loaded here the same way
# when it is missing).  It creates, if missing, the index
# events_user_ts_idx ON events (user_id, ts) that the plain-SQL probes and
# our per-user journeys use, and keeps it.  It waits for a running sibling
# benchmark (any other test/bench/*_bench.sh) to finish before it builds,
# touches the database or times anything (they time queries on the same 2
# CPUs).
#
# The report every attribution query produces (touch = campaign_id::text,
# conversion value = revenue::float8, click window 7 days, view window 1 day,
# half-life 7 days; the row with touch NULL is the unattributed conversions):
#   touch | post_click | post_impression | unattributed | revenue
# that is, per campaign the credit of post-click and post-impression
# conversions and the attributed revenue.
#
# It prints, measured in this run, as ratios (seconds only alongside):
#   0. the check: every query of a block gives the same report as our first
#      formulation (per campaign every column equal within 1e-6 relative,
#      compared in SQL), credits add up to the number of conversions; the
#      numbers of conversions, post-click, post-impression and unattributed
#      (per model).  A mismatch prints the differing rows and stops the
#      script (exit 1) before anything is timed;
#   1. last touch: ours (journey_agg + attribute(), three formulations: a
#      hash join of the converting users to all events; a LATERAL journey of
#      each converting user's events through the index; a LATERAL journey of
#      only the events in [first conversion - click window, last conversion])
#      against three plain-SQL formulations (two LATERAL LIMIT 1 probes per
#      conversion, click then impression; one probe ordered clicks first; a
#      window over the qualifying touches per conversion); the ratio is
#      fastest ours / fastest plain.  Alongside, the scan that finds the
#      conversions (both sides need it: a seq scan) and the ratio of the time
#      beyond it;
#   2. linear, time_decay and position_based: ours (two formulations)
#      against plain SQL (a LATERAL probe of every qualifying touch per
#      conversion, then window functions over all conversions; the same
#      window per conversion inside the LATERAL subquery);
#   For scale, not the target's workload: the same reports from journeys
#   stored beforehand (attribution_bench_journeys: every event of the
#   converting users, built once with journey_agg; its build time and size
#   are printed), the way a rollup or materialized view of journeys is
#   attributed again under other settings;
#   3. SELECT user_id, journey_agg(ts, kind, campaign_id::text,
#      revenue::float8) FROM events GROUP BY user_id against count(*) of the
#      same GROUP BY (work_mem 4GB, hash_mem_multiplier 1: neither spills),
#      with each one's hash-aggregate Memory Usage and Batches;
#   4. a summary: each target MET / MISSED with the figure;
#   and, when a target is missed (or IE_BENCH_PERF=1), where the time goes:
#   perf record -g on the backend during our query of each missed target.
#
# Timing (as in frequency_bench.sh): serial (max_parallel_workers_per_gather
# = 0); every query runs once to warm up, then IE_BENCH_RUNS times; the runs
# of a block are interleaved (round r runs each query once, in rotated
# order).  A run's time is the "Execution Time" of EXPLAIN (ANALYZE, BUFFERS,
# TIMING OFF) (no planning, no client); the figure is the median, min..max
# alongside, and the ratio of the minimums.  The CPU other processes used
# during each block is printed.
#
# Environment (all optional):
#   IE_BENCH_RUNS=7             timed runs per query (after 1 warm-up)
#   IE_BENCH_NO_BUILD=1         do not build and install: measure the
#                               extension as installed now
#   IE_BENCH_QUIET_WAIT=900     seconds to wait, before timing, for other
#                               processes to leave the CPUs alone
#   IE_BENCH_SIBLING_WAIT=3600  seconds to wait for a running sibling
#                               benchmark to finish (0: do not wait)
#   IE_BENCH_PERF=auto          auto: profile when a target is missed; 1:
#                               always; 0: never (installs linux-perf if
#                               missing)
#   IE_BENCH_PERF_RUNS=3        runs of a query under perf
#   IE_BENCH_RECREATE_EXT=1     DROP and CREATE EXTENSION impression_ext in the
#                               database even if its journey functions exist
#                               (it is recreated anyway when they are missing:
#                               the extension has no upgrade script yet)
#   IE_BENCH_DB=bench           database; with IE_BENCH_GEN_ARGS (generator
#                               arguments) another database can hold a small
#                               table for a dry run, e.g.
#     IE_BENCH_DB=bench_attr_dry IE_BENCH_GEN_ARGS='--events 300000 --users 60000 --campaigns 50 --days 30' \
#     IE_BENCH_RUNS=2 IE_BENCH_NO_BUILD=1 IE_BENCH_SIBLING_WAIT=0 IE_BENCH_QUIET_WAIT=0 test/bench/attribution_bench.sh
#
# Leaves the cluster running (the data and the index stay for the next run);
# it drops the one table it creates (attribution_bench_journeys; the check
# uses temporary ones).  The full output is
# also written to test/bench/.build/attribution_bench.out
# (attribution_bench.<db>.out for another database), every query's SQL to
# test/bench/.build/attribution_work/queries.sql.
#
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
# shellcheck source=bench_lib.sh
source "$here/bench_lib.sh"
cd "$REPO_ROOT"

BENCH_NAME=attribution_bench
PORT=54340
DATADIR=/var/tmp/impression_ext_bench
DB=${IE_BENCH_DB:-bench}
RUNS=${IE_BENCH_RUNS:-7}
bench_gen_args
bench_output attribution bench

t_start=$(date +%s)

# the other benchmarks rebuild the extension and time queries on the same
# CPUs and cluster: wait for them before building or touching anything
wait_sibling

# ---------------------------------------------------------------------------
# set-up (bench_lib.sh)
# ---------------------------------------------------------------------------
bench_setup 'journey_agg(timestamptz, text, text, double precision)' 'attribute(journey, text, interval, interval, interval, interval)' 'journey_info(journey)'
# the index the attribution probes use (kept: the next run reuses it)
if [[ $(bpsql -tA -c "SELECT to_regclass('public.events_user_ts_idx') IS NOT NULL") != t ]]; then
	ie_log "CREATE INDEX events_user_ts_idx ON events (user_id, ts)"
	bpsql -c "SET maintenance_work_mem = '1GB'" -c 'CREATE INDEX events_user_ts_idx ON events (user_id, ts)'
fi
ie_log "VACUUM ANALYZE events"
bpsql -c 'VACUUM ANALYZE events'

# ---------------------------------------------------------------------------
# header
# ---------------------------------------------------------------------------
bench_header "journey / attribute() benchmark"
bpsql -tA -c "SELECT format('events (database %s): %s rows, %s users, %s impressions, %s clicks, %s conversions of %s users (%s events of theirs); table %s, index events_user_ts_idx %s, shared_buffers %s',
	current_database(), count(*), count(DISTINCT user_id), count(*) FILTER (WHERE kind = 'impression'), count(*) FILTER (WHERE kind = 'click'),
	count(*) FILTER (WHERE kind = 'conversion'), count(DISTINCT user_id) FILTER (WHERE kind = 'conversion'),
	(SELECT count(*) FROM events e WHERE e.user_id IN (SELECT user_id FROM events WHERE kind = 'conversion')),
	pg_size_pretty(pg_relation_size('events')), pg_size_pretty(pg_relation_size('events_user_ts_idx')), current_setting('shared_buffers')) FROM events"
echo "settings: work_mem $(bpsql -tA -c 'SHOW work_mem') unless a query says otherwise, jit $(bpsql -tA -c 'SHOW jit'), TimeZone UTC, serial (max_parallel_workers_per_gather = 0);" \
	"median of $RUNS runs after 1 warm-up, EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) execution time"

# ---------------------------------------------------------------------------
# the queries
# ---------------------------------------------------------------------------
SERIAL_SET="SET max_parallel_workers_per_gather = 0;"
PARALLEL_SET="SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;"
COMMON_SET="SET TimeZone = 'UTC'; SET client_min_messages = warning;"
EXPLAIN_OPTS="ANALYZE, BUFFERS, TIMING OFF, COSTS OFF"
RESULTS="$WORK/timings.txt"
: >"$RESULTS"
declare -A SQL PRE LABEL

# the reports, ours and plain SQL
# shellcheck source=attribution_sql.sh
source "$here/attribution_sql.sh"

# the scan that finds the conversions (both sides need it)
CONV_SCAN="SELECT user_id, ts, revenue FROM events WHERE kind = 'conversion'"
LABEL[conv_scan]="(for scale: the seq scan for the conversions alone, in both sides)"
LABEL[ours_join]="ours: journey_agg over DISTINCT converting users JOIN events"
LABEL[ours_lateral]="ours: LATERAL journey_agg of all of each converting user's events"
LABEL[ours_range]="ours: LATERAL journey_agg of the user's events in [first conv - 7 d, last]"
LABEL[ours_stored]="(for scale: ours from journeys stored beforehand, not the target's workload)"
LABEL[plain_probe2]="plain: 2 LATERAL LIMIT 1 probes (click, else impression)"
LABEL[plain_probe1]="plain: 1 LATERAL LIMIT 1 probe, clicks first"
LABEL[plain_window]="plain: LATERAL qualifying touches, windows over all conversions"
LABEL[plain_inner]="plain: LATERAL qualifying touches with the windows inside"

declare -A OURS PLAIN	# per block: the formulations of each side
OURS[last_touch]="ours_join ours_lateral ours_range"
PLAIN[last_touch]="plain_probe2 plain_probe1 plain_window"
for m in linear time_decay position_based; do
	OURS[$m]="ours_join ours_range"
	PLAIN[$m]="plain_window plain_inner"
done
for m in "${MODELS[@]}"; do
	for f in ${OURS[$m]} ours_stored; do SQL[$m.$f]=$(ours_sql "$m" "${f#ours_}"); done
	for f in ${PLAIN[$m]}; do
		case $f in
		plain_probe*) SQL[$m.$f]=$(lt_probe_sql "${f#plain_}") ;;
		*) SQL[$m.$f]=$(win_sql "$m" "${f#plain_}") ;;
		esac
	done
	SQL[$m.conv_scan]=$CONV_SCAN
done

# 3. journey_agg over all events (work_mem large enough that neither spills)
GROUP_SET="SET work_mem = '4GB'; SET hash_mem_multiplier = 1;"
SQL[group.count]="SELECT user_id, count(*) FROM events GROUP BY user_id"
SQL[group.journey]="SELECT user_id, journey_agg(ts, kind, campaign_id::text, revenue::float8) FROM events GROUP BY user_id"
PRE[group.count]=$GROUP_SET
PRE[group.journey]=$GROUP_SET
LABEL[count]="count(*) GROUP BY user_id"
LABEL[journey]="journey_agg(ts, kind, campaign_id::text, revenue::float8) GROUP BY user_id"

{
	for k in $(printf '%s\n' "${!SQL[@]}" | sort); do
		printf -- '-- %s\n%s;\n\n' "$k" "${SQL[$k]}"
	done
} >"$WORK/queries.sql"

declare -A M		# figures for the summary

# ---------------------------------------------------------------------------
# 0. the check: every formulation gives the same report, before any timing
# ---------------------------------------------------------------------------
# close A B: within 1e-6 relative (NULL = 0: a column no row contributed to)
close() { echo "abs(coalesce($1, 0) - coalesce($2, 0)) <= 1e-6 * greatest(abs(coalesce($1, 0)), abs(coalesce($2, 0)), 1e-9)"; }
t0=$(now)
wait_sibling
echo
echo "== 0. check: each block's queries give the same report (per campaign: post_click, post_impression, unattributed, revenue"
echo "   equal within 1e-6 relative, compared in SQL against the block's first query); the credits add up to the conversions"
# the stored journeys: every event of each converting user, built once
drop_ours() { bpsql -c 'SET client_min_messages = warning' -c 'DROP TABLE IF EXISTS attribution_bench_journeys'; }
drop_ours
ie_log "building attribution_bench_journeys (journeys of the converting users, stored)"
t_store=$(now)
bpsql -c "$COMMON_SET $SERIAL_SET" -c "CREATE UNLOGGED TABLE attribution_bench_journeys AS
	SELECT e.user_id, journey_agg($JARGS) AS j
	FROM (SELECT DISTINCT user_id FROM events WHERE kind = 'conversion') c JOIN events e USING (user_id) GROUP BY e.user_id" \
	-c 'VACUUM ANALYZE attribution_bench_journeys'
M[store_time]=$(since "$t_store")
M[store_size]=$(bpsql -tA -c "SELECT count(*) || ' journeys, ' || pg_size_pretty(pg_total_relation_size('attribution_bench_journeys'))
	|| ' (' || round(avg(pg_column_size(j))) || ' bytes a journey)' FROM attribution_bench_journeys")
echo "  stored journeys: ${M[store_size]}, built in ${M[store_time]}"
N_CONV=$(bpsql -tA -c "SELECT count(*) FROM events WHERE kind = 'conversion'")
REV_CONV=$(bpsql -tA -c "SELECT sum(revenue::float8) FROM events WHERE kind = 'conversion'")
check_failed=0
for m in "${MODELS[@]}"; do
	# shellcheck disable=SC2206 # word lists
	names=(${OURS[$m]} ${PLAIN[$m]} ours_stored)
	ref=${names[0]}
	ie_log "check: $m (${names[*]})"
	{
		echo "$COMMON_SET $SERIAL_SET"
		for f in "${names[@]}"; do echo "CREATE TEMP TABLE chk_$f AS ${SQL[$m.$f]};"; done
		for f in "${names[@]:1}"; do
			echo "SELECT 'DIFF', '$f', coalesce(a.touch, b.touch), a.post_click, b.post_click, a.post_impression, b.post_impression,
				a.unattributed, b.unattributed, a.revenue, b.revenue
			FROM chk_$ref a FULL JOIN chk_$f b ON coalesce(a.touch, chr(1)) = coalesce(b.touch, chr(1))
			WHERE NOT ($(close a.post_click b.post_click) AND $(close a.post_impression b.post_impression)
			           AND $(close a.unattributed b.unattributed) AND $(close a.revenue b.revenue))
			ORDER BY 3;"
		done
		echo "SELECT 'TOTAL', count(*), count(touch), sum(post_click), sum(post_impression), sum(unattributed),
			coalesce(sum(post_click), 0) + coalesce(sum(post_impression), 0) + coalesce(sum(unattributed), 0), sum(revenue) FROM chk_$ref;"
	} >"$WORK/check.$m.sql"
	bpsql -tA -F '|' -f "$WORK/check.$m.sql" >"$WORK/check.$m.out"
	ndiff=$(grep -c '^DIFF|' "$WORK/check.$m.out" || true)
	IFS='|' read -r _ _ campaigns pc pi un credits rev < <(grep '^TOTAL|' "$WORK/check.$m.out")
	ok_total=$(awk -v c="$credits" -v n="$N_CONV" -v r="$rev" -v rn="$REV_CONV" 'BEGIN {
		d = c - n; if (d < 0) d = -d; e = r - rn; if (e < 0) e = -e
		print (d <= 1e-6 * n && e <= 1e-6 * rn) ? 1 : 0 }')
	printf '  %-15s %d queries agree: %-3s  %s campaign rows + unattributed; post-click %.3f, post-impression %.3f, unattributed %.0f; credits %.6f of %s conversions; revenue %.2f of %.2f\n' \
		"$m" "${#names[@]}" "$([[ $ndiff == 0 ]] && echo yes || echo NO)" "$campaigns" "$pc" "$pi" "$un" "$credits" "$N_CONV" "$rev" "$REV_CONV"
	if [[ $ndiff != 0 ]]; then
		echo "    rows that differ from $ref (query | touch | post_click ref, this | post_impression ref, this | unattributed ref, this | revenue ref, this):"
		grep '^DIFF|' "$WORK/check.$m.out" | cut -d'|' -f2- | sed 's/^/      /'
		check_failed=1
	fi
	if [[ $ok_total != 1 ]]; then
		echo "    the credits of $ref do not add up to the $N_CONV conversions (or its revenue to theirs)"
		check_failed=1
	fi
	if [[ $m == last_touch ]]; then
		M[n_conv]=$N_CONV; M[lt_click]=$pc; M[lt_imp]=$pi; M[lt_unattr]=$un
	fi
done
if [[ $check_failed == 1 ]]; then
	echo "check FAILED: results differ; not timing queries that disagree (queries in $WORK/queries.sql)"
	exit 1
fi
echo "  last touch: $N_CONV conversions = ${M[lt_click]} post-click + ${M[lt_imp]} post-impression + ${M[lt_unattr]} unattributed"
echo "  top campaigns by last-touch revenue (ours_join):"
bpsql -P footer=off -c "$COMMON_SET $SERIAL_SET" -c "SELECT coalesce(touch, '(unattributed)') AS touch, post_click, post_impression, unattributed, round(revenue::numeric, 2) AS revenue
	FROM (${SQL[last_touch.ours_join]}) r ORDER BY revenue DESC LIMIT 6" | sed 's/^/    /'

# journey_agg over all events: every user, each with all their events
ie_log "check: journey_agg GROUP BY user_id (events per user = count(*))"
read -r g_users g_diff g_events < <(bpsql -tA -F ' ' -c "$COMMON_SET $SERIAL_SET $GROUP_SET" -c "
	SELECT count(*), count(*) FILTER (WHERE j.n IS DISTINCT FROM c.count), sum(j.n)
	FROM (SELECT user_id, (journey_info(j)->>'events')::bigint AS n
	      FROM (SELECT user_id, journey_agg(ts, kind, campaign_id::text, revenue::float8) AS j FROM events GROUP BY user_id) x) j
	FULL JOIN (${SQL[group.count]}) c USING (user_id)")
echo "  journey_agg GROUP BY user_id: $g_users users, $g_events events in their journeys; users whose journey_info events differ from count(*): $g_diff"
if [[ $g_diff != 0 ]]; then
	bpsql -c "$COMMON_SET $SERIAL_SET $GROUP_SET" -c "
		SELECT user_id, j.n AS journey_events, c.count
		FROM (SELECT user_id, (journey_info(j)->>'events')::bigint AS n
		      FROM (SELECT user_id, journey_agg(ts, kind, campaign_id::text, revenue::float8) AS j FROM events GROUP BY user_id) x) j
		FULL JOIN (${SQL[group.count]}) c USING (user_id) WHERE j.n IS DISTINCT FROM c.count ORDER BY user_id LIMIT 20" | sed 's/^/    /'
	echo "check FAILED: journey_agg lost or added events; not timing it"
	exit 1
fi
echo "  checks took $(since "$t0")"

# ---------------------------------------------------------------------------
# 1.-3. timing
# ---------------------------------------------------------------------------
wait_sibling
wait_quiet
t0=$(now)
for m in "${MODELS[@]}"; do
	# shellcheck disable=SC2086 # word lists
	time_block "$m" serial conv_scan ${OURS[$m]} ${PLAIN[$m]} ours_stored
done
time_block group serial count journey
t_timing=$(since "$t0")

# print_model MODEL: the block's table and figures
print_model() {
	local m=$1 f med mn mx bo bp fo fp
	# shellcheck disable=SC2086
	fo=$(fastest "$m" serial ${OURS[$m]})
	# shellcheck disable=SC2086
	fp=$(fastest "$m" serial ${PLAIN[$m]})
	bo=$(stat "$m" serial "$fo" median)
	bp=$(stat "$m" serial "$fp" median)
	printf '    %-78s %8s %15s | %8s | %s\n' "query" "median" "min..max" "/plain" "buffers (warm-up run)"
	for f in ${OURS[$m]} ${PLAIN[$m]} conv_scan ours_stored; do
		read -r med mn mx < <(time_stats "$m" serial "$f")
		printf '    %-78s %7.3fs %6.3f..%6.3fs | %8s | %s\n' "${LABEL[$f]:0:78}" "$med" "$mn" "$mx" "$(div "$med" "$bp")" \
			"$(plan_buffers "$WORK/plans.$m.serial.txt" "$f")"
	done
	M[$m.ours]=$fo; M[$m.plain]=$fp
	M[$m.ratio]=$(div "$bo" "$bp")
	M[$m.stored]=$(div "$(stat "$m" serial ours_stored median)" "$bp")
	M[$m.ratio_min]=$(div "$(stat "$m" serial "$fo" min)" "$(stat "$m" serial "$fp" min)")
	local scan
	scan=$(stat "$m" serial conv_scan median)
	M[$m.excess]=$(awk -v o="$bo" -v p="$bp" -v s="$scan" 'BEGIN { if (p - s <= 0) print "nan"; else printf "%.3f", (o - s) / (p - s) }')
	echo "    fastest ours: $fo ($(printf '%.3f' "$bo") s); fastest plain: $fp ($(printf '%.3f' "$bp") s)"
	echo "    ours / plain = ${M[$m.ratio]} (medians), ${M[$m.ratio_min]} (minimums);" \
		"beyond the conversions' scan ($(printf '%.3f' "$scan") s, in both): ${M[$m.excess]}"
	echo "    plans (warm-up run):"
	for f in ${OURS[$m]} ${PLAIN[$m]}; do
		printf '      %-13s %s\n' "$f" "$(plan_summary "$WORK/plans.$m.serial.txt" "$f")"
	done
	echo "    CPU used by other processes during the timed runs (% of $(nproc) CPUs; should be near 0): ${OTHERS[$m.serial]} % (attempts: ${ATTEMPTS[$m.serial]})"
	echo "    the fastest plain SQL:"
	printf '%s\n' "${SQL[$m.$fp]}" | sed 's/^/      /'
}

echo
echo "== 1. last touch over the converting users' events (serial; ratios of median times, same run; /plain: to the fastest plain query)"
echo "  ours:  journeys of the converting users (journey_agg($JARGS)), attribute(j, 'last_touch', $CW, $VW, $HL),"
echo "         summed per campaign; every query's SQL is in $WORK/queries.sql"
print_model last_touch

echo
echo "== 2. linear, time_decay (half-life 7 days), position_based: ours against plain SQL with window functions (serial)"
for m in linear time_decay position_based; do
	echo "  $m:"
	print_model "$m"
done

echo
echo "== 3. journey_agg over all events GROUP BY user_id against count(*) of the same GROUP BY (serial, $GROUP_SET)"
printf '    %-78s %8s %15s | %8s\n' "query" "median" "min..max" "/count"
for f in count journey; do
	read -r med mn mx < <(time_stats group serial "$f")
	printf '    %-78s %7.3fs %6.3f..%6.3fs | %8s\n' "${LABEL[$f]}" "$med" "$mn" "$mx" "$(div "$med" "$(stat group serial count median)")"
done
M[group.ratio]=$(div "$(stat group serial journey median)" "$(stat group serial count median)")
M[group.ratio_min]=$(div "$(stat group serial journey min)" "$(stat group serial count min)")
for f in count journey; do
	printf '    %-8s plan (warm-up run): %s\n' "$f" "$(plan_summary "$WORK/plans.group.serial.txt" "$f")"
	M[group.$f.batches]=$(awk -v q="$f" '/^@@/ { on = (substr($0, 3) == q); next }
		on && /Batches:/ && !d { for (i = 1; i <= NF; i++) if ($i == "Batches:") print $(i + 1); d = 1 }' "$WORK/plans.group.serial.txt")
	M[group.$f.mem]=$(awk -v q="$f" '/^@@/ { on = (substr($0, 3) == q); next }
		on && /Memory Usage:/ && !d { for (i = 1; i <= NF; i++) if ($i == "Usage:" && $(i - 1) == "Memory") print $(i + 1); d = 1 }' "$WORK/plans.group.serial.txt")
	M[group.$f.disk]=$(awk -v q="$f" '/^@@/ { on = (substr($0, 3) == q); next }
		on && /Disk Usage:/ && !d { for (i = 1; i <= NF; i++) if ($i == "Usage:" && $(i - 1) == "Disk") print $(i + 1); d = 1 }' "$WORK/plans.group.serial.txt")
done
echo "    hash aggregate: count(*) ${M[group.count.batches]:-?} batch(es), Memory Usage ${M[group.count.mem]:-?}${M[group.count.disk]:+, Disk Usage ${M[group.count.disk]}};" \
	"journey_agg ${M[group.journey.batches]:-?} batch(es), Memory Usage ${M[group.journey.mem]:-?}${M[group.journey.disk]:+, Disk Usage ${M[group.journey.disk]}}"
echo "    journey_agg / count(*) = ${M[group.ratio]} (medians), ${M[group.ratio_min]} (minimums)"
echo "    CPU used by other processes during the timed runs: ${OTHERS[group.serial]} % (attempts: ${ATTEMPTS[group.serial]})"
echo "  timing took $t_timing"

# ---------------------------------------------------------------------------
# where the time goes (IE_BENCH_PERF=1, or auto when a target is missed)
# ---------------------------------------------------------------------------
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "nan" && a != "" && a + 0 <= b + 0) }'; }
declare -A LIMIT=([last_touch]=1.0 [linear]=0.333 [time_decay]=0.333 [position_based]=0.333)
perf_mode=${IE_BENCH_PERF:-auto}
profiles=()
for m in "${MODELS[@]}"; do
	if [[ $perf_mode == 1 ]] || { [[ $perf_mode == auto ]] && ! le "${M[$m.ratio]}" "${LIMIT[$m]}"; }; then profiles+=("$m"); fi
done
if [[ $perf_mode == 1 ]] || { [[ $perf_mode == auto ]] && ! le "${M[group.ratio]}" 2.0; }; then profiles+=(group); fi
if ((${#profiles[@]} > 0)); then
	wait_sibling
	echo
	echo "== where the time goes: perf record -g -F 999 -p <backend>, serial, ${IE_BENCH_PERF_RUNS:-3} runs each, our fastest query of each$([[ $perf_mode == auto ]] && echo ' missed') target"
	for m in "${profiles[@]}"; do
		if [[ $m == group ]]; then
			perf_profile group_journey "$SERIAL_SET $GROUP_SET" "${SQL[group.journey]}"
		else
			perf_profile "${m}_${M[$m.ours]}" "$SERIAL_SET" "${SQL[$m.${M[$m.ours]}]}"
		fi
	done
fi

# ---------------------------------------------------------------------------
# 4. summary
# ---------------------------------------------------------------------------
line() { printf '  %s  %-72s %s\n' "$1" "$2" "$3"; }
echo
echo "== 4. summary (targets: shared/DESIGN.md \"Targets\"; figures from this run, serial, medians)"
line "MET   " "check: every formulation gives the same report, credits = conversions" \
	"${M[n_conv]} conversions: ${M[lt_click]} post-click, ${M[lt_imp]} post-impression, ${M[lt_unattr]} unattributed (last touch)"
line "$(verdict "${M[last_touch.ratio]}" '<=' 1.0)" "last touch: ours no slower than the best plain SQL (<= 1.0)" \
	"${M[last_touch.ratio]}x (${M[last_touch.ours]} / ${M[last_touch.plain]}; minimums ${M[last_touch.ratio_min]}x)"
for m in linear time_decay position_based; do
	line "$(verdict "${M[$m.ratio]}" '<=' 0.333)" "$m: ours at least 3x faster than the best plain SQL (<= 0.333)" \
		"${M[$m.ratio]}x (${M[$m.ours]} / ${M[$m.plain]}; minimums ${M[$m.ratio_min]}x)"
done
line "      " "  the same beyond the conversions' seq scan (both sides pay it): last touch, linear, time_decay, position_based" \
	"${M[last_touch.excess]}x, ${M[linear.excess]}x, ${M[time_decay.excess]}x, ${M[position_based.excess]}x"
line "      " "  for scale, from journeys stored beforehand (built once in ${M[store_time]}): last touch, linear, time_decay, position_based" \
	"${M[last_touch.stored]}x, ${M[linear.stored]}x, ${M[time_decay.stored]}x, ${M[position_based.stored]}x of the best plain SQL"
line "$(verdict "${M[group.ratio]}" '<=' 2.0)" "journey_agg GROUP BY user_id <= 2x count(*) GROUP BY user_id" \
	"${M[group.ratio]}x (minimums ${M[group.ratio_min]}x)"
line "$([[ ${M[group.journey.batches]:-} == 1 && ${M[group.count.batches]:-} == 1 && -z ${M[group.journey.disk]:-} ]] && echo 'MET   ' || echo 'MISSED')" \
	"  neither spills at work_mem 4GB (batches; hash-aggregate memory)" \
	"count(*) ${M[group.count.batches]:-?} / ${M[group.count.mem]:-?}; journey_agg ${M[group.journey.batches]:-?} / ${M[group.journey.mem]:-?}"

drop_ours
echo
echo "whole run took $(($(date +%s) - t_start)) s; output also in $OUT"
echo "the cluster keeps running (data and events_user_ts_idx kept for the next run); stop it with:"
echo "  runuser -u postgres -- $PG_BIN/pg_ctl -D $DATADIR stop"
