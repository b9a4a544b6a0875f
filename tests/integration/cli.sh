#!/usr/bin/env bash
# cli.sh: `capsule check` and `capsule render`, the commands people who
# write posts use, run as a user would run them.
. "$(dirname "$0")/../lib.sh"

out=$("$CAPSULE" check --content "$ROOT/content" 2>&1); rc=$?
check check_seed_store_is_clean "0" "$rc"
check_has check_counts_posts_and_tags "10 posts, 24 tags, 0 problems" "$out"

store="$TMP/store"
mkdir -p "$store"
cp "$ROOT/content/capsule.conf" "$ROOT/content/iran-school-opening-stoke-uprising.txt" "$store/"
printf 'Title: No date here\nTags: x\n\nbody\n' >"$store/no-date.txt"
printf 'Title: Bad\nDate: 2019-01-01\nColour: red\n\nbody\n' >"$store/bad-key.txt"
printf 'Title: Bad bytes\nDate: 2019-01-01\n\nfine\n\xff\xfe broken\n' >"$store/bad-utf8.txt"
out=$("$CAPSULE" check --content "$store" 2>&1); rc=$?
check check_fails_on_a_bad_store "1" "$rc"
check_has check_reports_missing_date "$store/no-date.txt:1: missing Date" "$out"
check_has check_reports_unknown_key_with_line "$store/bad-key.txt:3: unknown header \"Colour\"" "$out"
check_has check_reports_bad_utf8_with_line "$store/bad-utf8.txt:5: invalid UTF-8" "$out"
check_has check_keeps_the_good_post "1 posts, 8 tags, 3 problems" "$out"

out=$("$CAPSULE" render --content "$store" /posts/iran-school-opening-stoke-uprising 2>/dev/null)
check_has render_serves_good_post_beside_bad_ones "# Iran: School Opening Stoke Uprising" "$out"

out=$("$CAPSULE" render --content "$ROOT/content" /posts/no-such-post 2>&1); rc=$?
check render_unknown_path_exits_1 "1" "$rc"
check_has render_unknown_path_says_51 "51 Not found" "$out"

out=$("$CAPSULE" render --content "$ROOT/content" /tags 2>&1)
check_has render_missing_slash_says_31 "31 /tags/" "$out"

out=$("$CAPSULE" render --gopher --content "$ROOT/content" --hostname example.org --gopher-port 7070 / 2>&1)
check_has render_gopher_menu_uses_given_host "	/tags/	example.org	7070" "$out"
last=$("$CAPSULE" render --gopher --content "$ROOT/content" / | tail -c 3 | od -An -c | tr -d ' ')
check render_gopher_menu_ends_with_dot_crlf '.\r\n' "$last"
# Gopher has no redirect: render serves the menu, as the live server does.
out=$("$CAPSULE" render --gopher --content "$ROOT/content" /tag/mek-support 2>&1); rc=$?
check render_gopher_follows_a_missing_slash "0 iMEK Support" "$rc $(printf %s "$out" | head -n 1 | cut -f1)"

out=$("$CAPSULE" render --content "$ROOT/content" '/posts/%2e%2e/%2e%2e/etc/passwd' 2>&1); rc=$?
check_has render_refuses_encoded_escape "59 Bad request" "$out"

mkdir -p "$TMP/empty"
out=$("$CAPSULE" render --content "$TMP/empty" / 2>&1); rc=$?
check render_empty_store_is_valid "0" "$rc"
check_has render_empty_store_home "# capsule" "$out"

out=$("$CAPSULE" check --content "$TMP/missing" 2>&1); rc=$?
check check_missing_store_fails "1" "$rc"
check_has check_missing_store_says_why "cannot read the store" "$out"
