/* gopher_test.c: selector framing and splitting, answers, URL: pages. */
#include <sys/mman.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gopher.h"
#include "reply.h"
#include "store.h"
#include "test.h"
#include "testutil.h"

TEST(gopher_framing)
{
	char big[GOPHER_REQUEST_MAX + 8];
	size_t len = 0;

	CHECK(gopher_request_end("/posts/", 7, &len) == GOPHER_MORE);
	CHECK(gopher_request_end("/posts/\r\n", 9, &len) == GOPHER_LINE);
	CHECK(len == 7);
	CHECK(gopher_request_end("/posts/\n", 8, &len) == GOPHER_LINE);
	CHECK(len == 7);
	CHECK(gopher_request_end("\r\n", 2, &len) == GOPHER_LINE);
	CHECK(len == 0);
	CHECK(gopher_request_end("\n", 1, &len) == GOPHER_LINE);
	CHECK(len == 0);
	memset(big, 'a', sizeof(big));
	big[1024] = '\n';
	CHECK(gopher_request_end(big, 1025, &len) == GOPHER_LINE);
	CHECK(len == 1024);
	memset(big, 'a', sizeof(big));
	memcpy(big + 1025, "\r\n", 2);
	CHECK(gopher_request_end(big, GOPHER_REQUEST_MAX, &len) ==
	    GOPHER_TOO_LONG);
	memset(big, 'a', sizeof(big));
	CHECK(gopher_request_end(big, GOPHER_REQUEST_MAX, &len) ==
	    GOPHER_TOO_LONG);
}

static const struct {
	const char	*line;
	const char	*selector;
	const char	*search;	/* NULL: none */
	int		 plus;
} parse_cases[] = {
	{ "", "", NULL, 0 },
	{ "/", "/", NULL, 0 },
	{ "/search\tiran school", "/search", "iran school", 0 },
	{ "/search\t", "/search", "", 0 },
	{ "/\t+", "/", NULL, 1 },
	{ "/\t!", "/", NULL, 1 },
	{ "/\t$", "/", NULL, 1 },
	{ "/\t+text/plain", "/", NULL, 1 },
	{ "/search\tmek\t+", "/search", "mek", 1 },
	{ "/search\t+ plus words", "/search", "+ plus words", 0 },
	{ "/search\t!!", "/search", "!!", 0 },
};

TEST(gopher_parse_table)
{
	struct gopher_request g;
	char msg[160];
	size_t i;
	int bad;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		gopher_parse(parse_cases[i].line, strlen(parse_cases[i].line),
		    &g);
		bad = g.sellen != strlen(parse_cases[i].selector) ||
		    memcmp(g.selector, parse_cases[i].selector, g.sellen) != 0 ||
		    g.plus != parse_cases[i].plus ||
		    (g.search == NULL) != (parse_cases[i].search == NULL) ||
		    (g.search != NULL &&
		    (g.searchlen != strlen(parse_cases[i].search) ||
		    memcmp(g.search, parse_cases[i].search, g.searchlen) != 0));
		if (bad) {
			snprintf(msg, sizeof(msg), "case %zu: \"%s\"", i,
			    parse_cases[i].line);
			test_fail(__FILE__, __LINE__, msg);
			return;
		}
	}
}

static const char *
content_dir(void)
{
	static char dir[1024];

	snprintf(dir, sizeof(dir), "%s/content", test_root());
	return dir;
}

static void
answer(const char *line, struct reply *r)
{
	reply_init(r);
	gopher_answer(tu_load(content_dir(), NULL), line, strlen(line), r);
}

/* The answer is a whole type 3 menu. */
static int
is_error(const struct reply *r)
{
	return r->bodylen > 5 && r->body[0] == '3' &&
	    memcmp(r->body + r->bodylen - 5, "\r\n.\r\n", 5) == 0;
}

