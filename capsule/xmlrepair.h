/*
 * xmlrepair.h: a feed's bytes mended where feed readers are tolerant, so
 * that libxml2 can then read them strictly (xmlrepair.c). What it mends
 * is counted, with the line of the first of each kind, for the warnings.
 */
#ifndef XMLREPAIR_H
#define XMLREPAIR_H

#include <stddef.h>

#define XMLREPAIR_MAX_NAME	32	/* an entity name kept for a message */

/* One kind of repair: how many, and where and what the first was. */
struct xmlrepair_count {
	size_t	 n;
	size_t	 line;			/* 1-based, in the bytes as given */
	char	 what[XMLREPAIR_MAX_NAME + 4];	/* "&nbsp;", "0x92" ... */
};

struct xmlrepair {
	char		*data;		/* mended bytes (free(3)), or NULL:
					   the input needed nothing */
	size_t		 len;
	const char	*encoding;	/* what libxml2 must read data as
					   ("UTF-8"), or NULL: as it says */
	int		 moved_decl;	/* white space before <?xml taken */
	size_t		 lead_lines;	/* out: so many lines of it */
	int		 wide;		/* UTF-16/32 or EBCDIC: left alone */
	struct xmlrepair_count html_entity;	/* &nbsp; as &#160; */
	struct xmlrepair_count unknown_entity;	/* &foo; kept as text */
	struct xmlrepair_count bare_amp;	/* & as &amp; */
	struct xmlrepair_count bad_ref;		/* &#0; as U+FFFD */
	struct xmlrepair_count cp1252_ref;	/* &#146; as U+2019 */
	struct xmlrepair_count cp1252_byte;	/* 0x92 in "Latin-1" */
	struct xmlrepair_count bad_byte;	/* not UTF-8: U+FFFD */
	struct xmlrepair_count control;		/* C0 controls: U+FFFD */
	size_t		 utf8_chars;	/* UTF-8 read well past ASCII */
	char		 declared[XMLREPAIR_MAX_NAME];	/* its encoding */
};

/*
 * Mends len bytes into r (which the caller frees with xmlrepair_free):
 * whitespace before the XML declaration; HTML entities XML does not
 * know, as character references; a bare & as &amp;; character references
 * to 128-159 as Windows-1252's characters, and so 0x80-0x9F bytes in a
 * feed that says ISO-8859-1 (or US-ASCII); bytes that are not UTF-8 in a
 * UTF-8 feed, and control characters XML forbids, as U+FFFD. CDATA
 * sections, comments and the DOCTYPE keep their & as they are. Line ends
 * are kept, so libxml2's line numbers stay those of the input. Returns
 * 0, or -1 when out of memory or the result would be too large.
 */
int	 xmlrepair(const char *in, size_t len, struct xmlrepair *r);
void	 xmlrepair_free(struct xmlrepair *);

#endif
