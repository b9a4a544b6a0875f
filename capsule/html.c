/*
 * html.c: HTML post bodies to the store's light markup. libxml2's HTML
 * parser builds the tree (it mends broken HTML the way browsers do); a
 * walk over it writes paragraphs, "## " sub-headings, "> " quotes, "* "
 * list items, ``` preformatted blocks and "=> URL text" link lines, and
 * collects image alt texts and captions for the post's Image lines.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>

#include "html.h"
#include "utf8.h"

#define HTML_MAX_LINKS	64	/* link lines after one block */
#define HTML_MAX_CODE	32	/* bytes of a shortcode name */

enum html_kind { KIND_PARA, KIND_HEADING, KIND_ITEM, KIND_CAPTION };

struct html_link {
	char	*url;
	char	*text;
};

struct html_conv {
	struct html_markup	*m;
	const char		*base;
	int			 flags;
	size_t			 max;
	struct buf		 para;		/* the open block's text */
	int			 space;		/* a collapsed space is due */
	int			 heading;	/* depth inside h1-h6 */
	int			 item;		/* inside li */
	int			 quote;		/* inside blockquote */
	int			 caption;	/* inside figcaption or [caption] */
	int			 pre;		/* inside pre */
	int			 last_item;	/* the last block was a list item */
	struct html_link	 links[HTML_MAX_LINKS];
	size_t			 nlinks;
	size_t			 flushes;	/* blocks ended: para restarted */
	int			 err;
};

static int
html_has_class(xmlNode *n, const char *cls)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)"class");
	const char *s, *p;
	size_t l = strlen(cls);
	int found = 0;

	if (v == NULL)
		return 0;
	for (s = (const char *)v; (p = strstr(s, cls)) != NULL; s = p + 1)
		if ((p == (const char *)v || isspace((unsigned char)p[-1])) &&
		    (p[l] == '\0' || isspace((unsigned char)p[l]))) {
			found = 1;
			break;
		}
	xmlFree(v);
	return found;
}

static int
html_is(xmlNode *n, const char *name)
{
	return strcasecmp((const char *)n->name, name) == 0;
}

static int
html_is_any(xmlNode *n, const char *const *names)
{
	for (; *names != NULL; names++)
		if (html_is(n, *names))
			return 1;
	return 0;
}

static const char *const html_blocks[] = { "p", "div", "section",
	"article", "header", "footer", "main", "aside", "h1", "h2", "h3",
	"h4", "h5", "h6", "blockquote", "ul", "ol", "li", "dl", "dt", "dd",
	"figure", "figcaption", "table", "tr", "td", "th", "hr", "address",
	"center", "details", "summary", "caption", "body", NULL };

/* Dropped with everything inside them: not the post's text. */
static const char *const html_skipped[] = { "script", "style", "noscript",
	"template", "head", "title", "meta", "link", "object", "svg", "math",
	"form", "button", "select", "textarea", "input", "nav", "audio",
	"video", "canvas", "map", NULL };

/*
 * The bytes of the control character at s[0..n), 0 if there is none:
 * C0 and DEL, and C1 (U+0080-U+009F) in UTF-8. Neither may reach a
 * line: readers' terminals would obey them.
 */
static size_t
html_control(const char *s, size_t n)
{
	unsigned char ch = (unsigned char)s[0];

	if (ch < 0x20 || ch == 0x7f)
		return 1;
	if (ch == 0xc2 && n > 1 && (unsigned char)s[1] >= 0x80 &&
	    (unsigned char)s[1] <= 0x9f)
		return 2;
	return 0;
}

/* Adds s[0..n) to the open block, spaces collapsed outside pre. */
static void
html_text(struct html_conv *c, const char *s, size_t n)
{
	size_t i, skip;
	unsigned char ch;

	for (i = 0; i < n; i++) {
		ch = (unsigned char)s[i];
		if (c->pre) {
			if (ch != '\n' && ch != '\t' &&
			    (skip = html_control(s + i, n - i)) > 0) {
				i += skip - 1;
				continue;
			}
			buf_putc(&c->para, (char)ch);
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
		    ch == '\f' || ch == '\v') {
			c->space = 1;
			continue;
		}
		if ((skip = html_control(s + i, n - i)) > 0) {
			i += skip - 1;
			continue;
		}
		if (c->space && c->para.len > 0 &&
		    c->para.data[c->para.len - 1] != '\n')
			buf_putc(&c->para, ' ');
		c->space = 0;
		buf_putc(&c->para, (char)ch);
	}
}

