#!/usr/bin/env bash
# clients.sh: the client matrix. Real clients read the live capsule and its
# static mirror (molly-brown and Gophernicus, tests/mirror.sh) as a person
# would, and the test asserts on the text they show: lynx and w3m in dump
# mode and curl for Gopher; amfora and bombadillo (Gemini), the UMN
# gopher client, and bombadillo and sacc for Gopher, driven in a detached
# tmux, so no terminal of its own is needed and it runs in CI. For each:
# the home page, /tags/, a tag page, a post, a link followed, search (live
# only: the mirror has none) and the feed; on screen: a long title whole
# on one line, no stray ".", no markup in search excerpts, no raw menu or
# gemtext syntax, curly quotes intact.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/mirror.sh"

export LANG=C.UTF-8 LC_ALL=C.UTF-8
TM="tmux -L capsule-clients-$$ -f /dev/null"
trap '$TM kill-server 2>/dev/null; stop_mirrors; stop_server; rm -rf "$TMP"' EXIT
SCREEN=$TMP/screen

TITLE="MEK Support: a tag archive"
# The longest title: 113 columns, with curly quotes.
LONG="2019-09-09 Newsweek,”Iran’s opposition Groups are Preparing for the Regime’s Collapse. Is Anyone Ready?” is False and Propaganda"
POST=/posts/iran-school-opening-stoke-uprising
POST_TITLE="Iran: School Opening Stoke Uprising"
POST_TEXT="Beginning the school year on 23rd Sep has always been the source of"
TAG=/tag/maryam-rajavi/
TAG_HEAD="8 posts tagged “Maryam Rajavi”."
QUERY=school
FOUND="1 post matches “school”."

missing=""
for c in lynx w3m curl tmux amfora bombadillo gopher sacc; do
	command -v "$c" >/dev/null || missing="$missing $c"
done
if [ -n "$missing$(mirror_servers_missing)" ]; then
	fail clients_are_installed "missing (make deps):$missing$(mirror_servers_missing)"
	exit 0
fi
ok clients_are_installed
if ! start_server; then
	fail clients_live_server_starts "$(tail -5 "$TMP/server.out")"
	exit 0
fi
if ! start_mirror "$TMP/mirror"; then
	fail clients_mirror_starts "$(tail -n 5 "$TMP/mirror-export.out" "$TMP/molly.out" "$TMP/socat.out" 2>&1)"
	exit 0
fi

# --- what a screen must and must not show; $WHO names client, side, page

show() { tr '\n' '|' <"$SCREEN" | tr -s ' ' | head -c 700; }
has() {
	if [ -z "$2" ]; then fail "${WHO}_$1" "nothing to look for"; return; fi
	if grep -qF -- "$2" "$SCREEN"; then ok "${WHO}_$1"; else
		fail "${WHO}_$1" "no [$2] on screen: $(show)"
	fi
}
hasnt() {
	if grep -qE -- "$2" "$SCREEN"; then
		fail "${WHO}_$1" "[$(grep -m1 -E -- "$2" "$SCREEN" | tr -s ' ')] on screen"
	else ok "${WHO}_$1"; fi
}
# A title whole on one line: what the issue found split at 67 columns.
whole_title() { has long_title_on_one_line "$LONG"; }
curly() { has curly_quotes_intact "Iran’s"; }
no_stray_dot() { hasnt no_stray_dot '^[[:space:]]*\.[[:space:]]*$'; }
# Menu lines or gemtext a client should have turned into links.
no_syntax() {
	hasnt no_raw_syntax $'\t|error\\.host|^=>|^[01379i](MEK Support|All posts|All tags|Atom feed|Home)\\b'
}
# Search excerpts are plain text: no heading, quote or link markup inside.
no_markup() { hasnt no_markup_in_excerpts '[^[:space:]#].*(## |=> |```)'; }

# --- Gopher in dump mode: lynx, w3m, curl

# dump CLIENT URL: what the client prints, in $SCREEN.
dump() {
	case $1 in
	# Wide, so that only a line the server broke shows broken.
	lynx) timeout 20 lynx -dump -width=1000 -assume_charset=utf-8 \
	    -display_charset=utf-8 "$2" ;;
	w3m) timeout 20 w3m -dump -cols 1000 -O UTF-8 \
	    -o display_link_number=1 "$2" ;;
	curl) timeout 20 curl -s "$2" ;;
	esac >"$SCREEN" 2>&1
}

