/*
 * charset.h - page bytes in any declared or undeclared charset to UTF-8.
 *
 * Every later stage (gumbo, selectors, the YAML emitter) reads UTF-8, so a
 * fetched page or a saved file goes through charset_decode() first.  The
 * order follows WHATWG (BOM, HTTP charset, <meta> prescan, sniffing) with one
 * deliberate deviation that real Chinese pages need: bytes that are already
 * UTF-8 (and hold at least one multi-byte sequence) are read as UTF-8 whatever
 * the header or <meta> declares, because pages declaring gb2312 that are
 * really UTF-8 are common, while GBK text that happens to be valid UTF-8 is
 * vanishingly rare.  Symmetrically, a declared UTF-8 that the bytes clearly
 * are not is ignored and the next source is asked.
 */
#ifndef NM_CHARSET_H
#define NM_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"

/* The <meta> prescan looks at this many leading bytes, as in the HTML
 * standard's "prescan a byte stream to determine its encoding". */
#define CHARSET_PRESCAN_BYTES 1024

/* uchardet sees at most this many leading bytes: its verdict is settled long
 * before, and sniffing a 10 MiB page whole would cost time for nothing. */
#define CHARSET_SNIFF_BYTES ((size_t)256 * 1024)

/* Bytes count as "UTF-8 with a few broken sequences" (a page cut mid-
 * character, one stray byte) when invalid sequences are at most 1 per this
 * many valid multi-byte ones.  GBK text read as UTF-8 has about one valid
 * sequence per ten invalid ones, so the two never meet. */
#define CHARSET_UTF8_BAD_RATIO 100

/* Decodes bytes[0..n) to UTF-8, appending to out.
 *   content_type: the HTTP Content-Type header value, or NULL.
 *   forced: a charset name from a rule; NULL or "auto" = detect.
 * Order: forced -> BOM -> bytes are UTF-8 (see above) -> HTTP charset ->
 * <meta> prescan (first CHARSET_PRESCAN_BYTES) -> uchardet -> windows-1252.
 * Labels follow the WHATWG table: gb2312/gbk/x-gbk/cp936 read as GB18030,
 * iso-8859-1/ascii as windows-1252, shift_jis as windows-31j, euc-kr as
 * windows-949, big5 as Big5-HKSCS; UTF-16 in <meta> means UTF-8.  Unknown
 * labels are ignored.  Invalid sequences become U+FFFD; NUL bytes are
 * dropped; a BOM is not copied.  The charset used (canonical name, e.g.
 * "GB18030", "UTF-8", "windows-1252") is written to used[usedsz] when used is
 * not NULL.  Never fails on content: returns NM_ELIMIT (with e filled) only
 * when out's size cap refused the output. */
enum nm_code charset_decode(const char *bytes, size_t n, const char *content_type,
			    const char *forced, struct buf *out, char *used, size_t usedsz,
			    struct nm_err *e);

/* True when label names a charset charset_decode() can read (for rule
 * validation of fetch.charset); "auto" counts as known. */
bool charset_known(const char *label);

/* The charset a <meta> in the first CHARSET_PRESCAN_BYTES of bytes declares
 * (canonical name, static storage), or NULL.  Exposed for tests and for
 * `rules suggest`. */
const char *charset_prescan(const char *bytes, size_t n);

#endif
