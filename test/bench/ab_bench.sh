#!/usr/bin/env bash
# test/bench/ab_bench.sh — the same queries on two builds of the library,
# side by side in one run: did a change make building or reading slower?
#
#   test/bench/ab_bench.sh REV_A REV_B      e.g. 25c8bc7 HEAD
#
# Each revision's library is built from `git archive REV` (the SQL objects
# are the working tree's, installed once; only the C differs) and installed
# as impression_ext_ab_a.so / _ab_b.so beside the real one.  Two databases
# of a private cluster get the extension, with every C function pointed at
# their build (pg_proc.probin), and the same events (test/data/load.sh;
# IE_AB_GEN_ARGS, default 2M events, 400,000 users, 50 campaigns, 30
# days) and campaign x day rollup.  Then RUNS rounds (default 7): each
# round runs every query once on each build, A first in odd rounds and B
# first in even ones; each run is its own session (psql's \timing, after a
# first statement loads the library).  Prints per query the median of each
# build, B/A, and the spread (min-max) of each.  Timings only: the results
# are the same bytes (the tests say so), which the script checks once per
# query by comparing A's and B's output.
#
# Environment: RUNS, IE_AB_GEN_ARGS, IE_AB_PORT (default 54480).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=../lib.sh
source "$here/../lib.sh"

