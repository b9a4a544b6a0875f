/*
 * gophermap.c: every resource as a Gopher menu or text document. Menus
 * name the host and port from the snapshot's site, never the request's.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gophermap.h"
#include "media.h"
#include "search.h"
#include "utf8.h"

#define GOPHER_DISPLAY_MAX	1024	/* bytes of display text per item */
#define GOPHER_SHOWN_SELECTOR	200	/* bytes of a selector an error shows */

void
gophermap_clean(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if ((unsigned char)s[i] == 0xc2 && i + 1 < n &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f) {
			buf_puts(b, "  ");
			i++;
		} else
			buf_putc(b, (unsigned char)s[i] < 0x20 ||
			    s[i] == 0x7f ? ' ' : s[i]);
	}
}

int
gophermap_item(struct buf *b, char type, const char *display,
    const char *selector, const char *host, int port)
{
	buf_putc(b, type);
	gophermap_clean(b, display, strlen(display));
	buf_putc(b, '\t');
	gophermap_clean(b, selector, strlen(selector));
	buf_printf(b, "\t%s\t%d\r\n", host, port);
	return b->err ? -1 : 0;
}

/* Info text being wrapped: one info line per call of the wrap. */
struct gophermap_wrap {
	struct buf		*b;
	const struct site	*site;
	const char		*indent;	/* before continuation lines */
	int			 nline;
};

static int
gophermap_wrap_line(void *arg, const char *s, size_t n)
{
	struct gophermap_wrap *w = arg;
	struct buf *b = w->b;

	buf_putc(b, 'i');
	if (w->nline++ > 0)
		buf_puts(b, w->indent);
	gophermap_clean(b, s, n);
	buf_printf(b, "\t\t%s\t%d\r\n", w->site->host, w->site->gopher_port);
	return 0;
}

/* Stops a wrap after its first line, noting where that line ends. */
static int
gophermap_first_line(void *arg, const char *s, size_t n)
{
	const char **end = arg;

	*end = s + n;
	return 1;
}

/*
 * Bytes of s up to max, less a last character that a length limit (this
 * one or an snprintf before) cut short, so no menu gets half of one.
 */
static size_t
gophermap_whole_chars(const char *s, size_t max)
{
	size_t n = strnlen(s, max), lead = n;
	uint32_t cp;

	while (lead > 0 && n - lead < 3 &&
	    ((unsigned char)s[lead - 1] & 0xc0) == 0x80)
		lead--;
	if (lead > 0 && (unsigned char)s[lead - 1] >= 0xc0) {
		lead--;
		if (utf8_decode(s + lead, n - lead, &cp) == 0)
			return lead;
	}
	return n;
}

/*
 * Info text too long for one line wraps over several info lines, never
 * splitting a character; with their indent the later lines still fit
 * GOPHER_INFO_COLS.
 */
static int
gophermap_wrapped_info(struct buf *b, const struct site *site,
    const char *text)
{
	struct gophermap_wrap w = { b, site, "  ", 0 };
	size_t n = gophermap_whole_chars(text, GOPHER_DISPLAY_MAX);
	const char *rest = text, *end = text + n;

	if (n == 0)
		return gophermap_wrap_line(&w, "", 0);
	utf8_wrap(text, n, GOPHER_INFO_COLS, gophermap_first_line, &rest);
	gophermap_wrap_line(&w, text, rest - text);
	while (rest < end && *rest == ' ')
		rest++;
	if (rest < end)
		utf8_wrap(rest, end - rest, GOPHER_INFO_COLS -
		    utf8_columns(w.indent, strlen(w.indent)),
		    gophermap_wrap_line, &w);
	return b->err ? -1 : 0;
}

/*
 * A link item keeps its whole display text on one line, however long:
 * clients show it as one link, and keep it whole in titles and history.
 */
