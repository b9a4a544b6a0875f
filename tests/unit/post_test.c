/* post_test.c: the post header parser, good files and bad ones. */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "post.h"
#include "test.h"

/* Parses text (len bytes) as the file "slug.txt". */
static int
parse_n(struct arena *a, const char *slug, const char *text, size_t len,
    struct post *p, struct post_error *e)
{
	return post_parse(a, slug, text, len, p, e);
}

static int
parse(struct arena *a, const char *text, struct post *p,
    struct post_error *e)
{
	return parse_n(a, "a-post", text, strlen(text), p, e);
}

/* Expects text to be refused at line with a message containing msg. */
static int
refused_at(const char *text, size_t len, int line, const char *msg)
{
	struct arena a;
	struct post p;
	struct post_error e;
	int rc, ok;

	arena_init(&a);
	rc = parse_n(&a, "a-post", text, len, &p, &e);
	ok = rc == -1 && e.line == line && strstr(e.msg, msg) != NULL;
	if (!ok)
		printf("    rc %d, line %d (want %d), msg \"%s\" "
		    "(want \"%s\")\n", rc, e.line, line, e.msg, msg);
	arena_free(&a);
	return ok;
}

#define REFUSED(text, line, msg) refused_at((text), strlen(text), (line), (msg))

TEST(post_parses_a_complete_file)
{
	struct arena a;
	struct post p;
	struct post_error e;

	arena_init(&a);
	CHECK(parse(&a,
	    "Title: A title: with a colon\n"
	    "Date: 2019-09-23\n"
	    "Author: Staff Writer\n"
	    "Tags: MEK, MEK Support\n"
	    "Image: A photo\n"
	    "\n"
	    "First paragraph.\n"
	    "\n"
	    "Second: with a colon.\n", &p, &e) == 0);
	CHECK_STR(p.title, "A title: with a colon");
	CHECK_STR(p.date, "2019-09-23");
	CHECK_STR(p.author, "Staff Writer");
	CHECK_STR(p.slug, "a-post");
	CHECK(p.ntags == 2);
	CHECK_STR(p.tags[0], "MEK");
	CHECK_STR(p.tags[1], "MEK Support");
	CHECK(p.nimages == 1);
	CHECK_STR(p.images[0], "A photo");
	CHECK_MEM(p.body, p.body_len,
	    "First paragraph.\n\nSecond: with a colon.");
	CHECK(p.body[p.body_len] == '\0');
	arena_free(&a);
}

TEST(post_author_tags_and_images_are_optional)
{
	struct arena a;
	struct post p;
	struct post_error e;

	arena_init(&a);
	CHECK(parse(&a, "Title: T\nDate: 2020-02-29\n\nBody\n", &p, &e) == 0);
	CHECK_STR(p.author, "");
	CHECK(p.ntags == 0);
	CHECK(p.nimages == 0);
	CHECK_MEM(p.body, p.body_len, "Body");
	arena_free(&a);
}

TEST(post_header_keys_are_case_insensitive_and_values_trimmed)
{
	struct arena a;
	struct post p;
	struct post_error e;

	arena_init(&a);
	CHECK(parse(&a, "title:   Spaced out \t\nDATE:2019-01-01\n\nx", &p,
	    &e) == 0);
	CHECK_STR(p.title, "Spaced out");
	CHECK_STR(p.date, "2019-01-01");
	arena_free(&a);
}

TEST(post_rejects_missing_title)
{
	CHECK(REFUSED("Date: 2019-01-01\n\nBody\n", 1, "missing Title"));
}

TEST(post_rejects_missing_date)
{
	CHECK(REFUSED("Title: T\nAuthor: A\n\nBody\n", 1, "missing Date"));
}

TEST(post_rejects_impossible_date_2019_02_30)
{
	CHECK(REFUSED("Title: T\nDate: 2019-02-30\n\nBody\n", 2,
	    "2019-02-30"));
	CHECK(REFUSED("Title: T\nDate: 2019-9-23\n\nBody\n", 2,
	    "YYYY-MM-DD"));
	CHECK(REFUSED("Title: T\nDate: 23/09/2019\n\nBody\n", 2,
	    "YYYY-MM-DD"));
}

