#include "tests/unit/unit.h"
#include "dom/html.h"
#include "dom/sel.h"
#include "common/buf.h"
#include "common/file.h"
#include "common/mem.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The page most tests select from: every element has an id naming it. */
static const char *page =
	"<!DOCTYPE html><html id=html lang=en-GB><head id=head><title id=title>T</title></head>"
	"<body id=body class='page Main'>"
	"<div id=d1 class='a b' data-x='foo-bar baz' title='Hello World'>"
	"<p id=p1 class=a>one <b id=b1>bold</b></p>"
	"<p id=p2 class='b c'>two</p>"
	"<span id=s1></span>"
	"<p id=p3><!-- c --></p>"
	"</div>"
	"<div id=d2 lang=zh-CN><h2 id=h1>Head</h2><p id=p4 class='中文'>四</p>"
	"<img id=i1 src='x.png' alt=''><a id=a1 href='/x.pdf'>pdf</a><a id=a2 name=n>no href</a></div>"
	"<ul id=ul><li id=l1>1</li><li id=l2>2</li><li id=l3>3</li><li id=l4>4</li><li id=l5>5</li></ul>"
	"<div id='10' class='x:y'></div>"
	"<template id=t><p id=tp>in template</p></template>"
	"</body></html>";

static struct html_doc *doc_of(const char *src)
{
	struct html_doc *h = NULL;
	if (html_parse(src, strlen(src), &h, NULL) != NM_OK)
		return NULL;
	return h;
}

/* Space-separated ids of the matches of selector in src ("!" + message on
 * a compile error). Caller frees. */
static char *ids_in(const char *src, const char *selector)
{
	struct nm_err e;
	err_clear(&e);
	struct sel *s = NULL;
	if (sel_compile(selector, &s, &e) != NM_OK) {
		struct buf b = BUF_INIT;
		buf_printf(&b, "!%s", e.msg);
		return buf_detach(&b);
	}
	struct html_doc *h = doc_of(src);
	xmlNodePtr *v = NULL;
	size_t n = sel_select(s, (xmlNodePtr)h->doc, &v);
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		xmlChar *id = xmlGetProp(v[i], BAD_CAST "id");
		buf_printf(&b, "%s%s", i ? " " : "", id ? (const char *)id : (const char *)v[i]->name);
		xmlFree(id);
	}
	free(v);
	html_free(h);
	sel_free(s);
	return buf_detach(&b);
}

#define CHECK_SEL(selector, expected)                                  \
	do {                                                           \
		char *got_ = ids_in(page, selector);                   \
		if (strcmp(got_, expected) != 0)                       \
			unit_fail(__FILE__, __LINE__, "'%s' -> \"%s\", expected \"%s\"", \
				  selector, got_, expected);           \
		free(got_);                                            \
	} while (0)

/* The error message of a selector that must not compile. */
static char *err_of(const char *selector, unsigned *col)
{
	struct nm_err e;
	err_clear(&e);
	struct sel *s = NULL;
	enum nm_code rc = sel_compile(selector, &s, &e);
	sel_free(s);
	*col = e.col;
	return rc == NM_ESELECTOR ? xstrdup(e.msg) : xstrdup("(compiled)");
}

#define CHECK_ERR(selector, column, expected)                              \
	do {                                                               \
		unsigned col_;                                             \
		char *m_ = err_of(selector, &col_);                        \
		if (!strstr(m_, expected) || col_ != (column))            \
			unit_fail(__FILE__, __LINE__, "'%s' -> \"%s\" (col %u), expected \"%s\" at column %u", \
				  selector, m_, col_, expected, (unsigned)(column)); \
		free(m_);                                                  \
	} while (0)

