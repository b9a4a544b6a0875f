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
 *   OUT/MANIFEST   "<sha256>  <path>" per file, as sha256sum(1) writes,
 *                  sorted by path
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
 *
 * And a run after a few changes renders only the pages they touch. In
 * the cache directory, never in OUT, the last run left two files:
 *
 *   <index>.export  its posts (catalog.c's saved index): the store is
 *                   made from it and only the post files whose identity
 *                   changed are read;
 *   <index>.docs    for each line of its MANIFEST, the page's key (its
 *                   mirror, kind, post or tag slug or date, page number)
 *                   and a digest of what it was made from: the
 *                   identities (slug and file) of the posts it shows, in
 *                   order, its tags' names and slugs, its list's length,
 *                   its neighbours. Bound to that MANIFEST (the identity
 *                   of the file it wrote) and to the context: this
 *                   binary's checksum, the content directory, the flags
 *                   and the settings.
 *
 * A page whose digest is the one its MANIFEST line was made from keeps
 * its file and line unread; the others are rendered, and compared with
 * their file. The heads of the lists (home, /tags/, /posts/, the years,
 * the archive's feed) are rendered every time. A state that does not
 * match, or is damaged, means every page is rendered.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "catalog.h"
#include "config.h"
#include "export.h"
#include "feed.h"
#include "file.h"
#include "media.h"
#include "page.h"
#include "router.h"
#include "snapshot.h"
#include "store.h"
#include "ustar.h"

#define EXPORT_PATH_MAX		4096
#define EXPORT_MANIFEST		"MANIFEST"
#define EXPORT_MANIFEST_MAX	(2048ULL * 1024 * 1024)	/* bytes read back */
#define EXPORT_PROGRESS_MIN	500	/* documents before progress shows */
#define EXPORT_PROGRESS_EVERY	100
#define EXPORT_TMP_SUFFIX	".export-tmp"
#define EXPORT_SHA_HEX		64
#define EXPORT_IO_CHUNK		(64u * 1024)
#define EXPORT_READ_MAX		(256u * 1024 * 1024)	/* one exported file */
#define EXPORT_STATE_MAGIC	"capsule export state 2\n"
#define EXPORT_STATE_MAX	(512u * 1024 * 1024)
#define EXPORT_EXE_MAX		(1024u * 1024 * 1024)
/* Post files read, past which the saved posts are saved again. */
#define EXPORT_CATALOG_STALE	1000
#define EXPORT_NONE		SIZE_MAX	/* no line of the last MANIFEST */
#define EXPORT_ALWAYS		0	/* a digest: rendered every run */

struct export_file {
	char		*path;		/* relative to OUT; owned here */
	char		 sha[EXPORT_SHA_HEX + 1];
	uint64_t	 key, dig;	/* which page, made from what */
	size_t		 line;		/* of the last MANIFEST, or EXPORT_NONE */
	int		 listed;	/* the last MANIFEST has its path */
};

/* A line of the last MANIFEST, as the state file kept it. */
struct export_line {
	uint64_t	 key, dig;
};

/* The last run: what each line of its MANIFEST was made from. */
struct export_last {
	struct export_line *lines;	/* NULL: no state, render everything */
	size_t		 nlines;
	uint32_t	*slots;		/* line + 1 by key, 0: empty */
	size_t		 mask;
	unsigned char	*seen;		/* by line: 0, 1 kept, 2 rendered */
};

struct export {
	const char		*out;
	struct snapshot		*sn;		/* no search, no cache used */
	const struct store	*st;		/* sn's */
	int			 gemini, gopher;
	struct export_file	*files;		/* what this run rendered */
	size_t			 nfiles, capfiles;
	size_t			 written, removed;
	size_t			 done, total;	/* documents, for progress */
	size_t			*donep;		/* done, shared by the walks */
	int			 progress;
	int			 counting;
	struct export_last	 last;
	uint64_t		*post_dig;	/* by post index */
	uint64_t		*post_key;	/* its slug's checksum */
	uint64_t		*tag_dig;	/* by tag index */
	uint64_t		*tag_key;
	uint64_t		 oldest;	/* the oldest post's date */
	size_t			 rendered, reused;
	int			 save_catalog;
	/* In the cache dir, never in OUT: the last run's posts and pages. */
	char			 state_index[EXPORT_PATH_MAX];
	char			 state_docs[EXPORT_PATH_MAX];
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

/* Adds rel to what this run rendered; f's checksum is left to fill. */
static struct export_file *
export_record(struct export *ex, const char *rel, uint64_t key, uint64_t dig,
    size_t line)
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
	f->key = key;
	f->dig = dig;
	f->line = line;
	f->listed = 0;
	if (line != EXPORT_NONE)
		__atomic_store_n(&ex->last.seen[line], 2, __ATOMIC_RELAXED);
	ex->nfiles++;
	return f;
}

/*
 * Writes OUT/rel unless it already holds data; records it (the page key,
 * made from dig, in the place of the last MANIFEST's line).
 */
static int
export_put(struct export *ex, const char *rel, const char *data, size_t len,
    uint64_t key, uint64_t dig, size_t line)
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
	if ((f = export_record(ex, rel, key, dig, line)) == NULL)
		return -1;
	export_sha256(data, len, f->sha);
	ex->rendered++;
	return 0;
}

