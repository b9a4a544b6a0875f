/*
 * import.c: `capsule import`: posts from where an archive lives into the
 * store. Sources are WordPress exports (WXR), RSS 2.0 (and RSS 1.0) and
 * Atom feeds, as files or http(s) URLs (fetch.c); bodies go through
 * html.c. Each post is written to a temporary name and renamed, so a
 * running server never reads half a post.
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

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <openssl/evp.h>

#include "arena.h"
#include "buf.h"
#include "fetch.h"
#include "file.h"
#include "html.h"
#include "import.h"
#include "post.h"
#include "store.h"

#define IMPORT_PATH_MAX		4096
#define IMPORT_MAX_ENTRIES	1000000	/* entries read from one source */
#define IMPORT_MAX_SUFFIX	1000	/* slug-2 ... slug-999 */
#define IMPORT_MAX_SOURCE_ID	900	/* bytes of a Source value */
#define IMPORT_MAX_AUTHOR	200
#define IMPORT_MAX_TAG		128
#define IMPORT_HASH_KEY		"Import-Hash: "
#define IMPORT_SHA_HEX		64

#define NS_CONTENT	"http://purl.org/rss/1.0/modules/content/"
#define NS_DC		"http://purl.org/dc/elements/1.1/"
#define NS_WP		"http://wordpress.org/export/"	/* + version */
#define NS_ATOM		"http://www.w3.org/2005/Atom"
#define NS_NONE		""

/* What is in the store already, by file. */
struct import_file {
	char	*slug;
	char	*source;	/* NULL when it has none */
	int	 own;		/* written by import and not edited since */
	int	 hashed;	/* has an Import-Hash line at all */
	int	 claimed;	/* an entry of this run took it */
};

struct import {
	const char		*content;
	size_t			 max;
	long			 timeout;
	int			 dry_run;
	int			 drafts;
	int			 force;
	int			 progress;	/* stderr is a terminal */
	int			 progress_shown;
	struct import_file	*files;
	size_t			 nfiles, capfiles;
	size_t			*by_slug;	/* hash slots: file index + 1 */
	size_t			*by_source;
	size_t			 nslots;	/* a power of two */
	struct arena		 a;		/* entry strings, per source */
	/* What this source holds beside its entries. */
	const char		*src;		/* as the user named it */
	const char		*base;		/* URL relative links resolve on */
	char			 feed_date[11];
	const char		*feed_author;
	const char		**logins;	/* WXR authors: login, */
	const char		**names;	/* and display name */
	size_t			 nauthors;
	/* Counts over all sources. */
	size_t			 added, updated, unchanged, kept, skipped;
	size_t			 refused, errors;
};

/* One entry of a source, strings in the import's arena. */
struct import_entry {
	size_t		 n;		/* 1-based position in the source */
	const char	*guid;
	const char	*link;
	const char	*title;
	const char	*author;
	const char	*name;		/* WordPress post name */
	char		 date[11];
	const char	*tags[POST_MAX_TAGS];
	size_t		 ntags;
	const char	*html;
	int		 autop;		/* WordPress's stored text */
	int		 plain;		/* text, not HTML */
};

/* The first libxml2 error of a parse, kept for the message. */
static struct {
	int	 set;
	int	 line, col;
	char	 msg[256];
} import_xml_err;

static void
import_on_xml_error(void *arg, xmlErrorPtr e)
{
	size_t n;

	(void)arg;
	if (import_xml_err.set || e == NULL || e->level < XML_ERR_ERROR)
		return;
	import_xml_err.set = 1;
	import_xml_err.line = e->line;
	import_xml_err.col = e->int2;
	snprintf(import_xml_err.msg, sizeof(import_xml_err.msg), "%s",
	    e->message ? e->message : "malformed XML");
	n = strlen(import_xml_err.msg);
	while (n > 0 && isspace((unsigned char)import_xml_err.msg[n - 1]))
		import_xml_err.msg[--n] = '\0';
}

/* libxml2 never reads a file or URL named inside a feed. */
static xmlParserInputPtr
import_no_external(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)url;
	(void)id;
	(void)ctxt;
	return NULL;
}

static void
import_progress_clear(struct import *im)
{
	if (im->progress_shown) {
		fprintf(stderr, "\r\033[K");
		im->progress_shown = 0;
	}
}

