/*
 * search.h: the word index built with a snapshot, and the answers to
 * queries on it. Search answers results; gemtext.c and gophermap.c
 * render them like every other page.
 */
#ifndef SEARCH_H
#define SEARCH_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define SEARCH_QUERY_MAX	256	/* bytes; longer queries are refused */
#define SEARCH_TERM_MAX		64	/* bytes of one word; longer ones are cut */
#define SEARCH_MAX_TERMS	16	/* words in one query */
#define SEARCH_SNIPPET_MAX	160	/* bytes of a result's excerpt */
#define SEARCH_PREFIX_MIN	3	/* bytes a last word needs to be a prefix */
#define SEARCH_PREFIX_TERMS	32	/* words one prefix stands for at most */
#define SEARCH_ENC_MAX		(SEARCH_QUERY_MAX * 3 + 1) /* percent-encoded */

/* 1 when query is NULL or holds only white space: ask for one again. */
int			 search_blank(const char *);

/* Built from the store's posts; NULL when out of memory. */
struct search_index	*search_build(const struct store *);
/*
 * The same, for a large store: built on two threads, a chunk of posts at
 * a time, each chunk's lists written beside path and merged into the
 * saved index at path (as search_save() writes it; load it with
 * search_load()). Memory stays near two chunks' lists, not the index.
 * 0, or -1 with errno.
 */
int			 search_build_file(const struct store *, const char *);
/*
 * The index of st made from prev's: the posts prev's base holds, unchanged
 * (same slug, same file), are taken as they are, and only the others
 * (new or edited) are read and indexed, into a delta. NULL when out of
 * memory. prev stays valid and is not changed.
 */
struct search_index	*search_update(const struct search_index *prev,
			    const struct store *st);
/* Posts of the index's store that its delta holds (read for it). */
size_t			 search_delta_posts(const struct search_index *);
/* Lists of its base found damaged when first used (they answer nothing). */
unsigned long		 search_damaged(const struct search_index *);
void			 search_free(struct search_index *);
/*
 * The index's base saved beside the store's saved index, so a restart
 * need not build it again: written atomically (0 or -1, errno). Loaded
 * for a store whose posts are mostly the base's (matched by slug and
 * file; the rest are read into a delta), checked cheaply (header, sizes)
 * and each list when a query first uses it; NULL, with why, otherwise.
 * A loaded base maps the file.
 */
int			 search_save(const struct search_index *,
			    const struct store *, const char *);
struct search_index	*search_load(const char *, const struct store *,
			    const char **why);
/* Bytes the index holds (the bench reports it). */
size_t			 search_index_size(const struct search_index *);

/* One post that matches every word of a query. */
struct search_hit {
	const struct post	*post;
	unsigned		 title_hits;	/* query words in the title */
	unsigned		 tag_hits;	/* query words in a tag name */
	unsigned		 body_hits;	/* query words in the body */
	unsigned		 tag_only;	/* words found only in a tag */
	unsigned long		 count;		/* occurrences of all words */
	size_t			 at;		/* the post's index: ties */
};

/* The words of a query, folded as the index folds them. */
struct search_query {
	char	 words[SEARCH_MAX_TERMS][SEARCH_TERM_MAX + 1];
	size_t	 lens[SEARCH_MAX_TERMS];
	size_t	 n;
	int	 prefix;	/* the last word also finds words it begins */
	int	 toomany;
};

/* One page of the answer to a query. */
struct search_results {
	const char		*why;	/* refused: the reason; nothing else set */
	char			 query[SEARCH_QUERY_MAX + 1]; /* trimmed */
	char			 enc[SEARCH_ENC_MAX];	/* query, for links */
	struct search_query	 q;
	size_t			 total;		/* posts that match */
	unsigned		 page, pages;	/* 1-based; page may be past */
	size_t			 from;		/* rank of hits[0], 0-based */
	struct search_hit	*hits;		/* this page's, best first */
	size_t			 nhits;
};

/*
 * Answers query (decoded) for page (1-based) of per results, taking the
 * best page * per hits with a bounded heap, never sorting every match.
 * A refused query is an answer with why set. -1 only when out of memory.
 * idx NULL answers "not available". Free with search_results_free().
 */
int	 search_query(const struct store *, const struct search_index *,
	    const char *, unsigned page, size_t per, struct search_results *);
void	 search_results_free(struct search_results *);
/*
 * Ranked walks search_query() has made, in all: a page past the last is
 * answered from a count alone, and the tests see that it made none.
 */
extern atomic_ulong	 search_rankings;

/*
 * Every hit of query, fully sorted best first: the reference the ranked
 * pages must agree with (tests), and the old interface. Returns 0 with
 * *hits (free(3) it; NULL when *nhits is 0), 1 when refused (*why says
 * why), -1 when out of memory.
 */
int	 search_run(const struct store *, const struct search_index *,
	    const char *, struct search_hit **, size_t *, const char **why);

/*
 * An excerpt of the hit's post for a results page, into out: one line of
 * plain text (no gemtext markup), valid UTF-8, at most SEARCH_SNIPPET_MAX
 * bytes, around the first query word in the body, cut at sentence or word
 * boundaries outside quotations where it can. A post that matched only
 * through a tag says so ("Tagged X: ..."). Returns its length.
 */
size_t	 search_excerpt(const struct store *, const struct search_query *,
	    const struct search_hit *, char *, size_t);

/* "3 posts match "x"." and where this page is, for the answer's head. */
void	 search_summary(const struct search_results *, char *, size_t);
/* The path of results page n of the answer's query. */
void	 search_page_path(const struct search_results *, unsigned, char *,
	    size_t);

/*
 * Splits text into folded search words, as the index sees them, calling
 * cb for each with the word and its byte offset in text. A non-zero
 * return from cb stops the walk and is returned.
 */
typedef int (*search_word_cb)(void *, const char *, size_t, size_t);
int	 search_words(const char *, size_t, search_word_cb, void *);

#endif
