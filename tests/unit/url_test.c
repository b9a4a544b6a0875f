/* url_test.c: percent-decoding, path normalisation, routing, url_parse. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"
#include "store.h"
#include "test.h"
#include "testutil.h"
#include "url.h"

/* url_normalize_path: raw request path -> normalised path, or NULL. */
static const struct {
	const char	*raw;
	const char	*want;		/* NULL: refused */
} norm_cases[] = {
	{ "", "/" },
	{ "/", "/" },
	{ "/tags/", "/tags/" },
	{ "/tags", "/tags" },
	{ "//tags//", "/tags/" },
	{ "///posts///a-post", "/posts/a-post" },
	{ "/./tags/./", "/tags/" },
	{ "/tags/.", "/tags/" },
	{ "/posts/a/..", "/posts/" },
	{ "/posts/../tags/", "/tags/" },
	{ "/posts/..", "/" },
	{ "/a/b/../../c", "/c" },
	{ "/tags/%2e%2e/posts/", "/posts/" },
	{ "/tags/%2E%2E/", "/" },
	{ "/tags%2f", "/tags/" },
	{ "/tag%2Fmek%2F", "/tag/mek/" },
	{ "/%74ags/", "/tags/" },
	{ "/caf%C3%A9", "/caf\xc3\xa9" },
	{ "/caf\xc3\xa9", "/caf\xc3\xa9" },
	{ "/a%20b", "/a b" },
	{ "/...", "/..." },
	{ "/.hidden", "/.hidden" },
	{ "tags/", "/tags/" },
	/* Climbing above the root, however spelt, is refused. */
	{ "/..", NULL },
	{ "/../", NULL },
	{ "/../etc/passwd", NULL },
	{ "/posts/../../etc/passwd", NULL },
	{ "/%2e%2e", NULL },
	{ "/%2E%2E/", NULL },
	{ "/%2e%2E/etc/passwd", NULL },
	{ "/.%2e/", NULL },
	{ "/posts%2f..%2f..%2fetc%2fpasswd", NULL },
	{ "/./../", NULL },
	/* Bad escapes, NUL and bytes that are not UTF-8. */
	{ "/%zz", NULL },
	{ "/%4", NULL },
	{ "/%", NULL },
	{ "/a%g1", NULL },
	{ "/%00", NULL },
	{ "/a%00.txt", NULL },
	{ "/%ff", NULL },
	{ "/%C0%80", NULL },
	{ "/%ED%A0%80", NULL },
	{ "/%F4%90%80%80", NULL },
	{ "/%E2%82", NULL },
	{ "/\xff", NULL },
};

TEST(url_normalize_path_table)
{
	char out[URL_PATH_MAX + 2];
	const char *err;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		rc = url_normalize_path(norm_cases[i].raw,
		    strlen(norm_cases[i].raw), out, sizeof(out), &err);
		if (norm_cases[i].want == NULL) {
			if (rc != -1)
				printf("    \"%s\" gave \"%s\"\n",
				    norm_cases[i].raw, out);
			CHECK(rc == -1);
			CHECK(err != NULL && *err != '\0');
		} else {
			if (rc != 0)
				printf("    \"%s\" refused: %s\n",
				    norm_cases[i].raw, err);
			CHECK(rc == 0);
			CHECK_STR(out, norm_cases[i].want);
		}
	}
}

TEST(url_normalize_path_says_why_it_refused)
{
	char out[URL_PATH_MAX + 2], raw[URL_PATH_MAX + 8];
	const char *err;

	CHECK(url_normalize_path("/../", 4, out, sizeof(out), &err) == -1);
	CHECK(strstr(err, "root") != NULL);
	CHECK(url_normalize_path("/%zz", 4, out, sizeof(out), &err) == -1);
	CHECK(strstr(err, "percent") != NULL);
	CHECK(url_normalize_path("/%ff", 4, out, sizeof(out), &err) == -1);
	CHECK(strstr(err, "UTF-8") != NULL);
	CHECK(url_normalize_path("/a\0b", 4, out, sizeof(out), &err) == -1);
	CHECK(strstr(err, "NUL") != NULL);
	memset(raw, 'a', sizeof(raw));
	raw[0] = '/';
	CHECK(url_normalize_path(raw, URL_PATH_MAX + 1, out, sizeof(out),
	    &err) == -1);
	CHECK(strstr(err, "long") != NULL);
}

