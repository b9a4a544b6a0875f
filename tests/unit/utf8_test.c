/* utf8_test.c: validation, decoding, columns and wrapping. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "test.h"
#include "utf8.h"

#define S(lit) (lit), (sizeof(lit) - 1)

TEST(utf8_valid_accepts_well_formed_text)
{
	CHECK(utf8_valid(S("")));
	CHECK(utf8_valid(S("plain ASCII")));
	CHECK(utf8_valid(S("\xe2\x80\x9cIran\xe2\x80\x99s\xe2\x80\x9d")));
	CHECK(utf8_valid(S("caf\xc3\xa9 \xc2\xa0 \xe6\xbc\xa2\xe5\xad\x97")));
	CHECK(utf8_valid(S("\xc2\x80")));		/* U+0080 */
	CHECK(utf8_valid(S("\xdf\xbf")));		/* U+07FF */
	CHECK(utf8_valid(S("\xe0\xa0\x80")));		/* U+0800 */
	CHECK(utf8_valid(S("\xed\x9f\xbf")));		/* U+D7FF */
	CHECK(utf8_valid(S("\xee\x80\x80")));		/* U+E000 */
	CHECK(utf8_valid(S("\xef\xbf\xbf")));		/* U+FFFF */
	CHECK(utf8_valid(S("\xf0\x90\x80\x80")));	/* U+10000 */
	CHECK(utf8_valid(S("\xf4\x8f\xbf\xbf")));	/* U+10FFFF */
	/* NUL is valid UTF-8; the parsers refuse it themselves. */
	CHECK(utf8_valid(S("a\0b")));
}

TEST(utf8_valid_rejects_overlongs_surrogates_and_past_unicode)
{
	/* Overlong forms. */
	CHECK(!utf8_valid(S("\xc0\x80")));
	CHECK(!utf8_valid(S("\xc1\xbf")));
	CHECK(!utf8_valid(S("\xe0\x80\x80")));
	CHECK(!utf8_valid(S("\xe0\x9f\xbf")));
	CHECK(!utf8_valid(S("\xf0\x80\x80\x80")));
	CHECK(!utf8_valid(S("\xf0\x8f\xbf\xbf")));
	CHECK(!utf8_valid(S("a\xc0\xafz")));
	/* UTF-16 surrogates. */
	CHECK(!utf8_valid(S("\xed\xa0\x80")));
	CHECK(!utf8_valid(S("\xed\xbf\xbf")));
	CHECK(!utf8_valid(S("\xed\xa0\xbd\xed\xb8\x80")));
	/* Past U+10FFFF, and lead bytes that cannot start anything. */
	CHECK(!utf8_valid(S("\xf4\x90\x80\x80")));
	CHECK(!utf8_valid(S("\xf7\xbf\xbf\xbf")));
	CHECK(!utf8_valid(S("\xf8\x88\x80\x80\x80")));
	CHECK(!utf8_valid(S("\xfc\x84\x80\x80\x80\x80")));
	CHECK(!utf8_valid(S("\xfe")));
	CHECK(!utf8_valid(S("\xff")));
}

TEST(utf8_valid_rejects_truncated_and_stray_bytes)
{
	CHECK(!utf8_valid(S("\xc3")));
	CHECK(!utf8_valid(S("caf\xc3")));
	CHECK(!utf8_valid(S("\xe2\x80")));
	CHECK(!utf8_valid(S("\xe2\x80 x")));
	CHECK(!utf8_valid(S("\xf0\x9f\x98")));
	CHECK(!utf8_valid(S("\x80")));
	CHECK(!utf8_valid(S("a\xbfz")));
	CHECK(!utf8_valid(S("\xc3\xa9\xa9")));
	/* A valid sequence cut short by len is truncated too. */
	CHECK(!utf8_valid("\xe2\x80\x99", 2));
	CHECK(utf8_valid("\xe2\x80\x99", 3));
}