static int
gophermap_link_item(struct buf *b, const struct site *site, char type,
    const char *display, const char *selector)
{
	size_t n = gophermap_whole_chars(display, GOPHER_DISPLAY_MAX);

	buf_putc(b, type);
	gophermap_clean(b, display, n);
	buf_putc(b, '\t');
	gophermap_clean(b, selector, strlen(selector));
	buf_printf(b, "\t%s\t%d\r\n", site->host, site->gopher_port);
	return b->err ? -1 : 0;
}

int
gophermap_info(struct buf *b, const struct site *site, const char *text)
{
	return gophermap_wrapped_info(b, site, text);
}

int
gophermap_error(struct buf *b, const char *msg)
{
	buf_putc(b, '3');
	gophermap_clean(b, msg, gophermap_whole_chars(msg, GOPHER_DISPLAY_MAX));
	buf_puts(b, "\t\terror.host\t1\r\n.\r\n");
	return b->err ? -1 : 0;
}

int
gophermap_not_found(struct buf *b, const struct site *site, const char *sel,
    size_t n)
{
	size_t max = n < GOPHER_SHOWN_SELECTOR ? n : GOPHER_SHOWN_SELECTOR;

	buf_puts(b, "3Not found: ");
	if (n == 0)
		buf_putc(b, '/');
	gophermap_clean(b, sel, gophermap_whole_chars(sel, max));
	if (max < n)
		buf_puts(b, "…");
	buf_puts(b, "\t\terror.host\t1\r\n");
	gophermap_wrapped_info(b, site, "Nothing here has that selector. "
	    "The home menu leads to every post and tag.");
	gophermap_link_item(b, site, '1', "Home", "/");
	return gophermap_end(b);
}

int
gophermap_search_wait(const struct store *st, int secs, struct buf *b)
{
	char line[128];

	gophermap_info(b, &st->site, "Search the archive");
	gophermap_info(b, &st->site, "");
	snprintf(line, sizeof(line), "The search index is still being built: "
	    "try again in %d seconds.", secs);
	gophermap_info(b, &st->site, line);
	gophermap_info(b, &st->site, "");
	gophermap_item(b, '7', "Search again", "/search", st->site.host,
	    st->site.gopher_port);
	gophermap_item(b, '1', "Home", "/", st->site.host,
	    st->site.gopher_port);
	return gophermap_end(b);
}

int
gophermap_end(struct buf *b)
{
	return buf_puts(b, ".\r\n");
}

/*
 * Text documents go out as a file server sends a file: no closing "."
 * line and no dot-stuffing, which lynx, w3m and bombadillo would show.
 * A line that is only "." gets a space, so no client that does read
 * up to a "." line stops there.
 */
int
gophermap_text_line(struct buf *b, const char *s, size_t n)
{
	buf_add(b, s, n);
	if (n == 1 && s[0] == '.')
		buf_putc(b, ' ');
	return buf_puts(b, "\r\n");
}

int
gophermap_text_end(struct buf *b)
{
	return b->err ? -1 : 0;
}

static void
gophermap_post_item(const struct store *st, const struct post *p,
    struct buf *b)
{
	char sel[URL_PATH_MAX + 8], disp[GOPHER_DISPLAY_MAX];

	router_post_path(st, p, sel, sizeof(sel));
	snprintf(disp, sizeof(disp), "%s %s", p->date, p->title);
	gophermap_link_item(b, &st->site, '0', disp, sel);
	/* Its pictures, as I and g items, in a menu of their own. */
	if (p->npictures > 0) {
		snprintf(sel, sizeof(sel), "/pictures/%s/", p->slug);
		snprintf(disp, sizeof(disp), "    %zu picture%s", (size_t)p->npictures,
		    p->npictures == 1 ? "" : "s");
		gophermap_link_item(b, &st->site, '1', disp, sel);
	}
}

static void
gophermap_tag_item(const struct store *st, const struct tag *t,
    struct buf *b)
{
	char sel[URL_PATH_MAX + 8], disp[GOPHER_DISPLAY_MAX];

