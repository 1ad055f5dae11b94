/*
 * cmd_convert.c - `newsmd convert`: given URLs or saved pages into posts.
 */
#include "cli/cmd.h"
#include "crawler/pipeline.h"
#include "common/mem.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* More --connect-to entries than this is a typo loop in a script. */
#define CLI_MAX_CONNECT_TO 64

static void usage(FILE *f)
{
	fputs("usage: newsmd convert [-c FILE] [--rules DIR] [--url URL] [--out DIR]\n"
	      "                      [--connect-to H:P:H2:P2]... INPUT...\n"
	      "\n"
	      "Converts URLs or saved pages into posts (no discovery, no state).\n"
	      "INPUT is an http(s) URL, a file, or - for stdin.\n"
	      "\n"
	      "  -c, --config FILE   config file (default ./newsmd.yml when present)\n"
	      "      --rules DIR     rules folder (default: the config's rules:, or ./rules)\n"
	      "      --url URL       the original URL of a saved page (rule matching,\n"
	      "                      relative links, {url} in templates); one INPUT only\n"
	      "      --out DIR       write posts here instead of output.dir; - = stdout\n"
	      "      --connect-to H:P:H2:P2\n"
	      "                      send requests for H:P to H2:P2 (like curl)\n"
	      "  -h, --help          this text\n"
	      "\n"
	      "Prints one line per input: 'wrote PATH', 'unchanged PATH' or an error.\n"
	      "Exit status: 0 all written, 1 some inputs failed, 2 usage/config/rule error.\n",
	      f);
}

int cmd_convert(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"rules", required_argument, NULL, 'r'},
		{"url", required_argument, NULL, 'u'},    {"out", required_argument, NULL, 'o'},
		{"connect-to", required_argument, NULL, 'C'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *config = NULL, *rules = NULL, *url = NULL, *out = NULL;
	const char *connect_to[CLI_MAX_CONNECT_TO + 1] = {NULL};
	int nct = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'r': rules = optarg; break;
		case 'u': url = optarg; break;
		case 'o': out = optarg; break;
		case 'C':
			if (nct >= CLI_MAX_CONNECT_TO) {
				cli_errorf("convert: more than %d --connect-to options", CLI_MAX_CONNECT_TO);
				return EXIT_USAGE;
			}
			connect_to[nct++] = optarg;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	struct pipeline p;
	int ost = cli_open_inputs(&p, "convert", argc, optind, config, rules, url, connect_to);
	if (ost != EXIT_OK)
		return ost;
	struct nm_err e;
	int failed = 0;
	for (int i = optind; i < argc; i++) {
		struct article a;
		article_init(&a);
		err_clear(&e);
		enum nm_code rc = pipeline_extract(&p, argv[i], url, &a, &e);
		if (!rc) {
			struct output_cfg o;
			pipeline_output_for(&p, &a, &o);
			if (out) {
				free(o.dir);
				o.dir = xstrdup(out);
			}
			char *path = NULL;
			enum post_status st;
			rc = pipeline_write(&p, &a, &o, &path, &st, &e);
			if (!rc && strcmp(path, "-"))
				printf("%s %s\n", st == POST_UNCHANGED ? "unchanged" : "wrote", path);
			free(path);
			settings_output_free(&o);
		}
		if (rc) {
			cli_error(&e);
			failed++;
		}
		article_free(&a);
	}
	pipeline_close(&p);
	return failed ? EXIT_SOME_FAILED : EXIT_OK;
}
