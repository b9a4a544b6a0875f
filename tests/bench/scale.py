#!/usr/bin/env python3
"""scale.py: capsule at archive size, as a reader and an editor see it.

    python3 tests/bench/scale.py [--sizes 1000,10000,100000] [--out FILE]

For each size it generates a store with genstore.py (kept under
build/bench/stores/, one tenth as many tags as posts, at most 10,000) and
measures, on a capsule serving it over loopback:

  - the first answer after start, cold (no saved index) and warm (saved),
    and when search first answers after each;
  - RSS after start, its peak (VmHWM) until then and during a live update
    (an edit and a new post, until search finds the new post), and RSS
    after a crawler has read every page over Gopher (--crawl-conns
    connections at once, every page still read once);
  - how long one edited post takes to be served, and a new post;
  - the sizes of the largest answers: /posts/, /, /tags/;
  - the cost of a common-word and a rare-word search (first, uncached),
    and of a deep page of the common words (page 100, or the last);
  - `capsule export` fresh, and again after one post changed.

It prints a Markdown table (and writes it to --out). Times are wall clock
on this machine; compare them with each other, not across machines.
"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
CAPSULE = os.environ.get("CAPSULE", os.path.join(ROOT, "capsule", "capsule"))
STORES = os.path.join(ROOT, "build", "bench", "stores")
HOST = "127.0.0.1"


def free_port():
    s = socket.socket()
    s.bind((HOST, 0))
    p = s.getsockname()[1]
    s.close()
    return p


def gopher(port, selector, timeout=60.0):
    """The whole answer to one Gopher request, as bytes."""
    with socket.create_connection((HOST, port), timeout=timeout) as s:
        s.sendall(selector.encode() + b"\r\n")
        chunks = []
        while True:
            b = s.recv(65536)
            if not b:
                break
            chunks.append(b)
    return b"".join(chunks)


def menu_items(data, port):
    """(type, selector) of each item of ours in a Gopher menu."""
    for line in data.decode("utf-8", "replace").split("\r\n"):
        if not line or line == ".":
            continue
        f = line[1:].split("\t")
        if len(f) < 4 or line[0] not in "01" or f[3].strip() != str(port):
            continue
        yield line[0], f[1]


def rss_kb(pid, field="VmRSS:"):
    """Resident KB; field "RssAnon:" for the anonymous (non-file) part,
    "VmHWM:" for the peak RSS since start (or since reset_hwm())."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def reset_hwm(pid):
    """Starts VmHWM again from the current RSS (Linux: clear_refs 5);
    False when the kernel or our rights do not allow it."""
    try:
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def searching(data):
    """True when a search answer is results, not "come back soon"."""
    return (data.endswith(b".\r\n") and not data.startswith(b"3") and
            b"being built" not in data and b"Too many searches" not in data)


def until_searching(port, t0, limit):
    """Seconds since t0 until search answers (not "being built")."""
    while time.monotonic() - t0 < limit:
        try:
            if searching(gopher(port, "/search\tzzzz", 30)):
                return time.monotonic() - t0
        except OSError:
            pass
        time.sleep(0.05)
    return None


def until_logged(pos, what, t0, limit):
    """Seconds from t0 until the server's log has what past pos."""
    path = os.path.join(STORES, "server.log")
    while time.monotonic() - t0 < limit:
        with open(path, "rb") as f:
            f.seek(pos)
            if what.encode() in f.read():
                return time.monotonic() - t0
        time.sleep(0.05)
    return None


def caps(flag):
    """1 when `capsule serve --help` knows flag."""
    try:
        r = subprocess.run([CAPSULE, "serve", "--help"], capture_output=True,
                           text=True, timeout=10)
    except OSError:
        return False
    return flag in r.stdout + r.stderr


