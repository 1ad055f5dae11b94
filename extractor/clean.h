/*
 * clean.h - cleaning an article body in place, and its two renderings that
 * do not need Markdown: whitelisted HTML and plain text.
 *
 * The extractor picks the element holding the article (by rule or by the
 * generic extractor) and calls clean_body() on it; renderers then read the
 * cleaned subtree (clean_html, clean_text, the Markdown converter).  Rule
 * options (`body.clean`, `body.images`) add to the fixed cleaning and never
 * turn it off.
 */
#ifndef NM_CLEAN_H
#define NM_CLEAN_H

#include <libxml/tree.h>

#include "common/buf.h"

struct sel; /* dom/sel.h */

struct clean_opts {
	/* Final URL of the page; a <base href> in the document wins when
	 * present.  NULL: URLs stay as written (javascript:/data: still go). */
	const char *base_url;
	/* Extra rule-driven cleaning; each a NULL-terminated array or NULL.
	 * Selectors are matched once, on the subtree as it was before any
	 * cleaning.  All borrowed for the duration of the call. */
	struct sel *const *remove;     /* elements to remove */
	struct sel *const *unwrap;     /* elements replaced by their children */
	const char *const *remove_paragraphs_matching; /* plain substrings; a <p> whose text contains one is dropped */
	const char *const *lazy_attrs; /* extra lazy-image attributes, besides data-src, data-original, data-lazy-src, srcset */
	/* The rest of SPEC's body.clean / body.links; all optional. */
	struct sel *const *rename;     /* matches get the tag name in rename_to[i] */
	const char *const *rename_to;  /* as many as rename; lower-case tag names */
	const char *const *remove_attrs; /* attribute names dropped from every element */
	struct sel *const *truncate_at; /* the first match (document order) and all after it go */
	const char *const *strip_query_params; /* query parameters dropped from links and
						* images; "utm_*" ends in a prefix wildcard */
};

/* A block whose class, id, tag or visibility says "boilerplate" or
 * "hidden" is kept anyway when it held more than 1/CLEAN_BIG_SHARE of the
 * body's visible characters before cleaning: an article wrapped in
 * <div class="content-share-x"> or a display:none body revealed by script
 * must not be destroyed by a heuristic meant for share bars.  Blocks
 * judged by class, id or tag must also be short (CLEAN_BOILER_MAX_CHARS,
 * in clean.c) or mostly links. */
#define CLEAN_BIG_SHARE 2

/* Cleans the subtree under root in place (root itself is kept; it must be
 * an element of a document).  Rule options first, on the untouched
 * subtree: truncate_at, remove, rename, then unwrap matches are noted.
 * Always:
 * comments; script, style, template, noscript (after lending its image to
 * a lazy placeholder), meta, link, object, embed, svg, canvas; form
 * controls (a form is unwrapped when it holds the article, else removed);
 * event attributes (on*); hidden elements (hidden, aria-hidden,
 * display:none, visibility:hidden, hidden classes); nav, aside, footer,
 * menu, dialog; blocks whose class or id says share, social, ad, comment,
 * related, recommend, sponsor, breadcrumb, ...; tracking pixels (images of
 * 0 or 1 pixel); images without a usable source; empty blocks (no text and
 * no img/video/audio/iframe/table/hr inside after cleaning).  Lazy images
 * take their real source from opts->lazy_attrs, data-src, data-original,
 * data-lazy-src (and similar), srcset or a <noscript> fallback.  href, src,
 * poster and cite become absolute; javascript:, data: and other unsafe
 * schemes are dropped (links keep their text).  Never fails; the walk is
 * iterative. */
void clean_body(xmlNodePtr root, const struct clean_opts *o);

/* Appends the HTML of root's children to out keeping only whitelisted tags
 * (paragraphs, headings, lists, tables, quotes, code, emphasis, links,
 * images, figures, video/audio/iframe with http(s) sources) and
 * attributes (href, src, alt, title, width, height, colspan, rowspan, ...);
 * other elements are unwrapped, or dropped with their content when they
 * are never text (script, style, svg, form controls, ...).  URLs with
 * schemes other than http, https, mailto, tel and ftp are dropped.  Text
 * and attribute values are escaped. */
void clean_html(xmlNodePtr root, struct buf *out);
/* clean_html, also keeping the attributes named in keep_attrs (NULL-
 * terminated, or NULL) on the elements it keeps: a rule's
 * `clean.keep_attrs`.  Event handlers and URL attributes are never added
 * this way. */
void clean_html_keep(xmlNodePtr root, const char *const *keep_attrs, struct buf *out);

/* Appends the visible text of root to out: whitespace collapsed (a line
 * break between two CJK characters disappears, as in browsers), a blank
 * line between paragraphs and other blocks, a newline for <br>, list
 * items, table rows; <pre> keeps its whitespace; no leading or trailing
 * newline. */
void clean_text(xmlNodePtr root, struct buf *out);

/* For the generic extractor's content (after clean_body): drops the short
 * lines only page furniture says, in en, de, fr, es and zh: comment counts
 * ("71 Kommentare"), "Kommentare schreiben", "Anzeige", "Advertisement";
 * and, in the second half of the text, a teaser heading ("You might also
 * like:", "Sie könnten auch … interessiert sein", "À lire aussi", "相关阅读")
 * with everything after it (the teasers it announces). */
void clean_boiler_lines(xmlNodePtr root);

#endif
