/*
 * config.c - loading newsmd.yml with strict keys and positions.
 */
#include "rules/config.h"
#include "rules/yaml.h"
#include "common/buf.h"
#include "common/mem.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void fm_set(struct output_cfg *o, const char *key, const char *tmpl, bool is_list)
{
	o->fm = xrealloc(o->fm, (o->nfm + 1) * sizeof *o->fm);
	struct fm_entry *f = &o->fm[o->nfm++];
	f->key = xstrdup(key);
	f->tmpl = xcalloc(2, sizeof *f->tmpl);
	f->tmpl[0] = xstrdup(tmpl);
	f->n = 1;
	f->is_list = is_list;
	f->plain = !strpbrk(tmpl, "{}");
}

static void fm_clear(struct output_cfg *o);

/* The front matter Hugo reads (categories a list, draft a boolean). */
static void fm_hugo(struct output_cfg *o)
{
	fm_clear(o);
	fm_set(o, "title", "{title}", false);
	fm_set(o, "date", "{date:%Y-%m-%dT%H:%M:%S%:z}", false);
	fm_set(o, "slug", "{slug}", false);
	fm_set(o, "categories", "{category}", true);
	fm_set(o, "tags", "{tags}", false);
	fm_set(o, "draft", "false", false);
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	c->dir = xstrdup(".");
	c->rules_dir = xstrdup("rules");
	c->state = xstrdup("newsmd.db");
	struct output_cfg *o = &c->output;
	o->dir = xstrdup("_posts");
	o->body = BODY_MARKDOWN;
	o->format = FORMAT_JEKYLL;
	o->filename = xstrdup("{date:%Y-%m-%d}-{slug}.md");
	fm_set(o, "layout", "post", false);
	fm_set(o, "title", "{title}", false);
	fm_set(o, "date", "{date:%Y-%m-%d %H:%M:%S %z}", false);
	/* a list: Jekyll splits a string of categories at spaces */
	fm_set(o, "categories", "{category}", true);
	fm_set(o, "tags", "{tags}", false);
	o->quote = xcalloc(2, sizeof *o->quote);
	o->quote[0] = xstrdup("title");
	o->footer = xstrdup("\n\n<{url}>\n");
	o->final_newline = true;
	o->images = IMAGES_LINK;
	o->images_dir = xstrdup("assets/img/{slug}");
	c->crawl.user_agent = xstrdup("newsmd/1.0");
	c->crawl.concurrency = 8;
	c->crawl.per_host_concurrency = 2;
	c->crawl.delay_ms = 1000;
	c->crawl.timeout_s = 30;
	c->crawl.retries = 3;
	c->crawl.max_bytes = (long)SETTINGS_MAX_BODY_BYTES;
	c->crawl.robots = true;
}

static void fm_clear(struct output_cfg *o)
{
	for (size_t i = 0; i < o->nfm; i++) {
		free(o->fm[i].key);
		ystrv_free(o->fm[i].tmpl);
	}
	free(o->fm);
	o->fm = NULL;
	o->nfm = 0;
}

/* A folder that is not below the config's folder: absolute, or leaving it
 * with "..". */
static bool outside(const char *dir)
{
	return dir[0] == '/' || !strcmp(dir, "..") || !strncmp(dir, "../", 3);
}

