/* post.h: one post file: a header of "Key: value" lines, a blank line, a body. */
#ifndef POST_H
#define POST_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "file.h"

#define POST_MAX_SIZE	(4u * 1024 * 1024)	/* larger files are refused */
#define POST_MAX_TAGS	64
#define POST_MAX_IMAGES	16
#define POST_MAX_HEADER	1024			/* bytes in one header line */
#define POST_MAX_TAG	128			/* bytes in one tag name */

struct tag;

/*
 * A million of these are held at once: counts are as narrow as their
 * bounds allow (120 bytes a post).
 */
struct post {
	const char	 *slug;		/* file name without ".txt" */
	const char	 *title;
	const char	 *date;		/* YYYY-MM-DD */
	const char	 *author;	/* may be "" */
	const char	**tags;		/* tag names as written */
	struct tag	**tagp;		/* the same, as store tags */
	const char	**images;	/* image alt text and captions */
	/*
	 * LF line ends, no trailing blank lines. NULL in a loaded store:
	 * the text is read from the file when rendered (store_post_text()),
	 * except for a post whose last good text is kept in memory.
	 */
	const char	 *body;
	struct file_id	  id;		/* the file it was read from */
	uint32_t	  body_len;	/* at most POST_MAX_SIZE */
	uint32_t	  index;	/* position in the store, newest first */
	uint32_t	  npictures;	/* link lines to /media/ in the body */
	uint16_t	  ntags;	/* at most POST_MAX_TAGS */
	uint8_t		  nimages;	/* at most POST_MAX_IMAGES */
	uint8_t		  stale;	/* the file turned bad; this is the
					   last good version */
};

struct post_error {
	int	 line;		/* 1-based; 0 when it concerns the whole file */
	char	 msg[160];
};

/*
 * Parses text (len bytes) into p, allocating from a. Returns 0, or -1 with
 * err filled in. Strings in p live as long as the arena.
 */
int	 post_parse(struct arena *, const char *slug,
	    const char *text, size_t len, struct post *p,
	    struct post_error *err);
/*
 * Body markup beyond the light kind: a link line "=> URL text" (URL with
 * a scheme, or an absolute path; the text may be empty), and preformatted
 * blocks between two lines that start with ```.
 */
struct post_link {
	const char	*url;
	size_t		 url_len;
	const char	*text;
	size_t		 text_len;
};

/* 1 when the body line s[0..n) is a link line, with its parts in l. */
int	 post_link_line(const char *s, size_t n, struct post_link *l);
/*
 * 1 when the line s[0..n) opens a preformatted block: it starts with ```
 * and a later line of rest[0..end) closes it.
 */
int	 post_fence_opens(const char *s, size_t n, const char *rest,
	    const char *end);
/*
 * The next picture of a body: a link line to the picture store
 * ("=> /media/<path> text"), preformatted blocks skipped. *at (0 at
 * first) and *pre (0 at first) keep the place; *line (may be NULL) is
 * its line in the body, 1-based. 1 with l filled, 0 when none is left.
 */
int	 post_next_picture(const char *body, size_t len, size_t *at,
	    int *pre, size_t *line, struct post_link *l);
/* The same, without the body: p->body stays NULL (the store's lists). */
int	 post_parse_meta(struct arena *, const char *slug,
	    const char *text, size_t len, struct post *p,
	    struct post_error *err);
/* 1 when s is a valid YYYY-MM-DD calendar date. */
int	 post_valid_date(const char *);
/* 1 when slug is [a-z0-9][a-z0-9-]* and at most 128 bytes. */
int	 post_valid_slug(const char *);
/*
 * What post_parse() can make of a header, for whoever keeps posts' fields
 * elsewhere (the saved index) and must take back only what a post file
 * could have said. A value (Title, Author, Image): UTF-8 on one line, no
 * NUL, no spaces or tabs at either end, not longer than a header line;
 * empty only where may_be_empty (Author). A tag: the same, 1 to
 * POST_MAX_TAG bytes, no comma.
 */
int	 post_valid_value(const char *, int may_be_empty);
int	 post_valid_tag(const char *);
/* 1 when a post's tags are valid and none repeats (the parser drops repeats). */
int	 post_valid_tags(const char **, size_t n);

#endif
