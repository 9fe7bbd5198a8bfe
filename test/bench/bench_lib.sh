# shellcheck shell=bash
# test/bench/bench_lib.sh — set-up and timing machinery for the benchmarks
# (first written in frequency_bench.sh).  Sourced by every
# test/bench/*_bench.sh after test/lib.sh; defines functions and runs nothing
# (reach_bench.sh times its blocks its own way, see its time_block_retried).
#
# The sourcing script sets, before calling them:
#   BENCH_NAME     its own name without .sh (e.g. attribution_bench): a
#                  running script of that name is not a sibling to wait for
#   DATADIR, PORT  the benchmark cluster;  DB (database), RUNS (timed runs)
#   WORK           a directory for round files, plans and perf data (set,
#                  with BUILD and OUT, by bench_output)
#   RESULTS        the timings file (one line a query run)
#   COMMON_SET, SERIAL_SET, PARALLEL_SET   settings of every timed session
#   SQL[block.name], PRE[block.name], LABEL[name]   (associative arrays)
#   MEM_SET        for mem_explain: the settings of its session
# and may set EXPLAIN_OPTS (default "ANALYZE, TIMING OFF, COSTS OFF").

# ---------------------------------------------------------------------------
# what a benchmark reads and writes
# ---------------------------------------------------------------------------
# bench_gen_args: GEN_ARGS from IE_BENCH_GEN_ARGS, by default reach_bench.sh's
# 10M-event table; another table in database bench would replace that one
bench_gen_args() {
	local default="--events 10000000 --users 2000000 --campaigns 50 --days 30"
	read -r -a GEN_ARGS <<<"${IE_BENCH_GEN_ARGS:-$default}"
	if [[ $DB == bench && "${GEN_ARGS[*]}" != "$default" ]]; then
		ie_die "IE_BENCH_GEN_ARGS would reload reach_bench.sh's table in database bench; set IE_BENCH_DB to another database"
	fi
}

# bench_output NAME HOME_DB: BUILD, WORK ($BUILD/NAME_work) and OUT
# ($BUILD/NAME_bench.out), both suffixed .$DB when DB is not HOME_DB (so runs
# on other databases keep theirs apart); creates them and copies everything
# the script prints from now on to OUT
bench_output() {
	local name=$1 home_db=$2
	BUILD="$REPO_ROOT/test/bench/.build"
	WORK="$BUILD/${name}_work"
	OUT="$BUILD/${name}_bench.out"
	if [[ $DB != "$home_db" ]]; then
		WORK="$WORK.$DB"
		OUT="$BUILD/${name}_bench.$DB.out"
	fi
	mkdir -p "$BUILD" "$WORK"
	exec > >(tee "$OUT") 2>&1
}

