/*
 * multi.c - polite concurrent fetching on one CURLM.
 *
 * Our scheduler decides WHEN a transfer starts (per-host queues, clocks
 * and limits); libcurl decides HOW (connections, TLS, decoding).  One
 * thread: multi_run() loops "start what is ready -> curl_multi_perform ->
 * finish what is done -> curl_multi_poll until the next I/O or the next
 * politeness slot".
 */
#include "net/multi.h"
#include "common/buf.h"
#include "common/mem.h"
#include "net/policy.h"
#include "net/robots.h"
#include "net/url.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

/* Host table buckets: a run touches few hosts; chains stay short up to
 * tens of thousands. */
#define MULTI_HOST_BUCKETS 4096
/* The loop wakes at least this often even when nothing happens, to
 * notice the deadline. */
#define MULTI_MAX_WAIT_MS 250
/* Body buffers bigger than this are released after each transfer instead
 * of being kept for the next, so memory stays flat over a long run. */
#define MULTI_KEEP_BUF ((size_t)1 << 20)

struct req {
	char *url;       /* current URL (changes with redirects) */
	char *orig_url;
	char *etag, *last_modified, *referer;
	char **headers;  /* NULL-terminated */
	unsigned accept;
	int prio;
	long timeout_s;
	size_t max_bytes; /* 0 = the config's */
	void *ud;
	long attempts;
	int hops;
	bool robots;     /* our own robots.txt fetch */
	int64_t not_before;
	struct req *next;
};

struct rq {
	struct req *head, *tail;
};

enum robots_state { R_UNKNOWN, R_FETCHING, R_READY };

struct host {
	char *origin;    /* scheme://host:port */
	char *name;      /* host name, lower-case */
	struct rq q[2];  /* by prio */
	struct rq retry; /* waiting for not_before */
	long queued;
	int in_flight;
	int64_t next_start;     /* monotonic ms */
	int64_t backoff_until;  /* monotonic ms (Retry-After, back-off) */
	long delay_ms;          /* configured / rule delay */
	long floor_ms;          /* Crawl-delay */
	long penalty_ms;        /* adaptive slow-down after 429/503 */
	bool defer_all;         /* Retry-After beyond this run */
	long defer_s;
	bool trusted;
	bool ssrf;              /* resolves to an address we may not use */
	char *robots_err;       /* robots.txt unavailable (5xx) or unreachable */
	bool robots_down;       /* ... unreachable: a failure, not a deferral */
	bool want_robots;       /* fetch robots.txt even with nothing queued */
	enum robots_state rstate;
	struct robots *robots;
	struct host *chain;
};

struct xfer {
	struct multi *m;
	struct req *rq;
	struct host *host;
	CURL *h;
	struct buf body;
	size_t cap;
	size_t header_bytes;
	long resp_status;
	char *etag, *last_modified, *ctype, *location;
	struct curl_slist *hdrs;
	bool too_large, bad_type, flood, ssrf;
	char errbuf[CURL_ERROR_SIZE];
	bool busy;
	long interval; /* the host's gap after this request (host_interval) */
};

struct multi {
	struct multi_cfg cfg;
	char *user_agent;
	char **connect_to, **trusted;
	struct curl_slist *ct_list;
	CURLM *cm;
	struct host *buckets[MULTI_HOST_BUCKETS];
	struct host **hosts; /* in creation order, for round-robin */
	size_t nhosts, hcap, rr;
	struct xfer *xfers;  /* cfg.concurrency slots */
	long in_flight;
	long pending;        /* queued requests, all hosts */
	struct rq refused;   /* invalid URLs, completed at the next run */
	struct multi_stats stats;
	unsigned long long rng;
	long held;           /* multi_hold */
	multi_tick_fn tick;
	multi_done_fn done;
	multi_robots_fn on_robots;
	void *ctx;
	multi_robots_get_fn rc_get; /* robots.txt cache (multi_set_robots_cache) */
	multi_robots_put_fn rc_put;
	void *rc_ctx;
};

static void robots_apply(struct multi *m, struct host *h, struct robots *r);

int64_t multi_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static unsigned long long rnd(struct multi *m)
{
	/* xorshift64*: jitter needs spread, not secrecy */
	m->rng ^= m->rng >> 12;
	m->rng ^= m->rng << 25;
	m->rng ^= m->rng >> 27;
	return m->rng * 2685821657736338717ULL;
}

static long rnd_upto(struct multi *m, long n)
{
	return n > 0 ? (long)(rnd(m) % (unsigned long long)(n + 1)) : 0;
}

const char *multi_outcome_name(enum multi_outcome o)
{
	static const char *const names[] = {"ok",      "not_modified", "http_error",
					    "failed",  "deferred",     "too_large",
					    "refused", "robots",       "type"};
	return (unsigned)o < sizeof names / sizeof *names ? names[o] : "?";
}

