/*
 * engine.c - the crawl engine (see engine.h): for every selected source,
 * read its start URLs, find the articles not handled yet, fetch them
 * politely, write their posts, and record everything in the state store.
 *
 * The loop composes net/multi (polite fetching), crawler/frontier (the
 * run's work and dedup), crawler/state (memory across runs, the lock) and
 * crawler/pipeline (bytes -> article -> post).  Everything happens in the
 * fetcher's done callback: a discovery page yields more requests, an
 * article yields a post, written on a writer thread.  Nothing is printed:
 * what happens is reported through the caller's event callback.
 */
#include "crawler/engine.h"
#include "common/buf.h"
#include "common/mem.h"
#include "net/canon.h"
#include "dom/charset.h"
#include "crawler/feed.h"
#include "crawler/frontier.h"
#include "net/multi.h"
#include "net/robots.h"
#include "crawler/state.h"
#include "common/url.h"
#include "extractor/extract.h"
#include "dom/html.h"
#include "dom/jpath.h"
#include "output/images.h"
#include "output/post.h"
#include "output/tmpl.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

/* Sitemap indexes nest at most this deep (sitemaps.org allows one level;
 * a little slack for sites that nest anyway, none for cycles). */
#define CRAWL_MAX_SITEMAP_DEPTH 3
/* State writes are committed at least this often, so a crash loses at
 * most this much bookkeeping (the posts themselves are already safe). */
#define CRAWL_COMMIT_MS 500
/* Progress ticks are reported at most this often. */
#define CRAWL_TICK_MS 200
/* A URL that failed in a run is retried by the run after this long,
 * doubling per failed run (capped by STATE_MAX_FAILED_RUNS tries). */
#define CRAWL_RETRY_BASE_S 300
/* A <meta http-equiv=refresh> with a longer delay is a page reloading
 * itself for readers, not a redirect (Scrapy's METAREFRESH_MAXDELAY). */
#define CRAWL_META_REFRESH_MAX_DELAY_S 100
/* Posts written at once by writer threads.  Each post costs two fsyncs
 * (file and folder); the file system's journal commits concurrent ones
 * together, so 8 writers turn ~85 posts/s into several hundred on this
 * machine's ext4 (measured: 87 / 575 / 725 writes/s with 1 / 4 / 8). */
#define CRAWL_WRITERS 8
/* Low-speed abort: below this many bytes/s for half the transfer timeout
 * (at most 30 s) the server is trickling. */
#define CRAWL_LOW_SPEED_BYTES 1024
/* Buckets of the run's image table (each image URL is requested once per
 * run); chains stay short up to ~10,000 images. */
#define CRAWL_IMAGE_BUCKETS 1024

struct wjob;

/* A post waiting for image i of its plan. */
struct img_wait {
	struct wjob *j;
	size_t i;
	struct img_wait *next;
};

/* One image URL of the run.  Its request's ud is the entry's address with
 * the low bit set (entries are malloc-aligned), which tells on_done an
 * image from a frontier item. */
struct img_entry {
	char *url;
	bool done;
	char *file;  /* done: the copy stored first, or NULL */
	char *error; /* done and not stored: why */
	bool counted; /* shared state: counted in its held host's inflight */
	struct img_wait *wait, *wait_tail;
	struct img_entry *chain;
};
/* Shared state (PostgreSQL): due rows are read again this often, so work
 * other workers discover, or leave behind when they die, is picked up
 * during the run, not only by the next one. */
#define CRAWL_SHARED_RESCAN_MS 1000
/* Shared state: when this worker has nothing left but rows wait on hosts
 * another worker holds, it looks again this often ... */
#define CRAWL_SHARED_WAIT_MS 500
/* ... and gives up after this long without progress (the rows stay due
 * for the next run; a live holder fetches them anyway). */
#define CRAWL_SHARED_WAIT_MAX_MS (10 * 60 * 1000)
/* Shared state: a robots.txt one worker fetched serves the others this
 * long (RFC 9309 §2.4 allows up to 24 h; an hour keeps an edited file
 * effective soon). */
#define CRAWL_ROBOTS_TTL_S 3600
/* Shared state gone mid-run: every held host is blocked this far ahead,
 * which the fetcher treats as "defer everything to a later run". */
#define CRAWL_BROKEN_BLOCK_S (365L * 24 * 3600)

struct crawl {
	struct pipeline *p;
	struct state *st;
	struct multi *m;
	struct frontier *fr;
	bool dry_run;
	long max_items, queued_articles;
	engine_event_fn fn;
	void *ctx;
	unsigned long long shard_i, shard_n;
	bool *selected;            /* per source */
	char **robots_want;        /* canonical robots.txt URLs whose Sitemap lines a source reads */
	size_t *robots_want_src;
	size_t nrobots_want;
	int64_t t0, last_commit, last_tick;
	struct engine_counts n;
	struct writers *w;
	struct img_entry **imgs; /* CRAWL_IMAGE_BUCKETS chains, or NULL */
	/* sharing the crawl with other workers (state_shared) */
	bool shared;
	struct held *held;         /* hosts this worker holds, with work in flight */
	size_t nheld;
	long waiting;              /* work seen on hosts this worker could not take */
	struct strv pending;       /* discovery pages waiting for their host: "src\tpage\tdepth\turl" */
	struct strv busy;          /* hosts found taken (or no slot) since the last rescan */
	size_t src_off;            /* sources are visited from here (workers spread out) */
	int64_t last_rescan;
	bool broken;               /* the shared state went away: stop */
	struct nm_err broken_err;
};

/* A host this worker holds (shared state): the lock is given back when
 * the last request for it is done, so idle hosts go to other workers. */
struct held {
	char *host;
	char *url;     /* the URL it was taken for (its origin, for multi_block_host) */
	long inflight; /* requests submitted and not done */
	long delay_ms; /* the gap the next holder must keep after our last request */
	bool want_robots; /* a multi_want_robots counts in inflight until on_robots */
};

/* c->pending kind of a robots.txt whose Sitemap lines a source reads */
#define CRAWL_PENDING_ROBOTS (-1)

static bool shared_broken(struct crawl *c);
static void rescan(struct crawl *c);

/* A post to write on a writer thread; everything in it is owned. */
struct wjob {
	struct frontier_item *it;
	struct article a;
	struct output_cfg o;
	struct state_url row;
	long status, attempts;
	char *final_url;
	struct pipeline_images *im; /* its images (output.images: download), or NULL */
	size_t waiting;             /* images not in yet (+1 while being planned) */
	/* results */
	enum nm_code rc;
	struct nm_err e;
	char *path;
	enum post_status ps;
	struct wjob *next;
};

struct writers {
	pthread_t th[CRAWL_WRITERS];
	int n;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct wjob *in, *in_tail, *out, *out_tail;
	bool stop;
	struct crawl *c;
};

static int64_t wall(void)
{
	return (int64_t)time(NULL);
}

/* ---- events ---- */

static void emit(struct crawl *c, struct engine_event *ev)
{
	if (!c->fn)
		return;
	ev->ts = wall();
	c->n.seconds = (double)(multi_now_ms() - c->t0) / 1000.0;
	ev->counts = &c->n;
	c->fn(c->ctx, ev);
}

static void tick(struct crawl *c, bool force)
{
	int64_t now = multi_now_ms();
	if (!force && now - c->last_tick < CRAWL_TICK_MS)
		return;
	c->last_tick = now;
	struct engine_event ev = {.type = ENGINE_EV_TICK};
	emit(c, &ev);
}

static void report(struct crawl *c, const char *url, const char *msg)
{
	struct engine_event ev = {.type = ENGINE_EV_ERROR, .url = url, .error = msg};
	emit(c, &ev);
}

/* pipeline warnings (images not stored ...), from whichever thread wrote
 * the post */
static void on_warning(void *ctx, const char *url, const char *msg)
{
	struct crawl *c = ctx;
	struct engine_event ev = {.type = ENGINE_EV_WARNING, .url = url, .error = msg};
	if (c->fn) {
		ev.ts = wall();
		c->fn(c->ctx, &ev); /* no counts: they belong to the engine's thread */
	}
}

