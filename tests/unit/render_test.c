/*
 * render_test.c: the renderers against golden files, the rules every
 * Gopher menu and text document keeps, and page_get's answers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gophermap.h"
#include "page.h"
#include "router.h"
#include "store.h"
#include "test.h"
#include "testutil.h"
#include "utf8.h"

/* A small store written by the test: three posts, three tags. */
static const struct {
	const char	*name, *text;
} golden_files[] = {
	{ "capsule.conf",
	    "Title: Test capsule\n"
	    "Description: A small store for the golden tests.\n"
	    "Language: en\n"
	    "Hostname: example.org\n" },
	{ "alpha-post.txt",
	    "Title: Alpha: the first post\n"
	    "Date: 2020-01-02\n"
	    "Author: Ann Writer\n"
	    "Tags: Shared Tag, Alpha (A)\n"
	    "Image: A photo of the alpha\n"
	    "Image: A caption long enough that the Gopher text document has to "
	    "wrap it onto a second line\n"
	    "\n"
	    "First paragraph with \xe2\x80\x9c" "curly quotes\xe2\x80\x9d and "
	    "a "
	    "line long enough that the Gopher text document wraps it at "
	    "seventy columns.\n"
	    "\n"
	    "## A heading\n"
	    "\n"
	    "> A quoted line that is also long enough to need wrapping in the "
	    "Gopher text of the post.\n"
	    "\n"
	    "* A list item that is long enough to wrap onto a second line in "
	    "the Gopher text document.\n"
	    ".hidden\n"
	    ".\n"
	    "=> not a link\n"
	    "```\n"
	    "\n"
	    "\n"
	    "\n"
	    "Last line.\n" },
	{ "beta-post.txt",
	    "Title: Beta: a very long title with \xc3\xbcn\xc3\xaf" "c\xc3\xb6"
	    "d\xc3\xa9 characters \xe2\x80\x94 and wide \xe6\xbc\xa2\xe5\xad"
	    "\x97 \xe2\x80\x94 that needs wrapping in every Gopher menu that "
	    "lists it, twice over\n"
	    "Date: 2020-02-03\n"
	    "Tags: Shared Tag\n"
	    "\n"
	    "Beta body.\n" },
	{ "gamma.txt",
	    "Title: Gamma\n"
	    "Date: 2019-12-31\n" },
};

static char *golden_dir;
static struct snapshot *golden_sn;

static struct store *
golden_store(void)
{
	struct tu_reports r;
	size_t i;

	if (golden_sn != NULL)
		return golden_sn->store;
	if ((golden_dir = tu_mkdir()) == NULL)
		return NULL;
	for (i = 0; i < sizeof(golden_files) / sizeof(golden_files[0]); i++)
		if (tu_write(golden_dir, golden_files[i].name,
		    golden_files[i].text, -1) == -1)
			return NULL;
	if ((golden_sn = tu_snap(golden_dir, &r)) == NULL)
		return NULL;
	if (r.n > 0)
		printf("    golden store: %s\n", r.text[0]);
	return golden_sn->store;
}

static char content_dir[1024];
static struct store *content_st;

static struct store *
content_store(void)
{
	if (content_st == NULL) {
		snprintf(content_dir, sizeof(content_dir), "%s/content",
		    test_root());
		content_st = tu_load(content_dir, NULL);
	}
	return content_st;
}

__attribute__((destructor)) static void
render_stores_free(void)
{
	snapshot_unref(golden_sn);
	store_free(content_st);
	tu_rmdir(golden_dir);
}

/* Renders path from the golden store and compares it with its file. */
static int
golden_ok(enum proto proto, const char *path, const char *file)
{
	struct store *st = golden_store();
	struct buf b;
	const char *want;
	int ok;

	if (st == NULL)
		return 0;
	buf_init(&b);
	if (tu_render(st, proto, path, &b) == -1 || b.err) {
		printf("    %s did not render\n", path);
		buf_free(&b);
		return 0;
	}
	want = tu_golden(file, b.data, b.len);
	ok = b.len == strlen(want) && memcmp(b.data, want, b.len) == 0;
	if (!ok)
		test_fail_diff(__FILE__, __LINE__, want, b.data, b.len);
	buf_free(&b);
	return ok;
}

