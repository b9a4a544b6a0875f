#!/usr/bin/env bash
# import_wxr.sh: what `capsule import` takes from WordPress and Blogger
# exports, and what it never takes: only published posts become posts;
# drafts, scheduled, pending, private and password-protected posts,
# pages, attachments, menus, styles and custom types, and a Blogger
# export's settings, template, comments and drafts never do, each with
# its own line saying why. The fixtures are our own (tests/fixtures/).
. "$(dirname "$0")/../lib.sh"

FIX="$ROOT/tests/fixtures"

# imp NAME FIXTURE [flags]: imports into a fresh $TMP/NAME; sets OUT, ERR, RC.
imp() {
	local name=$1 fx=$2
	shift 2
	rm -rf "${TMP:?}/$name" && mkdir "$TMP/$name"
	OUT=$("$CAPSULE" import --content "$TMP/$name" "$@" "$FIX/$fx" 2>"$TMP/err"); RC=$?
	ERR=$(cat "$TMP/err")
}
# secrets DIR: the files of DIR that hold text the author never published.
secrets() { grep -rl 'SECRET' "$1" 2>/dev/null | sed "s|^$1/||"; }

# --- a WordPress.com export: https namespace --------------------------
imp priv wxr-private.xml
check wxr_https_namespace_exits_0 0 "$RC"
check wxr_https_namespace_imports_only_published_posts \
    "capsule.conf compost-again.txt sowing-broad-beans.txt" "$(ls "$TMP/priv" | tr '\n' ' ' | sed 's/ $//')"
check wxr_private_text_never_written "" "$(secrets "$TMP/priv")"
check_has wxr_counts_what_it_skipped "2 added, 0 updated, 0 unchanged, 0 kept, 13 skipped, 0 refused" "$OUT"
check_has wxr_skips_a_draft "skipped  draft \"A draft about slugs\": not published (--drafts imports it)" "$OUT"
check_has wxr_skips_a_scheduled_post "skipped  future \"Harvest festival 2030\": not published (--drafts imports it)" "$OUT"
check_has wxr_skips_a_pending_post "skipped  pending \"Waiting for the editor\": not published (--drafts imports it)" "$OUT"
check_has wxr_skips_a_private_post "skipped  private \"My neighbour's shed\": private; never imported" "$OUT"
check_has wxr_skips_a_password_protected_post "skipped  post \"Allotment committee minutes\": protected by a password; its text is not written" "$OUT"
check_has wxr_skips_a_page "skipped  page \"About the garden\": not a post" "$OUT"
check_has wxr_skips_an_attachment "skipped  attachment \"beans-in-rows\": not a post" "$OUT"
check_has wxr_skips_an_untitled_menu_item "skipped  nav_menu_item (entry 10, untitled): not a post" "$OUT"
check_has wxr_skips_a_menu_item "skipped  nav_menu_item \"Home\": not a post" "$OUT"
check_has wxr_skips_wp_navigation "skipped  wp_navigation \"Navigation\": not a post" "$OUT"
check_has wxr_skips_wp_global_styles "skipped  wp_global_styles \"Custom Styles\": not a post" "$OUT"
check_has wxr_skips_a_custom_post_type "skipped  product \"Seed potatoes, 2kg\": not a post" "$OUT"
check_has wxr_skips_a_trashed_post "skipped  trash \"Trashed thoughts\": not published" "$OUT"
check wxr_every_skip_has_its_line 13 "$(printf '%s\n' "$OUT" | grep -c '^skipped  ')"
post=$(cat "$TMP/priv/sowing-broad-beans.txt")
check_has wxr_https_author_is_the_display_name "Author: Ann Gardener" "$post"
check_has wxr_https_tags_without_post_formats "Tags: Vegetables, beans" "$post"
check_has wxr_https_keeps_paragraphs "$(printf 'Broad beans go in now.\n\nTwo inches deep, eight apart.')" "$post"
check wxr_https_store_is_clean 0 "$("$CAPSULE" check --content "$TMP/priv" >/dev/null 2>&1; echo $?)"

# --drafts lets drafts, pending and scheduled posts in; never private,
# password-protected or trashed ones.
imp drafts wxr-private.xml --drafts
check_has wxr_drafts_counts "5 added, 0 updated, 0 unchanged, 0 kept, 10 skipped" "$OUT"
check wxr_drafts_imports_drafts_pending_and_future \
    "a-draft-about-slugs.txt capsule.conf compost-again.txt harvest-festival-2030.txt sowing-broad-beans.txt waiting-for-the-editor.txt" \
    "$(ls "$TMP/drafts" | tr '\n' ' ' | sed 's/ $//')"
