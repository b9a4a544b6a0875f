/*
 * scan_test.c: a full scan read on several threads, and an update that
 * merges the posts it read into the order of the ones it kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"
#include "test.h"
#include "testutil.h"

#define SCAN_POSTS	300	/* several chunks of names for each reader */

#define POST(title, date, tags, body) \
	"Title: " title "\nDate: " date "\nTags: " tags "\n\n" body "\n"

static struct store *
scan_update(const struct store *prev, const char *dir,
    const char *const *names, size_t n, struct tu_reports *r)
{
	struct site site = { "example.org", 1965, 7070, 0 };

	memset(r, 0, sizeof(*r));
	return store_update(prev, dir, &site, names, n, STORE_KEEP_TEXT,
	    tu_report, r);
}

/* How many reports contain needle. */
static int
scan_count(const struct tu_reports *r, const char *needle)
{
	int i, n = 0;

	for (i = 0; i < r->n; i++)
		n += strstr(r->text[i], needle) != NULL;
	return n;
}

/* 1 when the store's posts are newest first, the slug breaking ties. */
static int
scan_sorted(const struct store *st)
{
	size_t i;
	int c;

	for (i = 0; i < st->nposts; i++) {
		if (st->posts[i]->index != i)
			return 0;
		if (i == 0)
			continue;
		c = strcmp(st->posts[i - 1]->date, st->posts[i]->date);
		if (c < 0 || (c == 0 && strcmp(st->posts[i - 1]->slug,
		    st->posts[i]->slug) >= 0))
			return 0;
	}
	return 1;
}

/* dir with SCAN_POSTS posts p000..., their dates spread over 2020. */
static int
scan_fill(const char *dir)
{
	char name[32], text[256];
	int i;

	for (i = 0; i < SCAN_POSTS; i++) {
		snprintf(name, sizeof(name), "p%03d.txt", i);
		snprintf(text, sizeof(text), "Title: Post %d\nDate: "
		    "2020-%02d-%02d\nTags: all, t%d\n\nBody %d.\n", i,
		    1 + i % 12, 1 + i % 28, i % 7, i);
		if (tu_write(dir, name, text, (size_t)-1) == -1)
			return -1;
	}
	return 0;
}

TEST(store_scan_on_threads_reports_each_bad_file_once_with_its_line)
{
	struct tu_reports r;
	struct store *st;
	char *dir, want[1200];

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(scan_fill(dir) == 0);
	CHECK(tu_write(dir, "bad-date.txt", "Title: X\nDate: 2020-13-01\n\n"
	    "Body.\n", (size_t)-1) == 0);
	CHECK(tu_write(dir, "bad-utf8.txt", "Title: Y\nDate: 2020-01-01\n\n"
	    "One.\nTwo \xff.\n", (size_t)-1) == 0);
	CHECK(tu_write(dir, "Bad-Name.txt", POST("Z", "2020-01-01", "a",
	    "Z."), (size_t)-1) == 0);
	CHECK((st = scan_update(NULL, dir, NULL, 0, &r)) != NULL);
	CHECK(st->nposts == SCAN_POSTS);
	CHECK(st->nread == SCAN_POSTS + 3);
	CHECK(st->nproblems == 3 && st->nbad == 3);
	CHECK(r.n == 3);
	snprintf(want, sizeof(want), "%s/bad-date.txt:2: Date must be", dir);
	CHECK(scan_count(&r, want) == 1);
	snprintf(want, sizeof(want), "%s/bad-utf8.txt:5: invalid UTF-8", dir);
	CHECK(scan_count(&r, want) == 1);
	snprintf(want, sizeof(want), "%s/Bad-Name.txt:0: file name", dir);
	CHECK(scan_count(&r, want) == 1);
	CHECK(scan_sorted(st));
	CHECK(store_find_tag(st, "all")->nposts == SCAN_POSTS);
	CHECK(store_find_tag(st, "t3")->nposts == SCAN_POSTS / 7 +
	    (SCAN_POSTS % 7 > 3));
	CHECK_STR(store_find_post(st, "p123")->title, "Post 123");
	store_free(st);
	tu_rmdir(dir);
}

/*
 * Readers meet a tag's spellings each on their own: the tag is still
 * written as its newest post writes it, and a post that spells it two
 * ways counts once.
 */