static char **strv_copy(const char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	char **r = xcalloc(n + 1, sizeof *r);
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

static void strv_del(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* ---- hosts ---- */

/* scheme://host:port of url, and the host name; -1 when url has none. */
static int origin_of(const char *url, struct buf *origin, struct buf *name)
{
	int rc = -1;
	char *scheme = NULL, *host = NULL, *port = NULL;
	CURLU *u = curl_url();
	if (u && strlen(url) <= URL_MAX_LEN && policy_scheme_ok(url) &&
	    curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) == CURLUE_OK) {
		for (char *c = host; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		for (char *c = scheme; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		buf_printf(origin, "%s://%s:%s", scheme, host, port);
		buf_puts(name, host);
		rc = 0;
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

static unsigned hash_str(const char *s)
{
	unsigned h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

static struct host *host_for(struct multi *m, const char *url)
{
	struct buf origin = BUF_INIT, name = BUF_INIT;
	struct host *h = NULL;
	if (origin_of(url, &origin, &name) != 0)
		goto out;
	unsigned b = hash_str(buf_cstr(&origin)) % MULTI_HOST_BUCKETS;
	for (h = m->buckets[b]; h; h = h->chain)
		if (!strcmp(h->origin, buf_cstr(&origin)))
			goto out;
	h = xcalloc(1, sizeof *h);
	h->origin = buf_detach(&origin);
	h->name = buf_detach(&name);
	h->delay_ms = m->cfg.delay_ms;
	h->trusted = policy_host_trusted((const char *const *)m->trusted, h->name);
	h->rstate = m->cfg.robots ? R_UNKNOWN : R_READY;
	h->chain = m->buckets[b];
	m->buckets[b] = h;
	if (m->nhosts == m->hcap) {
		m->hcap = m->hcap ? m->hcap * 2 : 16;
		m->hosts = xrealloc(m->hosts, m->hcap * sizeof *m->hosts);
	}
	m->hosts[m->nhosts++] = h;
out:
	buf_free(&origin);
	buf_free(&name);
	return h;
}

static void rq_push(struct rq *q, struct req *r)
{
	r->next = NULL;
	if (q->tail)
		q->tail->next = r;
	else
		q->head = r;
	q->tail = r;
}

static void rq_push_front(struct rq *q, struct req *r)
{
	r->next = q->head;
	q->head = r;
	if (!q->tail)
		q->tail = r;
}

static struct req *rq_pop(struct rq *q)
{
	struct req *r = q->head;
	if (r) {
		q->head = r->next;
		if (!q->head)
			q->tail = NULL;
		r->next = NULL;
	}
	return r;
}

static void req_free(struct req *r)
{
	if (!r)
		return;
	free(r->url);
	free(r->orig_url);
	free(r->etag);
	free(r->last_modified);
	free(r->referer);
	strv_del(r->headers);
	free(r);
}

static void enqueue(struct multi *m, struct host *h, struct req *r, bool front)
{
	if (r->not_before)
		rq_push(&h->retry, r);
	else if (front)
		rq_push_front(&h->q[r->prio ? 1 : 0], r);
	else
		rq_push(&h->q[r->prio ? 1 : 0], r);
	h->queued++;
	m->pending++;
}

/* ---- public setup ---- */

enum nm_code multi_new(const struct multi_cfg *c, struct multi **out, struct nm_err *e)
{
	struct multi *m = xcalloc(1, sizeof *m);
	m->cfg = *c;
	if (m->cfg.concurrency < 1)
		m->cfg.concurrency = 1;
	if (m->cfg.per_host < 1)
		m->cfg.per_host = 1;
	if (m->cfg.timeout_s < 1)
		m->cfg.timeout_s = 30;
	if (m->cfg.connect_timeout_s < 1)
		m->cfg.connect_timeout_s = m->cfg.timeout_s < 10 ? m->cfg.timeout_s : 10;
	if (!m->cfg.max_bytes)
		m->cfg.max_bytes = SETTINGS_MAX_BODY_BYTES;
	if (m->cfg.backoff_ms < 1)
		m->cfg.backoff_ms = 1000;
	m->user_agent = xstrdup(c->user_agent ? c->user_agent : "newsmd/1.0");
	m->cfg.user_agent = m->user_agent;
	m->connect_to = strv_copy(c->connect_to);
	m->trusted = strv_copy(c->trusted_hosts);
	for (char **s = m->connect_to; *s; s++)
		m->ct_list = curl_slist_append(m->ct_list, *s);
	m->rng = (unsigned long long)multi_now_ms() * 0x9E3779B97F4A7C15ULL ^
		 (unsigned long long)getpid();
	if (!m->rng)
		m->rng = 1;
	m->xfers = xcalloc((size_t)m->cfg.concurrency, sizeof *m->xfers);
	m->cm = curl_multi_init();
	if (!m->cm) {
		multi_free(m);
		*out = NULL;
		return err_set(e, NM_ENET, "cannot start libcurl");
	}
	curl_multi_setopt(m->cm, CURLMOPT_MAX_TOTAL_CONNECTIONS, m->cfg.concurrency);
	curl_multi_setopt(m->cm, CURLMOPT_MAX_HOST_CONNECTIONS, m->cfg.per_host);
	for (long i = 0; i < m->cfg.concurrency; i++) {
		m->xfers[i].m = m;
		m->xfers[i].h = curl_easy_init();
	}
	*out = m;
	return NM_OK;
}

static void xfer_reset(struct xfer *x)
{
	if (x->body.cap > MULTI_KEEP_BUF)
		buf_free(&x->body);
	else
		buf_clear(&x->body);
	free(x->etag);
	free(x->last_modified);
	free(x->ctype);
	free(x->location);
	x->etag = x->last_modified = x->ctype = x->location = NULL;
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
	x->header_bytes = 0;
	x->resp_status = 0;
	x->too_large = x->bad_type = x->flood = x->ssrf = false;
	x->errbuf[0] = 0;
	x->rq = NULL;
	x->host = NULL;
	x->busy = false;
}

void multi_free(struct multi *m)
{
	if (!m)
		return;
	for (long i = 0; m->xfers && i < m->cfg.concurrency; i++) {
		struct xfer *x = &m->xfers[i];
		if (x->busy) {
			curl_multi_remove_handle(m->cm, x->h);
			req_free(x->rq);
		}
		xfer_reset(x);
		buf_free(&x->body);
		curl_easy_cleanup(x->h);
	}
	free(m->xfers);
	for (size_t i = 0; i < m->nhosts; i++) {
		struct host *h = m->hosts[i];
		struct rq *qs[] = {&h->q[0], &h->q[1], &h->retry};
		for (size_t k = 0; k < 3; k++)
			for (struct req *r; (r = rq_pop(qs[k]));)
				req_free(r);
		robots_free(h->robots);
		free(h->robots_err);
		free(h->origin);
		free(h->name);
		free(h);
	}
	for (struct req *r; (r = rq_pop(&m->refused));)
		req_free(r);
	free(m->hosts);
	if (m->cm)
		curl_multi_cleanup(m->cm);
	curl_slist_free_all(m->ct_list);
	strv_del(m->connect_to);
	strv_del(m->trusted);
	free(m->user_agent);
	free(m);
}

void multi_add(struct multi *m, const struct multi_req *r)
{
	struct req *q = xcalloc(1, sizeof *q);
	q->url = xstrdup(r->url);
	q->orig_url = xstrdup(r->url);
	q->etag = xstrdup(r->etag);
	q->last_modified = xstrdup(r->last_modified);
	q->referer = xstrdup(r->referer);
	q->headers = strv_copy(r->headers);
	q->accept = r->accept;
	q->prio = r->prio;
	q->timeout_s = r->timeout_s;
	q->max_bytes = r->max_bytes;
	q->ud = r->ud;
	struct host *h = host_for(m, r->url);
	if (!h) {
		rq_push(&m->refused, q);
		m->pending++;
		return;
	}
	enqueue(m, h, q, false);
}

void multi_want_robots(struct multi *m, const char *url)
{
	struct host *h = host_for(m, url);
	if (!h || h->want_robots)
		return;
	if (h->rstate == R_READY && h->robots) {
		if (m->on_robots)
			m->on_robots(m->ctx, h->origin, h->robots);
		return;
	}
	h->want_robots = true;
	h->rstate = h->rstate == R_READY ? R_UNKNOWN : h->rstate;
	m->pending++;
}

void multi_trust_host(struct multi *m, const char *host)
{
	if (!host || !*host || policy_host_trusted((const char *const *)m->trusted, host))
		return;
	size_t n = 0;
	while (m->trusted[n])
		n++;
	m->trusted = xrealloc(m->trusted, (n + 2) * sizeof *m->trusted);
	m->trusted[n] = xstrdup(host);
	m->trusted[n + 1] = NULL;
	for (size_t i = 0; i < m->nhosts; i++)
		if (!strcasecmp(m->hosts[i]->name, host))
			m->hosts[i]->trusted = true;
}

void multi_set_host_delay(struct multi *m, const char *url, long delay_ms)
{
	struct host *h = host_for(m, url);
	if (h && delay_ms >= 0)
		h->delay_ms = delay_ms;
}

void multi_block_host(struct multi *m, const char *url, int64_t until)
{
	struct host *h = host_for(m, url);
	int64_t left = until - (int64_t)time(NULL);
	if (!h || left <= 0)
		return;
	if (left > MULTI_RETRY_AFTER_MAX_S) {
		h->defer_all = true;
		h->defer_s = (long)left;
	} else {
		h->backoff_until = multi_now_ms() + left * 1000;
	}
}

void multi_set_robots_cache(struct multi *m, multi_robots_get_fn get, multi_robots_put_fn put,
			    void *ctx)
{
	m->rc_get = get;
	m->rc_put = put;
	m->rc_ctx = ctx;
}

void multi_hold(struct multi *m, int n)
{
	m->held += n;
}

void multi_set_tick(struct multi *m, multi_tick_fn tick)
{
	m->tick = tick;
}

void multi_wakeup(struct multi *m)
{
	curl_multi_wakeup(m->cm);
}

const struct multi_stats *multi_get_stats(const struct multi *m)
{
	return &m->stats;
}

/* ---- libcurl callbacks ---- */

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	x->header_bytes += n;
	if (x->header_bytes > MULTI_MAX_HEADER_BYTES) {
		x->flood = true;
		return 0;
	}
	if (n >= 5 && !strncmp(p, "HTTP/", 5)) {
		/* a new response (after 1xx): forget the previous one's headers */
		const char *sp = memchr(p, ' ', n);
		x->resp_status = sp ? strtol(sp + 1, NULL, 10) : 0;
		free(x->etag);
		free(x->last_modified);
		free(x->ctype);
		free(x->location);
		x->etag = x->last_modified = x->ctype = x->location = NULL;
		return n;
	}
	if (n <= 2 && (p[0] == '\r' || p[0] == '\n')) {
		/* end of headers: refuse unwanted types before the body comes */
		if (x->resp_status >= 200 && x->resp_status < 300 && !x->rq->robots &&
		    !policy_type_ok(x->rq->accept, x->ctype)) {
			x->bad_type = true;
			return 0;
		}
		return n;
	}
	const char *colon = memchr(p, ':', n);
	if (!colon)
		return n;
	size_t kn = (size_t)(colon - p);
	const char *v = colon + 1, *end = p + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	char **dst = NULL;
	if (kn == 4 && !strncasecmp(p, "etag", 4))
		dst = &x->etag;
	else if (kn == 13 && !strncasecmp(p, "last-modified", 13))
		dst = &x->last_modified;
	else if (kn == 12 && !strncasecmp(p, "content-type", 12))
		dst = &x->ctype;
	else if (kn == 8 && !strncasecmp(p, "location", 8))
		dst = &x->location;
	if (dst) {
		free(*dst);
		*dst = xstrndup(v, (size_t)(end - v));
	}
	return n;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;
	if (x->body.len + n > x->cap) {
		/* robots.txt: keep the prefix (RFC 9309 §2.5); anything else is refused */
		if (x->rq->robots)
			buf_put(&x->body, p, x->cap - x->body.len);
		x->too_large = true;
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	buf_put(&x->body, p, n);
	return n;
}

/* The address check runs on the resolved address, so DNS tricks and
 * decimal/octal/v4-mapped spellings are all caught. */
static curl_socket_t on_open(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct xfer *x = ud;
	(void)purpose;
	bool trusted = x->host->trusted;
	if (trusted && x->rq->robots) {
		/* libcurl follows robots.txt redirects itself: the trust is the
		 * host's this hop goes to, not the origin's */
		char *eff = NULL;
		struct buf origin = BUF_INIT, name = BUF_INIT;
		curl_easy_getinfo(x->h, CURLINFO_EFFECTIVE_URL, &eff);
		trusted = eff && origin_of(eff, &origin, &name) == 0 &&
			  policy_host_trusted((const char *const *)x->m->trusted, buf_cstr(&name));
		buf_free(&origin);
		buf_free(&name);
	}
	if (!policy_addr_allowed(&a->addr, trusted)) {
		x->ssrf = true;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

/* Completes r as refused by the address check on host h. */
static void finish_ssrf(struct multi *m, struct req *r, struct host *h);

/* ---- starting transfers ---- */

static long host_interval(struct multi *m, struct host *h)
{
	long d = h->delay_ms;
	if (d > 0)
		d += rnd_upto(m, d * MULTI_JITTER_PCT / 100);
	if (h->floor_ms > d)
		d = h->floor_ms;
	return d + h->penalty_ms;
}

/* The request is about to go on the wire (libcurl's pre-request
 * callback): the host's next start counts from now, not from start(),
 * because connecting (or a slow loop turn) can hold a request back, and
 * the server must see the whole delay between two requests. */
static int on_prereq(void *ud, char *ip, char *local_ip, int port, int local_port)
{
	struct xfer *x = ud;
	(void)ip;
	(void)local_ip;
	(void)port;
	(void)local_port;
	int64_t t = multi_now_ms() + x->interval;
	if (x->host->next_start < t)
		x->host->next_start = t;
	return CURL_PREREQFUNC_OK;
}

static void start(struct multi *m, struct host *h, struct req *r, int64_t now)
{
	struct xfer *x = NULL;
	for (long i = 0; i < m->cfg.concurrency; i++)
		if (!m->xfers[i].busy) {
			x = &m->xfers[i];
			break;
		}
	CURL *c = x->h;
	curl_easy_reset(c);
	x->busy = true;
	x->rq = r;
	x->host = h;
	x->cap = r->robots ? ROBOTS_MAX_BYTES : r->max_bytes ? r->max_bytes : m->cfg.max_bytes;
	r->attempts++;
	curl_easy_setopt(c, CURLOPT_URL, r->url);
	curl_easy_setopt(c, CURLOPT_PRIVATE, x);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https"); /* policy_scheme_ok */
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	if (r->robots) {
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(c, CURLOPT_MAXREDIRS, (long)MULTI_ROBOTS_REDIRS);
	} else {
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L); /* each hop is ours to check */
	}
	curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(c, CURLOPT_USERAGENT, m->user_agent);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PIPEWAIT, 1L);
	long to = r->timeout_s > 0 ? r->timeout_s : m->cfg.timeout_s;
	curl_easy_setopt(c, CURLOPT_TIMEOUT, to);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
			 m->cfg.connect_timeout_s < to ? m->cfg.connect_timeout_s : to);
	if (m->cfg.low_speed_bytes > 0 && m->cfg.low_speed_s > 0) {
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, m->cfg.low_speed_bytes);
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, m->cfg.low_speed_s);
	}
	if (!r->robots) /* a long robots.txt is cut, not refused (RFC 9309 §2.5) */
		curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->cap);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETFUNCTION, on_open);
	curl_easy_setopt(c, CURLOPT_OPENSOCKETDATA, x);
	curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, on_prereq);
	curl_easy_setopt(c, CURLOPT_PREREQDATA, x);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
	if (m->ct_list)
		curl_easy_setopt(c, CURLOPT_CONNECT_TO, m->ct_list);
	if (r->referer)
		curl_easy_setopt(c, CURLOPT_REFERER, r->referer);
	for (char **hd = r->headers; hd && *hd; hd++)
		x->hdrs = curl_slist_append(x->hdrs, *hd);
	if (r->etag && r->hops == 0) {
		struct buf b = BUF_INIT;
		buf_printf(&b, "If-None-Match: %s", r->etag);
		x->hdrs = curl_slist_append(x->hdrs, buf_cstr(&b));
		buf_free(&b);
	}
	if (r->last_modified && r->hops == 0) {
		struct buf b = BUF_INIT;
		buf_printf(&b, "If-Modified-Since: %s", r->last_modified);
		x->hdrs = curl_slist_append(x->hdrs, buf_cstr(&b));
		buf_free(&b);
	}
	if (x->hdrs)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, x->hdrs);
	curl_multi_add_handle(m->cm, c);
	m->in_flight++;
	h->in_flight++;
	x->interval = host_interval(m, h);
	h->next_start = now + x->interval;
	m->stats.requests++;
	if (r->attempts > 1)
		m->stats.retries++;
}

