/* Unit tests of the studio's selector proposals (studio/pick.c) and page
 * sanitiser (studio/view.c). */
#include "tests/unit/unit.h"
#include "common/buf.h"
#include "dom/html.h"
#include "dom/sel.h"
#include "studio/pick.h"
#include "studio/view.h"

#include <stdlib.h>
#include <string.h>

static struct html_doc *parse(const char *src)
{
	struct html_doc *h = NULL;
	if (html_parse(src, strlen(src), &h, NULL) != NM_OK)
		return NULL;
	return h;
}

static xmlNodePtr first(struct html_doc *h, const char *css)
{
	struct sel *s = NULL;
	if (sel_compile(css, &s, NULL) != NM_OK)
		return NULL;
	xmlNodePtr n = sel_first(s, (xmlNodePtr)h->doc);
	sel_free(s);
	return n;
}

TEST(pick_hashed_names)
{
	static const char *const hashed[] = {"css-1x2y3z", "sc-bdVaJa", "jsx-2881038",
					     "Title_title__a1B2c", "post-123456", "a1b2c3d4",
					     "x7k2mq9", "emotion-0", "12345", "", NULL};
	static const char *const stable[] = {"newsContent", "ContentBody", "article-body",
					     "em_media", "col-md-6", "block__element", "h1", "time",
					     "post-title", NULL};
	for (int i = 0; hashed[i]; i++)
		if (!pick_is_hashed(hashed[i]))
			unit_fail(__FILE__, __LINE__, "'%s' should look hashed", hashed[i]);
	for (int i = 0; stable[i]; i++)
		if (pick_is_hashed(stable[i]))
			unit_fail(__FILE__, __LINE__, "'%s' should look stable", stable[i]);
}

TEST(pick_ranks_stable_hooks_first)
{
	struct html_doc *h = parse(
		"<html><body><div class='css-1x2y3z main'><article>"
		"<h1 class='sc-bdVaJa headline' itemprop=headline>T</h1>"
		"<div id=ContentBody class='txt'><p>a</p><p class=src data-role=source>b</p><p>c</p></div>"
		"<div id=post-98765432><p class='css-abc123'>x</p></div>"
		"</article></div></body></html>");
	CHECK(h != NULL);
	struct pick_list l = {0};
	pick_candidates(h->doc, first(h, "h1"), &l);
	CHECK(l.n >= 3);
	/* itemprop before classes; every candidate matches; hashed classes never used */
	CHECK_STR(l.v[0].sel, "[itemprop=\"headline\"]");
	CHECK_INT(l.v[0].count, 1);
	for (size_t i = 0; i < l.n; i++) {
		CHECK(!strstr(l.v[i].sel, "sc-") && !strstr(l.v[i].sel, "css-"));
		CHECK(l.v[i].count >= 1);
		if (i && l.v[i - 1].count != 1)
			CHECK(l.v[i].count != 1); /* unique ones first */
	}
	pick_list_free(&l);

	pick_candidates(h->doc, first(h, "p.src"), &l);
	CHECK(l.n >= 3);
	CHECK_STR(l.v[0].sel, "p[data-role=\"source\"]");
	bool scoped = false, chain = false;
	for (size_t i = 0; i < l.n; i++) {
		scoped |= !strcmp(l.v[i].sel, "#ContentBody p.src");
		chain |= strstr(l.v[i].sel, "nth-of-type") && strstr(strstr(l.v[i].sel, "nth-of-type") + 1, "nth-of-type");
	}
	CHECK(scoped);
	CHECK(!chain);
	pick_list_free(&l);

	/* nothing stable on the element: a short path under a stable parent, and the tag's count */
	pick_candidates(h->doc, first(h, "#ContentBody > p:nth-of-type(3)"), &l);
	bool path = false, tag = false;
	for (size_t i = 0; i < l.n; i++) {
		path |= !strcmp(l.v[i].sel, "#ContentBody > p:nth-of-type(3)") && l.v[i].count == 1;
		tag |= !strcmp(l.v[i].sel, "p") && l.v[i].count == 4;
	}
	CHECK(path);
	CHECK(tag);
	pick_list_free(&l);

	/* an id made of digits is not proposed */
	pick_candidates(h->doc, first(h, "p.css-abc123"), &l);
	for (size_t i = 0; i < l.n; i++)
		CHECK(!strstr(l.v[i].sel, "98765432"));
	pick_list_free(&l);

	char *best = pick_best(h->doc, first(h, "#ContentBody"));
	CHECK_STR(best, "#ContentBody");
	free(best);
	html_free(h);
}

TEST(view_sanitises_and_numbers)
{
	const char *src =
		"<html><head><script>alert(1)</script><meta http-equiv=refresh content='0;url=x'>"
		"<base href='http://evil/'><link rel=stylesheet href=s.css><link rel=preload href=p></head>"
		"<body onload=x()><p id=a data-nm-i=77 onclick=y()>t <a href='javascript:z()'>j</a>"
		"<a href='/ok' target=_top>ok</a></p><iframe srcdoc='<script>1</script>'></iframe>"
		"<noscript><img src=n></noscript><img src='x.png' onerror=w()>"
		"<div style='width:expression(alert(1))'>s</div><svg><script>2</script></svg>"
		"<object data=o></object><embed src=e><form action='javascript:1'></form></body></html>";
	struct buf out = BUF_INIT;
	CHECK_INT(view_page(src, strlen(src), "https://site.example/a/b.html", &out, NULL), NM_OK);
	const char *s = buf_cstr(&out);
	static const char *const gone[] = {"<script", "http-equiv", "evil", "onload", "onclick",
					   "javascript", "<iframe", "srcdoc", "<noscript", "onerror",
					   "expression", "<object", "<embed", "preload", "target",
					   "data-nm-i=\"77\"", NULL};
	for (int i = 0; gone[i]; i++)
		if (strstr(s, gone[i]))
			unit_fail(__FILE__, __LINE__, "'%s' left in the view", gone[i]);
	CHECK(strstr(s, "<base href=\"https://site.example/a/b.html\">") != NULL);
	CHECK(strstr(s, "rel=\"stylesheet\"") != NULL);
	CHECK(strstr(s, "data-nm-href=\"/ok\"") != NULL);
	/* numbered as sel_doc_index numbers the parse: html 0, head 1, ... */
	CHECK(strstr(s, "<html data-nm-i=\"0\">") != NULL);
	struct html_doc *h = parse(src);
	xmlNodePtr p = first(h, "#a");
	size_t idx = 0;
	sel_doc_index(&p, 1, &idx);
	char want[64];
	snprintf(want, sizeof want, "<p id=\"a\" data-nm-i=\"%zu\">", idx);
	CHECK(strstr(s, want) != NULL);
	html_free(h);
	buf_free(&out);
}

TEST(view_renders_post)
{
	const char *post = "---\ntitle: \"T\"\n---\n# Head\n\nText with <b>bold</b> and "
			   "<script>alert(1)</script> [l](javascript:alert(1)).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n";
	struct buf out = BUF_INIT;
	view_render_post(post, strlen(post), "http://x.example/", &out);
	const char *s = buf_cstr(&out);
	CHECK(strstr(s, "<h1>Head</h1>") != NULL);
	CHECK(strstr(s, "<b>bold</b>") != NULL);
	CHECK(strstr(s, "<table>") != NULL);
	CHECK(strstr(s, "title:") == NULL);
	CHECK(strstr(s, "<script") == NULL && strstr(s, "javascript") == NULL);
	buf_free(&out);
}
