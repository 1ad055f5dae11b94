/*
 * fetch.h - one HTTP(S) GET with libcurl's easy interface, for `convert`
 * and `extract` on URLs.  Only http and https, also across redirects (at
 * most FETCH_MAX_REDIRS); the body is capped while it downloads (the cap
 * counts decoded bytes, so compressed or chunked bodies cannot exceed it).
 */
#ifndef NM_FETCH_H
#define NM_FETCH_H

#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"

/* Redirect chains longer than this are loops or traps. */
#define FETCH_MAX_REDIRS 10

struct fetch_opts {
	const char *user_agent;         /* NULL = "newsmd/1.0" */
	long timeout_s;                 /* whole transfer; 0 = 30 */
	size_t max_bytes;               /* 0 = 10 MiB */
	const char *const *connect_to;  /* curl CONNECT_TO entries "H:P:H2:P2", NULL-terminated */
	const char *referer;            /* NULL = none */
	const char *accept;             /* Accept header; NULL = curl's default */
	/* The one host that may resolve to a loopback/private address (the
	 * operator named it); NULL = the URL's own host.  Set it when the URL
	 * came from a page (an image's URL: the article's host). */
	const char *trusted_host;
};

struct fetch_result {
	struct buf body;
	long status;        /* final HTTP status */
	char *content_type; /* header value or NULL */
	char *final_url;    /* after redirects */
};

/* GETs url.  NM_ENET for transport errors and HTTP statuses >= 400,
 * NM_EREFUSED for non-http(s) URLs or redirects, NM_ELIMIT for bodies over
 * max_bytes.  The error names the URL.  r is filled as far as it got; the
 * caller frees it with fetch_result_free either way. */
enum nm_code fetch_url(const char *url, const struct fetch_opts *o,
		       struct fetch_result *r, struct nm_err *e);
void fetch_result_free(struct fetch_result *r);

#endif
