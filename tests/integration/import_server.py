#!/usr/bin/env python3
"""import_server.py PORT FIXTURES: the web side of import_http.sh, on
127.0.0.1 only. Paths:
  /tag/mek-support/feed/  the RSS fixture, as WordPress serves it
  /feed/atom/             the Atom fixture
  /moved                  301 to /tag/mek-support/feed/
  /loop                   302 to itself
  /missing                404
  /slow                   headers, then nothing for 30 s
  /big                    3 MB with a Content-Length
  /big-chunked            3 MB chunked, no Content-Length
  /blog/                  an HTML page that links its feed
It stops on SIGTERM, or by itself after 300 s.
"""
import http.server
import os
import sys
import threading
import time

PORT = int(sys.argv[1])
FIX = sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, body, ctype, extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        p = self.path
        if p == "/tag/mek-support/feed/":
            with open(os.path.join(FIX, "feed.rss"), "rb") as f:
                self.send(200, f.read(), "application/rss+xml; charset=UTF-8")
        elif p == "/feed/atom/":
            with open(os.path.join(FIX, "feed.atom"), "rb") as f:
                self.send(200, f.read(), "application/atom+xml; charset=UTF-8")
        elif p == "/moved":
            self.send(301, b"moved", "text/plain", [("Location", "/tag/mek-support/feed/")])
        elif p == "/loop":
            self.send(302, b"again", "text/plain", [("Location", "/loop")])
        elif p == "/slow":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<?xml version='1.0'?><rss>")
            self.wfile.flush()
            time.sleep(30)
        elif p == "/big":
            self.send(200, b"<rss>" + b" " * (3 * 1024 * 1024) + b"</rss>", "application/rss+xml")
        elif p == "/big-chunked":
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            chunk = b" " * 65536
            try:
                for _ in range(48):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                pass
        elif p == "/blog/":
            self.send(200, b'<!DOCTYPE html><html><head><link rel="alternate" '
                      b'type="application/rss+xml" href="http://127.0.0.1:%d/tag/mek-support/feed/">'
                      b'</head><body><p>A blog.</p></body></html>' % PORT, "text/html; charset=UTF-8")
        else:
            self.send(404, b"<html><body>Not Found</body></html>", "text/html")


srv = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
srv.daemon_threads = True
threading.Timer(300, srv.shutdown).start()
print("listening", flush=True)
try:
    srv.serve_forever()
except KeyboardInterrupt:
    pass
