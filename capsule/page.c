/*
 * page.c: the answer to one request, from the router and the renderers.
 * A snapshot never changes, so each document is rendered at most once per
 * snapshot and kept in its cache; a hot page then costs only a write.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#include "feed.h"
#include "gemtext.h"
#include "gophermap.h"
#include "page.h"
#include "search.h"
#include "snapshot.h"
#include "utf8.h"

#define PAGE_SHARDS	16	/* independent locks: workers rarely meet */
#define PAGE_BUCKETS	1024	/* per shard, to start; doubles as it fills */
#define PAGE_KEY_MAX	512	/* bytes; longer keys (queries) are not cached */
#define PAGE_DOC_COST	128	/* bytes a document costs beyond its data */

/* Crawlers stay out of search: its answers are endless and cost work. */
static const char page_robots[] =
    "User-agent: *\n"
    "Disallow: /search\n";

static _Atomic size_t page_budget = CONFIG_CACHE_SIZE;

struct doc {
	atomic_uint	 refs;		/* the cache's and each page's */
	char		*data;		/* head, then body */
	size_t		 len;		/* both */
	size_t		 headlen;	/* 0 for Gopher */
	/* Under the shard's lock while the cache holds it. */
	uint64_t	 hash;
	size_t		 cost;
	struct doc	*hnext;		/* hash chain */
	struct doc	*newer, *older;	/* recency list */
	size_t		 keylen;
	unsigned char	 key[];
};

/*
 * One shard: a hash table and a list from most to least recently used.
 * A hit moves the document to the front; an insert past the shard's
 * share of the budget drops documents from the back.
 */
struct page_shard {
	pthread_mutex_t	 lock;
	struct doc	**buckets;
	size_t		 nbuckets;	/* a power of two */
	size_t		 ndocs;
	size_t		 used;		/* bytes, by cost */
	struct doc	*newest, *oldest;
};

struct page_cache {
	size_t			 budget;	/* per shard */
	struct page_shard	 shards[PAGE_SHARDS];
};

void
page_cache_budget(size_t bytes)
{
	atomic_store(&page_budget, bytes);
}

static void
page_doc_unref(struct doc *d)
{
	if (d != NULL && atomic_fetch_sub_explicit(&d->refs, 1,
	    memory_order_acq_rel) == 1) {
		free(d->data);
		free(d);
	}
}

struct page_cache *
page_cache_new(const struct store *st)
{
	struct page_cache *pc;
	size_t i;

	(void)st;
	if ((pc = calloc(1, sizeof(*pc))) == NULL)
		return NULL;
	pc->budget = atomic_load(&page_budget) / PAGE_SHARDS;
	for (i = 0; i < PAGE_SHARDS; i++) {
		pthread_mutex_init(&pc->shards[i].lock, NULL);
		pc->shards[i].nbuckets = PAGE_BUCKETS;
		if ((pc->shards[i].buckets = calloc(PAGE_BUCKETS,
		    sizeof(struct doc *))) == NULL) {
			page_cache_free(pc);
			return NULL;
		}
	}
	return pc;
}

void
page_cache_free(struct page_cache *pc)
{
	struct doc *d, *next;
	size_t i;

	if (pc == NULL)
		return;
	for (i = 0; i < PAGE_SHARDS; i++) {
		for (d = pc->shards[i].newest; d != NULL; d = next) {
			next = d->older;
			page_doc_unref(d);
		}
		free(pc->shards[i].buckets);
		pthread_mutex_destroy(&pc->shards[i].lock);
	}
	free(pc);
}

size_t
page_cache_used(struct page_cache *pc, size_t *ndocs)
{
	size_t i, used = 0, n = 0;

	for (i = 0; i < PAGE_SHARDS; i++) {
		pthread_mutex_lock(&pc->shards[i].lock);
		used += pc->shards[i].used;
		n += pc->shards[i].ndocs;
		pthread_mutex_unlock(&pc->shards[i].lock);
	}
	if (ndocs != NULL)
		*ndocs = n;
	return used;
}

