/*
 * snapshot.h: one published version of the archive: the store's posts
 * and tags, the search index and the page cache, with the reference count
 * that keeps them alive while requests use them. It sits above the store,
 * the renderers and search: the store knows nothing of pages.
 */
#ifndef SNAPSHOT_H
#define SNAPSHOT_H

#include <pthread.h>
#include <stdatomic.h>

#include "store.h"

#define SNAPSHOT_SEARCH	0x1	/* build the search index now */

struct search_index;
struct page_cache;

struct snapshot {
	struct store			*store;		/* owned */
	/* Owned; NULL until built (off the event loops) or when none. */
	_Atomic(struct search_index *)	 search;
	/*
	 * Until search is built: an older snapshot whose index answers
	 * searches meanwhile (a reference), or NULL. Guarded by lock.
	 */
	struct snapshot			*search_from;
	pthread_mutex_t			 lock;
	struct page_cache		*cache;		/* owned; see page.c */
	atomic_int			 refs;
	/* A stand-in while a large store is read the first time: every
	   request is told to come back in a few seconds. */
	int				 loading;
};

/*
 * Takes over st (freed here on failure too) and builds what serving it
 * needs. NULL when out of memory. The caller owns one reference.
 */
struct snapshot	*snapshot_new(struct store *st, int flags);
struct snapshot	*snapshot_ref(struct snapshot *);
/* Frees the snapshot, its store, index and cache with the last reference. */
void		 snapshot_unref(struct snapshot *);

/*
 * Until sn has its own index, searches are answered by prev's (or by
 * the one prev itself borrows). Called before sn is published.
 */
void		 snapshot_follow(struct snapshot *sn, struct snapshot *prev);
/* Builds sn's index (slow: run it off the event loops); 0 or -1. */
int		 snapshot_build_search(struct snapshot *sn);
/* Gives sn the index idx of its store (built or loaded), which it owns. */
void		 snapshot_set_search(struct snapshot *sn, struct search_index *);
/* 1 when sn has an index of its own. */
int		 snapshot_search_ready(struct snapshot *sn);
/*
 * A reference to the snapshot whose index answers searches on sn: sn
 * itself, an older one while sn's builds, or NULL when there is none.
 */
struct snapshot	*snapshot_searcher(struct snapshot *sn);

#endif