static void
html_break(struct html_conv *c)
{
	c->space = 0;
	buf_putc(&c->para, '\n');
}

/*
 * Copies s[0..n) with ASCII space runs made one space, control
 * characters dropped, ends trimmed.
 */
static char *
html_squeeze(const char *s, size_t n, size_t max)
{
	char *out;
	size_t i, o = 0, skip;
	int space = 0;

	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (isspace((unsigned char)s[i])) {
			space = 1;
			continue;
		}
		if ((skip = html_control(s + i, n - i)) > 0) {
			i += skip - 1;
			continue;
		}
		if (space && o > 0)
			out[o++] = ' ';
		space = 0;
		out[o++] = s[i];
	}
	/* Cut at max bytes, never inside a character. */
	if (o > max) {
		o = max;
		while (o > 0 && ((unsigned char)out[o] & 0xc0) == 0x80)
			o--;
	}
	out[o] = '\0';
	return out;
}

static void
html_add_image(struct html_conv *c, const char *s, size_t n)
{
	struct html_markup *m = c->m;
	char *t;
	size_t i;

	if ((t = html_squeeze(s, n, HTML_MAX_IMAGE)) == NULL) {
		c->err = 1;
		return;
	}
	for (i = 0; i < m->nimages; i++)
		if (strcmp(m->images[i], t) == 0)
			break;
	if (t[0] == '\0' || i < m->nimages) {
		free(t);
		return;
	}
	if (m->nimages == HTML_MAX_IMAGES) {
		m->dropped_images++;
		free(t);
		return;
	}
	m->images[m->nimages++] = t;
}

/* Blank line before a block, none between the items of one list. */
static void
html_separate(struct html_conv *c, int item)
{
	struct buf *o = &c->m->body;

	if (o->len == 0)
		return;
	if (!(item && c->last_item))
		buf_putc(o, '\n');
}

static void
html_emit_links(struct html_conv *c)
{
	struct buf *o = &c->m->body;
	size_t i;

	for (i = 0; i < c->nlinks; i++) {
		buf_printf(o, "=> %s", c->links[i].url);
		if (c->links[i].text[0] != '\0')
			buf_printf(o, " %s", c->links[i].text);
		buf_putc(o, '\n');
		free(c->links[i].url);
		free(c->links[i].text);
		c->m->nlinks++;
	}
	c->nlinks = 0;
}

/* Where needle (nlen bytes) is in s[0..n), or NULL. */
static const char *
html_find(const char *s, size_t n, const char *needle, size_t nlen)
{
	const char *p, *end = s + n;

	for (p = s; nlen <= (size_t)(end - p); p++)
		if (memcmp(p, needle, nlen) == 0)
			return p;
	return NULL;
}

/* Chrome a blog puts around a post in its feeds, not the post's text. */
static int
html_is_chrome(const char *s, size_t n)
{
	static const char *const whole[] = { "Please follow and like us:",
		"Continue reading", "Continue Reading", "Continue reading \xe2\x86\x92",
		"Continue reading \xe2\x80\xa6", "Read more", "Read More",
		"Read more \xe2\x80\xa6", "Read more\xe2\x80\xa6", "[\xe2\x80\xa6]",
		"[...]", NULL };
	size_t i;

	for (i = 0; whole[i] != NULL; i++)
		if (n == strlen(whole[i]) && memcmp(s, whole[i], n) == 0)
			return 1;
	/* "The post <title> appeared first on <site>." (Yoast and others) */
	return n > 9 && memcmp(s, "The post ", 9) == 0 &&
	    html_find(s, n, " appeared first on ", 19) != NULL;
}

static void
html_drop_links(struct html_conv *c)
{
	size_t i;

	for (i = 0; i < c->nlinks; i++) {
		free(c->links[i].url);
		free(c->links[i].text);
	}
	c->nlinks = 0;
}

/* Writes one line of a block with its prefix. */
static void
html_line(struct html_conv *c, int kind, const char *s, size_t n)
{
	struct buf *o = &c->m->body;

	if (kind == KIND_HEADING)
		buf_puts(o, "## ");
	else if (kind == KIND_ITEM)
		buf_puts(o, "* ");
	else if (c->quote)
		buf_puts(o, "> ");
	else if ((n >= 2 && memcmp(s, "=>", 2) == 0) ||
	    (n >= 3 && memcmp(s, "```", 3) == 0))
		buf_putc(o, ' ');	/* text, not markup */
	buf_add(o, s, n);
	buf_putc(o, '\n');
}

