#!/usr/bin/env python3
"""content_posts.py: the ten posts of content/ as JSON for fill.php: title,
slug, date, author, tags and the block-editor HTML WordPress stores for
them (the same markup as tests/fixtures/make_fixtures.py writes into the
WXR fixture), pictures pointing at https://www.example.org/wp-content/uploads/,
which fill.php turns into real attachments of the test site."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fixtures"))
import make_fixtures as mf  # noqa: E402

out = []
for p in mf.read_posts():
    out.append({
        "slug": p["slug"], "title": p["title"], "date": p["date"],
        "author": p["author"], "tags": p["tags"],
        "content": mf.gutenberg(p),
        "uploads": [mf.upload(p, n) for n in range(len(mf.image_pairs(p)))],
    })
json.dump({"site": mf.SITE, "posts": out}, sys.stdout, ensure_ascii=False, indent=1)