	router_tag_path(st, t, 1, sel, sizeof(sel));
	snprintf(disp, sizeof(disp), "%s (%zu)", t->name, t->nposts);
	gophermap_link_item(b, &st->site, '1', disp, sel);
}

static void
gophermap_link(const struct store *st, struct buf *b, char type,
    const char *display, const char *selector)
{
	gophermap_item(b, type, display, selector, st->site.host,
	    st->site.gopher_port);
}

static void
gophermap_year_item(const struct store *st, const struct store_year *y,
    struct buf *b)
{
	char sel[URL_PATH_MAX + 8], disp[64];

	router_year_path(y->year, sel, sizeof(sel));
	snprintf(disp, sizeof(disp), "%04u (%zu post%s)", y->year, y->nposts,
	    y->nposts == 1 ? "" : "s");
	gophermap_link(st, b, '1', disp, sel);
}

static void
gophermap_home(const struct store *st, const struct route *r,
    struct buf *b)
{
	const struct tag *top[ROUTER_HOME_TAGS];
	char line[64];
	size_t i, n;

	(void)r;	/* one page: no page number */
	gophermap_info(b, &st->site, st->settings.title);
	gophermap_info(b, &st->site, "");
	if (st->settings.description[0] != '\0') {
		gophermap_info(b, &st->site, st->settings.description);
		gophermap_info(b, &st->site, "");
	}
	gophermap_link(st, b, '1', "All posts", "/posts/");
	gophermap_link(st, b, '1', "All tags", "/tags/");
	if (!st->site.static_links)
		gophermap_link(st, b, '7', "Search the archive", "/search");
	gophermap_link(st, b, '0', "Atom feed", "/atom.xml");
	if (st->nposts > 0) {
		gophermap_info(b, &st->site, "");
		gophermap_info(b, &st->site, "Recent posts");
	}
	for (i = 0; i < st->nposts && i < ROUTER_HOME_RECENT; i++)
		gophermap_post_item(st, st->posts[i], b);
	/* The years too: the newest, and the rest on /posts/. */
	if (st->nyears > 0) {
		gophermap_info(b, &st->site, "");
		gophermap_info(b, &st->site, "Posts by year");
	}
	for (i = 0; i < st->nyears && i < ROUTER_HOME_YEARS; i++)
		gophermap_year_item(st, &st->years[i], b);
	if (st->nyears > ROUTER_HOME_YEARS) {
		snprintf(line, sizeof(line), "All %zu years", st->nyears);
		gophermap_link(st, b, '1', line, "/posts/");
	}
	/* The list of tags grows with the archive: only the most used. */
	n = router_home_tags(st, top, ROUTER_HOME_TAGS);
	if (n > 0) {
		gophermap_info(b, &st->site, "");
		gophermap_info(b, &st->site, n < st->ntags ?
		    "Most used tags" : "Tags");
	}
	for (i = 0; i < n; i++)
		gophermap_tag_item(st, top[i], b);
	if (n < st->ntags) {
		snprintf(line, sizeof(line), "All %zu tags", st->ntags);
		gophermap_link(st, b, '1', line, "/tags/");
	}
	gophermap_end(b);
}

/* Links to the pages before and after page of pages of a list. */
static void
gophermap_pager(const struct store *st, struct buf *b,
    int (*path)(unsigned, char *, size_t), unsigned page, unsigned pages,
    const char *newer, const char *older)
{
	char sel[URL_PATH_MAX + 8];

	if (page > 1 && path(page - 1, sel, sizeof(sel)) == 0)
		gophermap_link(st, b, '1', newer, sel);
	if (page < pages && path(page + 1, sel, sizeof(sel)) == 0)
		gophermap_link(st, b, '1', older, sel);
}

static void
gophermap_tags(const struct store *st, const struct route *r,
    struct buf *b)
{
	unsigned pages = router_tags_pages(st);
	char line[128];
	size_t i, first = (size_t)(r->page - 1) * ROUTER_TAGS_PAGE;
	int n;

