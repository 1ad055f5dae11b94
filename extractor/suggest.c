/*
 * suggest.c - draft rules for new sites (`newsmd rules suggest`).
 *
 * Per page: the page is parsed twice.  One copy stays untouched, for
 * selectors; on the other the generic extractor runs whole (auto_extract:
 * metadata, content block, cleaning), and its answers are what the draft
 * must find.  The content block is mapped back to the untouched copy
 * through source offsets (html_inner_source), so a wrapper the extractor
 * made for a multi-part body becomes the parts' common ancestor, and the
 * elements it removed inside that container are known: they become the
 * draft's `clean.remove` list.
 *
 * Selectors come from what survives a site's next deploy: ids, semantic
 * classes, itemprop, data-* attributes and landmark elements, or an
 * nth-of-type path of at most SUGGEST_MAX_NTH steps below such an element.
 * Candidates are tried in that order, and the first that finds the field's
 * value on every page given wins.
 */
#include "extractor/suggest.h"
#include "common/date.h"
#include "common/mem.h"
#include "dom/html.h"
#include "dom/sel.h"
#include "extractor/article.h"
#include "extractor/auto.h"
#include "extractor/extract.h"
#include "extractor/meta.h"
#include "common/url.h"
#include "rules/rules.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

/* Ancestors a selector may name above its element: deeper is unreadable. */
#define SUGGEST_MAX_ANCESTORS 4
/* Candidate selectors kept per element: the good ones come first. */
#define SUGGEST_MAX_CANDS 48
/* An id or class longer than this is generated, not written. */
#define SUGGEST_MAX_NAME 40
/* Entries of the draft's clean.remove list: more is noise for a reader. */
#define SUGGEST_MAX_CLEAN 12
/* Characters of an author line: longer is a paragraph, not a byline. */
#define SUGGEST_MAX_BYLINE 120
/* A byline's "By " prefix dropped (regex group 1 is kept). */
#define SUGGEST_BYLINE_REGEX "^(?:[Bb][Yy]:?\\s+)?(.+)$"
/* A date printed after a label ("Published: ...", "发布时间：..."): from
 * its first digit (regex group 1 is kept). */
#define SUGGEST_DATE_REGEX "([0-9].*)$"
/* Characters of a dateline: longer is a paragraph that mentions a date. */
#define SUGGEST_MAX_DATE_TEXT 80
/* Characters of the body's start recorded as a test (body_contains). */
#define SUGGEST_SAMPLE_CHARS 40

/* ---- names a person would write ---------------------------------------- */

static bool is_ident(const char *s)
{
	if (!*s || isdigit((unsigned char)*s) || (*s == '-' && isdigit((unsigned char)s[1])))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (!(isalnum(*p) || *p == '-' || *p == '_'))
			return false;
	return true;
}

/* A class or id made by a build tool: CSS-in-JS and CSS-module hashes
 * (dcr-125vfar, css-1x2y3z, sc-bdVaJa, Title_title__3kLmN), numbered ids
 * (post-12345).  They change on the site's next deploy or page. */
static bool hashed(const char *s)
{
	static const char *const tool_prefixes[] = {"css-", "sc-", "jsx-", "dcr-", "svelte-",
						    "emotion-", "ember", "tw-", NULL};
	size_t n = strlen(s), digits = 0;
	if (n > SUGGEST_MAX_NAME)
		return true;
	for (size_t i = 0; i < n; i++)
		digits += isdigit((unsigned char)s[i]) != 0;
	if (digits * 3 >= n && digits)
		return true;
	for (int i = 0; tool_prefixes[i]; i++)
		if (!strncmp(s, tool_prefixes[i], strlen(tool_prefixes[i])))
			return true;
	/* a template that printed a missing value: "header-undefined" */
	if (strstr(s, "undefined") || strstr(s, "null") || strstr(s, "NaN"))
		return true;
	/* segments between - and _: letters and digits mixed, or xYz case flips */
	for (size_t i = 0; i < n;) {
		size_t j = i;
		bool alpha = false, digit = false, flip = false;
		while (j < n && s[j] != '-' && s[j] != '_') {
			unsigned char ch = (unsigned char)s[j];
			alpha |= isalpha(ch) != 0;
			digit |= isdigit(ch) != 0;
			if (j + 2 < n && isupper(ch) && islower((unsigned char)s[j + 1]) &&
			    isupper((unsigned char)s[j + 2]))
				flip = true;
			j++;
		}
		if (j - i >= 4 && ((alpha && digit) || flip))
			return true;
		i = j + 1;
	}
	return false;
}

/* Words that say what an element is: such classes come first. */
static bool semantic(const char *s)
{
	static const char *const words[] = {
		"title", "headline", "heading", "byline", "author", "date", "time", "publish",
		"content", "body", "article", "story", "text", "lead", "summary", "dek", "image",
		"figure", "main", "post", "entry", "news", "detail", "meta", "writer", "credit", NULL};
	char low[SUGGEST_MAX_NAME + 1];
	size_t n = strlen(s);
	if (n > SUGGEST_MAX_NAME)
		return false;
	for (size_t i = 0; i <= n; i++)
		low[i] = (char)tolower((unsigned char)s[i]);
	for (int i = 0; words[i]; i++)
		if (strstr(low, words[i]))
			return true;
	return false;
}

static bool is_tag(xmlNodePtr n, const char *t)
{
	return n && n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST t);
}

/* Elements whose tag alone says what they are. */
static bool landmark(xmlNodePtr n)
{
	static const char *const tags[] = {"article", "main", "time", "h1", "header", NULL};
	for (int i = 0; tags[i]; i++)
		if (is_tag(n, tags[i]))
			return true;
	return false;
}

static char *attr_dup(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, BAD_CAST name);
	char *r = v ? xstrdup((const char *)v) : NULL;
	xmlFree(v);
	return r;
}

/* A value that fits in a selector's "..." as written. */
static bool plain_value(const char *v)
{
	return *v && strlen(v) <= SUGGEST_MAX_NAME && !strpbrk(v, "\"\\\n\r'") && !hashed(v);
}

