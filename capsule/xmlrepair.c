/*
 * xmlrepair.c: a feed's bytes mended before libxml2 reads them strictly.
 * Feed readers (browsers, feedparser) read a blank line before <?xml,
 * &nbsp;, a bare &, a stray Latin-1 byte and Windows-1252 punctuation;
 * a strict parse refuses the whole feed for one of them. Mending the
 * bytes first keeps libxml2's parse and its safety as they are: no
 * entity of the document is ever expanded, no DTD is loaded (HTML's
 * entity names come from libxml2's own HTML table, not from a DTD).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "utf8.h"
#include "xmlrepair.h"

#define XMLREPAIR_MAX_OUT	0x7fffffffu	/* what libxml2 reads at once */
#define XMLREPAIR_MAX_DIGITS	10	/* of a character reference */

/* Windows-1252's characters for bytes 0x80-0x9F; 0: none (kept). */
static const uint16_t xmlrepair_cp1252[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

/* How the bytes are to be read. */
enum xmlrepair_enc {
	XR_UTF8,	/* said or meant: checked, bad bytes made U+FFFD */
	XR_LATIN,	/* ISO-8859-1, Windows-1252, US-ASCII: to UTF-8 */
	XR_OTHER,	/* another ASCII-compatible one: libxml2's iconv */
	XR_WIDE,	/* UTF-16/32, EBCDIC: left alone */
};

struct xmlrepair_out {
	char	*p;
	size_t	 len, cap;
	int	 err;
};

static void
xr_add(struct xmlrepair_out *o, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (o->err)
		return;
	if (n > XMLREPAIR_MAX_OUT - o->len) {
		o->err = 1;
		return;
	}
	if (o->len + n > o->cap) {
		cap = o->cap ? o->cap : 4096;
		while (cap < o->len + n)
			cap = cap > XMLREPAIR_MAX_OUT / 2 ? XMLREPAIR_MAX_OUT :
			    cap * 2;
		if ((p = realloc(o->p, cap)) == NULL) {
			o->err = 1;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void
xr_cp(struct xmlrepair_out *o, uint32_t cp)
{
	char u[4];

	xr_add(o, u, utf8_encode(cp, u));
}

static void
xr_ref(struct xmlrepair_out *o, uint32_t cp)
{
	char r[16];

	xr_add(o, r, (size_t)snprintf(r, sizeof(r), "&#%u;", (unsigned)cp));
}

static void
xr_note(struct xmlrepair_count *c, size_t line, const char *what, size_t n)
{
	if (c->n++ > 0)
		return;
	c->line = line;
	if (n > XMLREPAIR_MAX_NAME)
		n = XMLREPAIR_MAX_NAME;
	memcpy(c->what, what, n);
	c->what[n] = '\0';
}

/* 1 when cp may stand in an XML 1.0 document. */
static int
xr_xml_char(uint32_t cp)
{
	return cp == 0x9 || cp == 0xa || cp == 0xd ||
	    (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
	    (cp >= 0x10000 && cp <= 0x10ffff);
}

/* memmem(3), which C17 and POSIX lack. */
static const char *
xr_find(const char *s, size_t len, const char *lit, size_t n)
{
	const char *p = s, *e = s + len;

	while (n > 0 && (size_t)(e - p) >= n &&
	    (p = memchr(p, lit[0], (size_t)(e - p) - n + 1)) != NULL) {
		if (memcmp(p, lit, n) == 0)
			return p;
		p++;
	}
	return NULL;
}

static int
xr_starts(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && memcmp(s, lit, n) == 0;
}

/* The encoding the XML declaration at s names, into r->declared. */
static enum xmlrepair_enc
xr_encoding(const char *s, size_t len, struct xmlrepair *r)
{
	const char *end, *e;
	char q;
	size_t n;

	if (len >= 2 && ((unsigned char)s[0] == 0xfe ||
	    (unsigned char)s[0] == 0xff || s[0] == '\0' || s[1] == '\0'))
		return XR_WIDE;	/* a UTF-16/32 BOM or a wide '<' */
	if (xr_starts(s, len, "\x4c\x6f\xa7\x94"))
		return XR_WIDE;	/* EBCDIC "<?xm" */
	if (!xr_starts(s, len, "<?xml"))
		return XR_UTF8;
	end = xr_find(s, len, "?>", 2);
	if (end == NULL || (e = xr_find(s, (size_t)(end - s), "encoding",
	    8)) == NULL)
		return XR_UTF8;
	e += 8;
	while (e < end && (*e == ' ' || *e == '\t' || *e == '\r' ||
	    *e == '\n' || *e == '='))
		e++;
	if (e >= end || (*e != '"' && *e != '\''))
		return XR_UTF8;
	q = *e++;
	for (n = 0; e + n < end && e[n] != q && n + 1 < sizeof(r->declared);
	    n++)
		r->declared[n] = e[n];
	r->declared[n] = '\0';
	if (n == 0 || strspn(r->declared, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
	    "klmnopqrstuvwxyz0123456789._:-") != n) {
		r->declared[0] = '\0';
		return XR_UTF8;	/* no encoding's name: libxml2 says so */
	}
	if (strcasecmp(r->declared, "utf-8") == 0 ||
	    strcasecmp(r->declared, "utf8") == 0)
		return XR_UTF8;
	if (strcasecmp(r->declared, "iso-8859-1") == 0 ||
	    strcasecmp(r->declared, "iso8859-1") == 0 ||
	    strcasecmp(r->declared, "iso_8859-1") == 0 ||
	    strcasecmp(r->declared, "latin1") == 0 ||
	    strcasecmp(r->declared, "latin-1") == 0 ||
	    strcasecmp(r->declared, "l1") == 0 ||
	    strcasecmp(r->declared, "windows-1252") == 0 ||
	    strcasecmp(r->declared, "cp1252") == 0 ||
	    strcasecmp(r->declared, "us-ascii") == 0 ||
	    strcasecmp(r->declared, "ascii") == 0)
		return XR_LATIN;
	if (strncasecmp(r->declared, "utf-16", 6) == 0 ||
	    strncasecmp(r->declared, "utf-32", 6) == 0 ||
	    strncasecmp(r->declared, "ucs", 3) == 0 ||
	    strncasecmp(r->declared, "ebcdic", 6) == 0 ||
	    strncasecmp(r->declared, "ibm", 3) == 0 ||
	    strncasecmp(r->declared, "cp0", 3) == 0)
		return XR_WIDE;
	return XR_OTHER;
}

/*
 * The reference at s (s[0] is '&'), mended into o. Returns the bytes of
 * the input it took.
 */
static size_t
xr_reference(const char *s, size_t len, size_t line, int entities,
    struct xmlrepair *r, struct xmlrepair_out *o)
{
	const htmlEntityDesc *d;
	char name[XMLREPAIR_MAX_NAME + 1];
	uint32_t cp = 0;
	size_t i = 1, n;
	int hex = 0;

	if (len > 1 && s[1] == '#') {
		i = 2;
		if (i < len && (s[i] == 'x' || s[i] == 'X')) {
			hex = 1;
			i++;
		}
		for (n = 0; i < len && n <= XMLREPAIR_MAX_DIGITS; i++, n++) {
			int dv;

			if (s[i] >= '0' && s[i] <= '9')
				dv = s[i] - '0';
			else if (hex && s[i] >= 'a' && s[i] <= 'f')
				dv = s[i] - 'a' + 10;
			else if (hex && s[i] >= 'A' && s[i] <= 'F')
				dv = s[i] - 'A' + 10;
			else
				break;
			if (cp <= 0x10ffff)
				cp = cp * (hex ? 16 : 10) + (uint32_t)dv;
		}
		if (n == 0 || i >= len || s[i] != ';')
			goto bare;
		i++;
		if (cp >= 0x80 && cp <= 0x9f &&
		    xmlrepair_cp1252[cp - 0x80] != 0) {
			xr_note(&r->cp1252_ref, line, s, i);
			xr_ref(o, xmlrepair_cp1252[cp - 0x80]);
		} else if (!xr_xml_char(cp)) {
			xr_note(&r->bad_ref, line, s, i);
			xr_ref(o, 0xfffd);
		} else if (s[2] == 'X') {
			xr_ref(o, cp);	/* XML wants a small x */
		} else
			xr_add(o, s, i);
		return i;
	}
	for (n = 0; i < len && n < XMLREPAIR_MAX_NAME &&
	    ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	    (n > 0 && s[i] >= '0' && s[i] <= '9')); i++, n++)
		name[n] = s[i];
	name[n] = '\0';
	if (n == 0 || i >= len || s[i] != ';')
		goto bare;
	i++;
	if (strcmp(name, "amp") == 0 || strcmp(name, "lt") == 0 ||
	    strcmp(name, "gt") == 0 || strcmp(name, "quot") == 0 ||
	    strcmp(name, "apos") == 0 || entities) {
		/* XML's own, or the document declares its own: libxml2's. */
		xr_add(o, s, i);
		return i;
	}
	if ((d = htmlEntityLookup((const xmlChar *)name)) != NULL) {
		xr_note(&r->html_entity, line, s, i);
		xr_ref(o, d->value);
		return i;
	}
	xr_note(&r->unknown_entity, line, s, i);
	xr_add(o, "&amp;", 5);
	return 1;
bare:
	xr_note(&r->bare_amp, line, "&", 1);
	xr_add(o, "&amp;", 5);
	return 1;
}

int
xmlrepair(const char *in, size_t len, struct xmlrepair *r)
{
	struct xmlrepair_out o = { 0 };
	enum xmlrepair_enc enc;
	const char *end = NULL;	/* the close of a CDATA, comment, PI */
	size_t i = 0, line = 1, lead = 0, pending = 0, n, k;
	int entities, changed = 0, depth = 0, doctype = 0;
	uint32_t cp;
	char hexb[8];

	memset(r, 0, sizeof(*r));
	if (len >= 3 && memcmp(in, "\xef\xbb\xbf", 3) == 0) {
		xr_add(&o, in, 3);
		i = 3;
	}
	/* Whitespace before <?xml: moved after it, its line ends kept. */
	for (k = i; k < len && (in[k] == ' ' || in[k] == '\t' ||
	    in[k] == '\r' || in[k] == '\n'); k++)
		lead += in[k] == '\n';
	if (k > i && xr_starts(in + k, len - k, "<?xml") &&
	    xr_find(in + k, len - k, "?>", 2) != NULL) {
		/* The line ends go after its "?>" (pending), below. */
		r->moved_decl = 1;
		r->lead_lines = pending = lead;
		line += lead;
		i = k;
		changed = 1;
	}
	enc = xr_encoding(in + k, len - k, r);
	if (enc == XR_WIDE) {
		free(o.p);
		memset(r, 0, sizeof(*r));
		r->wide = 1;
		return 0;
	}
	entities = xr_find(in, len, "<!ENTITY", 8) != NULL;
	while (i < len && !o.err) {
		unsigned char c = (unsigned char)in[i];

		if (end != NULL && xr_starts(in + i, len - i, end)) {
			xr_add(&o, end, strlen(end));
			i += strlen(end);
			end = NULL;
			for (; pending > 0; pending--)
				xr_add(&o, "\n", 1);
			continue;
		}
		if (end == NULL && c == '<') {
			if (xr_starts(in + i, len - i, "<![CDATA["))
				end = "]]>";
			else if (xr_starts(in + i, len - i, "<!--"))
				end = "-->";
			else if (xr_starts(in + i, len - i, "<?"))
				end = "?>";
			else if (!doctype &&
			    xr_starts(in + i, len - i, "<!DOCTYPE")) {
				/* To its '>', past an internal subset. */
				doctype = 1;
				depth = 0;
				xr_add(&o, in + i, 9);
				i += 9;
				continue;
			}
			if (end != NULL) {
				n = strlen(end) == 3 && end[0] == ']' ? 9 :
				    end[0] == '-' ? 4 : 2;
				xr_add(&o, in + i, n);
				i += n;
				continue;
			}
		}
		if (end == NULL && doctype) {
			/* Its & are the DTD's: libxml2's to read (or refuse). */
			if (c == '[')
				depth++;
			else if (c == ']' && depth > 0)
				depth--;
			else if (c == '>' && depth == 0)
				doctype = 0;
		} else if (end == NULL && c == '&') {
			i += xr_reference(in + i, len - i, line, entities,
			    r, &o);
			continue;
		}
		if (c == '\n')
			line++;
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			snprintf(hexb, sizeof(hexb), "0x%02x", c);
			xr_note(&r->control, line, hexb, strlen(hexb));
			xr_cp(&o, 0xfffd);
			i++;
			continue;
		}
		if (c < 0x80 || enc == XR_OTHER) {
			xr_add(&o, in + i, 1);
			i++;
			continue;
		}
		if (enc == XR_LATIN) {
			cp = c;
			snprintf(hexb, sizeof(hexb), "0x%02x", c);
			if (c <= 0x9f) {
				cp = xmlrepair_cp1252[c - 0x80];
				if (strcasecmp(r->declared, "windows-1252") &&
				    strcasecmp(r->declared, "cp1252"))
					xr_note(&r->cp1252_byte, line, hexb,
					    strlen(hexb));
				if (cp == 0) {
					xr_note(&r->bad_byte, line, hexb,
					    strlen(hexb));
					cp = 0xfffd;
				}
			}
			xr_cp(&o, cp);
			i++;
			continue;
		}
		n = utf8_decode(in + i, len - i, &cp);
		if (n == 0 || !xr_xml_char(cp)) {
			snprintf(hexb, sizeof(hexb), "0x%02x", c);
			xr_note(n == 0 ? &r->bad_byte : &r->control, line,
			    hexb, strlen(hexb));
			xr_cp(&o, 0xfffd);
			i += n ? n : 1;
			continue;
		}
		r->utf8_chars++;
		xr_add(&o, in + i, n);
		i += n;
	}
	if (o.err) {
		free(o.p);
		memset(r, 0, sizeof(*r));
		return -1;
	}
	if (enc == XR_LATIN)
		r->encoding = "UTF-8";	/* now, whatever the declaration says */
	if (!changed && r->encoding == NULL && o.len == len &&
	    memcmp(o.p ? o.p : "", in, len) == 0) {
		free(o.p);
		return 0;
	}
	r->data = o.p;
	r->len = o.len;
	return 0;
}

void
xmlrepair_free(struct xmlrepair *r)
{
	free(r->data);
	r->data = NULL;
}
