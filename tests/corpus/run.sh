#!/usr/bin/env bash
# corpus/run.sh DIR [CAPSULE]: every file under DIR through `capsule import
# --dry-run` into an empty scratch store, one file at a time with a time
# limit, then a summary: how many files, how many import (at least one
# entry would be added), how many are refused (grouped by the first
# warning, with line numbers and quoted names taken out), and any that
# crashed, hung or drew a sanitizer report.
#
# Not part of `make check`: the files are other projects' (their public
# test suites; see README, "Import: the public corpus") and never go into
# this repository. CAPSULE defaults to capsule/capsule; give
# build/asan/capsule for the sanitizer run. TIMEOUT (seconds, default 20)
# and JOBS (default 2) tune it. The per-file results go to OUT (default a
# scratch directory), one line a file: "STATUS<TAB>FILE<TAB>REASON".
set -u
DIR=${1:?usage: corpus/run.sh DIR [CAPSULE]}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CAPSULE=${2:-$ROOT/capsule/capsule}
TIMEOUT=${TIMEOUT:-20}
JOBS=${JOBS:-2}
OUT=${OUT:-$(mktemp -d /tmp/capsule-corpus.XXXXXX)}
export CAPSULE TIMEOUT OUT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=99
mkdir -p "$OUT/runs"

# one FILE: runs it and prints its result line.
one() {
	f=$1
	key=$(printf '%s' "$f" | sha1sum | cut -c1-16)
	store="$OUT/runs/$key.store"
	rm -rf "$store"
	timeout -k 5 "$TIMEOUT" "$CAPSULE" import --dry-run --content "$store" \
	    -- "$f" >"$OUT/runs/$key.out" 2>"$OUT/runs/$key.err" </dev/null
	rc=$?
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		st=hung
	elif [ $rc -eq 99 ] || grep -q 'Sanitizer\|runtime error' "$OUT/runs/$key.err"; then
		st=sanitizer
	elif [ $rc -gt 2 ]; then
		st="crashed($rc)"
	elif grep -q '^dry run: [1-9][0-9]* added' "$OUT/runs/$key.out"; then
		st=imports
	else
		st=refused
	fi
	# The first warning that is not about mending or a date it chose,
	# its variable parts taken out: a reason to group by.
	why=$(grep '^capsule import: ' "$OUT/runs/$key.err" |
	    grep -v ' read as \|; using the \|; no date.*using' | head -1 |
	    sed -e 's/^capsule import: [^:]*: //' \
	        -e 's/line [0-9]*, column [0-9]*/line L, column C/g' \
	        -e 's/line [0-9]* and/line N and/g' \
	        -e 's/entry [0-9]*/entry N/g' -e 's/"[^"]*"/"…"/g' \
	        -e 's/^entry N .*: no title and no text/entry N: no title and no text/' \
	        -e 's/0x[0-9A-Fa-f]*/0xNN/g' | cut -c1-120)
	[ "$st" = imports ] && [ $rc -ne 0 ] && st=imports-some
	if [ -z "$why" ] && [ "$st" = refused ] &&
	    grep -q ' [1-9][0-9]* skipped' "$OUT/runs/$key.out"; then
		why="every entry skipped (each said why, on stdout)"
	fi
	printf '%s\t%s\t%s\n' "$st" "$f" "${why:-(no warning)}"
}
export -f one

find "$DIR" -type f -print0 | sort -z |
    xargs -0 -n1 -P "$JOBS" bash -c 'one "$1"' _ >"$OUT/results.tsv"

total=$(wc -l <"$OUT/results.tsv")
echo "capsule: $CAPSULE"
echo "files: $total (results in $OUT/results.tsv)"
cut -f1 "$OUT/results.tsv" | sed 's/(.*//' | sort | uniq -c | sort -rn
echo "by project (the first part of the path under DIR): files, importing"
awk -F'\t' -v dir="${DIR%/}/" '{ p = substr($2, length(dir) + 1);
    sub(/\/.*/, "", p); n[p]++; if ($1 ~ /^imports/) i[p]++ }
    END { for (p in n) printf "%6d %6d  %s\n", n[p], i[p], p }' \
    "$OUT/results.tsv" | sort -k3
echo "refused, by first warning:"
awk -F'\t' '$1 == "refused" { print $3 }' "$OUT/results.tsv" |
    sort | uniq -c | sort -rn | head -40
echo "imported some, refused others, by first warning:"
awk -F'\t' '$1 == "imports-some" { print $3 }' "$OUT/results.tsv" |
    sort | uniq -c | sort -rn | head -25
bad=$(awk -F'\t' '$1 != "imports" && $1 != "imports-some" && $1 != "refused"' "$OUT/results.tsv")
if [ -n "$bad" ]; then
	echo "CRASHED, HUNG OR SANITIZER REPORTS:"
	printf '%s\n' "$bad"
	exit 1
fi
echo "none crashed, hung or drew a sanitizer report"
