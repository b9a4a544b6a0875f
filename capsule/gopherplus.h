/*
 * gopherplus.h: answers to Gopher+ requests (the 1993 Gopher+ memo), for
 * clients such as UMN gopher that open a server with "TAB $".
 */
#ifndef GOPHERPLUS_H
#define GOPHERPLUS_H

#include <stddef.h>

#include "buf.h"
#include "page.h"
#include "snapshot.h"
#include "store.h"

/*
 * Writes the Gopher+ answer of kind ('+', '!' or '$') for the document
 * pg that path names: '+' is the document after a "+-1" (menus) or
 * "+-2" (texts) status line; '!' the item's attribute block; '$' on a
 * menu an attribute block for each of its items, on anything else what
 * '!' gives. Items are listed without the Gopher+ mark, so the client
 * goes on with plain requests, as it does with Gophernicus.
 */
int	 gopherplus_answer(struct snapshot *, char kind, const char *path,
	    const struct page *pg, struct buf *out);
/* A Gopher+ error ("--1", an error code, the message, "."). */
int	 gopherplus_error(const struct store *, const char *msg,
	    struct buf *out);

#endif
