/*
 * feedpage.c: a feed's later pages. A feed holds a site's newest few
 * entries (WordPress: 10); the rest are on pages after it:
 *
 *   - RFC 5005: the feed links its next page (rel="next", in a paged
 *     feed) or the archive before it (rel="prev-archive"); followed to
 *     the end, each URL once (a loop ends the walk), at most FEEDPAGE_MAX;
 *   - WordPress: its feeds take ?paged=N; asked for N = 2, 3... until an
 *     error answer (404 past the last page) or a page with nothing new
 *     (a site that ignores ?paged answers the first page again).
 *
 * Each page goes through feedread() as the first did, so the same skip
 * rules hold on every page.
 */
#define _GNU_SOURCE	/* memmem */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "arena.h"
#include "feedpage.h"
#include "feedread.h"
#include "fetch.h"
#include "import.h"

#define FEEDPAGE_URL_MAX	2048

/* The value of attribute name in the tag [s, e), "&amp;" undone. */
static int
feedpage_attr(const char *s, const char *e, const char *name, char *out,
    size_t outsz)
{
	size_t n = strlen(name), o = 0;
	const char *p, *v;
	char q;

	for (p = s + 1; e - p > (ptrdiff_t)n + 1; p++) {
		if (strncasecmp(p, name, n) != 0 || p[n] != '=' ||
		    (p[-1] != ' ' && p[-1] != '\t' && p[-1] != '\n'))
			continue;
		v = p + n + 1;
		if (*v != '"' && *v != '\'')
			return -1;
		q = *v++;
		for (; v < e && *v != q && o + 1 < outsz; v++) {
			out[o++] = *v;
			if (strncmp(v, "&amp;", 5) == 0)
				v += 4;	/* the '&' is written */
		}
		out[o] = '\0';
		return 0;
	}
	return -1;
}

/* href resolved against base: absolute, host-relative or path-relative. */
static int
feedpage_resolve(const char *base, const char *href, char *out, size_t outsz)
{
	const char *h, *slash;
	int w;

	if (strncasecmp(href, "http://", 7) == 0 ||
	    strncasecmp(href, "https://", 8) == 0)
		w = snprintf(out, outsz, "%s", href);
	else if ((h = strstr(base, "://")) == NULL)
		return -1;
	else if (href[0] == '/' && href[1] != '/')
		w = snprintf(out, outsz, "%.*s%s", (int)(h + 3 + strcspn(h + 3,
		    "/?#") - base), base, href);
	else if (href[0] == '?')
		w = snprintf(out, outsz, "%.*s%s", (int)strcspn(base, "?#"),
		    base, href);
	else if (href[0] != '/' && strchr(href, ':') == NULL) {
		slash = strrchr(base, '/');
		if (slash == NULL || slash < h + 3)
			return -1;
		w = snprintf(out, outsz, "%.*s%s", (int)(slash + 1 - base),
		    base, href);
	} else
		return -1;
	return w < 0 || (size_t)w >= outsz ? -1 : 0;
}

int
feedpage_next(const char *data, size_t len, const char *url, char *out,
    size_t outsz)
{
	const char *p = data, *end = data + len, *e, *stop;
	char rel[64], href[FEEDPAGE_URL_MAX];

	/* The feed's own links come before its first entry. */
	if ((stop = memmem(data, len, "<item", 5)) == NULL)
		stop = end;
	if ((e = memmem(data, len, "<entry", 6)) != NULL && e < stop)
		stop = e;
	while (p < stop && (p = memmem(p, stop - p, "link", 4)) != NULL) {
		if (p == data || (p[-1] != '<' && p[-1] != ':') ||
		    (e = memchr(p, '>', end - p)) == NULL) {
			p += 4;
			continue;
		}
		if (feedpage_attr(p, e, "rel", rel, sizeof(rel)) == 0 &&
		    (strcasecmp(rel, "next") == 0 ||
		    strcasecmp(rel, "prev-archive") == 0) &&
		    feedpage_attr(p, e, "href", href, sizeof(href)) == 0 &&
		    href[0] != '\0')
			return feedpage_resolve(url, href, out, outsz);
		p = e;
	}
	return -1;
}

