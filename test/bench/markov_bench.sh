#!/usr/bin/env bash
#
# test/bench/markov_bench.sh — Markov attribution and the rule models from
# stored journeys (issue 19, item 4).
#
# Usage (as root, from anywhere; not part of test/check.sh):
#
#   test/bench/markov_bench.sh
#   IE_BENCH_PORT=54522 IE_BENCH_DIR=/var/tmp/my_bench PG_CONFIG=... test/bench/markov_bench.sh
#
# By default it shares the cluster, database and 10M-event table of the
# other benchmarks (port 54340, /var/tmp/impression_ext_bench, database
# bench; see attribution_bench.sh); IE_BENCH_PORT and IE_BENCH_DIR put it on
# a cluster of one's own (PG_CONFIG's server), where the table is generated
# the same way.  It stores every user's journey once
# (markov_bench_journeys: user_id, converted, j) and the converting users'
# (markov_bench_converting), keeps the index events_user_ts_idx that the
# plain-SQL probes use, and drops its tables at the end.
#
# It prints, measured in this run:
#   0. the check: every rule model's report from the stored journeys equals
#      the plain-SQL reports over the raw events (per campaign within 1e-6
#      relative); Markov's conversions add up to the converting paths and
#      its values to the total value;
#   1. markov_agg over the stored journeys of every user (serial and with 2
#      parallel workers): time, the chain's size, and the backend's peak
#      resident memory beyond that of count(j) over the same table;
#      markov_attribution of that chain; and of a 200-channel chain;
#   2. the per-campaign report from stored journeys under last_touch,
#      first_touch, linear, time_decay, position_based and Markov (chain
#      built from every stored journey, then attributed), each as a ratio
#      to the fastest plain-SQL formulation of the rule models (per model,
#      and for Markov to the fastest plain report of any rule model).
# Timing as in attribution_bench.sh (bench_lib.sh): serial unless said,
# warm-up, then IE_BENCH_RUNS (default 5) interleaved rounds, EXPLAIN
# (ANALYZE, TIMING OFF) execution time, medians.
#
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
# shellcheck source=bench_lib.sh
source "$here/bench_lib.sh"
# shellcheck source=attribution_sql.sh
source "$here/attribution_sql.sh"
cd "$REPO_ROOT"

BENCH_NAME=markov_bench
PORT=${IE_BENCH_PORT:-54340}
DATADIR=${IE_BENCH_DIR:-/var/tmp/impression_ext_bench}
DB=${IE_BENCH_DB:-bench}
RUNS=${IE_BENCH_RUNS:-5}
bench_gen_args
bench_output markov bench
t_start=$(now)
wait_sibling
bench_setup 'markov_agg(journey)' 'markov_attribution(markov_chain)' \
	'attribute(journey, text, interval, interval, interval, interval)'
if [[ $(bpsql -tA -c "SELECT to_regclass('public.events_user_ts_idx') IS NOT NULL") != t ]]; then
	ie_log "CREATE INDEX events_user_ts_idx ON events (user_id, ts)"
	bpsql -c "SET maintenance_work_mem = '1GB'" -c 'CREATE INDEX events_user_ts_idx ON events (user_id, ts)'
fi
bpsql -c 'VACUUM ANALYZE events'
bench_header "Markov and rule-model reports from stored journeys"

SERIAL_SET="SET max_parallel_workers_per_gather = 0;"
PARALLEL_SET="SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;"
COMMON_SET="SET TimeZone = 'UTC'; SET client_min_messages = warning; SET work_mem = '256MB';"
RESULTS="$WORK/timings.txt"
: >"$RESULTS"
declare -A SQL PRE LABEL M
RULES=(last_touch first_touch linear time_decay position_based)