static void finish(struct multi *m, struct req *r, const struct multi_res *proto)
{
	struct multi_res res = *proto;
	res.url = r->orig_url;
	if (!res.final_url)
		res.final_url = r->url;
	res.attempts = r->attempts;
	res.ud = r->ud;
	if (m->done)
		m->done(m->ctx, &res);
	req_free(r);
}

static void finish_ssrf(struct multi *m, struct req *r, struct host *h)
{
	struct multi_res res;
	struct buf why = BUF_INIT;
	memset(&res, 0, sizeof res);
	policy_ssrf_msg(h->name, r->hops > 0, &why);
	res.outcome = MO_REFUSED;
	res.ssrf = true;
	res.error = buf_cstr(&why);
	finish(m, r, &res);
	buf_free(&why);
}

static void finish_simple(struct multi *m, struct req *r, enum multi_outcome o,
			  const char *why, long retry_after)
{
	struct multi_res res;
	memset(&res, 0, sizeof res);
	res.outcome = o;
	res.error = why;
	res.retry_after_s = retry_after;
	finish(m, r, &res);
}

/* Takes the next request of h that may start now; requests robots.txt
 * forbids complete on the way.  NULL when none. */
static struct req *next_of(struct multi *m, struct host *h, int64_t now)
{
	for (;;) {
		struct req *r = NULL;
		/* a due retry goes first */
		struct req *prev = NULL;
		for (struct req *t = h->retry.head; t; prev = t, t = t->next)
			if (t->not_before <= now) {
				if (prev)
					prev->next = t->next;
				else
					h->retry.head = t->next;
				if (h->retry.tail == t)
					h->retry.tail = prev;
				t->next = NULL;
				r = t;
				break;
			}
		if (!r)
			r = rq_pop(&h->q[0]);
		if (!r)
			r = rq_pop(&h->q[1]);
		if (!r)
			return NULL;
		h->queued--;
		m->pending--;
		if (h->ssrf) {
			finish_ssrf(m, r, h);
			continue;
		}
		if (h->robots_err && !r->robots) {
			/* RFC 9309 §2.3.1.4: disallowed for now; the next run asks again */
			finish_simple(m, r, h->robots_down ? MO_FAILED : MO_DEFERRED, h->robots_err, 0);
			continue;
		}
		if (h->robots && !r->robots) {
			const char *p = strstr(r->url, "://");
			p = p ? strchr(p + 3, '/') : NULL;
			if (!robots_allowed(h->robots, p ? p : "/")) {
				finish_simple(m, r, MO_ROBOTS, "disallowed by robots.txt", 0);
				continue;
			}
		}
		return r;
	}
}

