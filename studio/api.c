/*
 * api.c - the studio's page, rule and endpoints (see api.h).
 *
 * The page is read once.  Three things are made from its decoded text:
 * the pristine parse (kept, never mutated) that selector proposals and
 * highlights are computed on, the sanitised copy the browser shows, and —
 * on every edit — the extraction itself, run by pipeline_extract_bytes on
 * the original bytes exactly as `rules test` and `crawl` run it.
 * Highlights and proposals refer to elements by their document-order index
 * in the page as served (before the rule's preprocess, which edits text,
 * not structure, in every shipped rule).
 */
#include "studio/api.h"
#include "extractor/ruletest.h"
#include "studio/pick.h"
#include "studio/view.h"
#include "common/date.h"
#include "common/file.h"
#include "common/mem.h"
#include "crawler/pipeline.h"
#include "dom/charset.h"
#include "dom/html.h"
#include "dom/sel.h"
#include "dom/xpath.h"
#include "extractor/auto.h"
#include "extractor/meta.h"
#include "common/url.h"
#include "output/post.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

/* Path components of a saved rule's name: "x.yml" or "sub/x.yml", as deep
 * as ruleset_load looks. */
#define API_MAX_NAME_PARTS 2
/* Bytes of one path component of a saved rule or page name. */
#define API_MAX_NAME 100
/* Characters of the body quoted in a saved test's body_contains. */
#define API_SAMPLE_CHARS 40

struct api {
	struct pipeline p;
	char *url;            /* the URL the page is known by */
	char *input;
	struct buf bytes;     /* as read */
	char *ctype;          /* HTTP Content-Type, or NULL */
	struct buf text;      /* decoded UTF-8 */
	struct html_doc *h;   /* pristine parse of text */
	xmlNodePtr *els;      /* h's elements in document order */
	size_t nels;
	char *rule_text;      /* the rule the studio started with */
	char *rule_file;      /* its file, or NULL for a draft */
	char *save_name;      /* proposed name in the rules folder */
	char *summary;
	char *rules_dir;      /* the rules folder (--rules, else the config's) */
	struct buf rendered;  /* the last run's post, rendered (GET /rendered) */
};

/* ---- small helpers ---------------------------------------------------- */

/* At most API_MAX_SHOWN bytes of s, cut at a character boundary. */
static json_t *jstr_cut(const char *s)
{
	if (!s)
		return json_null();
	size_t n = strlen(s);
	if (n <= API_MAX_SHOWN)
		return json_stringn(s, n);
	size_t k = API_MAX_SHOWN;
	while (k && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	struct buf b = BUF_INIT;
	buf_put(&b, s, k);
	buf_puts(&b, "…");
	json_t *j = json_stringn(buf_cstr(&b), b.len);
	buf_free(&b);
	return j;
}

static int reply(struct buf *out, json_t *j, int status)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
	buf_puts(out, s ? s : "null");
	free(s);
	json_decref(j);
	return status;
}