static void
import_warn(struct import *im, const char *fmt, ...)
{
	va_list ap;

	import_progress_clear(im);
	fprintf(stderr, "capsule import: %s: ", im->src);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
import_say(struct import *im, const char *fmt, ...)
{
	va_list ap;

	import_progress_clear(im);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* --- small pure helpers ------------------------------------------------ */

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
	const unsigned char *s = (const unsigned char *)title;
	size_t o = 0, max = outsz - 1;
	int dash = 0;

	if (max > IMPORT_SLUG_MAX)
		max = IMPORT_SLUG_MAX;
	for (; *s != '\0' && o < max; s++) {
		if (isalnum(*s) && *s < 0x80) {
			if (dash && o > 0) {
				if (o + 2 > max)
					break;
				out[o++] = '-';
			}
			dash = 0;
			out[o++] = (char)tolower(*s);
		} else if (*s == '\'')
			continue;	/* "Iran's" -> "irans", as WordPress */
		else if (s[0] == 0xe2 && s[1] == 0x80 && s[2] == 0x99)
			s += 2;		/* the curly apostrophe too */
		else if (*s >= 0x80) {
			while ((s[1] & 0xc0) == 0x80)
				s++;	/* other letters have no ASCII form */
			dash = 1;
		} else
			dash = 1;
	}
	out[o] = '\0';
	if (o == 0)
		snprintf(out, outsz, "post");
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

/* The slug an entry asks for: its post name, its link's last segment, or
 * its title. */
static void
import_entry_slug(const struct import_entry *e, char *out, size_t outsz)
{
	const char *p, *end, *seg;
	char name[256];
	size_t n;

	if (e->name != NULL && strlen(e->name) <= IMPORT_SLUG_MAX &&
	    post_valid_slug(e->name)) {
		snprintf(out, outsz, "%s", e->name);
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
		if (n > 0 && n <= IMPORT_SLUG_MAX) {
			memcpy(name, seg, n);
			name[n] = '\0';
			if (n < outsz && post_valid_slug(name)) {
				memcpy(out, name, n + 1);
				return;
			}
		}
	}
	import_slugify(e->title, out, outsz);
}

/* The text of the post file for e, with its Import-Hash line. */
static int
import_render(struct import *im, const struct import_entry *e,
    const char *source, struct buf *out)
{
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
	if (html_to_markup(html, strlen(html), e->link ? e->link : im->base,
	    flags, POST_MAX_SIZE - 64 * 1024, &m, err, sizeof(err)) == -1) {
		buf_free(&in);
		import_warn(im, "entry %zu \"%s\": %s; not imported", e->n,
		    e->title, err);
		return -1;
	}
	buf_free(&in);
	if (m.dropped_images > 0)
		import_warn(im, "entry %zu \"%s\": %zu images past the first "
		    "%d left out", e->n, e->title, m.dropped_images,
		    HTML_MAX_IMAGES);
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
	for (i = 0; i < m.nimages; i++)
		buf_printf(&b, "Image: %s\n", m.images[i]);
	if (source != NULL)
		buf_printf(&b, "Source: %s\n", source);
	buf_putc(&b, '\n');
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

/* Imports one entry: decides its file, then adds, updates or keeps. */
static void
import_entry(struct import *im, struct import_entry *e)
{
	char slug[IMPORT_SLUG_MAX + 16], base[IMPORT_SLUG_MAX + 1];
	char name[IMPORT_SLUG_MAX + 32], path[IMPORT_PATH_MAX];
	struct import_file *f = NULL, *g;
	const char *source;
	struct post_error perr;
	struct post p;
	struct arena pa;
	struct buf text;
	int n, rc, fresh = 0;

	/* The Source: the GUID, else the link, if fit for a header line. */
	source = e->guid && e->guid[0] && strlen(e->guid) <=
	    IMPORT_MAX_SOURCE_ID ? e->guid : e->link && e->link[0] &&
	    strlen(e->link) <= IMPORT_MAX_SOURCE_ID ? e->link : NULL;
	if (source != NULL && strpbrk(source, "\t\r\n") != NULL)
		source = NULL;

	if (source != NULL)
		f = import_find_source(im, source);
	if (f == NULL) {
		import_entry_slug(e, base, sizeof(base));
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

	if (import_render(im, e, source, &text) == -1) {
		im->refused++;
		return;
	}
	/* Never write a post the store would refuse to load. */
	arena_init(&pa);
	rc = post_parse(&pa, slug, slug, text.data, text.len, &p, &perr);
	arena_free(&pa);
	if (rc == -1) {
		import_warn(im, "entry %zu \"%s\": would not load (line %d: "
		    "%s); not imported", e->n, e->title, perr.line, perr.msg);
		buf_free(&text);
		im->refused++;
		return;
	}
	snprintf(name, sizeof(name), "%s.txt", slug);
	snprintf(path, sizeof(path), "%s/%s", im->content, name);
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
	} else if (import_write_atomic(im->content, name, text.data,
	    text.len) == -1) {
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

/* --- reading feeds ----------------------------------------------------- */

static int
import_ns_is(xmlNode *n, const char *ns)
{
	const char *href = n->ns && n->ns->href ? (const char *)n->ns->href :
	    "";

	if (strcmp(ns, NS_WP) == 0)
		return strncmp(href, NS_WP, strlen(NS_WP)) == 0;
	return strcmp(href, ns) == 0;
}

/* The first element child of n named name in namespace ns. */
static xmlNode *
import_child(xmlNode *n, const char *ns, const char *name)
{
	xmlNode *c;

	for (c = n ? n->children : NULL; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    strcmp((const char *)c->name, name) == 0 &&
		    import_ns_is(c, ns))
			return c;
	return NULL;
}

/* The text of an element, in the arena, or NULL. */
static const char *
import_text(struct import *im, xmlNode *n)
{
	xmlChar *t;
	const char *s;

	if (n == NULL || (t = xmlNodeGetContent(n)) == NULL)
		return NULL;
	s = arena_strdup(&im->a, (const char *)t);
	xmlFree(t);
	return s;
}

static const char *
import_child_text(struct import *im, xmlNode *n, const char *ns,
    const char *name)
{
	return import_text(im, import_child(n, ns, name));
}

static const char *
import_attr(struct import *im, xmlNode *n, const char *name)
{
	xmlChar *v;
	const char *s;

	if (n == NULL || (v = xmlGetProp(n, (const xmlChar *)name)) == NULL)
		return NULL;
	s = arena_strdup(&im->a, (const char *)v);
	xmlFree(v);
	return s;
}

static const char *
import_trim(struct import *im, const char *s)
{
	size_t n;

	if (s == NULL)
		return NULL;
	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	return arena_strndup(&im->a, s, n);
}

static void
import_add_tag(struct import *im, struct import_entry *e, const char *name)
{
	char t[IMPORT_MAX_TAG + 1], *c;
	size_t i;

	if (name == NULL)
		return;
	import_clean_line(name, t, sizeof(t));
	/* A comma would split the tag in the Tags line. */
	while ((c = strchr(t, ',')) != NULL)
		*c = ' ';
	if (t[0] == '\0' || strcasecmp(t, "Uncategorized") == 0)
		return;
	for (i = 0; i < e->ntags; i++)
		if (strcmp(e->tags[i], t) == 0)
			return;
	if (e->ntags == POST_MAX_TAGS)
		return;
	e->tags[e->ntags++] = arena_strdup(&im->a, t);
}

/* Checks the title and the date, then imports; says why not otherwise. */
static void
import_finish(struct import *im, struct import_entry *e, const char *title,
    const char *date)
{
	int changed = 0;

	e->title = import_clean(im, title ? title : "", IMPORT_MAX_TITLE,
	    &changed);
	if (e->title == NULL || e->title[0] == '\0') {
		import_warn(im, "entry %zu%s%s: no title; not imported", e->n,
		    e->link ? " " : "", e->link ? e->link : "");
		im->refused++;
		return;
	}
	if (changed & 1)
		import_warn(im, "entry %zu \"%s\": control characters or TABs "
		    "in the title made spaces", e->n, e->title);
	if (changed & 2)
		import_warn(im, "entry %zu \"%s\": title cut at %d bytes", e->n,
		    e->title, IMPORT_MAX_TITLE);
	if (date == NULL || import_date(date, e->date) == -1) {
		if (im->feed_date[0] == '\0') {
			import_warn(im, "entry %zu \"%s\": %s, and the feed "
			    "has no date either; not imported", e->n,
			    e->title, date ? "its date is not a date" :
			    "no date");
			im->refused++;
			return;
		}
		import_warn(im, "entry %zu \"%s\": %s; using the feed's "
		    "date %s", e->n, e->title, date ? "its date is not a date" :
		    "no date", im->feed_date);
		memcpy(e->date, im->feed_date, sizeof(e->date));
	}
	e->author = import_clean(im, e->author, IMPORT_MAX_AUTHOR, NULL);
	import_entry(im, e);
}

/* A WXR login's display name, from the channel's wp:author list. */
static const char *
import_wxr_author(struct import *im, const char *login)
{
	size_t i;

	for (i = 0; login != NULL && i < im->nauthors; i++)
		if (strcmp(im->logins[i], login) == 0)
			return im->names[i];
	return login;
}

/* The channel's wp:author list, read once (items are many). */
static void
import_wxr_authors(struct import *im, xmlNode *ch)
{
	const char *l, *d;
	xmlNode *a;
	size_t n = 0;

	for (a = ch->children; a != NULL; a = a->next)
		n += a->type == XML_ELEMENT_NODE && import_ns_is(a, NS_WP) &&
		    strcmp((const char *)a->name, "author") == 0;
	im->nauthors = 0;
	if (n == 0 ||
	    (im->logins = arena_alloc(&im->a, n * sizeof(char *))) == NULL ||
	    (im->names = arena_alloc(&im->a, n * sizeof(char *))) == NULL)
		return;
	for (a = ch->children; a != NULL; a = a->next) {
		if (a->type != XML_ELEMENT_NODE || !import_ns_is(a, NS_WP) ||
		    strcmp((const char *)a->name, "author") != 0)
			continue;
		l = import_trim(im, import_child_text(im, a, NS_WP,
		    "author_login"));
		d = import_trim(im, import_child_text(im, a, NS_WP,
		    "author_display_name"));
		if (l != NULL && d != NULL && d[0] != '\0') {
			im->logins[im->nauthors] = l;
			im->names[im->nauthors++] = d;
		}
	}
}

/* One RSS item; with WordPress's wp: elements when it is a WXR export. */
static void
import_rss_item(struct import *im, xmlNode *it, size_t n)
{
	struct import_entry e;
	const char *type, *status, *date = NULL, *v, *dom, *a;
	xmlNode *c;

	memset(&e, 0, sizeof(e));
	e.n = n;
	e.guid = import_trim(im, import_child_text(im, it, NS_NONE, "guid"));
	e.link = import_trim(im, import_child_text(im, it, NS_NONE, "link"));
	if (e.guid == NULL && (v = import_attr(im, it, "about")) != NULL)
		e.guid = v;	/* RSS 1.0: rdf:about */
	type = import_child_text(im, it, NS_WP, "post_type");
	status = import_child_text(im, it, NS_WP, "status");
	v = import_child_text(im, it, NS_NONE, "title");
	if (type != NULL && strcmp(type, "post") != 0) {
		if (strcmp(type, "page") == 0)
			import_say(im, "skipped  page \"%s\": not a post\n",
			    v ? v : "");
		im->skipped++;
		return;
	}
	if (status != NULL && strcmp(status, "publish") != 0) {
		/* Private posts stay private: never imported. */
		if (!im->drafts || strcmp(status, "private") == 0 ||
		    strcmp(status, "trash") == 0 ||
		    strcmp(status, "auto-draft") == 0 ||
		    strcmp(status, "inherit") == 0) {
			import_say(im, "skipped  %s \"%s\"%s\n", status,
			    v ? v : "", im->drafts || strcmp(status,
			    "private") == 0 ? "" : " (--drafts imports it)");
			im->skipped++;
			return;
		}
	}
	e.name = import_trim(im, import_child_text(im, it, NS_WP, "post_name"));
	if (type != NULL) {
		/* WXR: the post as WordPress stores it; post_date is local. */
		e.autop = 1;
		date = import_child_text(im, it, NS_WP, "post_date");
		if (date != NULL && import_date(date, e.date) == -1)
			date = NULL;
		e.author = import_wxr_author(im, import_trim(im,
		    import_child_text(im, it, NS_DC, "creator")));
		/* Drafts have no permalink yet: no link for the slug. */
		if (e.guid == NULL)
			e.guid = e.link;
	} else
		e.author = import_child_text(im, it, NS_DC, "creator");
	if (e.author == NULL && (a = import_child_text(im, it, NS_NONE,
	    "author")) != NULL) {
		/* RSS: "mail@example.org (Name)" */
		const char *open = strchr(a, '(');

		e.author = open ? arena_strndup(&im->a, open + 1,
		    strcspn(open + 1, ")")) : a;
	}
	if (date == NULL)
		date = import_child_text(im, it, NS_NONE, "pubDate");
	if (date == NULL)
		date = import_child_text(im, it, NS_DC, "date");
	for (c = it->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)c->name, "category") == 0 &&
		    import_ns_is(c, NS_NONE)) {
			dom = import_attr(im, c, "domain");
			if (type != NULL && dom != NULL &&
			    strcmp(dom, "category") != 0 &&
			    strcmp(dom, "post_tag") != 0)
				continue;	/* post formats and the like */
			import_add_tag(im, &e, import_text(im, c));
		} else if (strcmp((const char *)c->name, "subject") == 0 &&
		    import_ns_is(c, NS_DC))
			import_add_tag(im, &e, import_text(im, c));
	}
	e.html = import_child_text(im, it, NS_CONTENT, "encoded");
	if (e.html == NULL || strspn(e.html, " \t\r\n") == strlen(e.html)) {
		e.html = import_child_text(im, it, NS_NONE, "description");
		e.autop = 0;
	}
	import_finish(im, &e, v, date);
}

/* An Atom text construct (title, content, summary) as HTML or text. */
static const char *
import_atom_text(struct import *im, xmlNode *n, int *plain)
{
	const char *type = import_attr(im, n, "type");
	xmlBuffer *xb;
	xmlNode *c;
	const char *s;

	*plain = 0;
	if (type != NULL && strcmp(type, "xhtml") == 0) {
		/* The markup itself, inside one div. */
		if ((xb = xmlBufferCreate()) == NULL)
			return NULL;
		for (c = n->children; c != NULL; c = c->next)
			if (c->type == XML_ELEMENT_NODE)
				break;
		for (c = c ? c->children : NULL; c != NULL; c = c->next)
			xmlNodeDump(xb, n->doc, c, 0, 0);
		s = arena_strdup(&im->a, (const char *)xmlBufferContent(xb));
		xmlBufferFree(xb);
		return s;
	}
	if (type == NULL || strcmp(type, "text") == 0)
		*plain = 1;
	return import_text(im, n);
}

static void
import_atom_entry(struct import *im, xmlNode *en, size_t n)
{
	struct import_entry e;
	const char *date, *title = NULL, *rel, *t;
	xmlNode *c, *body;
	int plain;

	memset(&e, 0, sizeof(e));
	e.n = n;
	e.guid = import_trim(im, import_child_text(im, en, NS_ATOM, "id"));
	for (c = en->children; c != NULL; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || !import_ns_is(c, NS_ATOM))
			continue;
		if (strcmp((const char *)c->name, "link") == 0) {
			rel = import_attr(im, c, "rel");
			if (e.link == NULL && (rel == NULL ||
			    strcmp(rel, "alternate") == 0))
				e.link = import_attr(im, c, "href");
		} else if (strcmp((const char *)c->name, "category") == 0) {
			t = import_attr(im, c, "label");
			import_add_tag(im, &e, t ? t : import_attr(im, c,
			    "term"));
		}
	}
	if ((c = import_child(en, NS_ATOM, "title")) != NULL) {
		title = import_atom_text(im, c, &plain);
		if (title != NULL && !plain) {
			char *txt = html_to_text(title, strlen(title));

			title = txt ? arena_strdup(&im->a, txt) : NULL;
			free(txt);
		}
	}
	e.author = import_child_text(im, import_child(en, NS_ATOM, "author"),
	    NS_ATOM, "name");
	if (e.author == NULL)
		e.author = im->feed_author;
	date = import_child_text(im, en, NS_ATOM, "published");
	if (date == NULL)
		date = import_child_text(im, en, NS_ATOM, "updated");
	body = import_child(en, NS_ATOM, "content");
	if (body == NULL || import_attr(im, body, "src") != NULL)
		body = import_child(en, NS_ATOM, "summary");
	if (body != NULL) {
		e.html = import_atom_text(im, body, &plain);
		e.plain = plain;
	}
	import_finish(im, &e, title, date);
}

static void
import_progress(struct import *im, size_t done, size_t total)
{
	if (!im->progress || total < 2)
		return;
	fprintf(stderr, "\rimport: %s: %zu/%zu entries", im->src, done, total);
	im->progress_shown = 1;
}

/* Writes capsule.conf from the feed's own title, when the store has none. */
static void
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
	if (!b.err && import_write_atomic(im->content, STORE_SETTINGS_FILE,
	    b.data, b.len) == 0)
		import_say(im, "added    %s: the capsule's title \"%s\"\n",
		    STORE_SETTINGS_FILE, title);
	buf_free(&b);
}

