/*
 * fetch.h - blocking GETs for `convert`, `extract` and `rules suggest` on
 * URLs, and for the images of a post they write.  A thin wrapper: the
 * requests run through a net/multi.c instance of their own, so they obey
 * the same policy as the crawl (net/policy.h: http/https only, every
 * redirect hop checked, private addresses refused unless trusted, decoded
 * body capped) and the same politeness (robots.txt when fetch_opts.robots,
 * per-host delay and Crawl-delay, Retry-After, retries with back-off).
 */
#ifndef NM_FETCH_H
#define NM_FETCH_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"
#include "net/policy.h"

/* Redirect chains longer than this are loops or traps (the policy's). */
#define FETCH_MAX_REDIRS NET_MAX_REDIRS

struct fetch_opts {
	const char *user_agent;         /* NULL = "newsmd/1.0" */
	long timeout_s;                 /* whole transfer; 0 = 30 */
	size_t max_bytes;               /* 0 = SETTINGS_MAX_BODY_BYTES */
	const char *const *connect_to;  /* curl CONNECT_TO entries "H:P:H2:P2", NULL-terminated */
	const char *referer;            /* NULL = none */
	const char *accept;             /* "Accept: ..." header line; NULL = curl's default */
	/* The one host that may resolve to a loopback/private address (the
	 * operator named it); NULL = the URL's own host.  Set it when the URL
	 * came from a page (an image's URL: the article's host). */
	const char *trusted_host;
	/* The crawl's politeness (crawl: in the config); zero = off. */
	bool robots;                    /* fetch and obey robots.txt */
	long delay_ms;                  /* per host, between request starts */
	long retries;                   /* extra attempts on transient failures */
	long per_host;                  /* transfers at once per host; 0 = 1 */
};

struct fetch_result {
	struct buf body;
	long status;        /* final HTTP status */
	char *content_type; /* header value or NULL */
	char *final_url;    /* after redirects */
};

/* GETs url.  NM_ENET for transport errors and HTTP statuses >= 400,
 * NM_EREFUSED for non-http(s) URLs or redirects, private addresses and
 * URLs robots.txt disallows, NM_ELIMIT for bodies over max_bytes.  The
 * error names the URL.  r is filled as far as it got; the caller frees it
 * with fetch_result_free either way. */
enum nm_code fetch_url(const char *url, const struct fetch_opts *o,
		       struct fetch_result *r, struct nm_err *e);
void fetch_result_free(struct fetch_result *r);

/* One of several GETs run together by fetch_all. */
struct fetch_item {
	const char *url;          /* in: borrowed */
	struct fetch_result res;  /* out: free with fetch_result_free */
	enum nm_code rc;          /* out: as fetch_url's */
	struct nm_err err;        /* out: why, when rc != NM_OK */
};

/* GETs every item's URL through one scheduler (robots.txt once per host,
 * the per-host delay between them), blocking until all are done.  With
 * o->trusted_host NULL each item's own host is trusted.  NM_ENET when
 * libcurl cannot start (then no item was fetched). */
enum nm_code fetch_all(struct fetch_item *items, size_t n, const struct fetch_opts *o,
		       struct nm_err *e);

/* A client kept across calls (convert's and extract's inputs one after
 * another): robots.txt is fetched once per host, and the per-host delay,
 * Crawl-delay and Retry-After hold from one call to the next.  The
 * politeness and transport fields of o (user agent, timeout, body cap,
 * connect_to, robots, delay, retries, per_host) are read here, once.  Not
 * for use by two threads at once. */
struct fetch_session;
enum nm_code fetch_session_new(const struct fetch_opts *o, struct fetch_session **out,
			       struct nm_err *e);
void fetch_session_free(struct fetch_session *s);
/* fetch_all on s: o gives this call's referer, accept header, body cap
 * (0 = the session's) and trusted host (added to those trusted before). */
void fetch_session_run(struct fetch_session *s, struct fetch_item *items, size_t n,
		       const struct fetch_opts *o);

#endif
