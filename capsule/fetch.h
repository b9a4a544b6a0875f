/* fetch.h: one HTTP(S) GET with libcurl; nothing else in capsule knows HTTP. */
#ifndef FETCH_H
#define FETCH_H

#include <stddef.h>

struct fetch {
	char	*data;		/* the body, NUL-terminated; free(3) it */
	size_t	 len;
	char	 type[128];	/* Content-Type, or "" */
	char	 url[2048];	/* where the body came from, after redirects */
	long	 status;	/* HTTP status */
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

#endif