static int reply_error(struct buf *out, int status, const char *msg)
{
	return reply(out, json_pack("{s:b, s:{s:s}}", "ok", 0, "error", "msg", msg), status);
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; s && *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* YAML single-quoted scalar on one line (line breaks become spaces). */
static void yq(struct buf *b, const char *s)
{
	buf_putc(b, '\'');
	for (; s && *s; s++) {
		if (*s == '\'')
			buf_puts(b, "''");
		else if (*s == '\n' || *s == '\r' || *s == '\t')
			buf_putc(b, ' ');
		else
			buf_putc(b, *s);
	}
	buf_putc(b, '\'');
}

/* YAML double-quoted scalar that keeps every character exactly. */
static void ydq(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(b, "\\%c", *p);
		else if (*p == '\n')
			buf_puts(b, "\\n");
		else if (*p == '\t')
			buf_puts(b, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			buf_printf(b, "\\x%02x", *p);
		else
			buf_putc(b, *p);
	}
	buf_putc(b, '"');
}

/* ---- opening: page, rule or draft ------------------------------------ */

/* The YAML of a draft rule for a page no rule knows: selectors (pick.h)
 * for the headline, the date and the generic extractor's body, each with
 * a fallback to the page's metadata or the generic extractor. */
static char *draft_rule(struct api *a)
{
	struct article m;
	article_init(&m);
	meta_extract(a->h, a->url, &m, NULL);
	struct buf y = BUF_INIT, host = BUF_INIT;
	if (url_host(a->url, &host) < 0 || !host.len)
		buf_puts(&host, "example.com");
	buf_puts(&y, "# Draft rule from `newsmd studio`: selectors proposed for the page's\n"
		     "# headline, date and body.  Click elements to find better ones.\n");
	buf_puts(&y, "name: ");
	yq(&y, buf_cstr(&host));
	buf_puts(&y, "\nmatch:\n  hosts: [");
	yq(&y, buf_cstr(&host));
	buf_puts(&y, "]\nfields:\n  title:\n    steps:\n");
	xmlNodePtr head = m.title ? meta_headline(a->h, m.title) : NULL;
	char *sel = head ? pick_best(a->h->doc, head) : NULL;
	if (sel) {
		buf_puts(&y, "      - css: ");
		yq(&y, sel);
		buf_putc(&y, '\n');
	}
	free(sel);
	buf_puts(&y, "      - meta: og:title\n      - auto: true\n  date:\n    steps:\n");
	struct sel *ts = NULL;
	xmlNodePtr t = NULL;
	if (sel_compile("time[datetime]", &ts, NULL) == NM_OK)
		t = sel_first(ts, (xmlNodePtr)a->h->doc);
	sel_free(ts);
	sel = t ? pick_best(a->h->doc, t) : NULL;
	if (sel) {
		buf_puts(&y, "      - css: ");
		yq(&y, sel);
		buf_puts(&y, "\n        attr: datetime\n");
	}
	free(sel);
	buf_puts(&y, "      - auto: true\nbody:\n  steps:\n");
	/* the generic extractor edits the tree it runs on: a parse of its own */
	struct html_doc *h2 = NULL;
	struct nm_err e;
	if (html_parse(buf_cstr(&a->text), a->text.len, &h2, &e) == NM_OK) {
		xmlNodePtr body = auto_body_titled(h2, m.title, NULL);
		struct view src;
		while (body && body->type == XML_ELEMENT_NODE && !html_inner_source(h2, body, &src))
			body = body->parent;
		sel = body && body->type == XML_ELEMENT_NODE ? pick_best(h2->doc, body) : NULL;
		if (sel) {
			buf_puts(&y, "    - css: ");
			yq(&y, sel);
			buf_putc(&y, '\n');
		}
		free(sel);
		html_free(h2);
	}
	buf_puts(&y, "    - auto: true\n");
	article_free(&m);
	buf_free(&host);
	return buf_detach(&y);
}

/* The proposed file name of the rule in the rules folder. */
static char *save_name_for(const struct api *a, const char *file, const char *name)
{
	const char *dir = a->rules_dir;
	size_t dl = strlen(dir);
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	if (file && !strncmp(file, dir, dl) && file[dl] == '/') {
		while (file[dl] == '/')
			dl++;
		return xstrdup(file + dl);
	}
	const char *base = file ? strrchr(file, '/') : NULL;
	if (base)
		return xstrdup(base + 1);
	struct buf b = BUF_INIT;
	for (const char *p = name; p && *p && b.len < API_MAX_NAME - 4; p++)
		buf_putc(&b, isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.' ? *p : '-');
	if (!b.len)
		buf_puts(&b, "draft");
	buf_puts(&b, ".yml");
	return buf_detach(&b);
}

enum nm_code api_open(const struct api_opts *o, struct api **out, struct nm_err *e)
{
	struct api *a = xcalloc(1, sizeof *a);
	enum nm_code rc = pipeline_open(&a->p, o->config, o->rules_dir, e);
	*out = a;
	if (rc)
		return rc;
	a->p.connect_to = o->connect_to;
	a->rules_dir = xstrdup(o->rules_dir ? o->rules_dir : a->p.cfg.rules_dir);
	a->input = xstrdup(o->input);
	bool is_url = url_looks_absolute(o->input);
	a->url = xstrdup(o->url ? o->url : is_url ? o->input : "http://localhost/");
	const struct rule *r = ruleset_match(&a->p.rules, a->url);
	if ((rc = pipeline_read(&a->p, is_url ? r : NULL, o->input, &a->bytes, &a->ctype, e)))
		goto out;
	if (a->bytes.len > API_MAX_PAGE) {
		err_where(e, o->input, 0, 0);
		rc = err_set(e, NM_ELIMIT, "page larger than %d bytes; the studio refuses it",
			     API_MAX_PAGE);
		goto out;
	}
	char used[64];
	if ((rc = charset_decode(a->bytes.ptr ? a->bytes.ptr : "", a->bytes.len, a->ctype,
				 r ? r->charset : NULL, &a->text, used, sizeof used, e)))
		goto out;
	if ((rc = html_parse(buf_cstr(&a->text), a->text.len, &a->h, e))) {
		err_where(e, o->input, 0, 0);
		goto out;
	}
	a->nels = view_elements(a->h, &a->els);
	struct buf sum = BUF_INIT;
	if (r) {
		struct buf t = BUF_INIT;
		if ((rc = file_read(r->file, API_MAX_RULE, &t, e))) {
			buf_free(&t);
			buf_free(&sum);
			goto out;
		}
		a->rule_text = buf_detach(&t);
		a->rule_file = xstrdup(r->file);
		a->save_name = save_name_for(a, r->file, r->name);
		buf_printf(&sum, "rule %s (%s)", r->name, r->file);
	} else {
		a->rule_text = draft_rule(a);
		struct buf host = BUF_INIT;
		url_host(a->url, &host);
		a->save_name = save_name_for(a, NULL, host.len ? buf_cstr(&host) : "draft");
		buf_free(&host);
		buf_printf(&sum, "a draft rule (no rule in %s matches %s)", a->rules_dir, a->url);
	}
	a->summary = buf_detach(&sum);
out:
	return rc;
}

void api_free(struct api *a)
{
	if (!a)
		return;
	pipeline_close(&a->p);
	free(a->url);
	free(a->input);
	buf_free(&a->bytes);
	free(a->ctype);
	buf_free(&a->text);
	free(a->els);
	html_free(a->h);
	free(a->rule_text);
	free(a->rule_file);
	free(a->save_name);
	free(a->summary);
	buf_free(&a->rendered);
	free(a->rules_dir);
	free(a);
}

const char *api_summary(const struct api *a)
{
	return a->summary ? a->summary : "";
}

int api_state(struct api *a, struct buf *out)
{
	json_t *j = json_pack("{s:s, s:s, s:o, s:s, s:s, s:b, s:s, s:I}", "url", a->url, "input",
			      a->input, "rule_file", a->rule_file ? json_string(a->rule_file) : json_null(),
			      "save_name", a->save_name, "rules_dir", a->rules_dir, "draft",
			      a->rule_file == NULL, "rule", a->rule_text, "elements", (json_int_t)a->nels);
	return reply(out, j, 200);
}

int api_page(struct api *a, struct buf *out)
{
	struct nm_err e;
	err_clear(&e);
	if (view_page(buf_cstr(&a->text), a->text.len, a->url, out, &e) != NM_OK) {
		buf_printf(out, "<!DOCTYPE html><p>%s</p>", "the page could not be parsed");
		return 500;
	}
	return 200;
}

int api_rendered(struct api *a, struct buf *out)
{
	buf_puts(out, a->rendered.len ? buf_cstr(&a->rendered) : "<!DOCTYPE html><p>(no post: the rule did not run)</p>");
	return 200;
}

/* ---- run -------------------------------------------------------------- */

/* The trace of one run, as JSON: {field: [step, ...]} and {field: how}. */
struct run_trace {
	json_t *steps; /* object: field -> array */
	json_t *how;   /* object: field -> string */
	json_t *won;   /* object: field -> index of the winning step */
};

static json_t *strv_json(const struct strv *v)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < v->n && i < API_MAX_VALUES; i++)
		json_array_append_new(arr, jstr_cut(v->v[i]));
	return arr;
}

