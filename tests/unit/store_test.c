/* store_test.c: loading the store, its indexes, tag slugs and references. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "page.h"
#include "store.h"
#include "test.h"
#include "testutil.h"

static struct store *
load_content(struct tu_reports *r)
{
	char dir[1024];

	snprintf(dir, sizeof(dir), "%s/content", test_root());
	return tu_load(dir, r);
}

static const struct tag *
tag_named(const struct store *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->ntags; i++)
		if (strcmp(st->tags[i]->name, name) == 0)
			return st->tags[i];
	return NULL;
}

static int
post_has_tag(const struct post *p, const struct tag *t)
{
	size_t i;

	for (i = 0; i < p->ntags; i++)
		if (p->tagp[i] == t)
			return 1;
	return 0;
}

TEST(store_loads_content_with_ten_posts_and_24_tags)
{
	struct tu_reports r;
	struct store *st;

	CHECK((st = load_content(&r)) != NULL);
	if (r.n > 0)
		printf("    first report: %s\n", r.text[0]);
	CHECK(r.n == 0);
	CHECK(st->nproblems == 0);
	CHECK(st->nposts == 10);
	CHECK(st->ntags == 24);
	CHECK_STR(st->settings.title, "MEK Support: a tag archive");
	CHECK_STR(st->settings.lang, "en");
	CHECK_STR(st->site.host, "example.org");
	CHECK(st->site.gopher_port == 7070);
	store_free(st);
}

TEST(store_orders_posts_newest_first_by_date)
{
	struct store *st;
	size_t i;

	CHECK((st = load_content(NULL)) != NULL);
	CHECK(st->nposts == 10);
	CHECK_STR(st->posts[0]->slug, "iran-school-opening-stoke-uprising");
	CHECK_STR(st->posts[0]->date, "2019-09-23");
	CHECK_STR(st->posts[9]->slug,
	    "maryam-rajavi-to-london-rally-iran-will-be-free");
	for (i = 0; i < st->nposts; i++) {
		CHECK(st->posts[i]->index == i);
		if (i > 0)
			CHECK(strcmp(st->posts[i - 1]->date,
			    st->posts[i]->date) >= 0);
	}
	store_free(st);
}

TEST(store_lists_each_tags_posts_newest_first)
{
	struct store *st;
	const struct tag *t;
	size_t i, j, n;

	CHECK((st = load_content(NULL)) != NULL);
	for (i = 0; i < st->ntags; i++) {
		t = st->tags[i];
		CHECK(t->index == i);
		CHECK(t->nposts > 0);
		for (j = 0; j < t->nposts; j++) {
			CHECK(post_has_tag(t->posts[j], t));
			if (j > 0)
				CHECK(t->posts[j - 1]->index <
				    t->posts[j]->index);
		}
		/* And every post that carries the tag is listed. */
		for (j = 0, n = 0; j < st->nposts; j++)
			n += post_has_tag(st->posts[j], t);
		CHECK(n == t->nposts);
	}
	CHECK((t = tag_named(st, "MEK Support")) != NULL);
	CHECK(t->nposts == 10);
	CHECK((t = tag_named(st, "Maryam Rajavi")) != NULL);
	CHECK(t->nposts == 8);
	CHECK((t = tag_named(st, "1988 Massacre")) != NULL);
	CHECK(t->nposts == 1);
	store_free(st);
}

TEST(store_sorts_tags_by_name_ignoring_case)
{
	struct store *st;
	size_t i;

	CHECK((st = load_content(NULL)) != NULL);
	for (i = 1; i < st->ntags; i++)
		CHECK(strcasecmp(st->tags[i - 1]->name, st->tags[i]->name) <
		    0);
	CHECK_STR(st->tags[0]->name, "1988 Massacre");
	CHECK_STR(st->tags[st->ntags - 1]->name, "PMOI");
	for (i = 1; i < st->ntags; i++)
		CHECK(strcmp(st->tags_by_slug[i - 1]->slug,
		    st->tags_by_slug[i]->slug) < 0);
	store_free(st);
}

