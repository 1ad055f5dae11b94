/*
 * cmd_suggest.c - `newsmd rules suggest`: a draft rule for a page no rule
 * knows.  The generic extractor and the page's metadata find the title,
 * date, author and body; for each, a CSS selector is built and checked to
 * match exactly that element (and nothing else) on the page; the draft is
 * then loaded and run like any rule, and what it extracts becomes its
 * `tests`.
 */
#include "cli/cmd.h"
#include "crawler/pipeline.h"
#include "common/date.h"
#include "common/file.h"
#include "common/mem.h"
#include "dom/charset.h"
#include "net/url.h"
#include "extractor/auto.h"
#include "dom/html.h"
#include "extractor/meta.h"
#include "dom/sel.h"

#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Ancestors a selector may name above its element: deeper chains are
 * fragile and unreadable; past this the nth-of-type path is used. */
#define SUGGEST_MAX_ANCESTORS 4
/* Classes of one element used in a selector. */
#define SUGGEST_MAX_CLASSES 3

static bool is_ident(const char *s)
{
	if (!*s || isdigit((unsigned char)*s) || (*s == '-' && isdigit((unsigned char)s[1])))
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (!(isalnum(*p) || *p == '-' || *p == '_' || *p >= 0x80))
			return false;
	return true;
}

/* Ids and classes made of digits and hashes change on every deploy. */
static bool looks_stable(const char *s)
{
	size_t digits = 0, n = strlen(s);
	for (size_t i = 0; i < n; i++)
		digits += isdigit((unsigned char)s[i]) != 0;
	return n && n <= 40 && digits * 3 < n;
}

/* tag, #id and up to three stable classes of el. */
static void compound(xmlNodePtr el, bool use_id, struct buf *out)
{
	buf_puts(out, (const char *)el->name);
	xmlChar *id = xmlGetProp(el, BAD_CAST "id");
	if (use_id && id && is_ident((const char *)id) && looks_stable((const char *)id)) {
		buf_printf(out, "#%s", id);
		xmlFree(id);
		return;
	}
	xmlFree(id);
	xmlChar *cls = xmlGetProp(el, BAD_CAST "class");
	if (cls) {
		char *save = NULL, *copy = xstrdup((const char *)cls);
		int k = 0;
		for (char *t = strtok_r(copy, " \t\n\r\f", &save); t && k < SUGGEST_MAX_CLASSES;
		     t = strtok_r(NULL, " \t\n\r\f", &save))
			if (is_ident(t) && looks_stable(t)) {
				buf_printf(out, ".%s", t);
				k++;
			}
		free(copy);
	}
	xmlFree(cls);
}

