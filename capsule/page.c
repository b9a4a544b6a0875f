/*
 * page.c: the answer to one request, from the router and the renderers.
 * A snapshot never changes, so each document is rendered at most once per
 * snapshot and kept in its cache; a hot page then costs only a write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "gemtext.h"
#include "gophermap.h"
#include "page.h"
#include "search.h"
#include "snapshot.h"

#define PAGE_FIXED_SLOTS 5	/* home, tags, posts, robots, atom */

/* Crawlers stay out of search: its answers are endless and cost work. */
static const char page_robots[] =
    "User-agent: *\n"
    "Disallow: /search\n";

/* One slot per cacheable document of a snapshot, for each protocol. */
struct page_cache {
	_Atomic(struct doc *)	*slots;
	size_t			 nslots;
};

struct page_cache *
page_cache_new(const struct store *st)
{
	struct page_cache *pc;

	if ((pc = calloc(1, sizeof(*pc))) == NULL)
		return NULL;
	pc->nslots = 2 * (PAGE_FIXED_SLOTS + st->nposts + 2 * st->ntags);
	if ((pc->slots = calloc(pc->nslots, sizeof(*pc->slots))) == NULL) {
		free(pc);
		return NULL;
	}
	return pc;
}

void
page_cache_free(struct page_cache *pc)
{
	struct doc *d;
	size_t i;

	if (pc == NULL)
		return;
	for (i = 0; i < pc->nslots; i++) {
		if ((d = atomic_load(&pc->slots[i])) != NULL) {
			free(d->data);
			free(d);
		}
	}
	free(pc->slots);
	free(pc);
}

/* The cache slot of a route, or -1 when its answer is not cached. */
static long
page_slot(const struct store *st, enum proto proto, const struct route *r)
{
	size_t per = PAGE_FIXED_SLOTS + st->nposts + 2 * st->ntags, s;

	switch (r->kind) {
	case ROUTE_HOME:
		s = 0;
		break;
	case ROUTE_TAGS:
		s = 1;
		break;
	case ROUTE_POSTS:
		s = 2;
		break;
	case ROUTE_ROBOTS:
		s = 3;
		break;
	case ROUTE_ATOM:
		s = 4;
		break;
	case ROUTE_POST:
		s = PAGE_FIXED_SLOTS + r->post->index;
		break;
	case ROUTE_TAG:
		if (r->page != 1)
			return -1;
		s = PAGE_FIXED_SLOTS + st->nposts + 2 * r->tag->index;
		break;
	case ROUTE_TAG_ATOM:
		s = PAGE_FIXED_SLOTS + st->nposts + 2 * r->tag->index + 1;
		break;
	default:
		return -1;
	}
	return (long)(s + (proto == PROTO_GOPHER ? per : 0));
}

int
page_render(const struct snapshot *sn, enum proto proto,
    const struct route *r, const char *query, struct buf *out)
{
	const struct store *st = sn->store;
	const char *s;
	size_t n;

	switch (r->kind) {
	case ROUTE_ROBOTS:
		if (proto == PROTO_GEMINI)
			return buf_puts(out, page_robots);
		for (s = page_robots; *s != '\0'; s += n + 1) {
			n = strcspn(s, "\n");
			gophermap_text_line(out, s, n);
		}
		return gophermap_text_end(out);
	case ROUTE_ATOM:
		return feed_atom(st, NULL, proto, out);
	case ROUTE_TAG_ATOM:
		return feed_atom(st, r->tag, proto, out);
	case ROUTE_SEARCH: {
		/* While sn's index builds, an older snapshot's answers. */
		struct snapshot *ss = snapshot_searcher((struct snapshot *)sn);
		const struct store *sst = ss ? ss->store : st;
		struct search_index *idx = ss ? atomic_load(&ss->search) : NULL;
		int rc;

		if (proto == PROTO_GEMINI)
			rc = search_render_gemtext(sst, idx, query, r->page,
			    out);
		else
			rc = search_render_gopher(sst, idx, query, r->page,
			    out);
		snapshot_unref(ss);
		return rc;
	}
	default:
		break;
	}
	if (proto == PROTO_GEMINI)
		return gemtext_render(st, r, out);
	return gophermap_render(st, r, out);
}

/* Status, MIME type and Gopher item type of a route that renders. */
static void
page_kind(const struct store *st, enum proto proto, const struct route *r,
    struct page *pg)
{
	pg->status = 20;
	switch (r->kind) {
	case ROUTE_ROBOTS:
		pg->meta = "text/plain; charset=utf-8";
		pg->gopher_type = '0';
		return;
	case ROUTE_ATOM:
	case ROUTE_TAG_ATOM:
		pg->meta = FEED_MIME;
		pg->gopher_type = '0';
		return;
	case ROUTE_POST:
		pg->gopher_type = '0';
		break;
	default:
		pg->gopher_type = '1';
		break;
	}
	if (proto == PROTO_GEMINI) {
		snprintf(pg->metabuf, sizeof(pg->metabuf), "%s%s",
		    GEMTEXT_MIME, st->settings.lang);
		pg->meta = pg->metabuf;
	} else
		pg->meta = "";
}

