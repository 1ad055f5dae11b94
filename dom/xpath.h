/*
 * xpath.h - XPath 1.0 on the libxml2 document html.h builds.
 *
 * A thin layer over libxml2's XPath engine: compile once (at rule load
 * time), evaluate on any number of documents.  Compile errors, and the
 * errors libxml2 only finds when evaluating (unknown functions, undefined
 * variables, wrong argument types), are all reported by xpath_compile: it
 * test-runs the expression on a tiny document.  No libxml2 error ever goes
 * to stderr.
 *
 * Names in the document are lower-case (HTML), so write //div, not //DIV.
 * Unlike CSS selectors (sel.h), XPath sees the contents of <template>
 * elements, as libxml2 keeps them as ordinary children.
 */
#ifndef NM_XPATH_H
#define NM_XPATH_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "common/err.h"

/* Longest expression accepted (far beyond any hand-written rule). */
#define XPATH_MAX_LEN 8192
/* Deepest nesting of () and [] accepted: libxml2's compiler recurses on it,
 * and no real expression comes near. */
#define XPATH_MAX_NESTING 64

struct xpath; /* a compiled expression; immutable, reusable across documents */

/* Compiles src.  On success *out is new (caller frees with xpath_free).
 * On error returns NM_ESELECTOR with e->msg like
 * "xpath '//div[' column 7: invalid predicate" and e->col set. */
enum nm_code xpath_compile(const char *src, struct xpath **out, struct nm_err *e);
void xpath_free(struct xpath *x); /* xpath_free(NULL) is a no-op */
/* The source text.  Borrowed until xpath_free(x). */
const char *xpath_source(const struct xpath *x);

enum xpath_kind { XPATH_R_NODES, XPATH_R_STRING };

struct xpath_result {
	enum xpath_kind kind;
	xmlNodePtr *nodes; /* XPATH_R_NODES: document order; elements, attribute
			    * (xmlAttrPtr cast), text or comment nodes; owned */
	size_t n;
	char *str;         /* XPATH_R_STRING: the string, number (XPath's
			    * number-to-string) or "true"/"false"; owned */
};

/* Evaluates x with ctx (an element or the document node) as context node.
 * Node-set results come back as nodes, everything else as a string.
 * Caller releases r with xpath_result_free.  Errors (rare after a clean
 * compile) are NM_ESELECTOR. */
enum nm_code xpath_eval(const struct xpath *x, xmlNodePtr ctx, struct xpath_result *r,
			struct nm_err *e);
void xpath_result_free(struct xpath_result *r);

/* The node-set result as a malloc'd array (caller frees; NULL when empty);
 * returns the count.  An expression whose value is not a node set gives
 * NM_ESELECTOR ("returns a string, not nodes"). */
enum nm_code xpath_eval_nodes(const struct xpath *x, xmlNodePtr ctx, xmlNodePtr **out,
			      size_t *n, struct nm_err *e);
/* The string value of the result (XPath's string(): for a node set, the
 * text of its first node; "" when empty).  *out is malloc'd, caller frees. */
enum nm_code xpath_eval_string(const struct xpath *x, xmlNodePtr ctx, char **out,
			       struct nm_err *e);

#endif
