/*
 * snapshot.c: what one published version of the archive holds. Requests
 * take a reference when they start and drop it when their reply is
 * written, so a snapshot swapped out lives until its last request ends.
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
	sn->store = st;
	atomic_init(&sn->refs, 1);
	/* Without an index, search says so; everything else still serves. */
	if (flags & SNAPSHOT_SEARCH)
		sn->search = search_build(st);
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
	search_free(sn->search);
	store_free(sn->store);
	free(sn);
}
