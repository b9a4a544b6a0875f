#!/usr/bin/env bash
# export.sh: `capsule export`: the layout, MANIFEST, the tar archive,
# incremental runs, Atom validity, and the mirror served by molly-brown and
# Gophernicus crawled against the live server (tests/integration/crawl.py).
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/mirror.sh"

export LC_ALL=C
OUT=$TMP/out
trap 'stop_mirrors; stop_server; rm -rf "$TMP"' EXIT

# export_run NAME DIR [flags]: runs an export, output in $TMP/export.out.
export_run() {
	local name=$1 dir=$2
	shift 2
	if "$CAPSULE" export --out "$dir" --content "${CONTENT_DIR:-$ROOT/content}" \
	    "$@" >"$TMP/export.out" 2>&1; then
		ok "$name"
	else
		fail "$name" "exit $?: $(tail -5 "$TMP/export.out")"
	fi
}

# snapshot DIR: "path inode mtime" of every file, sorted.
snapshot() {
	(cd "$1" && find . -type f -printf '%P %i %T@\n' | sort)
}

# changed A B: the paths whose inode or mtime differ, or that are new.
changed() {
	join -a2 -e NONE -o 2.1,1.2,1.3,2.2,2.3 "$1" "$2" |
	    awk '$2 != $4 || $3 != $5 { print $1 }'
}

MGOPH=$(free_port)
export_run export_writes_a_mirror "$OUT" --hostname localhost \
    --gopher-port "$MGOPH" --gemini-port 1966 --tar "$TMP/out.tar"
# The MANIFEST is one of the files written.
N=$(grep -c '' "$OUT/MANIFEST")
check export_reports_what_it_wrote \
    "export: $((N + 1)) files in $OUT: $((N + 1)) written, 0 removed; $N rendered, 0 kept" \
    "$(cat "$TMP/export.out")"
check_has export_gopher_feed_links_gopher_items \
    "href=\"gopher://localhost:$MGOPH/0/posts/iran-school-opening-stoke-uprising\"" \
    "$(cat "$OUT/gopher/atom.xml")"
check export_feed_ids_are_the_live_ones \
    "$("$CAPSULE" render --content "$ROOT/content" /atom.xml | grep '<id>')" \
    "$(grep '<id>' "$OUT/gemini/atom.xml")"

# --- layout: one file per page, index files for directory paths
missing=""
for f in gemini/index.gmi gemini/tags/index.gmi gemini/posts/index.gmi \
    gemini/robots.txt gemini/atom.xml gopher/gophermap \
    gopher/tags/gophermap gopher/posts/gophermap gopher/atom.xml \
    gemini/tag/mek-support/index.gmi gemini/tag/mek-support/atom.xml \
    gopher/tag/mek-support/gophermap gopher/tag/mek-support/atom.xml MANIFEST; do
	[ -f "$OUT/$f" ] || missing="$missing $f"
