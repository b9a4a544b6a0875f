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

/* Each picture reported, as "url|alt|caption" lines. */
static struct buf pictures;

/* A mirror: pictures under /wp-content/uploads/ get a local path. */
static const char *
conv_picture(void *arg, const struct html_picture *pic)
{
	static char path[256];
	const char *up = strstr(pic->url, "/wp-content/uploads/");

	buf_printf(&pictures, "%s|%s|%s\n", pic->url, pic->alt,
	    pic->caption);
	if (arg == NULL || up == NULL)
		return NULL;
	snprintf(path, sizeof(path), "/media/%s", up + 20);
	return path;
}

/* Converts html; each warning as "Warning: x\n", then the body. */
static const char *
conv_with(const char *html, int flags, int mirror)
{
	static struct buf out;
	struct html_options o;
	struct html_markup m;
	char err[160];
	size_t i;

	buf_reset(&out);
	buf_reset(&pictures);
	memset(&o, 0, sizeof(o));
	o.base = "https://blog.example/2019/09/p/";
	o.flags = flags;
	o.max = 1 << 20;
	o.picture = conv_picture;
	o.arg = mirror ? &o : NULL;
	if (html_convert(html, strlen(html), &o, &m, err, sizeof(err)) == -1) {
		buf_printf(&out, "error: %s", err);
		return out.data;
	}
	for (i = 0; i < m.nwarnings; i++)
		buf_printf(&out, "Warning: %s\n", m.warnings[i]);
	if (m.body.len > 0)
		buf_add(&out, m.body.data, m.body.len);
	html_markup_free(&m);
	buf_putc(&out, '\0');
	return out.data;
}

static const char *
conv(const char *html, int flags)
{
	return conv_with(html, flags, 0);
}

__attribute__((destructor)) static void
html_test_free(void)
{
	conv("", 0);
	buf_free(&pictures);
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
	    "<p><a href=\"/big.jpg\"><img src=\"/s.jpg\" alt=\"A photo\"></a></p>"
	    "<p><a href=\"/about/\"><img src=\"/b.png\" alt=\"Banner\"></a></p>",
	    0),
	    "Read the tag and this.\n"
	    "=> https://blog.example/tag/x/ the tag\n"
	    "=> https://e.example/a%20b this\n\n"
	    "=> https://e.example/only Only a link\n\n"
	    "Top js\n\n"
	    "=> https://blog.example/s.jpg A photo\n\n"
	    "=> https://blog.example/b.png Banner\n\n"
	    "=> https://blog.example/about/ Banner");
}

/* Issue 16 item 12: pictures stay in their place, as link lines. */
TEST(html_pictures_are_link_lines_in_their_place_with_captions)
{
	CHECK_STR(conv("<p>Before.</p><figure class=\"wp-block-image\">"
	    "<img src=\"a.jpg\" alt=\"The alt\"><figcaption>The <em>caption"
	    "</em></figcaption></figure><p>Text.</p><div class=\"wp-caption\">"
	    "<img src=\"/two.png\" alt=\"\"><p class=\"wp-caption-text\">Cap "
	    "two</p></div><p>Inline <img src=\"/three.gif\" alt=\"Three\"> "
	    "after.</p>", 0),
	    "Before.\n\n"
	    "=> https://blog.example/2019/09/p/a.jpg The alt\nThe caption\n\n"
	    "Text.\n\n"
	    "=> https://blog.example/two.png Cap two\n\n"
	    "Inline\n\n=> https://blog.example/three.gif Three\n\nafter.");
	CHECK_STR(pictures.data,
	    "https://blog.example/2019/09/p/a.jpg|The alt|The caption\n"
	    "https://blog.example/two.png||Cap two\n"
	    "https://blog.example/three.gif|Three|\n");
}

/* Issue 16 item 12: "Perhaps an image:" was followed by nothing. */
TEST(html_picture_with_empty_alt_still_links_and_is_a_post)
{
	CHECK_STR(conv("<p>Perhaps an image:</p><p><img src=\"/p.jpg\" "
	    "alt=\"\"></p>", 0),
	    "Perhaps an image:\n\n=> https://blog.example/p.jpg");
	CHECK_STR(conv("<img src=\"https://blog.example/only.jpg\">", 0),
	    "=> https://blog.example/only.jpg");
	/* Emoji are their text; tracking pixels and data: URLs nothing. */
	CHECK_STR(conv("<p>Fine <img class=\"wp-smiley\" src=\"/s.png\" "
	    "alt=\"\xf0\x9f\x99\x82\"> day<img src=\"/px.gif\" width=\"1\" "
	    "height=\"1\"><img src=\"data:image/gif;base64,R0lG\" "
	    "data-src=\"/lazy.jpg\" alt=\"Lazy\"></p>", 0),
	    "Fine \xf0\x9f\x99\x82 day\n\n=> https://blog.example/lazy.jpg Lazy");
}

