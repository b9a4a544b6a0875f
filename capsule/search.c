/*
 * search.c: the inverted word index of a snapshot, and queries on it.
 *
 * search_build() walks every post once and leaves, in the store's arena,
 * a sorted array of folded words, each with its posting list (posts in
 * store order, newest first, with a count and where the word was seen).
 * A query looks its words up by binary search and intersects their lists
 * starting from the shortest, so it costs time in proportion to the
 * matches, not to the store. The answers render as gemtext or as a
 * Gopher menu from the same ranked hits.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gophermap.h"
#include "router.h"
#include "search.h"
#include "url.h"
#include "utf8.h"

#define SEARCH_IN_TITLE	0x1
#define SEARCH_IN_TAG	0x2
#define SEARCH_IN_BODY	0x4
#define SEARCH_NO_OFF	UINT32_MAX	/* no hit in the body */
#define SEARCH_CONTEXT	60	/* snippet bytes before the first hit */
#define SEARCH_PATH_MAX	(URL_PATH_MAX + 8)
#define SEARCH_DISPLAY_MAX (POST_MAX_HEADER + 16)	/* date and title */
/* A percent-encoded query: three bytes for each byte at worst. */
#define SEARCH_ENC_MAX	(SEARCH_QUERY_MAX * 3 + 1)

struct search_posting {
	uint32_t	 post;		/* index in store->posts */
	uint32_t	 first;		/* body offset of the first hit */
	uint16_t	 count;		/* saturates */
	uint8_t		 flags;		/* SEARCH_IN_* */
};

struct search_term {
	const char			*word;	/* folded, not NUL-terminated */
	uint32_t			 len;
	uint32_t			 nposts;
	const struct search_posting	*posts;	/* by post index */
};

