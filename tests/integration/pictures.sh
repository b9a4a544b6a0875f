#!/usr/bin/env bash
# pictures.sh: pictures mirrored by `capsule import` from a local web
# server (pictures_server.py, on 127.0.0.1): each fetched once, kept only
# when its bytes are a picture, within the per-file cap; a re-run asks
# with the validators and gets 304s; a changed picture is fetched again;
# --no-media keeps the links to the site. Then served: Gemini "20
# image/..." with the exact bytes (one larger than many chunks too),
# Gopher the raw bytes, the post's text and menus naming them; exported
# and served the same by molly-brown and Gophernicus; `capsule check`
# names a post whose picture is gone.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/mirror.sh"

W="$TMP/web"
PORT=$(free_port)
python3 "$ROOT/tests/integration/pictures_server.py" make "$W"
U="http://127.0.0.1:$PORT/wp-content/uploads/2019/09"
cat >"$W/feed.rss" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Pictures</title><link>http://127.0.0.1:$PORT/</link><description>A test</description>
<item><title>Two pictures</title><link>http://127.0.0.1:$PORT/2019/09/23/two/</link><guid>p1</guid>
<pubDate>Mon, 23 Sep 2019 10:00:00 +0000</pubDate>
<content:encoded><![CDATA[<p>Before.</p><p><img src="$U/a.png" alt="A PNG"></p><figure class="wp-block-image"><img src="/wp-content/uploads/2019/09/b.gif" alt=""><figcaption>A GIF</figcaption></figure><p>After.</p>]]></content:encoded></item>
<item><title>Only pictures</title><link>http://127.0.0.1:$PORT/2019/09/24/only/</link><guid>p2</guid>
<pubDate>Tue, 24 Sep 2019 10:00:00 +0000</pubDate>
<content:encoded><![CDATA[<img src="$U/c.jpg" alt=""><img src="$U/a.png" alt="Again"><img src="$U/d.webp" alt="WebP">]]></content:encoded></item>
<item><title>Refused ones</title><link>http://127.0.0.1:$PORT/2019/09/25/refused/</link><guid>p3</guid>
<pubDate>Wed, 25 Sep 2019 10:00:00 +0000</pubDate>
<content:encoded><![CDATA[<p>Text.</p><img src="$U/fake.jpg" alt="Not one"><img src="$U/big.png" alt="Big"><img src="https://other.example/x.png" alt="Elsewhere">]]></content:encoded></item>
<item><title>Featured</title><link>http://127.0.0.1:$PORT/2019/09/26/featured/</link><guid>p4</guid>
<pubDate>Thu, 26 Sep 2019 10:00:00 +0000</pubDate><enclosure url="$U/e.png" length="70" type="image/png"/>
<content:encoded><![CDATA[<p>A post with a featured picture.</p>]]></content:encoded></item>
<item><title>Featured twice</title><link>http://127.0.0.1:$PORT/2019/09/27/twice/</link><guid>p5</guid>
<pubDate>Fri, 27 Sep 2019 10:00:00 +0000</pubDate><enclosure url="$U/a.png" length="70" type="image/png"/>
<content:encoded><![CDATA[<p>It shows its featured picture itself:</p><p><img src="$U/a.png" alt="A PNG"></p>]]></content:encoded></item>
</channel></rss>
EOF
python3 "$ROOT/tests/integration/pictures_server.py" serve "$PORT" "$W" \
    >"$TMP/web.out" 2>&1 &
WEB_PID=$!
trap 'kill "$WEB_PID" 2>/dev/null; wait "$WEB_PID" 2>/dev/null; stop_server; stop_mirrors; rm -rf "$TMP"' EXIT
if ! wait_port "$PORT"; then
	fail pictures_server_starts "$(cat "$TMP/web.out")"
	exit 1
