#!/usr/bin/env python3
"""genstore.py: writes a synthetic post store for benchmarks and scale tests.

    python3 tests/bench/genstore.py --posts 100000 --tags 10000 --out DIR

Posts look like the seed's: a Title, Date, Author, Tags header and a body
of paragraphs (some sub-headings, quotes and list items), about --body-kb
kilobytes each. Words are drawn from a vocabulary with a Zipf-like
distribution (a few very common words, a long tail of rare ones), so the
search index meets both kinds; tags are drawn Zipf-like too, so a few tags
hold most posts and most tags hold a handful. The output is the same for
the same --seed. A capsule.conf is written beside the posts.
"""
import argparse
import itertools
import os
import random
import sys

COMMON = (
    "the of and to in a is that for on was with as by it at from his be "
    "are this have an not which has they or were their had been but its "
    "one all who more after also new people said would there when will "
    "regime iran government opposition resistance rally freedom support "
    "members parliament human rights international meeting statement "
    "minister protest city country year week report news today against "
    "called president leader council speech democracy future policy world"
).split()

SYLLABLES = ("ka ri mo ta el an sha ve lo du ni ra bel tor quin zen mar pol "
             "gra vis tel hor fen lin sor dak mel tru cas nov ber").split()


def vocabulary(rng, size):
    """Common English-like words first, then made-up rarer ones."""
    words = list(COMMON)
    seen = set(words)
    while len(words) < size:
        w = "".join(rng.choice(SYLLABLES)
                    for _ in range(rng.randint(2, 4)))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def zipf_weights(n, s=1.0):
    return list(itertools.accumulate(1.0 / (k ** s) for k in range(1, n + 1)))


def tag_names(rng, n):
    names, seen = [], set()
    while len(names) < n:
        k = len(names)
        base = " ".join(rng.choice(SYLLABLES).capitalize() +
                        rng.choice(SYLLABLES)
                        for _ in range(rng.randint(1, 3)))
        name = base if base not in seen else "%s %d" % (base, k)
        seen.add(name)
        names.append(name)
    return names


def sentence(rng, vocab, cum, n):
    words = rng.choices(vocab, cum_weights=cum, k=n)
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice(".....?!")


def body(rng, vocab, cum, size):
    out, total = [], 0
    while total < size:
        r = rng.random()
        if r < 0.06:
            line = "## " + sentence(rng, vocab, cum, rng.randint(3, 6))[:-1]
        elif r < 0.12:
            line = "> \u201c" + sentence(rng, vocab, cum,
                                         rng.randint(8, 25)) + "\u201d"
        elif r < 0.16:
            line = "\n".join("* " + sentence(rng, vocab, cum,
                                             rng.randint(4, 10))
                             for _ in range(rng.randint(2, 4)))
        else:
            line = " ".join(sentence(rng, vocab, cum, rng.randint(8, 24))
                            for _ in range(rng.randint(2, 6)))
        out.append(line)
        total += len(line) + 2
    return "\n\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=1000)
    ap.add_argument("--tags", type=int, default=100)
    ap.add_argument("--out", required=True)
    ap.add_argument("--body-kb", type=float, default=5.0)
    ap.add_argument("--vocab", type=int, default=60000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    rng = random.Random(a.seed)
    vocab = vocabulary(rng, a.vocab)
    cum = zipf_weights(len(vocab))
    tags = tag_names(rng, a.tags)
    tcum = zipf_weights(len(tags), 1.1)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "capsule.conf"), "w") as f:
        f.write("Title: Synthetic archive\nDescription: %d generated posts"
                "\nLanguage: en\nAuthor: Generator\nHostname: localhost\n"
                % a.posts)
    size = int(a.body_kb * 1024)
    # Every tag is used at least once, so the store has exactly --tags.
    unused = list(range(len(tags)))
    rng.shuffle(unused)
    for i in range(a.posts):
        title = sentence(rng, vocab, cum, rng.randint(4, 11))[:-1]
        picked = set(rng.choices(range(len(tags)), cum_weights=tcum,
                                 k=rng.randint(1, 6)))
        if unused:
            picked.add(unused.pop())
        day = 20 * 365 * i // max(a.posts, 1)
        y, rest = divmod(day, 365)
        m, d = divmod(rest % 336, 28)
        slug = "post-%06d-%s" % (i, "-".join(title.lower().split()[:4]))
        slug = "".join(c for c in slug if c.isalnum() or c == "-")
        text = ("Title: %s\nDate: %04d-%02d-%02d\nAuthor: Writer %d\n"
                "Tags: %s\n\n%s" % (title, 2000 + y, m + 1, d + 1, i % 50,
                                    ", ".join(tags[t] for t in sorted(picked)),
                                    body(rng, vocab, cum, size)))
        with open(os.path.join(a.out, slug + ".txt"), "w") as f:
            f.write(text)
        if sys.stderr.isatty() and i % 1000 == 0:
            print("\r%d/%d" % (i, a.posts), end="", file=sys.stderr)
    if sys.stderr.isatty():
        print("\r%d/%d" % (a.posts, a.posts), file=sys.stderr)


if __name__ == "__main__":
    main()
