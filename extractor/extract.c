/*
 * extract.c - the rule interpreter.
 *
 * A field's value is a list of strings (most fields use the first); each
 * step produces candidates (css/meta/url/const/from_field), then the
 * step's regex and post operations refine them.  A step that yields
 * nothing, or a date that does not parse, falls through to the next step.
 */
#include "extractor/extract.h"
#include "common/date.h"
#include "common/mem.h"
#include "common/nfkc.h"
#include "common/re.h"
#include "common/utf8.h"
#include "common/url.h"
#include "extractor/auto.h"
#include "extractor/clean.h"
#include "extractor/jsonld.h"
#include "dom/jpath.h"
#include "extractor/meta.h"
#include "dom/sel.h"
#include "dom/xpath.h"

#include <ctype.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

enum nm_code extract_preprocess(const struct rule *r, const char *s, size_t n,
				struct buf *out, struct nm_err *e)
{
	if (!r || !r->npre)
		return buf_put(out, s, n) < 0 ? err_set(e, NM_ELIMIT, "page too large") : NM_OK;
	struct buf cur = BUF_INIT, next = BUF_INIT;
	buf_put(&cur, s, n);
	for (size_t i = 0; i < r->npre; i++) {
		const struct preprocess_op *p = &r->pre[i];
		buf_clear(&next);
		if (p->re) {
			if (re_replace(p->re, buf_cstr(&cur), cur.len, p->replace, &next) < 0) {
				buf_free(&cur);
				buf_free(&next);
				return err_set(e, NM_ELIMIT, "preprocess regex hit its match limit");
			}
		} else {
			size_t fl = strlen(p->find);
			const char *c = buf_cstr(&cur), *end = c + cur.len, *hit;
			while ((hit = memmem(c, (size_t)(end - c), p->find, fl))) {
				buf_put(&next, c, (size_t)(hit - c));
				buf_puts(&next, p->replace);
				c = hit + fl;
			}
			buf_put(&next, c, (size_t)(end - c));
		}
		struct buf t = cur;
		cur = next;
		next = t;
	}
	enum nm_code rc = buf_put(out, buf_cstr(&cur), cur.len) < 0
				  ? err_set(e, NM_ELIMIT, "page too large")
				  : NM_OK;
	buf_free(&cur);
	buf_free(&next);
	return rc;
}

void extract_collapse(char *s)
{
	if (!*s)
		return; /* also: never write into a caller's "" literal */
	size_t n = strlen(s), o = 0;
	bool space = true; /* drops leading space */
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = utf8_decode(s + i, n - i, &cp);
		bool ws = cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' ||
			  cp == 0xA0 || cp == 0x3000;
		if (ws) {
			if (!space)
				s[o++] = ' ';
			space = true;
		} else {
			memmove(s + o, s + i, l);
			o += l;
			space = false;
		}
		i += l;
	}
	if (o && s[o - 1] == ' ')
		o--;
	s[o] = '\0';
}

/* Candidate values of one step. */
struct vals {
	struct strv s;
	xmlNodePtr node; /* css: first picked element (for the body) */
	xmlNodePtr *all; /* pick: all: every picked element, document order */
	size_t nall;
};

/* Parts a `pick: all` body joins: far above any real page's selector list
 * (intro + story + box), and bounds the ancestor checks. */
#define EXTRACT_MAX_BODY_PARTS 256

static void node_value(const struct step *st, xmlNodePtr n, struct buf *out)
{
	if (st->attr) {
		xmlChar *v = xmlGetProp(n, (const xmlChar *)st->attr);
		if (v)
			buf_puts(out, (const char *)v);
		xmlFree(v);
	} else if (st->html) {
		html_inner_html(n, out);
	} else if (n->type == XML_ELEMENT_NODE &&
		   (xmlStrEqual(n->name, BAD_CAST "script") || xmlStrEqual(n->name, BAD_CAST "style"))) {
		html_text(n, out); /* a step may read a script's text on purpose */
	} else {
		html_text_blocks(n, out);
	}
}

static void pick_nodes(const struct step *st, bool list, xmlNodePtr *nodes, size_t k,
		       struct vals *v)
{
	enum step_pick pick = st->pick_set ? st->pick : list ? PICK_ALL : PICK_FIRST;
	size_t from = 0, to = k;
	if (pick == PICK_FIRST)
		to = k ? 1 : 0;
	else if (pick == PICK_LAST)
		from = k ? k - 1 : 0;
	else if (pick == PICK_ONLY && k != 1)
		to = 0;
	if (st->pick_set && pick == PICK_ALL && k > 1 && !v->all) {
		size_t m = k < EXTRACT_MAX_BODY_PARTS ? k : EXTRACT_MAX_BODY_PARTS;
		v->all = xmalloc(m * sizeof *v->all);
		memcpy(v->all, nodes, m * sizeof *v->all);
		v->nall = m;
	}
	for (size_t i = from; i < to; i++) {
		struct buf b = BUF_INIT;
		node_value(st, nodes[i], &b);
		if (!st->attr && !st->html)
			extract_collapse(b.ptr ? b.ptr : (char *)"");
		if (b.len && *buf_cstr(&b)) {
			strv_push(&v->s, buf_cstr(&b));
			if (!v->node)
				v->node = nodes[i];
		} else if (!v->node && i == from) {
			v->node = nodes[i]; /* an empty element is still a body */
		}
		buf_free(&b);
	}
}

static void meta_values(const struct html_doc *h, const char *name, struct strv *out)
{
	/* <meta name|property|itemprop=NAME content=...>, document order. */
	xmlNodePtr n = xmlDocGetRootElement(h->doc);
	while (n) {
		if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST "meta")) {
			static const char *const keys[] = {"name", "property", "itemprop"};
			for (int i = 0; i < 3; i++) {
				xmlChar *k = xmlGetProp(n, BAD_CAST keys[i]);
				bool hit = k && !strcasecmp((const char *)k, name);
				xmlFree(k);
				if (hit) {
					xmlChar *c = xmlGetProp(n, BAD_CAST "content");
					if (c && *c)
						strv_push(out, (const char *)c);
					xmlFree(c);
					break;
				}
			}
		}
		if (n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		while (n && !n->next)
			n = n->parent;
		if (n)
			n = n->next;
	}
}

