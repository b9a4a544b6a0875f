/* slug_test.c: names spelt as slugs, folded names, and tag slugs that
 * stay put when other tags arrive. */
#include <stdio.h>
#include <string.h>

#include "import.h"
#include "post.h"
#include "slug.h"
#include "store.h"
#include "test.h"
#include "testutil.h"

TEST(slug_make_spells_accented_latin_never_cuts_letters)
{
	static const struct {
		const char	*name, *slug;
	} cases[] = {
		{ "A revolução dos cravos", "a-revolucao-dos-cravos" },
		{ "Überall Straße", "uberall-strasse" },
		{ "Œuvres d’Ørsted, Łódź", "oeuvres-dorsted-lodz" },
		{ "Română: Știri și Țară", "romana-stiri-si-tara" },
		{ "cafe\xcc\x81 (NFD)", "cafe-nfd" },
		{ "Привет, мир", "privet-mir" },
		{ "Щука и ёж", "shchuka-i-yozh" },
		{ "Україна ґанок", "ukrayina-ganok" },
		{ "Ελλάδα", "ellada" },
		{ "مرحبا بالعالم", "mrhba-balalm" },
		{ "שלום", "shlvm" },
		{ "こんにちは", "konnichiha" },
		{ "カタカナ", "katakana" },
		{ "2024 年", "2024" },
		{ "People's Mojahedin", "peoples-mojahedin" },
		{ "  a -- b  ", "a-b" },
	};
	char out[160];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK(slug_make(cases[i].name, out, sizeof(out)) ==
		    strlen(cases[i].slug));
		CHECK_STR(out, cases[i].slug);
		CHECK(post_valid_slug(out));
	}
	/* Nothing to spell: no slug. */
	CHECK(slug_make("日本", out, sizeof(out)) == 0);
	CHECK_STR(out, "");
	/* A small buffer cuts between letters and still ends the slug. */
	CHECK(slug_make("щука", out, 4) == 3);
	CHECK_STR(out, "shc");
	/* A stray byte separates words, never reaches the slug. */
	slug_make("a\xff" "b", out, sizeof(out));
	CHECK_STR(out, "a-b");
}

TEST(slug_fold_makes_capitals_small_in_four_scripts)
{
	char out[64];

	slug_fold("NEWS News news", out, sizeof(out));
	CHECK_STR(out, "news news news");
	slug_fold("ÉTÉ Łódź", out, sizeof(out));
	CHECK_STR(out, "été łódź");
	slug_fold("РОССИЯ Ελλάδα ΕΛΛΆΔΑ", out, sizeof(out));
	CHECK_STR(out, "россия ελλάδα ελλάδα");
	slug_fold("日本", out, sizeof(out));
	CHECK_STR(out, "日本");
}

TEST(import_slugify_spells_titles_in_ascii)
{
	char s[128];

	import_slugify("A revolução dos cravos", s, sizeof(s));
	CHECK_STR(s, "a-revolucao-dos-cravos");
	import_slugify("Привет, мир", s, sizeof(s));
	CHECK_STR(s, "privet-mir");
	import_slugify("世界", s, sizeof(s));
	CHECK_STR(s, "post");
}

TEST(store_tag_slug_for_names_with_nothing_to_spell_is_the_names_own)
{
	char a[64], b[64], c[64];

	store_tag_slug("日本", a, sizeof(a));
	store_tag_slug("中国", b, sizeof(b));
	store_tag_slug("日本", c, sizeof(c));
	CHECK(strncmp(a, "tag-", 4) == 0 && strlen(a) == 10);
	CHECK(strcmp(a, b) != 0);
	CHECK_STR(a, c);
	CHECK(post_valid_slug(a));
	store_tag_slug("Новости", a, sizeof(a));
	CHECK_STR(a, "novosti");
}

/* The slug of the tag named name in the store at dir, into out. */
static void
slug_of(const char *dir, const char *name, char *out, size_t outsz)
{
	struct tu_reports r;
	struct store *st;
	size_t i;

	out[0] = '\0';
	if ((st = tu_load(dir, &r)) == NULL)
		return;
	for (i = 0; i < st->ntags; i++)
		if (strcmp(st->tags[i]->name, name) == 0)
			snprintf(out, outsz, "%s", st->tags[i]->slug);
	store_free(st);
}

