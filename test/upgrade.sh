#!/usr/bin/env bash
# test/upgrade.sh — ALTER EXTENSION impression_ext UPDATE from 0.1 to 0.2:
#  - values that 0.1 stored (test/data/values_0.1.sql, bytes written by the
#    0.1 library, and a rollup built by 0.1's aggregates) still read, mean
#    what they meant (reach, counts, attribution worked out by hand or by
#    exact SQL), compare equal to, hash and sort with, and union with
#    values that 0.2 builds, and survive pg_dump -Fc / pg_restore;
#  - 0.1 + the upgrade script and a fresh CREATE EXTENSION of 0.2 have the
#    same catalog: the same member objects (pg_describe_object) with the
#    same definitions (pg_dump --binary-upgrade --schema-only, which writes
#    out every member of an extension), and the comparison does see a
#    changed member.
# That every function of 0.2 works after the update is pg_regress's part:
# its setup test installs 0.1 and updates, and every test runs after it.
#
# Run by test/check.sh against its private cluster (PGHOST, PGPORT, PGUSER
# exported, the extension installed); prints "ok - ..." / "not ok - ..."
# per check and last "upgrade: N passed, M failed".
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OLD=ie_upgrade
RESTORED=ie_upgrade_restored
FRESH=ie_upgrade_fresh
UPDATED=ie_upgrade_updated
q() { ie_psql -X -v ON_ERROR_STOP=1 -tA "$@"; }

WORK=$(mktemp -d /tmp/impression_ext_upgrade.XXXXXX)
chmod 777 "$WORK"
dropdbs() {
	local db
	for db in $OLD $RESTORED $FRESH $UPDATED; do
		q -d postgres -c 'SET client_min_messages = warning' -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	done
}
cleanup() { dropdbs; rm -rf "$WORK"; }
trap cleanup EXIT
dropdbs
for db in $OLD $RESTORED $FRESH $UPDATED; do q -d postgres -c "CREATE DATABASE $db" >/dev/null; done

# ---------------------------------------------------------------------------
# 0.1 stores values: the fixed bytes of 0.1, and a rollup and journeys that
# 0.1's aggregates build here
# ---------------------------------------------------------------------------
q -d $OLD >/dev/null <<SQL
CREATE EXTENSION impression_ext VERSION '0.1';
CREATE TABLE stored_0_1 (name text PRIMARY KEY, type text NOT NULL, source text NOT NULL, value text NOT NULL);
\i $REPO_ROOT/test/data/values_0.1.sql
CREATE TABLE old_values (name text PRIMARY KEY, r reach_sketch, f frequency_sketch, j journey);
INSERT INTO old_values
SELECT name,
       CASE type WHEN 'reach_sketch' THEN value::reach_sketch END,
       CASE type WHEN 'frequency_sketch' THEN value::frequency_sketch END,
       CASE type WHEN 'journey' THEN value::journey END
FROM stored_0_1;
-- 3,000 impressions of 400 users over 3 campaigns and 5 days
CREATE TABLE events (batch int, user_id bigint, ts timestamptz, campaign text);
INSERT INTO events
SELECT 1, x % 400, timestamptz '2026-03-01 00:00+00' + (x % 5) * interval '1 day' + x * interval '1 second', 'c' || (x % 3)
FROM generate_series(1, 3000) x;
CREATE TABLE daily_0_1 AS
SELECT campaign, ts::date AS day, reach_agg(user_id) AS r, frequency_agg(user_id) AS f
FROM events GROUP BY 1, 2;
CREATE TABLE journeys_0_1 AS
SELECT user_id, journey_agg(ts, 'impression', campaign) AS j FROM events GROUP BY 1;
-- views over 0.1's attribute(), which 0.2 renames to attribute_0_1
CREATE VIEW attributed_0_1 AS
SELECT name, a.touch, a.touch_kind, a.credit, a.lag FROM old_values, attribute(j) a WHERE j IS NOT NULL;
CREATE VIEW attributed_linear_0_1 AS
SELECT name, a.touch, a.credit FROM old_values, attribute(j, 'linear', view_window => '4 days') a WHERE j IS NOT NULL;
SQL
view_rows="SELECT (SELECT string_agg(concat_ws(' ', name, touch, touch_kind, credit, lag), '; ' ORDER BY name, touch) FROM attributed_0_1)
	|| ' | ' || (SELECT string_agg(concat_ws(' ', name, touch, credit), '; ' ORDER BY name, touch) FROM attributed_linear_0_1)"
