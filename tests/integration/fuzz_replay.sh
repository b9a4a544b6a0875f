#!/usr/bin/env bash
# fuzz_replay.sh: every saved fuzz input (tests/fuzz/corpus/NAME) through
# its harness, built with ASan and UBSan (build/asan/fuzz_replay): what a
# fuzzer once found stays fixed.
. "$(dirname "$0")/../lib.sh"

REPLAY="$ROOT/build/asan/fuzz_replay"
if [ ! -x "$REPLAY" ]; then
	fail fuzz_replay_built "no $REPLAY (make build/asan/fuzz_replay)"
	exit 0
fi
cd "$ROOT" || exit 1
for dir in tests/fuzz/corpus/*/; do
	name=$(basename "$dir")
	if out=$("$REPLAY" "$name" "$dir" 2>&1); then
		ok "fuzz_replay_$name # $out"
	else
		fail "fuzz_replay_$name" "$(printf %s "$out" | grep -m3 -E 'ERROR|SUMMARY|runtime error|no harness')"
	fi
done
