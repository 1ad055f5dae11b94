/*
 * pipeline.c - input -> article -> post.
 */
#include "crawler/pipeline.h"
#include "common/buf.h"
#include "common/file.h"
#include "common/mem.h"
#include "dom/charset.h"
#include "common/url.h"
#include "extractor/extract.h"
#include "extractor/auto.h"
#include "dom/html.h"
#include "dom/jpath.h"
#include "output/images.h"
#include "output/md.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum nm_code pipeline_open(struct pipeline *p, const char *config_path,
			   const char *rules_dir, struct nm_err *e)
{
	memset(p, 0, sizeof *p);
	enum nm_code rc = config_load(config_path ? config_path : "newsmd.yml", !config_path,
				      &p->cfg, e);
	if (rc)
		return rc;
	const char *dir = rules_dir ? rules_dir : p->cfg.rules_dir;
	/* The implicit ./rules may be absent; a folder the user named may not. */
	bool missing_ok = !rules_dir && !p->cfg.path;
	rc = ruleset_load(dir, missing_ok, &p->rules, e);
	if (rc)
		return rc;
	p->fetch.user_agent = p->cfg.crawl.user_agent;
	p->fetch.timeout_s = p->cfg.crawl.timeout_s;
	p->fetch.max_bytes = (size_t)p->cfg.crawl.max_bytes;
	return NM_OK;
}

void pipeline_close(struct pipeline *p)
{
	ruleset_free(&p->rules);
	config_free(&p->cfg);
}

/* Reads the input's bytes; sets *url_out (owned) and content type. */
static enum nm_code load_input(struct pipeline *p, const char *input, const char *url,
			       struct buf *bytes, char **final_url, char **ctype,
			       struct nm_err *e)
{
	if (url_looks_absolute(input)) {
		struct fetch_result r;
		p->fetch.connect_to = p->connect_to;
		enum nm_code rc = fetch_url(input, &p->fetch, &r, e);
		if (!rc) {
			buf_put(bytes, buf_cstr(&r.body), r.body.len);
			*final_url = xstrdup(r.final_url);
			*ctype = r.content_type ? xstrdup(r.content_type) : NULL;
		}
		fetch_result_free(&r);
		return rc;
	}
	enum nm_code rc = file_read(input, PIPELINE_MAX_FILE, bytes, e);
	if (rc)
		return rc;
	if (url) {
		*final_url = xstrdup(url);
	} else {
		/* A file without --url is known by its absolute file: URL. */
		char abs[PATH_MAX];
		struct buf u = BUF_INIT;
		if (strcmp(input, "-") && realpath(input, abs))
			buf_printf(&u, "file://%s", abs);
		*final_url = u.len ? buf_detach(&u) : NULL;
		buf_free(&u);
	}
	return NM_OK;
}

/* The Markdown form of the (already cleaned) body. */
static void render_markdown(struct article *a)
{
	if (!a->body_node)
		return;
	struct buf b = BUF_INIT;
	struct md_opts mo = {a->final_url ? a->final_url : a->url, false};
	struct nm_err ignore;
	md_render(a->body_node, &mo, &b, &ignore);
	free(a->body_markdown);
	a->body_markdown = buf_detach(&b);
	buf_free(&b);
}

enum nm_code pipeline_read(struct pipeline *p, const struct rule *r, const char *input,
			   struct buf *bytes, char **ctype, struct nm_err *e)
{
	*ctype = NULL;
	if (!url_looks_absolute(input))
		return file_read(input, PIPELINE_MAX_FILE, bytes, e);
	struct buf fu = BUF_INIT;
	struct fetch_result fr;
	rule_fetch_url(r, input, &fu);
	p->fetch.connect_to = p->connect_to;
	enum nm_code rc = fetch_url(buf_cstr(&fu), &p->fetch, &fr, e);
	buf_put(bytes, buf_cstr(&fr.body), fr.body.len);
	*ctype = fr.content_type ? xstrdup(fr.content_type) : NULL;
	fetch_result_free(&fr);
	buf_free(&fu);
	return rc;
}

/* JSON when the rule says so, or (auto) when the server says so or the
 * text starts like a JSON object or array. */
static bool is_json(const struct rule *r, const char *ctype, const char *s, size_t n)
{
	if (r->fetch_type != FETCH_AUTO)
		return r->fetch_type == FETCH_JSON;
	return jpath_sniff(ctype, s, n);
}