static void item_event(struct crawl *c, const char *event, const struct frontier_item *it,
		       const struct multi_res *r, const char *path, const char *error)
{
	struct engine_event ev = {.type = ENGINE_EV_ITEM, .name = event, .path = path,
				  .error = error};
	if (it) {
		ev.url = it->url;
		ev.source = c->p->cfg.sources[it->source].name;
		ev.kind = it->kind == ITEM_ARTICLE ? "article"
			  : it->kind == ITEM_SITEMAP ? "sitemap"
						     : "list";
	}
	if (r) {
		ev.outcome = multi_outcome_name(r->outcome);
		ev.status = r->status;
		ev.attempts = r->attempts;
		if (r->final_url && it && strcmp(r->final_url, it->fetch_url))
			ev.final_url = r->final_url;
	}
	emit(c, &ev);
}

/* ---- pre-filled fields <-> JSON (kept in the state for later runs) ---- */

static void put_str(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
}

static void put_list(json_t *o, const char *k, const struct strv *v)
{
	if (!v->n)
		return;
	json_t *a = json_array();
	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(a, json_string(v->v[i]));
	json_object_set_new(o, k, a);
}

static void put_date(json_t *o, const char *k, const struct when *w)
{
	if (!w->set)
		return;
	struct buf b = BUF_INIT;
	date_format(&b, "%Y-%m-%dT%H:%M:%S%:z", w);
	json_object_set_new(o, k, json_string(buf_cstr(&b)));
	buf_free(&b);
}

/* JSON text of the fields a list item filled in a, or NULL when none. */
static char *fields_json(const struct article *a)
{
	json_t *o = json_object();
	put_str(o, "title", a->title);
	put_date(o, "date", &a->date);
	put_date(o, "updated", &a->updated);
	put_list(o, "author", &a->author);
	put_str(o, "source", a->source);
	put_str(o, "category", a->category);
	put_list(o, "tags", &a->tags);
	put_str(o, "lead_image", a->lead_image);
	put_str(o, "excerpt", a->excerpt);
	put_str(o, "lang", a->lang);
	for (size_t i = 0; i < a->nfields; i++)
		put_str(o, a->fields[i].name, a->fields[i].value);
	char *s = json_object_size(o) ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return s;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

/* Sets one pre-filled field by name (built-in or custom). */
static void set_field(struct article *a, const char *k, const char *v)
{
	if (!strcmp(k, "title"))
		set_str(&a->title, v);
	else if (!strcmp(k, "source"))
		set_str(&a->source, v);
	else if (!strcmp(k, "category"))
		set_str(&a->category, v);
	else if (!strcmp(k, "lead_image"))
		set_str(&a->lead_image, v);
	else if (!strcmp(k, "excerpt"))
		set_str(&a->excerpt, v);
	else if (!strcmp(k, "lang"))
		set_str(&a->lang, v);
	else if (!strcmp(k, "author"))
		strv_push(&a->author, v);
	else if (!strcmp(k, "tags"))
		strv_push(&a->tags, v);
	else if (!strcmp(k, "date") || !strcmp(k, "updated")) {
		struct when w;
		if (date_parse_any(v, NULL, &w) == NM_OK)
			*(strcmp(k, "date") ? &a->updated : &a->date) = w;
	} else
		article_set_field(a, k, v);
}

static void apply_fields(struct article *a, const char *js)
{
	json_t *o = js ? json_loads(js, 0, NULL) : NULL;
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		if (json_is_string(v)) {
			set_field(a, k, json_string_value(v));
		} else if (json_is_array(v)) {
			size_t i;
			json_t *x;
			json_array_foreach(v, i, x) if (json_is_string(x)) set_field(a, k,
										  json_string_value(x));
		}
	}
	json_decref(o);
}

/* ---- small helpers ---- */

static void hash_hex(const char *s, size_t n, char out[17])
{
	unsigned long long h = 14695981039346656037ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	snprintf(out, 17, "%016llx", h);
}

static bool shard_ok(struct crawl *c, const char *url)
{
	if (c->shard_n <= 1)
		return true;
	struct buf h = BUF_INIT;
	bool ok = url_host(url, &h) == 0 && canon_host_hash(buf_cstr(&h)) % c->shard_n == c->shard_i;
	buf_free(&h);
	return ok;
}

static const struct rule *source_rule(struct crawl *c, size_t src)
{
	const char *name = c->p->cfg.sources[src].rule;
	return name ? ruleset_find(&c->p->rules, name) : NULL;
}

static bool same_host(const char *a, const char *b)
{
	struct buf x = BUF_INIT, y = BUF_INIT;
	bool same = a && b && url_host(a, &x) == 0 && url_host(b, &y) == 0 &&
		    !strcmp(buf_cstr(&x), buf_cstr(&y));
	buf_free(&x);
	buf_free(&y);
	return same;
}

static void maybe_commit(struct crawl *c, bool force)
{
	int64_t now = multi_now_ms();
	if (force || now - c->last_commit >= CRAWL_COMMIT_MS) {
		struct nm_err e;
		if (state_commit(c->st, &e) != NM_OK && !shared_broken(c))
			report(c, "state", e.msg);
		c->last_commit = now;
	}
}

/* A fresh row for an item not in the store yet. */
static void new_row(struct crawl *c, const struct frontier_item *it, enum url_kind kind,
		    struct state_url *u)
{
	struct buf h = BUF_INIT;
	memset(u, 0, sizeof *u);
	u->url = xstrdup(it->canon);
	u->source = xstrdup(c->p->cfg.sources[it->source].name);
	if (url_host(it->url, &h) == 0)
		u->host = buf_detach(&h);
	u->kind = kind;
	u->status = ST_QUEUED;
	u->discovered_at = wall();
	buf_free(&h);
}


static void put_row(struct crawl *c, const struct state_url *u)
{
	struct nm_err e;
	err_clear(&e);
	if (state_put(c->st, u, &e) != NM_OK && !shared_broken(c))
		report(c, u->url, e.msg);
}

/* ---- sharing the crawl with other workers (PostgreSQL state) ----
 *
 * With a shared state several workers run at once.  Each article is
 * fetched under a lease (state_claim), and each host is talked to by one
 * worker at a time (state_host_acquire): the holder keeps the host while
 * it has requests for it in flight, then gives it back with the time the
 * next request may start, so the per-host delay, Crawl-delay and
 * Retry-After hold across workers.  A worker holds at most as many hosts
 * as it has transfer slots (crawl.concurrency), so that several workers
 * split the hosts between them.  Work found on a host another worker
 * holds is left in the state (rows) or in c->pending (discovery pages)
 * and looked at again every CRAWL_SHARED_RESCAN_MS.  With SQLite none of
 * this runs (c->shared is false). */

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct held *held_find(struct crawl *c, const char *host)
{
	for (size_t i = 0; i < c->nheld; i++)
		if (!strcmp(c->held[i].host, host))
			return &c->held[i];
	return NULL;
}

/* True (once reported in c->broken_err) when the shared state is gone;
 * every host is then blocked so what is queued ends as deferred. */
static bool shared_broken(struct crawl *c)
{
	if (c->broken)
		return true;
	if (!c->shared || !state_broken(c->st, &c->broken_err))
		return false;
	c->broken = true;
	for (size_t i = 0; i < c->nheld; i++)
		multi_block_host(c->m, c->held[i].url, wall() + CRAWL_BROKEN_BLOCK_S);
	return true;
}

/* This worker's hold on url's host, taking the host if it is free (and a
 * slot is): NULL when another worker has it.  On taking it, requests wait
 * for the time the last holder allowed, a persisted Retry-After, or one
 * delay when the last holder died holding it (its last request time is
 * unknown). */
