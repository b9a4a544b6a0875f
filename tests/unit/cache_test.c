/* cache_test.c: the page cache keeps its budget and never frees a body in use. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "page.h"
#include "search.h"
#include "snapshot.h"
#include "test.h"
#include "testutil.h"

#define CACHE_POSTS	200

/* The store's files: bodies are read from them when a page renders. */
static char *cache_dir;

/* A store of CACHE_POSTS posts of about 2 KB each, as a snapshot. */
static struct snapshot *
cache_snap(size_t budget)
{
	struct snapshot *sn;
	char *dir, name[64], text[4096];
	int i, o, j;

	if ((dir = tu_mkdir()) == NULL)
		return NULL;
	for (i = 0; i < CACHE_POSTS; i++) {
		o = snprintf(text, sizeof(text), "Title: Post %d\n"
		    "Date: 2020-%02d-%02d\nTags: T%d\n\n", i, 1 + i % 12,
		    1 + i % 28, i % 7);
		for (j = 0; j < 40; j++)
			o += snprintf(text + o, sizeof(text) - o,
			    "Line %d of post %d, with some words.\n", j, i);
		snprintf(name, sizeof(name), "p%03d.txt", i);
		if (tu_write(dir, name, text, -1) == -1) {
			tu_rmdir(dir);
			return NULL;
		}
	}
	page_cache_budget(budget);
	sn = tu_snap(dir, NULL);
	page_cache_budget(CONFIG_CACHE_SIZE);
	cache_dir = dir;
	return sn;
}

/* Drops the snapshot, then its files. */
static void
cache_done(struct snapshot *sn)
{
	snapshot_unref(sn);
	tu_rmdir(cache_dir);
	cache_dir = NULL;
}

static int
cache_get(struct snapshot *sn, enum proto proto, int i, struct page *pg)
{
	char path[64];

	snprintf(path, sizeof(path), "/posts/p%03d", i);
	return page_get(sn, proto, path, strlen(path), NULL, pg);
}

TEST(page_cache_keeps_its_budget_and_evicts_the_least_recently_used)
{
	struct snapshot *sn;
	struct page a, b;
	size_t used, n, budget = 64 * 1024;
	int i;

	CHECK((sn = cache_snap(budget)) != NULL);
	for (i = 0; i < CACHE_POSTS; i++) {
		CHECK(cache_get(sn, PROTO_GEMINI, i, &a) == 0 && a.status == 20);
		page_release(&a);
		CHECK(cache_get(sn, PROTO_GOPHER, i, &a) == 0 && a.status == 20);
		page_release(&a);
		used = page_cache_used(sn->cache, &n);
		CHECK(used <= budget);
	}
	/* 400 documents of 2 KB and more cannot all fit in 64 KB. */
	CHECK(n > 0 && n < 2 * CACHE_POSTS);
	/* The newest is still cached: the same bytes come back. */
	CHECK(cache_get(sn, PROTO_GOPHER, CACHE_POSTS - 1, &a) == 0);
	CHECK(cache_get(sn, PROTO_GOPHER, CACHE_POSTS - 1, &b) == 0);
	CHECK(a.body == b.body);
	page_release(&a);
	page_release(&b);
	/* The oldest was evicted: asked again, it is cached again. */
	CHECK(cache_get(sn, PROTO_GEMINI, 0, &a) == 0);
	CHECK(cache_get(sn, PROTO_GEMINI, 0, &b) == 0);
	CHECK(a.body == b.body);
	page_release(&a);
	page_release(&b);
	cache_done(sn);
}

TEST(page_cache_never_frees_a_document_a_reply_still_sends)
{
	struct snapshot *sn;
	struct page held, pg, again;
	char *copy;
	int i;

	CHECK((sn = cache_snap(32 * 1024)) != NULL);
	CHECK(cache_get(sn, PROTO_GEMINI, 5, &held) == 0);
	CHECK(held.doc != NULL);
	CHECK((copy = malloc(held.wirelen)) != NULL);
	memcpy(copy, held.wire, held.wirelen);
	/* Every other post passes through the cache: post 5 is evicted. */
	for (i = 0; i < CACHE_POSTS; i++) {
		CHECK(cache_get(sn, PROTO_GEMINI, i, &pg) == 0);
		page_release(&pg);
	}
	CHECK(cache_get(sn, PROTO_GEMINI, 5, &again) == 0);
	CHECK(again.wire != held.wire);
	/* The held reply still reads its bytes (ASan would see a free). */
	CHECK(memcmp(held.wire, copy, held.wirelen) == 0);
	CHECK(again.wirelen == held.wirelen);
	CHECK(memcmp(again.wire, copy, held.wirelen) == 0);
	page_release(&again);
	page_release(&held);
	free(copy);
	cache_done(sn);
}

