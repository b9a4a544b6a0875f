#!/usr/bin/env bash
# live.sh: the store followed live. Posts are added, edited in place,
# saved the way editors do (a temporary file renamed over the post),
# renamed, deleted and left half-saved while Gemini and Gopher clients
# keep loading the server: no request may fail or come back cut, every
# change must be served within a few seconds, no SIGHUP is sent, and the
# server must stop cleanly (under ASan: no leaked snapshot).
. "$(dirname "$0")/../lib.sh"

CONTENT="$TMP/content"
cp -r "$ROOT/content" "$CONTENT"
STABLE=iran-school-opening-stoke-uprising

gem() {
	"$GEMGET" -p "$GEM_PORT" -t 20 localhost "gemini://localhost:$GEM_PORT$1\r\n"
}
goph() { curl -s --max-time 20 "gopher://127.0.0.1:$GOPH_PORT$1"; }

post() { # post TITLE DATE TAGS BODY
	printf 'Title: %s\nDate: %s\nTags: %s\n\n%s\n' "$1" "$2" "$3" "$4"
}

# wait_for NAME PATH NEEDLE: until the Gemini answer for PATH holds NEEDLE
# (or, with "!", no longer does); 10 s at most, polled.
wait_for() {
	local name=$1 path=$2 needle=$3 neg=0 got i
	case "$needle" in !*) neg=1; needle=${needle#!} ;; esac
	for i in $(seq 1 100); do
		got=$(gem "$path" 2>/dev/null)
		case "$got" in
		*"$needle"*) [ $neg = 0 ] && { ok "$name"; return 0; } ;;
		*) [ $neg = 1 ] && { ok "$name"; return 0; } ;;
		esac
		sleep 0.1
	done
	fail "$name" "after 10 s, $path: [$(printf %s "$got" | head -c 200)]"
}

# load: fetches pages over both protocols until $TMP/stop exists; every
# answer that is not whole goes into $TMP/bad.
load() {
	local n=0 out
	while [ ! -e "$TMP/stop" ]; do
		out=$(gem / 2>/dev/null; echo "rc=$?")
		case "$out" in "20 "*"rc=0") ;; *) echo "gemini /: $(printf %s "$out" | head -c 120)" >>"$TMP/bad" ;; esac
		out=$(gem "/posts/$STABLE" 2>/dev/null; echo "rc=$?")
		# Its Newer/Older links change with the posts around it; its
		# start and its end do not.
		case "$out" in "${REF_GEMINI:0:200}"*"${REF_GEMINI: -40}"$'\n'"rc=0") ;; *) echo "gemini post: $(printf %s "$out" | tail -c 120)" >>"$TMP/bad" ;; esac
		out=$(goph /1/; echo "rc=$?")
		case "$out" in *$'.\r\nrc=0') ;; *) echo "gopher /: $(printf %s "$out" | tail -c 120)" >>"$TMP/bad" ;; esac
		# A text has no closing "." line: it must be the whole text.
		out=$(goph "/0/posts/$STABLE"; echo "rc=$?")
		[ "$out" = "$REF_GOPHER"$'\n'"rc=0" ] || [ "$out" = "${REF_GOPHER}rc=0" ] || echo "gopher post: $(printf %s "$out" | tail -c 120)" >>"$TMP/bad"
		n=$((n + 4))
	done
	echo "$n" >>"$TMP/count"
}

if ! start_server; then
	fail live_server_starts "$(tail -5 "$TMP/server.out")"
	exit 1
fi
: >"$TMP/bad"
# The post no change touches: every fetch of it must be this, whole.
REF_GEMINI=$(gem "/posts/$STABLE" 2>/dev/null)
REF_GOPHER=$(goph "/0/posts/$STABLE")
check_has live_reference_gemini_post_is_whole "20 " "$REF_GEMINI"
check_has live_reference_gopher_post_is_whole "Iran" "$REF_GOPHER"
load &
L1=$!
load &
L2=$!

# Added.
post "Freshly added" 2030-01-01 "Live, News" "The first version." >"$CONTENT/fresh.txt"
wait_for live_added_post_is_served /posts/fresh "The first version."
wait_for live_added_post_is_listed / "Freshly added"
wait_for live_added_post_has_its_new_tag /tag/live/ "Freshly added"

# Edited in place.
post "Freshly edited" 2030-01-01 "Live" "The second version." >"$CONTENT/fresh.txt"
wait_for live_edit_in_place_is_served /posts/fresh "The second version."
wait_for live_edit_drops_a_removed_tag /tag/news/ "!Freshly"

