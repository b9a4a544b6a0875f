/* utf8.c: strict UTF-8 decoding and wrapping that never splits a character. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "utf8.h"

size_t
utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t c, min;
	size_t n, i;

	if (len == 0)
		return 0;
	c = u[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4;
		c &= 0x07;
		min = 0x10000;
	} else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past Unicode are invalid. */
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int
utf8_valid(const char *s, size_t len)
{
	uint64_t w;
	uint32_t cp;
	size_t n;

	while (len > 0) {
		/* Eight ASCII bytes at a time: most text is. */
		if (len >= 8) {
			memcpy(&w, s, 8);
			if ((w & 0x8080808080808080ULL) == 0) {
				s += 8;
				len -= 8;
				continue;
			}
		}
		if ((unsigned char)*s < 0x80) {
			s++;
			len--;
			continue;
		}
		if ((n = utf8_decode(s, len, &cp)) == 0)
			return 0;
		s += n;
		len -= n;
	}
	return 1;
}

size_t
utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;

	if (cp < 0x80) {
		o[0] = cp;
		return 1;
	} else if (cp < 0x800) {
		o[0] = 0xc0 | (cp >> 6);
		o[1] = 0x80 | (cp & 0x3f);
		return 2;
	} else if (cp < 0x10000) {
		o[0] = 0xe0 | (cp >> 12);
		o[1] = 0x80 | ((cp >> 6) & 0x3f);
		o[2] = 0x80 | (cp & 0x3f);
		return 3;
	}
	o[0] = 0xf0 | (cp >> 18);
	o[1] = 0x80 | ((cp >> 12) & 0x3f);
	o[2] = 0x80 | ((cp >> 6) & 0x3f);
	o[3] = 0x80 | (cp & 0x3f);
	return 4;
}

/* Columns of one character: 0 for combining marks, 2 for wide ones. */
static int
utf8_cp_columns(uint32_t c)
{
	if ((c >= 0x300 && c <= 0x36f) || (c >= 0x1ab0 && c <= 0x1aff) ||
	    (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x20d0 && c <= 0x20ff) ||
	    (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xfe20 && c <= 0xfe2f) ||
	    c == 0x200b || c == 0x200c || c == 0x200d)
		return 0;
	if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ||
	    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
	    (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd))
		return 2;
	return 1;
}

/* Length and columns of the character at s; a bad byte counts as one. */
static size_t
utf8_step(const char *s, size_t len, int *cols)
{
	uint32_t cp;
	size_t n;

	if ((n = utf8_decode(s, len, &cp)) == 0) {
		*cols = 1;
		return 1;
	}
	*cols = utf8_cp_columns(cp);
	return n;
}

size_t
utf8_columns(const char *s, size_t len)
{
	size_t i = 0, total = 0;
	int w;

	while (i < len) {
		i += utf8_step(s + i, len - i, &w);
		total += w;
	}
	return total;
}

int
utf8_wrap(const char *s, size_t len, size_t cols, utf8_line_cb cb, void *arg)
{
	size_t start = 0, i, col, brk, n;
	int w, r;

	if (cols == 0)
		cols = 1;
	while (start < len) {
		col = 0;
		brk = 0;	/* where a run of spaces starts, 0 for none */
		for (i = start; i < len; i += n) {
			if (s[i] == ' ') {
				if (i > start && s[i - 1] != ' ')
					brk = i;
				col++;
				n = 1;
				continue;
			}
			n = utf8_step(s + i, len - i, &w);
			if (col + w > cols && col > 0)
				break;
			col += w;
		}
		if (i >= len) {
			/* Spaces at the very end never push a line past cols. */
			for (n = len; n > start && s[n - 1] == ' ' && col > cols;
			    n--)
				col--;
			if ((r = cb(arg, s + start, n - start)) != 0)
				return r;
			break;
		}
		if (brk > start) {
			/* Break at the last space run; the run goes. */
			if ((r = cb(arg, s + start, brk - start)) != 0)
				return r;
			for (start = brk; start < len && s[start] == ' ';)
				start++;
		} else {
			/* One word longer than a line: cut between characters. */
			if ((r = cb(arg, s + start, i - start)) != 0)
				return r;
			start = i;
		}
	}
	return 0;
}

void
utf8_defang(char *s, size_t n)
{
	unsigned char c;
	size_t i;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '\t' || c == '\n' ||
		    (c == '\r' && i + 1 < n && s[i + 1] == '\n'))
			continue;
		if (c < 0x20 || c == 0x7f)
			s[i] = ' ';
		else if (c == 0xc2 && i + 1 < n &&
		    (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9f) {
			s[i] = s[i + 1] = ' ';
			i++;
		}
	}
}
