/* feed_test.c: Atom feeds of the archive and of a tag. */
#include <stdio.h>
#include <string.h>

#include "fake_store.h"
#include "feed.h"
#include "test.h"

static void
two_posts(struct fake_store *f)
{
	fake_init(f);
	fake_post(f, "second", "2020-02-03", "Fish & <chips>", "Food,Misc",
	    "Line one \"quoted\".\n\nA bell\x07 and a bad byte \xff here.");
	fake_post(f, "first", "2019-12-31", "Hello", "Misc", "Hi.");
	f->posts[1].author = "Ann";
}

TEST(feed_atom_of_the_archive)
{
	struct fake_store f;
	struct buf b;

	two_posts(&f);
	buf_init(&b);
	CHECK(feed_atom(&f.st, NULL, PROTO_GEMINI, &b) == 0);
	CHECK_STR(b.data,
	    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\">\n"
	    "<id>tag:example.org,2019-12-31:/</id>\n"
	    "<title>Test capsule</title>\n"
	    "<subtitle>A description &amp; more</subtitle>\n"
	    "<updated>2020-02-03T00:00:00Z</updated>\n"
	    "<author><name>Tester</name></author>\n"
	    "<link rel=\"self\" type=\"application/atom+xml\" "
	    "href=\"gemini://example.org/atom.xml\"/>\n"
	    "<link rel=\"alternate\" type=\"text/gemini\" "
	    "href=\"gemini://example.org/\"/>\n"
	    "<generator>capsule</generator>\n"
	    "<entry>\n"
	    "<id>tag:example.org,2020-02-03:/posts/second</id>\n"
	    "<title>Fish &amp; &lt;chips&gt;</title>\n"
	    "<updated>2020-02-03T00:00:00Z</updated>\n"
	    "<link rel=\"alternate\" type=\"text/gemini\" "
	    "href=\"gemini://example.org/posts/second\"/>\n"
	    "<category term=\"Food\"/>\n"
	    "<category term=\"Misc\"/>\n"
	    "<content type=\"text\">Line one &quot;quoted&quot;.\n\n"
	    "A bell and a bad byte  here.</content>\n"
	    "</entry>\n"
	    "<entry>\n"
	    "<id>tag:example.org,2019-12-31:/posts/first</id>\n"
	    "<title>Hello</title>\n"
	    "<updated>2019-12-31T00:00:00Z</updated>\n"
	    "<author><name>Ann</name></author>\n"
	    "<link rel=\"alternate\" type=\"text/gemini\" "
	    "href=\"gemini://example.org/posts/first\"/>\n"
	    "<category term=\"Misc\"/>\n"
	    "<content type=\"text\">Hi.</content>\n"
	    "</entry>\n"
	    "</feed>\n");
	buf_free(&b);
	fake_free(&f);
}

TEST(feed_atom_of_a_tag_links_to_the_tag)
{
	struct fake_store f;
	struct buf b;

	two_posts(&f);
	buf_init(&b);
	CHECK(feed_atom(&f.st, &f.tags[0], PROTO_GEMINI, &b) == 0);	/* Food */
	CHECK(strstr(b.data, "<id>tag:example.org,2019-12-31:/tag/food/</id>\n")
	    != NULL);
	CHECK(strstr(b.data, "<title>Test capsule: Food</title>\n") != NULL);
	CHECK(strstr(b.data, "href=\"gemini://example.org/tag/food/atom.xml\"")
	    != NULL);
	CHECK(strstr(b.data, "href=\"gemini://example.org/tag/food/\"") !=
	    NULL);
	CHECK(strstr(b.data, "/posts/second</id>") != NULL);
	CHECK(strstr(b.data, "/posts/first</id>") == NULL);
	buf_free(&b);
	fake_free(&f);
}

