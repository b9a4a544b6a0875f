/*
 * html_test.c: HTML bodies to the store's markup (html.c), the import's
 * pure helpers (dates, slugs, titles), and how link lines and fenced
 * blocks of the store render in both protocols.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"
#include "import.h"
#include "post.h"
#include "test.h"
#include "testutil.h"

/* Converts html; the images joined as "Image: x\n" lines, then the body. */
static const char *
conv(const char *html, int flags)
{
	static struct buf out;
	struct html_markup m;
	char err[160];
	size_t i;

	buf_reset(&out);
	if (html_to_markup(html, strlen(html), "https://blog.example/2019/09/p/",
	    flags, 1 << 20, &m, err, sizeof(err)) == -1) {
		buf_printf(&out, "error: %s", err);
		return out.data;
	}
	for (i = 0; i < m.nimages; i++)
		buf_printf(&out, "Image: %s\n", m.images[i]);
	if (m.body.len > 0)
		buf_add(&out, m.body.data, m.body.len);
	html_markup_free(&m);
	buf_putc(&out, '\0');
	return out.data;
}

__attribute__((destructor)) static void
html_test_free(void)
{
	conv("", 0);
}

TEST(html_paragraphs_headings_quotes_and_lists)
{
	CHECK_STR(conv("<p>One  <b>bold</b>\n word.</p><h3>Sub</h3>"
	    "<blockquote><p>Quoted.</p></blockquote>"
	    "<ol><li>first</li><li>second</li></ol><p>After.</p>", 0),
	    "One bold word.\n\n## Sub\n\n> Quoted.\n\n* first\n* second\n\n"
	    "After.");
}

TEST(html_entities_and_nbsp_are_decoded_and_kept)
{
	CHECK_STR(conv("<p>Iran&#8217;s&nbsp; IRGC &amp; &ldquo;MOIS&rdquo; "
	    "&hellip;</p>", 0),
	    "Iran\xe2\x80\x99s\xc2\xa0 IRGC & \xe2\x80\x9cMOIS\xe2\x80\x9d "
	    "\xe2\x80\xa6");
}

TEST(html_links_become_link_lines_after_their_block)
{
	CHECK_STR(conv("<p>Read <a href=\"/tag/x/\">the tag</a> and "
	    "<a href=\"https://e.example/a b\">this</a>.</p>"
	    "<p><a href=\"https://e.example/only\">Only a link</a></p>"
	    "<p><a href=\"#top\">Top</a> <a href=\"javascript:x()\">js</a></p>"
	    "<p><a href=\"/big.jpg\"><img src=\"/s.jpg\" alt=\"A photo\"></a></p>",
	    0),
	    "Image: A photo\n"
	    "Read the tag and this.\n"
	    "=> https://blog.example/tag/x/ the tag\n"
	    "=> https://e.example/a%20b this\n\n"
	    "=> https://e.example/only Only a link\n\n"
	    "Top js\n\n"
	    "=> https://blog.example/big.jpg A photo");
}

TEST(html_images_and_captions_become_image_lines)
{
	CHECK_STR(conv("<figure class=\"wp-block-image\"><img src=\"a.jpg\" "
	    "alt=\"The alt\"><figcaption>The <em>caption</em></figcaption>"
	    "</figure><p>Text.</p><div class=\"wp-caption\"><img alt=\"Two\">"
	    "<p class=\"wp-caption-text\">Cap two</p></div><img alt=\"The alt\">",
	    0),
	    "Image: The alt\nImage: The caption\nImage: Two\nImage: Cap two\n"
	    "Text.");
}

TEST(html_wordpress_stored_text_with_shortcodes)
{
	CHECK_STR(conv("[caption id=\"attachment_1\" align=\"aligncenter\" "
	    "width=\"800\"]<img src=\"x.jpg\" alt=\"Alt\" /> Caption "
	    "text[/caption]\n\nFirst [the regime’s] paragraph,\nsame one."
	    "\n\n[gallery ids=\"1,2\"]\n\n[embed]https://v.example/1[/embed]"
	    "\n\nsupport[ed] it.", HTML_AUTOP),
	    "Image: Alt\nImage: Caption text\n"
	    "First [the regime’s] paragraph,\nsame one.\n\n"
	    "=> https://v.example/1\n\nsupport[ed] it.");
}