TEST(utf8_decode_and_encode_round_trip)
{
	static const uint32_t cps[] = { 0, 0x41, 0x7f, 0x80, 0xe9, 0x7ff,
	    0x800, 0x2019, 0x6f22, 0xd7ff, 0xe000, 0xfffd, 0xffff, 0x10000,
	    0x1f600, 0x10ffff };
	char enc[4];
	uint32_t cp;
	size_t i, n;

	for (i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
		n = utf8_encode(cps[i], enc);
		CHECK(n == (cps[i] < 0x80 ? 1 : cps[i] < 0x800 ? 2 :
		    cps[i] < 0x10000 ? 3 : 4));
		CHECK(utf8_decode(enc, n, &cp) == n);
		CHECK(cp == cps[i]);
		CHECK(utf8_decode(enc, n - 1, &cp) == 0);
	}
	CHECK(utf8_decode(S("\xe2\x80\x99rest"), &cp) == 3);
	CHECK(cp == 0x2019);
	CHECK(utf8_decode(S("\xc0\x80"), &cp) == 0);
	CHECK(utf8_decode(S("\xed\xa0\x80"), &cp) == 0);
	CHECK(utf8_decode(S("\xf4\x90\x80\x80"), &cp) == 0);
	CHECK(utf8_decode(S("\xe2\x28\xa1"), &cp) == 0);
}

TEST(utf8_columns_counts_wide_and_combining_characters)
{
	CHECK(utf8_columns(S("")) == 0);
	CHECK(utf8_columns(S("abc")) == 3);
	CHECK(utf8_columns(S("\xe2\x80\x9cq\xe2\x80\x9d")) == 3);
	CHECK(utf8_columns(S("\xe6\xbc\xa2\xe5\xad\x97")) == 4); /* 漢字 */
	CHECK(utf8_columns(S("e\xcc\x81")) == 1);		/* e + U+0301 */
	CHECK(utf8_columns(S("\xea\xb0\x80")) == 2);		/* 가 */
	CHECK(utf8_columns(S("\xef\xbc\xa1")) == 2);		/* Ａ */
	CHECK(utf8_columns(S("\xf0\x9f\x98\x80")) == 2);	/* 😀 */
	CHECK(utf8_columns(S("a\xe2\x80\x8b" "b")) == 2);	/* ZWSP */
	/* A stray byte still takes a column, so nothing is lost. */
	CHECK(utf8_columns(S("a\xffz")) == 3);
}

/* Collects utf8_wrap's lines. */
struct lines {
	size_t	 n;
	char	*line[512];
	size_t	 len[512];
};

static int
collect(void *arg, const char *s, size_t n)
{
	struct lines *l = arg;

	if (l->n == 512)
		return 1;
	l->line[l->n] = malloc(n + 1);
	memcpy(l->line[l->n], s, n);
	l->line[l->n][n] = '\0';
	l->len[l->n] = n;
	l->n++;
	return 0;
}

static void
lines_free(struct lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->line[i]);
	l->n = 0;
}

/* 1 when a line starts with a combining mark (it was split off its base). */
static int
starts_with_mark(const char *s, size_t n)
{
	uint32_t cp;

	return utf8_decode(s, n, &cp) > 0 && cp >= 0x300 && cp <= 0x36f;
}

/*
 * Wraps text at cols and checks what every wrap must give: lines of at
 * most cols columns, each valid UTF-8, none starting or ending with a
 * space or a stray combining mark, and, joined with joiner, the text.
 */
static int
wrap_ok(const char *text, size_t cols, const char *joiner)
{
	struct lines l = { 0 };
	struct buf j;
	size_t i;
	int ok = 1;

	buf_init(&j);
	if (utf8_wrap(text, strlen(text), cols, collect, &l) != 0)
		ok = 0;
	for (i = 0; i < l.n; i++) {
		if (utf8_columns(l.line[i], l.len[i]) > cols ||
		    !utf8_valid(l.line[i], l.len[i]) || l.len[i] == 0 ||
		    l.line[i][0] == ' ' || l.line[i][l.len[i] - 1] == ' ' ||
		    starts_with_mark(l.line[i], l.len[i])) {
			printf("    bad line %zu at %zu cols: \"%s\"\n", i,
			    cols, l.line[i]);
			ok = 0;
		}
		if (i > 0)
			buf_puts(&j, joiner);
		buf_add(&j, l.line[i], l.len[i]);
	}
	if (strcmp(j.data ? j.data : "", text) != 0) {
		printf("    rejoined: \"%s\"\n", j.data ? j.data : "");
		ok = 0;
	}
	buf_free(&j);
	lines_free(&l);
	return ok;
}

