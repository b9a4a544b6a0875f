/*
 * catalog.c: the saved index of a store. The format is private to one
 * machine (native byte order, checked by a marker): a header, one record
 * per post, and an FNV-1a checksum of everything before it. Every field
 * read back is bounds-checked and validated with the post parser's own
 * checks, so a damaged or crafted file is refused whole, never trusted.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog.h"
#include "file.h"
#include "utf8.h"

#define CATALOG_MAGIC	"CAPSIDX6"
#define CATALOG_ORDER	0x01020304u	/* byte order and version marker */

/*
 * A checksum against damage (not an attacker: the cache is the user's
 * own), eight bytes at a time so 100,000 posts' index checks in a blink.
 */
uint64_t
catalog_sum(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL ^ len, w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 31;
	}
	for (; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h ^ (h >> 29);
}

void
catalog_default_dir(char *out, size_t outsz)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	const char *own = getenv("CAPSULE_CACHE_DIR");

	if (own != NULL && own[0] == '/')
		snprintf(out, outsz, "%s", own);
	else if (xdg != NULL && xdg[0] == '/')
		snprintf(out, outsz, "%s/capsule", xdg);
	else if (home != NULL && home[0] == '/')
		snprintf(out, outsz, "%s/.cache/capsule", home);
	else if (outsz > 0)
		out[0] = '\0';
}

int
catalog_path(const char *cache_dir, const char *dir, char *out, size_t outsz)
{
	char real[PATH_MAX];
	uint64_t h;

	if (cache_dir == NULL || cache_dir[0] == '\0' ||
	    realpath(dir, real) == NULL)
		return -1;
	/* One file per store: several capsules may share a cache. */
	h = catalog_sum(real, strlen(real));
	if (snprintf(out, outsz, "%s/index-%016llx", cache_dir,
	    (unsigned long long)h) >= (int)outsz)
		return -1;
	return 0;
}

/* Writing: a growing buffer. */
struct catalog_out {
	char	*data;
	size_t	 len, cap;
	int	 err;
};

static void
catalog_put(struct catalog_out *o, const void *p, size_t n)
{
	char *nd;
	size_t ncap;

	if (o->err)
		return;
	if (o->len + n > o->cap) {
		for (ncap = o->cap ? o->cap : 65536; ncap < o->len + n;
		    ncap *= 2)
			;
		if ((nd = realloc(o->data, ncap)) == NULL) {
			o->err = 1;
			return;
		}
		o->data = nd;
		o->cap = ncap;
	}
	memcpy(o->data + o->len, p, n);
	o->len += n;
}

static void
catalog_put_u64(struct catalog_out *o, uint64_t v)
{
	catalog_put(o, &v, sizeof(v));
}

static void
catalog_put_str(struct catalog_out *o, const char *s)
{
	uint32_t n = (uint32_t)strlen(s);

	catalog_put(o, &n, sizeof(n));
	/* With its NUL: read back, strings are used where they lie. */
	catalog_put(o, s, n + 1);
}

