/*
 * wpapi_test.c: the pure parts of importing a live WordPress site
 * (wpapi.c, feedpage.c) and of the polite client's header reading
 * (fetch.c, through a page's Link header as WordPress sends it).
 */
#include <stdlib.h>
#include <string.h>

#include "feedpage.h"
#include "fetch.h"
#include "test.h"
#include "wpapi.h"

TEST(wpapi_route_pretty_and_plain_permalinks)
{
	char u[256];

	CHECK(wpapi_route("https://s.example/wp-json/", "wp/v2/posts",
	    "tags=5&page=2", u, sizeof(u)) == 0);
	CHECK_STR(u, "https://s.example/wp-json/wp/v2/posts?tags=5&page=2");
	CHECK(wpapi_route("https://s.example/blog/wp-json", "wp/v2/tags", "",
	    u, sizeof(u)) == 0);
	CHECK_STR(u, "https://s.example/blog/wp-json/wp/v2/tags");
	CHECK(wpapi_route("https://s.example/?rest_route=/", "wp/v2/posts",
	    "tags=5", u, sizeof(u)) == 0);
	CHECK_STR(u, "https://s.example/?rest_route=/wp/v2/posts&tags=5");
	CHECK(wpapi_route("https://s.example/wp-json/", "wp/v2/posts", "",
	    u, 20) == -1);
}

TEST(wpapi_archive_names_tag_category_author_and_site)
{
	char s[64];
	const char *h = "https://s.example";

	CHECK(wpapi_archive("https://s.example/tag/mek-support/", h, s,
	    sizeof(s)) == 't');
	CHECK_STR(s, "mek-support");
	CHECK(wpapi_archive("https://s.example/tag/mek-support/page/7/", h, s,
	    sizeof(s)) == 't');
	CHECK_STR(s, "mek-support");
	CHECK(wpapi_archive("https://s.example/category/news/world/", h, s,
	    sizeof(s)) == 'c');
	CHECK_STR(s, "world");
	CHECK(wpapi_archive("https://s.example/author/ann/", h, s,
	    sizeof(s)) == 'a');
	CHECK_STR(s, "ann");
	CHECK(wpapi_archive("https://s.example/", h, s, sizeof(s)) == 's');
	CHECK(wpapi_archive("https://s.example", h, s, sizeof(s)) == 's');
	CHECK(wpapi_archive("https://s.example/page/2/", h, s,
	    sizeof(s)) == 's');
	CHECK(wpapi_archive("https://s.example/wp-json/", h, s,
	    sizeof(s)) == 's');
	/* A blog below a path: home's path is not an archive's. */
	CHECK(wpapi_archive("https://s.example/blog/tag/x/",
	    "https://s.example/blog", s, sizeof(s)) == 't');
	CHECK_STR(s, "x");
	CHECK(wpapi_archive("https://s.example/blog/", "https://s.example/blog",
	    s, sizeof(s)) == 's');
	/* Plain permalinks. */
	CHECK(wpapi_archive("https://s.example/?tag=mek-support", h, s,
	    sizeof(s)) == 't');
	CHECK_STR(s, "mek-support");
	CHECK(wpapi_archive("https://s.example/?paged=2&category_name=news", h,
	    s, sizeof(s)) == 'c');
	CHECK_STR(s, "news");
	/* Not an archive: a post, a search, an id only the page knows. */
	CHECK(wpapi_archive("https://s.example/2019/09/23/a-post/", h, s,
	    sizeof(s)) == 0);
	CHECK(wpapi_archive("https://s.example/?p=12", h, s, sizeof(s)) == 0);
	CHECK(wpapi_archive("https://s.example/?s=iran", h, s, sizeof(s)) == 0);
	CHECK(wpapi_archive("https://s.example/tag/a/b/", h, s, sizeof(s)) == 0);
}

