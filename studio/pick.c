/*
 * pick.c - selector proposals for one element (see pick.h): build
 * candidates from the element's own hooks (id, itemprop, data-*, classes,
 * tag) and from its nearest stable ancestors, match each against the whole
 * document to count what it selects, rank.
 */
#include "studio/pick.h"
#include "common/buf.h"
#include "common/mem.h"
#include "dom/sel.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Classes of one element used in candidates: the first few stable ones
 * carry the meaning; the rest are usually modifiers. */
#define PICK_MAX_CLASSES 4
/* Ancestors searched for a stable hook to scope a candidate by: farther
 * ones make long selectors that break when the layout around changes. */
#define PICK_MAX_ANCESTORS 4
/* Attribute values longer than this are content, not hooks. */
#define PICK_MAX_VALUE 60
/* Class and id names longer than this are generated. */
#define PICK_MAX_NAME 40

static const char *const kind_names[] = {"id",	     "itemprop", "data", "class",
					 "landmark", "scoped",   "path"};

const char *pick_kind_name(enum pick_kind k)
{
	return kind_names[k];
}

/* Elements whose tag alone says what they hold. */
static bool is_landmark(const xmlChar *tag)
{
	static const char *const tags[] = {"article", "main",	 "h1",	   "time",    "header",
					   "footer",  "nav",	 "aside",  "section", "figure",
					   "figcaption", "address", "blockquote", NULL};
	for (int i = 0; tags[i]; i++)
		if (xmlStrEqual(tag, BAD_CAST tags[i]))
			return true;
	return false;
}

/* A CSS identifier we can write without escapes. */
static bool is_ident(const char *s)
{
	if (!*s || isdigit((unsigned char)*s) || (*s == '-' && (isdigit((unsigned char)s[1]) || !s[1])))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (!(isalnum(*p) || *p == '-' || *p == '_' || *p >= 0x80))
			return false;
	return true;
}

bool pick_is_hashed(const char *s)
{
	static const char *const prefixes[] = {"css-", "sc-", "jsx-", "emotion-", "svelte-",
					       "styled-", "tw-", NULL};
	size_t n = strlen(s), digits = 0;
	if (!n || n > PICK_MAX_NAME)
		return true;
	for (size_t i = 0; i < n; i++)
		digits += isdigit((unsigned char)s[i]) != 0;
	if (digits == n || (n > 3 && digits * 3 >= n))
		return true; /* 12345, post-123456, a1b2c3; not h1 */
	for (int i = 0; prefixes[i]; i++) {
		size_t l = strlen(prefixes[i]);
		if (n > l && !strncmp(s, prefixes[i], l))
			return true;
	}
	/* CSS modules: Name_local__hash; BEM's block__element is lower-case words */
	const char *dd = strstr(s, "__");
	if (dd) {
		const char *h = dd + 2;
		bool upper = false, digit = false;
		for (const char *p = h; *p; p++) {
			upper |= isupper((unsigned char)*p) != 0;
			digit |= isdigit((unsigned char)*p) != 0;
		}
		if (strlen(h) >= 4 && (upper || digit))
			return true;
	}
	/* a segment mixing letters and digits (e1a9f3, x7k2mq) is a hash */
	const char *seg = s;
	while (*seg) {
		size_t l = strcspn(seg, "-_");
		size_t d = 0, a = 0;
		for (size_t i = 0; i < l; i++) {
			d += isdigit((unsigned char)seg[i]) != 0;
			a += isalpha((unsigned char)seg[i]) != 0;
		}
		if (l >= 5 && d >= 2 && a)
			return true;
		seg += l;
		while (*seg == '-' || *seg == '_')
			seg++;
	}
	return false;
}

/* An attribute value usable in a quoted selector. */
static bool usable_value(const char *v)
{
	size_t n = strlen(v);
	return n && n <= PICK_MAX_VALUE && !strpbrk(v, "\"\\\n\r\f");
}

struct picker {
	xmlDocPtr doc;
	xmlNodePtr el;
	struct pick_list *out;
	size_t tried;
	char **seen;
	size_t nseen;
};

