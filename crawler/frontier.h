/*
 * frontier.h - what one crawl run has to do: the work items (discovery
 * pages, feeds, sitemaps, articles) with what the crawl loop needs to know
 * about each, and the set of canonical URLs already taken this run, so no
 * URL is fetched twice in a run (pagination cycles, the same article in a
 * feed and on a list page, a sitemap index naming itself).
 *
 * What was seen in earlier runs is the state store's business (state.h);
 * politeness and retries are the fetcher's (multi.h).
 */
#ifndef NM_FRONTIER_H
#define NM_FRONTIER_H

#include <stdbool.h>
#include <stddef.h>

/* URLs remembered per run: a run that discovers more is not a news
 * crawl; beyond it frontier_take refuses (and the caller says so). */
#define FRONTIER_MAX_URLS 1000000

enum item_kind {
	ITEM_DISCOVERY, /* a start URL or list page: HTML, JSON list, feed or sitemap */
	ITEM_SITEMAP,   /* a sitemap named by an index or by robots.txt */
	ITEM_ARTICLE,
};

/* One unit of work.  Strings are owned by the item. */
struct frontier_item {
	enum item_kind kind;
	char *url;        /* the URL the item is known by (resolved, not canonical) */
	char *canon;      /* its canonical form: the key everywhere */
	char *fetch_url;  /* what is requested (after a rule's rewrite_url) */
	char *referer;    /* the page it was found on, or NULL */
	size_t source;    /* index of its source in the config */
	const void *rule; /* the rule that applies (borrowed), or NULL */
	int page;         /* list pages: 1 for the start URL */
	int depth;        /* sitemaps: index nesting */
	char *fields;     /* JSON object of pre-filled fields, or NULL */
};

struct frontier;

struct frontier *frontier_new(void);
void frontier_free(struct frontier *f);

/* Marks canon as taken for this run: true the first time, false when it
 * was taken before (or the set is full). */
bool frontier_take(struct frontier *f, const char *canon);
/* True when canon was taken this run. */
bool frontier_has(const struct frontier *f, const char *canon);
/* URLs taken so far. */
size_t frontier_count(const struct frontier *f);

/* A new item (strings copied; fields may be NULL); free with
 * frontier_item_free. */
struct frontier_item *frontier_item_new(enum item_kind kind, const char *url, const char *canon,
					const char *fetch_url, size_t source);
void frontier_item_free(struct frontier_item *it);

#endif
