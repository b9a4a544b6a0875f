/* search_test.c: the word index, queries, ranking, snippets and pages. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_store.h"
#include "gemtext.h"
#include "gophermap.h"
#include "page.h"
#include "router.h"
#include "snapshot.h"
#include "search.h"
#include "searchidx.h"
#include "test.h"
#include "testutil.h"
#include "utf8.h"

struct words {
	char	 out[1024];
	size_t	 len;
};

static int
collect_word(void *arg, const char *w, size_t n, size_t off)
{
	struct words *ws = arg;

	(void)off;
	if (ws->len + n + 2 < sizeof(ws->out)) {
		memcpy(ws->out + ws->len, w, n);
		ws->len += n;
		ws->out[ws->len++] = '|';
		ws->out[ws->len] = '\0';
	}
	return 0;
}

static const char *
words_of(struct words *ws, const char *s)
{
	memset(ws, 0, sizeof(*ws));
	search_words(s, strlen(s), collect_word, ws);
	return ws->out;
}

TEST(search_words_fold_case_and_latin_accents)
{
	struct words ws;

	CHECK_STR(words_of(&ws, "Hello, WORLD! Café NAÏVE Ærø"),
	    "hello|world|cafe|naive|æro|");
	CHECK_STR(words_of(&ws, "Łódź Straße ΑΘΗΝΑ Москва"),
	    "lodz|straße|αθηνα|москва|");
}

TEST(search_words_keep_apostrophes_inside_words_and_stems)
{
	struct words ws;

	/* Curly and straight apostrophes read the same; quotes do not join. */
	CHECK_STR(words_of(&ws, "Khamenei\u2019s fears"),
	    "khamenei's|khamenei|fears|");
	CHECK_STR(words_of(&ws, "Khamenei's"), "khamenei's|khamenei|");
	CHECK_STR(words_of(&ws, "\u2018Resistance Units\u2019 mullahs\u2019 x"),
	    "resistance|units|mullahs|x|");
	CHECK_STR(words_of(&ws, "close_notify 1,000 U.S. a-b"),
	    "close_notify|1|000|u|s|a|b|");
}

TEST(search_words_cut_long_words_between_characters)
{
	struct words ws;
	char in[300];
	size_t i;

	/* 100 two-byte letters: the word is cut at 64 bytes, whole chars. */
	for (i = 0; i < 100; i++)
		memcpy(in + 2 * i, "\xc3\xa9", 2);
	in[200] = '\0';
	words_of(&ws, in);
	CHECK(ws.len == 64 + 1);
	CHECK(utf8_valid(ws.out, ws.len - 1));
	/* Bad bytes separate words and never reach the index. */
	CHECK_STR(words_of(&ws, "ab\xff" "cd\xc3"), "ab|cd|");
}

static void
seed(struct fake_store *f)
{
	fake_init(f);
	fake_post(f, "newest", "2020-03-01", "Weather report", "Misc",
	    "Rain today. The fears of Khamenei\u2019s men were noted.");
	fake_post(f, "tagged", "2020-02-01", "Another day", "Bloomfield",
	    "Nothing about him here, only alpha.");
	fake_post(f, "titled", "2020-01-01", "Lincoln Bloomfield speaks",
	    "Misc", "He spoke once.");
	fake_post(f, "counted", "2019-12-01", "Many mentions", "",
	    "Bloomfield and Bloomfield and Bloomfield again. Alpha beta.");
	fake_post(f, "once", "2019-11-01", "One mention", "",
	    "Only one Bloomfield. Alpha and beta and gamma.");
	f->idx = search_build(&f->st);
}

/* A results page as gemtext or a Gopher menu, appended to b. */
static int
gem_search(struct fake_store *f, const char *q, unsigned page,
    struct buf *b)
{
	struct search_results res;
	int rc;

	if (search_query(&f->st, f->idx, q, page, ROUTER_PAGE_SIZE, &res) ==
	    -1)
		return -1;
	rc = gemtext_search(&f->st, &res, b);
	search_results_free(&res);
	return rc;
}

static int
goph_search(struct fake_store *f, const char *q, unsigned page,
    struct buf *b)
{
	struct search_results res;
	int rc;

	if (search_query(&f->st, f->idx, q, page, ROUTER_PAGE_SIZE, &res) ==
	    -1)
		return -1;
	rc = gophermap_search(&f->st, &res, b);
	search_results_free(&res);
	return rc;
}

/* The slugs of the hits, in order, joined by spaces. */
static const char *
run(struct fake_store *f, const char *q, char *out, size_t outsz)
{
	struct search_hit *hits;
	size_t n, i, o = 0;
	const char *why;
	int r;

	out[0] = '\0';
	r = search_run(&f->st, f->idx, q, &hits, &n, &why);
	if (r == 1) {
		snprintf(out, outsz, "refused: %s", why);
		return out;
	}
	if (r == -1)
		return "out of memory";
	for (i = 0; i < n; i++)
		o += snprintf(out + o, outsz - o, "%s%s", i ? " " : "",
		    hits[i].post->slug);
	free(hits);
	return out;
}

