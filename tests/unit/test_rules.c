#include "tests/unit/unit.h"
#include "rules/rules.h"
#include "common/nfkc.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char *tmpfile_with(const char *text)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/newsmd-rule-%d.yml", (int)getpid());
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static const char *load_error(const char *text)
{
	static char line[2048];
	struct rule *r = NULL;
	struct nm_err e;
	err_clear(&e);
	const char *path = tmpfile_with(text);
	if (rule_load(path, &r, &e) == NM_OK) {
		rule_free(r);
		unlink(path);
		return "OK";
	}
	unlink(path);
	/* Strip the temp path so expectations stay readable. */
	snprintf(line, sizeof line, "%u:%u: %s", e.line, e.col, e.msg);
	return line;
}

TEST(rule_loader_reports_positions_and_hints)
{
	CHECK_STR(load_error("name: x\nmatch: {hosts: [a.com]}\nfields:\n  title: {css: h1}\n"),
		  "OK");
	CHECK_STR(load_error("name: x\nmatch: {hosts: [a.com]}\nfeilds: {}\n"),
		  "3:1: unknown key 'feilds' in a rule (did you mean 'fields'?)");
	CHECK_STR(load_error("name: x\nmatch: {hosts: [a.com]}\nfields:\n  titel: {css: h1}\n"),
		  "4:3: unknown field 'titel' (did you mean 'title'? custom fields must not be one "
		  "letter away from a built-in one)");
	CHECK_STR(load_error("name: x\nmatch: {hosts: [a.com]}\nfields:\n  title: {css: 'a >> b'}\n"),
		  "4:16: selector 'a >> b' column 4: expected a selector after '>', found '>'");
	CHECK_STR(load_error("name: x\nmatch: {host_suffixes: [com.cn]}\n"),
		  "2:25: host_suffixes: 'com.cn' is a public suffix; it would match every site under it");
	CHECK_STR(load_error("name: x\nmatch: {hosts: [a.com]}\nfields:\n  date:\n    css: t\n"
			     "    timezone: Mars/Base\n"),
		  "6:15: timezone: unknown time zone 'Mars/Base'");
	CHECK_STR(load_error("name: x\nmatch: {hosts: [a.com]}\nfields:\n  date: {css: t, format: '%Y-%Q'}\n"),
		  "4:26: date format '%Y-%Q': unknown directive '%Q'");
	CHECK_STR(load_error("name: x\nmatch: {hosts: [a.com]}\nfields:\n  title: {css: h1, regex: '(a'}\n"),
		  "4:27: regex: regex '(a' column 3: missing closing parenthesis");
	CHECK_STR(load_error("name: x\nmatch: {hosts: [a.com]}\nfields:\n  title: {css: h1, meta: x}\n"),
		  "4:10: a step has one source; found both 'css' and 'meta'");
}

TEST(ruleset_matches_hosts_and_suffixes)
{
	char dir[] = "/tmp/newsmd-rules-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char p[128];
	const char *files[][2] = {
		{"a.yml", "name: exact\nmatch: {hosts: [news.example.com]}\n"},
		{"b.yml", "name: suffix\nmatch: {host_suffixes: [example.com]}\n"},
		{"c.yml", "name: deeper\nmatch: {host_suffixes: [sports.example.com]}\n"},
	};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, files[i][0]);
		FILE *f = fopen(p, "w");
		fputs(files[i][1], f);
		fclose(f);
	}
	struct ruleset rs;
	CHECK_INT(ruleset_load(dir, false, &rs, NULL), NM_OK);
	CHECK_INT(rs.n, 3);
	CHECK_STR(ruleset_match(&rs, "https://news.example.com/a")->name, "exact");
	CHECK_STR(ruleset_match(&rs, "https://www.example.com/a")->name, "suffix");
	CHECK_STR(ruleset_match(&rs, "https://EXAMPLE.com/a")->name, "suffix");
	CHECK_STR(ruleset_match(&rs, "https://live.sports.example.com/")->name, "deeper");
	CHECK(ruleset_match(&rs, "https://notexample.com/") == NULL);
	CHECK(ruleset_match(&rs, "file:///tmp/x.html") == NULL);
	ruleset_free(&rs);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

static void put(const char *dir, const char *name, const char *text)
{
	char p[256];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

TEST(rules_extends_merges_and_detects_cycles)
{
	char dir[] = "/tmp/newsmd-ext-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	put(dir, "base.yml",
	    "name: base\n"
	    "preprocess: [{find: a, replace: b}]\n"
	    "fields:\n  title: {css: h1}\n  date: {css: time, timezone: Asia/Shanghai}\n"
	    "body: {steps: [{css: article}], clean: {remove: ['.ad']}}\n");
	put(dir, "child.yml",
	    "name: child\nextends: base\nmatch: {hosts: [c.example]}\n"
	    "preprocess: [{find: c, replace: d}]\n"
	    "fields:\n  title: {css: h2}\n  source: {const: Child News}\n"
	    "body: {clean: {remove: ['.share']}}\n");
	struct ruleset rs;
	struct nm_err e;
	err_clear(&e);
	CHECK_INT(ruleset_load(dir, false, &rs, &e), NM_OK);
	const struct rule *r = ruleset_match(&rs, "https://c.example/x");
	CHECK(r && !strcmp(r->name, "child"));
	if (r) {
		CHECK_STR(rule_field(r, "title")->steps[0].arg, "h2");     /* child wins */
		CHECK_STR(rule_field(r, "date")->steps[0].arg, "time");    /* inherited */
		CHECK(rule_field(r, "source") != NULL);                    /* added */
		CHECK_STR(rule_field(r, "body")->steps[0].arg, "article"); /* body merged key-wise */
		CHECK_INT(r->npre, 2);                                     /* parent's, then child's */
		CHECK_STR(r->pre[0].find, "a");
		CHECK(r->clean_remove && r->clean_remove[0] && r->clean_remove[1] && !r->clean_remove[2]);
	}
	CHECK(ruleset_match(&rs, "https://base.example/") == NULL); /* a base never matches by URL */
	ruleset_free(&rs);
	/* the single-file loader finds the parent beside the file too */
	struct rule *one = NULL;
	char p[256];
	snprintf(p, sizeof p, "%s/child.yml", dir);
	CHECK_INT(rule_load(p, &one, &e), NM_OK);
	rule_free(one);

	put(dir, "base.yml", "name: base\nextends: child\nfields:\n  title: {css: h1}\n");
	err_clear(&e);
	CHECK_INT(ruleset_load(dir, false, &rs, &e), NM_ERULE);
	CHECK(strstr(e.msg, "extends: cycle") != NULL);
	put(dir, "base.yml", "name: base\nextends: nowhere\n");
	err_clear(&e);
	CHECK_INT(ruleset_load(dir, false, &rs, &e), NM_ERULE);
	CHECK_STR(e.msg, "extends: no rule named 'nowhere' here");
	CHECK_INT(e.line, 2);
	CHECK_INT(e.col, 10);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

TEST(nfkc_folds_full_width_forms)
{
	struct buf b = BUF_INIT;
	const char *s = "ＡＢＣ１２３：ｔｅｓｔ　ﬁ";
	CHECK_INT(nfkc_append(&b, s, strlen(s)), 0);
	CHECK_STR(buf_cstr(&b), "ABC123:test fi");
	buf_free(&b);
}
