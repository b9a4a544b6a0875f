#!/usr/bin/env bash
# wordpress.sh: `capsule import` from a real WordPress (Debian's packages,
# started by tests/wordpress/setup.sh on 127.0.0.1, filled by fill.php):
# its tag archive by the HTML URL (REST API) and by its feed (page after
# page), every post's text checked against what was put in, nothing
# hidden coming in, a second run writing nothing, a post edited through
# WordPress the only one rewritten, the other archive URLs, a disabled
# API; and the ten posts of content/, put into WordPress and imported
# back, rendering as content/ does. WordPress missing or not starting is
# a failure, never a skip.
. "$(dirname "$0")/../lib.sh"

SETUP="$ROOT/tests/wordpress/setup.sh"
# One test WordPress per machine: a second run (another checkout's, the
# ASan pass of a parallel make check) waits for the first to stop it.
exec 9>"${CAPSULE_WP_DIR:-/tmp/capsule-wordpress}.lock"
flock -w 900 9 || { fail wordpress_lock "another run holds the test WordPress"; exit 1; }
if ! W=$(bash "$SETUP" start 2>"$TMP/setup.err"); then
	fail wordpress_starts "the test WordPress did not start: $(cat "$TMP/setup.err")"
	bash "$SETUP" stop
	exit 1
fi
ok wordpress_starts
trap 'bash "$SETUP" stop; stop_server; rm -rf "$TMP"' EXIT
WP_DIR=${CAPSULE_WP_DIR:-/tmp/capsule-wordpress}

# state DIR: every post and picture with its inode, mtime (ns) and hash.
state() {
	(cd "$1" && for f in *.txt $(find media -type f 2>/dev/null | sort); do
		printf '%s %s ' "$f" "$(stat -c '%i %y' "$f")"
		sha256sum <"$f"
	done)
}

# --- the tag archive through the REST API, by its HTML page -------------
R="$TMP/rest"
out=$("$CAPSULE" import --content "$R" "$W/tag/big-archive/" 2>"$TMP/err"); rc=$?
check wp_rest_import_exits_0 0 "$rc"
check_has wp_rest_reads_the_api "reading $W through its REST API (tags=" "$out"
check_has wp_rest_adds_every_post_of_the_tag "150 added, 0 updated, 0 unchanged, 0 kept, 1 skipped, 0 refused" "$out"
check_has wp_rest_skips_the_protected_post_with_a_line \
    'skipped  post "Hidden password post": protected by a password' "$out"
check wp_rest_writes_150_posts 150 "$(ls "$R"/*.txt | wc -l)"
check wp_rest_no_warnings "" "$(grep -v 'made the store' "$TMP/err")"

# every_post DIR NAME DATES: each archive post's file says what fill.php
# put in: title, local day (posts are at 00:30 Berlin time, the day
# before in UTC), author, tags, text.
every_post() {
	local d=$1 name=$2 dates=$3 bad="" n f day want
	for n in $(seq 1 150); do
		f=$(printf '%s/archive-post-%03d.txt' "$d" "$n")
		day=$(date -u -d "2020-01-01 +$((n - 1)) days" +%F)
		[ "$dates" = utc ] && day=$(date -u -d "$day -1 day" +%F)
		want=$(printf 'Archive post %03d says its number, %d, twice & keeps \xe2\x80\x9cquotes\xe2\x80\x9d.' "$n" "$n")
		[ -f "$f" ] || { bad="$bad missing:$n"; continue; }
		grep -qxF "$want" "$f" || bad="$bad text:$n"
		grep -qx "Date: $day" "$f" || bad="$bad date:$n"
		grep -qx "Author: Ann Archivist" "$f" || bad="$bad author:$n"
		grep -qx "Tags: Big Archive, Filler" "$f" || bad="$bad tags:$n"
		[ "$n" = 7 ] && continue
		grep -qx "Title: $(printf 'Archive post %03d' "$n")" "$f" || bad="$bad title:$n"
	done
	check "${name}_every_post_as_put_in" "" "$bad"
}
every_post "$R" wp_rest local
check wp_rest_title_markup_dropped_entities_decoded \
    "Title: Archive post 007: emphasis & an ampersand" "$(grep '^Title:' "$R/archive-post-007.txt")"
check_has wp_rest_featured_image_is_a_picture_of_the_post \
    "Featured picture of archive post 4" "$(cat "$R/archive-post-004.txt")"
check_has wp_rest_caption_shortcode_picture \
    "Caption of archive post 5" "$(cat "$R/archive-post-005.txt")"
check_has wp_rest_gallery_pictures \
    "Second gallery picture" "$(cat "$R/archive-post-006.txt")"
