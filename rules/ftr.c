/*
 * ftr.c - FiveFilters site configs into newsmd rules (see ftr.h).
 *
 * Conversion builds a small model of the config (steps per field, page
 * edits, find/replace pairs, headers, page links, tests), merges
 * global.txt's values after the site's, then emits the model with
 * libyaml's emitter.  What each directive becomes:
 *
 *   title/date/author/body      fields.*.steps: {xpath: ...}, in order
 *   strip, strip_id_or_class,
 *   strip_image_src, strip_attr body.clean.xpath {remove: ...}
 *   dissolve                    body.clean.xpath {unwrap: ...}
 *   wrap_in(TAG)                body.clean.xpath {wrap: ..., in: TAG}
 *   move_into(DEST)             body.clean.xpath {move: ..., into: DEST}
 *   find_string/replace_string  preprocess {find, replace}
 *   http_header(NAME)           fetch.headers
 *   single_page_link,
 *   next_page_link (+ if_page_contains)  pages.single / pages.next
 *   src_lazy_load_attr          body.images.lazy_attrs
 *   autodetect_on_failure: no   body.fallback: false
 *   native_ad_clue              fields.native_ad ("yes" when it matches)
 *   test_url / test_contains    tests: [{url, expect: {body_contains}}]
 */
#include "rules/ftr.h"
#include "rules/yaml.h"
#include "common/mem.h"
#include "dom/xpath.h"

#include <ctype.h>
#include <libpsl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- parsing ------------------------------------------------------------ */

struct ftr_line {
	char *cmd;      /* directive name, as written */
	char *arg;      /* the (...) part, or NULL */
	char *val;      /* trimmed value; may be "" */
	unsigned line;
};

struct ftr_conf {
	struct ftr_line *v;
	size_t n;
};

static char *trim_dup(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return xstrndup(s, n);
}

enum nm_code ftr_parse(const char *text, size_t n, const char *file, struct ftr_conf **out,
		       struct nm_err *e)
{
	if (n > FTR_MAX_FILE) {
		err_where(e, file, 0, 0);
		return err_set(e, NM_ELIMIT, "larger than %d bytes; refused", FTR_MAX_FILE);
	}
	struct ftr_conf *c = xcalloc(1, sizeof *c);
	unsigned lineno = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && text[j] != '\n')
			j++;
		lineno++;
		if (lineno > FTR_MAX_LINES) {
			ftr_conf_free(c);
			err_where(e, file, lineno, 0);
			return err_set(e, NM_ELIMIT, "more than %d lines; refused", FTR_MAX_LINES);
		}
		char *l = trim_dup(text + i, j - i);
		i = j + 1;
		char *colon = strchr(l, ':');
		if (!*l || l[0] == '#' || !colon) {
			free(l);
			continue;
		}
		struct ftr_line fl = {0};
		fl.line = lineno;
		fl.val = trim_dup(colon + 1, strlen(colon + 1));
		char *cmd = trim_dup(l, (size_t)(colon - l));
		/* directive(arg): Full-Text RSS's '!^([a-z0-9_]+)\((.*?)\)$!i' */
		size_t cl = strlen(cmd);
		char *par = strchr(cmd, '(');
		if (cl && cmd[cl - 1] == ')' && par && par > cmd) {
			bool ok = true;
			for (char *q = cmd; q < par; q++)
				ok &= isalnum((unsigned char)*q) || *q == '_';
			if (ok) {
				fl.arg = xstrndup(par + 1, cl - 1 - (size_t)(par + 1 - cmd));
				*par = '\0';
			}
		}
		fl.cmd = cmd;
		free(l);
		c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
		c->v[c->n++] = fl;
	}
	*out = c;
	return NM_OK;
}

void ftr_conf_free(struct ftr_conf *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].cmd);
		free(c->v[i].arg);
		free(c->v[i].val);
	}
	free(c->v);
	free(c);
}

/* ---- report ------------------------------------------------------------- */

struct reason {
	char *text;
	enum ftr_verdict v;
	long n;
};

struct row {
	char *name;
	long counts[3];
	struct reason *r;
	size_t nr;
};

struct ftr_report {
	struct row *rows;
	size_t n;
	long files, files_ok;
};

struct ftr_report *ftr_report_new(void)
{
	return xcalloc(1, sizeof(struct ftr_report));
}

void ftr_report_free(struct ftr_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++) {
		for (size_t j = 0; j < r->rows[i].nr; j++)
			free(r->rows[i].r[j].text);
		free(r->rows[i].r);
		free(r->rows[i].name);
	}
	free(r->rows);
	free(r);
}

