/*
 * searchidx.c: the inverted word index behind search, built, saved,
 * mapped, checked and carried from one snapshot to the next.
 *
 * An index is a base and a delta. The base is one image, the same in
 * memory and on disk: a header, the terms in word order (each with its
 * word, its posting list and its skip entries), every post's key, the
 * words and the lists. A list holds posts in the order of the store the
 * base was built for (newest first), each as a varint gap and a varint of
 * its count and where the word was seen (title, tag, body), with a skip
 * entry every SEARCH_BLOCK postings so a list can be entered in the
 * middle. A saved base is mapped and checked cheaply (header, sizes);
 * each list is checked the first time a query uses it (its bounds, a
 * checksum, every posting), so a start touches little of it, and a
 * damaged list answers nothing instead of a wrong post.
 *
 * A base serves a later store too: its posts are matched to the store's
 * by key (slug and file identity), so an edit changes only what changed.
 * Unchanged posts keep their order in a newer store (the order is by
 * date and slug), so base post numbers map to the store's by a rising
 * table; the posts not in the base (new or edited) make the delta, a
 * small index built in memory with the store's own numbers. A query reads
 * each word's base list through the table, skipping posts gone, and its
 * delta list beside it.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "config.h"
#include "searchidx.h"

#define SEARCH_BLOCK	64	/* postings between skip entries */
#define SEARCH_PREFIX_SCAN 4096	/* words of a prefix range looked at */
#define SEARCH_PREFIX_POSTINGS 500000	/* postings one prefix may merge */
#define SEARCH_GONE	UINT32_MAX
#define SEARCH_LOOKAHEAD 64	/* posts an update looks on for a match */
#define SEARCH_SEED	0xcbf29ce484222325ULL

/* Where block k + 1 of a posting list starts. */
struct search_skip {
	uint32_t	 base;		/* post of the posting before it, + 1 */
	uint32_t	 off;		/* byte offset in the list */
};

/*
 * The image. Native byte order, private to one machine and one build
 * (the stamp names it: a changed folding must not meet an old file).
 * Sections follow the header: the lists (padded to 8 bytes), the terms,
 * the skip entries, the keys, the words.
 */
#define SEARCH_FILE_MAGIC	"CAPSRCH3"
#define SEARCH_FILE_ORDER	0x01020304u
#define SEARCH_FILE_STAMP	CAPSULE_VERSION " " __DATE__ " " __TIME__

struct search_file_head {
	char		 magic[8];
	uint32_t	 order;
	uint32_t	 pad;
	char		 stamp[56];
	uint64_t	 nposts;	/* posts the lists may name */
	uint64_t	 nkeys;		/* 0 (a delta) or nposts */
	uint64_t	 nterms;
	uint64_t	 nskips;
	uint64_t	 poollen;
	uint64_t	 datalen;
	uint64_t	 sum;		/* of the fields above */
};

struct search_file_term {
	uint64_t	 data;		/* offset of the list */
	uint32_t	 dlen;		/* its bytes */
	uint32_t	 nposts;
	uint32_t	 word;		/* offset of the word */
	uint32_t	 len;
	uint32_t	 skip;		/* first skip entry */
	uint32_t	 sum;		/* of all the above, word, list, skips */
};

/* A base: an image, mapped or in memory, shared by the indexes using it. */
struct search_base {
	atomic_int			 refs;
	const struct search_file_term	*terms;
	const struct search_skip	*skips;
	const uint64_t			*keys;
	const char			*pool;
	const uint8_t			*data;
	size_t				 nposts, nkeys, nterms, nskips;
	size_t				 poollen, datalen;
	atomic_uchar			*state;	/* per term; NULL: all good */
	atomic_ulong			 bad;	/* lists found damaged */
	void				*map;	/* the mapped file, or */
	void				*mem;	/* the image in memory */
	size_t				 len;
};

#define SEARCH_UNCHECKED	0
#define SEARCH_GOOD		1
#define SEARCH_BAD		2

struct search_index {
	struct search_base	*base;
	struct search_base	*delta;	/* NULL: none */
	uint32_t		*map;	/* base post -> post; NULL: same */
	uint32_t		*from;	/* post -> first base post at/after */
	size_t			 nposts;
	size_t			 ndelta;
	size_t			 size;
};

