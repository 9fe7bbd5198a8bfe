#!/usr/bin/env bash
# test/shard.sh — scale-out with postgres_fdw (DESIGN.md, "Scale-out"):
# events sharded by user over two databases, a coordinator that pushes
# reach_agg, frequency_agg and journey_agg down to the shards through
# postgres_fdw and unions what comes back, against the same events in one
# database.
#
# Run by test/check.sh against its private cluster (PGHOST = the socket
# directory, PGPORT, PGUSER exported, the extension installed; unix socket,
# trust authentication).  It creates, and drops at the end:
#   ie_single            every event (the reference);
#   ie_shard1, ie_shard2 the same events split by user_id % 2 (0 and 1), each
#                        with the view events_touch (the events plus touch =
#                        campaign_id::text, for journeys) and the view
#                        last_touch_report (the attribution report of that
#                        shard's users);
#   ie_coord             postgres_fdw: servers shard1, shard2 (extensions
#                        'impression_ext'), user mappings, foreign tables
#                        shardN_events (-> events), shardN_touches (->
#                        events_touch), shardN_report (-> last_touch_report),
#                        a partitioned table events_all (LIST (user_id % 2))
#                        whose partitions are foreign tables, a server
#                        without the extensions option, a foreign table
#                        left without statistics (nostats_events), and a
#                        server on ie_single to compare reports in SQL.
# The data (deterministic, about 194,000 rows: 60,000 users, 8 campaigns, five
# of them with more than 4,096 users, so their reach sketches are dense and
# their frequency sketches sample; clicks; conversions with revenue,
# some never attributable) is generated in ie_single and copied to the
# shards with COPY.
#
# Prints "ok N - ..." / "not ok N - ..." per check, "note: ..." lines on
# what PostgreSQL 15 pushes down and what it does not (with the Remote SQL),
# "figure: ..." lines with the bytes that crossed the connections, and last
# "shard: N passed, M failed".  Exit status non-zero on any failure.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SOCK=${PGHOST:-/var/run/postgresql}
PORTNUM=${PGPORT:-5432}
SINGLE=ie_single
COORD=ie_coord
passed=0
failed=0
n=0
check() {
	local what=$1 got=$2 want=$3
	n=$((n + 1))
	if [ "$got" = "$want" ]; then
		echo "ok $n - $what"
		passed=$((passed + 1))
	else
		echo "not ok $n - $what: got '$got', want '$want'"
		failed=$((failed + 1))
		return 1
	fi
}
q() { ie_psql -X -v ON_ERROR_STOP=1 -tA "$@"; }
# plan DB SETTINGS QUERY: EXPLAIN (VERBOSE, COSTS OFF)
plan() { q -d "$1" -c "$2" -c "EXPLAIN (VERBOSE, COSTS OFF) $3"; }
# remote PLAN PATTERN: how many "Remote SQL" lines match the extended regex
remote() { grep -E 'Remote SQL:' <<<"$1" | grep -cE "$2" || true; }
# show PLAN: the Remote SQL lines, indented, for notes and failures
show() { grep -E 'Remote SQL:' <<<"$1" | sed -E 's/^ *(-> *)?/    /'; }
show_plan() { sed 's/^/    /' <<<"$1"; }

drop_all() {
	q -d postgres -c 'SET client_min_messages = warning' \
		-c "DROP DATABASE IF EXISTS $COORD WITH (FORCE)" \
		-c 'DROP DATABASE IF EXISTS ie_shard1 WITH (FORCE)' \
		-c 'DROP DATABASE IF EXISTS ie_shard2 WITH (FORCE)' \
		-c "DROP DATABASE IF EXISTS $SINGLE WITH (FORCE)" >/dev/null 2>&1
}
[ -n "${IE_SHARD_KEEP:-}" ] || trap drop_all EXIT
drop_all

