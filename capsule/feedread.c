/*
 * feedread.c: a source's bytes, read as the XML it should be: a WordPress
 * export (WXR), RSS 2.0 or 1.0, or Atom. Each entry is handed to
 * import_finish() with its strings in the import's arena; what the feed
 * says of itself (its link, date, author, title) goes into the import.
 * It knows nothing of the store. libxml2 parses; it never reads a file or
 * URL a document names, and a document declaring entities is refused.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>

#include "arena.h"
#include "feedread.h"
#include "html.h"
#include "import.h"
#include "post.h"
#include "slug.h"
#include "xmlrepair.h"

#define FEEDREAD_MAX_ENTRIES	1000000	/* entries read from one source */
#define FEEDREAD_MAX_TAG	128
#define FEEDREAD_MAX_STRAY	16	/* bytes not UTF-8 read as U+FFFD */
#define FEEDREAD_MAX_ID		512	/* a WXR post's site + "/?p=" + id */

#define NS_CONTENT	"http://purl.org/rss/1.0/modules/content/"
#define NS_DC		"http://purl.org/dc/elements/1.1/"
#define NS_WP		"wordpress.org/export/"	/* http(s)://, + version */
#define NS_BLOGGER	"http://schemas.google.com/blogger/2018"
#define NS_APP		"http://www.w3.org/2007/app"
#define NS_APP_OLD	"http://purl.org/atom/app#"
#define BLOGGER_KIND	"http://schemas.google.com/g/2005#kind"
#define NS_ATOM		"http://www.w3.org/2005/Atom"	/* and 0.3's: */
#define NS_ATOM03	"http://purl.org/atom/ns#"
#define NS_RSS1		"http://purl.org/rss/1.0/"
#define NS_RSS090	"http://my.netscape.com/rdf/simple/0.9/"
#define NS_NONE		""	/* RSS 2.0's own: also RSS 1.0's and 0.90's */
#define NS_XHTML	"http://www.w3.org/1999/xhtml"
#define NS_MEDIA	"http://search.yahoo.com/mrss/"	/* Media RSS */

/* The first libxml2 error of a parse, kept for the message. */
static struct {
	int	 set;
	int	 line, col;
	char	 msg[256];
} feedread_xml_err;

static void
feedread_on_xml_error(void *arg, xmlErrorPtr e)
{
	size_t n;

	(void)arg;
	if (feedread_xml_err.set || e == NULL || e->level < XML_ERR_ERROR)
		return;
	feedread_xml_err.set = 1;
	feedread_xml_err.line = e->line;
	feedread_xml_err.col = e->int2;
	snprintf(feedread_xml_err.msg, sizeof(feedread_xml_err.msg), "%s",
	    e->message ? e->message : "malformed XML");
	n = strlen(feedread_xml_err.msg);
	while (n > 0 && isspace((unsigned char)feedread_xml_err.msg[n - 1]))
		feedread_xml_err.msg[--n] = '\0';
}

/* libxml2 never reads a file or URL named inside a feed. */
static xmlParserInputPtr
feedread_no_external(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

/*
 * 1 for WordPress's export namespace of any version and either scheme:
 * "http://wordpress.org/export/1.0/" ... "https://wordpress.org/export/1.2/"
 * (WordPress.com writes https); not its "…/1.2/excerpt/" sibling.
 */
static int
feedread_wp_ns(const char *href)
{
	size_t n;

	if (strncmp(href, "http://", 7) == 0)
		href += 7;
	else if (strncmp(href, "https://", 8) == 0)
		href += 8;
	else
		return 0;
	if (strncmp(href, NS_WP, strlen(NS_WP)) != 0)
		return 0;
	href += strlen(NS_WP);
	n = strspn(href, "0123456789.");
	return n > 0 && (href[n] == '\0' || strcmp(href + n, "/") == 0);
}

static int
feedread_ns_is(xmlNode *n, const char *ns)
{
	const char *href = n->ns && n->ns->href ? (const char *)n->ns->href :
	    "";

	if (strcmp(ns, NS_WP) == 0)
		return feedread_wp_ns(href);
	/*
	 * RSS 1.0 and 0.90 name the same elements as RSS 2.0 (title, link,
	 * description, item) in their namespaces, and Atom 0.3 most of
	 * Atom 1.0's: one reader each reads them all.
	 */
	if (ns[0] == '\0')
		return href[0] == '\0' || strcmp(href, NS_RSS1) == 0 ||
		    strcmp(href, NS_RSS090) == 0;
	if (strcmp(ns, NS_ATOM) == 0)	/* "": a <feed> in no namespace */
		return strcmp(href, NS_ATOM) == 0 ||
		    strcmp(href, NS_ATOM03) == 0 || href[0] == '\0';
	return strcmp(href, ns) == 0;
}

/*
 * The URL relative links in n resolve against when an xml:base is in
 * force there (nested ones applied in turn, the last on the feed's own
 * URL or link), in the arena; NULL when none is.
 */
static const char *
feedread_base(struct import *im, xmlNode *n)
{
	xmlNode *p;
	xmlChar *b, *abs;
	const char *s;

	for (p = n; p != NULL && p->type == XML_ELEMENT_NODE; p = p->parent)
		if (xmlHasNsProp(p, (const xmlChar *)"base",
		    XML_XML_NAMESPACE) != NULL)
			break;
	if (p == NULL || p->type != XML_ELEMENT_NODE ||
	    (b = xmlNodeGetBase(n->doc, n)) == NULL)
		return NULL;
	/* doc->URL is the feed's own URL when fetched, else none. */
	abs = im->base ? xmlBuildURI(b, (const xmlChar *)im->base) : NULL;
	s = arena_strdup(&im->a, (const char *)(abs ? abs : b));
	xmlFree(abs);
	xmlFree(b);
	return s;
}

/* href resolved against the xml:base in force at n, in the arena. */
static const char *
feedread_href(struct import *im, xmlNode *n, const char *href)
{
	const char *base;
	xmlChar *abs;

	if (href == NULL || (base = feedread_base(im, n)) == NULL ||
	    (abs = xmlBuildURI((const xmlChar *)href,
	    (const xmlChar *)base)) == NULL)
		return href;
	href = arena_strdup(&im->a, (const char *)abs);
	xmlFree(abs);
	return href;
}

/*
 * A title that is HTML as plain text on one line: tags dropped,
 * entities decoded, white space runs one space. In the arena.
 */
static const char *
feedread_html_title(struct import *im, const char *html)
{
	char *t, *r, *w;
	const char *s;

	if (html == NULL || (t = html_to_text(html, strlen(html))) == NULL)
		return html;
	for (r = w = t; *r != '\0'; r++) {
		if (isspace((unsigned char)*r)) {
			if (w > t && w[-1] != ' ')
				*w++ = ' ';
		} else
			*w++ = *r;
	}
	while (w > t && w[-1] == ' ')
		w--;
	*w = '\0';
	s = arena_strdup(&im->a, t);
	free(t);
	return s;
}

/*
 * An RSS title is text, but feeds (and WordPress's own titles) often
 * carry HTML in it: "Title <em>With</em> Markup". Read as HTML when it
 * holds an inline element of HTML's, as feed readers do; "a <b" stays.
 */
static const char *
feedread_rss_title(struct import *im, const char *t)
{
	static const char *const tags[] = { "a", "abbr", "b", "big", "br",
	    "cite", "code", "del", "em", "font", "i", "img", "ins", "kbd",
	    "mark", "q", "s", "small", "span", "strike", "strong", "sub",
	    "sup", "tt", "u", NULL };
	const char *p, *e;
	size_t i, n;

	for (p = t ? strchr(t, '<') : NULL; p != NULL; p = strchr(p + 1,
	    '<')) {
		e = p + 1 + (p[1] == '/');
		n = strspn(e, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"
		    "XYZ");
		if (n == 0 || (e[n] != '>' && e[n] != ' ' && e[n] != '/'))
			continue;
		for (i = 0; tags[i] != NULL; i++)
			if (strlen(tags[i]) == n &&
			    strncasecmp(e, tags[i], n) == 0 &&
			    strchr(e + n, '>') != NULL)
				return feedread_html_title(im, t);
	}
	return t;
}

static int	 feedread_is(xmlNode *, const char *, const char *);

/* The first element child of n named name in namespace ns. */
static xmlNode *
feedread_child(xmlNode *n, const char *ns, const char *name)
{
	xmlNode *c;

	for (c = n ? n->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, name) == 0 &&
		    feedread_ns_is(c, ns))
			return c;
	return NULL;
}