static void on_step(void *ctx, const char *field, size_t index, const struct step *st,
		    const struct strv *raw, const struct strv *refined, const char *verdict)
{
	struct run_trace *t = ctx;
	json_t *arr = json_object_get(t->steps, field);
	if (!arr) {
		arr = json_array();
		json_object_set_new(t->steps, field, arr);
	}
	json_t *s = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:I}", "n", (json_int_t)index + 1,
			      "source", rule_step_source_name(st->src), "arg", st->arg ? st->arg : "",
			      "verdict", verdict ? json_string(verdict) : json_null(), "raw",
			      strv_json(raw), "value", strv_json(refined), "matches",
			      (json_int_t)raw->n);
	if (st->attr)
		json_object_set_new(s, "attr", json_string(st->attr));
	json_object_set_new(s, "line", json_integer(st->line));
	json_array_append_new(arr, s);
	if (!verdict)
		json_object_set_new(t->won, field, json_integer((json_int_t)index));
}

static void on_field(void *ctx, const char *field, const char *how)
{
	struct run_trace *t = ctx;
	json_object_set_new(t->how, field, json_string(how));
}

/* Document-order indices of nodes (in doc order, elements of a->h). */
static json_t *indices(xmlNodePtr *nodes, size_t n)
{
	json_t *arr = json_array();
	if (n > API_MAX_HIGHLIGHT)
		n = API_MAX_HIGHLIGHT;
	size_t *idx = xcalloc(n ? n : 1, sizeof *idx);
	sel_doc_index(nodes, n, idx);
	for (size_t i = 0; i < n; i++)
		if (idx[i] != (size_t)-1)
			json_array_append_new(arr, json_integer((json_int_t)idx[i]));
	free(idx);
	return arr;
}

/* Elements a css or xpath step selects on the pristine page, narrowed by
 * its pick as extraction narrows them. *out malloc'd. */
static size_t step_nodes(const struct api *a, const struct step *st, xmlNodePtr **out)
{
	size_t n = 0;
	*out = NULL;
	if (st->src == STEP_CSS && st->sel) {
		n = sel_select(st->sel, (xmlNodePtr)a->h->doc, out);
	} else if (st->src == STEP_XPATH && st->xp) {
		struct nm_err e;
		if (xpath_eval_nodes(st->xp, (xmlNodePtr)a->h->doc, out, &n, &e) != NM_OK)
			return 0;
		/* elements only */
		size_t k = 0;
		for (size_t i = 0; i < n; i++)
			if ((*out)[i]->type == XML_ELEMENT_NODE)
				(*out)[k++] = (*out)[i];
		n = k;
	}
	enum step_pick pick = st->pick_set ? st->pick : PICK_FIRST;
	if (n > 1 && pick == PICK_FIRST)
		n = 1;
	else if (n > 1 && pick == PICK_LAST) {
		(*out)[0] = (*out)[n - 1];
		n = 1;
	}
	return n;
}

/* The element the generic extractor takes as the body, by index: on a
 * numbered parse of its own, since it edits the tree. */
static json_t *auto_body_index(const struct api *a, const char *title)
{
	json_t *arr = json_array();
	struct html_doc *h2 = NULL;
	struct nm_err e;
	if (html_parse(buf_cstr(&a->text), a->text.len, &h2, &e) != NM_OK)
		return arr;
	xmlNodePtr *els = NULL;
	size_t k = view_elements(h2, &els);
	for (size_t i = 0; i < k; i++) {
		char num[32];
		snprintf(num, sizeof num, "%zu", i);
		xmlSetProp(els[i], BAD_CAST VIEW_INDEX_ATTR, BAD_CAST num);
	}
	free(els);
	xmlNodePtr b = auto_body_titled(h2, title, NULL);
	for (; b && b->type == XML_ELEMENT_NODE; b = b->parent) {
		xmlChar *v = xmlGetProp(b, BAD_CAST VIEW_INDEX_ATTR);
		if (v) {
			json_array_append_new(arr, json_integer(atoll((const char *)v)));
			xmlFree(v);
			break;
		}
	}
	html_free(h2);
	return arr;
}