/*
 * Ends the open block: its lines (trimmed, empty ones dropped) go out
 * with the block's prefix, then its link lines. A block that is only
 * one link becomes that link line alone; chrome goes with its links.
 */
static void
html_flush(struct html_conv *c)
{
	char *text, *line, *next, *end;
	size_t n, nlines = 0, i;
	int kind, any = 0;
	struct {
		const char	*s;
		size_t		 n;
	} lines[256];

	c->space = 0;
	if (c->para.err) {
		c->err = 1;
		return;
	}
	if (c->para.len == 0 && c->nlinks == 0)
		return;
	buf_putc(&c->para, '\0');
	text = c->para.data;
	kind = c->caption ? KIND_CAPTION : c->heading ? KIND_HEADING :
	    c->item ? KIND_ITEM : KIND_PARA;
	/* Headings, items and captions are one line each. */
	if (kind != KIND_PARA)
		for (line = text; *line != '\0'; line++)
			if (*line == '\n')
				*line = ' ';
	for (line = text; *line != '\0'; line = next) {
		end = strchr(line, '\n');
		next = end ? end + 1 : line + strlen(line);
		end = end ? end : next;
		while (line < end && *line == ' ')
			line++;
		while (end > line && end[-1] == ' ')
			end--;
		if (end == line)
			continue;
		n = end - line;
		if (kind == KIND_CAPTION) {
			html_add_image(c, line, n);
			continue;
		}
		if (html_is_chrome(line, n)) {
			html_drop_links(c);
			continue;
		}
		if (nlines == sizeof(lines) / sizeof(lines[0])) {
			/* A block of many short lines: write what we have. */
			for (i = 0; i < nlines; i++) {
				if (!any++)
					html_separate(c, kind == KIND_ITEM);
				html_line(c, kind, lines[i].s, lines[i].n);
			}
			nlines = 0;
		}
		lines[nlines].s = line;
		lines[nlines++].n = n;
	}
	if (!any && nlines == 1 && c->nlinks == 1 &&
	    strlen(c->links[0].text) == lines[0].n &&
	    memcmp(c->links[0].text, lines[0].s, lines[0].n) == 0)
		nlines = 0;	/* the link line says it all */
	for (i = 0; i < nlines; i++) {
		if (!any++)
			html_separate(c, kind == KIND_ITEM);
		html_line(c, kind, lines[i].s, lines[i].n);
	}
	if (c->nlinks > 0) {
		if (!any)
			html_separate(c, kind == KIND_ITEM);
		any = 1;
		html_emit_links(c);	/* a list goes on after an item's links */
	}
	if (any)
		c->last_item = kind == KIND_ITEM;
	buf_reset(&c->para);
	c->flushes++;
	if (c->m->body.err || c->m->body.len > c->max)
		c->err = 2;
}

/* The open pre block as a ``` fenced block, kept as written. */
static void
html_flush_pre(struct html_conv *c)
{
	struct buf *o = &c->m->body;
	const char *s, *end, *nl;
	size_t n;

	if (c->para.err) {
		c->err = 1;
		return;
	}
	/* An empty pre may leave the buffer never allocated. */
	s = c->para.data != NULL ? c->para.data : "";
	end = s + c->para.len;
	while (s < end && (*s == '\n' || *s == ' ' || *s == '\t')) {
		/* Leading blank lines go; a first line's indent stays. */
		if ((nl = memchr(s, '\n', end - s)) == NULL)
			break;
		if (strspn(s, " \t") < (size_t)(nl - s))
			break;
		s = nl + 1;
	}
	while (end > s && (end[-1] == '\n' || end[-1] == ' ' ||
	    end[-1] == '\t'))
		end--;
	if (end > s) {
		html_separate(c, 0);
		buf_puts(o, "```\n");
		for (; s < end; s = nl + 1) {
			if ((nl = memchr(s, '\n', end - s)) == NULL)
				nl = end;
			n = nl - s;
			if (n >= 3 && memcmp(s, "```", 3) == 0)
				buf_putc(o, ' ');	/* would close it */
			buf_add(o, s, n);
			buf_putc(o, '\n');
		}
		buf_puts(o, "```\n");
		c->last_item = 0;
	}
	buf_reset(&c->para);
	c->flushes++;
	c->space = 0;
	if (o->err || o->len > c->max)
		c->err = 2;
}

