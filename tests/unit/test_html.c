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
