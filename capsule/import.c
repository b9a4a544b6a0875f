/*
 * import.c: `capsule import`: posts from where an archive lives into the
 * store. Sources are WordPress exports (WXR), RSS 2.0 (and RSS 1.0) and
 * Atom feeds, as files or http(s) URLs (fetch.c), read by feedread.c;
 * bodies go through html.c. Each post is written to a temporary name
 * and renamed, so a running server never reads half a post.
 *
 * Re-running is how a mirror stays current. Every file import writes
 * carries two header lines the renderers ignore:
 *
 *   Source: <the entry's GUID, or its link>
 *   Import-Hash: <SHA-256 of the file as written, without this line>
 *
 * An entry is matched to a file by its Source, else by its slug. A file
 * whose text still has its Import-Hash is import's own and is replaced
 * when the entry's text changed; a file without one (written by hand) or
 * whose text no longer matches it (edited by hand) is kept unless
 * --force. Same text, no write: the file keeps its bytes and mtime.
 * Nothing is ever deleted.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "arena.h"
#include "buf.h"
#include "feedpage.h"
#include "feedread.h"
#include "fetch.h"
#include "fetchguard.h"
#include "file.h"
#include "html.h"
#include "import.h"
#include "log.h"
#include "picfetch.h"
#include "post.h"
#include "slug.h"
#include "store.h"
#include "url.h"
#include "utf8.h"
#include "wpapi.h"

#define IMPORT_PATH_MAX		4096
#define IMPORT_MAX_SUFFIX	1000	/* slug-2 ... slug-999 */
#define IMPORT_MAX_SOURCE_ID	900	/* bytes of a Source value */
#define IMPORT_MAX_AUTHOR	200
#define IMPORT_MAX_MSG		2048	/* bytes of one message */
#define IMPORT_ESC_MAX		(IMPORT_MAX_MSG * 4 + 8)	/* escaped */
#define IMPORT_HASH_KEY		"Import-Hash: "
#define IMPORT_SHA_HEX		64
#define IMPORT_UNTITLED_MAX	60	/* bytes of first words made a title */

/* What is in the store already, by file. */
struct import_file {
	char	*slug;
	char	*source;	/* NULL when it has none */
	int	 own;		/* written by import and not edited since */
	int	 hashed;	/* has an Import-Hash line at all */
	int	 claimed;	/* an entry of this run took it */
};


static void
import_progress_clear(struct import *im)
{
	if (im->progress_shown) {
		fprintf(stderr, "\r\033[K");
		im->progress_shown = 0;
	}
}

/*
 * s as a terminal may show it (log_escape_text), in out: a feed's titles
 * and links reach the user's terminal in every message, and must never
 * drive it.
 */
static const char *
import_escape(const char *s, char out[IMPORT_ESC_MAX])
{
	log_escape_text(out, IMPORT_ESC_MAX, s, strlen(s));
	return out;
}

void
import_warn(struct import *im, const char *fmt, ...)
{
	char msg[IMPORT_MAX_MSG], src[IMPORT_ESC_MAX], esc[IMPORT_ESC_MAX];
	va_list ap;

	import_progress_clear(im);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "capsule import: %s: %s\n", import_escape(im->src,
	    src), import_escape(msg, esc));
}

void
import_say(struct import *im, const char *fmt, ...)
{
	char msg[IMPORT_MAX_MSG], esc[IMPORT_ESC_MAX];
	va_list ap;
	size_t n;

	import_progress_clear(im);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The line end is ours; all before it may be the feed's. */
	n = strlen(msg);
	if (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	printf("%s\n", import_escape(msg, esc));
	fflush(stdout);
}

void
import_skip(struct import *im, size_t n, const char *what,
    const char *title, const char *why)
{
	char t[IMPORT_MAX_TITLE + 1];

	import_clean_line(title ? title : "", t, sizeof(t));
	if (t[0] != '\0')
		import_say(im, "skipped  %s \"%s\": %s\n", what, t, why);
	else
		import_say(im, "skipped  %s (entry %zu, untitled): %s\n", what,
		    n, why);
	im->skipped++;
}

/* --- small pure helpers ------------------------------------------------ */

int
import_protected(const char *title, const char *html)
{
	/* WordPress's password form, whatever language the title is in. */
	if (html != NULL && (strstr(html, "post-password-form") != NULL ||
	    strstr(html, "action=postpass") != NULL))
		return 1;
	/* A feed with excerpts only: WordPress's excerpt for such a post. */
	if (html != NULL && strstr(html, "There is no excerpt because this "
	    "is a protected post.") != NULL)
		return 1;
	return title != NULL && strncmp(title, "Protected: ", 11) == 0 &&
	    html != NULL && strstr(html, "password") != NULL;
}

int
import_clean_line(const char *in, char *out, size_t outsz)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0, max = outsz - 1, keep;
	int changed = 0, space = 0;

	if (max > IMPORT_MAX_TITLE)
		max = IMPORT_MAX_TITLE;
	while (*s == ' ')
		s++;
	for (; *s != '\0'; s++) {
		int ctl = *s < 0x20 || *s == 0x7f;

		if (*s == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f) {
			ctl = 1;	/* a C1 control, two bytes */
			s++;
		}
		if (ctl) {
			/* The run and the spaces around it make one space. */
			changed = 1;
			space = 1;
			while (o > 0 && out[o - 1] == ' ')
				o--;
			continue;
		}
		if (space && *s == ' ')
			continue;
		if (space && o > 0 && o < max)
			out[o++] = ' ';
		space = 0;
		if (o == max) {
			changed |= 2;
			break;
		}
		out[o++] = (char)*s;
	}
	/* Never end inside a character that the cut split. */
	keep = o;
	while (keep > 0 && ((unsigned char)out[keep - 1] & 0xc0) == 0x80)
		keep--;
	if (keep > 0 && (unsigned char)out[keep - 1] >= 0xc0) {
		size_t want = (unsigned char)out[keep - 1] >= 0xf0 ? 4 :
		    (unsigned char)out[keep - 1] >= 0xe0 ? 3 : 2;

		if (o - (keep - 1) < want)
			o = keep - 1;
	}
	while (o > 0 && out[o - 1] == ' ')
		o--;
	out[o] = '\0';
	return changed;
}

void
import_slugify(const char *title, char *out, size_t outsz)
{
	size_t max = outsz;

	if (max > IMPORT_SLUG_MAX + 1)
		max = IMPORT_SLUG_MAX + 1;
	if (slug_make(title, out, max) == 0)
		snprintf(out, outsz, "post");
}

