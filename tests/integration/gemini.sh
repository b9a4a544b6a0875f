#!/usr/bin/env bash
# gemini.sh: the Gemini side over the network, with our client (gemget) and
# openssl s_client: every status, every malformed request, close_notify,
# TLS versions, SNI and IPv6.
. "$(dirname "$0")/../lib.sh"

if ! start_server --hostname other.test --listen ::1 --request-timeout 1; then
	fail gemini_server_starts "$(tail -5 "$TMP/server.out")"
	exit 1
fi
ok gemini_server_starts
U="gemini://localhost:$GEM_PORT"

# req [gemget flags] REQUEST: the raw response; gemget's stderr and exit
# status land in $TMP/err and $TMP/rc.
req() {
	"$GEMGET" -p "$GEM_PORT" -t 5 "${@:1:$#-1}" localhost "${@: -1}" \
	    2>"$TMP/err"
	echo $? >"$TMP/rc"
}
# head1 REQUEST: the status line, CR dropped.
head1() { req "$@" | head -n 1 | tr -d '\r'; }
# status NAME WANT REQUEST: the status line is WANT and the connection
# ended with close_notify.
status() {
	local got
	got=$(head1 "$3")
	if [ "$got" = "$2" ] && grep -q 'close_notify: yes' "$TMP/err"; then
		ok "$1"
	else
		fail "$1" "want [$2] got [$got] ($(tr '\n' ' ' <"$TMP/err"))"
	fi
}
# code NAME CODE REQUEST: only the two-digit status is checked.
code() {
	local got
	got=$(head1 "$3")
	check "$1" "$2" "${got%% *}"
}

# --- answers
status gemini_home_is_20 "20 text/gemini; charset=utf-8; lang=en" "$U/\r\n"
body=$(req "$U/\r\n")
check_has gemini_home_links_a_post "=> /posts/iran-school-opening-stoke-uprising" "$body"
check gemini_empty_path_serves_home_without_redirect "$body" "$(req "$U\r\n")"
status gemini_host_without_port_is_ours "20 text/gemini; charset=utf-8; lang=en" "gemini://localhost/\r\n"
status gemini_host_is_case_insensitive "20 text/gemini; charset=utf-8; lang=en" "gemini://LocalHost:$GEM_PORT/\r\n"
post=$(req "$U/posts/iran-school-opening-stoke-uprising\r\n")
check_has gemini_post_has_title "# Iran: School Opening Stoke Uprising" "$post"
check_has gemini_post_is_20 "20 text/gemini" "$(printf %s "$post" | head -n 1)"
code gemini_posts_is_20 20 "$U/posts/\r\n"
code gemini_tags_is_20 20 "$U/tags/\r\n"
check_has gemini_tag_page_lists_post "/posts/iran-school-opening-stoke-uprising" "$(req "$U/tag/mek-support/\r\n")"
status gemini_robots_is_text "20 text/plain; charset=utf-8" "$U/robots.txt\r\n"
check gemini_not_found_is_51_with_empty_body "$(printf '51 Not found\r\n')" "$(req "$U/no/such/page\r\n")"
status gemini_unknown_post_is_51 "51 Not found" "$U/posts/no-such-post\r\n"
status gemini_menu_without_slash_is_31 "31 $U/posts/" "$U/posts\r\n"
status gemini_tag_without_slash_is_31 "31 $U/tag/mek-support/" "$U/tag/mek-support\r\n"
status gemini_redirect_without_port_keeps_ours "31 $U/tags/" "gemini://localhost/tags\r\n"
code gemini_search_without_query_is_10 10 "$U/search\r\n"
search=$(req "$U/search?school\r\n")
check_has gemini_search_with_query_is_20 "20 text/gemini" "$(printf %s "$search" | head -n 1)"
check_has gemini_search_finds_post "/posts/iran-school-opening-stoke-uprising" "$search"
alive gemini_alive_after_answers

