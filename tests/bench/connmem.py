#!/usr/bin/env python3
"""connmem.py PID GEMINI_PORT GOPHER_PORT N: what idle connections cost a
server in resident memory (VmRSS of PID). N bare TCP connections to the
Gemini port that send nothing (half-open TLS), then N that finish the
TLS handshake and send nothing, then N bare Gopher connections; after
each burst closes, what the server kept. Prints one Markdown table.
Runs on loopback only; `make bench` (tests/bench/connmem.sh) calls it.
"""
import socket
import ssl
import sys
import time

PID, GEM, GOPH, N = (int(a) for a in sys.argv[1:5])
SETTLE = 1.5


def rss_kb():
    with open("/proc/%d/status" % PID) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def bare(port):
    out = []
    for _ in range(N):
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        out.append(s)
    return out


def tls(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    out = []
    for _ in range(N):
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        out.append(ctx.wrap_socket(s, server_hostname="localhost"))
    return out


def close(socks):
    for s in socks:
        s.close()
    time.sleep(SETTLE)


rows = []
start = rss_kb()


def held(name, socks, before):
    time.sleep(SETTLE)
    now = rss_kb()
    rows.append((name, now, (now - before) * 1024 / N))
    return now


r0 = rss_kb()
socks = bare(GEM)
held("Gemini, connected, nothing sent (half-open TLS)", socks, r0)
close(socks)
r1 = rss_kb()
rows.append(("after those closed", r1, None))
socks = tls(GEM)
held("Gemini, handshake done, no request", socks, r1)
close(socks)
r2 = rss_kb()
rows.append(("after those closed", r2, None))
socks = bare(GOPH)
held("Gopher, connected, nothing sent", socks, r2)
close(socks)
rows.append(("after those closed", rss_kb(), None))

print("| %d connections at once | server RSS | per connection |" % N)
print("|---|---:|---:|")
print("| at start | %.1f MB | |" % (start / 1024))
for name, kb, per in rows:
    print("| %s | %.1f MB | %s |" % (name, kb / 1024,
          "%.1f KB" % (per / 1024) if per is not None else ""))
