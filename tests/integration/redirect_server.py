#!/usr/bin/env python3
"""redirect_server.py ADDR PORT FEED LOG: a web server on ADDR (a loopback
address) for import_http.sh's redirect tests. /go?URL answers 302 to URL;
/admin answers the feed file FEED; every request path is appended to LOG,
so a test sees whether a redirect target was ever reached. It stops on
SIGTERM, or by itself after 300 s.
"""
import http.server
import sys
import threading
import urllib.parse

ADDR, PORT, FEED, LOG = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, body, extra=()):
        self.send_response(code)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        with open(LOG, "a") as f:
            f.write(self.path + "\n")
        if self.path.startswith("/go?"):
            self.send(302, b"moved", [("Location", urllib.parse.unquote(self.path[4:]))])
        elif self.path == "/admin":
            with open(FEED, "rb") as f:
                self.send(200, f.read())
        else:
            self.send(404, b"no")


srv = http.server.ThreadingHTTPServer((ADDR, PORT), Handler)
threading.Timer(300, srv.shutdown).start()
srv.serve_forever()