gopher_dumps() {
	local side=$1 port=$2 c u
	for c in lynx w3m curl; do
		u="gopher://127.0.0.1:$port"
		WHO="${c}_${side}_home"
		dump $c "$u/1/"
		has title "$TITLE"
		whole_title
		curly
		[ $c = curl ] || no_syntax
		WHO="${c}_${side}_tags"
		dump $c "$u/1/tags/"
		has heading "All tags"
		has tag "Maryam Rajavi (8)"
		[ $c = curl ] || no_syntax
		WHO="${c}_${side}_tag"
		dump $c "$u/1$TAG"
		has heading "$TAG_HEAD"
		whole_title
		[ $c = curl ] || no_syntax
		WHO="${c}_${side}_post"
		dump $c "$u/0$POST"
		has title "$POST_TITLE"
		has text "$POST_TEXT"
		curly
		no_stray_dot
		# A link followed: the post's item on the tag page, as the
		# client itself names it.
		WHO="${c}_${side}_link"
		case $c in
		lynx|w3m) dump $c "$u/1$TAG"
			u2=$(grep -oE "gopher://[^ ]*/0$POST\$" "$SCREEN" | head -n 1) ;;
		curl) u2=$(curl -s "$u/1$TAG" | grep -F "	$POST	" | \
			head -n 1 | cut -f2)
			u2=${u2:+$u/0$u2} ;;
		esac
		if [ -z "$u2" ]; then
			fail "${WHO}_found" "no link to $POST on the tag page"
		else
			dump $c "$u2"
			has followed "$POST_TITLE"
		fi
		if [ "$side" = live ]; then
			WHO="${c}_${side}_search"
			dump $c "$u/7/search?$QUERY"
			has found "$FOUND"
			has result "$POST_TITLE"
			no_markup
			[ $c = curl ] || no_syntax
		fi
		WHO="${c}_${side}_feed"
		dump $c "$u/0/atom.xml"
		has is_atom '<feed xmlns="http://www.w3.org/2005/Atom"'
		has links_gopher "href=\"gopher://localhost:$port/0$POST\""
		hasnt no_gemini_links 'gemini://'
		curly
		no_stray_dot
	done
}

gopher_dumps live "$GOPH_PORT"
gopher_dumps mirror "$MGOPH"

# --- terminal clients in tmux

# One idle session keeps the tmux server up while clients come and go.
$TM new-session -d -s keep cat
# tm_run SESSION COMMAND: a detached 200x60 terminal running COMMAND.
tm_run() {
	$TM kill-session -t "$1" 2>/dev/null
	$TM new-session -d -s "$1" -x 200 -y 60 "$2"
}
# tm_wait SESSION TEXT...: until each TEXT is on the screen (20 s at
# most), which is then in $SCREEN; 1 when one never shows.
tm_wait() {
	local s=$1 i=0 t miss
	shift
	while [ $i -lt 100 ]; do
		$TM capture-pane -p -t "$s" >"$SCREEN" 2>/dev/null
		miss=""
		for t in "$@"; do
			grep -qF -- "$t" "$SCREEN" || miss=$t
		done
		[ -z "$miss" ] && return 0
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}
# tm_either SESSION A B: until A or B is on the screen; 0 for A, 1 for B.
tm_either() {
	local i=0
	while [ $i -lt 100 ]; do
		$TM capture-pane -p -t "$1" >"$SCREEN" 2>/dev/null
		grep -qF -- "$2" "$SCREEN" && return 0
		grep -qF -- "$3" "$SCREEN" && return 1
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}
# shows WHO SESSION TEXT...: waits, and fails naming what never showed.
shows() {
	WHO=$1
	local s=$2
	shift 2
	if tm_wait "$s" "$@"; then ok "${WHO}_shows_the_page"; return 0; fi
	fail "${WHO}_shows_the_page" "waited for [$*]: $(show)"
	return 1
}
# env for a client: a home of its own, a UTF-8 terminal.
client_env() {
	mkdir -p "$TMP/home-$1/.config"
	printf 'env HOME=%s XDG_CONFIG_HOME=%s/.config TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8' \
	    "$TMP/home-$1" "$TMP/home-$1"
}

