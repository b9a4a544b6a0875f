#!/usr/bin/env bash
# sandbox.sh: confinement: no_new_privs, seccomp, Landlock and the
# capability bounding set on a serving server; a forbidden system call
# kills it; --no-sandbox turns it all off; private keys stay private.
. "$(dirname "$0")/../lib.sh"

status() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$SERVER_PID/status"; }
# wait_log TEXT: until the server's output has TEXT (5 s at most).
wait_log() {
	local i=0
	while ! grep -q "$1" "$TMP/server.out" && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}

CONTENT="$TMP/content"
cp -r "$ROOT/content" "$CONTENT"
mkdir -p "$TMP/outside"
printf 'Title: Outside\nDate: 2024-01-01\n\nA file outside the store.\n' >"$TMP/outside/secret.txt"
start_server
wait_log "sandbox:"
check_has sandbox_start_up_log_says_what "sandbox: no_new_privs, seccomp filter" "$(cat "$TMP/server.out")"
check sandbox_no_new_privs 1 "$(status NoNewPrivs)"
check sandbox_seccomp_filter_mode 2 "$(status Seccomp)"
if [ "$(id -u)" = 0 ]; then
	check sandbox_empty_bounding_set 0000000000000000 "$(status CapBnd)"
	check sandbox_root_keeps_no_capability 0000000000000000 "$(status CapEff)"
else
	ok "sandbox_empty_bounding_set # skipped: not root"
fi
check sandbox_still_serves_gemini "20" "$("$GEMGET" -p "$GEM_PORT" localhost "gemini://localhost/posts/\r\n" 2>/dev/null | head -c 2)"
check_has sandbox_still_serves_gopher "All posts" "$("$GEMGET" -P -p "$GOPH_PORT" 127.0.0.1 "/\r\n" 2>/dev/null)"
check_has sandbox_still_searches "Search: iran" "$("$GEMGET" -p "$GEM_PORT" localhost "gemini://localhost/search?iran\r\n" 2>/dev/null)"
# A reload reads the store and the key pairs again, and makes a new pair.
rm "$TMP/certs/localhost.crt" "$TMP/certs/localhost.key"
kill -HUP "$SERVER_PID"
wait_log "updated:"
check_has sandbox_reload_works "updated: " "$(cat "$TMP/server.out")"
check sandbox_reload_made_a_key_pair 600 "$(stat -c %a "$TMP/certs/localhost.key" 2>/dev/null)"
check sandbox_serves_after_reload "20" "$("$GEMGET" -p "$GEM_PORT" localhost "gemini://localhost/\r\n" 2>/dev/null | head -c 2)"
# Nothing outside the store is read, even through a link: the store
# refuses links, and Landlock would refuse the read.
ln -s "$TMP/outside/secret.txt" "$CONTENT/secret.txt"
kill -HUP "$SERVER_PID"
i=0
while [ "$(grep -c 'updated:' "$TMP/server.out")" -lt 2 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
check sandbox_no_reads_outside_the_store "51" "$("$GEMGET" -p "$GEM_PORT" localhost "gemini://localhost/posts/secret\r\n" 2>/dev/null | head -c 2)"
alive sandbox_alive_after_requests_and_reload
stop_server
rm "$CONTENT/secret.txt"

# --- a forbidden system call kills the process with SIGSYS
P=$(free_port)
"$CAPSULE" serve --foreground --content "$ROOT/content" --cert-dir "$TMP/certs" \
    --hostname localhost --listen 127.0.0.1 --gemini-port 0 --gopher-port "$P" \
    --workers 1 --sandbox-selftest >"$TMP/selftest.out" 2>&1 &
pid=$!
wait "$pid"
rc=$?
check sandbox_forbidden_call_dies_of_sigsys "$((128 + $(kill -l SYS)))" "$rc"
check_has sandbox_forbidden_call_was_tried "sandbox self-test" "$(cat "$TMP/selftest.out")"

# --- --no-sandbox
start_server --no-sandbox
check sandbox_off_no_seccomp 0 "$(status Seccomp)"
check_has sandbox_off_says_so "not confined" "$(cat "$TMP/server.out")"
stop_server

# --- a private key others can read is refused, with the fix
chmod 644 "$TMP/certs/localhost.key"
timeout 10 "$CAPSULE" serve --foreground --content "$CONTENT" --cert-dir "$TMP/certs" \
    --hostname localhost --listen 127.0.0.1 --gemini-port "$(free_port)" \
    --gopher-port "$(free_port)" --workers 1 >"$TMP/key.out" 2>&1
rc=$?
check sandbox_readable_key_refused 1 "$rc"
check_has sandbox_readable_key_says_how "chmod 600 $TMP/certs/localhost.key" "$(cat "$TMP/key.out")"
chmod 640 "$TMP/certs/localhost.key"
timeout 10 "$CAPSULE" serve --foreground --content "$ROOT/content" --cert-dir "$TMP/certs" \
    --hostname localhost --listen 127.0.0.1 --gemini-port "$(free_port)" \
    --gopher-port "$(free_port)" --workers 1 >"$TMP/key.out" 2>&1
check_has sandbox_group_readable_key_refused "readable by its group" "$(cat "$TMP/key.out")"