/* The text of an element, in the arena, or NULL. */
static const char *
feedread_text(struct import *im, xmlNode *n)
{
	xmlChar *t;
	const char *s;

	if (n == NULL || (t = xmlNodeGetContent(n)) == NULL)
		return NULL;
	s = arena_strdup(&im->a, (const char *)t);
	xmlFree(t);
	return s;
}

static const char *
feedread_child_text(struct import *im, xmlNode *n, const char *ns,
    const char *name)
{
	return feedread_text(im, feedread_child(n, ns, name));
}

static const char *
feedread_attr(struct import *im, xmlNode *n, const char *name)
{
	xmlChar *v;
	const char *s;

	if (n == NULL || (v = xmlGetProp(n, (const xmlChar *)name)) == NULL)
		return NULL;
	s = arena_strdup(&im->a, (const char *)v);
	xmlFree(v);
	return s;
}

static const char *
feedread_trim(struct import *im, const char *s)
{
	size_t n;

	if (s == NULL)
		return NULL;
	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return arena_strndup(&im->a, s, n);
}

static void
feedread_add_tag(struct import *im, struct import_entry *e, const char *name)
{
	char t[FEEDREAD_MAX_TAG + 1], *c;
	char fa[4 * FEEDREAD_MAX_TAG + 1], fb[4 * FEEDREAD_MAX_TAG + 1];
	size_t i;

	if (name == NULL)
		return;
	import_clean_line(name, t, sizeof(t));
	/* A comma would split the tag in the Tags line. */
	while ((c = strchr(t, ',')) != NULL)
		*c = ' ';
	if (t[0] == '\0' || strcasecmp(t, "Uncategorized") == 0)
		return;
	/* A category and a tag differing in case are one tag. */
	slug_fold(t, fa, sizeof(fa));
	for (i = 0; i < e->ntags; i++) {
		slug_fold(e->tags[i], fb, sizeof(fb));
		if (strcmp(fa, fb) == 0)
			return;
	}
	if (e->ntags == POST_MAX_TAGS)
		return;
	e->tags[e->ntags++] = arena_strdup(&im->a, t);
}


/* A WXR login's display name, from the channel's wp:author list. */
static const char *
feedread_wxr_author(struct import *im, const char *login)
{
	size_t i;

	for (i = 0; login != NULL && i < im->nauthors; i++)
		if (strcmp(im->logins[i], login) == 0)
			return im->names[i];
	return login;
}

/* The channel's wp:author list, read once (items are many). */
static void
feedread_wxr_authors(struct import *im, xmlNode *ch)
{
	const char *l, *d;
	xmlNode *a;
	size_t n = 0;

	for (a = ch->children; a != NULL; a = a->next)
		n += a->type == XML_ELEMENT_NODE && feedread_ns_is(a, NS_WP) &&
		    strcmp((const char *)a->name, "author") == 0;
	im->nauthors = 0;
	if (n == 0 ||
	    (im->logins = arena_alloc(&im->a, n * sizeof(char *))) == NULL ||
	    (im->names = arena_alloc(&im->a, n * sizeof(char *))) == NULL)
		return;
	for (a = ch->children; a != NULL; a = a->next) {
		if (a->type != XML_ELEMENT_NODE || !feedread_ns_is(a, NS_WP) ||
		    strcmp((const char *)a->name, "author") != 0)
			continue;
		l = feedread_trim(im, feedread_child_text(im, a, NS_WP,
		    "author_login"));
		d = feedread_trim(im, feedread_child_text(im, a, NS_WP,
		    "author_display_name"));
		if (l != NULL && d != NULL && d[0] != '\0') {
			im->logins[im->nauthors] = l;
			im->names[im->nauthors++] = d;
		}
	}
}

static int
feedread_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The values of child ns:name that two or more of a WXR export's items
 * share, sorted, into *out: GUIDs (WordPress keeps an imported post's
 * GUID; copies share it) and even post ids (exports merged by hand).
 * Such posts are told apart by their post id, then their post name. One
 * pass, O(n log n).
 */