TEST(page_cache_of_size_zero_caches_nothing)
{
	struct snapshot *sn;
	struct page a, b;
	size_t n;

	CHECK((sn = cache_snap(0)) != NULL);
	CHECK(cache_get(sn, PROTO_GEMINI, 1, &a) == 0 && a.status == 20);
	CHECK(cache_get(sn, PROTO_GEMINI, 1, &b) == 0 && b.status == 20);
	CHECK(a.body != b.body && a.len == b.len);
	CHECK(page_cache_used(sn->cache, &n) == 0 && n == 0);
	page_release(&a);
	page_release(&b);
	cache_done(sn);
}

struct cache_worker {
	struct snapshot	*sn;
	unsigned	 seed;
	int		 bad;
};

static void *
cache_hammer(void *arg)
{
	struct cache_worker *w = arg;
	struct page pg[4];
	int i, k, j;

	for (i = 0; i < 2000; i++) {
		for (k = 0; k < 4; k++) {
			j = (int)(rand_r(&w->seed) % CACHE_POSTS);
			if (cache_get(w->sn, k % 2 ? PROTO_GOPHER :
			    PROTO_GEMINI, j, &pg[k]) != 0 ||
			    pg[k].status != 20 || pg[k].len < 1000)
				w->bad++;
		}
		for (k = 0; k < 4; k++) {
			/* Read every byte of what is held, then let go. */
			if (memchr(pg[k].body, '\0', pg[k].len) != NULL)
				w->bad++;
			page_release(&pg[k]);
		}
	}
	return NULL;
}

TEST(page_cache_is_shared_by_threads_within_its_budget)
{
	struct cache_worker w[4];
	pthread_t t[4];
	struct snapshot *sn;
	size_t budget = 96 * 1024;
	int i;

	CHECK((sn = cache_snap(budget)) != NULL);
	for (i = 0; i < 4; i++) {
		w[i].sn = sn;
		w[i].seed = (unsigned)i + 1;
		w[i].bad = 0;
		CHECK(pthread_create(&t[i], NULL, cache_hammer, &w[i]) == 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	for (i = 0; i < 4; i++)
		CHECK(w[i].bad == 0);
	CHECK(page_cache_used(sn->cache, NULL) <= budget);
	cache_done(sn);
}

/*
 * A search page past the last is answered from a count: no ranking, no
 * cache entry, whatever number a client makes up. A real page is ranked
 * and cached as before.
 */
TEST(search_page_past_the_last_is_counted_not_ranked_nor_cached)
{
	static const char *deep[] = { "/search/page/1000000",
	    "/search/page/5", "/search/page/999" };
	struct snapshot *sn;
	struct page pg;
	unsigned long before;
	size_t n0, n1, i;
	int proto;

	CHECK((sn = cache_snap(CONFIG_CACHE_SIZE)) != NULL);
	(void)page_cache_used(sn->cache, &n0);
	before = atomic_load(&search_rankings);
	for (proto = PROTO_GEMINI; proto <= PROTO_GOPHER; proto++)
		for (i = 0; i < sizeof(deep) / sizeof(deep[0]); i++) {
			CHECK(page_get(sn, (enum proto)proto, deep[i],
			    strlen(deep[i]), "words", &pg) == 0);
			CHECK(pg.status == 20);
			CHECK(strstr(pg.body, "200 posts match") != NULL &&
			    strstr(pg.body, "no page") != NULL);
			page_release(&pg);
		}
	CHECK(atomic_load(&search_rankings) == before);
	(void)page_cache_used(sn->cache, &n1);
	CHECK(n1 == n0);
	/* The last page is a page: ranked once, then cached. */
	CHECK(page_get(sn, PROTO_GEMINI, "/search/page/4", 14, "words",
	    &pg) == 0 && pg.status == 20);
	CHECK(strstr(pg.body, "Page 4 of 4") != NULL);
	page_release(&pg);
	CHECK(atomic_load(&search_rankings) == before + 1);
	CHECK(page_get(sn, PROTO_GEMINI, "/search/page/4", 14, "words",
	    &pg) == 0 && pg.status == 20);
	page_release(&pg);
	CHECK(atomic_load(&search_rankings) == before + 1);
	(void)page_cache_used(sn->cache, &n1);
	CHECK(n1 == n0 + 1);
	cache_done(sn);
}
