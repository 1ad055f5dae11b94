/*
 * pinyin.h - Chinese text to toneless ASCII pinyin, for slugs and category
 * names: 科技日报 -> kejiribao.  Readings are the first kMandarin reading of
 * each character in Unihan (Debian's unicode-data), compiled into a table
 * at build time.
 */
#ifndef NM_PINYIN_H
#define NM_PINYIN_H

#include <stddef.h>

#include "common/buf.h"

struct kv;

/* Appends the pinyin of s: each Han character becomes its syllable (no
 * separators), ASCII letters and digits are kept lower-cased, anything else
 * becomes a single '-' between words (never leading or trailing).
 * overrides: pairs of (text, replacement) tried first, longest text first
 * at each position, so polyphones can be fixed per string (重庆 ->
 * chongqing).  n = number of pairs. */
void pinyin_append(struct buf *out, const char *s, const struct kv *overrides, size_t n);
/* The syllable of one code point, or NULL. */
const char *pinyin_of(unsigned cp);

#endif