int
catalog_save(const struct store *st, const char *path)
{
	struct catalog_out o;
	const struct post *p;
	char tmp[PATH_MAX + 16], *slash, dir[PATH_MAX];
	uint32_t order = CATALOG_ORDER, n;
	uint64_t sum;
	size_t i, j, off;
	ssize_t w;
	FILE *f;
	int fd, saved;

	if (realpath(st->dir, dir) == NULL)
		return -1;
	memset(&o, 0, sizeof(o));
	catalog_put(&o, CATALOG_MAGIC, 8);
	catalog_put(&o, &order, sizeof(order));
	catalog_put_str(&o, dir);
	catalog_put_u64(&o, st->nposts);
	for (i = 0; i < st->nposts; i++) {
		p = st->posts[i];
		/* A stale post's last good version is not what its file says. */
		catalog_put_u64(&o, p->stale ? 0 : p->id.dev);
		catalog_put_u64(&o, p->id.ino);
		catalog_put_u64(&o, (uint64_t)p->id.size);
		catalog_put_u64(&o, (uint64_t)p->id.mtime_ns);
		catalog_put_u64(&o, (uint64_t)p->id.ctime_ns);
		catalog_put_str(&o, p->slug);
		catalog_put_str(&o, p->title);
		catalog_put_str(&o, p->date);
		catalog_put_str(&o, p->author);
		n = (uint32_t)p->ntags;
		catalog_put(&o, &n, sizeof(n));
		for (j = 0; j < p->ntags; j++)
			catalog_put_str(&o, p->tags[j]);
		n = (uint32_t)p->nimages;
		catalog_put(&o, &n, sizeof(n));
		for (j = 0; j < p->nimages; j++)
			catalog_put_str(&o, p->images[j]);
		catalog_put_u64(&o, p->npictures);
	}
	sum = catalog_sum(o.data, o.len);
	catalog_put_u64(&o, sum);
	if (o.err) {
		free(o.data);
		errno = ENOMEM;
		return -1;
	}
	/* The cache directory is made on first use, private to the user. */
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) != NULL && slash > dir) {
		*slash = '\0';
		(void)file_mkdirs(dir);
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	/* Private: it lists the store's posts, drafts' titles included. */
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) ==
	    -1 || (f = fdopen(fd, "wb")) == NULL) {
		if (fd != -1) {
			close(fd);
			unlink(tmp);
		}
		free(o.data);
		return -1;
	}
	for (off = 0; off < o.len; off += (size_t)w)
		if ((w = (ssize_t)fwrite(o.data + off, 1, o.len - off, f)) <= 0)
			break;
	free(o.data);
	if (off < o.len || fclose(f) == EOF || rename(tmp, path) == -1) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

/* Reading: a cursor that refuses to run past the end. */
struct catalog_in {
	const char	*p, *end;
	int		 bad;
};

static int
catalog_get(struct catalog_in *in, void *v, size_t n)
{
	if (in->bad || (size_t)(in->end - in->p) < n) {
		in->bad = 1;
		return -1;
	}
	memcpy(v, in->p, n);
	in->p += n;
	return 0;
}

static uint64_t
catalog_get_u64(struct catalog_in *in)
{
	uint64_t v = 0;

	catalog_get(in, &v, sizeof(v));
	return v;
}

/* A string as the parser would have kept it: bounded, UTF-8, no NUL. */
static const char *
catalog_get_str(struct catalog_in *in, struct arena *a, size_t max)
{
	uint32_t n;
	const char *s;

	(void)a;
	if (catalog_get(in, &n, sizeof(n)) == -1 || n > max ||
	    (size_t)(in->end - in->p) <= n || in->p[n] != '\0' ||
	    strlen(in->p) != n || !utf8_valid(in->p, n)) {
		in->bad = 1;
		return NULL;
	}
	s = in->p;
	in->p += n + 1;
	return s;
}

static int
catalog_read_post(struct catalog_in *in, struct store *st, struct post *p)
{
	struct arena *a = &st->arena;
	uint32_t n;
	size_t j;

	memset(p, 0, sizeof(*p));
	p->id.dev = catalog_get_u64(in);
	p->id.ino = catalog_get_u64(in);
	p->id.size = (long long)catalog_get_u64(in);
	p->id.mtime_ns = (long long)catalog_get_u64(in);
	p->id.ctime_ns = (long long)catalog_get_u64(in);
	p->slug = catalog_get_str(in, a, POST_MAX_HEADER);
	p->title = catalog_get_str(in, a, POST_MAX_HEADER);
	p->date = catalog_get_str(in, a, 10);
	p->author = catalog_get_str(in, a, POST_MAX_HEADER);
	/*
	 * Every field as the post parser would have left it (post.c's
	 * checks): a title with a line break would write lines of its own
	 * into every list it is in.
	 */
	if (in->bad || p->id.size < 0 || p->id.size > POST_MAX_SIZE ||
	    !post_valid_slug(p->slug) || !post_valid_date(p->date) ||
	    !post_valid_value(p->title, 0) || !post_valid_value(p->author, 1) ||
	    catalog_get(in, &n, sizeof(n)) == -1 || n > POST_MAX_TAGS)
		return -1;
	p->ntags = n;
	p->tags = arena_alloc(a, (n ? n : 1) * sizeof(*p->tags));
	p->tagp = arena_alloc(a, (n ? n : 1) * sizeof(*p->tagp));
	if (p->tags == NULL || p->tagp == NULL)
		return -1;
	for (j = 0; j < n; j++)
		if ((p->tags[j] = catalog_get_str(in, a, POST_MAX_TAG)) == NULL)
			return -1;
	if (!post_valid_tags(p->tags, n) ||
	    catalog_get(in, &n, sizeof(n)) == -1 || n > POST_MAX_IMAGES)
		return -1;
	p->nimages = n;
	if ((p->images = arena_alloc(a, (n ? n : 1) * sizeof(*p->images))) ==
	    NULL)
		return -1;
	for (j = 0; j < n; j++)
		if ((p->images[j] = catalog_get_str(in, a, POST_MAX_HEADER)) ==
		    NULL || !post_valid_value(p->images[j], 0))
			return -1;
	/* A post file holds fewer link lines than it has bytes. */
	if ((p->npictures = (size_t)catalog_get_u64(in)) > POST_MAX_SIZE ||
	    in->bad)
		return -1;
	return 0;
}

