/*
 * view.c - sanitised, annotated HTML for the studio's page and post views
 * (see view.h for why this keeps the page's script out of the studio).
 */
#include "studio/view.h"
#include "common/mem.h"
#include "dom/sel.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <cmark-gfm.h>

/* The highlight styles the studio's script switches on by setting
 * data-nm-hl on elements (hover, the body, clean steps, the picked one). */
static const char view_style[] =
	/* later rules win where several apply: hover > clean > picked > ... */
	"[data-nm-hl~=body]{outline:3px solid #1a7f37!important;outline-offset:-3px}"
	"[data-nm-hl~=field]{outline:2px solid #8250df!important;outline-offset:-2px}"
	"[data-nm-hl~=match]{outline:2px solid #bf8700!important;outline-offset:-2px;"
	"background:rgba(191,135,0,.10)!important}"
	"[data-nm-hl~=picked]{outline:3px solid #0969da!important;outline-offset:-3px}"
	"[data-nm-hl~=clean]{outline:3px dashed #cf222e!important;outline-offset:-3px;"
	"background:rgba(207,34,46,.12)!important}"
	"[data-nm-hl~=hover]{outline:2px solid #0969da!important;outline-offset:-2px;"
	"background:rgba(9,105,218,.10)!important;cursor:crosshair}";

size_t view_elements(const struct html_doc *h, xmlNodePtr **out)
{
	static struct sel *all;
	*out = NULL;
	if (!all && sel_compile("*", &all, NULL) != NM_OK)
		return 0;
	return sel_select(all, (xmlNodePtr)h->doc, out);
}

static bool name_in(const xmlChar *name, const char *const *list)
{
	for (int i = 0; list[i]; i++)
		if (!xmlStrcasecmp(name, BAD_CAST list[i]))
			return true;
	return false;
}

/* A URL a browser would run or render as a document of its own. */
static bool dangerous_url(const char *v)
{
	char s[32];
	size_t k = 0;
	for (const unsigned char *p = (const unsigned char *)v; *p && k + 1 < sizeof s; p++)
		if (*p > ' ' && *p != 0x7f) /* browsers skip these inside a scheme */
			s[k++] = (char)tolower(*p);
	s[k] = '\0';
	return !strncmp(s, "javascript:", 11) || !strncmp(s, "vbscript:", 9) ||
	       !strncmp(s, "data:text/html", 14) || !strncmp(s, "data:image/svg", 14) ||
	       !strncmp(s, "data:application", 16);
}

/* A style attribute that names a script URL or an old engine's script
 * hook (no current browser runs them; dropped all the same). */
static bool dangerous_style(const char *v)
{
	struct buf b = BUF_INIT;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p > ' ' && *p != '\\')
			buf_putc(&b, tolower(*p));
	const char *s = buf_cstr(&b);
	bool bad = strstr(s, "javascript:") || strstr(s, "vbscript:") || strstr(s, "expression(") ||
		   strstr(s, "behavior:") || strstr(s, "-moz-binding");
	buf_free(&b);
	return bad;
}

/* Elements dropped with everything inside. */
static bool drop_element(xmlNodePtr n)
{
	static const char *const tags[] = {"script",   "iframe",  "frame",    "frameset", "object",
					   "embed",    "applet",  "noscript", "portal",   "base",
					   "template", "xmp",     "plaintext", "noembed", "noframes",
					   "fencedframe", NULL};
	if (name_in(n->name, tags))
		return true;
	if (!xmlStrcasecmp(n->name, BAD_CAST "meta"))
		return xmlHasProp(n, BAD_CAST "http-equiv") != NULL;
	if (!xmlStrcasecmp(n->name, BAD_CAST "link")) {
		xmlChar *rel = xmlGetProp(n, BAD_CAST "rel");
		bool style = rel && xmlStrcasestr(rel, BAD_CAST "stylesheet") &&
			     !xmlStrcasestr(rel, BAD_CAST "import");
		xmlFree(rel);
		return !style;
	}
	if (!xmlStrcasecmp(n->name, BAD_CAST "style")) {
		/* raw text: a "</" could end the element when the browser re-parses */
		xmlChar *t = xmlNodeGetContent(n);
		bool bad = t && xmlStrstr(t, BAD_CAST "</");
		xmlFree(t);
		return bad;
	}
	if (!xmlStrcasecmp(n->name, BAD_CAST "set") || !xmlStrcasecmp(n->name, BAD_CAST "animate")) {
		xmlChar *a = xmlGetProp(n, BAD_CAST "attributeName");
		bool bad = a && xmlStrcasestr(a, BAD_CAST "href");
		xmlFree(a);
		return bad;
	}
	return false;
}