done
for p in "$ROOT"/content/*.txt; do
	s=$(basename "$p" .txt)
	[ -f "$OUT/gemini/posts/$s.gmi" ] || missing="$missing gemini/posts/$s.gmi"
	[ -f "$OUT/gopher/posts/$s" ] || missing="$missing gopher/posts/$s"
done
check export_layout_has_every_page "" "$missing"
ntags=$(ls "$OUT/gemini/tag" | wc -l)
check export_has_a_page_per_tag "$ntags" "$(ls "$OUT/gopher/tag" | wc -l)"
if [ -e "$OUT/gemini/search" ] || [ -e "$OUT/gopher/search" ] ||
    grep -rq '/search' "$OUT/gemini" --include='*.gmi' ||
    grep -rqP '^7' "$OUT/gopher" --include=gophermap; then
	fail export_leaves_search_out "a search link or file in the mirror"
else
	ok export_leaves_search_out
fi
check export_robots_keeps_crawlers_out_of_search "Disallow: /search" \
    "$(grep -i '^Disallow' "$OUT/gemini/robots.txt")"

# --- MANIFEST: every file, its SHA-256, as sha256sum -c reads it
if (cd "$OUT" && sha256sum --quiet -c MANIFEST) >"$TMP/sum.out" 2>&1; then
	ok export_manifest_sums_match
else
	fail export_manifest_sums_match "$(head -3 "$TMP/sum.out")"
fi
check export_manifest_lists_every_file \
    "$(cd "$OUT" && find . -type f ! -name MANIFEST -printf '%P\n' | sort)" \
    "$(sed 's/^[0-9a-f]*  //' "$OUT/MANIFEST")"
check export_files_are_world_readable "" \
    "$(find "$OUT" ! -perm -o=r -printf '%P\n' | head -3)"

# --- gophermaps in the Gophernicus dialect: whole menu lines only
python3 - "$OUT/gopher" "$MGOPH" >"$TMP/lint.out" <<'PY'
import os, sys, unicodedata
root, port = sys.argv[1], sys.argv[2]
def cols(s):
    n = 0
    for c in s:
        if unicodedata.combining(c):
            continue
        n += 2 if unicodedata.east_asian_width(c) in "WF" else 1
    return n
bad = []
for d, _, files in os.walk(root):
    if "gophermap" not in files:
        continue
    p = os.path.join(d, "gophermap")
    for i, line in enumerate(open(p, encoding="utf-8").read().split("\n")):
        if line == "":
            continue
        f = line.split("\t")
        why = None
        if len(f) != 4:
            why = "not 4 fields"
        elif line[0] not in "01i7h9I":
            why = "odd type"
        elif line[0] != "i" and not f[1].startswith("/"):
            why = "relative selector"
        elif f[2] != "localhost" or f[3] != port:
            why = "host or port"
        elif line[0] == "i" and cols(f[0][1:]) > 67:
            why = "info text wider than 67 columns"
        elif "\r" in line:
            why = "CR"
        if why:
            bad.append(f"{p}:{i + 1}: {why}: {line!r}")
print("\n".join(bad[:5]))
PY
check export_gophermaps_are_gophernicus_menus "" "$(cat "$TMP/lint.out")"
bad=""
for f in "$OUT"/gopher/posts/*; do
	[ -f "$f" ] || continue		# posts/<yyyy>/: the date archives
	[ "$(tail -n 1 "$f")" = "." ] && bad="$bad $f"
	grep -q $'\r' "$f" && bad="$bad $f"
done
check export_gopher_text_has_no_end_line_or_crlf "" "$bad"

# --- gemtext links name files that exist
python3 - "$OUT/gemini" >"$TMP/links.out" <<'PY'
import os, sys
root = sys.argv[1]
bad = []
for d, _, files in os.walk(root):
    for fn in files:
        if not fn.endswith(".gmi"):
            continue
        p = os.path.join(d, fn)
        for line in open(p, encoding="utf-8"):
            if not line.startswith("=>"):
                continue
            t = line[2:].split()[0]
            if "://" in t:
                continue
            path = t if t.startswith("/") else \
                os.path.join("/" + os.path.relpath(d, root), t)
            f = root + path + ("index.gmi" if path.endswith("/") else "")
            if not os.path.isfile(f):
                bad.append(f"{p}: {t}")
print("\n".join(bad[:5]))
PY
check export_gemtext_links_name_files "" "$(cat "$TMP/links.out")"

# --- Atom feeds: well-formed, and the elements RFC 4287 requires
bad=""
for f in $(find "$OUT" -name atom.xml); do
	xmllint --noout "$f" 2>/dev/null || bad="$bad $f"
done
check export_atom_feeds_are_well_formed "" "$bad"
python3 - "$OUT/gemini/atom.xml" "$OUT/gemini/tag/mek-support/atom.xml" \
    >"$TMP/atom.out" <<'PY'
import sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
bad = []
for path in sys.argv[1:]:
    feed = ET.parse(path).getroot()
    if feed.tag != A + "feed":
        bad.append(f"{path}: root is {feed.tag}")
        continue
    for e in ("id", "title", "updated"):
        if feed.find(A + e) is None:
            bad.append(f"{path}: no feed {e}")
    if feed.find(f"{A}author/{A}name") is None:
        bad.append(f"{path}: no feed author")
    rels = {l.get("rel"): l.get("href") for l in feed.findall(A + "link")}
    if not (rels.get("self") or "").endswith("atom.xml"):
        bad.append(f"{path}: no self link")
    if not (rels.get("alternate") or "").startswith("gemini://localhost:1966/"):
        bad.append(f"{path}: no gemini link on the --gemini-port")
    if not feed.find(A + "updated").text.endswith("T00:00:00Z"):
        bad.append(f"{path}: updated is not RFC 3339")
    entries = feed.findall(A + "entry")
    if not entries:
        bad.append(f"{path}: no entries")
    for en in entries:
        for e in ("id", "title", "updated", "link", "content"):
            if en.find(A + e) is None:
                bad.append(f"{path}: entry without {e}")
        if en.find(A + "content") is not None and \
                en.find(A + "content").get("type") != "text":
            bad.append(f"{path}: content not text")
        if not en.findall(A + "category"):
            bad.append(f"{path}: entry without categories")
        if not en.find(A + "id").text.startswith("tag:localhost,"):
            bad.append(f"{path}: entry id is not the post's tag: URI")
print("\n".join(bad[:5]))
PY
check export_atom_feeds_have_required_elements "" "$(cat "$TMP/atom.out")"

# --- the tar archive holds exactly the export
mkdir -p "$TMP/untar"
if tar -xf "$TMP/out.tar" -C "$TMP/untar" 2>"$TMP/tar.err" &&
    diff -r "$OUT" "$TMP/untar" >"$TMP/tar.diff" 2>&1; then
	ok export_tar_holds_the_export
else
	fail export_tar_holds_the_export "$(cat "$TMP/tar.err" "$TMP/tar.diff" | head -5)"
fi

# --- incremental: a second run rewrites nothing
snapshot "$OUT" >"$TMP/snap1"
cp "$TMP/out.tar" "$TMP/out1.tar"
export_run export_runs_again "$OUT" --hostname localhost \
    --gopher-port "$MGOPH" --gemini-port 1966 --tar "$TMP/out.tar"
snapshot "$OUT" >"$TMP/snap2"
check export_second_run_rewrites_nothing "" "$(changed "$TMP/snap1" "$TMP/snap2")"
check export_second_run_says_so "0 written, 0 removed" \
    "$(sed 's/.*: //; s/;.*//' "$TMP/export.out")"
