#!/usr/bin/env bash
#
# test/bench/frequency_bench.sh — the frequency_sketch benchmark (DESIGN.md,
# "Targets": frequency_agg + frequency_histogram per campaign).
#
# Usage (as root on the project's Debian 12 machine, from anywhere):
#
#   test/bench/frequency_bench.sh
#
# Not part of test/check.sh (tests never time anything).  It shares the
# cluster, database and table of test/bench/reach_bench.sh: port 54340,
# /var/tmp/impression_ext_bench, database "bench", the 10M-event table
# loaded by test/data/load.sh -- --events 10000000 --users 2000000
# --campaigns 50 --days 30 (loaded here the same way when it is missing).
# It waits for a running reach_bench.sh to finish before it builds, touches
# the database or times anything (both time queries on the same 2 CPUs).
#
# It prints, measured in this run, as ratios (seconds only alongside):
#   1. the per-campaign frequency report over impressions,
#        SELECT campaign_id, h.frequency, h.reach
#        FROM (SELECT campaign_id, frequency_agg(user_id) AS s FROM events
#              WHERE kind = 'impression' GROUP BY campaign_id) f,
#             LATERAL frequency_histogram(f.s) h
#      against the exact two-level GROUP BY histogram (several plain-SQL
#      formulations and plans; the fastest is the reference) and against
#      SELECT campaign_id, count(*) ... GROUP BY campaign_id; serially and
#      with 2 parallel workers (workers launched shown);
#   2. the accuracy of this run's sketches against the exact answer: per
#      campaign the reach error (relative), the 3+ reach error and each
#      frequency bucket's share error (percentage points); max and RMS over
#      campaigns, the same for the campaign x day groups and for
#      IE_BENCH_REPLICATES relabellings of the users (independent samples of
#      the same data); and whether the serial and parallel sketches are the
#      same bytes;
#   3. the campaign x day frequency rollup: build time against count(*) of
#      the same GROUP BY, hash-aggregate memory (EXPLAIN ANALYZE: Memory
#      Usage, Batches, Disk Usage; work_mem 4GB, no spill), stored size; the
#      30-day per-campaign sketch answered from it with frequency_union_agg
#      is checked to be byte-identical to the direct per-campaign sketch;
#   4. a summary: each target MET / MISSED (or NOISE) with the figure;
#   and, when a speed target is missed (or IE_BENCH_PERF=1), where the time
#   goes: perf record -g on the backend during the serial frequency query.
#
# Timing (as in reach_bench.sh): every query runs once to warm up, then
# IE_BENCH_RUNS times; the runs of a block are interleaved (round r runs each
# query once, in rotated order).  A run's time is the "Execution Time" of
# EXPLAIN (ANALYZE, TIMING OFF) (no planning, no client); the figure is the
# median, min..max alongside.  The CPU other processes used during each block
# is printed.
#
# Environment (all optional):
#   IE_BENCH_RUNS=7             timed runs per query (after 1 warm-up)
#   IE_BENCH_NO_BUILD=1         do not build and install: measure the
#                               extension as installed now
#   IE_BENCH_QUIET_WAIT=900     seconds to wait, before timing, for other
#                               processes to leave the CPUs alone
#   IE_BENCH_SIBLING_WAIT=3600  seconds to wait for a running reach_bench.sh
#                               to finish (0: do not wait)
#   IE_BENCH_PERF=auto          auto: profile when a speed target is missed;
#                               1: always; 0: never (installs linux-perf if
#                               missing)
#   IE_BENCH_REPLICATES=20      accuracy replicates (user_id + j * 2^40); 0: none
#   IE_BENCH_RECREATE_EXT=1     DROP and CREATE EXTENSION impression_ext in the
#                               database even if its frequency functions exist
#                               (it is recreated anyway when they are missing:
#                               the extension has no upgrade script yet)
#   IE_BENCH_DB=bench           database; with IE_BENCH_GEN_ARGS (generator
#                               arguments) another database can hold a small
#                               table for a dry run, e.g.
#     IE_BENCH_DB=bench_freq_dry IE_BENCH_GEN_ARGS='--events 300000 --users 60000 --campaigns 50 --days 30' \
#     IE_BENCH_RUNS=2 IE_BENCH_NO_BUILD=1 IE_BENCH_SIBLING_WAIT=0 IE_BENCH_QUIET_WAIT=0 test/bench/frequency_bench.sh
#
# Leaves the cluster running (the data stays for the next run) and drops the
# frequency_bench_* tables it creates.  The full output is also written to
# test/bench/.build/frequency_bench.out (frequency_bench.<db>.out for another
# database).
#
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
# shellcheck source=bench_lib.sh
source "$here/bench_lib.sh"
BENCH_NAME=frequency_bench
cd "$REPO_ROOT"

PORT=54340
DATADIR=/var/tmp/impression_ext_bench
DB=${IE_BENCH_DB:-bench}
RUNS=${IE_BENCH_RUNS:-7}
bench_gen_args
bench_output frequency bench

t_start=$(date +%s)

# the other benchmarks (any test/bench/*_bench.sh but this one) time
# queries on the same CPUs and cluster and rebuild the extension: wait for
# them (bench_lib.sh's wait_sibling)
wait_sibling

