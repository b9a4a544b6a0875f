/*
 * gemtext.c: every resource as text/gemini. Post and tag lists are
 * date-prefixed link lines, so a Gemini client can subscribe to them.
 */
#include <stdio.h>
#include <string.h>

#include "gemtext.h"

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

/*
 * A body line goes out as written, but one that gemtext would read as a
 * link or a preformatting toggle gets a leading space to stay plain text.
 */
static void
gemtext_body_line(struct buf *b, const char *s, size_t n)
{
	if ((n >= 2 && memcmp(s, "=>", 2) == 0) ||
	    (n >= 3 && memcmp(s, "```", 3) == 0))
		buf_putc(b, ' ');
	buf_add(b, s, n);
	buf_putc(b, '\n');
}

static void
gemtext_home(const struct store *st, struct buf *b)
{
	size_t i;

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
	if (st->ntags > 0)
		buf_puts(b, "\n## Tags\n\n");
	for (i = 0; i < st->ntags; i++)
		gemtext_tag_item(st, st->tags[i], b);
}

static void
gemtext_tags(const struct store *st, struct buf *b)
{
	size_t i;

	buf_printf(b, "# All tags\n\n%zu tags over %zu posts.\n\n", st->ntags,
	    st->nposts);
	for (i = 0; i < st->ntags; i++)
		gemtext_tag_item(st, st->tags[i], b);
	buf_puts(b, "\n=> / Home\n");
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
gemtext_posts(const struct store *st, struct buf *b)
{
	size_t i;

	buf_printf(b, "# All posts\n\n%zu post%s, newest first.\n\n",
	    st->nposts, st->nposts == 1 ? "" : "s");
	for (i = 0; i < st->nposts; i++)
		gemtext_post_item(st, st->posts[i], b);
	buf_puts(b, "\n=> /atom.xml Atom feed\n=> / Home\n");
}

static void
gemtext_post(const struct store *st, const struct post *p, struct buf *b)
{
	const struct post *o;
	struct post_text pt;
	const char *s, *end, *nl;
	char link[GEMTEXT_PATH_MAX];
	size_t i;
	int blank = 0;

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
	/* Blank-line runs fold to one; every other line is kept as written. */
	for (s = pt.body, end = pt.body + pt.body_len; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', end - s)) == NULL)
			nl = end;
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
gemtext_render(const struct store *st, const struct route *r, struct buf *b)
{
	switch (r->kind) {
	case ROUTE_HOME:
		gemtext_home(st, b);
		break;
	case ROUTE_TAGS:
		gemtext_tags(st, b);
		break;
	case ROUTE_TAG:
		gemtext_tag(st, r, b);
		break;
	case ROUTE_POSTS:
		gemtext_posts(st, b);
		break;
	case ROUTE_POST:
		gemtext_post(st, r->post, b);
		break;
	default:
		return -1;
	}
	return b->err ? -1 : 0;
}
