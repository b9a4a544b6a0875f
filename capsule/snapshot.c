/*
 * snapshot.c: what one published version of the archive holds. Requests
 * take a reference when they start and drop it when their reply is
 * written, so a snapshot swapped out lives until its last request ends.
 * Its search index may come later: it is built off the event loops after
 * the swap, and an older snapshot's index answers until then.
 */
#include <stdlib.h>

#include "page.h"
#include "search.h"
#include "snapshot.h"

struct snapshot *
snapshot_new(struct store *st, int flags)
{
	struct snapshot *sn;

	if ((sn = calloc(1, sizeof(*sn))) == NULL) {
		store_free(st);
		return NULL;
	}
	if (pthread_mutex_init(&sn->lock, NULL) != 0) {
		free(sn);
		store_free(st);
		return NULL;
	}
	sn->store = st;
	atomic_init(&sn->refs, 1);
	atomic_init(&sn->search, NULL);
	/* Without an index, search says so; everything else still serves. */
	if (flags & SNAPSHOT_SEARCH)
		snapshot_build_search(sn);
	if ((sn->cache = page_cache_new(st)) == NULL) {
		snapshot_unref(sn);
		return NULL;
	}
	return sn;
}

struct snapshot *
snapshot_ref(struct snapshot *sn)
{
	atomic_fetch_add_explicit(&sn->refs, 1, memory_order_relaxed);
	return sn;
}

void
snapshot_unref(struct snapshot *sn)
{
	if (sn == NULL ||
	    atomic_fetch_sub_explicit(&sn->refs, 1, memory_order_acq_rel) != 1)
		return;
	page_cache_free(sn->cache);
	search_free(atomic_load(&sn->search));
	snapshot_unref(sn->search_from);
	pthread_mutex_destroy(&sn->lock);
	store_free(sn->store);
	free(sn);
}

void
snapshot_follow(struct snapshot *sn, struct snapshot *prev)
{
	struct snapshot *from = NULL;

	if (prev == NULL)
		return;
	/* Only one older snapshot is ever kept alive for its index. */
	if (snapshot_search_ready(prev))
		from = snapshot_ref(prev);
	else {
		pthread_mutex_lock(&prev->lock);
		if (prev->search_from != NULL)
			from = snapshot_ref(prev->search_from);
		pthread_mutex_unlock(&prev->lock);
	}
	pthread_mutex_lock(&sn->lock);
	sn->search_from = from;
	pthread_mutex_unlock(&sn->lock);
}

int
snapshot_build_search(struct snapshot *sn)
{
	struct search_index *idx;

	if (snapshot_search_ready(sn))
		return 0;
	if ((idx = search_build(sn->store)) == NULL)
		return -1;
	snapshot_set_search(sn, idx);
	return 0;
}

void
snapshot_set_search(struct snapshot *sn, struct search_index *idx)
{
	struct snapshot *from;

	if (snapshot_search_ready(sn)) {
		search_free(idx);
		return;
	}
	pthread_mutex_lock(&sn->lock);
	atomic_store_explicit(&sn->search, idx, memory_order_release);
	from = sn->search_from;
	sn->search_from = NULL;
	pthread_mutex_unlock(&sn->lock);
	snapshot_unref(from);
}

int
snapshot_search_ready(struct snapshot *sn)
{
	return atomic_load_explicit(&sn->search, memory_order_acquire) !=
	    NULL;
}

struct snapshot *
snapshot_searcher(struct snapshot *sn)
{
	struct snapshot *s = NULL;

	if (snapshot_search_ready(sn))
		return snapshot_ref(sn);
	pthread_mutex_lock(&sn->lock);
	if (snapshot_search_ready(sn))
		s = snapshot_ref(sn);
	else if (sn->search_from != NULL)
		s = snapshot_ref(sn->search_from);
	pthread_mutex_unlock(&sn->lock);
	return s;
}
