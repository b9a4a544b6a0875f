#!/usr/bin/env bash
# install.sh: make install into a DESTDIR and a PREFIX, the systemd units
# (systemd-analyze verify), the example config, and sockets passed by
# systemd (LISTEN_FDS) through systemd-socket-activate.
. "$(dirname "$0")/../lib.sh"

# --- make install DESTDIR=... PREFIX=/usr
D="$TMP/destdir"
if make -s -C "$ROOT" install DESTDIR="$D" PREFIX=/usr >"$TMP/install.out" 2>&1; then
	ok install_destdir_runs
else
	fail install_destdir_runs "$(tail -5 "$TMP/install.out")"
fi
for f in usr/bin/capsule usr/share/man/man8/capsule.8 usr/share/man/man5/capsule.conf.5 \
    usr/share/doc/capsule/capsule.conf.example etc/capsule/capsule.conf \
    usr/lib/systemd/system/capsule.service usr/lib/systemd/system/capsule.socket \
    etc/logrotate.d/capsule; do
	if [ -f "$D/$f" ]; then ok "install_has_$f"; else fail "install_has_$f" "missing"; fi
done
check_has install_binary_runs "capsule " "$("$D/usr/bin/capsule" serve --version)"
check_has install_unit_names_the_binary "ExecStart=/usr/bin/capsule serve --foreground --config /etc/capsule/capsule.conf" "$(cat "$D/usr/lib/systemd/system/capsule.service")"
# An operator's config survives a second install.
echo "# mine" >>"$D/etc/capsule/capsule.conf"
make -s -C "$ROOT" install DESTDIR="$D" PREFIX=/usr >/dev/null 2>&1
check_has install_keeps_the_operators_config "# mine" "$(cat "$D/etc/capsule/capsule.conf")"
for m in capsule.8 capsule.conf.5; do
	w=$(LC_ALL=C MANWIDTH=80 man --warnings -l "$D/usr/share/man/man${m##*.}/$m" 2>&1 >/dev/null)
	check "install_man_${m}_renders_clean" "" "$w"
done

# --- the units, installed under a real PREFIX so their paths exist
P="$TMP/prefix"
make -s -C "$ROOT" install PREFIX="$P" >/dev/null 2>&1
if command -v systemd-analyze >/dev/null; then
	out=$(systemd-analyze verify --man=no "$P/lib/systemd/system/capsule.socket" \
	    "$P/lib/systemd/system/capsule.service" 2>&1)
	check install_units_verify "0 []" "$? [$out]"
else
	fail install_units_verify "no systemd-analyze"
fi

# --- the example config is one the server takes (paths overridden)
start_server --config "$ROOT/dist/capsule.conf" --cache-dir "$TMP/cache"
check install_example_config_serves "20" "$("$GEMGET" -p "$GEM_PORT" localhost "gemini://localhost/\r\n" 2>/dev/null | head -c 2)"
stop_server

# --- the installed logrotate snippet rotates a serving capsule's log: run
# by logrotate itself, with the log's path and the signal's target swapped
# for this test's.
if command -v logrotate >/dev/null; then
	mkdir -p "$TMP/lr"
	LR_LOG="$TMP/lr/access.log"
	start_server --access-log "$LR_LOG"
	"$GEMGET" -p "$GEM_PORT" localhost "gemini://localhost/before\r\n" >/dev/null 2>&1
	sed -e "s|/var/log/capsule/access.log|$LR_LOG|" \
	    -e "s|systemctl kill .*|kill -USR1 $SERVER_PID|" \
	    "$D/etc/logrotate.d/capsule" >"$TMP/lr.conf"
	if logrotate -f -s "$TMP/lr.state" "$TMP/lr.conf" >"$TMP/lr.out" 2>&1; then
		ok install_logrotate_runs
	else
		fail install_logrotate_runs "$(tail -3 "$TMP/lr.out")"
	fi
	i=0
	while [ ! -s "$LR_LOG" ] && [ $i -lt 50 ]; do
		"$GEMGET" -p "$GEM_PORT" localhost "gemini://localhost/after\r\n" >/dev/null 2>&1
		sleep 0.1
		i=$((i + 1))
	done
	check_has install_logrotate_moved_the_old_log '"gemini://localhost/before" 51' "$(cat "$LR_LOG.1" 2>/dev/null)"
	check_has install_logrotate_new_lines_in_a_new_log '"gemini://localhost/after" 51' "$(cat "$LR_LOG" 2>/dev/null)"
	alive install_logrotate_server_alive
	stop_server
else
	fail install_logrotate "no logrotate (make deps installs it)"
fi

# --- sockets from systemd: LISTEN_FDS, named by LISTEN_FDNAMES
if command -v systemd-socket-activate >/dev/null; then
	P1=$(free_port)
	P2=$(free_port)
	systemd-socket-activate -l "127.0.0.1:$P1" -l "127.0.0.1:$P2" --fdname=gemini:gopher \
	    "$CAPSULE" serve --foreground --content "$ROOT/content" --cert-dir "$TMP/certs" \
	    --hostname localhost --gopher-port "$P2" --workers 2 \
	    --access-log "$TMP/sa.log" >"$TMP/sa.out" 2>&1 &
	SERVER_PID=$!
	wait_port "$P1"
	check install_socket_activation_gemini "20" "$("$GEMGET" -p "$P1" localhost "gemini://localhost/\r\n" 2>/dev/null | head -c 2)"
	check_has install_socket_activation_gopher "iMEK Support" "$("$GEMGET" -P -p "$P2" 127.0.0.1 "/\r\n" 2>/dev/null)"
	check_has install_socket_activation_logged "2 listening sockets from systemd" "$(cat "$TMP/sa.out")"
	stop_server
else
	fail install_socket_activation "no systemd-socket-activate"
fi
