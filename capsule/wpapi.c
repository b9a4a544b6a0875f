/*
 * wpapi.c: `capsule import` from a live WordPress site, through its REST
 * API. From any public URL of the site it finds the API (the page's Link
 * header or <link rel="https://api.w.org/">; "?rest_route=/" when the
 * site has plain permalinks), resolves the archive the URL names to its
 * term (tag, category, author), and pages through /wp/v2/posts, 100 at a
 * time, with the author and terms embedded. Each post becomes an
 * import_entry for import_finish(), as a feed's entry does: whole text
 * (content.rendered), title from title.rendered, the site's local day.
 * Only published posts come in; a password-protected one is skipped with
 * a line.
 *
 * A re-run asks only for what changed: the store keeps, per archive, the
 * newest `modified` and `date` seen (WPAPI_STATE_FILE, one line per
 * archive), and the next run asks for posts modified since (a second
 * after the newest) and for posts dated since (a scheduled post goes live
 * without being modified). --full asks for everything again.
 */
#define _GNU_SOURCE	/* memmem */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>
#include <libxml/HTMLparser.h>

#include "arena.h"
#include "buf.h"
#include "fetch.h"
#include "file.h"
#include "import.h"
#include "log.h"
#include "picfetch.h"
#include "post.h"
#include "wpapi.h"

#define WPAPI_PER_PAGE		100	/* the most WordPress gives at once */
#define WPAPI_MAX_PAGES		10000	/* a million posts, then stop */
#define WPAPI_MAX_DEPTH		64	/* JSON nesting WordPress never passes */
#define WPAPI_RETRIES		4	/* 429/503 asked again */
#define WPAPI_MAX_TAG		200
#define WPAPI_URL_MAX		4096
#define WPAPI_STATE_MAX		(1024 * 1024)

/* One run over one archive. */
struct wpapi {
	struct import	*im;
	char		 api[WPAPI_URL_MAX];
	char		 home[WPAPI_URL_MAX];	/* no slash at the end */
	char		 name[IMPORT_MAX_TITLE + 1];	/* the site's */
	char		 desc[IMPORT_MAX_TITLE + 1];
	char		 filter[256];	/* "tags=5", "" for the whole site */
	char		 key[WPAPI_URL_MAX];	/* the archive's state line */
	char		 since_mod[20];	/* the last run's newest, or "" */
	char		 since_date[20];
	char		 new_mod[20];	/* this run's newest */
	char		 new_date[20];
	long		*seen;		/* post ids of this run */
	size_t		 nseen, capseen;
	size_t		 posts, bytes;
	int		 failed;
};

/* --- JSON ---------------------------------------------------------------- */