TEST(sel_basic_forms)
{
	CHECK_SEL("p", "p1 p2 p3 p4");
	CHECK_SEL("P", "p1 p2 p3 p4");
	CHECK_SEL("#p2", "p2");
	CHECK_SEL(".a", "d1 p1");
	CHECK_SEL(".A", "");
	CHECK_SEL("p.b.c", "p2");
	CHECK_SEL("div p", "p1 p2 p3 p4");
	CHECK_SEL("body > div > p.a", "p1");
	CHECK_SEL("[href]", "a1");
	CHECK_SEL("[HREF]", "a1");
	CHECK_SEL("[class=a]", "p1");
	CHECK_SEL("*", "html head title body d1 p1 b1 p2 s1 p3 d2 h1 p4 i1 a1 a2 ul l1 l2 l3 l4 l5 10 t");
	CHECK_SEL("div *", "p1 b1 p2 s1 p3 h1 p4 i1 a1 a2");
	CHECK_SEL("li, h2", "h1 l1 l2 l3 l4 l5");
	CHECK_SEL("#nope", "");
}

TEST(sel_attribute_forms)
{
	CHECK_SEL("[data-x~=baz]", "d1");
	CHECK_SEL("[data-x~=foo]", "");
	CHECK_SEL("[data-x|=foo]", "d1");
	CHECK_SEL("[lang|=zh]", "d2");
	CHECK_SEL("[lang|=en]", "html");
	CHECK_SEL("[href^='/x']", "a1");
	CHECK_SEL("[href$=\".PDF\" i]", "a1");
	CHECK_SEL("[href$=\".PDF\"]", "");
	CHECK_SEL("[href$=\".PDF\" s]", "");
	CHECK_SEL("[title*='lo W']", "d1");
	CHECK_SEL("[title*='']", "");
	CHECK_SEL("[alt='']", "i1");
	CHECK_SEL("[alt]", "i1");
	CHECK_SEL("[title='hello world' i]", "d1");
	CHECK_SEL("[ title = \"Hello World\" ]", "d1");
	CHECK_SEL("[data-x~='foo-bar baz']", "");
	CHECK_SEL("[*|href]", "a1");
	CHECK_SEL("[|href]", "a1");
}

TEST(sel_structural)
{
	CHECK_SEL("li:first-child", "l1");
	CHECK_SEL("li:last-child", "l5");
	CHECK_SEL("b:only-child", "b1"); /* text does not count */
	CHECK_SEL("title:only-child", "title");
	CHECK_SEL("li:nth-child(2n+1)", "l1 l3 l5");
	CHECK_SEL("li:nth-child(odd)", "l1 l3 l5");
	CHECK_SEL("li:nth-child(EVEN)", "l2 l4");
	CHECK_SEL("li:nth-child(-n+2)", "l1 l2");
	CHECK_SEL("li:nth-child( 3n - 1 )", "l2 l5");
	CHECK_SEL("li:nth-child(n- 4)", "l1 l2 l3 l4 l5");
	CHECK_SEL("li:nth-child(0n+3)", "l3");
	CHECK_SEL("li:nth-child(3)", "l3");
	CHECK_SEL("li:nth-last-child(2)", "l4");
	CHECK_SEL("li:nth-last-child(-n+2)", "l4 l5");
	CHECK_SEL("#d1 > :nth-of-type(2)", "p2");
	CHECK_SEL("#d1 > p:nth-last-of-type(1)", "p3");
	CHECK_SEL("#d1 > :first-of-type", "p1 s1");
	CHECK_SEL("#d1 > :last-of-type", "s1 p3");
	CHECK_SEL("#d1 > :only-of-type", "s1");
	CHECK_SEL("p:empty, span:empty", "s1 p3");
	CHECK_SEL(":root", "html");
	CHECK_SEL("li:nth-child(2n of :not(#l1))", "l3 l5");
	CHECK_SEL("li + li", "l2 l3 l4 l5");
	CHECK_SEL("#l2 ~ li", "l3 l4 l5");
	CHECK_SEL("h2 + p + img ~ a", "a1 a2");
}

