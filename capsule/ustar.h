/* ustar.h: writes ustar archives (files and directories), pax for long paths. */
#ifndef USTAR_H
#define USTAR_H

#include <stdio.h>
#include <sys/types.h>

#define USTAR_BLOCK	512
#define USTAR_RECORD	(20 * USTAR_BLOCK)	/* archives end on a record */

struct ustar {
	FILE	*f;		/* the caller opens and closes it */
	off_t	 written;
	int	 err;		/* sticky: set once a write failed */
};

void	 ustar_init(struct ustar *, FILE *);
/*
 * Adds a directory (path ends without '/'; one is added) or a file of
 * len bytes. A path that does not fit the ustar name and prefix fields
 * gets a pax extended header. Returns 0, or -1 with errstr set: a path
 * longer than 4096 bytes, or a write error.
 */
int	 ustar_dir(struct ustar *, const char *, long long mtime,
	    const char **errstr);
int	 ustar_file(struct ustar *, const char *, const void *, size_t,
	    long long mtime, const char **errstr);
/* Writes the two zero blocks and pads to a whole record. */
int	 ustar_finish(struct ustar *);

#endif