/* The JSON value of len bytes, or NULL with err set. */
static json_object *
wpapi_json(const char *data, size_t len, char *err, size_t errsz)
{
	struct json_tokener *tok;
	json_object *o;
	enum json_tokener_error je;

	if (len > INT32_MAX) {
		snprintf(err, errsz, "an answer too large to read");
		return NULL;
	}
	if ((tok = json_tokener_new_ex(WPAPI_MAX_DEPTH)) == NULL) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, data, (int)len);
	je = json_tokener_get_error(tok);
	if (o == NULL || je != json_tokener_success) {
		snprintf(err, errsz, "not JSON (%s at byte %zu)",
		    je == json_tokener_continue ? "it ends too soon" :
		    json_tokener_error_desc(je),
		    (size_t)json_tokener_get_parse_end(tok));
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static json_object *
wpapi_get(json_object *o, const char *key)
{
	json_object *v;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* o[key] when a string, else NULL. */
static const char *
wpapi_str(json_object *o, const char *key)
{
	json_object *v = wpapi_get(o, key);

	return v != NULL && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

/* o[key].rendered, as WordPress nests its HTML. */
static const char *
wpapi_rendered(json_object *o, const char *key)
{
	return wpapi_str(wpapi_get(o, key), "rendered");
}

/* --- finding the API ----------------------------------------------------- */

/* The value of attribute name in the tag [s, e), entities &amp; undone. */
static int
wpapi_attr(const char *s, const char *e, const char *name, char *out,
    size_t outsz)
{
	size_t n = strlen(name), o = 0;
	const char *p, *v;
	char q;

	for (p = s; p + n + 1 < e; p++) {
		if (strncasecmp(p, name, n) != 0 || p[n] != '=' ||
		    !isspace((unsigned char)p[-1]))
			continue;
		v = p + n + 1;
		q = *v == '"' || *v == '\'' ? *v++ : ' ';
		for (; v < e && *v != q && *v != '>' && o + 1 < outsz; v++) {
			out[o++] = *v;
			if (strncmp(v, "&amp;", 5) == 0)
				v += 4;	/* the '&' is written */
			else if (strncmp(v, "&#038;", 6) == 0)
				v += 5;
		}
		out[o] = '\0';
		return o > 0 ? 0 : -1;
	}
	return -1;
}

/*
 * The href of the first <link> in html whose rel is rel (and whose type
 * is type, when given).
 */
static int
wpapi_html_link(const char *html, size_t len, const char *rel,
    const char *type, char *out, size_t outsz)
{
	const char *p = html, *end = html + len, *e;
	char v[256];

	while ((p = memmem(p, end - p, "<link", 5)) != NULL) {
		if ((e = memchr(p, '>', end - p)) == NULL)
			return -1;
		if (wpapi_attr(p, e, "rel", v, sizeof(v)) == 0 &&
		    strcasecmp(v, rel) == 0 && (type == NULL ||
		    (wpapi_attr(p, e, "type", v, sizeof(v)) == 0 &&
		    strcasecmp(v, type) == 0)) &&
		    wpapi_attr(p, e, "href", out, outsz) == 0)
			return 0;
		p = e;
	}
	return -1;
}

static int
wpapi_is_json(const struct fetch *f)
{
	size_t i = 0;

	while (i < f->len && isspace((unsigned char)f->data[i]))
		i++;
	return strstr(f->type, "json") != NULL || (i < f->len &&
	    (f->data[i] == '{' || f->data[i] == '['));
}

/* 1 when the bytes are a feed (XML), which is read as a feed. */
static int
wpapi_is_feed(const struct fetch *f)
{
	size_t i = 0;

	if (f->len >= 3 && memcmp(f->data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < f->len && isspace((unsigned char)f->data[i]))
		i++;
	return f->len - i >= 4 && (strncmp(f->data + i, "<?xm", 4) == 0 ||
	    strncmp(f->data + i, "<rss", 4) == 0 ||
	    strncmp(f->data + i, "<fee", 4) == 0 ||
	    strncmp(f->data + i, "<rdf", 4) == 0);
}

int
wpapi_find(const struct fetch *f, char *api, size_t apisz)
{
	json_object *o;
	char err[128];
	int root;

	/* A feed is read as the feed it is, even from a WordPress site. */
	if (f->data == NULL || wpapi_is_feed(f))
		return -1;
	if (f->api[0] != '\0') {
		snprintf(api, apisz, "%s", f->api);
		return 0;
	}
	if (wpapi_is_json(f)) {
		/* The REST root itself: it lists its namespaces and routes. */
		if ((o = wpapi_json(f->data, f->len, err, sizeof(err))) == NULL)
			return -1;
		root = wpapi_get(o, "namespaces") != NULL &&
		    wpapi_get(o, "routes") != NULL;
		json_object_put(o);
		if (root)
			snprintf(api, apisz, "%s", f->url);
		return root ? 0 : -1;
	}
	return wpapi_html_link(f->data, f->len, "https://api.w.org/", NULL,
	    api, apisz);
}

int
wpapi_route(const char *api, const char *route, const char *query,
    char *out, size_t outsz)
{
	const char *rr = strstr(api, "rest_route=");
	size_t n = strlen(api);
	int w;

	if (rr != NULL) {
		/* Plain permalinks: ?rest_route=/wp/v2/posts&per_page=... */
		w = snprintf(out, outsz, "%.*s/%s%s%s", (int)(rr + 11 - api),
		    api, route, query[0] ? "&" : "", query);
	} else
		w = snprintf(out, outsz, "%s%s%s%s%s", api,
		    n > 0 && api[n - 1] == '/' ? "" : "/", route,
		    query[0] ? "?" : "", query);
	return w < 0 || (size_t)w >= outsz ? -1 : 0;
}

/* The path and query of a URL: what follows its host. */
static const char *
wpapi_path(const char *url)
{
	const char *p = strstr(url, "://");

	if (p == NULL)
		return url;
	p += 3;
	p += strcspn(p, "/?#");
	return p;
}

/* The value of ?name= in a query, copied; -1 when absent or empty. */
static int
wpapi_query(const char *q, const char *name, char *out, size_t outsz)
{
	size_t n = strlen(name), v;

	while (q != NULL && *q != '\0' && *q != '#') {
		q++;	/* the '?' or '&' */
		if (strncmp(q, name, n) == 0 && q[n] == '=') {
			v = strcspn(q + n + 1, "&#");
			if (v == 0 || v >= outsz)
				return -1;
			memcpy(out, q + n + 1, v);
			out[v] = '\0';
			return 0;
		}
		q += strcspn(q, "&#");
		if (*q != '&')
			break;
	}
	return -1;
}

int
wpapi_archive(const char *url, const char *home, char *slug, size_t slugsz)
{
	const char *p = wpapi_path(url), *hp = wpapi_path(home), *q;
	const char *seg[16];
	size_t segn[16], nseg = 0, hl, n;

	slug[0] = '\0';
	q = strchr(p, '?');
	if (q != NULL) {
		/* Plain permalinks: ?tag=x, ?category_name=x, ?author_name=x. */
		if (wpapi_query(q, "tag", slug, slugsz) == 0)
			return 't';
		if (wpapi_query(q, "category_name", slug, slugsz) == 0)
			return 'c';
		if (wpapi_query(q, "author_name", slug, slugsz) == 0)
			return 'a';
	}
	/* The path below home's. */
	hl = strcspn(hp, "?#");
	while (hl > 0 && hp[hl - 1] == '/')
		hl--;
	if (strncmp(p, hp, hl) == 0 && (p[hl] == '/' || p[hl] == '\0' ||
	    p[hl] == '?' || p[hl] == '#'))
		p += hl;
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0' || *p == '?' || *p == '#')
			break;
		n = strcspn(p, "/?#");
		if (nseg == 16)
			return 0;
		seg[nseg] = p;
		segn[nseg++] = n;
		p += n;
	}
	/* A /page/N/ at the end names the same archive. */
	if (nseg >= 2 && segn[nseg - 2] == 4 &&
	    strncmp(seg[nseg - 2], "page", 4) == 0 &&
	    strspn(seg[nseg - 1], "0123456789") == segn[nseg - 1])
		nseg -= 2;
	if (q != NULL && nseg == 0 && strstr(q, "rest_route=") == NULL &&
	    (wpapi_query(q, "p", slug, slugsz) == 0 ||
	    wpapi_query(q, "cat", slug, slugsz) == 0 ||
	    wpapi_query(q, "author", slug, slugsz) == 0 ||
	    wpapi_query(q, "s", slug, slugsz) == 0)) {
		slug[0] = '\0';
		return 0;	/* ids or searches: only the page says what */
	}
	if (nseg == 0)
		return 's';
	if (nseg == 1 && segn[0] == 7 && strncmp(seg[0], "wp-json", 7) == 0)
		return 's';
	if (nseg < 2 || segn[nseg - 1] >= slugsz)
		return 0;
	if ((segn[0] == 3 && strncmp(seg[0], "tag", 3) == 0 && nseg == 2) ||
	    (segn[0] == 8 && strncmp(seg[0], "category", 8) == 0) ||
	    (segn[0] == 6 && strncmp(seg[0], "author", 6) == 0 && nseg == 2)) {
		/* A child category's URL holds its parents: the last is it. */
		memcpy(slug, seg[nseg - 1], segn[nseg - 1]);
		slug[segn[nseg - 1]] = '\0';
		return seg[0][0];
	}
	return 0;
}

/* --- text ---------------------------------------------------------------- */

/* Appends code point c as UTF-8; nothing for a surrogate or NUL. */
static void
wpapi_utf8(struct buf *b, unsigned long c)
{
	char u[4];

	if (c == 0 || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return;
	if (c < 0x80)
		buf_putc(b, (char)c);
	else if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 2);
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 4);
	}
}

char *
wpapi_title(const char *s)
{
	const htmlEntityDesc *ent;
	unsigned long c;
	char name[16], *end;
	struct buf b;
	size_t n;

	buf_init(&b);
	buf_puts(&b, "");
	while (*s != '\0') {
		if (*s == '<') {
			/* Markup is dropped; a '<' that opens nothing stays. */
			if (isalpha((unsigned char)s[1]) || s[1] == '/' ||
			    s[1] == '!') {
				n = strcspn(s, ">");
				s += s[n] ? n + 1 : n;
				continue;
			}
		} else if (*s == '&') {
			if (s[1] == '#') {
				errno = 0;
				c = s[2] == 'x' || s[2] == 'X' ?
				    strtoul(s + 3, &end, 16) :
				    strtoul(s + 2, &end, 10);
				if (errno == 0 && end > s + 2 && *end == ';' &&
				    isalnum((unsigned char)end[-1])) {
					/* &#8217; and the like; C1 as cp1252 is
					 * html.c's business, not a title's. */
					wpapi_utf8(&b, c);
					s = end + 1;
					continue;
				}
			} else {
				n = strspn(s + 1, "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
				if (n > 0 && n < sizeof(name) && s[1 + n] == ';') {
					memcpy(name, s + 1, n);
					name[n] = '\0';
					ent = htmlEntityLookup((const xmlChar *)name);
					if (ent != NULL) {
						wpapi_utf8(&b, ent->value);
						s += n + 2;
						continue;
					}
				}
			}
		}
		buf_putc(&b, *s++);
	}
	if (b.err) {
		buf_free(&b);
		return NULL;
	}
	return buf_take(&b, NULL);
}

/* A tag or category name into e's tags, as feedread.c adds them. */
static void
wpapi_add_tag(struct import *im, struct import_entry *e, const char *name)
{
	char t[WPAPI_MAX_TAG + 1], *c, *txt;
	size_t i;

	if (name == NULL || (txt = wpapi_title(name)) == NULL)
		return;
	import_clean_line(txt, t, sizeof(t));
	free(txt);
	while ((c = strchr(t, ',')) != NULL)
		*c = ' ';	/* a comma would split the Tags line */
	if (t[0] == '\0' || strcasecmp(t, "Uncategorized") == 0)
		return;
	for (i = 0; i < e->ntags; i++)
		if (strcmp(e->tags[i], t) == 0)
			return;
	if (e->ntags < POST_MAX_TAGS)
		e->tags[e->ntags++] = arena_strdup(&im->a, t);
}

/* --- the state of the last run ------------------------------------------- */

/* The store's state file's path. */
static void
wpapi_state_path(struct wpapi *w, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s/%s", w->im->content, WPAPI_STATE_FILE);
}

/* Reads this archive's line: "key TAB modified TAB date". */
static void
wpapi_state_read(struct wpapi *w)
{
	char path[WPAPI_URL_MAX + 64], *text, *line, *nl, *t1, *t2;
	size_t len, kl = strlen(w->key);

	w->since_mod[0] = w->since_date[0] = '\0';
	if (w->key[0] == '\0')
		return;
	wpapi_state_path(w, path, sizeof(path));
	if ((text = file_read(path, WPAPI_STATE_MAX, &len, NULL)) == NULL)
		return;
	for (line = text; *line != '\0'; line = nl + 1) {
		if ((nl = strchr(line, '\n')) == NULL)
			break;
		*nl = '\0';
		if (strncmp(line, w->key, kl) != 0 || line[kl] != '\t')
			continue;
		t1 = line + kl + 1;
		if ((t2 = strchr(t1, '\t')) == NULL || t2 - t1 != 19 ||
		    strlen(t2 + 1) != 19)
			continue;
		memcpy(w->since_mod, t1, 19);
		w->since_mod[19] = '\0';
		memcpy(w->since_date, t2 + 1, 20);
	}
	free(text);
}

/* Writes this archive's line, keeping the others. */
static void
wpapi_state_write(struct wpapi *w)
{
	char path[WPAPI_URL_MAX + 64], tmp[WPAPI_URL_MAX + 64];
	char *text, *line, *nl;
	size_t len, kl = strlen(w->key);
	struct buf b;

	if (w->new_mod[0] == '\0' || w->key[0] == '\0' || w->im->dry_run)
		return;
	wpapi_state_path(w, path, sizeof(path));
	buf_init(&b);
	if ((text = file_read(path, WPAPI_STATE_MAX, &len, NULL)) != NULL) {
		for (line = text; (nl = strchr(line, '\n')) != NULL;
		    line = nl + 1)
			if (!(strncmp(line, w->key, kl) == 0 &&
			    line[kl] == '\t'))
				buf_add(&b, line, nl + 1 - line);
		free(text);
	}
	buf_printf(&b, "%s\t%s\t%s\n", w->key, w->new_mod, w->new_date);
	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", w->im->content,
	    WPAPI_STATE_FILE);
	if (b.err || file_write_atomic(path, tmp, b.data, b.len, 1) == -1)
		import_warn(w->im, "%s: %s", path, b.err ? "out of memory" :
		    strerror(errno));
	buf_free(&b);
}

/* "YYYY-MM-DDTHH:MM:SS" one second earlier: the next run's "after". */
static void
wpapi_second_before(const char *t, char out[20])
{
	struct tm tm;
	time_t s;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(t, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
		out[0] = '\0';
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	s = timegm(&tm) - 1;
	gmtime_r(&s, &tm);
	strftime(out, 20, "%Y-%m-%dT%H:%M:%S", &tm);
}

/* 1 when a UTC time ("…_gmt") is more than a day ahead of this clock. */
static int
wpapi_future(const char *gmt)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (gmt == NULL || sscanf(gmt, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year,
	    &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
	    &tm.tm_sec) != 6)
		return 1;	/* unknown: not trusted to move the mark */
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm) > time(NULL) + 86400;
}