static void
feedread_wxr_shared(struct import *im, xmlNode *items, const char *ns,
    const char *name, const char ***out, size_t *nout)
{
	const char **all, *g;
	xmlNode *c;
	size_t n = 0, i, k = 0;

	*out = NULL;
	*nout = 0;
	for (c = items->children; c != NULL; c = c->next)
		n += c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, "item") == 0;
	if (n < 2 || n > FEEDREAD_MAX_ENTRIES ||
	    (all = arena_alloc(&im->a, n * sizeof(*all))) == NULL)
		return;
	n = 0;
	for (c = items->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, "item") == 0 &&
		    (g = feedread_trim(im, feedread_child_text(im, c, ns,
		    name))) != NULL && g[0] != '\0')
			all[n++] = g;
	qsort(all, n, sizeof(*all), feedread_cmp_str);
	for (i = 1; i < n; i++)
		if (strcmp(all[i], all[i - 1]) == 0 &&
		    (k == 0 || strcmp(all[k - 1], all[i]) != 0))
			all[k++] = all[i];
	*out = all;
	*nout = k;
}

/* The value of the WXR postmeta key of item it, or NULL. */
static const char *
feedread_wxr_meta(struct import *im, xmlNode *it, const char *key)
{
	const char *k;
	xmlNode *c;

	for (c = it->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, "postmeta") == 0 &&
		    feedread_ns_is(c, NS_WP) && (k = feedread_trim(im,
		    feedread_child_text(im, c, NS_WP, "meta_key"))) != NULL &&
		    strcmp(k, key) == 0)
			return feedread_trim(im, feedread_child_text(im, c, NS_WP,
			    "meta_value"));
	return NULL;
}

static int
feedread_cmp_att(const void *a, const void *b)
{
	return strcmp(((const struct import_attachment *)a)->id,
	    ((const struct import_attachment *)b)->id);
}

/*
 * The export's attachments, by post id: a post's featured picture is its
 * _thumbnail_id, an attachment's id, whose wp:attachment_url it is.
 */
static void
feedread_wxr_attachments(struct import *im, xmlNode *items)
{
	struct import_attachment *a;
	const char *type, *id, *url;
	xmlNode *c;
	size_t n = 0;

	im->atts = NULL;
	im->natts = 0;
	for (c = items->children; c != NULL; c = c->next)
		n += c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, "item") == 0;
	if (n == 0 || n > FEEDREAD_MAX_ENTRIES ||
	    (a = arena_alloc(&im->a, n * sizeof(*a))) == NULL)
		return;
	n = 0;
	for (c = items->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE ||
		    strcmp((const char *)c->name, "item") != 0 ||
		    (type = feedread_trim(im, feedread_child_text(im, c, NS_WP,
		    "post_type"))) == NULL || strcmp(type, "attachment") != 0 ||
		    (id = feedread_trim(im, feedread_child_text(im, c, NS_WP,
		    "post_id"))) == NULL || (url = feedread_trim(im,
		    feedread_child_text(im, c, NS_WP, "attachment_url"))) ==
		    NULL || url[0] == '\0')
			continue;
		a[n].id = id;
		a[n].url = url;
		a[n++].alt = feedread_wxr_meta(im, c, "_wp_attachment_image_alt");
	}
	qsort(a, n, sizeof(*a), feedread_cmp_att);
	im->atts = a;
	im->natts = n;
}

static int
feedread_is_shared(const char **set, size_t n, const char *v)
{
	return v != NULL && n > 0 && bsearch(&v, set, n, sizeof(*set),
	    feedread_cmp_str) != NULL;
}

/*
 * Why a WXR item is not a post to import, or NULL when it is one. What it
 * is goes in *what. Only published posts are posts: WordPress's other
 * types (pages, attachments, menu items, the site editor's styles and
 * navigation, templates, reusable blocks, custom types) never are, and
 * the private, the password-protected and the unpublished never are
 * either; --drafts lets drafts, pending and scheduled posts in.
 */
static const char *
feedread_wxr_skip(struct import *im, const char *type, const char *status,
    const char *password, const char **what)
{
	*what = type;
	if (strcmp(type, "post") != 0)
		return "not a post";
	*what = "post";
	if (password != NULL && password[0] != '\0')
		return "protected by a password; its text is not written";
	if (status == NULL)
		return "no wp:status, so not known to be published";
	*what = status;
	if (strcmp(status, "publish") == 0)
		return NULL;
	if (strcmp(status, "private") == 0)
		return "private; never imported";
	if (strcmp(status, "draft") == 0 || strcmp(status, "pending") == 0 ||
	    strcmp(status, "future") == 0)
		return im->drafts ? NULL : "not published (--drafts imports it)";
	return "not published";
}

static const char *feedread_markup(struct import *, xmlNode *);

/*
 * An RSS item's HTML: escaped or in CDATA, as it should be, or as markup
 * the feed left unescaped (then XML elements: serialised back).
 */