TEST(store_scan_on_threads_names_a_tag_as_its_newest_post_does)
{
	struct tu_reports r;
	struct store *st;
	const struct tag *t;
	char *dir, name[32], text[256];
	size_t i;

	CHECK((dir = tu_mkdir()) != NULL);
	for (i = 0; i < SCAN_POSTS; i++) {
		snprintf(name, sizeof(name), "p%03zu.txt", i);
		snprintf(text, sizeof(text), POST("Post %zu", "2020-%02zu-%02zu",
		    "%s", "Body."), i, 1 + i % 12, 1 + i % 28,
		    i % 3 == 0 ? "news" : i % 3 == 1 ? "News" : "News, news");
		CHECK(tu_write(dir, name, text, (size_t)-1) == 0);
	}
	CHECK(tu_write(dir, "newest.txt", POST("Newest", "2021-01-01",
	    "NeWs, other", "N."), (size_t)-1) == 0);
	CHECK((st = scan_update(NULL, dir, NULL, 0, &r)) != NULL);
	CHECK(st->nposts == SCAN_POSTS + 1);
	CHECK(st->ntags == 2);
	CHECK((t = store_find_tag(st, "news")) != NULL);
	CHECK_STR(t->name, "NeWs");
	CHECK(t->nposts == SCAN_POSTS + 1);
	CHECK(t->posts[0] == st->posts[0]);
	for (i = 0; i < st->nposts; i++) {
		CHECK(st->posts[i]->ntags >= 1 && st->posts[i]->tagp[0] == t);
		CHECK(i == 0 ? st->posts[i]->ntags == 2 :
		    st->posts[i]->ntags == 1);
	}
	for (i = 0; i < t->nposts; i++)
		CHECK(t->posts[i] == st->posts[i]);
	store_free(st);
	tu_rmdir(dir);
}

TEST(store_update_moves_a_post_whose_date_changed)
{
	struct tu_reports r;
	struct store *st, *next;
	const char *names[] = { "p010.txt", "p020.txt", "p030.txt" };
	const struct store_month *m;
	char *dir, path[1100];

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(scan_fill(dir) == 0);
	CHECK((st = scan_update(NULL, dir, NULL, 0, &r)) != NULL);
	/* p010 to the newest, p020 to the oldest, p030 gone. */
	CHECK(tu_write(dir, "p010.txt", POST("Ten", "2021-06-01", "all, t3",
	    "Ten."), (size_t)-1) == 0);
	CHECK(tu_write(dir, "p020.txt", POST("Twenty", "2019-01-01",
	    "all, t6", "Twenty."), (size_t)-1) == 0);
	snprintf(path, sizeof(path), "%s/p030.txt", dir);
	CHECK(unlink(path) == 0);
	CHECK((next = scan_update(st, dir, names, 3, &r)) != NULL);
	CHECK(next->nread == 2);
	CHECK(next->nposts == SCAN_POSTS - 1);
	CHECK(scan_sorted(next));
	CHECK_STR(next->posts[0]->slug, "p010");
	CHECK_STR(next->posts[next->nposts - 1]->slug, "p020");
	CHECK(store_find_post(next, "p030") == NULL);
	CHECK(store_older(next, next->posts[0]) == next->posts[1]);
	/* The date archives follow: a year and a month each more. */
	CHECK(next->nyears == 3 && next->years[0].year == 2021 &&
	    next->years[2].year == 2019);
	CHECK((m = store_find_month(next, 2021, 6)) != NULL && m->nposts == 1 &&
	    m->first == 0);
	CHECK((m = store_find_month(next, 2019, 1)) != NULL && m->nposts == 1 &&
	    m->first == next->nposts - 1);
	CHECK(store_find_tag(next, "all")->nposts == SCAN_POSTS - 1);
	CHECK(store_find_tag(next, "all")->posts[0] == next->posts[0]);
	/* The old store still has its own order. */
	CHECK(scan_sorted(st));
	CHECK(store_find_post(st, "p030") != NULL);
	store_free(st);
	store_free(next);
	tu_rmdir(dir);
}

TEST(store_update_drops_a_tag_that_lost_its_last_post)
{
	struct tu_reports r;
	struct store *st, *next;
	const char *names[] = { "solo.txt", "new.txt" };
	char *dir;

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(scan_fill(dir) == 0);
	CHECK(tu_write(dir, "solo.txt", POST("Solo", "2020-05-05",
	    "all, lonely", "Solo."), (size_t)-1) == 0);
	CHECK((st = scan_update(NULL, dir, NULL, 0, &r)) != NULL);
	CHECK(store_find_tag(st, "lonely") != NULL);
	/* The tag leaves its only post; another post brings a new one. */
	CHECK(tu_write(dir, "solo.txt", POST("Solo", "2020-05-05", "all",
	    "Solo."), (size_t)-1) == 0);
	CHECK(tu_write(dir, "new.txt", POST("New", "2020-05-06", "Fresh",
	    "New."), (size_t)-1) == 0);
	CHECK((next = scan_update(st, dir, names, 2, &r)) != NULL);
	CHECK(store_find_tag(next, "lonely") == NULL);
	CHECK(next->ntags == st->ntags);
	CHECK(store_find_tag(next, "fresh") != NULL);
	CHECK(store_find_tag(next, "fresh")->nposts == 1);
	CHECK(store_find_tag(next, "all")->nposts == SCAN_POSTS + 1);
	CHECK(store_find_tag(st, "lonely") != NULL);
	store_free(st);
	store_free(next);
	tu_rmdir(dir);
}

