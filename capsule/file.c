/* file.c: whole-file reads with a size limit, retried on EINTR. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "file.h"

char *
file_read(const char *path, size_t max, size_t *len, long long *mtime)
{
	struct stat sb;
	char *data;
	size_t got = 0;
	ssize_t n;
	int fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
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
	if (mtime != NULL)
		*mtime = (long long)sb.st_mtime;
	return data;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return NULL;
}