static void clean_hits(const struct api *a, const char *kind, struct sel *const *sels,
		       xmlNodePtr *body, size_t nbody, json_t *list)
{
	for (size_t i = 0; sels && sels[i]; i++) {
		xmlNodePtr *all = NULL;
		size_t n = 0;
		for (size_t b = 0; b < nbody; b++) {
			xmlNodePtr *m = NULL;
			size_t k = sel_select(sels[i], body[b], &m);
			if (!strcmp(kind, "truncate_at") && k > 1)
				k = 1; /* the first match; everything after it goes too */
			all = xrealloc(all, (n + k + 1) * sizeof *all);
			memcpy(all + n, m, k * sizeof *m);
			n += k;
			free(m);
		}
		json_array_append_new(list, json_pack("{s:s, s:s, s:o}", "kind", kind, "selector",
						      sel_source(sels[i]), "idx", indices(all, n)));
		free(all);
	}
	(void)a;
}

/* The highlights: the body's elements and what each clean step matches
 * inside them. */
static json_t *highlights(const struct api *a, const struct rule *r, const struct article *art,
			  const struct run_trace *t)
{
	json_t *hl = json_object(), *body = NULL, *clean = json_array();
	const struct field_rule *bf = rule_field(r, "body");
	json_t *won = json_object_get(t->won, "body");
	const char *how = json_string_value(json_object_get(t->how, "body"));
	xmlNodePtr *nodes = NULL;
	size_t n = 0;
	if (bf && won && (size_t)json_integer_value(won) < bf->nsteps) {
		const struct step *st = &bf->steps[json_integer_value(won)];
		if (st->src == STEP_AUTO)
			body = auto_body_index(a, art->title);
		else if ((n = step_nodes(a, st, &nodes)))
			body = indices(nodes, n);
	} else if (how && strstr(how, "generic extractor")) {
		body = auto_body_index(a, art->title);
	}
	if (!body)
		body = json_array();
	if (!n && json_array_size(body)) {
		/* the generic extractor's element, for the clean steps below */
		size_t i = (size_t)json_integer_value(json_array_get(body, 0));
		if (i < a->nels) {
			nodes = xmalloc(sizeof *nodes);
			nodes[0] = a->els[i];
			n = 1;
		}
	}
	clean_hits(a, "remove", r->clean_remove, nodes, n, clean);
	clean_hits(a, "unwrap", r->clean_unwrap, nodes, n, clean);
	clean_hits(a, "rename", r->clean_rename, nodes, n, clean);
	clean_hits(a, "truncate_at", r->clean_truncate_at, nodes, n, clean);
	for (size_t i = 0; r->clean_remove_paragraphs && r->clean_remove_paragraphs[i]; i++) {
		json_t *idx = json_array();
		for (size_t b = 0; b < n; b++) {
			static struct sel *ps;
			if (!ps && sel_compile("p", &ps, NULL) != NM_OK)
				break;
			xmlNodePtr *m = NULL;
			size_t k = sel_select(ps, nodes[b], &m);
			size_t keep = 0;
			for (size_t j = 0; j < k; j++) {
				struct buf tx = BUF_INIT;
				html_text(m[j], &tx);
				if (strstr(buf_cstr(&tx), r->clean_remove_paragraphs[i]))
					m[keep++] = m[j];
				buf_free(&tx);
			}
			json_t *more = indices(m, keep);
			json_array_extend(idx, more);
			json_decref(more);
			free(m);
		}
		json_array_append_new(clean, json_pack("{s:s, s:s, s:o}", "kind",
						       "remove_paragraphs_matching", "selector",
						       r->clean_remove_paragraphs[i], "idx", idx));
	}
	free(nodes);
	json_object_set_new(hl, "body", body);
	json_object_set_new(hl, "clean", clean);
	return hl;
}

static const char *const shown_fields[] = {"title", "date", "updated", "author", "source",
					   "category", "tags", "lead_image", "excerpt", NULL};

/* Loads the rule text; on failure fills out with {ok:false, error}. */
static struct rule *load_text(struct api *a, const char *text, struct nm_err *e)
{
	struct rule *r = NULL;
	const char *name = a->rule_file ? a->rule_file : a->save_name;
	if (rule_load_mem(text, strlen(text), name, &r, e) != NM_OK)
		return NULL;
	return r;
}

/* Extracts the page with rule r (the pipeline's code path); trace t may be
 * NULL. */
static enum nm_code run_rule(struct api *a, const struct rule *r, struct run_trace *t,
			     struct article *art, struct nm_err *e)
{
	struct extract_trace tr = {.step = on_step, .field = on_field, .ctx = t, .clean = NULL};
	a->p.trace = t ? &tr : NULL;
	art->url = xstrdup(a->url);
	enum nm_code rc = pipeline_extract_bytes(&a->p, r, a->bytes.ptr, a->bytes.len, a->ctype,
						 art, e);
	a->p.trace = NULL;
	return rc;
}

static json_t *error_json(const struct nm_err *e)
{
	return json_pack("{s:s, s:I, s:I}", "msg", e->msg, "line", (json_int_t)e->line, "col",
			 (json_int_t)e->col);
}

