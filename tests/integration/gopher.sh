#!/usr/bin/env bash
# gopher.sh: the Gopher side over the network, with curl, lynx, socat and
# gemget -P (exact bytes): menus, texts, search, Gopher+, URL: links,
# errors, limits, Gopher over TLS and IPv6.
. "$(dirname "$0")/../lib.sh"

if ! start_server --listen ::1 --request-timeout 1; then
	fail gopher_server_starts "$(tail -5 "$TMP/server.out")"
	exit 1
fi
ok gopher_server_starts
G="gopher://127.0.0.1:$GOPH_PORT"

# raw SELECTOR-BYTES: the raw answer to exactly these bytes.
raw() { "$GEMGET" -P -p "$GOPH_PORT" -t 5 127.0.0.1 "$1" 2>"$TMP/err"; }
# ends_menu NAME ANSWER: a menu or text ends with a line ".": "\r\n.\r"
# once $(...) has taken the last "\n" (tail_is checks that one).
ends_menu() {
	if [ "$(printf %s "$2" | tail -c 4 | od -An -c | tr -d ' ')" = '\r\n.\r' ]; then
		ok "$1"
	else fail "$1" "does not end with CRLF.CR: [$(printf %s "$2" | tail -c 40)]"; fi
}
# tail_is NAME HEX COMMAND...: the output's last bytes, exactly.
tail_is() {
	local name=$1 want=$2
	shift 2
	check "$name" "$want" "$("$@" | tail -c $((${#want} / 2)) | od -An -tx1 | tr -d ' \n')"
}
# error_item NAME ANSWER: a type 3 error menu, properly ended.
error_item() {
	case "$2" in
	3*) ends_menu "$1" "$2" ;;
	*) fail "$1" "not a type 3 item: [$(printf %s "$2" | head -c 120)]" ;;
	esac
}

# --- menus and texts
home=$(raw "\r\n")
check_has gopher_home_has_title "iMEK Support: a tag archive" "$home"
check_has gopher_home_links_posts "$(printf '1All posts\t/posts/\tlocalhost\t%s' "$GOPH_PORT")" "$home"
ends_menu gopher_home_ends_with_dot "$home"
tail_is gopher_menu_ends_with_dot_crlf 0d0a2e0d0a raw "/\r\n"
# A text ends as a file does: its last line, no "." line (as Gophernicus
# serves the export).
tail_is gopher_text_ends_with_its_last_line 2c20504d4f490d0a raw "/posts/iran-school-opening-stoke-uprising\r\n"
tail_is gopher_error_ends_with_dot_crlf 0d0a2e0d0a raw "/nope\r\n"
check gopher_slash_is_home "$home" "$(raw "/\r\n")"
check gopher_bare_lf_is_accepted "$home" "$(raw "/\n")"
check gopher_curl_gets_home "$home" "$(curl -s "$G/")"
post=$(curl -s "$G/0/posts/iran-school-opening-stoke-uprising")
check_has gopher_post_text_has_title "Iran: School Opening Stoke Uprising" "$post"
check gopher_post_text_has_no_end_line "" "$(printf %s "$post" | tr -d '\r' | grep -x '\.')"
check_has gopher_tag_menu_lists_post "/posts/iran-school-opening-stoke-uprising" "$(curl -s "$G/1/tag/mek-support/")"
check_has gopher_tags_menu "1MEK Support" "$(curl -s "$G/1/tags/")"
check gopher_missing_slash_serves_menu "$(raw "/posts/\r\n")" "$(raw "/posts\r\n")"
check_has gopher_robots "Disallow: /search" "$(raw "/robots.txt\r\n")"
lynx=$(lynx -dump "$G/1/" 2>&1)
check_has gopher_lynx_renders_home "All posts" "$lynx"
check_has gopher_lynx_shows_post "Iran: School Opening Stoke Uprising" "$(lynx -dump "$G/0/posts/iran-school-opening-stoke-uprising" 2>&1)"