static void clean_attrs(xmlNodePtr n)
{
	static const char *const drop[] = {"srcdoc", "formaction", "action", "ping", "target",
					   "http-equiv", "autofocus", NULL};
	xmlAttrPtr a = n->properties;
	while (a) {
		xmlAttrPtr next = a->next;
		const xmlChar *an = a->name;
		xmlChar *v = xmlNodeGetContent((xmlNodePtr)a);
		bool bad = (tolower(an[0]) == 'o' && tolower(an[1]) == 'n') || name_in(an, drop) ||
			   (v && dangerous_url((const char *)v)) ||
			   (v && !xmlStrcasecmp(an, BAD_CAST "style") && dangerous_style((const char *)v));
		if (!bad && !xmlStrcasecmp(an, BAD_CAST "href") && !a->ns &&
		    (!xmlStrcasecmp(n->name, BAD_CAST "a") || !xmlStrcasecmp(n->name, BAD_CAST "area"))) {
			/* no navigation out of the frame; the URL stays readable */
			xmlSetProp(n, BAD_CAST "data-nm-href", v ? v : BAD_CAST "");
			bad = true;
		}
		xmlFree(v);
		if (bad)
			xmlRemoveProp(a);
		a = next;
	}
}

void view_sanitise(xmlDocPtr doc)
{
	xmlNodePtr root = (xmlNodePtr)doc, n = doc->children;
	while (n) {
		bool drop = false;
		if (n->type == XML_ELEMENT_NODE) {
			drop = drop_element(n);
			if (!drop)
				clean_attrs(n);
		} else if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE) {
			drop = true;
		}
		xmlNodePtr next;
		if (!drop && n->type == XML_ELEMENT_NODE && n->children) {
			next = n->children;
		} else {
			xmlNodePtr c = n;
			while (c && c != root && !c->next)
				c = c->parent;
			next = c && c != root ? c->next : NULL;
		}
		if (drop) {
			xmlUnlinkNode(n);
			xmlFreeNode(n);
		}
		n = next;
	}
}

static xmlNodePtr child_named(xmlNodePtr parent, const char *name)
{
	for (xmlNodePtr c = parent ? parent->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST name))
			return c;
	return NULL;
}

/* Adds the studio's <head> items: charset, no referrer, base, styles. */
static void add_head(xmlDocPtr doc, const char *base_url)
{
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (!root)
		return;
	xmlNodePtr head = child_named(root, "head");
	if (!head) {
		head = xmlNewDocNode(doc, NULL, BAD_CAST "head", NULL);
		if (root->children)
			xmlAddPrevSibling(root->children, head);
		else
			xmlAddChild(root, head);
	}
	xmlNodePtr items[4];
	size_t k = 0;
	items[k] = xmlNewDocNode(doc, NULL, BAD_CAST "meta", NULL);
	xmlSetProp(items[k++], BAD_CAST "charset", BAD_CAST "utf-8");
	items[k] = xmlNewDocNode(doc, NULL, BAD_CAST "meta", NULL);
	xmlSetProp(items[k], BAD_CAST "name", BAD_CAST "referrer");
	xmlSetProp(items[k++], BAD_CAST "content", BAD_CAST "no-referrer");
	if (base_url && (!strncmp(base_url, "http://", 7) || !strncmp(base_url, "https://", 8))) {
		items[k] = xmlNewDocNode(doc, NULL, BAD_CAST "base", NULL);
		xmlSetProp(items[k++], BAD_CAST "href", BAD_CAST base_url);
	}
	items[k++] = xmlNewDocRawNode(doc, NULL, BAD_CAST "style", BAD_CAST view_style);
	for (size_t i = k; i-- > 0;) {
		if (head->children)
			xmlAddPrevSibling(head->children, items[i]);
		else
			xmlAddChild(head, items[i]);
	}
}