TEST(store_tag_urls_stay_when_other_posts_arrive)
{
	static const char *names[] = { "Новости", "Россия", "أخبار", "日本",
	    "C++", "News" };
	char before[6][64], after[64], *dir;
	size_t i;

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "one.txt", "Title: One\nDate: 2020-01-01\n"
	    "Tags: Новости, Россия, أخبار, 日本, C++, News\n\n", -1) == 0);
	for (i = 0; i < 6; i++)
		slug_of(dir, names[i], before[i], sizeof(before[i]));
	CHECK_STR(before[0], "novosti");
	CHECK_STR(before[1], "rossiya");
	CHECK_STR(before[2], "akhbar");
	CHECK_STR(before[4], "c");
	CHECK_STR(before[5], "news");
	/*
	 * Names that sort first, a kanji tag, names with the same slugs but
	 * less plainly spelt, the same name in capitals.
	 */
	CHECK(tu_write(dir, "two.txt", "Title: Two\nDate: 2020-01-02\n"
	    "Tags: Ελλάδα, 中国, Новости!, аа, NEWS, C+-, Akhbar!\n\n", -1) ==
	    0);
	/* "NEWS", the newest post's spelling, names the tag now. */
	for (i = 0; i < 6; i++) {
		slug_of(dir, i == 5 ? "NEWS" : names[i], after, sizeof(after));
		CHECK_STR(after, before[i]);
	}
	tu_rmdir(dir);
}

TEST(store_tags_differing_in_case_are_one_tag)
{
	struct tu_reports r;
	struct store *st;
	char *dir;

	CHECK((dir = tu_mkdir()) != NULL);
	CHECK(tu_write(dir, "one.txt", "Title: One\nDate: 2020-01-01\n"
	    "Tags: News, news\n\n", -1) == 0);
	CHECK(tu_write(dir, "two.txt", "Title: Two\nDate: 2020-01-02\n"
	    "Tags: NEWS, Россия\n\n", -1) == 0);
	CHECK(tu_write(dir, "three.txt", "Title: Three\nDate: 2020-01-03\n"
	    "Tags: РОССИЯ\n\n", -1) == 0);
	CHECK((st = tu_load(dir, &r)) != NULL);
	CHECK(st->ntags == 2);
	CHECK(r.n == 0);
	CHECK(store_find_tag(st, "news") != NULL);
	CHECK(store_find_tag(st, "news")->nposts == 2);
	CHECK(store_find_tag(st, "rossiya") != NULL);
	CHECK(store_find_tag(st, "rossiya")->nposts == 2);
	/* The post that named it twice lists it once. */
	CHECK(store_find_post(st, "one")->ntags == 1);
	store_free(st);
	tu_rmdir(dir);
}

TEST(import_protected_knows_wordpress_password_forms_only)
{
	/* WordPress's own form, whatever the title's language. */
	CHECK(import_protected("Geschützt: Protokoll",
	    "<form action=\"https://v.example/wp-login.php?action=postpass\" "
	    "class=\"post-password-form\" method=\"post\"><p>…</p></form>"));
	CHECK(import_protected("Any title",
	    "<form class=\"post-password-form\"></form>"));
	/* "Protected: " and a password field: a theme's own form. */
	CHECK(import_protected("Protected: Board minutes",
	    "<form><input name=\"pw\" type=\"password\" /></form>"));
	/* An excerpt-only feed: WordPress's excerpt of such a post. */
	CHECK(import_protected("Protected: Minutes",
	    "There is no excerpt because this is a protected post."));
	/* A title that begins so, over a post with no form, is a post. */
	CHECK(!import_protected("Protected: the wetlands of the Elbe",
	    "<p>Twenty years of the reserve.</p>"));
	CHECK(!import_protected("How to choose a password",
	    "<p>Use a password manager.</p>"));
	CHECK(!import_protected(NULL, NULL));
}