# --- search and Gopher+
check_has gopher_search_finds_post "/posts/iran-school-opening-stoke-uprising" "$(raw "/search\tschool\r\n")"
check_has gopher_curl_search "/posts/iran-school-opening-stoke-uprising" "$(curl -s "$G/7/search%09school")"
check_has gopher_query_after_question_mark "/posts/iran-school-opening-stoke-uprising" "$(raw "/search?school\r\n")"
error_item gopher_bad_query_escape_is_error "$(raw "/search?%zz\r\n")"
check gopher_plus_request_gets_status_then_item "$(printf '+-1\r\n%s' "$home")" "$(raw "/\t+\r\n")"
plus=$(raw "/\t!\r\n")
check_has gopher_plus_bang_gets_attributes "$(printf '+-1\r\n+INFO: 1MEK Support: a tag archive\t/\tlocalhost\t%s\r\n+ADMIN:\r\n Admin: Staff Writer' "$GOPH_PORT")" "$plus"
check_has gopher_plus_bang_gets_views "$(printf '+VIEWS:\r\n application/gopher+-menu: <')" "$plus"
plus=$(raw "\t\$\r\n")
check_has gopher_plus_dollar_lists_items "$(printf '+INFO: 0Atom feed\t/atom.xml\tlocalhost\t%s\r\n+ADMIN:' "$GOPH_PORT")" "$plus"
check_has gopher_plus_search_keeps_query "$(raw "/search\tschool\r\n")" "$(raw "/search\tschool\t+\r\n")"
alive gopher_alive_after_menus

# --- URL: links
html=$(raw "URL:https://example.org/?a=<b>&c=\"d\"\r\n")
check_has gopher_url_selector_redirects "content=\"2; url=https://example.org/?a=&lt;b&gt;&amp;c=&quot;d&quot;\"" "$html"
check_has gopher_url_selector_links "<a href=\"https://example.org/?a=&lt;b&gt;&amp;c=&quot;d&quot;\">" "$html"
case "$html" in *"<b>"*) fail gopher_url_selector_escapes_html "raw <b> in page" ;; *) ok gopher_url_selector_escapes_html ;; esac
check_has gopher_curl_url_selector "https://gopher.floodgap.com/" "$(curl -s "$G/hURL:https://gopher.floodgap.com/")"
error_item gopher_url_javascript_refused "$(raw "URL:javascript:alert(1)\r\n")"

# --- errors: always an answer, never a dropped connection
error_item gopher_unknown_selector_is_error "$(raw "/no/such/thing\r\n")"
error_item gopher_unknown_post_is_error "$(raw "/posts/nope\r\n")"
nf=$(raw "/posts/nope\r\n")
check_has gopher_not_found_names_the_selector "$(printf '3Not found: /posts/nope\t')" "$nf"
check_has gopher_not_found_offers_home "$(printf '1Home\t/\tlocalhost\t%s\r\n' "$GOPH_PORT")" "$nf"
check gopher_upper_case_path_serves_the_lower_case_one "$(raw "/tags/\r\n")" "$(raw "/TAGS/\r\n")"
error_item gopher_http_request_is_error "$(raw "GET / HTTP/1.0\r\n\r\n")"
error_item gopher_dotdot_is_error "$(raw "/../../etc/passwd\r\n")"
error_item gopher_encoded_dotdot_is_error "$(raw "/%2e%2e/%2e%2e/etc/passwd\r\n")"
error_item gopher_nul_is_error "$(raw "/a\x00b\r\n")"
sel1024="/$(printf 'a%.0s' $(seq 1 1023))"
error_item gopher_selector_of_1024_bytes_is_read "$(raw "$sel1024\r\n")"
check_has gopher_selector_of_1024_bytes_is_not_too_long "Not found" "$(raw "$sel1024\r\n")"
error_item gopher_selector_of_1025_bytes_is_error "$(raw "${sel1024}a\r\n")"
check_has gopher_selector_of_1025_bytes_says_why "Selector too long" "$(raw "${sel1024}a\r\n")"
error_item gopher_selector_of_3000_bytes_is_error "$(raw "$sel1024$sel1024$sel1024\r\n")"
alive gopher_alive_after_errors

# --- no line end
t0=$(date +%s%N)
got=$(raw "/")
ms=$((($(date +%s%N) - t0) / 1000000))
check gopher_no_line_end_gets_no_answer "" "$got"
if [ "$ms" -ge 900 ] && [ "$ms" -lt 4000 ]; then ok gopher_no_line_end_times_out; else
	fail gopher_no_line_end_times_out "closed after $ms ms, want about 1000"; fi
got=$(printf '/robots.txt' | timeout 5 socat -t 5 - "TCP:127.0.0.1:$GOPH_PORT")
check_has gopher_half_close_ends_selector "Disallow: /search" "$got"

# --- Gopher over TLS on the same port
check gopher_tls_curl_gets_home "$home" "$(curl -sk "gophers://127.0.0.1:$GOPH_PORT/")"
got=$("$GEMGET" -p "$GOPH_PORT" localhost "/\r\n" 2>"$TMP/err")
check gopher_tls_raw_gets_home "$home" "$got"
check_has gopher_tls_ends_with_close_notify "close_notify: yes" "$(cat "$TMP/err")"
error_item gopher_tls_unknown_selector_is_error "$(curl -sk "gophers://127.0.0.1:$GOPH_PORT/1/nope")"
subj=$(timeout 5 openssl s_client -connect "127.0.0.1:$GOPH_PORT" -servername localhost </dev/null 2>/dev/null |
    openssl x509 -noout -subject 2>/dev/null | sed 's/^subject= *//; s/ //g')
