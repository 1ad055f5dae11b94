/*
 * cmd_import.c - `newsmd rules import ftr SRC -o DIR`: FiveFilters site
 * configs (one file, or a folder of them with its global.txt) into newsmd
 * rule files, one per site, and a per-directive report of what was
 * converted, approximated and skipped.
 */
#include "cli/cmd.h"
#include "common/file.h"
#include "common/mem.h"
#include "output/post.h"
#include "rules/ftr.h"
#include "rules/rules.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *f)
{
	fputs("usage: newsmd rules import ftr SRC -o DIR [--quiet]\n"
	      "\n"
	      "Converts FiveFilters' ftr-site-config files into newsmd rules: SRC is one\n"
	      "config (example.com.txt) or a checkout of ftr-site-config; DIR gets one rule\n"
	      "file per site (example.com.yml, _.example.com.yml for .example.com.txt) and\n"
	      "ftr-global.yml.  global.txt (SRC's, or the one beside a single file) is merged\n"
	      "into every rule after the site's own values, as Full-Text RSS applies it.\n"
	      "Imported rules carry `imported:`: a rule of your own for the same host wins.\n"
	      "Prints per directive how many uses were converted, approximated or skipped\n"
	      "and why.  Exit 0 when every line was converted or skipped with a reason, 2\n"
	      "on a usage or I/O error.  --quiet prints the summary lines only.\n",
	      f);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A site config in a checkout: NAME.txt with a dot in NAME (a host), or
 * global.txt; README.md, LICENSE.txt and the like are not. */
static bool config_name(const char *n)
{
	size_t l = strlen(n);
	if (l < 5 || strcmp(n + l - 4, ".txt"))
		return false;
	if (!strcmp(n, "global.txt"))
		return true;
	const char *dot = strchr(n + 1, '.');
	return dot && dot < n + l - 4;
}

static struct ftr_conf *load_conf(const char *path, struct nm_err *e)
{
	struct buf b = BUF_INIT;
	struct ftr_conf *c = NULL;
	if (file_read(path, FTR_MAX_FILE, &b, e) == NM_OK)
		ftr_parse(buf_cstr(&b), b.len, path, &c, e);
	buf_free(&b);
	return c;
}

static const char *base_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* Converts one file; returns false on an I/O error (printed). */
static bool import_one(const char *path, const struct ftr_conf *global, const char *out,
		       struct ftr_report *rep, long *written, bool quiet)
{
	struct nm_err e;
	err_clear(&e);
	struct ftr_conf *c = load_conf(path, &e);
	if (!c) {
		cli_error(&e);
		ftr_report_file(rep, false, "cannot be read");
		return true;
	}
	struct buf y = BUF_INIT;
	char *name = NULL;
	bool ok = true;
	if (ftr_convert(c, base_of(path), global, rep, &y, &name, &e) != NM_OK) {
		if (!quiet)
			printf("skipped %s: %s\n", path, e.msg);
	} else {
		/* every rule written must load: checked here, not at crawl time */
		struct rule *r = NULL;
		if (rule_load_mem(buf_cstr(&y), y.len, name, &r, &e) != NM_OK) {
			char line[NM_ERR_WHERE_MAX + NM_ERR_MSG_MAX + 16];
			err_format(&e, line, sizeof line);
			printf("not written %s: %s\n", path, line);
		} else {
			enum post_status st;
			if (post_write(out, name, buf_cstr(&y), y.len, &st, &e) != NM_OK) {
				cli_error(&e);
				ok = false;
			} else {
				(*written)++;
			}
		}
		rule_free(r);
	}
	free(name);
	buf_free(&y);
	ftr_conf_free(c);
	return ok;
}

static void print_report(const struct ftr_report *rep, long written, bool quiet)
{
	long seen, conv;
	ftr_report_files(rep, &seen, &conv);
	static const char *const vn[] = {"converted", "approximated", "skipped"};
	if (!quiet) {
		printf("%-24s %10s %13s %8s\n", "directive", "converted", "approximated", "skipped");
		for (size_t i = 0; i < ftr_report_rows(rep); i++) {
			long k[3];
			const char *d = ftr_report_row(rep, i, k);
			printf("%-24s %10ld %13ld %8ld\n", d, k[0], k[1], k[2]);
			enum ftr_verdict v;
			long n;
			const char *why;
			for (size_t j = 0; (why = ftr_report_reason(rep, i, j, &v, &n)); j++)
				printf("    %s %ld: %s\n", vn[v], n, why);
		}
	}
	printf("rules import ftr: %ld files, %ld rules written, %ld skipped with a reason\n", seen,
	       written, seen - conv);
}

int cmd_rules_import(int argc, char **argv)
{
	static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
					     {"quiet", no_argument, NULL, 'q'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *out = NULL;
	bool quiet = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		if (c == 'o')
			out = optarg;
		else if (c == 'q')
			quiet = true;
		else if (c == 'h') {
			usage(stdout);
			return EXIT_OK;
		} else {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind + 2 != argc || strcmp(argv[optind], "ftr") || !out) {
		cli_errorf("rules import: expected 'ftr SRC -o DIR' (try 'newsmd rules import --help')");
		return EXIT_USAGE;
	}
	const char *src = argv[optind + 1];
	struct stat st;
	if (stat(src, &st) != 0) {
		cli_errorf("rules import: %s: no such file or folder", src);
		return EXIT_USAGE;
	}
	char **paths = NULL;
	size_t n = 0;
	struct buf gpath = BUF_INIT;
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(src);
		if (!d) {
			cli_errorf("rules import: %s: cannot read the folder", src);
			return EXIT_USAGE;
		}
		struct dirent *de;
		while ((de = readdir(d)) && n < RULES_MAX_FILES) {
			if (!config_name(de->d_name))
				continue;
			paths = xrealloc(paths, (n + 1) * sizeof *paths);
			struct buf p = BUF_INIT;
			buf_printf(&p, "%s/%s", src, de->d_name);
			paths[n++] = buf_detach(&p);
		}
		closedir(d);
		if (n)
			qsort(paths, n, sizeof *paths, cmp_str);
		buf_printf(&gpath, "%s/global.txt", src);
	} else {
		paths = xcalloc(1, sizeof *paths);
		paths[n++] = xstrdup(src);
		const char *slash = strrchr(src, '/');
		buf_put(&gpath, src, slash ? (size_t)(slash - src + 1) : 0);
		buf_puts(&gpath, "global.txt");
	}
	struct nm_err e;
	err_clear(&e);
	struct ftr_conf *global = NULL;
	if (stat(buf_cstr(&gpath), &st) == 0 && !(global = load_conf(buf_cstr(&gpath), &e)))
		cli_error(&e);
	struct ftr_report *rep = ftr_report_new();
	long written = 0;
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++)
		ok = import_one(paths[i], global, out, rep, &written, quiet);
	print_report(rep, written, quiet);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	ftr_report_free(rep);
	ftr_conf_free(global);
	buf_free(&gpath);
	return ok ? EXIT_OK : EXIT_USAGE;
}