# bench_header TITLE [EXTRA]: the output's first lines: what, when, on what
# machine, at which commit (with a digest of uncommitted changes in src/),
# impression_ext's version followed by EXTRA (by default a note when
# IE_BENCH_NO_BUILD=1 measures it as installed), and the server
bench_header() {
	local extra=
	if (($# > 1)); then
		extra=$2
	elif [[ ${IE_BENCH_NO_BUILD:-0} == 1 ]]; then
		extra=' (as installed, not rebuilt)'
	fi
	echo
	echo "$1 — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo) RAM"
	echo "commit $(git -C "$REPO_ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO_ROOT" diff --quiet HEAD -- src 2>/dev/null || echo " + uncommitted changes in src/ (diff sha1 $(git -C "$REPO_ROOT" diff HEAD -- src | sha1sum | cut -c1-12))"), impression_ext $(bpsql -tA -c 'SELECT impression_ext_version()')$extra"
	bpsql -tA -F ' ' -c "SELECT 'server', version()" | cut -c1-80
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.0f s", b - a }'; }
bpsql() { ie_psql -d "$DB" "$@"; }

# ---------------------------------------------------------------------------
# waiting for the other benchmarks (any test/bench/*_bench.sh but this one)
# and for other active sessions in the cluster; their backends' CPU does not
# show in wait_quiet's figure (it counts our cluster as ours)
# ---------------------------------------------------------------------------
siblings() {
	pgrep -af '_bench\.sh' | awk -v self="$$" -v me="$BENCH_NAME" '
		$1 != self && $2 ~ /(^|\/)bash$/ && index($0, me ".sh") == 0 { print $1, $3 }' || true
}
cluster_sessions() {
	[[ -f $DATADIR/postmaster.pid ]] || { echo 0; return; }
	ie_psql -d postgres -tA -c "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid()
		AND backend_type = 'client backend' AND state = 'active'" 2>/dev/null || echo 0
}
# busy: prints what else runs (empty when nothing)
busy() {
	local s n
	s=$(siblings | tr '\n' ' ')
	n=$(PGHOST=$DATADIR PGPORT=$PORT PGUSER=postgres cluster_sessions)
	if [[ -n $s ]]; then printf 'benchmark running (pid, script): %s' "${s% }"; fi
	if [[ -n $s && $n != 0 ]]; then printf '; '; fi
	if [[ $n != 0 ]]; then printf '%s other active session(s) in the cluster' "$n"; fi
	return 0
}
wait_sibling() {
	local waited=0 limit=${IE_BENCH_SIBLING_WAIT:-3600} what
	((limit > 0)) || return 0
	while what=$(busy) && [[ -n $what ]]; do
		if ((waited >= limit)); then
			ie_die "still busy after ${waited} s ($what); not timing alongside it"
		fi
		if ((waited % 300 == 0)); then ie_log "$what; waiting for it to finish (${waited}/${limit} s)"; fi
		sleep 30
		waited=$((waited + 30))
	done
	if ((waited > 0)); then ie_log "the other benchmark finished after ${waited} s of waiting"; fi
}

# ---------------------------------------------------------------------------
# CPU accounting: the machine's busy time (/proc/stat) minus our cluster's
# (the postmaster and the children it has reaped: backends of ended
# sessions), in seconds
# ---------------------------------------------------------------------------
CLK_TCK=$(getconf CLK_TCK)
cpu_snapshot() {
	local pm
	pm=$(head -1 "$DATADIR/postmaster.pid")
	awk -v tck="$CLK_TCK" -v pmstat="/proc/$pm/stat" 'BEGIN {
		getline l < "/proc/stat"; split(l, c, " ")
		busy = c[2] + c[3] + c[4] + c[7] + c[8] + c[9]
		getline p < pmstat; split(p, f, " ")
		own = f[14] + f[15] + f[16] + f[17]
		printf "%.2f %.2f %.3f\n", busy / tck, own / tck, systime() }'
}
# others_share BEFORE AFTER (snapshots): CPU share of other processes, % of the machine
others_share() {
	awk -v a="$1" -v b="$2" -v ncpu="$(nproc)" 'BEGIN {
		split(a, x, " "); split(b, y, " ")
		wall = y[3] - x[3]; other = (y[1] - x[1]) - (y[2] - x[2])
		if (other < 0) other = 0
		printf "%.0f", (wall > 0) ? 100 * other / (wall * ncpu) : 0 }'
}
# wait_quiet: before timing, wait (up to IE_BENCH_QUIET_WAIT s, default 900)
# until other processes use under 10 % of the machine over 10 s
wait_quiet() {
	local waited=0 s1 s2 share limit=${IE_BENCH_QUIET_WAIT:-900}
	while :; do
		s1=$(cpu_snapshot); sleep 10; s2=$(cpu_snapshot)
		share=$(others_share "$s1" "$s2")
		if ((share < 10)); then
			ie_log "machine quiet (other processes: $share % of the CPUs)"
			return
		fi
		if ((waited >= limit)); then
			ie_log "WARNING: other processes still use $share % of the CPUs after ${waited} s; measuring anyway"
			echo "WARNING: other processes used $share % of the CPUs when timing started; timings are disturbed"
			return
		fi
		ie_log "other processes use $share % of the CPUs; waiting for a quiet machine (${waited}/${limit} s)"
		waited=$((waited + 10))
	done
}

# ---------------------------------------------------------------------------
# time_block BLOCK MODE NAME...: warm-up round 0, then RUNS interleaved
# rounds (round r runs each query once, in rotated order); a run's time is
# the Execution Time of EXPLAIN (ANALYZE, TIMING OFF).  PRE[BLOCK.NAME] holds
# settings for that query alone (reset after it).  Round 0's plans are kept
# in $WORK/plans.BLOCK.MODE.txt.  When another benchmark starts meanwhile,
# the block's runs are dropped and it is timed again once things are quiet.
# ---------------------------------------------------------------------------
declare -A ATTEMPTS OTHERS
# shellcheck disable=SC2034 # ATTEMPTS and OTHERS are read by the sourcing script
time_block() {
	local block=$1 mode=$2
	shift 2
	local names=("$@")
	local n=${#names[@]} r i j name settings out snap_start="" pre
	local opts=${EXPLAIN_OPTS:-ANALYZE, TIMING OFF, COSTS OFF}
	if [[ $mode == serial ]]; then settings=$SERIAL_SET; else settings=$PARALLEL_SET; fi
	local attempt=0 what
	while :; do
		attempt=$((attempt + 1))
		what=
		ie_log "timing $block ($mode): ${names[*]} — $((RUNS + 1)) rounds"
		for ((r = 0; r <= RUNS; r++)); do
			[[ $r == 1 ]] && snap_start=$(cpu_snapshot)
			{
				echo "$COMMON_SET $settings"
				for ((i = 0; i < n; i++)); do
					j=$(((i + r) % n))
					name=${names[$j]}
					pre=${PRE[$block.$name]:-}
					printf '%s\n' "\\echo @@$name"
					if [[ -n $pre ]]; then echo "$pre"; fi
					echo "EXPLAIN ($opts) ${SQL[$block.$name]};"
					if [[ -n $pre ]]; then echo "RESET ALL; $COMMON_SET $settings"; fi
				done
			} >"$WORK/round.sql"
			out="$WORK/round.out"
			bpsql -tA -f "$WORK/round.sql" >"$out"
			awk -v block="$block" -v mode="$mode" -v round="$r" '
				/^@@/ { name = substr($0, 3); planned[name] = 0; launched[name] = 0; next }
				/Workers Planned:/ { planned[name] = $NF }
				/Workers Launched:/ { launched[name] = $NF }
				/Execution Time:/ { t[name] = $(NF - 1) / 1000 }
				END { for (q in t) print block, mode, q, round, t[q], planned[q], launched[q] }
			' "$out" >>"$RESULTS"
			if [[ $r == 0 ]]; then cp "$out" "$WORK/plans.$block.$mode.txt"; fi
			if ((${IE_BENCH_SIBLING_WAIT:-3600} > 0)); then what=$(busy); fi
			[[ -z $what ]] || break
		done
		[[ -n $what ]] || break
		awk -v b="$block" -v m="$mode" '!($1 == b && $2 == m)' "$RESULTS" >"$RESULTS.tmp" && mv "$RESULTS.tmp" "$RESULTS"
		ie_log "$what during $block ($mode): discarding its runs, waiting, then timing it again"
		wait_sibling
		wait_quiet
	done
	sleep 0.3 # let the postmaster reap the last backend
	OTHERS[$block.$mode]=$(others_share "$snap_start" "$(cpu_snapshot)")
	ATTEMPTS[$block.$mode]=$attempt
}

# stat BLOCK MODE NAME FIELD: median | min | max | planned | launched (min over runs)
stat() {
	awk -v b="$1" -v m="$2" -v q="$3" -v f="$4" '
		$1 == b && $2 == m && $3 == q && $4 > 0 { n++; t[n] = $5; if (n == 1 || $6 < p) p = $6; if (n == 1 || $7 < l) l = $7 }
		END {
			if (n == 0) { print "nan"; exit }
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (t[j] < t[i]) { x = t[i]; t[i] = t[j]; t[j] = x }
			if (f == "median") print (n % 2) ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2
			else if (f == "min") print t[1]
			else if (f == "max") print t[n]
			else if (f == "planned") print p
			else if (f == "launched") print l
		}' "$RESULTS"
}

# time_stats BLOCK MODE NAME: "median min max" of a query's runs
time_stats() { echo "$(stat "$1" "$2" "$3" median) $(stat "$1" "$2" "$3" min) $(stat "$1" "$2" "$3" max)"; }
# workers_used BLOCK MODE NAME: parallel workers "launched/planned" (min over runs)
workers_used() { echo "$(stat "$1" "$2" "$3" launched)/$(stat "$1" "$2" "$3" planned)"; }

div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0 || a == "nan" || b == "nan" || a == "" || b == "") print "nan"; else printf "%.3f", a / b }'; }

