/*
 * gopher.c: the Gopher side of a request. Gopher has no status line, so
 * every refusal is an error menu: a client always gets an answer it can
 * show, never a dropped connection.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gophermap.h"
#include "gopher.h"
#include "gopherplus.h"
#include "page.h"
#include "snapshot.h"

enum gopher_framing
gopher_request_end(const char *buf, size_t len, size_t *linelen)
{
	const char *lf = memchr(buf, '\n', len);
	size_t n;

	if (lf == NULL)
		return len >= GOPHER_REQUEST_MAX ? GOPHER_TOO_LONG :
		    GOPHER_MORE;
	n = (size_t)(lf - buf);
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	if (n > GOPHER_LINE_MAX)
		return GOPHER_TOO_LONG;
	*linelen = n;
	return GOPHER_LINE;
}

/*
 * "+", "!", "$" or "+<view>" in the field after a TAB: a Gopher+ request,
 * as its first character; 0 when the field is a search string.
 */
static char
gopher_plus_kind(const char *s, size_t n)
{
	if (n == 1 && (s[0] == '+' || s[0] == '!' || s[0] == '$'))
		return s[0];
	return n > 1 && s[0] == '+' && memchr(s, ' ', n) == NULL ? '+' : 0;
}

void
gopher_parse(const char *line, size_t len, struct gopher_request *g)
{
	const char *tab, *f2, *tab2;
	size_t n2;

	memset(g, 0, sizeof(*g));
	g->selector = line;
	if ((tab = memchr(line, '\t', len)) == NULL) {
		g->sellen = len;
		return;
	}
	g->sellen = (size_t)(tab - line);
	f2 = tab + 1;
	n2 = len - g->sellen - 1;
	if ((tab2 = memchr(f2, '\t', n2)) != NULL) {
		/* selector TAB search TAB +: a Gopher+ search. */
		g->plus = (size_t)(tab2 - line) + 1 < len &&
		    (tab2[1] == '!' || tab2[1] == '$') ? tab2[1] : '+';
		n2 = (size_t)(tab2 - f2);
	} else if ((g->plus = gopher_plus_kind(f2, n2)) != 0)
		return;
	g->search = f2;
	g->searchlen = n2;
}

static void
gopher_html_escape(struct buf *b, const char *s, size_t n)
{
	const char *ent;
	size_t i;

	for (i = 0; i < n; i++) {
		if ((ent = buf_xml_entity(s[i])) != NULL)
			buf_puts(b, ent);
		else
			buf_putc(b, s[i]);
	}
}

/* The schemes a URL: page may send a browser to. */
static const char *const gopher_url_schemes[] = {
	"http", "https", "gemini", "gopher", "gophers", "ftp", "mailto",
	"finger", "spartan", "irc", "ircs", "news", "nntp", "telnet",
};

static int
gopher_url_scheme_ok(const char *url, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(gopher_url_schemes) /
	    sizeof(gopher_url_schemes[0]); i++)
		if (strlen(gopher_url_schemes[i]) == n &&
		    strncasecmp(url, gopher_url_schemes[i], n) == 0)
			return 1;
	return 0;
}

/*
 * "URL:<url>" selectors link out of Gopherspace; clients that cannot
 * follow them fetch this page, which sends a browser on (the convention
 * RFC 4266 section 5 refers to).
 */
static void
gopher_url_page(struct reply *r, const char *url, size_t n)
{
	const char *colon = memchr(url, ':', n);
	size_t i, scheme = colon ? (size_t)(colon - url) : n;

	/* The selector is not NUL-terminated: only n bytes are ours. */
	if (scheme >= n || scheme == 0 || !isalpha((unsigned char)url[0])) {
		gopher_error(r, 59, "Not a URL");
		return;
	}
	for (i = 0; i < scheme; i++)
		if (!isalnum((unsigned char)url[i]) &&
		    strchr("+-.", url[i]) == NULL) {
			gopher_error(r, 59, "Not a URL");
			return;
		}
	/* Only schemes that name a place: no javascript:, vbscript:, data:. */
	if (!gopher_url_scheme_ok(url, scheme)) {
		gopher_error(r, 59, "Refused URL scheme");
		return;
	}
	for (i = 0; i < n; i++) {
		if ((unsigned char)url[i] < 0x20 || url[i] == 0x7f) {
			gopher_error(r, 59, "Not a URL");
			return;
		}
	}
	buf_puts(&r->own, "<!DOCTYPE html>\n<html>\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"refresh\" content=\"2; url=");
	gopher_html_escape(&r->own, url, n);
	buf_puts(&r->own, "\">\n<title>Leaving Gopherspace</title>\n"
	    "</head>\n<body>\n<p>This link leads out of Gopherspace, to\n<a "
	    "href=\"");
	gopher_html_escape(&r->own, url, n);
	buf_puts(&r->own, "\">");
	gopher_html_escape(&r->own, url, n);
	buf_puts(&r->own, "</a>.</p>\n<p>Your browser should take you there "
	    "in a moment; if it does not, follow the link.</p>\n"
	    "</body>\n</html>\n");
	if (r->own.err) {
		buf_reset(&r->own);
		gopher_error(r, 40, "Temporary failure");
		return;
	}
	r->status = 20;
	reply_own_body(r);
}