/* The caller's path replaces the URL: how import mirrors pictures. */
TEST(html_picture_callback_gives_the_local_path)
{
	CHECK_STR(conv_with("<figure><a href=\"https://blog.example/wp-content/"
	    "uploads/2019/09/big.jpg\"><img src=\"https://blog.example/"
	    "wp-content/uploads/2019/09/big-300x200.jpg\" alt=\"A\"></a>"
	    "<figcaption>Cap <a href=\"https://e.example/\">by E</a>"
	    "</figcaption></figure><p><img src=\"https://cdn.example/x.png\" "
	    "alt=\"X\"></p>", 0, 1),
	    "=> /media/2019/09/big-300x200.jpg A\nCap by E\n"
	    "=> https://e.example/ by E\n\n"
	    "=> https://cdn.example/x.png X");
	/* A gallery: each picture, the gallery's caption after the last. */
	CHECK_STR(conv_with("<figure class=\"wp-block-gallery\"><figure>"
	    "<img src=\"/wp-content/uploads/g1.jpg\" alt=\"One\"></figure>"
	    "<figure><img src=\"/wp-content/uploads/g2.jpg\" alt=\"\">"
	    "<figcaption>Two</figcaption></figure><figcaption>Both"
	    "</figcaption></figure>", 0, 1),
	    "=> /media/g1.jpg One\n\n=> /media/g2.jpg Two\n\nBoth");
}

TEST(html_wordpress_stored_text_with_shortcodes)
{
	CHECK_STR(conv("[caption id=\"attachment_1\" align=\"aligncenter\" "
	    "width=\"800\"]<img src=\"x.jpg\" alt=\"Alt\" /> Caption "
	    "text[/caption]\n\nFirst [the regime’s] paragraph,\nsame one."
	    "\n\n[gallery ids=\"1,2\"]\n\n[embed]https://v.example/1[/embed]"
	    "\n\nsupport[ed] it.", HTML_AUTOP),
	    "Warning: a [gallery] was dropped: it names its pictures by "
	    "WordPress's numbers alone\n"
	    "=> https://blog.example/2019/09/p/x.jpg Alt\nCaption text\n\n"
	    "First [the regime’s] paragraph,\nsame one.\n\n"
	    "=> https://v.example/1\n\nsupport[ed] it.");
	/* Older WordPress: the caption in an attribute. */
	CHECK_STR(conv("[caption id=\"a\" caption=\"In the attribute\"]<img "
	    "src=\"/y.jpg\" alt=\"\">[/caption]\n\nNext.", HTML_AUTOP),
	    "=> https://blog.example/y.jpg In the attribute\n\nNext.");
}

/* Issue 16 item 11: the text after an <embed> was lost. */
TEST(html_embedded_media_become_link_lines_and_text_after_stays)
{
	CHECK_STR(conv("<p>Before <embed src=\"/a.swf\"> after embed.</p>"
	    "<p>X <object data=\"/o.swf\"><param name=\"movie\" "
	    "value=\"/o.swf\"></object> after object <video src=\"/v.mp4\">"
	    " after video</p><p>A <audio><source src=\"/a.mp3\">Your browser "
	    "does not support the audio element.</audio> after audio "
	    "<iframe src=\"https://y.example/e/1\">no frames</iframe> after "
	    "iframe</p>", 0),
	    "Before after embed.\n=> https://blog.example/a.swf\n\n"
	    "X after object after video\n=> https://blog.example/o.swf\n"
	    "=> https://blog.example/v.mp4\n\n"
	    "A after audio after iframe\n=> https://blog.example/a.mp3\n"
	    "=> https://y.example/e/1");
}

