# test/lib.sh — shared by test/demo.sh, test/check.sh and the benchmarks:
# install what is missing, build and install the extension, run a private
# PostgreSQL cluster as the postgres user on its own port and socket dir.
# Source it; it defines functions and a few variables and runs nothing.

# The PostgreSQL to build against and test on: PG_CONFIG=/path/to/pg_config
# picks any installed server (15 or later, built from source or packaged);
# without it, Debian's PostgreSQL 15, installed from Debian's packages if
# missing.  The server's own bin directory goes first on PATH, so psql,
# pg_dump and pgbench match it.
IE_DEBIAN_PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
PG_CONFIG=${PG_CONFIG:-$IE_DEBIAN_PG_CONFIG}
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Debian packages the project needs to build, run and test; the server
# packages only when testing on Debian's own PostgreSQL.
IE_PACKAGES=(build-essential clang libclang-rt-14-dev python3 python3-psycopg2)
if [ "$PG_CONFIG" = "$IE_DEBIAN_PG_CONFIG" ]; then
	IE_PACKAGES+=(postgresql-15 postgresql-server-dev-15 postgresql-contrib
		postgresql-15-hll postgresql-15-cron
		postgresql-server-dev-all debhelper dpkg-dev)  # test/package.sh
fi

# After ie_install_packages: the server's directories and major version.
ie_pg_paths() {
	[ -x "$PG_CONFIG" ] || ie_die "no pg_config at $PG_CONFIG"
	PG_BIN=$("$PG_CONFIG" --bindir)
	PG_SHAREDIR=$("$PG_CONFIG" --sharedir)
	PG_PKGLIBDIR=$("$PG_CONFIG" --pkglibdir)
	PG_MAJOR=$("$PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
	case ":$PATH:" in *":$PG_BIN:"*) ;; *) PATH="$PG_BIN:$PATH" ;; esac
	export PG_CONFIG PG_BIN PATH
}

# Optional extensions some tests need: installed on this server or not.
# Those tests are skipped (counted and printed as skipped) without them.
ie_have_extension() { [ -f "$PG_SHAREDIR/extension/$1.control" ]; }
ie_have_library() { [ -f "$PG_PKGLIBDIR/$1.so" ]; }

# Known at once when the server is already installed; else after
# ie_install_packages, by ie_build_install or ie_start_cluster.
[ -x "$PG_CONFIG" ] && ie_pg_paths

ie_log() { printf '==> %s\n' "$*" >&2; }
ie_die() { printf 'error: %s\n' "$*" >&2; exit 1; }