# fastest BLOCK MODE NAME...: the name with the smallest median
fastest() {
	local block=$1 mode=$2 name best="" bt="" t
	shift 2
	for name in "$@"; do
		t=$(stat "$block" "$mode" "$name" median)
		[[ $t == nan ]] && continue
		if [[ -z $best ]] || awk -v a="$t" -v b="$bt" 'BEGIN { exit !(a < b) }'; then best=$name; bt=$t; fi
	done
	echo "$best"
}

# plan_summary FILE NAME: the plan's node types of one query, as "A > B > C",
# with hash-aggregate batches / memory and sort methods in brackets
plan_summary() {
	awk -v q="$2" '
		/^@@/ { on = (substr($0, 3) == q); next }
		on && /(Aggregate|Sort|Gather|Scan|Nested Loop|Hash Join|Merge Join|Function Scan|Result|Append|Memoize|WindowAgg|Unique|Limit)/ && !/Sort Key|Group Key|Sort Method|Presorted Key|Cache Key|Cache Mode/ {
			s = $0; sub(/^ *(->)? */, "", s); sub(/ *\(.*$/, "", s); sub(/ on .*$/, "", s); sub(/ using .*$/, "", s)
			out = out (out == "" ? "" : " > ") s }
		on && /(Batches:|Sort Method:)/ { b = $0; sub(/^ */, "", b); mem = mem (mem == "" ? "" : "; ") b }
		END { print out (mem != "" ? "  [" mem "]" : "") }' "$1"
}

# plan_buffers FILE NAME: the first "Buffers:" line of a query's plan (its top
# node: every page the query touched), e.g. "shared hit=262440 read=88544"
plan_buffers() {
	awk -v q="$2" '
		/^@@/ { on = (substr($0, 3) == q); next }
		on && /Buffers:/ && !done { s = $0; sub(/^ *Buffers: */, "", s); print s; done = 1 }' "$1"
}

# verdict VALUE OP LIMIT: MET / MISSED (n/a without a figure)
verdict() {
	awk -v v="$1" -v op="$2" -v lim="$3" 'BEGIN {
		if (v == "nan" || v == "") { print "n/a   "; exit }
		ok = (op == "<=") ? (v + 0 <= lim + 0) : (op == "<") ? (v + 0 < lim + 0) : (v + 0 >= lim + 0)
		print ok ? "MET   " : "MISSED" }'
}
# noisy_verdict VALUE SE LIMIT: MET, MISSED, or NOISE: above the limit, but
# by less than two standard errors SE
noisy_verdict() {
	awk -v v="$1" -v se="$2" -v lim="$3" 'BEGIN {
		if (v == "") { print "n/a   "; exit }
		print (v + 0 <= lim + 0) ? "MET   " : (v - 2 * se <= lim + 0) ? "NOISE " : "MISSED" }'
}

