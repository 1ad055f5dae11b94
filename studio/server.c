/*
 * server.c - routes, security checks and headers of the studio's HTTP
 * server (see server.h).
 */
#include "studio/server.h"
#include "studio/api.h"
#include "studio/assets.h"
#include "common/buf.h"
#include "common/mem.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <microhttpd.h>

/* The studio's own page: its script and styles, the frame with the site's
 * page, API calls; images of any site in the rendered post (shown in a
 * sandboxed srcdoc frame, which inherits this policy). */
static const char csp_app[] =
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: http: https:; "
	"connect-src 'self'; frame-src 'self'; child-src 'self'; base-uri 'none'; "
	"form-action 'none'; frame-ancestors 'none'";
/* The site's page: never a script; its own styles, images and fonts may
 * load so it looks like itself. */
static const char csp_page[] =
	"default-src 'none'; script-src 'none'; object-src 'none'; frame-src 'none'; "
	"worker-src 'none'; style-src 'unsafe-inline' http: https:; img-src data: http: https:; "
	"font-src data: http: https:; media-src http: https:; form-action 'none'; "
	"base-uri http: https:; frame-ancestors 'self'";

struct server {
	struct MHD_Daemon *d;
	struct api *api;
	unsigned port;
	char token[2 * SERVER_TOKEN_BYTES + 1];
	char host1[64], host2[64], origin1[80], origin2[80];
};

/* Per-request state: the body read so far. */
struct req {
	struct buf body;
	bool done; /* a response was queued */
};

enum route_kind { R_ASSET, R_INDEX, R_PAGE, R_RENDERED, R_STATE, R_RUN, R_PICK, R_SAVE };

struct route {
	const char *path;
	const char *method;
	enum route_kind kind;
};

static const struct route routes[] = {
	{"/", "GET", R_INDEX},		{"/index.html", "GET", R_INDEX},
	{"/app.js", "GET", R_ASSET},	{"/app.css", "GET", R_ASSET},
	{"/page", "GET", R_PAGE},	{"/rendered", "GET", R_RENDERED},
	{"/api/state", "GET", R_STATE},
	{"/api/run", "POST", R_RUN},	{"/api/pick", "POST", R_PICK},
	{"/api/save", "POST", R_SAVE},
};

static const struct studio_asset *asset(const char *name)
{
	for (const struct studio_asset *a = studio_assets; a->name; a++)
		if (!strcmp(a->name, name))
			return a;
	return NULL;
}

static const char *ctype_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (dot && !strcmp(dot, ".js"))
		return "text/javascript; charset=utf-8";
	if (dot && !strcmp(dot, ".css"))
		return "text/css; charset=utf-8";
	if (dot && !strcmp(dot, ".json"))
		return "application/json";
	return "text/html; charset=utf-8";
}

