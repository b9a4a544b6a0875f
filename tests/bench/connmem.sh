#!/usr/bin/env bash
# connmem.sh [N]: `make bench`'s memory per idle connection. Starts
# capsule on loopback (one worker, caps raised so that N connections are
# all held) and runs connmem.py against it: resident memory per Gemini
# connection before and after its TLS handshake, per Gopher connection,
# and what stays after each burst closes. Writes tests/bench/out/connmem.md.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
CAPSULE=${CAPSULE:-$ROOT/capsule/capsule}
N=${1:-${CONNMEM_N:-2000}}
OUT=${BENCH_OUT:-$ROOT/tests/bench/out}
TMP=$(mktemp -d)
mkdir -p "$OUT" "$TMP/certs"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
GEM=$(port) GOPH=$(port)
"$CAPSULE" serve --foreground --content "$ROOT/content" --cert-dir "$TMP/certs" \
    --hostname localhost --listen 127.0.0.1 --gemini-port "$GEM" \
    --gopher-port "$GOPH" --workers 1 --max-conns $((N + 100)) \
    --max-conns-per-addr 0 --request-timeout 120 --cache-dir none \
    >"$TMP/server.out" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 1 100); do
	grep -q '^capsule: open ' "$TMP/server.out" 2>/dev/null && break
	sleep 0.05
done
# One handshake first: the certificate is made before anything is measured.
python3 "$ROOT/tests/proxyclient.py" gemini "$GEM" gemini://localhost/ >/dev/null
{
	echo "Memory per idle connection ($(basename "$CAPSULE"), --workers 1, $N at once, $(date -u +%Y-%m-%d)):"
	echo
	python3 "$ROOT/tests/bench/connmem.py" "$PID" "$GEM" "$GOPH" "$N"
} | tee "$OUT/connmem.md"
