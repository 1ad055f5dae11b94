/*
 * rules.c - rule files: strict loading into struct rule, and matching a URL
 * to its rule.
 */
#include "rules/rules.h"
#include "rules/yaml.h"
#include "common/buf.h"
#include "common/date.h"
#include "common/mem.h"
#include "common/re.h"
#include "common/tz.h"
#include "dom/jpath.h"
#include "dom/sel.h"
#include "dom/xpath.h"

#include <ctype.h>
#include <dirent.h>
#include <stdint.h>
#include <limits.h>
#include <libpsl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const char *const step_sources[] = {"css", "xpath", "meta", "jsonld", "json",
					   "url", "const", "from_field", "auto", NULL};
static const char *const step_keys[] = {"css", "xpath", "meta", "jsonld", "json", "url",
					"const", "from_field", "auto", "attr", "html",
					"script", "pick", "regex", "post", "format", "formats",
					"timezone", "relative", "validate", "join", NULL};
static const char *const builtin_fields[] = {"title", "date", "updated", "author",
					     "source", "category", "tags", "lead_image",
					     "excerpt", "body", NULL};

/* Rule-wide step options (`defaults:`), applied to steps that do not set
 * them. */
struct step_defaults {
	bool has_pick;
	enum step_pick pick;
	const struct ynode *timezone; /* borrowed from the tree */
	bool has_fallback;
	bool fallback;
};

struct ctx {
	const struct ydoc *d;
	struct nm_err *e;
	struct step_defaults def;
	bool in_list_field; /* parsing an author/tags/list field's steps */
};

