#!/usr/bin/env bash
# search.sh: search over Gemini and Gopher against the seed content:
# answers, AND, apostrophes, refused queries, pages, robots.txt.
. "$(dirname "$0")/../lib.sh"

# gem PATH: the whole Gemini answer (header line and body) for PATH, the
# request sent byte for byte as written.
gem() {
	printf 'gemini://localhost:%s%s\r\n' "$GEM_PORT" "$1" |
	    timeout 10 openssl s_client -quiet -connect "127.0.0.1:$GEM_PORT" \
	    -servername localhost 2>/dev/null
}

# goph SELECTOR: a Gopher answer through curl, as a user would ask.
goph() {
	curl -s --max-time 10 "gopher://127.0.0.1:$GOPH_PORT/$1"
}

# links TEXT: the targets of the gemtext link lines to posts, in order.
links() {
	printf '%s\n' "$1" | sed -n 's|^=> /posts/\([^ ]*\) .*|\1|p'
}

# 24 searches at once from this one address below: its share of
# --max-searches (a quarter) must hold them all.
start_server --max-searches 200
# A small store's index is built before serving, and saved (the first
# start makes the cache directory) like a large one's.
check search_small_index_saved_at_first_start 1 \
    "$(ls "$TMP"/cache/capsule/*.search 2>/dev/null | wc -l)"
check search_saved_without_complaint "" "$(grep 'cannot save' "$TMP/server.out")"

check search_without_query_asks "10 Search the archive" \
    "$(gem /search | head -1 | tr -d '\r')"
out=$(gem '/search?Bloomfield')
check search_answers_gemtext "20 text/gemini" \
    "$(printf '%s' "$out" | head -1 | tr -d '\r' | cut -d';' -f1)"
check search_bloomfield_first \
    "former-us-ambassador-senior-regime-leaders-should-be-prosecuted-for-war-crimes-targetting-mek" \
    "$(links "$out" | head -1)"
check_has search_results_have_date_and_title \
    "=> /posts/former-us-ambassador-senior-regime-leaders-should-be-prosecuted-for-war-crimes-targetting-mek 2019-08-10 Former U.S. Ambassador" "$out"
check_has search_results_have_a_snippet "> " "$(printf '%s' "$out" | grep '^> ' | head -1)"
snip=$(printf '%s\n' "$out" | grep '^> ' | head -1 | cut -c3-)
if [ "${#snip}" -gt 0 ] && [ "$(printf '%s' "$snip" | wc -c)" -le 160 ] &&
    printf '%s' "$snip" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; then
	ok search_snippet_is_short_valid_utf8
else
	fail search_snippet_is_short_valid_utf8 "[$snip]"
fi

# The seed names Trafalgar Square in one London post; both London posts
# have "London" and "Rally" in their titles, so they lead that search.
check search_trafalgar_finds_the_london_rally_post \
    "london-rally-gains-widespread-media-attention" \
    "$(links "$(gem '/search?Trafalgar')")"
check search_london_rally_ranks_both_london_posts_first \
    "london-rally-gains-widespread-media-attention maryam-rajavi-to-london-rally-iran-will-be-free" \
    "$(links "$(gem '/search?London%20rally')" | head -2 | tr '\n' ' ' | sed 's/ $//')"
out=$(gem '/search?close_notify')
check search_close_notify_finds_nothing "" "$(links "$out")"
check_has search_says_when_nothing_matches "No post matches" "$out"

# AND: every word must match.
check search_needs_every_word "" "$(links "$(gem '/search?Bloomfield%20Trafalgar')")"
check search_and_of_two_words \
    "former-us-ambassador-senior-regime-leaders-should-be-prosecuted-for-war-crimes-targetting-mek" \
    "$(links "$(gem '/search?bloomfield%20HILL')")"
check search_is_case_insensitive "$(links "$(gem '/search?bloomfield')")" \
    "$(links "$(gem '/search?BLOOMFIELD')")"

