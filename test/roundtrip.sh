#!/usr/bin/env bash
# test/roundtrip.sh — values survive pg_dump -Fc / pg_restore and COPY (text
# and binary) byte for byte, and a database owner who is not a superuser can
# create and use the extension (it is trusted).
#
# Run by test/check.sh against its private cluster (PGHOST, PGPORT and
# PGUSER exported, the extension installed); prints "ok - ..." or
# "not ok - ..." per check and, last, "roundtrip: N passed, M failed".
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

q() { ie_psql -X -v ON_ERROR_STOP=1 -tA "$@"; }

WORK=$(mktemp -d /tmp/impression_ext_roundtrip.XXXXXX)
chmod 777 "$WORK"
cleanup() {
	q -d postgres -c 'DROP DATABASE IF EXISTS ie_roundtrip' -c 'DROP DATABASE IF EXISTS ie_roundtrip_restored' \
		-c 'DROP DATABASE IF EXISTS ie_owned' -c 'DROP ROLE IF EXISTS ie_owner' >/dev/null 2>&1
	rm -rf "$WORK"
}
trap cleanup EXIT
cleanup
mkdir -p "$WORK" && chmod 777 "$WORK"

# ---------------------------------------------------------------------------
# a database with a column of every type: empty, small, sparse, dense (every
# precision class), sampling frequency sketches, journeys of every size
# ---------------------------------------------------------------------------
q -d postgres -c 'CREATE DATABASE ie_roundtrip' >/dev/null
q -d ie_roundtrip >/dev/null <<'SQL'
CREATE EXTENSION impression_ext;
CREATE TABLE sketches (id int PRIMARY KEY, r reach_sketch, f frequency_sketch, j journey);
INSERT INTO sketches
SELECT n, reach_agg(x, 4 + n % 15), frequency_agg(x % (n * 7 + 1), 1, 16 << (n % 8)),
       journey_agg(timestamptz '2026-03-01' + x * interval '37 minutes', (ARRAY['impression', 'click', 'conversion', 'engaged_view'])[1 + x % 4],
                   CASE WHEN x % 4 > 0 THEN 'campaign ' || (x % (n + 1)) END, CASE WHEN x % 3 = 2 THEN x / 7.0 END)
FROM generate_series(1, 40) n, generate_series(1, n * n * 20) x
GROUP BY n;
INSERT INTO sketches VALUES (0, (SELECT reach_agg(1) WHERE false), (SELECT frequency_agg(1) WHERE false),
                             (SELECT journey_agg(now(), 'click', 'x') WHERE false)),
                            (-1, NULL, NULL, NULL);
-- markov chains of the journeys up to each row's (and the empty one)
ALTER TABLE sketches ADD COLUMN m markov_chain;
UPDATE sketches s SET m = (SELECT markov_agg(x.j, interval '3 days') FROM sketches x WHERE x.id BETWEEN 0 AND s.id) WHERE id >= 0;
CREATE VIEW checksums AS
SELECT md5(string_agg(id || ':' || coalesce(md5(r::bytea), '-') || coalesce(md5(f::bytea), '-') || coalesce(md5(j::bytea), '-')
	|| coalesce(md5(m::bytea), '-'), ',' ORDER BY id))
FROM sketches;
SQL
before=$(q -d ie_roundtrip -c 'SELECT * FROM checksums')
rows=$(q -d ie_roundtrip -c "SELECT count(*) || ' rows, ' || count(DISTINCT reach_sketch_info(r)->>'representation') || ' reach representations, '
	|| count(DISTINCT frequency_sketch_info(f)->>'mode') || ' frequency modes' FROM sketches")
check "test data: $rows" "$rows" "42 rows, 3 reach representations, 2 frequency modes"

# pg_dump -Fc / pg_restore into a new database
ie_as_postgres "$PG_BIN/pg_dump" -h "$PGHOST" -p "$PGPORT" -U postgres -Fc -f "$WORK/dump.fc" ie_roundtrip
q -d postgres -c 'CREATE DATABASE ie_roundtrip_restored' >/dev/null
ie_as_postgres "$PG_BIN/pg_restore" -h "$PGHOST" -p "$PGPORT" -U postgres -d ie_roundtrip_restored --exit-on-error "$WORK/dump.fc"
check "pg_dump -Fc / pg_restore: values byte-identical" "$(q -d ie_roundtrip_restored -c 'SELECT * FROM checksums')" "$before"
check "restored values still work" \
	"$(q -d ie_roundtrip_restored -c "SELECT reach(r) = reach(r::bytea::reach_sketch) AND reach(f) >= 0 AND journey_info(j)->>'events' IS NOT NULL
		AND (SELECT count(*) FROM markov_attribution(m)) > 1 FROM sketches WHERE id = 30")" t

# COPY out and in, text and binary
for format in text binary; do
	q -d ie_roundtrip -c "COPY sketches TO '$WORK/sketches.$format' WITH (FORMAT $format)" >/dev/null
	q -d ie_roundtrip -c 'CREATE TABLE copied (LIKE sketches)' \
		-c "COPY copied FROM '$WORK/sketches.$format' WITH (FORMAT $format)" >/dev/null
	got=$(q -d ie_roundtrip -c "SELECT md5(string_agg(id || ':' || coalesce(md5(r::bytea), '-') || coalesce(md5(f::bytea), '-') || coalesce(md5(j::bytea), '-')
		|| coalesce(md5(m::bytea), '-'), ',' ORDER BY id)) FROM copied")
	check "COPY ($format) out and in: values byte-identical" "$got" "$before"
	q -d ie_roundtrip -c 'DROP TABLE copied' >/dev/null
done

# ---------------------------------------------------------------------------
# a database owner who is not a superuser creates and uses the extension
# ---------------------------------------------------------------------------
q -d postgres -c 'CREATE ROLE ie_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE' \
	-c 'CREATE DATABASE ie_owned OWNER ie_owner' >/dev/null
owner_out=$(ie_psql -X -tA -U ie_owner -d ie_owned -v ON_ERROR_STOP=1 2>&1 <<'SQL'
SELECT rolsuper FROM pg_roles WHERE rolname = current_user;
CREATE EXTENSION impression_ext;
CREATE TABLE ev (user_id bigint, ts timestamptz, kind text, campaign text, revenue float8);
INSERT INTO ev SELECT x % 50, timestamptz '2026-03-01' + x * interval '1 hour', (ARRAY['impression', 'click', 'conversion'])[1 + x % 3],
	'c' || x % 4, CASE WHEN x % 3 = 2 THEN 10 END FROM generate_series(1, 300) x;
SELECT reach(reach_agg(user_id)), reach(frequency_agg(user_id)), ctr(100, 1000) FROM ev;
SELECT sum(a.credit) = (SELECT count(*) FROM ev WHERE kind = 'conversion')
FROM (SELECT user_id, journey_agg(ts, kind, campaign, revenue) AS j FROM ev GROUP BY user_id) u, attribute(u.j) a;
SQL
)
check "a non-superuser database owner creates and uses the extension" "$(echo "$owner_out" | tr '\n' ' ')" "f 50|50|0.1 t "

ie_report roundtrip
[ "$failed" -eq 0 ]