static uint64_t
page_hash(const unsigned char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	while (n-- > 0)
		h = (h ^ *s++) * 0x100000001b3ULL;
	return h ^ (h >> 29);
}

/*
 * The cache key of a route: protocol, kind, the post or tag, the page
 * and, for search, the query. Length 0 when the answer is not cached.
 */
static size_t
page_key(enum proto proto, const struct route *r, const char *query,
    unsigned char *key)
{
	uint64_t id = 0;
	size_t qlen = 0, n;

	switch (r->kind) {
	case ROUTE_HOME:
	case ROUTE_TAGS:
	case ROUTE_POSTS:
	case ROUTE_ROBOTS:
	case ROUTE_ATOM:
		break;
	case ROUTE_POST:
	case ROUTE_PICTURES:
		id = r->post->index;
		break;
	case ROUTE_TAG:
	case ROUTE_TAG_ATOM:
		id = r->tag->index;
		break;
	case ROUTE_YEAR:
		id = r->year->year;
		break;
	case ROUTE_MONTH:
		id = r->month->year * 100u + r->month->month;
		break;
	case ROUTE_SEARCH:
		qlen = query != NULL ? strlen(query) : 0;
		break;
	default:
		return 0;
	}
	key[0] = (unsigned char)proto;
	key[1] = (unsigned char)r->kind;
	memcpy(key + 2, &id, sizeof(id));
	memcpy(key + 2 + sizeof(id), &r->page, sizeof(r->page));
	n = 2 + sizeof(id) + sizeof(r->page);
	if (qlen > PAGE_KEY_MAX - n)
		return 0;
	if (qlen > 0)
		memcpy(key + n, query, qlen);
	return n + qlen;
}

static void
page_unlink(struct page_shard *sh, struct doc *d)
{
	if (d->newer != NULL)
		d->newer->older = d->older;
	else
		sh->newest = d->older;
	if (d->older != NULL)
		d->older->newer = d->newer;
	else
		sh->oldest = d->newer;
	d->newer = d->older = NULL;
}

static void
page_push(struct page_shard *sh, struct doc *d)
{
	d->older = sh->newest;
	d->newer = NULL;
	if (sh->newest != NULL)
		sh->newest->newer = d;
	sh->newest = d;
	if (sh->oldest == NULL)
		sh->oldest = d;
}

/* Under the lock: the document of key, or NULL. */
static struct doc *
page_find(struct page_shard *sh, uint64_t h, const unsigned char *key,
    size_t keylen)
{
	struct doc *d;

	for (d = sh->buckets[h & (sh->nbuckets - 1)]; d != NULL; d = d->hnext)
		if (d->hash == h && d->keylen == keylen &&
		    memcmp(d->key, key, keylen) == 0)
			return d;
	return NULL;
}

/* Under the lock: drops d from the table and the list. */
static void
page_evict(struct page_shard *sh, struct doc *d)
{
	struct doc **pp;

	for (pp = &sh->buckets[d->hash & (sh->nbuckets - 1)]; *pp != d;
	    pp = &(*pp)->hnext)
		;
	*pp = d->hnext;
	page_unlink(sh, d);
	sh->used -= d->cost;
	sh->ndocs--;
	page_doc_unref(d);
}

/* Under the lock: doubles the table when it is full; stays when no memory. */
static void
page_grow(struct page_shard *sh)
{
	struct doc **nb, *d, *next;
	size_t n = sh->nbuckets * 2, i;

	if (sh->ndocs < sh->nbuckets || (nb = calloc(n, sizeof(*nb))) == NULL)
		return;
	for (i = 0; i < sh->nbuckets; i++)
		for (d = sh->buckets[i]; d != NULL; d = next) {
			next = d->hnext;
			d->hnext = nb[d->hash & (n - 1)];
			nb[d->hash & (n - 1)] = d;
		}
	free(sh->buckets);
	sh->buckets = nb;
	sh->nbuckets = n;
}