TEST(sel_level4_and_contains)
{
	CHECK_SEL("p:not(.a)", "p2 p3 p4");
	CHECK_SEL("p:not(.a, .c)", "p3 p4");
	CHECK_SEL("p:not(div > p)", "");
	CHECK_SEL(":is(h2, span)", "s1 h1");
	CHECK_SEL(":where(#d2) > *", "h1 p4 i1 a1 a2");
	CHECK_SEL("div:has(> h2)", "d2");
	CHECK_SEL("div:has(b)", "d1");
	CHECK_SEL("p:has(+ p)", "p1");
	CHECK_SEL("p:has(~ span)", "p1 p2");
	CHECK_SEL("h2:has(+ p.中文)", "h1");
	CHECK_SEL("body > :has(li:nth-child(5))", "ul");
	CHECK_SEL("p:contains('two')", "p2");
	CHECK_SEL("p:contains(\"one bo\")", "p1");
	CHECK_SEL("div:contains(bold)", "d1");
	CHECK_SEL("p:contains(nothing)", "");
	CHECK_SEL(":lang(zh) > *", "h1 p4 i1 a1 a2");
	CHECK_SEL("li:lang(en)", "l1 l2 l3 l4 l5");
	CHECK_SEL("a:link", "a1");
	CHECK_SEL(":any-link", "a1");
}

TEST(sel_escapes_and_unicode)
{
	CHECK_SEL("#\\31 0", "10");
	CHECK_SEL("#\\31\\30", "10");
	CHECK_SEL(".x\\:y", "10");
	CHECK_SEL(".中文", "p4");
	CHECK_SEL(".\\4e2d\\6587", "p4");
	CHECK_SEL("[class=\"\\4e2d\\6587\"]", "p4");
	CHECK_SEL("\\70", "p1 p2 p3 p4");
	CHECK_SEL("div/* comment */ > /**/p.a", "p1");
}

TEST(sel_template_contents_are_not_in_the_tree)
{
	CHECK_SEL("#tp", "");
	CHECK_SEL("template p", "");
	CHECK_SEL("template:empty", "t");
}

TEST(sel_errors_name_column_and_expectation)
{
	CHECK_ERR("div[class=", 11, "selector 'div[class=' column 11: expected attribute value or ']'");
	CHECK_ERR("", 1, "expected a selector");
	CHECK_ERR("div,", 5, "expected a selector");
	CHECK_ERR("div >", 6, "expected a selector after '>'");
	CHECK_ERR("div > > p", 7, "expected a selector after '>', found '>'");
	CHECK_ERR("div[", 5, "expected attribute name");
	CHECK_ERR("div[a", 6, "expected attribute operator or ']'");
	CHECK_ERR("div[a=b", 8, "expected ']'");
	CHECK_ERR("a:hover", 2, "user interaction");
	CHECK_ERR("p::before", 2, "pseudo-element '::before'");
	CHECK_ERR("li:eq(1)", 3, "jQuery extension");
	CHECK_ERR("p:foo", 2, "unknown pseudo-class ':foo'");
	CHECK_ERR("p:nth-child(x)", 13, "expected An+B");
	CHECK_ERR("p:nth-child(2n 1)", 16, "expected '+' or '-'");
	CHECK_ERR("p:nth-child(+ n)", 14, "expected An+B");
	CHECK_ERR("#1a", 2, "expected an identifier after '#'");
	CHECK_ERR("p)", 2, "unexpected ')'");
	CHECK_ERR("p:not(a", 8, "expected ')'");
	CHECK_ERR("p:has(a:has(b))", 8, ":has() cannot be nested");
	CHECK_ERR("[a='x", 4, "unterminated string");
	CHECK_ERR("中文 >", 5, "expected a selector after '>'");
	CHECK_ERR("p.", 3, "expected a class name");
	CHECK_ERR("[a]div", 4, "type selector must come first");
	CHECK_ERR("svg|rect", 1, "namespace");
	CHECK_ERR("p /* x", 3, "unterminated comment");
	struct buf b = BUF_INIT;
	for (int i = 0; i < SEL_MAX_NESTING + 1; i++)
		buf_puts(&b, ":not(");
	buf_puts(&b, "a");
	for (int i = 0; i < SEL_MAX_NESTING + 1; i++)
		buf_puts(&b, ")");
	unsigned col;
	char *m = err_of(buf_cstr(&b), &col);
	CHECK(strstr(m, "nesting deeper than") != NULL);
	free(m);
	buf_free(&b);
}

