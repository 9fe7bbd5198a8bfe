#!/usr/bin/env bash
# test/incremental.sh — the incremental rollup of examples/incremental_rollup.sql
# merges every event exactly once: whatever the writers do (transactions
# held open across a run, late events, lower ids committing later), however
# the merges overlap or fail, and while days and campaigns are rebuilt, the
# rollup ends equal, row for row and byte for byte, to a GROUP BY over all
# the events (the independent computation).
#
# First the cases one at a time, each made to happen (a writer held open
# across a run, two runs overlapping, a run failing half-way, rebuilds after
# corrections); then pgbench clients insert while two merge loops and a
# rebuild loop run.  Run by test/check.sh against its private cluster
# (PGHOST, PGPORT, PGUSER exported, the extension installed).  Prints
# "ok - ..." / "not ok - ..." per check and last "incremental: N passed, M
# failed".  IE_INCREMENTAL_SECONDS (default 12) sets the pgbench duration.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SECONDS_RUN=${IE_INCREMENTAL_SECONDS:-12}
CLIENTS=4
DB=ie_incremental
q() { ie_psql -X -v ON_ERROR_STOP=1 -tA -d "$DB" "$@"; }

WORK=$(mktemp -d /tmp/impression_ext_incremental.XXXXXX)
chmod 755 "$WORK"
cleanup() {
	[ -n "${loops:-}" ] && kill $loops 2>/dev/null
	exec 3>&- 4>&- 2>/dev/null
	wait 2>/dev/null
	ie_psql -X -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
ie_psql -X -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null

# the demo's events table, plus an id to show that a lower id committed
# later is not skipped (the pattern itself needs no id)
q -c 'CREATE EXTENSION impression_ext' >/dev/null
PGOPTIONS='-c client_min_messages=warning' q -q -f "$REPO_ROOT/test/data/schema.sql" >/dev/null
q -c 'ALTER TABLE events ADD COLUMN id bigserial PRIMARY KEY' -c 'CREATE INDEX ON events (ts)' >/dev/null

# EVENTS N DAY0 DAYS SEED: the SQL of N events over DAYS days from
# 2026-03-01 + DAY0, 3,000 users and 12 campaigns (small enough that every
# row's sketches are exact, large enough for several rows a campaign), some
# clicks, conversions with and without a campaign, costs of 6 decimals
events_sql() {
	cat <<SQL
INSERT INTO events (user_id, ts, kind, campaign_id, cost)
SELECT u, timestamptz '2026-03-01 00:00+00' + ($2 + d) * interval '1 day' + m * interval '1 minute', kind,
       CASE WHEN kind = 'conversion' AND u % 2 = 0 THEN NULL ELSE c END,
       CASE WHEN kind = 'impression' THEN round((m % 997) / 100000.0 + 0.000001 * u, 6) ELSE 0 END
FROM (SELECT (hashint4(g + $4) & 4095) % 3000 + 1 AS u, (hashint4(g + $4 + 1) & 1023) % 12 + 1 AS c,
             (hashint4(g + $4 + 2) & 1023) % $3 AS d, (hashint4(g + $4 + 3) & 4095) % 1440 AS m,
             CASE WHEN g % 10 = 0 THEN 'click' WHEN g % 37 = 0 THEN 'conversion' ELSE 'impression' END AS kind
      FROM generate_series(1, $1) g) e;
SQL
}

# the rollup against a GROUP BY over every event, byte for byte:
# "I/S rows, D differing, Q queued"
compare() {
	q -c "WITH inc AS ($IE_ROLLUP_INCREMENTAL), scratch AS ($IE_ROLLUP_SCRATCH)
	SELECT (SELECT count(*) FROM inc) || '/' || (SELECT count(*) FROM scratch) || ' rows, '
		|| (SELECT count(*) FROM ((TABLE inc EXCEPT ALL TABLE scratch) UNION ALL (TABLE scratch EXCEPT ALL TABLE inc)) d)
		|| ' differing, ' || (SELECT count(*) FROM campaign_daily_queue) || ' queued'"
}
# what compare must say: every (campaign, day) of the events, none differing
want_equal() {
	local n
	n=$(q -c "SELECT count(DISTINCT (campaign_id, (ts AT TIME ZONE 'UTC')::date)) FROM events WHERE campaign_id IS NOT NULL")
	echo "$n/$n rows, 0 differing, 0 queued"
}
merge() { q -c 'CALL campaign_daily_merge()' >/dev/null; }

# a session kept open on file descriptor 3 (or 4): its statements are fed
# one at a time, and it is waited for by its application_name
open_session() {
	local fd=$1 name=$2
	rm -f "$WORK/$name.in"
	mkfifo "$WORK/$name.in"
	PGAPPNAME=$name ie_psql -X -d "$DB" <"$WORK/$name.in" >"$WORK/$name.out" 2>&1 &
	eval "exec $fd>\"$WORK/$name.in\""
}
# wait_state NAME STATE: until that session is in STATE (at most 20 s)
wait_state() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$1' AND $2")" = 1 ] && return 0
		sleep 0.1
	done
	return 1
}