static void tally(struct ftr_report *r, const char *dir, enum ftr_verdict v, const char *why)
{
	if (!r)
		return;
	struct row *w = NULL;
	for (size_t i = 0; i < r->n && !w; i++)
		if (!strcmp(r->rows[i].name, dir))
			w = &r->rows[i];
	if (!w) {
		r->rows = xrealloc(r->rows, (r->n + 1) * sizeof *r->rows);
		w = &r->rows[r->n++];
		memset(w, 0, sizeof *w);
		w->name = xstrdup(dir);
	}
	w->counts[v]++;
	if (!why)
		return;
	for (size_t j = 0; j < w->nr; j++)
		if (w->r[j].v == v && !strcmp(w->r[j].text, why)) {
			w->r[j].n++;
			return;
		}
	if (w->nr >= FTR_MAX_REASONS) {
		w->r[w->nr - 1].n++;
		return;
	}
	w->r = xrealloc(w->r, (w->nr + 1) * sizeof *w->r);
	w->r[w->nr++] = (struct reason){xstrdup(why), v, 1};
}

void ftr_report_file(struct ftr_report *r, bool converted, const char *reason)
{
	r->files++;
	if (converted)
		r->files_ok++;
	else
		tally(r, "(file)", FTR_SKIPPED, reason);
}

size_t ftr_report_rows(const struct ftr_report *r)
{
	return r->n;
}

const char *ftr_report_row(const struct ftr_report *r, size_t i, long counts[3])
{
	memcpy(counts, r->rows[i].counts, sizeof r->rows[i].counts);
	return r->rows[i].name;
}

const char *ftr_report_reason(const struct ftr_report *r, size_t i, size_t j,
			      enum ftr_verdict *v, long *n)
{
	if (j >= r->rows[i].nr)
		return NULL;
	*v = r->rows[i].r[j].v;
	*n = r->rows[i].r[j].n;
	return r->rows[i].r[j].text;
}

void ftr_report_files(const struct ftr_report *r, long *seen, long *converted)
{
	*seen = r->files;
	*converted = r->files_ok;
}

/* ---- the model ---------------------------------------------------------- */

struct strl {
	char **v;
	size_t n;
};

static bool strl_has(const struct strl *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s))
			return true;
	return false;
}

static void strl_add(struct strl *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n++] = xstrdup(s);
}