static const char *
feedread_rss_html(struct import *im, xmlNode *n)
{
	xmlNode *c;

	for (c = n ? n->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return feedread_markup(im, n);
	return feedread_text(im, n);
}

/* One RSS item; with WordPress's wp: elements when it is a WXR export. */
/*
 * The featured picture a feed gives beside the text, into e: an RSS
 * enclosure or a Media RSS media:content that is an image, or an Atom
 * link rel="enclosure" to one. 1 when c was one.
 */
static int
feedread_picture(struct import *im, xmlNode *c, struct import_entry *e)
{
	const char *type = feedread_attr(im, c, "type"), *url = NULL, *m;
	int image = type != NULL && strncasecmp(type, "image/", 6) == 0;

	if (strcmp((const char *)c->name, "enclosure") == 0 &&
	    feedread_ns_is(c, NS_NONE) && image)
		url = feedread_attr(im, c, "url");
	else if (strcmp((const char *)c->name, "content") == 0 &&
	    feedread_ns_is(c, NS_MEDIA) && (image || ((m = feedread_attr(im,
	    c, "medium")) != NULL && strcmp(m, "image") == 0)))
		url = feedread_attr(im, c, "url");
	else if (strcmp((const char *)c->name, "link") == 0 &&
	    feedread_ns_is(c, NS_ATOM) && image &&
	    (m = feedread_attr(im, c, "rel")) != NULL &&
	    strcmp(m, "enclosure") == 0)
		url = feedread_href(im, c, feedread_attr(im, c, "href"));
	if (url == NULL || (url = feedread_trim(im, url)) == NULL ||
	    url[0] == '\0')
		return 0;
	e->picture = url;
	return 1;
}

static void
feedread_rss_item(struct import *im, xmlNode *it, size_t n)
{
	struct import_entry e;
	const char *type = NULL, *status, *date = NULL, *v, *dom, *a, *why;
	const char *what, *id, *name, *v2;
	char idbuf[FEEDREAD_MAX_ID];
	xmlNode *c;
	int w;

	memset(&e, 0, sizeof(e));
	e.n = n;
	e.guid = feedread_trim(im, feedread_child_text(im, it, NS_NONE,
	    "guid"));
	e.link = feedread_trim(im, feedread_child_text(im, it, NS_NONE,
	    "link"));
	if (e.guid == NULL && (v = feedread_attr(im, it, "about")) != NULL)
		e.guid = v;	/* RSS 1.0: rdf:about */
	v = feedread_rss_title(im, feedread_child_text(im, it, NS_NONE,
	    "title"));
	if (im->wxr) {
		type = feedread_trim(im, feedread_child_text(im, it, NS_WP,
		    "post_type"));
		if (type == NULL || type[0] == '\0')
			type = "post";	/* WordPress's default type */
		status = feedread_trim(im, feedread_child_text(im, it, NS_WP,
		    "status"));
		why = feedread_wxr_skip(im, type, status, feedread_child_text(im,
		    it, NS_WP, "post_password"), &what);
		if (why != NULL) {
			import_skip(im, n, what, v, why);
			return;
		}
		id = feedread_trim(im, feedread_child_text(im, it, NS_WP,
		    "post_id"));
		name = feedread_trim(im, feedread_child_text(im, it, NS_WP,
		    "post_name"));
		/* An id two items share: their names tell them apart. */
		if (feedread_is_shared(im->ids, im->nids, id) && name != NULL &&
		    name[0] != '\0')
			w = snprintf(idbuf, sizeof(idbuf), "%s/?p=%s&name=%s",
			    im->site ? im->site : "", id, name);
		else
			w = snprintf(idbuf, sizeof(idbuf), "%s/?p=%s",
			    im->site ? im->site : "", id ? id : "");
		if (id != NULL && id[0] != '\0' && im->site != NULL &&
		    w > 0 && (size_t)w < sizeof(idbuf))
			e.id = arena_strdup(&im->a, idbuf);
		e.shared_guid = feedread_is_shared(im->guids, im->nguids,
		    e.guid);
		/* Its featured picture, an attachment of the export. */
		if ((v2 = feedread_wxr_meta(im, it, "_thumbnail_id")) != NULL &&
		    im->natts > 0) {
			struct import_attachment key, *att;

			key.id = v2;
			if ((att = bsearch(&key, im->atts, im->natts,
			    sizeof(*im->atts), feedread_cmp_att)) != NULL) {
				e.picture = att->url;
				e.picture_alt = att->alt;
			}
		}
	}
	e.name = feedread_trim(im, feedread_child_text(im, it, NS_WP,
	    "post_name"));
	if (type != NULL) {
		/* WXR: the post as WordPress stores it; post_date is local. */
		e.autop = 1;
		date = feedread_child_text(im, it, NS_WP, "post_date");
		if (date != NULL && import_date(date, e.date) == -1)
			date = NULL;
		e.author = feedread_wxr_author(im, feedread_trim(im,
		    feedread_child_text(im, it, NS_DC, "creator")));
		/* Drafts have no permalink yet: no link for the slug. */
		if (e.guid == NULL)
			e.guid = e.link;
	} else
		e.author = feedread_child_text(im, it, NS_DC, "creator");
	if (e.author == NULL && (a = feedread_child_text(im, it, NS_NONE,
	    "author")) != NULL) {
		/* RSS: "mail@example.org (Name)" */
		const char *open = strchr(a, '(');

		e.author = open ? arena_strndup(&im->a, open + 1,
		    strcspn(open + 1, ")")) : a;
	}
	if (date == NULL)
		date = feedread_child_text(im, it, NS_NONE, "pubDate");
	if (date == NULL)
		date = feedread_child_text(im, it, NS_DC, "date");
	for (c = it->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)c->name, "category") == 0 &&
		    feedread_ns_is(c, NS_NONE)) {
			/* WXR 1.0 calls tags "tag", 1.1 and 1.2 "post_tag". */
			dom = feedread_attr(im, c, "domain");
			if (type != NULL && dom != NULL &&
			    strcmp(dom, "category") != 0 &&
			    strcmp(dom, "post_tag") != 0 &&
			    strcmp(dom, "tag") != 0)
				continue;	/* post formats and the like */
			feedread_add_tag(im, &e, feedread_text(im, c));
		} else if (strcmp((const char *)c->name, "subject") == 0 &&
		    feedread_ns_is(c, NS_DC))
			feedread_add_tag(im, &e, feedread_text(im, c));
		else if (e.picture == NULL)
			feedread_picture(im, c, &e);
	}
	e.html = feedread_rss_html(im, feedread_child(it, NS_CONTENT,
	    "encoded"));
	if (e.html == NULL || strspn(e.html, " \t\r\n") == strlen(e.html)) {
		e.html = feedread_rss_html(im, feedread_child(it, NS_NONE,
		    "description"));
		e.autop = 0;
	}
	import_finish(im, &e, v, date);
}

/* An Atom text construct (title, content, summary) as HTML or text. */
/* Decodes base64 (white space skipped) into the arena; NULL if not. */
static const char *
feedread_base64(struct import *im, const char *in)
{
	static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789+/";
	const char *p;
	char *out, *w;
	uint32_t acc = 0;
	int bits = 0;

	if ((out = arena_alloc(&im->a, strlen(in) / 4 * 3 + 4)) == NULL)
		return NULL;
	for (w = out; *in != '\0' && *in != '='; in++) {
		if (isspace((unsigned char)*in))
			continue;
		if ((p = strchr(abc, *in)) == NULL)
			return NULL;
		acc = acc << 6 | (uint32_t)(p - abc);
		if ((bits += 6) >= 8) {
			bits -= 8;
			*w++ = (char)(acc >> bits & 0xff);
		}
	}
	*w = '\0';
	return out;
}

