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
    usr/lib/systemd/system/capsule.service usr/lib/systemd/system/capsule.socket; do
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
