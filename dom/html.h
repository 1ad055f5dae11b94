/*
 * html.h - HTML bytes to the DOM every later stage uses.
 *
 * gumbo-parser does the HTML5 parse; its tree is converted once, without
 * recursion, into a libxml2 HTML document (names interned in the doc's
 * dictionary).  Selectors, XPath, cleaning and serialisation all work on
 * that document.  For each element the byte span of its inner source text
 * in the parsed input is kept, so `body: raw` can return the exact source.
 */
#ifndef NM_HTML_H
#define NM_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "common/buf.h"
#include "common/err.h"

/* Deeper element nesting than this is cut: the subtree below is dropped
 * from the DOM.  Real pages stay below ~60; later stages use explicit
 * stacks sized by this bound. */
#define HTML_MAX_DEPTH 512

/* Bit set in doc->properties when the page is in quirks mode (no doctype,
 * or a legacy one): browsers then match class and id selectors ASCII
 * case-insensitively, and so does sel.h.  libxml2 uses only the low bits. */
#define HTML_DOC_QUIRKS (1 << 24)

/* Nesting the pre-scan accepts before gumbo sees a page.  gumbo 0.10.1 is
 * quadratic in nesting depth (100,000 nested <div> took 97 s) and frees its
 * tree recursively; at 2,000 levels a parse costs a few tens of
 * milliseconds.  Real pages measured here stay below 320 even when counted
 * this naively (unclosed tags count as open). */
#define HTML_MAX_PRESCAN_DEPTH 2000
/* Attributes on one tag: gumbo drops duplicates by comparing each new
 * attribute with all before it (quadratic); no real tag has 200. */
#define HTML_MAX_ATTRS 1000

struct html_span {
	size_t start, end; /* inner source: [start, end) of html_doc.src */
};

struct html_doc {
	xmlDocPtr doc;           /* owned */
	char *src;               /* owned copy of the parsed UTF-8 text */
	size_t len;
	struct html_span *spans; /* owned; indexed via node->_private */
	size_t nspans;
	bool truncated;          /* nesting beyond HTML_MAX_DEPTH was cut */
};

/* Parses s[0..n) (UTF-8; invalid bytes are replaced first).  On success
 * *out is a new document the caller frees with html_free().  A page whose
 * tags nest deeper than HTML_MAX_PRESCAN_DEPTH, or with a tag of more than
 * HTML_MAX_ATTRS attributes, is refused with NM_ELIMIT before gumbo sees
 * it ("page nesting deeper than N; skipped"). */
enum nm_code html_parse(const char *s, size_t n, struct html_doc **out,
			struct nm_err *e);
void html_free(struct html_doc *h);
/* The cheap linear pre-scan html_parse runs: NM_OK, or NM_ELIMIT with the
 * reason.  It follows the HTML tokenizer's tag and attribute states (a
 * stray quote is an attribute name, as in `<div x="1" ">`), comments,
 * RCDATA/RAWTEXT/script data and CDATA in <svg>/<math>, so its counts are
 * gumbo's: tests/fuzz/fuzz_bounds.c checks that, tag by tag, it sees every
 * element gumbo builds from a start tag, with the same attributes. */
enum nm_code html_prescan(const char *s, size_t n, struct nm_err *e);

/* Observers for html_prescan_hooked (the differential fuzz target): tag is
 * called at each start tag, attr with each attribute name of that tag as
 * written (not lower-cased, not de-duplicated), then tag_end with the
 * offset just past the tag's '>'.  Any member may be NULL. */
struct html_scan_hooks {
	void (*tag)(void *ud, size_t off);
	void (*tag_end)(void *ud, size_t end);
	void (*attr)(void *ud, const char *name, size_t n);
	void *ud;
};
enum nm_code html_prescan_hooked(const char *s, size_t n, const struct html_scan_hooks *hk,
				 struct nm_err *e);

/* The inner source text of element el as it stood in the input.  False when
 * unknown (element created later, or implied by the parser). */
bool html_inner_source(const struct html_doc *h, xmlNodePtr el, struct view *out);

/* Appends the text content of node (descendants' text, in order). */
void html_text(xmlNodePtr node, struct buf *out);
/* As html_text, but a line break stands between block-level elements
 * (p, div, li, td, br, headings, ...), so "责任编辑：周莉" and "校对：王玲" in
 * two <p> never run together.  Script and style text is skipped. */
void html_text_blocks(xmlNodePtr node, struct buf *out);
/* Appends the HTML serialisation of node's children (inner) or of node
 * itself (outer). */
void html_inner_html(xmlNodePtr node, struct buf *out);
void html_outer_html(xmlNodePtr node, struct buf *out);

/* The <body> element, or the root when the document has none; NULL for a
 * NULL document (a refused page). */
xmlNodePtr html_body(const struct html_doc *h);

/* ---- small DOM helpers shared by the selector engine, the extractor and
 * the Markdown writer ---- */

/* The value of attribute name on element n, borrowed until the attribute
 * changes.  NULL when n has no such attribute; "" when it is present with an
 * empty value or none at all (<input disabled>, <a href="">), so a boolean
 * attribute tests as present.  Names match exactly (case-sensitive): the
 * parser lower-cases HTML attribute names, so callers pass lower case;
 * foreign attributes keep their qualified name ("xml:lang", "xlink:href"). */
const char *html_attr(xmlNodePtr n, const char *name);
/* bsearch comparator over a table sorted by strcmp whose entries begin with
 * the tag name (struct { const char *name; ... }); key is the element name
 * (const char * or const xmlChar *). */
int html_tag_cmp(const void *key, const void *entry);
/* The node after n in document order within root's subtree, going into n's
 * children only when down (the children of an element, document or
 * fragment); NULL after the last node below root.  root itself is never
 * returned; n == root with down gives root's first child.  Iterative, by
 * parent pointers. */
xmlNodePtr html_next(xmlNodePtr n, xmlNodePtr root, bool down);

#endif
