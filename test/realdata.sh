#!/usr/bin/env bash
# test/realdata.sh — the sketches and attribution on real ad-click data: the
# TalkingData AdTracking sample in ../shared/data/real/ (100,000 real mobile
# ad clicks; read there, never copied into the repository; terms in
# SOURCES.md there).  Per app (the advertiser) and per channel (the
# publisher): reach and frequency against exact SQL over the same rows, and
# post-click conversions (the app downloads, at attributed_time) by
# journey_agg + attribute() against a plain-SQL last-click formulation.
#
# Run by test/check.sh against its private cluster (PGHOST, PGPORT, PGUSER
# exported, the extension installed).  Prints "ok - ..." / "not ok - ..."
# per check and last "realdata: N passed, M failed".  If the data file is
# not there (a checkout without ../shared), it says so and is counted as
# skipped, except in CI (CI=true), where the data must be there.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# ../shared beside the checkout; IE_REAL_DATA names another copy
CSV=${IE_REAL_DATA:-$REPO_ROOT/../shared/data/real/talkingdata_train_sample.csv}
[ -r "$CSV" ] || [ -n "${IE_REAL_DATA:-}" ] || CSV=/work/shared/data/real/talkingdata_train_sample.csv
DB=ie_realdata
if [ ! -r "$CSV" ] && [ "${CI:-}" = true ]; then
	# CI has ../shared beside the checkout: the data missing there is a failure
	check "the real data is there in CI ($CSV)" "missing" "readable"
	ie_report realdata
	exit 1
elif [ ! -r "$CSV" ]; then
	skip "$CSV is not there: no real-data checks run"
	ie_report realdata
	exit 0
fi
q() { ie_psql -X -v ON_ERROR_STOP=1 -tA -d "$DB" "$@"; }
cleanup() { ie_psql -X -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1; }
trap cleanup EXIT
ie_psql -X -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
q >/dev/null <<'SQL'
CREATE EXTENSION impression_ext;
SET timezone = 'UTC';
CREATE TABLE clicks (ip bigint, app int, device int, os int, channel int, click_time timestamptz,
	attributed_time timestamptz, is_attributed int);
SQL
q -c "\\copy clicks FROM '$CSV' WITH (FORMAT csv, HEADER true)" >/dev/null
q -c 'ANALYZE clicks' >/dev/null

# the file as SOURCES.md describes it
check "loaded: rows, distinct ips, apps, channels, attributed clicks" \
	"$(q -c "SELECT count(*) || ' ' || count(DISTINCT ip) || ' ' || count(DISTINCT app) || ' ' || count(DISTINCT channel) || ' ' || sum(is_attributed) FROM clicks")" \
	"100000 34857 161 161 227"

# reach per app and per channel (users: ips): exact while sparse (at most
# 4,096 users; 26-bit tokens, so two users may share one: within 1 %),
# within the sketch's 95 % bounds widened by 1 % above that
for dim in app channel; do
	check "reach per $dim: reach_agg(ip) against count(DISTINCT ip), every $dim" \
		"$(q -c "SELECT count(*) FILTER (WHERE CASE WHEN n <= 4096 THEN abs(r - n) <= greatest(1, 0.01 * n)
			ELSE n BETWEEN 0.99 * lo AND 1.01 * hi END) || '/' || count(*)
			FROM (SELECT $dim, count(DISTINCT ip) AS n, reach(reach_agg(ip)) AS r, reach_lower(reach_agg(ip)) AS lo,
			             reach_upper(reach_agg(ip)) AS hi FROM clicks GROUP BY $dim) t")" \
		"$(q -c "SELECT count(DISTINCT $dim) || '/' || count(DISTINCT $dim) FROM clicks")"
done
check "reach of the whole file: reach_agg within 2 % of 34,857, frequency_agg within 3/sqrt(4096)" \
	"$(q -c "SELECT abs(reach(reach_agg(ip)) - 34857) <= 0.02 * 34857 AND abs(reach(frequency_agg(ip)) - 34857) <= 3 / 64.0 * 34857 FROM clicks")" t

