#!/usr/bin/env bash
# test/demo.sh — the main job, end to end, on a fresh Debian 12 machine.
#
# Installs what is missing, builds and installs impression_ext, starts a
# private cluster (port 54321, data and socket in /var/tmp/impression_ext_demo),
# loads a synthetic 30-day campaign data set (about 1M events, made by the
# deterministic generator in test/data/, with viewability and engagement
# added by test/data/viewability.sql) and prints a campaign report.  The
# cluster is left running.  Running it again reuses cluster and data.
#
#   IE_DEMO_DIR, IE_DEMO_PORT   override where the cluster lives
#   IE_DEMO_EVENTS              events to generate (default 1000000)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DIR=${IE_DEMO_DIR:-/var/tmp/impression_ext_demo}
PORT=${IE_DEMO_PORT:-54321}
EVENTS=${IE_DEMO_EVENTS:-1000000}

ie_install_packages
ie_build_install
ie_start_cluster "$DIR" "$PORT"

if ! ie_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'demo'" | grep -q 1; then
	ie_psql -d postgres -c "CREATE DATABASE demo"
fi
export PGDATABASE=demo
# the library may have been rebuilt: reinstall the extension's objects
PGOPTIONS='-c client_min_messages=warning' ie_psql \
	-c "DROP EXTENSION IF EXISTS impression_ext CASCADE" -c "CREATE EXTENSION impression_ext"

loaded=f
if [ "$(ie_psql -tAc "SELECT to_regclass('events') IS NOT NULL AND to_regclass('campaigns') IS NOT NULL")" = t ]; then
	loaded=$(ie_psql -tAc "SELECT EXISTS (SELECT 1 FROM events) AND EXISTS (SELECT 1 FROM campaigns)")
fi
if [ "$loaded" != t ]; then
	ie_log "generating and loading $EVENTS events"
	"$REPO_ROOT/test/data/load.sh" -q -- --events "$EVENTS" --users $((EVENTS / 5)) --campaigns 24 --days 30 --seed 1
fi
# viewability and engagement of each impression (idempotent: a no-op once done)
ie_psql -f "$REPO_ROOT/test/data/viewability.sql"

# the rollups and the BI views a dashboard would read (README "Rollups")
ie_psql -f "$REPO_ROOT/test/bi_views.sql"
# new events reach the incremental rollup within a minute, without anyone
# calling the merge (pg_cron's database is postgres, see test/lib.sh; a
# cluster made before pg_cron was installed does not preload it)
cron=
if ie_psql -d postgres -tAc "SHOW shared_preload_libraries" | grep -q pg_cron; then
	PGOPTIONS='-c client_min_messages=warning' ie_psql -d postgres -c "CREATE EXTENSION IF NOT EXISTS pg_cron" \
		-c "SELECT cron.schedule_in_database('demo campaign_daily merge', '* * * * *', 'CALL campaign_daily_merge()', 'demo')
			WHERE NOT EXISTS (SELECT FROM cron.job WHERE jobname = 'demo campaign_daily merge')" >/dev/null
	cron="pg_cron calls it every minute"
fi
ie_psql -P pager=off -f "$REPO_ROOT/test/demo_report.sql"
ie_psql -P pager=off -P footer=off <<'SQL'
\echo
\echo 'What a dashboard reads: bi_campaign_total, from the incremental rollup campaign_daily (the 5 largest campaigns)'
SELECT campaign_name, impressions, reach, reach_3_plus, round(ctr::numeric, 4) AS ctr, cost, cpm,
       post_click_conversions + post_impression_conversions AS conversions, roas
FROM bi_campaign_total ORDER BY impressions DESC LIMIT 5;
SQL

cat <<MSG

The demo cluster is still running, with the rollups campaign_daily
(incremental: new events are queued by a trigger and merged by
CALL campaign_daily_merge(); ${cron:-call it yourself: no pg_cron here})
and campaign_daily_conversions, and the BI views bi_campaign_daily and
bi_campaign_total (plain, commented columns) for a BI tool to read.
  connect:  psql -h $DIR -p $PORT -U postgres demo
  stop:     runuser -u postgres -- $PG_BIN/pg_ctl -D $DIR stop
  remove:   (stop it, then) rm -rf $DIR
MSG