check gopher_tls_uses_same_cert "CN=localhost" "$subj"
# The sniff: a first byte 0x16 is a TLS record, so junk after it gets a
# TLS alert (record type 0x15), never a menu; any other control
# character starts a selector, answered with an error item.
first_byte() { timeout 5 socat -t 2 - "TCP:127.0.0.1:$GOPH_PORT" | head -c 1 | od -An -tx1 | tr -d ' '; }
check gopher_sniff_junk_hello_gets_tls_alert 15 "$(printf '\026\003\001\000\005hello' | first_byte)"
check gopher_sniff_lone_record_byte_gets_tls_alert 15 "$(printf '\026' | first_byte)"
error_item gopher_sniff_other_control_byte_is_selector "$(printf '\027junk\r\n' | timeout 5 socat -t 2 - "TCP:127.0.0.1:$GOPH_PORT")"
alive gopher_alive_after_sniff_junk

# --- IPv6
check gopher_over_ipv6 "$home" "$(curl -sg "gopher://[::1]:$GOPH_PORT/")"

# --- the access log
sleep 0.2
check_has gopher_access_log_plain "gopher 127.0.0.1 \"/robots.txt\" 20" "$(cat "$TMP/access.log")"
check_has gopher_access_log_tls "gophers 127.0.0.1 \"/\" 20" "$(cat "$TMP/access.log")"
check_has gopher_access_log_empty_selector_without_line_end "gopher 127.0.0.1 \"\" 20" "$(cat "$TMP/access.log")"
check_has gopher_access_log_escapes_tab "\"/search\\x09school\" 20" "$(cat "$TMP/access.log")"
alive gopher_alive_at_end

# --- Gopher+ answers get the one defang: titles, tag names and the
# Author: setting with ESC sequences and TABs reach no terminal, and no
# TAB adds a field (the UMN client asks "TAB $" on its first connect).
stop_server
mkdir -p "$TMP/evil"
printf 'Title: Evil\033]0;owned\007 site\nAuthor: Mallory\033[2J\tTab\nHostname: localhost\n' \
    >"$TMP/evil/capsule.conf"
printf 'Title: Bell\007 and\ttab \033[31mred\nDate: 2024-01-01\nTags: ev\033[5mil\ttag, plain\n\nBody \033[2J text.\n' \
    >"$TMP/evil/evil.txt"
CONTENT="$TMP/evil" start_server
# plus_clean NAME REQUEST: no control byte but TAB and CRLF; an +INFO
# line has exactly four fields, Admin lines and error lines no TAB.
plus_clean() {
	"$GEMGET" -P -p "$GOPH_PORT" -t 5 127.0.0.1 "$2" 2>/dev/null >"$TMP/plus"
	got=$(python3 - "$TMP/plus" <<'PY'
import re, sys
b = open(sys.argv[1], "rb").read()
bad = []
if not b:
    bad.append("empty")
for i, c in enumerate(b):
    if c == 9 or c == 10 or (c == 13 and b[i + 1:i + 2] == b"\n"):
        continue
    if c < 32 or c == 127 or (c == 0xc2 and 0x80 <= b[i + 1] <= 0x9f):
        bad.append("control 0x%02x at %d" % (c, i))
for line in b.split(b"\r\n"):
    if line.startswith(b"+INFO: ") and line.count(b"\t") != 3:
        bad.append("fields: %r" % line)
    if line.startswith((b" Admin:", b"1 ")) and b"\t" in line:
        bad.append("TAB: %r" % line)
print(" ".join(bad[:3]) or "clean")
PY
)
	check "$1" clean "$got"
}
plus_clean gopherplus_home_blocks_defanged "\t\$\r\n"
plus_clean gopherplus_tags_blocks_defanged "/tags/\t\$\r\n"
plus_clean gopherplus_post_item_defanged "/posts/evil\t!\r\n"
plus_clean gopherplus_post_views_defanged "/posts/evil\t\$\r\n"
plus_clean gopherplus_tag_item_defanged "$(printf '%s' "$(raw "/tags/\r\n" | grep -a '^1' | grep -a 'tag' | head -1 | cut -f2)")\t!\r\n"
plus_clean gopherplus_error_defanged "/nope\t+\r\n"
plus_clean gopherplus_document_defanged "/posts/evil\t+\r\n"
alive gopherplus_alive