static enum MHD_Result reply_http(struct MHD_Connection *c, int status, const char *ctype,
			    const char *data, size_t n, bool page, const char *allow)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(n, (void *)data, MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", ctype);
	MHD_add_response_header(r, "Content-Security-Policy", page ? csp_page : csp_app);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(r, "X-Frame-Options", page ? "SAMEORIGIN" : "DENY");
	if (allow)
		MHD_add_response_header(r, "Allow", allow);
	enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result send_text(struct MHD_Connection *c, int status, const char *msg,
				 const char *allow)
{
	return reply_http(c, status, "text/plain; charset=utf-8", msg, strlen(msg), false, allow);
}

/* Compares without an early exit, so timing tells nothing about the token. */
static bool same_token(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;
	for (size_t i = 0; i < lb; i++)
		diff |= (unsigned char)(a[i < la ? i : 0] ^ b[i]);
	return la && !diff;
}

/* 0 when the request may go on, else the status to refuse it with. */
static int check(const struct server *s, struct MHD_Connection *c, const char *method,
		 const char **why)
{
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
	if (!host || (strcmp(host, s->host1) && strcasecmp(host, s->host2))) {
		*why = "421 Misdirected Request: the Host header must name 127.0.0.1:PORT or localhost:PORT";
		return MHD_HTTP_MISDIRECTED_REQUEST;
	}
	const char *tok = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
	if (!tok)
		tok = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Studio-Token");
	if (!tok || !same_token(tok, s->token)) {
		*why = "403 Forbidden: missing or wrong token (use the URL newsmd studio printed)";
		return MHD_HTTP_FORBIDDEN;
	}
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
	if (origin && strcmp(method, "GET") && strcmp(origin, s->origin1) &&
	    strcasecmp(origin, s->origin2)) {
		*why = "403 Forbidden: request from another origin";
		return MHD_HTTP_FORBIDDEN;
	}
	const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	if (len && strtoull(len, NULL, 10) > SERVER_MAX_BODY) {
		*why = "413 Content Too Large";
		return MHD_HTTP_CONTENT_TOO_LARGE;
	}
	return 0;
}

static enum MHD_Result dispatch(struct server *s, struct MHD_Connection *c, const struct route *rt,
				struct req *q)
{
	struct buf out = BUF_INIT;
	int status = 200;
	const char *ctype = "application/json";
	bool page = false;
	switch (rt->kind) {
	case R_INDEX: {
		const struct studio_asset *a = asset("index.html");
		/* the page's own requests carry the token (its value is hex) */
		for (size_t i = 0; a && i < a->len; i++) {
			if (a->len - i >= 7 && !memcmp(a->data + i, "@TOKEN@", 7)) {
				buf_puts(&out, s->token);
				i += 6;
			} else {
				buf_putc(&out, a->data[i]);
			}
		}
		ctype = ctype_of("index.html");
		break;
	}
	case R_ASSET: {
		const struct studio_asset *a = asset(rt->path + 1);
		if (a)
			buf_put(&out, a->data, a->len);
		ctype = ctype_of(rt->path);
		break;
	}
	case R_PAGE:
		status = api_page(s->api, &out);
		ctype = "text/html; charset=utf-8";
		page = true;
		break;
	case R_RENDERED:
		status = api_rendered(s->api, &out);
		ctype = "text/html; charset=utf-8";
		page = true;
		break;
	case R_STATE:
		status = api_state(s->api, &out);
		break;
	case R_RUN:
		status = api_run(s->api, buf_cstr(&q->body), q->body.len, &out);
		break;
	case R_PICK:
		status = api_pick(s->api, buf_cstr(&q->body), q->body.len, &out);
		break;
	case R_SAVE:
		status = api_save(s->api, buf_cstr(&q->body), q->body.len, &out);
		break;
	}
	enum MHD_Result rc = reply_http(c, status, ctype, buf_cstr(&out), out.len, page, NULL);
	buf_free(&out);
	return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct req *q = *con_cls;
	(void)version;
	if (!q) {
		q = xcalloc(1, sizeof *q);
		buf_init(&q->body, SERVER_MAX_BODY);
		*con_cls = q;
		const char *why = NULL;
		int status = check(s, c, method, &why);
		if (status) {
			q->done = true;
			return send_text(c, status, why, NULL);
		}
		return MHD_YES;
	}
	if (q->done) {
		*upload_size = 0; /* a refused request's body is dropped */
		return MHD_YES;
	}
	if (*upload_size) {
		buf_put(&q->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	q->done = true;
	if (q->body.toobig)
		return send_text(c, MHD_HTTP_CONTENT_TOO_LARGE, "413 Content Too Large", NULL);
	const struct route *rt = NULL;
	bool known = false;
	for (size_t i = 0; i < sizeof routes / sizeof *routes; i++)
		if (!strcmp(url, routes[i].path)) {
			known = true;
			if (!strcmp(method, routes[i].method))
				rt = &routes[i];
		}
	if (!known)
		return send_text(c, MHD_HTTP_NOT_FOUND, "404 Not Found", NULL);
	if (!rt) {
		/* the path exists with the other method only */
		const char *allow = NULL;
		for (size_t i = 0; i < sizeof routes / sizeof *routes; i++)
			if (!strcmp(url, routes[i].path))
				allow = routes[i].method;
		return send_text(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				 !strcmp(allow, "POST") ? "405 Method Not Allowed: use POST"
							: "405 Method Not Allowed",
				 allow);
	}
	return dispatch(s, c, rt, q);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct req *q = *con_cls;
	(void)cls;
	(void)c;
	(void)toe;
	if (q) {
		buf_free(&q->body);
		free(q);
		*con_cls = NULL;
	}
}

enum nm_code server_start(struct api *api, unsigned port, struct server **out,
			  struct nm_err *e)
{
	*out = NULL;
	struct server *s = xcalloc(1, sizeof *s);
	s->api = api;
	unsigned char rnd[SERVER_TOKEN_BYTES];
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		free(s);
		return err_set(e, NM_EIO, "no random bytes for the session token");
	}
	for (size_t i = 0; i < sizeof rnd; i++)
		snprintf(s->token + 2 * i, 3, "%02x", rnd[i]);
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* loopback only, never 0.0.0.0 */
	s->d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD, (uint16_t)port, NULL, NULL, handle, s,
				MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVER_MAX_CONNECTIONS,
				MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVER_TIMEOUT_S,
				MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
	if (!s->d) {
		free(s);
		return err_set(e, NM_EIO, "cannot listen on 127.0.0.1:%u (port in use?)", port);
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : port;
	snprintf(s->host1, sizeof s->host1, "127.0.0.1:%u", s->port);
	snprintf(s->host2, sizeof s->host2, "localhost:%u", s->port);
	snprintf(s->origin1, sizeof s->origin1, "http://127.0.0.1:%u", s->port);
	snprintf(s->origin2, sizeof s->origin2, "http://localhost:%u", s->port);
	*out = s;
	return NM_OK;
}

unsigned server_port(const struct server *s)
{
	return s->port;
}

const char *server_token(const struct server *s)
{
	return s->token;
}

void server_stop(struct server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->d);
	free(s);
}
