#!/usr/bin/env bash
# wpapi_http.sh: `capsule import` from a WordPress REST API that
# misbehaves (tests/wordpress/stub.py on 127.0.0.1): 429 with Retry-After
# and 503 without are asked again and succeed; a wait longer than capsule
# honours fails, saying so; JSON that is not what WordPress sends, a cut
# answer, a list that is not one, an API without wp/v2: each named, and
# nothing written. (The real WordPress is wordpress.sh's.)
. "$(dirname "$0")/../lib.sh"

PORT=$(free_port)
python3 "$ROOT/tests/wordpress/stub.py" "$PORT" >"$TMP/stub.out" 2>&1 &
STUB_PID=$!
trap 'kill "$STUB_PID" 2>/dev/null; wait "$STUB_PID" 2>/dev/null; rm -rf "$TMP"' EXIT
if ! wait_port "$PORT"; then
	fail wpapi_stub_starts "$(cat "$TMP/stub.out")"
	exit 1
fi
S="http://127.0.0.1:$PORT"

out=$("$CAPSULE" import --content "$TMP/good" "$S/good/" 2>&1); rc=$?
check wpapi_http_link_header_to_the_api_exits_0 0 "$rc"
check_has wpapi_http_reads_two_posts "2 added, 0 updated, 0 unchanged" "$out"
check "wpapi_http_title_decoded" 'Title: Stub “1”' "$(grep '^Title:' "$TMP/good/stub-1.txt")"

start=$(date +%s)
out=$("$CAPSULE" import --content "$TMP/busy" "$S/busy/" 2>&1); rc=$?
took=$(( $(date +%s) - start ))
check wpapi_http_429_asked_again_exits_0 0 "$rc"
check_has wpapi_http_429_says_it_waits "HTTP 429; asking again in 1 s" "$out"
check_has wpapi_http_429_then_the_posts "2 added" "$out"
check wpapi_http_429_waited_as_asked 1 "$([ "$took" -ge 2 ] && echo 1 || echo "$took")"

out=$("$CAPSULE" import --content "$TMP/unav" "$S/unavailable/wp-json/" 2>&1); rc=$?
check wpapi_http_503_backs_off_and_succeeds 0 "$rc"
check_has wpapi_http_503_backs_off_1_then_2_s "HTTP 503; asking again in 2 s" "$out"

# bad NAME WANT URL: exit 1, WANT said, nothing written.
bad() {
	local out rc
	out=$("$CAPSULE" import --content "$TMP/bad" "$3" 2>&1); rc=$?
	check "wpapi_http_${1}_exits_1" 1 "$rc"
	check_has "wpapi_http_${1}_says_so" "$2" "$out"
	check "wpapi_http_${1}_writes_nothing" "" "$(ls "$TMP/bad" 2>/dev/null)"
	rm -rf "$TMP/bad"
}
bad wait_too_long "asks to wait 3600 s, more than the 60 s capsule waits" "$S/forever/wp-json/"
bad not_json "not JSON" "$S/notjson/wp-json/"
bad not_json_names_wordpress "not what WordPress sends (Content-Type application/json)" "$S/notjson/wp-json/"
bad cut_answer "it ends too soon" "$S/cut/wp-json/"
bad not_a_list "the answer is not a list of posts; not what WordPress sends" "$S/notlist/wp-json/"
bad no_wp_v2 "the REST API has no wp/v2 routes" "$S/nov2/wp-json/"
exit 0