/* The children of n as markup (an xhtml div's, when n holds one div). */
static const char *
feedread_markup(struct import *im, xmlNode *n)
{
	xmlBuffer *xb;
	xmlNode *c, *only = NULL;
	const char *s;
	int elems = 0;

	for (c = n->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE) {
			only = c;
			elems++;
		}
	if (elems == 1 && strcmp((const char *)only->name, "div") == 0 &&
	    feedread_ns_is(only, NS_XHTML))
		n = only;
	if ((xb = xmlBufferCreate()) == NULL)
		return NULL;
	for (c = n->children; c != NULL; c = c->next)
		xmlNodeDump(xb, n->doc, c, 0, 0);
	s = arena_strdup(&im->a, (const char *)xmlBufferContent(xb));
	xmlBufferFree(xb);
	return s;
}

/*
 * An Atom text construct (title, content, summary) as HTML or text
 * (*plain). Atom 1.0's type is text, html, xhtml or a MIME type; Atom
 * 0.3's is a MIME type, with mode escaped, base64 or xml (its default).
 * A MIME type that is neither text nor XML is binary: NULL.
 */
static const char *
feedread_atom_text(struct import *im, xmlNode *n, int *plain)
{
	const char *type = feedread_attr(im, n, "type");
	const char *mode = feedread_attr(im, n, "mode");
	int a03 = n->ns && n->ns->href &&
	    strcmp((const char *)n->ns->href, NS_ATOM03) == 0;
	int xml = 0, html = 0, b64 = 0;
	const char *s;
	xmlNode *c;

	*plain = 0;
	if (type == NULL || strcasecmp(type, "text") == 0 ||
	    strncasecmp(type, "text/plain", 10) == 0)
		;
	else if (strcasecmp(type, "html") == 0 ||
	    strncasecmp(type, "text/html", 9) == 0)
		html = 1;
	else if (strcasecmp(type, "xhtml") == 0 || strstr(type, "xml"))
		xml = 1;
	else if (strncasecmp(type, "text/", 5) != 0)
		b64 = 1;
	if (a03 && mode != NULL) {
		/* mode says how the bytes are written; type what they are. */
		b64 = strcasecmp(mode, "base64") == 0;
		if (strcasecmp(mode, "xml") == 0)
			xml = 1;
		else if (xml) {
			xml = 0;
			html = 1;	/* escaped XHTML */
		}
	} else if (a03 && !xml)
		for (c = n->children; c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE)
				xml = 1;	/* mode="xml", the default */
	if (xml)
		return feedread_markup(im, n);
	s = feedread_text(im, n);
	if (b64) {
		if (type != NULL && strncasecmp(type, "text/", 5) != 0 &&
		    !html && !strstr(type, "xml"))
			return NULL;	/* a picture or the like */
		if (s != NULL && (s = feedread_base64(im, s)) == NULL)
			import_warn(im, "line %d: content that says base64 "
			    "is not: left out", (int)xmlGetLineNo(n));
	}
	*plain = !html && !xml;
	return s;
}

static void
feedread_lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/*
 * 1 when an Atom entry is not a published post, said with a skip line:
 * a Blogger export's settings, template, comments and pages (its kind
 * category, or blogger:type in today's exports), anything Blogger does
 * not call LIVE, and drafts (app:draft yes), which are never imported.
 */
static int
feedread_atom_skip(struct import *im, xmlNode *en, size_t n)
{
	const char *title, *kind = NULL, *t, *s;
	char what[32];
	xmlNode *c;

	title = feedread_child_text(im, en, NS_ATOM, "title");
	for (c = en->children; c != NULL && kind == NULL; c = c->next)
		if (feedread_is(c, NS_ATOM, "category") &&
		    (s = feedread_attr(im, c, "scheme")) != NULL &&
		    strcmp(s, BLOGGER_KIND) == 0 &&
		    (t = feedread_attr(im, c, "term")) != NULL)
			kind = strrchr(t, '#') ? strrchr(t, '#') + 1 : t;
	if (kind == NULL && (t = feedread_trim(im, feedread_child_text(im, en,
	    NS_BLOGGER, "type"))) != NULL)
		kind = t;
	if (kind != NULL && strcasecmp(kind, "post") != 0) {
		snprintf(what, sizeof(what), "%s", kind);
		feedread_lower(what);
		import_skip(im, n, what, title, "not a post");
		return 1;
	}
	if ((c = feedread_child(en, NS_APP, "control")) == NULL)
		c = feedread_child(en, NS_APP_OLD, "control");
	if ((t = feedread_trim(im, feedread_child_text(im, c,
	    c && feedread_ns_is(c, NS_APP) ? NS_APP : NS_APP_OLD, "draft"))) !=
	    NULL && strcasecmp(t, "yes") == 0) {
		import_skip(im, n, "draft", title, "a draft; never imported");
		return 1;
	}
	if ((t = feedread_trim(im, feedread_child_text(im, en, NS_BLOGGER,
	    "status"))) != NULL && strcasecmp(t, "LIVE") != 0) {
		snprintf(what, sizeof(what), "%s", t);
		feedread_lower(what);
		import_skip(im, n, what, title, "not published; never imported");
		return 1;
	}
	return 0;
}

