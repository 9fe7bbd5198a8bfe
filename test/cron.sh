#!/usr/bin/env bash
# test/cron.sh — pg_cron refreshes a rollup of sketches on a schedule: a job
# made with cron.schedule_in_database runs REFRESH MATERIALIZED VIEW
# CONCURRENTLY; after new events arrive, the rollup catches up at the next
# minute without anyone touching it.  pg_cron 1.4 schedules by the minute,
# so this waits up to two minutes.
#
# Run by test/check.sh against its private cluster, whose configuration
# (test/lib.sh) preloads pg_cron with cron.database_name = 'postgres' and
# background workers.  Prints "ok - ..." / "not ok - ..." per check and last
# "cron: N passed, M failed".
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB=ie_cron
if ! ie_have_library pg_cron; then
	skip "pg_cron is not installed on this server (PostgreSQL $PG_MAJOR)"
	ie_report cron
	exit 0
fi
q() { ie_psql -X -v ON_ERROR_STOP=1 -tA "$@"; }
cleanup() {
	q -d postgres -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname = 'ie_cron_refresh'" >/dev/null 2>&1
	q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
}
trap cleanup EXIT

check "pg_cron is preloaded" "$(q -d postgres -c 'SHOW shared_preload_libraries' | grep -c pg_cron)" 1
q -d postgres -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS pg_cron' >/dev/null
q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
q -d "$DB" >/dev/null <<'SQL'
CREATE EXTENSION impression_ext;
CREATE TABLE events (user_id bigint, ts timestamptz, kind text, campaign_id int);
INSERT INTO events SELECT x % 2000, timestamptz '2026-03-01' + x * interval '1 minute', 'impression', x % 4 FROM generate_series(1, 20000) x;
CREATE MATERIALIZED VIEW campaign_daily AS
SELECT campaign_id, ts::date AS day, count(*) AS impressions, reach_agg(user_id) AS reach, frequency_agg(user_id) AS frequency
FROM events GROUP BY 1, 2;
CREATE UNIQUE INDEX ON campaign_daily (campaign_id, day);
-- new events: the rollup is now stale
INSERT INTO events SELECT 100000 + x % 1000, timestamptz '2026-03-01' + x * interval '1 minute', 'impression', x % 4 FROM generate_series(1, 3000) x;
SQL
check "before the job: the rollup misses the 3,000 new events" \
	"$(q -d "$DB" -c "SELECT (SELECT count(*) FROM events) - sum(impressions) FROM campaign_daily")" 3000
jobid=$(q -d postgres -c "SELECT cron.schedule_in_database('ie_cron_refresh', '* * * * *',
	'REFRESH MATERIALIZED VIEW CONCURRENTLY campaign_daily', '$DB')")
check "cron.schedule_in_database made a job" "$([ -n "$jobid" ] && echo yes)" yes

# wait for a run of the job to finish (at most 130 s: the next minute plus slack)
status=
for ((waited = 0; waited <= 130; waited += 5)); do
	status=$(q -d postgres -c "SELECT status FROM cron.job_run_details WHERE jobid = $jobid AND status IN ('succeeded', 'failed') ORDER BY runid DESC LIMIT 1")
	[ -n "$status" ] && break
	sleep 5
done
check "the scheduled refresh ran (after about $waited s)" "$status" succeeded
[ "$status" = failed ] && q -d postgres -c "SELECT return_message FROM cron.job_run_details WHERE jobid = $jobid ORDER BY runid DESC LIMIT 1"
# 2,000 + 1,000 users: the frequency sketch is exact (k = 4096), the reach
# sketch sparse (26-bit tokens: two users may share one)
check "after the job: the rollup holds every event, and its reach counts the new users" \
	"$(q -d "$DB" -c "SELECT (SELECT count(*) FROM events) - sum(impressions) || ' ' || (abs(reach(reach_union_agg(reach)) - 3000) <= 2)
		|| ' ' || reach(frequency_union_agg(frequency)) FROM campaign_daily")" \
	"0 true 3000"

ie_report cron
[ "$failed" -eq 0 ]
