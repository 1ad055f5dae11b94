/*
 * cmd_check_online.c - `newsmd rules check --online [PATH...]`: each
 * rule's URL-only tests (`tests: [{url: U, expect: ...}]`, FiveFilters'
 * test_url/test_contains once imported) fetched from the live site through
 * the crawler's fetcher (robots.txt, per-host delays, redirect checks,
 * retries: net/multi.h), extracted with that rule and checked against
 * their expectations.  One line per failure, then a summary, so a
 * maintainer learns which sites changed.
 */
#include "cli/cmd.h"
#include "extractor/ruletest.h"
#include "common/date.h"
#include "common/mem.h"
#include "crawler/pipeline.h"
#include "net/multi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Online tests in one run: a whole imported ftr-site-config has ~2,800;
 * more is a mistake (and hours of polite fetching). */
#define ONLINE_MAX_TESTS 20000
/* Low-speed abort: below this many bytes/s for the config's half timeout. */
#define ONLINE_LOW_SPEED_BYTES 100

struct job {
	const struct rule *r;
	size_t test;
};

struct online {
	struct pipeline *p;
	int tests, failed;
};

static void fail(const struct rule *r, size_t i, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(const struct rule *r, size_t i, const char *fmt, ...)
{
	const struct rule_test *t = &r->tests[i];
	va_list ap;
	printf("%s:%u:%u: test %zu (%s): ", r->file, t->line, t->col, i + 1, t->url);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Checks one extracted article; returns the number of failed expectations. */
static int expect(const struct rule *r, size_t i, const struct article *a)
{
	const struct rule_test *t = &r->tests[i];
	const char *body = a->body_text ? a->body_text : "";
	int bad = 0;
	for (size_t k = 0; k < t->nexpect; k++) {
		const char *key = t->expect[k].key, *want = t->expect[k].value;
		if (!strcmp(key, "body_contains")) {
			if (!strstr(body, want) && ++bad)
				fail(r, i, "body: expected to contain \"%s\"", want);
		} else if (!strcmp(key, "body_not_contains")) {
			if (strstr(body, want) && ++bad)
				fail(r, i, "body: expected not to contain \"%s\"", want);
		} else if (!strcmp(key, "body_min_chars")) {
			size_t n = ruletest_chars(body);
			if (n < (size_t)atol(want) && ++bad)
				fail(r, i, "body: %zu characters, expected at least %s", n, want);
		} else {
			struct buf got = BUF_INIT;
			ruletest_field_text(a, key, &got);
			if (!ruletest_equal(a, key, want, buf_cstr(&got)) && ++bad)
				fail(r, i, "%s: expected \"%s\", got \"%s\"", key, want, buf_cstr(&got));
			buf_free(&got);
		}
	}
	return bad;
}

static void on_done(void *ctx, const struct multi_res *res)
{
	struct online *o = ctx;
	struct job *j = res->ud;
	const struct rule *r = j->r;
	if (res->outcome != MO_OK) {
		if (res->status)
			fail(r, j->test, "fetch failed: %s, HTTP %ld", multi_outcome_name(res->outcome),
			     res->status);
		else
			fail(r, j->test, "fetch failed: %s%s%s", multi_outcome_name(res->outcome),
			     res->error ? ": " : "", res->error ? res->error : "");
		o->failed++;
		return;
	}
	struct article a;
	article_init(&a);
	a.url = xstrdup(r->tests[j->test].url);
	a.final_url = xstrdup(res->final_url ? res->final_url : res->url);
	struct nm_err e;
	err_clear(&e);
	if (pipeline_extract_bytes(o->p, r, res->body, res->len, res->content_type, &a, &e) != NM_OK) {
		fail(r, j->test, "extraction failed: %s", e.msg);
		o->failed++;
	} else if (!a.body_text || !*a.body_text) {
		fail(r, j->test, "extraction gave an empty body");
		o->failed++;
	} else if (expect(r, j->test, &a)) {
		o->failed++;
	}
	article_free(&a);
}

struct rlist {
	struct rule **v;
	size_t n;
	int files, bad;
};

/* Loads one rule file into l, printing it when it does not load. */
static void load_one(const char *path, struct rlist *l)
{
	struct rule *r = NULL;
	struct nm_err e;
	err_clear(&e);
	l->files++;
	if (rule_load(path, &r, &e) != NM_OK) {
		char line[NM_ERR_WHERE_MAX + NM_ERR_MSG_MAX + 64];
		err_format(&e, line, sizeof line);
		printf("%s\n", line);
		l->bad++;
		return;
	}
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = r;
}

/* Loads the rule files under path (a file, or a folder and its direct
 * subfolders, rules_files), printing the ones that do not load. */
static void collect(const char *path, struct rlist *l)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		printf("%s: no such file or folder\n", path);
		l->bad++;
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		load_one(path, l);
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
		l->bad++;
	}
	for (size_t i = 0; i < n; i++) {
		load_one(files[i], l);
		free(files[i]);
	}
	free(files);
}

