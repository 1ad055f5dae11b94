/*
 * extract.h - applying a compiled rule to a parsed page: every field's
 * steps in order until one yields a value, then the body.
 */
#ifndef NM_EXTRACT_H
#define NM_EXTRACT_H

#include "common/buf.h"
#include "common/err.h"
#include "extractor/article.h"
#include "dom/html.h"
#include "rules/rules.h"

/* Applies the rule's preprocess steps (find/replace, regex/replace) to the
 * page text before parsing; appends the result to out.  r may be NULL. */
enum nm_code extract_preprocess(const struct rule *r, const char *s, size_t n,
				struct buf *out, struct nm_err *e);

#include <jansson.h>

/* Called for every step extract_article tries (for `newsmd rules test`):
 * raw = what the source matched, refined = after regex and post, verdict =
 * NULL when the step won the field, else why it did not ("no match",
 * "date did not parse", "validate: shorter than 10 characters"...). */
struct extract_trace {
	void (*step)(void *ctx, const char *field, size_t index, const struct step *st,
		     const struct strv *raw, const struct strv *refined, const char *verdict);
	void (*field)(void *ctx, const char *field, const char *how); /* default/pre-filled/missing */
	void *ctx;
	/* each body.clean step before cleaning: op ("remove", "unwrap", ...),
	 * its selector or text, and how many elements of the body it names
	 * ((size_t)-1 when it is not counted: remove_attrs, generic); may be NULL */
	void (*clean)(void *ctx, const char *op, const char *arg, size_t matches);
};

/* What a rule reads: an HTML document, or a JSON document (an API
 * response) whose HTML fragments are parsed on demand. */
struct page {
	struct html_doc *h;     /* borrowed; NULL for JSON pages */
	json_t *json;           /* borrowed; NULL for HTML pages */
	struct html_doc *frag;  /* owned: the body fragment parsed out of JSON */
	int64_t now;            /* the crawl clock (relative dates, validate); 0 = time(NULL) */
	struct page_meta *meta; /* owned: the page's metadata, read once on first need */
	const struct extract_trace *trace; /* NULL = no tracing */
	struct page_css *css;   /* owned: the rule's CSS steps, matched in one walk */
	struct page_json *scripts; /* owned: JSON parsed out of <script> elements */
};

struct page_meta;
struct page_css;
struct page_json;

/* Frees what extraction attached to the page (the body fragment, the
 * metadata, selector and script-JSON caches). */
void page_release(struct page *pg);

/* Fills a from the page with rule r.  a->url must be set (rule steps and
 * relative links use it).  Fields already set in a (pre-filled by a
 * source or a list item) are kept when the rule finds nothing.  The body
 * node may live in pg->frag: keep the page until the body is rendered.
 * NM_EFIELD names a required field that came out empty. */
enum nm_code extract_article(const struct rule *r, struct page *pg, struct article *a,
			     struct nm_err *e);

struct clean_opts;
/* Cleans a->body_node in place (clean_body) and fills a->body_html and
 * a->body_text from it. */
void extract_body_finish(struct article *a, const struct clean_opts *co);

/* Discovery: fills a from one JSON list item with the rule's
 * discovery.item_fields (title, date, custom ids used by item_url ...). */
void extract_item_fields(const struct rule *r, json_t *item, struct article *a);
/* Discovery: appends the absolute article URLs the rule's item_links
 * steps find on an HTML list page (href of the matched elements unless the
 * step says otherwise), filtered by url_include/url_exclude. */
void extract_item_links(const struct rule *r, const struct page *pg, const char *base,
			struct strv *out);
/* Discovery: the next list page's absolute URL (appended to out), or -1. */
int extract_next_page(const struct rule *r, const struct page *pg, const char *base,
		      struct buf *out);

/* Collapses runs of white space (incl. U+3000 and U+00A0) to one space and
 * trims both ends, in place. */
void extract_collapse(char *s);

#endif