views_before=$(q -d $OLD -c "$view_rows")
check "0.1 installed, its values stored" \
	"$(q -d $OLD -c "SELECT extversion || ', ' || (SELECT count(*) FROM old_values) || ' values, ' || (SELECT count(*) FROM daily_0_1) || ' rollup rows' FROM pg_extension WHERE extname = 'impression_ext'")" \
	"0.1, 13 values, 15 rollup rows"

q -d $OLD -c "ALTER EXTENSION impression_ext UPDATE TO '0.2'" >/dev/null
check "updated to 0.2" \
	"$(q -d $OLD -c "SELECT extversion || ' ' || impression_ext_version() FROM pg_extension WHERE extname = 'impression_ext'")" "0.2 0.2"
check "views over 0.1's attribute() survive the update with the same rows" \
	"$(q -d $OLD -c "$view_rows")" "$views_before"
check "... and now call attribute_0_1 (0.1's signature, renamed)" \
	"$(q -d $OLD -c "SELECT pg_get_viewdef('attributed_linear_0_1') LIKE '%attribute_0_1(old_values.j, ''linear''::text, view_window => ''4 days''::interval)%'")" t
# 18 rows: post_click's click alone under each of 5 models (5); view_through's
# first conversion has 2 impressions in the 3-day window (1 row under
# last/first touch, 2 under the other three: 8), its second none (5)
check "0.2's attribute(j) and attribute_0_1(j) agree on 0.1's journeys, every model (rows compared, rows differing)" \
	"$(q -d $OLD -c "WITH m(m) AS (VALUES ('last_touch'), ('first_touch'), ('linear'), ('time_decay'), ('position_based'))
		SELECT (SELECT count(*) FROM old_values, m, attribute(j, m, '2 days', '3 days'))
		|| ' ' || (SELECT count(*) FROM old_values, m,
		LATERAL (SELECT * FROM attribute(j, m, '2 days', '3 days') EXCEPT ALL SELECT * FROM attribute_0_1(j, m, '2 days', '3 days')) d)")" "18 0"