static struct held *host_take(struct crawl *c, const char *url, const struct rule *r)
{
	struct buf h = BUF_INIT;
	struct held *hd = NULL;
	if (url_host(url, &h) != 0 || c->broken)
		goto out;
	if ((hd = held_find(c, buf_cstr(&h))))
		goto out;
	/* asked already since the last rescan: no query per row */
	for (size_t i = 0; i < c->busy.n; i++)
		if (!strcmp(c->busy.v[i], buf_cstr(&h)))
			goto out;
	int64_t free_at = 0;
	int got = (long)c->nheld >= c->p->cfg.crawl.concurrency
			  ? 0
			  : state_host_acquire(c->st, buf_cstr(&h), &free_at);
	if (got != 1) {
		if (got < 0)
			shared_broken(c);
		else
			strv_push(&c->busy, buf_cstr(&h));
		goto out;
	}
	c->held = xrealloc(c->held, (c->nheld + 1) * sizeof *c->held);
	hd = &c->held[c->nheld++];
	hd->host = buf_detach(&h);
	hd->url = xstrdup(url);
	hd->inflight = 0;
	hd->want_robots = false;
	hd->delay_ms = r && r->delay_ms > 0 ? r->delay_ms : c->p->cfg.crawl.delay_ms;
	int64_t now = wall_ms();
	int64_t not_before = free_at < 0 ? now + hd->delay_ms : free_at;
	int64_t backoff = state_host_backoff(c->st, hd->host) * 1000;
	if (backoff > not_before)
		not_before = backoff;
	if (not_before > now)
		multi_block_host(c->m, url, (not_before + 999) / 1000);
out:
	buf_free(&h);
	return hd;
}

/* One request for url's host is done: the last one gives the host back. */
static void host_done(struct crawl *c, const char *url)
{
	struct buf h = BUF_INIT;
	struct held *hd;
	if (c->shared && url_host(url, &h) == 0 && (hd = held_find(c, buf_cstr(&h))) &&
	    --hd->inflight <= 0) {
		if (!c->broken)
			state_host_release(c->st, hd->host, wall_ms() + hd->delay_ms);
		free(hd->host);
		free(hd->url);
		*hd = c->held[--c->nheld];
		strv_free(&c->busy); /* a slot is free again */
	}
	buf_free(&h);
}

/* Remembers a start URL whose host was busy, for the next rescan. */
static void pend(struct crawl *c, size_t src, int kind, int page, int depth, const char *url)
{
	struct buf pb = BUF_INIT;
	buf_printf(&pb, "%zu\t%d\t%d\t%d\t%s", src, kind, page, depth, url);
	strv_push(&c->pending, buf_cstr(&pb));
	buf_free(&pb);
	c->waiting++;
}

/* multi_want_robots, with the host taken first when the state is shared
 * (a robots.txt is a request to the host like any other). */
static void want_robots(struct crawl *c, size_t src, const char *url)
{
	if (c->shared) {
		struct held *hd = host_take(c, url, NULL);
		if (!hd) {
			pend(c, src, CRAWL_PENDING_ROBOTS, 0, 0, url);
			return;
		}
		if (hd->want_robots)
			return;
		hd->want_robots = true;
		hd->inflight++;
	}
	multi_want_robots(c->m, url);
}

/* Shared state: inserts the article's row when it is new and leases it
 * with its host to this worker.  False when it is not this worker's to
 * fetch now (leased by another, done meanwhile, its host held elsewhere,
 * or --max-items reached); the row stays due for whoever can. */
static bool shared_claim(struct crawl *c, size_t src, const char *url, const char *canon,
			 const char *fetch, const struct rule *r, const char *fields, bool have)
{
	if (!have) {
		struct state_url row;
		struct frontier_item tmp;
		memset(&tmp, 0, sizeof tmp);
		tmp.url = (char *)url;
		tmp.canon = (char *)canon;
		tmp.source = src;
		new_row(c, &tmp, KIND_ARTICLE, &row);
		row.fields = xstrdup(fields);
		struct nm_err e;
		if (state_add(c->st, &row, &e) < 0 && !shared_broken(c))
			report(c, url, e.msg);
		state_url_free(&row);
	}
	if (c->broken || (c->max_items && c->queued_articles >= c->max_items))
		return false;
	struct buf h = BUF_INIT;
	bool busy = false;
	if (url_host(fetch, &h) == 0)
		for (size_t i = 0; i < c->busy.n && !busy; i++)
			busy = !strcmp(c->busy.v[i], buf_cstr(&h));
	buf_free(&h);
	if (busy) { /* its host is taken: no lease to ask for */
		c->waiting++;
		return false;
	}
	int got = state_claim(c->st, canon, wall());
	if (got != 1) {
		if (got < 0)
			shared_broken(c);
		return false;
	}
	if (!host_take(c, fetch, r)) {
		state_unclaim(c->st, canon);
		c->waiting++;
		return false;
	}
	return true;
}

/* ---- submitting work ---- */

static void submit(struct crawl *c, struct frontier_item *it, const char *etag,
		   const char *last_modified)
{
	const struct rule *r = it->rule;
	struct multi_req q;
	memset(&q, 0, sizeof q);
	q.url = it->fetch_url;
	q.referer = it->referer;
	q.ud = it;
	if (it->kind == ITEM_ARTICLE) {
		q.prio = 1;
		q.accept = !r || r->fetch_type == FETCH_AUTO ? ACCEPT_HTML | ACCEPT_JSON
			   : r->fetch_type == FETCH_JSON     ? ACCEPT_JSON
							     : ACCEPT_HTML;
	} else {
		q.accept = ACCEPT_HTML | ACCEPT_JSON | ACCEPT_XML;
		q.etag = etag;
		q.last_modified = last_modified;
	}
	if (r) {
		q.headers = (const char *const *)r->headers;
		q.timeout_s = r->timeout_s;
	}
	/* per-host settings once per host and run (shared: at each
	 * hand-over, host_take) */
	struct buf key = BUF_INIT, host = BUF_INIT;
	struct held *hd;
	if (c->shared && url_host(it->fetch_url, &host) == 0 &&
	    (hd = held_find(c, buf_cstr(&host))))
		hd->inflight++;
	if (!c->shared && url_host(it->fetch_url, &host) == 0) {
		buf_printf(&key, "host:%s", buf_cstr(&host));
		if (frontier_take(c->fr, buf_cstr(&key))) {
			int64_t until = state_host_backoff(c->st, buf_cstr(&host));
			if (until > wall())
				multi_block_host(c->m, it->fetch_url, until);
		}
	}
	if (r && r->delay_ms > 0)
		multi_set_host_delay(c->m, it->fetch_url, r->delay_ms);
	buf_free(&key);
	buf_free(&host);
	multi_add(c->m, &q);
}

/* A discovery page (start URL, next list page, sitemap). */
static void add_discovery(struct crawl *c, size_t src, enum item_kind kind, const char *url,
			  int page, int depth, const char *referer)
{
	struct buf canon = BUF_INIT;
	/* every shard reads every discovery page (a list on one host may link
	 * articles of hosts other shards own); --shard filters articles */
	if (canon_url(url, &canon) != 0 || frontier_has(c->fr, buf_cstr(&canon))) {
		buf_free(&canon);
		return;
	}
	const struct rule *rule = source_rule(c, src);
	if (!rule)
		rule = ruleset_match(&c->p->rules, url);
	if (c->shared && !host_take(c, url, rule)) {
		/* its host is another worker's (or no slot is free): later */
		pend(c, src, (int)kind, page, depth, url);
		buf_free(&canon);
		return;
	}
	frontier_take(c->fr, buf_cstr(&canon));
	struct frontier_item *it = frontier_item_new(kind, url, buf_cstr(&canon), url, src);
	it->rule = rule;
	it->page = page;
	it->depth = depth;
	it->referer = xstrdup(referer);
	struct state_url row;
	bool have = state_get(c->st, it->canon, &row) == 1;
	c->n.pages++;
	submit(c, it, have ? row.etag : NULL, have ? row.last_modified : NULL);
	if (have)
		state_url_free(&row);
	buf_free(&canon);
}

/* An article candidate; returns true when it is new (not handled in an
 * earlier run nor taken in this one). */
