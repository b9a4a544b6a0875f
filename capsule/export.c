/*
 * export.c: `capsule export`: the whole capsule as static files, for
 * hosts that serve only files (molly-brown or Agate for Gemini,
 * Gophernicus or Bucktooth for Gopher).
 *
 * Every document comes from page_render(), the renderer the server uses,
 * with the store's site set to static_links so links name the files:
 *
 *   OUT/gemini/index.gmi, tags/index.gmi, posts/index.gmi,
 *              posts/<slug>.gmi, posts/<yyyy>/index.gmi,
 *              posts/<yyyy>/<mm>/index.gmi (and page/<n>/index.gmi),
 *              tag/<slug>/index.gmi,
 *              tag/<slug>/page/<n>/index.gmi, tag/<slug>/atom.xml,
 *              atom.xml, robots.txt
 *   OUT/gopher/gophermap (and one per menu directory, as above),
 *              posts/<slug> (text), atom.xml, tag/<slug>/atom.xml
 *   both:      media/<path> (the pictures, copied as they are),
 *              pictures/<slug>/ (a post's pictures: gophermap, index.gmi)
 *   OUT/MANIFEST   "<sha256>  <path>" per file, as sha256sum(1) writes
 *
 * Gopher menus are written as gophermaps without the closing "." line
 * (the host adds it); every line is a whole menu line with explicit host
 * and port, so Gophernicus passes them on as they are. Posts are written
 * as the text a client sees: no dot-stuffing, no closing ".", LF line
 * ends (Gophernicus sends CRLF). Search needs a server, so the mirror
 * has none and the renderers leave its links out in static mode.
 *
 * The export is incremental: a file whose bytes did not change is not
 * touched, so rsync moves only what changed; a file the last export
 * wrote (as its MANIFEST says) and this one did not is removed. Nothing
 * else in OUT is ever removed.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "catalog.h"
#include "config.h"
#include "export.h"
#include "file.h"
#include "media.h"
#include "page.h"
#include "router.h"
#include "snapshot.h"
#include "store.h"
#include "ustar.h"

#define EXPORT_PATH_MAX		4096
#define EXPORT_MANIFEST		"MANIFEST"
#define EXPORT_MANIFEST_MAX	(256u * 1024 * 1024)	/* bytes read back */
#define EXPORT_PROGRESS_MIN	500	/* documents before progress shows */
#define EXPORT_PROGRESS_EVERY	100
#define EXPORT_TMP_SUFFIX	".export-tmp"
#define EXPORT_SHA_HEX		64
#define EXPORT_IO_CHUNK		(64u * 1024)
#define EXPORT_READ_MAX		(256u * 1024 * 1024)	/* one exported file */

struct export_file {
	char	*path;			/* relative to OUT; owned here */
	char	 sha[EXPORT_SHA_HEX + 1];
};

struct export {
	const char		*out;
	struct snapshot		*sn;		/* no search, no cache used */
	const struct store	*st;		/* sn's */
	int			 gemini, gopher;
	struct export_file	*files;		/* what this run wrote */
	size_t			 nfiles, capfiles;
	size_t			 written, removed;
	size_t			 done, total;	/* documents, for progress */
	int			 progress;
	int			 counting;
	int			 err;
	/*
	 * Incremental: what the last export wrote (its MANIFEST) and which
	 * posts and tags changed since (its saved index). full: all.
	 */
	int			 full;
	struct export_file	*old;		/* sorted by path */
	size_t			 nold;
	unsigned char		*post_dirty;	/* by post index */
	unsigned char		*tag_dirty;	/* by tag index */
	size_t			 rendered, reused;
	/* In the cache dir, never in OUT: the last run's posts and context. */
	char			 state_index[EXPORT_PATH_MAX];
	char			 state_context[EXPORT_PATH_MAX];
};

static void
export_usage(FILE *f)
{
	fprintf(f,
	    "usage: capsule export --out DIR [--content DIR] "
	    "[--hostname NAME]\n"
	    "                      [--gemini-port N] [--gopher-port N] "
	    "[--gemini-only | --gopher-only]\n"
	    "                      [--tar FILE]\n");
}

static void
export_report(void *arg, const char *path, int line, const char *msg)
{
	(void)arg;
	if (line > 0)
		fprintf(stderr, "%s:%d: %s\n", path, line, msg);
	else
		fprintf(stderr, "%s: %s\n", path, msg);
}

static void
export_sha256(const void *data, size_t len, char hex[EXPORT_SHA_HEX + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen * 2 != EXPORT_SHA_HEX)
		mdlen = 0;
	for (i = 0; i < mdlen; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * mdlen] = '\0';
}

/* OUT/rel into out; -1 when it does not fit. */
static int
export_path(const struct export *ex, const char *rel, char *out,
    size_t outsz)
{
	int n = snprintf(out, outsz, "%s/%s", ex->out, rel);

	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

/* Makes dir and its parents, world-readable: Gophernicus hides others. */
static int
export_mkdirs(const char *dir)
{
	char p[EXPORT_PATH_MAX], *s;
	struct stat sb;

	if (snprintf(p, sizeof(p), "%s", dir) >= (int)sizeof(p))
		return -1;
	for (s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		if (s[-1] != '/') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0755) == 0)
				chmod(p, 0755);
			else if (errno != EEXIST ||
			    stat(p, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
				if (errno == EEXIST)
					errno = ENOTDIR;
				return -1;
			}
			*s = c;
		}
		if (*s == '\0')
			return 0;
	}
}