check wxr_drafts_private_text_never_written "" "$(grep -rl -e SECRET-PRIVATE -e SECRET-PASSWORD -e SECRET-TRASH "$TMP/drafts")"
check_has wxr_drafts_still_skips_private "skipped  private \"My neighbour's shed\": private; never imported" "$OUT"

# A feed's password-protected posts: WordPress's form, in any language.
imp feedpw feed-protected.rss
check wxr_feed_protected_exits_0 0 "$RC"
check_has wxr_feed_skips_protected_post "skipped  post \"Geschützt: Protokoll der Vorstandssitzung\": protected by a password; its text is not written" "$OUT"
check_has wxr_feed_skips_protected_english_post "skipped  post \"Protected: Board minutes\": protected by a password" "$OUT"
check wxr_feed_protected_text_never_written "capsule.conf sommerfest.txt" "$(ls "$TMP/feedpw" | tr '\n' ' ' | sed 's/ $//')"

# --- WXR 1.0: tags are <category domain="tag"> ------------------------
imp w10 wxr-1.0.xml
check wxr_1_0_exits_0 0 "$RC"
check wxr_1_0_keeps_tags "Tags: Baking, bread, no yeast" "$(grep '^Tags:' "$TMP/w10/soda-bread.txt")"
check_has wxr_1_0_skips_its_draft "skipped  draft \"Notes on rye\"" "$OUT"
check wxr_1_0_draft_never_written "" "$(secrets "$TMP/w10")"

# --- Blogger: only kind#post entries that are not drafts --------------
imp blogger blogger.xml
check blogger_exits_0 0 "$RC"
check blogger_imports_only_posts "capsule.conf cliffs-at-dawn.txt seals-in-cove.txt" "$(ls "$TMP/blogger" | tr '\n' ' ' | sed 's/ $//')"
check blogger_nothing_private_written "" "$(secrets "$TMP/blogger")"
check_has blogger_counts "2 added, 0 updated, 0 unchanged, 0 kept, 6 skipped, 0 refused" "$OUT"
check_has blogger_skips_the_template "skipped  template \"Template: Walking the coast\": not a post" "$OUT"
check_has blogger_skips_settings "skipped  settings \"Blog name\": not a post" "$OUT"
check_has blogger_skips_comments "skipped  comment \"Lovely photos!\": not a post" "$OUT"
check_has blogger_skips_pages "skipped  page \"About me\": not a post" "$OUT"
check_has blogger_skips_drafts "skipped  draft \"Unfinished: the lighthouse\": a draft; never imported" "$OUT"
check blogger_kind_is_no_tag "Tags: cliffs" "$(grep '^Tags:' "$TMP/blogger/cliffs-at-dawn.txt")"
imp blogger2 blogger.xml --drafts
check blogger_drafts_never_even_with_flag "" "$(secrets "$TMP/blogger2")"

imp takeout blogger-2018.atom
check blogger_takeout_imports_only_live_posts "capsule.conf vienna-to-venice.txt" "$(ls "$TMP/takeout" | tr '\n' ' ' | sed 's/ $//')"
check_has blogger_takeout_skips_drafts "skipped  draft \"Paris to Berlin (notes)\": not published; never imported" "$OUT"
check_has blogger_takeout_skips_deleted "skipped  deleted \"Wrong timetable\": not published; never imported" "$OUT"
check_has blogger_takeout_skips_comments "skipped  comment (entry 5, untitled): not a post" "$OUT"
check blogger_takeout_nothing_private_written "" "$(secrets "$TMP/takeout")"

# --- identity: a WordPress post is its post id on its site ------------
imp names wxr-names.xml
check_has wxr_shared_guid_posts_are_distinct "added    copied-post-2: Copied post" "$OUT"
check wxr_shared_guid_source_is_the_post_id "Source: https://letters.example/?p=37" "$(grep '^Source:' "$TMP/names/copied-post-2.txt")"
check_has wxr_shared_guid_and_id_posts_are_distinct "added    code-in-a-list: Code in a list" "$OUT"
check wxr_shared_guid_and_id_source_has_the_name "Source: https://letters.example/?p=40&name=code-in-a-list" "$(grep '^Source:' "$TMP/names/code-in-a-list.txt")"
check wxr_unshared_guid_source_stays_the_guid "Source: https://letters.example/?p=31" "$(grep -h '^Source:' "$TMP/names"/*.txt | grep '?p=31$')"
before=$(cd "$TMP/names" && sha256sum -- *)
out=$("$CAPSULE" import --content "$TMP/names" "$FIX/wxr-names.xml" 2>/dev/null)
check_has wxr_shared_guid_rerun_changes_nothing "0 added, 0 updated, 10 unchanged" "$out"
check wxr_shared_guid_rerun_same_bytes "$before" "$(cd "$TMP/names" && sha256sum -- *)"
# A store written before (the second copy dropped, the first's Source
# its GUID) still matches: the first is unchanged, the second added.
rm -rf "$TMP/legacy" && mkdir "$TMP/legacy"
python3 -c 'import re, sys; sys.stdout.write(re.sub(r"\t<item>(?:(?!</item>).)*<wp:post_id>37</wp:post_id>.*?</item>\n", "", open(sys.argv[1]).read(), flags=re.S))' \
    "$FIX/wxr-names.xml" >"$TMP/legacy.xml"