/* The names of el a selector may use, best first: "#id", "[itemprop=...]",
 * ".semantic-class", "[data-x=...]", ".other-class"; appended as
 * "tag#id"-style compounds to out (each a new string). */
static void compounds(xmlNodePtr el, struct strv *out)
{
	const char *tag = (const char *)el->name;
	struct buf b = BUF_INIT;
	char *id = attr_dup(el, "id");
	if (id && is_ident(id) && !hashed(id)) {
		buf_printf(&b, "#%s", id);
		strv_push(out, buf_cstr(&b));
	}
	free(id);
	char *ip = attr_dup(el, "itemprop");
	if (ip && plain_value(ip)) {
		buf_clear(&b);
		buf_printf(&b, "%s[itemprop=\"%s\"]", tag, ip);
		strv_push(out, buf_cstr(&b));
	}
	free(ip);
	char *rel = attr_dup(el, "rel");
	if (rel && !strcmp(rel, "author")) {
		buf_clear(&b);
		buf_printf(&b, "%s[rel=\"author\"]", tag);
		strv_push(out, buf_cstr(&b));
	}
	free(rel);
	char *cls = attr_dup(el, "class");
	for (int pass = 0; cls && pass < 2; pass++) {
		char *save = NULL, *copy = xstrdup(cls);
		for (char *t = strtok_r(copy, " \t\n\r\f", &save); t; t = strtok_r(NULL, " \t\n\r\f", &save))
			if (is_ident(t) && !hashed(t) && semantic(t) == (pass == 0)) {
				buf_clear(&b);
				buf_printf(&b, "%s.%s", tag, t);
				strv_push(out, buf_cstr(&b));
			}
		free(copy);
		if (pass == 0) {
			/* data-* attributes with a readable value */
			for (xmlAttrPtr a = el->properties; a; a = a->next) {
				const char *an = (const char *)a->name;
				if (strncmp(an, "data-", 5) || strstr(an, "react") || !strncmp(an, "data-v-", 7) ||
				    strstr(an, "src") || strstr(an, "lazy") || strstr(an, "original"))
					continue;
				char *v = attr_dup(el, an);
				if (v && plain_value(v)) {
					buf_clear(&b);
					buf_printf(&b, "%s[%s=\"%s\"]", tag, an, v);
					strv_push(out, buf_cstr(&b));
				}
				free(v);
			}
		}
	}
	free(cls);
	if (landmark(el))
		strv_push(out, tag);
	buf_free(&b);
}

/* ---- one page ------------------------------------------------------------ */

struct spage {
	const struct suggest_page *in;
	struct html_doc *h;     /* untouched: selectors are made and tried here */
	struct html_doc *h2;    /* the generic extractor's copy */
	struct article a;       /* what the generic extractor found */
	bool has_body;
	xmlNodePtr body;        /* the content's container in h, or NULL */
	size_t *kept;           /* source offsets of the elements auto kept (sorted) */
	size_t nkept;
	size_t body_chars;
};

static bool offset_of(const struct html_doc *h, xmlNodePtr el, size_t *off)
{
	struct view v;
	if (el->type != XML_ELEMENT_NODE || !html_inner_source(h, el, &v) || !v.p)
		return false;
	*off = (size_t)(v.p - h->src);
	return true;
}

/* Next element in document order below root (pre-order), or NULL. */
static xmlNodePtr next_el(xmlNodePtr n, xmlNodePtr root, bool down)
{
	if (down)
		for (xmlNodePtr c = n->children; c; c = c->next)
			if (c->type == XML_ELEMENT_NODE)
				return c;
	while (n && n != root) {
		for (xmlNodePtr s = n->next; s; s = s->next)
			if (s->type == XML_ELEMENT_NODE)
				return s;
		n = n->parent;
	}
	return NULL;
}

