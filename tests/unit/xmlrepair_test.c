/* xmlrepair_test.c: a feed's bytes mended before the strict XML parse. */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "xmlrepair.h"

#define S(lit) (lit), (sizeof(lit) - 1)

/* The mended text (or the input when nothing needed mending). */
static char *
mend(const char *in, size_t len, struct xmlrepair *r)
{
	char *s;

	if (xmlrepair(in, len, r) == -1)
		return NULL;
	if (r->data == NULL)
		return strndup(in, len);
	s = strndup(r->data, r->len);
	xmlrepair_free(r);
	return s;
}

TEST(xmlrepair_leaves_a_well_formed_feed_alone)
{
	struct xmlrepair r;
	const char *in = "<?xml version=\"1.0\"?>\n<rss><channel><title>A &amp; "
	    "B &lt;&#8217;&#x2019;</title><![CDATA[&nbsp; & x]]><!-- & -->"
	    "</channel></rss>\n";

	CHECK(xmlrepair(in, strlen(in), &r) == 0);
	CHECK(r.data == NULL);
	CHECK(r.encoding == NULL);
	CHECK(r.bare_amp.n == 0 && r.html_entity.n == 0);
}

TEST(xmlrepair_moves_blank_lines_before_the_declaration_after_it)
{
	struct xmlrepair r;
	char *s = mend(S("\n\n  <?xml version=\"1.0\"?>\n<rss/>\n"), &r);

	CHECK_STR(s, "<?xml version=\"1.0\"?>\n\n\n<rss/>\n");
	CHECK(r.lead_lines == 2);
	free(s);
}

TEST(xmlrepair_reads_html_entities_as_characters)
{
	struct xmlrepair r;
	char *s = mend(S("<t>a&nbsp;b&eacute;&hellip;&Eacute;\n&mdash;</t>"),
	    &r);

	CHECK_STR(s, "<t>a&#160;b&#233;&#8230;&#201;\n&#8212;</t>");
	CHECK(r.html_entity.n == 5);
	CHECK(r.html_entity.line == 1);
	CHECK_STR(r.html_entity.what, "&nbsp;");
	free(s);
}

TEST(xmlrepair_makes_a_bare_ampersand_text_in_text_and_attributes)
{
	struct xmlrepair r;
	char *s = mend(S("<a href=\"/?a=1&b=2\">\nAT&T & co &copy &bogus;</a>"),
	    &r);

	CHECK_STR(s, "<a href=\"/?a=1&amp;b=2\">\nAT&amp;T &amp; co &amp;copy "
	    "&amp;bogus;</a>");
	CHECK(r.bare_amp.n == 4);
	CHECK(r.bare_amp.line == 1);
	CHECK(r.unknown_entity.n == 1);
	CHECK(r.unknown_entity.line == 2);
	CHECK_STR(r.unknown_entity.what, "&bogus;");
	free(s);
}

TEST(xmlrepair_keeps_cdata_comments_and_the_doctype_as_they_are)
{
	struct xmlrepair r;
	char *s = mend(S("<!DOCTYPE rss [<!-- & -->]><r><![CDATA[a & b &nbsp;]]>"
	    "<!-- c & d --><?pi & ?>&</r>"), &r);

	CHECK_STR(s, "<!DOCTYPE rss [<!-- & -->]><r><![CDATA[a & b &nbsp;]]>"
	    "<!-- c & d --><?pi & ?>&amp;</r>");
	CHECK(r.bare_amp.n == 1);
	free(s);
}

TEST(xmlrepair_leaves_entities_a_document_declares_to_the_parser)
{
	struct xmlrepair r;
	char *s = mend(S("<!DOCTYPE r [<!ENTITY x \"y\">]><r>&x;&nbsp;</r>"), &r);

	/* feedread refuses such a document: nothing here may expand it. */
	CHECK_STR(s, "<!DOCTYPE r [<!ENTITY x \"y\">]><r>&x;&nbsp;</r>");
	free(s);
}

TEST(xmlrepair_reads_references_to_128_159_as_windows_1252)
{
	struct xmlrepair r;
	char *s = mend(S("<t>don&#146;t &#147;q&#148; &#x80;5 &#129; "
	    "&#0; &#xD800; &#1114112; &#X41;</t>"), &r);

	CHECK_STR(s, "<t>don&#8217;t &#8220;q&#8221; &#8364;5 &#129; "
	    "&#65533; &#65533; &#65533; &#65;</t>");
	CHECK(r.cp1252_ref.n == 4);
	CHECK_STR(r.cp1252_ref.what, "&#146;");
	CHECK(r.bad_ref.n == 3);
	free(s);
}

TEST(xmlrepair_reads_a_latin1_feed_as_windows_1252)
{
	struct xmlrepair r;
	char *s = mend(S("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
	    "<t>don\x92t \x93q\x94 \xa3\x35 caf\xe9 \x81</t>"), &r);

	CHECK(s != NULL);
	CHECK_STR(r.encoding, "UTF-8");
	CHECK_STR(s, "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
	    "<t>don\xe2\x80\x99t \xe2\x80\x9cq\xe2\x80\x9d \xc2\xa3" "5 "
	    "caf\xc3\xa9 \xef\xbf\xbd</t>");
	CHECK(r.cp1252_byte.n == 4);
	CHECK(r.cp1252_byte.line == 2);
	CHECK_STR(r.cp1252_byte.what, "0x92");
	CHECK(r.bad_byte.n == 1);
	free(s);
}

TEST(xmlrepair_makes_stray_bytes_in_utf8_replacement_characters)
{
	struct xmlrepair r;
	char *s = mend(S("<?xml version='1.0' encoding='utf-8'?>\n<t>caf\xe9 "
	    "\xc3\xa9 \xed\xa0\x80 \x1b[31m</t>"), &r);

	CHECK_STR(s, "<?xml version='1.0' encoding='utf-8'?>\n<t>caf\xef\xbf\xbd "
	    "\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd[31m</t>");
	CHECK(r.encoding == NULL);
	/* A surrogate is three bad bytes, as browsers count them. */
	CHECK(r.bad_byte.n == 4);
	CHECK(r.bad_byte.line == 2);
	CHECK(r.control.n == 1);
	CHECK_STR(r.control.what, "0x1b");
	free(s);
}

TEST(xmlrepair_leaves_utf16_and_other_encodings_bytes_alone)
{
	struct xmlrepair r;

	CHECK(xmlrepair(S("\xff\xfe<\0?\0x\0"), &r) == 0);
	CHECK(r.data == NULL && r.wide);
	CHECK(xmlrepair(S("Lorem\x80"), &r) == 0);	/* not EBCDIC */
	CHECK(!r.wide);
	xmlrepair_free(&r);
	CHECK(xmlrepair(S("<?xml version=\"1.0\" encoding=\"koi8-r\"?><t>\xc1"
	    "</t>"), &r) == 0);
	CHECK(r.data == NULL);
	CHECK(r.encoding == NULL);
}