if cmp -s "$TMP/out.tar" "$TMP/out1.tar"; then
	ok export_second_tar_is_the_same
else
	fail export_second_tar_is_the_same "the archive changed"
fi

# --- a changed body: only the post and the feeds holding it change
cp -r "$ROOT/content" "$TMP/content"
SLUG=europe-should-support-mek-says-irish-lawmaker
printf '\nA paragraph added for the test.\n' >>"$TMP/content/$SLUG.txt"
CONTENT_DIR=$TMP/content
export_run export_after_a_body_change "$OUT" \
    --hostname localhost --gopher-port "$MGOPH" --gemini-port 1966
snapshot "$OUT" >"$TMP/snap3"
want=$( (echo MANIFEST; echo "gemini/posts/$SLUG.gmi"; echo "gopher/posts/$SLUG"
	cd "$OUT" && grep -l "/posts/$SLUG</id>" $(find . -name atom.xml -printf '%P\n')) | sort)
check export_body_change_rewrites_post_and_feeds "$want" \
    "$(changed "$TMP/snap2" "$TMP/snap3" | sort)"

# --- a changed title: only pages that show it may change
sed -i "1s/.*/Title: A Retitled Post/" "$TMP/content/$SLUG.txt"
export_run export_after_a_title_change "$OUT" \
    --hostname localhost --gopher-port "$MGOPH" --gemini-port 1966