TEST(sel_scope_first_matches_and_index)
{
	struct html_doc *h = doc_of(page);
	struct sel *s = NULL, *all = NULL;
	CHECK_INT(sel_compile("p", &s, NULL), NM_OK);
	CHECK_INT(sel_compile(":scope > p", &all, NULL), NM_OK);
	xmlNodePtr d2 = NULL;
	struct sel *sd = NULL;
	CHECK_INT(sel_compile("#d2", &sd, NULL), NM_OK);
	d2 = sel_first(sd, (xmlNodePtr)h->doc);
	CHECK(d2 != NULL);
	xmlNodePtr *v = NULL;
	CHECK_INT(sel_select(s, d2, &v), 1);
	free(v);
	CHECK_INT(sel_select(all, d2, &v), 1);
	CHECK(sel_matches(s, v[0]));
	CHECK(!sel_matches(sd, v[0]));
	size_t idx[1];
	sel_doc_index(v, 1, idx);
	CHECK_INT(idx[0], 12); /* html head title body d1 p1 b1 p2 s1 p3 d2 h1 p4 */
	free(v);
	CHECK(sel_first(s, d2) != NULL);
	CHECK(!sel_matches(s, d2));
	CHECK(!sel_matches(NULL, d2));
	sel_free(s);
	sel_free(all);
	sel_free(sd);
	sel_free(NULL);
	html_free(h);
}

TEST(sel_compiled_selector_is_reusable_across_documents)
{
	struct sel *s = NULL;
	CHECK_INT(sel_compile("li:nth-child(2)", &s, NULL), NM_OK);
	for (int round = 0; round < 3; round++) {
		struct html_doc *h = doc_of("<ul><li>a<li>b<li>c</ul><ol><li>x<li>y</ol>");
		xmlNodePtr *v = NULL;
		CHECK_INT(sel_select(s, (xmlNodePtr)h->doc, &v), 2);
		free(v);
		html_free(h);
	}
	CHECK_STR(sel_source(s), "li:nth-child(2)");
	sel_free(s);
}

TEST(sel_quirks_mode_ids_and_classes_ignore_case)
{
	/* no doctype: quirks mode, as in a browser */
	char *got = ids_in("<div id=A class='Content'></div><p id=b class=x>", ".content, #a");
	CHECK_STR(got, "A");
	free(got);
	got = ids_in("<!DOCTYPE html><div id=A class='Content'></div>", ".content, #a");
	CHECK_STR(got, "");
	free(got);
}

static double elapsed_ms(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Runs selector on h and fails when it takes more than limit_ms; returns
 * the match count. */
static size_t timed_select(struct html_doc *h, const char *selector, double limit_ms, int line)
{
	struct sel *s = NULL;
	struct nm_err e;
	if (sel_compile(selector, &s, &e) != NM_OK) {
		unit_fail(__FILE__, line, "%s", e.msg);
		return 0;
	}
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	xmlNodePtr *v = NULL;
	size_t n = sel_select(s, (xmlNodePtr)h->doc, &v);
	double ms = elapsed_ms(&t0);
	if (unit_timing() && ms > limit_ms)
		unit_fail(__FILE__, line, "'%s' took %.0f ms (limit %.0f)", selector, ms, limit_ms);
	free(v);
	sel_free(s);
	return n;
}

/* Time limits are ~100x the expected cost: they catch quadratic or
 * exponential behaviour, not slow machines or sanitizers. */
TEST(sel_pathological_deep_nesting)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < HTML_MAX_DEPTH + 100; i++)
		buf_puts(&b, "<div class=a>");
	struct html_doc *h = doc_of(b.ptr);
	/* naive backtracking would try every ancestor for every compound */
	CHECK_INT(timed_select(h, "div div div div div div div div div div div div div div div div p", 2000, __LINE__), 0);
	CHECK_INT(timed_select(h, ".a .a .a .a .a .a .a .a .a .a .a .a .a .a .a .a .b", 2000, __LINE__), 0);
	CHECK(timed_select(h, "div > div div > div div > div", 2000, __LINE__) > 400);
	CHECK_INT(timed_select(h, "span:not(.a) div div div div div div div div", 2000, __LINE__), 0);
	CHECK_INT(timed_select(h, "div:has(p)", 4000, __LINE__), 0);
	CHECK(timed_select(h, "div:contains('x') div", 4000, __LINE__) == 0);
	html_free(h);
	buf_free(&b);
}