TEST(feed_atom_names_a_port_and_static_files)
{
	struct fake_store f;
	struct buf b;

	two_posts(&f);
	f.st.site.gemini_port = 1966;
	f.st.site.static_links = 1;
	buf_init(&b);
	CHECK(feed_atom(&f.st, NULL, PROTO_GEMINI, &b) == 0);
	CHECK(strstr(b.data, "href=\"gemini://example.org:1966/atom.xml\"") !=
	    NULL);
	CHECK(strstr(b.data,
	    "href=\"gemini://example.org:1966/posts/first.gmi\"") != NULL);
	/* The ids stay those of the live feed. */
	CHECK(strstr(b.data, "<id>tag:example.org,2019-12-31:/posts/first</id>")
	    != NULL);
	buf_free(&b);
	fake_free(&f);
}

TEST(feed_atom_over_gopher_links_gopher_items)
{
	struct fake_store f;
	struct buf b, gem;

	two_posts(&f);
	f.st.site.gopher_port = 7070;
	buf_init(&b);
	buf_init(&gem);
	CHECK(feed_atom(&f.st, NULL, PROTO_GOPHER, &b) == 0);
	CHECK(strstr(b.data, "gemini://") == NULL);
	CHECK(strstr(b.data, "<link rel=\"self\" type=\"application/atom+xml\" "
	    "href=\"gopher://example.org:7070/0/atom.xml\"/>") != NULL);
	CHECK(strstr(b.data, "href=\"gopher://example.org:7070/1/\"") != NULL);
	CHECK(strstr(b.data, "<link rel=\"alternate\" type=\"text/plain\" "
	    "href=\"gopher://example.org:7070/0/posts/first\"/>") != NULL);
	/* Port 70 is the default, left out. */
	f.st.site.gopher_port = 70;
	buf_reset(&b);
	CHECK(feed_atom(&f.st, NULL, PROTO_GOPHER, &b) == 0);
	CHECK(strstr(b.data, "href=\"gopher://example.org/0/posts/first\"") !=
	    NULL);
	/* The same ids as the Gemini feed: one post, one entry. */
	CHECK(feed_atom(&f.st, NULL, PROTO_GEMINI, &gem) == 0);
	CHECK(strstr(b.data, "<id>tag:example.org,2019-12-31:/posts/first</id>")
	    != NULL);
	CHECK(strstr(gem.data, "<id>tag:example.org,2019-12-31:/posts/first</id>")
	    != NULL);
	buf_free(&gem);
	buf_free(&b);
	fake_free(&f);
}

TEST(feed_atom_of_an_empty_store_is_still_a_feed)
{
	struct fake_store f;
	struct buf b;

	fake_init(&f);
	f.st.settings.author = "";
	buf_init(&b);
	CHECK(feed_atom(&f.st, NULL, PROTO_GEMINI, &b) == 0);
	CHECK(strstr(b.data, "<updated>1970-01-01T00:00:00Z</updated>") !=
	    NULL);
	/* With no author set, the capsule's title stands in. */
	CHECK(strstr(b.data, "<author><name>Test capsule</name></author>") !=
	    NULL);
	CHECK(strstr(b.data, "<entry>") == NULL);
	buf_free(&b);
	fake_free(&f);
}

TEST(feed_atom_keeps_fifty_newest_entries)
{
	struct fake_store f;
	struct buf b;
	char slug[60][8];
	const char *s;
	size_t i, n;

	fake_init(&f);
	for (i = 0; i < 60; i++) {
		snprintf(slug[i], sizeof(slug[i]), "p%02zu", i);
		fake_post(&f, slug[i], "2020-01-01", "T", "", "x");
	}
	buf_init(&b);
	CHECK(feed_atom(&f.st, NULL, PROTO_GEMINI, &b) == 0);
	for (n = 0, s = b.data; (s = strstr(s, "<entry>")) != NULL; s++)
		n++;
	CHECK(n == 50);
	CHECK(strstr(b.data, "/posts/p49<") != NULL);
	CHECK(strstr(b.data, "/posts/p50<") == NULL);
	buf_free(&b);
	fake_free(&f);
}