snapshot "$OUT" >"$TMP/snap4"
allowed=$( (echo MANIFEST; echo "gemini/posts/$SLUG.gmi"; echo "gopher/posts/$SLUG"
	cd "$OUT" && grep -rl -e "/posts/$SLUG" . | sed 's|^\./||') | sort -u)
got=$(changed "$TMP/snap3" "$TMP/snap4" | sort)
check export_title_change_touches_only_pages_showing_it "" \
    "$(comm -13 <(echo "$allowed") <(echo "$got"))"
check export_title_change_reaches_the_lists "gemini/posts/index.gmi" \
    "$(echo "$got" | grep -x gemini/posts/index.gmi)"

# --- a removed post: its files and its tags' empty directories go
rm "$TMP/content/$SLUG.txt"
export_run export_after_a_removal "$OUT" \
    --hostname localhost --gopher-port "$MGOPH" --gemini-port 1966
check export_removes_pages_that_no_longer_exist "" \
    "$(ls "$OUT/gemini/posts/$SLUG.gmi" "$OUT/gopher/posts/$SLUG" 2>/dev/null; grep "$SLUG" "$OUT/MANIFEST")"
check export_leaves_no_empty_directories "" "$(find "$OUT" -type d -empty)"
check export_manifest_still_lists_every_file \
    "$(cd "$OUT" && find . -type f ! -name MANIFEST -printf '%P\n' | sort)" \
    "$(sed 's/^[0-9a-f]*  //' "$OUT/MANIFEST")"

# --- one protocol only; bad flags
CONTENT_DIR=$ROOT/content
export_run export_gemini_only "$TMP/gem" --gemini-only
check export_gemini_only_has_no_gopher "gemini MANIFEST" \
    "$(ls "$TMP/gem" | sort -r | tr '\n' ' ' | sed 's/ $//')"
if "$CAPSULE" export >/dev/null 2>&1; then
	fail export_needs_out "exit 0 without --out"
else
	ok export_needs_out
fi

# --- fidelity: the mirror on molly-brown and Gophernicus against the live server
if [ -n "$(mirror_servers_missing)" ]; then
	fail export_mirror_servers "not installed (make deps):$(mirror_servers_missing)"
	exit 0
fi
if ! start_mirror "$TMP/mirror"; then
	fail export_mirror_starts "$(tail -n 5 "$TMP/mirror-export.out" "$TMP/molly.out" "$TMP/socat.out" 2>&1)"
	exit 0
fi
start_server
python3 "$ROOT/tests/integration/crawl.py" gemini "$GEM_PORT" "$MGEM"
python3 "$ROOT/tests/integration/crawl.py" gopher "$GOPH_PORT" "$MGOPH"
alive export_live_server_survives_the_crawl

# --- the same with lists in pages: /posts/page/N/ live and in the mirror
stop_server
mkdir -p "$TMP/paged"
cp "$ROOT/content/capsule.conf" "$TMP/paged/"
for i in $(seq 1 130); do
	printf 'Title: Paged post %03d\nDate: 2021-%02d-%02d\nTags: Paged, Set %d\n\nBody %d.\n' \
	    "$i" $(((i - 1) / 28 % 12 + 1)) $(((i - 1) % 28 + 1)) $((i % 3)) "$i" \
	    >"$TMP/paged/paged-$i.txt"
done
"$CAPSULE" export --out "$MIRROR" --content "$TMP/paged" --hostname localhost \
    --gopher-port "$MGOPH" >/dev/null 2>&1
if [ -f "$MIRROR/gemini/posts/page/2/index.gmi" ] &&
    [ -f "$MIRROR/gopher/posts/page/2/gophermap" ]; then
	ok export_writes_the_pages_of_posts
else
	fail export_writes_the_pages_of_posts "$(cd "$MIRROR" && find . -path '*page*' | head)"
fi
CONTENT=$TMP/paged start_server
python3 "$ROOT/tests/integration/crawl.py" gemini "$GEM_PORT" "$MGEM" paged
python3 "$ROOT/tests/integration/crawl.py" gopher "$GOPH_PORT" "$MGOPH" paged
alive export_live_server_survives_the_paged_crawl
