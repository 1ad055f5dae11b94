/*
 * cmd_rules.c - `newsmd rules check|test|suggest|import`: the rule
 * author's tools.  This file holds the dispatch and `check` (validate rule
 * files and run their offline tests); `test` is in cmd_rules_test.c,
 * `suggest` in cmd_suggest.c, `import` in cmd_import.c.
 */
#include "cli/cmd.h"
#include "crawler/pipeline.h"
#include "common/date.h"
#include "common/file.h"
#include "common/mem.h"
#include "common/url.h"
#include "dom/sel.h"
#include "extractor/ruletest.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_rules_usage(FILE *f)
{
	fputs("usage: newsmd rules check [-c FILE] [--online [--connect-to H:P:H2:P2]] [PATH...]\n"
	      "       newsmd rules test [-c FILE] [--url URL] [--now DATE] RULE INPUT\n"
	      "       newsmd rules suggest [-c FILE] [--url URL]... [-o FILE] PAGE...\n"
	      "       newsmd rules import ftr SRC -o DIR\n"
	      "\n"
	      "check  validates rule files (PATH: files or folders; default: the config's\n"
	      "       rules folder) and runs each rule's offline `tests`.  One line per\n"
	      "       problem (FILE:LINE:COL: ...), then a summary.  Exit 0 when all pass,\n"
	      "       1 when a test fails, 2 when a file does not load.  --online runs the\n"
	      "       URL-only tests instead: each URL fetched from its site (robots.txt,\n"
	      "       delays, redirect checks), extracted and checked.\n"
	      "test   extracts INPUT (a file or URL) with RULE (a rule file, or the name of\n"
	      "       a rule in the rules folder) and prints, for every field, each step\n"
	      "       tried: what it matched, the value after regex/post, and why it was\n"
	      "       rejected, each body.clean step with its match count, and every\n"
	      "       field's final value and the cleaned body.  --url gives a saved page\n"
	      "       its URL; --now sets the clock for relative dates.\n"
	      "suggest writes a draft rule for a page no rule knows (see its --help).\n"
	      "import  converts FiveFilters site configs into rules (see its --help).\n",
	      f);
}

/* ---- shared ----------------------------------------------------------- */

int64_t cli_parse_now(const char *s, struct nm_err *e)
{
	struct when w = {0};
	if (!s)
		return 0;
	if (date_parse_any(s, NULL, &w) != NM_OK) {
		err_set(e, NM_EUSAGE, "--now: cannot read date '%s'", s);
		return -1;
	}
	return w.t;
}

/* ---- check ------------------------------------------------------------ */

struct tally {
	int files, bad_files, tests, failed;
};

static void fail_line(const struct rule *r, const struct rule_test *t, size_t i, const char *fmt,
		      ...) __attribute__((format(printf, 4, 5)));

