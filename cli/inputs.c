/*
 * inputs.c - the start shared by `convert`, `extract` and the other
 * commands that read INPUTs: argument checks, opening the pipeline, and
 * printing its warnings.
 */
#include "cli/cmd.h"
#include "crawler/pipeline.h"
#include "common/err.h"

#include <string.h>

void cli_warn(void *ctx, const char *url, const char *msg)
{
	(void)ctx;
	cli_errorf("warning: %s: %s", url, msg);
}

int cli_open_inputs(struct pipeline *p, const char *cmd, int argc, int first,
		    const char *config, const char *rules, const char *url,
		    const char *const *connect_to)
{
	memset(p, 0, sizeof *p);
	if (first >= argc) {
		cli_errorf("%s: no INPUT given (try 'newsmd %s --help')", cmd, cmd);
		return EXIT_USAGE;
	}
	if (url && argc - first > 1) {
		cli_errorf("%s: --url applies to a single INPUT", cmd);
		return EXIT_USAGE;
	}
	struct nm_err e;
	err_clear(&e);
	if (pipeline_open(p, config, rules, &e) != NM_OK) {
		cli_error(&e);
		pipeline_close(p);
		return EXIT_USAGE;
	}
	p->connect_to = connect_to;
	p->reuse_fetch = true; /* one client for all INPUTs: robots.txt once per host */
	p->warn = cli_warn;
	p->warn_ctx = NULL;
	return EXIT_OK;
}

