/*
 * html.c: HTML post bodies to the store's light markup. libxml2's HTML
 * parser builds the tree (it mends broken HTML the way browsers do); a
 * walk over it writes paragraphs, "## " sub-headings, "> " quotes, "* "
 * list items, ``` preformatted blocks, "=> URL text" link lines, table
 * rows as lines of cells, and each picture as a link line in its place
 * (reported to the caller, who may mirror it). Embedded media (iframe,
 * video, [audio], embed blocks, a URL alone on a line) become link lines.
 */
#include <ctype.h>
#include <stdarg.h>
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
#define HTML_MAX_FRAMES	8	/* figures inside figures */
#define HTML_FRAME_PICS	32	/* pictures one figure holds back */
#define HTML_MAX_OPEN	8	/* unknown enclosing shortcodes remembered */

enum html_kind { KIND_PARA, KIND_HEADING, KIND_ITEM, KIND_CAPTION };

struct html_link {
	char	*url;
	char	*text;
};

struct html_pic {
	char	*url;
	char	*alt;
};

/*
 * A figure, a WordPress caption or a gallery item: its pictures wait
 * for its caption, which comes after them, and go out when it ends.
 */
struct html_frame {
	struct html_pic	 pics[HTML_FRAME_PICS];
	size_t		 npics;
	struct buf	 caption;
	int		 shortcode;	/* [caption]: all its text is caption */
};

struct html_conv {
	struct html_markup	*m;
	const struct html_options *o;
	const char		*base;
	int			 flags;
	size_t			 max;
	struct html_frame	 frames[HTML_MAX_FRAMES];
	size_t			 nframes;
	int			 cell;		/* inside td or th */
	size_t			 cells;		/* cells of the open row so far */
	char			 open[HTML_MAX_OPEN][HTML_MAX_CODE];
	size_t			 nopen;		/* unknown shortcodes opened */
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
	"figure", "figcaption", "table", "hr", "address",
	"center", "details", "summary", "caption", "body", NULL };

/* Dropped with everything inside them: not the post's text. */
static const char *const html_skipped[] = { "script", "style", "noscript",
	"template", "head", "title", "meta", "link", "svg", "math",
	"form", "button", "select", "textarea", "input", "nav", "canvas",
	"map", "source", "track", "param", NULL };

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

/* Tells the caller something, once: a printf-like message. */
static void
html_warn(struct html_conv *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
html_warn(struct html_conv *c, const char *fmt, ...)
{
	struct html_markup *m = c->m;
	char msg[256];
	va_list ap;
	size_t i;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (i = 0; i < m->nwarnings; i++)
		if (strcmp(m->warnings[i], msg) == 0)
			return;
	if (m->nwarnings < HTML_MAX_WARNINGS &&
	    (m->warnings[m->nwarnings] = strdup(msg)) != NULL)
		m->nwarnings++;
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
	/* A <video>'s words for browsers that cannot play it. */
	if (html_find(s, n, "browser does not support", 24) != NULL)
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
 * One picture as a link line, the caller's path in place of its URL
 * when it gives one; a caption that is not the link's text follows.
 */
static void
html_emit_picture(struct html_conv *c, const char *url, const char *alt,
    const char *caption, int last)
{
	struct html_picture pic = { url, alt, caption };
	struct buf *o = &c->m->body;
	const char *to = NULL, *text;

	if (c->o != NULL && c->o->picture != NULL)
		to = c->o->picture(c->o->arg, &pic);
	text = alt[0] != '\0' ? alt : last ? caption : "";
	html_separate(c, 0);
	buf_printf(o, "=> %s", to != NULL ? to : url);
	if (text[0] != '\0')
		buf_printf(o, " %s", text);
	buf_putc(o, '\n');
	if (last && caption[0] != '\0' && strcmp(caption, text) != 0)
		html_line(c, KIND_PARA, caption, strlen(caption));
	c->m->nlinks++;
	c->m->npictures++;
	c->last_item = 0;
}

/*
 * Ends a figure: its pictures in order, the caption after the last one
 * (a figure without pictures, a table's or a quote's, keeps its caption
 * as a paragraph), then the caption's own links.
 */
static void
html_frame_end(struct html_conv *c)
{
	struct html_frame *f;
	const char *cap;
	size_t i;

	if (c->nframes == 0)
		return;
	f = &c->frames[--c->nframes];
	cap = f->caption.len > 0 && !f->caption.err ? f->caption.data : "";
	for (i = 0; i < f->npics; i++) {
		html_emit_picture(c, f->pics[i].url, f->pics[i].alt, cap,
		    i + 1 == f->npics);
		free(f->pics[i].url);
		free(f->pics[i].alt);
	}
	if (f->npics == 0 && cap[0] != '\0') {
		html_separate(c, 0);
		html_line(c, KIND_PARA, cap, strlen(cap));
		c->last_item = 0;
	}
	if (c->nlinks > 0) {
		if (f->npics == 0 && cap[0] == '\0')
			html_separate(c, 0);
		html_emit_links(c);
	}
	buf_free(&f->caption);
	memset(f, 0, sizeof(*f));
	if (c->m->body.err || c->m->body.len > c->max)
		c->err = 2;
}

static void
html_frame_begin(struct html_conv *c, int shortcode)
{
	struct html_frame *f;

	if (c->nframes == HTML_MAX_FRAMES)
		return;
	f = &c->frames[c->nframes++];
	memset(f, 0, sizeof(*f));
	buf_init(&f->caption);
	f->shortcode = shortcode;
}

/* 1 when s[0..n) is only spaces and no-break spaces. */
static int
html_blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == ' ')
			continue;
		else if (i + 1 < n && (unsigned char)s[i] == 0xc2 &&
		    (unsigned char)s[i + 1] == 0xa0)
			i++;
		else
			return 0;
	return 1;
}

