/*
 * router.c: the one path scheme both protocols share. Paths are matched
 * only after decoding and normalisation, and only names the store holds
 * can match, so nothing outside the store is reachable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media.h"
#include "router.h"

#define ROUTER_MAX_PAGE 1000000

static void
router_redirect(struct route *r, const char *fmt, const char *a)
{
	r->kind = ROUTE_REDIRECT;
	snprintf(r->target, sizeof(r->target), fmt, a);
}

/* Parses a page number "2".."N" of n bytes; 0 when it is not one. */
static unsigned
router_page_number(const char *s, size_t n)
{
	unsigned long v = 0;
	size_t i;

	if (n == 0 || n > 7 || s[0] == '0')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	return v <= ROUTER_MAX_PAGE ? (unsigned)v : 0;
}

static unsigned
router_pages(size_t n, size_t per)
{
	if (n == 0)
		return 1;
	return (unsigned)((n + per - 1) / per);
}

unsigned
router_tag_pages(const struct tag *t)
{
	return router_pages(t->nposts, ROUTER_PAGE_SIZE);
}

unsigned
router_month_pages(const struct store_month *m)
{
	return router_pages(m->nposts, ROUTER_POSTS_PAGE);
}

unsigned
router_posts_pages(const struct store *st)
{
	return router_pages(st->nposts, ROUTER_POSTS_PAGE);
}

unsigned
router_tags_pages(const struct store *st)
{
	return router_pages(st->ntags, ROUTER_TAGS_PAGE);
}

/* 1 when a is used less than b, the later name losing a tie. */
static int
router_tag_less(const struct tag *a, const struct tag *b)
{
	if (a->nposts != b->nposts)
		return a->nposts < b->nposts;
	return a->index > b->index;
}

static int
router_cmp_index(const void *a, const void *b)
{
	const struct tag *ta = *(const struct tag *const *)a;
	const struct tag *tb = *(const struct tag *const *)b;

	return ta->index < tb->index ? -1 : ta->index > tb->index;
}

/* A min-heap of the max most used tags seen so far: one pass, no sort. */
size_t
router_home_tags(const struct store *st, const struct tag **out,
    size_t max)
{
	const struct tag *t;
	size_t n = 0, i, j, c;

	for (i = 0; i < st->ntags && max > 0; i++) {
		t = st->tags[i];
		if (n < max) {
			/* Sift up. */
			for (j = n++; j > 0 && router_tag_less(t,
			    out[(j - 1) / 2]); j = (j - 1) / 2)
				out[j] = out[(j - 1) / 2];
			out[j] = t;
			continue;
		}
		if (!router_tag_less(out[0], t))
			continue;
		/* Replace the least used and sift it down. */
		for (j = 0;; j = c) {
			c = 2 * j + 1;
			if (c >= n)
				break;
			if (c + 1 < n && router_tag_less(out[c + 1], out[c]))
				c++;
			if (!router_tag_less(out[c], t))
				break;
			out[j] = out[c];
		}
		out[j] = t;
	}
	qsort(out, n, sizeof(*out), router_cmp_index);
	return n;
}

/*
 * sub is what follows "<base>page/" in a list's path: "<n>/" is page n
 * of kind; page 1 and "<n>" without its slash redirect to their canonical
 * paths, anything else is not found.
 */
static void
router_match_page(struct route *r, const char *sub, unsigned pages,
    const char *base, enum route_kind kind)
{
	size_t len = strcspn(sub, "/");
	unsigned n = router_page_number(sub, len);

	if (n == 0 || n > pages || (sub[len] == '/' && sub[len + 1] != '\0')) {
		r->kind = ROUTE_NOT_FOUND;
		return;
	}
	if (n == 1 || sub[len] == '\0') {
		/* The base is a path that matched: it fits with room to spare. */
		r->kind = ROUTE_REDIRECT;
		if (n == 1)
			len = (size_t)snprintf(r->target, sizeof(r->target),
			    "%s", base);
		else
			len = (size_t)snprintf(r->target, sizeof(r->target),
			    "%spage/%u/", base, n);
		if (len >= sizeof(r->target))
			r->kind = ROUTE_NOT_FOUND;
		return;
	}
	r->kind = kind;
	r->page = n;
}

