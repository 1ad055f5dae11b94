/*
 * url.h - URL parsing and resolution after the WHATWG URL Standard, as
 * browsers resolve <a href> and <img src>: our own parser, no libcurl, so
 * the extraction core links without the network room.
 *
 * Covered: every scheme's basic parse (special schemes http, https, ws,
 * wss, ftp, file; others with opaque hosts and paths), relative references
 * against a base, leading/trailing C0-control-or-space stripping and
 * tab/newline removal, '\' as '/' in special URLs, dot segments ("." ".."
 * "%2e"), the standard's percent-encode sets, default ports dropped, IPv4
 * hosts in every form (hex, octal, short) and IPv6 hosts serialised
 * canonically, forbidden host code points, and IDNA hosts through ICU's
 * UTS #46.  Not covered: setters, state overrides, encodings other than
 * UTF-8 for the query.  Checked against the WPT URL test data
 * (url_wpt in tests/unit/test_url.c).
 *
 * Nothing here allocates (ICU's UTS #46 object is opened once per process):
 * a struct url is about 8 KB, and url_parse/url_resolve use about 25/42 KB
 * of stack, so call them from threads with ordinary (MB-sized) stacks.
 */
#ifndef NM_COMMON_URL_H
#define NM_COMMON_URL_H

#include <stdbool.h>

#include "common/buf.h"

/* URLs longer than this (input or serialised result) are refused: no real
 * article URL comes close, and every later stage may copy a URL several
 * times. */
#define URL_MAX_LEN 8192

/* A parsed URL.  Everything lives inside the struct (no allocation, no
 * free): href is the serialised URL, and each component is a view into it,
 * borrowed for the life of the struct (copying the struct breaks the views;
 * parse again instead).  Components exclude their delimiters: scheme has no
 * ':', query no '?', fragment no '#'. */
struct url {
	char href[URL_MAX_LEN + 1]; /* NUL-terminated serialisation */
	size_t href_len;
	struct view scheme;	/* lower-case, e.g. "https" */
	struct view username;	/* percent-encoded; empty when none */
	struct view password;	/* percent-encoded; empty when none */
	struct view host;	/* lower-case ASCII (punycode), IPv4 dotted, IPv6 in
				 * brackets; empty for file: or when has_host is false */
	struct view path;	/* "/a/b" for hierarchical URLs; the opaque path
				 * otherwise (e.g. "alert(1)" of javascript:alert(1)) */
	struct view query;	/* meaningful when has_query */
	struct view fragment;	/* meaningful when has_fragment */
	int port;		/* -1 when absent or the scheme's default */
	bool special;		/* http, https, ws, wss, ftp or file */
	bool has_host;		/* host is not null (it may be empty for file:) */
	bool has_query;
	bool has_fragment;
	bool opaque_path;	/* non-special URL without '/' after the scheme */
};

/* Parses input (a NUL-terminated string, UTF-8; invalid sequences count as
 * U+FFFD) against base, which may be NULL, into *out.  Returns 0, or -1 (out
 * undefined) when the standard says failure, when input is longer than
 * URL_MAX_LEN, or when the serialisation would be longer than URL_MAX_LEN.
 * base is only read; it may not be out. */
int url_parse(const char *input, const struct url *base, struct url *out);

/* Resolves ref against base (either may be NULL/empty) into out as an
 * absolute URL (the parse's href).  Returns -1 (out untouched) when base is
 * given but is not a URL, when the result is no valid URL, or when it is
 * longer than URL_MAX_LEN.  Non-special results such as "mailto:a@b" or
 * "javascript:x" are valid URLs: check url_is_http before fetching. */
int url_resolve(const char *base, const char *ref, struct buf *out);
/* Appends the host of url (lower-case; punycode for IDNA names; IPv6 in
 * brackets) to out; -1 when url does not parse or has no or an empty host. */
int url_host(const char *url, struct buf *out);
/* True for strings starting with "http://" or "https://" (any case): use on
 * url_resolve's results, which are serialised. */
bool url_is_http(const char *url);
/* The value of the hex digit c (0-9, a-f, A-F), or -1 for any other byte;
 * for %xx escapes. */
int url_hexval(int c);
/* True when s names a URL (has a scheme followed by "://") rather than a
 * local path. */
bool url_looks_absolute(const char *s);

#endif