# ---------------------------------------------------------------------------
# the data, in ie_single: users 1..60000 see 1-15 impressions of one or two
# campaigns (sizes skewed: campaign 1 about 26,000 users, campaign 8 about
# 1,100); 6 % of impressions are clicked 1-300 s later; 10 % of users
# convert 0-36 hours after their last impression (past the 1-day view
# window a third of them: unattributed unless a click is within 7 days),
# 3 % again 0-10 days after their first impression (often unattributed);
# users 60001..60600 convert without any touch.
# hashint8extended() is the only source of randomness: the same rows on
# every run.
# ---------------------------------------------------------------------------
EVENTS_DDL="CREATE TABLE events (user_id bigint NOT NULL, ts timestamptz NOT NULL, kind text NOT NULL,
	campaign_id int, revenue numeric(10,2))"
CAMPAIGN_OF="CASE WHEN p < 350 THEN 1 WHEN p < 600 THEN 2 WHEN p < 750 THEN 3 WHEN p < 850 THEN 4
	WHEN p < 920 THEN 5 WHEN p < 960 THEN 6 WHEN p < 985 THEN 7 ELSE 8 END"
for db in $SINGLE ie_shard1 ie_shard2 $COORD; do
	q -d postgres -c "CREATE DATABASE $db" >/dev/null
	q -d $db -c 'CREATE EXTENSION impression_ext' >/dev/null
done
q -d $SINGLE >/dev/null <<SQL
$EVENTS_DDL;
INSERT INTO events
WITH users AS (
	SELECT u, CASE WHEN r < 50 THEN 1 WHEN r < 70 THEN 2 WHEN r < 80 THEN 3 WHEN r < 88 THEN 5 WHEN r < 95 THEN 8 ELSE 15 END AS n,
	       (SELECT $CAMPAIGN_OF FROM (SELECT abs(hashint8extended(u, 2)) % 1000 AS p) x) AS ca,
	       (SELECT $CAMPAIGN_OF FROM (SELECT abs(hashint8extended(u, 3)) % 1000 AS p) x) AS cb
	FROM (SELECT u, abs(hashint8extended(u, 1)) % 100 AS r FROM generate_series(1, 60000) u) s),
imps AS (
	SELECT u, i, timestamptz '2026-03-01 00:00+00' + (abs(hashint8extended(u * 64 + i, 4)) % 2592000) * interval '1 second' AS ts,
	       CASE WHEN abs(hashint8extended(u * 64 + i, 5)) % 3 = 0 THEN cb ELSE ca END AS c
	FROM users, generate_series(1, n) i),
span AS (SELECT u, min(ts) AS t0, max(ts) AS t1 FROM imps GROUP BY u)
SELECT u, ts, 'impression', c, NULL::numeric FROM imps
UNION ALL
SELECT u, ts + (1 + abs(hashint8extended(u * 64 + i, 6)) % 300) * interval '1 second', 'click', c, NULL
FROM imps WHERE abs(hashint8extended(u * 64 + i, 7)) % 100 < 6
UNION ALL
SELECT u, t1 + (abs(hashint8extended(u, 9)) % 129600) * interval '1 second', 'conversion', NULL,
       round(5 + (abs(hashint8extended(u, 10)) % 49500) / 100.0, 2)
FROM span WHERE abs(hashint8extended(u, 8)) % 100 < 10
UNION ALL
SELECT u, t0 + (abs(hashint8extended(u, 12)) % 864000) * interval '1 second', 'conversion', NULL,
       round(5 + (abs(hashint8extended(u, 13)) % 49500) / 100.0, 2)
FROM span WHERE abs(hashint8extended(u, 11)) % 100 < 3
UNION ALL
SELECT u, timestamptz '2026-03-01 00:00+00' + (abs(hashint8extended(u, 14)) % 2592000) * interval '1 second', 'conversion', NULL,
       round(5 + (abs(hashint8extended(u, 15)) % 49500) / 100.0, 2)
FROM generate_series(60001, 60600) u;
ANALYZE events;
SQL