ie_install_packages() {
	local missing=() p
	for p in "${IE_PACKAGES[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	[ "$(id -u)" -eq 0 ] || ie_die "missing packages (${missing[*]}); run as root so they can be installed"
	ie_log "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

ie_build_install() {
	ie_pg_paths
	ie_log "building and installing impression_ext"
	# objects built against another server would link into a library that
	# server refuses ("version mismatch"): rebuild when the server changes
	local stamp="$REPO_ROOT/.build_server" server
	server="$PG_CONFIG $("$PG_CONFIG" --version)"
	if [ "$(cat "$stamp" 2>/dev/null)" != "$server" ]; then
		make -C "$REPO_ROOT" -s PG_CONFIG="$PG_CONFIG" clean >/dev/null
		echo "$server" >"$stamp"
	fi
	make -C "$REPO_ROOT" -s PG_CONFIG="$PG_CONFIG" >/dev/null
	make -C "$REPO_ROOT" -s PG_CONFIG="$PG_CONFIG" install >/dev/null
}

# Run a command as the postgres user (PostgreSQL refuses to run as root).
ie_as_postgres() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# ie_start_cluster DATADIR PORT: initdb if needed, start, wait.  The socket
# lives in DATADIR; no TCP listener, so nothing outside this machine sees it.
ie_start_cluster() {
	local dir=$1 port=$2
	ie_pg_paths
	export PGHOST=$dir PGPORT=$port PGUSER=postgres PGDATABASE=postgres
	if [ ! -f "$dir/PG_VERSION" ]; then
		mkdir -p "$dir"
		[ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
		ie_as_postgres "$PG_BIN/initdb" -D "$dir" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
		cat >>"$dir/postgresql.conf" <<CONF
listen_addresses = ''
port = $port
unix_socket_directories = '$dir'
max_worker_processes = 16
max_parallel_workers = 8
shared_buffers = 512MB
work_mem = 64MB
maintenance_work_mem = 256MB
max_wal_size = 4GB
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
lc_messages = 'C'
CONF
		# pg_cron schedules rollup refreshes (test/cron.sh); its jobs run in
		# background workers, since the cluster has no TCP listener
		if ie_have_library pg_cron; then
			cat >>"$dir/postgresql.conf" <<CONF
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
CONF
		fi
	fi
	if ie_as_postgres "$PG_BIN/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
		return 0
	fi
	ie_as_postgres "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null ||
		{ tail -20 "$dir/server.log" >&2; ie_die "could not start PostgreSQL in $dir"; }
}

ie_stop_cluster() {
	local dir=$1
	[ -f "$dir/postmaster.pid" ] || return 0
	ie_as_postgres "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null 2>&1 || true
}

ie_psql() { psql -X -v ON_ERROR_STOP=1 -q "$@"; }

# ie_shard_servers_sql HOST PORT COLUMNS: the SQL of a coordinator over the
# shard databases ie_shard1 and ie_shard2 (test/shard.sh and
# test/bench/shard_bench.sh): postgres_fdw servers shard1 and shard2 that may
# push impression_ext's functions down, user mappings, and foreign tables
# shard1_events and shard2_events (with COLUMNS) on the shards' events
ie_shard_servers_sql() {
	local host=$1 port=$2 cols=$3
	cat <<SQL
CREATE SERVER shard1 FOREIGN DATA WRAPPER postgres_fdw
	OPTIONS (host '$host', port '$port', dbname 'ie_shard1', extensions 'impression_ext');
CREATE SERVER shard2 FOREIGN DATA WRAPPER postgres_fdw
	OPTIONS (host '$host', port '$port', dbname 'ie_shard2', extensions 'impression_ext');
CREATE USER MAPPING FOR CURRENT_USER SERVER shard1;
CREATE USER MAPPING FOR CURRENT_USER SERVER shard2;
CREATE FOREIGN TABLE shard1_events ($cols) SERVER shard1 OPTIONS (table_name 'events');
CREATE FOREIGN TABLE shard2_events ($cols) SERVER shard2 OPTIONS (table_name 'events');
SQL
}

# The incremental rollup of examples/incremental_rollup.sql and the same
# rollup computed from scratch by a GROUP BY over every event, as rows to
# compare byte for byte (cost as text, so its scale counts too), for
# test/incremental.sh and test/cron.sh
IE_ROLLUP_INCREMENTAL="SELECT campaign_id, day, impressions, clicks, conversions, cost::text AS cost,
	reach_sketch::bytea AS reach, frequency_sketch::bytea AS frequency FROM campaign_daily"
IE_ROLLUP_SCRATCH="SELECT campaign_id, (ts AT TIME ZONE 'UTC')::date AS day,
	count(*) FILTER (WHERE kind = 'impression') AS impressions, count(*) FILTER (WHERE kind = 'click') AS clicks,
	count(*) FILTER (WHERE kind = 'conversion') AS conversions, sum(cost)::text AS cost,
	(reach_agg(user_id) FILTER (WHERE kind = 'impression'))::bytea AS reach,
	(frequency_agg(user_id) FILTER (WHERE kind = 'impression'))::bytea AS frequency
	FROM events WHERE campaign_id IS NOT NULL GROUP BY 1, 2"

# For the script tests that test/check.sh runs (roundtrip.sh, ...):
# check WHAT GOT WANT prints "ok - WHAT" or "not ok - WHAT: got ..., want
# ..." (also when both are empty) and counts it in $passed / $failed, which the script prints last
# with ie_report as "<name>: N passed, M failed" (", K skipped" after it
# when some could not run).
passed=0
failed=0
skipped=0
check() {
	local what=$1 got=$2 want=$3
	if [ -z "$got" ] && [ -z "$want" ]; then
		# an empty result is a query or command that said nothing
		echo "not ok - $what: got nothing, and nothing was wanted (a check must compare something)"
		failed=$((failed + 1))
	elif [ "$got" = "$want" ]; then
		echo "ok - $what"
		passed=$((passed + 1))
	else
		echo "not ok - $what: got '$got', want '$want'"
		failed=$((failed + 1))
	fi
}

# skip WHAT: a check that cannot run here (say why), counted apart
skip() {
	echo "skip - $1"
	skipped=$((skipped + 1))
}

# ie_report NAME: the script's last line, which test/check.sh adds up
ie_report() {
	if [ "$skipped" -gt 0 ]; then
		echo "$1: $passed passed, $failed failed, $skipped skipped"
	else
		echo "$1: $passed passed, $failed failed"
	fi
}