/* output.images, images_dir, images_url (the rest of config_parse_output). */
static enum nm_code parse_images(const struct ydoc *d, const struct ynode *n,
				 struct output_cfg *o, struct nm_err *e)
{
	enum nm_code rc;
	struct ynode *v, *dir = ymap_get(n, "images_dir"), *url = ymap_get(n, "images_url");
	if ((v = ymap_get(n, "images"))) {
		if (v->type == Y_SCALAR && !strcmp(v->str, "link"))
			o->images = IMAGES_LINK;
		else if (v->type == Y_SCALAR && !strcmp(v->str, "download"))
			o->images = IMAGES_DOWNLOAD;
		else
			return yerr(e, d, v, NM_ECONFIG, "output.images: expected link or download");
		o->has_images = true;
	}
	if (dir) {
		if ((rc = ystr(d, dir, "output.images_dir", &o->images_dir, e)))
			return rc;
		if (!o->images_dir[0])
			return yerr(e, d, dir, NM_ECONFIG, "output.images_dir: empty");
		if (!url && outside(o->images_dir))
			return yerr(e, d, dir, NM_ECONFIG,
				    "output.images_dir: outside the config's folder; give the "
				    "URL the site serves it at as images_url");
		free(o->images_url);
		o->images_url = NULL; /* derived from images_dir unless given */
		o->has_images_dir = o->has_images_url = true;
	} else if (o->has_format && o->format == FORMAT_HUGO) {
		/* Hugo publishes static/ at the site's root */
		free(o->images_dir);
		o->images_dir = xstrdup("static/images/{slug}");
		free(o->images_url);
		o->images_url = xstrdup("/images/{slug}");
		o->has_images_dir = o->has_images_url = true;
	}
	if (url) {
		if ((rc = ystr(d, url, "output.images_url", &o->images_url, e)))
			return rc;
		o->has_images_url = true;
	}
	return NM_OK;
}

enum nm_code config_parse_output(const struct ydoc *d, const struct ynode *n,
			  struct output_cfg *o, struct nm_err *e)
{
	static const char *const keys[] = {"dir", "body", "format", "filename", "front_matter",
					   "quote", "footer", "final_newline", "slug", "images",
					   "images_dir", "images_url", NULL};
	enum nm_code rc;
	if ((rc = yexpect(d, n, Y_MAP, "output", e)) ||
	    (rc = ymap_check_keys(d, n, keys, "output", e)))
		return rc;
	struct ynode *v;
	if ((v = ymap_get(n, "dir"))) {
		if ((rc = ystr(d, v, "output.dir", &o->dir, e)))
			return rc;
		o->has_dir = true;
	}
	if ((v = ymap_get(n, "body"))) {
		static const char *const modes[] = {"markdown", "html", "raw"};
		bool ok = false;
		for (int i = 0; v->type == Y_SCALAR && i < 3; i++)
			if (!strcmp(v->str, modes[i]))
				o->body = (enum body_mode)i, ok = true;
		if (!ok)
			return yerr(e, d, v, NM_ECONFIG,
				    "output.body: expected markdown, html or raw");
		o->has_body = true;
	}
	if ((v = ymap_get(n, "format"))) {
		if (v->type == Y_SCALAR && !strcmp(v->str, "jekyll"))
			o->format = FORMAT_JEKYLL;
		else if (v->type == Y_SCALAR && !strcmp(v->str, "hugo"))
			o->format = FORMAT_HUGO;
		else
			return yerr(e, d, v, NM_ECONFIG, "output.format: expected jekyll or hugo");
		o->has_format = true;
	}
	if ((v = ymap_get(n, "filename"))) {
		if ((rc = ystr(d, v, "output.filename", &o->filename, e)))
			return rc;
		o->has_filename = true;
	}
	if ((v = ymap_get(n, "front_matter"))) {
		if ((rc = yexpect(d, v, Y_MAP, "output.front_matter", e)))
			return rc;
		fm_clear(o);
		for (size_t i = 0; i + 1 < v->n; i += 2) {
			struct ynode *val = v->items[i + 1];
			o->fm = xrealloc(o->fm, (o->nfm + 1) * sizeof *o->fm);
			struct fm_entry *f = &o->fm[o->nfm];
			memset(f, 0, sizeof *f);
			f->key = xstrdup(v->items[i]->str);
			o->nfm++;
			if ((rc = yscalarlist(d, val, f->key, &f->tmpl, &f->n, e)))
				return rc;
			f->is_list = val->type == Y_SEQ;
			f->plain = val->type == Y_SCALAR && val->plain && !strpbrk(val->str, "{}");
		}
		o->has_fm = true;
	} else if (o->has_format && o->format == FORMAT_HUGO) {
		fm_hugo(o);
		o->has_fm = true;
	}
	if ((v = ymap_get(n, "quote"))) {
		if ((rc = ystrlist(d, v, "output.quote", &o->quote, NULL, e)))
			return rc;
		o->has_quote = true;
	}
	if ((v = ymap_get(n, "footer"))) {
		if ((rc = ystr(d, v, "output.footer", &o->footer, e)))
			return rc;
		o->has_footer = true;
	}
	if ((v = ymap_get(n, "final_newline"))) {
		if ((rc = ybool(d, v, "output.final_newline", &o->final_newline, e)))
			return rc;
		o->has_final_newline = true;
	}
	return parse_images(d, n, o, e);
}