TEST(render_gemtext_home_matches_golden)
{
	CHECK(golden_ok(PROTO_GEMINI, "/", "home.gmi"));
}

TEST(render_gemtext_tags_matches_golden)
{
	CHECK(golden_ok(PROTO_GEMINI, "/tags/", "tags.gmi"));
}

TEST(render_gemtext_tag_page_matches_golden)
{
	CHECK(golden_ok(PROTO_GEMINI, "/tag/shared-tag/",
	    "tag-shared-tag.gmi"));
	CHECK(golden_ok(PROTO_GEMINI, "/tag/alpha-a/", "tag-alpha-a.gmi"));
}

TEST(render_gemtext_posts_list_matches_golden)
{
	CHECK(golden_ok(PROTO_GEMINI, "/posts/", "posts.gmi"));
}

TEST(render_gemtext_date_archives_match_golden)
{
	CHECK(golden_ok(PROTO_GEMINI, "/posts/2020/", "year-2020.gmi"));
	CHECK(golden_ok(PROTO_GEMINI, "/posts/2020/01/", "month-2020-01.gmi"));
}

TEST(render_gemtext_post_matches_golden)
{
	CHECK(golden_ok(PROTO_GEMINI, "/posts/alpha-post", "post-alpha.gmi"));
	CHECK(golden_ok(PROTO_GEMINI, "/posts/beta-post", "post-beta.gmi"));
	CHECK(golden_ok(PROTO_GEMINI, "/posts/gamma", "post-gamma.gmi"));
}

TEST(render_gemtext_robots_matches_golden)
{
	CHECK(golden_ok(PROTO_GEMINI, "/robots.txt", "robots.txt"));
}

TEST(render_gopher_home_matches_golden)
{
	CHECK(golden_ok(PROTO_GOPHER, "/", "home.gph"));
}

TEST(render_gopher_tags_matches_golden)
{
	CHECK(golden_ok(PROTO_GOPHER, "/tags/", "tags.gph"));
}

TEST(render_gopher_tag_page_matches_golden)
{
	CHECK(golden_ok(PROTO_GOPHER, "/tag/shared-tag/",
	    "tag-shared-tag.gph"));
	CHECK(golden_ok(PROTO_GOPHER, "/tag/alpha-a/", "tag-alpha-a.gph"));
}

TEST(render_gopher_posts_list_matches_golden)
{
	CHECK(golden_ok(PROTO_GOPHER, "/posts/", "posts.gph"));
}

TEST(render_gopher_date_archives_match_golden)
{
	CHECK(golden_ok(PROTO_GOPHER, "/posts/2020/", "year-2020.gph"));
	CHECK(golden_ok(PROTO_GOPHER, "/posts/2020/01/", "month-2020-01.gph"));
}

TEST(render_gopher_post_matches_golden)
{
	CHECK(golden_ok(PROTO_GOPHER, "/posts/alpha-post", "post-alpha.txt"));
	CHECK(golden_ok(PROTO_GOPHER, "/posts/beta-post", "post-beta.txt"));
	CHECK(golden_ok(PROTO_GOPHER, "/posts/gamma", "post-gamma.txt"));
}

TEST(render_gopher_robots_matches_golden)
{
	CHECK(golden_ok(PROTO_GOPHER, "/robots.txt", "robots-gopher.txt"));
}

/* Calls fn on every menu and post path of st: home, lists, tag pages. */
static int
each_path(struct store *st, int (*fn)(struct store *, const char *, int),
    int menus, int posts)
{
	char path[URL_PATH_MAX + 8];
	size_t i;
	unsigned pg, pages;
	int ok = 1;

	if (menus) {
		ok &= fn(st, "/", 1);
		ok &= fn(st, "/tags/", 1);
		ok &= fn(st, "/posts/", 1);
		for (i = 0; i < st->ntags; i++) {
			pages = router_tag_pages(st->tags[i]);
			for (pg = 1; pg <= pages; pg++) {
				router_tag_path(st, st->tags[i], pg, path,
				    sizeof(path));
				ok &= fn(st, path, 1);
			}
		}
	}
	if (posts)
		for (i = 0; i < st->nposts; i++) {
			router_post_path(st, st->posts[i], path, sizeof(path));
			ok &= fn(st, path, 0);
		}
	return ok;
}

