/*
 * settings.h - the plain settings types of newsmd.yml (SPEC §3): how posts
 * are written, how the crawler behaves, which sources it reads.  rules/
 * fills them from YAML (rules/config.h); output/, crawler/ and cli/ read
 * them.  No YAML here, so every room may include it.
 *
 * The output section has the same shape in the config and in a rule's
 * `output:` override; settings_output_merge() lays a rule's settings over
 * the config's.  Every string is owned by its struct.
 */
#ifndef NM_SETTINGS_H
#define NM_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

enum body_mode { BODY_MARKDOWN, BODY_HTML, BODY_RAW };
/* jekyll: the SPEC §3 front matter, Liquid made inert in bodies.  hugo:
 * title, date (RFC 3339), slug, categories, tags, draft: false, into
 * content/posts, shortcodes made inert.  Either's defaults give way to an
 * explicit front_matter / dir. */
enum post_format { FORMAT_JEKYLL, FORMAT_HUGO };
/* link: a body's images keep their (absolute) URLs.  download: each image
 * is stored under images_dir and the post links it under images_url (see
 * crawler/pipeline.h); body: raw posts are never rewritten. */
enum images_mode { IMAGES_LINK, IMAGES_DOWNLOAD };

/* One front matter key: its value is a template, or a list of templates. */
struct fm_entry {
	char *key;
	char **tmpl;  /* NULL-terminated */
	size_t n;
	bool is_list; /* written as a YAML list even with one element */
	bool plain;   /* a constant the config wrote plain (`draft: false`):
		       * written plain, so it keeps its YAML type */
};

struct output_cfg {
	char *dir;
	enum body_mode body;
	enum post_format format;
	char *filename;          /* template */
	struct fm_entry *fm;
	size_t nfm;
	char **quote;            /* NULL-terminated keys always double-quoted */
	char *footer;            /* template, may be NULL */
	bool final_newline;
	enum images_mode images;
	/* Templates, one folder per post by default.  images_dir is relative
	 * to the config file's folder (also in a rule's override) and is
	 * resolved when used; images_url is the prefix the post links, NULL =
	 * "/" + images_dir (the config's folder is the site's root). */
	char *images_dir;
	char *images_url;
	/* which members were given (for merging an override); giving
	 * images_dir gives images_url too (the one derived from it, if not
	 * given), so an override's folder never pairs with the base's prefix */
	bool has_dir, has_body, has_format, has_filename, has_fm, has_quote,
		has_footer, has_final_newline, has_images, has_images_dir, has_images_url;
};

struct kv {
	char *key;
	char *value;
};

struct crawl_cfg {
	char *user_agent;
	long concurrency, per_host_concurrency, delay_ms, timeout_s, retries, max_bytes;
	bool robots;
};

struct source_cfg {
	char *name;
	char **start;   /* NULL-terminated */
	char *rule;     /* NULL = by URL */
	long max_pages;
	struct kv *set; /* pre-filled fields */
	size_t nset;
};

struct config {
	char *path;        /* the file read, or NULL for built-in defaults */
	char *dir;         /* its folder ("." for defaults) */
	char *rules_dir;   /* absolute or relative to cwd, resolved */
	char *state;       /* SQLite file, resolved */
	struct output_cfg output;
	struct crawl_cfg crawl;
	struct source_cfg *sources;
	size_t nsources;
	struct kv *pinyin; /* per-string pinyin overrides */
	size_t npinyin;
};

/* dst = base with over's given members laid on top (deep copies; over
 * may be NULL).  Free dst with settings_output_free. */
void settings_output_merge(struct output_cfg *dst, const struct output_cfg *base,
			   const struct output_cfg *over);
/* Frees o's members and zeroes it. */
void settings_output_free(struct output_cfg *o);

#endif