int
feedpage_wordpress(const char *data, size_t len)
{
	const char *g;
	size_t n = len < 8192 ? len : 8192;	/* in the feed's head */

	g = memmem(data, n, "<generator", 10);
	return g != NULL && memmem(g, n - (g - data), "wordpress.org",
	    13) != NULL;
}

/* The URL of WordPress's page n of url: its ?paged=n (or &paged=n). */
static int
feedpage_paged(const char *url, long n, char *out, size_t outsz)
{
	size_t base = strcspn(url, "#");
	int w;

	w = snprintf(out, outsz, "%.*s%cpaged=%ld", (int)base, url,
	    memchr(url, '?', base) ? '&' : '?', n);
	return w < 0 || (size_t)w >= outsz ? -1 : 0;
}

static void
feedpage_digest(const char *data, size_t len, unsigned char md[32])
{
	unsigned int n = 0;

	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1)
		memset(md, 0, 32);
}

void
feedpage_import(struct import *im, const struct fetch *first)
{
	char url[FEEDPAGE_URL_MAX], err[512];
	char (*seen)[FEEDPAGE_URL_MAX] = NULL;
	unsigned char last[32], md[32];
	struct arena keep;
	struct fetch f;
	long page;
	size_t nseen = 0, i;
	int wp, rfc = 0;

	feedread(im, first->data, first->len, first->type);
	wp = feedpage_wordpress(first->data, first->len);
	if (feedpage_next(first->data, first->len, first->url, url,
	    sizeof(url)) == 0)
		rfc = 1;
	else if (!wp || feedpage_paged(first->url, 2, url, sizeof(url)) == -1)
		return;
	if ((seen = calloc(FEEDPAGE_MAX, sizeof(*seen))) == NULL) {
		import_warn(im, "out of memory");
		im->errors++;
		return;
	}
	snprintf(seen[nseen++], sizeof(*seen), "%s", first->url);
	feedpage_digest(first->data, first->len, last);
	for (page = 2;; page++) {
		for (i = 0; i < nseen; i++)
			if (strcmp(seen[i], url) == 0) {
				import_warn(im, "page %ld links back to a page "
				    "already read (%s); stopped there", page,
				    url);
				goto out;
			}
		if (nseen == FEEDPAGE_MAX) {
			import_warn(im, "more than %d pages; the rest are left "
			    "out", FEEDPAGE_MAX);
			im->errors++;
			goto out;
		}
		snprintf(seen[nseen++], sizeof(*seen), "%s", url);
		if (im->progress) {
			fprintf(stderr, "\rimport: %s: page %ld", im->src,
			    page);
			im->progress_shown = 1;
		}
		if (fetch_get(url, im->max, im->timeout, 0, &f, err,
		    sizeof(err)) == -1) {
			/* WordPress answers 404 past its last page. */
			if (!rfc && f.status == 404)
				goto out;
			import_warn(im, "page %ld, %s: %s", page, url, err);
			im->errors++;
			goto out;
		}
		feedpage_digest(f.data, f.len, md);
		if (memcmp(md, last, sizeof(md)) == 0) {
			free(f.data);
			goto out;	/* the same page again: nothing new */
		}
		memcpy(last, md, sizeof(md));
		/* A page's strings live while it is read: memory stays flat. */
		keep = im->a;
		arena_init(&im->a);
		feedread(im, f.data, f.len, f.type);
		/* What import.c keeps till the source ends outlives the page. */
		if (im->conf_title != NULL)
			im->conf_title = arena_strdup(&keep, im->conf_title);
		if (im->conf_desc != NULL)
			im->conf_desc = arena_strdup(&keep, im->conf_desc);
		if (im->conf_lang != NULL)
			im->conf_lang = arena_strdup(&keep, im->conf_lang);
		arena_free(&im->a);
		im->a = keep;
		im->feed_author = NULL;
		if (rfc ? feedpage_next(f.data, f.len, f.url, url,
		    sizeof(url)) == -1 : feedpage_paged(first->url, page + 1,
		    url, sizeof(url)) == -1) {
			free(f.data);
			goto out;
		}
		free(f.data);
	}
out:
	free(seen);
}