# perf_install: linux-perf, if missing
perf_install() {
	if ! command -v perf >/dev/null 2>&1; then
		ie_log "installing linux-perf"
		apt-get install -y -q --no-install-recommends linux-perf >/dev/null
	fi
}

# perf_record_backend NAME SETTINGS SQL DATA PERF-RECORD-OPTION...: run SQL
# IE_BENCH_PERF_RUNS times (default 3, after one warm-up run) in a session of
# its own and perf record its backend into DATA (perf's messages in
# DATA.record.log); sets PERF_PID to the backend's pid, or says it was not
# found and returns 1
perf_record_backend() {
	local name=$1 settings=$2 sql=$3 data=$4 app="${BENCH_NAME}_perf_$1" i psql_pid
	shift 4
	PERF_PID=
	{
		echo "$COMMON_SET $settings"
		echo "SELECT pg_sleep(1);"
		for ((i = 0; i < ${IE_BENCH_PERF_RUNS:-3}; i++)); do echo "$sql;"; done
	} >"$WORK/perf.$name.sql"
	bpsql -o /dev/null -c "$COMMON_SET $settings" -c "$sql" # warm-up
	PGAPPNAME=$app bpsql -o /dev/null -f "$WORK/perf.$name.sql" &
	psql_pid=$!
	for ((i = 0; i < 50; i++)); do
		[[ -z $PERF_PID ]] || break
		sleep 0.1
		PERF_PID=$(bpsql -tA -c "SELECT pid FROM pg_stat_activity WHERE application_name = '$app' LIMIT 1")
	done
	[[ -n $PERF_PID ]] || { wait "$psql_pid"; echo "  $name: backend not found"; return 1; }
	perf record "$@" -p "$PERF_PID" -o "$data" >"$data.record.log" 2>&1 || true
	wait "$psql_pid"
}

