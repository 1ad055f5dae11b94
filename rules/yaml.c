/*
 * yaml.c - libyaml event stream -> struct ynode tree.
 *
 * Nodes live in a pool owned by the document, so an alias can point at its
 * anchor's node (sharing, not copying) and the whole tree is freed at once.
 */
#include "rules/yaml.h"
#include "common/buf.h"
#include "common/file.h"
#include "common/mem.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

struct pool {
	const char *name;
	struct ynode **nodes;
	size_t n;
	struct anchor {
		char *name;
		struct ynode *node;
	} *anchors;
	size_t nanchors;
};

static struct ynode *new_node(struct pool *p, enum ytype t, const yaml_mark_t *m)
{
	struct ynode *y = xcalloc(1, sizeof *y);
	y->type = t;
	y->line = (unsigned)m->line + 1;
	y->col = (unsigned)m->column + 1;
	y->weight = 1;
	y->file = p->name;
	if ((p->n & (p->n + 1)) == 0)
		p->nodes = xrealloc(p->nodes, (p->n * 2 + 2) * sizeof *p->nodes);
	p->nodes[p->n++] = y;
	return y;
}

void ynode_add(struct ynode *parent, struct ynode *child)
{
	if ((parent->n & (parent->n + 1)) == 0)
		parent->items = xrealloc(parent->items, (parent->n * 2 + 2) * sizeof *parent->items);
	parent->items[parent->n++] = child;
}

static void pool_free(struct pool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++) {
		free(p->nodes[i]->str);
		free(p->nodes[i]->items);
		free(p->nodes[i]);
	}
	for (size_t i = 0; i < p->nanchors; i++)
		free(p->anchors[i].name);
	free(p->anchors);
	free(p->nodes);
	free((char *)p->name);
	free(p);
}

static void anchor(struct pool *p, const yaml_char_t *name, struct ynode *n)
{
	if (!name)
		return;
	p->anchors = xrealloc(p->anchors, (p->nanchors + 1) * sizeof *p->anchors);
	p->anchors[p->nanchors].name = xstrdup((const char *)name);
	p->anchors[p->nanchors].node = n;
	p->nanchors++;
}

static struct ynode *find_anchor(struct pool *p, const yaml_char_t *name)
{
	for (size_t i = p->nanchors; i-- > 0;)
		if (!strcmp(p->anchors[i].name, (const char *)name))
			return p->anchors[i].node;
	return NULL;
}

static enum nm_code fail(struct nm_err *e, const char *name, const yaml_mark_t *m,
			 const char *fmt, ...)
{
	if (!e)
		return NM_ECONFIG;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	e->code = NM_ECONFIG;
	err_where(e, name, (unsigned)m->line + 1, (unsigned)m->column + 1);
	return NM_ECONFIG;
}

/* Adds a finished child to the open container, checking map keys. */
static enum nm_code attach(struct ynode **stack, size_t sp, struct ynode **root,
			   struct ynode *child, const char *name, struct nm_err *e)
{
	if (!sp) {
		*root = child;
		return NM_OK;
	}
	struct ynode *top = stack[sp - 1];
	if (top->type == Y_MAP && top->n % 2 == 0) {
		if (child->type != Y_SCALAR) {
			yaml_mark_t m = {0, child->line - 1, child->col - 1};
			return fail(e, name, &m, "mapping keys must be plain strings");
		}
		for (size_t i = 0; i < top->n; i += 2)
			if (!strcmp(top->items[i]->str, child->str)) {
				yaml_mark_t m = {0, child->line - 1, child->col - 1};
				return fail(e, name, &m, "duplicate key '%s' (first at line %u)",
					    child->str, top->items[i]->line);
			}
	}
	ynode_add(top, child);
	return NM_OK;
}