static void
feedread_atom_entry(struct import *im, xmlNode *en, size_t n)
{
	struct import_entry e;
	const char *date, *title = NULL, *rel, *t;
	xmlNode *c, *body;
	int plain;

	if (feedread_atom_skip(im, en, n))
		return;
	memset(&e, 0, sizeof(e));
	e.n = n;
	e.guid = feedread_trim(im, feedread_child_text(im, en, NS_ATOM, "id"));
	for (c = en->children; c != NULL; c = c->next) {
		if (c->type == XML_ELEMENT_NODE && e.picture == NULL &&
		    feedread_picture(im, c, &e))
			continue;
		if (c->type != XML_ELEMENT_NODE || !feedread_ns_is(c, NS_ATOM))
			continue;
		if (strcmp((const char *)c->name, "link") == 0) {
			rel = feedread_attr(im, c, "rel");
			if (e.link == NULL && (rel == NULL ||
			    strcmp(rel, "alternate") == 0))
				e.link = feedread_href(im, c,
				    feedread_attr(im, c, "href"));
		} else if (strcmp((const char *)c->name, "category") == 0) {
			t = feedread_attr(im, c, "scheme");
			if (t != NULL && strcmp(t, BLOGGER_KIND) == 0)
				continue;	/* what the entry is, no tag */
			t = feedread_attr(im, c, "label");
			feedread_add_tag(im, &e, t ? t : feedread_attr(im, c,
			    "term"));
		}
	}
	if ((c = feedread_child(en, NS_ATOM, "title")) != NULL) {
		title = feedread_atom_text(im, c, &plain);
		if (!plain)
			title = feedread_html_title(im, title);
	}
	e.author = feedread_child_text(im, feedread_child(en, NS_ATOM,
	    "author"), NS_ATOM, "name");
	if (e.author == NULL)
		e.author = im->feed_author;
	date = feedread_child_text(im, en, NS_ATOM, "published");
	if (date == NULL)	/* Atom 0.3 */
		date = feedread_child_text(im, en, NS_ATOM, "issued");
	if (date == NULL)
		date = feedread_child_text(im, en, NS_ATOM, "created");
	if (date == NULL)
		date = feedread_child_text(im, en, NS_ATOM, "updated");
	if (date == NULL)
		date = feedread_child_text(im, en, NS_ATOM, "modified");
	body = feedread_child(en, NS_ATOM, "content");
	if (body == NULL || feedread_attr(im, body, "src") != NULL)
		body = feedread_child(en, NS_ATOM, "summary");
	if (body != NULL) {
		e.html = feedread_atom_text(im, body, &plain);
		e.plain = plain;
		e.base = feedread_base(im, body);
	}
	import_finish(im, &e, title, date);
}



/* 1 when n is an element named name, in namespace ns (NULL: any). */
static int
feedread_is(xmlNode *n, const char *ns, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0 &&
	    (ns == NULL || feedread_ns_is(n, ns));
}

/*
 * Each child of parent that is an entry (feedread_is) through fn, numbered
 * from 1, with progress; at most FEEDREAD_MAX_ENTRIES of them.
 */
static void
feedread_entries(struct import *im, xmlNode *parent, const char *ns,
    const char *name, void (*fn)(struct import *, xmlNode *, size_t))
{
	xmlNode *c;
	size_t n = 0, total = 0;

	for (c = parent->children; c != NULL; c = c->next)
		if (feedread_is(c, ns, name))
			total++;
	for (c = parent->children; c != NULL; c = c->next) {
		if (!feedread_is(c, ns, name))
			continue;
		if (++n > FEEDREAD_MAX_ENTRIES) {
			import_warn(im, "more than %d entries; the rest are "
			    "left out", FEEDREAD_MAX_ENTRIES);
			im->errors++;
			break;
		}
		fn(im, c, n);
		import_progress(im, n, total);
	}
	if (total == 0)
		import_warn(im, "the feed has no entries");
}

/*
 * A WordPress export, of any WXR version: its channel says its version
 * or its site, or its items have a wp: post type, status or id. Its posts are then told by post type
 * and status, never read as a feed's items. im->site: the blog's URL, to
 * which a post id belongs.
 */
static void
feedread_wxr_detect(struct import *im, xmlNode *ch, xmlNode *items)
{
	xmlNode *c, *w;
	const char *s;

	im->wxr = feedread_child(ch, NS_WP, "wxr_version") != NULL ||
	    feedread_child(ch, NS_WP, "base_site_url") != NULL;
	for (c = items->children; c != NULL && !im->wxr; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, "item") == 0)
			for (w = c->children; w != NULL && !im->wxr; w = w->next)
				im->wxr = feedread_is(w, NS_WP, "post_type") ||
				    feedread_is(w, NS_WP, "status") ||
				    feedread_is(w, NS_WP, "post_id");
	im->site = NULL;
	if (!im->wxr)
		return;
	s = feedread_trim(im, feedread_child_text(im, ch, NS_WP,
	    "base_blog_url"));
	if (s == NULL || s[0] == '\0')
		s = feedread_trim(im, feedread_child_text(im, ch, NS_WP,
		    "base_site_url"));
	if (s == NULL || s[0] == '\0')
		s = feedread_trim(im, feedread_child_text(im, ch, NS_NONE,
		    "link"));
	if (s != NULL && s[0] != '\0') {
		char *t = arena_strdup(&im->a, s);
		size_t n = t ? strlen(t) : 0;

		while (n > 0 && t[n - 1] == '/')
			t[--n] = '\0';
		im->site = t;
	}
	feedread_wxr_shared(im, items, NS_NONE, "guid", &im->guids,
	    &im->nguids);
	feedread_wxr_shared(im, items, NS_WP, "post_id", &im->ids, &im->nids);
	feedread_wxr_attachments(im, items);
}

/* The items of an RSS 2.0 channel, a WXR export or an RSS 1.0 document. */
static void
feedread_rss(struct import *im, xmlNode *root)
{
	xmlNode *ch, *items;
	const char *d;

	ch = feedread_child(root, NS_NONE, "channel");
	if (ch == NULL)
		ch = feedread_child(root, NS_RSS1, "channel");
	if (ch == NULL) {
		import_warn(im, "an <%s> document without a <channel>: not "
		    "an RSS feed", (const char *)root->name);
		im->errors++;
		return;
	}
	/* RSS 2.0 nests the items in the channel, RSS 1.0 beside it. */
	items = feedread_ns_is(root, NS_NONE) ? ch : root;
	feedread_wxr_detect(im, ch, items);
	feedread_wxr_authors(im, ch);
	d = feedread_child_text(im, ch, NS_NONE, "pubDate");
	if (d == NULL)
		d = feedread_child_text(im, ch, NS_NONE, "lastBuildDate");
	if (d == NULL)
		d = feedread_child_text(im, ch, NS_DC, "date");
	if (d != NULL && import_date(d, im->feed_date) == -1)
		im->feed_date[0] = '\0';
	if (im->base == NULL)
		im->base = feedread_trim(im, feedread_child_text(im, ch,
		    NS_NONE, "link"));
	import_settings(im, feedread_rss_title(im, feedread_child_text(im, ch,
	    NS_NONE, "title")),
	    feedread_child_text(im, ch, NS_NONE, "description"),
	    feedread_child_text(im, ch, NS_NONE, "language"));
	feedread_entries(im, items, NULL, "item", feedread_rss_item);
}

