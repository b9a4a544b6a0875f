#!/usr/bin/env bash
# import.sh: `capsule import` of the fixtures (a WordPress export, an RSS
# and an Atom feed of the posts in content/) into empty stores: the result
# renders as the hand-made store does, line for line, but for the links
# the fixtures add and the pictures, which import keeps in their place
# (make_fixtures.py --imported writes content/ so); a second run changes
# nothing; a changed entry updates exactly its post; hand edits are kept;
# every bad input gets its error.
. "$(dirname "$0")/../lib.sh"

FIX="$ROOT/tests/fixtures"
C="$ROOT/content"
# The hand-made store with its pictures where the fixtures put them.
E="$TMP/expected"
mkdir "$E" && cp "$C/capsule.conf" "$E/" &&
    python3 "$FIX/make_fixtures.py" --imported "$E"

# gmi / gph STORE PATH: a rendered document with what links add taken
# out: Gemini link lines to the web; Gopher "text [n]" lines and the
# "[n] URL" list. Blank-line runs fold, so the taken lines leave none.
gmi() {
	"$CAPSULE" render --content "$1" --hostname localhost "$2" 2>&1 |
	    grep -v '^=\(>\|&gt;\) https\?://' | atom_author | cat -s
}
# A feed has no Author for capsule.conf, so the Atom feed's own author
# (capsule.conf's, else the title) is not compared; the entries' are.
atom_author() { awk '/<entry>/ { e = 1 } !e && /^<author>/ { next } 1'; }
gph() {
	"$CAPSULE" render --gopher --content "$1" --hostname localhost \
	    --gopher-port 70 "$2" 2>&1 | tr -d '\r' |
	    grep -v ' \[[0-9]*\]$' | grep -v '^\[[0-9]*\] ' |
	    grep -v '^=&gt; https\?://' | atom_author | cat -s
}
# state DIR: every file with its inode, mtime (ns) and hash.
state() {
	(cd "$1" && for f in *; do
		printf '%s %s ' "$f" "$(stat -c '%i %y' "$f")"
		sha256sum <"$f"
	done)
}
# paths: every document of the hand-made store.
paths() {
	printf '%s\n' / /posts/ /tags/ /atom.xml
	"$CAPSULE" render --content "$C" /tags/ | sed -n 's|^=> \(/tag/[^ ]*\) .*|\1|p'
	"$CAPSULE" render --content "$C" /posts/ | sed -n 's|^=> \(/posts/[^ ]*\) .*|\1|p'
}
PATHS=$(paths)
npaths=$(printf '%s\n' "$PATHS" | wc -l)

