#!/usr/bin/env bash
# sandbox_cost.sh: what confinement costs per request (`make bench` runs
# it after run.sh). Two capsules serve the same content at once, one
# confined and one with --no-sandbox, both pinned to the same core; the
# load generator then measures them in interleaved pairs (ABBA order, so
# a drift in the machine's load falls on both), one protocol at a time,
# and each pair gives a ratio of server CPU per request. Writes
# tests/bench/out/sandbox.md.
#
#   SANDBOX_PAIRS=N    pairs per protocol (default 5)
#   SANDBOX_SECONDS=N  seconds per cell (default 2)
#   SANDBOX_CLIENTS=N  concurrent clients (default 16)
#   CAPSULE=path       the binary under test (default capsule/capsule)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$ROOT/tests/bench
BUILD=$ROOT/build/bench
OUT=$BENCH/out
LG=$BUILD/loadgen
CAPSULE=${CAPSULE:-$ROOT/capsule/capsule}
PAIRS=${SANDBOX_PAIRS:-5}
SECS=${SANDBOX_SECONDS:-2}
CLIENTS=${SANDBOX_CLIENTS:-16}
POST=/posts/iran-school-opening-stoke-uprising
RESULTS=$OUT/sandbox.md

say() { printf '%s\n' "$*" >&2; }
die() { say "sandbox_cost: $*"; exit 1; }
kv() {
	local w
	for w in $2; do
		case $w in "$1="*) echo "${w#*=}"; return ;; esac
	done
	echo na
}

mkdir -p "$BUILD" "$OUT" || exit 1
if [ ! -x "$LG" ]; then
	# shellcheck disable=SC2046
	cc -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -g \
	    -o "$LG" "$BENCH"/loadgen.c "$BENCH"/conn.c "$BENCH"/hist.c \
	    "$BENCH"/fetch.c $(pkg-config --cflags --libs libssl libcrypto) \
	    -pthread || die "cannot build loadgen"
fi
# shellcheck disable=SC2046
cc -std=c17 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -I"$ROOT/capsule" \
    -o "$BUILD/seccomp_cost" "$BENCH/seccomp_cost.c" "$ROOT/capsule/sandbox.c" \
    $(pkg-config --cflags --libs libseccomp) || die "cannot build seccomp_cost"
if [ "$(nproc)" -ge 2 ]; then
	SRV="taskset -c 0"
	GEN="taskset -c 1"
else
	SRV=""
	GEN=""
fi

TMP=$(mktemp -d /tmp/capsule-sandbox-cost.XXXXXX)
PIDS=""
cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start NAME [flags]: a capsule on its own ports; sets NAME_GEM,
# NAME_GOPH and NAME_PID.
start() {
	local name=$1 gem goph pid i
	shift
	gem=$(free_port)
	goph=$(free_port)
	mkdir -p "$TMP/certs"
	$SRV "$CAPSULE" serve --foreground --content "$ROOT/content" \
	    --cert-dir "$TMP/certs" --hostname localhost --listen 127.0.0.1 \
	    --gemini-port "$gem" --gopher-port "$goph" --workers 1 \
	    --cache-dir none "$@" >"$TMP/$name.log" 2>&1 &
	pid=$!
	PIDS="$PIDS $pid"
	for i in $(seq 1 100); do
		grep -q '^capsule: open ' "$TMP/$name.log" && break
		sleep 0.05
	done
	grep -q '^capsule: open ' "$TMP/$name.log" ||
	    die "$name did not start: $(tail -3 "$TMP/$name.log")"
	printf -v "${name}_GEM" %s "$gem"
	printf -v "${name}_GOPH" %s "$goph"
	printf -v "${name}_PID" %s "$pid"
}

# The first start makes the key pair; the second finds it.
start on
start off --no-sandbox
# Every client is 127.0.0.1.
grep -q 'sandbox: no_new_privs' "$TMP/on.log" || die "the confined one is not: $(tail -3 "$TMP/on.log")"

# cell NAME PROTO [flags]: server CPU µs per request, or na.
cell() {
	local name=$1 proto=$2 port pid line
	shift 2
	if [ "$proto" = gemini ]; then port=${name}_GEM; else port=${name}_GOPH; fi
	pid=${name}_PID
	line=$($GEN "$LG" -p "$proto" -P "${!port}" -u "$POST" -c "$CLIENTS" \
	    -d "$SECS" -W 0.3 -T 10 -C "${!pid}" "$@" 2>>"$TMP/loadgen.log")
	echo "$name $proto $* $line" >>"$OUT/sandbox-raw.txt"
	kv server_cpu_us_per_req "$line"
}

: >"$OUT/sandbox-raw.txt"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
ROWS=""
for spec in ${SANDBOX_PROTOS:-gopher "gemini -r" gemini}; do
	proto=${spec%% *}
	flags=""
	[ "$spec" = "gemini -r" ] && flags=-r
	label=$proto
	[ "$spec" = "gemini -r" ] && label="gemini, resumed"
	[ "$spec" = "gemini" ] && label="gemini, full handshake"
	ratios=""
	pairs=""
	for i in $(seq 1 "$PAIRS"); do
		# ABBA: the confined one first in odd pairs, second in even.
		if [ $((i % 2)) = 1 ]; then
			a=$(cell on "$proto" $flags)
			b=$(cell off "$proto" $flags)
		else
			b=$(cell off "$proto" $flags)
			a=$(cell on "$proto" $flags)
		fi
		r=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a == "na" || b == "na" || b + 0 == 0) print "na"; else printf "%.3f", a / b }')
		say "$label pair $i: confined $a µs/req, --no-sandbox $b µs/req, ratio $r"
		pairs="$pairs $a/$b"
		ratios="$ratios $r"
	done
	med=$(printf '%s\n' $ratios | grep -v na | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "na"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	lo=$(printf '%s\n' $ratios | grep -v na | sort -n | head -1)
	hi=$(printf '%s\n' $ratios | grep -v na | sort -n | tail -1)
	ROWS="$ROWS| $label | ${pairs# } | $med | ${lo:-na}–${hi:-na} |
"
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
# The same sandbox (no paths) around single calls: best of many rounds.
CALLS=$($SRV "$BUILD/seccomp_cost" 2>&1) || say "seccomp_cost: $CALLS"

{
	echo "## The sandbox's cost"
	echo
	echo "$(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo "?"). Two capsules (\`--workers 1\`, both on CPU 0), one confined ($(sed -n 's/^capsule: sandbox: \(no_new_privs.*\)/\1/p' "$TMP/on.log" | head -1)) and one \`--no-sandbox\`; $CLIENTS clients on CPU 1 ask for the same post, $SECS s per cell, $PAIRS interleaved pairs per protocol (ABBA order). Load average before: $LOAD0; after: $LOAD1."
	echo
	echo "| protocol | server CPU µs/req per pair, confined / unconfined | median ratio | range |"
	echo "| --- | --- | ---: | --- |"
	printf '%s' "$ROWS"
	echo
	echo "A ratio of 1.05 means confinement costs 5% more CPU per request."
	echo
	echo "Single system calls, ns each (\`seccomp_cost\`: best of 40 rounds of 20,000 calls, the confined thread and an unconfined one of the same process taking turns):"
	echo
	echo "| call | unconfined | confined | difference |"
	echo "| --- | ---: | ---: | ---: |"
	printf '%s\n' "$CALLS" | awk '/^call=/ {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "| %s | %.0f | %.0f | %+.0f |\n", v["call"], v["unconfined_ns"], v["confined_ns"], v["confined_ns"] - v["unconfined_ns"] }'

} >"$RESULTS"
cat "$RESULTS"
