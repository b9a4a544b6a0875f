#!/usr/bin/env python3
"""postmem.py: the store's memory per post, as the README's byte budget.

    python3 tests/bench/postmem.py SMALL_STORE LARGE_STORE

Each store (made by genstore.py, e.g. build/bench/stores/1000 and
build/bench/stores/100000 from scale.py) is served twice: once cold, to
write the saved index, then from it. Once search answers, it reads the
server's anonymous memory (RssAnon) and prints it with the slope between
the two stores: bytes a post, whatever is fixed cancelled out.
"""
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scale  # noqa: E402


def anon_kb(content):
    """RssAnon (kB) of a capsule started from content's saved index."""
    cache = tempfile.mkdtemp(prefix="postmem-")
    srv = scale.Server(content, cache)
    try:
        srv.start()
        t0 = time.monotonic()
        while time.monotonic() - t0 < 1200 and not any(
                ".tmp" not in f for f in os.listdir(cache)):
            time.sleep(0.1)
        time.sleep(1)
        srv.stop()
        srv.start()
        t0 = time.monotonic()
        while time.monotonic() - t0 < 600 and b"being built" in \
                scale.gopher(srv.goph, "/search\tzzzz"):
            time.sleep(0.1)
        time.sleep(1)
        return scale.rss_kb(srv.proc.pid, "RssAnon:")
    finally:
        srv.stop()
        shutil.rmtree(cache, ignore_errors=True)


def posts(content):
    return sum(1 for f in os.listdir(content) if f.endswith(".txt"))


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__.strip().splitlines()[2].strip())
    os.makedirs(scale.STORES, exist_ok=True)
    got = [(posts(d), anon_kb(d)) for d in sys.argv[1:]]
    for n, kb in got:
        print("%d posts: RssAnon %d kB" % (n, kb))
    (n0, k0), (n1, k1) = got
    print("%.0f bytes a post" % ((k1 - k0) * 1024.0 / (n1 - n0)))


if __name__ == "__main__":
    main()
