/* gemtext.h: renders resources as text/gemini. */
#ifndef GEMTEXT_H
#define GEMTEXT_H

#include "buf.h"
#include "router.h"
#include "store.h"

#define GEMTEXT_MIME	"text/gemini; charset=utf-8; lang="

struct search_results;

int	 gemtext_render(const struct store *, const struct route *,
	    struct buf *);
/* A page of search results (or why the query was refused). */
int	 gemtext_search(const struct store *, const struct search_results *,
	    struct buf *);

#endif