TEST(sel_pathological_wide_sibling_lists)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "<ul>");
	for (int i = 0; i < 30000; i++)
		buf_printf(&b, "<li class=i%d>x</li>", i % 5);
	buf_puts(&b, "</ul>");
	struct html_doc *h = doc_of(b.ptr);
	/* each sibling position must be counted about once, not per element */
	CHECK_INT(timed_select(h, "li:nth-child(2n+1)", 2000, __LINE__), 15000);
	CHECK_INT(timed_select(h, "li:nth-last-child(3n)", 2000, __LINE__), 10000);
	CHECK_INT(timed_select(h, "li:nth-of-type(7)", 2000, __LINE__), 1);
	CHECK_INT(timed_select(h, "li:nth-last-of-type(-n+3)", 2000, __LINE__), 3);
	CHECK_INT(timed_select(h, "li:nth-child(odd of .i1)", 2000, __LINE__), 3000);
	CHECK_INT(timed_select(h, "li:only-child, li:only-of-type", 2000, __LINE__), 0);
	/* "x ~ y" with no x must not rescan all previous siblings per element */
	CHECK_INT(timed_select(h, ".none ~ li", 2000, __LINE__), 0);
	CHECK_INT(timed_select(h, ".i4 ~ .i3", 2000, __LINE__), 5999);
	CHECK_INT(timed_select(h, ".none ~ li ~ li", 2000, __LINE__), 0);
	CHECK_INT(timed_select(h, "li:last-child ~ li, .none + li", 2000, __LINE__), 0);
	html_free(h);
	buf_free(&b);
}

TEST(sel_pathological_huge_attribute_and_long_selector)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "<div class='");
	for (int i = 0; i < 200000; i++)
		buf_puts(&b, "ab ");
	buf_puts(&b, "'></div>");
	struct html_doc *h = doc_of(b.ptr);
	CHECK_INT(timed_select(h, "[class*='abc'], .abc, [class~=abab], [class$=x]", 2000, __LINE__), 0);
	html_free(h);
	buf_clear(&b);
	for (int i = 0; i < SEL_MAX_COMPOUNDS + 1; i++)
		buf_puts(&b, "a ");
	unsigned col;
	char *m = err_of(buf_cstr(&b), &col);
	CHECK(strstr(m, "compound selectors") != NULL);
	free(m);
	buf_clear(&b);
	for (int i = 0; i < SEL_MAX_LEN; i++)
		buf_putc(&b, 'a');
	buf_putc(&b, 'a');
	m = err_of(buf_cstr(&b), &col);
	CHECK(strstr(m, "longer than") != NULL);
	free(m);
	buf_free(&b);
}

/* The memoised document-order scan (sel_select) must agree with plain
 * per-element matching (sel_matches) for every selector of the
 * differential list on every corpus page. */
