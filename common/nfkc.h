/*
 * nfkc.h - Unicode NFKC normalisation (ICU): full-width letters and digits
 * to ASCII, compatibility ideographs to their unified forms, ligatures
 * split.  For the rule post-op `nfkc`.
 */
#ifndef NM_NFKC_H
#define NM_NFKC_H

#include <stddef.h>

#include "common/buf.h"

/* Appends the NFKC form of s[0..n) (UTF-8; invalid bytes become U+FFFD).
 * Returns 0, or -1 when ICU fails (out is then given s unchanged). */
int nfkc_append(struct buf *out, const char *s, size_t n);
/* The same for NFC (canonical composition: "e" + U+0301 becomes "é"),
 * which output text is in. */
int nfc_append(struct buf *out, const char *s, size_t n);

#endif
