/*
 * html.c - gumbo parse and conversion of its tree to a libxml2 document.
 *
 * The walk over gumbo's tree uses an explicit stack (no recursion on input
 * depth).  Element names come from gumbo's normalised tag names, or the
 * lower-cased source name for unknown tags.
 */
#include "dom/html.h"
#include "common/arena.h"
#include "common/mem.h"
#include "common/utf8.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <gumbo.h>
#include <libxml/HTMLtree.h>
#include <libxml/dict.h>

struct frame {
	GumboNode *g;
	xmlNodePtr x;
	size_t next; /* next child index */
};

static xmlNodePtr new_element(struct html_doc *h, GumboElement *el)
{
	char name[128];
	const char *tag = gumbo_normalized_tagname(el->tag);
	if (el->tag == GUMBO_TAG_UNKNOWN || !tag || !*tag) {
		GumboStringPiece p = el->original_tag;
		gumbo_tag_from_original_text(&p);
		size_t n = 0;
		for (; n < p.length && n < sizeof name - 1; n++) {
			unsigned char c = (unsigned char)p.data[n];
			if (isspace(c) || c == '/' || c == '>')
				break;
			name[n] = (char)tolower(c);
		}
		name[n] = '\0';
		tag = n ? name : "unknown";
	}
	xmlNodePtr x = xmlNewDocNode(h->doc, NULL, (const xmlChar *)tag, NULL);
	for (unsigned i = 0; i < el->attributes.length; i++) {
		GumboAttribute *a = el->attributes.data[i];
		/* Namespaced attributes of SVG/MathML keep their prefix, as in
		 * the DOM's qualified name (xlink:href, xml:lang, xmlns:xlink),
		 * so the selector [href] does not match xlink:href. */
		static const char *const prefix[] = {"", "xlink:", "xml:", "xmlns:"};
		char qname[128];
		const char *an = a->name;
		if (a->attr_namespace > GUMBO_ATTR_NAMESPACE_NONE &&
		    a->attr_namespace <= GUMBO_ATTR_NAMESPACE_XMLNS && strcmp(an, "xmlns") != 0 &&
		    !strchr(an, ':')) {
			snprintf(qname, sizeof qname, "%s%s", prefix[a->attr_namespace], an);
			an = qname;
		}
		xmlNewProp(x, (const xmlChar *)an, (const xmlChar *)a->value);
	}
	/* Record the inner source span when the element came from real tags. */
	if (el->original_tag.length && el->original_tag.data) {
		size_t start = (size_t)(el->original_tag.data - h->src) + el->original_tag.length;
		size_t end = el->original_end_tag.length && el->original_end_tag.data
				     ? (size_t)(el->original_end_tag.data - h->src)
				     : el->end_pos.offset;
		if (start <= end && end <= h->len) {
			if ((h->nspans & (h->nspans + 1)) == 0 || h->nspans == 0)
				h->spans = xrealloc(h->spans, (h->nspans * 2 + 1) * sizeof *h->spans);
			h->spans[h->nspans].start = start;
			h->spans[h->nspans].end = end;
			x->_private = (void *)(uintptr_t)(h->nspans + 1);
			h->nspans++;
		}
	}
	return x;
}

static void convert(struct html_doc *h, GumboNode *groot)
{
	struct frame *stack = xmalloc((HTML_MAX_DEPTH + 2) * sizeof *stack);
	size_t sp = 0;
	xmlNodePtr root = new_element(h, &groot->v.element);
	xmlDocSetRootElement(h->doc, root);
	stack[sp++] = (struct frame){groot, root, 0};

	while (sp) {
		struct frame *f = &stack[sp - 1];
		GumboVector *kids = &f->g->v.element.children;
		if (f->next >= kids->length) {
			sp--;
			continue;
		}
		GumboNode *c = kids->data[f->next++];
		xmlNodePtr x = NULL;
		switch (c->type) {
		case GUMBO_NODE_ELEMENT:
		case GUMBO_NODE_TEMPLATE:
			if (sp >= HTML_MAX_DEPTH) {
				h->truncated = true;
				break;
			}
			x = new_element(h, &c->v.element);
			xmlAddChild(f->x, x);
			stack[sp++] = (struct frame){c, x, 0};
			continue;
		case GUMBO_NODE_TEXT:
		case GUMBO_NODE_WHITESPACE:
		case GUMBO_NODE_CDATA:
			x = xmlNewDocTextLen(h->doc, (const xmlChar *)c->v.text.text,
					     (int)strlen(c->v.text.text));
			break;
		case GUMBO_NODE_COMMENT:
			x = xmlNewDocComment(h->doc, (const xmlChar *)c->v.text.text);
			break;
		case GUMBO_NODE_DOCUMENT:
			break;
		}
		if (x && !xmlAddChild(f->x, x))
			xmlFreeNode(x);
	}
	free(stack);
}