/* Joins a path relative to the config's folder. */
static char *rel(const char *dir, const char *p)
{
	if (p[0] == '/' || !strcmp(dir, "."))
		return xstrdup(p);
	struct buf b = BUF_INIT;
	buf_printf(&b, "%s/%s", dir, p);
	return buf_detach(&b);
}

static enum nm_code parse_crawl(const struct ydoc *d, const struct ynode *n,
				struct crawl_cfg *c, struct nm_err *e)
{
	static const char *const keys[] = {"user_agent", "concurrency", "per_host_concurrency",
					   "delay_ms", "timeout_s", "retries", "max_bytes",
					   "robots", NULL};
	enum nm_code rc;
	if ((rc = yexpect(d, n, Y_MAP, "crawl", e)) ||
	    (rc = ymap_check_keys(d, n, keys, "crawl", e)))
		return rc;
	struct ynode *v;
	struct {
		const char *key;
		long *dst, min, max;
	} ints[] = {
		{"concurrency", &c->concurrency, 1, 1024},
		{"per_host_concurrency", &c->per_host_concurrency, 1, 256},
		{"delay_ms", &c->delay_ms, 0, 3600000},
		{"timeout_s", &c->timeout_s, 1, 3600},
		{"retries", &c->retries, 0, 100},
		{"max_bytes", &c->max_bytes, 1024, 1L << 30},
	};
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
		if ((v = ymap_get(n, ints[i].key)) &&
		    (rc = yint(d, v, ints[i].key, ints[i].min, ints[i].max, ints[i].dst, e)))
			return rc;
	if ((v = ymap_get(n, "user_agent")) && (rc = ystr(d, v, "user_agent", &c->user_agent, e)))
		return rc;
	if ((v = ymap_get(n, "robots")) && (rc = ybool(d, v, "robots", &c->robots, e)))
		return rc;
	return NM_OK;
}

static enum nm_code parse_kvmap(const struct ydoc *d, const struct ynode *n, const char *what,
				struct kv **out, size_t *count, struct nm_err *e)
{
	enum nm_code rc = yexpect(d, n, Y_MAP, what, e);
	if (rc)
		return rc;
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		if ((rc = yexpect(d, n->items[i + 1], Y_SCALAR, n->items[i]->str, e)))
			return rc;
		*out = xrealloc(*out, (*count + 1) * sizeof **out);
		(*out)[*count].key = xstrdup(n->items[i]->str);
		(*out)[*count].value = xstrdup(n->items[i + 1]->str);
		(*count)++;
	}
	return NM_OK;
}

static enum nm_code parse_sources(const struct ydoc *d, const struct ynode *n,
				  struct config *c, struct nm_err *e)
{
	static const char *const keys[] = {"name", "start", "rule", "max_pages", "set", NULL};
	enum nm_code rc = yexpect(d, n, Y_SEQ, "sources", e);
	if (rc)
		return rc;
	c->sources = xcalloc(n->n + 1, sizeof *c->sources);
	for (size_t i = 0; i < n->n; i++) {
		struct ynode *s = n->items[i], *v;
		struct source_cfg *src = &c->sources[c->nsources++];
		src->max_pages = 1;
		if ((rc = yexpect(d, s, Y_MAP, "sources[]", e)) ||
		    (rc = ymap_check_keys(d, s, keys, "a source", e)))
			return rc;
		if (!(v = ymap_get(s, "name")))
			return yerr(e, d, s, NM_ECONFIG, "source: missing key 'name'");
		if ((rc = ystr(d, v, "name", &src->name, e)))
			return rc;
		if (!(v = ymap_get(s, "start")))
			return yerr(e, d, s, NM_ECONFIG, "source '%s': missing key 'start'", src->name);
		if ((rc = ystrlist(d, v, "start", &src->start, NULL, e)))
			return rc;
		if ((v = ymap_get(s, "rule")) && (rc = ystr(d, v, "rule", &src->rule, e)))
			return rc;
		if ((v = ymap_get(s, "max_pages")) &&
		    (rc = yint(d, v, "max_pages", 1, 10000, &src->max_pages, e)))
			return rc;
		if ((v = ymap_get(s, "set")) &&
		    (rc = parse_kvmap(d, v, "set", &src->set, &src->nset, e)))
			return rc;
	}
	return NM_OK;
}

