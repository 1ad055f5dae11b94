/*
 * multi.h - newsmd's one HTTP client: many GETs at once on one libcurl
 * multi handle, polite to every host.  The crawl uses it directly;
 * net/fetch.h wraps it for blocking callers (convert, extract, rules
 * suggest).  What may be fetched is decided by net/policy.h.
 *
 * The caller adds requests; multi_run() starts them when their host
 * allows (robots.txt fetched first and obeyed, per-host concurrency,
 * per-host delay between request starts with jitter, Crawl-delay as a
 * floor, Retry-After and adaptive slow-down applied to the whole host),
 * retries transient failures (timeouts, resets, truncated bodies, 408 /
 * 429 / 5xx gateway errors) with exponential back-off and jitter, follows
 * redirects itself so that every hop is checked again (http/https only,
 * robots.txt, address check, at most MULTI_MAX_REDIRS), refuses private
 * and loopback addresses for hosts that are not trusted, caps the decoded
 * body in the write callback (libcurl 7.88's MAXFILESIZE does not stop
 * chunked or compressed bodies), aborts on unwanted content types as soon
 * as the headers are in, and sends If-None-Match / If-Modified-Since.
 * Each request ends in exactly one call of the done callback.
 */
#ifndef NM_MULTI_H
#define NM_MULTI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "net/policy.h"

struct robots;

/* Redirect hops followed per request (the policy's limit). */
#define MULTI_MAX_REDIRS NET_MAX_REDIRS
/* Response header bytes per response: more is a header flood. */
#define MULTI_MAX_HEADER_BYTES ((size_t)64 * 1024)
/* Jitter added to the per-host delay: 0-50 % on top (Scrapy's
 * RANDOMIZE_DOWNLOAD_DELAY spread, kept above the configured minimum). */
#define MULTI_JITTER_PCT 50
/* A Retry-After longer than this is not waited out in this run: the
 * host's remaining requests are deferred to a later run. */
#define MULTI_RETRY_AFTER_MAX_S 60
/* Ceiling of exponential back-off and of the adaptive per-host slow-down
 * (AutoThrottle's MAX_DELAY). */
#define MULTI_BACKOFF_MAX_MS 60000L
/* Redirects followed when fetching robots.txt (RFC 9309 §2.3.1.2: at
 * least five). */
#define MULTI_ROBOTS_REDIRS 5

/* Content types a request accepts: the ACCEPT_* bits of net/policy.h. */

struct multi_cfg {
	const char *user_agent;              /* also the robots.txt product token */
	long concurrency;                    /* transfers at once, all hosts */
	long per_host;                       /* transfers at once per host */
	long delay_ms;                       /* per host, between request starts */
	long timeout_s;                      /* whole transfer */
	long connect_timeout_s;
	long low_speed_bytes, low_speed_s;   /* abort below bytes/s for s seconds */
	long retries;                        /* extra attempts after the first */
	long backoff_ms;                     /* first back-off step */
	size_t max_bytes;                    /* decoded body cap; 0 = SETTINGS_MAX_BODY_BYTES */
	bool robots;                         /* fetch and obey robots.txt */
	const char *const *connect_to;       /* curl CONNECT_TO "H:P:H2:P2", NULL-terminated */
	const char *const *trusted_hosts;    /* may resolve to private/loopback addresses */
};

struct multi_req {
	const char *url;                /* absolute http(s) */
	const char *etag;               /* validators from the last fetch, or NULL */
	const char *last_modified;
	const char *const *headers;     /* extra "Name: value" lines, NULL-terminated */
	const char *referer;
	unsigned accept;                /* ACCEPT_* bits, 0 = any */
	int prio;                       /* 0 before 1 within a host */
	long timeout_s;                 /* 0 = the config's */
	size_t max_bytes;               /* decoded body cap; 0 = the config's */
	void *ud;                       /* handed back in the result */
};

enum multi_outcome {
	MO_OK,           /* 2xx, body in hand */
	MO_NOT_MODIFIED, /* 304 to a conditional GET */
	MO_HTTP_ERROR,   /* 4xx or a 5xx not worth retrying: permanent */
	MO_FAILED,       /* transient failure after the last attempt */
	MO_DEFERRED,     /* not tried (any more) in this run: run budget or a long
			  * Retry-After; try again next run */
	MO_TOO_LARGE,    /* over max_bytes (decoded) */
	MO_REFUSED,      /* scheme, redirect limit, private address, bad encoding */
	MO_ROBOTS,       /* disallowed by robots.txt */
	MO_TYPE,         /* content type not accepted */
};