/* Tag names compared case-insensitively, up to 15 bytes. */
static bool name_in(const char *name, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(name, *set))
			return true;
	return false;
}

/* HTML's white space inside tags (gumbo turns CR into LF first). */
static bool tag_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

static bool ascii_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Index just past the first '>' at or after i (n when there is none). */
static size_t past_gt(const char *s, size_t n, size_t i)
{
	const char *q = i < n ? memchr(s + i, '>', n - i) : NULL;
	return q ? (size_t)(q - s) + 1 : n;
}

/* True when s[i..] is "</name" (ASCII case-insensitive) followed by white
 * space, '/' or '>': the only end tag that leaves raw text. */
static bool is_end_tag_of(const char *s, size_t n, size_t i, const char *name, size_t nl)
{
	if (i + 2 + nl >= n || s[i] != '<' || s[i + 1] != '/')
		return false;
	if (strncasecmp(s + i + 2, name, nl) != 0)
		return false;
	char c = s[i + 2 + nl];
	return tag_ws(c) || c == '/' || c == '>';
}

/* After "<!--" at i (i points past it): the index past the comment's end,
 * as the tokenizer ends it: "-->", "--!>", or at once for "<!-->" and
 * "<!--->". */
static size_t past_comment(const char *s, size_t n, size_t i)
{
	if (i < n && s[i] == '>')
		return i + 1;
	if (i + 1 < n && s[i] == '-' && s[i + 1] == '>')
		return i + 2;
	while (i < n) {
		const char *d = memmem(s + i, n - i, "--", 2);
		if (!d)
			return n;
		size_t k = (size_t)(d - s) + 2;
		while (k < n && s[k] == '-')
			k++;
		if (k < n && s[k] == '>')
			return k + 1;
		if (k + 1 < n && s[k] == '!' && s[k + 1] == '>')
			return k + 2;
		i = k;
	}
	return n;
}

/* From i (just past "<script ...>"), the index of the '<' of the end tag
 * that closes script data, following the tokenizer's escaped and
 * double-escaped states ("<!--" ... "<script>" ... "</script>" ... "-->"
 * inside a script does not end it); n when there is none. */
static size_t script_end(const char *s, size_t n, size_t i)
{
	enum { DATA, ESCAPED, DOUBLE } st = DATA;
	unsigned dashes = 0;
	while (i < n) {
		if (st == DATA) {
			const char *q = memchr(s + i, '<', n - i);
			if (!q)
				return n;
			i = (size_t)(q - s);
			if (is_end_tag_of(s, n, i, "script", 6))
				return i;
			if (i + 3 < n && !memcmp(s + i, "<!--", 4)) {
				st = ESCAPED;
				dashes = 2; /* "<!-->" goes straight back */
				i += 4;
				continue;
			}
			i++;
			continue;
		}
		char c = s[i];
		if (c == '-') {
			dashes++;
			i++;
			continue;
		}
		if (c == '>' && dashes >= 2) {
			st = DATA;
			dashes = 0;
			i++;
			continue;
		}
		dashes = 0;
		if (c == '<') {
			if (st == ESCAPED && is_end_tag_of(s, n, i, "script", 6))
				return i;
			if (st == ESCAPED && i + 7 < n && !strncasecmp(s + i + 1, "script", 6) &&
			    (tag_ws(s[i + 7]) || s[i + 7] == '/' || s[i + 7] == '>')) {
				st = DOUBLE;
				i += 7;
				continue;
			}
			if (st == DOUBLE && is_end_tag_of(s, n, i, "script", 6)) {
				st = ESCAPED;
				i += 8;
				continue;
			}
		}
		i++;
	}
	return n;
}