/* A checksum against damage: 8 bytes a step. */
static uint64_t
search_sum(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	uint64_t v;

	for (; n >= 8; n -= 8, c += 8) {
		memcpy(&v, c, 8);
		h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	for (; n > 0; n--, c++) {
		h = (h ^ *c) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	return h;
}

static size_t
search_align(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Varints: 7 bits a byte, low bits first. */
static size_t
search_put_varint(uint8_t *out, uint32_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		out[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	out[n++] = (uint8_t)v;
	return n;
}

/* Only on a checked list: it cannot run past its end. */
static inline uint32_t
search_get_varint(const uint8_t **pp)
{
	const uint8_t *p = *pp;
	uint32_t v;
	int shift;

	if (!(*p & 0x80)) {
		*pp = p + 1;
		return *p;
	}
	v = 0;
	shift = 0;
	while (*p & 0x80) {
		v |= (uint32_t)(*p++ & 0x7f) << shift;
		shift += 7;
	}
	v |= (uint32_t)*p++ << shift;
	*pp = p;
	return v;
}

/* A varint that must end before end; -1 when it does not. */
static int
search_get_varint_in(const uint8_t **pp, const uint8_t *end, uint32_t *v)
{
	const uint8_t *p = *pp;
	uint64_t x = 0;
	int shift = 0;

	for (;;) {
		if (p >= end || shift > 28)
			return -1;
		x |= (uint64_t)(*p & 0x7f) << shift;
		if (!(*p++ & 0x80))
			break;
		shift += 7;
	}
	if (x > UINT32_MAX)
		return -1;
	*pp = p;
	*v = (uint32_t)x;
	return 0;
}

static int
search_cmp_word(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	if (c != 0)
		return c;
	return al < bl ? -1 : al > bl;
}

/* The base's images. */

static size_t
search_nskips(uint32_t nposts)
{
	return nposts > 0 ? (nposts - 1) / SEARCH_BLOCK : 0;
}

static uint32_t
search_term_sum(const struct search_file_term *ft, const char *word,
    const uint8_t *list, const struct search_skip *sk)
{
	uint64_t f[4], h;

	f[0] = ft->data;
	f[1] = (uint64_t)ft->dlen << 32 | ft->nposts;
	f[2] = (uint64_t)ft->word << 32 | ft->len;
	f[3] = ft->skip;
	h = search_sum(SEARCH_SEED, f, sizeof(f));
	h = search_sum(h, word, ft->len);
	h = search_sum(h, list, ft->dlen);
	h = search_sum(h, sk, search_nskips(ft->nposts) * sizeof(*sk));
	return (uint32_t)(h ^ h >> 32);
}

static uint64_t
search_head_sum(const struct search_file_head *h)
{
	return search_sum(SEARCH_SEED, h, offsetof(struct search_file_head,
	    sum));
}

/* Bytes of an image of these sizes; 0 when they overflow. */
static size_t
search_image_len(uint64_t nterms, uint64_t nskips, uint64_t nkeys,
    uint64_t poollen, uint64_t datalen)
{
	uint64_t lim = (uint64_t)SIZE_MAX / 64, n;

	if (nterms > lim || nskips > lim || nkeys > lim || poollen > lim ||
	    datalen > lim)
		return 0;
	n = sizeof(struct search_file_head) + search_align((size_t)datalen) +
	    nterms * sizeof(struct search_file_term) +
	    nskips * sizeof(struct search_skip) + nkeys * 8 + poollen;
	return n > lim ? 0 : (size_t)n;
}

/*
 * Points b's sections into the image at img (checked sizes). The lists
 * come first so that a build can write them as it merges, the tables
 * after them.
 */
static void
search_base_point(struct search_base *b, const void *img)
{
	const struct search_file_head *h = img;
	const char *p = (const char *)img + sizeof(*h);

	b->nposts = h->nposts;
	b->nkeys = h->nkeys;
	b->nterms = h->nterms;
	b->nskips = h->nskips;
	b->poollen = h->poollen;
	b->datalen = h->datalen;
	b->data = (const void *)p;
	p += search_align(b->datalen);
	b->terms = (const void *)p;
	p += b->nterms * sizeof(*b->terms);
	b->skips = (const void *)p;
	p += b->nskips * sizeof(*b->skips);
	b->keys = (const void *)p;
	p += b->nkeys * 8;
	b->pool = p;
}

static struct search_base *
search_base_ref(struct search_base *b)
{
	if (b != NULL)
		atomic_fetch_add_explicit(&b->refs, 1, memory_order_relaxed);
	return b;
}

static void
search_base_unref(struct search_base *b)
{
	if (b == NULL || atomic_fetch_sub_explicit(&b->refs, 1,
	    memory_order_acq_rel) != 1)
		return;
	if (b->map != NULL)
		munmap(b->map, b->len);
	free(b->mem);
	free(b->state);
	free(b);
}

/* The word of term t, or "" when its bounds are bad (checked later). */
static const char *
search_base_word(const struct search_base *b, size_t t, size_t *len)
{
	const struct search_file_term *ft = &b->terms[t];

	if (ft->word > b->poollen || ft->len > b->poollen - ft->word ||
	    ft->len > SEARCH_TERM_MAX) {
		*len = 0;
		return "";
	}
	*len = ft->len;
	return b->pool + ft->word;
}

/* The first term >= w (nterms when none). */
static size_t
search_base_lower(const struct search_base *b, const char *w, size_t len)
{
	size_t lo = 0, hi = b->nterms, mid, ml;
	const char *mw;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		mw = search_base_word(b, mid, &ml);
		if (search_cmp_word(mw, ml, w, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * One list checked as the queries will read it: within the image, its
 * checksum right, nposts postings each naming a post after the one
 * before, ending where it should, and its skip entries those a walk
 * makes. 0 or -1.
 */
static int
search_check_list(const struct search_base *b, size_t t)
{
	const struct search_file_term *ft = &b->terms[t];
	const uint8_t *p, *end;
	const struct search_skip *sk;
	uint32_t i, gap, cf;
	uint64_t base = 0;
	size_t n = 0, nsk, wl;

	nsk = search_nskips(ft->nposts);
	search_base_word(b, t, &wl);
	if (wl == 0 || ft->nposts == 0 || ft->nposts > b->nposts ||
	    ft->data > b->datalen || ft->dlen > b->datalen - ft->data ||
	    ft->skip > b->nskips || nsk > b->nskips - ft->skip)
		return -1;
	p = b->data + ft->data;
	end = p + ft->dlen;
	sk = b->skips + ft->skip;
	if (search_term_sum(ft, b->pool + ft->word, p, sk) != ft->sum)
		return -1;
	for (i = 0; i < ft->nposts; i++) {
		if (i > 0 && i % SEARCH_BLOCK == 0) {
			if (sk[n].base != base ||
			    sk[n].off != (uint64_t)(p - (b->data + ft->data)))
				return -1;
			n++;
		}
		if (search_get_varint_in(&p, end, &gap) == -1 ||
		    search_get_varint_in(&p, end, &cf) == -1 ||
		    base + gap >= b->nposts)
			return -1;
		base += (uint64_t)gap + 1;
	}
	return p == end ? 0 : -1;
}

/* 1 when term t's list may be read (checked now if it was not yet). */
static int
search_base_usable(struct search_base *b, size_t t)
{
	unsigned char s;

	if (b->state == NULL)
		return 1;
	s = atomic_load_explicit(&b->state[t], memory_order_acquire);
	if (s == SEARCH_UNCHECKED) {
		/* Two queries may check it at once: they agree. */
		s = search_check_list(b, t) == 0 ? SEARCH_GOOD : SEARCH_BAD;
		if (s == SEARCH_BAD)
			atomic_fetch_add(&b->bad, 1);
		atomic_store_explicit(&b->state[t], s, memory_order_release);
	}
	return s == SEARCH_GOOD;
}

/* Building. Each word's list grows in its own buffer until the end. */

/* 64 bytes, aligned: what a word's lookup reads lies in one line. */
struct search_bterm {
	uint32_t	 hash;		/* of the word: compared first */
	uint32_t	 len;
	uint64_t	 head[2];	/* its first 16 bytes, then 0s */
	uint32_t	 touched;	/* post + 1 that counted it last */
	uint32_t	 count;		/* in the post being read */
	uint8_t		 flags;
	uint32_t	 off;		/* of the word in the pool */
	uint32_t	 nposts;
	uint32_t	 base;		/* post + 1 of its last posting */
	uint8_t		*data;
	uint32_t	 dlen, dcap;
};
_Static_assert(sizeof(struct search_bterm) == 64, "a term is one line");

/*
 * The terms are their own hash table (open addressing, a power of two of
 * slots, at most half used; len 0 is an empty slot): a word's lookup
 * reads one line.
 */
/* A word read but not yet counted: its slot is being fetched meanwhile. */
struct search_pending {
	uint32_t	 hash;
	uint32_t	 len;
	int		 flag;
	char		 w[SEARCH_TERM_MAX];
};

#define SEARCH_AHEAD	16	/* words looked up ahead of counting */

struct search_builder {
	struct search_pending	 ahead[SEARCH_AHEAD];
	size_t			 nahead, first;
	struct search_bterm	*terms;
	size_t			 nterms;	/* used slots */
	size_t			 nslots;	/* a power of two */
	char			*pool;
	size_t			 poollen, poolcap;
	uint32_t		*touched;	/* slots seen in this post */
	size_t			 ntouched, captouched;
	size_t			 datalen;	/* bytes of every list */
	size_t			 nskips;
	uint32_t		 post;		/* the post being read */
	int			 flag;		/* where its words come from */
	int			 err;
};

static uint64_t
search_hash(const char *s, size_t n)
{
	uint64_t h = SEARCH_SEED;	/* FNV-1a */

	while (n-- > 0)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

/* Grows *p (of *cap elements of size sz) to hold need; -1 when it can't. */
static int
search_grow(void *pp, size_t *cap, size_t need, size_t sz, size_t first)
{
	void **p = pp, *np;
	size_t nc = *cap ? *cap : first;

	if (need <= *cap)
		return 0;
	while (nc < need) {
		if (nc > SIZE_MAX / 2 / sz)
			return -1;
		nc = nc < 4096 ? nc * 2 : nc + nc / 2;
	}
	if ((np = realloc(*p, nc * sz)) == NULL)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}

/* Doubles the table, the post's touched slots moved with it; 0 or -1. */
static int
search_rehash(struct search_builder *b)
{
	struct search_bterm *nt;
	uint32_t *pos = NULL;
	size_t n = b->nslots ? b->nslots * 2 : 4096, i, j;

	if (n > SIZE_MAX / 2 / sizeof(*nt) ||
	    (nt = aligned_alloc(64, n * sizeof(*nt))) == NULL)
		return -1;
	if (b->nslots > 0 &&
	    (pos = malloc(b->nslots * sizeof(*pos))) == NULL) {
		free(nt);
		return -1;
	}
	memset(nt, 0, n * sizeof(*nt));
	for (i = 0; i < b->nslots; i++) {
		if (b->terms[i].len == 0)
			continue;
		for (j = b->terms[i].hash & (n - 1); nt[j].len != 0;
		    j = (j + 1) & (n - 1))
			;
		nt[j] = b->terms[i];
		pos[i] = (uint32_t)j;
	}
	for (i = 0; i < b->ntouched; i++)
		b->touched[i] = pos[b->touched[i]];
	free(pos);
	free(b->terms);
	b->terms = nt;
	b->nslots = n;
	return 0;
}

/* Room for n more bytes in t's list; 0 or -1. */
static int
search_grow_list(struct search_bterm *t, size_t n)
{
	uint8_t *nd;
	size_t nc = t->dcap ? t->dcap : 4;

	while (nc < t->dlen + n)
		nc = nc < 4096 ? nc * 2 : nc + nc / 2;
	if (nc > UINT32_MAX || (nd = realloc(t->data, nc)) == NULL)
		return -1;
	t->data = nd;
	t->dcap = (uint32_t)nc;
	return 0;
}

/* The slot of word, added when new; -1 when out of memory. */
static long
search_intern(struct search_builder *b, const char *w, size_t len,
    uint32_t h)
{
	struct search_bterm *t;
	uint64_t head[2] = { 0, 0 };
	size_t j, mask;

	/* Most words fit in head: their bytes in the pool are not read. */
	memcpy(head, w, len < 16 ? len : 16);
	if ((b->nterms + 1) * 2 > b->nslots && search_rehash(b) == -1)
		return -1;
	mask = b->nslots - 1;
	for (j = h & mask; (t = &b->terms[j])->len != 0; j = (j + 1) & mask)
		if (t->hash == h && t->len == len && t->head[0] == head[0] &&
		    t->head[1] == head[1] && (len <= 16 ||
		    memcmp(b->pool + t->off + 16, w + 16, len - 16) == 0))
			return (long)j;
	if (b->nterms >= UINT32_MAX - 1 || b->poollen + len > UINT32_MAX ||
	    search_grow(&b->pool, &b->poolcap, b->poollen + len, 1, 4096) == -1)
		return -1;
	memcpy(b->pool + b->poollen, w, len);
	memset(t, 0, sizeof(*t));
	t->off = (uint32_t)b->poollen;
	t->hash = h;
	t->head[0] = head[0];
	t->head[1] = head[1];
	t->len = (uint32_t)len;
	b->poollen += len;
	b->nterms++;
	return (long)j;
}

/* Counts one word in the post being read; 0 or -1. */
static int
search_count_word(struct search_builder *b, const struct search_pending *pw)
{
	struct search_bterm *t;
	long ti;

	if ((ti = search_intern(b, pw->w, pw->len, pw->hash)) == -1)
		return -1;
	t = &b->terms[ti];
	if (t->touched != b->post + 1) {
		if (search_grow(&b->touched, &b->captouched, b->ntouched + 1,
		    sizeof(*b->touched), 256) == -1)
			return -1;
		b->touched[b->ntouched++] = (uint32_t)ti;
		t->touched = b->post + 1;
		t->count = 0;
		t->flags = 0;
	}
	if (t->count < SEARCH_COUNT_MAX)
		t->count++;
	t->flags |= (uint8_t)pw->flag;
	return 0;
}

/* Counts the words waiting; 0 or -1. */
static int
search_flush_words(struct search_builder *b)
{
	for (; b->nahead > 0; b->nahead--) {
		if (search_count_word(b, &b->ahead[b->first]) == -1)
			return -1;
		b->first = (b->first + 1) % SEARCH_AHEAD;
	}
	return 0;
}

/*
 * A word of the post: its slot is fetched now and the word counted a few
 * words later, so that several fetches from memory overlap (most words
 * of a large store are rare: their slots are not in the cache).
 */
static int
search_add_word(void *arg, const char *w, size_t len, size_t off)
{
	struct search_builder *b = arg;
	struct search_pending *pw;
	uint32_t h = (uint32_t)search_hash(w, len);

	(void)off;
	if (b->nahead == SEARCH_AHEAD) {
		if (search_count_word(b, &b->ahead[b->first]) == -1) {
			b->err = 1;
			return -1;
		}
		b->first = (b->first + 1) % SEARCH_AHEAD;
		b->nahead--;
	}
	if (b->nslots > 0)
		__builtin_prefetch(&b->terms[h & (b->nslots - 1)]);
	pw = &b->ahead[(b->first + b->nahead++) % SEARCH_AHEAD];
	pw->hash = h;
	pw->len = (uint32_t)len;
	pw->flag = b->flag;
	memcpy(pw->w, w, len);
	return 0;
}

/* Appends the post's posting to every word it holds. */
static int
search_end_post(struct search_builder *b)
{
	struct search_bterm *t;
	uint8_t enc[10];
	size_t i, j, n;

	if (search_flush_words(b) == -1)
		return -1;
	for (i = 0; i < b->ntouched; i++) {
		/* The ends of lists a few words on: fetched meanwhile. */
		if (i + SEARCH_AHEAD < b->ntouched) {
			t = &b->terms[b->touched[i + SEARCH_AHEAD]];
			if (t->data != NULL)
				__builtin_prefetch(t->data + t->dlen);
		}
		t = &b->terms[b->touched[i]];
		n = search_put_varint(enc, b->post - t->base);
		n += search_put_varint(enc + n, t->count << 3 | t->flags);
		if (t->dlen + n > t->dcap && search_grow_list(t, n) == -1)
			return -1;
		for (j = 0; j < n; j++)
			t->data[t->dlen++] = enc[j];
		t->base = b->post + 1;
		if (t->nposts > 0 && t->nposts % SEARCH_BLOCK == 0)
			b->nskips++;
		t->nposts++;
		b->datalen += n;
	}
	b->ntouched = 0;
	return 0;
}

/*
 * The body of p as search reads it: the one place it is read, so where
 * bodies live (memory, or the post's file) is decided here alone.
 */
static void
search_add_post(struct search_builder *b, const struct store *st,
    const struct post *p, uint32_t at)
{
	struct post_text pt;
	size_t j;

	b->post = at;
	b->flag = SEARCH_IN_TITLE;
	search_words(p->title, strlen(p->title), search_add_word, b);
	b->flag = SEARCH_IN_TAG;
	for (j = 0; j < p->ntags && !b->err; j++)
		search_words(p->tags[j], strlen(p->tags[j]), search_add_word,
		    b);
	b->flag = SEARCH_IN_BODY;
	/* A post that cannot be read now has no words but its header's. */
	if (!b->err && store_post_text(st, p, &pt) == 0)
		search_words(pt.body, pt.body_len, search_add_word, b);
	store_post_text_free(&pt);
	if (!b->err && search_end_post(b) == -1)
		b->err = 1;
}

static void
search_builder_free(struct search_builder *b)
{
	size_t i;

	for (i = 0; i < b->nslots; i++)
		free(b->terms[i].data);
	free(b->terms);
	free(b->pool);
	free(b->touched);
	memset(b, 0, sizeof(*b));
}

struct search_sortkey {
	const char	*word;
	uint32_t	 len;
	uint32_t	 term;
};

static int search_cmp_key(const void *, const void *);

/* The used slots of b into sk (nterms of them), in word order. */
static void
search_sort_terms(struct search_builder *b, struct search_sortkey *sk)
{
	size_t i, n = 0;

	for (i = 0; i < b->nslots; i++)
		if (b->terms[i].len != 0) {
			sk[n].word = b->pool + b->terms[i].off;
			sk[n].len = b->terms[i].len;
			sk[n].term = (uint32_t)i;
			n++;
		}
	qsort(sk, n, sizeof(*sk), search_cmp_key);
}

static int
search_cmp_key(const void *a, const void *b)
{
	const struct search_sortkey *ka = a, *kb = b;

	return search_cmp_word(ka->word, ka->len, kb->word, kb->len);
}

/* The skip entries of a finished list, by walking it once. */
static size_t
search_make_skips(const uint8_t *data, uint32_t nposts,
    struct search_skip *out)
{
	const uint8_t *p = data;
	uint32_t i, base = 0, n = 0;

	for (i = 0; i < nposts; i++) {
		if (i > 0 && i % SEARCH_BLOCK == 0) {
			out[n].base = base;
			out[n].off = (uint32_t)(p - data);
			n++;
		}
		base += search_get_varint(&p) + 1;
		(void)search_get_varint(&p);
	}
	return n;
}

/* A post's key: its slug and its file's identity, as a base knows it. */
static uint64_t
search_post_key(const struct post *p)
{
	uint64_t v[6];

	v[0] = p->id.dev;
	v[1] = p->id.ino;
	v[2] = (uint64_t)p->id.size;
	v[3] = (uint64_t)p->id.mtime_ns;
	v[4] = (uint64_t)p->id.ctime_ns;
	v[5] = (uint64_t)p->stale;
	return search_sum(search_sum(SEARCH_SEED, v, sizeof(v)), p->slug,
	    strlen(p->slug));
}

/*
 * The builder's lists as a base image in memory, word by word in word
 * order, freeing each list as it is copied (the peak stays near one
 * index). keys: the store whose every post the lists name, or NULL (a
 * delta). nposts: the posts the lists may name.
 */
static struct search_base *
search_finish(struct search_builder *b, const struct store *keys,
    size_t nposts)
{
	struct search_base *base;
	struct search_file_head *h;
	struct search_file_term *ft;
	struct search_sortkey *sk = NULL;
	struct search_bterm *bt;
	uint8_t *data;
	size_t i, len, at = 0, skip = 0, nkeys = keys ? keys->nposts : 0;
	void *img;

	if ((len = search_image_len(b->nterms, b->nskips, nkeys, b->poollen,
	    b->datalen)) == 0 || b->datalen > UINT64_MAX / 2)
		return NULL;
	if ((base = calloc(1, sizeof(*base))) == NULL)
		return NULL;
	if ((img = calloc(1, len)) == NULL ||
	    (sk = calloc(b->nterms + 1, sizeof(*sk))) == NULL) {
		free(img);
		free(base);
		return NULL;
	}
	h = img;
	memcpy(h->magic, SEARCH_FILE_MAGIC, 8);
	h->order = SEARCH_FILE_ORDER;
	snprintf(h->stamp, sizeof(h->stamp), "%s", SEARCH_FILE_STAMP);
	h->nposts = nposts;
	h->nkeys = nkeys;
	h->nterms = b->nterms;
	h->nskips = b->nskips;
	h->poollen = b->poollen;
	h->datalen = b->datalen;
	h->sum = search_head_sum(h);
	search_base_point(base, img);
	base->mem = img;
	base->len = len;
	atomic_init(&base->refs, 1);
	atomic_init(&base->bad, 0);
	if (b->poollen > 0)
		memcpy((char *)base->pool, b->pool, b->poollen);
	for (i = 0; i < nkeys; i++)
		((uint64_t *)base->keys)[i] = search_post_key(keys->posts[i]);
	search_sort_terms(b, sk);
	ft = (struct search_file_term *)base->terms;
	data = (uint8_t *)base->data;
	for (i = 0; i < b->nterms; i++) {
		bt = &b->terms[sk[i].term];
		ft[i].data = at;
		ft[i].dlen = (uint32_t)bt->dlen;
		ft[i].nposts = bt->nposts;
		ft[i].word = (uint32_t)bt->off;
		ft[i].len = bt->len;
		ft[i].skip = (uint32_t)skip;
		memcpy(data + at, bt->data, bt->dlen);
		skip += search_make_skips(data + at, bt->nposts,
		    (struct search_skip *)base->skips + skip);
		ft[i].sum = search_term_sum(&ft[i], base->pool + ft[i].word,
		    data + at, base->skips + ft[i].skip);
		at += bt->dlen;
		free(bt->data);
		bt->data = NULL;
	}
	free(sk);
	return base;
}

/*
 * A base of posts which[0..n) of st (all of them when which is NULL),
 * named by their position in st. NULL when out of memory.
 */
static struct search_base *
search_build_base(const struct store *st, const uint32_t *which, size_t n)
{
	struct search_builder b;
	struct search_base *base = NULL;
	size_t i;

	if (st->nposts >= UINT32_MAX)
		return NULL;
	memset(&b, 0, sizeof(b));
	for (i = 0; i < n && !b.err; i++) {
		uint32_t at = which != NULL ? which[i] : (uint32_t)i;

		search_add_post(&b, st, st->posts[at], at);
	}
	if (!b.err)
		base = search_finish(&b, which == NULL ? st : NULL,
		    st->nposts);
	search_builder_free(&b);
#ifdef __GLIBC__
	/* The lists grew in many small buffers: give their pages back. */
	malloc_trim(0);
#endif
	return base;
}

/*
 * A large build, into a file: the posts are read in chunks of
 * SEARCH_CHUNK by SEARCH_THREADS threads, each chunk's lists written to a
 * run file in word order, and the runs merged word by word into the
 * saved image. Memory stays near two chunks' lists and the tables, not
 * the whole index.
 */
#define SEARCH_CHUNK	32768	/* posts in one run, at most */
#define SEARCH_CHUNK_MIN 2048	/* and at least: 16 runs, or fewer */
#define SEARCH_THREADS	2
#define SEARCH_RUN_IO	(256 * 1024)	/* stdio buffer of a run */

struct search_run_head {
	uint32_t	 len;		/* of the word that follows */
	uint32_t	 nposts;
	uint32_t	 dlen;		/* of the list after the word */
	uint32_t	 last;		/* its last post */
};

struct search_job {
	const struct store	*st;
	const char		*path;
	int			*fds;		/* run k's file, or -1 */
	size_t			 chunk;		/* posts a run */
	size_t			 nchunks;
	atomic_size_t		 next;
	atomic_int		 err;
};

static void
search_run_path(char *out, size_t outsz, const char *path, size_t k)
{
	snprintf(out, outsz, "%s.run%zu.%ld", path, k, (long)getpid());
}

/*
 * Writes the builder's lists, in word order, to run file k, kept open
 * in *fdp and unlinked at once: a build that is killed leaves no run
 * behind in the cache directory. 0 or -1.
 */
static int
search_write_run(struct search_builder *b, const char *path, size_t k,
    int *fdp)
{
	struct search_sortkey *sk;
	struct search_run_head rh;
	struct search_bterm *bt;
	char rp[PATH_MAX + 64];
	FILE *f;
	size_t i;
	int rc = 0;

	if ((sk = calloc(b->nterms + 1, sizeof(*sk))) == NULL)
		return -1;
	search_sort_terms(b, sk);
	search_run_path(rp, sizeof(rp), path, k);
	f = fopen(rp, "w+be");
	unlink(rp);
	if (f == NULL) {
		free(sk);
		return -1;
	}
	for (i = 0; i < b->nterms && rc == 0; i++) {
		bt = &b->terms[sk[i].term];
		rh.len = bt->len;
		rh.nposts = bt->nposts;
		rh.dlen = (uint32_t)bt->dlen;
		rh.last = bt->base - 1;
		if (fwrite(&rh, sizeof(rh), 1, f) != 1 ||
		    fwrite(sk[i].word, 1, bt->len, f) != bt->len ||
		    fwrite(bt->data, 1, bt->dlen, f) != bt->dlen)
			rc = -1;
		free(bt->data);
		bt->data = NULL;
	}
	if (rc == 0 && (fflush(f) != 0 ||
	    (*fdp = fcntl(fileno(f), F_DUPFD_CLOEXEC, 0)) == -1))
		rc = -1;
	if (fclose(f) != 0)
		rc = -1;
	free(sk);
	return rc;
}

static void *
search_job_main(void *arg)
{
	struct search_job *job = arg;
	struct search_builder b;
	size_t k, i, end;

	while (!atomic_load(&job->err) &&
	    (k = atomic_fetch_add(&job->next, 1)) < job->nchunks) {
		memset(&b, 0, sizeof(b));
		end = (k + 1) * job->chunk;
		if (end > job->st->nposts)
			end = job->st->nposts;
		for (i = k * job->chunk; i < end && !b.err; i++)
			search_add_post(&b, job->st, job->st->posts[i],
			    (uint32_t)i);
		if (b.err || search_write_run(&b, job->path, k,
		    &job->fds[k]) == -1)
			atomic_store(&job->err, 1);
		search_builder_free(&b);
#ifdef __GLIBC__
		malloc_trim(0);
#endif
	}
	return NULL;
}

/* One run being merged: its next word, read ahead. */
struct search_run {
	FILE			*f;
	char			*buf;
	struct search_run_head	 h;
	char			 word[SEARCH_TERM_MAX];
	int			 live;
};

static int
search_run_next(struct search_run *r)
{
	r->live = 0;
	if (fread(&r->h, sizeof(r->h), 1, r->f) != 1)
		return feof(r->f) ? 0 : -1;
	if (r->h.len == 0 || r->h.len > SEARCH_TERM_MAX || r->h.nposts == 0 ||
	    fread(r->word, 1, r->h.len, r->f) != r->h.len)
		return -1;
	r->live = 1;
	return 0;
}

/* What the merge keeps until the lists are written: the tables. */
struct search_merge {
	struct search_file_term	*terms;
	size_t			 nterms, capterms;
	struct search_skip	*skips;
	size_t			 nskips, capskips;
	char			*pool;
	size_t			 poollen, poolcap;
	uint8_t			*list;		/* one word's list */
	size_t			 listlen, listcap;
	uint64_t		 datalen;
};

/*
 * Appends run r's list of the current word to m->list, its first gap
 * made relative to *next (the post after the list so far). 0 or -1.
 */
static int
search_merge_take(struct search_merge *m, struct search_run *r,
    uint32_t *next)
{
	const uint8_t *p, *end;
	uint8_t enc[5];
	uint32_t first, cf;
	size_t n;

	if (search_grow(&m->list, &m->listcap, m->listlen + r->h.dlen + 5, 1,
	    4096) == -1 || fread(m->list + m->listlen + 5, 1, r->h.dlen,
	    r->f) != r->h.dlen)
		return -1;
	p = m->list + m->listlen + 5;
	end = p + r->h.dlen;
	if (search_get_varint_in(&p, end, &first) == -1 ||
	    search_get_varint_in(&p, end, &cf) == -1 || first < *next)
		return -1;
	/* The rest (from cf on) moves up behind the new first gap. */
	p = m->list + m->listlen + 5;
	(void)search_get_varint_in(&p, end, &first);
	n = search_put_varint(enc, first - *next);
	memcpy(m->list + m->listlen, enc, n);
	memmove(m->list + m->listlen + n, p, (size_t)(end - p));
	m->listlen += n + (size_t)(end - p);
	*next = r->h.last + 1;
	return 0;
}

/* The merged list of one word: its term, skips and bytes written out. */
static int
search_merge_put(struct search_merge *m, const char *word, size_t len,
    uint32_t nposts, FILE *out)
{
	struct search_file_term *ft;
	size_t nsk = search_nskips(nposts);

	if (m->listlen > UINT32_MAX || m->poollen + len > UINT32_MAX ||
	    search_grow(&m->terms, &m->capterms, m->nterms + 1,
	    sizeof(*m->terms), 4096) == -1 ||
	    search_grow(&m->skips, &m->capskips, m->nskips + nsk + 1,
	    sizeof(*m->skips), 4096) == -1 ||
	    search_grow(&m->pool, &m->poolcap, m->poollen + len, 1, 65536) ==
	    -1)
		return -1;
	memcpy(m->pool + m->poollen, word, len);
	ft = &m->terms[m->nterms];
	ft->data = m->datalen;
	ft->dlen = (uint32_t)m->listlen;
	ft->nposts = nposts;
	ft->word = (uint32_t)m->poollen;
	ft->len = (uint32_t)len;
	ft->skip = (uint32_t)m->nskips;
	if (search_make_skips(m->list, nposts, m->skips + m->nskips) != nsk)
		return -1;
	ft->sum = search_term_sum(ft, m->pool + m->poollen, m->list,
	    m->skips + m->nskips);
	if (fwrite(m->list, 1, m->listlen, out) != m->listlen)
		return -1;
	m->datalen += m->listlen;
	m->poollen += len;
	m->nskips += nsk;
	m->nterms++;
	return 0;
}

/*
 * Merges the runs in fds[0..nruns-1] into the image at out (open,
 * empty); each fd is taken over (closed here, -1 in fds). 0 or -1.
 */
static int
search_merge_runs(const struct store *st, int *fds, size_t nruns,
    FILE *out)
{
	struct search_file_head h;
	struct search_merge m;
	struct search_run *runs;
	char *w, word[SEARCH_TERM_MAX];
	static const char zero[8];
	uint64_t key;
	uint32_t next, nposts;
	size_t k, len, i;
	int rc = -1;

	memset(&m, 0, sizeof(m));
	memset(&h, 0, sizeof(h));
	if ((runs = calloc(nruns + 1, sizeof(*runs))) == NULL)
		return -1;
	for (k = 0; k < nruns; k++) {
		if (lseek(fds[k], 0, SEEK_SET) == -1 ||
		    (runs[k].f = fdopen(fds[k], "rbe")) == NULL)
			goto done;
		fds[k] = -1;	/* the stream's now */
		if ((runs[k].buf = malloc(SEARCH_RUN_IO)) == NULL)
			goto done;
		setvbuf(runs[k].f, runs[k].buf, _IOFBF, SEARCH_RUN_IO);
		if (search_run_next(&runs[k]) == -1)
			goto done;
	}
	if (fwrite(&h, sizeof(h), 1, out) != 1)
		goto done;
	for (;;) {
		/* The least word of the runs' heads. */
		w = NULL;
		len = 0;
		for (k = 0; k < nruns; k++)
			if (runs[k].live && (w == NULL ||
			    search_cmp_word(runs[k].word, runs[k].h.len, w,
			    len) < 0)) {
				w = runs[k].word;
				len = runs[k].h.len;
			}
		if (w == NULL)
			break;
		memcpy(word, w, len);
		m.listlen = 0;
		next = 0;
		nposts = 0;
		/* Runs hold posts in chunk order: their lists follow on. */
		for (k = 0; k < nruns; k++) {
			if (!runs[k].live || runs[k].h.len != len ||
			    memcmp(runs[k].word, word, len) != 0)
				continue;
			if (nposts > UINT32_MAX - runs[k].h.nposts ||
			    search_merge_take(&m, &runs[k], &next) == -1)
				goto done;
			nposts += runs[k].h.nposts;
			if (search_run_next(&runs[k]) == -1)
				goto done;
		}
		if (search_merge_put(&m, word, len, nposts, out) == -1)
			goto done;
	}
	/* The tables after the lists, then the header at the front. */
	if (m.datalen % 8 != 0 &&
	    fwrite(zero, 1, 8 - m.datalen % 8, out) != 8 - m.datalen % 8)
		goto done;
	if (fwrite(m.terms, sizeof(*m.terms), m.nterms, out) != m.nterms ||
	    fwrite(m.skips, sizeof(*m.skips), m.nskips, out) != m.nskips)
		goto done;
	for (i = 0; i < st->nposts; i++) {
		key = search_post_key(st->posts[i]);
		if (fwrite(&key, sizeof(key), 1, out) != 1)
			goto done;
	}
	if (fwrite(m.pool, 1, m.poollen, out) != m.poollen)
		goto done;
	memcpy(h.magic, SEARCH_FILE_MAGIC, 8);
	h.order = SEARCH_FILE_ORDER;
	snprintf(h.stamp, sizeof(h.stamp), "%s", SEARCH_FILE_STAMP);
	h.nposts = st->nposts;
	h.nkeys = st->nposts;
	h.nterms = m.nterms;
	h.nskips = m.nskips;
	h.poollen = m.poollen;
	h.datalen = m.datalen;
	h.sum = search_head_sum(&h);
	if (fseek(out, 0, SEEK_SET) != 0 || fwrite(&h, sizeof(h), 1, out) != 1)
		goto done;
	rc = 0;
done:
	for (k = 0; k < nruns; k++) {
		if (runs[k].f != NULL)
			fclose(runs[k].f);
		free(runs[k].buf);
	}
	free(runs);
	free(m.terms);
	free(m.skips);
	free(m.pool);
	free(m.list);
	return rc;
}

int
search_build_file(const struct store *st, const char *path)
{
	size_t chunk = st->nposts / 16;

	/* Enough runs for both cores to share, each one not too large. */
	if (chunk < SEARCH_CHUNK_MIN)
		chunk = SEARCH_CHUNK_MIN;
	if (chunk > SEARCH_CHUNK)
		chunk = SEARCH_CHUNK;
	return search_build_runs(st, path, chunk);
}

int
search_build_runs(const struct store *st, const char *path, size_t chunk)
{
	struct search_job job;
	pthread_t th[SEARCH_THREADS];
	char tmp[PATH_MAX + 64];
	size_t k, n = 0;
	FILE *out;
	int rc = -1, saved;

	if (st->nposts >= UINT32_MAX) {
		errno = EOVERFLOW;
		return -1;
	}
	memset(&job, 0, sizeof(job));
	job.st = st;
	job.path = path;
	job.chunk = chunk > 0 ? chunk : 1;
	job.nchunks = (st->nposts + job.chunk - 1) / job.chunk;
	if ((job.fds = calloc(job.nchunks + 1, sizeof(*job.fds))) == NULL)
		return -1;
	for (k = 0; k < job.nchunks; k++)
		job.fds[k] = -1;
	atomic_init(&job.next, 0);
	atomic_init(&job.err, 0);
	for (k = 0; k < SEARCH_THREADS - 1; k++) {
		if (pthread_create(&th[k], NULL, search_job_main, &job) != 0)
			break;
		n++;
	}
	search_job_main(&job);
	for (k = 0; k < n; k++)
		pthread_join(th[k], NULL);
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	if (!atomic_load(&job.err) && (out = fopen(tmp, "w+be")) != NULL) {
		rc = search_merge_runs(st, job.fds, job.nchunks, out);
		if (fclose(out) != 0)
			rc = -1;
		saved = errno;
		if (rc == 0 && rename(tmp, path) == -1)
			rc = -1;
		if (rc == -1)
			unlink(tmp);
		errno = saved;
	}
	for (k = 0; k < job.nchunks; k++)
		if (job.fds[k] != -1)
			close(job.fds[k]);
	free(job.fds);
	return rc;
}

/* Indexes: a base matched to a store, and the delta. */

void
search_free(struct search_index *idx)
{
	if (idx == NULL)
		return;
	search_base_unref(idx->base);
	search_base_unref(idx->delta);
	free(idx->map);
	free(idx->from);
	free(idx);
}

static size_t
search_base_size(const struct search_base *b)
{
	return b != NULL ? b->len + (b->state != NULL ? b->nterms : 0) : 0;
}

/*
 * An index of st from base b (a reference is taken): its posts matched
 * by key, in order, and the rest indexed into a delta. With min, NULL
 * (why says) when fewer than min posts match. NULL also when out of
 * memory.
 */
static struct search_index *
search_attach(struct search_base *b, const struct store *st, size_t min,
    const char **why)
{
	struct search_index *idx;
	uint64_t *k = NULL;
	uint32_t *which = NULL;
	size_t n = st->nposts, nb = b->nkeys, i = 0, j = 0, d;
	size_t matched = 0, nd = 0;

	*why = "out of memory";
	if (n >= UINT32_MAX || b->nposts != b->nkeys)
		return NULL;
	if ((idx = calloc(1, sizeof(*idx))) == NULL)
		return NULL;
	idx->base = search_base_ref(b);
	idx->nposts = n;
	if ((k = malloc((n + 1) * sizeof(*k))) == NULL ||
	    (idx->map = malloc((nb + 1) * sizeof(*idx->map))) == NULL ||
	    (which = malloc((n + 1) * sizeof(*which))) == NULL)
		goto fail;
	for (i = 0; i < n; i++)
		k[i] = search_post_key(st->posts[i]);
	for (j = 0; j < nb; j++)
		idx->map[j] = SEARCH_GONE;
	/*
	 * Both in order, side by side: most posts are where they were. At a
	 * difference, a base post gone (removed, or edited: its key changed)
	 * or a post new to the store is looked for a little way on; else
	 * the store's post is read anew and the base's is dropped.
	 */
	i = j = 0;
	while (i < n && j < nb) {
		if (b->keys[j] != k[i]) {
			for (d = 1; d <= SEARCH_LOOKAHEAD && j + d < nb; d++)
				if (b->keys[j + d] == k[i])
					break;
			if (d <= SEARCH_LOOKAHEAD && j + d < nb)
				j += d;
			else {
				for (d = 1; d <= SEARCH_LOOKAHEAD && i + d < n;
				    d++)
					if (k[i + d] == b->keys[j])
						break;
				if (d > SEARCH_LOOKAHEAD || i + d >= n)
					j++;
				which[nd++] = (uint32_t)i++;
				continue;
			}
		}
		idx->map[j++] = (uint32_t)i++;
		matched++;
	}
	while (i < n)
		which[nd++] = (uint32_t)i++;
	free(k);
	k = NULL;
	if (matched < min) {
		*why = "of another store or an older one";
		goto fail;
	}
	if (matched == n && nb == n) {
		free(idx->map);
		idx->map = NULL;
	} else {
		if ((idx->from = malloc((n + 1) * sizeof(*idx->from))) == NULL)
			goto fail;
		for (i = 0, j = 0; i <= n; i++) {
			while (j < nb && (idx->map[j] == SEARCH_GONE ||
			    idx->map[j] < i))
				j++;
			idx->from[i] = (uint32_t)j;
		}
	}
	if (nd > 0 && (idx->delta = search_build_base(st, which, nd)) == NULL)
		goto fail;
	free(which);
	idx->ndelta = nd;
	idx->size = sizeof(*idx) + search_base_size(idx->base) +
	    search_base_size(idx->delta) + (idx->map != NULL ?
	    (nb + n + 2) * sizeof(uint32_t) : 0);
	*why = NULL;
	return idx;
fail:
	free(k);
	free(which);
	search_free(idx);
	return NULL;
}

struct search_index *
search_build(const struct store *st)
{
	struct search_base *b;
	struct search_index *idx;
	const char *why;

	if ((b = search_build_base(st, NULL, st->nposts)) == NULL)
		return NULL;
	idx = search_attach(b, st, 0, &why);
	search_base_unref(b);
	return idx;
}

struct search_index *
search_update(const struct search_index *prev, const struct store *st)
{
	const char *why;

	return search_attach(prev->base, st, 0, &why);
}

size_t
search_delta_posts(const struct search_index *idx)
{
	return idx->ndelta;
}

unsigned long
search_damaged(const struct search_index *idx)
{
	return atomic_load(&idx->base->bad);
}

size_t
search_index_size(const struct search_index *idx)
{
	return idx != NULL ? idx->size : 0;
}

size_t
search_index_posts(const struct search_index *idx)
{
	return idx->nposts;
}

/* Saving and loading. */

static int
search_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int
search_save(const struct search_index *idx, const struct store *st,
    const char *path)
{
	const struct search_base *b = idx->base;
	const void *img = b->mem != NULL ? b->mem : b->map;
	char tmp[PATH_MAX + 32];
	int fd, saved;

	(void)st;
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) ==
	    -1)
		return -1;
	if (search_write_all(fd, img, b->len) == -1 || close(fd) == -1 ||
	    rename(tmp, path) == -1) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}

struct search_index *
search_load(const char *path, const struct store *st, const char **why)
{
	struct search_base *b = NULL;
	struct search_index *idx;
	const struct search_file_head *h;
	struct stat sb;
	void *map = MAP_FAILED;
	size_t len;
	int fd;

	*why = "none saved yet";
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1) {
		if (errno != ENOENT)
			*why = strerror(errno);
		return NULL;
	}
	*why = "not an index of this build";
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    (size_t)sb.st_size < sizeof(*h) ||
	    (map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd,
	    0)) == MAP_FAILED) {
		close(fd);
		return NULL;
	}
	close(fd);
	len = (size_t)sb.st_size;
	h = map;
	if (memcmp(h->magic, SEARCH_FILE_MAGIC, 8) != 0 ||
	    h->order != SEARCH_FILE_ORDER ||
	    strncmp(h->stamp, SEARCH_FILE_STAMP, sizeof(h->stamp)) != 0)
		goto bad;
	*why = "damaged";
	if (search_head_sum(h) != h->sum || h->nkeys != h->nposts ||
	    h->nposts >= UINT32_MAX || h->poollen > UINT32_MAX ||
	    search_image_len(h->nterms, h->nskips, h->nkeys, h->poollen,
	    h->datalen) != len)
		goto bad;
	*why = "out of memory";
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->state = calloc(h->nterms + 1, 1)) == NULL)
		goto bad;
	search_base_point(b, map);
	b->map = map;
	b->len = len;
	atomic_init(&b->refs, 1);
	atomic_init(&b->bad, 0);
	/* Lists are checked when first used: the start reads the keys only. */
	/* Most posts must be the base's: else building anew is as quick. */
	idx = search_attach(b, st, st->nposts - st->nposts / 4, why);
	search_base_unref(b);
	return idx;
bad:
	if (b != NULL)
		free(b->state);
	free(b);
	munmap(map, len);
	return NULL;
}

/* Lists. */

static void
search_cur_open(struct search_cur *c, const struct search_base *b,
    size_t t, const struct search_index *idx, int mapped)
{
	const struct search_file_term *ft = &b->terms[t];

	memset(c, 0, sizeof(*c));
	c->data = c->p = b->data + ft->data;
	c->skips = b->skips + ft->skip;
	c->nposts = ft->nposts;
	if (mapped && idx->map != NULL) {
		c->map = idx->map;
		c->from = idx->from;
		c->nfrom = (uint32_t)idx->nposts;
	}
	c->live = 1;
}

/* The next posting of c at or after post target: 1, or 0 at the end. */
static int
search_cur_seek(struct search_cur *c, uint32_t target)
{
	size_t lo, hi, mid;
	uint32_t raw, cf, rt, post;

	if (!c->live)
		return 0;
	if (c->head && c->post >= target)
		return 1;
	c->head = 0;
	rt = c->from == NULL ? target :
	    c->from[target < c->nfrom ? target : c->nfrom];
	/*
	 * Skip whole blocks whose postings all come before target: only
	 * when the next block starts at or before it (a walk post after
	 * post stays in its block, with no search).
	 */
	hi = search_nskips(c->nposts);
	lo = c->i / SEARCH_BLOCK;
	if (lo < hi && c->skips[lo].base <= rt) {
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (c->skips[mid].base <= rt)
				lo = mid + 1;
			else
				hi = mid;
		}
		c->i = (uint32_t)(lo * SEARCH_BLOCK);
		c->p = c->data + c->skips[lo - 1].off;
		c->base = c->skips[lo - 1].base;
	}
	while (c->i < c->nposts) {
		raw = c->base + search_get_varint(&c->p);
		cf = search_get_varint(&c->p);
		c->base = raw + 1;
		c->i++;
		if (raw < rt)
			continue;
		post = c->map == NULL ? raw : c->map[raw];
		if (post == SEARCH_GONE)
			continue;
		c->post = post;
		c->cf = cf;
		c->head = 1;
		return 1;
	}
	c->live = 0;
	return 0;
}

