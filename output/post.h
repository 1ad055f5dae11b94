/*
 * post.h - an article becomes a post: front matter (through libyaml's
 * emitter, never printf), body in the configured form, footer; then a file
 * name from the filename template and an atomic write into the output
 * folder.
 */
#ifndef NM_POST_H
#define NM_POST_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"
#include "extractor/article.h"
#include "rules/config.h"

/* File names longer than this (bytes, before ".md") are cut at a character
 * boundary: NAME_MAX is 255 and some file systems count less. */
#define POST_NAME_MAX 200

enum post_status { POST_NEW, POST_UNCHANGED, POST_REPLACED };

/* Appends the front matter block, "---\n...---\n". */
enum nm_code post_front_matter(const struct article *a, const struct output_cfg *o,
			       const struct kv *pinyin, size_t npinyin, struct buf *out,
			       struct nm_err *e);
/* Appends the whole post: front matter, body (o->body picks body_raw,
 * body_html or body_markdown), footer, final newline handling. */
enum nm_code post_render(const struct article *a, const struct output_cfg *o,
			 const struct kv *pinyin, size_t npinyin, struct buf *out,
			 struct nm_err *e);
/* Appends the file name (filename template, then sanitised: no '/', no
 * leading '.', no control characters, at most POST_NAME_MAX bytes). */
enum nm_code post_filename(const struct article *a, const struct output_cfg *o,
			   const struct kv *pinyin, size_t npinyin, struct buf *out,
			   struct nm_err *e);
/* Writes data as dir/name atomically (temp file in dir, fsync, rename),
 * creating dir if needed.  The name must be a single path component; the
 * final path is opened relative to dir without following symlinks, so
 * nothing is written outside dir.  An existing file with the same bytes is
 * left alone (*status = POST_UNCHANGED). */
enum nm_code post_write(const char *dir, const char *name, const char *data, size_t n,
			enum post_status *status, struct nm_err *e);
/* True when a YAML 1.1 reader (Jekyll's Psych) could read s as something
 * other than a string: booleans, null, numbers, dates, or text that starts
 * like one. */
bool post_yaml_ambiguous(const char *s);

#endif