/* Splits doc at CRLF; 0 when a line has a bare CR or LF. */
static int
crlf_lines(const char *doc, size_t len, const char **line, size_t *llen,
    size_t max, size_t *n)
{
	const char *s = doc, *end = doc + len, *nl;

	*n = 0;
	while (s < end) {
		if ((nl = memchr(s, '\n', end - s)) == NULL || nl == s ||
		    nl[-1] != '\r' || *n == max)
			return 0;
		if (memchr(s, '\r', nl - 1 - s) != NULL)
			return 0;
		line[*n] = s;
		llen[*n] = nl - 1 - s;
		(*n)++;
		s = nl + 1;
	}
	return 1;
}

#define MAX_LINES 8192
static const char *lines_at[MAX_LINES];
static size_t lines_len[MAX_LINES];

/*
 * A Gopher menu: CRLF lines of type, display, TAB, selector, TAB, host,
 * TAB, port; valid UTF-8; info text of at most GOPHER_INFO_COLS columns
 * (a link's display text is whole on its line); the last line ".".
 */
static int
gopher_menu_ok(const char *what, const char *doc, size_t len,
    const char *host, const char *port)
{
	size_t n, i, tabs, j, dl;
	const char *l, *t1, *t3;

	if (!crlf_lines(doc, len, lines_at, lines_len, MAX_LINES, &n)) {
		printf("    %s: a line does not end in CRLF\n", what);
		return 0;
	}
	if (n == 0 || lines_len[n - 1] != 1 || lines_at[n - 1][0] != '.') {
		printf("    %s: does not end with \".\\r\\n\"\n", what);
		return 0;
	}
	for (i = 0; i + 1 < n; i++) {
		l = lines_at[i];
		for (j = 0, tabs = 0; j < lines_len[i]; j++)
			tabs += l[j] == '\t';
		if (tabs != 3 || lines_len[i] < 1 || l[0] == '\t') {
			printf("    %s: line %zu has %zu TABs: \"%.*s\"\n",
			    what, i + 1, tabs, (int)lines_len[i], l);
			return 0;
		}
		t1 = memchr(l, '\t', lines_len[i]);
		dl = t1 - l - 1;
		if (!utf8_valid(l, lines_len[i])) {
			printf("    %s: line %zu is not UTF-8\n", what, i + 1);
			return 0;
		}
		if (l[0] == 'i' && utf8_columns(l + 1, dl) > GOPHER_INFO_COLS) {
			printf("    %s: line %zu display is %zu columns: "
			    "\"%.*s\"\n", what, i + 1, utf8_columns(l + 1, dl),
			    (int)dl, l + 1);
			return 0;
		}
		if (strchr("0137i", l[0]) == NULL) {
			printf("    %s: line %zu has type '%c'\n", what, i + 1,
			    l[0]);
			return 0;
		}
		/* Host and port are the site's. */
		t3 = l + lines_len[i];
		while (t3[-1] != '\t')
			t3--;
		if (host != NULL && ((size_t)(t3 - l) < strlen(host) + 1 ||
		    (size_t)(l + lines_len[i] - t3) != strlen(port) ||
		    memcmp(t3, port, strlen(port)) != 0 ||
		    memcmp(t3 - 1 - strlen(host), host, strlen(host)) != 0 ||
		    t3[-2 - (long)strlen(host)] != '\t')) {
			printf("    %s: line %zu names another host or port: "
			    "\"%.*s\"\n", what, i + 1, (int)lines_len[i], l);
			return 0;
		}
	}
	return 1;
}

/*
 * A Gopher text document: CRLF lines, valid UTF-8, at most
 * GOPHER_TEXT_COLS columns, as a file server sends a file: no line that
 * is only ".", so no end line and nothing a client could take for one.
 */
