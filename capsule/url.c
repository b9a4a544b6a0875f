/*
 * url.c: the request parser. It works on the caller's bytes, does no I/O
 * and says why it refused, so gemini.c and gopher.c can answer precisely.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "url.h"
#include "utf8.h"

#define URL_MAX_SEGMENTS 256

int
url_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
url_decode(const char *s, size_t len, char *out, size_t outsz)
{
	size_t i, o = 0;
	int hi, lo;
	char c;

	for (i = 0; i < len; i++) {
		c = s[i];
		if (c == '%') {
			if (i + 2 >= len)
				return -1;
			hi = url_hexval((unsigned char)s[i + 1]);
			lo = url_hexval((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0' || o + 1 >= outsz)
			return -1;
		out[o++] = c;
	}
	if (outsz == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

int
url_normalize_path(const char *raw, size_t len, char *out, size_t outsz,
    const char **errstr)
{
	char dec[URL_PATH_MAX + 1];
	size_t seg[URL_MAX_SEGMENTS], segl[URL_MAX_SEGMENTS];
	size_t nseg = 0, i, n, o, start;
	int trailing = 0;

	*errstr = NULL;
	if (len > URL_PATH_MAX) {
		*errstr = "path too long";
		return -1;
	}
	if (memchr(raw, '\0', len) != NULL) {
		*errstr = "NUL in path";
		return -1;
	}
	if (url_decode(raw, len, dec, sizeof(dec)) == -1) {
		*errstr = "bad percent-encoding in path";
		return -1;
	}
	n = strlen(dec);
	if (!utf8_valid(dec, n)) {
		*errstr = "path is not valid UTF-8";
		return -1;
	}
	for (i = 0; i < n;) {
		while (i < n && dec[i] == '/')
			i++;
		if (i >= n) {
			trailing = 1;
			break;
		}
		start = i;
		while (i < n && dec[i] != '/')
			i++;
		trailing = 0;
		if (i - start == 1 && dec[start] == '.') {
			trailing = 1;
			continue;
		}
		if (i - start == 2 && dec[start] == '.' && dec[start + 1] == '.') {
			if (nseg == 0) {
				*errstr = "path climbs above the root";
				return -1;
			}
			nseg--;
			trailing = 1;
			continue;
		}
		if (nseg == URL_MAX_SEGMENTS) {
			*errstr = "too many path segments";
			return -1;
		}
		seg[nseg] = start;
		segl[nseg] = i - start;
		nseg++;
	}
	o = 0;
	if (outsz < 2) {
		*errstr = "path too long";
		return -1;
	}
	out[o++] = '/';
	for (i = 0; i < nseg; i++) {
		if (o + segl[i] + 2 > outsz) {
			*errstr = "path too long";
			return -1;
		}
		memcpy(out + o, dec + seg[i], segl[i]);
		o += segl[i];
		if (i + 1 < nseg || trailing)
			out[o++] = '/';
	}
	out[o] = '\0';
	return 0;
}

int
url_encode(const char *s, char *out, size_t outsz)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *u = (const unsigned char *)s;
	size_t o = 0;

	for (; *u != '\0'; u++) {
		if (isalnum(*u) || strchr("-._~/", *u) != NULL) {
			if (o + 1 >= outsz)
				return -1;
			out[o++] = *u;
		} else {
			if (o + 3 >= outsz)
				return -1;
			out[o++] = '%';
			out[o++] = hex[*u >> 4];
			out[o++] = hex[*u & 15];
		}
	}
	if (outsz == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

/* Copies s[0..n) into dst (size dsz); -1 when it does not fit. */
static int
url_copy(char *dst, size_t dsz, const char *s, size_t n)
{
	if (n >= dsz)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

int
url_parse(const char *s, struct url *u, const char **errstr)
{
	const char *p, *auth, *end, *at, *colon;
	size_t n;
	long port;

	memset(u, 0, sizeof(*u));
	u->port = -1;
	*errstr = NULL;
	if (*s == '\0') {
		*errstr = "empty request";
		return -1;
	}
	if (strlen(s) > URL_MAX) {
		*errstr = "URL too long";
		return -1;
	}
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	p = s;
	if (!isalpha((unsigned char)*p)) {
		*errstr = "not an absolute URL";
		return -1;
	}
	while (isalnum((unsigned char)*p) || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (*p != ':') {
		*errstr = "not an absolute URL";
		return -1;
	}
	if (url_copy(u->scheme, sizeof(u->scheme), s, p - s) == -1) {
		*errstr = "scheme too long";
		return -1;
	}
	for (n = 0; u->scheme[n] != '\0'; n++)
		u->scheme[n] = tolower((unsigned char)u->scheme[n]);
	p++;
	if (p[0] == '/' && p[1] == '/') {
		auth = p + 2;
		end = auth + strcspn(auth, "/?#");
		if ((at = memchr(auth, '@', end - auth)) != NULL) {
			u->has_userinfo = 1;
			auth = at + 1;
		}
		if (*auth == '[') {
			const char *rb = memchr(auth, ']', end - auth);

			if (rb == NULL) {
				*errstr = "bad IPv6 literal";
				return -1;
			}
			if (url_copy(u->host, sizeof(u->host), auth + 1,
			    rb - auth - 1) == -1) {
				*errstr = "host too long";
				return -1;
			}
			colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
			if (rb + 1 < end && colon == NULL) {
				*errstr = "bad authority";
				return -1;
			}
		} else {
			colon = memchr(auth, ':', end - auth);
			if (url_copy(u->host, sizeof(u->host), auth,
			    (colon ? colon : end) - auth) == -1) {
				*errstr = "host too long";
				return -1;
			}
		}
		if (colon != NULL && colon + 1 < end) {
			port = 0;
			for (p = colon + 1; p < end; p++) {
				if (!isdigit((unsigned char)*p) || port > 65535) {
					*errstr = "bad port";
					return -1;
				}
				port = port * 10 + (*p - '0');
			}
			if (port > 65535) {
				*errstr = "bad port";
				return -1;
			}
			u->port = (int)port;
		}
		p = end;
	}
	n = strcspn(p, "?#");
	if (url_copy(u->path, sizeof(u->path), p, n) == -1) {
		*errstr = "path too long";
		return -1;
	}
	p += n;
	if (*p == '?') {
		p++;
		n = strcspn(p, "#");
		if (url_copy(u->query, sizeof(u->query), p, n) == -1) {
			*errstr = "query too long";
			return -1;
		}
		u->has_query = 1;
		p += n;
	}
	if (*p == '#')
		u->has_fragment = 1;
	return 0;
}
