/* utf8.h: validation, decoding and column-aware wrapping of UTF-8. */
#ifndef UTF8_H
#define UTF8_H

#include <stddef.h>
#include <stdint.h>

/* 1 when s[0..len) is valid UTF-8 (no overlongs, no surrogates). */
int	 utf8_valid(const char *, size_t);
/* Decodes one character; returns its length in bytes, 0 when invalid. */
size_t	 utf8_decode(const char *, size_t, uint32_t *);
/* Encodes cp into out (4 bytes at least); returns the length. */
size_t	 utf8_encode(uint32_t, char *);
/* Columns a string takes: one per character, none for combining marks. */
size_t	 utf8_columns(const char *, size_t);

/*
 * Makes text safe for a reader's terminal, in place: every C0 control
 * but TAB and LF (CR only before LF), DEL, and the C1 controls (U+0080
 * to U+009F, two bytes each) become spaces, so no escape sequence, bare
 * CR or form feed written into a post reaches a client's screen.
 */
void	 utf8_defang(char *, size_t);

/*
 * Wraps one paragraph to lines of at most cols columns, breaking at spaces;
 * a word longer than a line is cut between characters, never inside one.
 * cb gets each line without its end; a non-zero return stops the wrap.
 */
typedef int (*utf8_line_cb)(void *, const char *, size_t);
int	 utf8_wrap(const char *, size_t, size_t, utf8_line_cb, void *);

#endif