TEST(search_ranks_title_then_tag_then_count_then_newest)
{
	struct fake_store f;
	char got[512];

	seed(&f);
	CHECK(f.idx != NULL);
	CHECK_STR(run(&f, "bloomfield", got, sizeof(got)),
	    "titled tagged counted once");
	/* Equal counts: the newer post first. */
	CHECK_STR(run(&f, "alpha", got, sizeof(got)), "tagged counted once");
	fake_free(&f);
}

TEST(search_needs_every_word)
{
	struct fake_store f;
	char got[512];

	seed(&f);
	CHECK_STR(run(&f, "alpha beta", got, sizeof(got)), "counted once");
	CHECK_STR(run(&f, "ALPHA   Gamma", got, sizeof(got)), "once");
	CHECK_STR(run(&f, "alpha nowhere", got, sizeof(got)), "");
	CHECK_STR(run(&f, "close_notify", got, sizeof(got)), "");
	fake_free(&f);
}

TEST(search_matches_curly_and_straight_apostrophes)
{
	struct fake_store f;
	char got[512];

	seed(&f);
	CHECK_STR(run(&f, "Khamenei's", got, sizeof(got)), "newest");
	CHECK_STR(run(&f, "Khamenei\u2019s fears", got, sizeof(got)),
	    "newest");
	CHECK_STR(run(&f, "khamenei", got, sizeof(got)), "newest");
	fake_free(&f);
}

TEST(search_refuses_bad_queries_with_a_reason)
{
	struct fake_store f;
	char got[512], big[400];

	seed(&f);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(strncmp(run(&f, "", got, sizeof(got)), "refused: ", 9) == 0);
	CHECK(strncmp(run(&f, NULL, got, sizeof(got)), "refused: ", 9) == 0);
	CHECK(strstr(run(&f, big, got, sizeof(got)), "too long") != NULL);
	CHECK(strstr(run(&f, "caf\xc3", got, sizeof(got)), "UTF-8") != NULL);
	CHECK(strstr(run(&f, "a\x01" "b", got, sizeof(got)), "control") !=
	    NULL);
	CHECK(strstr(run(&f, "?!... \u2014 \u201c\u201d", got, sizeof(got)),
	    "punctuation") != NULL);
	CHECK(strstr(run(&f, "a b c d e f g h i j k l m n o p q", got,
	    sizeof(got)), "too many") != NULL);
	fake_free(&f);
}

TEST(search_snippet_is_short_valid_and_shows_the_hit)
{
	struct fake_store f;
	struct search_results res;
	struct buf body;
	char snip[SEARCH_SNIPPET_MAX + 1];
	size_t len, i;

	fake_init(&f);
	buf_init(&body);
	/* Multi-byte text all around the hit, and line ends inside. */
	for (i = 0; i < 60; i++)
		buf_puts(&body, "\u00e9t\u00e9 \u2014 ");
	buf_puts(&body, "\nthe needle\n\n");
	for (i = 0; i < 60; i++)
		buf_puts(&body, "\u00e0 bient\u00f4t ");
	fake_post(&f, "p", "2020-01-01", "T", "", body.data);
	f.idx = search_build(&f.st);
	CHECK(search_query(&f.st, f.idx, "needle", 1, 50, &res) == 0);
	CHECK(res.why == NULL && res.total == 1 && res.nhits == 1);
	len = search_excerpt(&f.st, &res.q, &res.hits[0], snip, sizeof(snip));
	CHECK(len > 0 && len <= SEARCH_SNIPPET_MAX);
	CHECK(len == strlen(snip));
	CHECK(utf8_valid(snip, len));
	CHECK(strstr(snip, "the needle") != NULL);
	CHECK(strchr(snip, '\n') == NULL);
	CHECK(strcmp(snip + len - 3, "\u2026") == 0);
	/* Too small a buffer gets an empty snippet, not an overflow. */
	CHECK(search_excerpt(&f.st, &res.q, &res.hits[0], snip, 8) == 0 &&
	    snip[0] == '\0');
	search_results_free(&res);
	buf_free(&body);
	fake_free(&f);
}

