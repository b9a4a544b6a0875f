/*
 * catalog.h: what loading the store learnt, saved in the cache directory
 * so a restart reads only the post files that changed since. Each post's
 * entry is keyed by its file's device, inode, size and mtime; the file
 * is only a hint: a missing, corrupt, foreign or stale one is ignored and
 * the store is read from its files.
 */
#ifndef CATALOG_H
#define CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define CATALOG_MAX_SIZE	(1024u * 1024 * 1024)	/* bytes read */

/*
 * The cache directory to use when none is given: $CAPSULE_CACHE_DIR, else
 * $XDG_CACHE_HOME/capsule, else $HOME/.cache/capsule; "" when none is set.
 */
void		 catalog_default_dir(char *out, size_t outsz);
/* The index file of the store in dir, under cache_dir; 0 or -1. */
int		 catalog_path(const char *cache_dir, const char *dir, char *out,
		    size_t outsz);
/*
 * The saved store of dir, as a store to pass to store_update() as prev
 * (posts and their identities only, no tags). NULL, with why, when there
 * is none or it cannot be trusted.
 */
struct store	*catalog_load(const char *path, const char *dir,
		    const char **why);
/* The index's checksum of len bytes (also names a store's index file). */
uint64_t	 catalog_sum(const void *, size_t);
/* Writes st to path (a temporary file, then renamed); 0 or -1 (errno). */
int		 catalog_save(const struct store *st, const char *path);

#endif