static void
export_progress(struct export *ex)
{
	size_t done = __atomic_add_fetch(ex->donep, 1, __ATOMIC_RELAXED);

	if (!ex->progress || ex->total < EXPORT_PROGRESS_MIN)
		return;
	if (done % EXPORT_PROGRESS_EVERY == 0)
		fprintf(stderr, "\rexport: %zu/%zu documents", done,
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

/* How one protocol's mirror lays out its files. */
struct export_layout {
	enum proto	 proto;
	const char	*name;		/* for messages */
	const char	*dir;		/* under OUT */
	const char	*menu;		/* a directory's menu file */
	enum export_form menu_form;
	enum export_form post_form;
	const char	*post_suffix;	/* a post's file: its slug and this */
	const char	*clash;		/* a slug that would be the menu file */
	int		 robots;	/* writes robots.txt */
	int		 page_clash;	/* a post named "page" is a file where
					   posts/page/ must be a directory */
};

static const struct export_layout export_layouts[] = {
	{ PROTO_GEMINI, "Gemini", "gemini", "index.gmi", EXPORT_AS_IS,
	    EXPORT_AS_IS, ".gmi", "index", 1, 0 },
	{ PROTO_GOPHER, "Gopher", "gopher", "gophermap", EXPORT_GOPHERMAP,
	    EXPORT_GOPHER_TEXT, "", "gophermap", 0, 1 },
};

/*
 * One document of the mirror: what to render, in which layout. Its file
 * name is made only when it is rendered (export_doc_path()).
 */
struct export_doc {
	const struct export_layout *l;
	enum route_kind		 kind;
	const struct post	*post;
	const struct tag	*tag;
	const struct store_year	*year;
	const struct store_month *month;
	unsigned		 page;
};

typedef int (*export_doc_cb)(struct export *, struct export_doc *);

/* Where d goes under OUT, the one place that names files; 0 or -1. */
static int
export_doc_path(const struct export_doc *d, char *out, size_t outsz)
{
	const struct export_layout *l = d->l;
	const char *list = d->kind == ROUTE_TAGS ? "tags" : "posts";
	int n = -1;

	switch (d->kind) {
	case ROUTE_HOME:
		n = snprintf(out, outsz, "%s/%s", l->dir, l->menu);
		break;
	case ROUTE_TAGS:
	case ROUTE_POSTS:
		n = d->page <= 1 ? snprintf(out, outsz, "%s/%s/%s", l->dir,
		    list, l->menu) : snprintf(out, outsz, "%s/%s/page/%u/%s",
		    l->dir, list, d->page, l->menu);
		break;
	case ROUTE_ROBOTS:
		n = snprintf(out, outsz, "%s/robots.txt", l->dir);
		break;
	case ROUTE_ATOM:
		n = snprintf(out, outsz, "%s/atom.xml", l->dir);
		break;
	case ROUTE_POST:
		n = snprintf(out, outsz, "%s/posts/%s%s", l->dir,
		    d->post->slug, l->post_suffix);
		break;
	case ROUTE_PICTURES:
		n = snprintf(out, outsz, "%s/pictures/%s/%s", l->dir,
		    d->post->slug, l->menu);
		break;
	case ROUTE_TAG:
		n = d->page <= 1 ? snprintf(out, outsz, "%s/tag/%s/%s", l->dir,
		    d->tag->slug, l->menu) : snprintf(out, outsz,
		    "%s/tag/%s/page/%u/%s", l->dir, d->tag->slug, d->page,
		    l->menu);
		break;
	case ROUTE_TAG_ATOM:
		n = snprintf(out, outsz, "%s/tag/%s/atom.xml", l->dir,
		    d->tag->slug);
		break;
	case ROUTE_YEAR:
		n = snprintf(out, outsz, "%s/posts/%04u/%s", l->dir,
		    d->year->year, l->menu);
		break;
	case ROUTE_MONTH:
		n = d->page <= 1 ? snprintf(out, outsz, "%s/posts/%04u/%02u/%s",
		    l->dir, d->month->year, d->month->month, l->menu) :
		    snprintf(out, outsz, "%s/posts/%04u/%02u/page/%u/%s",
		    l->dir, d->month->year, d->month->month, d->page, l->menu);
		break;
	default:
		break;
	}
	return n < 0 || (size_t)n >= outsz ? -1 : 0;
}

static enum export_form
export_doc_form(const struct export_doc *d)
{
	switch (d->kind) {
	case ROUTE_POST:
		return d->l->post_form;
	case ROUTE_ROBOTS:
	case ROUTE_ATOM:
	case ROUTE_TAG_ATOM:
		return EXPORT_AS_IS;
	default:
		return d->l->menu_form;
	}
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

#define EXPORT_DOC(k, p, t, y, m, pg) do {				\
	struct export_doc d_ = { l, (k), (p), (t), (y), (m), (pg) };	\
									\
	if (cb(ex, &d_) == -1)						\
		return -1;						\
} while (0)

/* Every document of one protocol's mirror, in the layout l. */
static int
export_layout_each(struct export *ex, export_doc_cb cb,
    const struct export_layout *l)
{
	const struct store *st = ex->st;
	const struct store_month *m;
	const struct post *p;
	const struct tag *t;
	size_t i;
	unsigned pg;

	EXPORT_DOC(ROUTE_HOME, NULL, NULL, NULL, NULL, 1);
	EXPORT_DOC(ROUTE_TAGS, NULL, NULL, NULL, NULL, 1);
	EXPORT_DOC(ROUTE_POSTS, NULL, NULL, NULL, NULL, 1);
	if (l->robots)
		EXPORT_DOC(ROUTE_ROBOTS, NULL, NULL, NULL, NULL, 1);
	EXPORT_DOC(ROUTE_ATOM, NULL, NULL, NULL, NULL, 1);
	for (i = 0; i < st->nposts; i++) {
		p = st->posts[i];
		if (export_slug_clash(ex, p, l->clash, l->name) ||
		    (l->page_clash && router_posts_pages(st) > 1 &&
		    export_slug_clash(ex, p, "page", l->name)) ||
		    (l->page_clash && export_year_clash(ex, p, l->name)))
			continue;
		EXPORT_DOC(ROUTE_POST, p, NULL, NULL, NULL, 1);
	}
	for (i = 0; i < st->nposts; i++)
		if (st->posts[i]->npictures > 0)
			EXPORT_DOC(ROUTE_PICTURES, st->posts[i], NULL, NULL,
			    NULL, 1);
	for (i = 0; i < st->ntags; i++) {
		t = st->tags[i];
		EXPORT_DOC(ROUTE_TAG, NULL, t, NULL, NULL, 1);
		EXPORT_DOC(ROUTE_TAG_ATOM, NULL, t, NULL, NULL, 1);
		for (pg = 2; pg <= router_tag_pages(t); pg++)
			EXPORT_DOC(ROUTE_TAG, NULL, t, NULL, NULL, pg);
	}
	/* The date archives: each year's menu, each month's pages. */
	for (i = 0; i < st->nyears; i++)
		EXPORT_DOC(ROUTE_YEAR, NULL, NULL, &st->years[i], NULL, 1);
	for (i = 0; i < st->nmonths; i++) {
		m = &st->months[i];
		for (pg = 1; pg <= router_month_pages(m); pg++)
			EXPORT_DOC(ROUTE_MONTH, NULL, NULL, NULL, m, pg);
	}
	/* Pages 2.. of /posts/ and /tags/, under posts/page/ and tags/page/. */
	for (pg = 2; pg <= router_posts_pages(st); pg++)
		EXPORT_DOC(ROUTE_POSTS, NULL, NULL, NULL, NULL, pg);
	for (pg = 2; pg <= router_tags_pages(st); pg++)
		EXPORT_DOC(ROUTE_TAGS, NULL, NULL, NULL, NULL, pg);
	return 0;
}

/*
 * Every document of the export, the one place that knows the layout:
 * the run and the progress count both walk it.
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

static int	 export_emit(struct export *, struct export_doc *);

/* One protocol's mirror, walked on a thread of its own. */
struct export_walk {
	struct export			 ex;	/* a copy: its own files */
	const struct export_layout	*l;
	int				 ret;
};

static void *
export_walk_main(void *arg)
{
	struct export_walk *w = arg;

	w->ret = export_layout_each(&w->ex, export_emit, w->l);
	return NULL;
}

/*
 * Every document, each mirror on a core of its own: both walk the same
 * store and the last run's lines (each marks only its own), and keep
 * their files apart until they are joined here. 0 or -1.
 */
static int
export_walk_all(struct export *ex)
{
	struct export_walk w[2];
	struct export_file *nf;
	pthread_t th;
	size_t n = 0, k, cap;
	int started = 0, ret = 0;

	for (k = 0; k < 2; k++) {
		if (!(k == 0 ? ex->gemini : ex->gopher))
			continue;
		w[n].ex = *ex;
		w[n].ex.files = NULL;
		w[n].ex.nfiles = w[n].ex.capfiles = 0;
		w[n].ex.written = w[n].ex.rendered = w[n].ex.reused = 0;
		w[n].l = &export_layouts[k];
		w[n].ret = 0;
		n++;
	}
	if (n == 2 && pthread_create(&th, NULL, export_walk_main, &w[1]) == 0)
		started = 1;
	if (n > 0)
		export_walk_main(&w[0]);
	if (started)
		pthread_join(th, NULL);
	else if (n == 2)
		export_walk_main(&w[1]);
	for (k = 0; k < n; k++) {
		if (w[k].ret == -1)
			ret = -1;
		ex->written += w[k].ex.written;
		ex->rendered += w[k].ex.rendered;
		ex->reused += w[k].ex.reused;
		cap = ex->nfiles + w[k].ex.nfiles;
		if (cap > ex->capfiles) {
			if ((nf = realloc(ex->files, cap * sizeof(*nf))) == NULL) {
				/* Freed here: the paths go nowhere. */
				while (w[k].ex.nfiles > 0)
					free(w[k].ex.files[--w[k].ex.nfiles].path);
				free(w[k].ex.files);
				ret = -1;
				continue;
			}
			ex->files = nf;
			ex->capfiles = cap;
		}
		if (w[k].ex.nfiles > 0)
			memcpy(ex->files + ex->nfiles, w[k].ex.files,
			    w[k].ex.nfiles * sizeof(*ex->files));
		ex->nfiles += w[k].ex.nfiles;
		free(w[k].ex.files);
	}
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

/* Renders one document and writes it unless its file already holds it. */
static int
export_render(struct export *ex, struct export_doc *d, uint64_t key,
    uint64_t dig, size_t line)
{
	char rel[EXPORT_PATH_MAX];
	enum export_form form = export_doc_form(d);
	struct route r;
	struct buf b;
	int ret = -1;

	if (export_doc_path(d, rel, sizeof(rel)) == -1) {
		fprintf(stderr, "export: a path too long in %s/%s\n", ex->out,
		    d->l->dir);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.kind = d->kind;
	r.post = d->post;
	r.tag = d->tag;
	r.year = d->year;
	r.month = d->month;
	r.page = d->page;
	buf_init(&b);
	if (page_render(ex->sn, d->l->proto, &r, NULL, &b) == -1 || b.err) {
		fprintf(stderr, "export: %s: cannot render\n", rel);
		goto done;
	}
	if (form == EXPORT_GOPHERMAP)
		export_gophermap(&b);
	else if (form == EXPORT_GOPHER_TEXT)
		export_gopher_text(&b);
	ret = export_put(ex, rel, b.data ? b.data : "", b.len, key, dig, line);
done:
	buf_free(&b);
	export_progress(ex);
	return ret;
}


static ssize_t	 export_read_full(int, char *, size_t);

/*
 * One step of a digest: a bijection of h ^ v, so a sequence of values
 * (the posts of a page, in order) gives another digest when any differs.
 */
static uint64_t
export_mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ULL;
	return h ^ (h >> 29);
}

static uint64_t
export_str(uint64_t h, const char *s)
{
	return export_mix(h, catalog_sum(s, strlen(s)));
}

/*
 * What a post shows anywhere comes from its file: its slug and the
 * file's identity (as the store judges a file unchanged) say it all.
 */
static uint64_t
export_post_digest(const struct post *p)
{
	uint64_t h = export_str(0x706f7374ULL, p->slug);

	h = export_mix(h, p->id.dev);
	h = export_mix(h, p->id.ino);
	h = export_mix(h, (uint64_t)p->id.size);
	h = export_mix(h, (uint64_t)p->id.mtime_ns);
	h = export_mix(h, (uint64_t)p->id.ctime_ns);
	return export_mix(h, (uint64_t)p->stale);
}

/* A tag's name is its newest post's spelling; its slug may be suffixed. */
static uint64_t
export_tag_digest(const struct tag *t)
{
	return export_str(export_str(0x746167ULL, t->name), t->slug);
}

/* The digests and keys of every post and tag of this run; 0 or -1. */
static int
export_digests(struct export *ex)
{
	const struct store *st = ex->st;
	size_t i;

	ex->post_dig = malloc((st->nposts + 1) * sizeof(*ex->post_dig));
	ex->post_key = malloc((st->nposts + 1) * sizeof(*ex->post_key));
	ex->tag_dig = malloc((st->ntags + 1) * sizeof(*ex->tag_dig));
	ex->tag_key = malloc((st->ntags + 1) * sizeof(*ex->tag_key));
	if (ex->post_dig == NULL || ex->post_key == NULL ||
	    ex->tag_dig == NULL || ex->tag_key == NULL)
		return -1;
	for (i = 0; i < st->nposts; i++) {
		ex->post_dig[i] = export_post_digest(st->posts[i]);
		ex->post_key[i] = export_str(0, st->posts[i]->slug);
	}
	for (i = 0; i < st->ntags; i++) {
		ex->tag_dig[i] = export_tag_digest(st->tags[i]);
		ex->tag_key[i] = export_str(0, st->tags[i]->slug);
	}
	ex->oldest = st->nposts > 0 ?
	    export_str(1, st->posts[st->nposts - 1]->date) : 0;
	return 0;
}

/*
 * Which page d is, without making its file name: its mirror, kind,
 * post or tag slug, year and month, and page number name one file.
 */
static uint64_t
export_doc_key(const struct export *ex, const struct export_doc *d)
{
	uint64_t h = export_mix(export_mix(0x6b6579ULL, d->l->proto),
	    d->kind), o = 0;

	switch (d->kind) {
	case ROUTE_POST:
	case ROUTE_PICTURES:
		o = ex->post_key[d->post->index];
		break;
	case ROUTE_TAG:
	case ROUTE_TAG_ATOM:
		o = ex->tag_key[d->tag->index];
		break;
	case ROUTE_YEAR:
		o = d->year->year;
		break;
	case ROUTE_MONTH:
		o = d->month->year * 16 + d->month->month;
		break;
	default:
		break;
	}
	return export_mix(export_mix(h, o), d->page);
}

/* posts[first .. first + n), as far as there are, into h. */
static uint64_t
export_run(const struct export *ex, uint64_t h, struct post *const *posts,
    size_t nposts, size_t first, size_t n)
{
	size_t i;

	for (i = first; i < nposts && i - first < n; i++)
		h = export_mix(h, ex->post_dig[posts[i]->index]);
	return h;
}

/*
 * What document d is made from, as the renderers (gemtext.c,
 * gophermap.c, feed.c) read the store: over both protocols, so a fact
 * one of them shows is in both digests. EXPORT_ALWAYS for the heads of
 * the lists, which show counts of the whole store.
 */
static uint64_t
export_doc_digest(const struct export *ex, const struct export_doc *d)
{
	const struct store *st = ex->st;
	const struct store_month *m = d->month;
	const struct post *p = d->post, *o;
	const struct tag *t = d->tag;
	uint64_t h = export_mix(export_mix(0x646f63ULL, d->kind), d->page);
	size_t i;

	switch (d->kind) {
	case ROUTE_POST:
		/* Its tags link by slug; its neighbours by slug and title. */
		h = export_mix(h, ex->post_dig[p->index]);
		for (i = 0; i < p->ntags; i++)
			h = export_mix(h, ex->tag_dig[p->tagp[i]->index]);
		o = store_newer(st, p);
		h = export_mix(h, o != NULL ? ex->post_dig[o->index] : 1);
		o = store_older(st, p);
		h = export_mix(h, o != NULL ? ex->post_dig[o->index] : 2);
		break;
	case ROUTE_PICTURES:
		h = export_mix(h, ex->post_dig[p->index]);
		break;
	case ROUTE_TAG:
		h = export_mix(export_mix(h, ex->tag_dig[t->index]), t->nposts);
		h = export_run(ex, h, t->posts, t->nposts,
		    (size_t)(d->page - 1) * ROUTER_PAGE_SIZE, ROUTER_PAGE_SIZE);
		break;
	case ROUTE_TAG_ATOM:
		/* The feed's id is dated by the archive's oldest post. */
		h = export_mix(export_mix(h, ex->tag_dig[t->index]), ex->oldest);
		h = export_run(ex, h, t->posts, t->nposts, 0, FEED_MAX_ENTRIES);
		break;
	case ROUTE_MONTH:
		/* Its neighbours link by year and month. */
		h = export_mix(h, m->year * 16 + m->month);
		h = export_mix(h, m->nposts);
		h = export_mix(h, m->index > 0 ? m[-1].year * 16 + m[-1].month :
		    1);
		h = export_mix(h, m->index + 1 < st->nmonths ?
		    m[1].year * 16 + m[1].month : 2);
		h = export_run(ex, h, st->posts + m->first, m->nposts,
		    (size_t)(d->page - 1) * ROUTER_POSTS_PAGE,
		    ROUTER_POSTS_PAGE);
		break;
	case ROUTE_POSTS:
		if (d->page <= 1)	/* with the years and their counts */
			return EXPORT_ALWAYS;
		h = export_mix(h, st->nposts);
		h = export_run(ex, h, st->posts, st->nposts,
		    (size_t)(d->page - 1) * ROUTER_POSTS_PAGE,
		    ROUTER_POSTS_PAGE);
		break;
	default:
		return EXPORT_ALWAYS;
	}
	return h != EXPORT_ALWAYS ? h : 1;
}

/* The line of the last MANIFEST whose page is key, or EXPORT_NONE. */
static size_t
export_last_find(const struct export_last *l, uint64_t key)
{
	size_t i;
	uint32_t v;

	if (l->slots == NULL)
		return EXPORT_NONE;
	for (i = key & l->mask; (v = l->slots[i]) != 0; i = (i + 1) & l->mask)
		if (l->lines[v - 1].key == key)
			return v - 1;
	return EXPORT_NONE;
}

/* 1 when the last run made line from dig: its file and line still hold. */
static int
export_last_holds(const struct export *ex, size_t line, uint64_t dig)
{
	return line != EXPORT_NONE && dig != EXPORT_ALWAYS &&
	    ex->last.lines[line].dig == dig &&
	    __atomic_load_n(&ex->last.seen[line], __ATOMIC_RELAXED) == 0;
}

/* One document: rendered unless the last run made it from the same. */
static int
export_emit(struct export *ex, struct export_doc *d)
{
	uint64_t key = export_doc_key(ex, d), dig = export_doc_digest(ex, d);
	size_t line = export_last_find(&ex->last, key);

	if (!export_last_holds(ex, line, dig))
		return export_render(ex, d, key, dig, line);
	__atomic_store_n(&ex->last.seen[line], 1, __ATOMIC_RELAXED);
	ex->reused++;
	export_progress(ex);
	return 0;
}

/*
 * The picture store, copied into each mirror as it is (media/<path>), so
 * the file servers send the pictures the capsule sends. Only names the
 * store makes are copied: not its index, not a half-written file. A
 * picture whose file is the one the last run copied is not read again.
 */
static int
export_pictures(struct export *ex, const char *content, const char *rel,
    int depth)
{
	char dir[EXPORT_PATH_MAX], sub[EXPORT_PATH_MAX], out[EXPORT_PATH_MAX];
	struct dirent *de;
	struct file_id id;
	struct stat sb;
	uint64_t dig, key;
	char *data;
	size_t len = 0, line;
	DIR *d;
	int ret = 0, k;

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
		file_id_of(&sb, &id);
		dig = export_mix(export_mix(export_mix(export_mix(export_mix(
		    0x6d65646961ULL, id.dev), id.ino), (uint64_t)id.size),
		    (uint64_t)id.mtime_ns), (uint64_t)id.ctime_ns);
		data = NULL;
		for (k = 0; ret == 0 && k < 2; k++) {
			const struct export_layout *l = &export_layouts[k];

			/* sub is a media path: short enough for these. */
			if (!(k == 0 ? ex->gemini : ex->gopher) ||
			    (size_t)snprintf(out, sizeof(out), "%s/" MEDIA_DIR
			    "/%.*s", l->dir, MEDIA_PATH_MAX, sub) >= sizeof(out))
				continue;
			key = export_mix(export_str(export_mix(0x6d6564ULL,
			    l->proto), sub), 0);
			line = export_last_find(&ex->last, key);
			if (export_last_holds(ex, line, dig)) {
				ex->last.seen[line] = 1;
				ex->reused++;
				continue;
			}
			if (data == NULL) {
				if ((size_t)snprintf(out, sizeof(out), "%s/%s",
				    dir, de->d_name) >= sizeof(out))
					break;
				if ((data = file_read(out, EXPORT_READ_MAX,
				    &len, NULL)) == NULL) {
					fprintf(stderr, "export: %s: %s\n", out,
					    strerror(errno));
					ret = -1;
					break;
				}
				if (media_type(data, len) == MEDIA_NONE)
					break;
				snprintf(out, sizeof(out), "%s/" MEDIA_DIR
				    "/%.*s", l->dir, MEDIA_PATH_MAX, sub);
			}
			ret = export_put(ex, out, data, len, key, dig, line);
		}
		free(data);
	}
	closedir(d);
	return ret;
}

static void
export_put64(struct buf *b, uint64_t v)
{
	buf_add(b, &v, sizeof(v));
}

static int
export_get64(const char **s, const char *end, uint64_t *v)
{
	if (end - *s < (ptrdiff_t)sizeof(*v))
		return -1;
	memcpy(v, *s, sizeof(*v));
	*s += sizeof(*v);
	return 0;
}

/* The identity of OUT/MANIFEST as five numbers; -1 when it has none. */
static int
export_manifest_id(const struct export *ex, uint64_t v[5])
{
	char path[EXPORT_PATH_MAX];
	struct file_id id;
	struct stat sb;

	if (export_path(ex, EXPORT_MANIFEST, path, sizeof(path)) == -1 ||
	    lstat(path, &sb) == -1 || !S_ISREG(sb.st_mode))
		return -1;
	file_id_of(&sb, &id);
	v[0] = id.dev;
	v[1] = id.ino;
	v[2] = (uint64_t)id.size;
	v[3] = (uint64_t)id.mtime_ns;
	v[4] = (uint64_t)id.ctime_ns;
	return 0;
}

/*
 * What the last run's pages were made from, when its state file is
 * whole, of this context and of the MANIFEST in OUT (the very file it
 * wrote, by identity); else nothing, and every page is rendered.
 */
static int
export_state_read(struct export *ex, const struct buf *ctx)
{
	struct export_last *l = &ex->last;
	const char *s, *end;
	uint64_t v, n, id[5];
	size_t len, i, j;
	char *data;
	int k, ret = 0;

	if (ex->state_docs[0] == '\0' || export_manifest_id(ex, id) == -1 ||
	    (data = file_read(ex->state_docs, EXPORT_STATE_MAX, &len, NULL)) ==
	    NULL)
		return 0;
	s = data;
	end = data + len;
	if (len < sizeof(EXPORT_STATE_MAGIC) - 1 + 8 || memcmp(data,
	    EXPORT_STATE_MAGIC, sizeof(EXPORT_STATE_MAGIC) - 1) != 0 ||
	    (memcpy(&v, end - 8, 8), v) != catalog_sum(data, len - 8))
		goto done;
	end -= 8;
	s += sizeof(EXPORT_STATE_MAGIC) - 1;
	if (export_get64(&s, end, &v) == -1 || v != ctx->len ||
	    (size_t)(end - s) < ctx->len || memcmp(s, ctx->data, ctx->len) != 0)
		goto done;
	s += ctx->len;
	for (k = 0; k < 5; k++)
		if (export_get64(&s, end, &v) == -1 || v != id[k])
			goto done;
	if (export_get64(&s, end, &n) == -1 || n >= UINT32_MAX ||
	    (size_t)(end - s) != n * sizeof(*l->lines))
		goto done;
	for (l->mask = 15; l->mask < 2 * n; l->mask = 2 * l->mask + 1)
		;
	ret = -1;
	if ((l->lines = malloc((n + 1) * sizeof(*l->lines))) == NULL ||
	    (l->seen = calloc(n + 1, 1)) == NULL ||
	    (l->slots = calloc(l->mask + 1, sizeof(*l->slots))) == NULL)
		goto done;
	memcpy(l->lines, s, n * sizeof(*l->lines));
	l->nlines = n;
	for (i = 0; i < n; i++) {
		/* A key twice: the first line holds it, the other is gone. */
		if (export_last_find(l, l->lines[i].key) != EXPORT_NONE)
			continue;
		for (j = l->lines[i].key & l->mask; l->slots[j] != 0;
		    j = (j + 1) & l->mask)
			;
		l->slots[j] = (uint32_t)(i + 1);
	}
	ret = 0;
done:
	free(data);
	return ret;
}

/* The state file for the MANIFEST now in OUT and its n lines. */
static void
export_state_write(struct export *ex, const struct buf *ctx,
    const struct export_line *lines, size_t n)
{
	char dir[EXPORT_PATH_MAX], *slash;
	uint64_t id[5];
	struct buf b;
	int k;

	if (ex->state_docs[0] == '\0' || export_manifest_id(ex, id) == -1)
		return;
	buf_init(&b);
	buf_puts(&b, EXPORT_STATE_MAGIC);
	export_put64(&b, ctx->len);
	buf_add(&b, ctx->data, ctx->len);
	for (k = 0; k < 5; k++)
		export_put64(&b, id[k]);
	export_put64(&b, n);
	buf_add(&b, lines, n * sizeof(*lines));
	if (!b.err)
		export_put64(&b, catalog_sum(b.data, b.len));
	snprintf(dir, sizeof(dir), "%s", ex->state_docs);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	if (b.err || (slash != NULL && file_mkdirs(dir) == -1) ||
	    export_write_file(ex->state_docs, b.data, b.len) == -1)
		fprintf(stderr, "export: %s: not saved: %s\n", ex->state_docs,
		    b.err ? "out of memory" : strerror(errno));
	buf_free(&b);
}

/* This program's checksum: another build may render other bytes. */
static uint64_t
export_exe_sum(void)
{
	struct stat sb;
	uint64_t sum;
	char *data;
	ssize_t n;
	int fd;

	if ((fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	if (fstat(fd, &sb) == -1 || sb.st_size <= 0 ||
	    (unsigned long long)sb.st_size > EXPORT_EXE_MAX ||
	    (data = malloc((size_t)sb.st_size)) == NULL) {
		close(fd);
		return 0;
	}
	n = export_read_full(fd, data, (size_t)sb.st_size);
	close(fd);
	sum = n == sb.st_size ? catalog_sum(data, (size_t)n) : 0;
	free(data);
	return sum;
}

/*
 * What else decides every page: the program, the content directory,
 * the flags and the capsule's settings. When it differs from the last
 * export's, everything is rendered again.
 */
static void
export_context(const struct export *ex, const char *content, struct buf *b)
{
	const struct settings *set = &ex->st->settings;
	char real[PATH_MAX];
	uint64_t exe = export_exe_sum();
	size_t i;

	/* No checksum of the program: a context no run matches. */
	buf_printf(b, "capsule %s %016llx\n", CAPSULE_VERSION, exe != 0 ?
	    (unsigned long long)exe : (unsigned long long)getpid() ^
	    (unsigned long long)time(NULL) << 20);
	buf_printf(b, "content %s\n", realpath(content, real) != NULL ? real :
	    content);
	buf_printf(b, "gemini %d gopher %d host %s ports %d %d\n", ex->gemini,
	    ex->gopher, ex->st->site.host, ex->st->site.gemini_port,
	    ex->st->site.gopher_port);
	buf_printf(b, "%s\n%s\n%s\n%s\n", set->title, set->description,
	    set->lang, set->author);
	for (i = 0; i < set->nhostnames; i++)
		buf_printf(b, "%s\n", set->hostnames[i]);
}

/* The names of the state files of OUT in the cache directory. */
static void
export_state_paths(struct export *ex)
{
	char dir[EXPORT_PATH_MAX], base[EXPORT_PATH_MAX];

	catalog_default_dir(dir, sizeof(dir));
	if (dir[0] == '\0' || catalog_path(dir, ex->out, base,
	    sizeof(base)) == -1 || strlen(base) + 8 > sizeof(base))
		return;
	snprintf(ex->state_index, sizeof(ex->state_index), "%.*s.export",
	    (int)sizeof(base) - 16, base);
	snprintf(ex->state_docs, sizeof(ex->state_docs), "%.*s.docs",
	    (int)sizeof(base) - 16, base);
}

/* The post files of a directory, and what looking at them found. */
struct export_look {
	const struct store	*saved;
	int			 dirfd;
	char			*names;		/* "x.txt\0y.txt\0..." */
	size_t			*at;		/* each name's offset */
	size_t			 from, to;	/* this look's share */
	unsigned char		*changed;	/* by name */
	unsigned char		*seen;		/* by saved post */
};

/*
 * Names whose file is not the saved post's (new, changed, not a plain
 * file): the identity is the store's own test of an unchanged file.
 */
static void *
export_look_run(void *arg)
{
	struct export_look *lk = arg;
	const struct store *sv = lk->saved;
	const struct post *o;
	char slug[EXPORT_PATH_MAX];
	struct file_id id;
	struct stat sb;
	const char *name;
	size_t i, len;

	for (i = lk->from; i < lk->to; i++) {
		name = lk->names + lk->at[i];
		len = strlen(name) - 4;
		lk->changed[i] = 1;
		if (len >= sizeof(slug))
			continue;
		memcpy(slug, name, len);
		slug[len] = '\0';
		if ((o = store_find_post(sv, slug)) == NULL ||
		    o->index >= sv->nposts || sv->posts[o->index] != o ||
		    fstatat(lk->dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		__atomic_store_n(&lk->seen[o->index], 1, __ATOMIC_RELAXED);
		file_id_of(&sb, &id);
		if (S_ISREG(sb.st_mode) && file_id_same(&o->id, &id))
			lk->changed[i] = 0;
	}
	return NULL;
}

/*
 * The post files of dir that are not as the saved posts had them (new,
 * changed) or are gone, as "x.txt" names in *out (n of them, in one
 * buffer *buf): store_update() then reads only those and keeps the other
 * posts in their order, rather than sorting a million again. Looked at
 * on two threads. 0, or -1 when dir cannot be listed (or no memory).
 */
static int
export_changed(const struct store *saved, const char *dir, char **buf,
    const char ***out, size_t *nout)
{
	struct export_look lk[2];
	struct buf names;
	struct dirent *de;
	pthread_t th;
	size_t *at = NULL, n = 0, cap = 0, i, k, len, *na;
	unsigned char *changed = NULL, *seen = NULL;
	const char **list = NULL;
	int started, ret = -1;
	DIR *d;

	buf_init(&names);
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len <= 4 ||
		    strcmp(de->d_name + len - 4, ".txt") != 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			if ((na = realloc(at, cap * sizeof(*at))) == NULL)
				goto done;
			at = na;
		}
		at[n++] = names.len;
		buf_add(&names, de->d_name, len + 1);
	}
	if (names.err || (changed = calloc(n + 1, 1)) == NULL ||
	    (seen = calloc(saved->nposts + 1, 1)) == NULL)
		goto done;
	for (k = 0; k < 2; k++) {
		lk[k].saved = saved;
		lk[k].dirfd = dirfd(d);
		lk[k].names = names.data;
		lk[k].at = at;
		lk[k].from = k == 0 ? 0 : n / 2;
		lk[k].to = k == 0 ? n / 2 : n;
		lk[k].changed = changed;
		lk[k].seen = seen;
	}
	started = pthread_create(&th, NULL, export_look_run, &lk[1]) == 0;
	export_look_run(&lk[0]);
	if (started)
		pthread_join(th, NULL);
	else
		export_look_run(&lk[1]);
	/* The changed names, then those of the saved posts now gone. */
	for (i = 0, k = 0; i < n; i++)
		if (changed[i])
			at[k++] = at[i];
	for (i = 0; i < saved->nposts; i++) {
		if (seen[i])
			continue;
		if (k == cap) {
			cap = 2 * cap + 1;
			if ((na = realloc(at, cap * sizeof(*at))) == NULL)
				goto done;
			at = na;
		}
		at[k++] = names.len;
		buf_printf(&names, "%s.txt", saved->posts[i]->slug);
		buf_putc(&names, '\0');
	}
	if (names.err || (list = malloc((k + 1) * sizeof(*list))) == NULL)
		goto done;
	for (i = 0; i < k; i++)
		list[i] = names.data + at[i];
	*buf = names.data;
	names.data = NULL;
	*out = list;
	*nout = k;
	ret = 0;
done:
	closedir(d);
	buf_free(&names);
	free(at);
	free(changed);
	free(seen);
	return ret;
}

/*
 * The store: from the posts the last export saved, reading only the
 * files whose identity changed, or from every file. A post kept from
 * the saved ones because its file turned bad is not what a fresh export
 * shows (it leaves the file out): then every file is read.
 */
static struct store *
export_load_store(struct export *ex, const char *content,
    const struct site *site)
{
	struct store *saved = NULL, *st;
	const char **names = NULL, *why;
	char *buf = NULL;
	size_t i, n = 0;

	if (ex->state_index[0] != '\0')
		saved = catalog_load(ex->state_index, content, &why);
	ex->save_catalog = saved == NULL;
	if (saved != NULL && export_changed(saved, content, &buf, &names,
	    &n) == -1)
		names = NULL;	/* every file looked at */
	st = store_update(saved, content, site, names, n, 0, export_report,
	    NULL);
	free(names);
	free(buf);
	store_free(saved);
	if (st == NULL || ex->save_catalog)
		return st;
	if (st->nread > EXPORT_CATALOG_STALE)
		ex->save_catalog = 1;
	for (i = 0; i < st->nposts && !st->posts[i]->stale; i++)
		;
	if (i == st->nposts)
		return st;
	store_free(st);
	ex->save_catalog = 1;
	return store_load(content, site, export_report, NULL);
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

/* 1 when line s[0..n), its '\n' excluded, is "<sha256>  <path>". */
static int
export_line_ok(const char *s, size_t n)
{
	size_t i;

	if (n < EXPORT_SHA_HEX + 3 || s[EXPORT_SHA_HEX] != ' ' ||
	    s[EXPORT_SHA_HEX + 1] != ' ' || memchr(s, '\0', n) != NULL)
		return 0;
	for (i = 0; i < EXPORT_SHA_HEX; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' &&
		    s[i] <= 'f')))
			return 0;
	return 1;
}

/* strcmp's order for a path and one of the last MANIFEST (not ended). */
static int
export_cmp_path(const char *a, const char *b, size_t blen)
{
	size_t alen = strlen(a);
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Maps OUT/MANIFEST; NULL when there is none (or it is not a file). */
static char *
export_map_manifest(const struct export *ex, size_t *len)
{
	char path[EXPORT_PATH_MAX];
	struct stat sb;
	void *map;
	int fd;

	if (export_path(ex, EXPORT_MANIFEST, path, sizeof(path)) == -1 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return NULL;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) || sb.st_size == 0 ||
	    (unsigned long long)sb.st_size > EXPORT_MANIFEST_MAX ||
	    (map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd,
	    0)) == MAP_FAILED) {
		close(fd);
		return NULL;
	}
	close(fd);
	*len = (size_t)sb.st_size;
	return map;
}

/* Writes file f's MANIFEST line and keeps its key and digest. */
static void
export_line_out(FILE *w, const struct export_file *f, struct export_line *o)
{
	fprintf(w, "%s  %s\n", f->sha, f->path);
	o->key = f->key;
	o->dig = f->dig;
}

/*
 * Ends a run. The new MANIFEST is the last one's lines kept, merged in
 * path order with the files this run rendered; a line neither kept nor
 * rendered again names a file to remove. It is written through a
 * temporary file, and the old one stays (with its identity) when
 * nothing in it changed. Then the state for the next run and, when
 * many posts were read, the saved posts.
 */
static int
export_finish(struct export *ex, const struct buf *ctx, size_t *nlines)
{
	struct export_last *l = &ex->last;
	struct export_line *out = NULL;
	struct export_file key, *f;
	char path[EXPORT_PATH_MAX], tmp[EXPORT_PATH_MAX], rel[EXPORT_PATH_MAX];
	const char *s, *nl, *end, *p;
	char *map;
	size_t maplen = 0, i = 0, j = 0, n = 0, plen, len;
	int changed = 0, wfd, ret = -1, err = 0;
	FILE *w = NULL;

	qsort(ex->files, ex->nfiles, sizeof(*ex->files), export_cmp_file);
	if (export_path(ex, EXPORT_MANIFEST, path, sizeof(path)) == -1 ||
	    snprintf(tmp, sizeof(tmp), "%s%s.XXXXXX", path,
	    EXPORT_TMP_SUFFIX) >= (int)sizeof(tmp))
		return -1;
	if ((map = export_map_manifest(ex, &maplen)) == NULL)
		changed = 1;
	if ((out = malloc((l->nlines + ex->nfiles + 1) * sizeof(*out))) ==
	    NULL || (wfd = mkstemp(tmp)) == -1) {
		fprintf(stderr, "export: %s: %s\n", tmp, strerror(errno));
		goto done;
	}
	if (fchmod(wfd, 0644) == -1 || (w = fdopen(wfd, "w")) == NULL) {
		fprintf(stderr, "export: %s: %s\n", tmp, strerror(errno));
		close(wfd);
		unlink(tmp);
		goto done;
	}
	end = map + maplen;
	for (s = map; s != NULL && s < end; s = nl + 1, i++) {
		if ((nl = memchr(s, '\n', end - s)) == NULL) {
			changed = 1;
			break;
		}
		len = (size_t)(nl - s);
		/* The file the state was made with is ours: no need to look. */
		if (l->lines != NULL ? len < EXPORT_SHA_HEX + 3 :
		    !export_line_ok(s, len)) {
			changed = 1;
			continue;
		}
		p = s + EXPORT_SHA_HEX + 2;
		plen = len - EXPORT_SHA_HEX - 2;
		/* The files rendered that sort before this line, first. */
		for (; j < ex->nfiles && export_cmp_path(ex->files[j].path, p,
		    plen) < 0; j++)
			export_line_out(w, &ex->files[j], &out[n++]);
		if (i < l->nlines && l->seen[i] == 1) {
			fwrite(s, 1, len + 1, w);
			out[n++] = l->lines[i];
			continue;
		}
		if (plen >= sizeof(rel)) {
			changed = 1;
			continue;
		}
		memcpy(rel, p, plen);
		rel[plen] = '\0';
		key.path = rel;
		if ((f = bsearch(&key, ex->files, ex->nfiles, sizeof(*f),
		    export_cmp_file)) != NULL) {
			if (f->listed || memcmp(f->sha, s, EXPORT_SHA_HEX) != 0)
				changed = 1;
			f->listed = 1;
			continue;
		}
		/* Not written by this run: gone. */
		changed = 1;
		if (export_removable(rel) && export_remove(ex, rel) == -1)
			err = 1;
	}
	for (; j < ex->nfiles; j++)
		export_line_out(w, &ex->files[j], &out[n++]);
	for (j = 0; j < ex->nfiles && !changed; j++)
		changed = !ex->files[j].listed;
	if (fclose(w) == EOF) {
		fprintf(stderr, "export: %s: %s\n", tmp, strerror(errno));
		unlink(tmp);
		goto done;
	}
	if (!changed)
		unlink(tmp);
	else if (rename(tmp, path) == -1) {
		fprintf(stderr, "export: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		goto done;
	} else
		ex->written++;
	*nlines = n;
	export_state_write(ex, ctx, out, n);
	if (ex->save_catalog && ex->state_index[0] != '\0' &&
	    catalog_save(ex->st, ex->state_index) == -1)
		fprintf(stderr, "export: %s: not saved: %s\n", ex->state_index,
		    strerror(errno));
	ret = err ? -1 : 0;
done:
	if (map != NULL)
		munmap(map, maplen);
	free(out);
	return ret;
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
	char rels[2][EXPORT_PATH_MAX], *man;
	const char *errstr = "write error", *prev = NULL, *s, *nl, *end;
	struct ustar t;
	size_t len, manlen;
	long long mtime;
	FILE *f;
	int ret = -1;

	if (snprintf(tmp, sizeof(tmp), "%s%s", file, EXPORT_TMP_SUFFIX) >=
	    (int)sizeof(tmp) || (f = fopen(tmp, "wb")) == NULL) {
		fprintf(stderr, "export: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	ustar_init(&t, f);
	/* The paths, in order, from the MANIFEST just written. */
	if (export_path(ex, EXPORT_MANIFEST, path, sizeof(path)) == -1 ||
	    (man = file_read(path, EXPORT_MANIFEST_MAX, &manlen, NULL)) ==
	    NULL) {
		fprintf(stderr, "export: %s/%s: %s\n", ex->out,
		    EXPORT_MANIFEST, strerror(errno));
		fclose(f);
		unlink(tmp);
		return -1;
	}
	s = man;
	end = man + manlen;
	for (;;) {
		/* MANIFEST sorts first: upper case before "gemini/". */
		char *rel = rels[prev == rels[0]];

		if (prev == NULL)
			snprintf(rel, EXPORT_PATH_MAX, "%s", EXPORT_MANIFEST);
		else if (s == NULL || s >= end || (nl = memchr(s, '\n',
		    end - s)) == NULL)
			break;
		else {
			/* The lines this run wrote: "<sha>  <path>". */
			len = (size_t)(nl - s) - EXPORT_SHA_HEX - 2;
			memcpy(rel, s + EXPORT_SHA_HEX + 2, len < EXPORT_PATH_MAX ?
			    len : EXPORT_PATH_MAX - 1);
			rel[len < EXPORT_PATH_MAX ? len : EXPORT_PATH_MAX - 1] =
			    '\0';
			s = nl + 1;
		}

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
	free(man);
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
	free(ex->last.lines);
	free(ex->last.slots);
	free(ex->last.seen);
	free(ex->post_dig);
	free(ex->post_key);
	free(ex->tag_dig);
	free(ex->tag_key);
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
	struct buf ctx;
	size_t nlines = 0;
	const char *content = "content", *tar = NULL;
	int i, only_gemini = 0, only_gopher = 0, ret = 1;

	memset(&ex, 0, sizeof(ex));
	ex.donep = &ex.done;
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
	/* OUT first: the state files are named by its real path. */
	if (export_mkdirs(ex.out) == -1) {
		fprintf(stderr, "capsule export: %s: %s\n", ex.out,
		    strerror(errno));
		return 1;
	}
	export_state_paths(&ex);
	buf_init(&ctx);
	if ((st = export_load_store(&ex, content, &site)) == NULL ||
	    (ex.sn = snapshot_new(st, 0)) == NULL)
		goto done;
	ex.st = ex.sn->store;
	ex.progress = isatty(STDERR_FILENO);
	if (ex.progress) {
		ex.counting = 1;
		export_each(&ex, export_count_one);
		ex.counting = 0;
	}
	export_context(&ex, content, &ctx);
	if (ctx.err || export_digests(&ex) == -1 ||
	    export_state_read(&ex, &ctx) == -1) {
		fprintf(stderr, "capsule export: out of memory\n");
		goto done;
	}
	/* A run that stops half way leaves no state: the next is full. */
	if (ex.state_docs[0] != '\0')
		unlink(ex.state_docs);
	if (export_walk_all(&ex) == -1 ||
	    export_pictures(&ex, content, "", 0) == -1) {
		export_progress_end(&ex);
		goto done;
	}
	export_progress_end(&ex);
	if (export_finish(&ex, &ctx, &nlines) == -1)
		goto done;
	if (tar != NULL && export_tar(&ex, tar) == -1)
		goto done;
	/* The MANIFEST is a file of the export too. */
	printf("export: %zu files in %s: %zu written, %zu removed; "
	    "%zu rendered, %zu kept\n", nlines + 1, ex.out, ex.written,
	    ex.removed, ex.rendered, ex.reused);
	ret = 0;
done:
	buf_free(&ctx);
	export_free(&ex);
	if (ex.sn != NULL)
		snapshot_unref(ex.sn);
	return ret;
}
