#!/usr/bin/env bash
# test/cron.sh — pg_cron keeps rollups of sketches up to date on a schedule:
# a job made with cron.schedule_in_database runs REFRESH MATERIALIZED VIEW
# CONCURRENTLY, another CALLs the incremental merge of
# examples/incremental_rollup.sql; after new events arrive, both rollups
# catch up at the next minute without anyone touching them.  pg_cron 1.4
# schedules by the minute, so this waits up to two minutes.
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
	q -d postgres -c "SELECT cron.unschedule(jobid) FROM cron.job WHERE jobname IN ('ie_cron_refresh', 'ie_cron_merge')" >/dev/null 2>&1
	q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
}
trap cleanup EXIT

check "pg_cron is preloaded" "$(q -d postgres -c 'SHOW shared_preload_libraries' | grep -c pg_cron)" 1
q -d postgres -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS pg_cron' >/dev/null
q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
q -d "$DB" >/dev/null <<'SQL'
CREATE EXTENSION impression_ext;
CREATE TABLE events (user_id bigint, ts timestamptz, kind text, campaign_id int, cost numeric(12, 6) NOT NULL DEFAULT 0);
INSERT INTO events SELECT x % 2000, timestamptz '2026-03-01' + x * interval '1 minute', 'impression', x % 4, (x % 7) / 1000.0 FROM generate_series(1, 20000) x;
CREATE MATERIALIZED VIEW campaign_daily_refreshed AS
SELECT campaign_id, ts::date AS day, count(*) AS impressions, reach_agg(user_id) AS reach, frequency_agg(user_id) AS frequency
FROM events GROUP BY 1, 2;
CREATE UNIQUE INDEX ON campaign_daily_refreshed (campaign_id, day);
SQL
q -d "$DB" -q -f "$REPO_ROOT/examples/incremental_rollup.sql" -c 'CALL campaign_daily_rebuild()' >/dev/null
# new events: both rollups are now stale
q -d "$DB" -c "INSERT INTO events SELECT 100000 + x % 1000, timestamptz '2026-03-01' + x * interval '1 minute', 'impression', x % 4, 0.001
	FROM generate_series(1, 3000) x" >/dev/null
check "before the jobs: the rollups miss the 3,000 new events (refreshed, incremental)" \
	"$(q -d "$DB" -c "SELECT (SELECT count(*) FROM events) - sum(impressions) FROM campaign_daily_refreshed")/$(q -d "$DB" -c "SELECT (SELECT count(*) FROM events) - sum(impressions) FROM campaign_daily")" 3000/3000
jobid=$(q -d postgres -c "SELECT cron.schedule_in_database('ie_cron_refresh', '* * * * *',
	'REFRESH MATERIALIZED VIEW CONCURRENTLY campaign_daily_refreshed', '$DB')")
mergeid=$(q -d postgres -c "SELECT cron.schedule_in_database('ie_cron_merge', '* * * * *', 'CALL campaign_daily_merge()', '$DB')")
check "cron.schedule_in_database made the jobs" "$([ -n "$jobid" ] && [ -n "$mergeid" ] && echo yes)" yes

# wait for a run of each job to finish (at most 130 s: the next minute plus slack)
status=
for ((waited = 0; waited <= 130; waited += 5)); do
	status=$(q -d postgres -c "SELECT string_agg(coalesce(d.status, 'waiting'), ' ' ORDER BY j.jobid) FROM unnest(ARRAY[$jobid, $mergeid]::bigint[]) j (jobid)
		LEFT JOIN LATERAL (SELECT status FROM cron.job_run_details d WHERE d.jobid = j.jobid AND status IN ('succeeded', 'failed')
		                   ORDER BY runid DESC LIMIT 1) d ON true")
	[[ $status == *waiting* ]] || break
	sleep 5
done
check "the scheduled refresh and merge ran (after about $waited s)" "$status" "succeeded succeeded"
[[ $status == *failed* ]] && q -d postgres -c "SELECT jobid, return_message FROM cron.job_run_details WHERE jobid IN ($jobid, $mergeid) ORDER BY runid DESC LIMIT 2"
# 2,000 + 1,000 users: the frequency sketch is exact (k = 4096); the reach
# sketch is dense (over 2^14 / 8 users), its 95 % bounds hold the 3,000
check "after the job: the rollup holds every event, and its reach counts the new users" \
	"$(q -d "$DB" -c "SELECT (SELECT count(*) FROM events) - impressions || ' ' || (3000 BETWEEN reach_lower(u) AND reach_upper(u))
		|| ' ' || reach(f) FROM (SELECT sum(impressions) AS impressions, reach_union_agg(reach) AS u, frequency_union_agg(frequency) AS f
		FROM campaign_daily_refreshed) r")" \
	"0 true 3000"
# the incremental rollup equals a GROUP BY over the events, byte for byte
check "after the job: the incremental rollup took the queue and equals the rollup from scratch" \
	"$(q -d "$DB" -c "WITH inc AS ($IE_ROLLUP_INCREMENTAL), scratch AS ($IE_ROLLUP_SCRATCH)
		SELECT (SELECT count(*) FROM campaign_daily_queue) || ' queued, ' || count(*) || ' differing'
		FROM ((TABLE inc EXCEPT ALL TABLE scratch) UNION ALL (TABLE scratch EXCEPT ALL TABLE inc)) d")" \
	"0 queued, 0 differing"

ie_report cron
[ "$failed" -eq 0 ]
