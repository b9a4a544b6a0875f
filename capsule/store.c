/*
 * store.c: loads the post store: every post file's header and the
 * settings. Bodies stay in the files until a page needs one. A new store
 * is built from the one before plus the files that changed. All a store
 * holds comes from its arena, so store_free() frees it whole.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "file.h"
#include "slug.h"
#include "store.h"
#include "utf8.h"

#define STORE_SLUG_MAX	160
#define STORE_FOLD_MAX	(4 * 128 + 1)	/* a tag name folded: POST_MAX_TAG */
#define STORE_PATH_MAX	2048		/* "<dir>/<name>" of a post file */
#define STORE_SCAN_THREADS 8		/* readers of a full scan, at most */
#define STORE_SCAN_CHUNK 64		/* names a reader takes at a time */
#define STORE_SCAN_LARGE 100000		/* names: readers take large blocks */
#define STORE_SCAN_BLOCK (16u * 1024 * 1024)

struct store_note {
	struct store_note	*next;
	const char		*text;
};

struct store_loader {
	struct store		*st;
	const struct store	*prev;
	int			 flags;
	store_report_cb		 report;
	void			*arg;
	int			 oom;
	int			 deep;		/* copy strings: too many pools */
	int			 dirfd;		/* the store's directory */
	atomic_size_t		 kept;		/* bytes of texts kept */
	int			 remap;		/* prev's tags are linked */
	struct arena		 spellings;	/* readers' spellings: tags to be */
	unsigned long long	 dev;		/* the directory's device */
	long long		 read_ns;	/* a full scan's start, coarse */
	struct store_note	*notes;		/* problems, newest first */
	size_t			 nnotes;
};

static void
store_report(struct store_loader *l, const char *path, int line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static uint32_t	 store_post_month(const struct post *);
static int	 store_index_months(struct store *, uint32_t *);
static uint32_t	*store_slots_new(struct store *);
static int	 store_slot_put(struct post *const *, size_t, uint32_t *,
		    size_t);
static void	 store_slot_del(struct post *const *, size_t, uint32_t *,
		    size_t);

/* FNV-1a: short keys, and no one chooses them to collide but the owner. */
static size_t
store_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return (size_t)(h ^ (h >> 29));
}

/* A table with room for n keys at most half full; 0 or -1. */
static int
store_map_init(struct arena *a, struct store_map *m, size_t n)
{
	size_t size = 16;

	while (size < 2 * n + 1)
		size *= 2;
	if ((m->e = arena_alloc(a, size * sizeof(*m->e))) == NULL)
		return -1;
	memset(m->e, 0, size * sizeof(*m->e));
	m->mask = size - 1;
	m->n = 0;
	return 0;
}

static void *
store_map_get(const struct store_map *m, const char *key)
{
	size_t i;

	if (m->mask == 0)
		return NULL;
	for (i = store_hash(key) & m->mask; m->e[i].key != NULL;
	    i = (i + 1) & m->mask)
		if (strcmp(m->e[i].key, key) == 0)
			return m->e[i].val;
	return NULL;
}

/*
 * Adds key (the caller keeps it alive) unless present; its value. A
 * table kept small stays in the CPU caches: it doubles when half full
 * (with a, else it must have been sized for every key). NULL when out
 * of memory.
 */
static void *
store_map_put(struct arena *a, struct store_map *m, const char *key,
    void *val)
{
	struct store_map bigger;
	size_t i;

	for (i = store_hash(key) & m->mask; m->e[i].key != NULL;
	    i = (i + 1) & m->mask)
		if (strcmp(m->e[i].key, key) == 0)
			return m->e[i].val;
	if (a != NULL && 2 * (m->n + 1) > m->mask + 1) {
		if (store_map_init(a, &bigger, m->mask + 1) == -1)
			return NULL;
		for (i = 0; i <= m->mask; i++)
			if (m->e[i].key != NULL)
				store_map_put(NULL, &bigger, m->e[i].key,
				    m->e[i].val);
		*m = bigger;
		for (i = store_hash(key) & m->mask; m->e[i].key != NULL;
		    i = (i + 1) & m->mask)
			;
	}
	m->e[i].key = key;
	m->e[i].val = val;
	m->n++;
	return val;
}

static int
store_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
store_had_problem(const struct store *st, const char *text)
{
	return st->nproblem_texts > 0 && bsearch(&text, st->problems,
	    st->nproblem_texts, sizeof(*st->problems), store_cmp_str) != NULL;
}

/*
 * Every problem is counted, so the reload log and `capsule check` agree;
 * one the previous store also had is not reported again.
 */
static void
store_problem(struct store_loader *l, const char *path, int line,
    const char *msg)
{
	struct store *st = l->st;
	struct store_note *n;
	char text[2048];

	st->nproblems++;
	if (line > 0)
		snprintf(text, sizeof(text), "%s:%d: %s", path, line, msg);
	else
		snprintf(text, sizeof(text), "%s: %s", path, msg);
	if ((n = arena_alloc(&st->arena, sizeof(*n))) != NULL &&
	    (n->text = arena_strdup(&st->arena, text)) != NULL) {
		n->next = l->notes;
		l->notes = n;
		l->nnotes++;
	}
	if ((l->prev == NULL || !store_had_problem(l->prev, text)) &&
	    l->report != NULL)
		l->report(l->arg, path, line, msg);
}

static void
store_report(struct store_loader *l, const char *path, int line,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	store_problem(l, path, line, msg);
}

void
store_tag_slug(const char *name, char *out, size_t outsz)
{
	char fold[STORE_FOLD_MAX];

	if (outsz == 0 || slug_make(name, out, outsz) > 0)
		return;
	if (name[0] == '\0') {
		snprintf(out, outsz, "tag");
		return;
	}
	/* Nothing to spell ("日本", "!!!"): a suffix from the name alone. */
	slug_fold(name, fold, sizeof(fold));
	snprintf(out, outsz, "tag-%06x", (unsigned)(slug_hash(fold) & 0xffffff));
}

/*
 * How plainly a tag's folded name spells its slug: 0 exactly ("mek"),
 * 1 but for spaces ("mek support"), 2 letter for letter ("café",
 * "Новости"), 3 with characters dropped ("C++", "News!"). Of two names
 * with one slug, the plainer keeps it.
 */
static int
store_tag_plainness(const char *fold, const char *slug)
{
	const char *f = fold, *s = slug;

	if (strcmp(fold, slug) == 0)
		return 0;
	while (*f != '\0' && *s != '\0') {
		if (*f == ' ' && *s == '-') {
			while (*f == ' ')
				f++;
			s++;
		} else if (*f++ != *s++)
			return slug_spelt_whole(fold) ? 2 : 3;
	}
	if (*f == '\0' && *s == '\0')
		return 1;
	return slug_spelt_whole(fold) ? 2 : 3;
}

/* Reads capsule.conf: "Key: value" lines; problems are reported, not fatal. */
static void
store_load_settings(struct store_loader *l, const char *dir)
{
	struct store *st = l->st;
	struct settings *set = &st->settings;
	char path[1024], *data, *s, *nl, *colon, *v, *e;
	size_t len;
	int line = 0;

	set->title = "capsule";
	set->description = "";
	set->lang = "en";
	set->author = "";
	snprintf(path, sizeof(path), "%s/%s", dir, STORE_SETTINGS_FILE);
	if ((data = file_read(path, 64 * 1024, &len, NULL)) == NULL) {
		if (errno != ENOENT)
			store_report(l, path, 0, "%s", file_strerror(errno));
		goto done;
	}
	if (!utf8_valid(data, len) || memchr(data, '\0', len) != NULL) {
		store_report(l, path, 0, "not valid UTF-8 text; ignored");
		free(data);
		goto done;
	}
	for (s = data; *s != '\0'; s = nl ? nl + 1 : s + strlen(s)) {
		line++;
		if ((nl = strchr(s, '\n')) != NULL)
			*nl = '\0';
		e = s + strlen(s);
		while (e > s && isspace((unsigned char)e[-1]))
			*--e = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		if ((colon = strchr(s, ':')) == NULL) {
			store_report(l, path, line, "expected \"Key: value\"");
			continue;
		}
		*colon = '\0';
		for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
			;
		if ((v = arena_strdup(&st->arena, v)) == NULL)
			break;
		if (strcasecmp(s, "Title") == 0)
			set->title = v;
		else if (strcasecmp(s, "Description") == 0)
			set->description = v;
		else if (strcasecmp(s, "Language") == 0)
			set->lang = v;
		else if (strcasecmp(s, "Author") == 0)
			set->author = v;
		else if (strcasecmp(s, "Hostname") == 0) {
			/* Checked as --hostname is: it names cert files. */
			if (set->nhostnames == STORE_MAX_HOSTNAMES ||
			    strlen(v) > STORE_HOSTNAME_MAX ||
			    config_hostname(v, v, strlen(v) + 1) == -1)
				store_report(l, path, line, "Hostname ignored: "
				    "want a host name (RFC 1123: letters, "
				    "digits, '-' and dots) or an IP address");
			else
				set->hostnames[set->nhostnames++] = v;
		} else
			store_report(l, path, line, "unknown setting \"%s\" "
			    "(known: Title, Description, Language, Author, "
			    "Hostname)", s);
	}
	free(data);
done:
	if (set->nhostnames == 0)
		set->hostnames[set->nhostnames++] = "localhost";
}


