#!/usr/bin/env bash
#
# test/bench/shard_bench.sh — scale-out with postgres_fdw (DESIGN.md,
# "Scale-out"): the per-campaign reach + frequency report over two shards
# through postgres_fdw against the same report on one node.  The issue sets
# no target: every figure is informational (no MET / MISSED).
#
# Usage (as root on the project's Debian 12 machine, from anywhere):
#
#   test/bench/shard_bench.sh
#
# Not part of test/check.sh (tests never time anything).  Its own cluster:
# port 54350, /var/tmp/impression_ext_shard_bench (left running; the data is
# reused by the next run), with three databases:
#   ie_single            the 10M-event table of test/data/load.sh -- --events
#                        10000000 --users 2000000 --campaigns 50 --days 30
#                        (the table the other benchmarks use), and the
#                        coordinator's objects (postgres_fdw servers, user
#                        mappings, foreign tables), so that one session
#                        times both sides interleaved; the coordinator's
#                        queries read no local table;
#   ie_shard1, ie_shard2 the same events split by user_id % 2 (0 and 1),
#                        copied from ie_single with COPY ... TO STDOUT |
#                        COPY ... FROM STDIN (FREEZE); max_parallel_workers_
#                        per_gather = 0 for these databases: a shard is one
#                        process, as one server per shard would be.
# It waits for a running sibling benchmark (any other test/bench/*_bench.sh)
# to finish before it builds, loads or times anything.
#
# The report (per campaign: reach, impressions, and the frequency histogram
# 1..10+ with each bucket's reach and share: 50 campaigns x 10 rows):
#   single        SELECT s.campaign_id, reach(s.r), impressions(s.f), h.*
#                 FROM (SELECT campaign_id, reach_agg(user_id) AS r, frequency_agg(user_id) AS f
#                       FROM events WHERE kind = 'impression' GROUP BY campaign_id) s,
#                      LATERAL frequency_histogram(s.f) h
#                 serial, and with 2 parallel workers (single_par);
#   fdw_sync      the same from the shards: per shard the pushed-down
#                 SELECT campaign_id, reach_agg(user_id), frequency_agg(user_id)
#                 ... GROUP BY campaign_id, UNION ALL, reach_union_agg /
#                 frequency_union_agg per campaign on the coordinator; foreign
#                 tables without async_capable: the Append runs shard 1, then
#                 shard 2;
#   fdw_async     the same with async_capable 'true' on the foreign tables:
#                 both shards start at once (Async Foreign Scan);
#   fdw_part      through a partitioned table (LIST (user_id % 2)) whose
#                 partitions are async foreign tables, GROUP BY campaign_id,
#                 user_id % 2 with enable_partitionwise_aggregate (full
#                 partitionwise aggregation: each partition's aggregate is
#                 pushed down), then the union per campaign;
#   fdw_one       for scale: shard 1 alone (the same report over half the
#                 users, pushed down), what one shard's share costs;
#   fdw_rows      for scale, no pushdown: the same UNION ALL through servers
#                 without extensions 'impression_ext' (fetch_size 10000;
#                 async_capable is set but has no effect: the coordinator's
#                 aggregates sit between the Append and the foreign scans,
#                 and only a foreign scan directly under an Append runs
#                 asynchronously): the shards send every impression's
#                 (user_id, campaign_id) and the coordinator aggregates them.
# Before timing, every variant's per-campaign sketches (but fdw_one's) are
# checked to be the same bytes as the single node's (md5 over campaigns),
# and each fdw variant's plan to push down (or not) as described; a
# mismatch stops the script.  A round's first query through a server also
# opens its connection (a few milliseconds; the rounds rotate the order).
#
# It prints: the medians (min..max) of IE_BENCH_RUNS interleaved runs of
# each (EXPLAIN (ANALYZE, TIMING OFF, VERBOSE) execution time; for the
# foreign scans that includes the shards' work), ratios to the single node,
# the Remote SQL of each variant's plan, and the bytes that crossed the
# connections: postgres_fdw fetches text, so it is the text of the returned
# values (a sketch as \x and hex: twice its binary size) plus the
# protocol's DataRow framing (7 bytes a row, 4 a column), computed from the
# values returned (not sniffed from the socket).
#
# Environment (all optional):
#   IE_BENCH_RUNS=7             timed runs per query (after 1 warm-up)
#   IE_BENCH_NO_BUILD=1         do not build and install: measure the
#                               extension as installed now
#   IE_BENCH_QUIET_WAIT=900     seconds to wait, before timing, for other
#                               processes to leave the CPUs alone
#   IE_BENCH_SIBLING_WAIT=3600  seconds to wait for a running sibling
#                               benchmark to finish (0: do not wait)
#   IE_BENCH_GEN_ARGS           generator arguments (default above); with
#                               other arguments the three databases are
#                               reloaded, e.g. for a dry run:
#     IE_BENCH_GEN_ARGS='--events 300000 --users 60000 --campaigns 50 --days 30' IE_BENCH_RUNS=2 \
#     IE_BENCH_NO_BUILD=1 IE_BENCH_SIBLING_WAIT=0 IE_BENCH_QUIET_WAIT=0 test/bench/shard_bench.sh
#
# The full output is also written to test/bench/.build/shard_bench.out, the
# queries to test/bench/.build/shard_work/queries.sql.
#
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lib.sh
source "$here/../lib.sh"
# shellcheck source=bench_lib.sh
source "$here/bench_lib.sh"
cd "$REPO_ROOT"

