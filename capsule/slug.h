/*
 * slug.h: names made into slugs (tag and imported post URLs) and folded
 * for comparison. Pure functions: no allocation, no I/O.
 */
#ifndef SLUG_H
#define SLUG_H

#include <stddef.h>
#include <stdint.h>

/*
 * A slug from a name: ASCII letters and digits lowercased, each other run
 * one hyphen (none at either end), apostrophes dropped ("People's" ->
 * "peoples"). Letters with an ASCII spelling are spelt so: accented Latin
 * ("revolução" -> "revolucao"), Greek, Cyrillic ("Привет" -> "privet"),
 * Hebrew, Arabic and Japanese kana; other letters (Chinese characters,
 * kanji) have none and separate words. Cut to fit outsz, between letters.
 * Returns its length; 0 when the name has nothing to spell.
 */
size_t		 slug_make(const char *name, char *out, size_t outsz);
/* 1 when every character of name is spelt in its slug, or a space or -. */
int		 slug_spelt_whole(const char *name);
/*
 * The name folded for comparison: ASCII, Latin, Greek and Cyrillic
 * capitals made small, so "News" and "NEWS" are one tag. Cut to fit.
 */
void		 slug_fold(const char *name, char *out, size_t outsz);
/* A 32-bit FNV-1a hash of s, for short suffixes that depend on s only. */
uint32_t	 slug_hash(const char *s);

#endif