/* The items of an RSS 2.0 channel, a WXR export or an RSS 1.0 document. */
/* 1 when n is an element named name, in namespace ns (NULL: any). */
static int
import_is(xmlNode *n, const char *ns, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0 &&
	    (ns == NULL || import_ns_is(n, ns));
}

/*
 * Each child of parent that is an entry (import_is) through fn, numbered
 * from 1, with progress; at most IMPORT_MAX_ENTRIES of them.
 */
static void
import_entries(struct import *im, xmlNode *parent, const char *ns,
    const char *name, void (*fn)(struct import *, xmlNode *, size_t))
{
	xmlNode *c;
	size_t n = 0, total = 0;

	for (c = parent->children; c != NULL; c = c->next)
		if (import_is(c, ns, name))
			total++;
	for (c = parent->children; c != NULL; c = c->next) {
		if (!import_is(c, ns, name))
			continue;
		if (++n > IMPORT_MAX_ENTRIES) {
			import_warn(im, "more than %d entries; the rest are "
			    "left out", IMPORT_MAX_ENTRIES);
			im->errors++;
			break;
		}
		fn(im, c, n);
		import_progress(im, n, total);
	}
	if (total == 0)
		import_warn(im, "the feed has no entries");
}

static void
import_rss(struct import *im, xmlNode *root)
{
	xmlNode *ch, *items;
	const char *d;

	ch = import_child(root, NS_NONE, "channel");
	if (ch == NULL)
		ch = import_child(root, "http://purl.org/rss/1.0/", "channel");
	if (ch == NULL) {
		import_warn(im, "an <%s> document without a <channel>: not "
		    "an RSS feed", (const char *)root->name);
		im->errors++;
		return;
	}
	/* RSS 2.0 nests the items in the channel, RSS 1.0 beside it. */
	items = import_ns_is(root, NS_NONE) ? ch : root;
	import_wxr_authors(im, ch);
	d = import_child_text(im, ch, NS_NONE, "pubDate");
	if (d == NULL)
		d = import_child_text(im, ch, NS_NONE, "lastBuildDate");
	if (d == NULL)
		d = import_child_text(im, ch, NS_DC, "date");
	if (d != NULL && import_date(d, im->feed_date) == -1)
		im->feed_date[0] = '\0';
	if (im->base == NULL)
		im->base = import_trim(im, import_child_text(im, ch, NS_NONE,
		    "link"));
	import_settings(im, import_child_text(im, ch, NS_NONE, "title"),
	    import_child_text(im, ch, NS_NONE, "description"),
	    import_child_text(im, ch, NS_NONE, "language"));
	import_entries(im, items, NULL, "item", import_rss_item);
}