struct search_index {
	struct arena			 arena;	/* holds all of it */
	const struct search_term	*terms;	/* sorted by word bytes */
	size_t				 nterms;
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

/* Building. Temporary tables live in malloc'd memory until the end. */

struct search_bterm {
	size_t		 off;		/* of the word in the pool */
	uint32_t	 len;
	uint32_t	 nposts;
	uint32_t	 last;		/* post index + 1 seen last */
	size_t		 cur;		/* its posting, then the fill cursor */
};

struct search_bposting {
	uint32_t		 term;
	struct search_posting	 p;
};

struct search_builder {
	struct search_bterm	*terms;
	size_t			 nterms, capterms;
	uint32_t		*slots;		/* term + 1; 0 is empty */
	size_t			 nslots;	/* a power of two */
	char			*pool;
	size_t			 poollen, poolcap;
	struct search_bposting	*posts;
	size_t			 nposts, capposts;
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
search_grow(void *pp, size_t *cap, size_t need, size_t sz)
{
	void **p = pp, *np;
	size_t nc = *cap ? *cap : 256;

	if (need <= *cap)
		return 0;
	while (nc < need) {
		if (nc > SIZE_MAX / 2 / sz)
			return -1;
		nc *= 2;
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
	    sizeof(*b->terms)) == -1 ||
	    search_grow(&b->pool, &b->poolcap, b->poollen + len, 1) == -1)
		return -1;
	memcpy(b->pool + b->poollen, w, len);
	t = &b->terms[b->nterms];
	t->off = b->poollen;
	t->len = (uint32_t)len;
	t->nposts = 0;
	t->last = 0;
	t->cur = 0;
	b->poollen += len;
	b->slots[j] = (uint32_t)b->nterms + 1;
	return (long)b->nterms++;
}

static int
search_add_word(void *arg, const char *w, size_t len, size_t off)
{
	struct search_builder *b = arg;
	struct search_posting *p;
	struct search_bterm *t;
	long ti;

	if ((ti = search_intern(b, w, len)) == -1) {
		b->err = 1;
		return -1;
	}
	t = &b->terms[ti];
	if (t->last != b->post + 1) {
		if (search_grow(&b->posts, &b->capposts, b->nposts + 1,
		    sizeof(*b->posts)) == -1) {
			b->err = 1;
			return -1;
		}
		b->posts[b->nposts].term = (uint32_t)ti;
		p = &b->posts[b->nposts].p;
		p->post = b->post;
		p->first = SEARCH_NO_OFF;
		p->count = 0;
		p->flags = 0;
		t->last = b->post + 1;
		t->cur = b->nposts++;
		t->nposts++;
	}
	p = &b->posts[t->cur].p;
	if (p->count < UINT16_MAX)
		p->count++;
	p->flags |= b->flag;
	if (b->flag == SEARCH_IN_BODY && p->first == SEARCH_NO_OFF &&
	    off < SEARCH_NO_OFF)
		p->first = (uint32_t)off;
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

/* Moves the builder's tables into the index's arena. */
static struct search_index *
search_finish(struct search_builder *b)
{
	struct search_index *idx;
	struct search_term *terms;
	struct search_posting *posts;
	struct search_sortkey *keys;
	char *pool;
	size_t i, at;

	if ((idx = calloc(1, sizeof(*idx))) == NULL)
		return NULL;
	arena_init(&idx->arena);
	if ((terms = arena_alloc(&idx->arena,
	    (b->nterms + 1) * sizeof(*terms))) == NULL ||
	    (posts = arena_alloc(&idx->arena,
	    (b->nposts + 1) * sizeof(*posts))) == NULL ||
	    (pool = arena_alloc(&idx->arena, b->poollen + 1)) == NULL) {
		search_free(idx);
		return NULL;
	}
	if (b->poollen > 0)
		memcpy(pool, b->pool, b->poollen);
	if ((keys = calloc(b->nterms + 1, sizeof(*keys))) == NULL) {
		search_free(idx);
		return NULL;
	}
	for (i = 0; i < b->nterms; i++) {
		keys[i].word = pool + b->terms[i].off;
		keys[i].len = b->terms[i].len;
		keys[i].term = (uint32_t)i;
	}
	qsort(keys, b->nterms, sizeof(*keys), search_cmp_key);
	/* Each term's list takes the next stretch of one array. */
	for (i = 0, at = 0; i < b->nterms; i++) {
		struct search_bterm *bt = &b->terms[keys[i].term];

		terms[i].word = keys[i].word;
		terms[i].len = keys[i].len;
		terms[i].nposts = bt->nposts;
		terms[i].posts = posts + at;
		bt->cur = at;
		at += bt->nposts;
	}
	free(keys);
	/* Postings were made in post order, so each list comes out sorted. */
	for (i = 0; i < b->nposts; i++)
		posts[b->terms[b->posts[i].term].cur++] = b->posts[i].p;
	idx->terms = terms;
	idx->nterms = b->nterms;
	return idx;
}

/* Returns NULL when out of memory; the snapshot goes on without search. */
struct search_index *
search_build(const struct store *st)
{
	struct search_builder b;
	struct search_index *idx = NULL;
	const struct post *p;
	size_t i, j;

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
			struct post_text pt;

			store_post_text(st, p, &pt);
			search_words(pt.body, pt.body_len, search_add_word, &b);
			store_post_text_free(&pt);
		}
	}
	if (!b.err)
		idx = search_finish(&b);
	free(b.terms);
	free(b.slots);
	free(b.pool);
	free(b.posts);
	return idx;
}

void
search_free(struct search_index *idx)
{
	if (idx == NULL)
		return;
	arena_free(&idx->arena);
	free(idx);
}

/* Queries. */

struct search_query {
	char	 words[SEARCH_MAX_TERMS][SEARCH_TERM_MAX + 1];
	size_t	 lens[SEARCH_MAX_TERMS];
	size_t	 n;
	int	 toomany;
};

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

/* Why a query cannot be run, or NULL when it can; fills q. */
static const char *
search_parse_query(const char *s, struct search_query *q)
{
	size_t len, i, n;
	uint32_t c;

	memset(q, 0, sizeof(*q));
	if (s == NULL || (len = strlen(s)) == 0)
		return "Type one or more words to search the archive.";
	if (len > SEARCH_QUERY_MAX)
		return "That query is too long: use at most 256 bytes.";
	if (!utf8_valid(s, len))
		return "That query is not valid UTF-8 text.";
	for (i = 0; i < len; i += n) {
		n = utf8_decode(s + i, len - i, &c);
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
			return "That query holds control characters.";
	}
	search_walk(s, len, 0, search_add_query_word, q);
	if (q->toomany)
		return "That query has too many words: use at most 16.";
	if (q->n == 0)
		return "That query has no words in it, only punctuation.";
	return NULL;
}

