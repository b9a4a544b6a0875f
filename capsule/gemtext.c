/*
 * gemtext.c: every resource as text/gemini. Post and tag lists are
 * date-prefixed link lines, so a Gemini client can subscribe to them.
 */
#include <stdio.h>
#include <string.h>

#include "gemtext.h"
#include "search.h"

#define GEMTEXT_PATH_MAX (URL_PATH_MAX + 8)

/* Link path of a post; a static mirror needs the file's own name. */
static void
gemtext_post_link(const struct store *st, const struct post *p, char *out,
    size_t outsz)
{
	if (router_post_path(st, p, out, outsz) == -1)
		snprintf(out, outsz, "/");
	else if (st->site.static_links && strlen(out) + 5 <= outsz)
		strcat(out, ".gmi");
}

static void
gemtext_post_item(const struct store *st, const struct post *p,
    struct buf *b)
{
	char link[GEMTEXT_PATH_MAX];

	gemtext_post_link(st, p, link, sizeof(link));
	buf_printf(b, "=> %s %s %s\n", link, p->date, p->title);
}

static void
gemtext_tag_item(const struct store *st, const struct tag *t, struct buf *b)
{
	char link[GEMTEXT_PATH_MAX];

	router_tag_path(st, t, 1, link, sizeof(link));
	buf_printf(b, "=> %s %s (%zu)\n", link, t->name, t->nposts);
}

static void
gemtext_year_item(const struct store_year *y, struct buf *b)
{
	char link[GEMTEXT_PATH_MAX];

	router_year_path(y->year, link, sizeof(link));
	buf_printf(b, "=> %s %04u (%zu post%s)\n", link, y->year, y->nposts,
	    y->nposts == 1 ? "" : "s");
}

/*
 * A body line goes out as written; a link line of the store is one of
 * gemtext. A line that gemtext would read as a link or a preformatting
 * toggle, and is neither in the store, gets a leading space to stay text.
 */
static void
gemtext_body_line(struct buf *b, const char *s, size_t n)
{
	struct post_link l;

	if (post_link_line(s, n, &l)) {
		buf_puts(b, "=> ");
		buf_add(b, l.url, l.url_len);
		if (l.text_len > 0) {
			buf_putc(b, ' ');
			buf_add(b, l.text, l.text_len);
		}
		buf_putc(b, '\n');
		return;
	}
	if ((n >= 2 && memcmp(s, "=>", 2) == 0) ||
	    (n >= 3 && memcmp(s, "```", 3) == 0))
		buf_putc(b, ' ');
	buf_add(b, s, n);
	buf_putc(b, '\n');
}

static void
gemtext_home(const struct store *st, const struct route *r,
    struct buf *b)
{
	const struct tag *top[ROUTER_HOME_TAGS];
	size_t i, n;

	(void)r;	/* one page: no page number */
	buf_printf(b, "# %s\n\n", st->settings.title);
	if (st->settings.description[0] != '\0')
		buf_printf(b, "%s\n\n", st->settings.description);
	buf_puts(b, "=> /posts/ All posts\n=> /tags/ All tags\n");
	if (!st->site.static_links)
		buf_puts(b, "=> /search Search the archive\n");
	buf_puts(b, "=> /atom.xml Atom feed\n");
	if (st->nposts > 0)
		buf_puts(b, "\n## Recent posts\n\n");
	for (i = 0; i < st->nposts && i < ROUTER_HOME_RECENT; i++)
		gemtext_post_item(st, st->posts[i], b);
	/* The years too: the newest, and the rest on /posts/. */
	if (st->nyears > 0)
		buf_puts(b, "\n## Posts by year\n\n");
	for (i = 0; i < st->nyears && i < ROUTER_HOME_YEARS; i++)
		gemtext_year_item(&st->years[i], b);
	if (st->nyears > ROUTER_HOME_YEARS)
		buf_printf(b, "=> /posts/ All %zu years\n", st->nyears);
	/* The list of tags grows with the archive: only the most used. */
	n = router_home_tags(st, top, ROUTER_HOME_TAGS);
	if (n > 0)
		buf_puts(b, n < st->ntags ? "\n## Most used tags\n\n" :
		    "\n## Tags\n\n");
	for (i = 0; i < n; i++)
		gemtext_tag_item(st, top[i], b);
	if (n < st->ntags)
		buf_printf(b, "=> /tags/ All %zu tags\n", st->ntags);
}

