/*
 * utf8.h - UTF-8 decoding, validation and repair.
 */
#ifndef NM_UTF8_H
#define NM_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"

#define UTF8_REPLACEMENT 0xFFFD

/* Decodes one code point at s[0..n).  Returns its length in bytes (>= 1);
 * an invalid or truncated sequence yields *cp = UTF8_REPLACEMENT and a
 * length of 1 (so scanning always advances).  n must be > 0. */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Appends the UTF-8 encoding of cp (invalid code points become U+FFFD). */
int utf8_encode(struct buf *b, uint32_t cp);
/* True when all of s[0..n) is well-formed UTF-8 (no surrogates, no overlongs). */
bool utf8_valid(const char *s, size_t n);
/* Appends s[0..n) to out with each invalid sequence replaced by U+FFFD and
 * NUL bytes dropped (they end C strings early and mean nothing in a page). */
int utf8_sanitize(struct buf *out, const char *s, size_t n);
/* True for CJK ideographs, kana, hangul and CJK punctuation: scripts that
 * are written without spaces between words. */
bool utf8_is_cjk(uint32_t cp);
/* True for code points that carry no visible text between words: Unicode's
 * White_Space property (tab..CR, space, NEL, no-break space, ogham space
 * mark, U+2000..U+200A, line and paragraph separators, narrow no-break,
 * medium mathematical and ideographic spaces) plus ZERO WIDTH SPACE U+200B
 * and the BOM / zero width no-break space U+FEFF.  Not the joiners U+200C
 * and U+200D: they shape the letters around them (Persian, Indic scripts,
 * emoji sequences) and belong to the word. */
bool utf8_is_space(uint32_t cp);

#endif
