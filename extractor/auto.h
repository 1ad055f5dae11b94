/*
 * auto.h - the generic extractor: finds an article's main content in a
 * page no rule knows, for `newsmd extract`/`convert` without a matching
 * rule and for the rule step `auto`.
 *
 * Text blocks are scored (length counted in characters, CJK characters
 * weighing double because Chinese has no spaces; commas; class/id hints;
 * link density), scores flow to the blocks' ancestors, and the best
 * ancestor plus its related siblings is taken.  Inside it, blocks that look
 * like page furniture (share bars, link lists, forms, ad slots, the
 * headline itself) are pruned.  A page whose best block is not an article
 * (a list of links, a section front, a navigation page) yields "no article"
 * rather than a guess.
 */
#ifndef NM_AUTO_H
#define NM_AUTO_H

#include <libxml/tree.h>

#include "common/err.h"
#include "extractor/article.h"
#include "dom/html.h"

/* Finds the main content element of the page; returns NULL for "no
 * article" (lists, nav pages), with e telling why.  The node is borrowed
 * from h's document and lives as long as it.  The document is changed:
 * furniture inside the content is removed, and when the content spans
 * several siblings they are moved into a new <div> put in their place. */
xmlNodePtr auto_body(const struct html_doc *h, struct nm_err *e);

/* As auto_body; title (may be NULL) is the article's title, so a heading
 * repeating it at the top of the content is dropped. */
xmlNodePtr auto_body_titled(const struct html_doc *h, const char *title, struct nm_err *e);

/* Whole no-rule extraction: meta_extract, auto_body and cleaning into
 * a->body_node, a->body_html and a->body_text; sets a->rule to "auto".
 * url may be NULL.  NM_EPARSE "no article" when the page holds none (the
 * metadata found is still filled in). */
enum nm_code auto_extract(const struct html_doc *h, const char *url, struct article *a,
			  struct nm_err *e);

/* The generic extractor's pruning of furniture (share bars, link lists,
 * forms, ad slots, empty blocks) inside root, an element a rule chose as
 * the body; root itself always stays.  For `clean: {generic: true}`. */
void auto_prune(xmlNodePtr root);

#endif