/* Word w's term in b, usable, or -1. */
static long
search_base_find(struct search_base *b, const char *w, size_t len)
{
	size_t t = search_base_lower(b, w, len), tl;
	const char *tw;

	if (t >= b->nterms)
		return -1;
	tw = search_base_word(b, t, &tl);
	if (tl != len || memcmp(tw, w, len) != 0 || !search_base_usable(b, t))
		return -1;
	return (long)t;
}

/* One word of a prefix range: in the base, the delta, or both. */
struct search_pick {
	const char	*word;
	size_t		 len;
	long		 t[2];
	size_t		 nposts;
};

static int
search_cmp_pick(const void *a, const void *b)
{
	const struct search_pick *pa = a, *pb = b;

	return pa->nposts > pb->nposts ? -1 : pa->nposts < pb->nposts;
}

int
search_list_seek(struct search_list *l, uint32_t target)
{
	size_t i;
	int a, b;

	if (l->dense != NULL) {
		/* Targets only grow: all between the last one and post was 0. */
		if (l->at > 0 && target <= l->post)
			return 1;
		for (i = l->at > target ? l->at : target; i < l->ndense; i++)
			if (l->dense[i] != 0) {
				l->at = i + 1;
				l->post = (uint32_t)i;
				l->count = l->dense[i] >> 3;
				l->flags = l->dense[i] & 7;
				return 1;
			}
		l->at = l->ndense;
		return 0;
	}
	if (l->started && l->post >= target)
		return 1;
	a = search_cur_seek(&l->cur[0], target);
	b = search_cur_seek(&l->cur[1], target);
	if (!a && !b)
		return 0;
	i = !a || (b && l->cur[1].post < l->cur[0].post);
	l->started = 1;
	l->post = l->cur[i].post;
	l->count = l->cur[i].cf >> 3;
	l->flags = l->cur[i].cf & 7;
	return 1;
}