TEST(post_valid_date_knows_the_calendar)
{
	static const struct {
		const char	*date;
		int		 valid;
	} cases[] = {
		{ "2019-09-23", 1 }, { "2019-02-28", 1 }, { "2020-02-29", 1 },
		{ "2000-02-29", 1 }, { "1900-02-29", 0 }, { "2019-02-29", 0 },
		{ "2019-02-30", 0 }, { "2019-04-31", 0 }, { "2019-12-31", 1 },
		{ "2019-13-01", 0 }, { "2019-00-10", 0 }, { "2019-01-00", 0 },
		{ "0000-01-01", 0 }, { "2019-1-01", 0 }, { "2019-01-011", 0 },
		{ "2019/01/01", 0 }, { "", 0 }, { "2019", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (post_valid_date(cases[i].date) != cases[i].valid)
			printf("    date \"%s\"\n", cases[i].date);
		CHECK(post_valid_date(cases[i].date) == cases[i].valid);
	}
}

TEST(post_rejects_empty_title_and_date)
{
	CHECK(REFUSED("Title:   \nDate: 2019-01-01\n\n", 1, "empty Title"));
	CHECK(REFUSED("Title: T\nDate:\n\n", 2, "empty Date"));
	CHECK(REFUSED("Title: T\nDate: 2019-01-01\nImage: \n\n", 3,
	    "empty Image"));
}

TEST(post_rejects_unknown_header_key)
{
	CHECK(REFUSED("Title: T\nDate: 2019-01-01\nSubtitle: S\n\nBody\n", 3,
	    "unknown header \"Subtitle\""));
}

TEST(post_rejects_bad_characters_in_a_key)
{
	CHECK(REFUSED("Title: T\nSub title: S\n\n", 2, "bad header key"));
	CHECK(REFUSED("Title: T\n: no key\n\n", 2, "Key: value"));
}

TEST(post_rejects_repeated_title)
{
	CHECK(REFUSED("Title: T\nDate: 2019-01-01\nTitle: U\n\nBody\n", 3,
	    "repeated Title"));
}

TEST(post_rejects_repeated_date_author_and_tags)
{
	CHECK(REFUSED("Title: T\nDate: 2019-01-01\nDate: 2019-01-02\n\n", 3,
	    "repeated Date"));
	CHECK(REFUSED("Title: T\nDate: 2019-01-01\nAuthor: A\nAuthor: B\n\n",
	    4, "repeated Author"));
	CHECK(REFUSED("Title: T\nDate: 2019-01-01\nTags: a\nTags: b\n\n", 4,
	    "repeated Tags"));
}

TEST(post_rejects_body_line_without_blank_separator)
{
	CHECK(REFUSED("Title: T\nDate: 2019-01-01\nThe body starts here\n", 3,
	    "blank line"));
}

TEST(post_rejects_overlong_header_line)
{
	char text[POST_MAX_HEADER + 64];
	size_t n;

	/* Exactly POST_MAX_HEADER bytes is still a header line. */
	n = (size_t)snprintf(text, sizeof(text), "Title: ");
	memset(text + n, 'x', POST_MAX_HEADER - n);
	n = POST_MAX_HEADER;
	n += (size_t)snprintf(text + n, sizeof(text) - n,
	    "\nDate: 2019-01-01\n\n");
	{
		struct arena a;
		struct post p;
		struct post_error e;

		arena_init(&a);
		CHECK(parse_n(&a, "x", text, n, &p, &e) == 0);
		CHECK(strlen(p.title) == POST_MAX_HEADER - 7);
		arena_free(&a);
	}
	/* One byte more is refused on its own line. */
	n = (size_t)snprintf(text, sizeof(text), "Date: 2019-01-01\nTitle: ");
	memset(text + n, 'y', POST_MAX_HEADER + 1 - 7);
	n += POST_MAX_HEADER + 1 - 7;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\n\nbody\n");
	CHECK(refused_at(text, n, 2, "longer than"));
}

TEST(post_reports_invalid_utf8_on_its_line)
{
	CHECK(REFUSED("Title: T\nDate: 2019-01-01\n\none\ntwo\nth\xffree\n", 6,
	    "invalid UTF-8"));
	CHECK(REFUSED("Title: caf\xc3\n2019-01-01\n", 1, "invalid UTF-8"));
	/* Overlong forms and surrogates are refused like stray bytes. */
	CHECK(REFUSED("Title: T\nDate: 2019-01-01\n\n\xc0\x80\n", 4,
	    "invalid UTF-8"));
	CHECK(REFUSED("Title: T\nDate: 2019-01-01\n\nok\n\xed\xa0\x80\n", 5,
	    "invalid UTF-8"));
}

TEST(post_rejects_nul_byte_with_its_line)
{
	static const char text[] = "Title: T\nDate: 2019-01-01\n\nbo\0dy\n";

	CHECK(refused_at(text, sizeof(text) - 1, 4, "NUL"));
}

TEST(post_accepts_crlf_line_ends)
{
	struct arena a;
	struct post p;
	struct post_error e;

	arena_init(&a);
	CHECK(parse(&a, "Title: T\r\nDate: 2019-01-01\r\nTags: a, b\r\n\r\n"
	    "one\r\n\r\ntwo\r\n", &p, &e) == 0);
	CHECK_STR(p.title, "T");
	CHECK_STR(p.date, "2019-01-01");
	CHECK(p.ntags == 2);
	CHECK_STR(p.tags[1], "b");
	CHECK_MEM(p.body, p.body_len, "one\n\ntwo");
	arena_free(&a);
	/* And line numbers still count lines. */
	CHECK(REFUSED("Title: T\r\nDate: 2019-02-30\r\n\r\n", 2, "Date"));
}

TEST(post_accepts_byte_order_mark)
{
	struct arena a;
	struct post p;
	struct post_error e;

	arena_init(&a);
	CHECK(parse(&a, "\xef\xbb\xbfTitle: T\nDate: 2019-01-01\n\nBody", &p,
	    &e) == 0);
	CHECK_STR(p.title, "T");
	arena_free(&a);
	CHECK(REFUSED("\xef\xbb\xbfTitle: T\nno colon\n\n", 2, "Key: value"));
}

TEST(post_accepts_empty_body)
{
	struct arena a;
	struct post p;
	struct post_error e;

	arena_init(&a);
	CHECK(parse(&a, "Title: T\nDate: 2019-01-01\n", &p, &e) == 0);
	CHECK(p.body_len == 0);
	CHECK_STR(p.body, "");
	CHECK(parse(&a, "Title: T\nDate: 2019-01-01\n\n\n\n", &p, &e) == 0);
	CHECK(p.body_len == 0);
	CHECK(parse(&a, "Title: T\nDate: 2019-01-01", &p, &e) == 0);
	CHECK(p.body_len == 0);
	arena_free(&a);
}

TEST(post_body_drops_blank_lines_at_both_ends_only)
{
	struct arena a;
	struct post p;
	struct post_error e;

	arena_init(&a);
	CHECK(parse(&a, "Title: T\nDate: 2019-01-01\n\n\n\n  indented\n\n\n"
	    "last  \n\n\n", &p, &e) == 0);
	CHECK_MEM(p.body, p.body_len, "  indented\n\n\nlast");
	arena_free(&a);
}

TEST(post_tags_are_split_trimmed_and_deduplicated)
{
	struct arena a;
	struct post p;
	struct post_error e;

	arena_init(&a);
	CHECK(parse(&a, "Title: T\nDate: 2019-01-01\n"
	    "Tags:  MEK ,PMOI,, MEK,\tNCRI  , PMOI ,\n\n", &p, &e) == 0);
	CHECK(p.ntags == 3);
	CHECK_STR(p.tags[0], "MEK");
	CHECK_STR(p.tags[1], "PMOI");
	CHECK_STR(p.tags[2], "NCRI");
	/* Tags differing only in case are different tags. */
	CHECK(parse(&a, "Title: T\nDate: 2019-01-01\nTags: mek, MEK\n\n", &p,
	    &e) == 0);
	CHECK(p.ntags == 2);
	/* An empty Tags line means no tags. */
	CHECK(parse(&a, "Title: T\nDate: 2019-01-01\nTags:\n\n", &p, &e) == 0);
	CHECK(p.ntags == 0);
	arena_free(&a);
}

TEST(post_tag_with_parentheses_is_kept_whole)
{
	struct arena a;
	struct post p;
	struct post_error e;

	arena_init(&a);
	CHECK(parse(&a, "Title: T\nDate: 2019-01-01\nTags: National Council "
	    "of Resistance of Iran (NCRI), People's Mojahedin organization of "
	    "Iran\n\n", &p, &e) == 0);
	CHECK(p.ntags == 2);
	CHECK_STR(p.tags[0], "National Council of Resistance of Iran (NCRI)");
	CHECK_STR(p.tags[1], "People's Mojahedin organization of Iran");
	arena_free(&a);
}

TEST(post_keeps_multiple_image_lines_in_order)
{
	struct arena a;
	struct post p;
	struct post_error e;

	arena_init(&a);
	CHECK(parse(&a, "Title: T\nImage: First photo\nDate: 2019-01-01\n"
	    "Image: Second: a caption, with commas\nImage: Third\n\nBody\n",
	    &p, &e) == 0);
	CHECK(p.nimages == 3);
	CHECK_STR(p.images[0], "First photo");
	CHECK_STR(p.images[1], "Second: a caption, with commas");
	CHECK_STR(p.images[2], "Third");
	arena_free(&a);
}

TEST(post_rejects_file_name_that_is_not_a_slug)
{
	struct arena a;
	struct post p;
	struct post_error e;
	static const char text[] = "Title: T\nDate: 2019-01-01\n\n";

	arena_init(&a);
	CHECK(parse_n(&a, "Bad_Name", text, strlen(text), &p, &e) == -1);
	CHECK(e.line == 0);
	CHECK(strstr(e.msg, "Bad_Name") != NULL);
	arena_free(&a);
}

TEST(post_valid_slug_allows_lowercase_digits_and_hyphens)
{
	char longer[200];

	CHECK(post_valid_slug("iran-school-opening-stoke-uprising"));
	CHECK(post_valid_slug("1988-massacre"));
	CHECK(post_valid_slug("a"));
	CHECK(!post_valid_slug(""));
	CHECK(!post_valid_slug("-leading"));
	CHECK(!post_valid_slug("Upper"));
	CHECK(!post_valid_slug("under_score"));
	CHECK(!post_valid_slug("dot.ted"));
	CHECK(!post_valid_slug("caf\xc3\xa9"));
	memset(longer, 'a', sizeof(longer));
	longer[128] = '\0';
	CHECK(post_valid_slug(longer));
	longer[128] = 'a';
	longer[129] = '\0';
	CHECK(!post_valid_slug(longer));
}

TEST(post_rejects_file_larger_than_the_limit)
{
	struct arena a;
	struct post p;
	struct post_error e;
	static const char hdr[] = "Title: T\nDate: 2019-01-01\n\n";
	char *big;

	CHECK((big = malloc(POST_MAX_SIZE + 1)) != NULL);
	memset(big, 'x', POST_MAX_SIZE + 1);
	memcpy(big, hdr, sizeof(hdr) - 1);
	arena_init(&a);
	CHECK(parse_n(&a, "big", big, POST_MAX_SIZE + 1, &p, &e) == -1);
	CHECK(e.line == 0);
	CHECK(strstr(e.msg, "larger") != NULL);
	/* One byte less is fine. */
	CHECK(parse_n(&a, "big", big, POST_MAX_SIZE, &p, &e) == 0);
	CHECK(p.body_len == POST_MAX_SIZE - (sizeof(hdr) - 1));
	arena_free(&a);
	free(big);
}