/* %XX escapes decoded, in place ("%d0%bf" -> "п"); others kept. */
static void
import_unescape(char *s)
{
	char *o = s;
	int hi, lo;

	for (; *s != '\0'; s++) {
		if (s[0] == '%' && (hi = url_hexval(s[1])) >= 0 &&
		    (lo = url_hexval(s[2])) >= 0) {
			*o++ = (char)(hi * 16 + lo);
			s += 2;
		} else
			*o++ = *s;
	}
	*o = '\0';
}

static int
import_month(const char *s)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	int i;

	for (i = 0; i < 12; i++)
		if (strncasecmp(s, months + i * 3, 3) == 0)
			return i + 1;
	return 0;
}

int
import_date(const char *s, char out[11])
{
	int y, m, d, n;
	char mon[4];

	while (isspace((unsigned char)*s))
		s++;
	if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]) &&
	    isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) &&
	    s[4] == '-') {
		memcpy(out, s, 10);
		out[10] = '\0';
		if (strlen(s) >= 10 && (s[10] == '\0' || s[10] == 'T' ||
		    s[10] == 't' || s[10] == ' ') && post_valid_date(out))
			return 0;
		return -1;
	}
	/* RFC 822: [Day,] DD Mon YYYY ... */
	if (isalpha((unsigned char)s[0])) {
		if ((s = strchr(s, ',')) == NULL)
			return -1;
		s++;
	}
	if (sscanf(s, " %2d %3s %n", &d, mon, &n) != 2 ||
	    (m = import_month(mon)) == 0)
		return -1;
	/* WordPress gives drafts "30 Nov -0001": not a year. */
	for (s += n, y = 0, n = 0; isdigit((unsigned char)*s) && n < 4;
	    s++, n++)
		y = y * 10 + (*s - '0');
	if (n == 2)
		y += y < 70 ? 2000 : 1900;
	else if (n != 4)
		return -1;
	if (y < 1 || y > 9999 || d < 1 || d > 31)
		return -1;
	if (m < 1 || m > 12)
		return -1;
	snprintf(out, 11, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
	return post_valid_date(out) ? 0 : -1;
}

/* --- the store as it is ------------------------------------------------ */

static void
import_sha256(const char *data, size_t len, char hex[IMPORT_SHA_HEX + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1)
		mdlen = 0;
	for (i = 0; i < mdlen && i * 2 < IMPORT_SHA_HEX; i++)
		snprintf(hex + i * 2, 3, "%02x", md[i]);
	hex[i * 2] = '\0';
}

/*
 * Finds the header line of key (case-insensitive, "Key:" form) in text;
 * returns its start and sets *end past its LF, or NULL.
 */
static const char *
import_header_line(const char *text, size_t len, const char *key,
    const char **end)
{
	const char *s = text, *stop = text + len, *nl;
	size_t kl = strlen(key);

	while (s < stop) {
		nl = memchr(s, '\n', stop - s);
		nl = nl ? nl + 1 : stop;
		if (nl - s <= 1 || (nl - s == 2 && s[0] == '\r'))
			return NULL;	/* the blank line: header over */
		if ((size_t)(nl - s) > kl && strncasecmp(s, key, kl) == 0) {
			*end = nl;
			return s;
		}
		s = nl;
	}
	return NULL;
}

/* The value of a header line, trimmed, as a new string; NULL if none. */
static char *
import_header_value(const char *text, size_t len, const char *key)
{
	const char *s, *end;

	if ((s = import_header_line(text, len, key, &end)) == NULL)
		return NULL;
	s += strlen(key);
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	return strndup(s, end - s);
}

/*
 * 1 when text still holds the hash of itself less its Import-Hash line:
 * import wrote it and nobody changed it since. *hashed: the line exists.
 */
static int
import_own_text(const char *text, size_t len, int *hashed)
{
	char hex[IMPORT_SHA_HEX + 1], *rest;
	const char *line, *end, *v;
	struct buf b;
	int own;

	*hashed = 0;
	if ((line = import_header_line(text, len, IMPORT_HASH_KEY, &end)) ==
	    NULL)
		return 0;
	*hashed = 1;
	v = line + strlen(IMPORT_HASH_KEY);
	buf_init(&b);
	buf_add(&b, text, line - text);
	buf_add(&b, end, text + len - end);
	if (b.err) {
		buf_free(&b);
		return 0;
	}
	import_sha256(b.data ? b.data : "", b.len, hex);
	buf_free(&b);
	rest = (char *)v;
	own = end - v >= IMPORT_SHA_HEX && memcmp(rest, hex,
	    IMPORT_SHA_HEX) == 0;
	return own;
}