/* Reads {"rule": TEXT, ...} from a request body. */
static json_t *read_body(const char *body, size_t n, const char **rule, struct buf *out, int *status)
{
	json_error_t je;
	json_t *j = json_loadb(body ? body : "", n, 0, &je);
	*status = 0;
	if (!j || !json_is_object(j)) {
		*status = reply_error(out, 400, "expected a JSON object");
		json_decref(j);
		return NULL;
	}
	if (rule) {
		*rule = json_string_value(json_object_get(j, "rule"));
		if (!*rule) {
			*status = reply_error(out, 400, "expected \"rule\": the rule's YAML text");
			json_decref(j);
			return NULL;
		}
		if (strlen(*rule) > API_MAX_RULE) {
			*status = reply_error(out, 413, "rule text too large");
			json_decref(j);
			return NULL;
		}
	}
	return j;
}

int api_run(struct api *a, const char *body, size_t n, struct buf *out)
{
	const char *text;
	int status;
	json_t *req = read_body(body, n, &text, out, &status);
	if (!req)
		return status;
	struct nm_err e;
	err_clear(&e);
	struct rule *r = load_text(a, text, &e);
	if (!r) {
		json_decref(req);
		return reply(out, json_pack("{s:b, s:o}", "ok", 0, "error", error_json(&e)), 200);
	}
	struct run_trace t = {json_object(), json_object(), json_object()};
	struct article art;
	article_init(&art);
	json_t *res = json_object();
	enum nm_code rc = run_rule(a, r, &t, &art, &e);
	json_object_set_new(res, "ok", json_boolean(rc == NM_OK));
	json_object_set_new(res, "rule_name", json_string(r->name));
	json_object_set_new(res, "error", rc ? error_json(&e) : json_null());
	/* fields: the rule's own in its order, then the built-ins it leaves to
	 * the page's metadata */
	json_t *fields = json_array();
	for (size_t pass = 0; pass < 2; pass++) {
		size_t cnt = pass == 0 ? r->nfields : sizeof shown_fields / sizeof *shown_fields - 1;
		for (size_t i = 0; i < cnt; i++) {
			const char *name = pass == 0 ? r->fields[i].name : shown_fields[i];
			if (pass == 1 && rule_field(r, name))
				continue;
			struct buf v = BUF_INIT;
			ruletest_field_text(&art, name, &v);
			if (pass == 1 && !v.len) {
				buf_free(&v);
				continue;
			}
			json_t *f = json_pack("{s:s, s:o, s:b}", "name", name, "value",
					      v.len ? jstr_cut(buf_cstr(&v)) : json_null(), "rule", pass == 0);
			if (!strcmp(name, "body"))
				json_object_set_new(f, "chars", json_integer((json_int_t)utf8_chars(art.body_text)));
			json_t *how = json_object_get(t.how, name);
			if (how)
				json_object_set(f, "how", how);
			else
				json_object_set_new(f, "how", pass ? json_string("from the page's metadata")
								   : json_null());
			json_t *steps = json_object_get(t.steps, name);
			if (steps)
				json_object_set(f, "steps", steps);
			else
				json_object_set_new(f, "steps", json_array());
			/* the winning css/xpath step's elements */
			json_t *won = json_object_get(t.won, name);
			const struct field_rule *fr = pass == 0 ? &r->fields[i] : NULL;
			if (fr && won && (size_t)json_integer_value(won) < fr->nsteps && strcmp(name, "body")) {
				xmlNodePtr *nodes = NULL;
				size_t k = step_nodes(a, &fr->steps[json_integer_value(won)], &nodes);
				json_object_set_new(f, "idx", indices(nodes, k));
				free(nodes);
			}
			json_array_append_new(fields, f);
			buf_free(&v);
		}
	}
	if (art.slug)
		json_array_append_new(fields, json_pack("{s:s, s:o, s:b, s:s, s:[]}", "name", "slug",
							"value", jstr_cut(art.slug), "rule", 0, "how",
							"output.slug", "steps"));
	json_object_set_new(res, "fields", fields);
	json_object_set_new(res, "highlight", highlights(a, r, &art, &t));
	buf_clear(&a->rendered);
	if (!rc) {
		struct output_cfg o;
		memset(&o, 0, sizeof o);
		settings_output_merge(&o, &a->p.cfg.output, &r->output);
		struct buf post = BUF_INIT, name = BUF_INIT, html = BUF_INIT;
		struct nm_err pe;
		err_clear(&pe);
		if (post_render(&art, &o, a->p.cfg.pinyin, a->p.cfg.npinyin, &post, &pe) == NM_OK) {
			json_object_set_new(res, "post", json_stringn(buf_cstr(&post), post.len));
			view_render_post(buf_cstr(&post), post.len, a->url, &html);
			buf_put(&a->rendered, html.ptr, html.len);
		} else {
			json_object_set_new(res, "post_error", json_string(pe.msg));
		}
		if (post_filename(&art, &o, a->p.cfg.pinyin, a->p.cfg.npinyin, &name, &pe) == NM_OK)
			json_object_set_new(res, "post_name", json_string(buf_cstr(&name)));
		buf_free(&post);
		buf_free(&name);
		buf_free(&html);
		settings_output_free(&o);
	}
	article_free(&art);
	rule_free(r);
	json_decref(t.steps);
	json_decref(t.how);
	json_decref(t.won);
	json_decref(req);
	return reply(out, res, 200);
}

