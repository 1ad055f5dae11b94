/*
 * server.h - the studio's HTTP server (libmicrohttpd) and its security.
 *
 * One listening socket on 127.0.0.1 only, one internal thread (so the
 * api is never entered twice at once).  Every request must:
 *   - name the studio in its Host header (127.0.0.1:PORT or
 *     localhost:PORT), else 421: a web page that rebinds its own host name
 *     to 127.0.0.1 (DNS rebinding) sends its own name;
 *   - carry the session token (?token=T or an X-Studio-Token header),
 *     else 403: other local users and other sites' pages cannot guess it;
 *   - use the route's method: GET for the page and its data, POST for
 *     everything that runs or writes (run, pick, save), else 405; a POST
 *     whose Origin header names another site is refused (403);
 *   - stay under SERVER_MAX_BODY bytes of body, else 413.
 * Every response carries a Content-Security-Policy (the studio's page: its
 * own script and styles only; the site's page: script-src 'none'), nosniff,
 * no-referrer and no-store.
 */
#ifndef NM_SERVER_H
#define NM_SERVER_H

#include "common/err.h"

struct api;
struct server;

/* Request bodies larger than this are refused with 413: a rule is at most
 * API_MAX_RULE bytes, and JSON escaping can double it. */
#define SERVER_MAX_BODY (2 * 1024 * 1024)
/* Connections at once: one person's browser opens a handful. */
#define SERVER_MAX_CONNECTIONS 32
/* Idle connections are closed after this many seconds. */
#define SERVER_TIMEOUT_S 120
/* Random bytes in the session token (hex-encoded: twice as many chars). */
#define SERVER_TOKEN_BYTES 16

/* Starts serving api on 127.0.0.1:port (0 = a free port) with a fresh
 * random token.  api is borrowed until server_stop.  NM_EIO when the port
 * cannot be bound or no randomness is available. */
enum nm_code server_start(struct api *api, unsigned port, struct server **out,
			  struct nm_err *e);
/* The port actually bound. */
unsigned server_port(const struct server *s);
/* The session token (hex).  Borrowed until server_stop. */
const char *server_token(const struct server *s);
/* Stops serving and frees s; server_stop(NULL) does nothing. */
void server_stop(struct server *s);

#endif