/* 1 when the file at path holds exactly data[0..len). */
static int
export_same(const char *path, const char *data, size_t len)
{
	char chunk[EXPORT_IO_CHUNK];
	struct stat sb;
	size_t at = 0;
	ssize_t n;
	int fd, same = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (size_t)sb.st_size != len)
		goto done;
	while (at < len) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0 || (size_t)n > len - at ||
		    memcmp(chunk, data + at, (size_t)n) != 0)
			goto done;
		at += (size_t)n;
	}
	same = 1;
done:
	close(fd);
	return same;
}

/* Writes data to path through a temporary file, so no reader sees half. */
static int
export_write_file(const char *path, const char *data, size_t len)
{
	char tmp[EXPORT_PATH_MAX];

	if (snprintf(tmp, sizeof(tmp), "%s%s.XXXXXX", path,
	    EXPORT_TMP_SUFFIX) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return file_write_atomic(path, tmp, data, len, 0);
}

/* Adds rel to what this run exported; f's checksum is left to fill. */
static struct export_file *
export_record(struct export *ex, const char *rel)
{
	struct export_file *f, *nf;
	size_t cap;

	if (ex->nfiles == ex->capfiles) {
		cap = ex->capfiles ? ex->capfiles * 2 : 256;
		if ((nf = realloc(ex->files, cap * sizeof(*nf))) == NULL)
			return NULL;
		ex->files = nf;
		ex->capfiles = cap;
	}
	f = &ex->files[ex->nfiles];
	if ((f->path = strdup(rel)) == NULL)
		return NULL;
	ex->nfiles++;
	return f;
}

/* Writes OUT/rel unless it already holds data; records it in the list. */
static int
export_put(struct export *ex, const char *rel, const char *data, size_t len)
{
	char path[EXPORT_PATH_MAX], *slash;
	struct export_file *f;

	if (export_path(ex, rel, path, sizeof(path)) == -1) {
		fprintf(stderr, "export: %s/%s: path too long\n", ex->out, rel);
		return -1;
	}
	if (!export_same(path, data, len)) {
		slash = strrchr(path, '/');
		*slash = '\0';
		if (export_mkdirs(path) == -1) {
			fprintf(stderr, "export: %s: %s\n", path,
			    strerror(errno));
			return -1;
		}
		*slash = '/';
		if (export_write_file(path, data, len) == -1) {
			fprintf(stderr, "export: %s: %s\n", path,
			    strerror(errno));
			return -1;
		}
		ex->written++;
	}
	if ((f = export_record(ex, rel)) == NULL)
		return -1;
	export_sha256(data, len, f->sha);
	return 0;
}

static void
export_progress(struct export *ex)
{
	ex->done++;
	if (!ex->progress || ex->total < EXPORT_PROGRESS_MIN)
		return;
	if (ex->done % EXPORT_PROGRESS_EVERY == 0)
		fprintf(stderr, "\rexport: %zu/%zu documents", ex->done,
		    ex->total);
}

/* Ends the progress line, if there is one. */
static void
export_progress_end(struct export *ex)
{
	if (ex->progress && ex->total >= EXPORT_PROGRESS_MIN)
		fprintf(stderr, "\rexport: %zu/%zu documents\n", ex->done,
		    ex->total);
}

/* A rendered menu as a gophermap: LF line ends, no closing "." line. */
static void
export_gophermap(struct buf *b)
{
	size_t i, o = 0;

	if (b->len >= 3 && memcmp(b->data + b->len - 3, ".\r\n", 3) == 0 &&
	    (b->len == 3 || b->data[b->len - 4] == '\n'))
		b->len -= 3;
	for (i = 0; i < b->len; i++)
		if (!(b->data[i] == '\r' && i + 1 < b->len &&
		    b->data[i + 1] == '\n'))
			b->data[o++] = b->data[i];
	b->len = o;
}

/*
 * A rendered Gopher text document as a file: CRLF becomes LF. It has no
 * "." line and no dot-stuffing, so Gophernicus serves what capsule does.
 */
static void
export_gopher_text(struct buf *b)
{
	size_t i, o = 0;

	for (i = 0; i < b->len; i++) {
		if (b->data[i] == '\r' && i + 1 < b->len &&
		    b->data[i + 1] == '\n')
			continue;
		b->data[o++] = b->data[i];
	}
	b->len = o;
}

enum export_form {
	EXPORT_AS_IS,		/* gemtext, feeds, robots.txt */
	EXPORT_GOPHERMAP,
	EXPORT_GOPHER_TEXT,
};

/* One document of the mirror: what to render and where it goes. */
struct export_doc {
	enum proto		 proto;
	enum route_kind		 kind;
	const struct post	*post;
	const struct tag	*tag;
	const struct store_year	*year;
	const struct store_month *month;
	unsigned		 page;
	enum export_form	 form;
	char			 rel[EXPORT_PATH_MAX];
};

typedef int (*export_doc_cb)(struct export *, struct export_doc *);

static int
export_one(struct export *ex, export_doc_cb cb, enum proto proto,
    enum route_kind kind, const struct post *p, const struct tag *t,
    unsigned page, enum export_form form, const char *fmt, const char *arg,
    unsigned n)
{
	struct export_doc d;
	int len;

	memset(&d, 0, sizeof(d));
	d.proto = proto;
	d.kind = kind;
	d.post = p;
	d.tag = t;
	d.page = page;
	d.form = form;
	len = snprintf(d.rel, sizeof(d.rel), fmt, arg, n);
	if (len < 0 || (size_t)len >= sizeof(d.rel))
		return -1;
	return cb(ex, &d);
}

/*
 * A post whose slug is a name the layout uses for a menu would overwrite
 * it; such a post is left out of that mirror, loudly.
 */
static int
export_slug_clash(const struct export *ex, const struct post *p,
    const char *reserved, const char *proto)
{
	if (strcmp(p->slug, reserved) != 0)
		return 0;
	if (!ex->counting)
		fprintf(stderr, "export: %s/%s.txt: the slug \"%s\" is the %s "
		    "mirror's menu file; post left out there\n", ex->st->dir,
		    p->slug, p->slug, proto);
	return 1;
}

/* The date archives: each year's menu, each month's pages. */
static int
export_dates(struct export *ex, export_doc_cb cb, enum proto proto,
    const char *dir, enum export_form form, const char *menu)
{
	const struct store *st = ex->st;
	struct export_doc d;
	size_t i;
	unsigned pg;
	int len;

	for (i = 0; i < st->nyears + st->nmonths; i++) {
		memset(&d, 0, sizeof(d));
		d.proto = proto;
		d.form = form;
		d.page = 1;
		if (i < st->nyears) {
			d.kind = ROUTE_YEAR;
			d.year = &st->years[i];
			len = snprintf(d.rel, sizeof(d.rel), "%s/posts/%04u/%s",
			    dir, d.year->year, menu);
			if (len < 0 || (size_t)len >= sizeof(d.rel) ||
			    cb(ex, &d) == -1)
				return -1;
			continue;
		}
		d.kind = ROUTE_MONTH;
		d.month = &st->months[i - st->nyears];
		for (pg = 1; pg <= router_month_pages(d.month); pg++) {
			d.page = pg;
			if (pg == 1)
				len = snprintf(d.rel, sizeof(d.rel),
				    "%s/posts/%04u/%02u/%s", dir,
				    d.month->year, d.month->month, menu);
			else
				len = snprintf(d.rel, sizeof(d.rel),
				    "%s/posts/%04u/%02u/page/%u/%s", dir,
				    d.month->year, d.month->month, pg, menu);
			if (len < 0 || (size_t)len >= sizeof(d.rel) ||
			    cb(ex, &d) == -1)
				return -1;
		}
	}
	return 0;
}

/* A post named like a year with an archive, where that is a directory. */
static int
export_year_clash(const struct export *ex, const struct post *p,
    const char *proto)
{
	const char *s = p->slug;

	if (strlen(s) != 4 || strspn(s, "0123456789") != 4 ||
	    store_find_year(ex->st, (unsigned)atoi(s)) == NULL)
		return 0;
	if (!ex->counting)
		fprintf(stderr, "export: %s/%s.txt: the slug \"%s\" is a "
		    "year's directory in the %s mirror; post left out there\n",
		    ex->st->dir, p->slug, s, proto);
	return 1;
}

#define EXPORT_ONE(...) do {						\
	if (export_one(ex, cb, __VA_ARGS__) == -1)			\
		return -1;						\
} while (0)

