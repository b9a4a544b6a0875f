/* fetch.h: one HTTP(S) GET with libcurl; nothing else in capsule knows HTTP. */
#ifndef FETCH_H
#define FETCH_H

#include <stddef.h>

#define FETCH_MAX_VALIDATOR	256	/* bytes of an ETag or a date kept */

struct fetch {
	char	*data;		/* the body, NUL-terminated; free(3) it */
	size_t	 len;
	char	 type[128];	/* Content-Type, or "" */
	char	 url[2048];	/* where the body came from, after redirects */
	long	 status;	/* HTTP status */
	/* Of the last answer, "" when it had none or it would not fit. */
	char	 etag[FETCH_MAX_VALIDATOR];
	char	 last_modified[FETCH_MAX_VALIDATOR];
	int	 not_modified;	/* 304 to a conditional request: no body */
};

/* What a GET may add to its request; NULL or "" fields are left out. */
struct fetch_opts {
	const char	*if_none_match;		/* an ETag seen before */
	const char	*if_modified_since;	/* a Last-Modified seen before */
};

/* Call once before fetch_get, and fetch_cleanup once at the end. */
int	 fetch_init(void);
void	 fetch_cleanup(void);

/*
 * GETs an http:// or https:// URL, following up to 5 redirects, giving up
 * after timeout seconds or past max bytes of body. Returns 0 on a 2xx
 * answer, or -1 with err holding a sentence that names the failure (DNS,
 * connection, TLS, HTTP status, timeout, size). progress: show bytes on
 * stderr.
 */
int	 fetch_get(const char *url, size_t max, long timeout, int progress,
	    struct fetch *, char *err, size_t errsz);
/*
 * The same with options: a conditional GET (If-None-Match,
 * If-Modified-Since) returns 0 with not_modified set on a 304.
 */
int	 fetch_get_opts(const char *url, const struct fetch_opts *,
	    size_t max, long timeout, int progress, struct fetch *,
	    char *err, size_t errsz);

#endif
