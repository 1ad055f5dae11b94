/*
 * test_jsonld.c - extractor/jsonld.c, the one ld+json reader: wrapper
 * peeling (HTML comments, CDATA), the depth bound, the objects collected
 * (value, array items, @graph, mainEntity), and both users: meta_extract
 * and a rule's `jsonld:` step.
 */
#include "tests/unit/unit.h"
#include "common/mem.h"
#include "dom/html.h"
#include "dom/jpath.h"
#include "extractor/article.h"
#include "extractor/extract.h"
#include "extractor/jsonld.h"
#include "extractor/meta.h"
#include "rules/rules.h"

#include <stdlib.h>
#include <string.h>

static json_t *parse(const char *s, struct nm_err *e)
{
	return jsonld_parse(s, strlen(s), e);
}

/* The "headline" of the objects collected from s, joined by '|'. */
static const char *headlines(const char *s, char *out, size_t cap)
{
	out[0] = 0;
	json_t *v = parse(s, NULL);
	if (!v)
		return "(unparsed)";
	json_t *objs[JSONLD_MAX_OBJECTS];
	size_t n = jsonld_collect(v, objs, 0, JSONLD_MAX_OBJECTS);
	for (size_t i = 0; i < n; i++) {
		json_t *h = json_object_get(objs[i], "headline");
		const char *t = json_is_string(h) ? json_string_value(h) : "-";
		if (strlen(out) + strlen(t) + 2 < cap) {
			if (i)
				strcat(out, "|");
			strcat(out, t);
		}
	}
	json_decref(v);
	return out;
}

TEST(jsonld_html_comment_wrapped)
{
	char b[256];
	CHECK_STR(headlines("\n  <!--\n{\"headline\":\"A\",\"x\":\"line\nbreak\"}\n-->\n", b, sizeof b),
		  "A");
}

TEST(jsonld_cdata_wrapped)
{
	char b[256];
	CHECK_STR(headlines("//<![CDATA[\n{\"headline\":\"C\"}\n//]]>", b, sizeof b), "C");
	CHECK_STR(headlines("/*<![CDATA[*/ {\"headline\":\"D\"} /*]]>*/", b, sizeof b), "D");
	CHECK_STR(headlines("<![CDATA[<!--{\"headline\":\"E\"}-->]]>", b, sizeof b), "E");
}

TEST(jsonld_collects_array_graph_main_entity)
{
	char b[256];
	/* array items, then their @graph members, then mainEntity */
	CHECK_STR(headlines("[{\"headline\":\"a1\",\"mainEntity\":{\"headline\":\"m\"}},"
			    "{\"headline\":\"a2\",\"@graph\":[{\"headline\":\"g\"},7]}, 3]",
			    b, sizeof b),
		  "a1|a2|g|m");
	CHECK_STR(headlines("{\"@graph\":{\"headline\":\"one\"}}", b, sizeof b), "-|one");
	CHECK_STR(headlines("\"just a string\"", b, sizeof b), "");
}

TEST(jsonld_collect_bounded)
{
	struct buf s = BUF_INIT;
	buf_puts(&s, "{\"@graph\":[");
	for (int i = 0; i < JSONLD_MAX_OBJECTS + 50; i++)
		buf_puts(&s, i ? ",{}" : "{}");
	buf_puts(&s, "]}");
	json_t *v = jsonld_parse(s.ptr, s.len, NULL);
	CHECK(v != NULL);
	json_t *objs[JSONLD_MAX_OBJECTS];
	CHECK_INT(jsonld_collect(v, objs, 0, JSONLD_MAX_OBJECTS), JSONLD_MAX_OBJECTS);
	CHECK_INT(jsonld_collect(v, objs, JSONLD_MAX_OBJECTS - 1, JSONLD_MAX_OBJECTS),
		  JSONLD_MAX_OBJECTS);
	json_decref(v);
	buf_free(&s);
}

/* Deeper than JPATH_MAX_DEPTH: refused with NM_ELIMIT before jansson
 * recurses; a million levels must not crash either. */
TEST(jsonld_too_deep_refused)
{
	struct buf s = BUF_INIT;
	buf_puts(&s, "{\"@graph\":");
	for (int i = 0; i < JPATH_MAX_DEPTH + 1; i++)
		buf_putc(&s, '[');
	for (int i = 0; i < JPATH_MAX_DEPTH + 1; i++)
		buf_putc(&s, ']');
	buf_putc(&s, '}');
	struct nm_err e;
	err_clear(&e);
	CHECK(jsonld_parse(s.ptr, s.len, &e) == NULL);
	CHECK_INT(e.code, NM_ELIMIT);
	buf_clear(&s);
	for (int i = 0; i < 1000000; i++)
		buf_putc(&s, '[');
	err_clear(&e);
	CHECK(jsonld_parse(s.ptr, s.len, &e) == NULL);
	CHECK_INT(e.code, NM_ELIMIT);
	/* just inside the bound still parses */
	buf_clear(&s);
	for (int i = 0; i < JPATH_MAX_DEPTH; i++)
		buf_putc(&s, '[');
	for (int i = 0; i < JPATH_MAX_DEPTH; i++)
		buf_putc(&s, ']');
	json_t *v = jsonld_parse(s.ptr, s.len, NULL);
	CHECK(v != NULL);
	json_decref(v);
	buf_free(&s);
}

