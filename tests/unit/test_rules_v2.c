/*
 * test_rules_v2.c - rule schema v2 (issue 14): YAML types checked, host
 * names, url_include lists, defaults, pick: all with join, %Z zone
 * abbreviations, clean.generic and keep_attrs.
 */
#include "tests/unit/unit.h"
#include "common/date.h"
#include "dom/html.h"
#include "extractor/article.h"
#include "extractor/extract.h"
#include "rules/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *mem_error(const char *text)
{
	static char line[2048];
	struct rule *r = NULL;
	struct nm_err e;
	err_clear(&e);
	if (rule_load_mem(text, strlen(text), "t.yml", &r, &e) == NM_OK) {
		rule_free(r);
		return "OK";
	}
	snprintf(line, sizeof line, "%u:%u: %s", e.line, e.col, e.msg);
	return line;
}

TEST(rules_v2_yaml_types_checked)
{
	CHECK_STR(mem_error("name: x\nmatch:\n  hosts: 5\n"),
		  "3:10: hosts: expected text, found a number; quote it to mean the text: '5'");
	CHECK_STR(mem_error("name: x\nmatch: {hosts: [a.com]}\nfields:\n"
			    "  date: {css: time, format: 17}\n"),
		  "4:29: format: expected text, found a number; quote it to mean the text: '17'");
	CHECK_STR(mem_error("name: x\nmatch: {hosts: [a.com]}\nfields:\n  title: {css: yes}\n"),
		  "4:16: css: expected text, found a boolean; quote it to mean the text: 'yes'");
	CHECK_STR(mem_error("name: x\nmatch: {hosts: [a.com]}\nfields:\n  title: {css: h1, attr: }\n"),
		  "4:26: attr: expected text, found null (nothing); write '' for an empty string");
	CHECK_STR(mem_error("name: 2022\nmatch: {hosts: [a.com]}\n"),
		  "1:7: name: expected text, found a number; quote it to mean the text: '2022'");
	/* quoted, the same values are text */
	CHECK_STR(mem_error("name: '2022'\nmatch: {hosts: ['a.com']}\nfields:\n"
			    "  title: {css: 'h1', regex: '17'}\n"),
		  "OK");
}

TEST(rules_v2_host_names_checked)
{
	CHECK_STR(mem_error("name: x\nmatch: {hosts: ['https://a.com/']}\n"),
		  "2:17: hosts: 'https://a.com/' is not a host name: give the host alone, without "
		  "scheme or path");
	CHECK_STR(mem_error("name: x\nmatch: {hosts: [a..com]}\n"),
		  "2:17: hosts: 'a..com' is not a host name: an empty label (two dots, or a dot at "
		  "an end)");
	CHECK_STR(mem_error("name: x\nmatch: {hosts: ['*.a.com']}\n"),
		  "2:17: hosts: '*.a.com' is not a host name: no wildcards; use host_suffixes");
	CHECK_STR(mem_error("name: x\nmatch: {host_suffixes: [a_b.com]}\n"),
		  "2:25: host_suffixes: 'a_b.com' is not a host name: '_' is not allowed");
	CHECK_STR(mem_error("name: x\nmatch: {hosts: [-a.com]}\n"),
		  "2:17: hosts: '-a.com' is not a host name: a label starts or ends with '-'");
	CHECK_STR(mem_error("name: x\nmatch: {hosts: [www.example.co.uk, 10.0.0.1, localhost]}\n"),
		  "OK");
}

TEST(rules_v2_url_include_lists)
{
	const char *y = "name: x\nmatch:\n  hosts: [a.com]\n  url_include: ['/news/', '/sport/']\n"
			"  url_exclude: '/live/'\n";
	char dir[] = "/tmp/newsmd-v2-XXXXXX";
	if (!mkdtemp(dir)) {
		CHECK(0);
		return;
	}
	char path[64];
	snprintf(path, sizeof path, "%s/x.yml", dir);
	FILE *f = fopen(path, "w");
	fputs(y, f);
	fclose(f);
	struct ruleset rs;
	struct nm_err e;
	err_clear(&e);
	CHECK(ruleset_load(dir, false, &rs, &e) == NM_OK);
	const struct rule *r = rs.n ? rs.rules[0] : NULL;
	CHECK(r != NULL);
	CHECK(ruleset_match(&rs, "https://a.com/news/1") == r);
	CHECK(ruleset_match(&rs, "https://a.com/sport/2") == r);
	CHECK(ruleset_match(&rs, "https://a.com/about") == NULL);
	CHECK(ruleset_match(&rs, "https://a.com/news/live/3") == NULL);
	ruleset_free(&rs);
	unlink(path);
	rmdir(dir);
	/* a bad member of the list is named at its own position */
	const char *err = mem_error("name: x\nmatch:\n  hosts: [a.com]\n  url_include: ['/a/', '(']\n");
	CHECK(!strncmp(err, "4:24: url_include:", 18));
}