static void
import_atom(struct import *im, xmlNode *root)
{
	xmlNode *c;
	const char *d, *rel;
	int plain;

	d = import_child_text(im, root, NS_ATOM, "updated");
	if (d != NULL && import_date(d, im->feed_date) == -1)
		im->feed_date[0] = '\0';
	im->feed_author = import_child_text(im, import_child(root, NS_ATOM,
	    "author"), NS_ATOM, "name");
	for (c = root->children; c != NULL; c = c->next)
		if (c->type == XML_ELEMENT_NODE && import_ns_is(c, NS_ATOM) &&
		    strcmp((const char *)c->name, "link") == 0 &&
		    im->base == NULL) {
			rel = import_attr(im, c, "rel");
			if (rel == NULL || strcmp(rel, "alternate") == 0)
				im->base = import_attr(im, c, "href");
		}
	c = import_child(root, NS_ATOM, "title");
	d = c ? import_atom_text(im, c, &plain) : NULL;
	import_settings(im, d, import_child_text(im, root, NS_ATOM,
	    "subtitle"), import_attr(im, root, "lang"));
	import_entries(im, root, NS_ATOM, "entry", import_atom_entry);
}

/* An HTML page where a feed was expected: name its feed if it links one. */
static void
import_not_html(struct import *im, const char *data, size_t len)
{
	htmlDocPtr doc;
	xmlNode *n, *stack[64];
	xmlChar *rel, *type, *href = NULL;
	int depth = 0;

	doc = htmlReadMemory(data, len > INT32_MAX ? INT32_MAX : (int)len,
	    im->base, NULL, HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
	    HTML_PARSE_NONET);
	n = doc ? xmlDocGetRootElement(doc) : NULL;
	while (n != NULL && href == NULL) {
		if (n->type == XML_ELEMENT_NODE &&
		    strcasecmp((const char *)n->name, "link") == 0) {
			rel = xmlGetProp(n, (const xmlChar *)"rel");
			type = xmlGetProp(n, (const xmlChar *)"type");
			if (rel && type && strcasecmp((char *)rel,
			    "alternate") == 0 && (strstr((char *)type, "rss") ||
			    strstr((char *)type, "atom")))
				href = xmlGetProp(n, (const xmlChar *)"href");
			xmlFree(rel);
			xmlFree(type);
		}
		if (n->children != NULL && depth < 64) {
			stack[depth++] = n;
			n = n->children;
			continue;
		}
		while (n != NULL && n->next == NULL && depth > 0)
			n = stack[--depth];
		n = n ? n->next : NULL;
	}
	if (href != NULL)
		import_warn(im, "this is an HTML page, not a feed; its feed "
		    "is at %s", (const char *)href);
	else
		import_warn(im, "this is an HTML page, not a feed (a "
		    "WordPress feed is at /feed/ or /tag/<name>/feed/)");
	xmlFree(href);
	if (doc != NULL)
		xmlFreeDoc(doc);
}

