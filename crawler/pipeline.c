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
#include "extractor/clean.h"
#include "dom/xpath.h"

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
	pipeline_fetch_opts(p);
	return NM_OK;
}

void pipeline_fetch_opts(struct pipeline *p)
{
	const struct crawl_cfg *c = &p->cfg.crawl;
	p->fetch.user_agent = c->user_agent;
	p->fetch.timeout_s = c->timeout_s;
	p->fetch.max_bytes = (size_t)c->max_bytes;
	p->fetch.robots = c->robots;
	p->fetch.delay_ms = c->delay_ms;
	p->fetch.retries = c->retries;
	p->fetch.per_host = c->per_host_concurrency;
}

void pipeline_close(struct pipeline *p)
{
	fetch_session_free(p->fs);
	p->fs = NULL;
	ruleset_free(&p->rules);
	config_free(&p->cfg);
}

/* fetch_all through p's kept client (p->reuse_fetch) or one of its own. */
static enum nm_code pipeline_fetch_all(struct pipeline *p, struct fetch_item *items, size_t n,
				       const struct fetch_opts *o, struct nm_err *e)
{
	if (!p->reuse_fetch)
		return fetch_all(items, n, o, e);
	if (!p->fs) {
		struct fetch_opts base = p->fetch;
		base.connect_to = p->connect_to;
		enum nm_code rc = fetch_session_new(&base, &p->fs, e);
		if (rc)
			return rc;
	}
	fetch_session_run(p->fs, items, n, o);
	return NM_OK;
}

/* fetch_url through pipeline_fetch_all. */
static enum nm_code pipeline_get(struct pipeline *p, const char *url, struct fetch_result *r,
				 struct nm_err *e)
{
	struct fetch_item it;
	memset(&it, 0, sizeof it);
	it.url = url;
	memset(r, 0, sizeof *r);
	p->fetch.connect_to = p->connect_to;
	enum nm_code rc = pipeline_fetch_all(p, &it, 1, &p->fetch, e);
	if (rc) {
		err_where(e, url, 0, 0);
		return rc;
	}
	*r = it.res;
	if (it.rc && e)
		*e = it.err;
	return it.rc;
}