/* A Gopher error is a whole type 3 menu; a Gemini one is a status line. */
static int
page_error(struct page *pg, enum proto proto, int status, const char *msg)
{
	pg->status = status;
	pg->gopher_type = '3';
	if (msg != NULL)
		snprintf(pg->metabuf, sizeof(pg->metabuf), "%s", msg);
	pg->meta = pg->metabuf;
	if (proto == PROTO_GOPHER) {
		gophermap_error(&pg->own, pg->metabuf);
		pg->body = pg->own.data;
		pg->len = pg->own.len;
	}
	return pg->own.err ? -1 : 0;
}

/*
 * The Gemini status line of a 20, as gemini_status() would write it; it
 * goes in front of the body so both leave in one write.
 */
static int
page_head(struct buf *out, const char *meta)
{
	const char *m;

	buf_puts(out, "20 ");
	for (m = meta; *m != '\0'; m++)
		buf_putc(out, (unsigned char)*m < 0x20 ? ' ' : *m);
	return buf_puts(out, "\r\n");
}

int
page_get(struct snapshot *sn, enum proto proto, const char *path, size_t len,
    const char *query, struct page *pg)
{
	const struct store *st = sn->store;
	struct route r;
	struct doc *d, *expect = NULL;
	size_t headlen = 0;
	long slot;

	memset(pg, 0, sizeof(*pg));
	buf_init(&pg->own);
	pg->body = "";
	/* A large store read for the first time: an answer, not silence. */
	if (sn->loading) {
		if (proto == PROTO_GEMINI) {
			pg->status = 44;
			pg->meta = "5";
			return 0;
		}
		return page_error(pg, proto, 44, "Loading the archive: try "
		    "again in a few seconds");
	}
	router_match(st, path, len, &r);
	switch (r.kind) {
	case ROUTE_BAD:
		snprintf(pg->metabuf, sizeof(pg->metabuf), "Bad request: %s",
		    r.error);
		return page_error(pg, proto, 59, NULL);
	case ROUTE_NOT_FOUND:
		return page_error(pg, proto, 51, "Not found");
	case ROUTE_REDIRECT:
		pg->status = 31;
		snprintf(pg->metabuf, sizeof(pg->metabuf), "%s", r.target);
		pg->meta = pg->metabuf;
		return 0;
	case ROUTE_SEARCH:
		if (proto == PROTO_GEMINI && (query == NULL || *query == '\0')) {
			pg->status = 10;
			pg->meta = "Search the archive";
			return 0;
		}
		/* No index yet (just started): come back in a few seconds. */
		if (proto == PROTO_GEMINI && !snapshot_search_ready(sn)) {
			struct snapshot *ss = snapshot_searcher(sn);

			if (ss == NULL) {
				pg->status = 44;
				pg->meta = "5";
				return 0;
			}
			snapshot_unref(ss);
		}
		break;
	default:
		break;
	}
	page_kind(st, proto, &r, pg);
	if ((slot = page_slot(st, proto, &r)) >= 0 &&
	    (d = atomic_load_explicit(&sn->cache->slots[slot],
	    memory_order_acquire)) != NULL)
		goto found;
	if (proto == PROTO_GEMINI) {
		page_head(&pg->own, pg->meta);
		headlen = pg->own.len;
	}
	if (pg->own.err || page_render(sn, proto, &r, query, &pg->own) == -1 ||
	    pg->own.err) {
		buf_free(&pg->own);
		return page_error(pg, proto, 40, "Temporary failure");
	}
	pg->wire = pg->own.data ? pg->own.data : "";
	pg->wirelen = pg->own.len;
	pg->body = pg->wire + headlen;
	pg->len = pg->wirelen - headlen;
	if (slot < 0 || (d = malloc(sizeof(*d))) == NULL)
		return 0;
	/* Two threads may render the same page at once; the first one wins. */
	d->data = buf_take(&pg->own, &d->len);
	d->headlen = headlen;
	if (!atomic_compare_exchange_strong(&sn->cache->slots[slot], &expect,
	    d)) {
		free(d->data);
		free(d);
		d = expect;
	}
 found:
	pg->wire = d->data ? d->data : "";
	pg->wirelen = d->len;
	pg->body = pg->wire + d->headlen;
	pg->len = d->len - d->headlen;
	return 0;
}

void
page_release(struct page *pg)
{
	buf_free(&pg->own);
	pg->body = NULL;
	pg->len = 0;
	pg->wire = NULL;
	pg->wirelen = 0;
}
