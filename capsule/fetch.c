/*
 * fetch.c: HTTP(S) GETs for capsule import, on libcurl: redirects
 * followed, only http and https, a whole-transfer timeout, a size cap
 * that holds even when the server sends no Content-Length; conditional
 * GETs with the validators (ETag, Last-Modified) an answer gave. One
 * request at a time, on one handle that keeps its connection between
 * requests; the headers a WordPress site answers with (Link, X-WP-Total,
 * X-WP-TotalPages, Retry-After) kept in struct fetch; 429 and 503 asked
 * again after a bounded wait.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "config.h"
#include "fetch.h"
#include "fetchguard.h"
#include "log.h"

#define FETCH_MAX_REDIRS	5
#define FETCH_CONNECT_TIMEOUT	10L	/* seconds, within the whole one */
#define FETCH_MAX_WAIT		60L	/* default longest Retry-After, s */
#define FETCH_RETRIES		4	/* fetch_get: 429/503 asked again */

static CURL	*fetch_handle;	/* reused: its connection stays open */

struct fetch_sink {
	struct fetch	*f;
	size_t		 cap;
	size_t		 max;
	int		 over;		/* the body passed max */
	int		 oom;
	int		 progress;
	size_t		 shown;
};

int
fetch_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
fetch_cleanup(void)
{
	if (fetch_handle != NULL)
		curl_easy_cleanup(fetch_handle);
	fetch_handle = NULL;
	curl_global_cleanup();
}

static size_t
fetch_on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct fetch_sink *s = arg;
	struct fetch *f = s->f;
	size_t n = size * nmemb, cap;
	char *d;

	if (n > s->max - f->len) {
		s->over = 1;
		return 0;	/* libcurl stops with CURLE_WRITE_ERROR */
	}
	if (f->len + n + 1 > s->cap) {
		cap = s->cap ? s->cap : 64 * 1024;
		while (cap < f->len + n + 1)
			cap *= 2;
		if ((d = realloc(f->data, cap)) == NULL) {
			s->oom = 1;
			return 0;
		}
		f->data = d;
		s->cap = cap;
	}
	memcpy(f->data + f->len, ptr, n);
	f->len += n;
	f->data[f->len] = '\0';
	if (s->progress && f->len - s->shown >= 256 * 1024) {
		s->shown = f->len;
		fprintf(stderr, "\rimport: fetched %zu KB", f->len / 1024);
	}
	return n;
}

/*
 * Keeps a header's value in out when the line is "name: value": trimmed,
 * printable ASCII only (it may go back out in a request header), "" when
 * it does not fit.
 */