/* rest is what follows "/tag/": "<slug>", "<slug>/", "<slug>/page/<n>/"... */
static void
router_match_tag(const struct store *st, char *rest, struct route *r)
{
	char *slash, *sub, base[URL_PATH_MAX + 2];
	const struct tag *t;

	if ((slash = strchr(rest, '/')) != NULL)
		*slash = '\0';
	if ((t = store_find_tag(st, rest)) == NULL) {
		r->kind = ROUTE_NOT_FOUND;
		return;
	}
	r->tag = t;
	if (slash == NULL) {
		router_redirect(r, "/tag/%s/", t->slug);
		return;
	}
	sub = slash + 1;
	if (*sub == '\0') {
		r->kind = ROUTE_TAG;
		r->page = 1;
		return;
	}
	if (strcmp(sub, "atom.xml") == 0) {
		r->kind = ROUTE_TAG_ATOM;
		return;
	}
	if (strncmp(sub, "page/", 5) == 0) {
		if ((size_t)snprintf(base, sizeof(base), "/tag/%s/", t->slug) >=
		    sizeof(base)) {
			r->kind = ROUTE_NOT_FOUND;
			return;
		}
		router_match_page(r, sub + 5, router_tag_pages(t), base,
		    ROUTE_TAG);
		return;
	}
	r->kind = ROUTE_NOT_FOUND;
}

