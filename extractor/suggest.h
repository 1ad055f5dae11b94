/*
 * suggest.h - `newsmd rules suggest`: a draft rule for a site no rule
 * knows, from one or more of its pages.
 *
 * The page's metadata (meta_extract) and the generic extractor (auto.c)
 * say what the title, date, author, lead image, excerpt and body are; for
 * each, the selectors a person would write are listed (ids, semantic
 * classes, itemprop, data-* attributes, landmark elements; never hashed
 * class names, never nth-of-type chains deeper than SUGGEST_MAX_NTH) and
 * the first one that finds that value on every page given is kept.
 * Boilerplate the generic extractor removes inside the body's container
 * becomes the draft's `clean:` list.  The draft is then run as a rule on
 * each page, and what it extracts is recorded as its `tests`, marked in a
 * comment as needing a person's check.  The YAML is written with libyaml's
 * emitter.
 */
#ifndef NM_SUGGEST_H
#define NM_SUGGEST_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/err.h"

/* Pages of one site a draft is made from: more cost a parse each and
 * rarely teach anything new. */
#define SUGGEST_MAX_PAGES 16
/* nth-of-type steps below a named ancestor: deeper chains break on the
 * next page of the site. */
#define SUGGEST_MAX_NTH 3

struct suggest_page {
	const char *text;  /* the page as UTF-8 (decoded); borrowed */
	size_t len;
	const char *url;   /* the URL the page is known by; borrowed */
	const char *input; /* the saved page's path for the draft's tests
			    * (absolute), or NULL for a page read from the net */
};

/* Drafts a rule from pages[0..n) (1 <= n <= SUGGEST_MAX_PAGES) and appends
 * it to out as YAML.  today ("2026-12-06") goes into the header comment.
 * Errors (NM_EPARSE / NM_ELIMIT, naming the page's URL in e->where) only
 * when a page cannot be parsed at all, as the extractor would refuse it;
 * a page where the generic extractor finds no article still gets a draft
 * (with what the metadata gives). */
enum nm_code suggest_rule(const struct suggest_page *pages, size_t n, const char *today,
			  struct buf *out, struct nm_err *e);

#endif
