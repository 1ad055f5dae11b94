#include "tests/unit/unit.h"
#include "dom/html.h"
#include "common/utf8.h"

#include <string.h>

TEST(html_parse_builds_dom_with_inner_source)
{
	const char *src = "<html><body><div id=a>x<p>hi <b>there</b></p></div></body></html>";
	struct html_doc *h = NULL;
	struct nm_err e;
	err_clear(&e);
	CHECK_INT(html_parse(src, strlen(src), &h, &e), NM_OK);
	xmlNodePtr body = html_body(h);
	CHECK_STR((const char *)body->name, "body");
	xmlNodePtr div = body->children;
	CHECK_STR((const char *)div->name, "div");
	struct view v;
	CHECK(html_inner_source(h, div, &v));
	CHECK_INT(v.n, strlen("x<p>hi <b>there</b></p>"));
	CHECK(memcmp(v.p, "x<p>hi <b>there</b></p>", v.n) == 0);
	struct buf t = BUF_INIT;
	html_text(div, &t);
	CHECK_STR(buf_cstr(&t), "xhi there");
	buf_free(&t);
	html_free(h);
}

TEST(html_parse_cuts_nesting_beyond_bound)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < HTML_MAX_DEPTH + 50; i++)
		buf_puts(&b, "<span>");
	buf_puts(&b, "deep");
	struct html_doc *h = NULL;
	CHECK_INT(html_parse(b.ptr, b.len, &h, NULL), NM_OK);
	CHECK(h->truncated);
	html_free(h);
	buf_free(&b);
}

TEST(utf8_sanitize_replaces_invalid_and_drops_nul)
{
	struct buf b = BUF_INIT;
	utf8_sanitize(&b, "a\xff" "b\0c\xe4\xb8\xad", 8);
	CHECK_STR(buf_cstr(&b), "a\xef\xbf\xbd" "bc\xe4\xb8\xad");
	CHECK(utf8_valid(b.ptr, b.len));
	CHECK(!utf8_valid("\xc0\x80", 2));
	CHECK(!utf8_valid("\xed\xa0\x80", 3));
	buf_free(&b);
}

TEST(html_prescan_refuses_deep_nesting_and_attribute_floods)
{
	struct buf b = BUF_INIT;
	struct nm_err e;
	struct html_doc *h = NULL;
	for (int i = 0; i < HTML_MAX_PRESCAN_DEPTH + 1; i++)
		buf_puts(&b, "<div>");
	err_clear(&e);
	CHECK_INT(html_parse(b.ptr, b.len, &h, &e), NM_ELIMIT);
	CHECK_STR(e.msg, "page nesting deeper than 2000; skipped");
	/* siblings that close each other, voids and raw text do not nest */
	buf_clear(&b);
	for (int i = 0; i < 5000; i++)
		buf_puts(&b, "<p>x<li>y<br><img src=a><script><div><div></script>");
	CHECK_INT(html_prescan(b.ptr, b.len, NULL), NM_OK);
	buf_clear(&b);
	buf_puts(&b, "<div");
	for (int i = 0; i < HTML_MAX_ATTRS + 1; i++)
		buf_printf(&b, " a%d=\"1 2\"", i);
	buf_puts(&b, ">");
	err_clear(&e);
	CHECK_INT(html_prescan(b.ptr, b.len, &e), NM_ELIMIT);
	CHECK(strstr(e.msg, "attributes") != NULL);
	buf_free(&b);
}

/* A stray quote after an attribute is an attribute name to the HTML
 * tokenizer (`<div x="1" ">` has two attributes, x and "); a scan that
 * read it as an opening quote counted the page's prose up to the next
 * quote as attributes and refused a real article. */
TEST(html_prescan_follows_the_tokenizer_on_stray_quotes)
{
	struct buf b = BUF_INIT;
	struct html_doc *h = NULL;
	struct nm_err e;
	buf_puts(&b, "<html><body><div class=\"story\" \"><p>");
	for (int i = 0; i < 800; i++)
		buf_puts(&b, "word and word ");
	buf_puts(&b, "</p><p title=\"a \"quoted\" b\">end</p></div></body></html>");
	err_clear(&e);
	CHECK_INT(html_parse(b.ptr, b.len, &h, &e), NM_OK);
	CHECK(h != NULL);
	html_free(h);
	h = NULL;
	/* a script's escaped "<!-- <script>" part and a comment's "--!>" end
	 * hide no tags from the scan, and expose none */
	buf_clear(&b);
	buf_puts(&b, "<script><!-- <script> </script> <a");
	for (int i = 0; i < HTML_MAX_ATTRS + 1; i++)
		buf_printf(&b, " a%d", i);
	buf_puts(&b, "> --></script><!-- x --!><p>ok</p>");
	CHECK_INT(html_prescan(b.ptr, b.len, NULL), NM_OK);
	/* the same flood as a real tag is refused */
	buf_clear(&b);
	buf_puts(&b, "<p x=\"1\" \"");
	for (int i = 0; i < HTML_MAX_ATTRS + 1; i++)
		buf_printf(&b, " a%d", i);
	buf_puts(&b, ">");
	err_clear(&e);
	CHECK_INT(html_prescan(b.ptr, b.len, &e), NM_ELIMIT);
	buf_free(&b);
}