/* Matches sel against the document; keeps it when it selects el. */
static void try_sel(struct picker *p, enum pick_kind kind, const char *sel)
{
	for (size_t i = 0; i < p->nseen; i++)
		if (!strcmp(p->seen[i], sel))
			return;
	if (p->tried >= PICK_MAX_TRIED)
		return;
	p->tried++;
	p->seen = xrealloc(p->seen, (p->nseen + 1) * sizeof *p->seen);
	p->seen[p->nseen++] = xstrdup(sel);
	struct sel *s = NULL;
	if (sel_compile(sel, &s, NULL) != NM_OK)
		return;
	xmlNodePtr *nodes = NULL;
	size_t n = sel_select(s, (xmlNodePtr)p->doc, &nodes);
	bool hit = false;
	for (size_t i = 0; i < n && !hit; i++)
		hit = nodes[i] == p->el;
	free(nodes);
	sel_free(s);
	if (!hit)
		return;
	p->out->v = xrealloc(p->out->v, (p->out->n + 1) * sizeof *p->out->v);
	p->out->v[p->out->n++] = (struct pick_cand){xstrdup(sel), n, kind};
}

static char *prop(xmlNodePtr el, const char *name)
{
	xmlChar *v = xmlGetProp(el, BAD_CAST name);
	char *s = v ? xstrdup((const char *)v) : NULL;
	xmlFree(v);
	return s;
}

/* The stable classes of el (up to PICK_MAX_CLASSES), as a NULL-terminated
 * list; caller frees each and the list. */
static char **stable_classes(xmlNodePtr el)
{
	char **v = xcalloc(PICK_MAX_CLASSES + 1, sizeof *v);
	char *cls = prop(el, "class");
	size_t k = 0;
	if (cls) {
		char *save = NULL;
		for (char *t = strtok_r(cls, " \t\n\r\f", &save); t && k < PICK_MAX_CLASSES;
		     t = strtok_r(NULL, " \t\n\r\f", &save))
			if (is_ident(t) && !pick_is_hashed(t))
				v[k++] = xstrdup(t);
	}
	free(cls);
	return v;
}