/* 1 when t is a WordPress time "YYYY-MM-DDTHH:MM:SS". */
static int
wpapi_time_ok(const char *t)
{
	return t != NULL && strlen(t) == 19 && t[4] == '-' && t[10] == 'T' &&
	    isdigit((unsigned char)t[0]) && isdigit((unsigned char)t[18]);
}

/* --- one answer ---------------------------------------------------------- */

/*
 * GETs a route's JSON. On an error answer, WordPress's own message (its
 * JSON "code" and "message") goes into err. Returns the value, or NULL.
 */
static json_object *
wpapi_fetch(struct wpapi *w, const char *url, struct fetch *f, char *err,
    size_t errsz)
{
	struct fetch_opts o;
	json_object *v, *j;
	char jerr[160];
	const char *code, *msg;
	int rc;

	memset(&o, 0, sizeof(o));
	o.max = w->im->max;
	o.timeout = w->im->timeout;
	o.accept = "application/json";
	o.retries = WPAPI_RETRIES;
	o.keep_body = 1;
	rc = fetch_request(url, &o, f, err, errsz);
	if (f->data == NULL)
		return NULL;
	w->bytes += f->len;
	v = wpapi_json(f->data, f->len, jerr, sizeof(jerr));
	if (rc == -1) {
		/* {"code":"rest_...","message":"...","data":{"status":401}} */
		code = wpapi_str(v, "code");
		msg = wpapi_str(v, "message");
		if (code != NULL) {
			size_t n = strlen(err);

			snprintf(err + n, errsz - n, ": %s%s%s", code,
			    msg ? ", " : "", msg ? msg : "");
		}
		json_object_put(v);
		free(f->data);
		f->data = NULL;
		return NULL;
	}
	if (v == NULL) {
		snprintf(err, errsz, "the answer is %s, not what WordPress "
		    "sends (Content-Type %s)", jerr, f->type[0] ? f->type :
		    "none");
		free(f->data);
		f->data = NULL;
		return NULL;
	}
	j = v;
	free(f->data);
	f->data = NULL;
	return j;
}

