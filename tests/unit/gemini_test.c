/* gemini_test.c: request framing, validation and status lines. */
#include <stdio.h>
#include <string.h>

#include "gemini.h"
#include "reply.h"
#include "store.h"
#include "test.h"
#include "testutil.h"
#include "tlsglue.h"

static struct tlsglue names = {
	.names = { "localhost", "other.test" },
	.nnames = 2,
};
static const struct gemini_where where = { &names, NULL, 1965 };

TEST(gemini_framing)
{
	char big[GEMINI_REQUEST_MAX + 8];
	size_t len = 0;

	CHECK(gemini_request_end("gemini://x/", 11, &len) == GEMINI_MORE);
	CHECK(gemini_request_end("gemini://x/\r", 12, &len) == GEMINI_MORE);
	CHECK(gemini_request_end("gemini://x/\r\n", 13, &len) == GEMINI_LINE);
	CHECK(len == 11);
	CHECK(gemini_request_end("\r\n", 2, &len) == GEMINI_LINE);
	CHECK(len == 0);
	CHECK(gemini_request_end("gemini://x/\n", 12, &len) ==
	    GEMINI_BARE_LF);
	CHECK(gemini_request_end("\n", 1, &len) == GEMINI_BARE_LF);
	/* 1024 bytes and CRLF fit; one more byte does not. */
	memset(big, 'a', sizeof(big));
	memcpy(big + 1024, "\r\n", 2);
	CHECK(gemini_request_end(big, 1026, &len) == GEMINI_LINE);
	CHECK(len == 1024);
	memset(big, 'a', sizeof(big));
	memcpy(big + 1025, "\r\n", 2);
	CHECK(gemini_request_end(big, 1026, &len) == GEMINI_TOO_LONG);
	memset(big, 'a', sizeof(big));
	CHECK(gemini_request_end(big, GEMINI_REQUEST_MAX, &len) ==
	    GEMINI_TOO_LONG);
	CHECK(gemini_request_end(big, GEMINI_REQUEST_MAX - 1, &len) ==
	    GEMINI_MORE);
}

static const struct {
	const char	*line;
	size_t		 len;	/* 0: strlen */
	int		 status;
} check_cases[] = {
	{ "gemini://localhost/", 0, 0 },
	{ "gemini://localhost", 0, 0 },
	{ "gemini://localhost:1965/posts/", 0, 0 },
	{ "gemini://LOCALHOST/", 0, 0 },
	{ "GEMINI://localhost/", 0, 0 },
	{ "gemini://other.test/", 0, 0 },
	{ "gemini://localhost/search?a%20b", 0, 0 },
	{ "", 0, 59 },
	{ "/", 0, 59 },
	{ "//localhost/", 0, 59 },
	{ "localhost/", 0, 59 },
	{ "gemini:/posts/", 0, 59 },
	{ "gemini://user@localhost/", 0, 59 },
	{ "gemini://user:pw@localhost/", 0, 59 },
	{ "gemini://localhost/#frag", 0, 59 },
	{ "gemini://localhost/\xff", 0, 59 },
	{ "gemini://localhost/\xc0\xaf", 0, 59 },
	{ "gemini://localhost/\xed\xa0\x80", 0, 59 },
	{ "gemini://localhost/a\0b", 21, 59 },
	{ "gemini://localhost/a\tb", 0, 59 },
	{ "gemini://localhost/a\rb", 0, 59 },
	{ "\xef\xbb\xbfgemini://localhost/", 0, 59 },
	{ "gemini://localhost:99999/", 0, 59 },
	{ "gemini://localhost:x/", 0, 59 },
	{ "gemini://example.org/", 0, 53 },
	{ "gemini://localhost./", 0, 53 },
	{ "gemini://127.0.0.1/", 0, 53 },
	{ "gemini://localhost:1966/", 0, 53 },
	{ "gemini://localhost:0/", 0, 53 },
	{ "http://localhost/", 0, 53 },
	{ "https://localhost/", 0, 53 },
	{ "gopher://localhost/", 0, 53 },
	{ "titan://localhost/", 0, 53 },
};

TEST(gemini_check_table)
{
	const char *why;
	struct url u;
	size_t i, len;
	int st;
	char msg[200];

	for (i = 0; i < sizeof(check_cases) / sizeof(check_cases[0]); i++) {
		len = check_cases[i].len ? check_cases[i].len :
		    strlen(check_cases[i].line);
		why = NULL;
		st = gemini_check(check_cases[i].line, len, &where, &u, &why);
		if (st != check_cases[i].status) {
			snprintf(msg, sizeof(msg), "case %zu: status %d, want "
			    "%d (%s)", i, st, check_cases[i].status,
			    why ? why : "");
			test_fail(__FILE__, __LINE__, msg);
			return;
		}
		CHECK(st == 0 || (why != NULL && *why != '\0'));
	}
}

