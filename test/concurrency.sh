#!/usr/bin/env bash
# test/concurrency.sh — events stream in from several pgbench clients while
# another session refreshes a rollup of sketches (REFRESH MATERIALIZED VIEW
# CONCURRENTLY) in a loop and a third queries it: no errors, no lost events.
#
# Run by test/check.sh against its private cluster (PGHOST, PGPORT, PGUSER
# exported, the extension installed; unix socket only).  Prints "ok - ..." /
# "not ok - ..." per check, the throughput figures, and last
# "concurrency: N passed, M failed".  IE_CONCURRENCY_SECONDS (default 15)
# sets the pgbench duration.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SECONDS_RUN=${IE_CONCURRENCY_SECONDS:-15}
CLIENTS=4
DB=ie_concurrency
q() { ie_psql -X -v ON_ERROR_STOP=1 -tA -d "$DB" "$@"; }

WORK=$(mktemp -d /tmp/impression_ext_concurrency.XXXXXX)
chmod 755 "$WORK"
cleanup() {
	[ -n "${loops:-}" ] && kill $loops 2>/dev/null
	ie_psql -X -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
ie_psql -X -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null

# 3,000 users and 20 campaigns: every campaign's sketches stay in their
# exact ranges, so the rollup's reach can be compared with count(DISTINCT)
q >/dev/null <<'SQL'
CREATE EXTENSION impression_ext;
CREATE TABLE events (id bigserial PRIMARY KEY, user_id bigint NOT NULL, ts timestamptz NOT NULL,
	kind text NOT NULL, campaign_id int NOT NULL);
CREATE MATERIALIZED VIEW campaign_day AS
SELECT campaign_id, ts::date AS day, count(*) AS events, reach_agg(user_id) AS reach, frequency_agg(user_id) AS frequency,
       journey_agg(ts, kind, campaign_id::text) AS touches
FROM events GROUP BY 1, 2;
CREATE UNIQUE INDEX ON campaign_day (campaign_id, day);
SQL

# each transaction inserts 5 events of one user in one campaign
cat >"$WORK/insert.sql" <<'SQL'
\set u random(1, 3000)
\set c random(1, 20)
\set d random(0, 6)
INSERT INTO events (user_id, ts, kind, campaign_id)
SELECT :u, timestamptz '2026-03-01 00:00+00' + :d * interval '1 day' + g * interval '1 minute',
       CASE WHEN g = 5 THEN 'click' ELSE 'impression' END, :c
FROM generate_series(1, 5) g;
SQL
chmod 644 "$WORK/insert.sql"

# the refresher and the reader run until pgbench is done; each logs errors
refresher() {
	local n=0
	while [ ! -f "$WORK/stop" ]; do
		q -c 'REFRESH MATERIALIZED VIEW CONCURRENTLY campaign_day' >/dev/null 2>>"$WORK/refresh.err" && n=$((n + 1))
	done
	echo "$n" >"$WORK/refresh.count"
}
reader() {
	local n=0
	while [ ! -f "$WORK/stop" ]; do
		q -c "SELECT campaign_id, reach(reach_union_agg(reach)), reach(frequency_union_agg(frequency)),
			reach_at_least(frequency_union_agg(frequency), 3), sum(events)
			FROM campaign_day GROUP BY campaign_id" >/dev/null 2>>"$WORK/read.err" && n=$((n + 1))
	done
	echo "$n" >"$WORK/read.count"
}
: >"$WORK/refresh.err"
: >"$WORK/read.err"
refresher &
loops=$!
reader &
loops="$loops $!"

ie_as_postgres "$PG_BIN/pgbench" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -n -c "$CLIENTS" -j 2 -T "$SECONDS_RUN" \
	-f "$WORK/insert.sql" "$DB" >"$WORK/pgbench.out" 2>&1
pgbench_rc=$?
touch "$WORK/stop"
wait $loops
loops=

tx=$(awk '/number of transactions actually processed:/ { print $NF }' "$WORK/pgbench.out" | cut -d/ -f1)
tps=$(awk '/^tps = / { printf "%.0f", $3 }' "$WORK/pgbench.out")
failed_tx=$(awk '/number of failed transactions:/ { print $5 }' "$WORK/pgbench.out")
check "pgbench ran without errors ($CLIENTS clients, $SECONDS_RUN s)" "$pgbench_rc/${failed_tx:-0}" "0/0"
check "the concurrent refreshes had no errors" "$(wc -l <"$WORK/refresh.err")" 0
check "the concurrent reads had no errors" "$(wc -l <"$WORK/read.err")" 0
[ -s "$WORK/refresh.err" ] && head -5 "$WORK/refresh.err"
[ -s "$WORK/read.err" ] && head -5 "$WORK/read.err"

# nothing lost: after a last refresh, the rollup holds every inserted event
q -c 'REFRESH MATERIALIZED VIEW CONCURRENTLY campaign_day' >/dev/null
check "events in the table = 5 x pgbench transactions" "$(q -c 'SELECT count(*) FROM events')" "$((5 * ${tx:-0}))"
check "the rollup counts every event (sum of counts, frequency impressions, journey events)" \
	"$(q -c "SELECT sum(events) || ' ' || impressions(frequency_union_agg(frequency)) || ' ' || sum((journey_info(touches)->>'events')::int) FROM campaign_day")" \
	"$((5 * ${tx:-0})) $((5 * ${tx:-0})) $((5 * ${tx:-0}))"
# frequency_sketch is exact up to k = 4096 users; reach_sketch is dense
# above 2,048 users: their count lies within its bounds at 99.99 % (a lost
# event of a user seen once moves the exact count, not the sketch)
check "the rollup's reach per campaign = count(DISTINCT user_id): frequency exactly, reach within its 99.99 % bounds" \
	"$(q -c "SELECT count(*) FILTER (WHERE e.users BETWEEN reach_lower(r.u, 0.9999) AND reach_upper(r.u, 0.9999) AND r.freach = e.users) || '/' || count(*)
		FROM (SELECT campaign_id, reach_union_agg(reach) AS u, reach(frequency_union_agg(frequency)) AS freach
		      FROM campaign_day GROUP BY 1) r
		JOIN (SELECT campaign_id, count(DISTINCT user_id) AS users FROM events GROUP BY 1) e USING (campaign_id)")" "20/20"
echo "figures: ${tx:-0} transactions ($((5 * ${tx:-0})) events) at ${tps:-?} tps with $CLIENTS clients;" \
	"$(cat "$WORK/refresh.count") concurrent refreshes and $(cat "$WORK/read.count") rollup queries meanwhile"

ie_report concurrency
[ "$failed" -eq 0 ]
