/*
 * gopherplus.c: Gopher+ answers. Only the UMN gopher client still asks
 * (it opens a server with "TAB $" and shows "Nothing available" for a
 * plain menu). Like Gophernicus, capsule answers with attribute blocks
 * whose items carry no Gopher+ mark, so every later request is plain
 * RFC 1436 and every other client sees no difference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gophermap.h"
#include "gopherplus.h"
#include "router.h"
#include "utf8.h"

#define GOPHERPLUS_FIELD_MAX	(URL_PATH_MAX + 8)	/* selector, host */
#define GOPHERPLUS_MAX_ITEMS	10000	/* attribute blocks in one answer */

/* The newest date of what a route shows, or NULL. */
static const char *
gopherplus_date(const struct store *st, const struct route *r)
{
	switch (r->kind) {
	case ROUTE_POST:
		return r->post->date;
	case ROUTE_TAG:
	case ROUTE_TAG_ATOM:
		return r->tag->nposts > 0 ? r->tag->posts[0]->date : NULL;
	case ROUTE_YEAR:
		return st->posts[st->months[r->year->first_month].first]->date;
	case ROUTE_MONTH:
		return st->posts[r->month->first]->date;
	case ROUTE_HOME:
	case ROUTE_TAGS:
	case ROUTE_POSTS:
	case ROUTE_ATOM:
		return st->nposts > 0 ? st->posts[0]->date : NULL;
	default:
		return NULL;
	}
}

/* What a menu would call the document a route names. */
static const char *
gopherplus_title(const struct store *st, const struct route *r)
{
	switch (r->kind) {
	case ROUTE_HOME:
		return st->settings.title;
	case ROUTE_TAGS:
		return "All tags";
	case ROUTE_POSTS:
		return "All posts";
	case ROUTE_YEAR:
	case ROUTE_MONTH:
		return "Posts by date";
	case ROUTE_TAG:
		return r->tag->name;
	case ROUTE_POST:
		return r->post->title;
	case ROUTE_ATOM:
		return "Atom feed";
	case ROUTE_TAG_ATOM:
		return "Atom feed of this tag";
	case ROUTE_ROBOTS:
		return "robots.txt";
	case ROUTE_SEARCH:
		return "Search the archive";
	default:
		return "";
	}
}