BENCH_NAME=shard_bench
PORT=54350
DATADIR=/var/tmp/impression_ext_shard_bench
DB=ie_single
SHARDS=(ie_shard1 ie_shard2)
RUNS=${IE_BENCH_RUNS:-7}
bench_gen_args
bench_output shard ie_single

t_start=$(date +%s)

# the other benchmarks rebuild the extension and time queries on the same
# CPUs: wait for them before building or touching anything
wait_sibling

# ---------------------------------------------------------------------------
# set-up
# ---------------------------------------------------------------------------
bench_start_cluster
SOCK=$PGHOST
dpsql() { local db=$1; shift; ie_psql -d "$db" "$@"; }

for db in "$DB" "${SHARDS[@]}"; do
	bench_create_database "$db"
	dpsql "$db" -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS impression_ext'
done

# ie_single: the events, loaded by test/data/load.sh (reused when present)
gen_desc="${GEN_ARGS[*]}"
loaded=$(loaded_gen_args "$DB" bench_meta)
if [[ $loaded == "$gen_desc" ]]; then
	ie_log "reusing the loaded events table in $DB ($gen_desc)"
else
	ie_log "loading events into $DB ($gen_desc)"
	t=$(now)
	bpsql -c 'DROP TABLE IF EXISTS bench_meta'
	"$REPO_ROOT/test/data/load.sh" -d "$DB" -- "${GEN_ARGS[@]}"
	bpsql -c 'VACUUM ANALYZE events'
	record_gen_args "$DB" bench_meta "$gen_desc"
	ie_log "loaded in $(since "$t")"
fi

# the shards: the same rows split by user_id % 2 (reused when present)
for i in 0 1; do
	sdb=${SHARDS[$i]}
	want="$gen_desc, user_id % 2 = $i"
	loaded=$(loaded_gen_args "$sdb" shard_meta)
	if [[ $loaded == "$want" ]]; then
		ie_log "reusing $sdb ($want)"
	else
		ie_log "copying the events with user_id % 2 = $i from $DB into $sdb"
		t=$(now)
		dpsql "$sdb" -c 'SET client_min_messages = warning' -c 'DROP TABLE IF EXISTS shard_meta'
		# schema.sql (re)creates events and campaigns in the same transaction
		# as the COPY, so FREEZE applies
		bpsql -c "COPY (SELECT * FROM events WHERE user_id % 2 = $i) TO STDOUT" |
			PGOPTIONS='-c client_min_messages=warning' dpsql "$sdb" -1 -f "$REPO_ROOT/test/data/schema.sql" -c 'COPY events FROM STDIN WITH (FREEZE)'
		bpsql -c 'COPY campaigns TO STDOUT' | dpsql "$sdb" -c 'COPY campaigns FROM STDIN'
		dpsql "$sdb" -c 'VACUUM ANALYZE events' -c 'ANALYZE campaigns'
		record_gen_args "$sdb" shard_meta "$want"
		ie_log "copied in $(since "$t")"
	fi
	# one process per shard (no parallel workers in the shards' sessions)
	ie_psql -d postgres -c "ALTER DATABASE $sdb SET max_parallel_workers_per_gather = 0" >/dev/null