/* Completes every queued request of h as deferred. */
static void drain_deferred(struct multi *m, struct host *h)
{
	struct rq *qs[] = {&h->retry, &h->q[0], &h->q[1]};
	for (size_t k = 0; k < 3; k++)
		for (struct req *r; (r = rq_pop(qs[k]));) {
			h->queued--;
			m->pending--;
			finish_simple(m, r, MO_DEFERRED, "host asked to wait (Retry-After) beyond this run",
				      h->defer_s);
		}
}

static void start_ready(struct multi *m, int64_t now)
{
	for (struct req *r; (r = rq_pop(&m->refused));) {
		m->pending--;
		finish_simple(m, r, MO_REFUSED, "not an http(s) URL", 0);
	}
	size_t n = m->nhosts;
	for (size_t k = 0; k < n && m->in_flight < m->cfg.concurrency; k++) {
		struct host *h = m->hosts[(m->rr + k) % n];
		if (!h->queued && !(h->want_robots && h->rstate == R_UNKNOWN))
			continue;
		if (h->defer_all) {
			drain_deferred(m, h);
			continue;
		}
		if (h->rstate == R_FETCHING)
			continue;
		if (h->in_flight >= m->cfg.per_host || now < h->next_start || now < h->backoff_until)
			continue;
		long cst = 0;
		char *cached = h->rstate == R_UNKNOWN && m->rc_get
				       ? m->rc_get(m->rc_ctx, h->origin, &cst)
				       : NULL;
		if (cached) { /* another worker fetched it lately */
			robots_apply(m, h,
				     cst >= 200 && cst < 300
					     ? robots_parse(cached, strlen(cached), m->user_agent)
					     : robots_for_status(cst));
			free(cached);
			if (!h->queued || now < h->next_start)
				continue;
		}
		if (h->rstate == R_UNKNOWN) {
			struct req *rb = xcalloc(1, sizeof *rb);
			struct buf u = BUF_INIT;
			buf_printf(&u, "%s/robots.txt", h->origin);
			rb->url = buf_detach(&u);
			rb->orig_url = xstrdup(rb->url);
			rb->robots = true;
			rb->headers = strv_copy(NULL);
			h->rstate = R_FETCHING;
			m->stats.robots_fetched++;
			start(m, h, rb, now);
			continue;
		}
		/* as many as the host's limits allow (several only without a delay) */
		while (h->in_flight < m->cfg.per_host && m->in_flight < m->cfg.concurrency &&
		       now >= h->next_start) {
			struct req *r = next_of(m, h, now);
			if (!r)
				break;
			start(m, h, r, now);
		}
	}
	if (n)
		m->rr = (m->rr + 1) % n;
}

