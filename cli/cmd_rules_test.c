/*
 * cmd_rules_test.c - `newsmd rules test RULE INPUT`: extracts INPUT with
 * RULE and prints, per field, every step tried (what it matched, the value
 * after regex/post, why it was rejected), each body.clean step with its
 * match count, then every field's final value and the cleaned body.
 */
#include "cli/cmd.h"
#include "crawler/pipeline.h"
#include "common/date.h"
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

/* Characters of the cleaned body `rules test` prints (the rest is cut). */
#define RULES_TEST_BODY_SHOWN 2000

struct trace_state {
	const char *last_field;
};

static bool colour;

static const char *c_on(const char *code)
{
	return colour ? code : "";
}

static const char *c_off(void)
{
	return colour ? "\033[0m" : "";
}

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
	if (!strcmp(field, "body") && raw->n) {
		/* the element's text before cleaning misleads: the cleaned body is
		 * printed under "result" */
		size_t chars = 0;
		for (size_t i = 0; i < raw->n; i++)
			chars += ruletest_chars(raw->v[i]);
		printf("         %sraw:   %zu match%s, %zu characters before cleaning (cleaned below)%s\n",
		       c_on("\033[2m"), raw->n, raw->n == 1 ? "" : "es", chars, c_off());
		return;
	}
	print_values("raw:", raw);
	if (st->regex || st->npost || refined->n != raw->n)
		print_values("value:", refined);
}

static void on_clean(void *ctx, const char *op, const char *arg, size_t matches)
{
	struct trace_state *ts = ctx;
	if (!ts->last_field || strcmp(ts->last_field, "body.clean")) {
		printf("%sbody.clean%s (before cleaning, on the chosen body)\n", c_on("\033[1m"), c_off());
		ts->last_field = "body.clean";
	}
	if (matches == (size_t)-1)
		printf("  %s '%s'\n", op, arg);
	else
		printf("  %s '%s'  %s%zu match%s%s\n", op, arg,
		       matches ? c_on("\033[32m") : c_on("\033[31m"), matches,
		       matches == 1 ? "" : "es", c_off());
}

/* Every field's final value, after post-processing, metadata fallback and
 * cleaning: what the post will get. */
static void print_result(const struct rule *r, const struct article *a)
{
	static const char *const fields[] = {"title", "date", "updated", "author", "source",
					     "category", "tags", "lead_image", "excerpt", "slug",
					     NULL};
	printf("\n%sresult%s (final values)\n", c_on("\033[1m"), c_off());
	for (int i = 0; fields[i]; i++) {
		struct buf v = BUF_INIT, shown = BUF_INIT;
		ruletest_field_text(a, fields[i], &v);
		ruletest_visible(buf_cstr(&v), &shown);
		printf("  %-11s %s%s%s\n", fields[i], v.len ? "\"" : "(empty)", buf_cstr(&shown),
		       v.len ? "\"" : "");
		buf_free(&v);
		buf_free(&shown);
	}
	for (size_t i = 0; i < r->nfields; i++) {
		const char *n = r->fields[i].name;
		bool builtin = !strcmp(n, "body");
		for (int j = 0; fields[j] && !builtin; j++)
			builtin = !strcmp(n, fields[j]);
		if (builtin)
			continue;
		const char *v = article_get_field(a, n);
		printf("  %-11s %s%s%s\n", n, v ? "\"" : "(empty)", v ? v : "", v ? "\"" : "");
	}
	/* the body after cleaning, as the post gets it */
	const char *b = a->body_text ? a->body_text : "";
	size_t len = strlen(b), cut = len < RULES_TEST_BODY_SHOWN ? len : RULES_TEST_BODY_SHOWN;
	while (cut < len && ((unsigned char)b[cut] & 0xC0) == 0x80)
		cut++;
	printf("  %-11s %zu characters after cleaning\n", "body", ruletest_chars(b));
	printf("%.*s%s\n", (int)cut, b, cut < len ? "\n…" : "");
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

int cmd_rules_test(int argc, char **argv)
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
		case 'h': cli_rules_usage(stdout); return EXIT_OK;
		default: cli_rules_usage(stderr); return EXIT_USAGE;
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
	p.now = cli_parse_now(now, &e);
	if (p.now < 0) {
		cli_error(&e);
		rule_free(own);
		pipeline_close(&p);
		return EXIT_USAGE;
	}
	struct trace_state ts = {NULL};
	struct extract_trace tr = {on_step, on_field, &ts, on_clean};
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
		print_result(r, &a);
		struct buf d = BUF_INIT;
		if (a.date.set)
			date_format(&d, "%Y-%m-%d %H:%M:%S %z", &a.date);
		printf("\nresult: title \"%s\", date %s, body %zu characters\n", a.title ? a.title : "",
		       a.date.set ? buf_cstr(&d) : "(none)", ruletest_chars(a.body_text));
		buf_free(&d);
	}
	free(ctype);
	buf_free(&bytes);
	article_free(&a);
	rule_free(own);
	pipeline_close(&p);
	return rc ? EXIT_SOME_FAILED : EXIT_OK;
}
