/* rules/ftr.c (FiveFilters configs into rules) and the rule keys it relies
 * on: imported:, pages:, body.clean.xpath, body.fallback, URL-only tests. */
#include "tests/unit/unit.h"
#include "rules/ftr.h"
#include "rules/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Converts text as config `base`; returns the YAML (static) or the error. */
static const char *convert(const char *text, const char *base, const char *global)
{
	static char out[8192];
	struct ftr_conf *c = NULL, *g = NULL;
	struct nm_err e;
	err_clear(&e);
	struct ftr_report *rep = ftr_report_new();
	if (ftr_parse(text, strlen(text), base, &c, &e) != NM_OK)
		return "parse error";
	if (global)
		ftr_parse(global, strlen(global), "global.txt", &g, &e);
	struct buf y = BUF_INIT;
	char *name = NULL;
	if (ftr_convert(c, base, g, rep, &y, &name, &e) != NM_OK)
		snprintf(out, sizeof out, "error: %s", e.msg);
	else
		snprintf(out, sizeof out, "%s\n%s", name, buf_cstr(&y));
	free(name);
	buf_free(&y);
	ftr_conf_free(c);
	ftr_conf_free(g);
	ftr_report_free(rep);
	return out;
}

TEST(ftr_converts_fields_edits_and_hosts)
{
	const char *y = convert("# comment\n"
				"title: //h1\n"
				"body: //div[@id='a'] | //div[@id='b']\n"
				"strip_id_or_class: it's\n"
				"replace_string(<b>): <i>\n"
				"replace_string(a:b): c\n"
				"http_header(user-agent): UA/1 (x: y)\n"
				"test_url: https://www.x.com/a\n"
				"test_contains: words\n",
				"x.com.txt", "title: //meta[@property='og:title']/@content\n");
	CHECK(strstr(y, "x.com.yml\n") == y);
	CHECK(strstr(y, "name: ftr-x.com\n") != NULL);
	CHECK(strstr(y, "hosts: [x.com, www.x.com]") != NULL);
	/* the site's title first, then global.txt's */
	CHECK(strstr(y, "//h1") && strstr(y, "og:title") && strstr(y, "//h1") < strstr(y, "og:title"));
	/* a value with both quote kinds becomes concat() */
	CHECK(strstr(y, "contains(@class, \"it''s\")") != NULL);
	CHECK(strstr(y, "{find: <b>, replace: <i>}") != NULL);
	/* as in Full-Text RSS the first ':' ends the directive: no 'a:b' pair */
	CHECK(strstr(y, "a:b") == NULL);
	CHECK(strstr(y, "User-Agent: 'UA/1 (x: y)'") != NULL);
	CHECK(strstr(y, "url: https://www.x.com/a") != NULL);
	/* and it loads */
	struct rule *r = NULL;
	const char *nl = strchr(y, '\n');
	CHECK_INT(rule_load_mem(nl + 1, strlen(nl + 1), "x.yml", &r, NULL), NM_OK);
	CHECK(r && r->imported && !strcmp(r->imported, "ftr-site-config/x.com.txt"));
	CHECK(r && r->ntests == 1 && r->tests[0].input == NULL && r->tests[0].nexpect == 1);
	CHECK(r && r->nclean_xpath == 1 && r->clean_xpath[0].kind == XOP_REMOVE);
	rule_free(r);

	y = convert("body: //p\n", ".sub.x.com.txt", NULL);
	CHECK(strstr(y, "_.sub.x.com.yml\n") == y);
	CHECK(strstr(y, "host_suffixes: [sub.x.com]") != NULL);
	CHECK_STR(convert("body: //p\n", ".github.io.txt", NULL),
		  "error: its host suffix is a public suffix (newsmd refuses a rule for every site "
		  "under one)");
	/* no body XPath: the generic extractor, as Full-Text RSS detects one */
	CHECK(strstr(convert("title: //h1\n", "y.com.txt", NULL), "{auto: true}") != NULL);
}

/* Values YAML would read as numbers, booleans or null are written quoted,
 * so the strict loader reads them back as text (bbc.com's and dw.com's
 * configs replace image widths: `replace_string(/200/): /624/`). */
