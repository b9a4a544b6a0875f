/*
 * page.h: what the protocol layers ask for: a path (and a query) in, the
 * answer out, rendered once per snapshot and cached in its page cache.
 */
#ifndef PAGE_H
#define PAGE_H

#include <stddef.h>

#include "buf.h"
#include "router.h"
#include "store.h"

struct page_cache;
struct snapshot;

enum proto {
	PROTO_GEMINI,
	PROTO_GOPHER,
};

/*
 * A rendered document held by a snapshot's cache: for Gemini its
 * "20 <meta>\r\n" header comes first, so the whole reply is one write.
 * Reference counted: the cache may evict it while a reply still sends it.
 */
struct doc;

struct page {
	int		 status;	/* Gemini status: 10, 20, 31, 51, 59, 40 */
	const char	*meta;		/* MIME type, redirect target or prompt */
	char		 gopher_type;	/* '1' menu, '0' text, '3' error */
	const char	*body;		/* empty for anything but 20 */
	size_t		 len;
	/* A 20 on Gemini: the status line and the body, contiguous. */
	const char	*wire;
	size_t		 wirelen;
	struct buf	 own;		/* body when it is not cached */
	struct doc	*doc;		/* a cached body: one reference */
	char		 metabuf[URL_PATH_MAX + 64];
};

/*
 * Answers a request: path is raw (percent-encoded for Gemini), query is
 * already decoded (NULL when there is none). The body may be a cached
 * document: the page holds a reference to it until page_release(), so
 * eviction never frees what a reply is sending. Search answers 44 (a
 * Gopher info menu) while the snapshot's index is still being built.
 * Returns -1 only when out of memory (status 40).
 */
int	 page_get(struct snapshot *, enum proto, const char *path, size_t len,
	    const char *query, struct page *);
void	 page_release(struct page *);

/*
 * Renders a route without the cache, into out (export and tests): 0, 1
 * for an answer not worth caching (a search page past the last), -1.
 */
int	 page_render(const struct snapshot *, enum proto,
	    const struct route *, const char *query, struct buf *out);

/*
 * The page cache of a snapshot of st, within the budget last set (default
 * CONFIG_CACHE_SIZE); NULL when out of memory.
 */
struct page_cache *page_cache_new(const struct store *);
void	 page_cache_free(struct page_cache *);
/* Bytes every cache made from now on may hold; 0 caches nothing. */
void	 page_cache_budget(size_t);
/* Bytes held and documents cached now (tests, bench). */
size_t	 page_cache_used(struct page_cache *, size_t *ndocs);

/* Seconds a Gemini client is told to wait while search is built. */
#define PAGE_SEARCH_WAIT	5

#endif
