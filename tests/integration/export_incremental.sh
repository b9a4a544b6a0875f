#!/usr/bin/env bash
# export_incremental.sh: a run of `capsule export` after changes renders
# only the pages they touch (from what the last run saved in the cache
# directory), and what it leaves in OUT is byte for byte what a fresh
# export of the same store writes: every file, its bytes, and MANIFEST.
# Each step changes the store one way (a body, a title, a date moving a
# post to another month and year, a new newest post, a new tag, a tag's
# spelling, a removal, a renamed file, an mtime put back, a picture, a
# file turned bad, the settings), exports again, and compares.
. "$(dirname "$0")/../lib.sh"

export LC_ALL=C
C=$TMP/content
OUT=$TMP/out
mkdir -p "$C"
cp "$ROOT/content/capsule.conf" "$C/"

# 260 posts: /posts/ has 3 pages, March 2021 two (120 posts), the tag
# Common six (every post), Odd three; a few posts have one tag of their own.
python3 - "$C" <<'PY'
import sys
c = sys.argv[1]
for i in range(260):
    if i < 120:
        date = "2021-03-%02d" % (1 + i % 28)
    elif i < 200:
        date = "2020-%02d-%02d" % (1 + i % 12, 1 + i % 28)
    else:
        date = "2019-%02d-10" % (1 + i % 12)
    tags = ["Common"] + (["Odd"] if i % 2 else []) + \
        (["Own %d" % i] if i % 37 == 0 else [])
    with open("%s/p-%03d.txt" % (c, i), "w") as f:
        f.write("Title: Post number %d\nDate: %s\nTags: %s\n\nBody of post %d.\n"
                "\n=> gemini://example.org/%d A link\n" % (i, date, ", ".join(tags), i, i))
PY

# step NAME: an incremental run into OUT, a fresh one into its own
# directory (its own cache: nothing saved), then both compared.
n=0
step() {
	local name=$1 fresh=$TMP/fresh-$n
	n=$((n + 1))
	if ! "$CAPSULE" export --content "$C" --out "$OUT" --hostname localhost \
	    >"$TMP/inc.out" 2>"$TMP/inc.err"; then
		fail "export_incremental_$name" "incremental run failed: $(cat "$TMP/inc.err")"
		return
	fi
	if ! CAPSULE_CACHE_DIR=$TMP/cache-fresh-$n "$CAPSULE" export --content "$C" \
	    --out "$fresh" --hostname localhost >"$TMP/fresh.out" 2>"$TMP/fresh.err"; then
		fail "export_incremental_$name" "fresh run failed: $(cat "$TMP/fresh.err")"
		return
	fi
	if diff -rq "$OUT" "$fresh" >"$TMP/diff" 2>&1; then
		ok "export_incremental_${name}_is_a_fresh_export"
	else
		fail "export_incremental_${name}_is_a_fresh_export" \
		    "$(wc -l <"$TMP/diff") differ: $(head -c 400 "$TMP/diff")"
	fi
	rm -rf "$fresh"
}

# rendered: how many pages the last incremental run rendered.
rendered() {
	sed -n 's/.*; \([0-9]*\) rendered.*/\1/p' "$TMP/inc.out"
}

step first_run
total=$(grep -c '' "$OUT/MANIFEST")

step nothing_changed
# Only the heads of the lists (home, /tags/, /posts/, years, the feed).
r=$(rendered)
if [ -n "$r" ] && [ "$r" -lt $((total / 10)) ]; then
	ok export_incremental_unchanged_store_renders_only_the_heads
else
	fail export_incremental_unchanged_store_renders_only_the_heads "$r of $total rendered"
fi

printf '\nA paragraph added.\n' >>"$C/p-150.txt"
step body_edited
r=$(rendered)
if [ -n "$r" ] && [ "$r" -lt $((total / 5)) ]; then
	ok export_incremental_one_change_renders_few_pages
else
	fail export_incremental_one_change_renders_few_pages "$r of $total rendered"
fi

sed -i '1s/.*/Title: A new title for 40/' "$C/p-040.txt"
step title_edited

# Out of March 2021 (its second page goes) into a year of its own.
sed -i 's/^Date: .*/Date: 2018-06-01/' "$C/p-005.txt"
step date_moved_to_a_new_year

printf 'Title: The newest\nDate: 2022-01-01\nTags: Common, Brand New\n\nNew.\n' >"$C/p-new.txt"
step newest_post_added_with_a_new_tag

# The newest post's spelling names the tag.
printf 'Title: Newer still\nDate: 2022-02-01\nTags: COMMON, odd\n\nNewer.\n' >"$C/p-newer.txt"
step tag_spelling_changes

rm "$C/p-000.txt"	# the only post of "Own 0"
step post_removed_with_its_tag

rm "$C/p-259.txt"	# the oldest: every feed's id is dated by it
step oldest_post_removed

mv "$C/p-100.txt" "$C/p-renamed.txt"	# same inode, size and mtime
step file_renamed

# The same size and mtime, other bytes: the ctime says so.
touch -r "$C/p-060.txt" "$TMP/stamp"
sed -i 's/Body of post 60\./Body of post 6X./' "$C/p-060.txt"
touch -r "$TMP/stamp" "$C/p-060.txt"
step mtime_put_back

sed -i 's/^Tags: .*/Tags: Odd, Fresh Tag/' "$C/p-070.txt"
step tags_changed

# A picture, and a post that shows it.
mkdir -p "$C/media/2021"
printf '\x89PNG\r\n\x1a\nnot really a picture' >"$C/media/2021/pic.png"
printf '\n=> /media/2021/pic.png A picture\n' >>"$C/p-080.txt"
step picture_added
printf '\x89PNG\r\n\x1a\nanother picture now' >"$C/media/2021/pic.png"
step picture_replaced

# A file that no longer parses: a fresh export leaves it out.
sed -i '/^Title:/d' "$C/p-090.txt"
step post_turned_bad
step post_still_bad
rm "$C/p-090.txt"
step bad_post_removed

sed -i 's/^Title: .*/Title: Another Capsule/' "$C/capsule.conf"
step settings_changed

# Several at once, the way a day of editing goes.
sed -i '1s/.*/Title: Retitled 120/' "$C/p-120.txt"
rm "$C/p-121.txt"
printf 'Title: Mid March\nDate: 2021-03-15\nTags: Odd\n\nMid.\n' >"$C/p-mid.txt"
step several_changes

# A damaged state is not trusted: the run renders everything, and is right.
for f in "$CAPSULE_CACHE_DIR"/*.docs; do
	printf 'garbage' | dd of="$f" bs=1 seek=40 conv=notrunc 2>/dev/null
done
sed -i '1s/.*/Title: After the damage/' "$C/p-130.txt"
step damaged_state
r=$(rendered)
check export_incremental_damaged_state_renders_everything "$((total - 10))" \
    "$(( r > total - 10 ? total - 10 : r ))"

# A MANIFEST changed by hand is not the one the state was made with.
sed -i '1d' "$OUT/MANIFEST"
sed -i '1s/.*/Title: After the hand edit/' "$C/p-131.txt"
step manifest_edited_by_hand