static int
import_looks_html(const char *data, size_t len, const char *type)
{
	size_t i = 0;

	/* The bytes decide: some servers label their feeds text/html. */
	(void)type;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && isspace((unsigned char)data[i]))
		i++;
	return (len - i >= 9 && strncasecmp(data + i, "<!doctype", 9) == 0 &&
	    len - i >= 14 && strncasecmp(data + i + 10, "html", 4) == 0) ||
	    (len - i >= 5 && strncasecmp(data + i, "<html", 5) == 0);
}

/* Parses one source's bytes and imports its entries. */
static void
import_data(struct import *im, const char *data, size_t len,
    const char *type)
{
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	xmlNode *root;
	const char *name;

	if (import_looks_html(data, len, type)) {
		import_not_html(im, data, len);
		im->errors++;
		return;
	}
	if (len > INT32_MAX) {
		import_warn(im, "larger than libxml2 reads at once");
		im->errors++;
		return;
	}
	memset(&import_xml_err, 0, sizeof(import_xml_err));
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		import_warn(im, "out of memory");
		im->errors++;
		return;
	}
	/*
	 * No XML_PARSE_NOENT, no DTD loading, no network, no XML_PARSE_HUGE:
	 * libxml2's own limits stay on, and its entity-loop and amplification
	 * checks turn an entity bomb into an error.
	 */
	doc = xmlCtxtReadMemory(ctxt, data, (int)len, im->src, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOCDATA);
	if (doc == NULL || !ctxt->wellFormed) {
		if (import_xml_err.set)
			import_warn(im, "line %d, column %d: malformed XML: %s",
			    import_xml_err.line, import_xml_err.col,
			    import_xml_err.msg);
		else
			import_warn(im, "malformed XML");
		if (doc != NULL)
			xmlFreeDoc(doc);
		xmlFreeParserCtxt(ctxt);
		im->errors++;
		return;
	}
	xmlFreeParserCtxt(ctxt);
	/* Entities it declares would be expanded on reading: refuse them. */
	if (doc->intSubset != NULL && (doc->intSubset->entities != NULL ||
	    doc->intSubset->pentities != NULL)) {
		import_warn(im, "the document declares XML entities; a feed "
		    "needs none, and they are how entity bombs are made: "
		    "refused");
		xmlFreeDoc(doc);
		im->errors++;
		return;
	}
	root = xmlDocGetRootElement(doc);
	name = root ? (const char *)root->name : "";
	if (strcmp(name, "rss") == 0 || strcmp(name, "RDF") == 0)
		import_rss(im, root);
	else if (strcmp(name, "feed") == 0 && import_ns_is(root, NS_ATOM))
		import_atom(im, root);
	else if (strcasecmp(name, "html") == 0) {
		import_not_html(im, data, len);
		im->errors++;
	} else {
		import_warn(im, "not a feed: the document is <%s>, not <rss> "
		    "(RSS or a WordPress export) or Atom's <feed>", name);
		im->errors++;
	}
	xmlFreeDoc(doc);
}