static void free_list(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* The strongest hook of an element as a compound selector ("#id",
 * "tag.class", a landmark tag); false when it has none. */
static bool hook(xmlNodePtr el, struct buf *out)
{
	char *id = prop(el, "id");
	bool ok = false;
	if (id && is_ident(id) && !pick_is_hashed(id)) {
		buf_printf(out, "#%s", id);
		ok = true;
	}
	free(id);
	if (ok)
		return true;
	char **cls = stable_classes(el);
	if (cls[0]) {
		buf_printf(out, "%s.%s", (const char *)el->name, cls[0]);
		ok = true;
	} else if (is_landmark(el->name) && !xmlStrEqual(el->name, BAD_CAST "h1")) {
		buf_puts(out, (const char *)el->name);
		ok = true;
	}
	free_list(cls);
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

static bool only_of_type(xmlNodePtr el)
{
	for (xmlNodePtr p = el->parent ? el->parent->children : NULL; p; p = p->next)
		if (p != el && p->type == XML_ELEMENT_NODE && xmlStrEqual(p->name, el->name))
			return false;
	return true;
}

static int cmp_cand(const void *a, const void *b)
{
	const struct pick_cand *x = a, *y = b;
	bool ux = x->count == 1, uy = y->count == 1;
	if (ux != uy)
		return ux ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->count != y->count)
		return x->count < y->count ? -1 : 1;
	/* scoped by an id before scoped by a class */
	bool ix = x->sel[0] == '#', iy = y->sel[0] == '#';
	if (ix != iy)
		return ix ? -1 : 1;
	size_t lx = strlen(x->sel), ly = strlen(y->sel);
	return lx < ly ? -1 : lx > ly ? 1 : strcmp(x->sel, y->sel);
}

void pick_candidates(xmlDocPtr doc, xmlNodePtr el, struct pick_list *out)
{
	if (!doc || !el || el->type != XML_ELEMENT_NODE)
		return;
	struct picker p = {doc, el, out, 0, NULL, 0};
	const char *tag = (const char *)el->name;
	struct buf s = BUF_INIT;
	/* the element's own hooks */
	char *id = prop(el, "id");
	if (id && is_ident(id) && !pick_is_hashed(id)) {
		buf_printf(&s, "#%s", id);
		try_sel(&p, PICK_ID, buf_cstr(&s));
	}
	free(id);
	char *ip = prop(el, "itemprop");
	if (ip && usable_value(ip)) {
		buf_clear(&s);
		buf_printf(&s, "[itemprop=\"%s\"]", ip);
		try_sel(&p, PICK_ITEMPROP, buf_cstr(&s));
		buf_clear(&s);
		buf_printf(&s, "%s[itemprop=\"%s\"]", tag, ip);
		try_sel(&p, PICK_ITEMPROP, buf_cstr(&s));
	}
	free(ip);
	for (xmlAttrPtr a = el->properties; a; a = a->next) {
		const char *an = (const char *)a->name;
		/* data-nm-* is the studio's own namespace (view.h) */
		if (strncmp(an, "data-", 5) || !strncmp(an, "data-nm-", 8) || !is_ident(an) ||
		    pick_is_hashed(an + 5))
			continue;
		char *v = prop(el, an);
		buf_clear(&s);
		if (v && usable_value(v) && !pick_is_hashed(v))
			buf_printf(&s, "%s[%s=\"%s\"]", tag, an, v);
		else
			buf_printf(&s, "%s[%s]", tag, an);
		try_sel(&p, PICK_DATA, buf_cstr(&s));
		free(v);
	}
	char *role = prop(el, "role");
	if (role && usable_value(role)) {
		buf_clear(&s);
		buf_printf(&s, "[role=\"%s\"]", role);
		try_sel(&p, PICK_LANDMARK, buf_cstr(&s));
	}
	free(role);
	char **cls = stable_classes(el);
	for (size_t i = 0; cls[i]; i++) {
		buf_clear(&s);
		buf_printf(&s, "%s.%s", tag, cls[i]);
		try_sel(&p, PICK_CLASS, buf_cstr(&s));
	}
	if (cls[0] && cls[1]) {
		buf_clear(&s);
		buf_printf(&s, "%s.%s.%s", tag, cls[0], cls[1]);
		try_sel(&p, PICK_CLASS, buf_cstr(&s));
	}
	try_sel(&p, is_landmark(el->name) ? PICK_LANDMARK : PICK_PATH, tag);
	/* own compound for scoped candidates: the first stable class, or the tag */
	struct buf own = BUF_INIT;
	if (cls[0])
		buf_printf(&own, "%s.%s", tag, cls[0]);
	else
		buf_puts(&own, tag);
	free_list(cls);
	/* scoped by the nearest ancestors with a hook */
	xmlNodePtr anc = el->parent;
	bool path_done = false;
	for (int depth = 0; anc && anc->type == XML_ELEMENT_NODE && depth < PICK_MAX_ANCESTORS;
	     depth++, anc = anc->parent) {
		struct buf h = BUF_INIT;
		if (!hook(anc, &h)) {
			buf_free(&h);
			continue;
		}
		buf_clear(&s);
		buf_printf(&s, "%s %s", buf_cstr(&h), buf_cstr(&own));
		try_sel(&p, PICK_SCOPED, buf_cstr(&s));
		if (anc == el->parent) {
			buf_clear(&s);
			buf_printf(&s, "%s > %s", buf_cstr(&h), buf_cstr(&own));
			try_sel(&p, PICK_SCOPED, buf_cstr(&s));
			if (!only_of_type(el)) {
				/* one nth-of-type step under a stable parent, never a chain */
				buf_clear(&s);
				buf_printf(&s, "%s > %s:nth-of-type(%zu)", buf_cstr(&h), tag, nth_of_type(el));
				try_sel(&p, PICK_PATH, buf_cstr(&s));
				path_done = true;
			}
		}
		buf_free(&h);
	}
	if (!path_done && el->parent && el->parent->type == XML_ELEMENT_NODE && !only_of_type(el)) {
		buf_clear(&s);
		buf_printf(&s, "%s > %s:nth-of-type(%zu)", (const char *)el->parent->name, tag,
			   nth_of_type(el));
		try_sel(&p, PICK_PATH, buf_cstr(&s));
	}
	buf_free(&own);
	buf_free(&s);
	for (size_t i = 0; i < p.nseen; i++)
		free(p.seen[i]);
	free(p.seen);
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, cmp_cand);
	while (out->n > PICK_MAX_CANDIDATES)
		free(out->v[--out->n].sel);
}

void pick_list_free(struct pick_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].sel);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

char *pick_best(xmlDocPtr doc, xmlNodePtr el)
{
	struct pick_list l = {0};
	pick_candidates(doc, el, &l);
	char *best = l.n && l.v[0].count == 1 ? xstrdup(l.v[0].sel) : NULL;
	pick_list_free(&l);
	return best;
}