/* Pages 2.. of /posts/ and /tags/, under posts/page/ and tags/page/. */
static int
export_lists(struct export *ex, export_doc_cb cb, enum proto proto,
    enum export_form form, const char *file)
{
	const char *dir = proto == PROTO_GEMINI ? "gemini" : "gopher";
	char fmt[64];
	unsigned pg;

	snprintf(fmt, sizeof(fmt), "%s/posts/page/%%s%%u/%s", dir, file);
	for (pg = 2; pg <= router_posts_pages(ex->st); pg++)
		EXPORT_ONE(proto, ROUTE_POSTS, NULL, NULL, pg, form, fmt, "",
		    pg);
	snprintf(fmt, sizeof(fmt), "%s/tags/page/%%s%%u/%s", dir, file);
	for (pg = 2; pg <= router_tags_pages(ex->st); pg++)
		EXPORT_ONE(proto, ROUTE_TAGS, NULL, NULL, pg, form, fmt, "",
		    pg);
	return 0;
}

/* How one protocol's mirror lays out its files. */
struct export_layout {
	enum proto	 proto;
	const char	*name;		/* for messages */
	const char	*dir;		/* under OUT */
	const char	*menu;		/* a directory's menu file */
	enum export_form menu_form;
	enum export_form post_form;
	const char	*post;		/* a post's file name, from its slug */
	const char	*clash;		/* a slug that would be the menu file */
	int		 robots;	/* writes robots.txt */
	int		 page_clash;	/* a post named "page" is a file where
					   posts/page/ must be a directory */
};

static const struct export_layout export_layouts[] = {
	{ PROTO_GEMINI, "Gemini", "gemini", "index.gmi", EXPORT_AS_IS,
	    EXPORT_AS_IS, "%s.gmi", "index", 1, 0 },
	{ PROTO_GOPHER, "Gopher", "gopher", "gophermap", EXPORT_GOPHERMAP,
	    EXPORT_GOPHER_TEXT, "%s", "gophermap", 0, 1 },
};