	gophermap_info(b, &st->site, "All tags");
	gophermap_info(b, &st->site, "");
	n = snprintf(line, sizeof(line), "%zu tags over %zu posts",
	    st->ntags, st->nposts);
	if (pages > 1 && n > 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - n, ", page %u of %u",
		    r->page, pages);
	strncat(line, ".", sizeof(line) - strlen(line) - 1);
	gophermap_info(b, &st->site, line);
	gophermap_info(b, &st->site, "");
	for (i = first; i < st->ntags && i < first + ROUTER_TAGS_PAGE; i++)
		gophermap_tag_item(st, st->tags[i], b);
	gophermap_info(b, &st->site, "");
	gophermap_pager(st, b, router_tags_path, r->page, pages,
	    "Previous tags", "More tags");
	gophermap_link(st, b, '1', "Home", "/");
	gophermap_end(b);
}

static void
gophermap_tag(const struct store *st, const struct route *r, struct buf *b)
{
	const struct tag *t = r->tag;
	unsigned pages = router_tag_pages(t);
	char line[GOPHER_DISPLAY_MAX], sel[URL_PATH_MAX + 8];
	size_t i, first = (size_t)(r->page - 1) * ROUTER_PAGE_SIZE;
	int n;

	gophermap_info(b, &st->site, t->name);
	gophermap_info(b, &st->site, "");
	n = snprintf(line, sizeof(line), "%zu post%s tagged “%s”",
	    t->nposts, t->nposts == 1 ? "" : "s", t->name);
	if (pages > 1 && n > 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - n, ", page %u of %u",
		    r->page, pages);
	strncat(line, ".", sizeof(line) - strlen(line) - 1);
	gophermap_info(b, &st->site, line);
	gophermap_info(b, &st->site, "");
	for (i = first; i < t->nposts && i < first + ROUTER_PAGE_SIZE; i++)
		gophermap_post_item(st, t->posts[i], b);
	gophermap_info(b, &st->site, "");
	if (r->page > 1) {
		router_tag_path(st, t, r->page - 1, sel, sizeof(sel));
		gophermap_link(st, b, '1', "Newer posts", sel);
	}
	if (r->page < pages) {
		router_tag_path(st, t, r->page + 1, sel, sizeof(sel));
		gophermap_link(st, b, '1', "Older posts", sel);
	}
	snprintf(sel, sizeof(sel), "/tag/%s/atom.xml", t->slug);
	gophermap_link(st, b, '0', "Atom feed of this tag", sel);
	gophermap_link(st, b, '1', "All tags", "/tags/");
	gophermap_link(st, b, '1', "Home", "/");
	gophermap_end(b);
}

static void
gophermap_posts(const struct store *st, const struct route *r,
    struct buf *b)
{
	unsigned pages = router_posts_pages(st);
	char line[GOPHER_DISPLAY_MAX];
	size_t i, first = (size_t)(r->page - 1) * ROUTER_POSTS_PAGE;

	gophermap_info(b, &st->site, "All posts");
	gophermap_info(b, &st->site, "");
	if (pages > 1)
		snprintf(line, sizeof(line), "%zu posts, newest first, page %u "
		    "of %u.", st->nposts, r->page, pages);
	else
		snprintf(line, sizeof(line), "%zu post%s, newest first.",
		    st->nposts, st->nposts == 1 ? "" : "s");
	gophermap_info(b, &st->site, line);
	gophermap_info(b, &st->site, "");
	for (i = first; i < st->nposts && i < first + ROUTER_POSTS_PAGE; i++)
		gophermap_post_item(st, st->posts[i], b);
	gophermap_info(b, &st->site, "");
	gophermap_pager(st, b, router_posts_path, r->page, pages,
	    "Newer posts", "Older posts");
	/* Bounded by the calendar: one line a year. */
	if (r->page == 1 && st->nyears > 0) {
		if (pages > 1)
			gophermap_info(b, &st->site, "");
		gophermap_info(b, &st->site, "By year");
		for (i = 0; i < st->nyears; i++)
			gophermap_year_item(st, &st->years[i], b);
		gophermap_info(b, &st->site, "");
	}
	gophermap_link(st, b, '0', "Atom feed", "/atom.xml");
	gophermap_link(st, b, '1', "Home", "/");
	gophermap_end(b);
}