# history: events there before the pattern was installed, rolled up by the
# first rebuild (the set-up step of README)
q -q -c "$(events_sql 20000 0 10 0)" >/dev/null
q -q -f "$REPO_ROOT/examples/incremental_rollup.sql" >/dev/null
q -c 'CALL campaign_daily_rebuild()' >/dev/null
check "the first rebuild rolls up the events already there" "$(compare)" "$(want_equal)"
q -q -c "$(events_sql 5000 0 10 100)" >/dev/null
check "new events are queued by the trigger, 1 row an event with a campaign" \
	"$(q -c "SELECT count(*) FROM campaign_daily_queue")" "$(q -c "SELECT count(*) FROM events WHERE id > 20000 AND campaign_id IS NOT NULL")"
merge
check "a merge takes the queue, and the rollup equals the events' GROUP BY" "$(compare)" "$(want_equal)"

# a writer holds a lower id and an old timestamp (a late event, day 3)
# uncommitted while a later writer commits and a merge runs; users outside
# the generated ones, so the sketches can be asked whether they hold them
open_session 3 ie_held
echo "BEGIN; INSERT INTO events (user_id, ts, kind, campaign_id, cost) VALUES (100077, '2026-03-03 12:00+00', 'impression', 5, 0.5);" >&3
wait_state ie_held "state = 'idle in transaction' AND backend_xid IS NOT NULL" || echo "# the held session did not start"
q -q -c "INSERT INTO events (user_id, ts, kind, campaign_id, cost) VALUES (100078, '2026-03-09 12:00+00', 'impression', 5, 0.25)" >/dev/null
merge
has_user="SELECT string_agg((reach_sketch = (SELECT reach_agg(v.u) FROM (VALUES (user_id)) v (u)) || reach_sketch)::text, '/' ORDER BY user_id)
	FROM campaign_daily JOIN (VALUES (100077::bigint, date '2026-03-03'), (100078, '2026-03-09')) u (user_id, day) USING (day)
	WHERE campaign_id = 5"
check "a merge while a writer is open takes the later committed event, not the open one; nothing else is queued" \
	"$(q -c "$has_user")/$(q -c "SELECT count(*) FROM campaign_daily_queue")" "false/true/0"
echo "COMMIT;" >&3
exec 3>&-
wait
check "the open writer committed: its event has the lower id" \
	"$(q -c "SELECT (SELECT id FROM events WHERE user_id = 100077) < (SELECT id FROM events WHERE user_id = 100078)")" t
merge
check "the next merge takes it into its old day; rollup = GROUP BY" "$(compare)" "$(want_equal)"
# a writer that rolls back leaves nothing to merge
q >/dev/null <<SQL
BEGIN;
$(events_sql 2000 0 10 150)
ROLLBACK;
SQL
check "a writer rolled back: its queue rows went with its events" "$(q -c "SELECT count(*) FROM campaign_daily_queue")" 0

# two runs overlap: a merge holds its transaction open after merging, and
# a second merge (or a rebuild of everything) waits for it; then the same
# with the first rolled back
for run in "COMMIT merge" "ROLLBACK merge" "COMMIT rebuild" "ROLLBACK rebuild"; do
	read -r ending second_run <<<"$run"
	ending="$ending, then a $second_run"
	q -q -c "$(events_sql 3000 0 10 200)" >/dev/null
	open_session 3 ie_first
	echo "BEGIN; CALL campaign_daily_merge();" >&3
	wait_state ie_first "state = 'idle in transaction'" || echo "# the first merge did not finish"
	q -q -c "$(events_sql 1000 3 10 300)" >/dev/null
	PGAPPNAME=ie_second q -c "CALL campaign_daily_$second_run()" >"$WORK/second.out" 2>&1 &
	second=$!
	check "overlap ($ending): the second run waits for the first" \
		"$(wait_state ie_second "wait_event_type = 'Lock'" && echo waiting)" waiting
	echo "${ending%%,*};" >&3
	exec 3>&-
	wait "$second"
	check "overlap ($ending): the second run succeeds" "exit $? $(cat "$WORK/second.out")" "exit 0 "
	wait
	check "overlap ($ending): nothing lost or merged twice; rollup = GROUP BY" "$(compare)" "$(want_equal)"