# the shards: user_id % 2 = 0 on ie_shard1, 1 on ie_shard2
for s in 1 2; do
	q -d ie_shard$s -c "$EVENTS_DDL" >/dev/null
	q -d $SINGLE -c "COPY (SELECT * FROM events WHERE user_id % 2 = $((s - 1))) TO STDOUT" |
		q -d ie_shard$s -c 'COPY events FROM STDIN' >/dev/null
	q -d ie_shard$s -c 'ANALYZE events' >/dev/null
done

read -r total users campaigns dense sampling < <(q -F ' ' -d $SINGLE -c "
	SELECT (SELECT count(*) FROM events), (SELECT count(DISTINCT user_id) FROM events), count(*),
	       count(*) FILTER (WHERE reach_sketch_info(r)->>'representation' <> 'sparse'),
	       count(*) FILTER (WHERE frequency_sketch_info(f)->>'mode' = 'sampling')
	FROM (SELECT campaign_id, reach_agg(user_id) AS r, frequency_agg(user_id) AS f FROM events
	      WHERE kind = 'impression' GROUP BY 1) t")
split=$(for s in 1 2; do q -d ie_shard$s -c "SELECT count(*) || '/' || count(*) FILTER (WHERE user_id % 2 = $((s - 1))) FROM events"; done | tr '\n' ' ')
read -r s1 s1ok s2 s2ok < <(tr '/' ' ' <<<"$split")
check "test data: $total events of $users users in $campaigns campaigns ($dense with dense reach sketches, $sampling with sampling frequency sketches); shards hold $s1 + $s2, split by user_id % 2" \
	"$total $users $campaigns $dense $sampling $((s1 + s2)) $((s1 - s1ok + s2 - s2ok))" "194347 60600 8 6 5 194347 0"

# on each shard: touch as text (journey_agg's touch argument; the cast
# campaign_id::text cannot be shipped by PostgreSQL 15's postgres_fdw), and
# the whole last-touch report of the shard's users
ATTR_REPORT="count(*) FILTER (WHERE a.touch_kind = 'click') AS post_click,
	count(*) FILTER (WHERE a.touch_kind = 'impression') AS post_impression,
	count(*) FILTER (WHERE a.touch_kind IS NULL) AS unattributed, sum(a.value) AS revenue"
SINGLE_ATTR="SELECT a.touch, $ATTR_REPORT
	FROM (SELECT user_id, journey_agg(ts, kind, campaign_id::text, revenue::float8) AS j FROM events
	      GROUP BY user_id HAVING count(*) FILTER (WHERE kind = 'conversion') > 0) u
	CROSS JOIN LATERAL attribute(u.j) a GROUP BY a.touch"
for s in 1 2; do
	q -d ie_shard$s >/dev/null <<SQL
CREATE VIEW events_touch AS SELECT user_id, ts, kind, campaign_id, campaign_id::text AS touch, revenue FROM events;
CREATE VIEW last_touch_report AS $SINGLE_ATTR;
SQL
done
# the reference report, stored in ie_single (computed there, natively)
q -d $SINGLE -c "CREATE TABLE single_report AS $SINGLE_ATTR" >/dev/null

# ---------------------------------------------------------------------------
# the coordinator
# ---------------------------------------------------------------------------
COLS="user_id bigint NOT NULL, ts timestamptz NOT NULL, kind text NOT NULL, campaign_id int, revenue numeric(10,2)"
TCOLS="user_id bigint NOT NULL, ts timestamptz NOT NULL, kind text NOT NULL, campaign_id int, touch text, revenue numeric(10,2)"
RCOLS="touch text, post_click bigint, post_impression bigint, unattributed bigint, revenue float8"
q -d $COORD >/dev/null <<SQL
CREATE EXTENSION postgres_fdw;
$(ie_shard_servers_sql "$SOCK" "$PORTNUM" "$COLS")
CREATE FOREIGN TABLE shard1_touches ($TCOLS) SERVER shard1 OPTIONS (table_name 'events_touch');
CREATE FOREIGN TABLE shard2_touches ($TCOLS) SERVER shard2 OPTIONS (table_name 'events_touch');
CREATE FOREIGN TABLE shard1_report ($RCOLS) SERVER shard1 OPTIONS (table_name 'last_touch_report');
CREATE FOREIGN TABLE shard2_report ($RCOLS) SERVER shard2 OPTIONS (table_name 'last_touch_report');
-- one table over both shards: partitions are the foreign tables
CREATE TABLE events_all ($TCOLS) PARTITION BY LIST ((user_id % 2));
CREATE FOREIGN TABLE events_all_0 PARTITION OF events_all FOR VALUES IN (0) SERVER shard1 OPTIONS (table_name 'events_touch');
CREATE FOREIGN TABLE events_all_1 PARTITION OF events_all FOR VALUES IN (1) SERVER shard2 OPTIONS (table_name 'events_touch');
-- the same shards through servers without the extensions option
CREATE SERVER shard1_plain FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$SOCK', port '$PORTNUM', dbname 'ie_shard1');
CREATE SERVER shard2_plain FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$SOCK', port '$PORTNUM', dbname 'ie_shard2');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard1_plain;
CREATE USER MAPPING FOR CURRENT_USER SERVER shard2_plain;
CREATE FOREIGN TABLE shard1_plain_events ($COLS) SERVER shard1_plain OPTIONS (table_name 'events');
CREATE FOREIGN TABLE shard2_plain_events ($COLS) SERVER shard2_plain OPTIONS (table_name 'events');
-- ie_single, only to compare the reports in SQL
CREATE SERVER single FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '$SOCK', port '$PORTNUM', dbname '$SINGLE');
CREATE USER MAPPING FOR CURRENT_USER SERVER single;
CREATE FOREIGN TABLE single_report ($RCOLS) SERVER single OPTIONS (table_name 'single_report');
-- statistics of the foreign tables (sampled through postgres_fdw)
ANALYZE shard1_events; ANALYZE shard2_events; ANALYZE shard1_touches; ANALYZE shard2_touches; ANALYZE events_all;
SQL