TEST(gemini_check_sni)
{
	struct gemini_where w = where;
	const char *why;
	struct url u;

	w.sni = "other.test";
	CHECK(gemini_check("gemini://other.test/", 20, &w, &u, &why) == 0);
	CHECK(gemini_check("gemini://OTHER.test/", 20, &w, &u, &why) == 0);
	CHECK(gemini_check("gemini://localhost/", 19, &w, &u, &why) == 53);
	w.sni = "localhost";
	CHECK(gemini_check("gemini://other.test/", 20, &w, &u, &why) == 53);
}

TEST(gemini_status_lines)
{
	struct reply r;
	char meta[3000];

	reply_init(&r);
	gemini_status(&r, 20, "text/gemini");
	CHECK_MEM(r.head, r.headlen, "20 text/gemini\r\n");
	gemini_status(&r, 44, GEMINI_SLOW_DOWN);
	CHECK_MEM(r.head, r.headlen, "44 5\r\n");
	CHECK(r.status == 44 && r.bodylen == 0);
	/* A meta never breaks the line. */
	gemini_status(&r, 59, "bad\r\nline");
	CHECK_MEM(r.head, r.headlen, "59 bad  line\r\n");
	/* Long metas are cut to 1024 bytes, between characters. */
	memset(meta, 'a', sizeof(meta));
	meta[sizeof(meta) - 1] = '\0';
	gemini_status(&r, 59, meta);
	CHECK(r.headlen == 3 + GEMINI_META_MAX + 2);
	memcpy(meta + 1022, "\xc3\xa9\xc3\xa9", 4);
	gemini_status(&r, 59, meta);
	CHECK(r.headlen == 3 + 1024 + 2);
	memcpy(meta + 1023, "\xc3\xa9", 2);
	gemini_status(&r, 59, meta);
	CHECK(r.headlen == 3 + 1023 + 2);
	CHECK(memcmp(r.head + r.headlen - 2, "\r\n", 2) == 0);
	reply_release(&r);
}

static const char *
content_dir(void)
{
	static char dir[1024];

	snprintf(dir, sizeof(dir), "%s/content", test_root());
	return dir;
}

/* Answers one line from the repository's content/ into r. */
static void
answer(const char *line, struct reply *r)
{
	struct snapshot *sn = tu_snap(content_dir(), NULL);

	reply_init(r);
	gemini_answer(sn, line, strlen(line), &where, r);
}

TEST(gemini_answers)
{
	struct reply r;

	answer("gemini://localhost/", &r);
	CHECK_MEM(r.head, r.headlen,
	    "20 text/gemini; charset=utf-8; lang=en\r\n");
	CHECK(r.bodylen > 0 && r.snap != NULL);
	reply_release(&r);
	/* An empty path is the home page itself. */
	answer("gemini://localhost", &r);
	CHECK(r.status == 20 && r.bodylen > 0);
	reply_release(&r);
	answer("gemini://localhost/posts", &r);
	CHECK_MEM(r.head, r.headlen, "31 gemini://localhost/posts/\r\n");
	CHECK(r.bodylen == 0);
	reply_release(&r);
	answer("gemini://localhost/nope", &r);
	CHECK_MEM(r.head, r.headlen, "51 Not found\r\n");
	CHECK(r.bodylen == 0);
	reply_release(&r);
	answer("gemini://localhost/search", &r);
	CHECK(r.status == 10);
	reply_release(&r);
	answer("gemini://localhost/search?%zz", &r);
	CHECK(r.status == 59);
	reply_release(&r);
	answer("gemini://localhost/../x", &r);
	CHECK(r.status == 59);
	reply_release(&r);
	answer("gemini://localhost:1965/%2e%2e/x", &r);
	CHECK(r.status == 59);
	reply_release(&r);
}

TEST(gemini_redirect_on_other_port)
{
	struct gemini_where w = where;
	struct snapshot *sn = tu_snap(content_dir(), NULL);
	struct reply r;

	w.port = 7000;
	reply_init(&r);
	gemini_answer(sn, "gemini://localhost/tags", 23, &w, &r);
	CHECK_MEM(r.head, r.headlen, "31 gemini://localhost:7000/tags/\r\n");
	reply_release(&r);
}

TEST(gemini_without_store_is_41)
{
	struct reply r;

	reply_init(&r);
	gemini_answer(NULL, "gemini://localhost/", 19, &where, &r);
	CHECK_MEM(r.head, r.headlen, "41 Server unavailable\r\n");
	reply_release(&r);
	/* A bad request is still refused as such. */
	reply_init(&r);
	gemini_answer(NULL, "http://localhost/", 17, &where, &r);
	CHECK(r.status == 53);
	reply_release(&r);
}