/* 1 when a and b hold the same posts, tags and months, in the same order. */
static int
scan_same(const struct store *a, const struct store *b)
{
	size_t i, j;

	if (a->nposts != b->nposts || a->ntags != b->ntags ||
	    a->nmonths != b->nmonths || a->nyears != b->nyears)
		return 0;
	for (i = 0; i < a->nposts; i++)
		if (strcmp(a->posts[i]->slug, b->posts[i]->slug) != 0 ||
		    strcmp(a->posts[i]->title, b->posts[i]->title) != 0 ||
		    store_find_post(b, a->posts[i]->slug) != b->posts[i])
			return 0;
	for (i = 0; i < a->ntags; i++) {
		if (strcmp(a->tags[i]->slug, b->tags[i]->slug) != 0 ||
		    a->tags[i]->nposts != b->tags[i]->nposts ||
		    store_find_tag(b, a->tags[i]->slug) != b->tags[i])
			return 0;
		for (j = 0; j < a->tags[i]->nposts; j++)
			if (strcmp(a->tags[i]->posts[j]->slug,
			    b->tags[i]->posts[j]->slug) != 0)
				return 0;
	}
	for (i = 0; i < a->nmonths; i++)
		if (a->months[i].year != b->months[i].year ||
		    a->months[i].month != b->months[i].month ||
		    a->months[i].first != b->months[i].first ||
		    a->months[i].nposts != b->months[i].nposts)
			return 0;
	return 1;
}

TEST(store_updates_in_a_row_match_a_fresh_load)
{
	struct tu_reports r;
	struct store *st, *next, *fresh;
	char *dir, name[32], text[256], path[1100];
	const char *names[8];
	char namebuf[8][32];
	unsigned seed = 19;
	int round, k, x;

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(scan_fill(dir) == 0);
	CHECK((st = scan_update(NULL, dir, NULL, 0, &r)) != NULL);
	for (round = 0; round < 40; round++) {
		/* A few posts edited (new dates, new tags), added or removed. */
		for (k = 0; k < 8; k++) {
			seed = seed * 1103515245 + 12345;
			x = (int)((seed >> 8) % (SCAN_POSTS + 40));
			snprintf(name, sizeof(name), "p%03d.txt", x);
			snprintf(namebuf[k], sizeof(namebuf[k]), "%s", name);
			names[k] = namebuf[k];
			if ((seed >> 4) % 5 == 0) {
				snprintf(path, sizeof(path), "%s/%s", dir,
				    name);
				unlink(path);
				continue;
			}
			snprintf(text, sizeof(text), "Title: Round %d\nDate: "
			    "20%02u-%02u-%02u\nTags: all, r%u\n\nBody.\n",
			    round, 15 + (seed >> 12) % 10,
			    1 + (seed >> 16) % 12, 1 + (seed >> 20) % 28,
			    (seed >> 24) % 9);
			CHECK(tu_write(dir, name, text, (size_t)-1) == 0);
		}
		CHECK((next = scan_update(st, dir, names, 8, &r)) != NULL);
		store_free(st);
		st = next;
		CHECK(scan_sorted(st));
		CHECK((fresh = scan_update(NULL, dir, NULL, 0, &r)) != NULL);
		k = scan_same(fresh, st);
		store_free(fresh);
		CHECK(k);
	}
	CHECK(store_find_post(st, "p999") == NULL);
	store_free(st);
	tu_rmdir(dir);
}

TEST(store_update_with_the_same_tags_keeps_their_slugs_and_problems)
{
	struct tu_reports r;
	struct store *st, *next;
	const char *names[] = { "p005.txt" };
	char *dir;

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(scan_fill(dir) == 0);
	CHECK(tu_write(dir, "c1.txt", POST("C", "2020-02-02", "C", "C."),
	    (size_t)-1) == 0);
	CHECK(tu_write(dir, "c2.txt", POST("C++", "2020-02-03", "C++",
	    "C++."), (size_t)-1) == 0);
	CHECK((st = scan_update(NULL, dir, NULL, 0, &r)) != NULL);
	CHECK(st->nproblems == 1 && r.n == 1);
	CHECK(strstr(r.text[0], "share the slug \"c\"") != NULL);
	/* An edit that leaves every tag as it was. */
	CHECK(tu_write(dir, "p005.txt", POST("Five", "2021-01-01", "all, t5",
	    "Five."), (size_t)-1) == 0);
	CHECK((next = scan_update(st, dir, names, 1, &r)) != NULL);
	CHECK(next->nproblems == 1 && r.n == 0);
	CHECK(next->ntags == st->ntags);
	CHECK(store_find_tag(next, "c") != NULL &&
	    strcmp(store_find_tag(next, "c")->name, "C") == 0);
	CHECK(store_find_tag(next, "t5")->posts[0] == next->posts[0]);
	CHECK(strcmp(next->tags_by_slug[0]->slug, "all") == 0);
	CHECK(scan_sorted(next));
	store_free(st);
	st = next;
	/* Then one that brings a tag: the full build, the same answer. */
	CHECK(tu_write(dir, "p005.txt", POST("Five", "2021-01-01", "all, New",
	    "Five."), (size_t)-1) == 0);
	CHECK((next = scan_update(st, dir, names, 1, &r)) != NULL);
	CHECK(next->nproblems == 1 && r.n == 0);
	CHECK(next->ntags == st->ntags + 1);
	CHECK(store_find_tag(next, "new")->nposts == 1);
	store_free(st);
	store_free(next);
	tu_rmdir(dir);
}
