/* gophermap.h: renders resources as Gopher menus (RFC 1436) and text. */
#ifndef GOPHERMAP_H
#define GOPHERMAP_H

#include "buf.h"
#include "router.h"
#include "store.h"

#define GOPHER_INFO_COLS	67	/* display text per info line */
#define GOPHER_TEXT_COLS	70	/* text documents wrap here */

/*
 * The pages of the routes the store makes, by route kind, as gemtext.h
 * says. Menus end with ".\r\n"; text documents have no end line.
 */
extern const route_page_fn gophermap_pages[ROUTE_KINDS];
/* One menu line: type display TAB selector TAB host TAB port CRLF. */
int	 gophermap_item(struct buf *, char, const char *, const char *,
	    const char *, int);
/*
 * Writes s[0..n) with TAB, CR, LF and other controls, C1 ones included
 * (U+0080 to U+009F), made spaces: display text for a menu field.
 */
void	 gophermap_clean(struct buf *, const char *, size_t);
/* Info lines ('i'), wrapped at GOPHER_INFO_COLS columns. */
int	 gophermap_info(struct buf *, const struct site *, const char *);
struct search_results;

/* A page of search results (or why the query was refused) as a menu. */
int	 gophermap_search(const struct store *, const struct search_results *,
	    struct buf *);
/* The menu search answers while its index is built: wait, then retry. */
int	 gophermap_search_wait(const struct store *, int, struct buf *);
/* A whole type 3 error menu. */
int	 gophermap_error(struct buf *, const char *);
/* Appends a line of a Gopher text document: CRLF, no dot-stuffing. */
int	 gophermap_text_line(struct buf *, const char *, size_t);
/* Ends a menu with ".\r\n"; a text document gets nothing. */
int	 gophermap_end(struct buf *);
int	 gophermap_text_end(struct buf *);
/* A type 3 menu naming a selector not found, with a way home. */
int	 gophermap_not_found(struct buf *, const struct site *, const char *,
	    size_t);

#endif
