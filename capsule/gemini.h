/* gemini.h: the Gemini protocol (v0.24): request line in, status out. */
#ifndef GEMINI_H
#define GEMINI_H

#include <stddef.h>

#include "reply.h"
#include "url.h"

#define GEMINI_URL_MAX		URL_MAX		/* bytes before CRLF */
#define GEMINI_REQUEST_MAX	(GEMINI_URL_MAX + 2)
#define GEMINI_META_MAX		1024
#define GEMINI_DEFAULT_PORT	1965
#define GEMINI_SLOW_DOWN	"5"		/* seconds, for status 44 */

/* What gemini_request_end() found in the bytes read so far. */
enum gemini_framing {
	GEMINI_MORE,		/* no CRLF yet */
	GEMINI_LINE,		/* a line of *linelen bytes, then CRLF */
	GEMINI_TOO_LONG,	/* more than GEMINI_URL_MAX before CRLF */
	GEMINI_BARE_LF,		/* a line feed without its carriage return */
};

struct snapshot;
struct tlsglue;

/* Where a request arrived: it must name us. */
struct gemini_where {
	const struct tlsglue	*names;	/* the host names we serve */
	const char		*sni;	/* NULL when the client sent none */
	int			 port;	/* ours */
};

enum gemini_framing gemini_request_end(const char *, size_t, size_t *);
/*
 * Checks one request line (without CRLF). Returns 0 with u filled, or
 * the status to answer (53 or 59) with *why.
 */
int	 gemini_check(const char *, size_t, const struct gemini_where *,
	    struct url *, const char **why);
/*
 * Answers the request line into r. Takes over the snapshot reference
 * (NULL when there is no snapshot to serve: 41).
 */
void	 gemini_answer(struct snapshot *, const char *, size_t,
	    const struct gemini_where *, struct reply *);
/* Every status goes out through here: "<code> <meta>\r\n" as r's head. */
void	 gemini_status(struct reply *, int code, const char *meta);

#endif