/* One start or end tag from s[i] (just past '<', at the name's first
 * letter): its name (lower-cased, cut at 15 bytes) and attribute count as
 * the HTML tokenizer counts them.  Returns the index past the tag's '>',
 * or n when the page ends inside the tag (the tokenizer then drops it). */
static size_t scan_tag(const char *s, size_t n, size_t i, char name[16], size_t *attrs,
		       bool *self_closing, const struct html_scan_hooks *hk)
{
	size_t k = 0;
	*attrs = 0;
	*self_closing = false;
	while (i < n && !tag_ws(s[i]) && s[i] != '/' && s[i] != '>') {
		if (k < 15)
			name[k++] = (char)tolower((unsigned char)s[i]);
		i++;
	}
	name[k] = '\0';
	enum { BEFORE_NAME, NAME, AFTER_NAME, BEFORE_VALUE, UNQUOTED, AFTER_QUOTED, SELF_CLOSING } st =
		BEFORE_NAME;
	size_t name_start = 0;
	while (i < n) {
		char c = s[i];
		switch (st) {
		case BEFORE_NAME:
			if (tag_ws(c)) {
				i++;
			} else if (c == '/') {
				st = SELF_CLOSING;
				i++;
			} else if (c == '>') {
				return i + 1;
			} else { /* anything else, '=', quotes and '<' too, starts a name */
				name_start = i++;
				st = NAME;
			}
			break;
		case NAME:
			if (tag_ws(c) || c == '/' || c == '>' || c == '=') {
				(*attrs)++;
				if (hk && hk->attr)
					hk->attr(hk->ud, s + name_start, i - name_start);
				st = c == '=' ? BEFORE_VALUE : AFTER_NAME;
				if (c == '=')
					i++;
				/* white space, '/' and '>' are handled by AFTER_NAME */
			} else {
				i++;
			}
			break;
		case AFTER_NAME:
			if (tag_ws(c)) {
				i++;
			} else if (c == '/') {
				st = SELF_CLOSING;
				i++;
			} else if (c == '=') {
				st = BEFORE_VALUE;
				i++;
			} else if (c == '>') {
				return i + 1;
			} else {
				name_start = i++;
				st = NAME;
			}
			break;
		case BEFORE_VALUE:
			if (tag_ws(c)) {
				i++;
			} else if (c == '"' || c == '\'') {
				const char *q = i + 1 < n ? memchr(s + i + 1, c, n - i - 1) : NULL;
				if (!q)
					return n;
				i = (size_t)(q - s) + 1;
				st = AFTER_QUOTED;
			} else if (c == '>') {
				return i + 1;
			} else {
				st = UNQUOTED;
			}
			break;
		case UNQUOTED:
			if (tag_ws(c))
				st = BEFORE_NAME;
			else if (c == '>')
				return i + 1;
			i++;
			break;
		case AFTER_QUOTED:
			if (tag_ws(c)) {
				st = BEFORE_NAME;
				i++;
			} else if (c == '/') {
				st = SELF_CLOSING;
				i++;
			} else if (c == '>') {
				return i + 1;
			} else {
				st = BEFORE_NAME; /* reconsumed */
			}
			break;
		case SELF_CLOSING:
			if (c == '>') {
				*self_closing = true;
				return i + 1;
			}
			st = BEFORE_NAME; /* reconsumed */
			break;
		}
	}
	if (st == NAME) { /* the page ends inside the tag: it is dropped */
		(*attrs)++;
	}
	return n;
}

/* Nested <template>s whose outer <select> state the scan remembers. */
#define HTML_SCAN_TEMPLATE_BITS 64

