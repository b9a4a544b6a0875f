/* search.h: the word index built with a snapshot, and search answers. */
#ifndef SEARCH_H
#define SEARCH_H

#include <stddef.h>

#include "buf.h"
#include "store.h"

#define SEARCH_QUERY_MAX	256	/* bytes; longer queries are refused */
#define SEARCH_TERM_MAX		64	/* bytes of one word; longer ones are cut */
#define SEARCH_MAX_TERMS	16	/* words in one query */
#define SEARCH_SNIPPET_MAX	160	/* bytes of a result's snippet */

/* 1 when query is NULL or holds only white space: ask for one again. */
int			 search_blank(const char *);

/* Built from the store's posts; NULL when out of memory. */
struct search_index	*search_build(const struct store *);
void			 search_free(struct search_index *);

/* One post that matches every word of a query. */
struct search_hit {
	const struct post	*post;
	unsigned		 title_hits;	/* query words in the title */
	unsigned		 tag_hits;	/* query words in a tag name */
	unsigned long		 count;		/* occurrences of all words */
	size_t			 first;		/* body offset of the first hit,
						   SIZE_MAX when none is there */
};

/*
 * Runs query (decoded) against idx, an index of the store's posts. Returns 0 with *hits
 * (the caller frees it with free(3); NULL when *nhits is 0) ranked best
 * first; 1 when the query is refused, with *why telling the user why; -1
 * when out of memory.
 */
int	 search_run(const struct store *, const struct search_index *,
	    const char *, struct search_hit **, size_t *, const char **why);

/*
 * Writes a snippet of the post's body around the hit into out: one line,
 * valid UTF-8, at most SEARCH_SNIPPET_MAX bytes. Returns its length.
 */
size_t	 search_snippet(const struct search_hit *, char *, size_t);

/*
 * Splits text into folded search words, as the index sees them, calling
 * cb for each with the word and its byte offset in text. A non-zero
 * return from cb stops the walk and is returned.
 */
typedef int (*search_word_cb)(void *, const char *, size_t, size_t);
int	 search_words(const char *, size_t, search_word_cb, void *);

/*
 * Renders the answer to query (decoded; NULL or "" when none) for page n
 * (1-based) as gemtext or as a Gopher menu. A refused query or a page past
 * the end is still an answer page; -1 only when out of memory.
 * Page n > 1 links to "/search/page/<n>?<percent-encoded query>".
 */
int	 search_render_gemtext(const struct store *,
	    const struct search_index *, const char *, unsigned, struct buf *);
int	 search_render_gopher(const struct store *,
	    const struct search_index *, const char *, unsigned, struct buf *);

#endif
