/* post.c: parses one post file; strict, and says which line is wrong. */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "post.h"
#include "utf8.h"

#define POST_MAX_SLUG	128

static int
post_err(struct post_error *err, int line, const char *fmt, ...)
{
	va_list ap;

	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
post_valid_date(const char *s)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int y, m, d, i;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return 0;
		} else if (s[i] < '0' || s[i] > '9')
			return 0;
	}
	if (s[10] != '\0')
		return 0;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 0;
	return 1;
}

int
post_valid_slug(const char *s)
{
	size_t i;

	/* Plain ranges: a million slugs are checked at a start. */
	if (!(s[0] >= 'a' && s[0] <= 'z') && !(s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= POST_MAX_SLUG)
			return 0;
		if (!(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= '0' && s[i] <= '9') && s[i] != '-')
			return 0;
	}
	return 1;
}

int
post_valid_value(const char *s, int may_be_empty)
{
	size_t n = strlen(s);

	if (n == 0)
		return may_be_empty;
	/* "Title:" and "Image:", the shortest keys, take six of the line. */
	return n <= POST_MAX_HEADER - 6 && memchr(s, '\n', n) == NULL &&
	    s[0] != ' ' && s[0] != '\t' && s[n - 1] != ' ' &&
	    s[n - 1] != '\t' && utf8_valid(s, n);
}

int
post_valid_tag(const char *s)
{
	return s[0] != '\0' && strlen(s) <= POST_MAX_TAG &&
	    strchr(s, ',') == NULL && post_valid_value(s, 0);
}

int
post_valid_tags(const char **tags, size_t n)
{
	size_t i, j;

	if (n > POST_MAX_TAGS)
		return 0;
	for (i = 0; i < n; i++) {
		if (!post_valid_tag(tags[i]))
			return 0;
		for (j = 0; j < i; j++)
			if (strcmp(tags[i], tags[j]) == 0)
				return 0;
	}
	return 1;
}

/* Trims spaces and tabs at both ends of s[0..*len). */
static const char *
post_trim(const char *s, size_t *len)
{
	while (*len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		(*len)--;
	}
	while (*len > 0 && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
		(*len)--;
	return s;
}

/* Splits "A, B,C" into p->tags, dropping empties and repeats. */
static int
post_parse_tags(struct arena *a, struct post *p, const char *v, size_t vlen,
    int line, struct post_error *err)
{
	const char *names[POST_MAX_TAGS], *t, *end = v + vlen;
	size_t n = 0, tl, i;
	const char *comma;

	while (v < end) {
		comma = memchr(v, ',', end - v);
		tl = (comma ? comma : end) - v;
		t = post_trim(v, &tl);
		v = comma ? comma + 1 : end;
		if (tl == 0)
			continue;
		if (tl > POST_MAX_TAG)
			return post_err(err, line, "tag longer than %d bytes",
			    POST_MAX_TAG);
		for (i = 0; i < n; i++)
			if (strlen(names[i]) == tl &&
			    memcmp(names[i], t, tl) == 0)
				break;
		if (i < n)
			continue;
		if (n == POST_MAX_TAGS)
			return post_err(err, line, "more than %d tags",
			    POST_MAX_TAGS);
		if ((names[n++] = arena_strndup(a, t, tl)) == NULL)
			return post_err(err, line, "out of memory");
	}
	p->tags = arena_alloc(a, (n ? n : 1) * sizeof(*p->tags));
	p->tagp = arena_alloc(a, (n ? n : 1) * sizeof(*p->tagp));
	if (p->tags == NULL || p->tagp == NULL)
		return post_err(err, line, "out of memory");
	memcpy(p->tags, names, n * sizeof(*names));
	memset(p->tagp, 0, (n ? n : 1) * sizeof(*p->tagp));
	p->ntags = n;
	return 0;
}

/* Line number (1-based) of byte offset off in text. */
static int
post_line_of(const char *text, size_t off)
{
	int line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		if (text[i] == '\n')
			line++;
	return line;
}

/* Offset of the first byte that is not valid UTF-8. */
static size_t
post_bad_utf8(const char *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		/* The common case, eight bytes at a time: all ASCII. */
		if (len - i >= 8) {
			uint64_t w;

			memcpy(&w, s + i, 8);
			if ((w & 0x8080808080808080ULL) == 0) {
				i += 8;
				continue;
			}
		}
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = utf8_decode(s + i, len - i, &cp)) == 0)
			return i;
		i += n;
	}
	return len;
}

