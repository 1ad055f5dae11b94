/*
 * cmd_state.c - `newsmd state migrate SQLITE_FILE POSTGRES_URI`: copies a
 * crawl state kept in SQLite into a PostgreSQL database, so that a
 * single-machine crawl can become a shared one without forgetting what
 * it has fetched.  Every URL row (status, validators, hashes, post
 * paths, retry schedule) and every host back-off is copied, in one
 * transaction: the database has all of it or none.  Rows already in the
 * database with the same URL are replaced; the runs log and the robots.txt
 * cache are not copied (history and a cache).
 */
#include "cli/cmd.h"
#include "common/err.h"
#include "crawler/state.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fputs("usage: newsmd state migrate SQLITE_FILE POSTGRES_URI\n"
	      "\n"
	      "Copies a crawl state file (SQLite, the default `state:`) into a PostgreSQL\n"
	      "database (created tables are migrated to the current schema first), in one\n"
	      "transaction.  Then point `state:` in newsmd.yml at the URI.\n"
	      "\n"
	      "  POSTGRES_URI   postgresql://user@host/db or postgresql:///db?host=/run/postgresql\n"
	      "  -h, --help     this text\n"
	      "\n"
	      "Exit status: 0 copied, 1 the copy failed (nothing was written), 2 usage.\n",
	      f);
}

struct copy {
	struct state *to;
	long urls, hosts;
	enum nm_code rc;
	struct nm_err e;
};

static int copy_url(void *ud, const struct state_url *u)
{
	struct copy *c = ud;
	c->rc = state_put(c->to, u, &c->e);
	c->urls += c->rc == NM_OK;
	return c->rc != NM_OK;
}

static int copy_host(void *ud, const char *host, int64_t until)
{
	struct copy *c = ud;
	c->rc = state_set_host_backoff(c->to, host, until, &c->e);
	c->hosts += c->rc == NM_OK;
	return c->rc != NM_OK;
}

static int migrate(const char *from, const char *to)
{
	if (state_is_uri(from) || !state_is_uri(to)) {
		cli_errorf("state migrate: takes a SQLite file, then a postgresql:// URI");
		return EXIT_USAGE;
	}
	if (access(from, R_OK) != 0) {
		cli_errorf("%s: no such state file", from);
		return EXIT_USAGE;
	}
	struct state *src = NULL;
	struct copy c;
	memset(&c, 0, sizeof c);
	err_clear(&c.e);
	if (state_open(from, true, &src, &c.e) != NM_OK) {
		cli_error(&c.e);
		return EXIT_SOME_FAILED;
	}
	if (state_open(to, false, &c.to, &c.e) != NM_OK) {
		cli_error(&c.e);
		state_close(src);
		return EXIT_SOME_FAILED;
	}
	enum nm_code rc = state_begin(c.to, &c.e);
	if (!rc)
		rc = state_each(src, copy_url, &c, &c.e);
	if (!rc)
		rc = c.rc;
	if (!rc)
		rc = state_each_host(src, copy_host, &c, &c.e);
	if (!rc)
		rc = c.rc;
	if (!rc)
		rc = state_commit(c.to, &c.e);
	state_close(src);
	/* without a commit, closing the session rolls the copy back */
	if (rc) {
		state_broken(c.to, &c.e);
		err_where(&c.e, to, 0, 0);
		cli_errorf("state migrate: %s (nothing was copied)", c.e.msg);
		state_close(c.to);
		return EXIT_SOME_FAILED;
	}
	state_close(c.to);
	printf("state migrate: copied %ld URLs and %ld host back-offs from %s\n", c.urls, c.hosts,
	       from);
	return EXIT_OK;
}

int cmd_state(int argc, char **argv)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int o;
	optind = 1;
	while ((o = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (o == 'h') {
			usage(stdout);
			return EXIT_OK;
		}
		usage(stderr);
		return EXIT_USAGE;
	}
	if (optind < argc && !strcmp(argv[optind], "migrate")) {
		if (optind + 1 < argc && (!strcmp(argv[optind + 1], "--help") ||
					  !strcmp(argv[optind + 1], "-h"))) {
			usage(stdout);
			return EXIT_OK;
		}
		if (argc - optind != 3) {
			cli_errorf("state migrate: takes SQLITE_FILE POSTGRES_URI (try 'newsmd state --help')");
			return EXIT_USAGE;
		}
		return migrate(argv[optind + 1], argv[optind + 2]);
	}
	cli_errorf("state: unknown or missing subcommand%s%s (try 'newsmd state --help')",
		   optind < argc ? " " : "", optind < argc ? argv[optind] : "");
	return EXIT_USAGE;
}