/* A hit takes a reference for the caller and makes the document newest. */
static struct doc *
page_lookup(struct page_cache *pc, const unsigned char *key, size_t keylen,
    uint64_t h)
{
	struct page_shard *sh = &pc->shards[h % PAGE_SHARDS];
	struct doc *d;

	pthread_mutex_lock(&sh->lock);
	if ((d = page_find(sh, h, key, keylen)) != NULL) {
		atomic_fetch_add_explicit(&d->refs, 1, memory_order_relaxed);
		if (sh->newest != d) {
			page_unlink(sh, d);
			page_push(sh, d);
		}
	}
	pthread_mutex_unlock(&sh->lock);
	return d;
}

/*
 * Caches d (holding one reference, the caller's) and returns the
 * document now cached under its key, with a reference for the caller:
 * d, or the one another thread put there first (d is then dropped).
 */
static struct doc *
page_insert(struct page_cache *pc, struct doc *d)
{
	struct page_shard *sh = &pc->shards[d->hash % PAGE_SHARDS];
	struct doc *old;

	if (d->cost > pc->budget)
		return d;
	pthread_mutex_lock(&sh->lock);
	if ((old = page_find(sh, d->hash, d->key, d->keylen)) != NULL) {
		atomic_fetch_add_explicit(&old->refs, 1, memory_order_relaxed);
		pthread_mutex_unlock(&sh->lock);
		page_doc_unref(d);
		return old;
	}
	while (sh->oldest != NULL && sh->used + d->cost > pc->budget)
		page_evict(sh, sh->oldest);
	page_grow(sh);
	atomic_fetch_add_explicit(&d->refs, 1, memory_order_relaxed);
	d->hnext = sh->buckets[d->hash & (sh->nbuckets - 1)];
	sh->buckets[d->hash & (sh->nbuckets - 1)] = d;
	page_push(sh, d);
	sh->used += d->cost;
	sh->ndocs++;
	pthread_mutex_unlock(&sh->lock);
	return d;
}

/* Search answers results; the renderers write them like any page. */
static int
page_search(const struct snapshot *sn, enum proto proto,
    const struct route *r, const char *query, struct buf *out)
{
	struct search_results res;
	struct snapshot *ss;
	const struct store *st;
	int rc;

	/* While sn's index builds, an older snapshot's index answers. */
	ss = snapshot_searcher((struct snapshot *)sn);
	st = ss != NULL ? ss->store : sn->store;
	if (search_query(st, ss != NULL ? atomic_load(&ss->search) : NULL,
	    query, r->page, ROUTER_PAGE_SIZE, &res) == -1) {
		snapshot_unref(ss);
		return -1;
	}
	if (proto == PROTO_GEMINI)
		rc = gemtext_search(st, &res, out);
	else
		rc = gophermap_search(st, &res, out);
	/* Page numbers past the last are endless: none takes cache room. */
	if (rc == 0 && res.why == NULL && res.page > res.pages)
		rc = 1;
	search_results_free(&res);
	snapshot_unref(ss);
	return rc;
}

/*
 * Writes the document of route r: 0, 1 for a search page past the last
 * (an answer not cached), -1 for a route with none.
 */
static int
page_write(const struct snapshot *sn, enum proto proto,
    const struct route *r, const char *query, struct buf *out)
{
	const struct store *st = sn->store;
	route_page_fn fn;
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
	case ROUTE_SEARCH:
		return page_search(sn, proto, r, query, out);
	default:
		break;
	}
	fn = (proto == PROTO_GEMINI ? gemtext_pages : gophermap_pages)[r->kind];
	if (fn == NULL)
		return -1;
	fn(st, r, out);
	return out->err ? -1 : 0;
}

