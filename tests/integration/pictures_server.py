#!/usr/bin/env python3
"""pictures_server.py: the web side of pictures.sh, on 127.0.0.1 only.

    pictures_server.py make DIR        # writes the pictures and nothing else
    pictures_server.py serve PORT DIR  # serves DIR

`make` writes small real pictures, byte-exact, made here (no copied files):
a 2x2 PNG, a 1x1 GIF, an 8x8 grey baseline JPEG with Huffman tables of
its own (one code each), a WebP header; and a file that is HTML though
named .jpg, and a PNG too large for the test's cap.

`serve` answers GET /feed/ with DIR/feed.rss, GET /files/X with DIR/files/X
and GET /wp-content/uploads/X with DIR/uploads/X, each with an ETag (a hash of its bytes) and a
Last-Modified (its mtime); If-None-Match naming the ETag gets 304. The
Content-Type is the one its name says (so the .jpg that is HTML claims to
be a JPEG). Each request is logged to DIR/requests.log as "PATH STATUS".
It stops on SIGTERM, or by itself after 300 s.
"""
import email.utils
import hashlib
import http.server
import os
import struct
import sys
import threading
import zlib


def png(w, h, rgb):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def gif():
    # 1x1, a two-colour table; LZW (min code size 2): clear, 0, end.
    return (b"GIF89a" + struct.pack("<HHBBB", 1, 1, 0x80, 0, 0) +
            b"\x00\x80\xff" + b"\xff\xff\xff" +
            b"," + struct.pack("<HHHHB", 0, 0, 1, 1, 0) +
            b"\x02\x02\x44\x01\x00" + b";")


def jpeg():
    # Baseline, one grey 8x8 block of value 128: after the level shift
    # every coefficient is 0, so the scan is "DC size 0, end of block".
    def seg(marker, data):
        return b"\xff" + bytes([marker]) + struct.pack(">H", len(data) + 2) + data
    dqt = seg(0xdb, b"\x00" + b"\x01" * 64)
    sof = seg(0xc0, struct.pack(">BHHB", 8, 8, 8, 1) + b"\x01\x11\x00")
    # A table with a single one-bit code: DC size 0; AC end of block.
    dht_dc = seg(0xc4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00")
    dht_ac = seg(0xc4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00")
    sos = seg(0xda, b"\x01\x01\x00\x00\x3f\x00")
    return (b"\xff\xd8" + seg(0xe0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00") +
            dqt + sof + dht_dc + dht_ac + sos + b"\x3f" + b"\xff\xd9")


def webp():
    # A lossless WebP header and a one-pixel bitstream's bytes.
    vp8l = b"\x2f\x00\x00\x00\x00\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
    body = b"WEBP" + b"VP8L" + struct.pack("<I", len(vp8l)) + vp8l
    return b"RIFF" + struct.pack("<I", len(body)) + body


def make(d):
    up = os.path.join(d, "uploads", "2019", "09")
    os.makedirs(up, exist_ok=True)
    files = {
        "a.png": png(2, 2, (200, 30, 30)),
        "b.gif": gif(),
        "c.jpg": jpeg(),
        "d.webp": webp(),
        "e.png": png(1, 1, (0, 0, 255)),
        "fake.jpg": b"<!DOCTYPE html><html><body>Not found</body></html>\n",
        "big.png": png(400, 400, (1, 2, 3))[:8] + os.urandom(200 * 1024),
    }
    for name, data in files.items():
        with open(os.path.join(up, name), "wb") as f:
            f.write(data)


TYPES = {".png": "image/png", ".gif": "image/gif", ".jpg": "image/jpeg",
         ".webp": "image/webp"}


def serve(port, d):
    log = open(os.path.join(d, "requests.log"), "a", buffering=1)
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 65536    # head and body in one write: no Nagle wait

        def log_message(self, *args):
            pass

        def answer(self, code, body, ctype, extra=()):
            with lock:
                log.write("%s %d\n" % (self.path, code))
            self.send_response(code)
            if code != 304:
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            if code != 304:
                self.wfile.write(body)

        def do_GET(self):
            p = self.path.split("?")[0]
            if p == "/feed/":
                with open(os.path.join(d, "feed.rss"), "rb") as f:
                    self.answer(200, f.read(), "application/rss+xml; charset=UTF-8")
                return
            if p.startswith("/files/") and "/" not in p[7:]:
                path = os.path.join(d, "files", p[7:])
                if os.path.isfile(path):
                    with open(path, "rb") as f:
                        self.answer(200, f.read(), "application/xml")
                    return
            pre = "/wp-content/uploads/"
            path = os.path.join(d, "uploads", p[len(pre):])
            if not p.startswith(pre) or ".." in p or not os.path.isfile(path):
                self.answer(404, b"not found", "text/html")
                return
            with open(path, "rb") as f:
                data = f.read()
            etag = '"%s"' % hashlib.sha256(data).hexdigest()[:16]
            mod = email.utils.formatdate(os.stat(path).st_mtime, usegmt=True)
            hdrs = [("ETag", etag), ("Last-Modified", mod)]
            if self.headers.get("If-None-Match") == etag:
                self.answer(304, b"", "", hdrs)
                return
            self.answer(200, data, TYPES.get(os.path.splitext(p)[1], "text/plain"), hdrs)

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Timer(300, srv.shutdown).start()
    srv.serve_forever()


if __name__ == "__main__":
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        serve(int(sys.argv[2]), sys.argv[3])
