/* feed.h: Atom (RFC 4287) feeds of the whole archive and of each tag. */
#ifndef FEED_H
#define FEED_H

#include "buf.h"
#include "page.h"
#include "store.h"

#define FEED_MIME	"application/atom+xml"
#define FEED_MAX_ENTRIES	50	/* newest posts in one feed (export knows) */

/*
 * tag is NULL for the whole archive; links are for proto, the protocol
 * the feed is served over.
 */
int	 feed_atom(const struct store *, const struct tag *, enum proto,
	    struct buf *);

#endif