/* --- posts --------------------------------------------------------------- */

static int
wpapi_seen(struct wpapi *w, long id)
{
	size_t i;
	long *s;

	for (i = 0; i < w->nseen; i++)
		if (w->seen[i] == id)
			return 1;
	if (w->nseen == w->capseen) {
		w->capseen = w->capseen ? w->capseen * 2 : 256;
		if ((s = realloc(w->seen, w->capseen * sizeof(*s))) == NULL)
			return 0;
		w->seen = s;
	}
	w->seen[w->nseen++] = id;
	return 0;
}

/* The featured image as a figure before the text, unless the text has it. */
static const char *
wpapi_featured(struct wpapi *w, json_object *post, const char *html)
{
	json_object *fm = wpapi_get(wpapi_get(post, "_embedded"),
	    "wp:featuredmedia"), *m;
	const char *src, *alt, *cap;
	struct buf b;
	const char *out;

	if (fm == NULL || !json_object_is_type(fm, json_type_array) ||
	    json_object_array_length(fm) == 0)
		return html;
	m = json_object_array_get_idx(fm, 0);
	if ((src = wpapi_str(m, "source_url")) == NULL || src[0] == '\0' ||
	    strstr(html, src) != NULL || strpbrk(src, "\"<>") != NULL)
		return html;
	alt = wpapi_str(m, "alt_text");
	cap = wpapi_rendered(m, "caption");
	buf_init(&b);
	buf_printf(&b, "<figure class=\"wp-featured-image\"><img src=\"%s\" "
	    "alt=\"", src);
	for (; alt != NULL && *alt != '\0'; alt++)
		if (buf_xml_entity(*alt) != NULL)
			buf_puts(&b, buf_xml_entity(*alt));
		else
			buf_putc(&b, *alt);
	buf_puts(&b, "\">");
	if (cap != NULL && cap[0] != '\0')
		buf_printf(&b, "<figcaption>%s</figcaption>", cap);
	buf_printf(&b, "</figure>\n%s", html);
	out = b.err ? html : arena_strdup(&w->im->a, b.data);
	buf_free(&b);
	return out ? out : html;
}

