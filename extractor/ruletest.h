/*
 * ruletest.h - comparing a rule's test expectations with an extracted
 * article (for `newsmd rules check`).
 */
#ifndef NM_RULETEST_H
#define NM_RULETEST_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "extractor/article.h"

/* Appends field k of a as the tests compare it: dates as
 * "YYYY-MM-DD HH:MM:SS +ZZZZ", author/tags joined with ", ", body as its
 * text, custom fields by name; nothing when empty. */
void ruletest_field_text(const struct article *a, const char *k, struct buf *out);
/* True when want (the test's text) matches got (ruletest_field_text's):
 * date and updated compare as instants, the rest as text. */
bool ruletest_equal(const struct article *a, const char *key, const char *want, const char *got);
/* Appends s with invisible characters shown: U+00A0, controls, zero-width
 * and other special spaces as <U+XXXX>, a space at either end as ␣. */
void ruletest_visible(const char *s, struct buf *out);
/* Characters (code points) of UTF-8 s; 0 for NULL. */
size_t ruletest_chars(const char *s);

#endif