# ---------------------------------------------------------------------------
# set-up (bench_lib.sh)
# ---------------------------------------------------------------------------
bench_setup 'frequency_agg(bigint)' 'frequency_union_agg(frequency_sketch)' 'frequency_histogram(frequency_sketch, integer)' 'reach_at_least(frequency_sketch, integer)' 'frequency_sketch_info(frequency_sketch)'
ie_log "VACUUM ANALYZE events"
bpsql -c 'VACUUM ANALYZE events'

# our own tables (unlogged, dropped at the end)
drop_ours() {
	bpsql -c 'SET client_min_messages = warning' \
		-c 'DROP TABLE IF EXISTS frequency_bench_sk, frequency_bench_sk_par, frequency_bench_exact, frequency_bench_rollup, frequency_bench_day_exact, frequency_bench_rep'
}
drop_ours

# ---------------------------------------------------------------------------
# header
# ---------------------------------------------------------------------------
bench_header "frequency_sketch benchmark"
bpsql -tA -c "SELECT format('events (database %s): %s rows, %s impressions, %s users with an impression, %s campaigns, table %s (shared_buffers %s)',
	current_database(), count(*), count(*) FILTER (WHERE kind = 'impression'), count(DISTINCT user_id) FILTER (WHERE kind = 'impression'),
	count(DISTINCT campaign_id), pg_size_pretty(pg_relation_size('events')), current_setting('shared_buffers')) FROM events"
echo "settings: work_mem $(bpsql -tA -c 'SHOW work_mem') unless a query says otherwise, hash_mem_multiplier $(bpsql -tA -c 'SHOW hash_mem_multiplier'), jit $(bpsql -tA -c 'SHOW jit'), TimeZone UTC;" \
	"median of $RUNS runs after 1 warm-up, EXPLAIN (ANALYZE, TIMING OFF) execution time"

# ---------------------------------------------------------------------------
# timing settings (the machinery is bench_lib.sh's time_block)
# ---------------------------------------------------------------------------
SERIAL_SET="SET max_parallel_workers_per_gather = 0;"
PARALLEL_SET="SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;"
COMMON_SET="SET TimeZone = 'UTC'; SET client_min_messages = warning;"
RESULTS="$WORK/timings.txt"
: >"$RESULTS"

declare -A SQL PRE LABEL

IMP="kind = 'impression'"
# 1. per-campaign frequency report
SQL[freq.hist]="SELECT f.campaign_id, h.frequency, h.reach FROM (SELECT campaign_id, frequency_agg(user_id) AS s FROM events WHERE $IMP GROUP BY campaign_id) f CROSS JOIN LATERAL frequency_histogram(f.s) h"
SQL[freq.agg]="SELECT campaign_id, frequency_agg(user_id) FROM events WHERE $IMP GROUP BY campaign_id"
SQL[freq.count]="SELECT campaign_id, count(*) FROM events WHERE $IMP GROUP BY campaign_id"
EXACT_SQL="SELECT campaign_id, least(n, 10) AS frequency, count(*) FROM (SELECT campaign_id, user_id, count(*) AS n FROM events WHERE $IMP GROUP BY 1, 2) t GROUP BY 1, 2"
SQL[freq.exact_plan]=$EXACT_SQL
SQL[freq.exact_hash]=$EXACT_SQL
PRE[freq.exact_hash]="SET work_mem = '2GB'; SET enable_sort = off;"
SQL[freq.exact_sort]=$EXACT_SQL
PRE[freq.exact_sort]="SET work_mem = '2GB'; SET enable_hashagg = off;"
# one bigint group key instead of two columns (cheaper to hash and compare);
# the same result as long as 0 <= user_id < 2^32, which holds for this table
SQL[freq.exact_key]="SELECT (key >> 32)::int AS campaign_id, least(n, 10) AS frequency, count(*) FROM (SELECT (campaign_id::bigint << 32) | user_id AS key, count(*) AS n FROM events WHERE $IMP GROUP BY 1) t GROUP BY 1, 2"
PRE[freq.exact_key]="SET work_mem = '2GB'; SET enable_sort = off;"
ORDER_FREQ=(count agg hist exact_plan exact_hash exact_sort exact_key)
EXACT_NAMES=(exact_plan exact_hash exact_sort exact_key)
LABEL[count]="count(*) GROUP BY campaign_id"
LABEL[agg]="frequency_agg(user_id) GROUP BY campaign_id"
LABEL[hist]="frequency_histogram(frequency_agg(user_id)) (LATERAL)"
LABEL[exact_plan]="exact 2-level GROUP BY, planner's choice"
LABEL[exact_hash]="exact, hash both levels (work_mem 2GB, enable_sort off)"
LABEL[exact_sort]="exact, sort + group (work_mem 2GB, enable_hashagg off)"
LABEL[exact_key]="exact, hash on one bigint key campaign<<32|user (2GB)"

# 3. campaign x day rollup (work_mem large enough that neither spills)
ROLL_SET="SET work_mem = '4GB'; SET hash_mem_multiplier = 1;"
SQL[roll.rfreq]="SELECT campaign_id, ts::date, frequency_agg(user_id) FROM events WHERE $IMP GROUP BY 1, 2"
SQL[roll.rcount]="SELECT campaign_id, ts::date, count(*) FROM events WHERE $IMP GROUP BY 1, 2"
PRE[roll.rfreq]=$ROLL_SET
PRE[roll.rcount]=$ROLL_SET
LABEL[rcount]="count(*) GROUP BY campaign_id, ts::date"
LABEL[rfreq]="frequency_agg(user_id) GROUP BY campaign_id, ts::date"
ORDER_ROLL=(rcount rfreq)
# the 30-day per-campaign report answered from the rollup
SQL[answer.from_rollup]="SELECT f.campaign_id, h.frequency, h.reach FROM (SELECT campaign_id, frequency_union_agg(users) AS s FROM frequency_bench_rollup GROUP BY campaign_id) f CROSS JOIN LATERAL frequency_histogram(f.s) h"
LABEL[from_rollup]="frequency_histogram(frequency_union_agg(users)) from the rollup"