TEST(store_tag_slug_folds_names_to_lowercase_and_hyphens)
{
	static const struct {
		const char	*name, *slug;
	} cases[] = {
		{ "National Council of Resistance of Iran (NCRI)",
		    "national-council-of-resistance-of-iran-ncri" },
		{ "People's Mojahedin organization of Iran",
		    "peoples-mojahedin-organization-of-iran" },
		{ "People\xe2\x80\x99s Mojahedin",
		    "peoples-mojahedin" },
		{ "MEK Support", "mek-support" },
		{ "Mujahedin-e Khalq", "mujahedin-e-khalq" },
		{ "IRGC BlackListing", "irgc-blacklisting" },
		{ "1988 Massacre", "1988-massacre" },
		{ "Ashraf 3", "ashraf-3" },
		{ "  a -- b  ", "a-b" },
		{ "C++", "c" },
		{ "", "tag" },
	};
	char out[160];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		store_tag_slug(cases[i].name, out, sizeof(out));
		CHECK_STR(out, cases[i].slug);
	}
	/* A small buffer cuts the slug and still ends it. */
	store_tag_slug("abcdef", out, 4);
	CHECK_STR(out, "abc");
}

TEST(store_content_tag_slugs_match_their_names)
{
	struct store *st;
	const struct tag *t;

	CHECK((st = load_content(NULL)) != NULL);
	CHECK((t = tag_named(st,
	    "National Council of Resistance of Iran (NCRI)")) != NULL);
	CHECK_STR(t->slug, "national-council-of-resistance-of-iran-ncri");
	CHECK((t = tag_named(st, "People's Mojahedin organization of Iran")) !=
	    NULL);
	CHECK_STR(t->slug, "peoples-mojahedin-organization-of-iran");
	CHECK(store_find_tag(st, "peoples-mojahedin-organization-of-iran") ==
	    t);
	store_free(st);
}

TEST(store_find_post_and_find_tag_by_slug)
{
	struct store *st;
	struct post *p;
	struct tag *t;
	size_t i;

	CHECK((st = load_content(NULL)) != NULL);
	CHECK((p = store_find_post(st, "iran-school-opening-stoke-uprising")) !=
	    NULL);
	CHECK_STR(p->title, "Iran: School Opening Stoke Uprising");
	CHECK(store_find_post(st, "no-such-post") == NULL);
	CHECK(store_find_post(st, "") == NULL);
	CHECK(store_find_post(st, "Iran-School-Opening-Stoke-Uprising") ==
	    NULL);
	CHECK((t = store_find_tag(st, "mek")) != NULL);
	CHECK_STR(t->name, "MEK");
	CHECK(store_find_tag(st, "MEK") == NULL);
	CHECK(store_find_tag(st, "no-such-tag") == NULL);
	/* Every post and tag is found under its own slug. */
	for (i = 0; i < st->nposts; i++)
		CHECK(store_find_post(st, st->posts[i]->slug) == st->posts[i]);
	for (i = 0; i < st->ntags; i++)
		CHECK(store_find_tag(st, st->tags[i]->slug) == st->tags[i]);
	store_free(st);
}

/* A post keeps no path; the one built from the directory and slug is its file's. */
TEST(store_post_path_is_the_directory_and_the_slug)
{
	struct store *st;
	struct post *p;
	struct post_text t;
	char dir[1024], want[1200], path[1200], small[8];

	snprintf(dir, sizeof(dir), "%s/content", test_root());
	snprintf(want, sizeof(want), "%s/iran-school-opening-stoke-uprising.txt",
	    dir);
	CHECK((st = load_content(NULL)) != NULL);
	CHECK((p = store_find_post(st, "iran-school-opening-stoke-uprising")) !=
	    NULL);
	CHECK(store_post_path(st, p, path, sizeof(path)) == path);
	CHECK_STR(path, want);
	CHECK(store_post_path(st, p, small, sizeof(small)) == NULL);
	/* The body is read from that file. */
	CHECK(store_post_text(st, p, &t) == 0);
	CHECK(t.body_len > 0 && strstr(t.body, "school") != NULL);
	store_post_text_free(&t);
	store_free(st);
}

TEST(store_newer_and_older_walk_the_date_order)
{
	struct store *st;
	size_t i;

	CHECK((st = load_content(NULL)) != NULL);
	CHECK(store_newer(st, st->posts[0]) == NULL);
	CHECK(store_older(st, st->posts[st->nposts - 1]) == NULL);
	for (i = 1; i < st->nposts; i++) {
		CHECK(store_older(st, st->posts[i - 1]) == st->posts[i]);
		CHECK(store_newer(st, st->posts[i]) == st->posts[i - 1]);
	}
	store_free(st);
}

