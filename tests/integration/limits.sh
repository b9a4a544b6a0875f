#!/usr/bin/env bash
# limits.sh: the server at its limits: past twice --max-conns, and a stop
# with clients still waiting in the kernel's accept queue.
. "$(dirname "$0")/../lib.sh"

gem() {
	"$GEMGET" -p "$GEM_PORT" -t 20 localhost "gemini://localhost:$GEM_PORT$1\r\n"
}
goph() {
	"$GEMGET" -P -p "$GOPH_PORT" -t 20 127.0.0.1 "$1\r\n"
}
# sockets: how many sockets the server holds open now.
sockets() {
	find "/proc/$SERVER_PID/fd" -lname 'socket:*' 2>/dev/null | wc -l
}
# wait_sockets N: until the server holds N sockets (5 s at most).
wait_sockets() {
	local i=0
	while [ "$(sockets)" -lt "$1" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}

# --- past twice --max-conns: Gemini still answers 44, Gopher an error item
start_server --workers 1 --max-conns 1
base=$(sockets)
exec 5<>"/dev/tcp/127.0.0.1/$GEM_PORT"
exec 6<>"/dev/tcp/127.0.0.1/$GEM_PORT"
wait_sockets $((base + 2))
got=$(gem / 2>"$TMP/err" | tr -d '\r')
check limits_past_twice_max_conns_gemini_is_44 "44 5" "$got"
got=$(goph / 2>/dev/null)
check_has limits_past_twice_max_conns_gopher_is_error_item "3Too busy" "$got"
exec 5>&- 6>&-
alive limits_alive_past_twice_max_conns
stop_server

# --- --max-conns-per-addr: one address holding its share shuts nobody out
start_server --workers 1 --max-conns-per-addr 2
base=$(sockets)
exec 5<>"/dev/tcp/127.0.0.1/$GEM_PORT"
exec 6<>"/dev/tcp/127.0.0.1/$GOPH_PORT"
wait_sockets $((base + 2))
got=$(gem / 2>/dev/null | tr -d '\r')
check limits_per_addr_third_gemini_is_44 "44 5" "$got"
check_has limits_per_addr_third_gopher_is_error_item "3Too many connections from your address" "$(goph / 2>/dev/null)"
PC="python3 $ROOT/tests/proxyclient.py"
check_has limits_per_addr_other_address_served "iMEK Support" "$($PC --source 127.0.0.2 gopher "$GOPH_PORT" /)"
check limits_per_addr_other_address_gemini_20 "20 text/gemini; charset=utf-8; lang=en" "$($PC --source 127.0.0.2 gemini "$GEM_PORT" gemini://localhost/)"
exec 5>&- 6>&-
i=0
while [ "$(sockets)" -gt "$base" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
check_has limits_per_addr_served_again_after_close "iMEK Support" "$(goph / 2>/dev/null)"
alive limits_alive_per_addr
stop_server

# --- half-open TLS: a Gemini connection that sends nothing holds no TLS
# state (about 49 KB each before: 1000 took ~49 MB). A bound, not a
# timing: 1000 such connections must cost the server under 25 MB.
start_server --workers 1 --max-conns 1200 --max-conns-per-addr 0
got=$(python3 - "$GEM_PORT" "$SERVER_PID" 1000 <<'PY'
import resource, socket, sys, time
port, pid, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if hard != resource.RLIM_INFINITY and hard < n + 64:
    print("no room: open-file limit %d" % hard)
    sys.exit(0)
resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, n + 64), hard))
def rss():
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
before = rss()
socks = [socket.create_connection(("127.0.0.1", port), timeout=20) for _ in range(n)]
time.sleep(1)
grew = (rss() - before) // 1024
print("under 25 MB" if grew < 25 else "grew %d MB" % grew)
PY
)
check limits_half_open_tls_costs_no_tls_state "under 25 MB" "$got"
alive limits_alive_half_open
stop_server

# --- SIGTERM with clients queued: every accepted connection is answered.
# The server is stopped (SIGSTOP) while the clients connect and send, so
# they wait in the accept queue when SIGTERM comes.
N=200
start_server --max-conns-per-addr 0
python3 - "$GEM_PORT" "$GOPH_PORT" "$SERVER_PID" "$N" >"$TMP/drain" 2>&1 <<'PY'
import os, signal, socket, ssl, sys, threading, time
gem, goph, pid, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
res = {"gemini": 0, "gopher": 0}
lock = threading.Lock()
connected = threading.Semaphore(0)

def read_all(s):
    out = b""
    while True:
        try:
            d = s.recv(65536)
        except (ConnectionError, ssl.SSLError, OSError):
            return out
        if not d:
            return out
        out += d

def gopher():
    s = socket.create_connection(("127.0.0.1", goph), timeout=30)
    s.sendall(b"/\r\n")
    connected.release()
    if read_all(s).startswith(b"i"):
        with lock: res["gopher"] += 1
    s.close()

def gemini():
    raw = socket.create_connection(("127.0.0.1", gem), timeout=30)
    connected.release()
    try:
        s = ctx.wrap_socket(raw, server_hostname="localhost")
        s.sendall(b"gemini://localhost/\r\n")
        if read_all(s).startswith(b"20 "):
            with lock: res["gemini"] += 1
    except (ConnectionError, ssl.SSLError, OSError):
        pass
    raw.close()

os.kill(pid, signal.SIGSTOP)
ts = [threading.Thread(target=f) for f in (gopher, gemini) for _ in range(n)]
for t in ts: t.start()
for _ in ts: connected.acquire()
time.sleep(0.2)   # the last requests reach the socket buffers
os.kill(pid, signal.SIGTERM)
os.kill(pid, signal.SIGCONT)
for t in ts: t.join()
print("gopher %d gemini %d" % (res["gopher"], res["gemini"]))
PY
check limits_sigterm_answers_the_accept_queue "gopher $N gemini $N" "$(tail -n 1 "$TMP/drain")"
wait "$SERVER_PID"
check limits_sigterm_exits_0_after_draining 0 "$?"
SERVER_PID=""