drop_tables() {
	bpsql -c 'SET client_min_messages = warning' -c 'DROP TABLE IF EXISTS markov_bench_journeys, markov_bench_converting, markov_bench_chain200'
}
drop_tables
ie_log "storing every user's journey"
t0=$(now)
bpsql -c "$COMMON_SET" -c "CREATE UNLOGGED TABLE markov_bench_journeys AS
	SELECT user_id, bool_or(kind = 'conversion') AS converted, journey_agg($JARGS) AS j FROM events e GROUP BY user_id" \
	-c 'CREATE UNLOGGED TABLE markov_bench_converting AS SELECT user_id, j FROM markov_bench_journeys WHERE converted' \
	-c 'VACUUM ANALYZE markov_bench_journeys' -c 'VACUUM ANALYZE markov_bench_converting'
M[store]=$(since "$t0")
echo "stored journeys: $(bpsql -tA -c "SELECT count(*) || ' users (' || pg_size_pretty(pg_total_relation_size('markov_bench_journeys'))
	|| '), of which ' || (SELECT count(*) FROM markov_bench_converting) || ' converting (' || pg_size_pretty(pg_total_relation_size('markov_bench_converting'))
	|| ')' FROM markov_bench_journeys"), built in ${M[store]}"

# the reports: ours from stored journeys, plain SQL over the raw events
STORED_JOURNEYS=markov_bench_converting
MARKOV="SELECT a.touch, NULL::float8 AS post_click, NULL::float8 AS post_impression, NULL::float8 AS unattributed, a.value AS revenue
 FROM (SELECT markov_agg(j) AS m FROM markov_bench_journeys) s, markov_attribution(s.m) a"
declare -A PLAIN
PLAIN[last_touch]="probe2 probe1"
PLAIN[first_touch]="first"
for m in linear time_decay position_based; do PLAIN[$m]="window inner"; done
for m in "${RULES[@]}"; do
	SQL[report.$m.ours]=$(ours_sql "$m" stored)
	for f in ${PLAIN[$m]}; do
		case $f in
		probe*) SQL[report.$m.$f]=$(lt_probe_sql "$f") ;;
		first) SQL[report.$m.$f]=$(ft_probe_sql) ;;
		*) SQL[report.$m.$f]=$(win_sql "$m" "$f") ;;
		esac
	done
done
SQL[report.markov]=$MARKOV
{ for k in $(printf '%s\n' "${!SQL[@]}" | sort); do printf -- '-- %s\n%s;\n\n' "$k" "${SQL[$k]}"; done; } >"$WORK/queries.sql"

# ---------------------------------------------------------------------------
# 0. check
# ---------------------------------------------------------------------------
close() { echo "abs(coalesce($1, 0) - coalesce($2, 0)) <= 1e-6 * greatest(abs(coalesce($1, 0)), abs(coalesce($2, 0)), 1e-9)"; }
echo
echo "== 0. check: each rule model's report from stored journeys = its plain-SQL reports (per campaign, 1e-6 relative)"
failed=0
for m in "${RULES[@]}"; do
	{
		echo "$COMMON_SET $SERIAL_SET"
		echo "CREATE TEMP TABLE chk_ours AS ${SQL[report.$m.ours]};"
		for f in ${PLAIN[$m]}; do
			echo "CREATE TEMP TABLE chk_$f AS ${SQL[report.$m.$f]};"
			echo "SELECT 'DIFF', '$f', coalesce(a.touch, b.touch) FROM chk_ours a FULL JOIN chk_$f b ON coalesce(a.touch, chr(1)) = coalesce(b.touch, chr(1))
				WHERE NOT ($(close a.post_click b.post_click) AND $(close a.post_impression b.post_impression)
				           AND $(close a.unattributed b.unattributed) AND $(close a.revenue b.revenue));"
		done
		echo "SELECT 'TOTAL', count(*), round(sum(coalesce(post_click, 0) + coalesce(post_impression, 0) + coalesce(unattributed, 0))::numeric, 6) FROM chk_ours;"
	} >"$WORK/check.$m.sql"
	bpsql -tA -F '|' -f "$WORK/check.$m.sql" >"$WORK/check.$m.out"
	nd=$(grep -c '^DIFF|' "$WORK/check.$m.out" || true)
	echo "  $m: $(grep '^TOTAL|' "$WORK/check.$m.out" | awk -F'|' '{ print $2 " rows, credits " $3 }'); differing rows: $nd"
	[[ $nd == 0 ]] || failed=1
