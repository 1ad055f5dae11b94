/*
 * cmd_rules.c - `newsmd rules check|test`: the rule author's tools.
 *
 *   check [PATH...]     validate rule files and run their offline tests
 *   test RULE INPUT     per-field trace of every step tried
 */
#include "cli/cmd.h"
#include "crawler/pipeline.h"
#include "common/date.h"
#include "common/file.h"
#include "common/mem.h"
#include "common/url.h"
#include "dom/sel.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: newsmd rules check [-c FILE] [PATH...]\n"
	      "       newsmd rules test [-c FILE] [--url URL] [--now DATE] RULE INPUT\n"
	      "       newsmd rules suggest [-c FILE] [--url URL] [-o FILE] INPUT\n"
	      "\n"
	      "check  validates rule files (PATH: files or folders; default: the config's\n"
	      "       rules folder) and runs each rule's offline `tests`.  One line per\n"
	      "       problem (FILE:LINE:COL: ...), then a summary.  Exit 0 when all pass,\n"
	      "       1 when a test fails, 2 when a file does not load.\n"
	      "test   extracts INPUT (a file or URL) with RULE (a rule file, or the name of\n"
	      "       a rule in the rules folder) and prints, for every field, each step\n"
	      "       tried: what it matched, the value after regex/post, and why it was\n"
	      "       rejected.  --url gives a saved page its URL; --now sets the clock for\n"
	      "       relative dates.\n"
	      "suggest writes a draft rule for a page no rule knows (see its --help).\n",
	      f);
}

/* ---- shared ----------------------------------------------------------- */

static bool colour;

static const char *c_on(const char *code)
{
	return colour ? code : "";
}

static const char *c_off(void)
{
	return colour ? "\033[0m" : "";
}

static int64_t parse_now(const char *s, struct nm_err *e)
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

/* A field's value as the tests compare it. */
static void field_text(const struct article *a, const char *k, struct buf *out)
{
	if (!strcmp(k, "date") || !strcmp(k, "updated")) {
		const struct when *w = k[0] == 'd' ? &a->date : &a->updated;
		if (w->set)
			date_format(out, "%Y-%m-%d %H:%M:%S %z", w);
		return;
	}
	const struct strv *lst = !strcmp(k, "author") ? &a->author : !strcmp(k, "tags") ? &a->tags : NULL;
	if (lst) {
		for (size_t i = 0; i < lst->n; i++)
			buf_printf(out, "%s%s", i ? ", " : "", lst->v[i]);
		return;
	}
	const char *v = !strcmp(k, "title")	 ? a->title
			: !strcmp(k, "source")	 ? a->source
			: !strcmp(k, "category")   ? a->category
			: !strcmp(k, "excerpt")	? a->excerpt
			: !strcmp(k, "lead_image") ? a->lead_image
			: !strcmp(k, "slug")	   ? a->slug
			: !strcmp(k, "body")	   ? a->body_text
						   : article_get_field(a, k);
	if (v)
		buf_puts(out, v);
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
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
		p->now = parse_now(rt->now, &e);
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
					size_t n = utf8_chars(body);
					if (n < (size_t)atol(want)) {
						fail_line(r, rt, i, "body: %zu characters, expected at least %s", n,
							  want);
						t->failed++;
					}
				} else {
					struct buf got = BUF_INIT;
					field_text(&a, key, &got);
					if (strcmp(buf_cstr(&got), want)) {
						fail_line(r, rt, i, "%s: expected \"%s\", got \"%s\"", key, want,
							  buf_cstr(&got));
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

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_path(struct pipeline *p, const char *path, int depth, struct tally *t)
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
	DIR *d = opendir(path);
	if (!d)
		return;
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < RULES_MAX_FILES) {
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.')
			continue;
		struct buf full = BUF_INIT;
		buf_printf(&full, "%s/%s", path, de->d_name);
		struct stat s2;
		bool dir = stat(buf_cstr(&full), &s2) == 0 && S_ISDIR(s2.st_mode);
		if ((dir && depth == 0) || (l > 4 && !strcmp(de->d_name + l - 4, ".yml")) ||
		    (l > 5 && !strcmp(de->d_name + l - 5, ".yaml"))) {
			names = xrealloc(names, (n + 1) * sizeof *names);
			names[n++] = buf_detach(&full);
		}
		buf_free(&full);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		check_path(p, names[i], depth + 1, t);
		free(names[i]);
	}
	free(names);
}

