/*
 * api.h - the studio's data: one page, the rule being tuned, and the JSON
 * endpoints the web page calls.  Extraction runs through crawler/pipeline.c
 * (pipeline_extract_bytes, with the per-step trace of `rules test`) and
 * posts are rendered by output/post.c, so what the studio shows is what
 * `convert` and `crawl` write.  Not thread-safe: the server calls it from
 * one thread.
 */
#ifndef NM_API_H
#define NM_API_H

#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"

/* Pages larger than this are refused: the studio keeps the page, its parse
 * and its sanitised copy in memory and re-extracts it on every edit. */
#define API_MAX_PAGE (16 * 1024 * 1024)
/* Rule text accepted from the editor: far beyond any hand-written rule. */
#define API_MAX_RULE (512 * 1024)
/* Characters of a value shown in the trace; the rest is cut with "…". */
#define API_MAX_SHOWN 2000
/* Values of one step shown in the trace (a pick: all can match hundreds). */
#define API_MAX_VALUES 5
/* Elements highlighted for one selector (a `*` would be the whole page). */
#define API_MAX_HIGHLIGHT 2000

struct api;

struct api_opts {
	const char *config;     /* -c, or NULL for ./newsmd.yml when present */
	const char *rules_dir;  /* --rules, or NULL for the config's */
	const char *url;        /* --url: the URL a saved page is known by */
	const char *input;      /* URL or file */
	const char *const *connect_to; /* NULL-terminated, borrowed; may be NULL */
};

/* Loads config and rules, reads the page (fetched through the pipeline's
 * fetch path, or the file), and picks the rule newsmd would use for its
 * URL; without one, drafts a rule from the generic extractor's findings.
 * Errors: the pipeline's (config, rules, fetch), NM_ELIMIT for a page over
 * API_MAX_PAGE.  Free with api_free. */
enum nm_code api_open(const struct api_opts *o, struct api **out, struct nm_err *e);
void api_free(struct api *a);

/* A short description for the terminal: "rule eastmoney
 * (examples/finews/rules/eastmoney.yml)" or "a draft rule (no rule
 * matches URL)".  Borrowed. */
const char *api_summary(const struct api *a);

/* The endpoints.  Each appends its response body to out and returns the
 * HTTP status; bodies are JSON (application/json) except api_page (HTML). */

/* GET /api/state: {url, input, rule_file, save_name, rules_dir, draft, rule} */
int api_state(struct api *a, struct buf *out);
/* GET /page: the sanitised page (view.h). */
int api_page(struct api *a, struct buf *out);
/* GET /rendered: the post of the last api_run rendered (view_render_post),
 * sanitised like the page. */
int api_rendered(struct api *a, struct buf *out);
/* POST /api/run {"rule": YAML}: the rule loaded from the text, run on the
 * page: {ok, error, fields: [{name, value, how, idx, steps: [...]}],
 * highlight: {body: [...], clean: [{kind, selector, idx}]}, post,
 * post_name}; the post rendered is kept for api_rendered.  A rule that does not load gives ok false with
 * error {msg, line, col} (status 200: it is the user's text, not a bad
 * request). */
int api_run(struct api *a, const char *body, size_t n, struct buf *out);
/* POST /api/pick {"index": N}: selector candidates for element N (pick.h)
 * {index, tag, text, candidates: [{selector, count, kind}]}; or
 * {"selector": S}: {count, idx} (what S matches, for highlighting). */
int api_pick(struct api *a, const char *body, size_t n, struct buf *out);
/* POST /api/save {"rule": YAML, "file": NAME}: writes the rule as NAME in
 * the rules folder (NAME: "x.yml" or "sub/x.yml", letters, digits, '.',
 * '_', '-'; nothing that leaves the folder) after adding a test: the page
 * saved as tests/STEM/PAGE.html next to the rule, with the values the rule
 * extracts now as expectations.  Atomic writes (output/post.h post_write).
 * {ok, path, page, rule} or {ok: false, error} with status 400. */
int api_save(struct api *a, const char *body, size_t n, struct buf *out);

#endif
