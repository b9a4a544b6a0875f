/*
 * reply.c: the response both protocols hand to the server. It keeps the
 * snapshot reference with the body, so a body that points into a snapshot's
 * cache cannot outlive the snapshot.
 */
#include <string.h>
#include <unistd.h>

#include "media.h"
#include "reply.h"
#include "router.h"
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
	if (r->has_file)
		close(r->file_fd);
	r->has_file = 0;
	snapshot_unref(r->snap);
	r->snap = NULL;
	r->body = "";
	r->bodylen = 0;
	r->wire = NULL;
	r->wirelen = 0;
}

int
reply_picture(struct reply *r, const struct store *st, const char *path,
    size_t len, const char **mime)
{
	struct media_file mf;
	struct route rt;

	if (len < sizeof(MEDIA_PREFIX) - 1 ||
	    memcmp(path, MEDIA_PREFIX, sizeof(MEDIA_PREFIX) - 1) != 0)
		return 0;
	router_match(st, path, len, &rt);
	if (rt.kind != ROUTE_MEDIA || media_open(st->dir, rt.target,
	    strlen(rt.target), &mf) == -1)
		return -1;
	r->has_file = 1;
	r->file_fd = mf.fd;
	r->file_size = mf.size;
	*mime = media_mime(mf.type);
	return 1;
}

void
reply_own_body(struct reply *r)
{
	r->body = r->own.len > 0 ? r->own.data : "";
	r->bodylen = r->own.len;
}