check wp_rest_nothing_hidden_came_in "" \
    "$(grep -rl 'SECRET-\|OUTSIDE-\|PAGE-ABOUT' "$R"; ls "$R" | grep -i 'hidden\|outside\|about')"
# (The GUID keeps the port of the run that made the post.)
check wp_rest_source_is_the_guid 1 "$(grep -cx 'Source: http://127\.0\.0\.1:[0-9]*/2020/01/01/archive-post-001/' "$R/archive-post-001.txt")"
check wp_rest_keeps_the_run_state 1 "$(grep -c "^$W/wp-json/ tags=" "$R/.import-wordpress")"
check wp_rest_store_is_clean 0 "$("$CAPSULE" check --content "$R" >/dev/null 2>&1; echo $?)"

# The pictures (helper pictures' store): fetched once into media/ at the
# site's upload paths, byte for byte, linked in their place.
U="$WP_DIR/wp-content/uploads/2020/01"
check_has wp_rest_pictures_fetched "pictures: 7 fetched" "$out"
bad=""
for f in archive-1 archive-2 archive-3 featured-4 archive-5 gallery-6a gallery-6b; do
	cmp -s "$U/$f.jpg" "$R/media/2020/01/$f.jpg" || bad="$bad $f"
done
check wp_rest_pictures_mirrored_byte_for_byte "" "$bad"
check_has wp_rest_featured_picture_linked_locally \
    "=> /media/2020/01/featured-4.jpg Featured picture of archive post 4" "$(cat "$R/archive-post-004.txt")"
check_has wp_rest_block_picture_linked_in_place \
    "=> /media/2020/01/archive-2.jpg Picture of archive post 2" "$(cat "$R/archive-post-002.txt")"

# A second run asks for what changed since, and writes nothing.
before=$(state "$R")
out=$("$CAPSULE" import --content "$R" "$W/tag/big-archive/" 2>&1); rc=$?
check wp_rest_second_run_exits_0 0 "$rc"
check_has wp_rest_second_run_adds_and_updates_nothing "0 added, 0 updated" "$out"
check wp_rest_second_run_asks_only_for_what_changed 1 \
    "$(grep -c 'modified_after=' "$WP_DIR/log/apache-access.log" | awk '{print ($1 > 0)}')"
check wp_rest_second_run_keeps_bytes_inodes_mtimes "$before" "$(state "$R")"
out=$("$CAPSULE" import --content "$R" --full "$W/tag/big-archive/page/2/" 2>&1)
check_has wp_rest_full_run_by_a_later_page_same_archive_nothing_new \
    "0 added, 0 updated, 150 unchanged" "$out"
check wp_rest_full_run_keeps_bytes "$before" "$(state "$R")"

# An edit through WordPress: that post, and only it, is rewritten.
bash "$SETUP" edit archive-42 >/dev/null 2>"$TMP/edit.err" ||
    fail wp_edit_through_wordpress "$(cat "$TMP/edit.err")"
out=$("$CAPSULE" import --content "$R" "$W/tag/big-archive/" 2>&1)
check_has wp_rest_edited_post_updated "0 added, 1 updated" "$out"
check_has wp_rest_edited_post_named "updated  archive-post-042: Archive post 042" "$out"
changed=$(diff <(echo "$before") <(state "$R") | grep '^>' | cut -d' ' -f2 | grep '\.txt$')
check wp_rest_only_the_edited_post_rewritten "archive-post-042.txt" "$changed"
check_has wp_rest_edited_text_is_there "Edited through WordPress." "$(cat "$R/archive-post-042.txt")"

# The pictures served over Gemini and Gopher, and exported.
CONTENT="$R"
if start_server; then
	"$GEMGET" -p "$GEM_PORT" -t 10 localhost "gemini://localhost:$GEM_PORT/media/2020/01/featured-4.jpg\r\n" >"$TMP/got" 2>/dev/null
	check wp_picture_gemini_status "20 image/jpeg" "$(head -n 1 "$TMP/got" | tr -d '\r')"
	check wp_picture_gemini_bytes "$(sha256sum <"$U/featured-4.jpg")" \
	    "$(tail -c +$(($(head -n 1 "$TMP/got" | wc -c) + 1)) "$TMP/got" | sha256sum)"
	check wp_picture_gopher_bytes "$(sha256sum <"$U/archive-5.jpg")" \
	    "$(curl -s "gopher://127.0.0.1:$GOPH_PORT/I/media/2020/01/archive-5.jpg" | sha256sum)"
	check_has wp_picture_gopher_menu_of_the_post "/media/2020/01/gallery-6b.jpg" \
	    "$(curl -s "gopher://127.0.0.1:$GOPH_PORT/1/pictures/archive-post-006/" | tr -d '\r')"
	stop_server
