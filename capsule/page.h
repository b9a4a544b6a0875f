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
 */
struct doc {
	char	*data;		/* head, then body */
	size_t	 len;		/* both */
	size_t	 headlen;	/* 0 for Gopher */
};

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
	char		 metabuf[URL_PATH_MAX + 64];
};

/*
 * Answers a request: path is raw (percent-encoded for Gemini), query is
 * already decoded (NULL when there is none). The body may point into the
 * snapshot's cache, so the caller keeps its snapshot reference until
 * page_release(). Returns -1 only when out of memory (status 40).
 */
int	 page_get(struct snapshot *, enum proto, const char *path, size_t len,
	    const char *query, struct page *);
void	 page_release(struct page *);

/* Renders a route without the cache, into out (export and tests). */
int	 page_render(const struct snapshot *, enum proto,
	    const struct route *, const char *query, struct buf *out);

/* The page cache of a snapshot of st; NULL when out of memory. */
struct page_cache *page_cache_new(const struct store *);
void	 page_cache_free(struct page_cache *);

#endif