int
search_list_each(struct search_list *l, search_posting_cb cb, void *arg)
{
	struct search_cur *c;
	const uint8_t *p;
	uint32_t i, raw, base, cf, post;
	size_t k;
	int r;

	if (l->dense != NULL) {
		for (k = 0; k < l->ndense; k++)
			if (l->dense[k] != 0 && (r = cb(arg, (uint32_t)k,
			    l->dense[k])) != 0)
				return r;
		return 0;
	}
	/* The tight loop a common word needs: no seeks, no merge. */
	for (k = 0; k < 2; k++) {
		c = &l->cur[k];
		if (!c->live)
			continue;
		p = c->data;
		base = 0;
		for (i = 0; i < c->nposts; i++) {
			raw = base + search_get_varint(&p);
			cf = search_get_varint(&p);
			base = raw + 1;
			post = c->map == NULL ? raw : c->map[raw];
			if (post != SEARCH_GONE && (r = cb(arg, post, cf)) != 0)
				return r;
		}
	}
	return 0;
}

/* Merges one word's lists into l's table by post. */
static void
search_dense_add(struct search_list *l, const struct search_index *idx,
    const struct search_pick *pk)
{
	struct search_list one;
	uint32_t d, c;

	memset(&one, 0, sizeof(one));
	if (pk->t[0] >= 0)
		search_cur_open(&one.cur[0], idx->base, (size_t)pk->t[0], idx,
		    1);
	if (pk->t[1] >= 0)
		search_cur_open(&one.cur[1], idx->delta, (size_t)pk->t[1],
		    idx, 0);
	while (search_list_seek(&one, one.started ? one.post + 1 : 0) &&
	    one.post < l->ndense) {
		d = l->dense[one.post];
		c = (d >> 3) + one.count;
		if (d == 0)
			l->size++;
		if (c > SEARCH_COUNT_MAX)
			c = SEARCH_COUNT_MAX;
		l->dense[one.post] = c << 3 | (d & 7) | one.flags;
	}
}

