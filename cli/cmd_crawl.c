/*
 * cmd_crawl.c - `newsmd crawl`, the cron job: parses the options, runs the
 * crawl engine (crawler/engine.h) and prints what it reports: one line per
 * failed item, a progress line on a terminal (--progress), one JSON line
 * per event in --log-json, and the exit status 0 / 1 / 2 / 75 (SPEC §2).
 * Quiet when all went well.
 */
#include "cli/cmd.h"
#include "crawler/engine.h"
#include "crawler/pipeline.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

/* More --connect-to / --source options than this is a typo loop. */
#define CRAWL_MAX_OPTS 64

/* What the command shows while the engine runs. */
struct crawl_view {
	bool progress; /* a progress line on stderr */
	bool drew;     /* the progress line is on screen */
	FILE *log;     /* --log-json, or NULL */
};

static void clear_progress(struct crawl_view *v)
{
	if (v->drew) {
		fputs("\r\033[K", stderr);
		v->drew = false;
	}
}

static void draw_progress(struct crawl_view *v, const struct engine_counts *n)
{
	if (!v->progress || !n)
		return;
	fprintf(stderr, "\r\033[Kcrawl: %ld found, %ld fetched, %ld written, %ld failed  %.1f/s",
		n->found, n->fetched, n->written, n->failed,
		n->seconds > 0 ? (double)n->fetched / n->seconds : 0.0);
	v->drew = true;
}

/* Writes o as one line of the --log-json file and frees it.  One fprintf
 * per line, which stdio locks: warnings come from writer threads. */
static void log_line(struct crawl_view *v, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (s) {
		fprintf(v->log, "%s\n", s);
		free(s);
	}
	json_decref(o);
}

static void put(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
}

static void on_event(void *ctx, const struct engine_event *ev)
{
	struct crawl_view *v = ctx;
	switch (ev->type) {
	case ENGINE_EV_TICK:
		draw_progress(v, ev->counts);
		return;
	case ENGINE_EV_ERROR:
	case ENGINE_EV_NOTICE:
		clear_progress(v);
		cli_errorf("%s: %s", ev->url, ev->error);
		return;
	case ENGINE_EV_WOULD_WRITE:
		clear_progress(v);
		printf("would write %s %s\n", ev->path, ev->url);
		return;
	case ENGINE_EV_SUMMARY:
		if (v->log && ev->json)
			fprintf(v->log, "%s\n", ev->json);
		return;
	case ENGINE_EV_WARNING:
		cli_warn(NULL, ev->url, ev->error);
		if (v->log) {
			json_t *o = json_object();
			json_object_set_new(o, "ts", json_integer(ev->ts));
			json_object_set_new(o, "event", json_string("warning"));
			put(o, "url", ev->url);
			put(o, "error", ev->error);
			log_line(v, o);
		}
		return;
	case ENGINE_EV_ITEM:
		break;
	}
	if (!v->log)
		return;
	json_t *o = json_object();
	json_object_set_new(o, "ts", json_integer(ev->ts));
	json_object_set_new(o, "event", json_string(ev->name));
	put(o, "url", ev->url);
	put(o, "source", ev->source);
	put(o, "kind", ev->kind);
	if (ev->outcome) {
		put(o, "outcome", ev->outcome);
		if (ev->status)
			json_object_set_new(o, "status", json_integer(ev->status));
		json_object_set_new(o, "attempts", json_integer(ev->attempts));
		put(o, "final_url", ev->final_url);
	}
	put(o, "path", ev->path);
	put(o, "error", ev->error);
	log_line(v, o);
}

static void usage(FILE *f)
{
	fputs("usage: newsmd crawl [-c FILE] [--source NAME]... [--dry-run] [--max-items N]\n"
	      "                    [--progress auto|always|never] [--log-json FILE]\n"
	      "                    [--max-runtime SECS] [--connect-to H:P:H2:P2]... [--shard I/N]\n"
	      "\n"
	      "The cron job: reads every source's start URLs (list pages, JSON APIs, feeds,\n"
	      "sitemaps), fetches new or due articles politely, writes their posts and\n"
	      "records everything in the state file.  Silent when all went well.\n"
	      "\n"
	      "  -c, --config FILE      config file (default ./newsmd.yml)\n"
	      "      --source NAME      only this source (repeatable)\n"
	      "      --dry-run          fetch and extract, print 'would write PATH URL',\n"
	      "                         write no post and no state\n"
	      "      --max-items N      fetch at most N articles this run (the rest wait)\n"
	      "      --progress WHEN    auto (on a terminal), always or never\n"
	      "      --log-json FILE    one JSON line per item and per warning, and a summary\n"
	      "      --max-runtime SECS stop starting work after SECS seconds\n"
	      "      --connect-to H:P:H2:P2\n"
	      "                         send requests for H:P to H2:P2 (like curl)\n"
	      "      --shard I/N        only hosts whose hash mod N is I (0-based)\n"
	      "  -h, --help             this text\n"
	      "\n"
	      "Exit status: 0 ok, 1 some items failed, 2 usage/config/rule error,\n"
	      "75 another crawl holds the lock.\n",
	      f);
}