/*
 * The names of a post's terms of one taxonomy. _embedded["wp:term"] holds
 * one list per taxonomy, but WordPress embeds only the first 10 of each
 * (its default per_page): when the post's ids (post[idkey]) are more,
 * the whole list is asked for, in WordPress's order (by name).
 */
static void
wpapi_terms(struct wpapi *w, struct import_entry *e, json_object *post,
    long id, json_object *terms, const char *taxonomy, const char *idkey,
    const char *route)
{
	json_object *ids = wpapi_get(post, idkey), *list = NULL, *l, *all;
	char query[128], url[WPAPI_URL_MAX], err[1024];
	struct fetch f;
	size_t i, want;

	want = ids != NULL && json_object_is_type(ids, json_type_array) ?
	    json_object_array_length(ids) : 0;
	if (terms != NULL && json_object_is_type(terms, json_type_array))
		for (i = 0; i < json_object_array_length(terms); i++) {
			l = json_object_array_get_idx(terms, i);
			if (json_object_is_type(l, json_type_array) &&
			    json_object_array_length(l) > 0 &&
			    (const char *)wpapi_str(json_object_array_get_idx(l,
			    0), "taxonomy") != NULL && strcmp(wpapi_str(
			    json_object_array_get_idx(l, 0), "taxonomy"),
			    taxonomy) == 0)
				list = l;
		}
	all = NULL;
	if (want > (list ? json_object_array_length(list) : 0)) {
		snprintf(query, sizeof(query), "post=%ld&per_page=100"
		    "&_fields=name", id);
		if (wpapi_route(w->api, route, query, url, sizeof(url)) == 0 &&
		    (all = wpapi_fetch(w, url, &f, err, sizeof(err))) != NULL &&
		    json_object_is_type(all, json_type_array))
			list = all;
		else
			import_warn(w->im, "entry %zu: %s of the post cannot "
			    "be read: %s; only the first ones are kept", e->n,
			    idkey, all ? "not a list" : err);
	}
	for (i = 0; list != NULL && i < json_object_array_length(list); i++)
		wpapi_add_tag(w->im, e, wpapi_str(json_object_array_get_idx(list,
		    i), "name"));
	json_object_put(all);
}