static enum nm_code rerr(struct ctx *c, const struct ynode *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum nm_code rerr(struct ctx *c, const struct ynode *n, const char *fmt, ...)
{
	char msg[NM_ERR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return yerr(c->e, c->d, n, NM_ERULE, "%s", msg);
}

/* Wraps a loader error (NM_ECONFIG from yaml.c helpers) as a rule error. */
static enum nm_code wrap(struct ctx *c, enum nm_code rc)
{
	if (rc && c->e)
		c->e->code = NM_ERULE;
	return rc ? NM_ERULE : NM_OK;
}

static enum nm_code compile_re(struct ctx *c, const struct ynode *n, const char *what,
			       struct re **out)
{
	if (n->type != Y_SCALAR)
		return rerr(c, n, "%s: expected a regular expression", what);
	if (ytext(c->d, n, what, c->e))
		return NM_ERULE;
	struct nm_err re_e;
	err_clear(&re_e);
	if (re_compile(n->str, out, &re_e) != NM_OK)
		return rerr(c, n, "%s: %s", what, re_e.msg);
	return NM_OK;
}

/* One regex or a list of regexes (url_include, url_exclude): a list is
 * compiled as one alternation, each member checked on its own first so an
 * error points at it. */
static enum nm_code compile_re_list(struct ctx *c, const struct ynode *n, const char *what,
				    struct re **out)
{
	if (n->type != Y_SEQ)
		return compile_re(c, n, what, out);
	if (n->n == 0)
		return rerr(c, n, "%s: expected a regular expression or a list of them", what);
	struct buf all = BUF_INIT;
	for (size_t i = 0; i < n->n; i++) {
		struct re *one = NULL;
		enum nm_code rc = compile_re(c, n->items[i], what, &one);
		re_free(one);
		if (rc) {
			buf_free(&all);
			return rc;
		}
		buf_printf(&all, "%s(?:%s)", i ? "|" : "", n->items[i]->str);
	}
	struct nm_err re_e;
	err_clear(&re_e);
	enum nm_code rc = NM_OK;
	if (re_compile(buf_cstr(&all), out, &re_e) != NM_OK)
		rc = rerr(c, n, "%s: %s", what, re_e.msg);
	buf_free(&all);
	return rc;
}

static enum nm_code parse_post(struct ctx *c, const struct ynode *n, struct step *s)
{
	if (n->type != Y_SEQ)
		return rerr(c, n, "post: expected a list of operations");
	if (n->n > RULES_MAX_STEPS)
		return rerr(c, n, "post: more than %d operations", RULES_MAX_STEPS);
	s->post = xcalloc(n->n + 1, sizeof *s->post);
	for (size_t i = 0; i < n->n; i++) {
		struct ynode *op = n->items[i];
		struct post_op *p = &s->post[s->npost];
		if (op->type == Y_SCALAR) {
			static const char *const simple[] = {"trim", "collapse_space", "nfkc",
							     "absolutize", NULL};
			static const enum post_kind kinds[] = {POST_TRIM, POST_COLLAPSE, POST_NFKC,
							       POST_ABSOLUTIZE};
			int k = -1;
			for (int j = 0; simple[j]; j++)
				if (!strcmp(op->str, simple[j]))
					k = j;
			if (k < 0)
				return rerr(c, op,
					    "post: unknown operation '%s' (expected trim, collapse_space, "
					    "nfkc, absolutize, regex_replace, split, join or map)",
					    op->str);
			p->kind = kinds[k];
			s->npost++;
			continue;
		}
		if (op->type != Y_MAP || ymap_len(op) != 1)
			return rerr(c, op, "post: expected an operation name or a one-key mapping");
		const char *k = op->items[0]->str;
		struct ynode *arg = op->items[1];
		if (!strcmp(k, "regex_replace")) {
			if (arg->type != Y_SEQ || arg->n != 2 || arg->items[0]->type != Y_SCALAR ||
			    arg->items[1]->type != Y_SCALAR)
				return rerr(c, arg, "regex_replace: expected [PATTERN, REPLACEMENT]");
			p->kind = POST_REGEX_REPLACE;
			enum nm_code rc = compile_re(c, arg->items[0], "regex_replace", &p->re);
			if (rc)
				return rc;
			p->a = xstrdup(arg->items[1]->str);
		} else if (!strcmp(k, "split")) {
			p->kind = POST_SPLIT;
			enum nm_code rc = compile_re(c, arg, "split", &p->re);
			if (rc)
				return rc;
		} else if (!strcmp(k, "join")) {
			if (arg->type != Y_SCALAR)
				return rerr(c, arg, "join: expected a separator string");
			p->kind = POST_JOIN;
			p->a = xstrdup(arg->str);
		} else if (!strcmp(k, "map")) {
			if (arg->type != Y_MAP)
				return rerr(c, arg, "map: expected a mapping of value: replacement");
			p->kind = POST_MAP;
			size_t m = ymap_len(arg);
			p->map_from = xcalloc(m + 1, sizeof *p->map_from);
			p->map_to = xcalloc(m + 1, sizeof *p->map_to);
			for (size_t j = 0; j < m; j++) {
				if (arg->items[2 * j + 1]->type != Y_SCALAR)
					return rerr(c, arg->items[2 * j + 1], "map: expected a string");
				if (ytext(c->d, arg->items[2 * j + 1], "map", c->e))
					return NM_ERULE;
				p->map_from[j] = xstrdup(arg->items[2 * j]->str);
				p->map_to[j] = xstrdup(arg->items[2 * j + 1]->str);
			}
		} else {
			return rerr(c, op->items[0], "post: unknown operation '%s'", k);
		}
		s->npost++;
	}
	return NM_OK;
}

static enum nm_code parse_validate(struct ctx *c, const struct ynode *n, struct validate *va,
				   bool is_date);


/* `pick:` (in a step or in defaults:): first, last, all or only. */
static enum nm_code parse_pick(struct ctx *c, const struct ynode *v, const char *key,
			       enum step_pick *out)
{
	static const char *const picks[] = {"first", "last", "all", "only", NULL};
	for (int i = 0; v->type == Y_SCALAR && picks[i]; i++)
		if (!strcmp(v->str, picks[i])) {
			*out = (enum step_pick)i;
			return NM_OK;
		}
	return rerr(c, v, "%s: expected first, last, all or only", key);
}
static enum nm_code parse_step(struct ctx *c, const struct ynode *n, struct step *s,
			       bool is_date)
{
	enum nm_code rc;
	if (n->type != Y_MAP)
		return rerr(c, n, "a step must be a mapping like {css: 'h1'}");
	if ((rc = ymap_check_keys(c->d, n, step_keys, "a step", c->e)))
		return wrap(c, rc);
	s->line = n->line;
	s->col = n->col;
	int found = -1;
	const struct ynode *arg = NULL;
	for (int i = 0; step_sources[i]; i++) {
		struct ynode *v = ymap_get(n, step_sources[i]);
		if (!v)
			continue;
		if (found >= 0)
			return rerr(c, n, "a step has one source; found both '%s' and '%s'",
				    step_sources[found], step_sources[i]);
		found = i;
		arg = v;
	}
	if (found < 0)
		return rerr(c, n, "a step needs a source: css, xpath, meta, jsonld, json, url, "
				  "const, from_field or auto");
	s->src = (enum step_src)found;
	if (s->src == STEP_AUTO) {
		bool on = false;
		if (ybool(c->d, arg, "auto", &on, NULL) || !on)
			return rerr(c, arg, "auto: expected 'true'");
	}
	if (arg->type != Y_SCALAR)
		return rerr(c, arg, "%s: expected a string", step_sources[found]);
	if (s->src != STEP_AUTO && ytext(c->d, arg, step_sources[found], c->e))
		return NM_ERULE;
	s->arg = xstrdup(s->src == STEP_AUTO ? "" : arg->str);
	struct nm_err se;
	err_clear(&se);
	switch (s->src) {
	case STEP_CSS:
		if (sel_compile(s->arg, &s->sel, &se) != NM_OK)
			return rerr(c, arg, "%s", se.msg);
		break;
	case STEP_URL:
		if ((rc = compile_re(c, arg, "url", &s->url_re)))
			return rc;
		break;
	case STEP_XPATH:
		if (xpath_compile(s->arg, &s->xp, &se) != NM_OK)
			return rerr(c, arg, "%s", se.msg);
		break;
	case STEP_JSONLD:
	case STEP_JSON:
		if (jpath_compile(s->arg, &s->jp, &se) != NM_OK)
			return rerr(c, arg, "%s", se.msg);
		break;
	default:
		break;
	}
	struct ynode *v;
	if ((v = ymap_get(n, "script"))) {
		if (s->src != STEP_JSON)
			return rerr(c, v, "script: applies to json steps only (JSON read from a <script>)");
		if (v->type != Y_SCALAR)
			return rerr(c, v, "script: expected a CSS selector like 'script#__NEXT_DATA__'");
		if (sel_compile(v->str, &s->script, &se) != NM_OK)
			return rerr(c, v, "%s", se.msg);
	}
	if ((v = ymap_get(n, "attr")) && (rc = wrap(c, ystr(c->d, v, "attr", &s->attr, c->e))))
		return rc;
	if ((v = ymap_get(n, "html")) && (rc = wrap(c, ybool(c->d, v, "html", &s->html, c->e))))
		return rc;
	if ((v = ymap_get(n, "pick"))) {
		if ((rc = parse_pick(c, v, "pick", &s->pick)))
			return rc;
		s->pick_set = true;
	} else if (c->def.has_pick && !c->in_list_field) {
		s->pick = c->def.pick;
		s->pick_set = true;
	}
	if ((v = ymap_get(n, "join")) && (rc = wrap(c, ystr(c->d, v, "join", &s->join, c->e))))
		return rc;
	if ((v = ymap_get(n, "regex")) && (rc = compile_re(c, v, "regex", &s->regex)))
		return rc;
	if ((v = ymap_get(n, "post")) && (rc = parse_post(c, v, s)))
		return rc;
	struct ynode *f1 = ymap_get(n, "format"), *fs = ymap_get(n, "formats");
	struct ynode *rel = ymap_get(n, "relative");
	if ((f1 || fs || ymap_get(n, "timezone") || rel) && !is_date)
		return rerr(c, f1 ? f1 : fs ? fs : rel ? rel : ymap_get(n, "timezone"),
			    "format/formats/timezone/relative apply to date fields only");
	if (rel) {
		if (rel->type == Y_SCALAR && !strcmp(rel->str, "zh"))
			s->relative = DATE_REL_ZH;
		else if (rel->type == Y_SCALAR && !strcmp(rel->str, "en"))
			s->relative = DATE_REL_EN;
		else
			return rerr(c, rel, "relative: expected zh or en");
	}
	if (f1 && fs)
		return rerr(c, fs, "give either 'format' or 'formats', not both");
	if (f1 || fs) {
		if ((rc = wrap(c, ystrlist(c->d, f1 ? f1 : fs, f1 ? "format" : "formats",
					   &s->formats, NULL, c->e))))
			return rc;
		for (char **f = s->formats; *f; f++) {
			char bad[8];
			if (!date_format_valid(*f, bad, sizeof bad))
				return rerr(c, f1 ? f1 : fs,
					    "date format '%s': unknown directive '%s'", *f, bad);
		}
	}
	if ((v = ymap_get(n, "validate")) && (rc = parse_validate(c, v, &s->v, is_date)))
		return rc;
	if (!(v = ymap_get(n, "timezone")) && is_date)
		v = (struct ynode *)c->def.timezone;
	if (v) {
		if (v->type != Y_SCALAR)
			return rerr(c, v, "timezone: expected an IANA zone name like Asia/Shanghai");
		if (tz_load(v->str, &s->tz, &se) != NM_OK)
			return rerr(c, v, "timezone: %s", se.msg);
	}
	return NM_OK;
}

static void step_clear(struct step *s)
{
	free(s->arg);
	sel_free(s->sel);
	sel_free(s->script);
	xpath_free(s->xp);
	jpath_free(s->jp);
	re_free(s->url_re);
	free(s->attr);
	free(s->join);
	re_free(s->regex);
	for (size_t i = 0; i < s->npost; i++) {
		re_free(s->post[i].re);
		free(s->post[i].a);
		ystrv_free(s->post[i].map_from);
		ystrv_free(s->post[i].map_to);
	}
	free(s->post);
	ystrv_free(s->formats);
	tz_free(s->tz);
	re_free(s->v.match);
	re_free(s->v.reject);
}

static enum nm_code parse_steps(struct ctx *c, const struct ynode *n, struct field_rule *f,
				bool is_date)
{
	if (n->type == Y_MAP) { /* shorthand: one step */
		f->steps = xcalloc(1, sizeof *f->steps);
		f->nsteps = 1;
		return parse_step(c, n, &f->steps[0], is_date);
	}
	if (n->type != Y_SEQ || n->n == 0)
		return rerr(c, n, "steps: expected a list of steps");
	if (n->n > RULES_MAX_STEPS)
		return rerr(c, n, "steps: more than %d steps", RULES_MAX_STEPS);
	f->steps = xcalloc(n->n, sizeof *f->steps);
	for (size_t i = 0; i < n->n; i++) {
		f->nsteps++;
		enum nm_code rc = parse_step(c, n->items[i], &f->steps[i], is_date);
		if (rc)
			return rc;
	}
	return NM_OK;
}

static bool is_step_map(const struct ynode *n)
{
	for (int i = 0; step_sources[i]; i++)
		if (ymap_get(n, step_sources[i]))
			return true;
	return false;
}

static enum nm_code parse_validate(struct ctx *c, const struct ynode *n, struct validate *va,
				   bool is_date)
{
	static const char *const keys[] = {"min_len", "max_len", "match", "reject",
					   "not_before", "not_after", NULL};
	enum nm_code rc;
	if (n->type != Y_MAP)
		return rerr(c, n, "validate: expected a mapping");
	if ((rc = ymap_check_keys(c->d, n, keys, "validate", c->e)))
		return wrap(c, rc);
	struct ynode *v;
	if ((v = ymap_get(n, "min_len")) &&
	    (rc = wrap(c, yint(c->d, v, "min_len", 0, 10000000, &va->min_len, c->e))))
		return rc;
	if ((v = ymap_get(n, "max_len")) &&
	    (rc = wrap(c, yint(c->d, v, "max_len", 0, 10000000, &va->max_len, c->e))))
		return rc;
	if ((v = ymap_get(n, "match")) && (rc = compile_re(c, v, "validate.match", &va->match)))
		return rc;
	if ((v = ymap_get(n, "reject")) && (rc = compile_re(c, v, "validate.reject", &va->reject)))
		return rc;
	const char *names[2] = {"not_before", "not_after"};
	for (int i = 0; i < 2; i++) {
		if (!(v = ymap_get(n, names[i])))
			continue;
		if (!is_date)
			return rerr(c, v, "%s applies to date fields only", names[i]);
		bool abs;
		int64_t val;
		if (v->type != Y_SCALAR || date_parse_bound(v->str, &abs, &val) < 0)
			return rerr(c, v, "%s: expected a date or now, now-2h, now+1d (units s m h d w)",
				    names[i]);
		if (i == 0) {
			va->has_not_before = true;
			va->not_before_rel = !abs;
			va->not_before = val;
		} else {
			va->has_not_after = true;
			va->not_after_rel = !abs;
			va->not_after = val;
		}
	}
	return NM_OK;
}

/* A field's steps, knowing the field's type (list fields keep pick: all
 * whatever `defaults:` says). */
static enum nm_code parse_field_steps(struct ctx *c, const struct ynode *n, struct field_rule *f)
{
	c->in_list_field = f->type == FT_LIST;
	enum nm_code rc = parse_steps(c, n, f, f->type == FT_DATETIME);
	c->in_list_field = false;
	return rc;
}

static enum nm_code parse_field(struct ctx *c, const char *name, const struct ynode *n,
				struct field_rule *f)
{
	static const char *const keys[] = {"steps", "type", "required", "default",
					   "validate", "fallback", NULL};
	enum nm_code rc;
	f->name = xstrdup(name);
	/* A post without a title or a body is no post. */
	f->required = !strcmp(name, "title") || !strcmp(name, "body");
	f->type = !strcmp(name, "date") || !strcmp(name, "updated") ? FT_DATETIME
		  : !strcmp(name, "author") || !strcmp(name, "tags") ? FT_LIST
		  : !strcmp(name, "lead_image")                       ? FT_URL
		  : !strcmp(name, "body")                             ? FT_HTML
								      : FT_TEXT;
	if (c->def.has_fallback)
		f->no_fallback = !c->def.fallback;
	if (n->type == Y_SEQ || (n->type == Y_MAP && is_step_map(n)))
		return parse_field_steps(c, n, f);
	if (n->type != Y_MAP)
		return rerr(c, n, "field '%s': expected a mapping with 'steps', a list of steps, "
				  "or one step", name);
	if ((rc = ymap_check_keys(c->d, n, keys, "a field", c->e)))
		return wrap(c, rc);
	struct ynode *v;
	if ((v = ymap_get(n, "type"))) {
		static const char *const types[] = {"text", "list", "datetime", "url", "html", NULL};
		int k = -1;
		for (int i = 0; v->type == Y_SCALAR && types[i]; i++)
			if (!strcmp(v->str, types[i]))
				k = i;
		if (k < 0)
			return rerr(c, v, "type: expected text, list, datetime, url or html");
		f->type = (enum field_type)k;
	}
	if ((v = ymap_get(n, "required")) &&
	    (rc = wrap(c, ybool(c->d, v, "required", &f->required, c->e))))
		return rc;
	if ((v = ymap_get(n, "default")) && (rc = wrap(c, ystr(c->d, v, "default", &f->def, c->e))))
		return rc;
	if ((v = ymap_get(n, "fallback"))) {
		bool on = true;
		if ((rc = wrap(c, ybool(c->d, v, "fallback", &on, c->e))))
			return rc;
		f->no_fallback = !on;
	}
	if ((v = ymap_get(n, "validate")) &&
	    (rc = parse_validate(c, v, &f->v, f->type == FT_DATETIME)))
		return rc;
	if (!(v = ymap_get(n, "steps"))) {
		if (f->def)
			return NM_OK;
		return rerr(c, n, "field '%s': missing 'steps'", name);
	}
	return parse_field_steps(c, v, f);
}

static struct field_rule *add_field(struct rule *r)
{
	r->fields = xrealloc(r->fields, (r->nfields + 1) * sizeof *r->fields);
	struct field_rule *f = &r->fields[r->nfields++];
	memset(f, 0, sizeof *f);
	return f;
}

static enum nm_code parse_fields(struct ctx *c, const struct ynode *n, struct rule *r)
{
	if (n->type != Y_MAP)
		return rerr(c, n, "fields: expected a mapping of field name to steps");
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const char *name = n->items[i]->str;
		bool ok = *name != '\0';
		for (const char *p = name; *p; p++)
			if (!(*p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
				ok = false;
		if (!ok)
			return rerr(c, n->items[i],
				    "field name '%s': use lower-case letters, digits and _", name);
		/* A near miss of a built-in name is probably a typo. */
		bool builtin = false;
		const char *near = NULL;
		for (int j = 0; builtin_fields[j] && !builtin; j++)
			builtin = !strcmp(name, builtin_fields[j]);
		for (int j = 0; builtin_fields[j] && !builtin; j++)
			if (ylevenshtein(name, builtin_fields[j], 1) <= 1)
				near = builtin_fields[j];
		if (!builtin && near)
			return rerr(c, n->items[i],
				    "unknown field '%s' (did you mean '%s'? custom fields must not "
				    "be one letter away from a built-in one)",
				    name, near);
		enum nm_code rc = parse_field(c, name, n->items[i + 1], add_field(r));
		if (rc)
			return rc;
	}
	return NM_OK;
}

static enum nm_code parse_sel_list(struct ctx *c, const struct ynode *n, const char *what,
				   struct sel ***out)
{
	char **v = NULL;
	size_t k = 0;
	enum nm_code rc = wrap(c, ystrlist(c->d, n, what, &v, &k, c->e));
	if (rc)
		return rc;
	*out = xcalloc(k + 1, sizeof **out);
	for (size_t i = 0; i < k; i++) {
		struct nm_err se;
		err_clear(&se);
		if (sel_compile(v[i], &(*out)[i], &se) != NM_OK) {
			ystrv_free(v);
			return rerr(c, n->type == Y_SEQ ? n->items[i] : n, "%s: %s", what, se.msg);
		}
	}
	ystrv_free(v);
	return NM_OK;
}

static enum nm_code compile_xpath(struct ctx *c, const struct ynode *n, const char *what,
				   struct xpath **out)
{
	struct nm_err se;
	err_clear(&se);
	if (!n || n->type != Y_SCALAR)
		return rerr(c, n, "%s: expected an XPath expression", what);
	if (xpath_compile(n->str, out, &se) != NM_OK)
		return rerr(c, n, "%s: %s", what, se.msg);
	return NM_OK;
}

/* body.clean.xpath: [{remove: X} | {unwrap: X} | {wrap: X, in: TAG} |
 * {move: X, into: Y}, ...] */
static enum nm_code parse_clean_xpath(struct ctx *c, const struct ynode *n, struct rule *r)
{
	static const char *const keys[] = {"remove", "unwrap", "wrap", "in", "move", "into", NULL};
	static const char *const kinds[] = {"remove", "unwrap", "wrap", "move", NULL};
	enum nm_code rc;
	if (!n)
		return NM_OK;
	if (n->type != Y_SEQ)
		return rerr(c, n, "clean.xpath: expected a list of {remove|unwrap|wrap|move: XPATH}");
	r->clean_xpath = xcalloc(n->n + 1, sizeof *r->clean_xpath);
	for (size_t i = 0; i < n->n; i++) {
		struct ynode *op = n->items[i], *v = NULL;
		struct xpath_op *x = &r->clean_xpath[r->nclean_xpath++];
		x->line = op->line;
		x->col = op->col;
		if (op->type != Y_MAP)
			return rerr(c, op, "clean.xpath: expected {remove|unwrap|wrap|move: XPATH}");
		if ((rc = ymap_check_keys(c->d, op, keys, "a clean.xpath edit", c->e)))
			return wrap(c, rc);
		int k = -1;
		for (int j = 0; kinds[j]; j++)
			if (ymap_get(op, kinds[j])) {
				if (k >= 0)
					return rerr(c, op, "clean.xpath: give one of remove, unwrap, wrap, move");
				k = j;
				v = ymap_get(op, kinds[j]);
			}
		if (k < 0)
			return rerr(c, op, "clean.xpath: give one of remove, unwrap, wrap, move");
		x->kind = (enum xop_kind)k;
		if ((rc = compile_xpath(c, v, "clean.xpath", &x->xp)))
			return rc;
		struct ynode *in = ymap_get(op, "in"), *into = ymap_get(op, "into");
		if ((in != NULL) != (x->kind == XOP_WRAP))
			return rerr(c, in ? in : op, "clean.xpath: 'in: TAG' goes with 'wrap' only");
		if ((into != NULL) != (x->kind == XOP_MOVE))
			return rerr(c, into ? into : op, "clean.xpath: 'into: XPATH' goes with 'move' only");
		if (in) {
			bool ok = in->type == Y_SCALAR && *in->str;
			for (const char *q = ok ? in->str : ""; *q; q++)
				ok &= (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '-';
			if (!ok)
				return rerr(c, in, "clean.xpath: 'in' expects a lower-case tag name");
			x->tag = xstrdup(in->str);
		}
		if (into && (rc = compile_xpath(c, into, "clean.xpath into", &x->into)))
			return rc;
	}
	return NM_OK;
}

/* pages: {single: [LINK...], next: [LINK...]}; a LINK is an XPath or
 * {xpath: X, if_contains: Y}. */
static enum nm_code parse_page_links(struct ctx *c, const struct ynode *n, const char *what,
				     struct page_link **out, size_t *nout)
{
	static const char *const keys[] = {"xpath", "if_contains", NULL};
	enum nm_code rc;
	if (n->type != Y_SEQ)
		return rerr(c, n, "pages.%s: expected a list of XPath or {xpath, if_contains}", what);
	*out = xcalloc(n->n + 1, sizeof **out);
	for (size_t i = 0; i < n->n; i++) {
		struct ynode *it = n->items[i];
		struct page_link *l = &(*out)[(*nout)++];
		if (it->type == Y_MAP) {
			if ((rc = ymap_check_keys(c->d, it, keys, "a page link", c->e)))
				return wrap(c, rc);
			if ((rc = compile_xpath(c, ymap_get(it, "xpath"), "pages", &l->xp)))
				return rc;
			struct ynode *ic = ymap_get(it, "if_contains");
			if (ic && (rc = compile_xpath(c, ic, "pages.if_contains", &l->if_contains)))
				return rc;
		} else if ((rc = compile_xpath(c, it, "pages", &l->xp))) {
			return rc;
		}
	}
	return NM_OK;
}

static enum nm_code parse_pages(struct ctx *c, const struct ynode *n, struct rule *r)
{
	static const char *const keys[] = {"single", "next", NULL};
	enum nm_code rc;
	if (n->type != Y_MAP)
		return rerr(c, n, "pages: expected a mapping with 'single' and/or 'next'");
	if ((rc = ymap_check_keys(c->d, n, keys, "pages", c->e)))
		return wrap(c, rc);
	struct ynode *v;
	if ((v = ymap_get(n, "single")) &&
	    (rc = parse_page_links(c, v, "single", &r->single_page, &r->nsingle_page)))
		return rc;
	if ((v = ymap_get(n, "next")) &&
	    (rc = parse_page_links(c, v, "next", &r->next_page, &r->nnext_page)))
		return rc;
	return NM_OK;
}

static enum nm_code parse_body(struct ctx *c, const struct ynode *n, struct rule *r)
{
	static const char *const keys[] = {"steps", "clean", "images", "links", "fallback", NULL};
	static const char *const clean_keys[] = {"remove", "unwrap", "rename", "remove_attrs",
						 "remove_paragraphs_matching", "truncate_at",
						 "xpath", "generic", "keep_attrs", NULL};
	static const char *const image_keys[] = {"lazy_attrs", NULL};
	static const char *const link_keys[] = {"strip_query_params", NULL};
	enum nm_code rc;
	if (rule_field(r, "body"))
		return rerr(c, n, "body is given both under 'fields' and as 'body'");
	if (n->type != Y_MAP)
		return rerr(c, n, "body: expected a mapping with 'steps' and 'clean'");
	if ((rc = ymap_check_keys(c->d, n, keys, "body", c->e)))
		return wrap(c, rc);
	struct ynode *v;
	if ((v = ymap_get(n, "steps"))) {
		struct field_rule *f = add_field(r);
		f->name = xstrdup("body");
		f->type = FT_HTML;
		f->required = true;
		if ((rc = parse_steps(c, v, f, false)))
			return rc;
		struct ynode *fb = ymap_get(n, "fallback");
		bool fallback = true;
		if (fb && (rc = wrap(c, ybool(c->d, fb, "fallback", &fallback, c->e))))
			return rc;
		f->no_fallback = !fallback;
	}
	if ((v = ymap_get(n, "clean")) && (rc = parse_clean_xpath(c, ymap_get(v, "xpath"), r)))
		return rc;
	if ((v = ymap_get(n, "clean"))) {
		if (v->type != Y_MAP)
			return rerr(c, v, "clean: expected a mapping");
		if ((rc = ymap_check_keys(c->d, v, clean_keys, "body.clean", c->e)))
			return wrap(c, rc);
		struct ynode *w;
		if ((w = ymap_get(v, "remove")) &&
		    (rc = parse_sel_list(c, w, "clean.remove", &r->clean_remove)))
			return rc;
		if ((w = ymap_get(v, "unwrap")) &&
		    (rc = parse_sel_list(c, w, "clean.unwrap", &r->clean_unwrap)))
			return rc;
		if ((w = ymap_get(v, "remove_paragraphs_matching")) &&
		    (rc = wrap(c, ystrlist(c->d, w, "remove_paragraphs_matching",
					   &r->clean_remove_paragraphs, NULL, c->e))))
			return rc;
		if ((w = ymap_get(v, "truncate_at")) &&
		    (rc = parse_sel_list(c, w, "clean.truncate_at", &r->clean_truncate_at)))
			return rc;
		if ((w = ymap_get(v, "remove_attrs")) &&
		    (rc = wrap(c, ystrlist(c->d, w, "remove_attrs", &r->clean_remove_attrs, NULL, c->e))))
			return rc;
		if ((w = ymap_get(v, "generic")) &&
		    (rc = wrap(c, ybool(c->d, w, "clean.generic", &r->clean_generic, c->e))))
			return rc;
		if ((w = ymap_get(v, "keep_attrs"))) {
			if ((rc = wrap(c, ystrlist(c->d, w, "clean.keep_attrs", &r->keep_attrs, NULL, c->e))))
				return rc;
			for (size_t i = 0; r->keep_attrs[i]; i++) {
				const char *a = r->keep_attrs[i];
				bool ok = *a && strlen(a) < RULES_MAX_ATTR_NAME;
				for (const char *q = a; *q; q++)
					ok &= (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') || *q == '-' ||
					      *q == '_' || *q == ':';
				if (ok && (a[0] == 'o' && a[1] == 'n'))
					return rerr(c, w->type == Y_SEQ ? w->items[i] : w,
						    "clean.keep_attrs: '%s' is an event handler; never kept", a);
				if (!ok)
					return rerr(c, w->type == Y_SEQ ? w->items[i] : w,
						    "clean.keep_attrs: '%s' is not a lower-case attribute name", a);
			}
		}
		if ((w = ymap_get(v, "rename"))) {
			if (w->type != Y_MAP)
				return rerr(c, w, "clean.rename: expected a mapping of selector: tag");
			size_t k = ymap_len(w);
			r->clean_rename = xcalloc(k + 1, sizeof *r->clean_rename);
			r->clean_rename_to = xcalloc(k + 1, sizeof *r->clean_rename_to);
			for (size_t i = 0; i < k; i++) {
				struct ynode *sk = w->items[2 * i], *tv = w->items[2 * i + 1];
				struct nm_err se;
				err_clear(&se);
				if (sel_compile(sk->str, &r->clean_rename[i], &se) != NM_OK)
					return rerr(c, sk, "clean.rename: %s", se.msg);
				bool ok = tv->type == Y_SCALAR && *tv->str;
				for (const char *q = ok ? tv->str : ""; *q; q++)
					ok &= (*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9');
				if (!ok)
					return rerr(c, tv, "clean.rename: expected a lower-case tag name");
				r->clean_rename_to[i] = xstrdup(tv->str);
			}
		}
	}
	if ((v = ymap_get(n, "images"))) {
		struct ynode *w;
		if (v->type != Y_MAP)
			return rerr(c, v, "images: expected a mapping");
		if ((rc = ymap_check_keys(c->d, v, image_keys, "body.images", c->e)))
			return wrap(c, rc);
		if ((w = ymap_get(v, "lazy_attrs")) &&
		    (rc = wrap(c, ystrlist(c->d, w, "lazy_attrs", &r->lazy_attrs, NULL, c->e))))
			return rc;
	}
	if ((v = ymap_get(n, "links"))) {
		struct ynode *w;
		if (v->type != Y_MAP)
			return rerr(c, v, "links: expected a mapping");
		if ((rc = ymap_check_keys(c->d, v, link_keys, "body.links", c->e)))
			return wrap(c, rc);
		if ((w = ymap_get(v, "strip_query_params")) &&
		    (rc = wrap(c, ystrlist(c->d, w, "strip_query_params", &r->strip_query_params,
					   NULL, c->e))))
			return rc;
	}
	return NM_OK;
}

/* A DNS host name as URLs carry it: dot-separated labels of ASCII letters,
 * digits and inner hyphens, each at most 63 bytes, 253 in all (an IPv4
 * address passes too).  why gets the reason when not. */
static bool host_name_ok(const char *h, char *why, size_t wsz)
{
	size_t n = strlen(h);
	if (strstr(h, "://") || strchr(h, '/')) {
		snprintf(why, wsz, "give the host alone, without scheme or path");
		return false;
	}
	if (n == 0 || n > RULES_MAX_HOST) {
		snprintf(why, wsz, "empty or longer than %d characters", RULES_MAX_HOST);
		return false;
	}
	size_t label = 0;
	for (size_t i = 0; i <= n; i++) {
		unsigned char ch = (unsigned char)h[i];
		if (ch == '.' || ch == '\0') {
			if (label == 0 || label > 63) {
				snprintf(why, wsz, label ? "a label longer than 63 characters"
							 : "an empty label (two dots, or a dot at an end)");
				return false;
			}
			if (h[i - 1] == '-' || h[i - label] == '-') {
				snprintf(why, wsz, "a label starts or ends with '-'");
				return false;
			}
			label = 0;
			continue;
		}
		if (ch >= 0x80) {
			snprintf(why, wsz, "write an international name in its xn-- form");
			return false;
		}
		if (!(isalnum(ch) || ch == '-')) {
			snprintf(why, wsz, ch == '*' ? "no wildcards; use host_suffixes"
				 : ch == ':' ? "no port" : "'%c' is not allowed", ch);
			return false;
		}
		label++;
	}
	return true;
}

static enum nm_code parse_match(struct ctx *c, const struct ynode *n, struct rule *r)
{
	static const char *const keys[] = {"hosts", "host_suffixes", "url_include",
					   "url_exclude", NULL};
	enum nm_code rc;
	if (n->type != Y_MAP)
		return rerr(c, n, "match: expected a mapping");
	if ((rc = ymap_check_keys(c->d, n, keys, "match", c->e)))
		return wrap(c, rc);
	struct ynode *v;
	if ((v = ymap_get(n, "hosts")) &&
	    (rc = wrap(c, ystrlist(c->d, v, "hosts", &r->hosts, NULL, c->e))))
		return rc;
	if ((v = ymap_get(n, "host_suffixes"))) {
		if ((rc = wrap(c, ystrlist(c->d, v, "host_suffixes", &r->host_suffixes, NULL, c->e))))
			return rc;
		const psl_ctx_t *psl = psl_builtin();
		for (size_t i = 0; r->host_suffixes[i]; i++) {
			const char *h = r->host_suffixes[i];
			if (*h == '.')
				memmove(r->host_suffixes[i], h + 1, strlen(h));
			if (psl && psl_is_public_suffix(psl, r->host_suffixes[i]))
				return rerr(c, v->type == Y_SEQ ? v->items[i] : v,
					    "host_suffixes: '%s' is a public suffix; it would match "
					    "every site under it",
					    r->host_suffixes[i]);
		}
	}
	for (char **h = r->hosts; h && *h; h++)
		for (char *p = *h; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	const char *what[2] = {"hosts", "host_suffixes"};
	char **lists[2] = {r->hosts, r->host_suffixes};
	for (int l = 0; l < 2; l++) {
		struct ynode *ln = ymap_get(n, what[l]);
		for (size_t i = 0; lists[l] && lists[l][i]; i++) {
			char why[96];
			if (!host_name_ok(lists[l][i], why, sizeof why))
				return rerr(c, ln->type == Y_SEQ ? ln->items[i] : ln,
					    "%s: '%s' is not a host name: %s", what[l], lists[l][i], why);
		}
	}
	for (char **h = r->host_suffixes; h && *h; h++)
		for (char *p = *h; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	if ((v = ymap_get(n, "url_include")) &&
	    (rc = compile_re_list(c, v, "url_include", &r->url_include)))
		return rc;
	if ((v = ymap_get(n, "url_exclude")) &&
	    (rc = compile_re_list(c, v, "url_exclude", &r->url_exclude)))
		return rc;
	if (!r->hosts && !r->host_suffixes)
		return rerr(c, n, "match: give 'hosts' or 'host_suffixes'");
	return NM_OK;
}

static enum nm_code parse_preprocess(struct ctx *c, const struct ynode *n, struct rule *r)
{
	static const char *const keys[] = {"find", "regex", "replace", NULL};
	enum nm_code rc;
	if (n->type != Y_SEQ)
		return rerr(c, n, "preprocess: expected a list of {find|regex, replace}");
	r->pre = xcalloc(n->n + 1, sizeof *r->pre);
	for (size_t i = 0; i < n->n; i++) {
		struct ynode *op = n->items[i], *f, *x, *rep;
		struct preprocess_op *p = &r->pre[r->npre++];
		if (op->type != Y_MAP)
			return rerr(c, op, "preprocess: expected {find|regex, replace}");
		if ((rc = ymap_check_keys(c->d, op, keys, "a preprocess step", c->e)))
			return wrap(c, rc);
		f = ymap_get(op, "find");
		x = ymap_get(op, "regex");
		rep = ymap_get(op, "replace");
		if (!!f == !!x)
			return rerr(c, op, "preprocess: give exactly one of 'find' or 'regex'");
		if (f && (rc = wrap(c, ystr(c->d, f, "find", &p->find, c->e))))
			return rc;
		if (f && !*p->find)
			return rerr(c, f, "find: empty string");
		if (x && (rc = compile_re(c, x, "regex", &p->re)))
			return rc;
		if (rep && (rc = wrap(c, ystr(c->d, rep, "replace", &p->replace, c->e))))
			return rc;
		if (!p->replace)
			p->replace = xstrdup("");
	}
	return NM_OK;
}

static enum nm_code parse_fetch(struct ctx *c, const struct ynode *n, struct rule *r)
{
	static const char *const keys[] = {"charset", "type", "headers", "rewrite_url",
					   "timeout_s", "delay_ms", "follow_meta_refresh", NULL};
	enum nm_code rc;
	if (n->type != Y_MAP)
		return rerr(c, n, "fetch: expected a mapping");
	if ((rc = ymap_check_keys(c->d, n, keys, "fetch", c->e)))
		return wrap(c, rc);
	struct ynode *v;
	if ((v = ymap_get(n, "charset")) && (rc = wrap(c, ystr(c->d, v, "charset", &r->charset, c->e))))
		return rc;
	if ((v = ymap_get(n, "type"))) {
		static const char *const types[] = {"auto", "html", "json", NULL};
		int k = -1;
		for (int i = 0; v->type == Y_SCALAR && types[i]; i++)
			if (!strcmp(v->str, types[i]))
				k = i;
		if (k < 0)
			return rerr(c, v, "fetch.type: expected auto, html or json");
		r->fetch_type = (enum fetch_type)k;
	}
	if ((v = ymap_get(n, "headers"))) {
		if (v->type != Y_MAP)
			return rerr(c, v, "fetch.headers: expected a mapping of header: value");
		r->headers = xcalloc(ymap_len(v) + 1, sizeof *r->headers);
		for (size_t i = 0; i < ymap_len(v); i++) {
			struct ynode *k = v->items[2 * i], *val = v->items[2 * i + 1];
			if (val->type == Y_SCALAR && ytext(c->d, val, "fetch.headers", c->e))
				return NM_ERULE;
			if (val->type != Y_SCALAR || strpbrk(k->str, ": \r\n") || strpbrk(val->str, "\r\n"))
				return rerr(c, val->type != Y_SCALAR ? val : k,
					    "fetch.headers: expected 'Name: value' without line breaks");
			struct buf h = BUF_INIT;
			buf_printf(&h, "%s: %s", k->str, val->str);
			r->headers[i] = buf_detach(&h);
		}
	}
	if ((v = ymap_get(n, "rewrite_url"))) {
		static const char *const rkeys[] = {"from", "to", NULL};
		if (v->type != Y_SEQ)
			return rerr(c, v, "rewrite_url: expected a list of {from: REGEX, to: URL}");
		r->rewrites = xcalloc(v->n + 1, sizeof *r->rewrites);
		for (size_t i = 0; i < v->n; i++) {
			struct ynode *w = v->items[i], *f, *t;
			struct rewrite *rw = &r->rewrites[r->nrewrites++];
			if (w->type != Y_MAP)
				return rerr(c, w, "rewrite_url: expected {from: REGEX, to: URL}");
			if ((rc = ymap_check_keys(c->d, w, rkeys, "rewrite_url", c->e)))
				return wrap(c, rc);
			if (!(f = ymap_get(w, "from")) || !(t = ymap_get(w, "to")))
				return rerr(c, w, "rewrite_url: needs both 'from' and 'to'");
			if ((rc = compile_re(c, f, "rewrite_url.from", &rw->from)) ||
			    (rc = wrap(c, ystr(c->d, t, "rewrite_url.to", &rw->to, c->e))))
				return rc;
		}
	}
	if ((v = ymap_get(n, "timeout_s")) &&
	    (rc = wrap(c, yint(c->d, v, "timeout_s", 1, 3600, &r->timeout_s, c->e))))
		return rc;
	if ((v = ymap_get(n, "delay_ms")) &&
	    (rc = wrap(c, yint(c->d, v, "delay_ms", 0, 3600000, &r->delay_ms, c->e))))
		return rc;
	if ((v = ymap_get(n, "follow_meta_refresh")) &&
	    (rc = wrap(c, ybool(c->d, v, "follow_meta_refresh", &r->follow_meta_refresh, c->e))))
		return rc;
	return NM_OK;
}

static enum nm_code parse_discovery(struct ctx *c, const struct ynode *n, struct rule *r)
{
	static const char *const keys[] = {"item_links", "items", "item_url", "item_fields",
					   "next_page", "url_include", "url_exclude", NULL};
	enum nm_code rc;
	if (n->type != Y_MAP)
		return rerr(c, n, "discovery: expected a mapping");
	if ((rc = ymap_check_keys(c->d, n, keys, "discovery", c->e)))
		return wrap(c, rc);
	struct discovery *d = r->discovery = xcalloc(1, sizeof *d);
	struct ynode *v;
	if ((v = ymap_get(n, "item_links"))) {
		struct field_rule tmp = {0};
		rc = parse_steps(c, v, &tmp, false);
		d->item_links = tmp.steps;
		d->nitem_links = tmp.nsteps;
		if (rc)
			return rc;
	}
	if ((v = ymap_get(n, "items"))) {
		struct ynode *j = ymap_get(v, "json");
		if (v->type != Y_MAP || ymap_len(v) != 1 || !j || j->type != Y_SCALAR)
			return rerr(c, v, "items: expected {json: PATH}");
		struct nm_err se;
		err_clear(&se);
		if (jpath_compile(j->str, &d->items, &se) != NM_OK)
			return rerr(c, j, "%s", se.msg);
	}
	if (!d->item_links && !d->items)
		return rerr(c, n, "discovery: give 'item_links' (HTML lists) or 'items' (JSON lists)");
	if ((v = ymap_get(n, "item_url")) &&
	    (rc = wrap(c, ystr(c->d, v, "item_url", &d->item_url, c->e))))
		return rc;
	if (d->items && !d->item_url)
		return rerr(c, n, "discovery: JSON 'items' need an 'item_url' template");
	if ((v = ymap_get(n, "item_fields"))) {
		if (v->type != Y_MAP)
			return rerr(c, v, "item_fields: expected a mapping of field: step");
		d->item_fields = xcalloc(ymap_len(v) + 1, sizeof *d->item_fields);
		for (size_t i = 0; i < ymap_len(v); i++) {
			struct field_rule *f = &d->item_fields[d->nitem_fields++];
			if ((rc = parse_field(c, v->items[2 * i]->str, v->items[2 * i + 1], f)))
				return rc;
			f->required = false;
		}
	}
	if ((v = ymap_get(n, "next_page"))) {
		d->next_page = xcalloc(1, sizeof *d->next_page);
		if ((rc = parse_step(c, v, d->next_page, false)))
			return rc;
	}
	if ((v = ymap_get(n, "url_include")) &&
	    (rc = compile_re_list(c, v, "url_include", &d->url_include)))
		return rc;
	if ((v = ymap_get(n, "url_exclude")) &&
	    (rc = compile_re_list(c, v, "url_exclude", &d->url_exclude)))
		return rc;
	return NM_OK;
}

static void field_clear(struct field_rule *f)
{
	free(f->name);
	for (size_t j = 0; j < f->nsteps; j++)
		step_clear(&f->steps[j]);
	free(f->steps);
	free(f->def);
	re_free(f->v.match);
	re_free(f->v.reject);
}

static void discovery_free(struct discovery *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nitem_links; i++)
		step_clear(&d->item_links[i]);
	free(d->item_links);
	jpath_free(d->items);
	free(d->item_url);
	for (size_t i = 0; i < d->nitem_fields; i++)
		field_clear(&d->item_fields[i]);
	free(d->item_fields);
	if (d->next_page) {
		step_clear(d->next_page);
		free(d->next_page);
	}
	re_free(d->url_include);
	re_free(d->url_exclude);
	free(d);
}

void rule_fetch_url(const struct rule *r, const char *url, struct buf *out)
{
	for (size_t i = 0; r && i < r->nrewrites; i++) {
		size_t s0, l0;
		if (re_search(r->rewrites[i].from, url, strlen(url), &s0, &l0) == 1) {
			struct buf t = BUF_INIT;
			if (re_replace(r->rewrites[i].from, url, strlen(url), r->rewrites[i].to, &t) >= 0) {
				buf_put(out, buf_cstr(&t), t.len);
				buf_free(&t);
				return;
			}
			buf_free(&t);
		}
	}
	buf_puts(out, url);
}

static enum nm_code parse_tests(struct ctx *c, const struct ynode *n, struct rule *r)
{
	static const char *const keys[] = {"input", "url", "now", "expect", NULL};
	static const char *const special[] = {"body_contains", "body_not_contains",
					      "body_min_chars", NULL};
	enum nm_code rc;
	if (n->type != Y_SEQ)
		return rerr(c, n, "tests: expected a list of {input, url, expect}");
	char *dir = xstrdup(r->file);
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[1] = '\0';
	else
		dir[0] = '\0';
	r->tests = xcalloc(n->n + 1, sizeof *r->tests);
	rc = NM_OK;
	for (size_t i = 0; i < n->n && !rc; i++) {
		struct ynode *t = n->items[i], *v;
		struct rule_test *rt = &r->tests[r->ntests++];
		rt->line = t->line;
		rt->col = t->col;
		if (t->type != Y_MAP) {
			rc = rerr(c, t, "tests: expected {input, url, expect}");
			break;
		}
		if ((rc = wrap(c, ymap_check_keys(c->d, t, keys, "a test", c->e))))
			break;
		if ((v = ymap_get(t, "input")) && v->type != Y_SCALAR) {
			rc = rerr(c, v, "test: 'input' expects a page file next to the rule");
			break;
		}
		if (v) {
			struct buf p = BUF_INIT;
			if (v->str[0] != '/')
				buf_puts(&p, dir);
			buf_puts(&p, v->str);
			rt->input = buf_detach(&p);
		}
		if ((v = ymap_get(t, "url")) && (rc = wrap(c, ystr(c->d, v, "url", &rt->url, c->e))))
			break;
		if (!rt->input && (!rt->url || strncmp(rt->url, "http", 4))) {
			rc = rerr(c, t, "test: missing 'input' (a page file next to the rule), or "
					"an http(s) 'url' alone for an online test");
			break;
		}
		if ((v = ymap_get(t, "now")) && (rc = wrap(c, ystr(c->d, v, "now", &rt->now, c->e))))
			break;
		if (!rt->input && !ymap_get(t, "expect"))
			continue; /* an online test may only ask that the page extracts */
		if (!(v = ymap_get(t, "expect")) || v->type != Y_MAP) {
			rc = rerr(c, t, "test: missing 'expect' (a mapping of field: value)");
			break;
		}
		rt->expect = xcalloc(ymap_len(v) + 1, sizeof *rt->expect);
		for (size_t j = 0; j < ymap_len(v); j++) {
			struct ynode *k = v->items[2 * j], *val = v->items[2 * j + 1];
			bool known = false;
			for (int q = 0; special[q]; q++)
				known |= !strcmp(k->str, special[q]);
			for (int q = 0; builtin_fields[q]; q++)
				known |= !strcmp(k->str, builtin_fields[q]);
			known |= rule_field(r, k->str) != NULL || !strcmp(k->str, "slug");
			if (!known) {
				rc = rerr(c, k, "expect: '%s' is not a field of this rule", k->str);
				break;
			}
			if (val->type != Y_SCALAR && !(val->type == Y_SEQ)) {
				rc = rerr(c, val, "expect: expected a string or a list of strings");
				break;
			}
			bool each = val->type == Y_SEQ && (!strcmp(k->str, "body_contains") ||
							   !strcmp(k->str, "body_not_contains"));
			if (each) {
				/* every string of the list is checked on its own */
				rt->expect = xrealloc(rt->expect, (rt->nexpect + val->n + ymap_len(v) + 1) *
									  sizeof *rt->expect);
				for (size_t q = 0; q < val->n; q++) {
					rt->expect[rt->nexpect].key = xstrdup(k->str);
					rt->expect[rt->nexpect].value = xstrdup(
						val->items[q]->type == Y_SCALAR ? val->items[q]->str : "");
					rt->nexpect++;
				}
				continue;
			}
			struct buf b = BUF_INIT;
			if (val->type == Y_SCALAR) {
				buf_puts(&b, val->str);
			} else {
				for (size_t q = 0; q < val->n; q++)
					buf_printf(&b, "%s%s", q ? ", " : "",
						   val->items[q]->type == Y_SCALAR ? val->items[q]->str : "");
			}
			rt->expect[rt->nexpect].key = xstrdup(k->str);
			rt->expect[rt->nexpect].value = buf_detach(&b);
			rt->nexpect++;
		}
	}
	free(dir);
	return rc;
}

/* `defaults:` — step options for every step that does not set them. */
static enum nm_code parse_defaults(struct ctx *c, const struct ynode *n)
{
	static const char *const keys[] = {"pick", "timezone", "fallback", NULL};
	enum nm_code rc;
	if (n->type != Y_MAP)
		return rerr(c, n, "defaults: expected a mapping like {pick: only, timezone: UTC}");
	if ((rc = ymap_check_keys(c->d, n, keys, "defaults", c->e)))
		return wrap(c, rc);
	struct ynode *v;
	if ((v = ymap_get(n, "pick"))) {
		if ((rc = parse_pick(c, v, "defaults.pick", &c->def.pick)))
			return rc;
		c->def.has_pick = true;
	}
	if ((v = ymap_get(n, "timezone"))) {
		struct tz *z = NULL;
		struct nm_err se;
		err_clear(&se);
		if (v->type != Y_SCALAR || tz_load(v->str, &z, &se) != NM_OK)
			return rerr(c, v, "defaults.timezone: %s",
				    v->type == Y_SCALAR ? se.msg : "expected an IANA zone name");
		tz_free(z);
		c->def.timezone = v;
	}
	if ((v = ymap_get(n, "fallback"))) {
		if ((rc = wrap(c, ybool(c->d, v, "defaults.fallback", &c->def.fallback, c->e))))
			return rc;
		c->def.has_fallback = true;
	}
	return NM_OK;
}

static enum nm_code rule_from_tree(const struct ydoc *d, struct ynode *root, const char *path,
				   struct rule **out, struct nm_err *e)
{
	static const char *const keys[] = {"name", "match", "priority", "extends", "fetch",
					   "preprocess", "fields", "body", "discovery", "output",
					   "tests", "imported", "pages", "defaults", NULL};
	enum nm_code rc = NM_OK;
	struct ctx c = {.d = d, .e = e};
	struct rule *r = xcalloc(1, sizeof *r);
	r->file = xstrdup(path);
	struct ynode *v;
	if (!root || root->type != Y_MAP) {
		rc = rerr(&c, root, "a rule file must be a mapping (name, match, fields, ...)");
		goto out;
	}
	if ((rc = wrap(&c, ymap_check_keys(d, root, keys, "a rule", e))))
		goto out;
	if (!(v = ymap_get(root, "name"))) {
		rc = rerr(&c, root, "missing key 'name'");
		goto out;
	}
	if ((rc = wrap(&c, ystr(d, v, "name", &r->name, e))))
		goto out;
	/* A rule without `match` is a base: used through extends or a source's
	 * `rule:`, never chosen by URL. */
	if ((v = ymap_get(root, "match")) && (rc = parse_match(&c, v, r)))
		goto out;
	if ((v = ymap_get(root, "priority")) &&
	    (rc = wrap(&c, yint(d, v, "priority", -1000, 1000, &r->priority, e))))
		goto out;
	if ((v = ymap_get(root, "fetch")) && (rc = parse_fetch(&c, v, r)))
		goto out;
	if ((v = ymap_get(root, "preprocess")) && (rc = parse_preprocess(&c, v, r)))
		goto out;
	if ((v = ymap_get(root, "defaults")) && (rc = parse_defaults(&c, v)))
		goto out;
	if ((v = ymap_get(root, "fields")) && (rc = parse_fields(&c, v, r)))
		goto out;
	if ((v = ymap_get(root, "body")) && (rc = parse_body(&c, v, r)))
		goto out;
	if ((v = ymap_get(root, "discovery")) && (rc = parse_discovery(&c, v, r)))
		goto out;
	if ((v = ymap_get(root, "tests")) && (rc = parse_tests(&c, v, r)))
		goto out;
	if ((v = ymap_get(root, "imported")) &&
	    (rc = wrap(&c, ystr(d, v, "imported", &r->imported, e))))
		goto out;
	if ((v = ymap_get(root, "pages")) && (rc = parse_pages(&c, v, r)))
		goto out;
	if ((v = ymap_get(root, "output"))) {
		if ((rc = wrap(&c, config_parse_output(d, v, &r->output, e))))
			goto out;
		struct ynode *s = ymap_get(v, "slug");
		if (s) {
			r->slug = xcalloc(1, sizeof *r->slug);
			if ((rc = parse_step(&c, s, r->slug, false)))
				goto out;
		}
	}
out:
	if (rc) {
		rule_free(r);
		return NM_ERULE;
	}
	*out = r;
	return NM_OK;
}

/* ---- extends -------------------------------------------------------- */

struct rdoc {
	char *path;
	struct ydoc *d;
	const char *name; /* the rule's name: (borrowed), or NULL */
	int state;        /* 0 new, 1 resolving (cycle check), 2 done */
	struct ynode *merged;
};

static bool skip_inherit(const char *k)
{
	static const char *const own[] = {"name", "match", "priority", "extends", "tests",
					  "imported", NULL};
	for (int i = 0; own[i]; i++)
		if (!strcmp(k, own[i]))
			return true;
	return false;
}

static struct ynode *merge(struct ydoc *owner, const struct ynode *pv, const struct ynode *cv,
			   const char *key, int level);

/* One level of mapping merge: parent's keys in order (child's value wins,
 * merged for the keys that merge deeper), then the child's new keys. */
static struct ynode *merge_map(struct ydoc *owner, const struct ynode *p, const struct ynode *c,
			       int level, bool top)
{
	struct ynode *m = ynode_new(owner, Y_MAP, c);
	for (size_t i = 0; i + 1 < p->n; i += 2) {
		const char *k = p->items[i]->str;
		if (top && skip_inherit(k))
			continue;
		struct ynode *cv = ymap_get(c, k);
		ynode_add(m, p->items[i]);
		ynode_add(m, cv ? merge(owner, p->items[i + 1], cv, k, level + 1) : p->items[i + 1]);
	}
	for (size_t i = 0; i + 1 < c->n; i += 2)
		if (!ymap_get(p, c->items[i]->str) || (top && skip_inherit(c->items[i]->str))) {
			ynode_add(m, c->items[i]);
			ynode_add(m, c->items[i + 1]);
		}
	return m;
}

static struct ynode *merge(struct ydoc *owner, const struct ynode *pv, const struct ynode *cv,
			   const char *key, int level)
{
	bool maps = pv->type == Y_MAP && cv->type == Y_MAP;
	bool lists = pv->type == Y_SEQ && cv->type == Y_SEQ;
	if (level == 1 && maps &&
	    (!strcmp(key, "fields") || !strcmp(key, "body") || !strcmp(key, "output") ||
	     !strcmp(key, "fetch") || !strcmp(key, "discovery")))
		return merge_map(owner, pv, cv, level, false);
	if (level == 2 && maps && !strcmp(key, "clean"))
		return merge_map(owner, pv, cv, level, false);
	if (lists && ((level == 1 && !strcmp(key, "preprocess")) || level == 3)) {
		/* preprocess and the body.clean lists: the parent's, then the child's */
		struct ynode *l = ynode_new(owner, Y_SEQ, cv);
		for (size_t i = 0; i < pv->n; i++)
			ynode_add(l, pv->items[i]);
		for (size_t i = 0; i < cv->n; i++)
			ynode_add(l, cv->items[i]);
		return l;
	}
	return (struct ynode *)cv;
}

static bool yaml_name(const char *n);

/* The merged tree of docs[i] (its extends chain applied). */
static enum nm_code resolve(struct rdoc *docs, size_t n, size_t i, int depth, struct nm_err *e)
{
	struct rdoc *rd = &docs[i];
	if (rd->state == 2)
		return NM_OK;
	struct ynode *root = rd->d->root;
	struct ynode *ext = root && root->type == Y_MAP ? ymap_get(root, "extends") : NULL;
	if (!ext) {
		rd->merged = root;
		rd->state = 2;
		return NM_OK;
	}
	if (rd->state == 1)
		return yerr(e, rd->d, ext, NM_ERULE, "extends: cycle through '%s'",
			    ext->type == Y_SCALAR ? ext->str : "?");
	if (depth > RULES_MAX_EXTENDS)
		return yerr(e, rd->d, ext, NM_ERULE, "extends: chain longer than %d", RULES_MAX_EXTENDS);
	if (ext->type != Y_SCALAR)
		return yerr(e, rd->d, ext, NM_ERULE, "extends: expected a rule name or file");
	size_t k = n;
	for (size_t j = 0; j < n && k == n; j++) {
		if (!docs[j].d || j == i)
			continue;
		if (docs[j].name && !strcmp(docs[j].name, ext->str))
			k = j;
		else if (yaml_name(ext->str)) {
			/* a file path, relative to the extending file */
			struct buf want = BUF_INIT;
			const char *slash = strrchr(rd->path, '/');
			if (ext->str[0] != '/' && slash)
				buf_put(&want, rd->path, (size_t)(slash - rd->path + 1));
			buf_puts(&want, ext->str);
			char a[PATH_MAX], b[PATH_MAX];
			if (realpath(buf_cstr(&want), a) && realpath(docs[j].path, b) && !strcmp(a, b))
				k = j;
			buf_free(&want);
		}
	}
	if (k == n)
		return yerr(e, rd->d, ext, NM_ERULE, "extends: no rule named '%s' here", ext->str);
	rd->state = 1;
	enum nm_code rc = resolve(docs, n, k, depth + 1, e);
	if (rc) {
		rd->state = 0;
		return rc;
	}
	if (!docs[k].merged || docs[k].merged->type != Y_MAP || root->type != Y_MAP)
		return yerr(e, rd->d, ext, NM_ERULE, "extends: '%s' is not a rule mapping", ext->str);
	rd->merged = merge_map(rd->d, docs[k].merged, root, 0, true);
	rd->state = 2;
	return NM_OK;
}

static void rdocs_free(struct rdoc *docs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(docs[i].path);
		ydoc_free(docs[i].d);
	}
	free(docs);
}

/* Loads the YAML of every path (no rule parsing yet).  With only <
 * n, only paths[only] must load: the others are candidates for its
 * `extends` and one that does not parse is left out (its own check reports
 * it), so a broken neighbour never stands in for this file's error. */
static enum nm_code load_docs(char **paths, size_t n, size_t only, struct rdoc **out,
			      struct nm_err *e)
{
	struct rdoc *docs = xcalloc(n + 1, sizeof *docs);
	for (size_t i = 0; i < n; i++) {
		docs[i].path = xstrdup(paths[i]);
		if (only < n && i != only) {
			if (ydoc_load(paths[i], &docs[i].d, NULL) != NM_OK)
				docs[i].d = NULL;
			struct ynode *nm = docs[i].d ? ymap_get(docs[i].d->root, "name") : NULL;
			docs[i].name = nm && nm->type == Y_SCALAR ? nm->str : NULL;
			continue;
		}
		if (ydoc_load(paths[i], &docs[i].d, e) != NM_OK) {
			rdocs_free(docs, i + 1);
			if (e)
				e->code = NM_ERULE;
			return NM_ERULE;
		}
		struct ynode *nm = ymap_get(docs[i].d->root, "name");
		docs[i].name = nm && nm->type == Y_SCALAR ? nm->str : NULL;
	}
	*out = docs;
	return NM_OK;
}

static enum nm_code collect(const char *dir, int depth, char ***paths, size_t *n,
			    struct nm_err *e);

enum nm_code rule_load_mem(const char *text, size_t n, const char *name, struct rule **out,
			   struct nm_err *e)
{
	struct ydoc *d = NULL;
	if (ydoc_parse(text, n, name, &d, e) != NM_OK) {
		if (e)
			e->code = NM_ERULE;
		return NM_ERULE;
	}
	enum nm_code rc;
	if (!d->root)
		rc = yerr(e, d, NULL, NM_ERULE, "empty rule file");
	else if (d->root->type == Y_MAP && ymap_get(d->root, "extends"))
		rc = yerr(e, d, ymap_get(d->root, "extends"), NM_ERULE,
			  "extends: needs a rule file in a folder");
	else
		rc = rule_from_tree(d, d->root, name, out, e);
	ydoc_free(d);
	return rc;
}

enum nm_code rule_load(const char *path, struct rule **out, struct nm_err *e)
{
	struct ydoc *d = NULL;
	if (ydoc_load(path, &d, e) != NM_OK) {
		if (e)
			e->code = NM_ERULE;
		return NM_ERULE;
	}
	struct ynode *root = d->root;
	if (!root || root->type != Y_MAP || !ymap_get(root, "extends")) {
		enum nm_code rc = root ? rule_from_tree(d, root, path, out, e)
				       : yerr(e, d, NULL, NM_ERULE, "empty rule file");
		ydoc_free(d);
		return rc;
	}
	ydoc_free(d);
	/* extends: the parent is looked up among the rule files of this file's
	 * folder and of the folder above (each with one level of subfolders). */
	char **paths = NULL;
	size_t n = 0;
	struct buf dir = BUF_INIT;
	const char *slash = strrchr(path, '/');
	buf_put(&dir, path, slash ? (size_t)(slash - path) : 0);
	if (!dir.len)
		buf_puts(&dir, ".");
	struct nm_err ignore;
	struct buf up = BUF_INIT;
	buf_printf(&up, "%s/..", buf_cstr(&dir));
	collect(buf_cstr(&up), 0, &paths, &n, &ignore);
	size_t self = n;
	paths = xrealloc(paths, (n + 1) * sizeof *paths);
	paths[n++] = xstrdup(path);
	buf_free(&dir);
	buf_free(&up);
	struct rdoc *docs = NULL;
	enum nm_code rc = load_docs(paths, n, self, &docs, e);
	if (!rc)
		rc = resolve(docs, n, self, 0, e);
	if (!rc)
		rc = rule_from_tree(docs[self].d, docs[self].merged, path, out, e);
	if (docs)
		rdocs_free(docs, n);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	return rc;
}

static void sel_list_free(struct sel **v)
{
	for (struct sel **p = v; p && *p; p++)
		sel_free(*p);
	free(v);
}

void rule_free(struct rule *r)
{
	if (!r)
		return;
	free(r->name);
	free(r->file);
	ystrv_free(r->hosts);
	ystrv_free(r->host_suffixes);
	re_free(r->url_include);
	re_free(r->url_exclude);
	free(r->charset);
	for (size_t i = 0; i < r->npre; i++) {
		free(r->pre[i].find);
		re_free(r->pre[i].re);
		free(r->pre[i].replace);
	}
	free(r->pre);
	for (size_t i = 0; i < r->nfields; i++)
		field_clear(&r->fields[i]);
	free(r->fields);
	ystrv_free(r->headers);
	for (size_t i = 0; i < r->nrewrites; i++) {
		re_free(r->rewrites[i].from);
		free(r->rewrites[i].to);
	}
	free(r->rewrites);
	discovery_free(r->discovery);
	for (size_t i = 0; i < r->ntests; i++) {
		free(r->tests[i].input);
		free(r->tests[i].url);
		free(r->tests[i].now);
		for (size_t j = 0; j < r->tests[i].nexpect; j++) {
			free(r->tests[i].expect[j].key);
			free(r->tests[i].expect[j].value);
		}
		free(r->tests[i].expect);
	}
	free(r->tests);
	sel_list_free(r->clean_remove);
	sel_list_free(r->clean_unwrap);
	ystrv_free(r->clean_remove_paragraphs);
	sel_list_free(r->clean_rename);
	ystrv_free(r->clean_rename_to);
	ystrv_free(r->clean_remove_attrs);
	sel_list_free(r->clean_truncate_at);
	ystrv_free(r->keep_attrs);
	ystrv_free(r->lazy_attrs);
	ystrv_free(r->strip_query_params);
	settings_output_free(&r->output);
	free(r->imported);
	for (size_t i = 0; i < r->nclean_xpath; i++) {
		xpath_free(r->clean_xpath[i].xp);
		xpath_free(r->clean_xpath[i].into);
		free(r->clean_xpath[i].tag);
	}
	free(r->clean_xpath);
	for (size_t i = 0; i < r->nsingle_page; i++) {
		xpath_free(r->single_page[i].xp);
		xpath_free(r->single_page[i].if_contains);
	}
	free(r->single_page);
	for (size_t i = 0; i < r->nnext_page; i++) {
		xpath_free(r->next_page[i].xp);
		xpath_free(r->next_page[i].if_contains);
	}
	free(r->next_page);
	if (r->slug) {
		step_clear(r->slug);
		free(r->slug);
	}
	free(r);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool yaml_name(const char *n)
{
	size_t l = strlen(n);
	return n[0] != '.' && ((l > 4 && !strcmp(n + l - 4, ".yml")) ||
			       (l > 5 && !strcmp(n + l - 5, ".yaml")));
}

/* Collects rule file paths from dir and its direct subfolders. */
static enum nm_code collect(const char *dir, int depth, char ***paths, size_t *n,
			    struct nm_err *e)
{
	DIR *dp = opendir(dir);
	if (!dp) {
		err_where(e, dir, 0, 0);
		return err_set(e, NM_ERULE, "cannot read rules folder");
	}
	struct dirent *de;
	enum nm_code rc = NM_OK;
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.')
			continue;
		struct buf p = BUF_INIT;
		buf_printf(&p, "%s/%s", dir, de->d_name);
		struct stat st;
		if (stat(buf_cstr(&p), &st) == 0 && S_ISDIR(st.st_mode) && depth == 0) {
			rc = collect(buf_cstr(&p), 1, paths, n, e);
		} else if (S_ISREG(st.st_mode) && yaml_name(de->d_name)) {
			if (*n >= RULES_MAX_FILES) {
				err_where(e, dir, 0, 0);
				rc = err_set(e, NM_ERULE, "more than %d rule files; refused",
					     RULES_MAX_FILES);
			} else {
				*paths = xrealloc(*paths, (*n + 1) * sizeof **paths);
				(*paths)[(*n)++] = buf_detach(&p);
			}
		}
		buf_free(&p);
		if (rc)
			break;
	}
	closedir(dp);
	return rc;
}

static int path_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum nm_code rules_files(const char *dir, char ***paths, size_t *n, struct nm_err *e)
{
	*paths = NULL;
	*n = 0;
	enum nm_code rc = collect(dir, 0, paths, n, e);
	if (*n)
		qsort(*paths, *n, sizeof **paths, path_cmp);
	return rc;
}

static void index_build(struct ruleset *rs);
static void index_free(struct rule_index *ix);

enum nm_code ruleset_load(const char *dir, bool missing_ok, struct ruleset *rs,
			  struct nm_err *e)
{
	memset(rs, 0, sizeof *rs);
	struct stat st;
	if (stat(dir, &st) != 0) {
		if (missing_ok)
			return NM_OK;
		err_where(e, dir, 0, 0);
		return err_set(e, NM_ERULE, "rules folder not found");
	}
	char **paths = NULL;
	size_t n = 0;
	enum nm_code rc = collect(dir, 0, &paths, &n, e);
	if (!rc && n)
		qsort(paths, n, sizeof *paths, cmp_str);
	rs->rules = xcalloc(n + 1, sizeof *rs->rules);
	struct rdoc *docs = NULL;
	if (!rc)
		rc = load_docs(paths, n, n, &docs, e);
	for (size_t i = 0; !rc && i < n; i++) {
		if (!docs[i].d->root) {
			rc = yerr(e, docs[i].d, NULL, NM_ERULE, "empty rule file");
			break;
		}
		if ((rc = resolve(docs, n, i, 0, e)))
			break;
		if ((rc = rule_from_tree(docs[i].d, docs[i].merged, paths[i], &rs->rules[rs->n], e)))
			break;
		for (size_t j = 0; j < rs->n; j++)
			if (!strcmp(rs->rules[j]->name, rs->rules[rs->n]->name)) {
				err_where(e, paths[i], 0, 0);
				rc = err_set(e, NM_ERULE, "rule name '%s' already used by %s",
					     rs->rules[j]->name, rs->rules[j]->file);
				rule_free(rs->rules[rs->n]);
				break;
			}
		if (!rc)
			rs->n++;
	}
	if (docs)
		rdocs_free(docs, n);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	if (rc)
		ruleset_free(rs);
	else
		index_build(rs);
	return rc;
}

void ruleset_free(struct ruleset *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		rule_free(rs->rules[i]);
	free(rs->rules);
	index_free(rs->idx);
	memset(rs, 0, sizeof *rs);
}

/* ---- URL -> rule ------------------------------------------------------ */

/* A hash of every host and host suffix the rules name, so finding a URL's
 * rule costs a few probes (one per label of the host), not a scan. */
struct rule_index {
	struct slot {
		const char *key;  /* borrowed from the rule */
		uint32_t *rules;  /* indices into ruleset.rules */
		uint32_t n;
		bool exact;
	} *slots;
	size_t cap;
};

static uint64_t hash_str(const char *s, size_t n, bool exact)
{
	uint64_t h = exact ? 0x9e3779b97f4a7c15ULL : 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static struct slot *index_find(const struct rule_index *ix, const char *k, size_t n, bool exact)
{
	if (!ix || !ix->cap)
		return NULL;
	size_t i = hash_str(k, n, exact) & (ix->cap - 1);
	for (;; i = (i + 1) & (ix->cap - 1)) {
		struct slot *sl = &ix->slots[i];
		if (!sl->key)
			return sl;
		if (sl->exact == exact && strlen(sl->key) == n && !memcmp(sl->key, k, n))
			return sl;
	}
}

static void index_add(struct rule_index *ix, const char *k, bool exact, uint32_t rule)
{
	struct slot *sl = index_find(ix, k, strlen(k), exact);
	if (!sl->key) {
		sl->key = k;
		sl->exact = exact;
	}
	for (uint32_t i = 0; i < sl->n; i++)
		if (sl->rules[i] == rule)
			return;
	sl->rules = xrealloc(sl->rules, (sl->n + 1) * sizeof *sl->rules);
	sl->rules[sl->n++] = rule;
}

static void index_build(struct ruleset *rs)
{
	size_t keys = 0;
	for (size_t i = 0; i < rs->n; i++) {
		for (char **p = rs->rules[i]->hosts; p && *p; p++)
			keys++;
		for (char **p = rs->rules[i]->host_suffixes; p && *p; p++)
			keys++;
	}
	struct rule_index *ix = xcalloc(1, sizeof *ix);
	ix->cap = 16;
	while (ix->cap < keys * 2 + 1)
		ix->cap *= 2;
	ix->slots = xcalloc(ix->cap, sizeof *ix->slots);
	for (size_t i = 0; i < rs->n; i++) {
		for (char **p = rs->rules[i]->hosts; p && *p; p++)
			index_add(ix, *p, true, (uint32_t)i);
		for (char **p = rs->rules[i]->host_suffixes; p && *p; p++)
			index_add(ix, *p, false, (uint32_t)i);
	}
	rs->idx = ix;
}

static void index_free(struct rule_index *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->cap; i++)
		free(ix->slots[i].rules);
	free(ix->slots);
	free(ix);
}

/* The lower-cased host of an absolute URL, without curl (this is the hot
 * path of every lookup).  Returns its length, 0 when there is none. */
static size_t quick_host(const char *url, char *out, size_t outsz)
{
	const char *p = strstr(url, "://");
	if (!p)
		return 0;
	p += 3;
	const char *end = p + strcspn(p, "/?#");
	const char *at = memchr(p, '@', (size_t)(end - p));
	if (at)
		p = at + 1;
	const char *hend = p;
	if (*p == '[') {
		hend = memchr(p, ']', (size_t)(end - p));
		hend = hend ? hend + 1 : end;
	} else {
		while (hend < end && *hend != ':')
			hend++;
	}
	size_t n = (size_t)(hend - p);
	while (n && p[n - 1] == '.') /* "example.com." is example.com */
		n--;
	if (!n || n >= outsz)
		return 0;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower((unsigned char)p[i]);
	out[n] = '\0';
	return n;
}

const struct rule *ruleset_match(const struct ruleset *rs, const char *url)
{
	char h[256];
	size_t hl = url ? quick_host(url, h, sizeof h) : 0;
	if (!hl || !rs->idx)
		return NULL;
	const struct rule *best = NULL;
	size_t best_score = 0, ulen = strlen(url);
	/* tier 0: the folder's own rules; tier 1, only when none matched:
	 * rules marked `imported:` (a project's rule wins for its hosts) */
	for (int tier = 0; tier < 2 && !best; tier++)
	for (int pass = 0; pass < 2; pass++) {
		/* pass 0: exact hosts; pass 1: every suffix that starts a label */
		for (size_t off = 0; off < hl; off++) {
			if (off && h[off - 1] != '.')
				continue;
			if (pass == 0 && off)
				break;
			struct slot *sl = index_find(rs->idx, h + off, hl - off, pass == 0);
			if (!sl || !sl->key)
				continue;
			size_t score = pass == 0 ? 100000 : hl - off;
			for (uint32_t k = 0; k < sl->n; k++) {
				const struct rule *r = rs->rules[sl->rules[k]];
				size_t s0, s1;
				if ((r->imported != NULL) != (tier == 1))
					continue;
				if (best && (score < best_score ||
					     (score == best_score && r->priority <= best->priority)))
					continue;
				if (r->url_include && re_search(r->url_include, url, ulen, &s0, &s1) != 1)
					continue;
				if (r->url_exclude && re_search(r->url_exclude, url, ulen, &s0, &s1) == 1)
					continue;
				best = r, best_score = score;
			}
		}
	}
	return best;
}

const struct rule *ruleset_find(const struct ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->n; i++)
		if (!strcmp(rs->rules[i]->name, name))
			return rs->rules[i];
	return NULL;
}

const struct field_rule *rule_field(const struct rule *r, const char *name)
{
	for (size_t i = 0; i < r->nfields; i++)
		if (!strcmp(r->fields[i].name, name))
			return &r->fields[i];
	return NULL;
}

const char *rule_step_source_name(enum step_src src)
{
	return src <= STEP_AUTO ? step_sources[src] : "?";
}
