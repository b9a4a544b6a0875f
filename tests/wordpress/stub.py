#!/usr/bin/env python3
"""wpapi_stub.py PORT: a WordPress REST API that misbehaves, for
wpapi_http.sh: busy answers (429 with Retry-After, 503 without), a wait
too long to honour, JSON that is not what WordPress sends, an API
without wp/v2, and a small good archive. Loopback only."""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
HOME = "http://127.0.0.1:%d" % PORT
hits = {}


def root(prefix):
    return {"name": "Stub", "description": "a stub", "home": HOME + prefix,
            "url": HOME + prefix, "namespaces": ["wp/v2"], "routes": {}}


def post(i, prefix):
    return {"id": i, "date": "2021-03-0%dT09:00:00" % i,
            "modified": "2021-03-0%dT09:00:00" % i,
            "guid": {"rendered": HOME + prefix + "/?p=%d" % i},
            "slug": "stub-%d" % i, "status": "publish", "type": "post",
            "link": HOME + prefix + "/stub-%d/" % i,
            "title": {"rendered": "Stub &#8220;%d&#8221;" % i},
            "content": {"rendered": "<p>Stub post %d.</p>" % i, "protected": False},
            "tags": [], "categories": [],
            "_embedded": {"author": [{"name": "Stubby"}], "wp:term": [[], []]}}


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def send(self, code, body, ctype="application/json", headers=()):
        b = body.encode() if isinstance(body, str) else body
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(b)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(b)

    def do_GET(self):
        p = self.path
        n = hits[p] = hits.get(p, 0) + 1
        prefix = "/" + p.split("/")[1]
        if "wp-json" not in p:
            api = HOME + prefix + "/wp-json/"
            return self.send(200, "<html><body>a page</body></html>", "text/html",
                             [("Link", '<%s>; rel="https://api.w.org/"' % api)])
        if prefix == "/busy" and n == 1:
            return self.send(429, '{"code":"too_many","message":"slow down"}',
                             headers=[("Retry-After", "1")])
        if prefix == "/unavailable" and n <= 2:
            return self.send(503, "down", "text/plain")
        if prefix == "/forever":
            return self.send(503, "down", "text/plain", [("Retry-After", "3600")])
        if prefix == "/notjson":
            if "/wp/v2/" in p:
                return self.send(200, "<html>an error page</html>", "application/json")
            return self.send(200, json.dumps(root(prefix)))
        if prefix == "/notlist":
            if "/wp/v2/" in p:
                return self.send(200, '{"posts": []}')
            return self.send(200, json.dumps(root(prefix)))
        if prefix == "/nov2":
            r = root(prefix)
            r["namespaces"] = ["oembed/1.0"]
            return self.send(200, json.dumps(r))
        if prefix == "/cut":
            if "/wp/v2/" in p:
                return self.send(200, '[{"id": 1, "title": {"rendered": "x"')
            return self.send(200, json.dumps(root(prefix)))
        # a good small archive: two posts, one page
        if "/wp/v2/posts" in p:
            return self.send(200, json.dumps([post(1, prefix), post(2, prefix)]),
                             headers=[("X-WP-Total", "2"), ("X-WP-TotalPages", "1")])
        if p.endswith("/wp-json/"):
            return self.send(200, json.dumps(root(prefix)))
        return self.send(404, '{"code":"rest_no_route","message":"No route"}')


ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()