static void
gophermap_year(const struct store *st, const struct route *r,
    struct buf *b)
{
	const struct store_year *y = r->year;
	const struct store_month *m;
	char line[128], sel[URL_PATH_MAX + 8];
	size_t i;

	snprintf(line, sizeof(line), "%04u", y->year);
	gophermap_info(b, &st->site, line);
	gophermap_info(b, &st->site, "");
	snprintf(line, sizeof(line), "%zu post%s in %04u, in %zu month%s.",
	    y->nposts, y->nposts == 1 ? "" : "s", y->year, y->nmonths,
	    y->nmonths == 1 ? "" : "s");
	gophermap_info(b, &st->site, line);
	gophermap_info(b, &st->site, "");
	for (i = 0; i < y->nmonths; i++) {
		m = &st->months[y->first_month + i];
		router_month_path(m, 1, sel, sizeof(sel));
		snprintf(line, sizeof(line), "%s %04u (%zu post%s)",
		    router_month_name(m->month), m->year, m->nposts,
		    m->nposts == 1 ? "" : "s");
		gophermap_link(st, b, '1', line, sel);
	}
	gophermap_info(b, &st->site, "");
	if (y->index > 0) {
		router_year_path(y[-1].year, sel, sizeof(sel));
		snprintf(line, sizeof(line), "Newer: %04u", y[-1].year);
		gophermap_link(st, b, '1', line, sel);
	}
	if (y->index + 1 < st->nyears) {
		router_year_path(y[1].year, sel, sizeof(sel));
		snprintf(line, sizeof(line), "Older: %04u", y[1].year);
		gophermap_link(st, b, '1', line, sel);
	}
	gophermap_link(st, b, '1', "All posts", "/posts/");
	gophermap_link(st, b, '1', "Home", "/");
	gophermap_end(b);
}

static void
gophermap_month(const struct store *st, const struct route *r,
    struct buf *b)
{
	const struct store_month *m = r->month;
	unsigned pages = router_month_pages(m);
	char line[128], sel[URL_PATH_MAX + 8];
	size_t i, first = (size_t)(r->page - 1) * ROUTER_POSTS_PAGE;
	int n;

	snprintf(line, sizeof(line), "%s %04u", router_month_name(m->month),
	    m->year);
	gophermap_info(b, &st->site, line);
	gophermap_info(b, &st->site, "");
	n = snprintf(line, sizeof(line), "%zu post%s, newest first",
	    m->nposts, m->nposts == 1 ? "" : "s");
	if (pages > 1 && n > 0 && (size_t)n < sizeof(line))
		snprintf(line + n, sizeof(line) - n, ", page %u of %u",
		    r->page, pages);
	strncat(line, ".", sizeof(line) - strlen(line) - 1);
	gophermap_info(b, &st->site, line);
	gophermap_info(b, &st->site, "");
	for (i = first; i < m->nposts && i < first + ROUTER_POSTS_PAGE; i++)
		gophermap_post_item(st, st->posts[m->first + i], b);
	gophermap_info(b, &st->site, "");
	if (r->page > 1 && router_month_path(m, r->page - 1, sel,
	    sizeof(sel)) == 0)
		gophermap_link(st, b, '1', "Newer posts", sel);
	if (r->page < pages && router_month_path(m, r->page + 1, sel,
	    sizeof(sel)) == 0)
		gophermap_link(st, b, '1', "Older posts", sel);
	if (m->index > 0) {
		router_month_path(m - 1, 1, sel, sizeof(sel));
		snprintf(line, sizeof(line), "Newer: %s %04u",
		    router_month_name(m[-1].month), m[-1].year);
		gophermap_link(st, b, '1', line, sel);
	}
	if (m->index + 1 < st->nmonths) {
		router_month_path(m + 1, 1, sel, sizeof(sel));
		snprintf(line, sizeof(line), "Older: %s %04u",
		    router_month_name(m[1].month), m[1].year);
		gophermap_link(st, b, '1', line, sel);
	}
	router_year_path(m->year, sel, sizeof(sel));
	snprintf(line, sizeof(line), "All of %04u", m->year);
	gophermap_link(st, b, '1', line, sel);
	gophermap_link(st, b, '1', "Home", "/");
	gophermap_end(b);
}