/* One post of an answer into import_finish(), or a line saying why not. */
static void
wpapi_post(struct wpapi *w, json_object *post, size_t n)
{
	struct import *im = w->im;
	struct import_entry e;
	json_object *emb, *terms, *list, *c;
	const char *status, *html, *s, *mod, *date;
	char *title, idbuf[WPAPI_URL_MAX + 32];
	long id;

	memset(&e, 0, sizeof(e));
	e.n = n;
	c = wpapi_get(post, "id");
	id = c != NULL && json_object_is_type(c, json_type_int) ?
	    (long)json_object_get_int64(c) : -1;
	s = wpapi_rendered(post, "title");
	title = wpapi_title(s ? s : "");
	if (id <= 0 || title == NULL) {
		import_warn(im, "entry %zu: a post without an id; not what "
		    "WordPress sends", n);
		im->refused++;
		free(title);
		return;
	}
	if (wpapi_seen(w, id)) {
		free(title);
		return;		/* modified and dated since: asked twice */
	}
	w->posts++;
	status = wpapi_str(post, "status");
	mod = wpapi_str(post, "modified");
	date = wpapi_str(post, "date");
	/*
	 * The newest times, even of posts not imported: they were seen. A
	 * time still to come (a post made scheduled and published without
	 * an edit keeps its future date as its modification) would hide
	 * every later edit, so it never moves the mark.
	 */
	if (wpapi_time_ok(mod) && strcmp(mod, w->new_mod) > 0 &&
	    !wpapi_future(wpapi_str(post, "modified_gmt")))
		memcpy(w->new_mod, mod, 20);
	if (wpapi_time_ok(date) && strcmp(date, w->new_date) > 0 &&
	    !wpapi_future(wpapi_str(post, "date_gmt")))
		memcpy(w->new_date, date, 20);
	if (status == NULL || strcmp(status, "publish") != 0) {
		/* The public never sees these; a run with a login must not
		 * publish them either. */
		import_skip(im, n, status ? status : "post", title,
		    "not published; never imported");
		free(title);
		return;
	}
	c = wpapi_get(wpapi_get(post, "content"), "protected");
	if (c != NULL && json_object_get_boolean(c)) {
		import_skip(im, n, "post", title,
		    "protected by a password; its text is not written");
		free(title);
		return;
	}
	if ((html = wpapi_rendered(post, "content")) == NULL) {
		import_warn(im, "entry %zu \"%s\": no content.rendered; not "
		    "what WordPress sends", n, title);
		im->refused++;
		free(title);
		return;
	}
	e.guid = arena_strdup(&im->a, wpapi_rendered(post, "guid") ?
	    wpapi_rendered(post, "guid") : "");
	e.link = (s = wpapi_str(post, "link")) ? arena_strdup(&im->a, s) : NULL;
	e.name = (s = wpapi_str(post, "slug")) ? arena_strdup(&im->a, s) : NULL;
	/* As a WordPress export names it: the site and the post's id. */
	snprintf(idbuf, sizeof(idbuf), "%s/?p=%ld", w->home, id);
	e.id = arena_strdup(&im->a, idbuf);
	emb = wpapi_get(post, "_embedded");
	list = wpapi_get(emb, "author");
	if (list != NULL && json_object_is_type(list, json_type_array) &&
	    json_object_array_length(list) > 0 && (s = wpapi_str(
	    json_object_array_get_idx(list, 0), "name")) != NULL)
		e.author = arena_strdup(&im->a, s);
	/* Every category's name, then every tag's, as WordPress orders them. */
	terms = wpapi_get(emb, "wp:term");
	wpapi_terms(w, &e, post, id, terms, "category", "categories",
	    "wp/v2/categories");
	wpapi_terms(w, &e, post, id, terms, "post_tag", "tags", "wp/v2/tags");
	e.html = wpapi_featured(w, post, html);
	e.autop = 0;	/* rendered: WordPress made its paragraphs */
	import_finish(im, &e, title, date);
	free(title);
}

static void
wpapi_progress(struct wpapi *w, long page, long pages)
{
	struct import *im = w->im;
	char src[LOG_REQUEST_MAX * 4 + 8];
	size_t pics = im->pictures ? im->pictures->fetched +
	    im->pictures->unchanged : 0;

	if (!im->progress)
		return;
	log_escape_text(src, sizeof(src), im->src, strlen(im->src));
	if (pages > 0)
		fprintf(stderr, "\rimport: %s: page %ld of %ld, %zu posts, "
		    "%zu pictures, %zu KB", src, page, pages, w->posts,
		    pics, w->bytes / 1024);
	else
		fprintf(stderr, "\rimport: %s: page %ld, %zu posts, %zu "
		    "pictures, %zu KB", src, page, w->posts, pics,
		    w->bytes / 1024);
	im->progress_shown = 1;
}

