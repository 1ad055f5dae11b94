#include "tests/unit/unit.h"
#include "dom/html.h"
#include "dom/xpath.h"
#include "common/mem.h"

#include <stdlib.h>
#include <string.h>

static const char *xpage =
	"<html><head><title>Big news - The Daily</title></head><body>"
	"<div class='story main'><p id=a>one</p><p id=b>two <a href='/x'>link</a></p></div>"
	"<p id=c>three</p></body></html>";

static char *xstr(const char *expr)
{
	struct html_doc *h = NULL;
	html_parse(xpage, strlen(xpage), &h, NULL);
	struct xpath *x = NULL;
	struct nm_err e;
	err_clear(&e);
	char *out = NULL;
	if (xpath_compile(expr, &x, &e) != NM_OK || xpath_eval_string(x, (xmlNodePtr)h->doc, &out, &e) != NM_OK) {
		free(out);
		out = xstrdup(e.msg);
	}
	xpath_free(x);
	html_free(h);
	return out;
}

#define CHECK_XSTR(expr, expected)                                              \
	do {                                                                    \
		char *got_ = xstr(expr);                                        \
		if (strcmp(got_, expected))                                     \
			unit_fail(__FILE__, __LINE__, "%s -> \"%s\", expected \"%s\"", \
				  expr, got_, expected);                        \
		free(got_);                                                     \
	} while (0)

TEST(xpath_strings_and_numbers)
{
	CHECK_XSTR("substring-before(//title, ' - ')", "Big news");
	CHECK_XSTR("count(//p)", "3");
	CHECK_XSTR("count(//p) div 2", "1.5");
	CHECK_XSTR("//p[@id='b']", "two link");
	CHECK_XSTR("string(//a/@href)", "/x");
	CHECK_XSTR("boolean(//div)", "true");
	CHECK_XSTR("//nothing", "");
	CHECK_XSTR("normalize-space(concat(' a ', ' b '))", "a b");
}

TEST(xpath_node_sets)
{
	struct html_doc *h = NULL;
	html_parse(xpage, strlen(xpage), &h, NULL);
	struct xpath *x = NULL;
	CHECK_INT(xpath_compile("//div[contains(concat(' ', normalize-space(@class), ' '), ' story ')]//p",
				&x, NULL), NM_OK);
	xmlNodePtr *v = NULL;
	size_t n = 0;
	CHECK_INT(xpath_eval_nodes(x, (xmlNodePtr)h->doc, &v, &n, NULL), NM_OK);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR((const char *)v[0]->name, "p");
		/* relative evaluation from an element */
		struct xpath *rel = NULL;
		CHECK_INT(xpath_compile("following-sibling::p", &rel, NULL), NM_OK);
		xmlNodePtr *w = NULL;
		size_t m = 0;
		CHECK_INT(xpath_eval_nodes(rel, v[0], &w, &m, NULL), NM_OK);
		CHECK_INT(m, 1);
		free(w);
		xpath_free(rel);
	}
	free(v);
	xpath_free(x);

	struct xpath_result r;
	CHECK_INT(xpath_compile("//a/@href", &x, NULL), NM_OK);
	CHECK_INT(xpath_eval(x, (xmlNodePtr)h->doc, &r, NULL), NM_OK);
	CHECK_INT(r.kind, XPATH_R_NODES);
	CHECK_INT(r.n, 1);
	CHECK(r.n == 1 && r.nodes[0]->type == XML_ATTRIBUTE_NODE);
	xpath_result_free(&r);
	xpath_free(x);

	struct nm_err e;
	err_clear(&e);
	CHECK_INT(xpath_compile("count(//p)", &x, NULL), NM_OK);
	CHECK_INT(xpath_eval_nodes(x, (xmlNodePtr)h->doc, &v, &n, &e), NM_ESELECTOR);
	CHECK(strstr(e.msg, "not nodes") != NULL);
	xpath_free(x);
	html_free(h);
}

static void check_xerr(const char *expr, const char *want, unsigned col, int line)
{
	struct xpath *x = NULL;
	struct nm_err e;
	err_clear(&e);
	enum nm_code rc = xpath_compile(expr, &x, &e);
	if (rc != NM_ESELECTOR || !strstr(e.msg, want) || (col && e.col != col))
		unit_fail(__FILE__, line, "%s -> rc %d \"%s\" col %u, expected \"%s\" col %u",
			  expr, (int)rc, e.msg, e.col, want, col);
	xpath_free(x);
}

TEST(xpath_errors_are_reported_at_compile_time)
{
	check_xerr("//div[", "xpath '//div[' column", 0, __LINE__);
	check_xerr("//div[@class='x'", "invalid predicate", 17, __LINE__);
	check_xerr("nosuch(//p)", "unknown function", 0, __LINE__);
	check_xerr("$v", "undefined variable", 0, __LINE__);
	check_xerr("count('x')", "wrong argument type", 0, __LINE__);
	check_xerr("svg:rect", "namespace prefix", 0, __LINE__);
	check_xerr("", "expected an expression", 1, __LINE__);
	check_xerr("//p[@a='x]", "unterminated string", 0, __LINE__);
	struct buf b = BUF_INIT;
	for (int i = 0; i < 200; i++)
		buf_putc(&b, '(');
	buf_putc(&b, '1');
	for (int i = 0; i < 200; i++)
		buf_putc(&b, ')');
	check_xerr(buf_cstr(&b), "nesting deeper", 65, __LINE__);
	buf_free(&b);
	xpath_free(NULL);
}
