/*
 * slug.c: names into slugs and folded names. Slugs stay lowercase ASCII
 * (what post.c, the router, Gopher selectors and every existing path
 * expect), so letters outside ASCII are spelt in ASCII where a simple,
 * letter-by-letter spelling exists, as WordPress's own transliteration
 * plugins and Python's unidecode do for these scripts.
 */
#include <string.h>

#include "slug.h"
#include "utf8.h"

/* U+00C0 to U+00FF; NULL: not a letter (× and ÷). */
static const char *const slug_latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e",
	"i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", NULL,
	"o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e",
	"i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", NULL,
	"o", "u", "u", "u", "u", "y", "th", "y",
};

/* U+0100 to U+017F, one letter each but for ĳ and œ (below). */
static const char slug_latin_a[125] =
    "aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiii"
    "jjkkkllllllllllnnnnnnnnnoooooorrrrrrssssssss"
    "ttttttuuuuuuuuuuuuwwyyyzzzzzzs";

/* U+0430 to U+044F (small а to я); capitals are 0x20 below. */
static const char *const slug_cyrillic[32] = {
	"a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m",
	"n", "o", "p", "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh",
	"shch", "", "y", "", "e", "yu", "ya",
};

/* U+0450 to U+045F (ѐ to џ); capitals are 0x50 below. */
static const char *const slug_cyrillic_ext[16] = {
	"e", "yo", "dj", "g", "ye", "dz", "i", "yi", "j", "lj", "nj", "c",
	"k", "i", "u", "dz",
};

/* U+03B1 to U+03C9 (small α to ω); capitals are 0x20 below. */
static const char *const slug_greek[25] = {
	"a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n",
	"x", "o", "p", "r", "s", "s", "t", "y", "f", "ch", "ps", "o",
};

/* U+05D0 to U+05EA (א to ת). */
static const char *const slug_hebrew[27] = {
	"", "b", "g", "d", "h", "v", "z", "kh", "t", "y", "kh", "kh", "l",
	"m", "m", "n", "n", "s", "", "f", "p", "ts", "ts", "k", "r", "sh",
	"t",
};

/* U+0621 to U+064A (ء to ي); NULL: not a letter. */
static const char *const slug_arabic[42] = {
	"", "a", "a", "w", "i", "y", "a", "b", "h", "t", "th", "j", "h",
	"kh", "d", "dh", "r", "z", "s", "sh", "s", "d", "t", "z", "", "gh",
	NULL, NULL, NULL, NULL, NULL, "", "f", "q", "k", "l", "m", "n", "h",
	"w", "a", "y",
};

/* U+3041 to U+3096 (hiragana ぁ to ゖ); katakana is the same 0x60 up. */
static const char *const slug_kana[86] = {
	"a", "a", "i", "i", "u", "u", "e", "e", "o", "o",
	"ka", "ga", "ki", "gi", "ku", "gu", "ke", "ge", "ko", "go",
	"sa", "za", "shi", "ji", "su", "zu", "se", "ze", "so", "zo",
	"ta", "da", "chi", "ji", "", "tsu", "zu", "te", "de", "to", "do",
	"na", "ni", "nu", "ne", "no",
	"ha", "ba", "pa", "hi", "bi", "pi", "fu", "bu", "pu",
	"he", "be", "pe", "ho", "bo", "po",
	"ma", "mi", "mu", "me", "mo",
	"ya", "ya", "yu", "yu", "yo", "yo",
	"ra", "ri", "ru", "re", "ro",
	"wa", "wa", "wi", "we", "wo", "n", "vu", "ka", "ke",
};

/*
 * The ASCII spelling of a letter: "" for a mark that adds nothing (the
 * apostrophe, accents combined, hard and soft signs), NULL for anything
 * that separates words.
 */
