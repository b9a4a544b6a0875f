#!/usr/bin/env bash
# dates.sh: the date archives, /posts/YYYY/ (the year's months with their
# counts) and /posts/YYYY/MM/ (that month's posts, in pages of 100), the
# same paths on Gemini and Gopher, linked from /posts/ and the home page.
# A store of 230 posts: 205 in March 2021 (three pages), the rest spread
# over 2019 and 2020, and one post whose slug is a year.
. "$(dirname "$0")/../lib.sh"

gem() {
	printf 'gemini://localhost:%s%s\r\n' "$GEM_PORT" "$1" |
	    timeout 10 openssl s_client -quiet -connect "127.0.0.1:$GEM_PORT" \
	    -servername localhost 2>/dev/null
}
goph() {
	printf '%s\r\n' "$1" | timeout 10 socat - TCP:127.0.0.1:"$GOPH_PORT"
}
count() { printf '%s\n' "$2" | grep -cE "$1"; }

mkdir -p "$TMP/store"
cp "$ROOT/content/capsule.conf" "$TMP/store/"
post() {	# post SLUG DATE TITLE
	printf 'Title: %s\nDate: %s\nTags: Dated\n\nBody of %s.\n' "$3" "$2" \
	    "$1" >"$TMP/store/$1.txt"
}
for i in $(seq 0 204); do
	post "march-$(printf %03d "$i")" "2021-03-$(printf %02d $((i % 28 + 1)))" \
	    "March post $i"
done
for i in $(seq 0 19); do
	post "year-2020-$i" "2020-$(printf %02d $((i % 12 + 1)))-15" "Post $i of 2020"
done
for i in $(seq 0 3); do
	post "year-2019-$i" "2019-0$((i + 1))-02" "Post $i of 2019"
done
# A post named like a year keeps its own path; the archive has the slash.
post 2019 2019-12-31 "The year in review"
if ! CONTENT=$TMP/store start_server; then
	fail dates_server_starts "$(tail -5 "$TMP/server.out")"
	exit 1
fi

# --- Gemini
y=$(gem /posts/2021/)
check_has dates_year_says_what_it_holds "205 posts in 2021, in 1 month." "$y"
check_has dates_year_lists_its_months "=> /posts/2021/03/ March 2021 (205 posts)" "$y"
check_has dates_year_links_the_older_year "=> /posts/2020/ Older: 2020" "$y"
y20=$(gem /posts/2020/)
check dates_year_2020_has_12_months 12 "$(count '^=> /posts/2020/[0-9]{2}/ ' "$y20")"
check_has dates_year_2020_newest_month_first "=> /posts/2020/12/ December 2020 (1 post)" \
    "$(printf '%s\n' "$y20" | grep -m1 '^=> /posts/2020/')"
check_has dates_year_links_the_newer_year "=> /posts/2021/ Newer: 2021" "$y20"

m1=$(gem /posts/2021/03/)
m2=$(gem /posts/2021/03/page/2/)
m3=$(gem /posts/2021/03/page/3/)
check dates_month_header "20 text/gemini" "$(printf '%s' "$m1" | head -1 | tr -d '\r' | cut -d';' -f1)"
# Gemini subscription: "=> URL YYYY-MM-DD title" for each post.
check dates_month_page_1_has_100 100 "$(count '^=> /posts/march-[0-9]+ 2021-03-[0-9]{2} March post' "$m1")"
check dates_month_page_3_has_the_rest 5 "$(count '^=> /posts/march-' "$m3")"
check dates_month_pages_do_not_overlap 205 "$(printf '%s\n%s\n%s\n' "$m1" "$m2" "$m3" |
    grep -oE '^=> /posts/march-[0-9]+' | sort -u | wc -l)"
check_has dates_month_says_where "205 posts, newest first, page 2 of 3." "$m2"
check_has dates_month_links_on "=> /posts/2021/03/page/2/ Older posts" "$m1"
check_has dates_month_links_back "=> /posts/2021/03/ Newer posts" "$m2"
check_has dates_month_links_the_older_month "=> /posts/2020/12/ Older: December 2020" "$m1"
check_has dates_month_links_its_year "=> /posts/2021/ All of 2021" "$m3"
check dates_month_newest_first "=> /posts/march-027 2021-03-28 March post 27" \
    "$(printf '%s\n' "$m1" | grep -m1 '^=> /posts/march-')"