static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

int cmd_crawl(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},    {"source", required_argument, NULL, 's'},
		{"dry-run", no_argument, NULL, 'n'},         {"max-items", required_argument, NULL, 'm'},
		{"progress", required_argument, NULL, 'p'},  {"log-json", required_argument, NULL, 'l'},
		{"max-runtime", required_argument, NULL, 'r'},
		{"connect-to", required_argument, NULL, 'C'}, {"shard", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0}};
	const char *config = NULL, *log_path = NULL, *progress = "auto";
	const char *connect_to[CRAWL_MAX_OPTS + 1] = {NULL};
	const char *only[CRAWL_MAX_OPTS + 1] = {NULL};
	int nct = 0, nonly = 0, o;
	long max_items = 0, max_runtime = 0;
	bool dry_run = false;
	unsigned long long shard_i = 0, shard_n = 1;
	optind = 1;
	while ((o = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c': config = optarg; break;
		case 'n': dry_run = true; break;
		case 'l': log_path = optarg; break;
		case 'p':
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") && strcmp(optarg, "never")) {
				cli_errorf("crawl: --progress takes auto, always or never");
				return EXIT_USAGE;
			}
			progress = optarg;
			break;
		case 'm':
			if (!parse_long(optarg, 1, 100000000, &max_items)) {
				cli_errorf("crawl: --max-items takes a positive number");
				return EXIT_USAGE;
			}
			break;
		case 'r':
			if (!parse_long(optarg, 1, 100000000, &max_runtime)) {
				cli_errorf("crawl: --max-runtime takes a positive number of seconds");
				return EXIT_USAGE;
			}
			break;
		case 'S': {
			unsigned long long i, n;
			char extra;
			if (sscanf(optarg, "%llu/%llu%c", &i, &n, &extra) != 2 || n < 1 || i >= n) {
				cli_errorf("crawl: --shard takes I/N with 0 <= I < N");
				return EXIT_USAGE;
			}
			shard_i = i;
			shard_n = n;
			break;
		}
		case 's':
		case 'C':
			if ((o == 's' ? nonly : nct) >= CRAWL_MAX_OPTS) {
				cli_errorf("crawl: more than %d --%s options", CRAWL_MAX_OPTS,
					   o == 's' ? "source" : "connect-to");
				return EXIT_USAGE;
			}
			if (o == 's')
				only[nonly++] = optarg;
			else
				connect_to[nct++] = optarg;
			break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		cli_errorf("crawl: unexpected argument '%s' (try 'newsmd crawl --help')", argv[optind]);
		return EXIT_USAGE;
	}

	struct pipeline p;
	struct nm_err e;
	err_clear(&e);
	if (pipeline_open(&p, config, NULL, &e) != NM_OK) {
		cli_error(&e);
		pipeline_close(&p);
		return EXIT_USAGE;
	}
	p.connect_to = connect_to;
	struct crawl_view v = {.progress = !strcmp(progress, "always") ||
				     (!strcmp(progress, "auto") && isatty(2))};
	if (log_path && !(v.log = fopen(log_path, "a"))) {
		cli_errorf("%s: cannot open for writing", log_path);
		pipeline_close(&p);
		return EXIT_USAGE;
	}
	struct engine_opts eo = {.only = only, .dry_run = dry_run, .max_items = max_items,
				 .max_runtime_s = max_runtime, .shard_i = shard_i,
				 .shard_n = shard_n};
	struct engine_counts n;
	enum nm_code rc = engine_run(&p, &eo, on_event, &v, &n, &e);
	clear_progress(&v);
	int st = EXIT_OK;
	if (rc) {
		cli_error(&e);
		st = rc == NM_ELOCKED ? EXIT_LOCKED
		     : rc == NM_ENET  ? EXIT_SOME_FAILED
				      : EXIT_USAGE;
	} else {
		st = n.failed ? EXIT_SOME_FAILED : EXIT_OK;
		if (v.progress || n.failed)
			fprintf(v.progress ? stdout : stderr,
				"crawl: %ld found, %ld fetched, %ld written, %ld unchanged, %ld not "
				"modified, %ld duplicate, %ld skipped, %ld deferred, %ld failed; %ld "
				"requests in %.1f s\n",
				n.found, n.fetched, n.written, n.unchanged, n.not_modified,
				n.duplicates, n.skipped, n.deferred, n.failed, n.requests, n.seconds);
	}
	if (v.log)
		fclose(v.log);
	pipeline_close(&p);
	return st;
}
