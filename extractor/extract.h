/*
 * extract.h - applying a compiled rule to a parsed page: every field's
 * steps in order until one yields a value, then the body.
 */
#ifndef NM_EXTRACT_H
#define NM_EXTRACT_H

#include "common/buf.h"
#include "common/err.h"
#include "extractor/article.h"
#include "extractor/html.h"
#include "rules/rules.h"

/* Applies the rule's preprocess steps (find/replace, regex/replace) to the
 * page text before parsing; appends the result to out.  r may be NULL. */
enum nm_code extract_preprocess(const struct rule *r, const char *s, size_t n,
				struct buf *out, struct nm_err *e);

/* Fills a from h with rule r.  a->url must be set (rule steps and relative
 * links use it).  Fields already set in a (pre-filled by a source) are
 * kept when the rule finds nothing.  NM_EFIELD names a required field that
 * came out empty. */
enum nm_code extract_article(const struct rule *r, const struct html_doc *h,
			     struct article *a, struct nm_err *e);

/* Collapses runs of white space (incl. U+3000 and U+00A0) to one space and
 * trims both ends, in place. */
void extract_collapse(char *s);

#endif
