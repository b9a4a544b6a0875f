/*
 * html.h: a post's HTML body to the store's light markup, on libxml2's
 * HTML parser (it copes with the broken HTML blogs hold).
 */
#ifndef HTML_H
#define HTML_H

#include <stddef.h>

#include "buf.h"

#define HTML_MAX_IMAGE		900	/* bytes of one picture's alt or caption */
#define HTML_MAX_URL		2048	/* longer links are dropped */
#define HTML_MAX_DEPTH		256	/* elements nested deeper are skipped */
#define HTML_MAX_WARNINGS	8	/* distinct warnings kept for the caller */

/* Flags of html_to_markup. */
#define HTML_AUTOP	0x1	/* blank lines in text split paragraphs, as
				   WordPress's stored post text means them */

/*
 * A picture the post shows (<img>, in a figure, a [caption], a gallery),
 * as html.c reports it to its caller: the picture's absolute URL, its
 * alt text and its caption ("" when it has none). The picture becomes a
 * link line in its place, "=> URL text", text the alt, else the caption;
 * a caption unlike the text follows as a line of its own.
 */
struct html_picture {
	const char	*url;
	const char	*alt;
	const char	*caption;
};

/*
 * Called once for each picture; returns what to write in place of its
 * URL (a local path such as "/media/2019/09/a.jpg", valid until the next
 * call), or NULL to keep the URL.
 */
typedef const char *(*html_picture_fn)(void *arg,
    const struct html_picture *);

struct html_options {
	const char	*base;		/* relative links resolve on it; NULL:
					   they are dropped */
	int		 flags;		/* HTML_AUTOP */
	size_t		 max;		/* bytes of markup at most */
	html_picture_fn	 picture;	/* may be NULL */
	void		*arg;
};

struct html_markup {
	struct buf	 body;		/* the markup; LF ends, no blank ends */
	size_t		 nlinks;	/* link lines written */
	size_t		 npictures;	/* of which pictures */
	/* What the caller should tell the user (a shortcode dropped). */
	char		*warnings[HTML_MAX_WARNINGS];
	size_t		 nwarnings;
};

/*
 * Converts len bytes of UTF-8 HTML (a fragment: a post body) into m, which
 * the caller frees with html_markup_free(). Relative links resolve against
 * base (may be NULL: then they are dropped). Returns 0, or -1 with err
 * set (out of memory, or a body larger than max bytes).
 */
int	 html_to_markup(const char *html, size_t len, const char *base,
	    int flags, size_t max, struct html_markup *m, char *err,
	    size_t errsz);
/* The same, with each picture reported to o->picture. */
int	 html_convert(const char *html, size_t len,
	    const struct html_options *o, struct html_markup *m, char *err,
	    size_t errsz);
void	 html_markup_free(struct html_markup *);

/*
 * Plain text of an HTML fragment on one line (an Atom title of type
 * html): tags dropped, entities decoded. The caller frees it; NULL when
 * out of memory.
 */
char	*html_to_text(const char *html, size_t len);

#endif
