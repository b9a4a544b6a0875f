/*
 * picfetch.c: an imported post's pictures into the store, as import
 * converts its HTML. Each picture URL is asked for at most once a run.
 * A picture already in the store is asked for with its validators
 * (If-None-Match, If-Modified-Since): a 304 leaves it as it is; a new
 * answer whose bytes are the same writes nothing. What the server sends
 * is kept only when its bytes are a JPEG, PNG, GIF or WebP, whatever its
 * Content-Type says. When a picture cannot be had now but a copy from
 * before is in the store, the copy is used, so a post's text does not
 * flap between local and remote links with the network.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fetch.h"
#include "picfetch.h"

static void
picfetch_warn(struct picfetch *pf, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
picfetch_warn(struct picfetch *pf, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (pf->warn != NULL)
		pf->warn(pf->arg, msg);
}

int
picfetch_start(struct picfetch *pf)
{
	if (media_index_load(&pf->index, pf->content) == -1) {
		picfetch_warn(pf, "%s/" MEDIA_DIR "/" MEDIA_INDEX ": cannot be "
		    "read; pictures are fetched anew", pf->content);
		memset(&pf->index, 0, sizeof(pf->index));
	}
	pf->loaded = 1;
	return 0;
}

/* The path a link line gets for e's picture, in pf->path. */
static const char *
picfetch_local(struct picfetch *pf, const struct media_entry *e)
{
	snprintf(pf->path, sizeof(pf->path), MEDIA_PREFIX "%s", e->path);
	return pf->path;
}

static int
picfetch_failed(const struct picfetch *pf, const char *url)
{
	size_t i;

	for (i = 0; i < pf->nfailed; i++)
		if (strcmp(pf->failed[i], url) == 0)
			return 1;
	return 0;
}

static void
picfetch_fail(struct picfetch *pf, const char *url)
{
	char **f;

	if (pf->nfailed == PICFETCH_MAX_FAILED || (f = realloc(pf->failed,
	    (pf->nfailed + 1) * sizeof(*f))) == NULL)
		return;
	pf->failed = f;
	if ((f[pf->nfailed] = strdup(url)) != NULL)
		pf->nfailed++;
}

/* The copy from before, when there is one, else NULL (the URL stays). */
static const char *
picfetch_fallback(struct picfetch *pf, struct media_entry *e)
{
	if (e != NULL && media_exists(pf->content, e->path)) {
		e->seen = 1;
		return picfetch_local(pf, e);
	}
	return NULL;
}

const char *
picfetch_picture(void *arg, const struct html_picture *pic)
{
	struct picfetch *pf = arg;
	struct media_entry *e, *other;
	struct fetch_opts o;
	struct fetch f;
	enum media_type t;
	char err[512], name[MEDIA_PATH_MAX + 1];
	const char *url = pic->url;
	unsigned salt;
	int have;

	if (pf == NULL || !pf->loaded || (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0))
		return NULL;
	e = media_index_url(&pf->index, url);
	if (e != NULL && e->seen)
		return picfetch_local(pf, e);	/* once a run */
	if (picfetch_failed(pf, url))
		return NULL;
	if (pf->dry_run)
		return picfetch_fallback(pf, e);
	if (pf->bytes >= pf->max_total) {
		if (!pf->spent++)
			picfetch_warn(pf, "the run fetched %llu bytes of pictures "
			    "(see --max-media-total); the rest keep the links "
			    "to their sites", pf->bytes);
		return picfetch_fallback(pf, e);
	}
	have = e != NULL && media_exists(pf->content, e->path);
	memset(&o, 0, sizeof(o));
	if (have) {
		o.if_none_match = e->etag;
		o.if_modified_since = e->modified;
	}
	if (fetch_get_opts(url, &o, pf->max_file, pf->timeout, 0, &f, err,
	    sizeof(err)) == -1) {
		if (strstr(err, "larger than") != NULL)
			snprintf(err, sizeof(err), "larger than %zu bytes (see "
			    "--max-media-size)", pf->max_file);
		picfetch_warn(pf, "picture %s: %s; %s", url, err, have ?
		    "the copy from before is kept" : "the post links to it on "
		    "its site");
		picfetch_fail(pf, url);
		pf->refused++;
		return picfetch_fallback(pf, e);
	}
	if (f.not_modified) {
		pf->unchanged++;
		e->seen = 1;
		return picfetch_local(pf, e);
	}
	pf->bytes += f.len;
	if ((t = media_type(f.data, f.len)) == MEDIA_NONE) {
		picfetch_warn(pf, "picture %s: not a picture (its bytes are no "
		    "JPEG, PNG, GIF or WebP%s%s); skipped", url, f.type[0] ?
		    ", the server said " : "", f.type);
		free(f.data);
		picfetch_fail(pf, url);
		pf->refused++;
		return picfetch_fallback(pf, e);
	}
	/* Its name: the one it had, unless its type changed with it. */
	if (e != NULL && media_type_of_name(e->path, strlen(e->path)) == t)
		snprintf(name, sizeof(name), "%s", e->path);
	else
		for (salt = 0;; salt++) {
			if (media_name(url, t, salt, name, sizeof(name)) == -1 ||
			    salt == 16) {
				picfetch_warn(pf, "picture %s: no name for it "
				    "in the store; skipped", url);
				free(f.data);
				picfetch_fail(pf, url);
				pf->refused++;
				return NULL;
			}
			other = media_index_path(&pf->index, name);
			if (other == NULL || strcmp(other->url, url) == 0)
				break;	/* another picture holds that name */
		}
	if (media_same(pf->content, name, f.data, f.len))
		pf->unchanged++;
	else if (media_write(pf->content, name, f.data, f.len) == -1) {
		picfetch_warn(pf, "picture %s: cannot write %s/" MEDIA_DIR
		    "/%s: %s", url, pf->content, name, strerror(errno));
		free(f.data);
		picfetch_fail(pf, url);
		pf->refused++;
		return picfetch_fallback(pf, e);
	} else
		pf->fetched++;
	free(f.data);
	if ((e = media_index_set(&pf->index, url, name, f.etag,
	    f.last_modified)) == NULL)
		return NULL;
	e->seen = 1;
	return picfetch_local(pf, e);
}

int
picfetch_finish(struct picfetch *pf)
{
	size_t i;
	int rc = 0;

	if (pf->loaded && !pf->dry_run &&
	    media_index_save(&pf->index, pf->content) == -1) {
		picfetch_warn(pf, "%s/" MEDIA_DIR "/" MEDIA_INDEX ": cannot be "
		    "written: %s; the next run fetches the pictures again",
		    pf->content, strerror(errno));
		rc = -1;
	}
	media_index_free(&pf->index);
	for (i = 0; i < pf->nfailed; i++)
		free(pf->failed[i]);
	free(pf->failed);
	pf->failed = NULL;
	pf->nfailed = 0;
	pf->loaded = 0;
	return rc;
}