"$CAPSULE" import --content "$TMP/legacy" "$TMP/legacy.xml" >/dev/null 2>&1
check wxr_legacy_store_source_is_the_guid "Source: https://old.example/?p=5" "$(grep '^Source:' "$TMP/legacy/copied-post.txt")"
first=$(sha256sum <"$TMP/legacy/copied-post.txt")
out=$("$CAPSULE" import --content "$TMP/legacy" "$FIX/wxr-names.xml" 2>/dev/null)
check_has wxr_legacy_store_adds_only_the_second_copy "1 added, 0 updated, 9 unchanged" "$out"
check wxr_legacy_store_first_copy_untouched "$first" "$(sha256sum <"$TMP/legacy/copied-post.txt")"
out=$("$CAPSULE" import --content "$TMP/legacy" "$FIX/wxr-names.xml" 2>/dev/null)
check_has wxr_legacy_store_rerun_is_idempotent "0 added, 0 updated, 10 unchanged" "$out"

# --- an untitled post takes its first words for a title ---------------
check_has wxr_untitled_post_is_imported "added    38: Sometimes a picture says it all, and the words under it are…" "$OUT"
check_has wxr_untitled_post_says_so "entry 8 https://letters.example/?p=38: no title; titled \"Sometimes a picture says it all, and the words under it are…\" from its first words" "$ERR"
check wxr_untitled_post_title "Title: Sometimes a picture says it all, and the words under it are…" "$(head -n 1 "$TMP/names/38.txt")"

# --- what a run says, and what it leaves behind -----------------------
printf '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title>\n</rss>\n' >"$TMP/broken.rss"
out=$("$CAPSULE" import --content "$TMP/new-store" "$TMP/broken.rss" 2>&1); rc=$?
check import_refused_source_exits_1 1 "$rc"
check import_refused_source_makes_no_store "no" "$([ -e "$TMP/new-store" ] && echo yes || echo no)"
check import_refused_source_says_no_made_the_store "" "$(printf '%s\n' "$out" | grep 'made the store')"
check_has import_refused_source_last_line "0 added, 0 updated, 0 unchanged, 0 kept, 0 skipped, 0 refused; 1 of 1 source failed" "$out"
# A source whose every entry is refused writes no capsule.conf either.
printf '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Empty</title>\n<item><guid>u1</guid><pubDate>Mon, 23 Sep 2019 10:00:00 +0000</pubDate></item></channel></rss>\n' >"$TMP/undated.rss"
out=$("$CAPSULE" import --content "$TMP/undated-store" "$TMP/undated.rss" 2>&1); rc=$?
check import_all_refused_exits_1 1 "$rc"
check import_all_refused_makes_no_store "no" "$([ -e "$TMP/undated-store" ] && echo yes || echo no)"
check_has import_all_refused_last_line "0 added, 0 updated, 0 unchanged, 0 kept, 0 skipped, 1 refused" "$out"
out=$("$CAPSULE" import --content "$TMP/no/such/parent/content" "$FIX/wxr-1.0.xml" 2>&1); rc=$?
check import_missing_parent_exits_1 1 "$rc"
check_has import_missing_parent_is_named "cannot make the store $TMP/no/such/parent/content: its parent directory $TMP/no/such/parent does not exist" "$out"
check import_missing_parent_makes_nothing "no" "$([ -e "$TMP/no" ] && echo yes || echo no)"
out=$("$CAPSULE" import --content "$TMP/two" "$TMP/broken.rss" "$FIX/wxr-1.0.xml" 2>&1); rc=$?
check import_one_source_failed_exits_1 1 "$rc"
check_has import_one_source_failed_last_line "1 added, 0 updated, 0 unchanged, 0 kept, 1 skipped, 0 refused; 1 of 2 sources failed" "$out"
check_has import_new_store_made_at_first_write "capsule import: made the store $TMP/two" "$out"
out=$("$CAPSULE" import --content "$TMP/two" "$FIX/wxr-1.0.xml" 2>&1); rc=$?
check import_all_imported_or_skipped_exits_0 0 "$rc"
check "import_last_line_counts_everything" "0 added, 0 updated, 1 unchanged, 0 kept, 1 skipped, 0 refused" "$(printf '%s\n' "$out" | tail -n 1)"