/* True when sel matches el and only el in the document. */
static bool unique(const struct html_doc *h, const char *sel, xmlNodePtr el)
{
	struct sel *s = NULL;
	if (sel_compile(sel, &s, NULL) != NM_OK)
		return false;
	xmlNodePtr *nodes = NULL;
	size_t n = sel_select(s, (xmlNodePtr)h->doc, &nodes);
	bool ok = n == 1 && nodes[0] == el;
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

/* A selector matching exactly el, preferring short and readable ones. */
static bool selector_for(const struct html_doc *h, xmlNodePtr el, struct buf *out)
{
	struct buf own = BUF_INIT, cand = BUF_INIT;
	compound(el, true, &own);
	if (unique(h, buf_cstr(&own), el)) {
		buf_put(out, own.ptr, own.len);
		buf_free(&own);
		return true;
	}
	/* ancestor descendant / ancestor > child, nearest ancestors first */
	xmlNodePtr a = el->parent;
	struct buf chain = BUF_INIT;
	buf_puts(&chain, buf_cstr(&own));
	for (int depth = 0; a && a->type == XML_ELEMENT_NODE && depth < SUGGEST_MAX_ANCESTORS;
	     depth++, a = a->parent) {
		struct buf anc = BUF_INIT;
		compound(a, true, &anc);
		buf_clear(&cand);
		buf_printf(&cand, "%s %s", buf_cstr(&anc), buf_cstr(&own));
		bool ok = unique(h, buf_cstr(&cand), el);
		if (!ok) {
			struct buf c2 = BUF_INIT;
			buf_printf(&c2, "%s > %s", buf_cstr(&anc), buf_cstr(&chain));
			buf_free(&chain);
			chain = c2;
			buf_clear(&cand);
			buf_puts(&cand, buf_cstr(&chain));
			ok = unique(h, buf_cstr(&cand), el);
		}
		buf_free(&anc);
		if (ok) {
			buf_put(out, cand.ptr, cand.len);
			buf_free(&own);
			buf_free(&cand);
			buf_free(&chain);
			return true;
		}
	}
	buf_free(&chain);
	/* last resort: the nth-of-type path from the root */
	xmlNodePtr path[HTML_MAX_DEPTH];
	size_t n = 0;
	for (xmlNodePtr p = el; p && p->type == XML_ELEMENT_NODE && n < HTML_MAX_DEPTH; p = p->parent)
		path[n++] = p;
	buf_clear(&cand);
	for (size_t i = n; i-- > 0;)
		buf_printf(&cand, "%s%s:nth-of-type(%zu)", i + 1 == n ? "" : " > ",
			   (const char *)path[i]->name, nth_of_type(path[i]));
	bool ok = unique(h, buf_cstr(&cand), el);
	if (ok)
		buf_put(out, cand.ptr, cand.len);
	buf_free(&own);
	buf_free(&cand);
	return ok;
}

/* YAML single-quoted scalar: safe for any text without line breaks. */
static void yq(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; s && *s; s++) {
		if (*s == '\'')
			fputs("''", f);
		else if (*s == '\n' || *s == '\r' || *s == '\t')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
	fputc('\'', f);
}

/* The smallest element whose own text holds the date string (for a date
 * printed in the page rather than declared in metadata). */
static xmlNodePtr element_with_text(xmlNodePtr root, const char *needle)
{
	xmlNodePtr best = NULL;
	size_t best_len = (size_t)-1;
	xmlNodePtr n = root;
	while (n) {
		if (n->type == XML_ELEMENT_NODE) {
			struct buf t = BUF_INIT;
			html_text(n, &t);
			if (t.len < best_len && strstr(buf_cstr(&t), needle) &&
			    !xmlStrEqual(n->name, BAD_CAST "script")) {
				best = n;
				best_len = t.len;
			}
			buf_free(&t);
		}
		if (n->type == XML_ELEMENT_NODE && n->children) {
			n = n->children;
			continue;
		}
		while (n && n != root && !n->next)
			n = n->parent;
		if (!n || n == root)
			break;
		n = n->next;
	}
	return best;
}

struct draft {
	char *title_sel, *date_step, *author_step, *body_sel;
};

static void draft_free(struct draft *d)
{
	free(d->title_sel);
	free(d->date_step);
	free(d->author_step);
	free(d->body_sel);
}

/* The date step: a <time datetime>, a meta tag, JSON-LD, or the element
 * printing it. */
static char *date_step(const struct html_doc *h)
{
	static const char *const metas[] = {"article:published_time", "pubdate", "publishdate",
					    "og:published_time", "datePublished", NULL};
	struct buf b = BUF_INIT;
	struct sel *s = NULL;
	if (sel_compile("time[datetime]", &s, NULL) == NM_OK) {
		xmlNodePtr t = sel_first(s, (xmlNodePtr)h->doc);
		struct buf sel = BUF_INIT;
		if (t && selector_for(h, t, &sel))
			buf_printf(&b, "{css: '%s', attr: datetime}", buf_cstr(&sel));
		buf_free(&sel);
		sel_free(s);
		if (b.len)
			return buf_detach(&b);
	}
	for (int i = 0; metas[i]; i++) {
		struct buf q = BUF_INIT;
		buf_printf(&q, "meta[property='%s' i], meta[name='%s' i], meta[itemprop='%s' i]", metas[i],
			   metas[i], metas[i]);
		if (sel_compile(buf_cstr(&q), &s, NULL) == NM_OK) {
			xmlNodePtr m = sel_first(s, (xmlNodePtr)h->doc);
			sel_free(s);
			if (m) {
				buf_printf(&b, "{meta: '%s'}", metas[i]);
				buf_free(&q);
				return buf_detach(&b);
			}
		}
		buf_free(&q);
	}
	if (sel_compile("script[type='application/ld+json' i]", &s, NULL) == NM_OK) {
		xmlNodePtr m = sel_first(s, (xmlNodePtr)h->doc);
		sel_free(s);
		struct buf t = BUF_INIT;
		if (m)
			html_text(m, &t);
		bool has = strstr(buf_cstr(&t), "\"datePublished\"") != NULL;
		buf_free(&t);
		if (has)
			return xstrdup("{jsonld: datePublished}");
	}
	buf_free(&b);
	return NULL;
}

static int rules_suggest_run(const char *input, const char *url, const char *out_path,
			     struct pipeline *p)
{
	struct buf bytes = BUF_INIT, text = BUF_INIT;
	struct nm_err e;
	err_clear(&e);
	char *ctype = NULL, used[64];
	enum nm_code rc;
	struct buf page_url = BUF_INIT;
	rc = pipeline_read(p, NULL, input, &bytes, &ctype, &e);
	buf_puts(&page_url, url ? url : url_looks_absolute(input) ? input : "http://localhost/");
	if (rc) {
		cli_error(&e);
		free(ctype);
		buf_free(&bytes);
		buf_free(&page_url);
		return EXIT_SOME_FAILED;
	}
	charset_decode(bytes.ptr ? bytes.ptr : "", bytes.len, ctype, NULL, &text, used, sizeof used,
		       &e);
	struct html_doc *h = NULL;
	if (html_parse(buf_cstr(&text), text.len, &h, &e) != NM_OK) { /* h-extract: a refused page */
		cli_error(&e), free(ctype), buf_free(&bytes), buf_free(&text), buf_free(&page_url);
		return EXIT_SOME_FAILED;
	}
	struct article a;
	article_init(&a);
	meta_extract(h, buf_cstr(&page_url), &a, NULL);
	struct draft d = {0};
	struct buf sel = BUF_INIT;
	/* title: the headline element, else og:title */
	xmlNodePtr head = a.title ? meta_headline(h, a.title) : NULL;
	if (head && selector_for(h, head, &sel))
		d.title_sel = buf_detach(&sel);
	buf_clear(&sel);
	/* author */
	if (a.author.n) {
		xmlNodePtr el = element_with_text(html_body(h), a.author.v[0]);
		struct sel *mt = NULL;
		if (el && el != html_body(h) && selector_for(h, el, &sel) && !strchr(buf_cstr(&sel), '\'')) {
			struct buf st = BUF_INIT;
			buf_printf(&st, "{css: '%s'}", buf_cstr(&sel));
			d.author_step = buf_detach(&st);
		} else if (sel_compile("meta[name=author i]", &mt, NULL) == NM_OK &&
			   sel_first(mt, (xmlNodePtr)h->doc)) {
			d.author_step = xstrdup("{meta: author}");
		}
		sel_free(mt);
		buf_clear(&sel);
	}
	d.date_step = date_step(h);
	/* body: the generic extractor's block (a wrapper it made itself has no
	 * selector: use its parent) */
	xmlNodePtr body = auto_body_titled(h, a.title, NULL);
	struct view src;
	while (body && !html_inner_source(h, body, &src))
		body = body->parent;
	if (body && body->type == XML_ELEMENT_NODE && selector_for(h, body, &sel))
		d.body_sel = buf_detach(&sel);
	buf_free(&sel);

	struct buf host = BUF_INIT;
	if (url_host(buf_cstr(&page_url), &host) < 0)
		buf_puts(&host, "example.com");
	/* The draft, first without tests, to run it and learn its values. */
	char tmp[] = "/tmp/newsmd-suggest-XXXXXX";
	int fd = mkstemp(tmp);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		cli_errorf("rules suggest: cannot create a temp file");
		return EXIT_SOME_FAILED;
	}
	for (int pass = 0; pass < 2; pass++) {
		FILE *o = pass == 0 ? f : out_path ? fopen(out_path, "w") : stdout;
		if (!o) {
			cli_errorf("rules suggest: %s: cannot write", out_path);
			rc = NM_EIO;
			break;
		}
		time_t now = time(NULL);
		char day[32];
		strftime(day, sizeof day, "%Y-%m-%d", gmtime(&now));
		fprintf(o, "# Draft rule written by `newsmd rules suggest` on %s from\n# %s\n", day,
			buf_cstr(&page_url));
		fprintf(o, "# Every selector matched exactly one element of that page; check them on\n"
			   "# other pages of the site with `newsmd rules test` before relying on it.\n");
		fprintf(o, "name: ");
		yq(o, buf_cstr(&host));
		fprintf(o, "\nmatch:\n  hosts: [");
		yq(o, buf_cstr(&host));
		fprintf(o, "]\nfields:\n");
		if (d.title_sel) {
			fprintf(o, "  title:\n    steps:\n      - css: ");
			yq(o, d.title_sel);
			fprintf(o, "\n      - meta: og:title\n");
		} else {
			fprintf(o, "  title:\n    steps:\n      - meta: og:title\n      - auto: true\n");
		}
		fprintf(o, "  date:\n    steps:\n");
		if (d.date_step)
			fprintf(o, "      - %s\n", d.date_step);
		fprintf(o, "      - auto: true\n");
		if (d.author_step)
			fprintf(o, "  author:\n    steps:\n      - %s\n", d.author_step);
		fprintf(o, "body:\n  steps:\n");
		if (d.body_sel) {
			fprintf(o, "    - css: ");
			yq(o, d.body_sel);
			fputc('\n', o);
		}
		fprintf(o, "    - auto: true\n");
		if (pass == 1) {
			fprintf(o, "tests:\n  - input: ");
			char abs[PATH_MAX];
			yq(o, realpath(input, abs) ? abs : input);
			fprintf(o, "\n    url: ");
			yq(o, buf_cstr(&page_url));
			fprintf(o, "\n    expect:\n");
			if (a.title) {
				fprintf(o, "      title: ");
				yq(o, a.title);
				fputc('\n', o);
			}
			if (a.date.set) {
				struct buf db = BUF_INIT;
				date_format(&db, "%Y-%m-%d %H:%M:%S %z", &a.date);
				fprintf(o, "      date: ");
				yq(o, buf_cstr(&db));
				fputc('\n', o);
				buf_free(&db);
			}
			if (a.author.n) {
				fprintf(o, "      author: ");
				struct buf ab = BUF_INIT;
				for (size_t i = 0; i < a.author.n; i++)
					buf_printf(&ab, "%s%s", i ? ", " : "", a.author.v[i]);
				yq(o, buf_cstr(&ab));
				fputc('\n', o);
				buf_free(&ab);
			}
			if (a.body_text && *a.body_text) {
				/* the body's first 40 characters as a sample */
				size_t n = 0, chars = 0;
				while (a.body_text[n] && a.body_text[n] != '\n' && chars < 40) {
					n++;
					while (((unsigned char)a.body_text[n] & 0xC0) == 0x80)
						n++;
					chars++;
				}
				char *sample = xstrndup(a.body_text, n);
				fprintf(o, "      body_contains: ");
				yq(o, sample);
				fprintf(o, "\n      body_min_chars: %zu\n", strlen(a.body_text) / 4);
				free(sample);
			}
		}
		if (pass == 0) {
			fclose(o);
			/* run the draft as a rule: its values become the tests */
			struct rule *r = NULL;
			article_free(&a);
			article_init(&a);
			a.url = xstrdup(buf_cstr(&page_url));
			err_clear(&e);
			if (rule_load(tmp, &r, &e) != NM_OK ||
			    pipeline_extract_bytes(p, r, bytes.ptr, bytes.len, ctype, &a, &e) != NM_OK) {
				cli_error(&e);
				rc = NM_EPARSE;
				rule_free(r);
				break;
			}
			rule_free(r);
		} else if (o != stdout) {
			fclose(o);
			fprintf(stderr, "wrote %s\n", out_path);
		}
	}
	unlink(tmp);
	draft_free(&d);
	article_free(&a);
	html_free(h);
	free(ctype);
	buf_free(&host);
	buf_free(&bytes);
	buf_free(&text);
	buf_free(&page_url);
	return rc ? EXIT_SOME_FAILED : EXIT_OK;
}