enum nm_code ydoc_parse(const char *text, size_t n, const char *name,
			struct ydoc **out, struct nm_err *e)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	struct pool *pool = xcalloc(1, sizeof *pool);
	pool->name = xstrdup(name);
	struct ynode *stack[YAML_MAX_DEPTH + 1];
	size_t sp = 0, total = 0;
	struct ynode *root = NULL;
	enum nm_code rc = NM_OK;
	bool done = false;

	if (n > YAML_MAX_FILE) {
		yaml_mark_t m = {0, 0, 0};
		pool_free(pool);
		return fail(e, name, &m, "file larger than %d bytes; refused", YAML_MAX_FILE);
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, n);
	while (!done) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = fail(e, name, &parser.problem_mark, "YAML syntax error: %s%s%s",
				  parser.problem ? parser.problem : "invalid YAML",
				  parser.context ? " " : "", parser.context ? parser.context : "");
			break;
		}
		struct ynode *node = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = true;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (root) {
				rc = fail(e, name, &ev.start_mark, "only one YAML document per file");
				done = true;
			}
			break;
		case YAML_SCALAR_EVENT:
			node = new_node(pool, Y_SCALAR, &ev.start_mark);
			node->str = xstrndup((const char *)ev.data.scalar.value, ev.data.scalar.length);
			node->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
			anchor(pool, ev.data.scalar.anchor, node);
			break;
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (sp >= YAML_MAX_DEPTH) {
				rc = fail(e, name, &ev.start_mark, "nesting deeper than %d levels; refused",
					  YAML_MAX_DEPTH);
				done = true;
				break;
			}
			node = new_node(pool, ev.type == YAML_SEQUENCE_START_EVENT ? Y_SEQ : Y_MAP,
					&ev.start_mark);
			anchor(pool, ev.type == YAML_SEQUENCE_START_EVENT ? ev.data.sequence_start.anchor
									  : ev.data.mapping_start.anchor,
			       node);
			rc = attach(stack, sp, &root, node, name, e);
			if (rc)
				done = true;
			stack[sp++] = node;
			node = NULL;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: {
			struct ynode *c = stack[--sp];
			for (size_t i = 0; i < c->n; i++)
				c->weight += c->items[i]->weight;
			if (c->weight > YAML_MAX_NODES) {
				rc = fail(e, name, &ev.start_mark,
					  "document expands to more than %d nodes (alias bomb?); refused",
					  YAML_MAX_NODES);
				done = true;
			}
			break;
		}
		case YAML_ALIAS_EVENT:
			node = find_anchor(pool, ev.data.alias.anchor);
			if (!node) {
				rc = fail(e, name, &ev.start_mark, "unknown alias '*%s'",
					  (const char *)ev.data.alias.anchor);
				done = true;
			}
			break;
		default:
			break;
		}
		if (node && !rc) {
			total += node->weight;
			if (total > YAML_MAX_NODES) {
				rc = fail(e, name, &ev.start_mark,
					  "document expands to more than %d nodes (alias bomb?); refused",
					  YAML_MAX_NODES);
				done = true;
			} else if ((rc = attach(stack, sp, &root, node, name, e)) != NM_OK) {
				done = true;
			}
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (rc) {
		pool_free(pool);
		return rc;
	}
	struct ydoc *d = xcalloc(1, sizeof *d);
	d->root = root;
	d->name = xstrdup(name);
	d->pool = pool;
	*out = d;
	return NM_OK;
}

enum nm_code ydoc_load(const char *path, struct ydoc **out, struct nm_err *e)
{
	struct buf b = BUF_INIT;
	enum nm_code rc = file_read(path, YAML_MAX_FILE, &b, e);
	if (rc == NM_OK)
		rc = ydoc_parse(buf_cstr(&b), b.len, path, out, e);
	else if (e)
		e->code = rc = (rc == NM_ELIMIT ? NM_ECONFIG : rc);
	buf_free(&b);
	return rc;
}

void ydoc_free(struct ydoc *d)
{
	if (!d)
		return;
	pool_free(d->pool);
	free(d->name);
	free(d);
}