TEST(url_normalize_path_limits_length_at_1024)
{
	char out[URL_PATH_MAX + 2], raw[URL_PATH_MAX + 8];
	const char *err;

	memset(raw, 'a', sizeof(raw));
	raw[0] = '/';
	CHECK(url_normalize_path(raw, URL_PATH_MAX, out, sizeof(out), &err) ==
	    0);
	CHECK(strlen(out) == URL_PATH_MAX);
	CHECK(url_normalize_path(raw, URL_PATH_MAX + 1, out, sizeof(out),
	    &err) == -1);
	/* An escape that decodes short is still judged by its raw length. */
	memcpy(raw + URL_PATH_MAX - 2, "%41", 3);
	CHECK(url_normalize_path(raw, URL_PATH_MAX + 1, out, sizeof(out),
	    &err) == -1);
}

TEST(url_decode_decodes_escapes_and_refuses_bad_ones)
{
	char out[64];

	CHECK(url_decode("a%20b%2Fc%2fd", 13, out, sizeof(out)) == 0);
	CHECK_STR(out, "a b/c/d");
	CHECK(url_decode("%e2%80%99", 9, out, sizeof(out)) == 0);
	CHECK_STR(out, "\xe2\x80\x99");
	CHECK(url_decode("a+b", 3, out, sizeof(out)) == 0);
	CHECK_STR(out, "a+b");
	CHECK(url_decode("%zz", 3, out, sizeof(out)) == -1);
	CHECK(url_decode("%4", 2, out, sizeof(out)) == -1);
	CHECK(url_decode("ab%", 3, out, sizeof(out)) == -1);
	CHECK(url_decode("%00", 3, out, sizeof(out)) == -1);
	/* Decoding only within len, and never past the output. */
	CHECK(url_decode("abc%41", 4, out, sizeof(out)) == -1);
	CHECK(url_decode("abcdef", 6, out, 6) == -1);
	CHECK(url_decode("abcde", 5, out, 6) == 0);
	CHECK_STR(out, "abcde");
}

TEST(url_encode_escapes_what_links_cannot_hold)
{
	char out[64];

	CHECK(url_encode("a b/c-d_e.f~g", out, sizeof(out)) == 0);
	CHECK_STR(out, "a%20b/c-d_e.f~g");
	CHECK(url_encode("caf\xc3\xa9?x=1&y#z", out, sizeof(out)) == 0);
	CHECK_STR(out, "caf%C3%A9%3Fx%3D1%26y%23z");
	CHECK(url_encode("abcdef", out, 4) == -1);
	CHECK(url_encode(" ", out, 3) == -1);
	CHECK(url_encode(" ", out, 4) == 0);
}