static int
gopher_text_ok(const char *what, const char *doc, size_t len)
{
	size_t n, i, cols;
	const char *l;

	if (!crlf_lines(doc, len, lines_at, lines_len, MAX_LINES, &n)) {
		printf("    %s: a line does not end in CRLF\n", what);
		return 0;
	}
	for (i = 0; i < n; i++) {
		l = lines_at[i];
		if (!utf8_valid(l, lines_len[i])) {
			printf("    %s: line %zu is not UTF-8\n", what, i + 1);
			return 0;
		}
		if (lines_len[i] == 1 && l[0] == '.') {
			printf("    %s: line %zu is a lone \".\"\n", what, i + 1);
			return 0;
		}
		cols = utf8_columns(l, lines_len[i]);
		if (lines_len[i] > 0 && cols > GOPHER_TEXT_COLS) {
			printf("    %s: line %zu is %zu columns: \"%.*s\"\n",
			    what, i + 1, cols, (int)lines_len[i], l);
			return 0;
		}
	}
	return 1;
}

static int
check_gopher_doc(struct store *st, const char *path, int menu)
{
	struct buf b;
	char port[16];
	int ok;

	buf_init(&b);
	if (tu_render(st, PROTO_GOPHER, path, &b) == -1 || b.err) {
		printf("    %s did not render\n", path);
		buf_free(&b);
		return 0;
	}
	snprintf(port, sizeof(port), "%d", st->site.gopher_port);
	ok = menu ? gopher_menu_ok(path, b.data, b.len, st->site.host, port) :
	    gopher_text_ok(path, b.data, b.len);
	buf_free(&b);
	return ok;
}

TEST(gopher_menus_have_three_tabs_crlf_and_end_with_dot)
{
	CHECK(golden_store() != NULL);
	CHECK(each_path(golden_store(), check_gopher_doc, 1, 0));
	CHECK(content_store() != NULL);
	CHECK(each_path(content_store(), check_gopher_doc, 1, 0));
}

TEST(gopher_text_documents_use_crlf_and_have_no_end_line)
{
	CHECK(golden_store() != NULL);
	CHECK(each_path(golden_store(), check_gopher_doc, 0, 1));
	CHECK(content_store() != NULL);
	CHECK(each_path(content_store(), check_gopher_doc, 0, 1));
}

TEST(gopher_text_document_keeps_leading_dots_and_never_ends_with_one)
{
	struct buf b;

	CHECK(golden_store() != NULL);
	buf_init(&b);
	CHECK(tu_render(golden_store(), PROTO_GOPHER, "/posts/alpha-post",
	    &b) == 0);
	CHECK(strstr(b.data, "\r\n.hidden\r\n") != NULL);
	/* A lone "." would end the text early in a client that reads one. */
	CHECK(strstr(b.data, "\r\n. \r\n") != NULL);
	CHECK(strstr(b.data, "\r\n.\r\n") == NULL);
	CHECK(strstr(b.data, "\r\n..") == NULL);
	/* The same lines go to Gemini as written. */
	CHECK(tu_render(golden_store(), PROTO_GEMINI, "/posts/alpha-post",
	    &b) == 0);
	CHECK(strstr(b.data, "\n.hidden\n.\n") != NULL);
	buf_free(&b);
}

TEST(gopher_info_lines_fit_67_columns)
{
	static const char *texts[] = {
		"A description that is a good deal longer than one Gopher info "
		"line, so it has to go on over several lines, every one of "
		"them "
		"short enough to fit sixty-seven columns of a terminal.",
		"\xe2\x80\x9cQuoted\xe2\x80\x9d words \xe2\x80\x94 many of "
		"them "
		"\xe2\x80\x94 with accents: caf\xc3\xa9 na\xc3\xafve "
		"r\xc3\xa9sum\xc3\xa9 \xc3\xa9l\xc3\xa8ve \xc3\xa9t\xc3\xa9 "
		"fa\xc3\xa7" "ade \xc3\xbc" "ber \xc3\xa5ngstr\xc3\xb6m "
		"\xc3\xa6sthetic and more words to pass the width.",
		"\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97 "
		"\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97 "
		"\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97 "
		"\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97 "
		"\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97 "
		"\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97 "
		"\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97 "
		"\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97 "
		"\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2\xe5\xad\x97 end",
		("Oneverylongwordwithoutanyspacesthatisfarlongerthansixtyseven"
		"columnsandmustbecutbetweencharacters"),
	};
	struct site site = { "example.org", 1965, 7070, 0 };
	struct buf b;
	size_t i, k;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		buf_init(&b);
		/* Each width from just past one line to several lines. */
		for (k = 0; k < 3; k++)
			CHECK(gophermap_info(&b, &site, texts[i] + k * 3) == 0);
		CHECK(gophermap_end(&b) == 0);
		CHECK(gopher_menu_ok("info", b.data, b.len, "example.org",
		    "7070"));
		CHECK(tu_count_lines(b.data, b.len) > 4);
		buf_free(&b);
	}
}