TEST(ftr_quotes_values_that_read_as_numbers)
{
	const char *y = convert("body: //article\n"
				"find_string: 200\n"
				"replace_string: 624\n"
				"find_string: yes\n"
				"replace_string: null\n",
				"n.com.txt", NULL);
	CHECK(strstr(y, "{find: '200', replace: '624'}") != NULL);
	CHECK(strstr(y, "{find: 'yes', replace: 'null'}") != NULL);
	struct rule *r = NULL;
	const char *nl = strchr(y, '\n');
	struct nm_err e;
	err_clear(&e);
	CHECK_INT(rule_load_mem(nl + 1, strlen(nl + 1), "n.yml", &r, &e), NM_OK);
	CHECK(r && r->npre == 2 && !strcmp(r->pre[0].find, "200") && !strcmp(r->pre[0].replace, "624"));
	rule_free(r);
}

TEST(ftr_report_counts_every_line)
{
	struct ftr_conf *c = NULL;
	const char *t = "body: //p\nbody: //div[\nprune: no\nlogin_uri: x\nfind_string: a\n"
			"find_string: b\nreplace_string: c\nsingle_page_link: //a\nif_page_contains: //b\n";
	CHECK_INT(ftr_parse(t, strlen(t), "z.com.txt", &c, NULL), NM_OK);
	struct ftr_report *rep = ftr_report_new();
	struct buf y = BUF_INIT;
	char *name = NULL;
	CHECK_INT(ftr_convert(c, "z.com.txt", NULL, rep, &y, &name, NULL), NM_OK);
	long k[3], total[3] = {0};
	for (size_t i = 0; i < ftr_report_rows(rep); i++) {
		const char *d = ftr_report_row(rep, i, k);
		for (int j = 0; j < 3; j++)
			total[j] += k[j];
		if (!strcmp(d, "body"))
			CHECK(k[0] == 1 && k[2] == 1);
		if (!strcmp(d, "find_string"))
			CHECK(k[2] == 2); /* 2 finds, 1 replace: Full-Text RSS applies none */
	}
	/* body, if_page_contains converted; prune, single_page_link approximated;
	 * body, login_uri, 2 find_string, 1 replace_string skipped */
	CHECK_INT(total[0], 2);
	CHECK_INT(total[1], 2);
	CHECK_INT(total[2], 5);
	CHECK(strstr(buf_cstr(&y), "if_contains: //b") != NULL);
	free(name);
	buf_free(&y);
	ftr_report_free(rep);
	ftr_conf_free(c);
}

static const char *load_error(const char *text)
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

TEST(rules_pages_clean_xpath_and_online_tests_load)
{
	CHECK_STR(load_error("name: x\nmatch: {hosts: [a.com]}\nbody:\n  steps: [{css: p}]\n"
			     "  fallback: false\n  clean:\n    xpath:\n    - {remove: //b}\n"
			     "    - {wrap: //i, in: em}\n    - {move: //u, into: //p}\n"
			     "pages: {single: [//a], next: [{xpath: //a, if_contains: //nav}]}\n"
			     "tests:\n- url: https://a.com/x\n"),
		  "OK");
	CHECK_STR(load_error("name: x\nmatch: {hosts: [a.com]}\nbody:\n  clean:\n    xpath:\n"
			     "    - {remove: '//b['}\n"),
		  "6:16: clean.xpath: xpath '//b[' column 5: invalid expression");
	CHECK_STR(load_error("name: x\nmatch: {hosts: [a.com]}\nbody:\n  clean:\n    xpath:\n"
			     "    - {wrap: //b}\n"),
		  "6:7: clean.xpath: 'in: TAG' goes with 'wrap' only");
	CHECK_STR(load_error("name: x\nmatch: {hosts: [a.com]}\ntests:\n- {expect: {title: a}}\n"),
		  "4:3: test: missing 'input' (a page file next to the rule), or an http(s) 'url' "
		  "alone for an online test");
}

TEST(imported_rules_yield_to_the_folders_own)
{
	char dir[] = "/tmp/newsmd-ftr-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	const char *files[][2] = {
		{"own.yml", "name: own\nmatch: {host_suffixes: [example.com]}\n"},
		{"imp.yml", "name: imp\nimported: x\nmatch: {hosts: [www.example.com, other.com]}\n"},
	};
	char p[128];
	for (int i = 0; i < 2; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, files[i][0]);
		FILE *f = fopen(p, "w");
		fputs(files[i][1], f);
		fclose(f);
	}
	struct ruleset rs;
	CHECK_INT(ruleset_load(dir, false, &rs, NULL), NM_OK);
	/* an exact host of an imported rule loses to a suffix of an own one */
	CHECK_STR(ruleset_match(&rs, "https://www.example.com/a")->name, "own");
	CHECK_STR(ruleset_match(&rs, "https://other.com/a")->name, "imp");
	ruleset_free(&rs);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}
