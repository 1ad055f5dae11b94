/*
 * pipeline.h - one input (URL or saved file) to an article, and an article
 * to a post: the composition of crawler/ (fetch, charset), rules/,
 * extractor/ and output/ that `extract`, `convert` and `crawl` share.
 */
#ifndef NM_PIPELINE_H
#define NM_PIPELINE_H

#include <stdbool.h>

#include "common/err.h"
#include "net/fetch.h"
#include "extractor/extract.h"
#include "extractor/article.h"
#include "output/post.h"
#include "rules/config.h"
#include "rules/rules.h"

/* Saved pages larger than this are refused (the crawler's max_bytes
 * default). */
#define PIPELINE_MAX_FILE (64 * 1024 * 1024)

struct pipeline {
	struct config cfg;
	struct ruleset rules;
	struct fetch_opts fetch;
	const char *const *connect_to; /* NULL-terminated, borrowed */
	int64_t now;                   /* the crawl clock; 0 = time(NULL) */
	const struct extract_trace *trace; /* per-step trace, or NULL */
	/* Called for every warning (an image not stored, ...), from whichever
	 * thread wrote the post; NULL = warnings are dropped.  The library never
	 * prints: cli/ sets this to print (and crawl also logs). */
	void (*warn)(void *ctx, const char *url, const char *msg);
	void *warn_ctx;
	/* A rule's `pages:` links are fetched (blocking, fetch.h) and joined:
	 * pipeline_extract sets this while it reads a URL input; crawl does not. */
	bool follow_pages;
	/* Fetch through one client kept until pipeline_close (robots.txt once
	 * per host, the per-host delay held between inputs).  Only for a
	 * pipeline used by one thread (convert, extract); false = a client
	 * per call. */
	bool reuse_fetch;
	struct fetch_session *fs; /* the kept client, or NULL */
};

/* Loads the config (config_path NULL = ./newsmd.yml if present) and the
 * rules (rules_dir overrides the config's).  Errors: NM_ECONFIG / NM_ERULE
 * with file:line:col. */
enum nm_code pipeline_open(struct pipeline *p, const char *config_path,
			   const char *rules_dir, struct nm_err *e);
void pipeline_close(struct pipeline *p);
/* Sets p->fetch from the config's crawl: section (user agent, timeout,
 * body cap, robots.txt, per-host delay, retries): a URL given to convert,
 * extract or rules suggest is fetched under the crawl's policy. */
void pipeline_fetch_opts(struct pipeline *p);

/* Reads input (an http(s) URL, a file path, or "-") and extracts its
 * article into a (which the caller article_init'ed).  url: the URL to know
 * the input by (--url), or NULL.  All body forms are rendered, so the
 * article is complete on return and holds no pointer into the page. */
enum nm_code pipeline_extract(struct pipeline *p, const char *input, const char *url,
			      struct article *a, struct nm_err *e);

/* Reads INPUT's bytes into bytes: an http(s) URL is fetched (through r's
 * fetch.rewrite_url when r is given; *ctype gets the Content-Type, caller
 * frees), anything else is read as a file (bounded by PIPELINE_MAX_FILE). */
enum nm_code pipeline_read(struct pipeline *p, const struct rule *r, const char *input,
			   struct buf *bytes, char **ctype, struct nm_err *e);

/* Extracts an article from bytes already fetched (the crawler's path):
 * ctype is the HTTP Content-Type or NULL; a->url (the URL the article is
 * known by) must be set, a->final_url may be; fields already in a (from a
 * list item or the source's `set:`) are kept unless the page has them.
 * r: the rule to use, or NULL to match by URL. */
enum nm_code pipeline_extract_bytes(struct pipeline *p, const struct rule *r,
				    const char *bytes, size_t n, const char *ctype,
				    struct article *a, struct nm_err *e);

/* Renders a's post with output settings o and writes it into o->dir
 * (or prints it to stdout when o->dir is "-").  *path receives the
 * written file's path (caller frees), *status what happened.
 * With o->images == IMAGES_DOWNLOAD (and a file, not stdout; a markdown or
 * html body, not raw) the body's images are first stored under
 * o->images_dir (relative to the config's folder) and linked by
 * o->images_url, see output/images.h: fetched with the blocking client
 * (fetch_all: the crawl's policy and politeness) with the article's page as
 * Referer, at most IMAGES_MAX_BYTES and IMAGES_MAX_PER_POST, kept only when
 * the bytes are an image, skipped when an earlier run stored them.  An
 * image that cannot be stored keeps its URL and is handed to p->warn; it
 * never fails the post. */
enum nm_code pipeline_write(struct pipeline *p, const struct article *a,
			    const struct output_cfg *o, char **path,
			    enum post_status *status, struct nm_err *e);

/* ---- output.images: download, step by step ----
 * pipeline_write does all of it with the blocking client (convert).  The
 * crawl splits it: it plans a post's images on its own thread, schedules
 * the fetches through its net/multi like pages (robots.txt, per-host delay,
 * Retry-After, retries; each URL once per run), stores each result as it
 * arrives, and writes the post when the last one is in. */

/* What a browser sends when it loads an <img>: some CDNs pick the format
 * (or refuse) by it.  A header line for fetch_opts.accept / multi_req. */
#define PIPELINE_IMAGE_ACCEPT "Accept: image/avif,image/webp,image/apng,image/*,*/*;q=0.8"

struct pipeline_images;

/* The images a's post (written with o) needs: its body's http(s) image
 * URLs, each once (fragments dropped), those an earlier run stored linked
 * at once, at most IMAGES_MAX_PER_POST to fetch.  NULL when o does not
 * download images or the body has none.  Warns through p->warn. */
struct pipeline_images *pipeline_images_plan(struct pipeline *p, const struct article *a,
					     const struct output_cfg *o);
/* How many URLs are to be fetched (0 for NULL), the i-th of them, and the
 * Referer to send (the article's page, or NULL). */
size_t pipeline_images_count(const struct pipeline_images *im);
const char *pipeline_images_url(const struct pipeline_images *im, size_t i);
const char *pipeline_images_referer(const struct pipeline_images *im);
/* Stores image i's fetched bytes (output/images.c checks they are an
 * image and names the file).  Returns the stored file's path (valid
 * until pipeline_images_free), or NULL when it was not stored (warned). */
const char *pipeline_images_store(struct pipeline *p, struct pipeline_images *im, size_t i,
				  const char *ctype, const char *data, size_t n);
/* Stores image i as a copy of file (stored by another post of this run:
 * the URL is requested once per run).  As pipeline_images_store. */
const char *pipeline_images_copy(struct pipeline *p, struct pipeline_images *im, size_t i,
				 const char *file);
/* Image i could not be fetched: warns "image URL not stored (why); its
 * link is kept". */
void pipeline_images_fail(struct pipeline *p, struct pipeline_images *im, size_t i,
			  const char *why);
void pipeline_images_free(struct pipeline_images *im);
/* pipeline_write with the images already handled: links rewritten to
 * the copies im stored (im may be NULL: no rewriting).  Fetches nothing;
 * safe to call from writer threads. */
enum nm_code pipeline_write_images(struct pipeline *p, const struct article *a,
				   const struct output_cfg *o, const struct pipeline_images *im,
				   char **path, enum post_status *status, struct nm_err *e);

/* The output settings for article a: the config's, with its rule's
 * overrides laid on top.  Caller frees with output_free. */
void pipeline_output_for(struct pipeline *p, const struct article *a,
			 struct output_cfg *out);

#endif