enum nm_code html_prescan_hooked(const char *s, size_t n, const struct html_scan_hooks *hk,
				 struct nm_err *e)
{
	/* Void elements and those the parser closes when a sibling opens never
	 * deepen the tree. */
	static const char *const flat[] = {
		"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
		"param", "source", "track", "wbr", "keygen", "p", "li", "dt", "dd", "tr",
		"td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "rb", "rt",
		"rp", "colgroup", "caption", NULL};
	/* Start tags after which the tree builder switches the tokenizer to
	 * RCDATA or RAWTEXT (in HTML content, outside <select>): their text
	 * holds no tags up to the matching end tag. */
	static const char *const rawtext[] = {"style", "textarea", "title", "xmp", "iframe",
					      "noembed", "noframes", NULL};
	size_t depth = 0, i = 0;
	unsigned foreign = 0; /* open <svg>/<math>: no raw text, CDATA sections */
	bool in_select = false;
	/* A <template>'s content is parsed in a fresh context: whether a
	 * <select> was open outside it is saved here and restored at
	 * </template> (bits, HTML_SCAN_TEMPLATE_BITS deep; deeper templates
	 * restore "no select"). */
	uint64_t select_saved = 0;
	unsigned templates = 0;
	/* After <frameset> gumbo may ignore <script>, <style>... (in
	 * frameset mode), their text then being tags: the scan stops
	 * treating them as raw text, counting more rather than less. */
	bool frameset = false;
	while (i < n) {
		const char *lt = memchr(s + i, '<', n - i);
		if (!lt)
			break;
		size_t at = (size_t)(lt - s);
		i = at + 1;
		if (i >= n)
			break;
		if (s[i] == '!') { /* comment, doctype, CDATA, bogus comment */
			if (i + 2 < n && s[i + 1] == '-' && s[i + 2] == '-')
				i = past_comment(s, n, i + 3);
			else if (foreign && i + 8 < n && !memcmp(s + i + 1, "[CDATA[", 7)) {
				const char *q = memmem(s + i + 8, n - i - 8, "]]>", 3);
				i = q ? (size_t)(q - s) + 3 : n;
			} else
				i = past_gt(s, n, i);
			continue;
		}
		if (s[i] == '?') { /* bogus comment */
			i = past_gt(s, n, i);
			continue;
		}
		bool closing = s[i] == '/';
		if (closing) {
			i++;
			if (i >= n)
				break;
			if (s[i] == '>') { /* "</>" is dropped */
				i++;
				continue;
			}
			if (!ascii_alpha(s[i])) { /* "</ ..." is a bogus comment */
				i = past_gt(s, n, i);
				continue;
			}
		} else if (!ascii_alpha(s[i])) {
			continue; /* a '<' that is text */
		}
		char name[16];
		size_t attrs;
		bool self_closing;
		if (!closing && hk && hk->tag)
			hk->tag(hk->ud, at);
		i = scan_tag(s, n, i, name, &attrs, &self_closing, closing ? NULL : hk);
		if (!closing && hk && hk->tag_end)
			hk->tag_end(hk->ud, i);
		if (attrs > HTML_MAX_ATTRS)
			return err_set(e, NM_ELIMIT, "a tag with more than %d attributes; skipped",
				       HTML_MAX_ATTRS);
		if (closing) {
			if (foreign && (!strcmp(name, "svg") || !strcmp(name, "math")))
				foreign--;
			if (!strcmp(name, "select"))
				in_select = false;
			if (!strcmp(name, "template") && templates) {
				templates--;
				in_select = templates < HTML_SCAN_TEMPLATE_BITS &&
					    (select_saved >> templates & 1);
			}
			if (depth && !name_in(name, flat))
				depth--;
			continue;
		}
		if (!strcmp(name, "svg") || !strcmp(name, "math")) {
			if (!self_closing)
				foreign++;
		} else if (!foreign) {
			if (!strcmp(name, "template")) {
				if (templates < HTML_SCAN_TEMPLATE_BITS) {
					select_saved &= ~((uint64_t)1 << templates);
					select_saved |= (uint64_t)in_select << templates;
				}
				templates++;
				in_select = false;
			}
			if (!strcmp(name, "select"))
				in_select = !in_select; /* a <select> in a select closes it */
			else if (in_select && (!strcmp(name, "input") || !strcmp(name, "keygen") ||
					       !strcmp(name, "textarea")))
				in_select = false;
			if (!strcmp(name, "frameset"))
				frameset = true;
			if (!frameset && !strcmp(name, "script")) {
				i = script_end(s, n, i);
				continue;
			}
			if (!in_select && !strcmp(name, "plaintext"))
				break; /* the rest of the page is text */
			if (!in_select && name_in(name, rawtext) &&
			    (!frameset || !strcmp(name, "noframes"))) {
				size_t nl = strlen(name);
				while (i < n) {
					const char *q = memchr(s + i, '<', n - i);
					if (!q) {
						i = n;
						break;
					}
					i = (size_t)(q - s);
					if (is_end_tag_of(s, n, i, name, nl))
						break;
					i++;
				}
				continue;
			}
		}
		if (!(self_closing && foreign) && !name_in(name, flat) && ++depth > HTML_MAX_PRESCAN_DEPTH)
			return err_set(e, NM_ELIMIT, "page nesting deeper than %d; skipped",
				       HTML_MAX_PRESCAN_DEPTH);
	}
	return NM_OK;
}