TEST(store_reports_bad_post_with_path_and_line_and_loads_the_rest)
{
	struct tu_reports r;
	struct store *st;
	char *dir, want[1100];
	const char *rep;

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "good-one.txt",
	    "Title: One\nDate: 2020-01-01\nTags: x\n\nBody one.\n", -1) == 0);
	CHECK(tu_write(dir, "bad-date.txt",
	    "Title: Bad\nDate: 2019-02-30\nTags: x\n\nBody.\n", -1) == 0);
	CHECK(tu_write(dir, "good-two.txt",
	    "Title: Two\nDate: 2020-01-02\nTags: x\n\nBody two.\n", -1) == 0);
	CHECK((st = tu_load(dir, &r)) != NULL);
	CHECK(st->nposts == 2);
	CHECK(st->nproblems == 1);
	CHECK(r.n == 1);
	snprintf(want, sizeof(want), "%s/bad-date.txt:2: ", dir);
	CHECK((rep = tu_reports_find(&r, want)) != NULL);
	CHECK(strstr(rep, "2019-02-30") != NULL);
	CHECK(r.lines[0] == 2);
	CHECK(store_find_post(st, "bad-date") == NULL);
	CHECK_STR(st->posts[0]->slug, "good-two");
	CHECK(st->ntags == 1);
	CHECK(st->tags[0]->nposts == 2);
	store_free(st);
	tu_rmdir(dir);
}

#define NUL_TEXT "Title: T\nDate: 2020-01-01\n\nx\0y\n"

TEST(store_reports_every_kind_of_bad_file_on_its_line)
{
	static const struct {
		const char	*name, *text;
		size_t		 len;
		int		 line;
		const char	*msg;
	} bad[] = {
		{ "no-title.txt", "Date: 2020-01-01\n\nx\n", 0, 1,
		    "missing Title" },
		{ "no-date.txt", "Title: T\n\nx\n", 0, 1, "missing Date" },
		{ "unknown-key.txt", "Title: T\nDate: 2020-01-01\nColour: red"
		    "\n\nx\n", 0, 3, "unknown header" },
		{ "twice.txt", "Title: T\nTitle: U\nDate: 2020-01-01\n\n", 0,
		    2, "repeated Title" },
		{ "no-blank.txt", "Title: T\nDate: 2020-01-01\nbody\n", 0, 3,
		    "blank line" },
		{ "bad-utf8.txt", "Title: T\nDate: 2020-01-01\n\na\nb\n\xc3(\n",
		    0, 6, "UTF-8" },
		{ "nul.txt", NUL_TEXT, sizeof(NUL_TEXT) - 1, 4, "NUL" },
	};
	struct tu_reports r;
	struct store *st;
	char *dir, want[1100];
	const char *rep;
	size_t i;

	CHECK((dir = tu_mkdir()) != NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(tu_write(dir, bad[i].name, bad[i].text,
		    bad[i].len ? bad[i].len : (size_t)-1) == 0);
	CHECK(tu_write(dir, "fine.txt", "Title: Fine\nDate: 2020-01-01\n\n",
	    -1) == 0);
	CHECK((st = tu_load(dir, &r)) != NULL);
	CHECK(st->nposts == 1);
	CHECK(st->nproblems == (int)(sizeof(bad) / sizeof(bad[0])));
	CHECK(r.n == (int)(sizeof(bad) / sizeof(bad[0])));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "%s/%s:%d: ", dir, bad[i].name,
		    bad[i].line);
		if ((rep = tu_reports_find(&r, want)) == NULL)
			printf("    no report \"%s\"\n", want);
		CHECK(rep != NULL);
		CHECK(strstr(rep, bad[i].msg) != NULL);
	}
	store_free(st);
	tu_rmdir(dir);
}

TEST(store_empty_dir_is_valid_and_home_renders)
{
	struct tu_reports r;
	struct snapshot *sn;
	struct store *st;
	struct page pg;
	char *dir;

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK((sn = tu_snap(dir, &r)) != NULL);
	st = sn->store;
	CHECK(r.n == 0);
	CHECK(st->nposts == 0);
	CHECK(st->ntags == 0);
	CHECK(store_find_post(st, "x") == NULL);
	CHECK(store_find_tag(st, "x") == NULL);
	CHECK(page_get(sn, PROTO_GEMINI, "/", 1, NULL, &pg) == 0);
	CHECK(pg.status == 20);
	CHECK(strstr(pg.body, "# capsule\n") == pg.body);
	page_release(&pg);
	CHECK(page_get(sn, PROTO_GOPHER, "", 0, NULL, &pg) == 0);
	CHECK(pg.status == 20);
	CHECK(pg.len >= 3 && memcmp(pg.body + pg.len - 3, ".\r\n", 3) == 0);
	page_release(&pg);
	CHECK(page_get(sn, PROTO_GEMINI, "/posts/", 7, NULL, &pg) == 0);
	CHECK(pg.status == 20);
	page_release(&pg);
	CHECK(page_get(sn, PROTO_GEMINI, "/tags/", 6, NULL, &pg) == 0);
	CHECK(pg.status == 20);
	CHECK(strstr(pg.body, "0 tags over 0 posts.") != NULL);
	page_release(&pg);
	snapshot_unref(sn);
	tu_rmdir(dir);
}

