#!/usr/bin/env bash
# proxy.sh: --rate-limit per client address; PROXY protocol v1 and v2 on
# both ports, believed only from --proxy-from; and HAProxy in TCP mode
# with send-proxy-v2 in front of two capsule processes.
. "$(dirname "$0")/../lib.sh"

PC="python3 $ROOT/tests/proxyclient.py"
G=gemini://localhost/

# --- --rate-limit: 2 requests a minute per address, both ports counted
start_server --rate-limit 2/60
check rate_first_allowed "20 text/gemini; charset=utf-8; lang=en" "$($PC gemini "$GEM_PORT" $G)"
check rate_second_allowed "20 text/gemini; charset=utf-8; lang=en" "$($PC gemini "$GEM_PORT" $G)"
got=$($PC gemini "$GEM_PORT" $G)
case "$got" in
"44 "[1-9]|"44 "[1-6][0-9]) ok rate_third_is_44_with_seconds ;;
*) fail rate_third_is_44_with_seconds "got [$got]" ;;
esac
check_has rate_gopher_error_item "3Too many requests: try again in" "$($PC gopher "$GOPH_PORT" /)"
check_has rate_logged_as_44 '"gemini://localhost/" 44' "$(cat "$TMP/access.log")"
# Another address has its own budget (127.0.0.2 is loopback too).
check_has rate_other_address_allowed "iMEK Support" "$($PC --source 127.0.0.2 gopher "$GOPH_PORT" /)"
alive rate_alive
stop_server

# --- PROXY protocol, by hand
: >"$TMP/access.log"
start_server --proxy-protocol --rate-limit 1/60
check_has proxy_v1_gopher "iMEK Support" "$($PC --v1 192.0.2.10 gopher "$GOPH_PORT" /)"
check proxy_v2_gemini "20 text/gemini; charset=utf-8; lang=en" "$($PC --v2 192.0.2.11 gemini "$GEM_PORT" $G)"
check proxy_v1_gemini "20 text/gemini; charset=utf-8; lang=en" "$($PC --v1 192.0.2.12 gemini "$GEM_PORT" $G)"
check_has proxy_v2_gopher "iMEK Support" "$($PC --v2 192.0.2.13 gopher "$GOPH_PORT" /)"
# The limiter sees the real clients: a second request from one is over.
check_has proxy_rate_limit_per_real_client "44" "$($PC --v2 192.0.2.11 gemini "$GEM_PORT" $G)"
check proxy_no_header_closed "closed" "$($PC gopher "$GOPH_PORT" /)"
log=$(cat "$TMP/access.log")
for a in 192.0.2.10 192.0.2.11 192.0.2.12 192.0.2.13; do
	check_has "proxy_access_log_has_$a" " $a \"" "$log"
done
case "$log" in *" 127.0.0.1 "*) fail proxy_access_log_no_balancer_address "$log" ;;
*) ok proxy_access_log_no_balancer_address ;; esac
alive proxy_alive
stop_server

# --- the limiter's key: an IPv6 client is its /64, IPv4-mapped is IPv4
start_server --proxy-protocol --rate-limit 2/60
check_has v6_first_of_a_64 "iMEK" "$($PC --v1 2001:db8:0:1::1 gopher "$GOPH_PORT" /)"
check_has v6_second_of_a_64 "iMEK" "$($PC --v1 2001:db8:0:1::2 gopher "$GOPH_PORT" /)"
check_has v6_third_of_a_64_is_limited "3Too many requests" "$($PC --v1 2001:db8:0:1:ffff::3 gopher "$GOPH_PORT" /)"
check_has v6_other_64_allowed "iMEK" "$($PC --v1 2001:db8:0:2::1 gopher "$GOPH_PORT" /)"
check_has v4_first "iMEK" "$($PC --v1 7.7.7.7 gopher "$GOPH_PORT" /)"
check_has v4_mapped_shares_the_budget "iMEK" "$($PC --v1 ::ffff:7.7.7.7 gopher "$GOPH_PORT" /)"
check_has v4_third_is_limited "3Too many requests" "$($PC --v2 7.7.7.7 gopher "$GOPH_PORT" /)"
alive v6_key_alive
stop_server
start_server --proxy-protocol --rate-limit 2/60 --ipv6-prefix 128
$PC --v1 2001:db8:0:1::1 gopher "$GOPH_PORT" / >/dev/null
$PC --v1 2001:db8:0:1::1 gopher "$GOPH_PORT" / >/dev/null
check_has v6_prefix_128_each_address "iMEK" "$($PC --v1 2001:db8:0:1::2 gopher "$GOPH_PORT" /)"
stop_server