static void serialise(xmlDocPtr doc, struct buf *out)
{
	buf_puts(out, "<!DOCTYPE html>\n");
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (root)
		html_outer_html(root, out);
}

enum nm_code view_page(const char *text, size_t n, const char *base_url, struct buf *out,
		       struct nm_err *e)
{
	struct html_doc *h = NULL;
	enum nm_code rc = html_parse(text, n, &h, e);
	if (rc)
		return rc;
	xmlNodePtr *els = NULL;
	size_t k = view_elements(h, &els);
	for (size_t i = 0; i < k; i++) {
		/* the page's own data-nm-* attributes could impersonate ours */
		for (xmlAttrPtr a = els[i]->properties, next; a; a = next) {
			next = a->next;
			if (!xmlStrncasecmp(a->name, BAD_CAST "data-nm-", 8))
				xmlRemoveProp(a);
		}
		char num[32];
		snprintf(num, sizeof num, "%zu", i);
		xmlSetProp(els[i], BAD_CAST VIEW_INDEX_ATTR, BAD_CAST num);
	}
	free(els);
	/* numbered before anything is dropped: the numbers are the page's */
	view_sanitise(h->doc);
	add_head(h->doc, base_url);
	serialise(h->doc, out);
	html_free(h);
	return NM_OK;
}

void view_render_post(const char *post, size_t n, const char *base_url, struct buf *out)
{
	/* the front matter is the site generator's, not the reader's */
	const char *md = post;
	size_t mlen = n;
	if (n >= 4 && !strncmp(post, "---\n", 4)) {
		/* the closing "---" line */
		for (size_t i = 3; i + 4 <= n; i++)
			if (post[i] == '\n' && !strncmp(post + i + 1, "---", 3) &&
			    (i + 4 == n || post[i + 4] == '\n')) {
				md = post + i + 4;
				mlen = n - (i + 4);
				break;
			}
	}
	cmark_gfm_core_extensions_ensure_registered();
	cmark_parser *parser = cmark_parser_new(CMARK_OPT_UNSAFE);
	static const char *const exts[] = {"table", "strikethrough", "autolink", "tagfilter", NULL};
	for (int i = 0; exts[i]; i++) {
		cmark_syntax_extension *x = cmark_find_syntax_extension(exts[i]);
		if (x)
			cmark_parser_attach_syntax_extension(parser, x);
	}
	cmark_parser_feed(parser, md, mlen);
	cmark_node *doc = cmark_parser_finish(parser);
	char *html = cmark_render_html(doc, CMARK_OPT_UNSAFE, cmark_parser_get_syntax_extensions(parser));
	struct buf page = BUF_INIT;
	buf_printf(&page, "<!DOCTYPE html><html><head></head><body class=\"nm-post\">%s</body></html>",
		   html ? html : "");
	free(html);
	cmark_node_free(doc);
	cmark_parser_free(parser);
	struct html_doc *h = NULL;
	struct nm_err e;
	if (html_parse(buf_cstr(&page), page.len, &h, &e) == NM_OK) {
		view_sanitise(h->doc);
		add_head(h->doc, base_url);
		serialise(h->doc, out);
		html_free(h);
	}
	buf_free(&page);
}
