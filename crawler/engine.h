/*
 * engine.h - the crawl: sources -> discovery -> scheduling -> extraction
 * -> writing -> state.  `newsmd crawl` is this engine plus argument
 * parsing and printing (cli/cmd_crawl.c).
 *
 * engine_run reads every selected source's start URLs (HTML list pages
 * with pagination, JSON list APIs, RSS/Atom feeds, sitemaps and sitemap
 * indexes, the sitemaps a robots.txt names), finds the articles not handled
 * yet or due again, fetches them politely through net/multi, extracts and
 * writes their posts through crawler/pipeline (on writer threads), and
 * records everything in crawler/state.  It never prints: everything a user
 * may want to see arrives as an event.
 */
#ifndef NM_ENGINE_H
#define NM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "common/err.h"
#include "crawler/pipeline.h"

struct engine_opts {
	const char *const *only;       /* source names to crawl, NULL-terminated; NULL = all */
	bool dry_run;                  /* extract but write no post and no state */
	long max_items;                /* articles fetched this run at most; 0 = no limit */
	long max_runtime_s;            /* stop starting work after this; 0 = no limit */
	unsigned long long shard_i, shard_n; /* only hosts whose hash % n == i; n <= 1 = all */
};

/* What happened during a run.  The counts are the run's figures so far. */
struct engine_counts {
	long found, fetched, written, unchanged, not_modified, failed, skipped, deferred,
		duplicates, pages;
	long requests;   /* transfers started, incl. robots.txt and retries */
	long long bytes; /* decoded body bytes received */
	double seconds;  /* since the run started */
};

enum engine_ev {
	ENGINE_EV_ITEM,        /* an item is finished (name: "written", "failed", "list" ...) */
	ENGINE_EV_ERROR,       /* a one-line problem for the user: url + error */
	ENGINE_EV_WARNING,     /* a pipeline warning (an image not stored ...), any thread */
	ENGINE_EV_NOTICE,      /* a one-line note (e.g. a Crawl-delay capped): url + error */
	ENGINE_EV_WOULD_WRITE, /* --dry-run: path would be written for url */
	ENGINE_EV_TICK,        /* the counts changed (for a progress display) */
	ENGINE_EV_SUMMARY,     /* the run is over: json is the summary object */
};

/* Everything is borrowed for the duration of the callback; NULL/0 when
 * not known. */
struct engine_event {
	enum engine_ev type;
	const char *name;      /* ITEM: the outcome ("written", "unchanged", "failed" ...) */
	const char *url;
	const char *source;    /* the source's name */
	const char *kind;      /* "article", "list" or "sitemap" */
	const char *outcome;   /* the fetch's outcome (net/multi names) */
	long status, attempts;
	const char *final_url; /* set when it differs from the URL fetched */
	const char *path;      /* the post written (or that would be) */
	const char *error;
	const char *json;      /* SUMMARY: the summary as compact JSON */
	int64_t ts;            /* wall clock, UTC seconds */
	const struct engine_counts *counts;
};

/* Called from the engine's thread, except ENGINE_EV_WARNING, which comes
 * from whichever writer thread hit it (the callee must be thread-safe for
 * those). */
typedef void (*engine_event_fn)(void *ctx, const struct engine_event *ev);

/* Runs one crawl with p (opened by pipeline_open; p->connect_to may be set).
 * *out receives the final counts.  Returns NM_OK when the run finished
 * (counts.failed tells whether some items failed); NM_ECONFIG for an
 * unknown --source name, a source naming no rule or no sources at all;
 * NM_ELOCKED when another crawl holds the state's lock; NM_EIO and others
 * when the state cannot be opened; NM_ENET when the fetcher cannot start.
 * e names the file or URL.  The engine takes over p->warn while it runs. */
enum nm_code engine_run(struct pipeline *p, const struct engine_opts *o, engine_event_fn fn,
			void *ctx, struct engine_counts *out, struct nm_err *e);

#endif