/* url_parse: what a Gemini request line may hold. */
TEST(url_parse_table)
{
	static const struct {
		const char	*in;
		int		 rc;
		const char	*scheme, *host;
		int		 port;
		const char	*path, *query;
		int		 has_query, userinfo, fragment;
	} cases[] = {
		{ "gemini://example.org/", 0, "gemini", "example.org", -1, "/",
		    "", 0, 0, 0 },
		{ "gemini://example.org", 0, "gemini", "example.org", -1, "",
		    "", 0, 0, 0 },
		{ "gemini://example.org:1965/tags/", 0, "gemini",
		    "example.org", 1965, "/tags/", "", 0, 0, 0 },
		{ "gemini://example.org:/x", 0, "gemini", "example.org", -1,
		    "/x", "", 0, 0, 0 },
		{ "GEMINI://Example.org/Posts", 0, "gemini", "Example.org", -1,
		    "/Posts", "", 0, 0, 0 },
		{ "gemini://[::1]/", 0, "gemini", "::1", -1, "/", "", 0, 0, 0 },
		{ "gemini://[2001:db8::1]:1966/a", 0, "gemini", "2001:db8::1",
		    1966, "/a", "", 0, 0, 0 },
		{ "gemini://user@example.org/", 0, "gemini", "example.org", -1,
		    "/", "", 0, 1, 0 },
		{ "gemini://user:pw@example.org:7/", 0, "gemini",
		    "example.org", 7, "/", "", 0, 1, 0 },
		{ "gemini://example.org/x#frag", 0, "gemini", "example.org",
		    -1, "/x", "", 0, 0, 1 },
		{ "gemini://example.org/search?iran%20rally", 0, "gemini",
		    "example.org", -1, "/search", "iran%20rally", 1, 0, 0 },
		{ "gemini://example.org/search?", 0, "gemini", "example.org",
		    -1, "/search", "", 1, 0, 0 },
		{ "gemini://example.org/s?q#f", 0, "gemini", "example.org", -1,
		    "/s", "q", 1, 0, 1 },
		{ "gemini://example.org/%2e%2e/x", 0, "gemini", "example.org",
		    -1, "/%2e%2e/x", "", 0, 0, 0 },
		/* The scheme is the server's to check, not the parser's. */
		{ "http://example.org/x", 0, "http", "example.org", -1, "/x",
		    "", 0, 0, 0 },
		{ "https://example.org:443/", 0, "https", "example.org", 443,
		    "/", "", 0, 0, 0 },
		/* Relative, empty and malformed. */
		{ "", -1, NULL, NULL, 0, NULL, NULL, 0, 0, 0 },
		{ "/posts/x", -1, NULL, NULL, 0, NULL, NULL, 0, 0, 0 },
		{ "//example.org/", -1, NULL, NULL, 0, NULL, NULL, 0, 0, 0 },
		{ "example.org", -1, NULL, NULL, 0, NULL, NULL, 0, 0, 0 },
		{ "1gemini://example.org/", -1, NULL, NULL, 0, NULL, NULL, 0,
		    0, 0 },
		{ "gemini://example.org:99999/", -1, NULL, NULL, 0, NULL, NULL,
		    0, 0, 0 },
		{ "gemini://example.org:19x5/", -1, NULL, NULL, 0, NULL, NULL,
		    0, 0, 0 },
		{ "gemini://[::1/", -1, NULL, NULL, 0, NULL, NULL, 0, 0, 0 },
		{ "gemini://[::1]x/", -1, NULL, NULL, 0, NULL, NULL, 0, 0, 0 },
	};
	struct url u;
	const char *err;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = url_parse(cases[i].in, &u, &err);
		if (rc != cases[i].rc)
			printf("    \"%s\": rc %d\n", cases[i].in, rc);
		CHECK(rc == cases[i].rc);
		if (rc == -1) {
			CHECK(err != NULL && *err != '\0');
			continue;
		}
		CHECK_STR(u.scheme, cases[i].scheme);
		CHECK_STR(u.host, cases[i].host);
		CHECK(u.port == cases[i].port);
		CHECK_STR(u.path, cases[i].path);
		CHECK_STR(u.query, cases[i].query);
		CHECK(u.has_query == cases[i].has_query);
		CHECK(u.has_userinfo == cases[i].userinfo);
		CHECK(u.has_fragment == cases[i].fragment);
	}
}

TEST(url_parse_refuses_urls_over_1024_bytes)
{
	char in[URL_MAX + 32];
	struct url u;
	const char *err;
	size_t n;

	n = (size_t)snprintf(in, sizeof(in), "gemini://example.org/");
	memset(in + n, 'a', URL_MAX - n);
	in[URL_MAX] = '\0';
	CHECK(url_parse(in, &u, &err) == 0);
	CHECK(strlen(u.path) == URL_MAX - strlen("gemini://example.org"));
	in[URL_MAX] = 'a';
	in[URL_MAX + 1] = '\0';
	CHECK(url_parse(in, &u, &err) == -1);
	CHECK(strstr(err, "long") != NULL);
}

/*
 * The router, over a store written for the test: two tags, one of them
 * with 120 posts so it takes three pages.
 */
static char *router_dir;
static struct store *router_st;

static struct store *
router_store(void)
{
	char name[64], text[256];
	int i;

	if (router_st != NULL)
		return router_st;
	if ((router_dir = tu_mkdir()) == NULL)
		return NULL;
	for (i = 0; i < 120; i++) {
		snprintf(name, sizeof(name), "post-%03d.txt", i);
		/* post-000 is the oldest, post-119 the newest. */
		snprintf(text, sizeof(text), "Title: Post %03d\n"
		    "Date: %04d-%02d-%02d\nTags: %s\n\nBody %d.\n", i,
		    2000 + i / 12, i % 12 + 1, 1 + i % 28,
		    i < 3 ? "Few" : "Many", i);
		if (tu_write(router_dir, name, text, -1) == -1)
			return NULL;
	}
	router_st = tu_load(router_dir, NULL);
	return router_st;
}