static bool add_article(struct crawl *c, size_t src, const char *url, const char *fields,
			const char *referer)
{
	struct buf canon = BUF_INIT, fetch = BUF_INIT;
	bool isnew = false;
	if (!url_is_http(url) || canon_url(url, &canon) != 0 || !shard_ok(c, url))
		goto out;
	/* off-site links: only URLs some rule claims, or on the host of the
	 * page that lists them (the source's rule, else the generic
	 * extractor); rows from earlier runs (no referer) were vetted then */
	const struct rule *r = ruleset_match(&c->p->rules, url);
	const struct rule *sr = source_rule(c, src);
	bool same = referer && same_host(url, referer);
	if (sr && (!r || same))
		r = sr;
	if (!r && referer && !same)
		goto out;
	if (frontier_has(c->fr, buf_cstr(&canon)))
		goto out;
	struct state_url row;
	memset(&row, 0, sizeof row);
	int have = state_get(c->st, buf_cstr(&canon), &row);
	if (have == 1) {
		bool due = row.status == ST_QUEUED ||
			   (row.status == ST_FAILED && row.next_retry_at <= wall());
		if (!due) {
			state_url_free(&row);
			goto out;
		}
	} else {
		struct state_url w;
		if (state_find_written(c->st, buf_cstr(&canon), &w) == 1) {
			state_url_free(&w); /* another URL's post names this one canonical */
			goto out;
		}
	}
	rule_fetch_url(r, url, &fetch);
	if (c->shared && !shared_claim(c, src, url, buf_cstr(&canon), buf_cstr(&fetch), r, fields,
				       have == 1)) {
		isnew = true; /* new work for the crawl, if not for this worker */
		state_url_free(&row);
		goto out;
	}
	frontier_take(c->fr, buf_cstr(&canon));
	isnew = true;
	c->n.found++;
	struct frontier_item *it =
		frontier_item_new(ITEM_ARTICLE, url, buf_cstr(&canon), buf_cstr(&fetch), src);
	it->rule = r;
	it->fields = xstrdup(fields ? fields : have == 1 ? row.fields : NULL);
	it->referer = xstrdup(referer);
	if (have != 1 && !c->shared) {
		new_row(c, it, KIND_ARTICLE, &row);
		row.fields = xstrdup(it->fields);
		put_row(c, &row);
	}
	state_url_free(&row);
	if (c->max_items && c->queued_articles >= c->max_items) {
		/* stays queued in the store for the next run */
		frontier_item_free(it);
		goto out;
	}
	c->queued_articles++;
	submit(c, it, NULL, NULL);
out:
	buf_free(&canon);
	buf_free(&fetch);
	return isnew;
}

/* ---- discovery pages ---- */

static bool json_looks(const struct rule *r, const char *ctype, const char *s, size_t n)
{
	return (r && r->fetch_type == FETCH_JSON) || jpath_sniff(ctype, s, n);
}

static enum nm_code read_feed(struct crawl *c, struct frontier_item *it,
			      const struct multi_res *r, enum url_kind *kind, struct nm_err *e)
{
	struct feed f;
	enum nm_code rc = feed_parse(r->body, r->len, r->final_url, &f, e);
	if (rc) {
		feed_free(&f);
		return rc;
	}
	*kind = f.kind == FEED_RSS || f.kind == FEED_ATOM ? KIND_FEED : KIND_SITEMAP;
	for (size_t i = 0; i < f.n; i++) {
		const struct feed_item *fi = &f.items[i];
		if (f.kind == FEED_SITEMAPINDEX) {
			if (it->depth + 1 <= CRAWL_MAX_SITEMAP_DEPTH)
				add_discovery(c, it->source, ITEM_SITEMAP, fi->url, 1, it->depth + 1,
					      r->final_url);
			continue;
		}
		struct article a;
		article_init(&a);
		a.title = xstrdup(fi->title);
		a.date = fi->date;
		char *fj = fields_json(&a);
		add_article(c, it->source, fi->url, fj, r->final_url);
		free(fj);
		article_free(&a);
	}
	feed_free(&f);
	return NM_OK;
}

static enum nm_code read_json_list(struct crawl *c, struct frontier_item *it,
				   const struct multi_res *r, struct nm_err *e)
{
	const struct rule *rule = it->rule;
	if (!rule || !rule->discovery || !rule->discovery->items)
		return err_set(e, NM_ERULE, "JSON list page, but no rule with discovery.items for it");
	json_t *doc = jpath_parse(r->body, r->len, e);
	if (!doc)
		return e->code ? e->code : NM_EPARSE;
	json_t **vals = NULL;
	size_t n = jpath_eval(rule->discovery->items, doc, &vals);
	long fresh = 0;
	for (size_t i = 0; i < n; i++) {
		/* `data.list` names the array, `data.list[*]` its elements: take both */
		size_t m = json_is_array(vals[i]) ? json_array_size(vals[i]) : 1;
		for (size_t k = 0; k < m; k++) {
			json_t *item = json_is_array(vals[i]) ? json_array_get(vals[i], k) : vals[i];
			struct article a;
			article_init(&a);
			extract_item_fields(rule, item, &a);
			struct buf u = BUF_INIT, abs = BUF_INIT;
			struct tmpl_ctx tc = {&a, c->p->cfg.pinyin, c->p->cfg.npinyin};
			struct nm_err te;
			const char *link = rule->discovery->item_url ? NULL : article_get_field(&a, "url");
			if (rule->discovery->item_url)
				tmpl_expand(rule->discovery->item_url, &tc, &u, &te);
			else if (link)
				buf_puts(&u, link);
			if (u.len && url_resolve(r->final_url, buf_cstr(&u), &abs) == 0) {
				char *fj = fields_json(&a);
				fresh += add_article(c, it->source, buf_cstr(&abs), fj, r->final_url);
				free(fj);
			}
			buf_free(&u);
			buf_free(&abs);
			article_free(&a);
		}
	}
	free(vals);
	struct buf next = BUF_INIT;
	struct page pg;
	memset(&pg, 0, sizeof pg);
	pg.json = doc;
	if (fresh && rule->discovery->next_page && it->page < c->p->cfg.sources[it->source].max_pages &&
	    extract_next_page(rule, &pg, r->final_url, &next) == 0)
		add_discovery(c, it->source, ITEM_DISCOVERY, buf_cstr(&next), it->page + 1, 0,
			      r->final_url);
	page_release(&pg);
	buf_free(&next);
	json_decref(doc);
	return NM_OK;
}

static enum nm_code read_html_list(struct crawl *c, struct frontier_item *it,
				   const struct multi_res *r, struct nm_err *e)
{
	const struct rule *rule = it->rule;
	if (!rule || !rule->discovery || !rule->discovery->nitem_links)
		return err_set(e, NM_ERULE,
			       "list page, but no rule with discovery.item_links for it");
	/* html_parse would refuse it too; refusing here says why before decoding */
	if (html_prescan(r->body, r->len, e) != NM_OK)
		return NM_ELIMIT;
	struct buf text = BUF_INIT;
	struct html_doc *h = NULL;
	struct strv links = {NULL, 0};
	char used[64];
	enum nm_code rc = charset_decode(r->body, r->len, r->content_type, rule->charset, &text,
					 used, sizeof used, e);
	if (!rc)
		rc = html_parse(buf_cstr(&text), text.len, &h, e);
	if (!rc) {
		struct page pg;
		memset(&pg, 0, sizeof pg);
		pg.h = h;
		extract_item_links(rule, &pg, r->final_url, &links);
		long fresh = 0;
		for (size_t i = 0; i < links.n; i++)
			fresh += add_article(c, it->source, links.v[i], NULL, r->final_url);
		struct buf next = BUF_INIT;
		/* stop at the first page that brings nothing new */
		if (fresh && rule->discovery->next_page &&
		    it->page < c->p->cfg.sources[it->source].max_pages &&
		    extract_next_page(rule, &pg, r->final_url, &next) == 0)
			add_discovery(c, it->source, ITEM_DISCOVERY, buf_cstr(&next), it->page + 1, 0,
				      r->final_url);
		buf_free(&next);
		page_release(&pg);
	}
	strv_free(&links);
	html_free(h);
	buf_free(&text);
	return rc;
}