/* The element of h whose inner source starts at off. */
static xmlNodePtr element_at(const struct html_doc *h, size_t off)
{
	xmlNodePtr root = xmlDocGetRootElement(h->doc);
	for (xmlNodePtr n = root; n; n = next_el(n, root, true)) {
		size_t o;
		if (offset_of(h, n, &o) && o == off)
			return n;
	}
	return NULL;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

static xmlNodePtr common_ancestor(xmlNodePtr a, xmlNodePtr b)
{
	if (!a || !b)
		return a ? a : b;
	for (xmlNodePtr x = a; x; x = x->parent)
		for (xmlNodePtr y = b; y; y = y->parent)
			if (x == y)
				return x;
	return NULL;
}

static size_t text_chars(xmlNodePtr n)
{
	struct buf t = BUF_INIT;
	html_text(n, &t);
	size_t c = 0;
	for (const char *p = buf_cstr(&t); *p; p++)
		c += ((unsigned char)*p & 0xC0) != 0x80 && !isspace((unsigned char)*p);
	buf_free(&t);
	return c;
}

static enum nm_code page_open(struct spage *p, const struct suggest_page *in, struct nm_err *e)
{
	memset(p, 0, sizeof *p);
	p->in = in;
	article_init(&p->a);
	enum nm_code rc = html_parse(in->text, in->len, &p->h, e);
	if (!rc)
		rc = html_parse(in->text, in->len, &p->h2, e);
	if (rc) {
		err_where(e, in->input ? in->input : in->url, 0, 0);
		return rc;
	}
	struct nm_err ae;
	err_clear(&ae);
	p->has_body = auto_extract(p->h2, in->url, &p->a, &ae) == NM_OK && p->a.body_node;
	if (!p->has_body)
		return NM_OK; /* metadata only */
	/* what survived, as source offsets; the container mapped back */
	xmlNodePtr root = p->a.body_node;
	size_t cap = 0;
	for (xmlNodePtr n = root; n; n = next_el(n, root, true)) {
		size_t o;
		if (!offset_of(p->h2, n, &o))
			continue;
		if (p->nkept == cap) {
			cap = cap ? cap * 2 : 64;
			p->kept = xrealloc(p->kept, cap * sizeof *p->kept);
		}
		p->kept[p->nkept++] = o;
	}
	if (p->nkept)
		qsort(p->kept, p->nkept, sizeof *p->kept, cmp_size);
	size_t off;
	if (offset_of(p->h2, root, &off)) {
		p->body = element_at(p->h, off);
	} else {
		for (xmlNodePtr c = root->children; c; c = c->next)
			if (offset_of(p->h2, c, &off))
				p->body = common_ancestor(p->body, element_at(p->h, off));
	}
	if (p->body && p->body->type != XML_ELEMENT_NODE)
		p->body = NULL;
	if (p->body && (is_tag(p->body, "body") || is_tag(p->body, "html")))
		p->body = NULL; /* "the whole page" is no selector */
	if (p->body)
		p->body_chars = text_chars(p->body);
	return NM_OK;
}

static void page_close(struct spage *p)
{
	article_free(&p->a);
	html_free(p->h);
	html_free(p->h2);
	free(p->kept);
}

static bool was_kept(const struct spage *p, size_t off)
{
	return p->nkept && bsearch(&off, p->kept, p->nkept, sizeof off, cmp_size);
}

/* ---- trying selectors ------------------------------------------------------ */

/* SF_DATE_TEXT: a date printed in the page, read from its first digit
 * (the step gets a regex) as the page's wall-clock time (and a timezone). */
enum sfield { SF_TITLE, SF_DATE, SF_AUTHOR, SF_BODY, SF_DATE_TEXT };

/* The wall-clock date in text t, from its first digit when lead (with the
 * time it reads as if at UTC, so it compares with a when's t + off). */
static bool wall_date(const char *t, bool lead, int64_t *wall)
{
	struct when w = {0};
	if (lead)
		t += strcspn(t, "0123456789");
	if (!*t || strlen(t) > SUGGEST_MAX_DATE_TEXT || date_parse_any(t, NULL, &w) != NM_OK)
		return false;
	*wall = w.t + w.off;
	return true;
}

static void collapse_text(xmlNodePtr n, const char *attr, struct buf *out)
{
	if (attr) {
		xmlChar *v = xmlGetProp(n, BAD_CAST attr);
		if (v)
			buf_puts(out, (const char *)v);
		xmlFree(v);
	} else {
		html_text_blocks(n, out);
	}
	extract_collapse(out->ptr ? out->ptr : (char *)"");
	out->len = strlen(buf_cstr(out));
}

/* True when selector sel (with attr, or text) finds on page p the value
 * the generic extractor found there. */
static bool works(const char *sel, const char *attr, enum sfield f, const struct spage *p)
{
	struct sel *s = NULL;
	if (sel_compile(sel, &s, NULL) != NM_OK)
		return false;
	xmlNodePtr *nodes = NULL;
	size_t k = sel_select(s, (xmlNodePtr)p->h->doc, &nodes);
	bool ok = false;
	struct buf t = BUF_INIT;
	if (k)
		collapse_text(nodes[0], attr, &t);
	const char *v = buf_cstr(&t);
	switch (f) {
	case SF_TITLE:
		ok = k && p->a.title && !strcmp(v, p->a.title);
		break;
	case SF_DATE: {
		struct when w = {0};
		ok = k && p->a.date.set && date_parse_any(v, NULL, &w) == NM_OK && w.t == p->a.date.t;
		break;
	}
	case SF_DATE_TEXT: {
		int64_t wall;
		ok = k && p->a.date.set && wall_date(v, true, &wall) &&
		     wall == p->a.date.t + p->a.date.off;
		break;
	}
	case SF_AUTHOR:
		/* one author, the element's text (after a "By ") exactly */
		if (k && p->a.author.n == 1 && t.len < SUGGEST_MAX_BYLINE) {
			if (!strncasecmp(v, "by", 2) && (v[2] == ' ' || v[2] == ':'))
				v += v[2] == ':' ? 3 : 2;
			while (*v == ' ' || *v == ':')
				v++;
			ok = !strcmp(v, p->a.author.v[0]);
		}
		break;
	case SF_BODY:
		ok = k == 1 && p->body &&
		     (nodes[0] == p->body ||
		      (text_chars(nodes[0]) * 10 >= p->body_chars * 9 &&
		       text_chars(nodes[0]) * 10 <= p->body_chars * 12));
		break;
	}
	buf_free(&t);
	free(nodes);
	sel_free(s);
	return ok;
}

/* True when sel's first match on h is el (and, for a body, its only). */
static bool finds(const struct html_doc *h, const char *sel, xmlNodePtr el, bool only)
{
	struct sel *s = NULL;
	if (sel_compile(sel, &s, NULL) != NM_OK)
		return false;
	xmlNodePtr *nodes = NULL;
	size_t k = sel_select(s, (xmlNodePtr)h->doc, &nodes);
	bool ok = k && nodes[0] == el && (!only || k == 1);
	free(nodes);
	sel_free(s);
	return ok;
}

static size_t nth_of_type(xmlNodePtr el)
{
	size_t k = 1;
	for (xmlNodePtr p = el->prev; p; p = p->prev)
		if (p->type == XML_ELEMENT_NODE && xmlStrEqual(p->name, el->name))
			k++;
	return k;
}

static void push_cand(struct strv *c, const struct html_doc *h, const char *sel, xmlNodePtr el,
		      bool only)
{
	if (c->n >= SUGGEST_MAX_CANDS)
		return;
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->v[i], sel))
			return;
	if (finds(h, sel, el, only))
		strv_push(c, sel);
}

/* Selectors that find el on h, best first: its own names; an ancestor's
 * name and one of el's (or its bare tag); an nth-of-type path of at most
 * SUGGEST_MAX_NTH steps below a named ancestor. */