/* ---- pick ------------------------------------------------------------- */

int api_pick(struct api *a, const char *body, size_t n, struct buf *out)
{
	int status;
	json_t *req = read_body(body, n, NULL, out, &status);
	if (!req)
		return status;
	const char *selector = json_string_value(json_object_get(req, "selector"));
	json_t *jidx = json_object_get(req, "index");
	if (selector) {
		struct sel *s = NULL;
		struct nm_err e;
		err_clear(&e);
		if (strlen(selector) > SEL_MAX_LEN || sel_compile(selector, &s, &e) != NM_OK) {
			json_decref(req);
			return reply(out, json_pack("{s:b, s:s}", "ok", 0, "error",
						    e.msg[0] ? e.msg : "selector too long"), 200);
		}
		xmlNodePtr *nodes = NULL;
		size_t k = sel_select(s, (xmlNodePtr)a->h->doc, &nodes);
		json_t *res = json_pack("{s:b, s:I, s:o}", "ok", 1, "count", (json_int_t)k, "idx",
					indices(nodes, k));
		free(nodes);
		sel_free(s);
		json_decref(req);
		return reply(out, res, 200);
	}
	if (!json_is_integer(jidx) || json_integer_value(jidx) < 0 ||
	    (size_t)json_integer_value(jidx) >= a->nels) {
		json_decref(req);
		return reply_error(out, 400, "expected \"index\": an element number of the page");
	}
	size_t i = (size_t)json_integer_value(jidx);
	xmlNodePtr el = a->els[i];
	struct pick_list l = {0};
	pick_candidates(a->h->doc, el, &l);
	json_t *cands = json_array();
	for (size_t k = 0; k < l.n; k++) {
		xmlNodePtr *nodes = NULL;
		struct sel *s = NULL;
		size_t m = 0;
		if (sel_compile(l.v[k].sel, &s, NULL) == NM_OK)
			m = sel_select(s, (xmlNodePtr)a->h->doc, &nodes);
		sel_free(s);
		json_array_append_new(cands, json_pack("{s:s, s:I, s:s, s:o}", "selector", l.v[k].sel,
						       "count", (json_int_t)l.v[k].count, "kind",
						       pick_kind_name(l.v[k].kind), "idx", indices(nodes, m)));
		free(nodes);
	}
	pick_list_free(&l);
	struct buf tx = BUF_INIT;
	html_text(el, &tx);
	char *t = xstrdup(buf_cstr(&tx));
	extract_collapse(t);
	if (strlen(t) > 200) {
		size_t k = 200;
		while (k && ((unsigned char)t[k] & 0xC0) == 0x80)
			k--;
		t[k] = '\0';
	}
	json_t *res = json_pack("{s:b, s:I, s:s, s:s, s:o}", "ok", 1, "index", (json_int_t)i, "tag",
				(const char *)el->name, "text", t, "candidates", cands);
	free(t);
	buf_free(&tx);
	json_decref(req);
	return reply(out, res, 200);
}

/* ---- save ------------------------------------------------------------- */

/* One path component we accept from the client: letters, digits, '.',
 * '_', '-'; not starting with '.' (no "..", no hidden files). */