/* Everything is borrowed for the duration of the done callback. */
struct multi_res {
	enum multi_outcome outcome;
	const char *url;           /* as requested */
	const char *final_url;     /* after redirects */
	long status;               /* last HTTP status, 0 if none */
	long attempts;             /* requests made for it in this run */
	long retry_after_s;        /* MO_DEFERRED by Retry-After: its value */
	const char *content_type, *etag, *last_modified; /* or NULL */
	const char *body;          /* MO_OK: the decoded body (NUL-terminated) */
	size_t len;
	const char *error;         /* why, for anything but MO_OK / MO_NOT_MODIFIED */
	bool ssrf;                 /* MO_REFUSED by the address check */
	void *ud;
};

/* Called once per request.  It may call multi_add (and the other setters)
 * but not multi_run or multi_free. */
typedef void (*multi_done_fn)(void *ctx, const struct multi_res *r);
/* Called once per host when its robots.txt policy is known (r borrowed). */
typedef void (*multi_robots_fn)(void *ctx, const char *origin, const struct robots *r);

struct multi_stats {
	long requests;       /* transfers started, incl. robots.txt and retries */
	long retries;
	long robots_fetched;
	long long bytes;     /* decoded body bytes received */
};

struct multi;

/* NM_ENET when libcurl cannot start. */
enum nm_code multi_new(const struct multi_cfg *c, struct multi **out, struct nm_err *e);
/* Cancels what is still queued (no callbacks).  NULL is fine. */
void multi_free(struct multi *m);

/* Queues a request (everything is copied).  A URL that is not http(s)
 * completes at the next multi_run with MO_REFUSED. */
void multi_add(struct multi *m, const struct multi_req *r);
/* Sets the delay between request starts for url's host (a site rule's
 * fetch.delay_ms); Crawl-delay still acts as a floor. */
void multi_set_host_delay(struct multi *m, const char *url, long delay_ms);
/* Blocks url's host until wall-clock time `until` (UTC seconds): its
 * requests complete as MO_DEFERRED when that is beyond the run's reach. */
void multi_block_host(struct multi *m, const char *url, int64_t until);

/* Trusts host (a name the operator gave): it may resolve to a private or
 * loopback address, like cfg.trusted_hosts. */
void multi_trust_host(struct multi *m, const char *host);

/* Makes sure url's host has its robots.txt fetched in this run even if no
 * request for it is queued (a source that reads the sitemaps robots.txt
 * lists); the robots callback reports it.  With cfg.robots off the file is
 * fetched for its Sitemap lines only, and not obeyed. */
void multi_want_robots(struct multi *m, const char *url);

/* A robots.txt cache outside this run (the crawl's shared state), so that
 * workers sharing a crawl fetch a host's robots.txt once between them.
 * get: the cached file for origin ("http://host:port") as a malloc'd
 * string (the caller frees it) with its HTTP status (2xx: the rules; 4xx:
 * none), or NULL to fetch it.  put: a file this run fetched (body "" for
 * a 4xx).  Both are called on multi_run's thread. */
typedef char *(*multi_robots_get_fn)(void *ctx, const char *origin, long *status);
typedef void (*multi_robots_put_fn)(void *ctx, const char *origin, long status,
				    const char *body);
void multi_set_robots_cache(struct multi *m, multi_robots_get_fn get, multi_robots_put_fn put,
			    void *ctx);

/* Keeps multi_run looping while the caller has work of its own in flight
 * (n > 0 adds, n < 0 releases), e.g. posts being written by threads. */
void multi_hold(struct multi *m, int n);
/* Called once per turn of multi_run's loop, on its thread (NULL = none). */
typedef void (*multi_tick_fn)(void *ctx);
void multi_set_tick(struct multi *m, multi_tick_fn tick);
/* Wakes multi_run from its wait so it calls the tick callback now.  The
 * one function here that other threads may call. */
void multi_wakeup(struct multi *m);

/* Runs transfers until every request has completed (and no hold is left)
 * or the monotonic deadline (multi_now_ms() based; 0 = none) passes; then what is left
 * completes as MO_DEFERRED.  robots may be NULL.  May be called again with
 * new requests: hosts keep their robots.txt, delays and back-off. */
void multi_run(struct multi *m, int64_t deadline_ms, multi_done_fn done,
	       multi_robots_fn robots, void *ctx);

const struct multi_stats *multi_get_stats(const struct multi *m);
/* Monotonic milliseconds. */
int64_t multi_now_ms(void);
const char *multi_outcome_name(enum multi_outcome o);

#endif
