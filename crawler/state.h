/*
 * state.h - what the crawler remembers between runs: every URL it has
 * seen (status, attempts, when to retry, validators for conditional GET,
 * content hash, the post written from it), per-host back-off, and a log
 * of runs; plus the lock that keeps two cron runs from overlapping.
 *
 * The interface speaks in records, not SQL, and has two backends chosen
 * by the path given to state_open():
 *  - a file path: one SQLite file in WAL mode (readers never block the
 *    writer; synchronous=NORMAL never corrupts) next to a lock file
 *    "<path>.lock" held with flock() for the life of the handle; its
 *    folder is created (mode 0700) when missing.  One crawl at a time.
 *  - a URI "postgresql://..." or "postgres://..." (libpq syntax): one
 *    PostgreSQL database shared by any number of workers on any number of
 *    machines (crawler/state_pg.c).  No run lock: workers share the work
 *    through leases (state_claim) and host locks (state_host_acquire),
 *    both held by the worker's database session, so a worker that dies
 *    (even kill -9) loses them the moment its connection goes.
 * Both run versioned migrations on open (table schema_version).
 *
 * Crash safety: a post file is written (temp + rename) before its URL row
 * says "done", so after a crash the row still says "queued" and the next
 * run redoes the item; the post's name and bytes come out the same, so
 * nothing is duplicated (post_write leaves identical files alone).
 */
#ifndef NM_STATE_H
#define NM_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"

/* A URL that failed in this many runs is given up (kept as failed for
 * good, so it is not rediscovered as new). */
#define STATE_MAX_FAILED_RUNS 5

enum url_kind { KIND_ARTICLE, KIND_LIST, KIND_FEED, KIND_SITEMAP };

enum url_status {
	ST_QUEUED,  /* discovered, not fetched yet (or a run died on it) */
	ST_DONE,    /* fetched and handled (post written, or page read) */
	ST_FAILED,  /* transient failure: retried at next_retry_at */
	ST_GONE,    /* permanent failure: 4xx, too large, refused, given up */
	ST_SKIPPED, /* robots.txt, content type, required field missing */
	ST_DUPLICATE, /* rel=canonical names an article already written */
};

/* One URL row.  Strings are owned by the record (state_url_free); NULL =
 * unknown.  Times are UTC seconds, 0 = never. */
struct state_url {
	char *url;          /* canonical URL: the key */
	char *source;       /* source name from the config */
	char *host;
	enum url_kind kind;
	enum url_status status;
	long http_status;
	long attempts;      /* requests made, all runs */
	long failed_runs;   /* runs that ended in ST_FAILED */
	int64_t next_retry_at;
	int64_t discovered_at, last_fetched_at, last_checked_at;
	char *etag, *last_modified;
	char *final_url;
	char *content_hash; /* hex hash of the decoded body */
	char *canonical;    /* <link rel=canonical>, canonicalised */
	char *output_path;  /* the post written from it */
	char *fields;       /* JSON object of pre-filled fields (list items) */
	char *error;        /* last error message */
};

struct state;

/* The schema version this build writes (both backends); a store with a
 * newer one is refused rather than misread. */
#define STATE_SCHEMA_VERSION 2

/* True for a PostgreSQL URI (the PostgreSQL backend), false for a path. */
bool state_is_uri(const char *path);

/* Opens (creating if needed) the store at path and takes the run lock.
 * NM_ELOCKED at once when another process holds it; NM_EIO when the file
 * or its folder is unusable.  readonly (for --dry-run): no lock, and
 * writes are dropped (reads see the file as it was; a missing file reads
 * as empty). */
enum nm_code state_open(const char *path, bool readonly, struct state **out,
			struct nm_err *e);
/* Commits what is pending, releases the lock.  NULL is fine. */
void state_close(struct state *st);

/* Looks url up: 1 and *out filled (caller frees with state_url_free) when
 * present, 0 when not, -1 on a store error. */
int state_get(struct state *st, const char *url, struct state_url *out);
/* Inserts or replaces the row of u->url. */
enum nm_code state_put(struct state *st, const struct state_url *u, struct nm_err *e);
/* The article row whose URL or rel=canonical is canon and that has a
 * post, as state_get (for "one article, one post" across URLs). */
