#!/usr/bin/env python3
"""crawl.py: crawls a live capsule and its static mirror from the root, over
Gemini or Gopher, and says whether they hold the same documents with the
same text and whether either has a dead link. Standard library only.

    crawl.py gemini LIVE_PORT MIRROR_PORT
    crawl.py gopher LIVE_PORT MIRROR_PORT

Prints "ok NAME" or "FAIL NAME: why" lines, as tests/lib.sh does.

What may differ, and is made equal before comparing:
- host ports (live and mirror listen on different ones);
- link targets: the mirror names files ("/posts/x.gmi", "/tag/t/index.gmi"),
  so each link is replaced by the document it leads to;
- search: it needs a server, so the live server's links to /search are
  dropped (the mirror has none: the renderers leave them out);
- Gopher text: the live server dot-stuffs and ends with ".", a static file
  is sent as it is; both are compared as the text a client reads, LF ends.
"""
import re
import socket
import ssl
import sys
import difflib
import urllib.parse
from urllib.parse import urljoin, urlsplit

# urljoin resolves relative references only for schemes it knows.
urllib.parse.uses_relative.append("gemini")
urllib.parse.uses_netloc.append("gemini")

HOST = "localhost"
MAX_DOCS = 5000         # a crawl stops here: the seed has ~130 documents
MAX_BYTES = 64 << 20    # one document
TIMEOUT = 10


def ok(name, detail=""):
    print(f"ok   {name}" + (f" ({detail})" if detail else ""))


def fail(name, why):
    print(f"FAIL {name}: {why}")


