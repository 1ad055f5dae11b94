/*
 * translit.h - Latin letters with diacritics to plain ASCII for slugs:
 * "Café crème à Paris" -> cafe creme a paris, "Łódź" -> lodz, "Straße" ->
 * strasse.  Covers Latin-1, Latin Extended-A/B and Latin Extended
 * Additional (Vietnamese), and full-width ASCII (Ａ１ -> a1), which Chinese
 * titles use.  Other scripts have no entry (pinyin.h handles Han).
 */
#ifndef NM_TRANSLIT_H
#define NM_TRANSLIT_H

#include <stdint.h>

/* The lower-case ASCII letters (or digit) standing for cp, or NULL when cp
 * is not a letter this table knows.  ASCII letters and digits map to
 * themselves, lower-cased.  Static storage. */
const char *translit_ascii(uint32_t cp);

#endif