/* Every document of one protocol's mirror, in the layout l. */
static int
export_layout_each(struct export *ex, export_doc_cb cb,
    const struct export_layout *l)
{
	const struct store *st = ex->st;
	const struct post *p;
	const struct tag *t;
	char fmt[96];
	size_t i;
	unsigned pg;

	/* Names are "%s" formats: the fixed ones take "" and ignore n. */
	snprintf(fmt, sizeof(fmt), "%s/%s%%s", l->dir, l->menu);
	EXPORT_ONE(l->proto, ROUTE_HOME, NULL, NULL, 1, l->menu_form, fmt, "",
	    0);
	snprintf(fmt, sizeof(fmt), "%s/tags/%s%%s", l->dir, l->menu);
	EXPORT_ONE(l->proto, ROUTE_TAGS, NULL, NULL, 1, l->menu_form, fmt, "",
	    0);
	snprintf(fmt, sizeof(fmt), "%s/posts/%s%%s", l->dir, l->menu);
	EXPORT_ONE(l->proto, ROUTE_POSTS, NULL, NULL, 1, l->menu_form, fmt,
	    "", 0);
	if (l->robots) {
		snprintf(fmt, sizeof(fmt), "%s/robots.txt%%s", l->dir);
		EXPORT_ONE(l->proto, ROUTE_ROBOTS, NULL, NULL, 1, EXPORT_AS_IS,
		    fmt, "", 0);
	}
	snprintf(fmt, sizeof(fmt), "%s/atom.xml%%s", l->dir);
	EXPORT_ONE(l->proto, ROUTE_ATOM, NULL, NULL, 1, EXPORT_AS_IS, fmt, "",
	    0);
	snprintf(fmt, sizeof(fmt), "%s/posts/%s", l->dir, l->post);
	for (i = 0; i < st->nposts; i++) {
		p = st->posts[i];
		if (export_slug_clash(ex, p, l->clash, l->name) ||
		    (l->page_clash && router_posts_pages(st) > 1 &&
		    export_slug_clash(ex, p, "page", l->name)) ||
		    (l->page_clash && export_year_clash(ex, p, l->name)))
			continue;
		EXPORT_ONE(l->proto, ROUTE_POST, p, NULL, 1, l->post_form, fmt,
		    p->slug, 0);
	}
	snprintf(fmt, sizeof(fmt), "%s/pictures/%%s/%s", l->dir, l->menu);
	for (i = 0; i < st->nposts; i++)
		if (st->posts[i]->npictures > 0)
			EXPORT_ONE(l->proto, ROUTE_PICTURES, st->posts[i], NULL,
			    1, l->menu_form, fmt, st->posts[i]->slug, 0);
	for (i = 0; i < st->ntags; i++) {
		t = st->tags[i];
		snprintf(fmt, sizeof(fmt), "%s/tag/%%s/%s", l->dir, l->menu);
		EXPORT_ONE(l->proto, ROUTE_TAG, NULL, t, 1, l->menu_form, fmt,
		    t->slug, 0);
		snprintf(fmt, sizeof(fmt), "%s/tag/%%s/atom.xml", l->dir);
		EXPORT_ONE(l->proto, ROUTE_TAG_ATOM, NULL, t, 1, EXPORT_AS_IS,
		    fmt, t->slug, 0);
		snprintf(fmt, sizeof(fmt), "%s/tag/%%s/page/%%u/%s", l->dir,
		    l->menu);
		for (pg = 2; pg <= router_tag_pages(t); pg++)
			EXPORT_ONE(l->proto, ROUTE_TAG, NULL, t, pg,
			    l->menu_form, fmt, t->slug, pg);
	}
	if (export_dates(ex, cb, l->proto, l->dir, l->menu_form, l->menu) ==
	    -1)
		return -1;
	return export_lists(ex, cb, l->proto, l->menu_form, l->menu);
}

/*
 * Every document of the export, the one place that knows the layout:
 * the full run, the incremental run and the progress count all walk it.
 */
static int
export_each(struct export *ex, export_doc_cb cb)
{
	if (ex->gemini && export_layout_each(ex, cb, &export_layouts[0]) == -1)
		return -1;
	if (ex->gopher && export_layout_each(ex, cb, &export_layouts[1]) == -1)
		return -1;
	return 0;
}

/* Renders one document and writes it unless its file already holds it. */
static int
export_render(struct export *ex, struct export_doc *d)
{
	struct route r;
	struct buf b;
	int ret = -1;

	memset(&r, 0, sizeof(r));
	r.kind = d->kind;
	r.post = d->post;
	r.tag = d->tag;
	r.year = d->year;
	r.month = d->month;
	r.page = d->page;
	buf_init(&b);
	if (page_render(ex->sn, d->proto, &r, NULL, &b) == -1 || b.err) {
		fprintf(stderr, "export: %s: cannot render\n", d->rel);
		goto done;
	}
	if (d->form == EXPORT_GOPHERMAP)
		export_gophermap(&b);
	else if (d->form == EXPORT_GOPHER_TEXT)
		export_gopher_text(&b);
	ret = export_put(ex, d->rel, b.data ? b.data : "", b.len);
	ex->rendered++;
done:
	buf_free(&b);
	export_progress(ex);
	return ret;
}

/*
 * The picture store, copied into each mirror as it is (media/<path>), so
 * the file servers send the pictures the capsule sends. Only names the
 * store makes are copied: not its index, not a half-written file.
 */