static size_t
import_hash(const char *s)
{
	size_t h = 14695981039346656037ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Puts file i in a table under key; the first file of a key stays first. */
static void
import_slot(size_t *slots, size_t nslots, const char *key, size_t i)
{
	size_t h = import_hash(key) & (nslots - 1);

	while (slots[h] != 0)
		h = (h + 1) & (nslots - 1);
	slots[h] = i + 1;
}

/* Tables kept under half full, so lookups stay short at 100,000 posts. */
static int
import_index(struct import *im)
{
	size_t n = im->nslots ? im->nslots : 128, i;

	if (im->nslots != 0 && (im->nfiles + 1) * 2 <= im->nslots)
		return 0;
	while ((im->nfiles + 1) * 2 > n)
		n *= 2;
	free(im->by_slug);
	free(im->by_source);
	im->by_slug = calloc(n, sizeof(*im->by_slug));
	im->by_source = calloc(n, sizeof(*im->by_source));
	if (im->by_slug == NULL || im->by_source == NULL)
		return -1;
	im->nslots = n;
	for (i = 0; i < im->nfiles; i++) {
		import_slot(im->by_slug, n, im->files[i].slug, i);
		if (im->files[i].source != NULL)
			import_slot(im->by_source, n, im->files[i].source, i);
	}
	return 0;
}

static int
import_add_file(struct import *im, const char *slug, const char *source,
    int own, int hashed)
{
	struct import_file *f;
	size_t cap;

	if (import_index(im) == -1)
		return -1;
	if (im->nfiles == im->capfiles) {
		cap = im->capfiles ? im->capfiles * 2 : 64;
		if ((f = realloc(im->files, cap * sizeof(*f))) == NULL)
			return -1;
		im->files = f;
		im->capfiles = cap;
	}
	f = &im->files[im->nfiles];
	memset(f, 0, sizeof(*f));
	if ((f->slug = strdup(slug)) == NULL)
		return -1;
	if (source != NULL && (f->source = strdup(source)) == NULL) {
		free(f->slug);
		return -1;
	}
	f->own = own;
	f->hashed = hashed;
	import_slot(im->by_slug, im->nslots, f->slug, im->nfiles);
	if (f->source != NULL)
		import_slot(im->by_source, im->nslots, f->source, im->nfiles);
	im->nfiles++;
	return 0;
}

/* Reads what the store holds: each post's slug, Source and Import-Hash. */
static int
import_scan(struct import *im)
{
	char path[IMPORT_PATH_MAX], slug[256], *text, *source;
	struct dirent *de;
	size_t len, nl;
	DIR *d;
	int own, hashed;

	if ((d = opendir(im->content)) == NULL) {
		fprintf(stderr, "capsule import: %s: %s\n", im->content,
		    strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		nl = strlen(de->d_name);
		if (de->d_name[0] == '.' || nl < 5 || nl - 4 >= sizeof(slug) ||
		    strcmp(de->d_name + nl - 4, ".txt") != 0)
			continue;
		snprintf(slug, sizeof(slug), "%.*s", (int)(nl - 4), de->d_name);
		snprintf(path, sizeof(path), "%s/%s", im->content, de->d_name);
		if ((text = file_read(path, POST_MAX_SIZE, &len, NULL)) == NULL) {
			/* Unreadable: it exists, and import never touches it. */
			if (import_add_file(im, slug, NULL, 0, 0) == -1)
				goto oom;
			continue;
		}
		source = import_header_value(text, len, "Source:");
		own = import_own_text(text, len, &hashed);
		free(text);
		if (import_add_file(im, slug, source, own, hashed) == -1) {
			free(source);
			goto oom;
		}
		free(source);
	}
	closedir(d);
	return 0;
oom:
	closedir(d);
	fprintf(stderr, "capsule import: out of memory\n");
	return -1;
}

static struct import_file *
import_find(struct import *im, const size_t *slots, const char *key,
    int source)
{
	size_t h, i;
	const char *k;

	if (im->nslots == 0)
		return NULL;
	for (h = import_hash(key) & (im->nslots - 1); slots[h] != 0;
	    h = (h + 1) & (im->nslots - 1)) {
		i = slots[h] - 1;
		k = source ? im->files[i].source : im->files[i].slug;
		if (strcmp(k, key) == 0)
			return &im->files[i];
	}
	return NULL;
}

static struct import_file *
import_find_slug(struct import *im, const char *slug)
{
	return import_find(im, im->by_slug, slug, 0);
}

static struct import_file *
import_find_source(struct import *im, const char *source)
{
	return import_find(im, im->by_source, source, 1);
}

/* --- writing ----------------------------------------------------------- */

/* Writes data to DIR/name through a temporary file, synced, renamed. */
static int
import_write_atomic(const char *dir, const char *name, const char *data,
    size_t len)
{
	char tmp[IMPORT_PATH_MAX], path[IMPORT_PATH_MAX];

	/* A dot name without ".txt" at the end: the store never loads it. */
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >=
	    (int)sizeof(tmp) || snprintf(path, sizeof(path), "%s/%s", dir,
	    name) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return file_write_atomic(path, tmp, data, len, 1);
}

/*
 * Makes the store's directory at the first file written to it, so that a
 * source refused, or one with nothing to import, leaves nothing behind.
 */
static int
import_make_store(struct import *im)
{
	if (im->store_exists)
		return 0;
	if (mkdir(im->content, 0755) == -1 && errno != EEXIST)
		return -1;
	im->store_exists = 1;
	fprintf(stderr, "capsule import: made the store %s\n", im->content);
	return 0;
}

/* 1 when the file at path holds exactly data. */
static int
import_same(const char *path, const char *data, size_t len)
{
	size_t got;
	char *old;
	int same;

	if ((old = file_read(path, POST_MAX_SIZE, &got, NULL)) == NULL)
		return 0;
	same = got == len && memcmp(old, data, len) == 0;
	free(old);
	return same;
}

/* --- one entry into one post ------------------------------------------- */

/* A header value: control characters made spaces, cut to fit. */
static const char *
import_clean(struct import *im, const char *s, size_t max, int *changed)
{
	char line[IMPORT_MAX_TITLE + 1];
	int c;

	if (s == NULL)
		return NULL;
	c = import_clean_line(s, line, max + 1 < sizeof(line) ? max + 1 :
	    sizeof(line));
	if (changed != NULL)
		*changed = c;
	return arena_strdup(&im->a, line);
}

/*
 * The slug an entry asks for: its post name, its link's last segment, or
 * its title; WordPress's percent-encoded names ("%d0%bf%d1%80...") are
 * decoded and spelt in ASCII (slug.c). With nothing to spell (a title in
 * kanji), a name that depends on the entry alone: "post-" and its
 * WordPress post id, else a hash of its Source.
 */
static void
import_entry_slug(const struct import_entry *e, const char *source,
    char *out, size_t outsz)
{
	const char *p, *end, *seg;
	char name[IMPORT_PATH_MAX];
	size_t n;

	if (e->name != NULL && e->name[0] != '\0' &&
	    strlen(e->name) < sizeof(name)) {
		snprintf(name, sizeof(name), "%s", e->name);
		import_unescape(name);
		if ((n = strlen(name)) <= IMPORT_SLUG_MAX && n < outsz &&
		    post_valid_slug(name)) {
			memcpy(out, name, n + 1);
			return;
		}
		if (utf8_valid(name, strlen(name)) && slug_make(name, out,
		    outsz < IMPORT_SLUG_MAX + 1 ? outsz : IMPORT_SLUG_MAX + 1) >
		    0)
			return;
	}
	if (e->link != NULL && (p = strstr(e->link, "://")) != NULL &&
	    (p = strchr(p + 3, '/')) != NULL) {
		end = p + strcspn(p, "?#");
		while (end > p && end[-1] == '/')
			end--;
		for (seg = end; seg > p && seg[-1] != '/'; seg--)
			;
		n = end - seg;
		if (n > 5 && strncmp(end - 5, ".html", 5) == 0)
			n -= 5;
		if (n > 0 && n < sizeof(name)) {
			memcpy(name, seg, n);
			name[n] = '\0';
			import_unescape(name);
			n = strlen(name);
			if (n <= IMPORT_SLUG_MAX && n < outsz &&
			    post_valid_slug(name)) {
				memcpy(out, name, n + 1);
				return;
			}
			/* A decoded non-ASCII segment, but not "?p=12". */
			if (strchr(name, '=') == NULL && utf8_valid(name,
			    strlen(name)) && (unsigned char)name[0] >= 0x80 &&
			    slug_make(name, out, outsz < IMPORT_SLUG_MAX + 1 ?
			    outsz : IMPORT_SLUG_MAX + 1) > 0)
				return;
		}
	}
	if (slug_make(e->title, out, outsz < IMPORT_SLUG_MAX + 1 ? outsz :
	    IMPORT_SLUG_MAX + 1) > 0)
		return;
	if (e->id != NULL && (p = strstr(e->id, "/?p=")) != NULL)
		snprintf(out, outsz, "post-%s", p + 4);
	else
		snprintf(out, outsz, "post-%06x", (unsigned)(slug_hash(source ?
		    source : e->title) & 0xffffff));
	if (!post_valid_slug(out))
		snprintf(out, outsz, "post");
}

/* The host of a URL without port or a leading "www.", into out. */
static void
import_host(const char *url, char *out, size_t outsz)
{
	const char *h = strstr(url, "://"), *at;
	size_t n;

	out[0] = '\0';
	if (h == NULL)
		return;
	h += 3;
	n = strcspn(h, "/?#");
	if ((at = memchr(h, '@', n)) != NULL) {
		n -= at + 1 - h;
		h = at + 1;
	}
	n = h[0] == '[' ? strcspn(h, "]") + 1 : strcspn(h, ":/?#");
	if (n > 4 && strncasecmp(h, "www.", 4) == 0) {
		h += 4;
		n -= 4;
	}
	if (n >= outsz)
		return;
	memcpy(out, h, n);
	out[n] = '\0';
}

/*
 * html.c's picture callback: the picture mirrored into the store when
 * pictures are on for this source, its local path written in its place.
 * By default only the site's own pictures come (a web source's host);
 * --media brings every picture, whatever its host and the source.
 */
static const char *
import_picture(void *arg, const struct html_picture *pic)
{
	struct import *im = arg;
	char a[256], b[256];

	if (!im->media_now || im->pictures == NULL ||
	    (strncasecmp(pic->url, "http://", 7) != 0 &&
	    strncasecmp(pic->url, "https://", 8) != 0))
		return NULL;
	if (im->media == -1) {
		import_host(pic->url, a, sizeof(a));
		import_host(im->base != NULL ? im->base : "", b, sizeof(b));
		if (a[0] == '\0' || strcasecmp(a, b) != 0)
			return NULL;
	}
	if (!im->dry_run && import_make_store(im) == -1)
		return NULL;
	return picfetch_picture(im->pictures, pic);
}

/*
 * The featured picture, as a link line above the text, unless the text
 * shows it already; "" when there is none.
 */
static void
import_featured(struct import *im, const struct import_entry *e,
    const struct buf *body, struct buf *out)
{
	struct html_picture pic;
	const char *to, *url = e->picture, *at, *s;
	char alt[HTML_MAX_IMAGE + 1];
	size_t n;

	/* An absolute web URL of one line, as link lines need. */
	if (url == NULL || (strncasecmp(url, "http://", 7) != 0 &&
	    strncasecmp(url, "https://", 8) != 0) || strlen(url) > 2048)
		return;
	for (s = url; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return;
	import_clean_line(e->picture_alt != NULL ? e->picture_alt : "", alt,
	    sizeof(alt));
	pic.url = url;
	pic.alt = alt;
	pic.caption = "";
	to = import_picture(im, &pic);
	if (to == NULL)
		to = url;
	n = strlen(to);
	for (at = body->data; body->len > 0 && at != NULL &&
	    (at = strstr(at, to)) != NULL; at += n)
		if (at >= body->data + 3 && memcmp(at - 3, "=> ", 3) == 0 &&
		    (at[n] == ' ' || at[n] == '\n' || at[n] == '\0'))
			return;	/* the text shows it */
	buf_printf(out, "=> %s%s%s\n%s", to, alt[0] ? " " : "", alt,
	    body->len > 0 ? "\n" : "");
}

/* The text of the post file for e, with its Import-Hash line. */
static int
import_render(struct import *im, const struct import_entry *e,
    const char *source, struct buf *out)
{
	struct html_options ho;
	struct html_markup m;
	struct buf b, in;
	char err[160], hex[IMPORT_SHA_HEX + 1];
	const char *html = e->html ? e->html : "", *s;
	size_t i, tagbytes = 6;
	int flags = e->autop ? HTML_AUTOP : 0;

	buf_init(&in);
	if (e->plain) {
		/* Text content: escaped, its blank lines paragraphs. */
		for (s = html; *s != '\0'; s++)
			if (buf_xml_entity(*s) != NULL)
				buf_puts(&in, buf_xml_entity(*s));
			else
				buf_putc(&in, *s);
		html = in.data ? in.data : "";
		flags |= HTML_AUTOP;
	}
	memset(&ho, 0, sizeof(ho));
	ho.base = e->base ? e->base : e->link ? e->link : im->base;
	ho.flags = flags;
	ho.max = POST_MAX_SIZE - 64 * 1024;
	ho.picture = import_picture;
	ho.arg = im;
	if (html_convert(html, strlen(html), &ho, &m, err, sizeof(err)) ==
	    -1) {
		buf_free(&in);
		import_warn(im, "entry %zu \"%s\": %s; not imported", e->n,
		    e->title, err);
		return -1;
	}
	buf_free(&in);
	for (i = 0; i < m.nwarnings; i++)
		import_warn(im, "entry %zu \"%s\": %s", e->n, e->title,
		    m.warnings[i]);
	buf_init(&b);
	buf_printf(&b, "Title: %s\nDate: %s\n", e->title, e->date);
	if (e->author != NULL && e->author[0] != '\0')
		buf_printf(&b, "Author: %s\n", e->author);
	if (e->ntags > 0) {
		buf_puts(&b, "Tags: ");
		for (i = 0; i < e->ntags; i++) {
			if (tagbytes + strlen(e->tags[i]) + 2 > POST_MAX_HEADER) {
				import_warn(im, "entry %zu \"%s\": %zu tags "
				    "past the header line's %d bytes left out",
				    e->n, e->title, e->ntags - i,
				    POST_MAX_HEADER);
				break;
			}
			buf_printf(&b, "%s%s", i ? ", " : "", e->tags[i]);
			tagbytes += strlen(e->tags[i]) + 2;
		}
		buf_putc(&b, '\n');
	}
	if (source != NULL)
		buf_printf(&b, "Source: %s\n", source);
	buf_putc(&b, '\n');
	import_featured(im, e, &m.body, &b);
	if (m.body.len > 0) {
		buf_add(&b, m.body.data, m.body.len);
		buf_putc(&b, '\n');
	}
	html_markup_free(&m);
	if (b.err) {
		buf_free(&b);
		import_warn(im, "entry %zu: out of memory", e->n);
		return -1;
	}
	/* The hash covers the file less its own line, put last in the header. */
	import_sha256(b.data, b.len, hex);
	s = strstr(b.data, "\n\n");
	buf_init(out);
	buf_add(out, b.data, s + 1 - b.data);
	buf_printf(out, IMPORT_HASH_KEY "%s\n", hex);
	buf_puts(out, s + 1);
	buf_free(&b);
	return out->err ? -1 : 0;
}

/* 1 when s can be a Source value: not empty, one line, not too long. */
static int
import_source_ok(const char *s)
{
	return s != NULL && s[0] != '\0' && strlen(s) <= IMPORT_MAX_SOURCE_ID &&
	    strpbrk(s, "\t\r\n") == NULL;
}

/* Imports one entry: decides its file, then adds, updates or keeps. */
/*
 * The Date line of the post file at path, into out. An undated entry keeps
 * the date its post already has: a day guessed anew on every run would
 * rewrite the post on every run. Returns 0, or -1 when there is none.
 */
static int
import_file_date(const char *path, char out[11])
{
	char *text, *p, *end;
	size_t len;
	int rc = -1;

	if ((text = file_read(path, POST_MAX_SIZE, &len, NULL)) == NULL)
		return -1;
	/* The header ends at the first blank line. */
	for (p = text, end = text + len; p < end && *p != '\n';) {
		if (end - p > 16 && strncmp(p, "Date: ", 6) == 0 &&
		    strspn(p + 6, "0123456789-") == 10 && p[16] == '\n') {
			memcpy(out, p + 6, 10);
			out[10] = '\0';
			rc = 0;
			break;
		}
		if ((p = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		p++;
	}
	free(text);
	return rc;
}

static void
import_entry(struct import *im, struct import_entry *e)
{
	char slug[IMPORT_SLUG_MAX + 16], base[IMPORT_SLUG_MAX + 1];
	char name[IMPORT_SLUG_MAX + 32], path[IMPORT_PATH_MAX];
	struct import_file *f = NULL, *g;
	const char *source, *legacy;
	struct post_error perr;
	struct post p;
	struct arena pa;
	struct buf text;
	int n, rc, fresh = 0;

	/*
	 * The Source: the GUID, else the link. A WordPress post is its post
	 * id on its site: when other posts of the export share its GUID, or
	 * it has none, its Source is that id. A file found keeps its Source,
	 * so a store written before (GUIDs) matches as it did.
	 */
	legacy = import_source_ok(e->guid) ? e->guid :
	    import_source_ok(e->link) ? e->link : NULL;
	source = legacy;
	if (import_source_ok(e->id) && (e->shared_guid || legacy == NULL))
		source = e->id;
	if (import_source_ok(e->id))
		f = import_find_source(im, e->id);
	if (f == NULL && legacy != NULL &&
	    (g = import_find_source(im, legacy)) != NULL &&
	    !(g->claimed && import_source_ok(e->id)))
		f = g;
	if (f != NULL)
		source = f->source;
	if (f == NULL) {
		import_entry_slug(e, source, base, sizeof(base));
		snprintf(slug, sizeof(slug), "%s", base);
		for (n = 2;; n++) {
			g = import_find_slug(im, slug);
			/* Free, or a hand-made post of that name: this one. */
			if (g == NULL || (!g->claimed && g->source == NULL))
				break;
			if (n == IMPORT_MAX_SUFFIX) {
				import_warn(im, "entry %zu \"%s\": no free slug "
				    "for \"%s\"; not imported", e->n, e->title,
				    base);
				im->refused++;
				return;
			}
			snprintf(slug, sizeof(slug), "%s-%d", base, n);
		}
		if (strcmp(slug, base) != 0)
			import_warn(im, "entry %zu \"%s\": the slug \"%s\" is "
			    "taken by another post; this one is \"%s\"",
			    e->n, e->title, base, slug);
		f = import_find_slug(im, slug);
	} else
		snprintf(slug, sizeof(slug), "%s", f->slug);
	if (f != NULL && f->claimed) {
		import_warn(im, "entry %zu \"%s\": repeats an entry already "
		    "imported as \"%s\"; skipped", e->n, e->title, slug);
		im->skipped++;
		return;
	}

	snprintf(name, sizeof(name), "%s.txt", slug);
	snprintf(path, sizeof(path), "%s/%s", im->content, name);
	if (e->undated && f != NULL)
		(void)import_file_date(path, e->date);
	if (import_render(im, e, source, &text) == -1) {
		im->refused++;
		return;
	}
	/* Never write a post the store would refuse to load. */
	arena_init(&pa);
	rc = post_parse(&pa, slug, text.data, text.len, &p, &perr);
	arena_free(&pa);
	if (rc == -1) {
		import_warn(im, "entry %zu \"%s\": would not load (line %d: "
		    "%s); not imported", e->n, e->title, perr.line, perr.msg);
		buf_free(&text);
		im->refused++;
		return;
	}
	if (f == NULL) {
		if (import_add_file(im, slug, source, 1, 1) == -1) {
			buf_free(&text);
			im->errors++;
			return;
		}
		f = &im->files[im->nfiles - 1];
		fresh = 1;
	}
	f->claimed = 1;
	if (!fresh && import_same(path, text.data, text.len)) {
		im->unchanged++;
	} else if (!fresh && !f->own && !im->force) {
		import_say(im, "kept     %s: %s (--force replaces it)\n", slug,
		    f->hashed ? "edited by hand since it was imported" :
		    "written by hand");
		im->kept++;
	} else if (im->dry_run) {
		import_say(im, "%s %s: %s\n", fresh ? "would add   " :
		    "would update", slug, e->title);
		fresh ? im->added++ : im->updated++;
	} else if (import_make_store(im) == -1 ||
	    import_write_atomic(im->content, name, text.data, text.len) == -1) {
		import_warn(im, "%s: %s", path, strerror(errno));
		im->errors++;
	} else {
		import_say(im, "%s %s: %s\n", fresh ? "added   " : "updated ",
		    slug, e->title);
		fresh ? im->added++ : im->updated++;
		f->own = 1;
		f->hashed = 1;
	}
	buf_free(&text);
}

/* --- what the feed reader hands over ---------------------------------- */

/*
 * A title for an untitled entry: the first words of its text, cut at a
 * word with "…" after them. -1 when the text has no words.
 */
static int
import_first_words(const struct import_entry *e, char *out, size_t outsz)
{
	char *text, line[IMPORT_MAX_TITLE + 1];
	size_t n, cut;

	if (e->html == NULL)
		return -1;
	text = e->plain ? strdup(e->html) : html_to_text(e->html,
	    strlen(e->html));
	if (text == NULL)
		return -1;
	import_clean_line(text, line, sizeof(line));
	free(text);
	n = strlen(line);
	if (n == 0)
		return -1;
	if (n + 1 <= outsz && n <= IMPORT_UNTITLED_MAX) {
		memcpy(out, line, n + 1);
		return 0;
	}
	/* At a space before the limit; else between characters. */
	cut = IMPORT_UNTITLED_MAX < outsz - 4 ? IMPORT_UNTITLED_MAX : outsz - 4;
	while (cut > 0 && line[cut] != ' ')
		cut--;
	if (cut == 0) {
		cut = IMPORT_UNTITLED_MAX < outsz - 4 ? IMPORT_UNTITLED_MAX :
		    outsz - 4;
		while (cut > 0 && ((unsigned char)line[cut] & 0xc0) == 0x80)
			cut--;
	}
	while (cut > 0 && strchr(" ,;:.-", line[cut - 1]) != NULL)
		cut--;
	snprintf(out, outsz, "%.*s\xe2\x80\xa6", (int)cut, line);
	return 0;
}

/* The UTC day of t as a store date, or "" when it has none. */
static void
import_day(time_t t, char out[11])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 11, "%Y-%m-%d", &tm) != 10)
		out[0] = '\0';
}

/* Checks the title and the date, then imports; says why not otherwise. */
void
import_finish(struct import *im, struct import_entry *e, const char *title,
    const char *date)
{
	char words[IMPORT_UNTITLED_MAX + 8];
	int changed = 0;

	if (import_protected(title, e->html)) {
		import_skip(im, e->n, "post", title,
		    "protected by a password; its text is not written");
		return;
	}
	e->title = import_clean(im, title ? title : "", IMPORT_MAX_TITLE,
	    &changed);
	if (e->title != NULL && e->title[0] == '\0') {
		/* WordPress allows untitled posts: their first words are one. */
		if (import_first_words(e, words, sizeof(words)) == -1) {
			import_warn(im, "entry %zu%s%s: no title and no text; "
			    "not imported", e->n, e->link ? " " : "",
			    e->link ? e->link : "");
			im->refused++;
			return;
		}
		e->title = arena_strdup(&im->a, words);
		import_warn(im, "entry %zu%s%s: no title; titled \"%s\" from "
		    "its first words", e->n, e->link ? " " : "",
		    e->link ? e->link : "", words);
	}
	if (e->title == NULL) {
		import_warn(im, "entry %zu: out of memory", e->n);
		im->errors++;
		return;
	}
	if (changed & 1)
		import_warn(im, "entry %zu \"%s\": control characters or TABs "
		    "in the title made spaces", e->n, e->title);
	if (changed & 2)
		import_warn(im, "entry %zu \"%s\": title cut at %d bytes", e->n,
		    e->title, IMPORT_MAX_TITLE);
	if (date == NULL || import_date(date, e->date) == -1) {
		if (im->feed_date[0] == '\0' && im->src_date[0] == '\0') {
			import_warn(im, "entry %zu \"%s\": %s, and the feed "
			    "has no date either; not imported", e->n,
			    e->title, date ? "its date is not a date" :
			    "no date");
			im->refused++;
			return;
		}
		if (im->feed_date[0] == '\0') {
			/* RSS 0.91/0.92 items need none: as feed readers do. */
			import_warn(im, "entry %zu \"%s\": %s, nor has the "
			    "feed; using %s, %s", e->n, e->title, date ?
			    "its date is not a date" : "no date",
			    im->src_is_url ? "the day it was fetched" :
			    "the file's date", im->src_date);
			memcpy(e->date, im->src_date, sizeof(e->date));
			e->undated = 1;
			goto dated;
		}
		import_warn(im, "entry %zu \"%s\": %s; using the feed's "
		    "date %s", e->n, e->title, date ? "its date is not a date" :
		    "no date", im->feed_date);
		memcpy(e->date, im->feed_date, sizeof(e->date));
	}
dated:
	e->author = import_clean(im, e->author, IMPORT_MAX_AUTHOR, NULL);
	import_entry(im, e);
}

void
import_progress(struct import *im, size_t done, size_t total)
{
	char src[IMPORT_ESC_MAX];

	if (!im->progress || total < 2)
		return;
	fprintf(stderr, "\rimport: %s: %zu/%zu entries", import_escape(im->src,
	    src), done, total);
	im->progress_shown = 1;
}

/* Writes capsule.conf from the feed's own title, when the store has none. */
void
import_settings(struct import *im, const char *title, const char *desc,
    const char *lang)
{
	char path[IMPORT_PATH_MAX], t[IMPORT_MAX_TITLE + 1];
	struct stat sb;
	struct buf b;

	snprintf(path, sizeof(path), "%s/%s", im->content,
	    STORE_SETTINGS_FILE);
	if (title == NULL || stat(path, &sb) == 0 || errno != ENOENT ||
	    im->dry_run)
		return;
	/* Written once a post of the source is in the store (below). */
	if (!im->settings_now) {
		im->conf_title = title;
		im->conf_desc = desc;
		im->conf_lang = lang;
		return;
	}
	import_clean_line(title, t, sizeof(t));
	if (t[0] == '\0')
		return;
	buf_init(&b);
	buf_printf(&b, "Title: %s\n", t);
	if (desc != NULL) {
		import_clean_line(desc, t, sizeof(t));
		if (t[0] != '\0')
			buf_printf(&b, "Description: %s\n", t);
	}
	if (lang != NULL) {
		import_clean_line(lang, t, sizeof(t));
		if (t[0] != '\0' && strlen(t) <= 35 &&
		    strspn(t, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTU"
		    "VWXYZ0123456789-") == strlen(t))
			buf_printf(&b, "Language: %s\n", t);
	}
	if (!b.err && import_make_store(im) == 0 &&
	    import_write_atomic(im->content, STORE_SETTINGS_FILE,
	    b.data, b.len) == 0)
		import_say(im, "added    %s: the capsule's title \"%s\"\n",
		    STORE_SETTINGS_FILE, title);
	buf_free(&b);
}

/*
 * A site's page with no REST API that links its feed: that feed, with its
 * later pages, as if it had been named (fetched under the same guard).
 */
static void
import_page_feed(struct import *im, const char *url)
{
	struct fetch f;
	char err[512];

	import_say(im, "%s is an HTML page with no WordPress API; reading its "
	    "feed, %s\n", im->src, url);
	if (fetch_get(url, im->max, im->timeout, im->progress, &f, err,
	    sizeof(err)) == -1) {
		import_warn(im, "its feed, %s: %s", url, err);
		im->errors++;
		return;
	}
	im->base = arena_strdup(&im->a, f.url);
	feedpage_import(im, &f);
	free(f.data);
}

static void
import_source(struct import *im, const char *src)
{
	struct fetch f;
	struct stat sb;
	char err[512], api[2048];
	char *data;
	size_t len, done = im->added + im->updated + im->unchanged + im->kept;

	arena_init(&im->a);
	im->src = src;
	im->base = NULL;
	im->feed_date[0] = '\0';
	im->feed_author = NULL;
	im->nauthors = 0;
	im->src_is_url = 0;
	import_day(time(NULL), im->src_date);
	/* Pictures by default for what comes from the web, not from files. */
	im->media_now = im->media == 1 || (im->media == -1 &&
	    (strncasecmp(src, "http://", 7) == 0 ||
	    strncasecmp(src, "https://", 8) == 0));
	if (strncasecmp(src, "http://", 7) == 0 ||
	    strncasecmp(src, "https://", 8) == 0) {
		im->src_is_url = 1;
		if (fetch_get(src, im->max, im->timeout, im->progress, &f, err,
		    sizeof(err)) == -1) {
			import_warn(im, "%s", err);
			im->errors++;
		} else {
			im->base = arena_strdup(&im->a, f.url);
			/* A WordPress page or REST root: its API; else a feed,
			 * with its later pages. */
			if (wpapi_find(&f, api, sizeof(api)) == 0)
				wpapi_import(im, &f, api);
			else if (feedread_html_feed(f.data, f.len, f.url, api,
			    sizeof(api)) == 0)
				import_page_feed(im, api);
			else
				feedpage_import(im, &f);
			free(f.data);
		}
	} else if (strstr(src, "://") != NULL && strspn(src,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
	    == (size_t)(strstr(src, "://") - src)) {
		import_warn(im, "only http:// and https:// URLs can be fetched");
		im->errors++;
	} else if (stat(src, &sb) == -1) {
		import_warn(im, "%s", strerror(errno));
		im->errors++;
	} else if (!S_ISREG(sb.st_mode)) {
		import_warn(im, "not a file");
		im->errors++;
	} else if ((size_t)sb.st_size > im->max) {
		/* Refused before reading: a 1 GB file costs nothing. */
		import_warn(im, "%lld bytes, more than the %zu allowed (see "
		    "--max-size)", (long long)sb.st_size, im->max);
		im->errors++;
	} else if ((data = file_read(src, im->max, &len, NULL)) == NULL) {
		import_warn(im, "%s", strerror(errno));
		im->errors++;
	} else {
		import_day(sb.st_mtime, im->src_date);
		feedread(im, data, len, NULL);
		free(data);
	}
	/* A source none of whose posts is in the store writes nothing. */
	if (im->conf_title != NULL && im->added + im->updated +
	    im->unchanged + im->kept > done) {
		im->settings_now = 1;
		import_settings(im, im->conf_title, im->conf_desc,
		    im->conf_lang);
		im->settings_now = 0;
	}
	im->conf_title = im->conf_desc = im->conf_lang = NULL;
	import_progress_clear(im);
	arena_free(&im->a);
}

/* --- the command ------------------------------------------------------- */

static void
import_usage(FILE *f)
{
	fprintf(f,
	    "usage: capsule import [--content DIR] [--dry-run] [--drafts] "
	    "[--force] [--full]\n"
	    "                      [--max-size BYTES] [--timeout SECONDS] "
	    "SOURCE...\n"
	    "                      [--allow-private-redirects] [--media | "
	    "--no-media]\n"
	    "                      [--max-media-size BYTES] "
	    "[--max-media-total BYTES]\n"
	    "SOURCE: a WordPress export (WXR), a Blogger export, an RSS or "
	    "Atom feed:\n"
	    "        a file or an http(s) URL; or any page of a WordPress site "
	    "(the site,\n"
	    "        a tag, category or author archive): its posts through its "
	    "REST API;\n"
	    "        only published posts become posts\n"
	    "  --content DIR      the store to write into (default: content)\n"
	    "  --dry-run          say what would be added or updated; write "
	    "nothing\n"
	    "  --drafts           also drafts, pending and scheduled posts "
	    "(never private ones)\n"
	    "  --force            replace posts written or edited by hand\n"
	    "  --max-size BYTES   refuse larger sources (K, M, G; default 64M, "
	    "at most 1G)\n"
	    "  --timeout SECONDS  give up a URL after this long (default 30)\n"
	    "  --full             ask a WordPress site for every post, not "
	    "only what changed\n"
	    "  --allow-private-redirects\n"
	    "                     let a public URL redirect to a local or "
	    "private address\n"
	    "  --media            fetch every picture into DIR/media/, files' "
	    "too (default:\n"
	    "                     a URL source's pictures on its own host)\n"
	    "  --no-media         fetch no picture; link lines keep their "
	    "URLs\n"
	    "  --max-media-size BYTES\n"
	    "                     keep no larger picture (default 16M, at "
	    "most 1G)\n"
	    "  --max-media-total BYTES\n"
	    "                     fetch no more picture bytes a run (default "
	    "1G)\n"
	    "  --help             this text\n");
}

/* A picture's warning, said about the source being read. */
static void
import_picture_warn(void *arg, const char *msg)
{
	import_warn(arg, "%s", msg);
}

/* "2G", "1T" or bytes, for --max-media-total; 0 when not a size. */
static unsigned long long
import_total(const char *s)
{
	char *end;
	unsigned long long v, k = 1;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || v == 0)
		return 0;
	switch (*end) {
	case 'K': case 'k': k = 1ull << 10; end++; break;
	case 'M': case 'm': k = 1ull << 20; end++; break;
	case 'G': case 'g': k = 1ull << 30; end++; break;
	case 'T': case 't': k = 1ull << 40; end++; break;
	}
	if (*end != '\0' || v > (1ull << 50) / k)
		return 0;
	return v * k;
}

/* "64M", "512K" or bytes; 0 when not a size. */
static size_t
import_size(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || v == 0)
		return 0;
	if (*end == 'K' || *end == 'k')
		v *= 1024, end++;
	else if (*end == 'M' || *end == 'm')
		v *= 1024 * 1024, end++;
	else if (*end == 'G' || *end == 'g')
		v *= 1024ull * 1024 * 1024, end++;
	if (*end != '\0' || v > 1024ull * 1024 * 1024)
		return 0;
	return (size_t)v;
}

/*
 * The store is a directory, or is to be one: then its parent must be
 * there (import makes one directory, not a path), said before any source
 * is read.
 */
static int
import_check_store(struct import *im)
{
	char parent[IMPORT_PATH_MAX], *slash;
	struct stat sb;

	if (stat(im->content, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode)) {
			fprintf(stderr, "capsule import: %s: not a directory\n",
			    im->content);
			return -1;
		}
		im->store_exists = 1;
		return 0;
	}
	if (errno != ENOENT) {
		fprintf(stderr, "capsule import: %s: %s\n", im->content,
		    strerror(errno));
		return -1;
	}
	snprintf(parent, sizeof(parent), "%s", im->content);
	while ((slash = strrchr(parent, '/')) != NULL && slash[1] == '\0' &&
	    slash != parent)
		*slash = '\0';	/* "dir/" is "dir" */
	if ((slash = strrchr(parent, '/')) == NULL)
		return 0;	/* in the working directory */
	if (slash == parent)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (stat(parent, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		fprintf(stderr, "capsule import: cannot make the store %s: its "
		    "parent directory %s %s\n", im->content, parent,
		    stat(parent, &sb) == -1 ? "does not exist" :
		    "is not a directory");
		return -1;
	}
	return 0;
}

int
import_main(int argc, char **argv)
{
	struct import im;
	struct picfetch pf;
	size_t i, nsrc, failed = 0, errors;
	int a;

	memset(&im, 0, sizeof(im));
	memset(&pf, 0, sizeof(pf));
	im.media = -1;
	pf.max_file = PICFETCH_MAX_FILE;
	pf.max_total = PICFETCH_MAX_TOTAL;
	im.content = "content";
	im.max = IMPORT_MAX_SOURCE;
	im.timeout = IMPORT_TIMEOUT;
	for (a = 1; a < argc; a++) {
		const char *v = a + 1 < argc ? argv[a + 1] : NULL;

		if (strcmp(argv[a], "--help") == 0 ||
		    strcmp(argv[a], "-h") == 0) {
			import_usage(stdout);
			return 0;
		} else if (strcmp(argv[a], "--content") == 0 && v) {
			im.content = argv[++a];
		} else if (strcmp(argv[a], "--dry-run") == 0) {
			im.dry_run = 1;
		} else if (strcmp(argv[a], "--drafts") == 0) {
			im.drafts = 1;
		} else if (strcmp(argv[a], "--force") == 0) {
			im.force = 1;
		} else if (strcmp(argv[a], "--allow-private-redirects") == 0) {
			fetchguard_allow_private(1);
		} else if (strcmp(argv[a], "--media") == 0) {
			im.media = 1;
		} else if (strcmp(argv[a], "--no-media") == 0) {
			im.media = 0;
		} else if (strcmp(argv[a], "--max-media-size") == 0 && v) {
			if ((pf.max_file = import_size(argv[++a])) == 0) {
				fprintf(stderr, "capsule import: "
				    "--max-media-size wants bytes (or K, M, "
				    "G), at most 1G\n");
				return 2;
			}
		} else if (strcmp(argv[a], "--max-media-total") == 0 && v) {
			if ((pf.max_total = import_total(argv[++a])) == 0) {
				fprintf(stderr, "capsule import: "
				    "--max-media-total wants bytes (or K, M, "
				    "G, T)\n");
				return 2;
			}
		} else if (strcmp(argv[a], "--full") == 0) {
			im.full = 1;
		} else if (strcmp(argv[a], "--max-size") == 0 && v) {
			if ((im.max = import_size(argv[++a])) == 0) {
				fprintf(stderr, "capsule import: --max-size "
				    "wants bytes (or K, M, G), at most 1G\n");
				return 2;
			}
		} else if (strcmp(argv[a], "--timeout") == 0 && v) {
			im.timeout = atol(argv[++a]);
			if (im.timeout <= 0 || im.timeout > 3600) {
				fprintf(stderr, "capsule import: --timeout "
				    "wants 1 to 3600 seconds\n");
				return 2;
			}
		} else if (strcmp(argv[a], "--") == 0) {
			a++;
			break;
		} else if (argv[a][0] == '-' && argv[a][1] != '\0') {
			fprintf(stderr, "capsule import: unknown flag %s\n",
			    argv[a]);
			import_usage(stderr);
			return 2;
		} else
			break;
	}
	if (a == argc) {
		import_usage(stderr);
		return 2;
	}
	if (import_check_store(&im) == -1)
		return 1;
	im.progress = isatty(STDERR_FILENO);
	/* A store not made yet is an empty one, made at its first file. */
	if (im.store_exists && import_scan(&im) == -1)
		return 1;
	feedread_init();
	if (fetch_init() == -1) {
		fprintf(stderr, "capsule import: cannot start libcurl\n");
		return 1;
	}
	pf.content = im.content;
	pf.timeout = im.timeout;
	pf.dry_run = im.dry_run;
	pf.warn = import_picture_warn;
	pf.arg = &im;
	if (im.media != 0 && picfetch_start(&pf) == 0)
		im.pictures = &pf;
	for (nsrc = 0; a < argc; a++, nsrc++) {
		errors = im.errors;
		/* A URL's pictures and pages are judged by the URL given. */
		fetchguard_source(strncmp(argv[a], "http://", 7) == 0 ||
		    strncmp(argv[a], "https://", 8) == 0 ? argv[a] : NULL);
		import_source(&im, argv[a]);
		failed += im.errors > errors;
	}
	if (im.pictures != NULL) {
		im.src = "pictures";
		if (pf.fetched + pf.unchanged + pf.refused > 0)
			printf("pictures: %zu fetched (%llu bytes), %zu "
			    "unchanged, %zu refused\n", pf.fetched, pf.bytes,
			    pf.unchanged, pf.refused);
		if (picfetch_finish(&pf) == -1)
			im.errors++;
	}
	fetch_cleanup();
	feedread_cleanup();
	/* The last line: what became of every entry, and of every source. */
	printf("%s%zu added, %zu updated, %zu unchanged, %zu kept, "
	    "%zu skipped, %zu refused", im.dry_run ? "dry run: " : "",
	    im.added, im.updated, im.unchanged, im.kept, im.skipped,
	    im.refused);
	if (failed > 0)
		printf("; %zu of %zu source%s failed", failed, nsrc,
		    nsrc == 1 ? "" : "s");
	printf("\n");
	for (i = 0; i < im.nfiles; i++) {
		free(im.files[i].slug);
		free(im.files[i].source);
	}
	free(im.files);
	free(im.by_slug);
	free(im.by_source);
	return im.errors > 0 || im.refused > 0 ? 1 : 0;
}