done
read -r mk_ok mk_rows < <(bpsql -tA -F ' ' -c "$COMMON_SET" -c "WITH c AS (SELECT markov_agg(j) AS m FROM markov_bench_journeys)
	SELECT abs(sum(a.conversions) - (markov_chain_info(c.m)->>'converting_paths')::float8) < 1e-6 * (markov_chain_info(c.m)->>'converting_paths')::float8
	   AND abs(sum(a.value) - (markov_chain_info(c.m)->>'value')::float8) < 1e-6 * (markov_chain_info(c.m)->>'value')::float8, count(*)
	FROM c, markov_attribution(c.m) a GROUP BY c.m")
echo "  markov: $mk_rows channels; conversions and values add up to the totals: $mk_ok"
[[ $mk_ok == t ]] || failed=1
if [[ $failed == 1 ]]; then echo "check FAILED; queries in $WORK/queries.sql"; drop_tables; exit 1; fi

# ---------------------------------------------------------------------------
# 1. markov_agg: time, size, memory; markov_attribution
# ---------------------------------------------------------------------------
# a 200-channel chain: 200,000 journeys of 1-6 touches over 200 channels
bpsql -c "$COMMON_SET" -c "CREATE UNLOGGED TABLE markov_bench_chain200 AS
	SELECT markov_agg(j) AS m FROM (SELECT u, journey_agg(timestamptz '2026-01-01' + k * interval '1 hour',
		CASE WHEN k = 6 AND hashint4(u) % 3 = 0 THEN 'conversion' ELSE 'click' END, 'c' || (hashint4(u * 7 + k) & 1023) % 200) AS j
	FROM generate_series(1, 200000) u, generate_series(1, 6) k WHERE k <= 1 + (hashint4(u) & 7) % 6 OR k = 6 GROUP BY u) s" >/dev/null
SQL[agg.markov_agg]="SELECT markov_agg(j) FROM markov_bench_journeys"
SQL[agg.count]="SELECT count(j) FROM markov_bench_journeys"
SQL[attr.attribution]="SELECT * FROM markov_attribution((SELECT m FROM markov_bench_chain50))"
SQL[attr.attribution200]="SELECT * FROM markov_attribution((SELECT m FROM markov_bench_chain200))"
bpsql -c "$COMMON_SET" -c 'DROP TABLE IF EXISTS markov_bench_chain50' \
	-c 'CREATE UNLOGGED TABLE markov_bench_chain50 AS SELECT markov_agg(j) AS m FROM markov_bench_journeys' >/dev/null
LABEL[markov_agg]="markov_agg(j) over every stored journey"
LABEL[count]="count(j) over the same (the scan alone)"
LABEL[attribution]="markov_attribution of that chain (stored)"
LABEL[attribution200]="markov_attribution of a 200-channel chain (stored)"

hwm() { # SQL: the backend's peak resident memory (kB) after running it, in a fresh session
	bpsql -tA -c "$COMMON_SET $2" -c "CREATE TEMP TABLE x AS $1" \
		-c "SELECT substring(pg_read_file('/proc/self/status') from 'VmHWM:\s*(\d+) kB')" | tail -1
}

# timing: under the project's timing lock, so that no two timing runs overlap
wait_quiet
t0=$(now)
time_block agg serial markov_agg count
time_block agg parallel markov_agg count
time_block attr serial attribution attribution200
# shellcheck disable=SC2046
time_block report serial markov $(for m in "${RULES[@]}"; do printf '%s ' "$m.ours"; for f in ${PLAIN[$m]}; do printf '%s ' "$m.$f"; done; done)
M[timing]=$(since "$t0")
m_mem=$(hwm "${SQL[agg.markov_agg]}" "$SERIAL_SET")
c_mem=$(hwm "${SQL[agg.count]}" "$SERIAL_SET")

echo
echo "== 1. markov_agg over $(bpsql -tA -c 'SELECT count(*) FROM markov_bench_journeys') stored journeys; markov_attribution"
printf '    %-60s %9s %17s\n' "query" "median" "min..max"
for mode in serial parallel; do
	for f in markov_agg count; do
		read -r med mn mx < <(time_stats agg $mode $f)
		printf '    %-60s %8.3fs %7.3f..%7.3fs  (%s, workers %s)\n' "${LABEL[$f]}" "$med" "$mn" "$mx" "$mode" "$(workers_used agg $mode $f)"
	done
done
for f in attribution attribution200; do
	read -r med mn mx < <(time_stats attr serial $f)
	printf '    %-60s %8.3fs %7.3f..%7.3fs\n' "${LABEL[$f]}" "$med" "$mn" "$mx"
done
echo "    the chain: $(bpsql -tA -c 'SELECT markov_chain_info(m) FROM markov_bench_chain50')"
echo "    the 200-channel chain: $(bpsql -tA -c 'SELECT markov_chain_info(m) FROM markov_bench_chain200')"
echo "    backend peak resident memory (VmHWM, serial): markov_agg $(kb "$m_mem"), count(j) $(kb "$c_mem"): $(kb $((m_mem - c_mem))) more"
echo "    markov_agg / count(j): serial $(div "$(stat agg serial markov_agg median)" "$(stat agg serial count median)"), parallel $(div "$(stat agg parallel markov_agg median)" "$(stat agg parallel count median)")"

echo
echo "== 2. per-campaign reports from stored journeys (rule models: the converting users' journeys, markov_bench_converting;"
echo "   Markov: every user's, chain built and attributed in the query) against plain SQL over the raw events (serial, medians)"
printf '    %-16s %-40s %9s %9s\n' "model" "query" "median" "/ plain"
best_plain_all=nan
for m in "${RULES[@]}"; do
	# shellcheck disable=SC2046
	fp=$(fastest report serial $(for f in ${PLAIN[$m]}; do printf '%s ' "$m.$f"; done))
	bp=$(stat report serial "$fp" median)
	best_plain_all=$(awk -v a="$best_plain_all" -v b="$bp" 'BEGIN { print (a == "nan" || b < a) ? b : a }')
	for f in ours ${PLAIN[$m]}; do
		printf '    %-16s %-40s %8.3fs %9s\n' "$m" "$f" "$(stat report serial "$m.$f" median)" "$(div "$(stat report serial "$m.$f" median)" "$bp")"
	done
	M[$m]=$(div "$(stat report serial "$m.ours" median)" "$bp")
done
printf '    %-16s %-40s %8.3fs %9s\n' markov "markov_agg + markov_attribution" "$(stat report serial markov median)" \
	"$(div "$(stat report serial markov median)" "$best_plain_all")"
echo "    (Markov's ratio is to the fastest plain report of any rule model, $(printf '%.3f' "$best_plain_all") s)"
echo
echo "== summary: ours / fastest plain SQL (serial medians): $(for m in "${RULES[@]}"; do printf '%s %s, ' "$m" "${M[$m]}"; done)markov $(div "$(stat report serial markov median)" "$best_plain_all")"
echo "   CPU used by other processes during the report block: ${OTHERS[report.serial]} %; timing took ${M[timing]}; whole run $(since "$t_start")"
bpsql -c 'SET client_min_messages = warning' -c 'DROP TABLE IF EXISTS markov_bench_chain50'
drop_tables
