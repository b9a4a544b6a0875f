/* url.h: percent-decoding, path normalisation and Gemini URL parsing. */
#ifndef URL_H
#define URL_H

#include <stddef.h>

#define URL_MAX		1024	/* the longest request URL or selector */
#define URL_PATH_MAX	1024

/*
 * Percent-decodes and normalises a request path in place into out:
 * collapses "//", resolves "." and "..", keeps a trailing slash.
 * Returns 0, or -1 with *errstr set: bad escape, NUL, overlong,
 * or a ".." that would climb above the root.
 */
int	 url_normalize_path(const char *, size_t, char *, size_t,
	    const char **);
/* The value of one hex digit, or -1. */
int	 url_hexval(int);
/* Percent-decodes s into out (NUL-terminated); -1 on bad escape or NUL. */
int	 url_decode(const char *, size_t, char *, size_t);
/* Percent-encodes a path segment or query for a link. */
int	 url_encode(const char *, char *, size_t);

struct url {
	char	 scheme[16];
	char	 host[256];
	int	 port;		/* -1 when absent */
	char	 path[URL_PATH_MAX + 1];	/* raw, not yet decoded */
	char	 query[URL_MAX + 1];		/* raw, without '?' */
	int	 has_query;
	int	 has_userinfo;
	int	 has_fragment;
};

/*
 * Parses an absolute URL (RFC 3986 generic syntax). Returns 0, or -1 with
 * *errstr set when it is relative, empty or malformed. Does no I/O.
 */
int	 url_parse(const char *, struct url *, const char **);

#endif