TEST(rules_v2_defaults)
{
	CHECK_STR(mem_error("name: x\nmatch: {hosts: [a.com]}\ndefaults: {pick: some}\n"),
		  "3:18: defaults.pick: expected first, last, all or only");
	CHECK_STR(mem_error("name: x\nmatch: {hosts: [a.com]}\ndefaults: {tz: UTC}\n"),
		  "3:12: unknown key 'tz' in defaults");
	const char *y = "name: x\nmatch: {hosts: [a.com]}\n"
			"defaults: {pick: only, timezone: Asia/Tokyo, fallback: false}\n"
			"fields:\n  title: {css: h1}\n  tags: {css: .t}\n  author: {css: .a, pick: first}\n"
			"  date: {css: time}\n";
	struct rule *r = NULL;
	struct nm_err e;
	err_clear(&e);
	CHECK(rule_load_mem(y, strlen(y), "t", &r, &e) == NM_OK);
	if (!r)
		return;
	const struct field_rule *t = rule_field(r, "title"), *tg = rule_field(r, "tags"),
				*au = rule_field(r, "author"), *d = rule_field(r, "date");
	CHECK(t->steps[0].pick_set && t->steps[0].pick == PICK_ONLY);
	CHECK(!tg->steps[0].pick_set);  /* a list field keeps pick: all */
	CHECK(au->steps[0].pick == PICK_FIRST);
	CHECK(d->steps[0].tz != NULL);
	CHECK(t->no_fallback && d->no_fallback);
	rule_free(r);
}

static const char *page =
	"<html><head><title>T</title><meta name=author content='Meta Person'></head><body>"
	"<h1>Harbour</h1><p class=by><span class=n>Ann Lee</span>, <span class=n>Bo Chen</span></p>"
	"<p class=k>City</p><p class=k>Ports</p><p class=when>15 April 2019 06:18 CST</p>"
	"<div class=intro><p>First part of the story, long enough to be text.</p></div>"
	"<div class=other><p>Not this.</p></div>"
	"<div class=story><p class=x>Second part of the story.</p>"
	"<div class=tools><p><a href=/s1>Share one</a></p><p><a href=/s2>Share two</a></p></div>"
	"<p>Third part.</p></div></body></html>";

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
	if (html_parse(page, strlen(page), &h, NULL) != NM_OK) {
		rule_free(r);
		return -1;
	}
	struct page pg = {0};
	pg.h = h;
	a->url = strdup("https://a.com/news/1");
	enum nm_code rc = extract_article(r, &pg, a, &e);
	a->body_node = NULL;
	page_release(&pg);
	html_free(h);
	rule_free(r);
	return rc == NM_OK ? 0 : -1;
}

TEST(rules_v2_pick_all_body_and_join)
{
	struct article a;
	CHECK(run("name: x\nmatch: {hosts: [a.com]}\nfields:\n  title: {css: h1}\n"
		  "  category: {css: .k, pick: all, join: ' / '}\n"
		  "  source: {css: .k, pick: all}\n"
		  "  author: {css: .by .n}\n"
		  "body:\n  steps: [{css: '.story, .intro', pick: all}]\n"
		  "  clean: {keep_attrs: [class]}\n",
		  &a) == 0);
	CHECK_STR(a.category, "City / Ports");
	CHECK_STR(a.source, "City Ports");
	CHECK_INT(a.author.n, 2);
	/* document order, whatever the selector list's order */
	const char *intro = a.body_text ? strstr(a.body_text, "First part") : NULL;
	const char *story = a.body_text ? strstr(a.body_text, "Second part") : NULL;
	CHECK(intro && story && intro < story);
	CHECK(a.body_text && !strstr(a.body_text, "Not this"));
	CHECK(a.body_html && strstr(a.body_html, "<p class=\"x\">"));
	CHECK(a.body_raw && strstr(a.body_raw, "First part") && strstr(a.body_raw, "Third part"));
	article_free(&a);
}

TEST(rules_v2_clean_generic_and_no_fallback)
{
	struct article a;
	CHECK(run("name: x\nmatch: {hosts: [a.com]}\nfields:\n  title: {css: h1}\n"
		  "  author: {steps: [{css: .nobody}], fallback: false}\n"
		  "body:\n  steps: [{css: .story}]\n  clean: {generic: true}\n",
		  &a) == 0);
	CHECK_INT(a.author.n, 0);
	CHECK(a.body_text && !strstr(a.body_text, "Share one"));
	CHECK(a.body_text && strstr(a.body_text, "Third part"));
	article_free(&a);
	CHECK(run("name: x\nmatch: {hosts: [a.com]}\nfields:\n  title: {css: h1}\n"
		  "body:\n  steps: [{css: .story}]\n",
		  &a) == 0);
	CHECK(a.body_text && strstr(a.body_text, "Share one")); /* without generic: kept */
	CHECK_INT(a.author.n, 1);                                 /* metadata fallback */
	article_free(&a);
	CHECK_STR(mem_error("name: x\nmatch: {hosts: [a.com]}\nbody:\n  steps: [{css: p}]\n"
			    "  clean: {keep_attrs: [onclick]}\n"),
		  "5:24: clean.keep_attrs: 'onclick' is an event handler; never kept");
}

