/*
 * url.h - URL parsing and resolution on libcurl's URL API.
 */
#ifndef NM_URL_H
#define NM_URL_H

#include <stdbool.h>

#include "common/buf.h"
#include "common/err.h"

/* URLs longer than this are refused: no real article URL comes close, and
 * every later stage may copy a URL several times. */
#define URL_MAX_LEN 8192

/* Resolves ref against base (either may be NULL/empty) into out as an
 * absolute URL.  Returns -1 (out untouched) when the result would not be a
 * valid absolute URL or is longer than URL_MAX_LEN. */
int url_resolve(const char *base, const char *ref, struct buf *out);
/* Appends the lower-cased host name of url to out; -1 when it has none. */
int url_host(const char *url, struct buf *out);
/* True for absolute http: or https: URLs. */
bool url_is_http(const char *url);
/* True when s names a URL (has a scheme followed by "://") rather than a
 * local path. */
bool url_looks_absolute(const char *s);

#endif