static bool safe_component(const char *s, size_t n)
{
	if (!n || n > API_MAX_NAME || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

/* Splits a client's rule name into the subfolder ("" or one component)
 * and the file name (ending in .yml or .yaml).  False when the name could
 * leave the rules folder or is not a rule file name. */
static bool split_name(const char *name, struct buf *sub, struct buf *file)
{
	const char *slash = strchr(name, '/');
	if (slash && strchr(slash + 1, '/'))
		return false; /* deeper than API_MAX_NAME_PARTS */
	const char *f = slash ? slash + 1 : name;
	if (slash && !safe_component(name, (size_t)(slash - name)))
		return false;
	size_t fl = strlen(f);
	if (!safe_component(f, fl))
		return false;
	if (!(fl > 4 && !strcmp(f + fl - 4, ".yml")) && !(fl > 5 && !strcmp(f + fl - 5, ".yaml")))
		return false;
	if (slash)
		buf_put(sub, name, (size_t)(slash - name));
	buf_puts(file, f);
	return true;
}

/* A short hash naming the page file when the article has no slug. */
static unsigned long fnv1a(const char *s)
{
	unsigned long h = 2166136261UL;
	for (; *s; s++)
		h = ((h ^ (unsigned char)*s) * 16777619UL) & 0xffffffffUL;
	return h;
}

/* The test entry for the page: its values now become expectations. */
static void test_entry(const struct rule *r, const struct article *art, const char *input,
		       const char *url, const char *indent, struct buf *y)
{
	time_t now = time(NULL);
	char iso[40];
	strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%S+00:00", gmtime(&now));
	buf_printf(y, "%s# saved by newsmd studio with the page it was tuned on\n", indent);
	buf_printf(y, "%s- input: ", indent);
	yq(y, input);
	buf_printf(y, "\n%s  url: ", indent);
	yq(y, url);
	buf_printf(y, "\n%s  now: '%s'\n%s  expect:\n", indent, iso, indent);
	for (int i = 0; shown_fields[i]; i++) {
		struct buf v = BUF_INIT;
		ruletest_field_text(art, shown_fields[i], &v);
		if (v.len) {
			buf_printf(y, "%s    %s: ", indent, shown_fields[i]);
			ydq(y, buf_cstr(&v));
			buf_putc(y, '\n');
		}
		buf_free(&v);
	}
	for (size_t i = 0; i < r->nfields; i++) {
		const char *name = r->fields[i].name;
		bool builtin = !strcmp(name, "body");
		for (int k = 0; shown_fields[k]; k++)
			builtin |= !strcmp(shown_fields[k], name);
		const char *v = builtin ? NULL : article_get_field(art, name);
		if (v && *v) {
			buf_printf(y, "%s    %s: ", indent, name);
			ydq(y, v);
			buf_putc(y, '\n');
		}
	}
	if (art->slug) {
		buf_printf(y, "%s    slug: ", indent);
		ydq(y, art->slug);
		buf_putc(y, '\n');
	}
	if (art->body_text && *art->body_text) {
		const char *s = art->body_text;
		while (*s == ' ' || *s == '\n')
			s++;
		size_t k = 0, chars = 0;
		while (s[k] && s[k] != '\n' && chars < API_SAMPLE_CHARS) {
			k++;
			while (((unsigned char)s[k] & 0xC0) == 0x80)
				k++;
			chars++;
		}
		while (k && s[k - 1] == ' ')
			k--;
		if (k) {
			char *sample = xstrndup(s, k);
			buf_printf(y, "%s    body_contains: ", indent);
			ydq(y, sample);
			buf_putc(y, '\n');
			free(sample);
		}
		buf_printf(y, "%s    body_min_chars: %zu\n", indent, utf8_chars(art->body_text) / 2);
	}
}

/* Where a line starts and its indentation. */
static size_t indent_of(const char *line)
{
	size_t k = 0;
	while (line[k] == ' ')
		k++;
	return k;
}

/* The rule text with the test entry for input added to its tests: list
 * (an earlier entry for the same input is replaced).  False (with why)
 * when tests: is written in a form this cannot edit. */
static bool add_test(const char *text, const struct rule *r, const struct article *art,
		     const char *input, const char *url, struct buf *out, const char **why)
{
	size_t n = strlen(text);
	/* the top-level "tests:" line */
	const char *t = NULL;
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, "tests:", 6)) {
			t = p;
			break;
		}
	if (!t) {
		buf_put(out, text, n);
		if (n && text[n - 1] != '\n')
			buf_putc(out, '\n');
		buf_puts(out, "tests:\n");
		test_entry(r, art, input, url, "  ", out);
		return true;
	}
	const char *rest = t + 6, *eol = strchr(rest, '\n');
	size_t rl = eol ? (size_t)(eol - rest) : strlen(rest);
	struct buf tail = BUF_INIT;
	buf_put(&tail, rest, rl);
	char *tr = xstrdup(buf_cstr(&tail));
	buf_free(&tail);
	char *hash = strstr(tr, " #");
	if (hash)
		*hash = '\0';
	extract_collapse(tr);
	bool empty_flow = !strcmp(tr, "[]"), block = !*tr;
	free(tr);
	if (!block && !empty_flow) {
		*why = "tests: is written in flow style; write it as a block list to let the studio add its test";
		return false;
	}
	const char *start = eol ? eol + 1 : text + n; /* first line of the block */
	/* the block ends at the next line that starts a top-level key */
	const char *end = start;
	while (*end && (*end == ' ' || *end == '-' || *end == '#' || *end == '\n' || *end == '\t')) {
		const char *nl = strchr(end, '\n');
		end = nl ? nl + 1 : end + strlen(end);
	}
	/* the items' indentation, from the first item */
	size_t ind = 2;
	for (const char *p = start; p < end; p = strchr(p, '\n') + 1) {
		size_t k = indent_of(p);
		if (p[k] == '-') {
			ind = k;
			break;
		}
		if (!strchr(p, '\n'))
			break;
	}
	char pad[64];
	if (ind >= sizeof pad)
		ind = sizeof pad - 1;
	memset(pad, ' ', ind);
	pad[ind] = '\0';
	/* an earlier entry for this input goes (with the comment line above it) */
	struct buf q = BUF_INIT, keep = BUF_INIT;
	yq(&q, input);
	const char *p = start;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *next = nl ? nl + 1 : end;
		size_t k = indent_of(p);
		bool ours = k == ind && !strncmp(p + k, "- input: ", 9) &&
			    !strncmp(p + k + 9, buf_cstr(&q), q.len) &&
			    (p[k + 9 + q.len] == '\n' || p + k + 9 + q.len == end);
		if (ours) {
			/* drop our comment line just kept, then the item's lines */
			static const char mark[] = "# saved by newsmd studio";
			size_t kl = keep.len;
			if (kl) {
				size_t ls = kl - 1;
				while (ls && keep.ptr[ls - 1] != '\n')
					ls--;
				if (strstr(keep.ptr + ls, mark) == keep.ptr + ls + indent_of(keep.ptr + ls))
					buf_truncate(&keep, ls);
			}
			p = next;
			while (p < end) {
				const char *nl2 = memchr(p, '\n', (size_t)(end - p));
				const char *nx = nl2 ? nl2 + 1 : end;
				size_t k2 = indent_of(p);
				if (p[k2] != '\n' && k2 <= ind)
					break;
				p = nx;
			}
			continue;
		}
		buf_put(&keep, p, (size_t)(next - p));
		p = next;
	}
	/* trailing blank lines of the block stay after the new entry */
	size_t kl = keep.len;
	while (kl && keep.ptr[kl - 1] == '\n' && (kl < 2 || keep.ptr[kl - 2] == '\n'))
		kl--;
	buf_put(out, text, (size_t)(t - text));
	buf_puts(out, "tests:\n");
	buf_put(out, keep.ptr ? keep.ptr : "", kl);
	if (kl && keep.ptr[kl - 1] != '\n')
		buf_putc(out, '\n');
	test_entry(r, art, input, url, pad, out);
	if (keep.len > kl)
		buf_put(out, keep.ptr + kl, keep.len - kl);
	buf_puts(out, end);
	buf_free(&q);
	buf_free(&keep);
	return true;
}