class Server:
    def __init__(self, content, cache):
        self.content, self.cache = content, cache
        self.proc = None

    def start(self):
        """Starts capsule; returns seconds until the first whole answer
        of any kind (a "come back soon" counts) and until the home page."""
        self.gem, self.goph = free_port(), free_port()
        certs = os.path.join(STORES, "certs")
        os.makedirs(certs, exist_ok=True)
        args = [CAPSULE, "serve", "--foreground", "--content", self.content,
                "--cert-dir", certs, "--hostname", "localhost",
                "--listen", HOST, "--gemini-port", str(self.gem),
                "--gopher-port", str(self.goph), "--workers", "2"]
        if self.cache and caps("--cache-dir"):
            args += ["--cache-dir", self.cache]
        self.log = open(os.path.join(STORES, "server.log"), "ab")
        t0 = time.monotonic()
        first = None
        self.proc = subprocess.Popen(args, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        while time.monotonic() - t0 < 600:
            if self.proc.poll() is not None:
                raise SystemExit("capsule exited: see %s" % self.log.name)
            try:
                data = gopher(self.goph, "/", 5)
            except OSError:
                data = b""
            if data.endswith(b".\r\n"):
                if first is None:
                    first = time.monotonic() - t0
                # A type 3 line is "loading, come back": not the page yet.
                if not data.startswith(b"3"):
                    return first, time.monotonic() - t0
            time.sleep(0.005)
        raise SystemExit("no answer in 600 s")

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
            self.log.close()


def crawl(port, limit, conns=4):
    """Reads every page reachable over Gopher, each once, over conns
    connections at once (at most limit pages); returns (pages, max size,
    failed requests)."""
    seen, todo = {"/"}, [("1", "/")]
    st = {"n": 0, "active": 0, "biggest": (0, "/"), "failed": 0}
    cv = threading.Condition()

    def worker():
        while True:
            with cv:
                while not todo and st["active"] > 0:
                    cv.wait()
                if not todo or st["n"] >= limit:
                    cv.notify_all()
                    return
                kind, sel = todo.pop()
                st["n"] += 1
                st["active"] += 1
            try:
                data = gopher(port, sel)
            except OSError:
                data = b""
            items = list(menu_items(data, port)) if kind == "1" else []
            with cv:
                st["active"] -= 1
                if not data.endswith(b".\r\n") and kind == "1":
                    st["failed"] += 1
                st["biggest"] = max(st["biggest"], (len(data), sel))
                for k, s in items:
                    if s not in seen and not s.startswith("/search"):
                        seen.add(s)
                        todo.append((k, s))
                cv.notify_all()
    threads = [threading.Thread(target=worker) for _ in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return st["n"], st["biggest"], st["failed"]


def write_post(content, slug, title, tags="Edited", body="Edited body."):
    """Writes a post as an editor does: a temporary file, then rename."""
    tmp = os.path.join(content, ".%s.tmp" % slug)
    with open(tmp, "w") as f:
        f.write("Title: %s\nDate: 2030-01-01\nTags: %s\n\n%s\n"
                % (title, tags, body))
    os.rename(tmp, os.path.join(content, slug + ".txt"))


def until_served(port, slug, title, limit=20.0):
    t0 = time.monotonic()
    want = title.encode()
    while time.monotonic() - t0 < limit:
        try:
            if want in gopher(port, "/posts/" + slug, 5):
                return time.monotonic() - t0
        except OSError:
            pass
        time.sleep(0.002)
    return None


def search_ms(port, words, page=1):
    """Milliseconds for each word's first (uncached) search, the median,
    and the answers. page > 1: that page of each word's results, or its
    last page when it has fewer (read from page 1's answer)."""
    ts, answers = [], []
    for w in words:
        sel = "/search\t" + w
        if page > 1:
            m = re.search(rb"Page 1 of (\d+)", gopher(port, sel))
            if not m:
                continue
            sel = "/search/page/%d?%s" % (min(page, int(m.group(1))), w)
        t0 = time.monotonic()
        answers.append(gopher(port, sel))
        ts.append((time.monotonic() - t0) * 1000)
    ts.sort()
    return (ts[len(ts) // 2] if ts else None), answers


def export_s(content, out):
    """Seconds for `capsule export`, its state in a cache of its own."""
    env = dict(os.environ, CAPSULE_CACHE_DIR=out.rstrip("/") + ".cache")
    t0 = time.monotonic()
    r = subprocess.run([CAPSULE, "export", "--content", content, "--out",
                        out], check=True, capture_output=True, env=env)
    print(r.stdout.decode().strip(), file=sys.stderr)
    return time.monotonic() - t0


COMMON = ["the", "of", "and", "regime", "people", "iran", "said"]
RARE = ["zenmarquin", "fenvisdak", "torquinsha", "quinbelmo", "casnovber"]
DEEP_PAGE = 100     # results 4,951 to 5,000


def measure(n, a):
    # The archive-scale goal: 1,000,000 posts and 50,000 tags.
    tags = 50000 if n >= 1000000 else min(max(n // 10, 10), 10000)
    content = os.path.join(STORES, "%d" % n)
    if not os.path.exists(os.path.join(content, "capsule.conf")):
        print("generating %d posts, %d tags…" % (n, tags), file=sys.stderr)
        subprocess.run([sys.executable, os.path.join(ROOT, "tests", "bench",
                        "genstore.py"), "--posts", str(n), "--tags",
                        str(tags), "--out", content], check=True)
    for f in os.listdir(content):
        if f.startswith("zz-bench-"):
            os.unlink(os.path.join(content, f))
    cache = os.path.join(STORES, "cache-%d" % n)
    shutil.rmtree(cache, ignore_errors=True)
    r = {"posts": n, "tags": tags}
    srv = Server(content, cache)
    t0 = time.monotonic()
    r["any_cold"], r["first_cold"] = srv.start()
    r["search_cold"] = until_searching(srv.goph, t0, 1800)
    # Until the saved index is written, a restart would be cold again;
    # a capsule that saves its search index too has it written after.
    want = (".search",) if caps("search index") else ()

    def saved():
        names = os.listdir(cache) if os.path.isdir(cache) else []
        done = [f for f in names if ".tmp" not in f]
        return done and all(any(f.endswith(w) for f in done) for w in want)
    while not saved() and time.monotonic() - t0 < 1800:
        time.sleep(0.05)
    r["saved_cold"] = time.monotonic() - t0
    srv.stop()
    logpos = os.path.getsize(os.path.join(STORES, "server.log"))
    t0 = time.monotonic()
    r["any_warm"], r["first_warm"] = srv.start()
    # The store alone: the search index is not there yet, or mapped.
    r["rss_warm"] = rss_kb(srv.proc.pid)
    # Steady: once the search index (mapped or built) answers.
    r["search_ready"] = until_searching(srv.goph, t0, 1800)
    # Started: the look at every file behind the saved index is done
    # (its "updated:" line), so what follows does not share the cores.
    r["checked_warm"] = until_logged(logpos, "updated:", t0, 600)
    time.sleep(1)
    pid = srv.proc.pid
    r["rss_start"] = rss_kb(pid)
    r["anon_start"] = rss_kb(pid, "RssAnon:")
    r["hwm_start"] = rss_kb(pid, "VmHWM:")
    sizes = {}
    for sel in ("/", "/tags/", "/posts/"):
        sizes[sel] = len(gopher(srv.goph, sel))
    r["size_home"], r["size_tags"], r["size_posts"] = (
        sizes["/"], sizes["/tags/"], sizes["/posts/"])
    r["search_common"], _ = search_ms(srv.goph, COMMON)
    r["search_deep"], _ = search_ms(srv.goph, COMMON, DEEP_PAGE)
    r["search_rare"], _ = search_ms(srv.goph, RARE)
    # A live update: the peak from here on is the update's (the edit, the
    # new post, and search taking the new post in).
    hwm_reset = reset_hwm(pid)
    slug = sorted(f for f in os.listdir(content)
                  if f.startswith("post-"))[n // 2][:-4]
    write_post(content, "zz-bench-" + slug[:40], "Moved aside")
    write_post(content, slug, "Edited title %d" % time.time_ns())
    title = open(os.path.join(content, slug + ".txt")).readline()[7:].strip()
    r["edit_s"] = until_served(srv.goph, slug, title)
    word = "zzbench%d" % (time.time_ns() % 10**9)
    t0 = time.monotonic()
    write_post(content, "zz-bench-new", "A new post %d" % time.time_ns(),
               body="A word no other post has: %s." % word)
    title = open(os.path.join(content, "zz-bench-new.txt")).readline()[7:]
    r["new_s"] = until_served(srv.goph, "zz-bench-new", title.strip())
    while time.monotonic() - t0 < 600:
        try:
            if b"zz-bench-new" in gopher(srv.goph, "/search\t" + word, 30):
                r["new_search_s"] = time.monotonic() - t0
                break
        except OSError:
            pass
        time.sleep(0.05)
    r["rss_update"] = rss_kb(pid)
    if hwm_reset:
        r["hwm_update"] = rss_kb(pid, "VmHWM:")
    if not a.no_crawl:
        t0 = time.monotonic()
        r["crawl_pages"], big, r["crawl_failed"] = crawl(
            srv.goph, 10 * n + 100000, a.crawl_conns)
        r["crawl_s"] = time.monotonic() - t0
        r["crawl_rate"] = "%.0f pages/s over %d connections" % (
            r["crawl_pages"] / r["crawl_s"], a.crawl_conns)
        r["crawl_biggest"] = "%d B %s" % big
        r["rss_crawl"] = rss_kb(pid)
        r["anon_crawl"] = rss_kb(pid, "RssAnon:")
    srv.stop()
    if not a.no_export:
        # --export-out keeps the export (and its state) for the next run:
        # a large store is then exported from scratch only once.
        out = a.export_out or os.path.join(STORES, "export-%d" % n)
        if not a.export_out or not os.path.exists(
                os.path.join(out, "MANIFEST")):
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(out + ".cache", ignore_errors=True)
            r["export_fresh"] = export_s(content, out)
        else:
            export_s(content, out)      # what the run above changed
        write_post(content, slug, "Edited again %d" % time.time_ns())
        r["export_one"] = export_s(content, out)
        if not a.export_out:
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(out + ".cache", ignore_errors=True)
    return r


def fmt(v, unit):
    if v is None:
        return "—"
    if unit == "s":
        return "%.3f s" % v if v < 10 else "%.1f s" % v
    if unit == "ms":
        return "%.1f ms" % v
    if unit == "MB":
        return "%.0f MB" % (v / 1024)
    if unit == "KB":
        return "%.1f KB" % (v / 1024)
    return str(v)


ROWS = [
    ("first answer after start, cold (any: a `44` while loading counts)",
     "any_cold", "s"),
    ("home page served after start, cold", "first_cold", "s"),
    ("home page served after start, saved index", "first_warm", "s"),
    ("search answering after start, saved index", "search_ready", "s"),
    ("every file checked after start, saved index", "checked_warm", "s"),
    ("search answering after start, cold", "search_cold", "s"),
    ("search index saved after start, cold", "saved_cold", "s"),
    ("RSS when the home page is first served, saved index",
     "rss_warm", "MB"),
    ("RSS once started and indexed", "rss_start", "MB"),
    ("anonymous (non-file) memory once started and indexed",
     "anon_start", "MB"),
    ("peak RSS (VmHWM) from start until indexed", "hwm_start", "MB"),
    ("peak RSS (VmHWM) during a live update (edit, new post, search)",
     "hwm_update", "MB"),
    ("RSS after the live update", "rss_update", "MB"),
    ("RSS after a crawl of every page", "rss_crawl", "MB"),
    ("anonymous (non-file) memory after a crawl of every page",
     "anon_crawl", "MB"),
    ("pages crawled (Gopher)", "crawl_pages", ""),
    ("crawl time", "crawl_s", "s"),
    ("crawl rate", "crawl_rate", ""),
    ("crawl requests that failed", "crawl_failed", ""),
    ("largest answer in the crawl", "crawl_biggest", ""),
    ("one edited post served after its write", "edit_s", "s"),
    ("a new post served after its write", "new_s", "s"),
    ("a new post found by search after its write", "new_search_s", "s"),
    ("`/` size (Gopher)", "size_home", "KB"),
    ("`/tags/` size (Gopher)", "size_tags", "KB"),
    ("`/posts/` size (Gopher)", "size_posts", "KB"),
    ("common-word search, uncached (median of 7)", "search_common", "ms"),
    ("a deep page of it: page %d (or the last), uncached (median of 7)"
     % DEEP_PAGE, "search_deep", "ms"),
    ("rare-word search, uncached (median of 5)", "search_rare", "ms"),
    ("export, fresh", "export_fresh", "s"),
    ("export after one post changed", "export_one", "s"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "bench",
                                                  "out", "scale.md"))
    ap.add_argument("--no-export", action="store_true")
    ap.add_argument("--no-crawl", action="store_true")
    ap.add_argument("--crawl-conns", type=int, default=4,
                    help="Gopher connections the crawl keeps open at once")
    ap.add_argument("--export-out", metavar="DIR",
                    help="export into DIR and keep it (its state in "
                    "DIR.cache): made from scratch only when DIR has no "
                    "MANIFEST; one size only")
    a = ap.parse_args()
    os.makedirs(STORES, exist_ok=True)
    res = []
    for n in [int(x) for x in a.sizes.split(",")]:
        res.append(measure(n, a))
        print(res[-1], file=sys.stderr)
    head = "| at | " + " | ".join("%d posts / %d tags" % (r["posts"],
                                  r["tags"]) for r in res) + " |"
    lines = [head, "|---" * (len(res) + 1) + "|"]
    for label, key, unit in ROWS:
        lines.append("| %s | %s |" % (label, " | ".join(
            fmt(r.get(key), unit) for r in res)))
    table = "\n".join(lines) + "\n"
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        f.write(table)
    print(table)


if __name__ == "__main__":
    main()