# --- malformed requests: 59
long=$(printf 'a%.0s' $(seq 1 2000))
url1024="$U/$(printf 'a%.0s' $(seq 1 $((1024 - ${#U} - 1))))"
url1025="${url1024}a"
check gemini_url_of_1024_bytes_is_read "1024 51" "${#url1024} $(head1 "$url1024\r\n" | cut -c1-2)"
status gemini_url_of_1025_bytes_is_59 "59 Request too long" "$url1025\r\n"
status gemini_url_of_2000_bytes_is_59 "59 Request too long" "$U/$long\r\n"
status gemini_bare_lf_is_59 "59 Request must end with CRLF" "$U/\n"
code gemini_bad_utf8_is_59 59 "$U/\xff\xfe\r\n"
code gemini_overlong_utf8_is_59 59 "$U/\xc0\xaf\r\n"
code gemini_nul_is_59 59 "$U/a\x00b\r\n"
code gemini_control_byte_is_59 59 "$U/a\tb\r\n"
code gemini_bom_is_59 59 "\xef\xbb\xbf$U/\r\n"
status gemini_userinfo_is_59 "59 Userinfo is not allowed" "gemini://user@localhost:$GEM_PORT/\r\n"
status gemini_fragment_is_59 "59 Fragment is not allowed" "$U/#top\r\n"
code gemini_empty_request_is_59 59 "\r\n"
code gemini_relative_path_is_59 59 "/\r\n"
code gemini_relative_reference_is_59 59 "//localhost:$GEM_PORT/\r\n"
code gemini_no_host_is_59 59 "gemini:/posts/\r\n"
code gemini_dotdot_above_root_is_59 59 "$U/../../etc/passwd\r\n"
code gemini_encoded_dotdot_is_59 59 "$U/%2e%2e/%2e%2e/etc/passwd\r\n"
code gemini_encoded_dotdot_upper_is_59 59 "$U/posts/%2E%2E/%2E%2E/etc/passwd\r\n"
code gemini_encoded_slash_dotdot_is_59 59 "$U/..%2f..%2fetc/passwd\r\n"
code gemini_bad_escape_is_59 59 "$U/%zz\r\n"
code gemini_encoded_nul_is_59 59 "$U/a%00b\r\n"
code gemini_bad_query_escape_is_59 59 "$U/search?%g0\r\n"

# --- not for us: 53
status gemini_upper_case_path_redirects_to_lower_case "31 gemini://localhost:$GEM_PORT/tags/" "$U/TAGS/\r\n"
# A 53 names what is served: the person can go there instead.
status gemini_other_host_is_53 "53 Proxy request refused: not a host served here; this server serves gemini://localhost:$GEM_PORT/ and gemini://other.test:$GEM_PORT/" "gemini://example.org:$GEM_PORT/\r\n"
status gemini_ip_address_is_53_naming_the_hosts "53 Proxy request refused: not a host served here; this server serves gemini://localhost:$GEM_PORT/ and gemini://other.test:$GEM_PORT/" "gemini://127.0.0.1:$GEM_PORT/\r\n"
status gemini_other_port_is_53 "53 Proxy request refused: not the port served here; this server serves gemini://localhost:$GEM_PORT/ and gemini://other.test:$GEM_PORT/" "gemini://localhost:1/\r\n"
code gemini_http_is_53 53 "http://localhost:$GEM_PORT/\r\n"
code gemini_https_is_53 53 "https://localhost:$GEM_PORT/\r\n"
code gemini_gopher_scheme_is_53 53 "gopher://localhost:$GEM_PORT/\r\n"
got=$("$GEMGET" -p "$GEM_PORT" -s other.test localhost "$U/\r\n" 2>/dev/null | head -n 1 | tr -d '\r')
check gemini_host_not_matching_sni_is_53 "53 Proxy request refused: the URL names another host than the connection (SNI); this server serves gemini://localhost:$GEM_PORT/ and gemini://other.test:$GEM_PORT/" "$got"
got=$("$GEMGET" -p "$GEM_PORT" -s other.test localhost "gemini://other.test:$GEM_PORT/\r\n" 2>/dev/null | head -n 1 | tr -d '\r')
check gemini_second_hostname_is_served "20 text/gemini; charset=utf-8; lang=en" "$got"
alive gemini_alive_after_bad_requests

# --- a request that never ends: closed after --request-timeout, cleanly
t0=$(date +%s%N)
got=$(req "$U/")
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
check gemini_no_crlf_gets_no_answer "" "$got"
check_has gemini_no_crlf_closed_with_close_notify "close_notify: yes" "$(cat "$TMP/err")"
if [ "$ms" -ge 900 ] && [ "$ms" -lt 4000 ]; then ok gemini_no_crlf_times_out; else
	fail gemini_no_crlf_times_out "closed after $ms ms, want about 1000"; fi
got=$(req "")
check gemini_silent_client_times_out "0" "$(cat "$TMP/rc")"

# --- close_notify on every kind of answer
for r in "$U/\r\n" "$U/nope\r\n" "$U/posts\r\n" "http://x/\r\n" "$U/$long\r\n"; do
	req "$r" >/dev/null
	grep -q 'close_notify: yes' "$TMP/err" || break