TEST(search_gemtext_lists_date_title_and_snippet)
{
	struct fake_store f;
	struct buf b;

	seed(&f);
	buf_init(&b);
	CHECK(gem_search(&f, "alpha beta", 1, &b) == 0);
	CHECK_STR(b.data,
	    "# Search: alpha beta\n\n"
	    "2 posts match \u201calpha beta\u201d.\n\n"
	    "=> /posts/counted 2019-12-01 Many mentions\n"
	    "> Bloomfield and Bloomfield and Bloomfield again. Alpha beta.\n\n"
	    "=> /posts/once 2019-11-01 One mention\n"
	    "> Only one Bloomfield. Alpha and beta and gamma.\n\n"
	    "=> /search Search again\n=> / Home\n");
	buf_reset(&b);
	CHECK(gem_search(&f, "nowhere", 1, &b) == 0);
	CHECK(strstr(b.data, "No post matches \u201cnowhere\u201d.") != NULL);
	buf_reset(&b);
	CHECK(gem_search(&f, "\xff\xfe", 1, &b) == 0);
	CHECK(strncmp(b.data, "# Search the archive\n", 21) == 0);
	CHECK(strstr(b.data, "\xff") == NULL);
	buf_free(&b);
	fake_free(&f);
}

TEST(search_pages_past_fifty_results)
{
	struct fake_store f;
	struct buf b;
	char slug[120][16], date[120][16];
	size_t i, links;
	const char *s;

	fake_init(&f);
	for (i = 0; i < 120; i++) {
		snprintf(slug[i], sizeof(slug[i]), "p%03zu", i);
		snprintf(date[i], sizeof(date[i]), "2020-01-%02zu",
		    28 - i / 5);
		fake_post(&f, slug[i], date[i], "Same", "", "common words");
	}
	f.idx = search_build(&f.st);
	buf_init(&b);
	CHECK(gem_search(&f, "common words", 2, &b) == 0);
	for (links = 0, s = b.data; (s = strstr(s, "=> /posts/")) != NULL;
	    s++)
		links++;
	CHECK(links == 50);
	CHECK(strstr(b.data, "Page 2 of 3: 51 to 100.") != NULL);
	CHECK(strstr(b.data, "=> /posts/p050 ") != NULL);
	CHECK(strstr(b.data, "=> /search?common%20words Previous results\n")
	    != NULL);
	CHECK(strstr(b.data,
	    "=> /search/page/3?common%20words More results\n") != NULL);
	buf_reset(&b);
	CHECK(gem_search(&f, "common words", 9, &b) == 0);
	CHECK(strstr(b.data, "there is no page 9") != NULL);
	CHECK(strstr(b.data, "=> /search/page/3?common%20words Previous")
	    != NULL);
	buf_free(&b);
	fake_free(&f);
}

TEST(search_gopher_menu_has_whole_lines_and_an_end)
{
	struct fake_store f;
	struct buf b;
	const char *s, *e;
	int tabs;

	seed(&f);
	buf_init(&b);
	CHECK(goph_search(&f, "bloomfield", 1, &b) == 0);
	CHECK(strstr(b.data, "0" "2020-01-01 Lincoln Bloomfield speaks\t"
	    "/posts/titled\texample.org\t70\r\n") != NULL);
	CHECK(strstr(b.data, "7Search again\t/search\texample.org\t70\r\n")
	    != NULL);
	CHECK(b.len >= 3 && strcmp(b.data + b.len - 3, ".\r\n") == 0);
	/* Every line but the end is a menu line with three TABs. */
	for (s = b.data; *s != '\0' && strcmp(s, ".\r\n") != 0; s = e + 2) {
		e = strstr(s, "\r\n");
		CHECK(e != NULL);
		for (tabs = 0; s < e; s++)
			tabs += *s == '\t';
		CHECK(tabs == 3);
	}
	buf_reset(&b);
	CHECK(goph_search(&f, "", 1, &b) == 0);
	CHECK(strstr(b.data, "iType one or more words") != NULL);
	buf_free(&b);
	fake_free(&f);
}

TEST(search_index_of_an_empty_store_answers)
{
	struct fake_store f;
	char got[128];

	fake_init(&f);
	f.idx = search_build(&f.st);
	CHECK(f.idx != NULL);
	CHECK_STR(run(&f, "anything", got, sizeof(got)), "");
	fake_free(&f);
}