struct gophermap_text {
	struct buf	*b;
	const char	*first;		/* prefix of the first line */
	const char	*rest;		/* prefix of the lines after it */
	int		 nline;
};

static int
gophermap_text_wrapped(void *arg, const char *s, size_t n)
{
	struct gophermap_text *t = arg;
	char line[GOPHER_DISPLAY_MAX + 16];
	int len;

	len = snprintf(line, sizeof(line), "%s%.*s",
	    t->nline++ == 0 ? t->first : t->rest, (int)n, s);
	if (len < 0 || (size_t)len >= sizeof(line)) {
		/* Only reached by absurd prefixes: fall back to no prefix. */
		gophermap_text_line(t->b, s, n);
		return 0;
	}
	gophermap_text_line(t->b, line, (size_t)len);
	return 0;
}

/* One paragraph of a text document, wrapped at GOPHER_TEXT_COLS. */
static void
gophermap_paragraph(struct buf *b, const char *s, size_t n,
    const char *first, const char *rest)
{
	struct gophermap_text t = { b, first, rest, 0 };

	utf8_wrap(s, n, GOPHER_TEXT_COLS - utf8_columns(rest, strlen(rest)),
	    gophermap_text_wrapped, &t);
}

/*
 * A post's body as text. Link lines become their text and a numbered
 * reference, "text [1]", the phlog way; with refs set, only the list of
 * their URLs is written, "[1] URL", for the end of the post.
 * Preformatted blocks go out as written, without their fences.
 */