/* 1 when url starts with a scheme we link to. */
static int
html_good_scheme(const char *url)
{
	static const char *const bad[] = { "javascript", "data", "vbscript",
		"about", "file", "blob", NULL };
	size_t i = 0, k;

	if (!isalpha((unsigned char)url[0]))
		return 0;
	while (isalnum((unsigned char)url[i]) || url[i] == '+' ||
	    url[i] == '-' || url[i] == '.')
		i++;
	if (url[i] != ':')
		return 0;
	for (k = 0; bad[k] != NULL; k++)
		if (i == strlen(bad[k]) && strncasecmp(url, bad[k], i) == 0)
			return 0;
	return 1;
}

/* An absolute URL for href, spaces escaped; NULL when not linkable. */
static char *
html_resolve(const char *base, const char *href)
{
	xmlChar *abs;
	struct buf b;
	const char *s;
	char *out;

	while (isspace((unsigned char)*href))
		href++;
	if (*href == '\0' || *href == '#')
		return NULL;
	/* Spaces escaped first: the URI parser refuses them. */
	buf_init(&b);
	for (s = href; *s != '\0'; s++) {
		if (*s == ' ')
			buf_puts(&b, "%20");
		else if ((unsigned char)*s < 0x20 || *s == 0x7f)
			b.err = 1;
		else
			buf_putc(&b, *s);
	}
	if (b.err || b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	abs = xmlBuildURI((const xmlChar *)b.data, (const xmlChar *)
	    (base ? base : ""));
	buf_reset(&b);
	if (abs == NULL) {
		buf_free(&b);
		return NULL;
	}
	buf_puts(&b, (const char *)abs);
	xmlFree(abs);
	if (b.err || b.len == 0 || b.len > HTML_MAX_URL ||
	    !html_good_scheme(b.data)) {
		buf_free(&b);
		return NULL;
	}
	out = buf_take(&b, NULL);
	return out;
}

static void
html_add_link(struct html_conv *c, const char *href, const char *text,
    size_t tlen)
{
	struct html_link *l;

	if (c->nlinks == HTML_MAX_LINKS)
		return;
	l = &c->links[c->nlinks];
	if ((l->url = html_resolve(c->base, href)) == NULL)
		return;
	if ((l->text = html_squeeze(text, tlen, 1024)) == NULL) {
		free(l->url);
		c->err = 1;
		return;
	}
	c->nlinks++;
}

static void html_walk(struct html_conv *, xmlNode *, int);

/* The alt text of the first image inside n, for a link around a photo. */
static xmlChar *
html_inner_alt(xmlNode *n, int depth)
{
	xmlChar *v;

	for (n = n->children; n != NULL && depth < 16; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (html_is(n, "img"))
			return xmlGetProp(n, (const xmlChar *)"alt");
		if ((v = html_inner_alt(n, depth + 1)) != NULL)
			return v;
	}
	return NULL;
}

/* A WordPress shortcode at s: returns the bytes it takes, 0 if none. */
static size_t
html_shortcode(struct html_conv *c, const char *s, size_t n)
{
	static const char *const known[] = { "caption", "wp_caption",
		"embed", "gallery", "audio", "video", "playlist", NULL };
	char name[HTML_MAX_CODE];
	const char *p = s + 1, *end = s + n, *close, *url;
	size_t nl = 0, k, len;
	int closing = 0;

	if (p < end && *p == '/') {
		closing = 1;
		p++;
	}
	while (p < end && (islower((unsigned char)*p) || *p == '_') &&
	    nl + 1 < sizeof(name))
		name[nl++] = *p++;
	name[nl] = '\0';
	if (nl == 0 || p == end || (*p != ']' && *p != ' '))
		return 0;
	for (k = 0; known[k] != NULL; k++)
		if (strcmp(name, known[k]) == 0)
			break;
	if (known[k] == NULL)
		return 0;
	if ((close = memchr(p, ']', end - p)) == NULL || close - p > 2048)
		return 0;
	len = close + 1 - s;
	if (strcmp(name, "caption") == 0 || strcmp(name, "wp_caption") == 0) {
		html_flush(c);
		if (closing) {
			if (c->caption > 0)
				c->caption--;
		} else
			c->caption++;
	} else if (strcmp(name, "embed") == 0 && !closing) {
		/* [embed]URL[/embed]: a link to what it embedded. */
		url = close + 1;
		if ((close = html_find(url, end - url, "[/embed]", 8)) != NULL) {
			char *u = strndup(url, close - url);

			if (u != NULL) {
				html_add_link(c, u, "", 0);
				free(u);
			}
			len = close + 8 - s;
		}
	}
	return len;
}

/*
 * A text node. WordPress stores posts without <p>: its blank lines are
 * paragraph breaks and single newlines line breaks (HTML_AUTOP).
 */
static void
html_plain(struct html_conv *c, const char *s, size_t n)
{
	size_t i, run, nls;

	if (!(c->flags & HTML_AUTOP) || c->pre) {
		html_text(c, s, n);
		return;
	}
	for (i = 0; i < n; i = run) {
		if (!isspace((unsigned char)s[i])) {
			for (run = i; run < n && !isspace((unsigned char)s[run]);
			    run++)
				;
			html_text(c, s + i, run - i);
			continue;
		}
		for (run = i, nls = 0; run < n && isspace((unsigned char)s[run]);
		    run++)
			nls += s[run] == '\n';
		if (nls >= 2)
			html_flush(c);
		else if (nls == 1)
			html_break(c);
		else
			html_text(c, s + i, run - i);
	}
}

static void
html_text_node(struct html_conv *c, const char *s, size_t n)
{
	const char *p;
	size_t used;

	if (c->pre) {
		html_text(c, s, n);
		return;
	}
	while (n > 0) {
		p = memchr(s, '[', n);
		html_plain(c, s, (p ? p : s + n) - s);
		if (p == NULL)
			break;
		if ((used = html_shortcode(c, p, s + n - p)) == 0) {
			html_plain(c, p, 1);
			used = 1;
		}
		n -= (size_t)(p - s) + used;
		s = p + used;
	}
}

static void
html_element(struct html_conv *c, xmlNode *n, int depth)
{
	xmlChar *v;
	size_t at, flushes;
	int block, heading, item, quote, caption;

	if (html_is_any(n, html_skipped) || html_has_class(n, "more-link") ||
	    html_has_class(n, "screen-reader-text") ||
	    html_has_class(n, "sharedaddy") ||
	    html_has_class(n, "jp-relatedposts"))
		return;
	if (html_is(n, "br")) {
		if (c->pre)
			buf_putc(&c->para, '\n');
		else
			html_break(c);
		return;
	}
	if (html_is(n, "img")) {
		if ((v = xmlGetProp(n, (const xmlChar *)"alt")) != NULL) {
			html_add_image(c, (const char *)v, strlen((char *)v));
			xmlFree(v);
		}
		return;
	}
	if (html_is(n, "iframe") || html_is(n, "embed")) {
		if ((v = xmlGetProp(n, (const xmlChar *)"src")) != NULL) {
			html_add_link(c, (const char *)v, "", 0);
			xmlFree(v);
		}
		return;
	}
	if (html_is(n, "pre") && !c->pre) {
		html_flush(c);
		c->pre = 1;
		html_walk(c, n->children, depth + 1);
		html_flush_pre(c);
		c->pre = 0;
		return;
	}
	block = !c->pre && html_is_any(n, html_blocks);
	heading = n->name[0] != '\0' && tolower(n->name[0]) == 'h' &&
	    n->name[1] >= '1' && n->name[1] <= '6' && n->name[2] == '\0';
	item = html_is(n, "li");
	quote = html_is(n, "blockquote");
	caption = html_is(n, "figcaption") ||
	    html_has_class(n, "wp-caption-text");
	if (block)
		html_flush(c);
	c->heading += heading;
	c->item += item;
	c->quote += quote;
	c->caption += caption;
	v = html_is(n, "a") ? xmlGetProp(n, (const xmlChar *)"href") : NULL;
	at = c->para.len;
	flushes = c->flushes;
	html_walk(c, n->children, depth + 1);
	if (v != NULL) {
		if (flushes != c->flushes)
			at = 0;	/* a block inside the link: its text is new */
		if (at <= c->para.len) {
			char *t = html_squeeze(c->para.data ? c->para.data + at :
			    "", c->para.len - at, 1024);

			xmlChar *alt = NULL;

			if (t != NULL && t[0] == '\0')
				alt = html_inner_alt(n, 0);
			if (t != NULL && html_is_chrome(t, strlen(t)))
				c->para.len = at;	/* "Continue reading" */
			else if (alt != NULL)
				html_add_link(c, (const char *)v, (char *)alt,
				    strlen((char *)alt));
			else if (t != NULL)
				html_add_link(c, (const char *)v, t, strlen(t));
			xmlFree(alt);
			free(t);
		}
		xmlFree(v);
	}
	if (block)
		html_flush(c);
	c->heading -= heading;
	c->item -= item;
	c->quote -= quote;
	c->caption -= caption;
}

static void
html_walk(struct html_conv *c, xmlNode *n, int depth)
{
	if (depth > HTML_MAX_DEPTH)
		return;
	for (; n != NULL && !c->err; n = n->next) {
		if (n->type == XML_ELEMENT_NODE)
			html_element(c, n, depth);
		else if ((n->type == XML_TEXT_NODE ||
		    n->type == XML_CDATA_SECTION_NODE) && n->content != NULL)
			html_text_node(c, (const char *)n->content,
			    strlen((const char *)n->content));
	}
}

/*
 * Parses html as UTF-8. Bytes that are not UTF-8 (a mis-declared feed)
 * are made U+FFFD first: libxml2 would pass some of them through, and
 * no invalid UTF-8 may reach a post.
 */
static htmlDocPtr
html_parse(const char *html, size_t len, const char *base)
{
	struct buf b;
	htmlDocPtr doc;
	size_t i = 0, n;
	uint32_t cp;

	if (len > INT32_MAX / 3)
		return NULL;
	buf_init(&b);
	while (i < len) {
		if ((n = utf8_decode(html + i, len - i, &cp)) == 0 || cp == 0) {
			buf_puts(&b, "\xef\xbf\xbd");
			i++;
			continue;
		}
		buf_add(&b, html + i, n);
		i += n;
	}
	if (b.err || b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	doc = htmlReadMemory(b.data, (int)b.len, base, "UTF-8",
	    HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
	    HTML_PARSE_COMPACT);
	buf_free(&b);
	return doc;
}

int
html_to_markup(const char *html, size_t len, const char *base, int flags,
    size_t max, struct html_markup *m, char *err, size_t errsz)
{
	struct html_conv c;
	htmlDocPtr doc;
	size_t i;

	memset(m, 0, sizeof(*m));
	buf_init(&m->body);
	for (i = 0; i < len && isspace((unsigned char)html[i]); i++)
		;
	if (i == len)
		return 0;	/* an empty body is a valid one */
	if ((doc = html_parse(html, len, base)) == NULL) {
		snprintf(err, errsz, "the HTML could not be parsed");
		return -1;
	}
	memset(&c, 0, sizeof(c));
	c.m = m;
	c.base = base;
	c.flags = flags;
	c.max = max;
	buf_init(&c.para);
	html_walk(&c, xmlDocGetRootElement(doc), 0);
	if (!c.err)
		html_flush(&c);
	html_drop_links(&c);
	buf_free(&c.para);
	xmlFreeDoc(doc);
	if (c.err || m->body.err) {
		snprintf(err, errsz, c.err == 2 ? "the text is larger than "
		    "%zu bytes" : "out of memory", max);
		html_markup_free(m);
		return -1;
	}
	while (m->body.len > 0 && m->body.data[m->body.len - 1] == '\n')
		m->body.data[--m->body.len] = '\0';
	return 0;
}

void
html_markup_free(struct html_markup *m)
{
	size_t i;

	buf_free(&m->body);
	for (i = 0; i < m->nimages; i++)
		free(m->images[i]);
	m->nimages = 0;
}

char *
html_to_text(const char *html, size_t len)
{
	htmlDocPtr doc;
	xmlChar *t;
	char *out;

	if ((doc = html_parse(html, len, NULL)) == NULL)
		return strdup("");
	t = xmlNodeGetContent((xmlNode *)doc);
	out = html_squeeze(t ? (const char *)t : "", t ? strlen((char *)t) :
	    0, 4096);
	xmlFree(t);
	xmlFreeDoc(doc);
	return out;
}