TEST(search_finds_seed_words_in_content)
{
	char dir[1024], got[2048];
	struct search_hit *hits;
	struct search_index *idx;
	struct store *st;
	const char *why;
	size_t n, i, o;

	snprintf(dir, sizeof(dir), "%s/content", test_root());
	CHECK((st = store_load(dir, NULL, NULL, NULL)) != NULL);
	CHECK((idx = search_build(st)) != NULL);
	CHECK(search_run(st, idx, "Bloomfield", &hits, &n, &why) == 0 && n > 0);
	CHECK(strstr(hits[0].post->title, "Former U.S. Ambassador") != NULL);
	free(hits);
	/* The seed names Trafalgar Square in one of its two London posts. */
	CHECK(search_run(st, idx, "trafalgar", &hits, &n, &why) == 0 && n == 1);
	CHECK_STR(hits[0].post->slug,
	    "london-rally-gains-widespread-media-attention");
	free(hits);
	/* Both London posts have both words in the title: they lead. */
	CHECK(search_run(st, idx, "London rally", &hits, &n, &why) == 0 && n >= 2);
	for (i = 0, o = 0; i < 2; i++)
		o += snprintf(got + o, sizeof(got) - o, "%s ",
		    hits[i].post->slug);
	CHECK_STR(got, "london-rally-gains-widespread-media-attention "
	    "maryam-rajavi-to-london-rally-iran-will-be-free ");
	free(hits);
	CHECK(search_run(st, idx, "Khamenei's", &hits, &n, &why) == 0 && n > 0);
	free(hits);
	CHECK(search_run(st, idx, "close_notify", &hits, &n, &why) == 0 &&
	    n == 0);
	search_free(idx);
	store_free(st);
}

/* A store whose words are spread so rankings tie and differ in every way. */
static void
many(struct fake_store *f, char slug[][16], char date[][16],
    char body[][256], size_t n)
{
	size_t i, j, o;
	unsigned seed = 7;

	fake_init(f);
	for (i = 0; i < n; i++) {
		snprintf(slug[i], 16, "p%03u", (unsigned)(i % 1000));
		snprintf(date[i], 16, "2020-%02u-%02u",
		    (unsigned)(12 - i / 28 % 12), (unsigned)(28 - i % 28));
		o = 0;
		for (j = 0; j < 12; j++)
			o += snprintf(body[i] + o, 256 - o, "%s ",
			    rand_r(&seed) % 3 == 0 ? "common" :
			    rand_r(&seed) % 2 ? "often" : "filler");
		fake_post(f, slug[i], date[i], rand_r(&seed) % 5 == 0 ?
		    "Common title" : "Plain title", rand_r(&seed) % 7 == 0 ?
		    "Common" : "", body[i]);
	}
	f->idx = search_build(&f->st);
}

TEST(search_top_pages_equal_the_fully_sorted_order)
{
	static char slug[FAKE_MAX_POSTS][16], date[FAKE_MAX_POSTS][16];
	static char body[FAKE_MAX_POSTS][256];
	static const char *queries[] = { "common", "often", "common often",
	    "title", "com" };
	static const size_t pers[] = { 1, 7, 50 };
	struct fake_store f;
	struct search_results res;
	struct search_hit *all;
	const char *why;
	size_t n, qi, pi, i;
	unsigned page;

	many(&f, slug, date, body, FAKE_MAX_POSTS);
	CHECK(f.idx != NULL);
	for (qi = 0; qi < sizeof(queries) / sizeof(queries[0]); qi++) {
		CHECK(search_run(&f.st, f.idx, queries[qi], &all, &n, &why) ==
		    0);
		CHECK(n > 10);
		for (pi = 0; pi < sizeof(pers) / sizeof(pers[0]); pi++) {
			for (page = 1; (size_t)(page - 1) * pers[pi] < n &&
			    page < 40; page++) {
				CHECK(search_query(&f.st, f.idx, queries[qi],
				    page, pers[pi], &res) == 0);
				CHECK(res.total == n);
				CHECK(res.from == (page - 1) * pers[pi]);
				for (i = 0; i < res.nhits; i++)
					CHECK(res.hits[i].post ==
					    all[res.from + i].post);
				CHECK(res.nhits == (n - res.from < pers[pi] ?
				    n - res.from : pers[pi]));
				search_results_free(&res);
			}
		}
		free(all);
	}
	fake_free(&f);
}

TEST(search_postings_survive_skips_over_long_lists)
{
	static char slug[FAKE_MAX_POSTS][16], date[FAKE_MAX_POSTS][16];
	static char body[FAKE_MAX_POSTS][256];
	struct fake_store f;
	struct search_hit *hits;
	const char *why;
	size_t n, i, want = 0;

	/* "common often" probes a list of about 200 postings, past skips. */
	many(&f, slug, date, body, FAKE_MAX_POSTS);
	for (i = 0; i < FAKE_MAX_POSTS; i++)
		want += strstr(body[i], "common") != NULL &&
		    strstr(body[i], "often") != NULL;
	CHECK(search_run(&f.st, f.idx, "often common", &hits, &n, &why) == 0);
	CHECK(n == want && want > 0);
	free(hits);
	fake_free(&f);
}

/* The slugs of every hit of q, in order, into out. */
static int
hits_of(const struct store *st, const struct search_index *idx,
    const char *q, char *out, size_t outsz)
{
	struct search_hit *hits;
	const char *why;
	size_t n, i, o = 0;

	out[0] = '\0';
	if (search_run(st, idx, q, &hits, &n, &why) != 0)
		return -1;
	for (i = 0; i < n && o < outsz; i++)
		o += snprintf(out + o, outsz - o, "%s/%lu ",
		    hits[i].post->slug, hits[i].count);
	free(hits);
	return (int)n;
}

