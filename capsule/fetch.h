/* fetch.h: HTTP(S) GETs with libcurl; nothing else in capsule knows HTTP. */
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
	/* From the answer's headers: */
	char	 api[1024];	/* Link: <...>; rel="https://api.w.org/" */
	char	 json[1024];	/* Link: <...>; rel="alternate"; type=".../json" */
	char	 next[2048];	/* Link: <...>; rel="next" */
	long	 total;		/* X-WP-Total, or -1 */
	long	 pages;		/* X-WP-TotalPages, or -1 */
	long	 retry_after;	/* Retry-After in seconds, or -1 */
};

/* What a GET may add to its request; NULL or "" fields are left out. */
struct fetch_opts {
	const char	*if_none_match;		/* an ETag seen before */
	const char	*if_modified_since;	/* a Last-Modified seen before */
	/* fetch_request's; zeroes are the defaults. */
	size_t		 max;		/* bytes of body at most */
	long		 timeout;	/* seconds for one answer */
	int		 progress;	/* bytes on stderr */
	const char	*accept;	/* an Accept header, or NULL */
	int		 retries;	/* 429/503 asked again this many times */
	long		 max_wait;	/* longest wait honoured, s (default 60) */
	int		 keep_body;	/* keep an error answer's body too */
};

/* Call once before fetch_get, and fetch_cleanup once at the end. */
int	 fetch_init(void);
void	 fetch_cleanup(void);

/*
 * GETs an http:// or https:// URL, following up to 5 redirects, giving up
 * after timeout seconds or past max bytes of body. Returns 0 on a 2xx
 * answer, or -1 with err holding a sentence that names the failure (DNS,
 * connection, TLS, HTTP status, timeout, size). progress: show bytes on
 * stderr. A 429 or 503 answer is asked again as fetch_request does.
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
/*
 * A GET with every option in o (max, timeout... too). Politeness: one
 * request at a time on one reused connection, a User-Agent naming
 * capsule and its version, and a 429 or 503 answer asked again after its
 * Retry-After (at most max_wait seconds) or 1, 2, 4... seconds, at most
 * retries times. With keep_body, an error answer's body stays in f->data
 * (free it).
 */
int	 fetch_request(const char *url, const struct fetch_opts *,
	    struct fetch *, char *err, size_t errsz);

#endif
