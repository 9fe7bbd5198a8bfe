#!/usr/bin/env bash
# layout.sh — the code layout rules of docs/DEVELOPING.md, checked:
#   no C file under src/ or test/ over 1,200 lines;
#   no C function under src/ over 100 lines (from the line of its opening
#   brace in column 0 to its closing one).
# Prints one line per breach, then "layout: N passed, M failed".
set -u
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
max_file=1200
max_function=100
passed=0
failed=0
while IFS= read -r f; do
	n=$(wc -l <"$f")
	if [ "$n" -gt "$max_file" ]; then
		echo "layout: $f has $n lines (at most $max_file)"
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
	fi
done < <(git ls-files -co --exclude-standard -- 'src/*.c' 'src/*.h' 'test/*.c' 'test/*.h')
while IFS= read -r f; do
	out=$(awk -v max="$max_function" -v file="$f" '
		/^\{/ { start = NR; name = prev }
		/^\}/ && start { if (NR - start + 1 > max) printf "layout: %s:%d %s is %d lines (at most %d)\n", file, start, name, NR - start + 1, max; start = 0 }
		{ if ($0 ~ /^[A-Za-z_].*\(/) prev = $0 }
	' "$f")
	if [ -n "$out" ]; then
		echo "$out"
		failed=$((failed + $(printf '%s\n' "$out" | wc -l)))
	else
		passed=$((passed + 1))
	fi
done < <(git ls-files -co --exclude-standard -- 'src/*.c')
echo "layout: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
