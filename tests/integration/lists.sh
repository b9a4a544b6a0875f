#!/usr/bin/env bash
# lists.sh: every list that grows with the archive comes in pages, the same
# paths on Gemini and Gopher: /posts/page/N/, /tags/page/N/, and the home
# page's most used tags. A store of 130 posts and 1,301 tags, served live.
. "$(dirname "$0")/../lib.sh"

gem() {
	printf 'gemini://localhost:%s%s\r\n' "$GEM_PORT" "$1" |
	    timeout 10 openssl s_client -quiet -connect "127.0.0.1:$GEM_PORT" \
	    -servername localhost 2>/dev/null
}
goph() {
	printf '%s\r\n' "$1" | timeout 10 socat - TCP:127.0.0.1:"$GOPH_PORT"
}
# count PATTERN TEXT: lines of TEXT that match the extended regex.
count() { printf '%s\n' "$2" | grep -cE "$1"; }

mkdir -p "$TMP/store"
cp "$ROOT/content/capsule.conf" "$TMP/store/"
for i in $(seq 0 129); do
	tags="Everywhere"
	[ $((i % 2)) -eq 0 ] && tags="$tags, Even"
	for j in $(seq 0 9); do tags="$tags, t$(printf %04d $((i * 10 + j)))"; done
	printf 'Title: Listed post %03d\nDate: 2020-%02d-%02d\nTags: %s\n\nBody %d.\n' \
	    "$i" $((i / 28 % 12 + 1)) $((i % 28 + 1)) "$tags" "$i" \
	    >"$TMP/store/listed-$(printf %03d "$i").txt"
done
if ! CONTENT=$TMP/store start_server; then
	fail lists_server_starts "$(tail -5 "$TMP/server.out")"
	exit 1
fi

p1=$(gem /posts/)
p2=$(gem /posts/page/2/)
check lists_posts_page_1_has_100 100 "$(count '^=> /posts/listed-' "$p1")"
check lists_posts_page_2_has_the_rest 30 "$(count '^=> /posts/listed-' "$p2")"
check lists_posts_pages_do_not_overlap 130 "$(printf '%s\n%s\n' "$p1" "$p2" |
    grep -oE '^=> /posts/listed-[0-9]+' | sort -u | wc -l)"
check_has lists_posts_page_1_links_on "=> /posts/page/2/ Older posts" "$p1"
check_has lists_posts_page_2_links_back "=> /posts/ Newer posts" "$p2"
check_has lists_posts_page_says_where "130 posts, newest first, page 2 of 2." "$p2"
check lists_posts_page_without_slash_redirects "31 gemini://localhost:$GEM_PORT/posts/page/2/" \
    "$(gem /posts/page/2 | head -1 | tr -d '\r')"
check lists_posts_page_1_redirects_home "31 gemini://localhost:$GEM_PORT/posts/" \
    "$(gem /posts/page/1/ | head -1 | tr -d '\r')"
check lists_posts_page_past_the_end "51 Not found" \
    "$(gem /posts/page/3/ | head -1 | tr -d '\r')"

t1=$(gem /tags/)
t2=$(gem /tags/page/2/)
check lists_tags_page_1_has_1000 1000 "$(count '^=> /tag/' "$t1")"
check lists_tags_page_2_has_the_rest 302 "$(count '^=> /tag/' "$t2")"
check_has lists_tags_page_1_links_on "=> /tags/page/2/ More tags" "$t1"
check_has lists_tags_page_2_links_back "=> /tags/ Previous tags" "$t2"

home=$(gem /)
check lists_home_shows_30_tags 30 "$(count '^=> /tag/' "$home")"
check_has lists_home_has_the_most_used "=> /tag/everywhere/ Everywhere (130)" "$home"
check_has lists_home_has_the_second "=> /tag/even/ Even (65)" "$home"
check_has lists_home_links_every_tag "=> /tags/ All 1302 tags" "$home"

# Gopher: the same paths, the same pages.
g1=$(goph /posts/)
g2=$(goph /posts/page/2/)
check lists_gopher_posts_page_1_has_100 100 "$(count $'^0Listed post|^0[0-9-]+ Listed' "$g1")"
check lists_gopher_posts_page_2_has_30 30 "$(count $'^0[0-9-]+ Listed' "$g2")"
check_has lists_gopher_posts_links_on $'1Older posts\t/posts/page/2/\tlocalhost\t'"$GOPH_PORT" "$g1"
check_has lists_gopher_posts_links_back $'1Newer posts\t/posts/\tlocalhost\t'"$GOPH_PORT" "$g2"
check lists_gopher_menu_ends_with_a_dot "." "$(printf '%s' "$g2" | tail -1 | tr -d '\r')"
check lists_gopher_tags_page_2_has_the_rest 302 "$(count $'^1.*\t/tag/' "$(goph /tags/page/2/)")"
gh=$(goph /)
check lists_gopher_home_shows_30_tags 30 "$(count $'^1.*\t/tag/' "$gh")"
check_has lists_gopher_home_links_every_tag $'1All 1302 tags\t/tags/\t' "$gh"
# Gopher has no redirects: the page without its slash is served.
check_has lists_gopher_page_without_slash_serves "130 posts, newest first, page 2 of 2." "$(goph /posts/page/2)"

# Every answer stays small: the largest list page here is under 64 KB.
big=0
for p in / /posts/ /posts/page/2/ /tags/ /tags/page/2/; do
	n=$(goph "$p" | wc -c)
	[ "$n" -gt "$big" ] && big=$n
done
if [ "$big" -lt 65536 ]; then ok lists_answers_stay_small; else
	fail lists_answers_stay_small "$big bytes"; fi
if kill -0 "$SERVER_PID" 2>/dev/null; then ok lists_server_survives; else
	fail lists_server_survives "it exited"; fi