TEST(search_index_saved_and_loaded_answers_the_same)
{
	static char slug[FAKE_MAX_POSTS][16], date[FAKE_MAX_POSTS][16];
	static char body[FAKE_MAX_POSTS][256];
	static const char *queries[] = { "common", "often common", "title",
	    "com", "filler often" };
	static char want[8192], got[8192];
	struct fake_store f;
	struct search_index *idx;
	const char *why;
	char *dir, path[1100];
	size_t i;

	many(&f, slug, date, body, FAKE_MAX_POSTS);
	CHECK(f.idx != NULL && (dir = tu_mkdir()) != NULL);
	snprintf(path, sizeof(path), "%s/index.search", dir);
	CHECK(search_load(path, &f.st, &why) == NULL && strstr(why, "none"));
	CHECK(search_save(f.idx, &f.st, path) == 0);
	CHECK((idx = search_load(path, &f.st, &why)) != NULL);
	CHECK(search_delta_posts(idx) == 0);
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		CHECK(hits_of(&f.st, f.idx, queries[i], want, sizeof(want)) >
		    0);
		CHECK(hits_of(&f.st, idx, queries[i], got, sizeof(got)) > 0);
		CHECK_STR(got, want);
	}
	CHECK(search_damaged(idx) == 0);
	search_free(idx);
	/* One file changed: that post alone is read again, into a delta. */
	f.posts[FAKE_MAX_POSTS / 2].id.mtime_ns++;
	CHECK((idx = search_load(path, &f.st, &why)) != NULL);
	CHECK(search_delta_posts(idx) == 1);
	for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		hits_of(&f.st, f.idx, queries[i], want, sizeof(want));
		hits_of(&f.st, idx, queries[i], got, sizeof(got));
		CHECK_STR(got, want);
	}
	search_free(idx);
	/* Another store (most files changed) does not take it. */
	for (i = 0; i < FAKE_MAX_POSTS; i += 2)
		f.posts[i].id.ino++;
	CHECK(search_load(path, &f.st, &why) == NULL);
	CHECK(why != NULL && strstr(why, "another store") != NULL);
	fake_free(&f);
	tu_rmdir(dir);
}

/* Files in dir, "." and ".." aside. */
static size_t
files_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	if (d != NULL)
		closedir(d);
	return n;
}

TEST(search_index_built_in_runs_answers_as_one_built_in_memory)
{
	static char slug[FAKE_MAX_POSTS][16], date[FAKE_MAX_POSTS][16];
	static char body[FAKE_MAX_POSTS][256];
	static const char *queries[] = { "common", "often common", "title",
	    "com", "filler often", "p017" };
	static const size_t chunks[] = { 1, 7, 64, 1000 };
	static char want[8192], got[8192];
	struct fake_store f;
	struct search_index *idx;
	const char *why;
	char *dir, path[1100];
	size_t i, c;

	many(&f, slug, date, body, FAKE_MAX_POSTS);
	CHECK(f.idx != NULL && (dir = tu_mkdir()) != NULL);
	snprintf(path, sizeof(path), "%s/index.search", dir);
	for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
		/* Runs of 1 to 1000 posts, merged: lists cross runs. */
		CHECK(search_build_runs(&f.st, path, chunks[c]) == 0);
		CHECK((idx = search_load(path, &f.st, &why)) != NULL);
		CHECK(search_delta_posts(idx) == 0);
		for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
			hits_of(&f.st, f.idx, queries[i], want, sizeof(want));
			hits_of(&f.st, idx, queries[i], got, sizeof(got));
			CHECK_STR(got, want);
		}
		CHECK(search_damaged(idx) == 0);
		search_free(idx);
	}
	/* Nothing is left beside it but the index. */
	CHECK(files_in(dir) == 1);
	fake_free(&f);
	tu_rmdir(dir);
}

