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
#include "common/re.h"
#include "common/utf8.h"
#include "crawler/url.h"
#include "extractor/sel.h"

#include <stdlib.h>
#include <string.h>

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
};

static void node_value(const struct step *st, xmlNodePtr n, struct buf *out)
{
	if (st->attr) {
		xmlChar *v = xmlGetProp(n, (const xmlChar *)st->attr);
		if (v)
			buf_puts(out, (const char *)v);
		xmlFree(v);
	} else if (st->html) {
		html_inner_html(n, out);
	} else {
		html_text(n, out);
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

/* Runs one step; returns candidates in v (possibly empty). */
static void run_step(const struct step *st, const struct field_rule *f,
		     const struct html_doc *h, const struct article *a, struct vals *v)
{
	bool list = f->type == FT_LIST;
	switch (st->src) {
	case STEP_CSS: {
		xmlNodePtr *nodes = NULL;
		size_t k = sel_select(st->sel, (xmlNodePtr)h->doc, &nodes);
		pick_nodes(st, list, nodes, k, v);
		free(nodes);
		break;
	}
	case STEP_META:
		meta_values(h, st->arg, &v->s);
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

static bool parse_date(const struct step *st, const char *s, struct when *w)
{
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
static void assign(struct article *a, const struct field_rule *f, const struct strv *s,
		   const struct html_doc *h, xmlNodePtr node)
{
	const char *n = f->name, *first = s->n ? s->v[0] : NULL;
	if (!strcmp(n, "body")) {
		a->body_node = node;
		struct view src;
		if (node && html_inner_source(h, node, &src)) {
			free(a->body_raw);
			a->body_raw = xstrndup(src.p, src.n);
		}
		return;
	}
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
		if (url_resolve(a->url, first, &b) == 0)
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

enum nm_code extract_article(const struct rule *r, const struct html_doc *h,
			     struct article *a, struct nm_err *e)
{
	free(a->rule);
	a->rule = xstrdup(r->name);
	for (size_t i = 0; i < r->nfields; i++) {
		const struct field_rule *f = &r->fields[i];
		bool done = false;
		for (size_t j = 0; j < f->nsteps && !done; j++) {
			const struct step *st = &f->steps[j];
			struct vals v = {{0}, NULL};
			run_step(st, f, h, a, &v);
			if (f->type == FT_DATETIME) {
				for (size_t k = 0; k < v.s.n && !done; k++) {
					struct when w = {0};
					if (parse_date(st, v.s.v[k], &w)) {
						if (!strcmp(f->name, "updated"))
							a->updated = w;
						else if (!strcmp(f->name, "date"))
							a->date = w;
						else {
							struct buf b = BUF_INIT;
							date_format(&b, "%Y-%m-%dT%H:%M:%S%:z", &w);
							article_set_field(a, f->name, buf_cstr(&b));
							buf_free(&b);
						}
						done = true;
					}
				}
			} else if (v.s.n || (!strcmp(f->name, "body") && v.node)) {
				assign(a, f, &v.s, h, v.node);
				done = true;
			}
			strv_free(&v.s);
		}
		if (!done && f->def) {
			struct strv d = {0};
			strv_push(&d, f->def);
			if (f->type == FT_DATETIME) {
				struct when w = {0};
				if (date_parse_any(f->def, NULL, &w) == NM_OK)
					a->date = w;
			} else {
				assign(a, f, &d, h, NULL);
			}
			strv_free(&d);
			done = true;
		}
		if (!done && f->required && !field_is_set(a, f->name))
			return err_set(e, NM_EFIELD, "required field '%s' is empty (rule '%s')",
				       f->name, r->name);
	}
	if (r->slug) {
		struct field_rule sf = {.name = (char *)"slug", .type = FT_TEXT};
		struct vals v = {{0}, NULL};
		run_step(r->slug, &sf, h, a, &v);
		if (v.s.n)
			set_text(&a->slug, v.s.v[0]);
		strv_free(&v.s);
	}
	return NM_OK;
}