int
page_render(const struct snapshot *sn, enum proto proto,
    const struct route *r, const char *query, struct buf *out)
{
	size_t start = out->len;
	int rc;

	if ((rc = page_write(sn, proto, r, query, out)) == -1 || out->err)
		return -1;
	/* Posts are anyone's text: no escape reaches a reader's terminal. */
	utf8_defang(out->data + start, out->len - start);
	return rc;
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

/* The page of a cached document, which it keeps a reference to. */
static void
page_from_doc(struct page *pg, struct doc *d)
{
	pg->doc = d;
	pg->wire = d->data != NULL ? d->data : "";
	pg->wirelen = d->len;
	pg->body = pg->wire + d->headlen;
	pg->len = d->len - d->headlen;
}

/* Search while the index is still being built: come back in a moment. */
static int
page_search_wait(const struct store *st, enum proto proto, struct page *pg)
{
	pg->status = 44;
	snprintf(pg->metabuf, sizeof(pg->metabuf), "%d", PAGE_SEARCH_WAIT);
	pg->meta = pg->metabuf;
	if (proto == PROTO_GOPHER) {
		pg->gopher_type = '1';
		gophermap_search_wait(st, PAGE_SEARCH_WAIT, &pg->own);
		if (pg->own.err)
			return -1;
		pg->body = pg->own.data;
		pg->len = pg->own.len;
	}
	return 0;
}

int
page_get(struct snapshot *sn, enum proto proto, const char *path, size_t len,
    const char *query, struct page *pg)
{
	const struct store *st = sn->store;
	unsigned char key[PAGE_KEY_MAX];
	struct route r;
	struct doc *d;
	size_t headlen = 0, keylen, dlen;
	uint64_t h = 0;
	int nocache = 0, rc;

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
		if (proto == PROTO_GEMINI && search_blank(query)) {
			pg->status = 10;
			pg->meta = "Search the archive";
			return 0;
		}
		/*
		 * No index of its own yet: an older snapshot's answers,
		 * not kept in the cache, or with none "come back soon".
		 */
		if (!search_blank(query) && !snapshot_search_ready(sn)) {
			struct snapshot *ss = snapshot_searcher(sn);

			if (ss == NULL)
				return page_search_wait(st, proto, pg);
			snapshot_unref(ss);
			nocache = 1;
		}
		break;
	default:
		break;
	}
	page_kind(st, proto, &r, pg);
	keylen = sn->cache != NULL && !nocache ?
	    page_key(proto, &r, query, key) : 0;
	if (keylen > 0) {
		h = page_hash(key, keylen);
		if ((d = page_lookup(sn->cache, key, keylen, h)) != NULL) {
			page_from_doc(pg, d);
			return 0;
		}
	}
	if (proto == PROTO_GEMINI) {
		page_head(&pg->own, pg->meta);
		headlen = pg->own.len;
	}
	if (pg->own.err || (rc = page_render(sn, proto, &r, query,
	    &pg->own)) == -1 || pg->own.err) {
		buf_free(&pg->own);
		return page_error(pg, proto, 40, "Temporary failure");
	}
	if (rc == 1)
		keylen = 0;
	pg->wire = pg->own.data ? pg->own.data : "";
	pg->wirelen = pg->own.len;
	pg->body = pg->wire + headlen;
	pg->len = pg->wirelen - headlen;
	if (keylen == 0 || sn->cache->budget == 0 ||
	    (d = malloc(sizeof(*d) + keylen)) == NULL)
		return 0;
	/* Two threads may render the same page at once; the first one wins. */
	atomic_init(&d->refs, 1);
	d->data = buf_take(&pg->own, &dlen);
	d->len = dlen;
	d->headlen = headlen;
	d->hash = h;
	d->cost = dlen + keylen + sizeof(*d) + PAGE_DOC_COST;
	d->hnext = d->newer = d->older = NULL;
	d->keylen = keylen;
	memcpy(d->key, key, keylen);
	page_from_doc(pg, page_insert(sn->cache, d));
	return 0;
}

void
page_release(struct page *pg)
{
	page_doc_unref(pg->doc);
	pg->doc = NULL;
	buf_free(&pg->own);
	pg->body = NULL;
	pg->len = 0;
	pg->wire = NULL;
	pg->wirelen = 0;
}
