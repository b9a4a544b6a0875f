/*
 * fetch.c: HTTP(S) GETs for capsule import, on libcurl: redirects
 * followed, only http and https, a whole-transfer timeout, a size cap
 * that holds even when the server sends no Content-Length; conditional
 * GETs with the validators (ETag, Last-Modified) an answer gave.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "config.h"
#include "fetch.h"
#include "fetchguard.h"

#define FETCH_MAX_REDIRS	5
#define FETCH_CONNECT_TIMEOUT	10L	/* seconds, within the whole one */

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

static size_t
fetch_on_header(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct fetch *f = arg;
	size_t n = size * nmemb;

	/* A redirect's answer comes first: only the last one counts. */
	if (n > 5 && memcmp(ptr, "HTTP/", 5) == 0) {
		f->etag[0] = '\0';
		f->last_modified[0] = '\0';
	}
	fetch_header_value(ptr, n, "ETag", f->etag, sizeof(f->etag));
	fetch_header_value(ptr, n, "Last-Modified", f->last_modified,
	    sizeof(f->last_modified));
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
fetch_get_opts(const char *url, const struct fetch_opts *o, size_t max,
    long timeout, int progress, struct fetch *f, char *err, size_t errsz)
{
	struct fetch_sink s;
	struct fetchguard guard;
	char cerr[CURL_ERROR_SIZE] = "";
	const char *ct = NULL, *eff = NULL;
	struct curl_slist *hdrs = NULL;
	CURL *h;
	CURLcode rc;
	int oom = 0;

	memset(f, 0, sizeof(*f));
	memset(&s, 0, sizeof(s));
	s.f = f;
	s.max = max;
	s.progress = progress;
	if ((h = curl_easy_init()) == NULL) {
		snprintf(err, errsz, "cannot start libcurl");
		return -1;
	}
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
	if (o != NULL) {
		hdrs = fetch_add_header(hdrs, "If-None-Match",
		    o->if_none_match, &oom);
		hdrs = fetch_add_header(hdrs, "If-Modified-Since",
		    o->if_modified_since, &oom);
	}
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
	curl_easy_cleanup(h);
	curl_slist_free_all(hdrs);

	if (!guard.refused && rc == CURLE_OK && f->status == 304 &&
	    hdrs != NULL) {
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
		snprintf(err, errsz, "refused: a redirect leads to a local or "
		    "private address (see --allow-private-redirects)");
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
	else if (f->status < 200 || f->status > 299)
		snprintf(err, errsz, "the server answered HTTP %ld%s", f->status,
		    f->status == 404 ? " (not found)" : f->status == 410 ?
		    " (gone)" : f->status == 403 ? " (forbidden)" : "");
	else {
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