static void discovery_done(struct crawl *c, struct frontier_item *it, const struct multi_res *r)
{
	struct state_url row;
	enum url_kind kind = it->kind == ITEM_SITEMAP ? KIND_SITEMAP : KIND_LIST;
	if (state_get(c->st, it->canon, &row) != 1)
		new_row(c, it, kind, &row);
	row.attempts += r->attempts;
	row.last_checked_at = wall();
	if (r->status)
		row.http_status = r->status;
	struct nm_err e;
	err_clear(&e);
	enum nm_code rc = NM_OK;
	const char *event = "list";
	switch (r->outcome) {
	case MO_NOT_MODIFIED:
		c->n.not_modified++;
		row.status = ST_DONE;
		event = "not_modified";
		break;
	case MO_OK: {
		char hash[17];
		hash_hex(r->body, r->len, hash);
		row.last_fetched_at = wall();
		set_str(&row.etag, r->etag);
		set_str(&row.last_modified, r->last_modified);
		set_str(&row.final_url, r->final_url);
		if (row.content_hash && !strcmp(row.content_hash, hash) && row.status == ST_DONE) {
			/* the server has no validators, but nothing changed */
			c->n.not_modified++;
			event = "unchanged";
			break;
		}
		if (feed_sniff(r->body, r->len, r->content_type))
			rc = read_feed(c, it, r, &kind, &e);
		else if (json_looks(it->rule, r->content_type, r->body, r->len))
			rc = read_json_list(c, it, r, &e);
		else
			rc = read_html_list(c, it, r, &e);
		row.kind = kind;
		if (!rc) {
			set_str(&row.content_hash, hash);
			row.status = ST_DONE;
			set_str(&row.error, NULL);
		}
		break;
	}
	case MO_DEFERRED:
		c->n.deferred++;
		event = "deferred";
		set_str(&row.error, r->error);
		break;
	case MO_ROBOTS:
	case MO_TYPE:
		/* not a failure: the site said no, or it is not a page */
		c->n.skipped++;
		row.status = ST_SKIPPED;
		set_str(&row.error, r->error);
		event = "skipped";
		break;
	default:
		rc = NM_ENET;
		snprintf(e.msg, sizeof e.msg, "%s", r->error ? r->error : "failed");
		break;
	}
	if (rc) {
		c->n.failed++;
		row.status = r->outcome == MO_FAILED ? ST_FAILED : ST_GONE;
		set_str(&row.error, e.msg);
		event = "failed";
		report(c, it->url, e.msg);
	}
	put_row(c, &row);
	item_event(c, event, it, r, NULL, rc ? e.msg : NULL);
	state_url_free(&row);
}

/* ---- articles ---- */

static void post_submit(struct crawl *c, struct frontier_item *it, struct article *a,
			struct output_cfg *o, struct state_url *row, const struct multi_res *r);

/* Returns true when it was handed on (to a writer thread). */
static bool article_done(struct crawl *c, struct frontier_item *it, const struct multi_res *r)
{
	struct state_url row;
	if (state_get(c->st, it->canon, &row) != 1)
		new_row(c, it, KIND_ARTICLE, &row);
	row.attempts += r->attempts;
	row.last_checked_at = wall();
	if (r->status)
		row.http_status = r->status;
	const char *event = NULL, *why = r->error;
	char *path = NULL;
	struct nm_err e;
	err_clear(&e);
	struct buf canon = BUF_INIT;
	switch (r->outcome) {
	case MO_OK: {
		c->n.fetched++;
		char hash[17];
		hash_hex(r->body, r->len, hash);
		row.last_fetched_at = wall();
		set_str(&row.content_hash, hash);
		set_str(&row.etag, r->etag);
		set_str(&row.last_modified, r->last_modified);
		set_str(&row.final_url, r->final_url);
		if (html_prescan(r->body, r->len, &e) != NM_OK) {
			row.status = ST_GONE;
			event = "failed";
			why = e.msg;
			break;
		}
		/* a meta refresh is followed when the site's rule asks for it,
		 * and only to a page that rule (or this host) covers; the
		 * target is queued as the article, this URL is done */
		long delay = 0;
		const struct rule *rule = it->rule;
		if (rule && rule->follow_meta_refresh &&
		    canon_meta_refresh(r->body, r->len, r->final_url, &canon, &delay) == 0 &&
		    delay <= CRAWL_META_REFRESH_MAX_DELAY_S && strcmp(buf_cstr(&canon), it->canon)) {
			const char *to = buf_cstr(&canon);
			if (ruleset_match(&c->p->rules, to) == rule || same_host(to, r->final_url)) {
				add_article(c, it->source, to, it->fields, r->final_url);
				row.status = ST_DONE;
				set_str(&row.canonical, to);
				event = "meta_refresh";
				why = NULL;
			} else {
				row.status = ST_SKIPPED;
				event = "skipped";
				why = "meta refresh to a host the rule does not cover";
			}
			break;
		}
		buf_clear(&canon);
		/* one article, one post: rel=canonical naming an article of this
		 * run or one already written makes this a duplicate */
		if (canon_link_canonical(r->body, r->len, r->final_url, &canon) == 0 &&
		    strcmp(buf_cstr(&canon), it->canon)) {
			set_str(&row.canonical, buf_cstr(&canon));
			struct state_url w;
			bool dup = frontier_has(c->fr, buf_cstr(&canon));
			if (!dup && state_find_written(c->st, buf_cstr(&canon), &w) == 1) {
				dup = true;
				state_url_free(&w);
			}
			if (dup) {
				row.status = ST_DUPLICATE;
				event = "duplicate";
				why = NULL;
				c->n.duplicates++;
				break;
			}
		}
		struct article a;
		article_init(&a);
		/* the post names the canonical URL: no tracking parameters */
		a.url = xstrdup(it->canon);
		a.final_url = xstrdup(strcmp(it->fetch_url, it->url) ? it->canon : r->final_url);
		const struct source_cfg *sc = &c->p->cfg.sources[it->source];
		for (size_t i = 0; i < sc->nset; i++)
			set_field(&a, sc->set[i].key, sc->set[i].value);
		apply_fields(&a, it->fields);
		enum nm_code rc = pipeline_extract_bytes(c->p, it->rule, r->body, r->len,
							 r->content_type, &a, &e);
		if (!rc) {
			struct output_cfg o;
			pipeline_output_for(c->p, &a, &o);
			if (c->dry_run) {
				struct buf name = BUF_INIT;
				rc = post_filename(&a, &o, c->p->cfg.pinyin, c->p->cfg.npinyin, &name, &e);
				if (!rc) {
					struct buf full = BUF_INIT;
					buf_printf(&full, "%s/%s", o.dir, buf_cstr(&name));
					struct engine_event ev = {.type = ENGINE_EV_WOULD_WRITE,
								  .url = it->url,
								  .path = buf_cstr(&full)};
					emit(c, &ev);
					buf_free(&full);
					path = xstrdup(buf_cstr(&name));
				}
				buf_free(&name);
				event = "would_write";
			} else {
				/* its images are fetched by the scheduler, then the
				 * write (and its fsyncs) happens on a writer thread;
				 * the row is finished when it reports back */
				post_submit(c, it, &a, &o, &row, r);
				buf_free(&canon);
				return true;
			}
			settings_output_free(&o);
		}
		article_free(&a);
		if (rc) {
			row.status = rc == NM_EIO ? ST_FAILED : rc == NM_EFIELD ? ST_SKIPPED : ST_GONE;
			row.next_retry_at = wall() + CRAWL_RETRY_BASE_S;
			event = "failed";
			why = e.msg;
		} else {
			row.status = ST_DONE;
			set_str(&row.output_path, path);
			set_str(&row.error, NULL);
			why = NULL;
		}
		break;
	}
	case MO_NOT_MODIFIED:
		c->n.not_modified++;
		row.status = ST_DONE;
		event = "not_modified";
		why = NULL;
		break;
	case MO_DEFERRED:
		c->n.deferred++;
		event = "deferred";
		if (r->retry_after_s > 0) {
			int64_t until = wall() + r->retry_after_s;
			row.status = ST_FAILED;
			row.next_retry_at = until;
			if (row.host)
				state_set_host_backoff(c->st, row.host, until, NULL);
		}
		break;
	case MO_ROBOTS:
	case MO_TYPE:
		c->n.skipped++;
		row.status = ST_SKIPPED;
		event = "skipped";
		break;
	case MO_FAILED:
		row.failed_runs++;
		if (row.failed_runs >= STATE_MAX_FAILED_RUNS) {
			row.status = ST_GONE;
		} else {
			row.status = ST_FAILED;
			row.next_retry_at = wall() + ((int64_t)CRAWL_RETRY_BASE_S << (row.failed_runs - 1));
		}
		event = "failed";
		break;
	default: /* MO_HTTP_ERROR, MO_TOO_LARGE, MO_REFUSED: permanent */
		row.status = ST_GONE;
		event = "failed";
		break;
	}
	if (!strcmp(event, "failed")) {
		c->n.failed++;
		report(c, it->url, why ? why : "failed");
	}
	set_str(&row.error, why);
	put_row(c, &row);
	state_unclaim(c->st, it->canon); /* after the row says what happened */
	item_event(c, event, it, r, path, why);
	free(path);
	buf_free(&canon);
	state_url_free(&row);
	return false;
}