TEST(html_wordpress_media_shortcodes_embeds_and_bare_urls_are_links)
{
	CHECK_STR(conv("Listen:\n\n[audio mp3=\"https://m.example/a.mp3\"]"
	    "[/audio]\n\n[video width=\"640\" mp4=\"/v.mp4\"][/video]\n\n"
	    "https://www.youtube.com/watch?v=abc\n\nText with "
	    "https://e.example/ inside stays.", HTML_AUTOP),
	    "Listen:\n\n=> https://m.example/a.mp3\n\n"
	    "=> https://blog.example/v.mp4\n\n"
	    "=> https://www.youtube.com/watch?v=abc\n\n"
	    "Text with https://e.example/ inside stays.");
	/* Block editor embeds: stored, served, and a self-closing one. */
	CHECK_STR(conv("<!-- wp:embed {\"url\":\"https://v.example/1\"} -->\n"
	    "<figure class=\"wp-block-embed\"><div class=\"wp-block-embed__"
	    "wrapper\">\nhttps://v.example/1\n</div><figcaption>A film"
	    "</figcaption></figure>\n<!-- /wp:embed -->\n"
	    "<figure class=\"wp-block-embed\"><div class=\"wp-block-embed__"
	    "wrapper\"><iframe src=\"https://v.example/embed/2\"></iframe>"
	    "</div></figure>\n"
	    "<!-- wp:core-embed/youtube {\"url\":\"https:\\/\\/v.example\\/3\"} /-->"
	    "<p>After.</p>", 0),
	    "=> https://v.example/1\n\nA film\n\n=> https://v.example/embed/2\n\n"
	    "=> https://v.example/3\n\nAfter.");
}

/* Issue 16 item 11: plugin shortcodes were left raw in the text. */
TEST(html_unknown_shortcodes_are_dropped_with_a_warning)
{
	CHECK_STR(conv("<p>Write to us:</p><p>[contact-form-7 id=\"12\" "
	    "title=\"Contact\"]</p><p>[su_box title=\"Note\"]Kept text."
	    "[/su_box] [newsletter] [the regime's] support[ed] [1]</p>", 0),
	    "Warning: the shortcode [contact-form-7] was dropped: capsule "
	    "cannot show what a WordPress plugin makes of it\n"
	    "Warning: the shortcode [su_box] was dropped: capsule cannot show "
	    "what a WordPress plugin makes of it\n"
	    "Write to us:\n\nKept text. [newsletter] [the regime's] "
	    "support[ed] [1]");
}

/* Issue 16 item 13: links to non-ASCII URLs vanished. */
TEST(html_links_with_non_ascii_or_spaces_are_percent_encoded)
{
	CHECK_STR(conv("<p><a href=\"https://de.example/Stra\xc3\x9f" "e\">"
	    "Straße</a> <a href=\"/Caf\xc3\xa9 au lait/\">Café</a> "
	    "<a href=\"https://fa.example/\xe2\x80\x8f" "a\">RTL</a></p>", 0),
	    "Straße Café RTL\n"
	    "=> https://de.example/Stra%C3%9Fe Straße\n"
	    "=> https://blog.example/Caf%C3%A9%20au%20lait/ Café\n"
	    "=> https://fa.example/%E2%80%8Fa RTL");
}

/* Issue 16 item 14: a table was a paragraph a cell. */
TEST(html_tables_are_a_line_a_row_and_nbsp_paragraphs_go)
{
	CHECK_STR(conv("<p>&nbsp;</p><table><thead><tr><th>Year</th><th>"
	    "Count</th></tr></thead><tbody><tr><td><p>2018</p></td><td>1,000"
	    "<br>strikes</td></tr><tr><td>2019</td><td><a href=\"/x\">180"
	    "</a></td></tr></tbody></table><p>\xc2\xa0 \xc2\xa0</p>"
	    "<p>After.</p>", 0),
	    "Year | Count\n2018 | 1,000 strikes\n2019 | 180\n"
	    "=> https://blog.example/x 180\n\nAfter.");
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
	    "=> https://blog.example/big.jpg A photo\n\n"
	    "```\na[31mbc\td\n```");
	CHECK_STR(conv("<img src=\"/a.png\" alt=\"B\x1b[2Jad\" title=\"t\">"
	    "<figure><img src=\"/b.png\"><figcaption>C\x01" "ap\xc2\x9b"
	    "</figcaption></figure>", 0),
	    "=> https://blog.example/a.png B[2Jad\n\n"
	    "=> https://blog.example/b.png Cap");
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
	CHECK_STR(s, "uberall");
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