enum nm_code pipeline_extract_bytes(struct pipeline *p, const struct rule *r,
				    const char *bytes, size_t n, const char *ctype,
				    struct article *a, struct nm_err *e)
{
	struct buf text = BUF_INIT, pre = BUF_INIT;
	struct page pg = {0};
	pg.now = p->now;
	pg.trace = p->trace;
	enum nm_code rc = NM_OK;
	if (!a->final_url)
		a->final_url = xstrdup(a->url);
	if (!r)
		r = ruleset_match(&p->rules, a->url);
	if (!r && strcmp(a->url, a->final_url))
		r = ruleset_match(&p->rules, a->final_url);
	char used[64];
	if ((rc = charset_decode(bytes ? bytes : "", n, ctype, r ? r->charset : NULL, &text, used,
				 sizeof used, e)))
		goto out;
	if (!r) {
		/* No rule: the generic extractor. */
		if ((rc = html_parse(buf_cstr(&text), text.len, &pg.h, e)))
			goto out;
		if ((rc = auto_extract(pg.h, a->url, a, e)))
			goto out;
		render_markdown(a);
		goto out;
	}
	if (is_json(r, ctype, buf_cstr(&text), text.len)) {
		/* preprocess applies to the HTML fragments inside, not to the JSON */
		if (!(pg.json = jpath_parse(buf_cstr(&text), text.len, e))) {
			rc = e ? e->code : NM_EPARSE;
			if (e)
				e->line = e->col = 0;
			goto out;
		}
	} else {
		if ((rc = extract_preprocess(r, buf_cstr(&text), text.len, &pre, e)))
			goto out;
		if ((rc = html_parse(buf_cstr(&pre), pre.len, &pg.h, e)))
			goto out;
	}
	if ((rc = extract_article(r, &pg, a, e)))
		goto out;
	render_markdown(a);
out:
	if (rc && e && !e->where[0])
		err_where(e, a->url, 0, 0);
	a->body_node = NULL; /* the document goes away now */
	page_release(&pg);
	html_free(pg.h);
	json_decref(pg.json);
	buf_free(&text);
	buf_free(&pre);
	return rc;
}

enum nm_code pipeline_extract(struct pipeline *p, const char *input, const char *url,
			      struct article *a, struct nm_err *e)
{
	struct buf bytes = BUF_INIT, fetch_url = BUF_INIT;
	char *final_url = NULL, *ctype = NULL;
	const char *where = url ? url : input;
	/* A URL input may be rewritten to what its rule fetches (fetch.rewrite_url):
	 * the article keeps the URL it is known by. */
	const char *src = input;
	if (url_looks_absolute(input)) {
		rule_fetch_url(ruleset_match(&p->rules, input), input, &fetch_url);
		src = buf_cstr(&fetch_url);
	}
	enum nm_code rc = load_input(p, src, url, &bytes, &final_url, &ctype, e);
	if (rc)
		goto out;
	free(a->url);
	a->url = xstrdup(url ? url : url_looks_absolute(input) ? input
				    : final_url	       ? final_url
							       : input);
	free(a->final_url);
	a->final_url = xstrdup(final_url && !fetch_url.len ? final_url : a->url);
	rc = pipeline_extract_bytes(p, NULL, bytes.ptr, bytes.len, ctype, a, e);
out:
	if (rc && e && !e->where[0])
		err_where(e, where, 0, 0);
	buf_free(&bytes);
	buf_free(&fetch_url);
	free(final_url);
	free(ctype);
	return rc;
}

void pipeline_output_for(struct pipeline *p, const struct article *a,
			 struct output_cfg *out)
{
	const struct rule *r = a->rule ? ruleset_find(&p->rules, a->rule) : NULL;
	settings_output_merge(out, &p->cfg.output, r ? &r->output : NULL);
}

/* ---- output.images: download ---- */

/* What a browser sends when it loads an <img>: some CDNs pick the format
 * (or refuse) by it. */
#define PIPELINE_IMAGE_ACCEPT "Accept: image/avif,image/webp,image/apng,image/*,*/*;q=0.8"

struct img_memo {
	char *url;
	char *to; /* the local URL, or NULL: the link is kept */
};