TEST(jsonld_not_json_and_too_large)
{
	struct nm_err e;
	err_clear(&e);
	CHECK(parse("<!-- { not json -->", &e) == NULL);
	CHECK_INT(e.code, NM_EPARSE);
	size_t n = JSONLD_MAX_BYTES + 1;
	char *big = xmalloc(n);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	err_clear(&e);
	CHECK(jsonld_parse(big, n, &e) == NULL);
	CHECK_INT(e.code, NM_ELIMIT);
	free(big);
}

/* meta_extract goes through the same reader: the deep block is skipped and
 * the mainEntity article of the next (comment-wrapped) one is used. */
TEST(jsonld_meta_skips_deep_block)
{
	struct buf s = BUF_INIT;
	buf_puts(&s, "<html><head><script type=\"application/ld+json\">");
	for (int i = 0; i < 5000; i++)
		buf_puts(&s, "{\"a\":");
	buf_puts(&s, "</script><script type=\"application/ld+json\"><!--\n"
		     "{\"@type\":\"WebPage\",\"mainEntity\":{\"@type\":\"NewsArticle\","
		     "\"headline\":\"Ferry timetable changes\",\"datePublished\":\"2023-03-04\"}}\n"
		     "--></script></head><body><p>x</p></body></html>");
	struct html_doc *h = NULL;
	CHECK_INT(html_parse(s.ptr, s.len, &h, NULL), NM_OK);
	struct article a;
	article_init(&a);
	if (h) {
		CHECK_INT(meta_extract(h, NULL, &a, NULL), NM_OK);
		CHECK_STR(a.title, "Ferry timetable changes");
		CHECK(a.date.set);
		html_free(h);
	}
	article_free(&a);
	buf_free(&s);
}

/* A rule's jsonld: steps on src; returns field f (copied to out). */
static void rule_fields(const char *src, const char *yml, struct article *a)
{
	struct rule *r = NULL;
	struct nm_err e;
	err_clear(&e);
	article_init(a);
	if (rule_load_mem(yml, strlen(yml), "t", &r, &e) != NM_OK) {
		unit_fail(__FILE__, __LINE__, "rule: %s", e.msg);
		return;
	}
	struct html_doc *h = NULL;
	CHECK_INT(html_parse(src, strlen(src), &h, NULL), NM_OK);
	if (h) {
		struct page pg = {0};
		pg.h = h;
		a->url = strdup("https://example.org/news/ferry.html");
		extract_article(r, &pg, a, &e);
		a->body_node = NULL;
		page_release(&pg);
		html_free(h);
	}
	rule_free(r);
}

TEST(jsonld_rule_step_graph_and_main_entity)
{
	const char *src =
		"<html><head>"
		"<script type=\"application/ld+json\">//<![CDATA[\n{\"@context\":\"https://schema.org\","
		"\"@graph\":[{\"@type\":\"WebSite\",\"name\":\"Harbour News\"},"
		"{\"@type\":\"NewsArticle\",\"headline\":\"Ferry timetable changes\","
		"\"wordCount\":412}]}\n//]]></script>"
		"<script type=\"application/ld+json\"><!-- {\"@type\":\"WebPage\","
		"\"mainEntity\":{\"@type\":\"Person\",\"jobTitle\":\"Harbour master\"}} --></script>"
		"</head><body><article><p>The ferry leaves at seven from April, an hour earlier "
		"than before, the harbour office said on Monday.</p></article></body></html>";
	struct article a;
	rule_fields(src,
		    "name: t\nmatch: {hosts: [example.org]}\nfields:\n"
		    "  title: {jsonld: 'headline'}\n"
		    "  body: {css: 'article'}\n"
		    "  words: {jsonld: 'wordCount'}\n"
		    "  job: {jsonld: 'jobTitle'}\n",
		    &a);
	CHECK_STR(a.title, "Ferry timetable changes");       /* inside @graph */
	CHECK_STR(article_get_field(&a, "words"), "412");    /* inside @graph */
	CHECK_STR(article_get_field(&a, "job"), "Harbour master"); /* inside mainEntity */
	article_free(&a);
}
