/* file.h: reading a whole file, bounded, for the store and the export. */
#ifndef FILE_H
#define FILE_H

#include <stddef.h>

/*
 * Reads the regular file at path into memory the caller frees, NUL-
 * terminated. NULL with errno set: EFBIG when it is larger than max,
 * EISDIR when it is not a regular file. mtime may be NULL.
 */
char	*file_read(const char *path, size_t max, size_t *len,
	    long long *mtime);

#endif
