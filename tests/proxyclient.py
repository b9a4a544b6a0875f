#!/usr/bin/env python3
"""proxyclient.py: the integration tests' client for PROXY protocol and
source addresses. Sends an optional PROXY header (v1 or v2) naming a
client address (v1: TCP6 when it holds a colon), then a Gopher selector or a Gemini request over TLS, and
prints the answer's first line (or "closed" when there was none).

usage: proxyclient.py [--v1 ADDR | --v2 ADDR] [--source ADDR]
                      gemini|gopher PORT REQUEST
"""
import argparse
import socket
import ssl
import struct
import sys

SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def header(version, addr, port):
    if version == 1 and ":" in addr:
        return ("PROXY TCP6 %s ::1 40000 %d\r\n" % (addr, port)).encode()
    if version == 1:
        return ("PROXY TCP4 %s 127.0.0.1 40000 %d\r\n" % (addr, port)).encode()
    body = socket.inet_aton(addr) + socket.inet_aton("127.0.0.1") + \
        struct.pack("!HH", 40000, port)
    return SIG + bytes([0x21, 0x11]) + struct.pack("!H", len(body)) + body


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


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--v1")
    p.add_argument("--v2")
    p.add_argument("--source", default="")
    p.add_argument("proto")
    p.add_argument("port", type=int)
    p.add_argument("request")
    a = p.parse_args()
    s = socket.socket()
    s.settimeout(20)
    if a.source:
        s.bind((a.source, 0))
    s.connect(("127.0.0.1", a.port))
    if a.v1:
        s.sendall(header(1, a.v1, a.port))
    elif a.v2:
        s.sendall(header(2, a.v2, a.port))
    req = a.request.encode() + b"\r\n"
    try:
        if a.proto == "gemini":
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            s = ctx.wrap_socket(s, server_hostname="localhost")
        s.sendall(req)
        out = read_all(s)
    except (ConnectionError, ssl.SSLError, OSError):
        out = b""
    line = out.split(b"\n", 1)[0].rstrip(b"\r").decode("utf-8", "replace")
    print(line if out else "closed")


if __name__ == "__main__":
    sys.exit(main())
