/*
 * search.c: the inverted word index of a snapshot, and queries on it.
 *
 * search_build() walks every post once and leaves a sorted array of
 * folded words, each with its posting list: posts in store order (newest
 * first), each as a varint gap and a varint of its count and where the
 * word was seen (title, tag, body), about 2-3 bytes a posting against 12
 * for fixed fields. A skip entry every SEARCH_BLOCK postings lets a list
 * be entered in the middle. A query looks its words up by binary search
 * (the last word also as a prefix), intersects their lists from the
 * shortest one, and keeps only the best page * per hits in a heap, so a
 * common word costs a pass over its list and no sort of every match.
 * Excerpts are found at render time by scanning the post's body.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "config.h"
#include "search.h"
#include "url.h"
#include "utf8.h"

atomic_ulong	search_rankings;

#define SEARCH_IN_TITLE	0x1
#define SEARCH_IN_TAG	0x2
#define SEARCH_IN_BODY	0x4
#define SEARCH_BLOCK	64	/* postings between skip entries */
#define SEARCH_COUNT_MAX 0xffff	/* a posting's count saturates here */
#define SEARCH_CONTEXT	60	/* excerpt bytes before the first hit */
#define SEARCH_LOOKBACK	160	/* bytes searched back for a cut point */
#define SEARCH_PREFIX_SCAN 4096	/* words of a prefix range looked at */
#define SEARCH_PREFIX_POSTINGS 500000	/* postings one prefix may merge */

/* Where block k + 1 of a posting list starts. */
struct search_skip {
	uint32_t	 base;		/* post of the posting before it, + 1 */
	uint32_t	 off;		/* byte offset in the list */
};

struct search_term {
	const char		*word;	/* folded, not NUL-terminated */
	uint32_t		 len;
	uint32_t		 nposts;
	const uint8_t		*data;	/* the encoded postings */
	const struct search_skip *skips; /* (nposts - 1) / SEARCH_BLOCK */
};

struct search_index {
	struct search_term	*terms;	/* sorted by word bytes */
	size_t			 nterms;
	char			*pool;	/* the words */
	uint8_t			*data;	/* every list, one after another */
	struct search_skip	*skips;
	size_t			 size;	/* bytes of all of it */
	size_t			 poollen, datalen;
	void			*map;	/* a saved index, mapped: pool and
					   data lie in it */
	size_t			 maplen;
};

/*
 * Folding. Words are runs of letters, digits, '_' and apostrophes inside
 * them; everything is lowercased and Latin letters lose their accents, so
 * "Édith" finds "edith". A table per Latin block gives the base letter:
 * '.' keeps the letter (lowercased), '-' marks a symbol, not a letter.
 */
static const char search_latin1[] =
    "aaaaaa.ceeeeiiii.nooooo-ouuuuy.."	/* U+00C0..U+00DF */
    "aaaaaa.ceeeeiiii.nooooo-ouuuuy.y";	/* U+00E0..U+00FF */
static const char search_latin_a[] =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii..jjkkkllllllllll"
    "nnnnnnn..oooooo..rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
					/* U+0100..U+017F */

/* The folded form of c, or 0 when c is no word character. */
static inline uint32_t
search_fold(uint32_t c)
{
	char t;

	if (c < 0x80) {
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '_')
			return c;
		if (c >= 'A' && c <= 'Z')
			return c + 32;
		return 0;
	}
	if (c < 0xc0) {
		if (c == 0xaa)
			return 'a';
		if (c == 0xba)
			return 'o';
		if (c == 0xb5)
			return 0x3bc;	/* micro sign: Greek mu */
		return 0;
	}
	if (c < 0x100) {
		t = search_latin1[c - 0xc0];
		if (t == '-')
			return 0;
		if (t == '.')
			return c < 0xdf ? c + 0x20 : c;
		return (uint32_t)t;
	}
	if (c < 0x180) {
		t = search_latin_a[c - 0x100];
		return t == '.' ? (c | 1) : (uint32_t)t;
	}
	if (c >= 0x391 && c <= 0x3a9)
		return c + 0x20;	/* Greek capitals */
	if (c == 0x3c2)
		return 0x3c3;		/* final sigma */
	if (c == 0x37e || c == 0x387)
		return 0;		/* Greek question mark, ano teleia */
	if (c >= 0x400 && c <= 0x40f)
		return c + 0x50;	/* Cyrillic capitals */
	if (c >= 0x410 && c <= 0x42f)
		return c + 0x20;
	/* Punctuation and symbol blocks; letters of other scripts stay. */
	if ((c >= 0x2000 && c <= 0x2bff) || (c >= 0x2e00 && c <= 0x2e7f) ||
	    (c >= 0x3000 && c <= 0x303f) || (c >= 0xe000 && c <= 0xf8ff) ||
	    (c >= 0xfe10 && c <= 0xfe6f) || (c >= 0xff00 && c <= 0xff0f) ||
	    (c >= 0xff1a && c <= 0xff20) || (c >= 0xff3b && c <= 0xff40) ||
	    (c >= 0xff5b && c <= 0xff65) || c >= 0xfff0 ||
	    (c >= 0x1f000 && c <= 0x1faff) || c == 0x60c || c == 0x61b ||
	    c == 0x61f || c == 0x6d4 || c == 0x2bc || c == 0xfeff)
		return 0;
	return c;
}

/* Straight, curly and modifier apostrophes all join a word the same way. */
static int
search_apostrophe(uint32_t c)
{
	return c == '\'' || c == 0x2019 || c == 0x2018 || c == 0x2bc;
}

/* Decodes at s; a bad byte reads as one non-word character. */
static inline size_t
search_decode(const char *s, size_t len, uint32_t *c)
{
	size_t n;

	/* Most text is ASCII: skip the decoder for it. */
	if ((unsigned char)*s < 0x80) {
		*c = (unsigned char)*s;
		return 1;
	}
	if ((n = utf8_decode(s, len, c)) == 0) {
		*c = 0xfffd;
		return 1;
	}
	return n;
}

/* 1 when the character at s is a word character. */
static int
search_is_word(const char *s, size_t len)
{
	uint32_t c;

	search_decode(s, len, &c);
	return search_fold(c) != 0;
}

/*
 * The walk behind search_words(): with stems, a word with an apostrophe
 * ("khamenei's") is also given without its tail ("khamenei"), so either
 * form of the query finds it. A word longer than SEARCH_TERM_MAX is cut
 * between characters, the same way for the index and for queries.
 */