done

# the coordinator's objects, in ie_single (recreated every run)
COLS="user_id bigint NOT NULL, ts timestamptz NOT NULL, kind text NOT NULL, campaign_id int, cost numeric(12,6) NOT NULL, revenue numeric(12,2)"
ie_log "coordinator: postgres_fdw servers, user mappings, foreign tables in $DB"
bpsql >/dev/null <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS postgres_fdw;
DROP TABLE IF EXISTS events_all;
DROP SERVER IF EXISTS shard1 CASCADE;
DROP SERVER IF EXISTS shard2 CASCADE;
DROP SERVER IF EXISTS shard1_plain CASCADE;
DROP SERVER IF EXISTS shard2_plain CASCADE;
$(ie_shard_servers_sql "$SOCK" "$PORT" "$COLS")
-- async_capable is a server or a foreign-table option; the table's wins
CREATE FOREIGN TABLE shard1_events_async ($COLS) SERVER shard1 OPTIONS (table_name 'events', async_capable 'true');
CREATE FOREIGN TABLE shard2_events_async ($COLS) SERVER shard2 OPTIONS (table_name 'events', async_capable 'true');
CREATE TABLE events_all ($COLS) PARTITION BY LIST ((user_id % 2));
CREATE FOREIGN TABLE events_all_0 PARTITION OF events_all FOR VALUES IN (0) SERVER shard1 OPTIONS (table_name 'events', async_capable 'true');
CREATE FOREIGN TABLE events_all_1 PARTITION OF events_all FOR VALUES IN (1) SERVER shard2 OPTIONS (table_name 'events', async_capable 'true');
CREATE SERVER shard1_plain FOREIGN DATA WRAPPER postgres_fdw
	OPTIONS (host '$SOCK', port '$PORT', dbname 'ie_shard1', async_capable 'true', fetch_size '10000');
CREATE SERVER shard2_plain FOREIGN DATA WRAPPER postgres_fdw
	OPTIONS (host '$SOCK', port '$PORT', dbname 'ie_shard2', async_capable 'true', fetch_size '10000');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard1_plain;
CREATE USER MAPPING FOR CURRENT_USER SERVER shard2_plain;
CREATE FOREIGN TABLE shard1_plain_events ($COLS) SERVER shard1_plain OPTIONS (table_name 'events');
CREATE FOREIGN TABLE shard2_plain_events ($COLS) SERVER shard2_plain OPTIONS (table_name 'events');
SQL
# statistics of the foreign tables (PostgreSQL 15's postgres_fdw fetches
# every row to sample them): pushing an aggregate down is the planner's
# cost-based choice, and without statistics it may prefer to fetch the rows
# (it did for fdw_one, and for the partitionwise plan of fdw_part)
t=$(now)
ie_log "ANALYZE the foreign tables"
for ft in shard1_events shard2_events shard1_events_async shard2_events_async events_all shard1_plain_events shard2_plain_events; do
	bpsql -c "ANALYZE $ft"
done
ie_log "analyzed in $(since "$t")"

# ---------------------------------------------------------------------------
# header
# ---------------------------------------------------------------------------
bench_header "shard benchmark (postgres_fdw)"
bpsql -tA -c "SELECT format('%s: %s events (%s impressions), table %s', current_database(), count(*), count(*) FILTER (WHERE kind = 'impression'),
	pg_size_pretty(pg_relation_size('events'))) FROM events"
