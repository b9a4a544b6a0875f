#!/usr/bin/env bash
# run.sh: the whole suite, twice: the normal build, then the one built with
# AddressSanitizer and UndefinedBehaviorSanitizer. Ends with "N passed, N failed".
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export ROOT CAPSULE_ROOT="$ROOT"
cd "$ROOT" || exit 1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

passed=0
failed=0
log=$(mktemp)

# tally OUTPUT-FILE: counts "ok"/"FAIL" lines and echoes the failures.
tally() {
	local p f
	p=$(grep -c '^ok ' "$1")
	f=$(grep -c '^FAIL ' "$1")
	passed=$((passed + p))
	failed=$((failed + f))
	grep -A40 '^FAIL ' "$1" | grep -v '^ok ' | head -80
}

for variant in plain asan; do
	if [ $variant = plain ]; then
		export CAPSULE="$ROOT/capsule/capsule"; unit="$ROOT/build/test_unit"
	else
		export CAPSULE="$ROOT/build/asan/capsule"; unit="$ROOT/build/asan/test_unit"
	fi
	echo "== unit tests ($variant)"
	"$unit" >"$log" 2>&1
	rc=$?
	tally "$log"
	grep -q ' passed, ' "$log" || { echo "FAIL unit runner ($variant) exited $rc"; cat "$log" | tail -20; failed=$((failed + 1)); }
	for t in tests/integration/*.sh; do
		[ -e "$t" ] || continue
		echo "== $(basename "$t" .sh) ($variant)"
		timeout 600 bash "$t" >"$log" 2>&1
		rc=$?
		tally "$log"
		if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$log"; then
			echo "FAIL $(basename "$t") ($variant) exited $rc"; tail -20 "$log"
			failed=$((failed + 1))
		fi
	done
done
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