struct store *
catalog_load(const char *path, const char *dir, const char **why)
{
	struct catalog_in in;
	struct store *st = NULL;
	const char *sdir;
	char *raw, *data, real[PATH_MAX];
	size_t len, i;
	uint64_t n, sum;
	uint32_t order;

	*why = "the store cannot be read";
	if (realpath(dir, real) == NULL)
		return NULL;
	if ((raw = file_read(path, CATALOG_MAX_SIZE, &len, NULL)) == NULL) {
		*why = errno == ENOENT ? "none saved yet" : file_strerror(errno);
		return NULL;
	}
	/* The strings stay where they are read: the data joins the arena. */
	*why = "out of memory";
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		free(raw);
		return NULL;
	}
	arena_init(&st->arena);
	data = store_pool_new(st) == 0 ? arena_alloc(&st->pool->arena,
	    len + 1) : NULL;
	if (data != NULL)
		memcpy(data, raw, len);
	free(raw);
	if (data == NULL)
		goto bad;
	*why = "damaged (checksum)";
	if (len < 8 + sizeof(sum))
		goto bad;
	memcpy(&sum, data + len - sizeof(sum), sizeof(sum));
	if (catalog_sum(data, len - sizeof(sum)) != sum)
		goto bad;
	in.p = data;
	in.end = data + len - sizeof(sum);
	in.bad = 0;
	*why = "not an index of this version";
	if (memcmp(in.p, CATALOG_MAGIC, 8) != 0)
		goto bad;
	in.p += 8;
	if (catalog_get(&in, &order, sizeof(order)) == -1 ||
	    order != CATALOG_ORDER)
		goto bad;
	*why = "an index of another store";
	if ((sdir = catalog_get_str(&in, &st->arena, PATH_MAX)) == NULL ||
	    strcmp(sdir, real) != 0 ||
	    (st->dir = arena_strdup(&st->arena, dir)) == NULL)
		goto bad;
	*why = "damaged (records)";
	n = catalog_get_u64(&in);
	/* A record takes at least 56 bytes: no count past what is there. */
	if (in.bad || n > (uint64_t)(in.end - in.p) / 56)
		goto bad;
	if ((st->posts = arena_alloc(&st->arena, (n ? n : 1) *
	    sizeof(*st->posts))) == NULL)
		goto bad;
	for (i = 0; i < n; i++) {
		if ((st->posts[i] = arena_alloc(&st->arena,
		    sizeof(**st->posts))) == NULL ||
		    catalog_read_post(&in, st, st->posts[i]) == -1)
			goto bad;
		st->nposts++;
	}
	/* Two records for one slug (made by no catalog_save()) fail too. */
	if (in.p != in.end || store_index_posts(st) == -1)
		goto bad;
	*why = NULL;
	return st;
bad:
	store_free(st);
	return NULL;
}