# amfora SIDE PORT POST-PATH: one session, pages opened from its URL bar.
amfora_pages() {
	local side=$1 port=$2 post=$3 s=amfora-$1 u
	local e
	e=$(client_env "$s")
	u="gemini://localhost:$port"
	mkdir -p "$TMP/home-$s/.config/amfora"
	# Its pages otherwise wrap at 100 columns, whatever the terminal.
	printf '[a-general]\nmax_width = 200\n' \
	    >"$TMP/home-$s/.config/amfora/config.toml"
	tm_run "$s" "$e amfora $u/"
	if shows "amfora_${side}_home" "$s" "# $TITLE" "$u/"; then
		whole_title
		curly
		no_syntax
	fi
	# open URL: type it into the bar at the bottom.
	go() { $TM send-keys -t "$s" Space; sleep 0.3; $TM send-keys -t "$s" "$1" Enter; }
	go "$u/tags/"
	shows "amfora_${side}_tags" "$s" "# All tags" "Maryam Rajavi (8)" "$u/tags/" &&
	    no_syntax
	go "$u$TAG"
	if shows "amfora_${side}_tag" "$s" "$TAG_HEAD" "$u$TAG"; then
		whole_title
		no_syntax
	fi
	go "$u$post"
	if shows "amfora_${side}_post" "$s" "# $POST_TITLE" "$POST_TEXT" "$u$post"; then
		curly
		no_stray_dot
		no_syntax
	fi
	# Link 1 of the post is its first tag.
	go 1
	if shows "amfora_${side}_link" "$s" "# Maryam Rajavi" "$TAG_HEAD"; then
		whole_title
	fi
	if [ "$side" = live ]; then
		go "$u/search?$QUERY"
		if shows "amfora_${side}_search" "$s" "$FOUND" "$POST_TITLE"; then
			no_markup
			no_syntax
		fi
	fi
	# The feed: amfora offers to subscribe; its page then lists the posts.
	go "$u/atom.xml"
	if shows "amfora_${side}_feed_offer" "$s" "subscribe to this feed"; then
		$TM send-keys -t "$s" Enter
		sleep 0.5
		go "about:subscriptions"
		shows "amfora_${side}_subscribed" "$s" "# Subscriptions" \
		    "$TITLE (Staff Writer) - $POST_TITLE" && curly
	fi
	$TM kill-session -t "$s" 2>/dev/null
}

amfora_pages live "$GEM_PORT" "$POST"
amfora_pages mirror "$MGEM" "$POST.gmi"
# What amfora pinned is the key print capsule gave at start-up.
WHO=amfora_live
SCREEN=$TMP/home-amfora-live/.cache/amfora/tofu.toml
has pins_the_key_capsule_printed "$(sed -n 's/.*key SHA-256 (amfora): //p' "$TMP/server.out")"
SCREEN=$TMP/screen

# bombadillo_ini SESSION: its pages otherwise wrap at 100 columns, and a
# file it saves would go to the real home.
bombadillo_ini() {
	printf '[SETTINGS]\nmaxwidth=200\nsavelocation=%s\n' "$TMP/home-$1" \
	    >"$TMP/home-$1/.config/.bombadillo.ini"
}

# bombadillo SIDE PORT POST-PATH: a session a page, as when a URL is given.
bombadillo_pages() {
	local side=$1 port=$2 post=$3 s=bombadillo-$1 u e
	e=$(client_env "$s")
	u="gemini://localhost:$port"
	bombadillo_ini "$s"
	tm_run "$s" "$e bombadillo $u/"
	if shows "bombadillo_${side}_home" "$s" "# $TITLE" "$u/"; then
		whole_title
		curly
		no_syntax
	fi
	tm_run "$s" "$e bombadillo $u/tags/"
	shows "bombadillo_${side}_tags" "$s" "# All tags" "Maryam Rajavi (8)" &&
	    no_syntax
	tm_run "$s" "$e bombadillo $u$TAG"
	if shows "bombadillo_${side}_tag" "$s" "$TAG_HEAD"; then
		whole_title
		no_syntax
	fi
	tm_run "$s" "$e bombadillo $u$post"
	if shows "bombadillo_${side}_post" "$s" "# $POST_TITLE" "$POST_TEXT"; then
		curly
		no_stray_dot
		no_syntax
	fi
	# Link 1 of the post is its first tag.
	$TM send-keys -t "$s" :
	sleep 0.3
	$TM send-keys -t "$s" 1 Enter
	shows "bombadillo_${side}_link" "$s" "# Maryam Rajavi" "$TAG_HEAD" &&
	    whole_title
	if [ "$side" = live ]; then
		tm_run "$s" "$e bombadillo '$u/search?$QUERY'"
		if shows "bombadillo_${side}_search" "$s" "$FOUND" "$POST_TITLE"; then
			no_markup
			no_syntax
		fi
	fi
	# A feed is a file to bombadillo: it saves it.
	tm_run "$s" "$e bombadillo $u/atom.xml"
	shows "bombadillo_${side}_feed" "$s" "File saved to" &&
	    SCREEN=$TMP/home-$s/atom.xml has saved_feed_links_the_port \
	    "href=\"$u$post\""
	SCREEN=$TMP/screen
	$TM send-keys -t "$s" :
	sleep 0.3
	$TM send-keys -t "$s" quit Enter
	sleep 0.5
	$TM kill-session -t "$s" 2>/dev/null
}

bombadillo_pages live "$GEM_PORT" "$POST"
bombadillo_pages mirror "$MGEM" "$POST.gmi"
# What bombadillo pinned is the certificate print capsule gave at start-up.
WHO=bombadillo_live
SCREEN=$TMP/home-bombadillo-live/.config/.bombadillo.ini
has pins_the_certificate_capsule_printed "localhost=$(sed -n 's/.*certificate SHA-1 (bombadillo): //p' "$TMP/server.out")|"
SCREEN=$TMP/screen