done

# a run fails half-way: the queue is drained and two rows are merged when
# a trigger injects an error at the third (BEFORE INSERT fires once for
# every row ON CONFLICT proposes); nothing of the run may remain
q -q -c "$(events_sql 4000 0 10 400)" >/dev/null
q >/dev/null <<'SQL'
CREATE SEQUENCE merged_rows;
CREATE FUNCTION fail_at_third() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF nextval('merged_rows') = 3 THEN
		RAISE EXCEPTION 'injected failure at the third merged row';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER fail_at_third BEFORE INSERT ON campaign_daily FOR EACH ROW EXECUTE FUNCTION fail_at_third();
SQL
state="SELECT md5(string_agg(c::text, ',' ORDER BY campaign_id, day)) || ' ' || (SELECT count(*) FROM campaign_daily_queue) FROM campaign_daily c"
before=$(q -c "$state")
failure=$(q -c 'CALL campaign_daily_merge()' 2>&1 >/dev/null | grep -o 'injected failure at the third merged row')
check "the failing run failed at its third row" "$failure/$(q -c 'SELECT last_value FROM merged_rows')" \
	"injected failure at the third merged row/3"
check "after the failed run: the rollup and the queue are as before it" "$(q -c "$state")" "$before"
q -c 'DROP TRIGGER fail_at_third ON campaign_daily' >/dev/null
merge
check "the next run merges the failed run's events once; rollup = GROUP BY" "$(compare)" "$(want_equal)"

# corrections: events deleted and costs changed; a rebuild of the day and
# of the campaign puts the rollup right (a merge could not: it only adds)
q -q -c "DELETE FROM events WHERE ts >= '2026-03-04' AND ts < '2026-03-05' AND user_id % 3 = 0" \
	-c "UPDATE events SET cost = cost * 2 WHERE campaign_id = 7" >/dev/null
check "after deletes and corrections the rollup is stale (a merge does not see them)" \
	"$(merge; compare | grep -c ' 0 differing')" 0
q -c "CALL campaign_daily_rebuild(only_day => '2026-03-04')" -c 'CALL campaign_daily_rebuild(only_campaign => 7)' >/dev/null
check "rebuilding that day and that campaign; rollup = GROUP BY" "$(compare)" "$(want_equal)"
# a rebuild leaves the queue rows of events it could not see: here, a
# writer still open, whose event is in the rebuilt day and campaign
open_session 4 ie_held2
echo "BEGIN; INSERT INTO events (user_id, ts, kind, campaign_id, cost) VALUES (79, '2026-03-04 08:00+00', 'click', 7, 0);" >&4
wait_state ie_held2 "state = 'idle in transaction' AND backend_xid IS NOT NULL" || echo "# the held session did not start"
q -q -c "$(events_sql 500 3 1 500)" >/dev/null
q -c "CALL campaign_daily_rebuild(only_day => '2026-03-04', only_campaign => 7)" >/dev/null
echo "COMMIT;" >&4
exec 4>&-
wait
merge
check "a rebuild with a writer open: its event comes with the next merge, once; rollup = GROUP BY" "$(compare)" "$(want_equal)"

# everything at once: pgbench clients insert (late events over 14 days;
# one transaction in ten held open across runs), two merge loops overlap,
# a rebuild loop redoes random days and campaigns
q >/dev/null <<'SQL'
CREATE TABLE merge_runs (started timestamptz, finished timestamptz);
CREATE TABLE held_transactions (inserted timestamptz, committing timestamptz);
SQL
cat >"$WORK/insert.sql" <<'SQL'
\set u random(1, 3000)
\set c random(1, 12)
\set d random(0, 13)
\set m random(0, 1439)
INSERT INTO events (user_id, ts, kind, campaign_id, cost)
SELECT :u, timestamptz '2026-03-01 00:00+00' + :d * interval '1 day' + (:m + g) * interval '1 minute',
       CASE g WHEN 4 THEN 'click' WHEN 5 THEN 'conversion' ELSE 'impression' END,
       CASE WHEN g = 5 AND :u % 2 = 0 THEN NULL ELSE :c END,
       CASE WHEN g <= 3 THEN round(random()::numeric / 100, 6) ELSE 0 END
