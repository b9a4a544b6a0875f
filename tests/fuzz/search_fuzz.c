/*
 * search_fuzz.c: libFuzzer target for the query path: anyone can type
 * anything after "/search?". The first byte picks what is driven: the
 * Gemini answer, the Gopher answer, or the word splitter on raw text.
 * The index is the one of content/ (or $CAPSULE_CONTENT), built once.
 *
 *   make build/fuzz/search_fuzz
 *   build/fuzz/search_fuzz -max_total_time=60 -max_len=400 \
 *       build/fuzz/corpus/search tests/fuzz/corpus/search
 *
 * make check replays tests/fuzz/corpus/search (tests/fuzz/replay.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gemtext.h"
#include "gophermap.h"
#include "search.h"
#include "utf8.h"

#define FUZZ_MAX	4096

static struct store *fuzz_store;
static struct search_index *fuzz_idx;

/* Renders page n of the answer to q, as gemtext or as a Gopher menu. */
static int
fuzz_answer(const char *q, unsigned n, int gopher, struct buf *b)
{
	struct search_results res;
	int rc;

	if (search_query(fuzz_store, fuzz_idx, q, n, 50, &res) == -1)
		return -1;
	rc = gopher ? gophermap_search(fuzz_store, &res, b) :
	    gemtext_search(fuzz_store, &res, b);
	search_results_free(&res);
	return rc;
}

static int
fuzz_word(void *arg, const char *w, size_t n, size_t off)
{
	size_t len = *(size_t *)arg;

	if (n == 0 || n > SEARCH_TERM_MAX || off >= len || !utf8_valid(w, n))
		__builtin_trap();
	return 0;
}

/* Every line of a menu but the end is type, display and three fields. */
static void
fuzz_check_menu(const char *s, size_t len)
{
	const char *e, *end = s + len;
	int tabs;

	if (len < 3 || memcmp(end - 3, ".\r\n", 3) != 0)
		__builtin_trap();
	for (; s < end - 3; s = e + 2) {
		if ((e = strstr(s, "\r\n")) == NULL || e > end - 3)
			__builtin_trap();
		for (tabs = 0; s < e; s++)
			tabs += *s == '\t';
		if (tabs != 3)
			__builtin_trap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char q[FUZZ_MAX + 1];
	struct buf b;
	const char *dir;

	if (fuzz_store == NULL) {
		dir = getenv("CAPSULE_CONTENT");
		fuzz_store = store_load(dir ? dir : "content", NULL, NULL, NULL);
		if (fuzz_store == NULL ||
		    (fuzz_idx = search_build(fuzz_store)) == NULL)
			abort();
	}
	if (size == 0 || size > FUZZ_MAX)
		return 0;
	/* A query reaches search as a C string: it stops at a NUL. */
	memcpy(q, data + 1, size - 1);
	q[size - 1] = '\0';
	buf_init(&b);
	switch (data[0] % 3) {
	case 0:
		if (fuzz_answer(q, 1 + data[0] / 3 % 4, 0, &b) == -1 ||
		    !utf8_valid(b.data, b.len))
			__builtin_trap();
		break;
	case 1:
		if (fuzz_answer(q, 1, 1, &b) == -1)
			__builtin_trap();
		fuzz_check_menu(b.data, b.len);
		break;
	default:
		size--;
		search_words((const char *)data + 1, size, fuzz_word, &size);
		break;
	}
	buf_free(&b);
	return 0;
}
