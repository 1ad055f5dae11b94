/*
 * ftr.h - FiveFilters' site configs (ftr-site-config, the text format of
 * Full-Text RSS) read and converted into newsmd rule files.
 *
 * A config is lines `directive: value` or `directive(arg): value`, `#`
 * comments.  ftr_parse() reads one file the way Full-Text RSS does (the
 * first ':' ends the directive; empty lines and comments are skipped);
 * ftr_convert() turns it into the YAML text of one rule, written through
 * libyaml's emitter, and tells the report what became of every line:
 * converted, approximated (kept, with a difference named in the reason)
 * or skipped (with a reason).  Every XPath is compiled before it is
 * written, so a converted rule always loads.
 */
#ifndef NM_FTR_H
#define NM_FTR_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"

/* The largest config in the 2026 snapshot is 26 KB; 1 MiB is a mistake. */
#define FTR_MAX_FILE (1024 * 1024)
/* Lines read per config: the largest has about 700. */
#define FTR_MAX_LINES 20000
/* Distinct reasons kept per directive in a report (more are counted under
 * the last one). */
#define FTR_MAX_REASONS 32

enum ftr_verdict { FTR_CONVERTED, FTR_APPROXIMATED, FTR_SKIPPED };

struct ftr_conf;   /* one parsed config */
struct ftr_report; /* per-directive tallies over any number of configs */

/* Parses text[0..n) of the config named file (for messages).  *out is new
 * (caller frees with ftr_conf_free).  NM_ELIMIT when over the limits above. */
enum nm_code ftr_parse(const char *text, size_t n, const char *file, struct ftr_conf **out,
		       struct nm_err *e);
void ftr_conf_free(struct ftr_conf *c);

/* Converts the config whose file name (without folder) is `base`
 * ("bbc.com.txt", ".ifeng.com.txt", "global.txt") into one rule's YAML,
 * appended to yaml; *out_name gets the file name to write it under
 * ("bbc.com.yml", "_.ifeng.com.yml"; caller frees).  global: the parsed
 * global.txt, whose directives are appended to the site's the way Full-Text
 * RSS merges it (the site's values first), or NULL; its own lines are not
 * counted again.  "global.txt" itself becomes the base rule `ftr-global`
 * (no match).  NM_ERULE with a reason when the file cannot become a rule
 * (its host suffix is a public suffix, no host in the name); rep counts the
 * file as skipped then. */
enum nm_code ftr_convert(const struct ftr_conf *site, const char *base,
			 const struct ftr_conf *global, struct ftr_report *rep,
			 struct buf *yaml, char **out_name, struct nm_err *e);

struct ftr_report *ftr_report_new(void);
void ftr_report_free(struct ftr_report *r);
/* Counts a whole file as converted, or skipped for reason. */
void ftr_report_file(struct ftr_report *r, bool converted, const char *reason);

/* Reading a report: rows are directives in first-seen order. */
size_t ftr_report_rows(const struct ftr_report *r);
/* Row i: its directive and its counts by verdict (counts[FTR_CONVERTED] ...).
 * The name is borrowed until ftr_report_free. */
const char *ftr_report_row(const struct ftr_report *r, size_t i, long counts[3]);
/* Row i's reasons: j-th reason's text (borrowed), verdict and count, or
 * NULL past the last. */
const char *ftr_report_reason(const struct ftr_report *r, size_t i, size_t j,
			      enum ftr_verdict *v, long *n);
/* Files seen, converted, skipped (with the skip reasons as a pseudo-row
 * named "(file)"). */
void ftr_report_files(const struct ftr_report *r, long *seen, long *converted);

#endif