TEST(search_index_saved_and_damaged_is_refused_or_answers_nothing_wrong)
{
	static char slug[FAKE_MAX_POSTS][16], date[FAKE_MAX_POSTS][16];
	static char body[FAKE_MAX_POSTS][256];
	static const char *queries[] = { "common", "often filler", "plain" };
	static char want[3][8192], out[8192];
	struct fake_store f;
	struct search_index *idx;
	const char *why;
	char *dir, path[1100], *data;
	size_t len, i, q, taken = 0, noticed = 0;
	FILE *fp;

	/* A smaller store: every byte of its file is flipped in turn. */
	many(&f, slug, date, body, 40);
	CHECK(f.idx != NULL && (dir = tu_mkdir()) != NULL);
	snprintf(path, sizeof(path), "%s/index.search", dir);
	CHECK(search_save(f.idx, &f.st, path) == 0);
	CHECK((data = tu_read(path, &len)) != NULL);
	for (q = 0; q < 3; q++)
		CHECK(hits_of(&f.st, f.idx, queries[q], want[q],
		    sizeof(want[q])) > 0);
	for (i = 0; i < len; i++) {
		data[i] ^= 0x41;
		CHECK((fp = fopen(path, "wb")) != NULL);
		CHECK(fwrite(data, 1, len, fp) == len);
		fclose(fp);
		/*
		 * Taken when the header holds: a list is checked when a query
		 * first reads it, and a damaged one answers nothing (never a
		 * wrong post); a damaged key only sends its post to the delta.
		 */
		if ((idx = search_load(path, &f.st, &why)) != NULL) {
			taken++;
			for (q = 0; q < 3; q++) {
				hits_of(&f.st, idx, queries[q], out,
				    sizeof(out));
				if (strcmp(out, want[q]) != 0)
					CHECK_STR(out, "");
			}
			noticed += search_damaged(idx) > 0;
			hits_of(&f.st, idx, "co", out, sizeof(out));
			search_free(idx);
		}
		data[i] ^= 0x41;
	}
	/* Cut short: refused. */
	CHECK((fp = fopen(path, "wb")) != NULL);
	CHECK(fwrite(data, 1, len - 1, fp) == len - 1);
	fclose(fp);
	CHECK(search_load(path, &f.st, &why) == NULL);
	CHECK(taken > 0 && noticed > 0);
	free(data);
	fake_free(&f);
	tu_rmdir(dir);
}

TEST(search_index_damaged_list_is_found_when_first_used)
{
	static char slug[FAKE_MAX_POSTS][16], date[FAKE_MAX_POSTS][16];
	static char body[FAKE_MAX_POSTS][256];
	static char want[8192], got[8192];
	struct fake_store f;
	struct search_index *idx;
	const char *why;
	char *dir, path[1100], *data;
	size_t len;
	FILE *fp;

	many(&f, slug, date, body, 60);
	CHECK(f.idx != NULL && (dir = tu_mkdir()) != NULL);
	snprintf(path, sizeof(path), "%s/index.search", dir);
	CHECK(search_save(f.idx, &f.st, path) == 0);
	CHECK((data = tu_read(path, &len)) != NULL && len > 200);
	/* The lists follow the 128-byte header; "common"'s comes first. */
	memset(data + 128, 0xff, 8);
	CHECK((fp = fopen(path, "wb")) != NULL);
	CHECK(fwrite(data, 1, len, fp) == len);
	fclose(fp);
	/* The start does not read the lists: it takes the file. */
	CHECK((idx = search_load(path, &f.st, &why)) != NULL);
	CHECK(search_damaged(idx) == 0);
	/* The first query of that word finds it damaged: no answer. */
	CHECK(hits_of(&f.st, idx, "common", got, sizeof(got)) == 0);
	CHECK(search_damaged(idx) == 1);
	CHECK(hits_of(&f.st, idx, "common often", got, sizeof(got)) == 0);
	CHECK(search_damaged(idx) == 1);
	/* Every other word answers as before. */
	CHECK(hits_of(&f.st, f.idx, "often filler", want, sizeof(want)) > 0);
	CHECK(hits_of(&f.st, idx, "often filler", got, sizeof(got)) > 0);
	CHECK_STR(got, want);
	/* An update from it leaves that list out too, never reads it. */
	search_free(f.idx);
	CHECK((f.idx = search_update(idx, &f.st)) != NULL);
	CHECK(hits_of(&f.st, f.idx, "common", got, sizeof(got)) == 0);
	search_free(idx);
	free(data);
	fake_free(&f);
	tu_rmdir(dir);
}