/* Links to the pages before and after page of pages of a list. */
static void
gemtext_pager(struct buf *b, int (*path)(unsigned, char *, size_t),
    unsigned page, unsigned pages, const char *newer, const char *older)
{
	char link[GEMTEXT_PATH_MAX];

	if (page > 1 && path(page - 1, link, sizeof(link)) == 0)
		buf_printf(b, "=> %s %s\n", link, newer);
	if (page < pages && path(page + 1, link, sizeof(link)) == 0)
		buf_printf(b, "=> %s %s\n", link, older);
}

static void
gemtext_tags(const struct store *st, const struct route *r, struct buf *b)
{
	unsigned pages = router_tags_pages(st);
	size_t i, first = (size_t)(r->page - 1) * ROUTER_TAGS_PAGE;

	buf_printf(b, "# All tags\n\n%zu tags over %zu posts", st->ntags,
	    st->nposts);
	if (pages > 1)
		buf_printf(b, ", page %u of %u", r->page, pages);
	buf_puts(b, ".\n\n");
	for (i = first; i < st->ntags && i < first + ROUTER_TAGS_PAGE; i++)
		gemtext_tag_item(st, st->tags[i], b);
	buf_putc(b, '\n');
	gemtext_pager(b, router_tags_path, r->page, pages, "Previous tags",
	    "More tags");
	buf_puts(b, "=> / Home\n");
}

static void
gemtext_tag(const struct store *st, const struct route *r, struct buf *b)
{
	const struct tag *t = r->tag;
	unsigned pages = router_tag_pages(t);
	char link[GEMTEXT_PATH_MAX];
	size_t i, first = (size_t)(r->page - 1) * ROUTER_PAGE_SIZE;

	buf_printf(b, "# %s\n\n", t->name);
	buf_printf(b, "%zu post%s tagged “%s”", t->nposts,
	    t->nposts == 1 ? "" : "s", t->name);
	if (pages > 1)
		buf_printf(b, ", page %u of %u", r->page, pages);
	buf_puts(b, ".\n\n");
	for (i = first; i < t->nposts && i < first + ROUTER_PAGE_SIZE; i++)
		gemtext_post_item(st, t->posts[i], b);
	buf_putc(b, '\n');
	if (r->page > 1) {
		router_tag_path(st, t, r->page - 1, link, sizeof(link));
		buf_printf(b, "=> %s Newer posts\n", link);
	}
	if (r->page < pages) {
		router_tag_path(st, t, r->page + 1, link, sizeof(link));
		buf_printf(b, "=> %s Older posts\n", link);
	}
	buf_printf(b, "=> /tag/%s/atom.xml Atom feed of this tag\n", t->slug);
	buf_puts(b, "=> /tags/ All tags\n=> / Home\n");
}

static void
gemtext_posts(const struct store *st, const struct route *r, struct buf *b)
{
	unsigned pages = router_posts_pages(st);
	size_t i, first = (size_t)(r->page - 1) * ROUTER_POSTS_PAGE;

	buf_printf(b, "# All posts\n\n%zu post%s, newest first", st->nposts,
	    st->nposts == 1 ? "" : "s");
	if (pages > 1)
		buf_printf(b, ", page %u of %u", r->page, pages);
	buf_puts(b, ".\n\n");
	for (i = first; i < st->nposts && i < first + ROUTER_POSTS_PAGE; i++)
		gemtext_post_item(st, st->posts[i], b);
	buf_putc(b, '\n');
	gemtext_pager(b, router_posts_path, r->page, pages, "Newer posts",
	    "Older posts");
	/* Bounded by the calendar: one line a year. */
	if (r->page == 1 && st->nyears > 0) {
		if (pages > 1)
			buf_putc(b, '\n');
		buf_puts(b, "## By year\n\n");
		for (i = 0; i < st->nyears; i++)
			gemtext_year_item(&st->years[i], b);
		buf_putc(b, '\n');
	}
	buf_puts(b, "=> /atom.xml Atom feed\n=> / Home\n");
}

