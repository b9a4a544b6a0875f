#!/usr/bin/env bash
# feeds_import.sh: `capsule import` of the feeds real sites send beside
# RSS 2.0 and Atom 1.0: RSS 1.0 (RDF), Atom 0.3 (escaped, base64 and
# inline XML content), Atom titles in HTML and XHTML, xml:base; and the
# sloppiness feed readers forgive, each forgiven with a warning naming its
# line: blank lines before <?xml, HTML entities, a bare &, bytes that are
# not UTF-8, Windows-1252 in a Latin-1 feed, RSS 0.91 items without dates.
# No control character of a feed reaches the terminal.
. "$(dirname "$0")/../lib.sh"

FIX="$ROOT/tests/fixtures"

# imp NAME FIXTURE [flags]: imports into $TMP/NAME; out, err and rc kept.
imp() {
	local name=$1 fx=$2
	shift 2
	out=$("$CAPSULE" import --content "$TMP/$name" "$@" "$fx" 2>"$TMP/$name.err")
	rc=$?
	err=$(cat "$TMP/$name.err")
}
# post NAME SLUG: the post file, its Import-Hash line left out.
post() { grep -v '^Import-Hash: ' "$TMP/$1/$2.txt" 2>/dev/null; }
# post_src NAME SOURCE: the same for the post of that Source, whatever
# its slug (slugs are import's own business, tested elsewhere).
post_src() {
	local f
	f=$(grep -lxF "Source: $2" "$TMP/$1"/*.txt 2>/dev/null | head -1)
	[ -n "$f" ] && grep -v '^Import-Hash: ' "$f"
}

# RSS 1.0: the items' elements are in RSS 1.0's namespace.
imp rss1 "$FIX/feed-rss1.rdf"
check "rss1_feed_imports_every_item" "0 2 added" "$rc $(printf %s "$out" | grep -o '[0-9]* added')"
check "rss1_item_keeps_title_date_author_tag_and_content" "Title: Trimming wicks
Date: 2021-03-02
Author: Ada Wick
Tags: Maintenance
Source: http://news.example.net/2021/wicks

Cut the wick square, with sharp scissors.
=> http://news.example.net/tools/scissors with sharp scissors" "$(post rss1 wicks)"
check "rss1_item_without_content_encoded_keeps_its_description" \
    "Vinegar and newspaper, then nothing else." "$(post rss1 glass | tail -1)"
check "rss1_channel_title_makes_the_capsule_title" "Title: Lantern Notes" \
    "$(head -1 "$TMP/rss1/capsule.conf")"

# Atom 0.3: issued/created/modified, content mode escaped, base64, xml.
imp atom03 "$FIX/feed-atom03.xml"
check "atom03_feed_imports_every_entry" "0 4 added" "$rc $(printf %s "$out" | grep -o '[0-9]* added')"
check "atom03_says_nothing_is_wrong" "" "$(printf %s "$err" | grep -v 'made the store')"
check "atom03_escaped_content_is_html" "Date: 2004-06-28 An escaped paragraph about lamps." \
    "$(post atom03 escaped | grep '^Date:') $(post atom03 escaped | tail -1)"
check "atom03_base64_content_is_decoded" "Decoded from base64: brass fittings polish well." \
    "$(post atom03 base64 | tail -1)"
check "atom03_xml_content_is_its_markup_and_created_dates_it" \
    "Date: 2004-06-26 Inline XHTML about wicks." \
    "$(post atom03 xml | grep '^Date:') $(post atom03 xml | tail -1)"
check "atom03_summary_only_entry_dated_by_modified" \
    "Date: 2004-06-25 A plain summary <not markup>." \
    "$(post atom03 summary | grep '^Date:') $(post atom03 summary | tail -1)"
check "atom03_escaped_html_feed_title_is_plain_text_and_tagline_describes" \
    "Title: Old Atom & New Workshop
Description: Kept in Atom 0.3 since 2004
Language: en" "$(cat "$TMP/atom03/capsule.conf")"

# A <feed> in no known namespace is named for what it is.
printf '<feed xmlns="http://example.com/not-atom"><title>x</title></feed>\n' >"$TMP/other.xml"
imp other "$TMP/other.xml"
check_has "feed_in_another_namespace_is_named_so" 'a <feed> in the namespace "http://example.com/not-atom", which is neither Atom 1.0' "$err"

# A <feed> in no namespace at all is read as Atom, with a warning.
printf '<feed><title>Bare</title><entry><title>Bare entry</title><id>urn:b1</id><updated>2020-01-02T00:00:00Z</updated><content>Hi.</content></entry></feed>\n' >"$TMP/bare.xml"
imp bare "$TMP/bare.xml"
check "feed_without_namespace_imports" "0 1 added" "$rc $(printf %s "$out" | grep -o '[0-9]* added')"
check_has "feed_without_namespace_is_warned" "a <feed> without Atom's namespace" "$err"

# Atom html/xhtml titles are text; xml:base resolves links, nested too.
imp markup "$FIX/feed-markup.atom"
check "markup_feed_imports" "0 2 added" "$rc $(printf %s "$out" | grep -o '[0-9]* added')"
check "html_feed_title_and_xhtml_subtitle_are_plain_text_in_capsule_conf" \
    "Title: Glass and Light
Description: Lamps old and new" "$(cat "$TMP/markup/capsule.conf")"
check "html_entry_title_is_plain_text" "Title: Markup: Title With Markup & more" \
    "$(post markup markup-title | head -1)"
check "xhtml_entry_title_is_plain_text_on_one_line" "Title: An XHTML title" \
    "$(post markup xhtml-title | head -1)"
check "nested_xml_base_resolves_content_links" \
    "=> http://blog.example.org/2022/05/files/plan.html the plan
=> http://blog.example.org/2022/05/other/ the other" \
    "$(post markup markup-title | grep '^=> ')"
check "feed_xml_base_resolves_entry_link_and_content" \
    "=> http://blog.example.org/notes/one note one" \
    "$(post markup xhtml-title | grep '^=> ')"
# The entry's relative link, resolved, names it (its last segment).
check "xml_base_resolves_the_entry_link_its_slug_comes_from" "ok" \
    "$([ -e "$TMP/markup/markup-title.txt" ] && [ -e "$TMP/markup/xhtml-title.txt" ] && echo ok)"

# Sloppy RSS: blank lines before <?xml, HTML entities, bare &, a bad byte.
imp sloppy "$FIX/feed-sloppy.rss"
check "sloppy_feed_imports_every_item" "0 2 added" "$rc $(printf %s "$out" | grep -o '[0-9]* added')"
check_has "blank_lines_before_xml_declaration_warned_with_line" \
    "feed-sloppy.rss: line 3: the XML declaration comes after white space or blank lines" "$err"
check_has "html_entities_warned_with_line_and_count" \
    "line 8: HTML entity &nbsp; read as the character it names (XML has no such entity); 4 such in all" "$err"
check_has "bare_ampersand_warned_with_line" "line 14: a bare & read as text" "$err"
check_has "bad_utf8_byte_warned_with_line" "line 17: byte 0xef read as U+FFFD (not UTF-8)" "$err"
check "html_entities_become_their_characters" "Title: Café"$'\u00a0'"lamps … fixed" \
    "$(post_src sloppy "http://tinker.example.com/?p=7&lang=en" | head -1)"
check "bare_ampersands_in_text_and_attribute_are_kept" \
    "Brass & glass, by Smith & Sons. Shop
=> http://tinker.example.com/shop?a=1&b=2 Shop" \
    "$(post_src sloppy "http://tinker.example.com/?p=7&lang=en" | tail -2)"
check "stray_byte_becomes_replacement_character" \
    "Title: A stray byte: na�ve" "$(post_src sloppy http://tinker.example.com/?p=8 | head -1)"
check "nbsp_in_channel_description_kept" "Description: Repairs"$'\u00a0'"and more" \
    "$(sed -n 2p "$TMP/sloppy/capsule.conf")"

# A feed wholly in another encoding than it says is refused, not read
# as a page of U+FFFD; named, it is read.
imp koi8 "$FIX/feed-koi8r-undeclared.rss"
check "undeclared_koi8r_feed_is_refused" "1 0" "$rc $(ls "$TMP/koi8" 2>/dev/null | wc -l)"
check_has "undeclared_koi8r_feed_says_why_and_where" \
    "line 3: 82 bytes that are not UTF-8 from here on, and 0 characters that are: the feed is not in UTF-8" "$err"
{ printf '<?xml version="1.0" encoding="KOI8-R"?>\n'; cat "$FIX/feed-koi8r-undeclared.rss"; } >"$TMP/koi8.rss"
imp koi8named "$TMP/koi8.rss"
check "koi8r_feed_that_names_its_encoding_imports" "0 Title: Первая новость дня" \
    "$rc $(post_src koi8named http://koi.example.ru/1 | head -1)"

# What cannot be read is still refused with line and column.
printf '<?xml version="1.0"?>\n<rss><channel>\n<item><title>x</item>\n</channel></rss>\n' >"$TMP/broken.rss"
imp broken "$TMP/broken.rss"
check_has "unreadable_xml_refused_with_line_and_column" "line 3, column " "$err"
check "unreadable_xml_exits_1" 1 "$rc"

# Latin-1 feed with Windows-1252 bytes and references.
imp latin1 "$FIX/feed-latin1.rss"
check "latin1_feed_imports" "0 1 added" "$rc $(printf %s "$out" | grep -o '[0-9]* added')"
check "windows_1252_bytes_are_curly_quotes" "Title: Don’t say “never”" \
    "$(post_src latin1 http://latin.example.com/1 | head -1)"
check "windows_1252_reference_and_latin1_bytes_are_characters" \
    "This is a £test — it’s 5 € …" "$(post_src latin1 http://latin.example.com/1 | tail -1)"
check "latin1_title_is_utf8_in_capsule_conf" "Title: Café Notes" \
    "$(head -1 "$TMP/latin1/capsule.conf")"
check_has "windows_1252_bytes_warned_with_line" \
    "line 8: byte 0x92 read as Windows-1252, as browsers do (the feed says ISO-8859-1); 5 such in all" "$err"
check_has "windows_1252_reference_warned_with_line" \
    "line 11: character reference &#146; read as the Windows-1252 character" "$err"

# RSS 0.91 without a date anywhere: the file's date, said so.
cp "$FIX/feed-rss091.rss" "$TMP/undated.rss"
touch -d '2020-05-06 12:00:00 UTC' "$TMP/undated.rss"
imp rss091 "$TMP/undated.rss"
check "undated_rss091_items_import" "0 2 added" "$rc $(printf %s "$out" | grep -o '[0-9]* added')"
check "undated_item_takes_the_files_date" "Date: 2020-05-06" "$(post_src rss091 http://almanac.example.com/1 | grep '^Date:')"
check_has "undated_item_says_whose_date_it_took" \
    'entry 1 "First undated note": no date, nor has the feed; using the file'"'"'s date, 2020-05-06' "$err"
# A later run on another day keeps the date the post has: a day guessed
# anew on every run would rewrite the post on every run.
touch -d '2021-07-08 12:00:00 UTC' "$TMP/undated.rss"
imp rss091 "$TMP/undated.rss"
check "undated_rerun_rewrites_nothing" "0 0 added, 0 updated, 2 unchanged" \
    "$rc $(printf %s "$out" | grep -o '[0-9]* added, [0-9]* updated, [0-9]* unchanged')"
check "undated_rerun_keeps_the_first_date" "Date: 2020-05-06" "$(post_src rss091 http://almanac.example.com/1 | grep '^Date:')"

# Control characters and escape sequences never reach the terminal.
imp escapes "$FIX/feed-escapes.rss"
imp page "$FIX/page-escapes.html"
all=$(cat "$TMP/escapes.err" "$TMP/page.err"; printf %s "$out")
"$CAPSULE" import --dry-run --content "$TMP/escapes" "$FIX/feed-escapes.rss" >"$TMP/esc.out" 2>&1
all="$all$(cat "$TMP/esc.out")"
check "no_escape_byte_reaches_the_terminal" 0 "$(printf %s "$all" | tr -dc '\033\007' | wc -c)"
check "no_c1_control_reaches_the_terminal" 0 "$(printf %s "$all" | grep -c $'\xc2\x9b')"
check "no_bidi_override_reaches_the_terminal" 0 "$(printf %s "$all" | grep -c $'\xe2\x80\xae')"
check_has "an_entrys_link_in_a_warning_is_escaped_visibly" \
    'entry 2 http://esc.example.com/\xc2\x9b2J\xe2\x80\xaereversed: no title' "$(cat "$TMP/escapes.err")"
check_has "a_feed_link_found_in_a_page_is_escaped_visibly" \
    'its feed is at http://esc.example.com/feed\x1b]0;owned\x07\xc2\x9b2J' "$(cat "$TMP/page.err")"
check_has "control_bytes_in_the_feed_are_warned_with_line" \
    "line 4: control character 0x1b read as U+FFFD (XML allows none)" "$(cat "$TMP/escapes.err")"
check_has "a_title_in_a_news_line_is_escaped" 'Bidi \xe2\x80\xaegnirts' "$(cat "$TMP/esc.out")"