(($# == 2)) || ie_die "usage: $0 REV_A REV_B"
REV_A=$(git -C "$REPO_ROOT" rev-parse --short "$1")
REV_B=$(git -C "$REPO_ROOT" rev-parse --short "$2")
RUNS=${RUNS:-7}
PORT=${IE_AB_PORT:-54480}
read -r -a GEN_ARGS <<<"${IE_AB_GEN_ARGS:---events 2000000 --users 400000 --campaigns 50 --days 30}"
WORK=$(mktemp -d /tmp/ab_bench.XXXXXX)
chmod 755 "$WORK"
# the SQL objects (and the real library) of the working tree
ie_build_install
PKGLIB=$PG_PKGLIBDIR

# build REV's library into $WORK/REV and install it as impression_ext_ab_NAME.so
build_library() {
	local rev=$1 name=$2 src=$WORK/$1
	mkdir -p "$src"
	git -C "$REPO_ROOT" archive "$rev" | tar -x -C "$src"
	ie_log "building $rev"
	make -s -C "$src" PG_CONFIG="$PG_CONFIG" >/dev/null
	cp "$src/impression_ext.so" "$PKGLIB/impression_ext_ab_$name.so.tmp"
	mv "$PKGLIB/impression_ext_ab_$name.so.tmp" "$PKGLIB/impression_ext_ab_$name.so"
}

# database ab_NAME: the extension on build NAME, the events and the rollup
make_database() {
	local name=$1 db=ab_$1
	ie_psql -d postgres -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
	ie_psql -d "$db" -q <<-SQL
		CREATE EXTENSION impression_ext;
		UPDATE pg_proc SET probin = '\$libdir/impression_ext_ab_$name'
		WHERE probin = '\$libdir/impression_ext';
	SQL
	"$REPO_ROOT/test/data/load.sh" -d "$db" -- "${GEN_ARGS[@]}" 2>/dev/null
	ie_psql -d "$db" -q <<-'SQL'
		SET max_parallel_workers_per_gather = 0;
		CREATE TABLE rollup AS
		SELECT campaign_id, (ts AT TIME ZONE 'UTC')::date AS day,
		       reach_agg(user_id) AS reach, frequency_agg(user_id) AS frequency
		FROM events WHERE kind = 'impression' AND campaign_id IS NOT NULL GROUP BY 1, 2;
		VACUUM ANALYZE rollup;
	SQL
}

declare -A SQL
NAMES=(reach_build reach_build_campaign frequency_build_campaign journey_build
	reach_union_campaign reach_union_all reach_of_rows frequency_union_campaign
	frequency_report_campaign frequency_histogram_all)
SQL[reach_build]="SELECT reach(reach_agg(user_id)) FROM events"
SQL[reach_build_campaign]="SELECT campaign_id, reach(reach_agg(user_id)) FROM events GROUP BY 1 ORDER BY 1"
SQL[frequency_build_campaign]="SELECT campaign_id, reach(frequency_agg(user_id)) FROM events GROUP BY 1 ORDER BY 1"
SQL[journey_build]="SELECT count(*), sum(length(j::bytea)) FROM (SELECT journey_agg(ts, kind, campaign_id::text) j FROM events GROUP BY user_id) x"
SQL[reach_union_campaign]="SELECT campaign_id, reach(reach_union_agg(reach)) FROM rollup GROUP BY 1 ORDER BY 1"
SQL[reach_union_all]="SELECT reach(reach_union_agg(reach)) FROM rollup"
SQL[reach_of_rows]="SELECT sum(reach(reach)) FROM rollup"
SQL[frequency_union_campaign]="SELECT campaign_id, reach_at_least(frequency_union_agg(frequency), 3) FROM rollup GROUP BY 1 ORDER BY 1"
# issue 14's frequency report: the histogram of each campaign's union, beside reach_union_campaign
SQL[frequency_report_campaign]="SELECT u.campaign_id, h.* FROM (SELECT campaign_id, frequency_union_agg(frequency) s FROM rollup GROUP BY 1) u CROSS JOIN LATERAL frequency_histogram(u.s) h ORDER BY 1, 2"
SQL[frequency_histogram_all]="SELECT (frequency_histogram(frequency_union_agg(frequency), 10)).* FROM rollup"

# ms of one run of query q on build NAME (its own session)
time_query() {
	local name=$1 q=$2
	ie_psql -d "ab_$name" -qAt \
		-c "SET max_parallel_workers_per_gather = 0" -c "SET work_mem = '256MB'" \
		-c "SELECT impression_ext_version()" -c '\timing on' -c "${SQL[$q]}" |
		awk '/^Time: / { print $2 }'
}

cleanup() {
	ie_stop_cluster "$WORK/data" >/dev/null 2>&1 || true
	rm -f "$PKGLIB/impression_ext_ab_a.so" "$PKGLIB/impression_ext_ab_b.so"
	rm -rf "$WORK"
}
trap cleanup EXIT

build_library "$REV_A" a
build_library "$REV_B" b
ie_start_cluster "$WORK/data" "$PORT" >/dev/null
for name in a b; do
	ie_log "loading database ab_$name"
	make_database "$name"
done
for q in "${NAMES[@]}"; do
	a=$(ie_psql -d ab_a -qAt -c "SET max_parallel_workers_per_gather = 0" -c "${SQL[$q]}" | md5sum)
	b=$(ie_psql -d ab_b -qAt -c "SET max_parallel_workers_per_gather = 0" -c "${SQL[$q]}" | md5sum)
	[[ $a == "$b" ]] || ie_die "$q: the two builds give different results"
done

RESULTS=$WORK/results
: >"$RESULTS"
for ((round = 1; round <= RUNS; round++)); do
	ie_log "round $round of $RUNS"
	order="a b"
	((round % 2 == 0)) && order="b a"
	for q in "${NAMES[@]}"; do
		for name in $order; do
			echo "$q $name $(time_query "$name" "$q")" >>"$RESULTS"
		done
	done
done

echo
echo "A/B — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs; A = $REV_A, B = $REV_B; ${GEN_ARGS[*]}; $RUNS rounds, serial"
printf '%-26s %12s %12s %7s   %-19s %-19s\n' query "A ms" "B ms" "B/A" "A min-max" "B min-max"
# medians and spreads of the runs' times, as awk functions
AWK_STATS='
	function sorted(s, a,   n, i, j, t) {
		n = split(s, a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return n
	}
	function median(s,   a, n) { n = sorted(s, a); return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	function spread(s,   a, n) { n = sorted(s, a); return sprintf("%.1f-%.1f", a[1], a[n]) }'
for q in "${NAMES[@]}"; do
	awk -v q="$q" "$AWK_STATS"'
		$1 == q { v[$2] = v[$2] " " $3 }
		END {
			ma = median(v["a"]); mb = median(v["b"])
			printf "%-26s %12.1f %12.1f %7.3f   %-19s %-19s\n", q, ma, mb, mb / ma, spread(v["a"]), spread(v["b"])
		}' "$RESULTS"
done
# issue 14's target: the frequency report at most 1.5 x the reach union per campaign
awk "$AWK_STATS"'
	$1 == "frequency_report_campaign" { f[$2] = f[$2] " " $3 }
	$1 == "reach_union_campaign" { r[$2] = r[$2] " " $3 }
	END {
		printf "frequency report / reach union per campaign (medians): A %.3f, B %.3f (target <= 1.5)\n",
			median(f["a"]) / median(r["a"]), median(f["b"]) / median(r["b"])
	}' "$RESULTS"
