/*
 * test_extract.c - the rule interpreter's one-walk selector cache: a rule's
 * CSS steps are matched together on first use, and the cache is dropped
 * whenever extraction edits the tree (the generic extractor, cleaning), so
 * a later step never reads a node that is gone.  Run under ASan (make
 * check), a stale cache shows as a use-after-free.
 */
#include "tests/unit/unit.h"
#include "extractor/article.h"
#include "extractor/extract.h"
#include "extractor/html.h"
#include "rules/rules.h"

#include <stdlib.h>
#include <string.h>

static const char *page_src =
	"<html><head><title>Harbour tide gauge rebuilt</title></head><body>"
	"<nav><a href=/>Home</a></nav>"
	"<article><h1 class=t>Harbour tide gauge rebuilt</h1>"
	"<script>var tracking = 1;</script>"
	"<p>Volunteers rebuilt the old tide gauge over three weekends this spring, using "
	"parts salvaged from the original brass housing and a new float.</p>"
	"<p>The gauge records the height of the water every six minutes, and the club "
	"publishes the readings on its notice board by the slipway each morning.</p>"
	"<p>Next year they plan to add a small weather station beside it, if the harbour "
	"authority agrees to the extra mast on the pier wall.</p>"
	"</article></body></html>";

/* Extracts page_src with rule text yml; returns the article (caller frees). */
static int run(const char *yml, struct article *a)
{
	struct rule *r = NULL;
	struct nm_err e;
	err_clear(&e);
	article_init(a);
	if (rule_load_mem(yml, strlen(yml), "t", &r, &e) != NM_OK) {
		unit_fail(__FILE__, __LINE__, "rule: %s", e.msg);
		return -1;
	}
	struct html_doc *h = NULL;
	if (html_parse(page_src, strlen(page_src), &h, NULL) != NM_OK) {
		rule_free(r);
		return -1;
	}
	struct page pg = {0};
	pg.h = h;
	a->url = strdup("https://example.org/news/gauge.html");
	enum nm_code rc = extract_article(r, &pg, a, &e);
	a->body_node = NULL;
	page_release(&pg);
	CHECK(pg.css == NULL);
	html_free(h);
	rule_free(r);
	return rc == NM_OK ? 0 : -1;
}

/* A field after an `auto` body: the generic extractor dropped the title
 * heading from the content, so the step must see the edited tree. */
TEST(extract_css_cache_dropped_after_generic_extractor)
{
	struct article a;
	int rc = run("name: t\nmatch: {hosts: [example.org]}\nfields:\n"
		     "  title: {css: 'h1.t'}\n"
		     "  body: {auto: true}\n"
		     "  heading: {css: 'article h1'}\n"
		     "  nav: {css: 'nav a'}\n",
		     &a);
	CHECK_INT(rc, 0);
	CHECK_STR(a.title, "Harbour tide gauge rebuilt");
	CHECK(a.body_html && strstr(a.body_html, "six minutes"));
	CHECK(article_get_field(&a, "heading") == NULL); /* the heading is gone */
	CHECK_STR(article_get_field(&a, "nav"), "Home");  /* untouched parts still match */
	article_free(&a);
}

/* The slug step runs after cleaning removed the script: it must not read
 * the removed element through the cache filled before. */
TEST(extract_css_cache_dropped_after_cleaning)
{
	struct article a;
	int rc = run("name: t\nmatch: {hosts: [example.org]}\nfields:\n"
		     "  title: {css: 'h1.t'}\n"
		     "  kicker: {css: 'article script'}\n"
		     "body: {steps: [{css: article}]}\n"
		     "output:\n"
		     "  slug: {css: 'article script'}\n",
		     &a);
	CHECK_INT(rc, 0);
	CHECK_STR(article_get_field(&a, "kicker"), "var tracking = 1;"); /* before cleaning */
	CHECK(a.slug == NULL);                                           /* after */
	CHECK(a.body_html && !strstr(a.body_html, "tracking"));
	article_free(&a);
}