/* ---- finishing transfers ---- */

static bool transient_curl(CURLcode cc)
{
	switch (cc) {
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return true;
	default:
		return false;
	}
}

static bool transient_status(long s)
{
	return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504 ||
	       s == 522 || s == 524;
}

static void robots_done(struct multi *m, struct xfer *x, CURLcode cc, long status)
{
	struct host *h = x->host;
	struct robots *r;
	h->ssrf = x->ssrf;
	free(h->robots_err);
	h->robots_err = NULL;
	if (!x->ssrf && cc != CURLE_OK && !(cc == CURLE_WRITE_ERROR && x->too_large)) {
		struct buf b = BUF_INIT;
		buf_printf(&b, "robots.txt unreachable: %s",
			   x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc));
		h->robots_err = buf_detach(&b);
		h->robots_down = true;
	} else if (cc == CURLE_OK && status >= 500) {
		struct buf b = BUF_INIT;
		buf_printf(&b, "robots.txt answered %ld: host disallowed until the next run", status);
		h->robots_err = buf_detach(&b);
		h->robots_down = false;
	}
	if ((cc == CURLE_OK || (cc == CURLE_WRITE_ERROR && x->too_large)) && status >= 200 &&
	    status < 300)
		r = robots_parse(buf_cstr(&x->body), x->body.len, m->user_agent);
	else
		r = robots_for_status(cc == CURLE_OK ? status : 0);
	/* a definite answer (a file, or 4xx = no rules) goes to the cache */
	if (m->rc_put && !x->ssrf && cc == CURLE_OK && status >= 200 && status < 500 &&
	    !memchr(buf_cstr(&x->body), 0, x->body.len))
		m->rc_put(m->rc_ctx, h->origin, status, status < 300 ? buf_cstr(&x->body) : "");
	robots_apply(m, h, r);
}