def read_all(sock):
    data = b""
    while len(data) < MAX_BYTES:
        try:
            chunk = sock.recv(65536)
        except (ssl.SSLEOFError, ssl.SSLZeroReturnError, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
    return data


def gemini_fetch(port, path):
    """(status, meta, body bytes) of gemini://localhost:port/path."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
        with ctx.wrap_socket(s, server_hostname=HOST) as t:
            t.sendall(f"gemini://{HOST}:{port}{path}\r\n".encode())
            data = read_all(t)
    header, _, body = data.partition(b"\r\n")
    status, _, meta = header.decode("utf-8", "replace").partition(" ")
    return status, meta.strip(), body


def gopher_fetch(port, selector):
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
        s.sendall(selector.encode() + b"\r\n")
        return read_all(s)


def gemini_key(path, mirror):
    """The document a path names, the same on both sides."""
    if mirror:
        if path.endswith("/index.gmi"):
            path = path[: -len("index.gmi")]
        elif path.endswith(".gmi"):
            path = path[: -len(".gmi")]
    return path


def same_origin(url, port):
    u = urlsplit(url)
    return u.scheme == "gemini" and u.hostname == HOST and \
        (u.port or 1965) == port


def norm_urls(text, mirror):
    """scheme://localhost:PORT -> scheme://localhost; a mirror's .gmi go."""
    text = re.sub(r"(gemini|gopher)://localhost(:\d+)?", r"\1://localhost",
                  text)
    if mirror:
        text = re.sub(r'(gemini://localhost/[^"<\s]*?)index\.gmi(?=["<\s])',
                      r"\1", text)
        text = re.sub(r'(gemini://localhost/[^"<\s]*?)\.gmi(?=["<\s])',
                      r"\1", text)
    return text


def crawl_gemini(port, mirror):
    """{key: (mime, text)}, [(path, why)] dead links."""
    docs, dead = {}, []
    queue, seen = ["/"], set()
    while queue and len(seen) < MAX_DOCS:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        cur = path
        for _ in range(5):
            status, meta, body = gemini_fetch(port, cur)
            if not status.startswith("3"):
                break
            cur = urlsplit(urljoin(f"gemini://{HOST}:{port}{cur}", meta)).path
        if status != "20":
            dead.append((path, f"{status} {meta}"))
            continue
        key = gemini_key(cur, mirror)
        mime = meta.split(";")[0].strip()
        text = body.decode("utf-8", "replace")
        if mime == "text/gemini":
            lines = []
            for line in text.split("\n"):
                if line.startswith("=>"):
                    parts = line[2:].strip().split(None, 1)
                    target = parts[0] if parts else ""
                    url = urljoin(f"gemini://{HOST}:{port}{cur}", target)
                    if same_origin(url, port):
                        tpath = urlsplit(url).path
                        if tpath == "/search" or tpath.startswith("/search/"):
                            if mirror:
                                dead.append((tpath, f"search link in {cur}"))
                            continue        # dynamic: not mirrored
                        queue.append(tpath)
                        line = "=> " + gemini_key(tpath, mirror) + \
                            (" " + parts[1] if len(parts) > 1 else "")
                lines.append(line)
            text = "\n".join(lines)
        docs[key] = (mime, norm_urls(text, mirror))
    return docs, dead


def gopher_text(body, live):
    """The text a client reads: no terminator, no dot-stuffing, LF ends."""
    if live and (body.endswith(b"\r\n.\r\n") or body == b".\r\n"):
        body = body[:-3]
        body = re.sub(rb"(^|\r\n)\.\.", rb"\1.", body)
    return body.replace(b"\r\n", b"\n").decode("utf-8", "replace")


def is_gopher_error(body):
    head = body[:200]
    return head.startswith(b"3") and b"\t" in head or \
        head.startswith(b"Error: ")


def crawl_gopher(port, mirror):
    docs, dead = {}, []
    queue, seen = [("1", "/")], set()
    while queue and len(seen) < MAX_DOCS:
        typ, sel = queue.pop(0)
        if sel in seen:
            continue
        seen.add(sel)
        body = gopher_fetch(port, "" if sel == "/" else sel)
        if not body or is_gopher_error(body):
            dead.append((sel, body[:80].decode("utf-8", "replace")))
            continue
        if typ != "1":
            docs[sel] = ("0", norm_urls(gopher_text(body, not mirror),
                                        mirror))
            continue
        lines = []
        for line in body.decode("utf-8", "replace").split("\r\n"):
            if line == "." or line == "":
                continue
            f = line.split("\t")
            if len(f) < 4:
                dead.append((sel, f"bad menu line {line!r}"))
                continue
            t, disp, isel, ihost, iport = line[0], f[0][1:], f[1], f[2], f[3]
            if ihost == HOST and iport == str(port):
                if t == "7" and isel.startswith("/search"):
                    if mirror:
                        dead.append((isel, f"search item in {sel}"))
                    continue
                if t in "01":
                    queue.append((t, isel))
                ihost, iport = "HOST", "PORT"
            lines.append("\t".join([t + disp, isel, ihost, iport]))
        docs[sel] = ("1", "\n".join(lines))
    return docs, dead


def compare(proto, live, mirror):
    ldocs, ldead = live
    mdocs, mdead = mirror
    if ldead:
        fail(f"{proto}_live_has_no_dead_links", repr(ldead[:5]))
    else:
        ok(f"{proto}_live_has_no_dead_links", f"{len(ldocs)} documents")
    if mdead:
        fail(f"{proto}_mirror_has_no_dead_links", repr(mdead[:5]))
    else:
        ok(f"{proto}_mirror_has_no_dead_links", f"{len(mdocs)} documents")
    lk, mk = set(ldocs), set(mdocs)
    if lk != mk:
        fail(f"{proto}_mirror_has_the_same_documents",
             f"only live: {sorted(lk - mk)[:5]} only mirror: "
             f"{sorted(mk - lk)[:5]}")
    elif len(lk) < 20:
        fail(f"{proto}_mirror_has_the_same_documents",
             f"only {len(lk)} documents crawled")
    else:
        ok(f"{proto}_mirror_has_the_same_documents", f"{len(lk)}")
    differ = [k for k in sorted(lk & mk) if ldocs[k] != mdocs[k]]
    if differ:
        k = differ[0]
        diff = "\n".join(list(difflib.unified_diff(
            ldocs[k][1].split("\n"), mdocs[k][1].split("\n"),
            "live", "mirror", lineterm=""))[:20])
        fail(f"{proto}_mirror_has_the_same_text",
             f"{len(differ)} differ, first {k} (type {ldocs[k][0]} vs "
             f"{mdocs[k][0]}):\n{diff}")
    else:
        ok(f"{proto}_mirror_has_the_same_text")


def main():
    proto, lport, mport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    try:
        if proto == "gemini":
            live = crawl_gemini(lport, False)
            mirror = crawl_gemini(mport, True)
        else:
            live = crawl_gopher(lport, False)
            mirror = crawl_gopher(mport, True)
    except OSError as e:
        fail(f"{proto}_crawl", str(e))
        return 1
    compare(proto, live, mirror)
    return 0


if __name__ == "__main__":
    sys.exit(main())