TEST(store_skips_file_name_that_is_not_a_slug)
{
	struct tu_reports r;
	struct store *st;
	char *dir;
	static const char ok[] = "Title: T\nDate: 2020-01-01\n\nx\n";

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "Bad_Name.txt", ok, -1) == 0);
	CHECK(tu_write(dir, "good.txt", ok, -1) == 0);
	/* Files that are not posts are not looked at, nor reported. */
	CHECK(tu_write(dir, "notes.md", "not a post", -1) == 0);
	CHECK(tu_write(dir, ".hidden.txt", "not a post", -1) == 0);
	CHECK(tu_write(dir, ".txt", "not a post", -1) == 0);
	CHECK((st = tu_load(dir, &r)) != NULL);
	CHECK(st->nposts == 1);
	CHECK_STR(st->posts[0]->slug, "good");
	CHECK(r.n == 1);
	CHECK(strstr(r.text[0], "Bad_Name") != NULL);
	CHECK(strstr(r.text[0], "slug") != NULL);
	store_free(st);
	tu_rmdir(dir);
}

TEST(store_missing_dir_returns_null_with_a_report)
{
	struct tu_reports r;
	char *dir, gone[1100];

	CHECK((dir = tu_mkdir()) != NULL);
	snprintf(gone, sizeof(gone), "%s/missing", dir);
	CHECK(tu_load(gone, &r) == NULL);
	CHECK(r.n >= 1);
	CHECK(tu_reports_find(&r, gone) != NULL);
	CHECK(tu_reports_find(&r, "cannot read") != NULL);
	tu_rmdir(dir);
}

TEST(store_gives_colliding_tag_slugs_distinct_suffixes_with_a_warning)
{
	struct tu_reports r;
	struct store *st;
	const struct tag *t1, *t2, *t3, *t4;
	char *dir;

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "one.txt",
	    "Title: One\nDate: 2020-01-01\nTags: C++, a b\n\n", -1) == 0);
	CHECK(tu_write(dir, "two.txt",
	    "Title: Two\nDate: 2020-01-02\nTags: C, a-b\n\n", -1) == 0);
	CHECK((st = tu_load(dir, &r)) != NULL);
	CHECK(st->ntags == 4);
	CHECK((t1 = tag_named(st, "C")) != NULL);
	CHECK((t2 = tag_named(st, "C++")) != NULL);
	CHECK((t3 = tag_named(st, "a b")) != NULL);
	CHECK((t4 = tag_named(st, "a-b")) != NULL);
	CHECK(strcmp(t1->slug, t2->slug) != 0);
	CHECK(strcmp(t3->slug, t4->slug) != 0);
	/*
	 * The plainer name keeps the slug; the other's suffix is hashed
	 * from its own name, so it is the same whatever else arrives.
	 */
	CHECK_STR(t1->slug, "c");
	CHECK(strncmp(t2->slug, "c-", 2) == 0 && strlen(t2->slug) == 8);
	CHECK_STR(t4->slug, "a-b");
	CHECK(strncmp(t3->slug, "a-b-", 4) == 0 && strlen(t3->slug) == 10);
	CHECK(store_find_tag(st, t2->slug) == t2);
	CHECK(store_find_tag(st, t3->slug) == t3);
	CHECK(r.n == 2);
	CHECK(tu_reports_find(&r, t2->slug) != NULL);
	CHECK(tu_reports_find(&r, t3->slug) != NULL);
	/*
	 * Both posts stay: a collision drops nothing. It is still counted,
	 * as `capsule check` counts every report (issue 10, item 7).
	 */
	CHECK(st->nposts == 2);
	CHECK(st->nproblems == r.n);
	store_free(st);
	tu_rmdir(dir);
}