enum nm_code html_prescan(const char *s, size_t n, struct nm_err *e)
{
	return html_prescan_hooked(s, n, NULL, e);
}

/* Arena memory kept mapped between pages: a 500 KB page's parse fits
 * (gumbo allocates about 12 times the page size), larger ones map more
 * and give it back. */
#define HTML_ARENA_KEEP ((size_t)8 * 1024 * 1024)

static void *gumbo_arena_alloc(void *ud, size_t n)
{
	return arena_alloc(ud, n);
}

static void gumbo_arena_free(void *ud, void *p)
{
	(void)ud;
	(void)p; /* the arena goes as a whole after the conversion */
}

enum nm_code html_parse(const char *s, size_t n, struct html_doc **out,
			struct nm_err *e)
{
	struct buf clean = BUF_INIT;
	utf8_sanitize(&clean, s, n);
	/* The scan reads the very bytes gumbo parses (fuzz_bounds checks that
	 * the two agree on every tag). */
	enum nm_code rc = html_prescan(clean.ptr ? clean.ptr : "", clean.len, e);
	if (rc) {
		buf_free(&clean);
		return rc;
	}
	struct html_doc *h = xcalloc(1, sizeof *h);
	h->len = clean.len;
	h->src = buf_detach(&clean);

	/* gumbo's tree lives only until it is converted: allocate it from an
	 * arena (frees are no-ops) and drop it in one go.  Faster parse, and
	 * no recursive gumbo_destroy_output.  The arena is the thread's, reset
	 * after each page keeping HTML_ARENA_KEEP bytes mapped, so a batch
	 * reuses the same memory page after page. */
	static _Thread_local struct arena tl_arena = ARENA_INIT;
	struct arena *ar = &tl_arena;
	GumboOptions opt = kGumboDefaultOptions;
	opt.max_errors = 0; /* we never read gumbo's error list */
	opt.allocator = gumbo_arena_alloc;
	opt.deallocator = gumbo_arena_free;
	opt.userdata = ar;
	GumboOutput *g = gumbo_parse_with_options(&opt, h->src, h->len);

	h->doc = htmlNewDocNoDtD(NULL, NULL);
	h->doc->dict = xmlDictCreate();
	convert(h, g->root);
	if (g->document->v.document.doc_type_quirks_mode == GUMBO_DOCTYPE_QUIRKS)
		h->doc->properties |= HTML_DOC_QUIRKS;
	arena_reset(ar, HTML_ARENA_KEEP);
	*out = h;
	return NM_OK;
}

void html_free(struct html_doc *h)
{
	if (!h)
		return;
	xmlFreeDoc(h->doc);
	free(h->src);
	free(h->spans);
	free(h);
}

bool html_inner_source(const struct html_doc *h, xmlNodePtr el, struct view *out)
{
	uintptr_t i = (uintptr_t)el->_private;
	if (!i || i > h->nspans)
		return false;
	out->p = h->src + h->spans[i - 1].start;
	out->n = h->spans[i - 1].end - h->spans[i - 1].start;
	return true;
}

