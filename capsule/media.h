/*
 * media.h: the picture store, content/media/. Where a picture goes and
 * its name (the site's upload path, made safe), its type from its bytes,
 * writing one atomically, the import's index of where each came from,
 * and opening one for serving with bounded reads. The page cache never
 * holds a picture: it is sent from its file.
 */
#ifndef MEDIA_H
#define MEDIA_H

#include <stddef.h>

#define MEDIA_DIR		"media"	/* under the content directory */
#define MEDIA_PREFIX		"/media/"	/* the path it is served at */
#define MEDIA_PATH_MAX		640	/* bytes of a path under media/ */
#define MEDIA_SEGMENT_MAX	100	/* bytes of one name in it, before
					   a hash and an extension */
#define MEDIA_DEPTH_MAX		6	/* names in a path */
#define MEDIA_SNIFF		12	/* bytes media_type() looks at */
#define MEDIA_INDEX		".index"	/* the import's sidecar in media/ */

enum media_type {
	MEDIA_NONE,		/* not a picture we serve */
	MEDIA_JPEG,
	MEDIA_PNG,
	MEDIA_GIF,
	MEDIA_WEBP,
};

/* The type the first bytes of a file say, by their magic numbers. */
enum media_type media_type(const void *, size_t);
/* "image/jpeg" ..., "application/octet-stream" for MEDIA_NONE. */
const char	*media_mime(enum media_type);
/* The Gopher item type: 'g' for a GIF, 'I' for other pictures. */
char		 media_gopher_type(enum media_type);
/* The type a name's extension says (.jpg, .png, ...), for menus. */
enum media_type	 media_type_of_name(const char *, size_t);

/*
 * The path under media/ (no leading slash) for a picture's URL, into
 * out: WordPress's upload path when the URL has one
 * (.../wp-content/uploads/2019/09/a.jpg -> 2019/09/a.jpg), else the
 * host and the URL's path. Bytes other than letters, digits, '.', '_'
 * and '-' become '-', no name starts with '.', long names are cut; when
 * anything was changed, or salt is non-zero (a name another URL holds),
 * a hash of the URL keeps the name apart. The extension is made type's
 * when it says another (type MEDIA_NONE: left as it is). Returns 0, or
 * -1 when the URL has no host.
 */
int	 media_name(const char *url, enum media_type, unsigned salt,
	    char *out, size_t outsz);
/* 1 when rel (len bytes) is a path media_name() can make: safe to open. */
int	 media_valid_path(const char *rel, size_t len);

/*
 * Writes len bytes to content/media/<rel>, making its directories: a
 * temporary file beside it, synced, renamed over it. 0, or -1 with errno.
 */
int	 media_write(const char *content, const char *rel, const void *,
	    size_t len);
/* 1 when content/media/<rel> holds exactly these bytes. */
int	 media_same(const char *content, const char *rel, const void *,
	    size_t len);
/* 1 when content/media/<rel> is a regular file. */
int	 media_exists(const char *content, const char *rel);

/*
 * A picture open for sending: the caller reads it in bounded chunks
 * from fd (offset 0 on) and closes it.
 */
struct media_file {
	int		 fd;
	long long	 size;
	enum media_type	 type;
};

/*
 * Opens content/media/<rel> (rel as the request had it, percent-decoded)
 * for reading: a regular file, never through a symbolic link, whose
 * first bytes are a picture's. 0, or -1 with errno (ENOENT also for a
 * path media_name() cannot make and for a symbolic link on the way;
 * EINVAL for a file that is not a picture).
 */
int	 media_open(const char *content, const char *rel, size_t len,
	    struct media_file *);

/*
 * The import's index, content/media/.index: for each picture URL, its
 * path and the validators its last answer gave, so that a re-run asks
 * "changed since?" (If-None-Match, If-Modified-Since) and a 304 costs
 * no download. One line each: path TAB url TAB etag TAB last-modified.
 */
struct media_entry {
	char	*url;
	char	*path;
	char	*etag;		/* "" when none */
	char	*modified;	/* "" when none */
	int	 seen;		/* asked for in this run */
};

struct media_index {
	struct media_entry	*e;
	size_t			 n, cap;
	size_t			*by_url;	/* hash slots: entry + 1 */
	size_t			*by_path;
	size_t			 nslots;	/* a power of two */
	int			 dirty;
};

/* Reads the index (a missing one is empty). 0, or -1 with errno. */
int	 media_index_load(struct media_index *, const char *content);
/* Writes it back atomically when it changed. 0, or -1 with errno. */
int	 media_index_save(struct media_index *, const char *content);
void	 media_index_free(struct media_index *);
struct media_entry *media_index_url(struct media_index *, const char *url);
struct media_entry *media_index_path(struct media_index *, const char *path);
/* Adds or replaces the entry of url. NULL when out of memory. */
struct media_entry *media_index_set(struct media_index *, const char *url,
	    const char *path, const char *etag, const char *modified);

#endif