/* The host's robots.txt policy is known (fetched or from the cache). */
static void robots_apply(struct multi *m, struct host *h, struct robots *r)
{
	h->rstate = R_READY;
	if (h->want_robots) {
		h->want_robots = false;
		m->pending--;
	}
	if (!m->cfg.robots) {
		/* fetched for its Sitemap lines only */
		if (m->on_robots)
			m->on_robots(m->ctx, h->origin, r);
		robots_free(r);
		return;
	}
	robots_free(h->robots);
	h->robots = r;
	long cd = robots_crawl_delay_ms(r);
	if (cd > h->floor_ms) {
		h->floor_ms = cd;
		/* the next start keeps the floor from this request's start */
		int64_t nb = multi_now_ms() + cd;
		if (h->next_start < nb)
			h->next_start = nb;
	}
	if (m->on_robots)
		m->on_robots(m->ctx, h->origin, r);
}

static void on_done(struct multi *m, struct xfer *x, CURLcode cc)
{
	struct req *r = x->rq;
	struct host *h = x->host;
	long status = 0;
	curl_off_t ra = 0;
	char *ct = NULL;
	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->h, CURLINFO_RETRY_AFTER, &ra);
	curl_easy_getinfo(x->h, CURLINFO_CONTENT_TYPE, &ct);
	m->stats.bytes += (long long)x->body.len;
	h->in_flight--;
	m->in_flight--;
	int64_t now = multi_now_ms();

	if (r->robots) {
		robots_done(m, x, cc, status);
		req_free(r);
		return;
	}

	struct multi_res res;
	memset(&res, 0, sizeof res);
	res.status = status;
	res.content_type = x->ctype ? x->ctype : ct;
	res.etag = x->etag;
	res.last_modified = x->last_modified;
	char why[CURL_ERROR_SIZE + 64];
	why[0] = 0;

	if (x->ssrf) {
		finish_ssrf(m, r, h);
		return;
	} else if (x->too_large || cc == CURLE_FILESIZE_EXCEEDED) {
		res.outcome = MO_TOO_LARGE;
		snprintf(why, sizeof why, "body larger than %zu bytes; refused", x->cap);
		res.error = why;
	} else if (x->bad_type) {
		res.outcome = MO_TYPE;
		snprintf(why, sizeof why, "content type %s skipped", x->ctype ? x->ctype : "?");
		res.error = why;
	} else if (x->flood) {
		res.outcome = MO_REFUSED;
		res.error = "response headers too large";
	} else if (cc == CURLE_BAD_CONTENT_ENCODING || cc == CURLE_UNSUPPORTED_PROTOCOL) {
		res.outcome = MO_REFUSED;
		snprintf(why, sizeof why, "%s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc));
		res.error = why;
	} else if (cc != CURLE_OK || transient_status(status)) {
		bool transient = cc == CURLE_OK || transient_curl(cc);
		if (cc != CURLE_OK)
			snprintf(why, sizeof why, "%s", x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc));
		else
			snprintf(why, sizeof why, "HTTP %ld", status);
		res.error = why;
		res.outcome = MO_FAILED;
		if (status == 429 || status == 503) {
			/* adaptive: the host is struggling, slow down for all its URLs */
			long p = h->penalty_ms * 2;
			long base = h->delay_ms > 100 ? h->delay_ms : 100;
			h->penalty_ms = p > base ? (p < MULTI_BACKOFF_MAX_MS ? p : MULTI_BACKOFF_MAX_MS)
						 : base;
		}
		/* Retry-After: the whole host waits, whatever becomes of this URL */
		if (ra > 0 && ra <= MULTI_RETRY_AFTER_MAX_S && h->backoff_until < now + ra * 1000)
			h->backoff_until = now + (int64_t)ra * 1000;
		if (ra > 0 && ra > MULTI_RETRY_AFTER_MAX_S) {
			h->defer_all = true;
			h->defer_s = (long)ra;
			res.outcome = MO_DEFERRED;
			res.retry_after_s = (long)ra;
		} else if (transient && r->attempts <= m->cfg.retries) {
			long wait;
			if (ra > 0) {
				wait = (long)ra * 1000;
			} else {
				/* exponential, with "equal jitter": half fixed, half random */
				long b = m->cfg.backoff_ms;
				for (long i = 1; i < r->attempts && b < MULTI_BACKOFF_MAX_MS; i++)
					b *= 2;
				if (b > MULTI_BACKOFF_MAX_MS)
					b = MULTI_BACKOFF_MAX_MS;
				wait = b / 2 + rnd_upto(m, b / 2);
			}
			r->not_before = now + wait;
			enqueue(m, h, r, false);
			return;
		}
	} else if (status >= 300 && status < 400 && status != 304 && x->location) {
		struct buf next = BUF_INIT;
		bool resolved = url_resolve(r->url, x->location, &next) == 0;
		const char *no = policy_redirect(r->hops, resolved ? buf_cstr(&next) : NULL);
		if (no) {
			res.outcome = MO_REFUSED;
			res.error = no;
		} else {
			struct host *nh = host_for(m, buf_cstr(&next));
			if (!nh) {
				res.outcome = MO_REFUSED;
				res.error = "redirect to an unusable URL refused";
			} else {
				free(r->url);
				r->url = buf_detach(&next);
				r->hops++;
				r->not_before = 0;
				enqueue(m, nh, r, true);
				buf_free(&next);
				return;
			}
		}
		buf_free(&next);
	} else if (status == 304) {
		res.outcome = MO_NOT_MODIFIED;
	} else if (status < 200 || status >= 300) {
		res.outcome = MO_HTTP_ERROR;
		snprintf(why, sizeof why, "HTTP %ld", status);
		res.error = why;
	} else {
		res.outcome = MO_OK;
		res.body = buf_cstr(&x->body);
		res.len = x->body.len;
		if (h->penalty_ms)
			h->penalty_ms /= 2;
	}
	finish(m, r, &res);
}