/* 1 when "/media/" occurs in s[0..len) (memmem(3) is not POSIX). */
static int
post_names_media(const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	while ((p = memchr(p, '/', (size_t)(end - p))) != NULL) {
		if ((size_t)(end - p) < 7)
			return 0;
		if (memcmp(p, "/media/", 7) == 0)
			return 1;
		p++;
	}
	return 0;
}

static int
post_parse_text(struct arena *a, const char *slug,
    const char *text, size_t len, struct post *p, struct post_error *err,
    int want_body)
{
	const char *images[POST_MAX_IMAGES], *s, *nl, *colon, *v, *body;
	size_t ll, kl, vl, off, nimages = 0, i, bl;
	int line = 0, tags_seen = 0, author_seen = 0;
	char *b;

	memset(p, 0, sizeof(*p));
	memset(err, 0, sizeof(*err));
	if (len > POST_MAX_SIZE)
		return post_err(err, 0, "file larger than %u bytes",
		    POST_MAX_SIZE);
	if ((s = memchr(text, '\0', len)) != NULL)
		return post_err(err, post_line_of(text, s - text),
		    "NUL byte in text");
	if ((off = post_bad_utf8(text, len)) < len)
		return post_err(err, post_line_of(text, off),
		    "invalid UTF-8");
	if (!post_valid_slug(slug))
		return post_err(err, 0, "file name \"%s\" is not a valid slug "
		    "(lowercase letters, digits and hyphens)", slug);
	if ((p->slug = arena_strdup(a, slug)) == NULL)
		return post_err(err, 0, "out of memory");
	p->author = "";

	/* A byte-order mark some editors write is not part of the header. */
	s = text;
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		len -= 3;
	}
	body = s + len;
	while (s < body) {
		line++;
		nl = memchr(s, '\n', body - s);
		ll = (nl ? nl : body) - s;
		if (ll > 0 && s[ll - 1] == '\r')
			ll--;
		if (ll == 0) {
			s = nl ? nl + 1 : body;
			break;
		}
		if (ll > POST_MAX_HEADER)
			return post_err(err, line, "header line longer than %d "
			    "bytes", POST_MAX_HEADER);
		colon = memchr(s, ':', ll);
		if (colon == NULL || colon == s)
			return post_err(err, line, "expected \"Key: value\"; "
			    "a blank line must separate the header from "
			    "the body");
		kl = colon - s;
		for (i = 0; i < kl; i++)
			if (!isalpha((unsigned char)s[i]) && s[i] != '-')
				return post_err(err, line, "bad header key "
				    "\"%.*s\"", (int)kl, s);
		vl = ll - kl - 1;
		v = post_trim(colon + 1, &vl);

#define KEY(k) (kl == strlen(k) && strncasecmp(s, k, kl) == 0)
		if (KEY("Title") || KEY("Date") || KEY("Author")) {
			const char **dst = KEY("Title") ? &p->title :
			    KEY("Date") ? &p->date : &p->author;

			if ((dst == &p->author ? author_seen++ : *dst != NULL))
				return post_err(err, line, "repeated %.*s",
				    (int)kl, s);
			if (vl == 0 && dst != &p->author)
				return post_err(err, line, "empty %.*s",
				    (int)kl, s);
			if ((*dst = arena_strndup(a, v, vl)) == NULL)
				return post_err(err, line, "out of memory");
			if (dst == &p->date && !post_valid_date(p->date))
				return post_err(err, line, "Date must be "
				    "YYYY-MM-DD, got \"%s\"", p->date);
		} else if (KEY("Tags")) {
			if (tags_seen++)
				return post_err(err, line, "repeated Tags");
			if (post_parse_tags(a, p, v, vl, line, err) == -1)
				return -1;
		} else if (KEY("Image")) {
			if (nimages == POST_MAX_IMAGES)
				return post_err(err, line, "more than %d Image "
				    "lines", POST_MAX_IMAGES);
			if (vl == 0)
				return post_err(err, line, "empty Image");
			if ((images[nimages++] = arena_strndup(a, v, vl)) ==
			    NULL)
				return post_err(err, line, "out of memory");
		} else if (KEY("Source") || KEY("Import-Hash")) {
			/* Written by capsule import for itself; not shown. */
		} else
			return post_err(err, line, "unknown header \"%.*s\" "
			    "(known: Title, Date, Author, Tags, Image, Source, "
			    "Import-Hash)", (int)kl, s);
#undef KEY
		s = nl ? nl + 1 : body;
	}
	if (p->title == NULL)
		return post_err(err, 1, "missing Title");
	if (p->date == NULL)
		return post_err(err, 1, "missing Date");
	if (!tags_seen && post_parse_tags(a, p, "", 0, 1, err) == -1)
		return -1;
	p->images = arena_alloc(a, (nimages ? nimages : 1) * sizeof(*images));
	if (p->images == NULL)
		return post_err(err, 0, "out of memory");
	memcpy(p->images, images, nimages * sizeof(*images));
	p->nimages = nimages;
	/* Menus say which posts have pictures: counted here, once. */
	{
		size_t at = 0, n = 0;
		int pre = 0;
		struct post_link pl;

		/* A body that never names the picture store has none. */
		if (post_names_media(s, (size_t)(body - s)))
			while (post_next_picture(s, (size_t)(body - s), &at,
			    &pre, NULL, &pl))
				n++;
		p->npictures = n;
	}

	if (!want_body)
		return 0;
	/* The body, with CRLF made LF and blank lines at both ends dropped. */
	bl = body - s;
	if ((b = arena_alloc(a, bl + 1)) == NULL)
		return post_err(err, 0, "out of memory");
	for (i = 0, off = 0; i < bl; i++) {
		if (s[i] == '\r' && (i + 1 == bl || s[i + 1] == '\n'))
			continue;
		b[off++] = s[i];
	}
	while (off > 0 && isspace((unsigned char)b[off - 1]))
		off--;
	i = 0;
	while (i < off && b[i] == '\n')
		i++;
	b[off] = '\0';
	p->body = b + i;
	p->body_len = off - i;
	return 0;
}