static void
gemtext_year(const struct store *st, const struct route *r, struct buf *b)
{
	const struct store_year *y = r->year;
	const struct store_month *m;
	char link[GEMTEXT_PATH_MAX];
	size_t i;

	buf_printf(b, "# %04u\n\n%zu post%s in %04u, in %zu month%s.\n\n",
	    y->year, y->nposts, y->nposts == 1 ? "" : "s", y->year, y->nmonths,
	    y->nmonths == 1 ? "" : "s");
	for (i = 0; i < y->nmonths; i++) {
		m = &st->months[y->first_month + i];
		router_month_path(m, 1, link, sizeof(link));
		buf_printf(b, "=> %s %s %04u (%zu post%s)\n", link,
		    router_month_name(m->month), m->year, m->nposts,
		    m->nposts == 1 ? "" : "s");
	}
	buf_putc(b, '\n');
	if (y->index > 0) {
		router_year_path(y[-1].year, link, sizeof(link));
		buf_printf(b, "=> %s Newer: %04u\n", link, y[-1].year);
	}
	if (y->index + 1 < st->nyears) {
		router_year_path(y[1].year, link, sizeof(link));
		buf_printf(b, "=> %s Older: %04u\n", link, y[1].year);
	}
	buf_puts(b, "=> /posts/ All posts\n=> / Home\n");
}

static void
gemtext_month(const struct store *st, const struct route *r, struct buf *b)
{
	const struct store_month *m = r->month;
	unsigned pages = router_month_pages(m);
	char link[GEMTEXT_PATH_MAX];
	size_t i, first = (size_t)(r->page - 1) * ROUTER_POSTS_PAGE;

	buf_printf(b, "# %s %04u\n\n%zu post%s, newest first",
	    router_month_name(m->month), m->year, m->nposts,
	    m->nposts == 1 ? "" : "s");
	if (pages > 1)
		buf_printf(b, ", page %u of %u", r->page, pages);
	buf_puts(b, ".\n\n");
	for (i = first; i < m->nposts && i < first + ROUTER_POSTS_PAGE; i++)
		gemtext_post_item(st, st->posts[m->first + i], b);
	buf_putc(b, '\n');
	if (r->page > 1 && router_month_path(m, r->page - 1, link,
	    sizeof(link)) == 0)
		buf_printf(b, "=> %s Newer posts\n", link);
	if (r->page < pages && router_month_path(m, r->page + 1, link,
	    sizeof(link)) == 0)
		buf_printf(b, "=> %s Older posts\n", link);
	if (m->index > 0) {
		router_month_path(m - 1, 1, link, sizeof(link));
		buf_printf(b, "=> %s Newer: %s %04u\n", link,
		    router_month_name(m[-1].month), m[-1].year);
	}
	if (m->index + 1 < st->nmonths) {
		router_month_path(m + 1, 1, link, sizeof(link));
		buf_printf(b, "=> %s Older: %s %04u\n", link,
		    router_month_name(m[1].month), m[1].year);
	}
	router_year_path(m->year, link, sizeof(link));
	buf_printf(b, "=> %s All of %04u\n=> / Home\n", link, m->year);
}

static void
gemtext_post(const struct store *st, const struct route *r,
    struct buf *b)
{
	const struct post *p = r->post;
	const struct post *o;
	struct post_text pt;
	const char *s, *end, *nl;
	char link[GEMTEXT_PATH_MAX];
	size_t i;
	int blank = 0, pre = 0;

