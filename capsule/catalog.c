/*
 * catalog.c: the saved index of a store, laid out as the store holds it
 * so a start maps it instead of parsing it. The format is private to one
 * machine (native byte order, checked by a marker): a header of counts,
 * then arrays of fixed-size records (posts newest first, each post's tag
 * numbers and names as written, image texts, tags by name, their order
 * by slug, the slug table), one block of NUL-terminated strings the
 * records point into by offset, and a checksum of all before it. The
 * strings are used where they lie in the mapping (the page cache's
 * memory, not the heap's). Every count, offset and string is checked
 * when loaded, with the post parser's own checks, so a damaged or
 * crafted file is refused whole, never trusted.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "catalog.h"
#include "file.h"

#define CATALOG_MAGIC	"CAPSIDX7"
#define CATALOG_ORDER	0x01020304u	/* byte order and version marker */
#define CATALOG_PARTS	2		/* threads reading the posts */
#define CATALOG_SPLIT	256		/* posts worth a second thread */

/*
 * A checksum against damage (not an attacker: the cache is the user's
 * own), eight bytes at a time so 100,000 posts' index checks in a blink.
 */
static uint64_t
catalog_mix(uint64_t h, const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 31;
	}
	for (; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

uint64_t
catalog_sum(const void *data, size_t len)
{
	uint64_t h = catalog_mix(0xcbf29ce484222325ULL ^ len, data, len);

	return h ^ (h >> 29);
}

/* The same sum of a's alen bytes (a multiple of 8) followed by b's. */
static uint64_t
catalog_sum_parts(const void *a, size_t alen, const void *b, size_t blen)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ (alen + blen);

	h = catalog_mix(catalog_mix(h, a, alen), b, blen);
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


/* The file's records: sizes are multiples of 8, so each array stays aligned. */
struct catalog_head {
	char		 magic[8];
	uint32_t	 order;
	uint32_t	 dir;		/* the store's real path */
	uint64_t	 nposts;
	uint64_t	 nuses;		/* tags of all posts */
	uint64_t	 nimages;	/* image texts of all posts */
	uint64_t	 ntags;
	uint64_t	 nslots;	/* a power of two */
	uint64_t	 nstr;		/* bytes of strings */
};

struct catalog_post {
	uint64_t	 dev, ino, size, mtime_ns, ctime_ns;
	uint32_t	 slug, title, date, author;	/* string offsets */
	uint32_t	 npictures;
	uint16_t	 ntags, nimages;	/* the next in uses, images */
};

struct catalog_tag {
	uint32_t	 name, slug;
};

/* Where each array lies: offsets from the start of the file. */
struct catalog_layout {
	uint64_t	 posts, use_tag, use_name, images, tags, by_slug;
	uint64_t	 slots, str, sum, size;
};

static uint64_t
catalog_pad(uint64_t n)
{
	return (n + 7) & ~(uint64_t)7;
}

/*
 * The offsets of a header's arrays. Counts are bounded by the file size
 * first, so nothing here can overflow.
 */
static int
catalog_layout(const struct catalog_head *h, uint64_t max,
    struct catalog_layout *l)
{
	if (h->nposts > max || h->nuses > max || h->nimages > max ||
	    h->ntags > max || h->nslots > max || h->nstr > max)
		return -1;
	l->posts = sizeof(*h);
	l->use_tag = l->posts + h->nposts * sizeof(struct catalog_post);
	l->use_name = l->use_tag + catalog_pad(h->nuses * 4);
	l->images = l->use_name + catalog_pad(h->nuses * 4);
	l->tags = l->images + catalog_pad(h->nimages * 4);
	l->by_slug = l->tags + h->ntags * sizeof(struct catalog_tag);
	l->slots = l->by_slug + catalog_pad(h->ntags * 4);
	l->str = l->slots + catalog_pad(h->nslots * 4);
	l->sum = l->str + catalog_pad(h->nstr);
	l->size = l->sum + 8;
	return 0;
}

/* Writing: the strings grow in a buffer; the arrays are sized first. */
struct catalog_out {
	char	*data;
	size_t	 len, cap;
	int	 err;
};

/* s's offset in the strings, appended with its NUL. */
static uint32_t
catalog_put_str(struct catalog_out *o, const char *s)
{
	size_t n = strlen(s) + 1, ncap, at = o->len;
	char *nd;

	if (o->err || o->len + n > CATALOG_MAX_SIZE) {
		o->err = 1;
		return 0;
	}
	if (o->len + n > o->cap) {
		for (ncap = o->cap ? o->cap : 65536; ncap < o->len + n;
		    ncap *= 2)
			;
		if ((nd = realloc(o->data, ncap)) == NULL) {
			o->err = 1;
			return 0;
		}
		o->data = nd;
		o->cap = ncap;
	}
	memcpy(o->data + o->len, s, n);
	o->len += n;
	return (uint32_t)at;
}

/* The arrays of st, into fixed (laid out by l) and str; 0 or -1. */
static int
catalog_fill(const struct store *st, const char *dir, char *fixed,
    const struct catalog_layout *l, struct catalog_out *str)
{
	struct catalog_head *h = (struct catalog_head *)fixed;
	struct catalog_post *r = (struct catalog_post *)(fixed + l->posts);
	struct catalog_tag *ct = (struct catalog_tag *)(fixed + l->tags);
	uint32_t *use_tag = (uint32_t *)(fixed + l->use_tag);
	uint32_t *use_name = (uint32_t *)(fixed + l->use_name);
	uint32_t *images = (uint32_t *)(fixed + l->images);
	uint32_t *by_slug = (uint32_t *)(fixed + l->by_slug);
	uint32_t date = 0, author = 0;
	const struct post *p, *last = NULL;
	const struct tag *t;
	size_t i, j, u = 0, m = 0;

	(void)catalog_put_str(str, "");		/* offset 0: "" */
	h->dir = catalog_put_str(str, dir);
	for (i = 0; i < st->ntags; i++) {
		/* Tags are numbered by their place (store_build_tags()). */
		if (st->tags[i]->index != i)
			return -1;
		ct[i].name = catalog_put_str(str, st->tags[i]->name);
		ct[i].slug = catalog_put_str(str, st->tags[i]->slug);
	}
	for (i = 0; i < st->ntags; i++)
		by_slug[i] = (uint32_t)st->tags_by_slug[i]->index;
	for (i = 0; i < st->nposts; i++, r++) {
		p = st->posts[i];
		/* A stale post's last good version is not what its file says. */
		r->dev = p->stale ? 0 : p->id.dev;
		r->ino = p->id.ino;
		r->size = (uint64_t)p->id.size;
		r->mtime_ns = (uint64_t)p->id.mtime_ns;
		r->ctime_ns = (uint64_t)p->id.ctime_ns;
		r->slug = catalog_put_str(str, p->slug);
		r->title = catalog_put_str(str, p->title);
		/* Newest first: a day's posts share their date's string. */
		if (last == NULL || strcmp(last->date, p->date) != 0)
			date = catalog_put_str(str, p->date);
		if (last == NULL || strcmp(last->author, p->author) != 0)
			author = catalog_put_str(str, p->author);
		r->date = date;
		r->author = author;
		r->npictures = p->npictures > UINT32_MAX ? UINT32_MAX :
		    (uint32_t)p->npictures;
		r->ntags = (uint16_t)p->ntags;
		r->nimages = (uint16_t)p->nimages;
		for (j = 0; j < p->ntags; j++, u++) {
			if ((t = p->tagp[j]) == NULL || t->index >= st->ntags ||
			    st->tags[t->index] != t)
				return -1;
			use_tag[u] = (uint32_t)t->index;
			/* As written; mostly as the tag itself is. */
			use_name[u] = strcmp(p->tags[j], t->name) == 0 ?
			    ct[t->index].name : catalog_put_str(str,
			    p->tags[j]);
		}
		for (j = 0; j < p->nimages; j++)
			images[m++] = catalog_put_str(str, p->images[j]);
		last = p;
	}
	return str->err ? -1 : 0;
}

int
catalog_save(const struct store *st, const char *path)
{
	struct catalog_head h;
	struct catalog_layout l;
	struct catalog_out str;
	char tmp[PATH_MAX + 16], *slash, dir[PATH_MAX], *fixed = NULL;
	uint64_t sum;
	size_t i, nslots = 16;
	FILE *f;
	int fd, saved, rc = -1;

	if (realpath(st->dir, dir) == NULL)
		return -1;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, CATALOG_MAGIC, 8);
	h.order = CATALOG_ORDER;
	h.nposts = st->nposts;
	h.ntags = st->ntags;
	for (i = 0; i < st->nposts; i++) {
		/* No post holds more than the parser keeps; tags linked. */
		if (st->posts[i]->ntags > POST_MAX_TAGS ||
		    st->posts[i]->nimages > POST_MAX_IMAGES ||
		    (st->posts[i]->ntags > 0 && st->posts[i]->tagp == NULL)) {
			errno = EINVAL;
			return -1;
		}
		h.nuses += st->posts[i]->ntags;
		h.nimages += st->posts[i]->nimages;
	}
	while (nslots < 2 * st->nposts + 1)
		nslots *= 2;
	h.nslots = nslots;
	memset(&str, 0, sizeof(str));
	errno = ENOMEM;
	if (catalog_layout(&h, SIZE_MAX / 64, &l) == -1 ||
	    (fixed = calloc(1, l.str)) == NULL)
		goto out;
	memcpy(fixed, &h, sizeof(h));
	store_post_slots(st, (uint32_t *)(fixed + l.slots), nslots);
	if (catalog_fill(st, dir, fixed, &l, &str) == -1)
		goto out;
	((struct catalog_head *)fixed)->nstr = str.len;
	memcpy(&h, fixed, sizeof(h));
	if (catalog_layout(&h, SIZE_MAX / 64, &l) == -1 ||
	    l.size > CATALOG_MAX_SIZE)
		goto out;
	/* The strings' padding, then the checksum of all before it. */
	for (i = str.len; i < l.sum - l.str; i++)
		(void)catalog_put_str(&str, "");
	if (str.err)
		goto out;
	sum = catalog_sum_parts(fixed, l.str, str.data, str.len);
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
		goto out;
	}
	i = fwrite(fixed, 1, l.str, f) == l.str &&
	    fwrite(str.data, 1, str.len, f) == str.len &&
	    fwrite(&sum, 1, sizeof(sum), f) == sizeof(sum);
	if (fclose(f) == EOF || !i || rename(tmp, path) == -1) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		goto out;
	}
	rc = 0;
