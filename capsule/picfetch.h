/*
 * picfetch.h: the pictures of imported posts, fetched into the picture
 * store (media.c) through fetch.c: once a run each, only when their
 * bytes are a picture, within a per-file and a per-run cap, and asked
 * again on a later run with the validators the last answer gave (a 304
 * costs no download).
 */
#ifndef PICFETCH_H
#define PICFETCH_H

#include <stddef.h>

#include "html.h"
#include "media.h"

#define PICFETCH_MAX_FILE	(16u * 1024 * 1024)	/* --max-media-size */
#define PICFETCH_MAX_TOTAL	(1024ull * 1024 * 1024)	/* --max-media-total */
#define PICFETCH_MAX_FAILED	4096	/* URLs that failed, not asked again */

struct picfetch {
	const char		*content;
	size_t			 max_file;
	unsigned long long	 max_total;
	long			 timeout;
	int			 dry_run;
	/* Says something about a picture: the caller prefixes and prints. */
	void			(*warn)(void *, const char *);
	void			*arg;
	struct media_index	 index;
	int			 loaded;
	char			**failed;	/* this run's, not asked again */
	size_t			 nfailed;
	int			 spent;		/* the per-run cap was reached */
	char			 path[sizeof(MEDIA_PREFIX) + MEDIA_PATH_MAX];
	/* What the run did. */
	size_t			 fetched, unchanged, refused;
	unsigned long long	 bytes;
};

/* Starts a run: reads content/media/.index. 0, or -1 (said why). */
int	 picfetch_start(struct picfetch *);
/*
 * html.c's picture callback (arg: the struct picfetch): the picture in
 * the store, fetched now if need be, as "/media/<path>"; NULL when it is
 * not there (not http(s), failed, not a picture, past a cap).
 */
const char *picfetch_picture(void *arg, const struct html_picture *);
/* Ends the run: writes the index back. 0, or -1 (said why). */
int	 picfetch_finish(struct picfetch *);

#endif