static const char *field_value(const struct article *a, const char *name)
{
	if (!strcmp(name, "title")) return a->title;
	if (!strcmp(name, "source")) return a->source;
	if (!strcmp(name, "category")) return a->category;
	if (!strcmp(name, "excerpt")) return a->excerpt;
	if (!strcmp(name, "lead_image")) return a->lead_image;
	if (!strcmp(name, "author")) return a->author.n ? a->author.v[0] : NULL;
	if (!strcmp(name, "tags")) return a->tags.n ? a->tags.v[0] : NULL;
	if (!strcmp(name, "url")) return a->url;
	return article_get_field(a, name);
}

static void apply_post(const struct step *st, const char *base, struct strv *s)
{
	for (size_t i = 0; i < st->npost; i++) {
		const struct post_op *p = &st->post[i];
		struct strv out = {0};
		if (p->kind == POST_JOIN) {
			struct buf b = BUF_INIT;
			for (size_t j = 0; j < s->n; j++) {
				if (j)
					buf_puts(&b, p->a);
				buf_puts(&b, s->v[j]);
			}
			if (s->n)
				strv_push(&out, buf_cstr(&b));
			buf_free(&b);
		}
		for (size_t j = 0; p->kind != POST_JOIN && j < s->n; j++) {
			struct buf b = BUF_INIT;
			const char *v = s->v[j];
			switch (p->kind) {
			case POST_TRIM: {
				buf_puts(&b, v);
				char *c = b.ptr ? b.ptr : (char *)"";
				size_t st0 = strspn(c, " \t\r\n\f"), e0 = strlen(c);
				while (e0 > st0 && strchr(" \t\r\n\f", c[e0 - 1]))
					e0--;
				memmove(c, c + st0, e0 - st0);
				buf_truncate(&b, e0 - st0);
				break;
			}
			case POST_NFKC:
				nfkc_append(&b, v, strlen(v));
				break;
			case POST_COLLAPSE:
				buf_puts(&b, v);
				if (b.ptr)
					extract_collapse(b.ptr), b.len = strlen(b.ptr);
				break;
			case POST_REGEX_REPLACE:
				if (re_replace(p->re, v, strlen(v), p->a, &b) < 0)
					buf_puts(&b, v);
				break;
			case POST_SPLIT: {
				size_t off = 0, n = strlen(v), ms, ml;
				/* re_search reports group 1 or the whole match: both mark the cut. */
				while (off <= n && re_search(p->re, v + off, n - off, &ms, &ml) == 1 &&
				       ml > 0) {
					struct buf part = BUF_INIT;
					buf_put(&part, v + off, ms);
					extract_collapse(part.ptr ? part.ptr : (char *)"");
					if (*buf_cstr(&part))
						strv_push(&out, buf_cstr(&part));
					buf_free(&part);
					off += ms + ml;
				}
				buf_puts(&b, v + off);
				extract_collapse(b.ptr ? b.ptr : (char *)"");
				b.len = strlen(buf_cstr(&b));
				break;
			}
			case POST_MAP:
				buf_puts(&b, v);
				for (size_t k = 0; p->map_from[k]; k++)
					if (!strcmp(p->map_from[k], v)) {
						buf_clear(&b);
						buf_puts(&b, p->map_to[k]);
						break;
					}
				break;
			case POST_ABSOLUTIZE:
				if (url_resolve(base, v, &b) < 0)
					buf_puts(&b, v);
				break;
			default:
				buf_puts(&b, v);
				break;
			}
			if (*buf_cstr(&b))
				strv_push(&out, buf_cstr(&b));
			buf_free(&b);
		}
		strv_free(s);
		*s = out;
	}
}

static void json_values(const struct jpath *jp, json_t *root, struct strv *out)
{
	json_t **vals = NULL;
	size_t k = jpath_eval(jp, root, &vals);
	for (size_t i = 0; i < k; i++) {
		struct buf b = BUF_INIT;
		if (json_is_array(vals[i])) {
			/* A list of scalars reads as that many values. */
			for (size_t j = 0; j < json_array_size(vals[i]); j++) {
				buf_clear(&b);
				if (jpath_scalar_text(json_array_get(vals[i], j), &b) == 0 && b.len)
					strv_push(out, buf_cstr(&b));
			}
		} else if (jpath_scalar_text(vals[i], &b) == 0 && b.len) {
			strv_push(out, buf_cstr(&b));
		}
		buf_free(&b);
	}
	free(vals);
}

/* How a script's text is read. */
enum script_kind {
	SCRIPT_EMBEDDED, /* JSON or an assignment of it (jpath_parse_embedded) */
	SCRIPT_JSONLD,   /* an ld+json block, leniently (jsonld_parse) */
};

/* JSON parsed out of <script> elements, once per page however many steps
 * read it (a Next.js page's __NEXT_DATA__ can be half a megabyte).  Like
 * the selector cache, valid only while the DOM is unchanged. */
struct page_json {
	struct {
		xmlNodePtr node;
		enum script_kind kind; /* how the text was read */
		json_t *json;  /* NULL: the text is not JSON */
	} *v;
	size_t n, cap;
};

static void page_json_free(struct page *pg)
{
	struct page_json *c = pg->scripts;
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		json_decref(c->v[i].json);
	free(c->v);
	free(c);
	pg->scripts = NULL;
}

/* The JSON in node's text (borrowed from the page's cache), or NULL. */
static json_t *page_script_json(struct page *pg, xmlNodePtr node, enum script_kind kind)
{
	struct page_json *c = pg->scripts;
	if (!c)
		c = pg->scripts = xcalloc(1, sizeof *c);
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].node == node && c->v[i].kind == kind)
			return c->v[i].json;
	struct buf t = BUF_INIT;
	html_text(node, &t);
	json_t *j = kind == SCRIPT_EMBEDDED ? jpath_parse_embedded(buf_cstr(&t), t.len, NULL)
					    : jsonld_parse(buf_cstr(&t), t.len, NULL);
	buf_free(&t);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->v = xrealloc(c->v, c->cap * sizeof *c->v);
	}
	c->v[c->n].node = node;
	c->v[c->n].kind = kind;
	c->v[c->n].json = j;
	c->n++;
	return j;
}

