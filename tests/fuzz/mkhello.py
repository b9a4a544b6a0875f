#!/usr/bin/env python3
"""mkhello.py DIR: writes ClientHellos (and what follows them) as seeds for
tls_fuzz: TLS 1.2 and 1.3, with and without SNI, and a second hello that
offers the ticket of a first, full handshake made in memory."""
import os
import ssl
import subprocess
import sys
import tempfile


def pump(a, ab, b, bb):
    """Moves bytes between two memory-BIO ends until both are stuck."""
    sent = b""
    for _ in range(20):
        for obj in (a, b):
            try:
                obj.do_handshake()
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
                pass
        out = ab[1].read()
        sent += out
        bb[0].write(out)
        back = bb[1].read()
        ab[0].write(back)
        if not out and not back:
            break
    return sent


def hello(ctx, name, session=None):
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    c = ctx.wrap_bio(inc, out, server_hostname=name, session=session)
    try:
        c.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def main(d):
    tmp = tempfile.mkdtemp()
    crt, key = os.path.join(tmp, "c.crt"), os.path.join(tmp, "c.key")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-subj", "/CN=localhost", "-days", "1",
                    "-keyout", key, "-out", crt], check=True,
                   capture_output=True)
    seeds = {}
    for ver, tag in ((ssl.TLSVersion.TLSv1_2, "12"),
                     (ssl.TLSVersion.TLSv1_3, "13")):
        cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        cctx.check_hostname = False
        cctx.verify_mode = ssl.CERT_NONE
        cctx.minimum_version = cctx.maximum_version = ver
        for name in ("localhost", "other.example", None):
            seeds["hello%s-%s" % (tag, name or "nosni")] = hello(cctx, name)
        sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        sctx.load_cert_chain(crt, key)
        ci, co, si, so = (ssl.MemoryBIO() for _ in range(4))
        c = cctx.wrap_bio(ci, co, server_hostname="localhost")
        s = sctx.wrap_bio(si, so, server_side=True)
        seeds["full%s" % tag] = pump(c, (ci, co), s, (si, so))
        if tag == "13":
            # TLS 1.3 tickets come after the handshake, with data.
            s.write(b"x")
            ci.write(so.read())
            try:
                c.read(1)
            except ssl.SSLWantReadError:
                pass
        if c.session is not None and c.session.has_ticket:
            seeds["ticket%s" % tag] = hello(cctx, "localhost", c.session)
    os.makedirs(d, exist_ok=True)
    for n, b in seeds.items():
        if b:
            with open(os.path.join(d, n), "wb") as f:
                f.write(b)
            print(n, len(b))


main(sys.argv[1])
