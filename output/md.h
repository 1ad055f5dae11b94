/*
 * md.h - DOM to Markdown (CommonMark + GFM tables and strikethrough).
 *
 * md_render walks a libxml2 DOM (as built by dom/html.h) once,
 * without recursion, and writes Markdown that renders back to the same
 * visible text and structure: headings, paragraphs, hard breaks, emphasis,
 * inline code, fenced code blocks, block quotes, lists, links, images,
 * tables, rules.  Text is escaped exactly where it would otherwise be read
 * as Markdown (CommonMark, or kramdown, which renders Jekyll posts);
 * whitespace is collapsed the way a browser does; lines are never wrapped.
 * Raw HTML is written only where Markdown has no syntax: <sup>/<sub>, <br>
 * inside table cells, emphasis that cannot be delimited with '*' (e.g.
 * next to CJK punctuation), <pre>/<code> holding links, and tables with
 * merged cells or block content, which are written as one cleaned HTML
 * block.  The golden files in tests/md/ show the output for each construct.
 *
 * script, style, noscript, template, svg and the like are never rendered;
 * form controls only with whole_page.  javascript: and data: URLs are
 * dropped (a link keeps its text).
 */
#ifndef NM_MD_H
#define NM_MD_H

#include <stdbool.h>

#include <libxml/tree.h>

#include "common/buf.h"
#include "common/err.h"

/* Containers (block quotes, lists, list items: a list level takes two)
 * nested deeper than this are rendered at this depth: Markdown written for
 * deeper nesting is unreadable, every line repeats the whole prefix (so
 * output would grow with depth x lines), and no real page nests lists or
 * quotes more than a dozen levels. */
#define MD_MAX_NEST 32

/* Inline formatting (links, emphasis, <sup>) nested deeper than this is
 * rendered as plain text: real pages stay below ~10, and each open level is
 * re-opened at every paragraph it spans. */
#define MD_MAX_INLINE 32

struct md_opts {
	const char *base_url; /* absolutize relative links/images against this; NULL = leave */
	bool whole_page;      /* newsmd markdown on a full page: keep nav/forms text etc. */
};

/* Renders the children of node (an element, typically <body> or the
 * article body container) as CommonMark+GFM into out (appended; the output
 * ends with one newline unless empty).  node is borrowed and not modified.
 * o may be NULL (defaults: no base URL, article body).  Never fails on odd
 * input; returns NM_OK, or NM_ELIMIT (e filled) when out's cap refused a
 * write -- out then holds a truncated rendering. */
enum nm_code md_render(xmlNodePtr node, const struct md_opts *o, struct buf *out,
		       struct nm_err *e);

#endif
