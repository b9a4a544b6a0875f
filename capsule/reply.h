/* reply.h: one response, a head we format and a body we may not own. */
#ifndef REPLY_H
#define REPLY_H

#include <stddef.h>

#include "buf.h"
#include "page.h"
#include "url.h"

/* The longest head: a status, a space, a 1024-byte meta and CRLF. */
#define REPLY_HEAD_MAX	(URL_MAX + 8)

struct snapshot;

struct reply {
	struct snapshot	*snap;		/* the body may point into its cache */
	struct page	 page;		/* valid when has_page */
	int		 has_page;
	struct buf	 own;		/* a body made here: errors, links */
	char		 head[REPLY_HEAD_MAX];
	size_t		 headlen;
	const char	*body;
	size_t		 bodylen;
	/* When set: head and body already side by side, to send as one. */
	const char	*wire;
	size_t		 wirelen;
	int		 status;	/* Gemini status, or its Gopher twin */
	/*
	 * When has_file: a picture, sent after head and body from its open
	 * file in bounded chunks (conn.c), never through the page cache.
	 */
	int		 has_file;
	int		 file_fd;
	long long	 file_size;
};

void	 reply_init(struct reply *);
/* Gives back the page, the buffer and the snapshot reference. */
void	 reply_release(struct reply *);
/* Sets the body to what r->own holds. */
void	 reply_own_body(struct reply *);

struct store;
/*
 * A path under /media/: its picture opened into r (has_file, file_fd,
 * file_size) and its MIME type and Gopher item type given. Returns 1
 * then; 0 when the path is not under /media/ (answer it as a page); -1
 * when it names no picture of the store (not found).
 */
int	 reply_picture(struct reply *, const struct store *, const char *path,
	    size_t len, const char **mime);

#endif