out:
	saved = errno;
	free(fixed);
	free(str.data);
	errno = saved;
	return rc;
}

/* Reading: the mapped file, and where its arrays lie. */
struct catalog_in {
	const char			*map;
	const struct catalog_head	*h;
	struct catalog_layout		 l;
};

/* A string of the file; they end with a NUL, so any offset in them is one. */
static const char *
catalog_str(const struct catalog_in *in, uint32_t off)
{
	return off < in->h->nstr ? in->map + in->l.str + off : NULL;
}

/* A tag's slug as store_tag_slug() makes them: [a-z0-9-], bounded. */
static int
catalog_valid_slug(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (i > 2 * POST_MAX_TAG || !((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return 0;
	return i > 0;
}

/*
 * The tags, by name and by slug: each name as the parser keeps a tag,
 * in store_build_tags()'s order with no two alike, the slugs unique.
 */
static int
catalog_read_tags(const struct catalog_in *in, struct store *st)
{
	const struct catalog_tag *ct = (const void *)(in->map + in->l.tags);
	const uint32_t *by_slug = (const void *)(in->map + in->l.by_slug);
	size_t i, n = in->h->ntags;
	struct tag *tags;
	unsigned char *seen;
	int rc = -1;

	if ((tags = arena_alloc(&st->arena, (n + 1) * sizeof(*tags))) ==
	    NULL || (st->tags = arena_alloc(&st->arena, (n + 1) *
	    sizeof(*st->tags))) == NULL || (st->tags_by_slug =
	    arena_alloc(&st->arena, (n + 1) * sizeof(*st->tags))) == NULL ||
	    (seen = calloc(n + 1, 1)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		memset(&tags[i], 0, sizeof(tags[i]));
		tags[i].name = catalog_str(in, ct[i].name);
		tags[i].slug = catalog_str(in, ct[i].slug);
		tags[i].index = i;
		if (tags[i].name == NULL || tags[i].slug == NULL ||
		    !post_valid_tag(tags[i].name) ||
		    !catalog_valid_slug(tags[i].slug) ||
		    (i > 0 && strcasecmp(tags[i - 1].name, tags[i].name) >= 0))
			goto out;
		st->tags[i] = &tags[i];
	}
	for (i = 0; i < n; i++) {
		if (by_slug[i] >= n || seen[by_slug[i]]++ || (i > 0 &&
		    strcmp(st->tags_by_slug[i - 1]->slug,
		    tags[by_slug[i]].slug) >= 0))
			goto out;
		st->tags_by_slug[i] = &tags[by_slug[i]];
	}
	st->ntags = n;
	rc = 0;
out:
	free(seen);
	return rc;
}

/* The posts [first, end) of the store, read by one thread. */
struct catalog_part {
	const struct catalog_in	*in;
	struct store		*st;
	struct post		*all;
	const char		**names, **images;
	struct tag		**tagp;
	size_t			 first, end;
	size_t			 u, m;		/* their first tag and image */
	size_t			 uend, mend;	/* where the next part's start */
	uint32_t		*counts;	/* posts per tag */
	pthread_t		 thread;
	int			 bad;
};

/*
 * One post's record into p, its tags and images into the part's next
 * places of names, tagp and images (u and m, moved on, not past its
 * end), counting its tags' posts. Every field as the
 * post parser would have left it (post.c's checks): a title with a line
 * break would write lines of its own into every list it is in.
 */
static int
catalog_read_post(struct catalog_part *pt, const struct catalog_post *r,
    struct post *p)
{
	const struct catalog_in *in = pt->in;
	const struct store *st = pt->st;
	const uint32_t *use_tag = (const void *)(in->map + in->l.use_tag);
	const uint32_t *use_name = (const void *)(in->map + in->l.use_name);
	const uint32_t *img = (const void *)(in->map + in->l.images);
	const struct catalog_tag *ct = (const void *)(in->map + in->l.tags);
	const char **names = pt->names, **images = pt->images;
	struct tag **tagp = pt->tagp;
	size_t j, k, *u = &pt->u, *m = &pt->m;
	uint32_t t;

	memset(p, 0, sizeof(*p));
	p->slug = catalog_str(in, r->slug);
	p->title = catalog_str(in, r->title);
	p->date = catalog_str(in, r->date);
	p->author = catalog_str(in, r->author);
	if (p->slug == NULL || p->title == NULL || p->date == NULL ||
	    p->author == NULL || r->size > POST_MAX_SIZE ||
	    r->npictures > POST_MAX_SIZE || r->ntags > POST_MAX_TAGS ||
	    r->nimages > POST_MAX_IMAGES || r->ntags > pt->uend - *u ||
	    r->nimages > pt->mend - *m ||
	    !post_valid_slug(p->slug) || !post_valid_date(p->date) ||
	    !post_valid_value(p->title, 0) || !post_valid_value(p->author, 1))
		return -1;
	p->id.dev = r->dev;
	p->id.ino = r->ino;
	p->id.size = (long long)r->size;
	p->id.mtime_ns = (long long)r->mtime_ns;
	p->id.ctime_ns = (long long)r->ctime_ns;
	p->npictures = r->npictures;
	p->ntags = r->ntags;
	p->tags = names + *u;
	p->tagp = tagp + *u;
	for (j = 0; j < p->ntags; j++) {
		t = use_tag[*u + j];
		/* One tag once: the parser drops repeats. */
		if (t >= st->ntags)
			return -1;
		for (k = 0; k < j; k++)
			if (p->tagp[k] == st->tags[t])
				return -1;
		p->tagp[j] = st->tags[t];
		if (use_name[*u + j] == ct[t].name)
			p->tags[j] = st->tags[t]->name;
		else if ((p->tags[j] = catalog_str(in, use_name[*u + j])) ==
		    NULL || !post_valid_tag(p->tags[j]))
			return -1;
		pt->counts[t]++;
	}
	*u += p->ntags;
	p->nimages = r->nimages;
	p->images = images + *m;
	for (j = 0; j < p->nimages; j++)
		if ((images[*m + j] = catalog_str(in, img[*m + j])) == NULL ||
		    !post_valid_value(images[*m + j], 0))
			return -1;
	*m += p->nimages;
	return 0;
}

/* Newest first, a day's posts by slug (store_update()'s order), no two alike. */
static int
catalog_in_order(const struct post *a, const struct post *b)
{
	int c = strcmp(a->date, b->date);

	return c > 0 || (c == 0 && strcmp(a->slug, b->slug) < 0);
}

static void *
catalog_read_part(void *arg)
{
	struct catalog_part *pt = arg;
	const struct catalog_post *r = (const void *)(pt->in->map +
	    pt->in->l.posts);
	size_t i;

	for (i = pt->first; i < pt->end; i++) {
		if (catalog_read_post(pt, &r[i], &pt->all[i]) == -1 ||
		    (i > pt->first &&
		    !catalog_in_order(&pt->all[i - 1], &pt->all[i]))) {
			pt->bad = 1;
			break;
		}
		pt->all[i].index = (uint32_t)i;
		pt->st->posts[i] = &pt->all[i];
	}
	if (pt->u != pt->uend || pt->m != pt->mend)
		pt->bad = 1;
	return NULL;
}

/*
 * The posts, then each tag's list of them. A large store's posts are
 * read in two halves on two threads: filling a million posts' memory
 * is most of a start's time, and a start is when the cores are idle.
 */
static int
catalog_read_posts(const struct catalog_in *in, struct store *st)
{
	const struct catalog_post *r = (const void *)(in->map + in->l.posts);
	size_t i, j, n = in->h->nposts, off = 0, nparts, half;
	struct catalog_part parts[CATALOG_PARTS];
	struct post *all, **lists;
	struct tag **tagp, *t;
	const char **names, **images;
	uint32_t *counts;
	int rc = -1, threaded;

	nparts = n >= CATALOG_SPLIT ? CATALOG_PARTS : 1;
	if ((all = arena_alloc(&st->arena, (n + 1) * sizeof(*all))) == NULL ||
	    (st->posts = arena_alloc(&st->arena, (n + 1) *
	    sizeof(*st->posts))) == NULL ||
	    (names = arena_alloc(&st->arena, (in->h->nuses + 1) *
	    sizeof(*names))) == NULL ||
	    (tagp = arena_alloc(&st->arena, (in->h->nuses + 1) *
	    sizeof(*tagp))) == NULL ||
	    (lists = arena_alloc(&st->arena, (in->h->nuses + 1) *
	    sizeof(*lists))) == NULL ||
	    (images = arena_alloc(&st->arena, (in->h->nimages + 1) *
	    sizeof(*images))) == NULL ||
	    (counts = calloc(nparts * (st->ntags + 1), sizeof(*counts))) ==
	    NULL)
		return -1;
	memset(parts, 0, sizeof(parts));
	for (i = 0; i < nparts; i++) {
		parts[i].in = in;
		parts[i].st = st;
		parts[i].all = all;
		parts[i].names = names;
		parts[i].images = images;
		parts[i].tagp = tagp;
		parts[i].counts = counts + i * (st->ntags + 1);
	}
	/* Where the second half's tags and images start: counted, bounded. */
	half = nparts > 1 ? n / 2 : n;
	parts[0].end = half;
	for (i = 0; i < half; i++) {
		parts[0].uend += r[i].ntags;
		parts[0].mend += r[i].nimages;
	}
	if (nparts > 1) {
		parts[1].first = half;
		parts[1].end = n;
		parts[1].u = parts[0].uend;
		parts[1].m = parts[0].mend;
		parts[1].uend = in->h->nuses;
		parts[1].mend = in->h->nimages;
		if (parts[1].u > in->h->nuses || parts[1].m > in->h->nimages)
			goto out;
	} else {
		parts[0].uend = in->h->nuses;
		parts[0].mend = in->h->nimages;
	}
	/* Without a second thread, this one reads both halves in turn. */
	threaded = nparts > 1 && pthread_create(&parts[1].thread, NULL,
	    catalog_read_part, &parts[1]) == 0;
	if (nparts > 1 && !threaded)
		catalog_read_part(&parts[1]);
	catalog_read_part(&parts[0]);
	if (threaded)
		pthread_join(parts[1].thread, NULL);
	for (i = 0; i < nparts; i++)
		if (parts[i].bad)
			goto out;
	if (nparts > 1 && !catalog_in_order(&all[half - 1], &all[half]))
		goto out;
	st->nposts = n;
	/* Each tag's posts, newest first as the posts are; none is empty. */
	for (i = 0; i < st->ntags; i++) {
		t = st->tags[i];
		for (j = 0, t->nposts = 0; j < nparts; j++)
			t->nposts += parts[j].counts[i];
		if (t->nposts == 0)
			goto out;
		t->posts = lists + off;
		off += t->nposts;
		t->nposts = 0;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < all[i].ntags; j++) {
			t = all[i].tagp[j];
			t->posts[t->nposts++] = &all[i];
		}
	rc = 0;
out:
	free(counts);
	return rc;
}

/*
 * The slug table: a power of two of slots, each post's number in one of
 * them and one only, so a lookup always meets an empty slot and a post
 * it finds is one of the store's (its slug compared, so a misplaced
 * number only misses).
 */
static int
catalog_read_slots(const struct catalog_in *in, struct store *st)
{
	const uint32_t *slots = (const void *)(in->map + in->l.slots);
	size_t i, n = in->h->nslots, found = 0;
	unsigned char *seen;
	int rc = -1;

	if (n < 16 || (n & (n - 1)) != 0 || n <= st->nposts ||
	    (seen = calloc(st->nposts / 8 + 1, 1)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (slots[i] == 0)
			continue;
		if (slots[i] > st->nposts ||
		    (seen[(slots[i] - 1) / 8] & (1u << ((slots[i] - 1) % 8))))
			goto out;
		seen[(slots[i] - 1) / 8] |= 1u << ((slots[i] - 1) % 8);
		found++;
	}
	if (found != st->nposts)
		goto out;
	st->slots = slots;
	st->slot_mask = n - 1;
	rc = 0;
out:
	free(seen);
	return rc;
}

struct store *
catalog_load(const char *path, const char *dir, const char **why)
{
	struct catalog_head h;
	struct catalog_in in;
	struct store *st = NULL;
	struct stat sb = { 0 };
	char real[PATH_MAX];
	const char *sdir;
	void *map;
	size_t size;
	uint64_t sum;
	int fd;

	*why = "the store cannot be read";
	if (realpath(dir, real) == NULL)
		return NULL;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		*why = errno == ENOENT ? "none saved yet" : file_strerror(errno);
		return NULL;
	}
	*why = "damaged (cut short)";
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size < (off_t)(sizeof(h) + sizeof(sum)) ||
	    sb.st_size > (off_t)CATALOG_MAX_SIZE) {
		if (S_ISREG(sb.st_mode) && sb.st_size > (off_t)CATALOG_MAX_SIZE)
			*why = file_strerror(EFBIG);
		close(fd);
		return NULL;
	}
	size = (size_t)sb.st_size;
	/* Read ahead at once: the whole file is checked below. */
	map = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	*why = "out of memory";
	if (map == MAP_FAILED)
		return NULL;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		munmap(map, size);
		return NULL;
	}
	arena_init(&st->arena);
	if (store_pool_new(st) == -1) {
		munmap(map, size);
		goto bad;
	}
	/* The strings stay where they lie: the mapping is the pool's. */
	st->pool->map = map;
	st->pool->maplen = size;
	*why = "damaged (checksum)";
	memcpy(&sum, (char *)map + size - sizeof(sum), sizeof(sum));
	if (catalog_sum(map, size - sizeof(sum)) != sum)
		goto bad;
	memcpy(&h, map, sizeof(h));
	*why = "not an index of this version";
	if (memcmp(h.magic, CATALOG_MAGIC, 8) != 0 || h.order != CATALOG_ORDER)
		goto bad;
	in.map = map;
	in.h = (const struct catalog_head *)map;
	*why = "damaged (records)";
	if (catalog_layout(&h, size, &in.l) == -1 || in.l.size != size ||
	    h.nstr == 0 || in.map[in.l.str + h.nstr - 1] != '\0')
		goto bad;
	*why = "an index of another store";
	if ((sdir = catalog_str(&in, h.dir)) == NULL || strcmp(sdir, real) != 0 ||
	    (st->dir = arena_strdup(&st->arena, dir)) == NULL)
		goto bad;
	*why = "damaged (records)";
	if (catalog_read_tags(&in, st) == -1 ||
	    catalog_read_posts(&in, st) == -1 ||
	    catalog_read_slots(&in, st) == -1 || store_index_saved(st) == -1)
		goto bad;
	/*
	 * Checked: the pages go back to the page cache, and come again as
	 * pages are rendered, rather than stay the server's own.
	 */
	(void)madvise(map, size, MADV_DONTNEED);
	*why = NULL;
	return st;
bad:
	store_free(st);
	return NULL;
}