for fx in wordpress.xml feed.rss feed.atom; do
	name=${fx%%.*}_${fx##*.}
	d="$TMP/$name"
	mkdir "$d"
	out=$("$CAPSULE" import --content "$d" "$FIX/$fx" 2>"$TMP/err"); rc=$?
	check "import_${name}_exits_1_for_its_broken_entry" 1 "$rc"
	check_has "import_${name}_adds_the_ten_posts" "10 added, 0 updated, 0 unchanged, 0 kept" "$out"
	check_has "import_${name}_refuses_the_untitled_empty_entry" "no title and no text; not imported" "$(cat "$TMP/err")"
	check "import_${name}_writes_ten_posts_and_the_settings" 11 "$(ls "$d" | wc -l)"
	bad=""
	while read -r p; do
		[ "$(gmi "$E" "$p")" = "$(gmi "$d" "$p")" ] || bad="$bad gemini:$p"
		[ "$(gph "$E" "$p")" = "$(gph "$d" "$p")" ] || bad="$bad gopher:$p"
	done <<<"$PATHS"
	if [ -z "$bad" ] && [ "$npaths" -gt 30 ]; then
		ok "import_${name}_renders_as_the_hand_made_store_in_both_protocols"
	else
		fail "import_${name}_renders_as_the_hand_made_store_in_both_protocols" \
		    "differs:$bad ($npaths paths)"
	fi
	# The links are there, as link lines and as Gopher references.
	check_has "import_${name}_keeps_links_as_link_lines" \
	    "=> https://www.newsweek.com/iran-opposition-groups-regime-collapse-1456229 Newsweek published an article" \
	    "$("$CAPSULE" render --content "$d" /posts/newsweek-irans-opposition-groups-preparing-regimes-collapse-is-anyone-ready-is-false-and-propaganda)"
	g=$("$CAPSULE" render --gopher --content "$d" /posts/regime-intelligence-minister-voices-fears-about-meks-use-of-social-media | tr -d '\r')
	check_has "import_${name}_numbers_links_in_gopher_text" "Fars news agency [2]" "$g"
	check_has "import_${name}_lists_link_urls_at_the_end" "[2] https://www.example.org/tag/fars-news-agency/" "$g"
	check "import_${name}_store_is_clean" 0 "$("$CAPSULE" check --content "$d" >/dev/null 2>&1; echo $?)"

	before=$(state "$d")
	out=$("$CAPSULE" import --content "$d" "$FIX/$fx" 2>/dev/null)
	check_has "import_${name}_twice_reports_nothing_new" "0 added, 0 updated, 10 unchanged" "$out"
	check "import_${name}_twice_keeps_bytes_inodes_and_mtimes" "$before" "$(state "$d")"
done

# Three formats, one archive: the same files, byte for byte.
check import_three_formats_give_the_same_files \
    "$(cd "$TMP/wordpress_xml" && sha256sum -- *)" "$(cd "$TMP/feed_rss" && sha256sum -- *)"
check import_atom_gives_the_same_files \
    "$(cd "$TMP/wordpress_xml" && sha256sum -- *)" "$(cd "$TMP/feed_atom" && sha256sum -- *)"
# The same GUIDs: the RSS feed over the WordPress import changes nothing.
out=$("$CAPSULE" import --content "$TMP/wordpress_xml" "$FIX/feed.rss" 2>/dev/null)
check_has import_feed_over_export_matches_by_source "0 added, 0 updated, 10 unchanged" "$out"

# One entry changed in the feed: exactly its post is written again.
d="$TMP/feed_rss"
before=$(state "$d")
sed 's/Highlights from the interview included:/Highlights from the interview:/' "$FIX/feed.rss" >"$TMP/changed.rss"
out=$("$CAPSULE" import --content "$d" "$TMP/changed.rss" 2>/dev/null)
check_has import_changed_entry_updates_one_post "0 added, 1 updated, 9 unchanged" "$out"
changed=$(diff <(echo "$before") <(state "$d") | grep '^>' | cut -d' ' -f2)
check import_changed_entry_rewrites_only_its_file \
    "former-us-ambassador-senior-regime-leaders-should-be-prosecuted-for-war-crimes-targetting-mek.txt" "$changed"
check_has import_changed_entry_has_the_new_text "Highlights from the interview:" \
    "$(cat "$d/$changed")"

# A post edited by hand is kept, unless --force.
f="$d/europe-should-support-mek-says-irish-lawmaker.txt"
printf '\nA note added by hand.\n' >>"$f"
edited=$(sha256sum <"$f")
out=$("$CAPSULE" import --content "$d" "$FIX/feed.rss" 2>/dev/null)
check_has import_keeps_a_hand_edited_post_only "1 updated, 8 unchanged, 1 kept" "$out"
check_has import_keeps_a_hand_edited_post "kept     europe-should-support-mek-says-irish-lawmaker: edited by hand" "$out"
check import_hand_edited_post_untouched "$edited" "$(sha256sum <"$f")"
out=$("$CAPSULE" import --force --content "$d" "$FIX/feed.rss" 2>/dev/null)
check_has import_force_replaces_a_hand_edited_post "0 added, 1 updated, 9 unchanged, 0 kept" "$out"
check import_force_restores_the_imported_text \
    "$(sha256sum <"$TMP/feed_atom/europe-should-support-mek-says-irish-lawmaker.txt")" "$(sha256sum <"$f")"

# Posts written by hand (the store in content/) are never overwritten.
mkdir "$TMP/hand"
cp "$C"/*.txt "$C/capsule.conf" "$TMP/hand/"
before=$(state "$TMP/hand")
out=$("$CAPSULE" import --content "$TMP/hand" "$FIX/feed.rss" 2>/dev/null)
check_has import_keeps_hand_written_posts "0 added, 0 updated, 0 unchanged, 10 kept" "$out"
check import_hand_written_posts_untouched "$before" "$(state "$TMP/hand")"

# --dry-run says what it would do and writes nothing.
mkdir "$TMP/dry"
out=$("$CAPSULE" import --dry-run --content "$TMP/dry" "$FIX/feed.atom" 2>/dev/null)
check_has import_dry_run_says_what_it_would_add "would add    iran-school-opening-stoke-uprising" "$out"
check_has import_dry_run_counts "dry run: 10 added" "$out"
check import_dry_run_writes_nothing "" "$(ls -A "$TMP/dry")"

# --drafts: drafts come in; a taken slug is made unique, with a warning.
mkdir "$TMP/drafts"
out=$("$CAPSULE" import --drafts --content "$TMP/drafts" "$FIX/wordpress.xml" 2>"$TMP/err")
check_has import_drafts_adds_drafts "12 added" "$out"
check_has import_skips_pages "skipped  page \"About this archive\": not a post" "$out"
check_has import_warns_of_a_taken_slug "this one is \"iran-school-opening-stoke-uprising-2\"" "$(cat "$TMP/err")"
draft="$TMP/drafts/notes-for-the-next-rally-a-draft.txt"
body=$(sed '1,/^$/d' "$draft")
check import_html_to_markup_draft "Notes for the rally on 20 September. What the speakers said, with sources$(printf '\302\240')& links.

## Quotes to check

> “Iran will be free.”

> Maryam Rajavi

* Book the square for Saturday
* Print the banners
=> https://www.example.org/2019/07/28/maryam-rajavi-to-london-rally-iran-will-be-free/ banners
* Ask the press office

\`\`\`
Time   Speaker
10:00  Opening
10:30  Struan Stevenson
\`\`\`

=> https://www.youtube.com/watch?v=aBcD1234567" "$body"
g=$("$CAPSULE" render --gopher --content "$TMP/drafts" /posts/notes-for-the-next-rally-a-draft | tr -d '\r')
check_has import_preformatted_kept_in_gopher "$(printf 'Time   Speaker\n10:00  Opening')" "$g"
out=$("$CAPSULE" import --drafts --content "$TMP/drafts" "$FIX/wordpress.xml" 2>/dev/null)
check_has import_unique_slugs_are_stable "0 added, 0 updated, 12 unchanged" "$out"

# --- bad input: a clear error, nothing written -------------------------
bad() {	# bad NAME WANT FILE [flags]: import fails, says WANT, writes nothing
	local name=$1 want=$2 file=$3 out rc
	shift 3
	rm -rf "$TMP/bad" && mkdir "$TMP/bad"
	out=$("$CAPSULE" import --content "$TMP/bad" "$@" "$file" 2>&1); rc=$?
	if [ $rc -eq 1 ] && [ -z "$(ls -A "$TMP/bad")" ]; then
		check_has "$name" "$want" "$out"
	else
		fail "$name" "rc=$rc files=[$(ls -A "$TMP/bad")] out=[$out]"
	fi
}
printf '<?xml version="1.0"?>\n<rss version="2.0"><channel>\n<item><title>A</title>\n</channel></rss>\n' >"$TMP/malformed.rss"
bad import_malformed_xml_says_where "malformed.rss: line 4, column 11: malformed XML: Opening and ending tag mismatch" "$TMP/malformed.rss"
# (HTML entities, a bare & and the like are mended: feeds_import.sh.)
printf '<rss version="2.0"><channel><title>T < U</title></channel></rss>\n' >"$TMP/lt.rss"
bad import_bare_less_than_is_malformed "line 1, column" "$TMP/lt.rss"
printf '<!DOCTYPE html>\n<html><head><title>Blog</title>\n<link rel="alternate" type="application/rss+xml" title="Feed" href="https://blog.example/feed/">\n</head><body><p>Hello</p></body></html>\n' >"$TMP/page.html"
bad import_html_page_is_not_a_feed "this is an HTML page, not a feed; its feed is at https://blog.example/feed/" "$TMP/page.html"
printf '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>\n' >"$TMP/xhtml.xml"
bad import_xhtml_page_is_not_a_feed "this is an HTML page, not a feed" "$TMP/xhtml.xml"
printf '<?xml version="1.0"?><opml version="2.0"/>\n' >"$TMP/opml.xml"
bad import_other_xml_is_not_a_feed "not a feed: the document is <opml>" "$TMP/opml.xml"
{
	echo '<?xml version="1.0"?>'
	echo '<!DOCTYPE rss ['
	echo '<!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
	prev=a
	for e in b c d e f g h i j k; do
		printf '<!ENTITY %s "%s">\n' "$e" "$(for _ in 1 2 3 4 5 6 7 8 9 10; do printf '&%s;' "$prev"; done)"
		prev=$e
	done
	echo ']>'
	echo '<rss version="2.0"><channel><title>x</title><item><title>&k;</title><pubDate>Mon, 23 Sep 2019 10:00:00 +0000</pubDate></item></channel></rss>'
} >"$TMP/bomb.rss"
bad import_entity_bomb_is_refused "entity" "$TMP/bomb.rss"
printf '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<rss version="2.0"><channel><item><title>&x;</title><guid>g</guid><pubDate>Mon, 23 Sep 2019 10:00:00 +0000</pubDate></item></channel></rss>\n' >"$TMP/xxe.rss"
bad import_external_entity_is_refused "declares XML entities" "$TMP/xxe.rss"
truncate -s 1G "$TMP/huge.xml"
bad import_1gb_file_is_refused_unread "1073741824 bytes, more than the 67108864 allowed (see --max-size)" "$TMP/huge.xml"
rm -f "$TMP/huge.xml"
bad import_max_size_is_honoured "more than the 1024 allowed" "$FIX/feed.rss" --max-size 1K
bad import_missing_file_says_so "No such file or directory" "$TMP/nope.rss"
# (An entry with no date where the feed has none takes the file's date:
# feeds_import.sh.)

# Edge cases that import: a missing date takes the feed's; control
# characters and TABs never reach a title; two entries, one slug.
cat >"$TMP/edge.atom" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Edge</title><updated>2020-02-29T23:59:59-08:00</updated>
  <id>urn:edge</id>
  <entry><id>urn:1</id><title>Tabbed&#9;title&#x90;with	controls
  and a newline</title><link href="https://e.example/a/same-slug/"/>
    <published>2020-01-02T03:04:05+01:00</published>
    <content type="text">Line one &amp; two.

Second paragraph.</content></entry>
  <entry><id>urn:2</id><title>Another</title><link href="https://e.example/b/same-slug/"/>
    <content type="html">&lt;p&gt;No date here.&lt;/p&gt;</content></entry>
</feed>
EOF
mkdir "$TMP/edge"
out=$("$CAPSULE" import --content "$TMP/edge" "$TMP/edge.atom" 2>&1); rc=$?
check import_edge_feed_succeeds 0 "$rc"
check_has import_missing_date_takes_the_feeds "entry 2 \"Another\": no date; using the feed's date 2020-02-29" "$out"
check_has import_warns_of_control_characters "control characters or TABs in the title made spaces" "$out"
check_has import_duplicate_slug_made_unique "the slug \"same-slug\" is taken by another post; this one is \"same-slug-2\"" "$out"
check import_title_has_no_control_characters "Title: Tabbed title with controls and a newline" "$(head -n 1 "$TMP/edge/same-slug.txt")"
check import_date_as_the_source_wrote_it "Date: 2020-01-02" "$(sed -n 2p "$TMP/edge/same-slug.txt")"
check import_text_content_keeps_paragraphs "$(printf 'Line one & two.\n\nSecond paragraph.')" "$(sed '1,/^$/d' "$TMP/edge/same-slug.txt")"
menu=$("$CAPSULE" render --gopher --content "$TMP/edge" /posts/ | tr -d '\r' | grep '^0')
check import_gopher_menu_lines_have_four_fields "" "$(printf '%s\n' "$menu" | awk -F'\t' 'NF != 4')"
check_has import_gopher_menu_shows_clean_title "2020-01-02 Tabbed title with controls and a newline" "$menu"

# `capsule serve` on an imported store shows the archive of content/.
CONTENT="$TMP/wordpress_xml"
if start_server; then
	want=$(gmi "$C" /posts/ | tr -d '\r')
	got=$("$GEMGET" -p "$GEM_PORT" -t 5 localhost "gemini://localhost:$GEM_PORT/posts/\r\n" 2>/dev/null | tr -d '\r' | sed 1d)
	check import_served_gemini_matches_content "$want" "$got"
	want=$(gph "$E" /posts/maryam-rajavi-to-london-rally-iran-will-be-free)
	got=$(curl -s "gopher://127.0.0.1:$GOPH_PORT/0/posts/maryam-rajavi-to-london-rally-iran-will-be-free" | tr -d '\r' | grep -v ' \[[0-9]*\]$' | grep -v '^\[[0-9]*\] ' | cat -s)
	check import_served_gopher_matches_content "$want" "$got"
	# The mirror's round: import a changed feed, the server shows it
	# (live reload, or SIGHUP as the README's cron line sends it).
	out=$("$CAPSULE" import --content "$CONTENT" "$TMP/changed.rss" 2>/dev/null)
	check_has import_into_served_store_updates_one "0 added, 1 updated, 9 unchanged" "$out"
	kill -HUP "$SERVER_PID"
	p=/posts/former-us-ambassador-senior-regime-leaders-should-be-prosecuted-for-war-crimes-targetting-mek
	for _ in $(seq 1 50); do
		got=$("$GEMGET" -p "$GEM_PORT" -t 5 localhost "gemini://localhost:$GEM_PORT$p\r\n" 2>/dev/null)
		case "$got" in *"Highlights from the interview:"*) break ;; esac
		sleep 0.1
	done
	check_has import_served_store_shows_the_update "Highlights from the interview:" "$got"
	alive import_server_alive_after_import
	stop_server
else
	fail import_serves_the_imported_store "$(tail -5 "$TMP/server.out")"
fi
