/*
 * html.h: a post's HTML body to the store's light markup, on libxml2's
 * HTML parser (it copes with the broken HTML blogs hold).
 */
#ifndef HTML_H
#define HTML_H

#include <stddef.h>

#include "buf.h"

#define HTML_MAX_IMAGES		16	/* as many Image lines as a post holds */
#define HTML_MAX_IMAGE		900	/* bytes of one image's alt or caption */
#define HTML_MAX_URL		2048	/* longer links are dropped */
#define HTML_MAX_DEPTH		256	/* elements nested deeper are skipped */

/* Flags of html_to_markup. */
#define HTML_AUTOP	0x1	/* blank lines in text split paragraphs, as
				   WordPress's stored post text means them */

struct html_markup {
	struct buf	 body;		/* the markup; LF ends, no blank ends */
	char		*images[HTML_MAX_IMAGES]; /* alt texts and captions */
	size_t		 nimages;
	size_t		 nlinks;	/* link lines written */
	size_t		 dropped_images; /* past HTML_MAX_IMAGES */
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
void	 html_markup_free(struct html_markup *);

/*
 * Plain text of an HTML fragment on one line (an Atom title of type
 * html): tags dropped, entities decoded. The caller frees it; NULL when
 * out of memory.
 */
char	*html_to_text(const char *html, size_t len);

#endif