/* One post's images: where they go and what became of each URL. */
struct img_run {
	struct pipeline *p;
	const struct article *a;
	struct fetch_opts fo;
	struct buf dir;    /* the folder the files go to */
	struct buf prefix; /* the URL the post links the folder by */
	struct buf host;   /* the article's host (may be on a private address) */
	struct img_memo *memo;
	size_t nmemo, fetched;
	bool capped;
};

/* Hands "URL: MSG" to p->warn (the caller prints or logs it). */
static void pipeline_warn(struct pipeline *p, const char *url, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void pipeline_warn(struct pipeline *p, const char *url, const char *fmt, ...)
{
	struct buf m = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&m, fmt, ap);
	va_end(ap);
	if (p->warn)
		p->warn(p->warn_ctx, url, buf_cstr(&m));
	buf_free(&m);
}

static void img_warn(const struct img_run *r, const char *img, const char *why)
{
	pipeline_warn(r->p, r->a->url, "image %s not stored (%s); its link is kept", img, why);
}

/* Stores url's image in r->dir unless an earlier run did; returns the URL
 * to link it by (caller frees), or NULL (warned) to keep url. */
static char *img_store(struct img_run *r, const char *url)
{
	if (!url_is_http(url))
		return NULL; /* only the web's images are fetched */
	struct buf stem = BUF_INIT, name = BUF_INIT, to = BUF_INIT, key = BUF_INIT;
	char *out = NULL;
	/* the fragment is not sent: one file for all of them */
	buf_put(&key, url, strcspn(url, "#"));
	url = buf_cstr(&key);
	images_stem(url, &stem);
	if (!images_stored(buf_cstr(&r->dir), buf_cstr(&stem), &name)) {
		if (r->fetched >= IMAGES_MAX_PER_POST) {
			if (!r->capped) {
				struct buf why = BUF_INIT;
				buf_printf(&why, "more than %d images in one post; the rest too",
					   IMAGES_MAX_PER_POST);
				img_warn(r, url, buf_cstr(&why));
				buf_free(&why);
			}
			r->capped = true;
			goto done;
		}
		r->fetched++;
		struct fetch_result fr;
		struct nm_err e;
		err_clear(&e);
		enum nm_code rc = fetch_url(url, &r->fo, &fr, &e);
		const char *ext = NULL;
		if (rc) {
			img_warn(r, url, e.msg);
		} else if (!(ext = images_ext(fr.content_type, fr.body.ptr, fr.body.len))) {
			struct buf why = BUF_INIT;
			buf_printf(&why, "not an image: Content-Type %s",
				   fr.content_type ? fr.content_type : "missing");
			img_warn(r, url, buf_cstr(&why));
			buf_free(&why);
		} else {
			enum post_status st;
			buf_printf(&name, "%s.%s", buf_cstr(&stem), ext);
			if ((rc = post_write(buf_cstr(&r->dir), buf_cstr(&name), fr.body.ptr,
					     fr.body.len, &st, &e))) {
				char why[NM_ERR_WHERE_MAX + NM_ERR_MSG_MAX + 8];
				err_format(&e, why, sizeof why);
				img_warn(r, url, why);
			}
		}
		fetch_result_free(&fr);
		if (rc || !ext)
			goto done;
	}
	buf_printf(&to, "%s/", buf_cstr(&r->prefix));
	images_url_encode(buf_cstr(&name), &to);
	out = buf_detach(&to);
done:
	buf_free(&key);
	buf_free(&stem);
	buf_free(&name);
	buf_free(&to);
	return out;
}

/* images_rewrite's map: each URL is stored (or given up) once per post. */
static const char *img_map(void *ctx, const char *url)
{
	struct img_run *r = ctx;
	for (size_t i = 0; i < r->nmemo; i++)
		if (!strcmp(r->memo[i].url, url))
			return r->memo[i].to;
	char *to = img_store(r, url);
	r->memo = xrealloc(r->memo, (r->nmemo + 1) * sizeof *r->memo);
	r->memo[r->nmemo].url = xstrdup(url);
	r->memo[r->nmemo].to = to;
	return r->memo[r->nmemo++].to;
}

/* output.images: download.  Stores the images of the body that o writes
 * (body_markdown or body_html) and appends that body, linking them, to
 * body; an image that cannot be stored keeps its URL and is reported as a
 * warning, never failing the post.  False when no link changed. */