static void strl_free(struct strl *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

struct xop {
	const char *kind; /* remove unwrap wrap move */
	char *xp, *extra; /* extra: wrap's tag, move's destination */
};

struct link {
	char *xp, *if_contains;
	bool next;
};

struct test {
	char *url;
	struct strl contains;
};

struct model {
	struct strl title, date, author, body, lazy, native_ad;
	struct xop *ops;
	size_t nops;
	struct strl find, replace;     /* pairs from the separate lines */
	struct strl ifind, ireplace;   /* pairs from the inline form */
	struct strl hname, hval;       /* headers */
	struct link *links;
	size_t nlinks;
	struct test *tests;
	size_t ntests;
	int fallback;                  /* -1 unset, 0 no, 1 yes */
	struct ftr_report *rep;        /* NULL while global's lines are merged */
	bool global;                   /* merging global.txt: site values win */
	/* separate-form find/replace lines, for the report once counts are known */
	size_t nfind_lines, nrepl_lines;
};

static void model_free(struct model *m)
{
	strl_free(&m->title);
	strl_free(&m->date);
	strl_free(&m->author);
	strl_free(&m->body);
	strl_free(&m->lazy);
	strl_free(&m->native_ad);
	for (size_t i = 0; i < m->nops; i++) {
		free(m->ops[i].xp);
		free(m->ops[i].extra);
	}
	free(m->ops);
	strl_free(&m->find);
	strl_free(&m->replace);
	strl_free(&m->ifind);
	strl_free(&m->ireplace);
	strl_free(&m->hname);
	strl_free(&m->hval);
	for (size_t i = 0; i < m->nlinks; i++) {
		free(m->links[i].xp);
		free(m->links[i].if_contains);
	}
	free(m->links);
	for (size_t i = 0; i < m->ntests; i++) {
		free(m->tests[i].url);
		strl_free(&m->tests[i].contains);
	}
	free(m->tests);
}

/* An XPath that libxml2 (through dom/xpath.c) compiles, else a reason. */
static bool xpath_ok(const char *x, struct buf *why)
{
	struct xpath *c = NULL;
	struct nm_err e;
	err_clear(&e);
	if (xpath_compile(x, &c, &e) != NM_OK) {
		buf_clear(why);
		buf_puts(why, "XPath does not compile in libxml2");
		return false;
	}
	xpath_free(c);
	return true;
}

/* An XPath string literal for s ('s', "s", or concat() when s has both). */
static void xp_literal(struct buf *b, const char *s)
{
	if (!strchr(s, '\'')) {
		buf_printf(b, "'%s'", s);
	} else if (!strchr(s, '"')) {
		buf_printf(b, "\"%s\"", s);
	} else {
		buf_puts(b, "concat(");
		for (const char *p = s; *p;) {
			size_t k = strcspn(p, "'");
			if (p != s)
				buf_puts(b, ", ");
			if (k) {
				buf_printf(b, "'%.*s'", (int)k, p);
				p += k;
			} else {
				buf_puts(b, "\"'\"");
				p++;
			}
		}
		buf_puts(b, ")");
	}
}

static void note(struct model *m, const char *dir, enum ftr_verdict v, const char *why)
{
	if (!m->global)
		tally(m->rep, dir, v, why);
}

/* Adds an XPath to a field list (skipping it, with a reason, when it does
 * not compile; duplicates from global.txt are dropped). */
static void add_xpath(struct model *m, struct strl *l, const char *dir, const char *x,
		      enum ftr_verdict v, const char *why)
{
	struct buf w = BUF_INIT;
	if (!xpath_ok(x, &w)) {
		note(m, dir, FTR_SKIPPED, buf_cstr(&w));
	} else {
		if (!strl_has(l, x))
			strl_add(l, x);
		note(m, dir, v, why);
	}
	buf_free(&w);
}

static void add_op(struct model *m, const char *dir, const char *kind, const char *x,
		   const char *extra, enum ftr_verdict v, const char *why)
{
	struct buf w = BUF_INIT;
	if (!xpath_ok(x, &w) || (!strcmp(kind, "move") && !xpath_ok(extra, &w))) {
		note(m, dir, FTR_SKIPPED, buf_cstr(&w));
		buf_free(&w);
		return;
	}
	buf_free(&w);
	for (size_t i = 0; i < m->nops; i++)
		if (!strcmp(m->ops[i].kind, kind) && !strcmp(m->ops[i].xp, x) &&
		    !strcmp(m->ops[i].extra ? m->ops[i].extra : "", extra ? extra : "")) {
			note(m, dir, v, why);
			return;
		}
	m->ops = xrealloc(m->ops, (m->nops + 1) * sizeof *m->ops);
	m->ops[m->nops++] = (struct xop){kind, xstrdup(x), extra ? xstrdup(extra) : NULL};
	note(m, dir, v, why);
}

static bool yes(const char *v)
{
	return !strcasecmp(v, "yes") || !strcasecmp(v, "true");
}

static bool is_no(const char *v)
{
	return !strcasecmp(v, "no") || !strcasecmp(v, "false");
}

/* "user-agent" -> "User-Agent" */
static char *header_name(const char *s)
{
	char *h = xstrdup(s);
	bool up = true;
	for (char *p = h; *p; p++) {
		*p = (char)(up ? toupper((unsigned char)*p) : tolower((unsigned char)*p));
		up = *p == '-';
	}
	return h;
}

static bool tag_ok(const char *t)
{
	if (!*t)
		return false;
	for (; *t; t++)
		if (!((*t >= 'a' && *t <= 'z') || (*t >= '0' && *t <= '9') || *t == '-'))
			return false;
	return true;
}

/* Directives Full-Text RSS reads that newsmd has no counterpart for, with
 * the reason printed in the report. */
static const char *const unsupported[][2] = {
	{"login_uri", "newsmd does not log in to sites"},
	{"login_username_field", "newsmd does not log in to sites"},
	{"login_password_field", "newsmd does not log in to sites"},
	{"login_extra_fields", "newsmd does not log in to sites"},
	{"requires_login", "newsmd does not log in to sites"},
	{"not_logged_in_xpath", "newsmd does not log in to sites"},
	{"parser", "newsmd always parses with gumbo (HTML5); FTR's parser choice does not apply"},
	{"footnotes", "newsmd keeps links inline; FTR's footnote list is not made"},
	{"autodetect_next_page", "newsmd follows only the pages a rule names (pages.next)"},
	{"strip_comments", "newsmd always removes HTML comments from the body"},
	{"single_page_link_in_feed", "newsmd reads feeds for links only; a feed item's link is fetched as given"},
	{"post_strip_attr", "not applied by Full-Text RSS either (global.txt says so)"},
	{"skip_id_or_class", "not among Full-Text RSS's documented directives; its effect is unknown"},
	{NULL, NULL},
};

static void one_line(struct model *m, const struct ftr_line *l)
{
	const char *c = l->cmd, *v = l->val;
	struct buf x = BUF_INIT;
	bool empty = !*v;
	if (l->arg) {
		if (!strcmp(c, "replace_string")) {
			if (!*l->arg) {
				note(m, "replace_string(...)", FTR_SKIPPED, "empty find text");
			} else {
				strl_add(&m->ifind, l->arg);
				strl_add(&m->ireplace, v);
				note(m, "replace_string(...)", FTR_CONVERTED, NULL);
			}
		} else if (!strcmp(c, "http_header")) {
			char *h = header_name(l->arg);
			if (empty || strpbrk(h, ": \r\n") || strpbrk(v, "\r\n")) {
				note(m, "http_header", FTR_SKIPPED, "empty or malformed header");
			} else if (!strl_has(&m->hname, h)) {
				strl_add(&m->hname, h);
				strl_add(&m->hval, v);
				note(m, "http_header", FTR_CONVERTED, NULL);
			} else {
				note(m, "http_header", FTR_SKIPPED, "header given twice; the first is kept");
			}
			free(h);
		} else if (!strcmp(c, "wrap_in")) {
			char *t = xstrdup(l->arg);
			for (char *p = t; *p; p++)
				*p = (char)tolower((unsigned char)*p);
			if (empty || !tag_ok(t))
				note(m, "wrap_in", FTR_SKIPPED, "empty XPath or not a tag name");
			else
				add_op(m, "wrap_in", "wrap", v, t, FTR_CONVERTED, NULL);
			free(t);
		} else if (!strcmp(c, "move_into")) {
			if (empty)
				note(m, "move_into", FTR_SKIPPED, "empty XPath");
			else
				add_op(m, "move_into", "move", v, l->arg, FTR_CONVERTED, NULL);
		} else {
			buf_printf(&x, "%s(...)", c);
			note(m, buf_cstr(&x), FTR_SKIPPED, "not a directive Full-Text RSS reads");
		}
		buf_free(&x);
		return;
	}
	if (empty && strcmp(c, "replace_string")) {
		note(m, c, FTR_SKIPPED, "empty value (Full-Text RSS ignores the line)");
		return;
	}
	if (!strcmp(c, "title")) {
		add_xpath(m, &m->title, c, v, FTR_CONVERTED, NULL);
	} else if (!strcmp(c, "date")) {
		add_xpath(m, &m->date, c, v, FTR_APPROXIMATED,
			  "the text is read by newsmd's date parser (ISO 8601, RFC 2822, common "
			  "forms), not PHP's strtotime");
	} else if (!strcmp(c, "author")) {
		add_xpath(m, &m->author, c, v, FTR_CONVERTED, NULL);
	} else if (!strcmp(c, "body")) {
		add_xpath(m, &m->body, c, v, FTR_CONVERTED, NULL);
	} else if (!strcmp(c, "strip")) {
		add_op(m, c, "remove", v, NULL, FTR_CONVERTED, NULL);
	} else if (!strcmp(c, "strip_id_or_class")) {
		/* Full-Text RSS: a quoted value is a whole class token or the whole
		 * id; a bare one a substring of either */
		size_t n = strlen(v);
		bool q = n >= 2 && (v[0] == '\'' || v[0] == '"') && v[n - 1] == v[0];
		char *s = q ? xstrndup(v + 1, n - 2) : xstrdup(v);
		if (q) {
			struct buf lit = BUF_INIT, lit2 = BUF_INIT, tok = BUF_INIT;
			buf_printf(&tok, " %s ", s);
			xp_literal(&lit, buf_cstr(&tok));
			xp_literal(&lit2, s);
			buf_printf(&x, "//*[contains(concat(' ',normalize-space(@class),' '),%s) or @id=%s]",
				   buf_cstr(&lit), buf_cstr(&lit2));
			buf_free(&lit);
			buf_free(&lit2);
			buf_free(&tok);
		} else {
			struct buf lit = BUF_INIT;
			xp_literal(&lit, s);
			buf_printf(&x, "//*[contains(@class, %s) or contains(@id, %s)]", buf_cstr(&lit),
				   buf_cstr(&lit));
			buf_free(&lit);
		}
		add_op(m, c, "remove", buf_cstr(&x), NULL, FTR_CONVERTED, NULL);
		free(s);
	} else if (!strcmp(c, "strip_image_src")) {
		struct buf lit = BUF_INIT, s = BUF_INIT;
		for (const char *p = v; *p; p++)
			if (*p != '\'' && *p != '"')
				buf_putc(&s, *p);
		xp_literal(&lit, buf_cstr(&s));
		buf_printf(&x, "//img[contains(@src, %s)]", buf_cstr(&lit));
		add_op(m, c, "remove", buf_cstr(&x), NULL, FTR_CONVERTED, NULL);
		buf_free(&lit);
		buf_free(&s);
	} else if (!strcmp(c, "strip_attr")) {
		add_op(m, c, "remove", v, NULL, FTR_CONVERTED, NULL);
	} else if (!strcmp(c, "dissolve")) {
		add_op(m, c, "unwrap", v, NULL, FTR_CONVERTED, NULL);
	} else if (!strcmp(c, "find_string")) {
		strl_add(&m->find, v);
		m->nfind_lines++;
	} else if (!strcmp(c, "replace_string")) {
		strl_add(&m->replace, v);
		m->nrepl_lines++;
	} else if (!strcmp(c, "single_page_link") || !strcmp(c, "next_page_link")) {
		struct buf w = BUF_INIT;
		if (!xpath_ok(v, &w)) {
			note(m, c, FTR_SKIPPED, buf_cstr(&w));
		} else {
			m->links = xrealloc(m->links, (m->nlinks + 1) * sizeof *m->links);
			m->links[m->nlinks++] = (struct link){xstrdup(v), NULL, c[0] == 'n'};
			note(m, c, FTR_APPROXIMATED,
			     "followed by `extract` and `convert` (pipeline fetch); `crawl` reads the first page only");
		}
		buf_free(&w);
	} else if (!strcmp(c, "if_page_contains")) {
		struct buf w = BUF_INIT;
		if (!m->nlinks || m->links[m->nlinks - 1].if_contains)
			note(m, c, FTR_SKIPPED, "no single_page_link/next_page_link before it");
		else if (!xpath_ok(v, &w))
			note(m, c, FTR_SKIPPED, buf_cstr(&w));
		else {
			m->links[m->nlinks - 1].if_contains = xstrdup(v);
			note(m, c, FTR_CONVERTED, NULL);
		}
		buf_free(&w);
	} else if (!strcmp(c, "src_lazy_load_attr")) {
		if (strpbrk(v, " \t'\"<>=")) {
			note(m, c, FTR_SKIPPED, "not an attribute name");
		} else {
			if (!strl_has(&m->lazy, v))
				strl_add(&m->lazy, v);
			note(m, c, FTR_CONVERTED, NULL);
		}
	} else if (!strcmp(c, "native_ad_clue")) {
		add_xpath(m, &m->native_ad, c, v, FTR_CONVERTED, NULL);
	} else if (!strcmp(c, "autodetect_on_failure")) {
		if (!m->global || m->fallback < 0)
			m->fallback = !is_no(v);
		note(m, c, FTR_CONVERTED, NULL);
	} else if (!strcmp(c, "prune")) {
		if (yes(v))
			note(m, c, FTR_CONVERTED, NULL);
		else
			note(m, c, FTR_APPROXIMATED,
			     "prune: no: newsmd always cleans the body (scripts, hidden, share and "
			     "ad blocks); it cannot be turned off");
	} else if (!strcmp(c, "tidy")) {
		note(m, c, FTR_SKIPPED,
		     "nothing to do: newsmd's HTML5 parser (gumbo) repairs markup as tidy would");
	} else if (!strcmp(c, "skip_json_ld")) {
		if (is_no(v))
			note(m, c, FTR_CONVERTED, NULL);
		else
			note(m, c, FTR_APPROXIMATED,
			     "newsmd reads JSON-LD only for fields the rule's XPaths leave empty");
	} else if (!strcmp(c, "insert_detected_image")) {
		if (is_no(v))
			note(m, c, FTR_CONVERTED, NULL);
		else
			note(m, c, FTR_APPROXIMATED,
			     "newsmd puts the page's image in lead_image, never into the body");
	} else if (!strcmp(c, "convert_double_br_tags")) {
		note(m, c, FTR_APPROXIMATED,
		     "<br><br> stays as two line breaks in the HTML body; Markdown renders them "
		     "as breaks, not a paragraph");
	} else if (!strcmp(c, "test_url")) {
		if (strncmp(v, "http://", 7) && strncmp(v, "https://", 8)) {
			note(m, c, FTR_SKIPPED, "not an http(s) URL");
		} else {
			m->tests = xrealloc(m->tests, (m->ntests + 1) * sizeof *m->tests);
			m->tests[m->ntests++] = (struct test){xstrdup(v), {0}};
			note(m, c, FTR_CONVERTED, NULL);
		}
	} else if (!strcmp(c, "test_contains")) {
		if (!m->ntests) {
			note(m, c, FTR_SKIPPED, "no test_url before it");
		} else {
			strl_add(&m->tests[m->ntests - 1].contains, v);
			note(m, c, FTR_APPROXIMATED,
			     "checked against newsmd's body text (FTR checks its HTML output)");
		}
	} else {
		const char *why = NULL;
		for (int i = 0; unsupported[i][0] && !why; i++)
			if (!strcmp(c, unsupported[i][0]))
				why = unsupported[i][1];
		note(m, c, FTR_SKIPPED, why ? why : "not a directive Full-Text RSS reads");
	}
	buf_free(&x);
}

/* find_string/replace_string lines are paired by position, as in
 * Full-Text RSS, which applies none of them when the counts differ. */
static void pair_lines(struct model *m)
{
	if (m->global)
		return;
	if (m->find.n != m->replace.n) {
		for (size_t i = 0; i < m->nfind_lines; i++)
			note(m, "find_string", FTR_SKIPPED,
			     "find_string and replace_string counts differ: Full-Text RSS applies none");
		for (size_t i = 0; i < m->nrepl_lines; i++)
			note(m, "replace_string", FTR_SKIPPED,
			     "find_string and replace_string counts differ: Full-Text RSS applies none");
		strl_free(&m->find);
		strl_free(&m->replace);
		return;
	}
	for (size_t i = 0; i < m->find.n; i++) {
		note(m, "find_string", FTR_CONVERTED, NULL);
		if (*m->replace.v[i])
			note(m, "replace_string", FTR_CONVERTED, NULL);
		else
			note(m, "replace_string", FTR_APPROXIMATED,
			     "empty value read as deleting the found text");
	}
}

static void run_lines(struct model *m, const struct ftr_conf *c)
{
	size_t f0 = m->find.n, r0 = m->replace.n;
	for (size_t i = 0; i < c->n; i++)
		one_line(m, &c->v[i]);
	if (m->global && m->find.n - f0 != m->replace.n - r0) {
		/* global.txt's own pairs are unbalanced: none of them */
		for (size_t i = m->find.n; i-- > f0;)
			free(m->find.v[i]);
		for (size_t i = m->replace.n; i-- > r0;)
			free(m->replace.v[i]);
		m->find.n = f0;
		m->replace.n = r0;
	}
}

/* ---- emitting ----------------------------------------------------------- */

struct em {
	yaml_emitter_t e;
	yaml_event_t ev;
	bool ok;
};

static int write_cb(void *data, unsigned char *buffer, size_t size)
{
	buf_put(data, buffer, size);
	return 1;
}

static void em_scalar(struct em *m, const char *s)
{
	if (!m->ok)
		return;
	/* a value YAML would read as a number, boolean or null is quoted, so
	 * the rule loader reads it back as the text it is (replace: '624') */
	yaml_scalar_event_initialize(&m->ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
				     ytext_nontext(s) ? YAML_SINGLE_QUOTED_SCALAR_STYLE
						      : YAML_ANY_SCALAR_STYLE);
	m->ok = yaml_emitter_emit(&m->e, &m->ev);
}

static void em_map(struct em *m, bool start, bool flow)
{
	if (!m->ok)
		return;
	if (start)
		yaml_mapping_start_event_initialize(&m->ev, NULL, NULL, 1,
						    flow ? YAML_FLOW_MAPPING_STYLE
							 : YAML_BLOCK_MAPPING_STYLE);
	else
		yaml_mapping_end_event_initialize(&m->ev);
	m->ok = yaml_emitter_emit(&m->e, &m->ev);
}

static void em_seq(struct em *m, bool start, bool flow)
{
	if (!m->ok)
		return;
	if (start)
		yaml_sequence_start_event_initialize(&m->ev, NULL, NULL, 1,
						     flow ? YAML_FLOW_SEQUENCE_STYLE
							  : YAML_BLOCK_SEQUENCE_STYLE);
	else
		yaml_sequence_end_event_initialize(&m->ev);
	m->ok = yaml_emitter_emit(&m->e, &m->ev);
}

static void em_kv(struct em *m, const char *k, const char *v)
{
	em_scalar(m, k);
	em_scalar(m, v);
}

/* key: a boolean, written plain so YAML reads it as one */
static void em_flag(struct em *m, const char *k, bool v)
{
	em_scalar(m, k);
	if (!m->ok)
		return;
	const char *s = v ? "true" : "false";
	yaml_scalar_event_initialize(&m->ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
				     YAML_PLAIN_SCALAR_STYLE);
	m->ok = yaml_emitter_emit(&m->e, &m->ev);
}

/* key: {steps: [{xpath: X}, ...]} plus extra flags */
static void em_field(struct em *m, const char *name, const struct strl *xs, bool not_required,
		     bool no_fallback)
{
	if (!xs->n)
		return;
	em_scalar(m, name);
	em_map(m, true, false);
	em_scalar(m, "steps");
	em_seq(m, true, false);
	for (size_t i = 0; i < xs->n; i++) {
		em_map(m, true, true);
		em_kv(m, "xpath", xs->v[i]);
		em_map(m, false, true);
	}
	em_seq(m, false, false);
	if (not_required)
		em_flag(m, "required", false);
	if (no_fallback)
		em_flag(m, "fallback", false);
	em_map(m, false, false);
}

static void em_links(struct em *m, const struct model *md, bool next)
{
	size_t k = 0;
	for (size_t i = 0; i < md->nlinks; i++)
		k += md->links[i].next == next;
	if (!k)
		return;
	em_scalar(m, next ? "next" : "single");
	em_seq(m, true, false);
	for (size_t i = 0; i < md->nlinks; i++) {
		if (md->links[i].next != next)
			continue;
		if (!md->links[i].if_contains) {
			em_scalar(m, md->links[i].xp);
			continue;
		}
		em_map(m, true, false);
		em_kv(m, "xpath", md->links[i].xp);
		em_kv(m, "if_contains", md->links[i].if_contains);
		em_map(m, false, false);
	}
	em_seq(m, false, false);
}

static bool emit(const struct model *md, const char *name, const char *imported,
		 const struct strl *hosts, const struct strl *suffixes, struct buf *out)
{
	struct em m = {.ok = true};
	yaml_emitter_initialize(&m.e);
	yaml_emitter_set_output(&m.e, write_cb, out);
	yaml_emitter_set_unicode(&m.e, 1);
	yaml_emitter_set_width(&m.e, -1);
	yaml_emitter_set_break(&m.e, YAML_LN_BREAK);
	yaml_stream_start_event_initialize(&m.ev, YAML_UTF8_ENCODING);
	m.ok = yaml_emitter_emit(&m.e, &m.ev);
	if (m.ok) {
		yaml_document_start_event_initialize(&m.ev, NULL, NULL, NULL, 1);
		m.ok = yaml_emitter_emit(&m.e, &m.ev);
	}
	em_map(&m, true, false);
	em_kv(&m, "name", name);
	em_kv(&m, "imported", imported);
	if (hosts->n || suffixes->n) {
		em_scalar(&m, "match");
		em_map(&m, true, false);
		const struct strl *ls[2] = {hosts, suffixes};
		const char *ks[2] = {"hosts", "host_suffixes"};
		for (int j = 0; j < 2; j++) {
			if (!ls[j]->n)
				continue;
			em_scalar(&m, ks[j]);
			em_seq(&m, true, true);
			for (size_t i = 0; i < ls[j]->n; i++)
				em_scalar(&m, ls[j]->v[i]);
			em_seq(&m, false, true);
		}
		em_map(&m, false, false);
	}
	if (md->hname.n) {
		em_scalar(&m, "fetch");
		em_map(&m, true, false);
		em_scalar(&m, "headers");
		em_map(&m, true, false);
		for (size_t i = 0; i < md->hname.n; i++)
			em_kv(&m, md->hname.v[i], md->hval.v[i]);
		em_map(&m, false, false);
		em_map(&m, false, false);
	}
	if (md->find.n || md->ifind.n) {
		/* Full-Text RSS: the separate pairs, then the inline ones */
		em_scalar(&m, "preprocess");
		em_seq(&m, true, false);
		const struct strl *fs[2] = {&md->find, &md->ifind}, *rs[2] = {&md->replace,
									     &md->ireplace};
		for (int j = 0; j < 2; j++)
			for (size_t i = 0; i < fs[j]->n; i++) {
				em_map(&m, true, true);
				em_kv(&m, "find", fs[j]->v[i]);
				em_kv(&m, "replace", rs[j]->v[i]);
				em_map(&m, false, true);
			}
		em_seq(&m, false, false);
	}
	if (md->title.n || md->date.n || md->author.n || md->native_ad.n) {
		em_scalar(&m, "fields");
		em_map(&m, true, false);
		em_field(&m, "title", &md->title, true, false);
		em_field(&m, "date", &md->date, false, false);
		em_field(&m, "author", &md->author, false, false);
		if (md->native_ad.n) {
			/* "yes" when any clue matches: substring('yes', 1, 3 * boolean) */
			struct strl w = {0};
			struct buf b = BUF_INIT;
			buf_puts(&b, "substring('yes', 1, 3 * number(boolean(");
			for (size_t i = 0; i < md->native_ad.n; i++)
				buf_printf(&b, "%s(%s)", i ? " | " : "", md->native_ad.v[i]);
			buf_puts(&b, ")))");
			strl_add(&w, buf_cstr(&b));
			em_field(&m, "native_ad", &w, false, true);
			strl_free(&w);
			buf_free(&b);
		}
		em_map(&m, false, false);
	}
	em_scalar(&m, "body");
	em_map(&m, true, false);
	em_scalar(&m, "steps");
	em_seq(&m, true, false);
	for (size_t i = 0; i < md->body.n; i++) {
		/* pick: all - every match joined, as Full-Text RSS does */
		em_map(&m, true, true);
		em_kv(&m, "xpath", md->body.v[i]);
		em_kv(&m, "pick", "all");
		em_map(&m, false, true);
	}
	if (!md->body.n) {
		/* no body XPath: Full-Text RSS detects the content block */
		em_map(&m, true, true);
		em_flag(&m, "auto", true);
		em_map(&m, false, true);
	}
	em_seq(&m, false, false);
	if (md->fallback == 0)
		em_flag(&m, "fallback", false);
	if (md->nops) {
		em_scalar(&m, "clean");
		em_map(&m, true, false);
		em_scalar(&m, "xpath");
		em_seq(&m, true, false);
		for (size_t i = 0; i < md->nops; i++) {
			em_map(&m, true, true);
			em_kv(&m, md->ops[i].kind, md->ops[i].xp);
			if (md->ops[i].extra)
				em_kv(&m, md->ops[i].kind[0] == 'w' ? "in" : "into", md->ops[i].extra);
			em_map(&m, false, true);
		}
		em_seq(&m, false, false);
		em_map(&m, false, false);
	}
	if (md->lazy.n) {
		em_scalar(&m, "images");
		em_map(&m, true, false);
		em_scalar(&m, "lazy_attrs");
		em_seq(&m, true, true);
		for (size_t i = 0; i < md->lazy.n; i++)
			em_scalar(&m, md->lazy.v[i]);
		em_seq(&m, false, true);
		em_map(&m, false, false);
	}
	em_map(&m, false, false);
	if (md->nlinks) {
		em_scalar(&m, "pages");
		em_map(&m, true, false);
		em_links(&m, md, false);
		em_links(&m, md, true);
		em_map(&m, false, false);
	}
	if (md->ntests) {
		em_scalar(&m, "tests");
		em_seq(&m, true, false);
		for (size_t i = 0; i < md->ntests; i++) {
			em_map(&m, true, false);
			em_kv(&m, "url", md->tests[i].url);
			if (md->tests[i].contains.n) {
				em_scalar(&m, "expect");
				em_map(&m, true, false);
				em_scalar(&m, "body_contains");
				em_seq(&m, true, false);
				for (size_t j = 0; j < md->tests[i].contains.n; j++)
					em_scalar(&m, md->tests[i].contains.v[j]);
				em_seq(&m, false, false);
				em_map(&m, false, false);
			}
			em_map(&m, false, false);
		}
		em_seq(&m, false, false);
	}
	em_map(&m, false, false);
	if (m.ok) {
		yaml_document_end_event_initialize(&m.ev, 1);
		m.ok = yaml_emitter_emit(&m.e, &m.ev);
	}
	if (m.ok) {
		yaml_stream_end_event_initialize(&m.ev);
		m.ok = yaml_emitter_emit(&m.e, &m.ev);
	}
	yaml_emitter_delete(&m.e);
	return m.ok;
}

/* ---- conversion --------------------------------------------------------- */

/* A file-name- and rule-name-safe form of a host: lower case, [a-z0-9.-],
 * anything else '_'. */
static void safe_name(const char *s, struct buf *out)
{
	for (; *s; s++) {
		int ch = tolower((unsigned char)*s);
		buf_putc(out, (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' ||
				      ch == '-'
			      ? ch
			      : '_');
	}
}

static bool host_ok(const char *h)
{
	if (!*h || *h == '.' || strstr(h, ".."))
		return false;
	for (; *h; h++)
		if (!(isalnum((unsigned char)*h) || *h == '.' || *h == '-' || *h == '_'))
			return false;
	return true;
}

enum nm_code ftr_convert(const struct ftr_conf *site, const char *base,
			 const struct ftr_conf *global, struct ftr_report *rep,
			 struct buf *yaml, char **out_name, struct nm_err *e)
{
	size_t bl = strlen(base);
	if (bl < 5 || strcmp(base + bl - 4, ".txt")) {
		ftr_report_file(rep, false, "not a .txt config");
		err_where(e, base, 0, 0);
		return err_set(e, NM_ERULE, "not a .txt config");
	}
	char *stem = xstrndup(base, bl - 4);
	for (char *p = stem; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	bool is_global = !strcmp(stem, "global");
	struct strl hosts = {0}, suffixes = {0};
	struct buf name = BUF_INIT, file = BUF_INIT, imported = BUF_INIT;
	enum nm_code rc = NM_OK;
	const char *why = NULL;
	if (!is_global) {
		bool suffix = stem[0] == '.';
		const char *h = stem + suffix;
		const psl_ctx_t *psl = psl_builtin();
		if (!host_ok(h) || !strchr(h, '.'))
			why = "the file name is not a host name";
		else if (suffix && psl && psl_is_public_suffix(psl, h))
			why = "its host suffix is a public suffix (newsmd refuses a rule for every "
			      "site under one)";
		else if (suffix) {
			strl_add(&suffixes, h);
		} else {
			/* Full-Text RSS looks example.com.txt up for example.com and
			 * www.example.com */
			strl_add(&hosts, h);
			struct buf w = BUF_INIT;
			if (!strncmp(h, "www.", 4))
				buf_puts(&w, h + 4);
			else
				buf_printf(&w, "www.%s", h);
			if (strchr(buf_cstr(&w), '.'))
				strl_add(&hosts, buf_cstr(&w));
			buf_free(&w);
		}
		if (why) {
			ftr_report_file(rep, false, why);
			err_where(e, base, 0, 0);
			rc = err_set(e, NM_ERULE, "%s", why);
			goto out;
		}
	}
	buf_puts(&name, "ftr-");
	safe_name(suffixes.n ? "_" : "", &name);
	safe_name(stem, &name);
	safe_name(suffixes.n ? "_" : "", &file);
	safe_name(stem, &file);
	buf_puts(&file, ".yml");
	buf_printf(&imported, "ftr-site-config/%s", base);
	struct model md = {0};
	md.fallback = -1;
	md.rep = rep;
	run_lines(&md, site);
	pair_lines(&md);
	if (global && !is_global) {
		md.global = true;
		run_lines(&md, global);
	}
	if (!emit(&md, buf_cstr(&name), buf_cstr(&imported), &hosts, &suffixes, yaml)) {
		ftr_report_file(rep, false, "the YAML emitter failed");
		err_where(e, base, 0, 0);
		rc = err_set(e, NM_ERULE, "the YAML emitter failed");
	} else {
		ftr_report_file(rep, true, NULL);
		*out_name = buf_detach(&file);
	}
	model_free(&md);
out:
	strl_free(&hosts);
	strl_free(&suffixes);
	buf_free(&name);
	buf_free(&file);
	buf_free(&imported);
	free(stem);
	return rc;
}
