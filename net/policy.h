/*
 * policy.h - what newsmd may fetch, in one place: http/https only (also
 * on every redirect hop), at most NET_MAX_REDIRS hops, no connection to a
 * private, loopback or link-local address unless the host is trusted (the
 * operator named it), decoded bodies capped, accepted content types.
 * net/multi.c applies these rules to every request newsmd makes (pages,
 * feeds, robots.txt, images, `convert` and `extract` URLs alike); nothing
 * else decides them.  No libcurl here: the rules are plain functions, unit
 * tested in tests/unit/test_policy.c.
 */
#ifndef NM_POLICY_H
#define NM_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/settings.h"

/* The default decoded-body cap is SETTINGS_MAX_BODY_BYTES (common/settings.h:
 * crawl.max_bytes' default, defined once with its reason). */
/* Redirect hops followed per request: chains longer than this are loops
 * or traps (Go, colly and newspaper use 10 too). */
#define NET_MAX_REDIRS 10

/* Content types a request accepts (bit set); 0 = anything. */
enum {
	ACCEPT_HTML = 1, /* text/html, application/xhtml+xml */
	ACCEPT_JSON = 2, /* application/json, *+json, text/plain, text/javascript */
	ACCEPT_XML = 4,  /* feeds and sitemaps: *xml*, gzip, octet-stream, text/plain */
};

/* True for absolute http: or https: URLs: the only schemes fetched. */
bool policy_scheme_ok(const char *url);

/* The check of one redirect hop: hops is the number already followed,
 * next the resolved Location (NULL when it could not be resolved).
 * NULL when the hop may be followed, else why not (a static string). */
const char *policy_redirect(int hops, const char *next);

struct sockaddr;
/* True for addresses a fetched page must not make us connect to:
 * loopback, private (RFC 1918, CGNAT), link-local (cloud metadata at
 * 169.254.169.254), unspecified, multicast, IPv6 ULA/link-local, and
 * their v4-mapped forms.  Checked on the resolved address, so DNS tricks
 * and decimal/octal spellings are caught too. */
bool policy_addr_private(const struct sockaddr *sa);
/* May a connection to sa be opened for a host (trusted: the operator
 * named it, so it may be local)? */
bool policy_addr_allowed(const struct sockaddr *sa, bool trusted);
/* Is host (lower-case) in the NULL-terminated list (case-insensitive)? */
bool policy_host_trusted(const char *const *trusted, const char *host);
/* Appends the message for a connection refused by the address check:
 * "[redirect to ]HOST refused: it resolves to a private, loopback or
 * link-local address (ssrf_blocked)". */
void policy_ssrf_msg(const char *host, bool redirected, struct buf *out);

/* Does Content-Type ct (may be NULL: then the bytes decide) match the
 * ACCEPT_* bits in accept? */
bool policy_type_ok(unsigned accept, const char *ct);

#endif