/* Reads the input's bytes; sets *url_out (owned) and content type. */
static enum nm_code load_input(struct pipeline *p, const char *input, const char *url,
			       struct buf *bytes, char **final_url, char **ctype,
			       struct nm_err *e)
{
	if (url_looks_absolute(input)) {
		struct fetch_result r;
		enum nm_code rc = pipeline_get(p, input, &r, e);
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
	enum nm_code rc = pipeline_get(p, buf_cstr(&fu), &fr, e);
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

/* ---- pages: (single-page view, multi-page articles) ---- */

static void pipeline_warn(struct pipeline *p, const char *url, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The first link of ls the page gives: a node's href (an element) or value
 * (an attribute, a text node), or the expression's string; resolved
 * against base.  A link is tried only when its if_contains matches. */
static bool page_link(const struct page_link *ls, size_t n, struct html_doc *h, const char *base,
		      struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		struct nm_err ignore;
		xmlNodePtr *nodes = NULL;
		size_t nn = 0;
		if (ls[i].if_contains) {
			xpath_eval_nodes(ls[i].if_contains, (xmlNodePtr)h->doc, &nodes, &nn, &ignore);
			free(nodes);
			if (!nn)
				continue;
		}
		struct xpath_result xr = {0};
		if (xpath_eval(ls[i].xp, (xmlNodePtr)h->doc, &xr, &ignore) != NM_OK)
			continue;
		xmlChar *v = NULL;
		if (xr.kind == XPATH_R_STRING && xr.str)
			v = xmlStrdup(BAD_CAST xr.str);
		else if (xr.n && xr.nodes[0]->type == XML_ELEMENT_NODE &&
			 xmlHasProp(xr.nodes[0], BAD_CAST "href"))
			v = xmlGetProp(xr.nodes[0], BAD_CAST "href");
		else if (xr.n)
			v = xmlNodeGetContent(xr.nodes[0]);
		xpath_result_free(&xr);
		struct buf t = BUF_INIT;
		if (v)
			buf_puts(&t, (const char *)v);
		xmlFree(v);
		extract_collapse(t.ptr ? t.ptr : (char *)"");
		bool ok = t.len && *buf_cstr(&t) && url_resolve(base, buf_cstr(&t), out) == 0 &&
			  url_is_http(buf_cstr(out));
		buf_free(&t);
		if (ok)
			return true;
		buf_clear(out);
	}
	return false;
}

/* Fetches url and parses it (decoded, preprocessed) into *h. */
static enum nm_code page_fetch(struct pipeline *p, const struct rule *r, const char *url,
			       const char *trusted, struct html_doc **h, struct nm_err *e)
{
	struct fetch_result fr;
	struct fetch_opts fo = p->fetch;
	fo.connect_to = p->connect_to;
	fo.trusted_host = trusted;
	struct buf text = BUF_INIT, pre = BUF_INIT;
	char used[64];
	enum nm_code rc = fetch_url(url, &fo, &fr, e);
	if (!rc)
		rc = charset_decode(fr.body.ptr ? fr.body.ptr : "", fr.body.len, fr.content_type,
				    r->charset, &text, used, sizeof used, e);
	if (!rc)
		rc = extract_preprocess(r, buf_cstr(&text), text.len, &pre, e);
	if (!rc)
		rc = html_parse(buf_cstr(&pre), pre.len, h, e);
	fetch_result_free(&fr);
	buf_free(&text);
	buf_free(&pre);
	return rc;
}

/* pages.single: when the page links to the whole article on one page,
 * that page replaces it (a->final_url follows).  Failures keep the page. */
static void pages_single(struct pipeline *p, const struct rule *r, struct page *pg,
			 struct article *a)
{
	struct buf u = BUF_INIT, host = BUF_INIT;
	struct html_doc *h = NULL;
	struct nm_err e;
	err_clear(&e);
	if (page_link(r->single_page, r->nsingle_page, pg->h, a->final_url, &u) &&
	    strcmp(buf_cstr(&u), a->final_url)) {
		url_host(a->final_url, &host);
		if (page_fetch(p, r, buf_cstr(&u), buf_cstr(&host), &h, &e) == NM_OK) {
			html_free(pg->h);
			pg->h = h;
			free(a->final_url);
			a->final_url = xstrdup(buf_cstr(&u));
		} else {
			pipeline_warn(p, a->url, "single page %s not read (%s); the page itself is used",
				      buf_cstr(&u), e.msg);
		}
	}
	buf_free(&u);
	buf_free(&host);
}

/* pages.next: the article's next pages (at most RULES_MAX_PAGES in all,
 * none twice), starting at `next` (read from page 1 before it was
 * cleaned), are extracted with the same rule and their bodies appended to
 * a's; body_html and body_text are made again from the joined body.  Each
 * page's own next link is read before its body is cleaned away. */
static void pages_next(struct pipeline *p, const struct rule *r, struct article *a,
		       const char *next)
{
	struct strv seen = {0};
	struct buf host = BUF_INIT, u = BUF_INIT;
	url_host(a->final_url, &host);
	strv_push(&seen, a->final_url);
	buf_puts(&u, next);
	bool joined = false;
	for (int pageno = 2; pageno <= RULES_MAX_PAGES && u.len; pageno++) {
		bool again = false;
		for (size_t i = 0; i < seen.n; i++)
			again |= !strcmp(seen.v[i], buf_cstr(&u));
		if (again)
			break;
		strv_push(&seen, buf_cstr(&u));
		struct nm_err e;
		err_clear(&e);
		struct article b;
		article_init(&b);
		b.url = xstrdup(buf_cstr(&u));
		b.final_url = xstrdup(buf_cstr(&u));
		struct page p2 = {0};
		p2.now = p->now;
		enum nm_code rc = page_fetch(p, r, buf_cstr(&u), buf_cstr(&host), &p2.h, &e);
		buf_clear(&u);
		if (!rc) {
			page_link(r->next_page, r->nnext_page, p2.h, b.final_url, &u);
			rc = extract_article(r, &p2, &b, &e);
		}
		if (!rc && b.body_node) {
			for (xmlNodePtr c = b.body_node->children; c; c = c->next) {
				xmlNodePtr copy = xmlDocCopyNode(c, a->body_node->doc, 1);
				if (copy)
					xmlAddChild(a->body_node, copy);
			}
			joined = true;
		} else {
			pipeline_warn(p, a->url, "page %d (%s) not read (%s)", pageno, b.url,
				      rc ? e.msg : "no body");
			buf_clear(&u);
		}
		b.body_node = NULL;
		article_free(&b);
		page_release(&p2);
		html_free(p2.h);
	}
	if (joined) {
		struct buf b = BUF_INIT;
		clean_html(a->body_node, &b);
		free(a->body_html);
		a->body_html = buf_detach(&b);
		clean_text(a->body_node, &b);
		free(a->body_text);
		a->body_text = buf_detach(&b);
		buf_free(&b);
	}
	strv_free(&seen);
	buf_free(&host);
	buf_free(&u);
}

enum nm_code pipeline_extract_bytes(struct pipeline *p, const struct rule *r,
				    const char *bytes, size_t n, const char *ctype,
				    struct article *a, struct nm_err *e)
{
	struct buf text = BUF_INIT, pre = BUF_INIT, next = BUF_INIT;
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
		if (p->follow_pages && r->nsingle_page)
			pages_single(p, r, &pg, a);
		if (p->follow_pages && r->nnext_page)
			page_link(r->next_page, r->nnext_page, pg.h, a->final_url, &next);
	}
	if ((rc = extract_article(r, &pg, a, e)))
		goto out;
	if (next.len && a->body_node)
		pages_next(p, r, a, buf_cstr(&next));
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
	buf_free(&next);
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
	p->follow_pages = url_looks_absolute(input);
	rc = pipeline_extract_bytes(p, NULL, bytes.ptr, bytes.len, ctype, a, e);
	p->follow_pages = false;
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

/* One image URL of a post (the fragment dropped: it is not sent). */
struct pimg {
	char *url;
	char *stem;
	char *to;    /* the local URL to link, or NULL: the link is kept */
	char *file;  /* the file this run stored it in, or NULL */
	bool fetch;  /* to be fetched (not stored by an earlier run) */
	bool done;   /* fetched and stored, or given up */
};

struct pipeline_images {
	struct buf dir;    /* the folder the files go to */
	struct buf prefix; /* the URL the post links the folder by */
	struct buf host;   /* the article's host (may be on a private address) */
	char *page;        /* the article's page: the Referer, or NULL */
	char *article;     /* the article's URL, for warnings */
	struct pimg *v;
	size_t n, nfetch;
	bool capped;
	/* the fetches, in order (indexes into v) */
	size_t *order;
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

static void img_warn(struct pipeline *p, const struct pipeline_images *im, const char *img,
		     const char *why)
{
	pipeline_warn(p, im->article, "image %s not stored (%s); its link is kept", img, why);
}

static struct pimg *img_find(const struct pipeline_images *im, const char *url)
{
	size_t n = strcspn(url, "#");
	for (size_t i = 0; i < im->n; i++)
		if (!strncmp(im->v[i].url, url, n) && !im->v[i].url[n])
			return &im->v[i];
	return NULL;
}

static void img_link(struct pipeline_images *im, struct pimg *g, const char *name)
{
	struct buf to = BUF_INIT;
	buf_printf(&to, "%s/", buf_cstr(&im->prefix));
	images_url_encode(name, &to);
	free(g->to);
	g->to = buf_detach(&to);
}

struct img_plan_ctx {
	struct pipeline *p;
	struct pipeline_images *im;
};

/* images_rewrite's map while planning: lists each http(s) URL once and
 * keeps every link (the output is thrown away). */
static const char *img_collect(void *ctx, const char *url)
{
	struct img_plan_ctx *c = ctx;
	struct pipeline_images *im = c->im;
	if (!policy_scheme_ok(url) || img_find(im, url))
		return NULL; /* only the web's images are fetched; each once */
	im->v = xrealloc(im->v, (im->n + 1) * sizeof *im->v);
	struct pimg *g = &im->v[im->n++];
	memset(g, 0, sizeof *g);
	g->url = xstrndup(url, strcspn(url, "#"));
	struct buf stem = BUF_INIT, name = BUF_INIT;
	images_stem(g->url, &stem);
	g->stem = buf_detach(&stem);
	if (images_stored(buf_cstr(&im->dir), g->stem, &name)) {
		img_link(im, g, buf_cstr(&name)); /* an earlier run stored it */
		g->done = true;
	} else if (im->nfetch >= IMAGES_MAX_PER_POST) {
		if (!im->capped) {
			struct buf why = BUF_INIT;
			buf_printf(&why, "more than %d images in one post; the rest too",
				   IMAGES_MAX_PER_POST);
			img_warn(c->p, im, g->url, buf_cstr(&why));
			buf_free(&why);
		}
		im->capped = true;
		g->done = true;
	} else {
		g->fetch = true;
		im->order = xrealloc(im->order, (im->nfetch + 1) * sizeof *im->order);
		im->order[im->nfetch++] = im->n - 1;
	}
	buf_free(&name);
	buf_free(&stem);
	return NULL;
}

/* The body o writes, when its images are to be stored. */
static const char *images_src(const struct article *a, const struct output_cfg *o)
{
	if (o->images != IMAGES_DOWNLOAD || o->body == BODY_RAW || !strcmp(o->dir, "-"))
		return NULL;
	const char *src = o->body == BODY_HTML ? a->body_html : a->body_markdown;
	if (!src || (!strstr(src, "<img") && (o->body == BODY_HTML || !strstr(src, "!["))))
		return NULL;
	return src;
}

struct pipeline_images *pipeline_images_plan(struct pipeline *p, const struct article *a,
					     const struct output_cfg *o)
{
	const char *src = images_src(a, o);
	if (!src)
		return NULL;
	struct pipeline_images *im = xcalloc(1, sizeof *im);
	im->article = xstrdup(a->url ? a->url : "");
	struct tmpl_ctx c = {a, p->cfg.pinyin, p->cfg.npinyin};
	struct buf rel = BUF_INIT, sink = BUF_INIT;
	struct nm_err e;
	err_clear(&e);
	const char *d = o->images_dir;
	while (!strncmp(d, "./", 2))
		d += 2;
	if (images_expand(d, false, &c, &rel, &e) ||
	    (o->images_url ? images_expand(o->images_url, true, &c, &im->prefix, &e)
			   : (buf_putc(&im->prefix, '/'), images_expand(d, true, &c, &im->prefix, &e)))) {
		pipeline_warn(p, a->url, "output.images_dir/images_url: %s; image links kept", e.msg);
		buf_free(&rel);
		pipeline_images_free(im);
		return NULL;
	}
	/* relative to the config's folder */
	if (buf_cstr(&rel)[0] != '/' && strcmp(p->cfg.dir, "."))
		buf_printf(&im->dir, "%s/", p->cfg.dir);
	buf_put(&im->dir, rel.ptr, rel.len);
	while (im->prefix.len && im->prefix.ptr[im->prefix.len - 1] == '/')
		buf_truncate(&im->prefix, im->prefix.len - 1);
	const char *page = a->final_url && url_is_http(a->final_url) ? a->final_url
			   : a->url && url_is_http(a->url)		  ? a->url
									  : NULL;
	im->page = page ? xstrdup(page) : NULL;
	if (page)
		url_host(page, &im->host);
	struct img_plan_ctx pc = {p, im};
	images_rewrite(src, strlen(src), o->body == BODY_HTML, img_collect, &pc, &sink);
	buf_free(&sink);
	buf_free(&rel);
	return im;
}

size_t pipeline_images_count(const struct pipeline_images *im)
{
	return im ? im->nfetch : 0;
}

const char *pipeline_images_url(const struct pipeline_images *im, size_t i)
{
	return i < im->nfetch ? im->v[im->order[i]].url : NULL;
}

const char *pipeline_images_referer(const struct pipeline_images *im)
{
	return im->page;
}

const char *pipeline_images_store(struct pipeline *p, struct pipeline_images *im, size_t i,
				  const char *ctype, const char *data, size_t n)
{
	if (i >= im->nfetch)
		return NULL;
	struct pimg *g = &im->v[im->order[i]];
	if (g->done)
		return NULL;
	g->done = true;
	const char *ext = images_ext(ctype, data, n);
	if (!ext) {
		struct buf why = BUF_INIT;
		buf_printf(&why, "not an image: Content-Type %s", ctype ? ctype : "missing");
		img_warn(p, im, g->url, buf_cstr(&why));
		buf_free(&why);
		return NULL;
	}
	struct buf name = BUF_INIT;
	struct nm_err e;
	err_clear(&e);
	enum post_status st;
	buf_printf(&name, "%s.%s", g->stem, ext);
	if (post_write(buf_cstr(&im->dir), buf_cstr(&name), data, n, &st, &e)) {
		char why[NM_ERR_WHERE_MAX + NM_ERR_MSG_MAX + 8];
		err_format(&e, why, sizeof why);
		img_warn(p, im, g->url, why);
		buf_free(&name);
		return NULL;
	}
	img_link(im, g, buf_cstr(&name));
	/* the stored file: another post of the run may copy it */
	struct buf file = BUF_INIT;
	buf_printf(&file, "%s/%s", buf_cstr(&im->dir), buf_cstr(&name));
	free(g->file);
	g->file = buf_detach(&file);
	buf_free(&name);
	return g->file;
}

const char *pipeline_images_copy(struct pipeline *p, struct pipeline_images *im, size_t i,
				 const char *file)
{
	struct buf bytes = BUF_INIT;
	struct nm_err e;
	err_clear(&e);
	const char *r = NULL;
	if (file_read(file, IMAGES_MAX_BYTES, &bytes, &e) != NM_OK) {
		char why[NM_ERR_WHERE_MAX + NM_ERR_MSG_MAX + 8];
		err_format(&e, why, sizeof why);
		pipeline_images_fail(p, im, i, why);
	} else {
		r = pipeline_images_store(p, im, i, NULL, bytes.ptr, bytes.len);
	}
	buf_free(&bytes);
	return r;
}

void pipeline_images_fail(struct pipeline *p, struct pipeline_images *im, size_t i,
			  const char *why)
{
	if (i >= im->nfetch || im->v[im->order[i]].done)
		return;
	im->v[im->order[i]].done = true;
	img_warn(p, im, im->v[im->order[i]].url, why ? why : "failed");
}

void pipeline_images_free(struct pipeline_images *im)
{
	if (!im)
		return;
	for (size_t i = 0; i < im->n; i++) {
		free(im->v[i].url);
		free(im->v[i].stem);
		free(im->v[i].to);
		free(im->v[i].file);
	}
	free(im->v);
	free(im->order);
	free(im->page);
	free(im->article);
	buf_free(&im->dir);
	buf_free(&im->prefix);
	buf_free(&im->host);
	free(im);
}

/* images_rewrite's map when writing: the stored copy, or NULL. */
static const char *img_map(void *ctx, const char *url)
{
	struct pimg *g = img_find(ctx, url);
	return g ? g->to : NULL;
}

/* Fetches the planned images with the blocking client (convert): one
 * scheduler for the post's images, the article's page as Referer. */
static void images_fetch_now(struct pipeline *p, struct pipeline_images *im)
{
	size_t n = im->nfetch;
	if (!n)
		return;
	struct fetch_item *items = xcalloc(n, sizeof *items);
	for (size_t i = 0; i < n; i++)
		items[i].url = pipeline_images_url(im, i);
	struct fetch_opts fo = p->fetch;
	fo.connect_to = p->connect_to;
	fo.max_bytes = IMAGES_MAX_BYTES;
	fo.referer = im->page; /* many sites refuse images to other referers */
	fo.accept = PIPELINE_IMAGE_ACCEPT;
	/* the article's own host may be local (the operator pointed newsmd
	 * at it); an image elsewhere may not lead to internal addresses */
	fo.trusted_host = im->host.len ? buf_cstr(&im->host) : "";
	struct nm_err e;
	err_clear(&e);
	if (pipeline_fetch_all(p, items, n, &fo, &e) != NM_OK) {
		for (size_t i = 0; i < n; i++)
			pipeline_images_fail(p, im, i, e.msg);
	} else {
		for (size_t i = 0; i < n; i++) {
			struct fetch_item *it = &items[i];
			if (it->rc)
				pipeline_images_fail(p, im, i, it->err.msg);
			else
				pipeline_images_store(p, im, i, it->res.content_type, it->res.body.ptr,
						      it->res.body.len);
		}
	}
	for (size_t i = 0; i < n; i++)
		fetch_result_free(&items[i].res);
	free(items);
}

enum nm_code pipeline_write_images(struct pipeline *p, const struct article *a,
				   const struct output_cfg *o, const struct pipeline_images *im,
				   char **path, enum post_status *status, struct nm_err *e)
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
	const char *src = im ? images_src(a, o) : NULL;
	if (src && images_rewrite(src, strlen(src), o->body == BODY_HTML, img_map, (void *)im,
				  &body) > 0) {
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

enum nm_code pipeline_write(struct pipeline *p, const struct article *a,
			    const struct output_cfg *o, char **path,
			    enum post_status *status, struct nm_err *e)
{
	struct pipeline_images *im = pipeline_images_plan(p, a, o);
	if (im)
		images_fetch_now(p, im);
	enum nm_code rc = pipeline_write_images(p, a, o, im, path, status, e);
	pipeline_images_free(im);
	return rc;
}