	buf_printf(b, "# %s\n\n", p->title);
	buf_puts(b, p->date);
	if (p->author[0] != '\0')
		buf_printf(b, " · %s", p->author);
	buf_puts(b, "\n\n");
	/* The text comes from the post's file (store_post_text()). */
	store_post_text(st, p, &pt);
	for (i = 0; i < pt.nimages; i++)
		buf_printf(b, "> %s\n", pt.images[i]);
	if (pt.nimages > 0)
		buf_putc(b, '\n');
	/*
	 * Blank-line runs fold to one; every other line is kept as written,
	 * and a preformatted block exactly so.
	 */
	for (s = pt.body, end = pt.body + pt.body_len; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', end - s)) == NULL)
			nl = end;
		if (pre || post_fence_opens(s, nl - s, nl + 1, end)) {
			if (pre && nl - s >= 3 && memcmp(s, "```", 3) == 0) {
				buf_puts(b, "```\n");
				pre = 0;
			} else {
				buf_add(b, s, nl - s);
				buf_putc(b, '\n');
				pre = 1;
			}
			blank = 0;
			continue;
		}
		if (nl == s) {
			if (!blank)
				buf_putc(b, '\n');
			blank = 1;
			continue;
		}
		blank = 0;
		gemtext_body_line(b, s, nl - s);
	}
	store_post_text_free(&pt);
	if (p->ntags > 0)
		buf_puts(b, "\n## Tags\n\n");
	for (i = 0; i < p->ntags; i++) {
		router_tag_path(st, p->tagp[i], 1, link, sizeof(link));
		buf_printf(b, "=> %s %s\n", link, p->tags[i]);
	}
	buf_putc(b, '\n');
	if ((o = store_newer(st, p)) != NULL) {
		gemtext_post_link(st, o, link, sizeof(link));
		buf_printf(b, "=> %s Newer: %s\n", link, o->title);
	}
	if ((o = store_older(st, p)) != NULL) {
		gemtext_post_link(st, o, link, sizeof(link));
		buf_printf(b, "=> %s Older: %s\n", link, o->title);
	}
	buf_puts(b, "=> / Home\n");
}

int
gemtext_search(const struct store *st, const struct search_results *a,
    struct buf *b)
{
	char path[GEMTEXT_PATH_MAX + SEARCH_ENC_MAX];
	char line[SEARCH_QUERY_MAX + 256], snip[SEARCH_SNIPPET_MAX + 1];
	const struct post *p;
	size_t i;

	if (a->why != NULL) {
		buf_printf(b, "# Search the archive\n\n%s\n\n", a->why);
		buf_puts(b, "=> /search Search again\n=> / Home\n");
		return b->err ? -1 : 0;
	}
	buf_printf(b, "# Search: %s\n\n", a->query);
	search_summary(a, line, sizeof(line));
	buf_printf(b, "%s\n\n", line);
	for (i = 0; i < a->nhits; i++) {
		p = a->hits[i].post;
		gemtext_post_item(st, p, b);
		if (search_excerpt(st, &a->q, &a->hits[i], snip,
		    sizeof(snip)) > 0)
			buf_printf(b, "> %s\n", snip);
		buf_putc(b, '\n');
	}
	if (a->page > 1) {
		search_page_path(a, a->page > a->pages ? a->pages :
		    a->page - 1, path, sizeof(path));
		buf_printf(b, "=> %s Previous results\n", path);
	}
	if (a->page < a->pages) {
		search_page_path(a, a->page + 1, path, sizeof(path));
		buf_printf(b, "=> %s More results\n", path);
	}
	buf_puts(b, "=> /search Search again\n=> / Home\n");
	return b->err ? -1 : 0;
}

/* A post's pictures, each a link line, as its Gopher menu lists them. */
static void
gemtext_pictures(const struct store *st, const struct route *r,
    struct buf *b)
{
	const struct post *p = r->post;
	char link[GEMTEXT_PATH_MAX];
	struct post_text pt;
	struct post_link l;
	size_t at = 0;
	int pre = 0;

	buf_printf(b, "# Pictures of %s\n\n", p->title);
	store_post_text(st, p, &pt);
	while (post_next_picture(pt.body, pt.body_len, &at, &pre, NULL, &l)) {
		buf_puts(b, "=> ");
		buf_add(b, l.url, l.url_len);
		if (l.text_len > 0) {
			buf_putc(b, ' ');
			buf_add(b, l.text, l.text_len);
		}
		buf_putc(b, '\n');
	}
	store_post_text_free(&pt);
	gemtext_post_link(st, p, link, sizeof(link));
	buf_printf(b, "\n=> %s %s\n=> / Home\n", link, p->title);
}

const route_page_fn gemtext_pages[ROUTE_KINDS] = {
	[ROUTE_PICTURES] = gemtext_pictures,
	[ROUTE_HOME] = gemtext_home,
	[ROUTE_TAGS] = gemtext_tags,
	[ROUTE_TAG] = gemtext_tag,
	[ROUTE_POSTS] = gemtext_posts,
	[ROUTE_POST] = gemtext_post,
	[ROUTE_YEAR] = gemtext_year,
	[ROUTE_MONTH] = gemtext_month,
};
