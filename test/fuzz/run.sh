#!/bin/sh
# run.sh — replay the regression inputs, then fuzz each target for a while.
# Called by "make run" (see the Makefile); usable directly after "make":
#
#   BUILD=.build FUZZ_SECONDS=20 sh run.sh [fuzz_<name> ...]
#
# For each target: every file under regressions/<target>/ is run once
# first (a crash there fails the target without fuzzing); then the seeds
# (and the regressions) are copied to $BUILD/work/<target>/corpus and
# libFuzzer runs FUZZ_SECONDS seconds on that copy, so the repository is
# never written.  Prints "<target>: N runs, 0 crashes" (N from libFuzzer's
# final stats) or the crash, its artifact and the end of the log; exits
# non-zero if any target crashed.

BUILD=${BUILD:-.build}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
MAX_LEN=${MAX_LEN:-65536}
FUZZ_FLAGS=${FUZZ_FLAGS:-}
cd "$(dirname "$0")" || exit 2

if [ $# -eq 0 ]; then
	set -- $(ls fuzz_*.c | sed 's/\.c$//')
fi

status=0
for t in "$@"; do
	bin=$BUILD/bin/$t
	work=$BUILD/work/$t
	if [ ! -x "$bin" ]; then
		echo "$t: not built"
		status=1
		continue
	fi
	rm -rf "$work"
	mkdir -p "$work/corpus" "$work/artifacts"

	# regressions first
	regs=$(find "regressions/$t" -type f ! -name '*.md' ! -name '.*' 2>/dev/null | sort)
	if [ -n "$regs" ]; then
		# shellcheck disable=SC2086
		if ! "$bin" -runs=1 $regs >"$work/regressions.log" 2>&1; then
			echo "$t: regression input crashes (see $work/regressions.log)"
			tail -n 40 "$work/regressions.log"
			status=1
			continue
		fi
		nregs=$(echo "$regs" | wc -l)
		echo "$t: $nregs regression input(s) replayed, 0 crashes"
		# shellcheck disable=SC2086
		cp $regs "$work/corpus/"
	fi
	if [ -d "$BUILD/seeds/$t" ]; then
		cp "$BUILD/seeds/$t/"* "$work/corpus/" 2>/dev/null
	fi

	# shellcheck disable=SC2086
	"$bin" -max_total_time="$FUZZ_SECONDS" -max_len="$MAX_LEN" \
		-print_final_stats=1 -timeout=60 -rss_limit_mb=2048 \
		-artifact_prefix="$work/artifacts/" $FUZZ_FLAGS \
		"$work/corpus" >"$work/fuzz.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -n 1)
	if [ -z "$runs" ]; then
		# no final stats (killed by a crash): the last status line's #N
		runs=$(grep -o '^#[0-9]*' "$work/fuzz.log" | tail -n 1 | tr -d '#')
	fi
	artifacts=$(ls "$work/artifacts" 2>/dev/null)
	if [ $rc -eq 0 ] && [ -z "$artifacts" ]; then
		echo "$t: ${runs:-?} runs, 0 crashes"
	else
		echo "$t: ${runs:-?} runs, 1 crash (exit $rc; log $work/fuzz.log)"
		for a in $artifacts; do
			echo "  artifact: $work/artifacts/$a"
		done
		grep -m 1 -E 'ERROR: |FUZZ (ASSERTION|PROPERTY)|runtime error' "$work/fuzz.log"
		tail -n 30 "$work/fuzz.log"
		status=1
	fi
done
exit $status