int cmd_rules_suggest(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"url", required_argument, NULL, 'u'},
		{"output", required_argument, NULL, 'o'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *config = NULL, *url = NULL, *out = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'u': url = optarg; break;
		case 'o': out = optarg; break;
		case 'h':
			puts("usage: newsmd rules suggest [-c FILE] [--url URL] [-o FILE] INPUT\n\n"
			     "Writes a draft rule for INPUT (a saved page or a URL): selectors for the\n"
			     "title, date, author and body found by the generic extractor and the\n"
			     "page's metadata, each checked to match exactly that element, and the\n"
			     "values the draft extracts as its tests.  To stdout, or -o FILE.");
			return EXIT_OK;
		default: return EXIT_USAGE;
		}
	}
	if (argc - optind != 1) {
		cli_errorf("rules suggest: expected one INPUT (try 'newsmd rules suggest --help')");
		return EXIT_USAGE;
	}
	struct pipeline p;
	struct nm_err e;
	err_clear(&e);
	memset(&p, 0, sizeof p);
	p.warn = cli_warn;
	if (config_load(config ? config : "newsmd.yml", !config, &p.cfg, &e) != NM_OK) {
		cli_error(&e);
		config_free(&p.cfg);
		return EXIT_USAGE;
	}
	p.fetch.user_agent = p.cfg.crawl.user_agent;
	p.fetch.timeout_s = p.cfg.crawl.timeout_s;
	p.fetch.max_bytes = (size_t)p.cfg.crawl.max_bytes;
	int rc = rules_suggest_run(argv[optind], url, out, &p);
	pipeline_close(&p);
	return rc;
}