static void
fetch_header_value(const char *line, size_t n, const char *name, char *out,
    size_t outsz)
{
	size_t nl = strlen(name), i, o = 0;

	if (n <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0)
		return;
	for (i = nl + 1; i < n && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	while (n > i && isspace((unsigned char)line[n - 1]))
		n--;
	for (; i < n; i++) {
		if ((unsigned char)line[i] < 0x20 || (unsigned char)line[i] >
		    0x7e || o + 1 == outsz) {
			o = 0;
			break;
		}
		out[o++] = line[i];
	}
	out[o] = '\0';
}

/* Copies [s, e) into out as a string, when it fits. */
static void
fetch_copy(char *out, size_t outsz, const char *s, const char *e)
{
	if ((size_t)(e - s) < outsz) {
		memcpy(out, s, e - s);
		out[e - s] = '\0';
	}
}

/* 1 when the params of a Link value say param="want" (a word of it). */
static int
fetch_link_param(const char *p, const char *e, const char *param,
    const char *want)
{
	size_t pl = strlen(param), wl = strlen(want);
	const char *v, *ve, *w;

	/* p[-1] is readable: params follow the URL's '>'. */
	for (; e - p > (ptrdiff_t)pl; p++) {
		if (strncasecmp(p, param, pl) != 0 || p[pl] != '=' ||
		    !(p[-1] == ';' || p[-1] == ' ' || p[-1] == '\t'))
			continue;
		v = p + pl + 1;
		if (v < e && *v == '"') {
			v++;
			for (ve = v; ve < e && *ve != '"'; ve++)
				;
		} else
			for (ve = v; ve < e && *ve != ';' && *ve != ' '; ve++)
				;
		/* rel="a b": a space-separated list of words. */
		for (w = v; w < ve; ) {
			const char *we = w;

			while (we < ve && *we != ' ')
				we++;
			if ((size_t)(we - w) == wl && strncasecmp(w, want, wl) == 0)
				return 1;
			w = we + 1;
		}
	}
	return 0;
}

/* A Link header: <url>; rel="..."; type="...", more after commas. */
static void
fetch_on_link(struct fetch *f, const char *s, const char *end)
{
	const char *u, *ue, *p, *pe;

	while (s < end) {
		if ((u = memchr(s, '<', end - s)) == NULL ||
		    (ue = memchr(u, '>', end - u)) == NULL)
			return;
		u++;
		p = ue + 1;
		for (pe = p; pe < end && *pe != ','; pe++)
			if (*pe == '"')
				while (++pe < end && *pe != '"')
					;
		if (fetch_link_param(p, pe, "rel", "https://api.w.org/"))
			fetch_copy(f->api, sizeof(f->api), u, ue);
		else if (fetch_link_param(p, pe, "rel", "next"))
			fetch_copy(f->next, sizeof(f->next), u, ue);
		else if (fetch_link_param(p, pe, "rel", "alternate") &&
		    fetch_link_param(p, pe, "type", "application/json"))
			fetch_copy(f->json, sizeof(f->json), u, ue);
		s = pe + 1;
	}
}

/* The value of header line s..end when its name is name, else NULL. */
static const char *
fetch_header_is(const char *s, const char *end, const char *name)
{
	size_t n = strlen(name);

	if ((size_t)(end - s) <= n || strncasecmp(s, name, n) != 0 ||
	    s[n] != ':')
		return NULL;
	for (s += n + 1; s < end && (*s == ' ' || *s == '\t'); s++)
		;
	return s;
}

static long
fetch_number(const char *s, const char *end)
{
	long v = 0;

	if (s >= end || !isdigit((unsigned char)*s))
		return -1;
	for (; s < end && isdigit((unsigned char)*s); s++)
		if ((v = v * 10 + (*s - '0')) > 1000000000L)
			return 1000000000L;
	return v;
}

static size_t
fetch_on_header(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct fetch *f = arg;
	size_t n = size * nmemb;
	const char *s = ptr, *end = ptr + n, *v;
	char date[128];
	time_t t;

	/* A redirect's answer comes first: only the last one counts. */
	if (n > 5 && memcmp(ptr, "HTTP/", 5) == 0) {
		f->etag[0] = '\0';
		f->last_modified[0] = '\0';
		f->api[0] = f->json[0] = f->next[0] = '\0';
		f->total = f->pages = f->retry_after = -1;
	}
	fetch_header_value(ptr, n, "ETag", f->etag, sizeof(f->etag));
	fetch_header_value(ptr, n, "Last-Modified", f->last_modified,
	    sizeof(f->last_modified));
	while (end > s && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	if ((v = fetch_header_is(s, end, "Link")) != NULL)
		fetch_on_link(f, v, end);
	else if ((v = fetch_header_is(s, end, "X-WP-Total")) != NULL)
		f->total = fetch_number(v, end);
	else if ((v = fetch_header_is(s, end, "X-WP-TotalPages")) != NULL)
		f->pages = fetch_number(v, end);
	else if ((v = fetch_header_is(s, end, "Retry-After")) != NULL) {
		if ((f->retry_after = fetch_number(v, end)) == -1 &&
		    (size_t)(end - v) < sizeof(date)) {
			/* Or an HTTP date. */
			memcpy(date, v, end - v);
			date[end - v] = '\0';
			if ((t = curl_getdate(date, NULL)) != -1)
				f->retry_after = t > time(NULL) ?
				    (long)(t - time(NULL)) : 0;
		}
	}
	return n;
}

/* Adds "name: value" to the request when value is fit for a header. */
static struct curl_slist *
fetch_add_header(struct curl_slist *l, const char *name, const char *value,
    int *oom)
{
	char line[FETCH_MAX_VALIDATOR + 64];
	struct curl_slist *n;
	const char *s;

	if (value == NULL || value[0] == '\0' ||
	    strlen(value) >= FETCH_MAX_VALIDATOR)
		return l;
	for (s = value; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return l;
	snprintf(line, sizeof(line), "%s: %s", name, value);
	if ((n = curl_slist_append(l, line)) == NULL)
		*oom = 1;
	return n != NULL ? n : l;
}

int
fetch_get(const char *url, size_t max, long timeout, int progress,
    struct fetch *f, char *err, size_t errsz)
{
	return fetch_get_opts(url, NULL, max, timeout, progress, f, err,
	    errsz);
}

int
fetch_get_opts(const char *url, const struct fetch_opts *given, size_t max,
    long timeout, int progress, struct fetch *f, char *err, size_t errsz)
{
	struct fetch_opts o;

	if (given != NULL)
		o = *given;
	else
		memset(&o, 0, sizeof(o));
	o.max = max;
	o.timeout = timeout;
	o.progress = progress;
	o.retries = FETCH_RETRIES;	/* a busy site is asked again, politely */
	return fetch_request(url, &o, f, err, errsz);
}

static int	fetch_once(const char *, const struct fetch_opts *,
		    struct fetch *, char *, size_t);

int
fetch_request(const char *url, const struct fetch_opts *o, struct fetch *f,
    char *err, size_t errsz)
{
	long wait, max_wait = o->max_wait > 0 ? o->max_wait : FETCH_MAX_WAIT;
	char esc[LOG_REQUEST_MAX * 4 + 8];
	int try, rc;

	for (try = 0;; try++) {
		rc = fetch_once(url, o, f, err, errsz);
		if (rc == 0 || (f->status != 429 && f->status != 503) ||
		    try >= o->retries)
			return rc;
		/* Busy: wait as asked, or 1, 2, 4... s; never past max_wait. */
		wait = f->retry_after >= 0 ? f->retry_after : 1L << try;
		if (wait > max_wait) {
			snprintf(err, errsz, "the server answered HTTP %ld and "
			    "asks to wait %ld s, more than the %ld s capsule "
			    "waits", f->status, wait, max_wait);
			return -1;
		}
		if (o->keep_body) {
			free(f->data);
			f->data = NULL;
		}
		/* A URL a feed or a server named: never raw to a terminal. */
		log_escape_text(esc, sizeof(esc), url, strlen(url));
		fprintf(stderr, "capsule import: %s: HTTP %ld; asking again "
		    "in %ld s\n", esc, f->status, wait);
		if (wait > 0) {
			struct timespec ts = { wait, 0 };

			while (nanosleep(&ts, &ts) == -1)
				;
		}
	}
}

static int
fetch_once(const char *url, const struct fetch_opts *o, struct fetch *f,
    char *err, size_t errsz)
{
	struct fetch_sink s;
	struct fetchguard guard;
	char cerr[CURL_ERROR_SIZE] = "";
	const char *ct = NULL, *eff = NULL;
	struct curl_slist *hdrs = NULL;
	size_t max = o->max;
	long timeout = o->timeout > 0 ? o->timeout : 30;
	int progress = o->progress, cond;
	CURL *h;
	CURLcode rc;
	int oom = 0;

	memset(f, 0, sizeof(*f));
	f->total = f->pages = f->retry_after = -1;
	memset(&s, 0, sizeof(s));
	s.f = f;
	s.max = max;
	s.progress = progress;
	if (fetch_handle == NULL && (fetch_handle = curl_easy_init()) == NULL) {
		snprintf(err, errsz, "cannot start libcurl");
		return -1;
	}
	h = fetch_handle;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	fetchguard_setup(h, url, &guard);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)FETCH_MAX_REDIRS);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout <
	    FETCH_CONNECT_TIMEOUT ? timeout : FETCH_CONNECT_TIMEOUT);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "capsule/" CAPSULE_VERSION
	    " (import)");
	hdrs = fetch_add_header(hdrs, "If-None-Match", o->if_none_match, &oom);
	hdrs = fetch_add_header(hdrs, "If-Modified-Since",
	    o->if_modified_since, &oom);
	cond = hdrs != NULL;	/* a conditional GET: 304 is an answer */
	hdrs = fetch_add_header(hdrs, "Accept", o->accept, &oom);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, fetch_on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, f);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, fetch_on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &f->status);
	if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
	    ct != NULL)
		snprintf(f->type, sizeof(f->type), "%s", ct);
	if (curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK &&
	    eff != NULL)
		snprintf(f->url, sizeof(f->url), "%s", eff);
	else
		snprintf(f->url, sizeof(f->url), "%s", url);
	if (progress && s.shown > 0)
		fprintf(stderr, "\r%40s\r", "");
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);

	if (!guard.refused && rc == CURLE_OK && f->status == 304 && cond) {
		/* Unchanged since the validators were given: no body. */
		free(f->data);
		f->data = NULL;
		f->len = 0;
		f->not_modified = 1;
		return 0;
	}
	if (oom)
		s.oom = 1;
	if (guard.refused)
		snprintf(err, errsz, "refused: a local or private address, "
		    "reached from a public URL (see --allow-private-redirects)");
	else if (s.over || rc == CURLE_FILESIZE_EXCEEDED)
		snprintf(err, errsz, "the answer is larger than %zu bytes "
		    "(see --max-size)", max);
	else if (s.oom)
		snprintf(err, errsz, "out of memory");
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		snprintf(err, errsz, "no complete answer within %ld s (see "
		    "--timeout)", timeout);
	else if (rc == CURLE_COULDNT_RESOLVE_HOST)
		snprintf(err, errsz, "cannot resolve the host name: %s", cerr);
	else if (rc == CURLE_COULDNT_CONNECT)
		snprintf(err, errsz, "cannot connect: %s", cerr);
	else if (rc == CURLE_TOO_MANY_REDIRECTS)
		snprintf(err, errsz, "more than %d redirects",
		    FETCH_MAX_REDIRS);
	else if (rc == CURLE_UNSUPPORTED_PROTOCOL)
		snprintf(err, errsz, "only http:// and https:// URLs can be "
		    "fetched: %s", cerr);
	else if (rc == CURLE_PEER_FAILED_VERIFICATION ||
	    rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_SSL_CERTPROBLEM ||
	    rc == CURLE_SSL_CACERT_BADFILE)
		snprintf(err, errsz, "TLS: %s", cerr[0] ? cerr :
		    curl_easy_strerror(rc));
	else if (rc != CURLE_OK)
		snprintf(err, errsz, "%s", cerr[0] ? cerr :
		    curl_easy_strerror(rc));
	else if (f->status < 200 || f->status > 299) {
		snprintf(err, errsz, "the server answered HTTP %ld%s", f->status,
		    f->status == 404 ? " (not found)" : f->status == 410 ?
		    " (gone)" : f->status == 403 ? " (forbidden)" :
		    f->status == 401 ? " (a login is needed)" :
		    f->status == 429 ? " (too many requests)" :
		    f->status == 503 ? " (unavailable)" : "");
		if (o->keep_body && f->data != NULL)
			return -1;
	} else {
		if (f->data == NULL && (f->data = calloc(1, 1)) == NULL) {
			snprintf(err, errsz, "out of memory");
			return -1;
		}
		return 0;
	}
	free(f->data);
	f->data = NULL;
	f->len = 0;
	return -1;
}