/* Every page of posts the query (filter, since) names. */
static void
wpapi_pages(struct wpapi *w, const char *since)
{
	struct import *im = w->im;
	struct arena keep;
	struct fetch f;
	json_object *arr;
	char url[WPAPI_URL_MAX], query[1024], err[1024];
	long page, pages = -1;
	size_t i, n = 0;

	for (page = 1; page <= WPAPI_MAX_PAGES; page++) {
		snprintf(query, sizeof(query), "%s%sstatus=publish&per_page=%d"
		    "&page=%ld&orderby=id&order=asc"
		    "&_embed=author,wp:term,wp:featuredmedia%s",
		    w->filter, w->filter[0] ? "&" : "", WPAPI_PER_PAGE, page,
		    since ? since : "");
		if (wpapi_route(w->api, "wp/v2/posts", query, url,
		    sizeof(url)) == -1) {
			import_warn(im, "the API's URL is too long");
			w->failed = 1;
			return;
		}
		wpapi_progress(w, page, pages);
		if ((arr = wpapi_fetch(w, url, &f, err, sizeof(err))) == NULL) {
			if (f.status == 400 && strstr(err,
			    "rest_post_invalid_page_number") != NULL)
				return;	/* past the last page */
			import_warn(im, "%s: %s", url, err);
			w->failed = 1;
			return;
		}
		if (!json_object_is_type(arr, json_type_array)) {
			import_warn(im, "%s: the answer is not a list of posts; "
			    "not what WordPress sends", url);
			json_object_put(arr);
			w->failed = 1;
			return;
		}
		if (f.pages >= 0)
			pages = f.pages;
		/* Entry strings live for one page: memory stays flat. */
		keep = im->a;
		arena_init(&im->a);
		for (i = 0; i < json_object_array_length(arr); i++)
			wpapi_post(w, json_object_array_get_idx(arr, i), ++n);
		arena_free(&im->a);
		im->a = keep;
		i = json_object_array_length(arr);
		json_object_put(arr);
		if (i == 0 || (pages >= 0 && page >= pages) ||
		    (pages < 0 && i < WPAPI_PER_PAGE))
			return;
	}
	import_warn(im, "more than %d pages; the rest are left out",
	    WPAPI_MAX_PAGES);
	w->failed = 1;
}

/* --- the archive --------------------------------------------------------- */

/* The API's root: the site's name, its home, wp/v2 there. */
static int
wpapi_root(struct wpapi *w, const struct fetch *page)
{
	struct import *im = w->im;
	json_object *root = NULL, *ns;
	struct fetch f;
	char err[1024];
	const char *home;
	size_t i, n;
	int v2 = 0;

	memset(&f, 0, sizeof(f));
	if (page->data != NULL && strcmp(page->url, w->api) == 0 &&
	    wpapi_is_json(page))
		root = wpapi_json(page->data, page->len, err, sizeof(err));
	if (root == NULL &&
	    (root = wpapi_fetch(w, w->api, &f, err, sizeof(err))) == NULL) {
		import_warn(im, "the site names a REST API at %s, but it "
		    "cannot be read: %s%s", w->api, err, f.status == 401 ||
		    f.status == 403 || f.status == 404 ? " (the site has "
		    "closed or disabled its API; import its feed instead)" :
		    "");
		return -1;
	}
	ns = wpapi_get(root, "namespaces");
	if (ns != NULL && json_object_is_type(ns, json_type_array))
		for (i = 0; i < json_object_array_length(ns); i++)
			if ((home = json_object_get_string(
			    json_object_array_get_idx(ns, i))) != NULL &&
			    strcmp(home, "wp/v2") == 0)
				v2 = 1;
	if (!v2) {
		import_warn(im, "%s: the REST API has no wp/v2 routes (posts); "
		    "not a WordPress API, or its posts are hidden", w->api);
		json_object_put(root);
		return -1;
	}
	home = wpapi_str(root, "home");
	if (home == NULL)
		home = wpapi_str(root, "url");
	if (home == NULL || strlen(home) >= sizeof(w->home) ||
	    (strncmp(home, "http://", 7) != 0 &&
	    strncmp(home, "https://", 8) != 0)) {
		import_warn(im, "%s: the REST root names no home URL; not "
		    "what WordPress sends", w->api);
		json_object_put(root);
		return -1;
	}
	snprintf(w->home, sizeof(w->home), "%s", home);
	n = strlen(w->home);
	while (n > 0 && w->home[n - 1] == '/')
		w->home[--n] = '\0';
	/* capsule.conf waits for the posts: a failed run writes nothing. */
	snprintf(w->name, sizeof(w->name), "%s", wpapi_str(root, "name") ?
	    wpapi_str(root, "name") : "");
	snprintf(w->desc, sizeof(w->desc), "%s",
	    wpapi_str(root, "description") ? wpapi_str(root, "description") :
	    "");
	json_object_put(root);
	return 0;
}

/* A route to a term or user ("…/wp/v2/tags/5"): its kind and id. */
static int
wpapi_route_id(const char *url, long *id)
{
	static const struct { const char *s; int kind; } r[] = {
		{ "v2/tags/", 't' }, { "v2%2Ftags%2F", 't' },
		{ "v2/categories/", 'c' }, { "v2%2Fcategories%2F", 'c' },
		{ "v2/users/", 'a' }, { "v2%2Fusers%2F", 'a' },
	};
	const char *p;
	char *end;
	size_t i;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		if ((p = strstr(url, r[i].s)) != NULL) {
			*id = strtol(p + strlen(r[i].s), &end, 10);
			if (*id > 0 && (*end == '\0' || *end == '&' ||
			    *end == '?' || *end == '/'))
				return r[i].kind;
		}
	return 0;
}

