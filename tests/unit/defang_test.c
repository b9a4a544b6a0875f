/*
 * defang_test.c: control characters written into a post (ESC sequences,
 * bare CR, form feed, C1 CSI) never reach a reader's terminal, on either
 * protocol, in any page that shows the post's text.
 */
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "store.h"
#include "test.h"
#include "testutil.h"
#include "utf8.h"

/* Where a control byte a terminal acts on is, or -1. */
static long
first_control(const char *s, size_t n)
{
	size_t i;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '\t' || c == '\n' ||
		    (c == '\r' && i + 1 < n && s[i + 1] == '\n'))
			continue;
		if (c < 0x20 || c == 0x7f)
			return (long)i;
		if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f)
			return (long)i;
	}
	return -1;
}

TEST(defang_posts_reach_no_terminal_as_controls)
{
	static const char *paths[] = { "/", "/posts/", "/tags/",
	    "/tag/evil/", "/posts/evil", "/atom.xml", "/tag/evil/atom.xml" };
	struct store *st;
	struct buf b;
	char *dir;
	size_t i;
	int proto;
	long at;

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "evil.txt",
	    "Title: Bell\a and \x1b]0;owned\x07 title\n"
	    "Date: 2024-01-01\n"
	    "Tags: evil\n\n"
	    "Clear: \x1b[2J\x1b[H gone\n"
	    "bare\rCR overwrites\n"
	    "form\ffeed, del\x7f, csi \xc2\x9b" "31m red\n"
	    "tab\tstays\n", -1) == 0);
	CHECK((st = tu_load(dir, NULL)) != NULL);
	CHECK(st->nposts == 1);
	for (proto = PROTO_GEMINI; proto <= PROTO_GOPHER; proto++) {
		for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
			buf_init(&b);
			if (tu_render(st, (enum proto)proto, paths[i], &b) ==
			    -1) {
				printf("    %s: no page\n", paths[i]);
				buf_free(&b);
				continue;
			}
			at = first_control(b.data, b.len);
			if (at != -1)
				printf("    %s %s: control 0x%02x at %ld\n",
				    proto == PROTO_GEMINI ? "gemini" :
				    "gopher", paths[i],
				    (unsigned char)b.data[at], at);
			CHECK(at == -1);
			if (strcmp(paths[i], "/posts/evil") == 0)
				CHECK(strstr(b.data, "tab\tstays") != NULL);
			buf_free(&b);
		}
	}
	store_free(st);
	tu_rmdir(dir);
}

TEST(defang_table)
{
	char s[] = "a\x1b[0m\r\nb\rc\fd\x7f" "e\xc2\x9b" "f\xc2\xa0g\th\n";

	utf8_defang(s, strlen(s));
	CHECK_STR(s, "a [0m\r\nb c d e  f\xc2\xa0g\th\n");
}
