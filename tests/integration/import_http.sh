#!/usr/bin/env bash
# import_http.sh: `capsule import URL` against a local web server (a small
# python3 one on 127.0.0.1): a feed URL, a redirect, a 404, a redirect
# loop, a slow server hitting the timeout, answers over the size cap (with
# and without Content-Length), an HTML page, a refused connection, TLS
# spoken to a plain HTTP port. Each failure is named, and writes nothing.
. "$(dirname "$0")/../lib.sh"

PORT=$(free_port)
python3 "$ROOT/tests/integration/import_server.py" "$PORT" "$ROOT/tests/fixtures" \
    >"$TMP/web.out" 2>&1 &
WEB_PID=$!
trap 'kill "$WEB_PID" 2>/dev/null; wait "$WEB_PID" 2>/dev/null; stop_server; rm -rf "$TMP"' EXIT
if ! wait_port "$PORT"; then
	fail import_http_server_starts "$(cat "$TMP/web.out")"
	exit 1
fi
W="http://127.0.0.1:$PORT"

d="$TMP/store"
mkdir "$d"
out=$("$CAPSULE" import --content "$d" "$W/tag/mek-support/feed/" 2>&1); rc=$?
check_has import_http_feed_url_adds_the_posts "10 added, 0 updated, 0 unchanged" "$out"
check import_http_feed_url_only_the_broken_entry_fails 1 "$rc"
check import_http_feed_matches_the_file_import \
    "$(cd "$d" && sha256sum -- *.txt | head -3)" \
    "$(mkdir "$TMP/file" && "$CAPSULE" import --content "$TMP/file" "$ROOT/tests/fixtures/feed.rss" >/dev/null 2>&1; cd "$TMP/file" && sha256sum -- *.txt | head -3)"

out=$("$CAPSULE" import --content "$d" "$W/moved" 2>&1)
check_has import_http_follows_redirects "0 added, 0 updated, 10 unchanged" "$out"
out=$("$CAPSULE" import --content "$d" "$W/feed/atom/" 2>&1)
check_has import_http_atom_feed_same_posts "0 added, 0 updated, 10 unchanged" "$out"
# A site's HTML page with no REST API: the feed it links is read, pages and all.
out=$("$CAPSULE" import --content "$d" "$W/blog/" 2>&1)
check_has import_http_html_page_says_it_reads_its_feed "$W/blog/ is an HTML page with no WordPress API; reading its feed, $W/tag/mek-support/feed/" "$out"
check_has import_http_html_page_follows_its_feed "0 added, 0 updated, 10 unchanged" "$out"

# failure NAME WANT URL [flags]: exit 1, the message, no file written.
failure() {
	local name=$1 want=$2 url=$3 out rc
	shift 3
	rm -rf "$TMP/bad" && mkdir "$TMP/bad"
	out=$("$CAPSULE" import --content "$TMP/bad" "$@" "$url" 2>&1); rc=$?
	if [ $rc -eq 1 ] && [ -z "$(ls -A "$TMP/bad")" ]; then
		check_has "$name" "$want" "$out"
	else
		fail "$name" "rc=$rc files=[$(ls -A "$TMP/bad")] out=[$out]"
	fi
}
failure import_http_404_is_named "$W/missing: the server answered HTTP 404 (not found)" "$W/missing"
failure import_http_redirect_loop_is_named "more than 5 redirects" "$W/loop"
failure import_http_slow_server_times_out "no complete answer within 2 s (see --timeout)" "$W/slow" --timeout 2
failure import_http_size_cap_with_length "the answer is larger than 1048576 bytes (see --max-size)" "$W/big" --max-size 1M
failure import_http_size_cap_chunked "the answer is larger than 1048576 bytes (see --max-size)" "$W/big-chunked" --max-size 1M
failure import_http_refused_connection "cannot connect" "http://127.0.0.1:$(free_port)/feed/"
failure import_http_tls_to_plain_http "TLS" "https://127.0.0.1:$PORT/tag/mek-support/feed/"
failure import_http_only_http_schemes "only http:// and https://" "ftp://127.0.0.1:$PORT/feed/"
if kill -0 "$WEB_PID" 2>/dev/null; then ok import_http_server_still_up; else fail import_http_server_still_up "web server died"; fi

# --- redirects into loopback or private space. 127.0.0.2 plays a public
# site (CAPSULE_TEST_GLOBAL_ADDR, the test-only hook fetchguard.c reads);
# it redirects to an "admin" server on 127.0.0.1, which must never be
# reached, and to a closed port, which must fail with the same words.
PUB=$(free_port) ADM=$(free_port) CLOSED=$(free_port)
python3 "$ROOT/tests/integration/redirect_server.py" 127.0.0.2 "$PUB" \
    "$ROOT/tests/fixtures/feed.rss" "$TMP/pub.log" >"$TMP/pub.out" 2>&1 &