static const char wrap_ascii[] =
    "The Iranian regime poses a threat to peace and stability in the "
    "Middle East and across the world, and Europe should support the "
    "main Iranian Opposition as the democratic alternative to the "
    "mullahs' clerical dictatorship, writes former Irish Member of "
    "Parliament John Perry in an op-ed for the Eurasia Review.";

static const char wrap_quotes[] =
    "\xe2\x80\x9cToday, the mullahs have clamped down on and enchained "
    "every school and university by the numerous criminals who represent "
    "[the regime\xe2\x80\x99s Supreme Leader Ali] Khamenei, and by "
    "multitudes of agencies\xe2\x80\x9d \xe2\x80\x94 she said \xc2\xb7 "
    "caf\xc3\xa9 na\xc3\xafve r\xc3\xa9sum\xc3\xa9 \xc2\xa0" "end.";

/* CJK words (two columns a character) among ASCII ones. */
static const char wrap_cjk[] =
    "\xe4\xbc\x8a\xe6\x9c\x97\xe7\x9a\x84\xe5\xad\xa6\xe7\x94\x9f "
    "\xe5\x92\x8c\xe6\x95\x99\xe5\xb8\x88 are rising "
    "\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97 up to build a free "
    "\xea\xb0\x80\xeb\x82\x98\xeb\x8b\xa4\xeb\x9d\xbc\xeb\xa7\x88 Iran for "
    "tomorrow \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xae\xe6\x96\x87 "
    "\xe7\xab\xa0 and \xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3 the end.";

/* Every vowel carries a combining acute accent (U+0301). */
static const char wrap_marks[] =
    "Cro\xcc\x81ss-pa\xcc\x81rty MPs a\xcc\x81t the Unite\xcc\x81"
    "d Ki\xcc\x81ngdom Pa\xcc\x81rliame\xcc\x81nt ha\xcc\x81ve u\xcc\x81"
    "sed a\xcc\x81n Ea\xcc\x81rly Da\xcc\x81y Mo\xcc\x81tio\xcc\x81n to "
    "ra\xcc\x81ise a\xcc\x81tte\xcc\x81ntio\xcc\x81n.";

TEST(utf8_wrap_long_ascii_line_fits_and_rejoins)
{
	size_t cols;

	/* From the longest word ("dictatorship,") up. */
	for (cols = 13; cols <= 80; cols++)
		CHECK(wrap_ok(wrap_ascii, cols, " "));
}

TEST(utf8_wrap_curly_quotes_and_accents_count_one_column)
{
	struct lines l = { 0 };
	size_t cols;

	for (cols = 12; cols <= 80; cols++)
		CHECK(wrap_ok(wrap_quotes, cols, " "));
	/* 70 columns hold more than 70 bytes of such text. */
	CHECK(utf8_wrap(wrap_quotes, strlen(wrap_quotes), 70, collect, &l) ==
	    0);
	CHECK(l.n >= 2);
	CHECK(utf8_columns(l.line[0], l.len[0]) > 60);
	lines_free(&l);
}

TEST(utf8_wrap_wide_cjk_characters_take_two_columns)
{
	struct lines l = { 0 };
	size_t cols, i;

	for (cols = 12; cols <= 80; cols++)
		CHECK(wrap_ok(wrap_cjk, cols, " "));
	CHECK(utf8_wrap(wrap_cjk, strlen(wrap_cjk), 20, collect, &l) == 0);
	for (i = 0; i < l.n; i++)
		CHECK(utf8_columns(l.line[i], l.len[i]) <= 20);
	lines_free(&l);
}

TEST(utf8_wrap_keeps_combining_marks_with_their_base)
{
	size_t cols;

	for (cols = 11; cols <= 80; cols++)
		CHECK(wrap_ok(wrap_marks, cols, " "));
}

