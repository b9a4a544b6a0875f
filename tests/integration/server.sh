#!/usr/bin/env bash
# server.sh: the server as a whole: many clients at once, slow clients,
# the connection cap, large answers to slow readers, SIGHUP and SIGTERM,
# the config file and flags, listening addresses, privileges.
. "$(dirname "$0")/../lib.sh"

CONTENT="$TMP/content"
cp -r "$ROOT/content" "$CONTENT"
POST=iran-school-opening-stoke-uprising

# A post of about 2 MB, far more than a socket buffer holds.
awk 'BEGIN {
	printf "Title: A very long post\nDate: 2001-01-01\nTags: Big\n\n"
	for (i = 1; i <= 6000; i++)
		printf "Paragraph %d of a long post, long enough to need many TLS records, many writes, and backpressure on the way out to a slow reader.\n\n0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789 0123456789\n\n", i
}' >"$CONTENT/a-very-long-post.txt"

# gem PATH [gemget flags...]: the raw answer to a request for PATH.
gem() {
	local p=$1
	shift
	"$GEMGET" -p "$GEM_PORT" -t 20 "$@" localhost "gemini://localhost:$GEM_PORT$p\r\n"
}
# goph SELECTOR [gemget flags...]
goph() {
	local s=$1
	shift
	"$GEMGET" -P -p "$GOPH_PORT" -t 20 "$@" 127.0.0.1 "$s\r\n"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# capsule ARGS...: a run that should end by itself; a hang ends in 10 s.
capsule() { timeout 10 "$CAPSULE" "$@"; }

# 200 clients at once below, all 127.0.0.1: no per-address cap.
if ! start_server --max-conns-per-addr 0; then
	fail server_starts "$(tail -5 "$TMP/server.out")"
	exit 1
fi
ok server_starts

# --- 200 clients at once, half Gemini, half Gopher, each answered in full
paths=(/ /posts/ /tags/ /tag/mek-support/ "/posts/$POST" /robots.txt)
mkdir -p "$TMP/want" "$TMP/got"
for k in "${!paths[@]}"; do
	gem "${paths[$k]}" >"$TMP/want/gem$k" 2>/dev/null
	goph "${paths[$k]}" >"$TMP/want/goph$k" 2>/dev/null
done
pids=()
for i in $(seq 0 99); do
	k=$((i % ${#paths[@]}))
	gem "${paths[$k]}" >"$TMP/got/gem$i" 2>/dev/null &
	pids+=($!)
	goph "${paths[$k]}" >"$TMP/got/goph$i" 2>/dev/null &
	pids+=($!)
done
wait "${pids[@]}"
bad=0
for i in $(seq 0 99); do
	k=$((i % ${#paths[@]}))
	cmp -s "$TMP/want/gem$k" "$TMP/got/gem$i" || bad=$((bad + 1))
	cmp -s "$TMP/want/goph$k" "$TMP/got/goph$i" || bad=$((bad + 1))
done
check server_200_simultaneous_clients_all_answered "0 bad" "$bad bad"
check_has server_simultaneous_answers_are_real "20 text/gemini" "$(head -c 40 "$TMP/got/gem0")"
alive server_alive_after_crowd

# --- a large answer to a reader that waits: complete and byte-exact
want=$("$CAPSULE" render --gemini --content "$CONTENT" /posts/a-very-long-post 2>/dev/null | sha256sum)
got=$(gem /posts/a-very-long-post -w 300 2>"$TMP/err" | tail -n +2 | sha256sum)
check server_large_gemini_answer_to_slow_reader "$want" "$got"
check_has server_large_answer_ends_with_close_notify "close_notify: yes" "$(cat "$TMP/err")"
want=$("$CAPSULE" render --gopher --content "$CONTENT" --hostname localhost --gopher-port "$GOPH_PORT" /posts/a-very-long-post 2>/dev/null | sha256sum)
got=$(goph /posts/a-very-long-post -w 300 2>/dev/null | sha256sum)
check server_large_gopher_answer_to_slow_reader "$want" "$got"
size=$(gem /posts/a-very-long-post 2>/dev/null | wc -c)
if [ "$size" -gt 1500000 ]; then ok server_large_answer_is_large; else
	fail server_large_answer_is_large "only $size bytes"; fi
stop_server
# Every later start would load it again.
rm "$CONTENT/a-very-long-post.txt"

# --- one worker: slow clients do not delay a fast one
start_server --workers 1
exec 5<>"/dev/tcp/127.0.0.1/$GEM_PORT"	# half a ClientHello, then nothing
printf '\026\003' >&5
exec 6<>"/dev/tcp/127.0.0.1/$GOPH_PORT"	# one byte of a selector
printf '/' >&6
"$GEMGET" -p "$GEM_PORT" -d 2000 localhost "gemini://localhost:$GEM_PORT/\r\n" >"$TMP/slow" 2>&1 &
slow=$!
sleep 0.3
t0=$(now_ms)
g=$(gem / 2>/dev/null | head -n 1 | tr -d '\r')
p=$(goph /robots.txt 2>/dev/null | head -n 1 | tr -d '\r')
ms=$(($(now_ms) - t0))
check server_fast_client_answered_beside_slow_ones "20 text/gemini; charset=utf-8; lang=en|User-agent: *" "$g|$p"
if [ "$ms" -lt 1500 ]; then ok server_slow_clients_do_not_delay_others; else
	fail server_slow_clients_do_not_delay_others "fast requests took $ms ms"; fi
wait "$slow"
check_has server_slow_client_answered_in_the_end "20 text/gemini" "$(head -n 1 "$TMP/slow")"
exec 5>&- 6>&-
alive server_alive_after_slow_clients
stop_server

# --- the connection cap: 44 for Gemini, an error item for Gopher
start_server --workers 1 --max-conns 2
exec 5<>"/dev/tcp/127.0.0.1/$GEM_PORT"
exec 6<>"/dev/tcp/127.0.0.1/$GOPH_PORT"
sleep 0.2
got=$(gem / 2>"$TMP/err" | tr -d '\r')
check server_over_cap_gemini_is_44 "44 5" "$got"
check_has server_over_cap_44_ends_with_close_notify "close_notify: yes" "$(cat "$TMP/err")"
got=$(goph / 2>/dev/null)
check_has server_over_cap_gopher_is_error_item "3Too busy" "$got"
exec 5>&- 6>&-
sleep 0.3
check server_under_cap_again_is_20 "20" "$(gem / 2>/dev/null | head -c 2)"
alive server_alive_after_cap
stop_server

# --- SIGHUP: a changed post, a new post, new certificates; a bad reload
start_server
timeout 5 "$CAPSULE" serve --foreground --content "$CONTENT" \
    --cert-dir "$TMP/certs" --listen 127.0.0.1 --gemini-port "$GEM_PORT" \
    --gopher-port "$(free_port)" >/dev/null 2>"$TMP/err"
rc=$?
check_has server_port_in_use_is_an_error "port $GEM_PORT: Address already in use" "$(cat "$TMP/err")"
check server_port_in_use_exits_1 "1" "$rc"
check_has server_before_reload "# Iran: School Opening Stoke Uprising" "$(gem "/posts/$POST" 2>/dev/null)"
fp_old=$(gem / -f 2>&1 >/dev/null | sed -n 's/^hash: //p')
sed -i 's/^Title: Iran: School Opening Stoke Uprising$/Title: Reloaded: School Opening/' "$CONTENT/$POST.txt"
cp "$CONTENT/$POST.txt" "$CONTENT/a-new-post.txt"
# A new key pair put in place (the cert dir is read only to a server whose
# names are given: it makes pairs at start only).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -subj /CN=localhost -days 2 -keyout "$TMP/new.key" -out "$TMP/new.crt" 2>/dev/null
chmod 600 "$TMP/new.key"
mv "$TMP/new.key" "$TMP/certs/localhost.key"
mv "$TMP/new.crt" "$TMP/certs/localhost.crt"
kill -HUP "$SERVER_PID"
for i in $(seq 1 50); do
	got=$(gem "/posts/$POST" 2>/dev/null)
	case "$got" in *Reloaded*) break ;; esac
	sleep 0.1
done
check_has server_sighup_serves_changed_post "# Reloaded: School Opening" "$got"
check server_sighup_serves_new_post "20" "$(gem /posts/a-new-post 2>/dev/null | head -c 2)"
fp_new=$(gem / -f 2>&1 >/dev/null | sed -n 's/^hash: //p')
if [ -n "$fp_old" ] && [ -n "$fp_new" ] && [ "$fp_old" != "$fp_new" ]; then
	ok server_sighup_reloads_certificates
else fail server_sighup_reloads_certificates "old [$fp_old] new [$fp_new]"; fi
mv "$CONTENT" "$CONTENT.away"
kill -HUP "$SERVER_PID"
for i in $(seq 1 50); do
	grep -q 'still serving the old snapshot' "$TMP/server.out" && break
	sleep 0.1
done
check_has server_failed_reload_is_logged "still serving the old snapshot" "$(cat "$TMP/server.out")"
check_has server_failed_reload_keeps_old_snapshot "# Reloaded: School Opening" "$(gem "/posts/$POST" 2>/dev/null)"
mv "$CONTENT.away" "$CONTENT"
alive server_alive_after_reloads
stop_server

# --- SIGTERM: stop accepting, finish what is in flight, exit 0
start_server
"$GEMGET" -p "$GEM_PORT" -d 1500 localhost "gemini://localhost:$GEM_PORT/posts/$POST\r\n" >"$TMP/inflight" 2>"$TMP/inflight.err" &
gem_pid=$!
"$GEMGET" -P -p "$GOPH_PORT" -d 1500 127.0.0.1 "/posts/$POST\r\n" >"$TMP/inflight2" 2>/dev/null &
goph_pid=$!
sleep 0.5
t0=$(now_ms)
kill -TERM "$SERVER_PID"
sleep 0.3
if (exec 3<>"/dev/tcp/127.0.0.1/$GEM_PORT") 2>/dev/null; then
	fail server_sigterm_stops_accepting "a new connection was accepted"
else ok server_sigterm_stops_accepting; fi
wait "$gem_pid" "$goph_pid"
check_has server_sigterm_finishes_gemini_in_flight "# Reloaded: School Opening" "$(cat "$TMP/inflight")"
check_has server_sigterm_in_flight_gets_close_notify "close_notify: yes" "$(cat "$TMP/inflight.err")"
check_has server_sigterm_finishes_gopher_in_flight "Reloaded: School Opening" "$(cat "$TMP/inflight2")"
wait "$SERVER_PID"
rc=$?
ms=$(($(now_ms) - t0))
SERVER_PID=""
check server_sigterm_exits_0 "0" "$rc"
if [ "$ms" -lt 4500 ]; then ok server_sigterm_exits_when_done; else
	fail server_sigterm_exits_when_done "took $ms ms"; fi
check_has server_sigterm_is_logged "stopped" "$(cat "$TMP/server.out")"

# A client that never sends its request is cut off after 5 s.
start_server --request-timeout 30
exec 5<>"/dev/tcp/127.0.0.1/$GOPH_PORT"
sleep 0.2
t0=$(now_ms)
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
rc=$?
ms=$(($(now_ms) - t0))
SERVER_PID=""
exec 5>&-
check server_sigterm_with_stuck_client_exits_0 "0" "$rc"
if [ "$ms" -ge 4500 ] && [ "$ms" -lt 8000 ]; then ok server_sigterm_waits_5s_at_most; else
	fail server_sigterm_waits_5s_at_most "took $ms ms"; fi

start_server
kill -INT "$SERVER_PID"
wait "$SERVER_PID"
check server_sigint_exits_0 "0" "$?"

# A stop asked for while the store loads waits for the handlers: the
# server stops cleanly (a shell leaves a background job's SIGINT ignored,
# and a SIGTERM then would have killed it mid-start).
BIG="$TMP/bigstore"
mkdir -p "$BIG"
for i in $(seq 1 4000); do
	printf 'Title: P %d\nDate: 2020-01-01\n\nBody.\n' "$i" >"$BIG/p-$i.txt"
done
"$CAPSULE" serve --foreground --content "$BIG" --cert-dir "$TMP/certs" \
	--hostname localhost --listen 127.0.0.1 --gemini-port "$(free_port)" \
	--gopher-port "$(free_port)" --workers 2 --cache-dir "$TMP/bigcache" \
	>"$TMP/big.out" 2>&1 &
big_pid=$!
for i in $(seq 1 500); do
	grep -q "saved index not used" "$TMP/big.out" && break
	sleep 0.01
done
kill -TERM "$big_pid"
wait "$big_pid"
check server_sigterm_while_loading_exits_0 "0" "$?"
check_has server_sigterm_while_loading_is_logged "stopped" "$(cat "$TMP/big.out")"

# --- an interrupted certificate generation heals; a whole pair is kept
fp_of() { openssl x509 -noout -fingerprint -sha256 -in "$1" 2>/dev/null; }
fp_keep=$(fp_of "$TMP/certs/localhost.crt")
start_server
check server_keeps_a_complete_pair "$fp_keep" "$(fp_of "$TMP/certs/localhost.crt")"
stop_server
rm -f "$TMP/certs/localhost.crt"
: >"$TMP/certs/localhost.crt.tmp"
start_server
check server_heals_a_key_without_cert "20" "$(gem / 2>/dev/null | head -c 2)"
check_has server_heal_is_logged "made a self-signed certificate" "$(cat "$TMP/server.out")"
if [ -e "$TMP/certs/localhost.crt.tmp" ] || [ -e "$TMP/certs/localhost.key.tmp" ]; then
	fail server_heal_leaves_no_tmp "$(ls "$TMP/certs")"
else ok server_heal_leaves_no_tmp; fi
stop_server
rm -f "$TMP/certs/localhost.key"
start_server
check server_heals_a_cert_without_key "20" "$(gem / 2>/dev/null | head -c 2)"
stop_server
SERVER_PID=""

# --- flags and the config file
help=$(capsule serve --help)
missing=""
for f in --config --content --hostname --listen --gemini-port --gopher-port \
    --cert-dir --workers --max-conns --user --access-log --foreground \
    --help --version; do
	case "$help" in *"$f"*) ;; *) missing="$missing $f" ;; esac
done
check server_help_lists_every_flag "" "$missing"
check_has server_help_without_subcommand "--gemini-port" "$(capsule --help 2>&1)"
check_has server_version "capsule " "$(capsule serve --version)"
capsule serve --no-such-flag >/dev/null 2>"$TMP/err"
check server_unknown_flag_exits_2 "2" "$?"
check_has server_unknown_flag_says_which "--no-such-flag" "$(cat "$TMP/err")"
capsule serve --gemini-port 99999 >/dev/null 2>"$TMP/err"
check server_bad_port_exits_2 "2" "$?"

P1=$(free_port)
P2=$(free_port)
P3=$(free_port)
cat >"$TMP/capsule.conf" <<EOF
# A config file: every flag is a line.
content $CONTENT
hostname localhost
listen 127.0.0.1
gemini-port $P1
gopher-port $P2

cert-dir $TMP/certs
workers 1
foreground
access-log $TMP/conf-access.log
EOF
"$CAPSULE" serve --config "$TMP/capsule.conf" --gopher-port "$P3" >"$TMP/conf.out" 2>&1 &
SERVER_PID=$!
wait_port "$P1"
wait_port "$P3"
wait_ready "$TMP/conf.out"
check server_config_file_sets_port "20" "$("$GEMGET" -p "$P1" localhost "gemini://localhost:$P1/\r\n" 2>/dev/null | head -c 2)"
check_has server_flag_overrides_config_file "User-agent" "$("$GEMGET" -P -p "$P3" 127.0.0.1 "/robots.txt\r\n" 2>/dev/null)"
sleep 0.2
check_has server_config_file_sets_access_log "gemini 127.0.0.1" "$(cat "$TMP/conf-access.log" 2>/dev/null)"
stop_server
printf 'content %s\nbogus 1\n' "$CONTENT" >"$TMP/bad.conf"
capsule serve --config "$TMP/bad.conf" >/dev/null 2>"$TMP/err"
check server_bad_config_exits_2 "2" "$?"
check_has server_bad_config_says_where "bad.conf:2: unknown setting" "$(cat "$TMP/err")"

# --- the store: unreadable, or with a bad post
capsule serve --foreground --content "$TMP/no-such-dir" --cert-dir "$TMP/certs" \
    --listen 127.0.0.1 --gemini-port "$(free_port)" --gopher-port "$(free_port)" \
    >/dev/null 2>"$TMP/err"
rc=$?
if [ "$rc" -ne 0 ]; then ok server_unreadable_store_exits_nonzero; else
	fail server_unreadable_store_exits_nonzero "exit 0"; fi
check_has server_unreadable_store_says_why "no-such-dir" "$(cat "$TMP/err")"
# From the saved index with nothing changed since: the look at every
# file keeps the loaded store (its posts in the mapped index) served.
start_server
for i in $(seq 1 50); do
	grep -q "updated: " "$TMP/server.out" && break
	sleep 0.1
done
check_has server_unchanged_store_keeps_its_snapshot "nothing changed: the snapshot stays" "$(cat "$TMP/server.out")"
check server_unchanged_store_still_served "20" "$(gem "/posts/$POST" 2>/dev/null | head -c 2)"
stop_server
printf 'Title: Broken\nNo date here\n\nbody\n' >"$CONTENT/broken-post.txt"
start_server
# From a saved index the server answers at once; the look at every file
# that follows reports problems moments later.
for i in $(seq 1 50); do
	grep -q "broken-post.txt:" "$TMP/server.out" && break
	sleep 0.1
done
check_has server_bad_post_is_reported "broken-post.txt:" "$(cat "$TMP/server.out")"
check server_bad_post_is_skipped "51" "$(gem /posts/broken-post 2>/dev/null | head -c 2)"
check server_other_posts_still_served "20" "$(gem "/posts/$POST" 2>/dev/null | head -c 2)"
stop_server
rm "$CONTENT/broken-post.txt"

# --- listening: by default on every IPv4 and IPv6 address
P1=$(free_port)
P2=$(free_port)
"$CAPSULE" serve --foreground --content "$CONTENT" --cert-dir "$TMP/certs" \
    --hostname localhost --gemini-port "$P1" --gopher-port "$P2" --workers 1 \
    >"$TMP/all.out" 2>&1 &
SERVER_PID=$!
wait_port "$P2"
wait_ready "$TMP/all.out"
check server_default_listen_ipv4 "20" "$("$GEMGET" -p "$P1" -s localhost 127.0.0.1 "gemini://localhost:$P1/\r\n" 2>/dev/null | head -c 2)"
check server_default_listen_ipv6 "20" "$("$GEMGET" -p "$P1" -s localhost ::1 "gemini://localhost:$P1/\r\n" 2>/dev/null | head -c 2)"
check_has server_default_listen_gopher_ipv6 "User-agent" "$("$GEMGET" -P -p "$P2" ::1 "/robots.txt\r\n" 2>/dev/null)"
stop_server

# --- privileges (only testable as root)
if [ "$(id -u)" = 0 ]; then
	capsule serve --content "$TMP/no-such-dir" --cert-dir "$TMP/certs" \
	    --listen 127.0.0.1 --gemini-port "$(free_port)" \
	    --gopher-port "$(free_port)" >/dev/null 2>"$TMP/err"
	rc=$?
	check_has server_refuses_root_without_user "refusing to run as root" "$(cat "$TMP/err")"
	check server_refuses_root_exit_status "1" "$rc"
	if id nobody >/dev/null 2>&1; then
		chmod 755 "$TMP"
		mkdir -p "$TMP/ucerts"
		chown nobody "$TMP/ucerts"
		gport=70
		(exec 3<>/dev/tcp/127.0.0.1/70) 2>/dev/null && gport=$(free_port)
		P1=$(free_port)
		"$CAPSULE" serve --foreground --user nobody --content "$CONTENT" \
		    --cert-dir "$TMP/ucerts" --hostname localhost --listen 127.0.0.1 \
		    --gemini-port "$P1" --gopher-port "$gport" --workers 1 \
		    >"$TMP/user.out" 2>&1 &
		SERVER_PID=$!
		wait_port "$P1"
		wait_ready "$TMP/user.out"
		uid=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$SERVER_PID/status")
		nob=$(id -u nobody)
		check server_user_drops_privileges "$nob $nob $nob $nob" "$uid"
		check_has server_user_still_serves_gopher "User-agent" "$("$GEMGET" -P -p "$gport" 127.0.0.1 "/robots.txt\r\n" 2>/dev/null)"
		check server_user_still_serves_gemini "20" "$("$GEMGET" -p "$P1" localhost "gemini://localhost:$P1/\r\n" 2>/dev/null | head -c 2)"
		check server_user_made_cert_as_user "nobody" "$(stat -c %U "$TMP/ucerts/localhost.key" 2>/dev/null)"
		stop_server
	fi
else
	ok "server_privileges # skipped: not root"
fi
