/*
 * cmd.h - the subcommands.  Each takes the arguments after its name
 * (argv[0] is the command name) and returns the process exit status.
 * Only cli/ prints to the terminal or decides exit codes.
 */
#ifndef NM_CMD_H
#define NM_CMD_H

#include <stdint.h>
#include <stdio.h>

/* Exit statuses (SPEC §2). */
#define EXIT_OK 0
#define EXIT_SOME_FAILED 1
#define EXIT_USAGE 2
#define EXIT_LOCKED 75

int cmd_crawl(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_convert(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_rules_suggest(int argc, char **argv);
int cmd_rules_import(int argc, char **argv);

/* --connect-to options one command takes (curl's own limit is far above). */
#define CLI_MAX_CONNECT_TO 64
/* `rules check --online`: runs the URL-only tests of the rules under
 * paths (default: the config's rules folder) through net/multi.h; prints
 * one line per failure and a summary; returns the exit status. */
struct pipeline;
int rules_check_online(struct pipeline *p, char **paths, int npaths,
		       const char *const *connect_to);
int cmd_select(int argc, char **argv);
int cmd_markdown(int argc, char **argv);
int cmd_state(int argc, char **argv);
int cmd_studio(int argc, char **argv);

/* Prints "newsmd: MESSAGE" for an error record, as one line. */
struct nm_err;
void cli_error(const struct nm_err *e);
void cli_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints a pipeline warning as "newsmd: warning: URL: MSG" (a
 * pipeline.warn callback; ctx unused). */
void cli_warn(void *ctx, const char *url, const char *msg);

/* The start shared by `convert` and `extract`: checks that INPUTs were
 * given (argv[first..argc)) and that --url names only one, then opens the
 * pipeline with warnings printed.  Prints the one-line error itself and
 * returns the exit status (2), or 0 with p open. */
struct pipeline;
int cli_open_inputs(struct pipeline *p, const char *cmd, int argc, int first,
		    const char *config, const char *rules, const char *url,
		    const char *const *connect_to);

/* The usage text of `newsmd rules` (cmd_rules.c). */
void cli_rules_usage(FILE *f);
/* `rules test` (cmd_rules_test.c), called by `rules`. */
int cmd_rules_test(int argc, char **argv);
/* Reads a --now / `now:` date into UTC seconds (0 for NULL); -1 and e set
 * when it cannot be read. */
int64_t cli_parse_now(const char *s, struct nm_err *e);

#endif