/* The display texts of a menu's lines from line i on, joined by spaces. */
static void
menu_display(const char *doc, size_t len, struct buf *out)
{
	size_t n, i, dl;
	const char *l;

	buf_reset(out);
	if (!crlf_lines(doc, len, lines_at, lines_len, MAX_LINES, &n))
		return;
	for (i = 0; i + 1 < n; i++) {
		l = lines_at[i];
		dl = (const char *)memchr(l, '\t', lines_len[i]) - l - 1;
		buf_add(out, l + 1, dl);
		buf_putc(out, '\n');
	}
}

TEST(gopher_long_titles_stay_whole_on_their_item_line)
{
	struct buf b, d;
	const char *beta;

	CHECK(golden_store() != NULL);
	buf_init(&b);
	buf_init(&d);
	CHECK(tu_render(golden_store(), PROTO_GOPHER, "/posts/", &b) == 0);
	CHECK(utf8_valid(b.data, b.len));
	menu_display(b.data, b.len, &d);
	/* One item line holds the whole title, and no info line follows. */
	CHECK((beta = strstr(d.data, "2020-02-03 Beta: a very long title")) !=
	    NULL);
	CHECK(strstr(b.data, "\xe6\xbc\xa2\xe5\xad\x97 \xe2\x80\x94 that needs "
	    "wrapping in every Gopher menu that lists it, twice over\t"
	    "/posts/beta-post\texample.org\t7070\r\n") != NULL);
	CHECK(strstr(b.data, "\t/posts/beta-post\texample.org\t7070\r\ni  ") ==
	    NULL);
	buf_free(&b);
	buf_free(&d);
}

TEST(gopher_menu_keeps_utf8_whole_when_a_title_is_cut_at_the_limit)
{
	struct tu_reports r;
	struct store *st;
	struct buf b, text;
	char *dir;
	size_t i;

	CHECK((dir = tu_mkdir()) != NULL);
	buf_init(&text);
	/* 339 three-byte characters: a header line of exactly 1024 bytes. */
	buf_puts(&text, "Title: ");
	for (i = 0; i < 339; i++)
		buf_puts(&text, "\xe2\x82\xac");
	buf_puts(&text, "\nDate: 2020-01-01\nTags: Euro\n\nx\n");
	CHECK(tu_write(dir, "euro.txt", text.data, text.len) == 0);
	buf_free(&text);
	CHECK((st = tu_load(dir, &r)) != NULL);
	CHECK(st->nposts == 1);
	buf_init(&b);
	CHECK(tu_render(st, PROTO_GOPHER, "/posts/", &b) == 0);
	CHECK(gopher_menu_ok("/posts/", b.data, b.len, "example.org", "7070"));
	CHECK(tu_render(st, PROTO_GOPHER, "/tag/euro/", &b) == 0);
	CHECK(gopher_menu_ok("/tag/euro/", b.data, b.len, "example.org",
	    "7070"));
	CHECK(tu_render(st, PROTO_GOPHER, "/posts/euro", &b) == 0);
	CHECK(gopher_text_ok("/posts/euro", b.data, b.len));
	buf_free(&b);
	store_free(st);
	tu_rmdir(dir);
}

