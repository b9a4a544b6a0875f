/*
 * router.c: the one path scheme both protocols share. Paths are matched
 * only after decoding and normalisation, and only names the store holds
 * can match, so nothing outside the store is reachable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

unsigned
router_tag_pages(const struct tag *t)
{
	if (t->nposts == 0)
		return 1;
	return (unsigned)((t->nposts + ROUTER_PAGE_SIZE - 1) / ROUTER_PAGE_SIZE);
}

/* rest is what follows "/tag/": "<slug>", "<slug>/", "<slug>/page/<n>/"... */
static void
router_match_tag(const struct store *st, char *rest, struct route *r)
{
	char *slash, *sub;
	const struct tag *t;
	unsigned n;
	size_t len;

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
		sub += 5;
		len = strcspn(sub, "/");
		n = router_page_number(sub, len);
		if (n == 0 || n > router_tag_pages(t) ||
		    (sub[len] == '/' && sub[len + 1] != '\0')) {
			r->kind = ROUTE_NOT_FOUND;
			return;
		}
		if (n == 1) {
			router_redirect(r, "/tag/%s/", t->slug);
			return;
		}
		if (sub[len] == '\0') {
			r->kind = ROUTE_REDIRECT;
			snprintf(r->target, sizeof(r->target),
			    "/tag/%s/page/%u/", t->slug, n);
			return;
		}
		r->kind = ROUTE_TAG;
		r->page = n;
		return;
	}
	r->kind = ROUTE_NOT_FOUND;
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
	} else if (strncmp(path, "/tag/", 5) == 0)
		router_match_tag(st, path + 5, r);
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