# Curly and straight apostrophes match each other.
straight=$(links "$(gem "/search?Khamenei's")")
curly=$(links "$(gem '/search?Khamenei%E2%80%99s')")
if [ -n "$straight" ] && [ "$straight" = "$curly" ]; then
	ok search_straight_apostrophe_matches_curly
else
	fail search_straight_apostrophe_matches_curly "straight [$straight] curly [$curly]"
fi

# Refused queries get an answer page, never an error.
long=$(printf 'a%.0s' $(seq 300))
for q in "%FF%FE:not valid UTF-8" "$long:too long" "%21%3F%E2%80%94:punctuation" \
    "a%01b:control characters"; do
	out=$(gem "/search?${q%%:*}")
	name=search_refuses_$(printf '%s' "${q#*:}" | tr ' -' '__')
	if [ "$(printf '%s' "$out" | head -1 | cut -c1-2)" = 20 ] &&
	    printf '%s' "$out" | grep -q "${q#*:}"; then
		ok "$name"
	else
		fail "$name" "$(printf '%s' "$out" | head -3)"
	fi
done
alive search_server_survives_garbage

# Gopher: a type 7 item on the home menu, results as a menu.
check_has search_gopher_home_has_type_7 $'7Search the archive\t/search\tlocalhost\t'"$GOPH_PORT" \
    "$(goph 1/)"
out=$(goph '7/search%09Bloomfield')
check_has search_gopher_answers_a_menu \
    $'\t/posts/former-us-ambassador-senior-regime-leaders-should-be-prosecuted-for-war-crimes-targetting-mek\tlocalhost\t'"$GOPH_PORT" \
    "$out"
check search_gopher_menu_ends_with_a_dot "." "$(printf '%s' "$out" | tail -1 | tr -d '\r')"
check_has search_gopher_without_words_explains "Type one or more words" "$(goph '7/search')"
check_has search_gopher_curly_apostrophe $'\t/posts/' "$(goph '7/search%09Khamenei%E2%80%99s')"

# Issue 12: trimmed queries, partial words, no markup in excerpts.
check search_query_of_spaces_asks_again "10 Search the archive" \
    "$(gem '/search?%20%20%20' | head -1 | tr -d '\r')"
check search_trailing_newline_is_trimmed "$(links "$(gem '/search?Bloomfield')")" \
    "$(links "$(gem '/search?Bloomfield%0A')")"
check_has search_trimmed_query_is_shown_trimmed "# Search: Bloomfield"$'\n' \
    "$(gem '/search?%20Bloomfield%0A')"
check search_partial_word_finds_trafalgar \
    "london-rally-gains-widespread-media-attention" \
    "$(links "$(gem '/search?Traf')")"
check_has search_gopher_partial_word $'\t/posts/london-rally-gains-widespread-media-attention\t' \
    "$(goph '7/search%09traf')"
check_has search_gopher_spaces_ask_again "Type one or more words" \
    "$(goph '7/search%09%20%20')"
out=$(gem '/search?Khamenei%E2%80%99s%20fears')
check_has search_excerpt_shows_the_heading "> Khamenei’s fears — " "$out"
bad=$(printf '%s\n' "$out" | grep '^> ' | grep -E '^> (##|>|\*|=>) |##|=> ' || true)
check search_excerpts_carry_no_markup "" "$bad"

check_has search_robots_keeps_crawlers_out $'Disallow: /search' "$(gem /robots.txt)"

# Pages: 120 posts that all match, 50 a page.
stop_server
mkdir -p "$TMP/many"
cp "$ROOT/content/capsule.conf" "$TMP/many/"
for i in $(seq 1 120); do
	printf 'Title: Bulk post %03d\nDate: 2020-%02d-%02d\nTags: Bulk\n\nThe zebra number %d.\n' \
	    "$i" $(((i - 1) / 28 + 1)) $(((i - 1) % 28 + 1)) "$i" \
	    >"$TMP/many/bulk-$i.txt"
done
# The 24 searches at once below come from one address: a share of
# --max-searches that holds them (the default's quarter, 8, would not).
CONTENT=$TMP/many start_server --max-searches 200
p1=$(gem '/search?zebra')
p2=$(gem '/search/page/2?zebra')
p3=$(gem '/search/page/3?zebra')
check search_page_1_has_50 50 "$(links "$p1" | wc -l)"
check search_page_3_has_the_rest 20 "$(links "$p3" | wc -l)"
check search_pages_do_not_overlap 120 \
    "$(printf '%s\n%s\n%s\n' "$(links "$p1")" "$(links "$p2")" "$(links "$p3")" | sort -u | grep -c .)"
check_has search_page_1_links_to_page_2 "=> /search/page/2?zebra More results" "$p1"
check_has search_page_past_the_end_says_so "no page 9" "$(gem '/search/page/9?zebra')"
check_has search_gopher_pages_too $'1More results\t/search/page/2?zebra\t' \
    "$(goph '7/search%09zebra')"
# The link is a plain selector: the query rides after '?', as on Gemini.
out=$(printf '/search/page/2?zebra\r\n' | timeout 10 socat - TCP:127.0.0.1:"$GOPH_PORT")
check_has search_gopher_page_2_follows "51 to 100" "$out"
alive search_server_survives

# An edit (written aside and renamed, as editors do) and a new post: the
# index is updated, not rebuilt (only those two posts are read), and an
# edited post is found by its new words and no longer by its old ones.
# (until_search WORD NEEDLE: waits up to 20 s for the answer to hold it)
until_search() {
	for _ in $(seq 1 100); do
		out=$(gem "/search?$1")
		case "$out" in *"$2"*) return 0 ;; esac
		sleep 0.2
	done
	return 1
}
printf 'Title: Bulk post 007\nDate: 2020-01-07\nTags: Bulk\n\nThe okapi number 7.\n' \
    >"$TMP/many/.edit.tmp"
mv "$TMP/many/.edit.tmp" "$TMP/many/bulk-7.txt"
printf 'Title: Bulk post 121\nDate: 2020-06-01\nTags: Bulk\n\nAn okapi and a zebra.\n' \
    >"$TMP/many/.new.tmp"