static void candidates(const struct html_doc *h, xmlNodePtr el, bool only, struct strv *out)
{
	struct strv own = {0};
	compounds(el, &own);
	for (size_t i = 0; i < own.n; i++)
		push_cand(out, h, own.v[i], el, only);
	strv_push(&own, (const char *)el->name);
	xmlNodePtr a = el->parent;
	for (int depth = 0; a && a->type == XML_ELEMENT_NODE && depth < SUGGEST_MAX_ANCESTORS;
	     depth++, a = a->parent) {
		struct strv anc = {0};
		compounds(a, &anc);
		for (size_t i = 0; i < anc.n && i < 3; i++)
			for (size_t j = 0; j < own.n; j++) {
				struct buf b = BUF_INIT;
				buf_printf(&b, "%s %s", anc.v[i], own.v[j]);
				push_cand(out, h, buf_cstr(&b), el, only);
				buf_free(&b);
			}
		strv_free(&anc);
	}
	/* nth-of-type below the nearest named ancestor */
	xmlNodePtr path[SUGGEST_MAX_NTH + 1];
	size_t n = 0;
	for (a = el; a && a->type == XML_ELEMENT_NODE && n <= SUGGEST_MAX_NTH; a = a->parent) {
		struct strv anc = {0};
		if (n > 0)
			compounds(a, &anc);
		if (anc.n) {
			struct buf b = BUF_INIT;
			buf_puts(&b, anc.v[0]);
			for (size_t i = n; i-- > 0;)
				buf_printf(&b, " > %s:nth-of-type(%zu)", (const char *)path[i]->name,
					   nth_of_type(path[i]));
			push_cand(out, h, buf_cstr(&b), el, only);
			buf_free(&b);
			strv_free(&anc);
			break;
		}
		strv_free(&anc);
		path[n++] = a;
	}
	strv_free(&own);
}

/* The first candidate (made on page 0) that works on every page. */
static char *pick_selector(struct spage *pg, size_t np, xmlNodePtr el, const char *attr,
			   enum sfield f)
{
	if (!el)
		return NULL;
	struct strv c = {0};
	candidates(pg[0].h, el, f == SF_BODY, &c);
	char *best = NULL;
	for (size_t i = 0; i < c.n && !best; i++) {
		bool all = true;
		for (size_t k = 0; k < np && all; k++)
			all = works(c.v[i], attr, f, &pg[k]);
		if (all)
			best = xstrdup(c.v[i]);
	}
	strv_free(&c);
	return best;
}

/* The smallest element under root whose text holds needle: the parent of
 * a text node holding it (a name is one text node), shortest text first.
 * Linear in the page: only the parents of matching text nodes are
 * measured. */
static xmlNodePtr element_with_text(xmlNodePtr root, const char *needle)
{
	xmlNodePtr best = NULL;
	size_t best_len = (size_t)-1;
	struct buf t = BUF_INIT;
	for (xmlNodePtr n = root; n; n = next_el(n, root, true)) {
		if (is_tag(n, "script") || is_tag(n, "style") || is_tag(n, "noscript"))
			continue;
		for (xmlNodePtr c = n->children; c; c = c->next) {
			if (c->type != XML_TEXT_NODE || !c->content ||
			    !strstr((const char *)c->content, needle))
				continue;
			buf_clear(&t);
			html_text(n, &t);
			if (t.len < best_len) {
				best = n;
				best_len = t.len;
			}
			break;
		}
	}
	buf_free(&t);
	return best;
}

/* ---- meta and JSON-LD steps -------------------------------------------------- */

static char *meta_content(const struct html_doc *h, const char *name)
{
	struct buf q = BUF_INIT;
	buf_printf(&q, "meta[property=\"%s\" i], meta[name=\"%s\" i], meta[itemprop=\"%s\" i]", name,
		   name, name);
	struct sel *s = NULL;
	char *v = NULL;
	if (sel_compile(buf_cstr(&q), &s, NULL) == NM_OK) {
		xmlNodePtr m = sel_first(s, (xmlNodePtr)h->doc);
		if (m)
			v = attr_dup(m, "content");
	}
	sel_free(s);
	buf_free(&q);
	if (v && !*v) {
		free(v);
		v = NULL;
	}
	return v;
}

/* The first meta name in names[] that every page has (for dates: that
 * parses to the page's date). */
static const char *common_meta(struct spage *pg, size_t np, const char *const *names,
			       bool is_date, const char *(*want)(const struct spage *))
{
	for (int i = 0; names[i]; i++) {
		bool all = true;
		for (size_t k = 0; k < np && all; k++) {
			char *v = meta_content(pg[k].h, names[i]);
			struct when w = {0};
			all = v && (!is_date || (pg[k].a.date.set &&
						 date_parse_any(v, NULL, &w) == NM_OK &&
						 w.t == pg[k].a.date.t));
			if (all && want) {
				/* the value the generic extractor has, as the page writes it */
				char *c = xstrdup(v);
				extract_collapse(c);
				all = want(&pg[k]) && !strcmp(c, want(&pg[k]));
				free(c);
			}
			free(v);
		}
		if (all)
			return names[i];
	}
	return NULL;
}

static bool jsonld_has(const struct html_doc *h, const char *key)
{
	struct sel *s = NULL;
	bool has = false;
	if (sel_compile("script[type=\"application/ld+json\" i]", &s, NULL) != NM_OK)
		return false;
	xmlNodePtr *nodes = NULL;
	size_t k = sel_select(s, (xmlNodePtr)h->doc, &nodes);
	struct buf t = BUF_INIT, q = BUF_INIT;
	buf_printf(&q, "\"%s\"", key);
	for (size_t i = 0; i < k && !has; i++) {
		buf_clear(&t);
		html_text(nodes[i], &t);
		has = strstr(buf_cstr(&t), buf_cstr(&q)) != NULL;
	}
	buf_free(&t);
	buf_free(&q);
	free(nodes);
	sel_free(s);
	return has;
}

/* ---- the draft ------------------------------------------------------------- */

/* One step of a draft field: a source and its argument, or nothing. */
struct dstep {
	const char *src; /* "css", "meta", "jsonld" */
	char *arg;
	const char *attr;
	const char *why; /* comment: where it came from */
	const char *regex;
	const char *pick; /* "first" for a list field read from one element */
	const char *timezone;
};

#define DRAFT_MAX_STEPS 3

struct dfield {
	const char *name;
	struct dstep s[DRAFT_MAX_STEPS];
	size_t n;
};

