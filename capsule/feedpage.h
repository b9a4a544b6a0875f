/*
 * feedpage.h: `capsule import` of a feed with more than one page: a
 * WordPress feed's ?paged=N, an RFC 5005 feed's rel="next" and
 * rel="prev-archive" links, each page read by feedread().
 */
#ifndef FEEDPAGE_H
#define FEEDPAGE_H

#include <stddef.h>

struct fetch;
struct import;

#define FEEDPAGE_MAX	1000	/* pages of one feed at most */

/* Reads the fetched first page, then every page after it. */
void	 feedpage_import(struct import *, const struct fetch *first);

/*
 * The next page's URL a feed's bytes name: <link rel="next"> (or
 * "prev-archive", RFC 5005) of the feed itself, resolved against url.
 * Returns 0 with out set, or -1. Pure, for the tests.
 */
int	 feedpage_next(const char *data, size_t len, const char *url,
	    char *out, size_t outsz);
/* 1 when the feed says WordPress made it (its generator). */
int	 feedpage_wordpress(const char *data, size_t len);

#endif
