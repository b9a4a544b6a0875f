/*
 * watch.h: follows the content directory with libuv's fs events and says
 * when a burst of changes has settled, with the names that changed.
 */
#ifndef WATCH_H
#define WATCH_H

#include <stddef.h>

#include <uv.h>

#define WATCH_SETTLE_MS		50	/* quiet time that ends a burst: an
					   editor's save takes a few ms */
#define WATCH_MAX_WAIT_MS	1000	/* a burst that never ends, at most */
#define WATCH_MAX_NAMES		1024	/* more: look at every file */
#define WATCH_PARENT_READS	16	/* reads of parent events per wakeup */

struct watch;

/* Called on the loop when changes have settled; take them with watch_take. */
typedef void (*watch_settled_cb)(void *);

/*
 * Watches dir on loop. NULL with errno-style code in *err when the
 * directory cannot be watched (SIGHUP still rescans then).
 */
struct watch	*watch_start(uv_loop_t *, const char *dir, watch_settled_cb,
		    void *, int *err);
/* Asks for a look at every file (SIGHUP), as if all had changed. */
void		 watch_rescan(struct watch *);
/*
 * Hands over what changed since the last take, once it has settled: 1
 * with *names (n of them, the caller frees with watch_free_names; NULL
 * when every file must be looked at), 0 when nothing is ready.
 */
int		 watch_take(struct watch *, char ***names, size_t *n);
void		 watch_free_names(char **, size_t);
/* Closes the handles; the watch is freed once they are closed. */
void		 watch_stop(struct watch *);

#endif