static void add_step(struct dfield *f, const char *src, const char *arg, const char *attr,
		     const char *why)
{
	if (!arg || f->n >= DRAFT_MAX_STEPS)
		return;
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->s[i].src, src) && !strcmp(f->s[i].arg, arg))
			return;
	f->s[f->n++] = (struct dstep){src, xstrdup(arg), attr, why, NULL, NULL, NULL};
}

struct draft {
	struct dfield title, date, author, lead_image, excerpt, body;
	struct strv clean;
	struct strv hosts;
	char *name;
	bool any_body; /* the generic extractor found an article on some page */
	char date_tz[16]; /* "+08:00": the offset of a date printed in the page */
};

static void draft_free(struct draft *d)
{
	struct dfield *fs[] = {&d->title, &d->date, &d->author, &d->lead_image, &d->excerpt,
			       &d->body};
	for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++)
		for (size_t j = 0; j < fs[i]->n; j++)
			free(fs[i]->s[j].arg);
	strv_free(&d->clean);
	strv_free(&d->hosts);
	free(d->name);
}

static const char *want_title(const struct spage *p)
{
	return p->a.title;
}

static const char *want_excerpt(const struct spage *p)
{
	return p->a.excerpt;
}

static void draft_title(struct draft *d, struct spage *pg, size_t np)
{
	d->title.name = "title";
	xmlNodePtr head = pg[0].a.title ? meta_headline(pg[0].h, pg[0].a.title) : NULL;
	char *s = pick_selector(pg, np, head, NULL, SF_TITLE);
	add_step(&d->title, "css", s, NULL, "the headline element");
	free(s);
	static const char *const names[] = {"og:title", "twitter:title", NULL};
	const char *m = common_meta(pg, np, names, false, want_title);
	if (m)
		add_step(&d->title, "meta", m, NULL, NULL);
}

static void draft_date_text(struct draft *d, struct spage *pg, size_t np);

static void draft_date(struct draft *d, struct spage *pg, size_t np)
{
	d->date.name = "date";
	if (!pg[0].a.date.set)
		return;
	/* a <time datetime> that says the page's date */
	struct sel *ts = NULL;
	if (sel_compile("time[datetime]", &ts, NULL) == NM_OK) {
		xmlNodePtr *nodes = NULL;
		size_t k = sel_select(ts, (xmlNodePtr)pg[0].h->doc, &nodes);
		for (size_t i = 0; i < k && !d->date.n; i++) {
			char *s = pick_selector(pg, np, nodes[i], "datetime", SF_DATE);
			add_step(&d->date, "css", s, "datetime", "a <time datetime> element");
			free(s);
		}
		free(nodes);
	}
	sel_free(ts);
	static const char *const names[] = {"article:published_time", "og:published_time",
					    "datePublished", "pubdate", "publishdate",
					    "publish-date", "date", "dc.date", "DC.date.issued", NULL};
	const char *m = common_meta(pg, np, names, true, NULL);
	if (m)
		add_step(&d->date, "meta", m, NULL, "the page's metadata");
	bool ld = true;
	for (size_t k = 0; k < np && ld; k++)
		ld = jsonld_has(pg[k].h, "datePublished");
	if (ld)
		add_step(&d->date, "jsonld", "datePublished", NULL, "the page's JSON-LD");
	if (!d->date.n)
		draft_date_text(d, pg, np);
}

/* A date only printed in the page: the smallest element whose text reads
 * as the generic extractor's date (same wall clock). */
static void draft_date_text(struct draft *d, struct spage *pg, size_t np)
{
	xmlNodePtr body = html_body(pg[0].h), best = NULL;
	int64_t want = pg[0].a.date.t + pg[0].a.date.off, wall;
	struct buf t = BUF_INIT;
	for (xmlNodePtr n = body; n; n = next_el(n, body, true)) {
		if (is_tag(n, "script") || is_tag(n, "style"))
			continue;
		buf_clear(&t);
		collapse_text(n, NULL, &t);
		if (t.len && t.len <= SUGGEST_MAX_DATE_TEXT && wall_date(buf_cstr(&t), true, &wall) &&
		    wall == want)
			best = n; /* pre-order: a later match is inside or after */
	}
	buf_free(&t);
	char *s = best ? pick_selector(pg, np, best, NULL, SF_DATE_TEXT) : NULL;
	if (!s)
		return;
	add_step(&d->date, "css", s, NULL, "the date printed in the page");
	free(s);
	struct dstep *st = &d->date.s[d->date.n - 1];
	struct buf full = BUF_INIT;
	collapse_text(best, NULL, &full);
	if (!wall_date(buf_cstr(&full), false, &wall))
		st->regex = SUGGEST_DATE_REGEX;
	buf_free(&full);
	int off = pg[0].a.date.off, a = off < 0 ? -off : off;
	snprintf(d->date_tz, sizeof d->date_tz, "%c%02d:%02d", off < 0 ? '-' : '+',
		 (a / 3600) % 100, a / 60 % 60);
	st->timezone = d->date_tz;
}

static void draft_author(struct draft *d, struct spage *pg, size_t np)
{
	d->author.name = "author";
	if (!pg[0].a.author.n)
		return;
	xmlNodePtr b = html_body(pg[0].h);
	xmlNodePtr el = b ? element_with_text(b, pg[0].a.author.v[0]) : NULL;
	if (el && el != b) {
		char *s = pick_selector(pg, np, el, NULL, SF_AUTHOR);
		add_step(&d->author, "css", s, NULL, "the byline");
		if (s) {
			d->author.s[d->author.n - 1].regex = SUGGEST_BYLINE_REGEX;
			d->author.s[d->author.n - 1].pick = "first";
		}
		free(s);
	}
	static const char *const names[] = {"author", "article:author", "parsely-author",
					    "sailthru.author", "dc.creator", NULL};
	bool all = true;
	const char *m = NULL;
	for (int i = 0; names[i] && !m; i++) {
		all = true;
		for (size_t k = 0; k < np && all; k++) {
			char *v = meta_content(pg[k].h, names[i]);
			all = v && pg[k].a.author.n == 1 && !strcmp(v, pg[k].a.author.v[0]);
			free(v);
		}
		if (all)
			m = names[i];
	}
	if (m)
		add_step(&d->author, "meta", m, NULL, "the page's metadata");
}

