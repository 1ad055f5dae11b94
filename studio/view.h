/*
 * view.h - what the studio shows of a page and of a post: HTML made safe to
 * display (no script can run from it) and annotated so the studio's own
 * script can point at its elements.
 *
 * Why the page can never run script in the studio's origin: the studio
 * serves it as a separate document (GET /page) that is
 *   1. sanitised here: script, iframe, object, embed, noscript, base, meta
 *      refresh, link other than stylesheets, comments go; on* attributes,
 *      srcdoc/formaction/action/ping/target and any javascript:, vbscript:
 *      or data:text/html URL go; links lose their href (kept as
 *      data-nm-href) so a click cannot navigate the frame;
 *   2. sent with `Content-Security-Policy: script-src 'none'` (and
 *      default-src 'none' plus the styles and images it needs), which holds
 *      even when it is opened outside the studio;
 *   3. shown in an <iframe sandbox="allow-same-origin"> without
 *      allow-scripts: the browser runs no script of that document at all.
 * allow-same-origin is what lets the studio's own script (app.js, in the
 * parent page) read the frame's DOM to highlight elements and learn which
 * one was clicked; it is harmless without allow-scripts, since nothing in
 * the frame can execute to use that origin.  The elements are named by
 * their document-order index (`select --index`, sel_doc_index), carried as
 * data-nm-i, so the server finds the same element in its own parse.
 */
#ifndef NM_VIEW_H
#define NM_VIEW_H

#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"
#include "dom/html.h"

/* The attribute carrying an element's document-order index. */
#define VIEW_INDEX_ATTR "data-nm-i"

/* All elements of h in document order, as `querySelectorAll('*')` and
 * sel_doc_index number them (template contents excluded).  *out is
 * malloc'd, caller frees; returns the count. */
size_t view_elements(const struct html_doc *h, xmlNodePtr **out);

/* Removes from doc everything that could run script, navigate, or embed
 * another document (the list above).  Iterative; never fails. */
void view_sanitise(xmlDocPtr doc);

/* Appends the page text[0..n) (UTF-8) as a sanitised HTML document whose
 * elements carry VIEW_INDEX_ATTR, with <base href=base_url> (when http or
 * https) so its styles and images resolve, no referrer, and the studio's
 * highlight styles.  Errors: html_parse's (NM_ELIMIT ...). */
enum nm_code view_page(const char *text, size_t n, const char *base_url, struct buf *out,
		       struct nm_err *e);

/* Appends post (front matter + Markdown, as newsmd writes it) rendered the
 * way a site would show it: the front matter is dropped, the Markdown goes
 * through cmark-gfm with raw HTML kept (kramdown keeps it too; `body: raw`
 * posts are HTML), then the result is sanitised like a page. */
void view_render_post(const char *post, size_t n, const char *base_url, struct buf *out);

#endif