void
gopher_error(struct reply *r, int status, const char *msg)
{
	buf_reset(&r->own);
	r->status = status;
	if (gophermap_error(&r->own, msg) == -1) {
		/* Out of memory: a constant answer still reaches the client. */
		r->body = "3Temporary failure\t\terror.host\t1\r\n.\r\n";
		r->bodylen = strlen(r->body);
		return;
	}
	reply_own_body(r);
}

/* The Gopher+ form of the answer r->page holds for path. */
static void
gopher_plus(struct snapshot *sn, char kind, const char *path,
    struct reply *r)
{
	int rc;

	buf_reset(&r->own);
	if (r->page.status == 20)
		rc = gopherplus_answer(sn, kind, path, &r->page, &r->own);
	else
		rc = gopherplus_error(sn->store, r->page.status == 51 ? "Not found" :
		    r->page.meta ? r->page.meta : "Error", &r->own);
	if (rc == -1) {
		gopher_error(r, 40, "Temporary failure");
		return;
	}
	reply_own_body(r);
}

void
gopher_answer(struct snapshot *sn, const char *line, size_t len,
    struct reply *r)
{
	char path[URL_PATH_MAX + 2], query[GOPHER_LINE_MAX + 1];
	struct gopher_request g;
	const char *q, *mime;
	size_t plen;
	int hops;

	r->snap = sn;
	if (memchr(line, '\0', len) != NULL) {
		gopher_error(r, 59, "Bad selector: NUL");
		return;
	}
	gopher_parse(line, len, &g);
	if (g.sellen > 4 && strncmp(g.selector, "URL:", 4) == 0) {
		gopher_url_page(r, g.selector + 4, g.sellen - 4);
		return;
	}
	if (g.sellen > 5 && strncmp(g.selector, "/URL:", 5) == 0) {
		gopher_url_page(r, g.selector + 5, g.sellen - 5);
		return;
	}
	if (sn == NULL) {
		gopher_error(r, 41, "Server unavailable");
		return;
	}
	/*
	 * Our own menus link later pages of an answer as "path?query", the
	 * query percent-encoded as on Gemini; a search after a TAB wins.
	 */
	/* The framing caps a line below these sizes; the buffers are ours. */
	if (g.sellen >= sizeof(path) || g.searchlen >= sizeof(query)) {
		gopher_error(r, 59, "Selector too long");
		return;
	}
	plen = g.sellen;
	if ((q = memchr(g.selector, '?', g.sellen)) != NULL) {
		plen = (size_t)(q - g.selector);
		if (g.search == NULL && url_decode(q + 1, g.sellen - plen - 1,
		    query, sizeof(query)) == -1) {
			gopher_error(r, 59, "Bad percent-encoding in query");
			return;
		}
	}
	if (g.search != NULL) {
		memcpy(query, g.search, g.searchlen);
		query[g.searchlen] = '\0';
	}
	if (plen == 0)
		snprintf(path, sizeof(path), "/");
	else {
		memcpy(path, g.selector, plen);
		path[plen] = '\0';
	}
	plen = strlen(path);
	/* A picture: its bytes alone, from its file (conn.c). */
	if (!sn->loading && g.plus == 0)
		switch (reply_picture(r, sn->store, path, plen, &mime)) {
		case 1:
			r->status = 20;
			return;
		case -1:
			r->status = 51;
			if (gophermap_not_found(&r->own, &sn->store->site,
			    g.selector, g.sellen) == -1) {
				gopher_error(r, 40, "Temporary failure");
				return;
			}
			reply_own_body(r);
			return;
		}
	/* Gopher has no redirect: serve the target instead. */
	for (hops = 0;; hops++) {
		r->has_page = 1;
		if (page_get(sn, PROTO_GOPHER, path, plen,
		    g.search || q ? query : NULL, &r->page) == -1) {
			gopher_error(r, 40, "Temporary failure");
			return;
		}
		if (r->page.status != 31)
			break;
		if (hops == GOPHER_MAX_REDIRECTS) {
			gopher_error(r, 40, "Too many redirects");
			return;
		}
		snprintf(path, sizeof(path), "%s", r->page.meta);
		plen = strlen(path);
		page_release(&r->page);
		r->has_page = 0;
	}
	r->status = r->page.status;
	if (g.plus != 0) {
		gopher_plus(sn, g.plus, path, r);
		return;
	}
	if (r->page.status == 51) {
		/* Name what was asked for, and offer a way on. */
		if (gophermap_not_found(&r->own, &sn->store->site, g.selector,
		    g.sellen) == -1) {
			gopher_error(r, 40, "Temporary failure");
			return;
		}
		reply_own_body(r);
		return;
	}
	if (r->page.len == 0 && r->page.status != 20) {
		gopher_error(r, r->page.status, r->page.meta ? r->page.meta :
		    "Error");
		return;
	}
	r->body = r->page.body;
	r->bodylen = r->page.len;
}