TEST(gopher_post_keeps_a_long_author_whole)
{
	struct store *st;
	struct buf b, text, flat;
	char *dir;
	size_t i;

	CHECK((dir = tu_mkdir()) != NULL);
	buf_init(&text);
	buf_puts(&text, "Title: T\nDate: 2020-01-01\nAuthor: ");
	for (i = 0; i < 150; i++)
		buf_puts(&text, "\xc3\xa9");
	buf_puts(&text, " Last\n\nx\n");
	CHECK(tu_write(dir, "long-author.txt", text.data, text.len) == 0);
	CHECK((st = tu_load(dir, NULL)) != NULL);
	CHECK(st->nposts == 1);
	buf_init(&b);
	CHECK(tu_render(st, PROTO_GOPHER, "/posts/long-author", &b) == 0);
	CHECK(gopher_text_ok("/posts/long-author", b.data, b.len));
	/* All of the author is there, wrapped or not. */
	buf_init(&flat);
	for (i = 0; i < b.len; i++)
		if (b.data[i] != '\r' && b.data[i] != '\n')
			buf_putc(&flat, b.data[i]);
	CHECK(strstr(flat.data, " Last") != NULL);
	buf_free(&flat);
	buf_free(&b);
	buf_free(&text);
	store_free(st);
	tu_rmdir(dir);
}

TEST(gemtext_escapes_body_lines_that_look_like_links_or_toggles)
{
	struct buf b;

	CHECK(golden_store() != NULL);
	buf_init(&b);
	CHECK(tu_render(golden_store(), PROTO_GEMINI, "/posts/alpha-post",
	    &b) == 0);
	CHECK(strstr(b.data, "\n => not a link\n") != NULL);
	CHECK(strstr(b.data, "\n=> not a link") == NULL);
	CHECK(strstr(b.data, "\n ```\n") != NULL);
	CHECK(strstr(b.data, "\n```") == NULL);
	buf_free(&b);
}

/* page_get: statuses, meta, Gopher errors and the cache. */
static int
get(enum proto proto, const char *path, const char *query, struct page *pg)
{
	if (golden_store() == NULL)
		return -1;
	return page_get(golden_sn, proto, path, strlen(path), query, pg);
}

TEST(page_get_answers_20_with_gemtext_meta)
{
	struct page pg;

	CHECK(golden_store() != NULL);
	CHECK(get(PROTO_GEMINI, "/", NULL, &pg) == 0);
	CHECK(pg.status == 20);
	CHECK_STR(pg.meta, "text/gemini; charset=utf-8; lang=en");
	CHECK(pg.len > 0 && strncmp(pg.body, "# Test capsule\n", 15) == 0);
	page_release(&pg);
	CHECK(get(PROTO_GEMINI, "/posts/alpha-post", NULL, &pg) == 0);
	CHECK(pg.status == 20);
	CHECK_STR(pg.meta, "text/gemini; charset=utf-8; lang=en");
	page_release(&pg);
	CHECK(get(PROTO_GEMINI, "/robots.txt", NULL, &pg) == 0);
	CHECK(pg.status == 20);
	CHECK_STR(pg.meta, "text/plain; charset=utf-8");
	page_release(&pg);
	/* Gopher: menus are type 1, posts and robots.txt type 0. */
	CHECK(get(PROTO_GOPHER, "/tags/", NULL, &pg) == 0);
	CHECK(pg.status == 20 && pg.gopher_type == '1');
	page_release(&pg);
	CHECK(get(PROTO_GOPHER, "/posts/gamma", NULL, &pg) == 0);
	CHECK(pg.status == 20 && pg.gopher_type == '0');
	page_release(&pg);
	CHECK(get(PROTO_GOPHER, "/robots.txt", NULL, &pg) == 0);
	CHECK(pg.status == 20 && pg.gopher_type == '0');
	page_release(&pg);
}

TEST(page_get_answers_51_for_an_unknown_path)
{
	struct page pg;

	CHECK(golden_store() != NULL);
	CHECK(get(PROTO_GEMINI, "/no/such/thing", NULL, &pg) == 0);
	CHECK(pg.status == 51);
	CHECK(pg.meta != NULL && *pg.meta != '\0');
	CHECK(pg.len == 0);
	page_release(&pg);
	CHECK(get(PROTO_GEMINI, "/posts/no-such-post", NULL, &pg) == 0);
	CHECK(pg.status == 51);
	page_release(&pg);
}

