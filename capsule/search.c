/*
 * search.c: queries on a snapshot's word index, their ranking, and the
 * excerpts of results; the words of a text as the index sees them.
 *
 * A query looks its words up (searchidx.c; the last word also as a
 * prefix), intersects their lists from the shortest one, and keeps only
 * the best page * per hits in a heap, so a common word costs a pass over
 * its list and no sort of every match. Excerpts are found at render time
 * by scanning the post's body.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"
#include "searchidx.h"
#include "url.h"
#include "utf8.h"

atomic_ulong	search_rankings;

#define SEARCH_CONTEXT	60	/* excerpt bytes before the first hit */
#define SEARCH_LOOKBACK	160	/* bytes searched back for a cut point */

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

/* search_fold() of each ASCII byte, as a table for the walk's fast path. */
static const unsigned char search_ascii[128] = {
	['0'] = '0', ['1'] = '1', ['2'] = '2', ['3'] = '3', ['4'] = '4',
	['5'] = '5', ['6'] = '6', ['7'] = '7', ['8'] = '8', ['9'] = '9',
	['_'] = '_',
	['a'] = 'a', ['b'] = 'b', ['c'] = 'c', ['d'] = 'd', ['e'] = 'e',
	['f'] = 'f', ['g'] = 'g', ['h'] = 'h', ['i'] = 'i', ['j'] = 'j',
	['k'] = 'k', ['l'] = 'l', ['m'] = 'm', ['n'] = 'n', ['o'] = 'o',
	['p'] = 'p', ['q'] = 'q', ['r'] = 'r', ['s'] = 's', ['t'] = 't',
	['u'] = 'u', ['v'] = 'v', ['w'] = 'w', ['x'] = 'x', ['y'] = 'y',
	['z'] = 'z',
	['A'] = 'a', ['B'] = 'b', ['C'] = 'c', ['D'] = 'd', ['E'] = 'e',
	['F'] = 'f', ['G'] = 'g', ['H'] = 'h', ['I'] = 'i', ['J'] = 'j',
	['K'] = 'k', ['L'] = 'l', ['M'] = 'm', ['N'] = 'n', ['O'] = 'o',
	['P'] = 'p', ['Q'] = 'q', ['R'] = 'r', ['S'] = 's', ['T'] = 't',
	['U'] = 'u', ['V'] = 'v', ['W'] = 'w', ['X'] = 'x', ['Y'] = 'y',
	['Z'] = 'z',
};

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
	size_t i = 0, n, start, wl, el, stem, k;
	uint32_t c, f;
	unsigned char a;
	int r, full;

	while (i < len) {
		/* Most text is ASCII: runs of it skip the decoder. */
		a = (unsigned char)s[i];
		if (a < 0x80 && search_ascii[a] == 0) {
			i++;
			continue;
		}
		n = search_decode(s + i, len - i, &c);
		if (search_fold(c) == 0) {
			i += n;
			continue;
		}
		start = i;
		wl = stem = 0;
		full = 0;
		for (; i < len; i += n) {
			a = (unsigned char)s[i];
			if (a < 0x80 && search_ascii[a] != 0) {
				n = 1;
				if (wl < SEARCH_TERM_MAX && !full)
					word[wl++] = (char)search_ascii[a];
				else
					full = 1;
				continue;
			}
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
			for (k = 0; k < el; k++)
				word[wl++] = enc[k];
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
 * The body of p as search reads it cutting excerpts (searchidx.c reads
 * it the same way to build the index).
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

/* The best hits kept so far: a heap whose root is the worst of them. */
struct search_top {
	struct search_hit	*h;
	size_t			 n, cap;
	size_t			 keep;	/* SIZE_MAX: keep every hit */
	size_t			 total;
	size_t			 from;	/* the page's first rank */
	int			 counted; /* kept none: from was past them */
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

/* A query of one word: its postings offered to top in any order. */
struct search_one {
	const struct store	*st;
	struct search_top	*top;
	int			 err;
};

static int
search_one_hit(void *arg, uint32_t post, uint32_t cf)
{
	struct search_one *one = arg;
	struct search_top *top = one->top;
	struct search_hit h;
	unsigned f = cf & 7;

	if (post >= one->st->nposts)
		return 0;
	h.title_hits = (f & SEARCH_IN_TITLE) != 0;
	h.tag_hits = (f & SEARCH_IN_TAG) != 0;
	h.count = cf >> 3;
	h.at = post;
	/* Most of a common word's posts rank below the worst kept. */
	if (top->keep == 0 || (top->n == top->keep &&
	    search_cmp_hit(&h, &top->h[0]) >= 0)) {
		top->total++;
		return 0;
	}
	h.body_hits = (f & SEARCH_IN_BODY) != 0;
	h.tag_only = f == SEARCH_IN_TAG;
	h.post = one->st->posts[post];
	if (search_top_add(top, &h) == -1) {
		one->err = -1;
		return -1;
	}
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
		r = search_list_open(idx, q->words[i], q->lens[i],
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
	/* A page past the shortest list is past the matches: count them. */
	if (top->keep != SIZE_MAX && n > 0 && lists[0].size <= top->from) {
		top->keep = 0;
		top->counted = 1;
	}
	if (n == 1) {
		struct search_one one = { st, top, 0 };

		search_list_each(&lists[0], search_one_hit, &one);
		r = one.err;
		goto done;
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
			/*
			 * Posts come newest first, so one that ranks no
			 * higher than the worst kept (or with none kept)
			 * is only counted: most of a common word's posts.
			 */
			h.at = post;
			if (top->keep == 0 || (top->n == top->keep &&
			    search_cmp_hit(&h, &top->h[0]) >= 0)) {
				top->total++;
				post++;
				continue;
			}
			h.post = st->posts[post];
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
		search_list_close(&lists[i]);
	return r == -1 ? -1 : 0;
}

int
search_query(const struct store *st, const struct search_index *idx,
    const char *query, unsigned page, size_t per, struct search_results *res)
{
	struct search_top top;

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
	 * The best page * per hits are kept, in one walk of the lists; but
	 * a page past the shortest list (any number a client makes up) is
	 * past the last match: that walk only counts, ranking nothing.
	 */
	top.keep = (size_t)res->page * per;
	top.from = res->from;
	if (search_match(st, idx, &res->q, &top) == -1) {
		free(top.h);
		return -1;
	}
	if (!top.counted)
		atomic_fetch_add_explicit(&search_rankings, 1,
		    memory_order_relaxed);
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