/* Field i (0: type and display) of a menu line, copied into out. */
static int
gopherplus_field(const char *line, size_t n, int i, char *out, size_t outsz)
{
	const char *s = line, *end = line + n, *tab;
	size_t len;

	while (i-- > 0) {
		if ((tab = memchr(s, '\t', end - s)) == NULL)
			return -1;
		s = tab + 1;
	}
	if ((tab = memchr(s, '\t', end - s)) == NULL)
		tab = end;
	len = (size_t)(tab - s);
	if (len >= outsz)
		return -1;
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

/* Who answers for the site, and where: "Author <gopher://host:port/>". */
static void
gopherplus_admin(const struct store *st, struct buf *b)
{
	const char *who = st->settings.author[0] != '\0' ?
	    st->settings.author : st->settings.title;

	gophermap_clean(b, who, strlen(who));
	buf_printf(b, " <gopher://%s:%d/>", st->site.host,
	    st->site.gopher_port);
}

/* "<512b>" or "<12k>", as the memo writes sizes. */
static void
gopherplus_size(struct buf *b, size_t n)
{
	if (n < 1024)
		buf_printf(b, " <%zub>", n);
	else
		buf_printf(b, " <%zuk>", (n + 1023) / 1024);
}

/*
 * The attribute block of one menu line (n bytes, no CRLF): +INFO, and
 * for a document of ours +ADMIN (who, and the newest date it shows) and
 * +VIEWS (its type and size).
 */
static void
gopherplus_block(struct snapshot *sn, const char *line, size_t n,
    struct buf *b)
{
	const struct store *st = sn->store;
	char sel[GOPHERPLUS_FIELD_MAX], host[GOPHERPLUS_FIELD_MAX];
	char port[16];
	const char *date, *view;
	struct route r;
	struct page pg;
	char type = n > 0 ? line[0] : 'i';

	buf_puts(b, "+INFO: ");
	buf_add(b, line, n);
	buf_puts(b, "\r\n");
	if (type == 'i' || type == '3' ||
	    gopherplus_field(line, n, 1, sel, sizeof(sel)) == -1 ||
	    gopherplus_field(line, n, 2, host, sizeof(host)) == -1 ||
	    gopherplus_field(line, n, 3, port, sizeof(port)) == -1 ||
	    strcmp(host, st->site.host) != 0 ||
	    atoi(port) != st->site.gopher_port)
		return;
	buf_puts(b, "+ADMIN:\r\n Admin: ");
	gopherplus_admin(st, b);
	buf_puts(b, "\r\n");
	router_match(st, sel, strlen(sel), &r);
	if ((date = gopherplus_date(st, &r)) != NULL)
		buf_printf(b, " Mod-Date: %s <%.4s%.2s%.2s000000>\r\n", date,
		    date, date + 5, date + 8);
	view = type == '0' ? "text/plain" : "application/gopher+-menu";
	buf_printf(b, "+VIEWS:\r\n %s:", view);
	/* A search answer depends on words the client has not given yet. */
	if (type != '7' && page_get(sn, PROTO_GOPHER, sel, strlen(sel), NULL,
	    &pg) == 0) {
		if (pg.status == 20)
			gopherplus_size(b, pg.len);
		page_release(&pg);
	}
	buf_puts(b, "\r\n");
}

int
gopherplus_answer(struct snapshot *sn, char kind, const char *path,
    const struct page *pg, struct buf *out)
{
	const struct store *st = sn->store;
	const char *s, *end, *nl;
	struct route r;
	size_t nitems = 0, start = out->len;

	if (kind == '+') {
		/* A menu ends with its "." line; a text runs to the close. */
		buf_puts(out, pg->gopher_type == '1' ? "+-1\r\n" : "+-2\r\n");
		buf_add(out, pg->body, pg->len);
		return out->err ? -1 : 0;
	}
	buf_puts(out, "+-1\r\n");
	if (kind == '$' && pg->gopher_type == '1') {
		for (s = pg->body, end = pg->body + pg->len; s < end &&
		    nitems++ < GOPHERPLUS_MAX_ITEMS; s = nl + 1) {
			if ((nl = memchr(s, '\n', end - s)) == NULL)
				nl = end;
			if (nl - s == 2 && s[0] == '.')
				break;
			gopherplus_block(sn, s, nl > s && nl[-1] == '\r' ?
			    (size_t)(nl - s - 1) : (size_t)(nl - s), out);
		}
	} else {
		struct buf item;

		/* '!', or '$' on a text: the item itself. */
		router_match(st, path, strlen(path), &r);
		buf_init(&item);
		/* A title or tag name is display text: no TAB adds a field. */
		if (gophermap_item(&item, pg->gopher_type,
		    gopherplus_title(st, &r), path, st->site.host,
		    st->site.gopher_port) == 0)
			gopherplus_block(sn, item.data, item.len - 2, out);
		buf_free(&item);
	}
	buf_puts(out, ".\r\n");
	if (out->err)
		return -1;
	/* Every document gets the one defang, as page_render() does. */
	utf8_defang(out->data + start, out->len - start);
	return 0;
}

int
gopherplus_error(const struct store *st, const char *msg, struct buf *out)
{
	size_t start = out->len;

	/* Error code 1: the item is not available. */
	buf_puts(out, "--1\r\n1 ");
	if (st != NULL)
		gopherplus_admin(st, out);
	buf_puts(out, "\r\n");
	gophermap_clean(out, msg, strlen(msg));
	buf_puts(out, "\r\n.\r\n");
	if (out->err)
		return -1;
	utf8_defang(out->data + start, out->len - start);
	return 0;
}
