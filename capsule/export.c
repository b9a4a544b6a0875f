/*
 * export.c: `capsule export`: the whole capsule as static files, for
 * hosts that serve only files (molly-brown or Agate for Gemini,
 * Gophernicus or Bucktooth for Gopher).
 *
 * Every document comes from page_render(), the renderer the server uses,
 * with the store's site set to static_links so links name the files:
 *
 *   OUT/gemini/index.gmi, tags/index.gmi, posts/index.gmi,
 *              posts/<slug>.gmi, tag/<slug>/index.gmi,
 *              tag/<slug>/page/<n>/index.gmi, tag/<slug>/atom.xml,
 *              atom.xml, robots.txt
 *   OUT/gopher/gophermap (and one per menu directory, as above),
 *              posts/<slug> (text), atom.xml, tag/<slug>/atom.xml
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

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "export.h"
#include "file.h"
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
#define EXPORT_READ_MAX		(1024u * 1024 * 1024)	/* a tar of the export */

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
	int			 err;
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
	size_t at = 0;
	ssize_t n;
	int fd;

	if (snprintf(tmp, sizeof(tmp), "%s%s", path, EXPORT_TMP_SUFFIX) >=
	    (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		return -1;
	while (at < len) {
		n = write(fd, data + at, len - at);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		at += (size_t)n;
	}
	if (at < len || fchmod(fd, 0644) == -1 || close(fd) == -1) {
		if (at < len)
			close(fd);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) == -1) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* Writes OUT/rel unless it already holds data; records it in the list. */
static int
export_put(struct export *ex, const char *rel, const char *data, size_t len)
{
	char path[EXPORT_PATH_MAX], *slash;
	struct export_file *f, *nf;
	size_t cap;

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
	if (ex->nfiles == ex->capfiles) {
		cap = ex->capfiles ? ex->capfiles * 2 : 256;
		if ((nf = realloc(ex->files, cap * sizeof(*nf))) == NULL)
			return -1;
		ex->files = nf;
		ex->capfiles = cap;
	}
	f = &ex->files[ex->nfiles];
	if ((f->path = strdup(rel)) == NULL)
		return -1;
	export_sha256(data, len, f->sha);
	ex->nfiles++;
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

static int
export_doc(struct export *ex, enum proto proto, enum route_kind kind,
    const struct post *p, const struct tag *t, unsigned page,
    enum export_form form, const char *fmt, const char *arg, unsigned n)
{
	struct route r;
	struct buf b;
	char rel[EXPORT_PATH_MAX];
	int ret = -1, len;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.post = p;
	r.tag = t;
	r.page = page;
	len = snprintf(rel, sizeof(rel), fmt, arg, n);
	if (len < 0 || (size_t)len >= sizeof(rel))
		return -1;
	buf_init(&b);
	if (page_render(ex->sn, proto, &r, NULL, &b) == -1 || b.err) {
		fprintf(stderr, "export: %s: cannot render\n", rel);
		goto done;
	}
	if (form == EXPORT_GOPHERMAP)
		export_gophermap(&b);
	else if (form == EXPORT_GOPHER_TEXT)
		export_gopher_text(&b);
	ret = export_put(ex, rel, b.data ? b.data : "", b.len);
done:
	buf_free(&b);
	export_progress(ex);
	return ret;
}

/*
 * A post whose slug is a name the layout uses for a menu would overwrite
 * it; such a post is left out of that mirror, loudly.
 */
static int
export_slug_clash(const struct post *p, const char *reserved,
    const char *proto)
{
	if (strcmp(p->slug, reserved) != 0)
		return 0;
	fprintf(stderr, "export: %s: the slug \"%s\" is the %s mirror's menu "
	    "file; post left out there\n", p->path, p->slug, proto);
	return 1;
}

/* Pages 2.. of /posts/ and /tags/, under posts/page/ and tags/page/. */
static int
export_lists(struct export *ex, enum proto proto, enum export_form form,
    const char *file)
{
	const char *dir = proto == PROTO_GEMINI ? "gemini" : "gopher";
	char fmt[64];
	unsigned pg;

	snprintf(fmt, sizeof(fmt), "%s/posts/page/%%s%%u/%s", dir, file);
	for (pg = 2; pg <= router_posts_pages(ex->st); pg++)
		if (export_doc(ex, proto, ROUTE_POSTS, NULL, NULL, pg, form,
		    fmt, "", pg) == -1)
			return -1;
	snprintf(fmt, sizeof(fmt), "%s/tags/page/%%s%%u/%s", dir, file);
	for (pg = 2; pg <= router_tags_pages(ex->st); pg++)
		if (export_doc(ex, proto, ROUTE_TAGS, NULL, NULL, pg, form,
		    fmt, "", pg) == -1)
			return -1;
	return 0;
}

static int
export_gemini(struct export *ex)
{
	const struct store *st = ex->st;
	const struct tag *t;
	size_t i;
	unsigned pg;

	if (export_doc(ex, PROTO_GEMINI, ROUTE_HOME, NULL, NULL, 1,
	    EXPORT_AS_IS, "gemini/index.gmi%s", "", 0) == -1 ||
	    export_doc(ex, PROTO_GEMINI, ROUTE_TAGS, NULL, NULL, 1,
	    EXPORT_AS_IS, "gemini/tags/index.gmi%s", "", 0) == -1 ||
	    export_doc(ex, PROTO_GEMINI, ROUTE_POSTS, NULL, NULL, 1,
	    EXPORT_AS_IS, "gemini/posts/index.gmi%s", "", 0) == -1 ||
	    export_doc(ex, PROTO_GEMINI, ROUTE_ROBOTS, NULL, NULL, 1,
	    EXPORT_AS_IS, "gemini/robots.txt%s", "", 0) == -1 ||
	    export_doc(ex, PROTO_GEMINI, ROUTE_ATOM, NULL, NULL, 1,
	    EXPORT_AS_IS, "gemini/atom.xml%s", "", 0) == -1)
		return -1;
	for (i = 0; i < st->nposts; i++) {
		if (export_slug_clash(st->posts[i], "index", "Gemini"))
			continue;
		if (export_doc(ex, PROTO_GEMINI, ROUTE_POST, st->posts[i],
		    NULL, 1, EXPORT_AS_IS, "gemini/posts/%s.gmi",
		    st->posts[i]->slug, 0) == -1)
			return -1;
	}
	for (i = 0; i < st->ntags; i++) {
		t = st->tags[i];
		if (export_doc(ex, PROTO_GEMINI, ROUTE_TAG, NULL, t, 1,
		    EXPORT_AS_IS, "gemini/tag/%s/index.gmi", t->slug, 0) ==
		    -1 ||
		    export_doc(ex, PROTO_GEMINI, ROUTE_TAG_ATOM, NULL, t, 1,
		    EXPORT_AS_IS, "gemini/tag/%s/atom.xml", t->slug, 0) == -1)
			return -1;
		for (pg = 2; pg <= router_tag_pages(t); pg++)
			if (export_doc(ex, PROTO_GEMINI, ROUTE_TAG, NULL, t, pg,
			    EXPORT_AS_IS, "gemini/tag/%s/page/%u/index.gmi",
			    t->slug, pg) == -1)
				return -1;
	}
	return export_lists(ex, PROTO_GEMINI, EXPORT_AS_IS, "index.gmi");
}

static int
export_gopher(struct export *ex)
{
	const struct store *st = ex->st;
	const struct tag *t;
	size_t i;
	unsigned pg;

	if (export_doc(ex, PROTO_GOPHER, ROUTE_HOME, NULL, NULL, 1,
	    EXPORT_GOPHERMAP, "gopher/gophermap%s", "", 0) == -1 ||
	    export_doc(ex, PROTO_GOPHER, ROUTE_TAGS, NULL, NULL, 1,
	    EXPORT_GOPHERMAP, "gopher/tags/gophermap%s", "", 0) == -1 ||
	    export_doc(ex, PROTO_GOPHER, ROUTE_POSTS, NULL, NULL, 1,
	    EXPORT_GOPHERMAP, "gopher/posts/gophermap%s", "", 0) == -1 ||
	    export_doc(ex, PROTO_GOPHER, ROUTE_ATOM, NULL, NULL, 1,
	    EXPORT_AS_IS, "gopher/atom.xml%s", "", 0) == -1)
		return -1;
	for (i = 0; i < st->nposts; i++) {
		if (export_slug_clash(st->posts[i], "gophermap", "Gopher") ||
		    (router_posts_pages(st) > 1 &&
		    export_slug_clash(st->posts[i], "page", "Gopher")))
			continue;
		if (export_doc(ex, PROTO_GOPHER, ROUTE_POST, st->posts[i],
		    NULL, 1, EXPORT_GOPHER_TEXT, "gopher/posts/%s",
		    st->posts[i]->slug, 0) == -1)
			return -1;
	}
	for (i = 0; i < st->ntags; i++) {
		t = st->tags[i];
		if (export_doc(ex, PROTO_GOPHER, ROUTE_TAG, NULL, t, 1,
		    EXPORT_GOPHERMAP, "gopher/tag/%s/gophermap", t->slug, 0) ==
		    -1 ||
		    export_doc(ex, PROTO_GOPHER, ROUTE_TAG_ATOM, NULL, t, 1,
		    EXPORT_AS_IS, "gopher/tag/%s/atom.xml", t->slug, 0) == -1)
			return -1;
		for (pg = 2; pg <= router_tag_pages(t); pg++)
			if (export_doc(ex, PROTO_GOPHER, ROUTE_TAG, NULL, t, pg,
			    EXPORT_GOPHERMAP, "gopher/tag/%s/page/%u/gophermap",
			    t->slug, pg) == -1)
				return -1;
	}
	return export_lists(ex, PROTO_GOPHER, EXPORT_GOPHERMAP, "gophermap");
}

/* Documents a mirror takes beside the posts and tags, for progress. */
#define EXPORT_GEMINI_FIXED	5	/* home, tags, posts, robots, atom */
#define EXPORT_GOPHER_FIXED	4	/* the same but robots */

static size_t
export_count(const struct store *st, size_t fixed)
{
	size_t n = fixed + st->nposts + router_posts_pages(st) - 1 +
	    router_tags_pages(st) - 1, i;

	for (i = 0; i < st->ntags; i++)
		n += 1 + router_tag_pages(st->tags[i]);
	return n;
}

static int
export_cmp_file(const void *a, const void *b)
{
	return strcmp(((const struct export_file *)a)->path,
	    ((const struct export_file *)b)->path);
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
	/* Keep the old archive, and its mtime, when nothing changed. */
	if ((data = file_read(tmp, EXPORT_READ_MAX, &len, &mtime)) != NULL &&
	    export_same(file, data, len))
		unlink(tmp);
	else if (rename(tmp, file) == -1) {
		fprintf(stderr, "export: %s: %s\n", file, strerror(errno));
		unlink(tmp);
		ret = -1;
	}
	free(data);
	return ret;
}

static void
export_free(struct export *ex)
{
	size_t i;

	for (i = 0; i < ex->nfiles; i++)
		free(ex->files[i].path);
	free(ex->files);
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
	ex.total = (ex.gemini ? export_count(ex.st, EXPORT_GEMINI_FIXED) : 0) +
	    (ex.gopher ? export_count(ex.st, EXPORT_GOPHER_FIXED) : 0);
	if ((ex.gemini && export_gemini(&ex) == -1) ||
	    (ex.gopher && export_gopher(&ex) == -1)) {
		export_progress_end(&ex);
		goto done;
	}
	export_progress_end(&ex);
	qsort(ex.files, ex.nfiles, sizeof(*ex.files), export_cmp_file);
	if (export_prune(&ex) == -1 || export_manifest(&ex) == -1)
		goto done;
	if (tar != NULL && export_tar(&ex, tar) == -1)
		goto done;
	/* The MANIFEST is a file of the export too. */
	printf("export: %zu files in %s: %zu written, %zu removed\n",
	    ex.nfiles + 1, ex.out, ex.written, ex.removed);
	ret = 0;
done:
	export_free(&ex);
	snapshot_unref(ex.sn);
	return ret;
}