TEST(gopher_answers)
{
	struct reply r, home;

	answer("", &home);
	CHECK(home.status == 20 && home.bodylen > 0 && home.headlen == 0);
	CHECK(memcmp(home.body + home.bodylen - 3, ".\r\n", 3) == 0);
	answer("/", &r);
	CHECK_MEM(r.body, r.bodylen, home.body);
	reply_release(&r);
	answer("/\t+", &r);
	CHECK_MEM(r.body, r.bodylen, home.body);
	reply_release(&r);
	reply_release(&home);
	/* No redirect in Gopher: the target itself. */
	answer("/posts/", &home);
	answer("/posts", &r);
	CHECK(r.status == 20);
	CHECK_MEM(r.body, r.bodylen, home.body);
	reply_release(&r);
	reply_release(&home);
	answer("/nope", &r);
	CHECK(r.status == 51 && is_error(&r));
	reply_release(&r);
	answer("/../etc/passwd", &r);
	CHECK(r.status == 59 && is_error(&r));
	reply_release(&r);
	answer("/search?%zz", &r);
	CHECK(r.status == 59 && is_error(&r));
	reply_release(&r);
	answer("/search\tschool", &r);
	CHECK(r.status == 20);
	CHECK(strstr(r.body, "/posts/iran-school-opening-stoke-uprising") !=
	    NULL);
	reply_release(&r);
	/* A query after '?' works like a search after a TAB. */
	answer("/search?school", &r);
	CHECK(r.status == 20);
	CHECK(strstr(r.body, "/posts/iran-school-opening-stoke-uprising") !=
	    NULL);
	reply_release(&r);
	reply_init(&r);
	gopher_answer(NULL, "/", 1, &r);
	CHECK(r.status == 41 && is_error(&r));
	reply_release(&r);
	reply_init(&r);
	gopher_answer(NULL, "/a\0b", 4, &r);
	CHECK(r.status == 59 && is_error(&r));
	reply_release(&r);
}

TEST(gopher_url_selectors)
{
	struct reply r;

	reply_init(&r);
	gopher_answer(NULL, "URL:https://example.org/?a=<b>&c", 32, &r);
	CHECK(r.status == 20);
	CHECK(strstr(r.body, "<meta http-equiv=\"refresh\" content=\"2; "
	    "url=https://example.org/?a=&lt;b&gt;&amp;c\">") != NULL);
	CHECK(strstr(r.body, "<a href=\"https://example.org/?a=&lt;b&gt;"
	    "&amp;c\">") != NULL);
	CHECK(strstr(r.body, "<b>") == NULL);
	reply_release(&r);
	reply_init(&r);
	gopher_answer(NULL, "/URL:gemini://x/\"", 17, &r);
	CHECK(r.status == 20 && strstr(r.body, "gemini://x/&quot;") != NULL);
	reply_release(&r);
	reply_init(&r);
	gopher_answer(NULL, "URL:javascript:alert(1)", 23, &r);
	CHECK(is_error(&r));
	reply_release(&r);
	reply_init(&r);
	gopher_answer(NULL, "URL:no scheme", 13, &r);
	CHECK(is_error(&r));
	reply_release(&r);
}

/*
 * A selector straight from the socket has no NUL after it: one that ends
 * right before an unmapped page crashes any parser that reads past it.
 */
TEST(gopher_url_selector_unterminated)
{
	static const char *sels[] = { "URL:noscheme", "URL:http//x",
	    "/URL:gemini", "URL:https://example.org/" };
	long pg = sysconf(_SC_PAGESIZE);
	struct reply r;
	char *map, *p;
	size_t i, n;

	map = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(map != MAP_FAILED);
	CHECK(mprotect(map + pg, (size_t)pg, PROT_NONE) == 0);
	for (i = 0; i < sizeof(sels) / sizeof(sels[0]); i++) {
		n = strlen(sels[i]);
		p = map + pg - n;
		memcpy(p, sels[i], n);
		reply_init(&r);
		gopher_answer(NULL, p, n, &r);
		CHECK(r.status == (i == 3 ? 20 : 59));
		reply_release(&r);
	}
	munmap(map, (size_t)pg * 2);
}

TEST(gopher_error_menu)
{
	struct reply r;

	reply_init(&r);
	gopher_error(&r, 44, "Too busy");
	CHECK_MEM(r.body, r.bodylen, "3Too busy\t\terror.host\t1\r\n.\r\n");
	CHECK(r.status == 44);
	reply_release(&r);
}
