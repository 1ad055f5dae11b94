/*
 * test_suggest.c - draft rules (extractor/suggest.c): the selectors a
 * person would write, never a build tool's hashed class; several pages
 * keep only what works on all; the draft loads and carries its tests
 * under the "check by a person" comment; odd pages never crash it.
 */
#include "tests/unit/unit.h"
#include "extractor/suggest.h"
#include "rules/rules.h"

#include <stdio.h>
#include <string.h>

#define PAGE(cls, h1cls, title, author, date, body)                                          \
	"<html><head><title>" title " - Site</title>"                                          \
	"<meta property='og:title' content='" title "'>"                                        \
	"<meta property='article:published_time' content='" date "'></head><body>"             \
	"<nav class='css-1x2y3z'><a href=/>Home</a> <a href=/a>A</a> <a href=/b>B</a></nav>"  \
	"<main id=content><article class='" cls "'><h1 class='" h1cls "'>" title "</h1>"      \
	"<span class='byline'>" author "</span>"                                               \
	"<div class='story-text dcr-125vfar'>" body                                            \
	"<div class='share-box'><p><a href=/s>Share this</a></p><p><a href=/t>Tweet</a></p></div>" \
	"</div></article></main></body></html>"

#define BODY1                                                                                \
	"<p>The old tide gauge on the harbour wall was rebuilt by volunteers over three "      \
	"weekends this spring, with parts from the original brass housing.</p>"                \
	"<p>It records the height of the water every six minutes and the readings go up on "   \
	"the notice board by the slipway each morning, the club said.</p>"

#define BODY2                                                                                \
	"<p>The ferry company will add two sailings a day from the first of May after a "      \
	"winter of complaints about crowded crossings to the island.</p>"                      \
	"<p>The early boat will leave at half past six so that commuters can reach the "       \
	"mainland station before the first train of the day.</p>"

static const char *p1 = PAGE("post sc-bdVaJa", "headline", "Tide gauge rebuilt", "Ann Lee",
			     "2024-05-02T08:30:00Z", BODY1);
static const char *p2 = PAGE("post sc-kGXeez", "headline", "Ferry adds sailings", "Bo Chen",
			     "2024-04-11T07:05:00Z", BODY2);
static const char *p2_no_class = PAGE("post sc-kGXeez", "big", "Ferry adds sailings",
				      "Bo Chen", "2024-04-11T07:05:00Z", BODY2);

static int draft(const char *a, const char *b, struct buf *out)
{
	struct suggest_page pg[2] = {
		{a, strlen(a), "https://www.site.test/news/1", "/tmp/p1.html"},
		{b, b ? strlen(b) : 0, "https://www.site.test/news/2", "/tmp/p2.html"}};
	struct nm_err e;
	err_clear(&e);
	return suggest_rule(pg, b ? 2 : 1, "2026-01-01", out, &e) == NM_OK ? 0 : -1;
}

TEST(suggest_two_pages_human_selectors)
{
	struct buf out = BUF_INIT;
	CHECK(draft(p1, p2, &out) == 0);
	const char *y = buf_cstr(&out);
	CHECK(strstr(y, "- {css: 'h1.headline'}") != NULL);
	CHECK(strstr(y, "- {css: 'span.byline', pick: first, regex:") != NULL);
	CHECK(strstr(y, "- {meta: 'article:published_time'}") != NULL);
	CHECK(strstr(y, "div.story-text") != NULL);
	CHECK(strstr(y, "generic: true") != NULL);
	CHECK(strstr(y, "sc-") == NULL && strstr(y, "dcr-") == NULL && strstr(y, "css-") == NULL);
	CHECK(strstr(y, "RECORDED FROM THIS DRAFT'S OWN OUTPUT") != NULL);
	CHECK(strstr(y, "title: 'Ferry adds sailings'") != NULL);
	/* the draft is a valid rule */
	struct rule *r = NULL;
	struct nm_err e;
	err_clear(&e);
	CHECK(rule_load_mem(y, out.len, "d", &r, &e) == NM_OK);
	if (r)
		CHECK_INT((long)r->ntests, 2);
	rule_free(r);
	buf_free(&out);
}

TEST(suggest_keeps_only_what_works_on_every_page)
{
	struct buf out = BUF_INIT;
	CHECK(draft(p1, NULL, &out) == 0);
	CHECK(strstr(buf_cstr(&out), "h1.headline") != NULL);
	buf_clear(&out);
	CHECK(draft(p1, p2_no_class, &out) == 0);
	CHECK(strstr(buf_cstr(&out), "h1.headline") == NULL);
	CHECK(strstr(buf_cstr(&out), "{meta: 'og:title'}") != NULL);
	buf_free(&out);
}

TEST(suggest_odd_pages_never_crash)
{
	static const char *const pages[] = {"", "<p>x", "<html><head><title>t</title></head></html>",
					    "<ul><li><a href=/1>1</a><li><a href=/2>2</a></ul>",
					    "\xff\xfe\x00garbage", NULL};
	for (int i = 0; pages[i]; i++) {
		struct buf out = BUF_INIT;
		struct suggest_page pg = {pages[i], strlen(pages[i]), "https://odd.test/", NULL};
		struct nm_err e;
		err_clear(&e);
		enum nm_code rc = suggest_rule(&pg, 1, "2026-01-01", &out, &e);
		CHECK(rc == NM_OK);
		CHECK(strstr(e.msg, "odd.test") == NULL);
		struct rule *r = NULL;
		CHECK(rule_load_mem(buf_cstr(&out), out.len, "d", &r, &e) == NM_OK);
		rule_free(r);
		buf_free(&out);
	}
}