/* 1 when s[0..n) is a web URL and nothing else: WordPress embeds it. */
static int
html_bare_url(const char *s, size_t n)
{
	size_t i;

	if (!((n > 8 && strncasecmp(s, "https://", 8) == 0) ||
	    (n > 7 && strncasecmp(s, "http://", 7) == 0)))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == '<' || s[i] == '>' ||
		    s[i] == '"')
			return 0;
	return 1;
}

static void html_add_link(struct html_conv *, const char *, const char *,
    size_t);

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
	kind = (c->caption || (c->nframes > 0 &&
	    c->frames[c->nframes - 1].shortcode)) && c->nframes > 0 ?
	    KIND_CAPTION : c->heading ? KIND_HEADING : c->item ? KIND_ITEM :
	    KIND_PARA;
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
		n = end - line;
		if (n == 0 || html_blank(line, n))
			continue;	/* a paragraph of &nbsp; is none */
		if (kind == KIND_CAPTION) {
			struct buf *cb = &c->frames[c->nframes - 1].caption;

			if (cb->len + n + 1 <= HTML_MAX_IMAGE) {
				if (cb->len > 0)
					buf_putc(cb, ' ');
				buf_add(cb, line, n);
			}
			continue;
		}
		if (kind == KIND_PARA && html_bare_url(line, n)) {
			char *u = strndup(line, n);

			for (i = 0; u != NULL && i < c->nlinks; i++)
				if (strcmp(c->links[i].url, u) == 0)
					break;
			if (u != NULL && i == c->nlinks)
				html_add_link(c, u, "", 0);
			free(u);
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
	if (kind == KIND_CAPTION) {
		/* Its links wait for the figure's pictures. */
		buf_reset(&c->para);
		c->flushes++;
		if (c->frames[c->nframes - 1].shortcode)
			html_frame_end(c);	/* [caption] ends at its text's end */
		return;
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

/*
 * An absolute URL for href, percent-encoded where a URL may not hold
 * the byte as it is (spaces, non-ASCII: "Straße", an RTL mark); NULL
 * when not linkable.
 */
static char *
html_resolve(const char *base, const char *href)
{
	xmlChar *abs;
	struct buf b;
	const char *s, *end;
	unsigned char ch;
	char *out;

	while (isspace((unsigned char)*href))
		href++;
	end = href + strlen(href);
	while (end > href && isspace((unsigned char)end[-1]))
		end--;
	if (href == end || *href == '#')
		return NULL;
	/* Escaped first: the URI parser refuses them. */
	buf_init(&b);
	for (s = href; s < end; s++) {
		ch = (unsigned char)*s;
		if (ch < 0x20 || ch == 0x7f)
			b.err = 1;
		else if (ch >= 0x80 || strchr(" \"<>\\^`{|}", ch) != NULL)
			buf_printf(&b, "%%%02X", ch);
		else
			buf_putc(&b, (char)ch);
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
	size_t i;

	if (c->nlinks == HTML_MAX_LINKS)
		return;
	l = &c->links[c->nlinks];
	if ((l->url = html_resolve(c->base, href)) == NULL)
		return;
	for (i = 0; i < c->nlinks; i++)
		if (strcmp(c->links[i].url, l->url) == 0) {
			free(l->url);	/* a <video>'s fallback link to itself */
			return;
		}
	if ((l->text = html_squeeze(text, tlen, 1024)) == NULL) {
		free(l->url);
		c->err = 1;
		return;
	}
	c->nlinks++;
}

static void html_walk(struct html_conv *, xmlNode *, int);

/*
 * The value of attribute key among a shortcode's attributes a[0..n)
 * (key="v", key='v' or key=v), into out; 0 when it has none.
 */
static int
html_code_attr(const char *a, size_t n, const char *key, char *out,
    size_t outsz)
{
	const char *end = a + n, *name, *v, *ve;
	size_t kl = strlen(key), nl;
	char q;

	while (a < end) {
		while (a < end && isspace((unsigned char)*a))
			a++;
		for (name = a; a < end && (isalnum((unsigned char)*a) ||
		    *a == '_' || *a == '-'); a++)
			;
		nl = a - name;
		if (nl == 0) {
			a++;
			continue;
		}
		if (a == end || *a != '=')
			continue;
		v = ++a;
		q = v < end && (*v == '"' || *v == '\'') ? *v : 0;
		if (q)
			v++;
		for (ve = v; ve < end && (q ? *ve != q :
		    !isspace((unsigned char)*ve)); ve++)
			;
		a = ve + (q && ve < end);
		if (nl == kl && strncasecmp(name, key, kl) == 0 &&
		    (size_t)(ve - v) < outsz) {
			memcpy(out, v, ve - v);
			out[ve - v] = '\0';
			return 1;
		}
	}
	return 0;
}

/* 1 when an unknown enclosing shortcode of that name was opened. */
static int
html_code_opened(struct html_conv *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nopen; i++)
		if (strcmp(c->open[i], name) == 0)
			return 1;
	return 0;
}

/*
 * A shortcode capsule does not know: dropped, with a warning, never
 * left raw. An enclosing one ([box]text[/box]) keeps its text. Text in
 * brackets ("[the regime's] words", "support[ed]") is not a shortcode:
 * it needs attributes, a closing tag or a name no word has (a_b, a-b).
 */
static size_t
html_unknown_code(struct html_conv *c, const char *s, const char *name,
    int closing, const char *attrs, const char *close, const char *end)
{
	char tag[HTML_MAX_CODE + 4];
	size_t len = close + 1 - s;

	if (closing)
		return strpbrk(name, "_-") != NULL ||
		    html_code_opened(c, name) ? len : 0;
	snprintf(tag, sizeof(tag), "[/%s]", name);
	if (memchr(attrs, '=', close - attrs) == NULL &&
	    strpbrk(name, "_-") == NULL &&
	    html_find(close + 1, end - close - 1, tag, strlen(tag)) == NULL)
		return 0;
	if (html_find(close + 1, end - close - 1, tag, strlen(tag)) != NULL &&
	    !html_code_opened(c, name) && c->nopen < HTML_MAX_OPEN)
		snprintf(c->open[c->nopen++], HTML_MAX_CODE, "%s", name);
	html_warn(c, "the shortcode [%s] was dropped: capsule cannot show "
	    "what a WordPress plugin makes of it", name);
	return len;
}

/* A WordPress shortcode at s: returns the bytes it takes, 0 if none. */
static size_t
html_shortcode(struct html_conv *c, const char *s, size_t n)
{
	static const char *const known[] = { "caption", "wp_caption",
		"embed", "gallery", "audio", "video", "playlist", NULL };
	static const char *const media[] = { "src", "mp3", "m4a", "ogg",
		"wav", "wma", "mp4", "m4v", "webm", "ogv", "wmv", "flv", NULL };
	char name[HTML_MAX_CODE], tag[HTML_MAX_CODE + 4];
	char val[HTML_MAX_URL + 1];
	const char *p = s + 1, *end = s + n, *close, *url, *attrs;
	size_t nl = 0, k, len;
	int closing = 0;

	if (p < end && *p == '/') {
		closing = 1;
		p++;
	}
	if (p == end || !islower((unsigned char)*p))
		return 0;
	while (p < end && (islower((unsigned char)*p) ||
	    isdigit((unsigned char)*p) || *p == '_' || *p == '-')) {
		if (nl + 1 == sizeof(name))
			return 0;
		name[nl++] = *p++;
	}
	name[nl] = '\0';
	if (p == end || (*p != ']' && *p != ' ' && *p != '/'))
		return 0;
	if ((close = memchr(p, ']', end - p)) == NULL || close - p > 2048)
		return 0;
	attrs = p;
	len = close + 1 - s;
	for (k = 0; known[k] != NULL; k++)
		if (strcmp(name, known[k]) == 0)
			break;
	if (known[k] == NULL)
		return html_unknown_code(c, s, name, closing, attrs, close,
		    end);
	if (strcmp(name, "caption") == 0 || strcmp(name, "wp_caption") == 0) {
		html_flush(c);
		if (!closing) {
			html_frame_begin(c, 1);
			/* Older WordPress: [caption caption="..."] */
			if (c->nframes > 0 && html_code_attr(attrs, close - attrs,
			    "caption", val, HTML_MAX_IMAGE)) {
				char *t = html_squeeze(val, strlen(val),
				    HTML_MAX_IMAGE);

				if (t != NULL)
					buf_puts(&c->frames[c->nframes - 1].caption,
					    t);
				free(t);
			}
		} else if (c->nframes > 0 && c->frames[c->nframes - 1].shortcode)
			html_frame_end(c);
	} else if (closing) {
		/* [/audio], [/video], a stray [/embed]: nothing to show. */
	} else if (strcmp(name, "embed") == 0 || strcmp(name, "audio") == 0 ||
	    strcmp(name, "video") == 0) {
		/* A link to what it plays: its src (mp3=, mp4=...) or text. */
		for (k = 0; media[k] != NULL; k++)
			if (html_code_attr(attrs, close - attrs, media[k], val,
			    sizeof(val))) {
				html_add_link(c, val, "", 0);
				break;
			}
		snprintf(tag, sizeof(tag), "[/%s]", name);
		url = close + 1;
		if ((close = html_find(url, end - url, tag, strlen(tag))) !=
		    NULL) {
			if (media[k] == NULL) {
				char *u = strndup(url, close - url);

				if (u != NULL) {
					html_add_link(c, u, "", 0);
					free(u);
				}
			}
			len = close + strlen(tag) - s;
		}
	} else
		html_warn(c, "a [%s] was dropped: it names its pictures by "
		    "WordPress's numbers alone", name);
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

/* 1 when a link's URL names a picture file: the full size of its image. */
static int
html_picture_href(const char *href)
{
	static const char *const ext[] = { ".jpg", ".jpeg", ".png", ".gif",
		".webp", NULL };
	size_t n = strcspn(href, "?#"), k, l;

	for (k = 0; ext[k] != NULL; k++)
		if (n >= (l = strlen(ext[k])) &&
		    strncasecmp(href + n - l, ext[k], l) == 0)
			return 1;
	return 0;
}

/* A picture's URL: a lazy loader's real one, else src; NULL if none. */
static char *
html_img_url(struct html_conv *c, xmlNode *n)
{
	static const char *const attrs[] = { "data-lazy-src", "data-src",
		"src", NULL };
	xmlChar *v;
	char *u;
	size_t k;

	for (k = 0; attrs[k] != NULL; k++) {
		if ((v = xmlGetProp(n, (const xmlChar *)attrs[k])) == NULL)
			continue;
		u = html_resolve(c->base, (const char *)v);
		xmlFree(v);
		if (u != NULL)
			return u;
	}
	return NULL;
}

/*
 * An <img>: a picture in its place, or held by the figure around it
 * until its caption is known. Emoji images are their alt text; 1x1
 * tracking pixels are nothing.
 */
static void
html_img(struct html_conv *c, xmlNode *n)
{
	xmlChar *alt = xmlGetProp(n, (const xmlChar *)"alt");
	xmlChar *w = xmlGetProp(n, (const xmlChar *)"width");
	xmlChar *h = xmlGetProp(n, (const xmlChar *)"height");
	struct html_frame *f;
	int pixel = w != NULL && h != NULL && strcmp((char *)w, "1") == 0 &&
	    strcmp((char *)h, "1") == 0;
	char *url = NULL, *a = NULL;

	xmlFree(w);
	xmlFree(h);
	if (html_has_class(n, "wp-smiley") || html_has_class(n, "emoji")) {
		if (alt != NULL)
			html_text(c, (const char *)alt, strlen((char *)alt));
		goto done;
	}
	if (pixel || (url = html_img_url(c, n)) == NULL)
		goto done;
	if ((a = html_squeeze(alt ? (const char *)alt : "", alt ?
	    strlen((char *)alt) : 0, HTML_MAX_IMAGE)) == NULL) {
		c->err = 1;
		goto done;
	}
	f = c->nframes > 0 ? &c->frames[c->nframes - 1] : NULL;
	if (f != NULL && f->npics < HTML_FRAME_PICS) {
		f->pics[f->npics].url = url;
		f->pics[f->npics++].alt = a;
		url = a = NULL;
		goto done;
	}
	html_flush(c);	/* the text before it, then the picture */
	html_emit_picture(c, url, a, "", 1);
done:
	free(url);
	free(a);
	xmlFree(alt);
}

/* 1 when img has a URL: it became a picture's link line. */
static int
html_has_url(struct html_conv *c, xmlNode *img)
{
	char *u = html_img_url(c, img);

	free(u);
	return u != NULL;
}

/* The first <img> inside n, for a link around a photo. */
static xmlNode *
html_inner_img(xmlNode *n, int depth)
{
	xmlNode *v;

	for (n = n->children; n != NULL && depth < 16; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (html_is(n, "img"))
			return n;
		if ((v = html_inner_img(n, depth + 1)) != NULL)
			return v;
	}
	return NULL;
}

/* The media an embedding element plays: its src, data or <source>. */
static void
html_media(struct html_conv *c, xmlNode *n)
{
	static const char *const attrs[] = { "src", "data", NULL };
	xmlChar *v = NULL, *name;
	xmlNode *k;
	size_t i;

	for (i = 0; attrs[i] != NULL && v == NULL; i++)
		v = xmlGetProp(n, (const xmlChar *)attrs[i]);
	for (k = n->children; k != NULL && v == NULL; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (html_is(k, "source"))
			v = xmlGetProp(k, (const xmlChar *)"src");
		else if (html_is(k, "param") && (name = xmlGetProp(k,
		    (const xmlChar *)"name")) != NULL) {
			if (strcasecmp((char *)name, "movie") == 0 ||
			    strcasecmp((char *)name, "src") == 0)
				v = xmlGetProp(k, (const xmlChar *)"value");
			xmlFree(name);
		}
	}
	if (v != NULL) {
		html_add_link(c, (const char *)v, "", 0);
		xmlFree(v);
	}
}

/*
 * A block editor comment: a self-closing embed block has no HTML, only
 * its URL in the comment's JSON (<!-- wp:embed {"url":"..."} /-->).
 */
static void
html_comment(struct html_conv *c, const char *s)
{
	const char *p, *e;
	struct buf u;
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n == 0 || s[n - 1] != '/' || (strncmp(s, " wp:embed ", 10) != 0 &&
	    strncmp(s, " wp:core-embed/", 15) != 0))
		return;
	if ((p = html_find(s, n, "\"url\":\"", 7)) == NULL)
		return;
	buf_init(&u);
	for (p += 7, e = s + n; p < e && *p != '"'; p++) {
		if (*p == '\\' && p + 1 < e)
			p++;	/* JSON writes "https:\/\/" */
		buf_putc(&u, *p);
	}
	if (u.len > 0 && !u.err) {
		html_flush(c);
		html_add_link(c, u.data, "", 0);
		html_flush(c);
	}
	buf_free(&u);
}

static void
html_element(struct html_conv *c, xmlNode *n, int depth)
{
	xmlChar *v;
	size_t at, flushes;
	int block, heading, item, quote, caption, frame, row, cell;

	if (html_is_any(n, html_skipped) || html_has_class(n, "more-link") ||
	    html_has_class(n, "screen-reader-text") ||
	    html_has_class(n, "sharedaddy") ||
	    html_has_class(n, "jp-relatedposts"))
		return;
	if (html_is(n, "br")) {
		if (c->pre)
			buf_putc(&c->para, '\n');
		else if (c->cell)
			c->space = 1;	/* a row is one line */
		else
			html_break(c);
		return;
	}
	if (html_is(n, "img")) {
		html_img(c, n);
		return;
	}
	if (html_is(n, "iframe")) {
		html_media(c, n);
		return;	/* its children are for browsers without frames */
	}
	if (html_is(n, "embed") || html_is(n, "object") ||
	    html_is(n, "video") || html_is(n, "audio"))
		/*
		 * Then the children: libxml2 puts the text after an <embed>,
		 * or an unclosed <video>, inside it.
		 */
		html_media(c, n);
	if (html_is(n, "pre") && !c->pre) {
		html_flush(c);
		c->pre = 1;
		html_walk(c, n->children, depth + 1);
		html_flush_pre(c);
		c->pre = 0;
		return;
	}
	block = !c->pre && html_is_any(n, html_blocks);
	if (block && c->cell) {
		block = 0;	/* a paragraph in a table cell: a space */
		c->space = 1;
	}
	heading = n->name[0] != '\0' && tolower(n->name[0]) == 'h' &&
	    n->name[1] >= '1' && n->name[1] <= '6' && n->name[2] == '\0';
	item = html_is(n, "li");
	quote = html_is(n, "blockquote");
	caption = html_is(n, "figcaption") ||
	    html_has_class(n, "wp-caption-text");
	frame = html_is(n, "figure") || html_has_class(n, "wp-caption") ||
	    html_has_class(n, "gallery-item");
	if (frame && c->nframes == HTML_MAX_FRAMES)
		frame = 0;
	row = html_is(n, "tr");
	cell = html_is(n, "td") || html_is(n, "th");
	if (block || frame)
		html_flush(c);
	if (frame)
		html_frame_begin(c, 0);
	if (row)
		c->cells = 0;
	if (cell && c->cells++ > 0)
		html_text(c, " | ", 3);
	c->heading += heading;
	c->item += item;
	c->quote += quote;
	c->caption += caption;
	c->cell += cell;
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
			xmlNode *img = NULL;
			xmlChar *alt = NULL;

			if (t != NULL && t[0] == '\0' &&
			    (img = html_inner_img(n, 0)) != NULL)
				alt = xmlGetProp(img, (const xmlChar *)"alt");
			if (t != NULL && html_is_chrome(t, strlen(t)))
				c->para.len = at;	/* "Continue reading" */
			else if (img != NULL && html_picture_href((char *)v) &&
			    html_has_url(c, img))
				;	/* the picture's own file: it is linked */
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
	if (row)
		html_break(c);	/* one line a row */
	/* A caption's links wait for the figure's pictures. */
	if (block && !(frame && c->para.len == 0))
		html_flush(c);
	if (frame)
		html_frame_end(c);
	c->heading -= heading;
	c->item -= item;
	c->quote -= quote;
	c->caption -= caption;
	c->cell -= cell;
}

static void
html_walk(struct html_conv *c, xmlNode *n, int depth)
{
	if (depth > HTML_MAX_DEPTH)
		return;
	for (; n != NULL && !c->err; n = n->next) {
		if (n->type == XML_ELEMENT_NODE)
			html_element(c, n, depth);
		else if (n->type == XML_COMMENT_NODE && n->content != NULL)
			html_comment(c, (const char *)n->content);
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
	struct html_options o;

	memset(&o, 0, sizeof(o));
	o.base = base;
	o.flags = flags;
	o.max = max;
	return html_convert(html, len, &o, m, err, errsz);
}

int
html_convert(const char *html, size_t len, const struct html_options *o,
    struct html_markup *m, char *err, size_t errsz)
{
	const char *base = o->base;
	int flags = o->flags;
	size_t max = o->max;
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
	c.o = o;
	c.base = base;
	c.flags = flags;
	c.max = max;
	buf_init(&c.para);
	html_walk(&c, xmlDocGetRootElement(doc), 0);
	if (!c.err)
		html_flush(&c);
	while (c.nframes > 0)
		html_frame_end(&c);	/* an unclosed [caption] */
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
	for (i = 0; i < m->nwarnings; i++)
		free(m->warnings[i]);
	m->nwarnings = 0;
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