# --- names: non-Latin and accented titles, tags in any case -----------
check_has wxr_russian_post_name_spelt "added    privet-mir: Привет, мир" "$OUT"
check_has wxr_arabic_post_name_spelt "added    mrhba-balalm: مرحبا بالعالم" "$OUT"
check_has wxr_japanese_post_name_spelt "added    konnichiha: こんにちは世界" "$OUT"
check_has wxr_accented_title_spelt_not_cut "added    uma-revolucao-sem-nome: Uma revolução sem nome" "$OUT"
tags=$("$CAPSULE" render --content "$TMP/names" /tags/)
check_has wxr_russian_tag_slug "=> /tag/rossiya/ Россия (1)" "$tags"
check_has wxr_arabic_tag_slug "=> /tag/akhbar/ أخبار (1)" "$tags"
check_has wxr_accented_tag_slug "=> /tag/revolucao/ Revolução (1)" "$tags"
check_has wxr_kanji_tag_slug_is_its_own "$(printf '=> /tag/tag-')" "$tags"
check_has wxr_case_differing_tags_are_one "=> /tag/news/ NEWS (3)" "$tags"
check wxr_case_differing_tags_one_line "1" "$(printf '%s\n' "$tags" | grep -ci '/tag/news')"
check wxr_case_differing_category_and_tag_in_one_post "Tags: News" "$(grep '^Tags:' "$TMP/names/uma-revolucao-sem-nome.txt")"
check wxr_names_store_passes_check "0" "$("$CAPSULE" check --content "$TMP/names" >/dev/null 2>&1; echo $?)"
# Other posts arrive (tags that sort first, another kanji tag, a name
# with the same slug spelt less plainly): no tag URL moves.
slugs() { "$CAPSULE" render --content "$1" /tags/ 2>/dev/null | sed -n 's|^=> \(/tag/[^ ]*\) \(.*\) ([0-9]*)$|\1 \2|p' | LC_ALL=C awk '{ print tolower($0) }' | LC_ALL=C sort; }
was=$(slugs "$TMP/names")
printf 'Title: More\nDate: 2024-03-01\nTags: Ελλάδα, 中国, Россия!, Ärger, news\n\nMore.\n' >"$TMP/names/more.txt"
now=$(slugs "$TMP/names")
check wxr_tag_urls_stay_when_posts_arrive "" "$(LC_ALL=C comm -23 <(echo "$was") <(echo "$now"))"
check wxr_tag_urls_all_there "7" "$(echo "$was" | wc -l)"

# --- documentation: capsule(8) and import --help name every flag ------
MAN="$ROOT/capsule/capsule.8"
help=$("$CAPSULE" import --help); rc=$?
check import_help_exits_0 0 "$rc"
flags=$(printf '%s\n' "$help" | sed '/^SOURCE/,$d' | grep -o -- '--[a-z-]*' | sort -u)
missing=""
for f in $flags --help; do
	printf '%s\n' "$help" | grep -qE -- "^  $f( |\$)" || missing="$missing help:$f"
	grep -qF ".It Fl $(printf '%s' "${f#-}" | sed 's/-/\\-/g') " "$MAN" ||
	    grep -qxF ".It Fl $(printf '%s' "${f#-}" | sed 's/-/\\-/g')" "$MAN" || missing="$missing man:$f"
done
check import_help_and_man_describe_each_flag "" "$missing"
missing=""
for c in render check cert export import; do
	grep -q "^\.Ss capsule $c$" "$MAN" || missing="$missing $c"
done
check man_page_documents_every_sub_command "" "$missing"
for c in export; do
	flags=$("$CAPSULE" $c --help | grep -o -- '--[a-z-]*' | sort -u)
	missing=""
	for f in $flags; do
		grep -qF "Fl $(printf '%s' "${f#-}" | sed 's/-/\\-/g')" "$MAN" || missing="$missing $f"
	done
	check "man_page_documents_${c}_flags" "" "$missing"
done
if command -v mandoc >/dev/null; then
	check man_page_lints_clean "" "$(mandoc -Tlint -Wwarning "$MAN" 2>&1)"
fi