# ---------------------------------------------------------------------------
# the coordinator's queries
# ---------------------------------------------------------------------------
# per shard, pushed down: one row of sketches per campaign
shard_sketches() { echo "SELECT campaign_id, reach_agg(user_id) AS r, frequency_agg(user_id) AS f
	FROM ${1}_events WHERE kind = 'impression' GROUP BY campaign_id"; }
SHARDS_UNION="$(shard_sketches shard1) UNION ALL $(shard_sketches shard2)"
COORD_SKETCHES="SELECT campaign_id, reach_union_agg(r) AS r, frequency_union_agg(f) AS f
	FROM ($SHARDS_UNION) s GROUP BY campaign_id"
PLAIN_SKETCHES="SELECT campaign_id, reach_union_agg(r) AS r, frequency_union_agg(f) AS f
	FROM ($(shard_sketches shard1_plain) UNION ALL $(shard_sketches shard2_plain)) s GROUP BY campaign_id"
SINGLE_SKETCHES="SELECT campaign_id, reach_agg(user_id) AS r, frequency_agg(user_id) AS f
	FROM events WHERE kind = 'impression' GROUP BY campaign_id"
# the partitioned table: GROUP BY includes the partition key (user_id % 2),
# so partitionwise aggregation is "full" and each partition's aggregate is
# pushed down; then the union per campaign
PART_SKETCHES="SELECT campaign_id, reach_union_agg(r) AS r, frequency_union_agg(f) AS f
	FROM (SELECT campaign_id, user_id % 2 AS shard, reach_agg(user_id) AS r, frequency_agg(user_id) AS f
	      FROM events_all WHERE kind = 'impression' GROUP BY campaign_id, user_id % 2) s GROUP BY campaign_id"
# the partitioned table grouped by campaign_id alone: partial partitionwise
# aggregation, which PostgreSQL 15's postgres_fdw does not push down
PART_PARTIAL="SELECT campaign_id, reach_agg(user_id) AS r, frequency_agg(user_id) AS f
	FROM events_all WHERE kind = 'impression' GROUP BY campaign_id"
# the whole table
COORD_WHOLE="SELECT reach_union_agg(r) AS r, frequency_union_agg(f) AS f FROM (
	SELECT reach_agg(user_id) AS r, frequency_agg(user_id) AS f FROM shard1_events UNION ALL
	SELECT reach_agg(user_id) AS r, frequency_agg(user_id) AS f FROM shard2_events) s"