static void draft_meta_field(struct dfield *f, const char *name, struct spage *pg, size_t np,
			     const char *const *names, const char *(*want)(const struct spage *))
{
	f->name = name;
	const char *m = common_meta(pg, np, names, false, want);
	if (m)
		add_step(f, "meta", m, NULL, "the page's metadata");
}

/* Boilerplate inside the body's container that the generic extractor
 * removes: named so a reader sees what goes. */
static void draft_clean(struct draft *d, struct spage *pg, size_t np)
{
	for (size_t k = 0; k < np; k++) {
		struct spage *p = &pg[k];
		if (!p->body || !p->nkept)
			continue;
		for (xmlNodePtr n = next_el(p->body, p->body, true); n && d->clean.n < SUGGEST_MAX_CLEAN;) {
			size_t off;
			bool gone = offset_of(p->h, n, &off) && !was_kept(p, off);
			/* wholly removed: no element below it kept either */
			for (xmlNodePtr c = gone ? next_el(n, n, true) : NULL; c && gone; c = next_el(c, n, true))
				if (offset_of(p->h, c, &off) && was_kept(p, off))
					gone = false;
			if (!gone || text_chars(n) == 0) {
				n = next_el(n, p->body, true);
				continue;
			}
			struct strv names = {0};
			compounds(n, &names);
			/* a name for boilerplate: a class or id, or the tag of
			 * an aside/nav/form/h1 — never a bare div or p */
			const char *pickname = NULL;
			for (size_t i = 0; i < names.n && !pickname; i++)
				if (strpbrk(names.v[i], "#.[") || !is_tag(n, "div"))
					pickname = names.v[i];
			if (!pickname && (is_tag(n, "aside") || is_tag(n, "nav") || is_tag(n, "form") ||
					  is_tag(n, "h1") || is_tag(n, "footer") || is_tag(n, "figure")))
				pickname = (const char *)n->name;
			bool dup = false;
			for (size_t i = 0; pickname && i < d->clean.n; i++)
				dup |= !strcmp(d->clean.v[i], pickname);
			/* never a selector that would take the text with it */
			if (pickname && !dup) {
				struct sel *s = NULL;
				size_t taken = 0;
				if (sel_compile(pickname, &s, NULL) == NM_OK) {
					xmlNodePtr *m = NULL;
					size_t c = sel_select(s, p->body, &m);
					for (size_t i = 0; i < c; i++)
						taken += text_chars(m[i]);
					free(m);
				}
				sel_free(s);
				if (taken * 4 < p->body_chars)
					strv_push(&d->clean, pickname);
			}
			strv_free(&names);
			n = next_el(n, p->body, false); /* skip its subtree */
		}
	}
}

static void draft_body(struct draft *d, struct spage *pg, size_t np)
{
	d->body.name = "body";
	char *s = pick_selector(pg, np, pg[0].body, NULL, SF_BODY);
	add_step(&d->body, "css", s, NULL, "the generic extractor's content block");
	free(s);
	if (d->body.n)
		draft_clean(d, pg, np);
}

/* ---- YAML through libyaml's emitter ------------------------------------------ */

struct ye {
	yaml_emitter_t em;
	struct buf *out;
	bool ok;
};

static int ye_write(void *data, unsigned char *b, size_t n)
{
	buf_put(data, (const char *)b, n);
	return 1;
}

static void ye_ev(struct ye *y, yaml_event_t *ev, int made)
{
	if (!made) {
		y->ok = false;
	} else if (!y->ok) {
		yaml_event_delete(ev); /* the emitter owns only what it is given */
	} else {
		y->ok = yaml_emitter_emit(&y->em, ev) != 0;
	}
}

/* A key or keyword: plain; a value: single-quoted unless it cannot be. */
static void ye_scalar(struct ye *y, const char *s, bool plain)
{
	yaml_event_t ev;
	ye_ev(y, &ev,
	      yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
					   plain ? YAML_PLAIN_SCALAR_STYLE
						 : YAML_SINGLE_QUOTED_SCALAR_STYLE));
}

static void ye_map(struct ye *y, bool flow)
{
	yaml_event_t ev;
	ye_ev(y, &ev,
	      yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
						  flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE));
}

static void ye_seq(struct ye *y, bool flow)
{
	yaml_event_t ev;
	ye_ev(y, &ev,
	      yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
						   flow ? YAML_FLOW_SEQUENCE_STYLE
							: YAML_BLOCK_SEQUENCE_STYLE));
}

