/*
 * seed_test.c: the posts in content/ against tests/fixtures/seed.txt, the
 * archive page they were transcribed from. Every line of a seed post must
 * reach both renderings of its post, and every tag page must list exactly
 * the posts the seed tags with it.
 *
 * The seed is a page heading, then for each post: a line of its tags
 * (comma-separated), its text (image captions, title, body) and an author
 * line, "Staff Writer" or "Staff writer", which ends it; then sharing
 * chrome up to "Continue Reading". The page ends with a copyright line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "router.h"
#include "store.h"
#include "test.h"
#include "testutil.h"

#define SEED_POSTS	10
#define SEED_TAGS	24
#define SEED_MAX_LINES	2048

struct seed_block {
	size_t			 first;		/* the tags line */
	size_t			 last;		/* the author line */
	const struct post	*post;
};

struct seed {
	char			*data;
	char			*line[SEED_MAX_LINES];
	size_t			 nlines;
	struct seed_block	 block[SEED_POSTS];
	size_t			 nblocks;
	struct store		*st;
};

static const char *seed_chrome[] = {
	"Please follow and like us:",
	"Continue Reading",
	"Copyright \xc2\xa9 2018 All Rights Reserved",
	"Social media & sharing icons powered by UltimatelySocial",
};

static int
is_author(const char *s)
{
	return strcmp(s, "Staff Writer") == 0 || strcmp(s, "Staff writer") == 0;
}

static int
is_chrome(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof(seed_chrome) / sizeof(seed_chrome[0]); i++)
		if (strcmp(s, seed_chrome[i]) == 0)
			return 1;
	return 0;
}

static void
seed_free(struct seed *sd)
{
	free(sd->data);
	store_free(sd->st);
	memset(sd, 0, sizeof(*sd));
}

/* The post whose title is one of block i's lines, or NULL. */
static const struct post *
seed_block_post(const struct seed *sd, size_t i)
{
	const struct seed_block *b = &sd->block[i];
	const struct post *found = NULL, *p;
	size_t j, k;

	for (k = 0; k < sd->st->nposts; k++) {
		p = sd->st->posts[k];
		for (j = b->first; j <= b->last; j++) {
			if (strcmp(sd->line[j], p->title) != 0)
				continue;
			if (found != NULL && found != p) {
				printf("    seed post %zu has two titles\n",
				    i + 1);
				return NULL;
			}
			found = p;
		}
	}
	if (found == NULL)
		printf("    seed post %zu (line %zu): no post has its title\n",
		    i + 1, b->first + 1);
	return found;
}