static bool localize_images(struct pipeline *p, const struct article *a,
			    const struct output_cfg *o, struct buf *body)
{
	const char *src = o->body == BODY_HTML ? a->body_html : a->body_markdown;
	if (!src || (!strstr(src, "<img") && (o->body == BODY_HTML || !strstr(src, "!["))))
		return false;
	struct img_run r;
	memset(&r, 0, sizeof r);
	r.p = p;
	r.a = a;
	struct tmpl_ctx c = {a, p->cfg.pinyin, p->cfg.npinyin};
	struct buf rel = BUF_INIT;
	struct nm_err e;
	err_clear(&e);
	size_t k = 0;
	const char *d = o->images_dir;
	while (!strncmp(d, "./", 2))
		d += 2;
	if (images_expand(d, false, &c, &rel, &e) ||
	    (o->images_url ? images_expand(o->images_url, true, &c, &r.prefix, &e)
			   : (buf_putc(&r.prefix, '/'), images_expand(d, true, &c, &r.prefix, &e)))) {
		pipeline_warn(p, a->url, "output.images_dir/images_url: %s; image links kept", e.msg);
		goto out;
	}
	/* relative to the config's folder */
	if (buf_cstr(&rel)[0] != '/' && strcmp(p->cfg.dir, "."))
		buf_printf(&r.dir, "%s/", p->cfg.dir);
	buf_put(&r.dir, rel.ptr, rel.len);
	while (r.prefix.len && r.prefix.ptr[r.prefix.len - 1] == '/')
		buf_truncate(&r.prefix, r.prefix.len - 1);
	const char *page = a->final_url && url_is_http(a->final_url) ? a->final_url
			   : a->url && url_is_http(a->url)		  ? a->url
									  : NULL;
	r.fo = p->fetch;
	r.fo.connect_to = p->connect_to;
	r.fo.max_bytes = IMAGES_MAX_BYTES;
	r.fo.referer = page; /* many sites refuse images to other referers */
	r.fo.accept = PIPELINE_IMAGE_ACCEPT;
	/* the article's own host may be local (the operator pointed newsmd
	 * at it); an image elsewhere may not lead to internal addresses */
	if (page && url_host(page, &r.host) == 0)
		r.fo.trusted_host = buf_cstr(&r.host);
	else
		r.fo.trusted_host = "";
	k = images_rewrite(src, strlen(src), o->body == BODY_HTML, img_map, &r, body);
out:
	for (size_t i = 0; i < r.nmemo; i++) {
		free(r.memo[i].url);
		free(r.memo[i].to);
	}
	free(r.memo);
	buf_free(&rel);
	buf_free(&r.dir);
	buf_free(&r.prefix);
	buf_free(&r.host);
	return k > 0;
}

enum nm_code pipeline_write(struct pipeline *p, const struct article *a,
			    const struct output_cfg *o, char **path,
			    enum post_status *status, struct nm_err *e)
{
	struct buf post = BUF_INIT, name = BUF_INIT, used = BUF_INIT, body = BUF_INIT;
	enum nm_code rc = NM_OK;
	if (!strcmp(o->dir, "-")) {
		if ((rc = post_render(a, o, p->cfg.pinyin, p->cfg.npinyin, &post, e)))
			goto out;
		fwrite(buf_cstr(&post), 1, post.len, stdout);
		*status = POST_NEW;
		*path = xstrdup("-");
		goto out;
	}
	/* images: the post links what was stored (a shallow copy of the
	 * article with the rewritten body; raw bodies stay untouched) */
	struct article local;
	if (o->images == IMAGES_DOWNLOAD && o->body != BODY_RAW &&
	    localize_images(p, a, o, &body)) {
		local = *a;
		if (o->body == BODY_HTML)
			local.body_html = (char *)buf_cstr(&body);
		else
			local.body_markdown = (char *)buf_cstr(&body);
		a = &local;
	}
	if ((rc = post_filename(a, o, p->cfg.pinyin, p->cfg.npinyin, &name, e)))
		goto out;
	/* another article's file of that name is kept: name-2.md ... */
	if ((rc = post_save(a, o, p->cfg.pinyin, p->cfg.npinyin, buf_cstr(&name), &used, status,
			    e)))
		goto out;
	struct buf full = BUF_INIT;
	buf_printf(&full, "%s/%s", o->dir, buf_cstr(&used));
	*path = buf_detach(&full);
out:
	if (rc && e && !e->where[0])
		err_where(e, a->url, 0, 0);
	buf_free(&post);
	buf_free(&name);
	buf_free(&used);
	buf_free(&body);
	return rc;
}
