/*
 * fuzz_sel.c - libFuzzer target for the CSS selector compiler and matcher.
 *
 * The input is a selector.  The first byte picks options (as cmark's and
 * md4c's targets do): bit 0 runs the compiled selector on a small fixed
 * page that exercises every pseudo-class, bit 1 also runs sel_matches on
 * each element, bit 2 runs it in one sel_select_many walk beside two fixed
 * selectors and aborts unless each result equals its own sel_select (the
 * one-walk matcher shares memos between selectors: this is its oracle).
 * Everything goes through the public API in sel.h.
 */
#include "dom/html.h"
#include "dom/sel.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char page[] =
	"<!DOCTYPE html><html lang=en><head><title>t</title></head><body class='a B'>"
	"<div id=x class='c d' data-v='foo-bar baz'><p>one <b>two</b></p><p></p>"
	"<ul><li>1<li class=on>2<li>3<li>4</ul><span lang=zh-CN>中文</span></div>"
	"<form><fieldset disabled><legend><input></legend><input type=checkbox checked>"
	"<select><option>a<optgroup disabled><option selected>b</optgroup></select></fieldset></form>"
	"<a href='/x.pdf'>pdf</a><area href=#><template><p>t</p></template>"
	"<svg viewBox='0 0 1 1'><clipPath id=c></clipPath></svg><o:p>x</o:p></body></html>";

static struct html_doc *doc;
static struct sel *fixed[2];

/* sel_select_many([fixed0, s, fixed1, s]) must give what sel_select gives
 * for each. */
static void check_many(struct sel *s)
{
	const struct sel *list[4] = {fixed[0], s, fixed[1], s};
	struct sel_hits hits[4];
	sel_select_many(list, 4, (xmlNodePtr)doc->doc, hits);
	for (int i = 0; i < 4; i++) {
		xmlNodePtr *v = NULL;
		size_t n = sel_select(list[i], (xmlNodePtr)doc->doc, &v);
		if (n != hits[i].n || (n && memcmp(v, hits[i].v, n * sizeof *v)))
			abort();
		free(v);
		free(hits[i].v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!doc && (html_parse(page, sizeof page - 1, &doc, NULL) != NM_OK ||
		     sel_compile("li:nth-child(2n+1) ~ li, div p", &fixed[0], NULL) != NM_OK ||
		     sel_compile(":is(ul, form) > :not(:first-child)", &fixed[1], NULL) != NM_OK))
		abort();
	if (size == 0)
		return 0;
	unsigned opts = data[0];
	char *src = malloc(size);
	memcpy(src, data + 1, size - 1);
	src[size - 1] = '\0';

	struct nm_err e;
	err_clear(&e);
	struct sel *s = NULL;
	enum nm_code rc = sel_compile(src, &s, &e);
	if (rc == NM_OK) {
		if (opts & 1) {
			xmlNodePtr *v = NULL;
			size_t n = sel_select(s, (xmlNodePtr)doc->doc, &v);
			if (n) {
				size_t *idx = malloc(n * sizeof *idx);
				sel_doc_index(v, n, idx);
				free(idx);
			}
			free(v);
			(void)sel_first(s, xmlDocGetRootElement(doc->doc));
		}
		if (opts & 4)
			check_many(s);
		if (opts & 2) {
			xmlNodePtr root = xmlDocGetRootElement(doc->doc);
			for (xmlNodePtr n = root; n;) {
				(void)sel_matches(s, n);
				if (n->children) {
					n = n->children;
					continue;
				}
				while (n && !n->next)
					n = n->parent;
				if (n)
					n = n->next;
			}
		}
	} else if (rc != NM_ESELECTOR || !e.msg[0] || !e.col) {
		abort(); /* every failure must explain itself and say where */
	}
	sel_free(s);
	free(src);
	return 0;
}