/* ---- writer threads ---- */

static void *writer_main(void *arg)
{
	struct writers *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->in && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		struct wjob *j = w->in;
		if (!j)
			break; /* stop, and nothing left */
		w->in = j->next;
		if (!w->in)
			w->in_tail = NULL;
		pthread_mutex_unlock(&w->mu);
		err_clear(&j->e);
		j->rc = pipeline_write_images(w->c->p, &j->a, &j->o, j->im, &j->path, &j->ps,
					      &j->e);
		pthread_mutex_lock(&w->mu);
		j->next = NULL;
		if (w->out_tail)
			w->out_tail->next = j;
		else
			w->out = j;
		w->out_tail = j;
		multi_wakeup(w->c->m);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static void writers_start(struct crawl *c)
{
	struct writers *w = xcalloc(1, sizeof *w);
	w->c = c;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	for (int i = 0; i < CRAWL_WRITERS; i++)
		if (pthread_create(&w->th[w->n], NULL, writer_main, w) == 0)
			w->n++;
	c->w = w;
}

/* Hands j to a writer thread (its images are all in). */
static void writer_submit(struct crawl *c, struct wjob *j)
{
	struct writers *w = c->w;
	if (!w->n) { /* no threads: write here */
		j->rc = pipeline_write_images(c->p, &j->a, &j->o, j->im, &j->path, &j->ps, &j->e);
		if (w->out_tail)
			w->out_tail->next = j;
		else
			w->out = j;
		w->out_tail = j;
		multi_hold(c->m, 1);
		return;
	}
	multi_hold(c->m, 1);
	pthread_mutex_lock(&w->mu);
	if (w->in_tail)
		w->in_tail->next = j;
	else
		w->in = j;
	w->in_tail = j;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

/* ---- images (output.images: download) ---- */

static unsigned img_hash(const char *s)
{
	unsigned h = 2166136261u;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

/* One post's image i is settled; the post goes to a writer after its last. */
static void img_settled(struct crawl *c, struct wjob *j)
{
	if (--j->waiting == 0)
		writer_submit(c, j);
}

/* Post j needs image i of its plan: from this run's copy, from the
 * request already under way, or from a new request through the scheduler
 * (robots.txt, per-host delay, Retry-After, retries, like pages). */
static void img_want(struct crawl *c, struct wjob *j, size_t i)
{
	const char *url = pipeline_images_url(j->im, i);
	if (!c->imgs)
		c->imgs = xcalloc(CRAWL_IMAGE_BUCKETS, sizeof *c->imgs);
	unsigned b = img_hash(url) % CRAWL_IMAGE_BUCKETS;
	struct img_entry *en = c->imgs[b];
	while (en && strcmp(en->url, url))
		en = en->chain;
	if (en && en->done) {
		if (en->file)
			pipeline_images_copy(c->p, j->im, i, en->file);
		else
			pipeline_images_fail(c->p, j->im, i, en->error);
		return;
	}
	bool fresh = !en;
	if (fresh) {
		en = xcalloc(1, sizeof *en);
		en->url = xstrdup(url);
		en->chain = c->imgs[b];
		c->imgs[b] = en;
	}
	struct img_wait *w = xcalloc(1, sizeof *w);
	w->j = j;
	w->i = i;
	if (en->wait_tail)
		en->wait_tail->next = w;
	else
		en->wait = w;
	en->wait_tail = w;
	j->waiting++;
	if (fresh) {
		const char *hdrs[] = {PIPELINE_IMAGE_ACCEPT, NULL};
		struct multi_req q;
		memset(&q, 0, sizeof q);
		q.url = url;
		q.referer = pipeline_images_referer(j->im); /* sites refuse other referers */
		q.headers = hdrs;
		q.max_bytes = IMAGES_MAX_BYTES;
		q.prio = 0; /* a post is waiting for it */
		q.ud = (void *)((uintptr_t)en | 1);
		/* shared state: an image on a host this worker holds keeps the
		 * host held until it is in, so no other worker's request lands
		 * within the delay (images on other hosts, CDNs, are polite per
		 * worker only) */
		struct buf h = BUF_INIT;
		struct held *hd;
		if (c->shared && url_host(url, &h) == 0 && (hd = held_find(c, buf_cstr(&h)))) {
			hd->inflight++;
			en->counted = true;
		}
		buf_free(&h);
		multi_add(c->m, &q);
	}
}

/* An image request is complete: every post waiting for it gets it. */
static void img_done(struct crawl *c, struct img_entry *en, const struct multi_res *r)
{
	en->done = true;
	struct img_wait *w = en->wait;
	en->wait = en->wait_tail = NULL;
	while (w) {
		struct img_wait *next = w->next;
		if (r->outcome == MO_OK) {
			const char *f = en->file ? pipeline_images_copy(c->p, w->j->im, w->i, en->file)
						 : pipeline_images_store(c->p, w->j->im, w->i,
									 r->content_type, r->body,
									 r->len);
			if (f && !en->file)
				en->file = xstrdup(f);
		} else {
			pipeline_images_fail(c->p, w->j->im, w->i, r->error);
		}
		img_settled(c, w->j);
		free(w);
		w = next;
	}
	if (!en->file) {
		struct buf why = BUF_INIT;
		if (r->outcome == MO_OK)
			buf_printf(&why, "not an image: Content-Type %s",
				   r->content_type ? r->content_type : "missing");
		else
			buf_puts(&why, r->error ? r->error : multi_outcome_name(r->outcome));
		free(en->error);
		en->error = buf_detach(&why);
	}
}

static void imgs_free(struct crawl *c)
{
	for (size_t b = 0; c->imgs && b < CRAWL_IMAGE_BUCKETS; b++)
		for (struct img_entry *en = c->imgs[b], *next; en; en = next) {
			next = en->chain;
			for (struct img_wait *w = en->wait, *wn; w; w = wn) {
				wn = w->next;
				free(w);
			}
			free(en->url);
			free(en->file);
			free(en->error);
			free(en);
		}
	free(c->imgs);
	c->imgs = NULL;
}

/* An extracted article becomes a post: its images are planned and
 * scheduled; the post is written when the last of them is in. */
static void post_submit(struct crawl *c, struct frontier_item *it, struct article *a,
			struct output_cfg *o, struct state_url *row, const struct multi_res *r)
{
	struct wjob *j = xcalloc(1, sizeof *j);
	j->it = it;
	j->a = *a; /* moved: the caller's copies are no longer used */
	j->o = *o;
	j->row = *row;
	j->status = r->status;
	j->attempts = r->attempts;
	j->final_url = xstrdup(r->final_url);
	j->im = pipeline_images_plan(c->p, &j->a, &j->o);
	j->waiting = 1; /* not before every image is asked for */
	size_t n = pipeline_images_count(j->im);
	for (size_t i = 0; i < n; i++)
		img_want(c, j, i);
	img_settled(c, j);
}

/* Finishes the bookkeeping of written posts (on the main thread). */
static void writers_drain(void *ctx)
{
	struct crawl *c = ctx;
	struct writers *w = c->w;
	pthread_mutex_lock(&w->mu);
	struct wjob *j = w->out;
	w->out = w->out_tail = NULL;
	pthread_mutex_unlock(&w->mu);
	while (j) {
		struct wjob *next = j->next;
		struct multi_res r;
		memset(&r, 0, sizeof r);
		r.outcome = MO_OK;
		r.status = j->status;
		r.attempts = j->attempts;
		r.final_url = j->final_url;
		const char *event, *why = NULL;
		if (!j->rc) {
			event = j->ps == POST_UNCHANGED ? "unchanged" : "written";
			if (j->ps == POST_UNCHANGED)
				c->n.unchanged++;
			else
				c->n.written++;
			j->row.status = ST_DONE;
			set_str(&j->row.output_path, j->path);
		} else {
			event = "failed";
			why = j->e.msg;
			j->row.status = j->rc == NM_EIO ? ST_FAILED : ST_GONE;
			j->row.next_retry_at = wall() + CRAWL_RETRY_BASE_S;
			c->n.failed++;
			report(c, j->it->url, why);
		}
		set_str(&j->row.error, why);
		put_row(c, &j->row);
		state_unclaim(c->st, j->it->canon);
		item_event(c, event, j->it, &r, j->path, why);
		state_url_free(&j->row);
		article_free(&j->a);
		settings_output_free(&j->o);
		frontier_item_free(j->it);
		pipeline_images_free(j->im);
		free(j->final_url);
		free(j->path);
		free(j);
		multi_hold(c->m, -1);
		j = next;
	}
	maybe_commit(c, false);
	tick(c, false);
	if (c->shared && !w->stop && !c->broken &&
	    multi_now_ms() - c->last_rescan >= CRAWL_SHARED_RESCAN_MS)
		rescan(c);
}

/* Lets the writers finish what they have, stops them, books the results. */
static void writers_stop(struct crawl *c)
{
	struct writers *w = c->w;
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (int i = 0; i < w->n; i++)
		pthread_join(w->th[i], NULL);
	writers_drain(c);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
	c->w = NULL;
}

/* ---- fetcher callbacks ---- */

static void on_done(void *ctx, const struct multi_res *r)
{
	struct crawl *c = ctx;
	if ((uintptr_t)r->ud & 1) {
		struct img_entry *en = (struct img_entry *)((uintptr_t)r->ud & ~(uintptr_t)1);
		if (en->counted) {
			en->counted = false;
			host_done(c, en->url);
		}
		img_done(c, en, r);
		tick(c, false);
		return;
	}
	struct frontier_item *it = r->ud;
	bool taken = false;
	if (c->broken)
		; /* the shared state is gone: nothing can be booked */
	else if (it->kind == ITEM_ARTICLE)
		taken = article_done(c, it, r);
	else
		discovery_done(c, it, r);
	host_done(c, it->fetch_url);
	if (!taken)
		frontier_item_free(it);
	maybe_commit(c, false);
	tick(c, false);
}

static void on_robots(void *ctx, const char *origin, const struct robots *rb)
{
	struct crawl *c = ctx;
	struct buf u = BUF_INIT, canon = BUF_INIT;
	buf_printf(&u, "%s/robots.txt", origin);
	if (canon_url(buf_cstr(&u), &canon) == 0) {
		for (size_t i = 0; i < c->nrobots_want; i++) {
			if (strcmp(c->robots_want[i], buf_cstr(&canon)))
				continue;
			for (const char *const *s = robots_sitemaps(rb); *s; s++) {
				struct buf abs = BUF_INIT;
				if (url_resolve(buf_cstr(&canon), *s, &abs) == 0)
					add_discovery(c, c->robots_want_src[i], ITEM_SITEMAP,
						      buf_cstr(&abs), 1, 1, buf_cstr(&canon));
				buf_free(&abs);
			}
		}
	}
	struct buf h = BUF_INIT;
	struct held *hd;
	bool wanted = false;
	if (c->shared && url_host(origin, &h) == 0 && (hd = held_find(c, buf_cstr(&h)))) {
		if (robots_crawl_delay_ms(rb) > hd->delay_ms)
			hd->delay_ms = robots_crawl_delay_ms(rb); /* the next holder keeps it too */
		wanted = hd->want_robots;
		hd->want_robots = false;
	}
	buf_free(&h);
	if (wanted) /* after its sitemaps were queued, which keep the host if on it */
		host_done(c, origin);
	if (robots_delay_capped(rb)) {
		char msg[96];
		snprintf(msg, sizeof msg, "Crawl-delay capped at %ld ms", ROBOTS_MAX_DELAY_MS);
		struct engine_event ev = {.type = ENGINE_EV_NOTICE, .url = buf_cstr(&u), .error = msg};
		emit(c, &ev);
	}
	buf_free(&u);
	buf_free(&canon);
}

struct due_ctx {
	struct crawl *c;
	size_t src;
};

static int due_cb(void *ud, const struct state_url *u)
{
	struct due_ctx *d = ud;
	/* the row's URL is canonical: it fetches the same thing */
	add_article(d->c, d->src, u->url, u->fields, NULL);
	return 0;
}

/* Shared state: the robots.txt cache of net/multi, in the state. */
static char *robots_cached(void *ctx, const char *origin, long *status)
{
	struct crawl *c = ctx;
	char *body = NULL;
	int64_t at = 0;
	if (c->broken || state_robots_get(c->st, origin, &body, status, &at) != 1)
		return NULL;
	if (wall() - at > CRAWL_ROBOTS_TTL_S) {
		free(body);
		return NULL;
	}
	return body ? body : xstrdup("");
}

static void robots_store(void *ctx, const char *origin, long status, const char *body)
{
	struct crawl *c = ctx;
	if (!c->broken)
		state_robots_put(c->st, origin, body, status, wall(), NULL);
}

/* Shared state: the discovery pages left for a busy host, and every due
 * row (other workers' finds, a dead worker's leftovers), once more. */
static void rescan(struct crawl *c)
{
	c->last_rescan = multi_now_ms();
	c->waiting = 0;
	strv_free(&c->busy);
	struct strv again = c->pending;
	memset(&c->pending, 0, sizeof c->pending);
	for (size_t i = 0; i < again.n && !c->broken; i++) {
		size_t src;
		int kind, page, depth, off = 0;
		if (sscanf(again.v[i], "%zu\t%d\t%d\t%d\t%n", &src, &kind, &page, &depth, &off) !=
			    4 ||
		    off <= 0 || src >= c->p->cfg.nsources)
			continue;
		if (kind == CRAWL_PENDING_ROBOTS)
			want_robots(c, src, again.v[i] + off);
		else
			add_discovery(c, src, (enum item_kind)kind, again.v[i] + off, page, depth, NULL);
	}
	strv_free(&again);
	size_t n = c->p->cfg.nsources;
	for (size_t k = 0; k < n && !c->broken; k++) {
		size_t i = (c->src_off + k) % n;
		if (!c->selected[i])
			continue;
		struct due_ctx d = {c, i};
		struct nm_err e;
		if (state_due(c->st, c->p->cfg.sources[i].name, wall(), due_cb, &d, &e) != NM_OK)
			shared_broken(c);
	}
}

/* ---- the run ---- */

/* Selects the sources o->only names (all when none); NM_ECONFIG naming
 * the first unknown name. */
static enum nm_code select_sources(struct crawl *c, const struct engine_opts *o,
				   struct nm_err *e)
{
	const struct config *cfg = &c->p->cfg;
	c->selected = xcalloc(cfg->nsources, sizeof *c->selected);
	for (size_t i = 0; i < cfg->nsources; i++)
		c->selected[i] = !o->only || !o->only[0];
	for (const char *const *name = o->only; name && *name; name++) {
		bool found = false;
		for (size_t i = 0; i < cfg->nsources; i++)
			if (!strcmp(cfg->sources[i].name, *name))
				found = c->selected[i] = true;
		if (!found)
			return err_set(e, NM_ECONFIG, "no source named '%s' in %s", *name,
					cfg->path ? cfg->path : "the config");
	}
	for (size_t i = 0; i < cfg->nsources; i++) {
		const struct source_cfg *s = &cfg->sources[i];
		if (s->rule && !ruleset_find(&c->p->rules, s->rule))
			return err_set(e, NM_ECONFIG, "%s: source '%s': no rule named '%s'",
					cfg->path ? cfg->path : "newsmd.yml", s->name, s->rule);
	}
	return NM_OK;
}

/* The hosts the operator named (--connect-to, the selected sources' start
 * URLs) may live on private addresses.  Caller frees the array and tv. */
static const char **trusted_hosts(struct crawl *c, struct strv *tv)
{
	for (const char *const *ct = c->p->connect_to; ct && *ct; ct++) {
		const char *colon = strchr(*ct, ':');
		if (colon && colon > *ct) {
			char *h = xstrndup(*ct, (size_t)(colon - *ct));
			strv_push(tv, h);
			free(h);
		}
	}
	for (size_t i = 0; i < c->p->cfg.nsources; i++)
		for (char **s = c->p->cfg.sources[i].start; s && *s; s++) {
			struct buf h = BUF_INIT;
			if (c->selected[i] && url_host(*s, &h) == 0)
				strv_push(tv, buf_cstr(&h));
			buf_free(&h);
		}
	const char **trusted = xcalloc(tv->n + 1, sizeof *trusted);
	for (size_t i = 0; i < tv->n; i++)
		trusted[i] = tv->v[i];
	return trusted;
}

static enum nm_code start_fetcher(struct crawl *c, struct nm_err *e)
{
	const struct crawl_cfg *cc = &c->p->cfg.crawl;
	struct strv tv = {NULL, 0};
	const char **trusted = trusted_hosts(c, &tv);
	struct multi_cfg mc;
	memset(&mc, 0, sizeof mc);
	mc.user_agent = cc->user_agent;
	mc.concurrency = cc->concurrency;
	mc.per_host = cc->per_host_concurrency;
	mc.delay_ms = cc->delay_ms;
	mc.timeout_s = cc->timeout_s;
	mc.connect_timeout_s = cc->timeout_s < 10 ? cc->timeout_s : 10;
	mc.low_speed_bytes = CRAWL_LOW_SPEED_BYTES;
	mc.low_speed_s = cc->timeout_s / 2 < 1 ? 1 : cc->timeout_s / 2 > 30 ? 30 : cc->timeout_s / 2;
	mc.retries = cc->retries;
	/* back-off starts at the politeness delay: 1 s by default */
	mc.backoff_ms = cc->delay_ms > 100 ? cc->delay_ms : 100;
	mc.max_bytes = (size_t)cc->max_bytes;
	mc.robots = cc->robots;
	mc.connect_to = c->p->connect_to;
	mc.trusted_hosts = trusted;
	enum nm_code rc = multi_new(&mc, &c->m, e);
	free(trusted);
	strv_free(&tv);
	return rc;
}

/* Queues every selected source's start URLs, and the articles earlier
 * runs left queued or due for a retry. */
static void seed(struct crawl *c, struct nm_err *e)
{
	size_t n = c->p->cfg.nsources;
	for (size_t k = 0; k < n; k++) {
		size_t i = (c->src_off + k) % n;
		if (!c->selected[i])
			continue;
		for (char **s = c->p->cfg.sources[i].start; s && *s; s++) {
			struct buf canon = BUF_INIT;
			size_t cl;
			if (canon_url(*s, &canon) == 0 && (cl = canon.len) >= 11 &&
			    !strcmp(buf_cstr(&canon) + cl - 11, "/robots.txt")) {
				/* "the sitemaps this robots.txt lists" */
				c->robots_want = xrealloc(c->robots_want, (c->nrobots_want + 1) *
									  sizeof *c->robots_want);
				c->robots_want_src = xrealloc(c->robots_want_src,
							      (c->nrobots_want + 1) *
								      sizeof *c->robots_want_src);
				c->robots_want[c->nrobots_want] = buf_detach(&canon);
				c->robots_want_src[c->nrobots_want++] = i;
				want_robots(c, i, *s);
			} else {
				add_discovery(c, i, ITEM_DISCOVERY, *s, 1, 0, NULL);
			}
			buf_free(&canon);
		}
		struct due_ctx d = {c, i};
		state_due(c->st, c->p->cfg.sources[i].name, wall(), due_cb, &d, e);
	}
}

/* The summary as compact JSON (caller frees), for the state's run row and
 * the caller's log. */
static char *summary_json(struct crawl *c, int exit_status)
{
	const struct engine_counts *n = &c->n;
	json_t *stats = json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:i}",
				  "event", "summary", "found", (json_int_t)n->found, "fetched",
				  (json_int_t)n->fetched, "written", (json_int_t)n->written,
				  "unchanged", (json_int_t)n->unchanged, "not_modified",
				  (json_int_t)n->not_modified, "duplicate", (json_int_t)n->duplicates,
				  "skipped", (json_int_t)n->skipped, "deferred", (json_int_t)n->deferred,
				  "failed", (json_int_t)n->failed, "requests", (json_int_t)n->requests,
				  "bytes", (json_int_t)n->bytes, "seconds", n->seconds, "exit",
				  exit_status);
	char *sj = stats ? json_dumps(stats, JSON_COMPACT) : NULL;
	json_decref(stats);
	return sj;
}

enum nm_code engine_run(struct pipeline *p, const struct engine_opts *o, engine_event_fn fn,
			void *ctx, struct engine_counts *out, struct nm_err *e)
{
	struct crawl *c = xcalloc(1, sizeof *c);
	enum nm_code rc = NM_OK;
	void (*warn)(void *, const char *, const char *) = p->warn;
	void *warn_ctx = p->warn_ctx;
	c->p = p;
	c->fn = fn;
	c->ctx = ctx;
	c->dry_run = o->dry_run;
	c->max_items = o->max_items;
	c->shard_i = o->shard_i;
	c->shard_n = o->shard_n;
	c->p->warn = on_warning;
	c->p->warn_ctx = c;
	if (!c->p->cfg.nsources) {
		rc = err_set(e, NM_ECONFIG, "%s: no sources: to crawl (SPEC §3)",
			      c->p->cfg.path ? c->p->cfg.path : "newsmd.yml");
		goto out;
	}
	if ((rc = select_sources(c, o, e)))
		goto out;
	if ((rc = state_open(c->p->cfg.state, o->dry_run, &c->st, e)))
		goto out;
	c->shared = state_shared(c->st) && !o->dry_run;
	if (c->shared) /* workers started together begin with different sources */
		c->src_off = (size_t)getpid() % c->p->cfg.nsources;
	c->fr = frontier_new();
	if ((rc = start_fetcher(c, e)))
		goto out;
	if (c->shared)
		multi_set_robots_cache(c->m, robots_cached, robots_store, c);
	c->t0 = c->last_commit = c->last_tick = multi_now_ms();
	writers_start(c);
	multi_set_tick(c->m, writers_drain);
	int64_t run = state_run_begin(c->st, wall());
	c->robots_want = xcalloc(1, sizeof *c->robots_want);
	c->robots_want_src = xcalloc(1, sizeof *c->robots_want_src);
	seed(c, e);
	err_clear(e);
	int64_t deadline = o->max_runtime_s ? c->t0 + o->max_runtime_s * 1000 : 0;
	multi_run(c->m, deadline, on_done, on_robots, c);
	/* shared state: before leaving, take what is left (a dead worker's
	 * rows, hosts given back meanwhile); wait while other workers hold
	 * hosts that still have unleased work */
	for (int64_t waited = 0; c->shared && !c->broken;) {
		if (deadline && multi_now_ms() >= deadline)
			break;
		long before = c->n.pages + c->queued_articles;
		rescan(c);
		if (c->n.pages + c->queued_articles > before) {
			multi_run(c->m, deadline, on_done, on_robots, c);
			waited = 0;
			continue;
		}
		if (!c->waiting || waited >= CRAWL_SHARED_WAIT_MAX_MS)
			break;
		usleep(CRAWL_SHARED_WAIT_MS * 1000);
		waited += CRAWL_SHARED_WAIT_MS;
	}
	writers_stop(c);
	maybe_commit(c, true);

	const struct multi_stats *ms = multi_get_stats(c->m);
	c->n.requests = ms->requests;
	c->n.bytes = ms->bytes;
	c->n.seconds = (double)(multi_now_ms() - c->t0) / 1000.0;
	char *sj = summary_json(c, c->n.failed ? 1 : 0);
	struct engine_event ev = {.type = ENGINE_EV_SUMMARY, .json = sj};
	emit(c, &ev);
	state_run_end(c->st, run, wall(), c->n.failed ? 1 : 0, sj);
	free(sj);
	if (c->broken || shared_broken(c)) {
		/* the run cannot vouch for its bookkeeping: say so, exit non-zero */
		*e = c->broken_err;
		rc = NM_EIO;
	}
out:
	writers_stop(c);
	multi_free(c->m);
	imgs_free(c);
	frontier_free(c->fr);
	state_close(c->st);
	for (size_t i = 0; i < c->nrobots_want; i++)
		free(c->robots_want[i]);
	free(c->robots_want);
	free(c->robots_want_src);
	free(c->selected);
	for (size_t i = 0; i < c->nheld; i++) {
		free(c->held[i].host);
		free(c->held[i].url);
	}
	free(c->held);
	strv_free(&c->pending);
	strv_free(&c->busy);
	if (out)
		*out = c->n;
	p->warn = warn;
	p->warn_ctx = warn_ctx;
	free(c);
	return rc;
}
