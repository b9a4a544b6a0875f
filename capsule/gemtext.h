/* gemtext.h: renders resources as text/gemini. */
#ifndef GEMTEXT_H
#define GEMTEXT_H

#include "buf.h"
#include "router.h"
#include "store.h"

#define GEMTEXT_MIME	"text/gemini; charset=utf-8; lang="

struct search_results;

/*
 * The pages of the routes the store makes (home, tags, a tag, posts, a
 * post), by route kind; NULL for the others. Posts are anyone's text:
 * page.c takes control characters out of what they write.
 */
extern const route_page_fn gemtext_pages[ROUTE_KINDS];
/* A page of search results (or why the query was refused). */
int	 gemtext_search(const struct store *, const struct search_results *,
	    struct buf *);

#endif