__attribute__((destructor)) static void
router_store_free(void)
{
	store_free(router_st);
	tu_rmdir(router_dir);
}

static void
match(const char *path, size_t len, struct route *r)
{
	router_match(router_store(), path, len, r);
}

TEST(router_maps_the_date_archives)
{
	static const struct {
		const char	*path;
		enum route_kind	 kind;
		const char	*target;	/* of a redirect */
	} cases[] = {
		{ "/posts/2003/", ROUTE_YEAR, NULL },
		{ "/posts/2003/04/", ROUTE_MONTH, NULL },
		{ "/posts/2003", ROUTE_REDIRECT, "/posts/2003/" },
		{ "/posts/2003/04", ROUTE_REDIRECT, "/posts/2003/04/" },
		{ "/POSTS/2003/04/", ROUTE_REDIRECT, "/posts/2003/04/" },
		{ "/posts/2003/04/page/1/", ROUTE_REDIRECT, "/posts/2003/04/" },
		{ "/posts/2003/04/page/2/", ROUTE_NOT_FOUND, NULL },
		{ "/posts/2003/4/", ROUTE_NOT_FOUND, NULL },
		{ "/posts/2003/13/", ROUTE_NOT_FOUND, NULL },
		{ "/posts/2003/00/", ROUTE_NOT_FOUND, NULL },
		{ "/posts/2003/04/x", ROUTE_NOT_FOUND, NULL },
		{ "/posts/2003/04/post-040", ROUTE_NOT_FOUND, NULL },
		{ "/posts/1999/", ROUTE_NOT_FOUND, NULL },
		{ "/posts/1999/01/", ROUTE_NOT_FOUND, NULL },
		{ "/posts/0000/", ROUTE_NOT_FOUND, NULL },
		{ "/posts/20031/", ROUTE_NOT_FOUND, NULL },
		{ "/posts/+003/", ROUTE_NOT_FOUND, NULL },
	};
	struct route r;
	size_t i;

	CHECK(router_store() != NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		match(cases[i].path, strlen(cases[i].path), &r);
		if (r.kind != cases[i].kind)
			printf("    \"%s\": kind %d\n", cases[i].path, r.kind);
		CHECK(r.kind == cases[i].kind);
		if (cases[i].target != NULL)
			CHECK_STR(r.target, cases[i].target);
	}
	match("/posts/2003/", 12, &r);
	CHECK(r.year != NULL && r.year->year == 2003 && r.year->nposts == 12 &&
	    r.year->nmonths == 12);
	match("/posts/2003/04/", 15, &r);
	CHECK(r.month != NULL && r.month->year == 2003 &&
	    r.month->month == 4 && r.month->nposts == 1);
	CHECK_STR(router_store()->posts[r.month->first]->slug, "post-039");
	/* Newest first, every post in exactly one month. */
	CHECK(router_store()->nyears == 10 && router_store()->nmonths == 120);
	CHECK(router_store()->years[0].year == 2009);
	CHECK(router_store()->months[0].month == 12);
}

TEST(router_maps_each_kind_of_path)
{
	static const struct {
		const char	*path;
		enum route_kind	 kind;
	} cases[] = {
		{ "", ROUTE_HOME },
		{ "/", ROUTE_HOME },
		{ "/tags/", ROUTE_TAGS },
		{ "/posts/", ROUTE_POSTS },
		{ "/posts/post-007", ROUTE_POST },
		{ "/robots.txt", ROUTE_ROBOTS },
		{ "/atom.xml", ROUTE_ATOM },
		{ "/tag/many/", ROUTE_TAG },
		{ "/tag/many/page/2/", ROUTE_TAG },
		{ "/tag/many/atom.xml", ROUTE_TAG_ATOM },
		{ "/search", ROUTE_SEARCH },
		{ "/search/page/2", ROUTE_SEARCH },
		{ "/%74ags/", ROUTE_TAGS },
		{ "//tags//", ROUTE_TAGS },
		{ "/posts/./post-007", ROUTE_POST },
		{ "/tags/../posts/post-007", ROUTE_POST },
	};
	struct route r;
	size_t i;

	CHECK(router_store() != NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		match(cases[i].path, strlen(cases[i].path), &r);
		if (r.kind != cases[i].kind)
			printf("    \"%s\": kind %d\n", cases[i].path, r.kind);
		CHECK(r.kind == cases[i].kind);
	}
	match("/posts/post-007", 15, &r);
	CHECK(r.post != NULL);
	CHECK_STR(r.post->title, "Post 007");
	match("/tag/many/page/2/", 17, &r);
	CHECK_STR(r.tag->name, "Many");
	CHECK(r.page == 2);
}

