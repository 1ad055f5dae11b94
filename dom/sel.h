/*
 * sel.h - CSS selectors on the libxml2 DOM that html.h builds.
 *
 * Supports all of Selectors Level 3 (type, universal, #id, .class, every
 * attribute form with the i/s flags, the four combinators, selector lists,
 * the structural pseudo-classes, :not()), from Level 4 :is() :where()
 * :not(<list>) :has(<relative list>) :nth-child(An+B of S) :scope
 * :any-link, the static-DOM UI pseudo-classes (:link :checked :disabled
 * :enabled :lang()), and jQuery's :contains("text").  Case rules are HTML's:
 * tag and attribute names are ASCII case-insensitive, ids and classes
 * case-sensitive, attribute values case-sensitive unless the `i` flag is
 * given.  Pseudo-classes that depend on user interaction (:hover, :focus,
 * :visited, ...) and pseudo-elements are compile errors, never silently
 * ignored.
 *
 * Like a browser, the contents of a <template> element are not part of the
 * document tree: they are never matched and never counted (sel_doc_index).
 *
 * Matching runs right to left with the classic failure-propagation rules
 * (a failed descendant combinator is never retried from a farther
 * ancestor), so one sel_select costs O(elements x depth x selector size);
 * :has() additionally walks the searched subtree (or following siblings)
 * of each candidate element, and :contains() its text.
 *
 * A compiled selector is immutable: compile once (at rule load time) and
 * use it on any number of documents, from any number of threads.
 */
#ifndef NM_SEL_H
#define NM_SEL_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "common/err.h"

/* Longest selector text accepted: far beyond any hand-written rule, small
 * enough that error messages and compile cost stay bounded. */
#define SEL_MAX_LEN 8192
/* Deepest nesting of :not()/:is()/:where()/:has()/:nth-child(of S); the
 * compiler and the matcher recurse on it (never on the document's depth). */
#define SEL_MAX_NESTING 16
/* Most compound selectors in one complex selector ("a b > c" has 3); the
 * matcher recurses once per compound. */
#define SEL_MAX_COMPOUNDS 64

struct sel; /* a compiled selector list; immutable, reusable across documents */

/* Compiles src (UTF-8).  On success *out is a new selector the caller frees
 * with sel_free().  On error returns NM_ESELECTOR with e->msg like
 * "selector 'div[class=' column 11: expected attribute value or ']'" and
 * e->col set to the 1-based column (in characters) of the problem. */
enum nm_code sel_compile(const char *src, struct sel **out, struct nm_err *e);
void sel_free(struct sel *s); /* sel_free(NULL) is a no-op */
/* The source text s was compiled from.  Borrowed until sel_free(s). */
const char *sel_source(const struct sel *s);

/* True when element el matches s (:scope then means :root). */
bool sel_matches(const struct sel *s, xmlNodePtr el);
/* Elements matching s among the descendants of scope (scope itself
 * excluded, like scope.querySelectorAll; scope may be the document node),
 * in document order.  *out is malloc'd (NULL when nothing matched), caller
 * frees; returns the count. */
size_t sel_select(const struct sel *s, xmlNodePtr scope, xmlNodePtr **out);
/* One selector's matches from sel_select_many: v is malloc'd (NULL when
 * n is 0), the caller frees it. */
struct sel_hits {
	xmlNodePtr *v;
	size_t n;
};
/* sel_select for n selectors in one walk of the document: out[i] receives
 * what sel_select(sels[i], scope, ...) would return.  A rule's selectors
 * cost one traversal (and one id/class lookup per element) instead of one
 * each.  A NULL sels[i] matches nothing. */
void sel_select_many(const struct sel *const *sels, size_t n, xmlNodePtr scope,
		     struct sel_hits *out);
/* First match in document order, or NULL. */
xmlNodePtr sel_first(const struct sel *s, xmlNodePtr scope);

/* Document-order numbers of elements: idx[i] receives the 0-based position
 * of els[i] among all elements of its document (the root element is 0),
 * what document.querySelectorAll('*') would number it.  els must be in
 * document order (as sel_select returns them); an element outside the
 * document tree (or inside a <template>) gets (size_t)-1.  O(document). */
void sel_doc_index(xmlNodePtr const *els, size_t n, size_t *idx);

#endif
