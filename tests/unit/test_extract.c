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
#include "dom/html.h"
#include "dom/jpath.h"
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

/* Extracts src with rule text yml; returns the article (caller frees). */
static int run_on(const char *src, const char *yml, struct article *a)
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
	if (html_parse(src, strlen(src), &h, NULL) != NM_OK) {
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

static int run(const char *yml, struct article *a)
{
	return run_on(page_src, yml, a);
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

/* json steps with `script:` read JSON a page carries in a <script>: a JSON
 * script (Next.js's __NEXT_DATA__) or an assignment (window.__STATE__ =
 * {...}; followed by more code); a script that holds no JSON is skipped. */
TEST(extract_json_from_a_script)
{
	static const char *src =
		"<html><head><title>t</title>"
		"<script>var analytics = true;</script>"
		"<script id=__NEXT_DATA__ type=application/json>"
		"{\"props\":{\"pageProps\":{\"article\":{\"headline\":\"Tide gauge {rebuilt}\","
		"\"authors\":[{\"name\":\"Ann Lee\"},{\"name\":\"Bo Wu\"}]}}}}</script>"
		"<script>window.__STATE__ = {\"story\": {\"published\": \"2024-05-02T08:30:00+01:00\","
		"\"section\": \"Local; harbour\"}};\nwindow.ready = function() { return [1]; };</script>"
		"</head><body><p>Body text of the story, long enough to be a body.</p></body></html>";
	struct article a;
	int rc = run_on(src,
			"name: t\nmatch: {hosts: [example.org]}\nfields:\n"
			"  title: {json: props.pageProps.article.headline, script: 'script#__NEXT_DATA__'}\n"
			"  author: {json: 'props.pageProps.article.authors[*].name', script: 'script[type=\"application/json\"]'}\n"
			"  date: {json: story.published, script: script}\n"
			"  category: {json: story.section, script: script}\n"
			"body: {steps: [{css: body}]}\n",
			&a);
	CHECK_INT(rc, 0);
	CHECK_STR(a.title, "Tide gauge {rebuilt}");
	CHECK_INT(a.author.n, 2);
	if (a.author.n == 2)
		CHECK_STR(a.author.v[1], "Bo Wu");
	CHECK(a.date.set);
	CHECK_STR(a.category, "Local; harbour");
	article_free(&a);
}

TEST(json_parse_embedded_forms)
{
	static const struct {
		const char *text;
		const char *want; /* the value re-serialised, NULL = refused */
	} cases[] = {
		{"{\"a\":1}", "{\"a\": 1}"},
		{"  [1, 2]  ", "[1, 2]"},
		{"window.__S__ = {\"a\": \"}]\\\"{\"};\nf({b: 2});", "{\"a\": \"}]\\\"{\"}"},
		{"window[\"x\"] = [3];", "[3]"},
		{"var x = 5;", NULL},
		{"", NULL},
		{"{\"a\": ", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *j = jpath_parse_embedded(cases[i].text, strlen(cases[i].text), NULL);
		char *got = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
		if (cases[i].want ? !got || strcmp(got, cases[i].want) : got != NULL)
			unit_fail(__FILE__, __LINE__, "'%s' -> %s, expected %s", cases[i].text,
				  got ? got : "NULL", cases[i].want ? cases[i].want : "NULL");
		free(got);
		json_decref(j);
	}
	/* depth-bounded like every JSON newsmd reads */
	char deep[20000];
	size_t n = 0;
	n += (size_t)snprintf(deep, sizeof deep, "window.s = ");
	for (int k = 0; k < 5000; k++)
		deep[n++] = '[';
	for (int k = 0; k < 5000; k++)
		deep[n++] = ']';
	CHECK(jpath_parse_embedded(deep, n, NULL) == NULL);
}

/* `script:` belongs to json steps, and its selector is checked at load. */
TEST(rules_script_option_is_checked)
{
	static const char *bad[] = {
		"name: t\nmatch: {hosts: [a.org]}\nfields:\n  title: {css: h1, script: script}\n",
		"name: t\nmatch: {hosts: [a.org]}\nfields:\n  title: {json: a, script: 'script['}\n",
	};
	static const char *want[] = {"applies to json steps only", "selector 'script['"};
	for (int i = 0; i < 2; i++) {
		struct rule *r = NULL;
		struct nm_err e;
		err_clear(&e);
		CHECK(rule_load_mem(bad[i], strlen(bad[i]), "t", &r, &e) != NM_OK);
		if (!strstr(e.msg, want[i]))
			unit_fail(__FILE__, __LINE__, "got '%s', expected '%s'", e.msg, want[i]);
		rule_free(r);
	}
}

/* Script JSON is parsed once per page and shared by the steps that read
 * the same script; after cleaning removed the script, the slug step (run
 * then) finds nothing.  (Entries are keyed by node, so a removed node is
 * never looked up; the cache is still dropped on every tree edit, since a
 * freed node's address may come back as a new one.) */
TEST(extract_script_json_cache_dropped_after_cleaning)
{
	static const char *src =
		"<html><head><title>t</title></head><body><article>"
		"<script>window.__S__ = {\"id\": \"gauge-42\", \"kicker\": \"Harbour\"};</script>"
		"<p>Volunteers rebuilt the old tide gauge over three weekends this spring.</p>"
		"</article></body></html>";
	struct article a;
	int rc = run_on(src,
			"name: t\nmatch: {hosts: [example.org]}\nfields:\n"
			"  title: {json: kicker, script: 'article script'}\n"
			"  kicker: {json: id, script: 'article script'}\n"
			"body: {steps: [{css: article}]}\n"
			"output:\n  slug: {json: id, script: 'article script'}\n",
			&a);
	CHECK_INT(rc, 0);
	CHECK_STR(a.title, "Harbour");
	CHECK_STR(article_get_field(&a, "kicker"), "gauge-42"); /* same script, cached */
	CHECK(a.slug == NULL);                                   /* gone after cleaning */
	article_free(&a);
}
