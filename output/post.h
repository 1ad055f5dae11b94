/*
 * post.h - an article becomes a post: front matter (through libyaml's
 * emitter, never printf), body in the configured form with the site
 * generator's template syntax made inert, footer; then a file name from
 * the filename template, and a write into the output folder that is
 * atomic, leaves identical files alone and never overwrites another
 * article's post.
 *
 * Whose file is it?  A post carries its article's URL where the config
 * puts it: a front matter key whose template uses {url} or {final_url}
 * (`source_url: '{url}'`), or the footer (the default footer is
 * "\n\n<{url}>\n").  An existing file whose front matter has that same
 * line, or that ends with that same footer, is this article's and is
 * replaced; any other file with the wanted name is another article's, and
 * the post goes to name-2.md, name-3.md ... instead.  A post without its
 * URL in it (or an input without a URL, stdin) can prove nothing, so it
 * never replaces a different file.  The state is in the files themselves,
 * so `convert` and `crawl` (and a copy of the folder) agree.
 */
#ifndef NM_POST_H
#define NM_POST_H

#include <stdbool.h>
#include <stddef.h>

#include "common/buf.h"
#include "common/err.h"
#include "extractor/article.h"
#include "common/settings.h"

/* File names longer than this (bytes, before ".md") are cut at a character
 * boundary: NAME_MAX is 255 and some file systems count less. */
#define POST_NAME_MAX 200
/* More than this many other articles' posts under one file name (name,
 * name-2 ... name-100) means the filename template has no field that tells
 * articles apart: refuse rather than probe on. */
#define POST_MAX_SAME_NAME 100
/* The front matter of an existing file is looked for in its first bytes
 * only; posts we write keep it far below this. */
#define POST_HEAD_MAX (64 * 1024)

enum post_status { POST_NEW, POST_UNCHANGED, POST_REPLACED };

/* A rendered post and the marks that make a file its article's. */
struct post {
	struct buf text;       /* the whole file */
	struct strv fm_marks;  /* front matter lines carrying the URL */
	struct buf tail_mark;  /* the post's end carrying the URL (footer), or empty */
};

void post_init(struct post *p);
void post_free(struct post *p);

/* Appends the front matter block, "---\n...---\n".  Keys in the config's
 * order; a key whose value expands to nothing is left out; list values
 * (tags, author, or a template list) are YAML lists; a value is double-
 * quoted when its key is in o->quote or when a YAML 1.1 reader would
 * misread it plain (post_yaml_ambiguous, indicators, `: `, ` #`, edge
 * spaces, control characters); dates are written plain (read as times);
 * constants the config wrote plain (`draft: false`) keep their YAML type. */
enum nm_code post_front_matter(const struct article *a, const struct output_cfg *o,
			       const struct kv *pinyin, size_t npinyin, struct buf *out,
			       struct nm_err *e);
/* Renders the post into p (post_init'ed; text is appended): front matter,
 * body (o->body picks body_raw, body_html or body_markdown) and footer
 * made inert for o->format (post_protect), trailing newlines per
 * o->final_newline; and the ownership marks. */
enum nm_code post_build(const struct article *a, const struct output_cfg *o,
			const struct kv *pinyin, size_t npinyin, struct post *p,
			struct nm_err *e);
/* Appends the whole post text (post_build without the marks). */
enum nm_code post_render(const struct article *a, const struct output_cfg *o,
			 const struct kv *pinyin, size_t npinyin, struct buf *out,
			 struct nm_err *e);
/* Appends s[0..n) so the site generator shows it as written:
 * - jekyll: each line holding "{{" or "{%" is wrapped in
 *   {% raw %}...{% endraw %}; a "{%" that would close the raw block early
 *   ({% endraw %} in the text) is written as {{ '{%' }} outside it.  Per
 *   line, so an excerpt cut at a blank line never splits a raw block.
 * - hugo: a shortcode "{{< X >}}" / "{{% X %}}" becomes Hugo's shortcode
 *   comment ("{{<" slash-star X star-slash ">}}"), which Hugo prints as
 *   the original text; an opener without a closer becomes "{{\<"
 *   (Markdown) or "{{&lt;" (html bodies).
 * html: the text is HTML (body: html or raw), not Markdown. */
void post_protect(enum post_format f, bool html, const char *s, size_t n, struct buf *out);
/* Appends the file name (filename template, then sanitised: no '/', no
 * leading '.', no control characters, at most POST_NAME_MAX bytes). */
enum nm_code post_filename(const struct article *a, const struct output_cfg *o,
			   const struct kv *pinyin, size_t npinyin, struct buf *out,
			   struct nm_err *e);
/* Writes p into dir (created if needed) as name, or as name-2, name-3 ...
 * (before the extension) when name is another article's file (see the top
 * of this file).  A file with the same bytes is left alone
 * (POST_UNCHANGED); this article's older file is replaced
 * (POST_REPLACED); a new name is created without replacing anything that
 * appears there meanwhile (POST_NEW).  Writes go to a temp file in dir,
 * fsync, rename; names are opened relative to dir without following
 * symlinks (a symlink counts as someone else's file).  used receives the
 * name chosen.  name must be one path component.  NM_EIO on I/O errors or
 * when POST_MAX_SAME_NAME names are all taken. */
enum nm_code post_place(const char *dir, const char *name, const struct post *p,
			struct buf *used, enum post_status *status, struct nm_err *e);
/* Renders a's post and writes it into o->dir as post_place does; when the
 * post goes to name-k and the front matter uses {slug}, its slug becomes
 * slug-k too (Hugo makes URLs from the slug: two posts, two pages). */
enum nm_code post_save(const struct article *a, const struct output_cfg *o,
		       const struct kv *pinyin, size_t npinyin, const char *name,
		       struct buf *used, enum post_status *status, struct nm_err *e);
/* Writes data as dir/name atomically (temp file in dir, fsync, rename),
 * creating dir if needed, whoever's file is there (no ownership check).
 * The name must be a single path component; the final path is opened
 * relative to dir without following symlinks, so nothing is written
 * outside dir.  An existing file with the same bytes is left alone
 * (*status = POST_UNCHANGED). */
enum nm_code post_write(const char *dir, const char *name, const char *data, size_t n,
			enum post_status *status, struct nm_err *e);
/* True when a YAML 1.1 reader (Jekyll's Psych, Hugo's yaml.v2, PyYAML)
 * could read s, written plain, as something other than this string:
 * booleans, null, numbers, dates, Ruby symbols (":x"), or text that starts
 * like one; also text with Liquid ("{{", "{%"). */
bool post_yaml_ambiguous(const char *s);

#endif