TEST(search_update_finds_an_edited_post_by_its_new_words_only)
{
	static char slug[FAKE_MAX_POSTS][16], date[FAKE_MAX_POSTS][16];
	static char body[FAKE_MAX_POSTS][256];
	static const char *queries[] = { "common", "often filler", "title",
	    "com", "zebra", "plain common", "fresh" };
	static char want[8192], got[8192];
	struct fake_store f;
	struct search_index *idx, *idx2, *fresh;
	struct post *edited, *added;
	size_t i, n = FAKE_MAX_POSTS - 8;
	int round;

	many(&f, slug, date, body, n);
	CHECK(f.idx != NULL);
	edited = f.pp[10];
	CHECK(hits_of(&f.st, f.idx, "zebra", got, sizeof(got)) == 0);
	CHECK(hits_of(&f.st, f.idx, "common", want, sizeof(want)) > 0);
	idx = f.idx;
	for (round = 0; round < 2; round++) {
		/* An edit: new words, and a new file identity. */
		edited->body = round == 0 ? "A zebra in the garden." :
		    "A zebra and fresh paint.";
		edited->body_len = strlen(edited->body);
		edited->id.mtime_ns++;
		/* A post removed, and a new one between two others. */
		memmove(&f.pp[20], &f.pp[21], (f.st.nposts - 21) *
		    sizeof(*f.pp));
		/* (its struct in a slot no post uses) */
		f.st.nposts = n + (size_t)round;
		added = fake_post(&f, round == 0 ? "new1" : "new2",
		    date[5], "Fresh zebra", "", "common zebra news");
		f.st.nposts = n;
		memmove(&f.pp[6], &f.pp[5], (f.st.nposts - 6) *
		    sizeof(*f.pp));
		f.pp[5] = added;
		for (i = 0; i < f.st.nposts; i++)
			f.pp[i]->index = i;
		CHECK((idx2 = search_update(idx, &f.st)) != NULL);
		CHECK(search_delta_posts(idx2) == (size_t)(2 + round));
		CHECK((fresh = search_build(&f.st)) != NULL);
		for (i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
			hits_of(&f.st, fresh, queries[i], want, sizeof(want));
			hits_of(&f.st, idx2, queries[i], got, sizeof(got));
			CHECK_STR(got, want);
		}
		/* Found by its new words, not by its old ones. */
		CHECK(strstr(got, "p010") != NULL || round == 0);
		hits_of(&f.st, idx2, "zebra", got, sizeof(got));
		CHECK(strstr(got, "p010/") != NULL);
		hits_of(&f.st, idx2, "often", got, sizeof(got));
		CHECK(strstr(got, "p010/") == NULL);
		hits_of(&f.st, idx2, "p020", got, sizeof(got));
		search_free(fresh);
		if (idx != f.idx)
			search_free(idx);
		idx = idx2;
	}
	search_free(idx);
	fake_free(&f);
}

TEST(search_last_word_finds_the_words_it_begins)
{
	struct fake_store f;
	char got[512];

	seed(&f);
	CHECK_STR(run(&f, "bloomf", got, sizeof(got)),
	    "titled tagged counted once");
	CHECK_STR(run(&f, "Bloo", got, sizeof(got)),
	    "titled tagged counted once");
	/* Only the last word is a prefix, and only from three bytes. */
	CHECK_STR(run(&f, "bloo alpha", got, sizeof(got)), "");
	CHECK_STR(run(&f, "al", got, sizeof(got)), "");
	CHECK_STR(run(&f, "rain kha", got, sizeof(got)), "newest");
	fake_free(&f);
}

TEST(search_trims_white_space_around_a_query)
{
	struct fake_store f;
	struct search_results res;
	char got[512];

	seed(&f);
	CHECK_STR(run(&f, "  bloomfield\n", got, sizeof(got)),
	    "titled tagged counted once");
	CHECK_STR(run(&f, "\talpha beta \r\n", got, sizeof(got)),
	    "counted once");
	CHECK(search_blank("   ") && search_blank("\n") && search_blank(NULL));
	CHECK(!search_blank(" a "));
	CHECK(search_query(&f.st, f.idx, " alpha \n", 1, 50, &res) == 0);
	CHECK(res.why == NULL);
	CHECK_STR(res.query, "alpha");
	CHECK_STR(res.enc, "alpha");
	search_results_free(&res);
	CHECK(search_query(&f.st, f.idx, "   ", 1, 50, &res) == 0);
	CHECK(res.why != NULL && strstr(res.why, "Type one or more") != NULL);
	fake_free(&f);
}

/* The excerpt of the first hit of q in f. */
static const char *
excerpt(struct fake_store *f, const char *q, char *out, size_t outsz)
{
	struct search_results res;

	out[0] = '\0';
	if (search_query(&f->st, f->idx, q, 1, 50, &res) != 0 ||
	    res.nhits == 0)
		return "no hit";
	search_excerpt(&f->st, &res.q, &res.hits[0], out, outsz);
	search_results_free(&res);
	return out;
}

TEST(search_excerpts_carry_no_gemtext_markup)
{
	struct fake_store f;
	char got[SEARCH_SNIPPET_MAX + 1];

	fake_init(&f);
	fake_post(&f, "marked", "2020-01-01", "Marked", "",
	    "## Khamenei\u2019s fears\n\nThe fears grew.\n"
	    "> A quoted zebra line.\n* A listed yak item.\n"
	    "=> gemini://example.org/ The linked gnu label\n"
	    "```\nnothing\n```\n### Deep okapi heading\n");
	f.idx = search_build(&f.st);
	CHECK_STR(excerpt(&f, "fears", got, sizeof(got)),
	    "Khamenei\u2019s fears \u2014 The fears grew. A quoted zebra line. "
	    "A listed yak item. The linked gnu label nothing Deep okapi "
	    "heading");
	CHECK_STR(excerpt(&f, "zebra", got, sizeof(got)),
	    "A quoted zebra line. A listed yak item. The linked gnu label "
	    "nothing Deep okapi heading");
	CHECK_STR(excerpt(&f, "okapi", got, sizeof(got)),
	    "Deep okapi heading");
	CHECK(strstr(excerpt(&f, "gnu", got, sizeof(got)), "=>") == NULL);
	CHECK(strstr(got, "gemini://") == NULL);
	fake_free(&f);
}

