/*
 * feed.c: Atom feeds (RFC 4287) of the archive and of each tag. A feed
 * is a pure function of the snapshot: no clock is read, so the same store
 * gives the same bytes, which the cache and the static export rely on.
 *
 * Ids are tag: URIs (RFC 4151) made of the capsule's own name (the first
 * Hostname of capsule.conf), a date and the path: the same live and on
 * any mirror, over either protocol, so a reader subscribed to two copies
 * sees each post once. Links name the protocol and port the feed is
 * served from.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "feed.h"
#include "router.h"
#include "utf8.h"

#define FEED_BASE_MAX		(STORE_HOSTNAME_MAX + 32)	/* gemini://host:port */
#define FEED_GOPHER_PORT	70	/* left out of gopher:// URLs */
#define FEED_PATH_MAX		(URL_PATH_MAX + 8)
#define FEED_EPOCH		"1970-01-01"	/* updated of an empty feed */

/* 1 when c may appear in an XML 1.0 document (its Char production). */
static int
feed_xml_char(uint32_t c)
{
	return c == 0x9 || c == 0xa || c == 0xd ||
	    (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) ||
	    (c >= 0x10000 && c <= 0x10ffff);
}

/*
 * Writes s[0..len) escaped for XML text and attribute values. Characters
 * XML cannot carry, and bytes that are not UTF-8, are left out: a feed
 * reader rejects the whole feed for one of them.
 */
static void
feed_escape(struct buf *b, const char *s, size_t len)
{
	size_t i = 0, run = 0, n;
	const char *ent;
	uint32_t c;

	while (i < len) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x80 && buf_xml_entity((int)c) == NULL) {
			i++;
			continue;
		}
		buf_add(b, s + run, i - run);
		if (c < 0x80)
			n = 1;
		else if ((n = utf8_decode(s + i, len - i, &c)) == 0) {
			n = 1;
			c = 0;
		}
		if ((ent = buf_xml_entity((int)c)) != NULL)
			buf_puts(b, ent);
		else if (feed_xml_char(c))
			buf_add(b, s + i, n);
		i += n;
		run = i;
	}
	buf_add(b, s + run, i - run);
}

static void
feed_escape_str(struct buf *b, const char *s)
{
	feed_escape(b, s, strlen(s));
}

/* "gemini://host" or "gopher://host", and ":port" when not the default. */
static void
feed_base(const struct store *st, enum proto proto, char *out, size_t outsz)
{
	const struct site *s = &st->site;
	int v6 = strchr(s->host, ':') != NULL;
	int port = proto == PROTO_GOPHER ? s->gopher_port : s->gemini_port;
	int dflt = proto == PROTO_GOPHER ? FEED_GOPHER_PORT : 1965;
	const char *scheme = proto == PROTO_GOPHER ? "gopher" : "gemini";

	if (port == dflt || port == 0)
		snprintf(out, outsz, "%s://%s%s%s", scheme, v6 ? "[" : "",
		    s->host, v6 ? "]" : "");
	else
		snprintf(out, outsz, "%s://%s%s%s:%d", scheme, v6 ? "[" : "",
		    s->host, v6 ? "]" : "", port);
}

/* The name in the capsule's tag: URIs: its own, not where it is served. */
static const char *
feed_authority(const struct store *st)
{
	return st->settings.nhostnames > 0 ? st->settings.hostnames[0] :
	    st->site.host;
}

/* Writes a tag: URI: "tag:name,date:path". */
static void
feed_id(struct buf *b, const struct store *st, const char *date,
    const char *path)
{
	buf_puts(b, "tag:");
	feed_escape_str(b, feed_authority(st));
	buf_printf(b, ",%s:", date);
	feed_escape_str(b, path);
}

/*
 * Writes the URL of path: on Gemini the path (a static mirror names the
 * .gmi file of a post), on Gopher the item type then the selector. The
 * self link adds "atom.xml" to its home page's URL.
 */
static void
feed_url(struct buf *b, const struct store *st, enum proto proto,
    const char *base, char type, const char *path)
{
	feed_escape_str(b, base);
	if (proto == PROTO_GOPHER)
		buf_printf(b, "/%c", type);
	feed_escape_str(b, path);
	if (proto == PROTO_GEMINI && st->site.static_links &&
	    strncmp(path, "/posts/", 7) == 0)
		buf_puts(b, ".gmi");
}