SINGLE_WHOLE="SELECT reach_agg(user_id) AS r, frequency_agg(user_id) AS f FROM events"
# digest COLUMN QUERY: campaigns and an md5 of their sketches' bytes, ordered by campaign
digest() { echo "SELECT count(*) || ' campaigns, md5 ' || md5(string_agg(campaign_id || ':' || md5(($1)::bytea), ',' ORDER BY campaign_id)) FROM ($2) t"; }

# attribution: journeys built on each shard (a user's events are all on one
# shard), only of converting users (HAVING, pushed down too), attributed here
shard_journeys() { echo "SELECT user_id, journey_agg(ts, kind, touch, revenue::float8) AS j
	FROM ${1}_touches GROUP BY user_id HAVING count(*) FILTER (WHERE kind = 'conversion') > 0"; }
JOURNEYS_UNION="$(shard_journeys shard1) UNION ALL $(shard_journeys shard2)"
COORD_ATTR="SELECT a.touch, $ATTR_REPORT FROM ($JOURNEYS_UNION) u CROSS JOIN LATERAL attribute(u.j) a GROUP BY a.touch"
PART_ATTR="SELECT a.touch, $ATTR_REPORT
	FROM (SELECT user_id, journey_agg(ts, kind, touch, revenue::float8) AS j FROM events_all
	      GROUP BY user_id, user_id % 2 HAVING count(*) FILTER (WHERE kind = 'conversion') > 0) u
	CROSS JOIN LATERAL attribute(u.j) a GROUP BY a.touch"
# or the whole report computed on each shard, then summed
REPORT_SUM="SELECT touch, sum(post_click)::bigint AS post_click, sum(post_impression)::bigint AS post_impression,
	sum(unattributed)::bigint AS unattributed, sum(revenue) AS revenue
	FROM (SELECT * FROM shard1_report UNION ALL SELECT * FROM shard2_report) r GROUP BY touch"
# compare_report QUERY: "differing rows/rows" against ie_single's report
# (counts exactly, revenue within 1e-6 relative)
compare_report() { echo "SELECT count(*) FILTER (WHERE NOT coalesce(ok, false)) || '/' || count(*) FROM (
	SELECT a.post_click = b.post_click AND a.post_impression = b.post_impression AND a.unattributed = b.unattributed
	       AND abs(a.revenue - b.revenue) <= 1e-6 * greatest(abs(a.revenue), 1) AS ok
	FROM single_report a FULL JOIN ($1) b ON coalesce(a.touch, '(none)') = coalesce(b.touch, '(none)')) x"; }

PWA="SET enable_partitionwise_aggregate = on;"

# ---------------------------------------------------------------------------
# 1. what is pushed down
# ---------------------------------------------------------------------------
p=$(plan $COORD "SELECT 1" "$COORD_SKETCHES")
check "per campaign: reach_agg and frequency_agg run on both shards (in Remote SQL), reach_union_agg / frequency_union_agg on the coordinator" \
	"$(remote "$p" 'public\.reach_agg\(user_id\), public\.frequency_agg\(user_id\) FROM public\.events WHERE .*GROUP BY 1$') $(grep -cE '^ *(-> +)?[A-Za-z]*Aggregate$' <<<"$p")" "2 1" || show_plan "$p"
echo "note: the coordinator's per-campaign query sends each shard:"
show "$p" | head -1
# pushing down is a cost-based choice: a foreign table without statistics
q -d $COORD -c "CREATE FOREIGN TABLE nostats_events ($COLS) SERVER shard1 OPTIONS (table_name 'events')" >/dev/null
p=$(plan $COORD "SELECT 1" "SELECT campaign_id, reach(reach_union_agg(r)) FROM ($(shard_sketches shard1)) s GROUP BY campaign_id")
p2=$(plan $COORD "SELECT 1" "SELECT campaign_id, reach(reach_union_agg(r)) FROM ($(shard_sketches nostats)) s GROUP BY campaign_id")
echo "note: pushing down is the planner's cost-based choice; ANALYZE the foreign tables: one shard's sketches unioned per campaign (no UNION ALL)" \
	"has reach_agg in $(remote "$p" 'reach_agg') of $(remote "$p" '.') Remote SQL after ANALYZE, in $(remote "$p2" 'reach_agg') of $(remote "$p2" '.') without statistics:"
show "$p2"
p=$(plan $COORD "SELECT 1" "$COORD_WHOLE")
check "whole table: reach_agg and frequency_agg run on both shards" \
	"$(remote "$p" 'SELECT public\.reach_agg\(user_id\), public\.frequency_agg\(user_id\) FROM public\.events$')" 2
p=$(plan $COORD "SELECT 1" "$COORD_ATTR")
check "attribution: journey_agg ... GROUP BY user_id HAVING <converts> runs on both shards, attribute() on the coordinator" \
	"$(remote "$p" 'public\.journey_agg\(ts, kind, touch, revenue::double precision\) FROM public\.events_touch GROUP BY 1 HAVING') $(grep -c 'Function Scan on public.attribute' <<<"$p")" "2 1" || show_plan "$p"
show "$p" | head -1
p=$(plan $COORD "SELECT 1" "SELECT user_id, journey_agg(ts, kind, campaign_id::text, revenue::float8) FROM shard1_events GROUP BY user_id")
echo "note: journey_agg(ts, kind, campaign_id::text, ...) is NOT pushed down by PostgreSQL 15 (an int-to-text cast is an I/O coercion, which postgres_fdw does not ship): $(remote "$p" 'journey_agg') of 1 Remote SQL has journey_agg; the shard sends every row:"
show "$p"
p=$(plan $COORD "$PWA" "$PART_SKETCHES")
check "partitioned table of foreign tables, enable_partitionwise_aggregate, GROUP BY campaign_id, user_id % 2: reach_agg and frequency_agg run on both partitions' shards" \
	"$(remote "$p" 'public\.reach_agg\(user_id\), public\.frequency_agg\(user_id\) FROM public\.events_touch WHERE .*GROUP BY 1, 2$')" 2 || show_plan "$p"
show "$p" | head -1
p=$(plan $COORD "$PWA" "$PART_PARTIAL")
echo "note: the partitioned table with GROUP BY campaign_id alone is partial partitionwise aggregation, which PostgreSQL 15's postgres_fdw does not push down:" \
	"$(remote "$p" 'reach_agg') of $(remote "$p" '.') Remote SQL have reach_agg; $(grep -c 'Partial HashAggregate\|Partial GroupAggregate' <<<"$p") Partial aggregates run on the coordinator over the fetched rows:"
grep -E 'Aggregate|Remote SQL' <<<"$p" | sed -E 's/^ *(-> *)?/    /'
p=$(plan $COORD "$PWA" "$PART_ATTR")
check "partitioned table, GROUP BY user_id, user_id % 2: journey_agg runs on both partitions' shards" \
	"$(remote "$p" 'public\.journey_agg\(ts, kind, touch, revenue::double precision\), .*FROM public\.events_touch GROUP BY 1, 3 HAVING')" 2 || show_plan "$p"
p=$(plan $COORD "SELECT 1" "$PLAIN_SKETCHES")
check "control: through a server without extensions 'impression_ext' nothing of ours is pushed down (the shards send rows)" \
	"$(remote "$p" 'reach_agg|frequency_agg') $(remote "$p" '^ *Remote SQL: SELECT user_id, campaign_id FROM public\.events WHERE')" "0 2"

# ---------------------------------------------------------------------------
# 2. results: the same bytes as on one node
# ---------------------------------------------------------------------------
want_r=$(q -d $SINGLE -c "$(digest r "$SINGLE_SKETCHES")")
want_f=$(q -d $SINGLE -c "$(digest f "$SINGLE_SKETCHES")")
check "per-campaign reach_sketch unioned from the shards = reach_agg over all events on ie_single, byte for byte" \
	"$(q -d $COORD -c "$(digest r "$COORD_SKETCHES")")" "$want_r"
check "per-campaign frequency_sketch unioned from the shards = frequency_agg on ie_single, byte for byte" \
	"$(q -d $COORD -c "$(digest f "$COORD_SKETCHES")")" "$want_f"
whole() { echo "SELECT md5(r::bytea) || ' ' || md5(f::bytea) || ' ' || reach(r) || ' ' || reach(f) FROM ($1) t"; }
check "whole table: reach_sketch and frequency_sketch from the shards = ie_single's, byte for byte" \
	"$(q -d $COORD -c "$(whole "$COORD_WHOLE")")" "$(q -d $SINGLE -c "$(whole "$SINGLE_WHOLE")")"
check "partitioned table (full partitionwise aggregation, pushed down): per-campaign sketches = ie_single's, byte for byte" \
	"$(q -d $COORD -c "$PWA" -c "$(digest r "$PART_SKETCHES")") $(q -d $COORD -c "$PWA" -c "$(digest f "$PART_SKETCHES")")" "$want_r $want_f"
check "partitioned table grouped by campaign_id (partial aggregates combined on the coordinator): sketches = ie_single's, byte for byte" \
	"$(q -d $COORD -c "$PWA" -c "$(digest r "$PART_PARTIAL")") $(q -d $COORD -c "$PWA" -c "$(digest f "$PART_PARTIAL")")" "$want_r $want_f"
check "control: without pushdown (rows fetched, aggregated on the coordinator): sketches = ie_single's, byte for byte" \
	"$(q -d $COORD -c "$(digest r "$PLAIN_SKETCHES")") $(q -d $COORD -c "$(digest f "$PLAIN_SKETCHES")")" "$want_r $want_f"
hist() { echo "SELECT md5(string_agg(campaign_id || ':' || h.frequency || ':' || h.reach || ':' || h.reach_at_least || ':' || h.share, ',' ORDER BY campaign_id, h.frequency))
	FROM ($1) t, frequency_histogram(t.f) h"; }
check "the report from them (frequency_histogram of every campaign) is the same" \
	"$(q -d $COORD -c "$(hist "$COORD_SKETCHES")")" "$(q -d $SINGLE -c "$(hist "$SINGLE_SKETCHES")")"

# attribution
ref=$(q -F ' ' -d $SINGLE -c "SELECT count(*), sum(post_click), sum(post_impression), sum(unattributed), round(sum(revenue)::numeric, 2),
	(SELECT count(*) FROM events WHERE kind = 'conversion') FROM single_report")
read -r rrows rpc rpi run rrev nconv <<<"$ref"
echo "note: ie_single's last-touch report: $rrows rows ($((rrows - 1)) campaigns + unattributed); $nconv conversions = $rpc post-click + $rpi post-impression + $run unattributed; revenue $rrev"
check "attribution sanity: every conversion is in ie_single's report, some of each kind" \
	"$((rpc + rpi + run)) $([[ $rpc -gt 0 && $rpi -gt 0 && $run -gt 0 ]] && echo yes)" "$nconv yes"
check "attribution: journeys pushed down, attribute() on the coordinator = ie_single (differing rows / rows)" \
	"$(q -d $COORD -c "$(compare_report "$COORD_ATTR")")" "0/$rrows"
check "attribution: the whole report computed on each shard (a view), summed on the coordinator = ie_single" \
	"$(q -d $COORD -c "$(compare_report "$REPORT_SUM")")" "0/$rrows"
check "attribution through the partitioned table (GROUP BY user_id, user_id % 2) = ie_single" \
	"$(q -d $COORD -c "$PWA" -c "$(compare_report "$PART_ATTR")")" "0/$rrows"

# ---------------------------------------------------------------------------
# 3. asynchronous execution: both shards work at once
# ---------------------------------------------------------------------------
q -d $COORD -c "ALTER SERVER shard1 OPTIONS (ADD async_capable 'true')" -c "ALTER SERVER shard2 OPTIONS (ADD async_capable 'true')" >/dev/null
p=$(plan $COORD "SELECT 1" "$COORD_SKETCHES")
p2=$(plan $COORD "$PWA" "$PART_SKETCHES")
check "async_capable 'true': the shards' pushed-down aggregates are Async Foreign Scans under one Append (UNION ALL and partitioned table)" \
	"$(grep -c 'Async Foreign Scan' <<<"$p") $(remote "$p" 'reach_agg') $(grep -c 'Async Foreign Scan' <<<"$p2") $(remote "$p2" 'reach_agg')" "2 2 2 2" || show_plan "$p"
check "async: per-campaign sketches and the attribution report are unchanged" \
	"$(q -d $COORD -c "$(digest r "$COORD_SKETCHES")") $(q -d $COORD -c "$(digest f "$COORD_SKETCHES")") $(q -d $COORD -c "$(compare_report "$COORD_ATTR")")" \
	"$want_r $want_f 0/$rrows"

# ---------------------------------------------------------------------------
# 4. bytes that crossed the connections (postgres_fdw fetches text: a sketch
# as '\x' and hex, twice its binary size) against the rows they replaced
# ---------------------------------------------------------------------------
read -r srows sbytes sbin < <(q -F ' ' -d $COORD -c "SELECT count(*), sum(octet_length(campaign_id::text) + octet_length(r::text) + octet_length(f::text)),
	sum(pg_column_size(campaign_id) + pg_column_size(r) + pg_column_size(f)) FROM ($SHARDS_UNION) s")
read -r rrows_raw rbytes < <(q -F ' ' -d $SINGLE -c "SELECT count(*), sum(octet_length(user_id::text) + octet_length(campaign_id::text)) FROM events WHERE kind = 'impression'")
echo "figure: per-campaign reach + frequency report: the shards returned $srows rows (campaign, reach_sketch, frequency_sketch), $sbytes bytes as text ($sbin bytes binary)," \
	"instead of the $rrows_raw rows (user_id, campaign_id) without pushdown, $rbytes bytes as text: rows / sketches = $(awk -v a="$rbytes" -v b="$sbytes" 'BEGIN { printf "%.2f", a / b }')" \
	"(a sketch's size is bounded, the rows grow with the events: test/bench/shard_bench.sh gives the figure for 10M events)"
read -r jrows jbytes < <(q -F ' ' -d $COORD -c "SELECT count(*), sum(octet_length(user_id::text) + octet_length(j::text)) FROM ($JOURNEYS_UNION) s")
read -r erows ebytes < <(q -F ' ' -d $SINGLE -c "SELECT count(*), sum(octet_length(user_id::text) + octet_length(ts::text) + octet_length(kind)
	+ coalesce(octet_length(campaign_id::text), 0) + coalesce(octet_length(revenue::text), 0)) FROM events")
read -r rprows rpbytes < <(q -F ' ' -d $COORD -c "SELECT count(*), sum(octet_length(r::text)) FROM (SELECT * FROM shard1_report UNION ALL SELECT * FROM shard2_report) r")
echo "figure: attribution: the shards returned $jrows journeys of converting users, $jbytes bytes as text (or, computing the report on each shard, $rprows rows, $rpbytes bytes)," \
	"instead of all $erows events, $ebytes bytes as text"

ie_report shard
[ "$failed" -eq 0 ]