static int
export_pictures(struct export *ex, const char *content, const char *rel,
    int depth)
{
	char dir[EXPORT_PATH_MAX], sub[EXPORT_PATH_MAX], out[EXPORT_PATH_MAX];
	struct dirent *de;
	struct stat sb;
	char *data;
	size_t len;
	DIR *d;
	int ret = 0;

	snprintf(dir, sizeof(dir), "%s/" MEDIA_DIR "%s%s", content,
	    rel[0] ? "/" : "", rel);
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT && depth == 0 ? 0 : -1;
	while (ret == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || (size_t)snprintf(sub, sizeof(sub),
		    "%s%s%s", rel, rel[0] ? "/" : "", de->d_name) >=
		    sizeof(sub) || !media_valid_path(sub, strlen(sub)) ||
		    fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) ==
		    -1)
			continue;
		if (S_ISDIR(sb.st_mode)) {
			if (depth + 1 < MEDIA_DEPTH_MAX)
				ret = export_pictures(ex, content, sub,
				    depth + 1);
			continue;
		}
		if (!S_ISREG(sb.st_mode))
			continue;
		if ((size_t)snprintf(out, sizeof(out), "%s/%s", dir, de->d_name)
		    >= sizeof(out))
			continue;
		if ((data = file_read(out, EXPORT_READ_MAX, &len, NULL)) ==
		    NULL) {
			fprintf(stderr, "export: %s: %s\n", out,
			    strerror(errno));
			ret = -1;
			break;
		}
		/* sub is a media path: short enough for any of these. */
		if (media_type(data, len) != MEDIA_NONE) {
			if (ex->gemini && (size_t)snprintf(out, sizeof(out),
			    "gemini/" MEDIA_DIR "/%.*s", MEDIA_PATH_MAX, sub) <
			    sizeof(out))
				ret = export_put(ex, out, data, len);
			if (ret == 0 && ex->gopher && (size_t)snprintf(out,
			    sizeof(out), "gopher/" MEDIA_DIR "/%.*s",
			    MEDIA_PATH_MAX, sub) < sizeof(out))
				ret = export_put(ex, out, data, len);
		}
		free(data);
	}
	closedir(d);
	return ret;
}

static int
export_count_one(struct export *ex, struct export_doc *d)
{
	(void)d;
	ex->total++;
	return 0;
}


static int
export_cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct export_file *)a)->path,
	    ((const struct export_file *)b)->path);
}

/*
 * What else decides every page: the program (a rebuilt renderer may
 * write other bytes), the flags and the capsule's settings. When it
 * differs from the last export's, everything is rendered again.
 */
static void
export_context(const struct export *ex, struct buf *b)
{
	const struct settings *set = &ex->st->settings;
	size_t i;

	buf_printf(b, "capsule %s built %s %s\n", CAPSULE_VERSION, __DATE__,
	    __TIME__);
	buf_printf(b, "gemini %d gopher %d host %s ports %d %d\n", ex->gemini,
	    ex->gopher, ex->st->site.host, ex->st->site.gemini_port,
	    ex->st->site.gopher_port);
	buf_printf(b, "%s\n%s\n%s\n%s\n", set->title, set->description,
	    set->lang, set->author);
	for (i = 0; i < set->nhostnames; i++)
		buf_printf(b, "%s\n", set->hostnames[i]);
}

/* The last MANIFEST, as sorted (path, sum) pairs; 0 or -1. */
static int
export_read_manifest(struct export *ex)
{
	char path[EXPORT_PATH_MAX], line[EXPORT_PATH_MAX + EXPORT_SHA_HEX + 8];
	struct export_file *f, *nf;
	size_t cap = 0;
	char *nl;
	FILE *fp;

	if (export_path(ex, EXPORT_MANIFEST, path, sizeof(path)) == -1 ||
	    (fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if ((nl = strchr(line, '\n')) == NULL ||
		    strlen(line) < EXPORT_SHA_HEX + 3 ||
		    line[EXPORT_SHA_HEX] != ' ' ||
		    line[EXPORT_SHA_HEX + 1] != ' ')
			continue;
		*nl = '\0';
		if (ex->nold == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((nf = realloc(ex->old, cap * sizeof(*nf))) == NULL)
				break;
			ex->old = nf;
		}
		f = &ex->old[ex->nold];
		memcpy(f->sha, line, EXPORT_SHA_HEX);
		f->sha[EXPORT_SHA_HEX] = '\0';
		if ((f->path = strdup(line + EXPORT_SHA_HEX + 2)) == NULL)
			break;
		ex->nold++;
	}
	fclose(fp);
	qsort(ex->old, ex->nold, sizeof(*ex->old), export_cmp_file);
	return 0;
}

/* The tag of st named name (tags are sorted by name), or NULL. */
static struct tag *
export_tag_named(const struct store *st, const char *name)
{
	size_t lo = 0, hi = st->ntags, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcasecmp(name, st->tags[mid]->name)) == 0)
			c = strcmp(name, st->tags[mid]->name);
		if (c == 0)
			return st->tags[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static void
export_dirty_tags(struct export *ex, const struct post *p)
{
	const struct tag *t;
	size_t j;

	for (j = 0; j < p->ntags; j++)
		if ((t = export_tag_named(ex->st, p->tags[j])) != NULL)
			ex->tag_dirty[t->index] = 1;
}

static int
export_same_slug(const struct post *a, const struct post *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a->slug, b->slug) == 0;
}

/*
 * Marks what changed since the export whose posts prev holds: a post
 * added, changed or removed dirties its page, its neighbours' pages (they
 * link to it by title) and its tags' pages and feeds, old and new; a tag
 * whose slug moved dirties its posts (their links to it).
 */