# perf_write_reports DATA REP: perf's reports of a recording with call
# graphs, self time by shared object (REP.dso) and by symbol (REP.self),
# and time including callees (REP.children); perf's complaints in REP.err
perf_write_reports() {
	local data=$1 rep=$2
	{ perf report -i "$data" --no-children --sort dso --stdio -g none || true; } >"$rep.dso" 2>"$rep.err"
	{ perf report -i "$data" --no-children --sort dso,symbol --stdio -g none || true; } >"$rep.self" 2>>"$rep.err"
	{ perf report -i "$data" --children --sort dso,symbol --stdio -g none || true; } >"$rep.children" 2>>"$rep.err"
}

# perf_top N: the first N entries of a perf report on stdin, indented;
# perf_top_named N: the same without hex (unnamed) symbols and the frames
# every query runs under (main .. ExecutorRun)
perf_top() { awk -v top="$1" '/^ +[0-9.]+%/ && n < top { n++; sub(/( +-)+ *$/, ""); print "      " substr($0, 1, 110) }'; }
perf_top_named() { awk -v top="$1" '/^ +[0-9.]+%/ && !/\] 0x[0-9a-f]+/ && !/ (main|PostgresMain|PostmasterMain|__libc_start_call_main|__libc_start_main[^ ]*|_start|ServerLoop|BackendStartup|exec_simple_query|PortalRun|PortalRunSelect|standard_ExecutorRun|ExecutorRun)( |$)/ && n < top { n++; sub(/( +-)+ *$/, ""); print "      " substr($0, 1, 110) }'; }

# perf_print_reports REP: perf_write_reports' three reports, top entries
perf_print_reports() {
	local rep=$1
	echo "    self time by shared object:"
	perf_top 8 <"$rep.dso"
	echo "    self time, top symbols ([k] kernel, [.] user; hex: no symbol (the postgres binary is stripped) or JIT code):"
	perf_top "${IE_BENCH_PERF_TOP:-20}" <"$rep.self"
	echo "    including callees (children %, self %), named symbols only:"
	perf_top_named "${IE_BENCH_PERF_TOP:-20}" <"$rep.children"
}