struct ynode *ymap_get(const struct ynode *m, const char *key)
{
	if (!m || m->type != Y_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < m->n; i += 2)
		if (!strcmp(m->items[i]->str, key))
			return m->items[i + 1];
	return NULL;
}

enum nm_code yerr(struct nm_err *e, const struct ydoc *d, const struct ynode *n,
		  enum nm_code code, const char *fmt, ...)
{
	if (!e)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	e->code = code;
	err_where(e, n && n->file ? n->file : d ? d->name : NULL, n ? n->line : 0, n ? n->col : 0);
	return code;
}

struct ynode *ynode_new(struct ydoc *d, enum ytype t, const struct ynode *pos)
{
	yaml_mark_t m = {0, pos ? pos->line - 1 : 0, pos ? pos->col - 1 : 0};
	struct ynode *y = new_node(d->pool, t, &m);
	if (pos)
		y->file = pos->file;
	return y;
}

const char *ytype_name(enum ytype t)
{
	return t == Y_MAP ? "mapping" : t == Y_SEQ ? "list" : "scalar";
}

int yscalar_bool(const struct ynode *n, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on"}, *const no[] = {"false", "no", "off"};
	if (n->type != Y_SCALAR)
		return -1;
	for (int i = 0; i < 3; i++) {
		if (!strcasecmp(n->str, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(n->str, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

unsigned ylevenshtein(const char *a, const char *b, unsigned cap)
{
	/* Optimal string alignment distance: an adjacent transposition
	 * ("titel" for "title") counts as one edit, as typos do. */
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return cap + 1;
	unsigned d[65][65];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1];
			unsigned v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb] > cap ? cap + 1 : d[la][lb];
}

enum nm_code ymap_check_keys(const struct ydoc *d, const struct ynode *m,
			     const char *const *allowed, const char *what,
			     struct nm_err *e)
{
	for (size_t i = 0; i + 1 < m->n; i += 2) {
		const char *k = m->items[i]->str;
		const char *best = NULL;
		unsigned bestd = 3;
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = !strcmp(*a, k);
		/* Only an unknown key pays for the edit distances. */
		for (const char *const *a = allowed; *a && !ok; a++) {
			unsigned dist = ylevenshtein(k, *a, 2);
			if (dist < bestd)
				bestd = dist, best = *a;
		}
		if (ok)
			continue;
		if (best)
			return yerr(e, d, m->items[i], NM_ECONFIG,
				    "unknown key '%s' in %s (did you mean '%s'?)", k, what, best);
		return yerr(e, d, m->items[i], NM_ECONFIG, "unknown key '%s' in %s", k, what);
	}
	return NM_OK;
}

enum nm_code yexpect(const struct ydoc *d, const struct ynode *n, enum ytype t,
		     const char *key, struct nm_err *e)
{
	if (n->type == t)
		return NM_OK;
	return yerr(e, d, n, NM_ECONFIG, "%s: expected a %s, found a %s", key,
		    ytype_name(t), ytype_name(n->type));
}

const char *yplain_nontext(const struct ynode *n)
{
	if (n->type != Y_SCALAR || !n->plain)
		return NULL;
	return ytext_nontext(n->str);
}

const char *ytext_nontext(const char *s)
{
	if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	    !strcmp(s, "NULL"))
		return "null (nothing)";
	struct ynode tmp = {.type = Y_SCALAR, .str = (char *)s};
	bool b;
	if (yscalar_bool(&tmp, &b) == 0)
		return "a boolean";
	/* YAML numbers: 17, -3, +1.5, 1e3, 0x1F, 0o17, .5, .inf, .nan */
	const char *p = s;
	if (*p == '+' || *p == '-')
		p++;
	if (!strcasecmp(p, ".inf") || !strcasecmp(s, ".nan"))
		return "a number";
	if ((p[0] == '0' && (p[1] == 'x' || p[1] == 'o')) && p[2]) {
		for (const char *q = p + 2; *q; q++)
			if (!isxdigit((unsigned char)*q) && *q != '_')
				return NULL;
		return "a number";
	}
	bool digits = false, dot = false, ex = false;
	for (; *p; p++) {
		if (isdigit((unsigned char)*p) || (*p == '_' && digits))
			digits = true;
		else if (*p == '.' && !dot && !ex)
			dot = true;
		else if ((*p == 'e' || *p == 'E') && digits && !ex) {
			ex = true;
			if (p[1] == '+' || p[1] == '-')
				p++;
			if (!isdigit((unsigned char)p[1]))
				return NULL;
		} else
			return NULL;
	}
	return digits ? "a number" : NULL;
}

enum nm_code ytext(const struct ydoc *d, const struct ynode *n, const char *key,
		   struct nm_err *e)
{
	const char *kind = yplain_nontext(n);
	if (!kind)
		return NM_OK;
	if (!*n->str || !strcmp(n->str, "~"))
		return yerr(e, d, n, NM_ECONFIG,
			    "%s: expected text, found %s; write '' for an empty string", key, kind);
	return yerr(e, d, n, NM_ECONFIG,
		    "%s: expected text, found %s; quote it to mean the text: '%s'", key, kind,
		    n->str);
}

enum nm_code ystr(const struct ydoc *d, const struct ynode *n, const char *key,
		  char **out, struct nm_err *e)
{
	enum nm_code rc = yexpect(d, n, Y_SCALAR, key, e);
	if (rc)
		return rc;
	if ((rc = ytext(d, n, key, e)))
		return rc;
	free(*out);
	*out = xstrdup(n->str);
	return NM_OK;
}

enum nm_code yint(const struct ydoc *d, const struct ynode *n, const char *key,
		  long min, long max, long *out, struct nm_err *e)
{
	enum nm_code rc = yexpect(d, n, Y_SCALAR, key, e);
	if (rc)
		return rc;
	char *end;
	long v = strtol(n->str, &end, 10);
	if (!*n->str || *end || v < min || v > max)
		return yerr(e, d, n, NM_ECONFIG, "%s: expected a whole number from %ld to %ld, found '%s'",
			    key, min, max, n->str);
	*out = v;
	return NM_OK;
}

enum nm_code ybool(const struct ydoc *d, const struct ynode *n, const char *key,
		   bool *out, struct nm_err *e)
{
	if (n->type != Y_SCALAR || yscalar_bool(n, out) < 0)
		return yerr(e, d, n, NM_ECONFIG, "%s: expected true or false", key);
	return NM_OK;
}

static enum nm_code strlist(const struct ydoc *d, const struct ynode *n, const char *key,
			    char ***out, size_t *count, bool text, struct nm_err *e)
{
	size_t k = n->type == Y_SCALAR ? 1 : n->n;
	if (n->type == Y_MAP)
		return yerr(e, d, n, NM_ECONFIG, "%s: expected a string or a list of strings", key);
	for (size_t i = 0; n->type == Y_SEQ && i < n->n; i++)
		if (n->items[i]->type != Y_SCALAR)
			return yerr(e, d, n->items[i], NM_ECONFIG, "%s: expected a string", key);
		else if (text && ytext(d, n->items[i], key, e))
			return NM_ECONFIG;
	if (text && n->type == Y_SCALAR && ytext(d, n, key, e))
		return NM_ECONFIG;
	char **v = xcalloc(k + 1, sizeof *v);
	for (size_t i = 0; i < k; i++)
		v[i] = xstrdup(n->type == Y_SCALAR ? n->str : n->items[i]->str);
	ystrv_free(*out);
	*out = v;
	if (count)
		*count = k;
	return NM_OK;
}

enum nm_code ystrlist(const struct ydoc *d, const struct ynode *n, const char *key,
		      char ***out, size_t *count, struct nm_err *e)
{
	return strlist(d, n, key, out, count, true, e);
}

enum nm_code yscalarlist(const struct ydoc *d, const struct ynode *n, const char *key,
			 char ***out, size_t *count, struct nm_err *e)
{
	return strlist(d, n, key, out, count, false, e);
}

void ystrv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}