else
	fail wp_picture_server_starts "$(cat "$TMP/server.out")"
fi
if "$CAPSULE" export --out "$TMP/export" --content "$R" --hostname localhost >"$TMP/export.out" 2>&1; then
	check wp_picture_exported "$(sha256sum <"$U/gallery-6a.jpg")" \
	    "$(sha256sum <"$TMP/export/gemini/media/2020/01/gallery-6a.jpg" 2>&1)"
else
	fail wp_picture_export_runs "$(tail -3 "$TMP/export.out")"
fi

# --- the same archive by its feed: ?paged=N, page after page ------------
F="$TMP/feed"
out=$("$CAPSULE" import --content "$F" "$W/tag/big-archive/feed/" 2>"$TMP/err"); rc=$?
check wp_feed_import_exits_0 0 "$rc"
check_has wp_feed_follows_every_page "150 added, 0 updated, 0 unchanged, 0 kept, 1 skipped" "$out"
check_has wp_feed_skips_the_protected_post 'skipped  post "Protected: Hidden password post"' "$out"
check wp_feed_no_warnings "" "$(grep -v 'made the store' "$TMP/err")"
# A feed gives UTC dates (pubDate); the text is the same.
every_post "$F" wp_feed utc
# (A feed has no featured image: post 4 differs by its picture.)
check wp_feed_and_rest_same_bodies_and_sources \
    "$(cd "$R" && for f in *.txt; do [ "$f" = archive-post-004.txt ] || sed -e '/^Date:/d' -e '/^Import-Hash:/d' "$f"; done | sha256sum)" \
    "$(cd "$F" && for f in *.txt; do [ "$f" = archive-post-004.txt ] || sed -e '/^Date:/d' -e '/^Import-Hash:/d' "$f"; done | sha256sum)"
check wp_feed_nothing_hidden_came_in "" "$(grep -rl 'SECRET-\|OUTSIDE-\|PAGE-ABOUT' "$F")"
before=$(state "$F")
out=$("$CAPSULE" import --content "$F" "$W/tag/big-archive/feed/" 2>&1)
check_has wp_feed_second_run_writes_nothing "0 added, 0 updated, 150 unchanged" "$out"
check wp_feed_second_run_keeps_bytes "$before" "$(state "$F")"
check wp_feed_rss_page_16_is_past_the_end 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' "$W/tag/big-archive/feed/?paged=17")"

# --- other public URLs of the site --------------------------------------
A="$TMP/author"
out=$("$CAPSULE" import --content "$A" "$W/author/ann-archivist/" 2>&1)
check_has wp_author_archive_all_of_her_posts "153 added, 0 updated, 0 unchanged, 0 kept, 1 skipped" "$out"
S="$TMP/site"
out=$("$CAPSULE" import --content "$S" "$W/?rest_route=/" 2>&1); rc=$?
check wp_plain_rest_root_exits_0 0 "$rc"
check_has wp_plain_rest_root_whole_site "163 added, 0 updated, 0 unchanged, 0 kept, 1 skipped" "$out"
check wp_whole_site_no_page "" "$(grep -rl 'PAGE-ABOUT' "$S")"
out=$("$CAPSULE" import --content "$TMP/none" "$W/tag/no-such-tag/" 2>&1); rc=$?
check wp_unknown_tag_exits_1 1 "$rc"
check_has wp_unknown_tag_says_404 "HTTP 404" "$out"
out=$("$CAPSULE" import --content "$TMP/none" "$W/2020/01/01/archive-post-001/" 2>&1); rc=$?
check wp_single_post_page_exits_1 1 "$rc"
check_has wp_single_post_page_says_what_it_wants "is not the site, a tag, category or author archive" "$out"
touch "$WP_DIR/wp-content/rest-disabled"
out=$("$CAPSULE" import --content "$TMP/off" "$W/tag/big-archive/" 2>&1); rc=$?
rm -f "$WP_DIR/wp-content/rest-disabled"
check wp_disabled_api_exits_1 1 "$rc"
check_has wp_disabled_api_says_so "rest_disabled, The REST API is disabled on this site. (the site has closed or disabled its API" "$out"
check wp_disabled_api_writes_nothing "" "$(ls -A "$TMP/off" 2>/dev/null)"
check_has wp_user_agent_names_capsule_and_its_version \
    "\"capsule/$(sed -n 's/^#define CAPSULE_VERSION[^"]*"\(.*\)"/\1/p' "$ROOT/capsule/config.h") (import)\"" \
    "$(tail -1 "$WP_DIR/log/apache-access.log")"