static void
export_mark(struct export *ex, struct store *prev)
{
	const struct store *st = ex->st;
	unsigned char *changed;
	const struct post *p, *o;
	const struct tag *t, *pt;
	size_t i, j;

	if ((changed = calloc(st->nposts + 1, 1)) == NULL) {
		ex->full = 1;
		return;
	}
	for (i = 0; i < st->nposts; i++) {
		p = st->posts[i];
		o = store_find_post(prev, p->slug);
		if (o != NULL && !p->stale && file_id_same(&o->id, &p->id))
			continue;
		changed[i] = ex->post_dirty[i] = 1;
		export_dirty_tags(ex, p);
		if (o != NULL)
			export_dirty_tags(ex, o);
	}
	for (i = 0; i < prev->nposts; i++)
		if (store_find_post(st, prev->posts[i]->slug) == NULL)
			export_dirty_tags(ex, prev->posts[i]);
	for (i = 0; i < st->nposts; i++) {
		const struct post *n = store_newer(st, st->posts[i]);
		const struct post *d = store_older(st, st->posts[i]);

		p = st->posts[i];
		if ((n != NULL && changed[n->index]) ||
		    (d != NULL && changed[d->index]))
			ex->post_dirty[i] = 1;
		if ((o = store_find_post(prev, p->slug)) != NULL &&
		    (!export_same_slug(store_newer(prev, o), n) ||
		    !export_same_slug(store_older(prev, o), d)))
			ex->post_dirty[i] = 1;
	}
	for (i = 0; i < st->ntags; i++) {
		t = st->tags[i];
		if ((pt = store_find_tag(prev, t->slug)) != NULL &&
		    strcmp(pt->name, t->name) == 0)
			continue;
		ex->tag_dirty[i] = 1;
		for (j = 0; j < t->nposts; j++)
			ex->post_dirty[t->posts[j]->index] = 1;
	}
	free(changed);
}

/*
 * Decides between a full and an incremental export: the latter needs
 * the last run's MANIFEST, saved index and an identical context.
 */
static void
export_plan(struct export *ex, const char *content)
{
	struct store *prev = NULL;
	struct buf ctx;
	char path[EXPORT_PATH_MAX], *old = NULL;
	const char *why;
	size_t len;

	ex->full = 1;
	ex->post_dirty = calloc(ex->st->nposts + 1, 1);
	ex->tag_dirty = calloc(ex->st->ntags + 1, 1);
	if (ex->post_dirty == NULL || ex->tag_dirty == NULL)
		return;
	/* One pair of state files per OUT, named like the store's index. */
	catalog_default_dir(path, sizeof(path));
	if (catalog_path(path, ex->out, ex->state_context,
	    sizeof(ex->state_context)) == -1 ||
	    snprintf(ex->state_index, sizeof(ex->state_index), "%.*s.export",
	    (int)(sizeof(ex->state_index) - 16), ex->state_context) < 0) {
		ex->state_index[0] = '\0';
		return;
	}
	strcat(ex->state_context, ".context");
	buf_init(&ctx);
	export_context(ex, &ctx);
	if (ctx.err || (old = file_read(ex->state_context, 1024 * 1024, &len,
	    NULL)) == NULL || len != ctx.len || memcmp(old, ctx.data, len) != 0)
		goto done;
	if ((prev = catalog_load(ex->state_index, content, &why)) == NULL ||
	    store_link_tags(prev) == -1 || export_read_manifest(ex) == -1)
		goto done;
	ex->full = 0;
	export_mark(ex, prev);
done:
	free(old);
	buf_free(&ctx);
	store_free(prev);
}

/* After a good run: what the next one compares with. */
static void
export_save_state(struct export *ex)
{
	struct buf ctx;

	if (ex->state_index[0] == '\0')
		return;
	buf_init(&ctx);
	export_context(ex, &ctx);
	/* The context last: without it, the next run renders everything. */
	unlink(ex->state_context);
	if (catalog_save(ex->st, ex->state_index) == 0 && !ctx.err)
		export_write_file(ex->state_context, ctx.data, ctx.len);
	buf_free(&ctx);
}

/* Whether d can change since the last export. */
static int
export_affected(const struct export *ex, const struct export_doc *d)
{
	if (ex->full)
		return 1;
	switch (d->kind) {
	case ROUTE_POST:
	case ROUTE_PICTURES:
		return ex->post_dirty[d->post->index];
	case ROUTE_TAG:
	case ROUTE_TAG_ATOM:
		return ex->tag_dirty[d->tag->index];
	default:
		return 1;	/* the lists: home, tags, posts, feeds */
	}
}

/* One document: rendered when it may have changed, else as last time. */
static int
export_emit(struct export *ex, struct export_doc *d)
{
	struct export_file key, *old, *f;

	key.path = d->rel;
	if (export_affected(ex, d) || (old = bsearch(&key, ex->old, ex->nold,
	    sizeof(*ex->old), export_cmp_file)) == NULL)
		return export_render(ex, d);
	if ((f = export_record(ex, d->rel)) == NULL)
		return -1;
	memcpy(f->sha, old->sha, sizeof(f->sha));
	ex->reused++;
	export_progress(ex);
	return 0;
}

static int
export_listed(const struct export *ex, const char *rel)
{
	struct export_file key;

	key.path = (char *)rel;
	return bsearch(&key, ex->files, ex->nfiles, sizeof(*ex->files),
	    export_cmp_file) != NULL;
}

/* Only a plain path inside one of the two mirrors may be removed. */
static int
export_removable(const char *rel)
{
	if (strncmp(rel, "gemini/", 7) != 0 && strncmp(rel, "gopher/", 7) != 0)
		return 0;
	return strstr(rel, "..") == NULL && strstr(rel, "//") == NULL &&
	    rel[strlen(rel) - 1] != '/';
}