TEST(html_drops_scripts_comments_and_feed_chrome)
{
	CHECK_STR(conv("<p>Body.</p><script>alert(1)</script><!-- c -->"
	    "<style>p{}</style><p>Please follow and like us:</p>"
	    "<div class=\"sharedaddy\"><a href=\"https://s.example/\">Share"
	    "</a></div><p><a class=\"more-link\" href=\"/p#more\">Continue "
	    "reading <span class=\"screen-reader-text\">P</span></a></p>"
	    "<p>The post <a href=\"https://blog.example/p/\">P</a> appeared "
	    "first on <a href=\"https://blog.example/\">Blog</a>.</p>", 0),
	    "Body.");
}

TEST(html_pre_is_a_fenced_block_kept_as_written)
{
	CHECK_STR(conv("<p>Code:</p><pre>\n  a  b\n```\n\n  c</pre>", 0),
	    "Code:\n\n```\n  a  b\n ```\n\n  c\n```");
}

TEST(html_text_that_looks_like_markup_stays_text)
{
	CHECK_STR(conv("<p>=&gt; not a link</p><p>```</p>", 0),
	    " => not a link\n\n ```");
}

TEST(html_broken_html_is_mended_and_controls_dropped)
{
	CHECK_STR(conv("<p>Open <b>bold <i>both</p><p>Next\x01\x7f"
	    "\xc2\x85 one</b>", 0), "Open bold both\n\nNext one");
	CHECK_STR(conv("   \n ", 0), "");
}

/* Found by html_fuzz: an empty pre first did arithmetic on NULL. */
TEST(html_empty_pre_is_nothing)
{
	CHECK_STR(conv("<pre></pre>", 0), "");
	CHECK_STR(conv("<pre>\x01\x7f</pre><p>After.</p>", 0), "After.");
}

/* Found by html_fuzz: alt texts reached link and Image lines raw. */
TEST(html_controls_never_reach_alt_texts_or_pre)
{
	CHECK_STR(conv("<p><a href=\"https://blog.example/big.jpg\"><img "
	    "alt=\"A\x01 ph\x7f" "oto\xc2\x9b\"></a></p><img alt=\"B\x1b[2Jad\">"
	    "<pre>a\x7f\x1b[31mb\xc2\x85" "c\td</pre>", 0),
	    "Image: A photo\nImage: B[2Jad\n=> https://blog.example/big.jpg A photo\n\n"
	    "```\na[31mbc\td\n```");
}

TEST(html_body_over_the_limit_is_an_error)
{
	struct html_markup m;
	char err[160], big[4096];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(html_to_markup(big, strlen(big), NULL, 0, 1000, &m, err,
	    sizeof(err)) == -1);
	CHECK(strstr(err, "larger than 1000 bytes") != NULL);
}

TEST(html_to_text_flattens_a_title)
{
	char *t = html_to_text("<b>Bold</b> &amp;\n <i>title</i>", 31);

	CHECK_STR(t, "Bold & title");
	free(t);
}

TEST(import_date_reads_rfc822_iso_and_wordpress_dates)
{
	char d[11];

	CHECK(import_date("Mon, 23 Sep 2019 10:00:00 +0000", d) == 0);
	CHECK_STR(d, "2019-09-23");
	CHECK(import_date("2 Mar 19 23:59 -0800", d) == 0);
	CHECK_STR(d, "2019-03-02");
	CHECK(import_date("2019-09-23T23:30:00-07:00", d) == 0);
	CHECK_STR(d, "2019-09-23");
	CHECK(import_date("2019-09-23 10:00:00", d) == 0);
	CHECK_STR(d, "2019-09-23");
	CHECK(import_date("0000-00-00 00:00:00", d) == -1);
	CHECK(import_date("Mon, 30 Nov -0001 00:00:00 +0000", d) == -1);
	CHECK(import_date("Tue, 31 Sep 2019 10:00:00 +0000", d) == -1);
	CHECK(import_date("yesterday", d) == -1);
	CHECK(import_date("", d) == -1);
}

TEST(import_slugify_makes_store_slugs)
{
	char s[128];

	import_slugify("Iran’s  IRGC: \"MOIS\" (NCRI) & Co.", s, sizeof(s));
	CHECK_STR(s, "irans-irgc-mois-ncri-co");
	import_slugify("Überall “¿?”", s, sizeof(s));
	CHECK_STR(s, "berall");
	import_slugify("—", s, sizeof(s));
	CHECK_STR(s, "post");
	CHECK(post_valid_slug(s));
}