# gopher SIDE PORT: the UMN client, which opens a server with Gopher+
# ("TAB $"). It draws with narrow curses, so it shows UTF-8 as "~@~": no
# curly quotes here, and the long title is matched by its ASCII words.
gopher_pages() {
	local side=$1 port=$2 s=gopher-$1 e n
	local long_ascii="Collapse. Is Anyone Ready?"
	e=$(client_env "$s")
	# open SELECTOR [TYPE]: a new client at that item.
	open() {
		tm_run "$s" "$e gopher -p '$1' ${2:+-T $2} localhost $port"
	}
	tm_run "$s" "$e gopher localhost $port"
	# Its first run shows a welcome screen that waits for RETURN.
	tm_either "$s" "Press RETURN to continue" "Press ? for Help" &&
	    $TM send-keys -t "$s" Enter
	# Gophernicus answers the opening "TAB \$" with one item, "Main
	# menu", which the reader then opens; capsule sends the menu itself.
	if [ "$side" = mirror ] && tm_wait "$s" "Main menu/"; then
		$TM send-keys -t "$s" Enter
	fi
	if shows "gopher_${side}_home" "$s" "$TITLE" "All posts/" "Atom feed"; then
		has long_title_on_one_line "$long_ascii"
		has long_title_whole "is False and Propaganda"
		hasnt long_title_not_split "^ +Anyone Ready|^ +is False and"
		no_syntax
	fi
	open /tags/
	shows "gopher_${side}_tags" "$s" "All tags" "Maryam Rajavi (8)/" && no_syntax
	# A link followed: the tag's item, by the number the client gives it.
	n=$(grep -oE '\[[0-9]+\] +Maryam Rajavi \(8\)' "$SCREEN" | grep -oE '[0-9]+' | head -n 1)
	$TM send-keys -t "$s" "$n" Enter
	if shows "gopher_${side}_link" "$s" "8 posts tagged" "$long_ascii"; then
		has long_title_whole "is False and Propaganda"
		no_syntax
	fi
	open "$TAG"
	shows "gopher_${side}_tag" "$s" "8 posts tagged" "$POST_TITLE" && no_syntax
	open "$POST" 0
	if shows "gopher_${side}_post" "$s" "$POST_TITLE" "$POST_TEXT"; then
		no_stray_dot
	fi
	if [ "$side" = live ]; then
		tm_run "$s" "$e gopher -p /search -T 7 -i $QUERY localhost $port"
		if shows "gopher_${side}_search" "$s" "post matches" "$POST_TITLE"; then
			no_markup
			no_syntax
		fi
	fi
	open /atom.xml 0
	shows "gopher_${side}_feed" "$s" '<feed xmlns="http://www.w3.org/2005/Atom"' \
	    "gopher://localhost:$port/" && no_stray_dot
	$TM kill-session -t "$s" 2>/dev/null
}

gopher_pages live "$GOPH_PORT"
gopher_pages mirror "$MGOPH"

# bombadillo and sacc read Gopher too: the menus, and the end of a post,
# where a closing "." used to show.
gopher_tui_pages() {
	local side=$1 port=$2 s e u="gopher://localhost:$2"
	s=bombadillo-gopher-$side
	e=$(client_env "$s")
	bombadillo_ini "$s"
	tm_run "$s" "$e bombadillo $u/1/"
	if shows "bombadillo_gopher_${side}_home" "$s" "$TITLE" "All posts"; then
		whole_title
		curly
		no_syntax
	fi
	tm_run "$s" "$e bombadillo $u/1$TAG"
	if shows "bombadillo_gopher_${side}_tag" "$s" "$TAG_HEAD"; then
		whole_title
		no_syntax
	fi
	tm_run "$s" "$e bombadillo $u/0$POST"
	if shows "bombadillo_gopher_${side}_post" "$s" "$POST_TITLE"; then
		$TM send-keys -t "$s" G
		shows "bombadillo_gopher_${side}_post_end" "$s" \
		    "organization of Iran, PMOI" && no_stray_dot
	fi
	$TM kill-session -t "$s" 2>/dev/null
	s=sacc-$side
	e=$(client_env "$s")
	tm_run "$s" "$e sacc $u/1/"
	if shows "sacc_${side}_home" "$s" "$TITLE" "All posts"; then
		whole_title
		curly
		no_syntax
	fi
	tm_run "$s" "$e sacc $u/1$TAG"
	if shows "sacc_${side}_tag" "$s" "$TAG_HEAD"; then
		whole_title
		no_syntax
	fi
	$TM kill-session -t "$s" 2>/dev/null
}

gopher_tui_pages live "$GOPH_PORT"
gopher_tui_pages mirror "$MGOPH"
alive clients_live_server_survives