/* ---- shared DOM helpers ---- */

static xmlNodePtr find_el(xmlNodePtr root, const char *name)
{
	for (xmlNodePtr n = root; n; n = html_next(n, root, true))
		if (n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name))
			return n;
	return NULL;
}

TEST(html_attr_absent_empty_and_valued)
{
	const char *src = "<body><input ID=x disabled value=\"\" data-k='v'>"
			  "<svg><a xlink:href=\"#t\" viewBox=\"0 0 1 1\"></a></svg></body>";
	struct html_doc *h = NULL;
	CHECK_INT(html_parse(src, strlen(src), &h, NULL), NM_OK);
	xmlNodePtr in = find_el(html_body(h), "input");
	CHECK(in != NULL);
	CHECK_STR(html_attr(in, "id"), "x"); /* the parser lower-cased ID */
	CHECK(html_attr(in, "ID") == NULL);   /* names match exactly */
	CHECK_STR(html_attr(in, "disabled"), "");
	CHECK_STR(html_attr(in, "value"), "");
	CHECK_STR(html_attr(in, "data-k"), "v");
	CHECK(html_attr(in, "class") == NULL);
	CHECK(html_attr(in, "d") == NULL); /* a prefix of data-k is not a match */
	xmlNodePtr a = find_el(html_body(h), "a");
	CHECK(a != NULL);
	CHECK_STR(html_attr(a, "xlink:href"), "#t");
	CHECK(html_attr(a, "href") == NULL);
	CHECK_STR(html_attr(a, "viewBox"), "0 0 1 1"); /* SVG keeps its case */
	CHECK(html_attr(NULL, "id") == NULL);
	html_free(h);
}

TEST(html_attr_without_value_node_reads_empty)
{
	xmlDocPtr d = xmlNewDoc((const xmlChar *)"1.0");
	xmlNodePtr el = xmlNewDocNode(d, NULL, (const xmlChar *)"p", NULL);
	xmlDocSetRootElement(d, el);
	xmlAttrPtr a = xmlNewProp(el, (const xmlChar *)"title", NULL);
	CHECK(a != NULL);
	CHECK_STR(html_attr(el, "title"), ""); /* no value node at all */
	xmlSetProp(el, (const xmlChar *)"title", (const xmlChar *)"t");
	CHECK_STR(html_attr(el, "title"), "t");
	CHECK(html_attr((xmlNodePtr)d, "title") == NULL); /* not an element */
	xmlFreeDoc(d);
}

struct tag_row {
	const char *name;
	int v;
};

TEST(html_tag_cmp_finds_by_name)
{
	static const struct tag_row rows[] = {{"a", 1}, {"div", 2}, {"p", 3}, {"table", 4}};
	size_t n = sizeof rows / sizeof rows[0];
	const struct tag_row *r = bsearch("p", rows, n, sizeof rows[0], html_tag_cmp);
	CHECK(r && r->v == 3);
	r = bsearch((const xmlChar *)"a", rows, n, sizeof rows[0], html_tag_cmp);
	CHECK(r && r->v == 1);
	CHECK(bsearch("span", rows, n, sizeof rows[0], html_tag_cmp) == NULL);
	CHECK(bsearch("", rows, n, sizeof rows[0], html_tag_cmp) == NULL);
}

TEST(html_next_walks_document_order)
{
	const char *src = "<body><div id=r><p>a<b>b</b></p><i>c</i></div><span>after</span></body>";
	struct html_doc *h = NULL;
	CHECK_INT(html_parse(src, strlen(src), &h, NULL), NM_OK);
	xmlNodePtr root = find_el(html_body(h), "div");
	CHECK(root != NULL);
	struct buf seq = BUF_INIT;
	for (xmlNodePtr n = html_next(root, root, true); n; n = html_next(n, root, true)) {
		buf_puts(&seq, n->type == XML_TEXT_NODE ? (const char *)n->content
							 : (const char *)n->name);
		buf_putc(&seq, ' ');
	}
	/* pre-order, never leaving root (no "span", no "after") */
	CHECK_STR(buf_cstr(&seq), "p a b b i c ");
	/* down = false skips a subtree: from <p> straight to <i> */
	xmlNodePtr p = root->children;
	CHECK_STR((const char *)html_next(p, root, false)->name, "i");
	/* the last node of the subtree ends the walk, down or not */
	xmlNodePtr c = root->children->next->children;
	CHECK(html_next(c, root, true) == NULL);
	CHECK(html_next(root, root, false) == NULL);
	/* the walk over the whole document reaches everything once */
	size_t count = 0;
	for (xmlNodePtr n = (xmlNodePtr)h->doc; n; n = html_next(n, (xmlNodePtr)h->doc, true))
		count += n->type == XML_ELEMENT_NODE;
	CHECK_INT(count, 8); /* html head body div p b i span */
	buf_free(&seq);
	html_free(h);
}