static const char *
slug_spell(uint32_t c)
{
	static char ascii[2];

	if (c < 0x80) {
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			ascii[0] = (char)c;
			return ascii;
		}
		return c == '\'' ? "" : NULL;
	}
	if (c == 0x2019 || (c >= 0x0300 && c <= 0x036f) || c == 0x200d)
		return "";	/* ’, combining accents, ZWJ */
	if (c >= 0xc0 && c <= 0xff)
		return slug_latin1[c - 0xc0];
	if (c == 0x132 || c == 0x133)
		return "ij";
	if (c == 0x152 || c == 0x153)
		return "oe";
	if (c >= 0x100 && c <= 0x17f) {
		static char l[2];

		l[0] = slug_latin_a[c - 0x100 - (c > 0x133) * 2 -
		    (c > 0x153) * 2];
		return l;
	}
	if (c == 0x218 || c == 0x219)
		return "s";	/* Romanian ș */
	if (c == 0x21a || c == 0x21b)
		return "t";	/* Romanian ț */
	if (c >= 0x410 && c <= 0x42f)
		c += 0x20;
	if (c >= 0x400 && c <= 0x40f)
		c += 0x50;
	if (c >= 0x430 && c <= 0x44f)
		return slug_cyrillic[c - 0x430];
	if (c >= 0x450 && c <= 0x45f)
		return slug_cyrillic_ext[c - 0x450];
	if (c == 0x490 || c == 0x491)
		return "g";	/* Ukrainian ґ */
	switch (c) {		/* Greek with accents */
	case 0x386: case 0x3ac: return "a";
	case 0x388: case 0x3ad: return "e";
	case 0x389: case 0x3ae: case 0x38a: case 0x3af: case 0x3ca:
	case 0x390: return "i";
	case 0x38c: case 0x3cc: case 0x38f: case 0x3ce: return "o";
	case 0x38e: case 0x3cd: case 0x3cb: case 0x3b0: return "y";
	}
	if (c >= 0x391 && c <= 0x3a9 && c != 0x3a2)
		c += 0x20;
	if (c >= 0x3b1 && c <= 0x3c9)
		return slug_greek[c - 0x3b1];
	if (c >= 0x5d0 && c <= 0x5ea)
		return slug_hebrew[c - 0x5d0];
	if (c >= 0x591 && c <= 0x5c7)
		return "";	/* Hebrew points */
	if (c >= 0x621 && c <= 0x64a)
		return slug_arabic[c - 0x621];
	if ((c >= 0x64b && c <= 0x65f) || c == 0x640 || c == 0x670)
		return "";	/* Arabic vowel marks, tatweel */
	if (c >= 0x660 && c <= 0x669) {
		ascii[0] = (char)('0' + c - 0x660);
		return ascii;
	}
	if (c >= 0x6f0 && c <= 0x6f9) {
		ascii[0] = (char)('0' + c - 0x6f0);
		return ascii;
	}
	switch (c) {		/* Persian and Urdu letters */
	case 0x67e: return "p";
	case 0x686: return "ch";
	case 0x698: return "zh";
	case 0x6a9: return "k";
	case 0x6af: return "g";
	case 0x6cc: return "y";
	}
	if (c >= 0x30a1 && c <= 0x30f6)
		c -= 0x60;	/* katakana as hiragana */
	if (c >= 0x3041 && c <= 0x3096)
		return slug_kana[c - 0x3041];
	if (c == 0x30fc || c == 0x3099 || c == 0x309a)
		return "";	/* the long-vowel mark, voicing marks */
	return NULL;
}

size_t
slug_make(const char *name, char *out, size_t outsz)
{
	const char *s = name, *sp;
	size_t len = strlen(name), o = 0, n, k;
	uint32_t c;
	int dash = 0;

	if (outsz == 0)
		return 0;
	while (*s != '\0') {
		if ((n = utf8_decode(s, len - (s - name), &c)) == 0) {
			n = 1;		/* a stray byte separates */
			c = 0xfffd;
		}
		s += n;
		if ((sp = slug_spell(c)) == NULL) {
			dash = 1;
			continue;
		}
		if (sp[0] == '\0')
			continue;
		k = strlen(sp);
		if (dash && o > 0) {
			if (o + 1 + k >= outsz)
				break;
			out[o++] = '-';
		}
		dash = 0;
		if (o + k >= outsz)
			k = outsz - 1 - o;	/* cut between letters */
		memcpy(out + o, sp, k);
		o += k;
		if (o + 1 >= outsz)
			break;
	}
	out[o] = '\0';
	return o;
}

int
slug_spelt_whole(const char *name)
{
	const char *s = name;
	size_t len = strlen(name), n;
	uint32_t c;

	while (*s != '\0') {
		if ((n = utf8_decode(s, len - (s - name), &c)) == 0)
			return 0;
		s += n;
		if (slug_spell(c) == NULL && c != ' ' && c != '-')
			return 0;
	}
	return 1;
}

/* The small letter of a capital, for the scripts slug_fold knows. */
static uint32_t
slug_lower(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 0x20;
	if (c >= 0xc0 && c <= 0xde && c != 0xd7)
		return c + 0x20;
	if ((c >= 0x100 && c <= 0x137) || (c >= 0x14a && c <= 0x177))
		return c | 1;	/* capital even, small odd */
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
		return (c & 1) ? c + 1 : c;	/* capital odd */
	if (c >= 0x391 && c <= 0x3a9 && c != 0x3a2)
		return c + 0x20;
	switch (c) {		/* Greek capitals with accents */
	case 0x386: return 0x3ac;
	case 0x388: return 0x3ad;
	case 0x389: return 0x3ae;
	case 0x38a: return 0x3af;
	case 0x38c: return 0x3cc;
	case 0x38e: return 0x3cd;
	case 0x38f: return 0x3ce;
	}
	if (c >= 0x410 && c <= 0x42f)
		return c + 0x20;
	if (c >= 0x400 && c <= 0x40f)
		return c + 0x50;
	return c;
}

void
slug_fold(const char *name, char *out, size_t outsz)
{
	const char *s = name;
	size_t len = strlen(name), o = 0, n;
	char enc[4];
	uint32_t c;

	if (outsz == 0)
		return;
	while (*s != '\0') {
		if ((n = utf8_decode(s, len - (s - name), &c)) == 0) {
			if (o + 1 >= outsz)
				break;
			out[o++] = *s++;	/* kept as it is */
			continue;
		}
		s += n;
		n = utf8_encode(slug_lower(c), enc);
		if (o + n >= outsz)
			break;
		memcpy(out + o, enc, n);
		o += n;
	}
	out[o] = '\0';
}

uint32_t
slug_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}