int state_find_written(struct state *st, const char *canon, struct state_url *out);

/* Writes are grouped into transactions: state_commit() makes everything
 * so far durable (the crawl loop calls it every few hundred ms and at
 * the end).  state_put outside an explicit batch opens one. */
enum nm_code state_commit(struct state *st, struct nm_err *e);

/* Calls fn for every article row of source that is due now: queued rows
 * (new, or left by a crashed run) and failed rows whose next_retry_at has
 * come.  fn returns non-zero to stop.  Rows are read before fn is called,
 * so fn may state_put. */
typedef int (*state_each_fn)(void *ud, const struct state_url *u);
enum nm_code state_due(struct state *st, const char *source, int64_t now, state_each_fn fn,
		       void *ud, struct nm_err *e);

/* Per-host back-off that outlives the run (a Retry-After longer than a
 * run may wait): 0 = none. */
int64_t state_host_backoff(struct state *st, const char *host);
enum nm_code state_set_host_backoff(struct state *st, const char *host, int64_t until,
				    struct nm_err *e);

/* Inserts u unless a row for u->url exists (then leaves that row alone:
 * another worker may have moved it on since it was read).  1 inserted,
 * 0 present, -1 store error (e set). */
int state_add(struct state *st, const struct state_url *u, struct nm_err *e);

/* Opens an explicit batch: everything until state_commit() is one
 * transaction (state migrate copies a whole store all-or-nothing).  The
 * PostgreSQL backend otherwise commits every write on its own, so that
 * workers see each other's rows at once and never deadlock on a batch. */
enum nm_code state_begin(struct state *st, struct nm_err *e);

/* ---- sharing the crawl between workers (PostgreSQL; trivial on SQLite,
 * whose run lock already makes the one run the only worker) ---- */

/* True when other workers may be using the store at the same time. */
bool state_shared(const struct state *st);
/* Takes host for this worker: 1 taken (or already ours), 0 another live
 * worker has it, -1 store error.  *free_at_ms (wall-clock ms, 0 = none)
 * is the earliest time the last holder allowed the next request; -1 when
 * the last holder died holding it (its last request time is unknown). */
int state_host_acquire(struct state *st, const char *host, int64_t *free_at_ms);
/* Gives host back, recording when the next request may start. */
void state_host_release(struct state *st, const char *host, int64_t free_at_ms);
/* Leases the article row of url to this worker if it is still due
 * (queued, or failed with next_retry_at <= now) and no live worker
 * holds it: 1 leased, 0 not (done meanwhile, or another worker's), -1
 * store error.  The lease ends with state_unclaim or with the session. */
int state_claim(struct state *st, const char *url, int64_t now);
void state_unclaim(struct state *st, const char *url);
/* The robots.txt cached for origin ("http://host:port"): 1 and *body
 * (caller frees) / *status / *fetched_at filled, 0 none, -1 error. */
int state_robots_get(struct state *st, const char *origin, char **body, long *status,
		     int64_t *fetched_at);
enum nm_code state_robots_put(struct state *st, const char *origin, const char *body,
			      long status, int64_t fetched_at, struct nm_err *e);
/* After a store error that ends the session (the database went away):
 * true, and the error in e.  The crawl stops instead of working blind. */
bool state_broken(const struct state *st, struct nm_err *e);

/* Every URL row (any kind and status), then every host back-off: for
 * `newsmd state migrate`.  fn returns non-zero to stop. */
enum nm_code state_each(struct state *st, state_each_fn fn, void *ud, struct nm_err *e);
typedef int (*state_host_fn)(void *ud, const char *host, int64_t backoff_until);
enum nm_code state_each_host(struct state *st, state_host_fn fn, void *ud, struct nm_err *e);
/* The schema version recorded in the store (0 = none yet). */
int state_schema_version(struct state *st);

/* The runs log. */
int64_t state_run_begin(struct state *st, int64_t now);
void state_run_end(struct state *st, int64_t run, int64_t now, int exit_code,
		   const char *stats_json);

void state_url_free(struct state_url *u);
const char *state_status_name(enum url_status s);
const char *state_kind_name(enum url_kind k);

#endif