/* Every CSS step of a rule's fields, matched in one walk of the page
 * (sel_select_many) the first time one of them runs: a rule's twenty-odd
 * selectors then cost one traversal instead of twenty.  Valid only while
 * the DOM is unchanged: page_dom_changed() drops it whenever extraction
 * edits the tree (the generic extractor, body cleaning). */
struct page_css {
	const struct rule *rule;
	const struct step **steps;
	struct sel_hits *hits;
	size_t n;
};

static void page_css_free(struct page *pg)
{
	struct page_css *c = pg->css;
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		free(c->hits[i].v);
	free(c->hits);
	free(c->steps);
	free(c);
	pg->css = NULL;
}

/* Extraction edited the tree: cached matches and script JSON may name
 * nodes that are gone. */
static void page_dom_changed(struct page *pg)
{
	page_css_free(pg);
	page_json_free(pg);
}

/* The matches of CSS step st from the page's one-walk cache (filled on
 * first use for rule r), or NULL when st is not one of r's field steps. */
static const struct sel_hits *page_css_hits(struct page *pg, const struct rule *r,
					    const struct step *st)
{
	if (!r || !pg->h)
		return NULL;
	if (pg->css && pg->css->rule != r)
		page_css_free(pg);
	if (!pg->css) {
		size_t n = 0;
		for (size_t i = 0; i < r->nfields; i++)
			for (size_t j = 0; j < r->fields[i].nsteps; j++)
				n += r->fields[i].steps[j].src == STEP_CSS;
		struct page_css *c = xcalloc(1, sizeof *c);
		c->rule = r;
		c->steps = xcalloc(n ? n : 1, sizeof *c->steps);
		c->hits = xcalloc(n ? n : 1, sizeof *c->hits);
		const struct sel **sels = xcalloc(n ? n : 1, sizeof *sels);
		for (size_t i = 0; i < r->nfields; i++)
			for (size_t j = 0; j < r->fields[i].nsteps; j++)
				if (r->fields[i].steps[j].src == STEP_CSS) {
					c->steps[c->n] = &r->fields[i].steps[j];
					sels[c->n++] = r->fields[i].steps[j].sel;
				}
		sel_select_many(sels, c->n, (xmlNodePtr)pg->h->doc, c->hits);
		free(sels);
		pg->css = c;
	}
	for (size_t i = 0; i < pg->css->n; i++)
		if (pg->css->steps[i] == st)
			return &pg->css->hits[i];
	return NULL;
}

/* JSON-LD: every <script type="application/ld+json"> block, read by the
 * shared reader (extractor/jsonld.h); the path is tried on each object it
 * collects (the value, array items, @graph members, mainEntity) until one
 * gives values. */
static void jsonld_values(struct page *pg, const struct jpath *jp, struct strv *out)
{
	static struct sel *scripts;
	if (!scripts && sel_compile("script[type='application/ld+json' i]", &scripts, NULL) != NM_OK)
		return;
	xmlNodePtr *nodes = NULL;
	size_t k = sel_select(scripts, (xmlNodePtr)pg->h->doc, &nodes);
	for (size_t i = 0; i < k && !out->n; i++) {
		json_t *root = page_script_json(pg, nodes[i], SCRIPT_JSONLD);
		if (!root)
			continue;
		json_t *objs[JSONLD_MAX_OBJECTS];
		size_t no = jsonld_collect(root, objs, 0, JSONLD_MAX_OBJECTS);
		for (size_t j = 0; j < no && !out->n; j++)
			json_values(jp, objs[j], out);
	}
	free(nodes);
}

/* A json step with `script:`: the path on the JSON in the text of each
 * element the selector matches (document order), until one gives values.
 * The text is part of the page (bounded by its size); its JSON is
 * depth-bounded by jpath_parse_embedded. */
static void script_json_values(struct page *pg, const struct step *st, struct strv *out)
{
	xmlNodePtr *nodes = NULL;
	size_t k = sel_select(st->script, (xmlNodePtr)pg->h->doc, &nodes);
	for (size_t i = 0; i < k && !out->n; i++) {
		json_t *root = page_script_json(pg, nodes[i], SCRIPT_EMBEDDED);
		if (root)
			json_values(st->jp, root, out);
	}
	free(nodes);
}

/* What meta_extract finds on a page, read once per extraction however many
 * fields fall back to it or use the `auto` step. */
struct page_meta {
	bool filled;
	struct article m;
};

static const struct article *page_metadata(const struct page *pg, const struct article *a,
					   struct article *tmp)
{
	struct page_meta *pm = pg->meta;
	struct article *m = pm ? &pm->m : tmp;
	if (!pm || !pm->filled) {
		article_init(m);
		meta_extract(pg->h, a->url, m, NULL);
		if (pm)
			pm->filled = true;
	}
	return m;
}

/* The generic extractor as a step: the body from auto_body, other fields
 * from the page's metadata (JSON-LD, OpenGraph, bylines, ...). */
static void auto_values(const struct field_rule *f, struct page *pg,
			const struct article *a, struct vals *v)
{
	if (!strcmp(f->name, "body")) {
		v->node = auto_body_titled(pg->h, a->title, NULL);
		page_dom_changed(pg); /* the generic extractor edits the tree */
		return;
	}
	struct article tmp;
	const struct article *m = page_metadata(pg, a, &tmp);
	const char *n = f->name;
	struct buf b = BUF_INIT;
	if ((!strcmp(n, "date") && m->date.set) || (!strcmp(n, "updated") && m->updated.set))
		date_format(&b, "%Y-%m-%dT%H:%M:%S%:z", n[0] == 'd' ? &m->date : &m->updated);
	const struct strv *lst = !strcmp(n, "author") ? &m->author : !strcmp(n, "tags") ? &m->tags : NULL;
	if (lst) {
		for (size_t i = 0; i < lst->n; i++)
			strv_push(&v->s, lst->v[i]);
	} else {
		const char *val = b.len ? buf_cstr(&b) : field_value(m, n);
		if (val && *val)
			strv_push(&v->s, val);
	}
	buf_free(&b);
	if (!pg->meta)
		article_free(&tmp);
}