TEST(router_rejects_dotdot_escape)
{
	static const char *bad[] = {
		"/..", "/../", "/../etc/passwd", "/posts/../../etc/passwd",
		"/%2e%2e", "/%2E%2E/", "/%2e%2e/%2e%2e/etc/passwd",
		"/posts%2f..%2f..%2fetc", "/.%2E/",
	};
	struct route r;
	size_t i;

	CHECK(router_store() != NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		match(bad[i], strlen(bad[i]), &r);
		if (r.kind != ROUTE_BAD)
			printf("    \"%s\": kind %d\n", bad[i], r.kind);
		CHECK(r.kind == ROUTE_BAD);
		CHECK(r.error != NULL);
	}
}

TEST(router_rejects_malformed_paths)
{
	static const char *bad[] = {
		"/%zz", "/%4", "/tags/%", "/%00", "/posts/%00post-007",
		"/%ff", "/%C0%AF", "/%ED%A0%80", "/tags\xc3",
	};
	char longer[URL_PATH_MAX + 8];
	struct route r;
	size_t i;

	CHECK(router_store() != NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		match(bad[i], strlen(bad[i]), &r);
		if (r.kind != ROUTE_BAD)
			printf("    \"%s\": kind %d\n", bad[i], r.kind);
		CHECK(r.kind == ROUTE_BAD);
	}
	/* A raw NUL inside the length, not only at its end. */
	match("/tags/\0/x", 9, &r);
	CHECK(r.kind == ROUTE_BAD);
	match("/\0", 2, &r);
	CHECK(r.kind == ROUTE_BAD);
	/* Over 1024 bytes, even when it would normalise to something short. */
	memset(longer, '/', sizeof(longer));
	match(longer, URL_PATH_MAX + 1, &r);
	CHECK(r.kind == ROUTE_BAD);
	memcpy(longer, "/tags", 5);
	match(longer, URL_PATH_MAX, &r);
	CHECK(r.kind == ROUTE_TAGS);
}

TEST(router_redirects_menu_paths_to_their_canonical_form)
{
	static const struct {
		const char	*path, *target;
	} cases[] = {
		{ "/tags", "/tags/" },
		{ "/tag", "/tags/" },
		{ "/tag/", "/tags/" },
		{ "/posts", "/posts/" },
		{ "/tag/many", "/tag/many/" },
		{ "/tag/few", "/tag/few/" },
		{ "/posts/post-007/", "/posts/post-007" },
		{ "/tag/many/page/1/", "/tag/many/" },
		{ "/tag/many/page/1", "/tag/many/" },
		{ "/tag/many/page/2", "/tag/many/page/2/" },
		{ "/tag/many/page/3", "/tag/many/page/3/" },
		/* Upper case typed by hand goes to the lower-case path. */
		{ "/tag/MANY/", "/tag/many/" },
		{ "/TAGS/", "/tags/" },
		{ "/TAGS", "/tags/" },
		{ "/Posts/Post-007", "/posts/post-007" },
		{ "/TAG/MANY/PAGE/2/", "/tag/many/page/2/" },
	};
	struct route r;
	size_t i;

	CHECK(router_store() != NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		match(cases[i].path, strlen(cases[i].path), &r);
		if (r.kind != ROUTE_REDIRECT)
			printf("    \"%s\": kind %d\n", cases[i].path, r.kind);
		CHECK(r.kind == ROUTE_REDIRECT);
		CHECK_STR(r.target, cases[i].target);
	}
}

