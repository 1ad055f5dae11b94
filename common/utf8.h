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

#endif