static const struct search_term *
search_lookup(const struct search_index *idx, const char *w, size_t len)
{
	size_t lo = 0, hi = idx->nterms, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = search_cmp_word(w, len, idx->terms[mid].word,
		    idx->terms[mid].len);
		if (c == 0)
			return &idx->terms[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/*
 * The first posting at or after *at in t with a post >= post, found by
 * galloping: cheap when lists are long and the answer is near.
 */
static const struct search_posting *
search_seek(const struct search_term *t, size_t *at, uint32_t post)
{
	size_t lo = *at, step = 1, hi, mid;

	while (lo + step < t->nposts && t->posts[lo + step].post < post) {
		lo += step;
		step *= 2;
	}
	hi = lo + step < t->nposts ? lo + step : t->nposts;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (t->posts[mid].post < post)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return lo < t->nposts ? &t->posts[lo] : NULL;
}

static void
search_note(struct search_hit *h, const struct search_posting *p)
{
	if (p->flags & SEARCH_IN_TITLE)
		h->title_hits++;
	if (p->flags & SEARCH_IN_TAG)
		h->tag_hits++;
	h->count += p->count;
	if (p->first != SEARCH_NO_OFF && p->first < h->first)
		h->first = p->first;
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
	return ha->post->index < hb->post->index ? -1 :
	    ha->post->index > hb->post->index;
}

int
search_run(const struct store *st, const struct search_index *idx,
    const char *query,
    struct search_hit **hitsp, size_t *nhitsp, const char **why)
{
	struct search_query q;
	const struct search_term *terms[SEARCH_MAX_TERMS], *tmp;
	const struct search_posting *p;
	struct search_hit *hits, *h;
	size_t at[SEARCH_MAX_TERMS], i, j, k, nhits = 0;

	*hitsp = NULL;
	*nhitsp = 0;
	*why = NULL;
	if ((*why = search_parse_query(query, &q)) != NULL)
		return 1;
	if (idx == NULL) {
		*why = "Search is not available right now.";
		return 1;
	}
	for (i = 0; i < q.n; i++)
		if ((terms[i] = search_lookup(idx, q.words[i],
		    q.lens[i])) == NULL)
			return 0;
	/* The shortest list leads; the others are only probed. */
	for (i = 1; i < q.n; i++)
		for (j = i; j > 0 && terms[j]->nposts < terms[j - 1]->nposts;
		    j--) {
			tmp = terms[j];
			terms[j] = terms[j - 1];
			terms[j - 1] = tmp;
		}
	if ((hits = calloc(terms[0]->nposts + 1, sizeof(*hits))) == NULL)
		return -1;
	memset(at, 0, sizeof(at));
	for (k = 0; k < terms[0]->nposts; k++) {
		h = &hits[nhits];
		memset(h, 0, sizeof(*h));
		h->first = SIZE_MAX;
		search_note(h, &terms[0]->posts[k]);
		for (i = 1; i < q.n; i++) {
			p = search_seek(terms[i], &at[i],
			    terms[0]->posts[k].post);
			if (p == NULL || p->post != terms[0]->posts[k].post)
				break;
			search_note(h, p);
		}
		if (i < q.n)
			continue;
		h->post = st->posts[terms[0]->posts[k].post];
		nhits++;
	}
	qsort(hits, nhits, sizeof(*hits), search_cmp_hit);
	if (nhits == 0) {
		free(hits);
		hits = NULL;
	}
	*hitsp = hits;
	*nhitsp = nhits;
	return 0;
}

/* Start of the character holding byte i (going back over continuations). */
static size_t
search_char_start(const char *s, size_t i)
{
	while (i > 0 && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	return i;
}

size_t
search_snippet(const struct search_hit *h, char *out, size_t outsz)
{
	struct post_text pt;
	const char *body;
	size_t blen, start, end, i, n, o = 0, room;
	uint32_t c;
	int space = 0;

	/* Room for a character and two ellipses at least. */
	if (outsz < 16) {
		if (outsz > 0)
			out[0] = '\0';
		return 0;
	}
	/* The text comes from the post's file (store_post_text()). */
	store_post_text(NULL, h->post, &pt);
	body = pt.body;
	blen = pt.body_len;
	room = outsz - 1 < SEARCH_SNIPPET_MAX ? outsz - 1 : SEARCH_SNIPPET_MAX;
	start = h->first != SIZE_MAX && h->first < blen ? h->first : 0;
	/* Some words before the hit, from the start of a word. */
	if (start > SEARCH_CONTEXT) {
		i = search_char_start(body, start - SEARCH_CONTEXT);
		while (i < start && body[i] != ' ' && body[i] != '\n')
			i++;
		start = i < start ? i : search_char_start(body,
		    start - SEARCH_CONTEXT);
	} else
		start = 0;
	if (start > 0) {
		memcpy(out, "\u2026", 3);	/* an ellipsis: text was cut */
		o = 3;
	}
	/* Whitespace runs, line ends and controls become one space. */
	for (i = start; i < blen; i += n) {
		n = search_decode(body + i, blen - i, &c);
		if (c <= 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ||
		    c == 0xfffd) {
			space = o > 0;
			continue;
		}
		/* Room for this character, a space and a closing ellipsis. */
		if (o + space + n + 3 > room)
			break;
		if (space)
			out[o++] = ' ';
		space = 0;
		memcpy(out + o, body + i, n);
		o += n;
	}
	end = i;
	if (end < blen) {
		/* Cut back to the end of a word when one is near. */
		for (i = o; i > o / 2 && out[i - 1] != ' '; i--)
			;
		if (i > o / 2)
			o = i - 1;
		memcpy(out + o, "\u2026", 3);
		o += 3;
	}
	out[o] = '\0';
	store_post_text_free(&pt);
	return o;
}

/* Rendering. Both protocols show the same hits in the same order. */

struct search_answer {
	const char		*why;	/* the query was refused */
	struct search_hit	*hits;
	size_t			 nhits;
	unsigned		 page, pages;
	size_t			 from, to;	/* hits shown: [from, to) */
	char			 enc[SEARCH_ENC_MAX];	/* the query, encoded */
};

static int
search_answer(const struct store *st, const struct search_index *idx,
    const char *query, unsigned page, struct search_answer *a)
{
	int r;

	memset(a, 0, sizeof(a[0]));
	r = search_run(st, idx, query, &a->hits, &a->nhits, &a->why);
	if (r == -1)
		return -1;
	a->page = page == 0 ? 1 : page;
	a->pages = (unsigned)((a->nhits + ROUTER_PAGE_SIZE - 1) /
	    ROUTER_PAGE_SIZE);
	if (a->pages == 0)
		a->pages = 1;
	a->from = (size_t)(a->page - 1) * ROUTER_PAGE_SIZE;
	if (a->from > a->nhits)
		a->from = a->nhits;
	a->to = a->from + ROUTER_PAGE_SIZE < a->nhits ?
	    a->from + ROUTER_PAGE_SIZE : a->nhits;
	if (r == 0 && url_encode(query, a->enc, sizeof(a->enc)) == -1)
		a->enc[0] = '\0';
	return 0;
}

/* The path of results page n of the answer's query. */
static void
search_page_path(const struct search_answer *a, unsigned n, char *out,
    size_t outsz)
{
	if (n <= 1)
		snprintf(out, outsz, "/search?%s", a->enc);
	else
		snprintf(out, outsz, "/search/page/%u?%s", n, a->enc);
}

/* "3 posts match "x"." and where this page is. */
static void
search_summary(const struct search_answer *a, const char *query,
    char *out, size_t outsz)
{
	if (a->nhits == 0)
		snprintf(out, outsz, "No post matches \u201c%s\u201d.", query);
	else if (a->page > a->pages)
		snprintf(out, outsz, "%zu post%s match \u201c%s\u201d, but "
		    "there is no page %u: the last is page %u.", a->nhits,
		    a->nhits == 1 ? "" : "s", query, a->page, a->pages);
	else if (a->pages > 1)
		snprintf(out, outsz, "%zu posts match \u201c%s\u201d. Page %u "
		    "of %u: %zu to %zu.", a->nhits, query, a->page, a->pages,
		    a->from + 1, a->to);
	else
		snprintf(out, outsz, "%zu post%s match%s \u201c%s\u201d.",
		    a->nhits, a->nhits == 1 ? "" : "s",
		    a->nhits == 1 ? "es" : "", query);
}

int
search_render_gemtext(const struct store *st, const struct search_index *idx,
    const char *query, unsigned page, struct buf *b)
{
	struct search_answer a;
	char path[SEARCH_PATH_MAX], line[SEARCH_QUERY_MAX + 256];
	char snip[SEARCH_SNIPPET_MAX + 1];
	const struct post *p;
	size_t i;

	if (search_answer(st, idx, query, page, &a) == -1)
		return -1;
	if (a.why != NULL) {
		buf_printf(b, "# Search the archive\n\n%s\n\n", a.why);
		buf_puts(b, "=> /search Search again\n=> / Home\n");
		return b->err ? -1 : 0;
	}
	buf_printf(b, "# Search: %s\n\n", query);
	search_summary(&a, query, line, sizeof(line));
	buf_printf(b, "%s\n\n", line);
	for (i = a.from; i < a.to; i++) {
		p = a.hits[i].post;
		if (router_post_path(st, p, path, sizeof(path)) == -1)
			continue;
		buf_printf(b, "=> %s %s %s\n", path, p->date, p->title);
		if (search_snippet(&a.hits[i], snip, sizeof(snip)) > 0)
			buf_printf(b, "> %s\n", snip);
		buf_putc(b, '\n');
	}
	if (a.page > 1) {
		search_page_path(&a, a.page > a.pages ? a.pages : a.page - 1,
		    path, sizeof(path));
		buf_printf(b, "=> %s Previous results\n", path);
	}
	if (a.page < a.pages) {
		search_page_path(&a, a.page + 1, path, sizeof(path));
		buf_printf(b, "=> %s More results\n", path);
	}
	buf_puts(b, "=> /search Search again\n=> / Home\n");
	free(a.hits);
	return b->err ? -1 : 0;
}

struct search_wrap {
	struct buf		*b;
	const struct site	*site;
	const char		*selector;
	int			 nline;
};

/* The item takes the first line; info lines under it carry the rest. */
static int
search_wrap_line(void *arg, const char *s, size_t n)
{
	struct search_wrap *w = arg;
	char line[SEARCH_DISPLAY_MAX + 4];

	if (n > SEARCH_DISPLAY_MAX)
		n = SEARCH_DISPLAY_MAX;
	snprintf(line, sizeof(line), "%s%.*s", w->nline ? "  " : "", (int)n,
	    s);
	gophermap_item(w->b, w->nline ? 'i' : '0', line,
	    w->nline ? "" : w->selector, w->site->host, w->site->gopher_port);
	w->nline++;
	return 0;
}

/* A type 0 item whose display text wraps at GOPHER_INFO_COLS. */
static void
search_gopher_item(struct buf *b, const struct site *site, const char *disp,
    const char *selector)
{
	struct search_wrap w = { b, site, selector, 0 };

	utf8_wrap(disp, strlen(disp), GOPHER_INFO_COLS, search_wrap_line, &w);
}

int
search_render_gopher(const struct store *st, const struct search_index *idx,
    const char *query, unsigned page, struct buf *b)
{
	struct search_answer a;
	const struct site *site = &st->site;
	char path[SEARCH_PATH_MAX], line[SEARCH_QUERY_MAX + 256];
	char snip[SEARCH_SNIPPET_MAX + 1], disp[SEARCH_DISPLAY_MAX];
	const struct post *p;
	size_t i;

	if (search_answer(st, idx, query, page, &a) == -1)
		return -1;
	if (a.why != NULL) {
		gophermap_info(b, site, "Search the archive");
		gophermap_info(b, site, "");
		gophermap_info(b, site, a.why);
		gophermap_info(b, site, "");
		goto links;
	}
	snprintf(line, sizeof(line), "Search: %s", query);
	gophermap_info(b, site, line);
	gophermap_info(b, site, "");
	search_summary(&a, query, line, sizeof(line));
	gophermap_info(b, site, line);
	gophermap_info(b, site, "");
	for (i = a.from; i < a.to; i++) {
		p = a.hits[i].post;
		if (router_post_path(st, p, path, sizeof(path)) == -1)
			continue;
		snprintf(disp, sizeof(disp), "%s %s", p->date, p->title);
		search_gopher_item(b, site, disp, path);
		if (search_snippet(&a.hits[i], snip, sizeof(snip)) > 0)
			gophermap_info(b, site, snip);
		gophermap_info(b, site, "");
	}
	/* The query rides in the selector, as on Gemini, after a '?'. */
	if (a.page > 1) {
		search_page_path(&a, a.page > a.pages ? a.pages : a.page - 1,
		    path, sizeof(path));
		gophermap_item(b, '1', "Previous results", path, site->host,
		    site->gopher_port);
	}
	if (a.page < a.pages) {
		search_page_path(&a, a.page + 1, path, sizeof(path));
		gophermap_item(b, '1', "More results", path, site->host,
		    site->gopher_port);
	}
links:
	gophermap_item(b, '7', "Search again", "/search", site->host,
	    site->gopher_port);
	gophermap_item(b, '1', "Home", "/", site->host, site->gopher_port);
	gophermap_end(b);
	free(a.hits);
	return b->err ? -1 : 0;
}
