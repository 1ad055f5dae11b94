/*
 * robots.h - robots.txt (RFC 9309): parse, choose the group for our
 * product token, answer "may this path be fetched", and read the
 * non-standard but universal Crawl-delay and Sitemap lines.
 *
 * The fetcher (multi.c) fetches /robots.txt once per host and run and
 * builds a struct robots from the answer: robots_parse() for a 2xx body,
 * robots_for_status() for anything else (4xx: allow all, RFC 9309
 * §2.3.1.3; 5xx or unreachable: disallow all, §2.3.1.4).
 */
#ifndef NM_ROBOTS_H
#define NM_ROBOTS_H

#include <stdbool.h>
#include <stddef.h>

/* RFC 9309 §2.5: parse at least the first 500 KiB; the rest is ignored. */
#define ROBOTS_MAX_BYTES ((size_t)500 * 1024)
/* Crawl-delay values above this are capped: a site asking for hours
 * between requests is not crawled at all in practice, and the run budget
 * decides what happens. */
#define ROBOTS_MAX_DELAY_MS 60000L
/* Patterns longer than this are cut: no real path is longer, and the
 * wildcard matcher's cost grows with pattern x path length. */
#define ROBOTS_MAX_PATTERN 2048

struct robots;

/* Parses a robots.txt body (first ROBOTS_MAX_BYTES of txt[0..n)) for the
 * product token of user_agent (its text up to the first '/' or space,
 * e.g. "newsmd" for "newsmd/1.0").  Never fails: unparseable lines are
 * skipped.  Caller frees with robots_free. */
struct robots *robots_parse(const char *txt, size_t n, const char *user_agent);
/* The policy for a robots.txt request that did not give a 2xx body:
 * status 400-499 allows everything; anything else (5xx, 0 for a transport
 * failure) disallows everything. */
struct robots *robots_for_status(long http_status);
void robots_free(struct robots *r);

/* True when path (the URL's path and query, percent-encoded as sent, e.g.
 * "/a/b?x=1") may be fetched.  "/robots.txt" is always allowed. */
bool robots_allowed(const struct robots *r, const char *path);
/* Crawl-delay of the chosen group in milliseconds (capped at
 * ROBOTS_MAX_DELAY_MS), or -1 when none is given. */
long robots_crawl_delay_ms(const struct robots *r);
/* True when the delay was capped (the caller logs it). */
bool robots_delay_capped(const struct robots *r);
/* The Sitemap: URLs (NULL-terminated, borrowed; possibly relative, as
 * written). */
const char *const *robots_sitemaps(const struct robots *r);

#endif