/* The filter of the archive the page is: "tags=5", or "" (the site). */
static int
wpapi_filter(struct wpapi *w, const struct fetch *page)
{
	struct import *im = w->im;
	json_object *arr, *t;
	struct fetch f;
	char slug[256], query[512], url[WPAPI_URL_MAX], err[1024];
	char alt[WPAPI_URL_MAX];
	const char *route, *what;
	long id = 0;
	int kind = 0;

	/* The page says which term it is (WordPress 5.5 and later). */
	if (page->json[0] != '\0')
		kind = wpapi_route_id(page->json, &id);
	if (kind == 0 && page->data != NULL && !wpapi_is_json(page) &&
	    wpapi_html_link(page->data, page->len, "alternate",
	    "application/json", alt, sizeof(alt)) == 0)
		kind = wpapi_route_id(alt, &id);
	if (kind == 0) {
		kind = wpapi_archive(page->url, w->home, slug, sizeof(slug));
		if (kind == 0) {
			import_warn(im, "%s is not the site, a tag, category "
			    "or author archive, or the REST root; give one of "
			    "those", page->url);
			return -1;
		}
		if (kind == 's') {
			w->filter[0] = '\0';
			return 0;
		}
		route = kind == 't' ? "wp/v2/tags" : kind == 'c' ?
		    "wp/v2/categories" : "wp/v2/users";
		snprintf(query, sizeof(query), "slug=%s&_fields=id", slug);
		if (wpapi_route(w->api, route, query, url, sizeof(url)) == -1 ||
		    (arr = wpapi_fetch(w, url, &f, err, sizeof(err))) == NULL) {
			import_warn(im, "%s: %s", url, err);
			return -1;
		}
		what = kind == 't' ? "tag" : kind == 'c' ? "category" :
		    "author";
		t = json_object_is_type(arr, json_type_array) &&
		    json_object_array_length(arr) > 0 ?
		    wpapi_get(json_object_array_get_idx(arr, 0), "id") : NULL;
		if (t == NULL || !json_object_is_type(t, json_type_int)) {
			import_warn(im, "the site has no %s \"%s\" (or hides "
			    "it)", what, slug);
			json_object_put(arr);
			return -1;
		}
		id = (long)json_object_get_int64(t);
		json_object_put(arr);
	}
	snprintf(w->filter, sizeof(w->filter), "%s=%ld", kind == 't' ?
	    "tags" : kind == 'c' ? "categories" : "author", id);
	return 0;
}

void
wpapi_import(struct import *im, const struct fetch *page, const char *api)
{
	struct wpapi *w;
	char since[128], t[20];
	size_t before;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		import_warn(im, "out of memory");
		im->errors++;
		return;
	}
	w->im = im;
	snprintf(w->api, sizeof(w->api), "%s", api);
	if (wpapi_root(w, page) == -1 || wpapi_filter(w, page) == -1) {
		im->errors++;
		free(w);
		return;
	}
	import_say(im, "reading %s through its REST API (%s)\n", w->home,
	    w->filter[0] ? w->filter : "every post");
	if (snprintf(w->key, sizeof(w->key), "%s %s", w->api, w->filter[0] ?
	    w->filter : "all") >= (int)sizeof(w->key))
		w->key[0] = '\0';	/* no state for it, then */
	if (!im->full)
		wpapi_state_read(w);
	before = im->errors + im->refused;
	if (w->since_mod[0] != '\0' && w->since_date[0] != '\0') {
		/* Modified since, then published since (scheduled posts). */
		memcpy(w->new_mod, w->since_mod, 20);
		memcpy(w->new_date, w->since_date, 20);
		wpapi_second_before(w->since_mod, t);
		snprintf(since, sizeof(since), "&modified_after=%s", t);
		wpapi_pages(w, since);
		if (!w->failed) {
			wpapi_second_before(w->since_date, t);
			snprintf(since, sizeof(since), "&after=%s", t);
			wpapi_pages(w, since);
		}
	} else
		wpapi_pages(w, NULL);
	if (im->progress_shown) {
		fprintf(stderr, "\r\033[K");
		im->progress_shown = 0;
	}
	if (w->failed)
		im->errors++;
	else if (w->name[0] != '\0')
		/* import.c may keep them till the source ends: its arena. */
		import_settings(im, arena_strdup(&im->a, w->name), w->desc[0] ?
		    arena_strdup(&im->a, w->desc) : NULL, NULL);
	/* Only a whole, clean run moves the mark: else nothing is missed. */
	if (!w->failed && im->errors + im->refused == before)
		wpapi_state_write(w);
	free(w->seen);
	free(w);
}