TEST(wpapi_title_drops_markup_decodes_entities_keeps_spaces)
{
	char *t;

	t = wpapi_title("Iran&#8217;s  IRGC &amp; <em>MOIS</em> &lt;3 &#x2014; "
	    "&hellip; &bogus; a < b");
	CHECK_STR(t, "Iran\xe2\x80\x99s  IRGC & MOIS <3 \xe2\x80\x94 "
	    "\xe2\x80\xa6 &bogus; a < b");
	free(t);
	t = wpapi_title("&#0; &#xd800; &#1114112;x");
	CHECK_STR(t, "  x");
	free(t);
}

TEST(wpapi_find_reads_the_link_header_element_or_root)
{
	struct fetch f;
	char api[256];
	static char html[] = "<!DOCTYPE html><html><head><link rel='stylesheet' "
	    "href='/a.css'><link rel=\"https://api.w.org/\" "
	    "href=\"https://s.example/?rest_route=/&amp;a=1\" /></head></html>";
	static char root[] = "{\"name\":\"S\",\"namespaces\":[\"wp/v2\"],"
	    "\"routes\":{}}";
	static char feed[] = "<?xml version=\"1.0\"?><rss></rss>";

	memset(&f, 0, sizeof(f));
	f.data = html;
	f.len = strlen(html);
	CHECK(wpapi_find(&f, api, sizeof(api)) == 0);
	CHECK_STR(api, "https://s.example/?rest_route=/&a=1");
	snprintf(f.api, sizeof(f.api), "https://s.example/wp-json/");
	CHECK(wpapi_find(&f, api, sizeof(api)) == 0);
	CHECK_STR(api, "https://s.example/wp-json/");
	/* A feed stays a feed, Link header or not. */
	f.data = feed;
	f.len = strlen(feed);
	CHECK(wpapi_find(&f, api, sizeof(api)) == -1);
	f.api[0] = '\0';
	f.data = root;
	f.len = strlen(root);
	snprintf(f.url, sizeof(f.url), "https://s.example/wp-json/");
	snprintf(f.type, sizeof(f.type), "application/json");
	CHECK(wpapi_find(&f, api, sizeof(api)) == 0);
	CHECK_STR(api, "https://s.example/wp-json/");
	f.data = (char *)"{\"code\":\"x\"}";
	f.len = strlen(f.data);
	CHECK(wpapi_find(&f, api, sizeof(api)) == -1);
	f.data = (char *)"<html><body>no api</body></html>";
	f.len = strlen(f.data);
	f.type[0] = '\0';
	CHECK(wpapi_find(&f, api, sizeof(api)) == -1);
}

TEST(feedpage_next_follows_rfc5005_links_of_the_feed_only)
{
	char u[256];
	static const char atom[] = "<?xml version=\"1.0\"?><feed xmlns="
	    "\"http://www.w3.org/2005/Atom\"><link rel=\"self\" href=\"/f\"/>"
	    "<link rel=\"next\" href=\"/f?page=2&amp;x=1\"/><entry>"
	    "<link rel=\"next\" href=\"/wrong\"/></entry></feed>";
	static const char rss[] = "<rss><channel><atom:link rel='prev-archive' "
	    "href='archive/2019.xml'/><item><link>x</link></item></channel>"
	    "</rss>";
	static const char none[] = "<rss><channel><link>https://s/</link>"
	    "<item><atom:link rel=\"next\" href=\"/no\"/></item></channel></rss>";

	CHECK(feedpage_next(atom, strlen(atom), "https://s.example/a/f", u,
	    sizeof(u)) == 0);
	CHECK_STR(u, "https://s.example/f?page=2&x=1");
	CHECK(feedpage_next(rss, strlen(rss), "https://s.example/feeds/main.xml",
	    u, sizeof(u)) == 0);
	CHECK_STR(u, "https://s.example/feeds/archive/2019.xml");
	CHECK(feedpage_next(none, strlen(none), "https://s.example/", u,
	    sizeof(u)) == -1);
	CHECK(feedpage_wordpress("<rss><channel><generator>https://wordpress.org"
	    "/?v=6.1</generator>", 50) == 1);
	CHECK(feedpage_wordpress("<rss><channel><generator>Hugo</generator>",
	    40) == 0);
}
