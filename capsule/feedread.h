/*
 * feedread.h: `capsule import` reading a source: WXR, RSS or Atom bytes
 * into entries (feedread.c), handed to import.c one at a time.
 */
#ifndef FEEDREAD_H
#define FEEDREAD_H

#include <stddef.h>

struct import;

/* Once per run, around every feedread(): libxml2's set-up. */
void	 feedread_init(void);
void	 feedread_cleanup(void);
/*
 * Reads one source's bytes (type: its Content-Type, or NULL) and hands
 * each entry to import_finish(). Problems are warned about and counted
 * in the import's errors.
 */
void	 feedread(struct import *, const char *data, size_t len,
	    const char *type);

/*
 * When data is an HTML page that links its feed, that feed's absolute
 * http(s) URL (resolved against base) into out: 0, else -1.
 */
int	 feedread_html_feed(const char *data, size_t len, const char *base,
	    char *out, size_t outsz);

#endif
