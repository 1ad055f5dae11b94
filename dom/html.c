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

enum nm_code html_prescan(const char *s, size_t n, struct nm_err *e)
{
	/* Void elements and those the parser closes when a sibling opens never
	 * deepen the tree; raw-text elements hide their content from tag
	 * scanning. */
	static const char *const flat[] = {
		"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
		"param", "source", "track", "wbr", "keygen", "p", "li", "dt", "dd", "tr",
		"td", "th", "option", "optgroup", "thead", "tbody", "tfoot", "rb", "rt",
		"rp", "colgroup", "caption", NULL};
	static const char *const rawtext[] = {"script", "style", "textarea", "title", "xmp",
					      "iframe", "noembed", "noframes", "plaintext",
					      NULL};
	size_t depth = 0, i = 0;
	while (i < n) {
		const char *lt = memchr(s + i, '<', n - i);
		if (!lt)
			break;
		i = (size_t)(lt - s) + 1;
		if (i >= n)
			break;
		if (s[i] == '!') { /* comment, doctype, CDATA */
			bool comment = i + 2 < n && s[i + 1] == '-' && s[i + 2] == '-';
			const char *end = comment ? memmem(s + i, n - i, "-->", 3) : memchr(s + i, '>', n - i);
			i = end ? (size_t)(end - s) + 1 : n;
			continue;
		}
		bool closing = s[i] == '/';
		if (closing)
			i++;
		if (i >= n || !isalpha((unsigned char)s[i]))
			continue;
		char name[16];
		size_t k = 0;
		while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == ':')) {
			if (k < sizeof name - 1)
				name[k++] = (char)tolower((unsigned char)s[i]);
			i++;
		}
		name[k] = '\0';
		/* attributes, up to the closing '>' (quotes respected) */
		size_t attrs = 0;
		bool in_name = false;
		while (i < n && s[i] != '>') {
			char c = s[i];
			if (c == '"' || c == '\'') {
				const char *q = memchr(s + i + 1, c, n - i - 1);
				i = q ? (size_t)(q - s) + 1 : n;
				in_name = false;
				continue;
			}
			bool sep = isspace((unsigned char)c) || c == '/' || c == '=';
			if (!sep && !in_name && !closing)
				attrs++;
			in_name = !sep;
			i++;
		}
		if (attrs > HTML_MAX_ATTRS)
			return err_set(e, NM_ELIMIT, "a tag with more than %d attributes; skipped",
				       HTML_MAX_ATTRS);
		if (closing) {
			if (depth && !name_in(name, flat))
				depth--;
			continue;
		}
		if (name_in(name, rawtext)) {
			/* skip to the matching end tag */
			size_t nl = strlen(name);
			while (i < n) {
				const char *q = memchr(s + i, '<', n - i);
				if (!q) {
					i = n;
					break;
				}
				i = (size_t)(q - s) + 1;
				if (i + nl < n && s[i] == '/' && !strncasecmp(s + i + 1, name, nl))
					break;
			}
			continue;
		}
		if (!name_in(name, flat) && ++depth > HTML_MAX_PRESCAN_DEPTH)
			return err_set(e, NM_ELIMIT, "page nesting deeper than %d; skipped",
				       HTML_MAX_PRESCAN_DEPTH);
	}
	return NM_OK;
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
	enum nm_code rc = html_prescan(s, n, e);
	if (rc)
		return rc;
	struct html_doc *h = xcalloc(1, sizeof *h);
	struct buf clean = BUF_INIT;

	utf8_sanitize(&clean, s, n);
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
	xmlNodePtr root = xmlDocGetRootElement(h->doc);
	if (!root)
		return NULL;
	for (xmlNodePtr c = root->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST "body"))
			return c;
	return root;
}