# --- --max-conns-per-addr: the key is the proxied client's
start_server --proxy-protocol --workers 1 --max-conns-per-addr 2
hdr() { printf 'PROXY TCP%s %s %s 40000 %s\r\n' "$1" "$2" "$3" "$GOPH_PORT"; }
exec 5<>"/dev/tcp/127.0.0.1/$GOPH_PORT"; hdr 4 192.0.2.50 127.0.0.1 >&5
exec 6<>"/dev/tcp/127.0.0.1/$GOPH_PORT"; hdr 6 ::ffff:192.0.2.50 ::1 >&6
sleep 0.3
check_has cap_third_from_one_address_refused "3Too many connections from your address" "$($PC --v1 192.0.2.50 gopher "$GOPH_PORT" /)"
check cap_third_from_one_address_gemini_44 "44 5" "$($PC --v2 192.0.2.50 gemini "$GEM_PORT" $G)"
check_has cap_other_address_served "iMEK" "$($PC --v1 192.0.2.51 gopher "$GOPH_PORT" /)"
exec 5>&- 6>&-
sleep 0.3
check_has cap_served_again_after_close "iMEK" "$($PC --v1 192.0.2.50 gopher "$GOPH_PORT" /)"
alive cap_alive
stop_server

start_server --proxy-protocol --proxy-from 192.0.2.1
check proxy_from_other_address_refused "closed" "$($PC --v1 192.0.2.10 gopher "$GOPH_PORT" /)"
stop_server

# --- HAProxy, TCP mode, send-proxy-v2, two backends on loopback
if ! command -v haproxy >/dev/null; then
	fail haproxy_installed "no haproxy (make deps)"
	exit 0
fi
: >"$TMP/access.log"
start_server --proxy-protocol
A_GEM=$GEM_PORT A_GOPH=$GOPH_PORT A_PID=$SERVER_PID
mv "$TMP/server.out" "$TMP/a.out"
B_GEM=$(free_port) B_GOPH=$(free_port)
"$CAPSULE" serve --foreground --content "$ROOT/content" --cert-dir "$TMP/certs" \
    --hostname localhost --listen 127.0.0.1 --gemini-port "$B_GEM" \
    --gopher-port "$B_GOPH" --workers 1 --proxy-protocol \
    --access-log "$TMP/b.log" >"$TMP/b.out" 2>&1 &
B_PID=$!
SERVER_PID=$B_PID wait_ready "$TMP/b.out"
H_GEM=$(free_port) H_GOPH=$(free_port)
cat >"$TMP/haproxy.cfg" <<CFG
global
	maxconn 200
defaults
	mode tcp
	timeout connect 5s
	timeout client 30s
	timeout server 30s
frontend gemini
	bind 127.0.0.1:$H_GEM
	default_backend gemini
backend gemini
	balance roundrobin
	server a 127.0.0.1:$A_GEM send-proxy-v2
	server b 127.0.0.1:$B_GEM send-proxy-v2
frontend gopher
	bind 127.0.0.1:$H_GOPH
	default_backend gopher
backend gopher
	balance roundrobin
	server a 127.0.0.1:$A_GOPH send-proxy-v2
	server b 127.0.0.1:$B_GOPH send-proxy-v2
CFG
haproxy -f "$TMP/haproxy.cfg" -db >"$TMP/haproxy.out" 2>&1 &
H_PID=$!
SERVER_PID=$A_PID
wait_port "$H_GEM" && wait_port "$H_GOPH"
bad=0
for i in 1 2 3 4 5 6; do
	[ "$($PC --source 127.0.0.7 gemini "$H_GEM" $G)" = "20 text/gemini; charset=utf-8; lang=en" ] || bad=$((bad + 1))
	case "$($PC --source 127.0.0.7 gopher "$H_GOPH" /)" in iMEK*) ;; *) bad=$((bad + 1)) ;; esac
done
check haproxy_every_answer_whole 0 "$bad"
kill "$H_PID"
wait "$H_PID" 2>/dev/null
for b in a b; do
	f="$TMP/access.log"
	[ $b = b ] && f="$TMP/b.log"
	check "haproxy_backend_${b}_served_gemini" 3 "$(grep -c ' gemini 127.0.0.7 ' "$f")"
	check "haproxy_backend_${b}_served_gopher" 3 "$(grep -c ' gopher 127.0.0.7 ' "$f")"
done
kill "$B_PID"
wait "$B_PID" 2>/dev/null
alive haproxy_backend_a_alive