static long wait_ms(struct multi *m, int64_t now, int64_t deadline)
{
	long w = MULTI_MAX_WAIT_MS;
	if (m->in_flight < m->cfg.concurrency) {
		for (size_t i = 0; i < m->nhosts; i++) {
			struct host *h = m->hosts[i];
			if ((!h->queued && !h->want_robots) || h->rstate == R_FETCHING ||
			    h->in_flight >= m->cfg.per_host)
				continue;
			int64_t t = h->next_start > h->backoff_until ? h->next_start : h->backoff_until;
			if (!h->q[0].head && !h->q[1].head) {
				/* only retries: wake for the earliest */
				int64_t e = INT64_MAX;
				for (struct req *r = h->retry.head; r; r = r->next)
					if (r->not_before < e)
						e = r->not_before;
				if (e > t)
					t = e;
			}
			if (t - now < w)
				w = (long)(t - now);
		}
	}
	if (deadline && deadline - now < w)
		w = (long)(deadline - now);
	return w < 0 ? 0 : w;
}

void multi_run(struct multi *m, int64_t deadline_ms, multi_done_fn done,
	       multi_robots_fn robots, void *ctx)
{
	m->done = done;
	m->on_robots = robots;
	m->ctx = ctx;
	while (m->pending > 0 || m->in_flight > 0 || m->held > 0) {
		int64_t now = multi_now_ms();
		if (deadline_ms && now >= deadline_ms)
			break;
		start_ready(m, now);
		int running = 0;
		curl_multi_perform(m->cm, &running);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m->cm, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			char *priv = NULL;
			CURL *eh = msg->easy_handle;
			CURLcode cc = msg->data.result;
			curl_easy_getinfo(eh, CURLINFO_PRIVATE, &priv);
			struct xfer *x = (struct xfer *)(void *)priv;
			curl_multi_remove_handle(m->cm, eh);
			on_done(m, x, cc);
			xfer_reset(x);
		}
		if (m->tick)
			m->tick(m->ctx);
		if (m->pending == 0 && m->in_flight == 0 && m->held <= 0)
			break;
		now = multi_now_ms();
		curl_multi_poll(m->cm, NULL, 0, (int)wait_ms(m, now, deadline_ms), NULL);
	}
	/* out of time: everything left is for the next run */
	for (long i = 0; i < m->cfg.concurrency; i++) {
		struct xfer *x = &m->xfers[i];
		if (!x->busy)
			continue;
		curl_multi_remove_handle(m->cm, x->h);
		x->host->in_flight--;
		m->in_flight--;
		if (x->rq->robots) {
			x->host->rstate = R_UNKNOWN;
			req_free(x->rq);
		} else {
			finish_simple(m, x->rq, MO_DEFERRED, "run time budget used up", 0);
		}
		xfer_reset(x);
	}
	for (struct req *r; (r = rq_pop(&m->refused));) {
		m->pending--;
		finish_simple(m, r, MO_REFUSED, "not an http(s) URL", 0);
	}
	for (size_t i = 0; i < m->nhosts; i++) {
		struct host *h = m->hosts[i];
		struct rq *qs[] = {&h->retry, &h->q[0], &h->q[1]};
		for (size_t k = 0; k < 3; k++)
			for (struct req *r; (r = rq_pop(qs[k]));) {
				h->queued--;
				m->pending--;
				finish_simple(m, r, MO_DEFERRED, "run time budget used up", 0);
			}
		if (h->want_robots) {
			h->want_robots = false;
			m->pending--;
		}
	}
	m->done = NULL;
	m->on_robots = NULL;
}