TEST(import_clean_line_never_lets_controls_through)
{
	char out[64];

	CHECK(import_clean_line("A\tB\r\n  C\x01\xc2\x90" "D", out,
	    sizeof(out)) == 1);
	CHECK_STR(out, "A B C D");
	CHECK(import_clean_line("  Iran’s\xc2\xa0 IRGC  ", out,
	    sizeof(out)) == 0);
	CHECK_STR(out, "Iran’s\xc2\xa0 IRGC");
	/* Cut at the size, never inside a character. */
	CHECK(import_clean_line("abcd\xe2\x80\x99", out, 6) == 2);
	CHECK_STR(out, "abcd");
}

TEST(post_link_line_needs_a_url)
{
	struct post_link l;

	CHECK(post_link_line("=> https://e.example/x  Some text ", 34, &l));
	CHECK(l.url_len == 19 && memcmp(l.url, "https://e.example/x", 19) == 0);
	CHECK(l.text_len == 9 && memcmp(l.text, "Some text", 9) == 0);
	CHECK(post_link_line("=>/posts/a", 10, &l) && l.text_len == 0);
	CHECK(!post_link_line("=> not a link", 13, &l));
	CHECK(!post_link_line("=>", 2, &l));
	CHECK(!post_link_line("=> :x", 5, &l));
}

TEST(post_fence_opens_only_when_closed)
{
	const char *body = "```\ncode\n```\n";

	CHECK(post_fence_opens(body, 3, body + 4, body + strlen(body)));
	CHECK(!post_fence_opens(body + 9, 3, body + 13, body + 13));
	CHECK(!post_fence_opens("``", 2, body, body));
}

/* A store with one post of link lines and a fenced block. */
static char *links_dir;

static struct store *
links_store(void)
{
	static struct store *st;

	if (st != NULL)
		return st;
	if ((links_dir = tu_mkdir()) == NULL ||
	    tu_write(links_dir, "links.txt",
	    "Title: Links\nDate: 2020-01-01\n"
	    "Source: https://blog.example/?p=1\n"
	    "Import-Hash: 00\n\n"
	    "A paragraph about a page.\n"
	    "=> https://blog.example/page a page\n"
	    "=> gemini://g.example/\n\n"
	    "```\n=> https://not.a/link in pre\n\n.dot\n```\n\n"
	    "```\nunclosed\n", -1) == -1)
		return NULL;
	st = tu_load(links_dir, NULL);
	return st;
}

__attribute__((destructor)) static void
links_store_free(void)
{
	if (links_dir != NULL)
		tu_rmdir(links_dir);
}

TEST(gemtext_renders_link_lines_and_fenced_blocks)
{
	struct buf b;

	CHECK(links_store() != NULL && links_store()->nposts == 1);
	buf_init(&b);
	CHECK(tu_render(links_store(), PROTO_GEMINI, "/posts/links", &b) == 0);
	CHECK(strstr(b.data, "A paragraph about a page.\n"
	    "=> https://blog.example/page a page\n"
	    "=> gemini://g.example/\n\n"
	    "```\n=> https://not.a/link in pre\n\n.dot\n```\n\n"
	    " ```\nunclosed\n") != NULL);
	CHECK(strstr(b.data, "Source") == NULL);
	buf_free(&b);
}

TEST(gophermap_numbers_links_and_lists_them_at_the_end)
{
	struct buf b;

	CHECK(links_store() != NULL);
	buf_init(&b);
	CHECK(tu_render(links_store(), PROTO_GOPHER, "/posts/links", &b) == 0);
	CHECK(strstr(b.data, "A paragraph about a page.\r\n"
	    "a page [1]\r\n"
	    "gemini://g.example/ [2]\r\n\r\n"
	    "=> https://not.a/link in pre\r\n\r\n.dot\r\n\r\n"
	    "```\r\nunclosed\r\n\r\n"
	    "[1] https://blog.example/page\r\n"
	    "[2] gemini://g.example/\r\n") != NULL);
	/* A text ends like a file, as Gophernicus serves the export. */
	CHECK(b.len > 25 &&
	    memcmp(b.data + b.len - 25, "[2] gemini://g.example/\r\n", 25) == 0);
	buf_free(&b);
}
