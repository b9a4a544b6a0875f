/*
 * gemini.c: the Gemini side of a request. It validates the request line
 * fully before the router sees a path, so the router only ever gets a
 * request that is for us.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "gemini.h"
#include "page.h"
#include "snapshot.h"
#include "tlsglue.h"
#include "utf8.h"

/* Refusals that gemini_answer() spells out with the names we serve. */
static const char gemini_other_host[] =
    "Proxy request refused: not a host served here";
static const char gemini_other_sni[] =
    "Proxy request refused: the URL names another host than the "
    "connection (SNI)";
static const char gemini_other_port[] =
    "Proxy request refused: not the port served here";

/*
 * A 53 that says what is served, so a person who typed an address or a
 * port we do not serve knows which one to use.
 */
static void
gemini_refuse(struct reply *r, const struct gemini_where *w, const char *why)
{
	char meta[GEMINI_META_MAX + 1];
	size_t i, o;
	int n;

	n = snprintf(meta, sizeof(meta), "%s; this server serves ", why);
	o = n > 0 && (size_t)n < sizeof(meta) ? (size_t)n : 0;
	for (i = 0; o > 0 && i < w->names->nnames; i++) {
		const char *h = w->names->names[i];
		int v6 = strchr(h, ':') != NULL;

		n = snprintf(meta + o, sizeof(meta) - o, "%sgemini://%s%s%s:%d/",
		    i == 0 ? "" : i + 1 == w->names->nnames ? " and " : ", ",
		    v6 ? "[" : "", h, v6 ? "]" : "", w->port);
		if (n < 0 || (size_t)n >= sizeof(meta) - o) {
			meta[o] = '\0';	/* the names that fit */
			break;
		}
		o += (size_t)n;
	}
	gemini_status(r, 53, o > 0 ? meta : why);
}

enum gemini_framing
gemini_request_end(const char *buf, size_t len, size_t *linelen)
{
	const char *lf = memchr(buf, '\n', len);
	size_t i;

	if (lf == NULL)
		return len >= GEMINI_REQUEST_MAX ? GEMINI_TOO_LONG :
		    GEMINI_MORE;
	i = (size_t)(lf - buf);
	if (i == 0 || buf[i - 1] != '\r')
		return GEMINI_BARE_LF;
	if (i - 1 > GEMINI_URL_MAX)
		return GEMINI_TOO_LONG;
	*linelen = i - 1;
	return GEMINI_LINE;
}

int
gemini_check(const char *line, size_t len, const struct gemini_where *w,
    struct url *u, const char **why)
{
	char s[GEMINI_URL_MAX + 1];
	size_t i;

	if (len == 0) {
		*why = "Empty request";
		return 59;
	}
	if (len > GEMINI_URL_MAX) {
		*why = "Request too long";
		return 59;
	}
	if (memchr(line, '\0', len) != NULL) {
		*why = "NUL in request";
		return 59;
	}
	if (!utf8_valid(line, len)) {
		*why = "Request is not valid UTF-8";
		return 59;
	}
	if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		*why = "Byte order mark in request";
		return 59;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f) {
			*why = "Control character in request";
			return 59;
		}
	}
	memcpy(s, line, len);
	s[len] = '\0';
	if (url_parse(s, u, why) == -1)
		return 59;
	if (u->has_userinfo) {
		*why = "Userinfo is not allowed";
		return 59;
	}
	if (u->has_fragment) {
		*why = "Fragment is not allowed";
		return 59;
	}
	if (strcmp(u->scheme, "gemini") != 0) {
		*why = "Proxy request refused";
		return 53;
	}
	if (u->host[0] == '\0') {
		*why = "No host in request";
		return 59;
	}
	if (!tlsglue_serves(w->names, u->host)) {
		*why = gemini_other_host;
		return 53;
	}
	if (w->sni != NULL && strcasecmp(w->sni, u->host) != 0) {
		*why = gemini_other_sni;
		return 53;
	}
	if (u->port != -1 && u->port != w->port) {
		*why = gemini_other_port;
		return 53;
	}
	return 0;
}

