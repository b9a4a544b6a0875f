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
# A reload reads the store and the key pairs again. With --hostname every
# pair exists once started, so the cert dir is read only: a pair deleted
# meanwhile is not made again, and the old one stays in use.
mv "$TMP/certs/localhost.crt" "$TMP/certs/localhost.crt.away"
mv "$TMP/certs/localhost.key" "$TMP/certs/localhost.key.away"
kill -HUP "$SERVER_PID"
wait_log "updated:"
check_has sandbox_reload_works "updated: " "$(cat "$TMP/server.out")"
check sandbox_reload_cert_dir_read_only "" "$(ls "$TMP/certs/localhost.key" 2>/dev/null)"
check_has sandbox_reload_keeps_the_old_pair "still using the old key pairs" "$(cat "$TMP/server.out")"
check sandbox_serves_after_reload "20" "$("$GEMGET" -p "$GEM_PORT" localhost "gemini://localhost/\r\n" 2>/dev/null | head -c 2)"
mv "$TMP/certs/localhost.crt.away" "$TMP/certs/localhost.crt"
mv "$TMP/certs/localhost.key.away" "$TMP/certs/localhost.key"
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
chmod 600 "$TMP/certs/localhost.key"

# --- names from the store's settings: a reload may have to make a key
# pair, so the cert dir stays writable for this server.
mkdir -p "$TMP/certs2"
"$CAPSULE" serve --foreground --content "$ROOT/content" --cert-dir "$TMP/certs2" \
    --listen 127.0.0.1 --gemini-port "$(free_port)" --gopher-port "$(free_port)" \
    --workers 1 >"$TMP/names.out" 2>&1 &