static int rules_check(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *config = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		if (c == 'c')
			config = optarg;
		else if (c == 'h') {
			usage(stdout);
			return EXIT_OK;
		} else {
			usage(stderr);
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
	struct tally t = {0};
	if (optind >= argc)
		check_path(&p, p.cfg.rules_dir, 0, &t);
	for (int i = optind; i < argc; i++)
		check_path(&p, argv[i], 0, &t);
	printf("rules check: %d files, %d not loaded, %d tests, %d failed\n", t.files, t.bad_files,
	       t.tests, t.failed);
	pipeline_close(&p);
	return t.bad_files ? EXIT_USAGE : t.failed ? EXIT_SOME_FAILED : EXIT_OK;
}

/* ---- test (trace) ----------------------------------------------------- */

struct trace_state {
	const char *last_field;
};

static void print_values(const char *label, const struct strv *v)
{
	if (!v->n) {
		printf("         %s%-6s (nothing)%s\n", c_on("\033[2m"), label, c_off());
		return;
	}
	for (size_t i = 0; i < v->n && i < 5; i++) {
		const char *s = v->v[i];
		size_t n = strlen(s);
		printf("         %s%-6s \"%.*s%s\"%s\n", c_on("\033[2m"), i ? "" : label,
		       n > 160 ? 160 : (int)n, s, n > 160 ? "…" : "", c_off());
	}
	if (v->n > 5)
		printf("         %s       … %zu more%s\n", c_on("\033[2m"), v->n - 5, c_off());
}

static void on_step(void *ctx, const char *field, size_t index, const struct step *st,
		    const struct strv *raw, const struct strv *refined, const char *verdict)
{
	struct trace_state *ts = ctx;
	if (!ts->last_field || strcmp(ts->last_field, field)) {
		printf("%s%s%s\n", c_on("\033[1m"), field, c_off());
		ts->last_field = field;
	}
	printf("  %zu. %s '%s'%s%s%s  %s%s%s\n", index + 1, rule_step_source_name(st->src),
	       st->arg ? st->arg : "", st->attr ? " attr=" : "", st->attr ? st->attr : "",
	       st->regex ? " +regex" : "", verdict ? c_on("\033[31m") : c_on("\033[32m"),
	       verdict ? verdict : "chosen", c_off());
	print_values("raw:", raw);
	if (st->regex || st->npost || refined->n != raw->n)
		print_values("value:", refined);
}

static void on_field(void *ctx, const char *field, const char *how)
{
	struct trace_state *ts = ctx;
	if (!ts->last_field || strcmp(ts->last_field, field)) {
		printf("%s%s%s\n", c_on("\033[1m"), field, c_off());
		ts->last_field = field;
	}
	bool bad = !strcmp(how, "missing");
	printf("  => %s%s%s\n", bad ? c_on("\033[31m") : c_on("\033[33m"), how, c_off());
}

static int rules_test(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"url", required_argument, NULL, 'u'},
		{"now", required_argument, NULL, 'n'},    {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *config = NULL, *url = NULL, *now = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'u': url = optarg; break;
		case 'n': now = optarg; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		cli_errorf("rules test: expected RULE and INPUT (try 'newsmd rules test --help')");
		return EXIT_USAGE;
	}
	const char *rule_arg = argv[optind], *input = argv[optind + 1];
	struct pipeline p;
	struct nm_err e;
	err_clear(&e);
	struct stat st;
	bool is_file = stat(rule_arg, &st) == 0 && S_ISREG(st.st_mode);
	if (pipeline_open(&p, config, NULL, &e) != NM_OK) {
		cli_error(&e);
		pipeline_close(&p);
		return EXIT_USAGE;
	}
	p.warn = cli_warn;
	struct rule *own = NULL;
	const struct rule *r = NULL;
	if (is_file) {
		if (rule_load(rule_arg, &own, &e) != NM_OK) {
			cli_error(&e);
			pipeline_close(&p);
			return EXIT_USAGE;
		}
		r = own;
	} else if (!(r = ruleset_find(&p.rules, rule_arg))) {
		cli_errorf("rules test: '%s' is neither a rule file nor a rule in %s", rule_arg,
			   p.cfg.rules_dir);
		pipeline_close(&p);
		return EXIT_USAGE;
	}
	colour = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	p.now = parse_now(now, &e);
	if (p.now < 0) {
		cli_error(&e);
		rule_free(own);
		pipeline_close(&p);
		return EXIT_USAGE;
	}
	struct trace_state ts = {NULL};
	struct extract_trace tr = {on_step, on_field, &ts};
	p.trace = &tr;

	/* Read the input as pipeline_extract would, but with this rule. */
	struct buf bytes = BUF_INIT;
	struct article a;
	article_init(&a);
	enum nm_code rc;
	char *ctype = NULL;
	rc = pipeline_read(&p, r, input, &bytes, &ctype, &e);
	a.url = xstrdup(url ? url : url_looks_absolute(input) ? input : "http://localhost/");
	printf("rule %s (%s) on %s\n\n", r->name, r->file, input);
	if (!rc)
		rc = pipeline_extract_bytes(&p, r, bytes.ptr, bytes.len, ctype, &a, &e);
	if (rc) {
		printf("\n");
		cli_error(&e);
	} else {
		struct buf d = BUF_INIT;
		if (a.date.set)
			date_format(&d, "%Y-%m-%d %H:%M:%S %z", &a.date);
		printf("\nresult: title \"%s\", date %s, body %zu characters\n", a.title ? a.title : "",
		       a.date.set ? buf_cstr(&d) : "(none)", utf8_chars(a.body_text));
		buf_free(&d);
	}
	free(ctype);
	buf_free(&bytes);
	article_free(&a);
	rule_free(own);
	pipeline_close(&p);
	return rc ? EXIT_SOME_FAILED : EXIT_OK;
}

int cmd_rules(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "check"))
		return rules_check(argc - 1, argv + 1);
	if (!strcmp(argv[1], "test"))
		return rules_test(argc - 1, argv + 1);
	if (!strcmp(argv[1], "suggest"))
		return cmd_rules_suggest(argc - 1, argv + 1);
	cli_errorf("rules: unknown subcommand '%s' (expected check, test or suggest)", argv[1]);
	return EXIT_USAGE;
}