int rules_check_online(struct pipeline *p, char **paths, int npaths,
		       const char *const *connect_to)
{
	struct rlist l = {0};
	if (!npaths)
		collect(p->cfg.rules_dir, &l);
	for (int i = 0; i < npaths; i++)
		collect(paths[i], &l);
	const struct crawl_cfg *cc = &p->cfg.crawl;
	/* the hosts --connect-to maps may resolve to loopback (tests) */
	const char **trusted = xcalloc(CLI_MAX_CONNECT_TO + 1, sizeof *trusted);
	size_t nt = 0;
	for (size_t k = 0; connect_to && connect_to[k] && nt < CLI_MAX_CONNECT_TO; k++) {
		const char *colon = strchr(connect_to[k], ':');
		if (colon && colon > connect_to[k])
			trusted[nt++] = xstrndup(connect_to[k], (size_t)(colon - connect_to[k]));
	}
	struct multi_cfg mc = {0};
	mc.user_agent = cc->user_agent;
	mc.concurrency = cc->concurrency;
	mc.per_host = cc->per_host_concurrency;
	mc.delay_ms = cc->delay_ms;
	mc.timeout_s = cc->timeout_s;
	mc.connect_timeout_s = cc->timeout_s < 10 ? cc->timeout_s : 10;
	mc.low_speed_bytes = ONLINE_LOW_SPEED_BYTES;
	mc.low_speed_s = cc->timeout_s / 2 < 1 ? 1 : cc->timeout_s / 2 > 30 ? 30 : cc->timeout_s / 2;
	mc.retries = cc->retries;
	mc.backoff_ms = cc->delay_ms > 100 ? cc->delay_ms : 100;
	mc.max_bytes = (size_t)cc->max_bytes;
	mc.robots = cc->robots;
	mc.connect_to = connect_to;
	mc.trusted_hosts = trusted;
	struct multi *m = NULL;
	struct nm_err e;
	err_clear(&e);
	struct online o = {p, 0, 0};
	struct job *jobs = NULL;
	size_t nj = 0;
	if (multi_new(&mc, &m, &e) != NM_OK) {
		cli_error(&e);
		l.bad++;
		goto out;
	}
	for (size_t i = 0; i < l.n; i++)
		for (size_t k = 0; k < l.v[i]->ntests; k++)
			nj += !l.v[i]->tests[k].input && nj < ONLINE_MAX_TESTS;
	jobs = xcalloc(nj + 1, sizeof *jobs);
	nj = 0;
	for (size_t i = 0; i < l.n; i++) {
		const struct rule *r = l.v[i];
		if (r->delay_ms)
			for (size_t k = 0; k < r->ntests; k++)
				if (!r->tests[k].input)
					multi_set_host_delay(m, r->tests[k].url, r->delay_ms);
		for (size_t k = 0; k < r->ntests; k++) {
			if (r->tests[k].input)
				continue; /* offline tests are `rules check` without --online */
			if (nj >= ONLINE_MAX_TESTS) {
				printf("rules check --online: more than %d online tests; the rest are left out\n",
				       ONLINE_MAX_TESTS);
				break;
			}
			jobs[nj] = (struct job){r, k};
			struct multi_req rq = {0};
			rq.url = r->tests[k].url;
			rq.headers = (const char *const *)r->headers;
			rq.accept = ACCEPT_HTML | ACCEPT_JSON;
			rq.timeout_s = r->timeout_s;
			rq.ud = &jobs[nj++];
			multi_add(m, &rq);
			o.tests++;
		}
	}
	multi_run(m, 0, on_done, NULL, &o);
out:
	multi_free(m);
	printf("rules check --online: %d files, %d not loaded, %d tests, %d failed\n", l.files, l.bad,
	       o.tests, o.failed);
	free(jobs);
	for (size_t i = 0; i < l.n; i++)
		rule_free(l.v[i]);
	free(l.v);
	for (size_t k = 0; k < nt; k++)
		free((char *)trusted[k]);
	free(trusted);
	return l.bad ? EXIT_USAGE : o.failed ? EXIT_SOME_FAILED : EXIT_OK;
}