static int
search_walk(const char *s, size_t len, int stems, search_word_cb cb,
    void *arg)
{
	char word[SEARCH_TERM_MAX], enc[4];
	size_t i = 0, n, start, wl, el, stem;
	uint32_t c, f;
	int r, full;

	while (i < len) {
		n = search_decode(s + i, len - i, &c);
		if (search_fold(c) == 0) {
			i += n;
			continue;
		}
		start = i;
		wl = stem = 0;
		full = 0;
		for (; i < len; i += n) {
			n = search_decode(s + i, len - i, &c);
			if ((f = search_fold(c)) == 0) {
				/* An apostrophe joins only between letters. */
				if (!search_apostrophe(c) || i + n >= len ||
				    !search_is_word(s + i + n, len - i - n))
					break;
				f = '\'';
			}
			if (f < 0x80) {
				enc[0] = (char)f;
				el = 1;
			} else
				el = utf8_encode(f, enc);
			if (full || wl + el > SEARCH_TERM_MAX) {
				full = 1;
				continue;
			}
			if (f == '\'' && stem == 0)
				stem = wl;
			memcpy(word + wl, enc, el);
			wl += el;
		}
		if ((r = cb(arg, word, wl, start)) != 0)
			return r;
		if (stems && stem > 0 && (r = cb(arg, word, stem, start)) != 0)
			return r;
	}
	return 0;
}

int
search_words(const char *s, size_t len, search_word_cb cb, void *arg)
{
	return search_walk(s, len, 1, cb, arg);
}

int
search_blank(const char *q)
{
	if (q == NULL)
		return 1;
	for (; *q != '\0'; q++)
		if (*q != ' ' && *q != '\t' && *q != '\r' && *q != '\n')
			return 0;
	return 1;
}

/*
 * The body of p as search reads it, building the index and cutting
 * excerpts: the one place it is read, so where bodies live (memory, or
 * the post's file) is decided here alone.
 */