/* The MIME type of the documents a feed links to. */
static const char *
feed_doc_type(enum proto proto)
{
	return proto == PROTO_GOPHER ? "text/plain" : "text/gemini";
}

static void
feed_entry(struct buf *b, const struct store *st, enum proto proto,
    const struct post *p, const char *base)
{
	struct post_text pt;
	char path[FEED_PATH_MAX];
	size_t i;

	if (router_post_path(st, p, path, sizeof(path)) == -1)
		snprintf(path, sizeof(path), "/");
	buf_puts(b, "<entry>\n<id>");
	feed_id(b, st, p->date, path);
	buf_puts(b, "</id>\n<title>");
	feed_escape_str(b, p->title);
	buf_printf(b, "</title>\n<updated>%sT00:00:00Z</updated>\n", p->date);
	if (p->author[0] != '\0') {
		buf_puts(b, "<author><name>");
		feed_escape_str(b, p->author);
		buf_puts(b, "</name></author>\n");
	}
	buf_printf(b, "<link rel=\"alternate\" type=\"%s\" href=\"",
	    feed_doc_type(proto));
	feed_url(b, st, proto, base, '0', path);
	buf_puts(b, "\"/>\n");
	for (i = 0; i < p->ntags; i++) {
		buf_puts(b, "<category term=\"");
		feed_escape_str(b, p->tags[i]);
		buf_puts(b, "\"/>\n");
	}
	buf_puts(b, "<content type=\"text\">");
	store_post_text(st, p, &pt);
	feed_escape(b, pt.body, pt.body_len);
	store_post_text_free(&pt);
	buf_puts(b, "</content>\n</entry>\n");
}

int
feed_atom(const struct store *st, const struct tag *t, enum proto proto,
    struct buf *b)
{
	const struct settings *set = &st->settings;
	struct post *const *posts = t ? t->posts : st->posts;
	size_t nposts = t ? t->nposts : st->nposts, i;
	char base[FEED_BASE_MAX], home[FEED_PATH_MAX];

	feed_base(st, proto, base, sizeof(base));
	if (t != NULL) {
		if (router_tag_path(st, t, 1, home, sizeof(home)) == -1)
			return -1;
	} else
		snprintf(home, sizeof(home), "/");
	buf_puts(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\"");
	if (set->lang[0] != '\0') {
		buf_puts(b, " xml:lang=\"");
		feed_escape_str(b, set->lang);
		buf_puts(b, "\"");
	}
	/* The feed's id names its home page, dated by the oldest post. */
	buf_puts(b, ">\n<id>");
	feed_id(b, st, st->nposts > 0 ? st->posts[st->nposts - 1]->date :
	    FEED_EPOCH, home);
	buf_puts(b, "</id>\n<title>");
	feed_escape_str(b, set->title);
	if (t != NULL) {
		buf_puts(b, ": ");
		feed_escape_str(b, t->name);
	}
	buf_puts(b, "</title>\n");
	if (set->description[0] != '\0') {
		buf_puts(b, "<subtitle>");
		feed_escape_str(b, set->description);
		buf_puts(b, "</subtitle>\n");
	}
	/* Posts are newest first: the first one dates the feed. */
	buf_printf(b, "<updated>%sT00:00:00Z</updated>\n",
	    nposts > 0 ? posts[0]->date : FEED_EPOCH);
	/* Atom wants an author for the feed when an entry has none. */
	buf_puts(b, "<author><name>");
	feed_escape_str(b, set->author[0] != '\0' ? set->author : set->title);
	buf_puts(b, "</name></author>\n<link rel=\"self\" "
	    "type=\"application/atom+xml\" href=\"");
	feed_url(b, st, proto, base, '0', home);
	/* A Gopher menu has no MIME type of its own: none is claimed. */
	buf_printf(b, "atom.xml\"/>\n<link rel=\"alternate\" %shref=\"",
	    proto == PROTO_GOPHER ? "" : "type=\"text/gemini\" ");
	feed_url(b, st, proto, base, '1', home);
	buf_puts(b, "\"/>\n<generator>capsule</generator>\n");
	for (i = 0; i < nposts && i < FEED_MAX_ENTRIES; i++)
		feed_entry(b, st, proto, posts[i], base);
	buf_puts(b, "</feed>\n");
	return b->err ? -1 : 0;
}
