/*
 * feed.c: Atom feeds (RFC 4287) of the archive and of each tag. A feed
 * is a pure function of the snapshot: no clock is read, so the same store
 * gives the same bytes, which the cache and the static export rely on.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "feed.h"
#include "router.h"
#include "utf8.h"

#define FEED_MAX_ENTRIES	50	/* newest posts in one feed */
#define FEED_BASE_MAX		(STORE_HOSTNAME_MAX + 32)	/* gemini://host:port */
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

/* "gemini://host" and ":port" when it is not the default. */
static void
feed_base(const struct store *st, char *out, size_t outsz)
{
	const struct site *s = &st->site;
	int v6 = strchr(s->host, ':') != NULL;

	if (s->gemini_port == 1965 || s->gemini_port == 0)
		snprintf(out, outsz, "gemini://%s%s%s", v6 ? "[" : "",
		    s->host, v6 ? "]" : "");
	else
		snprintf(out, outsz, "gemini://%s%s%s:%d", v6 ? "[" : "",
		    s->host, v6 ? "]" : "", s->gemini_port);
}

/* The post's path in Gemini URLs; a static mirror names the .gmi file. */
static void
feed_post_path(const struct store *st, const struct post *p, char *out,
    size_t outsz)
{
	if (router_post_path(st, p, out, outsz - 4) == -1)
		snprintf(out, outsz, "/");
	else if (st->site.static_links)
		strcat(out, ".gmi");
}

/* Writes base and path as one escaped URL. */
static void
feed_url(struct buf *b, const char *base, const char *path)
{
	feed_escape_str(b, base);
	feed_escape_str(b, path);
}

static void
feed_entry(struct buf *b, const struct store *st, const struct post *p,
    const char *base)
{
	struct post_text pt;
	char path[FEED_PATH_MAX];
	size_t i;

	feed_post_path(st, p, path, sizeof(path));
	buf_puts(b, "<entry>\n<id>");
	feed_url(b, base, path);
	buf_puts(b, "</id>\n<title>");
	feed_escape_str(b, p->title);
	buf_printf(b, "</title>\n<updated>%sT00:00:00Z</updated>\n", p->date);
	if (p->author[0] != '\0') {
		buf_puts(b, "<author><name>");
		feed_escape_str(b, p->author);
		buf_puts(b, "</name></author>\n");
	}
	buf_puts(b, "<link rel=\"alternate\" type=\"text/gemini\" href=\"");
	feed_url(b, base, path);
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
feed_atom(const struct store *st, const struct tag *t, struct buf *b)
{
	const struct settings *set = &st->settings;
	struct post *const *posts = t ? t->posts : st->posts;
	size_t nposts = t ? t->nposts : st->nposts, i;
	char base[FEED_BASE_MAX], home[FEED_PATH_MAX];

	feed_base(st, base, sizeof(base));
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
	/* The id is the feed's home page: stable, and it names the feed. */
	buf_puts(b, ">\n<id>");
	feed_url(b, base, home);
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
	feed_url(b, base, home);
	buf_puts(b, "atom.xml\"/>\n<link rel=\"alternate\" "
	    "type=\"text/gemini\" href=\"");
	feed_url(b, base, home);
	buf_puts(b, "\"/>\n<generator>capsule</generator>\n");
	for (i = 0; i < nposts && i < FEED_MAX_ENTRIES; i++)
		feed_entry(b, st, posts[i], base);
	buf_puts(b, "</feed>\n");
	return b->err ? -1 : 0;
}