# perf_profile NAME SETTINGS SQL: perf record -g on the backend over
# IE_BENCH_PERF_RUNS runs of SQL (after one warm-up run); self time and time
# including callees, by symbol (installs linux-perf if missing)
perf_profile() {
	local name=$1 settings=$2 sql=$3 data="$WORK/perf.$1.data" rep="$WORK/perf.$1.report"
	perf_install
	perf_record_backend "$name" "$settings" "$sql" "$data" -g -F 999 || return 0
	# the three reports, to files first (retried: once a report of a
	# finished recording came out empty, and the same file was fine later)
	for _ in 1 2 3; do
		perf_write_reports "$data" "$rep"
		grep -qE '^ +[0-9.]+%' "$rep.self" && break
		sleep 2
	done
	echo "  $name (backend $PERF_PID): $sql"
	if ! grep -qE '^ +[0-9.]+%' "$rep.self"; then
		echo "    perf report gave no samples (3 tries); perf record said: $(tr '\n' ' ' <"$data.record.log" | cut -c1-200)"
		echo "    perf report said: $(tr '\n' ' ' <"$rep.err" | cut -c1-300)"
		return 0
	fi
	perf_print_reports "$rep"
	echo "    impression_ext.so alone (share of all samples):"
	{ perf report -i "$data" --no-children --sort symbol --stdio -g none --dsos impression_ext.so 2>/dev/null || true; } |
		awk '/^ +[0-9.]+%/ && n < 6 { n++; sub(/( +-)+ *$/, ""); printf "%s%s", (n > 1 ? ", " : "      "), $1 " " $3 } END { print "" }'
}