TEST(sel_select_agrees_with_sel_matches_on_corpus)
{
	const char *corpus = unit_corpus();
	if (!corpus) {
		unit_skip("corpus not found");
		return;
	}
	struct buf list = BUF_INIT, path = BUF_INIT, html = BUF_INIT;
	if (file_read("tests/selectors/selectors.txt", 1 << 20, &list, NULL) != NM_OK) {
		unit_skip("tests/selectors/selectors.txt not found");
		return;
	}
	struct sel *sels[1024];
	size_t nsel = 0;
	for (char *line = list.ptr, *next; line && *line && nsel < 1024; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!*line || !strncmp(line, "//", 2))
			continue;
		if (sel_compile(line, &sels[nsel], NULL) == NM_OK)
			nsel++;
	}
	CHECK(nsel > 300);
	static const char *const pages[] = {"001", "aclu", "nytimes-1", "lifehacker-post-comment-load",
					    "wikipedia", "yahoo-2", "medium-1", "buzzfeed-1"};
	int mismatches = 0;
	for (size_t p = 0; p < sizeof pages / sizeof pages[0]; p++) {
		buf_clear(&path);
		buf_printf(&path, "%s/readability/%s/source.html", corpus, pages[p]);
		buf_clear(&html);
		if (file_read(buf_cstr(&path), 64 << 20, &html, NULL) != NM_OK)
			continue;
		struct html_doc *h = doc_of(buf_cstr(&html));
		for (size_t i = 0; i < nsel; i++) {
			xmlNodePtr *v = NULL;
			size_t n = sel_select(sels[i], (xmlNodePtr)h->doc, &v), k = 0;
			bool same = true;
			for (xmlNodePtr e = xmlDocGetRootElement(h->doc); e;) {
				if (e->type == XML_ELEMENT_NODE && sel_matches(sels[i], e)) {
					if (k >= n || v[k] != e)
						same = false;
					k++;
				}
				/* document order, skipping template contents */
				if (e->children && e->type == XML_ELEMENT_NODE &&
				    strcmp((const char *)e->name, "template") != 0) {
					e = e->children;
					continue;
				}
				while (e && !e->next)
					e = e->parent;
				if (e)
					e = e->next;
			}
			if ((!same || k != n) && mismatches++ < 10)
				unit_fail(__FILE__, __LINE__, "%s: '%s' select %zu vs matches %zu",
					  pages[p], sel_source(sels[i]), n, k);
			free(v);
		}
		/* all of them in one walk: each result as its own sel_select */
		struct sel_hits *hits = xcalloc(nsel, sizeof *hits);
		sel_select_many((const struct sel *const *)sels, nsel, (xmlNodePtr)h->doc, hits);
		for (size_t i = 0; i < nsel; i++) {
			xmlNodePtr *v = NULL;
			size_t n = sel_select(sels[i], (xmlNodePtr)h->doc, &v);
			if ((n != hits[i].n || (n && memcmp(v, hits[i].v, n * sizeof *v))) &&
			    mismatches++ < 10)
				unit_fail(__FILE__, __LINE__, "%s: '%s' one walk %zu vs sel_select %zu",
					  pages[p], sel_source(sels[i]), hits[i].n, n);
			free(v);
			free(hits[i].v);
		}
		free(hits);
		html_free(h);
	}
	for (size_t i = 0; i < nsel; i++)
		sel_free(sels[i]);
	buf_free(&list);
	buf_free(&path);
	buf_free(&html);
}

/* sel_select_many shares one walk, the id/class cache and the :nth memo
 * among selectors, but each keeps its own combinator memos: every form
 * that uses a memo, mixed in one call, must give what sel_select gives. */