static const char *
search_body(const struct store *st, const struct post *p,
    struct post_text *pt, size_t *len)
{
	/* A post that cannot be read now has no words and no excerpt. */
	if (store_post_text(st, p, pt) == -1) {
		*len = 0;
		return NULL;
	}
	*len = pt->body_len;
	return pt->body;
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

static inline uint32_t
search_get_varint(const uint8_t **pp)
{
	const uint8_t *p = *pp;
	uint32_t v = 0;
	int shift = 0;

	while (*p & 0x80) {
		v |= (uint32_t)(*p++ & 0x7f) << shift;
		shift += 7;
	}
	v |= (uint32_t)*p++ << shift;
	*pp = p;
	return v;
}

/* Building. Each word's list grows in its own buffer until the end. */

struct search_bterm {
	size_t		 off;		/* of the word in the pool */
	uint32_t	 len;
	uint32_t	 nposts;
	uint32_t	 touched;	/* post index + 1 that counted it last */
	uint32_t	 base;		/* post + 1 of its last posting */
	uint32_t	 count;		/* in the post being read */
	uint8_t		 flags;
	uint8_t		*data;
	size_t		 dlen, dcap;
};

struct search_builder {
	struct search_bterm	*terms;
	size_t			 nterms, capterms;
	uint32_t		*slots;		/* term + 1; 0 is empty */
	size_t			 nslots;	/* a power of two */
	char			*pool;
	size_t			 poollen, poolcap;
	uint32_t		*touched;	/* terms seen in this post */
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
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

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

static int
search_rehash(struct search_builder *b)
{
	size_t n = b->nslots ? b->nslots * 2 : 1024, i, j;
	uint32_t *s;

	if ((s = calloc(n, sizeof(*s))) == NULL)
		return -1;
	for (i = 0; i < b->nterms; i++) {
		j = search_hash(b->pool + b->terms[i].off, b->terms[i].len) &
		    (n - 1);
		while (s[j] != 0)
			j = (j + 1) & (n - 1);
		s[j] = (uint32_t)i + 1;
	}
	free(b->slots);
	b->slots = s;
	b->nslots = n;
	return 0;
}

/* The term of word, added when new; -1 when out of memory. */
static long
search_intern(struct search_builder *b, const char *w, size_t len)
{
	struct search_bterm *t;
	size_t j;

	if ((b->nterms + 1) * 2 > b->nslots && search_rehash(b) == -1)
		return -1;
	j = search_hash(w, len) & (b->nslots - 1);
	for (; b->slots[j] != 0; j = (j + 1) & (b->nslots - 1)) {
		t = &b->terms[b->slots[j] - 1];
		if (t->len == len && memcmp(b->pool + t->off, w, len) == 0)
			return (long)(b->slots[j] - 1);
	}
	if (b->nterms >= UINT32_MAX - 1 ||
	    search_grow(&b->terms, &b->capterms, b->nterms + 1,
	    sizeof(*b->terms), 1024) == -1 ||
	    search_grow(&b->pool, &b->poolcap, b->poollen + len, 1, 4096) == -1)
		return -1;
	memcpy(b->pool + b->poollen, w, len);
	t = &b->terms[b->nterms];
	memset(t, 0, sizeof(*t));
	t->off = b->poollen;
	t->len = (uint32_t)len;
	b->poollen += len;
	b->slots[j] = (uint32_t)b->nterms + 1;
	return (long)b->nterms++;
}

static int
search_add_word(void *arg, const char *w, size_t len, size_t off)
{
	struct search_builder *b = arg;
	struct search_bterm *t;
	long ti;

	(void)off;
	if ((ti = search_intern(b, w, len)) == -1) {
		b->err = 1;
		return -1;
	}
	t = &b->terms[ti];
	if (t->touched != b->post + 1) {
		if (search_grow(&b->touched, &b->captouched, b->ntouched + 1,
		    sizeof(*b->touched), 256) == -1) {
			b->err = 1;
			return -1;
		}
		b->touched[b->ntouched++] = (uint32_t)ti;
		t->touched = b->post + 1;
		t->count = 0;
		t->flags = 0;
	}
	if (t->count < SEARCH_COUNT_MAX)
		t->count++;
	t->flags |= b->flag;
	return 0;
}

/* Appends the post's posting to every word it holds. */
static int
search_end_post(struct search_builder *b)
{
	struct search_bterm *t;
	uint8_t enc[10];
	size_t i, n;

	for (i = 0; i < b->ntouched; i++) {
		t = &b->terms[b->touched[i]];
		n = search_put_varint(enc, b->post - t->base);
		n += search_put_varint(enc + n, t->count << 3 | t->flags);
		if (search_grow(&t->data, &t->dcap, t->dlen + n, 1, 4) == -1)
			return -1;
		memcpy(t->data + t->dlen, enc, n);
		t->dlen += n;
		t->base = b->post + 1;
		if (t->nposts > 0 && t->nposts % SEARCH_BLOCK == 0)
			b->nskips++;
		t->nposts++;
		b->datalen += n;
	}
	b->ntouched = 0;
	return 0;
}

struct search_sortkey {
	const char	*word;
	uint32_t	 len;
	uint32_t	 term;
};

static int
search_cmp_word(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	if (c != 0)
		return c;
	return al < bl ? -1 : al > bl;
}

static int
search_cmp_key(const void *a, const void *b)
{
	const struct search_sortkey *ka = a, *kb = b;

	return search_cmp_word(ka->word, ka->len, kb->word, kb->len);
}

/* The skip entries of a finished list, by walking it once. */
static size_t
search_skips(const uint8_t *data, uint32_t nposts, struct search_skip *out)
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

/* Moves the builder's lists into the index, word by word, in word order. */
static struct search_index *
search_finish(struct search_builder *b)
{
	struct search_index *idx;
	struct search_sortkey *keys = NULL;
	struct search_bterm *bt;
	size_t i, at = 0, sk = 0;

	if ((idx = calloc(1, sizeof(*idx))) == NULL)
		return NULL;
	if ((idx->terms = calloc(b->nterms + 1, sizeof(*idx->terms))) == NULL ||
	    (idx->pool = malloc(b->poollen + 1)) == NULL ||
	    (idx->data = malloc(b->datalen + 1)) == NULL ||
	    (idx->skips = calloc(b->nskips + 1, sizeof(*idx->skips))) ==
	    NULL || (keys = calloc(b->nterms + 1, sizeof(*keys))) == NULL) {
		free(keys);
		search_free(idx);
		return NULL;
	}
	if (b->poollen > 0)
		memcpy(idx->pool, b->pool, b->poollen);
	for (i = 0; i < b->nterms; i++) {
		keys[i].word = idx->pool + b->terms[i].off;
		keys[i].len = b->terms[i].len;
		keys[i].term = (uint32_t)i;
	}
	qsort(keys, b->nterms, sizeof(*keys), search_cmp_key);
	for (i = 0; i < b->nterms; i++) {
		bt = &b->terms[keys[i].term];
		idx->terms[i].word = keys[i].word;
		idx->terms[i].len = keys[i].len;
		idx->terms[i].nposts = bt->nposts;
		idx->terms[i].data = idx->data + at;
		idx->terms[i].skips = idx->skips + sk;
		memcpy(idx->data + at, bt->data, bt->dlen);
		sk += search_skips(idx->data + at, bt->nposts,
		    idx->skips + sk);
		at += bt->dlen;
		/* Freed as it is copied: the peak stays near one index. */
		free(bt->data);
		bt->data = NULL;
	}
	free(keys);
	idx->nterms = b->nterms;
	idx->poollen = b->poollen;
	idx->datalen = b->datalen;
	idx->size = sizeof(*idx) + (b->nterms + 1) * sizeof(*idx->terms) +
	    b->poollen + b->datalen + (b->nskips + 1) * sizeof(*idx->skips);
	return idx;
}

/* Returns NULL when out of memory; the snapshot goes on without search. */
struct search_index *
search_build(const struct store *st)
{
	struct search_builder b;
	struct search_index *idx = NULL;
	const struct post *p;
	struct post_text pt;
	const char *body;
	size_t i, j, blen;

	memset(&b, 0, sizeof(b));
	for (i = 0; i < st->nposts && !b.err; i++) {
		p = st->posts[i];
		b.post = (uint32_t)i;
		b.flag = SEARCH_IN_TITLE;
		search_words(p->title, strlen(p->title), search_add_word, &b);
		b.flag = SEARCH_IN_TAG;
		for (j = 0; j < p->ntags && !b.err; j++)
			search_words(p->tags[j], strlen(p->tags[j]),
			    search_add_word, &b);
		b.flag = SEARCH_IN_BODY;
		if (!b.err) {
			if ((body = search_body(st, p, &pt, &blen)) != NULL)
				search_words(body, blen, search_add_word, &b);
			store_post_text_free(&pt);
		}
		if (!b.err && search_end_post(&b) == -1)
			b.err = 1;
	}
	if (!b.err)
		idx = search_finish(&b);
	for (i = 0; i < b.nterms; i++)
		free(b.terms[i].data);
	free(b.terms);
	free(b.slots);
	free(b.pool);
	free(b.touched);
#ifdef __GLIBC__
	/* The lists grew in many small buffers: give their pages back. */
	malloc_trim(0);
#endif
	return idx;
}

void
search_free(struct search_index *idx)
{
	if (idx == NULL)
		return;
	free(idx->terms);
	if (idx->map != NULL)
		munmap(idx->map, idx->maplen);
	else {
		free(idx->pool);
		free(idx->data);
	}
	free(idx->skips);
	free(idx);
}

size_t
search_index_size(const struct search_index *idx)
{
	return idx != NULL ? idx->size : 0;
}

/* Queries. */

static int
search_add_query_word(void *arg, const char *w, size_t len, size_t off)
{
	struct search_query *q = arg;
	size_t i;

	(void)off;
	for (i = 0; i < q->n; i++)
		if (q->lens[i] == len && memcmp(q->words[i], w, len) == 0)
			return 0;
	if (q->n == SEARCH_MAX_TERMS) {
		q->toomany = 1;
		return 1;
	}
	memcpy(q->words[q->n], w, len);
	q->words[q->n][len] = '\0';
	q->lens[q->n++] = len;
	return 0;
}

static int
search_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Trims s into out (SEARCH_QUERY_MAX + 1 bytes) and parses its words
 * into q. Returns why the query cannot be run, or NULL when it can.
 */
static const char *
search_parse_query(const char *s, char *out, struct search_query *q)
{
	size_t len, i, n;
	uint32_t c;

	memset(q, 0, sizeof(*q));
	out[0] = '\0';
	if (search_blank(s))
		return "Type one or more words to search the archive.";
	while (search_space(*s))
		s++;
	for (len = strlen(s); search_space(s[len - 1]); len--)
		;
	if (len > SEARCH_QUERY_MAX)
		return "That query is too long: use at most 256 bytes.";
	memcpy(out, s, len);
	out[len] = '\0';
	if (!utf8_valid(out, len))
		return "That query is not valid UTF-8 text.";
	for (i = 0; i < len; i += n) {
		n = utf8_decode(out + i, len - i, &c);
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
			return "That query holds control characters.";
	}
	search_walk(out, len, 0, search_add_query_word, q);
	if (q->toomany)
		return "That query has too many words: use at most 16.";
	if (q->n == 0)
		return "That query has no words in it, only punctuation.";
	q->prefix = q->lens[q->n - 1] >= SEARCH_PREFIX_MIN;
	return NULL;
}

/* The first term >= w (nterms when none). */
static size_t
search_lower(const struct search_index *idx, const char *w, size_t len)
{
	size_t lo = 0, hi = idx->nterms, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (search_cmp_word(idx->terms[mid].word, idx->terms[mid].len,
		    w, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
search_has_prefix(const struct search_term *t, const char *w, size_t len)
{
	return t->len >= len && memcmp(t->word, w, len) == 0;
}

/* A cursor over one posting list. */
struct search_cur {
	const struct search_term *t;
	const uint8_t	*p;
	uint32_t	 i;		/* postings read */
	uint32_t	 base;		/* post + 1 of the last one read */
};

/*
 * The list of one query word: one term's postings, or for a prefix that
 * stands for several words their union, merged into a table by post.
 */
struct search_list {
	struct search_cur	 cur;
	uint32_t		*dense;	/* count << 3 | flags; 0: absent */
	size_t			 ndense;
	size_t			 size;	/* postings, to order the lists */
	size_t			 at;	/* next post a dense list looks at */
	uint32_t		 post, count;
	uint8_t			 flags;
};

static void
search_cur_init(struct search_cur *c, const struct search_term *t)
{
	c->t = t;
	c->p = t->data;
	c->i = 0;
	c->base = 0;
}

/* The next posting with post >= target: 1 with it in l, 0 at the end. */
static int
search_cur_seek(struct search_list *l, uint32_t target)
{
	struct search_cur *c = &l->cur;
	const struct search_term *t = c->t;
	size_t lo = 0, hi, mid;
	uint32_t post, cf;

	if (c->i > 0 && l->post >= target)
		return 1;
	/* Skip whole blocks whose postings all come before target. */
	hi = t->nposts > 0 ? (t->nposts - 1) / SEARCH_BLOCK : 0;
	if (hi > 0 && t->skips[0].base <= target &&
	    (size_t)(c->i / SEARCH_BLOCK) < hi) {
		while (lo < hi) {
			mid = lo + (hi - lo) / 2;
			if (t->skips[mid].base <= target)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo * SEARCH_BLOCK > c->i) {
			c->i = (uint32_t)(lo * SEARCH_BLOCK);
			c->p = t->data + t->skips[lo - 1].off;
			c->base = t->skips[lo - 1].base;
		}
	}
	while (c->i < t->nposts) {
		post = c->base + search_get_varint(&c->p);
		cf = search_get_varint(&c->p);
		c->base = post + 1;
		c->i++;
		if (post >= target) {
			l->post = post;
			l->count = cf >> 3;
			l->flags = cf & 7;
			return 1;
		}
	}
	return 0;
}

static int
search_list_seek(struct search_list *l, uint32_t target)
{
	size_t i;

	if (l->dense == NULL)
		return search_cur_seek(l, target);
	/* Targets only grow: all between the last target and post was 0. */
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

static int
search_cmp_nposts(const void *a, const void *b)
{
	const struct search_term *ta = *(const struct search_term *const *)a;
	const struct search_term *tb = *(const struct search_term *const *)b;

	return ta->nposts > tb->nposts ? -1 : ta->nposts < tb->nposts;
}

/*
 * The list of word w: its own postings, and with prefix those of the
 * words it begins too (the SEARCH_PREFIX_TERMS most used ones). Returns
 * 0 with l set, 1 when nothing matches, -1 when out of memory.
 */
static int
search_list_open(const struct store *st, const struct search_index *idx,
    const char *w, size_t len, int prefix, struct search_list *l)
{
	const struct search_term *pick[SEARCH_PREFIX_TERMS + 1], *t;
	const struct search_term **range;
	struct search_list one;
	size_t at = search_lower(idx, w, len), n = 0, i, end, sum = 0;
	int exact;

	memset(l, 0, sizeof(*l));
	end = at;
	if (prefix)
		while (end < idx->nterms && end - at < SEARCH_PREFIX_SCAN &&
		    search_has_prefix(&idx->terms[end], w, len))
			end++;
	else if (at < idx->nterms && idx->terms[at].len == len &&
	    memcmp(idx->terms[at].word, w, len) == 0)
		end = at + 1;
	if (end == at)
		return 1;
	if (end - at == 1) {
		search_cur_init(&l->cur, &idx->terms[at]);
		l->size = idx->terms[at].nposts;
		return 0;
	}
	/* The most used words of the range; the word itself always. */
	if ((range = calloc(end - at, sizeof(*range))) == NULL)
		return -1;
	for (i = at; i < end; i++)
		range[i - at] = &idx->terms[i];
	qsort(range, end - at, sizeof(*range), search_cmp_nposts);
	if ((exact = idx->terms[at].len == len))
		pick[n++] = &idx->terms[at];
	for (i = 0; i < end - at && n < SEARCH_PREFIX_TERMS; i++) {
		if (exact && range[i] == &idx->terms[at])
			continue;
		if (sum + range[i]->nposts > SEARCH_PREFIX_POSTINGS)
			break;
		sum += range[i]->nposts;
		pick[n++] = range[i];
	}
	free(range);
	if ((l->dense = calloc(st->nposts + 1, sizeof(*l->dense))) == NULL)
		return -1;
	l->ndense = st->nposts;
	for (i = 0; i < n; i++) {
		t = pick[i];
		memset(&one, 0, sizeof(one));
		search_cur_init(&one.cur, t);
		while (search_cur_seek(&one, one.cur.i > 0 ? one.post + 1 : 0) &&
		    one.post < l->ndense) {
			uint32_t d = l->dense[one.post];
			uint32_t c = (d >> 3) + one.count;

			if (d == 0)
				l->size++;
			if (c > SEARCH_COUNT_MAX)
				c = SEARCH_COUNT_MAX;
			l->dense[one.post] = c << 3 | (d & 7) | one.flags;
		}
	}
	return 0;
}

/* Title hits, then tag hits, then more occurrences, then newer posts. */
static int
search_cmp_hit(const void *a, const void *b)
{
	const struct search_hit *ha = a, *hb = b;

	if (ha->title_hits != hb->title_hits)
		return ha->title_hits > hb->title_hits ? -1 : 1;
	if (ha->tag_hits != hb->tag_hits)
		return ha->tag_hits > hb->tag_hits ? -1 : 1;
	if (ha->count != hb->count)
		return ha->count > hb->count ? -1 : 1;
	return ha->at < hb->at ? -1 : ha->at > hb->at;
}

/* The best hits kept so far: a heap whose root is the worst of them. */
struct search_top {
	struct search_hit	*h;
	size_t			 n, cap;
	size_t			 keep;	/* SIZE_MAX: keep every hit */
	size_t			 total;
};

static void
search_top_down(struct search_top *top, size_t j)
{
	struct search_hit x = top->h[j];
	size_t c;

	for (;; j = c) {
		c = 2 * j + 1;
		if (c >= top->n)
			break;
		if (c + 1 < top->n && search_cmp_hit(&top->h[c + 1],
		    &top->h[c]) > 0)
			c++;
		if (search_cmp_hit(&top->h[c], &x) <= 0)
			break;
		top->h[j] = top->h[c];
	}
	top->h[j] = x;
}

static int
search_top_add(struct search_top *top, const struct search_hit *h)
{
	size_t j;

	top->total++;
	if (top->keep == 0)
		return 0;
	if (top->n == top->keep) {
		if (search_cmp_hit(h, &top->h[0]) >= 0)
			return 0;
		top->h[0] = *h;
		search_top_down(top, 0);
		return 0;
	}
	if (search_grow(&top->h, &top->cap, top->n + 1, sizeof(*top->h),
	    64) == -1)
		return -1;
	/* Sift up; with keep SIZE_MAX it is never popped, only sorted. */
	for (j = top->n++; j > 0 && search_cmp_hit(h,
	    &top->h[(j - 1) / 2]) > 0; j = (j - 1) / 2)
		top->h[j] = top->h[(j - 1) / 2];
	top->h[j] = *h;
	return 0;
}

/*
 * Every post that holds all of q's words, offered to top. The shortest
 * list leads; the others are only probed, skipping blocks as they go.
 */
static int
search_match(const struct store *st, const struct search_index *idx,
    const struct search_query *q, struct search_top *top)
{
	struct search_list lists[SEARCH_MAX_TERMS], tmp;
	struct search_hit h;
	size_t i, j, n = 0;
	uint32_t post = 0;
	int r = 0, found;

	for (i = 0; i < q->n; i++) {
		r = search_list_open(st, idx, q->words[i], q->lens[i],
		    q->prefix && i == q->n - 1, &lists[n]);
		if (r != 0)
			goto done;
		n++;
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && lists[j].size < lists[j - 1].size; j--) {
			tmp = lists[j];
			lists[j] = lists[j - 1];
			lists[j - 1] = tmp;
		}
	while (search_list_seek(&lists[0], post)) {
		post = lists[0].post;
		found = 1;
		for (i = 1; i < n; i++) {
			if (!search_list_seek(&lists[i], post))
				goto done;
			if (lists[i].post != post) {
				found = 0;
				break;
			}
		}
		if (found && post < st->nposts) {
			memset(&h, 0, sizeof(h));
			h.post = st->posts[post];
			h.at = post;
			for (i = 0; i < n; i++) {
				h.title_hits += (lists[i].flags &
				    SEARCH_IN_TITLE) != 0;
				h.tag_hits += (lists[i].flags &
				    SEARCH_IN_TAG) != 0;
				h.body_hits += (lists[i].flags &
				    SEARCH_IN_BODY) != 0;
				h.tag_only += lists[i].flags == SEARCH_IN_TAG;
				h.count += lists[i].count;
			}
			if (search_top_add(top, &h) == -1) {
				r = -1;
				goto done;
			}
			post++;
		} else if (!found)
			post = lists[i].post;	/* the one that went past */
		else
			post++;
	}
 done:
	for (i = 0; i < n; i++)
		free(lists[i].dense);
	return r == -1 ? -1 : 0;
}

int
search_query(const struct store *st, const struct search_index *idx,
    const char *query, unsigned page, size_t per, struct search_results *res)
{
	struct search_top top;
	size_t keep;

	memset(res, 0, sizeof(*res));
	res->page = page == 0 ? 1 : page;
	res->pages = 1;
	if ((res->why = search_parse_query(query, res->query, &res->q)) !=
	    NULL)
		return 0;
	if (idx == NULL) {
		res->why = "Search is not available right now.";
		return 0;
	}
	if (url_encode(res->query, res->enc, sizeof(res->enc)) == -1)
		res->enc[0] = '\0';
	if (per == 0)
		per = 1;
	res->from = (size_t)(res->page - 1) * per;
	memset(&top, 0, sizeof(top));
	/*
	 * Past page 1 the matches are counted first, keeping none: a page
	 * past the last (any number a client makes up) then costs a count,
	 * never a ranking of every match.
	 */
	if (res->page > 1) {
		if (search_match(st, idx, &res->q, &top) == -1)
			return -1;
		if (res->from >= top.total) {
			res->total = top.total;
			res->pages = (unsigned)((top.total + per - 1) / per);
			if (res->pages == 0)
				res->pages = 1;
			res->from = top.total;
			return 0;
		}
		top.total = 0;
	}
	keep = (size_t)res->page * per;
	top.keep = keep;
	atomic_fetch_add_explicit(&search_rankings, 1, memory_order_relaxed);
	if (search_match(st, idx, &res->q, &top) == -1) {
		free(top.h);
		return -1;
	}
	if (top.n > 0)
		qsort(top.h, top.n, sizeof(*top.h), search_cmp_hit);
	res->total = top.total;
	res->pages = (unsigned)((top.total + per - 1) / per);
	if (res->pages == 0)
		res->pages = 1;
	res->from = (size_t)(res->page - 1) * per;
	if (res->from >= top.n) {
		res->from = top.total < res->from ? top.total : res->from;
		free(top.h);
		return 0;
	}
	res->nhits = top.n - res->from < per ? top.n - res->from : per;
	memmove(top.h, top.h + res->from, res->nhits * sizeof(*top.h));
	res->hits = top.h;
	return 0;
}

void
search_results_free(struct search_results *res)
{
	free(res->hits);
	res->hits = NULL;
	res->nhits = 0;
}

int
search_run(const struct store *st, const struct search_index *idx,
    const char *query, struct search_hit **hitsp, size_t *nhitsp,
    const char **why)
{
	struct search_query q;
	struct search_top top;
	char trimmed[SEARCH_QUERY_MAX + 1];

	*hitsp = NULL;
	*nhitsp = 0;
	if ((*why = search_parse_query(query, trimmed, &q)) != NULL)
		return 1;
	if (idx == NULL) {
		*why = "Search is not available right now.";
		return 1;
	}
	memset(&top, 0, sizeof(top));
	top.keep = SIZE_MAX;
	if (search_match(st, idx, &q, &top) == -1) {
		free(top.h);
		return -1;
	}
	if (top.n > 0)
		qsort(top.h, top.n, sizeof(*top.h), search_cmp_hit);
	if (top.n == 0) {
		free(top.h);
		top.h = NULL;
	}
	*hitsp = top.h;
	*nhitsp = top.n;
	return 0;
}

/* Excerpts. */

/* Start of the character holding byte i (going back over continuations). */
static size_t
search_char_start(const char *s, size_t i)
{
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	return i;
}

/* 1 when the folded word w is one of q's words (the last as a prefix). */
static int
search_query_has(const struct search_query *q, const char *w, size_t len)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		if (q->lens[i] == len && memcmp(q->words[i], w, len) == 0)
			return 1;
		if (q->prefix && i == q->n - 1 && len > q->lens[i] &&
		    memcmp(q->words[i], w, q->lens[i]) == 0)
			return 1;
	}
	return 0;
}

struct search_find {
	const struct search_query	*q;
	size_t				 off;
};

static int
search_find_word(void *arg, const char *w, size_t len, size_t off)
{
	struct search_find *f = arg;

	if (!search_query_has(f->q, w, len))
		return 0;
	f->off = off;
	return 1;
}

/*
 * Bytes of gemtext markup that open the line at s (n bytes): "#"s and a
 * space, "> ", "* ", and "=> target " of a link. A preformatting toggle
 * is all markup; a link without a label shows nothing.
 */
static size_t
search_markup(const char *s, size_t n)
{
	size_t i = 0;

	if (n >= 3 && memcmp(s, "```", 3) == 0)
		return n;
	if (n >= 2 && memcmp(s, "=>", 2) == 0) {
		for (i = 2; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
			;
		while (i < n && s[i] != ' ' && s[i] != '\t')
			i++;
	} else if (n >= 1 && s[0] == '#') {
		while (i < n && s[i] == '#')
			i++;
	} else if (n >= 1 && s[0] == '>')
		i = 1;
	else if (n >= 2 && (s[0] == '*' || s[0] == '-') && s[1] == ' ')
		i = 1;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	return i;
}

/* +1 for a character that opens a quotation, -1 closes, 0 neither. */
static int
search_quote(uint32_t c, int depth)
{
	if (c == 0x201c || c == 0xab || c == 0x201e)
		return 1;
	if (c == 0x201d || c == 0xbb)
		return -1;
	if (c == '"')
		return depth > 0 ? -1 : 1;
	return 0;
}

/*
 * Where an excerpt around hit (in the line starting at line) should
 * begin: the start of the line's text when the hit is near it, else the
 * start of the hit's sentence, else a word some way before the hit; and
 * never inside a quotation: then its opening quote, when near enough.
 */
static size_t
search_start(const char *body, size_t line, size_t text, size_t hit)
{
	size_t start, i, n, open = SIZE_MAX;
	uint32_t c;
	int depth = 0, q;

	if (hit <= text + SEARCH_CONTEXT)
		return text;
	start = search_char_start(body, hit - SEARCH_CONTEXT);
	/* A sentence that starts not too far back. */
	for (i = hit; i > text + 2 && i + SEARCH_LOOKBACK > hit; i--)
		if (body[i - 1] == ' ' && (body[i - 2] == '.' ||
		    body[i - 2] == '?' || body[i - 2] == '!')) {
			if (hit - i <= 2 * SEARCH_CONTEXT)
				start = i;
			break;
		}
	if (start != i)
		while (start < hit && body[start] != ' ')
			start++;
	while (start < hit && body[start] == ' ')
		start++;
	/* Inside a quotation there? Start at its opening quote instead. */
	(void)line;
	for (i = text; i < start; i += n) {
		n = search_decode(body + i, start - i, &c);
		if ((q = search_quote(c, depth)) > 0) {
			if (depth++ == 0)
				open = i;
		} else if (q < 0 && depth > 0)
			depth--;
	}
	if (depth > 0 && open != SIZE_MAX && hit - open <= SEARCH_LOOKBACK)
		start = open;
	return start;
}

/* Builds an excerpt into out; see search_excerpt(). */
struct search_out {
	char	*s;
	size_t	 len, room;
	size_t	 cut_out;	/* length at the last space outside quotes */
	size_t	 cut_any;	/* length at the last space */
	int	 depth;
	int	 space;		/* a space is owed before the next character */
	int	 dash;		/* a dash is: a heading ended there */
	int	 full;
};

static void
search_out_char(struct search_out *o, const char *ch, size_t n, uint32_t c)
{
	int q;

	if (o->full)
		return;
	if (o->space) {
		/* After a heading " — " keeps it apart from its text. */
		size_t sep = o->dash ? 5 : 1;

		if (o->len + sep + n + 3 > o->room) {
			o->full = 1;
			return;
		}
		o->cut_any = o->len;
		if (o->depth == 0)
			o->cut_out = o->len;
		memcpy(o->s + o->len, o->dash ? " — " : " ", sep);
		o->len += sep;
		o->space = o->dash = 0;
	}
	if (o->len + n + 3 > o->room) {
		o->full = 1;
		return;
	}
	if ((q = search_quote(c, o->depth)) > 0)
		o->depth++;
	else if (q < 0 && o->depth > 0)
		o->depth--;
	memcpy(o->s + o->len, ch, n);
	o->len += n;
}

/* Appends text with its line markup dropped and white space folded. */
static void
search_out_text(struct search_out *o, const char *s, size_t len, size_t from)
{
	size_t i = from, n, end, m;
	uint32_t c;
	int heading;

	while (i < len && !o->full) {
		end = i;
		heading = 0;
		while (end < len && s[end] != '\n')
			end++;
		if (i == from) {
			/* Starting inside a line: was it a heading? */
			for (m = from; m > 0 && s[m - 1] != '\n'; m--)
				;
			heading = s[m] == '#';
		}
		if (i > from || from == 0 || s[from - 1] == '\n') {
			heading = s[i] == '#';
			m = search_markup(s + i, end - i);
			i += m;
			if (m > 0 && o->len > 0)
				o->space = 1;
		}
		for (; i < end && !o->full; i += n) {
			n = search_decode(s + i, end - i, &c);
			if (c <= 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ||
			    c == 0xfffd) {
				o->space = o->len > 0;
				continue;
			}
			search_out_char(o, s + i, n, c);
		}
		if (end < len) {
			o->space = o->len > 0;
			if (heading && o->len > 0)
				o->dash = 1;
		}
		i = end + 1;
	}
}

/* Copies a tag name into o as plain text, whole characters only. */
static void
search_out_plain(struct search_out *o, const char *s)
{
	size_t i, n, len = strlen(s);
	uint32_t c;

	for (i = 0; i < len && !o->full; i += n) {
		n = search_decode(s + i, len - i, &c);
		if (c < 0x20 || c == 0x7f)
			continue;
		search_out_char(o, s + i, n, c);
	}
}

size_t
search_excerpt(const struct store *st, const struct search_query *q,
    const struct search_hit *h, char *out, size_t outsz)
{
	struct search_out o;
	struct search_find f = { q, SIZE_MAX };
	struct post_text pt;
	const char *body, *tag = NULL;
	size_t blen, line, text, start = 0, i;

	if (outsz < 16) {
		if (outsz > 0)
			out[0] = '\0';
		return 0;
	}
	memset(&o, 0, sizeof(o));
	o.s = out;
	o.room = outsz - 1 < SEARCH_SNIPPET_MAX ? outsz - 1 : SEARCH_SNIPPET_MAX;
	if ((body = search_body(st, h->post, &pt, &blen)) == NULL)
		blen = 0;
	if (h->body_hits > 0 && blen > 0)
		search_words(body, blen, search_find_word, &f);
	if (h->tag_only > 0) {
		/* A word found only through a tag: say which tag. */
		for (i = 0; i < h->post->ntags && tag == NULL; i++) {
			struct search_find t = { q, SIZE_MAX };

			search_words(h->post->tags[i], strlen(h->post->tags[i]),
			    search_find_word, &t);
			if (t.off != SIZE_MAX)
				tag = h->post->tags[i];
		}
	}
	if (tag != NULL) {
		search_out_plain(&o, "Tagged ");
		search_out_plain(&o, tag);
		search_out_plain(&o, ":");
		o.space = 1;
	}
	if (f.off != SIZE_MAX) {
		for (line = f.off; line > 0 && body[line - 1] != '\n'; line--)
			;
		text = line + search_markup(body + line, f.off - line);
		start = search_start(body, line, text, f.off);
		if (start > text) {
			memcpy(out, "\u2026", 3);	/* text was cut */
			o.len = 3;
		}
	}
	o.cut_out = o.cut_any = 0;
	search_out_text(&o, body, blen, start);
	if (o.full) {
		/* Cut at a space, outside a quotation where that keeps enough. */
		if (o.cut_out > o.room / 4)
			o.len = o.cut_out;
		else if (o.cut_any > o.room / 2)
			o.len = o.cut_any;
		memcpy(out + o.len, "\u2026", 3);
		o.len += 3;
	}
	out[o.len] = '\0';
	store_post_text_free(&pt);
	return o.len;
}

/* Answers' words for a page's head and its links. */

void
search_summary(const struct search_results *a, char *out, size_t outsz)
{
	if (a->total == 0)
		snprintf(out, outsz, "No post matches \u201c%s\u201d.",
		    a->query);
	else if (a->page > a->pages)
		snprintf(out, outsz, "%zu post%s match \u201c%s\u201d, but "
		    "there is no page %u: the last is page %u.", a->total,
		    a->total == 1 ? "" : "s", a->query, a->page, a->pages);
	else if (a->pages > 1)
		snprintf(out, outsz, "%zu posts match \u201c%s\u201d. Page %u "
		    "of %u: %zu to %zu.", a->total, a->query, a->page,
		    a->pages, a->from + 1, a->from + a->nhits);
	else
		snprintf(out, outsz, "%zu post%s match%s \u201c%s\u201d.",
		    a->total, a->total == 1 ? "" : "s",
		    a->total == 1 ? "es" : "", a->query);
}

void
search_page_path(const struct search_results *a, unsigned n, char *out,
    size_t outsz)
{
	if (n <= 1)
		snprintf(out, outsz, "/search?%s", a->enc);
	else
		snprintf(out, outsz, "/search/page/%u?%s", n, a->enc);
}

/*
 * The saved index: a header, the terms (offsets into the words and the
 * lists), the words, the lists. Native byte order, private to one
 * machine and one build (the header names it: a changed folding must not
 * meet an old file). It belongs to one store: the key of its posts, in
 * order, with their files' identities, since postings name posts by
 * position. Loading maps the file and walks every list once, checking
 * each posting and making the skip entries, then lets the pages go: they
 * come back from the page cache as searches touch them, and count as
 * file pages, not the process's own memory.
 */
#define SEARCH_FILE_MAGIC	"CAPSRCH1"
#define SEARCH_FILE_ORDER	0x01020304u
#define SEARCH_FILE_STAMP	CAPSULE_VERSION " " __DATE__ " " __TIME__

struct search_file_head {
	char		 magic[8];
	uint32_t	 order;
	char		 stamp[60];
	uint64_t	 key;		/* search_store_key() */
	uint64_t	 nposts;
	uint64_t	 nterms;
	uint64_t	 poollen;
	uint64_t	 datalen;
	uint64_t	 sum;		/* of the terms table */
};

struct search_file_term {
	uint64_t	 word;		/* offset in the words */
	uint64_t	 data;		/* offset in the lists */
	uint64_t	 dlen;
	uint32_t	 len;
	uint32_t	 nposts;
};

static uint64_t
search_mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ c[i]) * 0x100000001b3ULL;
	return h;
}

uint64_t
search_store_key(const struct store *st)
{
	const struct post *p;
	uint64_t h = 0xcbf29ce484222325ULL, v[6];
	size_t i;

	h = search_mix(h, &st->nposts, sizeof(st->nposts));
	for (i = 0; i < st->nposts; i++) {
		p = st->posts[i];
		v[0] = p->id.dev;
		v[1] = p->id.ino;
		v[2] = (uint64_t)p->id.size;
		v[3] = (uint64_t)p->id.mtime_ns;
		v[4] = (uint64_t)p->id.ctime_ns;
		v[5] = (uint64_t)p->stale;
		h = search_mix(h, v, sizeof(v));
		h = search_mix(h, p->slug, strlen(p->slug) + 1);
	}
	return h;
}

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
	struct search_file_head h;
	struct search_file_term *ft;
	char tmp[PATH_MAX + 32];
	size_t i, datalen = idx->datalen;
	int fd, saved;

	if ((ft = calloc(idx->nterms + 1, sizeof(*ft))) == NULL)
		return -1;
	/* The lists lie in word order, one after another. */
	for (i = 0; i < idx->nterms; i++) {
		ft[i].word = (uint64_t)(idx->terms[i].word - idx->pool);
		ft[i].len = idx->terms[i].len;
		ft[i].nposts = idx->terms[i].nposts;
		ft[i].data = (uint64_t)(idx->terms[i].data - idx->data);
		ft[i].dlen = (i + 1 < idx->nterms ?
		    (uint64_t)(idx->terms[i + 1].data - idx->data) :
		    (uint64_t)datalen) - ft[i].data;
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, SEARCH_FILE_MAGIC, 8);
	h.order = SEARCH_FILE_ORDER;
	snprintf(h.stamp, sizeof(h.stamp), "%s", SEARCH_FILE_STAMP);
	h.key = search_store_key(st);
	h.nposts = st->nposts;
	h.nterms = idx->nterms;
	h.poollen = idx->poollen;
	h.datalen = datalen;
	h.sum = search_mix(0xcbf29ce484222325ULL, ft,
	    idx->nterms * sizeof(*ft));
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) ==
	    -1) {
		free(ft);
		return -1;
	}
	if (search_write_all(fd, &h, sizeof(h)) == -1 ||
	    search_write_all(fd, ft, idx->nterms * sizeof(*ft)) == -1 ||
	    search_write_all(fd, idx->pool, idx->poollen) == -1 ||
	    search_write_all(fd, idx->data, datalen) == -1 ||
	    close(fd) == -1 || rename(tmp, path) == -1) {
		saved = errno;
		free(ft);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	free(ft);
	return 0;
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

/*
 * One saved list, checked as the queries will read it: nposts postings,
 * each naming a post of the store after the one before, ending where the
 * next list starts. Its skip entries go to out. -1 when it is not so.
 */
static long
search_check_list(const uint8_t *data, size_t dlen, uint32_t nposts,
    size_t nstore, struct search_skip *out)
{
	const uint8_t *p = data, *end = data + dlen;
	uint32_t i, gap, cf;
	uint64_t base = 0;
	long n = 0;

	for (i = 0; i < nposts; i++) {
		if (i > 0 && i % SEARCH_BLOCK == 0) {
			out[n].base = (uint32_t)base;
			out[n].off = (uint32_t)(p - data);
			n++;
		}
		if (search_get_varint_in(&p, end, &gap) == -1 ||
		    search_get_varint_in(&p, end, &cf) == -1 ||
		    base + gap >= nstore)
			return -1;
		base += (uint64_t)gap + 1;
	}
	return p == end && nposts > 0 ? n : -1;
}

struct search_index *
search_load(const char *path, const struct store *st, const char **why)
{
	struct search_index *idx = NULL;
	const struct search_file_head *h;
	const struct search_file_term *ft;
	const char *pool;
	const uint8_t *data;
	struct stat sb;
	size_t i, nskips = 0, sk = 0, off;
	long n;
	void *map = MAP_FAILED;
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
	h = map;
	if (memcmp(h->magic, SEARCH_FILE_MAGIC, 8) != 0 ||
	    h->order != SEARCH_FILE_ORDER ||
	    strncmp(h->stamp, SEARCH_FILE_STAMP, sizeof(h->stamp)) != 0)
		goto bad;
	*why = "of another store or an older one";
	if (h->nposts != st->nposts || h->key != search_store_key(st))
		goto bad;
	*why = "damaged";
	off = sizeof(*h);
	if (h->nterms > ((size_t)sb.st_size - off) / sizeof(*ft))
		goto bad;
	ft = (const void *)((const char *)map + off);
	off += h->nterms * sizeof(*ft);
	if (h->poollen > (size_t)sb.st_size - off)
		goto bad;
	pool = (const char *)map + off;
	off += h->poollen;
	if (h->datalen != (size_t)sb.st_size - off ||
	    search_mix(0xcbf29ce484222325ULL, ft, h->nterms * sizeof(*ft)) !=
	    h->sum)
		goto bad;
	data = (const uint8_t *)map + off;
	for (i = 0; i < h->nterms; i++) {
		if (ft[i].len == 0 || ft[i].word > h->poollen ||
		    ft[i].len > h->poollen - ft[i].word ||
		    ft[i].data > h->datalen ||
		    ft[i].dlen > h->datalen - ft[i].data ||
		    ft[i].dlen > UINT32_MAX || ft[i].nposts == 0 ||
		    ft[i].nposts > st->nposts || (i > 0 &&
		    search_cmp_word(pool + ft[i - 1].word, ft[i - 1].len,
		    pool + ft[i].word, ft[i].len) >= 0))
			goto bad;
		nskips += (ft[i].nposts - 1) / SEARCH_BLOCK;
	}
	*why = "out of memory";
	if ((idx = calloc(1, sizeof(*idx))) == NULL ||
	    (idx->terms = calloc(h->nterms + 1, sizeof(*idx->terms))) ==
	    NULL || (idx->skips = calloc(nskips + 1, sizeof(*idx->skips))) ==
	    NULL)
		goto bad;
	*why = "damaged";
	for (i = 0; i < h->nterms; i++) {
		idx->terms[i].word = pool + ft[i].word;
		idx->terms[i].len = ft[i].len;
		idx->terms[i].nposts = ft[i].nposts;
		idx->terms[i].data = data + ft[i].data;
		idx->terms[i].skips = idx->skips + sk;
		if ((n = search_check_list(data + ft[i].data, ft[i].dlen,
		    ft[i].nposts, st->nposts, idx->skips + sk)) == -1)
			goto bad;
		sk += (size_t)n;
	}
	idx->nterms = h->nterms;
	idx->pool = (char *)pool;
	idx->data = (uint8_t *)data;
	idx->map = map;
	idx->maplen = (size_t)sb.st_size;
	idx->poollen = h->poollen;
	idx->datalen = h->datalen;
	idx->size = sizeof(*idx) + (h->nterms + 1) * sizeof(*idx->terms) +
	    h->poollen + h->datalen + (nskips + 1) * sizeof(*idx->skips);
	/* Read once to check: back to the page cache until searched. */
	(void)madvise(map, idx->maplen, MADV_DONTNEED);
	*why = NULL;
	return idx;
bad:
	if (idx != NULL) {
		free(idx->terms);
		free(idx->skips);
		free(idx);
	}
	munmap(map, (size_t)sb.st_size);
	return NULL;
}