FROM generate_series(1, 5) g;
SQL
cat >"$WORK/held.sql" <<'SQL'
\set u random(1, 3000)
\set c random(1, 12)
\set d random(0, 13)
BEGIN;
INSERT INTO events (user_id, ts, kind, campaign_id, cost)
VALUES (:u, timestamptz '2026-03-01 06:00+00' + :d * interval '1 day', 'impression', :c, 0.001);
SELECT extract(epoch FROM clock_timestamp()) AS inserted \gset
\sleep 700 ms
INSERT INTO events (user_id, ts, kind, campaign_id, cost)
VALUES (:u, timestamptz '2026-03-01 06:01+00' + :d * interval '1 day', 'click', :c, 0);
INSERT INTO held_transactions VALUES (to_timestamp(:inserted), clock_timestamp());
COMMIT;
SQL
chmod 644 "$WORK/insert.sql" "$WORK/held.sql"

merger() {
	while [ ! -f "$WORK/stop" ]; do
		q >/dev/null 2>>"$WORK/merge.err" <<'SQL'
SELECT clock_timestamp() AS started \gset
CALL campaign_daily_merge();
INSERT INTO merge_runs VALUES (:'started', clock_timestamp());
SQL
		sleep 0.1
	done
}
rebuilder() {
	local n=0
	while [ ! -f "$WORK/stop" ]; do
		n=$((n + 1))
		if ((n % 2)); then
			q -c "CALL campaign_daily_rebuild(only_day => date '2026-03-01' + $((RANDOM % 14)))" >/dev/null 2>>"$WORK/rebuild.err"
		else
			q -c "CALL campaign_daily_rebuild(only_campaign => $((RANDOM % 12 + 1)))" >/dev/null 2>>"$WORK/rebuild.err"
		fi
		echo "$n" >"$WORK/rebuild.count"
		sleep 0.5
	done
}
: >"$WORK/merge.err"
: >"$WORK/rebuild.err"
merger &
loops=$!
merger &
loops="$loops $!"
rebuilder &
loops="$loops $!"

ie_as_postgres "$PG_BIN/pgbench" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" -n -c "$CLIENTS" -j 2 -T "$SECONDS_RUN" \
	-f "$WORK/insert.sql@9" -f "$WORK/held.sql@1" "$DB" >"$WORK/pgbench.out" 2>&1
pgbench_rc=$?
touch "$WORK/stop"
wait $loops
loops=

failed_tx=$(awk '/^number of failed transactions:/ { print $5 }' "$WORK/pgbench.out")
check "pgbench ran without errors ($CLIENTS clients, $SECONDS_RUN s)" "$pgbench_rc/${failed_tx:-0}" "0/0"
[ "$pgbench_rc" -ne 0 ] && tail -5 "$WORK/pgbench.out"
check "the concurrent merges and rebuilds had no errors" "$(cat "$WORK/merge.err" "$WORK/rebuild.err" | wc -l)" 0
head -5 "$WORK/merge.err" "$WORK/rebuild.err" | grep -v '^==>' | grep . | sed 's/^/# /'
runs=$(q -c "SELECT count(*) FROM merge_runs")
spanned=$(q -c "SELECT count(*) FROM held_transactions h WHERE EXISTS (
	SELECT 1 FROM merge_runs r WHERE r.started > h.inserted AND r.finished < h.committing)")
check "merges ran while writers were open (a whole merge between a held transaction's insert and its commit)" \
	"$([ "$spanned" -gt 0 ] && echo yes)" yes
merge
check "after it all and a last merge: rollup = GROUP BY over every event, byte for byte" "$(compare)" "$(want_equal)"
echo "figures: $(q -c "SELECT count(*) FROM events") events, $runs merges, $(cat "$WORK/rebuild.count" 2>/dev/null || echo 0) rebuilds," \
	"$(q -c "SELECT count(*) FROM held_transactions") transactions held open ($spanned of them across a whole merge)"

ie_report incremental
[ "$failed" -eq 0 ]