# click frequency per channel: the histogram (1 .. 5+) against the
# two-level GROUP BY; exact for channels with at most 4,096 users, each
# bucket's share within 2 percentage points above that
check "click-frequency histogram per channel: exact where exact, shares within 2 pp otherwise, every channel" \
	"$(q -c "WITH ex AS (
		SELECT channel, least(n, 5) AS f, count(*) AS users
		FROM (SELECT channel, ip, count(*) AS n FROM clicks GROUP BY 1, 2) t GROUP BY 1, 2),
	tot AS (SELECT channel, count(DISTINCT ip) AS total FROM clicks GROUP BY 1),
	sk AS (SELECT x.channel, h.frequency AS f, h.reach, h.share
	       FROM (SELECT channel, frequency_agg(ip) AS s FROM clicks GROUP BY 1) x, frequency_histogram(x.s, 5) h),
	cmp AS (SELECT sk.channel, CASE WHEN tot.total <= 4096 THEN sk.reach = coalesce(ex.users, 0)
	                                ELSE abs(sk.share - coalesce(ex.users, 0)::float8 / tot.total) <= 0.02 END AS ok
	        FROM sk JOIN tot USING (channel) LEFT JOIN ex USING (channel, f))
	SELECT count(*) FILTER (WHERE ok) || '/' || count(*) FROM (SELECT channel, bool_and(ok) AS ok FROM cmp GROUP BY 1) c")" \
	"161/161"

# post-click conversions: a journey per device (ip, device, os): its clicks
# (touch: the app) and its downloads (conversions at attributed_time);
# last click within 7 days, against a LATERAL probe per download
q >/dev/null <<'SQL'
SET timezone = 'UTC';
CREATE TABLE journey_events AS
SELECT ip, device, os, click_time AS ts, 'click' AS kind, app::text AS touch FROM clicks
UNION ALL
SELECT ip, device, os, attributed_time, 'conversion', NULL FROM clicks WHERE is_attributed = 1;
CREATE INDEX ON journey_events (ip, device, os, ts);
ANALYZE journey_events;
CREATE TABLE ours AS
SELECT a.touch AS app, count(*) AS conversions
FROM (SELECT ip, device, os, journey_agg(ts, kind, touch) AS j FROM journey_events GROUP BY 1, 2, 3) u,
     attribute(u.j, 'last_touch', '7 days', '0') a
GROUP BY 1;
CREATE TABLE plain AS
SELECT t.touch AS app, count(*) AS conversions
FROM journey_events c
LEFT JOIN LATERAL (SELECT e.touch FROM journey_events e
                   WHERE e.ip = c.ip AND e.device = c.device AND e.os = c.os AND e.kind = 'click'
                     AND e.ts <= c.ts AND e.ts >= c.ts - interval '7 days'
                   ORDER BY e.ts DESC, e.touch COLLATE "C" DESC LIMIT 1) t ON true
WHERE c.kind = 'conversion'
GROUP BY 1;
SQL
check "post-click downloads per app: attribute() = plain-SQL last click, every app (and the unattributed)" \
	"$(q -c "SELECT count(*) FILTER (WHERE o.conversions = p.conversions) || '/' || count(*)
		FROM ours o FULL JOIN plain p ON coalesce(o.app, '-') = coalesce(p.app, '-')")" \
	"$(q -c "SELECT count(*) || '/' || count(*) FROM plain")"
check "every download credited once" "$(q -c "SELECT sum(conversions) FROM ours")" 227
# for the record: how often the last click of the same device is the click
# TalkingData attributed the download to (same app)
echo "figures: $(q -c "SELECT count(*) FILTER (WHERE t.touch = c.app::text) || ' of ' || count(*) || ' downloads go to the app of the click TalkingData attributed them to; '
	|| count(*) FILTER (WHERE t.touch IS NULL) || ' have no click of that device within 7 days in this 100,000-row sample'
	FROM clicks c
	LEFT JOIN LATERAL (SELECT a.touch FROM (SELECT journey_agg(ts, kind, touch) AS j FROM journey_events e
	                   WHERE e.ip = c.ip AND e.device = c.device AND e.os = c.os) u, attribute(u.j, 'last_touch', '7 days', '0') a
	                   WHERE a.conversion_time = c.attributed_time LIMIT 1) t ON true
	WHERE c.is_attributed = 1")"

ie_report realdata
[ "$failed" -eq 0 ]