/* The n digits at s as a number, or -1 when they are not all digits. */
static int
router_digits(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/*
 * rest is what follows "/posts/": the date archives "<yyyy>/",
 * "<yyyy>/<mm>/" and "<yyyy>/<mm>/page/<n>/", when that year or month has
 * posts. "<yyyy>" alone is a post of that slug first. 0 when rest is
 * none of these, so it may still be a post's path.
 */
static int
router_match_date(const struct store *st, const char *rest, struct route *r)
{
	const struct store_year *y;
	const struct store_month *m;
	char base[32];
	int year, month;

	if ((year = router_digits(rest, 4)) <= 0 ||
	    (rest[4] != '\0' && rest[4] != '/') ||
	    (y = store_find_year(st, (unsigned)year)) == NULL)
		return 0;
	if (rest[4] == '\0') {
		if (store_find_post(st, rest) != NULL)
			return 0;
		router_year_path(y->year, r->target, sizeof(r->target));
		r->kind = ROUTE_REDIRECT;
		return 1;
	}
	if (rest[5] == '\0') {
		r->kind = ROUTE_YEAR;
		r->year = y;
		return 1;
	}
	r->kind = ROUTE_NOT_FOUND;
	if ((month = router_digits(rest + 5, 2)) < 1 || month > 12 ||
	    (rest[7] != '\0' && rest[7] != '/') ||
	    (m = store_find_month(st, y->year, (unsigned)month)) == NULL)
		return 1;
	r->month = m;
	router_month_path(m, 1, base, sizeof(base));
	if (rest[7] == '\0') {
		router_redirect(r, "%s", base);
		return 1;
	}
	if (rest[8] == '\0') {
		r->kind = ROUTE_MONTH;
		r->page = 1;
	} else if (strncmp(rest + 8, "page/", 5) == 0)
		router_match_page(r, rest + 13, router_month_pages(m), base,
		    ROUTE_MONTH);
	return 1;
}

/* rest is what follows "/pictures/": "<slug>/", a post with pictures. */
static void
router_match_pictures(const struct store *st, char *rest, struct route *r)
{
	size_t n = strlen(rest);
	const struct post *p;
	int slash = n > 0 && rest[n - 1] == '/';

	if (slash)
		rest[--n] = '\0';
	if (strchr(rest, '/') != NULL || (p = store_find_post(st, rest)) ==
	    NULL || p->npictures == 0)
		return;
	r->post = p;
	if (!slash)
		router_redirect(r, "/pictures/%s/", p->slug);
	else
		r->kind = ROUTE_PICTURES;
}

/*
 * Paths are lower case; "/TAGS/" typed by hand is sent on to "/tags/"
 * when that exists, rather than told it is not found.
 */
static void
router_match_lower(const struct store *st, const char *raw, size_t len,
    struct route *r)
{
	char lower[URL_PATH_MAX + 2];
	const char *why;
	struct route lr;
	size_t i, n, upper = 0;

	/* Matching may have cut its own copy of the path: start again. */
	if (url_normalize_path(raw, len, lower, sizeof(lower), &why) == -1)
		return;
	n = strlen(lower);
	for (i = 0; i < n; i++) {
		if (lower[i] >= 'A' && lower[i] <= 'Z') {
			lower[i] = (char)(lower[i] - 'A' + 'a');
			upper = 1;
		}
	}
	if (!upper)
		return;
	router_match(st, lower, n, &lr);
	if (lr.kind == ROUTE_NOT_FOUND || lr.kind == ROUTE_BAD)
		return;
	router_redirect(r, "%s", lr.kind == ROUTE_REDIRECT ? lr.target :
	    lower);
}

void
router_match(const struct store *st, const char *raw, size_t len,
    struct route *r)
{
	char path[URL_PATH_MAX + 2], *rest;
	const struct post *p;
	size_t n;
	unsigned pg;

	memset(r, 0, sizeof(*r));
	r->page = 1;
	if (url_normalize_path(raw, len, path, sizeof(path), &r->error) ==
	    -1) {
		r->kind = ROUTE_BAD;
		return;
	}
	r->kind = ROUTE_NOT_FOUND;
	if (strcmp(path, "/") == 0)
		r->kind = ROUTE_HOME;
	else if (strcmp(path, "/tags/") == 0)
		r->kind = ROUTE_TAGS;
	else if (strcmp(path, "/tags") == 0 || strcmp(path, "/tag") == 0 ||
	    strcmp(path, "/tag/") == 0)
		router_redirect(r, "%s", "/tags/");
	else if (strcmp(path, "/posts/") == 0)
		r->kind = ROUTE_POSTS;
	else if (strcmp(path, "/posts") == 0)
		router_redirect(r, "%s", "/posts/");
	else if (strcmp(path, "/robots.txt") == 0)
		r->kind = ROUTE_ROBOTS;
	else if (strcmp(path, "/atom.xml") == 0)
		r->kind = ROUTE_ATOM;
	else if (strcmp(path, "/search") == 0)
		r->kind = ROUTE_SEARCH;
	else if (strncmp(path, "/search/page/", 13) == 0) {
		rest = path + 13;
		n = strlen(rest);
		if ((pg = router_page_number(rest, n)) != 0) {
			r->kind = ROUTE_SEARCH;
			r->page = pg;
		}
	} else if (strncmp(path, "/tags/page/", 11) == 0)
		router_match_page(r, path + 11, router_tags_pages(st),
		    "/tags/", ROUTE_TAGS);
	else if (strncmp(path, "/posts/page/", 12) == 0 && path[12] != '\0')
		/* "/posts/page" and "/posts/page/" may be a post's path. */
		router_match_page(r, path + 12, router_posts_pages(st),
		    "/posts/", ROUTE_POSTS);
	else if (strncmp(path, MEDIA_PREFIX, 7) == 0) {
		/* Only names the picture store makes: no way out of it. */
		if (media_valid_path(path + 7, strlen(path + 7))) {
			r->kind = ROUTE_MEDIA;
			snprintf(r->target, sizeof(r->target), "%s", path + 7);
		}
	} else if (strncmp(path, "/pictures/", 10) == 0)
		router_match_pictures(st, path + 10, r);
	else if (strncmp(path, "/tag/", 5) == 0)
		router_match_tag(st, path + 5, r);
	else if (strncmp(path, "/posts/", 7) == 0 &&
	    router_match_date(st, path + 7, r))
		;
	else if (strncmp(path, "/posts/", 7) == 0) {
		int slash = 0;

		rest = path + 7;
		n = strlen(rest);
		if (n > 0 && rest[n - 1] == '/') {
			rest[--n] = '\0';
			slash = 1;
		}
		if (strchr(rest, '/') == NULL &&
		    (p = store_find_post(st, rest)) != NULL) {
			r->post = p;
			if (slash)
				router_redirect(r, "/posts/%s", p->slug);
			else
				r->kind = ROUTE_POST;
		}
	}
	if (r->kind == ROUTE_NOT_FOUND)
		router_match_lower(st, raw, len, r);
}

int
router_post_path(const struct store *st, const struct post *p, char *out,
    size_t outsz)
{
	int n;

	(void)st;
	n = snprintf(out, outsz, "/posts/%s", p->slug);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

static int
router_list_path(const char *base, unsigned page, char *out, size_t outsz)
{
	int n;

	if (page <= 1)
		n = snprintf(out, outsz, "%s", base);
	else
		n = snprintf(out, outsz, "%spage/%u/", base, page);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

int
router_posts_path(unsigned page, char *out, size_t outsz)
{
	return router_list_path("/posts/", page, out, outsz);
}

int
router_year_path(unsigned year, char *out, size_t outsz)
{
	int n = snprintf(out, outsz, "/posts/%04u/", year);

	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

int
router_month_path(const struct store_month *m, unsigned page, char *out,
    size_t outsz)
{
	char base[32];

	snprintf(base, sizeof(base), "/posts/%04u/%02u/", m->year, m->month);
	return router_list_path(base, page, out, outsz);
}

const char *
router_month_name(unsigned m)
{
	static const char *const names[] = { "January", "February", "March",
	    "April", "May", "June", "July", "August", "September", "October",
	    "November", "December" };

	return m >= 1 && m <= 12 ? names[m - 1] : "";
}

int
router_tags_path(unsigned page, char *out, size_t outsz)
{
	return router_list_path("/tags/", page, out, outsz);
}

int
router_tag_path(const struct store *st, const struct tag *t, unsigned page,
    char *out, size_t outsz)
{
	int n;

	(void)st;
	if (page <= 1)
		n = snprintf(out, outsz, "/tag/%s/", t->slug);
	else
		n = snprintf(out, outsz, "/tag/%s/page/%u/", t->slug, page);
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}