# Saved as an editor does: a temporary file, renamed over the post.
post "Freshly saved" 2030-01-01 "Live" "The third version." >"$CONTENT/.fresh.txt.swp"
mv "$CONTENT/.fresh.txt.swp" "$CONTENT/fresh.txt"
wait_for live_editor_rename_save_is_served /posts/fresh "The third version."

# Half-saved: the last good version keeps serving, the problem is logged.
printf 'Title: Freshly br' >"$CONTENT/fresh.txt"
for i in $(seq 1 100); do
	grep -q "fresh.txt:1: .*last good version" "$TMP/server.out" && break
	sleep 0.1
done
check_has live_half_saved_post_is_logged_with_its_line \
    "fresh.txt:1: " "$(grep 'last good' "$TMP/server.out")"
check_has live_half_saved_post_keeps_its_last_good_version \
    "The third version." "$(gem /posts/fresh 2>/dev/null)"
check_has live_half_saved_post_stays_listed "Freshly saved" \
    "$(gem / 2>/dev/null)"
post "Freshly fixed" 2030-01-01 "Live" "The fourth version." >"$CONTENT/fresh.txt"
wait_for live_fixed_post_is_served /posts/fresh "The fourth version."

# Renamed: the old address goes, the new one comes.
mv "$CONTENT/fresh.txt" "$CONTENT/renamed.txt"
wait_for live_renamed_post_is_served /posts/renamed "The fourth version."
check live_renamed_post_old_path_is_gone "51" "$(gem /posts/fresh 2>/dev/null | head -c 2)"

# Deleted.
rm "$CONTENT/renamed.txt"
wait_for live_deleted_post_is_gone / "!Freshly"
check live_deleted_post_is_not_found "51" "$(gem /posts/renamed 2>/dev/null | head -c 2)"

# A burst of new posts: all of them, nothing lost.
for i in $(seq 1 30); do
	post "Burst $i" 2031-01-01 "Burst" "Burst body $i." >"$CONTENT/burst-$i.txt"
done
wait_for live_burst_of_posts_all_listed /tag/burst/ "Burst 30"
got=$(gem /tag/burst/ 2>/dev/null | grep -c '^=> /posts/burst-')
check live_burst_of_posts_nothing_lost "30" "$got"

# A link in the store is refused, not followed.
post "Outside" 2030-01-01 "" "Not to be published." >"$TMP/outside.txt"
ln -s "$TMP/outside.txt" "$CONTENT/outside.txt"
for i in $(seq 1 100); do
	grep -q "outside.txt: a symbolic link" "$TMP/server.out" && break
	sleep 0.1
done
check_has live_symlink_is_refused_with_a_report "outside.txt: a symbolic link" "$(cat "$TMP/server.out")"
check live_symlink_is_not_served "51" "$(gem /posts/outside 2>/dev/null | head -c 2)"

# A FIFO named like a post: refused, never waited on.
mkfifo "$CONTENT/a-fifo.txt"
for i in $(seq 1 100); do
	grep -q "a-fifo.txt: not a regular file" "$TMP/server.out" && break
	sleep 0.1
done
check_has live_fifo_is_refused_with_a_report "a-fifo.txt: not a regular file" "$(cat "$TMP/server.out")"
check live_fifo_check_does_not_hang "0" "$(timeout 10 "$CAPSULE" check --content "$CONTENT" >/dev/null 2>&1; r=$?; [ $r -eq 124 ] && echo hung || echo 0)"
check live_fifo_server_still_serves "20" "$(gem / 2>/dev/null | head -c 2)"

# A bad post: the update log counts what `capsule check` counts.
printf 'Title: Never good\nDate: 2030-13-01\n\nx\n' >"$CONTENT/never-good.txt"
for i in $(seq 1 100); do
	grep -q "never-good.txt:2: " "$TMP/server.out" && break
	sleep 0.1
done
want=$("$CAPSULE" check --content "$CONTENT" 2>/dev/null | sed -n 's/.* \([0-9]*\) problems\{0,1\}$/\1/p')
got=$(grep 'updated: ' "$TMP/server.out" | tail -1 | sed -n 's/.* posts, \([0-9]*\) problem.*/\1/p')
check live_update_log_counts_the_problems_check_counts "$want" "$got"
check live_problem_count_is_not_zero "1" "$([ "${want:-0}" -gt 0 ] && echo 1)"

