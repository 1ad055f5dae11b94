/*
 * main.c - newsmd's entry point: dispatches to the subcommand.
 */
#include "cli/cmd.h"
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>

#define NEWSMD_VERSION "0.1.0"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{"crawl", cmd_crawl, "the cron job: discover, fetch and write new articles"},
	{"extract", cmd_extract, "print the extracted article(s) to stdout"},
	{"convert", cmd_convert, "convert URLs or saved pages into posts"},
	{"rules", cmd_rules, "check, test and draft rule files"},
	{"select", cmd_select, "run one selector on a page"},
	{"markdown", cmd_markdown, "convert a whole page or fragment to Markdown"},
	{"state", cmd_state, "state migrate: copy a SQLite crawl state into PostgreSQL"},
	{"studio", cmd_studio, "a local web page to tune a site's rule"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: newsmd COMMAND [OPTIONS] ...\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'newsmd COMMAND --help' describes a command's options.\n");
}

void cli_error(const struct nm_err *e)
{
	char line[NM_ERR_WHERE_MAX + NM_ERR_MSG_MAX + 64];
	err_format(e, line, sizeof line);
	fprintf(stderr, "newsmd: %s\n", line);
}

void cli_errorf(const char *fmt, ...)
{
	va_list ap;
	fputs("newsmd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("newsmd %s\n", NEWSMD_VERSION);
		return EXIT_OK;
	}
	xmlInitParser();
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (!strcmp(argv[1], commands[i].name)) {
			int rc = commands[i].fn(argc - 1, argv + 1);
			xmlCleanupParser();
			return rc;
		}
	cli_errorf("unknown command '%s' (try 'newsmd --help')", argv[1]);
	return EXIT_USAGE;
}
