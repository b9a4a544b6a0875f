/* gopher.h: the Gopher protocol (RFC 1436): selector in, document out. */
#ifndef GOPHER_H
#define GOPHER_H

#include <stddef.h>

#include "reply.h"
#include "url.h"

#define GOPHER_LINE_MAX		URL_MAX		/* bytes before the line end */
#define GOPHER_REQUEST_MAX	(GOPHER_LINE_MAX + 2)
#define GOPHER_MAX_REDIRECTS	2	/* a menu path without its slash */

enum gopher_framing {
	GOPHER_MORE,		/* no line end yet */
	GOPHER_LINE,		/* a line of *linelen bytes, CR dropped */
	GOPHER_TOO_LONG,	/* more than GOPHER_LINE_MAX before it */
};

/* A request line split at its TABs; pointers into the line. */
struct gopher_request {
	const char	*selector;
	size_t		 sellen;
	const char	*search;	/* NULL when there is none */
	size_t		 searchlen;
	char		 plus;		/* Gopher+: '+', '!' or '$'; else 0 */
};

struct snapshot;

/* Accepts CRLF or a bare LF at the end of the line. */
enum gopher_framing gopher_request_end(const char *, size_t, size_t *);
void	 gopher_parse(const char *, size_t, struct gopher_request *);
/*
 * Answers the request line into r: a menu, a text, an HTML page for a
 * "URL:" selector, or a type 3 error menu. A Gopher+ request (TAB +,
 * TAB !, TAB $) gets a Gopher+ answer: a "+-1"/"+-2" status line, and
 * attribute blocks (+INFO, +ADMIN, +VIEWS) for '!' and '$'. Takes over
 * the snapshot reference (NULL when there is no snapshot to serve).
 */
void	 gopher_answer(struct snapshot *, const char *, size_t, struct reply *);
/* A type 3 error menu; status is the Gemini twin for the access log. */
void	 gopher_error(struct reply *, int status, const char *);

#endif
