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
	{ "/\t+", "/", NULL, '+' },
	{ "/\t!", "/", NULL, '!' },
	{ "/\t$", "/", NULL, '$' },
	{ "/\t+text/plain", "/", NULL, '+' },
	{ "/search\tmek\t+", "/search", "mek", '+' },
	{ "/search\tmek\t!", "/search", "mek", '!' },
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
	gopher_answer(tu_snap(content_dir(), NULL), line, strlen(line), r);
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
	/* A not-found names the selector and offers the way home. */
	CHECK(strstr(r.body, "3Not found: /nope\t") == r.body);
	CHECK(strstr(r.body, "\r\n1Home\t/\texample.org\t7070\r\n") != NULL);
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

/* The answer starts with want and ends with ".\r\n". */
static int
plus_framed(const struct reply *r, const char *want)
{
	return r->bodylen > strlen(want) + 3 &&
	    memcmp(r->body, want, strlen(want)) == 0 &&
	    memcmp(r->body + r->bodylen - 3, ".\r\n", 3) == 0;
}

TEST(gopher_plus_requests_get_gopher_plus_answers)
{
	struct reply r, home, post;

	answer("/", &home);
	/* TAB +: the document after a status line. */
	answer("/\t+", &r);
	CHECK(r.status == 20 && plus_framed(&r, "+-1\r\n"));
	CHECK(r.bodylen == home.bodylen + 5 &&
	    memcmp(r.body + 5, home.body, home.bodylen) == 0);
	reply_release(&r);
	/* A text runs to the close: it has no "." line of its own. */
	answer("/posts/iran-school-opening-stoke-uprising", &post);
	answer("/posts/iran-school-opening-stoke-uprising\t+", &r);
	CHECK(r.bodylen == post.bodylen + 5 &&
	    memcmp(r.body, "+-2\r\n", 5) == 0 &&
	    memcmp(r.body + 5, post.body, post.bodylen) == 0);
	reply_release(&r);
	/* TAB $: an attribute block for each item of the menu. */
	answer("\t$", &r);
	CHECK(plus_framed(&r, "+-1\r\n+INFO: iMEK Support: a tag archive\t"));
	CHECK(strstr(r.body, "\r\n+INFO: 1All posts\t/posts/\texample.org\t7070"
	    "\r\n+ADMIN:\r\n Admin: Staff Writer <gopher://example.org:7070/>\r\n"
	    " Mod-Date: 2019-09-23 <20190923000000>\r\n+VIEWS:\r\n"
	    " application/gopher+-menu: <") != NULL);
	CHECK(strstr(r.body, "+INFO: 0Atom feed\t/atom.xml\texample.org\t7070\r\n")
	    != NULL);
	CHECK(strstr(r.body, " text/plain: <") != NULL);
	/* Items carry no Gopher+ mark: the client goes on in plain Gopher. */
	CHECK(strstr(r.body, "\t7070\t+") == NULL);
	reply_release(&r);
	/* TAB !: the item's own block. */
	answer("/posts/iran-school-opening-stoke-uprising\t!", &r);
	CHECK(plus_framed(&r, "+-1\r\n+INFO: 0Iran: School Opening Stoke "
	    "Uprising\t/posts/iran-school-opening-stoke-uprising\texample.org\t"
	    "7070\r\n+ADMIN:\r\n"));
	CHECK(strstr(r.body, " Mod-Date: 2019-09-23 <20190923000000>\r\n"
	    "+VIEWS:\r\n text/plain: <4k>\r\n.\r\n") != NULL);
	reply_release(&r);
	/* A Gopher+ error: "--1", a code, the message. */
	answer("/nope\t+", &r);
	CHECK(r.status == 51 && plus_framed(&r, "--1\r\n1 Staff Writer"));
	CHECK(strstr(r.body, "\r\nNot found\r\n") != NULL);
	reply_release(&r);
	reply_release(&post);
	reply_release(&home);
}

/* The URL: page sends a browser only to schemes on a short list. */
TEST(gopher_url_page_allows_only_listed_schemes)
{
	static const char *refused[] = { "URL:vbscript:msgbox(1)",
	    "URL:VBScript:x", "URL:javascript:alert(1)", "URL:JaVaScRiPt:x",
	    "URL:data:text/html,<b>x</b>", "URL:file:///etc/passwd",
	    "URL:jar:http://x/!/", "URL:view-source:http://x/",
	    "URL:blob:http://x/1", "URL:ms-settings:x", NULL };
	static const char *allowed[] = { "URL:http://example.org/",
	    "URL:HTTPS://example.org/", "URL:gemini://example.org/",
	    "URL:gopher://example.org/", "URL:mailto:a@example.org",
	    "URL:ftp://example.org/f", NULL };
	struct reply r;
	size_t i;

	for (i = 0; refused[i] != NULL; i++) {
		reply_init(&r);
		gopher_answer(NULL, refused[i], strlen(refused[i]), &r);
		if (r.status != 59)
			printf("    not refused: %s\n", refused[i]);
		CHECK(r.status == 59 && is_error(&r));
		reply_release(&r);
	}
	for (i = 0; allowed[i] != NULL; i++) {
		reply_init(&r);
		gopher_answer(NULL, allowed[i], strlen(allowed[i]), &r);
		if (r.status != 20)
			printf("    refused: %s\n", allowed[i]);
		CHECK(r.status == 20);
		reply_release(&r);
	}
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