# print_block BLOCK MODE REF NAME...: ratios to REF's median
print_block() {
	local block=$1 mode=$2 ref=$3
	shift 3
	local name med mn mx w refm
	refm=$(stat "$block" "$mode" "$ref" median)
	printf '    %-56s %8s %15s | %10s |' "query" "median" "min..max" "/${LABEL[$ref]%% *}"
	if [[ $mode == parallel ]]; then printf ' %8s %8s' "/serial" "workers"; fi
	echo
	for name in "$@"; do
		read -r med mn mx < <(time_stats "$block" "$mode" "$name")
		printf '    %-56s %7.3fs %6.3f..%6.3fs | %10s |' "${LABEL[$name]}" "$med" "$mn" "$mx" "$(div "$med" "$refm")"
		if [[ $mode == parallel ]]; then
			w=$(workers_used "$block" "$mode" "$name")
			[[ $w == 0/0 ]] && w="serial"
			printf ' %8s %8s' "$(div "$med" "$(stat "$block" serial "$name" median)")" "$w"
		fi
		echo
	done
}

# best_exact MODE: the exact formulation with the smallest median
best_exact() {
	local mode=$1 name best="" bt="" t
	for name in "${EXACT_NAMES[@]}"; do
		t=$(stat freq "$mode" "$name" median)
		[[ $t == nan ]] && continue
		if [[ -z $best ]] || awk -v a="$t" -v b="$bt" 'BEGIN { exit !(a < b) }'; then best=$name; bt=$t; fi
	done
	echo "$best"
}

declare -A M		# figures for the summary

# ---------------------------------------------------------------------------
# 1. speed: per-campaign frequency report
# ---------------------------------------------------------------------------
wait_sibling
wait_quiet
t0=$(now)
time_block freq serial "${ORDER_FREQ[@]}"
time_block freq parallel "${ORDER_FREQ[@]}"

echo
echo "== 1. per-campaign frequency report over impressions (WHERE $IMP; ratios of median times, same run)"
echo "  frequency path: ${SQL[freq.hist]}"
echo "  exact:          $EXACT_SQL"
echo "  one-key exact:  ${SQL[freq.exact_key]}"
echo "  baseline:       ${SQL[freq.count]}"
for mode in serial parallel; do
	if [[ $mode == serial ]]; then
		echo "  serial (max_parallel_workers_per_gather = 0):"
	else
		echo "  2 workers (max_parallel_workers_per_gather = 2, parallel_setup_cost = parallel_tuple_cost = 0; workers = launched/planned, min over runs;"
		echo "  the leader also scans, so 3 processes share $(nproc) CPUs):"
	fi
	print_block freq "$mode" count "${ORDER_FREQ[@]}"
	best=$(best_exact "$mode")
	M[$mode.best]=$best
	M[$mode.speedup]=$(div "$(stat freq "$mode" "$best" median)" "$(stat freq "$mode" hist median)")
	M[$mode.vs_count]=$(div "$(stat freq "$mode" hist median)" "$(stat freq "$mode" count median)")
	M[$mode.agg_vs_count]=$(div "$(stat freq "$mode" agg median)" "$(stat freq "$mode" count median)")
	M[$mode.launched]=$(workers_used freq "$mode" hist)
	echo "    fastest exact formulation: ${LABEL[$best]} — the frequency path is ${M[$mode.speedup]}x faster;" \
		"frequency path / count(*) = ${M[$mode.vs_count]}x (frequency_agg alone ${M[$mode.agg_vs_count]}x)"
	echo "    plans (first run):"
	for name in "${ORDER_FREQ[@]}"; do
		printf '      %-12s %s\n' "$name" "$(plan_summary "$WORK/plans.freq.$mode.txt" "$name")"
	done
done
M[par.hist_speedup]=$(div "$(stat freq parallel hist median)" "$(stat freq serial hist median)")
echo "  CPU used by other processes during the timed runs (% of $(nproc) CPUs; should be near 0): serial ${OTHERS[freq.serial]} %, parallel ${OTHERS[freq.parallel]} %" \
	"(attempts: ${ATTEMPTS[freq.serial]}, ${ATTEMPTS[freq.parallel]})"
echo "  timing took $(since "$t0")"

# ---------------------------------------------------------------------------
# 2. accuracy of this run's sketches
# ---------------------------------------------------------------------------
t0=$(now)
wait_sibling
ie_log "accuracy: building the sketches (serial and parallel) and the exact histogram"
bpsql -c "$COMMON_SET" \
	-c "$SERIAL_SET CREATE UNLOGGED TABLE frequency_bench_sk AS SELECT campaign_id, frequency_agg(user_id) AS s FROM events WHERE $IMP GROUP BY campaign_id" \
	-c "$PARALLEL_SET CREATE UNLOGGED TABLE frequency_bench_sk_par AS SELECT campaign_id, frequency_agg(user_id) AS s FROM events WHERE $IMP GROUP BY campaign_id" \
	-c "$SERIAL_SET SET work_mem = '2GB'; CREATE UNLOGGED TABLE frequency_bench_exact AS $EXACT_SQL" \
	-c "ANALYZE frequency_bench_sk, frequency_bench_sk_par, frequency_bench_exact"