enum nm_code config_load(const char *path, bool missing_ok, struct config *c,
			 struct nm_err *e)
{
	static const char *const keys[] = {"rules", "state", "output", "crawl", "sources",
					   "pinyin", NULL};
	struct ydoc *d = NULL;
	enum nm_code rc;

	config_defaults(c);
	if (missing_ok && access(path, F_OK) != 0 && errno == ENOENT)
		return NM_OK;
	if ((rc = ydoc_load(path, &d, e)))
		return rc == NM_EIO ? NM_ECONFIG : rc;
	c->path = xstrdup(path);
	char *tmp = xstrdup(path);
	free(c->dir);
	c->dir = xstrdup(dirname(tmp));
	free(tmp);

	struct ynode *r = d->root, *v;
	if (!r)
		goto out; /* empty file: defaults */
	if ((rc = yexpect(d, r, Y_MAP, "config", e)) ||
	    (rc = ymap_check_keys(d, r, keys, "the config", e)))
		goto out;
	if ((v = ymap_get(r, "rules")) && (rc = ystr(d, v, "rules", &c->rules_dir, e)))
		goto out;
	if ((v = ymap_get(r, "state")) && (rc = ystr(d, v, "state", &c->state, e)))
		goto out;
	if ((v = ymap_get(r, "output")) && (rc = config_parse_output(d, v, &c->output, e)))
		goto out;
	if (c->output.format == FORMAT_HUGO && !c->output.has_dir) {
		free(c->output.dir);
		c->output.dir = xstrdup("content/posts");
	}
	if (v && ymap_get(v, "slug")) {
		rc = yerr(e, d, ymap_get(v, "slug"), NM_ECONFIG,
			  "output.slug belongs in a rule file, not in the config");
		goto out;
	}
	if ((v = ymap_get(r, "crawl")) && (rc = parse_crawl(d, v, &c->crawl, e)))
		goto out;
	if ((v = ymap_get(r, "sources")) && (rc = parse_sources(d, v, c, e)))
		goto out;
	if ((v = ymap_get(r, "pinyin")) &&
	    (rc = parse_kvmap(d, v, "pinyin", &c->pinyin, &c->npinyin, e)))
		goto out;
	/* Paths in the file are relative to the file. */
	char *p = rel(c->dir, c->rules_dir);
	free(c->rules_dir);
	c->rules_dir = p;
	/* a PostgreSQL URI (the state's other backend) is not a path */
	p = strstr(c->state, "://") ? xstrdup(c->state) : rel(c->dir, c->state);
	free(c->state);
	c->state = p;
	p = rel(c->dir, c->output.dir);
	free(c->output.dir);
	c->output.dir = p;
out:
	ydoc_free(d);
	if (rc && e)
		e->code = rc = NM_ECONFIG;
	return rc;
}

static void kv_free(struct kv *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void config_free(struct config *c)
{
	free(c->path);
	free(c->dir);
	free(c->rules_dir);
	free(c->state);
	settings_output_free(&c->output);
	free(c->crawl.user_agent);
	for (size_t i = 0; i < c->nsources; i++) {
		free(c->sources[i].name);
		ystrv_free(c->sources[i].start);
		free(c->sources[i].rule);
		kv_free(c->sources[i].set, c->sources[i].nset);
	}
	free(c->sources);
	kv_free(c->pinyin, c->npinyin);
	memset(c, 0, sizeof *c);
}
