/*
 * cmd_extract.c - `newsmd extract`: print extracted articles, write nothing.
 */
#include "cli/cmd.h"
#include "crawler/pipeline.h"
#include "common/date.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fputs("usage: newsmd extract [-c FILE] [--rules DIR] [--url URL]\n"
	      "                      [--format json|jsonl|md|html|text] INPUT...\n"
	      "\n"
	      "Prints the extracted article(s) to stdout; writes no files, keeps no state.\n"
	      "\n"
	      "  -c, --config FILE   config file (default ./newsmd.yml when present)\n"
	      "      --rules DIR     rules folder (default: the config's rules:, or ./rules)\n"
	      "      --url URL       the original URL of a saved page; one INPUT only\n"
	      "  -f, --format F      json (default: one object, or an array for several\n"
	      "                      inputs), jsonl (one object per line), md, html, text\n"
	      "      --connect-to H:P:H2:P2  as for convert\n"
	      "  -h, --help          this text\n"
	      "\n"
	      "JSON keys: url final_url rule title date author source category tags\n"
	      "lead_image excerpt lang body_html body_markdown body_text fields error.\n",
	      f);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *strv_json(const struct strv *s)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < s->n; i++)
		json_array_append_new(arr, json_string(s->v[i]));
	return arr;
}

static json_t *article_json(const char *input, const struct article *a, const struct nm_err *e,
			    bool failed)
{
	json_t *o = json_object();
	json_object_set_new(o, "url", json_string(a->url ? a->url : input));
	json_object_set_new(o, "final_url", str_or_null(a->final_url));
	json_object_set_new(o, "rule", str_or_null(a->rule));
	json_object_set_new(o, "title", str_or_null(a->title));
	if (a->date.set) {
		struct buf b = BUF_INIT;
		date_format(&b, "%Y-%m-%dT%H:%M:%S%:z", &a->date);
		json_object_set_new(o, "date", json_string(buf_cstr(&b)));
		buf_free(&b);
	} else {
		json_object_set_new(o, "date", json_null());
	}
	json_object_set_new(o, "author", strv_json(&a->author));
	json_object_set_new(o, "source", str_or_null(a->source));
	json_object_set_new(o, "category", str_or_null(a->category));
	json_object_set_new(o, "tags", strv_json(&a->tags));
	json_object_set_new(o, "lead_image", str_or_null(a->lead_image));
	json_object_set_new(o, "excerpt", str_or_null(a->excerpt));
	json_object_set_new(o, "lang", str_or_null(a->lang));
	json_object_set_new(o, "body_html", str_or_null(a->body_html));
	json_object_set_new(o, "body_markdown", str_or_null(a->body_markdown));
	json_object_set_new(o, "body_text", str_or_null(a->body_text));
	json_t *fields = json_object();
	for (size_t i = 0; i < a->nfields; i++)
		json_object_set_new(fields, a->fields[i].name, json_string(a->fields[i].value));
	json_object_set_new(o, "fields", fields);
	if (failed) {
		char line[NM_ERR_WHERE_MAX + NM_ERR_MSG_MAX + 8];
		err_format(e, line, sizeof line);
		json_object_set_new(o, "error", json_string(line));
	} else {
		json_object_set_new(o, "error", json_null());
	}
	return o;
}

int cmd_extract(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"rules", required_argument, NULL, 'r'},
		{"url", required_argument, NULL, 'u'},    {"format", required_argument, NULL, 'f'},
		{"connect-to", required_argument, NULL, 'C'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *config = NULL, *rules = NULL, *url = NULL, *format = "json";
	const char *connect_to[65] = {NULL};
	int nct = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'r': rules = optarg; break;
		case 'u': url = optarg; break;
		case 'f': format = optarg; break;
		case 'C':
			if (nct < 64)
				connect_to[nct++] = optarg;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	static const char *const formats[] = {"json", "jsonl", "md", "html", "text", NULL};
	int fi = -1;
	for (int i = 0; formats[i]; i++)
		if (!strcmp(format, formats[i]))
			fi = i;
	if (fi < 0) {
		cli_errorf("extract: unknown --format '%s' (expected json, jsonl, md, html or text)",
			   format);
		return EXIT_USAGE;
	}
	struct pipeline p;
	int st = cli_open_inputs(&p, "extract", argc, optind, config, rules, url, connect_to);
	if (st != EXIT_OK)
		return st;
	struct nm_err e;
	int failed = 0, n = argc - optind;
	json_t *all = fi == 0 && n > 1 ? json_array() : NULL;
	for (int i = optind; i < argc; i++) {
		struct article a;
		article_init(&a);
		err_clear(&e);
		bool bad = pipeline_extract(&p, argv[i], url, &a, &e) != NM_OK;
		if (bad) {
			failed++;
			cli_error(&e);
		}
		if (fi <= 1) {
			json_t *o = article_json(argv[i], &a, &e, bad);
			if (all) {
				json_array_append_new(all, o);
			} else {
				json_dumpf(o, stdout, (fi == 0 ? JSON_INDENT(2) : 0) |
							      JSON_PRESERVE_ORDER);
				fputc('\n', stdout);
				json_decref(o);
			}
		} else if (!bad) {
			const char *s = fi == 2 ? a.body_markdown : fi == 3 ? a.body_html : a.body_text;
			if (s)
				fputs(s, stdout);
			if (s && *s && s[strlen(s) - 1] != '\n')
				fputc('\n', stdout);
		}
		article_free(&a);
	}
	if (all) {
		json_dumpf(all, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', stdout);
		json_decref(all);
	}
	pipeline_close(&p);
	return failed ? EXIT_SOME_FAILED : EXIT_OK;
}