static void ye_end_map(struct ye *y)
{
	yaml_event_t ev;
	ye_ev(y, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void ye_end_seq(struct ye *y)
{
	yaml_event_t ev;
	ye_ev(y, &ev, yaml_sequence_end_event_initialize(&ev));
}

/* Starts one top-level "key: ..." chunk of the file: each is its own
 * stream, so comments can stand between them. */
static void ye_open(struct ye *y, struct buf *out, const char *key)
{
	memset(y, 0, sizeof *y);
	y->out = out;
	y->ok = yaml_emitter_initialize(&y->em) != 0;
	if (!y->ok)
		return;
	yaml_emitter_set_output(&y->em, ye_write, out);
	yaml_emitter_set_unicode(&y->em, 1);
	yaml_emitter_set_width(&y->em, -1);
	yaml_emitter_set_indent(&y->em, 2);
	yaml_event_t ev;
	ye_ev(y, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	ye_ev(y, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
	ye_map(y, false);
	ye_scalar(y, key, true);
}

static bool ye_close(struct ye *y)
{
	yaml_event_t ev;
	ye_end_map(y);
	ye_ev(y, &ev, yaml_document_end_event_initialize(&ev, 1));
	ye_ev(y, &ev, yaml_stream_end_event_initialize(&ev));
	yaml_emitter_flush(&y->em);
	yaml_emitter_delete(&y->em);
	/* an implicit document may still end in "..." */
	if (y->out->len >= 4 && !strcmp(buf_cstr(y->out) + y->out->len - 4, "...\n"))
		buf_truncate(y->out, y->out->len - 4);
	return y->ok;
}

static void emit_field(struct ye *y, const struct dfield *f)
{
	ye_scalar(y, f->name, true);
	ye_map(y, false);
	ye_scalar(y, "steps", true);
	ye_seq(y, false);
	for (size_t i = 0; i < f->n; i++) {
		ye_map(y, true);
		ye_scalar(y, f->s[i].src, true);
		ye_scalar(y, f->s[i].arg, false);
		if (f->s[i].attr) {
			ye_scalar(y, "attr", true);
			ye_scalar(y, f->s[i].attr, false);
		}
		if (f->s[i].pick) {
			ye_scalar(y, "pick", true);
			ye_scalar(y, f->s[i].pick, true);
		}
		if (f->s[i].regex) {
			ye_scalar(y, "regex", true);
			ye_scalar(y, f->s[i].regex, false);
		}
		if (f->s[i].timezone) {
			ye_scalar(y, "timezone", true);
			ye_scalar(y, f->s[i].timezone, false);
		}
		ye_end_map(y);
	}
	ye_end_seq(y);
	ye_end_map(y);
}

static void comment(struct buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void comment(struct buf *out, const char *fmt, ...)
{
	va_list ap;
	struct buf t = BUF_INIT;
	va_start(ap, fmt);
	buf_vprintf(&t, fmt, ap);
	va_end(ap);
	/* one line per comment line; nothing from a page may end the comment */
	buf_puts(out, "# ");
	for (const char *p = buf_cstr(&t); *p; p++) {
		if (*p == '\n')
			buf_puts(out, p[1] ? "\n# " : "");
		else if (*p != '\r')
			buf_putc(out, *p);
	}
	buf_putc(out, '\n');
	buf_free(&t);
}

/* The draft without tests: name, match, fields, body. */
static bool emit_rule(const struct draft *d, struct buf *out)
{
	struct ye y;
	bool ok = true;
	ye_open(&y, out, "name");
	ye_scalar(&y, d->name, false);
	ok &= ye_close(&y);
	ye_open(&y, out, "match");
	ye_map(&y, false);
	ye_scalar(&y, "hosts", true);
	ye_seq(&y, true);
	for (size_t i = 0; i < d->hosts.n; i++)
		ye_scalar(&y, d->hosts.v[i], false);
	ye_end_seq(&y);
	ye_end_map(&y);
	ok &= ye_close(&y);
	const struct dfield *fs[] = {&d->title, &d->date, &d->author, &d->lead_image, &d->excerpt};
	bool any = !d->body.n && !d->any_body;
	for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++)
		any |= fs[i]->n > 0;
	if (any) {
		comment(out, "Each field's steps are tried in order; a field no step fills is taken from\n"
			     "the page's metadata (say `fallback: false` in a field to keep it empty).");
		ye_open(&y, out, "fields");
		ye_map(&y, false);
		for (size_t i = 0; i < sizeof fs / sizeof fs[0]; i++)
			if (fs[i]->n)
				emit_field(&y, fs[i]);
		if (!d->body.n && !d->any_body) {
			/* the generic extractor found no article on any page */
			ye_scalar(&y, "body", true);
			ye_map(&y, false);
			ye_scalar(&y, "steps", true);
			ye_seq(&y, false);
			ye_map(&y, true);
			ye_scalar(&y, "auto", true);
			ye_scalar(&y, "true", true);
			ye_end_map(&y);
			ye_end_seq(&y);
			ye_scalar(&y, "required", true);
			ye_scalar(&y, "false", true);
			ye_end_map(&y);
		}
		ye_end_map(&y);
		ok &= ye_close(&y);
	}
	if (!d->body.n && !d->any_body) {
		comment(out, "The generic extractor found no article on %s: the body above is\n"
			     "not required.  Give a body step if the site has one.",
			"the pages given");
		return ok;
	}
	if (d->body.n) {
		comment(out, "The generic extractor's content block; clean.generic also runs its\n"
			     "boilerplate pruning inside it, clean.remove names what it removed there.");
	} else {
		comment(out, "No selector found the content block on every page: the generic\n"
			     "extractor chooses it (`auto: true`).");
	}
	ye_open(&y, out, "body");
	ye_map(&y, false);
	ye_scalar(&y, "steps", true);
	ye_seq(&y, false);
	ye_map(&y, true);
	if (d->body.n) {
		ye_scalar(&y, "css", true);
		ye_scalar(&y, d->body.s[0].arg, false);
	} else {
		ye_scalar(&y, "auto", true);
		ye_scalar(&y, "true", true);
	}
	ye_end_map(&y);
	ye_end_seq(&y);
	if (d->body.n) {
		ye_scalar(&y, "clean", true);
		ye_map(&y, false);
		ye_scalar(&y, "generic", true);
		ye_scalar(&y, "true", true);
		if (d->clean.n) {
			ye_scalar(&y, "remove", true);
			ye_seq(&y, false);
			for (size_t i = 0; i < d->clean.n; i++)
				ye_scalar(&y, d->clean.v[i], false);
			ye_end_seq(&y);
		}
		ye_end_map(&y);
	}
	ye_end_map(&y);
	ok &= ye_close(&y);
	return ok;
}

/* Runs the draft on page p: fills a (a->url set by the caller). */
static bool run_draft(const struct rule *r, const struct suggest_page *in, struct article *a,
		      struct nm_err *e)
{
	struct html_doc *h = NULL;
	if (html_parse(in->text, in->len, &h, e) != NM_OK)
		return false;
	struct page pg = {.h = h};
	bool ok = extract_article(r, &pg, a, e) == NM_OK;
	a->body_node = NULL; /* lives in h */
	page_release(&pg);
	html_free(h);
	return ok;
}

static void emit_tests(const struct rule *r, const struct suggest_page *pages, size_t n,
		       struct buf *out)
{
	struct ye y;
	size_t ntests = 0;
	for (size_t i = 0; i < n; i++)
		ntests += pages[i].input != NULL;
	if (!ntests) {
		comment(out, "No tests: the pages were not read from files (a URL or stdin); save\n"
			     "them and run `newsmd rules suggest` on the files to record tests.");
		return;
	}
	comment(out, "RECORDED FROM THIS DRAFT'S OWN OUTPUT, not checked by anyone: a person must\n"
		     "check every expected value against the page before trusting these tests.");
	ye_open(&y, out, "tests");
	ye_seq(&y, false);
	for (size_t i = 0; i < n; i++) {
		if (!pages[i].input)
			continue;
		struct article a;
		article_init(&a);
		a.url = xstrdup(pages[i].url);
		struct nm_err e;
		err_clear(&e);
		bool ok = run_draft(r, &pages[i], &a, &e);
		ye_map(&y, false);
		ye_scalar(&y, "input", true);
		ye_scalar(&y, pages[i].input, false);
		ye_scalar(&y, "url", true);
		ye_scalar(&y, pages[i].url, false);
		ye_scalar(&y, "expect", true);
		ye_map(&y, false);
		if (ok && a.title) {
			ye_scalar(&y, "title", true);
			ye_scalar(&y, a.title, false);
		}
		if (ok && a.date.set) {
			struct buf db = BUF_INIT;
			date_format(&db, "%Y-%m-%d %H:%M:%S %z", &a.date);
			ye_scalar(&y, "date", true);
			ye_scalar(&y, buf_cstr(&db), false);
			buf_free(&db);
		}
		if (ok && a.author.n) {
			ye_scalar(&y, "author", true);
			ye_seq(&y, true);
			for (size_t k = 0; k < a.author.n; k++)
				ye_scalar(&y, a.author.v[k], false);
			ye_end_seq(&y);
		}
		const char *bt = ok && a.body_text ? a.body_text : "";
		size_t len = 0, chars = 0;
		while (bt[len] && bt[len] != '\n' && chars < SUGGEST_SAMPLE_CHARS) {
			len++;
			while (((unsigned char)bt[len] & 0xC0) == 0x80)
				len++;
			chars++;
		}
		if (len) {
			char *sample = xstrndup(bt, len);
			ye_scalar(&y, "body_contains", true);
			ye_scalar(&y, sample, false);
			free(sample);
			char num[32];
			snprintf(num, sizeof num, "%zu", strlen(bt) / 4);
			ye_scalar(&y, "body_min_chars", true);
			ye_scalar(&y, num, true);
		} else {
			/* nothing to expect: an always-true check keeps the test valid */
			ye_scalar(&y, "body_min_chars", true);
			ye_scalar(&y, "0", true);
		}
		ye_end_map(&y);
		ye_end_map(&y);
		article_free(&a);
	}
	ye_end_seq(&y);
	ye_close(&y);
}

enum nm_code suggest_rule(const struct suggest_page *pages, size_t n, const char *today,
			  struct buf *out, struct nm_err *e)
{
	if (n == 0 || n > SUGGEST_MAX_PAGES)
		return err_set(e, NM_EUSAGE, "rules suggest: give 1 to %d pages", SUGGEST_MAX_PAGES);
	struct spage *pg = xcalloc(n, sizeof *pg);
	enum nm_code rc = NM_OK;
	size_t opened = 0;
	for (; opened < n && !rc; opened++)
		rc = page_open(&pg[opened], &pages[opened], e);
	struct draft d;
	memset(&d, 0, sizeof d);
	if (rc)
		goto out;
	for (size_t i = 0; i < n; i++) {
		struct buf host = BUF_INIT;
		if (url_host(pages[i].url, &host) == 0 && host.len) {
			bool dup = false;
			for (size_t k = 0; k < d.hosts.n; k++)
				dup |= !strcmp(d.hosts.v[k], buf_cstr(&host));
			if (!dup)
				strv_push(&d.hosts, buf_cstr(&host));
		}
		buf_free(&host);
	}
	if (!d.hosts.n)
		strv_push(&d.hosts, "example.com");
	const char *nm = d.hosts.v[0];
	if (!strncmp(nm, "www.", 4) && nm[4])
		nm += 4;
	d.name = xstrdup(nm);
	draft_title(&d, pg, n);
	draft_date(&d, pg, n);
	draft_author(&d, pg, n);
	static const char *const images[] = {"og:image", "twitter:image", "twitter:image:src", NULL};
	static const char *const excerpts[] = {"og:description", "description",
					       "twitter:description", NULL};
	draft_meta_field(&d.lead_image, "lead_image", pg, n, images, NULL);
	draft_meta_field(&d.excerpt, "excerpt", pg, n, excerpts, want_excerpt);
	draft_body(&d, pg, n);
	for (size_t i = 0; i < n; i++)
		d.any_body |= pg[i].has_body;

	comment(out, "Draft rule written by `newsmd rules suggest` on %s from %zu page%s:", today, n,
		n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++)
		comment(out, "  %s", pages[i].url);
	comment(out, "Selectors use ids, classes, itemprop, data-* attributes and landmark\n"
		     "elements, and each found the generic extractor's value on %s.  Check\n"
		     "them on more pages with `newsmd rules test RULE PAGE`.",
		n == 1 ? "that page" : "every page");
	size_t start = out->len;
	if (!emit_rule(&d, out)) {
		rc = err_set(e, NM_EPARSE, "rules suggest: the YAML emitter failed");
		goto out;
	}
	/* the draft runs as a rule: its values become its tests */
	struct rule *r = NULL;
	struct nm_err le;
	err_clear(&le);
	if (rule_load_mem(out->ptr + start, out->len - start, "draft", &r, &le) != NM_OK) {
		comment(out, "This draft did not load (%s): fix it by hand.", le.msg);
	} else {
		emit_tests(r, pages, n, out);
		rule_free(r);
	}
out:
	draft_free(&d);
	for (size_t i = 0; i < opened; i++)
		page_close(&pg[i]);
	free(pg);
	return rc;
}
