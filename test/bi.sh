#!/usr/bin/env bash
# test/bi.sh — the rollup and BI views of test/bi_views.sql, read the way
# BI tools read them: through libpq (psql) and Python's psycopg2 (Debian's
# python3-psycopg2); both must see the same numbers, and the numbers must
# match the raw events.
#
# Run by test/check.sh against its private cluster (PGHOST, PGPORT, PGUSER
# exported, the extension installed).  Prints "ok - ..." / "not ok - ..."
# per check and last "bi: N passed, M failed".
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB=ie_bi
q() { ie_psql -X -v ON_ERROR_STOP=1 -tA -d "$DB" "$@"; }
WORK=$(mktemp -d /tmp/impression_ext_bi.XXXXXX)
cleanup() {
	ie_psql -X -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
ie_psql -X -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB" >/dev/null
q -c 'CREATE EXTENSION impression_ext' >/dev/null
"$REPO_ROOT/test/data/load.sh" -d "$DB" -- --events 200000 --users 40000 --campaigns 8 --days 10 >/dev/null 2>&1 ||
	{ echo "not ok - loading events failed"; echo "bi: 0 passed, 1 failed"; exit 1; }
q -q -f "$REPO_ROOT/test/bi_views.sql" >/dev/null

# BI views: plain columns only, every column commented
check "BI views: every column has a comment, none is a sketch, journey or bytea" \
	"$(q -c "SELECT count(*) FILTER (WHERE col_description(a.attrelid, a.attnum) IS NULL) || ' uncommented, '
		|| count(*) FILTER (WHERE a.atttypid IN ('reach_sketch'::regtype, 'frequency_sketch'::regtype, 'journey'::regtype, 'bytea'::regtype)) || ' binary, '
		|| count(*) || ' columns'
		FROM pg_attribute a WHERE a.attrelid IN ('bi_campaign_daily'::regclass, 'bi_campaign_total'::regclass,
			'bi_campaign_daily_shared'::regclass) AND a.attnum > 0")" \
	"0 uncommented, 0 binary, 46 columns"

# the same numbers through libpq (psql, CSV) and psycopg2
for view in bi_campaign_total bi_campaign_daily; do
	order="campaign_id"
	[ $view = bi_campaign_daily ] && order="campaign_id, day"
	ie_psql -X -v ON_ERROR_STOP=1 -d "$DB" --csv -c "SELECT * FROM $view ORDER BY $order" >"$WORK/$view.psql.csv"
	# Debian's interpreter: the one python3-psycopg2 installs into
	/usr/bin/python3 - "$view" "$order" "$WORK/$view.psql.csv" >"$WORK/$view.cmp" 2>&1 <<'PY'
import csv, decimal, math, os, sys
import psycopg2

view, order, path = sys.argv[1:4]
conn = psycopg2.connect(host=os.environ["PGHOST"], port=os.environ["PGPORT"], user=os.environ["PGUSER"], dbname="ie_bi")
cur = conn.cursor()
cur.execute(f"SELECT * FROM {view} ORDER BY {order}")
rows = cur.fetchall()
names = [d[0] for d in cur.description]
with open(path, newline="") as f:
    reader = csv.reader(f)
    header = next(reader)
    text_rows = list(reader)
problems = 0
if header != names or len(text_rows) != len(rows):
    print("shape differs:", header, names, len(text_rows), len(rows))
    problems += 1
for r, t in zip(rows, text_rows):
    for name, v, s in zip(names, r, t):
        if v is None or s == "":
            same = v is None and s == ""
        elif isinstance(v, float):
            w = float(s)
            same = v == w or math.isclose(v, w, rel_tol=1e-15)
        elif isinstance(v, decimal.Decimal):
            same = v == decimal.Decimal(s)
        else:
            same = str(v) == s
        if not same:
            problems += 1
            if problems <= 5:
                print(f"{name}: psycopg2 {v!r} vs psql {s!r}")
print(f"{len(rows)} rows x {len(names)} columns, {problems} differences")
PY
	check "$view: psycopg2 and psql read the same numbers ($(tail -1 "$WORK/$view.cmp"))" \
		"$(tail -1 "$WORK/$view.cmp" | sed 's/^\([1-9][0-9]*\) rows x .* columns, /N rows, /')" "N rows, 0 differences"
	head -3 "$WORK/$view.cmp" | grep -v differences
done

# the numbers are the raw events' numbers
check "impressions, clicks and cost per campaign = the raw events'" \
	"$(q -c "SELECT count(*) FILTER (WHERE b.impressions = r.i AND b.clicks = r.c AND b.cost = round(r.cost, 2)) || '/' || count(*)
		FROM bi_campaign_total b JOIN (SELECT campaign_id, count(*) FILTER (WHERE kind = 'impression') AS i,
			count(*) FILTER (WHERE kind = 'click') AS c, sum(cost) AS cost FROM events WHERE campaign_id IS NOT NULL GROUP BY 1) r USING (campaign_id)")" "8/8"
check "reach per campaign within 3 % of count(DISTINCT user_id); 3+ reach within 5 %" \
	"$(q -c "SELECT count(*) FILTER (WHERE abs(b.reach - r.u) <= 0.03 * r.u AND abs(b.reach_3_plus - r.u3) <= 0.05 * r.u3) || '/' || count(*)
		FROM bi_campaign_total b JOIN (SELECT campaign_id, count(*) AS u, count(*) FILTER (WHERE n >= 3) AS u3
			FROM (SELECT campaign_id, user_id, count(*) AS n FROM events WHERE kind = 'impression' GROUP BY 1, 2) t GROUP BY 1) r USING (campaign_id)")" "8/8"
check "daily rows add up to the totals (impressions, clicks, conversions)" \
	"$(q -c "SELECT count(*) FILTER (WHERE t.impressions = d.i AND t.clicks = d.c AND t.post_click_conversions = d.pc
		AND t.post_impression_conversions = d.pi) || '/' || count(*)
		FROM bi_campaign_total t JOIN (SELECT campaign_id, sum(impressions) AS i, sum(clicks) AS c, sum(post_click_conversions) AS pc,
			sum(post_impression_conversions) AS pi FROM bi_campaign_daily GROUP BY 1) d USING (campaign_id)")" "8/8"
# post-click conversions against one plain-SQL probe per conversion
check "post-click conversions in all = plain SQL (a click of any campaign within 7 days)" \
	"$(q -c "SELECT (SELECT sum(post_click_conversions) FROM bi_campaign_total)::bigint = count(*) FILTER (WHERE EXISTS (
		SELECT 1 FROM events e WHERE e.user_id = c.user_id AND e.kind = 'click' AND e.ts <= c.ts AND e.ts >= c.ts - interval '7 days'))
		FROM events c WHERE c.kind = 'conversion'")" t

# new events change the views once merged into the incremental rollup
# (the conversions' rollup is refreshed, without blocking readers)
before=$(q -c "SELECT sum(impressions) FROM bi_campaign_total")
q -c "INSERT INTO events SELECT user_id, ts, kind, campaign_id, cost, revenue FROM events WHERE kind = 'impression' LIMIT 1000" >/dev/null
check "1,000 more impressions: the views do not show them before the merge" \
	"$(q -c "SELECT sum(impressions) - $before FROM bi_campaign_total")" 0
q -c 'CALL campaign_daily_merge()' -c 'REFRESH MATERIALIZED VIEW CONCURRENTLY campaign_daily_conversions' >/dev/null
check "after CALL campaign_daily_merge() the totals follow" \
	"$(q -c "SELECT sum(impressions) - $before FROM bi_campaign_total")" 1000

# the shareable view: two new campaign x day rows of 30 and 40 people (60
# together: people 21-30 are in both) are folded into one remainder row
q -c "INSERT INTO events (user_id, ts, kind, campaign_id, cost)
		SELECT 900000000 + u, timestamptz '2027-01-01 12:00+00' + c * interval '1 day', 'impression', c, 0.01
		FROM generate_series(1, 2) c, generate_series(CASE c WHEN 1 THEN 1 ELSE 21 END, CASE c WHEN 1 THEN 30 ELSE 60 END) u" \
	-c 'CALL campaign_daily_merge()' >/dev/null
check "bi_campaign_daily_shared: rows shown have 50 people or more, the 2 small ones folded, counts add up" \
	"$(q -c "SELECT bool_and(s.reach >= 50 AND r.n >= 50) FILTER (WHERE s.campaign_id IS NOT NULL)
		AND (SELECT count(*) FROM campaign_daily) - count(*) FILTER (WHERE s.campaign_id IS NOT NULL) = 2
		AND sum(s.impressions) = (SELECT sum(impressions) FROM campaign_daily)
		AND sum(s.clicks) = (SELECT sum(clicks) FROM campaign_daily) AND sum(s.cost) = (SELECT sum(cost) FROM campaign_daily)
		FROM bi_campaign_daily_shared s LEFT JOIN (SELECT campaign_id, (ts AT TIME ZONE 'UTC')::date AS day, count(DISTINCT user_id) AS n
			FROM events WHERE kind = 'impression' GROUP BY 1, 2) r USING (campaign_id, day)")" t
check "bi_campaign_daily_shared: the remainder row holds the 70 impressions and the 60 people of the folded rows" \
	"$(q -c "SELECT impressions || ' impressions, ' || reach || ' people' FROM bi_campaign_daily_shared WHERE campaign_id IS NULL")" \
	"70 impressions, 60 people"

ie_report bi
[ "$failed" -eq 0 ]
