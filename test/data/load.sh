#!/usr/bin/env bash
#
# test/data/load.sh — build the generator, create the schema, load the events.
#
# Usage:
#   test/data/load.sh [psql connection args...] [-- gen_events args...]
#
#   test/data/load.sh -h /tmp -p 5498 -d bench -- --events 10000000 --users 2000000 --campaigns 50 --days 30
#   test/data/load.sh "dbname=bench host=/tmp port=5498"                     # defaults: 1M events
#
# Everything before "--" goes to psql (connection options, a conninfo string);
# everything after it to gen_events (see the comment at the top of
# gen_events.c: --events --users --campaigns --days --start --seed --order).
#
# Steps, in one psql transaction per table, stopping at the first error:
#   1. compile gen_events.c and gen_model.c into test/data/.build/ if missing
#      or older than a source ($CC, default cc);
#   2. run schema.sql (drops and recreates events and campaigns) and, in the
#      same transaction, stream the generator into COPY events ... (FREEZE):
#      rows arrive frozen with hint bits and visibility map set, so the first
#      benchmark scan does not rewrite the table;
#   3. load campaigns from gen_events --campaigns-table (same arguments);
#   4. ANALYZE both tables.
# Prints the generator's summary and the time of each step to stderr.
# If the generator died mid-stream, psql would still commit the rows it got;
# the script then exits non-zero (pipefail), so check its status.
#
# Environment: PSQL (default psql), CC (default cc).

set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build="$here/.build"
gen="$build/gen_events"
psql_bin=${PSQL:-psql}
cc_bin=${CC:-cc}

psql_args=()
gen_args=()
seen_sep=0
for a in "$@"; do
	if [[ $seen_sep == 0 && $a == "--" ]]; then
		seen_sep=1
	elif [[ $seen_sep == 0 ]]; then
		psql_args+=("$a")
	else
		gen_args+=("$a")
	fi
done

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

gen_sources=("$here/gen_events.c" "$here/gen_model.c")
gen_is_stale() {
	local f
	[[ -x $gen ]] || return 0
	for f in "${gen_sources[@]}" "$here/gen_model.h"; do
		[[ $f -nt $gen ]] && return 0
	done
	return 1
}
if gen_is_stale; then
	mkdir -p "$build"
	"$cc_bin" -O2 -Wall -Wextra -Werror -o "$gen.tmp" "${gen_sources[@]}" -lm
	mv "$gen.tmp" "$gen"
fi

# fail early on bad generator arguments, before touching the database
"$gen" --campaigns-table "${gen_args[@]}" > /dev/null

export PGCLIENTENCODING=UTF8	# campaign names contain an en dash
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
psql_cmd=("$psql_bin" -X -q -v ON_ERROR_STOP=1 "${psql_args[@]}")

t=$(now)
"$gen" "${gen_args[@]}" |
	"${psql_cmd[@]}" -1 -f "$here/schema.sql" -c 'COPY events FROM STDIN WITH (FREEZE)'
echo "load.sh: schema + events loaded in $(elapsed "$t")" >&2

t=$(now)
"$gen" --campaigns-table "${gen_args[@]}" |
	"${psql_cmd[@]}" -1 -c 'TRUNCATE campaigns' -c 'COPY campaigns FROM STDIN WITH (FREEZE)'
echo "load.sh: campaigns loaded in $(elapsed "$t")" >&2

t=$(now)
"${psql_cmd[@]}" -c 'ANALYZE events' -c 'ANALYZE campaigns'
echo "load.sh: analyzed in $(elapsed "$t")" >&2