# the fixtures' sources, run again by 0.2
q -d $OLD >/dev/null <<'SQL'
CREATE FUNCTION rebuilt(source text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
	EXECUTE 'SELECT (' || source || ')::text' INTO r;
	RETURN r;
END $$;
CREATE TABLE new_values AS
SELECT name,
       CASE type WHEN 'reach_sketch' THEN rebuilt(source)::reach_sketch END AS r,
       CASE type WHEN 'frequency_sketch' THEN rebuilt(source)::frequency_sketch END AS f,
       CASE type WHEN 'journey' THEN rebuilt(source)::journey END AS j
FROM stored_0_1;
SQL

# ---------------------------------------------------------------------------
# the old values read, and equal what 0.2 builds from the same rows
# ---------------------------------------------------------------------------
check "every 0.1 value reads back byte for byte (text output = the stored text)" \
	"$(q -d $OLD -c "SELECT count(*) FROM old_values o JOIN stored_0_1 s USING (name)
		WHERE coalesce(o.r::text, o.f::text, o.j::text) = s.value")" 13
check "every 0.1 value = the value 0.2 builds from its rows (none differs)" \
	"$(q -d $OLD -c "SELECT coalesce(string_agg(name, ' '), 'none') FROM old_values o JOIN new_values n USING (name)
		WHERE NOT coalesce(o.r = n.r, o.f = n.f, o.j = n.j)")" none
for plan in "enable_sort = off" "enable_hashagg = off"; do
	check "old and new values group together ($plan): 7 reach, 4 frequency, 2 journey groups" \
		"$(q -d $OLD -c "SET $plan" -c "SELECT (SELECT count(*) FROM (SELECT r FROM old_values WHERE r IS NOT NULL UNION SELECT r FROM new_values WHERE r IS NOT NULL) u)
			|| ' ' || (SELECT count(*) FROM (SELECT f FROM old_values WHERE f IS NOT NULL UNION SELECT f FROM new_values WHERE f IS NOT NULL) u)
			|| ' ' || (SELECT count(*) FROM (SELECT j FROM old_values WHERE j IS NOT NULL UNION SELECT j FROM new_values WHERE j IS NOT NULL) u)")" "7 4 2"
done
check "old values order like the new ones (the sorted names agree)" \
	"$(q -d $OLD -c "SELECT (SELECT string_agg(name, ' ' ORDER BY r, name) FROM old_values WHERE r IS NOT NULL)
		= (SELECT string_agg(name, ' ' ORDER BY r, name) FROM new_values WHERE r IS NOT NULL)")" t

# what the old values mean, worked out independently of the sketches
check "0.1 sparse reach sketches are exact: 0, 100, 3 and 300 users" \
	"$(q -d $OLD -c "SELECT string_agg(name || '=' || reach(r), ' ' ORDER BY name) FROM old_values WHERE name IN ('reach_empty', 'reach_sparse_int', 'reach_sparse_p4', 'reach_sparse_text')")" \
	"reach_empty=0 reach_sparse_int=100 reach_sparse_p4=3 reach_sparse_text=300"
check "0.1 dense reach sketches are within 3 standard errors of 20,000, 5,000 and 20,000" \
	"$(q -d $OLD -c "SELECT string_agg(name || ' ' || (abs(reach(r) - n) <= 3 * (reach_sketch_info(r)->>'relative_standard_error')::float8 * n), ', ' ORDER BY name)
		FROM old_values JOIN (VALUES ('reach_hll_only_p10', 20000), ('reach_packed_p10', 20000), ('reach_packed_p8_uuid', 5000)) t(name, n) USING (name)")" \
	"reach_hll_only_p10 true, reach_packed_p10 true, reach_packed_p8_uuid true"
check "0.1 hll_only sketch exports the registers 0.2 exports" \
	"$(q -d $OLD -c "SELECT reach_sketch_to_hll(r) = (SELECT reach_sketch_to_hll(reach_agg(x, 10)) FROM generate_series(1, 20000) x) FROM old_values WHERE name = 'reach_hll_only_p10'")" t

# unions of old values with values 0.2 builds
check "0.1 sparse (1..100) || 0.2 sparse (51..250) reaches 250" \
	"$(q -d $OLD -c "SELECT reach(r || (SELECT reach_agg(x) FROM generate_series(51, 250) x)) FROM old_values WHERE name = 'reach_sparse_int'")" 250
check "0.1 packed (1..20000) || 0.2 packed (10001..30000) = the sketch of 1..30000" \
	"$(q -d $OLD -c "SELECT r || (SELECT reach_agg(x, 10) FROM generate_series(10001, 30000) x) = (SELECT reach_agg(x, 10) FROM generate_series(1, 30000) x)
		FROM old_values WHERE name = 'reach_packed_p10'")" t
check "0.1 p = 8 || 0.2 p = 14 folds to p = 8 and equals the p = 8 sketch of both" \
	"$(q -d $OLD -c "SELECT reach_sketch_info(u)->>'precision' || ' ' || (u = (SELECT reach_agg(md5(x::text)::uuid, 8) FROM generate_series(1, 7500) x))
		FROM (SELECT r || (SELECT reach_agg(md5(x::text)::uuid) FROM generate_series(2501, 7500) x) AS u FROM old_values WHERE name = 'reach_packed_p8_uuid') s")" "8 true"
check "0.1 frequency sketches: exact reach and impressions (200/1000; text counts as exact SQL)" \
	"$(q -d $OLD -c "SELECT (SELECT reach(f) || '/' || impressions(f) FROM old_values WHERE name = 'frequency_exact')
		|| ' ' || ((SELECT reach(f) || '/' || impressions(f) FROM old_values WHERE name = 'frequency_counts_text')
		= (SELECT count(DISTINCT 'u' || (x % 50)) || '/' || sum(x % 4) FROM generate_series(1, 400) x WHERE x % 4 <> 0))")" "200/1000 true"
check "0.1 frequency (1000 rows) || 0.2 frequency (600 rows): the histogram of the 1,600 rows' exact counts" \
	"$(q -d $OLD -c "WITH rows AS (SELECT x % 200 AS u FROM generate_series(1, 1000) x UNION ALL SELECT x % 300 FROM generate_series(1, 600) x),
			per_user AS (SELECT u, least(count(*), 10) AS n FROM rows GROUP BY u),
			exact AS (SELECT n::int AS frequency, count(*) AS reach FROM per_user GROUP BY n),
			sketch AS (SELECT h.frequency, h.reach FROM old_values, frequency_histogram(f || (SELECT frequency_agg(x % 300) FROM generate_series(1, 600) x)) h
			           WHERE name = 'frequency_exact' AND h.reach > 0)
		SELECT (SELECT string_agg(frequency || ':' || reach, ' ' ORDER BY frequency) FROM sketch)
		    || ' | ' || (SELECT string_agg(frequency || ':' || reach, ' ' ORDER BY frequency) FROM exact)")" \
	"2:100 7:200 | 2:100 7:200"
check "0.1 sampling sketch (k = 16) || 0.2 one = the sketch of both inputs" \
	"$(q -d $OLD -c "SELECT f || (SELECT frequency_agg(x % 700, 1, 16) FROM generate_series(300, 1500) x)
		= (SELECT frequency_agg(u, 1, 16) FROM (SELECT x % 500 AS u FROM generate_series(1, 1000) x UNION ALL SELECT x % 700 FROM generate_series(300, 1500) x) s)
		FROM old_values WHERE name = 'frequency_sampled_k16'")" t

# journeys, attributed by hand: post_click converts at 01-02 09:00 after an
# impression (a, 10:00), a click (b, 11:00) and an impression (c, 12:00) the
# day before: the click wins, lag 22 h, value 49.5.  view_through converts
# at 02-01 20:00 twelve hours after impressions of a and b at the same
# instant (last touch: b, which sorts after a by text; linear: half each),
# and again on 02-05, four days later, beyond the view window: unattributed.
check "0.1 journey, last touch: the click (hand-worked)" \
	"$(q -d $OLD -c "SELECT string_agg(touch || ' ' || touch_kind || ' ' || credit || ' ' || value || ' ' || lag, '; ') FROM old_values, attribute(j) WHERE name = 'journey_post_click'")" \
	"camp_b click 1 49.5 22:00:00"
check "0.1 journey, view-through: last touch b, then unattributed (hand-worked)" \
	"$(q -d $OLD -c "SELECT string_agg(coalesce(touch, 'none') || ' ' || credit || ' ' || coalesce(lag::text, '-'), '; ' ORDER BY conversion_time, touch) FROM old_values, attribute(j) WHERE name = 'journey_view_through'")" \
	"camp_b 1 12:00:00; none 1 -"
check "0.1 journey, view-through, linear: a and b half each (hand-worked)" \
	"$(q -d $OLD -c "SELECT string_agg(coalesce(touch, 'none') || ' ' || credit, '; ' ORDER BY conversion_time, touch) FROM old_values, attribute(j, 'linear') WHERE name = 'journey_view_through'")" \
	"camp_a 0.5; camp_b 0.5; none 1"
check "0.1 journey || 0.2 journey = the journey of all the events" \
	"$(q -d $OLD -c "SELECT j || (SELECT journey_agg(timestamptz '2026-01-03 10:00+00', 'conversion', NULL, 5))
		= (SELECT journey_agg(ts, kind, touch, val) FROM (VALUES
			(timestamptz '2026-01-01 10:00+00', 'impression', 'camp_a', NULL::float8), ('2026-01-01 11:00+00', 'click', 'camp_b', NULL),
			('2026-01-01 12:00+00', 'impression', 'camp_c', NULL), ('2026-01-02 09:00+00', 'conversion', NULL, 49.5),
			('2026-01-03 10:00+00', 'conversion', NULL, 5)) e(ts, kind, touch, val))
		FROM old_values WHERE name = 'journey_post_click'")" t

# the rollup 0.1 built, topped up by 0.2 with new events (batch 2)
q -d $OLD >/dev/null <<'SQL'
INSERT INTO events
SELECT 2, 300 + x % 200, timestamptz '2026-03-04 00:00+00' + (x % 3) * interval '1 day' + x * interval '1 second', 'c' || (x % 3)
FROM generate_series(1, 1000) x;
SQL
check "0.1 rollup || 0.2 sketches of new events = reach and 3+ reach of all events per campaign (exact SQL)" \
	"$(q -d $OLD -c "WITH new_daily AS (
			SELECT campaign, ts::date AS day, reach_agg(user_id) AS r, frequency_agg(user_id) AS f FROM events WHERE batch = 2 GROUP BY 1, 2),
		merged AS (
			SELECT campaign, reach(reach_union_agg(r)) AS reach, reach_at_least(frequency_union_agg(f), 3) AS r3
			FROM (SELECT campaign, r, f FROM daily_0_1 UNION ALL SELECT campaign, r, f FROM new_daily) s GROUP BY 1),
		exact AS (
			SELECT campaign, count(*) AS reach, count(*) FILTER (WHERE n >= 3) AS r3
			FROM (SELECT campaign, user_id, count(*) AS n FROM events GROUP BY 1, 2) s GROUP BY 1)
		SELECT count(*) || ' campaigns, ' || count(*) FILTER (WHERE m.reach = e.reach AND m.r3 = e.r3) || ' equal, '
		    || sum(e.reach) || ' users, ' || sum(e.r3) || ' at 3+'
		FROM merged m JOIN exact e USING (campaign)")" "3 campaigns, 3 equal, $(q -d $OLD -c "SELECT count(DISTINCT (campaign, user_id)) || ' users, ' || (SELECT count(*) FROM (SELECT 1 FROM events GROUP BY campaign, user_id HAVING count(*) >= 3) s) || ' at 3+' FROM events")"

# ---------------------------------------------------------------------------
# pg_dump -Fc of the updated database restores to 0.2 with the same bytes
# ---------------------------------------------------------------------------
checksum="SELECT md5(string_agg(name || coalesce(r::text, f::text, j::text), ',' ORDER BY name)) || md5((SELECT string_agg(campaign || day || r::text || f::text, ',' ORDER BY campaign, day) FROM daily_0_1)) FROM old_values"
before=$(q -d $OLD -c "$checksum")
ie_as_postgres "$PG_BIN/pg_dump" -h "$PGHOST" -p "$PGPORT" -U postgres -Fc -f "$WORK/old.dump" $OLD
ie_as_postgres "$PG_BIN/pg_restore" -h "$PGHOST" -p "$PGPORT" -U postgres -d $RESTORED --exit-on-error "$WORK/old.dump"
check "pg_dump / pg_restore of the updated database: version 0.2, values byte-identical" \
	"$(q -d $RESTORED -c "SELECT extversion FROM pg_extension WHERE extname = 'impression_ext'") $(q -d $RESTORED -c "$checksum")" "0.2 $before"
check "restored 0.1 values still work" \
	"$(q -d $RESTORED -c "SELECT reach(r) FROM old_values WHERE name = 'reach_sparse_int'")" 100
check "restored views over 0.1's attribute() give the same rows" \
	"$(q -d $RESTORED -c "$view_rows")" "$views_before"

# ---------------------------------------------------------------------------
# the catalog: CREATE EXTENSION (0.2) = 0.1 + ALTER EXTENSION UPDATE
# ---------------------------------------------------------------------------
# the first lines of a diff, or "no differences"
differences() {
	local d
	d=$(diff "$1" "$2" | head -5)
	echo "${d:-no differences}"
}
q -d $FRESH -c "CREATE EXTENSION impression_ext" >/dev/null
q -d $UPDATED -c "CREATE EXTENSION impression_ext VERSION '0.1'" -c "ALTER EXTENSION impression_ext UPDATE" >/dev/null
members="SELECT pg_describe_object(classid, objid, objsubid) FROM pg_depend
	WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
	  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'impression_ext') ORDER BY 1"