/* Runs one step; returns candidates in v (possibly empty). */
static void run_step(const struct rule *r, const struct step *st, const struct field_rule *f,
		     struct page *pg, const struct article *a, struct vals *v, struct strv *raw)
{
	bool list = f->type == FT_LIST;
	const struct html_doc *h = pg->h;
	switch (st->src) {
	case STEP_CSS: {
		if (!h)
			break;
		const struct sel_hits *hit = page_css_hits(pg, r, st);
		if (hit) {
			pick_nodes(st, list, hit->v, hit->n, v);
			break;
		}
		xmlNodePtr *nodes = NULL;
		size_t k = sel_select(st->sel, (xmlNodePtr)h->doc, &nodes);
		pick_nodes(st, list, nodes, k, v);
		free(nodes);
		break;
	}
	case STEP_XPATH: {
		if (!h)
			break;
		struct xpath_result xr;
		if (xpath_eval(st->xp, (xmlNodePtr)h->doc, &xr, NULL) != NM_OK)
			break;
		if (xr.kind == XPATH_R_STRING) {
			char *t = xstrdup(xr.str ? xr.str : "");
			extract_collapse(t);
			if (*t)
				strv_push(&v->s, t);
			free(t);
		} else {
			pick_nodes(st, list, xr.nodes, xr.n, v);
		}
		xpath_result_free(&xr);
		break;
	}
	case STEP_META:
		if (h)
			meta_values(h, st->arg, &v->s);
		break;
	case STEP_JSONLD:
		if (h)
			jsonld_values(pg, st->jp, &v->s);
		break;
	case STEP_JSON:
		if (st->script) {
			if (h)
				script_json_values(pg, st, &v->s);
		} else if (pg->json) {
			json_values(st->jp, pg->json, &v->s);
		}
		break;
	case STEP_AUTO:
		if (h)
			auto_values(f, pg, a, v);
		break;
	case STEP_URL: {
		size_t s0, l0;
		if (a->url && re_search(st->url_re, a->url, strlen(a->url), &s0, &l0) == 1) {
			char *m = xstrndup(a->url + s0, l0);
			if (*m)
				strv_push(&v->s, m);
			free(m);
		}
		break;
	}
	case STEP_CONST:
		strv_push(&v->s, st->arg);
		break;
	case STEP_FROM_FIELD: {
		const char *fv = field_value(a, st->arg);
		if (fv && *fv)
			strv_push(&v->s, fv);
		break;
	}
	default:
		break; /* the loader refuses sources it cannot run */
	}
	if (raw)
		for (size_t i = 0; i < v->s.n; i++)
			strv_push(raw, v->s.v[i]);
	if (!list && v->s.n > 1 && st->src != STEP_CSS && st->src != STEP_XPATH) {
		/* pick applies to values of any source */
		enum step_pick pick = st->pick_set ? st->pick : PICK_FIRST;
		struct strv keep = {0};
		if (pick == PICK_FIRST)
			strv_push(&keep, v->s.v[0]);
		else if (pick == PICK_LAST)
			strv_push(&keep, v->s.v[v->s.n - 1]);
		else if (pick == PICK_ALL)
			for (size_t i = 0; i < v->s.n; i++)
				strv_push(&keep, v->s.v[i]);
		strv_free(&v->s);
		v->s = keep;
	}
	if (st->regex) {
		struct strv out = {0};
		for (size_t i = 0; i < v->s.n; i++) {
			size_t s0, l0;
			if (re_search(st->regex, v->s.v[i], strlen(v->s.v[i]), &s0, &l0) == 1 && l0) {
				char *m = xstrndup(v->s.v[i] + s0, l0);
				strv_push(&out, m);
				free(m);
			}
		}
		strv_free(&v->s);
		v->s = out;
	}
	apply_post(st, a->url, &v->s);
}

static bool parse_date(const struct step *st, const char *s, int64_t now, struct when *w)
{
	if (st->relative && date_parse_relative(s, (enum date_rel)st->relative, now, st->tz, w) == NM_OK)
		return true;
	if (st->formats) {
		for (char **f = st->formats; *f; f++)
			if (date_parse_fmt(s, *f, st->tz, w) == NM_OK)
				return true;
		return false;
	}
	return date_parse_any(s, st->tz, w) == NM_OK;
}