/* Removes rel, then each parent left empty, up to the mirror's root. */
static int
export_remove(struct export *ex, const char *rel)
{
	char path[EXPORT_PATH_MAX], *slash;
	size_t root;

	if (export_path(ex, rel, path, sizeof(path)) == -1)
		return -1;
	if (unlink(path) == -1) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "export: %s: %s\n", path, strerror(errno));
		return -1;
	}
	ex->removed++;
	root = strlen(ex->out) + 1 + 6;		/* OUT/gemini */
	while ((slash = strrchr(path, '/')) != NULL &&
	    (size_t)(slash - path) > root) {
		*slash = '\0';
		if (rmdir(path) == -1)
			break;
	}
	return 0;
}

/*
 * Reads the last run's MANIFEST and removes what it lists that this run
 * did not write. No MANIFEST: nothing is removed.
 */
static int
export_prune(struct export *ex)
{
	char path[EXPORT_PATH_MAX], line[EXPORT_PATH_MAX + EXPORT_SHA_HEX + 8];
	char *rel, *nl;
	size_t total = 0;
	FILE *f;
	int ret = 0;

	if (export_path(ex, EXPORT_MANIFEST, path, sizeof(path)) == -1)
		return -1;
	if ((f = fopen(path, "r")) == NULL)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if ((total += strlen(line)) > EXPORT_MANIFEST_MAX)
			break;
		if ((nl = strchr(line, '\n')) == NULL)
			continue;	/* too long to be ours */
		*nl = '\0';
		if (strlen(line) < EXPORT_SHA_HEX + 3 ||
		    line[EXPORT_SHA_HEX] != ' ' ||
		    line[EXPORT_SHA_HEX + 1] != ' ')
			continue;
		rel = line + EXPORT_SHA_HEX + 2;
		if (export_removable(rel) && !export_listed(ex, rel) &&
		    export_remove(ex, rel) == -1)
			ret = -1;
	}
	fclose(f);
	return ret;
}

static int
export_manifest(struct export *ex)
{
	struct buf b;
	char path[EXPORT_PATH_MAX];
	size_t i;
	int ret = -1;

	buf_init(&b);
	for (i = 0; i < ex->nfiles; i++)
		buf_printf(&b, "%s  %s\n", ex->files[i].sha, ex->files[i].path);
	if (b.err || export_path(ex, EXPORT_MANIFEST, path, sizeof(path)) ==
	    -1)
		goto done;
	if (!export_same(path, b.data ? b.data : "", b.len)) {
		if (export_write_file(path, b.data ? b.data : "", b.len) == -1) {
			fprintf(stderr, "export: %s: %s\n", path,
			    strerror(errno));
			goto done;
		}
		ex->written++;
	}
	ret = 0;
done:
	buf_free(&b);
	return ret;
}