TEST(page_get_answers_31_for_a_missing_slash)
{
	static const struct {
		const char	*path, *target;
	} cases[] = {
		{ "/tags", "/tags/" },
		{ "/posts", "/posts/" },
		{ "/tag/shared-tag", "/tag/shared-tag/" },
		{ "/posts/alpha-post/", "/posts/alpha-post" },
	};
	struct page pg;
	size_t i;

	CHECK(golden_store() != NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(get(PROTO_GEMINI, cases[i].path, NULL, &pg) == 0);
		CHECK(pg.status == 31);
		CHECK_STR(pg.meta, cases[i].target);
		CHECK(pg.len == 0);
		page_release(&pg);
	}
}

TEST(page_get_answers_59_for_a_dotdot_escape)
{
	static const char *paths[] = { "/..", "/../etc/passwd", "/%2e%2e/",
	    "/%zz", "/%00" };
	struct page pg;
	size_t i;

	CHECK(golden_store() != NULL);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		CHECK(get(PROTO_GEMINI, paths[i], NULL, &pg) == 0);
		CHECK(pg.status == 59);
		CHECK(strncmp(pg.meta, "Bad request: ", 13) == 0);
		CHECK(pg.len == 0);
		page_release(&pg);
	}
	CHECK(golden_store() != NULL);
	CHECK(page_get(golden_sn, PROTO_GEMINI, "/a\0b", 4, NULL, &pg) ==
	    0);
	CHECK(pg.status == 59);
	page_release(&pg);
}

TEST(page_get_answers_10_for_search_without_a_query)
{
	struct page pg;

	CHECK(golden_store() != NULL);
	CHECK(get(PROTO_GEMINI, "/search", NULL, &pg) == 0);
	CHECK(pg.status == 10);
	CHECK(pg.meta != NULL && *pg.meta != '\0');
	page_release(&pg);
	CHECK(get(PROTO_GEMINI, "/search", "", &pg) == 0);
	CHECK(pg.status == 10);
	page_release(&pg);
}

TEST(page_get_gopher_unknown_selector_is_a_type_3_error_menu)
{
	static const char *paths[] = { "/no/such/thing", "/../x", "/%zz" };
	struct page pg;
	size_t i;

	CHECK(golden_store() != NULL);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		CHECK(get(PROTO_GOPHER, paths[i], NULL, &pg) == 0);
		CHECK(pg.gopher_type == '3');
		CHECK(pg.len > 0 && pg.body[0] == '3');
		CHECK(gopher_menu_ok("error", pg.body, pg.len, NULL, NULL));
		page_release(&pg);
	}
	CHECK(get(PROTO_GOPHER, "/nothing", NULL, &pg) == 0);
	CHECK(pg.len == strlen("3Not found\t\terror.host\t1\r\n.\r\n"));
	CHECK_MEM(pg.body, pg.len, "3Not found\t\terror.host\t1\r\n.\r\n");
	page_release(&pg);
}

TEST(page_get_caches_a_rendered_page_per_protocol)
{
	static const char *paths[] = { "/", "/tags/", "/posts/",
	    "/tag/shared-tag/", "/posts/alpha-post", "/robots.txt" };
	struct page a, b, c;
	size_t i;

	CHECK(golden_store() != NULL);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		CHECK(get(PROTO_GEMINI, paths[i], NULL, &a) == 0);
		CHECK(get(PROTO_GEMINI, paths[i], NULL, &b) == 0);
		CHECK(get(PROTO_GOPHER, paths[i], NULL, &c) == 0);
		CHECK(a.status == 20 && b.status == 20 && c.status == 20);
		CHECK(a.body == b.body);
		CHECK(a.len == b.len);
		CHECK(c.body != a.body);
		page_release(&a);
		page_release(&b);
		page_release(&c);
	}
	/* Another spelling of the same path finds the same document. */
	CHECK(get(PROTO_GEMINI, "/tags/", NULL, &a) == 0);
	CHECK(get(PROTO_GEMINI, "//tags/./", NULL, &b) == 0);
	CHECK(a.body == b.body);
	page_release(&a);
	page_release(&b);
}