SERVER_PID=$!
wait_ready "$TMP/names.out"
rm -f "$TMP/certs2/localhost.crt" "$TMP/certs2/localhost.key"
kill -HUP "$SERVER_PID"
i=0
while [ ! -e "$TMP/certs2/localhost.key" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
check sandbox_reload_made_a_key_pair 600 "$(stat -c %a "$TMP/certs2/localhost.key" 2>/dev/null)"
stop_server

# --- a replaced content directory, followed live and on SIGHUP
OLD=iran-school-opening-stoke-uprising
gem() { "$GEMGET" -p "$GEM_PORT" -t 10 localhost "gemini://localhost$1\r\n" 2>/dev/null; }
# wait_for NAME PATH NEEDLE: until the Gemini answer for PATH holds NEEDLE
# (10 s at most).
wait_for() {
	local got i
	for i in $(seq 1 100); do
		got=$(gem "$2")
		case "$got" in *"$3"*) ok "$1"; return 0 ;; esac
		sleep 0.1
	done
	fail "$1" "after 10 s, $2: [$(printf %s "$got" | head -c 200)]"
}
# wait_count N TEXT: until the server's output has TEXT N times (5 s).
wait_count() {
	local i=0
	while [ "$(grep -c "$2" "$TMP/server.out")" -lt "$1" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}
newpost() { # newpost DIR NAME TITLE
	printf 'Title: %s\nDate: 2030-01-02\n\nThe body of %s.\n' "$3" "$3" >"$1/$2.txt"
}
# replaced NAME: the checks after a deployment that brought post NEW.
replaced() {
	wait_for "sandbox_${1}_new_post_found_live" "/posts/$NEW" "The body of"
	check_has "sandbox_${1}_old_post_served" "Beginning the school year" "$(gem "/posts/$OLD")"
	kill -HUP "$SERVER_PID"
	wait_count 2 "updated:"
	check_has "sandbox_${1}_reload_reads_the_store" "updated: 11 posts" "$(cat "$TMP/server.out")"
	check_has "sandbox_${1}_new_post_after_reload" "The body of" "$(gem "/posts/$NEW")"
	check_has "sandbox_${1}_old_post_after_reload" "Beginning the school year" "$(gem "/posts/$OLD")"
	check "sandbox_${1}_old_post_is_readable" "" "$(gem "/posts/$OLD" | grep 'cannot be read right now')"
	check "sandbox_${1}_no_permission_denied" "" "$(grep -iE 'permission denied|cannot read' "$TMP/server.out")"
	alive "sandbox_${1}_alive"
}

# Deployed by flipping a symlink to a new release.
SITE="$TMP/site"
mkdir -p "$SITE/releases"
cp -r "$ROOT/content" "$SITE/releases/a"
ln -s releases/a "$SITE/content"
CONTENT="$SITE/content" start_server
cp -r "$SITE/releases/a" "$SITE/releases/b"
NEW=flipped
newpost "$SITE/releases/b" "$NEW" "Flipped in"
ln -sfn releases/b "$SITE/content.new" && mv -T "$SITE/content.new" "$SITE/content"
replaced symlink_flip
stop_server

# Deployed by moving the old directory away and copying the new one in.
DEPLOY="$TMP/deploy"
mkdir -p "$DEPLOY"
cp -r "$ROOT/content" "$DEPLOY/content"
cp -r "$ROOT/content" "$TMP/new"
NEW=copied
newpost "$TMP/new" "$NEW" "Copied in"
CONTENT="$DEPLOY/content" start_server
mv "$DEPLOY/content" "$DEPLOY/content.old" && cp -r "$TMP/new" "$DEPLOY/content"
replaced moved_and_copied
stop_server

# --- the access log rotated: SIGUSR1 and SIGHUP reopen it by its name
mkdir -p "$TMP/logs"
LOG="$TMP/logs/access.log"
start_server --access-log "$LOG"
check "sandbox_log_in_its_own_dir_no_warning" "" "$(grep 'directory of its own' "$TMP/server.out")"
gem / >/dev/null
# rotated NAME SIGNAL: moves the log away, signals, and checks new lines
# land in a new file.
rotated() {
	local i=0
	mv "$LOG" "$LOG.$1"
	kill "-$2" "$SERVER_PID"
	while [ ! -s "$LOG" ] && [ $i -lt 50 ]; do
		gem / >/dev/null
		sleep 0.1
		i=$((i + 1))
	done
	gem "/after-$1" >/dev/null
	check_has "sandbox_${1}_log_made_anew" "gemini 127.0.0.1 \"gemini://localhost/after-$1\" 51" "$(cat "$LOG" 2>/dev/null)"
	check "sandbox_${1}_old_log_left_alone" "" "$(grep -F "after-$1" "$LOG.$1")"
	alive "sandbox_${1}_alive"
}
rotated usr1 USR1
rotated hup HUP
stop_server
start_server
check_has sandbox_log_in_a_shared_dir_says_so "rotating by renaming needs a directory of its own" "$(cat "$TMP/server.out")"
kill -USR1 "$SERVER_PID"
sleep 0.2
alive sandbox_usr1_never_kills
stop_server

# --- what a confined server must not reach, tried from inside: each probe
# enters the same sandbox as serving, tries one thing and says "refused"
# (exit 0) or dies of SIGSYS; 3 means it worked.
SIGSYS_RC=$((128 + $(kill -l SYS)))
probe() { # probe WHAT [flags]: prints the exit status
	"$CAPSULE" serve --foreground --content "$ROOT/content" --cert-dir "$TMP/certs" \
	    --hostname localhost --listen 127.0.0.1 --gemini-port 0 \
	    --gopher-port "$(free_port)" --workers 1 --sandbox-probe "$1" "${@:2}" \
	    >"$TMP/probe.out" 2>&1
	echo $?
}
refused() { # refused NAME WHAT
	local rc
	rc=$(probe "$2")
	case "$rc" in
	0 | "$SIGSYS_RC") ok "$1" ;;
	*) fail "$1" "exit $rc: $(tail -2 "$TMP/probe.out")" ;;
	esac
}
ABSTRACT="capsule-test-$$"
python3 - "$TMP/root.sock" "$ABSTRACT" <<'PY' &
import os, socket, sys, time
a = socket.socket(socket.AF_UNIX)
a.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o600)
a.listen(16)
b = socket.socket(socket.AF_UNIX)
b.bind("\0" + sys.argv[2])
b.listen(16)
time.sleep(120)
PY
LISTENER=$!
i=0
while [ ! -S "$TMP/root.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
sleep 60 &
VICTIM=$!
# Unconfined, the probes reach their targets: they can tell.
check sandbox_probe_unconfined_connects 3 "$(probe "connect:$TMP/root.sock" --no-sandbox)"
check sandbox_probe_unconfined_connects_abstract 3 "$(probe "connect:@$ABSTRACT" --no-sandbox)"
refused sandbox_no_connect_to_a_unix_socket "connect:$TMP/root.sock"
refused sandbox_no_connect_to_an_abstract_socket "connect:@$ABSTRACT"
refused sandbox_no_signal_to_another_process "tgkill:$VICTIM"
if kill -0 "$VICTIM" 2>/dev/null; then ok sandbox_other_process_survives; else
	fail sandbox_other_process_survives "it was killed"; fi
refused sandbox_no_user_namespace_by_unshare unshare:user
refused sandbox_no_user_namespace_by_clone clone:user
refused sandbox_no_user_namespace_by_clone3 clone3:user
refused sandbox_no_rename_in_the_cert_dir "rename:$TMP/certs/localhost.key|$TMP/certs/stolen.key"
check sandbox_key_pair_still_in_place 600 "$(stat -c %a "$TMP/certs/localhost.key" 2>/dev/null)"
check_has sandbox_probe_says_refused "refused" "$(cat "$TMP/probe.out")"
kill "$LISTENER" "$VICTIM" 2>/dev/null
wait "$LISTENER" "$VICTIM" 2>/dev/null
# wait says 143 for the killed pair; that is no failure of the script.
exit 0