/* Reads up to n bytes, retrying short reads; the count, or -1. */
static ssize_t
export_read_full(int fd, char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, buf + got, n - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* 1 when the files a and b hold the same bytes, read a chunk at a time. */
static int
export_same_files(const char *a, const char *b)
{
	static char ca[EXPORT_IO_CHUNK], cb[EXPORT_IO_CHUNK];
	ssize_t na, nb;
	int fa, fb, same = 0;

	if ((fa = open(a, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	if ((fb = open(b, O_RDONLY | O_CLOEXEC)) == -1) {
		close(fa);
		return 0;
	}
	for (;;) {
		na = export_read_full(fa, ca, sizeof(ca));
		nb = export_read_full(fb, cb, sizeof(cb));
		if (na == -1 || na != nb || memcmp(ca, cb, (size_t)na) != 0)
			break;
		if (na == 0) {
			same = 1;
			break;
		}
	}
	close(fa);
	close(fb);
	return same;
}

/* Adds the directories of rel the previous path did not share. */
static int
export_tar_dirs(struct export *ex, struct ustar *t, const char *prev,
    const char *rel, const char **errstr)
{
	char dir[EXPORT_PATH_MAX], path[EXPORT_PATH_MAX];
	const char *s;
	struct stat sb;
	size_t n;

	for (s = strchr(rel, '/'); s != NULL; s = strchr(s + 1, '/')) {
		n = (size_t)(s - rel);
		/* Paths are sorted, so a shared directory came just before. */
		if (prev != NULL && strncmp(prev, rel, n + 1) == 0)
			continue;
		memcpy(dir, rel, n);
		dir[n] = '\0';
		if (export_path(ex, dir, path, sizeof(path)) == -1 ||
		    stat(path, &sb) == -1)
			sb.st_mtime = 0;
		if (ustar_dir(t, dir, (long long)sb.st_mtime, errstr) == -1)
			return -1;
	}
	return 0;
}

/*
 * Writes the export (the files MANIFEST lists, and MANIFEST) as a ustar
 * archive, read back from OUT so it holds what is there. Replaced only
 * when it changed.
 */
static int
export_tar(struct export *ex, const char *file)
{
	char tmp[EXPORT_PATH_MAX], path[EXPORT_PATH_MAX], *data;
	const char *errstr = "write error", *prev = NULL;
	struct ustar t;
	size_t i, len;
	long long mtime;
	FILE *f;
	int ret = -1;

	if (snprintf(tmp, sizeof(tmp), "%s%s", file, EXPORT_TMP_SUFFIX) >=
	    (int)sizeof(tmp) || (f = fopen(tmp, "wb")) == NULL) {
		fprintf(stderr, "export: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	ustar_init(&t, f);
	for (i = 0; i <= ex->nfiles; i++) {
		/* MANIFEST sorts first: upper case before "gemini/". */
		const char *rel = i == 0 ? EXPORT_MANIFEST :
		    ex->files[i - 1].path;

		if (export_path(ex, rel, path, sizeof(path)) == -1 ||
		    (data = file_read(path, EXPORT_READ_MAX, &len, &mtime)) ==
		    NULL) {
			fprintf(stderr, "export: %s/%s: %s\n", ex->out, rel,
			    strerror(errno));
			goto done;
		}
		if (export_tar_dirs(ex, &t, prev, rel, &errstr) == -1 ||
		    ustar_file(&t, rel, data, len, mtime, &errstr) == -1) {
			free(data);
			fprintf(stderr, "export: %s: %s: %s\n", file, rel,
			    errstr);
			goto done;
		}
		free(data);
		prev = rel;
	}
	if (ustar_finish(&t) == -1) {
		fprintf(stderr, "export: %s: write error\n", tmp);
		goto done;
	}
	ret = 0;
done:
	if (fclose(f) == EOF && ret == 0) {
		fprintf(stderr, "export: %s: %s\n", tmp, strerror(errno));
		ret = -1;
	}
	if (ret == -1) {
		unlink(tmp);
		return -1;
	}
	/*
	 * Keep the old archive, and its mtime, when nothing changed: compared
	 * a chunk at a time, the archive is never held in memory.
	 */
	if (export_same_files(tmp, file))
		unlink(tmp);
	else if (rename(tmp, file) == -1) {
		fprintf(stderr, "export: %s: %s\n", file, strerror(errno));
		unlink(tmp);
		ret = -1;
	}
	return ret;
}

static void
export_free(struct export *ex)
{
	size_t i;

	for (i = 0; i < ex->nfiles; i++)
		free(ex->files[i].path);
	free(ex->files);
	for (i = 0; i < ex->nold; i++)
		free(ex->old[i].path);
	free(ex->old);
	free(ex->post_dirty);
	free(ex->tag_dirty);
}

/* Parses a port number 1..65535; 0 when it is not one. */
static int
export_port(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || v < 1 || v > 65535)
		return 0;
	return (int)v;
}

int
export_main(int argc, char **argv)
{
	struct export ex;
	struct site site;
	struct store *st;
	const char *content = "content", *tar = NULL;
	int i, only_gemini = 0, only_gopher = 0, ret = 1;

	memset(&ex, 0, sizeof(ex));
	memset(&site, 0, sizeof(site));
	site.gemini_port = 1965;
	site.gopher_port = 70;
	site.static_links = 1;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			export_usage(stdout);
			return 0;
		} else if (strcmp(a, "--gemini-only") == 0)
			only_gemini = 1;
		else if (strcmp(a, "--gopher-only") == 0)
			only_gopher = 1;
		else if (v != NULL && strcmp(a, "--out") == 0)
			ex.out = argv[++i];
		else if (v != NULL && strcmp(a, "--content") == 0)
			content = argv[++i];
		else if (v != NULL && strcmp(a, "--hostname") == 0)
			site.host = argv[++i];
		else if (v != NULL && strcmp(a, "--tar") == 0)
			tar = argv[++i];
		else if (v != NULL && (strcmp(a, "--gopher-port") == 0 ||
		    strcmp(a, "--gemini-port") == 0)) {
			/* Feeds link the mirror on the ports it is served on. */
			int *port = strcmp(a, "--gopher-port") == 0 ?
			    &site.gopher_port : &site.gemini_port;

			if ((*port = export_port(argv[++i])) == 0) {
				fprintf(stderr, "capsule export: bad port "
				    "%s\n", argv[i]);
				return 2;
			}
		} else {
			fprintf(stderr, "capsule export: %s %s\n", v == NULL &&
			    a[0] == '-' ? "missing value or unknown flag" :
			    "unknown argument", a);
			export_usage(stderr);
			return 2;
		}
	}
	if (ex.out == NULL || ex.out[0] == '\0' || (only_gemini &&
	    only_gopher)) {
		fprintf(stderr, ex.out == NULL || ex.out[0] == '\0' ?
		    "capsule export: --out DIR is required\n" :
		    "capsule export: --gemini-only and --gopher-only "
		    "exclude each other\n");
		export_usage(stderr);
		return 2;
	}
	ex.gemini = !only_gopher;
	ex.gopher = !only_gemini;
	if ((st = store_load(content, &site, export_report, NULL)) == NULL ||
	    (ex.sn = snapshot_new(st, 0)) == NULL)
		return 1;
	ex.st = ex.sn->store;
	if (export_mkdirs(ex.out) == -1) {
		fprintf(stderr, "capsule export: %s: %s\n", ex.out,
		    strerror(errno));
		goto done;
	}
	ex.progress = isatty(STDERR_FILENO);
	ex.counting = 1;
	export_each(&ex, export_count_one);
	ex.counting = 0;
	export_plan(&ex, content);
	if (export_each(&ex, export_emit) == -1 ||
	    export_pictures(&ex, content, "", 0) == -1) {
		export_progress_end(&ex);
		goto done;
	}
	export_progress_end(&ex);
	qsort(ex.files, ex.nfiles, sizeof(*ex.files), export_cmp_file);
	if (export_prune(&ex) == -1 || export_manifest(&ex) == -1)
		goto done;
	export_save_state(&ex);
	if (tar != NULL && export_tar(&ex, tar) == -1)
		goto done;
	/* The MANIFEST is a file of the export too. */
	printf("export: %zu files in %s: %zu written, %zu removed\n",
	    ex.nfiles + 1, ex.out, ex.written, ex.removed);
	if (!ex.full && ex.progress)
		fprintf(stderr, "export: incremental: %zu rendered, %zu as "
		    "last time\n", ex.rendered, ex.reused);
	ret = 0;
done:
	export_free(&ex);
	snapshot_unref(ex.sn);
	return ret;
}
