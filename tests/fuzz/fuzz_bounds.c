/*
 * fuzz_bounds.c - differential target: html_prescan (the bounds scan run
 * before gumbo) against gumbo itself, on the same bytes.
 *
 * The scan bounds attributes per tag and nesting so that gumbo's quadratic
 * paths never see a flood; a scan that tokenizes differently from gumbo
 * refuses real pages (`<div x="1" ">` once lost quote sync and counted a
 * page's prose as attributes) or lets floods through.  So for every element
 * gumbo builds from a start tag in the source, the scan must have seen a
 * start tag at the same offset with the same attribute names (ASCII
 * lower-cased, duplicates dropped, as gumbo keeps them).  Elements whose
 * attributes gumbo merges or invents are not compared: <html> and <body>
 * (a second tag adds its attributes), elements made from an end tag
 * (</p>, </br>) or from <isindex>.  The scan models foreign content
 * (<svg>, <math>) by counting those elements only, and after <frameset>
 * stops reading raw text (gumbo may or may not, by its frameset-ok flag),
 * so inputs with them are left out of the comparison (they are still
 * scanned and parsed).
 * Any disagreement aborts with both counts.
 */
#include "common/arena.h"
#include "common/buf.h"
#include "common/utf8.h"
#include "dom/html.h"

#include <gumbo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_TAGS 4096
#define MAX_NAMES 256
#define NAME_BUF 100 /* 31 source bytes, each at most 3 after U+FFFD */

struct seen {
	size_t off[MAX_TAGS];
	size_t attrs[MAX_TAGS];
	size_t ntags;
	bool overflow;
	/* the current tag's distinct names */
	char names[MAX_NAMES][NAME_BUF];
	size_t nnames;
};

static void on_tag(void *ud, size_t off)
{
	struct seen *s = ud;
	if (s->ntags >= MAX_TAGS) {
		s->overflow = true;
		return;
	}
	(void)off;
	s->attrs[s->ntags] = 0;
	s->ntags++;
	s->nnames = 0;
}

/* Keyed by the tag's end: gumbo's original_tag can start early (a "</>"
 * before a tag is folded into the next tag's text). */
static void on_tag_end(void *ud, size_t end)
{
	struct seen *s = ud;
	if (s->ntags && !s->overflow)
		s->off[s->ntags - 1] = end;
}

static void on_attr(void *ud, const char *name, size_t n)
{
	struct seen *s = ud;
	if (!s->ntags || s->overflow)
		return;
	if (n > 31 || s->nnames >= MAX_NAMES) {
		s->overflow = true; /* too long to compare cheaply */
		return;
	}
	/* gumbo lower-cases ASCII and reads C0/C1 controls and noncharacters
	 * as U+FFFD */
	char low[NAME_BUF];
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t len = utf8_decode(name + i, n - i, &cp);
		if (!len)
			len = 1;
		bool bad = (cp >= 0x1 && cp <= 0x8) || cp == 0xB || (cp >= 0xE && cp <= 0x1F) ||
			   (cp >= 0x7F && cp <= 0x9F) || (cp >= 0xFDD0 && cp <= 0xFDEF) ||
			   (cp & 0xFFFF) == 0xFFFE || (cp & 0xFFFF) == 0xFFFF;
		if (bad) {
			memcpy(low + k, "\xef\xbf\xbd", 3);
			k += 3;
		} else if (len == 1) {
			low[k++] = (name[i] >= 'A' && name[i] <= 'Z') ? (char)(name[i] + 32) : name[i];
		} else {
			memcpy(low + k, name + i, len);
			k += len;
		}
		i += len;
	}
	low[k] = '\0';
	for (size_t i = 0; i < s->nnames; i++)
		if (!strcmp(s->names[i], low))
			return;
	memcpy(s->names[s->nnames++], low, k + 1);
	s->attrs[s->ntags - 1]++;
}

static long find(const struct seen *s, size_t off)
{
	size_t lo = 0, hi = s->ntags;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (s->off[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->ntags && s->off[lo] == off ? (long)lo : -1;
}

static bool has_foreign(const char *p, size_t n)
{
	for (size_t i = 0; i + 9 < n; i++)
		if (p[i] == '<' && (!strncasecmp(p + i + 1, "svg", 3) || !strncasecmp(p + i + 1, "math", 4) ||
				    !strncasecmp(p + i + 1, "frameset", 8)))
			return true;
	return false;
}

/* gumbo's tree in an arena, as html.c has it: gumbo 0.10.1 leaks a few
 * strings on some inputs when it frees its own tree. */
static void *ar_alloc(void *ud, size_t n)
{
	return arena_alloc(ud, n);
}

static void ar_free(void *ud, void *p)
{
	(void)ud;
	(void)p;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct arena ar = ARENA_INIT;
	struct buf b = BUF_INIT;
	utf8_sanitize(&b, (const char *)data, size);
	const char *p = b.ptr ? b.ptr : "";
	static struct seen s;
	s.ntags = 0;
	s.nnames = 0;
	s.overflow = false;
	struct html_scan_hooks hk = {on_tag, on_tag_end, on_attr, &s};
	enum nm_code rc = html_prescan_hooked(p, b.len, &hk, NULL);
	if (rc != NM_OK || s.overflow || has_foreign(p, b.len)) {
		buf_free(&b);
		return 0;
	}
	GumboOptions opt = kGumboDefaultOptions;
	opt.allocator = ar_alloc;
	opt.deallocator = ar_free;
	opt.userdata = &ar;
	GumboOutput *g = gumbo_parse_with_options(&opt, p, b.len);
	/* iterative walk over gumbo's elements */
	GumboNode *stack[1024];
	size_t sp = 0;
	stack[sp++] = g->root;
	while (sp) {
		GumboNode *node = stack[--sp];
		if (node->type != GUMBO_NODE_ELEMENT && node->type != GUMBO_NODE_TEMPLATE)
			continue;
		GumboElement *el = &node->v.element;
		bool merged = el->tag == GUMBO_TAG_HTML || el->tag == GUMBO_TAG_BODY;
		bool invented = node->parse_flags & (GUMBO_INSERTION_CONVERTED_FROM_END_TAG |
						     GUMBO_INSERTION_FROM_ISINDEX);
		if (!merged && !invented && el->original_tag.length && el->original_tag.data &&
		    el->original_tag.data[0] == '<') {
			size_t off = (size_t)(el->original_tag.data - p) + el->original_tag.length;
			long k = find(&s, off);
			if (k < 0 || s.attrs[k] != el->attributes.length) {
				fprintf(stderr, "fuzz_bounds: tag ending at %zu: scan %s %zu attributes, gumbo %u\n",
					off, k < 0 ? "missed it," : "saw", k < 0 ? 0 : s.attrs[k],
					el->attributes.length);
				off = (size_t)(el->original_tag.data - p);
				size_t from = off > 80 ? off - 80 : 0;
				fwrite(p + from, 1, off - from, stderr);
				fputs("⟦", stderr);
				fwrite(p + off, 1, (b.len - off < 120 ? b.len - off : 120), stderr);
				fputc('\n', stderr);
				abort();
			}
		}
		for (unsigned i = el->children.length; i-- > 0;)
			if (sp < sizeof stack / sizeof *stack)
				stack[sp++] = el->children.data[i];
	}
	arena_reset(&ar, 0);
	buf_free(&b);
	return 0;
}