int
search_list_open(const struct search_index *idx, const char *w, size_t len,
    int prefix, struct search_list *l)
{
	struct search_base *bs[2] = { idx->base, idx->delta };
	struct search_pick *picks = NULL, *pk;
	size_t at[2], end[2], n = 0, cap = 0, i, k, tl, sum = 0, used = 0;
	const char *tw;
	long t;
	int exact = 0, c;

	memset(l, 0, sizeof(*l));
	if (!prefix) {
		for (k = 0; k < 2; k++)
			if (bs[k] != NULL &&
			    (t = search_base_find(bs[k], w, len)) >= 0) {
				search_cur_open(&l->cur[k], bs[k], (size_t)t,
				    idx, k == 0);
				l->size += bs[k]->terms[t].nposts;
			}
		return l->size > 0 ? 0 : 1;
	}
	/* The words w begins, from both, merged in word order. */
	for (k = 0; k < 2; k++) {
		at[k] = end[k] = 0;
		if (bs[k] == NULL)
			continue;
		at[k] = end[k] = search_base_lower(bs[k], w, len);
		while (end[k] < bs[k]->nterms &&
		    end[k] - at[k] < SEARCH_PREFIX_SCAN) {
			tw = search_base_word(bs[k], end[k], &tl);
			if (tl < len || memcmp(tw, w, len) != 0)
				break;
			end[k]++;
		}
	}
	while (at[0] < end[0] || at[1] < end[1]) {
		const char *w0 = NULL, *w1 = NULL;
		size_t l0 = 0, l1 = 0;

		if (at[0] < end[0])
			w0 = search_base_word(bs[0], at[0], &l0);
		if (at[1] < end[1])
			w1 = search_base_word(bs[1], at[1], &l1);
		c = w0 == NULL ? 1 : w1 == NULL ? -1 :
		    search_cmp_word(w0, l0, w1, l1);
		if (search_grow(&picks, &cap, n + 1, sizeof(*picks), 64) == -1) {
			free(picks);
			return -1;
		}
		pk = &picks[n];
		pk->t[0] = pk->t[1] = -1;
		pk->nposts = 0;
		pk->word = c <= 0 ? w0 : w1;
		pk->len = c <= 0 ? l0 : l1;
		if (c <= 0) {
			if (search_base_usable(bs[0], at[0])) {
				pk->t[0] = (long)at[0];
				pk->nposts += bs[0]->terms[at[0]].nposts;
			}
			at[0]++;
		}
		if (c >= 0) {
			pk->t[1] = (long)at[1];
			pk->nposts += bs[1]->terms[at[1]].nposts;
			at[1]++;
		}
		if (pk->nposts > 0)
			n++;
	}
	if (n == 0) {
		free(picks);
		return 1;
	}
	/* The word itself always (first in word order), then the most used. */
	if (picks[0].len == len) {
		struct search_pick tmp = picks[0];

		exact = 1;
		picks[0] = picks[n - 1];
		picks[n - 1] = tmp;
	}
	qsort(picks, n - (size_t)exact, sizeof(*picks), search_cmp_pick);
	if (n == 1) {
		for (k = 0; k < 2; k++)
			if (picks[0].t[k] >= 0) {
				search_cur_open(&l->cur[k], bs[k],
				    (size_t)picks[0].t[k], idx, k == 0);
				l->size += bs[k]->terms[picks[0].t[k]].nposts;
			}
		free(picks);
		return 0;
	}
	if ((l->dense = calloc(idx->nposts + 1, sizeof(*l->dense))) == NULL) {
		free(picks);
		return -1;
	}
	l->ndense = idx->nposts;
	if (exact) {
		search_dense_add(l, idx, &picks[n - 1]);
		used++;
	}
	for (i = 0; i < n - (size_t)exact && used < SEARCH_PREFIX_TERMS; i++) {
		if (sum + picks[i].nposts > SEARCH_PREFIX_POSTINGS)
			break;
		sum += picks[i].nposts;
		search_dense_add(l, idx, &picks[i]);
		used++;
	}
	free(picks);
	return 0;
}

void
search_list_close(struct search_list *l)
{
	free(l->dense);
	l->dense = NULL;
}