TEST(utf8_wrap_cuts_a_word_longer_than_the_width_between_characters)
{
	struct lines l = { 0 };
	size_t i;

	/* ASCII: pieces of exactly the width, the last one shorter. */
	CHECK(utf8_wrap(S("abcdefghijklmnopqrstuvwxyz"), 10, collect, &l) ==
	    0);
	CHECK(l.n == 3);
	CHECK_STR(l.line[0], "abcdefghij");
	CHECK_STR(l.line[1], "klmnopqrst");
	CHECK_STR(l.line[2], "uvwxyz");
	lines_free(&l);
	/* A long word after a short one starts on its own line. */
	CHECK(utf8_wrap(S("ab cdefghijklmn"), 5, collect, &l) == 0);
	CHECK(l.n == 4);
	CHECK_STR(l.line[0], "ab");
	CHECK_STR(l.line[1], "cdefg");
	CHECK_STR(l.line[2], "hijkl");
	CHECK_STR(l.line[3], "mn");
	lines_free(&l);
	/* Multi-byte: the cut falls between characters, never inside one. */
	CHECK(utf8_wrap(S("\xe2\x80\x9c\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	    "\xc3\xa9\xe2\x80\x9d"), 3, collect, &l) == 0);
	CHECK(l.n == 3);
	CHECK_STR(l.line[0], "\xe2\x80\x9c\xc3\xa9\xc3\xa9");
	CHECK_STR(l.line[1], "\xc3\xa9\xc3\xa9\xc3\xa9");
	CHECK_STR(l.line[2], "\xc3\xa9\xe2\x80\x9d");
	lines_free(&l);
	/* Wide: 5 columns hold two CJK characters, not two and a half. */
	CHECK(utf8_wrap(S("\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97"
	    "\xe6\xbc\xa2"), 5, collect, &l) == 0);
	CHECK(l.n == 3);
	for (i = 0; i < l.n; i++) {
		CHECK(utf8_valid(l.line[i], l.len[i]));
		CHECK(utf8_columns(l.line[i], l.len[i]) <= 5);
	}
	CHECK(l.len[0] == 6 && l.len[1] == 6 && l.len[2] == 3);
	lines_free(&l);
	/* Combining marks stay on the line of their base character. */
	CHECK(utf8_wrap(S("e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81"
	    "e\xcc\x81"), 2, collect, &l) == 0);
	CHECK(l.n == 3);
	CHECK_STR(l.line[0], "e\xcc\x81" "e\xcc\x81");
	CHECK_STR(l.line[2], "e\xcc\x81");
	lines_free(&l);
}

TEST(utf8_wrap_breaks_at_space_runs_and_drops_them)
{
	struct lines l = { 0 };

	CHECK(utf8_wrap(S("aaaa    bbbb"), 6, collect, &l) == 0);
	CHECK(l.n == 2);
	CHECK_STR(l.line[0], "aaaa");
	CHECK_STR(l.line[1], "bbbb");
	lines_free(&l);
	/* Text that fits is passed whole, spaces and all. */
	CHECK(utf8_wrap(S("a  b"), 10, collect, &l) == 0);
	CHECK(l.n == 1);
	CHECK_STR(l.line[0], "a  b");
	lines_free(&l);
	/* Nothing in, no lines out. */
	CHECK(utf8_wrap("", 0, 10, collect, &l) == 0);
	CHECK(l.n == 0);
}

TEST(utf8_wrap_never_passes_the_width_with_trailing_spaces)
{
	struct lines l = { 0 };
	size_t i;

	CHECK(utf8_wrap(S("aaaa bbbb      "), 4, collect, &l) == 0);
	for (i = 0; i < l.n; i++) {
		if (utf8_columns(l.line[i], l.len[i]) > 4)
			printf("    line %zu: \"%s\"\n", i, l.line[i]);
		CHECK(utf8_columns(l.line[i], l.len[i]) <= 4);
	}
	CHECK(l.n == 2);
	CHECK_STR(l.line[1], "bbbb");
	lines_free(&l);
}

TEST(utf8_wrap_stops_when_the_callback_says_so)
{
	struct lines l = { 0 };

	l.n = 511;	/* collect() refuses the 513th line: room for one */
	CHECK(utf8_wrap(S("aa bb cc dd"), 2, collect, &l) == 1);
	CHECK(l.n == 512);
	free(l.line[511]);
}