/* Reads and splits the seed, finds its blocks and each block's post. */
static int
seed_load(struct seed *sd)
{
	enum { HEADING, TAGS, TEXT, CHROME } state = HEADING;
	char path[1024], *s, *nl;
	size_t i, k, len;
	const char *l;

	memset(sd, 0, sizeof(*sd));
	snprintf(path, sizeof(path), "%s/tests/fixtures/seed.txt", test_root());
	if ((sd->data = tu_read(path, &len)) == NULL) {
		printf("    cannot read %s\n", path);
		return 0;
	}
	for (s = sd->data; *s != '\0' && sd->nlines < SEED_MAX_LINES;
	    s = nl + 1) {
		sd->line[sd->nlines++] = s;
		if ((nl = strchr(s, '\n')) == NULL)
			break;
		*nl = '\0';
		if (nl > s && nl[-1] == '\r')
			nl[-1] = '\0';
	}
	for (i = 0; i < sd->nlines; i++) {
		l = sd->line[i];
		if (*l == '\0')
			continue;
		switch (state) {
		case HEADING:
			if (strcmp(l, "Posts Tagged \xe2\x80\x98MEK Support"
			    "\xe2\x80\x99") != 0) {
				printf("    seed line %zu: no heading\n",
				    i + 1);
				return 0;
			}
			state = TAGS;
			break;
		case TAGS:
			if (is_chrome(l)) {
				/* The page's own end: copyright and credits. */
				state = CHROME;
				break;
			}
			if (sd->nblocks == SEED_POSTS) {
				printf("    seed line %zu: more than %d "
				    "posts\n", i + 1, SEED_POSTS);
				return 0;
			}
			sd->block[sd->nblocks].first = i;
			state = TEXT;
			break;
		case TEXT:
			if (is_author(l)) {
				sd->block[sd->nblocks++].last = i;
				state = CHROME;
			}
			break;
		case CHROME:
			if (strcmp(l, "Continue Reading") == 0)
				state = TAGS;
			else if (!is_chrome(l)) {
				printf("    seed line %zu is outside every "
				    "post: \"%s\"\n", i + 1, l);
				return 0;
			}
			break;
		}
	}
	if (state != CHROME || sd->nblocks != SEED_POSTS) {
		printf("    seed: %zu posts, ends in state %d\n", sd->nblocks,
		    state);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/content", test_root());
	if ((sd->st = tu_load(path, NULL)) == NULL)
		return 0;
	for (i = 0; i < sd->nblocks; i++) {
		if ((sd->block[i].post = seed_block_post(sd, i)) == NULL)
			return 0;
		for (k = 0; k < i; k++)
			if (sd->block[k].post == sd->block[i].post) {
				printf("    seed posts %zu and %zu are both "
				    "%s\n", k + 1, i + 1,
				    sd->block[i].post->slug);
				return 0;
			}
	}
	return 1;
}

/*
 * Appends text with every run of spaces and line ends made one space; for
 * a Gopher text document it first undoes the dot-stuffing and the "> "
 * quote prefixes of each line.
 */
static void
flatten(const char *s, size_t len, int gopher, struct buf *out)
{
	const char *end = s + len, *nl;
	size_t n, i;
	int space = 0;

	for (; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', end - s)) == NULL)
			nl = end;
		n = nl - s;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		i = 0;
		if (gopher && n >= 2 && s[0] == '.' && s[1] == '.')
			i = 1;
		if (gopher && n >= i + 2 && s[i] == '>' && s[i + 1] == ' ')
			i += 2;
		for (; i < n; i++) {
			if (s[i] == ' ' || s[i] == '\t') {
				space = 1;
				continue;
			}
			if (space && out->len > 0)
				buf_putc(out, ' ');
			space = 0;
			buf_putc(out, s[i]);
		}
		space = 1;
		if (nl == end)
			break;
	}
}

static int
render_post(const struct store *st, const struct post *p, enum proto proto,
    struct buf *out)
{
	char path[URL_PATH_MAX];

	router_post_path(st, p, path, sizeof(path));
	return tu_render(st, proto, path, out);
}

TEST(seed_splits_into_ten_posts_each_matched_by_title)
{
	struct seed sd;
	size_t i;

	CHECK(seed_load(&sd));
	CHECK(sd.nblocks == SEED_POSTS);
	CHECK(sd.st->nposts == SEED_POSTS);
	/* The seed lists them newest first, as the store does. */
	for (i = 0; i < sd.nblocks; i++)
		CHECK(sd.block[i].post == sd.st->posts[i]);
	seed_free(&sd);
}

TEST(seed_every_post_line_is_in_its_gemtext)
{
	struct seed sd;
	struct buf doc;
	const struct seed_block *b;
	size_t i, j, missing = 0;

	CHECK(seed_load(&sd));
	buf_init(&doc);
	for (i = 0; i < sd.nblocks; i++) {
		b = &sd.block[i];
		CHECK(render_post(sd.st, b->post, PROTO_GEMINI, &doc) == 0);
		for (j = b->first + 1; j <= b->last; j++) {
			if (sd.line[j][0] == '\0' ||
			    strstr(doc.data, sd.line[j]) != NULL)
				continue;
			printf("    %s: seed line %zu missing: \"%.60s\"\n",
			    b->post->slug, j + 1, sd.line[j]);
			missing++;
		}
	}
	buf_free(&doc);
	CHECK(missing == 0);
	seed_free(&sd);
}

TEST(seed_every_post_line_is_in_its_gopher_text)
{
	struct seed sd;
	struct buf doc, flat, needle;
	const struct seed_block *b;
	size_t i, j, missing = 0;

	CHECK(seed_load(&sd));
	buf_init(&doc);
	buf_init(&flat);
	buf_init(&needle);
	for (i = 0; i < sd.nblocks; i++) {
		b = &sd.block[i];
		CHECK(render_post(sd.st, b->post, PROTO_GOPHER, &doc) == 0);
		buf_reset(&flat);
		flatten(doc.data, doc.len, 1, &flat);
		for (j = b->first + 1; j <= b->last; j++) {
			if (sd.line[j][0] == '\0')
				continue;
			buf_reset(&needle);
			flatten(sd.line[j], strlen(sd.line[j]), 0, &needle);
			if (strstr(flat.data, needle.data) != NULL)
				continue;
			printf("    %s: seed line %zu missing: \"%.60s\"\n",
			    b->post->slug, j + 1, sd.line[j]);
			missing++;
		}
	}
	buf_free(&doc);
	buf_free(&flat);
	buf_free(&needle);
	CHECK(missing == 0);
	seed_free(&sd);
}

/* The seed's tags of block i, trimmed, into names (at most max). */
static size_t
seed_tags(const struct seed *sd, size_t i, char names[][160], size_t max)
{
	const char *s = sd->line[sd->block[i].first], *comma;
	size_t n = 0, len;

	while (*s != '\0' && n < max) {
		comma = strchr(s, ',');
		len = comma ? (size_t)(comma - s) : strlen(s);
		while (len > 0 && *s == ' ') {
			s++;
			len--;
		}
		while (len > 0 && s[len - 1] == ' ')
			len--;
		if (len > 0)
			snprintf(names[n++], 160, "%.*s", (int)len, s);
		if (comma == NULL)
			break;
		s = comma + 1;
	}
	return n;
}

TEST(seed_tags_lines_match_each_posts_tags)
{
	struct seed sd;
	char names[64][160];
	const struct post *p;
	size_t i, j, n;

	CHECK(seed_load(&sd));
	for (i = 0; i < sd.nblocks; i++) {
		p = sd.block[i].post;
		n = seed_tags(&sd, i, names, 64);
		if (n != p->ntags)
			printf("    %s: seed has %zu tags, post %zu\n", p->slug,
			    n, (size_t)p->ntags);
		CHECK(n == p->ntags);
		for (j = 0; j < n; j++)
			CHECK_STR(p->tags[j], names[j]);
	}
	seed_free(&sd);
}

TEST(seed_each_of_24_tag_pages_lists_exactly_its_posts)
{
	struct seed sd;
	char names[64][160], all[SEED_TAGS + 8][160], path[URL_PATH_MAX];
	unsigned want[SEED_TAGS + 8], got;
	struct buf doc;
	const struct tag *t;
	const char *s, *e;
	size_t i, j, k, n, nall = 0;

	CHECK(seed_load(&sd));
	memset(want, 0, sizeof(want));
	for (i = 0; i < sd.nblocks; i++) {
		n = seed_tags(&sd, i, names, 64);
		for (j = 0; j < n; j++) {
			for (k = 0; k < nall; k++)
				if (strcmp(all[k], names[j]) == 0)
					break;
			if (k == nall) {
				CHECK(nall < SEED_TAGS + 8);
				snprintf(all[nall++], 160, "%.159s", names[j]);
			}
			want[k] |= 1u << i;
		}
	}
	CHECK(nall == SEED_TAGS);
	CHECK(sd.st->ntags == SEED_TAGS);
	buf_init(&doc);
	for (k = 0; k < nall; k++) {
		for (i = 0, t = NULL; i < sd.st->ntags; i++)
			if (strcmp(sd.st->tags[i]->name, all[k]) == 0)
				t = sd.st->tags[i];
		if (t == NULL)
			printf("    no tag \"%s\" in the store\n", all[k]);
		CHECK(t != NULL);
		router_tag_path(sd.st, t, 1, path, sizeof(path));
		CHECK(tu_render(sd.st, PROTO_GEMINI, path, &doc) == 0);
		/* The set of posts the page links to, as seed block bits. */
		got = 0;
		for (s = doc.data; (s = strstr(s, "\n=> /posts/")) != NULL;) {
			s += strlen("\n=> /posts/");
			e = s + strcspn(s, " \n");
			for (i = 0; i < sd.nblocks; i++)
				if (strlen(sd.block[i].post->slug) ==
				    (size_t)(e - s) &&
				    memcmp(sd.block[i].post->slug, s, e - s) ==
				    0)
					break;
			if (i == sd.nblocks) {
				printf("    %s links to an unknown post\n",
				    path);
				got |= 1u << 31;
			} else if (got & (1u << i)) {
				printf("    %s lists %s twice\n", path,
				    sd.block[i].post->slug);
				got |= 1u << 31;
			} else
				got |= 1u << i;
		}
		if (got != want[k])
			printf("    %s: links %#x, seed %#x\n", path, got,
			    want[k]);
		CHECK(got == want[k]);
	}
	buf_free(&doc);
	seed_free(&sd);
}