done
check gemini_every_answer_ends_with_close_notify "0" "$(cat "$TMP/rc")"

# --- TLS: versions and certificates
s_client() {
	timeout 5 openssl s_client -connect "127.0.0.1:$GEM_PORT" "$@" \
	    </dev/null 2>/dev/null
}
for v in tls1 tls1_1; do
	if s_client -"$v" -cipher 'DEFAULT@SECLEVEL=0' | grep -q '^-----BEGIN CERTIFICATE'; then
		fail "gemini_refuses_$v" "handshake succeeded"
	else ok "gemini_refuses_$v"; fi
done
# -brief prints the version as soon as the handshake is done.
s_brief() {
	timeout 5 openssl s_client -brief -connect "127.0.0.1:$GEM_PORT" \
	    -servername localhost "$@" </dev/null 2>&1
}
check_has gemini_speaks_tls1_2 "Protocol version: TLSv1.2" "$(s_brief -tls1_2)"
check_has gemini_speaks_tls1_3 "Protocol version: TLSv1.3" "$(s_brief -tls1_3)"
check_has gemini_prefers_tls1_3 "version: TLSv1.3" "$("$GEMGET" -f -p "$GEM_PORT" localhost "$U/\r\n" 2>&1 >/dev/null)"
subject() {
	s_client -servername "$1" | openssl x509 -noout -subject 2>/dev/null |
	    sed 's/^subject= *//; s/ //g'
}
check gemini_sni_localhost_gets_its_cert "CN=localhost" "$(subject localhost)"
check gemini_sni_other_gets_its_cert "CN=other.test" "$(subject other.test)"
check gemini_no_sni_gets_first_cert "CN=localhost" "$(s_client -noservername | openssl x509 -noout -subject 2>/dev/null | sed 's/^subject= *//; s/ //g')"
san=$(openssl x509 -noout -ext subjectAltName -in "$TMP/certs/other.test.crt" 2>/dev/null)
check_has gemini_generated_cert_has_san "DNS:other.test" "$san"
check gemini_generated_key_is_private "600" "$(stat -c %a "$TMP/certs/localhost.key")"
fp=$(openssl x509 -noout -fingerprint -sha256 -in "$TMP/certs/localhost.crt" | sed 's/.*=//')
check_has gemini_fingerprint_is_logged "$fp" "$(cat "$TMP/server.out")"
check_has gemini_openssl_client_gets_answer "20 text/gemini" "$(printf '%s/\r\n' "$U" | timeout 5 openssl s_client -quiet -connect "127.0.0.1:$GEM_PORT" -servername localhost 2>/dev/null | head -n 1)"

# --- session resumption: a ticket per handshake, redeemed (TLS 1.3 and 1.2)
for v in tls1_3 tls1_2; do
	rm -f "$TMP/sess.pem"
	printf '%s/\r\n' "$U" | timeout 5 openssl s_client -"$v" -connect "127.0.0.1:$GEM_PORT" \
	    -servername localhost -ign_eof -sess_out "$TMP/sess.pem" >/dev/null 2>&1
	got=$(printf '%s/\r\n' "$U" | timeout 5 openssl s_client -"$v" -connect "127.0.0.1:$GEM_PORT" \
	    -servername localhost -ign_eof -sess_in "$TMP/sess.pem" 2>&1)
	check_has "gemini_resumes_${v}_session" "Reused, " "$got"
	check_has "gemini_resumed_${v}_answers" "20 text/gemini" "$got"
done

# --- IPv6
got=$("$GEMGET" -p "$GEM_PORT" -s localhost ::1 "$U/\r\n" 2>/dev/null | head -n 1 | tr -d '\r')
check gemini_over_ipv6 "20 text/gemini; charset=utf-8; lang=en" "$got"

# --- the access log
sleep 0.2
line=$(grep -F "\"$U/posts/iran-school-opening-stoke-uprising\"" "$TMP/access.log" | head -n 1)
if printf '%s\n' "$line" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z gemini 127\.0\.0\.1 "[^"]+" 20 [0-9]+ [0-9]+$'; then
	ok gemini_access_log_line
else fail gemini_access_log_line "got [$line]"; fi
line=$(grep -c 'gemini 127.0.0.1 "\\xef\\xbb\\xbf' "$TMP/access.log")
check gemini_access_log_escapes_bytes "1" "$line"
alive gemini_alive_at_end