# the per-campaign comparison (a view over the session's temp data)
CMP_SQL="
	WITH sk AS (
		SELECT campaign_id, reach(s) AS r, reach_at_least(s, 3) AS r3,
		       frequency_sketch_info(s) AS info
		FROM frequency_bench_sk),
	skh AS (
		SELECT campaign_id, h.frequency, h.reach, h.share
		FROM frequency_bench_sk, LATERAL frequency_histogram(s) h),
	ex AS (
		SELECT campaign_id, sum(count) AS r, coalesce(sum(count) FILTER (WHERE frequency >= 3), 0) AS r3
		FROM frequency_bench_exact GROUP BY campaign_id),
	exh AS (
		SELECT e.campaign_id, e.frequency, e.count AS reach, e.count::float8 / x.r AS share
		FROM frequency_bench_exact e JOIN ex x USING (campaign_id)),
	buckets AS (
		SELECT campaign_id, frequency, coalesce(exh.share, 0) AS ex_share, coalesce(skh.share, 0) AS sk_share,
		       100 * (coalesce(skh.share, 0) - coalesce(exh.share, 0)) AS err_pp
		FROM skh FULL JOIN exh USING (campaign_id, frequency)),
	per_campaign AS (
		SELECT c.campaign_id, c.info->>'mode' AS mode, (c.info->>'k')::int AS k,
		       (c.info->>'relative_standard_error')::float8 AS rse,
		       x.r AS ex_r, c.r AS sk_r, (c.r - x.r)::float8 / x.r AS r_err,
		       x.r3 AS ex_r3, c.r3 AS sk_r3, (c.r3 - x.r3)::float8 / nullif(x.r3, 0) AS r3_err,
		       b.max_pp, b.max_at
		FROM sk c FULL JOIN ex x USING (campaign_id)
		LEFT JOIN LATERAL (SELECT max(abs(err_pp)) AS max_pp,
		                          (array_agg(frequency ORDER BY abs(err_pp) DESC))[1] AS max_at
		                   FROM buckets b WHERE b.campaign_id = c.campaign_id) b ON true)"