TEST(search_excerpt_says_when_a_post_matched_through_a_tag)
{
	struct fake_store f;
	char got[SEARCH_SNIPPET_MAX + 1];

	seed(&f);
	/* "tagged" has Bloomfield only as a tag. */
	CHECK_STR(excerpt(&f, "another bloomfield", got, sizeof(got)),
	    "Tagged Bloomfield: Nothing about him here, only alpha.");
	/* One word in the body, one only in a tag: the hint, then the body. */
	CHECK_STR(excerpt(&f, "bloomfield nothing", got, sizeof(got)),
	    "Tagged Bloomfield: Nothing about him here, only alpha.");
	/* Found in the body or the title: no hint. */
	CHECK_STR(excerpt(&f, "rain", got, sizeof(got)),
	    "Rain today. The fears of Khamenei\u2019s men were noted.");
	CHECK_STR(excerpt(&f, "lincoln", got, sizeof(got)), "He spoke once.");
	fake_free(&f);
}

TEST(search_excerpt_neither_starts_nor_stops_inside_a_quotation)
{
	struct fake_store f;
	struct buf body;
	char got[SEARCH_SNIPPET_MAX + 1];
	size_t i, len;

	fake_init(&f);
	buf_init(&body);
	for (i = 0; i < 10; i++)
		buf_puts(&body, "Some plain words come first here. ");
	buf_puts(&body, "She said \u201cthe walrus was here and then it "
	    "left\u201d and went home. ");
	for (i = 0; i < 10; i++)
		buf_puts(&body, "More plain words follow after that. ");
	fake_post(&f, "q", "2020-01-01", "T", "", body.data);
	f.idx = search_build(&f.st);
	excerpt(&f, "walrus", got, sizeof(got));
	/* It starts at the sentence, whose quotation is then whole. */
	CHECK(strncmp(got, "\u2026She said \u201cthe walrus", 22) == 0);
	len = strlen(got);
	CHECK(len <= SEARCH_SNIPPET_MAX);
	CHECK(strcmp(got + len - 3, "\u2026") == 0);
	buf_reset(&body);
	/* A long quotation the cut would land in: it stops before it. */
	buf_puts(&body, "The walrus spoke at length about many things and "
	    "then said: \u201c");
	for (i = 0; i < 20; i++)
		buf_puts(&body, "words and more words ");
	buf_puts(&body, "\u201d. The end.");
	fake_free(&f);
	fake_init(&f);
	fake_post(&f, "q", "2020-01-01", "T", "", body.data);
	f.idx = search_build(&f.st);
	excerpt(&f, "walrus", got, sizeof(got));
	CHECK_STR(got, "The walrus spoke at length about many things and "
	    "then said:\u2026");
	buf_free(&body);
	fake_free(&f);
}

TEST(page_get_answers_44_while_the_search_index_is_built)
{
	char dir[1024];
	struct snapshot *sn;
	struct store *st;
	struct page pg;

	snprintf(dir, sizeof(dir), "%s/content", test_root());
	CHECK((st = store_load(dir, NULL, NULL, NULL)) != NULL);
	/* A snapshot without its index yet, as a swap publishes it. */
	CHECK((sn = snapshot_new(st, 0)) != NULL && sn->search == NULL);
	CHECK(page_get(sn, PROTO_GEMINI, "/search", 7, "london", &pg) == 0);
	CHECK(pg.status == 44);
	CHECK_STR(pg.meta, "5");
	page_release(&pg);
	CHECK(page_get(sn, PROTO_GOPHER, "/search", 7, "london", &pg) == 0);
	CHECK(pg.status == 44 && pg.len > 0);
	CHECK(strstr(pg.body, "iThe search index is still being built") !=
	    NULL);
	CHECK(strcmp(pg.body + pg.len - 3, ".\r\n") == 0);
	page_release(&pg);
	/* A blank query still gets the prompt; other pages serve. */
	CHECK(page_get(sn, PROTO_GEMINI, "/search", 7, "  ", &pg) == 0);
	CHECK(pg.status == 10);
	page_release(&pg);
	CHECK(page_get(sn, PROTO_GEMINI, "/", 1, NULL, &pg) == 0);
	CHECK(pg.status == 20);
	page_release(&pg);
	snapshot_unref(sn);
}