int
post_parse(struct arena *a, const char *slug,
    const char *text, size_t len, struct post *p, struct post_error *err)
{
	return post_parse_text(a, slug, text, len, p, err, 1);
}

int
post_parse_meta(struct arena *a, const char *slug,
    const char *text, size_t len, struct post *p, struct post_error *err)
{
	return post_parse_text(a, slug, text, len, p, err, 0);
}

int
post_next_picture(const char *body, size_t len, size_t *at, int *pre,
    size_t *line, struct post_link *l)
{
	const char *s, *nl, *end = body + len;
	size_t n;

	for (s = body + *at; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', end - s)) == NULL)
			nl = end;
		n = nl - s;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		*at = (size_t)(nl - body) + 1;
		if (line != NULL)
			(*line)++;
		if (*pre || post_fence_opens(s, n, nl + 1, end)) {
			if (*pre && n >= 3 && memcmp(s, "```", 3) == 0)
				*pre = 0;
			else
				*pre = 1;
			continue;
		}
		if (post_link_line(s, n, l) && l->url_len > 7 &&
		    memcmp(l->url, "/media/", 7) == 0)
			return 1;
	}
	*at = len;
	return 0;
}

int
post_link_line(const char *s, size_t n, struct post_link *l)
{
	size_t i = 2, u;

	if (n < 3 || s[0] != '=' || s[1] != '>')
		return 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	for (u = i; u < n && s[u] != ' ' && s[u] != '\t'; u++)
		;
	if (u == i)
		return 0;
	/* A URL with a scheme, or an absolute path: "=> not a link" is text. */
	if (s[i] != '/') {
		size_t k = i;

		if (!isalpha((unsigned char)s[k]))
			return 0;
		while (k < u && (isalnum((unsigned char)s[k]) || s[k] == '+' ||
		    s[k] == '-' || s[k] == '.'))
			k++;
		if (k == u || s[k] != ':')
			return 0;
	}
	l->url = s + i;
	l->url_len = u - i;
	while (u < n && (s[u] == ' ' || s[u] == '\t'))
		u++;
	l->text = s + u;
	l->text_len = n - u;
	while (l->text_len > 0 && (l->text[l->text_len - 1] == ' ' ||
	    l->text[l->text_len - 1] == '\t'))
		l->text_len--;
	return 1;
}

int
post_fence_opens(const char *s, size_t n, const char *rest, const char *end)
{
	const char *nl;

	if (n < 3 || memcmp(s, "```", 3) != 0)
		return 0;
	/* Only a fence that a later one closes: a lone ``` stays text. */
	for (; rest < end; rest = nl + 1) {
		if ((nl = memchr(rest, '\n', end - rest)) == NULL)
			nl = end;
		if (nl - rest >= 3 && memcmp(rest, "```", 3) == 0)
			return 1;
	}
	return 0;
}
