/* search.h: the word index built with a snapshot, and search answers. */
#ifndef SEARCH_H
#define SEARCH_H

#include "buf.h"
#include "store.h"

#define SEARCH_QUERY_MAX	256	/* bytes; longer queries are refused */

/* Built from the store's posts; memory comes from the store's arena. */
struct search_index	*search_build(struct store *);
/* Frees what search_build allocated outside the arena, if anything. */
void			 search_free(struct search_index *);

/*
 * Renders the answer to query (decoded; NULL or "" when none) for page n
 * (1-based) as gemtext (proto 0) or a Gopher menu (proto 1).
 */
int	 search_render_gemtext(const struct store *, const char *, unsigned,
	    struct buf *);
int	 search_render_gopher(const struct store *, const char *, unsigned,
	    struct buf *);

#endif