static void fail_line(const struct rule *r, const struct rule_test *t, size_t i, const char *fmt,
		      ...)
{
	va_list ap;
	printf("%s:%u:%u: test %zu: ", r->file, t->line, t->col, i + 1);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void run_tests(struct pipeline *p, const struct rule *r, struct tally *t)
{
	for (size_t i = 0; i < r->ntests; i++) {
		const struct rule_test *rt = &r->tests[i];
		if (!rt->input)
			continue; /* a URL-only test runs with --online */
		struct buf bytes = BUF_INIT;
		struct nm_err e;
		err_clear(&e);
		t->tests++;
		int before = t->failed;
		if (file_read(rt->input, PIPELINE_MAX_FILE, &bytes, &e) != NM_OK) {
			fail_line(r, rt, i, "cannot read input %s", rt->input);
			t->failed++;
			buf_free(&bytes);
			continue;
		}
		struct article a;
		article_init(&a);
		a.url = xstrdup(rt->url ? rt->url : "http://localhost/");
		p->now = cli_parse_now(rt->now, &e);
		if (p->now < 0) {
			fail_line(r, rt, i, "now: %s", e.msg);
			t->failed++;
			p->now = 0;
		} else if (pipeline_extract_bytes(p, r, bytes.ptr, bytes.len, NULL, &a, &e) != NM_OK) {
			fail_line(r, rt, i, "extraction failed: %s", e.msg);
			t->failed++;
		} else {
			for (size_t k = 0; k < rt->nexpect; k++) {
				const char *key = rt->expect[k].key, *want = rt->expect[k].value;
				const char *body = a.body_text ? a.body_text : "";
				if (!strcmp(key, "body_contains")) {
					if (!strstr(body, want)) {
						fail_line(r, rt, i, "body: expected to contain \"%s\"", want);
						t->failed++;
					}
				} else if (!strcmp(key, "body_not_contains")) {
					if (strstr(body, want)) {
						fail_line(r, rt, i, "body: expected not to contain \"%s\"", want);
						t->failed++;
					}
				} else if (!strcmp(key, "body_min_chars")) {
					size_t n = ruletest_chars(body);
					if (n < (size_t)atol(want)) {
						fail_line(r, rt, i, "body: %zu characters, expected at least %s", n,
							  want);
						t->failed++;
					}
				} else {
					struct buf got = BUF_INIT;
					ruletest_field_text(&a, key, &got);
					if (!ruletest_equal(&a, key, want, buf_cstr(&got))) {
						struct buf w = BUF_INIT, g = BUF_INIT;
						ruletest_visible(want, &w);
						ruletest_visible(buf_cstr(&got), &g);
						fail_line(r, rt, i, "%s: expected \"%s\", got \"%s\"", key,
							  buf_cstr(&w), buf_cstr(&g));
						buf_free(&w);
						buf_free(&g);
						t->failed++;
					}
					buf_free(&got);
				}
			}
		}
		if (t->failed > before)
			t->failed = before + 1; /* count tests, not lines */
		article_free(&a);
		buf_free(&bytes);
	}
	p->now = 0;
}

static void check_file(struct pipeline *p, const char *path, struct tally *t)
{
	struct rule *r = NULL;
	struct nm_err e;
	err_clear(&e);
	t->files++;
	if (rule_load(path, &r, &e) != NM_OK) {
		char line[NM_ERR_WHERE_MAX + NM_ERR_MSG_MAX + 64];
		err_format(&e, line, sizeof line);
		printf("%s\n", line);
		t->bad_files++;
		return;
	}
	run_tests(p, r, t);
	rule_free(r);
}

/* Checks path: a rule file, or every rule file of a folder and its direct
 * subfolders (rules_files), in path order. */
static void check_path(struct pipeline *p, const char *path, struct tally *t)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		printf("%s: no such file or folder\n", path);
		t->bad_files++;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		check_file(p, path, t);
		return;
	}
	char **files = NULL;
	size_t n = 0;
	struct nm_err e;
	err_clear(&e);
	if (rules_files(path, &files, &n, &e) != NM_OK) {
		char line[NM_ERR_WHERE_MAX + NM_ERR_MSG_MAX + 64];
		err_format(&e, line, sizeof line);
		printf("%s\n", line);
		t->bad_files++;
	}
	for (size_t i = 0; i < n; i++) {
		check_file(p, files[i], t);
		free(files[i]);
	}
	free(files);
}

static int rules_check(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
					     {"help", no_argument, NULL, 'h'},
					     {"online", no_argument, NULL, 'O'},
					     {"connect-to", required_argument, NULL, 'C'},
					     {NULL, 0, NULL, 0}};
	const char *config = NULL;
	const char *connect_to[CLI_MAX_CONNECT_TO + 1] = {NULL};
	int nct = 0;
	bool online = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		if (c == 'c')
			config = optarg;
		else if (c == 'O')
			online = true;
		else if (c == 'C' && nct < CLI_MAX_CONNECT_TO)
			connect_to[nct++] = optarg;
		else if (c == 'h') {
			cli_rules_usage(stdout);
			return EXIT_OK;
		} else {
			cli_rules_usage(stderr);
			return EXIT_USAGE;
		}
	}
	struct pipeline p;
	struct nm_err e;
	err_clear(&e);
	memset(&p, 0, sizeof p);
	p.warn = cli_warn;
	if (config_load(config ? config : "newsmd.yml", !config, &p.cfg, &e) != NM_OK) {
		cli_error(&e);
		config_free(&p.cfg);
		return EXIT_USAGE;
	}
	if (online) {
		p.connect_to = connect_to;
		int rc = rules_check_online(&p, argv + optind, argc - optind, connect_to);
		pipeline_close(&p);
		return rc;
	}
	struct tally t = {0};
	if (optind >= argc)
		check_path(&p, p.cfg.rules_dir, &t);
	for (int i = optind; i < argc; i++)
		check_path(&p, argv[i], &t);
	printf("rules check: %d files, %d not loaded, %d tests, %d failed\n", t.files, t.bad_files,
	       t.tests, t.failed);
	pipeline_close(&p);
	return t.bad_files ? EXIT_USAGE : t.failed ? EXIT_SOME_FAILED : EXIT_OK;
}

/* ---- test (trace) ----------------------------------------------------- */

int cmd_rules(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cli_rules_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "check"))
		return rules_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "test"))
		return cmd_rules_test(argc - 1, argv + 1);
	if (!strcmp(argv[1], "suggest"))
		return cmd_rules_suggest(argc - 1, argv + 1);
	if (!strcmp(argv[1], "import"))
		return cmd_rules_import(argc - 1, argv + 1);
	cli_errorf("rules: unknown subcommand '%s' (expected check, test or suggest)", argv[1]);
	return EXIT_USAGE;
}