TEST(router_unknown_paths_are_not_found)
{
	static const char *paths[] = {
		"/nothing", "/posts/no-such-post", "/posts/no-such-post/",
		"/posts/post-007/extra", "/posts/post-007.gmi", "/tag/nope/",
		"/tag/nope", "/TAG/NOPE/", "/tag/many/page/",
		"/tag/many/page/0/", "/tag/many/page/01/", "/tag/many/page/4/",
		"/tag/many/page/x/", "/tag/many/page/2/extra",
		"/tag/many/other/", "/tag/few/page/2/",
		"/search/page/0", "/search/page/x", "/robots.txt/",
		"/atom.xml/", "/index.gmi",
	};
	struct route r;
	size_t i;

	CHECK(router_store() != NULL);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		match(paths[i], strlen(paths[i]), &r);
		if (r.kind != ROUTE_NOT_FOUND)
			printf("    \"%s\": kind %d\n", paths[i], r.kind);
		CHECK(r.kind == ROUTE_NOT_FOUND);
	}
}

TEST(router_pages_a_tag_50_posts_at_a_time)
{
	struct store *st;
	const struct tag *many, *few;
	char path[128];

	CHECK((st = router_store()) != NULL);
	CHECK(st->nposts == 120);
	CHECK((many = store_find_tag(st, "many")) != NULL);
	CHECK((few = store_find_tag(st, "few")) != NULL);
	CHECK(many->nposts == 117);
	CHECK(few->nposts == 3);
	CHECK(router_tag_pages(many) == 3);
	CHECK(router_tag_pages(few) == 1);
	{
		/* 50 posts fill one page; the 51st starts a second. */
		struct tag t;

		memset(&t, 0, sizeof(t));
		CHECK(router_tag_pages(&t) == 1);
		t.nposts = 50;
		CHECK(router_tag_pages(&t) == 1);
		t.nposts = 51;
		CHECK(router_tag_pages(&t) == 2);
		t.nposts = 100;
		CHECK(router_tag_pages(&t) == 2);
		t.nposts = 101;
		CHECK(router_tag_pages(&t) == 3);
	}
	CHECK(router_tag_path(st, many, 1, path, sizeof(path)) == 0);
	CHECK_STR(path, "/tag/many/");
	CHECK(router_tag_path(st, many, 3, path, sizeof(path)) == 0);
	CHECK_STR(path, "/tag/many/page/3/");
	CHECK(router_tag_path(st, many, 3, path, 10) == -1);
	CHECK(router_post_path(st, st->posts[0], path, sizeof(path)) == 0);
	CHECK_STR(path, "/posts/post-119");
}

/* The post links of a rendered gemtext tag page, in order. */
static size_t
page_links(const char *doc, char out[][32], size_t max)
{
	const char *s = doc, *e;
	size_t n = 0;

	while ((s = strstr(s, "\n=> /posts/")) != NULL && n < max) {
		s += 11;
		e = strchr(s, ' ');
		snprintf(out[n++], 32, "%.*s", (int)(e - s), s);
	}
	return n;
}