int api_save(struct api *a, const char *body, size_t n, struct buf *out)
{
	const char *text;
	int status;
	json_t *req = read_body(body, n, &text, out, &status);
	if (!req)
		return status;
	const char *file = json_string_value(json_object_get(req, "file"));
	struct buf sub = BUF_INIT, fname = BUF_INIT, dir = BUF_INIT, pdir = BUF_INIT,
		   pname = BUF_INIT, input = BUF_INIT, final = BUF_INIT, full = BUF_INIT;
	struct rule *r = NULL, *check = NULL;
	struct article art;
	article_init(&art);
	struct nm_err e;
	err_clear(&e);
	int rc = 200;
	json_t *res = NULL;
	if (!file || !split_name(file, &sub, &fname)) {
		rc = reply_error(out, 400, "file: expected NAME.yml or FOLDER/NAME.yml inside the rules "
					   "folder (letters, digits, '.', '_', '-')");
		goto out;
	}
	if (!(r = load_text(a, text, &e))) {
		res = json_pack("{s:b, s:o}", "ok", 0, "error", error_json(&e));
		rc = 400;
		goto out;
	}
	if (run_rule(a, r, NULL, &art, &e) != NM_OK) {
		res = json_pack("{s:b, s:o}", "ok", 0, "error", error_json(&e));
		rc = 400;
		goto out;
	}
	/* the rule's folder, and its test page next to it */
	buf_puts(&dir, a->rules_dir);
	while (dir.len > 1 && dir.ptr[dir.len - 1] == '/')
		buf_truncate(&dir, dir.len - 1);
	if (sub.len)
		buf_printf(&dir, "/%s", buf_cstr(&sub));
	const char *stem_end = strrchr(buf_cstr(&fname), '.');
	struct buf stem = BUF_INIT;
	buf_put(&stem, buf_cstr(&fname), (size_t)(stem_end - buf_cstr(&fname)));
	for (const char *p = art.slug ? art.slug : ""; *p && pname.len < API_MAX_NAME - 8; p++)
		buf_putc(&pname, isalnum((unsigned char)*p) || *p == '-' || *p == '_' ? *p : '-');
	if (!pname.len || pname.ptr[0] == '-')
		buf_printf(&pname, "%spage-%08lx", pname.len ? "" : "", fnv1a(a->url));
	buf_puts(&pname, ".html");
	buf_printf(&input, "tests/%s/%s", buf_cstr(&stem), buf_cstr(&pname));
	buf_printf(&pdir, "%s/tests/%s", buf_cstr(&dir), buf_cstr(&stem));
	buf_free(&stem);
	const char *why = NULL;
	if (!add_test(text, r, &art, buf_cstr(&input), a->url, &final, &why)) {
		rc = reply_error(out, 400, why);
		goto out;
	}
	/* what is written must load, with the new test in it */
	buf_printf(&full, "%s/%s", buf_cstr(&dir), buf_cstr(&fname));
	if (rule_load_mem(buf_cstr(&final), final.len, buf_cstr(&full), &check, &e) != NM_OK) {
		res = json_pack("{s:b, s:o}", "ok", 0, "error", error_json(&e));
		rc = 400;
		goto out;
	}
	enum post_status st;
	/* the page as decoded UTF-8: `rules check` reads it without the HTTP
	 * header that may have named its charset */
	if (post_write(buf_cstr(&pdir), buf_cstr(&pname), buf_cstr(&a->text), a->text.len, &st, &e) !=
		    NM_OK ||
	    post_write(buf_cstr(&dir), buf_cstr(&fname), buf_cstr(&final), final.len, &st, &e) !=
		    NM_OK) {
		char line[NM_ERR_WHERE_MAX + NM_ERR_MSG_MAX + 8];
		err_format(&e, line, sizeof line);
		rc = reply_error(out, 500, line);
		goto out;
	}
	struct buf page_path = BUF_INIT;
	buf_printf(&page_path, "%s/%s", buf_cstr(&pdir), buf_cstr(&pname));
	res = json_pack("{s:b, s:s, s:s, s:s, s:I}", "ok", 1, "path", buf_cstr(&full), "page",
			buf_cstr(&page_path), "rule", buf_cstr(&final), "tests", (json_int_t)check->ntests);
	buf_free(&page_path);
out:
	if (res)
		rc = reply(out, res, rc);
	rule_free(r);
	rule_free(check);
	article_free(&art);
	buf_free(&sub);
	buf_free(&fname);
	buf_free(&dir);
	buf_free(&pdir);
	buf_free(&pname);
	buf_free(&input);
	buf_free(&final);
	buf_free(&full);
	json_decref(req);
	return rc;
}
