#!/usr/bin/env bash
# test/markov.sh — markov_agg and markov_attribution against an independent
# implementation (test/reference/markov_reference.py: its own paths from
# the raw events, and an exact solve with fractions for every removed
# channel, without the one-factorization shortcut the extension uses), on
# generated journeys of every kind; and byte-identical chains for any
# split, merge order and parallel plan.
#
# Run by test/check.sh against its private cluster; prints "ok - ..." /
# "not ok - ..." per check and last "markov: N passed, M failed".
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB=ie_markov
q() { ie_psql -X -v ON_ERROR_STOP=1 -tA -d $DB "$@"; }
WORK=$(mktemp -d /tmp/impression_ext_markov.XXXXXX)
chmod 777 "$WORK"
cleanup() {
	ie_psql -X -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
cleanup
mkdir -p "$WORK" && chmod 777 "$WORK"
ie_psql -X -d postgres -c "CREATE DATABASE $DB" >/dev/null

# 400 users, 7 channels (one, 'dead', only ever followed by nothing: it
# appears only last in non-converting paths), 0-12 events each over 60
# days, whole seconds; conversion values in quarters (exact in binary)
q >/dev/null <<'SQL'
CREATE EXTENSION impression_ext;
CREATE TABLE ev AS
WITH raw AS (
	SELECT u, k,
	       (hashint4(u * 131 + k) & 2147483647) AS h1,
	       (hashint4(u * 131 + k + 100000) & 2147483647) AS h2
	FROM generate_series(1, 400) u, generate_series(1, 12) k
	WHERE k <= (hashint4(u) & 2147483647) % 13)
SELECT u AS user_id,
       (h1 % (60 * 86400))::bigint * 1000000 AS usec,
       CASE WHEN h2 % 10 < 4 THEN 'impression' WHEN h2 % 10 < 5 THEN 'engaged_view'
            WHEN h2 % 10 < 8 THEN 'click' ELSE 'conversion' END AS kind,
       CASE WHEN h2 % 10 >= 8 THEN NULL WHEN (h2 / 10) % 17 = 0 THEN NULL
            ELSE 'ch' || ((h2 / 10) % 6) END AS touch,
       CASE WHEN h2 % 10 >= 8 AND (h2 / 100) % 4 > 0 THEN ((h2 / 1000) % 400) / 4.0 END AS value
FROM raw;
-- 'dead': a last touch after everything else, in 30 users' journeys
INSERT INTO ev SELECT user_id, max(usec) + 1000000, 'impression', 'dead', NULL FROM ev
WHERE user_id % 13 = 0 GROUP BY user_id;
CREATE TABLE journeys AS
SELECT user_id, journey_agg(timestamptz '2000-01-01 00:00+00' + usec * interval '1 microsecond', kind, touch, value) AS j
FROM ev GROUP BY user_id;
SQL
q -c "COPY (SELECT user_id, usec, kind, touch, value FROM ev) TO STDOUT WITH (FORMAT csv)" >"$WORK/events.csv"

# compare: same channels, every number within 1e-9 relative (exact vs LU)
compare() {
	python3 - "$1" "$2" <<'PY'
import sys
def rows(p):
    out = {}
    for line in open(p):
        t, *v = line.strip().rsplit(",", 3)
        out[t] = [float(x) for x in v]
    return out
a, b = rows(sys.argv[1]), rows(sys.argv[2])
if sorted(a) != sorted(b):
    print("channels differ: %s vs %s" % (sorted(a), sorted(b)))
    sys.exit()
worst = max((abs(x - y) / max(1.0, abs(y)) for t in a for x, y in zip(a[t], b[t])), default=0)
nonzero = sum(1 for t in a if a[t][0] > 0)
print("%d channels, %d with credit, agree" % (len(a), nonzero) if worst < 1e-9 else "worst difference %g" % worst)
PY
}
for lb in "30 days:2592000000000" "2 days:172800000000" "0:0"; do
	name=${lb%%:*}
	usec=${lb##*:}
	python3 "$REPO_ROOT/test/reference/markov_reference.py" "$usec" <"$WORK/events.csv" >"$WORK/ref.csv"
	q -c "SELECT touch || ',' || removal_effect || ',' || conversions || ',' || value
		FROM markov_attribution((SELECT markov_agg(j, interval '$name') FROM journeys))" >"$WORK/ext.csv"
	want=$(python3 -c "import sys; rows=[l.split(',') for l in open(sys.argv[1])]; print('%d channels, %d with credit, agree' % (len(rows), sum(1 for r in rows if float(r[1]) > 0)))" "$WORK/ref.csv")
	check "lookback $name: markov_attribution = the exact reference (touch, removal effect, conversions, value)" \
		"$(compare "$WORK/ext.csv" "$WORK/ref.csv")" "$want"
done
check "the reference's test has teeth: 7 channels, 6 with credit at 30 days ('dead' leads only to null)" \
	"$(python3 "$REPO_ROOT/test/reference/markov_reference.py" 2592000000000 <"$WORK/events.csv" | awk -F, '{ n++; if ($2 > 0) c++ } END { print n, c }')" "7 6"

check "the credit columns sum to the converting paths and the total value" \
	"$(q -c "SELECT round(sum(a.conversions)::numeric, 6) = (m->>'converting_paths')::numeric
		AND round(sum(a.value)::numeric, 6) = round((m->>'value')::numeric, 6)
		FROM (SELECT markov_agg(j) AS c FROM journeys) s, markov_chain_info(s.c) m, markov_attribution(s.c) a GROUP BY m")" t

# byte-identical chains: any split, any merge order, parallel or not
q >/dev/null <<'SQL'
CREATE TABLE parts AS SELECT user_id % 3 AS p, markov_agg(j) AS m FROM journeys GROUP BY 1;
SQL
whole=$(q -c "SELECT md5(markov_agg(j)::text) FROM journeys")
check "split in 3 and merged with || in two orders = the whole, byte for byte" \
	"$(q -c "SELECT md5((((SELECT m FROM parts WHERE p = 0) || (SELECT m FROM parts WHERE p = 1)) || (SELECT m FROM parts WHERE p = 2))::text)
		|| ' ' || md5(((SELECT m FROM parts WHERE p = 2) || ((SELECT m FROM parts WHERE p = 1) || (SELECT m FROM parts WHERE p = 0)))::text)")" \
	"$whole $whole"
par=(-c "SET parallel_setup_cost = 0" -c "SET parallel_tuple_cost = 0" -c "SET min_parallel_table_scan_size = 0"
	-c "SET max_parallel_workers_per_gather = 4" -c "SET parallel_leader_participation = off")
check "the parallel plan combines partial aggregates" \
	"$(q "${par[@]}" -c "EXPLAIN (COSTS OFF) SELECT markov_agg(j) FROM journeys" | grep -c 'Partial Aggregate')" 1
check "a parallel plan (4 workers, partial aggregates combined) = the serial chain" \
	"$(q "${par[@]}" -c "SELECT md5(markov_agg(j)::text) FROM journeys")" "$whole"
check "text and bytea round trips keep the bytes; = and GROUP BY see equal chains as one" \
	"$(q -c "SELECT (SELECT count(DISTINCT m) FROM (SELECT markov_agg(j) AS m FROM journeys UNION ALL
		SELECT (markov_agg(j)::text)::markov_chain FROM journeys UNION ALL SELECT (markov_agg(j)::bytea)::markov_chain FROM journeys) s)
		|| ' ' || (SELECT count(*) FROM (SELECT markov_agg(j) AS m FROM journeys UNION SELECT (markov_agg(j)::bytea)::markov_chain FROM journeys) s)")" "1 1"

ie_report markov
