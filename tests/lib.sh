# lib.sh: shared by the integration scripts. Each script prints one line per
# case, "ok NAME" or "FAIL NAME: why", and tests/run.sh counts them.
# CAPSULE is the binary under test; ROOT the repository.

: "${ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${CAPSULE:=$ROOT/capsule/capsule}"
GEMGET="$ROOT/build/gemget"

ok() { printf 'ok   %s\n' "$1"; }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; }

# check NAME WANT GOT: equal strings, else a failure with both shown.
check() {
	if [ "$2" = "$3" ]; then ok "$1"; else
		fail "$1" "want [$(printf %s "$2" | head -c 300)] got [$(printf %s "$3" | head -c 300)]"
	fi
}

# check_has NAME NEEDLE HAYSTACK
check_has() {
	case "$3" in
	*"$2"*) ok "$1" ;;
	*) fail "$1" "no [$2] in [$(printf %s "$3" | head -c 300)]" ;;
	esac
}

# free_port: a TCP port nobody listens on now.
free_port() {
	python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

# tmpdir: a scratch folder removed when the script exits.
TMP=$(mktemp -d /tmp/capsule-test.XXXXXX)
trap 'stop_server; rm -rf "$TMP"' EXIT
# capsule's saved indexes go with the scratch folder, not into ~/.cache
# (only capsule's: other programs under test keep their XDG_CACHE_HOME).
export CAPSULE_CACHE_DIR="$TMP/cache/capsule"

SERVER_PID=""
# start_server [extra flags...]: serves $CONTENT (default the repository's
# content/) on free ports; sets GEM_PORT, GOPH_PORT and SERVER_PID.
start_server() {
	GEM_PORT=$(free_port)
	GOPH_PORT=$(free_port)
	mkdir -p "$TMP/certs"
	"$CAPSULE" serve --foreground --content "${CONTENT:-$ROOT/content}" \
		--cert-dir "$TMP/certs" --hostname localhost \
		--listen 127.0.0.1 --gemini-port "$GEM_PORT" \
		--gopher-port "$GOPH_PORT" --workers 2 \
		--access-log "$TMP/access.log" "$@" \
		>"$TMP/server.out" 2>&1 &
	SERVER_PID=$!
	wait_port "$GOPH_PORT" && wait_port "$GEM_PORT" && wait_ready
}

# wait_ready [OUTPUT]: the server writing OUTPUT (default the one
# start_server started) has loaded the store and started its workers; the
# kernel accepts on a bound port before that. 5 s at most.
wait_ready() {
	local out=${1:-$TMP/server.out} i=0
	while [ $i -lt 100 ]; do
		grep -q '^capsule: open ' "$out" 2>/dev/null && return 0
		kill -0 "$SERVER_PID" 2>/dev/null || break
		sleep 0.05
		i=$((i + 1))
	done
	echo "server did not get ready:" >&2
	cat "$out" >&2
	return 1
}

# wait_port PORT: until something accepts on it (5 s at most).
wait_port() {
	i=0
	while [ $i -lt 100 ]; do
		if (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then return 0; fi
		sleep 0.05
		i=$((i + 1))
	done
	echo "server did not listen on $1:" >&2
	cat "$TMP/server.out" >&2
	return 1
}

stop_server() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=""
	fi
}

# alive NAME: the server is still running after a case.
alive() {
	if kill -0 "$SERVER_PID" 2>/dev/null; then ok "$1"; else
		fail "$1" "server died: $(tail -5 "$TMP/server.out")"
	fi
}