TEST(sel_select_many_equals_separate_calls)
{
	static const char *const forms[] = {
		"p", ".a", "#p2", "div p", "div > p", "h2 + p", "h2 ~ a", "li:nth-child(2n+1)",
		"li:nth-last-child(2)", "p:first-of-type", "p:nth-of-type(2)", "body div p b",
		"div:has(> img)", ":is(.b, .c)", "p:not(.a)", "li:nth-child(odd of :not(#l1))",
		"ul li ~ li", "html body ul > li:last-child", "nosuchtag", "*",
	};
	enum { N = sizeof forms / sizeof forms[0] };
	struct sel *sels[N + 1];
	for (size_t i = 0; i < N; i++)
		CHECK(sel_compile(forms[i], &sels[i], NULL) == NM_OK);
	sels[N] = NULL; /* a NULL selector matches nothing */
	struct html_doc *h = doc_of(page);
	struct sel_hits hits[N + 1];
	for (int scope = 0; scope < 2; scope++) {
		xmlNodePtr root = scope ? sel_first(sels[N - 1], (xmlNodePtr)h->doc) /* <html> */
					: (xmlNodePtr)h->doc;
		sel_select_many((const struct sel *const *)sels, N + 1, root, hits);
		CHECK_INT(hits[0].n, 4); /* p1..p4: the comparison below is not vacuous */
		CHECK_INT(hits[7].n, 3); /* li:nth-child(2n+1) */
		for (size_t i = 0; i < N; i++) {
			xmlNodePtr *v = NULL;
			size_t n = sel_select(sels[i], root, &v);
			if (n != hits[i].n || (n && memcmp(v, hits[i].v, n * sizeof *v)))
				unit_fail(__FILE__, __LINE__, "'%s': one walk %zu matches, sel_select %zu",
					  forms[i], hits[i].n, n);
			CHECK(strcmp(forms[i], "nosuchtag") || hits[i].n == 0);
			free(v);
			free(hits[i].v);
		}
		CHECK(hits[N].n == 0 && hits[N].v == NULL);
	}
	html_free(h);
	for (size_t i = 0; i < N; i++)
		sel_free(sels[i]);
}

TEST(sel_html_case_rules_for_attribute_values)
{
	const char *src = "<!DOCTYPE html><script id=s type='TEXT/JavaScript'></script>"
			  "<div id=d lang=EN-gb data-x=ABC></div>"
			  "<svg><image id=im xlink:href='#a'/></svg>";
	char *got = ids_in(src, "[type='text/javascript']");
	CHECK_STR(got, "s"); /* type is in HTML's case-insensitive list */
	free(got);
	got = ids_in(src, "[type='text/javascript' s]");
	CHECK_STR(got, "");
	free(got);
	got = ids_in(src, "[lang|=en]");
	CHECK_STR(got, "d");
	free(got);
	got = ids_in(src, "[data-x=abc]");
	CHECK_STR(got, ""); /* other attributes stay case-sensitive */
	free(got);
	got = ids_in(src, "[data-x=abc i], [data-x='abc'i]");
	CHECK_STR(got, "d");
	free(got);
	/* namespaced attributes keep their prefix, as in browsers */
	got = ids_in(src, "image[href]");
	CHECK_STR(got, "");
	free(got);
	got = ids_in(src, "image[*|href='#a']");
	CHECK_STR(got, "im");
	free(got);
}

TEST(sel_ui_state_pseudo_classes)
{
	const char *src =
		"<!DOCTYPE html><form><input id=r1 type=radio name=g checked><input id=r2 type=radio name=g checked>"
		"<input id=r3 type=radio name=h checked><input id=c1 type=checkbox checked>"
		"<fieldset id=f disabled><legend id=lg><input id=i1></legend><input id=i2></fieldset>"
		"<select id=s1><option id=o1>a<option id=o2>b</select>"
		"<select id=s2><option id=o3 disabled>c<option id=o4>d</select>"
		"<select id=s3 multiple><option id=o5>e</select>"
		"<optgroup id=og disabled><option id=o6>f</optgroup></form>";
	char *got = ids_in(src, ":checked");
	CHECK_STR(got, "r2 r3 c1 o1 o4");
	free(got);
	got = ids_in(src, ":disabled");
	CHECK_STR(got, "f i2 o3 og o6");
	free(got);
	got = ids_in(src, "input:enabled");
	CHECK_STR(got, "r1 r2 r3 c1 i1");
	free(got);
}