/* Newest first; the same day falls back to the slug so order is stable. */
static int
store_cmp_post(const void *a, const void *b)
{
	const struct post *pa = *(struct post *const *)a;
	const struct post *pb = *(struct post *const *)b;
	int c;

	if ((c = strcmp(pb->date, pa->date)) != 0)
		return c;
	return strcmp(pa->slug, pb->slug);
}

static int
store_cmp_tag(const void *a, const void *b)
{
	const struct tag *ta = *(struct tag *const *)a;
	const struct tag *tb = *(struct tag *const *)b;
	int c;

	if ((c = strcasecmp(ta->name, tb->name)) != 0)
		return c;
	return strcmp(ta->name, tb->name);
}

static int
store_cmp_tag_slug(const void *a, const void *b)
{
	return strcmp((*(struct tag *const *)a)->slug,
	    (*(struct tag *const *)b)->slug);
}

/* Room for one more post in st->posts. */
static int
store_grow(struct store_loader *l, size_t *cap)
{
	struct store *st = l->st;
	struct post **np;
	size_t ncap;

	if (st->nposts < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 256;
	if ((np = arena_alloc(&st->arena, ncap * sizeof(*np))) == NULL)
		return -1;
	if (st->nposts > 0)
		memcpy(np, st->posts, st->nposts * sizeof(*np));
	st->posts = np;
	*cap = ncap;
	return 0;
}

/* A string of a post: shared with prev's pools, or copied when compacting. */
static const char *
store_strdup(struct store_loader *l, const char *s)
{
	const char *d;

	if (!l->deep)
		return s;
	if ((d = arena_strdup(&l->st->pool->arena, s)) == NULL)
		l->oom = 1;
	return d;
}

/*
 * A copy of a post of the previous store in this one: the structure is
 * the new store's (its tag links and position change); the strings and
 * any kept text stay in the pools both share. One allocation holds the
 * post and its arrays. Its tag links still name prev's tags, which
 * store_build_tags() maps to this store's without folding names again.
 */
/* What store_copy_post() takes of the arena for o, aligned as it is. */
static size_t
store_copy_size(const struct post *o)
{
	size_t n = sizeof(*o) + (2 * o->ntags + o->nimages) * sizeof(void *);

	return (n + 15) & ~(size_t)15;
}

static struct post *
store_copy_post(struct store_loader *l, const struct post *o)
{
	struct arena *a = &l->st->arena;
	struct post *p;
	size_t i, nt = o->ntags, ni = o->nimages;

	if ((p = arena_alloc(a, sizeof(*p) + (2 * nt + ni) *
	    sizeof(void *))) == NULL)
		goto oom;
	*p = *o;
	p->tags = (const char **)(void *)(p + 1);
	p->tagp = (struct tag **)(void *)(p->tags + nt);
	p->images = (const char **)(void *)(p->tagp + nt);
	p->slug = store_strdup(l, o->slug);
	p->title = store_strdup(l, o->title);
	p->date = store_strdup(l, o->date);
	p->author = store_strdup(l, o->author);
	for (i = 0; i < nt; i++) {
		p->tags[i] = store_strdup(l, o->tags[i]);
		p->tagp[i] = l->remap ? o->tagp[i] : NULL;
	}
	for (i = 0; i < ni; i++)
		p->images[i] = store_strdup(l, o->images[i]);
	if (o->body != NULL) {
		if (l->deep && (p->body = arena_strndup(&l->st->pool->arena,
		    o->body, o->body_len)) == NULL)
			goto oom;
		l->st->text_bytes += o->body_len;
	}
	if (l->oom)
		return NULL;
	return p;
oom:
	l->oom = 1;
	return NULL;
}

static int
store_add_post(struct store_loader *l, struct post *p, size_t *cap)
{
	if (p == NULL || store_grow(l, cap) == -1) {
		l->oom = 1;
		return -1;
	}
	l->st->posts[l->st->nposts++] = p;
	return 0;
}

/* Remembers a file that did not load, with why. */
static void
store_add_bad(struct store_loader *l, const char *name,
    const struct file_id *id, int line, const char *msg, struct store_bad ***bad,
    size_t *cap)
{
	struct store *st = l->st;
	struct store_bad *b, **nb;

	if (st->nbad == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		if ((nb = arena_alloc(&st->arena, *cap * sizeof(*nb))) == NULL) {
			l->oom = 1;
			return;
		}
		if (st->nbad > 0)
			memcpy(nb, *bad, st->nbad * sizeof(*nb));
		*bad = nb;
	}
	if ((b = arena_alloc(&st->arena, sizeof(*b))) == NULL) {
		l->oom = 1;
		return;
	}
	b->id = *id;
	b->line = line;
	/* The store's own copies: name and msg are the caller's. */
	if ((b->name = arena_strdup(&st->arena, name)) == NULL ||
	    (b->msg = arena_strdup(&st->arena, msg)) == NULL) {
		l->oom = 1;
		return;
	}
	(*bad)[st->nbad++] = b;
}

struct store_build {
	size_t			 cap;		/* of st->posts */
	struct store_bad	**bad;
	size_t			 badcap;
	size_t			 sorted;	/* st->posts[0..sorted) in order */
	/* An update: */
	uint32_t		*from;		/* sorted run: prev's numbers */
	uint32_t		*old2new;	/* prev's number: st's, or
						   UINT32_MAX: not kept */
	unsigned char		*kept;		/* st's number: copied as is */
	uint32_t		*ym;		/* st's number: year, month */
};

/*
 * What looking at one file found. Files are looked at on several threads
 * (store_look_io) and what they found is applied to the store on one, in
 * the order of the names (store_apply), so reports come out once each
 * and in the same order however the reading was shared.
 */
enum store_seen_kind {
	STORE_SEEN_GONE,	/* no such file (any more) */
	STORE_SEEN_SAME,	/* unchanged: ptr is prev's post */
	STORE_SEEN_NEW,		/* read: ptr is the post */
	STORE_SEEN_NOTE		/* anything else: ptr is a store_seen_note */
};

enum store_note_kind {
	STORE_NOTE_PROBLEM,	/* reported only */
	STORE_NOTE_SAME_BAD,	/* the same bad file: any old version stays */
	STORE_NOTE_BAD,		/* cannot be read: skipped */
	STORE_NOTE_PARSE	/* does not parse: any old version stays */
};

struct store_seen {
	int		 kind;
	void		*ptr;
};

struct store_seen_note {
	int			 kind;
	int			 line;
	struct file_id		 id;
	const struct post	*old;
	char			 msg[256];
};

/* One reader's memory: the posts' strings, the posts, and its notes. */
struct store_reader {
	struct store_loader	*l;
	struct arena		*strings;	/* a pool's */
	struct arena		*posts;		/* the store's, or adopted by it */
	struct arena		 notes;		/* freed once applied */
	struct arena		 own;		/* posts read on a thread */
	/*
	 * A full scan's reader: it reads a file new to the store with no
	 * fstat(2), into buf, and points each use of a tag at one struct tag
	 * per spelling (STORE_TAG_SPELLING), so the tags are built from a
	 * few thousand spellings rather than millions of uses, and the
	 * names are hashed here, on every core, while still in the cache.
	 */
	int			 scan;
	char			*buf;		/* POST_MAX_SIZE + 2 */
	struct arena		 spelt;		/* the spellings, then the
						   loader's */
	struct store_map	 spellings;	/* name -> spelling */
	size_t			 nread;
	int			 oom;
};

static void
store_note(struct store_reader *r, struct store_seen *out, int kind, int line,
    const struct file_id *id, const struct post *old, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void
store_note(struct store_reader *r, struct store_seen *out, int kind, int line,
    const struct file_id *id, const struct post *old, const char *fmt, ...)
{
	struct store_seen_note *n;
	va_list ap;

	if ((n = arena_alloc(&r->notes, sizeof(*n))) == NULL) {
		r->oom = 1;
		return;
	}
	n->kind = kind;
	n->line = line;
	if (id != NULL)
		n->id = *id;
	else
		memset(&n->id, 0, sizeof(n->id));
	n->old = old;
	va_start(ap, fmt);
	vsnprintf(n->msg, sizeof(n->msg), fmt, ap);
	va_end(ap);
	out->kind = STORE_SEEN_NOTE;
	out->ptr = n;
}

/* Points p's tags at the reader's spellings, made as met; 0 or -1. */
static int
store_spell(struct store_reader *r, struct post *p)
{
	struct tag *t;
	size_t j;

	if (r->spellings.e == NULL &&
	    store_map_init(&r->spelt, &r->spellings, 256) == -1)
		return -1;
	for (j = 0; j < p->ntags; j++) {
		if ((t = store_map_get(&r->spellings, p->tags[j])) == NULL) {
			if ((t = arena_alloc(&r->spelt, sizeof(*t))) == NULL)
				return -1;
			memset(t, 0, sizeof(*t));
			t->name = p->tags[j];
			t->index = STORE_TAG_SPELLING;
			if (store_map_put(&r->spelt, &r->spellings, t->name,
			    t) == NULL)
				return -1;
		}
		/* One copy of each spelling is enough for every use. */
		p->tags[j] = t->name;
		p->tagp[j] = t;
	}
	return 0;
}

/*
 * Looks at one "x.txt" in the store: unchanged, it is prev's; a changed
 * or new one is read; a bad one is noted. A missing file is simply gone.
 * Safe on several threads at once: it reads prev and writes only r's
 * memory and out.
 */
static void
store_look_io(struct store_reader *r, const char *name, int force,
    unsigned char type, unsigned long long ino, struct store_seen *out)
{
	struct store_loader *l = r->l;
	const struct store *prev = l->prev;
	const struct post *old = NULL;
	const struct store_bad *ob = NULL;
	struct post *p;
	struct post_error err;
	struct file_id id;
	struct stat sb;
	char slug[STORE_SLUG_MAX];
	char *data;
	size_t len, sl, kept;
	int keep, e;

	out->kind = STORE_SEEN_GONE;
	out->ptr = NULL;
	sl = strlen(name) - 4;
	if (strlen(l->st->dir) + strlen(name) + 2 > STORE_PATH_MAX ||
	    sl >= sizeof(slug)) {
		store_note(r, out, STORE_NOTE_PROBLEM, 0, NULL, NULL,
		    "file name too long; skipped");
		return;
	}
	memcpy(slug, name, sl);
	slug[sl] = '\0';
	if (prev != NULL) {
		old = store_find_post(prev, slug);
		ob = store_map_get(&prev->bad_map, name);
	}
	memset(&id, 0, sizeof(id));
	/* A file prev knew: its identity may spare reading it. */
	if (old != NULL || ob != NULL) {
		/* No following: a link is refused whatever it points at. */
		if (fstatat(l->dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
			if (errno != ENOENT)
				store_note(r, out, STORE_NOTE_PROBLEM, 0, NULL,
				    NULL, "%s; skipped", strerror(errno));
			return;
		}
		file_id_of(&sb, &id);
		if (S_ISLNK(sb.st_mode) || !S_ISREG(sb.st_mode)) {
			store_note(r, out, STORE_NOTE_BAD, 0, &id, NULL,
			    "%s; skipped", file_strerror(S_ISLNK(sb.st_mode) ?
			    ELOOP : EISDIR));
			return;
		}
		/*
		 * force: the watcher saw it change; an edit in place within
		 * one clock tick can keep size and mtime, so identity alone
		 * may lie.
		 */
		if (ob != NULL && !force && file_id_same(&ob->id, &id)) {
			/* Still the same bad file: its problem, unread. */
			store_note(r, out, STORE_NOTE_SAME_BAD, ob->line, &id,
			    old, "%s", ob->msg);
			return;
		}
		if (old != NULL && !old->stale && !force &&
		    file_id_same(&old->id, &id)) {
			out->kind = STORE_SEEN_SAME;
			out->ptr = (void *)old;
			return;
		}
	}
	r->nread++;
	data = NULL;
	/*
	 * A file new to the store, listed as a regular one: three system
	 * calls rather than four, its identity from the listing and the
	 * read. Any trouble is looked at again the usual way, to say what.
	 */
	if (r->scan && type == DT_REG && old == NULL && ob == NULL) {
		if (r->buf == NULL &&
		    (r->buf = malloc(POST_MAX_SIZE + 2)) == NULL) {
			r->oom = 1;
			return;
		}
		if (file_read_listed(l->dirfd, name, r->buf, POST_MAX_SIZE,
		    &len) == 0) {
			data = r->buf;
			file_id_read(&id, l->dev, ino, (long long)len,
			    l->read_ns);
		} else if (errno == ENOENT)
			return;		/* removed since it was listed */
	}
	/* Opened without following links or blocking on a FIFO. */
	if (data == NULL && (data = file_read_at(l->dirfd, name,
	    POST_MAX_SIZE, &len, &id)) == NULL) {
		if ((e = errno) == ENOENT)
			return;		/* removed since it was listed */
		if (fstatat(l->dirfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0)
			file_id_of(&sb, &id);
		store_note(r, out, STORE_NOTE_BAD, 0, &id, NULL, "%s; skipped",
		    file_strerror(e));
		return;
	}
	if ((p = arena_alloc(r->posts, sizeof(*p))) == NULL) {
		if (data != r->buf)
			free(data);
		r->oom = 1;
		return;
	}
	/* The texts kept are bounded however many threads read. */
	keep = 0;
	if (l->flags & STORE_KEEP_TEXT) {
		kept = atomic_fetch_add(&l->kept, len) + len;
		if (!(keep = kept < STORE_TEXT_BUDGET))
			atomic_fetch_sub(&l->kept, len);
	}
	if ((keep ? post_parse : post_parse_meta)(r->strings, slug, data, len,
	    p, &err) == -1) {
		if (data != r->buf)
			free(data);
		store_note(r, out, STORE_NOTE_PARSE, err.line, &id, old,
		    "%s; %s", err.msg, old != NULL ?
		    "still serving its last good version" : "skipped");
		return;
	}
	if (data != r->buf)
		free(data);
	p->id = id;
	if (r->scan && store_spell(r, p) == -1) {
		r->oom = 1;
		return;
	}
	out->kind = STORE_SEEN_NEW;
	out->ptr = p;
}

/* What store_look_io() found, into the store: on one thread, in order. */
static void
store_apply(struct store_loader *l, struct store_build *b, const char *name,
    const struct store_seen *s)
{
	struct store *st = l->st;
	const struct store_seen_note *n;
	struct post *p;
	char path[STORE_PATH_MAX];

	switch (s->kind) {
	case STORE_SEEN_GONE:
		return;
	case STORE_SEEN_SAME:
		store_add_post(l, store_copy_post(l, s->ptr), &b->cap);
		return;
	case STORE_SEEN_NEW:
		p = s->ptr;
		if (p->body != NULL)
			st->text_bytes += p->body_len;
		store_add_post(l, p, &b->cap);
		return;
	}
	n = s->ptr;
	snprintf(path, sizeof(path), "%s/%s", st->dir, name);
	store_problem(l, path, n->line, n->msg);
	if (n->kind == STORE_NOTE_PROBLEM)
		return;
	store_add_bad(l, name, &n->id, n->line, n->msg, &b->bad, &b->badcap);
	if (n->old != NULL && n->kind != STORE_NOTE_BAD &&
	    (p = store_copy_post(l, n->old)) != NULL) {
		if (n->kind == STORE_NOTE_PARSE)
			p->stale = 1;
		store_add_post(l, p, &b->cap);
	}
}

static void
store_reader_init(struct store_reader *r, struct store_loader *l,
    struct arena *strings)
{
	memset(r, 0, sizeof(*r));
	r->l = l;
	r->strings = strings;
	r->posts = &l->st->arena;
	arena_init(&r->notes);
	arena_init(&r->own);
	arena_init(&r->spelt);
}

/* One file looked at and applied at once (a few named files). */
static void
store_look(struct store_loader *l, struct store_build *b, const char *name,
    int force)
{
	struct store_reader r;
	struct store_seen s;

	store_reader_init(&r, l, &l->st->pool->arena);
	store_look_io(&r, name, force, DT_UNKNOWN, 0, &s);
	l->st->nread += r.nread;
	if (r.oom)
		l->oom = 1;
	else
		store_apply(l, b, name, &s);
	arena_free(&r.notes);
}

/* A post file's name: "*.txt", not hidden (editors' temporary files). */
static int
store_is_post_name(const char *name)
{
	size_t len = strlen(name);

	return name[0] != '.' && len >= 5 &&
	    strcmp(name + len - 4, ".txt") == 0 && strchr(name, '/') == NULL;
}

/* Names in the order listed, and what looking at each found. */
struct store_scan_chunk {
	const char		*names[STORE_SCAN_CHUNK];
	unsigned long long	 inos[STORE_SCAN_CHUNK];
	unsigned char		 types[STORE_SCAN_CHUNK];	/* DT_* */
	struct store_seen	 seen[STORE_SCAN_CHUNK];
	size_t			 n;
};

/*
 * The names listed so far, which the readers take a chunk at a time
 * while the listing goes on: a million names take half a second to
 * list, time the other cores spend reading.
 */
struct store_scan_job {
	pthread_mutex_t		  lock;
	pthread_cond_t		  more;
	struct store_scan_chunk	**chunks;	/* in the order listed */
	size_t			  nchunks;
	size_t			  cap;
	size_t			  next;		/* the next chunk to take */
	size_t			  nnames;	/* listed so far */
	int			  done;		/* the listing has ended */
};

struct store_scan_thread {
	struct store_scan_job	*job;
	struct store_reader	 r;
	pthread_t		  thread;
	int			  started;
	int			  large;	/* takes large blocks */
};

/*
 * A reader of a large store allocates in blocks of many megabytes, which
 * are faulted in huge pages: 4 KB faults were a tenth of a million-post
 * read. Back to small blocks once read.
 */
static void
store_scan_blocks(struct store_scan_thread *t, int large)
{
	size_t size = large ? STORE_SCAN_BLOCK : 0;

	t->large = large;
	arena_block_size(t->r.strings, size);
	arena_block_size(t->r.posts, size);
}

static void *
store_scan_run(void *arg)
{
	struct store_scan_thread *t = arg;
	struct store_scan_job *job = t->job;
	struct store_scan_chunk *c;
	size_t i;

	pthread_mutex_lock(&job->lock);
	for (;;) {
		while (job->next == job->nchunks && !job->done)
			pthread_cond_wait(&job->more, &job->lock);
		if (job->next == job->nchunks)
			break;
		c = job->chunks[job->next++];
		if (!t->large && job->nnames >= STORE_SCAN_LARGE)
			store_scan_blocks(t, 1);
		pthread_mutex_unlock(&job->lock);
		for (i = 0; i < c->n; i++)
			store_look_io(&t->r, c->names[i], 0, c->types[i],
			    c->inos[i], &c->seen[i]);
		pthread_mutex_lock(&job->lock);
	}
	pthread_mutex_unlock(&job->lock);
	return NULL;
}

/* Hands a chunk listed to the readers; 0, or -1 when out of memory. */
static int
store_scan_put(struct store_scan_job *job, struct store_scan_chunk *c)
{
	struct store_scan_chunk **nc;
	int rc = 0;

	pthread_mutex_lock(&job->lock);
	if (job->nchunks == job->cap) {
		job->cap = job->cap ? job->cap * 2 : 64;
		if ((nc = realloc(job->chunks, job->cap * sizeof(*nc))) ==
		    NULL)
			rc = -1;
		else
			job->chunks = nc;
	}
	if (rc == 0) {
		job->chunks[job->nchunks++] = c;
		job->nnames += c->n;
		pthread_cond_signal(&job->more);
	}
	pthread_mutex_unlock(&job->lock);
	return rc;
}

/* How many threads read a full scan: every core, at least four. */
static size_t
store_scan_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	/* Four at least: a store not in the OS cache waits on the disk. */
	if (n < 4)
		n = 4;
	if (n > STORE_SCAN_THREADS)
		n = STORE_SCAN_THREADS;
	return (size_t)n;
}

/*
 * The readers besides this thread, once a first chunk is listed (a store
 * of a few names is read on this thread alone). Each has its own pool
 * and arena: no locks while reading. Returns how many readers there are.
 */
static size_t
store_scan_start(struct store_loader *l, struct store_scan_thread *th,
    struct store_pool *main_pool)
{
	struct store *st = l->st;
	size_t i, nth = store_scan_threads();

	for (i = 1; i < nth; i++) {
		store_reader_init(&th[i].r, l, &main_pool->arena);
		th[i].r.scan = 1;
		th[i].job = th[0].job;
		if (store_pool_new(st) == -1) {
			l->oom = 1;
			break;
		}
		th[i].r.strings = &st->pool->arena;
		th[i].r.posts = &th[i].r.own;
		th[i].started = pthread_create(&th[i].thread, NULL,
		    store_scan_run, &th[i]) == 0;
	}
	st->pool = main_pool;
	return i;
}

/*
 * Every file in dir; -1 when it cannot be read. This thread lists the
 * names while the other readers read those listed (a cold start of a
 * large store is bound by opening and parsing files, which every core
 * can share), then reads too; what was found is applied in the order
 * listed.
 */
static int
store_scan(struct store_loader *l, struct store_build *b, const char *dir)
{
	struct store *st = l->st;
	struct store_scan_job job;
	struct store_scan_thread th[STORE_SCAN_THREADS];
	struct store_scan_chunk *c = NULL;
	struct arena names;
	DIR *d;
	struct dirent *de;
	struct timespec now;
	size_t i, j, nth = 1;
	int rc = -1;

	memset(&job, 0, sizeof(job));
	memset(th, 0, sizeof(th));
	arena_init(&names);
	/* Files read from now on were last changed before now, or later. */
	if (clock_gettime(CLOCK_REALTIME_COARSE, &now) == 0)
		l->read_ns = (long long)now.tv_sec * 1000000000LL +
		    now.tv_nsec;
	if ((d = opendir(dir)) == NULL) {
		store_report(l, dir, 0, "cannot read the store: %s",
		    strerror(errno));
		return -1;
	}
	if (pthread_mutex_init(&job.lock, NULL) != 0) {
		closedir(d);
		l->oom = 1;
		return -1;
	}
	if (pthread_cond_init(&job.more, NULL) != 0) {
		pthread_mutex_destroy(&job.lock);
		closedir(d);
		l->oom = 1;
		return -1;
	}
	store_reader_init(&th[0].r, l, &st->pool->arena);
	th[0].r.scan = 1;
	th[0].job = &job;
	while ((de = readdir(d)) != NULL) {
		if (!store_is_post_name(de->d_name))
			continue;
		if (c == NULL) {
			if ((c = arena_alloc(&names, sizeof(*c))) == NULL)
				break;
			c->n = 0;
		}
		if ((c->names[c->n] = arena_strdup(&names, de->d_name)) ==
		    NULL)
			break;
		c->inos[c->n] = (unsigned long long)de->d_ino;
		c->types[c->n] = de->d_type;
		if (++c->n < STORE_SCAN_CHUNK)
			continue;
		if (store_scan_put(&job, c) == -1)
			break;
		c = NULL;
		if (nth == 1)
			nth = store_scan_start(l, th, st->pool);
	}
	if (de != NULL || (c != NULL && store_scan_put(&job, c) == -1))
		l->oom = 1;
	closedir(d);
	pthread_mutex_lock(&job.lock);
	job.done = 1;
	pthread_cond_broadcast(&job.more);
	pthread_mutex_unlock(&job.lock);
	/* This thread reads too, and alone when no other could start. */
	store_scan_run(&th[0]);
	for (i = 1; i < nth; i++)
		if (th[i].started)
			pthread_join(th[i].thread, NULL);
	for (i = 0; i < nth; i++) {
		st->nread += th[i].r.nread;
		if (th[i].r.oom)
			l->oom = 1;
		store_scan_blocks(&th[i], 0);
		arena_adopt(&st->arena, &th[i].r.own);
		arena_adopt(&l->spellings, &th[i].r.spelt);
	}
	for (i = 0; i < job.nchunks && !l->oom; i++)
		for (j = 0; j < job.chunks[i]->n && !l->oom; j++)
			store_apply(l, b, job.chunks[i]->names[j],
			    &job.chunks[i]->seen[j]);
	rc = 0;
	for (i = 0; i < nth; i++) {
		arena_free(&th[i].r.notes);
		arena_free(&th[i].r.own);
		arena_free(&th[i].r.spelt);
		free(th[i].r.buf);
	}
	pthread_cond_destroy(&job.more);
	pthread_mutex_destroy(&job.lock);
	free(job.chunks);
	arena_free(&names);
	return rc;
}

/*
 * Only the named files; everything else is as in prev, copied in prev's
 * order, so only the posts read need sorting (store_merge_new()).
 */
static int
store_rescan_some(struct store_loader *l, struct store_build *b,
    const char *const *names, size_t n)
{
	const struct store *prev = l->prev;
	const struct post *o;
	struct store_map changed;
	struct arena tmp;
	unsigned char *skip;
	char slug[STORE_SLUG_MAX];
	size_t i, j, sl, need;
	int rc = -1;

	arena_init(&tmp);
	if (prev->nposts >= UINT32_MAX / 2 ||
	    store_map_init(&tmp, &changed, n) == -1 ||
	    (skip = arena_alloc(&tmp, prev->nposts + 1)) == NULL)
		goto out;
	memset(skip, 0, prev->nposts + 1);
	for (i = 0; i < n; i++)
		if (store_is_post_name(names[i]))
			store_map_put(NULL, &changed, names[i], (void *)names[i]);
	/* The posts of changed and of bad files are looked at again. */
	for (i = 0; i <= changed.mask + prev->nbad; i++) {
		const char *name = i <= changed.mask ? changed.e[i].key :
		    prev->bad[i - changed.mask - 1]->name;

		if (name == NULL || (sl = strlen(name) - 4) >= sizeof(slug))
			continue;
		memcpy(slug, name, sl);
		slug[sl] = '\0';
		if ((o = store_find_post(prev, slug)) == NULL)
			continue;
		if (o->index < prev->nposts && prev->posts[o->index] == o)
			skip[o->index] = 1;
		else	/* a store whose numbers are not kept: look */
			for (j = 0; j < prev->nposts; j++)
				if (prev->posts[j] == o)
					skip[j] = 1;
	}
	if ((b->from = malloc((prev->nposts + 1) * sizeof(*b->from))) ==
	    NULL)
		goto out;
	/* The copies in one block rather than thousands of small ones. */
	for (i = 0, need = 0; i < prev->nposts; i++)
		if (!skip[i])
			need += store_copy_size(prev->posts[i]);
	if (arena_reserve(&l->st->arena, need) == -1)
		goto out;
	for (i = 0; i < prev->nposts && !l->oom; i++)
		if (!skip[i]) {
			b->from[l->st->nposts] = (uint32_t)i;
			store_add_post(l, store_copy_post(l, prev->posts[i]),
			    &b->cap);
		}
	b->sorted = l->st->nposts;
	atomic_store(&l->kept, l->st->text_bytes);
	/* Unchanged bad files: counted, and any last good version kept. */
	for (i = 0; i < prev->nbad && !l->oom; i++)
		if (store_map_get(&changed, prev->bad[i]->name) == NULL)
			store_look(l, b, prev->bad[i]->name, 0);
	for (i = 0; i <= changed.mask && !l->oom; i++)
		if (changed.e[i].key != NULL)
			store_look(l, b, changed.e[i].key, 1);
	rc = 0;
out:
	arena_free(&tmp);
	return rc;
}

/*
 * After store_rescan_some(): the posts read, sorted, merged into the run
 * copied in order: O(posts) rather than a sort of them all. Notes where
 * each of prev's posts went, and each post's month: prev's months say
 * it for the posts copied, without reading a million dates again.
 */
static int
store_merge_new(struct store_loader *l, struct store_build *b)
{
	struct store *st = l->st;
	const struct store *prev = l->prev;
	struct post **out;
	uint32_t *pym = NULL;
	size_t i = 0, j = b->sorted, k, m, total = 0, lo, hi, mid;

	qsort(st->posts + b->sorted, st->nposts - b->sorted,
	    sizeof(*st->posts), store_cmp_post);
	out = arena_alloc(&st->arena, (st->nposts + 1) * sizeof(*out));
	b->old2new = malloc((prev->nposts + 1) * sizeof(*b->old2new));
	b->kept = malloc(st->nposts + 1);
	b->ym = malloc((st->nposts + 1) * sizeof(*b->ym));
	if (out == NULL || b->old2new == NULL || b->kept == NULL ||
	    b->ym == NULL)
		return -1;
	memset(b->old2new, 0xff, (prev->nposts + 1) * sizeof(*b->old2new));
	for (m = 0; m < prev->nmonths; m++)
		total += prev->months[m].nposts;
	if (total == prev->nposts && (pym = malloc((prev->nposts + 1) *
	    sizeof(*pym))) != NULL)
		for (m = 0; m < prev->nmonths; m++)
			for (k = prev->months[m].first; k <
			    prev->months[m].first + prev->months[m].nposts &&
			    k < prev->nposts; k++)
				pym[k] = (uint32_t)(prev->months[m].year *
				    100 + prev->months[m].month);
	for (k = 0;; j++) {
		/* Where the next post read goes: found, not walked to. */
		lo = j < st->nposts ? i : b->sorted;
		hi = b->sorted;
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (store_cmp_post(&st->posts[j], &st->posts[mid]) < 0)
				hi = mid;
			else
				lo = mid + 1;
		}
		for (; i < lo; i++, k++) {
			out[k] = st->posts[i];
			b->kept[k] = 1;
			b->old2new[b->from[i]] = (uint32_t)k;
			b->ym[k] = pym != NULL ? pym[b->from[i]] :
			    store_post_month(out[k]);
		}
		if (j == st->nposts)
			break;
		out[k] = st->posts[j];
		b->kept[k] = 0;
		b->ym[k++] = store_post_month(st->posts[j]);
	}
	free(pym);
	st->posts = out;
	b->cap = st->nposts;
	return 0;
}

/*
 * The slug table and date archives after store_merge_new(): prev's table
 * copied, without the posts not kept, renumbered, plus the posts read;
 * a table of another size (or none) is built anew.
 */
static int
store_index_update(struct store_loader *l, struct store_build *b)
{
	struct store *st = l->st;
	const struct store *prev = l->prev;
	uint32_t *slots;
	size_t i, n = 16, mask;

	for (i = 0; i < st->nposts; i++)
		st->posts[i]->index = i;
	while (n < 2 * st->nposts + 1)
		n *= 2;
	if (prev->slots == NULL || prev->slot_mask + 1 != n) {
		if ((slots = store_slots_new(st)) == NULL)
			return -1;
		for (i = 0; i < st->nposts; i++)
			if (store_slot_put(st->posts, st->slot_mask, slots,
			    i) == -1)
				return -1;
	} else {
		mask = n - 1;
		if ((slots = arena_alloc(&st->arena, n * sizeof(*slots))) ==
		    NULL)
			return -1;
		memcpy(slots, prev->slots, n * sizeof(*slots));
		st->slot_mask = mask;
		for (i = 0; i < prev->nposts; i++)
			if (b->old2new[i] == UINT32_MAX)
				store_slot_del(prev->posts, mask, slots, i);
		for (i = 0; i < n; i++)
			if (slots[i] != 0)
				slots[i] = b->old2new[slots[i] - 1] + 1;
		for (i = 0; i < st->nposts; i++)
			if (!b->kept[i] && store_slot_put(st->posts, mask,
			    slots, i) == -1)
				return -1;
	}
	st->slots = slots;
	i = (size_t)store_index_months(st, b->ym);
	b->ym = NULL;
	return (int)i;
}

/* What an update noted on the way. */
static void
store_build_free(struct store_build *b)
{
	free(b->from);
	free(b->old2new);
	free(b->kept);
	free(b->ym);
}

/*
 * When an update's tags are prev's, name for name (the usual edit), they
 * keep prev's order and slugs: no sort, no slug made again, and the
 * problems of slugs shared are prev's. remap[i] is prev->tags[i]'s tag.
 * 1 when done, 0 when the tags differ, -1 when out of memory.
 */
static int
store_tags_as_before(struct store_loader *l, struct tag **remap)
{
	struct store *st = l->st;
	const struct store *prev = l->prev;
	struct tag **tags, **by_slug, *t;
	size_t i, j, n = prev->ntags, dl = strlen(st->dir);
	const char *text;

	for (i = 0; i < n; i++)
		if (remap[i] == NULL ||
		    strcmp(remap[i]->name, prev->tags[i]->name) != 0)
			return 0;
	if ((tags = arena_alloc(&st->arena, (n + 1) * sizeof(*tags))) ==
	    NULL || (by_slug = arena_alloc(&st->arena, (n + 1) *
	    sizeof(*by_slug))) == NULL ||
	    store_map_init(&st->arena, &st->tag_map, n) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		t = tags[i] = remap[i];
		t->index = i;
		if ((t->slug = arena_strdup(&st->arena,
		    prev->tags[i]->slug)) == NULL ||
		    (t->posts = arena_alloc(&st->arena, (t->nposts ?
		    t->nposts : 1) * sizeof(*t->posts))) == NULL)
			return -1;
		t->nposts = 0;
		store_map_put(NULL, &st->tag_map, t->slug, t);
	}
	for (i = 0; i < n; i++)
		by_slug[i] = remap[prev->tags_by_slug[i]->index];
	for (i = 0; i < st->nposts; i++)
		for (j = 0; j < st->posts[i]->ntags; j++) {
			t = st->posts[i]->tagp[j];
			t->posts[t->nposts++] = st->posts[i];
		}
	/* The same names share the same slugs: the same problems. */
	for (i = 0; i < prev->nproblem_texts; i++) {
		text = prev->problems[i];
		if (strncmp(text, st->dir, dl) == 0 &&
		    strncmp(text + dl, ": tags \"", 8) == 0)
			store_problem(l, st->dir, 0, text + dl + 2);
	}
	st->tags = tags;
	st->ntags = n;
	st->tags_by_slug = by_slug;
	return 1;
}

/*
 * Asks memory early for what a walk of the posts in date order will read
 * (posts lie in memory in the order read, not by date): post i + 16,
 * the tag arrays of i + 8, the tags of i + 4. A million posts walked one
 * cache miss after the other took a second.
 */
static void
store_prefetch(struct post *const *posts, size_t n, size_t i)
{
	const struct post *p;
	size_t j;

	if (i + 16 < n)
		__builtin_prefetch(posts[i + 16]);
	if (i + 8 < n) {
		p = posts[i + 8];
		__builtin_prefetch(p->tagp);
		__builtin_prefetch(p->tags);
	}
	if (i + 4 < n) {
		p = posts[i + 4];
		for (j = 0; j < p->ntags; j++)
			if (p->tagp[j] != NULL)
				__builtin_prefetch(p->tagp[j]);
	}
}

/*
 * Groups the posts' tag names into tags with unique slugs: O(tag uses).
 * Names differing only in case are one tag ("News", "news"), written as
 * the newest post writes it. A slug depends on its tag's name only, so a
 * tag's URL stays when other posts arrive: when two names spell one slug
 * ("C" and "C++"), the plainer keeps it and the other gets a suffix
 * hashed from its own name, whatever the order the posts came in.
 */
static int
store_build_tags(struct store_loader *l)
{
	struct store *st = l->st;
	const struct store *prev = l->prev;
	struct store_map names, bases, spell;
	struct arena tmp;
	struct tag **tags, **all = NULL, *t, *u, **best, **remap = NULL, *o;
	char slug[STORE_SLUG_MAX], alt[STORE_SLUG_MAX + 16];
	char fold[STORE_FOLD_MAX];
	const char **slugs, **folds, *s;
	size_t i, j, k, w, n = 0, total = 0, suffix;
	int *plain, rc;

	for (i = 0; i < st->nposts; i++)
		total += st->posts[i]->ntags;
	arena_init(&tmp);
	/* Room for a tag per use, for now: kept, it is only the tags. */
	if ((all = malloc((total + 1) * sizeof(*all))) == NULL ||
	    store_map_init(&st->arena, &names, 512) == -1 ||
	    store_map_init(&tmp, &spell, 512) == -1)
		goto fail;
	/* prev's tags by position: their posts fold each name only once. */
	if (l->remap && (remap = calloc(prev->ntags + 1,
	    sizeof(*remap))) == NULL)
		goto fail;
	for (i = 0; i < st->nposts; i++) {
		struct post *p = st->posts[i];

		store_prefetch(st->posts, st->nposts, i);
		for (j = 0, w = 0; j < p->ntags; j++) {
			o = p->tagp[j];
			p->tagp[j] = NULL;
			if (remap != NULL && o != NULL &&
			    o->index < prev->ntags && prev->tags[o->index] == o &&
			    (t = remap[o->index]) != NULL)
				goto found;
			/* A reader's spelling is looked up once, by its first use. */
			if (o != NULL && o->index == STORE_TAG_SPELLING &&
			    (t = o->merged) != NULL)
				goto spelt;
			/*
			 * A spelling seen before needs no folding: most uses
			 * spell a tag as its name, a string the CPU keeps.
			 */
			if ((t = store_map_get(&spell, p->tags[j])) == NULL) {
				slug_fold(p->tags[j], fold, sizeof(fold));
				if ((t = store_map_get(&names, fold)) == NULL) {
					if ((t = arena_alloc(&st->arena,
					    sizeof(*t))) == NULL ||
					    (s = arena_strdup(&st->arena,
					    fold)) == NULL)
						goto fail;
					memset(t, 0, sizeof(*t));
					t->name = p->tags[j];
					if (store_map_put(&st->arena, &names,
					    s, t) == NULL)
						goto fail;
					all[n++] = t;
				}
				if (store_map_put(&tmp, &spell, p->tags[j],
				    t) == NULL)
					goto fail;
			}
			if (o != NULL && o->index == STORE_TAG_SPELLING)
				o->merged = t;
spelt:
			if (remap != NULL && o != NULL &&
			    o->index < prev->ntags && prev->tags[o->index] == o)
				remap[o->index] = t;
			/* "News, news" in one post: one tag, listed once. */
			for (k = 0; k < w && p->tagp[k] != t; k++)
				;
			if (k < w)
				continue;
found:			/* prev's tags of a post were distinct already */
			p->tags[w] = p->tags[j];
			p->tagp[w++] = t;
			t->nposts++;
		}
		p->ntags = w;
	}
	arena_free(&tmp);
	if (remap != NULL && n == prev->ntags) {
		rc = store_tags_as_before(l, remap);
		free(remap);
		if (rc != 0) {
			free(all);
			return rc == 1 ? 0 : -1;
		}
	} else
		free(remap);
	tags = arena_alloc(&st->arena, (n + 1) * sizeof(*tags));
	if (tags != NULL)
		memcpy(tags, all, n * sizeof(*tags));
	free(all);
	if (tags == NULL)
		return -1;
	qsort(tags, n, sizeof(*tags), store_cmp_tag);
	if (store_map_init(&st->arena, &st->tag_map, n) == -1 ||
	    store_map_init(&st->arena, &bases, n) == -1 ||
	    (slugs = arena_alloc(&st->arena, (n + 1) * sizeof(*slugs))) ==
	    NULL || (folds = arena_alloc(&st->arena, (n + 1) *
	    sizeof(*folds))) == NULL || (plain = arena_alloc(&st->arena,
	    (n + 1) * sizeof(*plain))) == NULL)
		return -1;
	/* Each slug's plainest name first, then each tag its slug. */
	for (i = 0; i < n; i++) {
		t = tags[i];
		store_tag_slug(t->name, slug, sizeof(slug));
		slug_fold(t->name, fold, sizeof(fold));
		if ((slugs[i] = arena_strdup(&st->arena, slug)) == NULL ||
		    (folds[i] = arena_strdup(&st->arena, fold)) == NULL)
			return -1;
		plain[i] = store_tag_plainness(folds[i], slugs[i]);
		t->index = i;
		if ((best = store_map_get(&bases, slugs[i])) == NULL) {
			if ((best = arena_alloc(&st->arena, sizeof(*best))) ==
			    NULL || store_map_put(NULL, &bases, slugs[i],
			    best) == NULL)
				return -1;
			*best = t;
		} else if (plain[i] < plain[(*best)->index] ||
		    (plain[i] == plain[(*best)->index] &&
		    strcmp(folds[i], folds[(*best)->index]) < 0))
			*best = t;
	}
	for (i = 0; i < n; i++) {
		t = tags[i];
		t->posts = arena_alloc(&st->arena, (t->nposts ? t->nposts : 1) *
		    sizeof(*t->posts));
		if (t->posts == NULL)
			return -1;
		t->nposts = 0;
		best = store_map_get(&bases, slugs[i]);
		u = *best;
		snprintf(alt, sizeof(alt), "%s", slugs[i]);
		if (u != t)
			snprintf(alt, sizeof(alt), "%s-%06x", slugs[i],
			    (unsigned)(slug_hash(folds[i]) & 0xffffff));
		/* A suffix taken too (not seen yet): counted on. */
		for (suffix = 2; store_map_get(&st->tag_map, alt) != NULL ||
		    (u != t && store_map_get(&bases, alt) != NULL); suffix++)
			snprintf(alt, sizeof(alt), "%s-%06x-%zu", slugs[i],
			    (unsigned)(slug_hash(folds[i]) & 0xffffff), suffix);
		if (u != t)
			store_report(l, st->dir, 0, "tags \"%s\" and \"%s\" "
			    "share the slug \"%s\"; \"%s\" gets \"%s\"",
			    u->name, t->name, slugs[i], t->name, alt);
		if ((s = arena_strdup(&st->arena, alt)) == NULL)
			return -1;
		t->slug = s;
		store_map_put(NULL, &st->tag_map, t->slug, t);
	}
	/* Posts are newest first, so each tag's list is too. */
	for (i = 0; i < st->nposts; i++) {
		store_prefetch(st->posts, st->nposts, i);
		for (j = 0; j < st->posts[i]->ntags; j++) {
			t = st->posts[i]->tagp[j];
			t->posts[t->nposts++] = st->posts[i];
		}
	}
	st->tags = tags;
	st->ntags = n;
	st->tags_by_slug = arena_alloc(&st->arena, (n + 1) * sizeof(*tags));
	if (st->tags_by_slug == NULL)
		return -1;
	memcpy(st->tags_by_slug, tags, n * sizeof(*tags));
	qsort(st->tags_by_slug, n, sizeof(*tags), store_cmp_tag_slug);
	return 0;
fail:
	arena_free(&tmp);
	free(remap);
	free(all);
	return -1;
}

/* The year and month of a post's date, which the parser checked. */
static uint32_t
store_post_month(const struct post *p)
{
	const char *d = p->date;

	return (uint32_t)((d[0] - '0') * 1000 + (d[1] - '0') * 100 +
	    (d[2] - '0') * 10 + (d[3] - '0')) * 100 +
	    (uint32_t)((d[5] - '0') * 10 + (d[6] - '0'));
}

/*
 * The date archives of sorted posts: runs of equal months. Each post's
 * date is read once (a million posts' are a million cache misses).
 */
static int
store_index_dates(struct store *st)
{
	uint32_t *ym;
	size_t i;

	if ((ym = malloc((st->nposts + 1) * sizeof(*ym))) == NULL)
		return -1;
	for (i = 0; i < st->nposts; i++)
		ym[i] = store_post_month(st->posts[i]);
	return store_index_months(st, ym);
}

/* The date archives from each post's year and month, ym (freed here). */
static int
store_index_months(struct store *st, uint32_t *ym)
{
	struct store_month *mo;
	struct store_year *yr;
	size_t i, nm = 0, ny = 0;

	for (i = 0; i < st->nposts; i++) {
		nm += i == 0 || ym[i] != ym[i - 1];
		ny += i == 0 || ym[i] / 100 != ym[i - 1] / 100;
	}
	st->months = arena_alloc(&st->arena, (nm ? nm : 1) * sizeof(*mo));
	st->years = arena_alloc(&st->arena, (ny ? ny : 1) * sizeof(*yr));
	if (st->months == NULL || st->years == NULL) {
		free(ym);
		return -1;
	}
	st->nmonths = st->nyears = 0;
	for (i = 0; i < st->nposts; i++) {
		if (i == 0 || ym[i] / 100 != ym[i - 1] / 100) {
			yr = &st->years[st->nyears];
			memset(yr, 0, sizeof(*yr));
			yr->year = ym[i] / 100;
			yr->first_month = st->nmonths;
			yr->index = st->nyears++;
		}
		yr = &st->years[st->nyears - 1];
		if (i == 0 || ym[i] != ym[i - 1]) {
			mo = &st->months[st->nmonths];
			mo->year = ym[i] / 100;
			mo->month = ym[i] % 100;
			mo->first = i;
			mo->nposts = 0;
			mo->index = st->nmonths++;
			yr->nmonths++;
		}
		st->months[st->nmonths - 1].nposts++;
		yr->nposts++;
	}
	free(ym);
	return 0;
}

const struct store_year *
store_find_year(const struct store *st, unsigned year)
{
	size_t lo = 0, hi = st->nyears, mid;

	/* Newest first: years go down. */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (st->years[mid].year == year)
			return &st->years[mid];
		if (st->years[mid].year > year)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct store_month *
store_find_month(const struct store *st, unsigned year, unsigned month)
{
	const struct store_year *y = store_find_year(st, year);
	size_t i;

	if (y == NULL)
		return NULL;
	for (i = y->first_month; i < y->first_month + y->nmonths; i++)
		if (st->months[i].month == month)
			return &st->months[i];
	return NULL;
}

/*
 * The slug table, as the saved index keeps it: post number + 1 by slug
 * hash, a power of two of slots above twice the posts. Four bytes a
 * slot, and an update copies it and renumbers it rather than hashing a
 * million slugs again. Zeroed; NULL when out of memory.
 */
static uint32_t *
store_slots_new(struct store *st)
{
	uint32_t *slots;
	size_t n = 16;

	if (st->nposts >= UINT32_MAX / 2)
		return NULL;
	while (n < 2 * st->nposts + 1)
		n *= 2;
	if ((slots = arena_alloc(&st->arena, n * sizeof(*slots))) == NULL)
		return NULL;
	memset(slots, 0, n * sizeof(*slots));
	st->slot_mask = n - 1;
	return slots;
}

/*
 * Puts post number i of posts in slots (mask + 1 of them); -1 when its
 * slug is there already.
 */
static int
store_slot_put(struct post *const *posts, size_t mask, uint32_t *slots,
    size_t i)
{
	const char *slug = posts[i]->slug;
	size_t j;

	for (j = store_hash(slug) & mask; slots[j] != 0; j = (j + 1) & mask)
		if (strcmp(posts[slots[j] - 1]->slug, slug) == 0)
			return -1;
	slots[j] = (uint32_t)i + 1;
	return 0;
}

/*
 * Takes post number i (of st) out of slots, moving the ones after it
 * back so that no lookup stops short (linear probing has no holes).
 */
static void
store_slot_del(struct post *const *posts, size_t mask, uint32_t *slots,
    size_t i)
{
	size_t j, k, home;

	for (j = store_hash(posts[i]->slug) & mask; slots[j] != 0;
	    j = (j + 1) & mask)
		if (slots[j] == i + 1)
			break;
	if (slots[j] == 0)
		return;
	slots[j] = 0;
	for (k = (j + 1) & mask; slots[k] != 0; k = (k + 1) & mask) {
		home = store_hash(posts[slots[k] - 1]->slug) & mask;
		/* It stays when its home lies cyclically in (j, k]. */
		if (j <= k ? (j < home && home <= k) : (j < home || home <= k))
			continue;
		slots[j] = slots[k];
		slots[k] = 0;
		j = k;
	}
}

/*
 * A post's sort key, read once: a million posts sorted through their
 * pointers are twenty million cache misses on dates and slugs.
 */
struct store_key {
	uint32_t		 ymd;		/* 99991231 - YYYYMMDD: newest first */
	uint32_t		 hash;		/* of the slug, for the slug table */
	char			 pre[16];	/* the slug's first bytes */
	struct post		*post;
};

static int
store_cmp_key(const void *a, const void *b)
{
	const struct store_key *ka = a, *kb = b;
	int c;

	if (ka->ymd != kb->ymd)
		return ka->ymd < kb->ymd ? -1 : 1;
	if ((c = memcmp(ka->pre, kb->pre, sizeof(ka->pre))) != 0)
		return c;
	return strcmp(ka->post->slug, kb->post->slug);
}

int
store_index_posts(struct store *st)
{
	struct store_key *keys;
	uint32_t *slots, *hashes = NULL;
	const char *d;
	size_t i, j, sl;

	if (st->posts == NULL &&
	    (st->posts = arena_alloc(&st->arena, sizeof(*st->posts))) == NULL)
		return -1;
	if ((keys = malloc((st->nposts + 1) * sizeof(*keys))) == NULL ||
	    (hashes = malloc((st->nposts + 1) * sizeof(*hashes))) == NULL)
		goto fail;
	for (i = 0; i < st->nposts; i++) {
		/* The posts lie scattered: ask for the next ones early. */
		if (i + 16 < st->nposts)
			__builtin_prefetch(st->posts[i + 16]);
		if (i + 8 < st->nposts) {
			__builtin_prefetch(st->posts[i + 8]->date);
			__builtin_prefetch(st->posts[i + 8]->slug);
		}
		d = st->posts[i]->date;
		keys[i].ymd = 99991231u - (uint32_t)((d[0] - '0') * 10000000 +
		    (d[1] - '0') * 1000000 + (d[2] - '0') * 100000 +
		    (d[3] - '0') * 10000 + (d[5] - '0') * 1000 +
		    (d[6] - '0') * 100 + (d[8] - '0') * 10 + (d[9] - '0'));
		keys[i].hash = (uint32_t)store_hash(st->posts[i]->slug);
		/* Zero-padded: compares as strcmp() does on a prefix. */
		memset(keys[i].pre, 0, sizeof(keys[i].pre));
		sl = strlen(st->posts[i]->slug);
		memcpy(keys[i].pre, st->posts[i]->slug, sl < sizeof(keys[i].pre) ?
		    sl : sizeof(keys[i].pre));
		keys[i].post = st->posts[i];
	}
	/* Posts from a saved index or the previous store are mostly sorted. */
	for (i = 1; i < st->nposts; i++)
		if (store_cmp_key(&keys[i - 1], &keys[i]) > 0)
			break;
	if (i < st->nposts)
		qsort(keys, st->nposts, sizeof(*keys), store_cmp_key);
	if ((slots = store_slots_new(st)) == NULL)
		goto fail;
	for (i = 0; i < st->nposts; i++) {
		st->posts[i] = keys[i].post;
		st->posts[i]->index = i;
		hashes[i] = keys[i].hash;
		/*
		 * One file per slug: a second one is a damaged saved index.
		 * Another slug's hash tells it apart without reading it.
		 */
		for (j = hashes[i] & st->slot_mask; slots[j] != 0;
		    j = (j + 1) & st->slot_mask)
			if (hashes[slots[j] - 1] == hashes[i] &&
			    strcmp(st->posts[slots[j] - 1]->slug,
			    st->posts[i]->slug) == 0)
				goto fail;
		slots[j] = (uint32_t)i + 1;
	}
	st->slots = slots;
	/* The date archives from the keys: no date read twice. */
	for (i = 0; i < st->nposts; i++)
		hashes[i] = (99991231u - keys[i].ymd) / 100;
	free(keys);
	return store_index_months(st, hashes);
fail:
	free(keys);
	free(hashes);
	return -1;
}

int
store_link_tags(struct store *st)
{
	struct store_loader l;

	if (st->tags != NULL)
		return 0;
	memset(&l, 0, sizeof(l));
	l.st = st;
	return store_build_tags(&l);
}

int
store_index_saved(struct store *st)
{
	size_t i;

	if (store_map_init(&st->arena, &st->tag_map, st->ntags) == -1)
		return -1;
	for (i = 0; i < st->ntags; i++)
		store_map_put(NULL, &st->tag_map, st->tags[i]->slug,
		    st->tags[i]);
	return store_index_dates(st);
}

void
store_post_slots(const struct store *st, uint32_t *slots, size_t n)
{
	size_t i, j;

	memset(slots, 0, n * sizeof(*slots));
	for (i = 0; i < st->nposts; i++) {
		for (j = store_hash(st->posts[i]->slug) & (n - 1);
		    slots[j] != 0; j = (j + 1) & (n - 1))
			;
		slots[j] = (uint32_t)i + 1;
	}
}

/* The problems, sorted, and the bad files by name, for the next build. */
static int
store_keep_notes(struct store_loader *l, struct store_build *b)
{
	struct store *st = l->st;
	struct store_note *n;
	size_t i;

	st->problems = arena_alloc(&st->arena, (l->nnotes + 1) *
	    sizeof(*st->problems));
	if (st->problems == NULL)
		return -1;
	for (i = 0, n = l->notes; n != NULL; n = n->next)
		st->problems[i++] = n->text;
	st->nproblem_texts = i;
	qsort(st->problems, i, sizeof(*st->problems), store_cmp_str);
	st->bad = b->bad;
	if (store_map_init(&st->arena, &st->bad_map, st->nbad) == -1)
		return -1;
	for (i = 0; i < st->nbad; i++)
		store_map_put(NULL, &st->bad_map, st->bad[i]->name,
		    st->bad[i]);
	return 0;
}

/* The settings file, and the site they and the caller's flags make. */
static int
store_settle_site(struct store_loader *l, const char *dir,
    const struct site *site)
{
	struct store *st = l->st;

	store_load_settings(l, dir);
	if (site != NULL)
		st->site = *site;
	if (st->site.host == NULL || st->site.host[0] == '\0')
		st->site.host = st->settings.hostnames[0];
	else if ((st->site.host = arena_strdup(&st->arena, st->site.host)) ==
	    NULL)
		return -1;
	if (st->site.gemini_port == 0)
		st->site.gemini_port = 1965;
	if (st->site.gopher_port == 0)
		st->site.gopher_port = 70;
	return 0;
}

int
store_settle(struct store *st, const char *dir, const struct site *site,
    store_report_cb report, void *arg)
{
	struct store_loader l;

	memset(&l, 0, sizeof(l));
	l.st = st;
	l.report = report;
	l.arg = arg;
	return store_settle_site(&l, dir, site);
}

struct store *
store_update(const struct store *prev, const char *dir,
    const struct site *site, const char *const *names, size_t n, int flags,
    store_report_cb report, void *arg)
{
	struct store_loader l;
	struct store_build b;
	struct store *st;
	struct stat sb;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		if (report != NULL)
			report(arg, dir, 0, "out of memory");
		return NULL;
	}
	arena_init(&st->arena);
	memset(&l, 0, sizeof(l));
	memset(&b, 0, sizeof(b));
	l.st = st;
	l.prev = prev;
	l.flags = flags;
	l.report = report;
	l.arg = arg;
	l.dirfd = -1;
	arena_init(&l.spellings);
	atomic_init(&l.kept, 0);
	/* A saved index's store has posts but no tags linked yet. */
	l.remap = prev != NULL && prev->ntags > 0;
	/*
	 * The pools of prev are shared, unless there are too many of them
	 * (each update adds one): then this store copies the strings it
	 * keeps into its own, and the old pools go with the old stores.
	 */
	l.deep = prev != NULL && prev->npools >= STORE_MAX_POOLS;
	if (prev != NULL && !l.deep) {
		if ((st->pools = calloc(prev->npools + 1,
		    sizeof(*st->pools))) == NULL)
			goto fail;
		for (st->npools = 0; st->npools < prev->npools; st->npools++) {
			st->pools[st->npools] = prev->pools[st->npools];
			atomic_fetch_add(&st->pools[st->npools]->refs, 1);
		}
	}
	if (store_pool_new(st) == -1 ||
	    (st->dir = arena_strdup(&st->arena, dir)) == NULL)
		goto fail;
	if ((l.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    fstat(l.dirfd, &sb) == -1) {
		store_report(&l, dir, 0, "cannot read the store: %s",
		    strerror(errno));
		goto fail;
	}
	l.dev = (unsigned long long)sb.st_dev;
	if (store_settle_site(&l, dir, site) == -1)
		goto fail;
	if (flags & STORE_NO_POSTS) {
		if (store_index_posts(st) == -1)
			goto fail;
	} else if (prev != NULL && names != NULL) {
		if (store_rescan_some(&l, &b, names, n) == -1 || l.oom ||
		    store_merge_new(&l, &b) == -1 ||
		    store_index_update(&l, &b) == -1)
			goto fail;
	} else if (store_scan(&l, &b, dir) == -1 || l.oom ||
	    store_index_posts(st) == -1)
		goto fail;
	if (l.oom || store_build_tags(&l) == -1 ||
	    store_keep_notes(&l, &b) == -1)
		goto fail;
	store_build_free(&b);
	arena_free(&l.spellings);
	close(l.dirfd);
	return st;
fail:
	store_build_free(&b);
	arena_free(&l.spellings);
	if (l.dirfd != -1)
		close(l.dirfd);
	if ((l.oom || errno == ENOMEM) && report != NULL)
		report(arg, dir, 0, "out of memory");
	store_free(st);
	return NULL;
}

struct store *
store_load(const char *dir, const struct site *site, store_report_cb report,
    void *arg)
{
	return store_update(NULL, dir, site, NULL, 0, 0, report, arg);
}

int
store_pool_new(struct store *st)
{
	struct store_pool *pool, **np;

	if ((pool = calloc(1, sizeof(*pool))) == NULL)
		return -1;
	if ((np = realloc(st->pools, (st->npools + 1) * sizeof(*np))) ==
	    NULL) {
		free(pool);
		return -1;
	}
	atomic_init(&pool->refs, 1);
	arena_init(&pool->arena);
	st->pools = np;
	st->pools[st->npools++] = pool;
	st->pool = pool;
	return 0;
}

void
store_free(struct store *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < st->npools; i++)
		if (atomic_fetch_sub(&st->pools[i]->refs, 1) == 1) {
			arena_free(&st->pools[i]->arena);
			if (st->pools[i]->map != NULL)
				munmap(st->pools[i]->map, st->pools[i]->maplen);
			free(st->pools[i]);
		}
	free(st->pools);
	arena_free(&st->arena);
	free(st);
}

struct post *
store_find_post(const struct store *st, const char *slug)
{
	size_t i;

	if (st->post_map.mask != 0)
		return store_map_get(&st->post_map, slug);
	/*
	 * The saved index's table: each number was checked to be a post,
	 * and the slots hold fewer numbers than there are slots.
	 */
	if (st->slots != NULL) {
		for (i = store_hash(slug) & st->slot_mask; st->slots[i] != 0;
		    i = (i + 1) & st->slot_mask)
			if (strcmp(st->posts[st->slots[i] - 1]->slug,
			    slug) == 0)
				return st->posts[st->slots[i] - 1];
		return NULL;
	}
	/* A store made by hand (tests) has no table. */
	for (i = 0; i < st->nposts; i++)
		if (strcmp(st->posts[i]->slug, slug) == 0)
			return st->posts[i];
	return NULL;
}

struct tag *
store_find_tag(const struct store *st, const char *slug)
{
	size_t i;

	if (st->tag_map.mask != 0)
		return store_map_get(&st->tag_map, slug);
	for (i = 0; i < st->ntags; i++)
		if (strcmp(st->tags[i]->slug, slug) == 0)
			return st->tags[i];
	return NULL;
}

const struct post *
store_newer(const struct store *st, const struct post *p)
{
	return p->index > 0 ? st->posts[p->index - 1] : NULL;
}

const struct post *
store_older(const struct store *st, const struct post *p)
{
	return p->index + 1 < st->nposts ? st->posts[p->index + 1] : NULL;
}

#define STORE_TEXT_GONE	"(The text of this post cannot be read right now: " \
	"its file is being changed or has a problem. Try again shortly.)"

int
store_post_text(const struct store *st, const struct post *p,
    struct post_text *out)
{
	struct post tmp;
	struct post_error err;
	char path[2048], *data;
	size_t len;

	memset(out, 0, sizeof(*out));
	arena_init(&out->arena);
	out->images = p->images;
	out->nimages = p->nimages;
	if (p->body != NULL || st->dir == NULL) {
		out->body = p->body != NULL ? p->body : "";
		out->body_len = p->body != NULL ? p->body_len : 0;
		return 0;
	}
	if (store_post_path(st, p, path, sizeof(path)) == NULL)
		goto gone;
	/*
	 * The file as it is now: a newer good version is served at once (the
	 * next store follows); one that turned bad gives the notice.
	 */
	if ((data = file_read_id(path, POST_MAX_SIZE, &len, NULL)) !=
	    NULL) {
		if (post_parse(&out->arena, p->slug, data, len, &tmp,
		    &err) == 0) {
			free(data);
			out->body = tmp.body;
			out->body_len = tmp.body_len;
			out->images = tmp.images;
			out->nimages = tmp.nimages;
			return 0;
		}
		free(data);
	}
gone:
	out->body = STORE_TEXT_GONE;
	out->body_len = strlen(STORE_TEXT_GONE);
	return -1;
}

const char *
store_post_path(const struct store *st, const struct post *p, char *out,
    size_t outsz)
{
	int n;

	if (st->dir == NULL)
		return NULL;
	n = snprintf(out, outsz, "%s/%s.txt", st->dir, p->slug);
	return n >= 0 && (size_t)n < outsz ? out : NULL;
}

void
store_post_text_free(struct post_text *t)
{
	arena_free(&t->arena);
	t->body = NULL;
	t->images = NULL;
}
