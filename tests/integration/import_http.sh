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
failure import_http_html_page_names_its_feed "this is an HTML page, not a feed; its feed is at $W/tag/mek-support/feed/" "$W/blog/"
failure import_http_refused_connection "cannot connect" "http://127.0.0.1:$(free_port)/feed/"
failure import_http_tls_to_plain_http "TLS" "https://127.0.0.1:$PORT/tag/mek-support/feed/"
failure import_http_only_http_schemes "only http:// and https://" "ftp://127.0.0.1:$PORT/feed/"
if kill -0 "$WEB_PID" 2>/dev/null; then ok import_http_server_still_up; else fail import_http_server_still_up "web server died"; fi
