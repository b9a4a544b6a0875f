/*
 * snapshot.h: one published version of the archive: the store's posts
 * and tags, the search index and the page cache, with the reference count
 * that keeps them alive while requests use them. It sits above the store,
 * the renderers and search: the store knows nothing of pages.
 */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include <stdatomic.h>

#include "store.h"

#define SNAPSHOT_SEARCH	0x1	/* build the search index */

struct search_index;
struct page_cache;

struct snapshot {
	struct store		*store;		/* owned */
	struct search_index	*search;	/* owned; NULL when none */
	struct page_cache	*cache;		/* owned; see page.c */
	atomic_int		 refs;
};

/*
 * Takes over st (freed here on failure too) and builds what serving it
 * needs. NULL when out of memory. The caller owns one reference.
 */
struct snapshot	*snapshot_new(struct store *st, int flags);
struct snapshot	*snapshot_ref(struct snapshot *);
/* Frees the snapshot, its store, index and cache with the last reference. */
void		 snapshot_unref(struct snapshot *);

#endif