for sdb in "${SHARDS[@]}"; do
	dpsql "$sdb" -tA -c "SELECT format('%s: %s events (%s impressions), user_id %% 2 = %s, table %s', current_database(), count(*),
		count(*) FILTER (WHERE kind = 'impression'), min(user_id % 2), pg_size_pretty(pg_relation_size('events'))) FROM events"
done
echo "settings: shards serial (max_parallel_workers_per_gather = 0 in their databases); jit $(bpsql -tA -c 'SHOW jit'); work_mem $(bpsql -tA -c 'SHOW work_mem');" \
	"median of $RUNS runs after 1 warm-up, interleaved; EXPLAIN (ANALYZE, TIMING OFF, VERBOSE) execution time"

# ---------------------------------------------------------------------------
# the queries
# ---------------------------------------------------------------------------
SERIAL_SET="SET max_parallel_workers_per_gather = 0;"
PARALLEL_SET="SET max_parallel_workers_per_gather = 2; SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0;"
COMMON_SET="SET TimeZone = 'UTC'; SET client_min_messages = warning;"
EXPLAIN_OPTS="ANALYZE, TIMING OFF, COSTS OFF, VERBOSE"
RESULTS="$WORK/timings.txt"
: >"$RESULTS"
declare -A SQL PRE LABEL