fi
FEED="http://127.0.0.1:$PORT/feed/"
S="$TMP/store"
M="$S/media/2019/09"
# asked PATH: how the web server answered each request for PATH.
asked() { grep "^/wp-content/uploads/2019/09/$1 " "$W/requests.log" | cut -d' ' -f2 | tr '\n' ' '; }
# state: every picture with its inode, mtime and hash.
state() { (cd "$S/media" && find . -type f | sort | while read -r f; do
	printf '%s %s ' "$f" "$(stat -c '%i %y' "$f")"; sha256sum <"$f"; done); }

out=$("$CAPSULE" import --max-media-size 100K --content "$S" "$FEED" 2>"$TMP/err"); rc=$?
check pictures_import_succeeds 0 "$rc"
check_has pictures_import_counts "pictures: 5 fetched" "$out"
for f in a.png b.gif c.jpg d.webp e.png; do
	check "pictures_${f%.*}_${f#*.}_stored_byte_exact" "$(sha256sum <"$W/uploads/2019/09/$f")" \
	    "$(sha256sum <"$M/$f" 2>&1)"
done
check pictures_fetched_once_though_shown_twice "200 " "$(asked a.png)"
check pictures_not_a_picture_not_stored "no" "$([ -e "$M/fake.jpg" ] && echo yes || echo no)"
check_has pictures_not_a_picture_warned \
    "fake.jpg: not a picture (its bytes are no JPEG, PNG, GIF or WebP, the server said image/jpeg); skipped" \
    "$(cat "$TMP/err")"
check pictures_over_the_cap_not_stored "no" "$([ -e "$M/big.png" ] && echo yes || echo no)"
check_has pictures_over_the_cap_warned "big.png: larger than 102400 bytes (see --max-media-size)" "$(cat "$TMP/err")"
check pictures_other_hosts_not_asked "" "$(grep -v '^/' "$W/requests.log")"
body=$(sed '1,/^$/d' "$S/two.txt")
check pictures_in_place_as_local_link_lines "Before.

=> /media/2019/09/a.png A PNG

=> /media/2019/09/b.gif A GIF

After." "$body"
check pictures_post_of_pictures_only "=> /media/2019/09/c.jpg

=> /media/2019/09/a.png Again

=> /media/2019/09/d.webp WebP" "$(sed '1,/^$/d' "$S/only.txt")"
check_has pictures_refused_keep_their_urls "=> $U/fake.jpg Not one" "$(cat "$S/refused.txt")"
check_has pictures_other_host_keeps_its_url "=> https://other.example/x.png Elsewhere" "$(cat "$S/refused.txt")"
check pictures_featured_above_the_text "=> /media/2019/09/e.png

A post with a featured picture." "$(sed '1,/^$/d' "$S/featured.txt")"
check pictures_featured_not_twice "It shows its featured picture itself:

=> /media/2019/09/a.png A PNG" "$(sed '1,/^$/d' "$S/twice.txt")"
check pictures_store_is_clean 0 "$("$CAPSULE" check --content "$S" >/dev/null 2>&1; echo $?)"

# A re-run: every picture asked with its validators, each a 304.
before=$(state)
: >"$W/requests.log"
out=$("$CAPSULE" import --max-media-size 100K --content "$S" "$FEED" 2>/dev/null)
check_has pictures_rerun_changes_no_post "0 added, 0 updated, 5 unchanged" "$out"
check_has pictures_rerun_fetches_none "pictures: 0 fetched" "$out"
check pictures_rerun_gets_304s "304 |304 |304 |304 |304 " "$(asked a.png)|$(asked b.gif)|$(asked c.jpg)|$(asked d.webp)|$(asked e.png)"
check pictures_rerun_touches_no_picture "$before" "$(state)"

# A changed picture is fetched again, and only it.
python3 - "$W/uploads/2019/09/b.gif" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[13] = 0xff ^ d[13]           # another colour in the table
open(sys.argv[1], "wb").write(bytes(d))
PY
: >"$W/requests.log"
out=$("$CAPSULE" import --max-media-size 100K --content "$S" "$FEED" 2>/dev/null)
check pictures_changed_one_fetched_again "304 |200 " "$(asked a.png)|$(asked b.gif)"
check pictures_changed_one_stored "$(sha256sum <"$W/uploads/2019/09/b.gif")" "$(sha256sum <"$M/b.gif")"
check_has pictures_changed_picture_same_post "0 added, 0 updated, 5 unchanged" "$out"

