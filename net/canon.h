/*
 * canon.h - URL canonicalisation, so that one article is one URL: the
 * frontier, the state store and the dedup of a run all key on canon_url().
 *
 * The canonical form of an http(s) URL: scheme and host lower-case, the
 * default port dropped, dot segments removed, an empty path as "/",
 * percent-escapes upper-case and unreserved characters unescaped, no
 * fragment, no user info, tracking parameters (utm_*, fbclid, gclid, spm,
 * ...) dropped and the remaining query parameters sorted by name (stable,
 * so repeated names keep their order).  `<link rel=canonical>` is applied
 * by the caller after the page is parsed (canon_link_canonical finds it).
 */
#ifndef NM_CANON_H
#define NM_CANON_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"

/* Query parameters kept per URL: more is an attack on the sorter, not a
 * news site. */
#define CANON_MAX_PARAMS 256
/* canon_link_canonical looks for <link rel=canonical> in this many leading
 * bytes: it sits in <head>, which real pages keep well below this. */
#define CANON_LINK_SCAN_BYTES ((size_t)256 * 1024)

/* Appends the canonical form of url (absolute http or https) to out.
 * Returns 0, or -1 (out untouched) for anything that is not a valid
 * absolute http(s) URL, or that comes out longer than URL_MAX_LEN. */
int canon_url(const char *url, struct buf *out);

/* True when a query parameter name (n bytes) is a tracking parameter that
 * canon_url drops. */
bool canon_is_tracking_param(const char *name, size_t n);

/* Finds the href of the first <link rel="canonical" href=...> in the first
 * CANON_LINK_SCAN_BYTES of an HTML page (UTF-8 or any ASCII-compatible
 * charset), resolves it against base and appends its canonical form to
 * out.  Returns 0, or -1 when there is none or it is not an http(s) URL. */
int canon_link_canonical(const char *html, size_t n, const char *base, struct buf *out);

/* Finds the first <meta http-equiv="refresh" content="N; url=U"> in the
 * first CANON_LINK_SCAN_BYTES of a page, resolves U against base and
 * appends its canonical form to out; *delay_s gets N.  Returns 0, or -1
 * when there is none, it names no URL (a page reloading itself) or the URL
 * is not http(s). */
int canon_meta_refresh(const char *html, size_t n, const char *base, struct buf *out,
		       long *delay_s);

/* FNV-1a hash of a host name, for --shard I/N (stable across runs and
 * machines). */
unsigned long long canon_host_hash(const char *host);

#endif