void html_text(xmlNodePtr node, struct buf *out)
{
	if (!node)
		return;
	if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
		if (node->content)
			buf_puts(out, (const char *)node->content);
		return;
	}
	/* Iterative pre-order walk bounded to node's subtree. */
	xmlNodePtr n = node->children;
	while (n) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content)
				buf_puts(out, (const char *)n->content);
		} else if (n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		while (n && !n->next && n != node)
			n = n->parent;
		if (!n || n == node)
			break;
		n = n->next;
	}
}

static bool is_block(const xmlChar *name)
{
	static const char *const blocks[] = {
		"address", "article", "aside", "blockquote", "br", "dd", "details", "div",
		"dl", "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
		"h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
		"summary", "table", "td", "th", "tr", "ul", NULL};
	for (const char *const *b = blocks; *b; b++)
		if (xmlStrEqual(name, BAD_CAST * b))
			return true;
	return false;
}

void html_text_blocks(xmlNodePtr node, struct buf *out)
{
	if (!node)
		return;
	if (node->type != XML_ELEMENT_NODE) {
		html_text(node, out);
		return;
	}
	xmlNodePtr n = node->children;
	while (n) {
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content)
				buf_puts(out, (const char *)n->content);
		} else if (n->type == XML_ELEMENT_NODE) {
			bool skip = xmlStrEqual(n->name, BAD_CAST "script") ||
				    xmlStrEqual(n->name, BAD_CAST "style");
			if (is_block(n->name))
				buf_putc(out, '\n');
			if (n->children && !skip) {
				n = n->children;
				continue;
			}
		}
		/* leaving n, then every ancestor that has no next sibling */
		while (n && n != node && !n->next) {
			n = n->parent;
			if (n != node && n->type == XML_ELEMENT_NODE && is_block(n->name))
				buf_putc(out, '\n');
		}
		if (!n || n == node)
			break;
		if (n->type == XML_ELEMENT_NODE && n->children && is_block(n->name))
			buf_putc(out, '\n');
		n = n->next;
	}
}

static void dump(xmlNodePtr node, struct buf *out)
{
	xmlBufferPtr xb = xmlBufferCreate();
	htmlNodeDump(xb, node->doc, node);
	buf_put(out, xmlBufferContent(xb), (size_t)xmlBufferLength(xb));
	xmlBufferFree(xb);
}

void html_inner_html(xmlNodePtr node, struct buf *out)
{
	for (xmlNodePtr c = node->children; c; c = c->next)
		dump(c, out);
}

void html_outer_html(xmlNodePtr node, struct buf *out)
{
	dump(node, out);
}

xmlNodePtr html_body(const struct html_doc *h)
{
	if (!h || !h->doc)
		return NULL;
	xmlNodePtr root = xmlDocGetRootElement(h->doc);
	if (!root)
		return NULL;
	for (xmlNodePtr c = root->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST "body"))
			return c;
	return root;
}

/* ---- small DOM helpers ---- */

const char *html_attr(xmlNodePtr n, const char *name)
{
	if (!n || n->type != XML_ELEMENT_NODE)
		return NULL;
	for (xmlAttrPtr a = n->properties; a; a = a->next) {
		if (a->name[0] != (unsigned char)name[0] || strcmp((const char *)a->name, name) != 0)
			continue;
		/* the parser gives a value one text node; any other shape (entity
		 * references from a libxml2 parse) reads as empty, never as a
		 * fragment of the value */
		xmlNodePtr t = a->children;
		return t && t->type == XML_TEXT_NODE && !t->next && t->content
			       ? (const char *)t->content
			       : "";
	}
	return NULL;
}

int html_tag_cmp(const void *key, const void *entry)
{
	return strcmp(key, *(const char *const *)entry);
}

xmlNodePtr html_next(xmlNodePtr n, xmlNodePtr root, bool down)
{
	if (down && n->children &&
	    (n->type == XML_ELEMENT_NODE || n->type == XML_DOCUMENT_NODE ||
	     n->type == XML_HTML_DOCUMENT_NODE || n->type == XML_DOCUMENT_FRAG_NODE))
		return n->children;
	for (; n && n != root; n = n->parent)
		if (n->next)
			return n->next;
	return NULL;
}
