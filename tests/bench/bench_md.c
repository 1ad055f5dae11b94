/*
 * bench.c - md_render's cost against gumbo's parse of the same page.
 *
 *   md-bench FILE...
 *
 * For each page: the best of REPS runs of gumbo_parse (the parser alone,
 * output freed outside the clock) and the best of REPS runs of md_render
 * on the page's <body> (whole-page mode, as `newsmd markdown`).  Prints
 * per-page figures with --verbose, then the median, mean and worst of the
 * ratio render/parse and the throughputs.  Built and run by
 * scripts/bench-md.sh (make bench).
 */
#include "common/buf.h"
#include "common/file.h"
#include "dom/html.h"
#include "output/md.h"

#include <gumbo.h>
#include <libxml/parser.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Runs per page and measure; the best run is kept (least disturbed by
 * the other processes sharing the machine). */
#define REPS 7
/* Pages larger than this are not web pages. */
#define MAX_PAGE ((size_t)64 * 1024 * 1024)

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	bool verbose = argc > 1 && !strcmp(argv[1], "--verbose");
	int first = verbose ? 2 : 1, n = 0;
	double *ratio = calloc((size_t)argc, sizeof *ratio);
	double parse_total = 0, md_total = 0;
	size_t bytes = 0, md_bytes = 0;
	xmlInitParser();
	for (int i = first; i < argc; i++) {
		struct buf src = BUF_INIT;
		if (file_read(argv[i], MAX_PAGE, &src, NULL) != NM_OK || !src.len) {
			buf_free(&src);
			continue;
		}
		double tp = 1e9, tm = 1e9;
		for (int r = 0; r < REPS; r++) {
			double t0 = now();
			GumboOutput *g = gumbo_parse_with_options(&kGumboDefaultOptions, src.ptr, src.len);
			double t1 = now();
			gumbo_destroy_output(&kGumboDefaultOptions, g);
			if (t1 - t0 < tp)
				tp = t1 - t0;
		}
		struct html_doc *h = NULL;
		html_parse(src.ptr, src.len, &h, NULL);
		struct md_opts o = {NULL, true};
		struct buf out = BUF_INIT;
		for (int r = 0; r < REPS; r++) {
			buf_clear(&out);
			double t0 = now();
			md_render(html_body(h), &o, &out, NULL);
			double t1 = now();
			if (t1 - t0 < tm)
				tm = t1 - t0;
		}
		if (verbose)
			printf("%8.3f ms parse %8.3f ms markdown %6.2f%%  %s\n", tp * 1e3, tm * 1e3,
			       100 * tm / tp, argv[i]);
		ratio[n++] = tm / tp;
		parse_total += tp;
		md_total += tm;
		bytes += src.len;
		md_bytes += out.len;
		buf_free(&out);
		html_free(h);
		buf_free(&src);
	}
	if (!n) {
		fprintf(stderr, "md-bench: no readable pages\n");
		return 1;
	}
	qsort(ratio, (size_t)n, sizeof *ratio, cmp_double);
	double mean = 0;
	for (int i = 0; i < n; i++)
		mean += ratio[i];
	mean /= n;
	printf("%d pages, %.1f MB: gumbo parse %.1f MB/s, md_render %.1f MB/s of HTML "
	       "(%.1f MB of Markdown)\n",
	       n, bytes / 1e6, bytes / 1e6 / parse_total, bytes / 1e6 / md_total, md_bytes / 1e6);
	printf("md_render / gumbo parse: median %.1f%%, mean %.1f%%, worst %.1f%% (target: median <= 10%%)\n",
	       100 * ratio[n / 2], 100 * mean, 100 * ratio[n - 1]);
	free(ratio);
	xmlCleanupParser();
	return 0;
}
