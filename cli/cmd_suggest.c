/*
 * cmd_suggest.c - `newsmd rules suggest [--url URL]... PAGE...`: reads the
 * pages (files or URLs), hands them to extractor/suggest.c, and prints the
 * draft rule it writes (or writes it to -o FILE).
 */
#include "cli/cmd.h"
#include "common/mem.h"
#include "crawler/pipeline.h"
#include "dom/charset.h"
#include "extractor/suggest.h"
#include "common/url.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void help(void)
{
	puts("usage: newsmd rules suggest [-c FILE] [--url URL]... [-o FILE] PAGE...\n\n"
	     "Writes a draft rule for a site no rule knows, from one or more of its\n"
	     "pages (saved files or URLs): selectors for the title, date, author and\n"
	     "body, metadata steps for the lead image and excerpt, a clean: list for\n"
	     "the boilerplate inside the body, each kept only when it finds the\n"
	     "generic extractor's value on every page; and the values the draft\n"
	     "extracts as its tests (to be checked by a person).  --url gives the\n"
	     "saved pages their URLs, in order.  To stdout, or -o FILE.");
}

/* The pages' decoded text and names, freed together. */
struct inputs {
	struct suggest_page pg[SUGGEST_MAX_PAGES];
	struct buf text[SUGGEST_MAX_PAGES];
	char *url[SUGGEST_MAX_PAGES];
	char *abs[SUGGEST_MAX_PAGES];
	size_t n;
};

static void inputs_free(struct inputs *in)
{
	for (size_t i = 0; i < in->n; i++) {
		buf_free(&in->text[i]);
		free(in->url[i]);
		free(in->abs[i]);
	}
}

/* Reads page i: bytes, decoded text, its URL and (for a file) its path. */
static int read_page(struct pipeline *p, struct inputs *in, const char *input, const char *url)
{
	size_t i = in->n;
	struct buf bytes = BUF_INIT;
	char *ctype = NULL;
	struct nm_err e;
	err_clear(&e);
	in->text[i] = (struct buf)BUF_INIT;
	if (pipeline_read(p, NULL, input, &bytes, &ctype, &e) != NM_OK ||
	    charset_decode(bytes.ptr ? bytes.ptr : "", bytes.len, ctype, NULL, &in->text[i], NULL, 0,
			   &e) != NM_OK) {
		if (!e.where[0])
			err_where(&e, input, 0, 0);
		cli_error(&e);
		buf_free(&bytes);
		buf_free(&in->text[i]);
		free(ctype);
		return -1;
	}
	buf_free(&bytes);
	free(ctype);
	bool is_url = url_looks_absolute(input);
	in->url[i] = xstrdup(url ? url : is_url ? input : "http://localhost/");
	char abs[PATH_MAX];
	in->abs[i] = !is_url && strcmp(input, "-") && realpath(input, abs) ? xstrdup(abs) : NULL;
	in->pg[i] = (struct suggest_page){buf_cstr(&in->text[i]), in->text[i].len, in->url[i],
					  in->abs[i]};
	in->n++;
	return 0;
}

int cmd_rules_suggest(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"url", required_argument, NULL, 'u'},
		{"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *config = NULL, *out = NULL, *urls[SUGGEST_MAX_PAGES];
	size_t nurls = 0;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'u':
			if (nurls == SUGGEST_MAX_PAGES) {
				cli_errorf("rules suggest: more than %d --url", SUGGEST_MAX_PAGES);
				return EXIT_USAGE;
			}
			urls[nurls++] = optarg;
			break;
		case 'o': out = optarg; break;
		case 'h': help(); return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	int npages = argc - optind;
	if (npages < 1 || npages > SUGGEST_MAX_PAGES || nurls > (size_t)npages) {
		cli_errorf("rules suggest: expected 1 to %d PAGEs and at most one --url each "
			   "(try 'newsmd rules suggest --help')",
			   SUGGEST_MAX_PAGES);
		return EXIT_USAGE;
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
	pipeline_fetch_opts(&p);
	struct inputs in;
	in.n = 0;
	int rc = EXIT_OK;
	for (int i = 0; i < npages && rc == EXIT_OK; i++)
		if (read_page(&p, &in, argv[optind + i], (size_t)i < nurls ? urls[i] : NULL) < 0)
			rc = EXIT_SOME_FAILED;
	struct buf draft = BUF_INIT;
	time_t now = time(NULL);
	char day[32];
	strftime(day, sizeof day, "%Y-%m-%d", gmtime(&now));
	if (rc == EXIT_OK && suggest_rule(in.pg, in.n, day, &draft, &e) != NM_OK) {
		cli_error(&e);
		rc = EXIT_SOME_FAILED;
	}
	if (rc == EXIT_OK) {
		FILE *f = out ? fopen(out, "w") : stdout;
		if (!f || fwrite(draft.ptr, 1, draft.len, f) != draft.len || (out && fclose(f) != 0)) {
			cli_errorf("rules suggest: %s: cannot write", out ? out : "stdout");
			rc = EXIT_SOME_FAILED;
		} else if (out) {
			fprintf(stderr, "wrote %s\n", out);
		}
	}
	buf_free(&draft);
	inputs_free(&in);
	pipeline_close(&p);
	return rc;
}