TEST(store_collision_warning_names_the_two_colliding_tags)
{
	struct tu_reports r;
	struct store *st;
	char *dir;

	CHECK((dir = tu_mkdir()) != NULL);
	/* "0 first" sorts before both and collides with neither. */
	CHECK(tu_write(dir, "one.txt",
	    "Title: One\nDate: 2020-01-01\nTags: 0 first, C, C++\n\n", -1) ==
	    0);
	CHECK((st = tu_load(dir, &r)) != NULL);
	CHECK(r.n == 1);
	if (strstr(r.text[0], "\"C\" and \"C++\"") == NULL)
		printf("    report: %s\n", r.text[0]);
	CHECK(strstr(r.text[0], "\"C\" and \"C++\"") != NULL);
	CHECK(strstr(r.text[0], "0 first") == NULL);
	store_free(st);
	tu_rmdir(dir);
}

TEST(store_same_day_posts_fall_back_to_slug_order)
{
	struct store *st;
	char *dir;

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "b.txt", "Title: B\nDate: 2020-01-01\n\n", -1) ==
	    0);
	CHECK(tu_write(dir, "a.txt", "Title: A\nDate: 2020-01-01\n\n", -1) ==
	    0);
	CHECK(tu_write(dir, "c.txt", "Title: C\nDate: 2021-01-01\n\n", -1) ==
	    0);
	CHECK((st = tu_load(dir, NULL)) != NULL);
	CHECK(st->nposts == 3);
	CHECK_STR(st->posts[0]->slug, "c");
	CHECK_STR(st->posts[1]->slug, "a");
	CHECK_STR(st->posts[2]->slug, "b");
	store_free(st);
	tu_rmdir(dir);
}

TEST(store_reads_settings_and_reports_unknown_ones)
{
	struct tu_reports r;
	struct store *st;
	char *dir;

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "capsule.conf",
	    "# a comment\n"
	    "Title: My capsule\n"
	    "Description: Words.\n"
	    "Colour: blue\n"
	    "Hostname: gem.example.net\n", -1) == 0);
	memset(&r, 0, sizeof(r));
	CHECK((st = store_load(dir, NULL, tu_report, &r)) != NULL);
	CHECK_STR(st->settings.title, "My capsule");
	CHECK_STR(st->settings.description, "Words.");
	CHECK_STR(st->settings.lang, "en");
	CHECK(st->settings.nhostnames == 1);
	/* With no site given, menus name the first host name. */
	CHECK_STR(st->site.host, "gem.example.net");
	CHECK(st->site.gemini_port == 1965);
	CHECK(st->site.gopher_port == 70);
	if (r.n != 1)
		printf("    %d reports, first: %s\n", r.n, r.text[0]);
	CHECK(r.n == 1);
	CHECK(r.lines[0] == 4);
	CHECK(strstr(r.text[0], "Colour") != NULL);
	store_free(st);
	tu_rmdir(dir);
}

TEST(snapshot_refcount_keeps_the_snapshot_until_the_last_unref)
{
	struct snapshot *sn, *again;
	struct store *st;

	CHECK((st = load_content(NULL)) != NULL);
	CHECK((sn = snapshot_new(st, 0)) != NULL);
	CHECK(atomic_load(&sn->refs) == 1);
	again = snapshot_ref(sn);
	CHECK(again == sn);
	CHECK(atomic_load(&sn->refs) == 2);
	snapshot_unref(sn);
	/* Still usable through the other reference (ASan would object). */
	CHECK(atomic_load(&again->refs) == 1);
	CHECK(again->store->nposts == 10);
	CHECK(store_find_post(again->store, again->store->posts[3]->slug) ==
	    again->store->posts[3]);
	snapshot_unref(again);
	snapshot_unref(NULL);
}

TEST(snapshot_frees_rendered_cache_with_the_last_unref)
{
	struct snapshot *sn;
	struct store *st;
	struct page pg;
	size_t i;

	CHECK((st = load_content(NULL)) != NULL);
	CHECK((sn = snapshot_new(st, SNAPSHOT_SEARCH)) != NULL);
	CHECK(sn->search != NULL);
	/* Fill cache slots of both protocols; ASan's leak check sees frees. */
	for (i = 0; i < st->nposts; i++) {
		char path[300];

		snprintf(path, sizeof(path), "/posts/%s", st->posts[i]->slug);
		CHECK(page_get(sn, PROTO_GEMINI, path, strlen(path), NULL,
		    &pg) == 0);
		page_release(&pg);
		CHECK(page_get(sn, PROTO_GOPHER, path, strlen(path), NULL,
		    &pg) == 0);
		page_release(&pg);
	}
	snapshot_ref(sn);
	snapshot_unref(sn);
	snapshot_unref(sn);
}

