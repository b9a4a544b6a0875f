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

#endif