touch "$TMP/stop"
wait $L1 $L2
check live_no_failed_or_cut_request_under_load "" "$(head -5 "$TMP/bad")"
n=$(awk '{ s += $1 } END { print s + 0 }' "$TMP/count")
if [ "$n" -gt 0 ]; then ok live_load_ran; else fail live_load_ran "no requests made"; fi
check_has live_updates_logged_without_sighup "updated: " "$(cat "$TMP/server.out")"

kill "$SERVER_PID"
wait "$SERVER_PID"
rc=$?
SERVER_PID=""
check live_server_stops_cleanly_nothing_leaked "0" "$rc"

# A restart from the saved index: changes made while it was down are seen.
post "Made while down" 2032-01-01 "Down" "Written while stopped." >"$CONTENT/while-down.txt"
rm "$CONTENT/burst-1.txt"
post "Burst two, changed" 2031-01-01 "Burst" "Changed while stopped." >"$CONTENT/burst-2.txt"
start_server
check_has live_restart_uses_the_saved_index "from the saved index" "$(cat "$TMP/server.out")"
wait_for live_restart_sees_a_post_added_while_down /posts/while-down "Written while stopped."
wait_for live_restart_sees_a_post_changed_while_down /posts/burst-2 "Changed while stopped."
wait_for live_restart_sees_a_post_removed_while_down /tag/burst/ "!/posts/burst-1 "
check live_restart_removed_post_is_not_found "51" "$(gem /posts/burst-1 2>/dev/null | head -c 2)"
# A damaged saved index is refused and the store read from its files.
stop_server
for f in "$TMP"/cache/capsule/index-*; do printf 'garbage' >"$f"; done
start_server
check_has live_damaged_index_is_refused "saved index not used: damaged" "$(cat "$TMP/server.out")"
check_has live_damaged_index_still_serves "Written while stopped." "$(gem /posts/while-down 2>/dev/null)"
stop_server

# A large store with no saved index: answered at once (44 while read), then served.
BIG="$TMP/big"
mkdir -p "$BIG"
python3 - "$BIG" <<'PY'
import sys
for i in range(5200):
    with open(f"{sys.argv[1]}/big-{i:05d}.txt", "w") as f:
        f.write(f"Title: Big {i}\nDate: 2020-01-01\nTags: Big, T{i % 50}\n\nBody {i}.\n")
PY
CONTENT="$BIG" start_server
check_has live_large_store_unsaved_reads_while_answering "answering 44" "$(cat "$TMP/server.out")"
first=$(gem / 2>/dev/null | head -c 2)
case "$first" in 20|44) ok live_large_store_first_answer_is_20_or_44 ;; *) fail live_large_store_first_answer_is_20_or_44 "[$first]" ;; esac
wait_for live_large_store_is_served_once_read /posts/big-05199 "Body 5199."
check live_large_store_nothing_lost "5200" "$(grep 'updated: ' "$TMP/server.out" | tail -1 | sed -n 's/.*updated: \([0-9]*\) posts.*/\1/p')"
# Its search index, once built, is saved beside the store's index.
wait_for live_large_store_search_is_built "/search?body%205199" "/posts/big-05199"
check live_large_store_search_index_saved 1 \
    "$(find "$TMP/cache/capsule" -name '*.search' -newer "$BIG/big-05199.txt" | wc -l)"
kill "$SERVER_PID"
wait "$SERVER_PID"
rc=$?
SERVER_PID=""
check live_large_store_server_stops_cleanly "0" "$rc"
# A restart of the same posts maps it rather than reading every post again.
CONTENT="$BIG" start_server
wait_for live_restart_searches_from_the_saved_index "/search?body%205198" "/posts/big-05198"
check_has live_restart_read_the_saved_search_index "search index: read from" "$(cat "$TMP/server.out")"
# The store's index was saved too, once the store had been read.
check_has live_restart_read_the_saved_store_index "posts from the saved index" "$(cat "$TMP/server.out")"
# A post changed while it was down: the saved index still serves the
# others, and only that post is read again (into the index's delta),
# when the saved index is loaded or when the look at every file updates it.
stop_server
post "Big changed" 2030-01-01 "Big" "Changed body." >"$BIG/big-00007.txt"
CONTENT="$BIG" start_server
wait_for live_changed_store_searches_anew "/search?changed" "/posts/big-00007"
wait_for live_changed_store_old_words_gone "/search?body%207" "No post matches"
check_has live_changed_store_reads_only_that_post "1 post read" "$(cat "$TMP/server.out")"
stop_server