static void set_text(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

/* Stores a field's winning values in the article. */
static void assign(struct article *a, const struct field_rule *f, const struct strv *s)
{
	const char *n = f->name, *first = s->n ? s->v[0] : NULL;
	if (!strcmp(n, "author") || !strcmp(n, "tags")) {
		struct strv *dst = !strcmp(n, "author") ? &a->author : &a->tags;
		strv_free(dst);
		for (size_t i = 0; i < s->n; i++)
			strv_push(dst, s->v[i]);
		return;
	}
	if (!first)
		return;
	if (!strcmp(n, "title"))
		set_text(&a->title, first);
	else if (!strcmp(n, "source"))
		set_text(&a->source, first);
	else if (!strcmp(n, "category"))
		set_text(&a->category, first);
	else if (!strcmp(n, "excerpt"))
		set_text(&a->excerpt, first);
	else if (!strcmp(n, "lead_image")) {
		struct buf b = BUF_INIT;
		/* "scheme://" only: data:, javascript: and the like are URLs
		 * too, but no image to fetch */
		if (url_resolve(a->url, first, &b) == 0 && url_looks_absolute(buf_cstr(&b)))
			set_text(&a->lead_image, buf_cstr(&b));
		buf_free(&b);
	} else if (f->type == FT_LIST) {
		struct buf b = BUF_INIT;
		for (size_t i = 0; i < s->n; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", s->v[i]);
		article_set_field(a, n, buf_cstr(&b));
		buf_free(&b);
	} else {
		article_set_field(a, n, first);
	}
}

/* The body from an element of the page. */
static void body_from_node(struct article *a, const struct html_doc *h, xmlNodePtr node)
{
	a->body_node = node;
	struct view src;
	free(a->body_raw);
	a->body_raw = node && html_inner_source(h, node, &src) ? xstrndup(src.p, src.n) : NULL;
}

/* pick: all on the body: the outermost of the picked elements (document
 * order), moved into one new <div> put where the first one was; the raw
 * body is their sources, one after another. */
static void body_from_nodes(struct article *a, const struct html_doc *h, xmlNodePtr *nodes,
			    size_t n)
{
	xmlNodePtr keep[EXTRACT_MAX_BODY_PARTS];
	size_t k = 0;
	for (size_t i = 0; i < n && k < EXTRACT_MAX_BODY_PARTS; i++) {
		/* in document order, a nested match is inside the last kept one */
		bool inside = false;
		for (xmlNodePtr p = nodes[i]->parent; p && k && !inside; p = p->parent)
			inside = p == keep[k - 1];
		if (!inside && nodes[i]->type == XML_ELEMENT_NODE)
			keep[k++] = nodes[i];
	}
	if (k == 0)
		return;
	struct buf raw = BUF_INIT;
	for (size_t i = 0; i < k; i++) {
		struct view src;
		if (html_inner_source(h, keep[i], &src))
			buf_printf(&raw, "%s%.*s", raw.len ? "\n" : "", (int)src.n, src.p);
	}
	xmlNodePtr wrap = xmlNewDocNode(keep[0]->doc, NULL, BAD_CAST "div", NULL);
	xmlAddPrevSibling(keep[0], wrap);
	for (size_t i = 0; i < k; i++) {
		xmlUnlinkNode(keep[i]);
		xmlAddChild(wrap, keep[i]);
	}
	a->body_node = wrap;
	free(a->body_raw);
	a->body_raw = buf_detach(&raw);
}

/* The body from an HTML fragment (a JSON field): preprocessed, parsed. */
static enum nm_code body_from_fragment(const struct rule *r, struct page *pg,
				       struct article *a, const char *html, struct nm_err *e)
{
	struct buf pre = BUF_INIT;
	enum nm_code rc = extract_preprocess(r, html, strlen(html), &pre, e);
	if (!rc) {
		html_free(pg->frag);
		pg->frag = NULL;
		rc = html_parse(buf_cstr(&pre), pre.len, &pg->frag, e);
	}
	if (!rc) {
		a->body_node = html_body(pg->frag);
		free(a->body_raw);
		a->body_raw = buf_detach(&pre);
	}
	buf_free(&pre);
	return rc;
}

static bool field_is_set(const struct article *a, const char *n)
{
	if (!strcmp(n, "date"))
		return a->date.set;
	if (!strcmp(n, "updated"))
		return a->updated.set;
	if (!strcmp(n, "body"))
		return a->body_node != NULL;
	return field_value(a, n) != NULL;
}

/* Fields whose fallback a rule switched off, tracked up to this many. */
#define RULES_MAX_FIELDS_TRACKED 256

/* Empties one field again (after a metadata pass the rule refused). */
static void clear_field(struct article *a, const char *n)
{
	char **p = !strcmp(n, "title")	  ? &a->title
		   : !strcmp(n, "source")     ? &a->source
		   : !strcmp(n, "category")   ? &a->category
		   : !strcmp(n, "excerpt")    ? &a->excerpt
		   : !strcmp(n, "lead_image") ? &a->lead_image
					      : NULL;
	if (p) {
		free(*p);
		*p = NULL;
	} else if (!strcmp(n, "author")) {
		strv_free(&a->author);
	} else if (!strcmp(n, "tags")) {
		strv_free(&a->tags);
	} else if (!strcmp(n, "date")) {
		a->date.set = false;
	} else if (!strcmp(n, "updated")) {
		a->updated.set = false;
	}
}

static void set_date(struct article *a, const char *name, const struct when *w)
{
	if (!strcmp(name, "updated")) {
		a->updated = *w;
	} else if (!strcmp(name, "date")) {
		a->date = *w;
	} else {
		struct buf b = BUF_INIT;
		date_format(&b, "%Y-%m-%dT%H:%M:%S%:z", w);
		article_set_field(a, name, buf_cstr(&b));
		buf_free(&b);
	}
}

/* Why value fails the field's validate block, or NULL. */
static const char *check_text(const struct validate *va, const char *v, char *why, size_t wsz)
{
	size_t chars = 0;
	for (const char *p = v; *p; p++)
		chars += ((unsigned char)*p & 0xC0) != 0x80;
	size_t s0, l0;
	if (va->min_len && chars < (size_t)va->min_len)
		snprintf(why, wsz, "validate: %zu characters, fewer than min_len %ld", chars, va->min_len);
	else if (va->max_len && chars > (size_t)va->max_len)
		snprintf(why, wsz, "validate: %zu characters, more than max_len %ld", chars, va->max_len);
	else if (va->match && re_search(va->match, v, strlen(v), &s0, &l0) != 1)
		snprintf(why, wsz, "validate: does not match 'match'");
	else if (va->reject && re_search(va->reject, v, strlen(v), &s0, &l0) == 1)
		snprintf(why, wsz, "validate: matches 'reject'");
	else
		return NULL;
	return why;
}

static const char *check_date(const struct validate *va, const struct when *w, int64_t now,
			      char *why, size_t wsz)
{
	if (va->has_not_before) {
		int64_t b = va->not_before_rel ? now + va->not_before : va->not_before;
		if (w->t < b) {
			snprintf(why, wsz, "validate: before not_before");
			return why;
		}
	}
	if (va->has_not_after) {
		int64_t b = va->not_after_rel ? now + va->not_after : va->not_after;
		if (w->t > b) {
			snprintf(why, wsz, "validate: after not_after (a live clock, not a date?)");
			return why;
		}
	}
	return NULL;
}

/* When s names an ambiguous zone abbreviation (CST, IST, AST), the reason
 * a date without the step's timezone did not parse, in why. */
static void ambiguous_zone(const char *s, char *why, size_t wsz)
{
	for (const char *p = s; *p; p++) {
		size_t n = 0;
		while (n <= TZ_ABBREV_MAX_LEN && p[n] >= 'A' && p[n] <= 'Z')
			n++;
		int off[TZ_ABBREV_MAX_OFFSETS];
		bool word = (p == s || !isalpha((unsigned char)p[-1])) && !isalpha((unsigned char)p[n]);
		if (n >= 2 && n <= TZ_ABBREV_MAX_LEN && word && tz_abbrev(p, n, off) > 1) {
			char name[TZ_ABBREV_MAX_LEN + 1];
			memcpy(name, p, n);
			name[n] = '\0';
			struct buf b = BUF_INIT;
			tz_abbrev_describe(name, &b);
			snprintf(why, wsz, "date did not parse: %s is ambiguous (%s); give the step a timezone",
				 name, buf_cstr(&b));
			buf_free(&b);
			return;
		}
		if (n)
			p += n - 1;
	}
}

/* Tries a field's steps in order; true when one gave a value. */
static bool run_field(const struct rule *r, const struct field_rule *f, struct page *pg,
		      struct article *a, enum nm_code *rc, struct nm_err *e)
{
	bool done = false;
	int64_t now = pg->now ? pg->now : (int64_t)time(NULL);
	const struct extract_trace *tr = pg->trace;
	for (size_t j = 0; j < f->nsteps && !done; j++) {
		const struct step *st = &f->steps[j];
		struct vals v = {{0}, NULL, NULL, 0};
		struct strv raw = {0};
		char why[160];
		const char *verdict = NULL;
		run_step(r, st, f, pg, a, &v, tr ? &raw : NULL);
		/* validate: drop candidates that fail it (dates are checked once parsed) */
		if (f->type != FT_DATETIME && v.s.n) {
			struct strv keep = {0};
			for (size_t k = 0; k < v.s.n; k++) {
				const char *bad = check_text(&f->v, v.s.v[k], why, sizeof why);
				if (!bad)
					bad = check_text(&st->v, v.s.v[k], why, sizeof why);
				if (!bad)
					strv_push(&keep, v.s.v[k]);
				else
					verdict = bad;
			}
			strv_free(&v.s);
			v.s = keep;
		}
		if (f->type == FT_DATETIME) {
			for (size_t k = 0; k < v.s.n && !done; k++) {
				struct when w = {0};
				if (!parse_date(st, v.s.v[k], now, &w)) {
					snprintf(why, sizeof why, "date '%.80s' did not parse", v.s.v[k]);
					if (!st->tz)
						ambiguous_zone(v.s.v[k], why, sizeof why);
					verdict = why;
				} else if ((verdict = check_date(&f->v, &w, now, why, sizeof why)) == NULL &&
					   (verdict = check_date(&st->v, &w, now, why, sizeof why)) == NULL) {
					set_date(a, f->name, &w);
					done = true;
				}
			}
		} else if (!strcmp(f->name, "body")) {
			if (v.nall > 1 && pg->h) {
				body_from_nodes(a, pg->h, v.all, v.nall);
				page_dom_changed(pg);
				done = true;
			} else if (v.node && pg->h) {
				body_from_node(a, pg->h, v.node);
				done = true;
			} else if (v.s.n && (st->src == STEP_JSON || st->src == STEP_JSONLD ||
					     st->src == STEP_CONST || st->src == STEP_FROM_FIELD)) {
				*rc = body_from_fragment(r, pg, a, v.s.v[0], e);
				done = *rc == NM_OK;
			}
		} else if (v.s.n) {
			if (v.s.n > 1 && f->type != FT_LIST && st->pick_set && st->pick == PICK_ALL) {
				/* pick: all on a text field: one value, the matches joined */
				const char *sep = st->join ? st->join
						  : !strcmp(f->name, "author") ? ", " : " ";
				struct buf jb = BUF_INIT;
				for (size_t k = 0; k < v.s.n; k++)
					buf_printf(&jb, "%s%s", k ? sep : "", v.s.v[k]);
				strv_free(&v.s);
				strv_push(&v.s, buf_cstr(&jb));
				buf_free(&jb);
			}
			assign(a, f, &v.s);
			done = true;
		}
		if (tr && tr->step)
			tr->step(tr->ctx, f->name, j, st, &raw, &v.s,
				 done ? NULL : verdict ? verdict : raw.n ? "no value left after regex/post" : "no match");
		strv_free(&raw);
		strv_free(&v.s);
		free(v.all);
		if (*rc)
			break;
	}
	return done;
}

/* True when n is anc or inside it (attributes count as inside their
 * element). */
static bool node_within(xmlNodePtr n, xmlNodePtr anc)
{
	for (; n; n = n->parent)
		if (n == anc)
			return true;
	return false;
}

/* body.clean.xpath: edits the whole page, in the rule's order, right before
 * the body steps run (FiveFilters strips, dissolves, wraps and moves before
 * it looks for the body).  Each edit walks its matches in reverse document
 * order, so a match inside an earlier one is handled before its ancestor
 * goes.  The document element is never removed, unwrapped or moved. */
static void apply_clean_xpath(const struct rule *r, struct page *pg)
{
	xmlNodePtr top = pg->h ? xmlDocGetRootElement(pg->h->doc) : NULL;
	if (!top || !r->nclean_xpath)
		return;
	for (size_t i = 0; i < r->nclean_xpath; i++) {
		const struct xpath_op *op = &r->clean_xpath[i];
		xmlNodePtr *nodes = NULL, *dest = NULL;
		size_t n = 0, nd = 0;
		struct nm_err ignore;
		if (xpath_eval_nodes(op->xp, (xmlNodePtr)pg->h->doc, &nodes, &n, &ignore) != NM_OK)
			continue;
		if (op->kind == XOP_MOVE &&
		    (xpath_eval_nodes(op->into, (xmlNodePtr)pg->h->doc, &dest, &nd, &ignore) != NM_OK ||
		     !nd || dest[0]->type != XML_ELEMENT_NODE)) {
			free(nodes);
			free(dest);
			continue;
		}
		/* unwrap and move act on elements only: a text node could be merged
		 * into a neighbour (and freed) by libxml2 when its siblings move */
		size_t kept = 0;
		for (size_t k = 0; k < n; k++)
			if (nodes[k]->type == XML_ELEMENT_NODE ||
			    (op->kind != XOP_UNWRAP && op->kind != XOP_MOVE))
				nodes[kept++] = nodes[k];
		n = kept;
		if (op->kind == XOP_MOVE) {
			/* document order: the moved nodes keep their order in dest */
			for (size_t k = 0; k < n; k++)
				if (nodes[k] != top && !node_within(dest[0], nodes[k])) {
					xmlUnlinkNode(nodes[k]);
					xmlAddChild(dest[0], nodes[k]);
				}
			n = 0;
		}
		for (size_t k = n; k-- > 0;) {
			xmlNodePtr x = nodes[k];
			if (x == top || x->type == XML_DOCUMENT_NODE || x->type == XML_HTML_DOCUMENT_NODE)
				continue;
			if (x->type == XML_ATTRIBUTE_NODE) {
				if (op->kind == XOP_REMOVE)
					xmlRemoveProp((xmlAttrPtr)x);
				continue;
			}
			switch (op->kind) {
			case XOP_REMOVE:
				xmlUnlinkNode(x);
				xmlFreeNode(x);
				break;
			case XOP_UNWRAP:
				if (x->type != XML_ELEMENT_NODE)
					break;
				while (x->children) {
					xmlNodePtr ch = x->children;
					xmlUnlinkNode(ch);
					xmlAddPrevSibling(x, ch);
				}
				xmlUnlinkNode(x);
				xmlFreeNode(x);
				break;
			case XOP_WRAP: {
				xmlNodePtr w = xmlNewDocNode(pg->h->doc, NULL, BAD_CAST op->tag, NULL);
				xmlAddPrevSibling(x, w);
				xmlUnlinkNode(x);
				xmlAddChild(w, x);
				break;
			}
			case XOP_MOVE:
				break; /* done above */
			}
		}
		free(nodes);
		free(dest);
	}
	page_dom_changed(pg);
}

static void body_finish(struct article *a, const struct clean_opts *co, bool generic,
			const char *const *keep_attrs);

/* For `rules test`: how many elements of the body each clean step names,
 * counted on the body before cleaning (as clean_body matches them). */
static void trace_clean(const struct rule *r, const struct extract_trace *tr, xmlNodePtr body)
{
	struct {
		const char *op;
		struct sel **v;
	} lists[] = {{"truncate_at", r->clean_truncate_at},
		     {"remove", r->clean_remove},
		     {"rename", r->clean_rename},
		     {"unwrap", r->clean_unwrap}};
	for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++)
		for (size_t i = 0; lists[l].v && lists[l].v[i]; i++) {
			xmlNodePtr *nodes = NULL;
			size_t n = sel_select(lists[l].v[i], body, &nodes);
			free(nodes);
			tr->clean(tr->ctx, lists[l].op, sel_source(lists[l].v[i]), n);
		}
	for (size_t i = 0; r->clean_remove_paragraphs && r->clean_remove_paragraphs[i]; i++) {
		struct sel *p = NULL;
		size_t n = 0;
		if (sel_compile("p", &p, NULL) == NM_OK) {
			xmlNodePtr *nodes = NULL;
			size_t k = sel_select(p, body, &nodes);
			struct buf t = BUF_INIT;
			for (size_t j = 0; j < k; j++) {
				buf_clear(&t);
				html_text(nodes[j], &t);
				n += strstr(buf_cstr(&t), r->clean_remove_paragraphs[i]) != NULL;
			}
			buf_free(&t);
			free(nodes);
		}
		sel_free(p);
		tr->clean(tr->ctx, "remove_paragraphs_matching", r->clean_remove_paragraphs[i], n);
	}
	for (size_t i = 0; r->clean_remove_attrs && r->clean_remove_attrs[i]; i++)
		tr->clean(tr->ctx, "remove_attrs", r->clean_remove_attrs[i], (size_t)-1);
	if (r->clean_generic)
		tr->clean(tr->ctx, "generic", "the generic extractor's pruning", (size_t)-1);
}

enum nm_code extract_article(const struct rule *r, struct page *pg, struct article *a,
			     struct nm_err *e)
{
	enum nm_code rc = NM_OK;
	free(a->rule);
	a->rule = xstrdup(r->name);
	if (pg->h && !pg->meta)
		pg->meta = xcalloc(1, sizeof *pg->meta);
	bool was_set[RULES_MAX_FIELDS_TRACKED] = {false};
	for (size_t i = 0; i < r->nfields; i++) {
		const struct field_rule *f = &r->fields[i];
		bool preset = field_is_set(a, f->name);
		if (!strcmp(f->name, "body"))
			apply_clean_xpath(r, pg);
		bool done = run_field(r, f, pg, a, &rc, e);
		if (rc)
			return rc;
		const char *how = done ? NULL : preset ? "kept the pre-filled value" : NULL;
		if (!done && f->def && !field_is_set(a, f->name)) {
			how = "used the default";
			if (f->type == FT_DATETIME) {
				struct when w = {0};
				if (date_parse_any(f->def, NULL, &w) == NM_OK)
					set_date(a, f->name, &w);
			} else {
				struct strv d = {0};
				strv_push(&d, f->def);
				assign(a, f, &d);
				strv_free(&d);
			}
		}
		if (!done && !how && !field_is_set(a, f->name) && pg->h && !f->no_fallback) {
			/* Rules break when sites change: fall back to what the page
			 * declares, and to the generic extractor for the body. */
			if (!strcmp(f->name, "body")) {
				xmlNodePtr b = auto_body_titled(pg->h, a->title, NULL);
				page_dom_changed(pg);
				if (b) {
					body_from_node(a, pg->h, b);
					how = "fell back to the generic extractor";
				}
			} else {
				/* only this field: a temp article takes the metadata */
				struct vals mv = {{0}, NULL, NULL, 0};
				auto_values(f, pg, a, &mv);
				struct when w = {0};
				if (f->type == FT_DATETIME) {
					if (mv.s.n && date_parse_any(mv.s.v[0], NULL, &w) == NM_OK)
						set_date(a, f->name, &w);
				} else if (mv.s.n) {
					assign(a, f, &mv.s);
				}
				strv_free(&mv.s);
				if (field_is_set(a, f->name))
					how = "fell back to the page's metadata";
			}
		}
		if (!done && !how)
			how = field_is_set(a, f->name) ? "kept the pre-filled value" : "missing";
		if (how && pg->trace && pg->trace->field)
			pg->trace->field(pg->trace->ctx, f->name, how);
		if (f->required && !field_is_set(a, f->name))
			return err_set(e, NM_EFIELD, "required field '%s' is empty (rule '%s')",
				       f->name, r->name);
		if (i < RULES_MAX_FIELDS_TRACKED)
			was_set[i] = field_is_set(a, f->name);
	}
	/* Fields the rule does not name still come from the page's metadata;
	 * fields marked `fallback: false` stay as the rule left them. */
	if (pg->h) {
		struct article keep;
		article_init(&keep);
		meta_extract(pg->h, a->url, a, NULL);
		for (size_t i = 0; i < r->nfields; i++)
			if (r->fields[i].no_fallback && !was_set[i])
				clear_field(a, r->fields[i].name);
		article_free(&keep);
	}
	if (a->body_node) {
		struct clean_opts co = {0};
		co.base_url = a->final_url ? a->final_url : a->url;
		co.remove = r->clean_remove;
		co.unwrap = r->clean_unwrap;
		co.remove_paragraphs_matching = (const char *const *)r->clean_remove_paragraphs;
		co.rename = r->clean_rename;
		co.rename_to = (const char *const *)r->clean_rename_to;
		co.remove_attrs = (const char *const *)r->clean_remove_attrs;
		co.truncate_at = r->clean_truncate_at;
		co.lazy_attrs = (const char *const *)r->lazy_attrs;
		co.strip_query_params = (const char *const *)r->strip_query_params;
		if (pg->trace && pg->trace->clean)
			trace_clean(r, pg->trace, a->body_node);
		body_finish(a, &co, r->clean_generic, (const char *const *)r->keep_attrs);
		page_dom_changed(pg); /* cleaning edited the body's subtree */
	}
	if (r->slug) {
		struct field_rule sf = {.name = (char *)"slug", .type = FT_TEXT};
		struct vals v = {{0}, NULL, NULL, 0};
		run_step(r, r->slug, &sf, pg, a, &v, NULL);
		if (v.s.n)
			set_text(&a->slug, v.s.v[0]);
		strv_free(&v.s);
		free(v.all);
	}
	return NM_OK;
}

void extract_body_finish(struct article *a, const struct clean_opts *co)
{
	body_finish(a, co, false, NULL);
}

static void body_finish(struct article *a, const struct clean_opts *co, bool generic,
			const char *const *keep_attrs)
{
	clean_body(a->body_node, co);
	if (generic)
		auto_prune(a->body_node);
	struct buf b = BUF_INIT;
	clean_html_keep(a->body_node, keep_attrs, &b);
	free(a->body_html);
	a->body_html = buf_detach(&b);
	clean_text(a->body_node, &b);
	free(a->body_text);
	a->body_text = buf_detach(&b);
	buf_free(&b);
}

void page_release(struct page *pg)
{
	page_css_free(pg);
	page_json_free(pg);
	html_free(pg->frag);
	pg->frag = NULL;
	if (pg->meta) {
		article_free(&pg->meta->m);
		free(pg->meta);
		pg->meta = NULL;
	}
}

void extract_item_fields(const struct rule *r, json_t *item, struct article *a)
{
	if (!r->discovery)
		return;
	struct page pg = {.json = item};
	for (size_t i = 0; i < r->discovery->nitem_fields; i++) {
		enum nm_code rc = NM_OK;
		run_field(r, &r->discovery->item_fields[i], &pg, a, &rc, NULL);
	}
	page_release(&pg);
}

static bool url_wanted(const struct discovery *d, const char *u)
{
	size_t s0, l0;
	if (d->url_include && re_search(d->url_include, u, strlen(u), &s0, &l0) != 1)
		return false;
	if (d->url_exclude && re_search(d->url_exclude, u, strlen(u), &s0, &l0) == 1)
		return false;
	return true;
}

/* Values of a link step: the element's href unless the step names another
 * attribute, resolved against base. */
static void link_values(const struct step *st, const struct page *pg, const char *base,
			struct strv *out)
{
	struct field_rule lf = {.name = (char *)"link", .type = FT_LIST};
	struct step copy = *st;
	if ((st->src == STEP_CSS || st->src == STEP_XPATH) && !st->attr && !st->html)
		copy.attr = (char *)"href";
	struct article dummy;
	article_init(&dummy);
	dummy.url = (char *)base;
	struct vals v = {{0}, NULL, NULL, 0};
	/* a view of the page without its caches: list pages are read once */
	struct page view = {pg->h, pg->json, NULL, pg->now, NULL, NULL, NULL, NULL};
	run_step(NULL, &copy, &lf, &view, &dummy, &v, NULL);
	page_release(&view);
	for (size_t i = 0; i < v.s.n; i++) {
		struct buf u = BUF_INIT;
		if (url_resolve(base, v.s.v[i], &u) == 0 && url_is_http(buf_cstr(&u)))
			strv_push(out, buf_cstr(&u));
		buf_free(&u);
	}
	strv_free(&v.s);
	free(v.all);
}

void extract_item_links(const struct rule *r, const struct page *pg, const char *base,
			struct strv *out)
{
	const struct discovery *d = r->discovery;
	if (!d)
		return;
	struct strv all = {0};
	for (size_t i = 0; i < d->nitem_links; i++)
		link_values(&d->item_links[i], pg, base, &all);
	for (size_t i = 0; i < all.n; i++) {
		bool dup = false;
		for (size_t j = 0; j < out->n && !dup; j++)
			dup = !strcmp(out->v[j], all.v[i]);
		if (!dup && url_wanted(d, all.v[i]))
			strv_push(out, all.v[i]);
	}
	strv_free(&all);
}

int extract_next_page(const struct rule *r, const struct page *pg, const char *base,
		      struct buf *out)
{
	if (!r->discovery || !r->discovery->next_page)
		return -1;
	struct strv v = {0};
	struct step st = *r->discovery->next_page;
	st.pick = PICK_FIRST;
	st.pick_set = true;
	link_values(&st, pg, base, &v);
	int rc = v.n ? buf_puts(out, v.v[0]) : -1;
	strv_free(&v);
	return rc;
}
