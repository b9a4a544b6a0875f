/*
 * searchidx.h: inside search: the word index (searchidx.c) as the
 * queries (search.c) read it: one cursor per query word over its
 * postings, in the current store's post order.
 */
#ifndef SEARCHIDX_H
#define SEARCHIDX_H

#include <stddef.h>
#include <stdint.h>

#include "search.h"

#define SEARCH_IN_TITLE	0x1
#define SEARCH_IN_TAG	0x2
#define SEARCH_IN_BODY	0x4
#define SEARCH_COUNT_MAX 0xffff	/* a posting's count saturates here */

/* One posting list, read in order: a saved or built one, or a delta's. */
struct search_cur {
	const uint8_t		*data, *p;
	const struct search_skip *skips;
	uint32_t		 nposts;
	uint32_t		 i;	/* postings read */
	uint32_t		 base;	/* raw post + 1 of the last one read */
	/* Raw post -> store post (UINT32_MAX: gone), and store post ->
	   first raw post that maps at or after it; NULL: the same. */
	const uint32_t		*map, *from;
	uint32_t		 nfrom;
	int			 live;	/* a list is open */
	int			 head;	/* post, count, flags hold a posting */
	uint32_t		 post, cf;
};

/*
 * The list of one query word: its postings in the base and in the delta
 * (a post is in one or the other), or for a prefix that stands for
 * several words their union, merged into a table by post.
 */
struct search_list {
	struct search_cur	 cur[2];
	uint32_t		*dense;	/* count << 3 | flags; 0: absent */
	size_t			 ndense;
	size_t			 size;	/* postings, to order the lists */
	size_t			 at;	/* next post a dense list looks at */
	int			 started;
	uint32_t		 post, count;
	uint8_t			 flags;
};

/* search_build_file() with runs of chunk posts (the tests' small ones). */
int	search_build_runs(const struct store *, const char *path,
	    size_t chunk);

/* Posts of the store the index answers for. */
size_t	search_index_posts(const struct search_index *);
/*
 * Opens word w's list (with prefix, the words it begins too: at most the
 * SEARCH_PREFIX_TERMS most used). 0 with l set, 1 when nothing matches,
 * -1 when out of memory. Close it with search_list_close().
 */
int	search_list_open(const struct search_index *, const char *w,
	    size_t len, int prefix, struct search_list *l);
/* The next posting with post >= target: 1 with it in l, 0 at the end. */
int	search_list_seek(struct search_list *, uint32_t target);
void	search_list_close(struct search_list *);
/*
 * Every posting of a fresh list (count << 3 | flags in cf), in no set
 * order: a walk with no seeks, for a query of one word. A non-zero
 * return from cb stops it and is returned.
 */
typedef int (*search_posting_cb)(void *, uint32_t post, uint32_t cf);
int	search_list_each(struct search_list *, search_posting_cb, void *);

#endif