# --- content/, through WordPress and back --------------------------------
# fill.php put content/'s pictures at the upload paths of the fixtures'
# site (https://www.example.org/wp-content/uploads/...), so with the local
# site's address written as that one, the import renders as content/
# with its pictures in place (make_fixtures.py --imported), as import.sh
# compares the fixtures' imports.
C="$ROOT/content"
E="$TMP/expected"
mkdir "$E" && cp "$C/capsule.conf" "$E/" &&
    python3 "$ROOT/tests/fixtures/make_fixtures.py" --imported "$E"
K="$TMP/round"
# --no-media: the pictures keep the site's URLs, as the fixtures' imports
# do; the mirrored pictures are checked below.
out=$("$CAPSULE" import --no-media --content "$K" "$W/tag/mek-support/" 2>&1); rc=$?
check wp_content_round_trip_exits_0 0 "$rc"
check_has wp_content_round_trip_ten_posts "10 added, 0 updated, 0 unchanged, 0 kept, 0 skipped" "$out"
gmi() {
	"$CAPSULE" render --content "$1" --hostname localhost "$2" 2>&1 |
	    sed "s|$W/|https://www.example.org/|g" | grep -v '^=\(>\|&gt;\) https\?://' | awk '/<entry>/ { e = 1 } !e && /^<author>/ { next } 1' | cat -s
}
gph() {
	"$CAPSULE" render --gopher --content "$1" --hostname localhost \
	    --gopher-port 70 "$2" 2>&1 | tr -d '\r' | sed "s|$W/|https://www.example.org/|g" |
	    grep -v ' \[[0-9]*\]$' | grep -v '^\[[0-9]*\] ' |
	    grep -v '^=&gt; https\?://' | awk '/<entry>/ { e = 1 } !e && /^<author>/ { next } 1' | cat -s
}
PATHS=$(printf '%s\n' / /posts/ /tags/ /atom.xml
	"$CAPSULE" render --content "$C" /tags/ | sed -n 's|^=> \(/tag/[^ ]*\) .*|\1|p'
	"$CAPSULE" render --content "$C" /posts/ | sed -n 's|^=> \(/posts/[^ ]*\) .*|\1|p')
bad=""
while read -r p; do
	[ "$(gmi "$E" "$p")" = "$(gmi "$K" "$p")" ] || bad="$bad gemini:$p"
	[ "$(gph "$E" "$p")" = "$(gph "$K" "$p")" ] || bad="$bad gopher:$p"
done <<<"$PATHS"
check wp_content_round_trip_renders_as_content_in_both_protocols "" "$bad"
# With the pictures mirrored (the default for a URL): every picture of
# content/ put into WordPress comes back into media/, byte for byte.
K2="$TMP/round-media"
out=$("$CAPSULE" import --content "$K2" "$W/tag/mek-support/" 2>&1)
bad=""
n=0
for f in "$WP_DIR"/wp-content/uploads/2019/0[789]/*-[0-9].jpg; do
	rel=${f#"$WP_DIR"/wp-content/uploads/}
	n=$((n + 1))
	cmp -s "$f" "$K2/media/$rel" || bad="$bad $rel"
	grep -q "^=> /media/$rel " "$K2"/*.txt || bad="$bad unlinked:$rel"
done
check wp_content_round_trip_pictures_mirrored_and_linked "" "$bad"
check wp_content_round_trip_has_its_pictures 1 "$([ "$n" -ge 10 ] && echo 1 || echo "$n")"
if [ -n "$bad" ]; then
	p=$(echo "$bad" | awk '{print $1}' | cut -d: -f2)
	diff <(gmi "$E" "$p") <(gmi "$K" "$p") | head -20
fi

# --- last, as it changes the site (the next start undoes it) ------------
# A scheduled post goes live without an edit, keeping its date (2099) as
# its modification time: the incremental run brings it, and its future
# time does not move the mark, so a later edit still comes in.
bash "$SETUP" publish hidden-future >/dev/null 2>"$TMP/pub.err" ||
    fail wp_publish_through_wordpress "$(cat "$TMP/pub.err")"
out=$("$CAPSULE" import --content "$R" "$W/tag/big-archive/" 2>&1)
check_has wp_rest_scheduled_post_gone_live_comes_in "1 added, 0 updated" "$out"
check_has wp_rest_scheduled_post_named "added    hidden-future: Hidden future post" "$out"
check wp_rest_future_time_does_not_move_the_mark "" "$(grep 2099 "$R/.import-wordpress")"
bash "$SETUP" edit archive-43 >/dev/null 2>&1
out=$("$CAPSULE" import --content "$R" "$W/tag/big-archive/" 2>&1)
check_has wp_rest_edit_after_a_future_post_still_comes_in "updated  archive-post-043" "$out"
exit 0