q -d $FRESH -c "$members" >"$WORK/members.fresh"
q -d $UPDATED -c "$members" >"$WORK/members.updated"
check "the same member objects ($(wc -l <"$WORK/members.fresh") in a fresh 0.2)" \
	"$(differences "$WORK/members.fresh" "$WORK/members.updated")" "no differences"
# --binary-upgrade writes every member of an extension in full; the OIDs
# it preserves and psql's per-dump \restrict key are the only differences
# two equal catalogs can have
definitions() {
	ie_as_postgres "$PG_BIN/pg_dump" -h "$PGHOST" -p "$PGPORT" -U postgres --schema-only --binary-upgrade "$1" |
		grep -vE '^(SELECT pg_catalog\.binary_upgrade_set_next_|\\(un)?restrict )'
}
definitions $FRESH >"$WORK/defs.fresh"
definitions $UPDATED >"$WORK/defs.updated"
check "the same definitions ($(grep -cE '^CREATE (FUNCTION|AGGREGATE|TYPE|OPERATOR|CAST)' "$WORK/defs.fresh") CREATE statements)" \
	"$(differences "$WORK/defs.fresh" "$WORK/defs.updated")" "no differences"
# the comparison sees a changed member, so it can fail
q -d $UPDATED -c "ALTER FUNCTION reach(reach_sketch) COST 2" >/dev/null
definitions $UPDATED >"$WORK/defs.changed"
check "a changed member shows in the comparison" \
	"$(diff "$WORK/defs.fresh" "$WORK/defs.changed" | grep -c '^[<>]')" 2

ie_report upgrade