static void
gophermap_body(struct buf *b, const struct site *site, const char *body,
    size_t body_len, int refs)
{
	const char *s, *end, *nl;
	char line[POST_MAX_HEADER + 32], num[32];
	struct post_link l;
	size_t n, cols, nlinks = 0;
	int blank = 0, pre = 0;

	for (s = body, end = body + body_len; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', end - s)) == NULL)
			nl = end;
		n = nl - s;
		if (pre || post_fence_opens(s, n, nl + 1, end)) {
			if (pre && n >= 3 && memcmp(s, "```", 3) == 0)
				pre = 0;
			else if (!pre)
				pre = 1;
			else if (!refs)
				gophermap_text_line(b, s, n);
			blank = 0;
			continue;
		}
		if (post_link_line(s, n, &l)) {
			snprintf(num, sizeof(num), "[%zu]", ++nlinks);
			if (refs && l.url_len > 7 &&
			    memcmp(l.url, MEDIA_PREFIX, 7) == 0) {
				/* A picture: where a Gopher client gets it. */
				buf_printf(b, "%s gopher://%s:%d/%c%.*s\r\n", num,
				    site->host, site->gopher_port,
				    media_gopher_type(media_type_of_name(l.url,
				    l.url_len)), (int)l.url_len, l.url);
				continue;
			}
			if (refs) {
				/* Whole, never wrapped: a URL is copied. */
				buf_printf(b, "%s %.*s\r\n", num,
				    (int)l.url_len, l.url);
				continue;
			}
			if (l.text_len == 0) {
				l.text = l.url;
				l.text_len = l.url_len;
			}
			/* A long text is cut, between characters. */
			n = l.text_len < sizeof(line) - 40 ? l.text_len :
			    sizeof(line) - 40;
			while (n > 0 && n < l.text_len &&
			    ((unsigned char)l.text[n] & 0xc0) == 0x80)
				n--;
			snprintf(line, sizeof(line), "%.*s %s", (int)n, l.text,
			    num);
			gophermap_paragraph(b, line, strlen(line), "", "");
			blank = 0;
			continue;
		}
		if (refs)
			continue;
		if (n == 0) {
			if (!blank)
				gophermap_text_line(b, "", 0);
			blank = 1;
			continue;
		}
		blank = 0;
		if (n > 3 && memcmp(s, "## ", 3) == 0) {
			/* A sub-heading, underlined the way plain text does. */
			gophermap_paragraph(b, s + 3, n - 3, "", "");
			cols = utf8_columns(s + 3, n - 3);
			memset(line, '-', sizeof(line));
			gophermap_text_line(b, line, cols < GOPHER_TEXT_COLS ?
			    cols : GOPHER_TEXT_COLS);
		} else if (n > 2 && memcmp(s, "> ", 2) == 0)
			gophermap_paragraph(b, s + 2, n - 2, "> ", "> ");
		else if (n > 2 && memcmp(s, "* ", 2) == 0)
			gophermap_paragraph(b, s + 2, n - 2, "* ", "  ");
		else
			gophermap_paragraph(b, s, n, "", "");
	}
	if (!refs && nlinks > 0) {
		/* The URLs, after the text they belong to. */
		gophermap_text_line(b, "", 0);
		gophermap_body(b, site, body, body_len, 1);
	}
}

static void
gophermap_post(const struct store *st, const struct route *r,
    struct buf *b)
{
	const struct post *p = r->post;
	char line[POST_MAX_HEADER + 32];	/* "date · author", whole */
	size_t i, n, cols;
	struct post_text pt;

	gophermap_paragraph(b, p->title, strlen(p->title), "", "");
	n = strlen(p->title);
	cols = utf8_columns(p->title, n);
	memset(line, '=', sizeof(line));
	gophermap_text_line(b, line, cols < GOPHER_TEXT_COLS ? cols :
	    GOPHER_TEXT_COLS);
	snprintf(line, sizeof(line), "%s%s%s", p->date,
	    p->author[0] != '\0' ? " · " : "", p->author);
	gophermap_paragraph(b, line, strlen(line), "", "");
	gophermap_text_line(b, "", 0);
	/* The text comes from the post's file (store_post_text()). */
	store_post_text(st, p, &pt);
	for (i = 0; i < pt.nimages; i++)
		gophermap_paragraph(b, pt.images[i], strlen(pt.images[i]),
		    "> ", "> ");
	if (pt.nimages > 0)
		gophermap_text_line(b, "", 0);
	gophermap_body(b, &st->site, pt.body, pt.body_len, 0);
	if (p->npictures > 0) {
		snprintf(line, sizeof(line), "Pictures: gopher://%s:%d/1"
		    "/pictures/%s/", st->site.host, st->site.gopher_port,
		    p->slug);
		gophermap_text_line(b, "", 0);
		gophermap_text_line(b, line, strlen(line));
	}
	store_post_text_free(&pt);
	if (p->ntags > 0) {
		struct buf tags;

		buf_init(&tags);
		buf_puts(&tags, "Tags: ");
		for (i = 0; i < p->ntags; i++)
			buf_printf(&tags, "%s%s", i ? ", " : "", p->tags[i]);
		gophermap_text_line(b, "", 0);
		if (!tags.err)
			gophermap_paragraph(b, tags.data, tags.len, "", "");
		buf_free(&tags);
	}
	gophermap_text_end(b);
}

