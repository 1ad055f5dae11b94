/*
 * bench_extract.c - the generic extraction path against gumbo's parse
 * alone, on the same pages, in one process on one core (issue 5, part 6:
 * whole extraction at >= 70% of parse-only throughput).
 *
 *   bench_extract [-r ROUNDS] FILE...
 *
 * Pages are read into memory first.  Each round times, page by page, the
 * parse alone (gumbo_parse + gumbo_destroy_output on the page bytes) and
 * the whole path (charset decode, gumbo parse and DOM, meta + auto + clean,
 * Markdown), back to back so both see the same machine state; the best
 * round of each (in CPU time) is reported, with the whole path split by
 * stage.
 */
#include "common/buf.h"
#include "common/file.h"
#include "dom/charset.h"
#include "extractor/auto.h"
#include "dom/html.h"
#include "output/md.h"
#include "common/settings.h"

#include <gumbo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Pages larger than crawl.max_bytes are not fetched, so not benched. */
#define BENCH_MAX_PAGE SETTINGS_MAX_BODY_BYTES
#define BENCH_DEFAULT_ROUNDS 5

struct page {
	char *bytes;
	size_t len;
	const char *path;
};

/* CPU time of this thread: on a machine shared with other jobs, wall time
 * measures them too. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* gumbo with the options html_parse uses (no error list), so the
 * baseline is not slowed by work newsmd never asks for. */
/* gumbo with the options html_parse uses (no error list), so the
 * baseline is not slowed by work newsmd never asks for. */
static double parse_only(const struct page *p)
{
	GumboOptions opt = kGumboDefaultOptions;
	opt.max_errors = 0;
	double t0 = now_s();
	GumboOutput *g = gumbo_parse_with_options(&opt, p->bytes, p->len);
	gumbo_destroy_output(&opt, g);
	return now_s() - t0;
}

/* Stage times of whole extractions. */
struct stages {
	double decode, parse, extract, md, total;
	size_t articles;
};

static void whole(const struct page *p, struct stages *s)
{
	struct buf text = BUF_INIT, md = BUF_INIT;
	struct html_doc *h = NULL;
	struct article a;
	article_init(&a);
	double t = now_s();
	charset_decode(p->bytes, p->len, NULL, NULL, &text, NULL, 0, NULL);
	double t1 = now_s();
	html_parse(buf_cstr(&text), text.len, &h, NULL);
	double t2 = now_s();
	enum nm_code rc = auto_extract(h, "http://fakehost/test/page.html", &a, NULL);
	double t3 = now_s();
	if (rc == NM_OK) {
		struct md_opts mo = {"http://fakehost/test/page.html", false};
		md_render(a.body_node, &mo, &md, NULL);
		s->articles++;
	}
	double t4 = now_s();
	a.body_node = NULL;
	article_free(&a);
	html_free(h);
	buf_free(&text);
	buf_free(&md);
	s->decode += t1 - t;
	s->parse += t2 - t1;
	s->extract += t3 - t2;
	s->md += t4 - t3;
	s->total += now_s() - t;
}

int main(int argc, char **argv)
{
	int rounds = BENCH_DEFAULT_ROUNDS, first = 1;
	if (argc > 2 && !strcmp(argv[1], "-r")) {
		rounds = atoi(argv[2]);
		first = 3;
	}
	size_t n = 0, bytes = 0;
	struct page *pages = calloc((size_t)argc, sizeof *pages);
	for (int i = first; i < argc; i++) {
		struct buf b = BUF_INIT;
		if (file_read(argv[i], BENCH_MAX_PAGE, &b, NULL) != NM_OK || !b.len) {
			buf_free(&b);
			continue;
		}
		pages[n].len = b.len;
		pages[n].path = argv[i];
		bytes += b.len;
		pages[n++].bytes = buf_detach(&b);
	}
	if (!n) {
		fprintf(stderr, "bench_extract: no pages\n");
		return 2;
	}
	/* Warm caches and the allocator once.  Then each round runs both
	 * paths page by page, back to back, so a busy machine slows both
	 * alike; the best round of each path counts. */
	struct stages best = {0}, warm = {0};
	for (size_t i = 0; i < n; i++) {
		parse_only(&pages[i]);
		whole(&pages[i], &warm);
	}
	double best_parse = 1e30;
	best.total = 1e30;
	for (int r = 0; r < rounds; r++) {
		struct stages s = {0};
		double t = 0;
		for (size_t i = 0; i < n; i++) {
			t += parse_only(&pages[i]);
			whole(&pages[i], &s);
		}
		if (t < best_parse)
			best_parse = t;
		if (s.total < best.total)
			best = s;
	}
	double mb = (double)bytes / 1e6;
	printf("pages: %zu (%.1f MB), rounds: %d, articles found: %zu\n", n, mb, rounds,
	       best.articles);
	printf("gumbo parse only : %7.1f pages/s  %6.2f MB/s\n", (double)n / best_parse,
	       mb / best_parse);
	printf("whole extraction : %7.1f pages/s  %6.2f MB/s\n", (double)n / best.total,
	       mb / best.total);
	printf("  decode %4.1f%%  parse+DOM %4.1f%%  meta+auto+clean %4.1f%%  markdown %4.1f%%\n",
	       100 * best.decode / best.total, 100 * best.parse / best.total,
	       100 * best.extract / best.total, 100 * best.md / best.total);
	printf("whole / parse-only throughput: %.0f%% (target >= 70%%)\n",
	       100 * best_parse / best.total);
	for (size_t i = 0; i < n; i++)
		free(pages[i].bytes);
	free(pages);
	return 0;
}
