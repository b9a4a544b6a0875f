/*
 * file.c: whole-file reads with a size limit, retried on EINTR. A store
 * file is untrusted: opened without following links and without blocking,
 * and read only once fstat(2) (or, for a listed file, its directory
 * entry) says it is a regular file.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "file.h"

char *
file_read_id(const char *path, size_t max, size_t *len, struct file_id *id)
{
	return file_read_at(AT_FDCWD, path, max, len, id);
}

char *
file_read_at(int dirfd, const char *path, size_t max, size_t *len,
    struct file_id *id)
{
	struct stat sb;
	char *data;
	size_t got = 0;
	ssize_t n;
	int fd, saved;

	/* O_NONBLOCK: opening a FIFO with no writer would wait for one. */
	if ((fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return NULL;
	if (fstat(fd, &sb) == -1)
		goto fail;
	if (!S_ISREG(sb.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	if ((size_t)sb.st_size > max) {
		errno = EFBIG;
		goto fail;
	}
	if ((data = malloc((size_t)sb.st_size + 1)) == NULL)
		goto fail;
	while (got < (size_t)sb.st_size) {
		n = read(fd, data + got, (size_t)sb.st_size - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	data[got] = '\0';
	*len = got;
	if (id != NULL) {
		file_id_of(&sb, id);
		/* What was read: a file that shrank while read is not it. */
		id->size = (long long)got;
	}
	return data;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return NULL;
}

int
file_read_listed(int dirfd, const char *name, char *buf, size_t max,
    size_t *len)
{
	ssize_t n;
	int fd, saved;

	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return -1;
	do
		n = read(fd, buf, max + 1);
	while (n == -1 && errno == EINTR);
	saved = errno;
	close(fd);
	if (n == -1) {
		errno = saved;
		return -1;
	}
	if ((size_t)n > max) {
		errno = EFBIG;
		return -1;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	return 0;
}

char *
file_read(const char *path, size_t max, size_t *len, long long *mtime)
{
	struct file_id id;
	char *data;

	if ((data = file_read_id(path, max, len, &id)) != NULL &&
	    mtime != NULL)
		*mtime = id.mtime_ns / 1000000000LL;
	return data;
}

void
file_id_of(const struct stat *sb, struct file_id *id)
{
	id->dev = (unsigned long long)sb->st_dev;
	id->ino = (unsigned long long)sb->st_ino;
	id->size = (long long)sb->st_size;
	id->mtime_ns = (long long)sb->st_mtim.tv_sec * 1000000000LL +
	    sb->st_mtim.tv_nsec;
	id->ctime_ns = (long long)sb->st_ctim.tv_sec * 1000000000LL +
	    sb->st_ctim.tv_nsec;
}

void
file_id_read(struct file_id *id, unsigned long long dev,
    unsigned long long ino, long long size, long long before_ns)
{
	id->dev = dev;
	id->ino = ino;
	id->size = size;
	id->mtime_ns = FILE_ID_READ;
	id->ctime_ns = before_ns;
}

int
file_id_same(const struct file_id *a, const struct file_id *b)
{
	const struct file_id *t;

	if (b->mtime_ns == FILE_ID_READ) {
		t = a;
		a = b;
		b = t;
	}
	/*
	 * Known by a read, against a file's fstat(2): the same while nothing
	 * has changed it since. (Two such identities: the same record.)
	 */
	if (a->mtime_ns == FILE_ID_READ && b->mtime_ns != FILE_ID_READ)
		return a->dev == b->dev && a->ino == b->ino &&
		    a->size == b->size && b->ctime_ns < a->ctime_ns;
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	    a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

const char *
file_strerror(int e)
{
	switch (e) {
	case ELOOP:
		return "a symbolic link (refused: it could point outside "
		    "the store)";
	case EISDIR:
		return "not a regular file";
	case EFBIG:
		return "file too large";
	default:
		return strerror(e);
	}
}

int
file_mkdirs(const char *dir)
{
	char path[4096], *slash;
	struct stat sb;

	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (slash = path + 1; (slash = strchr(slash, '/')) != NULL;
	    slash++) {
		*slash = '\0';
		(void)mkdir(path, 0700);
		*slash = '/';
	}
	if (mkdir(path, 0700) == -1 && errno != EEXIST)
		return -1;
	if (stat(path, &sb) == -1)
		return -1;
	if (!S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int
file_write_atomic(const char *path, char *tmpl, const char *data,
    size_t len, int sync)
{
	size_t at = 0;
	ssize_t n = 0;
	int fd, saved;

	if ((fd = mkstemp(tmpl)) == -1)
		return -1;
	while (at < len) {
		n = write(fd, data + at, len - at);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		at += (size_t)n;
	}
	if (at < len || fchmod(fd, 0644) == -1 || (sync && fsync(fd) == -1)) {
		saved = at < len && n == 0 ? EIO : errno;
		close(fd);
		unlink(tmpl);
		errno = saved;
		return -1;
	}
	if (close(fd) == -1 || rename(tmpl, path) == -1) {
		saved = errno;
		unlink(tmpl);
		errno = saved;
		return -1;
	}
	return 0;
}