static void
feedread_atom(struct import *im, xmlNode *root)
{
	xmlNode *c;
	const char *d, *rel, *sub;
	int plain;

	d = feedread_child_text(im, root, NS_ATOM, "updated");
	if (d == NULL)
		d = feedread_child_text(im, root, NS_ATOM, "modified");
	if (d != NULL && import_date(d, im->feed_date) == -1)
		im->feed_date[0] = '\0';
	im->feed_author = feedread_child_text(im, feedread_child(root, NS_ATOM,
	    "author"), NS_ATOM, "name");
	for (c = root->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && feedread_ns_is(c, NS_ATOM) &&
		    strcmp((const char *)c->name, "link") == 0 &&
		    im->base == NULL) {
			rel = feedread_attr(im, c, "rel");
			if (rel == NULL || strcmp(rel, "alternate") == 0)
				im->base = feedread_href(im, c,
				    feedread_attr(im, c, "href"));
		}
	c = feedread_child(root, NS_ATOM, "title");
	if ((d = c ? feedread_atom_text(im, c, &plain) : NULL) != NULL &&
	    !plain)
		d = feedread_html_title(im, d);
	if ((c = feedread_child(root, NS_ATOM, "subtitle")) == NULL)
		c = feedread_child(root, NS_ATOM, "tagline");	/* 0.3 */
	if ((sub = c ? feedread_atom_text(im, c, &plain) : NULL) != NULL &&
	    !plain)
		sub = feedread_html_title(im, sub);
	import_settings(im, d, sub, feedread_attr(im, root, "lang"));
	feedread_entries(im, root, NS_ATOM, "entry", feedread_atom_entry);
}

static int
feedread_looks_html(const char *data, size_t len, const char *type)
{
	size_t i = 0;

	/* The bytes decide: some servers label their feeds text/html. */
	(void)type;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && isspace((unsigned char)data[i]))
		i++;
	return (len - i >= 9 && strncasecmp(data + i, "<!doctype", 9) == 0 &&
	    len - i >= 14 && strncasecmp(data + i + 10, "html", 4) == 0) ||
	    (len - i >= 5 && strncasecmp(data + i, "<html", 5) == 0);
}

/*
 * The feed an HTML page links (<link rel="alternate"> of an RSS or Atom
 * type), resolved against base (may be NULL). The caller frees it with
 * xmlFree; NULL when the page links none.
 */
static xmlChar *
feedread_page_feed(const char *data, size_t len, const char *base)
{
	htmlDocPtr doc;
	xmlNode *n, *stack[64];
	xmlChar *rel, *type, *href = NULL, *abs;
	int depth = 0;

	doc = htmlReadMemory(data, len > INT32_MAX ? INT32_MAX : (int)len,
	    base, NULL, HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_NONET);
	n = doc ? xmlDocGetRootElement(doc) : NULL;
	while (n != NULL && href == NULL) {
		if (n->type == XML_ELEMENT_NODE &&
		    strcasecmp((const char *)n->name, "link") == 0) {
			rel = xmlGetProp(n, (const xmlChar *)"rel");
			type = xmlGetProp(n, (const xmlChar *)"type");
			if (rel && type && strcasecmp((char *)rel,
			    "alternate") == 0 && (strstr((char *)type, "rss") ||
			    strstr((char *)type, "atom")))
				href = xmlGetProp(n, (const xmlChar *)"href");
			xmlFree(rel);
			xmlFree(type);
		}
		if (n->children != NULL && depth < 64) {
			stack[depth++] = n;
			n = n->children;
			continue;
		}
		while (n != NULL && n->next == NULL && depth > 0)
			n = stack[--depth];
		n = n ? n->next : NULL;
	}
	if (doc != NULL)
		xmlFreeDoc(doc);
	if (href != NULL && base != NULL &&
	    (abs = xmlBuildURI(href, (const xmlChar *)base)) != NULL) {
		xmlFree(href);
		href = abs;
	}
	return href;
}

int
feedread_html_feed(const char *data, size_t len, const char *base,
    char *out, size_t outsz)
{
	xmlChar *href;
	int rc = -1;

	if (!feedread_looks_html(data, len, NULL))
		return -1;
	if ((href = feedread_page_feed(data, len, base)) == NULL)
		return -1;
	if ((strncasecmp((char *)href, "http://", 7) == 0 ||
	    strncasecmp((char *)href, "https://", 8) == 0) &&
	    (size_t)snprintf(out, outsz, "%s", (char *)href) < outsz)
		rc = 0;
	xmlFree(href);
	return rc;
}

/* An HTML page where a feed was expected: name its feed if it links one. */
static void
feedread_not_html(struct import *im, const char *data, size_t len)
{
	xmlChar *href;

	if ((href = feedread_page_feed(data, len, im->base)) != NULL)
		import_warn(im, "this is an HTML page, not a feed; its feed "
		    "is at %s", (const char *)href);
	else
		import_warn(im, "this is an HTML page, not a feed (a "
		    "WordPress feed is at /feed/ or /tag/<name>/feed/)");
	xmlFree(href);
}


static void	 feedread_parse(struct import *, const char *, size_t,
		    const char *);

/* One kind of mending xmlrepair() did, said once with its first line. */
static void
feedread_mended(struct import *im, const struct xmlrepair_count *c,
    const char *what, const char *as)
{
	if (c->n == 0)
		return;
	if (c->n > 1)
		import_warn(im, "line %zu: %s %s read as %s; %zu such in all",
		    c->line, what, c->what, as, c->n);
	else
		import_warn(im, "line %zu: %s %s read as %s", c->line, what,
		    c->what, as);
}