check dates_month_page_past_the_end "51 Not found" "$(gem /posts/2021/03/page/4/ | head -1 | tr -d '\r')"
check dates_month_without_posts "51 Not found" "$(gem /posts/2021/04/ | head -1 | tr -d '\r')"
check dates_year_without_posts "51 Not found" "$(gem /posts/1999/ | head -1 | tr -d '\r')"
check dates_bad_month "51 Not found" "$(gem /posts/2021/3/ | head -1 | tr -d '\r')"
check dates_year_without_slash_redirects "31 gemini://localhost:$GEM_PORT/posts/2021/" \
    "$(gem /posts/2021 | head -1 | tr -d '\r')"
check dates_month_without_slash_redirects "31 gemini://localhost:$GEM_PORT/posts/2021/03/" \
    "$(gem /posts/2021/03 | head -1 | tr -d '\r')"
check_has dates_slug_like_a_year_is_its_post "# The year in review" "$(gem /posts/2019)"
check_has dates_year_with_a_slash_is_the_archive "5 posts in 2019, in 5 months." "$(gem /posts/2019/)"

home=$(gem /)
check_has dates_home_links_the_years "=> /posts/2021/ 2021 (205 posts)" "$home"
check_has dates_home_links_2019 "=> /posts/2019/ 2019 (5 posts)" "$home"
p1=$(gem /posts/)
check dates_posts_lists_every_year 3 "$(count '^=> /posts/20[0-9]{2}/ ' "$p1")"
check dates_posts_page_2_has_no_years 0 "$(count '^=> /posts/20[0-9]{2}/ ' "$(gem /posts/page/2/)")"

# --- Gopher: the same paths, the same pages.
gy=$(goph /posts/2021/)
check_has dates_gopher_year_lists_its_months $'1March 2021 (205 posts)\t/posts/2021/03/\tlocalhost\t'"$GOPH_PORT" "$gy"
check dates_gopher_menu_ends_with_a_dot "." "$(printf '%s' "$gy" | tail -1 | tr -d '\r')"
gm2=$(goph /posts/2021/03/page/2/)
check dates_gopher_month_page_2_has_100 100 "$(count $'^02021-03-[0-9]{2} March post [0-9]+\t/posts/march-' "$gm2")"
check_has dates_gopher_month_links_on $'1Older posts\t/posts/2021/03/page/3/\t' "$gm2"
check_has dates_gopher_month_links_back $'1Newer posts\t/posts/2021/03/\t' "$gm2"
check_has dates_gopher_home_links_the_years $'12020 (20 posts)\t/posts/2020/\t' "$(goph /)"
check_has dates_gopher_posts_links_the_years $'12019 (5 posts)\t/posts/2019/\t' "$(goph /posts/)"
check_has dates_gopher_without_slash_serves "205 posts, newest first, page 1 of 3." "$(goph /posts/2021/03)"
check_has dates_gopher_unknown_month_is_an_error "3Not found: /posts/2021/05/" "$(goph /posts/2021/05/)"
# curl, a real Gopher client, reads the month's menu.
check dates_curl_reads_a_month 5 \
    "$(curl -s "gopher://127.0.0.1:$GOPH_PORT/1/posts/2021/03/page/3/" | grep -c 'march-')"

# Every answer stays small.
big=0
for p in / /posts/ /posts/2021/ /posts/2021/03/ /posts/2021/03/page/2/; do
	n=$(goph "$p" | wc -c)
	[ "$n" -gt "$big" ] && big=$n
done
if [ "$big" -lt 65536 ]; then ok dates_answers_stay_small; else
	fail dates_answers_stay_small "$big bytes"; fi
alive dates_server_survives

# The static mirror has every archive page; in Gopher's, a post named like
# a year with an archive would be a file where a directory must be.
"$CAPSULE" export --out "$TMP/mirror" --content "$TMP/store" \
    --hostname localhost >"$TMP/export.out" 2>&1
files=$(cd "$TMP/mirror" && find . -path './*/posts/20*' -type f | sort)
# 3 years and 20 month pages (March 2021 has 3) per protocol, and 2019.gmi.
check dates_export_writes_every_archive_page 47 "$(printf '%s\n' "$files" | grep -c .)"
check_has dates_export_writes_month_pages "./gemini/posts/2021/03/page/3/index.gmi" "$files"
check_has dates_export_gopher_month_pages "./gopher/posts/2021/03/page/2/gophermap" "$files"
check_has dates_export_keeps_the_gemini_post "./gemini/posts/2019.gmi" "$files"
check_has dates_export_says_which_post_it_left_out \
    'the slug "2019" is a year'"'"'s directory in the Gopher mirror' "$(cat "$TMP/export.out")"