read -r n_camp n_samp k_val r_rms r_max r3_rms r3_max sh_max sh_rms rse_mean < <(bpsql -tA -F ' ' -c "$CMP_SQL
	SELECT count(*), count(*) FILTER (WHERE mode = 'sampling'), max(k),
	       coalesce(sqrt(avg(r_err ^ 2) FILTER (WHERE mode = 'sampling')), 0), max(abs(r_err)),
	       coalesce(sqrt(avg(r3_err ^ 2) FILTER (WHERE mode = 'sampling')), 0), max(abs(r3_err)),
	       (SELECT max(abs(err_pp)) FROM buckets), (SELECT sqrt(avg(err_pp ^ 2)) FROM buckets),
	       coalesce(avg(rse) FILTER (WHERE mode = 'sampling'), 0)
	FROM per_campaign")
echo
echo "== 2. accuracy of this run's sketches (k = default) against the exact answer, per campaign"
echo "  reach error = (reach(s) - exact) / exact; 3+ = reach_at_least(s, 3); share error = sketch share - exact share of a"
echo "  frequency bucket (1 .. 9, 10+), in percentage points; rse = the sketch's own relative standard error (frequency_sketch_info)"
bpsql -P footer=off -c "$CMP_SQL
	SELECT campaign_id AS campaign, mode, ex_r AS exact_reach, sk_r AS sketch_reach,
	       to_char(100 * r_err, 'S990.00') || ' %' AS reach_err, to_char(100 * rse, '0.00') || ' %' AS rse,
	       ex_r3 AS exact_3plus, sk_r3 AS sketch_3plus, to_char(100 * r3_err, 'S990.00') || ' %' AS err_3plus,
	       to_char(max_pp, '0.00') || ' pp (' || max_at || ')' AS worst_bucket
	FROM per_campaign ORDER BY ex_r DESC" | sed 's/^/  /'
echo "  per bucket, over campaigns (expected SE of a share p from a k-user sample: sqrt(p (1 - p) / k), p the mean exact share):"
bpsql -P footer=off -c "$CMP_SQL
	SELECT frequency, to_char(100 * avg(ex_share), '990.00') || ' %' AS mean_exact_share,
	       to_char(sqrt(avg(err_pp ^ 2)), '0.000') || ' pp' AS rms_err,
	       to_char(max(abs(err_pp)), '0.000') || ' pp' AS max_abs_err,
	       to_char(100 * sqrt(avg(ex_share) * (1 - avg(ex_share)) / $k_val), '0.000') || ' pp' AS expected_se
	FROM buckets GROUP BY frequency ORDER BY frequency" | sed 's/^/  /'
M[k]=$k_val
M[target_rmse]=$(awk -v k="$k_val" 'BEGIN { printf "%.5f", 1 / sqrt(k) }')
M[r_rms]=$r_rms; M[r_max]=$r_max; M[r3_rms]=$r3_rms; M[r3_max]=$r3_max; M[sh_max]=$sh_max; M[sh_rms]=$sh_rms
M[n_samp]=$n_samp
# standard error of an RMS estimated from n independent normal errors: rms / sqrt(2 n)
M[r_rms_se]=$(awk -v r="$r_rms" -v n="$n_samp" 'BEGIN { printf "%.5f", (n > 0) ? r / sqrt(2 * n) : 0 }')
pct() { awk -v v="$1" 'BEGIN { if (v == "") print "-"; else printf "%.3f %%", 100 * v }'; }
echo "  over $n_camp campaigns ($n_samp in sampling mode, k = $k_val; RMS over those in sampling mode, exact mode has no error):"
echo "    reach:     RMS $(pct "$r_rms") +- $(pct "${M[r_rms_se]}") (estimate's SE), max $(pct "$r_max"); 1/sqrt(k) = $(pct "${M[target_rmse]}"), mean reported rse $(pct "$rse_mean")"
echo "    3+ reach:  RMS $(pct "$r3_rms"), max $(pct "$r3_max")"
echo "    bucket shares: RMS $(awk -v v="$sh_rms" 'BEGIN { printf "%.3f", v }') pp, max $(awk -v v="$sh_max" 'BEGIN { printf "%.3f", v }') pp over all campaigns x buckets"
echo "  (the campaigns' errors are not independent: they share users, and a user's hash decides their sampling in every campaign)"

# serial and parallel sketches must be the same bytes
read -r sp_n sp_same < <(bpsql -tA -F ' ' -c "SELECT count(*), count(*) FILTER (WHERE a.s::bytea = b.s::bytea)
	FROM frequency_bench_sk a FULL JOIN frequency_bench_sk_par b USING (campaign_id)")
M[serial_eq_parallel]="$sp_same/$sp_n"
echo "  serial and 2-worker sketches byte-identical: $sp_same of $sp_n campaigns"
# Replicates: the same data with the users relabelled (user_id + j * 2^40,
# j = 1..R) is sampled independently by the hash, so R relabellings give R
# independent sketches of every campaign with the same exact answer: an
# RMSE over R x 50 campaigns instead of one draw of 50 (correlated) ones.
REPS=${IE_BENCH_REPLICATES:-20}
if ((REPS > 0)); then
	wait_sibling
	ie_log "accuracy: $REPS relabelled replicates"
	bpsql -c "$COMMON_SET $PARALLEL_SET SET work_mem = '1GB';" \
		-c "CREATE UNLOGGED TABLE frequency_bench_rep AS SELECT j, campaign_id, frequency_agg(user_id + j * 1099511627776) AS s
			FROM events, generate_series(1, $REPS) AS j WHERE $IMP GROUP BY 1, 2"
	REP_SQL="
		WITH ex AS (
			SELECT campaign_id, sum(count) AS r, coalesce(sum(count) FILTER (WHERE frequency >= 3), 0) AS r3
			FROM frequency_bench_exact GROUP BY campaign_id),
		exh AS (
			SELECT campaign_id, frequency, count::float8 / sum(count) OVER (PARTITION BY campaign_id) AS share
			FROM frequency_bench_exact),
		rep AS (
			SELECT j, campaign_id, frequency_sketch_info(s)->>'mode' AS mode,
			       (frequency_sketch_info(s)->>'relative_standard_error')::float8 AS rse,
			       (reach(s) - x.r)::float8 / x.r AS err,
			       (reach_at_least(s, 3) - x.r3)::float8 / nullif(x.r3, 0) AS err3
			FROM frequency_bench_rep JOIN ex x USING (campaign_id)),
		rh AS (
			SELECT j, campaign_id, frequency, 100 * (x.share - coalesce(e.share, 0)) AS err_pp, coalesce(e.share, 0) AS p
			FROM (SELECT j, campaign_id, h.frequency, h.share FROM frequency_bench_rep, LATERAL frequency_histogram(s) h
			      WHERE frequency_sketch_info(s)->>'mode' = 'sampling') x
			LEFT JOIN exh e USING (campaign_id, frequency))"
	read -r rp_n rp_samp rp_mean rp_mean_se rp_rms rp_rse rp_max rp3_rms rp_sh_max rp_sh_over < <(bpsql -tA -F ' ' -c "$REP_SQL
		SELECT count(*), count(*) FILTER (WHERE mode = 'sampling'),
		       avg(err) FILTER (WHERE mode = 'sampling'), stddev(err) FILTER (WHERE mode = 'sampling') / sqrt(count(*) FILTER (WHERE mode = 'sampling')),
		       coalesce(sqrt(avg(err ^ 2) FILTER (WHERE mode = 'sampling')), 0), coalesce(sqrt(avg(rse ^ 2) FILTER (WHERE mode = 'sampling')), 0),
		       max(abs(err)), coalesce(sqrt(avg(err3 ^ 2) FILTER (WHERE mode = 'sampling')), 0),
		       (SELECT max(abs(err_pp)) FROM rh), (SELECT count(*) FILTER (WHERE abs(err_pp) > 2)::float8 / count(*) FROM rh)
		FROM rep")
	M[rp_rms]=$rp_rms
	M[rp_n]=$rp_samp
	M[rp_rms_se]=$(awk -v r="$rp_rms" -v n="$rp_samp" 'BEGIN { printf "%.5f", (n > 0) ? r / sqrt(2 * n) : 0 }')
	M[rp_rse]=$rp_rse
	M[rp_mean]=$rp_mean; M[rp_mean_se]=$rp_mean_se
	M[rp_sh_max]=$rp_sh_max; M[rp_sh_over]=$rp_sh_over
	echo "  replicates: the same events with user_id + j * 2^40 (j = 1..$REPS; independent samples, same exact answer), $rp_n campaign sketches ($rp_samp sampling):"
	echo "    reach:     RMS $(pct "$rp_rms") +- $(pct "${M[rp_rms_se]}"), predicted $(pct "$rp_rse") (RMS of the sketches' own rse, sqrt(1 - k/n) / sqrt(k - 1));" \
		"mean $(pct "$rp_mean") +- $(pct "$rp_mean_se") (bias); max $(pct "$rp_max")"
	echo "    3+ reach:  RMS $(pct "$rp3_rms")"
	echo "    bucket shares per frequency, sketches in sampling mode (expected SE without the finite-population factor: sqrt(p (1 - p) / k)):"
	bpsql -P footer=off -c "$REP_SQL
		SELECT frequency, to_char(sqrt(avg(err_pp ^ 2)), '0.000') || ' pp' AS rms_err, to_char(100 * sqrt(avg(p * (1 - p)) / $k_val), '0.000') || ' pp' AS expected_se,
		       to_char(max(abs(err_pp)), '0.000') || ' pp' AS max_abs_err, count(*) FILTER (WHERE abs(err_pp) > 2) AS over_2pp, count(*) AS sketches
		FROM rh GROUP BY frequency ORDER BY frequency" | sed 's/^/    /'
fi
echo "  accuracy took $(since "$t0")"

# ---------------------------------------------------------------------------
# 3. campaign x day rollup
# ---------------------------------------------------------------------------
t0=$(now)
wait_sibling
time_block roll serial "${ORDER_ROLL[@]}"
time_block roll parallel "${ORDER_ROLL[@]}"

# the settings of bench_lib.sh's mem_explain
MEM_SET="SET max_parallel_workers_per_gather = 0; SET work_mem = '4GB'; SET hash_mem_multiplier = 1; SET enable_sort = off; $COMMON_SET"
: >"$WORK/mem.results"
# the planner has no statistics on ts::date and guesses the group count; the
# same queries also run with extended statistics that give it the right
# estimate (created and rolled back inside the EXPLAIN's transaction)
STATS='CREATE STATISTICS frequency_bench_tmp_campaign_day (ndistinct) ON campaign_id, (ts::date) FROM events; ANALYZE events;'
wait_sibling
mem_explain rfreq "${SQL[roll.rfreq]}"
mem_explain rcount "${SQL[roll.rcount]}"
mem_explain rfreq_st "${SQL[roll.rfreq]}" "$STATS"
mem_explain rcount_st "${SQL[roll.rcount]}" "$STATS"

ie_log "building the rollup table and the exact campaign x day reach"
bpsql -c "$COMMON_SET $SERIAL_SET $ROLL_SET" \
	-c "CREATE UNLOGGED TABLE frequency_bench_rollup AS SELECT campaign_id, ts::date AS day, frequency_agg(user_id) AS users FROM events WHERE $IMP GROUP BY 1, 2" \
	-c "CREATE UNLOGGED TABLE frequency_bench_day_exact AS SELECT campaign_id, ts::date AS day, count(DISTINCT user_id) AS reach FROM events WHERE $IMP GROUP BY 1, 2" \
	-c "ANALYZE frequency_bench_rollup, frequency_bench_day_exact"
time_block answer serial from_rollup

mem_line() { mem_row 4 52 missing "$@"; }

read -r ro_groups ro_sampling ro_bytes ro_bytes_st ro_users < <(bpsql -tA -F ' ' -c "
	SELECT count(*), count(*) FILTER (WHERE frequency_sketch_info(users)->>'mode' = 'sampling'),
	       sum(length(users::bytea)) + 4 * count(*), sum(pg_column_size(users)), sum((frequency_sketch_info(users)->>'users_kept')::bigint)
	FROM frequency_bench_rollup")
# union of the days = the direct sketch of the month, byte for byte
read -r un_n un_same un_eq un_hist_diff < <(bpsql -tA -F ' ' -c "
	WITH u AS (SELECT campaign_id, frequency_union_agg(users) AS s FROM frequency_bench_rollup GROUP BY campaign_id)
	SELECT count(*), count(*) FILTER (WHERE d.s::bytea = u.s::bytea), count(*) FILTER (WHERE d.s = u.s),
	       (SELECT count(*) FROM (SELECT campaign_id, h.* FROM u, LATERAL frequency_histogram(u.s) h
	                              EXCEPT ALL
	                              SELECT campaign_id, h.* FROM frequency_bench_sk d, LATERAL frequency_histogram(d.s) h) x)
	FROM frequency_bench_sk d FULL JOIN u USING (campaign_id)")
# reach error over the campaign x day groups (many more samples than 50 campaigns)
read -r dy_n dy_samp dy_rms dy_max dy_rse < <(bpsql -tA -F ' ' -c "
	WITH c AS (
		SELECT frequency_sketch_info(r.users)->>'mode' AS mode, (frequency_sketch_info(r.users)->>'relative_standard_error')::float8 AS rse,
		       (reach(r.users) - x.reach)::float8 / x.reach AS err
		FROM frequency_bench_rollup r JOIN frequency_bench_day_exact x USING (campaign_id, day))
	SELECT count(*), count(*) FILTER (WHERE mode = 'sampling'),
	       coalesce(sqrt(avg(err ^ 2) FILTER (WHERE mode = 'sampling')), 0),
	       coalesce(max(abs(err)) FILTER (WHERE mode = 'sampling'), 0), coalesce(avg(rse) FILTER (WHERE mode = 'sampling'), 0)
	FROM c")
M[dy_rms]=$dy_rms
M[dy_n]=$dy_samp
M[dy_rms_se]=$(awk -v r="$dy_rms" -v n="$dy_samp" 'BEGIN { printf "%.5f", (n > 0) ? r / sqrt(2 * n) : 0 }')

echo
echo "== 3. campaign x day frequency rollup: SELECT campaign_id, ts::date, <agg> FROM events WHERE $IMP GROUP BY 1, 2"
echo "  build time (work_mem 4GB, hash_mem_multiplier 1: no spill), ratio to count(*) of the same GROUP BY:"
echo "  serial:"
print_block roll serial rcount "${ORDER_ROLL[@]}"
echo "  2 workers:"
print_block roll parallel rcount "${ORDER_ROLL[@]}"
for mode in serial parallel; do
	printf '    plans (%s, first run): rfreq %s\n' "$mode" "$(plan_summary "$WORK/plans.roll.$mode.txt" rfreq)"
done
M[roll.serial]=$(div "$(stat roll serial rfreq median)" "$(stat roll serial rcount median)")
M[roll.parallel]=$(div "$(stat roll parallel rfreq median)" "$(stat roll parallel rcount median)")
echo "  CPU used by other processes during the timed runs: serial ${OTHERS[roll.serial]} %, parallel ${OTHERS[roll.parallel]} % (attempts: ${ATTEMPTS[roll.serial]}, ${ATTEMPTS[roll.parallel]})"
echo "  hash-aggregate memory (EXPLAIN (ANALYZE, BUFFERS), serial, work_mem = 4GB, hash_mem_multiplier = 1, enable_sort = off):"
printf '    %-52s %8s %9s %7s %10s %10s %11s %9s\n' "query" "groups" "est." "batches" "memory" "disk" "per group" "time"
mem_line rcount "count(*) (hash table without states)"
mem_line rfreq "frequency_agg(user_id)"
echo "    the same with CREATE STATISTICS (ndistinct) ON campaign_id, (ts::date) (the planner expects the real group count):"
mem_line rcount_st "count(*)"
mem_line rfreq_st "frequency_agg(user_id)"
M[mem.bytes]=$(memf rfreq 5)
M[mem.batches]=$(memf rfreq 4)
M[mem.disk]=$(memf rfreq 6)
per_group=$(awk -v m="$(memf rfreq 5)" -v c="$(memf rcount 5)" -v g="$(memf rfreq 2)" 'BEGIN { printf "%.0f", (g > 0) ? (m - c) * 1024 / g : 0 }')
echo "    frequency_agg's states: $(kb $(($(memf rfreq 5) - $(memf rcount 5)))) over count(*)'s hash table, $(kb $((per_group / 1024))) a group" \
	"(for scale, DESIGN.md: an hll campaign x day rollup of all events used 199 MB, 128 KB a group)"
echo "  stored rollup: $ro_groups rows ($ro_sampling of them sampling), $ro_users users kept; $(kb $((ro_bytes / 1024))) raw, $(kb $((ro_bytes_st / 1024))) as stored (pg_column_size, after TOAST compression)"
echo "  reach error of the $dy_samp campaign x day groups in sampling mode (of $dy_n), against count(DISTINCT user_id):" \
	"RMS $(pct "$dy_rms") +- $(pct "${M[dy_rms_se]}"), max $(pct "$dy_max"); mean reported rse $(pct "$dy_rse")"
echo "  30-day per-campaign report from the rollup (frequency_union_agg over its $ro_groups rows):"
print_block answer serial from_rollup from_rollup | sed -n '2p'
M[answer_ratio]=$(div "$(stat answer serial from_rollup median)" "$(stat freq serial hist median)")
echo "    = ${M[answer_ratio]}x the direct frequency query over events (serial, section 1)"
M[union_identical]="$un_same/$un_n"
echo "  union of the days vs the direct per-campaign sketch: $un_same of $un_n campaigns byte-identical (::bytea), $un_eq equal (=);" \
	"histogram rows that differ: $un_hist_diff"
echo "  rollup took $(since "$t0")"

# ---------------------------------------------------------------------------
# where the time goes (IE_BENCH_PERF=1, or auto when a speed target is missed)
# ---------------------------------------------------------------------------
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "nan" && a != "" && a + 0 >= b + 0) }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "nan" && a != "" && a + 0 <= b + 0) }'; }
speed_missed=0
ge "${M[serial.speedup]}" 5 || speed_missed=1
le "${M[serial.vs_count]}" 1.6 || speed_missed=1
ge "${M[parallel.speedup]}" 5 || speed_missed=1
le "${M[parallel.vs_count]}" 1.6 || speed_missed=1
perf_mode=${IE_BENCH_PERF:-auto}
if [[ $perf_mode == 1 || ($perf_mode == auto && $speed_missed == 1) ]]; then
	perf_install
	wait_sibling
	# perf_profile_once NAME SETTINGS SQL: bench_lib.sh's perf_profile, but
	# one try at the reports and without its impression_ext.so line
	perf_profile_once() {
		local name=$1 settings=$2 sql=$3 data="$WORK/perf.$1.data" rep="$WORK/perf.$1.report"
		perf_record_backend "$name" "$settings" "$sql" "$data" -g -F 999 || return 0
		perf_write_reports "$data" "$rep"
		echo "  $name (backend $PERF_PID): $sql"
		perf_print_reports "$rep"
	}
	echo
	echo "== where the time goes: perf record -g -F 999 -p <backend>, serial, ${IE_BENCH_PERF_RUNS:-3} runs each$([[ $speed_missed == 1 ]] && echo ' (a speed target was missed)')"
	perf_profile_once hist "$SERIAL_SET" "${SQL[freq.hist]}"
	perf_profile_once count "$SERIAL_SET" "${SQL[freq.count]}"
fi

# ---------------------------------------------------------------------------
# 4. summary
# ---------------------------------------------------------------------------
line() { printf '  %s  %-66s %s\n' "$1" "$2" "$3"; }
all_of() { [[ ${1%%/*} == "${1##*/}" && ${1##*/} != 0 ]] && echo "MET   " || echo "MISSED"; }

echo
echo "== 4. summary (targets: shared/DESIGN.md \"Targets\"; figures from this run)"
for mode in serial parallel; do
	ml=$([[ $mode == serial ]] && echo "serial" || echo "2 workers")
	line "$(verdict "${M[$mode.speedup]}" '>=' 5)" "$ml: frequency report >= 5x faster than the exact histogram" \
		"${M[$mode.speedup]}x (fastest exact: ${M[$mode.best]})"
	line "$(verdict "${M[$mode.vs_count]}" '<=' 1.6)" "$ml: frequency report <= 1.6x count(*) GROUP BY campaign_id" "${M[$mode.vs_count]}x"
done
line "      " "  2 workers launched for the frequency query; parallel / serial time" "${M[parallel.launched]}; ${M[par.hist_speedup]}x"
line "$(noisy_verdict "${M[r_rms]}" "${M[r_rms_se]}" "${M[target_rmse]}")" "reach RMSE <= 1/sqrt(k) over campaigns (k = ${M[k]}: $(pct "${M[target_rmse]}"))" \
	"$(pct "${M[r_rms]}") +- $(pct "${M[r_rms_se]}") over ${M[n_samp]} campaigns (max $(pct "${M[r_max]}"))"
line "$( ((${M[dy_n]:-0} > 0)) && noisy_verdict "${M[dy_rms]}" "${M[dy_rms_se]}" "${M[target_rmse]}" || echo 'n/a   ')" "  the same over the campaign x day groups" \
	"$(pct "${M[dy_rms]}") +- $(pct "${M[dy_rms_se]}") over ${M[dy_n]} groups"
if [[ -n ${M[rp_rms]:-} ]]; then
	line "$(noisy_verdict "${M[rp_rms]}" "${M[rp_rms_se]}" "${M[target_rmse]}")" "  the same over $REPS relabelled replicates of every campaign" \
		"$(pct "${M[rp_rms]}") +- $(pct "${M[rp_rms_se]}") over ${M[rp_n]} sketches (predicted $(pct "${M[rp_rse]}"), bias $(pct "${M[rp_mean]}") +- $(pct "${M[rp_mean_se]}"))"
fi
line "      " "  3+ reach (reach_at_least(s, 3)) error over campaigns" "RMS $(pct "${M[r3_rms]}"), max $(pct "${M[r3_max]}")"
line "$(verdict "${M[sh_max]}" '<=' 2)" "each bucket's share within 2 percentage points (max over all)" \
	"max $(awk -v v="${M[sh_max]}" 'BEGIN { printf "%.3f", v }') pp, RMS $(awk -v v="${M[sh_rms]}" 'BEGIN { printf "%.3f", v }') pp"
if [[ -n ${M[rp_sh_max]:-} ]]; then
	line "      " "  bucket shares over the replicates: max; share of (sketch, bucket) > 2 pp" \
		"$(awk -v v="${M[rp_sh_max]}" -v o="${M[rp_sh_over]}" 'BEGIN { printf "%.3f pp; %.3f %%", v, 100 * o }')"
fi
line "$(all_of "${M[union_identical]}")" "rollup: union of the days = direct per-campaign sketch (bytes)" "${M[union_identical]} campaigns"
line "$(all_of "${M[serial_eq_parallel]}")" "serial = 2-worker sketches (bytes)" "${M[serial_eq_parallel]} campaigns"
line "$([[ ${M[mem.batches]} == 1 && ${M[mem.disk]} == 0 ]] && echo 'MET   ' || echo 'MISSED')" "rollup build without spilling (work_mem 4GB): batches, disk" \
	"${M[mem.batches]} batch(es), $(kb "${M[mem.disk]}") disk; memory $(kb "${M[mem.bytes]}")"
line "      " "  rollup build time / count(*) of the same GROUP BY, serial / 2 workers" "${M[roll.serial]}x / ${M[roll.parallel]}x"
line "      " "  report from the rollup / direct report over events (serial)" "${M[answer_ratio]}x"
echo "  (NOISE: above the limit by less than two standard errors of the estimate: not a significant miss)"

drop_ours
echo
echo "whole run took $(($(date +%s) - t_start)) s; output also in $OUT"
echo "the cluster keeps running (data kept for the next run); stop it with:"
echo "  runuser -u postgres -- $PG_BIN/pg_ctl -D $DATADIR stop"
