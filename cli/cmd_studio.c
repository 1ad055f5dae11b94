/*
 * cmd_studio.c - `newsmd studio`: a local web page to tune a site's rule
 * (studio/: the data and endpoints in api.c, the HTTP server and its
 * security in server.c).  Prints the page's address as its first line,
 * opens a browser unless --no-open, and serves until SIGINT or SIGTERM.
 */
#include "cli/cmd.h"
#include "studio/api.h"
#include "studio/server.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <getopt.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static void usage(FILE *f)
{
	fputs("usage: newsmd studio [-c FILE] [--rules DIR] [--url URL] [--port N] [--no-open]\n"
	      "                     URL|FILE\n"
	      "\n"
	      "Serves a local web page (on 127.0.0.1 only) for tuning the rule of URL's site:\n"
	      "the page without its scripts, where clicking an element proposes selectors;\n"
	      "the rule's YAML, each field's value and per-step trace updated as you edit;\n"
	      "the post as newsmd would write it; Save writes the rule into the rules\n"
	      "folder with the page as a test.  The first line printed is the address:\n"
	      "  studio: http://127.0.0.1:PORT/?token=TOKEN\n"
	      "\n"
	      "  -c, --config FILE   the config (default ./newsmd.yml when present)\n"
	      "      --rules DIR     the rules folder (default: the config's)\n"
	      "      --url URL       the URL a saved FILE is known by (picks the rule)\n"
	      "      --port N        listen on port N (default 0: a free port)\n"
	      "      --no-open       do not open a browser\n"
	      "Ctrl-C stops the studio.\n",
	      f);
}

/* Opens url in the desktop's browser, quietly; failing is fine (the
 * address is printed). */
static void open_browser(const char *url)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	char *argv[] = {(char *)"xdg-open", (char *)url, NULL};
	pid_t pid;
	posix_spawnp(&pid, "xdg-open", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
}

int cmd_studio(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"rules", required_argument, NULL, 'r'},
		{"url", required_argument, NULL, 'u'},    {"port", required_argument, NULL, 'p'},
		{"no-open", no_argument, NULL, 'n'},      {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct api_opts ao = {0};
	unsigned long port = 0;
	bool no_open = false;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': ao.config = optarg; break;
		case 'r': ao.rules_dir = optarg; break;
		case 'u': ao.url = optarg; break;
		case 'p': {
			char *end;
			port = strtoul(optarg, &end, 10);
			if (!*optarg || *end || port > 65535) {
				cli_errorf("studio: --port: expected a number from 0 to 65535, got '%s'",
					   optarg);
				return EXIT_USAGE;
			}
			break;
		}
		case 'n': no_open = true; break;
		case 'h': usage(stdout); return EXIT_OK;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		cli_errorf("studio: expected one URL or FILE (try 'newsmd studio --help')");
		return EXIT_USAGE;
	}
	ao.input = argv[optind];
	struct nm_err e;
	err_clear(&e);
	struct api *api = NULL;
	enum nm_code rc = api_open(&ao, &api, &e);
	if (rc) {
		cli_error(&e);
		api_free(api);
		return rc == NM_ECONFIG || rc == NM_ERULE || rc == NM_EUSAGE ? EXIT_USAGE
									      : EXIT_SOME_FAILED;
	}
	/* SIGINT/SIGTERM are taken by sigwait below; the server's thread
	 * inherits the mask, so the signals never interrupt it */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGCHLD, SIG_IGN); /* the browser opener is not waited for */
	struct server *srv = NULL;
	if (server_start(api, (unsigned)port, &srv, &e) != NM_OK) {
		cli_error(&e);
		api_free(api);
		return EXIT_SOME_FAILED;
	}
	char url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%u/?token=%s", server_port(srv),
		 server_token(srv));
	printf("studio: %s\n", url);
	printf("studio: tuning %s on %s; Ctrl-C stops\n", api_summary(api), ao.input);
	fflush(stdout);
	if (!no_open)
		open_browser(url);
	int sig = 0;
	sigwait(&set, &sig);
	server_stop(srv);
	api_free(api);
	return EXIT_OK;
}