# ---------------------------------------------------------------------------
# hash-aggregate memory
# ---------------------------------------------------------------------------
# mem_explain NAME SQL [PRE-SQL]: EXPLAIN (ANALYZE, BUFFERS) once, serial,
# with settings MEM_SET (PRE-SQL first, rolled back); appends "NAME groups
# estimate batches memory-kB disk-kB seconds" to $WORK/mem.results
mem_explain() {
	local name=$1 sql=$2 pre=${3:-}
	ie_log "memory: $name"
	{
		echo "$MEM_SET"
		echo "BEGIN;"
		if [[ -n $pre ]]; then echo "$pre"; fi
		echo "EXPLAIN (ANALYZE, BUFFERS, TIMING OFF) $sql;"
		echo "ROLLBACK;"
	} >"$WORK/mem.sql"
	bpsql -tA -f "$WORK/mem.sql" >"$WORK/mem.$name.txt"
	awk -v name="$name" '
		/HashAggregate/ && !seen { seen = 1; match($0, /rows=[0-9]+/); est = substr($0, RSTART + 5, RLENGTH - 5);
			match($0, /actual rows=[0-9]+/); groups = substr($0, RSTART + 12, RLENGTH - 12) }
		/Batches:/ && !bseen { bseen = 1
			for (i = 1; i <= NF; i++) {
				if ($i == "Batches:") batches = $(i + 1)
				if ($i == "Usage:" && $(i - 1) == "Memory") mem = $(i + 1)
				if ($i == "Usage:" && $(i - 1) == "Disk") disk = $(i + 1)
			} }
		/Execution Time:/ { t = $(NF - 1) / 1000 }
		END { gsub(/kB/, "", mem); gsub(/kB/, "", disk)
			printf "%s %s %s %s %s %s %s\n", name, groups + 0, est + 0, batches + 0, mem + 0, disk + 0, t }
	' "$WORK/mem.$name.txt" >>"$WORK/mem.results"
}
# memf NAME FIELD: field FIELD (2 groups .. 7 seconds) of mem_explain NAME
memf() { awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$WORK/mem.results"; }
# mem_row INDENT WIDTH IF_MISSING NAME LABEL: mem_explain NAME's figures as
# a table row, after INDENT spaces and LABEL in a WIDTH wide column (or
# "LABEL (IF_MISSING)" when it did not run)
mem_row() {
	local indent=$1 width=$2 missing=$3 name=$4 label=$5
	local g e b m d t
	g=$(memf "$name" 2); e=$(memf "$name" 3); b=$(memf "$name" 4); m=$(memf "$name" 5); d=$(memf "$name" 6); t=$(memf "$name" 7)
	printf "%${indent}s" ""
	[[ -z $g ]] && { printf "%-${width}s (%s)\n" "$label" "$missing"; return; }
	printf "%-${width}s %8s %9s %7s %10s %10s %11s %8.1fs\n" "$label" "$g" "$e" "$b" "$(kb "$m")" "$(kb "$d")" \
		"$(awk -v m="$m" -v g="$g" 'BEGIN { printf "%.0f B", (g > 0) ? m * 1024 / g : 0 }')" "$t"
}
# kb KILOBYTES: as kB, MB or GB
kb() { awk -v k="$1" 'BEGIN { if (k == "") print "-"; else if (k >= 1048576) printf "%.2f GB", k / 1048576; else if (k >= 1024) printf "%.1f MB", k / 1024; else printf "%d kB", k }'; }

# ---------------------------------------------------------------------------
# bench_setup SIGNATURE...: install what is missing, build and install the
# extension (unless IE_BENCH_NO_BUILD=1), start the cluster, create the
# database, make sure the extension there has the functions the benchmark
# calls (regprocedure signatures; it is recreated when one is missing or
# IE_BENCH_RECREATE_EXT=1: version 0.1 has no upgrade scripts, and nothing in
# the benchmark databases depends on it, so DROP without CASCADE is safe),
# and load the events generated with GEN_ARGS unless bench_meta says they
# are loaded already.  Exports PGDATABASE=$DB.
# ---------------------------------------------------------------------------
bench_setup() {
	local sig present="true"
	bench_start_cluster
	bench_create_database "$DB"
	bpsql -c 'SET client_min_messages = warning' -c 'CREATE EXTENSION IF NOT EXISTS impression_ext'
	for sig in "$@"; do present="$present AND to_regprocedure('$sig') IS NOT NULL"; done
	present=$(bpsql -tA -c "SELECT $present")
	if [[ $present != t || ${IE_BENCH_RECREATE_EXT:-0} == 1 ]]; then
		ie_log "recreating extension impression_ext in $DB (the functions this benchmark calls present: $present)"
		bpsql -c 'SET client_min_messages = warning' -c 'DROP EXTENSION IF EXISTS impression_ext' -c 'CREATE EXTENSION impression_ext'
	fi
	bench_load_events
}

# bench_start_cluster: install what is missing, build and install the
# extension (unless IE_BENCH_NO_BUILD=1), start the cluster; PGDATABASE=$DB
bench_start_cluster() {
	ie_install_packages
	if [[ ${IE_BENCH_NO_BUILD:-0} == 1 ]]; then
		ie_log "IE_BENCH_NO_BUILD=1: using the impression_ext installed now"
	else
		ie_build_install
	fi
	ie_start_cluster "$DATADIR" "$PORT"
	export PGDATABASE=$DB
}

bench_create_database() {
	if ! ie_psql -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1; then
		ie_psql -d postgres -c "CREATE DATABASE $1"
	fi
}

# loaded_gen_args DB META: the generator arguments that table META in DB
# says the events were loaded with, if its row count still matches events'
# (prints nothing otherwise)
loaded_gen_args() {
	local db=$1 meta=$2
	if [[ $(ie_psql -d "$db" -tA -c "SELECT to_regclass('public.$meta') IS NOT NULL AND to_regclass('public.events') IS NOT NULL") == t ]]; then
		ie_psql -d "$db" -tA -c "SELECT m.gen_args FROM $meta m WHERE m.rows = (SELECT count(*) FROM events)"
	fi
}

# record_gen_args DB META DESC: table META in DB records that the events
# were loaded with arguments DESC, and their row count
record_gen_args() {
	ie_psql -d "$1" -c "CREATE TABLE $2 AS SELECT '$3'::text AS gen_args, count(*) AS rows FROM events"
}

# bench_load_events: load the events generated with GEN_ARGS into DB unless
# bench_meta says they are loaded already
bench_load_events() {
	local gen_desc="${GEN_ARGS[*]}" loaded
	loaded=$(loaded_gen_args "$DB" bench_meta)
	if [[ $loaded == "$gen_desc" ]]; then
		ie_log "reusing the loaded events table ($gen_desc)"
	else
		ie_log "loading events ($gen_desc)"
		bpsql -c 'DROP TABLE IF EXISTS bench_meta'
		"$REPO_ROOT/test/data/load.sh" -d "$DB" -- "${GEN_ARGS[@]}"
		record_gen_args "$DB" bench_meta "$gen_desc"
	fi
}
