/* file.h: reading a whole file, bounded, for the store and the export. */
#ifndef FILE_H
#define FILE_H

#include <stddef.h>

/*
 * Who a file is: a post read under the same identity has not changed, so
 * what was learnt from it (in memory or in the saved index) still holds.
 */
struct file_id {
	unsigned long long	 dev;
	unsigned long long	 ino;
	long long		 size;
	long long		 mtime_ns;	/* or FILE_ID_READ */
	long long		 ctime_ns;	/* an mtime put back still moves it */
};

/*
 * The mtime of a file known only by a read of it, without fstat(2)
 * (file_id_read()): ctime_ns is then a time its last change came before.
 */
#define FILE_ID_READ	(-0x7fffffffffffffffLL - 1)

/*
 * Reads the regular file at path into memory the caller frees, NUL-
 * terminated. It never follows a symbolic link (ELOOP) and never blocks
 * on a FIFO or device (EISDIR: not a regular file). NULL with errno set:
 * EFBIG when it is larger than max. mtime may be NULL.
 */
char	*file_read(const char *path, size_t max, size_t *len,
	    long long *mtime);
/* The same, filling in the identity of the file read (id may be NULL). */
char	*file_read_id(const char *path, size_t max, size_t *len,
	    struct file_id *id);
/*
 * The same, path relative to the directory dirfd (AT_FDCWD: the current
 * one): a store read by name from its open directory spares resolving
 * the whole path for each of a million files.
 */
char	*file_read_at(int dirfd, const char *path, size_t max, size_t *len,
	    struct file_id *id);
/*
 * Reads name in dirfd, listed as a regular file, into buf (max + 2 bytes:
 * room to see it is larger, and a NUL): an open, a read and a close, the
 * fewest system calls a file can take, for a cold start's million. Not
 * followed if a link, never blocking; a read shorter than asked is the
 * end of a regular file. 0 with *len set, or -1 with errno (EFBIG: larger
 * than max).
 */
int	 file_read_listed(int dirfd, const char *name, char *buf, size_t max,
	    size_t *len);
struct stat;

/* The identity of the file sb describes. */
void	 file_id_of(const struct stat *, struct file_id *);
/*
 * The identity of a file read by file_read_listed(): its device, inode
 * (as listed) and size, and a time (CLOCK_REALTIME_COARSE, taken before
 * the read began) that its last change came before. It stays the same
 * file while its ctime, which the kernel moves on every change, is older.
 */
void	 file_id_read(struct file_id *, unsigned long long dev,
	    unsigned long long ino, long long size, long long before_ns);
/* 1 when both name the same unchanged file. */
int	 file_id_same(const struct file_id *, const struct file_id *);
/*
 * Writes len bytes of data to path so that no reader ever sees half of
 * it: into a new file named by tmpl (a mkstemp(3) template, "XXXXXX" at
 * its end, in path's directory), mode 0644, synced when sync is set,
 * then renamed over path. 0, or -1 with errno (the temporary file gone).
 */
int	 file_write_atomic(const char *path, char *tmpl, const char *data,
	    size_t len, int sync);
/* Makes dir and any parent missing, private to the user; 0 or -1. */
int	 file_mkdirs(const char *dir);
/* A message for errno after file_read() failed. */
const char *file_strerror(int);

#endif