shard_sketches() { echo "SELECT campaign_id, reach_agg(user_id) AS r, frequency_agg(user_id) AS f FROM $1 WHERE kind = 'impression' GROUP BY campaign_id"; }
union_of() { echo "SELECT campaign_id, reach_union_agg(r) AS r, frequency_union_agg(f) AS f
 FROM ($(shard_sketches "$1") UNION ALL $(shard_sketches "$2")) u GROUP BY campaign_id"; }
declare -A SKETCHES
SKETCHES[single]="SELECT campaign_id, reach_agg(user_id) AS r, frequency_agg(user_id) AS f FROM events WHERE kind = 'impression' GROUP BY campaign_id"
SKETCHES[single_par]=${SKETCHES[single]}
SKETCHES[fdw_sync]=$(union_of shard1_events shard2_events)
SKETCHES[fdw_async]=$(union_of shard1_events_async shard2_events_async)
SKETCHES[fdw_part]="SELECT campaign_id, reach_union_agg(r) AS r, frequency_union_agg(f) AS f
 FROM (SELECT campaign_id, user_id % 2 AS shard, reach_agg(user_id) AS r, frequency_agg(user_id) AS f
       FROM events_all WHERE kind = 'impression' GROUP BY campaign_id, user_id % 2) p GROUP BY campaign_id"
SKETCHES[fdw_rows]=$(union_of shard1_plain_events shard2_plain_events)
# for scale: one shard's share of the work, through postgres_fdw
SKETCHES[fdw_one]="SELECT campaign_id, reach_union_agg(r) AS r, frequency_union_agg(f) AS f FROM ($(shard_sketches shard1_events)) u GROUP BY campaign_id"
NAMES=(single single_par fdw_sync fdw_async fdw_part fdw_one fdw_rows)
PWA="SET enable_partitionwise_aggregate = on;"
for q in "${NAMES[@]}"; do
	SQL[report.$q]="SELECT s.campaign_id, reach(s.r) AS reach, impressions(s.f) AS impressions, h.frequency, h.reach AS bucket_reach, h.share
 FROM (${SKETCHES[$q]}) s CROSS JOIN LATERAL frequency_histogram(s.f) h"
done
PRE[report.single_par]=$PARALLEL_SET
PRE[report.fdw_part]=$PWA
LABEL[single]="single node, serial"
LABEL[single_par]="single node, 2 parallel workers"
LABEL[fdw_sync]="2 shards, UNION ALL of pushed-down aggregates, Append one shard after the other"
LABEL[fdw_async]="2 shards, the same with async_capable: both shards at once"
LABEL[fdw_part]="2 shards, partitioned table (GROUP BY campaign_id, user_id % 2), async"
LABEL[fdw_one]="for scale: shard 1 alone (half the users), pushed down, same report"
LABEL[fdw_rows]="for scale: 2 shards without pushdown (rows fetched, fetch_size 10000)"

{
	for q in "${NAMES[@]}"; do
		printf -- '-- %s: %s%s\n%s;\n\n' "$q" "${LABEL[$q]}" "${PRE[report.$q]:+ ($(echo "${PRE[report.$q]}"))}" "${SQL[report.$q]}"
	done
} >"$WORK/queries.sql"

# ---------------------------------------------------------------------------
# 0. check: every variant gives the single node's sketches, byte for byte,
# and the aggregates are pushed down where they should be
# ---------------------------------------------------------------------------
wait_sibling
t0=$(now)
echo
echo "== 0. check: per-campaign reach_sketch and frequency_sketch of every variant = the single node's (md5 of the bytes, by campaign)"
digest() { echo "SELECT count(*) || ' campaigns, ' || md5(string_agg(campaign_id || ':' || md5(r::bytea) || ':' || md5(f::bytea), ',' ORDER BY campaign_id)) FROM ($1) t"; }
ref=$(bpsql -tA -c "$COMMON_SET $SERIAL_SET" -c "$(digest "${SKETCHES[single]}")")
echo "  single: $ref"
check_failed=0
for q in single_par fdw_sync fdw_async fdw_part fdw_rows; do
	got=$(bpsql -tA -c "$COMMON_SET $SERIAL_SET ${PRE[report.$q]:-}" -c "$(digest "${SKETCHES[$q]}")")
	printf '  %-10s %s  %s\n' "$q" "$got" "$([[ $got == "$ref" ]] && echo same || echo DIFFERENT)"
	[[ $got == "$ref" ]] || check_failed=1
done
# the plans: where each aggregate runs
remote_of() { # NAME: the plan's Remote SQL lines and foreign-scan kinds
	bpsql -tA -c "$COMMON_SET $SERIAL_SET ${PRE[report.$1]:-}" -c "EXPLAIN (VERBOSE, COSTS OFF) ${SQL[report.$1]}" >"$WORK/plan.$1.txt"
}
for q in fdw_sync fdw_async fdw_part fdw_one fdw_rows; do remote_of "$q"; done
npush() { grep 'Remote SQL:' "$WORK/plan.$1.txt" | grep -c 'reach_agg(user_id), public.frequency_agg(user_id)' || true; }
nasync() { grep -c 'Async Foreign Scan' "$WORK/plan.$1.txt" || true; }
echo "  plans: Remote SQL with reach_agg and frequency_agg / Async Foreign Scans (want 2/0, 2/2, 2/2, 1/0, 0/0):" \
	"fdw_sync $(npush fdw_sync)/$(nasync fdw_sync), fdw_async $(npush fdw_async)/$(nasync fdw_async)," \
	"fdw_part $(npush fdw_part)/$(nasync fdw_part), fdw_one $(npush fdw_one)/$(nasync fdw_one), fdw_rows $(npush fdw_rows)/$(nasync fdw_rows)"
[[ "$(npush fdw_sync)/$(nasync fdw_sync) $(npush fdw_async)/$(nasync fdw_async) $(npush fdw_part)/$(nasync fdw_part) $(npush fdw_one)/$(nasync fdw_one) $(npush fdw_rows)/$(nasync fdw_rows)" == "2/0 2/2 2/2 1/0 0/0" ]] || check_failed=1
for q in fdw_async fdw_part fdw_rows; do
	echo "  $q sends each shard:"
	grep -m1 'Remote SQL:' "$WORK/plan.$q.txt" | sed -E 's/^ *(-> *)?/    /'
done
if [[ $check_failed == 1 ]]; then
	echo "check FAILED: a variant differs from the single node or is not planned as intended (plans in $WORK/plan.*.txt); not timing"
	exit 1
fi

# bytes that crossed the connections, computed from the values returned:
# text (what postgres_fdw fetches) plus DataRow framing, 7 bytes a row and
# 4 a column
read -r p_rows p_text p_bin < <(bpsql -tA -F ' ' -c "SELECT count(*), sum(octet_length(campaign_id::text) + octet_length(r::text) + octet_length(f::text)),
	sum(pg_column_size(r) + pg_column_size(f))
	FROM ($(shard_sketches shard1_events) UNION ALL $(shard_sketches shard2_events)) s")
read -r r_rows r_text < <(bpsql -tA -F ' ' -c "SELECT count(*), sum(octet_length(user_id::text) + octet_length(campaign_id::text)) FROM events WHERE kind = 'impression'")
p_wire=$((p_text + p_rows * (7 + 3 * 4)))
r_wire=$((r_text + r_rows * (7 + 2 * 4)))
echo "  bytes from the shards: pushed down $p_rows rows (campaign_id, reach_sketch, frequency_sketch): $p_text bytes of text, about $p_wire on the wire" \
	"($p_bin bytes binary); without pushdown $r_rows rows (user_id, campaign_id): $r_text bytes of text, about $r_wire on the wire"
echo "  checks took $(since "$t0")"

# ---------------------------------------------------------------------------
# 1. timing
# ---------------------------------------------------------------------------
wait_sibling
wait_quiet
t0=$(now)
time_block report serial "${NAMES[@]}"
t_timing=$(since "$t0")

echo
echo "== 1. the per-campaign reach + frequency report (50 campaigns x 10 histogram rows); medians of $RUNS interleaved runs"
base=$(stat report serial single median)
base_par=$(stat report serial single_par median)
printf '    %-84s %8s %17s | %8s %8s\n' "query" "median" "min..max" "/single" "/single_par"
for q in "${NAMES[@]}"; do
	read -r med mn mx < <(time_stats report serial "$q")
	printf '    %-84s %7.3fs %7.3f..%7.3fs | %8s %8s\n' "$q: ${LABEL[$q]}" "$med" "$mn" "$mx" "$(div "$med" "$base")" "$(div "$med" "$base_par")"
done
echo "    workers launched for single_par (min over runs): $(stat report serial single_par launched)"
echo "    CPU used by other processes during the timed runs (% of $(nproc) CPUs; should be near 0): ${OTHERS[report.serial]} % (attempts: ${ATTEMPTS[report.serial]})"
echo "  timing took $t_timing"

# ---------------------------------------------------------------------------
# 2. summary (informational: the issue sets no target)
# ---------------------------------------------------------------------------
r() { div "$(stat report serial "$1" median)" "$(stat report serial "$2" median)"; }
sec() { printf '%.3f s' "$(stat report serial "$1" median)"; }
echo
echo "== 2. summary (no target in the issue: ratios for information, medians, this run)"
echo "  single node: serial $(sec single), 2 workers $(sec single_par) ($(r single_par single) x serial)"
echo "  2 shards through postgres_fdw, async Append:      $(sec fdw_async) = $(r fdw_async single) x single serial, $(r fdw_async single_par) x single with 2 workers"
echo "  2 shards through postgres_fdw, sequential Append: $(sec fdw_sync) = $(r fdw_sync single) x single serial; async / sequential = $(r fdw_async fdw_sync)"
echo "  2 shards through a partitioned table (async):     $(sec fdw_part) = $(r fdw_part single) x single serial"
echo "  for scale, shard 1 alone through postgres_fdw:    $(sec fdw_one) = $(r fdw_one single) x single serial; the async query takes $(r fdw_async fdw_one) x it"
echo "  without pushdown (rows fetched):                  $(sec fdw_rows) = $(r fdw_rows single) x single serial, $(r fdw_rows fdw_async) x the pushed-down async query"
echo "  bytes that crossed the connections: $p_wire (pushed down: $p_rows rows of sketches) vs $r_wire (without pushdown: $r_rows rows):" \
	"$(div "$r_wire" "$p_wire") x less"

echo
echo "whole run took $(($(date +%s) - t_start)) s; output also in $OUT"
echo "the cluster keeps running (data kept for the next run); stop it with:"
echo "  runuser -u postgres -- $PG_BIN/pg_ctl -D $DATADIR stop"