# --no-media: nothing fetched, the links go to the site.
: >"$W/requests.log"
"$CAPSULE" import --no-media --content "$TMP/plain" "$FEED" >/dev/null 2>&1
check pictures_no_media_fetches_none "/feed/ 200" "$(cat "$W/requests.log")"
check_has pictures_no_media_keeps_urls "=> $U/a.png A PNG" "$(cat "$TMP/plain/two.txt")"
check pictures_no_media_no_store "no" "$([ -e "$TMP/plain/media" ] && echo yes || echo no)"

# A WordPress export's featured picture: the post's _thumbnail_id is an
# attachment of the export, whose URL and alt text it takes.
mkdir -p "$W/files"
cat >"$W/files/wxr.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"><channel>
<title>Export</title><link>http://127.0.0.1:$PORT</link><description>d</description>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>http://127.0.0.1:$PORT</wp:base_site_url>
<item><title>A featured post</title><link>http://127.0.0.1:$PORT/2019/09/28/wxr/</link>
<guid isPermaLink="false">http://127.0.0.1:$PORT/?p=76</guid><dc:creator>staff</dc:creator>
<content:encoded><![CDATA[The export's text.]]></content:encoded><wp:post_id>76</wp:post_id>
<wp:post_date>2019-09-28 10:00:00</wp:post_date><wp:post_name>wxr</wp:post_name>
<wp:status>publish</wp:status><wp:post_type>post</wp:post_type><wp:post_password></wp:post_password>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>77</wp:meta_value></wp:postmeta></item>
<item><title>blue</title><link>http://127.0.0.1:$PORT/blue/</link><guid isPermaLink="false">http://127.0.0.1:$PORT/?attachment_id=77</guid>
<wp:post_id>77</wp:post_id><wp:post_date>2019-09-28 09:00:00</wp:post_date><wp:post_name>blue</wp:post_name>
<wp:status>inherit</wp:status><wp:post_type>attachment</wp:post_type>
<wp:attachment_url>$U/e.png</wp:attachment_url>
<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value>A blue dot</wp:meta_value></wp:postmeta></item>
</channel></rss>
EOF
"$CAPSULE" import --content "$S" "http://127.0.0.1:$PORT/files/wxr.xml" >"$TMP/wxr.out" 2>&1
check pictures_wxr_featured_picture_above_the_text "=> /media/2019/09/e.png A blue dot

The export's text." "$(sed '1,/^$/d' "$S/wxr.txt" 2>&1)"

# --- served
(printf '\211PNG\r\n\032\n'; head -c 300000 /dev/urandom) >"$M/large.png"
CONTENT="$S"
if ! start_server; then
	fail pictures_server_starts "$(cat "$TMP/server.out")"
	exit 1
fi
# gem PATH: the raw answer to a Gemini request.
gem() { "$GEMGET" -p "$GEM_PORT" -t 10 localhost "gemini://localhost:$GEM_PORT$1\r\n" 2>/dev/null; }
for f in a.png:image/png b.gif:image/gif c.jpg:image/jpeg d.webp:image/webp large.png:image/png; do
	name=${f%%:*}
	gem "/media/2019/09/$name" >"$TMP/got"
	check "pictures_gemini_${name%.*}_${name#*.}_status" "20 ${f#*:}" "$(head -n 1 "$TMP/got" | tr -d '\r')"
	check "pictures_gemini_${name%.*}_${name#*.}_bytes" "$(sha256sum <"$M/$name")" \
	    "$(tail -c +$(($(head -n 1 "$TMP/got" | wc -c) + 1)) "$TMP/got" | sha256sum)"
	check "pictures_gopher_${name%.*}_${name#*.}_bytes" "$(sha256sum <"$M/$name")" \
	    "$(curl -s "gopher://127.0.0.1:$GOPH_PORT/I/media/2019/09/$name" | sha256sum)"
done
check pictures_gemini_missing_is_51 "51 Not found" "$(gem /media/2019/09/none.png | tr -d '\r')"
check pictures_gemini_index_is_not_served "51 Not found" "$(gem /media/.index | tr -d '\r')"
check pictures_gemini_no_way_out "51 Not found" "$(gem /media/%2e%2e/two.txt | tr -d '\r')"
printf '<html>' >"$M/html.png"
check pictures_gemini_not_a_picture_not_served "51 Not found" "$(gem /media/2019/09/html.png | tr -d '\r')"
rm -f "$M/html.png"
check_has pictures_gopher_missing_is_an_error "3Not found: /media/2019/09/none.png" \
    "$(curl -s "gopher://127.0.0.1:$GOPH_PORT/I/media/2019/09/none.png")"
check_has pictures_gemini_post_links_them "=> /media/2019/09/b.gif A GIF" "$(gem /posts/two)"
g=$(curl -s "gopher://127.0.0.1:$GOPH_PORT/0/posts/two" | tr -d '\r')
check_has pictures_gopher_text_names_them "A GIF [2]" "$g"
check_has pictures_gopher_text_lists_their_urls "[2] gopher://localhost:$GOPH_PORT/g/media/2019/09/b.gif" "$g"
menu=$(curl -s "gopher://127.0.0.1:$GOPH_PORT/1/posts/" | tr -d '\r')
check_has pictures_gopher_menu_links_a_posts_pictures "$(printf '1    2 pictures\t/pictures/two/\tlocalhost\t%s' "$GOPH_PORT")" "$menu"
pm=$(curl -s "gopher://127.0.0.1:$GOPH_PORT/1/pictures/two/" | tr -d '\r')
check_has pictures_gopher_menu_has_I_items "$(printf 'IA PNG\t/media/2019/09/a.png\tlocalhost\t%s' "$GOPH_PORT")" "$pm"
check_has pictures_gopher_menu_has_g_for_gif "$(printf 'gA GIF\t/media/2019/09/b.gif\tlocalhost\t%s' "$GOPH_PORT")" "$pm"
alive pictures_server_alive
stop_server

# --- exported, and served by molly-brown and Gophernicus as the capsule does
m=$(mirror_servers_missing)
if [ -n "$m" ]; then
	fail pictures_mirror_servers_installed "missing:$m (make deps)"
elif ! start_mirror "$TMP/mirror"; then
	fail pictures_mirror_starts "$(tail -n 5 "$TMP/mirror-export.out" "$TMP/molly.out" 2>&1)"
else
	check pictures_export_copies_them "$(sha256sum <"$M/a.png")" \
	    "$(sha256sum <"$TMP/mirror/gemini/media/2019/09/a.png")"
	check pictures_export_leaves_the_index "no" \
	    "$([ -e "$TMP/mirror/gopher/media/.index" ] && echo yes || echo no)"
	check pictures_molly_brown_serves_a_jpeg "20 image/jpeg" \
	    "$("$GEMGET" -p "$MGEM" -t 10 localhost "gemini://localhost:$MGEM/media/2019/09/c.jpg\r\n" 2>/dev/null | head -n 1 | tr -d '\r')"
	check pictures_gophernicus_serves_the_bytes "$(sha256sum <"$M/b.gif")" \
	    "$(curl -s "gopher://127.0.0.1:$MGOPH/g/media/2019/09/b.gif" | sha256sum)"
	check_has pictures_gophernicus_serves_the_pictures_menu "/media/2019/09/b.gif" \
	    "$(curl -s "gopher://127.0.0.1:$MGOPH/1/pictures/two/")"
	stop_mirrors
fi

# --- capsule check: a picture gone from the store
rm "$M/a.png"
out=$("$CAPSULE" check --content "$S" 2>&1); rc=$?
check pictures_check_fails_on_a_missing_picture 1 "$rc"
check_has pictures_check_names_post_and_line "$S/two.txt:8: the picture /media/2019/09/a.png is not in $S/media/" "$out"
check_has pictures_check_counts_each "3 problems" "$out"