PUB_PID=$!
python3 "$ROOT/tests/integration/redirect_server.py" 127.0.0.1 "$ADM" \
    "$ROOT/tests/fixtures/feed.rss" "$TMP/adm.log" >"$TMP/adm.out" 2>&1 &
ADM_PID=$!
trap 'kill "$WEB_PID" "$PUB_PID" "$ADM_PID" 2>/dev/null; wait 2>/dev/null; stop_server; rm -rf "$TMP"' EXIT
wait_port "$ADM"
i=0
until python3 -c "import socket,sys; socket.create_connection(('127.0.0.2', $PUB), 1)" 2>/dev/null || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
export CAPSULE_TEST_GLOBAL_ADDR=127.0.0.2
P="http://127.0.0.2:$PUB"
: >"$TMP/adm.log"
failure import_http_redirect_to_loopback_refused \
    "refused: a local or private address, reached from a public URL (see --allow-private-redirects)" \
    "$P/go?http://127.0.0.1:$ADM/admin"
failure import_http_redirect_to_localhost_name_refused \
    "refused: a local or private address, reached from a public URL" \
    "$P/go?http://localhost:$ADM/admin"
check import_http_private_target_never_reached "" "$(cat "$TMP/adm.log")"
open_err=$("$CAPSULE" import --dry-run --content "$TMP/none" "$P/go?http://127.0.0.1:$ADM/admin" 2>&1 | grep -v "^dry run" | sed "s/$ADM/PORT/g")
closed_err=$("$CAPSULE" import --dry-run --content "$TMP/none" "$P/go?http://127.0.0.1:$CLOSED/admin" 2>&1 | grep -v "^dry run" | sed "s/$CLOSED/PORT/g")
if [ -n "$open_err" ] && [ "$open_err" = "$closed_err" ]; then
	ok import_http_open_and_closed_ports_look_alike
else
	fail import_http_open_and_closed_ports_look_alike "open [$open_err] closed [$closed_err]"
fi
out=$("$CAPSULE" import --dry-run --content "$TMP/none" --allow-private-redirects "$P/go?http://127.0.0.1:$ADM/admin" 2>&1)
check_has import_http_allow_private_redirects_follows "10 added" "$out"
# The public site itself is fetched as before, and an intranet URL (its
# own host private) may still be imported, redirects and all.
out=$("$CAPSULE" import --dry-run --content "$TMP/none" "http://127.0.0.1:$ADM/go?http://127.0.0.1:$ADM/admin" 2>&1)
check_has import_http_intranet_url_still_imports "10 added" "$out"
out=$("$CAPSULE" import --dry-run --content "$TMP/none" "$P/go?$P/admin" 2>&1)
check_has import_http_public_redirect_followed "10 added" "$out"
# A public feed cannot name a private address as a picture either: what
# a URL source leads to is judged by the source's address.
PUB2=$(free_port)
cat >"$TMP/picfeed.rss" <<RSS
<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>
<title>Pictures</title><link>http://127.0.0.2:$PUB2/</link><description>d</description>
<item><title>A picture</title><link>http://127.0.0.2:$PUB2/a-picture</link>
<guid>http://127.0.0.2:$PUB2/a-picture</guid><pubDate>Mon, 01 Jan 2024 00:00:00 +0000</pubDate>
<content:encoded><![CDATA[<p>Some text.</p><p><img src="http://127.0.0.1:$ADM/pic.jpg" alt="A picture"></p>]]></content:encoded></item>
</channel></rss>
RSS
python3 "$ROOT/tests/integration/redirect_server.py" 127.0.0.2 "$PUB2" \
    "$TMP/picfeed.rss" "$TMP/pub2.log" >"$TMP/pub2.out" 2>&1 &
PUB2_PID=$!
trap 'kill "$WEB_PID" "$PUB_PID" "$ADM_PID" "$PUB2_PID" 2>/dev/null; wait 2>/dev/null; stop_server; rm -rf "$TMP"' EXIT
i=0
until python3 -c "import socket,sys; socket.create_connection(('127.0.0.2', $PUB2), 1)" 2>/dev/null || [ $i -ge 50 ]; do sleep 0.1; i=$((i + 1)); done
: >"$TMP/adm.log"
out=$("$CAPSULE" import --media --content "$TMP/pics" "http://127.0.0.2:$PUB2/admin" 2>&1)
check_has import_http_private_picture_refused "refused: a local or private address" "$out"
check import_http_private_picture_never_asked "" "$(cat "$TMP/adm.log")"
rm -rf "$TMP/pics"
out=$("$CAPSULE" import --media --allow-private-redirects --content "$TMP/pics" "http://127.0.0.2:$PUB2/admin" 2>&1)
check import_http_private_picture_asked_when_allowed "/pic.jpg" "$(cat "$TMP/adm.log")"
unset CAPSULE_TEST_GLOBAL_ADDR