mv "$TMP/many/.new.tmp" "$TMP/many/bulk-121.txt"
if until_search okapi "2 posts match"; then
	ok search_update_finds_the_new_words
else
	fail search_update_finds_the_new_words "$(printf '%s' "$out" | head -5)"
fi
check_has search_update_finds_the_edited_post "=> /posts/bulk-7 " "$(gem '/search?okapi')"
check_has search_update_drops_the_old_words "120 posts match" "$(gem '/search?zebra')"
check search_update_old_words_miss_the_edited_post "" \
    "$(links "$(gem '/search/page/3?zebra')" | grep -x 'bulk-7')"
check_has search_update_reads_only_the_changed_posts \
    "search index: updated, 2 posts read" "$(cat "$TMP/server.out")"

# Searches are answered off the event loop: many at once, clients that
# hang up before their answer, then a stop while answers are being made.
# (A bare "wait" would wait for the server too: wait for the clients.)
pids=""
for i in $(seq 1 12); do
	goph "7/search%09zebra%20$i" >"$TMP/par-$i.out" &
	pids="$pids $!"
	printf '/search\tzebra %d\r\n' "$i" | timeout 1 socat -t0 - TCP:127.0.0.1:"$GOPH_PORT" \
	    >/dev/null 2>&1 &
	pids="$pids $!"
done
# shellcheck disable=SC2086
wait $pids
n=0
for i in $(seq 1 12); do
	grep -q 'match' "$TMP/par-$i.out" && n=$((n + 1))
done
check search_answers_many_at_once 12 "$n"
[ "$n" = 12 ] || head -c 300 "$TMP"/par-*.out
alive search_server_survives_clients_that_hang_up
pids=""
for i in $(seq 1 8); do
	printf '/search\tzebr%d\r\n' "$i" | timeout 5 socat - TCP:127.0.0.1:"$GOPH_PORT" \
	    >/dev/null 2>&1 &
	pids="$pids $!"
done
kill "$SERVER_PID"
wait "$SERVER_PID"
rc=$?
SERVER_PID=""
# shellcheck disable=SC2086
wait $pids
check search_stop_while_searching_exits_cleanly 0 "$rc"
if grep -q 'Sanitizer' "$TMP/server.out"; then
	fail search_stop_while_searching_is_clean "$(grep -A5 Sanitizer "$TMP/server.out" | head -8)"
else
	ok search_stop_while_searching_is_clean
fi

# --- --max-searches bounds the search work clients can queue: with the
# server stopped, six searches wait in the accept queue; let go, one
# worker reads them all in one turn: one is answered, five are told to
# come back (the count drops only when an answer is done, on the loop).
start_server --workers 1 --max-searches 1
python3 - "$GOPH_PORT" "$SERVER_PID" >"$TMP/queue" 2>&1 <<'PY'
import os, signal, socket, sys
port, pid = int(sys.argv[1]), int(sys.argv[2])
os.kill(pid, signal.SIGSTOP)
socks = []
try:
    for i in range(6):
        s = socket.create_connection(("127.0.0.1", port), timeout=20)
        s.sendall(b"/search\tiran %d\r\n" % i)
        socks.append(s)
finally:
    os.kill(pid, signal.SIGCONT)
served = busy = 0
for s in socks:
    out = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
    if out.startswith(b"3Too many searches at once"):
        busy += 1
    elif b"match" in out:
        served += 1
print("served %d busy %d" % (served, busy))
PY
check search_queue_bound_answers_the_rest_44 "served 1 busy 5" "$(cat "$TMP/queue")"
stop_server
# One client holds a quarter of --max-searches (8: two); another client
# in the same burst is still served.
start_server --workers 1 --max-searches 8
python3 - "$GOPH_PORT" "$SERVER_PID" >"$TMP/queue" 2>&1 <<'PY'
import os, signal, socket, sys
port, pid = int(sys.argv[1]), int(sys.argv[2])
os.kill(pid, signal.SIGSTOP)
socks = []
try:
    for src in ["127.0.0.1"] * 6 + ["127.0.0.2"]:
        s = socket.socket()
        s.settimeout(20)
        s.bind((src, 0))
        s.connect(("127.0.0.1", port))
        s.sendall(b"/search\tiran\r\n")
        socks.append(s)
finally:
    os.kill(pid, signal.SIGCONT)
res = []
for s in socks:
    out = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
    res.append("busy" if out.startswith(b"3Too many searches") else
               "served" if b"match" in out else "other")
print("one: %d served %d busy; other: %s" % (res[:6].count("served"),
      res[:6].count("busy"), res[6]))
PY
check search_queue_share_per_client "one: 2 served 4 busy; other: served" "$(cat "$TMP/queue")"
check_has search_deep_page_answered "no page 1000000" "$(gem '/search/page/1000000?iran')"
check_has search_after_the_burst_served "match" "$(goph '7/search%09zebra')"
alive search_queue_alive