int
gophermap_search(const struct store *st, const struct search_results *a,
    struct buf *b)
{
	const struct site *site = &st->site;
	char path[URL_PATH_MAX + 8 + SEARCH_ENC_MAX];
	char line[SEARCH_QUERY_MAX + 256], snip[SEARCH_SNIPPET_MAX + 1];
	size_t i;

	if (a->why != NULL) {
		gophermap_info(b, site, "Search the archive");
		gophermap_info(b, site, "");
		gophermap_info(b, site, a->why);
		gophermap_info(b, site, "");
		goto links;
	}
	snprintf(line, sizeof(line), "Search: %s", a->query);
	gophermap_info(b, site, line);
	gophermap_info(b, site, "");
	search_summary(a, line, sizeof(line));
	gophermap_info(b, site, line);
	gophermap_info(b, site, "");
	for (i = 0; i < a->nhits; i++) {
		gophermap_post_item(st, a->hits[i].post, b);
		if (search_excerpt(st, &a->q, &a->hits[i], snip,
		    sizeof(snip)) > 0)
			gophermap_info(b, site, snip);
		gophermap_info(b, site, "");
	}
	/* The query rides in the selector, as on Gemini, after a '?'. */
	if (a->page > 1) {
		search_page_path(a, a->page > a->pages ? a->pages :
		    a->page - 1, path, sizeof(path));
		gophermap_link(st, b, '1', "Previous results", path);
	}
	if (a->page < a->pages) {
		search_page_path(a, a->page + 1, path, sizeof(path));
		gophermap_link(st, b, '1', "More results", path);
	}
links:
	gophermap_link(st, b, '7', "Search again", "/search");
	gophermap_link(st, b, '1', "Home", "/");
	gophermap_end(b);
	return b->err ? -1 : 0;
}

/*
 * A post's pictures: a menu of I items (g for a GIF), the way Gopher
 * clients show or save a picture, each named by its alt text or caption.
 */
static void
gophermap_pictures(const struct store *st, const struct route *r,
    struct buf *b)
{
	const struct post *p = r->post;
	char sel[URL_PATH_MAX + 8], disp[GOPHER_DISPLAY_MAX];
	struct post_text pt;
	struct post_link l;
	size_t at = 0, n;
	int pre = 0;

	snprintf(disp, sizeof(disp), "Pictures of %s", p->title);
	gophermap_info(b, &st->site, disp);
	gophermap_info(b, &st->site, "");
	store_post_text(st, p, &pt);
	while (post_next_picture(pt.body, pt.body_len, &at, &pre, NULL, &l)) {
		n = l.url_len < sizeof(sel) ? l.url_len : sizeof(sel) - 1;
		memcpy(sel, l.url, n);
		sel[n] = '\0';
		if (l.text_len == 0) {
			l.text = l.url + 7;
			l.text_len = l.url_len - 7;
		}
		n = l.text_len < sizeof(disp) ? l.text_len : sizeof(disp) - 1;
		memcpy(disp, l.text, n);
		disp[n] = '\0';
		gophermap_link_item(b, &st->site, media_gopher_type(
		    media_type_of_name(l.url, l.url_len)), disp, sel);
	}
	store_post_text_free(&pt);
	gophermap_info(b, &st->site, "");
	router_post_path(st, p, sel, sizeof(sel));
	gophermap_link(st, b, '0', p->title, sel);
	gophermap_link(st, b, '1', "Home", "/");
	gophermap_end(b);
}

const route_page_fn gophermap_pages[ROUTE_KINDS] = {
	[ROUTE_PICTURES] = gophermap_pictures,
	[ROUTE_HOME] = gophermap_home,
	[ROUTE_TAGS] = gophermap_tags,
	[ROUTE_TAG] = gophermap_tag,
	[ROUTE_POSTS] = gophermap_posts,
	[ROUTE_POST] = gophermap_post,
	[ROUTE_YEAR] = gophermap_year,
	[ROUTE_MONTH] = gophermap_month,
};