static void
import_source(struct import *im, const char *src)
{
	struct fetch f;
	struct stat sb;
	char err[512];
	char *data;
	size_t len;

	arena_init(&im->a);
	im->src = src;
	im->base = NULL;
	im->feed_date[0] = '\0';
	im->feed_author = NULL;
	im->nauthors = 0;
	if (strncasecmp(src, "http://", 7) == 0 ||
	    strncasecmp(src, "https://", 8) == 0) {
		if (fetch_get(src, im->max, im->timeout, im->progress, &f, err,
		    sizeof(err)) == -1) {
			import_warn(im, "%s", err);
			im->errors++;
		} else {
			im->base = arena_strdup(&im->a, f.url);
			import_data(im, f.data, f.len, f.type);
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
		import_data(im, data, len, NULL);
		free(data);
	}
	import_progress_clear(im);
	arena_free(&im->a);
}

/* --- the command ------------------------------------------------------- */

static void
import_usage(FILE *f)
{
	fprintf(f,
	    "usage: capsule import [--content DIR] [--dry-run] [--drafts] "
	    "[--force]\n"
	    "                      [--max-size BYTES] [--timeout SECONDS] "
	    "SOURCE...\n"
	    "SOURCE: a WordPress export (WXR), an RSS or Atom feed: a file "
	    "or an http(s) URL\n");
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

int
import_main(int argc, char **argv)
{
	struct import im;
	struct stat sb;
	size_t i;
	int a;

	memset(&im, 0, sizeof(im));
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
	if (stat(im.content, &sb) == -1 && errno == ENOENT && !im.dry_run &&
	    mkdir(im.content, 0755) == 0)
		fprintf(stderr, "capsule import: made the store %s\n",
		    im.content);
	im.progress = isatty(STDERR_FILENO);
	/* A dry run into a store not made yet: an empty one. */
	if (!(im.dry_run && stat(im.content, &sb) == -1 && errno == ENOENT) &&
	    import_scan(&im) == -1)
		return 1;
	xmlInitParser();
	xmlSetStructuredErrorFunc(NULL, import_on_xml_error);
	xmlSetExternalEntityLoader(import_no_external);
	if (fetch_init() == -1) {
		fprintf(stderr, "capsule import: cannot start libcurl\n");
		return 1;
	}
	for (; a < argc; a++)
		import_source(&im, argv[a]);
	fetch_cleanup();
	xmlCleanupParser();
	printf("%s%zu added, %zu updated, %zu unchanged, %zu kept, "
	    "%zu skipped, %zu refused%s\n", im.dry_run ? "dry run: " : "",
	    im.added, im.updated, im.unchanged, im.kept, im.skipped,
	    im.refused, im.errors ? ", errors above" : "");
	for (i = 0; i < im.nfiles; i++) {
		free(im.files[i].slug);
		free(im.files[i].source);
	}
	free(im.files);
	free(im.by_slug);
	free(im.by_source);
	return im.errors > 0 || im.refused > 0 ? 1 : 0;
}