TEST(router_tag_pages_hold_50_posts_newest_first_with_newer_older_links)
{
	struct store *st;
	struct buf b;
	char links[60][32], want[32];
	size_t n, i;
	unsigned pg;
	static const size_t count[] = { 50, 50, 17 };

	CHECK((st = router_store()) != NULL);
	buf_init(&b);
	for (pg = 1; pg <= 3; pg++) {
		char path[64];

		if (pg == 1)
			snprintf(path, sizeof(path), "/tag/many/");
		else
			snprintf(path, sizeof(path), "/tag/many/page/%u/", pg);
		CHECK(tu_render(st, PROTO_GEMINI, path, &b) == 0);
		n = page_links(b.data, links, 60);
		CHECK(n == count[pg - 1]);
		/* "Many" is on every post but post-000..002: newest first. */
		for (i = 0; i < n; i++) {
			snprintf(want, sizeof(want), "post-%03zu",
			    (size_t)119 - ((pg - 1) * 50 + i));
			CHECK_STR(links[i], want);
		}
		snprintf(want, sizeof(want), "page %u of 3.", pg);
		CHECK(strstr(b.data, want) != NULL);
		CHECK((strstr(b.data, "Newer posts") != NULL) == (pg > 1));
		CHECK((strstr(b.data, "Older posts") != NULL) == (pg < 3));
	}
	CHECK(tu_render(st, PROTO_GEMINI, "/tag/many/", &b) == 0);
	CHECK(strstr(b.data, "=> /tag/many/page/2/ Older posts\n") != NULL);
	CHECK(tu_render(st, PROTO_GEMINI, "/tag/many/page/2/", &b) == 0);
	CHECK(strstr(b.data, "=> /tag/many/ Newer posts\n") != NULL);
	CHECK(strstr(b.data, "=> /tag/many/page/3/ Older posts\n") != NULL);
	CHECK(tu_render(st, PROTO_GEMINI, "/tag/many/page/3/", &b) == 0);
	CHECK(strstr(b.data, "=> /tag/many/page/2/ Newer posts\n") != NULL);
	/* Gopher pages the same way. */
	CHECK(tu_render(st, PROTO_GOPHER, "/tag/many/page/2/", &b) == 0);
	CHECK(strstr(b.data, "1Newer posts\t/tag/many/\texample.org\t7070\r\n")
	    != NULL);
	CHECK(strstr(b.data,
	    "1Older posts\t/tag/many/page/3/\texample.org\t7070\r\n") != NULL);
	CHECK(strstr(b.data, "\t/posts/post-069\t") != NULL);
	CHECK(strstr(b.data, "\t/posts/post-019\t") == NULL);
	/* A tag of one page has neither link. */
	CHECK(tu_render(st, PROTO_GEMINI, "/tag/few/", &b) == 0);
	CHECK(strstr(b.data, "Newer posts") == NULL);
	CHECK(strstr(b.data, "Older posts") == NULL);
	CHECK(strstr(b.data, "page 1 of") == NULL);
	buf_free(&b);
}

/* Lines of doc that start with prefix. */
static size_t
count_prefixed(const char *doc, const char *prefix)
{
	const char *s = doc;
	size_t n = 0, len = strlen(prefix);

	if (strncmp(s, prefix, len) == 0)
		n++;
	while ((s = strchr(s, '\n')) != NULL)
		if (strncmp(++s, prefix, len) == 0)
			n++;
	return n;
}

TEST(router_posts_list_pages_hold_100_posts_in_both_protocols)
{
	struct store *st;
	struct route r;
	struct buf b;

	CHECK((st = router_store()) != NULL);
	CHECK(router_posts_pages(st) == 2);
	buf_init(&b);
	CHECK(tu_render(st, PROTO_GEMINI, "/posts/", &b) == 0);
	CHECK(count_prefixed(b.data, "=> /posts/post-") == 100);
	CHECK(strstr(b.data, "=> /posts/post-119 ") != NULL);
	CHECK(strstr(b.data, "=> /posts/post-020 ") != NULL);
	CHECK(strstr(b.data, "=> /posts/post-019 ") == NULL);
	CHECK(strstr(b.data, "120 posts, newest first, page 1 of 2.") != NULL);
	CHECK(strstr(b.data, "=> /posts/page/2/ Older posts\n") != NULL);
	CHECK(strstr(b.data, "Newer posts") == NULL);
	CHECK(tu_render(st, PROTO_GEMINI, "/posts/page/2/", &b) == 0);
	CHECK(count_prefixed(b.data, "=> /posts/post-") == 20);
	CHECK(strstr(b.data, "=> /posts/post-019 ") != NULL);
	CHECK(strstr(b.data, "=> /posts/post-000 ") != NULL);
	CHECK(strstr(b.data, "=> /posts/ Newer posts\n") != NULL);
	CHECK(strstr(b.data, "Older posts") == NULL);
	CHECK(tu_render(st, PROTO_GOPHER, "/posts/", &b) == 0);
	CHECK(count_prefixed(b.data, "0") == 100 + 1);	/* and the feed */
	CHECK(strstr(b.data,
	    "1Older posts\t/posts/page/2/\texample.org\t7070\r\n") != NULL);
	CHECK(tu_render(st, PROTO_GOPHER, "/posts/page/2/", &b) == 0);
	CHECK(count_prefixed(b.data, "0") == 20 + 1);
	CHECK(strstr(b.data, "1Newer posts\t/posts/\texample.org\t7070\r\n") !=
	    NULL);
	buf_free(&b);
	match("/posts/page/2/", 14, &r);
	CHECK(r.kind == ROUTE_POSTS && r.page == 2);
	match("/posts/page/2", 13, &r);
	CHECK(r.kind == ROUTE_REDIRECT);
	CHECK_STR(r.target, "/posts/page/2/");
	match("/posts/page/1/", 14, &r);
	CHECK(r.kind == ROUTE_REDIRECT);
	CHECK_STR(r.target, "/posts/");
	match("/posts/page/3/", 14, &r);
	CHECK(r.kind == ROUTE_NOT_FOUND);
	match("/posts/page/02/", 15, &r);
	CHECK(r.kind == ROUTE_NOT_FOUND);
	match("/posts/page/2/x", 15, &r);
	CHECK(r.kind == ROUTE_NOT_FOUND);
}