void
gemini_status(struct reply *r, int code, const char *meta)
{
	size_t n, i, o;

	r->status = code;
	n = strnlen(meta, GEMINI_META_MAX + 1);
	if (n > GEMINI_META_MAX) {
		/* Cut a long meta between characters, never inside one. */
		n = GEMINI_META_MAX;
		while (n > 0 && ((unsigned char)meta[n] & 0xc0) == 0x80)
			n--;
	}
	o = (size_t)snprintf(r->head, sizeof(r->head), "%d ", code);
	for (i = 0; i < n && o + 2 < sizeof(r->head); i++) {
		/* A meta never breaks the header line. */
		r->head[o++] = (unsigned char)meta[i] < 0x20 ||
		    meta[i] == 0x7f ? ' ' : meta[i];
	}
	r->head[o++] = '\r';
	r->head[o++] = '\n';
	r->headlen = o;
	r->wire = NULL;
	r->wirelen = 0;
	if (code != 20) {
		r->body = "";
		r->bodylen = 0;
	}
}

/* A redirect to a path of ours, as an absolute URL on the host asked. */
static void
gemini_redirect(struct reply *r, const struct url *u, int port,
    const char *target)
{
	char url[GEMINI_META_MAX + 1], portstr[16] = "";
	int v6 = strchr(u->host, ':') != NULL;
	int n;

	if (port != GEMINI_DEFAULT_PORT)
		snprintf(portstr, sizeof(portstr), ":%d", port);
	n = snprintf(url, sizeof(url), "gemini://%s%s%s%s%s", v6 ? "[" : "",
	    u->host, v6 ? "]" : "", portstr, target);
	if (n < 0 || (size_t)n >= sizeof(url))
		gemini_status(r, 59, "Redirect target too long");
	else
		gemini_status(r, 31, url);
}

void
gemini_answer(struct snapshot *sn, const char *line, size_t len,
    const struct gemini_where *w, struct reply *r)
{
	char query[URL_MAX + 1];
	const char *why, *path, *mime;
	struct url u;
	int code;

	r->snap = sn;
	if ((code = gemini_check(line, len, w, &u, &why)) != 0) {
		if (why == gemini_other_host || why == gemini_other_sni ||
		    why == gemini_other_port)
			gemini_refuse(r, w, why);
		else
			gemini_status(r, code, why);
		return;
	}
	if (sn == NULL) {
		gemini_status(r, 41, "Server unavailable");
		return;
	}
	if (u.has_query &&
	    url_decode(u.query, strlen(u.query), query, sizeof(query)) == -1) {
		gemini_status(r, 59, "Bad percent-encoding in query");
		return;
	}
	/* An empty path is the home page itself, with no redirect. */
	path = u.path[0] != '\0' ? u.path : "/";
	/* A picture: its type by its bytes, then the file (conn.c). */
	if (!sn->loading)
		switch (reply_picture(r, sn->store, path, strlen(path), &mime)) {
		case 1:
			gemini_status(r, 20, mime);
			return;
		case -1:
			gemini_status(r, 51, "Not found");
			return;
		}
	r->has_page = 1;
	if (page_get(sn, PROTO_GEMINI, path, strlen(path),
	    u.has_query ? query : NULL, &r->page) == -1) {
		gemini_status(r, 40, "Temporary failure");
		return;
	}
	switch (r->page.status) {
	case 20:
		/* The page holds its status line: one buffer, one write. */
		if (r->page.wirelen - r->page.len > sizeof(r->head)) {
			gemini_status(r, 20, r->page.meta);
			r->body = r->page.body;
			r->bodylen = r->page.len;
			break;
		}
		r->status = 20;
		r->headlen = r->page.wirelen - r->page.len;
		memcpy(r->head, r->page.wire, r->headlen);
		r->body = r->page.body;
		r->bodylen = r->page.len;
		r->wire = r->page.wire;
		r->wirelen = r->page.wirelen;
		break;
	case 31:
		gemini_redirect(r, &u, w->port, r->page.meta);
		break;
	default:
		gemini_status(r, r->page.status,
		    r->page.meta ? r->page.meta : "");
		break;
	}
}
