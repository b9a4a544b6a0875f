#!/usr/bin/env bash
# feeds.sh: subscriptions to the live server: Gemini pages that read as
# feeds (a "#" title, then "=> URL YYYY-MM-DD Title" lines), and Atom at
# /atom.xml and /tag/<slug>/atom.xml over Gemini and Gopher.
. "$(dirname "$0")/../lib.sh"

gem() {
	printf 'gemini://localhost:%s%s\r\n' "$GEM_PORT" "$1" |
	    timeout 10 openssl s_client -quiet -connect "127.0.0.1:$GEM_PORT" \
	    -servername localhost 2>/dev/null
}

start_server

# subscription NAME PATH: the page parses as a Gemini feed whose entries
# are the posts it should list, newest first.
subscription() {
	gem "$2" >"$TMP/sub"
	python3 - "$TMP/sub" "$3" >"$TMP/sub.out" <<'PY'
import re, sys
data = open(sys.argv[1], "rb").read().decode("utf-8")
want = int(sys.argv[2])
header, _, body = data.partition("\r\n")
bad = []
if not header.startswith("20 text/gemini"):
    bad.append(f"header {header!r}")
lines = body.split("\n")
titles = [l for l in lines if l.startswith("# ")]
if not titles or lines[0] != titles[0]:
    bad.append("no '# ' title first")
entries = [m.groups() for l in lines
           for m in [re.match(r"=>\s*(\S+)\s+(\d{4}-\d{2}-\d{2})(?:\s+-)?\s+(\S.*)$", l)]
           if m]
if len(entries) != want:
    bad.append(f"{len(entries)} entries, want {want}")
dates = [d for _, d, _ in entries]
if dates != sorted(dates, reverse=True):
    bad.append("entries not newest first")
for url, _, _ in entries:
    if not url.startswith("/posts/"):
        bad.append(f"entry link {url}")
print("; ".join(bad[:3]))
PY
	check "$1" "" "$(cat "$TMP/sub.out")"
}

nposts=$(ls "$ROOT"/content/*.txt | wc -l)
subscription feeds_posts_page_is_a_gemini_subscription /posts/ "$nposts"
tag_nposts=$(grep -l '^Tags:.*MEK Support' "$ROOT"/content/*.txt | wc -l)
subscription feeds_tag_page_is_a_gemini_subscription /tag/mek-support/ "$tag_nposts"
subscription feeds_small_tag_page_is_a_gemini_subscription /tag/lincoln-bloomfield/ 1

# atom NAME PATH: served as Atom over Gemini, well-formed, entries as many
# as posts (up to 50), the feed dated by its newest post.
atom() {
	gem "$2" >"$TMP/atom"
	check "$1_mime" "20 application/atom+xml" "$(head -1 "$TMP/atom" | tr -d '\r')"
	tail -n +2 "$TMP/atom" >"$TMP/atom.xml"
	if xmllint --noout "$TMP/atom.xml" 2>"$TMP/xmllint.out"; then
		ok "$1_is_well_formed"
	else
		fail "$1_is_well_formed" "$(head -3 "$TMP/xmllint.out")"
	fi
	check "$1_entries" "$3" "$(grep -c '<entry>' "$TMP/atom.xml")"
	check "$1_updated" "<updated>$4T00:00:00Z</updated>" \
	    "$(grep -m1 '<updated>' "$TMP/atom.xml")"
	check_has "$1_self_link" \
	    "<link rel=\"self\" type=\"application/atom+xml\" href=\"gemini://localhost:$GEM_PORT$2\"/>" \
	    "$(cat "$TMP/atom.xml")"
}

newest=$(sed -n 's/^Date: //p' "$ROOT"/content/*.txt | sort -r | head -1)
atom feeds_atom_of_the_archive /atom.xml "$nposts" "$newest"
tag_newest=$(grep -l '^Tags:.*Lincoln Bloomfield' "$ROOT"/content/*.txt |
    xargs sed -n 's/^Date: //p' | sort -r | head -1)
atom feeds_atom_of_a_tag /tag/lincoln-bloomfield/atom.xml 1 "$tag_newest"
check_has feeds_atom_entry_links_the_post \
    '<link rel="alternate" type="text/gemini" href="gemini://localhost:'"$GEM_PORT"'/posts/former-us-ambassador-senior-regime-leaders-should-be-prosecuted-for-war-crimes-targetting-mek"/>' \
    "$(cat "$TMP/atom.xml")"
check_has feeds_atom_entry_has_categories '<category term="Lincoln Bloomfield"/>' \
    "$(cat "$TMP/atom.xml")"
check_has feeds_gemini_home_links_the_feed "=> /atom.xml" "$(gem /)"

# Gopher: the same XML, raw, linked from the home menu.
check_has feeds_gopher_home_links_the_feed $'\t/atom.xml\tlocalhost\t'"$GOPH_PORT" \
    "$(curl -s --max-time 10 "gopher://127.0.0.1:$GOPH_PORT/1/")"
curl -s --max-time 10 "gopher://127.0.0.1:$GOPH_PORT/0/atom.xml" >"$TMP/gatom.xml"
if xmllint --noout "$TMP/gatom.xml" 2>/dev/null; then
	ok feeds_gopher_atom_is_well_formed
else
	fail feeds_gopher_atom_is_well_formed "$(head -c 200 "$TMP/gatom.xml")"
fi
# Its links are Gopher's, on the port it is served from; its ids are the
# Gemini feed's, so a reader of both sees each post once.
check feeds_gopher_atom_has_no_gemini_links "" "$(grep -o 'gemini://[^"]*' "$TMP/gatom.xml" | head -3)"
check_has feeds_gopher_atom_links_gopher_items \
    "<link rel=\"alternate\" type=\"text/plain\" href=\"gopher://localhost:$GOPH_PORT/0/posts/iran-school-opening-stoke-uprising\"/>" \
    "$(cat "$TMP/gatom.xml")"
check feeds_gopher_and_gemini_ids_are_the_same \
    "$(gem /atom.xml | grep '<id>')" "$(grep '<id>' "$TMP/gatom.xml")"
check_has feeds_entry_id_is_a_tag_uri \
    "<id>tag:localhost,2019-09-23:/posts/iran-school-opening-stoke-uprising</id>" \
    "$(cat "$TMP/gatom.xml")"
alive feeds_server_survives
