/*
 * searchbench.c: the serving side at archive size, without the network:
 * store load, search index build (time and memory), the cost of common-
 * and rare-word searches, and the size of the largest list pages.
 *
 *   make build/bench/searchbench && build/bench/searchbench DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "page.h"
#include "router.h"
#include "search.h"
#include "snapshot.h"
#include "store.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long
status_kb(const char *key)
{
	char line[256];
	long kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0)
			kb = atol(line + strlen(key));
	if (f != NULL)
		fclose(f);
	return kb;
}

static long
rss_kb(void)
{
	return status_kb("VmRSS:");
}

/* The median of t[0..n-1] (sorted in place; a few values). */
static double
median(double *t, size_t n)
{
	double x;
	size_t i, j;

	for (i = 1; i < n; i++)
		for (j = i; j > 0 && t[j] < t[j - 1]; j--) {
			x = t[j];
			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	return t[n / 2];
}

/* Median milliseconds of a search for each word (page 1, uncached). */
static double
search_cost(const struct store *st, const struct search_index *idx,
    const char **words, size_t n, size_t *total)
{
	struct search_results res;
	double t[32], t0;
	size_t i;

	for (i = 0; i < n; i++) {
		t0 = now();
		search_query(st, idx, words[i], 1, ROUTER_PAGE_SIZE, &res);
		t[i] = (now() - t0) * 1000;
		if (i == 0)
			*total = res.total;
		search_results_free(&res);
	}
	return median(t, n);
}

static size_t
doc_size(struct snapshot *sn, enum proto proto, const char *path)
{
	struct page pg;
	size_t n;

	if (page_get(sn, proto, path, strlen(path), NULL, &pg) == -1)
		return 0;
	n = pg.len;
	page_release(&pg);
	return n;
}

/* Median milliseconds of page n of a search for each word. */
static double
page_cost(const struct store *st, const struct search_index *idx,
    const char **words, size_t n, unsigned page)
{
	struct search_results res;
	double t[32], t0;
	size_t i;

	for (i = 0; i < n; i++) {
		t0 = now();
		search_query(st, idx, words[i], page, ROUTER_PAGE_SIZE, &res);
		t[i] = (now() - t0) * 1000;
		search_results_free(&res);
	}
	return median(t, n);
}

int
main(int argc, char **argv)
{
	static const char *common[] = { "the", "of", "and", "to", "a", "that",
	    "regime" };
	static const char *rare[] = { "zenmarquin", "fenvisdak", "qqqnothing",
	    "vishormar", "shadudugra" };
	static const char *two[] = { "the of", "and that", "regime the" };
	static const char *prefix[] = { "tel", "vis", "dak", "mar", "sor" };
	static const char *paths[] = { "/", "/posts/", "/tags/",
	    "/posts/page/2/", "/tags/page/2/" };
	static const char *file = "/tmp/searchbench.search";
	struct snapshot *sn;
	struct store *st;
	struct search_index *idx, *mem = NULL, *ui;
	const char *why;
	double t0;
	long r0, r1;
	size_t total, i;
	int memory, reuse;

	if (argc < 2 || argc > 3 || (argc == 3 &&
	    strcmp(argv[2], "--no-memory") != 0 &&
	    strcmp(argv[2], "--reuse") != 0)) {
		fprintf(stderr, "usage: searchbench DIR [--no-memory | "
		    "--reuse]\n");
		return 2;
	}
	/* --reuse: the index file a run left, when it is this store's. */
	memory = argc == 2;
	reuse = argc == 3 && strcmp(argv[2], "--reuse") == 0;
	t0 = now();
	if ((st = store_load(argv[1], NULL, NULL, NULL)) == NULL)
		return 1;
	printf("store: %zu posts, %zu tags, loaded in %.2f s, RSS %ld MB\n",
	    st->nposts, st->ntags, now() - t0, rss_kb() / 1024);
	/* The server's way: on both cores, into a file (peak: VmHWM). */
	r0 = rss_kb();
	t0 = now();
	if (reuse && (idx = search_load(file, st, &why)) != NULL)
		search_free(idx);
	else if (search_build_file(st, file) == -1)
		return 1;
	else
		printf("index: built into a file on two threads in %.2f s, "
		    "RSS %ld MB, peak %ld MB (store %ld MB)\n", now() - t0,
		    rss_kb() / 1024, status_kb("VmHWM:") / 1024, r0 / 1024);
	r0 = rss_kb();
	t0 = now();
	if ((idx = search_load(file, st, &why)) == NULL) {
		printf("index: not loaded: %s\n", why);
		return 1;
	}
	printf("index: loaded in %.3f s, %zu MB, RSS +%ld MB\n", now() - t0,
	    search_index_size(idx) >> 20, (rss_kb() - r0) / 1024);
	printf("loaded, first common-word search (list checked): %.2f ms\n",
	    search_cost(st, idx, common, 1, &total));
	t0 = now();
	ui = search_update(idx, st);
	printf("index: updated (nothing changed) in %.3f s\n", now() - t0);
	search_free(ui);
	if (memory) {
		r0 = rss_kb();
		t0 = now();
		mem = search_build(st);
		r1 = rss_kb();
		printf("index: built in memory on one thread in %.2f s, "
		    "RSS +%ld MB\n", now() - t0, (r1 - r0) / 1024);
		search_free(mem);
	}
	printf("common-word search: %.2f ms", search_cost(st, idx, common,
	    sizeof(common) / sizeof(common[0]), &total));
	printf(" (\"the\": %zu hits)\n", total);
	printf("common word, page 2 / 20 / 200 / past the last: %.2f / %.2f / "
	    "%.2f / %.2f ms\n",
	    page_cost(st, idx, common, sizeof(common) / sizeof(common[0]), 2),
	    page_cost(st, idx, common, sizeof(common) / sizeof(common[0]), 20),
	    page_cost(st, idx, common, sizeof(common) / sizeof(common[0]), 200),
	    page_cost(st, idx, common, sizeof(common) / sizeof(common[0]),
	    1000000));
	printf("two common words: %.2f ms\n", search_cost(st, idx, two,
	    sizeof(two) / sizeof(two[0]), &total));
	printf("rare-word search: %.3f ms\n", search_cost(st, idx, rare,
	    sizeof(rare) / sizeof(rare[0]), &total));
	printf("prefix search: %.2f ms\n", search_cost(st, idx, prefix,
	    sizeof(prefix) / sizeof(prefix[0]), &total));
	printf("RSS with the index loaded and searched: %ld MB\n",
	    rss_kb() / 1024);
	if ((sn = snapshot_new(st, 0)) == NULL)
		return 1;
	sn->search = idx;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		printf("%-16s Gemini %7zu B, Gopher %7zu B\n", paths[i],
		    doc_size(sn, PROTO_GEMINI, paths[i]),
		    doc_size(sn, PROTO_GOPHER, paths[i]));
	t0 = now();
	for (i = 0; i < 20; i++) {
		char q[64];
		struct page pg;

		snprintf(q, sizeof(q), "the w%zu", i);
		page_get(sn, PROTO_GEMINI, "/search", 7, "the", &pg);
		page_release(&pg);
	}
	printf("cached search page: %.3f ms\n", (now() - t0) * 1000 / 20);
	printf("RSS at the end: %ld MB\n", rss_kb() / 1024);
	snapshot_unref(sn);
	if (!reuse)
		unlink(file);
	return 0;
}