TEST(router_tags_list_pages_and_the_home_page_shows_the_30_most_used)
{
	char *dir, name[64], text[4096];
	struct store *st;
	struct route r;
	struct buf b;
	int i, j, o;

	CHECK((dir = tu_mkdir()) != NULL);
	/* 1,100 tags: post i carries tags t<i*55>..t<i*55+54>, plus "Hot"
	 * on every post and "Warm" on half of them. */
	for (i = 0; i < 20; i++) {
		o = snprintf(text, sizeof(text), "Title: P%d\nDate: 2020-01-%02d\n"
		    "Tags: Hot%s", i, i + 1, i % 2 ? ", Warm" : "");
		for (j = 0; j < 55; j++)
			o += snprintf(text + o, sizeof(text) - o, ", t%04d",
			    i * 55 + j);
		snprintf(text + o, sizeof(text) - o, "\n\nBody.\n");
		snprintf(name, sizeof(name), "p%02d.txt", i);
		CHECK(tu_write(dir, name, text, -1) == 0);
	}
	st = tu_load(dir, NULL);
	tu_rmdir(dir);
	CHECK(st != NULL && st->ntags == 1102);
	CHECK(router_tags_pages(st) == 2);
	buf_init(&b);
	CHECK(tu_render(st, PROTO_GEMINI, "/tags/", &b) == 0);
	CHECK(count_prefixed(b.data, "=> /tag/") == 1000);
	CHECK(strstr(b.data, "1102 tags over 20 posts, page 1 of 2.") != NULL);
	CHECK(strstr(b.data, "=> /tags/page/2/ More tags\n") != NULL);
	CHECK(tu_render(st, PROTO_GEMINI, "/tags/page/2/", &b) == 0);
	CHECK(count_prefixed(b.data, "=> /tag/") == 102);
	CHECK(strstr(b.data, "=> /tags/ Previous tags\n") != NULL);
	CHECK(tu_render(st, PROTO_GOPHER, "/tags/page/2/", &b) == 0);
	CHECK(count_prefixed(b.data, "1") == 102 + 2);	/* Previous, Home */
	CHECK(strstr(b.data, "1Previous tags\t/tags/\texample.org\t7070\r\n") !=
	    NULL);
	/* The home page: 30 tags, the two most used among them. */
	CHECK(tu_render(st, PROTO_GEMINI, "/", &b) == 0);
	CHECK(count_prefixed(b.data, "=> /tag/") == 30);
	CHECK(strstr(b.data, "## Most used tags\n") != NULL);
	CHECK(strstr(b.data, "=> /tag/hot/ Hot (20)\n") != NULL);
	CHECK(strstr(b.data, "=> /tag/warm/ Warm (10)\n") != NULL);
	CHECK(strstr(b.data, "=> /tags/ All 1102 tags\n") != NULL);
	CHECK(tu_render(st, PROTO_GOPHER, "/", &b) == 0);
	CHECK(strstr(b.data, "1Hot (20)\t/tag/hot/\t") != NULL);
	CHECK(strstr(b.data, "1All 1102 tags\t/tags/\t") != NULL);
	buf_free(&b);
	router_match(st, "/tags/page/2/", 13, &r);
	CHECK(r.kind == ROUTE_TAGS && r.page == 2);
	router_match(st, "/tags/page/3/", 13, &r);
	CHECK(r.kind == ROUTE_NOT_FOUND);
	router_match(st, "/tags/page/2", 12, &r);
	CHECK(r.kind == ROUTE_REDIRECT);
	CHECK_STR(r.target, "/tags/page/2/");
	store_free(st);
}