static const char *zone_parse(const char *in, const char *fmt, const char *zone)
{
	static char out[64];
	struct tz *z = NULL;
	struct when w = {0};
	if (zone && tz_load(zone, &z, NULL) != NM_OK)
		return "badzone";
	enum nm_code rc = fmt ? date_parse_fmt(in, fmt, z, &w) : date_parse_any(in, z, &w);
	tz_free(z);
	if (rc != NM_OK)
		return "nomatch";
	struct buf b = BUF_INIT;
	date_format(&b, "%Y-%m-%d %H:%M:%S %z", &w);
	snprintf(out, sizeof out, "%s", buf_cstr(&b));
	buf_free(&b);
	return out;
}

TEST(rules_v2_zone_abbreviations)
{
	const char *f = "%B %d, %Y %H:%M %Z";
	CHECK_STR(zone_parse("April 15, 2019 06:18 EDT", f, NULL), "2019-04-15 06:18:00 -0400");
	CHECK_STR(zone_parse("April 15, 2019 06:18 PST", f, NULL), "2019-04-15 06:18:00 -0800");
	CHECK_STR(zone_parse("April 15, 2019 06:18 CEST", f, NULL), "2019-04-15 06:18:00 +0200");
	CHECK_STR(zone_parse("April 15, 2019 06:18 JST", f, NULL), "2019-04-15 06:18:00 +0900");
	CHECK_STR(zone_parse("April 15, 2019 06:18 AEST", f, NULL), "2019-04-15 06:18:00 +1000");
	CHECK_STR(zone_parse("April 15, 2019 06:18 +0530", f, NULL), "2019-04-15 06:18:00 +0530");
	CHECK_STR(zone_parse("April 15, 2019 06:18 XYZ", f, NULL), "nomatch");
	/* ambiguous: the zone decides, and without one it does not parse */
	CHECK_STR(zone_parse("April 15, 2019 06:18 CST", f, NULL), "nomatch");
	CHECK_STR(zone_parse("April 15, 2019 06:18 CST", f, "Asia/Shanghai"),
		  "2019-04-15 06:18:00 +0800");
	CHECK_STR(zone_parse("January 15, 2019 06:18 CST", f, "America/Chicago"),
		  "2019-01-15 06:18:00 -0600");
	CHECK_STR(zone_parse("April 15, 2019 06:18 IST", f, "Asia/Kolkata"),
		  "2019-04-15 06:18:00 +0530");
	CHECK_STR(zone_parse("April 15, 2019 06:18 IST", f, "Asia/Tokyo"), "nomatch");
	/* RFC 2822 dates with an abbreviation, without a format */
	CHECK_STR(zone_parse("Mon, 15 Apr 2019 06:18:34 EDT", NULL, NULL),
		  "2019-04-15 06:18:34 -0400");
	CHECK_STR(zone_parse("Mon, 15 Apr 2019 06:18:34 GMT", NULL, NULL),
		  "2019-04-15 06:18:34 +0000");
}

TEST(rules_v2_ambiguous_zone_in_a_rule)
{
	struct article a;
	CHECK(run("name: x\nmatch: {hosts: [a.com]}\nfields:\n  title: {css: h1}\n"
		  "  date: {css: .when, format: '%d %B %Y %H:%M %Z', timezone: Asia/Shanghai}\n"
		  "body: {steps: [{css: .story}]}\n",
		  &a) == 0);
	CHECK(a.date.set && a.date.off == 8 * 3600);
	article_free(&a);
	CHECK(run("name: x\nmatch: {hosts: [a.com]}\nfields:\n  title: {css: h1}\n"
		  "  date: {steps: [{css: .when, format: '%d %B %Y %H:%M %Z'}], fallback: false}\n"
		  "body: {steps: [{css: .story}]}\n",
		  &a) == 0);
	CHECK(!a.date.set);
	article_free(&a);
}

TEST(rules_v2_discovery_url_lists)
{
	const char *y = "name: x\nmatch: {hosts: [a.com]}\n"
			"discovery:\n  item_links: [{css: 'a'}]\n"
			"  url_include: ['/news/', '/sport/']\n  url_exclude: ['/live/', '#']\n";
	const char *list = "<ul><li><a href='/news/1'>1</a><li><a href='/sport/2'>2</a>"
			   "<li><a href='/about'>3</a><li><a href='/news/live/4'>4</a></ul>";
	struct rule *r = NULL;
	struct nm_err e;
	err_clear(&e);
	CHECK(rule_load_mem(y, strlen(y), "t", &r, &e) == NM_OK);
	struct html_doc *h = NULL;
	CHECK(html_parse(list, strlen(list), &h, NULL) == NM_OK);
	if (!r || !h) {
		rule_free(r);
		html_free(h);
		return;
	}
	struct page pg = {0};
	pg.h = h;
	struct strv out = {0};
	extract_item_links(r, &pg, "https://a.com/", &out);
	CHECK_INT((long)out.n, 2);
	if (out.n == 2) {
		CHECK_STR(out.v[0], "https://a.com/news/1");
		CHECK_STR(out.v[1], "https://a.com/sport/2");
	}
	strv_free(&out);
	page_release(&pg);
	html_free(h);
	rule_free(r);
}