static void
feedread_repaired(struct import *im, const struct xmlrepair *r)
{
	char as[96];

	if (r->moved_decl)
		import_warn(im, "line %zu: the XML declaration comes after white "
		    "space or blank lines: read as if it came first",
		    r->lead_lines + 1);
	feedread_mended(im, &r->html_entity, "HTML entity",
	    "the character it names (XML has no such entity)");
	feedread_mended(im, &r->unknown_entity, "unknown entity",
	    "text, as it stands");
	feedread_mended(im, &r->bare_amp, "a bare", "text (XML wants &amp;)");
	feedread_mended(im, &r->bad_ref, "character reference",
	    "U+FFFD (it names no character XML allows)");
	feedread_mended(im, &r->cp1252_ref, "character reference",
	    "the Windows-1252 character, as browsers do");
	snprintf(as, sizeof(as), "Windows-1252, as browsers do (the feed "
	    "says %s)", r->declared);
	feedread_mended(im, &r->cp1252_byte, "byte", as);
	snprintf(as, sizeof(as), "U+FFFD (not %s)", r->encoding ?
	    "Windows-1252" : "UTF-8");
	feedread_mended(im, &r->bad_byte, "byte", as);
	feedread_mended(im, &r->control, "control character",
	    "U+FFFD (XML allows none)");
}

/* Parses one source's bytes and imports its entries. */
void
feedread(struct import *im, const char *data, size_t len,
    const char *type)
{
	struct xmlrepair fix;

	if (feedread_looks_html(data, len, type)) {
		feedread_not_html(im, data, len);
		im->errors++;
		return;
	}
	/* Mended where feed readers are tolerant, then read strictly. */
	if (xmlrepair(data, len, &fix) == -1) {
		import_warn(im, "out of memory");
		im->errors++;
		return;
	}
	/*
	 * A few stray bytes are mended; a feed made of them is in another
	 * encoding than it says, and U+FFFD for every letter is no reading.
	 */
	if (fix.encoding == NULL && fix.bad_byte.n > FEEDREAD_MAX_STRAY &&
	    fix.bad_byte.n > fix.utf8_chars) {
		import_warn(im, "line %zu: %zu bytes that are not UTF-8 from "
		    "here on, and %zu characters that are: the feed is not in "
		    "%s%s; refused (its <?xml … encoding=\"…\"?> must name "
		    "its encoding)", fix.bad_byte.line, fix.bad_byte.n,
		    fix.utf8_chars, fix.declared[0] ? fix.declared : "UTF-8",
		    fix.declared[0] ? ", as it says" : ", which XML reads "
		    "when a feed names no encoding");
		xmlrepair_free(&fix);
		im->errors++;
		return;
	}
	feedread_repaired(im, &fix);
	if (fix.data != NULL) {
		data = fix.data;
		len = fix.len;
	}
	feedread_parse(im, data, len, fix.encoding);
	xmlrepair_free(&fix);
}

/* Parses (mended) bytes; encoding NULL: as the document says. */
static void
feedread_parse(struct import *im, const char *data, size_t len,
    const char *encoding)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	xmlNode *root;
	const char *name;

	if (len > INT32_MAX) {
		import_warn(im, "larger than libxml2 reads at once");
		im->errors++;
		return;
	}
	memset(&feedread_xml_err, 0, sizeof(feedread_xml_err));
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		import_warn(im, "out of memory");
		im->errors++;
		return;
	}
	/*
	 * No XML_PARSE_NOENT, no DTD loading, no network, no XML_PARSE_HUGE:
	 * libxml2's own limits stay on, and its entity-loop and amplification
	 * checks turn an entity bomb into an error.
	 */
	doc = xmlCtxtReadMemory(ctxt, data, (int)len, im->src, encoding,
	    XML_PARSE_NONET | XML_PARSE_NOCDATA);
	if (doc == NULL || !ctxt->wellFormed) {
		if (feedread_xml_err.set)
			import_warn(im, "line %d, column %d: malformed XML: %s",
			    feedread_xml_err.line, feedread_xml_err.col,
			    feedread_xml_err.msg);
		else
			import_warn(im, "malformed XML");
		if (doc != NULL)
			xmlFreeDoc(doc);
		xmlFreeParserCtxt(ctxt);
		im->errors++;
		return;
	}
	xmlFreeParserCtxt(ctxt);
	/* Entities it declares would be expanded on reading: refuse them. */
	if (doc->intSubset != NULL && (doc->intSubset->entities != NULL ||
	    doc->intSubset->pentities != NULL)) {
		import_warn(im, "the document declares XML entities; a feed "
		    "needs none, and they are how entity bombs are made: "
		    "refused");
		xmlFreeDoc(doc);
		im->errors++;
		return;
	}
	/* xml:base resolves on the URL fetched, never on a file's path. */
	xmlFree((xmlChar *)doc->URL);
	doc->URL = im->base ? xmlStrdup((const xmlChar *)im->base) : NULL;
	root = xmlDocGetRootElement(doc);
	name = root ? (const char *)root->name : "";
	if (strcmp(name, "rss") == 0 || strcmp(name, "RDF") == 0)
		feedread_rss(im, root);
	else if (strcmp(name, "feed") == 0 && feedread_ns_is(root, NS_ATOM)) {
		if (root->ns == NULL)
			import_warn(im, "a <feed> without Atom's namespace "
			    "(%s): read as Atom", NS_ATOM);
		feedread_atom(im, root);
	}
	else if (strcasecmp(name, "html") == 0) {
		feedread_not_html(im, data, len);
		im->errors++;
	} else if (strcmp(name, "feed") == 0) {
		import_warn(im, "not a feed: a <feed> in the namespace \"%s\", "
		    "which is neither Atom 1.0's (%s) nor Atom 0.3's (%s)",
		    root->ns && root->ns->href ? (const char *)root->ns->href :
		    "", NS_ATOM, NS_ATOM03);
		im->errors++;
	} else {
		import_warn(im, "not a feed: the document is <%s>, not <rss> "
		    "(RSS or a WordPress export), <rdf:RDF> (RSS 1.0) or "
		    "Atom's <feed>", name);
		im->errors++;
	}
	xmlFreeDoc(doc);
}

void
feedread_init(void)
{
	xmlInitParser();
	xmlSetStructuredErrorFunc(NULL, feedread_on_xml_error);
	xmlSetExternalEntityLoader(feedread_no_external);
}

void
feedread_cleanup(void)
{
	xmlCleanupParser();
}
