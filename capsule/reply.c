/*
 * reply.c: the response both protocols hand to the server. It keeps the
 * snapshot reference with the body, so a body that points into a snapshot's
 * cache cannot outlive the snapshot.
 */
#include <string.h>

#include "reply.h"
#include "snapshot.h"

void
reply_init(struct reply *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->own);
	r->body = "";
}

void
reply_release(struct reply *r)
{
	if (r->has_page)
		page_release(&r->page);
	r->has_page = 0;
	buf_free(&r->own);
	snapshot_unref(r->snap);
	r->snap = NULL;
	r->body = "";
	r->bodylen = 0;
	r->wire = NULL;
	r->wirelen = 0;
}

void
reply_own_body(struct reply *r)
{
	r->body = r->own.len > 0 ? r->own.data : "";
	r->bodylen = r->own.len;
}
